//! The widget's options as the customer and the agent meet them (issue 10), in Chromium: the
//! typing preview (the customer types, the agent's console shows the draft before it is
//! sent, and the widget says so under its message box) and the theme (a fixed theme wins
//! over the system's preference; the text on the primary colour stays readable), both set by
//! an admin in the console's widgets page.

use super::{widget, Rest};
use crate::support::cdp::Browser;
use crate::support::pages::{
    agent_takes_the_unassigned_session, browser_or_skip, click_button, console_signs_in,
    customer_types, open_widget, SHADOW,
};
use crate::support::server::{start, ADMIN_TOKEN, AGENT_TOKEN};
use serde_json::json;

/// The console's draft line, as a JS expression (`null` while hidden).
const DRAFT: &str = "(() => { const d = document.querySelector('.convo .draft'); return d && !d.hidden ? d.textContent : null; })()";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_typing_preview_on_the_agent_sees_what_the_customer_types_before_it_is_sent() {
    let test = "with_typing_preview_on_the_agent_sees_what_the_customer_types_before_it_is_sent";
    let Some(chromium) = browser_or_skip(test) else {
        return;
    };
    let server = start("axum", None).await;
    let rest = Rest {
        base: &server.base,
        http: reqwest::Client::new(),
    };
    let wid = widget(&rest, json!({"typing_preview": true})).await;
    let browser = Browser::launch(&chromium).await;
    let page = browser
        .open(&format!("{}/demo?widget={wid}", server.base))
        .await;
    open_widget(&page).await;
    let notice = page
        .wait_for(
            &format!("(() => {{ const p = {SHADOW}.querySelector('.peek'); return p && !p.hidden && p.isConnected && p.textContent; }})()"),
            "the notice under the message box",
        )
        .await;
    assert_eq!(notice, "Agents can see what you type before you send it.");
    let described = page
        .eval(&format!(
            "{SHADOW}.querySelector('textarea').getAttribute('aria-describedby')"
        ))
        .await;
    assert_eq!(
        described, "tms-peek",
        "the message box points at the notice"
    );
    customer_types(&page, "Hi there").await;

    let console = browser.open(&format!("{}/console", server.base)).await;
    console_signs_in(&console, AGENT_TOKEN).await;
    console
        .wait_for(
            "document.querySelector('.list li.unassigned button')",
            "the unassigned session",
        )
        .await;
    agent_takes_the_unassigned_session(&console, &page, "Hi there").await;

    page.eval(&format!("{SHADOW}.querySelector('textarea').focus()"))
        .await;
    page.insert_text("Where is my par").await;
    console
        .wait_for(
            &format!("{DRAFT} === 'Typing now: Where is my par'"),
            "the customer's draft in the console",
        )
        .await;
    page.insert_text("cel?").await;
    console
        .wait_for(
            &format!("{DRAFT} === 'Typing now: Where is my parcel?'"),
            "the draft following the typing",
        )
        .await;
    page.press("Enter", false).await;
    console
        .wait_for(
            "[...document.querySelectorAll('.log .msg')].some(m => m.textContent.startsWith('Where is my parcel?'))",
            "the sent message",
        )
        .await;
    console
        .wait_for(&format!("{DRAFT} === null"), "the draft line gone")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_typing_preview_off_the_widget_shows_no_notice() {
    let Some(chromium) = browser_or_skip("with_typing_preview_off_the_widget_shows_no_notice")
    else {
        return;
    };
    let server = start("axum", None).await;
    let rest = Rest {
        base: &server.base,
        http: reqwest::Client::new(),
    };
    let wid = widget(&rest, json!({})).await;
    let browser = Browser::launch(&chromium).await;
    let page = browser
        .open(&format!("{}/demo?widget={wid}", server.base))
        .await;
    open_widget(&page).await;
    page.wait_for(
        &format!("{SHADOW}.querySelector('textarea')"),
        "the message box",
    )
    .await;
    let shown = page
        .eval(&format!(
            "(() => {{ const p = {SHADOW}.querySelector('.peek'); return Boolean(p && !p.hidden && p.isConnected); }})()"
        ))
        .await;
    assert_eq!(shown, false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dark_theme_widget_stays_dark_on_a_light_system_with_readable_text_on_any_primary() {
    let test = "a_dark_theme_widget_stays_dark_on_a_light_system_with_readable_text_on_any_primary";
    let Some(chromium) = browser_or_skip(test) else {
        return;
    };
    let server = start("axum", None).await;
    let rest = Rest {
        base: &server.base,
        http: reqwest::Client::new(),
    };
    let dark = widget(&rest, json!({"theme": "dark", "primary_color": "#1e3a8a"})).await;
    let light = widget(&rest, json!({"theme": "light", "primary_color": "#fde047"})).await;
    let browser = Browser::launch(&chromium).await;
    for (wid, scheme, panel, on_primary) in [
        (&dark, "light", "rgb(17, 24, 39)", "rgb(255, 255, 255)"),
        (&light, "dark", "rgb(255, 255, 255)", "rgb(0, 0, 0)"),
    ] {
        let page = browser
            .open(&format!("{}/demo?widget={wid}", server.base))
            .await;
        page.call(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        )
        .await;
        open_widget(&page).await;
        let colours = page
            .eval(&format!(
                "(() => {{ const s = {SHADOW}; return [getComputedStyle(s.querySelector('.panel')).backgroundColor, getComputedStyle(s.querySelector('header small')).color, getComputedStyle(s.querySelector('.btn')).color]; }})()"
            ))
            .await;
        assert_eq!(
            colours,
            json!([panel, on_primary, on_primary]),
            "{wid} on a {scheme} system"
        );
    }
}

/// The widgets page's control inside the label that starts with `caption`, as a JS expression.
fn editor_control(caption: &str, control: &str) -> String {
    format!(
        "[...document.querySelectorAll('.editor label')].find(l => l.textContent.startsWith({})).querySelector({})",
        json!(caption),
        json!(control)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_the_theme_and_the_typing_preview_in_the_widgets_page() {
    let test = "an_admin_sets_the_theme_and_the_typing_preview_in_the_widgets_page";
    let Some(chromium) = browser_or_skip(test) else {
        return;
    };
    let server = start("axum", None).await;
    let rest = Rest {
        base: &server.base,
        http: reqwest::Client::new(),
    };
    let wid = widget(&rest, json!({})).await;
    let browser = Browser::launch(&chromium).await;
    let console = browser
        .open(&format!("{}/console#/widgets", server.base))
        .await;
    console_signs_in(&console, ADMIN_TOKEN).await;
    let theme = editor_control("Theme", "select");
    console
        .wait_for(
            &format!("{theme}.value === 'auto'"),
            "the theme, auto by default",
        )
        .await;
    console.eval(&format!("{theme}.focus()")).await;
    console.press("ArrowDown", false).await;
    console.press("ArrowDown", false).await;
    console
        .wait_for(&format!("{theme}.value === 'dark'"), "dark chosen")
        .await;
    let preview = editor_control("Agents see what the customer is typing", "input");
    assert_eq!(console.eval(&format!("{preview}.checked")).await, false);
    console.click_element(&preview).await;
    click_button(&console, ".editor", "Save").await;
    console
        .wait_for(
            "[...document.querySelectorAll('.toast')].length > 0",
            "the saved toast",
        )
        .await;
    let stored = rest
        .call("GET", ADMIN_TOKEN, &format!("/v1/chat/widgets/{wid}"), None)
        .await;
    assert_eq!(
        (&stored["theme"], &stored["typing_preview"]),
        (&json!("dark"), &json!(true))
    );
    console
        .wait_for(
            &format!("{theme}.value === 'dark' && {preview}.checked"),
            "the saved values in the form",
        )
        .await;
}
