//! Browser tests of a host that nests the API under `/support`, for axum and for poem: each
//! example host runs as a real process; a shop page on another port pastes the embed code the
//! API hands out (which loads `/support/chat-widget.js`); the customer chats through the
//! widget; an agent signs in to `/support/console/` the way that host signs agents in (axum: a
//! session cookie; poem: a gateway's headers) and replies; the customer sees the reply. Every
//! REST call and socket both pages open is checked to go below `/support`.
//!
//! The DevTools client and the page helpers are the reference server's, included by path.
//! Skipped (with a `skipped:` line) when Chromium is not installed, unless
//! `TMS_CHAT_REQUIRE_ALL_TESTS` is set (CI), where a missing browser is a failure.

#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

#[path = "../../reference-server/tests/support/cdp.rs"]
mod cdp;
#[path = "../../reference-server/tests/support/pages.rs"]
mod pages;

use cdp::{Browser, Page};
use pages::{browser_or_skip, console_signs_in, customer_types, open_widget, SHADOW};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Records the URL of every WebSocket a page opens, in `window.openedSockets`.
const RECORD_SOCKETS: &str = "window.openedSockets = []; const NativeSocket = window.WebSocket; \
    window.WebSocket = class extends NativeSocket { constructor(url, protocols) { \
    super(url, protocols); window.openedSockets.push(String(url)); } };";

/// How an example host signs its agents in.
#[derive(Clone, Copy)]
enum HostSignIn {
    /// axum_host: the TMS's `tms_session` cookie.
    SessionCookie,
    /// poem_host: a gateway's `X-Agent-Id` and `X-Agent-Role` headers.
    GatewayHeaders,
}

/// One example host process, killed when dropped.
struct Host {
    child: Child,
    /// `http://127.0.0.1:PORT`, without the `/support` prefix.
    origin: String,
    sign_in: HostSignIn,
    _data: TempDir,
}

impl Drop for Host {
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

/// Starts `binary` (a path from `CARGO_BIN_EXE_…`) on a free port with a fresh database and
/// waits for its `listening on` line.
fn start_host(binary: &str, name: &str, sign_in: HostSignIn) -> Host {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let unique = free.local_addr().unwrap().port();
    drop(free);
    let dir = std::env::temp_dir().join(format!(
        "tms-chat-host-{name}-{}-{unique}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(binary)
        .env("TMS_CHAT_BIND", "127.0.0.1:0")
        .env(
            "TMS_CHAT_DATABASE_URL",
            format!("sqlite://{}", dir.join("chat.db").display()),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the example host starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let origin = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("{name} printed {line:?}"))
        .to_owned();
    Host {
        child,
        origin,
        sign_in,
        _data: TempDir(dir),
    }
}

impl Host {
    /// A REST call as the admin agent `alice`, signed in the host's way.
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/support{path}", self.origin);
        let mut request = reqwest::Client::new().request(method.parse().unwrap(), url);
        request = match self.sign_in {
            HostSignIn::SessionCookie => request.header("cookie", "tms_session=alice"),
            HostSignIn::GatewayHeaders => request
                .header("x-agent-id", "alice")
                .header("x-agent-role", "admin"),
        };
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Signs the browser's console tab in as `alice` the host's way (before it loads).
    async fn sign_in_browser(&self, console: &Page) {
        match self.sign_in {
            HostSignIn::SessionCookie => {
                let cookie = json!({"name": "tms_session", "value": "alice", "url": self.origin});
                console.call("Network.enable", json!({})).await;
                console.call("Network.setCookie", cookie).await;
            }
            HostSignIn::GatewayHeaders => {
                let headers = json!({"headers": {"x-agent-id": "alice", "x-agent-role": "admin"}});
                console.call("Network.enable", json!({})).await;
                console.call("Network.setExtraHTTPHeaders", headers).await;
            }
        }
    }
}

/// Serves `html` at every path of a free port (the shop's own site); answers its origin.
async fn serve_shop_page(html: String) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request).await;
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{html}",
                html.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
        }
    });
    origin
}

/// A new blank tab that records the URL of every socket its pages open.
async fn recording_tab(browser: &Browser) -> Page {
    let page = browser.open("about:blank").await;
    page.call(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": RECORD_SOCKETS}),
    )
    .await;
    page
}

/// Asserts that every chat API call and socket of `page` went below `{origin}/support/`.
async fn assert_all_traffic_below_support(page: &Page, origin: &str, what: &str) {
    let calls = page
        .eval("performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/v1/chat/'))")
        .await;
    let calls: Vec<&str> = calls
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(!calls.is_empty(), "{what}: no REST calls seen");
    for call in &calls {
        assert!(
            call.starts_with(&format!("{origin}/support/v1/chat/")),
            "{what}: {call}"
        );
    }
    let sockets = page.eval("window.openedSockets").await;
    let sockets: Vec<&str> = sockets
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(!sockets.is_empty(), "{what}: no socket opened");
    let socket_origin = origin.replacen("http", "ws", 1);
    for socket in &sockets {
        assert!(
            socket.starts_with(&format!("{socket_origin}/support/v1/chat/")),
            "{what}: {socket}"
        );
    }
}

/// Creates a widget allowed on 127.0.0.1; answers its id and the embed code the API hands out,
/// checked to load the widget from below `/support`.
async fn widget_and_embed_code(host: &Host) -> (String, String) {
    let body = json!({"name": "Shop", "domain": "127.0.0.1"});
    let widget = host.call("POST", "/v1/chat/widgets", Some(body)).await;
    let widget_id = widget["id"].as_str().unwrap().to_owned();
    let embed = host
        .call("GET", &format!("/v1/chat/widgets/{widget_id}/embed"), None)
        .await;
    let script_url = format!("{}/support/chat-widget.js", host.origin);
    assert_eq!(embed["script_url"], script_url.as_str());
    let embed_code = embed["embed_code"].as_str().unwrap().to_owned();
    assert!(embed_code.contains(&script_url), "{embed_code}");
    (widget_id, embed_code)
}

/// The agent signs in to `/support/console` the host's way, takes the unassigned session
/// and answers it with Enter.
async fn agent_answers_in_the_console(host: &Host, console: &Page, question: &str, reply: &str) {
    host.sign_in_browser(console).await;
    console
        .navigate(&format!("{}/support/console", host.origin))
        .await;
    assert_eq!(console.eval("location.pathname").await, "/support/console/");
    console_signs_in(console, "signed-in-by-the-host").await;
    let unassigned = "document.querySelector('.list li.unassigned button')";
    console.wait_for(unassigned, "the unassigned session").await;
    console.eval(&format!("{unassigned}.click()")).await;
    console
        .wait_for(&format!("[...document.querySelectorAll('.log .msg')].some(m => m.textContent.startsWith({}))", json!(question)), "the customer's message in the console")
        .await;
    console
        .eval("[...document.querySelectorAll('.convo header button')].find(b => b.textContent === 'Assign to Me').click()")
        .await;
    console
        .wait_for(
            "!document.querySelector('.list li.unassigned')",
            "the session assigned",
        )
        .await;
    console
        .eval("document.querySelector('.composer textarea').focus()")
        .await;
    console.insert_text(reply).await;
    console.press("Enter", false).await;
}

/// The session's text messages as (sender, text), read over REST.
async fn stored_conversation(host: &Host, widget_id: &str) -> Vec<(String, String)> {
    let sessions = host
        .call(
            "GET",
            &format!("/v1/chat/sessions?widget_id={widget_id}"),
            None,
        )
        .await;
    let session_id = sessions["sessions"][0]["id"].as_str().unwrap();
    let history = host
        .call(
            "GET",
            &format!("/v1/chat/sessions/{session_id}/messages"),
            None,
        )
        .await;
    history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["message_type"] == "text")
        .map(|m| {
            (
                m["sender_type"].as_str().unwrap().to_owned(),
                m["content"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// "Create Widget" in the console starts from the defaults the server sends, and saves them.
async fn new_widget_form_shows_the_server_defaults(host: &Host, console: &Page) {
    let defaults = host.call("GET", "/v1/chat/widgets", None).await["defaults"].clone();
    console
        .navigate(&format!("{}/support/console/#/widgets", host.origin))
        .await;
    console
        .wait_for(
            "document.querySelector('.editor form fieldset')",
            "the widget editor",
        )
        .await;
    console
        .eval("[...document.querySelectorAll('.listcol button')].find(b => b.textContent === 'Create Widget').click()")
        .await;
    let field = |label: &str| {
        format!("[...document.querySelectorAll('.editor label')].find(l => l.firstChild.textContent === {}).querySelector('input').value", json!(label))
    };
    console
        .wait_for(
            &format!("{} === ''", field("Name")),
            "the empty new-widget form",
        )
        .await;
    assert_eq!(
        console.eval(&field("Offline message")).await,
        defaults["offline_message"]
    );
    assert_eq!(
        console.eval(&field("Welcome message")).await,
        defaults["welcome_message"]
    );
    let megabytes = defaults["max_upload_bytes"].as_i64().unwrap() / 1_048_576;
    assert_eq!(
        console.eval(&field("Max upload size (MB)")).await,
        megabytes.to_string()
    );
    // Saved with only a name and a domain, the new widget keeps those defaults.
    let fill = format!(
        "{} = 'Blog'; {} = 'blog.example.com'; document.querySelector('.editor form').requestSubmit()",
        field("Name"),
        field("Domain")
    );
    console.eval(&format!("(() => {{ {fill}; }})()")).await;
    console
        .wait_for(
            "document.querySelector('.editor h1').textContent === 'Blog'",
            "the saved widget",
        )
        .await;
    let widgets = host.call("GET", "/v1/chat/widgets", None).await;
    let blog = widgets["widgets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "Blog")
        .unwrap()
        .clone();
    for key in [
        "offline_message",
        "welcome_message",
        "max_upload_bytes",
        "primary_color",
    ] {
        assert_eq!(blog[key], defaults[key], "{key}");
    }
}

/// The whole conversation, through a host's prefixed widget and console.
async fn customer_and_agent_chat_below_support(host: Host, chromium: &str) {
    let question = "Is the blue kettle in stock?";
    let reply = "Yes, two left.";
    let (widget_id, embed_code) = widget_and_embed_code(&host).await;
    let shop = serve_shop_page(format!(
        "<!doctype html><title>Shop</title><h1>Shop</h1>{embed_code}"
    ))
    .await;
    let browser = Browser::launch(chromium).await;

    let customer = recording_tab(&browser).await;
    customer.navigate(&format!("{shop}/product")).await;
    open_widget(&customer).await;
    customer_types(&customer, question).await;
    customer
        .wait_for(&format!("[...{SHADOW}.querySelectorAll('.m.me')].some(m => m.textContent === {} && m.dataset.seq)", json!(question)), "the customer's message stored")
        .await;

    let console = recording_tab(&browser).await;
    agent_answers_in_the_console(&host, &console, question, reply).await;
    customer
        .wait_for(
            &format!(
                "[...{SHADOW}.querySelectorAll('.m')].some(m => m.textContent === {})",
                json!(reply)
            ),
            "the agent's reply in the widget",
        )
        .await;

    assert_all_traffic_below_support(&customer, &host.origin, "the widget").await;
    assert_all_traffic_below_support(&console, &host.origin, "the console").await;
    new_widget_form_shows_the_server_defaults(&host, &console).await;
    let expected = [("customer", question), ("agent", reply)]
        .map(|(who, text)| (who.to_owned(), text.to_owned()));
    assert_eq!(
        stored_conversation(&host, &widget_id).await,
        expected.to_vec()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_and_an_agent_chat_below_support_on_axum() {
    let Some(chromium) = browser_or_skip("a_customer_and_an_agent_chat_below_support_on_axum")
    else {
        return;
    };
    let host = start_host(
        env!("CARGO_BIN_EXE_axum_host"),
        "axum",
        HostSignIn::SessionCookie,
    );
    customer_and_agent_chat_below_support(host, &chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_and_an_agent_chat_below_support_on_poem() {
    let Some(chromium) = browser_or_skip("a_customer_and_an_agent_chat_below_support_on_poem")
    else {
        return;
    };
    let host = start_host(
        env!("CARGO_BIN_EXE_poem_host"),
        "poem",
        HostSignIn::GatewayHeaders,
    );
    customer_and_agent_chat_below_support(host, &chromium).await;
}
