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
    /// Networks that are "inside": the default is the private, loopback, link-local and ULA ranges.
    pub home_networks: Vec<IpNet>,
    /// The domain controllers' addresses: the only clients `dcerpc.dcsync` lets replicate.
    /// Empty (the default): every DRSGetNCChanges fires.
    pub domain_controllers: Vec<IpNet>,
    pub ports: Ports,
    /// Per-rule switches and severities, keyed by rule id.
    pub rules: BTreeMap<String, RuleSetting>,
    pub suppression: Suppression,
    pub limits: Limits,
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
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
    /// Seconds between `stats` lines.
    pub stats_interval_secs: u64,
    /// Prometheus endpoint, e.g. "127.0.0.1:9750".
    pub metrics: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Output {
    /// JSON lines go to this file instead of stdout.
    pub file: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            home_networks: default_home_networks(),
            domain_controllers: Vec::new(),
            ports: Ports::default(),
            rules: BTreeMap::new(),
            suppression: Suppression::default(),
            limits: Limits::default(),
            live: Live::default(),
            output: Output::default(),
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
        }
    }
}

impl Default for Suppression {
    fn default() -> Self {
        Suppression { window_secs: 300 }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_flows: 262_144,
            flow_timeout_secs: 600,
            max_out_of_order_bytes: 256 << 10,
            max_pending_bytes: 256 << 10,
            max_fragment_bytes: 16 << 20,
            fragment_timeout_secs: 30,
            max_servers_remembered: 65_536,
            max_correlation_entries: 65_536,
        }
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
        if self.limits.max_flows == 0 {
            return Err(ConfigError::Invalid("limits.max_flows must be at least 1".into()));
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
}
