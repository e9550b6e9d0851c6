//! TLS to the brokers with rustls (no OpenSSL): the CA file, and the sensor's certificate and
//! key when the broker asks for one, read once, when hardwire starts (and by `check-config`), so
//! a missing or broken file stops it before anything runs rather than at the first connection.

use std::fmt;
use std::io;
use std::net::IpAddr;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore};

use hardwire::config::BrokerTls;
use hardwire::Config;

/// Debian's (and Ubuntu's) bundle of the system's trusted CAs, used when no `ca` is given.
pub const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// TLS settings ready for connections: whom to trust, what to show, which name to expect.
#[derive(Clone)]
pub struct TlsClient {
    config: Arc<ClientConfig>,
    server_name: Option<String>,
}

impl fmt::Debug for TlsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsClient").field("server_name", &self.server_name).finish_non_exhaustive()
    }
}

impl TlsClient {
    /// Reads the files the settings name; an error says which file and why.
    pub fn load(settings: &BrokerTls) -> Result<TlsClient, String> {
        let ca = settings.ca.as_deref().unwrap_or(SYSTEM_CA_BUNDLE);
        let mut roots = RootCertStore::empty();
        for cert in read_certs(ca)? {
            roots.add(cert).map_err(|e| format!("{ca}: {e}"))?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots);
        let config = match (&settings.cert, &settings.key) {
            (Some(cert), Some(key)) => {
                let chain = read_certs(cert)?;
                let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{key}: no private key in PEM ({e})"))?;
                builder.with_client_auth_cert(chain, key).map_err(|e| format!("{cert}: {e}"))?
            }
            _ => builder.with_no_client_auth(),
        };
        if let Some(name) = &settings.server_name {
            ServerName::try_from(name.as_str()).map_err(|_| format!("server_name {name:?} is not a DNS name or an address"))?;
        }
        Ok(TlsClient { config: Arc::new(config), server_name: settings.server_name.clone() })
    }

    /// Wraps a connected socket and completes the handshake, so a certificate the broker's
    /// CA does not vouch for is an error here, naming the reason.
    pub(crate) fn handshake(&self, address: &str, mut tcp: std::net::TcpStream) -> io::Result<TlsStream> {
        let host = address.rsplit_once(':').map_or(address, |(host, _)| host);
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let name = self.server_name.as_deref().unwrap_or(host);
        let name = match name.parse::<IpAddr>() {
            Ok(ip) => ServerName::IpAddress(ip.into()),
            Err(_) => {
                ServerName::try_from(name.to_string()).map_err(|_| io::Error::other(format!("TLS: {name:?} is not a server name")))?
            }
        };
        let mut conn = rustls::ClientConnection::new(self.config.clone(), name).map_err(io::Error::other)?;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp).map_err(|e| io::Error::new(e.kind(), format!("TLS handshake: {e}")))?;
        }
        Ok(rustls::StreamOwned::new(conn, tcp))
    }
}

pub(crate) type TlsStream = rustls::StreamOwned<rustls::ClientConnection, std::net::TcpStream>;

/// The certificates of a PEM file, at least one.
fn read_certs(path: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{path}: {}", describe(e)))?;
    match certs.is_empty() {
        true => Err(format!("{path}: no certificate in PEM")),
        false => Ok(certs),
    }
}

fn describe(error: rustls::pki_types::pem::Error) -> String {
    match error {
        rustls::pki_types::pem::Error::Io(e) => e.to_string(),
        other => format!("not PEM ({other:?})"),
    }
}

/// Reads every TLS file the configuration names, without connecting: what `check-config`
/// adds to the configuration's own checks.
pub fn check(config: &Config) -> Result<(), String> {
    let redis = config.output.redis.as_ref().and_then(|r| r.tls.as_ref()).map(|t| ("output.redis.tls", t));
    let nats = config.output.nats.as_ref().and_then(|n| n.tls.as_ref()).map(|t| ("output.nats.tls", t));
    for (key, tls) in redis.into_iter().chain(nats) {
        TlsClient::load(tls).map_err(|e| format!("{key}: {e}"))?;
    }
    Ok(())
}
