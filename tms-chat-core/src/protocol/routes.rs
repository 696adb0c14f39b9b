//! The route table: every path the API answers, the methods each takes and the endpoint
//! each method reaches. The router's 404 and 405 answers (with `Allow`), the socket paths
//! adapters upgrade and the body limit adapters apply before reading all derive from it.
//! Paths are matched with `matchit` after empty segments are dropped (`/v1//chat/` is
//! `/v1/chat`).

use std::sync::LazyLock;

/// Who a route serves, which decides authentication and CORS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Area {
    /// Probes, the widget script and the console: no authentication.
    Open,
    /// `/v1/chat/...`: the host's agent authentication.
    Agent,
    /// `/v1/chat/public/widgets/{widget}/...`: the widget's origin rules, CORS, customer tokens.
    Public,
}

/// One endpoint of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)] // The names are the routes below.
pub(crate) enum Endpoint {
    Healthz,
    Readyz,
    WidgetScript,
    Console,
    ConsoleFile,
    SharedFile,
    AgentSocket,
    ListSessions,
    StartSession,
    GetSession,
    History,
    SendMessage,
    Assign,
    Transfer,
    End,
    ListNotes,
    AddNote,
    CustomerContext,
    Typing,
    MarkRead,
    CreateTicket,
    Upload,
    Download,
    ListCanned,
    CreateCanned,
    UpdateCanned,
    DeleteCanned,
    ListWidgets,
    CreateWidget,
    GetWidget,
    UpdateWidget,
    DeleteWidget,
    EmbedCode,
    Me,
    SetPresence,
    ListAgents,
    ListDepartments,
    Queue,
    SocketTicket,
    AuditLog,
    EraseCustomer,
    ExportCustomer,
    PublicConfig,
    PublicStartSession,
    PublicContact,
    PublicGetSession,
    PublicUpdateVisitor,
    PublicHistory,
    PublicSendMessage,
    PublicUpload,
    PublicTyping,
    PublicMarkRead,
    PublicEnd,
    PublicDownload,
    CustomerSocket,
}

impl Endpoint {
    /// Whether the body is a file (up to the upload limit) rather than JSON.
    pub(crate) fn takes_upload(self) -> bool {
        matches!(self, Endpoint::Upload | Endpoint::PublicUpload)
    }

    /// Whether this is one of the console's files, or a helper module it shares with the
    /// widget (served when the API serves the console).
    pub(crate) fn is_console(self) -> bool {
        matches!(
            self,
            Endpoint::Console | Endpoint::ConsoleFile | Endpoint::SharedFile
        )
    }

    /// Whether this is a WebSocket endpoint (adapters upgrade it).
    pub(crate) fn is_socket(self) -> bool {
        matches!(self, Endpoint::AgentSocket | Endpoint::CustomerSocket)
    }
}

/// A path and what each of its methods reaches.
struct Route {
    pattern: &'static str,
    area: Area,
    methods: &'static [(&'static str, Endpoint)],
}

const fn route(
    pattern: &'static str,
    area: Area,
    methods: &'static [(&'static str, Endpoint)],
) -> Route {
    Route {
        pattern,
        area,
        methods,
    }
}

use Area::{Agent, Open, Public};
use Endpoint as E;

/// Every route. Path parameters are `{id}` (the resource) and `{widget}`.
#[rustfmt::skip]
const ROUTES: &[Route] = &[
    route("/healthz", Open, &[("GET", E::Healthz)]),
    route("/readyz", Open, &[("GET", E::Readyz)]),
    route("/chat-widget.js", Open, &[("GET", E::WidgetScript)]),
    route("/console", Open, &[("GET", E::Console), ("HEAD", E::Console)]),
    route("/console/{id}", Open, &[("GET", E::ConsoleFile), ("HEAD", E::ConsoleFile)]),
    route("/shared/{id}", Open, &[("GET", E::SharedFile), ("HEAD", E::SharedFile)]),
    route("/v1/chat/ws", Agent, &[("GET", E::AgentSocket)]),
    route("/v1/chat/sessions", Agent, &[("GET", E::ListSessions), ("POST", E::StartSession)]),
    route("/v1/chat/sessions/{id}", Agent, &[("GET", E::GetSession)]),
    route("/v1/chat/sessions/{id}/messages", Agent, &[("GET", E::History), ("POST", E::SendMessage)]),
    route("/v1/chat/sessions/{id}/assign", Agent, &[("POST", E::Assign)]),
    route("/v1/chat/sessions/{id}/transfer", Agent, &[("POST", E::Transfer)]),
    route("/v1/chat/sessions/{id}/end", Agent, &[("POST", E::End)]),
    route("/v1/chat/sessions/{id}/notes", Agent, &[("GET", E::ListNotes), ("POST", E::AddNote)]),
    route("/v1/chat/sessions/{id}/customer", Agent, &[("GET", E::CustomerContext)]),
    route("/v1/chat/sessions/{id}/typing", Agent, &[("POST", E::Typing)]),
    route("/v1/chat/sessions/{id}/read", Agent, &[("POST", E::MarkRead)]),
    route("/v1/chat/sessions/{id}/ticket", Agent, &[("POST", E::CreateTicket)]),
    route("/v1/chat/sessions/{id}/attachments", Agent, &[("POST", E::Upload)]),
    route("/v1/chat/attachments/{id}", Agent, &[("GET", E::Download)]),
    route("/v1/chat/canned-responses", Agent, &[("GET", E::ListCanned), ("POST", E::CreateCanned)]),
    route("/v1/chat/canned-responses/{id}", Agent, &[("PUT", E::UpdateCanned), ("DELETE", E::DeleteCanned)]),
    route("/v1/chat/audit", Agent, &[("GET", E::AuditLog)]),
    route("/v1/chat/customers/erase", Agent, &[("POST", E::EraseCustomer)]),
    route("/v1/chat/customers/export", Agent, &[("GET", E::ExportCustomer)]),
    route("/v1/chat/widgets", Agent, &[("GET", E::ListWidgets), ("POST", E::CreateWidget)]),
    route("/v1/chat/widgets/{id}", Agent, &[("GET", E::GetWidget), ("PUT", E::UpdateWidget), ("DELETE", E::DeleteWidget)]),
    route("/v1/chat/widgets/{id}/embed", Agent, &[("GET", E::EmbedCode)]),
    route("/v1/chat/me", Agent, &[("GET", E::Me)]),
    route("/v1/chat/me/presence", Agent, &[("PUT", E::SetPresence)]),
    route("/v1/chat/agents", Agent, &[("GET", E::ListAgents)]),
    route("/v1/chat/departments", Agent, &[("GET", E::ListDepartments)]),
    route("/v1/chat/queue", Agent, &[("GET", E::Queue)]),
    route("/v1/chat/ws-ticket", Agent, &[("POST", E::SocketTicket)]),
    route("/v1/chat/public/widgets/{widget}", Public, &[("GET", E::PublicConfig)]),
    route("/v1/chat/public/widgets/{widget}/sessions", Public, &[("POST", E::PublicStartSession)]),
    route("/v1/chat/public/widgets/{widget}/contact", Public, &[("POST", E::PublicContact)]),
    route("/v1/chat/public/widgets/{widget}/session", Public, &[("GET", E::PublicGetSession), ("PATCH", E::PublicUpdateVisitor)]),
    route("/v1/chat/public/widgets/{widget}/session/messages", Public, &[("GET", E::PublicHistory), ("POST", E::PublicSendMessage)]),
    route("/v1/chat/public/widgets/{widget}/session/attachments", Public, &[("POST", E::PublicUpload)]),
    route("/v1/chat/public/widgets/{widget}/session/typing", Public, &[("POST", E::PublicTyping)]),
    route("/v1/chat/public/widgets/{widget}/session/read", Public, &[("POST", E::PublicMarkRead)]),
    route("/v1/chat/public/widgets/{widget}/session/end", Public, &[("POST", E::PublicEnd)]),
    route("/v1/chat/public/widgets/{widget}/attachments/{id}", Public, &[("GET", E::PublicDownload)]),
    route("/v1/chat/public/widgets/{widget}/ws", Public, &[("GET", E::CustomerSocket)]),
];

static MATCHER: LazyLock<matchit::Router<&'static Route>> = LazyLock::new(|| {
    let mut router = matchit::Router::new();
    for route in ROUTES {
        if let Err(e) = router.insert(route.pattern, route) {
            // The table is a constant: a bad pattern fails every test at once.
            unreachable!("route table: {}: {e}", route.pattern);
        }
    }
    router
});

/// A path with its empty segments dropped: `/` plus the segments joined by `/`.
pub(crate) fn normalize(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(segment);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// A request's route.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Matched<'p> {
    /// The endpoint.
    pub(crate) endpoint: Endpoint,
    /// Who it serves.
    pub(crate) area: Area,
    /// The `{id}` segment, if the path has one.
    pub(crate) id: Option<&'p str>,
    /// The `{widget}` segment of public paths.
    pub(crate) widget: Option<&'p str>,
}

/// What the table says of a method and a (normalised) path.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Lookup<'p> {
    /// A route takes this method on this path.
    Found(Matched<'p>),
    /// The path exists; the method does not (`allow` lists those it takes).
    WrongMethod {
        area: Area,
        widget: Option<&'p str>,
        allow: String,
    },
    /// No such path.
    NotFound,
}

/// Looks up `method` on a normalised `path`.
pub(crate) fn lookup<'p>(method: &str, path: &'p str) -> Lookup<'p> {
    let Ok(found) = MATCHER.at(path) else {
        return Lookup::NotFound;
    };
    let route = *found.value;
    let widget = found.params.get("widget");
    match route
        .methods
        .iter()
        .find(|(m, _)| m.eq_ignore_ascii_case(method))
    {
        Some((_, endpoint)) => Lookup::Found(Matched {
            endpoint: *endpoint,
            area: route.area,
            id: found.params.get("id"),
            widget,
        }),
        None => Lookup::WrongMethod {
            area: route.area,
            widget,
            allow: route
                .methods
                .iter()
                .map(|(m, _)| *m)
                .collect::<Vec<_>>()
                .join(", "),
        },
    }
}

/// The endpoint `method path` reaches, if any (`path` need not be normalised).
pub(crate) fn endpoint_of(method: &str, path: &str) -> Option<Endpoint> {
    match lookup(method, &normalize(path)) {
        Lookup::Found(matched) => Some(matched.endpoint),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_is_accepted_and_reaches_its_endpoints() {
        for route in ROUTES {
            let path = route
                .pattern
                .replace("{widget}", "wgt_1")
                .replace("{id}", "x_1");
            for (method, endpoint) in route.methods {
                assert_eq!(
                    endpoint_of(method, &path),
                    Some(*endpoint),
                    "{method} {path}"
                );
            }
        }
    }

    #[test]
    fn the_allowed_methods_come_from_the_table() {
        let Lookup::WrongMethod { allow, area, .. } = lookup("DELETE", "/v1/chat/sessions") else {
            panic!("a known path with another method is a wrong method");
        };
        assert_eq!((allow.as_str(), area), ("GET, POST", Area::Agent));
        assert_eq!(lookup("GET", "/v1/chat/nothing"), Lookup::NotFound);
    }

    #[test]
    fn parameters_and_empty_segments() {
        let path = normalize("//v1/chat/public/widgets/wgt_9/attachments/att_2/");
        assert_eq!(path, "/v1/chat/public/widgets/wgt_9/attachments/att_2");
        let Lookup::Found(matched) = lookup("GET", &path) else {
            panic!("the download route matches");
        };
        assert_eq!(matched.widget, Some("wgt_9"));
        assert_eq!(matched.id, Some("att_2"));
        assert_eq!(normalize(""), "/");
    }

    #[test]
    fn uploads_and_sockets_are_marked() {
        assert!(endpoint_of("POST", "/v1/chat/sessions/s/attachments")
            .is_some_and(Endpoint::takes_upload));
        assert!(!endpoint_of("POST", "/v1/chat/sessions/s/messages")
            .is_some_and(Endpoint::takes_upload));
        assert!(endpoint_of("GET", "/v1/chat/public/widgets/w/ws").is_some_and(Endpoint::is_socket));
        assert_eq!(
            endpoint_of("GET", "/v1/chat/public/widgets/ws"),
            Some(Endpoint::PublicConfig)
        );
    }
}
