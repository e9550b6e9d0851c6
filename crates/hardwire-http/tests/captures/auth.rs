use hardwire_http::*;

use crate::fixtures::*;

fn authorization(request: &[u8]) -> CredentialValue<'_> {
    match parse_request_head(request) {
        Ok(Parsed::Complete(head)) => head.authorization.expect("Authorization"),
        other => panic!("not a complete head: {other:?}"),
    }
}

fn token(value: &AuthValue) -> &[u8] {
    match &value.data {
        Ok(AuthData::Token(token)) => token.as_bytes(),
        other => panic!("no token: {other:?}"),
    }
}

/// NTLMSSP signature and message type (1 NEGOTIATE, 2 CHALLENGE, 3 AUTHENTICATE).
fn ntlm_message_type(bytes: &[u8]) -> u32 {
    assert_eq!(&bytes[..8], b"NTLMSSP\0");
    u32::from_le_bytes(bytes[8..12].try_into().unwrap())
}

/// arkime/http-basicauth.pcap frame 4: Arkime reports user `userrrrr` (http-basicauth.test);
/// tshark's `http.authbasic` is `userrrrr:passworddddd`. Neither the password nor the base64
/// of the credentials may show in anything returned.
#[test]
fn basic_user_only() {
    let value = authorization(BASICAUTH_REQUEST);
    let parsed = value.parse().unwrap();
    assert_eq!(parsed.scheme, AuthScheme::Basic);
    assert_eq!(parsed.scheme.as_str(), "basic");
    assert_eq!(parsed.data, Ok(AuthData::BasicUser("userrrrr".into())));

    let Ok(Parsed::Complete(head)) = parse_request_head(BASICAUTH_REQUEST) else { panic!() };
    let debug = format!("{head:?} {value:?} {parsed:?}");
    for secret in ["passworddddd", "dXNlcnJycnI6cGFzc3dvcmRkZGRk", "cGFzc3dvcmRkZGRk"] {
        assert!(!debug.contains(secret), "{secret} leaked in {debug}");
    }
    assert!(debug.contains("Basic <redacted>"));
}

/// zeek/Traces/http/basic-auth-with-colon.pcap frame 4: tshark `http.authbasic` is
/// `test:1:34`; the user ends at the first colon. Both zeek captures put two spaces after
/// the scheme.
#[test]
fn basic_colon_and_extra_space() {
    let parsed = authorization(BASIC_COLON_REQUEST).parse().unwrap();
    assert_eq!(parsed.data, Ok(AuthData::BasicUser("test".into())));
    assert!(!format!("{parsed:?}").contains("1:34"));

    // zeek/Traces/http/basic-auth-with-extra-space.pcap frame 26: `test:1234`.
    let parsed = authorization(BASIC_SPACE_REQUEST).parse().unwrap();
    assert_eq!(parsed.scheme, AuthScheme::Basic);
    assert_eq!(parsed.data, Ok(AuthData::BasicUser("test".into())));
}

/// arkime/ntlm_synthetic.pcap frames 44, 48, 58 and the challenges of 46 and 60.
#[test]
fn ntlm_and_negotiate_tokens() {
    let negotiate = authorization(NTLM_NEGOTIATE_REQUEST).parse().unwrap();
    assert_eq!(negotiate.scheme.as_str(), "ntlm");
    assert_eq!(ntlm_message_type(token(&negotiate)), 1);

    let authenticate = authorization(NTLM_AUTHENTICATE_REQUEST).parse().unwrap();
    assert_eq!(ntlm_message_type(token(&authenticate)), 3);
    // tshark: ntlmssp.auth.username "dave" (UTF-16LE in the payload).
    let user: Vec<u8> = "dave".encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert!(token(&authenticate).windows(user.len()).any(|w| w == user));
    let Ok(AuthData::Token(raw)) = &authenticate.data else { panic!() };
    assert_eq!(format!("{raw:?}"), format!("AuthToken({} bytes)", raw.as_bytes().len()));

    let spnego = authorization(NEGOTIATE_REQUEST).parse().unwrap();
    assert_eq!(spnego.scheme, AuthScheme::Negotiate);
    assert_eq!(ntlm_message_type(token(&spnego)), 1);

    let Ok(Parsed::Complete(head)) = parse_response_head(NTLM_CHALLENGE_RESPONSE) else { panic!() };
    let challenges = parse_challenges(head.www_authenticate[0]);
    assert_eq!(challenges.len(), 1);
    assert_eq!(challenges[0].scheme, AuthScheme::Ntlm);
    assert_eq!(ntlm_message_type(token(&challenges[0])), 2);

    let Ok(Parsed::Complete(head)) = parse_response_head(NEGOTIATE_CHALLENGE_RESPONSE) else { panic!() };
    let challenges = parse_challenges(head.www_authenticate[0]);
    assert_eq!(challenges[0].scheme.as_str(), "negotiate");
    assert_eq!(ntlm_message_type(token(&challenges[0])), 2);
}

/// zeek/Traces/erspan.pcap frames 100 to 102: the NTLM exchange with IIS inside ERSPAN
/// (tshark: ntlmssp.messagetype 1, 2, 3; auth user `administrator`).
#[test]
fn erspan_ntlm_exchange() {
    let negotiate = authorization(ERSPAN_NTLM_REQUEST).parse().unwrap();
    assert_eq!(ntlm_message_type(token(&negotiate)), 1);

    let Ok(Parsed::Complete(head)) = parse_response_head(ERSPAN_NTLM_CHALLENGE) else { panic!() };
    let challenge = &parse_challenges(head.www_authenticate[0])[0];
    assert_eq!(ntlm_message_type(token(challenge)), 2);

    let authenticate = authorization(ERSPAN_NTLM_AUTHENTICATE).parse().unwrap();
    let bytes = token(&authenticate);
    assert_eq!(ntlm_message_type(bytes), 3);
    let user: Vec<u8> = "administrator".encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert!(bytes.windows(user.len()).any(|w| w == user));
}

#[test]
fn schemes_and_bad_tokens() {
    let kerberos = parse_authorization("Kerberos YIIBhQYJKoZIhvcSAQICAQBu").unwrap();
    assert_eq!(kerberos.scheme.as_str(), "kerberos");
    assert_eq!(token(&kerberos)[..2], [0x60, 0x82]);
    let credssp = parse_authorization("CREDSSP MIIB").unwrap();
    assert_eq!(credssp.scheme, AuthScheme::CredSsp);
    let digest = parse_authorization("Digest username=\"bob\", realm=\"r\"").unwrap();
    assert_eq!(digest.scheme.as_str(), "digest");
    assert_eq!(digest.data, Ok(AuthData::Opaque));
    assert_eq!(parse_authorization("NTLM").unwrap().data, Ok(AuthData::Empty));

    assert_eq!(parse_authorization("NTLM !!!").unwrap().data, Err(HttpError::BadBase64));
    // base64("nocolon"): no user can be told from a password.
    let no_colon = parse_authorization("Basic bm9jb2xvbg==").unwrap();
    assert_eq!(no_colon.data, Err(HttpError::BasicWithoutColon));
    assert!(!format!("{no_colon:?}").contains("nocolon"));
    let huge = format!("Negotiate {}", "A".repeat(200_000));
    assert_eq!(parse_authorization(&huge).unwrap().data, Err(HttpError::AuthTokenTooLarge));
    assert_eq!(parse_authorization(""), Err(HttpError::BadAuthScheme));
    assert_eq!(parse_authorization("=abc"), Err(HttpError::BadAuthScheme));
}

#[test]
fn challenge_lists() {
    let list = parse_challenges("Basic realm=\"a, b\", charset=\"UTF-8\", Negotiate, NTLM TlRMTVNTUAACAAAA");
    let schemes: Vec<&str> = list.iter().map(|c| c.scheme.as_str()).collect();
    assert_eq!(schemes, ["basic", "negotiate", "ntlm"]);
    assert_eq!(list[0].data, Ok(AuthData::Opaque));
    assert_eq!(list[1].data, Ok(AuthData::Empty));
    assert_eq!(ntlm_message_type(token(&list[2])), 2);
    // An escaped quote does not close the string; an unclosed string runs to the end.
    let schemes = |value| parse_challenges(value).iter().map(|c| c.scheme.as_str().to_string()).collect::<Vec<_>>();
    assert_eq!(schemes(r#"Digest realm="a\", b, Negotiate", nonce="\\", NTLM, , Basic"#), ["digest", "ntlm", "basic"]);
    assert_eq!(schemes(r#"Basic realm="x, NTLM"#), ["basic"]);
}
