//! Configuration: one TOML file serves `hardwire read` and `hardwire live`.
//!
//! Every field has a default, so an empty file is a valid configuration. Unknown keys are
//! refused (a typo must not silently leave a rule on), and errors name the line.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;
use serde::Deserialize;

use crate::detect::catalog::{RuleId, Severity};

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// This sensor's name, written as `host` on every line (absent: no `host`). Letters, digits,
    /// `-` and `_` only: it is a token of the NATS subject.
    pub sensor: Option<String>,
    /// Networks that are "inside": the default is the private, loopback, link-local and ULA ranges.
    pub home_networks: Vec<IpNet>,
    /// The domain controllers' addresses: the only clients `dcerpc.dcsync` lets replicate.
    /// Empty (the default): every DRSGetNCChanges fires.
    pub domain_controllers: Vec<IpNet>,
    pub ports: Ports,
    /// Per-rule switches and severities, keyed by rule id.
    pub rules: BTreeMap<String, RuleSetting>,
    pub suppression: Suppression,
    pub correlation: Correlation,
    pub limits: Limits,
    pub tcp: Tcp,
    pub live: Live,
    pub output: Output,
}

/// Ports that hint at a protocol before its content is seen. Content sniffing recognises every
/// protocol on any port regardless.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Ports {
    pub smb: Vec<u16>,
    pub http: Vec<u16>,
    pub winrm: Vec<u16>,
    pub tls: Vec<u16>,
    pub dcerpc: Vec<u16>,
    /// Kerberos KDCs, TCP and UDP.
    pub kerberos: Vec<u16>,
    /// Local name resolution over UDP: LLMNR, NBT-NS, mDNS.
    pub llmnr: Vec<u16>,
    pub nbns: Vec<u16>,
    pub mdns: Vec<u16>,
    /// LDAP and the global catalog (TCP).
    pub ldap: Vec<u16>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuleSetting {
    pub enabled: Option<bool>,
    pub severity: Option<Severity>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Suppression {
    /// Seconds during which the same rule, client, server and user is reported once.
    pub window_secs: u64,
    /// Windows open at once; beyond, the oldest closes early (its summary is written) and is
    /// counted.
    pub max_windows: usize,
}

/// Thresholds and windows of the rules that count across connections (RULES.md's figures are
/// the defaults).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Correlation {
    /// `auth.spray`: one client fails to log on as this many distinct accounts...
    pub spray_accounts: usize,
    /// ...within this many seconds.
    pub spray_window_secs: u64,
    /// `auth.bruteforce`: one client fails this many times for one account...
    pub bruteforce_failures: usize,
    pub bruteforce_window_secs: u64,
    /// `kerberos.user_enum`: one client gets KDC_ERR_C_PRINCIPAL_UNKNOWN for this many names...
    pub user_enum_names: usize,
    pub user_enum_window_secs: u64,
    /// `kerberos.kerberoast`: one client asks for tickets to this many distinct user services...
    pub kerberoast_services: usize,
    pub kerberoast_window_secs: u64,
    /// LLMNR, NBT-NS, mDNS: seconds a query waits for its answers (one table entry each).
    pub name_answer_secs: u64,
    /// `name.poisoning`: one host answers this many distinct names not its own...
    pub poisoning_names: usize,
    /// ...within this many seconds (also how long a name's owner, registered, announced or first
    /// to answer, stays its owner after its last use).
    pub poisoning_window_secs: u64,
    /// `ntlm.to_poisoner`: the querier authenticates to the poisoner within this many seconds
    /// of its answer.
    pub poisoner_auth_window_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Bytes each worker (the one engine of `hardwire read`) may hold: its flows, their
    /// reassembly and protocol state, its stats maps, and its share of the state the workers
    /// share (suppression windows, server memory, correlation tables). Past it, flows are shed
    /// in tiers (ARCHITECTURE.md, "Limits"), their records written as at a timeout.
    pub memory_budget: usize,
    /// Flows tracked at once (per worker when live); the least recently seen is evicted beyond.
    pub max_flows: usize,
    /// Idle seconds after which a flow ends.
    pub flow_timeout_secs: u64,
    /// Out-of-order bytes held per direction of a TCP connection.
    pub max_out_of_order_bytes: usize,
    /// Bytes a protocol may hold while waiting for the rest of a message, per direction.
    pub max_pending_bytes: usize,
    /// IPv4 fragments: bytes held in all, and seconds a datagram may take to complete.
    pub max_fragment_bytes: usize,
    pub fragment_timeout_secs: u64,
    /// Servers remembered for `smb.dialect.downgrade`.
    pub max_servers_remembered: usize,
    /// Entries of each cross-connection correlation table (Netlogon attempts per client...),
    /// shared by all workers; entries expire with their rule's window.
    pub max_correlation_entries: usize,
    /// Label values of each Kerberos posture figure (KDCs, services with RC4 tickets, accounts
    /// without pre-authentication); beyond, figures go to `"other"` (or are only counted).
    pub max_posture_labels: usize,
    /// What one SMB connection may make the sensor remember: sessions, tree connects, open
    /// pipes (each with its DCE/RPC conversation) and requests awaiting their answer; and the
    /// presentation contexts of one DCE/RPC conversation. Beyond, the least recently used
    /// entry goes (a session's or pipe's records written first if they never were), counted in
    /// `stats.memory.app_state_evicted`.
    pub max_smb_sessions: usize,
    pub max_smb_trees: usize,
    pub max_smb_pipes: usize,
    pub max_smb_pending: usize,
    pub max_dcerpc_contexts: usize,
}

/// How the TCP layer judges segments (ARCHITECTURE.md, "The TCP layer").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tcp {
    /// Which of two different copies of the same bytes is kept: what the receiving hosts accept.
    pub overlap_policy: OverlapPolicy,
    /// How far a segment's TTL (hop limit) may depart from its side's before it is not used.
    pub ttl_tolerance: u8,
    /// Whether TCP checksums are checked: "auto" skips a side whose checksums are never right
    /// (offload on the capturing host), "yes", or "no".
    pub checksum_validation: ChecksumValidation,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OverlapPolicy {
    /// The first copy (Windows; Linux and the BSDs in the common case).
    #[default]
    First,
    /// The last copy.
    Last,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChecksumValidation {
    #[default]
    Auto,
    Yes,
    No,
}

impl Default for Tcp {
    fn default() -> Self {
        Tcp { overlap_policy: OverlapPolicy::First, ttl_tolerance: 5, checksum_validation: ChecksumValidation::Auto }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Live {
    /// Worker threads; 0 means one per core.
    pub workers: usize,
    pub snaplen: i32,
    pub promiscuous: bool,
    pub immediate: bool,
    pub timeout_ms: i32,
    /// Kernel capture buffer in bytes.
    pub buffer_bytes: i32,
    pub bpf: Option<String>,
    /// Packets queued per worker before the capture thread drops and counts.
    pub queue_packets: usize,
    /// Bytes of frames queued per worker (their buffers' capacity) before the capture thread
    /// drops and counts: the packet count alone lets 64 KiB frames hold gigabytes.
    pub queue_bytes: usize,
    /// Seconds between `stats` lines.
    pub stats_interval_secs: u64,
    /// Prometheus endpoint, e.g. "127.0.0.1:9750".
    pub metrics: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Output {
    /// JSON lines go to this file instead of stdout.
    pub file: Option<String>,
    /// Lines each broker sink holds in memory while its broker is slow or away.
    pub queue_lines: usize,
    /// Lines sent to a broker in one batch (one pipeline, one round of acknowledgements).
    pub batch_lines: usize,
    /// Broker outages spill to disk here (a folder per sink); absent: memory only.
    pub spool_dir: Option<String>,
    /// Bytes each sink's spool may hold; beyond, the oldest lines are dropped and counted.
    pub spool_max_bytes: u64,
    /// Seconds a broker gets to answer a connection or a batch before it counts as down.
    pub timeout_secs: u64,
    /// Seconds an ending run waits for its brokers to take what is queued before leaving it
    /// in the spool (or dropping and counting it, without one).
    pub drain_secs: u64,
    pub redis: Option<RedisOutput>,
    pub nats: Option<NatsOutput>,
}

/// Suricata EVE's Redis output, with its modes and names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedisOutput {
    /// `host:port`.
    pub server: String,
    pub mode: RedisMode,
    /// The list, channel or stream.
    pub key: String,
    /// Stream mode: entries kept (`XADD MAXLEN`), 0 for no limit.
    pub stream_maxlen: u64,
    /// Stream mode: trim exactly (`=`) instead of approximately (`~`, cheaper).
    pub stream_trim_exact: bool,
    /// `AUTH [username] password`.
    pub username: Option<String>,
    pub password: Option<String>,
    /// `SELECT db`.
    pub db: u32,
    /// TLS from the first byte (Redis's `tls-port`); absent: plain TCP.
    pub tls: Option<BrokerTls>,
}

/// TLS to a broker. The files are read when hardwire starts and by `check-config`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BrokerTls {
    /// PEM file of the CA certificates that sign the broker's; absent: the system's bundle.
    pub ca: Option<String>,
    /// PEM files of this sensor's certificate (chain) and private key, for a broker that asks
    /// for one (Redis's `tls-auth-clients`, NATS's `verify`); both or neither.
    pub cert: Option<String>,
    pub key: Option<String>,
    /// The name the broker's certificate must carry; absent: the host of its address.
    pub server_name: Option<String>,
}

/// Suricata's names: `list` is `lpush`, `channel` is `publish`, `stream` is `xadd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RedisMode {
    #[serde(alias = "list")]
    Lpush,
    Rpush,
    #[serde(alias = "channel")]
    Publish,
    #[serde(alias = "stream")]
    Xadd,
}

/// NATS JetStream: subjects `<subject_prefix>.<sensor>.<event_type>`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NatsOutput {
    /// `host:port` of each server of the cluster, tried in turn.
    pub servers: Vec<String>,
    pub subject_prefix: String,
    /// The stream, created if absent with the limits below.
    pub stream: String,
    pub create_stream: bool,
    /// Stream limits (0: none); the oldest messages go first.
    pub max_bytes: u64,
    pub max_age_secs: u64,
    /// Seconds JetStream remembers message ids: a line replayed inside it is stored once.
    pub duplicate_window_secs: u64,
    pub replicas: u32,
    pub user: Option<String>,
    pub password: Option<String>,
    pub token: Option<String>,
    /// TLS after the server's INFO (NATS's upgrade); absent: plain, and a server that requires
    /// TLS is refused with that reason.
    pub tls: Option<BrokerTls>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            home_networks: default_home_networks(),
            domain_controllers: Vec::new(),
            ports: Ports::default(),
            rules: BTreeMap::new(),
            suppression: Suppression::default(),
            correlation: Correlation::default(),
            limits: Limits::default(),
            tcp: Tcp::default(),
            live: Live::default(),
            output: Output::default(),
            sensor: None,
        }
    }
}

impl Default for Output {
    fn default() -> Self {
        Output {
            file: None,
            queue_lines: 65_536,
            batch_lines: 512,
            spool_dir: None,
            spool_max_bytes: 1 << 30,
            timeout_secs: 5,
            drain_secs: 10,
            redis: None,
            nats: None,
        }
    }
}

impl Default for RedisOutput {
    fn default() -> Self {
        RedisOutput {
            server: "127.0.0.1:6379".into(),
            mode: RedisMode::Lpush,
            key: "hardwire".into(),
            stream_maxlen: 100_000,
            stream_trim_exact: false,
            username: None,
            password: None,
            db: 0,
            tls: None,
        }
    }
}

impl Default for NatsOutput {
    fn default() -> Self {
        NatsOutput {
            servers: vec!["127.0.0.1:4222".into()],
            subject_prefix: "hardwire".into(),
            stream: "HARDWIRE".into(),
            create_stream: true,
            max_bytes: 10 << 30,
            max_age_secs: 7 * 86_400,
            duplicate_window_secs: 120,
            replicas: 1,
            user: None,
            password: None,
            token: None,
            tls: None,
        }
    }
}

impl Default for Ports {
    fn default() -> Self {
        Ports {
            smb: vec![445, 139],
            http: vec![80, 8080],
            winrm: vec![5985, 47001],
            tls: vec![443, 5986],
            dcerpc: vec![135],
            kerberos: vec![88],
            llmnr: vec![5355],
            nbns: vec![137],
            mdns: vec![5353],
            ldap: vec![389, 3268],
        }
    }
}

impl Default for Suppression {
    fn default() -> Self {
        Suppression { window_secs: 300, max_windows: 65_536 }
    }
}

impl Default for Correlation {
    fn default() -> Self {
        Correlation {
            spray_accounts: 5,
            spray_window_secs: 300,
            bruteforce_failures: 10,
            bruteforce_window_secs: 300,
            user_enum_names: 10,
            user_enum_window_secs: 300,
            kerberoast_services: 5,
            kerberoast_window_secs: 60,
            name_answer_secs: 10,
            poisoning_names: 3,
            poisoning_window_secs: 300,
            poisoner_auth_window_secs: 60,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_budget: 256 << 20,
            max_flows: 262_144,
            flow_timeout_secs: 600,
            max_out_of_order_bytes: 256 << 10,
            max_pending_bytes: 256 << 10,
            max_fragment_bytes: 16 << 20,
            fragment_timeout_secs: 30,
            max_servers_remembered: 65_536,
            max_correlation_entries: 65_536,
            max_posture_labels: 64,
            max_smb_sessions: 64,
            max_smb_trees: 64,
            max_smb_pipes: 32,
            max_smb_pending: 1024,
            max_dcerpc_contexts: 64,
        }
    }
}

impl Live {
    /// A snap length the capture can use with these queues: at least 64 bytes, and one whole
    /// frame fits in a worker's queue.
    pub fn check_snaplen(&self, snaplen: i32) -> Result<(), String> {
        if snaplen < 64 {
            return Err("snaplen must be at least 64".into());
        }
        if self.queue_bytes < snaplen.unsigned_abs() as usize {
            return Err(format!("live.queue_bytes must be at least the snaplen ({snaplen}): one whole frame"));
        }
        Ok(())
    }
}

impl Default for Live {
    fn default() -> Self {
        Live {
            workers: 0,
            snaplen: 65_535,
            promiscuous: true,
            immediate: false,
            timeout_ms: 100,
            buffer_bytes: 64 << 20,
            bpf: None,
            queue_packets: 16_384,
            queue_bytes: 32 << 20,
            stats_interval_secs: 60,
            metrics: None,
        }
    }
}

/// RFC 1918, loopback, link-local, and IPv6 loopback, ULA and link-local.
pub fn default_home_networks() -> Vec<IpNet> {
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "::1/128", "fc00::/7", "fe80::/10"]
        .iter()
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// The smallest `limits.memory_budget`: below it a worker could not hold one SMB connection's
/// reassembly at its default caps.
pub const MIN_MEMORY_BUDGET: usize = 1 << 20;

/// A configuration file that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("line {line}, column {column}: {message}")]
    Syntax { line: usize, column: usize, message: String },
    #[error("{0}")]
    Invalid(String),
}

impl Config {
    /// Parses and validates a configuration file's text.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((0, 0), |span| line_column(text, span.start));
            ConfigError::Syntax { line, column, message: e.message().to_string() }
        })?;
        config.validate(text)?;
        Ok(config)
    }

    fn validate(&self, text: &str) -> Result<(), ConfigError> {
        for id in self.rules.keys() {
            if RuleId::from_id(id).is_none() {
                let line = text.lines().position(|l| l.contains(id.as_str())).map_or(0, |i| i + 1);
                return Err(ConfigError::Invalid(format!("line {line}: unknown rule id {id:?} (see `hardwire rules`)")));
            }
        }
        let zero = [
            (self.limits.max_flows, "limits.max_flows"),
            (self.limits.max_servers_remembered, "limits.max_servers_remembered"),
            (self.suppression.max_windows, "suppression.max_windows"),
            (self.limits.max_smb_sessions, "limits.max_smb_sessions"),
            (self.limits.max_smb_trees, "limits.max_smb_trees"),
            (self.limits.max_smb_pipes, "limits.max_smb_pipes"),
            (self.limits.max_smb_pending, "limits.max_smb_pending"),
            (self.limits.max_dcerpc_contexts, "limits.max_dcerpc_contexts"),
        ];
        if let Some((_, key)) = zero.iter().find(|(value, _)| *value == 0) {
            return Err(ConfigError::Invalid(format!("{key} must be at least 1")));
        }
        if self.limits.memory_budget < MIN_MEMORY_BUDGET {
            return Err(ConfigError::Invalid(format!("limits.memory_budget must be at least {MIN_MEMORY_BUDGET} bytes (1 MiB)")));
        }
        self.validate_live().map_err(ConfigError::Invalid)?;
        self.validate_output().map_err(ConfigError::Invalid)
    }

    /// The `[live]` settings (the command line's --snaplen is checked again over them at start).
    fn validate_live(&self) -> Result<(), String> {
        let live = &self.live;
        live.check_snaplen(live.snaplen)?;
        let checks = [
            (live.timeout_ms < 1, "live.timeout_ms must be at least 1 (it also bounds how fast the capture notices shutdown)"),
            (live.buffer_bytes < 0, "live.buffer_bytes must not be negative"),
            (live.queue_packets == 0, "live.queue_packets must be at least 1"),
            (live.stats_interval_secs == 0, "live.stats_interval_secs must be at least 1"),
        ];
        match checks.iter().find(|(bad, _)| *bad) {
            Some((_, reason)) => Err(reason.to_string()),
            None => Ok(()),
        }
    }

    /// The sensor name and broker settings, checked without connecting or resolving a name.
    fn validate_output(&self) -> Result<(), String> {
        if let Some(name) = &self.sensor {
            if !is_token(name) {
                return Err(format!("sensor {name:?}: 1 to 64 letters, digits, '-' or '_' (it names NATS subjects)"));
            }
        }
        let output = &self.output;
        let checks = [
            (output.queue_lines == 0, "output.queue_lines must be at least 1"),
            (output.batch_lines == 0, "output.batch_lines must be at least 1"),
            (output.timeout_secs == 0, "output.timeout_secs must be at least 1"),
            (output.spool_max_bytes < 1 << 16, "output.spool_max_bytes must be at least 65536"),
        ];
        if let Some((_, reason)) = checks.iter().find(|(bad, _)| *bad) {
            return Err(reason.to_string());
        }
        if let Some(redis) = &output.redis {
            check_address("output.redis.server", &redis.server)?;
            if redis.key.is_empty() {
                return Err("output.redis.key must not be empty".into());
            }
            check_tls("output.redis.tls", redis.tls.as_ref())?;
        }
        if let Some(nats) = &output.nats {
            if nats.servers.is_empty() {
                return Err("output.nats.servers must name at least one server".into());
            }
            for server in &nats.servers {
                check_address("output.nats.servers", server)?;
            }
            if nats.subject_prefix.is_empty() || !nats.subject_prefix.split('.').all(is_token) {
                return Err(format!(
                    "output.nats.subject_prefix {:?}: dot-separated tokens of letters, digits, '-' or '_'",
                    nats.subject_prefix
                ));
            }
            if !is_token(&nats.stream) {
                return Err(format!("output.nats.stream {:?}: 1 to 64 letters, digits, '-' or '_'", nats.stream));
            }
            if nats.replicas == 0 || nats.replicas > 5 {
                return Err("output.nats.replicas must be 1 to 5".into());
            }
            if nats.token.is_some() && nats.user.is_some() {
                return Err("output.nats: a token or a user and password, not both".into());
            }
            check_tls("output.nats.tls", nats.tls.as_ref())?;
        }
        Ok(())
    }

    /// Whether an address is one of the configured domain controllers.
    pub fn is_domain_controller(&self, ip: IpAddr) -> bool {
        self.domain_controllers.iter().any(|net| net.contains(&ip))
    }

    /// Whether an address is inside the home networks.
    pub fn is_home(&self, ip: IpAddr) -> bool {
        self.home_networks.iter().any(|net| net.contains(&ip))
    }

    /// The rule's severity, or `None` when it is switched off.
    pub fn rule_severity(&self, rule: RuleId) -> Option<Severity> {
        self.severity_for(rule, rule.default_severity())
    }

    /// The severity of an alert the rule proposes at `proposed` (its default, or higher where
    /// the evidence warrants, as `webdav.ntlm` to an external server): a severity set in the
    /// configuration wins; `None` when the rule is switched off.
    pub fn severity_for(&self, rule: RuleId, proposed: Severity) -> Option<Severity> {
        match self.rules.get(rule.id()) {
            Some(RuleSetting { enabled: Some(false), .. }) => None,
            Some(RuleSetting { severity: Some(severity), .. }) => Some(*severity),
            _ => Some(proposed),
        }
    }
}

/// A name that is one NATS subject token and safe in a file name.
fn is_token(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A client certificate comes with its key; an empty name is a mistake. (The files themselves
/// are read by `hardwire_sinks::tls`, which `check-config` runs too.)
fn check_tls(key: &str, tls: Option<&BrokerTls>) -> Result<(), String> {
    let Some(tls) = tls else { return Ok(()) };
    if tls.cert.is_some() != tls.key.is_some() {
        return Err(format!("{key}: cert and key go together (the sensor's certificate and its private key)"));
    }
    let named = [&tls.ca, &tls.cert, &tls.key, &tls.server_name];
    if named.iter().any(|value| value.as_deref() == Some("")) {
        return Err(format!("{key}: an empty file or server name"));
    }
    Ok(())
}

/// `host:port` with a port number; the host is not resolved.
fn check_address(key: &str, address: &str) -> Result<(), String> {
    let valid = address.rsplit_once(':').is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0));
    match valid {
        true => Ok(()),
        false => Err(format!("{key} {address:?} is not host:port")),
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        let c = Config::from_toml("").unwrap();
        assert!(c.is_home("192.168.1.4".parse().unwrap()));
        assert!(!c.is_home("198.51.100.7".parse().unwrap()));
        assert_eq!(c.rule_severity(RuleId::SmbGuest), Some(Severity::High));
    }

    #[test]
    fn rules_can_be_switched_off_and_reweighted() {
        let c = Config::from_toml("[rules.\"smb.guest\"]\nenabled = false\n[rules.\"ntlm.used\"]\nseverity = \"low\"\n").unwrap();
        assert_eq!(c.rule_severity(RuleId::SmbGuest), None);
        assert_eq!(c.rule_severity(RuleId::NtlmUsed), Some(Severity::Low));
    }

    #[test]
    fn errors_name_the_line() {
        let err = Config::from_toml("home_networks = [\"10.0.0.0/8\"]\n\n[limits]\nmax_flow = 3\n").unwrap_err();
        assert!(err.to_string().starts_with("line 4"), "{err}");
        let err = Config::from_toml("home_networks = [\"10.0.0.0/33\"]\n").unwrap_err();
        assert!(err.to_string().starts_with("line 1"), "{err}");
        let err = Config::from_toml("[rules.\"smb.gust\"]\nenabled = false\n").unwrap_err();
        assert!(err.to_string().contains("line 1") && err.to_string().contains("smb.gust"), "{err}");
    }

    #[test]
    fn broker_settings_are_checked_without_connecting() {
        let c = Config::from_toml(
            "sensor = \"fs-floor2\"\n[output.redis]\nmode = \"stream\"\nserver = \"redis.example:6380\"\n[output.nats]\nservers = [\"n1:4222\", \"n2:4222\"]\n",
        )
        .unwrap();
        assert_eq!(c.output.redis.map(|r| r.mode), Some(RedisMode::Xadd));
        assert_eq!(c.output.nats.map(|n| n.servers.len()), Some(2));
        for (text, complaint) in [
            ("sensor = \"a.b\"\n", "sensor"),
            ("[output.redis]\nserver = \"redis\"\n", "host:port"),
            ("[output.redis]\nmode = \"queue\"\n", "unknown variant"),
            ("[output.nats]\nservers = []\n", "at least one"),
            ("[output.nats]\nsubject_prefix = \"a.*\"\n", "subject_prefix"),
            ("[output]\nspool_max_bytes = 10\n", "spool_max_bytes"),
            ("[limits]\nmemory_budget = 65536\n", "memory_budget"),
            ("[output.redis]\ntls = { cert = \"a.pem\" }\n", "cert and key go together"),
            ("[output.nats.tls]\nserver_name = \"\"\n", "empty"),
            ("[output.nats.tls]\ncafile = \"ca.pem\"\n", "unknown field"),
            ("[limits]\nmax_smb_pipes = 0\n", "max_smb_pipes"),
            ("[limits]\nmax_dcerpc_contexts = 0\n", "max_dcerpc_contexts"),
            ("[live]\ntimeout_ms = 0\n", "timeout_ms"),
            ("[live]\nqueue_bytes = 1000\n", "queue_bytes"),
            ("[live]\nsnaplen = 10\n", "snaplen"),
        ] {
            let err = Config::from_toml(text).unwrap_err().to_string();
            assert!(err.contains(complaint), "{text}: {err}");
        }
    }
}
