//! Classification of WinRM message bodies by `Content-Type` (MS-WSMV section 2.2.9.1).
//!
//! A WinRM body is either clear SOAP (`application/soap+xml`) or wrapped by the session's
//! security context: `multipart/encrypted` (or `multipart/x-multi-encrypted` for large
//! messages) with a `protocol` parameter naming the mechanism.

/// Which security context encrypts a WinRM body, from the `protocol` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEncryption {
    /// `application/HTTP-SPNEGO-session-encrypted` (Negotiate: Kerberos or NTLM).
    Spnego,
    /// `application/HTTP-Kerberos-session-encrypted`.
    Kerberos,
    /// `application/HTTP-CredSSP-session-encrypted`.
    CredSsp,
    /// A multipart/encrypted body whose protocol is missing or unknown.
    Unknown,
}

impl SessionEncryption {
    /// Short lower-case name: `"spnego"`, `"kerberos"`, `"credssp"` or `"unknown"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionEncryption::Spnego => "spnego",
            SessionEncryption::Kerberos => "kerberos",
            SessionEncryption::CredSsp => "credssp",
            SessionEncryption::Unknown => "unknown",
        }
    }
}

/// What a WinRM body is, judged from its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WinrmContent {
    /// `application/soap+xml`: the SOAP envelope travels in clear.
    ClearSoap,
    /// Encrypted by the named security context.
    Encrypted(SessionEncryption),
    /// Any other type.
    Other,
}

/// Splits a media type `type/subtype *( ";" parameter )` into the type and the parameters,
/// with `;` inside quoted strings kept in place.
fn split_params(value: &str) -> (&str, impl Iterator<Item = (&str, &str)>) {
    let mut in_quotes = false;
    let mut parts = value.split(move |c: char| {
        if c == '"' {
            in_quotes = !in_quotes;
        }
        c == ';' && !in_quotes
    });
    let media_type = parts.next().unwrap_or_default().trim();
    let params = parts.filter_map(|param| {
        let (name, value) = param.split_once('=')?;
        let value = value.trim();
        let value = value.strip_prefix('"').map(|v| v.strip_suffix('"').unwrap_or(v)).unwrap_or(value);
        Some((name.trim(), value))
    });
    (media_type, params)
}

/// Classifies a WinRM `Content-Type` value. Type, parameter names and the protocol value are
/// compared case-insensitively; the protocol may be quoted or not.
pub fn classify_winrm_content_type(value: &str) -> WinrmContent {
    let (media_type, mut params) = split_params(value);
    if media_type.eq_ignore_ascii_case("application/soap+xml") {
        return WinrmContent::ClearSoap;
    }
    if !media_type.eq_ignore_ascii_case("multipart/encrypted") && !media_type.eq_ignore_ascii_case("multipart/x-multi-encrypted") {
        return WinrmContent::Other;
    }
    let protocol = params.find(|(name, _)| name.eq_ignore_ascii_case("protocol")).map(|(_, value)| value);
    let known = [
        ("application/HTTP-SPNEGO-session-encrypted", SessionEncryption::Spnego),
        ("application/HTTP-Kerberos-session-encrypted", SessionEncryption::Kerberos),
        ("application/HTTP-CredSSP-session-encrypted", SessionEncryption::CredSsp),
    ];
    let encryption = protocol
        .and_then(|p| known.into_iter().find(|(name, _)| p.eq_ignore_ascii_case(name)))
        .map_or(SessionEncryption::Unknown, |(_, encryption)| encryption);
    WinrmContent::Encrypted(encryption)
}
