//! `soak`: one customer sends to a subscribed agent at a fixed rate for a long time (10
//! minutes by default) while the tool samples the server's resident memory
//! (`/proc/<pid>/status`, the server runs on this machine: loopback only) every 10 seconds.
//! Reports RSS after the warm-up (the first minute) and at the end, and the growth between.

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
    let mut samples: Vec<(Duration, u64)> = Vec::new();
    while !load.is_finished() {
        tokio::time::sleep(SAMPLE_EVERY).await;
        let kb = rss_kb(pid)?;
        println!("soak: {:>4} s RSS {kb} KB", start.elapsed().as_secs());
        samples.push((start.elapsed(), kb));
    }
    let sent = load.await.map_err(|e| e.to_string())?;
    acks.abort();
    received.abort();
    let warm = samples.iter().find(|(at, _)| *at >= WARM_UP).map(|s| s.1);
    let last = samples.last().map(|s| s.1);
    match (warm, last) {
        (Some(warm), Some(last)) => println!(
            "soak: {sent} messages at {rate} msg/s over {seconds} s: RSS {warm} KB after warm-up, {last} KB at the end, growth {:+.1}%",
            100.0 * (last as f64 - warm as f64) / warm as f64
        ),
        _ => println!("soak: too short to compare (run longer than {} s)", WARM_UP.as_secs()),
    }
    Ok(())
}

/// The resident memory of process `pid`, in KB.
fn rss_kb(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read the server's memory (pid {pid}): {e}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .ok_or(format!("no VmRSS for pid {pid}"))
}
