//! The agent's working day in the console and the widget (issue 10), in Chromium, used as a
//! person would: clicks on the page's buttons and real key presses, with REST only to set the
//! scene (sessions that already exist) and to check what the server stored.

mod catching_up;

use super::{widget, Rest};
use crate::support::cdp::{Browser, Page};
use crate::support::pages::{
    browser_or_skip, click_button, console_signs_in, customer_types, open_listed_session,
    open_widget, LISTED_NAMES, SHADOW,
};
use crate::support::server::{start, ADMIN_TOKEN, AGENT_TOKEN};
use serde_json::{json, Value};

/// A session an agent started for `email`/`name`, assigned to `assignee` (unassigned with
/// `None`); its id.
async fn started_session(
    rest: &Rest<'_>,
    widget: &str,
    email: &str,
    name: &str,
    assignee: Option<&str>,
) -> String {
    let body = json!({"widget_id": widget, "customer_email": email, "customer_name": name, "assigned_agent_id": assignee});
    rest.call("POST", ADMIN_TOKEN, "/v1/chat/sessions", Some(body))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The stored messages of session `sid` whose text is `text`.
async fn stored_with_text(rest: &Rest<'_>, sid: &str, text: &str) -> Vec<Value> {
    let history = rest
        .call(
            "GET",
            AGENT_TOKEN,
            &format!("/v1/chat/sessions/{sid}/messages"),
            None,
        )
        .await;
    history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["content"] == text)
        .cloned()
        .collect()
}

/// Waits until the session list shows exactly `names` (sorted, comma-separated).
async fn list_shows(console: &Page, names: &str) {
    console
        .wait_for(
            &format!("{LISTED_NAMES} === {}", json!(names)),
            &format!("the list showing {names}"),
        )
        .await;
}

/// The composer's text, as a JS expression.
const DRAFT: &str = "document.querySelector('.composer textarea').value";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_filters_by_tab_keeps_drafts_retries_a_failed_send_and_confirms_ending() {
    let Some(chromium) = browser_or_skip(
        "the_agent_filters_by_tab_keeps_drafts_retries_a_failed_send_and_confirms_ending",
    ) else {
        return;
    };
    let mut server = start("axum", None).await;
    let base = server.base.clone();
    let rest = Rest {
        base: &base,
        http: reqwest::Client::new(),
    };
    let wid = widget(&rest, json!({})).await;
    // Ann writes from the widget (unassigned); Bob's chat is Sam's; Cleo's chat has ended.
    let browser = Browser::launch(&chromium).await;
    let page = browser.open(&format!("{base}/demo?widget={wid}")).await;
    page.eval("TmsChat('setVisitor', {name: 'Ann Waiting'})")
        .await;
    open_widget(&page).await;
    customer_types(&page, "Is anyone there?").await;
    page.wait_for(
        &format!("[...{SHADOW}.querySelectorAll('.m.me')].some(m => m.dataset.seq)"),
        "Ann's message stored",
    )
    .await;
    let bob = started_session(
        &rest,
        &wid,
        "bob@example.com",
        "Bob Mine",
        Some("agent-123"),
    )
    .await;
    let cleo = started_session(
        &rest,
        &wid,
        "cleo@example.com",
        "Cleo Ended",
        Some("admin-1"),
    )
    .await;
    rest.call(
        "POST",
        ADMIN_TOKEN,
        &format!("/v1/chat/sessions/{cleo}/end"),
        None,
    )
    .await;

    let console = browser.open(&format!("{base}/console")).await;
    console_signs_in(&console, AGENT_TOKEN).await;
    list_shows(&console, "Ann Waiting,Bob Mine,Cleo Ended").await;
    click_button(&console, ".tabs", "Mine").await;
    list_shows(&console, "Bob Mine").await;
    click_button(&console, ".tabs", "Ended").await;
    list_shows(&console, "Cleo Ended").await;
    click_button(&console, ".tabs", "Active").await;
    list_shows(&console, "Bob Mine").await;
    click_button(&console, ".tabs", "Unassigned").await;
    list_shows(&console, "Ann Waiting").await;
    // The tab survives a reload.
    console.reload().await;
    list_shows(&console, "Ann Waiting").await;
    assert_eq!(
        console
            .eval("document.querySelector('.tabs [aria-pressed=true]').textContent")
            .await,
        "Unassigned"
    );
    click_button(&console, ".tabs", "All").await;
    list_shows(&console, "Ann Waiting,Bob Mine,Cleo Ended").await;

    // A draft stays with its session while the agent looks at another.
    open_listed_session(&console, "Bob Mine").await;
    console.insert_text("Your refund is on its way").await;
    open_listed_session(&console, "Ann Waiting").await;
    assert_eq!(console.eval(DRAFT).await, "");
    open_listed_session(&console, "Bob Mine").await;
    assert_eq!(console.eval(DRAFT).await, "Your refund is on its way");

    // The server goes away: the send fails, the text stays with a Retry button.
    server.stop();
    console.press("Enter", false).await;
    console
        .wait_for(
            "[...document.querySelectorAll('.log .msg.failed')].some(m => m.textContent.startsWith('Your refund is on its way') && m.textContent.includes('Not sent'))",
            "the failed message, kept with its reason",
        )
        .await;
    assert_eq!(console.eval(DRAFT).await, "");
    server.restart().await;
    click_button(&console, ".log .msg.failed", "Retry").await;
    console
        .wait_for(
            "[...document.querySelectorAll('.log .msg[data-seq]')].some(m => m.textContent.startsWith('Your refund is on its way')) && !document.querySelector('.log .msg.outgoing')",
            "the retried message stored",
        )
        .await;
    assert_eq!(
        stored_with_text(&rest, &bob, "Your refund is on its way")
            .await
            .len(),
        1,
        "stored once"
    );

    // Ending asks first; Cancel keeps the chat and gives focus back to End.
    click_button(&console, ".convo header .actions", "End").await;
    console
        .wait_for(
            "document.querySelector('dialog[open] h2') && document.querySelector('dialog[open] h2').textContent === 'End this chat?'",
            "the confirmation",
        )
        .await;
    click_button(&console, "dialog[open]", "Cancel").await;
    console
        .wait_for(
            "!document.querySelector('dialog') && document.activeElement.textContent === 'End'",
            "the dialog closed, focus back on End",
        )
        .await;
    let session = rest
        .call(
            "GET",
            AGENT_TOKEN,
            &format!("/v1/chat/sessions/{bob}"),
            None,
        )
        .await;
    assert_eq!(session["status"], "active");
    click_button(&console, ".convo header .actions", "End").await;
    click_button(&console, "dialog[open]", "End chat").await;
    console
        .wait_for(
            "document.querySelector('.convo .empty') && document.querySelector('.convo .empty').textContent === 'This session has ended.' && !document.querySelector('dialog') && document.activeElement.matches('.convo header h2')",
            "the ended session, focus on its heading",
        )
        .await;
    let session = rest
        .call(
            "GET",
            AGENT_TOKEN,
            &format!("/v1/chat/sessions/{bob}"),
            None,
        )
        .await;
    assert_eq!(session["status"], "ended");
    assert_eq!(session["ended_by"], "agent");
}

/// The heading of the open conversation, as a JS expression.
const OPEN_NAME: &str = "(document.querySelector('.convo header h2') || {}).textContent";

/// Waits until the open conversation is `name`'s.
async fn conversation_is(console: &Page, name: &str) {
    console
        .wait_for(
            &format!("{OPEN_NAME} === {}", json!(name)),
            &format!("{name}'s conversation"),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_shortcuts_move_assign_end_search_and_never_fire_while_typing() {
    let Some(chromium) =
        browser_or_skip("keyboard_shortcuts_move_assign_end_search_and_never_fire_while_typing")
    else {
        return;
    };
    let server = start("axum", None).await;
    let rest = Rest {
        base: &server.base,
        http: reqwest::Client::new(),
    };
    let wid = widget(&rest, json!({})).await;
    rest.call(
        "POST",
        ADMIN_TOKEN,
        "/v1/chat/canned-responses",
        Some(json!({"shortcut": "thanks", "text": "Thanks for waiting, {customer_name}!"})),
    )
    .await;
    // Newest activity first: Cleo, Bob, Ann.
    let ann = started_session(&rest, &wid, "ann@example.com", "Ann", None).await;
    started_session(&rest, &wid, "bob@example.com", "Bob", None).await;
    let cleo = started_session(&rest, &wid, "cleo@example.com", "Cleo", None).await;
    let browser = Browser::launch(&chromium).await;
    let console = browser.open(&format!("{}/console", server.base)).await;
    console_signs_in(&console, AGENT_TOKEN).await;
    list_shows(&console, "Ann,Bob,Cleo").await;

    // j and k move through the list, focus staying in it.
    console.press_key("j", 0).await;
    conversation_is(&console, "Cleo").await;
    console.press_key("j", 0).await;
    conversation_is(&console, "Bob").await;
    console.press_key("k", 0).await;
    conversation_is(&console, "Cleo").await;
    assert_eq!(
        console
            .eval("document.activeElement.closest('.list') !== null")
            .await,
        true
    );
    // a: Assign to Me.
    console.press_key("a", 0).await;
    console
        .wait_for(
            "![...document.querySelectorAll('.convo header button')].some(b => b.textContent === 'Assign to Me')",
            "Cleo's chat taken",
        )
        .await;
    let session = rest
        .call(
            "GET",
            AGENT_TOKEN,
            &format!("/v1/chat/sessions/{cleo}"),
            None,
        )
        .await;
    assert_eq!(session["assigned_agent_id"], "agent-123");

    // r: reply. Single keys now type; Alt+↓ still moves on.
    console.press_key("r", 0).await;
    console
        .wait_for(
            "document.activeElement === document.querySelector('.composer textarea')",
            "focus in the message box",
        )
        .await;
    for key in ["j", "k", "a", "e", "n", "q", "r", "/", "?"] {
        console.press_key(key, 0).await;
    }
    assert_eq!(console.eval(DRAFT).await, "jkaenqr/?");
    assert_eq!(console.eval(OPEN_NAME).await, "Cleo");
    assert_eq!(
        console.eval("!!document.querySelector('dialog')").await,
        false
    );
    console.press_key("ArrowDown", 1).await;
    conversation_is(&console, "Bob").await;
    console.press_key("ArrowDown", 1).await;
    conversation_is(&console, "Ann").await;

    // q: the quick responses, filled in for Ann.
    console.press_key("Tab", 0).await; // from the message box to Send
    console.press_key("q", 0).await;
    console
        .wait_for(
            "document.activeElement.matches('dialog[open] input[type=search]')",
            "the quick responses, focus in their search",
        )
        .await;
    console.insert_text("wait").await;
    console.press_key("Enter", 0).await;
    console
        .wait_for(
            &format!("!document.querySelector('dialog') && {DRAFT} === 'Thanks for waiting, Ann!' && document.activeElement === document.querySelector('.composer textarea')"),
            "the quick response in the message box",
        )
        .await;

    // n: the customer and notes panel hides and comes back with focus in the note box.
    console.press_key("Tab", 0).await;
    console.press_key("n", 0).await;
    console
        .wait_for(
            "getComputedStyle(document.querySelector('.side')).display === 'none'",
            "the panel hidden",
        )
        .await;
    console.press_key("n", 0).await;
    console
        .wait_for(
            "getComputedStyle(document.querySelector('.side')).display !== 'none' && document.activeElement.matches('.side textarea')",
            "the panel back, focus on the note box",
        )
        .await;

    // /: search, from anywhere but a text field.
    console.press_key("Tab", 0).await; // from the note box to Add note
    console.press_key("/", 0).await;
    console
        .wait_for(
            "document.activeElement.matches('input[type=search]')",
            "focus in the search box",
        )
        .await;

    // e: end, after the confirmation; Escape cancels it.
    console.press_key("Tab", 0).await; // to New Chat
    console.press_key("e", 0).await;
    console
        .wait_for("document.querySelector('dialog[open]')", "the confirmation")
        .await;
    console.press_key("Escape", 0).await;
    console
        .wait_for("!document.querySelector('dialog')", "the confirmation gone")
        .await;
    let session = rest
        .call(
            "GET",
            AGENT_TOKEN,
            &format!("/v1/chat/sessions/{ann}"),
            None,
        )
        .await;
    assert_ne!(session["status"], "ended");
    console.press_key("e", 0).await;
    console
        .wait_for(
            "document.activeElement.matches('dialog[open] button.confirm')",
            "the confirmation, on End chat",
        )
        .await;
    console.press_key("Enter", 0).await;
    console
        .wait_for(
            "document.querySelector('.convo .empty') && !document.querySelector('dialog')",
            "Ann's chat ended",
        )
        .await;
    let session = rest
        .call(
            "GET",
            AGENT_TOKEN,
            &format!("/v1/chat/sessions/{ann}"),
            None,
        )
        .await;
    assert_eq!(session["status"], "ended");

    // ?: every shortcut listed.
    console.press_key("?", 8).await;
    let listed = console
        .wait_for(
            "document.querySelector('dialog[open] .shortcuts') && document.querySelector('dialog[open]').textContent",
            "the shortcut list",
        )
        .await;
    console
        .screenshot(&super::screenshots().join("console-shortcuts.png"))
        .await;
    for label in [
        "Next session",
        "Previous session",
        "Assign to Me",
        "End the session",
        "Search sessions",
        "Open quick responses",
        "Show or hide the customer and notes panel",
    ] {
        assert!(listed.as_str().unwrap().contains(label), "{label} listed");
    }
    console.press_key("Escape", 0).await;
    console
        .wait_for("!document.querySelector('dialog')", "the list closed")
        .await;
}

/// Clicks into the field labelled by `id`'s label, empties it and types `text`.
async fn fill_field(page: &Page, id: &str, text: &str) {
    page.click_element(&format!("document.getElementById({})", json!(id)))
        .await;
    page.eval(&format!("document.getElementById({}).select()", json!(id)))
        .await;
    page.press_key("Backspace", 0).await;
    page.insert_text(text).await;
}

/// The shortcuts the quick responses page lists, as a JS expression.
const QUICK_LISTED: &str =
    "[...document.querySelectorAll('.list li button .name')].map(n => n.textContent).join(',')";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_manages_quick_responses_and_the_composer_inserts_them_filled_in() {
    let Some(chromium) =
        browser_or_skip("an_admin_manages_quick_responses_and_the_composer_inserts_them_filled_in")
    else {
        return;
    };
    let server = start("axum", None).await;
    let rest = Rest {
        base: &server.base,
        http: reqwest::Client::new(),
    };
    let wid = widget(&rest, json!({})).await;
    let dana = started_session(&rest, &wid, "dana@example.com", "Dana", Some("admin-1")).await;
    let browser = Browser::launch(&chromium).await;
    let console = browser.open(&format!("{}/console", server.base)).await;
    console_signs_in(&console, ADMIN_TOKEN).await;
    console
        .wait_for("document.querySelector('.topbar nav')", "the top bar")
        .await;
    console
        .click_element("[...document.querySelectorAll('.topbar nav a')].find(a => a.textContent.endsWith('Quick responses'))")
        .await;
    console
        .wait_for(
            "document.getElementById('quick-shortcut')",
            "a new quick response's form",
        )
        .await;

    // Create two; a shortcut with a space is refused under its field.
    let refund = "Hi {customer_name}, the refund for {customer_email} is on its way. {agent_name}";
    fill_field(&console, "quick-shortcut", "refund").await;
    fill_field(&console, "quick-text", refund).await;
    click_button(&console, ".editor", "Save").await;
    console
        .wait_for(
            &format!("{QUICK_LISTED} === '/refund'"),
            "the new quick response listed",
        )
        .await;
    click_button(&console, ".listcol .toolbar", "New quick response").await;
    fill_field(&console, "quick-shortcut", "opening hours").await;
    fill_field(&console, "quick-text", "We are open 9-17.").await;
    click_button(&console, ".editor", "Save").await;
    console
        .wait_for(
            "document.getElementById('quick-shortcut-error').textContent.includes('spaces') && document.activeElement.id === 'quick-shortcut'",
            "the refusal under the shortcut",
        )
        .await;
    fill_field(&console, "quick-shortcut", "hours").await;
    click_button(&console, ".editor", "Save").await;
    console
        .wait_for(
            &format!("{QUICK_LISTED} === '/hours,/refund'"),
            "both listed",
        )
        .await;
    console
        .screenshot(&super::screenshots().join("console-quick-responses.png"))
        .await;

    // Search, edit, delete.
    console
        .click_element("document.querySelector('.listcol input[type=search]')")
        .await;
    console.insert_text("open 9").await;
    console
        .wait_for(&format!("{QUICK_LISTED} === '/hours'"), "the search")
        .await;
    console
        .click_element("document.querySelector('.list li button')")
        .await;
    fill_field(&console, "quick-text", "We are open 9 to 5.").await;
    click_button(&console, ".editor", "Save").await;
    console
        .wait_for(
            "[...document.querySelectorAll('.list .sub')].some(s => s.textContent === 'We are open 9 to 5.')",
            "the changed text",
        )
        .await;
    click_button(&console, ".editor", "Delete").await;
    click_button(&console, "dialog[open]", "Delete").await;
    console
        .wait_for(
            &format!("!document.querySelector('dialog') && {QUICK_LISTED} === ''"),
            "the deleted one gone",
        )
        .await;
    let stored = rest
        .call("GET", AGENT_TOKEN, "/v1/chat/canned-responses", None)
        .await;
    let shortcuts: Vec<&str> = stored["canned_responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["shortcut"].as_str().unwrap())
        .collect();
    assert_eq!(shortcuts, vec!["refund"]);

    // In the composer: /ref and Tab, /refund and Enter, and the picker.
    let filled = "Hi Dana, the refund for dana@example.com is on its way. Ada Admin";
    console
        .click_element("[...document.querySelectorAll('.topbar nav a')].find(a => a.textContent.endsWith('Sessions'))")
        .await;
    open_listed_session(&console, "Dana").await;
    console.insert_text("/ref").await;
    console
        .wait_for(
            "!document.querySelector('.suggest').hidden && document.querySelector('.suggest').textContent.startsWith('/refund')",
            "the matching quick response above the box",
        )
        .await;
    console.press_key("Tab", 0).await;
    console
        .wait_for(
            &format!("{DRAFT} === {}", json!(filled)),
            "Tab inserting it",
        )
        .await;
    fill_field_in_composer(&console, "/refund").await;
    console.press_key("Enter", 0).await;
    console
        .wait_for(
            &format!("{DRAFT} === {}", json!(filled)),
            "Enter inserting it",
        )
        .await;
    fill_field_in_composer(&console, "").await;
    click_button(&console, ".composer", "⚡").await;
    click_button(
        &console,
        "dialog[open] .picker",
        &format!("/refund{refund}"),
    )
    .await;
    console
        .wait_for(
            &format!("{DRAFT} === {}", json!(filled)),
            "the picker inserting it",
        )
        .await;
    console.press_key("Enter", 0).await;
    console
        .wait_for(
            &format!("[...document.querySelectorAll('.log .msg[data-seq]')].some(m => m.textContent.startsWith({}))", json!(filled)),
            "the reply sent",
        )
        .await;
    assert_eq!(stored_with_text(&rest, &dana, filled).await.len(), 1);
}

/// Empties the message box and types `text` into it.
async fn fill_field_in_composer(console: &Page, text: &str) {
    console
        .eval("(() => { const box = document.querySelector('.composer textarea'); box.focus(); box.select(); })()")
        .await;
    console.press_key("Backspace", 0).await;
    if !text.is_empty() {
        console.insert_text(text).await;
    }
}

/// Stands in for the browser's notification permission prompt (which no test can click) and
/// records what the console does: how often it asked, each notification, each tone played.
const NOTIFICATION_SPY: &str = r#"
window.__asked = 0; window.__shown = []; window.__tones = 0;
class SpyNotification {
  constructor(title, options) { window.__shown.push(title + ' | ' + ((options && options.body) || '')); }
  static requestPermission() { window.__asked++; SpyNotification.permission = 'granted'; return Promise.resolve('granted'); }
}
SpyNotification.permission = sessionStorage.getItem('spy.permission') || 'default';
window.Notification = SpyNotification;
window.addEventListener('beforeunload', () => sessionStorage.setItem('spy.permission', SpyNotification.permission));
const createOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () { window.__tones++; return createOscillator.call(this); };
"#;

/// Waits until the console showed a notification starting with `title`.
async fn notified(console: &Page, title: &str) {
    console
        .wait_for(
            &format!("window.__shown.some(n => n.startsWith({}))", json!(title)),
            &format!("the notification {title}"),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_chats_customer_messages_and_transfers_alert_the_agent_unless_muted() {
    let Some(chromium) =
        browser_or_skip("new_chats_customer_messages_and_transfers_alert_the_agent_unless_muted")
    else {
        return;
    };
    let server = start("axum", None).await;
    let base = server.base.clone();
    let rest = Rest {
        base: &base,
        http: reqwest::Client::new(),
    };
    let wid = widget(&rest, json!({})).await;
    let started = rest
        .call("POST", ADMIN_TOKEN, "/v1/chat/sessions", Some(json!({"widget_id": wid, "customer_email": "bob@example.com", "customer_name": "Bob", "assigned_agent_id": "agent-123"})))
        .await;
    let join = started["customer_join_url"].as_str().unwrap();
    let join_token = join.split("tms_chat_join=").nth(1).unwrap().to_owned();
    let browser = Browser::launch(&chromium).await;
    let console = browser.open("about:blank").await;
    console.add_script_on_load(NOTIFICATION_SPY).await;
    console.navigate(&format!("{base}/console")).await;
    console_signs_in(&console, AGENT_TOKEN).await;
    list_shows(&console, "Bob").await;
    assert_eq!(
        console.eval("window.__asked").await,
        0,
        "never asked on load"
    );

    // The agent turns desktop notifications on: the permission is asked on that click.
    click_button(&console, ".topbar", "Alerts").await;
    click_button(&console, "dialog[open]", "Enable desktop notifications").await;
    console
        .wait_for(
            "[...document.querySelectorAll('dialog[open] label')].some(l => l.textContent === 'Desktop notifications' && l.querySelector('input').checked)",
            "desktop notifications on",
        )
        .await;
    assert_eq!(console.eval("window.__asked").await, 1);
    click_button(&console, "dialog[open]", "Close").await;

    // A new waiting chat.
    let widget_page = browser.open(&format!("{base}/demo?widget={wid}")).await;
    widget_page
        .eval("TmsChat('setVisitor', {name: 'Ann'})")
        .await;
    open_widget(&widget_page).await;
    customer_types(&widget_page, "Hello?").await;
    notified(&console, "New chat waiting from Ann").await;
    console
        .wait_for(
            "document.title.startsWith('(1) ')",
            "the count in the title",
        )
        .await;
    assert!(console.eval("window.__tones").await.as_u64().unwrap() >= 2);

    // Bob, Sam's customer, writes while Sam looks at nothing.
    let bob_page = browser
        .open(&format!(
            "{base}/demo?widget={wid}&tms_chat_join={join_token}"
        ))
        .await;
    bob_page
        .wait_for(
            &format!("!{SHADOW}.querySelector('.panel').hidden"),
            "Bob's widget",
        )
        .await;
    customer_types(&bob_page, "Where is my parcel?").await;
    notified(&console, "New message from Bob | Where is my parcel?").await;
    console
        .wait_for("document.title.startsWith('(2) ')", "two in the title")
        .await;

    // Ann's chat is transferred to Sam by a supervisor.
    let ann = rest
        .call(
            "GET",
            AGENT_TOKEN,
            &format!("/v1/chat/sessions?widget_id={wid}&unassigned=true"),
            None,
        )
        .await["sessions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    rest.call(
        "POST",
        ADMIN_TOKEN,
        &format!("/v1/chat/sessions/{ann}/transfer"),
        Some(json!({"agent_id": "agent-123"})),
    )
    .await;
    notified(&console, "Chat with Ann transferred to you").await;

    // Opening Bob's chat clears its alert from the count (Ann's transfer is left).
    open_listed_session(&console, "Bob").await;
    console
        .wait_for(
            "document.title.startsWith('(1) ')",
            "the count after opening Bob's chat",
        )
        .await;

    // Sam mutes customer messages; the choice survives a reload.
    click_button(&console, ".topbar", "Alerts").await;
    console
        .click_element("[...document.querySelectorAll('dialog[open] label')].find(l => l.textContent === 'Customer messages in my chats').querySelector('input')")
        .await;
    click_button(&console, "dialog[open]", "Close").await;
    console.reload().await;
    list_shows(&console, "Ann,Bob").await;
    click_button(&console, ".topbar", "Alerts").await;
    let muted = console
        .eval("[...document.querySelectorAll('dialog[open] label')].map(l => l.textContent + '=' + l.querySelector('input').checked).join(',')")
        .await;
    assert_eq!(
        muted,
        "New chats waiting for an agent=true,Customer messages in my chats=false,Chats transferred to me=true,Play a sound=true,Desktop notifications=true"
    );
    click_button(&console, "dialog[open]", "Close").await;
    click_button(&console, ".tabs", "All").await;
    // Bob writes again (Sam is on no session after the reload): no alert; then a new
    // waiting chat still alerts, so the message had been handled before it.
    customer_types(&bob_page, "Hello again").await;
    rest.call("POST", ADMIN_TOKEN, "/v1/chat/sessions", Some(json!({"widget_id": wid, "customer_email": "cleo@example.com", "customer_name": "Cleo"})))
        .await;
    notified(&console, "New chat waiting from Cleo").await;
    assert_eq!(
        console
            .eval("window.__shown.filter(n => n.includes('Hello again')).length")
            .await,
        0
    );
}

/// Whether the top bar is one line at the current size, with nothing wider than the window.
const TOP_BAR_ON_ONE_LINE: &str = "document.querySelector('.topbar').getBoundingClientRect().height === 56 && [...document.querySelectorAll('.topbar a, .topbar button, .topbar .brand')].every(e => getComputedStyle(e).display === 'none' || (e.getClientRects().length === 1 && e.getBoundingClientRect().height <= 40)) && document.documentElement.scrollWidth <= innerWidth";

/// Whether the element `selector` names is shown.
fn shown(selector: &str) -> String {
    format!(
        "getComputedStyle(document.querySelector({})).display !== 'none'",
        json!(selector)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_fits_every_screen_size() {
    let Some(chromium) = browser_or_skip("the_console_fits_every_screen_size") else {
        return;
    };
    let server = start("axum", None).await;
    let rest = Rest {
        base: &server.base,
        http: reqwest::Client::new(),
    };
    let wid = widget(&rest, json!({})).await;
    started_session(&rest, &wid, "bob@example.com", "Bob", Some("agent-123")).await;
    let browser = Browser::launch(&chromium).await;
    let console = browser.open(&format!("{}/console", server.base)).await;
    console_signs_in(&console, ADMIN_TOKEN).await;
    list_shows(&console, "Bob").await;
    for width in [1280, 1000, 800, 600, 375] {
        console.viewport(width, 800).await;
        console
            .wait_for(
                TOP_BAR_ON_ONE_LINE,
                &format!("the top bar on one line at {width} px"),
            )
            .await;
    }

    // Below 1100 px the customer and notes panel opens from a button and Escape closes it.
    console.viewport(1000, 800).await;
    console.reload().await;
    open_listed_session(&console, "Bob").await;
    assert_eq!(console.eval(&format!("!({})", shown(".side"))).await, true);
    click_button(&console, ".convo header", "Customer & notes").await;
    console
        .wait_for(
            &format!(
                "{} && document.activeElement.matches('.side textarea')",
                shown(".side")
            ),
            "the panel over the conversation, focus in the note box",
        )
        .await;
    console.press_key("Escape", 0).await;
    console
        .wait_for(
            &format!("!({}) && document.activeElement.textContent === 'Customer & notes' && document.activeElement.getAttribute('aria-expanded') === 'false'", shown(".side")),
            "the panel closed, focus back on its button",
        )
        .await;

    // Below 700 px one column: the conversation, then back to the list.
    console.viewport(600, 800).await;
    console
        .wait_for(
            &format!("{} && !({})", shown(".convo"), shown(".listcol")),
            "only the conversation",
        )
        .await;
    console
        .click_element("document.querySelector('.convo header button.back')")
        .await;
    console
        .wait_for(
            &format!(
                "{} && !({}) && document.activeElement.dataset.session",
                shown(".listcol"),
                shown(".convo")
            ),
            "only the list, focus on the session",
        )
        .await;
    open_listed_session(&console, "Bob").await;
    console
        .wait_for(
            &format!("!({})", shown(".listcol")),
            "the conversation again",
        )
        .await;
    console.viewport(375, 740).await;
    console
        .screenshot(&super::screenshots().join("console-phone.png"))
        .await;
}

/// Records the plain-text files the page makes (the transcript) in `window.__texts`.
const DOWNLOAD_SPY: &str = r#"
window.__texts = [];
const createObjectURL = URL.createObjectURL;
URL.createObjectURL = function (blob) {
  if (blob.type.startsWith('text/plain')) blob.text().then((text) => window.__texts.push(text));
  return createObjectURL.call(URL, blob);
};
"#;

/// The widget's button whose text is `text`, as a JS expression.
fn widget_button(text: &str) -> String {
    format!(
        "[...{SHADOW}.querySelectorAll('button')].find(b => b.textContent === {})",
        json!(text)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_customer_sees_times_downloads_the_transcript_and_ends_the_chat() {
    let Some(chromium) = browser_or_skip(
        "on_a_phone_the_customer_sees_times_downloads_the_transcript_and_ends_the_chat",
    ) else {
        return;
    };
    let server = start("axum", None).await;
    let base = server.base.clone();
    let rest = Rest {
        base: &base,
        http: reqwest::Client::new(),
    };
    let wid = widget(&rest, json!({})).await;
    let browser = Browser::launch(&chromium).await;
    let page = browser.open("about:blank").await;
    page.add_script_on_load(DOWNLOAD_SPY).await;
    page.viewport(375, 700).await;
    page.navigate(&format!("{base}/demo?widget={wid}")).await;
    open_widget(&page).await;
    // The open panel fills the phone's screen; the launcher is gone, nothing covers Send.
    page.wait_for(
        &format!("(() => {{ const r = {SHADOW}.querySelector('.panel').getBoundingClientRect(); return [r.x, r.y, r.width, r.height].join() === '0,0,375,700'; }})()"),
        "the panel filling the screen",
    )
    .await;
    assert_eq!(
        page.eval(&format!(
            "getComputedStyle({SHADOW}.querySelector('.launcher')).display"
        ))
        .await,
        "none"
    );
    assert_eq!(
        page.eval(&format!("(() => {{ const b = {}; const r = b.getBoundingClientRect(); return {SHADOW}.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === b && r.bottom <= innerHeight; }})()", widget_button("Send")))
            .await,
        true
    );

    customer_types(&page, "Hi, I need help").await;
    page.wait_for(
        &format!("[...{SHADOW}.querySelectorAll('.m.me')].some(m => m.dataset.seq)"),
        "the message stored",
    )
    .await;
    let sid = rest
        .call(
            "GET",
            AGENT_TOKEN,
            &format!("/v1/chat/sessions?widget_id={wid}"),
            None,
        )
        .await["sessions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    rest.call(
        "POST",
        AGENT_TOKEN,
        &format!("/v1/chat/sessions/{sid}/assign"),
        None,
    )
    .await;
    rest.call(
        "POST",
        AGENT_TOKEN,
        &format!("/v1/chat/sessions/{sid}/messages"),
        Some(json!({"content": "Happy to help"})),
    )
    .await;
    // Each message shows the customer's time of day.
    page.wait_for(
        &format!("[...{SHADOW}.querySelectorAll('.m[data-seq]')].filter(m => m.textContent === 'Happy to help' || m.textContent === 'Hi, I need help').every(m => /\\d:\\d\\d/.test(m.dataset.time)) && [...{SHADOW}.querySelectorAll('.m')].some(m => m.textContent === 'Happy to help')"),
        "both messages with their time",
    )
    .await;

    // The transcript, as plain text.
    page.click_element(&widget_button("Download transcript"))
        .await;
    let transcript = page.wait_for("window.__texts[0]", "the transcript").await;
    let transcript = transcript.as_str().unwrap();
    assert!(transcript.contains("You: Hi, I need help"), "{transcript}");
    assert!(
        transcript.contains("Sam Agent: Happy to help"),
        "{transcript}"
    );

    // Ending asks first; Cancel keeps the chat.
    page.click_element(&widget_button("End chat")).await;
    page.wait_for(
        &format!(
            "{SHADOW}.querySelector('.tools .ask') && {SHADOW}.activeElement === {}",
            widget_button("End chat")
        ),
        "the question, focus on End chat",
    )
    .await;
    page.click_element(&widget_button("Cancel")).await;
    page.wait_for(
        &format!("!{SHADOW}.querySelector('.tools .ask') && {SHADOW}.querySelector('form.c')"),
        "the chat going on",
    )
    .await;
    page.click_element(&widget_button("End chat")).await;
    page.wait_for(
        &format!("{SHADOW}.querySelector('.tools .ask')"),
        "the question",
    )
    .await;
    page.click_element(&widget_button("End chat")).await;
    page.wait_for(
        &format!(
            "{SHADOW}.activeElement === {}",
            widget_button("Start a new chat")
        ),
        "the ended chat, focus on Start a new chat",
    )
    .await;
    let session = rest
        .call(
            "GET",
            AGENT_TOKEN,
            &format!("/v1/chat/sessions/{sid}"),
            None,
        )
        .await;
    assert_eq!(session["status"], "ended");
    assert_eq!(session["ended_by"], "customer");
    page.screenshot(&super::screenshots().join("widget-phone.png"))
        .await;

    // The agent sees who ended it.
    let console = browser.open(&format!("{base}/console")).await;
    console_signs_in(&console, AGENT_TOKEN).await;
    click_button(&console, ".tabs", "Ended").await;
    list_shows(&console, "Visitor").await;
    open_listed_session(&console, "Visitor").await;
    console
        .wait_for(
            "document.querySelector('.convo .empty') && document.querySelector('.convo .empty').textContent === 'The customer ended this chat.'",
            "ended by the customer, in the console",
        )
        .await;
}

/// A customer message into session `sid` (customer token `token`) through the public REST
/// path, from the widget's page origin.
async fn customer_says(base: &str, wid: &str, token: &str, text: &str) {
    let res = reqwest::Client::new()
        .post(format!(
            "{base}/v1/chat/public/widgets/{wid}/session/messages"
        ))
        .bearer_auth(token)
        .header("origin", base)
        .json(&json!({ "content": text }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

/// The names the session list shows, top to bottom.
const NAMES_IN_ORDER: &str =
    "[...document.querySelectorAll('.list button[data-session] .name')].map(n => n.textContent).join(',')";

/// The unread badge of the listed session named `name`, as a JS expression ('' when hidden).
fn badge_of(name: &str) -> String {
    format!(
        "(() => {{ const b = [...document.querySelectorAll('.list button[data-session]')].find(b => b.querySelector('.name').textContent === {}); const u = b && b.querySelector('.unread'); return u && !u.hidden ? u.textContent : ''; }})()",
        json!(name)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn needs_reply_lists_the_longest_wait_first_and_opening_a_session_clears_its_badge() {
    let Some(chromium) = browser_or_skip(
        "needs_reply_lists_the_longest_wait_first_and_opening_a_session_clears_its_badge",
    ) else {
        return;
    };
    let server = start("axum", None).await;
    let base = server.base.clone();
    let rest = Rest {
        base: &base,
        http: reqwest::Client::new(),
    };
    let wid = widget(&rest, json!({})).await;
    let mut tokens = Vec::new();
    for name in ["Olga Oldest", "Nina Newer", "Abe Answered"] {
        let email = format!(
            "{}@example.com",
            name.split(' ').next().unwrap().to_lowercase()
        );
        let body = json!({"widget_id": wid, "customer_email": email, "customer_name": name, "assigned_agent_id": "agent-123"});
        let started = rest
            .call("POST", ADMIN_TOKEN, "/v1/chat/sessions", Some(body))
            .await;
        tokens.push((
            started["id"].as_str().unwrap().to_owned(),
            started["customer_token"].as_str().unwrap().to_owned(),
        ));
    }
    customer_says(&base, &wid, &tokens[0].1, "Where is my order?").await;
    customer_says(&base, &wid, &tokens[0].1, "Hello?").await;
    customer_says(&base, &wid, &tokens[1].1, "A question").await;
    customer_says(&base, &wid, &tokens[2].1, "Thanks!").await;
    rest.call(
        "POST",
        AGENT_TOKEN,
        &format!("/v1/chat/sessions/{}/messages", tokens[2].0),
        Some(json!({"content": "You're welcome"})),
    )
    .await;

    let browser = Browser::launch(&chromium).await;
    let console = browser.open(&format!("{base}/console")).await;
    console_signs_in(&console, AGENT_TOKEN).await;
    list_shows(&console, "Abe Answered,Nina Newer,Olga Oldest").await;
    click_button(&console, ".tabs", "Needs reply").await;
    console
        .wait_for(
            &format!("{NAMES_IN_ORDER} === 'Olga Oldest,Nina Newer'"),
            "the waiting customers, longest wait first",
        )
        .await;
    assert_eq!(console.eval(&badge_of("Olga Oldest")).await, "2");
    assert_eq!(console.eval(&badge_of("Nina Newer")).await, "1");
    let subline = console
        .eval("document.querySelector('.list button[data-session] .sub').textContent")
        .await;
    assert!(
        subline
            .as_str()
            .unwrap_or_default()
            .contains("waiting since"),
        "{subline}"
    );

    // Opening Olga's chat reads it; answering takes her off the list.
    open_listed_session(&console, "Olga Oldest").await;
    console
        .wait_for(
            &format!("{} === ''", badge_of("Olga Oldest")),
            "Olga's badge cleared",
        )
        .await;
    console.insert_text("It ships today").await;
    console.press("Enter", false).await;
    console
        .wait_for(
            &format!("{NAMES_IN_ORDER} === 'Nina Newer'"),
            "only Nina still waiting",
        )
        .await;
    let stored = rest
        .call(
            "GET",
            AGENT_TOKEN,
            &format!("/v1/chat/sessions/{}", tokens[0].0),
            None,
        )
        .await;
    assert!(stored["awaiting_reply_since"].is_null());
    assert_eq!(stored["unread_count"], 0);
}

/// The header's presence control, as a JS expression.
const PRESENCE: &str = "document.querySelector('.topbar select.presence')";

/// The presence the server holds for `agent`.
async fn stored_presence(rest: &Rest<'_>, agent: &str) -> Value {
    let team = rest.call("GET", AGENT_TOKEN, "/v1/chat/agents", None).await;
    team["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == agent)
        .map(|a| a["presence"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_sets_their_presence_from_the_header_and_it_survives_a_reload() {
    let Some(chromium) =
        browser_or_skip("the_agent_sets_their_presence_from_the_header_and_it_survives_a_reload")
    else {
        return;
    };
    let server = start("axum", None).await;
    let base = server.base.clone();
    let rest = Rest {
        base: &base,
        http: reqwest::Client::new(),
    };
    let browser = Browser::launch(&chromium).await;
    let console = browser.open(&format!("{base}/console")).await;
    console_signs_in(&console, AGENT_TOKEN).await;
    console
        .wait_for(&format!("{PRESENCE}.value === 'online'"), "online")
        .await;

    console.eval(&format!("{PRESENCE}.focus()")).await;
    console.press("ArrowDown", false).await;
    console
        .wait_for(
            &format!("{PRESENCE}.dataset.presence === 'away'"),
            "away, as the server answered",
        )
        .await;
    assert_eq!(stored_presence(&rest, "agent-123").await, "away");

    // The choice comes back with the next console.
    console.reload().await;
    console
        .wait_for(&format!("{PRESENCE}.value === 'away'"), "still away")
        .await;
    console.eval(&format!("{PRESENCE}.focus()")).await;
    console.press("ArrowDown", false).await;
    console
        .wait_for(
            &format!("{PRESENCE}.dataset.presence === 'offline'"),
            "offline",
        )
        .await;
    assert_eq!(stored_presence(&rest, "agent-123").await, "offline");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_transfer_choices_show_each_agents_presence_and_load() {
    let Some(chromium) = browser_or_skip("the_transfer_choices_show_each_agents_presence_and_load")
    else {
        return;
    };
    let server = start("axum", None).await;
    let rest = Rest {
        base: &server.base,
        http: reqwest::Client::new(),
    };
    let wid = widget(&rest, json!({})).await;
    started_session(&rest, &wid, "bob@example.com", "Bob", Some("agent-123")).await;
    started_session(&rest, &wid, "dana@example.com", "Dana", Some("admin-1")).await;
    let browser = Browser::launch(&chromium).await;
    let console = browser.open(&format!("{}/console", server.base)).await;
    console_signs_in(&console, ADMIN_TOKEN).await;
    list_shows(&console, "Bob,Dana").await;
    open_listed_session(&console, "Dana").await;
    click_button(&console, ".convo", "Transfer").await;
    console
        .wait_for(
            "[...document.querySelectorAll('dialog[open] select option')].some(o => o.value === 'agent-123' && o.textContent === 'Sam Agent · Offline · 1 open')",
            "Sam offline holding one session",
        )
        .await;
}

/// A customer-started session of widget `wid` through the public REST path; its id.
async fn customer_started(base: &str, wid: &str, name: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("{base}/v1/chat/public/widgets/{wid}/sessions"))
        .header("origin", base)
        .json(&json!({ "customer_name": name }))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    body["session"]["id"].as_str().unwrap().to_owned()
}

/// The widget header's status line, as a JS expression.
const WIDGET_STATUS: &str = "document.getElementById('tms-chat-widget').shadowRoot.querySelector('header .who small').textContent";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_customer_sees_their_queue_position_fall_as_sessions_ahead_are_taken() {
    let Some(chromium) = browser_or_skip(
        "a_waiting_customer_sees_their_queue_position_fall_as_sessions_ahead_are_taken",
    ) else {
        return;
    };
    let server = start("axum", None).await;
    let base = server.base.clone();
    let rest = Rest {
        base: &base,
        http: reqwest::Client::new(),
    };
    let wid = widget(&rest, json!({})).await;
    let first = customer_started(&base, &wid, "First").await;
    let second = customer_started(&base, &wid, "Second").await;
    let browser = Browser::launch(&chromium).await;
    let page = browser.open(&format!("{base}/demo?widget={wid}")).await;
    page.eval("TmsChat('setVisitor', {name: 'Third'})").await;
    open_widget(&page).await;
    customer_types(&page, "Hello, anyone?").await;
    let says = |n: u32| format!("{WIDGET_STATUS} === 'You are number {n} in the queue'");
    page.wait_for(&says(3), "third in the queue").await;
    for (taken, now) in [(&first, 2), (&second, 1)] {
        rest.call(
            "POST",
            AGENT_TOKEN,
            &format!("/v1/chat/sessions/{taken}/assign"),
            Some(json!({})),
        )
        .await;
        page.wait_for(&says(now), &format!("number {now} in the queue"))
            .await;
    }
}

/// The rows of the queue board's list `name`, as "label|detail" joined by commas.
fn board_rows(name: &str) -> String {
    format!("[...document.querySelectorAll('.{name} li')].map(li => [...li.children].map(c => c.textContent).join('|')).join(',')")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_sees_the_queue_board_and_a_plain_agent_has_no_such_page() {
    let Some(chromium) =
        browser_or_skip("a_supervisor_sees_the_queue_board_and_a_plain_agent_has_no_such_page")
    else {
        return;
    };
    let server = start("axum", None).await;
    let base = server.base.clone();
    let rest = Rest {
        base: &base,
        http: reqwest::Client::new(),
    };
    let wid = widget(&rest, json!({})).await;
    customer_started(&base, &wid, "Wendy Waiting").await;
    started_session(&rest, &wid, "bob@example.com", "Bob", Some("agent-123")).await;
    let browser = Browser::launch(&chromium).await;
    let console = browser.open(&format!("{base}/console")).await;
    console_signs_in(&console, ADMIN_TOKEN).await;
    let queue_link =
        "[...document.querySelectorAll('.topbar nav a')].find(a => a.textContent.endsWith('Queue'))";
    console.wait_for(queue_link, "the Queue link").await;
    console.click_element(queue_link).await;
    console
        .wait_for(
            &format!(
                "{}.startsWith('Wendy Waiting|waiting ')",
                board_rows("queue-waiting")
            ),
            "Wendy waiting on the board",
        )
        .await;
    console
        .wait_for(
            &format!(
                "{}.includes('Sam Agent|Offline · 1/∞')",
                board_rows("queue-agents")
            ),
            "Sam's presence and load",
        )
        .await;

    let plain = browser.open(&format!("{base}/console#/queue")).await;
    console_signs_in(&plain, AGENT_TOKEN).await;
    plain
        .wait_for(
            "document.querySelector('.sessions') && ![...document.querySelectorAll('.topbar nav a')].some(a => a.textContent.endsWith('Queue'))",
            "the sessions page, no Queue link",
        )
        .await;
}
