//! Starts the reference-server binary on a free port with a config of known agents and a
//! fresh data directory, and stops it when dropped.

#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) const ADMIN_TOKEN: &str = "admin-token-0123456789abcdef";
pub(crate) const AGENT_TOKEN: &str = "agent-token-0123456789abcdef";

pub(crate) struct Server {
    pub child: Child,
    pub base: String,
    /// The config file it reads (at start and on `SIGHUP`).
    pub config_path: std::path::PathBuf,
    args: Vec<String>,
    _dir: TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) async fn start(framework: &str, database_url: Option<String>) -> Server {
    let tenant = format!("acme-{}", free_port());
    start_node(framework, database_url, &tenant, &[]).await
}

/// A server whose config declares `tenant` (servers of one cluster share it), started with
/// `extra_args` after the usual ones.
pub(crate) async fn start_node(
    framework: &str,
    database_url: Option<String>,
    tenant: &str,
    extra_args: &[&str],
) -> Server {
    start_node_with(framework, database_url, tenant, extra_args, "").await
}

/// [`start_node`] with `extra_config` (TOML, `{tenant}` replaced) after the usual agents.
pub(crate) async fn start_node_with(
    framework: &str,
    database_url: Option<String>,
    tenant: &str,
    extra_args: &[&str],
    extra_config: &str,
) -> Server {
    let dir =
        std::env::temp_dir().join(format!("tms-chat-e2e-{}-{}", framework, std::process::id()));
    let dir = TempDir(dir.join(format!("{}", free_port())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let config = format!(
        r#"
[[tenants]]
id = "{tenant}"
name = "Acme"

[[agents]]
id = "admin-1"
tenant = "{tenant}"
name = "Ada Admin"
token = "{ADMIN_TOKEN}"
roles = ["admin", "supervisor"]

[[agents]]
id = "agent-123"
tenant = "{tenant}"
name = "Sam Agent"
token = "{AGENT_TOKEN}"
"#
    ) + &extra_config.replace("{tenant}", tenant);
    let config_path = dir.0.join("config.toml");
    std::fs::write(&config_path, config).unwrap();
    let port = free_port();
    let db =
        database_url.unwrap_or_else(|| format!("sqlite://{}", dir.0.join("chat.db").display()));
    let mut args: Vec<String> = vec![
        "--bind".into(),
        format!("127.0.0.1:{port}"),
        "--database-url".into(),
        db,
        "--config".into(),
        config_path.to_str().unwrap().into(),
        "--framework".into(),
        framework.into(),
        "--data-dir".into(),
        dir.0.join("data").to_str().unwrap().into(),
    ];
    args.extend(extra_args.iter().map(|arg| (*arg).to_owned()));
    if args.iter().any(|arg| arg == "--tls-cert") {
        // Over TLS the readiness probe below cannot speak plain HTTP: the test waits itself.
        return Server {
            child: spawn(&args),
            base: format!("https://127.0.0.1:{port}"),
            config_path,
            args,
            _dir: dir,
        };
    }
    let server = Server {
        child: spawn(&args),
        base: format!("http://127.0.0.1:{port}"),
        config_path,
        args,
        _dir: dir,
    };
    let base = server.base.clone();
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await {
            if r.status().is_success() {
                return server;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("reference server did not become ready");
}

fn spawn(args: &[String]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_tms-chat-reference-server"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("reference server starts")
}

impl Server {
    /// Stops the server with SIGTERM and waits for it to exit.
    pub(crate) fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }

    /// Sends SIGHUP: the server reads its config file again.
    pub(crate) fn hang_up(&self) {
        let status = Command::new("kill")
            .args(["-HUP", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "SIGHUP delivered");
    }

    /// Starts it again on the same port, database and data directory.
    pub(crate) async fn restart(&mut self) {
        self.child = spawn(&self.args);
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("reference server did not restart");
    }
}
