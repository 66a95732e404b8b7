// What each KPI of DOMAIN.md §5 means on screen: its label, how to read its JSON (a rate has
// value/numerator/denominator, a duration count/mean/p50/p90) and which way is better.
// Pure functions: no DOM, no fetch.

// kind: 'rate' (0..1, shown as %), 'ppm', 'hours', 'days', 'rating' (a 1..5 mean).
// noun: what the denominator (or a duration's count) counts.
export const KPIS = {
  otif_rate: {label: 'OTIF', title: 'On time in full: orders due in the period delivered by their commit date', kind: 'rate', better: 'higher', noun: 'orders due'},
  on_time_delivery_rate: {label: 'On-time delivery', title: 'Orders delivered in the period on or before their commit date', kind: 'rate', better: 'higher', noun: 'delivered'},
  perfect_order_rate: {label: 'Perfect orders', title: 'Delivered on time, no document correction, no damage, no quality/quantity/damage/documentation complaint', kind: 'rate', better: 'higher', noun: 'delivered'},
  csat: {label: 'CSAT', title: 'Customer feedback rated 4 or 5', kind: 'rate', better: 'higher', noun: 'ratings'},
  issue_resolution_hours: {label: 'Issue resolution', title: 'Hours from raised to resolved, issues resolved in the period (mean)', kind: 'hours', better: 'lower', noun: 'resolved'},
  order_accuracy_rate: {label: 'Order accuracy', title: 'Orders placed with no entry-error amendment and no document correction', kind: 'rate', better: 'higher', noun: 'placed'},
  completion_rate: {label: 'Completion', title: 'Orders due in the period delivered by now (any date)', kind: 'rate', better: 'higher', noun: 'orders due'},
  issue_sla_rate: {label: 'Issues within SLA', title: 'Resolved issues resolved within their severity SLA', kind: 'rate', better: 'higher', noun: 'resolved'},
  handoff_on_time_rate: {label: 'Handoffs on time', title: 'Handoffs due in the period completed by their due time', kind: 'rate', better: 'higher', noun: 'due'},
  confirmation_hours: {label: 'Confirmation time', title: 'Hours from order placed to confirmed (mean)', kind: 'hours', better: 'lower', noun: 'confirmed'},
  cycle_time_days: {label: 'Cycle time', title: 'Days from order placed to delivered (mean)', kind: 'days', better: 'lower', noun: 'delivered'},
  complaint_rate: {label: 'Complaints', title: 'Customer complaints raised per order delivered', kind: 'rate', better: 'lower', noun: 'delivered'},
  first_pass_yield: {label: 'First-pass yield', title: 'Orders whose first final inspection passed', kind: 'rate', better: 'higher', noun: 'orders inspected'},
  inspection_pass_rate: {label: 'Inspection pass rate', title: 'Final inspections that passed', kind: 'rate', better: 'higher', noun: 'inspections'},
  defect_ppm: {label: 'Defects', title: 'Defective per million inspected', kind: 'ppm', better: 'lower', noun: 'inspected'},
  first_contact_resolution_rate: {label: 'First-contact resolution', title: 'Complaints resolved at first contact and never reopened', kind: 'rate', better: 'higher', noun: 'complaints resolved'},
  issue_reopen_rate: {label: 'Issue reopen rate', title: 'Reopenings per resolution', kind: 'rate', better: 'lower', noun: 'resolutions'},
  handoff_ack_hours: {label: 'Handoff acknowledgement', title: 'Hours from handoff requested to acknowledged (mean)', kind: 'hours', better: 'lower', noun: 'acknowledged'},
  rating: {label: 'Rating', title: 'Mean customer rating (1-5)', kind: 'rating', better: 'higher', noun: 'ratings'},
  proactive_update_rate: {label: 'Proactive updates', title: 'Delivered orders that had a status update before delivery', kind: 'rate', better: 'higher', noun: 'delivered'},
};

// The five KPIs the department is judged on first: big tiles and a trend chart each.
export const HEADLINE = ['otif_rate', 'on_time_delivery_rate', 'perfect_order_rate', 'csat', 'issue_resolution_hours'];
// Smaller tiles below them.
export const SECONDARY = ['order_accuracy_rate', 'completion_rate', 'issue_sla_rate', 'handoff_on_time_rate', 'confirmation_hours', 'cycle_time_days', 'complaint_rate'];

export function isRate(key) {
  return KPIS[key].kind === 'rate' || KPIS[key].kind === 'ppm';
}

// The one number a KPI is judged by: a rate's value, a duration's or rating's mean.
export function headlineValue(key, k) {
  if (!k) return null;
  return isRate(key) ? k.value : k.mean;
}

// The headline number as text: "87.5%", "31.2 h", "12.0 d", "4.21 / 5", "2,666 ppm", or "—".
export function formatValue(key, v) {
  if (v === null || v === undefined) return '—';
  switch (KPIS[key].kind) {
    case 'rate': return (v * 100).toFixed(1) + '%';
    case 'ppm': return Math.round(v).toLocaleString('en-US') + ' ppm';
    case 'hours': return v.toFixed(1) + ' h';
    case 'days': return v.toFixed(1) + ' d';
    case 'rating': return v.toFixed(2) + ' / 5';
  }
  return String(v);
}

// What the number is made of: "126 / 144 orders due" or "n = 262 resolved · p90 1069.6 h".
export function formatBasis(key, k) {
  if (!k) return '';
  const d = KPIS[key];
  if (isRate(key)) return `${k.numerator.toLocaleString('en-US')} / ${k.denominator.toLocaleString('en-US')} ${d.noun}`;
  if (!k.count) return `no ${d.noun}`;
  const p90 = d.kind === 'rating' ? k.p90.toFixed(0) : formatValue(key, k.p90);
  return `n = ${k.count.toLocaleString('en-US')} ${d.noun} · p90 ${p90}`;
}

// The change from the previous period: {text, tone} with tone 'good', 'bad' or 'flat';
// null when either side has no value. Rates change in percentage points.
export function delta(key, cur, prev) {
  if (cur === null || cur === undefined || prev === null || prev === undefined) return null;
  const d = KPIS[key];
  let diff = cur - prev;
  let text;
  if (d.kind === 'rate') {
    diff *= 100;
    text = Math.abs(diff).toFixed(1) + ' pts';
  } else {
    text = formatValue(key, Math.abs(diff));
  }
  if (text.startsWith('0.0 ') || text === '0 ppm' || text.startsWith('0.00 ')) return {text: 'no change', tone: 'flat', arrow: '='};
  const up = diff > 0;
  const good = up === (d.better === 'higher');
  return {text, tone: good ? 'good' : 'bad', arrow: up ? '▲' : '▼'};
}
