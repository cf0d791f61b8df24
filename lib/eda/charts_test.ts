import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import {
  categoryMixChart,
  featureMeansChart,
  histogramChart,
  histogramGrid,
  missingChart,
  periodRateChart,
  segmentRateChart,
} from "./charts.ts";
import { histogram } from "./distribution.ts";

/** The text nodes of an SVG (labels, titles), after checking it is one <svg> element. */
function texts(svg: string): string {
  assert(svg.startsWith("<svg") && svg.trimEnd().endsWith("</svg>"), `not an SVG: ${svg.slice(0, 40)}`);
  return [...svg.matchAll(/>([^<]+)</g)].map((m) => m[1]).join("|");
}

Deno.test("histogram charts: bars, title, notes on what was cut, log axis", async () => {
  const h = histogram(Float64Array.of(1, 2, 2, 3, 100, NaN), "loan_amnt", { bins: 3, upperQuantile: 0.75 });
  const svg = await histogramChart(h);
  assertStringIncludes(texts(svg), "loan_amnt");
  assertStringIncludes(texts(svg), "1 missing, 1 above the range");
  assertEquals((svg.match(/aria-roledescription="bar"/g) ?? []).length, 3, "one bar per bin");
  const grid = await histogramGrid([h, histogram(Float64Array.of(1, 10, 100), "income", { log: true, bins: 2 })], {
    title: "Grid",
  });
  assertStringIncludes(texts(grid), "income (log scale)");
  assertStringIncludes(texts(grid), "Grid");
  await assertRejects(() => histogramChart(histogram(Float64Array.of(NaN), "x")), Error, `"x" has no bins`);
  await assertRejects(() => histogramGrid([]), Error, "at least one");
});

Deno.test("rate charts over time and by segment, missing-value chart", async () => {
  const periods = [
    { period: "2021-01", start: "2021-01-01T00:00:00.000Z", rows: 10, positives: 2, rate: 0.2 },
    { period: "2021-02", start: "2021-02-01T00:00:00.000Z", rows: 12, positives: 3, rate: 0.25 },
  ];
  assertStringIncludes(
    texts(await periodRateChart(periods, { title: "Default rate per month" })),
    "Default rate per month",
  );
  const segments = [
    { segment: "RENT <x>", rows: 1500, share: 0.6, positives: 400, rate: 0.27 },
    { segment: "OWN", rows: 1000, share: 0.4, positives: 80, rate: 0.08 },
  ];
  const seg = await segmentRateChart(segments, { title: "By home", overall: 0.2 });
  assertStringIncludes(texts(seg), "RENT &lt;x&gt;");
  assertStringIncludes(texts(seg), "1,500 rows");
  const miss = await missingChart([{ column: "loan_int_rate", missing: 3, missing_share: 0.1 }, {
    column: "clean",
    missing: 0,
    missing_share: 0,
  }]);
  assertStringIncludes(texts(miss), "loan_int_rate");
  assert(!texts(miss).includes("clean"), "columns without missing values are not drawn");
  await assertRejects(() => missingChart([]), Error, "no column has missing values");
  await assertRejects(() => periodRateChart([]), Error, "at least one period");
  await assertRejects(() => segmentRateChart([]), Error, "at least one segment");
});

Deno.test("features over time: one line chart per numeric column with its unit, stacked shares per category", async () => {
  const start = (m: number) => `2021-0${m}-01T00:00:00.000Z`;
  const means = [1, 2, 3].flatMap((m) => [
    { column: "loan_amnt", period: `2021-0${m}`, start: start(m), rows: 10, missing: 0, mean: 9000 + m * 100 },
    { column: "person_age", period: `2021-0${m}`, start: start(m), rows: 10, missing: 1, mean: 30 + m },
  ]);
  const svg = texts(await featureMeansChart(means, { units: { loan_amnt: "$" }, title: "Means per month" }));
  for (const t of ["Means per month", "loan_amnt", "person_age", "Mean ($)", "Month (UTC)"]) {
    assertStringIncludes(svg, t);
  }
  assert(svg.includes("|Mean|"), "a column without a unit is titled Mean");
  const mix = [1, 2].flatMap((m) => [
    { column: "intent", period: `2021-0${m}`, start: start(m), category: "EDU", rows: 6, share: 0.6 },
    { column: "intent", period: `2021-0${m}`, start: start(m), category: "(other)", rows: 4, share: 0.4 },
  ]);
  const mixSvg = await categoryMixChart(mix, { periodTitle: "Week (UTC)" });
  for (const t of ["intent", "EDU", "(other)", "Share of rows", "Week (UTC)", "2021-02"]) {
    assertStringIncludes(texts(mixSvg), t);
  }
  assertEquals((mixSvg.match(/aria-roledescription="bar"/g) ?? []).length, 4, "one bar piece per period and category");
  await assertRejects(() => featureMeansChart([]), Error, "at least one period");
  await assertRejects(() => categoryMixChart([]), Error, "at least one period");
});
