// card.js renders a Lark card in Card JSON 2.0 as the Lark desktop client
// shows it, written from the open platform's component docs (卡片 JSON 2.0
// 结构 and 版本组件): header with template colours, subtitle and tags;
// markdown with <font color>, <text_tag>, <at>, lists, headings, quotes,
// code and tables; plain_text and div; hr; column_set and column; form,
// input, select_static, multi_select_static, date_picker, checker and
// button; table with pages; chart (bar, line, area, pie from the VChart
// spec, drawn as SVG); collapsible_panel, person, img. A component it does
// not know shows Lark's own fallback line.
//
// It only draws. What a click does is the page's: LarkCard.render calls
// ctx.onAction({name, form, formAction, behaviors, confirm, element}) and
// the page posts it to the simulator (app.js). LarkCard.formValues,
// LarkCard.validate and LarkCard.reset read, check and reset a form the way
// the client does before it submits.
(function () {
  'use strict';

  // Text colours of <font color> and text_color (颜色枚举值).
  var FONT = {
    'default': '#1f2329', 'grey': '#8f959e', 'gray': '#8f959e', 'red': '#f54a45', 'orange': '#ff8800',
    'yellow': '#dc9b04', 'green': '#2ea121', 'turquoise': '#0fa391', 'wathet': '#049fd7', 'blue': '#3370ff',
    'indigo': '#4954e6', 'purple': '#7f3bf5', 'violet': '#ca3ed6', 'carmine': '#e62e8a', 'lime': '#8fb800',
    'white': '#ffffff', 'black': '#1f2329', 'neutral': '#646a73'
  };
  // Header templates (标题主题样式): a light tint with the title in the
  // template's dark tone, as the 2.0 client draws them.
  var TEMPLATE = {
    'blue': ['#e1eaff', '#1d4bc8', '#3370ff'], 'wathet': ['#d9f3fd', '#036da0', '#14c0ff'],
    'turquoise': ['#d5f6f2', '#067a6d', '#2dbea6'], 'green': ['#d9f5d6', '#237b19', '#34c724'],
    'yellow': ['#faf1d1', '#8a6300', '#ffc60a'], 'orange': ['#feead2', '#a34e00', '#ff8800'],
    'red': ['#fde2e2', '#b3231f', '#f54a45'], 'carmine': ['#fdddef', '#a11858', '#e62e8a'],
    'violet': ['#f8def8', '#8c2a94', '#ca3ed6'], 'purple': ['#ece2fe', '#5b27b8', '#7f3bf5'],
    'indigo': ['#e0e3fa', '#2d36a6', '#4954e6'], 'grey': ['#eff0f1', '#51565d', '#8f959e'],
    'default': ['#ffffff', '#1f2329', '#dee0e3']
  };
  // Tag colours (text_tag, options): background and text.
  var TAG = {
    'neutral': ['#eff0f1', '#51565d'], 'blue': ['#e1eaff', '#245bdb'], 'turquoise': ['#d5f6f2', '#067a6d'],
    'lime': ['#eef6c6', '#5f7b00'], 'orange': ['#feead2', '#a34e00'], 'violet': ['#f8def8', '#8c2a94'],
    'indigo': ['#e0e3fa', '#2d36a6'], 'wathet': ['#d9f3fd', '#036da0'], 'green': ['#d9f5d6', '#237b19'],
    'yellow': ['#faf1d1', '#8a6300'], 'red': ['#fde2e2', '#b3231f'], 'purple': ['#ece2fe', '#5b27b8'],
    'carmine': ['#fdddef', '#a11858'], 'grey': ['#eff0f1', '#51565d']
  };
  // Chart colours of the default "brand" theme.
  var PALETTE = ['#3370ff', '#4ecbcc', '#ffc60a', '#f54a45', '#7f3bf5', '#34c724', '#ff8800', '#8f959e'];
  // text_size → px (富文本 text_size).
  var SIZE = {
    'heading-0': 30, 'heading-1': 24, 'heading-2': 20, 'heading-3': 18, 'heading-4': 16, 'heading': 16,
    'normal': 14, 'notation': 12, 'xxxx-large': 30, 'xxx-large': 24, 'xx-large': 20, 'x-large': 18,
    'large': 16, 'medium': 14, 'small': 12, 'x-small': 10
  };
  var SPACING = { 'small': 4, 'medium': 8, 'large': 12, 'extra_large': 16 };
  var FALLBACK = '请升级至最新版本客户端，以查看内容';

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function el(tag, cls, html) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (html != null) e.innerHTML = html;
    return e;
  }
  function px(v, dflt) {
    if (v == null || v === '') return dflt;
    if (typeof v === 'number') return v;
    if (SPACING[v] != null) return SPACING[v];
    var n = parseFloat(v);
    return isNaN(n) ? dflt : n;
  }
  function color(c) {
    if (!c) return '';
    if (FONT[c]) return FONT[c];
    var m = /^([a-z]+)-\d+$/.exec(c); // palette steps such as grey-600
    if (m && FONT[m[1]]) return FONT[m[1]];
    if (/^(#|rgb)/i.test(c)) return c;
    return '';
  }
  function attr(tag, name) {
    var re = new RegExp(name + "\\s*=\\s*(?:'([^']*)'|\"([^\"]*)\"|([^\\s>]+))", 'i');
    var m = re.exec(tag);
    return m ? (m[1] != null ? m[1] : m[2] != null ? m[2] : m[3]) : '';
  }
  function text(t) { // a text object or a string
    if (t == null) return '';
    if (typeof t === 'string') return t;
    return t.content != null ? t.content : '';
  }

  // ---- markdown ---------------------------------------------------------

  var TAGS = /<\/?(font|text_tag|at|br|hr|a|link|person|number_tag|local_datetime|raw)\b[^>]*?\/?>/gi;

  // inline renders one line of card markdown: the HTML the card markdown
  // allows (font, text_tag, at, a, link, br …) and the inline syntax
  // (**bold**, *italic*, ~~strike~~, `code`, [text](url)); every other
  // character is text.
  function inline(s, ctx) {
    var toks = [];
    s = s.replace(TAGS, function (m, name) {
      name = name.toLowerCase();
      var close = m.charAt(1) === '/';
      var h = '';
      switch (name) {
        case 'font':
          h = close ? '</span>' : '<span class="md-font" style="color:' + esc(color(attr(m, 'color')) || 'inherit') + '">';
          break;
        case 'text_tag': {
          var t = TAG[attr(m, 'color')] || TAG.blue;
          h = close ? '</span>' : '<span class="md-tag" style="background:' + t[0] + ';color:' + t[1] + '">';
          break;
        }
        case 'at': {
          if (close) break;
          var id = attr(m, 'id') || attr(m, 'ids') || attr(m, 'email');
          var who = id === 'all' ? '所有人' : id.split(',').map(function (x) { return ctx.name ? ctx.name(x) : x; }).join(' @');
          h = '<span class="md-at">@' + esc(who) + '</span>';
          break;
        }
        case 'person':
          if (!close) h = '<span class="md-person">' + esc(ctx.name ? ctx.name(attr(m, 'id')) : attr(m, 'id')) + '</span>';
          break;
        case 'br': h = '<br>'; break;
        case 'hr': h = '<hr class="md-hr">'; break;
        case 'a': h = close ? '</a>' : '<a href="' + esc(safeURL(attr(m, 'href'))) + '" target="_blank" rel="noopener">'; break;
        case 'link': h = close ? '</a>' : '<a href="' + esc(safeURL(attr(m, 'pc_url') || attr(m, 'url'))) + '" target="_blank" rel="noopener">'; break;
        case 'number_tag': h = close ? '</span>' : '<span class="md-number">'; break;
        case 'local_datetime': {
          if (close) break;
          var ms = parseInt(attr(m, 'millisecond'), 10);
          h = isNaN(ms) ? '' : esc(new Date(ms).toLocaleString('zh-CN'));
          break;
        }
        default: h = '';
      }
      toks.push(h);
      return '\u0000' + (toks.length - 1) + '\u0001';
    });
    s = esc(s);
    var codes = [];
    s = s.replace(/`([^`]+)`/g, function (m, c) { codes.push('<code>' + c + '</code>'); return '\u0002' + (codes.length - 1) + '\u0003'; });
    s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, function (m, t, u) {
      return '<a href="' + esc(safeURL(u.replace(/&amp;/g, '&'))) + '" target="_blank" rel="noopener">' + t + '</a>';
    });
    s = s.replace(/\*\*(.+?)\*\*/g, '<b>$1</b>').replace(/__(.+?)__/g, '<b>$1</b>');
    s = s.replace(/~~(.+?)~~/g, '<s>$1</s>');
    s = s.replace(/(^|[^*\w])\*(?!\s)([^*]+?)\*(?!\*)/g, '$1<i>$2</i>');
    s = s.replace(/\u0002(\d+)\u0003/g, function (m, i) { return codes[+i]; });
    return s.replace(/\u0000(\d+)\u0001/g, function (m, i) { return toks[+i]; });
  }

  function safeURL(u) {
    return /^(https?:|tel:|mailto:)/i.test(u || '') ? u : '#';
  }

  // markdown renders a markdown component's content: blocks (headings,
  // lists with four-space nesting, quotes, fenced code, tables, rules) and
  // lines; one newline is a line break, as in the client.
  function markdown(src, ctx) {
    var lines = String(src == null ? '' : src).replace(/\r\n?/g, '\n').split('\n');
    var out = [], para = [], i = 0;
    function flush() {
      if (para.length) out.push('<div class="md-p">' + para.map(function (l) { return inline(l, ctx); }).join('<br>') + '</div>');
      para = [];
    }
    while (i < lines.length) {
      var line = lines[i];
      var m;
      if (/^\s*```/.test(line)) {
        flush();
        var code = [];
        for (i++; i < lines.length && !/^\s*```/.test(lines[i]); i++) code.push(lines[i]);
        i++;
        out.push('<pre class="md-code"><code>' + esc(code.join('\n')) + '</code></pre>');
        continue;
      }
      if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
        flush();
        out.push('<div class="md-h md-h' + m[1].length + '">' + inline(m[2], ctx) + '</div>');
        i++;
        continue;
      }
      if (/^\s*(---+|\*\*\*+|<hr\s*\/?>)\s*$/i.test(line)) {
        flush();
        out.push('<hr class="md-hr">');
        i++;
        continue;
      }
      if (/^\s*>\s?/.test(line)) {
        flush();
        var q = [];
        for (; i < lines.length && /^\s*>\s?/.test(lines[i]); i++) q.push(inline(lines[i].replace(/^\s*>\s?/, ''), ctx));
        out.push('<blockquote class="md-quote">' + q.join('<br>') + '</blockquote>');
        continue;
      }
      if (/^\s*\|.*\|\s*$/.test(line) && i + 1 < lines.length && /^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1])) {
        flush();
        var cells = function (l) { return l.trim().replace(/^\||\|$/g, '').split('|').map(function (c) { return inline(c.trim(), ctx); }); };
        var head = cells(line), rows = [];
        for (i += 2; i < lines.length && /^\s*\|.*\|\s*$/.test(lines[i]); i++) rows.push(cells(lines[i]));
        out.push('<table class="md-table"><thead><tr>' + head.map(function (c) { return '<th>' + c + '</th>'; }).join('') +
          '</tr></thead><tbody>' + rows.map(function (r) { return '<tr>' + r.map(function (c) { return '<td>' + c + '</td>'; }).join('') + '</tr>'; }).join('') +
          '</tbody></table>');
        continue;
      }
      if (/^\s*([-*+]|\d+\.)\s+/.test(line)) {
        flush();
        var items = [];
        for (; i < lines.length && (m = /^(\s*)([-*+]|\d+\.)\s+(.*)$/.exec(lines[i])); i++) {
          items.push({ depth: Math.floor(m[1].replace(/\t/g, '    ').length / 4), ordered: /\d/.test(m[2]), num: parseInt(m[2], 10), text: m[3] });
        }
        out.push(list(items, 0, ctx));
        continue;
      }
      if (line.trim() === '') {
        flush();
        i++;
        continue;
      }
      para.push(line);
      i++;
    }
    flush();
    return out.join('');
  }

  function list(items, depth, ctx) {
    var html = '', open = null;
    for (var k = 0; k < items.length; k++) {
      var it = items[k];
      if (it.depth > depth) continue; // rendered by its parent below
      var tag = it.ordered ? 'ol' : 'ul';
      if (open !== tag) {
        if (open) html += '</' + open + '>';
        html += '<' + tag + ' class="md-list"' + (it.ordered && it.num > 1 ? ' start="' + it.num + '"' : '') + '>';
        open = tag;
      }
      var children = [];
      for (var j = k + 1; j < items.length && items[j].depth > depth; j++) children.push(items[j]);
      html += '<li>' + inline(it.text, ctx) + (children.length ? list(children, depth + 1, ctx) : '') + '</li>';
    }
    if (open) html += '</' + open + '>';
    return html;
  }

  // ---- components -------------------------------------------------------

  function textStyle(e, node) {
    var size = SIZE[e.text_size];
    if (size) node.style.fontSize = size + 'px';
    if (e.text_align) node.style.textAlign = e.text_align;
    var c = color(e.text_color);
    if (c) node.style.color = c;
  }

  function margin(e, node) {
    if (e.margin) node.style.margin = String(e.margin).split(/\s+/).map(function (v) { return px(v, 0) + 'px'; }).join(' ');
  }

  function renderElements(list, ctx, parent, spacing) {
    (list || []).forEach(function (e, idx) {
      var node = renderElement(e, ctx);
      if (!node) return;
      if (idx > 0 && spacing != null) node.style.marginTop = spacing + 'px';
      margin(e, node);
      parent.appendChild(node);
    });
  }

  function renderElement(e, ctx) {
    if (!e || typeof e !== 'object') return null;
    switch (e.tag) {
      case 'markdown':
      case 'lark_md': {
        var n = el('div', 'lc-md', markdown(e.content, ctx));
        textStyle(e, n);
        return n;
      }
      case 'plain_text': {
        var p = el('div', 'lc-text');
        p.textContent = e.content || '';
        textStyle(e, p);
        if (e.lines) { p.style.webkitLineClamp = e.lines; p.classList.add('lc-clamp'); }
        return p;
      }
      case 'div': return renderDiv(e, ctx);
      case 'hr': return el('hr', 'lc-hr');
      case 'column_set': return renderColumns(e, ctx);
      case 'form': return renderForm(e, ctx);
      case 'input': return renderInput(e, ctx);
      case 'select_static':
      case 'multi_select_static': return renderSelect(e, ctx);
      case 'date_picker':
      case 'picker_time':
      case 'picker_datetime': return renderDate(e, ctx);
      case 'checker': return renderChecker(e, ctx);
      case 'button': return renderButton(e, ctx);
      case 'table': return renderTable(e, ctx);
      case 'chart': return renderChart(e);
      case 'collapsible_panel': return renderPanel(e, ctx);
      case 'interactive_container': return renderContainer(e, ctx);
      case 'person': return renderPerson(e, ctx);
      case 'person_list': {
        var pl = el('div', 'lc-persons');
        (e.persons || []).forEach(function (x) { pl.appendChild(renderPerson({ user_id: x.id }, ctx)); });
        return pl;
      }
      case 'img': {
        var im = el('div', 'lc-img');
        im.textContent = text(e.alt) || '图片';
        return im;
      }
      case 'note': {
        var no = el('div', 'lc-note');
        renderElements(e.elements, ctx, no, 4);
        return no;
      }
      default: {
        var u = el('div', 'lc-unsupported');
        u.textContent = FALLBACK;
        u.title = e.tag || '';
        return u;
      }
    }
  }

  function renderDiv(e, ctx) {
    var d = el('div', 'lc-div');
    if (e.text) {
      var t = e.text.tag === 'lark_md' ? el('div', 'lc-md', markdown(e.text.content, ctx)) : el('div', 'lc-text');
      if (e.text.tag !== 'lark_md') t.textContent = e.text.content || '';
      textStyle(e.text, t);
      d.appendChild(t);
    }
    if (e.fields && e.fields.length) {
      var f = el('div', 'lc-fields');
      e.fields.forEach(function (x) {
        var c = el('div', x.is_short ? 'lc-field short' : 'lc-field');
        c.innerHTML = x.text && x.text.tag === 'lark_md' ? markdown(x.text.content, ctx) : esc(text(x.text));
        f.appendChild(c);
      });
      d.appendChild(f);
    }
    return d;
  }

  function renderColumns(e, ctx) {
    var row = el('div', 'lc-columns');
    var gap = px(e.horizontal_spacing, 8);
    row.style.gap = gap + 'px';
    var mode = e.flex_mode || 'none';
    if (mode === 'flow') row.style.flexWrap = 'wrap';
    if (e.background_style && e.background_style !== 'default') row.classList.add('bg-' + e.background_style);
    if (e.horizontal_align) row.style.justifyContent = { left: 'flex-start', center: 'center', right: 'flex-end' }[e.horizontal_align] || '';
    (e.columns || []).forEach(function (c) {
      var col = el('div', 'lc-column');
      var w = c.width || 'auto';
      if (mode === 'bisect' || mode === 'trisect') {
        var n = mode === 'bisect' ? 2 : 3;
        col.style.flex = '0 0 calc((100% - ' + (gap * (n - 1)) + 'px) / ' + n + ')';
        row.style.flexWrap = 'wrap';
      } else if (w === 'weighted') {
        col.style.flex = (c.weight || 1) + ' 1 0';
        col.style.minWidth = '0';
      } else if (/px$/.test(w)) {
        col.style.flex = '0 0 ' + w;
      } else {
        col.style.flex = '0 0 auto';
      }
      col.style.justifyContent = { top: 'flex-start', center: 'center', bottom: 'flex-end' }[c.vertical_align || 'top'];
      if (c.background_style && c.background_style !== 'default') col.classList.add('bg-' + c.background_style);
      if (c.padding) col.style.padding = String(c.padding).split(/\s+/).map(function (v) { return px(v, 0) + 'px'; }).join(' ');
      renderElements(c.elements, ctx, col, px(c.vertical_spacing, 4));
      row.appendChild(col);
    });
    return row;
  }

  function renderForm(e, ctx) {
    var f = el('form', 'lc-form');
    f.setAttribute('data-form', e.name || '');
    f.addEventListener('submit', function (ev) { ev.preventDefault(); });
    var inner = Object.create(ctx);
    inner.form = f;
    renderElements(e.elements, inner, f, px(e.vertical_spacing, 10));
    return f;
  }

  function field(e, ctx, control, kind, dflt) {
    control.setAttribute('data-field', e.name || '');
    control.setAttribute('data-kind', kind);
    control.setAttribute('data-default', dflt == null ? '' : dflt);
    if (e.required) control.setAttribute('data-required', '1');
    if (e.disabled) control.disabled = true;
    var wrap = el('div', 'lc-item');
    var label = text(e.label);
    var pos = e.label_position || 'top';
    if (label) {
      var l = el('label', 'lc-label');
      l.innerHTML = (e.required ? '<span class="lc-req">*</span>' : '') + esc(label);
      wrap.appendChild(l);
      if (pos === 'left') wrap.classList.add('left');
    }
    var box = el('div', 'lc-control');
    box.appendChild(control);
    var err = el('div', 'lc-error');
    box.appendChild(err);
    wrap.appendChild(box);
    if (e.width && e.width !== 'fill' && e.width !== 'default') box.style.maxWidth = e.width;
    if (!ctx.form && e.behaviors && ctx.onAction) { // outside a form: the value is sent on change
      control.addEventListener('change', function () {
        ctx.onAction({ name: e.name, element: e, behaviors: e.behaviors, value: valueOf(control), control: control });
      });
    }
    return wrap;
  }

  function renderInput(e, ctx) {
    var multi = e.input_type === 'multiline_text';
    var c = multi ? document.createElement('textarea') : document.createElement('input');
    c.className = 'lc-input';
    if (!multi) c.type = e.input_type === 'password' ? 'password' : 'text';
    if (multi) c.rows = e.rows || 3;
    if (e.max_length) c.maxLength = e.max_length;
    c.placeholder = text(e.placeholder);
    c.value = e.default_value || '';
    return field(e, ctx, c, 'input', e.default_value || '');
  }

  function renderSelect(e, ctx) {
    var multi = e.tag === 'multi_select_static';
    var s = document.createElement('select');
    s.className = 'lc-select';
    if (multi) s.multiple = true;
    var ph = document.createElement('option');
    ph.value = '';
    ph.textContent = text(e.placeholder) || '请选择';
    if (!multi) { ph.disabled = !!e.required; s.appendChild(ph); }
    var initial = multi ? (e.selected_values || []) : [e.initial_option];
    (e.options || []).forEach(function (o) {
      var op = document.createElement('option');
      op.value = o.value;
      op.textContent = text(o.text);
      if (initial.indexOf(o.value) >= 0) op.selected = true;
      s.appendChild(op);
    });
    if (!multi && !e.initial_option) s.value = '';
    var toggle = function () { s.classList.toggle('empty', !multi && s.value === ''); };
    s.addEventListener('change', toggle);
    toggle();
    return field(e, ctx, s, multi ? 'multi' : 'select', multi ? initial.join(',') : (e.initial_option || ''));
  }

  function renderDate(e, ctx) {
    var c = document.createElement('input');
    c.className = 'lc-input lc-date';
    var kind = { date_picker: 'date', picker_time: 'time', picker_datetime: 'datetime' }[e.tag];
    c.type = kind === 'datetime' ? 'datetime-local' : kind;
    var init = e.initial_date || e.initial_time || e.initial_datetime || '';
    if (kind === 'datetime') init = init.replace(' ', 'T');
    c.value = init;
    c.placeholder = text(e.placeholder);
    var toggle = function () { c.classList.toggle('empty', c.value === ''); };
    c.addEventListener('change', toggle);
    toggle();
    return field(e, ctx, c, kind, init);
  }

  function renderChecker(e, ctx) {
    var c = document.createElement('input');
    c.type = 'checkbox';
    c.checked = !!e.checked;
    var wrap = field(e, ctx, c, 'checker', e.checked ? 'true' : 'false');
    var t = el('span', 'lc-checker-text');
    t.innerHTML = e.text && e.text.tag === 'lark_md' ? markdown(e.text.content, ctx) : esc(text(e.text));
    c.parentNode.insertBefore(t, c.nextSibling);
    wrap.classList.add('lc-checker');
    return wrap;
  }

  function renderButton(e, ctx) {
    var b = el('button', 'lc-btn t-' + (e.type || 'default') + ' s-' + (e.size || 'medium'));
    b.type = 'button';
    b.textContent = text(e.text);
    if (e.name) b.setAttribute('data-name', e.name);
    if (e.width === 'fill') b.classList.add('fill');
    else if (/px$/.test(e.width || '')) b.style.width = e.width;
    if (e.disabled) {
      b.disabled = true;
      if (e.disabled_tips) b.title = text(e.disabled_tips);
    } else if (e.hover_tips) {
      b.title = text(e.hover_tips);
    }
    var form = ctx.form || null;
    b.addEventListener('click', function () {
      if (!ctx.onAction) return;
      ctx.onAction({ name: e.name || e.element_id, element: e, form: form, formAction: form ? e.form_action_type : undefined,
        behaviors: e.behaviors || [], confirm: e.confirm, button: b });
    });
    return b;
  }

  function renderTable(e, ctx) {
    var wrap = el('div', 'lc-table-wrap');
    var cols = e.columns || [], rows = e.rows || [];
    var size = Math.min(Math.max(e.page_size || 5, 1), 10), page = 0;
    var pages = Math.max(1, Math.ceil(rows.length / size));
    var hs = e.header_style || {};
    var table = el('table', 'lc-table rh-' + (e.row_height || 'low'));
    var head = document.createElement('thead');
    var hr = document.createElement('tr');
    if (hs.background_style === 'grey') hr.className = 'grey';
    cols.forEach(function (c) {
      var th = document.createElement('th');
      th.textContent = c.display_name || '';
      if (hs.bold === false) th.style.fontWeight = 'normal';
      if (hs.text_align) th.style.textAlign = hs.text_align;
      if (hs.text_color === 'grey') th.style.color = FONT.grey;
      if (c.width && c.width !== 'auto') th.style.width = c.width;
      hr.appendChild(th);
    });
    head.appendChild(hr);
    table.appendChild(head);
    var body = document.createElement('tbody');
    table.appendChild(body);
    wrap.appendChild(table);
    var pager = el('div', 'lc-pager');
    function draw() {
      body.innerHTML = '';
      rows.slice(page * size, page * size + size).forEach(function (r) {
        var tr = document.createElement('tr');
        cols.forEach(function (c) {
          var td = document.createElement('td');
          cell(td, c, r[c.name], ctx);
          if (c.horizontal_align) td.style.textAlign = c.horizontal_align;
          if (c.vertical_align) td.style.verticalAlign = { top: 'top', center: 'middle', bottom: 'bottom' }[c.vertical_align];
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      pager.innerHTML = '';
      if (pages > 1) {
        var prev = el('button', 'lc-page', '‹'), next = el('button', 'lc-page', '›');
        prev.type = next.type = 'button';
        prev.disabled = page === 0;
        next.disabled = page === pages - 1;
        prev.onclick = function () { page--; draw(); };
        next.onclick = function () { page++; draw(); };
        pager.appendChild(prev);
        pager.appendChild(el('span', 'lc-page-no', (page + 1) + ' / ' + pages));
        pager.appendChild(next);
      }
    }
    draw();
    wrap.appendChild(pager);
    return wrap;
  }

  function cell(td, c, v, ctx) {
    if (v == null) return;
    switch (c.data_type) {
      case 'lark_md':
      case 'markdown':
        td.innerHTML = markdown(String(v), ctx);
        break;
      case 'number': {
        var f = c.format || {}, n = Number(v);
        var s = f.precision != null ? n.toFixed(f.precision) : String(n);
        if (f.separator) s = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
        td.textContent = (f.symbol || '') + s;
        td.style.textAlign = 'right';
        break;
      }
      case 'options':
        (Array.isArray(v) ? v : [{ text: v }]).forEach(function (o) {
          var t = TAG[o.color] || TAG.blue;
          var s = el('span', 'md-tag');
          s.style.background = t[0];
          s.style.color = t[1];
          s.textContent = o.text;
          td.appendChild(s);
        });
        break;
      case 'persons':
        (Array.isArray(v) ? v : [v]).forEach(function (id) { td.appendChild(renderPerson({ user_id: id }, ctx)); });
        break;
      case 'date': {
        var d = new Date(Number(v));
        td.textContent = isNaN(d) ? String(v) : formatDate(d, c.date_format);
        break;
      }
      default:
        td.textContent = typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
  }

  function formatDate(d, f) {
    var p = function (n) { return (n < 10 ? '0' : '') + n; };
    if (!f) return d.toISOString();
    return f.replace('YYYY', d.getFullYear()).replace('MM', p(d.getMonth() + 1)).replace('DD', p(d.getDate()))
      .replace('HH', p(d.getHours())).replace('mm', p(d.getMinutes())).replace('ss', p(d.getSeconds()));
  }

  function renderPanel(e, ctx) {
    var d = el('details', 'lc-panel');
    if (e.expanded) d.open = true;
    var s = document.createElement('summary');
    var h = e.header || {};
    s.innerHTML = h.title && h.title.tag === 'markdown' ? inline(h.title.content, ctx) : esc(text(h.title));
    d.appendChild(s);
    var body = el('div', 'lc-panel-body');
    renderElements(e.elements, ctx, body, px(e.vertical_spacing, 8));
    d.appendChild(body);
    return d;
  }

  function renderContainer(e, ctx) {
    var d = el('div', 'lc-container');
    renderElements(e.elements, ctx, d, px(e.vertical_spacing, 8));
    if (e.behaviors && ctx.onAction) {
      d.classList.add('clickable');
      d.addEventListener('click', function () { ctx.onAction({ name: e.name || e.element_id, element: e, behaviors: e.behaviors }); });
    }
    return d;
  }

  function renderPerson(e, ctx) {
    var id = e.user_id || e.id || '';
    var name = ctx.name ? ctx.name(id) : id;
    var s = el('span', 'lc-person');
    s.appendChild(avatar(name, id, 20));
    s.appendChild(document.createTextNode(name));
    return s;
  }

  // avatar draws a person's avatar as the client does without a photo:
  // the name's last two characters on a colour from the id.
  function avatar(name, id, size) {
    var a = el('span', 'avatar');
    var colors = ['#3370ff', '#2dbea6', '#ff8800', '#7f3bf5', '#f54a45', '#14c0ff', '#34c724', '#e62e8a'];
    var h = 0;
    String(id || name).split('').forEach(function (c) { h = (h * 31 + c.charCodeAt(0)) >>> 0; });
    a.style.background = colors[h % colors.length];
    a.style.width = a.style.height = size + 'px';
    a.style.fontSize = Math.round(size * 0.4) + 'px';
    var chars = Array.from(String(name || '?'));
    a.textContent = chars.slice(-2).join('');
    return a;
  }

  // ---- charts -----------------------------------------------------------

  var RATIO = { '1:1': 1, '2:1': 0.5, '4:3': 0.75, '16:9': 9 / 16 };

  function renderChart(e) {
    var spec = e.chart_spec || {};
    var box = el('div', 'lc-chart');
    var W = 560, H = Math.round(W * (RATIO[e.aspect_ratio] || 9 / 16));
    if (/px$/.test(e.height || '')) H = parseInt(e.height, 10);
    var title = spec.title && spec.title.text;
    if (title && spec.title.visible !== false) box.appendChild(el('div', 'lc-chart-title', esc(title)));
    var data = spec.data;
    if (Array.isArray(data)) data = data[0];
    var values = (data && data.values) || [];
    var svg;
    try {
      if (spec.type === 'pie') svg = pie(spec, values, W, H);
      else if (spec.type === 'bar' || spec.type === 'line' || spec.type === 'area') svg = cartesian(spec, values, W, H);
    } catch (err) { svg = null; }
    if (!svg) {
      var u = el('div', 'lc-unsupported');
      u.textContent = FALLBACK;
      box.appendChild(u);
      return box;
    }
    box.appendChild(svg.node);
    if (svg.legend.length > 1 && !(spec.legends && spec.legends.visible === false)) {
      var lg = el('div', 'lc-legend');
      svg.legend.forEach(function (x) {
        lg.appendChild(el('span', 'lc-legend-item', '<i style="background:' + x.color + '"></i>' + esc(x.name)));
      });
      box.appendChild(lg);
    }
    return box;
  }

  function svgEl(W, H) {
    var s = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    s.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    s.setAttribute('class', 'lc-svg');
    s.setAttribute('role', 'img');
    return s;
  }
  function add(parent, tag, attrs, textContent) {
    var n = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (textContent != null) n.textContent = textContent;
    parent.appendChild(n);
    return n;
  }
  function uniq(xs) {
    var seen = {}, out = [];
    xs.forEach(function (x) { if (!seen[x]) { seen[x] = true; out.push(x); } });
    return out;
  }
  function niceMax(v) {
    if (v <= 0) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v))), m = v / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  // cartesian draws bar (columns, or bars with direction horizontal,
  // grouped by an xField pair or seriesField, stacked with stack), line
  // and area charts with their axes, ticks and data labels.
  function cartesian(spec, values, W, H) {
    var horizontal = spec.direction === 'horizontal';
    var xf = spec.xField, yf = spec.yField;
    var catField = horizontal ? yf : xf, valField = horizontal ? xf : yf;
    var groupField = null;
    if (Array.isArray(catField)) { groupField = catField[1]; catField = catField[0]; }
    if (Array.isArray(valField)) valField = valField[0];
    var series = spec.seriesField || groupField;
    var cats = uniq(values.map(function (v) { return String(v[catField]); }));
    var names = series ? uniq(values.map(function (v) { return String(v[series]); })) : [String(valField)];
    var stack = !!spec.stack && spec.type === 'bar';
    var val = function (c, s) {
      var sum = 0;
      values.forEach(function (v) { if (String(v[catField]) === c && (!series || String(v[series]) === s)) sum += Number(v[valField]) || 0; });
      return sum;
    };
    var axis = (spec.axes || []).filter(function (a) { return a.orient === (horizontal ? 'bottom' : 'left'); })[0] || {};
    var maxV = 0;
    cats.forEach(function (c) {
      var t = 0;
      names.forEach(function (s) { var v = val(c, s); t = stack ? t + v : Math.max(t, v); });
      maxV = Math.max(maxV, t);
    });
    var lo = axis.min != null ? Number(axis.min) : 0;
    var hi = axis.max != null ? Number(axis.max) : niceMax(maxV);
    var svg = svgEl(W, H);
    var maxLabel = Math.max.apply(null, cats.map(function (c) { return Array.from(c).length; }).concat([2]));
    var left = horizontal ? Math.min(14 + maxLabel * 12, W * 0.35) : 40, right = 16, top = 16;
    var rotate = !horizontal && cats.length * maxLabel * 12 > (W - left - right);
    var bottom = horizontal ? 28 : (rotate ? 26 + Math.min(maxLabel, 8) * 8 : 28);
    var pw = W - left - right, ph = H - top - bottom;
    var scale = function (v) { return (Math.max(lo, Math.min(hi, v)) - lo) / (hi - lo || 1); };
    // grid and value ticks
    for (var k = 0; k <= 4; k++) {
      var tv = lo + (hi - lo) * k / 4, label = Math.round(tv * 100) / 100;
      if (horizontal) {
        var gx = left + pw * k / 4;
        add(svg, 'line', { x1: gx, y1: top, x2: gx, y2: top + ph, class: 'grid' });
        add(svg, 'text', { x: gx, y: H - 8, 'text-anchor': 'middle', class: 'tick' }, label);
      } else {
        var gy = top + ph - ph * k / 4;
        add(svg, 'line', { x1: left, y1: gy, x2: left + pw, y2: gy, class: 'grid' });
        add(svg, 'text', { x: left - 6, y: gy + 4, 'text-anchor': 'end', class: 'tick' }, label);
      }
    }
    var band = (horizontal ? ph : pw) / Math.max(cats.length, 1);
    var showLabels = spec.label && spec.label.visible;
    var legend = names.map(function (n, i) { return { name: n, color: PALETTE[i % PALETTE.length] }; });
    cats.forEach(function (c, ci) {
      var b0 = (horizontal ? top : left) + band * ci;
      // category label
      if (horizontal) {
        add(svg, 'text', { x: left - 6, y: b0 + band / 2 + 4, 'text-anchor': 'end', class: 'tick' }, c);
      } else if (rotate) {
        var tx = b0 + band / 2, ty = top + ph + 12;
        add(svg, 'text', { x: tx, y: ty, 'text-anchor': 'end', class: 'tick', transform: 'rotate(-40 ' + tx + ' ' + ty + ')' }, c);
      } else {
        add(svg, 'text', { x: b0 + band / 2, y: top + ph + 18, 'text-anchor': 'middle', class: 'tick' }, c);
      }
    });
    if (spec.type === 'bar') {
      var inner = band * 0.6, acc = {};
      cats.forEach(function (c, ci) {
        var b0 = (horizontal ? top : left) + band * ci + (band - inner) / 2;
        var w = stack ? inner : inner / names.length;
        names.forEach(function (s, si) {
          var v = val(c, s);
          var base = stack ? (acc[c] || 0) : 0;
          var a = scale(base), z = scale(base + v);
          if (stack) acc[c] = base + v;
          var off = stack ? 0 : si * w;
          var rect = horizontal
            ? { x: left + pw * a, y: b0 + off, width: Math.max(pw * (z - a), 0), height: w - 1 }
            : { x: b0 + off, y: top + ph - ph * z, width: w - 1, height: Math.max(ph * (z - a), 0) };
          rect.fill = legend[si].color;
          rect.rx = 2;
          var r = add(svg, 'rect', rect);
          add(r, 'title', {}, c + ' · ' + s + '：' + v);
          if (showLabels && v) {
            if (horizontal) add(svg, 'text', { x: rect.x + rect.width + 4, y: rect.y + rect.height / 2 + 4, class: 'value' }, v);
            else add(svg, 'text', { x: rect.x + rect.width / 2, y: rect.y - 4, 'text-anchor': 'middle', class: 'value' }, v);
          }
        });
      });
    } else {
      names.forEach(function (s, si) {
        var pts = cats.map(function (c, ci) { return [left + band * ci + band / 2, top + ph - ph * scale(val(c, s))]; });
        var d = pts.map(function (p, i) { return (i ? 'L' : 'M') + p[0] + ' ' + p[1]; }).join(' ');
        if (spec.type === 'area' && pts.length) {
          add(svg, 'path', { d: d + ' L' + pts[pts.length - 1][0] + ' ' + (top + ph) + ' L' + pts[0][0] + ' ' + (top + ph) + ' Z',
            fill: legend[si].color, 'fill-opacity': 0.2 });
        }
        add(svg, 'path', { d: d, fill: 'none', stroke: legend[si].color, 'stroke-width': 2 });
        pts.forEach(function (p, i) {
          add(svg, 'circle', { cx: p[0], cy: p[1], r: 3, fill: '#fff', stroke: legend[si].color, 'stroke-width': 2 });
          if (showLabels) add(svg, 'text', { x: p[0], y: p[1] - 8, 'text-anchor': 'middle', class: 'value' }, val(cats[i], s));
        });
      });
    }
    add(svg, 'line', horizontal ? { x1: left, y1: top, x2: left, y2: top + ph, class: 'axis' } : { x1: left, y1: top + ph, x2: left + pw, y2: top + ph, class: 'axis' });
    return { node: svg, legend: series ? legend : [] };
  }

  // pie draws a pie or, with innerRadius, a ring, with labels.
  function pie(spec, values, W, H) {
    var svg = svgEl(W, H);
    var cf = spec.categoryField, vf = spec.valueField;
    var total = values.reduce(function (s, v) { return s + (Number(v[vf]) || 0); }, 0) || 1;
    var R = Math.min(W, H) / 2 * (spec.outerRadius || 0.8), r = R * (spec.innerRadius || 0);
    var cx = W / 2, cy = H / 2, a = -Math.PI / 2;
    var legend = [];
    values.forEach(function (v, i) {
      var frac = (Number(v[vf]) || 0) / total, b = a + frac * 2 * Math.PI;
      var c = PALETTE[i % PALETTE.length];
      legend.push({ name: String(v[cf]), color: c });
      var large = b - a > Math.PI ? 1 : 0;
      var p = function (ang, rad) { return [cx + rad * Math.cos(ang), cy + rad * Math.sin(ang)]; };
      var o1 = p(a, R), o2 = p(b, R), i1 = p(b, r), i2 = p(a, r);
      var d = frac >= 0.9999
        ? 'M' + (cx - R) + ' ' + cy + ' a' + R + ' ' + R + ' 0 1 0 ' + 2 * R + ' 0 a' + R + ' ' + R + ' 0 1 0 ' + -2 * R + ' 0'
        : 'M' + o1[0] + ' ' + o1[1] + ' A' + R + ' ' + R + ' 0 ' + large + ' 1 ' + o2[0] + ' ' + o2[1] +
          (r > 0 ? ' L' + i1[0] + ' ' + i1[1] + ' A' + r + ' ' + r + ' 0 ' + large + ' 0 ' + i2[0] + ' ' + i2[1] : ' L' + cx + ' ' + cy) + ' Z';
      add(svg, 'path', { d: d, fill: c, stroke: '#fff', 'stroke-width': 1 });
      if (spec.label && spec.label.visible && frac > 0.03) {
        var m = p((a + b) / 2, R + 14);
        add(svg, 'text', { x: m[0], y: m[1], 'text-anchor': m[0] < cx ? 'end' : 'start', class: 'value' }, v[cf] + ' ' + Math.round(frac * 100) + '%');
      }
      a = b;
    });
    return { node: svg, legend: legend };
  }

  // ---- the card ---------------------------------------------------------

  // render draws card (an object or its JSON) and returns its element.
  // ctx: {onAction(action), name(id) → display name}.
  function render(card, ctx) {
    ctx = ctx || {};
    if (typeof card === 'string') {
      try { card = JSON.parse(card); } catch (err) { card = null; }
    }
    var root = el('div', 'lark-card');
    if (!card || typeof card !== 'object') {
      root.appendChild(el('div', 'lc-unsupported', FALLBACK));
      return root;
    }
    var cfg = card.config || {};
    root.classList.add('w-' + (cfg.width_mode || 'default'));
    var h = card.header;
    if (h && (text(h.title) || text(h.subtitle))) {
      var t = TEMPLATE[h.template] || TEMPLATE['default'];
      var head = el('div', 'lc-header');
      head.style.background = t[0];
      head.setAttribute('data-template', h.template || 'default');
      var row = el('div', 'lc-title-row');
      var title = el('div', 'lc-title');
      title.style.color = t[1];
      if (h.title && h.title.tag === 'lark_md') title.innerHTML = inline(text(h.title), ctx);
      else title.textContent = text(h.title) || text(h.subtitle);
      row.appendChild(title);
      (h.text_tag_list || []).slice(0, 3).forEach(function (tg) {
        var c = TAG[tg.color] || TAG.blue;
        var s = el('span', 'md-tag');
        s.style.background = c[0];
        s.style.color = c[1];
        s.textContent = text(tg.text);
        row.appendChild(s);
      });
      head.appendChild(row);
      if (text(h.title) && text(h.subtitle)) {
        var sub = el('div', 'lc-subtitle');
        sub.textContent = text(h.subtitle);
        head.appendChild(sub);
      }
      root.appendChild(head);
    }
    var body = el('div', 'lc-body');
    var b = card.body || {};
    if (b.padding) body.style.padding = String(b.padding).split(/\s+/).map(function (v) { return px(v, 0) + 'px'; }).join(' ');
    renderElements(b.elements || card.elements, ctx, body, px(b.vertical_spacing, 10));
    root.appendChild(body);
    return root;
  }

  function valueOf(c) {
    switch (c.getAttribute('data-kind')) {
      case 'checker': return c.checked;
      case 'multi': return Array.prototype.filter.call(c.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
      case 'date': return c.value ? c.value + ' +0800' : '';
      case 'datetime': return c.value ? c.value.replace('T', ' ') + ' +0800' : '';
      case 'time': return c.value ? c.value + ' +0800' : '';
      default: return c.value;
    }
  }

  function controls(form) {
    return Array.prototype.slice.call(form.querySelectorAll('[data-field]'));
  }

  // formValues is a form's form_value as the client submits it: every
  // field with a value, and a field emptied by the user as "" (a field
  // empty from the start is left out, as the simulator expects).
  function formValues(form) {
    var out = {};
    controls(form).forEach(function (c) {
      var name = c.getAttribute('data-field');
      if (!name) return;
      var v = valueOf(c);
      var empty = v === '' || (Array.isArray(v) && !v.length);
      if (empty && c.getAttribute('data-default') === '') return;
      out[name] = empty && !Array.isArray(v) ? '' : v;
    });
    return out;
  }

  // validate marks the required fields left empty, as the client does
  // before it submits, and reports whether the form may be sent.
  function validate(form) {
    var ok = true, first = null;
    controls(form).forEach(function (c) {
      var err = c.parentNode.querySelector('.lc-error');
      var v = valueOf(c);
      var bad = c.getAttribute('data-required') === '1' && (v === '' || v === false || (Array.isArray(v) && !v.length));
      c.classList.toggle('invalid', bad);
      if (err) err.textContent = bad ? '请填写此项' : '';
      if (bad) { ok = false; first = first || c; }
    });
    if (first) first.focus();
    return ok;
  }

  // reset puts every field of a form back to its initial value (a button
  // with form_action_type reset).
  function reset(form) {
    controls(form).forEach(function (c) {
      var d = c.getAttribute('data-default');
      var kind = c.getAttribute('data-kind');
      if (kind === 'checker') c.checked = d === 'true';
      else if (kind === 'multi') Array.prototype.forEach.call(c.options, function (o) { o.selected = d.split(',').indexOf(o.value) >= 0; });
      else c.value = kind === 'datetime' ? d.replace(' ', 'T') : d;
      c.classList.remove('invalid');
      c.dispatchEvent(new Event('change'));
      var err = c.parentNode.querySelector('.lc-error');
      if (err) err.textContent = '';
    });
  }

  // summary is what the chat list shows for a card: config.summary, else
  // the title.
  function summary(card) {
    if (typeof card === 'string') { try { card = JSON.parse(card); } catch (e) { return '[卡片]'; } }
    if (!card) return '[卡片]';
    var s = card.config && card.config.summary && card.config.summary.content;
    return s || (card.header && text(card.header.title)) || '[卡片]';
  }

  window.LarkCard = { render: render, markdown: markdown, formValues: formValues, validate: validate, reset: reset,
    summary: summary, avatar: avatar, title: function (c) { return c && c.header ? text(c.header.title) : ''; } };
})();
