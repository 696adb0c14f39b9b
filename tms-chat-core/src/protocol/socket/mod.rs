//! The WebSocket sub-protocol shared by the agent socket (`/v1/chat/ws`) and the customer
//! socket (`/v1/chat/public/widgets/{id}/ws`). This file owns the upgrade: authorising the
//! request ([`ChatApi::authorize_socket`]) and starting the connection
//! ([`ChatApi::run_socket`]). The rest is split by concern:
//!
//! - `connection`: the per-connection task and its loop (one bounded event queue, batched
//!   flush, pings, idle close, overflow → `resync_required`);
//! - `dispatch`: inbound client frames (send, typing, subscribe, resume, read, ping);
//! - `delivery`: which events reach this connection (topic filters, per-session `seq`
//!   de-duplication, resume replay);
//! - `encoding`: the agent and customer frame of each chat event;
//! - `known_sessions`: the sessions an agent connection looked up, so sends skip a read;
//! - `revocation`: closing a connection whose access was withdrawn (revoked agent, deleted
//!   widget, an agent the host no longer accepts when asked again);
//! - `seqs`: the highest `seq` delivered per session.
//!
//! It knows no web framework: adapters hand it a `Stream + Sink` of [`WsFrame`]s.

mod connection;
mod decode;
mod delivery;
mod dispatch;
mod encoding;
mod known_sessions;
mod revocation;
mod seqs;

use super::abuse::SocketSlot;
use super::body::Query;
use super::errors::error_response;
use super::routes::{lookup, normalize, Endpoint, Lookup};
use super::{ApiRequest, ApiResponse, ChatApi, SocketError, WsFrame};
use crate::auth::CustomerPrincipal;
use crate::domain::Agent;
use crate::ids::WidgetId;
use connection::Connection;
use futures::{Sink, Stream, StreamExt};
use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Permission to run a socket, obtained before the upgrade.
#[derive(Debug, Clone)]
pub struct SocketGrant {
    principal: Principal,
    /// The client address's socket slot, held until the connection ends.
    slot: Option<Arc<SocketSlot>>,
}

/// Who a connection speaks for.
#[derive(Debug, Clone)]
enum Principal {
    /// A signed-in agent (shared, never copied per frame).
    Agent(Arc<Agent>),
    /// A customer in their own session (shared like an agent: the principal is a few
    /// strings, and the connection keeps it for its whole life).
    Customer {
        customer: Arc<CustomerPrincipal>,
        show_avatars: bool,
    },
}

impl SocketGrant {
    /// Whether this is an agent connection.
    pub fn is_agent(&self) -> bool {
        matches!(self.principal, Principal::Agent(_))
    }
}

impl ChatApi {
    /// Authenticates a socket request before the upgrade: an agent (bearer header or one-time
    /// `ticket`) on `/v1/chat/ws`, a customer (`token` and an allowed `Origin`) on
    /// `/v1/chat/public/widgets/{widgetId}/ws`. A refusal is the HTTP response to send instead
    /// of upgrading.
    pub async fn authorize_socket(&self, request: &ApiRequest) -> Result<SocketGrant, ApiResponse> {
        if *self.inner.shutdown.borrow() {
            return Err(super::errors::protocol_error(
                503,
                "shutting_down",
                "server is shutting down",
            ));
        }
        let path = normalize(&request.path);
        let (endpoint, widget) = match lookup("GET", &path) {
            Lookup::Found(route) if route.endpoint.is_socket() => (route.endpoint, route.widget),
            _ => return Err(super::errors::route_not_found()),
        };
        // The address's slot first: a refused address costs no authentication.
        let slot = self
            .inner
            .abuse
            .open_socket(self.client_ip(request))
            .map_err(|e| super::cors::with_cors(error_response(&e), request.header("origin")))?;
        let principal = if endpoint == Endpoint::AgentSocket {
            self.authorize_agent_socket(request).await?
        } else {
            let widget = WidgetId::from(widget.unwrap_or_default());
            self.authorize_customer_socket(request, &widget).await?
        };
        Ok(SocketGrant {
            principal,
            slot: slot.map(Arc::new),
        })
    }

    async fn authorize_agent_socket(&self, request: &ApiRequest) -> Result<Principal, ApiResponse> {
        let query = Query::parse(&request.query);
        let agent = if let Some(ticket) = query.get("ticket") {
            self.redeem_socket_ticket(ticket).await
        } else {
            self.inner.agents.authenticate(&request.parts()).await
        };
        agent
            .map(|a| Principal::Agent(Arc::new(a)))
            .map_err(|e| error_response(&e))
    }

    async fn authorize_customer_socket(
        &self,
        request: &ApiRequest,
        widget_id: &WidgetId,
    ) -> Result<Principal, ApiResponse> {
        let effective = super::public_api::request_origin(self, request);
        match self
            .customer_for(request, widget_id, effective.as_deref())
            .await
        {
            Ok((widget, customer)) => Ok(Principal::Customer {
                customer: Arc::new(customer),
                show_avatars: widget.show_agent_avatars,
            }),
            Err(e) => Err(super::cors::with_cors(
                error_response(&e),
                request.header("origin"),
            )),
        }
    }

    /// Runs an upgraded socket until it closes. The socket is split before the returned
    /// future is made, so the connection's task holds only the two halves: a future keeps
    /// room for its arguments for its whole life, and the socket (hundreds of bytes in
    /// every adapter) would be held there, dead, besides its shared half. An adapter hands
    /// this future to its runtime as it is, not wrapped in an `async` block that keeps the
    /// socket too. The connection subscribes to its topics here, so events published from
    /// now on reach it once the future runs.
    pub fn run_socket<S>(
        &self,
        grant: SocketGrant,
        socket: S,
    ) -> impl Future<Output = ()> + Send + 'static
    where
        S: Stream<Item = Result<WsFrame, SocketError>>
            + Sink<WsFrame, Error = SocketError>
            + Send
            + Unpin
            + 'static,
    {
        let (mut sink, mut stream) = socket.split();
        let agent = match &grant.principal {
            Principal::Agent(agent) => Some(Arc::clone(agent)),
            Principal::Customer { .. } => None,
        };
        let slot = grant.slot;
        let (mut conn, mut events) = Connection::new(self.clone(), grant.principal);
        let api = self.clone();
        // Built here and moved in whole: the task then keeps one copy of each part for the
        // socket's life (an `async fn` taking them would keep its arguments and its locals).
        async move {
            api.inner.connections.fetch_add(1, Ordering::Relaxed);
            // After subscribing: what coming online causes (sessions offered to the agent)
            // reaches this connection too.
            // Boxed, here and below: the presence calls' futures are several KB, and inline
            // they would size every connection's task (customers' too) for its whole life.
            if let Some(agent) = &agent {
                Box::pin(api.presence_of_socket(agent, true)).await;
            }
            conn.run(&mut sink, &mut stream, &mut events).await;
            conn.close();
            if let Some(agent) = &agent {
                Box::pin(api.presence_of_socket(agent, false)).await;
            }
            drop(slot);
            api.inner.connections.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Tells the service an agent's console socket opened or closed (their presence); a
    /// failure is logged: the socket works without it.
    async fn presence_of_socket(&self, agent: &Agent, opened: bool) {
        let service = self.service();
        let result = if opened {
            service.agent_socket_opened(agent).await
        } else {
            service.agent_socket_closed(agent).await
        };
        if let Err(err) = result {
            tracing::warn!(agent_id = %agent.id, error = %err, "recording presence failed");
        }
    }
}
