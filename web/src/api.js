// The /v1 API (docs/api.md), read from the same origin that served the dashboard.

export class ApiError extends Error {
  constructor(path, status, code, message) {
    super(`${path}: ${message} (${status}${code ? ' ' + code : ''})`);
    this.status = status;
    this.code = code;
  }
}

// With serve.auth_token set, /v1 needs "Authorization: Bearer <token>": the page asks for the
// token once (see app.js) and keeps it for the browser tab only.
const TOKEN_KEY = 'gendan.token';
export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export async function get(path) {
  const headers = {Accept: 'application/json'};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = 'Bearer ' + token;
  let res;
  try {
    res = await fetch(path, {headers, cache: 'no-store'});
  } catch (e) {
    throw new ApiError(path, 0, 'network', 'gendan is not answering (' + e.message + ')');
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(path, res.status, '', 'the answer is not JSON');
  }
  if (!res.ok) {
    const err = (body && body.error) || {};
    throw new ApiError(path, res.status, err.code, err.message || res.statusText);
  }
  return body;
}

// GET /v1/kpis with the given query ({from, to, bucket?, group_by?}).
export function kpis(query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
  return get('/v1/kpis?' + q);
}

// GET /v1/scorecards ({from, to, group_by}): DOMAIN.md §8 scores against the KPI targets.
export function scorecards(query) {
  return get('/v1/scorecards?' + new URLSearchParams(query));
}

export async function alerts() {
  return (await get('/v1/alerts')).alerts;
}

export function order(id) {
  return get('/v1/orders/' + encodeURIComponent(id));
}

export async function orderEvents(id) {
  return (await get('/v1/orders/' + encodeURIComponent(id) + '/events')).events;
}
