// @ts-check
// Owns the queue board (supervisors and admins, `#/queue`): the waiting sessions oldest first
// with how long each has waited, the waiting count per department, and every agent's presence
// and load, from `GET /v1/chat/queue`; "Refresh" reads it again.

import { createElement } from '../shared/dom.js';
import { callApi } from './api.js';
import { drawShell, reportError } from './layout.js';
import { say } from './strings.js';

/**
 * Draws the queue board and loads it.
 * @param {() => void} signOut
 */
export function drawQueuePage(signOut) {
  const main = drawShell('queue', signOut);
  const board = createElement('div', { class: 'queue-board' });
  const refresh = createElement('button', {
    class: 'btn', type: 'button', text: say('refresh'), onclick: () => loadBoard(board),
  });
  main.appendChild(createElement('section', { class: 'queue', 'aria-label': say('queue') }, [
    createElement('div', { class: 'row' }, [createElement('h2', { text: say('queue') }), refresh]),
    board,
  ]));
  loadBoard(board);
}

/** @param {HTMLElement} board */
function loadBoard(board) {
  callApi('GET', '/v1/chat/queue').then((/** @type {any} */ answer) => {
    board.textContent = '';
    board.appendChild(section(say('waitingNow'), 'queue-waiting', answer.waiting.map((/** @type {any} */ item) =>
      [item.session.customer_name || item.session.customer_email || 'Visitor', say('waitedFor', { time: waited(item.waiting_seconds) })])));
    board.appendChild(section(say('departments'), 'queue-departments', answer.departments.map((/** @type {any} */ d) =>
      [d.name, say('waitingCount', { count: String(d.waiting) })])));
    board.appendChild(section(say('team'), 'queue-agents', answer.agents.map((/** @type {any} */ a) =>
      [a.display_name, [say(a.presence), a.active_sessions + '/' + (a.max_concurrent_sessions ?? '∞')].join(' · ')])));
  }, reportError);
}

/**
 * A titled list of `[label, detail]` rows ("None" when empty).
 * @param {string} title
 * @param {string} name
 * @param {string[][]} rows
 */
function section(title, name, rows) {
  const list = createElement('ul', { class: 'list ' + name, 'aria-label': title }, rows.length
    ? rows.map(([label, detail]) => createElement('li', {}, [
      createElement('span', { class: 'name', text: label }),
      createElement('span', { class: 'sub', text: detail }),
    ]))
    : [createElement('li', { class: 'empty', text: say('none') })]);
  return createElement('div', { class: 'col' }, [createElement('h3', { text: title }), list]);
}

/**
 * "42 s", "3 min", "2 h".
 * @param {number} seconds
 */
function waited(seconds) {
  if (seconds < 60) return seconds + ' s';
  if (seconds < 3600) return Math.floor(seconds / 60) + ' min';
  return Math.floor(seconds / 3600) + ' h';
}
