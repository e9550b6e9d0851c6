//! What the Redis and NATS clients share: a TCP connection with timeouts, TLS on it from the
//! first byte (Redis) or after the server's greeting (NATS), and reads bounded whatever the
//! server sends.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::tls::{TlsClient, TlsStream};

/// The socket, plain or under TLS; both halves of a [`Connection`] reach it.
enum Transport {
    Plain(TcpStream),
    Tls(Box<TlsStream>),
    /// Only between taking the socket for a handshake and putting it back.
    Closed,
}

/// One half of the connection (a reader and a writer share the transport: a TLS session is
/// one object). Used from one thread; the lock is never contended.
pub struct Half(Arc<Mutex<Transport>>);

impl Half {
    fn with<T>(&self, f: impl FnOnce(&mut dyn ReadWrite) -> io::Result<T>) -> io::Result<T> {
        let mut transport = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match &mut *transport {
            Transport::Plain(tcp) => f(tcp),
            Transport::Tls(tls) => f(tls.as_mut()),
            Transport::Closed => Err(io::Error::from(io::ErrorKind::NotConnected)),
        }
    }
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

impl Read for Half {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.with(|io| io.read(buf))
    }
}

impl Write for Half {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.with(|io| io.write(buf))
    }
    fn flush(&mut self) -> io::Result<()> {
        self.with(|io| io.flush())
    }
}

/// A connection's buffered halves.
pub struct Connection {
    pub reader: BufReader<Half>,
    pub writer: BufWriter<Half>,
    transport: Arc<Mutex<Transport>>,
    address: String,
}

impl Connection {
    /// Connects to `host:port` (each address it resolves to, in turn), with `timeout` on the
    /// connection and on every read and write after it; with `tls`, TLS from the first byte.
    pub fn open(address: &str, timeout: Duration, tls: Option<&TlsClient>) -> io::Result<Connection> {
        let mut last = io::Error::new(io::ErrorKind::NotFound, format!("{address} resolves to no address"));
        for addr in address.to_socket_addrs()? {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(stream) => {
                    stream.set_read_timeout(Some(timeout))?;
                    stream.set_write_timeout(Some(timeout))?;
                    stream.set_nodelay(true)?;
                    let transport = Arc::new(Mutex::new(Transport::Plain(stream)));
                    let reader = BufReader::with_capacity(1 << 16, Half(transport.clone()));
                    let writer = BufWriter::with_capacity(1 << 16, Half(transport.clone()));
                    let mut conn = Connection { reader, writer, transport, address: address.to_string() };
                    if let Some(tls) = tls {
                        conn.start_tls(tls)?;
                    }
                    return Ok(conn);
                }
                Err(error) => last = error,
            }
        }
        Err(last)
    }

    /// Turns the plain connection into a TLS one (NATS: after the server's INFO). Nothing may
    /// be waiting in either buffer: bytes read before the handshake are not the server's under TLS.
    pub fn start_tls(&mut self, tls: &TlsClient) -> io::Result<()> {
        if !self.reader.buffer().is_empty() || !self.writer.buffer().is_empty() {
            return Err(invalid("the server sent more before the TLS handshake"));
        }
        let mut transport = self.transport.lock().unwrap_or_else(PoisonError::into_inner);
        let Transport::Plain(tcp) = std::mem::replace(&mut *transport, Transport::Closed) else {
            return Err(io::Error::other("TLS is already on"));
        };
        *transport = Transport::Tls(Box::new(tls.handshake(&self.address, tcp)?));
        Ok(())
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
