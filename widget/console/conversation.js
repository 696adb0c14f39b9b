// @ts-check
// Owns the open conversation: opening a session (history over the socket, or REST when the
// socket is down), its header and actions, the message log, the composer with quick responses,
// typing indicators, sending text and files, and showing attachments.

/** @typedef {import('../types/protocol').SessionView} SessionView */
/** @typedef {import('../types/protocol').MessageView} MessageView */
/** @typedef {import('../types/protocol').AttachmentView} AttachmentView */
/** @typedef {import('../types/protocol').CannedView} CannedView */

import { createElement } from '../shared/dom.js';
import { callApi, fetchAttachment, sessionPath } from './api.js';
import { loadCustomerPanel } from './customer.js';
import { transferDialog } from './dialogs.js';
import { reportError, toast, updateTitle } from './layout.js';
import { customerLabel, renderSessionList, statusTag } from './sessions.js';
import { isLive, sendFrame } from './socket.js';
import { rememberSession, selectedSession, sessionsPage, signedInAgent, state } from './state.js';
import { say } from './strings.js';

const HISTORY_LIMIT = 200;
const TYPING_IDLE_MS = 3000;
const CUSTOMER_TYPING_SHOWN_MS = 8000;
const INLINE_IMAGE_TYPES = /^image\/(png|jpeg|gif|webp)$/;

/** The agent's own typing indicator and the customer's. */
const typing = { sent: false, idleTimer: 0, customerTimer: 0 };

/**
 * Opens session `sessionId` in the conversation column.
 * @param {string} sessionId
 */
export function openSession(sessionId) {
  const previous = state.selectedSessionId;
  if (previous && previous !== sessionId) sendFrame({ type: 'unsubscribe', session_id: previous });
  state.selectedSessionId = sessionId;
  renderSessionList();
  sessionsPage.grid?.classList.add('open');
  return callApi('GET', sessionPath(sessionId)).then((/** @type {SessionView} */ session) => {
    rememberSession(session);
    renderConversation(false);
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

/** The sequence number of the last message shown (where a resumed socket continues). */
export function lastShownSeq() {
  const shown = sessionsPage.log ? sessionsPage.log.querySelectorAll('[data-seq]') : [];
  const last = /** @type {HTMLElement | undefined} */ (shown[shown.length - 1]);
  return last ? Number(last.dataset.seq) : 0;
}

/**
 * Draws the open session. With `keepLog` (an update of the session on screen) only the header
 * is redrawn, keeping the log and the draft, unless the session has just ended or reopened.
 * @param {boolean} keepLog
 */
export function renderConversation(keepLog) {
  const session = selectedSession();
  const column = sessionsPage.conversation;
  if (!session || !column) return;
  const ended = session.status === 'ended';
  const oldLog = sessionsPage.log;
  const header = conversationHeader(session);
  const headerShown = sessionsPage.header && sessionsPage.header.parentNode === column;
  if (keepLog && headerShown && column.dataset.ended === String(ended)) {
    /** @type {HTMLElement} */ (sessionsPage.header).replaceWith(header);
    sessionsPage.header = header;
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
  column.appendChild(sessionsPage.log);
  column.appendChild(sessionsPage.typingLine);
  if (ended) {
    column.appendChild(createElement('p', { class: 'empty', text: say('ended') }));
    return;
  }
  const draft = composer();
  column.appendChild(draft.form);
  if (!keepLog) draft.input.focus();
}

/** @param {SessionView} session */
function conversationHeader(session) {
  const back = createElement('button', {
    class: 'btn back',
    type: 'button',
    'aria-label': 'Back to sessions',
    text: '‹',
    onclick: () => sessionsPage.grid?.classList.remove('open'),
  });
  return createElement('header', {}, [
    back,
    createElement('div', {}, [
      createElement('h2', { text: customerLabel(session) }),
      createElement('span', { class: 'hint', text: session.customer_email || '' }),
    ]),
    statusTag(session),
    createElement('div', { class: 'actions' }, sessionActions(session)),
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

/** @param {SessionView} session */
function sessionActions(session) {
  /** @type {HTMLElement[]} */
  const actions = [];
  const button = (/** @type {string} */ kind, /** @type {string} */ text, /** @type {() => void} */ onclick) =>
    createElement('button', { class: 'btn' + kind, type: 'button', text, onclick });
  if (canAssignToMe(session)) {
    actions.push(button(' primary', say('assignToMe'), () => sessionAction('/assign').catch(reportError)));
  }
  if (session.status !== 'ended') {
    actions.push(button('', say('transfer'), transferDialog));
    actions.push(button(' danger', say('end'), () => sessionAction('/end').catch(reportError)));
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
 * The quick response whose shortcut (without its slash) matches `typed` in full or, with
 * `prefix`, starts with it.
 * @param {string} typed
 * @param {boolean} prefix
 * @returns {CannedView | undefined}
 */
function cannedFor(typed, prefix) {
  return state.cannedResponses.find((canned) => {
    const shortcut = canned.shortcut.replace(/^\//, '');
    return prefix ? shortcut.startsWith(typed) : shortcut === typed;
  });
}

/** The message box with its attach button and quick responses. */
function composer() {
  const input = createElement('textarea', {
    rows: 1,
    'aria-label': say('message'),
    placeholder: say('message') + '…  (/ for quick responses)',
    onkeydown: (/** @type {KeyboardEvent} */ event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        sendDraft();
      }
    },
    oninput: () => {
      const shortcut = /^\/(\S*)$/.exec(input.value);
      if (shortcut) {
        const canned = cannedFor(shortcut[1], true);
        input.title = canned ? canned.text : '';
      }
      startTyping();
    },
  });
  const sendDraft = () => {
    const text = input.value;
    const shortcut = /^\/(\S+)$/.exec(text.trim());
    const canned = shortcut && cannedFor(shortcut[1], false);
    if (canned) {
      input.value = canned.text;
      return;
    }
    if (!text.trim()) return;
    input.value = '';
    stopTyping();
    sendMessage({ content: text, message_type: 'text' });
  };
  const file = createElement('input', {
    type: 'file',
    hidden: true,
    onchange: () => {
      const chosen = file.files && file.files[0];
      file.value = '';
      if (chosen) uploadFile(chosen);
    },
  });
  const attach = createElement('button', {
    class: 'btn',
    type: 'button',
    'aria-label': say('attach'),
    title: say('attach'),
    text: '+',
    onclick: () => file.click(),
  });
  const form = createElement('form', {
    class: 'composer',
    onsubmit: (/** @type {Event} */ event) => {
      event.preventDefault();
      sendDraft();
    },
  }, [
    attach,
    file,
    quickResponses(input),
    input,
    createElement('button', { class: 'btn primary', type: 'submit', text: say('send') }),
  ]);
  return { form, input };
}

/**
 * The quick-response picker that fills `input`.
 * @param {HTMLTextAreaElement} input
 */
function quickResponses(input) {
  const options = state.cannedResponses.map((canned) =>
    createElement('option', { value: canned.id, text: canned.shortcut + ' — ' + canned.text.slice(0, 40) }));
  const picker = createElement('select', {
    'aria-label': say('quick'),
    onchange: () => {
      const canned = state.cannedResponses.find((candidate) => candidate.id === picker.value);
      if (canned) {
        input.value = canned.text;
        input.focus();
      }
      picker.value = '';
    },
  }, [createElement('option', { value: '', text: say('quick') }), ...options]);
  picker.style.width = '160px';
  return picker;
}

function startTyping() {
  if (!typing.sent && state.selectedSessionId) {
    typing.sent = true;
    sendFrame({ type: 'typing_indicator', session_id: state.selectedSessionId, is_typing: true });
  }
  clearTimeout(typing.idleTimer);
  typing.idleTimer = window.setTimeout(stopTyping, TYPING_IDLE_MS);
}

function stopTyping() {
  if (typing.sent && state.selectedSessionId) {
    typing.sent = false;
    sendFrame({ type: 'typing_indicator', session_id: state.selectedSessionId, is_typing: false });
  }
}

/**
 * Shows or clears "Customer is typing…" for the open session.
 * @param {boolean} isTyping
 */
export function showCustomerTyping(isTyping) {
  const line = sessionsPage.typingLine;
  if (!line) return;
  clearTimeout(typing.customerTimer);
  line.textContent = isTyping ? say('typing') : '';
  if (isTyping) typing.customerTimer = window.setTimeout(() => { line.textContent = ''; }, CUSTOMER_TYPING_SHOWN_MS);
}

function newClientMessageId() {
  return 'a-' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
}

/**
 * Sends a message in the open session: over the socket, or REST when it is down.
 * @param {{ content: string, message_type: 'text' | 'file', attachment_id?: string }} message
 */
function sendMessage(message) {
  const sessionId = /** @type {string} */ (state.selectedSessionId);
  const clientMessageId = newClientMessageId();
  const body = { ...message, client_message_id: clientMessageId };
  const frame = { type: 'send_message', session_id: sessionId, request_id: clientMessageId, ...body };
  if (!sendFrame(/** @type {any} */ (frame))) {
    callApi('POST', sessionPath(sessionId, '/messages'), body).then(addMessage, reportError);
  }
}

/** @param {File} file */
function uploadFile(file) {
  const sessionId = /** @type {string} */ (state.selectedSessionId);
  const path = sessionPath(sessionId, '/attachments?filename=' + encodeURIComponent(file.name));
  callApi('POST', path, undefined, file).then((/** @type {AttachmentView} */ attachment) => {
    sendMessage({ content: '', message_type: 'file', attachment_id: attachment.id });
  }, reportError);
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
 * Adds `message` to the open session's log in seq order, once.
 * @param {MessageView} message
 */
export function addMessage(message) {
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
  log.insertBefore(bubble, later || null);
  log.scrollTop = log.scrollHeight;
  if (message.sender_type === 'customer') {
    if (sessionsPage.typingLine) sessionsPage.typingLine.textContent = '';
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
