//! A minimal Chrome DevTools Protocol client for browser tests: launches headless Chromium,
//! opens pages, evaluates JavaScript, sends real key events and takes screenshots. Built on
//! tokio-tungstenite (already a dependency), so the tests need no WebDriver.

#![allow(dead_code)]

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

/// The Chromium binary to use, or `None` (with the reason) when there is none.
pub(crate) fn chromium_binary() -> Result<String, String> {
    if let Ok(path) = std::env::var("TMS_CHAT_CHROMIUM") {
        if !path.is_empty() {
            if std::path::Path::new(&path).exists() {
                return Ok(path);
            }
            return Err(format!("TMS_CHAT_CHROMIUM={path} does not exist"));
        }
    }
    for candidate in [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ] {
        if std::path::Path::new(candidate).exists() {
            return Ok(candidate.to_owned());
        }
    }
    Err("Chromium not installed".to_owned())
}

/// A running headless Chromium.
pub(crate) struct Browser {
    child: Child,
    port: u16,
    _profile: TempProfile,
}

struct TempProfile(std::path::PathBuf);

impl Drop for TempProfile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    /// Starts Chromium headless with a fresh profile.
    pub(crate) async fn launch(binary: &str) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let profile =
            std::env::temp_dir().join(format!("tms-chat-chromium-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&profile).unwrap();
        let child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-quic",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1280,900",
                &format!("--remote-debugging-port={port}"),
                &format!("--user-data-dir={}", profile.display()),
                "about:blank",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium starts");
        let browser = Browser {
            child,
            port,
            _profile: TempProfile(profile),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if reqwest::get(format!("http://127.0.0.1:{port}/json/version"))
                .await
                .is_ok()
            {
                return browser;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromium did not open its debugging port");
    }

    /// Opens a new tab at `url`.
    pub(crate) async fn open(&self, url: &str) -> Page {
        let target: Value = reqwest::Client::new()
            .put(format!(
                "http://127.0.0.1:{}/json/new?about:blank",
                self.port
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let ws_url = target["webSocketDebuggerUrl"].as_str().unwrap().to_owned();
        let page = Page::connect(&ws_url).await;
        page.call("Page.enable", json!({})).await;
        page.call("Runtime.enable", json!({})).await;
        page.navigate(url).await;
        page
    }
}

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Value>>>>;

/// One tab.
pub(crate) struct Page {
    out: mpsc::UnboundedSender<Message>,
    pending: Pending,
    next_id: AtomicU64,
    /// Console messages (`type: text`) the page logged.
    pub console: Arc<Mutex<Vec<String>>>,
    /// JavaScript dialogs (alert/confirm) the page tried to open.
    pub dialogs: Arc<Mutex<Vec<String>>>,
}

impl Page {
    async fn connect(ws_url: &str) -> Page {
        let (ws, _) = tokio_tungstenite::connect_async(ws_url).await.unwrap();
        let (mut sink, mut stream) = ws.split();
        let (out, mut out_rx) = mpsc::unbounded_channel::<Message>();
        tokio::spawn(async move {
            while let Some(m) = out_rx.recv().await {
                if sink.send(m).await.is_err() {
                    break;
                }
            }
        });
        let pending: Pending = Arc::default();
        let console: Arc<Mutex<Vec<String>>> = Arc::default();
        let dialogs: Arc<Mutex<Vec<String>>> = Arc::default();
        let (p, c, d, o) = (
            pending.clone(),
            console.clone(),
            dialogs.clone(),
            out.clone(),
        );
        tokio::spawn(async move {
            while let Some(Ok(msg)) = stream.next().await {
                let Message::Text(text) = msg else { continue };
                let Ok(v) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                if let Some(id) = v["id"].as_u64() {
                    if let Some(tx) = p.lock().unwrap().remove(&id) {
                        let _ = tx.send(v);
                    }
                } else if v["method"] == "Runtime.consoleAPICalled" {
                    let args: Vec<String> = v["params"]["args"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|x| {
                                    x["value"]
                                        .as_str()
                                        .map(str::to_owned)
                                        .unwrap_or_else(|| x["description"].to_string())
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    c.lock().unwrap().push(format!(
                        "{}: {}",
                        v["params"]["type"].as_str().unwrap_or(""),
                        args.join(" ")
                    ));
                } else if v["method"] == "Page.javascriptDialogOpening" {
                    d.lock()
                        .unwrap()
                        .push(v["params"]["message"].as_str().unwrap_or("").to_owned());
                    let _ = o.send(Message::text(json!({"id": 999_999_999u64, "method": "Page.handleJavaScriptDialog", "params": {"accept": true}}).to_string()));
                }
            }
        });
        Page {
            out,
            pending,
            next_id: AtomicU64::new(1),
            console,
            dialogs,
        }
    }

    /// Sends a CDP command and waits for its result.
    pub(crate) async fn call(&self, method: &str, params: Value) -> Value {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        self.out
            .send(Message::text(
                json!({"id": id, "method": method, "params": params}).to_string(),
            ))
            .unwrap();
        let reply = tokio::time::timeout(Duration::from_secs(30), rx)
            .await
            .unwrap_or_else(|_| panic!("CDP {method} timed out"))
            .unwrap();
        if reply.get("error").is_some() {
            panic!("CDP {method} failed: {}", reply["error"]);
        }
        reply["result"].clone()
    }

    /// Navigates and waits for the load event (approximately: until `document.readyState`
    /// is complete).
    pub(crate) async fn navigate(&self, url: &str) {
        self.call("Page.navigate", json!({"url": url})).await;
        self.wait_for("document.readyState === 'complete'", "page load")
            .await;
    }

    /// Reloads the page.
    pub(crate) async fn reload(&self) {
        self.call("Page.reload", json!({})).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.wait_for("document.readyState === 'complete'", "page reload")
            .await;
    }

    /// Evaluates an expression (awaiting promises) and returns its JSON value.
    pub(crate) async fn eval(&self, expression: &str) -> Value {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true, "awaitPromise": true, "userGesture": true}),
            )
            .await;
        if let Some(ex) = r.get("exceptionDetails") {
            panic!("script failed: {expression}\n{ex}");
        }
        r["result"]["value"].clone()
    }

    /// Waits until `condition` (a JS expression) is truthy.
    pub(crate) async fn wait_for(&self, condition: &str, what: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let r = self
                .call("Runtime.evaluate", json!({"expression": format!("(() => {{ try {{ return ({condition}); }} catch (e) {{ return null; }} }})()"), "returnByValue": true}))
                .await;
            let v = r["result"]["value"].clone();
            if !(v.is_null() || v == json!(false) || v == json!(0) || v == json!("")) {
                return v;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}: {condition}\nconsole: {:?}",
                    self.console.lock().unwrap()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types text into the focused element (as an IME commit: fires input events).
    pub(crate) async fn insert_text(&self, text: &str) {
        self.call("Input.insertText", json!({"text": text})).await;
    }

    /// Presses a key (`Enter`, `Tab`, `Escape`, ` `, `ArrowDown`), optionally with Shift.
    pub(crate) async fn press(&self, key: &str, shift: bool) {
        let (code, vk, text) = match key {
            "Enter" => ("Enter", 13, "\r"),
            "Tab" => ("Tab", 9, ""),
            "Escape" => ("Escape", 27, ""),
            " " => ("Space", 32, " "),
            "ArrowDown" => ("ArrowDown", 40, ""),
            _ => panic!("unsupported key {key}"),
        };
        let modifiers = if shift { 8 } else { 0 };
        let mut down = json!({"type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk, "modifiers": modifiers});
        if !text.is_empty() {
            down["text"] = json!(text);
            down["unmodifiedText"] = json!(text);
        }
        self.call("Input.dispatchKeyEvent", down).await;
        self.call("Input.dispatchKeyEvent", json!({"type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk, "modifiers": modifiers}))
            .await;
    }

    /// Runs `source` in every document this page loads from now on, before the page's scripts.
    pub(crate) async fn add_script_on_load(&self, source: &str) {
        self.call(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": source}),
        )
        .await;
    }

    /// A real mouse click (press and release of the left button) at `x`, `y` of the viewport.
    pub(crate) async fn click_at(&self, x: f64, y: f64) {
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            )
            .await;
        }
    }

    /// A real click in the middle of the element `expression` evaluates to (scrolled into view).
    pub(crate) async fn click_element(&self, expression: &str) {
        let centre = self
            .eval(&format!(
                "(() => {{ const e = {expression}; e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
            ))
            .await;
        self.click_at(centre[0].as_f64().unwrap(), centre[1].as_f64().unwrap())
            .await;
    }

    /// Presses `key` (a `KeyboardEvent.key`: a character, `ArrowDown`, `ArrowUp`, `Tab`, …) with
    /// `modifiers` (the DevTools bits: Alt 1, Ctrl 2, Meta 4, Shift 8).
    pub(crate) async fn press_key(&self, key: &str, modifiers: u8) {
        let (code, vk, text): (String, u32, String) = match key {
            "ArrowDown" => ("ArrowDown".into(), 40, String::new()),
            "ArrowUp" => ("ArrowUp".into(), 38, String::new()),
            "Tab" => ("Tab".into(), 9, String::new()),
            "Enter" => ("Enter".into(), 13, "\r".into()),
            "Escape" => ("Escape".into(), 27, String::new()),
            "Backspace" => ("Backspace".into(), 8, String::new()),
            "/" => ("Slash".into(), 191, "/".into()),
            "?" => ("Slash".into(), 191, "?".into()),
            _ if key.len() == 1 && key.chars().all(|c| c.is_ascii_digit()) => (
                format!("Digit{key}"),
                u32::from(key.as_bytes()[0]),
                key.into(),
            ),
            _ if key.len() == 1 && key.chars().all(|c| c.is_ascii_alphabetic()) => {
                let upper = key.to_ascii_uppercase();
                (
                    format!("Key{upper}"),
                    u32::from(upper.as_bytes()[0]),
                    key.into(),
                )
            }
            _ => panic!("unsupported key {key}"),
        };
        // A key with Alt, Ctrl or Meta types no text.
        let typed = modifiers & 0b0111 == 0 && !text.is_empty();
        let mut down = json!({"type": if typed { "keyDown" } else { "rawKeyDown" }, "key": key, "code": code, "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk, "modifiers": modifiers});
        if typed {
            down["text"] = json!(text);
            down["unmodifiedText"] = json!(text);
        }
        self.call("Input.dispatchKeyEvent", down).await;
        self.call("Input.dispatchKeyEvent", json!({"type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk, "modifiers": modifiers}))
            .await;
    }

    /// Puts `path` into the file input the expression evaluates to, firing its change event.
    pub(crate) async fn set_file(&self, input_expression: &str, path: &std::path::Path) {
        let r = self
            .call("Runtime.evaluate", json!({"expression": input_expression}))
            .await;
        let object_id = r["result"]["objectId"]
            .as_str()
            .expect("a file input")
            .to_owned();
        self.call(
            "DOM.setFileInputFiles",
            json!({"files": [path.to_str().unwrap()], "objectId": object_id}),
        )
        .await;
    }

    /// Saves a PNG screenshot of the viewport.
    pub(crate) async fn screenshot(&self, path: &std::path::Path) {
        let r = self
            .call("Page.captureScreenshot", json!({"format": "png"}))
            .await;
        let data = r["data"].as_str().unwrap();
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, bytes).unwrap();
    }

    /// Sets the viewport size.
    pub(crate) async fn viewport(&self, width: u32, height: u32) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        )
        .await;
    }
}
