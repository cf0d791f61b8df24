import * as arrow from "apache-arrow";
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { computeDrift } from "./drift.ts";
import { escapeHtml, renderDriftHtml } from "./html.ts";
import { mixedPercentFormats } from "./format.ts";
import { seededRandom as rng } from "../numeric/random.ts";

function data(r: () => number, n: number, columns: number, shift: number): arrow.Table {
  const cols: Record<string, Float64Array> = {};
  for (let c = 0; c < columns; c++) {
    cols[`feature_${c}`] = Float64Array.from({ length: n }, () => r() * 10 + (c % 3 === 0 ? shift : 0));
  }
  return arrow.tableFromArrays(cols);
}

function assertSelfContained(html: string): void {
  assert(!/<script/i.test(html), "no scripts");
  assert(!/<link/i.test(html), "no linked stylesheets");
  assert(!/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i.test(html), "no external src/href");
  assert(!/url\(/i.test(html), "no CSS urls");
  assert(!/@import/i.test(html), "no CSS imports");
}

Deno.test("the HTML report is self-contained and shows the summary, the sorted table and a chart per column", async () => {
  const r = rng(11);
  const { report } = await computeDrift(data(r, 3000, 6, 0), data(r, 3000, 6, 4), { workers: 0 });
  const html = await renderDriftHtml(report);
  assertSelfContained(html);
  assert(html.includes("drift in 2 of 6 columns"));
  assert(html.includes("No dataset drift"));
  assertEquals((html.match(/<svg/g) ?? []).length, 12, "a small and a detail chart per column");
  const order = [...html.matchAll(/<tr[^>]*><td><a href="#c-([^"]+)">/g)].map((m) => m[1]);
  assertEquals(order, report.columns.map((c) => c.column));
  assertEquals(order.slice(0, 2).sort(), ["feature_0", "feature_3"]);
});

Deno.test("the HTML stays under 1 MB with many columns; the JSON keeps every column", async () => {
  const r = rng(12);
  const { report } = await computeDrift(data(r, 2000, 400, 0), data(r, 2000, 400, 1), { workers: 0 });
  const html = await renderDriftHtml(report);
  const bytes = new TextEncoder().encode(html).byteLength;
  assert(bytes < 1_000_000, `${bytes} bytes`);
  assertSelfContained(html);
  assert(html.includes("page size limit"), "says what was left out");
  assertEquals(report.columns.length, 400);
  assert(report.n_drifted > 100);
  assert(html.includes(`drift in ${report.n_drifted} of 400 columns`));
});

Deno.test("column names and sources are escaped", async () => {
  const name = `<img src=x onerror="alert(1)">&`;
  const t = arrow.tableFromArrays({ [name]: Float64Array.from({ length: 20 }, (_, i) => i) });
  const { report } = await computeDrift(t, t, { workers: 0, referenceSource: "<b>ref</b>" });
  const html = await renderDriftHtml(report);
  assert(!html.includes(name));
  assert(html.includes(escapeHtml(name)));
  assert(html.includes("&lt;b&gt;ref&lt;/b&gt;"));
});

/** The page's visible text: no styles, no tags, entities decoded. */
function visibleText(html: string): string {
  return html.replace(/<style>[\s\S]*?<\/style>/g, " ").replace(/<[^>]+>/g, " ").replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Loans-like data: an amount, a 500-category column, a score and a 0/1 label; `shift` moves the current side. */
function mixed(r: () => number, n: number, shift: number): arrow.Table {
  const amount = Float64Array.from({ length: n }, () => 1000 + 30_000 * r() * (1 + shift));
  const merchant = Array.from({ length: n }, () => `m${Math.floor(500 * r() ** (1 + shift))}`);
  const probability = Float64Array.from({ length: n }, () => Math.min(1, r() * (1 + shift)));
  const label = Int32Array.from(probability, (p) => (r() < p ? 1 : 0));
  return arrow.tableFromArrays({ loan_amnt: amount, merchant, probability, loan_status: label });
}

Deno.test("the report: one percent format, axis titles with units, 500 categories with real bars and a note", async () => {
  const r = rng(13);
  const { report } = await computeDrift(mixed(r, 6000, 0), mixed(r, 3000, 0.3), {
    workers: 0,
    predictionColumn: "probability",
    targetColumn: "loan_status",
  });
  const html = await renderDriftHtml(report, { units: { loan_amnt: "$" } });
  assertSelfContained(html);
  const text = visibleText(html);
  // every percentage on the page (tables, sentences, chart axes) is written the same way: one decimal
  assertEquals(mixedPercentFormats(text), []);
  assert((text.match(/\d+\.\d%/g) ?? []).length > 50, "the scan saw the page's percentages");
  // axis titles: the column with its unit, a column without one by its name, shares of rows
  assertStringIncludes(text, "loan_amnt ($)");
  assertStringIncludes(text, " probability ");
  assertStringIncludes(text, "share of rows (%)");
  // the 500-category column: what the largest categories hold, and no "other" bar flattening the rest
  assertStringIncludes(text, "500 categories");
  assertStringIncludes(text, "the other 489 (");
  // the label's positive class by the label's name, not the tutorial's word
  assertStringIncludes(text, "Positive class (loan_status = 1):");
  assert(!/\bdefault rate\b/i.test(text));
});
