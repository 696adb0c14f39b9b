//! The committed TypeScript declarations of the wire protocol (`widget/types/protocol.d.ts`)
//! are exactly what the Rust types render today. With `TMS_CHAT_BLESS=1` the test rewrites
//! the file instead of failing.

use std::path::PathBuf;
use tms_chat_core::protocol::typescript::declarations;

fn committed_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../widget/types/protocol.d.ts")
}

#[test]
fn the_committed_protocol_declarations_match_the_rust_types() {
    let rendered = declarations();
    let path = committed_file();
    if std::env::var_os("TMS_CHAT_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &rendered).expect("write widget/types/protocol.d.ts");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != rendered {
        let line = committed
            .lines()
            .zip(rendered.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(rendered.lines().count()));
        panic!(
            "widget/types/protocol.d.ts is stale (first difference at line {}): the wire types \
             changed. Regenerate it with `TMS_CHAT_BLESS=1 cargo test -p tms-chat-core --test \
             typescript` and commit the result.",
            line + 1
        );
    }
}
