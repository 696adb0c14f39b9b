// @ts-check
// Owns the console's state: what the signed-in agent sees and has chosen, and the elements of
// the sessions page that other modules update. Every field is declared here, with its type;
// nothing adds fields later.

/** @typedef {import('../types/protocol').AgentView} AgentView */
/** @typedef {import('../types/protocol').SessionView} SessionView */
/** @typedef {import('../types/protocol').CannedView} CannedView */
/** @typedef {import('../types/protocol').WidgetView} WidgetView */
/** @typedef {import('../types/protocol').WidgetDefaults} WidgetDefaults */

/** @typedef {'sessions' | 'widgets' | 'quick' | 'queue'} ConsolePage */
/** @typedef {'all' | 'mine' | 'unassigned' | 'reply' | 'active' | 'ended'} SessionFilter */

const TOKEN_KEY = 'tmschat.token';
const FILTER_KEY = 'tmschat.filter';
/** @type {SessionFilter[]} the session list's tabs, in the order they are shown */
export const SESSION_FILTERS = ['all', 'mine', 'unassigned', 'reply', 'active', 'ended'];

/**
 * @typedef {object} ConsoleState
 * @property {string | null} token the agent's bearer token
 * @property {AgentView | null} me the signed-in agent
 * @property {ConsolePage} page the page on screen
 * @property {SessionFilter} filter the session list's filter tab (kept across reloads)
 * @property {string} search the customer search text
 * @property {Map<string, SessionView>} sessions every session seen, by id
 * @property {string[]} listedSessionIds the ids the list shows, in the order they were loaded
 * @property {string | null} nextCursor where the next page of the list starts
 * @property {string | null} selectedSessionId the open conversation
 * @property {Map<string, string>} drafts what the agent typed and did not send, by session id
 * @property {CannedView[]} cannedResponses the tenant's quick responses
 * @property {AgentView[]} agents the agents a session can be transferred to
 * @property {WidgetView[]} widgets the tenant's widgets
 * @property {WidgetDefaults | null} widgetDefaults what a new widget starts with (from the server)
 * @property {string | null} editingWidgetId the widget open in the editor
 * @property {import('../types/protocol').Presence} presence the signed-in agent's presence (the header's control)
 */

/** @type {ConsoleState} */
export const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  me: null,
  page: 'sessions',
  filter: savedFilter(),
  search: '',
  sessions: new Map(),
  listedSessionIds: [],
  nextCursor: null,
  selectedSessionId: null,
  drafts: new Map(),
  cannedResponses: [],
  agents: [],
  widgets: [],
  widgetDefaults: null,
  editingWidgetId: null,
  presence: 'online',
};

/**
 * The sessions page's elements; `null` until the page is drawn.
 * @typedef {object} SessionsPageElements
 * @property {HTMLElement | null} grid the three-column layout
 * @property {HTMLElement | null} list the session list
 * @property {HTMLButtonElement | null} loadMore the "Load more" button
 * @property {HTMLElement | null} conversation the conversation column
 * @property {HTMLElement | null} customerPanel the customer column
 * @property {HTMLElement | null} header the open conversation's header
 * @property {HTMLElement | null} log the open conversation's messages
 * @property {HTMLElement | null} typingLine "Customer is typing…"
 * @property {HTMLTextAreaElement | null} composer the open conversation's message box
 * @property {HTMLElement | null} notesList the open session's internal notes
 */

/** @type {SessionsPageElements} */
export const sessionsPage = {
  grid: null,
  list: null,
  loadMore: null,
  conversation: null,
  customerPanel: null,
  header: null,
  log: null,
  typingLine: null,
  composer: null,
  notesList: null,
};

/**
 * Keeps the agent's token for this browser tab, or forgets it (`null`).
 * @param {string | null} token
 */
export function rememberToken(token) {
  state.token = token;
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** @returns {SessionFilter} the tab chosen before the last reload, else `all` */
function savedFilter() {
  const saved = localStorage.getItem(FILTER_KEY);
  return SESSION_FILTERS.find((filter) => filter === saved) || 'all';
}

/** @param {SessionFilter} filter */
export function rememberFilter(filter) {
  state.filter = filter;
  localStorage.setItem(FILTER_KEY, filter);
}

/** @param {SessionView} session */
export function rememberSession(session) {
  // Events carry no unread count (they are not for one agent): keep the one known.
  const known = state.sessions.get(session.id);
  if (known && session.unread_count === null) session.unread_count = known.unread_count;
  state.sessions.set(session.id, session);
}

/** @returns {SessionView | undefined} the open conversation's session */
export function selectedSession() {
  return state.selectedSessionId ? state.sessions.get(state.selectedSessionId) : undefined;
}

/** @returns {boolean} whether the signed-in agent is a supervisor or an admin (sees the queue board) */
export function isSupervisor() {
  return Boolean(state.me && (state.me.roles.includes('supervisor') || state.me.roles.includes('admin')));
}

/** @returns {boolean} whether the signed-in agent is an admin (manages widgets and quick responses) */
export function isAdmin() {
  return Boolean(state.me && state.me.roles.includes('admin'));
}

/**
 * The signed-in agent; only called once signed in.
 * @returns {AgentView}
 */
export function signedInAgent() {
  if (!state.me) throw new Error('not signed in');
  return state.me;
}
