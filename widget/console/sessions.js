// @ts-check
// Owns the sessions page's layout and its session list: the filter tabs, the customer search,
// paging with "Load more", and how a session appears in the list.

/** @typedef {import('../types/protocol').SessionView} SessionView */
/** @typedef {import('./state.js').SessionFilter} SessionFilter */

import { createElement } from '../shared/dom.js';
import { callApi } from './api.js';
import { openSession } from './conversation.js';
import { newChatDialog } from './dialogs.js';
import { drawShell, reportError, updateTitle } from './layout.js';
import { rememberSession, sessionsPage, state } from './state.js';
import { say } from './strings.js';

const PAGE_SIZE = '50';
const SEARCH_DELAY_MS = 250;
/** @type {SessionFilter[]} */
const FILTERS = ['all', 'unassigned', 'active'];

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
      createElement('div', { class: 'row' }, [filterTabs(), newChat]),
      searchBox(),
    ]),
    list,
    loadMore,
  ]));
  const conversation = createElement('section', { class: 'convo', 'aria-label': 'Conversation' }, [
    createElement('p', { class: 'empty', text: say('pick') }),
  ]);
  const customerPanel = createElement('aside', { class: 'col side', 'aria-label': say('customer') });
  grid.appendChild(conversation);
  grid.appendChild(customerPanel);
  main.appendChild(grid);
  Object.assign(sessionsPage, { grid, list, loadMore, conversation, customerPanel, header: null, log: null });
  loadSessions(true);
  if (state.selectedSessionId) openSession(state.selectedSessionId);
}

function filterTabs() {
  const tabs = createElement('div', { class: 'tabs', role: 'group', 'aria-label': 'Filter' }, FILTERS.map((filter) =>
    createElement('button', {
      type: 'button',
      'aria-pressed': String(state.filter === filter),
      'data-filter': filter,
      text: say(filter),
      onclick: () => {
        state.filter = filter;
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

/**
 * Whether `session` belongs in the list under the current filter and search.
 * @param {SessionView} session
 */
function matchesFilter(session) {
  if (state.filter === 'unassigned' && !session.unassigned) return false;
  if (state.filter === 'active' && session.status !== 'active') return false;
  if (state.search) {
    const wanted = state.search.toLowerCase();
    const email = (session.customer_email || '').toLowerCase();
    const name = (session.customer_name || '').toLowerCase();
    if (!email.includes(wanted) && !name.includes(wanted)) return false;
  }
  return true;
}

/**
 * Loads the first page of sessions (`reset`) or the next one.
 * @param {boolean} reset
 */
export function loadSessions(reset) {
  const query = new URLSearchParams({ limit: PAGE_SIZE });
  if (state.filter === 'unassigned') query.set('unassigned', 'true');
  if (state.filter === 'active') query.set('status', 'active');
  if (state.search) query.set('q', state.search);
  if (!reset && state.nextCursor) query.set('cursor', state.nextCursor);
  return callApi('GET', '/v1/chat/sessions?' + query).then((answer) => {
    if (reset) state.listedSessionIds = [];
    answer.sessions.forEach((/** @type {SessionView} */ session) => {
      rememberSession(session);
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

/** Redraws the list, most recently active first. */
export function renderSessionList() {
  const list = sessionsPage.list;
  if (!list || state.page !== 'sessions') return;
  list.textContent = '';
  const shown = state.listedSessionIds
    .map((id) => state.sessions.get(id))
    .filter(/** @returns {session is SessionView} */ (session) => Boolean(session && matchesFilter(session)));
  shown.sort((first, second) => (first.last_activity_at < second.last_activity_at ? 1 : -1));
  if (!shown.length) list.appendChild(createElement('li', { class: 'empty', text: say('noSessions') }));
  shown.forEach((session) => list.appendChild(sessionListItem(session)));
  if (sessionsPage.loadMore) sessionsPage.loadMore.hidden = !state.nextCursor;
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
  const subline = [session.customer_email, new Date(session.last_activity_at).toLocaleString()]
    .filter(Boolean)
    .join(' · ');
  const button = createElement('button', {
    type: 'button',
    'aria-current': String(state.selectedSessionId === session.id),
    'data-session': session.id,
    onclick: () => openSession(session.id),
  }, [
    createElement('span', { class: 'dot', 'aria-hidden': 'true' }),
    createElement('span', { class: 'name', text: customerLabel(session) }),
    statusTag(session),
    createElement('span', { class: 'sub', text: subline }),
  ]);
  return createElement('li', { class: session.unassigned ? 'unassigned' : '' }, [button]);
}
