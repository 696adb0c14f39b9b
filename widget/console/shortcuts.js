// @ts-check
// Owns the sessions page's keyboard shortcuts: one table of keys and what each does, which is
// also what `?` lists. A single key never fires while the agent types in a text field (or
// while a dialog is open); a key with Alt works everywhere. docs/console.md lists the same.

import { createElement } from '../shared/dom.js';
import { focusComposer, openQuickResponses } from './composer.js';
import { assignToMe, openSession } from './conversation.js';
import { endSessionDialog, openDialog } from './dialogs.js';
import { shownSessionIds, toggleCustomerPanel } from './sessions.js';
import { sessionsPage, state } from './state.js';
import { say } from './strings.js';

/**
 * @typedef {object} Shortcut
 * @property {string[]} keys `KeyboardEvent.key` values, `Alt+` in front for Alt (shown as written)
 * @property {import('./strings.js').StringKey} label
 * @property {() => void} run
 */

/** @type {Shortcut[]} */
const SHORTCUTS = [
  { keys: ['j', 'Alt+ArrowDown'], label: 'keyNext', run: () => openNeighbour(1) },
  { keys: ['k', 'Alt+ArrowUp'], label: 'keyPrevious', run: () => openNeighbour(-1) },
  { keys: ['a'], label: 'keyAssign', run: assignToMe },
  { keys: ['e'], label: 'keyEnd', run: endSessionDialog },
  { keys: ['/'], label: 'keySearch', run: focusSearch },
  { keys: ['r'], label: 'keyReply', run: focusComposer },
  { keys: ['q'], label: 'keyQuick', run: openQuickResponses },
  { keys: ['n'], label: 'keyNotes', run: () => toggleCustomerPanel() },
  { keys: ['?'], label: 'keyHelp', run: shortcutsDialog },
];

/** Input types that take typed text (a checkbox or a button does not). */
const TEXT_INPUTS = /^(text|search|email|url|tel|password|number|date|time|datetime-local|month|week)$/;

/** Listens for the shortcuts on the whole page (once, at start). */
export function listenForShortcuts() {
  document.addEventListener('keydown', onShortcutKey);
}

/**
 * Whether `target` takes typed text.
 * @param {EventTarget | null} target
 */
function isTextField(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) {
    return true;
  }
  return target instanceof HTMLInputElement && TEXT_INPUTS.test(target.type);
}

/**
 * Whether `event` is the key `spec` (`j`, `?`, `Alt+ArrowDown`).
 * @param {string} spec
 * @param {KeyboardEvent} event
 */
function isKey(spec, event) {
  const alt = spec.startsWith('Alt+');
  const key = alt ? spec.slice(4) : spec;
  return event.altKey === alt && !event.ctrlKey && !event.metaKey && event.key === key;
}

/** @param {KeyboardEvent} event */
function onShortcutKey(event) {
  if (event.defaultPrevented || event.isComposing || state.page !== 'sessions' || !state.me) return;
  if (document.querySelector('dialog[open]')) return;
  const modified = event.altKey || event.ctrlKey || event.metaKey;
  if (!modified && isTextField(event.target)) return;
  const shortcut = SHORTCUTS.find((candidate) => candidate.keys.some((spec) => isKey(spec, event)));
  if (!shortcut) return;
  event.preventDefault();
  shortcut.run();
}

/**
 * Opens the session `step` places below (1) or above (-1) the open one in the list, or the
 * first. With Alt (from the message box) focus goes to the new message box, else to the list.
 * @param {number} step
 */
function openNeighbour(step) {
  const ids = shownSessionIds();
  if (!ids.length) return;
  const at = state.selectedSessionId ? ids.indexOf(state.selectedSessionId) : -1;
  const next = at < 0 ? 0 : Math.min(Math.max(at + step, 0), ids.length - 1);
  const fromComposer = document.activeElement === sessionsPage.composer;
  if (ids[next] !== state.selectedSessionId) openSession(ids[next], !fromComposer);
}

function focusSearch() {
  sessionsPage.grid?.classList.remove('open');
  /** @type {HTMLElement | null} */ (document.querySelector('.listcol input[type=search]'))?.focus();
}

/** `?`: every shortcut with its keys. */
function shortcutsDialog() {
  const rows = SHORTCUTS.map((shortcut) => createElement('div', { class: 'keys' }, [
    createElement('dt', {}, shortcut.keys.flatMap((spec, index) => [
      index ? ' or ' : '',
      createElement('kbd', { text: spec.replace('ArrowDown', '↓').replace('ArrowUp', '↑') }),
    ])),
    createElement('dd', { text: say(shortcut.label) }),
  ]));
  openDialog(say('shortcuts'), [
    createElement('p', { class: 'hint', text: say('shortcutsHint') }),
    createElement('dl', { class: 'shortcuts' }, rows),
  ]);
}
