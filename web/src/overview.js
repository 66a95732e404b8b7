// The overview page (#/): KPI tiles against the previous period, trend charts, at-risk orders,
// a table per merchandiser / customer / supplier, open alerts, and every KPI in one table.
import * as api from './api.js';
import {KPIS, HEADLINE, SECONDARY, headlineValue, formatValue, formatBasis, delta} from './kpis.js';
import {previous, range, instant} from './dates.js';
import {h, fill, card, orderLink} from './dom.js';
import {trendCard, volumeCard, destroyAll} from './charts.js';

export const ALERT_KINDS = {
  LATE: {label: 'Late', tone: 'bad', rank: 0},
  DELIVERY_AT_RISK: {label: 'Delivery at risk', tone: 'warn', rank: 1},
  MILESTONE_OVERDUE: {label: 'Milestone overdue', tone: 'warn', rank: 2},
  ISSUE_SLA_BREACH: {label: 'Issue over SLA', tone: 'bad', rank: 3},
  HANDOFF_OVERDUE: {label: 'Handoff overdue', tone: 'info', rank: 4},
};
const GROUPS = {merchandiser: 'Merchandiser', customer: 'Customer', supplier: 'Supplier'};
const GROUP_COLUMNS = ['otif_rate', 'on_time_delivery_rate', 'perfect_order_rate', 'csat', 'issue_resolution_hours', 'order_accuracy_rate'];

export function kindBadge(kind, subject) {
  const k = ALERT_KINDS[kind] || {label: kind, tone: 'info'};
  return h('span', {class: 'badge ' + k.tone, dataset: {kind}}, k.label + (subject ? ' · ' + subject : ''));
}

// Renders the whole page into `main` for state {from, to, bucket, group, kind}; resolves when
// every number is on the page.
export async function render(main, state, setState) {
  destroyAll();
  const prev = previous(state.from, state.to);
  const [cur, before, trend, groups, alerts, dept, cards] = await Promise.all([
    api.kpis({from: state.from, to: state.to}),
    api.kpis({from: prev.from, to: prev.to}),
    api.kpis({from: state.from, to: state.to, bucket: state.bucket}),
    api.kpis({from: state.from, to: state.to, group_by: state.group}),
    api.alerts(),
    api.scorecards({from: state.from, to: state.to, group_by: 'department'}),
    api.scorecards({from: state.from, to: state.to, group_by: state.group}),
  ]);
  const k = cur.series[0].kpis;
  const p = before.series[0].kpis;
  const targets = (dept.entries[0] || {kpis: {}}).kpis;
  const score = dept.entries[0] ? dept.entries[0].score : null;
  fill(main,
    h('div', {class: 'page-head'},
      h('div', {},
        h('h1', {}, 'Department KPIs'),
        h('p', {class: 'muted', id: 'period-text'}, range(state.from, state.to),
          h('span', {class: 'vs'}, ' compared with '), range(prev.from, prev.to))),
      h('div', {class: 'score', id: 'dept-score', title: 'Scorecard (DOMAIN.md §8): weighted attainment of the KPI targets', dataset: {value: num(score)}},
        h('span', {class: 'muted'}, 'Department score'), h('b', {}, score === null ? '—' : score.toFixed(1)), h('span', {class: 'muted'}, '/ 100'))),
    h('section', {class: 'tiles headline', id: 'tiles', 'aria-label': 'Headline KPIs'}, HEADLINE.map((key) => tile(key, k[key], p[key], targets[key], true))),
    h('section', {class: 'tiles secondary', id: 'tiles-more', 'aria-label': 'More KPIs'}, SECONDARY.map((key) => tile(key, k[key], p[key], targets[key], false))),
    card(`Trends by ${state.bucket}`, 'trends', h('div', {class: 'trend-grid'}, HEADLINE.map((key) => trendCard(key, trend.series, state.bucket, targets[key] ? targets[key].target : null)),
      volumeCard(trend.series, state.bucket))),
    atRiskCard(alerts),
    groupCard(groups, cards, alerts, state, setState),
    alertsCard(alerts, state, setState),
    allKpisCard(k, p, prev, state));
}

// Whether a value meets its scorecard target: 'meets', 'misses' or '' (no target or no value).
function versus(key, v, target) {
  if (!target || v === null || v === undefined) return '';
  return (KPIS[key].better === 'higher' ? v >= target.target : v <= target.target) ? 'meets' : 'misses';
}

function tile(key, cur, prev, target, big) {
  const def = KPIS[key];
  const v = headlineValue(key, cur);
  const pv = headlineValue(key, prev);
  const d = delta(key, v, pv);
  return h('article', {class: 'tile' + (big ? ' big' : ''), title: def.title,
    dataset: {kpi: key, value: num(v), prev: num(pv)}},
    h('h3', {}, def.label),
    h('div', {class: 'value ' + versus(key, v, target)}, formatValue(key, v)),
    h('div', {class: 'basis'}, formatBasis(key, cur)),
    target ? h('div', {class: 'target'}, 'target ' + formatValue(key, target.target)) : null,
    h('div', {class: 'compare'},
      h('span', {class: 'prev'}, 'prev ', h('b', {}, formatValue(key, pv))),
      d ? h('span', {class: 'delta ' + d.tone}, `${d.arrow} ${d.text}`) : null));
}

function num(v) {
  return v === null || v === undefined ? 'null' : String(v);
}

// Orders with at least one open alert, the most urgent first.
function atRiskOrders(alerts) {
  const by = new Map();
  for (const a of alerts) {
    if (!by.has(a.order_id)) by.set(a.order_id, {order_id: a.order_id, customer_id: a.customer_id, merchandiser_id: a.merchandiser_id, supplier_id: a.supplier_id, alerts: []});
    by.get(a.order_id).alerts.push(a);
  }
  const rank = (o) => Math.min(...o.alerts.map((a) => (ALERT_KINDS[a.kind] || {rank: 9}).rank));
  const since = (o) => o.alerts.map((a) => a.raised_at).sort()[0];
  for (const o of by.values()) o.alerts.sort((a, b) => (ALERT_KINDS[a.kind]?.rank ?? 9) - (ALERT_KINDS[b.kind]?.rank ?? 9));
  return [...by.values()].sort((a, b) => rank(a) - rank(b) || since(a).localeCompare(since(b)) || a.order_id.localeCompare(b.order_id));
}

function atRiskCard(alerts) {
  const orders = atRiskOrders(alerts);
  const late = orders.filter((o) => o.alerts.some((a) => a.kind === 'LATE')).length;
  const risk = orders.filter((o) => o.alerts.some((a) => a.kind === 'DELIVERY_AT_RISK')).length;
  return card(`At-risk orders (${orders.length})`, 'at-risk',
    h('p', {class: 'muted'}, `Every order with an open risk alert: ${late} late, ${risk} with delivery at risk. Most urgent first.`),
    orders.length === 0 ? h('p', {class: 'empty'}, 'No order has an open alert.') :
      h('div', {class: 'table-wrap tall'}, h('table', {class: 'data', id: 'at-risk-table'},
        h('thead', {}, h('tr', {}, ['Order', 'Alerts', 'Customer', 'Merchandiser', 'Supplier', 'Since'].map((c) => h('th', {}, c)))),
        h('tbody', {}, orders.map((o) => h('tr', {dataset: {order: o.order_id, kinds: o.alerts.map((a) => a.kind).sort().join(' ')}},
          h('td', {}, orderLink(o.order_id)),
          h('td', {class: 'badges'}, o.alerts.map((a) => kindBadge(a.kind, a.subject))),
          h('td', {class: 'nowrap'}, o.customer_id), h('td', {class: 'nowrap'}, o.merchandiser_id), h('td', {class: 'nowrap'}, o.supplier_id),
          h('td', {class: 'nowrap'}, instant(o.alerts.map((a) => a.raised_at).sort()[0]))))))));
}

function groupCard(groups, cards, alerts, state, setState) {
  const field = state.group + '_id';
  const openBy = new Map();
  const ordersBy = new Map();
  for (const a of alerts) {
    openBy.set(a[field], (openBy.get(a[field]) || 0) + 1);
    if (!ordersBy.has(a[field])) ordersBy.set(a[field], new Set());
    ordersBy.get(a[field]).add(a.order_id);
  }
  const cardOf = new Map(cards.entries.map((e) => [e.group, e]));
  const rows = groups.series.map((s) => ({group: s.group, kpis: s.kpis, card: cardOf.get(s.group)}));
  const seen = new Set(rows.map((r) => r.group));
  for (const g of openBy.keys()) if (!seen.has(g)) rows.push({group: g, kpis: null});  // alerts but no KPI data in the period
  // best score first (the scorecard's rank), then the unscored by name
  const rank = (r) => (r.card && r.card.score !== null ? r.card.rank : Infinity);
  rows.sort((a, b) => rank(a) - rank(b) || a.group.localeCompare(b.group));
  const tabs = h('div', {class: 'tabs', role: 'tablist'}, Object.entries(GROUPS).map(([g, name]) =>
    h('button', {type: 'button', role: 'tab', 'aria-selected': String(g === state.group), class: g === state.group ? 'active' : '',
      dataset: {group: g}, onclick: () => setState({group: g})}, name)));
  return card('By ' + GROUPS[state.group].toLowerCase(), 'groups', tabs,
    h('div', {class: 'table-wrap'}, h('table', {class: 'data', id: 'group-table', dataset: {groupBy: state.group}},
      h('thead', {}, h('tr', {}, h('th', {}, GROUPS[state.group]), h('th', {class: 'num', title: 'Scorecard (DOMAIN.md §8), 0-100'}, 'Score'), GROUP_COLUMNS.map((key) => h('th', {class: 'num', title: KPIS[key].title}, KPIS[key].label)),
        h('th', {class: 'num'}, 'Orders due'), h('th', {class: 'num'}, 'At-risk orders'), h('th', {class: 'num'}, 'Open alerts'))),
      h('tbody', {}, rows.map((r) => h('tr', {dataset: {group: r.group}},
        h('th', {scope: 'row'}, r.group),
        h('td', {class: 'num score-cell', dataset: {score: num(r.card ? r.card.score : null)}},
          r.card && r.card.score !== null ? h('b', {}, r.card.score.toFixed(1)) : '—', r.card && r.card.score !== null ? h('span', {class: 'muted'}, ` #${r.card.rank}`) : null),
        GROUP_COLUMNS.map((key) => {
          const v = r.kpis ? headlineValue(key, r.kpis[key]) : null;
          const target = r.card ? r.card.kpis[key] : null;
          return h('td', {class: 'num ' + versus(key, v, target), title: r.kpis ? formatBasis(key, r.kpis[key]) : '', dataset: {kpi: key, value: num(v)}}, formatValue(key, v));
        }),
        h('td', {class: 'num'}, r.kpis ? r.kpis.otif_rate.denominator : 0),
        h('td', {class: 'num'}, ordersBy.get(r.group)?.size || 0),
        h('td', {class: 'num'}, openBy.get(r.group) || 0)))))));
}

function alertsCard(alerts, state, setState) {
  const counts = {};
  for (const a of alerts) counts[a.kind] = (counts[a.kind] || 0) + 1;
  const shown = state.kind ? alerts.filter((a) => a.kind === state.kind) : alerts;
  const chip = (kind, text, n) => h('button', {type: 'button', class: 'chip' + ((state.kind || '') === kind ? ' active' : ''),
    dataset: {kind}, onclick: () => setState({kind})}, `${text} (${n})`);
  return card(`Open alerts (${alerts.length})`, 'alerts',
    h('div', {class: 'chips'}, chip('', 'All', alerts.length),
      Object.entries(ALERT_KINDS).map(([kind, d]) => chip(kind, d.label, counts[kind] || 0))),
    shown.length === 0 ? h('p', {class: 'empty'}, 'No open alerts.') :
      h('div', {class: 'table-wrap tall'}, h('table', {class: 'data', id: 'alerts-table'},
        h('thead', {}, h('tr', {}, ['Raised', 'Kind', 'Order', 'What', 'Merchandiser'].map((c) => h('th', {}, c)))),
        h('tbody', {}, shown.map((a) => h('tr', {dataset: {alertId: a.alert_id, order: a.order_id, kind: a.kind}},
          h('td', {class: 'nowrap'}, instant(a.raised_at)),
          h('td', {}, kindBadge(a.kind, a.subject)),
          h('td', {}, orderLink(a.order_id)),
          h('td', {class: 'message'}, a.message),
          h('td', {class: 'nowrap'}, a.merchandiser_id)))))));
}

function allKpisCard(k, p, prev, state) {
  return h('details', {class: 'card', id: 'all-kpis'},
    h('summary', {}, h('h2', {}, 'Every KPI')),
    h('div', {class: 'table-wrap'}, h('table', {class: 'data'},
      h('thead', {}, h('tr', {}, h('th', {}, 'KPI'), h('th', {class: 'num'}, range(state.from, state.to)), h('th', {}, 'basis'),
        h('th', {class: 'num'}, range(prev.from, prev.to)), h('th', {}, 'change'))),
      h('tbody', {}, Object.keys(KPIS).map((key) => {
        const v = headlineValue(key, k[key]);
        const pv = headlineValue(key, p[key]);
        const d = delta(key, v, pv);
        return h('tr', {dataset: {kpi: key}}, h('th', {scope: 'row', title: KPIS[key].title}, KPIS[key].label),
          h('td', {class: 'num'}, formatValue(key, v)), h('td', {class: 'basis'}, formatBasis(key, k[key])),
          h('td', {class: 'num'}, formatValue(key, pv)),
          h('td', {}, d ? h('span', {class: 'delta ' + d.tone}, `${d.arrow} ${d.text}`) : '—'));
      })))));
}
