use hardwire_http::body::MAX_CHUNK_LINE;
use hardwire_http::*;

use crate::pcap::{shared_pcap, tcp_stream};

/// zeek/Traces/http/methods.pcap, TCP stream 4 from port 80 to 46566: one chunked 200
/// response. tshark (frame 100): `http.chunk_size` 32768, 11143, 0, reassembled length 44696.
pub fn google_chunked_response() -> Option<Vec<u8>> {
    let pcap = shared_pcap("zeek/Traces/http/methods.pcap")?;
    let stream = tcp_stream(&pcap, 80, 46566);
    assert_eq!(stream.len(), 44_696);
    Some(stream)
}

/// Feeds `body` cut at `cuts`; returns (consumed, done, data bytes handed out).
pub fn decode_in_pieces(body: &[u8], cuts: &[usize]) -> (usize, bool, Vec<u8>) {
    let mut decoder = ChunkedDecoder::new();
    let mut data = Vec::new();
    let mut consumed = 0;
    let mut done = false;
    let mut start = 0;
    for &end in cuts.iter().chain(std::iter::once(&body.len())) {
        let progress = decoder.feed_with(&body[start..end], &mut |d| data.extend_from_slice(d)).expect("valid chunked body");
        consumed += progress.consumed;
        done = progress.done;
        if done {
            break;
        }
        start = end;
    }
    assert_eq!(decoder.data_len(), data.len() as u64);
    (consumed, done, data)
}

#[test]
fn real_chunked_body_whole_and_split_everywhere() {
    let Some(stream) = google_chunked_response() else {
        return;
    };
    let Ok(Parsed::Complete(head)) = parse_response_head(&stream) else { panic!("head") };
    assert_eq!(head.status, 200);
    assert_eq!(head.transfer_coding, TransferCoding::Chunked);
    assert_eq!(response_body_framing(Some("GET"), &head), Ok(BodyFraming::Chunked));
    let body = &stream[head.head_len..];

    let (consumed, done, data) = decode_in_pieces(body, &[]);
    assert!(done);
    assert_eq!(consumed, body.len(), "the response ends the stream");
    assert_eq!(data.len(), 32_768 + 11_143);
    assert!(data.starts_with(b"<!doctype html>"));

    for cut in 0..=body.len() {
        assert_eq!(decode_in_pieces(body, &[cut]), (consumed, done, data.clone()), "cut {cut}");
    }
    // Byte by byte: every state sees a one-byte slice.
    let every: Vec<usize> = (1..body.len()).collect();
    assert_eq!(decode_in_pieces(body, &every), (consumed, done, data));
}

#[test]
fn chunk_grammar() {
    // Extensions, bare LF, trailers, and the next message left unconsumed.
    let body = b"4;name=\"v\"\r\nWiki\r\n5 \r\npedia\n0\r\nExpires: never\r\nX: y\r\n\r\nGET /";
    let (consumed, done, data) = decode_in_pieces(body, &[]);
    assert!(done);
    assert_eq!(data, b"Wikipedia");
    assert_eq!(&body[consumed..], b"GET /");

    let mut decoder = ChunkedDecoder::new();
    assert_eq!(decoder.feed(b"zz\r\n"), Err(HttpError::BadChunkSize));
    let mut decoder = ChunkedDecoder::new();
    assert_eq!(decoder.feed(b"1\r\nab"), Err(HttpError::BadChunkTerminator));
    let mut decoder = ChunkedDecoder::new();
    assert_eq!(decoder.feed(b"1ffffffffffffffff\r\n"), Err(HttpError::ChunkSizeOverflow));
    // Leading zeros are not an overflow.
    let mut decoder = ChunkedDecoder::new();
    let zeros = b"0000000000000000000000000001\r\nA\r\n0\r\n\r\n";
    assert_eq!(decoder.feed(zeros), Ok(BodyProgress { consumed: zeros.len(), done: true }));

    let mut long_line = b"1;".to_vec();
    long_line.resize(MAX_CHUNK_LINE + 1, b'x');
    let mut decoder = ChunkedDecoder::new();
    assert_eq!(decoder.feed(&long_line), Err(HttpError::ChunkLineTooLong));
    // Split across calls, the cap still holds.
    let mut decoder = ChunkedDecoder::new();
    assert!(decoder.feed(&long_line[..100]).is_ok());
    assert_eq!(decoder.feed(&long_line[100..]), Err(HttpError::ChunkLineTooLong));

    let mut decoder = ChunkedDecoder::new();
    let mut trailers = b"0\r\n".to_vec();
    while trailers.len() < 70_000 {
        trailers.extend_from_slice(b"X-Pad: aaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    }
    assert_eq!(decoder.feed(&trailers), Err(HttpError::TrailerTooLarge));
}

#[test]
fn body_decoder_for_every_framing() {
    let mut length = BodyDecoder::new(BodyFraming::ContentLength(5));
    assert_eq!(length.feed(b"abc"), Ok(BodyProgress { consumed: 3, done: false }));
    assert_eq!(length.feed(b"deGET"), Ok(BodyProgress { consumed: 2, done: true }));
    assert!(BodyDecoder::new(BodyFraming::None).is_done());
    let mut close = BodyDecoder::new(BodyFraming::UntilClose);
    assert_eq!(close.feed(b"xyz"), Ok(BodyProgress { consumed: 3, done: false }));
    let mut chunked = BodyDecoder::new(BodyFraming::Chunked);
    assert_eq!(chunked.feed(b"0\r\n\r\n"), Ok(BodyProgress { consumed: 5, done: true }));
    // A 1 GiB length (arkime_synthetic frame 136) is counted, not allocated.
    let mut huge = BodyDecoder::new(BodyFraming::ContentLength(1 << 30));
    assert_eq!(huge.feed(&[0; 1000]), Ok(BodyProgress { consumed: 1000, done: false }));
}
