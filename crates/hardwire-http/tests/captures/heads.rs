use hardwire_http::head::{MAX_HEADERS, MAX_HEAD_LEN};
use hardwire_http::*;

use crate::fixtures::*;

fn request(bytes: &[u8]) -> RequestHead<'_> {
    match parse_request_head(bytes) {
        Ok(Parsed::Complete(head)) => head,
        other => panic!("not a complete request head: {other:?}"),
    }
}

fn response(bytes: &[u8]) -> ResponseHead<'_> {
    match parse_response_head(bytes) {
        Ok(Parsed::Complete(head)) => head,
        other => panic!("not a complete response head: {other:?}"),
    }
}

/// arkime/http-basicauth.pcap frame 4, values from tshark and http-basicauth.test.
#[test]
fn basicauth_request_head() {
    let head = request(BASICAUTH_REQUEST);
    assert_eq!(head.head_len, BASICAUTH_REQUEST.len());
    assert_eq!(head.method, "GET");
    assert_eq!(head.uri, "/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/xxx/xxxxxxxxxxxxxxxxxxxx.js");
    assert_eq!(head.version_minor, 1);
    assert_eq!(head.host, Some("10.000.000.001:1234"));
    assert_eq!(head.user_agent, Some("Mozilla/5.0 (Windows NT 5.1; rv:32.0) Gecko/20100101 Firefox/32.0"));
    assert_eq!(head.content_length, ContentLength::Absent);
    assert!(!head.connection_close);
    let auth = head.authorization.expect("Authorization");
    assert_eq!(auth.expose(), "Basic dXNlcnJycnI6cGFzc3dvcmRkZGRk");
    assert_eq!(request_body_framing(&head), Ok(BodyFraming::None));
}

/// arkime/http-basicauth.pcap frame 6: 304, so no body whatever the headers.
#[test]
fn basicauth_response_head() {
    let head = response(BASICAUTH_RESPONSE);
    assert_eq!(head.status, 304);
    assert_eq!(head.reason, "Not Modified");
    assert_eq!(head.head_len, BASICAUTH_RESPONSE.len());
    assert_eq!(response_body_framing(Some("GET"), &head), Ok(BodyFraming::None));
}

/// arkime/arkime_synthetic.pcap frames 180 and 182: WinRM request and response.
#[test]
fn winrm_heads() {
    let head = request(WINRM_REQUEST);
    assert_eq!((head.method, head.uri), ("POST", "/wsman"));
    assert_eq!(head.host, Some("dc.example.com"));
    assert_eq!(head.user_agent, Some("Microsoft WinRM Client"));
    assert_eq!(head.content_type, Some("application/soap+xml;charset=UTF-8"));
    assert_eq!(head.content_length, ContentLength::Valid(311));
    assert_eq!(request_body_framing(&head), Ok(BodyFraming::ContentLength(311)));
    // The body that follows the head is exactly Content-Length long in this frame.
    assert_eq!(WINRM_REQUEST.len() - head.head_len, 311);
    assert!(WINRM_REQUEST[head.head_len..].starts_with(b"<s:Envelope"));

    let head = response(WINRM_RESPONSE);
    assert_eq!(head.status, 200);
    assert_eq!(head.content_type, Some("application/soap+xml;charset=UTF-8"));
    assert_eq!(response_body_framing(Some("POST"), &head), Ok(BodyFraming::ContentLength(13)));
    assert_eq!(&WINRM_RESPONSE[head.head_len..], b"<s:Envelope/>");
}

/// arkime/ntlm_synthetic.pcap frames 46 and 60, zeek/Traces/erspan.pcap frame 101: the
/// challenge values tshark shows as `http.www_authenticate`.
#[test]
fn www_authenticate_values() {
    let head = response(NTLM_CHALLENGE_RESPONSE);
    assert_eq!(head.status, 401);
    assert_eq!(
        head.www_authenticate,
        ["NTLM TlRMTVNTUAACAAAADgAOADgAAAAFAgACASNFZ4mrze8AAAAAAAAAAAQABABGAAAACgBhSgAAAA9IAFQAVABQAFQARwBUAAAAAAA="]
    );
    assert_eq!(head.content_length, ContentLength::Valid(0));
    assert_eq!(response_body_framing(Some("GET"), &head), Ok(BodyFraming::None));

    let head = response(NEGOTIATE_CHALLENGE_RESPONSE);
    assert_eq!(head.www_authenticate.len(), 1);
    assert!(head.www_authenticate[0].starts_with("Negotiate TlRMTVNTUAACAAAAEAAQADgAAAAF"));

    let head = response(ERSPAN_NTLM_CHALLENGE);
    assert_eq!(head.www_authenticate.len(), 1);
    assert!(head.www_authenticate[0].starts_with("NTLM TlRMTVNTUAACAAAABAAEADgAAAAFgomi"));
    assert!(head.proxy_authenticate.is_empty());
}

/// A server offering two schemes in two fields, as IIS does: all are kept, in order.
#[test]
fn several_www_authenticate_fields() {
    let bytes = b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\nProxy-Authenticate: Basic realm=\"p\"\r\nContent-Length: 0\r\n\r\n";
    let head = response(bytes);
    assert_eq!(head.www_authenticate, ["Negotiate", "NTLM"]);
    assert_eq!(head.proxy_authenticate, ["Basic realm=\"p\""]);
}

/// zeek/Traces/http/methods.pcap: well-formed requests end their lines with a bare LF.
#[test]
fn bare_lf_heads() {
    for (frame, payload) in METHODS_FIRST_REQUESTS {
        if METHODS_WELL_FORMED.contains(frame) {
            let head = request(payload);
            assert_eq!(head.host, Some("www.google.com"), "frame {frame}");
            assert_eq!(head.head_len, payload.len(), "frame {frame}");
        }
    }
}

/// arkime/arkime_synthetic.pcap frames 822 and 823: a 101 turns the connection into a tunnel;
/// frame 136: a 1 GiB RPC_IN_DATA body is framed by its length, not buffered.
#[test]
fn tunnel_and_huge_length() {
    let req = request(WEBSOCKET_REQUEST);
    assert!(!req.connection_close);
    let head = response(WEBSOCKET_RESPONSE);
    assert_eq!(head.status, 101);
    assert!(!head.is_interim());
    assert_eq!(response_body_framing(Some("GET"), &head), Ok(BodyFraming::Tunnel));

    let head = request(RPC_IN_DATA_REQUEST);
    assert_eq!(head.method, "RPC_IN_DATA");
    assert_eq!(request_body_framing(&head), Ok(BodyFraming::ContentLength(1_073_741_824)));
}

#[test]
fn truncated_heads_are_partial() {
    for cut in 0..BASICAUTH_REQUEST.len() {
        assert_eq!(parse_request_head(&BASICAUTH_REQUEST[..cut]), Ok(Parsed::Partial), "cut {cut}");
    }
    for cut in 0..ERSPAN_NTLM_CHALLENGE.len() {
        let parsed = parse_response_head(&ERSPAN_NTLM_CHALLENGE[..cut]);
        assert_eq!(parsed, Ok(Parsed::Partial), "cut {cut}");
    }
}

#[test]
fn framing_fields() {
    let head = request(b"PUT /x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 5\r\nExpect: 100-Continue\r\nConnection: keep-alive, Close\r\n\r\n");
    assert_eq!(head.transfer_coding, TransferCoding::Chunked);
    assert!(head.expect_continue && head.connection_close);
    assert_eq!(request_body_framing(&head), Ok(BodyFraming::Chunked));

    let head = request(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n");
    assert_eq!(request_body_framing(&head), Err(HttpError::BadTransferEncoding));

    let head = request(b"POST / HTTP/1.1\r\nContent-Length: 7\r\nContent-Length: 7, 7\r\n\r\n");
    assert_eq!(head.content_length, ContentLength::Valid(7));
    let head = request(b"POST / HTTP/1.1\r\nContent-Length: 7\r\nContent-Length: 8\r\n\r\n");
    assert_eq!(head.content_length, ContentLength::Invalid);
    assert_eq!(request_body_framing(&head), Err(HttpError::BadContentLength));
    let head = request(b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n");
    assert_eq!(head.content_length, ContentLength::Invalid);

    let head = response(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n");
    assert_eq!(response_body_framing(Some("GET"), &head), Ok(BodyFraming::UntilClose));
    assert_eq!(response_body_framing(Some("HEAD"), &head), Ok(BodyFraming::None));
    assert_eq!(response_body_framing(Some("CONNECT"), &head), Ok(BodyFraming::Tunnel));
    let head = response(b"HTTP/1.1 100 Continue\r\n\r\n");
    assert!(head.is_interim());
    assert_eq!(response_body_framing(Some("POST"), &head), Ok(BodyFraming::None));
}

/// A megabyte of header bytes and ten thousand fields end in a clean error, quickly.
#[test]
fn oversized_heads_fail_fast() {
    let started = std::time::Instant::now();
    let mut huge = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
    huge.resize(1 << 20, b'a');
    huge.extend_from_slice(b"\r\n\r\n");
    assert_eq!(parse_request_head(&huge), Err(HttpError::HeadTooLarge));
    assert_eq!(parse_response_head(&huge[..MAX_HEAD_LEN]), Err(HttpError::HeadTooLarge));

    let mut many = b"GET / HTTP/1.1\r\n".to_vec();
    for i in 0..10_000 {
        many.extend_from_slice(format!("X{i}: v\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    assert_eq!(parse_request_head(&many), Err(HttpError::HeadTooLarge));
    // Within the size limit, the field count is what fails.
    let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
    for _ in 0..=MAX_HEADERS {
        many.extend_from_slice(b"A: b\r\n");
    }
    many.extend_from_slice(b"\r\n");
    assert_eq!(parse_response_head(&many), Err(HttpError::TooManyHeaders));
    assert!(started.elapsed().as_secs() < 2);
}
