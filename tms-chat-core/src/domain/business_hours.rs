//! Business hours: a widget's weekly opening times in an IANA time zone, and what the widget
//! offers while closed.
//!
//! This module owns the [`BusinessHours`] schedule type and its rules: validation of the time
//! zone, the per-day `HH:MM` ranges and the offline redirect URL ([`BusinessHours::validate`]),
//! the "is chat open now" decision ([`BusinessHours::is_open_at`]) and the "when does it open
//! next" lookup ([`BusinessHours::next_opening_after`]). All zone rules (offsets, daylight
//! saving transitions) come from `chrono-tz`; nothing here hard-codes an offset.
//!
//! Every day's entry is turned into an interval of real instants `[open, close)`:
//!
//! * a `close` earlier than `open` (or `00:00`) ends on the next local day, so the overnight
//!   tail belongs to the day whose entry started it, even if the next day is closed;
//! * `24:00` means midnight at the end of the day;
//! * a local time that does not exist (spring-forward gap) maps to the first instant after the
//!   gap, and an ambiguous local time (fall-back overlap) maps to the earlier instant. This
//!   applies to opening and closing times alike, so an interval never "reopens" during a
//!   repeated hour.
//!
//! Chat is open at an instant when it lies in one of those intervals.
//!
//! Exceptions (holidays, special days) replace one local date's entry: `closed`, or other
//! hours under the same rules as a weekday's (past midnight, `24:00`). A closed exception
//! does not cut the previous day's overnight tail, as a closed weekday does not.

use std::str::FromStr;

use chrono::{
    DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// Minutes in a (nominal) day; `24:00` parses to this value.
const MINUTES_PER_DAY: u16 = 24 * 60;

/// How far [`resolve_local`] walks forward, in minutes, to leave a non-existent local time.
/// Daylight-saving gaps are an hour or less, but a few zones have skipped a whole calendar day
/// (Pacific/Apia on 2011-12-30), so allow a day plus margin.
const MAX_GAP_MINUTES: u32 = 25 * 60;

/// How many local days after the current one [`BusinessHours::next_opening_after`] inspects,
/// besides one more per exception (each can close one day) and the exceptions' own dates.
const SEARCH_DAYS_AHEAD: i64 = 8;

/// Most exceptions a schedule may hold.
pub const MAX_EXCEPTIONS: usize = 400;

/// The days in schedule order, with their field names.
const WEEK: [(Weekday, &str); 7] = [
    (Weekday::Mon, "monday"),
    (Weekday::Tue, "tuesday"),
    (Weekday::Wed, "wednesday"),
    (Weekday::Thu, "thursday"),
    (Weekday::Fri, "friday"),
    (Weekday::Sat, "saturday"),
    (Weekday::Sun, "sunday"),
];

/// Opening time of one weekday, `HH:MM` 24-hour local times. A `close` earlier than `open`
/// crosses midnight into the next day; `close` may be `24:00`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct DayHours {
    /// Opening time, `HH:MM`.
    pub open: String,
    /// Closing time, `HH:MM`.
    pub close: String,
}

/// One local date whose regular hours are replaced: `closed`, or `open` and `close` as for a
/// weekday.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct DayException {
    /// The local date, `YYYY-MM-DD`, in the schedule's time zone.
    pub date: String,
    /// Closed all that day.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<bool>", optional))]
    pub closed: bool,
    /// Opening time, `HH:MM` (unless closed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub open: Option<String>,
    /// Closing time, `HH:MM`, may be `24:00` or before `open` (past midnight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub close: Option<String>,
}

impl DayException {
    /// The exception's date, when it is a strict `YYYY-MM-DD`.
    fn local_date(&self) -> Option<NaiveDate> {
        let b = self.date.as_bytes();
        let shape = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        shape
            .then(|| NaiveDate::parse_from_str(&self.date, "%Y-%m-%d").ok())
            .flatten()
    }

    /// The hours of the day, `None` when closed (or, unvalidated, incomplete).
    fn hours(&self) -> Option<DayHours> {
        match (self.closed, &self.open, &self.close) {
            (false, Some(open), Some(close)) => Some(DayHours {
                open: open.clone(),
                close: close.clone(),
            }),
            _ => None,
        }
    }

    /// Checks one entry; the error names its part (`date`, `closed`, `open`, `close`).
    fn check(&self) -> Result<NaiveDate, (&'static str, &'static str)> {
        let date = self
            .local_date()
            .ok_or(("date", "must be a date in YYYY-MM-DD format"))?;
        match (self.closed, &self.open, &self.close) {
            (true, None, None) => Ok(date),
            (true, _, _) => Err(("closed", "a closed day has no open or close")),
            (false, None, _) => Err(("open", "is required unless the day is closed")),
            (false, _, None) => Err(("close", "is required unless the day is closed")),
            (false, Some(_), Some(_)) => {
                let hours = self.hours().ok_or(("open", "is required"))?;
                hours.minutes().map(|_| date)
            }
        }
    }
}

/// What the widget offers when closed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum OfflineBehavior {
    /// Show the widget's offline message.
    #[default]
    ShowMessage,
    /// Show a contact form whose submission reaches the agents.
    CollectContact,
    /// Send the customer to `offline_redirect_url`.
    Redirect,
}

/// A widget's weekly schedule.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct BusinessHours {
    /// IANA time zone name, e.g. `Europe/Berlin`.
    pub timezone: String,
    /// Monday's hours; absent or null means closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monday: Option<DayHours>,
    /// Tuesday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuesday: Option<DayHours>,
    /// Wednesday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wednesday: Option<DayHours>,
    /// Thursday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thursday: Option<DayHours>,
    /// Friday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friday: Option<DayHours>,
    /// Saturday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturday: Option<DayHours>,
    /// Sunday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sunday: Option<DayHours>,
    /// What the widget does when closed.
    #[serde(default)]
    pub offline_behavior: OfflineBehavior,
    /// Where `redirect` sends the customer (http/https URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offline_redirect_url: Option<String>,
    /// Dates whose regular hours are replaced (holidays, special days), each date once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<Vec<DayException>>", optional))]
    pub exceptions: Vec<DayException>,
}

impl DayHours {
    /// Parses and checks `open` and `close`, returning them as minutes after local midnight
    /// (`close` may be [`MINUTES_PER_DAY`] for `24:00`). The error names the offending part
    /// (`"open"` or `"close"`) and what is wrong with it.
    fn minutes(&self) -> Result<(u16, u16), (&'static str, &'static str)> {
        let open = parse_clock(&self.open, false).map_err(|m| ("open", m))?;
        let close = parse_clock(&self.close, true).map_err(|m| ("close", m))?;
        if open == close {
            return Err(("close", "close must differ from open"));
        }
        Ok((open, close))
    }
}

impl BusinessHours {
    /// Checks the time zone, every day's times and the redirect URL; the error names the field
    /// relative to the business hours object (`timezone`, `monday.open`, `offline_redirect_url`).
    ///
    /// Problems are reported in that order (time zone, Monday to Sunday with `open` before
    /// `close`, then the redirect URL) and only the first one is returned.
    pub fn validate(&self) -> Result<(), FieldError> {
        if Tz::from_str(&self.timezone).is_err() {
            return Err(field_error(
                "timezone",
                "must be an IANA time zone name such as Europe/Berlin",
            ));
        }
        for (weekday, name) in WEEK {
            if let Some(hours) = self.day(weekday) {
                hours
                    .minutes()
                    .map_err(|(part, message)| field_error(format!("{name}.{part}"), message))?;
            }
        }
        self.validate_exceptions()?;
        match (&self.offline_redirect_url, self.offline_behavior) {
            (Some(url), _) => check_redirect_url(url)
                .map_err(|message| field_error("offline_redirect_url", message))?,
            (None, OfflineBehavior::Redirect) => {
                return Err(field_error(
                    "offline_redirect_url",
                    "is required when offline_behavior is redirect",
                ))
            }
            (None, _) => {}
        }
        Ok(())
    }

    /// Checks every exception and that no date repeats (`exceptions[2].date`).
    fn validate_exceptions(&self) -> Result<(), FieldError> {
        if self.exceptions.len() > MAX_EXCEPTIONS {
            return Err(field_error(
                "exceptions",
                format!("must hold at most {MAX_EXCEPTIONS} dates"),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, exception) in self.exceptions.iter().enumerate() {
            let date = exception.check().map_err(|(part, message)| {
                field_error(format!("exceptions[{i}].{part}"), message)
            })?;
            if !seen.insert(date) {
                return Err(field_error(
                    format!("exceptions[{i}].date"),
                    "appears more than once",
                ));
            }
        }
        Ok(())
    }

    /// The exception for the local `date`, if any (the first, should an unvalidated schedule
    /// repeat one).
    fn exception_on(&self, date: NaiveDate) -> Option<&DayException> {
        self.exceptions
            .iter()
            .find(|e| e.local_date() == Some(date))
    }

    /// Whether chat is open at `at`.
    ///
    /// Open when `at` lies in today's local range or in yesterday's overnight tail (see the
    /// module docs for how daylight-saving transitions are handled). A time zone that does not
    /// parse (which [`validate`](Self::validate) rejects) fails open; a day whose times do not
    /// parse counts as closed.
    pub fn is_open_at(&self, at: DateTime<Utc>) -> bool {
        match Tz::from_str(&self.timezone) {
            Ok(tz) => self.is_open_in(tz, at),
            Err(_) => true,
        }
    }

    /// The next instant at or after `at` when chat opens, if it ever does.
    ///
    /// Returns `Some(at)` when chat is already open at `at`; otherwise the earliest opening
    /// instant strictly after `at`, looking at most eight local days ahead, or `None` when no
    /// day has (usable) hours. Like [`is_open_at`](Self::is_open_at), an unparseable time zone
    /// fails open and yields `Some(at)`.
    pub fn next_opening_after(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let Ok(tz) = Tz::from_str(&self.timezone) else {
            return Some(at);
        };
        if self.is_open_in(tz, at) {
            return Some(at);
        }
        let today = at.with_timezone(&tz).date_naive();
        let ahead = SEARCH_DAYS_AHEAD + self.exceptions.len().min(MAX_EXCEPTIONS) as i64;
        let special = self.exceptions.iter().filter_map(DayException::local_date);
        (-1..=ahead)
            .filter_map(|offset| today.checked_add_signed(TimeDelta::days(offset)))
            .chain(special)
            .filter_map(|date| self.interval(tz, date))
            .map(|(open, _)| open)
            .filter(|open| *open > at)
            .min()
    }

    /// The hours configured for `weekday`, or `None` when chat is closed all that day (apart
    /// from the previous day's overnight tail).
    pub fn day(&self, weekday: Weekday) -> Option<&DayHours> {
        match weekday {
            Weekday::Mon => self.monday.as_ref(),
            Weekday::Tue => self.tuesday.as_ref(),
            Weekday::Wed => self.wednesday.as_ref(),
            Weekday::Thu => self.thursday.as_ref(),
            Weekday::Fri => self.friday.as_ref(),
            Weekday::Sat => self.saturday.as_ref(),
            Weekday::Sun => self.sunday.as_ref(),
        }
    }

    /// [`is_open_at`](Self::is_open_at) with the zone already parsed.
    fn is_open_in(&self, tz: Tz, at: DateTime<Utc>) -> bool {
        let today = at.with_timezone(&tz).date_naive();
        // Yesterday covers the overnight tail; tomorrow only matters in zones whose clocks jump
        // back across midnight, where an instant on "today" can follow tomorrow's 00:00.
        [today.pred_opt(), Some(today), today.succ_opt()]
            .into_iter()
            .flatten()
            .filter_map(|date| self.interval(tz, date))
            .any(|(open, close)| open <= at && at < close)
    }

    /// The instants `[open, close)` during which `date`'s entry keeps chat open, or `None` when
    /// the day is closed, its times do not parse, or the range is empty once mapped to real
    /// instants (for example a range lying entirely inside a spring-forward gap).
    fn interval(&self, tz: Tz, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let (open, close) = match self.exception_on(date) {
            Some(exception) => exception.hours()?.minutes().ok()?,
            None => self.day(date.weekday())?.minutes().ok()?,
        };
        let close_date = if close < open { date.succ_opt()? } else { date };
        let start = resolve_local(tz, date, open)?;
        let end = resolve_local(tz, close_date, close)?;
        (start < end).then_some((start, end))
    }
}

/// Maps `minutes` after midnight of the local `date` in `tz` to a UTC instant. `24:00` is the
/// next day's `00:00`. An ambiguous local time takes the earlier instant; a non-existent one
/// takes the first instant after the gap (found by walking forward minute by minute, which is
/// exact for transitions on minute boundaries, i.e. all modern ones).
fn resolve_local(tz: Tz, date: NaiveDate, minutes: u16) -> Option<DateTime<Utc>> {
    let (date, minutes) = if minutes >= MINUTES_PER_DAY {
        (date.succ_opt()?, minutes - MINUTES_PER_DAY)
    } else {
        (date, minutes)
    };
    let time = NaiveTime::from_hms_opt(u32::from(minutes / 60), u32::from(minutes % 60), 0)?;
    let mut local: NaiveDateTime = date.and_time(time);
    for _ in 0..=MAX_GAP_MINUTES {
        if let Some(instant) = tz.from_local_datetime(&local).earliest() {
            return Some(instant.with_timezone(&Utc));
        }
        local = local.checked_add_signed(TimeDelta::minutes(1))?;
    }
    None
}

/// Parses a strict `HH:MM` 24-hour time into minutes after midnight. `24:00` is accepted only
/// when `allow_end_of_day` is set.
fn parse_clock(value: &str, allow_end_of_day: bool) -> Result<u16, &'static str> {
    const FORMAT: &str = "must be a time in HH:MM 24-hour format";
    let &[h1, h2, b':', m1, m2] = value.as_bytes() else {
        return Err(FORMAT);
    };
    if ![h1, h2, m1, m2].iter().all(u8::is_ascii_digit) {
        return Err(FORMAT);
    }
    let hour = u16::from(h1 - b'0') * 10 + u16::from(h2 - b'0');
    let minute = u16::from(m1 - b'0') * 10 + u16::from(m2 - b'0');
    if allow_end_of_day && hour == 24 && minute == 0 {
        return Ok(MINUTES_PER_DAY);
    }
    if hour > 23 {
        return Err(if allow_end_of_day {
            "hour must be between 00 and 23 (or the time 24:00)"
        } else {
            "hour must be between 00 and 23"
        });
    }
    if minute > 59 {
        return Err("minute must be between 00 and 59");
    }
    Ok(hour * 60 + minute)
}

/// Checks that `raw` is an absolute `http`/`https` URL with a host, written without
/// surrounding whitespace.
fn check_redirect_url(raw: &str) -> Result<(), &'static str> {
    const MESSAGE: &str = "must be an absolute http or https URL";
    if raw.trim() != raw {
        return Err(MESSAGE);
    }
    let url = url::Url::parse(raw).map_err(|_| MESSAGE)?;
    let has_host = url.host_str().is_some_and(|host| !host.is_empty());
    if matches!(url.scheme(), "http" | "https") && has_host {
        Ok(())
    } else {
        Err(MESSAGE)
    }
}

/// Builds a [`FieldError`].
fn field_error(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A UTC instant.
    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("valid UTC test instant")
    }

    fn hours(open: &str, close: &str) -> Option<DayHours> {
        Some(DayHours {
            open: open.into(),
            close: close.into(),
        })
    }

    /// Monday to Friday with the same hours, weekend closed.
    fn weekdays(timezone: &str, open: &str, close: &str) -> BusinessHours {
        BusinessHours {
            timezone: timezone.into(),
            monday: hours(open, close),
            tuesday: hours(open, close),
            wednesday: hours(open, close),
            thursday: hours(open, close),
            friday: hours(open, close),
            ..Default::default()
        }
    }

    /// Every day of the week with the same hours.
    fn every_day(timezone: &str, open: &str, close: &str) -> BusinessHours {
        BusinessHours {
            saturday: hours(open, close),
            sunday: hours(open, close),
            ..weekdays(timezone, open, close)
        }
    }

    /// Only Sunday open (all DST transition days used below are Sundays).
    fn sunday_only(timezone: &str, open: &str, close: &str) -> BusinessHours {
        BusinessHours {
            timezone: timezone.into(),
            sunday: hours(open, close),
            ..Default::default()
        }
    }

    fn validation_error(bh: &BusinessHours) -> FieldError {
        bh.validate().expect_err("validation should fail")
    }

    // --- is_open_at: ordinary days ---

    #[test]
    fn open_during_hours_in_berlin_winter() {
        // Monday 2026-01-12, Berlin is UTC+1: 09:00-17:00 local is 08:00-16:00 UTC.
        let bh = weekdays("Europe/Berlin", "09:00", "17:00");
        assert!(!bh.is_open_at(utc(2026, 1, 12, 7, 59)));
        assert!(bh.is_open_at(utc(2026, 1, 12, 8, 0)));
        assert!(bh.is_open_at(utc(2026, 1, 12, 15, 59)));
        assert!(!bh.is_open_at(utc(2026, 1, 12, 16, 0)));
    }

    #[test]
    fn open_during_hours_in_berlin_summer() {
        // Monday 2026-07-13, Berlin is UTC+2: 09:00-17:00 local is 07:00-15:00 UTC.
        let bh = weekdays("Europe/Berlin", "09:00", "17:00");
        assert!(!bh.is_open_at(utc(2026, 7, 13, 6, 59)));
        assert!(bh.is_open_at(utc(2026, 7, 13, 7, 0)));
        assert!(bh.is_open_at(utc(2026, 7, 13, 14, 59)));
        assert!(!bh.is_open_at(utc(2026, 7, 13, 15, 0)));
    }

    #[test]
    fn open_during_hours_in_new_york_summer() {
        // Monday 2026-07-13, New York is UTC-4: 09:00-17:00 local is 13:00-21:00 UTC.
        let bh = weekdays("America/New_York", "09:00", "17:00");
        assert!(!bh.is_open_at(utc(2026, 7, 13, 12, 59)));
        assert!(bh.is_open_at(utc(2026, 7, 13, 13, 0)));
        assert!(bh.is_open_at(utc(2026, 7, 13, 20, 59)));
        assert!(!bh.is_open_at(utc(2026, 7, 13, 21, 0)));
    }

    #[test]
    fn open_during_hours_in_new_york_winter() {
        // Monday 2026-01-12, New York is UTC-5: 09:00-17:00 local is 14:00-22:00 UTC.
        let bh = weekdays("America/New_York", "09:00", "17:00");
        assert!(!bh.is_open_at(utc(2026, 1, 12, 13, 59)));
        assert!(bh.is_open_at(utc(2026, 1, 12, 14, 0)));
        assert!(bh.is_open_at(utc(2026, 1, 12, 21, 59)));
        assert!(!bh.is_open_at(utc(2026, 1, 12, 22, 0)));
    }

    #[test]
    fn local_weekday_decides_which_day_applies() {
        // Monday 2026-01-12 02:00 UTC is still Sunday 21:00 in New York, and Sunday is closed
        // even though Monday's 00:00-24:00 covers that UTC time of day.
        let bh = BusinessHours {
            timezone: "America/New_York".into(),
            monday: hours("00:00", "24:00"),
            ..Default::default()
        };
        assert!(!bh.is_open_at(utc(2026, 1, 12, 2, 0)));
        assert!(bh.is_open_at(utc(2026, 1, 12, 5, 0)));
    }

    #[test]
    fn closed_all_day_on_a_day_without_hours() {
        // Saturday 2026-01-17 in Berlin: closed at noon and at 09:00 local.
        let bh = weekdays("Europe/Berlin", "09:00", "17:00");
        assert!(!bh.is_open_at(utc(2026, 1, 17, 11, 0)));
        assert!(!bh.is_open_at(utc(2026, 1, 17, 8, 0)));
        assert!(!bh.is_open_at(utc(2026, 1, 18, 11, 0)));
    }

    #[test]
    fn schedule_without_any_hours_is_never_open() {
        let bh = BusinessHours {
            timezone: "Europe/Berlin".into(),
            ..Default::default()
        };
        assert!(!bh.is_open_at(utc(2026, 1, 12, 11, 0)));
        assert_eq!(bh.next_opening_after(utc(2026, 1, 12, 11, 0)), None);
    }

    #[test]
    fn unparseable_time_zone_fails_open() {
        let bh = BusinessHours {
            timezone: "Mars/Olympus_Mons".into(),
            ..Default::default()
        };
        let at = utc(2026, 1, 17, 3, 0);
        assert!(bh.is_open_at(at));
        assert_eq!(bh.next_opening_after(at), Some(at));
    }

    #[test]
    fn day_with_unparseable_times_counts_as_closed() {
        let bh = BusinessHours {
            timezone: "Europe/Berlin".into(),
            monday: hours("9:00", "17:00"),
            tuesday: hours("09:00", "17:00"),
            ..Default::default()
        };
        assert!(!bh.is_open_at(utc(2026, 1, 12, 10, 0)));
        assert_eq!(
            bh.next_opening_after(utc(2026, 1, 12, 10, 0)),
            Some(utc(2026, 1, 13, 8, 0))
        );
    }

    // --- ranges crossing midnight ---

    #[test]
    fn range_crossing_midnight_stays_open_into_a_closed_next_day() {
        // Friday 2026-01-16 22:00 until Saturday 02:00 Berlin (UTC+1); Saturday has no hours.
        let bh = BusinessHours {
            timezone: "Europe/Berlin".into(),
            friday: hours("22:00", "02:00"),
            ..Default::default()
        };
        assert!(!bh.is_open_at(utc(2026, 1, 16, 20, 59)));
        assert!(bh.is_open_at(utc(2026, 1, 16, 21, 0)));
        assert!(bh.is_open_at(utc(2026, 1, 16, 23, 30)));
        assert!(bh.is_open_at(utc(2026, 1, 17, 0, 59)));
        assert!(!bh.is_open_at(utc(2026, 1, 17, 1, 0)));
        // The tail is Friday's: Friday morning (after a closed Thursday) is closed.
        assert!(!bh.is_open_at(utc(2026, 1, 16, 0, 30)));
    }

    #[test]
    fn overnight_tail_and_next_days_own_hours_both_count() {
        let bh = BusinessHours {
            timezone: "Europe/Berlin".into(),
            friday: hours("22:00", "02:00"),
            saturday: hours("10:00", "12:00"),
            ..Default::default()
        };
        // Saturday 2026-01-17 local 01:00 (tail), 03:00 (gap between), 11:00 (own hours).
        assert!(bh.is_open_at(utc(2026, 1, 17, 0, 0)));
        assert!(!bh.is_open_at(utc(2026, 1, 17, 2, 0)));
        assert!(bh.is_open_at(utc(2026, 1, 17, 10, 0)));
        // Saturday's range does not cross midnight, so Sunday 01:00 local is closed.
        assert!(!bh.is_open_at(utc(2026, 1, 18, 0, 0)));
        assert_eq!(
            bh.next_opening_after(utc(2026, 1, 17, 2, 0)),
            Some(utc(2026, 1, 17, 9, 0))
        );
    }

    #[test]
    fn close_at_24_00_stays_open_until_midnight() {
        // Monday 2026-01-12 18:00-24:00 Berlin; Tuesday closed.
        let bh = BusinessHours {
            timezone: "Europe/Berlin".into(),
            monday: hours("18:00", "24:00"),
            ..Default::default()
        };
        assert!(!bh.is_open_at(utc(2026, 1, 12, 16, 59)));
        assert!(bh.is_open_at(utc(2026, 1, 12, 17, 0)));
        assert!(bh.is_open_at(utc(2026, 1, 12, 22, 59)));
        assert!(!bh.is_open_at(utc(2026, 1, 12, 23, 0)));
    }

    #[test]
    fn full_day_with_24_00_close_is_open_around_the_clock() {
        let bh = BusinessHours {
            timezone: "America/New_York".into(),
            wednesday: hours("00:00", "24:00"),
            ..Default::default()
        };
        // Wednesday 2026-01-14 00:00 EST is 05:00 UTC; Thursday 00:00 EST is 05:00 UTC.
        assert!(!bh.is_open_at(utc(2026, 1, 14, 4, 59)));
        assert!(bh.is_open_at(utc(2026, 1, 14, 5, 0)));
        assert!(bh.is_open_at(utc(2026, 1, 15, 4, 59)));
        assert!(!bh.is_open_at(utc(2026, 1, 15, 5, 0)));
    }

    #[test]
    fn close_at_00_00_after_an_evening_opening_means_midnight() {
        let bh = BusinessHours {
            timezone: "Europe/Berlin".into(),
            monday: hours("18:00", "00:00"),
            ..Default::default()
        };
        assert!(bh.is_open_at(utc(2026, 1, 12, 22, 59)));
        assert!(!bh.is_open_at(utc(2026, 1, 12, 23, 0)));
    }

    // --- DST transition days ---

    #[test]
    fn nine_o_clock_opening_on_new_york_spring_forward_day_is_13_00_utc() {
        // Sunday 2026-03-08: clocks jump from 02:00 EST to 03:00 EDT; 09:00 is EDT (UTC-4).
        let bh = every_day("America/New_York", "09:00", "17:00");
        // Saturday night 2026-03-07 20:00 EST.
        assert_eq!(
            bh.next_opening_after(utc(2026, 3, 8, 1, 0)),
            Some(utc(2026, 3, 8, 13, 0))
        );
        assert!(!bh.is_open_at(utc(2026, 3, 8, 12, 59)));
        assert!(bh.is_open_at(utc(2026, 3, 8, 13, 0)));
        assert!(bh.is_open_at(utc(2026, 3, 8, 20, 59)));
        assert!(!bh.is_open_at(utc(2026, 3, 8, 21, 0)));
        // The day before still used EST (UTC-5).
        assert!(!bh.is_open_at(utc(2026, 3, 7, 13, 59)));
        assert!(bh.is_open_at(utc(2026, 3, 7, 14, 0)));
    }

    #[test]
    fn nine_o_clock_opening_on_new_york_fall_back_day_is_14_00_utc() {
        // Sunday 2026-11-01: clocks fall back from 02:00 EDT to 01:00 EST; 09:00 is EST.
        let bh = every_day("America/New_York", "09:00", "17:00");
        // 01:00 EDT, before the transition.
        assert_eq!(
            bh.next_opening_after(utc(2026, 11, 1, 5, 0)),
            Some(utc(2026, 11, 1, 14, 0))
        );
        assert!(!bh.is_open_at(utc(2026, 11, 1, 13, 59)));
        assert!(bh.is_open_at(utc(2026, 11, 1, 14, 0)));
        assert!(bh.is_open_at(utc(2026, 11, 1, 21, 59)));
        assert!(!bh.is_open_at(utc(2026, 11, 1, 22, 0)));
        // The day before still used EDT (UTC-4).
        assert!(bh.is_open_at(utc(2026, 10, 31, 13, 0)));
    }

    #[test]
    fn nine_o_clock_opening_on_berlin_spring_forward_day_is_07_00_utc() {
        // Sunday 2026-03-29: 02:00 CET jumps to 03:00 CEST; 09:00 is CEST (UTC+2).
        let bh = every_day("Europe/Berlin", "09:00", "17:00");
        assert_eq!(
            bh.next_opening_after(utc(2026, 3, 28, 23, 0)),
            Some(utc(2026, 3, 29, 7, 0))
        );
        assert!(!bh.is_open_at(utc(2026, 3, 29, 6, 59)));
        assert!(bh.is_open_at(utc(2026, 3, 29, 7, 0)));
        assert!(!bh.is_open_at(utc(2026, 3, 29, 15, 0)));
        // The day before still used CET (UTC+1).
        assert!(!bh.is_open_at(utc(2026, 3, 28, 7, 30)));
        assert!(bh.is_open_at(utc(2026, 3, 28, 8, 0)));
    }

    #[test]
    fn nine_o_clock_opening_on_berlin_fall_back_day_is_08_00_utc() {
        // Sunday 2026-10-25: 03:00 CEST falls back to 02:00 CET; 09:00 is CET (UTC+1).
        let bh = every_day("Europe/Berlin", "09:00", "17:00");
        assert_eq!(
            bh.next_opening_after(utc(2026, 10, 24, 23, 0)),
            Some(utc(2026, 10, 25, 8, 0))
        );
        assert!(!bh.is_open_at(utc(2026, 10, 25, 7, 59)));
        assert!(bh.is_open_at(utc(2026, 10, 25, 8, 0)));
        assert!(bh.is_open_at(utc(2026, 10, 25, 15, 59)));
        assert!(!bh.is_open_at(utc(2026, 10, 25, 16, 0)));
    }

    #[test]
    fn opening_inside_new_york_spring_gap_opens_when_the_gap_ends() {
        // 02:30 does not exist on 2026-03-08; the first instant after the gap is 03:00 EDT
        // (07:00 UTC). Closing at 05:00 EDT is 09:00 UTC.
        let bh = sunday_only("America/New_York", "02:30", "05:00");
        assert_eq!(
            bh.next_opening_after(utc(2026, 3, 8, 5, 0)),
            Some(utc(2026, 3, 8, 7, 0))
        );
        // 01:59 EST, just before the jump.
        assert!(!bh.is_open_at(utc(2026, 3, 8, 6, 59)));
        assert!(bh.is_open_at(utc(2026, 3, 8, 7, 0)));
        assert!(bh.is_open_at(utc(2026, 3, 8, 8, 59)));
        assert!(!bh.is_open_at(utc(2026, 3, 8, 9, 0)));
    }

    #[test]
    fn opening_inside_berlin_spring_gap_opens_when_the_gap_ends() {
        // 02:30 does not exist on 2026-03-29; the gap ends at 03:00 CEST (01:00 UTC).
        let bh = sunday_only("Europe/Berlin", "02:30", "04:00");
        assert_eq!(
            bh.next_opening_after(utc(2026, 3, 28, 23, 0)),
            Some(utc(2026, 3, 29, 1, 0))
        );
        // 01:59 CET, just before the jump.
        assert!(!bh.is_open_at(utc(2026, 3, 29, 0, 59)));
        assert!(bh.is_open_at(utc(2026, 3, 29, 1, 0)));
        assert!(!bh.is_open_at(utc(2026, 3, 29, 2, 0)));
    }

    #[test]
    fn range_entirely_inside_spring_gap_never_opens_that_day() {
        // 02:10-02:50 on 2026-03-08 in New York collapses to nothing; next Sunday opens at
        // 02:10 EDT (06:10 UTC).
        let bh = sunday_only("America/New_York", "02:10", "02:50");
        assert!(!bh.is_open_at(utc(2026, 3, 8, 7, 0)));
        assert_eq!(
            bh.next_opening_after(utc(2026, 3, 8, 5, 0)),
            Some(utc(2026, 3, 15, 6, 10))
        );
    }

    #[test]
    fn ambiguous_opening_on_new_york_fall_back_uses_the_earlier_instant() {
        // 01:30 happens twice on 2026-11-01: 05:30 UTC (EDT) and 06:30 UTC (EST).
        // Closing at 03:00 EST is 08:00 UTC.
        let bh = sunday_only("America/New_York", "01:30", "03:00");
        assert_eq!(
            bh.next_opening_after(utc(2026, 11, 1, 4, 0)),
            Some(utc(2026, 11, 1, 5, 30))
        );
        assert!(!bh.is_open_at(utc(2026, 11, 1, 5, 29)));
        assert!(bh.is_open_at(utc(2026, 11, 1, 5, 30)));
        // 01:15 EST, the repeated hour, is inside the interval.
        assert!(bh.is_open_at(utc(2026, 11, 1, 6, 15)));
        assert!(bh.is_open_at(utc(2026, 11, 1, 7, 59)));
        assert!(!bh.is_open_at(utc(2026, 11, 1, 8, 0)));
    }

    #[test]
    fn ambiguous_closing_on_new_york_fall_back_uses_the_earlier_instant() {
        // 00:00-01:30 on 2026-11-01 closes at 01:30 EDT (05:30 UTC) and does not reopen during
        // the repeated hour.
        let bh = BusinessHours {
            monday: hours("00:00", "01:30"),
            ..sunday_only("America/New_York", "00:00", "01:30")
        };
        assert!(bh.is_open_at(utc(2026, 11, 1, 4, 0)));
        assert!(bh.is_open_at(utc(2026, 11, 1, 5, 29)));
        assert!(!bh.is_open_at(utc(2026, 11, 1, 5, 30)));
        // 01:15 EST: local time is before 01:30 but the interval has ended.
        assert!(!bh.is_open_at(utc(2026, 11, 1, 6, 15)));
        // Monday 2026-11-02 00:00 EST.
        assert_eq!(
            bh.next_opening_after(utc(2026, 11, 1, 5, 30)),
            Some(utc(2026, 11, 2, 5, 0))
        );
    }

    #[test]
    fn ambiguous_opening_on_berlin_fall_back_uses_the_earlier_instant() {
        // 02:30 happens twice on 2026-10-25: 00:30 UTC (CEST) and 01:30 UTC (CET).
        let bh = sunday_only("Europe/Berlin", "02:30", "04:00");
        assert_eq!(
            bh.next_opening_after(utc(2026, 10, 24, 23, 0)),
            Some(utc(2026, 10, 25, 0, 30))
        );
        assert!(!bh.is_open_at(utc(2026, 10, 25, 0, 29)));
        assert!(bh.is_open_at(utc(2026, 10, 25, 0, 30)));
        // 04:00 CET is 03:00 UTC.
        assert!(bh.is_open_at(utc(2026, 10, 25, 2, 59)));
        assert!(!bh.is_open_at(utc(2026, 10, 25, 3, 0)));
    }

    #[test]
    fn overnight_range_across_berlin_spring_forward_is_one_hour_shorter() {
        // Saturday 2026-03-28 22:00 CET (21:00 UTC) to Sunday 06:00 CEST (04:00 UTC).
        let bh = BusinessHours {
            timezone: "Europe/Berlin".into(),
            saturday: hours("22:00", "06:00"),
            ..Default::default()
        };
        assert!(!bh.is_open_at(utc(2026, 3, 28, 20, 59)));
        assert!(bh.is_open_at(utc(2026, 3, 28, 21, 0)));
        assert!(bh.is_open_at(utc(2026, 3, 29, 3, 59)));
        assert!(!bh.is_open_at(utc(2026, 3, 29, 4, 0)));
    }

    // --- next_opening_after ---

    #[test]
    fn next_opening_after_returns_the_instant_itself_when_already_open() {
        let bh = weekdays("Europe/Berlin", "09:00", "17:00");
        let at = utc(2026, 1, 12, 10, 17);
        assert_eq!(bh.next_opening_after(at), Some(at));
    }

    #[test]
    fn next_opening_after_finds_later_the_same_day() {
        // Monday 2026-01-12 06:00 Berlin -> 09:00 Berlin (08:00 UTC).
        let bh = weekdays("Europe/Berlin", "09:00", "17:00");
        assert_eq!(
            bh.next_opening_after(utc(2026, 1, 12, 5, 0)),
            Some(utc(2026, 1, 12, 8, 0))
        );
    }

    #[test]
    fn next_opening_after_skips_the_weekend() {
        // Friday 2026-01-16 17:00 Berlin (closing time) -> Monday 2026-01-19 09:00 (08:00 UTC).
        let bh = weekdays("Europe/Berlin", "09:00", "17:00");
        assert_eq!(
            bh.next_opening_after(utc(2026, 1, 16, 16, 0)),
            Some(utc(2026, 1, 19, 8, 0))
        );
        // From Saturday noon as well.
        assert_eq!(
            bh.next_opening_after(utc(2026, 1, 17, 11, 0)),
            Some(utc(2026, 1, 19, 8, 0))
        );
    }

    #[test]
    fn next_opening_after_across_new_york_spring_forward_weekend_uses_the_new_offset() {
        // Friday 2026-03-06 17:30 EST (22:30 UTC) -> Monday 2026-03-09 09:00 EDT (13:00 UTC).
        let bh = weekdays("America/New_York", "09:00", "17:00");
        assert_eq!(
            bh.next_opening_after(utc(2026, 3, 6, 22, 30)),
            Some(utc(2026, 3, 9, 13, 0))
        );
    }

    #[test]
    fn next_opening_after_across_berlin_fall_back_weekend_uses_the_new_offset() {
        // Friday 2026-10-23 18:00 CEST (16:00 UTC) -> Monday 2026-10-26 09:00 CET (08:00 UTC).
        let bh = weekdays("Europe/Berlin", "09:00", "17:00");
        assert_eq!(
            bh.next_opening_after(utc(2026, 10, 23, 16, 0)),
            Some(utc(2026, 10, 26, 8, 0))
        );
    }

    #[test]
    fn next_opening_after_finds_an_opening_almost_a_week_ahead() {
        // Only Monday open; from Monday 2026-01-12 after closing -> Monday 2026-01-19.
        let bh = BusinessHours {
            timezone: "Europe/Berlin".into(),
            monday: hours("09:00", "17:00"),
            ..Default::default()
        };
        assert_eq!(
            bh.next_opening_after(utc(2026, 1, 12, 16, 0)),
            Some(utc(2026, 1, 19, 8, 0))
        );
    }

    #[test]
    fn next_opening_after_is_strictly_after_a_closing_instant() {
        // Exactly at closing time the widget is closed; the next opening is the next day.
        let bh = every_day("America/New_York", "09:00", "17:00");
        let closing = utc(2026, 7, 13, 21, 0);
        assert_eq!(
            bh.next_opening_after(closing),
            Some(utc(2026, 7, 14, 13, 0))
        );
    }

    // --- validation ---

    #[test]
    fn valid_schedule_passes_validation() {
        let mut bh = every_day("America/New_York", "09:00", "17:00");
        bh.friday = hours("22:00", "02:00");
        bh.saturday = hours("00:00", "24:00");
        bh.sunday = None;
        assert_eq!(bh.validate(), Ok(()));
    }

    #[test]
    fn unknown_time_zone_is_rejected() {
        for tz in ["Mars/Olympus_Mons", "", "Europe/berlin ", "+02:00"] {
            let bh = weekdays(tz, "09:00", "17:00");
            assert_eq!(validation_error(&bh).field, "timezone", "time zone {tz:?}");
        }
    }

    #[test]
    fn malformed_opening_times_are_rejected() {
        for bad in [
            "9:00", "25:00", "12:60", "ab:cd", "24:00", "09:00 ", "0900", "09-00", "", "０9:00",
        ] {
            let bh = BusinessHours {
                timezone: "Europe/Berlin".into(),
                monday: hours(bad, "17:00"),
                ..Default::default()
            };
            let err = validation_error(&bh);
            assert_eq!(err.field, "monday.open", "opening time {bad:?}");
            assert!(!err.message.is_empty());
        }
    }

    #[test]
    fn malformed_closing_times_are_rejected() {
        for bad in ["9:00", "25:00", "12:60", "ab:cd", "24:01", "24:30"] {
            let bh = BusinessHours {
                timezone: "Europe/Berlin".into(),
                thursday: hours("09:00", bad),
                ..Default::default()
            };
            assert_eq!(
                validation_error(&bh).field,
                "thursday.close",
                "closing time {bad:?}"
            );
        }
    }

    #[test]
    fn out_of_range_parts_get_specific_messages() {
        let bh = BusinessHours {
            timezone: "Europe/Berlin".into(),
            monday: hours("25:00", "17:00"),
            ..Default::default()
        };
        assert!(validation_error(&bh).message.contains("hour"));
        let bh = BusinessHours {
            monday: hours("12:60", "17:00"),
            ..bh
        };
        assert!(validation_error(&bh).message.contains("minute"));
    }

    #[test]
    fn boundary_times_are_accepted() {
        let bh = BusinessHours {
            timezone: "Europe/Berlin".into(),
            monday: hours("00:00", "23:59"),
            tuesday: hours("23:59", "24:00"),
            ..Default::default()
        };
        assert_eq!(bh.validate(), Ok(()));
    }

    #[test]
    fn equal_open_and_close_is_rejected() {
        let bh = BusinessHours {
            timezone: "Europe/Berlin".into(),
            wednesday: hours("09:00", "09:00"),
            ..Default::default()
        };
        let err = validation_error(&bh);
        assert_eq!(err.field, "wednesday.close");
        assert_eq!(err.message, "close must differ from open");
    }

    #[test]
    fn validation_reports_the_first_problem() {
        let mut bh = BusinessHours {
            timezone: "Nowhere/Town".into(),
            tuesday: hours("9:00", "17:00"),
            sunday: hours("09:00", "99:00"),
            offline_behavior: OfflineBehavior::Redirect,
            ..Default::default()
        };
        assert_eq!(validation_error(&bh).field, "timezone");
        bh.timezone = "Europe/Berlin".into();
        assert_eq!(validation_error(&bh).field, "tuesday.open");
        bh.tuesday = None;
        assert_eq!(validation_error(&bh).field, "sunday.close");
        bh.sunday = None;
        assert_eq!(validation_error(&bh).field, "offline_redirect_url");
    }

    #[test]
    fn redirect_behaviour_requires_a_redirect_url() {
        let bh = BusinessHours {
            offline_behavior: OfflineBehavior::Redirect,
            ..weekdays("Europe/Berlin", "09:00", "17:00")
        };
        assert_eq!(validation_error(&bh).field, "offline_redirect_url");
        let bh = BusinessHours {
            offline_redirect_url: Some("https://example.com/contact?from=chat".into()),
            ..bh
        };
        assert_eq!(bh.validate(), Ok(()));
        let bh = BusinessHours {
            offline_redirect_url: Some("http://example.com".into()),
            ..bh
        };
        assert_eq!(bh.validate(), Ok(()));
    }

    #[test]
    fn non_http_or_relative_redirect_urls_are_rejected() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(document.cookie)",
            "data:text/html,<script>alert(1)</script>",
            "ftp://example.com/",
            "/contact",
            "example.com/contact",
            "https://",
            " https://example.com",
            "",
        ] {
            let bh = BusinessHours {
                offline_behavior: OfflineBehavior::Redirect,
                offline_redirect_url: Some(bad.into()),
                ..weekdays("Europe/Berlin", "09:00", "17:00")
            };
            assert_eq!(
                validation_error(&bh).field,
                "offline_redirect_url",
                "url {bad:?}"
            );
        }
    }

    #[test]
    fn redirect_url_with_another_behaviour_is_allowed_but_still_checked() {
        let ok = BusinessHours {
            offline_behavior: OfflineBehavior::ShowMessage,
            offline_redirect_url: Some("https://example.com/offline".into()),
            ..weekdays("Europe/Berlin", "09:00", "17:00")
        };
        assert_eq!(ok.validate(), Ok(()));
        let bad = BusinessHours {
            offline_behavior: OfflineBehavior::CollectContact,
            offline_redirect_url: Some("javascript:alert(1)".into()),
            ..ok
        };
        assert_eq!(validation_error(&bad).field, "offline_redirect_url");
    }

    // --- helpers and serde ---

    #[test]
    fn day_returns_each_weekdays_own_entry() {
        let mut bh = BusinessHours::default();
        for (i, (weekday, _)) in WEEK.iter().enumerate() {
            let entry = hours(&format!("0{i}:00"), "12:00");
            match weekday {
                Weekday::Mon => bh.monday = entry,
                Weekday::Tue => bh.tuesday = entry,
                Weekday::Wed => bh.wednesday = entry,
                Weekday::Thu => bh.thursday = entry,
                Weekday::Fri => bh.friday = entry,
                Weekday::Sat => bh.saturday = entry,
                Weekday::Sun => bh.sunday = entry,
            }
        }
        for (i, (weekday, _)) in WEEK.iter().enumerate() {
            let open = bh.day(*weekday).map(|d| d.open.clone());
            assert_eq!(open, Some(format!("0{i}:00")), "{weekday}");
        }
        bh.sunday = None;
        assert_eq!(bh.day(Weekday::Sun), None);
    }

    #[test]
    fn serde_round_trip_keeps_the_json_shape() {
        let json = r#"{"timezone":"Europe/Berlin","monday":{"open":"09:00","close":"17:00"},"offline_behavior":"collect_contact"}"#;
        let bh: BusinessHours = serde_json::from_str(json).expect("deserialize");
        assert_eq!(bh.timezone, "Europe/Berlin");
        assert_eq!(bh.monday, hours("09:00", "17:00"));
        assert_eq!(bh.tuesday, None);
        assert_eq!(bh.offline_behavior, OfflineBehavior::CollectContact);
        assert_eq!(bh.offline_redirect_url, None);
        assert_eq!(bh.validate(), Ok(()));
        let back = serde_json::to_string(&bh).expect("serialize");
        assert_eq!(back, json);
    }

    #[test]
    fn serde_defaults_missing_and_null_fields() {
        let json = r#"{"timezone":"America/New_York","sunday":null,"friday":{"open":"22:00","close":"02:00"}}"#;
        let bh: BusinessHours = serde_json::from_str(json).expect("deserialize");
        assert_eq!(bh.sunday, None);
        assert_eq!(bh.friday, hours("22:00", "02:00"));
        assert_eq!(bh.offline_behavior, OfflineBehavior::ShowMessage);
        let redirect: BusinessHours = serde_json::from_str(
            r#"{"timezone":"UTC","offline_behavior":"redirect","offline_redirect_url":"https://example.com"}"#,
        )
        .expect("deserialize");
        assert_eq!(redirect.offline_behavior, OfflineBehavior::Redirect);
        assert_eq!(redirect.validate(), Ok(()));
    }
}

#[cfg(test)]
mod exception_tests {
    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("valid UTC test instant")
    }

    fn closed(date: &str) -> DayException {
        DayException {
            date: date.into(),
            closed: true,
            ..DayException::default()
        }
    }

    fn special(date: &str, open: &str, close: &str) -> DayException {
        DayException {
            date: date.into(),
            closed: false,
            open: Some(open.into()),
            close: Some(close.into()),
        }
    }

    /// Monday to Friday 09:00–17:00 in Berlin (UTC+1 in winter), with `exceptions`.
    fn office(exceptions: Vec<DayException>) -> BusinessHours {
        let day = Some(DayHours {
            open: "09:00".into(),
            close: "17:00".into(),
        });
        BusinessHours {
            timezone: "Europe/Berlin".into(),
            monday: day.clone(),
            tuesday: day.clone(),
            wednesday: day.clone(),
            thursday: day.clone(),
            friday: day,
            exceptions,
            ..BusinessHours::default()
        }
    }

    #[test]
    fn a_closed_holiday_is_closed_and_the_next_opening_skips_it() {
        // 2026-12-25 is a Friday; the next regular opening is Monday 28th, 09:00 (08:00 UTC).
        let bh = office(vec![closed("2026-12-25")]);
        assert_eq!(bh.validate(), Ok(()));
        assert!(!bh.is_open_at(utc(2026, 12, 25, 10, 0)));
        assert!(bh.is_open_at(utc(2026, 12, 24, 10, 0)));
        assert_eq!(
            bh.next_opening_after(utc(2026, 12, 25, 10, 0)),
            Some(utc(2026, 12, 28, 8, 0))
        );
    }

    #[test]
    fn special_hours_replace_the_days_hours_with_weekday_rules() {
        // Thursday 24th: 10:00–14:00 instead of 09:00–17:00.
        let bh = office(vec![special("2026-12-24", "10:00", "14:00")]);
        assert!(!bh.is_open_at(utc(2026, 12, 24, 8, 30)));
        assert!(bh.is_open_at(utc(2026, 12, 24, 9, 0)));
        assert!(!bh.is_open_at(utc(2026, 12, 24, 13, 0)));
        assert_eq!(
            bh.next_opening_after(utc(2026, 12, 24, 8, 0)),
            Some(utc(2026, 12, 24, 9, 0))
        );
        // A Saturday opened past midnight, and a Sunday to 24:00.
        let bh = office(vec![
            special("2026-12-26", "22:00", "02:00"),
            special("2026-12-27", "20:00", "24:00"),
        ]);
        assert!(bh.is_open_at(utc(2026, 12, 26, 21, 30)));
        assert!(bh.is_open_at(utc(2026, 12, 27, 0, 30)), "past midnight");
        assert!(!bh.is_open_at(utc(2026, 12, 27, 1, 0)));
        assert!(bh.is_open_at(utc(2026, 12, 27, 22, 59)), "until 24:00");
        assert!(!bh.is_open_at(utc(2026, 12, 27, 23, 0)));
    }

    #[test]
    fn a_closed_day_keeps_the_previous_days_overnight_tail() {
        let bh = BusinessHours {
            exceptions: vec![
                special("2026-12-23", "20:00", "03:00"),
                closed("2026-12-24"),
            ],
            ..office(Vec::new())
        };
        assert!(bh.is_open_at(utc(2026, 12, 24, 1, 0)));
        assert!(!bh.is_open_at(utc(2026, 12, 24, 10, 0)));
    }

    #[test]
    fn a_long_closure_and_a_far_special_day_are_found_as_next_openings() {
        let days: Vec<DayException> = (14..=31)
            .map(|d| closed(&format!("2026-12-{d:02}")))
            .collect();
        let bh = office(days);
        assert_eq!(
            bh.next_opening_after(utc(2026, 12, 14, 10, 0)),
            Some(utc(2027, 1, 1, 8, 0))
        );
        let only_special = BusinessHours {
            timezone: "Europe/Berlin".into(),
            exceptions: vec![special("2027-03-01", "09:00", "12:00")],
            ..BusinessHours::default()
        };
        assert_eq!(
            only_special.next_opening_after(utc(2026, 12, 1, 0, 0)),
            Some(utc(2027, 3, 1, 8, 0))
        );
        assert!(!only_special.is_open_at(utc(2026, 12, 1, 10, 0)));
    }

    #[test]
    fn bad_exceptions_are_named() {
        let field = |exceptions: Vec<DayException>| {
            office(exceptions).validate().expect_err("invalid").field
        };
        assert_eq!(field(vec![closed("2026-13-01")]), "exceptions[0].date");
        assert_eq!(field(vec![closed("2026-2-30")]), "exceptions[0].date");
        assert_eq!(field(vec![closed("2026-02-30")]), "exceptions[0].date");
        assert_eq!(field(vec![closed("26-12-25")]), "exceptions[0].date");
        assert_eq!(
            field(vec![closed("2026-12-25"), closed("2026-12-25")]),
            "exceptions[1].date"
        );
        let both = DayException {
            closed: true,
            ..special("2026-12-25", "09:00", "12:00")
        };
        assert_eq!(field(vec![both]), "exceptions[0].closed");
        let no_close = DayException {
            close: None,
            ..special("2026-12-25", "09:00", "12:00")
        };
        assert_eq!(field(vec![no_close]), "exceptions[0].close");
        let nothing = DayException {
            date: "2026-12-25".into(),
            ..DayException::default()
        };
        assert_eq!(field(vec![nothing]), "exceptions[0].open");
        assert_eq!(
            field(vec![
                closed("2026-12-24"),
                special("2026-12-25", "25:00", "12:00")
            ]),
            "exceptions[1].open"
        );
        assert_eq!(
            field(vec![special("2026-12-25", "09:00", "9pm")]),
            "exceptions[0].close"
        );
        assert_eq!(
            field(vec![special("2026-12-25", "09:00", "09:00")]),
            "exceptions[0].close"
        );
        let many = (0..=MAX_EXCEPTIONS).map(|_| closed("2026-12-25")).collect();
        assert_eq!(field(many), "exceptions");
    }

    #[test]
    fn exceptions_travel_as_documented_json() {
        let json = r#"{"timezone":"Europe/Berlin","offline_behavior":"show_message","exceptions":[{"date":"2026-12-25","closed":true},{"date":"2026-12-24","open":"09:00","close":"12:00"}]}"#;
        let bh: BusinessHours = serde_json::from_str(json).expect("deserialize");
        assert_eq!(bh.exceptions[0], closed("2026-12-25"));
        assert_eq!(bh.exceptions[1], special("2026-12-24", "09:00", "12:00"));
        assert_eq!(serde_json::to_string(&bh).expect("serialize"), json);
    }
}
