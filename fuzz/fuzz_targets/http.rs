//! hardwire-http: the first byte picks a parser: request head, response head, chunked body
//! decoder, Authorization / WWW-Authenticate values, TLS hello; the sniffers run on everything.
#![no_main]

use hardwire_http::{
    looks_like_http_request, looks_like_http_response, looks_like_tls_handshake, parse_authorization, parse_challenges,
    parse_request_head, parse_response_head, parse_tls_hello, request_body_framing, response_body_framing, BodyDecoder,
    ChunkedDecoder, Parsed,
};
use libfuzzer_sys::fuzz_target;

fn body(decoder: &mut BodyDecoder, mut input: &[u8]) {
    while !input.is_empty() {
        match decoder.feed(input) {
            Ok(progress) if progress.consumed > 0 && !progress.done => input = input.get(progress.consumed..).unwrap_or_default(),
            _ => break,
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, input)) = data.split_first() else { return };
    let _ = looks_like_http_request(input);
    let _ = looks_like_http_response(input);
    let _ = looks_like_tls_handshake(input);
    match pick % 5 {
        0 => {
            if let Ok(Parsed::Complete(head)) = parse_request_head(input) {
                if let Some(authorization) = &head.authorization {
                    let _ = authorization.parse();
                }
                if let Ok(framing) = request_body_framing(&head) {
                    body(&mut BodyDecoder::new(framing), input.get(head.head_len..).unwrap_or_default());
                }
            }
        }
        1 => {
            if let Ok(Parsed::Complete(head)) = parse_response_head(input) {
                let _ = response_body_framing(Some("GET"), &head);
            }
        }
        2 => {
            let mut chunked = ChunkedDecoder::new();
            for piece in input.chunks(7) {
                if chunked.feed(piece).is_err() {
                    break;
                }
            }
        }
        3 => {
            let text = String::from_utf8_lossy(input);
            if let Ok(value) = parse_authorization(&text) {
                let _ = format!("{value:?}");
            }
            let _ = parse_challenges(&text);
        }
        _ => {
            let _ = parse_tls_hello(input);
        }
    }
});
