use hardwire_http::*;

use crate::fixtures::*;
use crate::pcap::unhex;

fn hello(bytes: &[u8]) -> TlsHello {
    match parse_tls_hello(bytes) {
        Ok(Parsed::Complete(hello)) => hello,
        other => panic!("no hello: {other:?}"),
    }
}

/// arkime/arkime_synthetic.pcap frame 394, tshark: record version 0x0301, handshake version
/// 0x0303, `tls.handshake.extensions_server_name` secure.example.com, supported version 0x0304.
#[test]
fn client_hello_sni_and_versions() {
    let bytes = unhex(TLS_CLIENT_HELLO);
    assert_eq!(looks_like_tls_handshake(&bytes), Sniff::Yes);
    let TlsHello::Client(client) = hello(&bytes) else { panic!("not a ClientHello") };
    assert_eq!(client.legacy_version, TlsVersion::Tls12);
    assert_eq!(client.server_name.as_deref(), Some("secure.example.com"));
    assert_eq!(client.supported_versions, [TlsVersion::Tls13]);
    assert_eq!(client.max_version().as_str(), "1.3");
}

/// Frame 395, tshark: ServerHello version 0x0303 and no supported_versions: TLS 1.2.
#[test]
fn server_hello_version() {
    let bytes = unhex(TLS_SERVER_HELLO);
    let TlsHello::Server(server) = hello(&bytes) else { panic!("not a ServerHello") };
    assert_eq!(server.selected_version, None);
    assert_eq!(server.version().as_str(), "1.2");
}

/// The ServerHello of RFC 8448 section 3 (a published TLS 1.3 trace): supported_versions
/// selects 0x0304.
#[test]
fn server_hello_tls13() {
    let message = unhex(
        "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e00\
         330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304",
    );
    let mut record = vec![0x16, 0x03, 0x03];
    record.extend_from_slice(&(message.len() as u16).to_be_bytes());
    record.extend_from_slice(&message);
    let TlsHello::Server(server) = hello(&record) else { panic!() };
    assert_eq!(server.legacy_version, TlsVersion::Tls12);
    assert_eq!(server.version(), TlsVersion::Tls13);
    assert_eq!(server.version().as_str(), "1.3");
}

/// Frame 904: every extension of the ServerHello has length 0 (tshark flags most as
/// malformed). supported_versions of length 0 is not a version; the hello still parses.
#[test]
fn server_hello_with_empty_extensions() {
    let bytes = unhex(TLS_SERVER_HELLO_EMPTY_EXTENSIONS);
    let TlsHello::Server(server) = hello(&bytes) else { panic!() };
    assert_eq!(server.version(), TlsVersion::Tls12);
}

/// The ClientHello of frame 394 cut into two records after 10 bytes of the handshake, and
/// every truncation of it.
#[test]
fn split_and_truncated_hellos() {
    let bytes = unhex(TLS_CLIENT_HELLO);
    let handshake = &bytes[5..];
    let mut split = vec![0x16, 0x03, 0x01, 0x00, 10];
    split.extend_from_slice(&handshake[..10]);
    split.extend_from_slice(&[0x16, 0x03, 0x01]);
    split.extend_from_slice(&((handshake.len() - 10) as u16).to_be_bytes());
    split.extend_from_slice(&handshake[10..]);
    assert_eq!(hello(&split), hello(&bytes));
    for cut in 0..split.len() {
        assert_eq!(parse_tls_hello(&split[..cut]), Ok(Parsed::Partial), "cut {cut}");
    }
    for cut in 0..6 {
        assert_eq!(looks_like_tls_handshake(&bytes[..cut]), Sniff::NeedMore, "cut {cut}");
    }
}

#[test]
fn not_tls() {
    assert_eq!(looks_like_tls_handshake(crate::fixtures::WINRM_REQUEST), Sniff::No);
    assert_eq!(parse_tls_hello(crate::fixtures::WINRM_REQUEST), Err(HttpError::NotTlsHandshake));
    // An application-data record (type 23) is not a hello.
    assert_eq!(looks_like_tls_handshake(&[23, 3, 3, 0, 40, 1]), Sniff::No);
    let huge = [0x16, 0x03, 0x01, 0x00, 0x08, 0x01, 0xff, 0xff, 0xff, 0x03, 0x03, 0, 0];
    assert_eq!(parse_tls_hello(&huge), Err(HttpError::TlsHelloTooLarge));
}
