//! The links the API hands out (embed code, customer join link) and the server's origin, all
//! following the prefix the host mounted the API under.

use crate::protocol::{ApiRequest, ChatApi};

impl ChatApi {
    /// The externally visible URL of the mount point: configured (it then includes any
    /// prefix), or from `Host` / `X-Forwarded-Proto` and the request's mount prefix.
    pub(crate) fn base_url(&self, req: &ApiRequest) -> String {
        if let Some(base) = &self.config().public_base_url {
            return base.trim_end_matches('/').to_owned();
        }
        format!("{}{}", self.server_origin(req), req.mount_prefix)
    }

    /// The server's own origin (`scheme://host[:port]`, no path): of the configured base URL,
    /// or from `Host` / `X-Forwarded-Proto`.
    pub(crate) fn server_origin(&self, req: &ApiRequest) -> String {
        if let Some(base) = &self.config().public_base_url {
            if let Ok(url) = url::Url::parse(base) {
                return url.origin().ascii_serialization();
            }
        }
        let host = req.header("host").unwrap_or("localhost");
        let proto = req.header("x-forwarded-proto").unwrap_or("http");
        let proto = if proto == "https" { "https" } else { "http" };
        format!("{proto}://{host}")
    }

    /// The join link of an agent-started session.
    pub(crate) async fn customer_join_url(
        &self,
        req: &ApiRequest,
        session: &crate::domain::Session,
        token: &str,
    ) -> String {
        let domain = self
            .service()
            .store()
            .get_widget(&session.tenant_id, &session.widget_id)
            .await
            .map(|w| w.domain)
            .unwrap_or_default();
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        self.config()
            .customer_join_url_template
            .replace("{base}", &self.base_url(req))
            .replace("{domain}", &domain)
            .replace("{widget_id}", &enc(session.widget_id.as_str()))
            .replace("{token}", &enc(token))
    }
}
