//! The output edge of hardwire: events become JSON lines (`../shared/SCHEMA.md`), counted on
//! the way for the `stats` line and the Prometheus metrics ([`metrics`]), written to a file or
//! stdout and handed to broker sinks ([`delivery`]: Redis, NATS JetStream) that deliver them at
//! least once, in order, through outages, without ever holding the caller up.

pub mod delivery;
pub mod json;
pub mod metrics;
pub mod nats;
pub mod posture;
pub mod redis;
pub mod source;
pub mod spool;
pub mod tally;
pub mod tls;
mod wire;

pub use delivery::{Fanout, SinkFigures};
pub use json::JsonLines;
pub use tally::{LiveCounters, Tally};

use std::path::Path;
use std::time::Duration;

use hardwire::config::BrokerTls;
use hardwire::Config;

use delivery::{DeliverySettings, Sink};
use tls::TlsClient;

/// Starts a sink for each broker the configuration's `[output]` names. Spools are opened here
/// (a folder that cannot be made is an error before anything runs); brokers are connected by
/// each sink's own thread, so one that is down delays nothing.
pub fn open_brokers(config: &Config) -> Result<Fanout, String> {
    let output = &config.output;
    let timeout = Duration::from_secs(output.timeout_secs);
    let settings = DeliverySettings {
        queue_lines: output.queue_lines,
        batch_lines: output.batch_lines,
        drain: Duration::from_secs(output.drain_secs),
    };
    let mut sinks = Vec::new();
    let start = |name: &'static str, broker: Box<dyn delivery::Broker>| {
        let spool = output.spool_dir.as_ref().map(|dir| Path::new(dir).join(name));
        Sink::start(name, broker, &settings, spool.as_deref(), output.spool_max_bytes).map_err(|e| match &spool {
            Some(dir) => format!("{name} spool {}: {e}", dir.display()),
            None => format!("{name} sink: {e}"),
        })
    };
    let tls = |key: &str, settings: Option<&BrokerTls>| settings.map(TlsClient::load).transpose().map_err(|e| format!("{key}: {e}"));
    if let Some(redis) = &output.redis {
        let tls = tls("output.redis.tls", redis.tls.as_ref())?;
        sinks.push(start("redis", Box::new(redis::RedisBroker::new(redis.clone(), tls, timeout)))?);
    }
    if let Some(nats) = &output.nats {
        let tls = tls("output.nats.tls", nats.tls.as_ref())?;
        sinks.push(start("nats", Box::new(nats::NatsBroker::new(nats.clone(), tls, config.sensor.as_deref(), timeout)))?);
    }
    Ok(Fanout::new(sinks))
}
