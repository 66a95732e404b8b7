// The dashboard in a real browser: Debian's Chromium, headless, driven by playwright-core
// (pinned in web/package-lock.json), against a running gendan fed with a workload. Every number
// the page shows is checked against the /v1 API it came from; screenshots are saved.
//
//   node tests/e2e/dashboard_browser.mjs
//
// Env: BASE (gendan's HTTP address), OUT (screenshot folder), FROM/TO (the period to show) and
// PREV_FROM/PREV_TO (the previous period the dashboard must compare with, worked out by the
// caller), PRESET (optional: the page's preset that must give FROM..TO), BUCKET (the trend
// bucket, default week), WEB_DIR (web/, where playwright-core is
// installed), CHROMIUM (default /usr/bin/chromium), TOKEN_BASE and TOKEN (a gendan serve of the
// same read models with serve.auth_token = TOKEN). Exit 0 when every check passed, 1 otherwise.
import {createRequire} from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const env = (k, d) => process.env[k] ?? d ?? (() => { throw new Error(`${k} is required`); })();
const BASE = env('BASE');
const OUT = env('OUT');
const FROM = env('FROM');
const TO = env('TO');
const PREV_FROM = env('PREV_FROM');
const PREV_TO = env('PREV_TO');
const BUCKET = env('BUCKET', 'week');
const PRESET = env('PRESET', '');  // when set, FROM..TO is what this preset of the page must give
const TOKEN_BASE = env('TOKEN_BASE');
const TOKEN = env('TOKEN');
const ZONE = 'Asia/Shanghai';  // the browser's time zone: the business zone of the test's gendan
const require = createRequire(path.join(env('WEB_DIR'), 'package.json'));
const {chromium} = require('playwright-core');

let passed = 0;
let failed = 0;
function check(ok, what, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`[dashboard_browser] ${ok ? 'ok  ' : 'FAIL'} ${what}${ok || !detail ? '' : ': ' + detail}`);
}
function eq(got, want, what) {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  check(g === w, what, `got ${g.slice(0, 400)}, want ${w.slice(0, 400)}`);
}

async function api(p) {
  const r = await fetch(BASE + p);
  if (!r.ok) throw new Error(`${p}: HTTP ${r.status}`);
  return r.json();
}

// The tile text, formatted here independently of web/src/kpis.js.
const RATE = new Set(['otif_rate', 'on_time_delivery_rate', 'perfect_order_rate', 'csat', 'order_accuracy_rate',
  'completion_rate', 'issue_sla_rate', 'handoff_on_time_rate', 'complaint_rate']);
const UNIT = {issue_resolution_hours: ' h', confirmation_hours: ' h', cycle_time_days: ' d'};
function headline(key, k) {
  return RATE.has(key) ? k.value : k.mean;
}
function shown(key, v) {
  if (v === null) return '—';
  return RATE.has(key) ? (v * 100).toFixed(1) + '%' : v.toFixed(1) + UNIT[key];
}
const str = (v) => (v === null ? 'null' : String(v));

async function ready(page) {
  for (;;) {
    await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', {timeout: 30000});
    const state = await page.getAttribute('body', 'data-state');
    if (state === 'ready') return;
    if (state === 'error') throw new Error('the page says: ' + (await page.textContent('#banner')));
    // "loading" again: a render began between the wait and the read (a hash change, the refresh)
  }
}

function watch(page, problems) {
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
}

async function overview(browser, problems) {
  const context = await browser.newContext({viewport: {width: 1440, height: 900}, timezoneId: ZONE, locale: 'en-GB'});
  // Offline: anything but this gendan (a CDN, a font service) is refused and counted.
  const foreign = [];
  await context.route((url) => !url.href.startsWith(BASE), (route) => { foreign.push(route.request().url()); route.abort(); });
  const page = await context.newPage();
  watch(page, problems);
  const res = await page.goto(`${BASE}/`);
  check(res.status() === 200, 'GET / answers 200');
  const csp = (await res.allHeaders())['content-security-policy'] || '';
  check(csp.includes("default-src 'self'"), 'GET / sends a same-origin Content-Security-Policy', csp);
  await ready(page);
  // by default the last 30 days, ending today in the browser's calendar
  const today = new Intl.DateTimeFormat('en-CA', {timeZone: ZONE}).format(new Date());
  const d29 = new Date(Date.parse(today + 'T00:00:00Z') - 29 * 86400000).toISOString().slice(0, 10);
  eq([await page.inputValue('#from'), await page.inputValue('#to'), await page.inputValue('#preset')], [d29, today, '30d'],
    'by default the page shows the last 30 days');
  if (PRESET) {
    await page.goto(`${BASE}/#/?preset=${PRESET}&bucket=${BUCKET}`);
    await ready(page);
    eq([await page.inputValue('#from'), await page.inputValue('#to'), await page.inputValue('#preset')], [FROM, TO, PRESET],
      `preset ${PRESET} is ${FROM}..${TO}`);
  } else {
    await page.goto(`${BASE}/#/?from=${FROM}&to=${TO}&bucket=${BUCKET}`);
    await ready(page);
  }

  // ---- KPI tiles: exactly the numbers of /v1/kpis for the period and the previous one ----
  const cur = (await api(`/v1/kpis?from=${FROM}&to=${TO}`)).series[0].kpis;
  const prev = (await api(`/v1/kpis?from=${PREV_FROM}&to=${PREV_TO}`)).series[0].kpis;
  const tiles = await page.$$eval('.tile', (els) => els.map((e) => ({
    kpi: e.dataset.kpi, value: e.dataset.value, prev: e.dataset.prev,
    text: e.querySelector('.value').textContent, prevText: e.querySelector('.prev b').textContent,
    basis: e.querySelector('.basis').textContent})));
  eq(tiles.map((t) => t.kpi), ['otif_rate', 'on_time_delivery_rate', 'perfect_order_rate', 'csat', 'issue_resolution_hours',
    'order_accuracy_rate', 'completion_rate', 'issue_sla_rate', 'handoff_on_time_rate', 'confirmation_hours', 'cycle_time_days', 'complaint_rate'],
  'the tiles are the 12 KPIs, headline five first');
  let nonNull = 0;
  for (const t of tiles) {
    const v = headline(t.kpi, cur[t.kpi]);
    const pv = headline(t.kpi, prev[t.kpi]);
    nonNull += v !== null;
    eq([t.value, t.prev], [str(v), str(pv)], `tile ${t.kpi}: value and previous value are /v1/kpis'`);
    eq([t.text, t.prevText], [shown(t.kpi, v), shown(t.kpi, pv)], `tile ${t.kpi}: shown as ${shown(t.kpi, v)} (prev ${shown(t.kpi, pv)})`);
    if (RATE.has(t.kpi)) {
      const k = cur[t.kpi];
      check(t.basis.startsWith(`${k.numerator.toLocaleString('en-US')} / ${k.denominator.toLocaleString('en-US')} `),
        `tile ${t.kpi}: shows numerator / denominator`, t.basis);
    }
  }
  check(nonNull >= 10, `the workload gives values to most tiles (${nonNull} of ${tiles.length})`);
  const dept = (await api(`/v1/scorecards?from=${FROM}&to=${TO}&group_by=department`)).entries;
  eq(await page.getAttribute('#dept-score', 'data-value'), str(dept.length ? dept[0].score : null),
    'the department score is /v1/scorecards?group_by=department');
  const period = await page.textContent('#period-text');
  check(period.includes(PREV_FROM.slice(0, 4)), 'the page names the previous period', period);

  // ---- trend charts: one per headline KPI, the same numbers as /v1/kpis by bucket --------
  const trend = (await api(`/v1/kpis?from=${FROM}&to=${TO}&bucket=${BUCKET}`)).series;
  for (const key of ['otif_rate', 'on_time_delivery_rate', 'perfect_order_rate', 'csat', 'issue_resolution_hours']) {
    const rows = await page.$$eval(`figure[data-kpi="${key}"] tbody tr`, (trs) => trs.map((r) => [r.dataset.bucket, r.dataset.value]));
    eq(rows, trend.map((s) => [s.bucket_start, str(headline(key, s.kpis[key]))]), `trend ${key}: every ${BUCKET}'s value is /v1/kpis'`);
    const drawn = await page.$eval(`#chart-${key}`, (c) => {
      const chart = window.Chart && window.Chart.getChart(c);
      return {points: chart ? chart.data.datasets[0].data.length : 0, width: c.width, height: c.height};
    });
    check(drawn.points === trend.length && drawn.width > 100 && drawn.height > 100,
      `trend ${key}: Chart.js drew ${trend.length} points`, JSON.stringify(drawn));
  }

  const volume = await page.$$eval('figure[data-kpi="volume"] tbody tr', (trs) => trs.map((r) => [r.dataset.bucket, +r.dataset.due, +r.dataset.delivered]));
  eq(volume, trend.map((s) => [s.bucket_start, s.kpis.otif_rate.denominator, s.kpis.perfect_order_rate.denominator]),
    'the volume chart: orders due and delivered per bucket');

  // ---- at-risk orders and open alerts: exactly /v1/alerts ---------------------------------
  const alerts = (await api('/v1/alerts')).alerts;
  check(alerts.length > 0, `the workload has open alerts (${alerts.length})`);
  const wantOrders = {};
  for (const a of alerts) (wantOrders[a.order_id] ||= []).push(a.kind);
  const gotOrders = await page.$$eval('#at-risk-table tbody tr', (trs) => trs.map((r) => [r.dataset.order, r.dataset.kinds]));
  eq([...gotOrders].sort((a, b) => a[0].localeCompare(b[0])),
    Object.entries(wantOrders).map(([o, ks]) => [o, ks.sort().join(' ')]).sort((a, b) => a[0].localeCompare(b[0])),
    `the at-risk table lists every order of /v1/alerts with its alert kinds (${Object.keys(wantOrders).length} orders)`);
  check(gotOrders.length === Object.keys(wantOrders).length, 'the at-risk table has one row per order');
  const lateFirst = gotOrders.findIndex(([, k]) => !k.split(' ').includes('LATE'));
  check(lateFirst === -1 || gotOrders.slice(lateFirst).every(([, k]) => !k.split(' ').includes('LATE')), 'late orders come first');
  const gotAlerts = await page.$$eval('#alerts-table tbody tr', (trs) => trs.map((r) => r.dataset.alertId));
  eq([...gotAlerts].sort(), alerts.map((a) => a.alert_id).sort(), `the alerts table is /v1/alerts (${alerts.length} alerts)`);
  const heading = await page.textContent('#alerts h2');
  check(heading.includes(`(${alerts.length})`), 'the alerts heading counts them', heading);

  // ---- per merchandiser / customer / supplier -------------------------------------------
  for (const group of ['merchandiser', 'customer', 'supplier']) {
    if (group !== 'merchandiser') {
      await page.click(`#groups button[data-group="${group}"]`);
      await page.waitForSelector(`#group-table[data-group-by="${group}"]`);
      await ready(page);
    }
    const series = (await api(`/v1/kpis?from=${FROM}&to=${TO}&group_by=${group}`)).series;
    const cards = (await api(`/v1/scorecards?from=${FROM}&to=${TO}&group_by=${group}`)).entries;
    const rows = await page.$$eval('#group-table tbody tr', (trs) => trs.map((r) => [r.dataset.group,
      r.querySelector('td[data-kpi="otif_rate"]').dataset.value, r.querySelector('td[data-kpi="csat"]').dataset.value,
      r.querySelector('td.score-cell').dataset.score]));
    const byName = (a, b) => a[0].localeCompare(b[0]);
    const withKpis = rows.filter(([g]) => series.some((s) => s.group === g)).sort(byName);
    const score = (g) => str(cards.find((c) => c.group === g)?.score ?? null);
    eq(withKpis, series.map((s) => [s.group, str(s.kpis.otif_rate.value), str(s.kpis.csat.value), score(s.group)]).sort(byName),
      `by ${group}: one row per group of /v1/kpis with its OTIF, CSAT and /v1/scorecards score (${series.length} groups)`);
    const scored = rows.filter((r) => r[3] !== 'null').map((r) => +r[3]);
    check(scored.every((v, i) => i === 0 || scored[i - 1] >= v) && rows.slice(scored.length).every((r) => r[3] === 'null'),
      `by ${group}: best score first`);
  }
  await page.click('#groups button[data-group="merchandiser"]');
  await page.waitForSelector('#group-table[data-group-by="merchandiser"]');
  await ready(page);
  await page.evaluate(() => window.scrollTo(0, 0));

  fs.mkdirSync(OUT, {recursive: true});
  await page.screenshot({path: path.join(OUT, 'dashboard.png'), fullPage: false});
  await page.evaluate(() => { document.getElementById('all-kpis').open = true; });
  await page.screenshot({path: path.join(OUT, 'dashboard-full.png'), fullPage: true});

  // ---- an order page opens from the at-risk table ----------------------------------------
  const first = gotOrders[0][0];
  await page.click(`#at-risk-table tr[data-order="${first}"] a.order-link`);
  await page.waitForFunction((id) => location.hash === '#/orders/' + encodeURIComponent(id), first);
  await ready(page);
  const view = await api('/v1/orders/' + encodeURIComponent(first));
  const events = (await api('/v1/orders/' + encodeURIComponent(first) + '/events')).events;
  eq(await page.getAttribute('#order', 'data-order'), first, `the order page of ${first} opens from the at-risk table`);
  eq(await page.getAttribute('#order', 'data-stage'), view.stage, `order ${first}: the stage is the status view's (${view.stage})`);
  eq(await page.$$eval('#milestone-table tbody tr', (t) => t.length), 6, `order ${first}: the six milestones, planned vs actual`);
  const planned = await page.$$eval('#milestone-table tbody tr', (trs) => trs.map((r) => [r.dataset.milestone, r.children[1].textContent]));
  for (const m of view.milestones) {
    const row = planned.find(([name]) => name === m.milestone);
    check(row && (m.planned === null) === (row[1] === '—'), `order ${first}: ${m.milestone} planned ${m.planned}`, JSON.stringify(row));
  }
  eq(await page.$$eval('#timeline li', (l) => l.map((x) => x.dataset.version)), events.map((e) => e.version),
    `order ${first}: the timeline has its ${events.length} events in version order`);
  eq(await page.$$eval('#order-alerts li', (l) => l.map((x) => x.dataset.kind).sort()), view.alerts.map((a) => a.kind).sort(),
    `order ${first}: its open alerts`);
  await page.screenshot({path: path.join(OUT, 'dashboard-order.png'), fullPage: true});

  // an unknown order says so instead of failing
  const before = problems.length;
  await page.goto(`${BASE}/#/orders/NO-SUCH-ORDER`);
  await page.waitForSelector('#order-missing');
  await page.waitForTimeout(300);
  check(true, 'an unknown order shows "no order"');
  // its 404 answers (and the browser's console notes about them) are expected
  const expected = (p) => p.includes('/v1/orders/NO-SUCH-ORDER') || p.includes('status of 404');
  problems.splice(before, problems.length - before, ...problems.slice(before).filter((p) => !expected(p)));
  eq(foreign, [], 'no request left this gendan (works offline, no CDN)');
  await context.close();
  return tiles.map((t) => [t.kpi, t.value, t.prev]);
}

async function phone(browser, problems) {
  const context = await browser.newContext({viewport: {width: 390, height: 844}, deviceScaleFactor: 2, isMobile: true,
    hasTouch: true, timezoneId: ZONE, locale: 'en-GB'});
  const page = await context.newPage();
  watch(page, problems);
  await page.goto(`${BASE}/#/?from=${FROM}&to=${TO}&bucket=month`);
  await ready(page);
  const widths = await page.evaluate(() => {
    const tiles = [...document.querySelectorAll('.tile')].map((t) => t.getBoundingClientRect());
    return {doc: document.documentElement.scrollWidth, view: window.innerWidth,
      narrowest: Math.min(...tiles.map((r) => r.width)), right: Math.max(...tiles.map((r) => r.right)),
      firstRow: tiles.filter((r) => r.top === tiles[0].top).length};
  });
  check(widths.doc <= widths.view && widths.right <= widths.view, 'on a phone nothing is wider than the screen', JSON.stringify(widths));
  check(widths.firstRow === 2 && widths.narrowest >= 150, 'on a phone the tiles stand two to a row', JSON.stringify(widths));
  await page.screenshot({path: path.join(OUT, 'dashboard-phone.png'), fullPage: false});
  await context.close();
}

// A gendan whose /v1 wants a bearer token: the page asks for it, says when it is refused, and
// then shows the numbers of the open gendan (the same read models).
async function token(browser, problems, want) {
  const context = await browser.newContext({viewport: {width: 1280, height: 900}, timezoneId: ZONE, locale: 'en-GB'});
  const page = await context.newPage();
  const mine = [];
  watch(page, mine);
  await page.goto(`${TOKEN_BASE}/#/?from=${FROM}&to=${TO}&bucket=${BUCKET}`);
  await page.waitForSelector('#token');
  check(true, 'with serve.auth_token the page asks for the token');
  await page.fill('#token', 'not-the-token-at-all');
  await page.click('form.token button');
  await page.waitForFunction(() => document.querySelector('form.token p')?.textContent.includes('refused'));
  check(true, 'a wrong token is refused');
  await page.fill('#token', TOKEN);
  await page.click('form.token button');
  await ready(page);
  const got = await page.$$eval('.tile', (els) => els.map((e) => [e.dataset.kpi, e.dataset.value, e.dataset.prev]));
  eq(got, want, 'with the token the tiles are the same numbers');
  // the 401 answers before the token (and the console's notes about them) are expected
  problems.push(...mine.filter((p) => !p.includes('HTTP 401') && !p.includes('status of 401')));
  await context.close();
}

const browser = await chromium.launch({executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage']});
const problems = [];
try {
  const tiles = await overview(browser, problems);
  await phone(browser, problems);
  await token(browser, problems, tiles);
} catch (e) {
  check(false, 'the browser run', e.stack || String(e));
} finally {
  await browser.close();
}
eq(problems, [], 'no console error, page error, failed request or HTTP error');
console.log(`[dashboard_browser] screenshots in ${OUT}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
