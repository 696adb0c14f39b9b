//! The customer widget's script as the library ships it: the helpers the widget shares with the
//! agent console (the ES modules of `widget/shared/`, see `console`) followed by
//! `widget/chat-widget.js`, all inside one function scope so no helper becomes a global of the
//! host's page. The embed snippet loads the widget as a classic script, which cannot `export`,
//! so each shared line that starts with `export ` loses that keyword: the one difference
//! between a helper as the console imports it and as the widget runs it. Shared modules import
//! nothing, so nothing else needs rewriting.
//!
//! The sources are written to be read (JSDoc types for `tsc --checkJs`, comments that explain);
//! browsers need none of it, so the bundle leaves out every line that is only a comment: a
//! `// …` line and a `/* … */` block that starts a line (with the code after its `*/`, if any,
//! kept). `/*!` notices stay, and a comment after code on a line stays. This keeps the served
//! script inside its size budget (docs/performance.md) without writing the source dense.

use super::console::shared_sources;

/// The widget's own code.
const WIDGET_BODY: &str = include_str!("../../../widget/chat-widget.js");

/// The widget script to serve at `chat-widget.js` (for [`super::ApiConfig::widget_script`]).
pub fn bundled_widget_script() -> String {
    let mut script = String::from("/*! TMS Chat customer widget */\n(() => {\n");
    for source in shared_sources() {
        for line in code_lines(source) {
            script.push_str(line.strip_prefix("export ").unwrap_or(&line));
            script.push('\n');
        }
    }
    for line in code_lines(WIDGET_BODY) {
        script.push_str(&line);
        script.push('\n');
    }
    script.push_str("})();\n");
    script
}

/// The lines of `source` that are not only a comment (see the module doc).
fn code_lines(source: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_block = false;
    for line in source.lines() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let rest = if in_block {
            trimmed
        } else if trimmed.starts_with("//") {
            continue;
        } else if trimmed.starts_with("/*") && !trimmed.starts_with("/*!") {
            in_block = true;
            &trimmed[2..]
        } else {
            lines.push(line.to_owned());
            continue;
        };
        if let Some((_comment, after)) = rest.split_once("*/") {
            in_block = false;
            if !after.trim().is_empty() {
                lines.push(format!("{indent}{}", after.trim()));
            }
        }
    }
    lines
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
        assert!(script.contains("window.TmsChat = tmsChat;"));
        assert!(!script.contains("@ts-check") && !script.contains("@typedef"));
    }

    #[test]
    fn comment_lines_are_left_out_and_code_after_a_comment_stays() {
        let source = "// @ts-check\n/*! notice */\n/**\n * @typedef {string} Id\n */\nconst a = 1; // one\n  /** @type {X} */ (x).focus();\n  /* two\n     lines */ b();\nconst url = 'http://x';\n";
        assert_eq!(
            code_lines(source),
            vec![
                "/*! notice */",
                "const a = 1; // one",
                "  (x).focus();",
                "     b();",
                "const url = 'http://x';",
            ]
        );
    }

    #[test]
    fn shared_modules_import_nothing_so_the_bundle_needs_no_module_loader() {
        for source in shared_sources() {
            assert!(!source.lines().any(|line| line.starts_with("import ")));
        }
    }
}
