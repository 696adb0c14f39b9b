//! `history`: while one customer sends to a subscribed agent at a fixed rate (as `latency`
//! does), the agent's REST client reads a page of 100 messages of that session
//! again and again (`GET /v1/chat/sessions/{id}/messages?limit=100`), one request at a
//! time. Reports the page's latency percentiles under that write load.

use super::{percentile, send_frame, sending_pair, Side, Target};
use futures::{SinkExt, StreamExt};
use std::time::{Duration, Instant};

/// Messages stored before the measure, so every page is full.
const PRELOAD: usize = 200;

pub(crate) async fn history(t: &Target, rate: u64, seconds: u64) -> Result<(), String> {
    let (session, sender, mut receiving) = sending_pair(t, Side::Customer).await?;
    let drain = tokio::spawn(async move { while let Some(Ok(_)) = receiving.next().await {} });
    let (mut tx, mut rx) = sender.split();
    for i in 0..PRELOAD {
        tx.feed(send_frame(i, 0, &session))
            .await
            .map_err(|e| e.to_string())?;
    }
    tx.flush().await.map_err(|e| e.to_string())?;
    let acks = tokio::spawn(async move { while let Some(Ok(_)) = rx.next().await {} });
    tokio::time::sleep(Duration::from_secs(1)).await;
    let total = (rate * seconds) as usize;
    let read = session.clone();
    let load = tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / rate.max(1)));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        for i in 0..total {
            ticker.tick().await;
            if tx.send(send_frame(PRELOAD + i, 0, &session)).await.is_err() {
                break;
            }
        }
    });
    let samples = read_pages(t, &read, seconds).await?;
    let _ = load.await;
    acks.abort();
    drain.abort();
    println!(
        "history: {} pages of 100 messages read while {rate} msg/s flowed for {seconds} s: p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.90),
        percentile(&samples, 0.99),
        samples.last().copied().unwrap_or(f64::NAN)
    );
    Ok(())
}

/// Reads full pages back to back for `seconds`; each call's time in ms, sorted.
async fn read_pages(t: &Target, session: &str, seconds: u64) -> Result<Vec<f64>, String> {
    let url = format!("{}/v1/chat/sessions/{session}/messages?limit=100", t.base);
    let end = Instant::now() + Duration::from_secs(seconds);
    let mut samples = Vec::new();
    while Instant::now() < end {
        let started = Instant::now();
        let res = t
            .http
            .get(&url)
            .bearer_auth(&t.token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = res.status();
        let body = res.bytes().await.map_err(|e| e.to_string())?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
        if !status.is_success() {
            return Err(format!("history page: {status}"));
        }
        if body.len() < 1000 {
            return Err("history page: fewer messages than expected".into());
        }
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    Ok(samples)
}
