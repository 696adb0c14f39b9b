/* TMS Chat agent console: Chat > Sessions and Chat > Widgets. Plain ES2020, no build step.
   REST with the agent's bearer token; live events over /v1/chat/ws with a one-time ticket.
   All user content is rendered with textContent, never as HTML. */
(function () {
  'use strict';

  // The API is mounted where the console is, one level up: /support/console/console.js talks to
  // /support/v1/chat/..., so a host may nest the whole API under any prefix.
  var SCRIPT_URL = document.currentScript && document.currentScript.src
    ? document.currentScript.src : location.origin + '/console/console.js';
  var API_BASE = new URL('..', SCRIPT_URL).pathname.replace(/\/$/, '');

  var STRINGS = {
    app: 'TMS Chat', sessions: 'Sessions', widgets: 'Widgets', signIn: 'Sign in', token: 'Agent token',
    tokenHint: 'Paste the bearer token of your agent account.', signOut: 'Sign out', all: 'All',
    unassigned: 'Unassigned', active: 'Active', search: 'Search customers', newChat: 'New Chat',
    loadMore: 'Load more', noSessions: 'No sessions here yet.', pick: 'Select a session to open the conversation.',
    assignToMe: 'Assign to Me', transfer: 'Transfer', end: 'End', ticket: 'Create ticket', send: 'Send',
    attach: 'Attach file', message: 'Message', quick: 'Quick responses', notes: 'Internal notes',
    addNote: 'Add note', customer: 'Customer', previous: 'Previous sessions', none: 'None',
    typing: 'Customer is typing…', startChat: 'Start Chat', widget: 'Widget', email: 'Customer email',
    name: 'Customer name (optional)', cancel: 'Cancel', joinLink: 'Customer join link', copy: 'Copy',
    copied: 'Copied', createWidget: 'Create Widget', save: 'Save', del: 'Delete', embed: 'Copy embed code',
    saved: 'Saved', mute: 'Mute alerts', unmute: 'Unmute alerts', theme: 'Toggle dark mode',
    transferTo: 'Transfer to', agentOpt: 'Agent', deptOpt: 'Department', ended: 'This session has ended.',
    closed: 'Closed', ticketMade: 'Ticket {id} created', newSession: 'New unassigned chat from {who}'
  };
  var t = function (k, v) { return String(STRINGS[k]).replace(/\{(\w+)\}/g, function (_, x) { return v && v[x] != null ? v[x] : ''; }); };
  var DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

  var S = {
    token: sessionStorage.getItem('tmschat.token'), me: null, route: 'sessions', filter: 'all', q: '',
    sessions: new Map(), order: [], cursor: null, selected: null, messages: [], notes: [], canned: [],
    agents: [], widgets: [], ws: null, backoff: 1000, muted: localStorage.getItem('tmschat.muted') === '1',
    editing: null, typingTimer: 0, typingSent: false
  };
  var app = document.getElementById('app');

  function h(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      var v = attrs[k];
      if (k === 'text') e.textContent = v;
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
      else if (k === 'value') e.value = v == null ? '' : v;
      else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden') e[k] = !!v;
      else if (v != null && v !== false) e.setAttribute(k, v === true ? '' : v);
    }
    (kids || []).forEach(function (c) { if (c != null) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function toast(text) {
    var n = h('div', { class: 'toast', text: text });
    document.getElementById('toasts').appendChild(n);
    setTimeout(function () { n.remove(); }, 4000);
  }

  function api(method, path, body, raw) {
    var headers = { Authorization: 'Bearer ' + S.token };
    if (body !== undefined && !raw) headers['Content-Type'] = 'application/json';
    return fetch(API_BASE + path, { method: method, headers: headers, body: raw ? body : body === undefined ? undefined : JSON.stringify(body) }).then(function (r) {
      if (r.status === 204) return null;
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) {
          var e = new Error((j.error && j.error.message) || r.statusText);
          e.status = r.status; e.code = j.error && j.error.code; e.field = j.error && j.error.field;
          if (r.status === 401) signOut();
          throw e;
        }
        return j;
      });
    });
  }
  var fail = function (e) { toast(e.message || String(e)); };

  // ---------- theme, sound, title ----------
  function applyTheme() {
    var saved = localStorage.getItem('tmschat.theme');
    var dark = saved ? saved === 'dark' : window.matchMedia && matchMedia('(prefers-color-scheme: dark)').matches;
    document.documentElement.setAttribute('data-theme', dark ? 'dark' : 'light');
  }
  function beep() {
    if (S.muted) return;
    try {
      var ctx = S.audio || (S.audio = new (window.AudioContext || window.webkitAudioContext)());
      [880, 1320].forEach(function (f, i) {
        var o = ctx.createOscillator(), g = ctx.createGain();
        o.frequency.value = f; o.connect(g); g.connect(ctx.destination);
        var at = ctx.currentTime + i * 0.15;
        g.gain.setValueAtTime(0.0001, at); g.gain.exponentialRampToValueAtTime(0.2, at + 0.02); g.gain.exponentialRampToValueAtTime(0.0001, at + 0.14);
        o.start(at); o.stop(at + 0.15);
      });
    } catch (e) { /* audio unavailable */ }
  }
  function updateTitle() {
    var n = 0;
    S.sessions.forEach(function (s) { if (s.unassigned) n++; });
    document.title = (n ? '(' + n + ') ' : '') + (S.route === 'widgets' ? t('widgets') : t('sessions')) + ' — ' + t('app');
  }

  // ---------- sign-in ----------
  function signInView(error) {
    app.textContent = '';
    var input = h('input', { type: 'password', id: 'token', autocomplete: 'off', required: true, 'aria-describedby': 'token-hint' });
    var err = h('p', { class: 'err', role: 'alert', text: error || '' });
    app.appendChild(h('form', { class: 'signin', onsubmit: function (e) {
      e.preventDefault();
      S.token = input.value.trim();
      boot().catch(function (x) { signInView(x.message); });
    } }, [h('div', { class: 'brand' }, [h('i', { 'aria-hidden': 'true' }), t('app')]), h('h1', { text: t('signIn'), style: 'margin:0;font-size:20px' }),
      h('label', { for: 'token' }, [t('token'), input, h('span', { class: 'hint', id: 'token-hint', text: t('tokenHint') })]), err,
      h('button', { class: 'btn primary', type: 'submit', text: t('signIn') })]));
    input.focus();
  }
  function signOut() {
    sessionStorage.removeItem('tmschat.token'); S.token = null;
    if (S.ws) { S.ws.onclose = null; S.ws.close(); S.ws = null; }
    signInView();
  }
  function boot() {
    return api('GET', '/v1/chat/me').then(function (me) {
      S.me = me; sessionStorage.setItem('tmschat.token', S.token);
      return Promise.all([api('GET', '/v1/chat/widgets'), api('GET', '/v1/chat/canned-responses'), api('GET', '/v1/chat/agents')]);
    }).then(function (r) {
      S.widgets = r[0].widgets; S.canned = r[1].canned_responses; S.agents = r[2].agents;
      connect(); route();
    });
  }

  // ---------- layout ----------
  function shell(active) {
    app.textContent = '';
    var muteBtn = h('button', { class: 'btn', type: 'button', 'aria-pressed': String(S.muted), text: S.muted ? t('unmute') : t('mute'), onclick: function () {
      S.muted = !S.muted; localStorage.setItem('tmschat.muted', S.muted ? '1' : '0');
      muteBtn.textContent = S.muted ? t('unmute') : t('mute'); muteBtn.setAttribute('aria-pressed', String(S.muted));
    } });
    app.appendChild(h('header', { class: 'topbar' }, [
      h('div', { class: 'brand' }, [h('i', { 'aria-hidden': 'true' }), t('app')]),
      h('nav', { 'aria-label': 'Chat' }, [
        h('a', { href: '#/sessions', 'aria-current': active === 'sessions' ? 'page' : null, text: 'Chat › ' + t('sessions') }),
        h('a', { href: '#/widgets', 'aria-current': active === 'widgets' ? 'page' : null, text: 'Chat › ' + t('widgets') })
      ]),
      h('span', { class: 'spacer' }), muteBtn,
      h('button', { class: 'btn', type: 'button', 'aria-label': t('theme'), text: '◐', onclick: function () {
        var dark = document.documentElement.getAttribute('data-theme') !== 'dark';
        localStorage.setItem('tmschat.theme', dark ? 'dark' : 'light'); applyTheme();
      } }),
      h('span', { class: 'me', text: S.me.display_name }),
      h('button', { class: 'btn', type: 'button', text: t('signOut'), onclick: signOut })
    ]));
    var main = h('main', { id: 'main', tabindex: '-1' });
    app.appendChild(main);
    return main;
  }
  function route() {
    if (!S.me) return;
    S.route = location.hash.indexOf('#/widgets') === 0 ? 'widgets' : 'sessions';
    if (S.route === 'widgets') widgetsPage(); else sessionsPage();
    updateTitle();
  }
  window.addEventListener('hashchange', route);

  // ---------- sessions ----------
  var V = {}; // sessions page elements
  function sessionsPage() {
    var main = shell('sessions');
    V.grid = h('div', { class: 'sessions' });
    var tabs = h('div', { class: 'tabs', role: 'group', 'aria-label': 'Filter' }, ['all', 'unassigned', 'active'].map(function (f) {
      return h('button', { type: 'button', 'aria-pressed': String(S.filter === f), 'data-filter': f, text: t(f), onclick: function () { S.filter = f; tabs.querySelectorAll('button').forEach(function (b) { b.setAttribute('aria-pressed', String(b.dataset.filter === f)); }); loadSessions(true); } });
    }));
    var searchTimer;
    var search = h('input', { type: 'search', placeholder: t('search'), 'aria-label': t('search'), value: S.q, oninput: function () {
      clearTimeout(searchTimer); searchTimer = setTimeout(function () { S.q = search.value.trim(); loadSessions(true); }, 250);
    } });
    V.list = h('ul', { class: 'list', 'aria-label': t('sessions') });
    V.more = h('button', { class: 'btn more', type: 'button', text: t('loadMore'), hidden: true, onclick: function () { loadSessions(false); } });
    V.grid.appendChild(h('section', { class: 'col listcol', 'aria-label': t('sessions') }, [
      h('div', { class: 'toolbar' }, [h('div', { class: 'row' }, [tabs, h('button', { class: 'btn primary', type: 'button', text: t('newChat'), onclick: newChatDialog })]), search]),
      V.list, V.more
    ]));
    V.convo = h('section', { class: 'convo', 'aria-label': 'Conversation' }, [h('p', { class: 'empty', text: t('pick') })]);
    V.side = h('aside', { class: 'col side', 'aria-label': t('customer') });
    V.grid.appendChild(V.convo); V.grid.appendChild(V.side);
    main.appendChild(V.grid);
    loadSessions(true);
    if (S.selected) openSession(S.selected);
  }
  function matchesFilter(s) {
    if (S.filter === 'unassigned' && !s.unassigned) return false;
    if (S.filter === 'active' && s.status !== 'active') return false;
    if (S.q) { var q = S.q.toLowerCase(); if ((s.customer_email || '').toLowerCase().indexOf(q) < 0 && (s.customer_name || '').toLowerCase().indexOf(q) < 0) return false; }
    return true;
  }
  function loadSessions(reset) {
    var qs = new URLSearchParams({ limit: '50' });
    if (S.filter === 'unassigned') qs.set('unassigned', 'true');
    if (S.filter === 'active') qs.set('status', 'active');
    if (S.q) qs.set('q', S.q);
    if (!reset && S.cursor) qs.set('cursor', S.cursor);
    return api('GET', '/v1/chat/sessions?' + qs).then(function (r) {
      if (reset) { S.order = []; }
      r.sessions.forEach(function (s) { S.sessions.set(s.id, s); if (S.order.indexOf(s.id) < 0) S.order.push(s.id); });
      S.cursor = r.next_cursor; renderList(); updateTitle();
    }, fail);
  }
  function renderList() {
    if (!V.list || S.route !== 'sessions') return;
    V.list.textContent = '';
    var shown = S.order.map(function (id) { return S.sessions.get(id); }).filter(function (s) { return s && matchesFilter(s); });
    shown.sort(function (a, b) { return a.last_activity_at < b.last_activity_at ? 1 : -1; });
    if (!shown.length) V.list.appendChild(h('li', { class: 'empty', text: t('noSessions') }));
    shown.forEach(function (s) {
      var who = s.customer_name || s.customer_email || 'Visitor';
      var status = s.unassigned ? t('unassigned') : s.status;
      V.list.appendChild(h('li', { class: s.unassigned ? 'unassigned' : '' }, [h('button', { type: 'button', 'aria-current': String(S.selected === s.id), 'data-session': s.id, onclick: function () { openSession(s.id); } }, [
        h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { class: 'name', text: who }),
        h('span', { class: 'tag ' + (s.unassigned ? 'unassigned' : s.status), text: status }),
        h('span', { class: 'sub', text: [s.customer_email, new Date(s.last_activity_at).toLocaleString()].filter(Boolean).join(' · ') })
      ])]));
    });
    V.more.hidden = !S.cursor;
  }

  function openSession(id) {
    if (S.selected && S.selected !== id) wsSend({ type: 'unsubscribe', session_id: S.selected });
    S.selected = id; S.messages = []; renderList();
    V.grid.classList.add('open');
    return api('GET', '/v1/chat/sessions/' + encodeURIComponent(id)).then(function (s) {
      S.sessions.set(s.id, s); renderConvo();
      wsSend({ type: 'resume', session_id: id, after_seq: 0 });
      if (!S.ws || S.ws.readyState !== 1) loadHistory(id);
      loadSide(id);
    }, fail);
  }
  function loadHistory(id) {
    return api('GET', '/v1/chat/sessions/' + encodeURIComponent(id) + '/messages?limit=200').then(function (r) { r.messages.forEach(addMessage); }, fail);
  }
  function sessionAction(path, body) {
    return api('POST', '/v1/chat/sessions/' + encodeURIComponent(S.selected) + path, body || {}).then(function (s) { if (s && s.id) { S.sessions.set(s.id, s); renderConvo(true); renderList(); updateTitle(); } return s; });
  }
  function renderConvo(keepLog) {
    var s = S.sessions.get(S.selected);
    if (!s) return;
    var oldLog = V.log;
    var onlyHeader = keepLog && V.header && V.header.parentNode === V.convo && V.convo.dataset.ended === String(s.status === 'ended');
    if (!onlyHeader) V.convo.textContent = '';
    var actions = [];
    if (s.status !== 'ended' && (s.unassigned || (s.transfer_target && s.assigned_agent_id === S.me.id && s.status === 'transferred'))) actions.push(h('button', { class: 'btn primary', type: 'button', text: t('assignToMe'), onclick: function () { sessionAction('/assign').catch(fail); } }));
    if (s.status !== 'ended') {
      actions.push(h('button', { class: 'btn', type: 'button', text: t('transfer'), onclick: transferDialog }));
      actions.push(h('button', { class: 'btn danger', type: 'button', text: t('end'), onclick: function () { sessionAction('/end').catch(fail); } }));
    }
    if (!s.ticket_id) actions.push(h('button', { class: 'btn', type: 'button', text: t('ticket'), onclick: function () {
      api('POST', '/v1/chat/sessions/' + encodeURIComponent(s.id) + '/ticket', {}).then(function (r) { toast(t('ticketMade', { id: r.ticket_id })); }, fail);
    } }));
    else actions.push(h('span', { class: 'tag', text: s.ticket_id }));
    var status = s.unassigned ? t('unassigned') : s.status;
    var header = h('header', {}, [
      h('button', { class: 'btn back', type: 'button', 'aria-label': 'Back to sessions', text: '‹', onclick: function () { V.grid.classList.remove('open'); } }),
      h('div', {}, [h('h2', { text: s.customer_name || s.customer_email || 'Visitor' }), h('span', { class: 'hint', text: s.customer_email || '' })]),
      h('span', { class: 'tag ' + (s.unassigned ? 'unassigned' : s.status), text: status }),
      h('div', { class: 'actions' }, actions)
    ]);
    // An update of the open session only redraws its header, keeping the log and the draft.
    if (onlyHeader) {
      V.header.replaceWith(header); V.header = header; return;
    }
    V.header = header;
    V.convo.dataset.ended = String(s.status === 'ended');
    V.convo.appendChild(header);
    V.log = keepLog && oldLog ? oldLog : h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': t('message') });
    V.typing = h('div', { class: 'typing', 'aria-live': 'polite' });
    V.convo.appendChild(V.log); V.convo.appendChild(V.typing);
    if (s.status === 'ended') { V.convo.appendChild(h('p', { class: 'empty', text: t('ended') })); return; }
    var input = h('textarea', { rows: 1, 'aria-label': t('message'), placeholder: t('message') + '…  (/ for quick responses)', onkeydown: function (e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendText(); }
    }, oninput: function () {
      var m = /^\/(\S*)$/.exec(input.value);
      if (m) { var c = S.canned.filter(function (x) { return x.shortcut.replace(/^\//, '').indexOf(m[1]) === 0; })[0]; input.title = c ? c.text : ''; }
      if (!S.typingSent) { S.typingSent = true; wsSend({ type: 'typing_indicator', session_id: S.selected, is_typing: true }); }
      clearTimeout(S.typingTimer); S.typingTimer = setTimeout(stopTyping, 3000);
    } });
    var quick = h('select', { 'aria-label': t('quick'), onchange: function () {
      var c = S.canned.filter(function (x) { return x.id === quick.value; })[0];
      if (c) { input.value = c.text; input.focus(); } quick.value = '';
    } }, [h('option', { value: '', text: t('quick') })].concat(S.canned.map(function (c) { return h('option', { value: c.id, text: c.shortcut + ' — ' + c.text.slice(0, 40) }); })));
    quick.style.width = '160px';
    var file = h('input', { type: 'file', hidden: true, onchange: function () { var f = file.files[0]; file.value = ''; if (f) upload(f); } });
    function sendText() {
      var v = input.value;
      var m = /^\/(\S+)$/.exec(v.trim());
      if (m) { var c = S.canned.filter(function (x) { return x.shortcut.replace(/^\//, '') === m[1]; })[0]; if (c) { input.value = c.text; return; } }
      if (!v.trim()) return;
      input.value = ''; stopTyping(); send({ content: v, message_type: 'text' });
    }
    V.convo.appendChild(h('form', { class: 'composer', onsubmit: function (e) { e.preventDefault(); sendText(); } }, [
      h('button', { class: 'btn', type: 'button', 'aria-label': t('attach'), title: t('attach'), text: '+', onclick: function () { file.click(); } }), file,
      quick, input, h('button', { class: 'btn primary', type: 'submit', text: t('send') })
    ]));
    if (!keepLog) input.focus();
  }
  function stopTyping() { if (S.typingSent) { S.typingSent = false; wsSend({ type: 'typing_indicator', session_id: S.selected, is_typing: false }); } }
  function cid() { return 'a-' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8); }
  function send(msg) {
    msg.client_message_id = cid();
    var sid = S.selected;
    if (!wsSend(Object.assign({ type: 'send_message', session_id: sid, request_id: msg.client_message_id }, msg))) {
      api('POST', '/v1/chat/sessions/' + encodeURIComponent(sid) + '/messages', msg).then(addMessage, fail);
    }
  }
  function upload(f) {
    var sid = S.selected;
    api('POST', '/v1/chat/sessions/' + encodeURIComponent(sid) + '/attachments?filename=' + encodeURIComponent(f.name), f, true)
      .then(function (a) { send({ content: '', message_type: 'file', attachment_id: a.id }); }, fail);
  }
  function addMessage(m) {
    if (m.session_id !== S.selected || !V.log) return;
    if (V.log.querySelector('[data-seq="' + m.seq + '"]')) return;
    var kind = m.message_type === 'system' ? 'system' : m.sender_type;
    var b = h('div', { class: 'msg ' + kind, 'data-seq': String(m.seq) });
    if (m.attachment) b.appendChild(fileNode(m.attachment));
    if (m.content) b.appendChild(document.createTextNode(m.content));
    if (kind !== 'system') b.appendChild(h('small', { text: (m.sender_type === 'agent' ? agentName(m.sender_agent_id) : t('customer')) + ' · ' + new Date(m.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) }));
    var after = Array.prototype.filter.call(V.log.children, function (x) { return +x.dataset.seq > m.seq; })[0];
    V.log.insertBefore(b, after || null);
    V.log.scrollTop = V.log.scrollHeight;
    if (m.sender_type === 'customer') { V.typing.textContent = ''; wsSend({ type: 'mark_read', session_id: m.session_id, seq: m.seq }); }
  }
  function agentName(id) { var a = S.agents.filter(function (x) { return x.id === id; })[0]; return a ? a.display_name : id || ''; }
  function fileNode(a) {
    var get = function () { return fetch(API_BASE + '/v1/chat/attachments/' + encodeURIComponent(a.id), { headers: { Authorization: 'Bearer ' + S.token } }).then(function (r) { if (!r.ok) throw new Error(r.statusText); return r.blob(); }); };
    if (/^image\/(png|jpeg|gif|webp)$/.test(a.content_type)) {
      var img = h('img', { alt: a.name });
      get().then(function (b) { img.src = URL.createObjectURL(b); }, function () { img.replaceWith(document.createTextNode(a.name)); });
      return img;
    }
    return h('button', { class: 'file', type: 'button', text: a.name + ' (' + Math.ceil(a.size / 1024) + ' KB)', onclick: function () {
      get().then(function (b) { h('a', { href: URL.createObjectURL(b), download: a.name }).click(); }, fail);
    } });
  }

  function loadSide(id) {
    Promise.all([api('GET', '/v1/chat/sessions/' + encodeURIComponent(id) + '/customer'), api('GET', '/v1/chat/sessions/' + encodeURIComponent(id) + '/notes')]).then(function (r) {
      if (S.selected !== id) return;
      S.notes = r[1].notes; renderSide(r[0]);
    }, fail);
  }
  function renderSide(c) {
    V.side.textContent = '';
    var prev = c.previous_sessions.length ? h('ul', {}, c.previous_sessions.map(function (p) {
      return h('li', {}, [h('button', { class: 'btn', type: 'button', style: 'width:100%;text-align:left', text: new Date(p.created_at).toLocaleDateString() + ' · ' + p.status, onclick: function () { openSession(p.id); } })]);
    })) : h('p', { class: 'hint', text: t('none') });
    V.notesList = h('ul', { 'aria-label': t('notes') });
    S.notes.forEach(addNote);
    var note = h('textarea', { rows: 2, 'aria-label': t('addNote') });
    V.side.appendChild(h('section', {}, [h('h3', { text: t('customer') }), h('dl', {}, [h('dt', { text: 'Email' }), h('dd', { text: c.customer_email || '—' }), h('dt', { text: 'Name' }), h('dd', { text: c.customer_name || '—' })])]));
    V.side.appendChild(h('section', {}, [h('h3', { text: t('previous') }), prev]));
    V.side.appendChild(h('section', {}, [h('h3', { text: t('notes') }), V.notesList, h('form', { style: 'margin-top:8px;display:flex;flex-direction:column;gap:8px', onsubmit: function (e) {
      e.preventDefault();
      if (!note.value.trim()) return;
      api('POST', '/v1/chat/sessions/' + encodeURIComponent(S.selected) + '/notes', { content: note.value }).then(function (n) { note.value = ''; addNote(n); }, fail);
    } }, [note, h('button', { class: 'btn', type: 'submit', text: t('addNote') })])]));
  }
  function addNote(n) {
    if (!V.notesList || n.session_id !== S.selected || V.notesList.querySelector('[data-id="' + n.id + '"]')) return;
    V.notesList.appendChild(h('li', { class: 'note', 'data-id': n.id }, [n.content, h('small', { text: agentName(n.author_agent_id) + ' · ' + new Date(n.created_at).toLocaleString() })]));
  }

  function modal(title, fields, submitText, onSubmit) {
    var err = h('p', { class: 'err', role: 'alert' });
    var d = h('dialog', { 'aria-label': title });
    var opener = document.activeElement;
    d.appendChild(h('form', { onsubmit: function (e) {
      e.preventDefault(); err.textContent = '';
      Promise.resolve(onSubmit(d)).then(function (keep) { if (!keep) d.close(); }, function (x) { err.textContent = x.message; });
    } }, [h('h2', { text: title })].concat(fields, [err, h('div', { class: 'row', style: 'justify-content:flex-end' }, [h('button', { class: 'btn', type: 'button', text: t('cancel'), onclick: function () { d.close(); } }), h('button', { class: 'btn primary', type: 'submit', text: submitText })])])));
    d.addEventListener('close', function () { d.remove(); if (opener && opener.focus) opener.focus(); });
    document.body.appendChild(d); d.showModal();
    return d;
  }
  function newChatDialog() {
    var widget = h('select', { required: true }, S.widgets.map(function (w) { return h('option', { value: w.id, text: w.name + ' (' + w.domain + ')' }); }));
    var email = h('input', { type: 'email', required: true, autocomplete: 'off' });
    var name = h('input', { type: 'text', autocomplete: 'off' });
    modal(t('newChat'), [h('label', {}, [t('widget'), widget]), h('label', {}, [t('email'), email]), h('label', {}, [t('name'), name])], t('startChat'), function (d) {
      return api('POST', '/v1/chat/sessions', { widget_id: widget.value, customer_email: email.value, customer_name: name.value || undefined, assigned_agent_id: S.me.id }).then(function (s) {
        S.sessions.set(s.id, s); S.order.unshift(s.id); renderList(); openSession(s.id);
        var link = h('input', { type: 'text', readonly: true, value: s.customer_join_url, 'aria-label': t('joinLink') });
        var form = d.querySelector('form'); form.textContent = '';
        form.appendChild(h('h2', { text: t('joinLink') }));
        form.appendChild(h('p', { class: 'hint', text: 'Send this link to ' + s.customer_email + ' to open the chat in the widget.' }));
        form.appendChild(h('div', { class: 'join' }, [link, h('button', { class: 'btn', type: 'button', text: t('copy'), onclick: function (e) { copy(link.value, e.target); } })]));
        form.appendChild(h('div', { class: 'row', style: 'justify-content:flex-end' }, [h('button', { class: 'btn primary', type: 'button', text: 'Done', onclick: function () { d.close(); } })]));
        link.select();
        return true;
      });
    });
    widget.focus();
  }
  function transferDialog() {
    var kind = h('select', {}, [h('option', { value: 'agent', text: t('agentOpt') }), h('option', { value: 'department', text: t('deptOpt') })]);
    var agent = h('select', {}, S.agents.filter(function (a) { return a.id !== S.me.id; }).map(function (a) { return h('option', { value: a.id, text: a.display_name }); }));
    var dept = h('input', { type: 'text', hidden: true, 'aria-label': t('deptOpt') });
    kind.addEventListener('change', function () { agent.hidden = kind.value !== 'agent'; dept.hidden = kind.value === 'agent'; });
    modal(t('transfer'), [h('label', {}, [t('transferTo'), kind]), agent, dept], t('transfer'), function () {
      return sessionAction('/transfer', kind.value === 'agent' ? { agent_id: agent.value } : { department: dept.value });
    });
  }
  function copy(text, button) {
    (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject()).then(function () { if (button) button.textContent = t('copied'); }, function () { toast(text); });
  }

  // ---------- widgets ----------
  var W = {};
  function widgetsPage() {
    var main = shell('widgets');
    W.grid = h('div', { class: 'widgets' });
    W.list = h('ul', { class: 'list', 'aria-label': t('widgets') });
    W.editor = h('section', { class: 'editor', 'aria-label': 'Widget settings' });
    W.grid.appendChild(h('section', { class: 'col listcol' }, [h('div', { class: 'toolbar' }, [h('button', { class: 'btn primary', type: 'button', text: t('createWidget'), onclick: function () { editWidget(null); } })]), W.list]));
    W.grid.appendChild(W.editor); main.appendChild(W.grid);
    renderWidgetList();
    editWidget(S.editing ? S.widgets.filter(function (w) { return w.id === S.editing; })[0] || null : S.widgets[0] || null);
  }
  function renderWidgetList() {
    W.list.textContent = '';
    S.widgets.forEach(function (w) {
      W.list.appendChild(h('li', {}, [h('button', { type: 'button', 'aria-current': String(S.editing === w.id), onclick: function () { editWidget(w); } }, [
        h('span', { class: 'dot', style: 'background:' + w.primary_color, 'aria-hidden': 'true' }), h('span', { class: 'name', text: w.name }), h('span'), h('span', { class: 'sub', text: w.domain })])]));
    });
  }
  function editWidget(w) {
    S.editing = w ? w.id : null; renderWidgetList(); W.grid.classList.add('open');
    var v = w || { name: '', domain: '', allowed_domains: [], welcome_message: 'Hi! How can we help?', offline_message: "We're currently offline", primary_color: '#3b82f6', secondary_color: '#1f2937', position: 'bottom-right', auto_open_delay: null, show_agent_avatars: true, allow_file_uploads: true, require_email: false, max_upload_bytes: 10485760, auto_create_ticket: false, business_hours: null };
    var f = {}, errs = {};
    var field = function (key, label, input, wide, hint) {
      f[key] = input; errs[key] = h('span', { class: 'err', id: 'err-' + key });
      input.setAttribute('aria-describedby', 'err-' + key);
      return h('label', { class: wide ? 'wide' : '' }, [label, input, hint ? h('span', { class: 'hint', text: hint }) : null, errs[key]]);
    };
    var color = function (key, label) {
      var text = h('input', { type: 'text', value: v[key], 'aria-label': label });
      var pick = h('input', { type: 'color', value: v[key], 'aria-label': label + ' picker', oninput: function () { text.value = pick.value; } });
      text.addEventListener('input', function () { if (/^#[0-9a-f]{6}$/i.test(text.value)) pick.value = text.value; });
      f[key] = text; errs[key] = h('span', { class: 'err' });
      return h('div', {}, [h('label', {}, [label, h('div', { class: 'color' }, [pick, text])]), errs[key]]);
    };
    var check = function (key, label) { f[key] = h('input', { type: 'checkbox', checked: v[key] }); return h('label', { class: 'check' }, [f[key], label]); };
    var bh = v.business_hours || { timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' };
    var zones = (Intl.supportedValuesOf ? Intl.supportedValuesOf('timeZone') : ['UTC', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo']);
    var useHours = h('input', { type: 'checkbox', checked: !!v.business_hours });
    var tz = h('select', { 'aria-label': 'Time zone' }, zones.map(function (z) { return h('option', { value: z, text: z, selected: z === bh.timezone }); }));
    var days = DAYS.map(function (d) {
      var on = h('input', { type: 'checkbox', checked: !!bh[d], 'aria-label': d + ' open' });
      var open = h('input', { type: 'time', value: bh[d] ? bh[d].open : '09:00', 'aria-label': d + ' opens' });
      var close = h('input', { type: 'time', value: bh[d] ? (bh[d].close === '24:00' ? '23:59' : bh[d].close) : '17:00', 'aria-label': d + ' closes' });
      return { d: d, on: on, open: open, close: close };
    });
    var mode = h('select', { 'aria-label': 'Offline behaviour' }, [['show_message', 'Show offline message'], ['collect_contact', 'Collect contact information'], ['redirect', 'Redirect to contact form']].map(function (o) { return h('option', { value: o[0], text: o[1], selected: (bh.offline_behavior || 'show_message') === o[0] }); }));
    var redirect = h('input', { type: 'url', value: bh.offline_redirect_url || '', 'aria-label': 'Redirect URL', placeholder: 'https://example.com/contact' });
    errs.business_hours = h('span', { class: 'err wide' });
    var embedBox = h('textarea', { class: 'embed wide', readonly: true, hidden: true, 'aria-label': 'Embed code' });
    W.editor.textContent = '';
    W.editor.appendChild(h('form', { novalidate: true, onsubmit: function (e) { e.preventDefault(); save(); } }, [
      h('div', { class: 'row' }, [h('h1', { text: w ? w.name : t('createWidget'), style: 'margin:0;font-size:20px;flex:1' }),
        w ? h('button', { class: 'btn', type: 'button', text: t('embed'), onclick: function () {
          api('GET', '/v1/chat/widgets/' + encodeURIComponent(w.id) + '/embed').then(function (r) { embedBox.hidden = false; embedBox.value = r.embed_code; embedBox.select(); copy(r.embed_code); }, fail);
        } }) : null,
        w ? h('button', { class: 'btn danger', type: 'button', text: t('del'), onclick: function () {
          if (!confirm('Delete widget ' + w.name + '?')) return;
          api('DELETE', '/v1/chat/widgets/' + encodeURIComponent(w.id)).then(function () { S.widgets = S.widgets.filter(function (x) { return x.id !== w.id; }); S.editing = null; widgetsPage(); }, fail);
        } }) : null,
        h('button', { class: 'btn primary', type: 'submit', text: t('save') })]),
      embedBox,
      h('fieldset', {}, [h('legend', { text: 'General' }),
        field('name', 'Name', h('input', { type: 'text', value: v.name, required: true })),
        field('domain', 'Domain', h('input', { type: 'text', value: v.domain, required: true, placeholder: 'yourwebsite.com' }), false, 'Where the widget is embedded.'),
        field('allowed_domains', 'More allowed domains', h('textarea', { rows: 2, value: (v.allowed_domains || []).join('\n') }), true, 'One per line; *.example.com allows subdomains.'),
        field('welcome_message', 'Welcome message', h('input', { type: 'text', value: v.welcome_message }), true),
        field('offline_message', 'Offline message', h('input', { type: 'text', value: v.offline_message }), true)]),
      h('fieldset', {}, [h('legend', { text: 'Appearance' }), color('primary_color', 'Primary colour'), color('secondary_color', 'Secondary colour'),
        field('position', 'Position', h('select', {}, [h('option', { value: 'bottom-right', text: 'Bottom right', selected: v.position === 'bottom-right' }), h('option', { value: 'bottom-left', text: 'Bottom left', selected: v.position === 'bottom-left' })])),
        field('auto_open_delay', 'Auto-open after (seconds)', h('input', { type: 'number', min: '0', value: v.auto_open_delay ? v.auto_open_delay / 1000 : '' }), false, 'Empty: never.'),
        check('show_agent_avatars', 'Show agent avatars')]),
      h('fieldset', {}, [h('legend', { text: 'Settings' }), check('allow_file_uploads', 'Allow file uploads'),
        field('max_upload_bytes', 'Max upload size (MB)', h('input', { type: 'number', min: '1', max: '100', value: Math.round(v.max_upload_bytes / 1048576) })),
        check('require_email', 'Require email before chat'), check('auto_create_ticket', 'Create a ticket when a chat ends')]),
      h('fieldset', {}, [h('legend', { text: 'Business Hours' }), h('label', { class: 'check wide' }, [useHours, 'Limit chat to business hours']),
        h('label', { class: 'wide' }, ['Time zone', tz]),
        h('div', { class: 'hours' }, [].concat.apply([], days.map(function (x) { return [h('span', { text: x.d.charAt(0).toUpperCase() + x.d.slice(1) }), h('label', { class: 'check' }, [x.on, 'Open']), x.open, x.close]; }))),
        h('label', {}, ['When closed', mode]), h('label', {}, ['Redirect URL', redirect]), errs.business_hours])
    ]));
    function save() {
      Object.keys(errs).forEach(function (k) { errs[k].textContent = ''; });
      var hours = null;
      if (useHours.checked) {
        hours = { timezone: tz.value, offline_behavior: mode.value };
        if (redirect.value.trim()) hours.offline_redirect_url = redirect.value.trim();
        days.forEach(function (x) { if (x.on.checked) hours[x.d] = { open: x.open.value, close: x.close.value }; });
      }
      var body = {
        name: f.name.value, domain: f.domain.value,
        allowed_domains: f.allowed_domains.value.split(/[\n,]/).map(function (s) { return s.trim(); }).filter(Boolean),
        welcome_message: f.welcome_message.value, offline_message: f.offline_message.value,
        primary_color: f.primary_color.value, secondary_color: f.secondary_color.value, position: f.position.value,
        auto_open_delay: f.auto_open_delay.value ? Math.round(+f.auto_open_delay.value * 1000) : null,
        show_agent_avatars: f.show_agent_avatars.checked, allow_file_uploads: f.allow_file_uploads.checked,
        require_email: f.require_email.checked, auto_create_ticket: f.auto_create_ticket.checked,
        max_upload_bytes: Math.round(+f.max_upload_bytes.value * 1048576) || 10485760, business_hours: hours
      };
      (w ? api('PUT', '/v1/chat/widgets/' + encodeURIComponent(w.id), body) : api('POST', '/v1/chat/widgets', body)).then(function (saved) {
        S.widgets = S.widgets.filter(function (x) { return x.id !== saved.id; }).concat([saved]);
        S.editing = saved.id; toast(t('saved')); widgetsPage();
      }, function (e) {
        var key = (e.field || '').split(/[.[]/)[0];
        var slot = errs[key] || errs.business_hours;
        slot.textContent = (e.field ? e.field + ': ' : '') + e.message;
        if (f[key]) f[key].focus();
        toast(e.message);
      });
    }
  }

  // ---------- live events ----------
  function wsSend(frame) { if (S.ws && S.ws.readyState === 1) { S.ws.send(JSON.stringify(frame)); return true; } return false; }
  function connect() {
    if (!S.token || (S.ws && S.ws.readyState <= 1)) return;
    api('POST', '/v1/chat/ws-ticket').then(function (r) {
      var ws = S.ws = new WebSocket(location.origin.replace(/^http/, 'ws') + API_BASE + '/v1/chat/ws?ticket=' + encodeURIComponent(r.ticket));
      ws.onopen = function () {
        S.backoff = 1000;
        if (S.selected) wsSend({ type: 'resume', session_id: S.selected, after_seq: lastSeq() });
        clearInterval(S.pinger); S.pinger = setInterval(function () { wsSend({ type: 'ping' }); }, 25000);
      };
      ws.onmessage = function (e) { var f; try { f = JSON.parse(e.data); } catch (x) { return; } onEvent(f); };
      ws.onclose = function () { clearInterval(S.pinger); if (ws === S.ws && S.token) retry(); };
    }, function () { retry(); });
  }
  function retry() { var d = S.backoff * (0.5 + Math.random()); S.backoff = Math.min(S.backoff * 2, 30000); setTimeout(connect, d); }
  function lastSeq() { var all = V.log ? V.log.querySelectorAll('[data-seq]') : []; return all.length ? +all[all.length - 1].dataset.seq : 0; }
  function onEvent(f) {
    switch (f.type) {
      case 'new_message': addMessage(f.message); touch(f.session_id, f.message.created_at); return;
      case 'message_ack': addMessage(f.message); return;
      case 'typing_indicator':
        if (f.session_id === S.selected && f.sender_type === 'customer' && V.typing) {
          clearTimeout(S.custTyping); V.typing.textContent = f.is_typing ? t('typing') : '';
          if (f.is_typing) S.custTyping = setTimeout(function () { V.typing.textContent = ''; }, 8000);
        }
        return;
      case 'session_created': case 'session_assigned': case 'session_updated': case 'session_transferred': case 'session_ended':
        var isNew = !S.sessions.has(f.session.id);
        S.sessions.set(f.session.id, f.session);
        if (S.order.indexOf(f.session.id) < 0) S.order.unshift(f.session.id);
        if (f.type === 'session_created' && isNew && f.session.unassigned) { beep(); toast(t('newSession', { who: f.session.customer_name || f.session.customer_email || 'a visitor' })); }
        renderList(); updateTitle();
        if (f.session.id === S.selected) renderConvo(true);
        return;
      case 'note_added': if (f.note) addNote(f.note); return;
      case 'resync_required': if (S.selected) wsSend({ type: 'resume', session_id: S.selected, after_seq: lastSeq() }); loadSessions(true); return;
      case 'error': if (f.code !== 'not_found' || f.request_id) toast(f.message); return;
    }
  }
  function touch(id, at) { var s = S.sessions.get(id); if (s) { s.last_activity_at = at; renderList(); } }

  applyTheme();
  if (S.token) boot().catch(function (e) { signInView(e.message); }); else signInView();
})();
