use hardwire_http::*;

use crate::fixtures::*;

fn request(bytes: &[u8]) -> RequestHead<'_> {
    match parse_request_head(bytes) {
        Ok(Parsed::Complete(head)) => head,
        other => panic!("not a complete request head: {other:?}"),
    }
}

/// arkime/arkime_synthetic.pcap: tshark counts 8 `http_winrm` packets, the four requests to
/// 5985 (frames 180, 191, 202, 213) and their answers. Frame 213 asks for `/wsmania`: WinRM by
/// port and agent, not by path.
#[test]
fn winrm_recognition() {
    let head = request(WINRM_REQUEST);
    assert!(is_winrm(head.uri, head.user_agent, 5985));
    assert!(is_winrm(head.uri, None, 80));
    assert!(is_winrm(head.uri, head.user_agent, 8080));

    let head = request(WSMANIA_REQUEST);
    assert_eq!(head.uri, "/wsmania");
    assert!(is_winrm(head.uri, head.user_agent, 5985));
    assert!(is_winrm(head.uri, head.user_agent, 80));
    assert!(!is_winrm(head.uri, None, 80));

    // Not WinRM: arkime/http-basicauth.pcap frame 4 on port 2082.
    let head = request(BASICAUTH_REQUEST);
    assert!(!is_winrm(head.uri, head.user_agent, 2082));

    assert!(is_winrm("/WSMAN?PSVersion=5.1.19041.1", None, 80));
    assert!(is_winrm("http://dc:80/wsman/SubscriptionManager/WEC", None, 80));
    assert!(is_winrm("/x", None, 47001));
}

/// arkime/arkime_synthetic.pcap frames 180 and 182: `application/soap+xml;charset=UTF-8`.
#[test]
fn winrm_content_types() {
    let head = request(WINRM_REQUEST);
    assert_eq!(classify_winrm_content_type(head.content_type.unwrap()), WinrmContent::ClearSoap);
    // The encrypted forms of MS-WSMV 2.2.9.1 (no public capture carries them).
    let cases = [
        (
            "multipart/encrypted;protocol=\"application/HTTP-SPNEGO-session-encrypted\";boundary=\"Encrypted Boundary\"",
            WinrmContent::Encrypted(SessionEncryption::Spnego),
        ),
        (
            "Multipart/X-Multi-Encrypted; PROTOCOL=application/http-kerberos-session-encrypted; boundary=x",
            WinrmContent::Encrypted(SessionEncryption::Kerberos),
        ),
        (
            "multipart/encrypted;boundary=\"a;b\";protocol=\"application/HTTP-CredSSP-session-encrypted\"",
            WinrmContent::Encrypted(SessionEncryption::CredSsp),
        ),
        ("multipart/encrypted", WinrmContent::Encrypted(SessionEncryption::Unknown)),
        ("text/html; charset=UTF-8", WinrmContent::Other),
        ("APPLICATION/SOAP+XML", WinrmContent::ClearSoap),
    ];
    for (value, expected) in cases {
        assert_eq!(classify_winrm_content_type(value), expected, "{value}");
    }
    assert_eq!(SessionEncryption::CredSsp.as_str(), "credssp");
}

#[test]
fn webdav_recognition() {
    for method in ["PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "propfind"] {
        assert!(is_webdav_method(method), "{method}");
    }
    // zeek/Traces/http/methods.pcap methods and RPC over HTTP are not WebDAV.
    for method in ["GET", "OPTIONS", "CCM_POST", "CONNECT", "TRACE", "RPC_IN_DATA", "PUT"] {
        assert!(!is_webdav_method(method), "{method}");
    }
    assert!(is_webdav_agent("Microsoft-WebDAV-MiniRedir/10.0.19045"));
    assert!(!is_webdav_agent("Microsoft WinRM Client"));
    assert!(!is_webdav_agent("Microsoft-WebDAV"));
}
