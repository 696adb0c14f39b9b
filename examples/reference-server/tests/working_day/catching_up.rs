//! The console catching up after its socket was cut (issue 10, "after a socket reconnect the
//! list and every open session are brought up to date"), and the search box finding sessions
//! by customer email and by message text, never another tenant's.

use super::{badge_of, customer_says, list_shows, started_session, Rest};
use crate::support::cdp::{Browser, Page};
use crate::support::pages::{browser_or_skip, console_signs_in, open_listed_session};
use crate::support::server::{free_port, start, start_node_with, ADMIN_TOKEN, AGENT_TOKEN};
use serde_json::json;

/// How many messages of the open conversation read exactly `text` (their own text, without
/// the author line), as a JS expression.
fn shown_times(text: &str) -> String {
    format!(
        "[...document.querySelectorAll('.log .msg')].filter(m => m.firstChild && m.firstChild.textContent === {}).length",
        json!(text)
    )
}

/// Waits until the open conversation shows `text` once, then checks it stays once.
async fn shown_once(console: &Page, text: &str) {
    console
        .wait_for(
            &format!("{} === 1", shown_times(text)),
            &format!("{text:?} shown"),
        )
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        console.eval(&shown_times(text)).await,
        1,
        "{text:?} shown once"
    );
}

/// A session the admin started for `name` (assigned to Sam Agent) and its customer token.
async fn assigned_session(rest: &Rest<'_>, wid: &str, name: &str) -> (String, String) {
    let email = format!(
        "{}@example.com",
        name.split(' ').next().unwrap().to_lowercase()
    );
    let body = json!({"widget_id": wid, "customer_email": email, "customer_name": name, "assigned_agent_id": "agent-123"});
    let started = rest
        .call("POST", ADMIN_TOKEN, "/v1/chat/sessions", Some(body))
        .await;
    (
        started["id"].as_str().unwrap().to_owned(),
        started["customer_token"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_its_socket_is_cut_the_console_catches_up_the_list_and_every_open_session() {
    let Some(chromium) = browser_or_skip(
        "after_its_socket_is_cut_the_console_catches_up_the_list_and_every_open_session",
    ) else {
        return;
    };
    let mut server = start("axum", None).await;
    let base = server.base.clone();
    let rest = Rest {
        base: &base,
        http: reqwest::Client::new(),
    };
    let wid = super::widget(&rest, json!({})).await;
    let (_, ann) = assigned_session(&rest, &wid, "Ann Early").await;
    let (_, ben) = assigned_session(&rest, &wid, "Ben Later").await;
    customer_says(&base, &wid, &ann, "Ann's first question").await;
    customer_says(&base, &wid, &ben, "Ben's first question").await;

    let browser = Browser::launch(&chromium).await;
    let console = browser.open(&format!("{base}/console")).await;
    console_signs_in(&console, AGENT_TOKEN).await;
    list_shows(&console, "Ann Early,Ben Later").await;
    open_listed_session(&console, "Ben Later").await;
    shown_once(&console, "Ben's first question").await;
    open_listed_session(&console, "Ann Early").await;
    shown_once(&console, "Ann's first question").await;

    // The server goes away and comes back; the console's reconnection is held back (its
    // ticket requests fail, as while the server was down) until the customers have written
    // and a new chat has started.
    console.call("Network.enable", json!({})).await;
    console
        .call("Network.setBlockedURLs", json!({"urls": ["*ws-ticket*"]}))
        .await;
    server.stop();
    server.restart().await;
    customer_says(&base, &wid, &ann, "Ann wrote while you were away").await;
    customer_says(&base, &wid, &ben, "Ben wrote while you were away").await;
    started_session(&rest, &wid, "cara@example.com", "Cara New", None).await;
    console
        .call("Network.setBlockedURLs", json!({"urls": []}))
        .await;

    list_shows(&console, "Ann Early,Ben Later,Cara New").await;
    shown_once(&console, "Ann wrote while you were away").await;
    assert_eq!(console.eval(&shown_times("Ann's first question")).await, 1);
    console
        .wait_for(
            &format!("{} === '1'", badge_of("Ben Later")),
            "Ben's unread badge",
        )
        .await;
    assert_eq!(console.eval(&badge_of("Ann Early")).await, "");
    // The open session is live again: a message now arrives once, without a badge.
    customer_says(&base, &wid, &ann, "Are you back?").await;
    shown_once(&console, "Are you back?").await;
    assert_eq!(console.eval(&badge_of("Ann Early")).await, "");

    open_listed_session(&console, "Ben Later").await;
    shown_once(&console, "Ben wrote while you were away").await;
    assert_eq!(console.eval(&shown_times("Ben's first question")).await, 1);
    console
        .wait_for(
            &format!("{} === ''", badge_of("Ben Later")),
            "Ben's badge cleared",
        )
        .await;
    open_listed_session(&console, "Ann Early").await;
    shown_once(&console, "Are you back?").await;
    assert_eq!(
        console
            .eval(&shown_times("Ann wrote while you were away"))
            .await,
        1
    );
}

/// A second tenant on the same server, with its own admin.
const GLOBEX_TOKEN: &str = "globex-admin-token-0123456789abcdef";
const GLOBEX: &str = r#"
[[tenants]]
id = "globex"
name = "Globex"

[[agents]]
id = "globex-admin"
tenant = "globex"
name = "Gil Globex"
token = "globex-admin-token-0123456789abcdef"
roles = ["admin"]
"#;

/// A session of `tenant_token`'s tenant for `email`/`name` whose customer wrote `text`.
async fn session_with_message(
    rest: &Rest<'_>,
    tenant_token: &str,
    wid: &str,
    (email, name): (&str, &str),
    text: &str,
) {
    let body = json!({"widget_id": wid, "customer_email": email, "customer_name": name});
    let started = rest
        .call("POST", tenant_token, "/v1/chat/sessions", Some(body))
        .await;
    let token = started["customer_token"].as_str().unwrap();
    customer_says(rest.base, wid, token, text).await;
}

/// Replaces what the search box holds with `text`, typed, as a person would after selecting it.
async fn search_for(console: &Page, text: &str) {
    let search = "document.querySelector('.toolbar input[type=search]')";
    console.click_element(search).await;
    console.eval(&format!("{search}.select()")).await;
    console.insert_text(text).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_box_finds_sessions_by_customer_email_and_message_text_in_its_tenant_only() {
    let Some(chromium) = browser_or_skip(
        "the_search_box_finds_sessions_by_customer_email_and_message_text_in_its_tenant_only",
    ) else {
        return;
    };
    let tenant = format!("acme-{}", free_port());
    let server = start_node_with("axum", None, &tenant, &[], GLOBEX).await;
    let base = server.base.clone();
    let rest = Rest {
        base: &base,
        http: reqwest::Client::new(),
    };
    let wid = super::widget(&rest, json!({})).await;
    let dora = ("dora.search@example.com", "Dora Email");
    session_with_message(&rest, ADMIN_TOKEN, &wid, dora, "Hello there").await;
    let eve = ("eve@example.com", "Eve Text");
    session_with_message(&rest, ADMIN_TOKEN, &wid, eve, "My parcel arrived damaged").await;
    let frank = ("frank@example.com", "Frank Other");
    session_with_message(&rest, ADMIN_TOKEN, &wid, frank, "Hi, a question").await;
    // The other tenant has a customer with a matching email and a message with the same word.
    let body = json!({"name": "Globex shop", "domain": "127.0.0.1"});
    let globex_widget = rest
        .call("POST", GLOBEX_TOKEN, "/v1/chat/widgets", Some(body))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let gus = ("dora.search@globex.example", "Gus Globex");
    session_with_message(
        &rest,
        GLOBEX_TOKEN,
        &globex_widget,
        gus,
        "Where is my parcel?",
    )
    .await;

    let browser = Browser::launch(&chromium).await;
    let console = browser.open(&format!("{base}/console")).await;
    console_signs_in(&console, AGENT_TOKEN).await;
    list_shows(&console, "Dora Email,Eve Text,Frank Other").await;

    search_for(&console, "dora.search").await;
    list_shows(&console, "Dora Email").await;
    search_for(&console, "parcel").await;
    list_shows(&console, "Eve Text").await;
    // Still so a moment later (the list is not redrawn without it), and it opens.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    list_shows(&console, "Eve Text").await;
    open_listed_session(&console, "Eve Text").await;
    console
        .wait_for(
            &format!("{} === 1", shown_times("My parcel arrived damaged")),
            "the message found",
        )
        .await;
    // Clearing the search shows every session again.
    search_for(&console, "").await;
    list_shows(&console, "Dora Email,Eve Text,Frank Other").await;
}
