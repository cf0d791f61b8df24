import { assert, assertEquals } from "@std/assert";
import { compactSvg, detailChart, sparkline } from "./drift_charts.ts";

const numeric = {
  edges: [0, 1, 2, 3],
  labels: ["0 – 1", "1 – 2", "2 – 3"],
  reference: [0.2, 0.5, 0.3],
  current: [0.1, 0.3, 0.6],
  folded_tails: false,
};
const categories = {
  edges: null,
  labels: ["EDU", "MED"],
  reference: [0.4, 0.6],
  current: [0.7, 0.3],
  folded_tails: false,
};

Deno.test("charts are small SVGs with both series and no external references", async () => {
  for (
    const svg of [
      await sparkline(numeric),
      await sparkline(categories),
      await detailChart("x", numeric),
      await detailChart("y", categories),
    ]
  ) {
    assert(svg.startsWith("<svg"));
    assert(svg.includes("#4c78a8") && svg.includes("#f58518"), "reference and current colors");
    assert(!/href=|src=/.test(svg));
    assert(svg.length < 12_000, `${svg.length} bytes`);
  }
  assert((await detailChart("loan_amnt", { ...numeric, folded_tails: true })).includes("1st/99th percentiles"));
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
