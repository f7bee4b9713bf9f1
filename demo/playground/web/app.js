// app.js is the playground's Lark client: it shows the chosen person's
// chats from the simulator's control interface (/_sim/, docs/sim.md),
// sends their clicks and typing there, keeps the clock and shows what the
// bot sent. Cards are drawn by card.js.
(function () {
  'use strict';

  // Script errors are kept where the browser test reads them (pgErrors).
  window.pgErrors = [];
  window.addEventListener('error', function (e) { window.pgErrors.push(String(e.message)); });
  window.addEventListener('unhandledrejection', function (e) { window.pgErrors.push(String(e.reason)); });

  var BOT = '平时考核助手';
  var WEEK = ['日', '一', '二', '三', '四', '五', '六'];
  var S = {
    info: null, byId: {}, names: {}, me: null, gen: 0,
    chats: [], chatNames: {}, chatId: null,
    msgs: {}, shown: {}, cursor: 0,
    tl: [], tlSeen: {}, tlUrgent: {}, tlCursor: 0
  };
  var $ = function (id) { return document.getElementById(id); };

  // ---- helpers ----------------------------------------------------------

  function api(method, path, body, signal) {
    var opt = { method: method, headers: {}, signal: signal };
    if (body !== undefined) {
      opt.headers['Content-Type'] = 'application/json';
      opt.body = JSON.stringify(body);
    }
    return fetch(path, opt).then(function (r) {
      return r.text().then(function (t) {
        var data = null;
        try { data = t ? JSON.parse(t) : null; } catch (e) { data = { error: t }; }
        if (!r.ok) {
          var err = new Error((data && data.error) || ('HTTP ' + r.status));
          err.status = r.status;
          throw err;
        }
        return data;
      });
    });
  }
  function el(tag, cls, html) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (html != null) e.innerHTML = html;
    return e;
  }
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  // Times are shown on China's clock whatever the browser's zone: the
  // simulator's clock is the organisation's.
  function parts(iso) {
    var d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
    return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), min: d.getUTCMinutes(), wd: d.getUTCDay() };
  }
  function two(n) { return (n < 10 ? '0' : '') + n; }
  function hm(iso) { var p = parts(iso); return two(p.h) + ':' + two(p.min); }
  function day(iso) { var p = parts(iso); return p.y + '年' + p.m + '月' + p.d + '日 星期' + WEEK[p.wd]; }
  function dayKey(iso) { var p = parts(iso); return p.y + '-' + two(p.m) + '-' + two(p.d); }
  function name(id) { return id === 'bot' ? BOT : (S.names[id] || id); }
  function card(m) { return m.card ? (typeof m.card === 'string' ? JSON.parse(m.card) : m.card) : null; }

  function toast(type, text) {
    var t = el('div', 'toast ' + (type || 'info'));
    var icon = { success: '✓', error: '✕', warning: '!', info: 'i' }[type] || 'i';
    t.innerHTML = '<span class="ic">' + icon + '</span><span class="tx"></span>';
    t.querySelector('.tx').textContent = text;
    $('toasts').appendChild(t);
    setTimeout(function () { t.remove(); }, type === 'error' ? 5000 : 3000);
  }
  function busy(text) {
    $('busy-text').textContent = text;
    $('busy').hidden = !text;
  }
  function confirmDialog(title, text) {
    return new Promise(function (resolve) {
      $('modal-title').textContent = title || '确认';
      $('modal-text').textContent = text || '';
      $('modal').hidden = false;
      var done = function (v) { $('modal').hidden = true; resolve(v); };
      $('modal-ok').onclick = function () { done(true); };
      $('modal-cancel').onclick = function () { done(false); };
    });
  }

  // ---- people -----------------------------------------------------------

  function renderPeople() {
    var list = $('people-list');
    list.innerHTML = '';
    var group = null;
    S.info.people.forEach(function (p) {
      var g = p.unit || '领导与政工科';
      if (g !== group) {
        // A unit's title says its scheme: each runs its own periods.
        var t = el('div', 'group-title', esc(g));
        if (p.unit) t.appendChild(el('div', 'group-scheme', esc(schemeOf(p))));
        list.appendChild(t);
        group = g;
      }
      var row = el('div', 'person' + (p.id === S.me ? ' active' : ''));
      row.setAttribute('data-id', p.id);
      row.appendChild(LarkCard.avatar(p.name, p.id, 30));
      var who = el('div', 'who');
      who.appendChild(el('div', 'nm', esc(p.name)));
      who.appendChild(el('div', 'rl', esc((p.roles || []).join(' · '))));
      row.title = p.name + '：' + (p.roles || []).join('、');
      row.appendChild(who);
      row.onclick = function () { choose(p.id); };
      list.appendChild(row);
    });
  }

  // schemeOf describes the scheme a person's unit is under.
  function schemeOf(p) {
    var ss = S.info.schemes || {};
    return ss[p.scheme || ''] || ss[''] || '';
  }

  function renderMe() {
    var p = S.byId[S.me];
    var box = $('me-card');
    box.innerHTML = '';
    box.appendChild(LarkCard.avatar(p.name, p.id, 40));
    var who = el('div');
    who.appendChild(el('div', 'nm', esc(p.name)));
    who.appendChild(el('div', 'rl', esc((p.unit ? p.unit + ' · ' : '') + (p.roles || []).join(' · '))));
    if (p.unit) who.appendChild(el('div', 'rl', esc(schemeOf(p))));
    box.appendChild(who);
  }

  function chips() {
    var p = S.byId[S.me], box = $('chips');
    box.innerHTML = '';
    var chat = currentChat();
    if (chat && chat.type === 'group') {
      box.appendChild(el('div', 'group-hint', '群聊用于公示：命令请在与「' + BOT + '」的单聊中发送。'));
      return;
    }
    var cmds = ['帮助', '待办'];
    if (p.assessed) cmds.push('记实', '我的考核', '目标');
    if ((p.roles || []).some(function (r) { return /初评/.test(r); })) cmds.push('审核');
    if (p.chain) cmds.push('委托');
    if ((p.roles || []).indexOf('考核委员会') >= 0) cmds.push('审定');
    if (p.hr) cmds.push('进度', '公示', '备案', '复核', '人员', '开启考核', '结束考核', '年度');
    cmds.forEach(function (c) {
      var b = el('button', 'chip', esc(c));
      b.type = 'button';
      b.onclick = function () {
        if (c === '委托' || c === '人员') { $('input').value = c + ' @'; $('input').focus(); return; }
        sendText(c);
      };
      box.appendChild(b);
    });
  }

  // ---- choosing who you are ---------------------------------------------

  function choose(id) {
    if (!S.byId[id]) return;
    var wasGroup = currentChat() && currentChat().type === 'group';
    S.me = id;
    S.gen++;
    if (S.abort) S.abort.abort();
    var gen = S.gen;
    history.replaceState(null, '', '#me=' + id);
    document.querySelectorAll('.person').forEach(function (r) { r.classList.toggle('active', r.getAttribute('data-id') === id); });
    renderMe();
    S.msgs = {};
    S.shown = {};
    $('messages').innerHTML = '';
    return api('GET', '/_sim/chats?user=' + encodeURIComponent(id)).then(function (r) {
      if (gen !== S.gen) return;
      S.chats = (r.chats || []).sort(function (a, b) { return (a.type === 'p2p' ? 0 : 1) - (b.type === 'p2p' ? 0 : 1); });
      var group = S.chats.filter(function (c) { return c.type === 'group'; })[0];
      var p2p = S.chats.filter(function (c) { return c.type === 'p2p'; })[0];
      S.chatId = (wasGroup && group ? group : p2p || group || {}).chat_id;
      return api('GET', '/_sim/messages?user=' + encodeURIComponent(id));
    }).then(function (page) {
      if (!page || gen !== S.gen) return;
      (page.messages || []).forEach(function (m) { S.msgs[m.message_id] = m; });
      S.cursor = page.cursor;
      renderChatList();
      openChat(S.chatId);
      poll(gen);
    }).catch(function (e) { toast('error', '读取会话失败：' + e.message); });
  }

  function currentChat() {
    return S.chats.filter(function (c) { return c.chat_id === S.chatId; })[0];
  }

  function chatName(c) {
    if (!c) return '';
    return c.type === 'p2p' ? BOT : (c.name || S.chatNames[c.chat_id] || '群聊');
  }

  function inChat(chatId) {
    return Object.keys(S.msgs).map(function (k) { return S.msgs[k]; })
      .filter(function (m) { return m.chat_id === chatId; })
      .sort(function (a, b) { return new Date(a.create_time) - new Date(b.create_time) || a.seq - b.seq; });
  }

  function unread(m) {
    return m.sender.type === 'app' && !m.deleted && !(m.read_by || []).some(function (r) { return r.user === S.me; });
  }

  function preview(m) {
    if (m.deleted) return '[已撤回]';
    if (m.msg_type === 'interactive') return '[卡片] ' + LarkCard.summary(card(m));
    return (m.sender.type === 'user' && m.sender.id !== S.me ? name(m.sender.id) + '：' : '') + (m.text || '');
  }

  function renderChatList() {
    var list = $('chat-list');
    list.innerHTML = '';
    S.chats.forEach(function (c) {
      var ms = inChat(c.chat_id), last = ms[ms.length - 1];
      var n = ms.filter(unread).length;
      var item = el('div', 'chat-item' + (c.chat_id === S.chatId ? ' active' : ''));
      item.setAttribute('data-chat', c.chat_id);
      var av = LarkCard.avatar(c.type === 'p2p' ? '考' : '公示', c.chat_id, 40);
      av.classList.add(c.type === 'p2p' ? 'bot' : 'group');
      av.textContent = c.type === 'p2p' ? '考' : '群';
      item.appendChild(av);
      var meta = el('div', 'meta');
      var top = el('div', 'top');
      top.appendChild(el('span', 'name', esc(chatName(c)) + (c.type === 'p2p' ? '<span class="bot-tag">机器人</span>' : '')));
      top.appendChild(el('span', 'time', last ? esc(hm(last.create_time)) : ''));
      meta.appendChild(top);
      var bottom = el('div', 'top');
      bottom.appendChild(el('span', 'preview', last ? esc(preview(last)) : (c.type === 'p2p' ? '发送「帮助」开始' : '')));
      if (n && c.chat_id !== S.chatId) bottom.appendChild(el('span', 'badge', String(n)));
      meta.appendChild(bottom);
      item.appendChild(meta);
      item.onclick = function () { openChat(c.chat_id); };
      list.appendChild(item);
    });
  }

  // ---- a chat -----------------------------------------------------------

  function openChat(chatId) {
    S.chatId = chatId;
    var c = currentChat();
    $('chat-title').innerHTML = esc(chatName(c)) + (c && c.type === 'p2p' ? '<span class="bot-tag">机器人</span>' : '');
    $('chat-sub').textContent = !c ? '' : c.type === 'p2p' ? '与机器人的单聊：提醒、待办和各类表单都在这里' : (c.members || []).length + ' 位成员 · 公示群';
    $('input').placeholder = c && c.type === 'group' ? '在「' + chatName(c) + '」中发言' : '发送给 ' + BOT + '（Enter 发送，Shift+Enter 换行；@姓名 可提及同事）';
    var box = $('messages');
    box.innerHTML = '';
    S.shown = {};
    var ms = inChat(chatId);
    if (!ms.length) {
      box.appendChild(el('div', 'empty-chat', c && c.type === 'group' ? '还没有消息。公示发布后会出现在这里。' : '还没有消息。<br>发送「帮助」看看机器人能做什么，或在右上角拨动时钟等待提醒。'));
    }
    var prev = null;
    ms.forEach(function (m) { box.appendChild(messageNode(m, prev)); prev = m; });
    box.scrollTop = box.scrollHeight;
    chips();
    renderChatList();
    markRead();
  }

  function messageNode(m, prev) {
    var frag = document.createDocumentFragment();
    if (!prev || dayKey(prev.create_time) !== dayKey(m.create_time)) {
      var sep = el('div', 'day-sep', esc(day(m.create_time)));
      sep.setAttribute('data-day', dayKey(m.create_time));
      frag.appendChild(sep);
    }
    frag.appendChild(messageBody(m));
    return frag;
  }

  function messageBody(m) {
    var mine = m.sender.type === 'user' && m.sender.id === S.me;
    var row = el('div', 'msg' + (mine ? ' mine' : ''));
    row.id = 'm-' + m.message_id;
    S.shown[m.message_id] = m.seq;
    var av;
    if (m.sender.type === 'app') {
      av = LarkCard.avatar('考', 'bot', 36);
      av.classList.add('bot');
      av.textContent = '考';
    } else {
      av = LarkCard.avatar(name(m.sender.id), m.sender.id, 36);
    }
    row.appendChild(av);
    var body = el('div', 'body');
    var head = el('div', 'head');
    var who = m.sender.type === 'app' ? BOT + '<span class="bot-tag">机器人</span>' : esc(name(m.sender.id));
    head.innerHTML = (mine ? '' : '<b>' + who + '</b>') + esc(hm(m.create_time));
    if ((m.urgent || []).some(function (u) { return u.user === S.me; })) head.innerHTML = '<span class="urgent-tag">加急</span>' + head.innerHTML;
    body.appendChild(head);
    if (m.deleted) {
      body.appendChild(el('div', 'recalled', '此消息已撤回'));
    } else if (m.msg_type === 'interactive') {
      var node = LarkCard.render(card(m), {
        name: name,
        onAction: function (act) { click(m, act, node); }
      });
      body.appendChild(node);
    } else {
      var b = el('div', 'bubble');
      b.textContent = textOf(m);
      body.appendChild(b);
    }
    row.appendChild(body);
    return row;
  }

  // textOf shows a text message with its mentions as names.
  function textOf(m) {
    var t = m.text || '';
    (m.mentions || []).forEach(function (x) { t = t.split(x.key).join('@' + (x.bot ? BOT : (x.name || name(x.open_id)))); });
    if (!t && m.content) {
      try { t = JSON.parse(m.content).text || m.content; } catch (e) { t = m.content; }
    }
    return t;
  }

  // merge takes messages that changed: new ones are appended to the open
  // chat, changed cards are redrawn in place (a card the person is filling
  // in is left alone unless it really changed).
  function merge(list) {
    var box = $('messages'), atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80, added = false;
    list.forEach(function (m) {
      S.msgs[m.message_id] = m;
      if (m.chat_id !== S.chatId) return;
      var old = document.getElementById('m-' + m.message_id);
      if (old) {
        if ((S.shown[m.message_id] || 0) < m.seq) old.replaceWith(messageBody(m));
        return;
      }
      var empty = box.querySelector('.empty-chat');
      if (empty) empty.remove();
      var ms = inChat(S.chatId), i = ms.indexOf(m);
      box.appendChild(messageNode(m, i > 0 ? ms[i - 1] : null));
      added = true;
    });
    if (added && atBottom) box.scrollTop = box.scrollHeight;
    renderChatList();
    markRead();
  }

  function poll(gen) {
    if (gen !== S.gen) return;
    var ctrl = new AbortController();
    S.abort = ctrl;
    api('GET', '/_sim/messages?user=' + encodeURIComponent(S.me) + '&after=' + S.cursor + '&wait=25s', undefined, ctrl.signal)
      .then(function (page) {
        if (gen !== S.gen) return;
        S.cursor = Math.max(S.cursor, page.cursor);
        if (page.messages && page.messages.length) merge(page.messages);
        poll(gen);
      })
      .catch(function () { if (gen === S.gen) setTimeout(function () { poll(gen); }, 1000); });
  }

  // markRead reads what is on the screen, as the client does: the bot's
  // 公示 read receipts count it.
  var reading = false;
  function markRead() {
    if (reading || document.hidden) return;
    var todo = inChat(S.chatId).filter(unread);
    if (!todo.length) return;
    reading = true;
    var me = S.me;
    Promise.all(todo.map(function (m) {
      return api('POST', '/_sim/read', { message_id: m.message_id, user: me }).then(function (r) {
        if (S.msgs[m.message_id] && me === S.me) S.msgs[m.message_id].read_by = r.read_by;
      }).catch(function () {});
    })).then(function () { reading = false; renderChatList(); });
  }

  // ---- clicks and typing ------------------------------------------------

  function click(m, act, node) {
    var beh = act.behaviors || [];
    var url = beh.filter(function (b) { return b.type === 'open_url'; })[0];
    if (url) window.open(url.pc_url || url.default_url || url.url, '_blank', 'noopener');
    if (act.formAction === 'reset') { LarkCard.reset(act.form); return; }
    var cb = beh.filter(function (b) { return b.type === 'callback'; })[0];
    if (!cb && act.formAction !== 'submit') return;
    var req = { message_id: m.message_id, user: S.me };
    if (act.control) { // a select or input outside a form: its value goes with the callback
      req.value = cb ? cb.value : {};
      req.action = { tag: act.element.tag, name: act.name };
      if (act.element.tag === 'input') req.action.input_value = act.value;
      else if (Array.isArray(act.value)) req.action.options = act.value;
      else req.action.option = String(act.value);
    } else {
      req.button = act.name;
    }
    if (act.formAction === 'submit') {
      if (!LarkCard.validate(act.form)) { toast('warning', '请填写必填项'); return; }
      req.form_value = LarkCard.formValues(act.form);
    }
    var go = act.confirm ? confirmDialog(act.confirm.title && act.confirm.title.content, act.confirm.text && act.confirm.text.content) : Promise.resolve(true);
    go.then(function (ok) {
      if (!ok) return;
      if (act.button) act.button.classList.add('loading');
      node.classList.add('busy');
      return api('POST', '/_sim/click', req).then(function (r) {
        if (r.client_error) toast('error', '卡片回调失败：' + r.client_error.msg + '（' + r.client_error.code + '）');
        if (r.toast) toast(r.toast.type, r.toast.content);
        if (r.card) {
          var cur = S.msgs[m.message_id] || m;
          cur.card = r.card;
          cur.seq = Math.max(cur.seq, r.cursor);
          var old = document.getElementById('m-' + m.message_id);
          if (old) old.replaceWith(messageBody(cur));
        }
      }).catch(function (e) {
        toast('error', e.message);
      }).then(function () {
        if (act.button) act.button.classList.remove('loading');
        node.classList.remove('busy');
      });
    });
  }

  // mentions turns "@姓名" into the @_user_N keys Lark writes, with the
  // open_ids in order ("bot" for the bot).
  function mentions(text) {
    var ids = [];
    var all = S.info.people.map(function (p) { return [p.name, p.id]; }).concat([[BOT, 'bot'], ['机器人', 'bot']]);
    all.sort(function (a, b) { return b[0].length - a[0].length; });
    var out = text.replace(/@(\S+)/g, function (m, rest) {
      for (var i = 0; i < all.length; i++) {
        if (rest.indexOf(all[i][0]) === 0) {
          ids.push(all[i][1]);
          return '@_user_' + ids.length + rest.slice(all[i][0].length);
        }
      }
      return m;
    });
    return { text: out, mentions: ids };
  }

  function sendText(text) {
    text = (text || '').trim();
    if (!text) return;
    var c = currentChat();
    var mm = mentions(text);
    var req = { user: S.me, text: mm.text };
    if (mm.mentions.length) req.mentions = mm.mentions;
    if (c && c.type === 'group') req.chat = c.chat_id;
    return api('POST', '/_sim/text', req).catch(function (e) { toast('error', '发送失败：' + e.message); });
  }

  // ---- the clock and the colleagues ---------------------------------------

  // showClock shows the simulator's time; the date control follows it
  // (a day on, at the same time) unless the person is choosing a date.
  function showClock() {
    api('GET', '/_sim/clock').then(function (c) {
      var p = parts(c.now);
      $('now').textContent = p.y + '-' + two(p.m) + '-' + two(p.d) + ' 周' + WEEK[p.wd] + ' ' + two(p.h) + ':' + two(p.min);
      var to = $('clk-to');
      if (document.activeElement !== to && (!to.value || to.value < localISO(c.now))) {
        var q = parts(new Date(new Date(c.now).getTime() + 24 * 3600 * 1000).toISOString());
        to.value = q.y + '-' + two(q.m) + '-' + two(q.d) + 'T' + two(q.h) + ':' + two(q.min);
      }
    }).catch(function () {});
  }
  function localISO(iso) { var p = parts(iso); return p.y + '-' + two(p.m) + '-' + two(p.d) + 'T' + two(p.h) + ':' + two(p.min); }

  function moveClock(req, label) {
    busy('正在拨动时钟…');
    setButtons(true);
    return api('POST', '/api/clock', req).then(function (r) {
      var p = parts(r.now);
      var at = p.m + '月' + p.d + '日 ' + two(p.h) + ':' + two(p.min);
      var msg = '时钟已拨到 ' + at + (r.sent ? '，机器人发出 ' + r.sent + ' 条消息' : '') + (r.note ? '（' + r.note + '）' : '');
      toast(r.sent ? 'success' : 'info', msg);
      addLocal({ at: r.now, kind: 'clock', text: label + ' → ' + at + (r.sent ? '，机器人发出 ' + r.sent + ' 条' : '，无新消息') });
      showClock();
    }).catch(function (e) { toast('error', e.message); })
      .then(function () { busy(''); setButtons(false); });
  }

  function setButtons(disabled) {
    ['clk-next', 'clk-day', 'clk-fri', 'clk-go', 'others'].forEach(function (id) { $(id).disabled = disabled; });
  }

  function others() {
    busy('其他人正在处理各自的待办（填报记实、小结，初评、审定、评鉴）…');
    setButtons(true);
    return api('POST', '/api/others', { me: S.me }).then(function (r) {
      var msg = '其他人填报 ' + r.forms + ' 份、审核 ' + r.steps + ' 人次';
      toast('success', msg);
      (r.problems || []).forEach(function (p) { toast('warning', p); });
      return api('GET', '/_sim/clock').then(function (c) { addLocal({ at: c.now, kind: 'others', text: msg }); });
    }).catch(function (e) { toast('error', e.message); })
      .then(function () { busy(''); setButtons(false); });
  }

  // ---- the timeline -------------------------------------------------------

  function addLocal(entry) {
    S.tl.push(entry);
    drawEntry(entry);
  }

  function tlPoll() {
    api('GET', '/_sim/sent' + (S.tlCursor ? '?after=' + S.tlCursor + '&wait=25s' : '')).then(function (page) {
      S.tlCursor = Math.max(S.tlCursor, page.cursor);
      (page.messages || []).forEach(function (m) {
        if (!S.tlSeen[m.message_id]) {
          S.tlSeen[m.message_id] = true;
          var c = card(m);
          // A card's summary (what the chat list shows) says the most
          // in the fewest words: "请填写周记实：2026年第1周".
          var what = m.msg_type === 'interactive' ? LarkCard.summary(c) : textOf(m);
          addLocal({ at: m.create_time, kind: 'sent', to: m.to || '', chat: m.chat_id, chatType: m.chat_type, id: m.message_id, text: what });
        }
        (m.urgent || []).forEach(function (u) {
          var k = m.message_id + u.user;
          if (S.tlUrgent[k]) return;
          S.tlUrgent[k] = true;
          addLocal({ at: u.at, kind: 'urgent', to: u.user, chat: m.chat_id, chatType: m.chat_type, id: m.message_id, text: '加急（电话/短信提醒）' });
        });
      });
      setTimeout(tlPoll, 50);
    }).catch(function () { setTimeout(tlPoll, 1500); });
  }

  var tlLastDay = '';
  function drawEntry(e) {
    var list = $('tl-list');
    var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    if (dayKey(e.at) !== tlLastDay) {
      tlLastDay = dayKey(e.at);
      list.appendChild(el('div', 'tl-day', esc(day(e.at))));
    }
    var row = el('div', 'tl-item ' + e.kind);
    row.setAttribute('data-to', e.to || '');
    var who = e.kind === 'sent' || e.kind === 'urgent'
      ? (e.chatType === 'group' ? (S.chatNames[e.chat] || '公示群') : name(e.to))
      : '';
    row.innerHTML = '<span class="t">' + esc(hm(e.at)) + '</span><span>' +
      (who ? '<span class="to">' + esc(who) + '</span> ' : '') + '<span class="what">' + esc(e.text) + '</span></span>';
    if (e.id) row.onclick = function () { jump(e); };
    applyFilter(row);
    list.appendChild(row);
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function applyFilter(row) {
    var mine = $('tl-mine').checked;
    var to = row.getAttribute('data-to');
    row.hidden = mine && to !== '' && to !== S.me;
  }

  function jump(e) {
    var go = e.chatType === 'group' ? Promise.resolve() : (e.to && e.to !== S.me ? choose(e.to) : Promise.resolve());
    (go || Promise.resolve()).then(function () {
      if (e.chatType === 'group' && !S.chats.some(function (c) { return c.chat_id === e.chat; })) return;
      openChat(e.chat);
      var n = document.getElementById('m-' + e.id);
      if (n) {
        n.scrollIntoView({ block: 'center' });
        n.classList.add('flash');
        setTimeout(function () { n.classList.remove('flash'); }, 1500);
      }
    });
  }

  // ---- start ------------------------------------------------------------

  function start() {
    Promise.all([api('GET', '/api/info'), api('GET', '/_sim/users'), api('GET', '/_sim/chats')]).then(function (r) {
      S.info = r[0];
      $('org').textContent = S.info.org + ' · ' + S.info.scheme;
      (r[1].users || []).forEach(function (u) { S.names[u.open_id] = u.name; });
      S.info.people.forEach(function (p) { S.byId[p.id] = p; S.names[p.id] = p.name; });
      (r[2].chats || []).forEach(function (c) { if (c.name) S.chatNames[c.chat_id] = c.name; });
      renderPeople();
      var m = /me=([^&]+)/.exec(location.hash);
      var first = S.info.people.filter(function (p) { return p.assessed; })[0] || S.info.people[0];
      choose(m && S.byId[decodeURIComponent(m[1])] ? decodeURIComponent(m[1]) : first.id);
      tlPoll();
    }).catch(function (e) { toast('error', '无法连接演示服务：' + e.message); });
    showClock();
    setInterval(showClock, 1000);
    $('clk-next').onclick = function () { moveClock({ move: 'next' }, '下一条提醒'); };
    $('clk-day').onclick = function () { moveClock({ move: 'day' }, '+1 天'); };
    $('clk-fri').onclick = function () { moveClock({ move: 'friday' }, '到周五 15:05'); };
    $('clk-go').onclick = function () { moveClock({ move: 'to', to: $('clk-to').value }, '拨到指定时刻'); };
    $('others').onclick = others;
    $('help-btn').onclick = function () { $('help').hidden = false; };
    $('help-ok').onclick = function () { $('help').hidden = true; };
    $('tl-mine').onchange = function () { document.querySelectorAll('.tl-item').forEach(applyFilter); };
    $('send').onclick = function () { var v = $('input').value; $('input').value = ''; sendText(v); };
    $('input').addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        $('send').click();
      }
    });
    document.addEventListener('visibilitychange', markRead);
  }

  start();
})();
