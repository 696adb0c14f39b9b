// @ts-check
// Owns quick responses as agents insert them: finding one by its shortcut or by any words of
// it, filling its placeholders for the open session ({customer_name}, {customer_email},
// {agent_name}; any other braces stay as written), and the picker dialog. Managing them is
// quick-page.js's.

/** @typedef {import('../types/protocol').CannedView} CannedView */

import { createElement } from '../shared/dom.js';
import { openDialog } from './dialogs.js';
import { selectedSession, signedInAgent, state } from './state.js';
import { say } from './strings.js';

/** What each placeholder becomes; a customer detail the session lacks becomes empty. */
const PLACEHOLDERS = {
  customer_name: () => selectedSession()?.customer_name || '',
  customer_email: () => selectedSession()?.customer_email || '',
  agent_name: () => signedInAgent().display_name,
};

/**
 * The shortcut as typed after `/` (a stored shortcut may start with its own slash).
 * @param {CannedView} canned
 */
export function bareShortcut(canned) {
  return canned.shortcut.replace(/^\//, '');
}

/**
 * The quick responses whose shortcut starts with `typed` (without its slash), the one that
 * matches in full first.
 * @param {string} typed
 * @returns {CannedView[]}
 */
export function cannedStartingWith(typed) {
  const wanted = typed.toLowerCase();
  return state.cannedResponses
    .filter((canned) => bareShortcut(canned).toLowerCase().startsWith(wanted))
    .sort((first, second) => bareShortcut(first).length - bareShortcut(second).length);
}

/**
 * The quick responses whose shortcut or text contains `query` (case-insensitive), by shortcut.
 * @param {string} query
 * @returns {CannedView[]}
 */
export function cannedMatching(query) {
  const wanted = query.trim().toLowerCase().replace(/^\//, '');
  return state.cannedResponses
    .filter((canned) => !wanted || (canned.shortcut + ' ' + canned.text).toLowerCase().includes(wanted))
    .sort((first, second) => (bareShortcut(first) < bareShortcut(second) ? -1 : 1));
}

/**
 * `canned`'s text with its placeholders filled for the open session and the signed-in agent.
 * @param {CannedView} canned
 */
export function filledText(canned) {
  return canned.text.replace(/\{(customer_name|customer_email|agent_name)\}/g, (_placeholder, name) =>
    PLACEHOLDERS[/** @type {keyof typeof PLACEHOLDERS} */ (name)]());
}

/**
 * One quick response as a button: its shortcut and the start of its text.
 * @param {CannedView} canned
 * @param {(canned: CannedView) => void} onChoose
 */
export function cannedButton(canned, onChoose) {
  return createElement('button', { type: 'button', class: 'canned', onclick: () => onChoose(canned) }, [
    createElement('strong', { text: '/' + bareShortcut(canned) }),
    createElement('span', { text: canned.text }),
  ]);
}

/**
 * The picker: a search box over every quick response; Enter or a click chooses one, and
 * `onChoose` gets its filled text after the dialog has closed.
 * @param {(text: string) => void} onChoose
 */
export function quickResponsesDialog(onChoose) {
  /** @type {CannedView | null} */
  let chosen = null;
  const list = createElement('ul', { class: 'picker', 'aria-label': say('quick') });
  const search = createElement('input', {
    type: 'search', 'aria-label': say('quickSearch'), placeholder: say('quickSearch'), autocomplete: 'off',
  });
  const choose = (/** @type {CannedView} */ canned) => {
    chosen = canned;
    dialog.close();
  };
  const draw = () => {
    list.textContent = '';
    const found = cannedMatching(search.value);
    if (!found.length) list.appendChild(createElement('li', { class: 'hint', text: say('noQuick') }));
    found.forEach((canned) => list.appendChild(createElement('li', {}, [cannedButton(canned, choose)])));
  };
  search.addEventListener('input', draw);
  search.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const first = cannedMatching(search.value)[0];
    if (first) choose(first);
  });
  const dialog = openDialog(say('quick'), [search, list]);
  dialog.addEventListener('close', () => {
    if (chosen) onChoose(filledText(chosen));
  });
  draw();
  search.focus();
}
