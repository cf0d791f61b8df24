import * as arrow from "apache-arrow";
import { assert, assertEquals } from "@std/assert";
import { computeDrift } from "./drift.ts";
import { escapeHtml, renderDriftHtml } from "./html.ts";
import { rng } from "../testing/rng.ts";

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
