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
  unassigned: 'Unassigned',
  active: 'Active',
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
  ended: 'This session has ended.',
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
