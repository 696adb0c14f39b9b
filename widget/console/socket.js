// @ts-check
// Owns the console's WebSocket: a one-time ticket over REST, then /v1/chat/ws; a ping every
// 25 s; reconnecting with jittered exponential backoff while the agent is signed in. What a
// frame means for the page is events.js's business.

/** @typedef {import('../types/protocol').ClientFrame} ClientFrame */
/** @typedef {import('../types/protocol').AgentEventFrame} AgentEventFrame */

import { callApi, socketUrl } from './api.js';
import { state } from './state.js';

const PING_EVERY_MS = 25000;
const FIRST_RETRY_MS = 1000;
const LONGEST_RETRY_MS = 30000;

/**
 * @typedef {object} SocketHandlers
 * @property {() => void} onOpen called on every (re)connection
 * @property {(frame: AgentEventFrame) => void} onFrame called with each frame the server sends
 */

/**
 * @typedef {object} LiveConnection
 * @property {WebSocket | null} socket the current socket, if any
 * @property {number} retryDelayMs the backoff before the next attempt
 * @property {number} pingTimer the ping interval's id
 * @property {SocketHandlers} handlers
 */

/** @type {LiveConnection} */
const live = {
  socket: null,
  retryDelayMs: FIRST_RETRY_MS,
  pingTimer: 0,
  handlers: { onOpen: () => {}, onFrame: () => {} },
};

/**
 * Sends `frame` if the socket is open; answers whether it did.
 * @param {ClientFrame} frame
 * @returns {boolean}
 */
export function sendFrame(frame) {
  if (live.socket && live.socket.readyState === WebSocket.OPEN) {
    live.socket.send(JSON.stringify(frame));
    return true;
  }
  return false;
}

/** @returns {boolean} whether the socket is open */
export function isLive() {
  return Boolean(live.socket && live.socket.readyState === WebSocket.OPEN);
}

/**
 * Opens the socket unless one is open or opening.
 * @param {SocketHandlers} [handlers] replaces the handlers (the first call sets them)
 */
export function connect(handlers) {
  if (handlers) live.handlers = handlers;
  if (!state.token || (live.socket && live.socket.readyState <= WebSocket.OPEN)) return;
  callApi('POST', '/v1/chat/ws-ticket').then((answer) => open(answer.ticket), retryLater);
}

/** Closes the socket for good (signing out). */
export function disconnect() {
  const socket = live.socket;
  live.socket = null;
  if (socket) {
    socket.onclose = null;
    socket.close();
  }
}

/** @param {string} ticket */
function open(ticket) {
  const socket = new WebSocket(socketUrl(ticket));
  live.socket = socket;
  socket.onopen = () => {
    live.retryDelayMs = FIRST_RETRY_MS;
    live.handlers.onOpen();
    clearInterval(live.pingTimer);
    live.pingTimer = window.setInterval(() => sendFrame({ type: 'ping' }), PING_EVERY_MS);
  };
  socket.onmessage = (event) => {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch (_notJson) {
      return;
    }
    live.handlers.onFrame(frame);
  };
  socket.onclose = () => {
    clearInterval(live.pingTimer);
    if (socket === live.socket && state.token) retryLater();
  };
}

function retryLater() {
  const delay = live.retryDelayMs * (0.5 + Math.random());
  live.retryDelayMs = Math.min(live.retryDelayMs * 2, LONGEST_RETRY_MS);
  setTimeout(() => connect(), delay);
}
