//! Timestamps: microseconds since the Unix epoch, from the packet (never the wall clock offline).

use serde::{Serialize, Serializer};

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
        let secs = i64::try_from(self.0 / 1_000_000).unwrap_or(0);
        let nanos = ((self.0 % 1_000_000) * 1_000) as u32;
        match chrono::DateTime::from_timestamp(secs, nanos) {
            Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            None => "1970-01-01T00:00:00.000000Z".to_string(),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_microseconds_in_utc() {
        assert_eq!(Timestamp(1_795_000_000_000_001).rfc3339(), "2026-11-18T11:06:40.000001Z");
        assert_eq!(Timestamp(0).rfc3339(), "1970-01-01T00:00:00.000000Z");
    }
}
