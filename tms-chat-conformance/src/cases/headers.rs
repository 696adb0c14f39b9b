//! Browser-facing headers of the console pages (docs/security.md).

use super::*;

/// The console's page and files carry a Content-Security-Policy without inline script or
/// style, `frame-ancestors` limited to the server itself (configurable), and
/// `Referrer-Policy: no-referrer`.
pub async fn console_pages_send_a_strict_csp_and_no_referrer(f: &Fixture) {
    for path in ["/console/", "/console/console.js"] {
        let reply = f.send(f.http.get(f.url(path))).await;
        reply.expect_status(200);
        let csp = reply.header("content-security-policy").unwrap_or_default();
        for directive in [
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'self'",
        ] {
            assert!(csp.contains(directive), "{path}: `{directive}` in {csp}");
        }
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert_eq!(
            reply.header("referrer-policy"),
            Some("no-referrer"),
            "{path}"
        );
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    }
    let framed = f
        .with_config(|c| c.console_frame_ancestors = "'self' https://tms.example.com".to_owned())
        .await;
    let reply = framed.send(framed.http.get(framed.url("/console/"))).await;
    let csp = reply.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.ends_with("frame-ancestors 'self' https://tms.example.com"),
        "{csp}"
    );
}
