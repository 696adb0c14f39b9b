// @ts-check
/*! TMS Chat customer widget. Loaded by the embed snippet:
 *  TmsChat('init', {widgetId, domain}); then TmsChat('open' | 'close' | 'setVisitor' | 'on', ...).
 *  Plain ES2020, no dependencies, renders in a shadow root. All user content is set as text. */
// Types: types/protocol.d.ts (the wire protocol, generated from the server's Rust types) and
// types/tms-chat.d.ts (the TmsChat API); `npx tsc -p widget` checks this file against them.
// Every setting (colours, messages, upload limit and types, email requirement) comes from the
// server's widget configuration; nothing here repeats a server default.

/** @typedef {import('./types/protocol').AgentEventFrame} AgentEventFrame */
/** @typedef {import('./types/protocol').AttachmentId} AttachmentId */
/** @typedef {import('./types/protocol').AttachmentView} AttachmentView */
/** @typedef {import('./types/protocol').ClientRequest} ClientRequest */
/** @typedef {import('./types/protocol').ContactReceived} ContactReceived */
/** @typedef {import('./types/protocol').ContactRequest} ContactRequest */
/** @typedef {import('./types/protocol').CustomerEventFrame} CustomerEventFrame */
/** @typedef {import('./types/protocol').CustomerSessionView} CustomerSessionView */
/** @typedef {import('./types/protocol').CustomerStartedSession} CustomerStartedSession */
/** @typedef {import('./types/protocol').ErrorCode} ErrorCode */
/** @typedef {import('./types/protocol').ErrorDetail} ErrorDetail */
/** @typedef {import('./types/protocol').MessageKind} MessageKind */
/** @typedef {import('./types/protocol').MessageList} MessageList */
/** @typedef {import('./types/protocol').MessageView} MessageView */
/** @typedef {import('./types/protocol').PageView} PageView */
/** @typedef {import('./types/protocol').PublicAgentView} PublicAgentView */
/** @typedef {import('./types/protocol').PublicWidgetConfig} PublicWidgetConfig */
/** @typedef {import('./types/protocol').SenderType} SenderType */
/** @typedef {import('./types/protocol').ServerFrame} ServerFrame */
/** @typedef {import('./types/protocol').SessionId} SessionId */
/** @typedef {import('./types/protocol').StartCustomerSession} StartCustomerSession */
/** @typedef {import('./types/protocol').VisitorRequest} VisitorRequest */
/** @typedef {import('./types/tms-chat').TmsChat} TmsChat */
/** @typedef {import('./types/tms-chat').TmsChatMessageListener} TmsChatMessageListener */
/** @typedef {import('./types/tms-chat').TmsChatOptions} TmsChatOptions */
/** @typedef {import('./types/tms-chat').TmsChatVisitor} TmsChatVisitor */

/** @typedef {Exclude<ServerFrame, AgentEventFrame> | CustomerEventFrame} WidgetFrame what a customer socket gets */

/**
 * A message the customer sent that the server has not stored yet: shown as "sending", kept
 * across reloads and re-sent with the same `client_message_id` (the server stores it once).
 * @typedef {object} PendingMessage
 * @property {string} client_message_id
 * @property {'text' | 'file'} message_type
 * @property {string} content
 * @property {AttachmentId} [attachment_id]
 * @property {AttachmentView} [attachment]
 */

/**
 * What a bubble shows: a stored message, a pending one, or a notice of the widget's own.
 * @typedef {object} BubbleContent
 * @property {string} content
 * @property {MessageKind} message_type
 * @property {SenderType} [sender_type]
 * @property {number} [seq]
 * @property {AttachmentView | null} [attachment]
 * @property {string | null} [client_message_id]
 * @property {boolean} [pending]
 * @property {string} [created_at] when the server stored it (shown as the customer's time of day)
 */

/**
 * What survives a reload, in localStorage under `tmschat:<widget id>`.
 * @typedef {object} SavedConversation
 * @property {string | null} token
 * @property {SessionId | null} sid
 * @property {number} lastSeq
 * @property {PendingMessage[]} pending
 */

/**
 * A failed request: an API error answer, a socket `error` frame, or a network failure.
 * @typedef {{ message: string, code?: ErrorCode, field?: string }} Failure
 */

/**
 * The widget's elements, made once by build().
 * @typedef {object} Ui
 * @property {ShadowRoot} shadow
 * @property {HTMLButtonElement} launcher
 * @property {HTMLSpanElement} badge
 * @property {HTMLDivElement} root
 * @property {HTMLDivElement} panel
 * @property {HTMLDivElement} avatar
 * @property {HTMLElement} title
 * @property {HTMLElement} status
 * @property {HTMLDivElement} body which card or the conversation
 * @property {HTMLDivElement} log
 * @property {HTMLDivElement} typing
 * @property {HTMLDivElement} tools download the transcript, end the chat
 * @property {HTMLFormElement} composer
 * @property {HTMLTextAreaElement} input
 * @property {HTMLInputElement} file
 * @property {HTMLParagraphElement} peek under the composer: agents see the draft (typing_preview)
 */

/** @typedef {[string, unknown?, unknown?]} Call a `TmsChat(...)` call waiting for the widget */

(function () {
  'use strict';
  if (window.TmsChat && window.TmsChat.loaded) return;

  // Every string the customer sees, in one table for translation.
  const STRINGS = {
    open: 'Open chat', close: 'Close chat', title: 'Chat with us', dialog: 'Chat',
    message: 'Message', send: 'Send', attach: 'Attach a file', placeholder: 'Type your message…',
    typing: '{name} is typing…', agent: 'Support', you: 'You', sending: 'Sending…', seen: 'Seen',
    failed: 'Not sent', online: 'We typically reply in a few minutes', connecting: 'Reconnecting…',
    ended: 'This chat has ended.', newChat: 'Start a new chat', unread: '{n} unread messages',
    emailTitle: 'Before we start', name: 'Your name', email: 'Your email', start: 'Start chat',
    emailRequired: 'Please enter a valid email address.', offline: 'We are offline',
    nextOpen: 'We are back {when}.', contactTitle: 'Leave us a message', contactSend: 'Send message',
    contactThanks: 'Thanks! We will get back to you by email.', redirect: 'Contact us',
    tooLarge: 'This file is too large (max {max}).', download: 'Download {name}',
    error: 'Something went wrong: {msg}', fileType: 'This file type is not accepted.',
    transcript: 'Download transcript', end: 'End chat', endAsk: 'End this chat?', cancel: 'Cancel',
    transcriptTitle: 'Chat transcript', queue: 'You are number {n} in the queue',
    peek: 'Agents can see what you type before you send it.'
  };

  /**
   * A customer-visible string with its `{placeholders}` filled in.
   * @param {keyof typeof STRINGS} key
   * @param {Record<string, string | number>} [values]
   */
  function phrase(key, values) {
    return fillTemplate(STRINGS[key], values);
  }

  /** Messages fetched per history request (the server's page limit is larger). */
  const HISTORY_PAGE = 200;
  /** Stop the typing indicator after this much silence in the message box. */
  const TYPING_IDLE_MS = 3000;
  /** With typing_preview, the draft goes out at most this often (under the server's typing rate). */
  const PREVIEW_MS = 400;
  /** Hide an agent's typing indicator if its "stopped" never arrives. */
  const AGENT_TYPING_MS = 8000;
  /** Ping the socket well inside the server's idle timeout. */
  const PING_INTERVAL_MS = 25000;
  /** Reconnect delays double from the first to the last (with jitter). */
  const FIRST_RETRY_MS = 1000;
  const LAST_RETRY_MS = 30000;
  /** The message box grows up to this height (the CSS max-height). */
  const MAX_INPUT_HEIGHT = 120;
  /** Images shown inline: the types the server serves inline. */
  const INLINE_IMAGE = /^image\/(png|jpeg|gif|webp)$/;

  const scriptElement = document.getElementById('TmsChat') || document.currentScript;
  const scriptSrc = scriptElement instanceof HTMLScriptElement && scriptElement.src;
  const BASE_URL = (scriptSrc || location.origin + '/chat-widget.js').replace(/\/chat-widget\.js([?#].*)?$/, '');
  const SOCKET_BASE_URL = BASE_URL.replace(/^http/, 'ws');

  /** The widget's configuration from the server, loaded before anything is built. */
  /** @type {PublicWidgetConfig} */
  let config;
  /** The elements; built right after the configuration arrives, before anything renders. */
  /** @type {Ui} */
  let ui;

  /** The conversation and the widget's own state; every field is here from the start. */
  const state = {
    widgetId: '',
    /** @type {string | null} the customer's bearer token */
    token: null,
    /** @type {SessionId | null} */
    sessionId: null,
    lastSeq: 0,
    ended: false,
    /** @type {PublicAgentView | null} */
    agent: null,
    /** @type {number | null} the session's place in the queue while it waits */
    queuePosition: null,
    /** @type {TmsChatVisitor} */
    visitor: {},
    /** The server's reason the last session start refused the visitor's email, shown on the email form. */
    emailError: '',
    /** @type {PendingMessage[]} */
    pending: [],
    /** @type {Record<number, HTMLElement>} bubbles of stored messages by `seq` */
    rendered: {},
    /** @type {MessageView[]} the stored messages shown, in `seq` order (the transcript) */
    messages: [],
    unread: 0,
    isOpen: false,
    /** Whether the configuration loaded and the saved session was resumed. */
    ready: false,
    /** @type {Call[]} calls made before the widget was ready */
    queue: [],
    /** @type {TmsChatMessageListener[]} */
    messageListeners: [],
    /** @type {Promise<void> | null} the session start under way */
    starting: null,
    /** @type {WebSocket | null} */
    socket: null,
    retryMs: FIRST_RETRY_MS,
    pinger: 0,
    typingSent: false,
    typingTimer: 0,
    previewTimer: 0,
    previewAt: 0,
    agentTypingTimer: 0
  };

  // Shared with the console (widget/shared/, assembled around this file by core):
  // createElement (dom.js), fillTemplate (text.js), requestJson and ApiError (http.js).
  const element = createElement;

  /** A label wrapping its caption and its field. @param {string} caption @param {HTMLElement} field */
  function labelled(caption, field) {
    return element('label', {}, [document.createTextNode(caption), field]);
  }

  // ---------- storage ----------
  const storageKey = () => 'tmschat:' + state.widgetId;
  function saveConversation() {
    /** @type {SavedConversation} */
    const saved = { token: state.token, sid: state.sessionId, lastSeq: state.lastSeq, pending: state.pending };
    try { localStorage.setItem(storageKey(), JSON.stringify(saved)); } catch (e) { /* storage disabled */ }
  }
  /** @returns {SavedConversation | null} */
  function loadConversation() {
    try { return JSON.parse(localStorage.getItem(storageKey()) || 'null'); } catch (e) { return null; }
  }

  // ---------- the public API ----------
  /** @param {string} path below the widget's public endpoint */
  const widgetUrl = (path) => BASE_URL + '/v1/chat/public/widgets/' + encodeURIComponent(state.widgetId) + path;

  /**
   * One call of the widget's public API, with the customer's token when there is one. Resolves
   * to the JSON answer (null for 204); a File body is sent as it is.
   * @param {'GET' | 'POST' | 'PATCH'} method
   * @param {string} path
   * @param {object} [body]
   * @returns {Promise<any>}
   */
  function request(method, path, body) {
    const token = state.token;
    const call = body instanceof Blob ? { method, token, rawBody: body } : { method, token, json: body };
    return requestJson(widgetUrl(path), call);
  }

  /** The endpoints the widget calls, typed by the protocol's declarations. */
  const api = {
    /** @returns {Promise<PublicWidgetConfig>} */
    config: () => request('GET', ''),
    /** @param {StartCustomerSession} body @returns {Promise<CustomerStartedSession>} */
    startSession: (body) => request('POST', '/sessions', body),
    /** @returns {Promise<CustomerSessionView>} */
    session: () => request('GET', '/session'),
    /** @param {VisitorRequest} body @returns {Promise<CustomerSessionView>} */
    updateVisitor: (body) => request('PATCH', '/session', body),
    /** @param {number} afterSeq @returns {Promise<MessageList>} */
    history: (afterSeq) => request('GET', '/session/messages?limit=' + HISTORY_PAGE + '&after_seq=' + afterSeq),
    /** @param {File} file @returns {Promise<AttachmentView>} */
    upload: (file) => request('POST', '/session/attachments?filename=' + encodeURIComponent(file.name), file),
    /** @returns {Promise<CustomerSessionView>} */
    end: () => request('POST', '/session/end'),
    /** @param {ContactRequest} body @returns {Promise<ContactReceived>} */
    contact: (body) => request('POST', '/contact', body),
    /** @param {AttachmentId} id @returns {Promise<Blob>} */
    attachment: (id) => fetch(widgetUrl('/attachments/' + encodeURIComponent(id)), {
      headers: { Authorization: 'Bearer ' + state.token }
    }).then((response) => {
      if (!response.ok) throw new Error(response.statusText);
      return response.blob();
    })
  };

  /** What to tell the customer about a failure. @param {Failure} failure */
  function failureText(failure) {
    return failure.field === 'customer_email' ? phrase('emailRequired') : failure.message;
  }

  // ---------- UI ----------
  // Colours are custom properties on .root: the light set here, the dark set in DARK (applied
  // by the `dark` class, or by `auto` when the visitor's system prefers dark). --p is the
  // primary colour, --pt the text on it (black or white, whichever keeps 4.5:1), --sl/--sd the
  // secondary colour on a bubble when it keeps 4.5:1 there (the theme's text colour otherwise).
  const DARK = '--bg:#111827;--fg:#f9fafb;--mut:#c4cad4;--soft:#0b1220;--bub:#1f2937;--line:#374151;' +
    '--err:#fca5a5;--sc:var(--sd);color-scheme:dark';
  const CSS = [
    ':host{all:initial}*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}',
    '.root{--bg:#fff;--fg:#111827;--mut:#4b5563;--soft:#f9fafb;--bub:#fff;--line:#d1d5db;--err:#b91c1c;',
    '--sc:var(--sl);color-scheme:light;',
    'letter-spacing:normal;word-spacing:normal;line-height:1.4;text-transform:none;text-align:left;',
    'font-style:normal;font-weight:400;font-size:14px;color:var(--fg);direction:ltr;position:fixed;bottom:20px;',
    'right:20px;z-index:2147483000;display:flex;flex-direction:column;align-items:flex-end;gap:12px}',
    '.root.dark{' + DARK + '}@media (prefers-color-scheme:dark){.root.auto{' + DARK + '}}',
    '.root.left{right:auto;left:20px;align-items:flex-start}',
    '.launcher{width:60px;height:60px;border-radius:50%;border:0;cursor:pointer;background:var(--p);color:var(--pt);',
    'box-shadow:0 6px 20px rgba(0,0,0,.25);position:relative;display:grid;place-items:center}',
    '.launcher svg{width:28px;height:28px;fill:currentColor}',
    '.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;border-radius:11px;background:#b91c1c;',
    'color:#fff;font:700 12px/22px system-ui;text-align:center;padding:0 6px}',
    'button:focus-visible,textarea:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #2563eb;',
    'outline-offset:2px}',
    '.panel{width:370px;height:560px;max-height:calc(100vh - 110px);background:var(--bg);color:var(--fg);',
    'border-radius:16px;box-shadow:0 12px 40px rgba(0,0,0,.25);display:flex;flex-direction:column;overflow:hidden;',
    'border:1px solid var(--line)}',
    '.panel[hidden]{display:none}',
    'header{background:var(--p);color:var(--pt);padding:14px 16px;display:flex;gap:10px;align-items:center}',
    'header .who{flex:1;min-width:0}header strong{display:block;font-size:15px}',
    'header small{font-size:12px;color:var(--pt)}',
    '.av{width:36px;height:36px;border-radius:50%;background:var(--pt);color:var(--p);display:grid;place-items:center;',
    'font-weight:700;overflow:hidden;flex:none}.av img{width:100%;height:100%;object-fit:cover}',
    '.av svg,.ghost svg{width:20px;height:20px;fill:currentColor}',
    '.x{background:transparent;border:0;color:inherit;font-size:22px;cursor:pointer;width:36px;height:36px;',
    'border-radius:8px}',
    '.log{flex:1;overflow-y:auto;padding:16px;display:flex;flex-direction:column;gap:8px;background:var(--soft)}',
    '.m{max-width:80%;padding:9px 12px;border-radius:14px;font-size:14px;line-height:1.4;white-space:pre-wrap;',
    'word-wrap:break-word;background:var(--bub);border:1px solid var(--line);align-self:flex-start;color:var(--sc)}',
    '.m.me{align-self:flex-end;background:var(--p);color:var(--pt);border-color:transparent}',
    '.m.sys{align-self:center;background:none;border:0;color:var(--mut);font-size:12px}.m.sending{opacity:.65}',
    '.m.failed{outline:2px solid var(--err)}',
    '.meta{font-size:11px;color:var(--mut);align-self:flex-end;margin-top:-4px}',
    '.m img{max-width:100%;border-radius:8px;display:block}',
    '.m a,.m button.file{color:inherit;text-decoration:underline;background:none;border:0;font:inherit;',
    'cursor:pointer;padding:0}',
    '.typing,.peek{min-height:20px;padding:0 16px;font-size:12px;color:var(--mut);background:var(--soft)}',
    '.peek{padding:4px 12px;background:var(--bg)}.peek[hidden]{display:none}',
    'form.c{display:flex;gap:8px;padding:10px;border-top:1px solid var(--line);align-items:flex-end}',
    'textarea{flex:1;resize:none;border:1px solid var(--line);border-radius:10px;padding:9px 10px;font-size:14px;',
    'max-height:120px;min-height:40px}textarea,input{color:var(--fg);background:var(--bg)}',
    '.btn{background:var(--p);color:var(--pt);border:0;border-radius:10px;padding:10px 14px;font-weight:600;',
    'font-size:14px;cursor:pointer}',
    '.ghost{background:none;border:1px solid var(--line);border-radius:10px;width:40px;height:40px;cursor:pointer;',
    'color:var(--mut);font-size:18px}',
    '.card{padding:20px;display:flex;flex-direction:column;gap:10px;overflow:auto;flex:1}',
    '.card h2{font-size:16px;margin:0}.card p{margin:0;font-size:14px;color:var(--mut)}',
    'label{font-size:13px;color:var(--mut);display:flex;flex-direction:column;gap:4px}',
    'input{border:1px solid var(--line);border-radius:8px;padding:9px;font-size:14px}',
    '.err{color:var(--err);font-size:13px}',
    '.m[data-time]::after{content:attr(data-time);display:block;font-size:11px;margin-top:2px;',
    'text-align:right}.m.sys[data-time]::after{display:none}',
    '.tools{display:flex;gap:12px;justify-content:flex-end;align-items:center;padding:4px 12px;font-size:12px;',
    'background:var(--soft);color:var(--mut)}.tools button{background:none;border:0;color:var(--fg);',
    'text-decoration:underline;font:inherit;cursor:pointer;padding:4px}.tools .ask{margin-right:auto;font-weight:600}',
    '.tools[hidden]{display:none}',
    '@media (max-width:480px){.root{bottom:12px;right:12px}.root.left{left:12px}.root.open .launcher{display:none}',
    '.panel{position:fixed;inset:0;width:auto;height:auto;max-height:none;border-radius:0}}',
    '@media (prefers-reduced-motion:no-preference){.panel{animation:up .18s ease-out}',
    '@keyframes up{from{opacity:0;transform:translateY(12px)}}}'
  ].join('');

  /** WCAG relative luminance of a `#rrggbb` colour (NaN when it is not one). @param {string} color */
  function luminance(color) {
    const rgb = /^#[0-9a-f]{6}$/i.test(color) ? parseInt(color.slice(1), 16) : NaN;
    const [red, green, blue] = [rgb >> 16 & 255, rgb >> 8 & 255, rgb & 255].map((channel) => {
      const value = channel / 255;
      return value <= 0.03928 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4);
    });
    return isNaN(rgb) ? NaN : 0.2126 * red + 0.7152 * green + 0.0722 * blue;
  }
  /** The WCAG contrast ratio of two `#rrggbb` colours. @param {string} first @param {string} second */
  function contrast(first, second) {
    const [light, dark] = [luminance(first), luminance(second)].sort((a, b) => b - a);
    return (light + 0.05) / (dark + 0.05);
  }
  /** Small text needs 4.5:1 (WCAG AA). */
  const AA = 4.5;
  /**
   * Text on a `#rrggbb` colour: white when it keeps 4.5:1, black otherwise (one of the two
   * always does).
   * @param {string} color
   */
  function readableTextOn(color) {
    return isNaN(luminance(color)) || contrast('#ffffff', color) >= AA ? '#ffffff' : '#000000';
  }
  /** `color` as text on `background` when it keeps 4.5:1, `fallback` otherwise. @param {string} color @param {string} background @param {string} fallback */
  const textOr = (color, background, fallback) => (contrast(color, background) >= AA ? color : fallback);

  const ICON_CHAT = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z';
  const ICON_CLIP = 'M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5' +
    'a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z';
  /** A 24×24 icon of one path. @param {string} path */
  function icon(path) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    const shape = document.createElementNS(ns, 'path');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    shape.setAttribute('d', path);
    svg.appendChild(shape);
    return svg;
  }

  /** Builds the launcher and the panel in a shadow root at the end of the page. @returns {Ui} */
  function build() {
    const host = element('div', { id: 'tms-chat-widget', 'data-widget-id': state.widgetId, style: 'all:initial' });
    const shadow = host.attachShadow({ mode: 'open' });
    shadow.appendChild(element('style', { text: CSS }));
    const secondary = config.secondary_color;
    const colors = '--p:' + config.primary_color + ';--pt:' + readableTextOn(config.primary_color) +
      ';--sl:' + textOr(secondary, '#ffffff', '#111827') + ';--sd:' + textOr(secondary, '#1f2937', '#f9fafb');
    const root = element('div', {
      class: 'root ' + config.theme + (config.position === 'bottom-left' ? ' left' : ''), style: colors
    });
    const badge = element('span', { class: 'badge', hidden: true, 'aria-hidden': 'true' });
    const launcher = element('button', {
      class: 'launcher', type: 'button', 'aria-label': phrase('open'), 'aria-expanded': 'false',
      onclick: () => (state.isOpen ? close() : open())
    }, [icon(ICON_CHAT), badge]);
    const input = element('textarea', {
      rows: 1, 'aria-label': phrase('message'), placeholder: phrase('placeholder'), onkeydown: onKey, oninput: onInput,
      'aria-describedby': config.typing_preview ? 'tms-peek' : null
    });
    const file = element('input', {
      type: 'file', hidden: true, tabindex: '-1', accept: config.allowed_upload_types.join(','), onchange: onFile
    });
    const attach = config.allow_file_uploads ? element('button', {
      type: 'button', class: 'ghost', 'aria-label': phrase('attach'), title: phrase('attach'),
      onclick: () => file.click()
    }, [icon(ICON_CLIP)]) : null;
    /** @param {Event} event */
    const onSend = (event) => { event.preventDefault(); submit(); };
    const composer = element('form', { class: 'c', onsubmit: onSend }, [
      attach, file, input, element('button', { type: 'submit', class: 'btn', text: phrase('send') })
    ]);
    const avatar = element('div', { class: 'av', 'aria-hidden': 'true' }, [icon(ICON_CHAT)]);
    const title = element('strong', { text: phrase('title') });
    const status = element('small', { text: phrase('online') });
    const body = element('div', { style: 'display:contents' });
    /** @param {KeyboardEvent} event */
    const onPanelKey = (event) => { if (event.key === 'Escape') close(); };
    const closeButton = element('button', {
      class: 'x', type: 'button', 'aria-label': phrase('close'), text: '×', onclick: close
    });
    const panel = element('div', {
      class: 'panel', role: 'dialog', 'aria-label': phrase('dialog'), hidden: true, onkeydown: onPanelKey
    }, [
      // Not a banner landmark: the host page has its own.
      element('header', { role: 'none' }, [avatar, element('div', { class: 'who' }, [title, status]), closeButton]),
      body
    ]);
    root.appendChild(panel);
    root.appendChild(launcher);
    shadow.appendChild(root);
    document.body.appendChild(host);
    return {
      shadow, launcher, badge, root, panel, avatar, title, status, body, input, file, composer,
      tools: element('div', { class: 'tools' }),
      log: element('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': phrase('dialog') }),
      typing: element('div', { class: 'typing', 'aria-live': 'polite' }),
      peek: element('p', { class: 'peek', id: 'tms-peek', hidden: !config.typing_preview, text: phrase('peek') })
    };
  }

  // Open, and (when the widget asks for it) somebody online to answer.
  function acceptsChats() {
    return config.is_open && !(config.offline_when_no_agents && !config.agents_online);
  }

  // Which body the panel shows: offline, the email form, or the conversation.
  function render() {
    ui.body.textContent = '';
    if (!state.sessionId && !acceptsChats()) return ui.body.appendChild(offlineCard());
    if (!state.sessionId && config.require_email && !state.visitor.email) return ui.body.appendChild(emailCard());
    ui.body.appendChild(ui.log);
    ui.body.appendChild(ui.typing);
    drawTools(false);
    ui.body.appendChild(ui.tools);
    ui.body.appendChild(state.ended ? endedCard() : ui.composer);
    if (!state.ended) ui.body.appendChild(ui.peek);
    welcome();
  }
  function welcome() {
    if (!config.welcome_message || ui.log.querySelector('.welcome')) return;
    ui.log.insertBefore(element('div', { class: 'm welcome', text: config.welcome_message }), ui.log.firstChild);
  }

  /** The name and email fields of a card, filled with what the visitor gave so far. */
  function visitorFields() {
    return {
      name: element('input', { type: 'text', autocomplete: 'name', value: state.visitor.name || '' }),
      email: element('input', {
        type: 'email', autocomplete: 'email', required: true, value: state.visitor.email || ''
      })
    };
  }

  // The email form, when the widget requires an email. The browser checks the address's form;
  // the server's verdict comes when the session starts (state.emailError).
  function emailCard() {
    const fields = visitorFields();
    const error = element('p', { class: 'err', role: 'alert', text: state.emailError });
    /** @param {Event} event */
    const onStart = (event) => {
      event.preventDefault();
      if (!fields.email.value.trim()) {
        error.textContent = phrase('emailRequired');
        fields.email.focus();
        return;
      }
      state.visitor.name = fields.name.value.trim();
      state.visitor.email = fields.email.value.trim();
      state.emailError = '';
      render();
      focusInput();
    };
    return element('form', { class: 'card', onsubmit: onStart }, [
      element('h2', { text: phrase('emailTitle') }), labelled(phrase('name'), fields.name),
      labelled(phrase('email'), fields.email), error,
      element('button', { class: 'btn', type: 'submit', text: phrase('start') })
    ]);
  }

  // Outside business hours: the offline message, when chat opens next, and the configured offer.
  function offlineCard() {
    /** @type {HTMLElement[]} */
    const children = [element('h2', { text: phrase('offline') }), element('p', { text: config.offline_message })];
    if (config.next_open_at) {
      const when = new Date(config.next_open_at)
        .toLocaleString([], { weekday: 'long', hour: '2-digit', minute: '2-digit' });
      children.push(element('p', { text: phrase('nextOpen', { when }) }));
    }
    const redirectUrl = config.offline_redirect_url || '';
    if (config.offline_behavior === 'redirect' && /^https?:/i.test(redirectUrl)) {
      children.push(element('a', { class: 'btn', href: redirectUrl, target: '_top', text: phrase('redirect') }));
    }
    if (config.offline_behavior === 'collect_contact') children.push(contactForm());
    return element('div', { class: 'card' }, children);
  }
  function contactForm() {
    const fields = visitorFields();
    const message = element('textarea', { rows: 4, required: true, 'aria-label': phrase('message') });
    const error = element('p', { class: 'err', role: 'alert' });
    /** @param {Event} event */
    const onSend = (event) => {
      event.preventDefault();
      const body = { customer_name: fields.name.value, customer_email: fields.email.value, message: message.value };
      api.contact(body).then(() => {
        form.replaceWith(element('p', { role: 'status', text: phrase('contactThanks') }));
      }, (failure) => { error.textContent = failureText(failure); });
    };
    const form = element('form', { class: 'card', style: 'padding:0', onsubmit: onSend }, [
      element('h2', { text: phrase('contactTitle') }), labelled(phrase('name'), fields.name),
      labelled(phrase('email'), fields.email), labelled(phrase('message'), message), error,
      element('button', { class: 'btn', type: 'submit', text: phrase('contactSend') })
    ]);
    return form;
  }
  // Under the log: the transcript to download and, while the chat goes on, ending it (asked first).
  /** @param {boolean} asking whether to ask "End this chat?" */
  function drawTools(asking) {
    ui.tools.textContent = '';
    ui.tools.hidden = !state.sessionId;
    const tool = (/** @type {string} */ text, /** @type {() => void} */ onclick) =>
      element('button', { type: 'button', text, onclick });
    if (asking) {
      const confirm = tool(phrase('end'), endChat);
      ui.tools.append(element('span', { class: 'ask', text: phrase('endAsk') }), tool(phrase('cancel'), () => {
        drawTools(false);
        /** @type {HTMLElement} */ (ui.tools.lastChild).focus();
      }), confirm);
      confirm.focus();
      return;
    }
    ui.tools.appendChild(tool(phrase('transcript'), downloadTranscript));
    if (!state.ended) ui.tools.appendChild(tool(phrase('end'), () => drawTools(true)));
  }
  function endChat() {
    api.end().then((session) => {
      ended(session);
      focusInput();
    }, (failure) => {
      drawTools(false);
      showError(failureText(failure));
    });
  }
  // The conversation as plain text: time, who, what; files by name.
  function downloadTranscript() {
    const lines = state.messages.map((message) => {
      const who = message.sender_type === 'customer' ? phrase('you')
        : message.sender_type === 'agent' ? (state.agent ? state.agent.display_name : phrase('agent')) : '';
      const what = (message.attachment ? '[' + message.attachment.name + '] ' : '') + message.content;
      return '[' + new Date(message.created_at).toLocaleString() + '] ' + (who ? who + ': ' : '') + what;
    });
    const text = phrase('transcriptTitle') + '\n\n' + lines.join('\n') + '\n';
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    element('a', { href: url, download: 'chat-transcript.txt' }).click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
  function endedCard() {
    return element('div', { class: 'card', style: 'flex:none' }, [
      element('p', { text: phrase('ended') }),
      element('button', { class: 'btn', type: 'button', text: phrase('newChat'), onclick: startOver })
    ]);
  }
  // "Start a new chat" after the session ended: forget it, keep the visitor.
  function startOver() {
    if (state.socket) {
      state.socket.onclose = null;
      state.socket.close();
    }
    state.token = state.sessionId = state.agent = null;
    state.lastSeq = 0;
    state.ended = false;
    state.pending = [];
    state.rendered = {};
    state.messages = [];
    ui.log.textContent = '';
    saveConversation();
    setAgent(null);
    render();
    focusInput();
  }

  /**
   * The customer's place in the queue while the session waits (null once an agent has it).
   * @param {number | null | undefined} position
   */
  function showQueue(position) {
    state.queuePosition = position || null;
    ui.status.textContent = state.queuePosition
      ? phrase('queue', { n: state.queuePosition }) : phrase('online');
  }
  /** @param {CustomerSessionView} session */
  function followSession(session) {
    setAgent(session.agent);
    showQueue(session.queue_position);
  }
  /** Shows the assigned agent (name, avatar or initial) in the header. @param {PublicAgentView | null} agent */
  function setAgent(agent) {
    state.agent = agent;
    ui.title.textContent = agent ? agent.display_name : phrase('title');
    ui.avatar.textContent = '';
    if (agent && agent.avatar_url && config.show_agent_avatars) {
      ui.avatar.appendChild(element('img', { src: agent.avatar_url, alt: '' }));
    } else if (agent) ui.avatar.textContent = agent.display_name.charAt(0).toUpperCase();
    else ui.avatar.appendChild(icon(ICON_CHAT));
  }

  /** @param {number} bytes */
  function formatSize(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + ' MB' : Math.ceil(bytes / 1024) + ' KB';
  }

  /** @param {string} text a value for a double-quoted attribute selector */
  const cssString = (text) => String(text).replace(/["\\]/g, '\\$&');
  /** @param {string} clientMessageId */
  const bubbleOf = (clientMessageId) => ui.log.querySelector('[data-cid="' + cssString(clientMessageId) + '"]');

  /**
   * Adds a message bubble (or replaces the pending one it confirms); null when that `seq` is
   * already shown.
   * @param {BubbleContent} message
   */
  function addBubble(message) {
    if (message.seq && state.rendered[message.seq]) return null;
    const kind = (message.sender_type === 'customer' ? ' me' : '') + (message.message_type === 'system' ? ' sys' : '') +
      (message.pending ? ' sending' : '');
    const time = message.created_at ? new Date(message.created_at)
      .toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : null;
    const bubble = element('div', {
      class: 'm' + kind, 'data-seq': message.seq || '', 'data-cid': message.client_message_id || '', 'data-time': time
    });
    if (message.attachment) bubble.appendChild(attachmentNode(message.attachment));
    if (message.content) bubble.appendChild(document.createTextNode(message.content));
    if (message.pending) bubble.setAttribute('aria-label', phrase('sending'));
    const existing = message.client_message_id && bubbleOf(message.client_message_id);
    if (existing) existing.replaceWith(bubble);
    else ui.log.appendChild(bubble);
    if (message.seq) state.rendered[message.seq] = bubble;
    ui.log.scrollTop = ui.log.scrollHeight;
    return bubble;
  }
  /** @param {PendingMessage} message */
  const showPending = (message) => addBubble({ ...message, sender_type: 'customer', pending: true });

  /** An image shown inline, or a download button for any other file. @param {AttachmentView} attachment */
  function attachmentNode(attachment) {
    const download = () => api.attachment(attachment.id);
    if (INLINE_IMAGE.test(attachment.content_type)) {
      const image = element('img', { alt: attachment.name });
      download().then((blob) => { image.src = URL.createObjectURL(blob); }, () => {
        image.replaceWith(document.createTextNode(attachment.name));
      });
      return element('div', {}, [image]);
    }
    const save = () => download().then((blob) => {
      element('a', { href: URL.createObjectURL(blob), download: attachment.name }).click();
    });
    return element('button', {
      type: 'button', class: 'file', text: attachment.name + ' (' + formatSize(attachment.size) + ')',
      'aria-label': phrase('download', { name: attachment.name }), onclick: save
    });
  }
  /** @param {string} message */
  function showError(message) {
    const bubble = addBubble({ message_type: 'system', content: phrase('error', { msg: message }) });
    if (bubble) bubble.setAttribute('role', 'alert');
  }

  // ---------- conversation ----------
  /** Enter sends, Shift+Enter is a new line. @param {KeyboardEvent} event */
  function onKey(event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  }
  function onInput() {
    ui.input.style.height = 'auto';
    ui.input.style.height = Math.min(ui.input.scrollHeight, MAX_INPUT_HEIGHT) + 'px';
    if (!state.sessionId) return;
    if (config.typing_preview) schedulePreview();
    else if (!state.typingSent) {
      state.typingSent = true;
      sendFrame({ type: 'typing_indicator', is_typing: true });
    }
    clearTimeout(state.typingTimer);
    state.typingTimer = window.setTimeout(stopTyping, TYPING_IDLE_MS);
  }
  // The draft for agents (typing_preview): at once after a pause, then at most every PREVIEW_MS.
  function schedulePreview() {
    if (state.previewTimer) return;
    state.previewTimer = window.setTimeout(() => {
      state.previewTimer = 0;
      state.previewAt = Date.now();
      state.typingSent = true;
      sendFrame({ type: 'typing_indicator', is_typing: true, preview: ui.input.value });
    }, Math.max(0, state.previewAt + PREVIEW_MS - Date.now()));
  }
  function stopTyping() {
    clearTimeout(state.previewTimer);
    state.previewTimer = 0;
    if (!state.typingSent) return;
    state.typingSent = false;
    sendFrame({ type: 'typing_indicator', is_typing: false });
  }
  function submit() {
    const text = ui.input.value;
    if (!text.trim()) return;
    ui.input.value = '';
    ui.input.style.height = '';
    stopTyping();
    send({ content: text, message_type: 'text' });
  }
  const newClientMessageId = () => 'c-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10);

  /**
   * Shows a message as sending, keeps it until the server stores it, and starts the session
   * first if there is none.
   * @param {Omit<PendingMessage, 'client_message_id'>} draft
   */
  function send(draft) {
    /** @type {PendingMessage} */
    const message = { ...draft, client_message_id: newClientMessageId() };
    state.pending.push(message);
    saveConversation();
    showPending(message);
    ensureSession().then(flushPending, (failure) => markFailed(message, failure));
  }
  /** @param {PendingMessage} message @param {Failure} failure */
  function markFailed(message, failure) {
    const bubble = bubbleOf(message.client_message_id);
    if (bubble) {
      bubble.classList.add('failed');
      bubble.setAttribute('aria-label', phrase('failed'));
    }
    state.pending = state.pending.filter((other) => other !== message);
    saveConversation();
    showError(failureText(failure));
  }
  // Sends every pending message; the server stores each `client_message_id` once.
  function flushPending() {
    if (!state.socket || state.socket.readyState !== WebSocket.OPEN) return;
    for (const message of state.pending) {
      sendFrame({
        type: 'send_message', content: message.content, message_type: message.message_type,
        attachment_id: message.attachment_id, client_message_id: message.client_message_id,
        request_id: message.client_message_id
      });
    }
  }
  /** Starts the session on the first message (once, however many messages wait). @returns {Promise<void>} */
  function ensureSession() {
    if (state.sessionId) return Promise.resolve();
    if (state.starting) return state.starting;
    const visitor = state.visitor;
    const body = { customer_name: visitor.name || undefined, customer_email: visitor.email || undefined,
      identity_hash: visitor.hash || undefined, context: pageView() };
    const startedOn = pageKey(body.context);
    state.starting = api.startSession(body).then((started) => {
      state.token = started.customer_token;
      state.sessionId = started.session.id;
      state.lastSeq = 0;
      reportedPage = startedOn;
      saveConversation();
      state.starting = null;
      followSession(started.session);
      drawTools(false);
      connect();
    }, (failure) => {
      state.starting = null;
      if (failure instanceof ApiError && failure.field === 'customer_email') forgetEmail();
      if (failure instanceof ApiError && failure.code === 'no_agents_available') {
        config.agents_online = false;
        render();
      }
      throw failure;
    });
    return state.starting;
  }
  // The server refused the visitor's email: ask again, with its verdict.
  function forgetEmail() {
    state.visitor.email = undefined;
    state.emailError = phrase('emailRequired');
    render();
  }
  function onFile() {
    const file = ui.file.files && ui.file.files[0];
    ui.file.value = '';
    if (!file) return;
    if (file.size > config.max_upload_bytes) {
      showError(phrase('tooLarge', { max: formatSize(config.max_upload_bytes) }));
      return;
    }
    ensureSession().then(() => api.upload(file)).then((attachment) => {
      send({ content: '', message_type: 'file', attachment_id: attachment.id, attachment });
    }, (failure) => {
      showError(failure.code === 'unsupported_media_type' ? phrase('fileType') : failure.message);
    });
  }

  /** A stored message from history or the socket. @param {MessageView} message */
  function receive(message) {
    if (message.seq > state.lastSeq) state.lastSeq = message.seq;
    if (message.client_message_id && message.sender_type === 'customer') {
      state.pending = state.pending.filter((pending) => pending.client_message_id !== message.client_message_id);
    }
    saveConversation();
    if (state.rendered[message.seq]) return;
    state.messages.push(message);
    state.messages.sort((first, second) => first.seq - second.seq);
    addBubble(message);
    if (message.sender_type !== 'agent') return;
    state.agentTypingTimer = 0;
    ui.typing.textContent = '';
    if (!state.isOpen || document.hidden) {
      state.unread++;
      showUnread();
    } else markRead();
    for (const listener of state.messageListeners) {
      try { listener(message); } catch (e) { /* the host's handler */ }
    }
  }
  function showUnread() {
    const unread = state.unread;
    ui.badge.hidden = !unread;
    ui.badge.textContent = unread > 9 ? '9+' : String(unread);
    const label = unread
      ? phrase('open') + ' (' + phrase('unread', { n: unread }) + ')'
      : phrase(state.isOpen ? 'close' : 'open');
    ui.launcher.setAttribute('aria-label', label);
  }
  function markRead() {
    if (state.sessionId && state.lastSeq) sendFrame({ type: 'mark_read', seq: state.lastSeq });
  }

  // ---------- customer context: the page the customer is on (agents only see it) ----------
  let reportedPage = '';
  let pageTimer = 0;
  /** What the page and browser say about the visit, within the server's limits. @returns {PageView} */
  function pageView() {
    let zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = undefined; }
    return {
      url: location.href.slice(0, 2048),
      title: (document.title || '').slice(0, 300) || undefined,
      referrer: (document.referrer || '').slice(0, 2048) || undefined,
      user_agent: navigator.userAgent.slice(0, 512),
      language: navigator.language || undefined,
      time_zone: zone || undefined
    };
  }
  /** @param {PageView} view */
  function pageKey(view) {
    return view.url + '\n' + (view.title || '');
  }
  /** Sends a `page_view` when the page changed since the last one this page load sent. */
  function reportPage() {
    const view = pageView();
    const key = pageKey(view);
    if (key !== reportedPage && sendFrame({ type: 'page_view', ...view })) reportedPage = key;
  }
  // Single-page apps change the URL through history and set the title just after: report
  // once things settled.
  function pageChanged() {
    clearTimeout(pageTimer);
    pageTimer = window.setTimeout(() => reportPage(), 150);
  }
  function watchPage() {
    for (const name of /** @type {const} */ (['pushState', 'replaceState'])) {
      const original = history[name];
      history[name] = function (...args) {
        const result = original.apply(this, args);
        pageChanged();
        return result;
      };
    }
    window.addEventListener('popstate', pageChanged);
    window.addEventListener('hashchange', pageChanged);
    const title = document.querySelector('title');
    if (title) new MutationObserver(pageChanged).observe(title, { childList: true, characterData: true, subtree: true });
  }

  // ---------- socket ----------
  /** @param {ClientRequest} frame */
  function sendFrame(frame) {
    if (!state.socket || state.socket.readyState !== WebSocket.OPEN) return false;
    state.socket.send(JSON.stringify(frame));
    return true;
  }
  function connect() {
    if (!state.token || state.ended) return;
    if (state.socket && state.socket.readyState <= WebSocket.OPEN) return;
    const url = SOCKET_BASE_URL + '/v1/chat/public/widgets/' + encodeURIComponent(state.widgetId) + '/ws?token=' +
      encodeURIComponent(state.token);
    const socket = new WebSocket(url);
    state.socket = socket;
    socket.onopen = () => {
      state.retryMs = FIRST_RETRY_MS;
      showQueue(state.queuePosition);
      sendFrame({ type: 'resume', after_seq: state.lastSeq });
      flushPending();
      reportPage();
      clearInterval(state.pinger);
      state.pinger = window.setInterval(() => sendFrame({ type: 'ping' }), PING_INTERVAL_MS);
    };
    socket.onmessage = (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      onFrame(frame);
    };
    socket.onclose = () => {
      clearInterval(state.pinger);
      if (state.ended || socket !== state.socket) return;
      ui.status.textContent = phrase('connecting');
      const delay = state.retryMs * (0.5 + Math.random());
      state.retryMs = Math.min(state.retryMs * 2, LAST_RETRY_MS);
      setTimeout(reconnect, delay);
    };
  }
  // The token may have died (the session ended elsewhere, or the widget was deleted: 404):
  // check before connecting again.
  function reconnect() {
    api.session().then((session) => {
      if (session.status === 'ended') ended(session);
      else connect();
    }, (failure) => {
      const dead = failure instanceof ApiError && (failure.status === 401 || failure.status === 404);
      if (!dead) return connect();
      state.ended = true;
      saveConversation();
      render();
    });
  }
  /** @param {CustomerSessionView} [session] */
  function ended(session) {
    state.ended = true;
    if (session) setAgent(session.agent);
    stopTyping();
    saveConversation();
    render();
  }
  /** @param {WidgetFrame} frame */
  function onFrame(frame) {
    switch (frame.type) {
      case 'new_message': return receive(frame.message);
      case 'message_ack':
        if (!state.rendered[frame.seq]) receive(frame.message);
        return;
      case 'typing_indicator': return showAgentTyping(frame.is_typing, frame.sender_type);
      case 'session_assigned': case 'session_updated': case 'session_transferred':
        if (frame.session) followSession(frame.session);
        return;
      case 'queue_updated': return showQueue(frame.queue_position);
      case 'session_ended': return ended(frame.session);
      case 'read_marker': return showSeen(frame.participant, frame.last_read_seq);
      case 'resync_required':
        sendFrame({ type: 'resume', after_seq: state.lastSeq });
        return;
      case 'error': {
        const failed = state.pending.find((message) => message.client_message_id === frame.request_id);
        if (failed) markFailed(failed, frame);
        // A refused send is marked above; a refused typing update (its rate) is nothing to show.
        else if (frame.code !== 'not_found' && frame.code !== 'rate_limited') showError(frame.message);
      }
    }
  }
  /** @param {boolean} isTyping @param {SenderType} sender */
  function showAgentTyping(isTyping, sender) {
    if (sender !== 'agent') return;
    clearTimeout(state.agentTypingTimer);
    const name = state.agent ? state.agent.display_name : phrase('agent');
    ui.typing.textContent = isTyping ? phrase('typing', { name }) : '';
    if (isTyping) state.agentTypingTimer = window.setTimeout(() => { ui.typing.textContent = ''; }, AGENT_TYPING_MS);
  }
  // "Seen" under the customer's last message an agent has read.
  /** @param {string} participant @param {number} lastReadSeq */
  function showSeen(participant, lastReadSeq) {
    if (!participant.startsWith('agent:')) return;
    const seen = ui.log.querySelector('.meta');
    if (seen) seen.remove();
    const read = Array.from(ui.log.querySelectorAll('.m.me[data-seq]'))
      .filter((bubble) => Number(bubble.getAttribute('data-seq')) <= lastReadSeq);
    if (read.length) read[read.length - 1].after(element('div', { class: 'meta', text: phrase('seen') }));
  }

  // ---------- open / close ----------
  function focusInput() {
    setTimeout(() => {
      /** @type {HTMLElement | null} */
      const field = ui.shadow.querySelector('.card input:not([type=file]), .c textarea, .card button');
      if (field) field.focus();
    }, 0);
  }
  function open() {
    if (!state.ready) {
      state.queue.push(['open']);
      return;
    }
    state.isOpen = true;
    ui.panel.hidden = false;
    ui.root.classList.add('open');
    ui.launcher.setAttribute('aria-expanded', 'true');
    state.unread = 0;
    showUnread();
    markRead();
    focusInput();
  }
  function close() {
    if (!state.ready) return;
    state.isOpen = false;
    ui.panel.hidden = true;
    ui.root.classList.remove('open');
    ui.launcher.setAttribute('aria-expanded', 'false');
    showUnread();
    ui.launcher.focus();
  }

  // ---------- start ----------
  /** Loads the configuration, builds the widget and resumes a saved session. @param {TmsChatOptions} options */
  function init(options) {
    if (state.widgetId || !options || !options.widgetId) return;
    state.widgetId = String(options.widgetId);
    watchPage();
    const joinToken = takeJoinToken();
    api.config().then((loaded) => {
      config = loaded;
      ui = build();
      render();
      const saved = joinToken ? { token: joinToken, sid: null, lastSeq: 0, pending: [] } : loadConversation();
      if (saved && saved.token) return resume(saved);
    }).then(() => {
      state.ready = true;
      if (joinToken) open();
      else if (config.auto_open_delay) setTimeout(() => { if (!state.isOpen) open(); }, config.auto_open_delay);
      const calls = state.queue;
      state.queue = [];
      for (const [name, argument, listener] of calls) command(name, argument, listener);
    }).catch((failure) => {
      const why = failure && failure.code === 'domain_not_allowed'
        ? 'this page\'s domain (' + location.hostname + ') is not allowed for this widget (domain_not_allowed)'
        : (failure && (failure.message || failure.code)) || failure;
      console.warn('TmsChat: the chat cannot start on this page for widget ' + state.widgetId + ': ' + why);
    });
  }
  /**
   * Continues a saved (or joined) session; forgets it when its token no longer works.
   * @param {SavedConversation} saved
   */
  function resume(saved) {
    state.token = saved.token;
    state.sessionId = saved.sid || null;
    state.lastSeq = saved.lastSeq || 0;
    state.pending = saved.pending || [];
    return api.session().then((session) => {
      state.sessionId = session.id;
      followSession(session);
      if (session.status === 'ended') state.ended = true;
      return loadHistory();
    }).then(() => {
      render();
      state.pending.forEach(showPending);
      connect();
    }, (failure) => {
      if (failure.status !== 401 && failure.status !== 404) return;
      state.token = state.sessionId = null;
      state.lastSeq = 0;
      state.pending = [];
      saveConversation();
      render();
    });
  }
  function loadHistory() {
    state.lastSeq = 0;
    state.rendered = {};
    state.messages = [];
    ui.log.textContent = '';
    welcome();
    /** @returns {Promise<void>} */
    const page = () => api.history(state.lastSeq).then((list) => {
      list.messages.forEach(receive);
      if (list.messages.length === HISTORY_PAGE) return page();
    });
    const unread = state.unread;
    return page().then(() => {
      state.unread = unread;
      showUnread();
    });
  }
  // An agent's join link (`?tms_chat_join=<token>`) opens that session; the token leaves the address bar.
  function takeJoinToken() {
    const url = new URL(location.href);
    let token = url.searchParams.get('tms_chat_join');
    const inHash = url.hash.indexOf('tms_chat_join=') >= 0;
    if (!token && inHash) token = new URLSearchParams(url.hash.slice(1)).get('tms_chat_join');
    if (!token) return null;
    url.searchParams.delete('tms_chat_join');
    if (inHash) url.hash = '';
    history.replaceState(history.state, '', url.toString());
    return token;
  }

  /** `TmsChat('setVisitor', ...)`. @param {TmsChatVisitor} visitor */
  function setVisitor(visitor) {
    if (visitor.name) state.visitor.name = String(visitor.name);
    if (visitor.email) state.visitor.email = String(visitor.email);
    if (visitor.hash) state.visitor.hash = String(visitor.hash);
    if (state.sessionId && state.ready) {
      api.updateVisitor({ customer_name: visitor.name, customer_email: visitor.email }).catch((failure) => {
        console.warn('TmsChat: setVisitor: ' + failure.message);
      });
    } else if (state.ready) render();
  }

  /**
   * One `TmsChat(...)` call (types/tms-chat.d.ts). Until the widget is ready, calls other than
   * `init`, `on` and `setVisitor` wait in the queue.
   * @param {string} name
   * @param {unknown} [argument]
   * @param {unknown} [listener]
   */
  function command(name, argument, listener) {
    if (name === 'init') return init(/** @type {TmsChatOptions} */ (argument || {}));
    if (!state.ready && name !== 'on' && name !== 'setVisitor') {
      state.queue.push([name, argument, listener]);
      return;
    }
    switch (name) {
      case 'open': return open();
      case 'close': return close();
      case 'on':
        if (argument === 'message' && typeof listener === 'function') {
          state.messageListeners.push(/** @type {TmsChatMessageListener} */ (listener));
        }
        return;
      case 'setVisitor': return setVisitor(/** @type {TmsChatVisitor} */ (argument || {}));
    }
  }

  const queued = (window.TmsChat && window.TmsChat.q) || [];
  /** @type {TmsChat} */
  const tmsChat = command;
  tmsChat.loaded = true;
  window.TmsChat = tmsChat;
  document.addEventListener('visibilitychange', () => {
    if (document.hidden || !state.isOpen) return;
    state.unread = 0;
    showUnread();
    markRead();
  });
  const replayQueued = () => {
    for (const call of queued) command(String(call[0]), call[1], call[2]);
  };
  if (document.body) replayQueued();
  else document.addEventListener('DOMContentLoaded', replayQueued);
})();
