// An order's page (#/orders/{id}): status, milestones planned vs actual, open alerts, lines,
// shipments, issues, handoffs and the timeline of recorded events.
import * as api from './api.js';
import {h, fill, card} from './dom.js';
import {instant, localDate, label, daysBetween} from './dates.js';
import {kindBadge} from './overview.js';

const STAGES = ['PLACED', 'CONFIRMED', 'IN_PRODUCTION', 'PRODUCED', 'READY_TO_SHIP', 'SHIPPING', 'DELIVERED', 'CLOSED'];
const MILESTONES = ['MATERIALS_IN_HOUSE', 'PRODUCTION_START', 'PRODUCTION_END', 'FINAL_INSPECTION', 'EX_FACTORY', 'DELIVERY'];

function words(s) {
  if (!s) return '—';
  const t = String(s).toLowerCase().replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

function date(s) {
  return s ? label(s) : '—';
}

export async function render(main, id) {
  let o;
  let events;
  try {
    [o, events] = await Promise.all([api.order(id), api.orderEvents(id)]);
  } catch (e) {
    if (e.status === 404) {
      fill(main, h('p', {class: 'back'}, h('a', {href: '#/'}, '← Dashboard')),
        h('div', {class: 'card', id: 'order-missing'}, h('h1', {}, 'Order ' + id), h('p', {}, 'gendan has no order ' + id + '.')));
      return;
    }
    throw e;
  }
  fill(main,
    h('p', {class: 'back'}, h('a', {href: '#/'}, '← Dashboard')),
    header(o),
    o.alerts.length ? card(`Open alerts (${o.alerts.length})`, 'order-alerts', h('ul', {class: 'alert-list'},
      o.alerts.map((a) => h('li', {dataset: {kind: a.kind}}, kindBadge(a.kind, a.subject), ' ', a.message,
        h('span', {class: 'muted'}, ' · since ' + instant(a.raised_at)))))) : null,
    h('div', {class: 'two-col'}, milestones(o), lines(o)),
    o.shipments.length ? shipments(o) : null,
    h('div', {class: 'two-col'}, o.issues.length ? issues(o) : null, o.handoffs.length ? handoffs(o) : null),
    timeline(events));
}

function header(o) {
  const done = o.stage === 'CANCELLED' ? -1 : STAGES.indexOf(o.stage);
  const onTime = o.on_time === null ? null : o.on_time ? h('span', {class: 'badge good'}, 'On time') : h('span', {class: 'badge bad'}, 'Late');
  const fact = (k, v) => h('div', {class: 'fact'}, h('dt', {}, k), h('dd', {}, v));
  return h('section', {class: 'card order-head', id: 'order', dataset: {order: o.order_id, stage: o.stage}},
    h('h1', {}, 'Order ', h('span', {class: 'order-id'}, o.order_id), ' ',
      h('span', {class: 'badge stage', id: 'order-stage'}, words(o.stage)),
      o.on_hold ? h('span', {class: 'badge warn'}, 'On hold') : null, onTime),
    o.stage === 'CANCELLED' ? null : h('ol', {class: 'stages', 'aria-label': 'Lifecycle'}, STAGES.map((s, i) =>
      h('li', {class: i < done ? 'done' : i === done ? 'current' : ''}, words(s)))),
    h('dl', {class: 'facts'},
      fact('Customer', o.customer_id), fact('Merchandiser', o.merchandiser_id), fact('Supplier', o.supplier_id),
      fact('Placed', instant(o.placed_at)), fact('Requested', date(o.requested_date)),
      fact('Committed', date(o.commit_date)), fact('Delivered', instant(o.completed_at)),
      fact('Incoterm', o.incoterm || '—'), fact('Version', o.version), fact('Last event', instant(o.last_event_at))));
}

// Planned date against the actual fact; late/early in whole days of the browser's calendar.
function milestoneStatus(m, overdue) {
  if (m.actual) {
    if (!m.planned) return h('span', {class: 'badge info'}, 'Done');
    const late = daysBetween(m.planned, localDate(m.actual));
    return late > 0 ? h('span', {class: 'badge bad'}, `Done ${late} d late`) : h('span', {class: 'badge good'}, 'Done on plan');
  }
  if (overdue) return h('span', {class: 'badge bad'}, 'Overdue');
  return m.planned ? h('span', {class: 'badge muted'}, 'Planned') : h('span', {class: 'muted'}, '—');
}

function milestones(o) {
  const by = new Map(o.milestones.map((m) => [m.milestone, m]));
  const overdue = new Set(o.alerts.filter((a) => a.kind === 'MILESTONE_OVERDUE').map((a) => a.subject));
  return card('Milestones', 'milestones', h('div', {class: 'table-wrap'}, h('table', {class: 'data', id: 'milestone-table'},
    h('thead', {}, h('tr', {}, h('th', {}, 'Milestone'), h('th', {}, 'Planned'), h('th', {}, 'Actual'), h('th', {}, 'Status'))),
    h('tbody', {}, MILESTONES.map((name) => {
      const m = by.get(name) || {milestone: name, planned: null, actual: null};
      return h('tr', {dataset: {milestone: name}}, h('th', {scope: 'row'}, words(name)),
        h('td', {class: 'nowrap'}, date(m.planned)), h('td', {class: 'nowrap'}, instant(m.actual)),
        h('td', {}, milestoneStatus(m, overdue.has(name))));
    })))));
}

function bar(part, whole) {
  const pct = whole ? Math.min(100, Math.round((100 * part) / whole)) : 0;
  return h('progress', {max: 100, value: pct, title: pct + '%'});
}

function lines(o) {
  return card('Lines', 'lines', h('div', {class: 'table-wrap'}, h('table', {class: 'data'},
    h('thead', {}, h('tr', {}, ['Line', 'SKU', 'Ordered', 'Shipped', 'Delivered', ''].map((c) => h('th', {}, c)))),
    h('tbody', {}, o.lines.map((l) => h('tr', {}, h('td', {}, l.line_id), h('td', {}, l.sku),
      h('td', {class: 'num'}, l.ordered), h('td', {class: 'num'}, l.shipped), h('td', {class: 'num'}, l.delivered),
      h('td', {}, bar(l.delivered, l.ordered))))))));
}

function shipments(o) {
  return card('Shipments', 'shipments', h('div', {class: 'table-wrap'}, h('table', {class: 'data'},
    h('thead', {}, h('tr', {}, ['Shipment', 'Carrier', 'Tracking', 'Dispatched', 'ETA', 'Delivered', 'Damaged'].map((c) => h('th', {}, c)))),
    h('tbody', {}, o.shipments.map((s) => h('tr', {}, h('td', {}, s.shipment_id), h('td', {}, s.carrier), h('td', {}, s.tracking_number),
      h('td', {class: 'nowrap'}, instant(s.dispatched_at)), h('td', {class: 'nowrap'}, date(s.estimated_arrival_date)),
      h('td', {class: 'nowrap'}, instant(s.delivered_at)), h('td', {class: 'num'}, s.damaged_quantity || 0)))))));
}

function issues(o) {
  return card('Issues', 'issues', h('div', {class: 'table-wrap'}, h('table', {class: 'data'},
    h('thead', {}, h('tr', {}, ['Issue', 'Category', 'Severity', 'Owner', 'Status', 'Raised', 'Resolved'].map((c) => h('th', {}, c)))),
    h('tbody', {}, o.issues.map((i) => h('tr', {title: i.description || ''}, h('td', {}, i.issue_id),
      h('td', {}, words(i.category) + (i.complaint_reason ? ' (' + words(i.complaint_reason).toLowerCase() + ')' : '')),
      h('td', {}, words(i.severity)), h('td', {}, words(i.owner_department)),
      h('td', {}, h('span', {class: 'badge ' + (i.status === 'OPEN' ? 'warn' : 'good')}, words(i.status)), i.reopen_count ? ` reopened ×${i.reopen_count}` : ''),
      h('td', {class: 'nowrap'}, instant(i.raised_at)), h('td', {class: 'nowrap'}, instant(i.resolved_at))))))));
}

function handoffs(o) {
  return card('Handoffs', 'handoffs', h('div', {class: 'table-wrap'}, h('table', {class: 'data'},
    h('thead', {}, h('tr', {}, ['Handoff', 'From → to', 'Subject', 'Status', 'Due', 'Completed'].map((c) => h('th', {}, c)))),
    h('tbody', {}, o.handoffs.map((x) => h('tr', {}, h('td', {}, x.handoff_id),
      h('td', {}, `${words(x.from_department)} → ${words(x.to_department)}`), h('td', {}, x.subject),
      h('td', {}, words(x.status)), h('td', {class: 'nowrap'}, instant(x.due_at)), h('td', {class: 'nowrap'}, instant(x.completed_at))))))));
}

const PAYLOADS = ['order_placed', 'order_confirmed', 'order_amended', 'order_held', 'order_released', 'order_cancelled', 'order_closed',
  'document_issued', 'document_corrected', 'milestone_planned', 'materials_in_house', 'production_started', 'production_completed',
  'inspection_recorded', 'shipment_dispatched', 'shipment_delivered', 'customer_contacted', 'feedback_received', 'issue_raised',
  'issue_resolved', 'issue_reopened', 'handoff_requested', 'handoff_acknowledged', 'handoff_completed'];

// One line saying what an event recorded.
function describe(e) {
  const name = PAYLOADS.find((p) => p in e) || 'event';
  const p = e[name] || {};
  const detail = {
    order_placed: () => `${p.customer_id}, ${(p.lines || []).length} line(s), requested ${p.requested_date}`,
    order_confirmed: () => `promised ${p.promised_date}`,
    order_amended: () => [words(p.reason), p.new_promised_date && `new date ${p.new_promised_date}`, (p.line_changes || []).length && `${p.line_changes.length} line change(s)`].filter(Boolean).join(', '),
    order_held: () => p.reason, order_cancelled: () => [p.reason, p.cancelled_by && `by ${words(p.cancelled_by).toLowerCase()}`].filter(Boolean).join(' '),
    document_issued: () => `${words(p.document_type)} ${p.document_id}`,
    document_corrected: () => `${p.document_id}: ${p.reason || ''}`,
    milestone_planned: () => `${words(p.milestone)} on ${p.planned_date}`,
    production_completed: () => p.produced_quantity && `${p.produced_quantity} produced`,
    inspection_recorded: () => `${words(p.stage)} ${words(p.result).toLowerCase()}, ${p.defective_quantity || 0} of ${p.inspected_quantity || 0} defective`,
    shipment_dispatched: () => `${p.shipment_id} by ${p.carrier}, ETA ${p.estimated_arrival_date}`,
    shipment_delivered: () => `${p.shipment_id}` + (p.damaged_quantity ? `, ${p.damaged_quantity} damaged` : ''),
    customer_contacted: () => `${words(p.purpose)} by ${words(p.channel).toLowerCase()}`,
    feedback_received: () => `rating ${p.rating}` + (p.comment ? `: ${p.comment}` : ''),
    issue_raised: () => `${p.issue_id} ${words(p.category).toLowerCase()} (${words(p.severity).toLowerCase()})`,
    issue_resolved: () => `${p.issue_id}` + (p.first_contact ? ' at first contact' : ''),
    issue_reopened: () => `${p.issue_id}: ${p.reason || ''}`,
    handoff_requested: () => `${p.handoff_id} ${words(p.from_department)} → ${words(p.to_department)}: ${p.subject || ''}`,
    handoff_acknowledged: () => p.handoff_id, handoff_completed: () => p.handoff_id,
  }[name];
  return {name, title: words(name), detail: detail ? detail() || '' : ''};
}

function timeline(events) {
  return card(`Timeline (${events.length} events)`, 'timeline', h('ol', {class: 'timeline'}, events.map((e) => {
    const d = describe(e);
    return h('li', {dataset: {version: e.version, type: d.name}},
      h('time', {datetime: e.occurred_at}, instant(e.occurred_at)),
      h('div', {}, h('b', {}, d.title), d.detail ? ' — ' + d.detail : '',
        h('div', {class: 'muted small'}, `v${e.version} · ${e.source || '?'}${e.actor ? ' · ' + e.actor : ''}`)));
  })));
}
