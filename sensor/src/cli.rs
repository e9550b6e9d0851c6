//! Command-line interface.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use hardwire::{Config, RuleId};

/// hardwire watches Windows network traffic for the protocol weaknesses attackers use to
/// intercept credentials and move: SMB1, guest and null sessions, unsigned or unencrypted SMB,
/// old dialects and downgrades, NTLM (v1 above all), Basic authentication and clear payloads on
/// WinRM, WebDAV fallback, SMB leaving the network, and remote task or service creation over
/// DCE/RPC. Output is JSON lines (one record or alert per line, a `stats` line last).
#[derive(Debug, Parser)]
#[command(name = "hardwire", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read capture files (pcap, pcapng, .gz, or - for stdin) and write JSON lines.
    ///
    /// Example: hardwire read suspicious.pcapng | jq 'select(.event_type=="alert")'
    /// Live traffic through tcpdump: tcpdump -i eth0 -w - 'tcp port 445' | hardwire read -
    Read(ReadArgs),
    /// A posture report a person reads, from captures or from hardwire's JSON lines: per area
    /// (SMB, NTLM, Kerberos, WinRM, WebDAV, name resolution, lateral movement, interception)
    /// the findings with their hosts, accounts and remediation, and a score.
    ///
    /// Example: hardwire report capture.pcap --html report.html
    /// A day of the daemon's output: hardwire report /var/log/hardwire/eve.jsonl --json posture.json
    Report(crate::report::ReportArgs),
    /// Capture on an interface (a SPAN / mirror port) and write JSON lines until SIGINT/SIGTERM;
    /// Prometheus metrics at http://127.0.0.1:9750/metrics. SIGHUP reopens the output file.
    ///
    /// Example: hardwire live -i eth1 --config /etc/hardwire/hardwire.toml --user hardwire
    Live(crate::live::LiveArgs),
    /// List the detection rules: id, default severity, ATT&CK techniques, what fires them.
    Rules,
    /// Print the lines a fleet's broker holds, oldest first: a NATS JetStream stream, or a Redis
    /// stream (its entries' `eve` field) or list, as the broker sinks write them.
    ///
    /// Example: hardwire fetch nats://reader:pw@nats-1:4222/HARDWIRE | jq -c 'select(.event_type=="alert")'
    Fetch {
        /// nats://[user:password@|token@]host:port/STREAM or redis://[[user]:password@]host:port/KEY;
        /// tls:// and rediss:// for TLS, `?ca=FILE[&cert=FILE&key=FILE][&server_name=NAME]`
        #[arg(required = true, value_name = "SOURCE")]
        sources: Vec<String>,
    },
    /// Check a configuration file; errors name the line.
    CheckConfig {
        /// The TOML configuration file.
        file: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
pub struct ReadArgs {
    /// Configuration file (TOML): home networks, rule switches, limits. See deploy/hardwire.toml.
    #[arg(short, long)]
    pub config: Option<PathBuf>,
    /// Write JSON lines to this file instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Capture files, read in order as one capture; `-` reads stdin.
    #[arg(required = true, value_name = "PCAP")]
    pub pcaps: Vec<PathBuf>,
}

/// Loads a configuration file, or the defaults.
pub fn load_config(path: Option<&Path>) -> Result<Config, String> {
    let Some(path) = path else { return Ok(Config::default()) };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Config::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn check_config(path: &Path) -> Result<(), String> {
    let config = load_config(Some(path))?;
    // The brokers' TLS files are read too (never a connection).
    hardwire_sinks::tls::check(&config)?;
    print_lines(&[format!("{}: ok", path.display())])
}

pub fn print_rules() -> Result<(), String> {
    let mut lines = vec![format!("{:<26} {:<9} {:<22} fires when", "rule", "severity", "ATT&CK")];
    for rule in RuleId::ALL {
        lines.push(format!(
            "{:<26} {:<9} {:<22} {}",
            rule.id(),
            rule.default_severity().name(),
            rule.mitre().join(","),
            rule.description()
        ));
    }
    print_lines(&lines)
}

/// Prints lines to stdout; a reader that went away (`| head`) is not an error.
fn print_lines(lines: &[String]) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match lines.iter().try_for_each(|line| writeln!(out, "{line}")) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("writing output: {e}")),
        _ => Ok(()),
    }
}
