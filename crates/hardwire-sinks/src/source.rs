//! The fleet's brokers as a source of lines: `nats://[user:password@|token@]host:port/STREAM`
//! reads a JetStream stream, `redis://[[user]:password@]host:port/KEY` a Redis stream (the `eve`
//! field of each entry) or list (oldest first), so one reader (`hardwire fetch`, piped into
//! `hardwire report -`) covers every sensor. `tls://` (NATS) and `rediss://` speak TLS, trusting
//! the system's CAs unless the address ends in `?ca=FILE` (with `&cert=FILE&key=FILE` for a
//! broker that asks for the reader's certificate, `&server_name=NAME`); a query on `nats://` or
//! `redis://` turns TLS on as well.

use std::fmt;
use std::io::{self, Read, Write};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use hardwire::config::BrokerTls;

use crate::nats::{each_message, Auth, NatsClient};
use crate::redis::{RedisClient, Reply};
use crate::tls::TlsClient;

/// Entries or items asked for at once.
const PAGE: usize = 1000;

/// A broker address as a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub kind: SourceKind,
    pub address: String,
    pub user: Option<String>,
    pub password: Option<String>,
    /// The stream (NATS) or key (Redis).
    pub name: String,
    /// TLS to the broker (files not read yet).
    pub tls: Option<BrokerTls>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Nats,
    Redis,
}

impl Source {
    /// Parses `nats://…/STREAM` or `redis://…/KEY`; `None` for anything else (a file name).
    pub fn parse(text: &str) -> Option<Result<Source, String>> {
        let (kind, secure, rest) = match text.split_once("://")? {
            ("nats", rest) => (SourceKind::Nats, false, rest),
            ("tls", rest) => (SourceKind::Nats, true, rest),
            ("redis", rest) => (SourceKind::Redis, false, rest),
            ("rediss", rest) => (SourceKind::Redis, true, rest),
            _ => return None,
        };
        let bad = || format!("{text:?}: expected nats://[user:password@]host:port/STREAM or redis://[[user]:password@]host:port/KEY");
        let Some((authority, path)) = rest.split_once('/') else { return Some(Err(bad())) };
        let (name, query) = path.split_once('?').map_or((path, None), |(name, query)| (name, Some(query)));
        let tls = match query.map(tls_options).transpose() {
            Ok(tls) => tls.or(secure.then(BrokerTls::default)),
            Err(e) => return Some(Err(format!("{text:?}: {e}"))),
        };
        let (userinfo, address) = match authority.rsplit_once('@') {
            Some((userinfo, address)) => (Some(userinfo), address),
            None => (None, authority),
        };
        let (user, password) = match userinfo.map(|u| u.split_once(':')) {
            None => (None, None),
            Some(Some((user, password))) => ((!user.is_empty()).then(|| user.to_string()), Some(password.to_string())),
            // A lone word is a NATS token or a Redis password.
            Some(None) => (None, userinfo.map(str::to_string)),
        };
        if name.is_empty() || address.rsplit_once(':').is_none_or(|(host, port)| host.is_empty() || port.parse::<u16>().is_err()) {
            return Some(Err(bad()));
        }
        Some(Ok(Source { kind, address: address.to_string(), user, password, name: name.to_string(), tls }))
    }

    /// The TLS settings, their files read.
    fn tls_client(&self) -> io::Result<Option<TlsClient>> {
        self.tls.as_ref().map(TlsClient::load).transpose().map_err(io::Error::other)
    }

    /// The source's lines as a byte stream, fetched by a thread as they are read (bounded by a
    /// pipe, whatever the stream's size); a failure of the fetch is the reader's error at its end.
    pub fn reader(self, timeout: Duration) -> io::Result<SourceReader> {
        let (pipe, mut writer) = io::pipe()?;
        let fetch = thread::Builder::new().name("hw-fetch".into()).spawn(move || {
            let mut out = io::BufWriter::with_capacity(1 << 16, &mut writer);
            self.copy_to(&mut out, timeout).and_then(|_| out.flush())
        })?;
        Ok(SourceReader { pipe, fetch: Some(fetch) })
    }

    /// Writes every line the source holds to `out`, one per line; returns how many.
    pub fn copy_to(&self, out: &mut impl Write, timeout: Duration) -> io::Result<u64> {
        let mut write = |line: &[u8]| {
            out.write_all(line)?;
            out.write_all(b"\n")
        };
        let tls = self.tls_client()?;
        match self.kind {
            SourceKind::Nats => {
                let auth = match &self.user {
                    Some(user) => Auth { user: Some(user.clone()), password: self.password.clone(), token: None },
                    None => Auth { token: self.password.clone(), ..Auth::default() },
                };
                let mut client = NatsClient::connect(&self.address, timeout, &auth, "hardwire fetch", tls.as_ref())?;
                each_message(&mut client, &self.name, |_, data| write(data))
            }
            SourceKind::Redis => {
                let mut client = RedisClient::connect(&self.address, timeout, tls.as_ref())?;
                if let Some(password) = &self.password {
                    match &self.user {
                        Some(user) => client.command(&[b"AUTH", user.as_bytes(), password.as_bytes()])?,
                        None => client.command(&[b"AUTH", password.as_bytes()])?,
                    };
                }
                let key = self.name.as_bytes();
                match client.command(&[b"TYPE", key])? {
                    Reply::Status(kind) if kind == "stream" => copy_stream(&mut client, key, &mut write),
                    Reply::Status(kind) if kind == "list" => copy_list(&mut client, key, &mut write),
                    Reply::Status(kind) => Err(io::Error::other(format!("redis key {} is a {kind}, not a stream or list", self.name))),
                    _ => Err(io::Error::other("redis: an odd answer to TYPE")),
                }
            }
        }
    }
}

/// Shown without the credentials the address may carry.
impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match (self.kind, self.tls.is_some()) {
            (SourceKind::Nats, false) => "nats",
            (SourceKind::Nats, true) => "tls",
            (SourceKind::Redis, false) => "redis",
            (SourceKind::Redis, true) => "rediss",
        };
        write!(f, "{scheme}://{}/{}", self.address, self.name)
    }
}

/// `ca=FILE&cert=FILE&key=FILE&server_name=NAME` (each optional; no percent-decoding).
fn tls_options(query: &str) -> Result<BrokerTls, String> {
    let mut tls = BrokerTls::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').ok_or_else(|| format!("{pair:?} is not key=value"))?;
        let slot = match key {
            "ca" => &mut tls.ca,
            "cert" => &mut tls.cert,
            "key" => &mut tls.key,
            "server_name" => &mut tls.server_name,
            _ => return Err(format!("{key:?}: the query takes ca, cert, key and server_name")),
        };
        *slot = Some(value.to_string());
    }
    if tls.cert.is_some() != tls.key.is_some() {
        return Err("cert and key go together".into());
    }
    Ok(tls)
}

/// What [`Source::reader`] returns.
pub struct SourceReader {
    pipe: io::PipeReader,
    fetch: Option<JoinHandle<io::Result<()>>>,
}

impl Read for SourceReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.pipe.read(buf)?;
        if n == 0 && !buf.is_empty() {
            if let Some(fetch) = self.fetch.take() {
                fetch.join().map_err(|_| io::Error::other("the fetch thread panicked"))??;
            }
        }
        Ok(n)
    }
}

/// A stream's entries, oldest first, a page at a time: the `eve` field of each.
fn copy_stream(client: &mut RedisClient, key: &[u8], write: &mut impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<u64> {
    let mut after = b"-".to_vec();
    let mut copied = 0;
    loop {
        let Reply::Array(Some(entries)) = client.command(&[b"XRANGE", key, &after, b"+", b"COUNT", PAGE.to_string().as_bytes()])? else {
            return Ok(copied);
        };
        for entry in &entries {
            let Reply::Array(Some(parts)) = entry else { continue };
            if let (Some(Reply::Bulk(Some(id))), Some(Reply::Array(Some(fields)))) = (parts.first(), parts.get(1)) {
                // The next page starts after this id (an exclusive range, Redis 6.2 and later).
                after = [b"(".as_slice(), id].concat();
                for pair in fields.chunks(2) {
                    if let [Reply::Bulk(Some(field)), Reply::Bulk(Some(value))] = pair {
                        if field == b"eve" {
                            write(value)?;
                            copied += 1;
                        }
                    }
                }
            }
        }
        if entries.len() < PAGE {
            return Ok(copied);
        }
    }
}

/// A list, oldest first: Suricata's `list` mode pushes on the left, so the oldest is at the right
/// (`rpush` lists are read the other way round by whoever wrote them; the report does not care).
fn copy_list(client: &mut RedisClient, key: &[u8], write: &mut impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<u64> {
    let Reply::Int(len) = client.command(&[b"LLEN", key])? else { return Err(io::Error::other("redis: an odd answer to LLEN")) };
    let mut end = len;
    let mut copied = 0;
    while end > 0 {
        let start = end.saturating_sub(PAGE as i64).max(0);
        let Reply::Array(Some(items)) =
            client.command(&[b"LRANGE", key, start.to_string().as_bytes(), (end - 1).to_string().as_bytes()])?
        else {
            break;
        };
        for item in items.iter().rev() {
            if let Reply::Bulk(Some(line)) = item {
                write(line)?;
                copied += 1;
            }
        }
        end = start;
    }
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_addresses_parse_and_anything_else_is_a_file() {
        let source = Source::parse("nats://sensor:pw@n1.corp.example:4222/HARDWIRE").expect("a source").expect("valid");
        assert_eq!(
            source,
            Source {
                kind: SourceKind::Nats,
                address: "n1.corp.example:4222".into(),
                user: Some("sensor".into()),
                password: Some("pw".into()),
                name: "HARDWIRE".into(),
                tls: None,
            }
        );
        let secure = Source::parse("tls://n1:4222/HARDWIRE?ca=/etc/ca.pem&server_name=nats.corp").expect("a source").expect("valid");
        let expected = BrokerTls { ca: Some("/etc/ca.pem".into()), server_name: Some("nats.corp".into()), ..BrokerTls::default() };
        assert_eq!((secure.kind, secure.name.as_str(), secure.tls), (SourceKind::Nats, "HARDWIRE", Some(expected)));
        let rediss = Source::parse("rediss://r1:6380/eve").expect("a source").expect("valid");
        assert_eq!((rediss.to_string(), rediss.tls), ("rediss://r1:6380/eve".to_string(), Some(BrokerTls::default())));
        assert!(Source::parse("redis://r1:6380/eve?cert=c.pem").expect("a source").is_err(), "a certificate without its key");
        assert!(Source::parse("redis://r1:6380/eve?cafile=c.pem").expect("a source").is_err(), "an unknown option");
        let redis = Source::parse("redis://:secret@127.0.0.1:6379/suricata").expect("a source").expect("valid");
        assert_eq!((redis.user, redis.password, redis.name.as_str()), (None, Some("secret".into()), "suricata"));
        assert!(Source::parse("capture.pcap").is_none());
        assert!(Source::parse("nats://n1:4222").expect("a source").is_err(), "no stream");
        assert!(Source::parse("redis://r1/key").expect("a source").is_err(), "no port");
    }
}
