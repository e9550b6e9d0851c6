//! The Redis sink, with Suricata EVE's modes and names so a pipeline that reads Suricata from
//! Redis (Logstash's redis input, Security Onion) reads hardwire unchanged: `LPUSH`/`RPUSH` to a
//! list, `PUBLISH` to a channel, or `XADD <key> MAXLEN ~ <n> * eve <line>` to a stream.
//!
//! The client speaks RESP itself: four commands, pipelined per batch, each reply read with
//! bounds. The `redis` crate would bring `url`, `idna` and the ICU tables for what is here a
//! page of code. TLS (Redis's `tls-port`) is rustls from the first byte (`tls.rs`).

use std::io::{self, Write};
use std::time::Duration;

use hardwire::config::{RedisMode, RedisOutput};

use crate::delivery::{unframe, Broker, SendError};
use crate::tls::TlsClient;
use crate::wire::{bounded_number, invalid, Connection};

/// The longest bulk string or array we accept from a server (a stream entry, a list range).
const MAX_BULK: usize = 64 << 20;
const MAX_ITEMS: usize = 1 << 20;
const MAX_DEPTH: usize = 4;

/// A RESP2 reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

/// A Redis connection.
pub struct RedisClient {
    conn: Connection,
}

impl RedisClient {
    /// Connects, with TLS from the first byte when `tls` is given.
    pub fn connect(address: &str, timeout: Duration, tls: Option<&TlsClient>) -> io::Result<RedisClient> {
        Ok(RedisClient { conn: Connection::open(address, timeout, tls)? })
    }

    /// Buffers one command; [`RedisClient::flush`] sends what is buffered.
    pub fn write_command(&mut self, args: &[&[u8]]) -> io::Result<()> {
        let out = &mut self.conn.writer;
        write!(out, "*{}\r\n", args.len())?;
        for arg in args {
            write!(out, "${}\r\n", arg.len())?;
            out.write_all(arg)?;
            out.write_all(b"\r\n")?;
        }
        Ok(())
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.conn.writer.flush()
    }

    pub fn read_reply(&mut self) -> io::Result<Reply> {
        self.read_nested(0)
    }

    fn read_nested(&mut self, depth: usize) -> io::Result<Reply> {
        let line = self.conn.read_line(64 << 10)?;
        let (kind, rest) = line.split_first().ok_or_else(|| invalid("an empty reply line"))?;
        let text = || String::from_utf8_lossy(rest).into_owned();
        Ok(match kind {
            b'+' => Reply::Status(text()),
            b'-' => Reply::Error(text()),
            b':' => Reply::Int(text().parse().map_err(|_| invalid("an integer reply that is not one"))?),
            b'$' if rest == b"-1" => Reply::Bulk(None),
            b'$' => Reply::Bulk(Some(self.conn.read_payload(bounded_number(rest, MAX_BULK)?)?)),
            b'*' if rest == b"-1" => Reply::Array(None),
            b'*' if depth < MAX_DEPTH => {
                let count = bounded_number(rest, MAX_ITEMS)?;
                // Grown as items arrive, not sized by the count the server claims.
                let mut items = Vec::new();
                for _ in 0..count {
                    items.push(self.read_nested(depth + 1)?);
                }
                Reply::Array(Some(items))
            }
            _ => return Err(invalid("a reply Redis does not send")),
        })
    }

    /// Sends one command and reads its reply; an error reply is an error.
    pub fn command(&mut self, args: &[&[u8]]) -> io::Result<Reply> {
        self.write_command(args)?;
        self.flush()?;
        match self.read_reply()? {
            Reply::Error(message) => Err(io::Error::other(format!("redis: {message}"))),
            reply => Ok(reply),
        }
    }
}

/// The Redis sink's broker end.
pub struct RedisBroker {
    settings: RedisOutput,
    tls: Option<TlsClient>,
    timeout: Duration,
    client: Option<RedisClient>,
    maxlen: String,
}

impl RedisBroker {
    pub fn new(settings: RedisOutput, tls: Option<TlsClient>, timeout: Duration) -> RedisBroker {
        let maxlen = settings.stream_maxlen.to_string();
        RedisBroker { settings, tls, timeout, client: None, maxlen }
    }

    /// The command that carries one line, as Suricata writes it.
    fn write_line(&mut self, json: &[u8]) -> io::Result<()> {
        let Some(client) = &mut self.client else { return Err(io::Error::from(io::ErrorKind::NotConnected)) };
        let key = self.settings.key.as_bytes();
        let trim: &[u8] = if self.settings.stream_trim_exact { b"=" } else { b"~" };
        match self.settings.mode {
            RedisMode::Lpush => client.write_command(&[b"LPUSH", key, json]),
            RedisMode::Rpush => client.write_command(&[b"RPUSH", key, json]),
            RedisMode::Publish => client.write_command(&[b"PUBLISH", key, json]),
            RedisMode::Xadd if self.settings.stream_maxlen == 0 => client.write_command(&[b"XADD", key, b"*", b"eve", json]),
            RedisMode::Xadd => client.write_command(&[b"XADD", key, b"MAXLEN", trim, self.maxlen.as_bytes(), b"*", b"eve", json]),
        }
    }
}

impl Broker for RedisBroker {
    fn describe(&self) -> String {
        format!("redis {}{}", self.settings.server, if self.tls.is_some() { " (TLS)" } else { "" })
    }

    fn connect(&mut self) -> io::Result<()> {
        let mut client = RedisClient::connect(&self.settings.server, self.timeout, self.tls.as_ref())?;
        if let Some(password) = &self.settings.password {
            match &self.settings.username {
                Some(user) => client.command(&[b"AUTH", user.as_bytes(), password.as_bytes()])?,
                None => client.command(&[b"AUTH", password.as_bytes()])?,
            };
        }
        if self.settings.db != 0 {
            client.command(&[b"SELECT", self.settings.db.to_string().as_bytes()])?;
        }
        self.client = Some(client);
        Ok(())
    }

    /// Redis cannot tell a line it already has: a command whose reply was lost is stored again
    /// when sent again. So only the lines after the last reply read are sent again (`acked`).
    fn send(&mut self, batch: &[Vec<u8>]) -> Result<u64, SendError> {
        for frame in batch {
            // A frame is always ours; one that is not is sent whole rather than lost.
            let json = unframe(frame).map_or(frame.as_slice(), |(_, _, json)| json);
            self.write_line(json)?;
        }
        let Some(client) = &mut self.client else { return Err(io::Error::from(io::ErrorKind::NotConnected).into()) };
        client.flush()?;
        let (mut acked, mut refused) = (0, None);
        for _ in batch {
            match client.read_reply() {
                Ok(Reply::Error(message)) => {
                    refused.get_or_insert(message);
                }
                Ok(_) if refused.is_none() => acked += 1,
                Ok(_) => {}
                Err(error) => return Err(SendError { acked, error }),
            }
        }
        match refused {
            Some(message) => Err(SendError { acked, error: io::Error::other(format!("refused: {message}")) }),
            None => Ok(0),
        }
    }

    fn disconnect(&mut self) {
        self.client = None;
    }
}
