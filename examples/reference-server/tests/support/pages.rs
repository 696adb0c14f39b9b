//! What browser tests do on the chat's pages, shared by every suite that drives them (this
//! crate's `browser.rs` and `examples/host-integration/tests/browser.rs`, which includes this
//! file and `cdp.rs` by path): skipping without Chromium, opening the widget and typing in it
//! as the customer, and signing in to the agent console.

#![allow(dead_code)]

use super::cdp::{chromium_binary, Page};
use serde_json::json;

/// The widget's shadow root, as a JS expression.
pub(crate) const SHADOW: &str = "document.getElementById('tms-chat-widget').shadowRoot";

/// The Chromium binary, or `None` after a `skipped:` line when there is none, unless
/// `TMS_CHAT_REQUIRE_ALL_TESTS` is set (CI), where a missing browser is a failure.
pub(crate) fn browser_or_skip(test: &str) -> Option<String> {
    match chromium_binary() {
        Ok(path) => Some(path),
        Err(why) => {
            if std::env::var_os("TMS_CHAT_REQUIRE_ALL_TESTS").is_some() {
                panic!("{test}: {why}, and TMS_CHAT_REQUIRE_ALL_TESTS is set");
            }
            eprintln!("skipped: {test}: {why} (browser tests)");
            None
        }
    }
}

/// Waits for the launcher, clicks it and waits for the open panel.
pub(crate) async fn open_widget(page: &Page) {
    page.wait_for(
        &format!("{SHADOW}.querySelector('.launcher')"),
        "the launcher",
    )
    .await;
    let name = page
        .eval(&format!(
            "{SHADOW}.querySelector('.launcher').getAttribute('aria-label')"
        ))
        .await;
    assert_eq!(name, "Open chat");
    page.eval(&format!("{SHADOW}.querySelector('.launcher').click()"))
        .await;
    page.wait_for(
        &format!("!{SHADOW}.querySelector('.panel').hidden"),
        "the open panel",
    )
    .await;
}

/// Types `text` into the widget's message box and presses Enter.
pub(crate) async fn customer_types(page: &Page, text: &str) {
    page.eval(&format!("{SHADOW}.querySelector('textarea').focus()"))
        .await;
    page.insert_text(text).await;
    page.press("Enter", false).await;
}

/// Waits for the console's sign-in form and signs in with `token`.
pub(crate) async fn console_signs_in(console: &Page, token: &str) {
    console
        .wait_for("document.getElementById('token')", "the sign-in form")
        .await;
    console.eval(&format!("document.getElementById('token').value = {}; document.querySelector('form.signin').requestSubmit()", json!(token))).await;
}

/// The agent opens the unassigned session in the console, sees the customer's message that
/// starts with `first_words`, and takes it with Assign to Me; the widget then shows the
/// agent's name (`Sam Agent`) in its header.
pub(crate) async fn agent_takes_the_unassigned_session(
    console: &Page,
    widget: &Page,
    first_words: &str,
) {
    console
        .eval("document.querySelector('.list li.unassigned button').click()")
        .await;
    let message = format!(
        "[...document.querySelectorAll('.log .msg')].some(m => m.textContent.startsWith({}))",
        json!(first_words)
    );
    console
        .wait_for(&message, "the customer's message in the console")
        .await;
    console.eval("[...document.querySelectorAll('.convo header button')].find(b => b.textContent === 'Assign to Me').click()").await;
    widget
        .wait_for(
            &format!("{SHADOW}.querySelector('header strong').textContent === 'Sam Agent'"),
            "the agent's name in the widget's header",
        )
        .await;
}

/// Clicks (with the mouse) the button inside `scope` (a CSS selector) whose text is `text`, once it is there.
pub(crate) async fn click_button(page: &Page, scope: &str, text: &str) {
    let find = format!(
        "[...document.querySelectorAll({})].find(b => b.textContent.trim() === {})",
        json!(format!("{scope} button")),
        json!(text)
    );
    page.wait_for(&find, &format!("the {text} button in {scope}"))
        .await;
    page.click_element(&find).await;
}

/// Clicks the session list's entry whose customer name is `name`.
pub(crate) async fn open_listed_session(page: &Page, name: &str) {
    let find = format!(
        "[...document.querySelectorAll('.list li button')].find(b => b.querySelector('.name').textContent === {})",
        json!(name)
    );
    page.wait_for(&find, &format!("{name} in the session list"))
        .await;
    page.click_element(&find).await;
    page.wait_for(
        &format!(
            "document.querySelector('.convo header h2') && document.querySelector('.convo header h2').textContent === {}",
            json!(name)
        ),
        &format!("{name}'s conversation"),
    )
    .await;
}

/// The customer names the session list shows, top to bottom, as a JS expression.
pub(crate) const LISTED_NAMES: &str =
    "[...document.querySelectorAll('.list li button .name')].map(n => n.textContent).sort().join(',')";
