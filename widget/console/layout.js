// @ts-check
// Owns the page chrome around both pages: the top bar (navigation, mute, theme, sign-out), the
// document title with its unassigned count, toasts, the new-chat sound and the colour theme.

import { createElement } from '../shared/dom.js';
import { isAdmin, rememberMuted, signedInAgent, state } from './state.js';
import { say } from './strings.js';

const THEME_KEY = 'tmschat.theme';
const TOAST_MS = 4000;

/** @type {AudioContext | null} */
let audioContext = null;

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

function toggleTheme() {
  const dark = document.documentElement.getAttribute('data-theme') !== 'dark';
  localStorage.setItem(THEME_KEY, dark ? 'dark' : 'light');
  applyTheme();
}

/** Two short tones for a new unassigned chat, unless muted. */
export function playNewChatSound() {
  if (state.muted) return;
  try {
    const AudioContextClass = window.AudioContext || /** @type {any} */ (window).webkitAudioContext;
    const context = audioContext || (audioContext = new AudioContextClass());
    [880, 1320].forEach((frequency, index) => {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      gain.connect(context.destination);
      const start = context.currentTime + index * 0.15;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.14);
      oscillator.start(start);
      oscillator.stop(start + 0.15);
    });
  } catch (_audioUnavailable) {
    // No sound in this browser.
  }
}

/** "(2) Sessions — TMS Chat": the unassigned count first. */
export function updateTitle() {
  let unassigned = 0;
  state.sessions.forEach((session) => {
    if (session.unassigned) unassigned++;
  });
  const page = say(state.page);
  document.title = (unassigned ? '(' + unassigned + ') ' : '') + page + ' — ' + say('app');
}

/** @returns {HTMLElement} the product's name with its logo */
export function brand() {
  return createElement('div', { class: 'brand' }, [createElement('i', { 'aria-hidden': 'true' }), say('app')]);
}

function muteButton() {
  const label = () => (state.muted ? say('unmute') : say('mute'));
  const button = createElement('button', {
    class: 'btn',
    type: 'button',
    'aria-pressed': String(state.muted),
    text: label(),
    onclick: () => {
      rememberMuted(!state.muted);
      button.textContent = label();
      button.setAttribute('aria-pressed', String(state.muted));
    },
  });
  return button;
}

/**
 * @param {import('./state.js').ConsolePage} page
 * @param {import('./state.js').ConsolePage} active
 */
function navLink(page, active) {
  return createElement('a', {
    href: '#/' + page,
    'aria-current': active === page ? 'page' : null,
    text: 'Chat › ' + say(page),
  });
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
    ]),
    createElement('span', { class: 'spacer' }),
    muteButton(),
    createElement('button', {
      class: 'btn', type: 'button', 'aria-label': say('theme'), text: '◐', onclick: toggleTheme,
    }),
    createElement('span', { class: 'me', text: signedInAgent().display_name }),
    createElement('button', { class: 'btn', type: 'button', text: say('signOut'), onclick: signOut }),
  ]));
  const main = createElement('main', { id: 'main', tabindex: '-1' });
  app.appendChild(main);
  return main;
}
