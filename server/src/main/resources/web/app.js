// Grindstone dashboard. Every value that comes from the API is put into the page with
// textContent (through el/text below), never parsed as HTML.
'use strict';

const view = document.getElementById('view');
let charts = [];
let stream = null;
let refreshTimer = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'href') e.setAttribute('href', v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function fmt(v, digits = 2) {
  if (v === null || v === undefined) return '–';
  if (typeof v !== 'number') return String(v);
  return Number.isInteger(v) ? v.toLocaleString('en') : v.toFixed(digits);
}

function table(columns, rows, attrs) {
  return el('table', attrs || {},
    el('thead', {}, el('tr', {}, columns.map(c => el('th', { class: c.num ? 'num' : '' }, c.title)))),
    el('tbody', {}, rows.map(r => el('tr', {}, columns.map(c => {
      const v = c.value(r);
      return el('td', { class: c.num ? 'num' : '' }, v instanceof Node ? v : (c.num ? fmt(v) : (v ?? '')));
    })))));
}

async function api(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' } });
  if (r.status === 204) return null;
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
  return body;
}

function clear() {
  charts.forEach(c => c.destroy());
  charts = [];
  if (stream) { stream.close(); stream = null; }
  if (refreshTimer) { clearTimeout(refreshTimer); refreshTimer = null; }
  view.replaceChildren();
}

function lineChart(title, labels, datasets, id, extra) {
  const canvas = el('canvas', id ? { id } : {});
  const box = el('div', { class: 'chart' }, canvas);
  const chart = new Chart(canvas, {
    type: 'line',
    data: { labels, datasets: datasets.map(d => ({ pointRadius: 1, borderWidth: 1.5, tension: 0.2, ...d })) },
    options: {
      animation: false, maintainAspectRatio: false,
      plugins: { title: { display: true, text: title } },
      scales: { y: { beginAtZero: true } },
      ...(extra || {}),
    },
  });
  charts.push(chart);
  return box;
}

// ---------------------------------------------------------------- overview

async function overview() {
  const [o, runs, lc] = await Promise.all([api('/api/v1/overview'), api('/api/v1/runs?limit=10'), api('/api/v1/livecheck/cases')]);
  view.append(el('h1', {}, 'Overview'),
    el('div', { class: 'cards' }, [
      ['runs', 'load-test runs'], ['sessions', 'test sessions'], ['metrics', 'test metrics'],
      ['contexts', 'execution contexts'], ['livecheckReports', 'LiveCheck reports'],
    ].map(([k, l]) => el('div', { class: 'card', id: 'count-' + k }, el('div', { class: 'n' }, fmt(o[k])), el('div', { class: 'l' }, l)))),
    el('h2', {}, 'Recent runs'), runsTable(runs.runs),
    el('h2', {}, 'LiveCheck cases'), casesTable(lc.cases));
}

// ---------------------------------------------------------------- runs

function runsTable(runs) {
  if (!runs.length) return el('p', { class: 'muted' }, 'No runs yet. Point a load test at this server with --report-to.');
  return table([
    { title: 'Run', value: r => el('a', { href: '#/runs/' + encodeURIComponent(r.id) }, r.name) },
    { title: 'Id', value: r => r.id },
    { title: 'Status', value: r => el('span', { class: 'state state-' + r.status }, r.status) },
    { title: 'Started', value: r => new Date(r.startMs).toLocaleString() },
    { title: 'Agents', value: r => r.agents.join(', ') },
    { title: 'Tests', num: true, value: r => r.tests.length },
    { title: 'Trend', value: r => el('a', { href: trendHref(r.name) }, r.baselineId === r.id ? 'trend (baseline)' : 'trend') },
  ], runs, { id: 'runs-table' });
}

async function runs() {
  const r = await api('/api/v1/runs');
  view.append(el('h1', {}, 'Load-test runs'), runsTable(r.runs));
}

const ms = { num: true };
function figureColumns(label) {
  return [
    { title: label, value: t => t.number === undefined ? 'Total' : (t.number + ' ' + (t.description || '')) },
    { title: 'Tests', ...ms, value: t => t.tests }, { title: 'Errors', ...ms, value: t => t.errors },
    { title: 'Mean ms', ...ms, value: t => t.meanMs }, { title: 'SD ms', ...ms, value: t => t.sdMs },
    { title: 'TPS', ...ms, value: t => t.tps }, { title: 'min', ...ms, value: t => t.minMs },
    { title: 'p50', ...ms, value: t => t.p50Ms }, { title: 'p90', ...ms, value: t => t.p90Ms },
    { title: 'p95', ...ms, value: t => t.p95Ms }, { title: 'p99', ...ms, value: t => t.p99Ms },
    { title: 'p99.9', ...ms, value: t => t.p999Ms }, { title: 'max', ...ms, value: t => t.maxMs },
  ];
}

function trendHref(name) {
  return '#/trends?name=' + encodeURIComponent(name);
}

async function post(path) {
  const r = await fetch(path, { method: 'POST', headers: { Accept: 'application/json' } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
  return body;
}

// Change from the baseline to the run in percent of the baseline; '–' when either is missing.
function change(run, baseline) {
  if (typeof run !== 'number' || typeof baseline !== 'number' || baseline === 0) return '–';
  const c = (run - baseline) * 100 / baseline;
  return (c > 0 ? '+' : '') + c.toFixed(2) + '%';
}

// The run beside its baseline: per test and in total, the headline figures of both and the change.
function baselineTable(run, baseline) {
  const byNumber = new Map(baseline.tests.map(t => [t.number, t]));
  const rows = run.tests.filter(t => byNumber.has(t.number)).map(t => [t, byNumber.get(t.number)]);
  rows.push([{ ...run.totals, number: undefined }, baseline.totals]);
  const pct = t => (t.errorRate === null || t.errorRate === undefined) ? null : t.errorRate * 100;
  const cols = [{ title: 'Test', value: ([t]) => t.number === undefined ? 'Total' : (t.number + ' ' + (t.description || '')) }];
  for (const [label, get] of [['p99 ms', t => t.p99Ms], ['mean ms', t => t.meanMs], ['TPS', t => t.tps], ['errors %', pct]]) {
    cols.push({ title: label, num: true, value: ([t]) => get(t) });
    cols.push({ title: label + ' (baseline)', num: true, value: ([, b]) => get(b) });
    cols.push({ title: 'change', num: true, value: ([t, b]) => change(get(t), get(b)) });
  }
  return table(cols, rows, { id: 'baseline-tests' });
}

// The run page loads the run and its whole series once; on each snapshot event it fetches the
// run's totals (a few rows) and only the intervals that changed since the version it holds. When
// its name has a baseline (another run), that run's figures stand beside it and its series is
// drawn dashed on the same charts, both against the time since each run's first interval.
async function runPage(id) {
  const base = '/api/v1/runs/' + encodeURIComponent(id);
  // A distributed run's agents and their clocks; a run of one process has none (404).
  const dist = () => api('/api/v1/distributed/' + encodeURIComponent(id)).catch(() => null);
  const [run, series, distributed] = await Promise.all([api(base), api(base + '/series'), dist()]);
  let baseline = null;
  if (run.baselineId && run.baselineId !== run.id) {
    const b = '/api/v1/runs/' + encodeURIComponent(run.baselineId);
    const [bRun, bSeries] = await Promise.all([api(b), api(b + '/series')]);
    baseline = { run: bRun, intervals: bSeries.intervals.slice().sort((x, y) => x.startMs - y.startMs) };
  }
  const state = { intervalMs: null, version: 0, byStart: new Map() };
  const absorb = s => {
    if (s.intervalMs !== state.intervalMs) state.byStart.clear(); // re-bucketed: every interval came again
    state.intervalMs = s.intervalMs;
    state.version = s.version;
    for (const iv of s.intervals) state.byStart.set(iv.startMs, iv);
  };
  absorb(series);
  const intervals = () => [...state.byStart.values()].sort((a, b) => a.startMs - b.startMs);
  const elapsed = ivs => ivs.map(i => '+' + Math.round((i.startMs - ivs[0].startMs) / 1000) + 's');
  const labels = ivs => {
    if (!baseline) return ivs.map(i => new Date(i.startMs).toLocaleTimeString());
    const longer = ivs.length >= baseline.intervals.length ? ivs : baseline.intervals;
    return elapsed(longer);
  };
  const pick = (ivs, k) => ivs.map(i => i.total[k]);
  const charted = [['chart-tps', 'Transactions per second', [['TPS', 'tps']]],
    ['chart-latency', 'Response time percentiles (ms)', [['p50', 'p50Ms'], ['p95', 'p95Ms'], ['p99', 'p99Ms']]],
    ['chart-errors', 'Errors per interval', [['errors', 'errors']]]];
  // Colours are given, not left to Chart.js: it colours no dataset of a chart once one has a colour.
  const palette = { tps: '#3366cc', p50Ms: '#1e8449', p95Ms: '#e69b00', p99Ms: '#8e44ad', errors: '#c0392b' };
  const datasets = (ivs, series) => {
    const own = series.map(([label, key]) => ({ label, data: pick(ivs, key), borderColor: palette[key],
      backgroundColor: palette[key] }));
    if (!baseline) return own;
    return own.concat(series.map(([label, key]) => ({ label: label + ' (baseline)', data: pick(baseline.intervals, key),
      borderDash: [6, 4], borderColor: palette[key] + '80', backgroundColor: palette[key] + '80' })));
  };
  const header = el('div', {});
  const rows = el('div', {});
  const showRun = r => {
    const isBaseline = r.baselineId === r.id;
    const mark = isBaseline
      ? el('span', { class: 'state state-finished', id: 'baseline-badge' }, 'baseline of ', r.name)
      : el('button', { id: 'mark-baseline', type: 'button', onclick: async e => {
        e.target.disabled = true;
        try { await post(base + '/baseline'); await route(); } catch (err) { e.target.disabled = false; showError(err); }
      } }, 'Mark as baseline');
    header.replaceChildren(
      el('h1', {}, 'Run ', el('span', { id: 'run-name' }, r.name), ' ', el('span', { class: 'state state-' + r.status, id: 'run-status' }, r.status)),
      el('p', { class: 'muted' }, 'id ', r.id, ' · agents ', r.agents.join(', '), ' · ', String(r.snapshots), ' snapshots',
        r.phases.length ? ' · phases ' + r.phases.map(p => p.name).join(', ') : ''),
      el('p', {}, mark, ' ', el('a', { href: trendHref(r.name), id: 'trend-link' }, 'Trend of ', r.name),
        baseline ? el('span', {}, ' · compared with its baseline ',
          el('a', { href: '#/runs/' + encodeURIComponent(baseline.run.id), id: 'baseline-link' }, baseline.run.id)) : null));
    // A run of several scenarios: each one's tables after the run's (test descriptions from the run's).
    const described = new Map(r.tests.map(t => [t.number, t.description]));
    const scenarios = (r.scenarios || []).map((sc, k) => el('div', {},
      el('h2', {}, 'Scenario ', sc.name),
      table(figureColumns('Test'), [...sc.tests.map(t => ({ ...t, description: described.get(t.number) })), sc.totals],
        { id: 'run-scenario-' + k })));
    rows.replaceChildren(table(figureColumns('Test'), [...r.tests, r.totals], { id: 'run-tests' }), ...scenarios,
      baseline ? el('div', {}, el('h2', {}, 'Beside its baseline'), baselineTable(r, baseline.run)) : null);
  };
  const agents = el('div', {});
  const showAgents = d => agents.replaceChildren(...(d ? [el('h2', {}, 'Agents'), agentsTable(d)] : []));
  showRun(run);
  showAgents(distributed);
  const ivs = intervals();
  view.replaceChildren(header,
    el('div', { class: 'charts' }, charted.map(([id, title, series]) => lineChart(title, labels(ivs), datasets(ivs, series), id))),
    el('h2', {}, 'Tests'), rows, agents);
  const redraw = () => {
    const all = intervals();
    for (const [canvas, , series] of charted) {
      const chart = Chart.getChart(canvas);
      if (!chart) continue;
      chart.data.labels = labels(all);
      series.forEach(([, k], i) => { chart.data.datasets[i].data = pick(all, k); });
      chart.update('none');
    }
  };
  const refresh = async () => {
    const [r, s, d] = await Promise.all([api(base), api(base + '/series?after=' + state.version),
      distributed ? dist() : null]);
    absorb(s);
    showRun(r);
    if (d) showAgents(d);
    redraw();
  };
  if (run.status === 'running' && !stream) {
    stream = new EventSource(base + '/events');
    const again = () => {
      if (refreshTimer) return;
      refreshTimer = setTimeout(() => { refreshTimer = null; refresh().catch(showError); }, 500);
    };
    stream.addEventListener('snapshot', again);
    stream.addEventListener('finished', () => { stream.close(); stream = null; again(); });
  }
}

// A distributed run's agent processes: each one's clock offset from the server when it started
// (± half the round trip of its best sample) and the largest move of its later measures from it.
function agentsTable(d) {
  const ms = (v, bound) => (v === null || v === undefined) ? '–'
    : (v >= 0 ? '+' : '') + v.toFixed(1) + ' ms' + (bound === undefined ? '' : ' ±' + bound.toFixed(1) + ' ms');
  const drift = a => {
    const samples = a.clockSamples || [];
    if (!samples.length || a.clockOffsetMs === null) return '–';
    const worst = samples.reduce((w, s) => Math.abs(s.offsetMs - a.clockOffsetMs) > Math.abs(w.offsetMs - a.clockOffsetMs) ? s : w);
    return ms(worst.offsetMs - a.clockOffsetMs);
  };
  const members = d.members.slice().sort((a, b) => (a.index ?? 1e9) - (b.index ?? 1e9) || a.registeredMs - b.registeredMs);
  return table([
    { title: 'Index', num: true, value: a => a.index },
    { title: 'Agent', value: a => a.name },
    { title: 'Attempt', value: a => a.attempt },
    { title: 'Status', value: a => el('span', { class: 'state state-' + a.status }, a.status) },
    { title: 'Clock offset', num: true, value: a => ms(a.clockOffsetMs, a.clockRttMs === null ? undefined : a.clockRttMs / 2) },
    { title: 'Measured again', num: true, value: a => (a.clockSamples || []).length },
    { title: 'Largest drift', num: true, value: drift },
    { title: 'Note', value: a => a.reason || '' },
  ], members, { id: 'run-agents' });
}

// A run name's runs over time: p99, TPS and error rate per run; a point opens its run.
async function trendPage(params) {
  const name = params.get('name') || '';
  const t = await api('/api/v1/trends?name=' + encodeURIComponent(name));
  view.append(el('h1', {}, 'Trend of ', el('span', { id: 'trend-name' }, name)));
  if (!t.runs.length) {
    view.append(el('p', { class: 'muted' }, 'No runs with this name.'));
    return;
  }
  const labels = t.runs.map(r => new Date(r.startMs).toLocaleString());
  const open = (evt, elements) => {
    if (elements.length) location.hash = '#/runs/' + encodeURIComponent(t.runs[elements[0].index].id);
  };
  const radius = t.runs.map(r => r.baseline ? 6 : 3);
  const dataset = (label, get) => ({ label, data: t.runs.map(get), pointRadius: radius, pointHoverRadius: 8, spanGaps: true });
  const click = { onClick: open, interaction: { mode: 'nearest', intersect: false } };
  view.append(el('p', { class: 'muted' }, t.baselineId ? ['Baseline: ', el('a', { href: '#/runs/' + encodeURIComponent(t.baselineId) }, t.baselineId),
    ' (the larger point). '] : 'No baseline marked. ', 'Click a point to open its run.'),
  el('div', { class: 'charts' },
    lineChart('p99 (ms)', labels, [dataset('p99 ms', r => r.p99Ms)], 'chart-trend-p99', click),
    lineChart('Transactions per second', labels, [dataset('TPS', r => r.tps)], 'chart-trend-tps', click),
    lineChart('Error rate (%)', labels, [dataset('errors %', r => r.errorRate * 100)], 'chart-trend-errors', click)),
  el('h2', {}, 'Runs'), table([
    { title: 'Run', value: r => el('a', { href: '#/runs/' + encodeURIComponent(r.id) }, r.id) },
    { title: 'Started', value: r => new Date(r.startMs).toLocaleString() },
    { title: 'Status', value: r => el('span', { class: 'state state-' + r.status }, r.status) },
    { title: 'Baseline', value: r => r.baseline ? 'baseline' : '' },
    { title: 'p99 ms', num: true, value: r => r.p99Ms }, { title: 'mean ms', num: true, value: r => r.meanMs },
    { title: 'TPS', num: true, value: r => r.tps }, { title: 'errors %', num: true, value: r => r.errorRate * 100 },
  ], t.runs.slice().reverse(), { id: 'trend-runs' }));
}

// ---------------------------------------------------------------- pytest-monitor

async function pytestPage(params) {
  const item = params.get('item') || '';
  const component = params.get('component') || '';
  const sessions = (await api('/api/v1/sessions/?page=-1')) || { sessions: [] };
  const byHash = new Map(sessions.sessions.map(s => [s.session_h, s]));
  const form = el('form', { class: 'filters', onsubmit: e => {
    e.preventDefault();
    const q = new URLSearchParams();
    const f = new FormData(e.target);
    for (const k of ['item', 'component']) if (f.get(k)) q.set(k, f.get(k));
    location.hash = '#/pytest?' + q.toString();
  } },
    el('label', {}, 'Test (contains)', el('input', { name: 'item', value: item })),
    el('label', {}, 'Component', el('input', { name: 'component', value: component })),
    el('button', { type: 'submit' }, 'Filter'));
  view.append(el('h1', {}, 'Test resources (pytest-monitor and JUnit monitor)'), form);

  let metrics = [];
  if (item) {
    const r = await api('/api/v1/items/like/' + encodeURIComponent(item) + '/metrics');
    metrics = r ? r.metrics : [];
  } else if (component) {
    const r = await api('/api/v1/components/' + encodeURIComponent(component) + '/metrics');
    metrics = r ? r.metrics : [];
  } else {
    const r = await api('/api/v1/metrics/?page=-1');
    metrics = r ? r.metrics.slice(-200) : [];
  }
  if (component) metrics = metrics.filter(m => (m.component || '') === component);

  // Trend per test across sessions, in session order.
  const tests = [...new Set(metrics.map(m => m.item_variant || m.item))].slice(0, 8);
  if (tests.length) {
    const order = [...new Set(metrics.map(m => m.session_h))]
      .sort((a, b) => String(byHash.get(a)?.run_date || a).localeCompare(String(byHash.get(b)?.run_date || b)));
    const labels = order.map(h => byHash.get(h)?.run_date || h.slice(0, 8));
    const series = key => tests.map(t => ({
      label: t,
      data: order.map(h => { const m = metrics.find(x => x.session_h === h && (x.item_variant || x.item) === t); return m ? m[key] : null; }),
      spanGaps: true,
    }));
    view.append(el('h2', {}, 'Trends across sessions'), el('div', { class: 'charts' },
      lineChart('Total time (s)', labels, series('total_time')),
      lineChart('CPU usage (ratio)', labels, series('cpu_usage')),
      lineChart('Memory (MiB)', labels, series('mem_usage'))));
  }
  view.append(el('h2', {}, 'Metrics'), metrics.length ? table([
    { title: 'Session', value: m => byHash.get(m.session_h)?.run_date || m.session_h.slice(0, 8) },
    { title: 'Test', value: m => m.item_variant || m.item }, { title: 'Kind', value: m => m.kind },
    { title: 'Component', value: m => m.component }, { title: 'Location', value: m => m.item_fs_loc },
    { title: 'Total s', num: true, value: m => m.total_time }, { title: 'User s', num: true, value: m => m.user_time },
    { title: 'Kernel s', num: true, value: m => m.kernel_time }, { title: 'CPU', num: true, value: m => m.cpu_usage },
    { title: 'Mem MiB', num: true, value: m => m.mem_usage },
  ], metrics.slice().reverse().slice(0, 500), { id: 'metrics-table' }) : el('p', { class: 'muted' }, 'No metrics match.'));
  view.append(el('h2', {}, 'Sessions'), sessions.sessions.length ? table([
    { title: 'Run date', value: s => s.run_date }, { title: 'Session', value: s => s.session_h },
    { title: 'SCM', value: s => s.scm_ref }, { title: 'Tags', value: s => s.tags.map(t => t.name + '=' + t.value).join(', ') },
  ], sessions.sessions.slice().reverse(), { id: 'sessions-table' }) : el('p', { class: 'muted' }, 'No sessions yet.'));
}

// ---------------------------------------------------------------- LiveCheck

function casesTable(cases) {
  if (!cases.length) return el('p', { class: 'muted' }, 'No LiveCheck reports yet.');
  return table([
    { title: 'App', value: c => c.app }, { title: 'Case', value: c => c.case },
    { title: 'State', value: c => el('span', { class: 'state state-' + c.state }, c.state) },
    { title: 'Last report', value: c => new Date(c.last_report_timestamp * 1000).toLocaleString() },
    { title: 'Consecutive failures', num: true, value: c => c.consecutive_failures },
    { title: 'Total failures', num: true, value: c => c.total_failures },
    { title: 'By state', value: c => Object.entries(c.totals_by_state).map(([k, v]) => k + ' ' + v).join(', ') },
  ], cases, { id: 'cases-table' });
}

async function livecheckPage() {
  const r = await api('/api/v1/livecheck/cases');
  view.append(el('h1', {}, 'LiveCheck'), casesTable(r.cases));
  if (r.cases.length) {
    view.append(el('h2', {}, 'Latency history (last 100 reports, seconds)'), el('div', { class: 'charts' },
      r.cases.slice(0, 12).map(c => lineChart(c.app + ' · ' + c.case, c.latency_history.map((_, i) => i + 1),
        [{ label: 'runtime s', data: c.latency_history }]))));
  }
  refreshTimer = setTimeout(route, 10000);
}

// ---------------------------------------------------------------- routing

function showError(e) {
  view.append(el('p', { class: 'error' }, 'Could not load: ', e.message));
}

async function route() {
  clear();
  const hash = location.hash || '#/';
  const [path, query] = hash.slice(1).split('?');
  const params = new URLSearchParams(query || '');
  try {
    if (path === '/' || path === '') await overview();
    else if (path === '/runs') await runs();
    else if (path.startsWith('/runs/')) await runPage(decodeURIComponent(path.slice(6)));
    else if (path === '/trends') await trendPage(params);
    else if (path === '/pytest') await pytestPage(params);
    else if (path === '/livecheck') await livecheckPage();
    else view.append(el('p', {}, 'No such page.'));
  } catch (e) {
    showError(e);
  }
}

window.addEventListener('hashchange', route);
route();
