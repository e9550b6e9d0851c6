//! A broker sink's disk spool: the lines its broker could not take yet, in order, bounded in
//! bytes. Lines are appended to segment files (`<id>.spool`, ids in order); the sender reads the
//! oldest segment from where it left off and deletes it once every line in it was delivered.
//! When a line would pass the bound, whole segments are dropped, oldest first, and their unsent
//! lines counted. A spool left by an earlier run is replayed first.
//!
//! Durability: appends go through a buffer to the OS; [`Spool::sync_job`] (run each second by
//! the sink's sync thread, and when the sink stops) hands the OS's copy to the disk: segments
//! completed since the last sync, the one being written, and the folder when a segment file was
//! made. A power cut or a crash loses at most the last second of spooled lines; a line cut short
//! at the end of a segment is not counted and never read.

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// At least this many segments fit in the bound, so dropping one loses a small part of it.
const SEGMENTS_IN_BOUND: u64 = 16;
/// The largest segment, whatever the bound.
const MAX_SEGMENT_BYTES: u64 = 16 << 20;
/// A first segment id with room below it for lines put back in front ([`Spool::prepend`]).
const FIRST_ID: u64 = 1 << 40;

#[derive(Debug)]
struct Segment {
    id: u64,
    bytes: u64,
    lines: u64,
    /// Lines delivered from the front of the segment, and the offset after them.
    read_lines: u64,
    read_offset: u64,
}

/// Where a [`Spool::peek`] ended, for [`Spool::commit`] once the lines are delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    id: u64,
    lines: u64,
    offset: u64,
}

impl Mark {
    /// Splits the mark of `lines` (as [`Spool::peek`] gave them) after the first `n`: the mark
    /// of those, and of the rest.
    pub fn split(self, lines: &[Vec<u8>], n: usize) -> (Mark, Mark) {
        let n = n.min(lines.len());
        let bytes = |lines: &[Vec<u8>]| lines.iter().map(|l| l.len() as u64 + 1).sum::<u64>();
        let rest_bytes = lines.get(n..).map_or(0, bytes);
        let head = Mark { id: self.id, lines: n as u64, offset: self.offset.saturating_sub(rest_bytes) };
        (head, Mark { id: self.id, lines: self.lines - n as u64, offset: self.offset })
    }
}

#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    max_bytes: u64,
    segment_bytes: u64,
    /// Oldest first; the last one is written.
    segments: VecDeque<Segment>,
    writer: Option<(u64, BufWriter<File>)>,
    bytes: u64,
    /// Files written since the last sync, besides the writer's.
    unsynced: Vec<File>,
    /// The writer's file was written since the last sync; a segment file was made.
    tail_unsynced: bool,
    folder_unsynced: bool,
}

/// The fsyncs that make a spool's lines durable, run without the spool's lock so the thread
/// offering lines never waits for the disk.
#[derive(Debug, Default)]
pub struct SyncJob {
    files: Vec<File>,
    folder: Option<PathBuf>,
}

impl SyncJob {
    pub fn run(self) -> io::Result<()> {
        for file in &self.files {
            file.sync_data()?;
        }
        match self.folder {
            Some(folder) => File::open(folder)?.sync_all(),
            None => Ok(()),
        }
    }
}

impl Spool {
    /// Opens (creating) the spool folder and takes over any segments an earlier run left.
    pub fn open(dir: &Path, max_bytes: u64) -> io::Result<Spool> {
        fs::create_dir_all(dir)?;
        let mut ids: Vec<u64> = fs::read_dir(dir)?
            .filter_map(|entry| {
                let name = entry.ok()?.file_name();
                u64::from_str_radix(name.to_str()?.strip_suffix(".spool")?, 16).ok()
            })
            .collect();
        ids.sort_unstable();
        let mut spool = Spool {
            dir: dir.to_path_buf(),
            max_bytes,
            segment_bytes: (max_bytes / SEGMENTS_IN_BOUND).clamp(1, MAX_SEGMENT_BYTES),
            segments: VecDeque::new(),
            writer: None,
            bytes: 0,
            unsynced: Vec::new(),
            tail_unsynced: false,
            folder_unsynced: false,
        };
        for id in ids {
            let (bytes, lines) = count_lines(&spool.path(id))?;
            spool.bytes += bytes;
            spool.segments.push_back(Segment { id, bytes, lines, read_lines: 0, read_offset: 0 });
        }
        Ok(spool)
    }

    fn path(&self, id: u64) -> PathBuf {
        self.dir.join(format!("{id:016x}.spool"))
    }

    /// Lines not delivered yet.
    pub fn lines(&self) -> u64 {
        self.segments.iter().map(|s| s.lines - s.read_lines).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.lines() == 0
    }

    /// Bytes the segment files hold.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Appends a line (without its newline); returns the lines dropped to stay in the bound
    /// (the line itself when it alone is larger than the bound).
    pub fn push(&mut self, line: &[u8]) -> io::Result<u64> {
        let need = line.len() as u64 + 1;
        if need > self.max_bytes {
            return Ok(1);
        }
        let dropped = self.make_room(need)?;
        let tail_full = self.segments.back().is_none_or(|s| s.bytes + need > self.segment_bytes);
        if tail_full || self.writer.is_none() {
            self.start_segment(self.segments.back().map_or(FIRST_ID, |s| s.id + 1))?;
        }
        if let (Some((_, writer)), Some(segment)) = (&mut self.writer, self.segments.back_mut()) {
            writer.write_all(line)?;
            writer.write_all(b"\n")?;
            segment.bytes += need;
            segment.lines += 1;
            self.bytes += need;
            self.tail_unsynced = true;
        }
        Ok(dropped)
    }

    /// Puts lines back in front of everything spooled (they are older); returns the lines
    /// dropped to stay in the bound, which are these first.
    pub fn prepend(&mut self, lines: &[Vec<u8>]) -> io::Result<u64> {
        if lines.is_empty() {
            return Ok(0);
        }
        let id = self.segments.front().map_or(FIRST_ID, |s| s.id - 1);
        let mut file = BufWriter::new(File::create(self.path(id))?);
        let mut segment = Segment { id, bytes: 0, lines: 0, read_lines: 0, read_offset: 0 };
        for line in lines {
            file.write_all(line)?;
            file.write_all(b"\n")?;
            segment.bytes += line.len() as u64 + 1;
            segment.lines += 1;
        }
        self.unsynced.push(file.into_inner().map_err(|e| e.into_error())?);
        self.folder_unsynced = true;
        self.bytes += segment.bytes;
        self.segments.push_front(segment);
        self.make_room(0)
    }

    /// Drops whole segments, oldest first, until `need` more bytes fit.
    fn make_room(&mut self, need: u64) -> io::Result<u64> {
        let mut dropped = 0;
        while self.bytes + need > self.max_bytes {
            let Some(segment) = self.segments.pop_front() else { break };
            dropped += segment.lines - segment.read_lines;
            self.remove(&segment)?;
        }
        Ok(dropped)
    }

    fn remove(&mut self, segment: &Segment) -> io::Result<()> {
        if self.writer.as_ref().is_some_and(|(id, _)| *id == segment.id) {
            self.writer = None;
        }
        self.bytes -= segment.bytes;
        match fs::remove_file(self.path(segment.id)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    fn start_segment(&mut self, id: u64) -> io::Result<()> {
        // The completed segment is synced with the next job.
        if let Some((_, writer)) = self.writer.take() {
            let file = writer.into_inner().map_err(|e| e.into_error())?;
            if std::mem::take(&mut self.tail_unsynced) {
                self.unsynced.push(file);
            }
        }
        let file = OpenOptions::new().create(true).append(true).open(self.path(id))?;
        self.folder_unsynced = true;
        self.writer = Some((id, BufWriter::with_capacity(1 << 16, file)));
        if self.segments.back().is_none_or(|s| s.id != id) {
            self.segments.push_back(Segment { id, bytes: 0, lines: 0, read_lines: 0, read_offset: 0 });
        }
        Ok(())
    }

    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.writer {
            Some((_, writer)) => writer.flush(),
            None => Ok(()),
        }
    }

    /// Hands what was appended to the OS and returns the fsyncs that make it durable.
    pub fn sync_job(&mut self) -> io::Result<SyncJob> {
        self.flush()?;
        let mut files = std::mem::take(&mut self.unsynced);
        if std::mem::take(&mut self.tail_unsynced) {
            if let Some((_, writer)) = &self.writer {
                files.push(writer.get_ref().try_clone()?);
            }
        }
        let folder = std::mem::take(&mut self.folder_unsynced).then(|| self.dir.clone());
        Ok(SyncJob { files, folder })
    }

    /// Reads up to `max` of the oldest undelivered lines into `out`, without consuming them.
    pub fn peek(&mut self, max: usize, out: &mut Vec<Vec<u8>>) -> io::Result<Option<Mark>> {
        self.flush()?;
        // Segments fully read are gone; an empty one is only the writer's.
        let Some(segment) = self.segments.iter().find(|s| s.read_lines < s.lines) else { return Ok(None) };
        let mut reader = BufReader::new(File::open(self.path(segment.id))?);
        reader.seek(SeekFrom::Start(segment.read_offset))?;
        let mut mark = Mark { id: segment.id, lines: 0, offset: segment.read_offset };
        while out.len() < max && segment.read_lines + mark.lines < segment.lines {
            let mut line = Vec::new();
            let read = reader.read_until(b'\n', &mut line)?;
            if line.pop() != Some(b'\n') {
                break;
            }
            mark.lines += 1;
            mark.offset += read as u64;
            out.push(line);
        }
        Ok(Some(mark))
    }

    /// The lines up to `mark` were delivered: forget them, and the segment once it is done.
    /// Returns how many of them had been counted dropped meanwhile (their segment was dropped
    /// at the bound while they were on their way).
    pub fn commit(&mut self, mark: Mark) -> io::Result<u64> {
        let Some(index) = self.segments.iter().position(|s| s.id == mark.id) else { return Ok(mark.lines) };
        let Some(segment) = self.segments.get_mut(index) else { return Ok(mark.lines) };
        segment.read_lines = (segment.read_lines + mark.lines).min(segment.lines);
        segment.read_offset = mark.offset;
        if segment.read_lines == segment.lines {
            if let Some(done) = self.segments.remove(index) {
                self.remove(&done)?;
            }
        }
        Ok(0)
    }
}

/// A segment's size and complete lines (a line cut short by a crash is not counted, and the
/// segment is never appended to again).
fn count_lines(path: &Path) -> io::Result<(u64, u64)> {
    let mut reader = BufReader::new(File::open(path)?);
    let (mut bytes, mut lines) = (0u64, 0u64);
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok((bytes, lines));
        }
        let n = buf.len();
        lines += memchr::memchr_iter(b'\n', buf).count() as u64;
        bytes += n as u64;
        reader.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("hardwire-spool-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn drain(spool: &mut Spool) -> Vec<String> {
        let mut all = Vec::new();
        loop {
            let mut batch = Vec::new();
            let Some(mark) = spool.peek(7, &mut batch).expect("peek") else { return all };
            spool.commit(mark).expect("commit");
            all.extend(batch.into_iter().map(|l| String::from_utf8(l).expect("utf-8")));
        }
    }

    #[test]
    fn lines_come_back_in_order_across_segments_and_runs() {
        let dir = scratch("order");
        let mut spool = Spool::open(&dir, 1 << 16).expect("open");
        let lines: Vec<String> = (0..1000).map(|i| format!("line {i:04}")).collect();
        for line in &lines[..600] {
            assert_eq!(spool.push(line.as_bytes()).expect("push"), 0);
        }
        let mut first = Vec::new();
        let mark = spool.peek(5, &mut first).expect("peek").expect("lines");
        spool.commit(mark).expect("commit");
        spool.flush().expect("flush");
        drop(spool);
        // A new run takes over what is left, then adds more; a batch is put back in front.
        let mut spool = Spool::open(&dir, 1 << 16).expect("reopen");
        assert_eq!(spool.lines(), 600, "an uncommitted offset is not remembered across runs: at least once");
        for line in &lines[600..] {
            spool.push(line.as_bytes()).expect("push");
        }
        // A batch the broker took in part: the head is committed, the rest comes again.
        let mut batch = Vec::new();
        let mark = spool.peek(7, &mut batch).expect("peek").expect("lines");
        let (head, _) = mark.split(&batch, 3);
        spool.commit(head).expect("commit");
        let mut again = Vec::new();
        spool.peek(7, &mut again).expect("peek");
        assert_eq!(again.first(), batch.get(3), "the rest starts after the acknowledged three");
        assert_eq!(spool.lines(), 1000 - 3);
        spool.prepend(&[b"older".to_vec()]).expect("prepend");
        let got = drain(&mut spool);
        assert_eq!(got.first().map(String::as_str), Some("older"));
        assert_eq!(&got[1..], &lines[3..], "every line, in order");
        assert_eq!((spool.lines(), spool.bytes()), (0, 0));
        assert_eq!(fs::read_dir(&dir).expect("dir").count(), 0, "delivered segments are deleted");
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_sync_covers_every_segment_written_since_the_last_and_the_folder() {
        let dir = scratch("sync");
        // Segments of 4096 bytes: 100 lines of 100 bytes fill two and start a third.
        let mut spool = Spool::open(&dir, 1 << 16).expect("open");
        for _ in 0..100 {
            spool.push(&[b'x'; 99]).expect("push");
        }
        let job = spool.sync_job().expect("sync job");
        assert_eq!((job.files.len(), job.folder.as_deref()), (3, Some(dir.as_path())), "two completed segments and the tail");
        job.run().expect("fsync");
        let on_disk: u64 = fs::read_dir(&dir).expect("dir").map(|e| e.expect("entry").metadata().expect("meta").len()).sum();
        assert_eq!(on_disk, 100 * 100, "every line is in the files, not in a buffer");
        let again = spool.sync_job().expect("sync job");
        assert!(again.files.is_empty() && again.folder.is_none(), "nothing new: nothing to sync");
        spool.push(b"one more").expect("push");
        spool.prepend(&[b"older".to_vec()]).expect("prepend");
        let job = spool.sync_job().expect("sync job");
        assert_eq!((job.files.len(), job.folder.is_some()), (2, true), "the tail and the segment put in front");
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn the_oldest_lines_are_dropped_and_counted_at_the_bound() {
        let dir = scratch("bound");
        let max = 1 << 16;
        let mut spool = Spool::open(&dir, max).expect("open");
        let line = [b'x'; 99];
        let mut dropped = 0;
        for _ in 0..2000 {
            dropped += spool.push(&line).expect("push");
            assert!(spool.bytes() <= max);
        }
        let on_disk: u64 = fs::read_dir(&dir).expect("dir").map(|e| e.expect("entry").metadata().expect("meta").len()).sum();
        spool.flush().expect("flush");
        assert!(on_disk <= max, "{on_disk}");
        assert!(dropped > 0);
        assert_eq!(dropped + spool.lines(), 2000, "every line is either kept or counted");
        assert_eq!(spool.push(&vec![b'y'; max as usize]).expect("push"), 1, "a line larger than the bound is dropped");
        let _ = fs::remove_dir_all(dir);
    }
}
