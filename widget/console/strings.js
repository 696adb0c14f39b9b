// @ts-check
// Owns every string the console shows in its chrome, in one table for translation.

import { fillTemplate } from '../shared/text.js';

const STRINGS = {
  app: 'TMS Chat',
  sessions: 'Sessions',
  widgets: 'Widgets',
  signIn: 'Sign in',
  token: 'Agent token',
  tokenHint: 'Paste the bearer token of your agent account.',
  signOut: 'Sign out',
  all: 'All',
  mine: 'Mine',
  unassigned: 'Unassigned',
  active: 'Active',
  ended: 'Ended',
  search: 'Search customers',
  newChat: 'New Chat',
  loadMore: 'Load more',
  noSessions: 'No sessions here yet.',
  pick: 'Select a session to open the conversation.',
  assignToMe: 'Assign to Me',
  transfer: 'Transfer',
  end: 'End',
  ticket: 'Create ticket',
  send: 'Send',
  attach: 'Attach file',
  message: 'Message',
  quick: 'Quick responses',
  notes: 'Internal notes',
  addNote: 'Add note',
  customer: 'Customer',
  previous: 'Previous sessions',
  none: 'None',
  typing: 'Customer is typing…',
  startChat: 'Start Chat',
  widget: 'Widget',
  email: 'Customer email',
  name: 'Customer name (optional)',
  cancel: 'Cancel',
  close: 'Close',
  quickSearch: 'Search quick responses',
  noQuick: 'No quick response matches.',
  composerHint: 'Enter sends, Shift+Enter adds a line, / and a shortcut then Tab inserts a quick response.',
  shortcuts: 'Keyboard shortcuts',
  shortcutsHint: 'Single keys work when you are not typing in a field; the ones with Alt work everywhere.',
  panel: 'Customer & notes',
  back: 'Back to sessions',
  cannotAssign: 'This session cannot be assigned to you.',
  keyNext: 'Next session',
  keyPrevious: 'Previous session',
  keyAssign: 'Assign to Me',
  keyEnd: 'End the session (asks first)',
  keySearch: 'Search sessions',
  keyReply: 'Write a reply',
  keyQuick: 'Open quick responses',
  keyNotes: 'Show or hide the customer and notes panel',
  keyHelp: 'List these shortcuts',
  joinLink: 'Customer join link',
  copy: 'Copy',
  copied: 'Copied',
  createWidget: 'Create Widget',
  save: 'Save',
  del: 'Delete',
  embed: 'Copy embed code',
  saved: 'Saved',
  mute: 'Mute alerts',
  unmute: 'Unmute alerts',
  theme: 'Toggle dark mode',
  transferTo: 'Transfer to',
  agentOpt: 'Agent',
  deptOpt: 'Department',
  sessionEnded: 'This session has ended.',
  endTitle: 'End this chat?',
  endText: 'The chat with {who} ends for you and the customer; it cannot be reopened.',
  endConfirm: 'End chat',
  sending: 'Sending…',
  notSent: 'Not sent: {why}',
  noAnswer: 'the server did not answer',
  retry: 'Retry',
  file: 'File',
  closed: 'Closed',
  ticketMade: 'Ticket {id} created',
  newSession: 'New unassigned chat from {who}',
};

/** @typedef {keyof typeof STRINGS} StringKey */

/**
 * The string `key`, its `{name}` placeholders filled from `values`.
 * @param {StringKey} key
 * @param {Record<string, string | number | null | undefined>} [values]
 * @returns {string}
 */
export function say(key, values) {
  return fillTemplate(STRINGS[key], values);
}
