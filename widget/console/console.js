// @ts-check
// The agent console's entry module (Chat > Sessions, Chat > Widgets, Chat > Quick responses):
// signing in with the agent's bearer token, loading what the pages need, routing between them
// by the URL's hash, and signing out. Native ES modules, no build step; REST with the agent's
// token, live events over /v1/chat/ws with a one-time ticket. All user content is rendered as
// text, never HTML.

/** @typedef {import('../types/protocol').AgentView} AgentView */

import { createElement } from '../shared/dom.js';
import { callApi, whenSignedOut } from './api.js';
import { applyFrame, socketOpened } from './events.js';
import { appRoot, applyTheme, brand, followSystemTheme, updateTitle } from './layout.js';
import { drawQueuePage } from './queue-page.js';
import { drawQuickResponsesPage } from './quick-page.js';
import { drawSessionsPage } from './sessions.js';
import { listenForShortcuts } from './shortcuts.js';
import { connect, disconnect } from './socket.js';
import { isSupervisor, rememberToken, state } from './state.js';
import { say } from './strings.js';
import { drawWidgetsPage } from './widgets.js';

/**
 * The sign-in form, with `error` from the last attempt.
 * @param {string} [error]
 */
function drawSignIn(error) {
  const app = appRoot();
  app.textContent = '';
  const input = createElement('input', {
    type: 'password', id: 'token', autocomplete: 'off', required: true, 'aria-describedby': 'token-hint',
  });
  const errorLine = createElement('p', { class: 'err', role: 'alert', text: error || '' });
  app.appendChild(createElement('form', {
    class: 'signin',
    onsubmit: (/** @type {Event} */ event) => {
      event.preventDefault();
      state.token = input.value.trim();
      signIn().catch((/** @type {Error} */ failure) => drawSignIn(failure.message));
    },
  }, [
    brand(),
    createElement('h1', { text: say('signIn'), style: 'margin:0;font-size:20px' }),
    createElement('label', { for: 'token' }, [
      say('token'),
      input,
      createElement('span', { class: 'hint', id: 'token-hint', text: say('tokenHint') }),
    ]),
    errorLine,
    createElement('button', { class: 'btn primary', type: 'submit', text: say('signIn') }),
  ]));
  input.focus();
}

function signOut() {
  rememberToken(null);
  disconnect();
  drawSignIn();
}

/** Checks the token, keeps it for this tab, loads what the pages need and connects. */
async function signIn() {
  const me = /** @type {AgentView} */ (await callApi('GET', '/v1/chat/me'));
  state.me = me;
  rememberToken(state.token);
  const [widgets, canned, agents] = await Promise.all([
    callApi('GET', '/v1/chat/widgets'),
    callApi('GET', '/v1/chat/canned-responses'),
    callApi('GET', '/v1/chat/agents'),
  ]);
  state.widgets = widgets.widgets;
  state.widgetDefaults = widgets.defaults;
  state.cannedResponses = canned.canned_responses;
  state.agents = agents.agents;
  // Offline until this console's socket opens, which brings back the agent's choice (a
  // `presence_changed` frame tells the header when that is not `online`).
  const mine = agents.agents.find((/** @type {{id: string, presence: string}} */ agent) => agent.id === me.id);
  state.presence = mine && mine.presence !== 'offline' ? mine.presence : 'online';
  connect({ onOpen: socketOpened, onFrame: applyFrame });
  route();
}

/** Draws the page the hash names: `#/widgets`, `#/quick` (quick responses), `#/queue` (the queue board, supervisors), else the sessions page. */
function route() {
  if (!state.me) return;
  if (location.hash.startsWith('#/widgets')) state.page = 'widgets';
  else if (location.hash.startsWith('#/quick')) state.page = 'quick';
  else if (location.hash.startsWith('#/queue') && isSupervisor()) state.page = 'queue';
  else state.page = 'sessions';
  if (state.page === 'widgets') drawWidgetsPage(signOut);
  else if (state.page === 'quick') drawQuickResponsesPage(signOut);
  else if (state.page === 'queue') drawQueuePage(signOut);
  else drawSessionsPage(signOut);
  updateTitle();
}

whenSignedOut(signOut);
window.addEventListener('hashchange', route);
listenForShortcuts();
applyTheme();
followSystemTheme();
if (state.token) signIn().catch((/** @type {Error} */ failure) => drawSignIn(failure.message));
else drawSignIn();
