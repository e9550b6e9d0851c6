//! The live capture: libpcap opened on an interface, and the thread that copies each frame into
//! the queue of the worker its flow belongs to. That thread never blocks on a worker: a full
//! queue drops the frame and counts it.

use std::hash::RandomState;
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TrySendError};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use pcap::{Active, Capture};

use hardwire::{LinkType, Timestamp};
use hardwire_wire::shard_hash;

use super::telemetry::Telemetry;
use super::worker::Frame;
use super::Settings;

/// The longest wait for packets before the loop looks at the stop flag again.
const MAX_POLL_MS: u16 = 250;
/// How often the kernel's drop counters are read.
const DROP_POLL: Duration = Duration::from_secs(1);

/// An open, filtered capture and its link type.
pub struct Opened {
    capture: Capture<Active>,
    link: LinkType,
    /// How long one wait for packets lasts, so a stop request is seen that fast.
    poll_ms: u16,
}

/// Opens `settings.interface` with every capture setting, and sets the BPF filter.
pub fn open(settings: &Settings) -> Result<Opened, String> {
    let iface = &settings.interface;
    let fail = |e: pcap::Error| format!("{iface}: {e}");
    let capture = Capture::from_device(iface.as_str())
        .map_err(fail)?
        .snaplen(settings.snaplen)
        .promisc(settings.promiscuous)
        .immediate_mode(settings.immediate)
        .timeout(settings.timeout_ms)
        .buffer_size(settings.buffer_bytes);
    // Non-blocking, with our own poll: on Linux a blocking read with a timeout does not return
    // while no packet comes at all, and the loop must notice shutdown on a silent link.
    let mut capture = capture.open().map_err(fail)?.setnonblock().map_err(fail)?;
    if let Some(bpf) = &settings.bpf {
        capture.filter(bpf, true).map_err(|e| format!("BPF filter {bpf:?}: {e}"))?;
    }
    let link = LinkType::from_dlt(capture.get_datalink().0).map_err(|e| format!("{iface}: {e}"))?;
    let poll_ms = u16::try_from(settings.timeout_ms).unwrap_or(u16::MAX).min(MAX_POLL_MS);
    Ok(Opened { capture, link, poll_ms })
}

pub struct CaptureLoop {
    pub opened: Opened,
    pub queues: Vec<Sender<Frame>>,
    pub pool: Receiver<Vec<u8>>,
    pub telemetry: Arc<Telemetry>,
    pub stop: Arc<AtomicBool>,
}

impl CaptureLoop {
    /// Captures until `stop` is set or the capture fails; dropping the queues then tells the
    /// workers to finish.
    pub fn run(mut self) -> Result<(), String> {
        // Keyed per process, so nobody on the wire can aim every flow at one worker.
        let key = RandomState::new();
        let workers = self.queues.len() as u64;
        let mut drops = DropCounter::default();
        let mut polled = Instant::now();
        while !self.stop.load(Ordering::Relaxed) {
            match self.opened.capture.next_packet() {
                Ok(packet) => {
                    // Fragments and non-IP have no flow hash: worker 0 takes them.
                    let shard = shard_hash(&key, self.opened.link, packet.data).map_or(0, |h| h % workers);
                    let mut data = self.pool.try_recv().unwrap_or_default();
                    data.clear();
                    data.extend_from_slice(packet.data);
                    let frame = Frame {
                        timestamp: Timestamp::from_secs_micros(packet.header.ts.tv_sec, packet.header.ts.tv_usec),
                        link: self.opened.link,
                        wire_len: packet.header.len as usize,
                        data,
                    };
                    self.enqueue(shard as usize, frame)?;
                }
                Err(pcap::Error::TimeoutExpired) => wait_readable(&self.opened.capture, self.opened.poll_ms),
                // The main thread hears of it and shuts the daemon down (and exits non-zero).
                Err(error) => return Err(format!("capture failed: {error}")),
            }
            if polled.elapsed() >= DROP_POLL {
                drops.poll(&mut self.opened.capture, &self.telemetry);
                polled = Instant::now();
            }
        }
        drops.poll(&mut self.opened.capture, &self.telemetry);
        Ok(())
    }

    /// Queues `frame` for worker `shard`, or drops and counts it when that queue is full, in
    /// packets or in bytes.
    fn enqueue(&self, shard: usize, frame: Frame) -> Result<(), String> {
        let (Some(queue), Some(queued)) = (self.queues.get(shard), self.telemetry.queued.get(shard)) else {
            return Ok(());
        };
        let bytes = frame.data.capacity();
        if !queued.reserve(bytes) {
            self.telemetry.queue_drops.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        match queue.try_send(frame) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                queued.release(bytes);
                self.telemetry.queue_drops.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(TrySendError::Disconnected(_)) => Err("a worker stopped".to_string()),
        }
    }
}

/// Waits until the capture has packets, or `ms` milliseconds. An interrupted or failed wait
/// just returns: the next read tells.
fn wait_readable(capture: &Capture<Active>, ms: u16) {
    let mut fds = [PollFd::new(capture.as_fd(), PollFlags::POLLIN)];
    let _ = poll(&mut fds, PollTimeout::from(ms));
}

/// libpcap's drop counters are 32-bit and wrap: they are followed by differences.
#[derive(Default)]
struct DropCounter {
    last: Option<pcap::Stat>,
}

impl DropCounter {
    fn poll(&mut self, capture: &mut Capture<Active>, telemetry: &Telemetry) {
        let Ok(now) = capture.stats() else { return };
        let (kernel, interface) = match &self.last {
            Some(last) => (now.dropped.wrapping_sub(last.dropped), now.if_dropped.wrapping_sub(last.if_dropped)),
            None => (now.dropped, now.if_dropped),
        };
        telemetry.kernel_drops.fetch_add(u64::from(kernel), Ordering::Relaxed);
        telemetry.interface_drops.fetch_add(u64::from(interface), Ordering::Relaxed);
        self.last = Some(now);
    }
}
