//! The widgets page's data retention field (issue 11), in Chromium, used as a person would:
//! the admin opens the widget, types a number of days into "Delete ended chats after (days)"
//! and clicks Save; the server stores it and a reload shows it; an out-of-range number shows
//! the server's refusal beside the field; emptying the box keeps chats forever again.

use super::{widget, Rest};
use crate::support::cdp::Page;
use crate::support::pages::{browser_or_skip, click_button, console_signs_in};
use crate::support::server::{start, ADMIN_TOKEN};
use serde_json::json;

/// The retention box, found by its label as a person finds it, as a JS expression.
const RETENTION_BOX: &str = "[...document.querySelectorAll('.editor label')].find(l => l.textContent.startsWith('Delete ended chats after (days)')).querySelector('input')";

/// The widget's `retention_days` as stored.
async fn stored_retention(rest: &Rest<'_>, wid: &str) -> serde_json::Value {
    rest.call("GET", ADMIN_TOKEN, &format!("/v1/chat/widgets/{wid}"), None)
        .await["retention_days"]
        .clone()
}

/// Opens the widget named `name` in the editor and waits for its retention box.
async fn open_in_editor(console: &Page, name: &str) {
    let entry = format!(
        "[...document.querySelectorAll('.list li button')].find(b => b.querySelector('.name').textContent === {})",
        json!(name)
    );
    console
        .wait_for(&entry, &format!("{name} in the widget list"))
        .await;
    console.click_element(&entry).await;
    console
        .wait_for(
            &format!(
                "document.querySelector('.editor h1').textContent === {} && {RETENTION_BOX}",
                json!(name)
            ),
            "the widget's retention box",
        )
        .await;
}

/// Clicks into the retention box, selects what it holds and types `text` over it (nothing
/// for an empty box).
async fn type_retention(console: &Page, text: &str) {
    console.click_element(RETENTION_BOX).await;
    console.press_key("a", 2).await; // Ctrl+A
    console.press_key("Backspace", 0).await;
    if !text.is_empty() {
        console.insert_text(text).await;
    }
    assert_eq!(
        console.eval(&format!("{RETENTION_BOX}.value")).await,
        text,
        "the box holds what was typed"
    );
}

/// Waits until the server stores `want` as the widget's retention.
async fn wait_stored(rest: &Rest<'_>, wid: &str, want: serde_json::Value) {
    for _ in 0..100 {
        if stored_retention(rest, wid).await == want {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("retention_days never became {want}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_and_clears_a_widgets_retention_on_the_widgets_page() {
    let Some(chromium) =
        browser_or_skip("an_admin_sets_and_clears_a_widgets_retention_on_the_widgets_page")
    else {
        return;
    };
    let server = start("axum", None).await;
    let base = server.base.clone();
    let rest = Rest {
        base: &base,
        http: reqwest::Client::new(),
    };
    let wid = widget(&rest, json!({"name": "Retention Shop"})).await;
    assert_eq!(stored_retention(&rest, &wid).await, json!(null));
    let browser = crate::support::cdp::Browser::launch(&chromium).await;
    let console = browser.open(&format!("{base}/console")).await;
    console_signs_in(&console, ADMIN_TOKEN).await;
    // Signed in: the top bar's "Chat › Widgets", clicked.
    let widgets_link = "document.querySelector('a[href=\"#/widgets\"]')";
    console.wait_for(widgets_link, "the Widgets link").await;
    console.click_element(widgets_link).await;
    open_in_editor(&console, "Retention Shop").await;
    assert_eq!(
        console.eval(&format!("{RETENTION_BOX}.value")).await,
        "",
        "a widget that keeps everything shows an empty box"
    );
    assert_eq!(
        console.eval(&format!("{RETENTION_BOX}.placeholder")).await,
        "Keep forever"
    );

    type_retention(&console, "30").await;
    click_button(&console, ".editor", "Save").await;
    wait_stored(&rest, &wid, json!(30)).await;
    console.reload().await;
    open_in_editor(&console, "Retention Shop").await;
    assert_eq!(console.eval(&format!("{RETENTION_BOX}.value")).await, "30");
    console
        .eval(&format!(
            "{RETENTION_BOX}.closest('fieldset').scrollIntoView({{block: 'center'}})"
        ))
        .await;
    console
        .screenshot(&super::screenshots().join("console-widget-retention.png"))
        .await;

    // Out of range: the server's refusal shows beside the field, nothing changes.
    type_retention(&console, "0").await;
    click_button(&console, ".editor", "Save").await;
    console
        .wait_for(
            "document.getElementById('err-retention_days').textContent.startsWith('retention_days')",
            "the refusal beside the retention box",
        )
        .await;
    assert_eq!(stored_retention(&rest, &wid).await, json!(30));

    // Emptied: kept forever again, and the reload shows the empty box.
    type_retention(&console, "").await;
    click_button(&console, ".editor", "Save").await;
    wait_stored(&rest, &wid, json!(null)).await;
    console.reload().await;
    open_in_editor(&console, "Retention Shop").await;
    assert_eq!(console.eval(&format!("{RETENTION_BOX}.value")).await, "");
}
