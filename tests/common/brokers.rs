//! Real brokers for the sink tests: Debian's `redis-server` and `nats-server -js`, started on a
//! loopback port the test picks, with their data in a folder of the test's, stopped by PID;
//! in clear, or over TLS with certificates the test makes (`rcgen`).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use hardwire::config::BrokerTls;
use hardwire_sinks::tls::TlsClient;
use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};

/// Generous bound for anything we wait for.
pub const PATIENCE: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Redis,
    Nats,
}

impl Kind {
    pub fn binary(self) -> &'static str {
        match self {
            Kind::Redis => "redis-server",
            Kind::Nats => "nats-server",
        }
    }

    /// Whether the server is installed; under CI a missing one fails the test instead.
    pub fn available(self, test: &str) -> bool {
        let present = Command::new(self.binary()).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok();
        if !present {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{} is missing under CI (deploy/install-deps.sh installs it)",
                self.binary()
            );
            eprintln!("SKIPPED {test}: {} is not installed (deploy/install-deps.sh)", self.binary());
        }
        present
    }
}

/// PEM files for a TLS test, in a folder of its own: a CA, the broker's certificate from it
/// (for `localhost` and 127.0.0.1), a client's, and an unrelated CA (the wrong one).
#[derive(Debug, Clone)]
pub struct Certs {
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    pub other_ca: PathBuf,
}

impl Certs {
    pub fn make(dir: &Path) -> Certs {
        std::fs::create_dir_all(dir).expect("certificate dir");
        let write = |name: &str, pem: String| {
            let path = dir.join(name);
            std::fs::write(&path, pem).expect("writing a PEM file");
            path
        };
        let ca = |name: &str| {
            let key = KeyPair::generate().expect("CA key");
            let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params.distinguished_name.push(DnType::CommonName, name);
            let cert = params.self_signed(&key).expect("CA certificate");
            (cert, key)
        };
        let (ca_cert, ca_key) = ca("hardwire test CA");
        let issue = |names: Vec<String>, usage: ExtendedKeyUsagePurpose| {
            let key = KeyPair::generate().expect("key");
            let mut params = CertificateParams::new(names).expect("params");
            params.extended_key_usages = vec![usage];
            let cert = params.signed_by(&key, &ca_cert, &ca_key).expect("certificate");
            (cert.pem(), key.serialize_pem())
        };
        let (server_cert, server_key) = issue(vec!["localhost".into(), "127.0.0.1".into()], ExtendedKeyUsagePurpose::ServerAuth);
        let (client_cert, client_key) = issue(vec!["sensor-1".into()], ExtendedKeyUsagePurpose::ClientAuth);
        Certs {
            ca: write("ca.pem", ca_cert.pem()),
            server_cert: write("server.pem", server_cert),
            server_key: write("server.key", server_key),
            client_cert: write("client.pem", client_cert),
            client_key: write("client.key", client_key),
            other_ca: write("other-ca.pem", ca("someone else's CA").0.pem()),
        }
    }

    /// A client's settings: our CA, with the client certificate or without.
    pub fn client(&self, with_certificate: bool) -> BrokerTls {
        let text = |p: &PathBuf| Some(p.display().to_string());
        BrokerTls {
            ca: text(&self.ca),
            cert: if with_certificate { text(&self.client_cert) } else { None },
            key: if with_certificate { text(&self.client_key) } else { None },
            server_name: None,
        }
    }
}

/// A running server; killed (SIGKILL, by PID) on drop.
pub struct Server {
    pub kind: Kind,
    pub port: u16,
    pub dir: PathBuf,
    /// Set: the server speaks TLS only, and asks for a client certificate.
    pub certs: Option<Certs>,
    child: Option<Child>,
}

impl Server {
    /// Starts a server on `port` keeping its data in `dir` (a restart on the same folder finds
    /// what was acknowledged before: Redis appends and fsyncs every write, JetStream stores on file).
    pub fn start(kind: Kind, port: u16, dir: &Path) -> Server {
        Server::launch(kind, port, dir, None)
    }

    /// Starts a server that speaks TLS only with `certs`' server certificate and requires a
    /// client certificate from their CA (Redis: `tls-auth-clients`, its default; NATS: `verify`).
    pub fn start_tls(kind: Kind, port: u16, dir: &Path, certs: &Certs) -> Server {
        Server::launch(kind, port, dir, Some(certs.clone()))
    }

    fn launch(kind: Kind, port: u16, dir: &Path, certs: Option<Certs>) -> Server {
        std::fs::create_dir_all(dir).expect("server dir");
        let port_text = port.to_string();
        let mut command = Command::new(kind.binary());
        match (kind, &certs) {
            (Kind::Redis, _) => {
                command.args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always"]);
                match &certs {
                    None => command.args(["--port", &port_text]),
                    Some(certs) => command.args(["--port", "0", "--tls-port", &port_text]).args([
                        "--tls-cert-file".as_ref(),
                        certs.server_cert.as_os_str(),
                        "--tls-key-file".as_ref(),
                        certs.server_key.as_os_str(),
                        "--tls-ca-cert-file".as_ref(),
                        certs.ca.as_os_str(),
                    ]),
                };
                command.args(["--protected-mode", "yes", "--dir"]).arg(dir)
            }
            (Kind::Nats, None) => command.args(["-js", "-a", "127.0.0.1", "-p", &port_text, "-sd"]).arg(dir),
            (Kind::Nats, Some(certs)) => {
                let config = format!(
                    "listen: \"127.0.0.1:{port}\"\njetstream {{ store_dir: {:?} }}\ntls {{\n  cert_file: {:?}\n  key_file: {:?}\n  ca_file: {:?}\n  verify: true\n}}\n",
                    dir.display(),
                    certs.server_cert.display(),
                    certs.server_key.display(),
                    certs.ca.display()
                );
                let path = dir.join("nats.conf");
                std::fs::write(&path, config).expect("nats-server configuration");
                command.arg("-c").arg(path)
            }
        };
        let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("starting the broker");
        let server = Server { kind, port, dir: dir.to_path_buf(), certs, child: Some(child) };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < PATIENCE, "{} did not listen on {port}", kind.binary());
            sleep(Duration::from_millis(50));
        }
        server
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Kills the server (SIGKILL: no shutdown of its own) and waits for it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and folder.
    pub fn restart(&mut self) {
        self.kill();
        *self = Server::launch(self.kind, self.port, &self.dir.clone(), self.certs.take());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// Every line the broker holds: the Redis list `key`, or the JetStream stream `stream`.
pub fn lines_on(server: &Server, name: &str) -> Vec<String> {
    let timeout = Duration::from_secs(10);
    let tls = server.certs.as_ref().map(|certs| TlsClient::load(&certs.client(true)).expect("the test's certificates"));
    let raw: Vec<Vec<u8>> = match server.kind {
        Kind::Redis => {
            let mut client = hardwire_sinks::redis::RedisClient::connect(&server.address(), timeout, tls.as_ref()).expect("redis client");
            match client.command(&[b"LRANGE", name.as_bytes(), b"0", b"-1"]).expect("LRANGE") {
                hardwire_sinks::redis::Reply::Array(Some(items)) => items
                    .into_iter()
                    .filter_map(|item| match item {
                        hardwire_sinks::redis::Reply::Bulk(bytes) => bytes,
                        _ => None,
                    })
                    .collect(),
                other => panic!("LRANGE answered {other:?}"),
            }
        }
        Kind::Nats => {
            let auth = hardwire_sinks::nats::Auth::default();
            let mut client =
                hardwire_sinks::nats::NatsClient::connect(&server.address(), timeout, &auth, "test", tls.as_ref()).expect("nats client");
            let mut lines = Vec::new();
            hardwire_sinks::nats::each_message(&mut client, name, |_, data| {
                lines.push(data.to_vec());
                Ok(())
            })
            .expect("reading the stream");
            lines
        }
    };
    raw.into_iter().map(|l| String::from_utf8(l).expect("UTF-8")).collect()
}

/// A pcap stream of every capture of ours (all Ethernet, microseconds), in parts of about
/// equal size cut at file boundaries: fed to `hardwire read -` one part at a time.
pub fn project_stream(parts: usize) -> Vec<Vec<u8>> {
    let root = crate::common::workspace_root().expect("workspace root").join("pcaps");
    let mut files = Vec::new();
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("pcaps folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "pcap") {
                files.push(path);
            }
        }
    }
    files.sort();
    let header = |bytes: &[u8]| bytes.get(..24).map(|h| h[..4] == [0xd4, 0xc3, 0xb2, 0xa1] && h[20..24] == [1, 0, 0, 0]) == Some(true);
    let bodies: Vec<Vec<u8>> =
        files.iter().map(|f| std::fs::read(f).expect("capture")).filter(|bytes| header(bytes)).map(|bytes| bytes[24..].to_vec()).collect();
    let first =
        std::fs::read(files.iter().find(|f| header(&std::fs::read(f).unwrap_or_default())).expect("an Ethernet capture")).expect("capture");
    let total: usize = bodies.iter().map(Vec::len).sum::<usize>().max(1);
    let mut out = vec![Vec::new(); parts];
    out[0].extend_from_slice(&first[..24]);
    let mut before = 0;
    for body in bodies {
        out[(before * parts / total).min(parts - 1)].extend_from_slice(&body);
        before += body.len();
    }
    out
}
