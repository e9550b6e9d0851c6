//! Names for the numbers SMB puts on the wire, spelled as /work/shared/SCHEMA.md wants them
//! in the sensor's output: dialects, ciphers, signing and pre-auth hash algorithms,
//! compression algorithms and NT status codes.

use std::borrow::Cow;

/// SMB2 dialect revision as SCHEMA spells it: `"2.0.2"`, `"2.1"`, `"3.0"`, `"3.0.2"`,
/// `"3.1.1"`, `"2.???"` for the wildcard 0x02FF, any other code as `"0x0222"`.
pub fn smb2_dialect_name(dialect: u16) -> Cow<'static, str> {
    match dialect {
        0x0202 => Cow::Borrowed("2.0.2"),
        0x0210 => Cow::Borrowed("2.1"),
        0x0300 => Cow::Borrowed("3.0"),
        0x0302 => Cow::Borrowed("3.0.2"),
        0x0311 => Cow::Borrowed("3.1.1"),
        0x02FF => Cow::Borrowed("2.???"),
        other => Cow::Owned(format!("0x{other:04x}")),
    }
}

/// The dialect spellings the sensor knows: SMB2 revisions as [`smb2_dialect_name`] spells
/// them, and the SMB1 dialect strings clients send (MS-CIFS 2.2.4.52.1, MS-SMB2's
/// multi-protocol negotiate, Samba's).
const DIALECT_SPELLINGS: &[&str] = &[
    "2.0.2",
    "2.1",
    "3.0",
    "3.0.2",
    "3.1.1",
    "2.???",
    "NT LM 0.12",
    "SMB 2.002",
    "SMB 2.???",
    "LANMAN2.1",
    "DOS LANMAN2.1",
    "LANMAN1.0",
    "LM1.2X002",
    "DOS LM1.2X002",
    "Samba",
    "MICROSOFT NETWORKS 3.0",
    "MICROSOFT NETWORKS 1.03",
    "PC NETWORK PROGRAM 1.0",
    "PCLAN1.0",
    "Windows for Workgroups 3.1a",
];

/// A dialect spelling as the `'static` text of [`DIALECT_SPELLINGS`], when it is one of them.
pub fn known_dialect(spelling: &str) -> Option<&'static str> {
    DIALECT_SPELLINGS.iter().find(|&&known| known == spelling).copied()
}

/// Encryption cipher id (negotiate ENCRYPTION context, MS-SMB2 2.2.3.1.2).
pub fn cipher_name(cipher: u16) -> Option<&'static str> {
    match cipher {
        0x0001 => Some("AES-128-CCM"),
        0x0002 => Some("AES-128-GCM"),
        0x0003 => Some("AES-256-CCM"),
        0x0004 => Some("AES-256-GCM"),
        _ => None,
    }
}

/// Signing algorithm id (negotiate SIGNING context, MS-SMB2 2.2.3.1.7).
pub fn signing_algorithm_name(algorithm: u16) -> Option<&'static str> {
    match algorithm {
        0x0000 => Some("HMAC-SHA256"),
        0x0001 => Some("AES-CMAC"),
        0x0002 => Some("AES-GMAC"),
        _ => None,
    }
}

/// Pre-authentication integrity hash algorithm id (MS-SMB2 2.2.3.1.1).
pub fn preauth_hash_name(algorithm: u16) -> Option<&'static str> {
    match algorithm {
        0x0001 => Some("SHA-512"),
        _ => None,
    }
}

/// Compression algorithm id (MS-SMB2 2.2.3.1.3).
pub fn compression_algorithm_name(algorithm: u16) -> Option<&'static str> {
    match algorithm {
        0x0000 => Some("NONE"),
        0x0001 => Some("LZNT1"),
        0x0002 => Some("LZ77"),
        0x0003 => Some("LZ77+Huffman"),
        0x0004 => Some("Pattern_V1"),
        0x0005 => Some("LZ4"),
        _ => None,
    }
}

/// Well-known NT status codes (MS-ERREF 2.3.1) that SMB sessions meet.
const NT_STATUS_NAMES: &[(u32, &str)] = &[
    (0x0000_0000, "STATUS_SUCCESS"),
    (0x0000_0103, "STATUS_PENDING"),
    (0x0000_010C, "STATUS_NOTIFY_ENUM_DIR"),
    (0x8000_0005, "STATUS_BUFFER_OVERFLOW"),
    (0x8000_0006, "STATUS_NO_MORE_FILES"),
    (0x8000_002D, "STATUS_STOPPED_ON_SYMLINK"),
    (0xC000_0001, "STATUS_UNSUCCESSFUL"),
    (0xC000_0002, "STATUS_NOT_IMPLEMENTED"),
    (0xC000_0003, "STATUS_INVALID_INFO_CLASS"),
    (0xC000_0008, "STATUS_INVALID_HANDLE"),
    (0xC000_000D, "STATUS_INVALID_PARAMETER"),
    (0xC000_000F, "STATUS_NO_SUCH_FILE"),
    (0xC000_0010, "STATUS_INVALID_DEVICE_REQUEST"),
    (0xC000_0011, "STATUS_END_OF_FILE"),
    (0xC000_0016, "STATUS_MORE_PROCESSING_REQUIRED"),
    (0xC000_0022, "STATUS_ACCESS_DENIED"),
    (0xC000_0023, "STATUS_BUFFER_TOO_SMALL"),
    (0xC000_0033, "STATUS_OBJECT_NAME_INVALID"),
    (0xC000_0034, "STATUS_OBJECT_NAME_NOT_FOUND"),
    (0xC000_0035, "STATUS_OBJECT_NAME_COLLISION"),
    (0xC000_003A, "STATUS_OBJECT_PATH_NOT_FOUND"),
    (0xC000_003B, "STATUS_OBJECT_PATH_SYNTAX_BAD"),
    (0xC000_0043, "STATUS_SHARING_VIOLATION"),
    (0xC000_0056, "STATUS_DELETE_PENDING"),
    (0xC000_005E, "STATUS_NO_LOGON_SERVERS"),
    (0xC000_0061, "STATUS_PRIVILEGE_NOT_HELD"),
    (0xC000_0062, "STATUS_INVALID_ACCOUNT_NAME"),
    (0xC000_0064, "STATUS_NO_SUCH_USER"),
    (0xC000_006A, "STATUS_WRONG_PASSWORD"),
    (0xC000_006D, "STATUS_LOGON_FAILURE"),
    (0xC000_006E, "STATUS_ACCOUNT_RESTRICTION"),
    (0xC000_006F, "STATUS_INVALID_LOGON_HOURS"),
    (0xC000_0070, "STATUS_INVALID_WORKSTATION"),
    (0xC000_0071, "STATUS_PASSWORD_EXPIRED"),
    (0xC000_0072, "STATUS_ACCOUNT_DISABLED"),
    (0xC000_0073, "STATUS_NONE_MAPPED"),
    (0xC000_009A, "STATUS_INSUFFICIENT_RESOURCES"),
    (0xC000_00A5, "STATUS_BAD_IMPERSONATION_LEVEL"),
    (0xC000_00AC, "STATUS_PIPE_NOT_AVAILABLE"),
    (0xC000_00AD, "STATUS_INVALID_PIPE_STATE"),
    (0xC000_00AE, "STATUS_PIPE_BUSY"),
    (0xC000_00B0, "STATUS_PIPE_DISCONNECTED"),
    (0xC000_00B1, "STATUS_PIPE_CLOSING"),
    (0xC000_00B5, "STATUS_IO_TIMEOUT"),
    (0xC000_00BA, "STATUS_FILE_IS_A_DIRECTORY"),
    (0xC000_00BB, "STATUS_NOT_SUPPORTED"),
    (0xC000_00C9, "STATUS_NETWORK_NAME_DELETED"),
    (0xC000_00CA, "STATUS_NETWORK_ACCESS_DENIED"),
    (0xC000_00CC, "STATUS_BAD_NETWORK_NAME"),
    (0xC000_00D0, "STATUS_REQUEST_NOT_ACCEPTED"),
    (0xC000_0103, "STATUS_NOT_A_DIRECTORY"),
    (0xC000_0120, "STATUS_CANCELLED"),
    (0xC000_0128, "STATUS_FILE_CLOSED"),
    (0xC000_015B, "STATUS_LOGON_TYPE_NOT_GRANTED"),
    (0xC000_018D, "STATUS_TRUSTED_RELATIONSHIP_FAILURE"),
    (0xC000_0193, "STATUS_ACCOUNT_EXPIRED"),
    (0xC000_0199, "STATUS_NOLOGON_WORKSTATION_TRUST_ACCOUNT"),
    (0xC000_019C, "STATUS_FS_DRIVER_REQUIRED"),
    (0xC000_0203, "STATUS_USER_SESSION_DELETED"),
    (0xC000_0224, "STATUS_PASSWORD_MUST_CHANGE"),
    (0xC000_0225, "STATUS_NOT_FOUND"),
    (0xC000_0234, "STATUS_ACCOUNT_LOCKED_OUT"),
    (0xC000_0257, "STATUS_PATH_NOT_COVERED"),
    (0xC000_035C, "STATUS_NETWORK_SESSION_EXPIRED"),
    (0xC000_0388, "STATUS_DOWNGRADE_DETECTED"),
    (0xC05D_0000, "STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP"),
];

/// The symbolic name of a well-known NT status code.
pub fn nt_status_name(status: u32) -> Option<&'static str> {
    NT_STATUS_NAMES.iter().find(|(code, _)| *code == status).map(|(_, name)| *name)
}

/// The status as SCHEMA's `smb.status` wants it: the name, else `"0xC000006D"` style hex.
pub fn nt_status_string(status: u32) -> Cow<'static, str> {
    match nt_status_name(status) {
        Some(name) => Cow::Borrowed(name),
        None => Cow::Owned(format!("0x{status:08X}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialect_spelling_follows_schema() {
        let names: Vec<_> = [0x0202, 0x0210, 0x0300, 0x0302, 0x0311, 0x02FF, 0x0222].into_iter().map(smb2_dialect_name).collect();
        assert_eq!(names, ["2.0.2", "2.1", "3.0", "3.0.2", "3.1.1", "2.???", "0x0222"]);
    }

    #[test]
    fn status_names_and_hex_fallback() {
        assert_eq!(nt_status_string(0), "STATUS_SUCCESS");
        assert_eq!(nt_status_string(0xC000_006D), "STATUS_LOGON_FAILURE");
        assert_eq!(nt_status_string(0xC000_0016), "STATUS_MORE_PROCESSING_REQUIRED");
        assert_eq!(nt_status_string(0xC0AB_CDEF), "0xC0ABCDEF");
    }

    #[test]
    fn algorithm_names() {
        assert_eq!(cipher_name(2), Some("AES-128-GCM"));
        assert_eq!(cipher_name(4), Some("AES-256-GCM"));
        assert_eq!(cipher_name(9), None);
        assert_eq!(signing_algorithm_name(1), Some("AES-CMAC"));
        assert_eq!(preauth_hash_name(1), Some("SHA-512"));
        assert_eq!(compression_algorithm_name(4), Some("Pattern_V1"));
    }
}
