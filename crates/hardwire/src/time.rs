//! Timestamps: microseconds since the Unix epoch, from the packet (never the wall clock offline).

use chrono::{Datelike, Timelike};

/// A point in time, in microseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub u64);

impl Timestamp {
    pub fn from_secs_micros(secs: i64, micros: i64) -> Timestamp {
        let total = secs.saturating_mul(1_000_000).saturating_add(micros);
        Timestamp(u64::try_from(total).unwrap_or(0))
    }

    pub fn micros(self) -> u64 {
        self.0
    }

    /// RFC 3339 in UTC with microseconds, as SCHEMA.md asks: `2026-11-20T09:14:03.512044Z`.
    pub fn rfc3339(self) -> String {
        String::from_utf8_lossy(&self.rfc3339_bytes()).into_owned()
    }

    /// The same, on the stack: every output line carries one, and the formatting machinery
    /// and the allocation cost more than the calendar. Years past 9999 (which RFC 3339 cannot
    /// write) read as the epoch.
    fn rfc3339_bytes(self) -> [u8; 27] {
        self.rfc3339_in_range().unwrap_or(EPOCH)
    }

    /// The text, for years up to 9999.
    fn rfc3339_in_range(self) -> Option<[u8; 27]> {
        let secs = i64::try_from(self.0 / 1_000_000).ok()?;
        let t = chrono::DateTime::from_timestamp(secs, 0).filter(|t| t.year() <= 9999)?;
        let mut text = *b"0000-00-00T00:00:00.000000Z";
        let fields = [
            (0..4, t.year() as u32),
            (5..7, t.month()),
            (8..10, t.day()),
            (11..13, t.hour()),
            (14..16, t.minute()),
            (17..19, t.second()),
            (MICROS, self.subsec_micros()),
        ];
        for (at, value) in fields {
            put_digits(&mut text[at], value);
        }
        Some(text)
    }

    fn subsec_micros(self) -> u32 {
        (self.0 % 1_000_000) as u32
    }
}

const EPOCH: [u8; 27] = *b"1970-01-01T00:00:00.000000Z";

/// Where the microseconds are in the text.
const MICROS: std::ops::Range<usize> = 20..26;

/// `value`'s last decimal digits, as many as `digits` holds.
fn put_digits(digits: &mut [u8], mut value: u32) {
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// RFC 3339 text of one line's time after another's, the calendar worked out once a second: a
/// capture's lines come in time order, most in the second of the line before, and only their
/// microseconds differ. The calendar costs some 250 instructions, the microseconds 40.
#[derive(Debug, Default)]
pub struct Rfc3339Text {
    /// The second whose calendar `text` holds (none past year 9999, whose text is the epoch's).
    second: Option<u64>,
    text: [u8; 27],
}

impl Rfc3339Text {
    /// The text of `time` (ASCII digits and separators), as [`Timestamp::rfc3339`] writes it.
    pub fn of(&mut self, time: Timestamp) -> &[u8; 27] {
        let second = time.0 / 1_000_000;
        if self.second == Some(second) {
            put_digits(&mut self.text[MICROS], time.subsec_micros());
        } else {
            let text = time.rfc3339_in_range();
            self.second = text.map(|_| second);
            self.text = text.unwrap_or(EPOCH);
        }
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_microseconds_in_utc() {
        assert_eq!(Timestamp(1_795_000_000_000_001).rfc3339(), "2026-11-18T11:06:40.000001Z");
        assert_eq!(Timestamp(0).rfc3339(), "1970-01-01T00:00:00.000000Z");
        assert_eq!(Timestamp(u64::MAX).rfc3339(), "1970-01-01T00:00:00.000000Z");
    }

    /// The text kept from the line before agrees with a fresh one: the same second, the next,
    /// a second past year 9999 and the same again, back.
    #[test]
    fn the_kept_calendar_agrees() {
        let past_9999 = 253_402_300_800_000_000;
        let times =
            [1_795_000_000_000_001, 1_795_000_000_999_999, 1_795_000_001_000_000, 0, 7, past_9999 + 5, past_9999 + 6, past_9999 - 1, 12];
        let mut kept = Rfc3339Text::default();
        for t in times {
            assert_eq!(String::from_utf8_lossy(kept.of(Timestamp(t))), Timestamp(t).rfc3339(), "{t}");
        }
        assert_eq!(Timestamp(past_9999 - 1).rfc3339(), "9999-12-31T23:59:59.999999Z");
        assert_eq!(Timestamp(past_9999 + 6).rfc3339(), "1970-01-01T00:00:00.000000Z");
    }

    /// The hand-written digits agree with chrono's own RFC 3339 writer over four centuries.
    #[test]
    fn agrees_with_chrono() {
        let mut t: u64 = 12_345;
        while t < 13_000_000_000_000_000 {
            let secs = (t / 1_000_000) as i64;
            let nanos = (t % 1_000_000) as u32 * 1_000;
            let expected = chrono::DateTime::from_timestamp(secs, nanos).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
            assert_eq!(Some(Timestamp(t).rfc3339()), expected, "{t}");
            t += 987_654_321_123; // 11.4 days and some: every month, day and hour comes round
        }
    }
}
