import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import {
  calibrationChart,
  confusionChart,
  prChart,
  rocChart,
  scoreDistributionChart,
  trainingCurveChart,
} from "./charts.ts";
import { calibrationTable, confusionAt, prAuc, prCurve, rocAuc, rocCurve } from "./metrics.ts";
import { seededRandom as rng } from "../numeric/random.ts";

/** Checks that an SVG string is one well-formed XML element tree rooted at <svg>; returns its text nodes. */
function checkSvg(svg: string): string[] {
  assert(svg.startsWith("<svg"), `does not start with <svg: ${svg.slice(0, 40)}`);
  const stack: string[] = [];
  const texts: string[] = [];
  const re = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  let roots = 0;
  while ((m = re.exec(svg)) !== null) {
    pos = re.lastIndex;
    if (m[5] !== undefined) {
      assert(stack.length > 0 || m[5].trim() === "", `text outside the root: ${m[5].slice(0, 40)}`);
      if (m[5].trim()) texts.push(m[5].replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">"));
      continue;
    }
    const [, close, name, , self] = m;
    if (close) {
      assertEquals(stack.pop(), name, `mismatched </${name}> at ${pos}`);
    } else if (!self) {
      if (stack.length === 0) roots++;
      stack.push(name);
    }
  }
  assertEquals(pos, svg.length, `unparsable markup at ${pos}: ${svg.slice(pos, pos + 60)}`);
  assertEquals(stack, [], "unclosed elements");
  assertEquals(roots, 1);
  return texts;
}

function sample(n: number) {
  const rnd = rng(3);
  const scores = new Float64Array(n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    scores[i] = rnd();
    labels[i] = rnd() < 0.05 + 0.4 * scores[i] ** 2 ? 1 : 0;
  }
  return { scores, labels };
}

const { scores, labels } = sample(100_000);

Deno.test("rocChart: well-formed SVG with title and axis titles; 100k-row curve stays small", async () => {
  const roc = rocCurve(scores, labels, { dropIntermediate: false });
  assert(roc.fpr.length > 10_000);
  const svg = await rocChart(roc, { auc: rocAuc(scores, labels) });
  const texts = checkSvg(svg);
  assert(texts.some((t) => /^ROC curve \(AUC = 0\.\d{3}\)$/.test(t)), texts.join(" | "));
  assert(texts.includes("False positive rate"));
  assert(texts.includes("True positive rate (recall)"));
  assert(svg.length < 120_000, `SVG is ${svg.length} bytes`);
  // Several named curves get a legend.
  const two = checkSvg(await rocChart([{ name: "train", ...roc }, { name: "validation", ...roc }]));
  assert(two.includes("train") && two.includes("validation"));
});

Deno.test("prChart: title with AP and the baseline", async () => {
  const svg = await prChart(prCurve(scores, labels), { averagePrecision: prAuc(scores, labels), prevalence: 0.2 });
  const texts = checkSvg(svg);
  assert(texts.some((t) => t.startsWith("Precision-recall curve (AP = ")), texts.join(" | "));
  assert(texts.includes("Recall (share of defaults rejected)"));
  assert(texts.includes("Precision"));
  assert(svg.length < 120_000, `SVG is ${svg.length} bytes`);
});

Deno.test("calibrationChart: axes and title", async () => {
  const texts = checkSvg(
    await calibrationChart(calibrationTable(scores, labels), { title: "Calibration (validation)" }),
  );
  assert(texts.includes("Calibration (validation)"));
  assert(texts.includes("Mean predicted probability of default"));
  assert(texts.includes("Observed default rate"));
  await assertRejects(() => calibrationChart([]), Error, "at least one bin");
});

Deno.test("scoreDistributionChart: both classes and the threshold label", async () => {
  const svg = await scoreDistributionChart(scores, labels, { threshold: 0.35 });
  const texts = checkSvg(svg);
  assert(texts.includes("Score distribution by outcome"));
  assert(texts.includes("Predicted probability of default"));
  assert(texts.includes("Share of class"));
  assert(texts.includes("Default (1)") && texts.includes("Repaid (0)"));
  assert(texts.includes("threshold 0.350"));
  assertStringIncludes(await scoreDistributionChart([0.2, 0.4], [0, 1], { normalize: false }), "Rows");
  await assertRejects(() => scoreDistributionChart([0.2, 0.4], [0, 3]), Error, `Label at row 1 is not 0 or 1: "3"`);
});

Deno.test("trainingCurveChart: loss panel, and a validation AUC panel when given", async () => {
  const steps = Array.from({ length: 20 }, (_, i) => ({
    epoch: i + 1,
    loss: 0.6 / (i + 1),
    val_loss: 0.65 / (i + 1) + 0.01,
    val_auc: 0.7 + i * 0.005,
  }));
  const texts = checkSvg(await trainingCurveChart(steps));
  assert(texts.includes("Training curve"));
  assert(texts.includes("Epoch") && texts.includes("Loss") && texts.includes("Validation AUC"));
  assert(texts.includes("val_loss"));
  const noAuc = checkSvg(await trainingCurveChart(steps.map(({ epoch, loss }) => ({ epoch, loss }))));
  assert(!noAuc.includes("Validation AUC"));
  await assertRejects(() => trainingCurveChart([]), Error, "at least one epoch");
});

Deno.test("confusionChart: the four cells with counts and shares", async () => {
  const c = confusionAt(scores, labels, 0.5);
  const texts = checkSvg(await confusionChart(c));
  assert(texts.includes("Confusion matrix at threshold 0.500"));
  assert(texts.includes("Decision") && texts.includes("Actual outcome"));
  for (const [kind, count] of [["TP", c.tp], ["FP", c.fp], ["TN", c.tn], ["FN", c.fn]] as const) {
    assert(texts.some((t) => t.startsWith(`${kind}: ${count} (`)), `${kind} ${count} missing: ${texts.join(" | ")}`);
  }
  await assertRejects(() => confusionChart({ tp: -1, fp: 0, tn: 0, fn: 0 }), Error, `"tp" must be a non-negative`);
});
