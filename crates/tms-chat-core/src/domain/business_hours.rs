//! Business hours: weekly opening times in an IANA time zone, and what the widget does when
//! closed. (Placeholder: implemented by the business-hours task.)

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// Opening time of one weekday, `HH:MM` 24-hour local times. A `close` earlier than `open`
/// crosses midnight into the next day; `close` may be `24:00`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayHours {
    /// Opening time, `HH:MM`.
    pub open: String,
    /// Closing time, `HH:MM`.
    pub close: String,
}

/// What the widget offers when closed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
}

impl BusinessHours {
    /// Checks the time zone, every day's times and the redirect URL; the error names the field
    /// relative to the business hours object (`timezone`, `monday.open`, `offline_redirect_url`).
    pub fn validate(&self) -> Result<(), FieldError> {
        Ok(())
    }

    /// Whether chat is open at `at`.
    pub fn is_open_at(&self, _at: DateTime<Utc>) -> bool {
        true
    }

    /// The next instant at or after `at` when chat opens, if it ever does.
    pub fn next_opening_after(&self, _at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        None
    }
}
