import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  axisTitle,
  categoryBars,
  compactSvg,
  CURRENT_COLOR,
  detailChart,
  REFERENCE_COLOR,
  sparkline,
  valueAxisFormat,
} from "./drift_charts.ts";
import type { Histogram } from "./column_drift.ts";

const numeric: Histogram = {
  edges: [0, 1, 2, 3],
  labels: ["0 – 1", "1 – 2", "2 – 3"],
  reference: [0.2, 0.5, 0.3],
  current: [0.1, 0.3, 0.6],
  folded_tails: false,
};
const categories: Histogram = {
  edges: null,
  labels: ["EDU", "MED"],
  reference: [0.4, 0.6],
  current: [0.7, 0.3],
  folded_tails: false,
};

/**
 * A categorical histogram as lib/monitoring/column_drift.ts makes it for `n` categories: the `shown - 1` largest by
 * combined share, then "other (N categories)". Category i has weight 1 + (i % 7) / 10 (nearly uniform, so the 11
 * largest of 500 hold about 2.5% of the rows).
 */
function manyCategories(n: number, shown = 12): Histogram {
  const w = Array.from({ length: n }, (_, i) => 1 + (i % 7) / 10);
  const wc = w.map((x, i) => x * (1 + (i % 3) / 5)); // current: a different mix
  const share = (xs: number[]) => xs.map((x) => x / xs.reduce((a, b) => a + b, 0));
  const ref = share(w), cur = share(wc);
  const order = ref.map((_, i) => i).sort((a, b) => ref[b] + cur[b] - ref[a] - cur[a] || a - b);
  const top = order.slice(0, shown - 1), rest = order.slice(shown - 1);
  const sum = (xs: number[], idx: number[]) => idx.reduce((a, i) => a + xs[i], 0);
  return {
    edges: null,
    labels: [...top.map((i) => `cat_${i}`), `other (${rest.length} categories)`],
    reference: [...top.map((i) => ref[i]), sum(ref, rest)],
    current: [...top.map((i) => cur[i]), sum(cur, rest)],
    folded_tails: false,
    other_categories: rest.length,
  };
}

/** Heights (px) of the bars drawn in a colour: vega's rect paths `M x,y h w v h h -w Z` (legend symbols excluded). */
function barHeights(svg: string, color: string): number[] {
  return [...svg.matchAll(/<path d="M[\d.]+,[\d.]+h[\d.]+v([\d.]+)h-[\d.]+Z" fill="([^"]+)"/g)]
    .filter((m) => m[2] === color)
    .map((m) => Number(m[1]));
}

/** Every line of text in the chart (a text element's content, or each of its tspans). */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>(.*?)<\/text>/g)].flatMap((m) =>
    m[1].replace(/<tspan[^>]*>/g, "\n").replace(/<\/tspan>/g, "").split("\n").filter(Boolean)
  );
}

Deno.test("charts are small SVGs with both series in two colours and no external references", async () => {
  for (
    const svg of [
      await sparkline(numeric),
      await sparkline(categories),
      await detailChart("x", numeric),
      await detailChart("y", categories),
    ]
  ) {
    assert(svg.startsWith("<svg"));
    assert(svg.includes(REFERENCE_COLOR) && svg.includes(CURRENT_COLOR), "reference and current colours");
    assert(!/href=|src=/.test(svg));
    assert(svg.length < 12_000, `${svg.length} bytes`);
  }
  assert((await detailChart("loan_amnt", { ...numeric, folded_tails: true })).includes("1st/99th percentiles"));
});

Deno.test("numerical detail chart: current as opaque bars, reference as a step line over them, one legend", async () => {
  const svg = await detailChart("x", numeric);
  // no translucent overlapping areas: the current bars are drawn once each, the reference as one line
  assertEquals(barHeights(svg, CURRENT_COLOR).length, 3, "a bar per bin");
  assertEquals(barHeights(svg, REFERENCE_COLOR).length, 0, "the reference is not drawn as bars");
  assert(new RegExp(`<path d="M[^"]*L[^"]*" stroke="${REFERENCE_COLOR}" stroke-width="2"`).test(svg), "step line");
  const t = texts(svg);
  assert(t.includes("reference") && t.includes("current"), "legend");
  assert(!/opacity="0\.5/.test(svg), "no half-transparent areas");
});

Deno.test("detail charts have axis titles: the column with its unit, and share of rows (%)", async () => {
  const amounts = await detailChart("loan_amnt", { ...numeric, edges: [0, 20_000, 40_000, 60_000] }, { unit: "$" });
  assert(texts(amounts).includes("loan_amnt ($)"), "x axis title with the unit");
  assert(texts(amounts).includes("share of rows (%)"), "y axis title");
  assert(texts(amounts).includes("20k"), "SI prefixes for large values");
  const plain = await detailChart("person_home_ownership", categories);
  assert(texts(plain).includes("person_home_ownership"), "the plain column name without a unit");
  assert(texts(plain).includes("share of rows (%)"));
  // probabilities read as 0.2, never as "200m"
  const p = await detailChart("probability", { ...numeric, edges: [0, 0.25, 0.5, 1] });
  assert(texts(p).includes("0.2") && !texts(p).some((x) => /\dm$/.test(x)), texts(p).join("|"));
  // share ticks with one decimal, as the report's tables write shares
  assert(texts(p).includes("20.0%") && texts(p).every((x) => !/^\d+%$/.test(x)), texts(p).join("|"));
  assertEquals(axisTitle("age", "years"), "age (years)");
  assertEquals(axisTitle("age", null), "age");
  assertEquals([valueAxisFormat([0, 1]), valueAxisFormat([-20_000, 5])], [",~g", "~s"]);
});

Deno.test("500 categories: the largest get real bars, 'other' is left out and the note says what they hold", async () => {
  const h = manyCategories(500);
  const bars = categoryBars(h);
  assertEquals(bars.otherLeftOut, true);
  assertEquals(bars.labels.length, 11);
  assertEquals(bars.categories, 500);
  const held = (xs: number[]) => (100 * xs.slice(0, 11).reduce((a, b) => a + b, 0)).toFixed(1);
  assertEquals(
    bars.note,
    `500 categories; the 11 largest hold ${held(h.reference)}% of reference and ${held(h.current)}% of current rows; ` +
      `the other 489 (${(100 * h.reference[11]).toFixed(1)}% and ${(100 * h.current[11]).toFixed(1)}%) are not drawn`,
  );
  for (const svg of [await detailChart("merchant", h), await sparkline(h)]) {
    const ref = barHeights(svg, REFERENCE_COLOR), cur = barHeights(svg, CURRENT_COLOR);
    assertEquals([ref.length, cur.length], [11, 11], "a bar per side for each of the 11 largest");
    const tallest = Math.max(...ref, ...cur);
    // never empty bars: every drawn bar is at least a third of the tallest (the shares are within 1.7x of each other)
    for (const x of [...ref, ...cur]) assert(x >= tallest / 3, `bar ${x}px against ${tallest}px`);
  }
  const detail = await detailChart("merchant", h);
  assert(texts(detail).includes("500 categories"), texts(detail).join("|"));
  assert(texts(detail).some((x) => x.startsWith("the other 489 (")), "says what is not drawn");
  assert(!texts(detail).some((x) => x.startsWith("other (")), "no other bar");
});

Deno.test("a few categories past the largest: the 'other (N categories)' bar is drawn with the rest", async () => {
  const h = manyCategories(15);
  const bars = categoryBars(h);
  assertEquals([bars.otherLeftOut, bars.labels.length, bars.categories], [false, 12, 15]);
  assertStringIncludes(bars.note!, "15 categories; the 11 largest hold");
  const svg = await detailChart("c", h);
  assert(texts(svg).includes("other (4 categories)"), "the other bar's label");
  assertEquals(barHeights(svg, REFERENCE_COLOR).length, 12);
  // every category drawn: no note
  assertEquals(categoryBars(categories).note, null);
});

Deno.test("compactSvg rounds coordinates and drops invisible parts", () => {
  assertEquals(
    compactSvg(
      '<g class="a" role="b" aria-hidden="true"><path class="background" d="M0,0h1"/><path d="M1.23456,2.98765L3.04999,4"/></g>',
    ),
    '<g><path d="M1.2,3L3,4"/></g>',
  );
});

Deno.test("detailChart: an optional title line (kept with the folded-tails note) and value-axis format", async () => {
  const titled = await detailChart("p", numeric, { title: "probability: drift", format: ".0%" });
  assert(titled.includes(">probability: drift<"), "title");
  assert(titled.includes(">200%<"), "value axis as percentages");
  const plain = await detailChart("p", numeric);
  assert(!plain.includes(">200%<") && !plain.includes("probability: drift"));
  const both = await detailChart("loan_amnt", { ...numeric, folded_tails: true }, { title: "loan_amnt: drift" });
  assert(both.includes(">loan_amnt: drift<") && both.includes("1st/99th percentiles"), "both lines");
});
