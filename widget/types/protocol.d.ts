// TypeScript declarations of the tms-chat wire protocol (docs/protocol.md).
// Generated from the Rust types by tms-chat-core (protocol::typescript); do not edit.
// To update: TMS_CHAT_BLESS=1 cargo test -p tms-chat-core --test typescript

/**
 * A chat event as an agent console receives it.
 */
export type AgentEventFrame = { "type": "session_created",
/**
 * The session.
 */
session_id: SessionId,
/**
 * The session after the change.
 */
session: SessionView, } | { "type": "session_assigned",
/**
 * The session.
 */
session_id: SessionId,
/**
 * The new assignee.
 */
agent_id: AgentId,
/**
 * The previous assignee.
 */
previous_agent_id: AgentId | null,
/**
 * Who assigned it.
 */
assigned_by: AgentId,
/**
 * The session after the change.
 */
session: SessionView, } | { "type": "session_transferred",
/**
 * The session.
 */
session_id: SessionId,
/**
 * Where it went.
 */
target: TransferTarget,
/**
 * The previous assignee.
 */
previous_agent_id: AgentId | null,
/**
 * Who transferred it.
 */
transferred_by: AgentId,
/**
 * The session after the change.
 */
session: SessionView, } | { "type": "session_updated",
/**
 * The session.
 */
session_id: SessionId,
/**
 * The session after the change.
 */
session: SessionView, } | { "type": "session_ended",
/**
 * The session.
 */
session_id: SessionId,
/**
 * The session after the change.
 */
session: SessionView, } | { "type": "new_message",
/**
 * The message's session.
 */
session_id: SessionId,
/**
 * The message.
 */
message: MessageView, } | { "type": "typing_indicator" } & TypingFrame | { "type": "read_marker" } & ReadMarkerView | { "type": "note_added",
/**
 * The note's session.
 */
session_id: SessionId,
/**
 * The note.
 */
note: Note, } | { "type": "visit_updated",
/**
 * The session.
 */
session_id: SessionId,
/**
 * What the widget reported.
 */
context: VisitContext, } | { "type": "queue_updated",
/**
 * The waiting session.
 */
session_id: SessionId,
/**
 * 1 is next.
 */
queue_position: number,
/**
 * `null` when unknown.
 */
estimated_wait_seconds: number | null, } | { "type": "presence_changed",
/**
 * The agent.
 */
agent_id: AgentId,
/**
 * Their presence now.
 */
presence: Presence, };

/**
 * An agent, as the host identifies it (for example `agent-123`).
 */
export type AgentId = string;

/**
 * `GET /v1/chat/agents`.
 */
export type AgentList = {
/**
 * The tenant's agents.
 */
agents: Array<TeamMemberView>, };

/**
 * `POST /v1/chat/sessions` (agent-started): the session plus what reaches the customer.
 */
export type AgentStartedSession = {
/**
 * The customer's bearer token.
 */
customer_token: string,
/**
 * The link that opens the session in the widget for the customer.
 */
customer_join_url: string, id: SessionId, widget_id: WidgetId, project_id: ProjectId, status: SessionStatus, customer_email: string | null, customer_name: string | null, customer_verified: boolean, assigned_agent_id: AgentId | null, unassigned: boolean, transfer_target: TransferTarget | null, department: string | null, started_by_agent_id: AgentId | null, ended_by: EndedBy | null, last_seq: number, ticket_id: string | null, created_at: string, updated_at: string, last_activity_at: string, ended_at: string | null,
/**
 * When the oldest customer message without a later agent reply was sent; `null` when
 * every customer message has been answered.
 */
awaiting_reply_since: string | null,
/**
 * Customer messages after the requesting agent's read marker: in the list and the read
 * of a session; `null` where the view is not for one agent (events, other answers).
 */
unread_count: number | null, };

/**
 * An agent as colleagues see them.
 */
export type AgentView = { id: AgentId, display_name: string, avatar_url: string | null, roles: Array<Role>, projects: Array<ProjectId>, departments: Array<string>, skills: Array<string>, max_concurrent_sessions: number | null, };

/**
 * `POST /v1/chat/sessions/{id}/assign`.
 */
export type AssignRequest = {
/**
 * Who gets the session; the acting agent when absent ("Assign to Me").
 */
agent_id?: AgentId | null, };

/**
 * An uploaded file.
 */
export type AttachmentId = string;

/**
 * An attachment's public metadata (never the storage key).
 */
export type AttachmentView = { id: AttachmentId, session_id: SessionId, name: string, size: number, content_type: string, created_at: string, };

/**
 * What was done. On the wire and in the database as the dotted name (`session.assigned`).
 */
export type AuditAction = "session.assigned" | "session.transferred" | "session.ended" | "session.ticket_created" | "note.added" | "widget.created" | "widget.updated" | "widget.deleted" | "canned_response.created" | "canned_response.updated" | "canned_response.deleted" | "presence.changed" | "customer.exported" | "customer.erased";

/**
 * One entry of the audit log.
 */
export type AuditEntry = {
/**
 * Entry id.
 */
id: AuditEntryId,
/**
 * The tenant it happened in.
 */
tenant_id: TenantId,
/**
 * The agent or admin who acted.
 */
actor_id: AgentId,
/**
 * What they did.
 */
action: AuditAction,
/**
 * What they did it to: a session, widget, quick response or agent id, or a customer's
 * [`customer_reference`].
 */
target_id: string,
/**
 * The session concerned, for the log's `session_id` filter.
 */
session_id: SessionId | null,
/**
 * The change's particulars (for example the new assignee), never message or note
 * content or a customer's email.
 */
details: Record<string, unknown>,
/**
 * When.
 */
created_at: string, };

/**
 * An entry of the audit log.
 */
export type AuditEntryId = string;

/**
 * `GET /v1/chat/audit`.
 */
export type AuditList = {
/**
 * One page of the tenant's audit log, newest first.
 */
entries: Array<AuditEntry>,
/**
 * The cursor of the next page, `null` on the last.
 */
next_cursor: string | null, };

/**
 * A widget's weekly schedule.
 */
export type BusinessHours = {
/**
 * IANA time zone name, e.g. `Europe/Berlin`.
 */
timezone: string,
/**
 * Monday's hours; absent or null means closed.
 */
monday?: DayHours | null,
/**
 * Tuesday.
 */
tuesday?: DayHours | null,
/**
 * Wednesday.
 */
wednesday?: DayHours | null,
/**
 * Thursday.
 */
thursday?: DayHours | null,
/**
 * Friday.
 */
friday?: DayHours | null,
/**
 * Saturday.
 */
saturday?: DayHours | null,
/**
 * Sunday.
 */
sunday?: DayHours | null,
/**
 * What the widget does when closed.
 */
offline_behavior: OfflineBehavior,
/**
 * Where `redirect` sends the customer (http/https URL).
 */
offline_redirect_url?: string | null,
/**
 * Dates whose regular hours are replaced (holidays, special days), each date once.
 */
exceptions?: Array<DayException>, };

/**
 * `GET /v1/chat/canned-responses`.
 */
export type CannedList = {
/**
 * The tenant's quick responses.
 */
canned_responses: Array<CannedView>, };

/**
 * `POST /v1/chat/canned-responses` and `PUT /v1/chat/canned-responses/{id}`.
 */
export type CannedRequest = {
/**
 * The shortcut typed after `/` (required when creating).
 */
shortcut?: string | null,
/**
 * The text inserted (required when creating).
 */
text?: string | null, };

/**
 * A canned (quick) response.
 */
export type CannedResponseId = string;

/**
 * A canned response.
 */
export type CannedView = { id: CannedResponseId, shortcut: string, text: string, created_at: string, updated_at: string, };

/**
 * A frame from a client (`docs/protocol.md`, client → server).
 */
export type ClientFrame = { "type": "send_message",
/**
 * The session (customers may omit it: their own).
 */
session_id?: SessionId | null,
/**
 * The message text.
 */
content?: string | null,
/**
 * `text` (when omitted) or `file`.
 */
message_type?: "text" | "file",
/**
 * An uploaded attachment to send.
 */
attachment_id?: AttachmentId | null,
/**
 * The client's id for de-duplication of retries.
 */
client_message_id?: string | null, } | { "type": "typing_indicator",
/**
 * The session (customers may omit it: their own).
 */
session_id?: SessionId | null,
/**
 * Whether the sender is typing.
 */
is_typing: boolean,
/**
 * A customer's draft so far (see `typing_preview`); dropped otherwise.
 */
preview?: string | null, } | { "type": "subscribe",
/**
 * The session.
 */
session_id: SessionId, } | { "type": "unsubscribe",
/**
 * The session.
 */
session_id: SessionId, } | { "type": "resume",
/**
 * The session (customers may omit it: their own).
 */
session_id?: SessionId | null,
/**
 * Replay messages after this `seq` (0 when omitted).
 */
after_seq?: number | null, } | { "type": "mark_read",
/**
 * The session (customers may omit it: their own).
 */
session_id?: SessionId | null,
/**
 * The highest `seq` read.
 */
seq: number, } | { "type": "page_view",
/**
 * The page's URL (`location.href`), `http` or `https`.
 */
url?: string | null,
/**
 * The page's title (`document.title`).
 */
title?: string | null,
/**
 * Where the customer came from (`document.referrer`).
 */
referrer?: string | null,
/**
 * The browser's user agent (`navigator.userAgent`); stored only as browser and OS.
 */
user_agent?: string | null,
/**
 * The browser's language (`navigator.language`), a BCP 47 tag.
 */
language?: string | null,
/**
 * The customer's IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
 */
time_zone?: string | null, } | { "type": "ping", };

/**
 * What a client writes on a socket: a [`ClientFrame`] and, optionally, a `request_id` of any
 * JSON value that the answer echoes. The socket reads `request_id` beside the frame rather
 * than into it, so this type exists for the declarations alone.
 */
export type ClientRequest = {
/**
 * Echoed in the answer (`message_ack`, `subscribed`, `resumed`, `pong`, `error`).
 */
request_id?: JsonValue, } & ({ "type": "send_message",
/**
 * The session (customers may omit it: their own).
 */
session_id?: SessionId | null,
/**
 * The message text.
 */
content?: string | null,
/**
 * `text` (when omitted) or `file`.
 */
message_type?: "text" | "file",
/**
 * An uploaded attachment to send.
 */
attachment_id?: AttachmentId | null,
/**
 * The client's id for de-duplication of retries.
 */
client_message_id?: string | null, } | { "type": "typing_indicator",
/**
 * The session (customers may omit it: their own).
 */
session_id?: SessionId | null,
/**
 * Whether the sender is typing.
 */
is_typing: boolean,
/**
 * A customer's draft so far (see `typing_preview`); dropped otherwise.
 */
preview?: string | null, } | { "type": "subscribe",
/**
 * The session.
 */
session_id: SessionId, } | { "type": "unsubscribe",
/**
 * The session.
 */
session_id: SessionId, } | { "type": "resume",
/**
 * The session (customers may omit it: their own).
 */
session_id?: SessionId | null,
/**
 * Replay messages after this `seq` (0 when omitted).
 */
after_seq?: number | null, } | { "type": "mark_read",
/**
 * The session (customers may omit it: their own).
 */
session_id?: SessionId | null,
/**
 * The highest `seq` read.
 */
seq: number, } | { "type": "page_view",
/**
 * The page's URL (`location.href`), `http` or `https`.
 */
url?: string | null,
/**
 * The page's title (`document.title`).
 */
title?: string | null,
/**
 * Where the customer came from (`document.referrer`).
 */
referrer?: string | null,
/**
 * The browser's user agent (`navigator.userAgent`); stored only as browser and OS.
 */
user_agent?: string | null,
/**
 * The browser's language (`navigator.language`), a BCP 47 tag.
 */
language?: string | null,
/**
 * The customer's IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
 */
time_zone?: string | null, } | { "type": "ping", });

/**
 * `POST /v1/chat/public/widgets/{id}/contact`.
 */
export type ContactReceived = {
/**
 * The ended session that records the contact request.
 */
session_id: SessionId, };

/**
 * `POST /v1/chat/public/widgets/{widget}/contact` (the offline form).
 */
export type ContactRequest = {
/**
 * The customer's name.
 */
customer_name?: string | null,
/**
 * The customer's email (required by the service).
 */
customer_email?: string | null,
/**
 * The message.
 */
message?: string, };

/**
 * `GET /v1/chat/sessions/{id}/customer`.
 */
export type CustomerContext = {
/**
 * The customer's email, if known.
 */
customer_email: string | null,
/**
 * The customer's name, if known.
 */
customer_name: string | null,
/**
 * Whether the identity was verified by the host's signature.
 */
customer_verified: boolean,
/**
 * The customer's other sessions in the agent's scope.
 */
previous_sessions: Array<SessionView>,
/**
 * What the widget reported last about the visit (page, browser, language, time zone);
 * `null` when it reported nothing.
 */
context: VisitContext | null, };

/**
 * `POST /v1/chat/customers/erase`.
 */
export type CustomerErased = {
/**
 * How many sessions were deleted.
 */
erased_sessions: number, };

/**
 * A chat event as the session's customer receives it: customer views only.
 */
export type CustomerEventFrame = { "type": "session_assigned",
/**
 * The customer's session.
 */
session_id: SessionId,
/**
 * The new assignee.
 */
agent_id: AgentId,
/**
 * The session as the customer sees it.
 */
session: CustomerSessionView, } | { "type": "session_transferred",
/**
 * The customer's session.
 */
session_id: SessionId,
/**
 * The session as the customer sees it.
 */
session: CustomerSessionView, } | { "type": "session_updated",
/**
 * The customer's session.
 */
session_id: SessionId,
/**
 * The session as the customer sees it.
 */
session: CustomerSessionView, } | { "type": "session_ended",
/**
 * The customer's session.
 */
session_id: SessionId,
/**
 * The session as the customer sees it.
 */
session: CustomerSessionView, } | { "type": "new_message",
/**
 * The customer's session.
 */
session_id: SessionId,
/**
 * The message.
 */
message: MessageView, } | { "type": "typing_indicator" } & TypingFrame | { "type": "read_marker" } & ReadMarkerView | { "type": "queue_updated",
/**
 * The waiting session.
 */
session_id: SessionId,
/**
 * 1 is next.
 */
queue_position: number,
/**
 * `null` when unknown.
 */
estimated_wait_seconds: number | null, };

/**
 * `GET /v1/chat/customers/export`: everything stored about one customer in the tenant.
 */
export type CustomerExport = {
/**
 * The email asked for.
 */
customer_email: string,
/**
 * Their sessions, newest first.
 */
sessions: Array<ExportedSession>, };

/**
 * A session as its customer sees it.
 */
export type CustomerSessionView = { id: SessionId, widget_id: WidgetId, status: SessionStatus, customer_email: string | null, customer_name: string | null, last_seq: number, created_at: string, ended_at: string | null, agent: PublicAgentView | null,
/**
 * 1 is next; `null` unless the session waits for an agent.
 */
queue_position: number | null,
/**
 * `null` when unknown.
 */
estimated_wait_seconds: number | null, };

/**
 * `POST /v1/chat/public/widgets/{id}/sessions` (customer-started).
 */
export type CustomerStartedSession = {
/**
 * The session as its customer sees it.
 */
session: CustomerSessionView,
/**
 * The customer's bearer token.
 */
customer_token: string, };

/**
 * One local date whose regular hours are replaced: `closed`, or `open` and `close` as for a
 * weekday.
 */
export type DayException = {
/**
 * The local date, `YYYY-MM-DD`, in the schedule's time zone.
 */
date: string,
/**
 * Closed all that day.
 */
closed?: boolean,
/**
 * Opening time, `HH:MM` (unless closed).
 */
open?: string,
/**
 * Closing time, `HH:MM`, may be `24:00` or before `open` (past midnight).
 */
close?: string, };

/**
 * Opening time of one weekday, `HH:MM` 24-hour local times. A `close` earlier than `open`
 * crosses midnight into the next day; `close` may be `24:00`.
 */
export type DayHours = {
/**
 * Opening time, `HH:MM`.
 */
open: string,
/**
 * Closing time, `HH:MM`.
 */
close: string, };

/**
 * `GET /v1/chat/departments`.
 */
export type DepartmentList = {
/**
 * The tenant's departments, by name.
 */
departments: Array<DepartmentView>, };

/**
 * A department: its agents, how many are online, how many sessions wait in its pool.
 */
export type DepartmentView = { name: string, agents: Array<AgentId>, online: number, waiting: number, };

/**
 * `GET /v1/chat/widgets/{id}/embed`.
 */
export type EmbedCode = {
/**
 * The HTML snippet to paste before `</body>`.
 */
embed_code: string,
/**
 * Where the widget script is served.
 */
script_url: string, };

/**
 * Who ended a session.
 */
export type EndedBy = "customer" | "agent" | "system";

/**
 * `POST /v1/chat/customers/erase`.
 */
export type EraseCustomerRequest = {
/**
 * The customer whose sessions are erased (compared case-insensitively).
 */
customer_email: string, };

/**
 * `{"error": {...}}`: every error answer.
 */
export type ErrorBody = {
/**
 * What went wrong.
 */
error: ErrorDetail, };

/**
 * Every stable error code a client can see, in error bodies and socket `error` frames
 * (`docs/protocol.md`, "Errors"). [`ChatError::code`] maps the service's errors onto these;
 * the protocol layer adds its own (`method_not_allowed`, `upgrade_required`, `shutting_down`).
 */
export type ErrorCode = "unauthorized" | "forbidden" | "domain_not_allowed" | "not_found" | "method_not_allowed" | "conflict" | "outside_business_hours" | "session_limit_reached" | "no_agents_available" | "payload_too_large" | "unsupported_media_type" | "invalid_input" | "rate_limited" | "internal" | "upgrade_required" | "shutting_down" | "request_timeout" | "unavailable";

/**
 * The inside of an error answer.
 */
export type ErrorDetail = {
/**
 * The stable error code (`docs/protocol.md`).
 */
code: ErrorCode,
/**
 * A human-readable message.
 */
message: string,
/**
 * The offending field, for validation errors.
 */
field?: string,
/**
 * When chat opens next, for `outside_business_hours`.
 */
next_open_at?: string | null, };

/**
 * One session of a [`CustomerExport`].
 */
export type ExportedSession = {
/**
 * The session.
 */
session: SessionView,
/**
 * Its whole conversation in `seq` order (attachments' metadata inside).
 */
messages: Array<MessageView>,
/**
 * What the widget reported about the visit, `null` when nothing.
 */
context: VisitContext | null, };

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

/**
 * A stored message.
 */
export type MessageId = string;

/**
 * What a message carries.
 */
export type MessageKind = "text" | "file" | "system";

/**
 * A page of a session's messages (agent and customer history).
 */
export type MessageList = {
/**
 * Messages in `seq` order.
 */
messages: Array<MessageView>, };

/**
 * A message (the same for agents and customers).
 */
export type MessageView = { id: MessageId, session_id: SessionId, seq: number, sender_type: SenderType, sender_agent_id: AgentId | null, content: string, message_type: MessageKind, attachment: AttachmentView | null, system_event: SystemEvent | null, client_message_id: string | null, created_at: string, };

/**
 * An internal note on a session.
 */
export type Note = {
/**
 * Note id.
 */
id: NoteId,
/**
 * Owning tenant.
 */
tenant_id: TenantId,
/**
 * The session the note is about.
 */
session_id: SessionId,
/**
 * Who wrote it.
 */
author_agent_id: AgentId,
/**
 * The note text.
 */
content: string,
/**
 * When it was written.
 */
created_at: string, };

/**
 * An internal note on a session.
 */
export type NoteId = string;

/**
 * `GET /v1/chat/sessions/{id}/notes`.
 */
export type NoteList = {
/**
 * The session's internal notes, oldest first.
 */
notes: Array<Note>, };

/**
 * `POST /v1/chat/sessions/{id}/notes`.
 */
export type NoteRequest = {
/**
 * The note's text (agents only).
 */
content: string, };

/**
 * What the widget offers when closed.
 */
export type OfflineBehavior = "show_message" | "collect_contact" | "redirect";

/**
 * A page view as the widget reports it (the `context` of a session start, the `page_view`
 * socket frame). Every field is optional; empty strings count as absent.
 */
export type PageView = {
/**
 * The page's URL (`location.href`), `http` or `https`.
 */
url?: string | null,
/**
 * The page's title (`document.title`).
 */
title?: string | null,
/**
 * Where the customer came from (`document.referrer`).
 */
referrer?: string | null,
/**
 * The browser's user agent (`navigator.userAgent`); stored only as browser and OS.
 */
user_agent?: string | null,
/**
 * The browser's language (`navigator.language`), a BCP 47 tag.
 */
language?: string | null,
/**
 * The customer's IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
 */
time_zone?: string | null, };

/**
 * What an agent is, as routing and colleagues see it.
 */
export type Presence = "online" | "away" | "offline";

/**
 * `PUT /v1/chat/me/presence`.
 */
export type PresenceRequest = {
/**
 * `online`, `away` or `offline`.
 */
status: Presence, };

/**
 * `PUT /v1/chat/me/presence`'s answer.
 */
export type PresenceView = { agent_id: AgentId, presence: Presence, };

/**
 * `GET /healthz` and `GET /readyz`.
 */
export type ProbeStatus = {
/**
 * `ok`, `ready` or `unavailable`.
 */
status: "ok" | "ready" | "unavailable", };

/**
 * A project inside a tenant; widgets and sessions belong to one.
 */
export type ProjectId = string;

/**
 * The assigned agent as customers see them.
 */
export type PublicAgentView = { id: AgentId, display_name: string, avatar_url: string | null, };

/**
 * What a customer's browser learns about a widget: appearance and behaviour, never the
 * identity secret, tenant or project.
 */
export type PublicWidgetConfig = {
/**
 * Widget id.
 */
id: WidgetId,
/**
 * Greeting.
 */
welcome_message: string,
/**
 * Offline text.
 */
offline_message: string,
/**
 * Accent colour.
 */
primary_color: string,
/**
 * Text and border colour.
 */
secondary_color: string,
/**
 * Launcher placement.
 */
position: WidgetPosition,
/**
 * Colour scheme: `light`, `dark` or `auto` (the visitor's `prefers-color-scheme`).
 */
theme: WidgetTheme,
/**
 * Whether the widget sends what the customer types before it is sent (agents see it
 * live); the widget then says so under its message box.
 */
typing_preview: boolean,
/**
 * Auto-open delay in ms.
 */
auto_open_delay: number | null,
/**
 * Show agent names and avatars.
 */
show_agent_avatars: boolean,
/**
 * Uploads allowed.
 */
allow_file_uploads: boolean,
/**
 * Largest upload in bytes.
 */
max_upload_bytes: number,
/**
 * Accepted upload media types.
 */
allowed_upload_types: Array<string>,
/**
 * Email required before chatting.
 */
require_email: boolean,
/**
 * Open right now.
 */
is_open: boolean,
/**
 * When it opens next, when closed.
 */
next_open_at: string | null,
/**
 * What to offer when closed.
 */
offline_behavior: OfflineBehavior,
/**
 * Where `redirect` sends the customer.
 */
offline_redirect_url: string | null,
/**
 * Whether an agent of the widget's routing pool holding its required skills is online
 * (whatever their load).
 */
agents_online: boolean,
/**
 * Whether starting a session is refused (`no_agents_available`) while `agents_online`
 * is `false`; the widget then shows its offline behaviour.
 */
offline_when_no_agents: boolean, };

/**
 * `GET /v1/chat/queue`: the supervisors' queue board.
 */
export type QueueBoardView = { waiting: Array<QueuedSessionView>, departments: Array<QueuedDepartmentView>, agents: Array<QueuedAgentView>, };

/**
 * An agent's presence and load on the queue board.
 */
export type QueuedAgentView = { agent_id: AgentId, display_name: string, presence: Presence, active_sessions: number, max_concurrent_sessions: number | null, };

/**
 * A department's waiting count on the queue board.
 */
export type QueuedDepartmentView = { name: string, waiting: number, };

/**
 * A waiting session on the queue board.
 */
export type QueuedSessionView = { session: SessionView, waiting_seconds: number, };

/**
 * A read marker.
 */
export type ReadMarkerView = { session_id: SessionId, participant: string, last_read_seq: number, updated_at: string, };

/**
 * `POST …/read` (agents and customers).
 */
export type ReadRequest = {
/**
 * The highest `seq` read.
 */
seq: number, };

/**
 * What an agent may do beyond answering chats.
 */
export type Role = "agent" | "supervisor" | "admin";

/**
 * How a widget's new sessions find an agent.
 */
export type RoutingMode = "manual" | "round_robin" | "least_busy";

/**
 * A widget's `routing` settings.
 */
export type RoutingSettings = {
/**
 * The mode.
 */
mode: RoutingMode,
/**
 * The department whose agents form the routing pool; `null`: the project's agents.
 */
department: string | null,
/**
 * Skills an agent must hold to be given the widget's sessions.
 */
required_skills: Array<string>,
/**
 * A session whose newest customer message had no reply from its agent for this long
 * moves to another eligible agent; `null`: never.
 */
reassign_after_seconds: number | null,
/**
 * Refuse new sessions (`409 no_agents_available`) while nobody of the pool is online.
 */
offline_when_no_agents: boolean, };

/**
 * A message to send.
 */
export type SendMessage = {
/**
 * Text, or a file's caption.
 */
content?: string,
/**
 * `text` (default) or `file`.
 */
message_type?: "text" | "file",
/**
 * For `file`: the id returned by the upload.
 */
attachment_id?: AttachmentId | null,
/**
 * The sender's idempotency key: a retry with the same key returns the stored message.
 */
client_message_id?: string | null, };

/**
 * Who sent a message.
 */
export type SenderType = "customer" | "agent" | "system";

/**
 * A frame from the server to a client.
 */
export type ServerFrame = { "type": "ready",
/**
 * This connection's id (for logs).
 */
connection_id: string,
/**
 * The signed-in agent (agent sockets).
 */
agent_id?: AgentId,
/**
 * The customer's session (customer sockets).
 */
session_id?: SessionId,
/**
 * The largest frame the server accepts.
 */
max_frame_bytes: number, } | { "type": "error",
/**
 * The stable error code (`docs/protocol.md`).
 */
code: ErrorCode,
/**
 * A human-readable message.
 */
message: string,
/**
 * The failed request's `request_id`, echoed.
 */
request_id: JsonValue | null,
/**
 * The offending field, for validation errors.
 */
field?: string, } | { "type": "message_ack",
/**
 * The message's session.
 */
session_id: SessionId,
/**
 * The request's `request_id`, echoed.
 */
request_id: JsonValue | null,
/**
 * The sender's idempotency key, echoed.
 */
client_message_id: string | null,
/**
 * The committed message's sequence number.
 */
seq: number,
/**
 * Whether the `client_message_id` had been stored before (nothing new was stored).
 */
duplicate: boolean,
/**
 * The committed message.
 */
message: MessageView, } | { "type": "subscribed",
/**
 * The session.
 */
session_id: SessionId,
/**
 * The session's newest `seq`.
 */
last_seq: number,
/**
 * The request's `request_id`, echoed.
 */
request_id: JsonValue | null, } | { "type": "unsubscribed",
/**
 * The session.
 */
session_id: SessionId,
/**
 * The session's newest `seq`.
 */
last_seq: number,
/**
 * The request's `request_id`, echoed.
 */
request_id: JsonValue | null, } | { "type": "resumed",
/**
 * The session.
 */
session_id: SessionId,
/**
 * The last `seq` replayed (or the requested one when nothing was newer).
 */
last_seq: number,
/**
 * The request's `request_id`, echoed.
 */
request_id: JsonValue | null, } | { "type": "pong",
/**
 * The request's `request_id`, echoed.
 */
request_id: JsonValue | null, } | { "type": "resync_required",
/**
 * Why.
 */
reason: string, } | AgentEventFrame | CustomerEventFrame;

/**
 * A chat session (one conversation).
 */
export type SessionId = string;

/**
 * `GET /v1/chat/sessions`.
 */
export type SessionList = {
/**
 * One page of sessions, newest activity first.
 */
sessions: Array<SessionView>,
/**
 * The cursor of the next page, `null` on the last.
 */
next_cursor: string | null, };

/**
 * Where a session stands, as the usage guide names it.
 */
export type SessionStatus = "waiting" | "active" | "transferred" | "ended";

/**
 * A session as agents see it.
 */
export type SessionView = { id: SessionId, widget_id: WidgetId, project_id: ProjectId, status: SessionStatus, customer_email: string | null, customer_name: string | null, customer_verified: boolean, assigned_agent_id: AgentId | null, unassigned: boolean, transfer_target: TransferTarget | null, department: string | null, started_by_agent_id: AgentId | null, ended_by: EndedBy | null, last_seq: number, ticket_id: string | null, created_at: string, updated_at: string, last_activity_at: string, ended_at: string | null,
/**
 * When the oldest customer message without a later agent reply was sent; `null` when
 * every customer message has been answered.
 */
awaiting_reply_since: string | null,
/**
 * Customer messages after the requesting agent's read marker: in the list and the read
 * of a session; `null` where the view is not for one agent (events, other answers).
 */
unread_count: number | null, };

/**
 * `POST /v1/chat/ws-ticket`.
 */
export type SocketTicket = {
/**
 * The one-time ticket for `/v1/chat/ws?ticket=…`.
 */
ticket: string,
/**
 * Seconds until it expires.
 */
expires_in: number, };

/**
 * An agent starting a chat (the console's New Chat).
 */
export type StartAgentSession = {
/**
 * The widget the chat belongs to.
 */
widget_id: WidgetId,
/**
 * Customer's email (required).
 */
customer_email?: string | null,
/**
 * Customer's name (optional).
 */
customer_name?: string | null,
/**
 * Who the session is assigned to; unassigned (`waiting`) when absent.
 */
assigned_agent_id?: AgentId | null, };

/**
 * A customer starting a chat through a widget.
 */
export type StartCustomerSession = {
/**
 * Customer's name.
 */
customer_name?: string | null,
/**
 * Customer's email (required when the widget requires it).
 */
customer_email?: string | null,
/**
 * HMAC-SHA256 of the email with the widget's identity secret, computed by the host site.
 */
identity_hash?: string | null,
/**
 * The page the chat starts on (the customer context, agents only).
 */
context?: PageView | null, };

/**
 * What a system message records.
 */
export type SystemEvent = "joined" | "assigned" | "transferred" | "ended";

/**
 * An agent in the team list: the profile, presence and load.
 */
export type TeamMemberView = { presence: Presence, active_sessions: number, id: AgentId, display_name: string, avatar_url: string | null, roles: Array<Role>, projects: Array<ProjectId>, departments: Array<string>, skills: Array<string>, max_concurrent_sessions: number | null, };

/**
 * A tenant of the host TMS; everything belongs to exactly one.
 */
export type TenantId = string;

/**
 * `POST /v1/chat/sessions/{id}/ticket`.
 */
export type TicketCreated = {
/**
 * The host's ticket id.
 */
ticket_id: string,
/**
 * Where the ticket is shown, if the host has a URL for it.
 */
url: string | null, };

/**
 * `POST /v1/chat/sessions/{id}/ticket`.
 */
export type TicketRequestBody = {
/**
 * The ticket's subject; the host's sink chooses one when absent.
 */
subject?: string | null, };

/**
 * Where to transfer a session.
 */
export type TransferRequest = {
/**
 * To this agent.
 */
agent_id?: AgentId | null,
/**
 * Or to this department.
 */
department?: string | null, };

/**
 * Who a session was transferred to.
 */
export type TransferTarget = { "kind": "agent",
/**
 * The receiving agent.
 */
agent_id: AgentId, } | { "kind": "department",
/**
 * The receiving department.
 */
department: string, };

/**
 * Who is typing in a session.
 */
export type TypingFrame = {
/**
 * The session.
 */
session_id: SessionId,
/**
 * Customer or agent.
 */
sender_type: SenderType,
/**
 * The typing agent.
 */
agent_id: AgentId | null,
/**
 * Started (`true`) or stopped.
 */
is_typing: boolean,
/**
 * What the customer has typed so far (agents only, when the widget's `typing_preview`
 * is on); absent otherwise, always absent for customers.
 */
preview?: string, };

/**
 * `POST …/typing` (agents and customers).
 */
export type TypingRequest = {
/**
 * Whether the sender is typing.
 */
is_typing: boolean,
/**
 * A customer's draft so far (see the widget's `typing_preview`); dropped otherwise.
 */
preview?: string | null, };

/**
 * The customer context stored with a session: the last page view, validated.
 */
export type VisitContext = {
/**
 * The page's URL.
 */
url: string | null,
/**
 * The page's title.
 */
title: string | null,
/**
 * Where the customer came from.
 */
referrer: string | null,
/**
 * Browser and major version (`Chrome 131`), from the user agent.
 */
browser: string | null,
/**
 * Operating system (`Windows`, `macOS`, `Android 14`, `iOS 17`, `Linux`).
 */
os: string | null,
/**
 * The browser's language.
 */
language: string | null,
/**
 * The customer's IANA time zone.
 */
time_zone: string | null,
/**
 * When the widget reported it.
 */
updated_at: string, };

/**
 * `PATCH /v1/chat/public/widgets/{widget}/session` (the widget's `setVisitor`).
 */
export type VisitorRequest = {
/**
 * The customer's name.
 */
customer_name?: string | null,
/**
 * The customer's email.
 */
customer_email?: string | null, };

/**
 * The settings a new widget starts with, and the upload ceiling: the one place these defaults
 * live. [`WidgetInput::create`] starts from them; the agent API sends them with the widget list
 * so the console's "Create Widget" form shows them instead of a copy of its own.
 */
export type WidgetDefaults = {
/**
 * Welcome message.
 */
welcome_message: string,
/**
 * Offline message.
 */
offline_message: string,
/**
 * Launcher and header colour.
 */
primary_color: string,
/**
 * Text colour of the messages.
 */
secondary_color: string,
/**
 * Launcher corner.
 */
position: WidgetPosition,
/**
 * Colour scheme (the visitor's preference).
 */
theme: WidgetTheme,
/**
 * Whether agents see what the customer is typing (off).
 */
typing_preview: boolean,
/**
 * Auto-open delay (never).
 */
auto_open_delay: number | null,
/**
 * Whether agent avatars show.
 */
show_agent_avatars: boolean,
/**
 * Whether customers may upload files.
 */
allow_file_uploads: boolean,
/**
 * Whether the customer must give an email before chatting.
 */
require_email: boolean,
/**
 * Largest upload.
 */
max_upload_bytes: number,
/**
 * The most `max_upload_bytes` may be set to.
 */
max_upload_bytes_ceiling: number,
/**
 * Whether an ended chat becomes a ticket.
 */
auto_create_ticket: boolean, };

/**
 * A chat widget.
 */
export type WidgetId = string;

/**
 * The create/update form of a widget. On create, `name` and `domain` are required and every
 * other field takes its default; on update, only the fields present change.
 */
export type WidgetInput = {
/**
 * Internal name.
 */
name?: string | null,
/**
 * The project; defaults to the tenant's default project.
 */
project_id?: ProjectId | null,
/**
 * The domain where the widget is embedded.
 */
domain?: string | null,
/**
 * Further allowed domains.
 */
allowed_domains?: Array<string> | null,
/**
 * Greeting.
 */
welcome_message?: string | null,
/**
 * Offline text.
 */
offline_message?: string | null,
/**
 * `#rrggbb`.
 */
primary_color?: string | null,
/**
 * `#rrggbb`.
 */
secondary_color?: string | null,
/**
 * `bottom-right` or `bottom-left`.
 */
position?: WidgetPosition | null,
/**
 * `light`, `dark` or `auto`.
 */
theme?: WidgetTheme | null,
/**
 * Agents see what the customer is typing.
 */
typing_preview?: boolean | null,
/**
 * Milliseconds; 0 or null disables auto-open.
 */
auto_open_delay?: number | null,
/**
 * Show agent avatars.
 */
show_agent_avatars?: boolean | null,
/**
 * Allow uploads.
 */
allow_file_uploads?: boolean | null,
/**
 * Require email.
 */
require_email?: boolean | null,
/**
 * Business hours; `null` removes them (always open).
 */
business_hours?: BusinessHours | null,
/**
 * Largest upload in bytes.
 */
max_upload_bytes?: number | null,
/**
 * Create a ticket when a session ends.
 */
auto_create_ticket?: boolean | null,
/**
 * Routing settings, replaced whole (absent fields take their defaults).
 */
routing?: RoutingSettings | null,
/**
 * Minutes without a message before a session ends; `null` or `0`: never.
 */
auto_end_after_minutes?: number | null,
/**
 * Days after its end an ended session is deleted; `null`: kept.
 */
retention_days?: number | null, };

/**
 * `GET /v1/chat/widgets`.
 */
export type WidgetList = {
/**
 * The widgets the agent may see.
 */
widgets: Array<WidgetView>,
/**
 * What a new widget starts with (the console's "Create Widget" form).
 */
defaults: WidgetDefaults, };

/**
 * Where the launcher sits.
 */
export type WidgetPosition = "bottom-right" | "bottom-left";

/**
 * The widget's colour scheme for customers: `auto` follows the visitor's system preference
 * (`prefers-color-scheme`).
 */
export type WidgetTheme = "light" | "dark" | "auto";

/**
 * A widget as agents see it; the identity secret only for admins.
 */
export type WidgetView = { id: WidgetId, project_id: ProjectId, name: string, domain: string, allowed_domains: Array<string>, welcome_message: string, offline_message: string, primary_color: string, secondary_color: string, position: WidgetPosition, theme: WidgetTheme, typing_preview: boolean, auto_open_delay: number | null, show_agent_avatars: boolean, allow_file_uploads: boolean, require_email: boolean, business_hours: BusinessHours | null, max_upload_bytes: number, auto_create_ticket: boolean, routing: RoutingSettings, auto_end_after_minutes: number | null, retention_days: number | null, identity_secret?: string, created_at: string, updated_at: string, };
