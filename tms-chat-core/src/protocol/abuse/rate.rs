//! Rates and their `governor` limiters: [`Rate`] (the setting), `KeyedRate` (one limiter
//! keyed by client address), `SocketRates` (the per-connection message and typing limiters),
//! all on the tokio clock so tests move time with `tokio::time::pause`/`advance`.

use crate::error::ChatError;
use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::HashMapStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// At most `count` in any `per` on average, with bursts of `count`: the GCRA quota "burst
/// `count`, one more every `per / count`".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// The burst, and how many are refilled per `per`.
    pub count: NonZeroU32,
    /// The window.
    pub per: Duration,
}

impl Rate {
    /// `count` per `per` (a `count` of 0 is taken as 1).
    pub fn new(count: u32, per: Duration) -> Self {
        Rate {
            count: NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN),
            per,
        }
    }

    fn quota(self) -> Quota {
        let period = self.per / self.count.get();
        Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(self.count))
            .allow_burst(self.count)
    }
}

/// The tokio clock as `governor` sees it (time since the limiter was made).
#[derive(Clone, Debug)]
pub(crate) struct TokioClock {
    start: tokio::time::Instant,
}

impl TokioClock {
    fn new() -> Self {
        TokioClock {
            start: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        self.start.elapsed()
    }
}

/// How often a keyed limiter forgets the keys that are back to a fresh state.
const FORGET_EVERY_CHECKS: u32 = 1024;

/// The key of a client address: IPv4 as is (also when written as IPv4-mapped IPv6), IPv6 by
/// its /64 prefix.
pub(crate) fn ip_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(prefix.into())
            }
        },
    }
}

type Keyed<K> = RateLimiter<K, HashMapStateStore<K>, TokioClock, NoOpMiddleware<Duration>>;
type Direct = RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Duration>>;

/// A rate per key (a client address, a session). Keys back to a fresh state are forgotten
/// every [`FORGET_EVERY_CHECKS`] checks, so the table holds only recently active keys.
pub(crate) struct KeyedRate<K: std::hash::Hash + Eq + Clone = IpAddr> {
    limiter: Keyed<K>,
    clock: TokioClock,
    checks: AtomicU32,
}

impl<K: std::hash::Hash + Eq + Clone> KeyedRate<K> {
    pub(crate) fn new(rate: Rate) -> Self {
        let clock = TokioClock::new();
        KeyedRate {
            limiter: RateLimiter::hashmap_with_clock(rate.quota(), clock.clone()),
            clock,
            checks: AtomicU32::new(0),
        }
    }

    pub(crate) fn check(&self, key: K) -> Result<(), ChatError> {
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(FORGET_EVERY_CHECKS)
        {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&key)
            .map_err(|not_until| refused(not_until.wait_time_from(self.clock.now())))
    }
}

fn refused(wait: Duration) -> ChatError {
    ChatError::RateLimited { retry_after: wait }
}

/// A frame kind limited per socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FrameKind {
    Message,
    Typing,
}

/// One connection's limiters (messages and typing), made when the connection opens.
pub(crate) struct SocketRates {
    messages: Option<Direct>,
    typing: Option<Direct>,
    clock: TokioClock,
}

impl SocketRates {
    /// The limiters of a socket with these rates.
    pub(crate) fn new(messages: Option<Rate>, typing: Option<Rate>) -> Self {
        let clock = TokioClock::new();
        let direct = |rate: Rate| RateLimiter::direct_with_clock(rate.quota(), clock.clone());
        SocketRates {
            messages: messages.map(direct),
            typing: typing.map(direct),
            clock,
        }
    }

    /// Counts one frame of `kind`; `RateLimited` when over its rate.
    pub(crate) fn check(&self, kind: FrameKind) -> Result<(), ChatError> {
        let limiter = match kind {
            FrameKind::Message => &self.messages,
            FrameKind::Typing => &self.typing,
        };
        match limiter {
            Some(limiter) => limiter
                .check()
                .map_err(|not_until| refused(not_until.wait_time_from(self.clock.now()))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_share_their_64_prefix_and_mapped_ipv4_is_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ip_key(a), ip_key(b));
        assert_ne!(ip_key(a), ip_key(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(ip_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[tokio::test(start_paused = true)]
    async fn a_rate_allows_its_burst_then_refuses_until_refilled() {
        let rate = KeyedRate::new(Rate::new(3, Duration::from_secs(3)));
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            rate.check(ip).unwrap();
        }
        let Err(ChatError::RateLimited { retry_after }) = rate.check(ip) else {
            panic!("the fourth is refused");
        };
        assert!(retry_after <= Duration::from_secs(1) && !retry_after.is_zero());
        rate.check("192.0.2.2".parse().unwrap()).unwrap();
        tokio::time::advance(Duration::from_secs(1)).await;
        rate.check(ip).unwrap();
        assert!(rate.check(ip).is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn socket_rates_count_messages_and_typing_apart() {
        let rates = SocketRates::new(Some(Rate::new(2, Duration::from_secs(10))), None);
        rates.check(FrameKind::Message).unwrap();
        rates.check(FrameKind::Message).unwrap();
        assert!(rates.check(FrameKind::Message).is_err());
        for _ in 0..100 {
            rates.check(FrameKind::Typing).unwrap();
        }
        tokio::time::advance(Duration::from_secs(5)).await;
        rates.check(FrameKind::Message).unwrap();
    }
}
