//! The customer widget's script as the library ships it: the helpers the widget shares with the
//! agent console (the ES modules of `widget/shared/`, see `console`) followed by
//! `widget/chat-widget.js`, all inside one function scope so no helper becomes a global of the
//! host's page. The embed snippet loads the widget as a classic script, which cannot `export`,
//! so each shared line that starts with `export ` loses that keyword: the one difference
//! between a helper as the console imports it and as the widget runs it. Shared modules import
//! nothing, so nothing else needs rewriting.

use super::console::shared_sources;

/// The widget's own code.
const WIDGET_BODY: &str = include_str!("../../../widget/chat-widget.js");

/// The widget script to serve at `chat-widget.js` (for [`super::ApiConfig::widget_script`]).
pub fn bundled_widget_script() -> String {
    let mut script = String::from("/*! TMS Chat customer widget */\n(() => {\n");
    for source in shared_sources() {
        for line in source.lines() {
            script.push_str(line.strip_prefix("export ").unwrap_or(line));
            script.push('\n');
        }
    }
    script.push_str(WIDGET_BODY);
    script.push_str("\n})();\n");
    script
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_is_a_classic_script_with_the_shared_helpers_in_its_own_scope() {
        let script = bundled_widget_script();
        assert!(script.starts_with("/*! TMS Chat customer widget */\n(() => {\n"));
        assert!(script.ends_with("\n})();\n"));
        for line in script.lines() {
            assert!(!line.starts_with("export "), "an ES export is left: {line}");
            assert!(!line.starts_with("import "), "an ES import is left: {line}");
        }
        assert!(script.contains("\nfunction createElement(tag, attributes, children) {"));
        assert!(script.contains("\nasync function requestJson(url, call) {"));
        assert!(script.contains(WIDGET_BODY));
    }

    #[test]
    fn shared_modules_import_nothing_so_the_bundle_needs_no_module_loader() {
        for source in shared_sources() {
            assert!(!source.lines().any(|line| line.starts_with("import ")));
        }
    }
}
