//! The embed snippet a widget's owner pastes into their site: exactly the usage guide's loader
//! (a `TmsChat` queue stub that loads `/chat-widget.js`), then `TmsChat('init', …)`.

/// The embed code for a widget, loading the script from `script_url`.
pub fn embed_snippet(script_url: &str, widget_id: &str, domain: &str) -> String {
    let js = |s: &str| {
        serde_json::to_string(s)
            .unwrap_or_else(|_| "\"\"".to_owned())
            .replace("</", "<\\/")
    };
    format!(
        r#"<!-- TMS Chat: add before closing </body> tag -->
<script>
  (function(w,d,s,o,f,js,fjs){{
    w[o]=w[o]||function(){{(w[o].q=w[o].q||[]).push(arguments)}};
    js=d.createElement(s),fjs=d.getElementsByTagName(s)[0];
    js.id=o;js.src=f;js.async=1;fjs.parentNode.insertBefore(js,fjs);
  }}(window,document,'script','TmsChat',{script}));

  TmsChat('init', {{
    widgetId: {widget},
    domain: {domain}
  }});
</script>"#,
        script = js(script_url),
        widget = js(widget_id),
        domain = js(domain),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_has_loader_and_init_with_escaped_values() {
        let s = embed_snippet(
            "https://chat.example.com/chat-widget.js",
            "wgt_1",
            "shop.example.com",
        );
        assert!(s.contains("'TmsChat',\"https://chat.example.com/chat-widget.js\""));
        assert!(s.contains("widgetId: \"wgt_1\""));
        assert!(s.contains("domain: \"shop.example.com\""));
        let evil = embed_snippet("x", "a\"</script><script>alert(1)", "d");
        assert!(!evil.contains("</script><script>"));
    }
}
