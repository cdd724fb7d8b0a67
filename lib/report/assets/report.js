(function () {
'use strict';
var PAGE = 100;
var PROV = ['domain', 'relative_path', 'source_sha256', 'source_table', 'source_rowid'];
var KEY_RE = /^[A-Za-z0-9_-]+$/;
var MEMBER_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;
var tables = {};

function mk(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls)
    e.className = cls;
  if (text !== undefined && text !== null)
    e.textContent = String(text);
  return e;
}
function num(n) {
  return n.toLocaleString('en-US');
}
function timeKey(s) {
  var m = /^(-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(s);
  return m ? m[1] + ((m[2] || '.') + '000000000').slice(0, 10) : s;
}
function sortKey(v, type) {
  if (v === null || v === undefined)
    return null;
  if (type === 'int' || type === 'real' || type === 'bool')
    return typeof v === 'number' ? v : Number(v);
  if (type === 'time')
    return timeKey(String(v));
  return String(v).toLowerCase();
}
function shown(v, type) {
  if (type === 'bool')
    return v ? 'yes' : 'no';
  return String(v);
}
function button(label, title, fn) {
  var b = mk('button', 'dt-btn', label);
  b.type = 'button';
  b.title = title;
  b.addEventListener('click', fn);
  return b;
}

function init(sec) {
  var key = sec.getAttribute('data-table'), blk = document.getElementById('data-' + key);
  var t = {key: key, sec: sec, q: '', sort: -1, dir: 1, page: 1, row: null,
    hay: null, keys: {}, view: null, dirty: true, pi: {}, show: []};
  try {
    t.d = JSON.parse(blk.textContent);
  } catch (e) {
    sec.appendChild(mk('p', 'dt-error', 'The rows of this table could not be read: ' + e));
    return;
  }
  blk.textContent = ''; /* parsed: the text need not stay in memory twice */
  t.d.columns.forEach(function (c, i) {
    if (PROV.indexOf(c) >= 0)
      t.pi[c] = i;
    else
      t.show.push(i);
  });
  t.hasProv = Object.keys(t.pi).length > 0;
  t.rid = t.d.columns.indexOf('row_id');
  t.link = t.d.rowlink ? t.d.columns.indexOf(t.d.rowlink) : -1;
  build(t);
  tables[key] = t;
  var exp = sec.getAttribute('data-expected');
  if (exp !== null && exp !== '' && Number(exp) !== t.d.rows.length)
    t.warn.textContent = 'The report counts ' + num(Number(exp)) +
      ' rows here, the data holds ' + num(t.d.rows.length) + '.';
  apply(t, false);
}

function controls(t) {
  var c = mk('div', 'dt-controls'), timer = null;
  t.qin = mk('input', 'dt-q');
  t.qin.type = 'search';
  t.qin.placeholder = 'Filter rows';
  t.qin.setAttribute('aria-label', 'Filter the rows of ' + t.key);
  t.qin.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      set(t, {q: t.qin.value, row: null, page: 1});
    }, 200);
  });
  t.pin = mk('input', 'dt-page');
  t.pin.type = 'number';
  t.pin.min = '1';
  t.pin.setAttribute('aria-label', 'Page');
  t.pin.addEventListener('change', function () {
    set(t, {page: parseInt(t.pin.value, 10) || 1});
  });
  t.pages = mk('span', 'dt-pages');
  t.info = mk('span', 'dt-info');
  t.clear = button('show all rows', 'Clear the filter', function () {
    t.qin.value = '';
    set(t, {q: '', row: null, page: 1});
  });
  c.append(t.qin,
    button('\u00ab', 'First page', function () { set(t, {page: 1}); }),
    button('\u2039', 'Previous page', function () { set(t, {page: t.page - 1}); }),
    mk('span', 'dt-pl', 'page'), t.pin, t.pages,
    button('\u203a', 'Next page', function () { set(t, {page: t.page + 1}); }),
    button('\u00bb', 'Last page', function () { set(t, {page: 1e9}); }),
    t.info, t.clear);
  return c;
}

function build(t) {
  var wrap = mk('div', 'dt-wrap'), tab = mk('table', 'dt'), thead = mk('thead');
  var head = mk('tr');
  t.show.forEach(function (ci) {
    var th = mk('th', 'sortable', t.d.columns[ci]);
    th.setAttribute('data-col', t.d.columns[ci]);
    th.title = 'Sort by ' + t.d.columns[ci] + ' (click again to reverse)';
    th.addEventListener('click', function () {
      set(t, {sort: ci, dir: t.sort === ci ? -t.dir : 1, page: 1});
    });
    head.appendChild(th);
  });
  if (t.hasProv)
    head.appendChild(mk('th', 'prov', 'provenance'));
  t.ths = head.children;
  thead.appendChild(head);
  t.body = mk('tbody');
  tab.append(thead, t.body);
  wrap.appendChild(tab);
  t.warn = mk('p', 'dt-warn');
  t.sec.append(controls(t), t.warn, wrap);
}

function set(t, s) {
  if ('q' in s || 'row' in s || 'sort' in s || 'dir' in s)
    t.dirty = true;
  Object.keys(s).forEach(function (k) { t[k] = s[k]; });
  apply(t, true);
}

function filter(t) {
  var rows = t.d.rows, v = [], i, q = t.q.toLowerCase();
  if (t.row !== null && t.rid >= 0) {
    for (i = 0; i < rows.length; i++)
      if (String(rows[i][t.rid]) === t.row)
        v.push(i);
    return v;
  }
  if (!q)
    return null;
  if (!t.hay)
    t.hay = rows.map(function (r) {
      return r.map(function (x) { return x === null ? '' : String(x); })
        .join('\u0001').toLowerCase();
    });
  for (i = 0; i < rows.length; i++)
    if (t.hay[i].indexOf(q) >= 0)
      v.push(i);
  return v;
}

function compute(t) {
  var v = filter(t), rows = t.d.rows, i, col = t.sort, dir = t.dir, k;
  if (col >= 0) {
    if (!t.keys[col])
      t.keys[col] = rows.map(function (r) { return sortKey(r[col], t.d.types[col]); });
    k = t.keys[col];
    if (!v)
      for (v = new Array(rows.length), i = 0; i < rows.length; i++)
        v[i] = i;
    v.sort(function (a, b) {
      var x = k[a], y = k[b];
      if (x === y)
        return a - b;
      if (x === null)
        return 1;
      if (y === null)
        return -1;
      return (x < y ? -1 : 1) * dir;
    });
  }
  t.view = v;
  t.dirty = false;
}

function provCell(t, r) {
  var p = t.pi, td = mk('td', 'prov'), g = function (c) { return c in p ? r[p[c]] : null; };
  var dom = g('domain'), rel = g('relative_path'), sha = g('source_sha256');
  var tab = g('source_table'), rowid = g('source_rowid');
  var loc = (dom ? dom + '/' : '') + (rel === null ? '' : rel);
  var where = tab === null ? '' : tab + (rowid === null ? '' : ' #' + rowid);
  td.appendChild(mk('span', 'p-path', loc));
  if (where)
    td.appendChild(mk('span', 'p-tab', where));
  if (sha)
    td.appendChild(mk('code', 'hash', sha));
  td.title = 'source file: ' + loc + (dom === '' ? ' (backup root)' : '') +
    '\nSHA-256: ' + (sha || 'unknown') + (where ? '\nsource: ' + where : '');
  return td;
}

function cell(t, r, ci) {
  var v = r[ci], type = t.d.types[ci], td = mk('td', 't-' + type), a, target;
  if (v === null || v === undefined) {
    td.className += ' null';
    return td;
  }
  if (ci === t.rid && t.link >= 0 && KEY_RE.test(String(r[t.link]))) {
    target = String(r[t.link]);
    if (document.getElementById('data-' + target)) {
      a = mk('a', null, String(v));
      a.href = '#' + target + ':row=' + encodeURIComponent(String(v));
      a.title = 'Show row ' + v + ' of ' + target;
      td.appendChild(a);
      return td;
    }
  }
  if (type === 'member' && MEMBER_RE.test(String(v)) && String(v).indexOf('..') < 0) {
    a = mk('a', null, String(v));
    a.href = String(v);
    td.appendChild(a);
    return td;
  }
  if (type === 'text')
    td.appendChild(mk('span', 'v', v));
  else
    td.textContent = shown(v, type);
  return td;
}

function rowEl(t, r) {
  var tr = mk('tr');
  if (t.rid >= 0)
    tr.setAttribute('data-row-id', r[t.rid]);
  t.show.forEach(function (ci) { tr.appendChild(cell(t, r, ci)); });
  if (t.hasProv)
    tr.appendChild(provCell(t, r));
  return tr;
}

function render(t) {
  var rows = t.d.rows, n = t.view ? t.view.length : rows.length, i, tr, td;
  var pages = Math.max(1, Math.ceil(n / PAGE)), frag = document.createDocumentFragment();
  t.page = Math.min(Math.max(1, t.page), pages);
  var start = (t.page - 1) * PAGE, end = Math.min(n, start + PAGE);
  for (i = start; i < end; i++)
    frag.appendChild(rowEl(t, rows[t.view ? t.view[i] : i]));
  if (!n) {
    tr = mk('tr');
    td = mk('td', 'dt-empty', t.view ? 'No row matches.' : 'No rows.');
    td.colSpan = t.ths.length;
    tr.appendChild(td);
    frag.appendChild(tr);
  }
  t.body.textContent = '';
  t.body.appendChild(frag);
  t.pin.value = String(t.page);
  t.pin.max = String(pages);
  t.pages.textContent = 'of ' + num(pages);
  var info = n ? 'rows ' + num(start + 1) + '\u2013' + num(end) + ' of ' + num(n) : '0 rows';
  if (t.view)
    info += ' (filtered from ' + num(rows.length) +
      (t.row !== null ? ', row_id ' + t.row : '') + ')';
  t.info.textContent = info;
  t.clear.hidden = !t.view;
  t.sec.setAttribute('data-page', String(t.page));
  t.sec.setAttribute('data-pages', String(pages));
  t.sec.setAttribute('data-shown', String(n));
  t.sec.setAttribute('data-total', String(rows.length));
  t.show.forEach(function (ci, j) {
    t.ths[j].setAttribute('aria-sort',
      ci !== t.sort ? 'none' : t.dir < 0 ? 'descending' : 'ascending');
  });
}

function writeHash(t) {
  var s = encodeURIComponent(t.key) + ':page=' + t.page;
  if (t.q)
    s += '&q=' + encodeURIComponent(t.q);
  if (t.row !== null)
    s += '&row=' + encodeURIComponent(t.row);
  if (t.sort >= 0)
    s += '&sort=' + encodeURIComponent(t.d.columns[t.sort]) +
      '&dir=' + (t.dir < 0 ? 'desc' : 'asc');
  try {
    history.replaceState(null, '', '#' + s);
  } catch (e) {
    /* some browsers refuse history changes on file: pages */
  }
}

function apply(t, write) {
  if (t.dirty)
    compute(t);
  render(t);
  if (write)
    writeHash(t);
}

function readHash() {
  var h = location.hash.slice(1), i = h.indexOf(':'), t, s;
  if (i < 0)
    return;
  try {
    t = tables[decodeURIComponent(h.slice(0, i))];
  } catch (e) {
    return;
  }
  if (!t)
    return;
  s = {q: '', row: null, page: 1, sort: -1, dir: 1};
  h.slice(i + 1).split('&').forEach(function (kv) {
    var j = kv.indexOf('='), k = kv.slice(0, j), v;
    if (j < 0)
      return;
    try {
      v = decodeURIComponent(kv.slice(j + 1));
    } catch (e) {
      return;
    }
    if (k === 'q' || k === 'row')
      s[k] = v;
    else if (k === 'page')
      s.page = parseInt(v, 10) || 1;
    else if (k === 'sort' && t.show.indexOf(t.d.columns.indexOf(v)) >= 0)
      s.sort = t.d.columns.indexOf(v);
    else if (k === 'dir')
      s.dir = v === 'desc' ? -1 : 1;
  });
  t.qin.value = s.q;
  t.dirty = true;
  Object.keys(s).forEach(function (k) { t[k] = s[k]; });
  apply(t, false);
  t.sec.scrollIntoView();
}

var t0 = performance.now();
document.documentElement.className += ' js';
Array.prototype.forEach.call(document.querySelectorAll('.datatable[data-table]'), init);
readHash();
window.addEventListener('hashchange', readHash);
document.documentElement.setAttribute('data-render-ms', String(Math.round(performance.now() - t0)));
}());
