// @ts-check
// Owns what each live frame from the agent socket changes on screen: new messages, typing,
// session changes, notes, resyncs and errors, and which of them alert the agent (alerts.js);
// and catching up after a reconnect.

/** @typedef {import('../types/protocol').AgentEventFrame} AgentEventFrame */
/** @typedef {import('../types/protocol').SessionView} SessionView */

import { alertCustomerMessage, alertTransfer, alertWaitingSession } from './alerts.js';
import { addMessage, lastShownSeq, openSession, refreshOpenSession, renderConversation, showCustomerTyping, subscribedSessionIds } from './conversation.js';
import { addNote, visitUpdated } from './customer.js';
import { showPresence, toast, updateTitle } from './layout.js';
import { listSessionFirst, loadSessions, renderSessionList } from './sessions.js';
import { sendFailed } from './sending.js';
import { sendFrame } from './socket.js';
import { state } from './state.js';
import { say } from './strings.js';

/** Whether the socket has opened before (a later opening is a reconnect). */
const connection = { openedBefore: false };

/** Called on every opening of the socket: the first one has nothing to catch up on. */
export function socketOpened() {
  if (connection.openedBefore) catchUp();
  connection.openedBefore = true;
}

/**
 * After a reconnect or a `resync_required`: reloads the list for the current tab and search
 * (its unread counts and sessions that started meanwhile), then resumes every session this
 * console is subscribed to from its last known `seq` (the open one: the last message shown),
 * so what was sent meanwhile appears once, and redraws the open session.
 */
export function catchUp() {
  return loadSessions(true).then(() => {
    subscribedSessionIds().forEach((sessionId) => {
      const afterSeq = sessionId === state.selectedSessionId
        ? lastShownSeq()
        : state.sessions.get(sessionId)?.last_seq || 0;
      sendFrame({ type: 'resume', session_id: sessionId, after_seq: afterSeq });
    });
    return refreshOpenSession();
  });
}

/**
 * Applies one frame from the agent socket.
 * @param {any} frame an `AgentEventFrame` (or a frame type this console does not know)
 */
export function applyFrame(frame) {
  switch (frame.type) {
    case 'new_message':
      addMessage(frame.message);
      if (touchSession(frame.message)) alertCustomerMessage(frame.message, openSession);
      updateTitle();
      return;
    case 'message_ack':
      addMessage(frame.message);
      touchSession(frame.message);
      return;
    case 'typing_indicator':
      if (frame.session_id === state.selectedSessionId && frame.sender_type === 'customer') {
        showCustomerTyping(frame.is_typing, frame.preview);
      }
      return;
    case 'session_transferred':
      sessionChanged(frame.type, frame.session);
      alertTransfer(frame.target, frame.session, openSession);
      updateTitle();
      return;
    case 'session_created':
    case 'session_assigned':
    case 'session_updated':
    case 'session_ended':
      sessionChanged(frame.type, frame.session);
      return;
    case 'presence_changed':
      if (state.me && frame.agent_id === state.me.id) showPresence(frame.presence);
      return;
    case 'note_added':
      if (frame.note) addNote(frame.note);
      return;
    case 'visit_updated':
      visitUpdated(frame.session_id, frame.context);
      return;
    case 'resync_required':
      catchUp();
      return;
    case 'error':
      if (frame.request_id && sendFailed(frame.request_id, frame.message)) return;
      if (frame.code !== 'not_found' || frame.request_id) toast(frame.message);
      return;
    default:
      return;
  }
}

/**
 * A session changed (or appeared): list it, alert on a new unassigned chat, redraw.
 * @param {string} frameType
 * @param {SessionView} session
 */
function sessionChanged(frameType, session) {
  const isNew = !state.sessions.has(session.id);
  listSessionFirst(session);
  if (frameType === 'session_created' && isNew && session.unassigned) {
    alertWaitingSession(session, openSession);
    toast(say('newSession', { who: session.customer_name || session.customer_email || say('visitor') }));
  }
  renderSessionList();
  updateTitle();
  if (session.id === state.selectedSessionId) renderConversation(true);
}

/**
 * Moves a session up the list when a message arrives in it; answers whether the message is
 * new (a `seq` beyond the session's last), not history a `resume` replays.
 * @param {import('../types/protocol').MessageView} message
 * @returns {boolean}
 */
function touchSession(message) {
  const session = state.sessions.get(message.session_id);
  if (!session || message.seq <= session.last_seq) return false;
  session.last_seq = message.seq;
  session.last_activity_at = message.created_at;
  if (message.sender_type === 'customer') {
    session.awaiting_reply_since = session.awaiting_reply_since || message.created_at;
    if (session.id !== state.selectedSessionId) session.unread_count = (session.unread_count || 0) + 1;
  } else if (message.sender_type === 'agent') {
    session.awaiting_reply_since = null;
  }
  renderSessionList();
  return true;
}
