// Trend charts with Chart.js (vendored: web/vendor/chart.umd.min.js, loaded as a classic
// script that defines window.Chart). One line chart per KPI over the period's buckets.
import {KPIS, formatValue, formatBasis, headlineValue, isRate} from './kpis.js';
import {label} from './dates.js';
import {h} from './dom.js';

const COLORS = {line: '#2563eb', fill: 'rgba(37, 99, 235, 0.10)', p90: '#9333ea', target: '#15803d', grid: '#e5e7eb'};
const live = new Map();  // canvas id -> Chart, destroyed before a redraw

export function destroyAll() {
  for (const c of live.values()) c.destroy();
  live.clear();
}

function bucketLabel(start, bucket) {
  return bucket === 'month' ? label(start, 'month') : label(start, 'short');
}

// A card with the chart of `key` over `series` (the /v1/kpis entries, one per bucket) and the
// same numbers as a table for screen readers and for checking.
export function trendCard(key, series, bucket, target = null) {
  const def = KPIS[key];
  const id = 'chart-' + key;
  const canvas = h('canvas', {id, role: 'img', 'aria-label': `${def.label} by ${bucket}`});
  const rows = series.map((s) => {
    const k = s.kpis[key];
    return h('tr', {dataset: {bucket: s.bucket_start, value: jsonNum(headlineValue(key, k))}},
      h('td', {}, s.bucket_start), h('td', {class: 'num'}, formatValue(key, headlineValue(key, k))),
      h('td', {class: 'basis'}, formatBasis(key, k)));
  });
  const table = h('details', {class: 'chart-data'}, h('summary', {}, 'Data'),
    h('table', {class: 'data'}, h('thead', {}, h('tr', {}, h('th', {}, bucket), h('th', {}, def.label), h('th', {}, 'basis'))),
      h('tbody', {}, rows)));
  const el = h('figure', {class: 'trend', dataset: {kpi: key}},
    h('figcaption', {title: def.title}, def.label, h('span', {class: 'muted'}, ` by ${bucket}`)),
    h('div', {class: 'chart-box'}, canvas), table);
  requestAnimationFrame(() => draw(canvas, key, series, bucket, target));
  return el;
}

function jsonNum(v) {
  return v === null || v === undefined ? 'null' : String(v);
}

// `target`: the department scorecard's target for this KPI (a dashed line), or null.
function draw(canvas, key, series, bucket, target) {
  if (!window.Chart || !canvas.isConnected) return;
  const def = KPIS[key];
  const rate = def.kind === 'rate';
  const scale = (v) => (v === null || v === undefined ? null : rate ? v * 100 : v);
  const datasets = [{
    label: isRate(key) ? def.label : `${def.label} (mean)`,
    data: series.map((s) => scale(headlineValue(key, s.kpis[key]))),
    borderColor: COLORS.line, backgroundColor: COLORS.fill, fill: true, tension: 0.25,
    pointRadius: series.length > 40 ? 0 : 3, spanGaps: false,
  }];
  if (!isRate(key)) {
    datasets.push({label: 'p90', data: series.map((s) => scale(s.kpis[key].p90)),
      borderColor: COLORS.p90, borderDash: [5, 4], borderWidth: 1.5, pointRadius: 0, fill: false, tension: 0.25});
  }
  if (target !== null && target !== undefined) {
    datasets.push({label: 'target', data: series.map(() => scale(target)), borderColor: COLORS.target,
      borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, fill: false});
  }
  const chart = new window.Chart(canvas, {
    type: 'line',
    data: {labels: series.map((s) => bucketLabel(s.bucket_start, bucket)), datasets},
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      interaction: {mode: 'index', intersect: false},
      scales: {
        x: {grid: {display: false}, ticks: {maxRotation: 0, autoSkipPadding: 12}},
        y: {beginAtZero: true, suggestedMax: rate ? 100 : undefined, grid: {color: COLORS.grid},
          ticks: {callback: (v) => (rate ? v + '%' : v)}},
      },
      plugins: {
        legend: {display: datasets.length > 1, position: 'bottom', labels: {boxWidth: 12}},
        tooltip: {callbacks: {
          label: (ctx) => {
            const k = series[ctx.dataIndex].kpis[key];
            if (ctx.dataset.label === 'target') return 'target ' + formatValue(key, target);
            if (ctx.dataset.label === 'p90') return 'p90 ' + formatValue(key, k.p90);
            return `${formatValue(key, headlineValue(key, k))} (${formatBasis(key, k)})`;
          },
        }},
      },
    },
  });
  live.set(canvas.id, chart);
}

// Orders due (commit date in the bucket) and delivered per bucket: the volume behind the rates.
export function volumeCard(series, bucket) {
  const canvas = h('canvas', {id: 'chart-volume', role: 'img', 'aria-label': `Orders due and delivered by ${bucket}`});
  const due = (s) => s.kpis.otif_rate.denominator;
  const delivered = (s) => s.kpis.perfect_order_rate.denominator;
  const table = h('details', {class: 'chart-data'}, h('summary', {}, 'Data'),
    h('table', {class: 'data'}, h('thead', {}, h('tr', {}, h('th', {}, bucket), h('th', {class: 'num'}, 'due'), h('th', {class: 'num'}, 'delivered'))),
      h('tbody', {}, series.map((s) => h('tr', {dataset: {bucket: s.bucket_start, due: due(s), delivered: delivered(s)}},
        h('td', {}, s.bucket_start), h('td', {class: 'num'}, due(s)), h('td', {class: 'num'}, delivered(s)))))));
  const el = h('figure', {class: 'trend', dataset: {kpi: 'volume'}},
    h('figcaption', {title: 'Orders whose commit date falls in the bucket, and orders delivered in it'}, 'Orders due and delivered', h('span', {class: 'muted'}, ` by ${bucket}`)),
    h('div', {class: 'chart-box'}, canvas), table);
  requestAnimationFrame(() => {
    if (!window.Chart || !canvas.isConnected) return;
    live.set(canvas.id, new window.Chart(canvas, {
      type: 'bar',
      data: {labels: series.map((s) => bucketLabel(s.bucket_start, bucket)), datasets: [
        {label: 'due', data: series.map(due), backgroundColor: '#93c5fd'},
        {label: 'delivered', data: series.map(delivered), backgroundColor: '#1d4ed8'}]},
      options: {animation: false, responsive: true, maintainAspectRatio: false,
        scales: {x: {grid: {display: false}, ticks: {maxRotation: 0, autoSkipPadding: 12}}, y: {beginAtZero: true, grid: {color: COLORS.grid}}},
        plugins: {legend: {position: 'bottom', labels: {boxWidth: 12}}}},
    }));
  });
  return el;
}
