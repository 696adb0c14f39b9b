// @ts-check
// Owns the page chrome around every page: the top bar (navigation, alerts, theme, sign-out),
// the document title with the count of what needs the agent (alerts.js counts), toasts and
// the colour theme.

import { createElement } from '../shared/dom.js';
import { alertsDialog, attentionCount } from './alerts.js';
import { callApi } from './api.js';
import { isAdmin, isSupervisor, signedInAgent, state } from './state.js';
import { say } from './strings.js';

const THEME_KEY = 'tmschat.theme';
const TOAST_MS = 4000;
/** @type {import('../types/protocol').Presence[]} */
const PRESENCES = ['online', 'away', 'offline'];

/** @returns {HTMLElement} the element both pages draw into */
export function appRoot() {
  return /** @type {HTMLElement} */ (document.getElementById('app'));
}

/**
 * Shows `text` for four seconds.
 * @param {string} text
 */
export function toast(text) {
  const note = createElement('div', { class: 'toast', text });
  /** @type {HTMLElement} */ (document.getElementById('toasts')).appendChild(note);
  setTimeout(() => note.remove(), TOAST_MS);
}

/**
 * Shows a failed call's message (use as a promise's rejection handler).
 * @param {unknown} error
 */
export function reportError(error) {
  toast((error instanceof Error && error.message) || String(error));
}

/** Applies the saved theme, or the system's when none is saved. */
export function applyTheme() {
  const saved = localStorage.getItem(THEME_KEY);
  const systemDark = Boolean(window.matchMedia) && matchMedia('(prefers-color-scheme: dark)').matches;
  const dark = saved ? saved === 'dark' : systemDark;
  document.documentElement.setAttribute('data-theme', dark ? 'dark' : 'light');
}

/** Follows the system's light/dark preference as it changes, unless the agent chose one. */
export function followSystemTheme() {
  if (!window.matchMedia) return;
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    if (!localStorage.getItem(THEME_KEY)) applyTheme();
  });
}

function toggleTheme() {
  const dark = document.documentElement.getAttribute('data-theme') !== 'dark';
  localStorage.setItem(THEME_KEY, dark ? 'dark' : 'light');
  applyTheme();
}

/** "(2) Sessions — TMS Chat": what needs the agent first (waiting sessions, unseen alerts). */
export function updateTitle() {
  const count = attentionCount();
  document.title = (count ? '(' + count + ') ' : '') + say(state.page) + ' — ' + say('app');
}

/** @returns {HTMLElement} the product's name with its logo */
export function brand() {
  return createElement('div', { class: 'brand' }, [
    createElement('i', { 'aria-hidden': 'true' }),
    createElement('span', { text: say('app') }),
  ]);
}

/**
 * @param {import('./state.js').ConsolePage} page
 * @param {import('./state.js').ConsolePage} active
 */
function navLink(page, active) {
  return createElement('a', {
    href: '#/' + page,
    'aria-current': active === page ? 'page' : null,
  }, [createElement('span', { class: 'crumb', text: 'Chat › ' }), say(page)]);
}

/**
 * The header's presence control: online, away or offline (`PUT /v1/chat/me/presence`),
 * showing what the server answered.
 */
function presenceControl() {
  const select = /** @type {HTMLSelectElement} */ (createElement('select', {
    class: 'presence',
    'aria-label': say('presence'),
    onchange: () => {
      callApi('PUT', '/v1/chat/me/presence', { status: select.value }).then((answer) => {
        showPresence(answer.presence);
      }, (error) => {
        select.value = state.presence;
        reportError(error);
      });
    },
  }, PRESENCES.map((presence) => createElement('option', { value: presence, text: say(presence) }))));
  select.value = state.presence;
  select.dataset.presence = state.presence;
  return select;
}

/**
 * Shows the signed-in agent's presence in the header.
 * @param {import('../types/protocol').Presence} presence
 */
export function showPresence(presence) {
  state.presence = presence;
  const select = /** @type {HTMLSelectElement | null} */ (document.querySelector('.topbar select.presence'));
  if (!select) return;
  select.value = presence;
  select.dataset.presence = presence;
}

/**
 * Clears the app, draws the top bar with `active` highlighted, and answers the empty `main`.
 * @param {import('./state.js').ConsolePage} active
 * @param {() => void} signOut
 * @returns {HTMLElement}
 */
export function drawShell(active, signOut) {
  const app = appRoot();
  app.textContent = '';
  app.appendChild(createElement('header', { class: 'topbar' }, [
    brand(),
    createElement('nav', { 'aria-label': 'Chat' }, [
      navLink('sessions', active),
      navLink('widgets', active),
      isAdmin() && navLink('quick', active),
      isSupervisor() && navLink('queue', active),
    ]),
    createElement('span', { class: 'spacer' }),
    createElement('button', { class: 'btn', type: 'button', text: say('alerts'), onclick: alertsDialog }),
    createElement('button', {
      class: 'btn', type: 'button', 'aria-label': say('theme'), title: say('theme'), text: '◐', onclick: toggleTheme,
    }),
    presenceControl(),
    createElement('span', { class: 'me', text: signedInAgent().display_name }),
    createElement('button', { class: 'btn', type: 'button', text: say('signOut'), onclick: signOut }),
  ]));
  const main = createElement('main', { id: 'main', tabindex: '-1' });
  app.appendChild(main);
  return main;
}
