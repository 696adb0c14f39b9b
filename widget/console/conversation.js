// @ts-check
// Owns the open conversation: opening a session (history over the socket, or REST when the
// socket is down), its header and actions, the message log, the composer with quick responses
// and the session's draft, typing indicators, and showing attachments. Sending is sending.js's.

/** @typedef {import('../types/protocol').SessionView} SessionView */
/** @typedef {import('../types/protocol').MessageView} MessageView */
/** @typedef {import('../types/protocol').AttachmentView} AttachmentView */

import { createElement } from '../shared/dom.js';
import { callApi, fetchAttachment, sessionPath } from './api.js';
import { loadCustomerPanel } from './customer.js';
import { endSessionDialog, transferDialog } from './dialogs.js';
import { reportError, toast, updateTitle } from './layout.js';
import { customerLabel, customerPanelOpen, listButton, renderSessionList, statusTag, toggleCustomerPanel } from './sessions.js';
import { sessionSeen } from './alerts.js';
import { composer, focusComposer } from './composer.js';
import { settleOutgoing, showOutgoing } from './sending.js';
import { isLive, sendFrame } from './socket.js';
import { rememberSession, selectedSession, sessionsPage, signedInAgent, state } from './state.js';
import { say } from './strings.js';

const HISTORY_LIMIT = 200;
const CUSTOMER_TYPING_SHOWN_MS = 8000;
const INLINE_IMAGE_TYPES = /^image\/(png|jpeg|gif|webp)$/;

/** The customer's typing indicator, and the line with their draft (the widget's typing_preview). */
const typing = { customerTimer: 0, draftLine: /** @type {HTMLElement | null} */ (null) };

/** The sessions this console's socket is subscribed to (by `resume`), to resume after a reconnect. */
const subscribed = new Set();

/** @returns {string[]} the ids of the sessions this console is subscribed to */
export function subscribedSessionIds() {
  return Array.from(subscribed);
}

/**
 * Opens session `sessionId` in the conversation column, with focus in its message box or,
 * with `stayInList` (moving through the list with the keyboard), on its entry in the list.
 * @param {string} sessionId
 * @param {boolean} [stayInList]
 */
export function openSession(sessionId, stayInList) {
  const previous = state.selectedSessionId;
  if (previous && previous !== sessionId) {
    subscribed.delete(previous);
    sendFrame({ type: 'unsubscribe', session_id: previous });
  }
  state.selectedSessionId = sessionId;
  sessionSeen(sessionId);
  // Opening a session reads it: the conversation marks each customer message read.
  const listed = state.sessions.get(sessionId);
  if (listed) listed.unread_count = 0;
  updateTitle();
  renderSessionList();
  if (stayInList) listButton(sessionId)?.focus();
  sessionsPage.grid?.classList.add('open');
  return callApi('GET', sessionPath(sessionId)).then((/** @type {SessionView} */ session) => {
    if (state.selectedSessionId !== sessionId) return;
    rememberSession({ ...session, unread_count: 0 });
    renderConversation(false, !stayInList);
    showOutgoing(sessionId);
    subscribed.add(sessionId);
    sendFrame({ type: 'resume', session_id: sessionId, after_seq: 0 });
    if (!isLive()) loadHistory(sessionId);
    loadCustomerPanel(sessionId);
  }, reportError);
}

/** @param {string} sessionId */
function loadHistory(sessionId) {
  return callApi('GET', sessionPath(sessionId, '/messages?limit=' + HISTORY_LIMIT)).then((answer) => {
    answer.messages.forEach(addMessage);
  }, reportError);
}

/**
 * Posts an action (`/assign`, `/end`, `/transfer`) on the open session and redraws it.
 * @param {string} action
 * @param {object} [body]
 * @returns {Promise<SessionView | null>}
 */
export function sessionAction(action, body) {
  const sessionId = /** @type {string} */ (state.selectedSessionId);
  return callApi('POST', sessionPath(sessionId, action), body || {}).then((session) => {
    if (session && session.id) {
      rememberSession(session);
      renderConversation(true);
      renderSessionList();
      updateTitle();
    }
    return session;
  });
}

/**
 * Reads the open session again (after a reconnect: it may have changed meanwhile) and redraws
 * its header, keeping the log and the draft.
 */
export function refreshOpenSession() {
  const sessionId = state.selectedSessionId;
  if (!sessionId) return Promise.resolve();
  return callApi('GET', sessionPath(sessionId)).then((/** @type {SessionView} */ session) => {
    if (state.selectedSessionId !== sessionId) return;
    rememberSession({ ...session, unread_count: 0 });
    renderConversation(true);
    renderSessionList();
  }, reportError);
}

/** The sequence number of the last message shown (where a resumed socket continues). */
export function lastShownSeq() {
  const shown = sessionsPage.log ? sessionsPage.log.querySelectorAll('[data-seq]') : [];
  const last = /** @type {HTMLElement | undefined} */ (shown[shown.length - 1]);
  return last ? Number(last.dataset.seq) : 0;
}

/**
 * Draws the open session. With `keepLog` (an update of the session on screen) only the header
 * is redrawn, keeping the log and the draft, unless the session has just ended or reopened.
 * A session drawn anew gets the focus in its message box unless `focusComposerToo` is false.
 * @param {boolean} keepLog
 * @param {boolean} [focusComposerToo]
 */
export function renderConversation(keepLog, focusComposerToo) {
  const session = selectedSession();
  const column = sessionsPage.conversation;
  if (!session || !column) return;
  const ended = session.status === 'ended';
  const oldLog = sessionsPage.log;
  const header = conversationHeader(session);
  const headerShown = sessionsPage.header && sessionsPage.header.parentNode === column;
  const focusedInHeader = headerShown && sessionsPage.header?.contains(document.activeElement)
    ? /** @type {HTMLElement} */ (document.activeElement) : null;
  if (keepLog && headerShown && column.dataset.ended === String(ended)) {
    /** @type {HTMLElement} */ (sessionsPage.header).replaceWith(header);
    sessionsPage.header = header;
    if (focusedInHeader) focusLike(header, focusedInHeader);
    return;
  }
  column.textContent = '';
  sessionsPage.header = header;
  column.dataset.ended = String(ended);
  column.appendChild(header);
  sessionsPage.log = keepLog && oldLog
    ? oldLog
    : createElement('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': say('message') });
  sessionsPage.typingLine = createElement('div', { class: 'typing', 'aria-live': 'polite' });
  // Not a live region: a draft changes a few times a second.
  typing.draftLine = createElement('p', { class: 'draft', hidden: true });
  column.appendChild(sessionsPage.log);
  column.appendChild(typing.draftLine);
  column.appendChild(sessionsPage.typingLine);
  if (focusedInHeader) focusLike(header, focusedInHeader);
  if (ended) {
    const byCustomer = session.ended_by === 'customer';
    column.appendChild(createElement('p', { class: 'empty', text: say(byCustomer ? 'endedByCustomer' : 'sessionEnded') }));
    return;
  }
  column.appendChild(composer().form);
  if (!keepLog && focusComposerToo !== false) focusComposer();
}

/**
 * Keeps the keyboard focus across a redrawn header: on the control with the text of `focused`,
 * else (that action is gone) on the header's heading.
 * @param {HTMLElement} header
 * @param {HTMLElement} focused
 */
function focusLike(header, focused) {
  const same = Array.from(header.querySelectorAll('button'))
    .find((control) => control.textContent === focused.textContent);
  /** @type {HTMLElement | null} */ (same || header.querySelector('h2'))?.focus();
}

/** @param {SessionView} session */
function conversationHeader(session) {
  const back = createElement('button', {
    class: 'btn back',
    type: 'button',
    'aria-label': say('back'),
    text: '‹',
    onclick: () => {
      sessionsPage.grid?.classList.remove('open');
      listButton(session.id)?.focus();
    },
  });
  return createElement('header', {}, [
    back,
    createElement('div', {}, [
      createElement('h2', { text: customerLabel(session), tabindex: '-1', 'data-focus-after-dialog': true }),
      createElement('span', { class: 'hint', text: session.customer_email || '' }),
    ]),
    statusTag(session),
    createElement('div', { class: 'actions' }, sessionActions(session)),
    createElement('button', {
      class: 'btn panel-toggle',
      type: 'button',
      'aria-controls': 'customer-panel',
      'aria-expanded': String(customerPanelOpen()),
      text: say('panel'),
      onclick: () => toggleCustomerPanel(),
    }),
  ]);
}

/**
 * Whether the signed-in agent may take `session`: it is unassigned, or being transferred to them.
 * @param {SessionView} session
 */
function canAssignToMe(session) {
  if (session.status === 'ended') return false;
  const transferredToMe = Boolean(session.transfer_target)
    && session.assigned_agent_id === signedInAgent().id
    && session.status === 'transferred';
  return session.unassigned || transferredToMe;
}

/** "Assign to Me" on the open session, when the agent may take it. */
export function assignToMe() {
  const session = selectedSession();
  if (!session) return;
  if (!canAssignToMe(session)) {
    toast(say('cannotAssign'));
    return;
  }
  sessionAction('/assign').catch(reportError);
}

/** @param {SessionView} session */
function sessionActions(session) {
  /** @type {HTMLElement[]} */
  const actions = [];
  const button = (/** @type {string} */ kind, /** @type {string} */ text, /** @type {() => void} */ onclick) =>
    createElement('button', { class: 'btn' + kind, type: 'button', text, onclick });
  if (canAssignToMe(session)) actions.push(button(' primary', say('assignToMe'), assignToMe));
  if (session.status !== 'ended') {
    actions.push(button('', say('transfer'), transferDialog));
    actions.push(button(' danger', say('end'), endSessionDialog));
  }
  if (session.ticket_id) {
    actions.push(createElement('span', { class: 'tag', text: session.ticket_id }));
  } else {
    actions.push(button('', say('ticket'), () => {
      callApi('POST', sessionPath(session.id, '/ticket'), {}).then((answer) => {
        toast(say('ticketMade', { id: answer.ticket_id }));
      }, reportError);
    }));
  }
  return actions;
}

/**
 * Shows or clears "Customer is typing…" for the open session, with what they typed so far
 * when the widget sends it (`preview`).
 * @param {boolean} isTyping
 * @param {string} [preview]
 */
export function showCustomerTyping(isTyping, preview) {
  const line = sessionsPage.typingLine;
  if (!line) return;
  clearTimeout(typing.customerTimer);
  line.textContent = isTyping ? say('typing') : '';
  showDraft(isTyping && preview ? preview : '');
  if (!isTyping) return;
  typing.customerTimer = window.setTimeout(() => {
    line.textContent = '';
    showDraft('');
  }, CUSTOMER_TYPING_SHOWN_MS);
}

/** The customer's draft under the conversation; hidden when empty. @param {string} text */
function showDraft(text) {
  const line = typing.draftLine;
  if (!line) return;
  line.hidden = !text;
  line.textContent = text ? say('draft', { text }) : '';
}

/**
 * The agent's display name, or the id when the agent is unknown.
 * @param {string | null | undefined} agentId
 */
export function agentName(agentId) {
  const agent = state.agents.find((candidate) => candidate.id === agentId);
  return agent ? agent.display_name : agentId || '';
}

/**
 * Adds `message` to the open session's log in seq order, once (in place of the agent's own
 * message shown as sending, when it is that one).
 * @param {MessageView} message
 */
export function addMessage(message) {
  settleOutgoing(message);
  const log = sessionsPage.log;
  if (message.session_id !== state.selectedSessionId || !log) return;
  if (log.querySelector('[data-seq="' + message.seq + '"]')) return;
  const kind = message.message_type === 'system' ? 'system' : message.sender_type;
  const bubble = createElement('div', { class: 'msg ' + kind, 'data-seq': String(message.seq) });
  if (message.attachment) bubble.appendChild(attachmentNode(message.attachment));
  if (message.content) bubble.appendChild(document.createTextNode(message.content));
  if (kind !== 'system') {
    const author = message.sender_type === 'agent' ? agentName(message.sender_agent_id) : say('customer');
    const time = new Date(message.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    bubble.appendChild(createElement('small', { text: author + ' · ' + time }));
  }
  const later = Array.from(log.children)
    .find((shown) => Number(/** @type {HTMLElement} */ (shown).dataset.seq) > message.seq);
  log.insertBefore(bubble, later || log.querySelector('.msg.outgoing'));
  log.scrollTop = log.scrollHeight;
  if (message.sender_type === 'customer') {
    showCustomerTyping(false);
    sendFrame({ type: 'mark_read', session_id: message.session_id, seq: message.seq });
  }
}

/**
 * An image shown inline, or a button that downloads the file.
 * @param {AttachmentView} attachment
 */
function attachmentNode(attachment) {
  if (INLINE_IMAGE_TYPES.test(attachment.content_type)) {
    const image = createElement('img', { alt: attachment.name });
    fetchAttachment(attachment.id).then(
      (blob) => { image.src = URL.createObjectURL(blob); },
      () => image.replaceWith(document.createTextNode(attachment.name)),
    );
    return image;
  }
  return createElement('button', {
    class: 'file',
    type: 'button',
    text: attachment.name + ' (' + Math.ceil(attachment.size / 1024) + ' KB)',
    onclick: () => {
      fetchAttachment(attachment.id).then((blob) => {
        createElement('a', { href: URL.createObjectURL(blob), download: attachment.name }).click();
      }, reportError);
    },
  });
}
