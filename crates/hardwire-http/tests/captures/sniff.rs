use hardwire_http::{looks_like_http_request, looks_like_http_response, Sniff};

use crate::fixtures::*;

/// zeek/Traces/http/methods.pcap: well-formed request lines (any method token, `*` target)
/// are recognised; missing spaces, a truncated version (`HTTP/1.`) and non-token methods are
/// not. tshark's `http.request.version` is the oracle.
#[test]
fn methods_pcap_request_lines() {
    for (frame, payload) in METHODS_FIRST_REQUESTS {
        let expected = if METHODS_WELL_FORMED.contains(frame) { Sniff::Yes } else { Sniff::No };
        assert_eq!(looks_like_http_request(payload), expected, "frame {frame}");
    }
}

#[test]
fn extension_and_webdav_methods() {
    // arkime/arkime_synthetic.pcap frame 136: RPC over HTTP.
    assert_eq!(looks_like_http_request(RPC_IN_DATA_REQUEST), Sniff::Yes);
    // zeek/Traces/http/methods.pcap frame 359: CCM_POST (SCCM).
    let ccm = METHODS_FIRST_REQUESTS.iter().find(|(f, _)| *f == 359).unwrap().1;
    assert!(ccm.starts_with(b"CCM_POST "));
    assert_eq!(looks_like_http_request(ccm), Sniff::Yes);
    assert_eq!(looks_like_http_request(b"PROPFIND /share HTTP/1.1\r\n"), Sniff::Yes);
}

#[test]
fn prefixes_need_more_and_binary_is_no() {
    for cut in 0..WINRM_REQUEST.len().min(23) {
        let expect = if cut < 22 { Sniff::NeedMore } else { Sniff::Yes };
        assert_eq!(looks_like_http_request(&WINRM_REQUEST[..cut]), expect, "cut {cut}");
    }
    // A TLS record and an SMB2 header over NetBIOS start with non-token bytes.
    assert_eq!(looks_like_http_request(&[0x16, 0x03, 0x01]), Sniff::No);
    assert_eq!(looks_like_http_request(b"\x00\x00\x00\x44\xfeSMB"), Sniff::No);
}

#[test]
fn endless_target_is_no_after_limit() {
    let mut line = b"GET /".to_vec();
    line.resize(hardwire_http::request_line::SNIFF_LIMIT - 1, b'a');
    assert_eq!(looks_like_http_request(&line), Sniff::NeedMore);
    line.resize(hardwire_http::request_line::SNIFF_LIMIT * 4, b'a');
    assert_eq!(looks_like_http_request(&line), Sniff::No);
}

#[test]
fn status_lines() {
    assert_eq!(looks_like_http_response(NTLM_CHALLENGE_RESPONSE), Sniff::Yes);
    assert_eq!(looks_like_http_response(BASICAUTH_RESPONSE), Sniff::Yes);
    assert_eq!(looks_like_http_response(&BASICAUTH_RESPONSE[..12]), Sniff::NeedMore);
    assert_eq!(looks_like_http_response(WINRM_REQUEST), Sniff::No);
    assert_eq!(looks_like_http_response(b"HTTP/1.1 20 OK\r\n"), Sniff::No);
}
