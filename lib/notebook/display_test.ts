import * as arrow from "apache-arrow";
import { assert, assertEquals, assertMatch, assertStringIncludes, assertThrows } from "@std/assert";
import {
  bundleOf,
  enableRichDisplay,
  epochToIso,
  escapeHtml,
  formatValue,
  html,
  isJupyter,
  isTimeColumnName,
  JUPYTER_DISPLAY,
  markdown,
  prefixSvgIds,
  roundSvgCoordinates,
  svg,
  table,
  tableBundle,
  textSink,
} from "./display.ts";
import { timestampVector } from "../io/arrow_util.ts";
import { renderSvg } from "../model/charts.ts";

/** The text of every <td> of an HTML table, row by row. */
function cells(htmlText: string): string[][] {
  return [...htmlText.matchAll(/<tr>(.*?)<\/tr>/g)].map((r) =>
    [...r[1].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1])
  ).filter((r) => r.length > 0);
}

Deno.test("escapeHtml escapes the five special characters and nothing else", () => {
  assertEquals(
    escapeHtml(`<a href="x" title='y'>&amp;</a> ok`),
    "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt; ok",
  );
});

Deno.test("formatValue: significant digits, exact bigints, dates as compact ISO, nulls, lists", () => {
  assertEquals(formatValue(0.123456789), "0.123457");
  assertEquals(formatValue(0.123456789, 3), "0.123");
  assertEquals(formatValue(1234567.891), "1234570");
  assertEquals(formatValue(42), "42");
  assertEquals(formatValue(9007199254740993n), "9007199254740993");
  assertEquals(formatValue(new Date("2021-07-28T17:09:19.000Z")), "2021-07-28T17:09:19Z");
  assertEquals(formatValue(new Date("2021-07-28T17:09:19.620Z")), "2021-07-28T17:09:19.62Z");
  assertEquals(formatValue(null), "null");
  assertEquals(formatValue(undefined), "null");
  assertEquals(formatValue(NaN), "NaN");
  assertEquals(formatValue([1, 0.5]), "[1, 0.5]");
  assertEquals(formatValue({ a: 1n }), '{"a":"1"}');
});

Deno.test("tableBundle of an Arrow table: first rows, shape, types, escaped values, exact timestamps, nulls", () => {
  const t = new arrow.Table({
    id: arrow.vectorFromArray([1n, 2n, 3n], new arrow.Int64()),
    name: arrow.vectorFromArray(["<script>alert(1)</script>", null, "c & d"]),
    at: timestampVector(BigInt64Array.of(1627492159623001n, 0n, 1n), { timezone: "UTC" }),
  });
  const b = tableBundle(t, { maxRows: 2, caption: "Loans <1>" });
  assertEquals(Object.keys(b).sort(), ["text/html", "text/plain"]);
  const h = b["text/html"];
  assert(!h.includes("<script>"), "unescaped script tag");
  assertStringIncludes(h, "&lt;script&gt;alert(1)&lt;/script&gt;");
  assertStringIncludes(h, "<caption>Loans &lt;1&gt;</caption>");
  assertStringIncludes(h, "Timestamp&lt;MICROSECOND, UTC&gt;");
  assertEquals(cells(h), [
    ["1", "&lt;script&gt;alert(1)&lt;/script&gt;", "2021-07-28T17:09:19.623001Z"],
    ["2", "null", "1970-01-01T00:00:00Z"],
  ]);
  assertStringIncludes(h, '<td class="n">null</td>');
  assertStringIncludes(h, "3 rows × 3 columns (first 2 rows shown)");
  const plain = b["text/plain"].split("\n");
  assertEquals(plain[0], "Loans <1>");
  assertEquals(plain[plain.length - 1], "3 rows × 3 columns (first 2 rows shown)");
  assertEquals(plain.length, 5); // caption, header, 2 rows, shape
});

Deno.test("tableBundle: column limit, cell cut, no rows, numbers right and text left", () => {
  const records = [{ a: 1, b: "x".repeat(100), c: 3 }];
  const b = tableBundle(records, { maxColumns: 2, maxCellChars: 10 });
  assertEquals(cells(b["text/html"]), [["1", `${"x".repeat(9)}…`]]);
  assertStringIncludes(b["text/html"], "1 row × 3 columns (first 2 columns shown)");
  assertMatch(b["text/html"], /<th>a<\/th><th class="l">b<\/th>/);
  const empty = tableBundle(new arrow.Table({ a: arrow.vectorFromArray([], new arrow.Int32()) }));
  assertEquals(cells(empty["text/html"]), []);
  assertStringIncludes(empty["text/plain"], "0 rows × 1 column");
  assertThrows(() => tableBundle(records, { maxRows: -1 }), Error, `"maxRows"`);
});

Deno.test("tableBundle of records: columns in order of first appearance, missing keys as null", () => {
  const b = tableBundle([{ a: 1 }, { b: "y", a: 2 }]);
  assertEquals(cells(b["text/html"]), [["1", "null"], ["2", "y"]]);
  assertEquals(b["text/plain"].split("\n")[0].trim().split(/\s+/), ["a", "b"]);
});

Deno.test("tableBundle: epoch numbers in time-named columns are ISO times (UTC), the unit told by magnitude", () => {
  const rows = [
    // a model's rows carry times as epoch milliseconds, fractional after a microsecond division
    { loan_id: 10001, event_timestamp: 1626369999999.5, created_at: 1626370000, amount: 1626370000000 },
    { loan_id: 10002, event_timestamp: null, created_at: 1626370001, amount: 5 },
  ];
  const b = tableBundle(rows);
  assertEquals(cells(b["text/html"]), [
    ["10001", "2021-07-15T17:26:39.9995Z", "2021-07-15T17:26:40Z", "1626370000000"],
    ["10002", "null", "2021-07-15T17:26:41Z", "5"],
  ]);
  assertStringIncludes(b["text/plain"], "2021-07-15T17:26:39.9995Z");
  // a time-named column with a value that is no epoch time is left alone
  assertEquals(cells(tableBundle([{ date: 20210715 }, { date: 1626370000000 }])["text/html"]), [
    ["20210715"],
    ["1626370000000"],
  ]);
  // timeColumns names them explicitly (and only them)
  assertEquals(cells(tableBundle(rows.slice(0, 1), { timeColumns: ["amount"] })["text/html"])[0], [
    "10001",
    "1626370000000",
    "1626370000",
    "2021-07-15T17:26:40Z",
  ]);
  // danfojs and Arrow integer columns named as times too
  const t = arrow.tableFromArrays({ snapshot_ts: BigInt64Array.of(1626370000000000n) });
  assertEquals(cells(tableBundle(t, { timeColumns: ["snapshot_ts"] })["text/html"]), [["2021-07-15T17:26:40Z"]]);
});

Deno.test("epochToIso and isTimeColumnName", () => {
  assertEquals(epochToIso(1626370000), "2021-07-15T17:26:40Z");
  assertEquals(epochToIso(1626370000123), "2021-07-15T17:26:40.123Z");
  assertEquals(epochToIso(1626370000123456n), "2021-07-15T17:26:40.123456Z");
  assertEquals(epochToIso(1626370000123456789n), "2021-07-15T17:26:40.123456Z");
  assertEquals(epochToIso(42), null);
  assertEquals(epochToIso("1626370000"), null);
  for (const name of ["event_timestamp", "created_at", "createdAt", "date", "EventTime", "snapshot-date"]) {
    assert(isTimeColumnName(name), name);
  }
  for (const name of ["loan_amnt", "format", "update", "flat", "status", "runtime"]) {
    assert(!isTimeColumnName(name), name);
  }
});

Deno.test("tableBundle: long texts wrap instead of widening the table", () => {
  const reason = "1. yearly interest relative to income (3.52): raises the odds of default x2.4 (+12.1 points)";
  const h = tableBundle([{ reason, n: 1 }], { maxCellChars: 400 })["text/html"];
  assertStringIncludes(h, `<td class="l w">${reason}</td>`);
  assertStringIncludes(h, ".nbt td.w{white-space:normal");
  assertStringIncludes(tableBundle([{ reason: "short" }])["text/html"], '<td class="l">short</td>');
});

Deno.test("tableBundle of rows typed by an interface (lib's row types have no index signature)", () => {
  interface Row {
    metric: string;
    value: number | null;
  }
  const rows: Row[] = [{ metric: "ROC AUC", value: 0.81 }, { metric: "KS", value: null }];
  assertEquals(cells(tableBundle(rows)["text/html"]), [["ROC AUC", "0.81"], ["KS", "null"]]);
});

Deno.test("tableBundle of danfojs DataFrames and Series (real danfojs)", async () => {
  const dfd = await import("danfojs");
  const df = new dfd.DataFrame({ a: [1, 2, 3], b: ["x", "<y>", "z"] });
  const b = tableBundle(df, { maxRows: 2 });
  assertEquals(cells(b["text/html"]), [["1", "x"], ["2", "&lt;y&gt;"]]);
  assertStringIncludes(b["text/html"], "3 rows × 2 columns (first 2 rows shown)");
  assertStringIncludes(b["text/html"], "int32");
  const s = tableBundle(df["b"]);
  assertEquals(cells(s["text/html"]), [["x"], ["&lt;y&gt;"], ["z"]]);
  assertStringIncludes(s["text/html"], "3 rows × 1 column");
});

Deno.test("table() of a real danfojs DataFrame: accepted when built, row labels shown when they say something", async () => {
  const dfd = await import("danfojs");
  const df = new dfd.DataFrame({ a: [1, 2, 3, 4], b: [0.5, 1.5, 2.5, 3.5] });
  const shown = table(df)[JUPYTER_DISPLAY]()["text/html"]; // table(df) threw on any non-empty frame (head(0))
  assertEquals(
    cells(shown),
    [["1", "0.5"], ["2", "1.5"], ["3", "2.5"], ["4", "3.5"]],
    "default index: no label column",
  );
  const described = cells(tableBundle(df.describe())["text/html"]);
  assertEquals(described.map((r) => r[0]), ["count", "mean", "std", "min", "median", "max", "variance"]);
  assertEquals(described[1].slice(1), ["2.5", "2"]);
  const counts = cells(tableBundle(new dfd.Series(["x", "y", "x"]).valueCounts())["text/html"]);
  assertEquals(counts, [["x", "2"], ["y", "1"]]);
  const empty = new dfd.DataFrame({ a: [1] }).query(new dfd.Series([false]));
  assertStringIncludes(table(empty)[JUPYTER_DISPLAY]()["text/html"], "0 rows");
});

Deno.test("table() refuses what it cannot show, naming it", () => {
  assertThrows(() => table(42 as never), Error, "Cannot show");
  assertEquals(Object.keys(table([{ a: 1 }])[JUPYTER_DISPLAY]()).sort(), ["text/html", "text/plain"]);
});

Deno.test("svg(): inline SVG in HTML with unique ids; non-SVG is refused", async () => {
  const chart = await renderSvg({
    data: { values: [{ a: 1, b: 2 }] },
    mark: "point",
    encoding: { x: { field: "a", type: "quantitative" } },
  });
  const b = svg(chart, "a <chart>")[JUPYTER_DISPLAY]();
  assertEquals(Object.keys(b).sort(), ["text/html", "text/plain"]);
  assertMatch(b["text/html"], /^<div class="nb-chart" role="img" aria-label="a &lt;chart&gt;"><svg /);
  assertEquals(b["text/plain"], "[a <chart>]");
  assertThrows(() => svg("<div>no</div>"), Error, "Not an SVG document");
  const a1 = svg('<svg><clipPath id="c1"/><g clip-path="url(#c1)"/></svg>')[JUPYTER_DISPLAY]()["text/html"];
  const a2 = svg('<svg><clipPath id="c1"/><g clip-path="url(#c1)"/></svg>')[JUPYTER_DISPLAY]()["text/html"];
  const id1 = /id="([^"]+)"/.exec(a1)![1];
  const id2 = /id="([^"]+)"/.exec(a2)![1];
  assert(id1 !== id2 && id1.endsWith("-c1"), `ids ${id1} ${id2}`);
  assertStringIncludes(a1, `url(#${id1})`);
});

Deno.test("roundSvgCoordinates: geometry to hundredths of a pixel, text and labels untouched", () => {
  assertEquals(
    roundSvgCoordinates(
      '<svg width="400.5"><path d="M0.123456,10.004999L-0.0012,3.14159e-7Z"/><g transform="translate(4.9999999984428225,16)">' +
        '<text x="1.005" aria-label="rate: 0.07912345">0.123456</text></g></svg>',
    ),
    '<svg width="400.5"><path d="M0.12,10L0,0Z"/><g transform="translate(5,16)">' +
      '<text x="1" aria-label="rate: 0.07912345">0.123456</text></g></svg>',
  );
});

Deno.test("prefixSvgIds rewrites ids and their references only", () => {
  assertEquals(
    prefixSvgIds('<svg><g id="a"/><use href="#a"/><use xlink:href="#a"/><g fill="url(#b)"/></svg>', "p"),
    '<svg><g id="p-a"/><use href="#p-a"/><use xlink:href="#p-a"/><g fill="url(#b)"/></svg>',
  );
});

Deno.test("bundleOf: own display method, tables, plain values", () => {
  assertEquals(bundleOf(markdown("**x**")), { "text/markdown": "**x**", "text/plain": "**x**" });
  assertEquals(bundleOf(html("<b>x</b>")), { "text/html": "<b>x</b>", "text/plain": "x" });
  assertEquals(bundleOf("text"), { "text/plain": "text" });
  assertEquals(bundleOf(0.5), { "text/plain": "0.5" });
  assertStringIncludes(bundleOf([{ a: 1 }])["text/html"], "<table");
  assertStringIncludes(bundleOf(arrow.tableFromArrays({ a: [1] }))["text/html"], "<table");
});

Deno.test("enableRichDisplay adds the kernel's display method to Arrow's Table and danfojs's classes", async () => {
  const dfd = await import("danfojs");
  const t = arrow.tableFromArrays({ a: Int32Array.of(7) });
  // deno-lint-ignore no-explicit-any
  const proto = arrow.Table.prototype as any;
  const before = proto[JUPYTER_DISPLAY];
  try {
    enableRichDisplay({ danfojs: dfd, options: { maxRows: 1 } });
    // deno-lint-ignore no-explicit-any
    const bundle = (t as any)[JUPYTER_DISPLAY]();
    assertEquals(cells(bundle["text/html"]), [["7"]]);
    // deno-lint-ignore no-explicit-any
    const df = new dfd.DataFrame({ x: [1, 2] }) as any;
    assertStringIncludes(df[JUPYTER_DISPLAY]()["text/html"], "2 rows × 1 column (first 1 rows shown)");
    assert(!Object.keys(t).includes(String(JUPYTER_DISPLAY)), "the method is not enumerable");
  } finally {
    if (before === undefined) delete proto[JUPYTER_DISPLAY];
    else proto[JUPYTER_DISPLAY] = before;
    // deno-lint-ignore no-explicit-any
    delete (dfd.DataFrame.prototype as any)[JUPYTER_DISPLAY];
    // deno-lint-ignore no-explicit-any
    delete (dfd.Series.prototype as any)[JUPYTER_DISPLAY];
  }
});

Deno.test("outside Jupyter: isJupyter is false and textSink writes the plain text", async () => {
  assertEquals(isJupyter(), false);
  const lines: string[] = [];
  const sink = textSink((t) => lines.push(t));
  await sink.display({ "text/html": "<b>x</b>", "text/plain": "x" });
  await sink.display({ "text/markdown": "**m**" });
  assertEquals(lines, ["x", "**m**"]);
});
