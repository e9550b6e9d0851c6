//! `hardwire fetch`: the lines a fleet's broker holds (a JetStream stream, a Redis stream or
//! list), to stdout, so one report covers every sensor:
//! `hardwire fetch nats://reader:pw@nats-1:4222/HARDWIRE | hardwire report -` (`tls://…` and
//! `rediss://…` over TLS, see `hardwire_sinks::source`).

use std::io::{self, BufWriter, Write};
use std::time::Duration;

use hardwire_sinks::source::Source;

/// How long a broker may take to answer one request.
pub const TIMEOUT: Duration = Duration::from_secs(30);

pub fn run(sources: &[String]) -> Result<(), String> {
    let parsed = sources
        .iter()
        .map(|text| {
            Source::parse(text).unwrap_or_else(|| Err(format!("{text:?} is not nats:// or tls://…/STREAM, or redis:// or rediss://…/KEY")))
        })
        .collect::<Result<Vec<Source>, String>>()?;
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    for source in &parsed {
        match source.copy_to(&mut out, TIMEOUT).and_then(|_| out.flush()) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            // Named without the credentials the address may carry.
            Err(e) => return Err(format!("{source}: {e}")),
        }
    }
    Ok(())
}
