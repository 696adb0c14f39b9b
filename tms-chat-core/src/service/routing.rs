//! Auto-assignment, departments and "is anybody there": the service side of the routing
//! rules in `domain::routing`.
//!
//! - A new session of a widget whose mode is not `manual` goes at once to the best eligible
//!   agent (`domain::routing::rank`); with nobody eligible it waits.
//! - Whenever an agent may have become eligible (came online, ended or handed off a session)
//!   the waiting sessions they may take are offered to them, oldest first, one per free place.
//! - Each assignment is the ordinary limited compare-and-swap update: the database refuses an
//!   agent at their limit (the next candidate is tried) and a session already taken (by
//!   another node's routing) is left alone, so nothing is assigned twice or over capacity.
//!
//! - Reassignment (a timer): a session whose customer's newest message had no answer for its
//!   widget's `reassign_after_seconds` (counted from the assignment when that came later)
//!   moves to the best eligible agent other than the one holding it, chosen by the widget's
//!   mode (`least_busy` for a `manual` widget); with nobody eligible it stays. The move is
//!   the same compare-and-swap, made only if the session is still overdue with the same
//!   agent, so of several nodes' timers one moves it.
//!
//! Routing failures never fail the request that caused them: they are logged, the session
//! keeps waiting.

use super::session_update::{Announce, Change, LoadAs};
use super::ChatService;
use crate::domain::routing::rank;
use crate::domain::{
    Agent, Candidate, Presence, PresenceChange, RoutingMode, Session, SessionStatus,
    TransferTarget, Widget,
};
use crate::error::{ChatError, ChatResult};
use crate::ids::{AgentId, SessionId, TenantId, WidgetId};
use std::collections::{BTreeMap, HashMap};

/// How many waiting sessions one offer to an agent looks at.
const WAITING_SCAN: u32 = 200;
/// How many overdue sessions one timer pass reassigns at most.
const REASSIGN_BATCH: u32 = 200;

/// A department as `GET /v1/chat/departments` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepartmentSummary {
    /// Its name.
    pub name: String,
    /// Its agents, by id.
    pub agents: Vec<AgentId>,
    /// How many of them are online.
    pub online: u64,
    /// Waiting sessions in its pool (of widgets routed to it, or transferred to it).
    pub waiting: u64,
}

/// The tenant's agents with their presence, load and routing history, read once.
pub(crate) struct TeamState {
    agents: Vec<Agent>,
    presence: HashMap<AgentId, (Presence, Option<chrono::DateTime<chrono::Utc>>)>,
    load: HashMap<AgentId, u64>,
}

impl TeamState {
    fn presence_of(&self, id: &AgentId) -> Presence {
        self.presence.get(id).map_or(Presence::Offline, |p| p.0)
    }

    /// Whether `agent` is online and under their limit.
    fn available(&self, agent: &Agent) -> bool {
        let open = self.load.get(&agent.id).copied().unwrap_or(0);
        self.presence_of(&agent.id) == Presence::Online
            && agent
                .max_concurrent_sessions
                .is_none_or(|max| open < u64::from(max))
    }

    /// Eligible agents for `widget`'s sessions, other than `exclude`.
    fn candidates(&self, widget: &Widget, exclude: Option<&AgentId>) -> Vec<Candidate> {
        self.agents
            .iter()
            .filter(|a| Some(&a.id) != exclude)
            .filter(|a| widget.routing.may_route_to(a, &widget.project_id) && self.available(a))
            .map(|a| Candidate {
                agent: a.clone(),
                open_sessions: self.load.get(&a.id).copied().unwrap_or(0),
                last_routed_at: self.presence.get(&a.id).and_then(|p| p.1),
            })
            .collect()
    }
}

impl ChatService {
    pub(crate) async fn team_state(&self, tenant: &TenantId) -> ChatResult<TeamState> {
        let agents = self.store.list_agents(tenant).await?;
        let presence = self
            .store
            .list_presence(tenant)
            .await?
            .into_iter()
            .map(|p| (p.agent_id, (p.presence, p.last_routed_at)))
            .collect();
        let load = self
            .store
            .open_sessions_by_agent(tenant)
            .await?
            .into_iter()
            .collect();
        Ok(TeamState {
            agents,
            presence,
            load,
        })
    }

    /// Whether an agent of `widget`'s routing pool holding its required skills is online,
    /// whatever their load (the public configuration's `agents_online`).
    pub async fn agents_online(&self, widget: &Widget) -> ChatResult<bool> {
        let team = self.team_state(&widget.tenant_id).await?;
        Ok(team.agents.iter().any(|a| {
            widget.routing.may_route_to(a, &widget.project_id)
                && team.presence_of(&a.id) == Presence::Online
        }))
    }

    /// Gives a new or returning waiting session of `widget` to the best eligible agent
    /// (never `exclude`). Answers the session when it was assigned.
    pub(crate) async fn route_session(
        &self,
        widget: &Widget,
        id: &SessionId,
        exclude: Option<&AgentId>,
    ) -> ChatResult<Option<Session>> {
        if !widget.routing.is_automatic() {
            return Ok(None);
        }
        let team = self.team_state(&widget.tenant_id).await?;
        for candidate in rank(widget.routing.mode, team.candidates(widget, exclude)) {
            match self
                .assign_automatically(&widget.tenant_id, id, &candidate.agent)
                .await
            {
                Ok(assigned) => return Ok(assigned),
                Err(ChatError::SessionLimitReached { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// Offers the waiting sessions `agent_id` may take, oldest first, one per free place.
    /// Answers how many they got.
    pub(crate) async fn offer_waiting_to(
        &self,
        tenant: &TenantId,
        agent_id: &AgentId,
    ) -> ChatResult<usize> {
        let team = self.team_state(tenant).await?;
        let Some(agent) = team.agents.iter().find(|a| &a.id == agent_id) else {
            return Ok(0);
        };
        if !team.available(agent) {
            return Ok(0);
        }
        let open = team.load.get(agent_id).copied().unwrap_or(0);
        let mut free = agent
            .max_concurrent_sessions
            .map_or(u64::MAX, |max| u64::from(max).saturating_sub(open));
        let widgets = self.widgets_by_id(tenant).await?;
        let mut given = 0;
        for session in self
            .store
            .list_waiting_sessions(tenant, WAITING_SCAN)
            .await?
        {
            if free == 0 {
                break;
            }
            let Some(widget) = widgets.get(&session.widget_id) else {
                continue;
            };
            if session.status != SessionStatus::Waiting
                || !widget.routing.is_automatic()
                || !widget.routing.may_route_to(agent, &widget.project_id)
            {
                continue;
            }
            match self.assign_automatically(tenant, &session.id, agent).await {
                Ok(Some(_)) => {
                    given += 1;
                    free -= 1;
                }
                Ok(None) => {}
                Err(ChatError::SessionLimitReached { .. }) => break,
                Err(e) => return Err(e),
            }
        }
        Ok(given)
    }

    /// [`ChatService::offer_waiting_to`], logging a failure instead of answering it.
    pub(crate) async fn offer_quietly(&self, tenant: &TenantId, agent_id: &AgentId) {
        if let Err(err) = self.offer_waiting_to(tenant, agent_id).await {
            tracing::warn!(agent_id = %agent_id, error = %err, "offering waiting sessions failed");
        }
    }

    /// Assigns session `id` to `agent` if it is still waiting (as a manual assignment by the
    /// agent would, within their limit); `None` when it was taken meanwhile.
    async fn assign_automatically(
        &self,
        tenant: &TenantId,
        id: &SessionId,
        agent: &Agent,
    ) -> ChatResult<Option<Session>> {
        let now = self.clock.now();
        let stored = self
            .update_session(LoadAs::Service(tenant), id, |mut session| async move {
                if session.status != SessionStatus::Waiting || session.assigned_agent_id.is_some() {
                    return Ok(Change::Keep(session));
                }
                session.assign_to(agent.id.clone(), now)?;
                let announce = Announce::Assigned {
                    agent_id: agent.id.clone(),
                    agent_name: agent.display_name.clone(),
                    previous_agent_id: None,
                    assigned_by: agent.id.clone(),
                };
                Ok(Change::write_within(
                    session,
                    announce,
                    agent.max_concurrent_sessions,
                ))
            })
            .await?;
        if stored.assigned_agent_id.as_ref() != Some(&agent.id) {
            return Ok(None);
        }
        self.store
            .change_presence(tenant, &agent.id, PresenceChange::Routed, now)
            .await?;
        Ok(Some(stored))
    }

    /// The reassignment timer's pass (see the module docs): answers how many sessions moved.
    pub(crate) async fn reassign_unanswered_sessions(&self) -> ChatResult<usize> {
        let now = self.clock.now();
        let mut moved = 0;
        for overdue in self
            .store
            .list_reply_overdue_sessions(now, REASSIGN_BATCH)
            .await?
        {
            match self.reassign_overdue(&overdue).await {
                Ok(true) => moved += 1,
                Ok(false) => {}
                Err(err) => {
                    tracing::warn!(session_id = %overdue.id, error = %err, "reassignment failed");
                }
            }
        }
        Ok(moved)
    }

    /// Moves one overdue session to the best eligible other agent; `false` when nobody is
    /// eligible or the session changed meanwhile.
    async fn reassign_overdue(&self, overdue: &Session) -> ChatResult<bool> {
        let (Some(holder), Ok(widget)) = (
            overdue.assigned_agent_id.clone(),
            self.store
                .get_widget(&overdue.tenant_id, &overdue.widget_id)
                .await,
        ) else {
            return Ok(false);
        };
        let Some(after) = widget.routing.reassign_after_seconds else {
            return Ok(false);
        };
        let mode = match widget.routing.mode {
            RoutingMode::Manual => RoutingMode::LeastBusy,
            mode => mode,
        };
        let team = self.team_state(&widget.tenant_id).await?;
        for candidate in rank(mode, team.candidates(&widget, Some(&holder))) {
            match self
                .move_overdue(overdue, &holder, after, &candidate.agent)
                .await
            {
                Ok(Some(_)) => {
                    self.offer_quietly(&overdue.tenant_id, &holder).await;
                    return Ok(true);
                }
                Ok(None) => return Ok(false),
                Err(ChatError::SessionLimitReached { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(false)
    }

    /// Assigns `overdue` to `agent` if `holder` still holds it and it is still overdue at
    /// the clock's now; `None` when it changed meanwhile.
    async fn move_overdue(
        &self,
        overdue: &Session,
        holder: &AgentId,
        after: u32,
        agent: &Agent,
    ) -> ChatResult<Option<Session>> {
        let now = self.clock.now();
        let stored = self
            .update_session(
                LoadAs::Service(&overdue.tenant_id),
                &overdue.id,
                |mut session| async move {
                    let still_due = session.reply_overdue_at(after).is_some_and(|t| t <= now);
                    if !still_due || session.assigned_agent_id.as_ref() != Some(holder) {
                        return Ok(Change::Keep(session));
                    }
                    session.assign_to(agent.id.clone(), now)?;
                    let announce = Announce::Assigned {
                        agent_id: agent.id.clone(),
                        agent_name: agent.display_name.clone(),
                        previous_agent_id: Some(holder.clone()),
                        assigned_by: agent.id.clone(),
                    };
                    Ok(Change::write_within(
                        session,
                        announce,
                        agent.max_concurrent_sessions,
                    ))
                },
            )
            .await?;
        if stored.assigned_agent_id.as_ref() != Some(&agent.id) {
            return Ok(None);
        }
        self.store
            .change_presence(&overdue.tenant_id, &agent.id, PresenceChange::Routed, now)
            .await?;
        Ok(Some(stored))
    }

    pub(crate) async fn widgets_by_id(
        &self,
        tenant: &TenantId,
    ) -> ChatResult<HashMap<WidgetId, Widget>> {
        Ok(self
            .store
            .list_widgets(tenant, None)
            .await?
            .into_iter()
            .map(|w| (w.id.clone(), w))
            .collect())
    }

    /// The tenant's departments (every name an agent belongs to or a widget routes to), by
    /// name, with their agents, how many are online and how many sessions wait in their pool.
    pub async fn departments(&self, agent: &Agent) -> ChatResult<Vec<DepartmentSummary>> {
        let tenant = &agent.tenant_id;
        let team = self.team_state(tenant).await?;
        let widgets = self.widgets_by_id(tenant).await?;
        let mut by_name: BTreeMap<String, DepartmentSummary> = BTreeMap::new();
        fn entry<'m>(
            by_name: &'m mut BTreeMap<String, DepartmentSummary>,
            name: &str,
        ) -> &'m mut DepartmentSummary {
            by_name
                .entry(name.to_owned())
                .or_insert_with(|| DepartmentSummary {
                    name: name.to_owned(),
                    agents: Vec::new(),
                    online: 0,
                    waiting: 0,
                })
        }
        for a in &team.agents {
            for d in &a.departments {
                let summary = entry(&mut by_name, d);
                summary.agents.push(a.id.clone());
                if team.presence_of(&a.id) == Presence::Online {
                    summary.online += 1;
                }
            }
        }
        for w in widgets.values() {
            if let Some(d) = &w.routing.department {
                entry(&mut by_name, d);
            }
        }
        for s in self
            .store
            .list_waiting_sessions(tenant, WAITING_SCAN)
            .await?
        {
            if let Some(d) = waiting_department(&s, &widgets) {
                entry(&mut by_name, &d).waiting += 1;
            }
        }
        Ok(by_name.into_values().collect())
    }
}

/// The department whose pool a waiting session is in: the one it was transferred to, else
/// its widget's routing department.
pub(crate) fn waiting_department(
    session: &Session,
    widgets: &HashMap<WidgetId, Widget>,
) -> Option<String> {
    match &session.transfer_target {
        Some(TransferTarget::Department { department }) => Some(department.clone()),
        _ => widgets
            .get(&session.widget_id)
            .and_then(|w| w.routing.department.clone()),
    }
}
