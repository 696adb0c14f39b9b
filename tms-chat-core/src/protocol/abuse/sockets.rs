//! Open sockets per client address: a slot is taken before a socket is authorised and given
//! back when the connection ends (or the upgrade never happens), so the count never drifts.

use crate::error::ChatError;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a refused client is told to wait: sockets are long-lived, so any short wait will
/// do; the client retries its reconnect with backoff anyway.
const RETRY_AFTER: Duration = Duration::from_secs(10);

/// The open sockets of each address.
pub(crate) struct SocketCounter {
    max: Option<usize>,
    open: Mutex<HashMap<IpAddr, usize>>,
}

impl SocketCounter {
    pub(crate) fn new(max: Option<usize>) -> Self {
        SocketCounter {
            max,
            open: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a slot for `key`, or refuses when it holds `max` already.
    pub(crate) fn open(counter: &Arc<Self>, key: IpAddr) -> Result<SocketSlot, ChatError> {
        let mut open = counter.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(key).or_insert(0);
        if counter.max.is_some_and(|max| *count >= max) {
            return Err(ChatError::RateLimited {
                retry_after: RETRY_AFTER,
            });
        }
        *count += 1;
        Ok(SocketSlot {
            counter: Arc::clone(counter),
            key,
        })
    }

    #[cfg(test)]
    fn count(&self, key: IpAddr) -> usize {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.get(&key).copied().unwrap_or(0)
    }
}

/// One open (or about to open) socket of an address; dropping it frees the slot.
pub(crate) struct SocketSlot {
    counter: Arc<SocketCounter>,
    key: IpAddr,
}

impl std::fmt::Debug for SocketSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketSlot")
            .field("key", &self.key)
            .finish()
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.counter.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_counted_per_address_and_given_back_on_drop() {
        let counter = Arc::new(SocketCounter::new(Some(2)));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = SocketCounter::open(&counter, a).unwrap();
        let _second = SocketCounter::open(&counter, a).unwrap();
        assert!(SocketCounter::open(&counter, a).is_err());
        let _other = SocketCounter::open(&counter, b).unwrap();
        drop(first);
        assert_eq!(counter.count(a), 1);
        let _third = SocketCounter::open(&counter, a).unwrap();
        assert_eq!(counter.count(a), 2);
    }
}
