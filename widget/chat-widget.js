/*! TMS Chat customer widget. Loaded by the embed snippet:
 *  TmsChat('init', {widgetId, domain}); then TmsChat('open' | 'close' | 'setVisitor' | 'on', ...).
 *  Plain ES2020, no dependencies, renders in a shadow root. All user content is set as text. */
(function () {
  'use strict';
  if (window.TmsChat && window.TmsChat.loaded) return;

  // Every string the customer sees, in one table for translation.
  var STRINGS = {
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
    error: 'Something went wrong: {msg}', fileType: 'This file type is not accepted.'
  };
  var t = function (k, v) { return String(STRINGS[k]).replace(/\{(\w+)\}/g, function (_, x) { return v && v[x] != null ? v[x] : ''; }); };

  var me = document.getElementById('TmsChat') || document.currentScript;
  var BASE = (me && me.src ? me.src : location.origin + '/chat-widget.js').replace(/\/chat-widget\.js([?#].*)?$/, '');
  var WS_BASE = BASE.replace(/^http/, 'ws');
  var S = { // widget state
    wid: null, cfg: null, opts: {}, token: null, sid: null, lastSeq: 0, ended: false, agent: null,
    visitor: {}, pending: [], rendered: {}, unread: 0, open: false, ws: null, backoff: 1000,
    listeners: { message: [] }, typingSent: false, typingTimer: 0, agentTyping: 0, ready: false, queue: []
  };
  var el = {}; // UI elements

  function h(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== false && attrs[k] != null) e.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  var storeKey = function () { return 'tmschat:' + S.wid; };
  function save() {
    try { localStorage.setItem(storeKey(), JSON.stringify({ token: S.token, sid: S.sid, lastSeq: S.lastSeq, pending: S.pending })); } catch (e) { /* storage disabled */ }
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey()) || 'null'); } catch (e) { return null; }
  }

  function api(method, path, body, raw) {
    var headers = {};
    if (S.token) headers.Authorization = 'Bearer ' + S.token;
    if (body !== undefined && !raw) headers['Content-Type'] = 'application/json';
    return fetch(BASE + '/v1/chat/public/widgets/' + encodeURIComponent(S.wid) + path, {
      method: method, headers: headers, body: raw ? body : body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      if (r.status === 204) return null;
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) { var e = new Error((j.error && j.error.message) || r.statusText); e.status = r.status; e.code = j.error && j.error.code; e.field = j.error && j.error.field; throw e; }
        return j;
      });
    });
  }

  // ---------- UI ----------
  var CSS = ':host{all:initial}*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}' +
    '.root{letter-spacing:normal;word-spacing:normal;line-height:1.4;text-transform:none;text-align:left;font-style:normal;font-weight:400;font-size:14px;color:#111827;direction:ltr;position:fixed;bottom:20px;right:20px;z-index:2147483000;display:flex;flex-direction:column;align-items:flex-end;gap:12px}.root.left{right:auto;left:20px;align-items:flex-start}' +
    '.launcher{width:60px;height:60px;border-radius:50%;border:0;cursor:pointer;background:var(--p);color:var(--pt);box-shadow:0 6px 20px rgba(0,0,0,.25);position:relative;display:grid;place-items:center}' +
    '.launcher svg{width:28px;height:28px;fill:currentColor}.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;border-radius:11px;background:#b91c1c;color:#fff;font:700 12px/22px system-ui;text-align:center;padding:0 6px}' +
    'button:focus-visible,textarea:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #2563eb;outline-offset:2px}' +
    '.panel{width:370px;height:560px;max-height:calc(100vh - 110px);background:#fff;color:#111827;border-radius:16px;box-shadow:0 12px 40px rgba(0,0,0,.25);display:flex;flex-direction:column;overflow:hidden;border:1px solid #e5e7eb}' +
    '.panel[hidden]{display:none}header{background:var(--p);color:var(--pt);padding:14px 16px;display:flex;gap:10px;align-items:center}header .who{flex:1;min-width:0}header strong{display:block;font-size:15px}header small{font-size:12px;opacity:.9}' +
    '.av{width:36px;height:36px;border-radius:50%;background:rgba(255,255,255,.25);display:grid;place-items:center;font-weight:700;overflow:hidden;flex:none}.av img{width:100%;height:100%;object-fit:cover}.av svg,.ghost svg{width:20px;height:20px;fill:currentColor}' +
    '.x{background:transparent;border:0;color:inherit;font-size:22px;cursor:pointer;width:36px;height:36px;border-radius:8px}' +
    '.log{flex:1;overflow-y:auto;padding:16px;display:flex;flex-direction:column;gap:8px;background:#f9fafb}' +
    '.m{max-width:80%;padding:9px 12px;border-radius:14px;font-size:14px;line-height:1.4;white-space:pre-wrap;word-wrap:break-word;background:#fff;border:1px solid #e5e7eb;align-self:flex-start;color:var(--s)}' +
    '.m.me{align-self:flex-end;background:var(--p);color:var(--pt);border-color:transparent}.m.sys{align-self:center;background:none;border:0;color:#4b5563;font-size:12px}.m.sending{opacity:.65}.m.failed{outline:2px solid #b91c1c}' +
    '.meta{font-size:11px;color:#4b5563;align-self:flex-end;margin-top:-4px}.m img{max-width:100%;border-radius:8px;display:block}.m a,.m button.file{color:inherit;text-decoration:underline;background:none;border:0;font:inherit;cursor:pointer;padding:0}' +
    '.typing{min-height:20px;padding:0 16px;font-size:12px;color:#4b5563;background:#f9fafb}' +
    'form.c{display:flex;gap:8px;padding:10px;border-top:1px solid #e5e7eb;align-items:flex-end}textarea{flex:1;resize:none;border:1px solid #d1d5db;border-radius:10px;padding:9px 10px;font-size:14px;max-height:120px;min-height:40px;color:#111827}' +
    '.btn{background:var(--p);color:var(--pt);border:0;border-radius:10px;padding:10px 14px;font-weight:600;font-size:14px;cursor:pointer}.ghost{background:none;border:1px solid #d1d5db;border-radius:10px;width:40px;height:40px;cursor:pointer;color:#374151;font-size:18px}' +
    '.card{padding:20px;display:flex;flex-direction:column;gap:10px;overflow:auto;flex:1}.card h2{font-size:16px;margin:0}.card p{margin:0;font-size:14px;color:#374151}' +
    'label{font-size:13px;color:#374151;display:flex;flex-direction:column;gap:4px}input{border:1px solid #d1d5db;border-radius:8px;padding:9px;font-size:14px}.err{color:#b91c1c;font-size:13px}' +
    '@media (max-width:480px){.root{bottom:12px;right:12px}.root.left{left:12px}.panel{position:fixed;inset:0;width:auto;height:auto;max-height:none;border-radius:0}}' +
    '@media (prefers-reduced-motion:no-preference){.panel{animation:up .18s ease-out}@keyframes up{from{opacity:0;transform:translateY(12px)}}}';

  function textOn(hex) { // black or white text on a colour, whichever contrasts more (WCAG)
    var n = parseInt(String(hex).slice(1), 16); if (isNaN(n)) return '#fff';
    var c = [n >> 16 & 255, n >> 8 & 255, n & 255].map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    var L = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    return (L + 0.05) / 0.05 > 1.05 / (L + 0.05) ? '#111827' : '#ffffff';
  }

  function build() {
    var cfg = S.cfg, o = S.opts;
    var primary = cfg.primary_color || o.primaryColor || '#3b82f6';
    var host = h('div', { id: 'tms-chat-widget', 'data-widget-id': S.wid, style: 'all:initial' });
    var root = host.attachShadow({ mode: 'open' });
    root.appendChild(h('style', { text: CSS }));
    var pos = cfg.position || o.position || 'bottom-right';
    el.root = h('div', { class: 'root' + (pos === 'bottom-left' ? ' left' : ''), style: '--p:' + primary + ';--pt:' + textOn(primary) + ';--s:' + (cfg.secondary_color || o.secondaryColor || '#1f2937') });
    el.badge = h('span', { class: 'badge', hidden: true, 'aria-hidden': 'true' });
    el.launcher = h('button', { class: 'launcher', type: 'button', 'aria-label': t('open'), 'aria-expanded': 'false', onclick: function () { S.open ? close() : open(); } }, [svg(ICON_CHAT), el.badge]);
    el.avatar = h('div', { class: 'av', 'aria-hidden': 'true' }, [svg(ICON_CHAT)]);
    el.title = h('strong', { text: t('title') });
    el.status = h('small', { text: t('online') });
    el.log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': t('dialog') });
    el.typing = h('div', { class: 'typing', 'aria-live': 'polite' });
    el.input = h('textarea', { rows: 1, 'aria-label': t('message'), placeholder: t('placeholder'), onkeydown: onKey, oninput: onInput });
    el.file = h('input', { type: 'file', hidden: true, tabindex: '-1', onchange: onFile });
    el.composer = h('form', { class: 'c', onsubmit: function (e) { e.preventDefault(); submit(); } }, [
      cfg.allow_file_uploads ? h('button', { type: 'button', class: 'ghost', 'aria-label': t('attach'), title: t('attach'), onclick: function () { el.file.click(); } }, [svg(ICON_CLIP)]) : null,
      el.file, el.input, h('button', { type: 'submit', class: 'btn', text: t('send') })
    ]);
    el.body = h('div', { style: 'display:contents' });
    el.panel = h('div', { class: 'panel', role: 'dialog', 'aria-label': t('dialog'), hidden: true, onkeydown: function (e) { if (e.key === 'Escape') close(); } }, [
      h('header', {}, [el.avatar, h('div', { class: 'who' }, [el.title, el.status]), h('button', { class: 'x', type: 'button', 'aria-label': t('close'), text: '×', onclick: close })]),
      el.body
    ]);
    el.root.appendChild(el.panel); el.root.appendChild(el.launcher);
    root.appendChild(el.root);
    document.body.appendChild(host);
    S.shadow = root;
    render();
  }
  var ICON_CHAT = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z';
  var ICON_CLIP = 'M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z';
  function svg(d) {
    var ns = 'http://www.w3.org/2000/svg', s = document.createElementNS(ns, 'svg'), p = document.createElementNS(ns, 'path');
    s.setAttribute('viewBox', '0 0 24 24'); s.setAttribute('aria-hidden', 'true');
    p.setAttribute('d', d); s.appendChild(p); return s;
  }

  // Which body the panel shows: offline, the email form, or the conversation.
  function render() {
    el.body.textContent = '';
    var cfg = S.cfg;
    if (!S.sid && !cfg.is_open) return el.body.appendChild(offlineCard());
    if (!S.sid && cfg.require_email && !validEmail(S.visitor.email)) return el.body.appendChild(emailCard());
    el.body.appendChild(el.log); el.body.appendChild(el.typing);
    if (S.ended) el.body.appendChild(endedCard()); else el.body.appendChild(el.composer);
    welcome();
  }
  function welcome() {
    if (!S.cfg.welcome_message || el.log.querySelector('.welcome')) return;
    var b = h('div', { class: 'm welcome', text: S.cfg.welcome_message });
    el.log.insertBefore(b, el.log.firstChild);
  }
  var validEmail = function (v) { return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v || ''); };
  function emailCard() {
    var name = h('input', { type: 'text', autocomplete: 'name', value: S.visitor.name || '' });
    var email = h('input', { type: 'email', autocomplete: 'email', required: true, value: S.visitor.email || '' });
    var err = h('p', { class: 'err', role: 'alert' });
    return h('form', { class: 'card', onsubmit: function (e) {
      e.preventDefault();
      if (!validEmail(email.value)) { err.textContent = t('emailRequired'); email.focus(); return; }
      S.visitor.name = name.value.trim(); S.visitor.email = email.value.trim(); render(); focusInput();
    } }, [h('h2', { text: t('emailTitle') }), h('label', {}, [document.createTextNode(t('name')), name]), h('label', {}, [document.createTextNode(t('email')), email]), err, h('button', { class: 'btn', type: 'submit', text: t('start') })]);
  }
  function offlineCard() {
    var cfg = S.cfg, kids = [h('h2', { text: t('offline') }), h('p', { text: cfg.offline_message })];
    if (cfg.next_open_at) kids.push(h('p', { text: t('nextOpen', { when: new Date(cfg.next_open_at).toLocaleString([], { weekday: 'long', hour: '2-digit', minute: '2-digit' }) }) }));
    if (cfg.offline_behavior === 'redirect' && /^https?:/i.test(cfg.offline_redirect_url || '')) kids.push(h('a', { class: 'btn', href: cfg.offline_redirect_url, target: '_top', text: t('redirect') }));
    if (cfg.offline_behavior === 'collect_contact') {
      var name = h('input', { type: 'text', autocomplete: 'name', value: S.visitor.name || '' });
      var email = h('input', { type: 'email', autocomplete: 'email', required: true, value: S.visitor.email || '' });
      var msg = h('textarea', { rows: 4, required: true, 'aria-label': t('message') });
      var err = h('p', { class: 'err', role: 'alert' });
      var form = h('form', { class: 'card', style: 'padding:0', onsubmit: function (e) {
        e.preventDefault();
        if (!validEmail(email.value)) { err.textContent = t('emailRequired'); return; }
        api('POST', '/contact', { customer_name: name.value, customer_email: email.value, message: msg.value }).then(function () {
          form.replaceWith(h('p', { role: 'status', text: t('contactThanks') }));
        }, function (x) { err.textContent = x.message; });
      } }, [h('h2', { text: t('contactTitle') }), h('label', {}, [document.createTextNode(t('name')), name]), h('label', {}, [document.createTextNode(t('email')), email]), h('label', {}, [document.createTextNode(t('message')), msg]), err, h('button', { class: 'btn', type: 'submit', text: t('contactSend') })]);
      kids.push(form);
    }
    return h('div', { class: 'card' }, kids);
  }
  function endedCard() {
    return h('div', { class: 'card', style: 'flex:none' }, [h('p', { text: t('ended') }), h('button', { class: 'btn', type: 'button', text: t('newChat'), onclick: reset })]);
  }
  function reset() {
    if (S.ws) { S.ws.onclose = null; S.ws.close(); }
    S.token = S.sid = S.agent = null; S.lastSeq = 0; S.ended = false; S.pending = []; S.rendered = {};
    el.log.textContent = ''; save(); setAgent(null); render(); focusInput();
  }

  function setAgent(agent) {
    S.agent = agent;
    el.title.textContent = agent ? agent.display_name : t('title');
    el.avatar.textContent = '';
    if (agent && agent.avatar_url && S.cfg.show_agent_avatars) el.avatar.appendChild(h('img', { src: agent.avatar_url, alt: '' }));
    else if (agent) el.avatar.textContent = agent.display_name.charAt(0).toUpperCase();
    else el.avatar.appendChild(svg(ICON_CHAT));
  }

  function fmtSize(n) { return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MB' : Math.ceil(n / 1024) + ' KB'; }

  // A message bubble; `m` is a wire message or a pending local one.
  function addBubble(m) {
    if (m.seq && S.rendered[m.seq]) return;
    var mine = m.sender_type === 'customer', sys = m.message_type === 'system';
    var b = h('div', { class: 'm' + (mine ? ' me' : '') + (sys ? ' sys' : '') + (m.pending ? ' sending' : ''), 'data-seq': m.seq || '', 'data-cid': m.client_message_id || '' });
    if (m.attachment) b.appendChild(fileNode(m.attachment));
    if (m.content) b.appendChild(document.createTextNode(m.content));
    if (m.pending) b.setAttribute('aria-label', t('sending'));
    var existing = m.client_message_id && el.log.querySelector('[data-cid="' + cssEsc(m.client_message_id) + '"]');
    if (existing) existing.replaceWith(b); else el.log.appendChild(b);
    if (m.seq) S.rendered[m.seq] = b;
    el.log.scrollTop = el.log.scrollHeight;
    return b;
  }
  var cssEsc = function (s) { return String(s).replace(/["\\]/g, '\\$&'); };
  function fileNode(a) {
    var img = /^image\/(png|jpeg|gif|webp)$/.test(a.content_type);
    var url = '/attachments/' + encodeURIComponent(a.id);
    var fetchBlob = function () {
      return fetch(BASE + '/v1/chat/public/widgets/' + encodeURIComponent(S.wid) + url, { headers: { Authorization: 'Bearer ' + S.token } }).then(function (r) { if (!r.ok) throw new Error(r.statusText); return r.blob(); });
    };
    if (img) {
      var i = h('img', { alt: a.name });
      fetchBlob().then(function (bl) { i.src = URL.createObjectURL(bl); }, function () { i.replaceWith(document.createTextNode(a.name)); });
      return h('div', {}, [i]);
    }
    return h('button', { type: 'button', class: 'file', text: a.name + ' (' + fmtSize(a.size) + ')', 'aria-label': t('download', { name: a.name }), onclick: function () {
      fetchBlob().then(function (bl) { var l = h('a', { href: URL.createObjectURL(bl), download: a.name }); l.click(); });
    } });
  }
  function showError(msg) { var b = addBubble({ message_type: 'system', content: t('error', { msg: msg }) }); b.setAttribute('role', 'alert'); }

  // ---------- conversation ----------
  function onKey(e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  }
  function onInput() {
    el.input.style.height = 'auto'; el.input.style.height = Math.min(el.input.scrollHeight, 120) + 'px';
    if (!S.sid) return;
    if (!S.typingSent) { S.typingSent = true; wsSend({ type: 'typing_indicator', is_typing: true }); }
    clearTimeout(S.typingTimer);
    S.typingTimer = setTimeout(stopTyping, 3000);
  }
  function stopTyping() { if (S.typingSent) { S.typingSent = false; wsSend({ type: 'typing_indicator', is_typing: false }); } }
  function submit() {
    var text = el.input.value;
    if (!text.trim()) return;
    el.input.value = ''; el.input.style.height = '';
    stopTyping();
    send({ content: text, message_type: 'text' });
  }
  function cid() { return 'c-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10); }
  function send(msg) {
    msg.client_message_id = cid();
    msg.sender_type = 'customer'; msg.pending = true;
    S.pending.push(msg); save();
    addBubble(msg);
    ensureSession().then(flushPending, function (e) { markFailed(msg, e); });
  }
  function markFailed(msg, e) {
    var b = el.log.querySelector('[data-cid="' + cssEsc(msg.client_message_id) + '"]');
    if (b) { b.classList.add('failed'); b.setAttribute('aria-label', t('failed')); }
    S.pending = S.pending.filter(function (p) { return p !== msg; }); save();
    showError(e.message || e);
  }
  function flushPending() {
    if (!S.ws || S.ws.readyState !== 1) return;
    S.pending.forEach(function (p) { wsSend({ type: 'send_message', content: p.content, message_type: p.message_type, attachment_id: p.attachment_id, client_message_id: p.client_message_id, request_id: p.client_message_id }); });
  }
  function ensureSession() {
    if (S.sid) return Promise.resolve();
    if (S.starting) return S.starting;
    S.starting = api('POST', '/sessions', { customer_name: S.visitor.name || undefined, customer_email: S.visitor.email || undefined, identity_hash: S.visitor.hash || undefined }).then(function (r) {
      S.token = r.customer_token; S.sid = r.session.id; S.lastSeq = 0; save(); S.starting = null;
      setAgent(r.session.agent); connect();
    }, function (e) { S.starting = null; throw e; });
    return S.starting;
  }
  function onFile() {
    var f = el.file.files[0]; el.file.value = '';
    if (!f) return;
    if (f.size > S.cfg.max_upload_bytes) return showError(t('tooLarge', { max: fmtSize(S.cfg.max_upload_bytes) }));
    ensureSession().then(function () {
      return api('POST', '/session/attachments?filename=' + encodeURIComponent(f.name), f, true);
    }).then(function (a) { send({ content: '', message_type: 'file', attachment_id: a.id, attachment: a }); }, function (e) {
      showError(e.code === 'unsupported_media_type' ? t('fileType') : e.message);
    });
  }

  function receive(m) {
    if (m.seq > S.lastSeq) { S.lastSeq = m.seq; }
    if (m.client_message_id && m.sender_type === 'customer') {
      S.pending = S.pending.filter(function (p) { return p.client_message_id !== m.client_message_id; });
    }
    save();
    if (S.rendered[m.seq]) return;
    addBubble(m);
    if (m.sender_type === 'agent') {
      S.agentTyping = 0; el.typing.textContent = '';
      if (!S.open || document.hidden) { S.unread++; badge(); }
      else markRead();
      S.listeners.message.forEach(function (fn) { try { fn(m); } catch (e) { /* host handler */ } });
    }
  }
  function badge() {
    el.badge.hidden = !S.unread; el.badge.textContent = S.unread > 9 ? '9+' : String(S.unread);
    el.launcher.setAttribute('aria-label', S.unread ? t('open') + ' (' + t('unread', { n: S.unread }) + ')' : S.open ? t('close') : t('open'));
  }
  function markRead() { if (S.sid && S.lastSeq) wsSend({ type: 'mark_read', seq: S.lastSeq }); }

  // ---------- socket ----------
  function wsSend(frame) { if (S.ws && S.ws.readyState === 1) { S.ws.send(JSON.stringify(frame)); return true; } return false; }
  function connect() {
    if (!S.token || S.ended) return;
    if (S.ws && S.ws.readyState <= 1) return;
    var ws = S.ws = new WebSocket(WS_BASE + '/v1/chat/public/widgets/' + encodeURIComponent(S.wid) + '/ws?token=' + encodeURIComponent(S.token));
    ws.onopen = function () {
      S.backoff = 1000; el.status.textContent = t('online');
      wsSend({ type: 'resume', after_seq: S.lastSeq });
      flushPending();
      clearInterval(S.pinger); S.pinger = setInterval(function () { wsSend({ type: 'ping' }); }, 25000);
    };
    ws.onmessage = function (ev) { var f; try { f = JSON.parse(ev.data); } catch (e) { return; } onFrame(f); };
    ws.onclose = function () {
      clearInterval(S.pinger);
      if (S.ended || ws !== S.ws) return;
      el.status.textContent = t('connecting');
      // The token may have died (session ended elsewhere): check before retrying.
      var delay = S.backoff * (0.5 + Math.random()); S.backoff = Math.min(S.backoff * 2, 30000);
      setTimeout(function () {
        api('GET', '/session').then(function (s) { if (s.status === 'ended') ended(s); else connect(); }, function (e) {
          if (e.status === 401) { S.ended = true; save(); render(); } else connect();
        });
      }, delay);
    };
  }
  function ended(session) { S.ended = true; if (session) setAgent(session.agent); stopTyping(); save(); render(); }
  function onFrame(f) {
    switch (f.type) {
      case 'new_message': return receive(f.message);
      case 'message_ack':
        var p = S.rendered[f.seq]; if (!p) receive(f.message);
        return;
      case 'typing_indicator':
        if (f.sender_type !== 'agent') return;
        clearTimeout(S.agentTyping);
        el.typing.textContent = f.is_typing ? t('typing', { name: S.agent ? S.agent.display_name : t('agent') }) : '';
        if (f.is_typing) S.agentTyping = setTimeout(function () { el.typing.textContent = ''; }, 8000);
        return;
      case 'session_assigned': case 'session_updated': case 'session_transferred':
        if (f.session) setAgent(f.session.agent);
        return;
      case 'session_ended': return ended(f.session);
      case 'read_marker':
        if (String(f.participant).indexOf('agent:') !== 0) return;
        var seen = el.log.querySelector('.meta'); if (seen) seen.remove();
        var mine = Array.prototype.filter.call(el.log.querySelectorAll('.m.me[data-seq]'), function (b) { return +b.getAttribute('data-seq') <= f.last_read_seq; });
        if (mine.length) mine[mine.length - 1].after(h('div', { class: 'meta', text: t('seen') }));
        return;
      case 'resync_required': return wsSend({ type: 'resume', after_seq: S.lastSeq });
      case 'error':
        var pend = S.pending.filter(function (x) { return x.client_message_id === f.request_id; })[0];
        if (pend) markFailed(pend, f); else if (f.code !== 'not_found') showError(f.message);
        return;
    }
  }

  // ---------- open / close ----------
  function focusInput() { setTimeout(function () { var i = S.shadow.querySelector('.card input:not([type=file]), .c textarea, .card button'); if (i) i.focus(); }, 0); }
  function open() {
    if (!S.ready) { S.queue.push(['open']); return; }
    S.open = true; el.panel.hidden = false; el.launcher.setAttribute('aria-expanded', 'true');
    S.unread = 0; badge(); markRead(); focusInput();
  }
  function close() {
    if (!S.ready) return;
    S.open = false; el.panel.hidden = true; el.launcher.setAttribute('aria-expanded', 'false'); badge();
    el.launcher.focus();
  }

  function init(opts) {
    if (S.wid || !opts || !opts.widgetId) return;
    S.wid = String(opts.widgetId); S.opts = opts;
    var joined = takeJoinToken();
    fetch(BASE + '/v1/chat/public/widgets/' + encodeURIComponent(S.wid)).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { if (!r.ok) throw j.error || { code: r.status }; return j; });
    }).then(function (cfg) {
      S.cfg = cfg;
      build();
      var saved = joined ? { token: joined } : load();
      if (saved && saved.token) {
        S.token = saved.token; S.sid = saved.sid || null; S.lastSeq = saved.lastSeq || 0; S.pending = saved.pending || [];
        return api('GET', '/session').then(function (s) {
          S.sid = s.id; setAgent(s.agent);
          if (s.status === 'ended') { S.ended = true; }
          return loadHistory();
        }).then(function () { render(); S.pending.forEach(function (p) { p.pending = true; addBubble(p); }); connect(); }, function (e) {
          if (e.status === 401 || e.status === 404) { S.token = S.sid = null; S.lastSeq = 0; S.pending = []; save(); render(); }
        });
      }
    }).then(function () {
      S.ready = true;
      if (joined) open();
      else if (S.cfg && S.cfg.auto_open_delay) setTimeout(function () { if (!S.open) open(); }, S.cfg.auto_open_delay);
      var q = S.queue; S.queue = []; q.forEach(function (a) { command.apply(null, a); });
    }).catch(function (e) {
      console.warn('TmsChat: the chat cannot start on this page for widget ' + S.wid + ': ' + (e && e.code === 'domain_not_allowed'
        ? 'this page\'s domain (' + location.hostname + ') is not allowed for this widget (domain_not_allowed)' : (e && (e.message || e.code)) || e));
    });
  }
  function loadHistory() {
    S.lastSeq = 0; S.rendered = {}; el.log.textContent = ''; welcome();
    var page = function () {
      return api('GET', '/session/messages?limit=200&after_seq=' + S.lastSeq).then(function (r) {
        r.messages.forEach(receive);
        if (r.messages.length === 200) return page();
      });
    };
    var unread = S.unread; return page().then(function () { S.unread = unread; badge(); });
  }
  function takeJoinToken() {
    var u = new URL(location.href), tok = u.searchParams.get('tms_chat_join');
    if (!tok && u.hash.indexOf('tms_chat_join=') >= 0) tok = new URLSearchParams(u.hash.slice(1)).get('tms_chat_join');
    if (!tok) return null;
    u.searchParams.delete('tms_chat_join'); if (u.hash.indexOf('tms_chat_join=') >= 0) u.hash = '';
    history.replaceState(history.state, '', u.toString());
    return tok;
  }

  function command(cmd, arg, fn) {
    if (cmd === 'init') return init(arg || {});
    if (!S.ready && cmd !== 'on' && cmd !== 'setVisitor') { S.queue.push([cmd, arg, fn]); return; }
    switch (cmd) {
      case 'open': return open();
      case 'close': return close();
      case 'on': if (S.listeners[arg] && typeof fn === 'function') S.listeners[arg].push(fn); return;
      case 'setVisitor':
        arg = arg || {};
        if (arg.name) S.visitor.name = String(arg.name);
        if (arg.email) S.visitor.email = String(arg.email);
        if (arg.hash) S.visitor.hash = String(arg.hash);
        if (S.sid && S.ready) api('PATCH', '/session', { customer_name: arg.name, customer_email: arg.email }).catch(function (e) { console.warn('TmsChat: setVisitor: ' + e.message); });
        else if (S.ready) render();
        return;
    }
  }

  var queued = (window.TmsChat && window.TmsChat.q) || [];
  window.TmsChat = function () { return command.apply(null, arguments); };
  window.TmsChat.loaded = true;
  document.addEventListener('visibilitychange', function () { if (!document.hidden && S.open) { S.unread = 0; badge(); markRead(); } });
  var run = function () { queued.forEach(function (a) { command.apply(null, a); }); };
  if (document.body) run(); else document.addEventListener('DOMContentLoaded', run);
})();
