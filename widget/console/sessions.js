// @ts-check
// Owns the sessions page's layout and its session list: the filter tabs (All, Mine, Unassigned,
// Needs reply, Active, Ended; the one chosen survives a reload), the customer search, paging
// with "Load more", and how a session appears in the list (with its unread badge, and how
// long its customer has waited for a reply).

/** @typedef {import('../types/protocol').SessionView} SessionView */
/** @typedef {import('./state.js').SessionFilter} SessionFilter */

import { createElement } from '../shared/dom.js';
import { callApi } from './api.js';
import { openSession } from './conversation.js';
import { newChatDialog } from './dialogs.js';
import { drawShell, reportError, updateTitle } from './layout.js';
import { SESSION_FILTERS, rememberFilter, rememberSession, sessionsPage, signedInAgent, state } from './state.js';
import { say } from './strings.js';

const PAGE_SIZE = '50';
const SEARCH_DELAY_MS = 250;
/** Where the customer and notes panel fits beside the conversation (console.css agrees). */
const ROOM_FOR_PANEL = '(min-width: 1100px)';

/**
 * What each tab asks the server for, and which live session belongs in it: one rule per tab,
 * used for the list request and for sessions that change while the list is shown.
 * @typedef {object} FilterRule
 * @property {() => Record<string, string>} query the `GET /v1/chat/sessions` parameters
 * @property {(session: SessionView) => boolean} matches
 */

/** @type {Record<SessionFilter, FilterRule>} */
const FILTER_RULES = {
  all: { query: () => ({}), matches: () => true },
  mine: {
    query: () => ({ assigned_agent_id: signedInAgent().id }),
    matches: (session) => session.assigned_agent_id === signedInAgent().id,
  },
  unassigned: { query: () => ({ unassigned: 'true' }), matches: (session) => session.unassigned },
  reply: { query: () => ({ awaiting_reply: 'true' }), matches: (session) => Boolean(session.awaiting_reply_since) },
  active: { query: () => ({ status: 'active' }), matches: (session) => session.status === 'active' },
  ended: { query: () => ({ status: 'ended' }), matches: (session) => session.status === 'ended' },
};

/**
 * Draws the sessions page and loads its first page of sessions.
 * @param {() => void} signOut
 */
export function drawSessionsPage(signOut) {
  const main = drawShell('sessions', signOut);
  const grid = createElement('div', { class: 'sessions' });
  const list = createElement('ul', { class: 'list', 'aria-label': say('sessions') });
  const loadMore = createElement('button', {
    class: 'btn more', type: 'button', text: say('loadMore'), hidden: true, onclick: () => loadSessions(false),
  });
  const newChat = createElement('button', {
    class: 'btn primary', type: 'button', text: say('newChat'), onclick: newChatDialog,
  });
  grid.appendChild(createElement('section', { class: 'col listcol', 'aria-label': say('sessions') }, [
    createElement('div', { class: 'toolbar' }, [
      createElement('h1', { class: 'sr-only', text: say('sessions') }),
      createElement('div', { class: 'row' }, [searchBox(), newChat]),
      filterTabs(),
    ]),
    list,
    loadMore,
  ]));
  const conversation = createElement('section', { class: 'convo', 'aria-label': 'Conversation' }, [
    createElement('p', { class: 'empty', text: say('pick') }),
  ]);
  const customerPanel = createElement('aside', {
    class: 'col side',
    id: 'customer-panel',
    'aria-label': say('panel'),
    onkeydown: (/** @type {KeyboardEvent} */ event) => {
      if (event.key === 'Escape' && !matchMedia(ROOM_FOR_PANEL).matches) toggleCustomerPanel(false);
    },
  });
  grid.dataset.side = matchMedia(ROOM_FOR_PANEL).matches ? 'open' : 'closed';
  followScreenWidth();
  grid.appendChild(conversation);
  grid.appendChild(customerPanel);
  main.appendChild(grid);
  Object.assign(sessionsPage, { grid, list, loadMore, conversation, customerPanel, header: null, log: null });
  loadSessions(true);
  if (state.selectedSessionId) openSession(state.selectedSessionId);
}

let followingScreenWidth = false;

/** When the window narrows below room for the panel it closes, and opens when it widens again. */
function followScreenWidth() {
  if (followingScreenWidth) return;
  followingScreenWidth = true;
  matchMedia(ROOM_FOR_PANEL).addEventListener('change', (change) => toggleCustomerPanel(change.matches, false));
}

/** @returns {boolean} whether the customer and notes panel is shown */
export function customerPanelOpen() {
  return sessionsPage.grid?.dataset.side === 'open';
}

/**
 * Shows or hides (the opposite of now, without `open`) the customer and notes panel: beside the
 * conversation where there is room, over it on smaller screens. Opening it focuses the note
 * box (unless `moveFocus` is false); closing it while focus was inside gives focus to the
 * button that opens it.
 * @param {boolean} [open]
 * @param {boolean} [moveFocus]
 */
export function toggleCustomerPanel(open, moveFocus) {
  const grid = sessionsPage.grid;
  const panel = sessionsPage.customerPanel;
  if (!grid || !panel) return;
  const show = open === undefined ? !customerPanelOpen() : open;
  const focusWasInside = panel.contains(document.activeElement);
  grid.dataset.side = show ? 'open' : 'closed';
  const toggles = document.querySelectorAll('[aria-controls="customer-panel"]');
  toggles.forEach((toggle) => toggle.setAttribute('aria-expanded', String(show)));
  if (show && moveFocus !== false) /** @type {HTMLElement | null} */ (panel.querySelector('textarea'))?.focus();
  else if (focusWasInside) /** @type {HTMLElement | undefined} */ (toggles[0])?.focus();
}

function filterTabs() {
  const tabs = createElement('div', { class: 'tabs', role: 'group', 'aria-label': 'Filter' }, SESSION_FILTERS.map((filter) =>
    createElement('button', {
      type: 'button',
      'aria-pressed': String(state.filter === filter),
      'data-filter': filter,
      text: say(filter),
      onclick: () => {
        rememberFilter(filter);
        tabs.querySelectorAll('button').forEach((tab) => {
          tab.setAttribute('aria-pressed', String(tab.dataset.filter === filter));
        });
        loadSessions(true);
      },
    })));
  return tabs;
}

function searchBox() {
  let searchTimer = 0;
  const search = createElement('input', {
    type: 'search',
    placeholder: say('search'),
    'aria-label': say('search'),
    value: state.search,
    oninput: () => {
      clearTimeout(searchTimer);
      searchTimer = window.setTimeout(() => {
        state.search = search.value.trim();
        loadSessions(true);
      }, SEARCH_DELAY_MS);
    },
  });
  return search;
}

/** The ids of the sessions the server found for the current search (also by message text). */
const foundBySearch = new Set();

/**
 * Whether `session` belongs in the list under the current filter and search: a session the
 * server found for the search does; one seen live since is checked by its email and name.
 * @param {SessionView} session
 */
function matchesFilter(session) {
  if (!FILTER_RULES[state.filter].matches(session)) return false;
  if (state.search && !foundBySearch.has(session.id)) {
    const wanted = state.search.toLowerCase();
    const email = (session.customer_email || '').toLowerCase();
    const name = (session.customer_name || '').toLowerCase();
    if (!email.includes(wanted) && !name.includes(wanted)) return false;
  }
  return true;
}

/** @returns {string} the tab and search the list is for */
function listAsked() {
  return state.filter + '\n' + state.search;
}

/**
 * Loads the first page of sessions (`reset`) or the next one.
 * @param {boolean} reset
 */
export function loadSessions(reset) {
  const query = new URLSearchParams({ limit: PAGE_SIZE, ...FILTER_RULES[state.filter].query() });
  if (state.search) query.set('q', state.search);
  if (!reset && state.nextCursor) query.set('cursor', state.nextCursor);
  const askedFor = listAsked();
  return callApi('GET', '/v1/chat/sessions?' + query).then((answer) => {
    // An answer for a search or tab the agent has since left (typing on) is not shown.
    if (askedFor !== listAsked()) return;
    if (reset) {
      state.listedSessionIds = [];
      foundBySearch.clear();
    }
    answer.sessions.forEach((/** @type {SessionView} */ session) => {
      if (state.search) foundBySearch.add(session.id);
      // The open session is being read: its customer messages are marked read as they show.
      rememberSession(session.id === state.selectedSessionId ? { ...session, unread_count: 0 } : session);
      if (!state.listedSessionIds.includes(session.id)) state.listedSessionIds.push(session.id);
    });
    state.nextCursor = answer.next_cursor;
    renderSessionList();
    updateTitle();
  }, reportError);
}

/**
 * Puts `session` at the top of the list (a new or newly seen session).
 * @param {SessionView} session
 */
export function listSessionFirst(session) {
  rememberSession(session);
  if (!state.listedSessionIds.includes(session.id)) state.listedSessionIds.unshift(session.id);
}

/** Redraws the list, most recently active first (Needs reply: the longest wait first). */
export function renderSessionList() {
  const list = sessionsPage.list;
  if (!list || state.page !== 'sessions') return;
  const focused = /** @type {HTMLElement | null} */ (list.querySelector('button:focus'));
  const scrolled = list.scrollTop;
  list.textContent = '';
  const shown = state.listedSessionIds
    .map((id) => state.sessions.get(id))
    .filter(/** @returns {session is SessionView} */ (session) => Boolean(session && matchesFilter(session)));
  if (state.filter === 'reply') {
    shown.sort((first, second) => ((first.awaiting_reply_since || '') > (second.awaiting_reply_since || '') ? 1 : -1));
  } else {
    shown.sort((first, second) => (first.last_activity_at < second.last_activity_at ? 1 : -1));
  }
  if (!shown.length) list.appendChild(createElement('li', { class: 'empty', text: say('noSessions') }));
  shown.forEach((session) => list.appendChild(sessionListItem(session)));
  list.scrollTop = scrolled;
  if (focused) listButton(focused.dataset.session || '')?.focus({ preventScroll: true });
  if (sessionsPage.loadMore) sessionsPage.loadMore.hidden = !state.nextCursor;
}

/**
 * The list's button of session `sessionId`, if the list shows it.
 * @param {string} sessionId
 * @returns {HTMLButtonElement | null}
 */
export function listButton(sessionId) {
  return sessionsPage.list ? sessionsPage.list.querySelector('button[data-session="' + CSS.escape(sessionId) + '"]') : null;
}

/**
 * The ids of the sessions the list shows, top to bottom.
 * @returns {string[]}
 */
export function shownSessionIds() {
  const buttons = sessionsPage.list ? Array.from(sessionsPage.list.querySelectorAll('button[data-session]')) : [];
  return buttons.map((button) => /** @type {HTMLElement} */ (button).dataset.session || '');
}

/**
 * The session's status as a coloured tag ("Unassigned" while no agent has it).
 * @param {SessionView} session
 */
export function statusTag(session) {
  const status = session.unassigned ? 'unassigned' : session.status;
  return createElement('span', { class: 'tag ' + status, text: session.unassigned ? say('unassigned') : status });
}

/**
 * The customer's name, else email, else "Visitor".
 * @param {SessionView} session
 */
export function customerLabel(session) {
  return session.customer_name || session.customer_email || 'Visitor';
}

/** @param {SessionView} session */
function sessionListItem(session) {
  const waiting = session.awaiting_reply_since
    ? say('waitingSince', { time: new Date(session.awaiting_reply_since).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) })
    : '';
  const subline = [session.customer_email, new Date(session.last_activity_at).toLocaleString(), waiting]
    .filter(Boolean)
    .join(' · ');
  const unread = session.unread_count || 0;
  const button = createElement('button', {
    type: 'button',
    'aria-current': String(state.selectedSessionId === session.id),
    'data-session': session.id,
    onclick: () => openSession(session.id),
  }, [
    createElement('span', { class: 'dot', 'aria-hidden': 'true' }),
    createElement('span', { class: 'name', text: customerLabel(session) }),
    statusTag(session),
    createElement('span', {
      class: 'unread', text: String(unread), hidden: !unread, 'aria-label': say('unread', { count: String(unread) }),
    }),
    createElement('span', { class: 'sub', text: subline }),
  ]);
  return createElement('li', { class: session.unassigned ? 'unassigned' : '' }, [button]);
}
