/**
 * Small DOM helpers shared by the server's pages (no framework, no build step). Data is only ever inserted as text
 * (`textContent`, text nodes, attributes through `setAttribute`), never parsed as HTML.
 *
 * @module
 */

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * Creates an element: attributes set with `setAttribute` (event handlers and `style` refused), children appended as
 * elements or text.
 *
 * @param {string} tag
 * @param {Record<string, string | number | boolean | null | undefined>} [attrs]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/**
 * Creates an SVG element (same rules as {@link h}).
 *
 * @param {string} tag
 * @param {Record<string, string | number | boolean | null | undefined>} [attrs]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {SVGElement}
 */
export function s(tag, attrs = {}, ...children) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {Record<string, string | number | boolean | null | undefined>} attrs
 */
function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (/^on/i.test(key) || key === "style") throw new Error(`Attribute "${key}" is not allowed`);
    if (value === null || value === undefined || value === false) continue;
    el.setAttribute(key, value === true ? "" : String(value));
  }
}

/**
 * @param {Element} el
 * @param {(Node | string | number | null | undefined | false)[]} children
 */
function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/**
 * Replaces an element's content.
 *
 * @param {Element} el
 * @param {...(Node | string | number | null | undefined | false)} children
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/**
 * A share as a percentage: 0.1234 → "12.3%".
 *
 * @param {number | null | undefined} x
 * @param {number} [digits]
 */
export function percent(x, digits = 1) {
  return typeof x === "number" && Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : "–";
}

/**
 * A number for people: thousands separated, at most `digits` decimals.
 *
 * @param {unknown} x
 * @param {number} [digits]
 */
export function number(x, digits = 3) {
  if (typeof x !== "number" || !Number.isFinite(x)) return x === null || x === undefined ? "–" : String(x);
  return x.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/**
 * An ISO timestamp as "2021-08-31 12:00 UTC" ("–" when missing).
 *
 * @param {string | null | undefined} iso
 */
export function timestamp(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * Fetches JSON: `{ ok, status, body }` (body null when the answer is not JSON).
 *
 * @param {string} url
 * @param {RequestInit} [init]
 * @returns {Promise<{ ok: boolean, status: number, body: any }>}
 */
export async function fetchJson(url, init) {
  const res = await fetch(url, init);
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  return { ok: res.ok, status: res.status, body };
}

/**
 * A horizontal bar of a probability against a threshold: the track, the probability filled (red at or above the
 * threshold, green below) and a marker at the threshold, with a text alternative.
 *
 * @param {{ probability: number, threshold: number }} opts
 * @returns {SVGElement}
 */
export function probabilityBar({ probability, threshold }) {
  const width = 560, left = 10, right = 10, track = width - left - right;
  const x = (/** @type {number} */ p) => left + Math.max(0, Math.min(1, p)) * track;
  const over = probability >= threshold;
  const label = `Probability of default ${percent(probability)}; threshold ${percent(threshold)}`;
  return s(
    "svg",
    { viewBox: `0 0 ${width} 62`, class: "bar", role: "img", "aria-label": label },
    s("title", {}, label),
    s("rect", { x: left, y: 22, width: track, height: 16, rx: 4, fill: "#e6eaf0" }),
    s("rect", { x: left, y: 22, width: x(probability) - left, height: 16, rx: 4, fill: over ? "#c0392b" : "#2e8b57" }),
    s("line", { x1: x(threshold), x2: x(threshold), y1: 14, y2: 46, stroke: "#1d2430", "stroke-width": 2 }),
    s(
      "text",
      { x: x(threshold), y: 10, "text-anchor": anchor(threshold), "font-size": 12, fill: "#1d2430" },
      `threshold ${percent(threshold)}`,
    ),
    s(
      "text",
      { x: x(probability), y: 60, "text-anchor": anchor(probability), "font-size": 12, fill: "#1d2430" },
      `probability ${percent(probability)}`,
    ),
    s("text", { x: left, y: 60, "font-size": 11, fill: "#5b6472" }, probability > 0.1 ? "0%" : ""),
    s(
      "text",
      { x: width - right, y: 60, "text-anchor": "end", "font-size": 11, fill: "#5b6472" },
      probability < 0.85 ? "100%" : "",
    ),
  );
}

/** @param {number} p */
function anchor(p) {
  return p < 0.08 ? "start" : p > 0.92 ? "end" : "middle";
}
