// @ts-check
// Owns not missing a customer: what alerts the agent (a new waiting session they may take, a
// customer's message in one of their own sessions, a session transferred to them or their
// department), each kind muted or not and the sound on or off, kept in localStorage; the
// count in the document title; the two-tone sound; and browser notifications, whose permission
// is asked only when the agent clicks "Enable desktop notifications" in the Alerts dialog,
// never on load. A message in the session on screen while the page is visible alerts nobody.

/** @typedef {import('../types/protocol').MessageView} MessageView */
/** @typedef {import('../types/protocol').SessionView} SessionView */
/** @typedef {import('../types/protocol').TransferTarget} TransferTarget */
/** @typedef {'waiting' | 'message' | 'transfer'} AlertKind */

import { createElement } from '../shared/dom.js';
import { openDialog } from './dialogs.js';
import { updateTitle } from './layout.js';
import { signedInAgent, state } from './state.js';
import { say } from './strings.js';

const SETTINGS_KEY = 'tmschat.alerts';

/** @type {[AlertKind, import('./strings.js').StringKey][]} each kind and its label */
const KINDS = [['waiting', 'alertWaiting'], ['message', 'alertMessage'], ['transfer', 'alertTransfer']];

/**
 * What the agent chose; every field defaults to on except desktop notifications.
 * @typedef {object} AlertSettings
 * @property {Record<AlertKind, boolean>} kinds whether each kind alerts
 * @property {boolean} sound
 * @property {boolean} desktop whether browser notifications are shown (when permitted)
 */

/** @type {AlertSettings} */
const settings = loadSettings();

/** Sessions with a customer message or a transfer the agent has not opened yet, by kind. */
const unseen = /** @type {Map<string, AlertKind>} */ (new Map());

/** @type {AudioContext | null} */
let audioContext = null;

/** @returns {AlertSettings} */
function loadSettings() {
  /** @type {AlertSettings} */
  const fresh = { kinds: { waiting: true, message: true, transfer: true }, sound: true, desktop: false };
  try {
    const saved = JSON.parse(localStorage.getItem(SETTINGS_KEY) || 'null');
    if (!saved) return fresh;
    return { kinds: { ...fresh.kinds, ...saved.kinds }, sound: saved.sound !== false, desktop: saved.desktop === true };
  } catch (_unreadable) {
    return fresh;
  }
}

function saveSettings() {
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
}

/** @returns {boolean} whether browser notifications may be shown now */
function desktopAllowed() {
  return settings.desktop && 'Notification' in window && Notification.permission === 'granted';
}

/**
 * Alerts the agent: the sound and a browser notification (a click on it opens the session).
 * @param {AlertKind} kind
 * @param {string} title
 * @param {string} body
 * @param {() => void} open
 */
function alertAgent(kind, title, body, open) {
  if (!settings.kinds[kind]) return;
  if (settings.sound) playAlertSound();
  if (!desktopAllowed()) return;
  const notification = new Notification(title, { body, tag: kind + ':' + title });
  notification.onclick = () => {
    window.focus();
    open();
  };
}

/**
 * A session appeared that waits for an agent.
 * @param {SessionView} session
 * @param {(sessionId: string) => void} open
 */
export function alertWaitingSession(session, open) {
  const who = session.customer_name || session.customer_email || say('visitor');
  alertAgent('waiting', say('newSession', { who }), '', () => open(session.id));
}

/**
 * A message arrived; alerts when a customer wrote in one of the agent's own sessions that is
 * not on screen.
 * @param {MessageView} message
 * @param {(sessionId: string) => void} open
 */
export function alertCustomerMessage(message, open) {
  const session = state.sessions.get(message.session_id);
  if (message.sender_type !== 'customer' || !session || session.assigned_agent_id !== signedInAgent().id) return;
  if (message.session_id === state.selectedSessionId && !document.hidden) return;
  unseen.set(message.session_id, 'message');
  const who = session.customer_name || session.customer_email || say('visitor');
  alertAgent('message', say('newMessage', { who }), message.content || say('file'), () => open(session.id));
}

/**
 * A session was transferred; alerts when it went to the agent or one of their departments.
 * @param {TransferTarget} target
 * @param {SessionView} session
 * @param {(sessionId: string) => void} open
 */
export function alertTransfer(target, session, open) {
  const me = signedInAgent();
  const toMe = target.kind === 'agent' ? target.agent_id === me.id : me.departments.includes(target.department);
  if (!toMe || session.id === state.selectedSessionId) return;
  unseen.set(session.id, 'transfer');
  const who = session.customer_name || session.customer_email || say('visitor');
  alertAgent('transfer', say('transferredToYou', { who }), '', () => open(session.id));
}

/**
 * The agent opened `sessionId`: its alerts are seen.
 * @param {string} sessionId
 */
export function sessionSeen(sessionId) {
  unseen.delete(sessionId);
}

/** @returns {number} the count the title shows: waiting sessions and unseen alerts, muted kinds left out */
export function attentionCount() {
  let count = 0;
  if (settings.kinds.waiting) state.sessions.forEach((session) => { if (session.unassigned) count++; });
  unseen.forEach((kind) => { if (settings.kinds[kind]) count++; });
  return count;
}

/** Two short tones. */
function playAlertSound() {
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

/**
 * A checkbox bound to a setting.
 * @param {import('./strings.js').StringKey} label
 * @param {boolean} checked
 * @param {(checked: boolean) => void} onChange
 */
function settingBox(label, checked, onChange) {
  const box = createElement('input', {
    type: 'checkbox',
    checked,
    onchange: () => {
      onChange(box.checked);
      saveSettings();
      updateTitle();
    },
  });
  return createElement('label', { class: 'check' }, [box, say(label)]);
}

/** The desktop notification line: on, blocked by the browser, or a button that asks. */
function desktopLine() {
  const line = createElement('div', { class: 'row desktop' });
  const draw = () => {
    line.textContent = '';
    if (!('Notification' in window)) {
      line.appendChild(createElement('p', { class: 'hint', text: say('desktopUnavailable') }));
    } else if (Notification.permission === 'denied') {
      line.appendChild(createElement('p', { class: 'hint', text: say('desktopBlocked') }));
    } else if (desktopAllowed()) {
      line.appendChild(settingBox('desktopOn', true, (on) => { settings.desktop = on; }));
    } else {
      line.appendChild(createElement('button', {
        class: 'btn', type: 'button', text: say('desktopEnable'),
        onclick: () => Notification.requestPermission().then((permission) => {
          settings.desktop = permission === 'granted';
          saveSettings();
          draw();
          /** @type {HTMLElement | null} */ (line.querySelector('input, button'))?.focus();
        }),
      }));
    }
  };
  draw();
  return line;
}

/** The Alerts dialog: which kinds alert, the sound, desktop notifications. */
export function alertsDialog() {
  openDialog(say('alerts'), [
    createElement('fieldset', { class: 'alerts' }, [
      createElement('legend', { text: say('alertWhen') }),
      ...KINDS.map(([kind, label]) => settingBox(label, settings.kinds[kind], (on) => { settings.kinds[kind] = on; })),
    ]),
    settingBox('alertSound', settings.sound, (on) => { settings.sound = on; }),
    desktopLine(),
  ]);
}
