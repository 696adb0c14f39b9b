// @ts-check
// Owns the console's modal dialogs: starting a chat with a customer (and handing out its join
// link), transferring the open session, confirming an action that cannot be undone (ending a
// session), and copying text to the clipboard. Focus returns where it was when a dialog closes,
// or, when that element is gone (the End button of a session that just ended), to the page's
// `[data-focus-after-dialog]` element or its `main`.

/** @typedef {import('../types/protocol').AgentStartedSession} AgentStartedSession */
/** @typedef {import('../shared/dom.js').ElementChild} ElementChild */

import { createElement } from '../shared/dom.js';
import { callApi } from './api.js';
import { openSession, sessionAction } from './conversation.js';
import { reportError, toast } from './layout.js';
import { customerLabel, listSessionFirst, renderSessionList } from './sessions.js';
import { selectedSession, signedInAgent, state } from './state.js';
import { say } from './strings.js';

/**
 * Copies `text`, then labels `button` "Copied"; without clipboard access shows the text.
 * @param {string} text
 * @param {HTMLElement} [button]
 */
export function copyToClipboard(text, button) {
  const written = navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject(new Error('no clipboard'));
  written.then(() => {
    if (button) button.textContent = say('copied');
  }, () => toast(text));
}

/**
 * A button row at the dialog's end.
 * @param {ElementChild[]} buttons
 */
function dialogButtons(buttons) {
  return createElement('div', { class: 'row', style: 'justify-content:flex-end' }, buttons);
}

/**
 * Focuses `opener` if it is still on the page, else the page's fallback.
 * @param {HTMLElement | null} opener
 */
function restoreFocus(opener) {
  const fallback = /** @type {HTMLElement | null} */ (
    document.querySelector('[data-focus-after-dialog]') || document.getElementById('main'));
  const target = opener && opener.isConnected && opener !== document.body ? opener : fallback;
  if (target) target.focus();
}

/**
 * Shows `form` in a modal dialog named `title`; the dialog leaves the page when it closes and
 * focus goes back (`restoreFocus`).
 * @param {string} title
 * @param {HTMLFormElement} form
 * @returns {HTMLDialogElement}
 */
function showDialog(title, form) {
  const dialog = createElement('dialog', { 'aria-label': title }, [form]);
  const opener = /** @type {HTMLElement | null} */ (document.activeElement);
  dialog.addEventListener('close', () => {
    dialog.remove();
    restoreFocus(opener);
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  return dialog;
}

/**
 * Opens a dialog that only shows `children`, with a Close button (Escape closes it too).
 * @param {string} title
 * @param {ElementChild[]} children
 * @returns {HTMLDialogElement}
 */
export function openDialog(title, children) {
  return showDialog(title, createElement('form', { method: 'dialog' }, [
    createElement('h2', { text: title }),
    ...children,
    dialogButtons([createElement('button', { class: 'btn', type: 'submit', text: say('close') })]),
  ]));
}

/**
 * Opens a modal form. `onSubmit` may answer `true` to keep the dialog open; a rejection shows
 * its message in the form. Focus returns to where it was when the dialog closes.
 * @param {string} title
 * @param {ElementChild[]} fields
 * @param {string} submitText
 * @param {(dialog: HTMLDialogElement) => Promise<unknown> | unknown} onSubmit
 * @param {string} [submitKind] the submit button's extra class (`danger` for what cannot be undone)
 * @returns {HTMLDialogElement}
 */
export function modal(title, fields, submitText, onSubmit, submitKind) {
  const error = createElement('p', { class: 'err', role: 'alert' });
  const cancel = createElement('button', {
    class: 'btn', type: 'button', text: say('cancel'), onclick: () => dialog.close(),
  });
  const form = createElement('form', {
    onsubmit: (/** @type {Event} */ event) => {
      event.preventDefault();
      error.textContent = '';
      Promise.resolve(onSubmit(dialog)).then((keepOpen) => {
        if (keepOpen !== true) dialog.close();
      }, (/** @type {Error} */ failure) => { error.textContent = failure.message; });
    },
  }, [
    createElement('h2', { text: title }),
    ...fields,
    error,
    dialogButtons([cancel, createElement('button', {
      class: 'btn ' + (submitKind || 'primary'), type: 'submit', text: submitText,
    })]),
  ]);
  const dialog = showDialog(title, form);
  return dialog;
}

/** "New Chat": starts a session assigned to the agent and shows the customer's join link. */
export function newChatDialog() {
  const widgetOptions = state.widgets.map((widget) =>
    createElement('option', { value: widget.id, text: widget.name + ' (' + widget.domain + ')' }));
  const widget = createElement('select', { required: true }, widgetOptions);
  const email = createElement('input', { type: 'email', required: true, autocomplete: 'off' });
  const name = createElement('input', { type: 'text', autocomplete: 'off' });
  const fields = [
    createElement('label', {}, [say('widget'), widget]),
    createElement('label', {}, [say('email'), email]),
    createElement('label', {}, [say('name'), name]),
  ];
  modal(say('newChat'), fields, say('startChat'), (dialog) => {
    const body = {
      widget_id: widget.value,
      customer_email: email.value,
      customer_name: name.value || undefined,
      assigned_agent_id: signedInAgent().id,
    };
    return callApi('POST', '/v1/chat/sessions', body).then((/** @type {AgentStartedSession} */ session) => {
      listSessionFirst(session);
      renderSessionList();
      openSession(session.id);
      showJoinLink(dialog, session);
      return true;
    });
  });
  widget.focus();
}

/**
 * Replaces the new-chat form with the customer's join link.
 * @param {HTMLDialogElement} dialog
 * @param {AgentStartedSession} session
 */
function showJoinLink(dialog, session) {
  const link = createElement('input', {
    type: 'text', readonly: true, value: session.customer_join_url, 'aria-label': say('joinLink'),
  });
  const form = /** @type {HTMLFormElement} */ (dialog.querySelector('form'));
  form.textContent = '';
  form.appendChild(createElement('h2', { text: say('joinLink') }));
  form.appendChild(createElement('p', {
    class: 'hint', text: 'Send this link to ' + session.customer_email + ' to open the chat in the widget.',
  }));
  const copy = createElement('button', {
    class: 'btn',
    type: 'button',
    text: say('copy'),
    onclick: (/** @type {Event} */ event) => copyToClipboard(link.value, /** @type {HTMLElement} */ (event.target)),
  });
  form.appendChild(createElement('div', { class: 'join' }, [link, copy]));
  form.appendChild(dialogButtons([
    createElement('button', { class: 'btn primary', type: 'button', text: 'Done', onclick: () => dialog.close() }),
  ]));
  link.select();
}

/** "Transfer": hands the open session to another agent or a department. */
export function transferDialog() {
  const kind = createElement('select', {}, [
    createElement('option', { value: 'agent', text: say('agentOpt') }),
    createElement('option', { value: 'department', text: say('deptOpt') }),
  ]);
  const agent = /** @type {HTMLSelectElement} */ (createElement('select', { 'aria-label': say('agentOpt') }));
  fillAgentChoices(agent);
  // The team's presence and load move all day: read them again for this choice.
  callApi('GET', '/v1/chat/agents').then((answer) => {
    state.agents = answer.agents;
    fillAgentChoices(agent);
  }, reportError);
  const department = createElement('input', { type: 'text', hidden: true, 'aria-label': say('deptOpt') });
  kind.addEventListener('change', () => {
    agent.hidden = kind.value !== 'agent';
    department.hidden = kind.value === 'agent';
  });
  const fields = [createElement('label', {}, [say('transferTo'), kind]), agent, department];
  modal(say('transfer'), fields, say('transfer'), () =>
    sessionAction('/transfer', kind.value === 'agent' ? { agent_id: agent.value } : { department: department.value }));
}

/**
 * The transfer's agent choices: every other agent, with their presence and load
 * ("Sam Agent · online · 2/5").
 * @param {HTMLSelectElement} select
 */
function fillAgentChoices(select) {
  const chosen = select.value;
  select.textContent = '';
  state.agents
    .filter((agent) => agent.id !== signedInAgent().id)
    .forEach((/** @type {any} */ other) => {
      const load = other.max_concurrent_sessions == null
        ? say('openCount', { count: String(other.active_sessions ?? 0) })
        : (other.active_sessions ?? 0) + '/' + other.max_concurrent_sessions;
      const text = [other.display_name, other.presence && say(other.presence), load].filter(Boolean).join(' · ');
      select.appendChild(createElement('option', { value: other.id, text }));
    });
  if (chosen) select.value = chosen;
}

/** "End": asks before ending the open session; Cancel (or Escape) leaves it as it is. */
export function endSessionDialog() {
  const session = selectedSession();
  if (!session || session.status === 'ended') return;
  const text = createElement('p', { text: say('endText', { who: customerLabel(session) }) });
  const dialog = modal(say('endTitle'), [text], say('endConfirm'), () => sessionAction('/end'), 'danger confirm');
  /** @type {HTMLElement} */ (dialog.querySelector('button.confirm')).focus();
}
