// @ts-check
// Owns the quick responses page (admins): the list with its search, the editor form (shortcut
// and text, with the server's field errors), saving a new or changed quick response, and
// deleting one after a confirmation. Which quick responses match a search is quick.js's rule,
// the same one the composer's picker uses.

/** @typedef {import('../types/protocol').CannedView} CannedView */
/** @typedef {import('../shared/http.js').ApiError} ApiError */

import { createElement } from '../shared/dom.js';
import { callApi } from './api.js';
import { modal } from './dialogs.js';
import { drawShell, toast } from './layout.js';
import { bareShortcut, cannedMatching } from './quick.js';
import { state } from './state.js';
import { say } from './strings.js';

/** The placeholders the hint names, written as they are typed (say() would fill them). */
const PLACEHOLDER_NAMES = {
  customer_name: '{customer_name}', customer_email: '{customer_email}', agent_name: '{agent_name}',
};

/** The page's elements and what it shows. */
const quickPage = {
  list: /** @type {HTMLElement | null} */ (null),
  editor: /** @type {HTMLElement | null} */ (null),
  search: '',
  /** @type {string | null} the quick response in the editor, `null` for a new one */
  editingId: null,
};

/**
 * Draws the quick responses page with the first quick response (or a new one) in the editor.
 * @param {() => void} signOut
 */
export function drawQuickResponsesPage(signOut) {
  const main = drawShell('quick', signOut);
  const list = createElement('ul', { class: 'list', 'aria-label': say('quick') });
  const editor = createElement('section', { class: 'editor', 'aria-label': say('quickEditor') });
  const search = createElement('input', {
    type: 'search', 'aria-label': say('quickSearch'), placeholder: say('quickSearch'), value: quickPage.search,
    oninput: () => {
      quickPage.search = search.value;
      renderQuickList();
    },
  });
  const create = createElement('button', {
    class: 'btn primary', type: 'button', text: say('newQuick'), onclick: () => editQuickResponse(null),
  });
  main.appendChild(createElement('div', { class: 'widgets' }, [
    createElement('section', { class: 'col listcol', 'aria-label': say('quick') }, [
      createElement('div', { class: 'toolbar' }, [create, search]),
      list,
    ]),
    editor,
  ]));
  Object.assign(quickPage, { list, editor });
  const editing = state.cannedResponses.find((canned) => canned.id === quickPage.editingId);
  editQuickResponse(editing || null, true);
}

/** Redraws the list: the quick responses the search matches, by shortcut. */
function renderQuickList() {
  const list = quickPage.list;
  if (!list) return;
  list.textContent = '';
  const found = cannedMatching(quickPage.search);
  if (!found.length) list.appendChild(createElement('li', { class: 'empty', text: say('noQuick') }));
  found.forEach((canned) => list.appendChild(createElement('li', {}, [createElement('button', {
    type: 'button',
    'aria-current': String(quickPage.editingId === canned.id),
    onclick: () => editQuickResponse(canned),
  }, [
    createElement('span', { class: 'dot', 'aria-hidden': 'true' }),
    createElement('span', { class: 'name', text: '/' + bareShortcut(canned) }),
    createElement('span'),
    createElement('span', { class: 'sub', text: canned.text }),
  ])])));
}

/**
 * Opens `canned` (or a new quick response, `null`) in the editor; focus goes to its shortcut
 * unless `keepFocus`.
 * @param {CannedView | null} canned
 * @param {boolean} [keepFocus]
 */
function editQuickResponse(canned, keepFocus) {
  quickPage.editingId = canned ? canned.id : null;
  renderQuickList();
  const editor = /** @type {HTMLElement} */ (quickPage.editor);
  const shortcut = createElement('input', {
    type: 'text', id: 'quick-shortcut', autocomplete: 'off', value: canned ? bareShortcut(canned) : '',
    'aria-describedby': 'quick-shortcut-error',
  });
  const text = createElement('textarea', {
    id: 'quick-text', rows: 6, value: canned ? canned.text : '', 'aria-describedby': 'quick-text-hint quick-text-error',
  });
  const errors = {
    shortcut: createElement('span', { class: 'err', id: 'quick-shortcut-error' }),
    text: createElement('span', { class: 'err', id: 'quick-text-error' }),
  };
  const buttons = [createElement('button', { class: 'btn primary', type: 'submit', text: say('save') })];
  if (canned) {
    buttons.unshift(createElement('button', {
      class: 'btn danger', type: 'button', text: say('del'), onclick: () => deleteDialog(canned),
    }));
  }
  editor.textContent = '';
  editor.appendChild(createElement('form', {
    novalidate: true,
    onsubmit: (/** @type {Event} */ event) => {
      event.preventDefault();
      saveQuickResponse(canned, { shortcut: shortcut.value.trim().replace(/^\//, ''), text: text.value }, errors);
    },
  }, [
    createElement('div', { class: 'row' }, [
      createElement('h1', {
        text: canned ? '/' + bareShortcut(canned) : say('newQuick'),
        style: 'margin:0;font-size:20px;flex:1',
        tabindex: '-1',
        'data-focus-after-dialog': true,
      }),
      ...buttons,
    ]),
    createElement('fieldset', {}, [
      createElement('legend', { text: say('quickEditor') }),
      createElement('label', { class: 'wide', for: 'quick-shortcut' }, [say('quickShortcut'), shortcut, errors.shortcut]),
      createElement('label', { class: 'wide', for: 'quick-text' }, [
        say('quickText'),
        text,
        createElement('span', { class: 'hint', id: 'quick-text-hint', text: say('quickPlaceholders', PLACEHOLDER_NAMES) }),
        errors.text,
      ]),
    ]),
  ]));
  if (!keepFocus) shortcut.focus();
}

/**
 * Creates (`canned` null) or changes a quick response; a refusal shows under its field.
 * @param {CannedView | null} canned
 * @param {{ shortcut: string, text: string }} body
 * @param {{ shortcut: HTMLElement, text: HTMLElement }} errors
 */
function saveQuickResponse(canned, body, errors) {
  errors.shortcut.textContent = errors.text.textContent = '';
  const call = canned
    ? callApi('PUT', '/v1/chat/canned-responses/' + encodeURIComponent(canned.id), body)
    : callApi('POST', '/v1/chat/canned-responses', body);
  call.then((/** @type {CannedView} */ saved) => {
    state.cannedResponses = state.cannedResponses.filter((other) => other.id !== saved.id).concat([saved]);
    toast(say('saved'));
    editQuickResponse(saved, true);
    /** @type {HTMLElement | null} */ (document.querySelector('.editor h1'))?.focus();
  }, (/** @type {ApiError} */ error) => {
    const slot = error.field === 'text' ? errors.text : errors.shortcut;
    slot.textContent = error.message;
    /** @type {HTMLElement | null} */ (document.getElementById(error.field === 'text' ? 'quick-text' : 'quick-shortcut'))?.focus();
  });
}

/**
 * Asks before deleting `canned`.
 * @param {CannedView} canned
 */
function deleteDialog(canned) {
  const text = createElement('p', { text: say('deleteQuickText', { shortcut: '/' + bareShortcut(canned) }) });
  modal(say('deleteQuick'), [text], say('del'), () =>
    callApi('DELETE', '/v1/chat/canned-responses/' + encodeURIComponent(canned.id)).then(() => {
      state.cannedResponses = state.cannedResponses.filter((other) => other.id !== canned.id);
      toast(say('deleted'));
      editQuickResponse(null);
    }), 'danger confirm');
}
