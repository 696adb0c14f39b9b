//! `soak`: one customer sends to a subscribed agent at a fixed rate for a long time (10
//! minutes by default) while the tool samples the server's resident memory
//! (`/proc/<pid>/status`, the server runs on this machine: loopback only) every 10 seconds.
//! Reports RSS after the warm-up (the first minute) and at the end, and the growth between,
//! split as the kernel counts it (`RssAnon`: the heap; `RssFile`: mapped files, the binary;
//! `RssShmem`: shared memory, such as SQLite's WAL index), so a growth shows where it is.

use super::{send_frame, sending_pair, Side, Target};
use futures::{SinkExt, StreamExt};
use std::time::{Duration, Instant};

/// Samples before this are the warm-up (pools, caches, the SQLite page cache filling).
const WARM_UP: Duration = Duration::from_secs(60);
/// How often RSS is read.
const SAMPLE_EVERY: Duration = Duration::from_secs(10);

pub(crate) async fn soak(t: &Target, rate: u64, seconds: u64, pid: u32) -> Result<(), String> {
    rss_kb(pid)?;
    let (session, sender, mut receiving) = sending_pair(t, Side::Customer).await?;
    let received = tokio::spawn(async move {
        let mut count = 0usize;
        while let Some(Ok(msg)) = receiving.next().await {
            if msg.to_text().is_ok_and(|t| t.contains("\"new_message\"")) {
                count += 1;
            }
        }
        count
    });
    let (mut tx, mut rx) = sender.split();
    let acks = tokio::spawn(async move { while let Some(Ok(_)) = rx.next().await {} });
    let start = Instant::now();
    let total = (rate * seconds) as usize;
    let load = tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / rate.max(1)));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        for i in 0..total {
            ticker.tick().await;
            if tx.send(send_frame(i, 0, &session)).await.is_err() {
                return i;
            }
        }
        total
    });
    let mut samples: Vec<(Duration, Rss)> = Vec::new();
    while !load.is_finished() {
        tokio::time::sleep(SAMPLE_EVERY).await;
        let rss = rss_kb(pid)?;
        println!(
            "soak: {:>4} s RSS {}",
            start.elapsed().as_secs(),
            rss.show()
        );
        samples.push((start.elapsed(), rss));
    }
    let sent = load.await.map_err(|e| e.to_string())?;
    acks.abort();
    received.abort();
    let warm = samples.iter().find(|(at, _)| *at >= WARM_UP).map(|s| s.1);
    let last = samples.last().map(|s| s.1);
    match (warm, last) {
        (Some(warm), Some(last)) => println!(
            "soak: {sent} messages at {rate} msg/s over {seconds} s: RSS {} KB after warm-up, {} KB at the end, growth {:+.1}% (anon {:+} KB, file {:+} KB, shmem {:+} KB)",
            warm.total,
            last.total,
            100.0 * (last.total as f64 - warm.total as f64) / warm.total as f64,
            last.anon as i64 - warm.anon as i64,
            last.file as i64 - warm.file as i64,
            last.shmem as i64 - warm.shmem as i64,
        ),
        _ => println!("soak: too short to compare (run longer than {} s)", WARM_UP.as_secs()),
    }
    Ok(())
}

/// A process's resident memory, in KB, as `/proc/<pid>/status` splits it.
#[derive(Clone, Copy, Debug)]
struct Rss {
    total: u64,
    anon: u64,
    file: u64,
    shmem: u64,
}

impl Rss {
    fn show(&self) -> String {
        format!(
            "{} KB (anon {}, file {}, shmem {})",
            self.total, self.anon, self.file, self.shmem
        )
    }
}

/// The resident memory of process `pid`.
fn rss_kb(pid: u32) -> Result<Rss, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read the server's memory (pid {pid}): {e}"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .ok_or(format!("no {name} for pid {pid}"))
    };
    Ok(Rss {
        total: field("VmRSS:")?,
        anon: field("RssAnon:")?,
        file: field("RssFile:")?,
        shmem: field("RssShmem:")?,
    })
}
