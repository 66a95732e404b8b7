// The /v1 API (docs/api.md), read from the same origin that served the dashboard.

export class ApiError extends Error {
  constructor(path, status, code, message) {
    super(`${path}: ${message} (${status}${code ? ' ' + code : ''})`);
    this.status = status;
    this.code = code;
  }
}

export async function get(path) {
  let res;
  try {
    res = await fetch(path, {headers: {Accept: 'application/json'}, cache: 'no-store'});
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

export async function alerts() {
  return (await get('/v1/alerts')).alerts;
}

export function order(id) {
  return get('/v1/orders/' + encodeURIComponent(id));
}

export async function orderEvents(id) {
  return (await get('/v1/orders/' + encodeURIComponent(id) + '/events')).events;
}
