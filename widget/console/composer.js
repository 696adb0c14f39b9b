// @ts-check
// Owns the open session's message box: its draft (kept per session while the agent looks at
// another), Enter to send and Shift+Enter for a new line, the agent's typing indicator, files,
// and quick responses: `/` and a shortcut lists the matches above the box, Tab or Enter (or a
// click on one) puts the first one's filled text in the box, and the Quick responses button
// opens the picker. Sending is sending.js's.

/** @typedef {import('../types/protocol').CannedView} CannedView */

import { createElement } from '../shared/dom.js';
import { cannedButton, cannedStartingWith, filledText, quickResponsesDialog } from './quick.js';
import { sendMessage, uploadFile } from './sending.js';
import { sendFrame } from './socket.js';
import { sessionsPage, state } from './state.js';
import { say } from './strings.js';

const TYPING_IDLE_MS = 3000;
/** How many matching quick responses the list above the box shows. */
const SUGGESTIONS_SHOWN = 5;

/** The agent's own typing indicator. */
const typing = { sent: false, idleTimer: 0 };

/** The message box of the open session (a new one each time a session opens). */
export function composer() {
  const suggestions = createElement('ul', { class: 'suggest', 'aria-label': say('quick'), hidden: true });
  const input = createElement('textarea', {
    rows: 1,
    'aria-label': say('message'),
    'aria-describedby': 'composer-hint',
    placeholder: say('message') + '…',
    value: state.drafts.get(/** @type {string} */ (state.selectedSessionId)) || '',
    onkeydown: (/** @type {KeyboardEvent} */ event) => onComposerKey(event, input),
    oninput: () => {
      keepDraft(input.value);
      showSuggestions(suggestions, input);
      startTyping();
    },
  });
  sessionsPage.composer = input;
  const file = createElement('input', {
    type: 'file',
    hidden: true,
    onchange: () => {
      const chosen = file.files && file.files[0];
      file.value = '';
      if (chosen) uploadFile(chosen);
    },
  });
  const button = (/** @type {string} */ label, /** @type {string} */ text, /** @type {() => void} */ onclick) =>
    createElement('button', { class: 'btn', type: 'button', 'aria-label': label, title: label, text, onclick });
  const form = createElement('form', {
    class: 'composer',
    onsubmit: (/** @type {Event} */ event) => {
      event.preventDefault();
      submitDraft(input);
    },
  }, [
    suggestions,
    createElement('div', { class: 'row' }, [
      button(say('attach'), '+', () => file.click()),
      file,
      button(say('quick'), '⚡', openQuickResponses),
      input,
      createElement('button', { class: 'btn primary', type: 'submit', text: say('send') }),
    ]),
    createElement('span', { class: 'hint', id: 'composer-hint', text: say('composerHint') }),
  ]);
  return { form, input };
}

/**
 * The quick response a `/shortcut` being typed in `input` names (the closest match), if any.
 * @param {HTMLTextAreaElement} input
 * @returns {CannedView | undefined}
 */
function typedShortcut(input) {
  const typed = /^\/(\S*)$/.exec(input.value.trim());
  return typed ? cannedStartingWith(typed[1])[0] : undefined;
}

/**
 * Enter sends (or, on a `/shortcut`, inserts its quick response); Tab on a `/shortcut` inserts
 * it; Shift+Enter is a new line.
 * @param {KeyboardEvent} event
 * @param {HTMLTextAreaElement} input
 */
function onComposerKey(event, input) {
  if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
  const completes = (event.key === 'Tab' || event.key === 'Enter') && !event.shiftKey;
  const canned = completes ? typedShortcut(input) : undefined;
  if (canned) {
    event.preventDefault();
    insertIntoComposer(filledText(canned));
  } else if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    submitDraft(input);
  }
}

/**
 * Lists the quick responses the `/shortcut` being typed matches, above the box.
 * @param {HTMLElement} list
 * @param {HTMLTextAreaElement} input
 */
function showSuggestions(list, input) {
  const typed = /^\/(\S*)$/.exec(input.value.trim());
  const found = typed ? cannedStartingWith(typed[1]).slice(0, SUGGESTIONS_SHOWN) : [];
  list.textContent = '';
  list.hidden = !found.length;
  found.forEach((canned) => list.appendChild(createElement('li', {}, [
    cannedButton(canned, (chosen) => insertIntoComposer(filledText(chosen))),
  ])));
}

/** @param {HTMLTextAreaElement} input */
function submitDraft(input) {
  const text = input.value;
  if (!text.trim()) return;
  input.value = '';
  keepDraft('');
  stopTyping();
  sendMessage({ content: text, message_type: 'text' });
}

/**
 * Puts `text` in the open session's message box, in place of a `/shortcut` being typed or at
 * the cursor, and focuses the box.
 * @param {string} text
 */
export function insertIntoComposer(text) {
  const input = sessionsPage.composer;
  if (!input || !input.isConnected) return;
  if (/^\/\S*$/.test(input.value.trim())) {
    input.value = text;
  } else {
    input.setRangeText(text, input.selectionStart, input.selectionEnd, 'end');
  }
  input.dispatchEvent(new Event('input'));
  focusComposer();
}

/** Focuses the open session's message box, the cursor at its end. */
export function focusComposer() {
  const input = sessionsPage.composer;
  if (!input || !input.isConnected) return;
  input.focus();
  input.setSelectionRange(input.value.length, input.value.length);
}

/** Opens the quick-response picker for the open session's message box. */
export function openQuickResponses() {
  if (sessionsPage.composer && sessionsPage.composer.isConnected) quickResponsesDialog(insertIntoComposer);
}

/**
 * Keeps `text` as the open session's draft (an empty text forgets it).
 * @param {string} text
 */
function keepDraft(text) {
  const sessionId = state.selectedSessionId;
  if (!sessionId) return;
  if (text) state.drafts.set(sessionId, text);
  else state.drafts.delete(sessionId);
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
