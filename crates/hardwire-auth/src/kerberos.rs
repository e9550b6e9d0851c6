//! Kerberos 5 messages as they travel inside GSS-API / SPNEGO (RFC 4120 §5.5, RFC 4121 §4.1).
//!
//! ```text
//! AP-REQ ::= [APPLICATION 14] SEQUENCE { pvno [0] INTEGER (5), msg-type [1] INTEGER (14),
//!     ap-options [2] APOptions, ticket [3] Ticket, authenticator [4] EncryptedData }
//! Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0] INTEGER (5), realm [1] Realm,
//!     sname [2] PrincipalName, enc-part [3] EncryptedData }
//! PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString }
//! EncryptedData ::= SEQUENCE { etype [0] Int32, kvno [1] UInt32 OPTIONAL, cipher [2] OCTET STRING }
//! AP-REP ::= [APPLICATION 15] SEQUENCE { pvno [0], msg-type [1], enc-part [2] EncryptedData }
//! KRB-ERROR ::= [APPLICATION 30] SEQUENCE { pvno [0], msg-type [1], ctime [2] OPTIONAL,
//!     cusec [3] OPTIONAL, stime [4], susec [5], error-code [6] Int32, ... }
//! ```
//! Inside a GSS-API InitialContextToken for Kerberos (RFC 4121 §4.1) the message is preceded by a
//! two-byte TOK_ID: 01 00 AP-REQ, 02 00 AP-REP, 03 00 KRB-ERROR.
//!
//! Only the etype of each EncryptedData is kept: cipher bytes are read past, never stored.

use std::borrow::Cow;
use std::fmt;

use nom::bytes::complete::take;
use nom::Parser;

use crate::der::{Class, Reader, Tlv, TAG_INTEGER, TAG_SEQUENCE};
use crate::error::{truncated, AuthError};

/// APPLICATION tags of the messages.
const TAG_TICKET: u32 = 1;
const TAG_AP_REQ: u32 = 14;
const TAG_AP_REP: u32 = 15;
const TAG_KRB_ERROR: u32 = 30;

/// RFC 4121 TOK_ID values.
const TOK_ID_AP_REQ: [u8; 2] = [0x01, 0x00];
const TOK_ID_AP_REP: [u8; 2] = [0x02, 0x00];
const TOK_ID_KRB_ERROR: [u8; 2] = [0x03, 0x00];

/// An encryption type number (RFC 3961 / IANA Kerberos parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EncType(pub i32);

impl EncType {
    pub const DES_CBC_CRC: EncType = EncType(1);
    pub const DES_CBC_MD4: EncType = EncType(2);
    pub const DES_CBC_MD5: EncType = EncType(3);
    pub const DES3_CBC_MD5: EncType = EncType(5);
    pub const DES3_CBC_SHA1_OLD: EncType = EncType(7);
    pub const DES3_CBC_SHA1: EncType = EncType(16);
    pub const AES128_CTS_HMAC_SHA1_96: EncType = EncType(17);
    pub const AES256_CTS_HMAC_SHA1_96: EncType = EncType(18);
    pub const AES128_CTS_HMAC_SHA256_128: EncType = EncType(19);
    pub const AES256_CTS_HMAC_SHA384_192: EncType = EncType(20);
    pub const RC4_HMAC: EncType = EncType(23);
    pub const RC4_HMAC_EXP: EncType = EncType(24);

    /// The RFC name ("aes256-cts-hmac-sha1-96", "rc4-hmac", ...), else `etype-<n>` (SCHEMA.md).
    pub fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match *self {
            EncType::DES_CBC_CRC => "des-cbc-crc",
            EncType::DES_CBC_MD4 => "des-cbc-md4",
            EncType::DES_CBC_MD5 => "des-cbc-md5",
            EncType::DES3_CBC_MD5 => "des3-cbc-md5",
            EncType::DES3_CBC_SHA1_OLD => "des3-cbc-sha1",
            EncType::DES3_CBC_SHA1 => "des3-cbc-sha1",
            EncType::AES128_CTS_HMAC_SHA1_96 => "aes128-cts-hmac-sha1-96",
            EncType::AES256_CTS_HMAC_SHA1_96 => "aes256-cts-hmac-sha1-96",
            EncType::AES128_CTS_HMAC_SHA256_128 => "aes128-cts-hmac-sha256-128",
            EncType::AES256_CTS_HMAC_SHA384_192 => "aes256-cts-hmac-sha384-192",
            EncType::RC4_HMAC => "rc4-hmac",
            EncType::RC4_HMAC_EXP => "rc4-hmac-exp",
            EncType(other) => return Cow::Owned(format!("etype-{other}")),
        })
    }

    /// RC4 (23, 24) and the DES family: single DES (1, 2, 3) and triple DES (5, 7, 16), which
    /// RFC 6649 and RFC 8429 deprecate and current Windows no longer accepts by default.
    pub fn is_weak(&self) -> bool {
        matches!(self.0, 1 | 2 | 3 | 5 | 7 | 16 | 23 | 24)
    }
}

impl fmt::Display for EncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// KRB_AP_REQ without its ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApReq {
    /// APOptions, bit 0 (reserved) being the most significant: 0x4000_0000 use-session-key,
    /// 0x2000_0000 mutual-required.
    pub ap_options: u32,
    /// The ticket's realm (the service's realm).
    pub realm: String,
    /// The service principal, components joined by '/' ("cifs/host.example").
    pub sname: String,
    /// The service principal's name-type (2 = NT-SRV-INST).
    pub sname_type: i32,
    /// Etype of the ticket's enc-part (the service key's type).
    pub ticket_etype: EncType,
    /// Key version number of the service key, when sent.
    pub ticket_kvno: Option<u32>,
    /// Etype of the authenticator (the session key's type).
    pub authenticator_etype: EncType,
}

impl ApReq {
    /// The ticket or the authenticator uses RC4 or DES.
    pub fn is_weak(&self) -> bool {
        self.ticket_etype.is_weak() || self.authenticator_etype.is_weak()
    }
}

/// A Kerberos message found in an authentication token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KerberosMessage {
    /// The client's KRB_AP_REQ.
    ApReq(ApReq),
    /// The server's KRB_AP_REP (mutual authentication succeeded).
    ApRep {
        /// Etype of the enc-part.
        etype: EncType,
    },
    /// A KRB-ERROR (e.g. 37 KRB_AP_ERR_SKEW, 41 KRB_AP_ERR_MODIFIED).
    Error {
        /// error-code.
        code: i32,
    },
}

/// Parses the innerContextToken of a Kerberos InitialContextToken: TOK_ID then the message.
pub fn parse_krb5_inner_token(input: &[u8]) -> Result<KerberosMessage, AuthError> {
    let (message, tok_id) = take(2usize).parse(input).map_err(truncated("Kerberos TOK_ID"))?;
    let expected = match <[u8; 2]>::try_from(tok_id) {
        Ok(TOK_ID_AP_REQ) => TAG_AP_REQ,
        Ok(TOK_ID_AP_REP) => TAG_AP_REP,
        Ok(TOK_ID_KRB_ERROR) => TAG_KRB_ERROR,
        _ => return Err(AuthError::Malformed("Kerberos TOK_ID")),
    };
    let parsed = parse_kerberos_message(message)?;
    let tag = match parsed {
        KerberosMessage::ApReq(_) => TAG_AP_REQ,
        KerberosMessage::ApRep { .. } => TAG_AP_REP,
        KerberosMessage::Error { .. } => TAG_KRB_ERROR,
    };
    if tag == expected {
        Ok(parsed)
    } else {
        Err(AuthError::Malformed("Kerberos TOK_ID does not match the message"))
    }
}

/// Parses a bare AP-REQ (0x6e), AP-REP (0x6f) or KRB-ERROR (0x7e).
pub fn parse_kerberos_message(input: &[u8]) -> Result<KerberosMessage, AuthError> {
    let outer = Reader::new(input).read()?;
    if outer.class != Class::Application {
        return Err(AuthError::Malformed("Kerberos message tag"));
    }
    let body = outer.inner("Kerberos message")?;
    if body.class != Class::Universal || body.tag != TAG_SEQUENCE {
        return Err(AuthError::Malformed("Kerberos message"));
    }
    let fields = body.contents()?;
    match outer.tag {
        TAG_AP_REQ => parse_ap_req_fields(fields).map(KerberosMessage::ApReq),
        TAG_AP_REP => parse_ap_rep_fields(fields),
        TAG_KRB_ERROR => parse_krb_error_fields(fields),
        _ => Err(AuthError::Malformed("not an AP-REQ, AP-REP or KRB-ERROR")),
    }
}

/// An Int32 (the ASN.1 range is enforced: larger values are malformed).
pub(crate) fn int32(tlv: &Tlv<'_>, what: &'static str) -> Result<i32, AuthError> {
    i32::try_from(tlv.integer(TAG_INTEGER, what)?).map_err(|_| AuthError::Malformed(what))
}

/// pvno [0] and msg-type [1], which must say Kerberos 5 and the expected message.
fn check_header(fields: &mut Reader<'_>, msg_type: u32) -> Result<(), AuthError> {
    if fields.explicit(0, "pvno")?.integer(TAG_INTEGER, "pvno")? != 5 {
        return Err(AuthError::Malformed("pvno is not 5"));
    }
    if fields.explicit(1, "msg-type")?.integer(TAG_INTEGER, "msg-type")? != i64::from(msg_type) {
        return Err(AuthError::Malformed("unexpected msg-type"));
    }
    Ok(())
}

fn parse_ap_req_fields(mut fields: Reader<'_>) -> Result<ApReq, AuthError> {
    check_header(&mut fields, TAG_AP_REQ)?;
    let ap_options = fields.explicit(2, "ap-options")?.bit_string_u32("ap-options")?;
    let ticket = fields.explicit(3, "ticket")?;
    if ticket.class != Class::Application || ticket.tag != TAG_TICKET {
        return Err(AuthError::Malformed("ticket"));
    }
    let mut ticket_fields = ticket.inner("ticket")?.contents()?;
    if ticket_fields.explicit(0, "tkt-vno")?.integer(TAG_INTEGER, "tkt-vno")? != 5 {
        return Err(AuthError::Malformed("tkt-vno is not 5"));
    }
    let realm = ticket_fields.explicit(1, "realm")?.text("realm")?;
    let (sname_type, sname) = parse_principal_name(ticket_fields.explicit(2, "sname")?)?;
    let (ticket_etype, ticket_kvno) = parse_encrypted_data(ticket_fields.explicit(3, "ticket enc-part")?)?;
    let (authenticator_etype, _) = parse_encrypted_data(fields.explicit(4, "authenticator")?)?;
    Ok(ApReq { ap_options, realm, sname, sname_type, ticket_etype, ticket_kvno, authenticator_etype })
}

fn parse_ap_rep_fields(mut fields: Reader<'_>) -> Result<KerberosMessage, AuthError> {
    check_header(&mut fields, TAG_AP_REP)?;
    let (etype, _) = parse_encrypted_data(fields.explicit(2, "AP-REP enc-part")?)?;
    Ok(KerberosMessage::ApRep { etype })
}

fn parse_krb_error_fields(mut fields: Reader<'_>) -> Result<KerberosMessage, AuthError> {
    check_header(&mut fields, TAG_KRB_ERROR)?;
    // ctime [2], cusec [3], stime [4], susec [5] come first; stop at error-code [6].
    while !fields.is_empty() {
        let field = fields.read()?;
        if field.class == Class::Context && field.tag == 6 {
            return Ok(KerberosMessage::Error { code: int32(&field.inner("error-code")?, "error-code")? });
        }
    }
    Err(AuthError::Malformed("KRB-ERROR without error-code"))
}

/// (name-type, components joined by '/').
pub(crate) fn parse_principal_name(tlv: Tlv<'_>) -> Result<(i32, String), AuthError> {
    let mut fields = tlv.contents()?;
    let name_type = int32(&fields.explicit(0, "name-type")?, "name-type")?;
    let mut strings = fields.explicit(1, "name-string")?.contents()?;
    let mut joined = String::new();
    while !strings.is_empty() {
        if !joined.is_empty() {
            joined.push('/');
        }
        joined.push_str(&strings.read()?.text("name-string")?);
    }
    Ok((name_type, joined))
}

/// (etype, kvno) of an EncryptedData; the cipher is checked present but not kept.
pub(crate) fn parse_encrypted_data(tlv: Tlv<'_>) -> Result<(EncType, Option<u32>), AuthError> {
    let mut fields = tlv.contents()?;
    let etype = EncType(int32(&fields.explicit(0, "etype")?, "etype")?);
    let kvno = fields.optional_explicit(1, "kvno")?.map(|t| kvno(&t)).transpose()?;
    fields.explicit(2, "cipher")?;
    Ok((etype, kvno))
}

/// A UInt32 kvno. Some Windows KDCs encode kvnos of 2^31 and above as negative INTEGERs (the
/// read-only DC numbering), so a negative Int32 is read back as its two's-complement UInt32.
fn kvno(tlv: &Tlv<'_>) -> Result<u32, AuthError> {
    let value = tlv.integer(TAG_INTEGER, "kvno")?;
    u32::try_from(value)
        .or_else(|_| i32::try_from(value).map(|signed| u32::from_ne_bytes(signed.to_ne_bytes())))
        .map_err(|_| AuthError::Malformed("kvno"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_and_weakness_of_etypes() {
        let names = [
            (18, "aes256-cts-hmac-sha1-96", false),
            (17, "aes128-cts-hmac-sha1-96", false),
            (23, "rc4-hmac", true),
            (24, "rc4-hmac-exp", true),
            (1, "des-cbc-crc", true),
            (3, "des-cbc-md5", true),
            (16, "des3-cbc-sha1", true),
            (19, "aes128-cts-hmac-sha256-128", false),
            (20, "aes256-cts-hmac-sha384-192", false),
            (-128, "etype--128", false),
            (25, "etype-25", false),
        ];
        for (number, name, weak) in names {
            assert_eq!(EncType(number).name(), name);
            assert_eq!(EncType(number).to_string(), name);
            assert_eq!(EncType(number).is_weak(), weak, "{name}");
        }
    }

    /// A KRB-ERROR KRB_AP_ERR_SKEW (37), built from RFC 4120's ASN.1: pvno 5, msg-type 30,
    /// stime, susec, error-code.
    #[test]
    fn reads_the_error_code_of_a_krb_error() {
        let error = [
            0x7e, 0x29, 0x30, 0x27, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x1e, 0xa4, 0x11, 0x18, 0x0f, b'2', b'0', b'2',
            b'6', b'0', b'1', b'0', b'1', b'0', b'0', b'0', b'0', b'0', b'0', b'Z', 0xa5, 0x03, 0x02, 0x01, 0x00, 0xa6, 0x03, 0x02, 0x01,
            0x25,
        ];
        assert_eq!(parse_kerberos_message(&error), Ok(KerberosMessage::Error { code: 37 }));
        let mut framed = TOK_ID_KRB_ERROR.to_vec();
        framed.extend_from_slice(&error);
        assert_eq!(parse_krb5_inner_token(&framed), Ok(KerberosMessage::Error { code: 37 }));
        framed[0] = 0x01;
        assert!(parse_krb5_inner_token(&framed).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(first in prop_oneof![Just(0x6eu8), Just(0x6f), Just(0x7e), any::<u8>()],
                body in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut msg = vec![first];
            msg.extend_from_slice(&body);
            let _ = parse_kerberos_message(&msg);
            let _ = parse_krb5_inner_token(&msg);
        }
    }
}
