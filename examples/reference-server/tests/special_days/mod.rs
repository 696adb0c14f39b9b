//! Business-hours exceptions in the console's widgets page (issue 10, "Business hours"), in
//! Chromium: an admin adds today as a holiday with Add date, typing the date, and saves; the
//! widget then says it is closed; Remove and Save open it again.

use super::{widget, Rest};
use crate::support::cdp::Page;
use crate::support::pages::{browser_or_skip, click_button, console_signs_in};
use crate::support::server::{start, ADMIN_TOKEN};
use serde_json::{json, Value};

/// The public configuration's `is_open`, as the widget on `127.0.0.1` reads it.
async fn is_open(base: &str, wid: &str) -> Value {
    let reply = reqwest::Client::new()
        .get(format!("{base}/v1/chat/public/widgets/{wid}"))
        .header("origin", base)
        .send()
        .await
        .unwrap();
    reply.json::<Value>().await.unwrap()["is_open"].clone()
}

/// Types `digits` one key at a time into the focused field.
async fn type_digits(page: &Page, digits: &str) {
    for digit in digits.chars() {
        page.press_key(&digit.to_string(), 0).await;
    }
}

async fn stored_exceptions(rest: &Rest<'_>, wid: &str) -> Value {
    let widget = rest
        .call("GET", ADMIN_TOKEN, &format!("/v1/chat/widgets/{wid}"), None)
        .await;
    widget["business_hours"]["exceptions"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_closes_the_widget_for_a_holiday_from_the_widgets_page() {
    let Some(chromium) =
        browser_or_skip("an_admin_closes_the_widget_for_a_holiday_from_the_widgets_page")
    else {
        return;
    };
    let server = start("axum", None).await;
    let base = server.base.clone();
    let rest = Rest {
        base: &base,
        http: reqwest::Client::new(),
    };
    let mut hours = json!({"timezone": "UTC"});
    for day in [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ] {
        hours[day] = json!({"open": "00:00", "close": "24:00"});
    }
    let wid = widget(&rest, json!({"business_hours": hours})).await;
    assert_eq!(is_open(&base, &wid).await, true);

    let browser = crate::support::cdp::Browser::launch(&chromium).await;
    let console = browser.open(&format!("{base}/console")).await;
    console.viewport(1280, 900).await;
    console_signs_in(&console, ADMIN_TOKEN).await;
    console
        .wait_for("document.querySelector('.topbar nav a')", "the console")
        .await;
    console.navigate(&format!("{base}/console#/widgets")).await;
    console
        .wait_for(
            "document.querySelector('.editor form fieldset')",
            "the widget editor",
        )
        .await;
    click_button(&console, ".editor", "Add date").await;
    let date = "document.querySelector('.editor .exception input[type=date]')";
    console
        .wait_for(
            &format!("document.activeElement === {date}"),
            "focus in the new date",
        )
        .await;
    // The date as the page's locale (en-US) orders it: month, day, year.
    let today = chrono::Utc::now().date_naive();
    type_digits(&console, &today.format("%m%d%Y").to_string()).await;
    let iso = today.format("%Y-%m-%d").to_string();
    console
        .wait_for(
            &format!("{date}.value === {}", json!(iso)),
            "the typed date",
        )
        .await;
    click_button(&console, ".editor", "Save").await;
    let expected = json!([{"date": iso, "closed": true}]);
    for _ in 0..50 {
        if stored_exceptions(&rest, &wid).await == expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(stored_exceptions(&rest, &wid).await, expected);
    let stored = rest
        .call("GET", ADMIN_TOKEN, &format!("/v1/chat/widgets/{wid}"), None)
        .await;
    assert_eq!(
        stored["business_hours"]["timezone"], "UTC",
        "the zone is kept"
    );
    assert_eq!(is_open(&base, &wid).await, false, "closed for the holiday");
    console
        .wait_for(
            &format!("{date} && {date}.value === {}", json!(iso)),
            "the saved date in the editor",
        )
        .await;
    console
        .eval("document.querySelector('.editor .exception').scrollIntoView({ block: 'center' })")
        .await;
    console
        .screenshot(&super::screenshots().join("console-special-days.png"))
        .await;

    // A duplicate date is refused, with the field named beside the hours.
    click_button(&console, ".editor", "Add date").await;
    type_digits(&console, &today.format("%m%d%Y").to_string()).await;
    click_button(&console, ".editor", "Save").await;
    console
        .wait_for(
            "document.querySelector('.editor .err.wide').textContent.startsWith('business_hours.exceptions[1].date')",
            "the refusal naming the second date",
        )
        .await;

    // Removing both rows opens the widget again.
    for _ in 0..2 {
        click_button(&console, ".editor .exception", "Remove").await;
    }
    click_button(&console, ".editor", "Save").await;
    for _ in 0..50 {
        if is_open(&base, &wid).await == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(is_open(&base, &wid).await, true);
    assert!(stored_exceptions(&rest, &wid).await.is_null());
}
