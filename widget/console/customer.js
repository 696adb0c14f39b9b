// @ts-check
// Owns the customer column beside the open conversation: who the customer is, their previous
// sessions, and the session's internal notes (agents only; the customer never sees them).

/** @typedef {import('../types/protocol').CustomerContext} CustomerContext */
/** @typedef {import('../types/protocol').Note} Note */

import { createElement } from '../shared/dom.js';
import { callApi, sessionPath } from './api.js';
import { agentName, openSession } from './conversation.js';
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
      createElement('dd', { text: customer.customer_email || '—' }),
      createElement('dt', { text: 'Name' }),
      createElement('dd', { text: customer.customer_name || '—' }),
    ]),
  ]));
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

/** @param {CustomerContext} customer */
function previousSessions(customer) {
  if (!customer.previous_sessions.length) return createElement('p', { class: 'hint', text: say('none') });
  return createElement('ul', {}, customer.previous_sessions.map((previous) => createElement('li', {}, [
    createElement('button', {
      class: 'btn',
      type: 'button',
      style: 'width:100%;text-align:left',
      text: new Date(previous.created_at).toLocaleDateString() + ' · ' + previous.status,
      onclick: () => openSession(previous.id),
    }),
  ])));
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
