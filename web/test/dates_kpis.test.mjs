// Unit tests of the dashboard's pure modules (web/src/dates.js, web/src/kpis.js) with node's
// built-in test runner: node --test web/test/   (ctest: WebUnit)
import test from 'node:test';
import assert from 'node:assert/strict';
import {previous, preset, defaultBucket, addDays, isValid, label} from '../src/dates.js';
import {KPIS, HEADLINE, SECONDARY, formatValue, formatBasis, delta, headlineValue} from '../src/kpis.js';

test('previous: whole calendar months are compared with as many whole months before', () => {
  assert.deepEqual(previous('2026-01-01', '2026-03-31'), {from: '2025-10-01', to: '2025-12-31'});
  assert.deepEqual(previous('2026-03-01', '2026-03-31'), {from: '2026-02-01', to: '2026-02-28'});
  assert.deepEqual(previous('2024-03-01', '2024-03-31'), {from: '2024-02-01', to: '2024-02-29'});
  assert.deepEqual(previous('2026-01-01', '2026-12-31'), {from: '2025-01-01', to: '2025-12-31'});
});

test('previous: any other range is compared with as many days just before it', () => {
  assert.deepEqual(previous('2026-10-29', '2026-11-27'), {from: '2026-09-29', to: '2026-10-28'});
  assert.deepEqual(previous('2026-03-01', '2026-03-01'), {from: '2026-02-28', to: '2026-02-28'});
  assert.deepEqual(previous('2026-01-15', '2026-02-14'), {from: '2025-12-15', to: '2026-01-14'});
});

test('presets end today and cover what their names say', () => {
  const now = '2026-11-27';
  assert.deepEqual(preset('7d', now), {from: '2026-11-21', to: now});
  assert.deepEqual(preset('30d', now), {from: '2026-10-29', to: now});
  assert.deepEqual(preset('90d', now), {from: '2026-08-30', to: now});
  assert.deepEqual(preset('this-month', now), {from: '2026-11-01', to: now});
  assert.deepEqual(preset('last-month', now), {from: '2026-10-01', to: '2026-10-31'});
  assert.deepEqual(preset('this-quarter', now), {from: '2026-10-01', to: now});
  assert.deepEqual(preset('last-quarter', now), {from: '2026-07-01', to: '2026-09-30'});
  assert.deepEqual(preset('ytd', now), {from: '2026-01-01', to: now});
  assert.deepEqual(preset('last-month', '2026-01-10'), {from: '2025-12-01', to: '2025-12-31'});
  assert.deepEqual(preset('last-quarter', '2026-02-10'), {from: '2025-10-01', to: '2025-12-31'});
});

test('dates: arithmetic, validation, labels and default buckets', () => {
  assert.equal(addDays('2025-12-31', 1), '2026-01-01');
  assert.equal(addDays('2024-03-01', -1), '2024-02-29');
  assert.ok(isValid('2026-02-28'));
  assert.ok(!isValid('2026-02-30'));
  assert.ok(!isValid('26-02-01'));
  assert.ok(!isValid(null));
  assert.equal(label('2026-01-05'), '5 Jan 2026');
  assert.equal(label('2026-01-05', 'month'), 'Jan 2026');
  assert.equal(defaultBucket('2026-11-01', '2026-11-30'), 'day');
  assert.equal(defaultBucket('2026-08-30', '2026-11-27'), 'week');
  assert.equal(defaultBucket('2026-01-01', '2026-12-31'), 'month');
});

test('every KPI of DOMAIN.md §5 has a definition; tiles name known KPIs once', () => {
  const keys = ['otif_rate', 'on_time_delivery_rate', 'completion_rate', 'perfect_order_rate', 'order_accuracy_rate',
    'confirmation_hours', 'cycle_time_days', 'csat', 'rating', 'complaint_rate', 'issue_resolution_hours', 'issue_sla_rate',
    'issue_reopen_rate', 'first_contact_resolution_rate', 'handoff_ack_hours', 'handoff_on_time_rate',
    'inspection_pass_rate', 'first_pass_yield', 'defect_ppm', 'proactive_update_rate'];
  assert.deepEqual(Object.keys(KPIS).sort(), [...keys].sort());
  const tiles = [...HEADLINE, ...SECONDARY];
  assert.equal(new Set(tiles).size, tiles.length);
  for (const k of tiles) assert.ok(KPIS[k], k);
});

test('values are formatted by kind, null as a dash', () => {
  assert.equal(formatValue('otif_rate', 0.875), '87.5%');
  assert.equal(formatValue('otif_rate', 1), '100.0%');
  assert.equal(formatValue('otif_rate', null), '—');
  assert.equal(formatValue('issue_resolution_hours', 31.25), '31.3 h');
  assert.equal(formatValue('cycle_time_days', 12), '12.0 d');
  assert.equal(formatValue('rating', 4.214), '4.21 / 5');
  assert.equal(formatValue('defect_ppm', 26657.66), '26,658 ppm');
  assert.equal(headlineValue('otif_rate', {value: 0.5, numerator: 1, denominator: 2}), 0.5);
  assert.equal(headlineValue('confirmation_hours', {count: 2, mean: 3, p50: 2, p90: 4}), 3);
  assert.equal(formatBasis('otif_rate', {value: 0.5, numerator: 1260, denominator: 2520}), '1,260 / 2,520 orders due');
  assert.equal(formatBasis('confirmation_hours', {count: 0, mean: null, p50: null, p90: null}), 'no confirmed');
  assert.equal(formatBasis('confirmation_hours', {count: 3, mean: 2, p50: 2, p90: 5.04}), 'n = 3 confirmed · p90 5.0 h');
});

test('the change against the previous period: points for rates, good or bad by direction', () => {
  assert.deepEqual(delta('otif_rate', 0.9, 0.8), {text: '10.0 pts', tone: 'good', arrow: '▲'});
  assert.deepEqual(delta('otif_rate', 0.7, 0.8), {text: '10.0 pts', tone: 'bad', arrow: '▼'});
  assert.deepEqual(delta('complaint_rate', 0.1, 0.2), {text: '10.0 pts', tone: 'good', arrow: '▼'});
  assert.deepEqual(delta('issue_resolution_hours', 50, 40), {text: '10.0 h', tone: 'bad', arrow: '▲'});
  assert.equal(delta('otif_rate', 0.8, 0.80001).tone, 'flat');
  assert.equal(delta('otif_rate', null, 0.8), null);
  assert.equal(delta('otif_rate', 0.8, null), null);
});
