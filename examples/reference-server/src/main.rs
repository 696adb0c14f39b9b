//! The tms-chat reference server: the whole chat system in one binary. SQLite by default
//! (`sqlite://tms-chat.db`, created if missing), PostgreSQL by URL (with the PostgreSQL
//! notifier by default, so servers on one database share events; `--notifier`); the API mounted through
//! axum (default) or poem; the agent console at `/console/` (served by the API), a demo host page at `/demo`, the
//! widget script at `/chat-widget.js`. `SIGHUP` reads the config file again (`reload.rs`).
//!
//! Run: `cargo run --release -p tms-chat-reference-server` and open the printed console URL.

mod assets;
mod auth;
mod config;
mod demo;
mod http;
mod notifier;
mod reload;
mod tickets;
mod tls;

use clap::{Parser, ValueEnum};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tms_chat_core::protocol::abuse::IpNet;
use tms_chat_core::protocol::{AbuseLimits, ApiConfig, ChatApi, ConnectionTimeouts};
use tms_chat_core::service::ChatService;

/// Which web framework mounts the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Framework {
    /// axum 0.8
    Axum,
    /// poem 3
    Poem,
}

/// Command line (each flag also reads a `TMS_CHAT_*` environment variable).
#[derive(Parser, Debug)]
#[command(
    name = "tms-chat-reference-server",
    version,
    about = "Reference tms-chat server"
)]
struct Cli {
    /// Address to listen on.
    #[arg(long, env = "TMS_CHAT_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// `sqlite://FILE` (created if missing), `sqlite::memory:`, or `postgres://…`.
    #[arg(
        long,
        env = "TMS_CHAT_DATABASE_URL",
        default_value = "sqlite://tms-chat.db"
    )]
    database_url: String,
    /// TOML file listing tenants, projects and agents; without it a demo set-up is created.
    #[arg(long, env = "TMS_CHAT_CONFIG")]
    config: Option<PathBuf>,
    /// Web framework that mounts the API.
    #[arg(long, env = "TMS_CHAT_FRAMEWORK", value_enum, default_value = "axum")]
    framework: Framework,
    /// Public base URL (for embed codes and join links); default: from the request's Host.
    #[arg(long, env = "TMS_CHAT_PUBLIC_URL")]
    public_url: Option<String>,
    /// How events reach the other servers on the same database: `postgres` (LISTEN/NOTIFY;
    /// needs a PostgreSQL database), `nats://HOST:PORT` (a NATS server) or `local` (this
    /// process only). Default: `postgres` for a PostgreSQL database, `local` for SQLite (a
    /// SQLite file serves one server). See docs/scaling.md.
    #[arg(long, env = "TMS_CHAT_NOTIFIER", value_parser = notifier::NotifierKind::parse)]
    notifier: Option<notifier::NotifierKind>,
    /// Directory for uploaded files, tickets and demo tokens.
    #[arg(long, env = "TMS_CHAT_DATA_DIR", default_value = "tms-chat-data")]
    data_dir: PathBuf,
    /// Encrypt message content, notes and files at rest with the keys in this file (one
    /// `<id> <base64 of 32 bytes>` per line, oldest first; the last one seals). Every node of
    /// one database needs the same file. See docs/encryption-at-rest.md.
    #[arg(long, env = "TMS_CHAT_ENCRYPTION_KEY_FILE")]
    encryption_key_file: Option<PathBuf>,
    /// After adding a key to the key file: re-seal everything older keys sealed under the
    /// newest one, print what changed, and exit (safe while other nodes serve).
    #[arg(long, requires = "encryption_key_file")]
    reencrypt: bool,
    /// A reverse proxy or load balancer (address or network, `10.0.0.0/8`) whose
    /// `X-Forwarded-For` / `Forwarded` headers name the client; repeat or separate with
    /// commas. Default: none (the client is the TCP peer). See docs/security.md.
    #[arg(
        long = "trusted-proxy",
        env = "TMS_CHAT_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<IpNet>,
    /// Turns every abuse limit off (rates per address and socket, sockets per address): for
    /// load tests from one address, never on the internet.
    #[arg(long, env = "TMS_CHAT_NO_ABUSE_LIMITS")]
    no_abuse_limits: bool,
    /// Milliseconds a request head may take to arrive (counted from the connection's start
    /// or the previous answer; also the idle keep-alive timeout).
    #[arg(
        long,
        env = "TMS_CHAT_REQUEST_HEAD_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    request_head_timeout_ms: u64,
    /// Serve HTTPS and WSS with this certificate chain (PEM, the server's certificate first);
    /// needs `--tls-key`. Without it the server speaks plain HTTP (behind a TLS-terminating
    /// proxy, see docs/operations.md).
    #[arg(long, env = "TMS_CHAT_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of `--tls-cert` (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "TMS_CHAT_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Milliseconds between two rechecks of an open agent socket's agent against the current
    /// config (an agent removed from it closes at the next one, or at once on `SIGHUP`).
    #[arg(
        long,
        env = "TMS_CHAT_AGENT_RECHECK_INTERVAL_MS",
        default_value_t = 30_000
    )]
    agent_recheck_interval_ms: u64,
    /// Milliseconds a request body may go without a byte before `408 request_timeout`.
    #[arg(long, env = "TMS_CHAT_BODY_STALL_TIMEOUT_MS", default_value_t = 10_000)]
    body_stall_timeout_ms: u64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn read_key_ring(path: &std::path::Path) -> Result<tms_chat_core::encryption::KeyRing, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the key file {}: {e}", path.display()))?;
    tms_chat_core::encryption::KeyRing::parse(&text)
        .map_err(|e| format!("the key file {}: {e}", path.display()))
}

/// `--reencrypt`: one re-encryption pass under the key file's newest key.
async fn reencrypt(
    storage: &tms_chat_storage::NodeStorage,
    key_file: Option<&std::path::Path>,
) -> Result<(), String> {
    let path = key_file.ok_or("--reencrypt needs --encryption-key-file")?;
    let keys = read_key_ring(path)?;
    let report = storage
        .reencrypt(&keys)
        .await
        .map_err(|e| format!("re-encryption failed: {e}"))?;
    println!(
        "re-sealed under key {}: {} messages, {} notes, {} files; {} records did not open with the key file and were left as they are",
        keys.newest_key_id(),
        report.messages,
        report.notes,
        report.files,
        report.skipped
    );
    Ok(())
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = match &cli.config {
        Some(path) => Some(config::ServerConfig::load(path)?),
        None => None,
    };
    std::fs::create_dir_all(&cli.data_dir).map_err(|e| {
        format!(
            "cannot create data directory {}: {e}",
            cli.data_dir.display()
        )
    })?;
    let notifier_kind = notifier::NotifierKind::resolve(cli.notifier, &cli.database_url)?;
    // PostgreSQL: files in the database, shared by every node; SQLite: under the data dir.
    let storage = tms_chat_storage::connect_node(&cli.database_url, cli.data_dir.join("files"))
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    tracing::info!(database = %redact_url(&cli.database_url), "database ready");
    if cli.reencrypt {
        return reencrypt(&storage, cli.encryption_key_file.as_deref()).await;
    }
    let notifier = notifier_kind.connect(&cli.database_url).await?;
    let notifier_name = match &notifier_kind {
        notifier::NotifierKind::Nats(url) => redact_url(url),
        other => format!("{other:?}").to_lowercase(),
    };
    tracing::info!(notifier = %notifier_name, "notifier ready");
    let mut service_config = tms_chat_core::service::ServiceConfig::default();
    if let Some(config) = &config {
        service_config.presence_grace_seconds = config.routing.presence_grace_seconds;
    }
    let mut builder = ChatService::builder(storage.store)
        .config(service_config)
        .notifier(notifier)
        .blob_store(storage.files)
        .ticket_sink(Arc::new(tickets::FileTicketSink::new(
            cli.data_dir.join("tickets"),
        )));
    if let Some(path) = &cli.encryption_key_file {
        let keys = read_key_ring(path)?;
        tracing::info!(key_id = keys.newest_key_id(), "encryption at rest on");
        builder = builder.encryption(Arc::new(keys));
    }
    let service = builder.build();

    // Presence grace periods (and the other timers) on this node; each due item fires once
    // in the cluster.
    let _timers = service.spawn_timers(std::time::Duration::from_secs(1));

    let mut tokens = auth::TokenTable::default();
    let demo_info = match &config {
        Some(config) => {
            demo::apply_config(&service, config, &mut tokens)
                .await
                .map_err(|e| format!("cannot apply the config: {e}"))?;
            None
        }
        None => Some(
            demo::apply_demo(&service, &cli.data_dir, &mut tokens)
                .await
                .map_err(|e| format!("cannot create the demo set-up: {e}"))?,
        ),
    };
    let authenticator = Arc::new(auth::TokenAuthenticator::new(tokens));

    let tls = match (&cli.tls_cert, &cli.tls_key) {
        (Some(cert), Some(key)) => Some(tls::acceptor(cert, key)?),
        _ => None,
    };
    let listener = tokio::net::TcpListener::bind(&cli.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", cli.bind))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let base = cli
        .public_url
        .clone()
        .unwrap_or_else(|| {
            let scheme = if tls.is_some() { "https" } else { "http" };
            format!("{scheme}://{local}")
        })
        .trim_end_matches('/')
        .to_owned();
    let api_config = ApiConfig {
        public_base_url: cli.public_url.clone(),
        customer_join_url_template: if config.is_none() {
            "{base}/demo?widget={widget_id}&tms_chat_join={token}".to_owned()
        } else {
            ApiConfig::default().customer_join_url_template
        },
        abuse: abuse_limits(cli.no_abuse_limits, &cli.trusted_proxies),
        body_stall_timeout: Duration::from_millis(cli.body_stall_timeout_ms),
        agent_recheck_interval: Duration::from_millis(cli.agent_recheck_interval_ms.max(1)),
        ..ApiConfig::default()
    };
    let api = ChatApi::new(service, authenticator.clone(), api_config);
    if let Some(path) = &cli.config {
        let reloader = reload::Reloader {
            path: path.clone(),
            api: api.clone(),
            auth: authenticator,
        };
        reloader.spawn()?;
    }

    if let Some(info) = &demo_info {
        print_demo(&base, info);
    }
    tracing::info!(address = %local, framework = ?cli.framework, tls = tls.is_some(), "tms-chat listening");

    let shutdown_api = api.clone();
    let shutdown = async move {
        wait_for_signal().await;
        tracing::info!("shutting down: closing sockets, finishing requests");
        shutdown_api.begin_shutdown();
    };
    let timeouts = ConnectionTimeouts {
        request_head: Duration::from_millis(cli.request_head_timeout_ms),
    };
    http::serve(cli.framework, listener, api, shutdown, timeouts, tls)
        .await
        .map_err(|e| format!("server failed: {e}"))?;
    tracing::info!("stopped");
    Ok(())
}

/// The documented defaults, or none at all (`--no-abuse-limits`), behind the given proxies.
fn abuse_limits(off: bool, trusted_proxies: &[IpNet]) -> AbuseLimits {
    let limits = if off {
        AbuseLimits::unlimited()
    } else {
        AbuseLimits::default()
    };
    AbuseLimits {
        trusted_proxies: trusted_proxies.to_vec(),
        ..limits
    }
}

fn print_demo(base: &str, info: &demo::DemoInfo) {
    println!();
    println!("  tms-chat is running (demo set-up: no --config given)");
    println!();
    println!("  Agent console:  {base}/console/");
    println!("  Demo web page:  {base}/demo?widget={}", info.widget.id);
    for (agent, token) in &info.agents {
        let roles: Vec<&str> = agent.roles.iter().map(|r| r.as_str()).collect();
        println!(
            "  Agent {:<12} token {}  ({})",
            agent.id.as_str(),
            token,
            roles.join(", ")
        );
    }
    println!();
    println!(
        "  Embed code for {} (allowed on localhost and 127.0.0.1):",
        info.widget.id
    );
    println!(
        "{}",
        tms_chat_core::protocol::embed::embed_snippet(
            &format!("{base}/chat-widget.js"),
            info.widget.id.as_str(),
            &info.widget.domain
        )
    );
    println!();
}

/// Hides the password of a database URL for logs.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_passwords_are_redacted() {
        assert_eq!(
            super::redact_url("postgres://bob:secret@db:5432/chat"),
            "postgres://bob:***@db:5432/chat"
        );
        assert_eq!(
            super::redact_url("sqlite://tms-chat.db"),
            "sqlite://tms-chat.db"
        );
    }
}
