// The Upcall web console: polls the operator endpoint's JSON answers of the instance that served it and draws them.
// Every value from the server goes into the page as text (never as HTML): client uids and errors are free text.
(function () {
  'use strict';

  const GFID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const COLOURS = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626'];
  const state = { self: null, stats: null, instances: null, charts: {}, changesAllowed: false, options: [] };
  window.upcallConsole = state; // for the browser test and for a curious operator's devtools

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => {
      if (name === 'class') node.className = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    });
    children.flat().forEach(child => node.append(child instanceof Node ? child : String(child ?? '')));
    return node;
  }
  const td = (value, cls) => el('td', cls ? { class: cls } : {}, value);
  const num = value => td(value, 'num');
  const rate = value => (value >= 100 ? Math.round(value) : Math.round(value * 10) / 10).toLocaleString('en');
  const count = value => (value < 0 ? '–' : Number(value).toLocaleString('en'));
  const bytes = value => {
    if (value < 0) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return (unit === 0 ? value : value.toFixed(1)) + ' ' + units[unit];
  };
  const parts = list => (list && list.length ? list.join(', ') : '–');
  const fill = (id, rows) => document.querySelector('#' + id + ' tbody').replaceChildren(...rows);

  async function getJson(path) {
    const response = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    const body = await response.json().catch(() => ({ error: 'HTTP ' + response.status + ' (not JSON)' }));
    return { status: response.status, body };
  }

  function gfidLink(gfid) {
    return el('a', { class: 'gfid mono', title: 'look it up', onclick: () => lookup(gfid) }, gfid);
  }

  // ---- instances, stores -------------------------------------------------------------------------------------
  async function refreshInstances() {
    const { status, body } = await getJson('/instances');
    if (status !== 200) return;
    state.self = body.self;
    state.instances = body.instances;
    document.getElementById('self').textContent = 'served by ' + body.self + ' · ' + body.instances.length
      + ' instance' + (body.instances.length === 1 ? '' : 's');
    drawInstances();
  }

  async function refreshStats() {
    const { status, body } = await getJson('/stats');
    const error = document.getElementById('stats-error');
    if (status !== 200) {
      error.textContent = '/stats: ' + (body.error || status);
      return;
    }
    error.textContent = body.instances.filter(i => i.error).map(i => i.instance + ': ' + i.error).join('; ');
    state.stats = body;
    drawInstances();
    drawStores();
  }

  function drawInstances() {
    const stats = new Map((state.stats ? state.stats.instances : []).map(s => [s.instance, s]));
    const members = state.instances || (state.stats ? state.stats.instances.map(s => ({
      instance: s.instance, activePartitions: s.activePartitions, standbyPartitions: s.standbyPartitions })) : []);
    const rows = members.map(member => {
      const s = stats.get(member.instance);
      const running = s ? s.state : '…';
      return el('tr', { 'data-instance': member.instance },
        el('td', { class: 'mono' }, member.instance,
          member.instance === state.self ? el('span', { class: 'self-mark' }, '(this page)') : ''),
        td(running, running === 'RUNNING' ? 'state-RUNNING' : 'state-other'),
        td(parts(member.activePartitions), 'active'), td(parts(member.standbyPartitions), 'standby'),
        num(s ? count(s.trackedInodes) : ''), num(s ? count(s.trackedPairs) : ''), num(s ? count(s.freshPairs) : ''),
        num(s ? rate(s.recordsPerSecond) : ''), num(s ? rate(s.invalidationsPerSecond) : ''),
        num(s ? count(s.dlqRecords) : ''));
    });
    if (state.stats && members.length > 1) {
      const t = state.stats.total;
      rows.push(el('tr', { class: 'total' }, td('total'), td(t.state), td(parts(t.activePartitions)),
        td(parts(t.standbyPartitions)), num(count(t.trackedInodes)), num(count(t.trackedPairs)),
        num(count(t.freshPairs)), num(rate(t.recordsPerSecond)), num(rate(t.invalidationsPerSecond)),
        num(count(t.dlqRecords))));
    }
    fill('instances', rows);
  }

  function drawStores() {
    const rows = [];
    state.stats.instances.forEach(s => {
      rows.push(el('tr', {}, td(s.instance, 'mono'), td('tracked (inode, client) pairs · inodes'),
        num(count(s.trackedPairs) + ' · ' + count(s.trackedInodes)), num(''), num('')));
      Object.entries(s.stores || {}).forEach(([name, size]) => rows.push(el('tr', {}, td(s.instance, 'mono'),
        td(name, 'mono'), num(count(size.approximateEntries)), num(bytes(size.sstBytes)),
        num(bytes(size.memtableBytes)))));
    });
    fill('stores', rows);
  }

  // ---- rates and lag -----------------------------------------------------------------------------------------
  async function refreshRates() {
    const { status, body } = await getJson('/rates');
    if (status !== 200) return;
    drawChart('fops', 'fopsPerSecond', body.instances);
    drawChart('invalidations', 'invalidationsPerSecond', body.instances);
    const lagRows = [];
    body.instances.forEach(rates => rates.lag.forEach(lag => lagRows.push(el('tr', {}, td(rates.instance, 'mono'),
      td(lag.topic, 'mono'), num(lag.partition), num(count(lag.lag))))));
    if (!lagRows.length) lagRows.push(el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'no input partitions read yet')));
    fill('lag', lagRows);
    document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  }

  /** One line per instance and their total, on the union of the instances' sample times (aligned by the server). */
  function drawChart(name, field, instances) {
    const times = [...new Set(instances.flatMap(i => i.points.map(p => p.atSecond)))].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    const lines = instances.map(i => {
      const values = new Array(times.length).fill(null);
      i.points.forEach(p => { values[index.get(p.atSecond)] = p[field]; });
      return values;
    });
    const total = times.map((_, i) => {
      const present = lines.map(line => line[i]).filter(v => v !== null);
      return present.length ? present.reduce((a, b) => a + b, 0) : null;
    });
    const labels = instances.map(i => i.instance);
    const data = [times, ...lines];
    if (instances.length > 1) data.push(total);
    const target = document.getElementById('chart-' + name);
    const width = Math.max(300, target.clientWidth || 460);
    const key = labels.join(',') + '|' + width;
    let chart = state.charts[name];
    if (!chart || chart.upcallKey !== key) {
      if (chart) chart.destroy();
      const series = [{}].concat(labels.map((label, i) => ({
        label, stroke: COLOURS[i % COLOURS.length], width: 1.5, spanGaps: true, value: (u, v) => v == null ? '–' : rate(v),
      })));
      if (instances.length > 1) series.push({ label: 'total', stroke: '#1d2430', width: 2, dash: [4, 3], spanGaps: true,
        value: (u, v) => v == null ? '–' : rate(v) });
      chart = new uPlot({
        width, height: 220, series,
        scales: {
          // At least the last two minutes, so that a young instance's few points get a time axis in seconds.
          x: { time: true, range: (u, min, max) => [Math.min(min ?? max - 120, max - 120), max] },
          y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] },
        },
        axes: [{}, { size: 60, values: (u, splits) => splits.map(v => rate(v)) }],
      }, data, target);
      chart.upcallKey = key;
      state.charts[name] = chart;
    } else {
      chart.setData(data);
    }
  }

  // ---- switches ----------------------------------------------------------------------------------------------
  async function refreshSwitches() {
    const { status, body } = await getJson('/switches');
    if (status !== 200) return;
    state.changesAllowed = body.changesAllowed;
    const options = [...new Set(body.instances.flatMap(c => Object.keys(c.applied)))].sort();
    document.querySelector('#switches thead tr').replaceChildren(el('th', {}, 'option'),
      ...body.instances.map(c => el('th', { class: 'mono' }, c.instance)));
    fill('switches', options.map(option => el('tr', { 'data-option': option }, td(option, 'mono'),
      ...body.instances.map(c => {
        const applied = c.applied[option];
        const startup = c.startup[option];
        return el('td', { class: 'value' }, el('strong', {}, applied), applied === startup ? '' : ' (' + startup + ')');
      }))));
    const select = document.getElementById('switch-option');
    if (options.join() !== state.options.join()) {
      select.replaceChildren(...options.map(o => el('option', { value: o }, o)));
      state.options = options;
    }
    const allowed = body.changesAllowed;
    ['switch-option', 'switch-value', 'switch-set'].forEach(id => { document.getElementById(id).disabled = !allowed; });
    document.getElementById('switch-notice').textContent = allowed
      ? ''
      : 'Changing switches from the console is off on this instance (upcall.http.console.allow-config-changes=false); '
        + 'use `upcall config set OPTION VALUE`, or start the instance with that option set to true.';
    if (body.errors.length) document.getElementById('switch-status').textContent = body.errors.join('; ');
  }

  async function setSwitch(event) {
    event.preventDefault();
    const option = document.getElementById('switch-option').value;
    const value = document.getElementById('switch-value').value.trim();
    const status = document.getElementById('switch-status');
    const response = await fetch('/config', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ option, value }),
    });
    const body = await response.json().catch(() => ({}));
    status.className = response.ok ? '' : 'error';
    status.textContent = response.ok
      ? 'set ' + body.option + ' = ' + body.value + ' in ' + body.topic + ' (offset ' + body.offset
        + '); every instance applies it within about a second'
      : 'refused (' + response.status + '): ' + (body.error || response.statusText);
    setTimeout(refreshSwitches, 1000);
  }

  // ---- lookup ------------------------------------------------------------------------------------------------
  async function lookup(text) {
    const input = document.getElementById('lookup-input');
    const query = (text ?? input.value).trim();
    input.value = query;
    const result = document.getElementById('lookup-result');
    if (!query) return;
    const isGfid = GFID.test(query);
    const { status, body } = await getJson((isGfid ? '/inodes/' : '/clients/') + encodeURIComponent(query));
    const raw = el('details', {}, el('summary', {}, 'JSON'), el('pre', {}, JSON.stringify(body, null, 2)));
    if (status !== 200) {
      result.replaceChildren(el('p', { class: 'error' }, (body.error || 'HTTP ' + status)), raw);
      return;
    }
    if (isGfid) {
      const change = body.latestChange;
      result.replaceChildren(
        el('p', { class: 'found' }, 'inode ', el('span', { class: 'mono' }, body.gfid), ' · partition ' + body.partition
          + ' on ' + body.instance + ' (' + body.servedBy + ') · T = ' + body.timeoutSeconds + ' s'),
        el('table', { class: 'clients' },
          el('thead', {}, el('tr', {}, el('th', {}, 'client'), el('th', {}, 'last access'), el('th', {}, 'fresh'))),
          el('tbody', {}, body.clients.map(c => el('tr', {}, td(c.client, 'mono'), td(c.lastAccess),
            td(c.fresh ? 'yes' : 'no'))))),
        el('p', {}, change ? 'latest change: ' + change.flags.join('|') + ' at ' + change.eventTime + ' by '
          + (change.originator ?? '(several)') : 'no recent change'),
        raw);
    } else {
      result.replaceChildren(
        el('p', { class: 'found' }, 'client ', el('span', { class: 'mono' }, body.client), ' is fresh on '
          + body.inodes.length + ' inode' + (body.inodes.length === 1 ? '' : 's')
          + (body.trackedNotFresh ? ' (and tracked, not fresh, on ' + body.trackedNotFresh + ')' : '')
          + (body.complete ? '' : ' — incomplete: an instance did not answer')),
        el('table', { class: 'inodes' },
          el('thead', {}, el('tr', {}, el('th', {}, 'gfid'), el('th', {}, 'instance'), el('th', {}, 'last access'))),
          el('tbody', {}, body.inodes.map(i => el('tr', {}, el('td', {}, gfidLink(i.gfid)), td(i.instance, 'mono'),
            td(i.lastAccess))))),
        raw);
    }
  }

  // ---- hottest inodes ----------------------------------------------------------------------------------------
  async function refreshHot() {
    const { status, body } = await getJson('/hot');
    if (status !== 200) return;
    const none = columns => [el('tr', {}, el('td', { colspan: columns, class: 'muted' }, 'none yet'))];
    fill('hot-fresh', body.byFreshClients.length ? body.byFreshClients.map(h => el('tr', {},
      el('td', {}, gfidLink(h.gfid)), td(h.instance, 'mono'), num(h.partition), num(count(h.freshClients)),
      num(count(h.trackedClients)))) : none(5));
    fill('hot-changes', body.byChanges.length ? body.byChanges.map(h => el('tr', {},
      el('td', {}, gfidLink(h.gfid)), td(h.instance, 'mono'),
      num(rate(h.changedSamples / Math.max(1, h.samples * h.sampleSeconds))), num(h.changedSamples + ' / ' + h.samples),
      num(count(h.freshClients)),
      el('td', { title: h.latestChange ?? '' }, h.latestChange ? h.latestChange.slice(11, 19) + ' UTC' : '–')))
      : none(6));
    const bounded = body.scans.filter(s => s.bounded).map(s => s.instance);
    const failed = body.scans.filter(s => s.error).map(s => s.instance + ': ' + s.error);
    document.getElementById('hot-note').textContent = 'scanned '
      + body.scans.map(s => count(s.pairsScanned) + ' pairs on ' + s.instance + ' in ' + s.scanMs + ' ms').join(', ')
      + (bounded.length ? ' · stopped at the scan bound on ' + bounded.join(', ') : '')
      + (failed.length ? ' · ' + failed.join('; ') : '')
      + ' · changes are sampled while this page is open: several changes between two samples count once.';
  }

  // ---- polling -----------------------------------------------------------------------------------------------
  function every(ms, task) {
    const run = () => task().catch(e => console.warn(e)).finally(() => setTimeout(run, ms));
    run();
  }

  document.getElementById('lookup-form').addEventListener('submit', event => { event.preventDefault(); lookup(); });
  document.getElementById('switch-form').addEventListener('submit', setSwitch);
  every(5000, refreshInstances);
  every(10000, refreshStats);
  every(2000, refreshRates);
  every(5000, refreshSwitches);
  every(5000, refreshHot);
  window.addEventListener('resize', () => refreshRates());
})();
