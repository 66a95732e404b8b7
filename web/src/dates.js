// Calendar arithmetic on "YYYY-MM-DD" strings (dates of the business calendar; no time zone).

export function parse(s) {
  const [y, m, d] = s.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

export function fmt(date) {
  return date.toISOString().slice(0, 10);
}

export function addDays(s, n) {
  const d = parse(s);
  d.setUTCDate(d.getUTCDate() + n);
  return fmt(d);
}

export function daysBetween(a, b) {  // b - a in days
  return Math.round((parse(b) - parse(a)) / 86400000);
}

function monthStart(y, m) {  // m may overflow either way
  return fmt(new Date(Date.UTC(y, m, 1)));
}

function monthEnd(y, m) {
  return fmt(new Date(Date.UTC(y, m + 1, 0)));
}

export function isValid(s) {
  return /^\d{4}-\d{2}-\d{2}$/.test(s || '') && fmt(parse(s)) === s;
}

// Today in the browser's calendar (managers sit in the business time zone).
export function today() {
  const n = new Date();
  return fmt(new Date(Date.UTC(n.getFullYear(), n.getMonth(), n.getDate())));
}

// A named period ending around `now`: {from, to}.
export function preset(name, now = today()) {
  const d = parse(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const q = m - (m % 3);
  switch (name) {
    case '7d': return {from: addDays(now, -6), to: now};
    case '90d': return {from: addDays(now, -89), to: now};
    case 'this-month': return {from: monthStart(y, m), to: now};
    case 'last-month': return {from: monthStart(y, m - 1), to: monthEnd(y, m - 1)};
    case 'this-quarter': return {from: monthStart(y, q), to: now};
    case 'last-quarter': return {from: monthStart(y, q - 3), to: monthEnd(y, q - 1)};
    case 'ytd': return {from: monthStart(y, 0), to: now};
    default: return {from: addDays(now, -29), to: now};  // 30d
  }
}

// The period just before [from, to] that it is compared with: the same number of whole
// months when [from, to] is whole calendar months, else the same number of days.
export function previous(from, to) {
  const f = parse(from);
  const t = parse(to);
  const wholeMonths = f.getUTCDate() === 1 && addDays(to, 1).endsWith('-01');
  if (wholeMonths) {
    const n = (t.getUTCFullYear() - f.getUTCFullYear()) * 12 + t.getUTCMonth() - f.getUTCMonth() + 1;
    return {from: monthStart(f.getUTCFullYear(), f.getUTCMonth() - n),
            to: monthEnd(f.getUTCFullYear(), f.getUTCMonth() - 1)};
  }
  const len = daysBetween(from, to) + 1;
  return {from: addDays(from, -len), to: addDays(from, -1)};
}

// A sensible trend bucket for a period's length.
export function defaultBucket(from, to) {
  const len = daysBetween(from, to) + 1;
  return len <= 31 ? 'day' : len <= 190 ? 'week' : 'month';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// "5 Jan 2026", or "Jan 2026" for a month bucket, "5 Jan" for short labels.
export function label(s, style = 'long') {
  const d = parse(s);
  const mon = MONTHS[d.getUTCMonth()];
  if (style === 'month') return `${mon} ${d.getUTCFullYear()}`;
  if (style === 'short') return `${d.getUTCDate()} ${mon}`;
  return `${d.getUTCDate()} ${mon} ${d.getUTCFullYear()}`;
}

export function range(from, to) {
  return `${label(from)} – ${label(to)}`;
}

// An RFC 3339 instant in the browser's time zone: "19 Dec 2025, 19:15".
export function instant(s) {
  if (!s) return '—';
  return new Date(s).toLocaleString('en-GB', {day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit'});
}

// The browser-calendar date of an instant, "YYYY-MM-DD".
export function localDate(s) {
  const d = new Date(s);
  return fmt(new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate())));
}
