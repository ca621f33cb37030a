import { ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Legend, LinearScale, Tooltip } from 'chart.js';
import { ApiError, get, recentEvents, token } from './api.js';
import { count, day, dayLabel, short, table, tick, time, usd } from './format.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, DoughnutController, ArcElement, Legend, Tooltip);
Chart.defaults.animation = false; // charts are read, not watched
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';

const PALETTE = ['#3b6fd8', '#e8833a', '#2aa876', '#c2417b', '#8a63d2', '#d4b12f', '#3fa7c9', '#7a8597', '#b8552d', '#5c9e3d'];
const $ = (id) => document.getElementById(id);
const charts = {};
const state = { ready: false, tenant: null, data: null };
let loads = 0; // a newer load (another tenant or range) wins over one still in flight
window.__dashboard = state; // read by the browser test

function show(id, visible) { $(id).hidden = !visible; }

function fail(error) {
  state.ready = false;
  if (error instanceof ApiError && error.status === 401) {
    token.clear();
    showSignIn('The admin token was refused.');
    return;
  }
  $('error').textContent = error instanceof ApiError ? `${error.message}${error.code ? ` (${error.code})` : ''}` : String(error);
  show('error', true);
}

function showSignIn(message) {
  show('signin', true);
  show('controls', false);
  show('view', false);
  show('error', Boolean(message));
  $('error').textContent = message ?? '';
  $('token').focus();
}

function range() {
  const days = Number($('range').value);
  const end = new Date();
  end.setUTCHours(0, 0, 0, 0);
  end.setUTCDate(end.getUTCDate() + 1); // tomorrow 00:00 UTC: whole days, so the daily rollup answers
  const start = new Date(end);
  start.setUTCDate(start.getUTCDate() - days);
  const labels = [];
  for (let d = new Date(start); d < end; d.setUTCDate(d.getUTCDate() + 1)) labels.push(d.toISOString().slice(0, 10));
  return { from: start.toISOString(), to: end.toISOString(), days: labels };
}

async function loadTenants() {
  const { from, to } = range();
  const answer = await get('/admin/usage', { group_by: 'tenant', window: 'month', from, to });
  const totals = new Map();
  for (const row of answer.data) totals.set(row.tenant_id, (totals.get(row.tenant_id) ?? 0) + row.cost);
  const list = $('tenants');
  list.replaceChildren(...[...totals.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => Object.assign(document.createElement('option'), { value: id })));
  return [...totals.keys()];
}

function sumBy(rows, key) {
  const groups = new Map();
  for (const row of rows) {
    const name = row[key] ?? '(none)';
    const g = groups.get(name) ?? { name, requests: 0, tokens: 0, cost: 0 };
    g.requests += row.requests;
    g.tokens += row.total_tokens;
    g.cost += row.cost;
    groups.set(name, g);
  }
  return [...groups.values()].sort((a, b) => b.cost - a.cost || b.tokens - a.tokens);
}

function stacked(id, labels, series) {
  charts[id]?.destroy();
  charts[id] = new Chart($(id), {
    type: 'bar',
    data: { labels: labels.map(dayLabel), datasets: series.map((s, i) => ({ label: s.label, data: s.data, backgroundColor: PALETTE[i % PALETTE.length], borderRadius: 3 })) },
    options: {
      scales: { x: { stacked: true, grid: { display: false } }, y: { stacked: true, beginAtZero: true, ticks: { callback: (v) => (id === 'chart-spend' ? tick(v) : short(v)) } } },
      plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${id === 'chart-spend' ? usd(c.raw) : count(c.raw)}` } } },
    },
  });
}

function doughnut(id, models) {
  charts[id]?.destroy();
  charts[id] = new Chart($(id), {
    type: 'doughnut',
    data: { labels: models.map((m) => m.name), datasets: [{ data: models.map((m) => m.cost), backgroundColor: models.map((_, i) => PALETTE[i % PALETTE.length]) }] },
    options: { plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: (c) => `${c.label}: ${usd(c.raw)}` } } } },
  });
}

function limit(value, unit) { return value === null || value === undefined ? 'unlimited' : `${count(value)} ${unit}`; }

async function load() {
  const tenant = $('tenant').value.trim();
  if (!tenant) return;
  state.ready = false;
  show('error', false);
  const { from, to, days } = range();
  const mine = ++loads;
  try {
    const [byModel, byFeature, byUser, wallet, limits, events] = await Promise.all([
      get('/admin/usage', { tenant, from, to, group_by: 'model', window: 'day' }),
      get('/admin/usage', { tenant, from, to, group_by: 'feature', window: 'month' }),
      get('/admin/usage', { tenant, from, to, group_by: 'end_user', window: 'month' }),
      get(`/admin/tenants/${encodeURIComponent(tenant)}/wallet`),
      get(`/admin/tenants/${encodeURIComponent(tenant)}/limits`),
      recentEvents(tenant, 15),
    ]);
    if (mine !== loads) return;
    const models = sumBy(byModel.data, 'model');
    const series = (measure) => models.map((m) => ({
      label: m.name,
      data: days.map((d) => byModel.data.filter((r) => (r.model ?? '(none)') === m.name && day(r.period_start) === d).reduce((s, r) => s + measure(r), 0)),
    }));
    stacked('chart-spend', days, series((r) => r.cost));
    stacked('chart-tokens', days, series((r) => r.total_tokens));
    doughnut('chart-models', models);

    const total = models.reduce((t, m) => ({ requests: t.requests + m.requests, tokens: t.tokens + m.tokens, cost: t.cost + m.cost }), { requests: 0, tokens: 0, cost: 0 });
    $('title').textContent = `${tenant} · last ${days.length} days (UTC)`;
    $('kpi-spend').textContent = usd(total.cost);
    $('kpi-spend-note').textContent = `${models.length} model${models.length === 1 ? '' : 's'}`;
    $('kpi-tokens').textContent = short(total.tokens);
    $('kpi-tokens-note').textContent = `${count(total.tokens)} tokens`;
    $('kpi-requests').textContent = count(total.requests);
    $('kpi-requests-note').textContent = byModel.source.replace('usage_', '') + ' rollup';
    $('kpi-balance').textContent = usd(wallet.balance);
    $('kpi-balance-note').textContent = wallet.currency;
    $('kpi-available').textContent = usd(wallet.available);
    $('kpi-held').textContent = `${usd(wallet.held)} held by requests in flight`;

    table($('limits'), ['Limit', 'Value'], [
      ['Requests per minute', limit(limits.requests_per_minute, 'req')],
      ['Tokens per minute', limit(limits.tokens_per_minute, 'tok')],
      ['Tokens per day', limit(limits.tokens_per_day, 'tok')],
      ['Tokens per month', limit(limits.tokens_per_month, 'tok')],
    ]);
    const top = (rows) => rows.slice(0, 10).map((g) => [g.name, count(g.requests), count(g.tokens), usd(g.cost), total.cost > 0 ? `${((100 * g.cost) / total.cost).toFixed(1)}%` : '–']);
    const topHeaders = (name) => [name, { label: 'Requests', numeric: true }, { label: 'Tokens', numeric: true }, { label: 'Spend', numeric: true }, { label: 'Share', numeric: true }];
    table($('features'), topHeaders('Feature'), top(sumBy(byFeature.data, 'feature')));
    table($('users'), topHeaders('End user'), top(sumBy(byUser.data, 'end_user')));
    table($('events'),
      ['Time (UTC)', 'Model', 'Status', { label: 'Input', numeric: true }, { label: 'Output', numeric: true }, { label: 'Cost', numeric: true }, 'Feature', 'End user', { label: 'Latency', numeric: true }],
      events.map((e) => [time(e.occurred_at), e.model ?? '', { text: e.status, className: `status-${e.status}` }, count(e.input_tokens), count(e.output_tokens), usd(e.cost_micros / 1e6), e.feature ?? '', e.end_user ?? '', `${count(e.latency_ms)} ms`]),
      'No events in the last 90 days');

    show('view', true);
    Object.assign(state, {
      tenant,
      data: { byModel: byModel.data, wallet, limits, events, total },
      charts: Object.fromEntries(Object.entries(charts).map(([id, c]) => [id, { labels: c.data.labels, datasets: c.data.datasets.map((d) => ({ label: d.label, data: d.data })) }])),
      ready: true,
    });
  } catch (error) {
    if (mine === loads) fail(error);
  }
}

async function start() {
  show('signin', false);
  show('controls', true);
  try {
    const tenants = await loadTenants();
    // A tenant named in the fragment (#tenant=acme, a bookmark) is shown at once; otherwise the one that spent most
    // is offered, and shown when asked for: usage may name a tenant that no longer exists.
    const wanted = new URLSearchParams(location.hash.slice(1)).get('tenant');
    if (wanted) {
      $('tenant').value = wanted;
      await load();
    } else if (!$('tenant').value && tenants.length) {
      $('tenant').value = tenants[0];
    }
  } catch (error) {
    fail(error);
  }
}

$('signin').addEventListener('submit', (event) => {
  event.preventDefault();
  token.set($('token').value.trim());
  $('token').value = '';
  start();
});
$('signout').addEventListener('click', () => { token.clear(); showSignIn(); });
$('load').addEventListener('click', () => { location.hash = `tenant=${encodeURIComponent($('tenant').value.trim())}`; load(); });
$('tenant').addEventListener('keydown', (event) => { if (event.key === 'Enter') $('load').click(); });
$('range').addEventListener('change', load);

if (token.get()) start(); else showSignIn();
