//! Any text as business hours (JSON) and as widget domain entries and an origin: business
//! hours decode or are refused, valid ones answer "open?" and "next opening" for an instant
//! taken from the input (the next opening is never before it); domain entries parse or are
//! refused with a reason, and any origin is matched or not. Never a panic.

#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use tms_chat_core::domain::{origin_allowed, AllowedDomain, BusinessHours};

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    if let Ok(hours) = serde_json::from_str::<BusinessHours>(&text) {
        if hours.validate().is_ok() {
            let secs = i64::from(u32::from_le_bytes(padded(rest))) * 2 + i64::from(first);
            if let Some(at) = Utc.timestamp_opt(secs, 0).single() {
                let _ = hours.is_open_at(at);
                if let Some(next) = hours.next_opening_after(at) {
                    assert!(next >= at, "next opening {next} before {at}");
                }
            }
        }
    }
    let mut parts = text.split('\n');
    let origin = parts.next();
    let mut allowed = Vec::new();
    for entry in parts {
        match AllowedDomain::parse(entry) {
            Ok(domain) => allowed.push(domain),
            Err(reason) => assert!(!reason.is_empty()),
        }
    }
    let _ = origin_allowed(&allowed, origin);
});

/// The first four bytes of `bytes`, zero-padded.
fn padded(bytes: &[u8]) -> [u8; 4] {
    let mut out = [0u8; 4];
    for (slot, byte) in out.iter_mut().zip(bytes) {
        *slot = *byte;
    }
    out
}
