//! Who is acting. Agents are authenticated by the host through [`AgentAuthenticator`] (it sees
//! the request's headers, cookies and query); customers hold the token of one session.

use crate::domain::Agent;
use crate::error::ChatResult;
use crate::ids::{SessionId, TenantId, WidgetId};
use async_trait::async_trait;

/// The parts of an HTTP request an authenticator may look at, framework-neutral.
#[derive(Clone, Debug, Default)]
pub struct RequestParts {
    /// Header name (lowercase) and value pairs.
    pub headers: Vec<(String, String)>,
    /// The raw query string, without `?`.
    pub query: String,
}

impl RequestParts {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The bearer token of the `Authorization` header.
    pub fn bearer_token(&self) -> Option<&str> {
        let value = self.header("authorization")?.trim();
        let (scheme, token) = value.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim())
            .filter(|t| !t.is_empty())
    }

    /// A cookie's value.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("cookie"))
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// A query parameter's (percent-decoded) value.
    pub fn query_param(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// The host's agent sign-in. Return `Err(ChatError::Unauthorized)` for missing or wrong
/// credentials and `Err(ChatError::Forbidden(..))` for a known user without chat access.
#[async_trait]
pub trait AgentAuthenticator: Send + Sync + 'static {
    /// Identifies the agent behind a request.
    async fn authenticate(&self, request: &RequestParts) -> ChatResult<Agent>;

    /// Whether the host still accepts `agent`, who signed in earlier: asked for each open
    /// agent socket every `ApiConfig::agent_recheck_interval` (30 s by default) and when a
    /// one-time socket ticket is redeemed. Answer the agent as the host knows them now (new
    /// roles or projects apply to the socket from then on), `Err(ChatError::Unauthorized)`
    /// or `Err(ChatError::Forbidden(..))` when the host stopped accepting them (signed out,
    /// removed, lost chat access): their sockets then close (`docs/security.md`). Any other
    /// error (the host's directory is down) keeps the socket open and is asked again at the
    /// next interval.
    ///
    /// The default accepts every agent: a host that does not implement it revokes with
    /// `ChatApi::revoke_agent`.
    async fn recheck(&self, agent: &Agent) -> ChatResult<Agent> {
        Ok(agent.clone())
    }
}

/// A customer holding a valid token for one session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerPrincipal {
    /// The session's tenant.
    pub tenant_id: TenantId,
    /// The one session this customer may reach.
    pub session_id: SessionId,
    /// The session's widget.
    pub widget_id: WidgetId,
}

/// The acting principal of a service call.
#[derive(Clone, Copy, Debug)]
pub enum Actor<'a> {
    /// An authenticated agent.
    Agent(&'a Agent),
    /// A customer with a session token.
    Customer(&'a CustomerPrincipal),
}

impl Actor<'_> {
    /// The actor's tenant.
    pub fn tenant_id(&self) -> &TenantId {
        match self {
            Actor::Agent(a) => &a.tenant_id,
            Actor::Customer(c) => &c.tenant_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_cookie_and_query_are_read() {
        let parts = RequestParts {
            headers: vec![
                ("Authorization".into(), "Bearer  abc ".into()),
                ("cookie".into(), "a=1; tms=xyz".into()),
            ],
            query: "ticket=t%201&x=2".into(),
        };
        assert_eq!(parts.bearer_token(), Some("abc"));
        assert_eq!(parts.cookie("tms"), Some("xyz"));
        assert_eq!(parts.query_param("ticket").as_deref(), Some("t 1"));
        let basic = RequestParts {
            headers: vec![("authorization".into(), "Basic abc".into())],
            query: String::new(),
        };
        assert_eq!(basic.bearer_token(), None);
    }
}
