// A few lines instead of a framework: build elements from plain data, never from HTML
// strings, so nothing the API returns can become markup (and the CSP needs no eval).

/** h("button", {class: "x", onclick: fn, "aria-label": "…"}, "text", child, …) */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      element.className = value;
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (name === "value" || name === "checked") {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A random key for Idempotency-Key headers and element ids. */
export function randomKey() {
  return crypto.randomUUID();
}

const DIRECTION = { code: "ltr", money: "auto", text: "auto" };

/**
 * A value from the data, set apart from the words around it (a <bdi>) so neither reorders
 * the other on a right-to-left page: "+971501111111" stays so, never "971501111111+".
 * `kind`: "code" for ids, references, SKUs, phone numbers, e-mail and tracking numbers (left
 * to right, kept on one line); "money" for an amount with its currency (its own direction,
 * one line); "text" for names and address lines (direction from their first letter).
 */
export function isolate(value, kind = "text", props = {}) {
  const names = [`value-${kind}`, props.class].filter(Boolean).join(" ");
  return h("bdi", { ...props, class: names, dir: DIRECTION[kind] }, value);
}
