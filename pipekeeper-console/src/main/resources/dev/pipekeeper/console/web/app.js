// The Pipekeeper console page: reads the REST API once, then follows /api/v1/events and reads
// again only the view an event is about. No framework, no build: plain DOM, uPlot for sparklines.
'use strict';
(function () {
  const PAGE = 50;            // members per page
  const POINTS = 90;          // sparkline points kept per group
  const TOKEN_KEY = 'pipekeeper.operatorToken';
  const $ = (id) => document.getElementById(id);
  const S = {
    cluster: null, writable: false, groups: [], members: {}, scopes: {}, leaders: [],
    assignments: {}, health: {}, applied: {}, audit: null, auditEvents: [], series: {}, alerts: [], history: [], config: null,
    scope: 'global', selected: null, keyHistory: null, page: 0, charts: {}, loaded: false,
  };

  // ---- small helpers ----
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const lower = (s) => String(s || '').toLowerCase();
  function ago(iso) {
    if (!iso) return '';
    const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (isNaN(s)) return '';
    if (s < 60) return s + 's ago';
    if (s < 3600) return Math.round(s / 60) + 'm ago';
    if (s < 86400) return Math.round(s / 3600) + 'h ago';
    return Math.round(s / 86400) + 'd ago';
  }
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');
  const json = (v) => (v === null || v === undefined ? '(none)' : JSON.stringify(v));
  const pretty = (v) => (v === null || v === undefined ? '' : JSON.stringify(v, null, 2));
  const base = () => '/api/v1/clusters/' + encodeURIComponent(S.cluster);
  const q = (scope) => '?scope=' + encodeURIComponent(scope);
  const debounced = {};
  function soon(name, fn, ms) {
    clearTimeout(debounced[name]);
    debounced[name] = setTimeout(fn, ms === undefined ? 120 : ms);
  }

  async function api(path, options) {
    const response = await fetch(path, options);
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const err = new Error((body && body.message) || response.status + ' ' + response.statusText);
      err.status = response.status; err.kind = body && body.error;
      throw err;
    }
    return body;
  }
  function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }
  function write(method, path, body) {
    const headers = { 'Content-Type': 'application/json' };
    if (token()) headers.Authorization = 'Bearer ' + token();
    return api(path, { method, headers, body: JSON.stringify(body), credentials: 'omit' });
  }
  let noticeTimer;
  function notice(text, bad) {
    const n = $('notice');
    n.textContent = text; n.className = 'notice' + (bad ? ' bad' : ''); n.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { n.hidden = true; }, bad ? 9000 : 4000);
  }
  function quietly(p) { return p.catch((e) => console.warn(e)); }

  // ---- loading ----
  async function loadAll() {
    const health = await api('/api/v1/health');
    S.cluster = health.cluster; S.writable = health.writable;
    $('cluster-name').textContent = S.cluster;
    const mode = $('mode');
    mode.textContent = S.writable ? 'changes need a token' : 'read-only';
    mode.className = 'badge' + (S.writable ? ' writable' : '');
    setConnection(health.connected ? 'live' : 'down', health.zookeeper);
    S.audit = health.audit || null;
    await Promise.all([loadScopes(), loadGroups(), loadLeaders(), loadAssignments(),
      loadHealth(), loadAlerts(), quietly(loadAudit())]);
    await loadConfig();
    S.loaded = true;
  }
  async function loadGroups() {
    S.groups = await api(base() + '/groups');
    const select = $('members-group');
    const chosen = select.value;
    select.replaceChildren(h('option', { value: '' }, 'all groups'),
      ...S.groups.map((g) => h('option', { value: g }, g)));
    select.value = S.groups.includes(chosen) ? chosen : '';
    await Promise.all(S.groups.map(loadMembers));
  }
  function patchMember(group, member, gone) {
    const list = S.members[group];
    if (!list || !member) { soon('members:' + group, () => quietly(loadMembers(group))); return; }
    const i = list.findIndex((m) => m.id === member.id);
    if (gone) {
      if (i >= 0) list.splice(i, 1);
    } else {
      const applied = i >= 0 ? list[i].appliedConfig : (S.applied[member.id] || null);
      const entry = Object.assign({}, member, { appliedConfig: applied });
      if (i >= 0) list[i] = entry;
      else list.splice(sortedIndex(list, member.id), 0, entry);
    }
    soon('members', renderMembers, 30);
  }
  function sortedIndex(list, id) {
    let i = 0;
    while (i < list.length && list[i].id < id) i++;
    return i;
  }
  async function loadMembers(group) {
    try {
      S.members[group] = (await api(base() + '/groups/' + encodeURIComponent(group) + '/members')).members;
    } catch (e) {
      if (e.status === 404) delete S.members[group]; else throw e;
    }
    soon('members', renderMembers, 30);
  }
  async function loadScopes() {
    const scopes = await api(base() + '/config/scopes');
    S.scopes = {};
    for (const s of scopes) S.scopes[s.scope] = s.version;
    if (!S.scopes.global) S.scopes.global = S.scopes.global || 0;
    const select = $('config-scope');
    select.replaceChildren(...Object.keys(S.scopes).sort().map((s) => h('option', { value: s }, s)));
    select.value = S.scope;
    soon('members', renderMembers, 30);
  }
  async function loadLeaders() { S.leaders = await api(base() + '/leaders'); renderLeaders(); }
  async function loadAssignments() {
    S.assignments = {};
    for (const a of await api(base() + '/assignments')) S.assignments[a.group] = a;
    renderAssignments();
  }
  async function loadHealth() {
    const byGroup = await api(base() + '/health');
    for (const [group, reports] of Object.entries(byGroup)) addHealth(group, reports);
    renderHealth();
  }
  async function loadAlerts() {
    const [live, history] = await Promise.all([api(base() + '/alerts'),
      api(base() + '/alerts/history?limit=100')]);
    S.alerts = live; S.history = history; renderAlerts();
  }
  // The audit feed, if this console has one: the last hour's events, then each as it comes.
  const AUDIT_KEPT = 200;
  async function loadAudit() {
    $('audit-card').hidden = !S.audit;
    if (!S.audit) return;
    $('audit-source').textContent = 'from ' + S.audit + ', live';
    const page = await api(base() + '/audit?since=1h&limit=1000');
    S.auditEvents = page.events.slice(-AUDIT_KEPT);
    renderAudit();
  }
  function renderAudit() {
    const fields = (e) => Object.entries(e).filter(([k]) => !['type', 'cluster', 'subject', 'time'].includes(k))
      .map(([k, v]) => k + '=' + (typeof v === 'string' ? v : JSON.stringify(v))).join(' ');
    const items = S.auditEvents.slice().reverse().map((e) => h('li', { dataset: { type: e.type || '' } },
      h('span', { class: 'muted' }, time(e.time)), ' ', h('strong', {}, e.type || '?'), ' ',
      h('span', { class: 'mono' }, e.subject || ''), ' ', h('span', { class: 'muted' }, fields(e))));
    $('audit-events').replaceChildren(...(items.length ? items : [h('li', { class: 'empty' }, 'No audit event in the last hour.')]));
  }
  async function loadConfig() {
    S.config = await api(base() + '/config' + q(S.scope));
    renderConfig();
    if (S.selected) await loadKey(S.selected.key, false);
  }

  // ---- members ----
  function memberDrift(m) {
    const applied = m.appliedConfig && m.appliedConfig.versions;
    if (!applied) return [];
    const rank = (scope) => (scope === 'global' ? 0 : scope.startsWith('pipeline/') ? 1 : 2);
    return Object.entries(applied).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)).map(([scope, v]) => ({
      scope, version: v, current: S.scopes[scope], behind: S.scopes[scope] !== undefined && v < S.scopes[scope],
    }));
  }
  function allMembers() {
    const chosen = $('members-group').value;
    const out = [];
    for (const [group, members] of Object.entries(S.members)) {
      if (chosen && group !== chosen) continue;
      for (const m of members) out.push(Object.assign({ groupName: group }, m));
    }
    return out.sort((a, b) => (a.groupName + a.id).localeCompare(b.groupName + b.id));
  }
  function renderMembers() {
    const filter = lower($('members-filter').value).trim();
    const driftOnly = $('members-drift-only').checked;
    const every = allMembers();
    let drifted = 0;
    const rows = [];
    for (const m of every) {
      const drift = memberDrift(m);
      const behind = drift.some((d) => d.behind);
      if (behind) drifted++;
      if (driftOnly && !behind) continue;
      if (filter) {
        const text = lower([m.id, m.groupName, m.state, m.host, m.version,
          ...Object.entries(m.tags || {}).map(([k, v]) => k + '=' + v)].join(' '));
        if (!text.includes(filter)) continue;
      }
      rows.push({ m, drift, behind });
    }
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    S.page = Math.min(S.page, pages - 1);
    const shown = rows.slice(S.page * PAGE, S.page * PAGE + PAGE);
    $('members-table').tBodies[0].replaceChildren(...(shown.length ? shown.map(({ m, drift, behind }) =>
      h('tr', { class: behind ? 'drift' : null, dataset: { member: m.id, group: m.groupName } },
        h('td', { class: 'mono' }, m.id),
        h('td', {}, m.groupName),
        h('td', {}, h('span', { class: 'badge ' + lower(m.state) }, lower(m.state))),
        h('td', { class: 'mono' }, m.host || ''),
        h('td', {}, m.capacity),
        h('td', { class: 'config-versions' }, drift.length ? drift.map((d) =>
          h('span', { class: 'ver' + (d.behind ? ' behind' : ''),
            title: d.behind ? 'runs ' + d.scope + ' v' + d.version + ', latest is v' + d.current : 'up to date' },
          d.scope + ' v' + d.version + (d.behind ? ' < v' + d.current : ''))) : h('span', { class: 'muted' }, 'none')),
        h('td', {}, Object.entries(m.tags || {}).map(([k, v]) => h('span', { class: 'tag' }, k + '=' + v))),
        h('td', { class: 'muted', title: m.startedAt || '' }, ago(m.startedAt))))
      : [h('tr', {}, h('td', { colspan: 8, class: 'empty' }, every.length ? 'No member matches.' : 'No members.'))]));
    $('members-page').textContent = rows.length
      ? (S.page * PAGE + 1) + '–' + (S.page * PAGE + shown.length) + ' of ' + rows.length
        + (rows.length !== every.length ? ' (' + every.length + ' in all)' : '') : '0';
    $('members-prev').disabled = S.page === 0;
    $('members-next').disabled = S.page >= pages - 1;
    $('tile-groups').textContent = S.groups.length;
    $('tile-members').textContent = Object.values(S.members).reduce((n, ms) => n + ms.length, 0);
    const tile = $('tile-drift');
    tile.textContent = drifted ? drifted + ' behind' : 'none';
    tile.className = 'tile-value ' + (drifted ? 'warn' : 'ok');
  }

  // ---- leaders and assignments ----
  function renderLeaders() {
    const rows = S.leaders.map((r) => h('tr', { dataset: { role: r.role } },
      h('td', { class: 'mono' }, r.role),
      h('td', { class: 'mono leader' }, r.leader || h('span', { class: 'badge warn' }, 'none')),
      h('td', { class: 'epoch' }, r.problem ? h('span', { class: 'badge warn', title: r.problem }, 'unreadable') : r.epoch),
      h('td', { class: 'muted', title: r.leaderSince || '' }, ago(r.leaderSince)),
      h('td', { class: 'muted' }, (r.contenders || []).length)));
    $('leaders-table').tBodies[0].replaceChildren(...(rows.length ? rows
      : [h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No roles.'))]));
    $('tile-leaders').textContent = S.leaders.filter((r) => r.leader).length + ' / ' + S.leaders.length;
  }
  function renderAssignments() {
    const filter = lower($('units-filter').value).trim();
    const blocks = [];
    let moves = 0;
    for (const a of Object.values(S.assignments).sort((x, y) => x.group.localeCompare(y.group))) {
      const pending = new Map((a.pendingMoves || []).map((m) => [m.unit, m]));
      moves += pending.size;
      const units = Object.keys(Object.assign({}, a.assigned, a.owners)).concat(a.unassigned || [])
        .filter((u, i, all) => all.indexOf(u) === i).sort();
      const shown = units.filter((u) => !filter || lower(u + ' ' + (a.assigned[u] || '') + ' ' + (a.owners[u] || '')).includes(filter));
      blocks.push(h('div', { class: 'group-block', dataset: { group: a.group } },
        h('div', { class: 'group-title' }, h('strong', {}, a.group),
          a.generation === null ? h('span', { class: 'badge warn' }, 'no assignment yet')
            : h('span', { class: 'muted' }, 'generation ' + a.generation + ' · epoch ' + a.epoch + ' · by ' + a.leader),
          pending.size ? h('span', { class: 'badge warn' }, pending.size + ' moving') : h('span', { class: 'badge ok' }, 'settled'),
          (a.unassigned || []).length ? h('span', { class: 'badge bad' }, a.unassigned.length + ' unassigned') : null,
          (a.drained || []).length ? h('span', { class: 'badge draining' }, 'drained: ' + a.drained.join(', ')) : null),
        h('div', { class: 'units' }, shown.slice(0, 500).map((u) => {
          const move = pending.get(u);
          return h('div', { class: 'unit' + (move ? ' moving' : ''), dataset: { unit: u } },
            h('span', { class: 'mono' }, u),
            h('span', { class: 'owner', title: move ? 'moving' : '' }, move
              ? (move.from || '–') + ' → ' + (move.to || '–') : (a.owners[u] || a.assigned[u] || 'unassigned')));
        }), shown.length > 500 ? h('div', { class: 'muted' }, (shown.length - 500) + ' more: filter to see them') : null)));
    }
    $('assignments').replaceChildren(...(blocks.length ? blocks : [h('div', { class: 'empty' }, 'No work units.')]));
    $('tile-moves').textContent = moves;
  }

  // ---- health sparklines ----
  function addHealth(group, reports) {
    S.health[group] = reports;
    const at = Math.max(...reports.map((r) => Date.parse(r.at) || 0), 0) / 1000;
    if (!at) return;
    const s = S.series[group] || (S.series[group] = [[], [], []]);
    if (s[0].length && s[0][s[0].length - 1] >= at) return;
    const rate = reports.reduce((n, r) => n + (r.recordsInPerSecond || 0), 0);
    const lag = reports.reduce((n, r) => n + Object.values(r.lag || {}).reduce((x, y) => x + y, 0), 0);
    s[0].push(at); s[1].push(rate); s[2].push(lag);
    if (s[0].length > POINTS) s.forEach((a) => a.shift());
  }
  function spark(el, xs, ys, color) {
    const opts = { width: Math.max(120, el.clientWidth || 220), height: 38, legend: { show: false },
      cursor: { show: false }, select: { show: false }, scales: { x: { time: false } },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: color, width: 1.5, fill: color + '22', points: { show: false } }] };
    if (typeof uPlot === 'undefined') return null;
    return new uPlot(opts, [xs, ys], el);
  }
  function renderHealth() {
    const box = $('health');
    const groups = Object.keys(S.health).sort();
    if (!groups.length) { box.replaceChildren(h('div', { class: 'empty' }, 'No health records.')); return; }
    for (const group of groups) {
      const s = S.series[group] || [[], [], []];
      let row = box.querySelector('[data-group="' + CSS.escape(group) + '"]');
      if (!row) {
        if (box.querySelector('.empty')) box.replaceChildren();
        row = h('div', { class: 'spark-row', dataset: { group } },
          h('div', {}, h('strong', {}, group), h('div', { class: 'muted members' })),
          h('div', {}, h('div', { class: 'spark-label' }, 'records in/s ', h('span', { class: 'spark-value rate' })), h('div', { class: 'chart rate-chart' })),
          h('div', {}, h('div', { class: 'spark-label' }, 'lag ', h('span', { class: 'spark-value lag' })), h('div', { class: 'chart lag-chart' })));
        box.append(row);
      }
      const reports = S.health[group];
      row.querySelector('.members').textContent = reports.length + ' reporting';
      row.querySelector('.rate').textContent = s[1].length ? s[1][s[1].length - 1].toFixed(1) : '–';
      row.querySelector('.lag').textContent = s[2].length ? s[2][s[2].length - 1] : '–';
      const charts = S.charts[group] || (S.charts[group] = {});
      for (const [key, idx, color] of [['rate', 1, '#2f6fed'], ['lag', 2, '#d98b00']]) {
        if (charts[key]) charts[key].setData([s[0], s[idx]]);
        else if (s[0].length) charts[key] = spark(row.querySelector('.' + key + '-chart'), s[0], s[idx], color);
      }
    }
  }

  // ---- alerts ----
  function renderAlerts() {
    // The monitor keeps resolved alerts for a while; they belong to the timeline, not here.
    const live = S.alerts.filter((a) => lower(a.state) !== 'resolved').map((a) => h('div', { class: 'unit', dataset: { alert: a.key } },
      h('span', {}, h('span', { class: 'badge ' + lower(a.state) }, lower(a.state)), ' ',
        h('span', { class: 'badge ' + lower(a.severity) }, lower(a.severity)), ' ', a.summary || a.rule),
      h('span', { class: 'muted' }, ago(a.firedAt || a.pendingSince))));
    $('alerts-live').replaceChildren(...(live.length ? live : [h('div', { class: 'empty' }, 'Nothing firing.')]));
    const when = (a) => a.resolvedAt || a.firedAt || a.pendingSince;
    const items = S.history.slice().sort((x, y) => Date.parse(when(y)) - Date.parse(when(x))).slice(0, 60)
      .map((a) => h('li', { class: lower(a.state) }, h('span', { class: 'muted' }, time(when(a))), ' ',
        h('strong', {}, lower(a.state)), ' ', a.summary || a.rule));
    $('alerts-timeline').replaceChildren(...(items.length ? items : [h('li', { class: 'empty' }, 'No alert has fired.')]));
    const firing = S.alerts.filter((a) => lower(a.state) === 'firing').length;
    const tile = $('tile-alerts');
    tile.textContent = firing; tile.className = 'tile-value ' + (firing ? 'bad' : 'ok');
  }

  // ---- configuration ----
  function renderConfig() {
    const filter = lower($('config-filter').value).trim();
    const entries = (S.config ? S.config.entries : []).filter((e) => !filter || lower(e.key).includes(filter));
    $('config-table').tBodies[0].replaceChildren(...(entries.length ? entries.map((e) =>
      h('tr', { class: 'clickable' + (S.selected && S.selected.key === e.key ? ' selected' : ''),
        dataset: { key: e.key }, onclick: () => quietly(loadKey(e.key, true)) },
      h('td', { class: 'mono' }, e.key, e.secret ? h('span', { class: 'badge warn', style: 'margin-left:6px' }, 'secret') : null),
      h('td', { class: 'mono' }, h('span', { class: 'value', title: json(e.value) }, json(e.value))),
      h('td', { class: 'version' }, e.version),
      h('td', { class: 'muted', title: e.modifiedAt || '' }, ago(e.modifiedAt))))
      : [h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'No keys in ' + S.scope + '.'))]));
  }
  async function loadKey(key, fresh) {
    const entry = (S.config.entries || []).find((e) => e.key === key);
    let history = { entries: [], secret: false };
    try {
      history = await api(base() + '/config/keys/' + encodeURIComponent(key) + '/history' + q(S.scope));
    } catch (e) { if (e.status !== 404) throw e; }
    const changedElsewhere = !fresh && S.selected && entry && S.selected.version !== entry.version;
    S.selected = { key, version: entry ? entry.version : null, value: entry ? entry.value : null,
      secret: entry ? entry.secret : history.secret };
    S.keyHistory = history;
    $('editor-empty').hidden = true; $('editor-body').hidden = false;
    $('editor-key').textContent = S.scope + ' ' + key;
    $('editor-version').textContent = entry ? 'version ' + entry.version : 'new key';
    if (fresh || changedElsewhere) {
      $('editor-value').value = S.selected.secret ? '' : pretty(S.selected.value);
      $('editor-value').placeholder = S.selected.secret ? 'secret: the value is not shown; type a new one' : 'a JSON value, e.g. 0.9, true, "text"';
      $('editor-diff-view').hidden = true;
      if (fresh) $('editor-result').hidden = true;
    }
    if (changedElsewhere) result('Changed elsewhere: now at version ' + entry.version + '.', false);
    renderHistory();
    renderConfig();
  }
  function renderHistory() {
    const entries = (S.keyHistory.entries || []).slice().reverse();
    $('history-table').tBodies[0].replaceChildren(...(entries.length ? entries.map((e, i) =>
      h('tr', { dataset: { sequence: e.sequence } },
        h('td', {}, e.sequence),
        h('td', { class: 'muted', title: e.at }, time(e.at)),
        h('td', {}, e.who),
        h('td', { class: 'mono' }, h('span', { class: 'value', style: 'max-width:200px', title: json(e.newValue) }, e.newValue === null ? '(deleted)' : json(e.newValue))),
        h('td', { class: 'muted' }, e.comment),
        h('td', {}, i === 0 ? h('span', { class: 'badge ok' }, 'current')
          : h('button', { class: 'small ghost rollback', type: 'button', onclick: () => quietly(rollback(e.sequence)) }, 'Roll back'))))
      : [h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No history.'))]));
  }
  function result(text, ok) {
    const r = $('editor-result');
    r.textContent = text; r.className = 'result ' + (ok ? 'ok' : 'bad'); r.hidden = false;
  }
  function parsedValue() {
    const text = $('editor-value').value.trim();
    if (!text) throw new Error('Give a JSON value (e.g. 0.9, true, "text").');
    try { return JSON.parse(text); } catch (e) { throw new Error('Not valid JSON: ' + e.message); }
  }
  async function check() {
    let value;
    try { value = parsedValue(); } catch (e) { result(e.message, false); return false; }
    const changes = {}; changes[S.selected.key] = value;
    const answer = await write('POST', base() + '/config/check' + q(S.scope), { changes });
    if (answer.valid) result('Valid: ' + S.selected.key + ' passes its schema.', true);
    else result(answer.problems.join('; '), false);
    return answer.valid;
  }
  function diffLines(a, b) {
    // Longest common subsequence of lines: small values, so the quadratic table is fine.
    const n = a.length, m = b.length, t = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--)
      t[i][j] = a[i] === b[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
    const out = []; let i = 0, j = 0;
    while (i < n && j < m) {
      if (a[i] === b[j]) { out.push(['same', a[i]]); i++; j++; }
      else if (t[i + 1][j] >= t[i][j + 1]) out.push(['del', a[i++]]);
      else out.push(['add', b[j++]]);
    }
    while (i < n) out.push(['del', a[i++]]);
    while (j < m) out.push(['add', b[j++]]);
    return out;
  }
  function showDiff() {
    let value;
    try { value = parsedValue(); } catch (e) { result(e.message, false); return; }
    const view = $('editor-diff-view');
    if (S.selected.secret) {
      view.replaceChildren(h('span', { class: 'same' }, 'secret: old and new values are not shown'));
    } else {
      const before = S.selected.value === null ? [] : pretty(S.selected.value).split('\n');
      const lines = diffLines(before, pretty(value).split('\n'));
      view.replaceChildren(...lines.map(([kind, line]) =>
        h('span', { class: kind }, (kind === 'add' ? '+ ' : kind === 'del' ? '- ' : '  ') + line)));
      if (lines.every(([kind]) => kind === 'same')) view.append(h('span', { class: 'same' }, '(no change)'));
    }
    view.hidden = false;
  }
  async function save() {
    let value;
    try { value = parsedValue(); } catch (e) { result(e.message, false); return; }
    showDiff();
    const body = { value, comment: $('editor-comment').value };
    if (S.selected.version !== null) body.expectedVersion = S.selected.version;
    try {
      const answer = await write('PUT', base() + '/config/keys/' + encodeURIComponent(S.selected.key) + q(S.scope), body);
      result('Saved by ' + answer.who + ': ' + S.scope + ' is at version ' + answer.scopeVersion + '.', true);
      notice('Saved ' + S.selected.key);
      $('editor-comment').value = '';
      await loadConfig();
      await loadKey(S.selected.key, true);
      result('Saved by ' + answer.who + ': ' + S.scope + ' is at version ' + answer.scopeVersion + '.', true);
    } catch (e) { refused(e); }
  }
  async function rollback(sequence) {
    const body = { sequence, comment: 'rollback to #' + sequence + ' from the page' };
    if (S.scopes[S.scope] !== undefined) body.expectedVersion = S.scopes[S.scope];
    try {
      const answer = await write('POST', base() + '/config/keys/' + encodeURIComponent(S.selected.key) + '/rollback' + q(S.scope), body);
      result('Rolled back to #' + sequence + ' by ' + answer.who + ': ' + S.scope + ' is at version ' + answer.scopeVersion + '.', true);
      notice('Rolled ' + S.selected.key + ' back to #' + sequence);
      await loadScopes();
      await loadConfig();
      await loadKey(S.selected.key, true);
      result('Rolled back to #' + sequence + ' by ' + answer.who + ': ' + S.scope + ' is at version ' + answer.scopeVersion + '.', true);
    } catch (e) { refused(e); }
  }
  function refused(e) {
    const what = e.kind === 'forbidden' ? 'Refused' : e.kind === 'conflict' ? 'Conflict' : 'Not saved';
    result(what + ': ' + e.message, false);
    notice(what + ': ' + e.message, true);
  }

  // ---- the event stream ----
  function setConnection(state, text) {
    $('conn').dataset.state = state;
    $('conn-text').textContent = text;
  }
  // Subscribed before the first read, so no change between the read and the stream is missed:
  // events wait for the first read to finish, then apply on top of it.
  function follow(loaded) {
    const events = new EventSource('/api/v1/events');
    const on = (type, fn) => events.addEventListener(type, (ev) => {
      $('last-event').textContent = 'last event: ' + type + ' #' + (ev.lastEventId || '–') + ' at ' + new Date().toLocaleTimeString();
      let data = null;
      try { data = JSON.parse(ev.data); } catch (e) { data = null; }
      quietly(loaded.then(() => fn(data)));
    });
    events.onopen = () => setConnection('live', 'live');
    events.onerror = () => setConnection('connecting', 'reconnecting…');
    const again = () => { if (!S.loaded) quietly(loadAll()); };
    on('ready', () => { setConnection('live', 'live'); again(); });
    on('reset', () => loadAll());
    on('connection', (d) => {
      setConnection(d.connected ? 'live' : 'down', 'ZooKeeper ' + d.state);
      if (d.connected) again();
    });
    // A member event carries the member: it is patched in, the group is not read again.
    for (const type of ['member-joined', 'member-left', 'member-updated']) {
      on(type, (d) => patchMember(d.group, d.member, type === 'member-left'));
    }
    on('applied', (d) => {
      for (const [id, applied] of Object.entries(d.members || {})) {
        S.applied[id] = applied;
        for (const list of Object.values(S.members)) {
          const m = list.find((x) => x.id === id);
          if (m) m.appliedConfig = applied;
        }
      }
      soon('members', renderMembers, 30);
    });
    on('group-added', () => soon('groups', () => quietly(loadGroups())));
    on('leaders', (d) => { S.leaders = d; renderLeaders(); });
    on('assignment', (d) => { S.assignments[d.group] = d; renderAssignments(); });
    on('health', (d) => { addHealth(d.group, d.reports); renderHealth(); });
    on('alerts', () => soon('alerts', () => quietly(loadAlerts())));
    on('audit', (d) => {
      S.auditEvents.push(d);
      if (S.auditEvents.length > AUDIT_KEPT) S.auditEvents.shift();
      soon('audit', renderAudit, 30);
    });
    on('config', (d) => {
      S.scopes[d.scope] = d.version;
      // what members run comes as 'applied' events, once they acknowledge the commit
      soon('members', renderMembers, 30);
      soon('scopes', () => quietly(loadScopes()));
      if (d.scope === S.scope) soon('config', () => quietly(loadConfig()), 60);
    });
  }

  // ---- wiring ----
  function wire() {
    $('members-filter').addEventListener('input', () => { S.page = 0; soon('members', renderMembers, 80); });
    $('members-group').addEventListener('change', () => { S.page = 0; renderMembers(); });
    $('members-drift-only').addEventListener('change', () => { S.page = 0; renderMembers(); });
    $('members-prev').addEventListener('click', () => { S.page = Math.max(0, S.page - 1); renderMembers(); });
    $('members-next').addEventListener('click', () => { S.page++; renderMembers(); });
    $('units-filter').addEventListener('input', () => soon('units', renderAssignments, 80));
    $('config-filter').addEventListener('input', () => soon('config-filter', renderConfig, 80));
    $('config-scope').addEventListener('change', () => {
      S.scope = $('config-scope').value; S.selected = null;
      $('editor-empty').hidden = false; $('editor-body').hidden = true;
      quietly(loadConfig());
    });
    $('new-key-edit').addEventListener('click', () => {
      const key = $('new-key').value.trim();
      if (key) quietly(loadKey(key, true));
    });
    $('editor-check').addEventListener('click', () => quietly(check().catch(refused)));
    $('editor-diff').addEventListener('click', showDiff);
    $('editor-save').addEventListener('click', () => quietly(save()));
    const form = $('token-form');
    const showToken = () => {
      form.classList.toggle('set', !!token());
      $('token').placeholder = token() ? 'set for this tab' : 'not set';
    };
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const t = $('token').value.trim();
      if (t) sessionStorage.setItem(TOKEN_KEY, t);
      $('token').value = '';
      showToken();
      notice(t ? 'Token kept for this tab only (sessionStorage).' : 'No token given.');
    });
    $('token-forget').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY); $('token').value = ''; showToken(); notice('Token forgotten.');
    });
    showToken();
    setInterval(() => { renderLeaders(); }, 30000); // "since" texts age
  }

  wire();
  // If the first read fails (ZooKeeper away), the stream's next ready or connection event reads
  // everything again.
  const loaded = loadAll().catch((e) => {
    setConnection('down', 'unavailable');
    notice('Cannot read the console: ' + e.message, true);
  });
  follow(loaded);
})();
