// @ts-check
// Owns the customer column beside the open conversation: who the customer is, what the widget
// reports about their visit (page, browser, language, time zone, with their local time), their
// previous sessions (each opens as a read-only transcript), and the session's internal notes
// (agents only; the customer never sees them).

/** @typedef {import('../types/protocol').CustomerContext} CustomerContext */
/** @typedef {import('../types/protocol').MessageView} MessageView */
/** @typedef {import('../types/protocol').Note} Note */
/** @typedef {import('../types/protocol').SessionView} SessionView */
/** @typedef {import('../types/protocol').VisitContext} VisitContext */

import { createElement } from '../shared/dom.js';
import { callApi, sessionPath } from './api.js';
import { agentName } from './conversation.js';
import { openDialog } from './dialogs.js';
import { reportError } from './layout.js';
import { sessionsPage, state } from './state.js';
import { say } from './strings.js';

/**
 * Loads and draws the customer column for session `sessionId`.
 * @param {string} sessionId
 */
export function loadCustomerPanel(sessionId) {
  Promise.all([
    callApi('GET', sessionPath(sessionId, '/customer')),
    callApi('GET', sessionPath(sessionId, '/notes')),
  ]).then(([customer, noteList]) => {
    if (state.selectedSessionId !== sessionId) return;
    renderCustomerPanel(customer, noteList.notes);
  }, reportError);
}

/**
 * @param {CustomerContext} customer
 * @param {Note[]} notes
 */
function renderCustomerPanel(customer, notes) {
  const panel = sessionsPage.customerPanel;
  if (!panel) return;
  panel.textContent = '';
  sessionsPage.notesList = createElement('ul', { 'aria-label': say('notes') });
  notes.forEach(addNote);
  panel.appendChild(createElement('section', {}, [
    createElement('h3', { text: say('customer') }),
    createElement('dl', {}, [
      createElement('dt', { text: 'Email' }),
      createElement('dd', {}, [
        customer.customer_email || '—',
        customer.customer_verified ? createElement('span', { class: 'tag verified', text: say('verified') }) : '',
      ]),
      createElement('dt', { text: 'Name' }),
      createElement('dd', { text: customer.customer_name || '—' }),
    ]),
  ]));
  visit.section = createElement('section', { 'aria-label': say('visit') });
  panel.appendChild(visit.section);
  showVisit(customer.context);
  panel.appendChild(createElement('section', {}, [
    createElement('h3', { text: say('previous') }),
    previousSessions(customer),
  ]));
  panel.appendChild(createElement('section', {}, [
    createElement('h3', { text: say('notes') }),
    sessionsPage.notesList,
    noteForm(),
  ]));
}

/** The visit section on screen and the timer that keeps its local time current. */
const visit = { section: /** @type {HTMLElement | null} */ (null), clock: 0 };

/**
 * Draws what the widget reported about the open session's visit (`null`: nothing yet).
 * @param {VisitContext | null} context
 */
function showVisit(context) {
  const section = visit.section;
  clearTimeout(visit.clock);
  if (!section || !section.isConnected) return;
  section.textContent = '';
  section.appendChild(createElement('h3', { text: say('visit') }));
  if (!context) {
    section.appendChild(createElement('p', { class: 'hint', text: say('none') }));
    return;
  }
  const localTime = createElement('dd', { 'data-field': 'local_time' });
  /** @type {[string, string, string | null][]} */
  const rows = [
    ['page', 'url', context.url],
    ['pageTitle', 'title', context.title],
    ['referrer', 'referrer', context.referrer],
    ['browser', 'browser', [context.browser, context.os].filter(Boolean).join(' · ') || null],
    ['language', 'language', context.language],
    ['timeZone', 'time_zone', context.time_zone],
  ];
  const list = createElement('dl', {}, rows.flatMap(([label, field, value]) => [
    createElement('dt', { text: say(/** @type {any} */ (label)) }),
    createElement('dd', { 'data-field': field, text: value || '—' }),
  ]));
  if (context.time_zone) {
    list.append(createElement('dt', { text: say('localTime') }), localTime);
    const zone = context.time_zone;
    const tick = () => { localTime.textContent = localTimeIn(zone); };
    // Ticks just after each minute turns, while the panel shows this visit.
    const schedule = () => {
      visit.clock = window.setTimeout(() => {
        if (!localTime.isConnected) return;
        tick();
        schedule();
      }, 60000 - (Date.now() % 60000) + 50);
    };
    tick();
    schedule();
  }
  section.appendChild(list);
}

/**
 * The time of day now in IANA zone `zone` (`Tue 14:05`).
 * @param {string} zone
 */
function localTimeIn(zone) {
  try {
    return new Intl.DateTimeFormat([], { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit' })
      .format(new Date());
  } catch (e) {
    return '—';
  }
}

/**
 * A `visit_updated` event: redraws the visit section when it is about the open session.
 * @param {string} sessionId
 * @param {VisitContext} context
 */
export function visitUpdated(sessionId, context) {
  if (sessionId === state.selectedSessionId) showVisit(context);
}

/** @param {CustomerContext} customer */
function previousSessions(customer) {
  if (!customer.previous_sessions.length) return createElement('p', { class: 'hint', text: say('none') });
  return createElement('ul', {}, customer.previous_sessions.map((previous) => createElement('li', {}, [
    createElement('button', {
      class: 'btn',
      type: 'button',
      style: 'width:100%;text-align:left',
      text: new Date(previous.created_at).toLocaleDateString() + ' · ' + previous.status,
      onclick: () => openTranscript(previous),
    }),
  ])));
}

/**
 * Shows an earlier session's messages in a dialog: read-only, nothing to send or act on.
 * @param {SessionView} previous
 */
function openTranscript(previous) {
  callApi('GET', sessionPath(previous.id, '/messages?limit=200')).then((/** @type {{messages: MessageView[]}} */ answer) => {
    const title = say('transcript', { when: new Date(previous.created_at).toLocaleString() });
    const lines = answer.messages.map((message) => {
      const kind = message.message_type === 'system' ? 'system' : message.sender_type;
      const author = kind === 'agent' ? agentName(message.sender_agent_id) : kind === 'customer' ? say('customer') : '';
      const time = new Date(message.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      const text = message.content || (message.attachment ? message.attachment.name : '');
      return createElement('div', { class: 'msg ' + kind, 'data-seq': String(message.seq) }, [
        text,
        kind === 'system' ? '' : createElement('small', { text: author + ' · ' + time }),
      ]);
    });
    openDialog(title, [createElement('div', {
      class: 'log transcript',
      role: 'log',
      'aria-label': title,
    }, lines.length ? lines : [createElement('p', { class: 'hint', text: say('none') })])]);
  }, reportError);
}

function noteForm() {
  const note = createElement('textarea', { rows: 2, 'aria-label': say('addNote') });
  return createElement('form', {
    style: 'margin-top:8px;display:flex;flex-direction:column;gap:8px',
    onsubmit: (/** @type {Event} */ event) => {
      event.preventDefault();
      if (!note.value.trim() || !state.selectedSessionId) return;
      callApi('POST', sessionPath(state.selectedSessionId, '/notes'), { content: note.value }).then((added) => {
        note.value = '';
        addNote(added);
      }, reportError);
    },
  }, [note, createElement('button', { class: 'btn', type: 'submit', text: say('addNote') })]);
}

/**
 * Adds `note` to the open session's notes, once.
 * @param {Note} note
 */
export function addNote(note) {
  const list = sessionsPage.notesList;
  if (!list || note.session_id !== state.selectedSessionId) return;
  if (list.querySelector('[data-id="' + note.id + '"]')) return;
  const byline = agentName(note.author_agent_id) + ' · ' + new Date(note.created_at).toLocaleString();
  list.appendChild(createElement('li', { class: 'note', 'data-id': note.id }, [
    note.content,
    createElement('small', { text: byline }),
  ]));
}
