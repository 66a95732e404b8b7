// The dashboard's entry point: reads the state from the URL's hash, renders the overview
// (#/?from=&to=&bucket=&group=&kind=) or an order (#/orders/{id}), and keeps the period form
// in step. <body data-state> is "loading", "ready" or "error" (the browser test waits on it).
import * as overview from './overview.js';
import * as order from './order.js';
import {preset, defaultBucket, isValid, instant} from './dates.js';
import {fill, h} from './dom.js';
import * as api from './api.js';

const REFRESH_MS = 60000;
const main = document.getElementById('main');
const form = document.getElementById('period');
const $ = (id) => document.getElementById(id);
let generation = 0;  // a newer render makes an older one's results stale

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  const q = new URLSearchParams(query);
  const orderMatch = path.match(/^\/orders\/(.+)$/);
  const presetName = q.get('preset') || (q.get('from') || q.get('to') ? 'custom' : '30d');
  let {from, to} = preset(presetName);
  if (presetName === 'custom' && isValid(q.get('from')) && isValid(q.get('to')) && q.get('from') <= q.get('to')) {
    from = q.get('from');
    to = q.get('to');
  }
  const bucket = ['day', 'week', 'month'].includes(q.get('bucket')) ? q.get('bucket') : defaultBucket(from, to);
  const group = ['merchandiser', 'customer', 'supplier'].includes(q.get('group')) ? q.get('group') : 'merchandiser';
  return {
    order: orderMatch ? decodeURIComponent(orderMatch[1]) : null,
    preset: presetName, from, to, bucket, group, kind: q.get('kind') || '',
  };
}

let state = parseHash();

function hashFor(s) {
  const q = new URLSearchParams();
  if (s.preset === 'custom') {
    q.set('from', s.from);
    q.set('to', s.to);
  } else {
    q.set('preset', s.preset);
  }
  if (s.bucket !== defaultBucket(s.from, s.to)) q.set('bucket', s.bucket);
  if (s.group !== 'merchandiser') q.set('group', s.group);
  if (s.kind) q.set('kind', s.kind);
  return '#/?' + q;
}

// Applies a change to the overview's state through the URL (so every view can be bookmarked).
function setState(change) {
  const next = {...state, order: null, ...change};
  if (change.from || change.to || change.preset) {
    if (!change.bucket) next.bucket = defaultBucket(next.from, next.to);
  }
  location.hash = hashFor(next);
}

function syncForm() {
  $('preset').value = state.preset;
  $('from').value = state.from;
  $('to').value = state.to;
  $('bucket').value = state.bucket;
  form.classList.toggle('hidden-on-order', Boolean(state.order));
}

async function show() {
  const mine = ++generation;
  state = parseHash();
  syncForm();
  document.body.dataset.state = 'loading';
  $('banner').hidden = true;
  try {
    if (state.order) {
      document.title = `${state.order} · gendan`;
      await order.render(main, state.order);
    } else {
      document.title = 'gendan · order follow-up';
      await overview.render(main, state, setState);
    }
    if (mine !== generation) return;
    fill($('updated'), 'Updated ' + instant(new Date().toISOString()));
    document.body.dataset.state = 'ready';
  } catch (e) {
    if (mine !== generation) return;
    if (e.status === 401) {
      askToken(e.code === 'unauthorized' && e.message.includes('refused'));
      document.body.dataset.state = 'error';
      return;
    }
    fill($('banner'), h('b', {}, 'Could not load the dashboard: '), e.message);
    $('banner').hidden = false;
    document.body.dataset.state = 'error';
    console.error(e);
  }
}

// This gendan wants a bearer token for /v1 (serve.auth_token): ask for it.
function askToken(refused) {
  const input = h('input', {type: 'password', id: 'token', autocomplete: 'current-password', required: true});
  fill(main, h('form', {class: 'card token', onsubmit: (ev) => {
    ev.preventDefault();
    api.setToken(input.value.trim());
    show();
  }}, h('h1', {}, 'API token'),
  h('p', {}, refused ? 'That token was refused. ' : '', 'This gendan serves its API only with a token (serve.auth_token). It is kept in this browser tab only.'),
  h('label', {}, 'Token ', input), ' ', h('button', {type: 'submit'}, 'Open the dashboard')));
  input.focus();
}

$('preset').addEventListener('change', () => {
  const name = $('preset').value;
  if (name === 'custom') return;
  setState({preset: name, ...preset(name)});
});
for (const id of ['from', 'to']) {
  $(id).addEventListener('change', () => {
    if (isValid($('from').value) && isValid($('to').value) && $('from').value <= $('to').value) {
      setState({preset: 'custom', from: $('from').value, to: $('to').value});
    }
  });
}
$('bucket').addEventListener('change', () => setState({bucket: $('bucket').value}));
form.addEventListener('submit', (e) => {
  e.preventDefault();
  show();
});
window.addEventListener('hashchange', () => {
  const wasOrder = state.order;
  show();
  if (parseHash().order !== wasOrder) window.scrollTo(0, 0);  // a new page, not a filter change
});
// Refresh the overview while it is visible; an order page stays as it is until reloaded.
setInterval(() => {
  if (!state.order && document.visibilityState === 'visible' && document.body.dataset.state !== 'loading') show();
}, REFRESH_MS);

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', show);
else show();
