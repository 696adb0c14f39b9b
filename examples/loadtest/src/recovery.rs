//! `recovery`: N customer sockets each send one message (acknowledged), then the server is
//! restarted by the caller (the tool prints `RESTART` and waits for the sockets to drop and
//! the server to answer `/readyz` again), then every customer reconnects at once and resumes
//! from `seq` 0. Reports the time from the first reconnect to the last `resumed`, and checks
//! that each session replays its acknowledged message: nothing acknowledged is lost.

use super::{send_frame, wait_for, Target, Ws};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Sockets opened (and later reconnected) at once.
const CONNECT_CONCURRENCY: usize = 10_000;

pub(crate) async fn recovery(t: &Target, sockets: usize) -> Result<(), String> {
    let mut sessions = Vec::with_capacity(sockets);
    for _ in 0..sockets {
        sessions.push(t.customer_session().await?);
    }
    let mut held = Vec::with_capacity(sockets);
    for (session, token) in &sessions {
        let mut ws = t.customer_socket(token).await?;
        wait_for(&mut ws, "ready").await?;
        ws.send(send_frame(0, 0, session))
            .await
            .map_err(|e| e.to_string())?;
        wait_for(&mut ws, "message_ack").await?;
        held.push(ws);
    }
    println!("recovery: {sockets} sessions with one acknowledged message each");
    println!("RESTART");
    wait_until_dropped(held).await;
    wait_until_ready(t).await?;
    let start = Instant::now();
    let (replayed, failures) = reconnect_all(t, sessions).await;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "recovery: {} of {sockets} sockets reconnected and resumed in {secs:.2} s, {replayed} acknowledged messages replayed, {} lost",
        sockets - failures.len(),
        sockets - replayed,
    );
    match failures.first() {
        Some(first) => Err(format!(
            "{} sockets failed; the first: {first}",
            failures.len()
        )),
        None => Ok(()),
    }
}

/// Waits (at most two minutes) until the server closed every socket.
async fn wait_until_dropped(held: Vec<Ws>) {
    let closing = held.into_iter().map(|mut ws| async move {
        let deadline = Duration::from_secs(120);
        let _ = tokio::time::timeout(deadline, async {
            while let Some(Ok(_)) = ws.next().await {}
        })
        .await;
    });
    futures::future::join_all(closing).await;
}

/// Polls `/readyz` until the restarted server answers `200` (at most two minutes).
async fn wait_until_ready(t: &Target) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let ready = t.http.get(format!("{}/readyz", t.base)).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("the server did not come back within two minutes".into())
}

/// Reconnects every customer at once and resumes from 0; the number of sessions that
/// replayed their message, and the failures.
async fn reconnect_all(t: &Target, sessions: Vec<(String, String)>) -> (usize, Vec<String>) {
    let resumes = futures::stream::iter(sessions)
        .map(|(session, token)| async move { resume_one(t, &session, &token).await })
        .buffer_unordered(CONNECT_CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    let mut replayed = 0;
    let mut failures = Vec::new();
    for result in resumes {
        match result {
            Ok(true) => replayed += 1,
            Ok(false) => {}
            Err(e) => failures.push(e),
        }
    }
    (replayed, failures)
}

/// One customer's reconnect (retried while the listener is still busy) and resume;
/// whether its acknowledged message was replayed.
async fn resume_one(t: &Target, session: &str, token: &str) -> Result<bool, String> {
    let mut attempts = 0;
    let mut ws = loop {
        match t.customer_socket(token).await {
            Ok(ws) => break ws,
            Err(e) if attempts >= 20 => return Err(format!("reconnect: {e}")),
            Err(_) => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(100 * attempts)).await;
            }
        }
    };
    wait_for(&mut ws, "ready").await?;
    let resume = json!({"type": "resume", "session_id": session, "after_seq": 0});
    ws.send(Message::text(resume.to_string()))
        .await
        .map_err(|e| e.to_string())?;
    let mut replayed = false;
    loop {
        let frame = wait_for_any(&mut ws).await?;
        match frame["type"].as_str() {
            Some("new_message") => replayed |= frame["message"]["seq"] == 1,
            Some("resumed") => return Ok(replayed),
            Some("error") => return Err(format!("resume refused: {frame}")),
            _ => {}
        }
    }
}

/// The next text frame (30 s at most).
async fn wait_for_any(ws: &mut Ws) -> Result<Value, String> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .map_err(|_| "timed out waiting for the replay".to_string())?
            .ok_or("socket closed")?
            .map_err(|e| e.to_string())?;
        if let Message::Text(text) = msg {
            return serde_json::from_str(&text).map_err(|e| e.to_string());
        }
    }
}
