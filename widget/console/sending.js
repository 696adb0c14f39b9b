// @ts-check
// Owns the agent's outgoing messages: sending text and files over the socket (REST when it is
// down), showing each in the log as "sending" until the server stores it, and, when a send
// fails (an error answer, no connection, or no acknowledgement in time), keeping its text in
// the log with the reason and a Retry button. A retry sends the same `client_message_id`, so
// the server stores the message once however often it is tried.

/** @typedef {import('../types/protocol').AttachmentView} AttachmentView */
/** @typedef {import('../types/protocol').MessageView} MessageView */

import { createElement } from '../shared/dom.js';
import { callApi, sessionPath } from './api.js';
import { addMessage } from './conversation.js';
import { reportError } from './layout.js';
import { sendFrame } from './socket.js';
import { sessionsPage, state } from './state.js';
import { say } from './strings.js';

/** A socket send with no acknowledgement after this long counts as failed (it may be retried). */
const ACK_TIMEOUT_MS = 10000;

/**
 * @typedef {object} OutgoingBody
 * @property {string} content
 * @property {'text' | 'file'} message_type
 * @property {string} [attachment_id]
 * @property {string} client_message_id
 */

/**
 * A message the agent sent that the server has not stored yet.
 * @typedef {object} Outgoing
 * @property {string} sessionId
 * @property {OutgoingBody} body
 * @property {string} label what the log shows (the text, or the file's name)
 * @property {string | null} failure why the last attempt failed, `null` while it is under way
 * @property {number} timer the acknowledgement timeout
 */

/** @type {Map<string, Outgoing>} by `client_message_id`, in the order they were sent */
const outgoing = new Map();

function newClientMessageId() {
  return 'a-' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
}

/**
 * Sends a message in the open session.
 * @param {{ content: string, message_type: 'text' | 'file', attachment_id?: string }} message
 * @param {string} [label] what the log shows while it is sending (defaults to the text)
 */
export function sendMessage(message, label) {
  const sessionId = /** @type {string} */ (state.selectedSessionId);
  const body = { ...message, client_message_id: newClientMessageId() };
  /** @type {Outgoing} */
  const entry = { sessionId, body, label: label || message.content, failure: null, timer: 0 };
  outgoing.set(body.client_message_id, entry);
  transmit(entry);
}

/**
 * Uploads `file` to the open session, then sends it as a file message.
 * @param {File} file
 */
export function uploadFile(file) {
  const sessionId = /** @type {string} */ (state.selectedSessionId);
  const path = sessionPath(sessionId, '/attachments?filename=' + encodeURIComponent(file.name));
  callApi('POST', path, undefined, file).then((/** @type {AttachmentView} */ attachment) => {
    sendMessage({ content: '', message_type: 'file', attachment_id: attachment.id }, attachment.name);
  }, reportError);
}

/**
 * One attempt: the socket frame (failed when no acknowledgement comes in time), else REST.
 * @param {Outgoing} entry
 */
function transmit(entry) {
  const id = entry.body.client_message_id;
  entry.failure = null;
  drawOutgoing(entry);
  const frame = { type: 'send_message', session_id: entry.sessionId, request_id: id, ...entry.body };
  if (sendFrame(/** @type {any} */ (frame))) {
    clearTimeout(entry.timer);
    entry.timer = window.setTimeout(() => sendFailed(id, say('noAnswer')), ACK_TIMEOUT_MS);
    return;
  }
  callApi('POST', sessionPath(entry.sessionId, '/messages'), entry.body).then(addMessage, (error) => {
    sendFailed(id, (error instanceof Error && error.message) || String(error));
  });
}

/**
 * Marks the message with `clientMessageId` as not sent, with `why`; answers whether it was one
 * of the agent's outgoing messages (a socket `error` frame's `request_id` is).
 * @param {string} clientMessageId
 * @param {string} why
 * @returns {boolean}
 */
export function sendFailed(clientMessageId, why) {
  const entry = outgoing.get(clientMessageId);
  if (!entry) return false;
  clearTimeout(entry.timer);
  entry.failure = why;
  drawOutgoing(entry);
  return true;
}

/**
 * The server stored `message`: it is no longer outgoing (its stored bubble replaces this one).
 * @param {MessageView} message
 */
export function settleOutgoing(message) {
  const entry = message.client_message_id ? outgoing.get(message.client_message_id) : undefined;
  if (!entry || message.sender_type !== 'agent') return;
  clearTimeout(entry.timer);
  outgoing.delete(message.client_message_id || '');
  bubbleOf(entry)?.remove();
}

/**
 * Shows the outgoing messages of `sessionId` (after its log was drawn anew).
 * @param {string} sessionId
 */
export function showOutgoing(sessionId) {
  outgoing.forEach((entry) => {
    if (entry.sessionId === sessionId) drawOutgoing(entry);
  });
}

/** @param {Outgoing} entry */
function bubbleOf(entry) {
  const log = sessionsPage.log;
  if (!log || entry.sessionId !== state.selectedSessionId) return null;
  return /** @type {HTMLElement | null} */ (
    log.querySelector('[data-cid="' + CSS.escape(entry.body.client_message_id) + '"]'));
}

/**
 * Draws `entry` at the end of the open log (when it is this session's): "Sending…", or the
 * reason it failed and a Retry button.
 * @param {Outgoing} entry
 */
function drawOutgoing(entry) {
  const log = sessionsPage.log;
  if (!log || entry.sessionId !== state.selectedSessionId) return;
  const failed = entry.failure !== null;
  const status = failed
    ? createElement('small', { role: 'alert', text: say('notSent', { why: entry.failure }) })
    : createElement('small', { text: say('sending') });
  const bubble = createElement('div', {
    class: 'msg agent outgoing' + (failed ? ' failed' : ''),
    'data-cid': entry.body.client_message_id,
  }, [
    entry.label || say('file'),
    status,
    failed && createElement('button', {
      class: 'btn retry', type: 'button', text: say('retry'),
      onclick: () => {
        transmit(entry);
        /** @type {HTMLElement | null} */ (document.querySelector('.composer textarea'))?.focus();
      },
    }),
  ]);
  const shown = bubbleOf(entry);
  if (shown) shown.replaceWith(bubble);
  else log.appendChild(bubble);
  log.scrollTop = log.scrollHeight;
}
