//! Property tests: no parser panics on arbitrary bytes or on truncated real messages, and the
//! chunked decoder gives the same answer however a real body is cut.

use std::sync::OnceLock;

use hardwire_http::*;
use proptest::prelude::*;

use crate::body::{decode_in_pieces, google_chunked_response};
use crate::fixtures::*;
use crate::pcap::unhex;

/// Every parser of the crate on one input; only the absence of panics is checked.
fn run_all(bytes: &[u8]) {
    let _ = looks_like_http_request(bytes);
    let _ = looks_like_http_response(bytes);
    let _ = looks_like_tls_handshake(bytes);
    let _ = parse_tls_hello(bytes);
    if let Ok(Parsed::Complete(head)) = parse_request_head(bytes) {
        let _ = request_body_framing(&head);
        if let Some(auth) = head.authorization {
            let _ = auth.parse();
        }
    }
    if let Ok(Parsed::Complete(head)) = parse_response_head(bytes) {
        let _ = response_body_framing(Some("GET"), &head);
        for value in &head.www_authenticate {
            let _ = parse_challenges(value);
        }
    }
    let _ = ChunkedDecoder::new().feed(bytes);
    let text = String::from_utf8_lossy(bytes);
    let _ = parse_authorization(&text);
    let _ = parse_challenges(&text);
    let _ = classify_winrm_content_type(&text);
    let _ = is_winrm(&text, Some(&text), 80);
    let _ = is_webdav_method(&text) || is_webdav_agent(&text);
}

/// The real messages of the fixtures.
fn real_messages() -> Vec<Vec<u8>> {
    let mut all: Vec<Vec<u8>> = [
        BASICAUTH_REQUEST,
        BASICAUTH_RESPONSE,
        BASIC_COLON_REQUEST,
        NTLM_AUTHENTICATE_REQUEST,
        NEGOTIATE_CHALLENGE_RESPONSE,
        ERSPAN_NTLM_AUTHENTICATE,
        WINRM_REQUEST,
        WEBSOCKET_RESPONSE,
    ]
    .iter()
    .map(|m| m.to_vec())
    .collect();
    all.extend([TLS_CLIENT_HELLO, TLS_SERVER_HELLO_EMPTY_EXTENSIONS].map(unhex));
    all
}

#[test]
fn truncated_real_messages_never_panic() {
    for message in real_messages() {
        for cut in 0..=message.len() {
            run_all(&message[..cut]);
            run_all(&message[cut..]);
        }
    }
}

fn google_body() -> Option<&'static [u8]> {
    static BODY: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    BODY.get_or_init(|| {
        let stream = google_chunked_response()?;
        let Ok(Parsed::Complete(head)) = parse_response_head(&stream) else {
            return None;
        };
        Some(stream[head.head_len..].to_vec())
    })
    .as_deref()
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        run_all(&bytes);
    }

    /// Arbitrary bytes after a valid prefix reach the deeper states of each parser.
    #[test]
    fn mutated_real_messages_never_panic(
        which in 0usize..10,
        at in any::<prop::sample::Index>(),
        noise in proptest::collection::vec(any::<u8>(), 1..64),
    ) {
        let messages = real_messages();
        let mut message = messages[which % messages.len()].clone();
        let at = at.index(message.len() + 1);
        message.splice(at..(at + noise.len()).min(message.len()), noise);
        run_all(&message);
    }

    #[test]
    fn chunked_any_cuts_same_result(cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..40)) {
        let Some(body) = google_body() else { return Ok(()) };
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(body.len() + 1)).collect();
        cuts.sort_unstable();
        prop_assert_eq!(decode_in_pieces(body, &cuts), decode_in_pieces(body, &[]));
    }
}
