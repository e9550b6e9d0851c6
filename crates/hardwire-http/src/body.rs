//! Message body framing (RFC 9112 section 6) without buffering the body.
//!
//! [`request_body_framing`] and [`response_body_framing`] say how a body ends;
//! [`ChunkedDecoder`] walks a chunked body fed in arbitrary slices (a chunk-size line may be
//! split anywhere) and only counts and hands out the data, never copies it;
//! [`BodyDecoder`] does the same for every framing, so the caller has one loop.

use crate::head::{ContentLength, RequestHead, ResponseHead, TransferCoding, MAX_HEAD_LEN};
use crate::HttpError;

/// Longest chunk-size line (size, extensions, CRLF) and longest trailer line accepted.
pub const MAX_CHUNK_LINE: usize = 4096;

/// How the body of a message ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFraming {
    /// No body: the next message starts right after the head.
    None,
    /// Exactly this many bytes (never 0: that is `None`).
    ContentLength(u64),
    /// Chunked transfer coding: feed a [`ChunkedDecoder`].
    Chunked,
    /// The body runs until the server closes the connection (responses only).
    UntilClose,
    /// The connection stops carrying HTTP after this head (a 2xx answer to CONNECT, or
    /// 101 Switching Protocols): what follows is another protocol.
    Tunnel,
}

fn length_framing(length: ContentLength) -> Result<Option<BodyFraming>, HttpError> {
    match length {
        ContentLength::Absent => Ok(None),
        ContentLength::Invalid => Err(HttpError::BadContentLength),
        ContentLength::Valid(0) => Ok(Some(BodyFraming::None)),
        ContentLength::Valid(n) => Ok(Some(BodyFraming::ContentLength(n))),
    }
}

/// Framing of a request body (RFC 9112 section 6.3, rules 3 to 7). `Transfer-Encoding`
/// overrides `Content-Length`; a request without either has no body.
pub fn request_body_framing(head: &RequestHead<'_>) -> Result<BodyFraming, HttpError> {
    match head.transfer_coding {
        TransferCoding::Chunked => Ok(BodyFraming::Chunked),
        TransferCoding::Other => Err(HttpError::BadTransferEncoding),
        TransferCoding::Absent => Ok(length_framing(head.content_length)?.unwrap_or(BodyFraming::None)),
    }
}

/// Framing of a response body (RFC 9112 section 6.3), given the method of the request it
/// answers (`None` when that request was not seen).
///
/// HEAD responses, 1xx, 204 and 304 have no body; 101 and a 2xx to CONNECT turn the
/// connection into a tunnel; otherwise `Transfer-Encoding`, then `Content-Length`, then the
/// close of the connection end the body.
pub fn response_body_framing(request_method: Option<&str>, head: &ResponseHead<'_>) -> Result<BodyFraming, HttpError> {
    let is = |m: &str| request_method.is_some_and(|r| r.eq_ignore_ascii_case(m));
    if head.status == 101 || (is("CONNECT") && (200..300).contains(&head.status)) {
        return Ok(BodyFraming::Tunnel);
    }
    if is("HEAD") || (100..200).contains(&head.status) || matches!(head.status, 204 | 304) {
        return Ok(BodyFraming::None);
    }
    match head.transfer_coding {
        TransferCoding::Chunked => Ok(BodyFraming::Chunked),
        TransferCoding::Other => Ok(BodyFraming::UntilClose),
        TransferCoding::Absent => Ok(length_framing(head.content_length)?.unwrap_or(BodyFraming::UntilClose)),
    }
}

/// Progress of one `feed` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyProgress {
    /// Bytes of the input that belong to the body; the rest (if `done`) is the next message.
    pub consumed: usize,
    /// The body has ended.
    pub done: bool,
}

/// Where the chunked decoder is in the grammar of RFC 9112 section 7.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Hex digits of a chunk size; `digits` seen so far on this line.
    Size { digits: usize },
    /// After the size: extensions or whitespace up to LF.
    SizeRest,
    /// Chunk data still to skip.
    Data { remaining: u64 },
    /// After chunk data: CR or LF.
    DataEnd,
    /// After chunk data and CR: LF.
    DataEndLf,
    /// Start of a trailer line (or of the final empty line).
    TrailerStart,
    /// After a CR at the start of a trailer line: LF ends the body.
    TrailerEndLf,
    /// Inside a trailer field line.
    TrailerLine,
    /// The body has ended.
    Done,
}

/// Incremental decoder of a chunked body. It keeps a few counters, never the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkedDecoder {
    state: State,
    /// Size of the chunk whose size line is being read.
    size: u64,
    /// Bytes of the current size or trailer line.
    line_len: usize,
    /// Bytes of the trailer section so far.
    trailer_len: usize,
    /// Data bytes seen in all chunks.
    data_len: u64,
}

impl Default for ChunkedDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl ChunkedDecoder {
    /// A decoder at the start of a chunked body.
    pub fn new() -> Self {
        ChunkedDecoder { state: State::Size { digits: 0 }, size: 0, line_len: 0, trailer_len: 0, data_len: 0 }
    }

    /// The final chunk and trailers have been seen.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Data bytes (without chunk framing) seen so far.
    pub fn data_len(&self) -> u64 {
        self.data_len
    }

    /// Feeds the next bytes of the stream. Returns how many belong to the body (all of them,
    /// unless the body ends inside `input`). After an error the decoder should be dropped.
    pub fn feed(&mut self, input: &[u8]) -> Result<BodyProgress, HttpError> {
        self.feed_with(input, &mut |_| {})
    }

    /// Like [`feed`](Self::feed), and hands every run of chunk data to `on_data` (borrowed
    /// from `input`, never copied).
    pub fn feed_with(&mut self, input: &[u8], on_data: &mut dyn FnMut(&[u8])) -> Result<BodyProgress, HttpError> {
        let mut at = 0;
        while at < input.len() && self.state != State::Done {
            if let State::Data { remaining } = self.state {
                let avail = input.len() - at;
                let take = usize::try_from(remaining).map_or(avail, |r| r.min(avail));
                if let Some(data) = input.get(at..at + take) {
                    on_data(data);
                }
                at += take;
                self.data_len = self.data_len.saturating_add(take as u64);
                let left = remaining - take as u64;
                self.state = if left == 0 { State::DataEnd } else { State::Data { remaining: left } };
                continue;
            }
            let Some(&byte) = input.get(at) else { break };
            self.step(byte)?;
            at += 1;
        }
        Ok(BodyProgress { consumed: at, done: self.is_done() })
    }

    /// Counts one more byte of a size or trailer line against the caps.
    fn count_line_byte(&mut self, trailer: bool) -> Result<(), HttpError> {
        self.line_len += 1;
        if self.line_len > MAX_CHUNK_LINE {
            return Err(HttpError::ChunkLineTooLong);
        }
        if trailer {
            self.trailer_len += 1;
            if self.trailer_len > MAX_HEAD_LEN {
                return Err(HttpError::TrailerTooLarge);
            }
        }
        Ok(())
    }

    /// The size line has ended: data follows, or the trailers after the last chunk.
    fn end_size_line(&mut self) {
        self.line_len = 0;
        self.state = if self.size == 0 { State::TrailerStart } else { State::Data { remaining: self.size } };
    }

    /// Advances the line-oriented states by one byte.
    fn step(&mut self, byte: u8) -> Result<(), HttpError> {
        match self.state {
            State::Size { digits } => {
                self.count_line_byte(false)?;
                if let Some(d) = char::from(byte).to_digit(16) {
                    self.size = self.size.checked_mul(16).and_then(|s| s.checked_add(u64::from(d))).ok_or(HttpError::ChunkSizeOverflow)?;
                    self.state = State::Size { digits: digits + 1 };
                } else if digits == 0 {
                    return Err(HttpError::BadChunkSize);
                } else if byte == b'\n' {
                    self.end_size_line();
                } else if matches!(byte, b';' | b' ' | b'\t' | b'\r') {
                    self.state = State::SizeRest;
                } else {
                    return Err(HttpError::BadChunkSize);
                }
            }
            State::SizeRest => {
                self.count_line_byte(false)?;
                if byte == b'\n' {
                    self.end_size_line();
                }
            }
            State::DataEnd => {
                self.state = match byte {
                    b'\r' => State::DataEndLf,
                    b'\n' => State::Size { digits: 0 },
                    _ => return Err(HttpError::BadChunkTerminator),
                };
                self.size = 0;
            }
            State::DataEndLf => {
                if byte != b'\n' {
                    return Err(HttpError::BadChunkTerminator);
                }
                self.state = State::Size { digits: 0 };
            }
            State::TrailerStart => {
                self.line_len = 0;
                self.count_line_byte(true)?;
                self.state = match byte {
                    b'\r' => State::TrailerEndLf,
                    b'\n' => State::Done,
                    _ => State::TrailerLine,
                };
            }
            State::TrailerEndLf => {
                if byte != b'\n' {
                    return Err(HttpError::BadChunkTerminator);
                }
                self.state = State::Done;
            }
            State::TrailerLine => {
                self.count_line_byte(true)?;
                if byte == b'\n' {
                    self.state = State::TrailerStart;
                }
            }
            State::Data { .. } | State::Done => {}
        }
        Ok(())
    }
}

/// Walks a body of any framing with one interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyDecoder {
    /// Counting down a fixed length; `None` framing starts at 0.
    Length {
        /// Bytes still to come.
        remaining: u64,
    },
    /// Chunked.
    Chunked(ChunkedDecoder),
    /// Until the connection closes (also a tunnel): never done by itself.
    UntilClose,
}

impl BodyDecoder {
    /// A decoder for a body of this framing.
    pub fn new(framing: BodyFraming) -> Self {
        match framing {
            BodyFraming::None => BodyDecoder::Length { remaining: 0 },
            BodyFraming::ContentLength(n) => BodyDecoder::Length { remaining: n },
            BodyFraming::Chunked => BodyDecoder::Chunked(ChunkedDecoder::new()),
            BodyFraming::UntilClose | BodyFraming::Tunnel => BodyDecoder::UntilClose,
        }
    }

    /// The body has ended (always false until close).
    pub fn is_done(&self) -> bool {
        match self {
            BodyDecoder::Length { remaining } => *remaining == 0,
            BodyDecoder::Chunked(chunked) => chunked.is_done(),
            BodyDecoder::UntilClose => false,
        }
    }

    /// See [`ChunkedDecoder::feed`].
    pub fn feed(&mut self, input: &[u8]) -> Result<BodyProgress, HttpError> {
        self.feed_with(input, &mut |_| {})
    }

    /// See [`ChunkedDecoder::feed_with`]: `on_data` receives the body's data bytes.
    pub fn feed_with(&mut self, input: &[u8], on_data: &mut dyn FnMut(&[u8])) -> Result<BodyProgress, HttpError> {
        match self {
            BodyDecoder::Length { remaining } => {
                let take = usize::try_from(*remaining).map_or(input.len(), |r| r.min(input.len()));
                let data = input.get(..take).unwrap_or_default();
                if !data.is_empty() {
                    on_data(data);
                }
                *remaining -= take as u64;
                Ok(BodyProgress { consumed: take, done: *remaining == 0 })
            }
            BodyDecoder::Chunked(chunked) => chunked.feed_with(input, on_data),
            BodyDecoder::UntilClose => {
                if !input.is_empty() {
                    on_data(input);
                }
                Ok(BodyProgress { consumed: input.len(), done: false })
            }
        }
    }
}
