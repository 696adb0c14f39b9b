//! Load tool for a running tms-chat server (only loopback targets). Scenarios:
//!
//! - `throughput`: one customer socket sends messages as fast as the window allows; one agent
//!   socket subscribed to the session receives them (`--from agent`: the other way round).
//!   Reports persisted messages per second.
//! - `latency`: the customer (or, `--from agent`, the agent) sends at a fixed rate; reports
//!   the latency percentiles from the send to the `new_message` arriving on the other side.
//! - `idle`: opens N authenticated customer sockets and holds them; prints when ready so the
//!   caller can read the server's RSS (`scripts/bench.sh` does).
//! - `fanout`: N agent sockets subscribe to one session; one message is sent; reports the time
//!   from the first delivery to the last.
//! - `routing`: the widget routes `least_busy` to the agents of `--agent-tokens` (their consoles
//!   open). First the time from a session's start to its assignment (p50/p99, sessions started
//!   one at a time, each ended again); then, with the agents away, N sessions wait, the agents
//!   come back online and the tool ends each assigned session as soon as it sees it (freeing
//!   the place for the next waiting one): reports the drain rate in sessions per second.
//! - `recovery`: N customers with an acknowledged message each reconnect and resume at once
//!   after the caller restarts the server (`recovery.rs`).
//! - `history`: REST history pages of 100 messages read while messages flow (`history.rs`).
//! - `soak`: the server's RSS over a long run at a fixed rate (`soak.rs`).
//!
//! Every loop is bounded in count and time and stops by itself.

mod history;
mod recovery;
mod soak;

use clap::{Parser, Subcommand};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser)]
struct Cli {
    /// Server base URL (loopback only).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    server: String,
    /// Where the agent's sockets connect, when not to `--server`: another node of the same
    /// chat system (one database), to measure across nodes (loopback only).
    #[arg(long)]
    agent_server: Option<String>,
    /// An admin agent's bearer token.
    #[arg(long)]
    token: String,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Persisted messages per second through one customer/agent pair.
    Throughput {
        #[arg(long, default_value_t = 20_000)]
        messages: usize,
        #[arg(long, default_value_t = 256)]
        window: usize,
        /// Who sends.
        #[arg(long, value_enum, default_value_t = Side::Customer)]
        from: Side,
    },
    /// Sender→receiver latency at a fixed rate.
    Latency {
        #[arg(long, default_value_t = 2_000)]
        rate: u64,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Who sends.
        #[arg(long, value_enum, default_value_t = Side::Customer)]
        from: Side,
    },
    /// Hold N idle customer sockets.
    Idle {
        #[arg(long, default_value_t = 5_000)]
        sockets: usize,
        #[arg(long, default_value_t = 15)]
        hold_seconds: u64,
    },
    /// One message to N subscribed consoles.
    Fanout {
        #[arg(long, default_value_t = 1_000)]
        consoles: usize,
    },
    /// N customers reconnect and resume at once after a server restart.
    Recovery {
        #[arg(long, default_value_t = 10_000)]
        sockets: usize,
    },
    /// REST history pages read while messages flow.
    History {
        #[arg(long, default_value_t = 2_000)]
        rate: u64,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// The server's RSS over a long run at a fixed rate.
    Soak {
        #[arg(long, default_value_t = 2_000)]
        rate: u64,
        #[arg(long, default_value_t = 600)]
        seconds: u64,
        /// The server's process id (read in /proc: the server runs on this machine).
        #[arg(long)]
        pid: u32,
    },
    /// Time to assignment, and how fast a queue drains as agents free up.
    Routing {
        /// Bearer tokens of the agents that take sessions (comma-separated; each should have
        /// a session limit, the tool frees their places).
        #[arg(long, value_delimiter = ',')]
        agent_tokens: Vec<String>,
        /// Sessions started one at a time for the time to assignment.
        #[arg(long, default_value_t = 200)]
        starts: usize,
        /// Sessions waiting when the agents come back.
        #[arg(long, default_value_t = 1_000)]
        waiting: usize,
    },
}

/// One side of a chat.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Side {
    /// The customer's widget socket.
    Customer,
    /// The agent's console socket (subscribed to the session).
    Agent,
}

impl Side {
    fn arrow(self) -> &'static str {
        match self {
            Side::Customer => "customer→agent",
            Side::Agent => "agent→customer",
        }
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Target {
    base: String,
    ws_base: String,
    agent_ws_base: String,
    token: String,
    http: reqwest::Client,
    widget_id: String,
    origin: String,
}

impl Target {
    async fn new(base: &str, agent_base: Option<&str>, token: &str) -> Result<Self, String> {
        for server in [Some(base), agent_base].into_iter().flatten() {
            let url = reqwest::Url::parse(server).map_err(|e| e.to_string())?;
            let host = url.host_str().unwrap_or_default().to_owned();
            if !(host == "localhost" || host.starts_with("127.") || host == "[::1]") {
                return Err("only loopback servers may be load-tested".into());
            }
        }
        let ws_of = |server: &str| server.trim_end_matches('/').replacen("http", "ws", 1);
        let http = reqwest::Client::new();
        let widget: Value = http
            .post(format!("{base}/v1/chat/widgets"))
            .bearer_auth(token)
            .json(&json!({"name": "loadtest", "domain": "localhost", "allowed_domains": ["127.0.0.1"]}))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let widget_id = widget["id"]
            .as_str()
            .ok_or(format!("cannot create a widget: {widget}"))?
            .to_owned();
        Ok(Target {
            base: base.trim_end_matches('/').to_owned(),
            ws_base: ws_of(base),
            agent_ws_base: ws_of(agent_base.unwrap_or(base)),
            token: token.to_owned(),
            http,
            widget_id,
            origin: "http://localhost".into(),
        })
    }

    /// The same server and widget, acting with another agent's token.
    fn with_token(&self, token: &str) -> Target {
        Target {
            base: self.base.clone(),
            ws_base: self.ws_base.clone(),
            agent_ws_base: self.agent_ws_base.clone(),
            token: token.to_owned(),
            http: self.http.clone(),
            widget_id: self.widget_id.clone(),
            origin: self.origin.clone(),
        }
    }

    /// Starts a session as a customer; returns (session id, customer token).
    async fn customer_session(&self) -> Result<(String, String), String> {
        let v: Value = self
            .http
            .post(format!(
                "{}/v1/chat/public/widgets/{}/sessions",
                self.base, self.widget_id
            ))
            .header("origin", &self.origin)
            .json(&json!({}))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let id = v["session"]["id"]
            .as_str()
            .ok_or(format!("no session: {v}"))?
            .to_owned();
        let token = v["customer_token"].as_str().ok_or("no token")?.to_owned();
        Ok((id, token))
    }

    async fn customer_socket(&self, token: &str) -> Result<Ws, String> {
        let mut req = format!(
            "{}/v1/chat/public/widgets/{}/ws?token={token}",
            self.ws_base, self.widget_id
        )
        .into_client_request()
        .map_err(|e| e.to_string())?;
        req.headers_mut()
            .insert("origin", self.origin.parse().map_err(|_| "origin")?);
        let (ws, _) = tokio_tungstenite::connect_async_with_config(req, None, true)
            .await
            .map_err(|e| e.to_string())?;
        Ok(ws)
    }

    async fn agent_socket(&self) -> Result<Ws, String> {
        let mut req = format!("{}/v1/chat/ws", self.agent_ws_base)
            .into_client_request()
            .map_err(|e| e.to_string())?;
        req.headers_mut().insert(
            "authorization",
            format!("Bearer {}", self.token)
                .parse()
                .map_err(|_| "token")?,
        );
        let (ws, _) = tokio_tungstenite::connect_async_with_config(req, None, true)
            .await
            .map_err(|e| e.to_string())?;
        Ok(ws)
    }
}

async fn wait_for(ws: &mut Ws, kind: &str) -> Result<Value, String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let msg = tokio::time::timeout(left, ws.next())
            .await
            .map_err(|_| format!("timed out waiting for {kind}"))?
            .ok_or("socket closed")?
            .map_err(|e| e.to_string())?;
        if let Message::Text(t) = msg {
            let v: Value = serde_json::from_str(&t).map_err(|e| e.to_string())?;
            if v["type"] == kind {
                return Ok(v);
            }
        }
    }
}

async fn subscribed_pair(t: &Target) -> Result<(String, Ws, Ws), String> {
    let (session, token) = t.customer_session().await?;
    let mut customer = t.customer_socket(&token).await?;
    wait_for(&mut customer, "ready").await?;
    let mut agent = t.agent_socket().await?;
    wait_for(&mut agent, "ready").await?;
    agent
        .send(Message::text(
            json!({"type": "subscribe", "session_id": session}).to_string(),
        ))
        .await
        .map_err(|e| e.to_string())?;
    wait_for(&mut agent, "subscribed").await?;
    Ok((session, customer, agent))
}

/// The `seq` of a `new_message` frame's message, read without parsing the frame.
fn seq_of(frame: &str) -> Option<u64> {
    let at = frame.find("\"seq\":")? + "\"seq\":".len();
    let digits: String = frame[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// A subscribed pair as (session, sender, receiver) for messages sent by `from`.
async fn sending_pair(t: &Target, from: Side) -> Result<(String, Ws, Ws), String> {
    let (session, customer, agent) = subscribed_pair(t).await?;
    Ok(match from {
        Side::Customer => (session, customer, agent),
        Side::Agent => (session, agent, customer),
    })
}

fn send_frame(i: usize, sent_at_micros: u128, session: &str) -> Message {
    Message::text(
        json!({"type": "send_message", "session_id": session, "content": format!("t{sent_at_micros}"), "message_type": "text", "client_message_id": format!("c{i}")})
            .to_string(),
    )
}

async fn throughput(t: &Target, messages: usize, window: usize, from: Side) -> Result<(), String> {
    let (session, sender, mut receiving) = sending_pair(t, from).await?;
    let (mut tx, mut rx) = sender.split();
    let session_id = session.clone();
    let start = Instant::now();
    // The receiver is read from the start, as a console would, and resumes after a
    // `resync_required` as the protocol asks (events stop until it does).
    let receiver = tokio::spawn(async move {
        let (mut received, mut resyncs, mut last_seq) = (0usize, 0usize, 0u64);
        while received < messages {
            match tokio::time::timeout(Duration::from_secs(30), receiving.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => {
                    if t.contains("\"new_message\"") {
                        // Replays after a resume may repeat what arrived live.
                        match seq_of(&t) {
                            Some(seq) if seq <= last_seq => {}
                            seq => {
                                last_seq = seq.unwrap_or(last_seq);
                                received += 1;
                            }
                        }
                    } else if t.contains("\"resync_required\"") {
                        resyncs += 1;
                        let resume = json!({"type": "resume", "session_id": session_id, "after_seq": last_seq});
                        if receiving
                            .send(Message::text(resume.to_string()))
                            .await
                            .is_err()
                        {
                            return Err("receiver closed".to_string());
                        }
                    }
                }
                Ok(Some(Ok(_))) => {}
                _ => {
                    return Err(format!(
                        "receiver stalled after {received} messages ({resyncs} resyncs)"
                    ))
                }
            }
        }
        Ok((start.elapsed(), resyncs))
    });
    let (acked_tx, mut acked_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let reader = tokio::spawn(async move {
        while let Some(Ok(msg)) = rx.next().await {
            if let Message::Text(t) = msg {
                if t.contains("\"message_ack\"") && acked_tx.send(()).is_err() {
                    break;
                }
            }
        }
    });
    let mut in_flight = 0usize;
    for i in 0..messages {
        while in_flight >= window {
            // What is fed must be on the wire before waiting for its ack (a window under 32).
            tx.flush().await.map_err(|e| e.to_string())?;
            acked_rx.recv().await.ok_or("customer socket closed")?;
            in_flight -= 1;
        }
        tx.feed(send_frame(i, 0, &session))
            .await
            .map_err(|e| e.to_string())?;
        in_flight += 1;
        if in_flight.is_multiple_of(32) {
            tx.flush().await.map_err(|e| e.to_string())?;
        }
    }
    tx.flush().await.map_err(|e| e.to_string())?;
    let (elapsed, resyncs) = receiver.await.map_err(|e| e.to_string())??;
    reader.abort();
    let secs = elapsed.as_secs_f64();
    println!("throughput {}: {messages} persisted messages delivered in {secs:.2} s = {:.0} msg/s (window {window}, {resyncs} resumes)", from.arrow(), messages as f64 / secs);
    Ok(())
}

async fn latency(t: &Target, rate: u64, seconds: u64, from: Side) -> Result<(), String> {
    let (session, sender, mut receiving) = sending_pair(t, from).await?;
    let (mut tx, mut rx) = sender.split();
    let drain = tokio::spawn(async move { while let Some(Ok(_)) = rx.next().await {} });
    let epoch = Instant::now();
    let total = (rate * seconds) as usize;
    let sender = tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / rate.max(1)));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        for i in 0..total {
            ticker.tick().await;
            let at = epoch.elapsed().as_micros();
            if tx.send(send_frame(i, at, &session)).await.is_err() {
                break;
            }
        }
    });
    let mut samples = Vec::with_capacity(total);
    let deadline = Instant::now() + Duration::from_secs(seconds + 30);
    while samples.len() < total && Instant::now() < deadline {
        let Ok(Some(Ok(Message::Text(t)))) =
            tokio::time::timeout(Duration::from_secs(10), receiving.next()).await
        else {
            break;
        };
        let now = epoch.elapsed().as_micros();
        if let Ok(v) = serde_json::from_str::<Value>(&t) {
            if v["type"] == "new_message" {
                if let Some(sent) = v["message"]["content"]
                    .as_str()
                    .and_then(|c| c.strip_prefix('t'))
                    .and_then(|s| s.parse::<u128>().ok())
                {
                    samples.push((now - sent) as f64 / 1000.0);
                }
            }
        }
    }
    let _ = sender.await;
    drain.abort();
    samples.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| percentile(&samples, p);
    println!(
        "latency {} at {rate} msg/s for {seconds} s: {} samples, p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        from.arrow(), samples.len(), pct(0.50), pct(0.90), pct(0.99), samples.last().copied().unwrap_or(f64::NAN)
    );
    Ok(())
}

async fn idle(t: &Target, sockets: usize, hold: u64) -> Result<(), String> {
    let mut held = Vec::with_capacity(sockets);
    let mut tokens = Vec::with_capacity(sockets);
    for _ in 0..sockets {
        tokens.push(t.customer_session().await?.1);
    }
    println!("idle: {sockets} sessions created");
    println!("SESSIONS");
    tokio::time::sleep(Duration::from_secs(3)).await;
    for token in &tokens {
        let mut ws = t.customer_socket(token).await?;
        wait_for(&mut ws, "ready").await?;
        held.push(ws);
    }
    println!("idle: {sockets} sockets open");
    println!("READY");
    tokio::time::sleep(Duration::from_secs(hold)).await;
    drop(held);
    Ok(())
}

async fn fanout(t: &Target, consoles: usize) -> Result<(), String> {
    let (session, token) = t.customer_session().await?;
    let mut agents = Vec::with_capacity(consoles);
    for _ in 0..consoles {
        let mut a = t.agent_socket().await?;
        wait_for(&mut a, "ready").await?;
        a.send(Message::text(
            json!({"type": "subscribe", "session_id": session}).to_string(),
        ))
        .await
        .map_err(|e| e.to_string())?;
        wait_for(&mut a, "subscribed").await?;
        agents.push(a);
    }
    let mut customer = t.customer_socket(&token).await?;
    wait_for(&mut customer, "ready").await?;
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    for mut a in agents {
        let done = done_tx.clone();
        // The time is taken as the frame is read, with no JSON parse first: on the tool's one
        // core a parse per console would be most of what is measured.
        tokio::spawn(async move {
            let deadline = Duration::from_secs(30);
            while let Ok(Some(Ok(msg))) = tokio::time::timeout(deadline, a.next()).await {
                if msg.to_text().is_ok_and(|t| t.contains("\"new_message\"")) {
                    let _ = done.send(Instant::now());
                    break;
                }
            }
        });
    }
    drop(done_tx);
    customer
        .send(send_frame(0, 0, &session))
        .await
        .map_err(|e| e.to_string())?;
    let mut times = Vec::with_capacity(consoles);
    while let Some(at) = done_rx.recv().await {
        times.push(at);
    }
    times.sort();
    match (times.first(), times.last()) {
        (Some(first), Some(last)) => println!(
            "fanout: one message to {} of {consoles} consoles, last delivery {:.2} ms after the first",
            times.len(),
            (*last - *first).as_secs_f64() * 1000.0
        ),
        _ => println!("fanout: no deliveries"),
    }
    Ok(())
}

/// A JSON call with `token`; the answer's body (an error status is an error).
async fn call(
    t: &Target,
    method: &str,
    path: &str,
    token: &str,
    body: Value,
) -> Result<Value, String> {
    let res = t
        .http
        .request(
            method.parse().map_err(|_| "method")?,
            format!("{}{path}", t.base),
        )
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status();
    let v: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(format!("{method} {path}: {status} {v}"));
    }
    Ok(v)
}

/// Every agent's presence.
async fn set_presence(t: &Target, tokens: &[String], status: &str) -> Result<(), String> {
    for token in tokens {
        call(
            t,
            "PUT",
            "/v1/chat/me/presence",
            token,
            json!({ "status": status }),
        )
        .await?;
    }
    Ok(())
}

/// The widget's sessions assigned and still open, as the admin lists them (one page).
async fn assigned_sessions(t: &Target) -> Result<Vec<String>, String> {
    let path = format!(
        "/v1/chat/sessions?status=active&widget_id={}&limit=200",
        t.widget_id
    );
    let page = call(t, "GET", &path, &t.token, Value::Null).await?;
    Ok(page["sessions"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|s| s["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

async fn end_session(t: &Target, id: &str) -> Result<(), String> {
    let path = format!("/v1/chat/sessions/{id}/end");
    call(t, "POST", &path, &t.token, json!({}))
        .await
        .map(|_| ())
}

/// The `p` quantile of sorted samples (NaN when there are none).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(at).copied().unwrap_or(f64::NAN)
}

async fn routing(
    t: &Target,
    agents: &[String],
    starts: usize,
    waiting: usize,
) -> Result<(), String> {
    if agents.is_empty() {
        return Err("--agent-tokens names no agent".into());
    }
    let path = format!("/v1/chat/widgets/{}", t.widget_id);
    call(
        t,
        "PUT",
        &path,
        &t.token,
        json!({"routing": {"mode": "least_busy"}}),
    )
    .await?;
    let mut consoles = Vec::new();
    for token in agents {
        let agent = t.with_token(token);
        let mut ws = agent.agent_socket().await?;
        wait_for(&mut ws, "ready").await?;
        consoles.push(ws);
    }
    set_presence(t, agents, "online").await?;

    // Time to assignment: the start request answers once the session is assigned.
    let mut millis = Vec::with_capacity(starts);
    for _ in 0..starts {
        let began = Instant::now();
        let (id, _) = t.customer_session().await?;
        let session = call(
            t,
            "GET",
            &format!("/v1/chat/sessions/{id}"),
            &t.token,
            Value::Null,
        )
        .await?;
        if session["assigned_agent_id"].is_null() {
            return Err(format!("session {id} was not assigned at once"));
        }
        millis.push(began.elapsed().as_secs_f64() * 1000.0);
        end_session(t, &id).await?;
    }
    millis.sort_by(f64::total_cmp);
    println!(
        "routing: start to assignment over {starts} sessions: p50 {:.2} ms, p99 {:.2} ms",
        percentile(&millis, 0.5),
        percentile(&millis, 0.99)
    );

    // The drain: N sessions wait while the agents are away, then each freed place takes one.
    set_presence(t, agents, "away").await?;
    for _ in 0..waiting {
        t.customer_session().await?;
    }
    let began = Instant::now();
    set_presence(t, agents, "online").await?;
    let deadline = began + Duration::from_secs(300);
    let mut ended = 0;
    while ended < waiting {
        if Instant::now() > deadline {
            return Err(format!(
                "only {ended} of {waiting} sessions drained in 300 s"
            ));
        }
        let assigned = assigned_sessions(t).await?;
        let ends = assigned.iter().map(|id| end_session(t, id));
        for result in futures::future::join_all(ends).await {
            result?;
            ended += 1;
        }
    }
    let seconds = began.elapsed().as_secs_f64();
    println!(
        "routing: {waiting} waiting sessions drained through {} agents in {seconds:.2} s = {:.0} sessions/s",
        agents.len(),
        waiting as f64 / seconds
    );
    drop(consoles);
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let target = match Target::new(&cli.server, cli.agent_server.as_deref(), &cli.token).await {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = match cli.scenario {
        Scenario::Throughput {
            messages,
            window,
            from,
        } => throughput(&target, messages, window, from).await,
        Scenario::Latency {
            rate,
            seconds,
            from,
        } => latency(&target, rate, seconds, from).await,
        Scenario::Idle {
            sockets,
            hold_seconds,
        } => idle(&target, sockets, hold_seconds).await,
        Scenario::Fanout { consoles } => fanout(&target, consoles).await,
        Scenario::Recovery { sockets } => recovery::recovery(&target, sockets).await,
        Scenario::History { rate, seconds } => history::history(&target, rate, seconds).await,
        Scenario::Soak { rate, seconds, pid } => soak::soak(&target, rate, seconds, pid).await,
        Scenario::Routing {
            agent_tokens,
            starts,
            waiting,
        } => routing(&target, &agent_tokens, starts, waiting).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
