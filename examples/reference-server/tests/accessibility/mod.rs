//! axe-core (pinned in widget/package-lock.json, installed by `npm ci` in widget/, which
//! scripts/typecheck.sh runs) injected into the console's sessions, widgets and quick
//! responses pages and into the open widget, each in the light and the dark scheme
//! (`prefers-color-scheme` emulated over the DevTools protocol): no serious or critical
//! violation. Failures print every violation with its elements.
//!
//! Without `widget/node_modules/axe-core` the test prints a `skipped:` line and passes,
//! unless `TMS_CHAT_REQUIRE_ALL_TESTS` is set (CI), where that is a failure.

use super::{widget, Rest};
use crate::support::cdp::{Browser, Page};
use crate::support::pages::{
    browser_or_skip, console_signs_in, customer_types, open_widget, SHADOW,
};
use crate::support::server::{start, ADMIN_TOKEN};
use serde_json::{json, Value};
use std::path::PathBuf;

/// axe's script, or `None` after a `skipped:` line when it is not installed.
fn axe_or_skip(test: &str) -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../widget/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(why) => {
            if std::env::var_os("TMS_CHAT_REQUIRE_ALL_TESTS").is_some() {
                panic!("{test}: {} ({why}), and TMS_CHAT_REQUIRE_ALL_TESTS is set: run `npm ci` in widget/", path.display());
            }
            eprintln!("skipped: {test}: axe-core not installed (npm ci in widget/)");
            None
        }
    }
}

/// Brings `page` to the front (a background tab runs no animations, so an opening panel
/// would stay transparent) and emulates the light or dark `prefers-color-scheme`, with
/// reduced motion so axe never measures colours halfway through an animation.
async fn prefer(page: &Page, scheme: &str) {
    page.call("Page.bringToFront", json!({})).await;
    page.call(
        "Emulation.setEmulatedMedia",
        json!({"features": [
            {"name": "prefers-color-scheme", "value": scheme},
            {"name": "prefers-reduced-motion", "value": "reduce"},
        ]}),
    )
    .await;
}

/// Runs axe on the element `context` (a JS expression) of `page` and answers its serious and
/// critical violations, each with its rule, help and failing elements.
async fn serious_violations(page: &Page, axe: &str, context: &str) -> Vec<Value> {
    if page.eval("typeof window.axe").await != "object" {
        page.eval(&format!("{axe}\n;true")).await;
    }
    let run = format!(
        "axe.run({context}, {{resultTypes: ['violations']}}).then(r => r.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({{id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({{target: n.target, summary: n.failureSummary}}))}})))"
    );
    page.eval(&run)
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Checks `page` (at `context`) in both schemes; `load` brings the page into the state to
/// check after the scheme changed. Returns what failed, labelled.
async fn check_both_schemes<'a, F, Fut>(
    page: &'a Page,
    axe: &str,
    what: &str,
    context: &str,
    load: F,
) -> Vec<(String, Value)>
where
    F: Fn(&'a Page, &'static str) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut failed = Vec::new();
    for scheme in ["light", "dark"] {
        prefer(page, scheme).await;
        load(page, scheme).await;
        for violation in serious_violations(page, axe, context).await {
            failed.push((format!("{what} ({scheme})"), violation));
        }
    }
    failed
}

/// Opens the console at `hash` and waits for `ready` (a JS expression).
async fn console_page(page: &Page, base: &str, hash: &str, ready: &str, scheme: &str) {
    page.navigate(&format!("{base}/console{hash}")).await;
    page.wait_for(ready, hash).await;
    let theme = page
        .eval("document.documentElement.getAttribute('data-theme')")
        .await;
    assert_eq!(theme, scheme, "the console follows prefers-color-scheme");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_and_the_widget_pass_axe_in_light_and_dark() {
    let test = "the_console_and_the_widget_pass_axe_in_light_and_dark";
    let Some(chromium) = browser_or_skip(test) else {
        return;
    };
    let Some(axe) = axe_or_skip(test) else {
        return;
    };
    let server = start("axum", None).await;
    let base = server.base.clone();
    let rest = Rest {
        base: &server.base,
        http: reqwest::Client::new(),
    };
    let wid = widget(&rest, json!({"typing_preview": true})).await;
    rest.call(
        "POST",
        ADMIN_TOKEN,
        "/v1/chat/canned-responses",
        Some(json!({"shortcut": "hello", "text": "Hello {customer_name}!"})),
    )
    .await;
    let browser = Browser::launch(&chromium).await;

    // The customer writes first, so both sides have messages to show.
    let customer = browser.open(&format!("{base}/demo?widget={wid}")).await;
    open_widget(&customer).await;
    customer_types(&customer, "Hello, where is my order?").await;
    customer
        .wait_for(
            &format!("{SHADOW}.querySelector('.m.me[data-seq]')"),
            "the stored message",
        )
        .await;

    let console = browser.open(&format!("{base}/console")).await;
    console_signs_in(&console, ADMIN_TOKEN).await;
    console
        .wait_for("document.querySelector('.topbar nav')", "the top bar")
        .await;
    let session_open =
        "document.querySelector('.log .msg') && document.querySelector('.composer textarea')";
    let mut failed = check_both_schemes(
        &console,
        &axe,
        "sessions page",
        "document",
        |page, scheme| {
            let base = base.clone();
            async move {
                console_page(
                    page,
                    &base,
                    "#/sessions",
                    "document.querySelector('.list li button')",
                    scheme,
                )
                .await;
                page.click_element("document.querySelector('.list li button')")
                    .await;
                page.wait_for(session_open, "the open conversation").await;
            }
        },
    )
    .await;
    failed.extend(
        check_both_schemes(
            &console,
            &axe,
            "widgets page",
            "document",
            |page, scheme| {
                let base = base.clone();
                async move {
                    console_page(
                        page,
                        &base,
                        "#/widgets",
                        "document.querySelector('.editor form fieldset')",
                        scheme,
                    )
                    .await;
                }
            },
        )
        .await,
    );
    failed.extend(
        check_both_schemes(
            &console,
            &axe,
            "quick responses page",
            "document",
            |page, scheme| {
                let base = base.clone();
                async move {
                    console_page(
                        page,
                        &base,
                        "#/quick",
                        "document.getElementById('quick-shortcut')",
                        scheme,
                    )
                    .await;
                }
            },
        )
        .await,
    );
    let host = "document.getElementById('tms-chat-widget')";
    failed.extend(
        check_both_schemes(&customer, &axe, "open widget", host, |page, scheme| async move {
            page.reload().await;
            open_widget(page).await;
            page.wait_for(&format!("{SHADOW}.querySelector('.m.me[data-seq]')"), "the conversation")
                .await;
            let dark = page
                .eval(&format!("matchMedia('(prefers-color-scheme: dark)').matches && getComputedStyle({SHADOW}.querySelector('.panel')).backgroundColor === 'rgb(17, 24, 39)'"))
                .await;
            assert_eq!(dark, scheme == "dark", "the widget (theme auto) follows the scheme");
            // White on the default primary colour (#3b82f6) is 3.7:1, black is 5.7:1.
            let subtitle = page
                .eval(&format!("getComputedStyle({SHADOW}.querySelector('header small')).color"))
                .await;
            assert_eq!(subtitle, "rgb(0, 0, 0)");
        })
        .await,
    );

    assert!(
        failed.is_empty(),
        "axe found {} serious or critical violation(s):\n{}",
        failed.len(),
        failed
            .iter()
            .map(|(page, v)| format!("- {page}: {v:#}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
