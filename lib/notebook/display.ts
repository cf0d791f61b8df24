/**
 * Rich display in Jupyter (the Deno kernel): Arrow tables, danfojs DataFrames and plain row objects as HTML tables
 * (first rows plus the shape, every value escaped), SVG charts, HTML and Markdown, each as an object with the
 * kernel's `Symbol.for("Jupyter.display")` method returning a MIME bundle. Outside Jupyter, {@linkcode show} prints
 * the `text/plain` form instead, so the same code runs in a task or a test.
 *
 * Show things with `await show(...)` rather than leaving a value as a cell's last expression. With Deno 2.9's
 * kernel, a display sent while the cell's code keeps running (no turn of the event loop), or right after a big
 * message that the kernel's socket has not written out yet, can be dropped, and headless runs (`jupyter nbconvert
 * --execute`) then miss it; measured: 2 to 6 of 45 displays lost per run of a 15-cell notebook. {@linkcode show}
 * (through {@linkcode jupyterSink}) gives the event loop a turn after every display (longer after big ones), which
 * made 10 runs of that notebook lose none, and outputs are kept small (charts as one inline SVG, tables styled by
 * one style block). A cell's last-expression result cannot be helped that way: it is sent after the code ends.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { show, table } from "./display.ts";
 * const t = arrow.tableFromArrays({ id: Int32Array.of(1, 2), name: ["a", "<b>"] });
 * await show(table(t, { maxRows: 5, caption: "Two rows" }));
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { columnTypeName, microsToIso, timestampMicros } from "../io/arrow_util.ts";

/** A MIME bundle: MIME type → content (`text/plain`, `text/html`, `image/svg+xml`, `text/markdown`). */
export type MimeBundle = Record<string, string>;

/** The symbol Deno's Jupyter kernel looks for on displayed objects. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** Anything Deno's kernel can display through {@linkcode JUPYTER_DISPLAY}. */
export interface Displayable {
  [JUPYTER_DISPLAY](): MimeBundle;
}

/** The parts of a danfojs DataFrame (or Series) the table renderer reads. */
export interface DataFrameLike {
  shape: number[];
  columns?: string[];
  values: unknown[];
  head(rows?: number): DataFrameLike;
  dtypes?: string[] | string;
  /** Row labels; shown as a first column when they are not the default 0, 1, 2, ... */
  index?: unknown[];
}

/** What {@linkcode table} accepts: an Arrow table, a danfojs DataFrame or Series, or plain row objects. */
export type TableLike = arrow.Table | DataFrameLike | readonly object[];

/** Options of {@linkcode table} and {@linkcode tableBundle}. */
export interface TableOptions {
  /** Rows shown (default 10); the shape line says how many there are. */
  maxRows?: number;
  /** Columns shown (default 40). */
  maxColumns?: number;
  /** Caption above the table. */
  caption?: string;
  /** Significant digits of fractional numbers (default 6). */
  digits?: number;
  /**
   * Longest text shown in a cell before it is cut with "…" (default 80 characters); cells of more than 40
   * characters wrap.
   */
  maxCellChars?: number;
  /**
   * Columns holding times as epoch numbers, shown as ISO 8601 (UTC); the unit follows the magnitude (seconds,
   * milliseconds, microseconds or nanoseconds from 1973 to 2286). Default: the columns whose name ends with
   * `timestamp`, `time`, `date`, `datetime` or `_at` (`event_timestamp`, `createdAt`), when every value is such a
   * number. Arrow timestamp and date columns and `Date` values are shown as ISO 8601 always.
   */
  timeColumns?: readonly string[];
  /** Show each column's type under its name (default true for Arrow tables and DataFrames). */
  types?: boolean;
}

/**
 * Escapes text for HTML element content and attribute values (`&`, `<`, `>`, `"`, `'`).
 *
 * @example
 * ```ts
 * escapeHtml(`<a href="x">&</a>`); // "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * A value as display text: numbers to `digits` significant digits, bigints exact, dates as ISO 8601 (UTC), nulls
 * as `null`, objects as JSON.
 *
 * @example
 * ```ts
 * formatValue(0.123456789); // "0.123457"
 * formatValue(12n); // "12"
 * ```
 */
export function formatValue(value: unknown, digits = 6): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") {
    if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
    return String(Number(value.toPrecision(digits)));
  }
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : compactIso(value.toISOString());
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return String(value);
  if (ArrayBuffer.isView(value) || Array.isArray(value)) {
    return `[${Array.from(value as ArrayLike<unknown>, (v) => formatValue(v, digits)).join(", ")}]`;
  }
  try {
    return JSON.stringify(value, (_, v) => typeof v === "bigint" ? v.toString() : v);
  } catch {
    return String(value);
  }
}

function compactIso(iso: string): string {
  return iso.replace(/\.0+Z$/, "Z").replace(/(\.\d*?)0+Z$/, "$1Z");
}

/** A time-like column name: ends with timestamp, time, date, datetime or `_at` (any case, any separator). */
const TIME_NAME = /(?:^|[^a-z])(?:timestamp|time|date|datetime|at)$|(?:[a-z0-9](?:Timestamp|Time|Date|DateTime|At))$/;

/**
 * Whether a column name says it holds times (`event_timestamp`, `created_at`, `createdAt`, `date`), so that
 * epoch numbers in it are shown as ISO times.
 *
 * @example
 * ```ts
 * isTimeColumnName("event_timestamp"); // true
 * isTimeColumnName("loan_amnt"); // false
 * ```
 */
export function isTimeColumnName(name: string): boolean {
  return TIME_NAME.test(name) || TIME_NAME.test(name.toLowerCase());
}

/** Epoch magnitudes from 1973-03-03 (10^8 s) to 2286-11-20 (10^10 s), per unit as a factor to microseconds. */
const EPOCH_UNITS: readonly { min: number; factor: number }[] = [
  { min: 1e8, factor: 1e6 }, // seconds
  { min: 1e11, factor: 1e3 }, // milliseconds
  { min: 1e14, factor: 1 }, // microseconds
  { min: 1e17, factor: 1e-3 }, // nanoseconds
];

function epochFactor(value: unknown): number | null {
  const n = typeof value === "bigint" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) return null;
  const unit = EPOCH_UNITS.find((u) => n >= u.min && n < u.min * 100);
  return unit ? unit.factor : null;
}

/**
 * An epoch number (seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude; a number or a
 * bigint) as compact ISO 8601 in UTC; null when it is no such number.
 *
 * @example
 * ```ts
 * epochToIso(1626369999999.5); // "2021-07-15T17:26:39.999Z"
 * epochToIso(1626370000); // "2021-07-15T17:26:40Z"
 * epochToIso(42); // null
 * ```
 */
export function epochToIso(value: unknown): string | null {
  const factor = epochFactor(value);
  if (factor === null) return null;
  const micros = typeof value === "bigint"
    ? (factor >= 1 ? value * BigInt(factor) : value / BigInt(Math.round(1 / factor)))
    : BigInt(Math.floor((value as number) * factor));
  return compactIso(microsToIso(micros));
}

/** Shows the grid's epoch-number time columns as ISO times (see {@linkcode TableOptions.timeColumns}). */
function timesAsIso(g: Grid, timeColumns: readonly string[] | undefined): void {
  g.columns.forEach((name, j) => {
    const explicit = timeColumns?.includes(name) ?? false;
    if (!explicit && (timeColumns !== undefined || !isTimeColumnName(name))) return;
    const values = g.rows.map((r) => r[j]).filter((v) => v !== null && v !== undefined);
    const factors = new Set(values.map(epochFactor));
    if (values.length === 0 || factors.has(null) || factors.size !== 1) return;
    for (const r of g.rows) if (r[j] !== null && r[j] !== undefined) r[j] = epochToIso(r[j]);
  });
}

interface Grid {
  columns: string[];
  types: string[] | null;
  rows: unknown[][];
  totalRows: number;
  totalColumns: number;
}

function isArrowTable(data: unknown): data is arrow.Table {
  return data instanceof arrow.Table ||
    (typeof data === "object" && data !== null && "schema" in data && "numRows" in data && "getChildAt" in data);
}

function isDataFrameLike(data: unknown): data is DataFrameLike {
  return typeof data === "object" && data !== null && !Array.isArray(data) && "shape" in data && "values" in data &&
    typeof (data as DataFrameLike).head === "function";
}

function arrowGrid(t: arrow.Table, maxRows: number, maxColumns: number): Grid {
  const fields = t.schema.fields.slice(0, maxColumns);
  const head = t.slice(0, Math.min(maxRows, t.numRows));
  const columns = fields.map((f) => f.name);
  const cols = fields.map((f, j) => {
    const vector = head.getChildAt(j)!;
    const out: unknown[] = new Array(head.numRows);
    if (arrow.DataType.isTimestamp(f.type) || arrow.DataType.isDate(f.type)) {
      const micros = timestampMicros(vector);
      for (let i = 0; i < head.numRows; i++) out[i] = vector.isValid(i) ? compactIso(microsToIso(micros[i])) : null;
    } else {
      for (let i = 0; i < head.numRows; i++) out[i] = vector.get(i);
    }
    return out;
  });
  const rows = Array.from({ length: head.numRows }, (_, i) => cols.map((c) => c[i]));
  return {
    columns,
    types: fields.map((f) => columnTypeName(f)),
    rows,
    totalRows: t.numRows,
    totalColumns: t.numCols,
  };
}

/** The row labels of a DataFrame when they say something (describe's statistic names, valueCounts's values). */
function labelledIndex(df: DataFrameLike, rows: number): unknown[] | null {
  const index = Array.isArray(df.index) ? df.index.slice(0, rows) : null;
  if (!index || index.length === 0) return null;
  return index.every((v, i) => v === i || v === String(i)) ? null : index;
}

function dataFrameGrid(df: DataFrameLike, maxRows: number, maxColumns: number): Grid {
  const totalRows = df.shape[0] ?? 0;
  // danfojs refuses head(0); an empty frame or a zero-row view needs no rows
  const head = maxRows === 0 || totalRows === 0 ? null : totalRows > maxRows ? df.head(maxRows) : df;
  const values = (head?.values ?? []) as unknown[];
  // a Series has one column and flat values
  const isSeries = (df as { $isSeries?: boolean }).$isSeries === true ||
    (values.length > 0 && !Array.isArray(values[0]));
  const names = isSeries ? [(df as { columns?: string[] }).columns?.[0] ?? "value"] : df.columns ?? ["value"];
  let rows = isSeries ? values.map((v) => [v]) : (values as unknown[][]).map((r) => r.slice(0, maxColumns));
  const dtypes = Array.isArray(df.dtypes) ? df.dtypes : typeof df.dtypes === "string" ? [df.dtypes] : null;
  let columns = names.slice(0, maxColumns);
  let types = dtypes ? dtypes.slice(0, maxColumns) : null;
  const index = head ? labelledIndex(head, rows.length) : null;
  if (index) {
    rows = rows.map((r, i) => [index[i], ...r]);
    columns = ["", ...columns];
    types = types ? ["", ...types] : null;
  }
  return {
    columns,
    types,
    rows,
    totalRows,
    totalColumns: isSeries ? 1 : (df.shape[1] ?? names.length),
  };
}

function recordsGrid(objects: readonly object[], maxRows: number, maxColumns: number): Grid {
  const records = objects as readonly Record<string, unknown>[];
  const seen = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) seen.add(k);
  const all = [...seen];
  const columns = all.slice(0, maxColumns);
  const rows = records.slice(0, maxRows).map((r) => columns.map((c) => r[c]));
  return { columns, types: null, rows, totalRows: records.length, totalColumns: all.length };
}

function toGrid(data: TableLike, maxRows: number, maxColumns: number): Grid {
  if (isArrowTable(data)) return arrowGrid(data, maxRows, maxColumns);
  if (Array.isArray(data)) return recordsGrid(data, maxRows, maxColumns);
  if (isDataFrameLike(data)) return dataFrameGrid(data, maxRows, maxColumns);
  throw new Error(
    `Cannot show a "${Object.prototype.toString.call(data)}" as a table; ` +
      "expected an Arrow table, a danfojs DataFrame or an array of row objects",
  );
}

function positiveInt(value: number | undefined, fallback: number, name: string): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`Table option "${name}" is "${value}"; expected a whole number >= 0`);
  }
  return n;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

const count = (n: number) => n.toLocaleString("en-US");

/** "3,000 rows × 13 columns (first 10 rows shown)". */
function shapeLine(g: Grid): string {
  let text = `${count(g.totalRows)} row${g.totalRows === 1 ? "" : "s"} × ${count(g.totalColumns)} column${
    g.totalColumns === 1 ? "" : "s"
  }`;
  const parts: string[] = [];
  if (g.rows.length < g.totalRows) parts.push(`first ${count(g.rows.length)} rows shown`);
  if (g.columns.length < g.totalColumns) parts.push(`first ${count(g.columns.length)} columns shown`);
  if (parts.length) text += ` (${parts.join(", ")})`;
  return text;
}

/** Cells of more text than this wrap. */
const WRAP_CHARS = 40;

/** One style block per table (classes, not a style attribute per cell: outputs stay small). */
const TABLE_CSS = "<style>" +
  ".nbt{border-collapse:collapse;font-size:12px;font-family:ui-monospace,Menlo,Consolas,monospace}" +
  ".nbt th,.nbt td{padding:2px 8px;border-bottom:1px solid #e5e5e5;text-align:right;white-space:nowrap}" +
  ".nbt th{border-bottom:1px solid #999;vertical-align:bottom}" +
  ".nb-table .nbt th.l,.nb-table .nbt td.l{text-align:left}" + // beats Jupyter's right-aligned cells
  ".nbt th i{font-weight:normal;font-style:normal;color:#888}.nbt td.n{color:#aaa;font-style:italic}" +
  ".nbt td.w{white-space:normal;min-width:24em;max-width:60em}" +
  ".nbt caption{caption-side:top;text-align:left;font-weight:bold;padding:4px 0}" +
  ".nbs{font-size:11px;color:#666;margin:4px 0}</style>";

/**
 * The MIME bundle of a table: `text/html` (a `<table>` of the first rows, column types under the names, the shape
 * below) and an aligned `text/plain` version.
 *
 * @example
 * ```ts
 * const bundle = tableBundle([{ a: 1, b: "<x>" }, { a: 2, b: "y" }], { maxRows: 1 });
 * bundle["text/html"].includes("&lt;x&gt;"); // true
 * bundle["text/plain"].endsWith("2 rows × 2 columns (first 1 rows shown)"); // true
 * ```
 */
export function tableBundle(data: TableLike, opts: TableOptions = {}): MimeBundle {
  const maxRows = positiveInt(opts.maxRows, 10, "maxRows");
  const maxColumns = positiveInt(opts.maxColumns, 40, "maxColumns");
  const maxChars = positiveInt(opts.maxCellChars, 80, "maxCellChars");
  const digits = opts.digits ?? 6;
  const g = toGrid(data, maxRows, maxColumns);
  timesAsIso(g, opts.timeColumns);
  const types = opts.types === false ? null : g.types;
  const cells = g.rows.map((r) => r.map((v) => ({ text: cut(formatValue(v, digits), maxChars), isNull: v == null })));
  const shape = shapeLine(g);

  // numbers align right, anything else left
  const numeric = g.columns.map((_, j) =>
    g.rows.every((r) => r[j] == null || typeof r[j] === "number" || typeof r[j] === "bigint")
  );
  const cls = (j: number) => numeric[j] ? "" : ' class="l"';
  const head = g.columns.map((c, j) =>
    `<th${cls(j)}>${escapeHtml(c)}${types ? `<br><i>${escapeHtml(types[j] ?? "")}</i>` : ""}</th>`
  ).join("");
  // long texts wrap (class w) instead of widening the table
  const td = (text: string, j: number) =>
    text.length > WRAP_CHARS
      ? `<td class="${numeric[j] ? "w" : "l w"}">${escapeHtml(text)}</td>`
      : `<td${cls(j)}>${escapeHtml(text)}</td>`;
  const body = cells.map((r) =>
    `<tr>${r.map((c, j) => c.isNull ? '<td class="n">null</td>' : td(c.text, j)).join("")}</tr>`
  ).join("\n");
  const caption = opts.caption ? `<caption>${escapeHtml(opts.caption)}</caption>` : "";
  const html = `<div class="nb-table" style="overflow-x:auto">${TABLE_CSS}<table class="dataframe nbt">` +
    `${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>` +
    `<p class="nbs">${escapeHtml(shape)}</p></div>`;

  const widths = g.columns.map((c, j) => Math.max(c.length, ...cells.map((r) => r[j].text.length)));
  const line = (values: string[]) =>
    values.map((v, j) => numeric[j] ? v.padStart(widths[j]) : v.padEnd(widths[j])).join("  ").trimEnd();
  const plain = [
    ...(opts.caption ? [opts.caption] : []),
    line(g.columns),
    ...cells.map((r) => line(r.map((c) => c.text))),
    shape,
  ].join("\n");
  return { "text/html": html, "text/plain": plain };
}

function displayable(bundle: () => MimeBundle): Displayable {
  return { [JUPYTER_DISPLAY]: bundle };
}

/**
 * A table for display (see {@linkcode tableBundle}); the bundle is built when shown.
 *
 * @example
 * ```ts
 * await show(table(loans, { maxRows: 5 }));
 * ```
 */
export function table(data: TableLike, opts: TableOptions = {}): Displayable {
  toGrid(data, 0, 0); // reject what cannot be shown now, not when displayed
  return displayable(() => tableBundle(data, opts));
}

/**
 * Trusted HTML for display (escape untrusted parts with {@linkcode escapeHtml}).
 *
 * @example
 * ```ts
 * await show(html(`<b>${escapeHtml(name)}</b>`));
 * ```
 */
export function html(markup: string, plain = markup.replace(/<[^>]*>/g, "")): Displayable {
  return displayable(() => ({ "text/html": markup, "text/plain": plain }));
}

let chartCount = 0;

/**
 * An SVG image (e.g. a chart from lib/model/charts.ts) for display, as HTML holding the SVG inline: nbconvert
 * strips the elements of `image/svg+xml` outputs, and one small message beats an SVG plus a data-URI copy (see
 * the module doc on big messages). Element ids get a prefix unique to the chart, so several charts on one page
 * cannot point at each other's clip paths or gradients.
 *
 * @example
 * ```ts
 * import { rocChart } from "../model/charts.ts";
 * await show(svg(await rocChart({ fpr: [0, 0.2, 1], tpr: [0, 0.8, 1] })));
 * ```
 */
export function svg(markup: string, alt = "chart"): Displayable {
  if (!/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(markup)) {
    throw new Error(`Not an SVG document: "${cut(markup.trim(), 40)}"`);
  }
  const prefix = `nbc${(chartCount++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const body = roundSvgCoordinates(prefixSvgIds(markup.replace(/^\s*<\?xml[^>]*>\s*/, ""), prefix));
  return displayable(() => ({
    "text/html": `<div class="nb-chart" role="img" aria-label="${escapeHtml(alt)}">${body}</div>`,
    "text/plain": `[${alt}]`,
  }));
}

const GEOMETRY_ATTRIBUTE = /(\s(?:d|transform|points|x|y|x1|x2|y1|y2|cx|cy|r|rx|ry|width|height)=")([^"]*)"/g;

/**
 * Rounds the coordinates of an SVG's geometry attributes (`d`, `transform`, `x`, `width`, ...) to hundredths of a
 * pixel: vega writes them to 16 digits (`translate(4.9999999984428225,16)`), a fifth of a chart's bytes. Text and
 * labels are left as they are.
 *
 * @example
 * ```ts
 * roundSvgCoordinates('<g transform="translate(4.9999999984428225,16)"><text>0.12345</text></g>');
 * // '<g transform="translate(5,16)"><text>0.12345</text></g>'
 * ```
 */
export function roundSvgCoordinates(markup: string): string {
  return markup.replace(
    GEOMETRY_ATTRIBUTE,
    (_, lead: string, value: string) =>
      `${lead}${
        value.replace(/-?\d*\.\d{3,}(?:e-?\d+)?/g, (n) => {
          const r = Math.round(Number(n) * 100) / 100;
          return String(Object.is(r, -0) ? 0 : r);
        })
      }"`,
  );
}

/**
 * Prefixes every `id` of an SVG document and the references to them (`url(#id)`, `href="#id"`).
 *
 * @example
 * ```ts
 * prefixSvgIds('<svg><clipPath id="c1"/><g clip-path="url(#c1)"/></svg>', "x");
 * // '<svg><clipPath id="x-c1"/><g clip-path="url(#x-c1)"/></svg>'
 * ```
 */
export function prefixSvgIds(markup: string, prefix: string): string {
  const ids = new Set<string>();
  for (const m of markup.matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]);
  if (ids.size === 0) return markup;
  return markup
    .replace(/(\sid=")([^"]+)"/g, (all, lead, id) => ids.has(id) ? `${lead}${prefix}-${id}"` : all)
    .replace(/url\(#([^)]+)\)/g, (all, id) => ids.has(id) ? `url(#${prefix}-${id})` : all)
    .replace(/(href=")#([^"]+)"/g, (all, lead, id) => ids.has(id) ? `${lead}#${prefix}-${id}"` : all);
}

/**
 * Markdown text for display.
 *
 * @example
 * ```ts
 * await show(markdown(`**${rows}** loans, default rate ${(rate * 100).toFixed(1)}%`));
 * ```
 */
export function markdown(text: string): Displayable {
  return displayable(() => ({ "text/markdown": text, "text/plain": text }));
}

/**
 * Whether the code runs inside Deno's Jupyter kernel (`Deno.jupyter` exists only there).
 *
 * @example
 * ```ts
 * if (!isJupyter()) console.log("plain output");
 * ```
 */
export function isJupyter(): boolean {
  try {
    // deno-lint-ignore no-explicit-any
    return typeof (Deno as any).jupyter?.display === "function";
  } catch {
    return false; // outside the kernel, reading Deno.jupyter throws
  }
}

/** Where {@linkcode show} sends bundles: Deno's kernel, or a function (tests, plain output). */
export interface DisplaySink {
  display(bundle: MimeBundle, opts?: { displayId?: string; update?: boolean }): Promise<void>;
}

/**
 * The kernel's display as a sink (awaited: the bundle is on its way to Jupyter when the promise resolves).
 *
 * @example
 * ```ts
 * if (isJupyter()) await jupyterSink().display({ "text/plain": "hello" });
 * ```
 */
export function jupyterSink(): DisplaySink {
  return {
    async display(bundle, opts = {}) {
      // deno-lint-ignore no-explicit-any
      const jupyter = (Deno as any).jupyter;
      await jupyter.display(bundle, { raw: true, update: opts.update ?? false, display_id: opts.displayId });
      // turns of the event loop let the kernel send the message before the cell goes on (see the module doc);
      // big messages get a little longer
      const bytes = Object.values(bundle).reduce((n, v) => n + v.length, 0);
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.floor(bytes / 20_000))));
    },
  };
}

/**
 * A sink that writes each bundle's `text/plain` (updates included) to `write` (default: console.log).
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * await textSink((t) => lines.push(t)).display({ "text/plain": "x", "text/html": "<b>x</b>" });
 * ```
 */
export function textSink(write: (text: string) => void = console.log): DisplaySink {
  return {
    display(bundle) {
      write(bundle["text/plain"] ?? bundle["text/markdown"] ?? Object.values(bundle)[0] ?? "");
      return Promise.resolve();
    },
  };
}

/**
 * The default sink: the kernel in Jupyter, console.log elsewhere.
 *
 * @example
 * ```ts
 * await defaultSink().display({ "text/plain": "hi" });
 * ```
 */
export function defaultSink(): DisplaySink {
  return isJupyter() ? jupyterSink() : textSink();
}

/**
 * The MIME bundle of a value: its own `Symbol.for("Jupyter.display")` bundle, a table for Arrow tables,
 * DataFrames and arrays of row objects, else its text.
 *
 * @example
 * ```ts
 * bundleOf("plain text"); // { "text/plain": "plain text" }
 * ```
 */
export function bundleOf(value: unknown, opts: TableOptions = {}): MimeBundle {
  if (typeof value === "object" && value !== null && typeof (value as Displayable)[JUPYTER_DISPLAY] === "function") {
    return (value as Displayable)[JUPYTER_DISPLAY]();
  }
  if (isArrowTable(value) || isDataFrameLike(value)) return tableBundle(value, opts);
  if (Array.isArray(value) && value.length > 0 && value.every((r) => typeof r === "object" && r && !Array.isArray(r))) {
    return tableBundle(value as Record<string, unknown>[], opts);
  }
  return { "text/plain": typeof value === "string" ? value : formatValue(value) };
}

/**
 * Displays each value (awaited, in order): in Jupyter as rich output, elsewhere as text on stdout.
 *
 * @example
 * ```ts
 * await show(markdown("## Loans"), table(loans), svg(chartSvg));
 * ```
 */
export async function show(...values: unknown[]): Promise<void> {
  const sink = defaultSink();
  for (const v of values) await sink.display(bundleOf(v));
}

/** What {@linkcode enableRichDisplay} patches. */
export interface RichDisplayTargets {
  /** Arrow's module (default: the project's apache-arrow). */
  arrow?: { Table: { prototype: object } };
  /** danfojs's module, e.g. `await import("danfojs")` (its DataFrame and Series are patched). */
  danfojs?: { DataFrame?: { prototype: object }; Series?: { prototype: object } };
  /** Table options used for these displays. */
  options?: TableOptions;
}

/**
 * Makes Arrow tables (and danfojs DataFrames/Series, when given) display as HTML tables in Jupyter by adding the
 * kernel's display method to their prototypes. Only for notebooks: it changes those classes for the whole
 * process.
 *
 * @example
 * ```ts
 * import * as dfd from "danfojs";
 * enableRichDisplay({ danfojs: dfd });
 * await Deno.jupyter.display(loans); // an HTML table
 * ```
 */
export function enableRichDisplay(targets: RichDisplayTargets = {}): void {
  const options = targets.options ?? {};
  const patch = (proto: object | undefined) => {
    if (!proto) return;
    Object.defineProperty(proto, JUPYTER_DISPLAY, {
      configurable: true,
      writable: true,
      enumerable: false,
      value: function (this: TableLike) {
        return tableBundle(this, options);
      },
    });
  };
  patch((targets.arrow ?? arrow).Table?.prototype);
  patch(targets.danfojs?.DataFrame?.prototype);
  patch(targets.danfojs?.Series?.prototype);
}
