//! The agent REST endpoints (`/v1/chat/...`), bearer-authenticated by the host's
//! authenticator, grouped by resource: `sessions` (list, start, read, assign, transfer, end,
//! customer context, ticket), `conversation` (messages, notes, typing, read markers),
//! `attachments` (upload, download), `canned` (quick responses), `widgets` (settings, embed
//! code), `team` (me, presence, agents, departments,
//! the queue board, socket tickets) and `audit` (the audit log, a customer's export and
//! erasure). Which endpoint a request reaches is decided
//! by the route table (`routes`); this module authenticates and calls the handler.

mod attachments;
mod audit;
mod canned;
mod conversation;
mod sessions;
mod team;
mod widgets;

pub(crate) use attachments::{file_response, upload_from};

use super::body::{json_body, Query};
use super::errors::error_response;
use super::routes::{Endpoint, Matched};
use super::{ApiRequest, ApiResponse, ChatApi};
use crate::auth::Actor;
use crate::domain::Agent;
use crate::error::{ChatError, ChatResult};
use crate::service::ChatService;
use crate::store::{HistoryQuery, MAX_PAGE_SIZE};
use serde::de::DeserializeOwned;

/// One authenticated agent request and its route's `{id}`.
pub(super) struct AgentCall<'r> {
    api: &'r ChatApi,
    req: &'r ApiRequest,
    agent: &'r Agent,
    id: &'r str,
}

impl<'r> AgentCall<'r> {
    fn service(&self) -> &'r ChatService {
        self.api.service()
    }

    fn actor(&self) -> Actor<'r> {
        Actor::Agent(self.agent)
    }

    /// The route's `{id}` as the id type of its resource.
    fn id<T: From<&'r str>>(&self) -> T {
        T::from(self.id)
    }

    /// The JSON body, up to the JSON limit.
    fn json<T: DeserializeOwned>(&self) -> ChatResult<T> {
        json_body(self.req, self.api.config().max_json_body_bytes)
    }

    fn query(&self) -> Query {
        Query::parse(&self.req.query)
    }
}

/// Authenticates the agent, then answers the endpoint.
pub(crate) async fn handle(api: &ChatApi, req: &ApiRequest, route: &Matched<'_>) -> ApiResponse {
    let agent = match &req.admitted_agent {
        Some(agent) => std::sync::Arc::clone(agent),
        None => match api.inner.agents.authenticate(&req.parts()).await {
            Ok(agent) => std::sync::Arc::new(agent),
            Err(e) => return error_response(&e),
        },
    };
    let call = AgentCall {
        api,
        req,
        agent: &agent,
        id: route.id.unwrap_or_default(),
    };
    match answer(&call, route.endpoint).await {
        Ok(response) => response,
        Err(e) => error_response(&e),
    }
}

async fn answer(call: &AgentCall<'_>, endpoint: Endpoint) -> ChatResult<ApiResponse> {
    match endpoint {
        Endpoint::ListSessions => sessions::list(call).await,
        Endpoint::StartSession => sessions::start(call).await,
        Endpoint::GetSession => sessions::get(call).await,
        Endpoint::Assign => sessions::assign(call).await,
        Endpoint::Transfer => sessions::transfer(call).await,
        Endpoint::End => sessions::end(call).await,
        Endpoint::CustomerContext => sessions::customer_context(call).await,
        Endpoint::CreateTicket => sessions::create_ticket(call).await,
        Endpoint::History => conversation::history(call).await,
        Endpoint::SendMessage => conversation::send(call).await,
        Endpoint::ListNotes => conversation::list_notes(call).await,
        Endpoint::AddNote => conversation::add_note(call).await,
        Endpoint::Typing => conversation::typing(call).await,
        Endpoint::MarkRead => conversation::mark_read(call).await,
        Endpoint::Upload => attachments::upload(call).await,
        Endpoint::Download => attachments::download(call).await,
        Endpoint::ListCanned => canned::list(call).await,
        Endpoint::CreateCanned => canned::create(call).await,
        Endpoint::UpdateCanned => canned::update(call).await,
        Endpoint::DeleteCanned => canned::delete(call).await,
        Endpoint::ListWidgets => widgets::list(call).await,
        Endpoint::CreateWidget => widgets::create(call).await,
        Endpoint::GetWidget => widgets::get(call).await,
        Endpoint::UpdateWidget => widgets::update(call).await,
        Endpoint::DeleteWidget => widgets::delete(call).await,
        Endpoint::EmbedCode => widgets::embed_code(call).await,
        Endpoint::Me => team::me(call),
        Endpoint::SetPresence => team::set_presence(call).await,
        Endpoint::ListAgents => team::list_agents(call).await,
        Endpoint::ListDepartments => team::list_departments(call).await,
        Endpoint::Queue => team::queue(call).await,
        Endpoint::SocketTicket => team::socket_ticket(call).await,
        Endpoint::AuditLog => audit::list(call).await,
        Endpoint::EraseCustomer => audit::erase(call).await,
        Endpoint::ExportCustomer => audit::export(call).await,
        other => Err(ChatError::Internal(
            format!("{other:?} is not an agent endpoint").into(),
        )),
    }
}

/// The `limit` query parameter: 1 to [`MAX_PAGE_SIZE`], `default` when absent.
pub(crate) fn limit(q: &Query, default: u32) -> ChatResult<u32> {
    match q.int("limit")? {
        None => Ok(default),
        Some(n) if (1..=i64::from(MAX_PAGE_SIZE)).contains(&n) => Ok(n as u32),
        Some(_) => Err(ChatError::invalid(
            "limit",
            format!("must be between 1 and {MAX_PAGE_SIZE}"),
        )),
    }
}

/// A history page from `after_seq`, `before_seq` and `limit`.
pub(crate) fn history_query(q: &Query) -> ChatResult<HistoryQuery> {
    Ok(HistoryQuery {
        after_seq: q.int("after_seq")?,
        before_seq: q.int("before_seq")?,
        limit: limit(q, 100)?,
    })
}
