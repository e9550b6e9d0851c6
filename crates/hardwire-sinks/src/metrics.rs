//! Prometheus text exposition of the sensor's figures: the same counters as the `stats` line,
//! named and labelled by Prometheus conventions (`hardwire_` prefix, `_total` counters, base
//! units). A pure function: the caller serves the text over HTTP.

use prometheus::core::Collector;
use prometheus::{Encoder, Gauge, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder};

use hardwire::EngineStats;

use crate::delivery::SinkFigures;
use crate::tally::{LiveCounters, Tally};

/// Renders every figure in the Prometheus text format (version 0.0.4).
///
/// `stats` are the engine counters summed over the workers, `tally` what the output stage wrote
/// (after suppression), `live` the capture's drop counters, and `capture_lag_seconds` how far
/// behind the packets' own time the workers are; `sinks` each broker sink's figures.
pub fn render(stats: &EngineStats, tally: &Tally, live: &LiveCounters, capture_lag_seconds: f64, sinks: &[(&str, SinkFigures)]) -> String {
    let registry = Registry::new();
    let add = |collector: Option<Box<dyn Collector>>| {
        // Names below are fixed and distinct, so registration cannot collide.
        if let Some(collector) = collector {
            let _ = registry.register(collector);
        }
    };

    add(counter("hardwire_packets_total", "Packets seen by the workers.", stats.packets));
    add(counter("hardwire_bytes_total", "Bytes seen on the wire (frame lengths).", stats.bytes));
    add(counter("hardwire_kernel_drops_total", "Packets the kernel dropped for lack of buffer space (pcap ps_drop).", live.kernel_drops));
    add(counter("hardwire_interface_drops_total", "Packets the interface or driver dropped (pcap ps_ifdrop).", live.interface_drops));
    add(counter("hardwire_queue_drops_total", "Packets dropped because a worker's queue was full.", live.queue_drops));
    add(gauge_int(
        "hardwire_queued_bytes",
        "Bytes of captured frames waiting in the workers' queues (live.queue_bytes each).",
        live.queued_bytes,
    ));
    add(gauge_int("hardwire_flows_active", "Flows currently tracked.", stats.flows_active));
    add(counter("hardwire_flows_created_total", "Flows created.", stats.flows));
    add(counter("hardwire_flows_evicted_total", "Flows evicted because the flow table was full.", stats.flows_evicted));
    add(counter("hardwire_reassembly_gaps_total", "Holes in TCP streams that reassembly skipped.", stats.reassembly_gaps));
    add(counter("hardwire_decode_errors_total", "Frames that did not decode.", stats.decode_errors));
    add(counter(
        "hardwire_correlation_shed_total",
        "New keys the cross-connection correlation tables refused because they were full of live entries.",
        stats.correlation_shed,
    ));
    add(counter_vec(
        "hardwire_ldap_sasl_pdus_total",
        "LDAP PDUs after a bind's SASL security layer: read (integrity only) or unread (sealed, never decrypted; not readable).",
        &["outcome"],
        [("read", stats.ldap_sasl_pdus.read), ("unread", stats.ldap_sasl_pdus.unread)].into_iter().map(|(outcome, v)| ([outcome], v)),
    ));
    let memory = &stats.memory;
    add(gauge_int("hardwire_memory_budget_bytes", "The memory budget: limits.memory_budget of every worker.", memory.budget_bytes));
    add(gauge_int(
        "hardwire_memory_bytes",
        "Bytes held against the memory budget: flows, reassembly, protocol state, fragments, stats maps, shared state.",
        memory.bytes,
    ));
    add(gauge_int("hardwire_memory_peak_bytes", "The most bytes held against the budget at once.", memory.peak_bytes));
    add(counter_vec(
        "hardwire_memory_flows_shed_total",
        "Flows shed (their records written) to stay within the memory budget, per tier, in the order they go.",
        &["tier"],
        [("bulk", memory.flows_shed_bulk), ("protocol", memory.flows_shed_protocol), ("authenticating", memory.flows_shed_authenticating)]
            .into_iter()
            .map(|(tier, v)| ([tier], v)),
    ));
    add(counter(
        "hardwire_suppressor_windows_closed_early_total",
        "Suppression windows closed (summary written) before their time to stay within suppression.max_windows or the memory budget.",
        memory.suppressor_windows_closed_early,
    ));
    add(counter(
        "hardwire_memory_servers_forgotten_total",
        "Servers the downgrade memory forgot to stay within limits.max_servers_remembered or the memory budget.",
        memory.servers_forgotten,
    ));
    add(counter_vec(
        "hardwire_app_state_evicted_total",
        "Entries of a connection's tables (SMB sessions, trees, pipes, pending requests; DCE/RPC contexts) given up to stay within their limits.max_* caps, least recently used first.",
        &["table"],
        memory.app_state_evicted.iter().map(|(k, v)| ([*k], *v)),
    ));
    add(counter(
        "hardwire_ntlm_scan_parsed_total",
        "NTLMSSP messages the fallback scanner parsed (its work, bounded per flow).",
        stats.ntlm_scan_parsed,
    ));
    add(counter_vec(
        "hardwire_parse_errors_total",
        "Malformed protocol messages, per protocol.",
        &["protocol"],
        stats.parse_errors.iter().map(|(k, v)| ([*k], *v)),
    ));
    add(counter_vec(
        "hardwire_tcp_segments_total",
        "Segments the TCP layer refused or doubted, per reason (the stats line's tcp object).",
        &["reason"],
        stats.tcp.named().into_iter().map(|(k, v)| ([k], v)),
    ));
    add(counter_vec(
        "hardwire_events_total",
        "Records written, per event type (after suppression).",
        &["event_type"],
        tally.events.iter().map(|(k, v)| ([*k], *v)),
    ));
    add(counter_vec(
        "hardwire_alerts_total",
        "Alert occurrences, per rule and severity (a suppression summary counts as the occurrences it stands for).",
        &["rule", "severity"],
        tally.alerts_by_severity.iter().map(|((rule, severity), v)| ([*rule, *severity], *v)),
    ));
    add(counter_vec(
        "hardwire_smb_dialects_total",
        "SMB dialects negotiated.",
        &["dialect"],
        stats.smb_dialects.iter().map(|(k, v)| ([*k], *v)),
    ));
    add(counter_vec(
        "hardwire_auth_mechanisms_total",
        "Authentication mechanisms seen.",
        &["mechanism"],
        stats.auth_mechanisms.iter().map(|(k, v)| ([*k], *v)),
    ));
    let kerberos = &stats.kerberos;
    let per_kdc = |pick: fn(&hardwire::stats::AsRequests) -> u64| kerberos.kdcs.iter().map(move |(k, r)| ([k.as_str()], pick(r)));
    add(counter_vec("hardwire_kdc_as_requests_total", "AS-REQs per KDC.", &["kdc"], per_kdc(|r| r.all)));
    add(counter_vec("hardwire_kdc_as_requests_fast_total", "AS-REQs armored with FAST, per KDC.", &["kdc"], per_kdc(|r| r.fast)));
    add(counter_vec(
        "hardwire_kdc_as_requests_pkinit_total",
        "AS-REQs pre-authenticated with PKINIT, per KDC.",
        &["kdc"],
        per_kdc(|r| r.pkinit),
    ));
    add(counter_vec(
        "hardwire_kerberos_weak_tickets_total",
        "Tickets a KDC issued with RC4 or DES, per service.",
        &["service"],
        kerberos.weak_tickets.iter().map(|(k, v)| ([k.as_str()], *v)),
    ));
    add(gauge_int(
        "hardwire_kerberos_accounts_without_preauth",
        "Accounts a KDC answered with an AS-REP without pre-authentication.",
        kerberos.accounts_without_preauth.len() as u64 + kerberos.accounts_without_preauth_unlisted,
    ));
    let names = &stats.names;
    add(counter_vec(
        "hardwire_name_queries_total",
        "LLMNR, NBT-NS and mDNS queries per protocol and querier (LLMNR and NBT-NS should be off).",
        &["protocol", "host"],
        names.queries.iter().map(|((p, h), v)| ([*p, h.as_str()], *v)),
    ));
    add(counter_vec(
        "hardwire_name_answers_total",
        "LLMNR, NBT-NS and mDNS answers per protocol and responder.",
        &["protocol", "host"],
        names.answers.iter().map(|((p, h), v)| ([*p, h.as_str()], *v)),
    ));
    add(gauge(
        "hardwire_capture_lag_seconds",
        "How far the workers are behind: wall clock minus the capture time of the packet last processed.",
        capture_lag_seconds,
    ));

    let per_sink = |name: &str, help: &str, value: fn(&SinkFigures) -> u64| {
        counter_vec(name, help, &["sink"], sinks.iter().map(|(sink, figures)| ([*sink], value(figures))))
    };
    add(per_sink("hardwire_sink_delivered_total", "Lines the broker acknowledged, per sink.", |f| f.delivered));
    add(per_sink(
        "hardwire_sink_failed_total",
        "Lines of delivery attempts that failed (broker down, TLS refused, an error reply) and are tried again, per sink.",
        |f| f.failed,
    ));
    add(per_sink("hardwire_sink_spooled_total", "Lines written to the sink's disk spool.", |f| f.spooled));
    add(per_sink(
        "hardwire_sink_dropped_total",
        "Lines lost: memory queue full without a spool, or the oldest at the spool's bound.",
        |f| f.dropped,
    ));
    add(per_sink("hardwire_sink_duplicates_total", "Lines the broker reported it already had (JetStream's duplicate window).", |f| {
        f.duplicates
    }));
    if let Ok(queued) =
        IntGaugeVec::new(Opts::new("hardwire_sink_queued", "Lines waiting for the broker now, in memory and spool."), &["sink"])
    {
        for (sink, figures) in sinks {
            if let Ok(child) = queued.get_metric_with_label_values(&[sink]) {
                child.set(i64::try_from(figures.queued).unwrap_or(i64::MAX));
            }
        }
        add(Some(Box::new(queued)));
    }

    // Posture: counts of servers, never an address as a label (a fixed number of series).
    let posture = tally.posture.gauges();
    if let Ok(signing) = IntGaugeVec::new(
        Opts::new(
            "hardwire_posture_smb_servers",
            "SMB servers seen, by what their negotiate said of signing (mixed: it differed between sessions).",
        ),
        &["signing"],
    ) {
        for (label, value) in [
            ("required", posture.smb_signing_required),
            ("not_required", posture.smb_signing_not_required),
            ("mixed", posture.smb_signing_mixed),
        ] {
            if let Ok(child) = signing.get_metric_with_label_values(&[label]) {
                child.set(i64::try_from(value).unwrap_or(i64::MAX));
            }
        }
        add(Some(Box::new(signing)));
    }
    add(gauge_int("hardwire_posture_smb1_servers", "Servers seen speaking SMB1.", posture.smb1_servers));
    add(gauge_int("hardwire_posture_ntlm_servers", "Servers seen receiving NTLM authentication.", posture.ntlm_servers));
    add(gauge_int(
        "hardwire_posture_ldap_unsigned_servers",
        "LDAP servers seen accepting a simple bind in clear or a SASL bind without signing or sealing.",
        posture.ldap_unsigned_servers,
    ));
    add(gauge_int("hardwire_posture_servers", "Servers the posture figures remember.", posture.servers));
    add(counter(
        "hardwire_posture_servers_shed_total",
        "Records of servers past the posture table's bound (not counted above).",
        tally.posture.servers_shed,
    ));
    add(gauge(
        "hardwire_posture_ntlm_share",
        "NTLM's share of the NTLM and Kerberos authentications seen (0 to 1); hardwire report gives it per server and client.",
        tally.posture.ntlm_share(),
    ));

    let mut text = Vec::new();
    // Encoding into a Vec fails only on a malformed family, which the fixed names rule out.
    let _ = TextEncoder::new().encode(&registry.gather(), &mut text);
    String::from_utf8_lossy(&text).into_owned()
}

/// The Content-Type of [`render`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A counter at `value`. The constructors fail only on an invalid metric name, and every name
/// here is a valid constant: such a failure leaves the figure out rather than the scrape.
fn counter(name: &str, help: &str, value: u64) -> Option<Box<dyn Collector>> {
    let counter = IntCounter::new(name, help).ok()?;
    counter.inc_by(value);
    Some(Box::new(counter))
}

fn gauge_int(name: &str, help: &str, value: u64) -> Option<Box<dyn Collector>> {
    let gauge = IntGauge::new(name, help).ok()?;
    gauge.set(i64::try_from(value).unwrap_or(i64::MAX));
    Some(Box::new(gauge))
}

fn gauge(name: &str, help: &str, value: f64) -> Option<Box<dyn Collector>> {
    let gauge = Gauge::new(name, help).ok()?;
    gauge.set(value);
    Some(Box::new(gauge))
}

/// A counter family with one child per label set.
fn counter_vec<'a, const N: usize>(
    name: &str,
    help: &str,
    labels: &[&str; N],
    values: impl Iterator<Item = ([&'a str; N], u64)>,
) -> Option<Box<dyn Collector>> {
    let family = IntCounterVec::new(Opts::new(name, help), labels).ok()?;
    for (label_values, value) in values {
        if let Ok(child) = family.get_metric_with_label_values(&label_values) {
            child.inc_by(value);
        }
    }
    Some(Box::new(family))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (EngineStats, Tally, LiveCounters) {
        let mut stats = EngineStats {
            packets: 1234,
            bytes: 567_890,
            flows: 12,
            flows_active: 3,
            flows_evicted: 1,
            reassembly_gaps: 2,
            ..EngineStats::default()
        };
        stats.parse_errors.insert("smb", 4);
        stats.tcp.overlap_conflicts = 3;
        stats.smb_dialects.insert("3.1.1", 7);
        stats.auth_mechanisms.insert("ntlm", 5);
        stats.correlation_shed = 6;
        stats.kerberos.as_request("10.0.0.5", "fast", 64);
        stats.kerberos.as_request("10.0.0.5", "enc_timestamp", 64);
        stats.kerberos.weak_ticket("MSSQLSvc/db1:1433", 64);
        stats.kerberos.without_preauth("svc_legacy", 64);
        let mut tally = Tally::default();
        tally.events.insert("smb", 7);
        tally.events.insert("alert", 9);
        tally.alerts.insert("ntlm.used", 9);
        tally.alerts_by_severity.insert(("ntlm.used", "medium"), 9);
        (stats, tally, LiveCounters { kernel_drops: 10, interface_drops: 11, queue_drops: 12, queued_bytes: 13 })
    }

    /// The value of the one sample line that starts with `series` (name and labels).
    fn sample_value(text: &str, series: &str) -> Option<f64> {
        text.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
    }

    #[test]
    fn every_figure_is_exposed_with_its_labels() {
        let (stats, tally, live) = sample();
        let sink = SinkFigures { delivered: 40, failed: 3, queued: 2, spooled: 5, dropped: 1, duplicates: 3 };
        let text = render(&stats, &tally, &live, 0.25, &[("redis", sink)]);
        let expected = [
            ("hardwire_packets_total", 1234.0),
            ("hardwire_bytes_total", 567_890.0),
            ("hardwire_kernel_drops_total", 10.0),
            ("hardwire_interface_drops_total", 11.0),
            ("hardwire_queue_drops_total", 12.0),
            ("hardwire_queued_bytes", 13.0),
            ("hardwire_flows_active", 3.0),
            ("hardwire_flows_created_total", 12.0),
            ("hardwire_flows_evicted_total", 1.0),
            ("hardwire_reassembly_gaps_total", 2.0),
            ("hardwire_parse_errors_total{protocol=\"smb\"}", 4.0),
            ("hardwire_tcp_segments_total{reason=\"overlap_conflicts\"}", 3.0),
            ("hardwire_tcp_segments_total{reason=\"bad_checksum\"}", 0.0),
            ("hardwire_events_total{event_type=\"alert\"}", 9.0),
            ("hardwire_events_total{event_type=\"smb\"}", 7.0),
            ("hardwire_alerts_total{rule=\"ntlm.used\",severity=\"medium\"}", 9.0),
            ("hardwire_smb_dialects_total{dialect=\"3.1.1\"}", 7.0),
            ("hardwire_auth_mechanisms_total{mechanism=\"ntlm\"}", 5.0),
            ("hardwire_capture_lag_seconds", 0.25),
            ("hardwire_posture_smb_servers{signing=\"required\"}", 0.0),
            ("hardwire_posture_smb1_servers", 0.0),
            ("hardwire_posture_ldap_unsigned_servers", 0.0),
            ("hardwire_posture_ntlm_share", 0.0),
            ("hardwire_correlation_shed_total", 6.0),
            ("hardwire_kdc_as_requests_total{kdc=\"10.0.0.5\"}", 2.0),
            ("hardwire_kdc_as_requests_fast_total{kdc=\"10.0.0.5\"}", 1.0),
            ("hardwire_kdc_as_requests_pkinit_total{kdc=\"10.0.0.5\"}", 0.0),
            ("hardwire_kerberos_weak_tickets_total{service=\"MSSQLSvc/db1:1433\"}", 1.0),
            ("hardwire_kerberos_accounts_without_preauth", 1.0),
            ("hardwire_sink_delivered_total{sink=\"redis\"}", 40.0),
            ("hardwire_sink_failed_total{sink=\"redis\"}", 3.0),
            ("hardwire_sink_queued{sink=\"redis\"}", 2.0),
            ("hardwire_sink_spooled_total{sink=\"redis\"}", 5.0),
            ("hardwire_sink_dropped_total{sink=\"redis\"}", 1.0),
            ("hardwire_sink_duplicates_total{sink=\"redis\"}", 3.0),
        ];
        for (series, value) in expected {
            assert_eq!(sample_value(&text, series), Some(value), "{series} in\n{text}");
        }
        assert!(text.contains("# TYPE hardwire_packets_total counter"));
        assert!(text.contains("# TYPE hardwire_flows_active gauge"));
    }

    #[test]
    fn label_values_from_the_wire_are_escaped() {
        let (mut stats, tally, live) = sample();
        stats.smb_dialects.insert("we\"ird\n", 1);
        let text = render(&stats, &tally, &live, 0.0, &[]);
        assert!(text.contains("dialect=\"we\\\"ird\\n\"} 1"), "{text}");
    }
}
