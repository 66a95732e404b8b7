// A tiny element builder: the dashboard never assigns innerHTML, so text from the API (alert
// messages, issue descriptions, ids) is always text, never markup.
//
//   h('td', {class: 'num', dataset: {kpi: 'otif_rate'}}, '87.5%')
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// Replaces the children of `el`.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A link to an order's page.
export function orderLink(id) {
  return h('a', {href: '#/orders/' + encodeURIComponent(id), class: 'order-link'}, id);
}

// A section card with a heading.
export function card(title, id, ...children) {
  return h('section', {class: 'card', id}, h('h2', {}, title), ...children);
}
