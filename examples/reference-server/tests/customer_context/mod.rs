//! The console's customer panel (issue 10, "Customer context"), in Chromium: what the widget
//! reports about the visit (page, browser, language, time zone and the customer's local time),
//! kept current as the customer moves through a single-page shop, and the customer's previous
//! sessions, each opened as a read-only transcript.

use super::{widget, Rest};
use crate::support::cdp::{Browser, Page};
use crate::support::pages::{
    browser_or_skip, click_button, console_signs_in, customer_types, open_widget, SHADOW,
};
use crate::support::server::{start, ADMIN_TOKEN, AGENT_TOKEN};
use serde_json::{json, Value};

/// The text of the customer panel's visit field `field` (`url`, `title`, …), as a JS expression.
fn visit_field(field: &str) -> String {
    format!("(document.querySelector('#customer-panel [data-field={field}]') || {{}}).textContent")
}

/// An agent-started session of Pat's that ended, with one agent message; its id.
async fn earlier_chat(rest: &Rest<'_>, wid: &str) -> String {
    let body =
        json!({"widget_id": wid, "customer_email": "pat@example.com", "customer_name": "Pat"});
    let started = rest
        .call("POST", ADMIN_TOKEN, "/v1/chat/sessions", Some(body))
        .await;
    let sid = started["id"].as_str().unwrap().to_owned();
    let say = json!({"content": "Your parcel left our warehouse"});
    let path = format!("/v1/chat/sessions/{sid}/messages");
    rest.call("POST", ADMIN_TOKEN, &path, Some(say)).await;
    let path = format!("/v1/chat/sessions/{sid}/end");
    rest.call("POST", ADMIN_TOKEN, &path, None).await;
    sid
}

/// Waits until the console's visit field `field` reads `expected`.
async fn visit_shows(console: &Page, field: &str, expected: &Value) {
    console
        .wait_for(
            &format!("{} === {expected}", visit_field(field)),
            &format!("the customer panel's {field} showing {expected}"),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_sees_where_the_customer_is_their_local_time_and_earlier_chats() {
    let Some(chromium) =
        browser_or_skip("the_agent_sees_where_the_customer_is_their_local_time_and_earlier_chats")
    else {
        return;
    };
    let server = start("axum", None).await;
    let base = server.base.clone();
    let rest = Rest {
        base: &base,
        http: reqwest::Client::new(),
    };
    let wid = widget(&rest, json!({"require_email": true})).await;
    earlier_chat(&rest, &wid).await;

    // The customer, in Tokyo, opens the shop and starts a chat.
    let browser = Browser::launch(&chromium).await;
    let shop = browser.open("about:blank").await;
    shop.call(
        "Emulation.setTimezoneOverride",
        json!({"timezoneId": "Asia/Tokyo"}),
    )
    .await;
    shop.navigate(&format!("{base}/demo?widget={wid}")).await;
    open_widget(&shop).await;
    shop.wait_for(
        &format!("{SHADOW}.querySelector('form.card input[type=email]')"),
        "the email form",
    )
    .await;
    shop.eval(&format!(
        "(() => {{ const f = {SHADOW}.querySelector('form.card'); f.querySelector('input[type=email]').value = 'pat@example.com'; f.requestSubmit(); }})()"
    ))
    .await;
    shop.wait_for(
        &format!("{SHADOW}.querySelector('textarea')"),
        "the message box",
    )
    .await;
    customer_types(&shop, "Where is my parcel?").await;
    shop.wait_for(
        &format!("[...{SHADOW}.querySelectorAll('.m.me')].some(m => m.dataset.seq)"),
        "the message stored",
    )
    .await;

    // The agent opens it: the panel shows the page, browser, language, zone and local time.
    let console = browser.open(&format!("{base}/console")).await;
    console.viewport(1280, 900).await;
    console_signs_in(&console, AGENT_TOKEN).await;
    console
        .wait_for(
            "document.querySelector('.list li.unassigned button')",
            "the waiting chat",
        )
        .await;
    console
        .click_element("document.querySelector('.list li.unassigned button')")
        .await;
    let url = shop.eval("location.href").await;
    visit_shows(&console, "url", &url).await;
    visit_shows(&console, "title", &json!("Acme Outdoor — demo shop")).await;
    visit_shows(&console, "time_zone", &json!("Asia/Tokyo")).await;
    let language = shop.eval("navigator.language").await;
    visit_shows(&console, "language", &language).await;
    let browser_line = console.eval(&visit_field("browser")).await;
    let browser_line = browser_line.as_str().unwrap_or_default().to_owned();
    assert!(
        browser_line.starts_with("Chrome ") && browser_line.ends_with(" · Linux"),
        "{browser_line}"
    );
    // The customer's local time, as their own clock in Tokyo reads it (retried across a
    // minute boundary).
    let clock = "new Intl.DateTimeFormat([], { weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date())";
    let mut same = false;
    for _ in 0..3 {
        let theirs = shop.eval(clock).await;
        let shown = console.eval(&visit_field("local_time")).await;
        if theirs == shown {
            same = true;
            break;
        }
    }
    assert!(same, "the console shows the customer's local time");

    // The shop moves to the cart without a page load: the open console follows.
    shop.eval("history.pushState({}, '', '/demo/cart' + location.search); document.title = 'Your cart — Acme'")
        .await;
    let cart = shop.eval("location.href").await;
    visit_shows(&console, "url", &cart).await;
    visit_shows(&console, "title", &json!("Your cart — Acme")).await;
    let stored = rest
        .call(
            "GET",
            AGENT_TOKEN,
            "/v1/chat/sessions?unassigned=true",
            None,
        )
        .await;
    let sid = stored["sessions"][0]["id"].as_str().unwrap().to_owned();
    let info = rest
        .call(
            "GET",
            AGENT_TOKEN,
            &format!("/v1/chat/sessions/{sid}/customer"),
            None,
        )
        .await;
    assert_eq!(info["context"]["url"], cart);
    assert!(
        !shop
            .eval(&format!("{SHADOW}.innerHTML.includes('Asia/Tokyo')"))
            .await
            .as_bool()
            .unwrap_or(true),
        "the widget shows nothing of it"
    );
    console
        .screenshot(&super::screenshots().join("console-customer-context.png"))
        .await;

    // Pat's earlier chat opens read-only: its messages, nothing to send or act on.
    click_button(&console, "#customer-panel", &earlier_label(&console).await).await;
    console
        .wait_for(
            "[...document.querySelectorAll('dialog .transcript .msg')].some(m => m.textContent.startsWith('Your parcel left our warehouse'))",
            "the earlier transcript",
        )
        .await;
    let inert = console
        .eval("(() => { const d = document.querySelector('dialog'); return !d.querySelector('textarea') && ![...d.querySelectorAll('button')].some(b => /Assign|End|Transfer|Send/.test(b.textContent)); })()")
        .await;
    assert_eq!(inert, true, "the transcript is read-only");
    click_button(&console, "dialog", "Close").await;
    console
        .wait_for("!document.querySelector('dialog')", "the dialog closed")
        .await;
    // The open conversation is still the current chat.
    let current = console
        .eval("[...document.querySelectorAll('.log .msg')].some(m => m.textContent.startsWith('Where is my parcel?'))")
        .await;
    assert_eq!(current, true);
}

/// The text of the first previous-session button in the customer panel.
async fn earlier_label(console: &Page) -> String {
    let button = "document.querySelector('#customer-panel li button')";
    console.wait_for(button, "an earlier chat").await;
    console
        .eval(&format!("{button}.textContent"))
        .await
        .as_str()
        .unwrap()
        .to_owned()
}
