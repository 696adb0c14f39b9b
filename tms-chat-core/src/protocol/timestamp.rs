//! Timestamps on the wire: RFC 3339 text in UTC (`2026-12-03T18:05:41.123456Z`), exactly the
//! text chrono's own `Serialize` writes (fraction of 0, 3, 6 or 9 digits, whichever shows the
//! value; `Z` for UTC), written into a stack buffer instead of through `core::fmt`. Every
//! message frame carries one, and chrono's formatter was a few percent of a persisted
//! message's instructions (`scripts/profile.sh`). Years outside 0–9999 and leap seconds are
//! left to chrono.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Serialize, Serializer};

/// Longest text written here: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
const MAX_LEN: usize = 30;

/// `serialize_with` for a `DateTime<Utc>` field.
pub(crate) fn rfc3339<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; MAX_LEN];
    match write(at, &mut buf) {
        // Only ASCII digits and separators were written.
        Some(len) => match std::str::from_utf8(&buf[..len]) {
            Ok(text) => serializer.serialize_str(text),
            Err(_) => at.serialize(serializer),
        },
        None => at.serialize(serializer),
    }
}

/// `serialize_with` for an `Option<DateTime<Utc>>` field (`null` when absent).
pub(crate) fn rfc3339_opt<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => rfc3339(at, serializer),
        None => serializer.serialize_none(),
    }
}

/// Writes `at` into `buf`; `None` for what chrono writes differently (a year outside
/// 0–9999, a leap second).
fn write(at: &DateTime<Utc>, buf: &mut [u8; MAX_LEN]) -> Option<usize> {
    let year = u32::try_from(at.year()).ok().filter(|y| *y <= 9999)?;
    let nanos = at.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    digits(&mut buf[0..4], year);
    buf[4] = b'-';
    digits(&mut buf[5..7], at.month());
    buf[7] = b'-';
    digits(&mut buf[8..10], at.day());
    buf[10] = b'T';
    digits(&mut buf[11..13], at.hour());
    buf[13] = b':';
    digits(&mut buf[14..16], at.minute());
    buf[16] = b':';
    digits(&mut buf[17..19], at.second());
    let mut len = 19;
    let (value, width) = match nanos {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1_000 == 0 => (n / 1_000, 6),
        n => (n, 9),
    };
    if width > 0 {
        buf[len] = b'.';
        digits(&mut buf[len + 1..len + 1 + width], value);
        len += 1 + width;
    }
    buf[len] = b'Z';
    Some(len + 1)
}

/// Writes `value` as exactly `out.len()` decimal digits (zero-padded).
fn digits(out: &mut [u8], mut value: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[derive(Serialize)]
    struct Ours(#[serde(serialize_with = "rfc3339")] DateTime<Utc>);

    fn ours(at: DateTime<Utc>) -> String {
        serde_json::to_string(&Ours(at)).expect("a timestamp serialises")
    }

    fn chronos(at: DateTime<Utc>) -> String {
        serde_json::to_string(&at).expect("a timestamp serialises")
    }

    #[test]
    fn each_fraction_width_matches_chrono() {
        let base = Utc.with_ymd_and_hms(2026, 12, 3, 8, 5, 1).unwrap();
        for nanos in [0, 7_000_000, 123_000_000, 456_000, 1_000, 1, 999_999_999] {
            let at = base + chrono::Duration::nanoseconds(nanos);
            assert_eq!(ours(at), chronos(at), "nanos {nanos}");
        }
        assert_eq!(ours(base), "\"2026-12-03T08:05:01Z\"");
    }

    #[test]
    fn years_chrono_writes_otherwise_are_left_to_chrono() {
        let far = Utc.with_ymd_and_hms(12_345, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(ours(far), chronos(far));
        let early = Utc.with_ymd_and_hms(-44, 3, 15, 12, 0, 0).unwrap();
        assert_eq!(ours(early), chronos(early));
    }

    #[test]
    fn none_is_null() {
        #[derive(Serialize)]
        struct Opt(#[serde(serialize_with = "rfc3339_opt")] Option<DateTime<Utc>>);
        assert_eq!(serde_json::to_string(&Opt(None)).unwrap(), "null");
        let at = Utc.with_ymd_and_hms(2000, 2, 29, 23, 59, 59).unwrap();
        assert_eq!(serde_json::to_string(&Opt(Some(at))).unwrap(), chronos(at));
    }

    proptest! {
        #[test]
        fn any_instant_is_written_as_chrono_writes_it(
            secs in -62_000_000_000i64..260_000_000_000i64,
            nanos in 0u32..1_000_000_000,
            round in 0usize..4,
        ) {
            let nanos = [nanos, nanos / 1_000 * 1_000, nanos / 1_000_000 * 1_000_000, 0][round];
            let at = DateTime::from_timestamp(secs, nanos).expect("in range");
            prop_assert_eq!(ours(at), chronos(at));
        }
    }
}
