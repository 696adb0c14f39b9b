// The host-facing API of the TMS Chat widget (widget/chat-widget.js): the global `TmsChat`
// function the embed snippet defines. Reference it from a page's TypeScript or JSDoc:
//   /// <reference path="path/to/tms-chat.d.ts" />
// Calls made before the script has loaded are queued by the snippet and replayed in order.

import type { MessageView } from './protocol';

/** `TmsChat('init', options)`: which widget this page shows. */
export interface TmsChatOptions {
  /** The widget's id (`wgt_…`), as in its embed code. */
  widgetId: string;
  /** The site's domain, as in the embed code. The server checks the page's `Origin` itself. */
  domain?: string;
}

/** `TmsChat('setVisitor', visitor)`: who the customer is, when the host site knows. */
export interface TmsChatVisitor {
  /** The customer's name. */
  name?: string;
  /** The customer's email. */
  email?: string;
  /**
   * Hex HMAC-SHA256 of `email` with the widget's identity secret, computed by the host's
   * server: the session is then marked verified.
   */
  hash?: string;
}

/** `TmsChat('on', 'message', listener)`: called with each new message from an agent. */
export type TmsChatMessageListener = (message: MessageView) => void;

/** The global `TmsChat` function. */
export interface TmsChat {
  /** Loads the widget; the first call wins, later ones are ignored. */
  (command: 'init', options: TmsChatOptions): void;
  /** Opens the chat panel. */
  (command: 'open'): void;
  /** Closes the chat panel. */
  (command: 'close'): void;
  /** Sets the customer's name, email and identity hash (updates a running session). */
  (command: 'setVisitor', visitor: TmsChatVisitor): void;
  /** Adds a listener for new agent messages. */
  (command: 'on', event: 'message', listener: TmsChatMessageListener): void;
  /** `true` once chat-widget.js has loaded. */
  loaded?: boolean;
  /** The embed snippet's queue of the calls made before the script loaded. */
  q?: IArguments[];
}

declare global {
  /** The TMS Chat widget (defined by the embed snippet, then by chat-widget.js). */
  var TmsChat: TmsChat;
}
