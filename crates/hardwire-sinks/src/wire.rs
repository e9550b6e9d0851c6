//! What the Redis and NATS clients share: a TCP connection with timeouts, and reads bounded
//! whatever the server sends.

use std::io::{self, BufRead, BufReader, BufWriter, Read};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// A connection's buffered halves.
pub struct Connection {
    pub reader: BufReader<TcpStream>,
    pub writer: BufWriter<TcpStream>,
}

impl Connection {
    /// Connects to `host:port` (each address it resolves to, in turn), with `timeout` on the
    /// connection and on every read and write after it.
    pub fn open(address: &str, timeout: Duration) -> io::Result<Connection> {
        let mut last = io::Error::new(io::ErrorKind::NotFound, format!("{address} resolves to no address"));
        for addr in address.to_socket_addrs()? {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(stream) => {
                    stream.set_read_timeout(Some(timeout))?;
                    stream.set_write_timeout(Some(timeout))?;
                    stream.set_nodelay(true)?;
                    let reader = BufReader::with_capacity(1 << 16, stream.try_clone()?);
                    return Ok(Connection { reader, writer: BufWriter::with_capacity(1 << 16, stream) });
                }
                Err(error) => last = error,
            }
        }
        Err(last)
    }

    /// One line ending in CRLF (or LF), without it; at most `max` bytes.
    pub fn read_line(&mut self, max: usize) -> io::Result<Vec<u8>> {
        let mut line = Vec::new();
        (&mut self.reader).take(max as u64 + 2).read_until(b'\n', &mut line)?;
        if line.pop() != Some(b'\n') {
            return Err(match line.is_empty() {
                true => io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed the connection"),
                false => io::Error::new(io::ErrorKind::InvalidData, "a reply line longer than any the protocol sends"),
            });
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(line)
    }

    /// `len` bytes and the CRLF after them; `len` was checked against a bound by the caller.
    pub fn read_payload(&mut self, len: usize) -> io::Result<Vec<u8>> {
        let mut payload = vec![0; len + 2];
        self.reader.read_exact(&mut payload)?;
        if payload.split_off(len) != b"\r\n" {
            return Err(invalid("a payload not followed by CRLF"));
        }
        Ok(payload)
    }
}

pub fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// A decimal length or count from the server, refused beyond `max`.
pub fn bounded_number(text: &[u8], max: usize) -> io::Result<usize> {
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse::<usize>().ok())
        .filter(|&n| n <= max)
        .ok_or_else(|| invalid("a length out of bounds"))
}
