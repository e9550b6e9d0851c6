//! The NATS JetStream sink: each line published to `<subject_prefix>.<sensor>.<event_type>` with
//! a `Nats-Msg-Id` header, so a line sent again after a broken connection is stored once inside
//! the stream's duplicate window; every publish waits for JetStream's acknowledgement. The stream
//! is created if absent, with the configured limits.
//!
//! The client speaks the NATS text protocol itself (CONNECT, HPUB, SUB, MSG/HMSG, PING/PONG)
//! and JetStream's API subjects. `async-nats` would bring tokio into a sensor that is plain
//! threads, for one connection that publishes in batches: a small runtime in the sink thread
//! works, but costs a build of tokio, rustls and their trees for a protocol of a few lines.

use std::io::{self, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::{json, Value};

use hardwire::config::NatsOutput;

use crate::delivery::{unframe, Broker, SendError};
use crate::tls::TlsClient;
use crate::wire::{bounded_number, invalid, Connection};

/// The largest message we accept from a server (an acknowledgement is a hundred bytes; a stored
/// message fetched back is a line in base64).
const MAX_PAYLOAD: usize = 16 << 20;

/// A message delivered to our inbox.
#[derive(Debug)]
pub struct Msg {
    /// The reply token: the inbox subject's last part.
    pub token: String,
    /// The status from the header block (`503`: no responders), if any.
    pub status: Option<u16>,
    pub payload: Vec<u8>,
}

/// Credentials for CONNECT.
#[derive(Debug, Clone, Default)]
pub struct Auth {
    pub user: Option<String>,
    pub password: Option<String>,
    pub token: Option<String>,
}

/// A NATS connection with an inbox for replies.
pub struct NatsClient {
    conn: Connection,
    inbox: String,
    next_token: u64,
}

impl NatsClient {
    /// Connects; with `tls`, the connection turns to TLS after the server's INFO, as NATS
    /// servers expect, and a server that offers no TLS is refused rather than spoken to in clear.
    pub fn connect(address: &str, timeout: Duration, auth: &Auth, name: &str, tls: Option<&TlsClient>) -> io::Result<NatsClient> {
        let mut conn = Connection::open(address, timeout, None)?;
        let info = conn.read_line(64 << 10)?;
        let info: Value = info
            .strip_prefix(b"INFO ")
            .and_then(|json| serde_json::from_slice(json).ok())
            .ok_or_else(|| invalid("no INFO from the server"))?;
        let offered = info["tls_required"] == true || info["tls_available"] == true;
        match tls {
            Some(tls) if offered => conn.start_tls(tls)?,
            Some(_) => return Err(io::Error::other("TLS is configured but the server does not offer it")),
            None if info["tls_required"] == true => {
                return Err(io::Error::other("the server requires TLS: configure its CA ([output.nats.tls], or tls:// as a source)"))
            }
            None => {}
        }
        if info["headers"] != true {
            return Err(io::Error::other("the server does not support headers (NATS 2.2 or later is needed)"));
        }
        let mut connect = json!({"verbose": false, "pedantic": false, "headers": true, "no_responders": true, "lang": "hardwire", "version": env!("CARGO_PKG_VERSION"), "name": name, "protocol": 1, "tls_required": tls.is_some()});
        for (key, value) in [("user", &auth.user), ("pass", &auth.password), ("auth_token", &auth.token)] {
            if let Some(value) = value {
                connect[key] = Value::from(value.as_str());
            }
        }
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let inbox = format!("_INBOX.hw{nanos:x}{}", std::process::id());
        write!(conn.writer, "CONNECT {connect}\r\nPING\r\nSUB {inbox}.* 1\r\n")?;
        conn.writer.flush()?;
        let mut client = NatsClient { conn, inbox, next_token: 0 };
        // Up to the PONG: the server took the CONNECT (or says why not).
        loop {
            let line = client.conn.read_line(64 << 10)?;
            match line.as_slice() {
                b"PONG" => return Ok(client),
                b"PING" => client.pong()?,
                error if error.starts_with(b"-ERR") => return Err(io::Error::other(String::from_utf8_lossy(error).into_owned())),
                _ => {}
            }
        }
    }

    fn pong(&mut self) -> io::Result<()> {
        self.conn.writer.write_all(b"PONG\r\n")?;
        self.conn.writer.flush()
    }

    /// A fresh reply token.
    fn token(&mut self) -> u64 {
        self.next_token += 1;
        self.next_token
    }

    /// Buffers a publish with a reply subject `<inbox>.<token>` and optional header lines.
    fn publish(&mut self, subject: &str, token: u64, headers: Option<&str>, payload: &[u8]) -> io::Result<()> {
        let out = &mut self.conn.writer;
        match headers {
            Some(headers) => {
                let head = format!("NATS/1.0\r\n{headers}\r\n");
                write!(out, "HPUB {subject} {}.{token} {} {}\r\n{head}", self.inbox, head.len(), head.len() + payload.len())?;
            }
            None => write!(out, "PUB {subject} {}.{token} {}\r\n", self.inbox, payload.len())?,
        }
        out.write_all(payload)?;
        out.write_all(b"\r\n")
    }

    /// The next message to our inbox, answering the server's PINGs on the way.
    pub fn next_msg(&mut self) -> io::Result<Msg> {
        loop {
            let line = self.conn.read_line(64 << 10)?;
            let mut words = line.split(|&b| b == b' ').filter(|w| !w.is_empty());
            let op = words.next().unwrap_or_default();
            let args: Vec<&[u8]> = words.collect();
            let (header_len, total) = match (op, args.as_slice()) {
                (b"MSG", [_, _, _, total] | [_, _, total]) => (0, bounded_number(total, MAX_PAYLOAD)?),
                (b"HMSG", [_, _, _, head, total] | [_, _, head, total]) => {
                    (bounded_number(head, MAX_PAYLOAD)?, bounded_number(total, MAX_PAYLOAD)?)
                }
                (b"PING", _) => {
                    self.pong()?;
                    continue;
                }
                (b"-ERR", _) => return Err(io::Error::other(String::from_utf8_lossy(&line).into_owned())),
                _ => continue,
            };
            let subject = args.first().map(|s| String::from_utf8_lossy(s).into_owned()).unwrap_or_default();
            let mut payload = self.conn.read_payload(total)?;
            let head = payload.drain(..header_len.min(total)).collect::<Vec<u8>>();
            // `NATS/1.0 503` when nobody listens on the subject.
            let status = head.get(9..12).and_then(|code| std::str::from_utf8(code).ok()?.parse().ok());
            let token = subject.rsplit('.').next().unwrap_or_default().to_string();
            return Ok(Msg { token, status, payload });
        }
    }

    /// A request and its reply (earlier, late replies are passed over).
    pub fn request(&mut self, subject: &str, payload: &[u8]) -> io::Result<Msg> {
        let token = self.token();
        self.publish(subject, token, None, payload)?;
        self.conn.writer.flush()?;
        loop {
            let msg = self.next_msg()?;
            if msg.token == token.to_string() {
                return match msg.status {
                    Some(503) => Err(io::Error::other(format!("nobody answers on {subject} (is JetStream enabled?)"))),
                    _ => Ok(msg),
                };
            }
        }
    }

    /// A JetStream API request; an `error` in the answer is an error.
    pub fn api(&mut self, subject: &str, body: &Value) -> io::Result<Value> {
        let msg = self.request(subject, body.to_string().as_bytes())?;
        let answer: Value = serde_json::from_slice(&msg.payload).map_err(|_| invalid("a JetStream answer that is not JSON"))?;
        match answer.get("error") {
            Some(error) => Err(io::Error::other(format!("{subject}: {}", error["description"].as_str().unwrap_or("error")))),
            None => Ok(answer),
        }
    }
}

/// Requests of [`each_message`] in flight at once.
const FETCH_BATCH: u64 = 256;

/// Hands every message of a stream, oldest first, to `take` (subject, data). For readers of
/// the fleet's stream (`hardwire fetch`, tests); a message deleted meanwhile is passed over.
/// Requests go out `FETCH_BATCH` at a time, so a long stream costs few round trips.
pub fn each_message(client: &mut NatsClient, stream: &str, mut take: impl FnMut(&str, &[u8]) -> io::Result<()>) -> io::Result<u64> {
    let info = client.api(&format!("$JS.API.STREAM.INFO.{stream}"), &json!({}))?;
    let (first, last) = (info["state"]["first_seq"].as_u64().unwrap_or(1), info["state"]["last_seq"].as_u64().unwrap_or(0));
    let subject = format!("$JS.API.STREAM.MSG.GET.{stream}");
    let mut taken = 0;
    let mut seq = first.max(1);
    while seq <= last {
        let count = FETCH_BATCH.min(last - seq + 1);
        let base = client.next_token + 1;
        for offset in 0..count {
            let token = client.token();
            client.publish(&subject, token, None, json!({"seq": seq + offset}).to_string().as_bytes())?;
        }
        client.conn.writer.flush()?;
        // Answers may come in any order: each is put in its place, then taken in order.
        let mut answers: Vec<Option<Vec<u8>>> = vec![None; count as usize];
        let mut waiting = count;
        while waiting > 0 {
            let msg = client.next_msg()?;
            let Some(slot) = msg.token.parse::<u64>().ok().and_then(|t| t.checked_sub(base)).and_then(|i| answers.get_mut(i as usize))
            else {
                continue;
            };
            if slot.replace(msg.payload).is_none() {
                waiting -= 1;
            }
        }
        for answer in answers.into_iter().flatten() {
            let answer: Value = serde_json::from_slice(&answer).map_err(|_| invalid("a JetStream answer that is not JSON"))?;
            if answer.get("error").is_some() {
                continue;
            }
            let data = base64::engine::general_purpose::STANDARD
                .decode(answer["message"]["data"].as_str().unwrap_or_default())
                .map_err(|_| invalid("stored data that is not base64"))?;
            take(answer["message"]["subject"].as_str().unwrap_or_default(), &data)?;
            taken += 1;
        }
        seq += count;
    }
    Ok(taken)
}

/// Reads JetStream's acknowledgements of the publishes with tokens from `first` into `acked`;
/// returns how many said the line was a duplicate.
fn await_acks(client: &mut NatsClient, first: u64, acked: &mut [bool], subjects: impl Fn() -> String) -> io::Result<u64> {
    let (mut waiting, mut duplicates) = (acked.len(), 0);
    while waiting > 0 {
        let msg = client.next_msg()?;
        // Tokens are numbers from `first`; anything else is a late reply to an earlier batch.
        let Some(slot) = msg.token.parse::<u64>().ok().and_then(|t| t.checked_sub(first)).and_then(|i| acked.get_mut(i as usize)) else {
            continue;
        };
        if msg.status == Some(503) {
            return Err(io::Error::other(format!("no stream takes {} (is the stream's subject right?)", subjects())));
        }
        let ack: Value = serde_json::from_slice(&msg.payload).map_err(|_| invalid("an acknowledgement that is not JSON"))?;
        if let Some(error) = ack.get("error") {
            return Err(io::Error::other(format!("JetStream refused a line: {}", error["description"].as_str().unwrap_or("error"))));
        }
        if !std::mem::replace(slot, true) {
            waiting -= 1;
            duplicates += u64::from(ack["duplicate"] == true);
        }
    }
    Ok(duplicates)
}

/// The NATS sink's broker end.
pub struct NatsBroker {
    settings: NatsOutput,
    tls: Option<TlsClient>,
    sensor: String,
    timeout: Duration,
    client: Option<NatsClient>,
    /// The server tried next: a cluster's servers in turn.
    next_server: usize,
    server: String,
}

impl NatsBroker {
    pub fn new(settings: NatsOutput, tls: Option<TlsClient>, sensor: Option<&str>, timeout: Duration) -> NatsBroker {
        let sensor = sensor.unwrap_or("unnamed").to_string();
        NatsBroker { settings, tls, sensor, timeout, client: None, next_server: 0, server: String::new() }
    }

    /// The stream, created with the configured limits when it is absent.
    fn ensure_stream(&self, client: &mut NatsClient) -> io::Result<()> {
        let name = &self.settings.stream;
        let missing = match client.api(&format!("$JS.API.STREAM.INFO.{name}"), &json!({})) {
            Ok(_) => return Ok(()),
            Err(error) => error,
        };
        if !self.settings.create_stream {
            return Err(missing);
        }
        let limit = |n: u64| if n == 0 { -1 } else { i64::try_from(n).unwrap_or(i64::MAX) };
        let nanos = |secs: u64| secs.saturating_mul(1_000_000_000);
        let config = json!({
            "name": name,
            "subjects": [format!("{}.>", self.settings.subject_prefix)],
            "retention": "limits",
            "storage": "file",
            "discard": "old",
            "max_bytes": limit(self.settings.max_bytes),
            "max_age": nanos(self.settings.max_age_secs),
            "max_msgs": -1,
            "max_consumers": -1,
            "num_replicas": self.settings.replicas,
            "duplicate_window": nanos(self.settings.duplicate_window_secs),
        });
        client.api(&format!("$JS.API.STREAM.CREATE.{name}"), &config).map(|_| ())
    }
}

impl Broker for NatsBroker {
    fn describe(&self) -> String {
        format!("nats {}{}", self.server, if self.tls.is_some() { " (TLS)" } else { "" })
    }

    fn connect(&mut self) -> io::Result<()> {
        let servers = &self.settings.servers;
        self.server = servers.get(self.next_server % servers.len().max(1)).cloned().unwrap_or_default();
        self.next_server = self.next_server.wrapping_add(1);
        let auth = Auth { user: self.settings.user.clone(), password: self.settings.password.clone(), token: self.settings.token.clone() };
        let mut client = NatsClient::connect(&self.server, self.timeout, &auth, &format!("hardwire {}", self.sensor), self.tls.as_ref())?;
        self.ensure_stream(&mut client)?;
        self.client = Some(client);
        Ok(())
    }

    fn send(&mut self, batch: &[Vec<u8>]) -> Result<u64, SendError> {
        let Some(client) = &mut self.client else { return Err(io::Error::from(io::ErrorKind::NotConnected).into()) };
        let first = client.next_token + 1;
        for frame in batch {
            let Some((id, event_type, json)) = unframe(frame) else { continue };
            let subject = format!("{}.{}.{event_type}", self.settings.subject_prefix, self.sensor);
            let token = client.token();
            client.publish(&subject, token, Some(&format!("Nats-Msg-Id: {id}\r\n")), json)?;
        }
        client.conn.writer.flush()?;
        let mut acked = vec![false; (client.next_token + 1 - first) as usize];
        let prefix = self.settings.subject_prefix.as_str();
        let sensor = self.sensor.as_str();
        let result = await_acks(client, first, &mut acked, || format!("{prefix}.{sensor}.*"));
        // Acknowledged lines at the front count as delivered (when every frame was published).
        let front = if acked.len() == batch.len() { acked.iter().take_while(|a| **a).count() } else { 0 };
        result.map_err(|error| SendError { acked: front, error })
    }

    fn disconnect(&mut self) {
        self.client = None;
    }
}
