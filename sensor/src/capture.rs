//! Opening captures: files (pcap, pcapng), stdin (`-`), and gzip-compressed captures.
//!
//! Files are read by [`FileReader`]: a feeder thread reads the file in large blocks (so the
//! analysis thread neither waits on the disk nor copies), cut at record boundaries, and the
//! reader hands out frames borrowed from those blocks. A file is read with `read(2)`, never
//! mapped: a capture truncated, shrunk or replaced under the reader (`tcpdump -W` ring files,
//! `copytruncate` rotation) ends the reading with a message and the records before the cut,
//! where a mapped file would end the process with SIGBUS.
//!
//! Classic pcap is read exactly as libpcap reads it; at the first thing the reader does not
//! handle as libpcap does (a record longer than the snapshot length, a cut record), it hands
//! over to libpcap, which skips the records already read and goes on, so the output and errors
//! are libpcap's. pcapng is read by the reader itself, as tshark reads it: any number of
//! interfaces, each with its own link type, snapshot length and timestamp resolution (libpcap
//! refuses interfaces that differ from the first). Stdin and gzip go through libpcap, fed by a
//! thread through a pipe.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};
use flate2::read::MultiGzDecoder;
use pcap::{Capture, Offline};

/// An open offline capture, and what keeps its input flowing.
pub struct OfflineCapture {
    source: Source,
    /// The pipe's read end and its feeder thread, when the input is inflated or read from stdin.
    _feeder: Option<(io::PipeReader, JoinHandle<()>)>,
}

enum Source {
    Libpcap(Capture<Offline>),
    File(FileReader),
}

/// One captured frame.
pub struct Frame<'a> {
    pub ts_secs: i64,
    pub ts_micros: i64,
    /// Length on the wire (the capture may hold less).
    pub wire_len: u32,
    /// The link type of the interface it was captured on, as a DLT value.
    pub dlt: i32,
    pub data: &'a [u8],
}

impl OfflineCapture {
    /// The next frame; `Ok(None)` at the end of the capture. Errors are one line naming the reason.
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>, String> {
        if let Source::File(file) = &mut self.source {
            match file.advance()? {
                Step::Record => {}
                Step::End => return Ok(None),
                Step::HandOver => self.hand_over()?,
            }
        }
        match &mut self.source {
            Source::File(file) => Ok(file.frame()),
            Source::Libpcap(capture) => libpcap_frame(capture),
        }
    }

    /// Goes on with libpcap from the record the file reader stopped at.
    #[cold]
    #[inline(never)]
    fn hand_over(&mut self) -> Result<(), String> {
        let Source::File(file) = &self.source else { return Ok(()) };
        let (path, delivered) = (file.path.clone(), file.delivered);
        let mut capture = Capture::from_file(&path).map_err(describe)?;
        for _ in 0..delivered {
            capture.next_packet().map_err(|e| format!("{} (reading it again after a change)", describe(e)))?;
        }
        self.source = Source::Libpcap(capture);
        Ok(())
    }
}

/// The next frame libpcap reads. Not inlined: the file reader's frames, nearly all, then need
/// less set up per call.
#[inline(never)]
fn libpcap_frame(capture: &mut Capture<Offline>) -> Result<Option<Frame<'_>>, String> {
    let dlt = capture.get_datalink().0;
    match capture.next_packet() {
        Ok(packet) => Ok(Some(Frame {
            ts_secs: packet.header.ts.tv_sec,
            ts_micros: packet.header.ts.tv_usec,
            wire_len: packet.header.len,
            dlt,
            data: packet.data,
        })),
        Err(pcap::Error::NoMorePackets) => Ok(None),
        Err(error) => Err(describe(error)),
    }
}

/// What [`FileReader::advance`] found.
enum Step {
    /// A record is current.
    Record,
    /// The clean end of the capture.
    End,
    /// Something classic pcap leaves to libpcap.
    HandOver,
}

/// libpcap's largest snapshot length for the link types hardwire decodes.
const MAX_SNAPLEN: u32 = 262_144;
const FILE_HEADER: usize = 24;
const RECORD_HEADER: usize = 16;
/// The largest pcapng block read (libpcap's limit too).
const MAX_BLOCK: usize = 16 << 20;
/// The feeder reads this much at a time; a block handed over holds whole records only.
const CHUNK: usize = 1 << 20;
/// Blocks read ahead of the reader.
const READ_AHEAD: usize = 2;

const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 1;
const OBSOLETE_PACKET: u32 = 2;
const SIMPLE_PACKET: u32 = 3;
const EPB: u32 = 6;
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;

/// How a capture file is cut into records.
#[derive(Clone, Copy)]
enum Format {
    Classic {
        big_endian: bool,
        nanos: bool,
        snaplen: u32,
        dlt: i32,
    },
    /// The byte order is the current section's.
    PcapNg {
        big_endian: bool,
    },
}

/// How far a record at the start of some bytes goes.
enum Extent {
    /// The record header is not all there yet.
    Unknown,
    Bytes(usize),
    /// Classic: what libpcap should read; pcapng: a malformed block.
    Unusual,
}

impl Format {
    /// The length of the record at the start of `bytes`. A pcapng section header switches the
    /// byte order for what follows.
    fn extent(&mut self, bytes: &[u8]) -> Extent {
        match *self {
            Format::Classic { big_endian, snaplen, .. } => match u32_at(bytes, 8, big_endian) {
                None => Extent::Unknown,
                Some(caplen) if caplen > snaplen => Extent::Unusual,
                Some(caplen) => Extent::Bytes(RECORD_HEADER + caplen as usize),
            },
            Format::PcapNg { ref mut big_endian } => {
                if u32_at(bytes, 0, false) == Some(SHB) {
                    match bytes.get(8..12) {
                        None => return Extent::Unknown,
                        Some(b) if u32::from_le_bytes([b[0], b[1], b[2], b[3]]) == BYTE_ORDER_MAGIC => *big_endian = false,
                        Some(b) if u32::from_be_bytes([b[0], b[1], b[2], b[3]]) == BYTE_ORDER_MAGIC => *big_endian = true,
                        Some(_) => return Extent::Unusual,
                    }
                }
                match u32_at(bytes, 4, *big_endian).map(|n| n as usize) {
                    None => Extent::Unknown,
                    Some(n) if n < 12 || n % 4 != 0 || n > MAX_BLOCK => Extent::Unusual,
                    Some(n) => Extent::Bytes(n),
                }
            }
        }
    }
}

/// What the feeder sends: blocks of whole records, then how the file ended.
enum Piece {
    Records(Vec<u8>),
    End(End),
}

enum End {
    /// The end of the file at a record boundary.
    Clean,
    /// A record the format leaves to libpcap (classic) or a malformed block (pcapng), at this offset.
    Unusual(u64),
    /// The file ends inside a record starting at this offset.
    Cut(u64),
    /// The file is now shorter than what was already read from it.
    Shrunk {
        read: u64,
        now: u64,
    },
    Failed(io::Error),
}

/// A capture file read by a feeder thread, frames borrowed from its blocks.
struct FileReader {
    path: PathBuf,
    format: Format,
    pieces: Receiver<Piece>,
    recycle: Sender<Vec<u8>>,
    block: Vec<u8>,
    /// The current record is `block[record..next]`.
    record: usize,
    next: usize,
    /// Records handed out so far.
    delivered: u64,
    ended: bool,
    /// pcapng: the current section's interfaces.
    interfaces: Vec<Interface>,
    _feeder: JoinHandle<()>,
}

/// A pcapng interface, as its description block says.
#[derive(Clone, Copy)]
struct Interface {
    dlt: i32,
    snaplen: u32,
    /// Timestamp units per second.
    units: u64,
    offset_secs: i64,
}

impl FileReader {
    /// Starts reading `path` if it is a classic pcap or a pcapng file.
    fn open(path: &Path) -> Option<FileReader> {
        let mut file = File::open(path).ok()?;
        if !file.metadata().ok()?.is_file() {
            return None;
        }
        let mut header = [0u8; FILE_HEADER];
        file.read_exact(&mut header).ok()?;
        let (format, start) = match header[..4] {
            [0x0a, 0x0d, 0x0d, 0x0a] => (Format::PcapNg { big_endian: false }, 0),
            _ => (classic_format(&header)?, FILE_HEADER),
        };
        let (pieces_tx, pieces) = crossbeam_channel::bounded(READ_AHEAD);
        let (recycle, recycled) = crossbeam_channel::bounded(READ_AHEAD + 1);
        let prefix = header[start..].to_vec();
        let feeder = std::thread::Builder::new()
            .name("reader".into())
            .spawn(move || feed(file, prefix, start as u64, format, pieces_tx, recycled))
            .ok()?;
        Some(FileReader {
            path: path.to_path_buf(),
            format,
            pieces,
            recycle,
            block: Vec::new(),
            record: 0,
            next: 0,
            delivered: 0,
            ended: false,
            interfaces: Vec::new(),
            _feeder: feeder,
        })
    }

    /// Moves to the next record that is a frame.
    fn advance(&mut self) -> Result<Step, String> {
        loop {
            if self.next >= self.block.len() {
                if let Some(step) = self.next_block()? {
                    return Ok(step);
                }
                continue;
            }
            self.record = self.next;
            let mut format = self.format;
            let Extent::Bytes(len) = format.extent(&self.block[self.record..]) else {
                return Err("internal: a record the reader thread had measured".into());
            };
            self.next += len;
            match format {
                Format::Classic { .. } => {
                    self.delivered += 1;
                    return Ok(Step::Record);
                }
                Format::PcapNg { big_endian } => {
                    self.format = format;
                    if self.pcapng_block(big_endian)? {
                        self.delivered += 1;
                        return Ok(Step::Record);
                    }
                }
            }
        }
    }

    /// Takes the feeder's next block of records; at the end, the step that ends the reading.
    /// Out of line: once a megabyte, and the channel's machinery made every frame's call dearer.
    #[cold]
    #[inline(never)]
    fn next_block(&mut self) -> Result<Option<Step>, String> {
        if self.ended {
            return Ok(Some(Step::End));
        }
        let used = std::mem::take(&mut self.block);
        let _ = self.recycle.try_send(used);
        let piece = self.pieces.recv().unwrap_or(Piece::End(End::Failed(io::Error::other("the reader thread stopped"))));
        match piece {
            Piece::Records(block) => {
                (self.block, self.record, self.next) = (block, 0, 0);
                Ok(None)
            }
            Piece::End(end) => {
                self.ended = true;
                self.ending(end).map(Some)
            }
        }
    }

    /// How the file ended, read as an error or a hand-over.
    fn ending(&self, end: End) -> Result<Step, String> {
        let classic = matches!(self.format, Format::Classic { .. });
        match end {
            End::Clean => Ok(Step::End),
            End::Unusual(_) | End::Cut(_) if classic => Ok(Step::HandOver),
            End::Unusual(at) => Err(format!("malformed pcapng block at offset {at}")),
            End::Cut(at) => Err(format!("truncated pcapng file: the block at offset {at} is cut short")),
            End::Shrunk { read, now } => Err(format!(
                "the file shrank to {now} bytes while being read ({read} bytes had been read: truncated, rotated or replaced); \
                 the {} records before that were read",
                self.delivered
            )),
            End::Failed(error) => Err(format!("reading: {error}")),
        }
    }

    /// Takes in the pcapng block `advance` moved to: `Ok(true)` if it is a packet.
    fn pcapng_block(&mut self, big_endian: bool) -> Result<bool, String> {
        let block = &self.block[self.record..self.next];
        let u32_at = |at: usize| u32_at(block, at, big_endian);
        match u32_at(0).unwrap_or(0) {
            SHB => self.interfaces.clear(),
            IDB => {
                let linktype = u32_at(8).map(|n| n & 0xffff).ok_or("a cut interface description block")?;
                let snaplen = u32_at(12).ok_or("a cut interface description block")?;
                let mut interface = Interface {
                    dlt: dlt_of_linktype(linktype),
                    snaplen: if snaplen == 0 || snaplen > MAX_SNAPLEN { MAX_SNAPLEN } else { snaplen },
                    units: 1_000_000,
                    offset_secs: 0,
                };
                for (code, value) in options(block.get(16..block.len() - 4).unwrap_or_default(), big_endian) {
                    match (code, value) {
                        // if_tsresol: a power of ten, or of two with the top bit set
                        (9, &[resolution, ..]) => {
                            let exponent = u32::from(resolution & 0x7f);
                            let base: u64 = if resolution & 0x80 != 0 { 2 } else { 10 };
                            interface.units =
                                base.checked_pow(exponent).ok_or_else(|| format!("if_tsresol {resolution:#x} out of range"))?;
                        }
                        // if_tsoffset: seconds added to every timestamp
                        (14, &[a, b, c, d, e, f, g, h]) => {
                            let bytes = [a, b, c, d, e, f, g, h];
                            interface.offset_secs = if big_endian { i64::from_be_bytes(bytes) } else { i64::from_le_bytes(bytes) };
                        }
                        _ => {}
                    }
                }
                self.interfaces.push(interface);
            }
            EPB | OBSOLETE_PACKET | SIMPLE_PACKET => return Ok(true),
            // statistics, name resolution, decryption secrets, custom blocks: nothing to read
            _ => {}
        }
        Ok(false)
    }

    /// The record `advance` moved to.
    fn frame(&self) -> Option<Frame<'_>> {
        let record = self.block.get(self.record..self.next)?;
        match self.format {
            Format::Classic { big_endian, nanos, dlt, .. } => {
                // The record header read as one array: four bounds checks per frame were a
                // tenth of the reader's cost.
                let (header, data) = record.split_first_chunk::<RECORD_HEADER>()?;
                let field = |at: usize| u32_of([header[at], header[at + 1], header[at + 2], header[at + 3]], big_endian);
                let (secs, frac, caplen, wire_len) = (field(0), field(4), field(8), field(12));
                Some(Frame {
                    // libpcap reads both as signed 32-bit values, and scales nanoseconds down
                    ts_secs: i64::from(secs as i32),
                    ts_micros: if nanos { i64::from(frac / 1000) } else { i64::from(frac as i32) },
                    wire_len,
                    dlt,
                    data: data.get(..caplen as usize).unwrap_or_default(),
                })
            }
            Format::PcapNg { big_endian } => self.pcapng_frame(record, big_endian),
        }
    }

    /// A pcapng packet block as a frame, its interface's fields applied as libpcap applies them.
    fn pcapng_frame<'a>(&self, record: &'a [u8], big_endian: bool) -> Option<Frame<'a>> {
        let field = |offset: usize| u32_at(record, offset, big_endian).unwrap_or(0);
        let body_end = record.len() - 4;
        let (interface, ts, caplen, wire_len, data_at) = match field(0) {
            SIMPLE_PACKET => (0, None, field(8).min((body_end.saturating_sub(12)) as u32), field(8), 12),
            kind => {
                let interface = if kind == EPB { field(8) } else { field(8) & 0xffff };
                let ts = (u64::from(field(12)) << 32) | u64::from(field(16));
                (interface, Some(ts), field(20), field(24), 28)
            }
        };
        // A packet on an interface with no description has no link type: an empty frame of link
        // type 0 is counted by the engine as a decode error.
        let interface = self.interfaces.get(interface as usize).copied();
        let (dlt, snaplen, units, offset_secs) =
            interface.map_or((0, MAX_SNAPLEN, 1_000_000, 0), |i| (i.dlt, i.snaplen, i.units, i.offset_secs));
        let (secs, micros) = match ts {
            Some(ts) => {
                let frac = ts % units;
                let micros = (u128::from(frac) * 1_000_000 / u128::from(units)) as i64;
                (i64::try_from(ts / units).unwrap_or(i64::MAX).saturating_add(offset_secs), micros)
            }
            None => (0, 0),
        };
        let caplen = (caplen.min(snaplen) as usize).min(body_end.saturating_sub(data_at));
        Some(Frame {
            ts_secs: secs,
            ts_micros: micros,
            wire_len,
            dlt,
            data: if interface.is_some() { record.get(data_at..data_at + caplen).unwrap_or_default() } else { &[] },
        })
    }
}

/// The pcapng options in `bytes`: code and value, until `opt_endofopt` or the end.
fn options(mut bytes: &[u8], big_endian: bool) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let head = bytes.get(..4)?;
        let (code, len) = if big_endian {
            (u16::from_be_bytes([head[0], head[1]]), u16::from_be_bytes([head[2], head[3]]))
        } else {
            (u16::from_le_bytes([head[0], head[1]]), u16::from_le_bytes([head[2], head[3]]))
        };
        let len = usize::from(len);
        let value = bytes.get(4..4 + len)?;
        bytes = bytes.get(4 + len.next_multiple_of(4)..).unwrap_or_default();
        (code != 0).then_some((code, value))
    })
}

/// libpcap's LINKTYPE to DLT mapping where they differ, for the link types we decode.
fn dlt_of_linktype(linktype: u32) -> i32 {
    match linktype {
        // LINKTYPE_RAW is DLT_RAW
        101 => 12,
        other => other as i32,
    }
}

/// The classic pcap file header's reading, if it is one (version 2.4, either byte order, micro-
/// or nanosecond stamps).
fn classic_format(header: &[u8; FILE_HEADER]) -> Option<Format> {
    let (big_endian, nanos) = match header[..4] {
        [0xd4, 0xc3, 0xb2, 0xa1] => (false, false),
        [0x4d, 0x3c, 0xb2, 0xa1] => (false, true),
        [0xa1, 0xb2, 0xc3, 0xd4] => (true, false),
        [0xa1, 0xb2, 0x3c, 0x4d] => (true, true),
        _ => return None,
    };
    let version = u32_at(header, 4, big_endian)?;
    if version != if big_endian { 0x0002_0004 } else { 0x0004_0002 } {
        return None;
    }
    let snaplen = match u32_at(header, 16, big_endian)? {
        0 => MAX_SNAPLEN,
        n => n.min(MAX_SNAPLEN),
    };
    let dlt = dlt_of_linktype(u32_at(header, 20, big_endian)? & 0x03ff_ffff);
    Some(Format::Classic { big_endian, nanos, snaplen, dlt })
}

/// The feeder thread: reads `file` from `offset` (after `prefix`, already read) in blocks of
/// whole records, each sent as soon as it is read, until the end or a problem.
fn feed(mut file: File, prefix: Vec<u8>, offset: u64, mut format: Format, pieces: Sender<Piece>, recycled: Receiver<Vec<u8>>) {
    let mut carry = prefix;
    // The file offset of `carry`'s first byte, and how many bytes the record it starts needs.
    let (mut at, mut need) = (offset, 0);
    loop {
        let mut block = recycled.try_recv().unwrap_or_else(|_| Vec::with_capacity(CHUNK));
        block.clear();
        block.append(&mut carry);
        let want = CHUNK.max(need).saturating_sub(block.len()).max(1);
        let eof = match (&mut file).take(want as u64).read_to_end(&mut block) {
            Ok(n) => n < want,
            Err(error) => {
                let _ = pieces.send(Piece::End(End::Failed(error)));
                return;
            }
        };
        // Whole records only; the rest waits for the next read.
        let (mut whole, mut stop) = (0, None);
        need = 0;
        loop {
            match format.extent(&block[whole..]) {
                Extent::Bytes(len) if whole + len <= block.len() => whole += len,
                Extent::Bytes(len) => {
                    need = len;
                    break;
                }
                Extent::Unusual => {
                    stop = Some(End::Unusual(at + whole as u64));
                    break;
                }
                Extent::Unknown => break,
            }
        }
        let read_to = at + block.len() as u64;
        if stop.is_none() && eof {
            let now = file.metadata().map_or(read_to, |m| m.len());
            stop = Some(match (now < read_to, whole < block.len()) {
                (true, _) => End::Shrunk { read: read_to, now },
                (false, true) => End::Cut(at + whole as u64),
                (false, false) => End::Clean,
            });
        }
        carry.extend_from_slice(&block[whole..]);
        block.truncate(whole);
        at += whole as u64;
        if !block.is_empty() && pieces.send(Piece::Records(block)).is_err() {
            // the reader has gone
            return;
        }
        if let Some(end) = stop {
            let _ = pieces.send(Piece::End(end));
            return;
        }
    }
}

fn u32_at(bytes: &[u8], at: usize, big_endian: bool) -> Option<u32> {
    Some(u32_of(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?, big_endian))
}

fn u32_of(bytes: [u8; 4], big_endian: bool) -> u32 {
    if big_endian {
        u32::from_be_bytes(bytes)
    } else {
        u32::from_le_bytes(bytes)
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Opens `path` (or stdin for `-`). Errors are one line naming the reason.
pub fn open(path: &Path) -> Result<OfflineCapture, String> {
    if path == Path::new("-") {
        return through_pipe(Box::new(io::stdin()));
    }
    let mut file = File::open(path).map_err(|e| e.to_string())?;
    let mut magic = [0u8; 2];
    let gzipped = file.read_exact(&mut magic).is_ok() && magic == GZIP_MAGIC;
    if gzipped {
        let file = File::open(path).map_err(|e| e.to_string())?;
        return through_pipe(Box::new(file));
    }
    if let Some(file) = FileReader::open(path) {
        return Ok(OfflineCapture { source: Source::File(file), _feeder: None });
    }
    let capture = Capture::from_file(path).map_err(describe)?;
    Ok(OfflineCapture { source: Source::Libpcap(capture), _feeder: None })
}

/// Feeds `input` (inflated if it is gzip) through a pipe to libpcap: stdin, or a stream
/// `hardwire report` has already peeked at.
pub fn through_pipe(mut input: Box<dyn Read + Send>) -> Result<OfflineCapture, String> {
    let (reader, mut writer) = io::pipe().map_err(|e| e.to_string())?;
    let feeder = std::thread::spawn(move || {
        let mut magic = [0u8; 2];
        let mut head = 0;
        while head < 2 {
            match input.read(&mut magic[head..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => head += n,
            }
        }
        let prefix = io::Cursor::new(magic[..head].to_vec());
        let mut chained: Box<dyn Read> = Box::new(prefix.chain(input));
        if magic[..head] == GZIP_MAGIC {
            chained = Box::new(MultiGzDecoder::new(chained));
        }
        // A reader that stops early closes the pipe; the copy then ends with an error, which is fine.
        let _ = io::copy(&mut chained, &mut writer);
        let _ = writer.flush();
    });
    let fd_path = format!("/dev/fd/{}", reader.as_raw_fd());
    let capture = Capture::from_file(&fd_path).map_err(describe)?;
    Ok(OfflineCapture { source: Source::Libpcap(capture), _feeder: Some((reader, feeder)) })
}

/// libpcap's messages, made to read as a reason.
pub fn describe(error: pcap::Error) -> String {
    match error {
        pcap::Error::PcapError(message) if message.contains("unknown file format") => {
            "not a capture file (neither pcap nor pcapng)".to_string()
        }
        pcap::Error::PcapError(message) if message.is_empty() => "empty or unreadable capture".to_string(),
        pcap::Error::PcapError(message) if message.contains("only got 0") && message.contains("file header") => "empty file".to_string(),
        pcap::Error::PcapError(message) => message,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    /// What a reader made of a capture: each frame's fields, then how it ended.
    type Reading = (Vec<(i64, i64, u32, Vec<u8>)>, Result<(), String>);

    fn through_hardwire(path: &Path) -> Reading {
        let mut frames = Vec::new();
        let Ok(mut input) = open(path) else { return (frames, Err("open".into())) };
        loop {
            match input.next_frame() {
                Ok(Some(f)) => frames.push((f.ts_secs, f.ts_micros, f.wire_len, f.data.to_vec())),
                Ok(None) => return (frames, Ok(())),
                Err(e) => return (frames, Err(e)),
            }
        }
    }

    fn through_libpcap(path: &Path) -> Reading {
        let mut frames = Vec::new();
        let Ok(mut capture) = Capture::from_file(path) else { return (frames, Err("open".into())) };
        loop {
            match capture.next_packet() {
                Ok(p) => frames.push((p.header.ts.tv_sec, p.header.ts.tv_usec, p.header.len, p.data.to_vec())),
                Err(pcap::Error::NoMorePackets) => return (frames, Ok(())),
                Err(e) => return (frames, Err(describe(e))),
            }
        }
    }

    fn is_classic(path: &Path) -> bool {
        let mut header = [0u8; FILE_HEADER];
        File::open(path).and_then(|mut f| f.read_exact(&mut header)).is_ok() && classic_format(&header).is_some()
    }

    fn classic_pcaps(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                classic_pcaps(&path, out);
            } else if is_classic(&path) {
                out.push(path);
            }
        }
    }

    /// Every pcapng of `pcaps/` and `../shared/pcaps` (all have one interface, which libpcap
    /// reads) reads as libpcap reads it; cut copies end in an error after the records before the cut.
    #[test]
    fn pcapng_reads_as_libpcap() {
        let shared = hardwire::test_support::shared_dir().expect("../shared");
        let mut files = Vec::new();
        pcapngs(&shared.join("pcaps"), &mut files);
        assert!(files.len() >= 10, "only {} pcapng files found", files.len());
        let scratch = std::env::temp_dir().join(format!("hardwire-pcapng-test-{}", std::process::id()));
        std::fs::create_dir_all(&scratch).expect("a scratch folder");
        for path in &files {
            let reading = through_hardwire(path);
            assert!(reading.1.is_ok() && !reading.0.is_empty(), "{}: {:?}", path.display(), reading.1);
            assert!(reading == through_libpcap(path), "{}: frames differ from libpcap's", path.display());
            let bytes = std::fs::read(path).expect("reading the capture");
            let short = scratch.join("short.pcapng");
            std::fs::write(&short, &bytes[..bytes.len() / 2]).expect("writing the cut copy");
            let (frames, end) = through_hardwire(&short);
            assert!(end.is_err() && frames.len() < reading.0.len(), "{} cut in half: {end:?}", path.display());
            assert!(frames[..] == reading.0[..frames.len()], "{} cut in half: other frames", path.display());
        }
        let _ = std::fs::remove_dir_all(&scratch);
    }

    fn pcapngs(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pcapngs(&path, out);
            } else if path.extension().is_some_and(|e| e == "pcapng") {
                out.push(path);
            }
        }
    }

    /// A capture truncated while it is read (what `tcpdump -W` and `copytruncate` do) ends the
    /// reading with a message and exactly the records before the cut, not with a signal:
    /// truncated behind the reader (it has read past the new end) and ahead of it.
    #[test]
    fn file_truncated_under_the_reader() {
        let root = hardwire::test_support::workspace_root().expect("the workspace root");
        let source = std::fs::read(root.join("pcaps/smb/smb-transfer-5mb.pcap")).expect("the 5 MB transfer");
        // Its records eight times over: larger than what the reader thread reads ahead.
        let mut bytes = source[..FILE_HEADER].to_vec();
        for _ in 0..8 {
            bytes.extend_from_slice(&source[FILE_HEADER..]);
        }
        assert!(bytes.len() > (READ_AHEAD + 3) * CHUNK);
        let scratch = std::env::temp_dir().join(format!("hardwire-truncate-test-{}", std::process::id()));
        std::fs::create_dir_all(&scratch).expect("a scratch folder");
        let path = scratch.join("ring.pcap");
        std::fs::write(&path, &bytes).expect("writing the copy");
        let whole = through_hardwire(&path).0;
        for cut in [CHUNK / 4, bytes.len() - CHUNK] {
            std::fs::write(&path, &bytes).expect("writing the copy");
            let mut input = open(&path).expect("opening the copy");
            let mut frames = Vec::new();
            let first = input.next_frame().expect("a first frame").expect("a first frame");
            frames.push(first.data.to_vec());
            File::options().write(true).open(&path).and_then(|f| f.set_len(cut as u64)).expect("truncating the copy");
            let end = loop {
                match input.next_frame() {
                    Ok(Some(frame)) => frames.push(frame.data.to_vec()),
                    Ok(None) => break Ok(()),
                    Err(error) => break Err(error),
                }
            };
            let error = end.expect_err("a truncated file ends in an error");
            assert!(error.contains("shrank") || error.contains("truncated"), "cut at {cut}: {error}");
            assert!(frames.len() < whole.len(), "cut at {cut}: all {} frames read", frames.len());
            assert!(frames.iter().zip(&whole).all(|(a, b)| *a == b.3), "cut at {cut}: other frames than the file's");
        }
        let _ = std::fs::remove_dir_all(&scratch);
    }

    /// The classic reader hands out exactly libpcap's frames and ends as libpcap does, on every
    /// classic pcap of `pcaps/` and `../shared/pcaps`, and on copies of them cut short at
    /// several places (where it hands over to libpcap for the error).
    #[test]
    fn classic_reader_reads_as_libpcap() {
        let root = hardwire::test_support::workspace_root().expect("the workspace root");
        let mut files = Vec::new();
        classic_pcaps(&root.join("pcaps"), &mut files);
        if let Some(shared) = hardwire::test_support::shared_dir() {
            classic_pcaps(&shared.join("pcaps"), &mut files);
        }
        assert!(files.len() > 20, "only {} classic pcap files found", files.len());
        let scratch = std::env::temp_dir().join(format!("hardwire-capture-test-{}", std::process::id()));
        std::fs::create_dir_all(&scratch).expect("a scratch folder");
        for path in &files {
            let reading = through_hardwire(path);
            assert!(reading.1.is_ok() && !reading.0.is_empty(), "{}: {:?}", path.display(), reading.1);
            assert!(reading == through_libpcap(path), "{}: frames differ from libpcap's", path.display());
            let bytes = std::fs::read(path).expect("reading the capture");
            for cut in [FILE_HEADER + 7, bytes.len() / 3, bytes.len() - 1] {
                let short = scratch.join("short.pcap");
                std::fs::write(&short, &bytes[..cut]).expect("writing the cut copy");
                assert!(through_hardwire(&short) == through_libpcap(&short), "{} cut at {cut}: differs from libpcap", path.display());
            }
        }
        let _ = std::fs::remove_dir_all(&scratch);
    }
}
