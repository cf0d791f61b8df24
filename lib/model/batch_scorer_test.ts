import { assert, assertAlmostEquals, assertEquals, assertGreater } from "@std/assert";
import { initBackend } from "./tfjs_backend.ts";
import type { RawRow } from "./preprocess.ts";
import { smallCreditRows, smallModelScorer } from "../testing/small_credit_model.ts";
import { ModelScorer } from "./scorer.ts";
import { batchModelOf, BatchScorer, type ColumnarInput, encodeColumnar, type ReasonMode } from "./batch_scorer.ts";

await initBackend();

const scorerFor = smallModelScorer;
const rows = smallCreditRows;

/** Rows as columns: numbers with NaN for null, texts dictionary-coded (some numbers given as text, as CSV would). */
function columnar(rs: RawRow[]): ColumnarInput {
  const input: ColumnarInput = { rows: rs.length, numbers: {}, texts: {} };
  for (const c of ["age", "emp", "missed", "amount", "debt_a", "debt_b", "rate"]) {
    input.numbers[c] = Float64Array.from(rs, (r) => (r[c] === null ? NaN : r[c] as number));
  }
  for (const c of ["home", "intent", "income"]) {
    const values: string[] = [];
    const codes = Int32Array.from(rs, (r) => {
      const v = r[c];
      if (v === null) return -1;
      const s = String(v);
      let k = values.indexOf(s);
      if (k < 0) k = values.push(s) - 1;
      return k;
    });
    input.texts[c] = { codes, values };
  }
  return input;
}

/** An application never seen in training: unknown home, a level below minCount, missing everything else. */
const ODD: RawRow[] = [
  {
    age: 30,
    income: null,
    emp: null,
    missed: 0,
    amount: 5000,
    debt_a: null,
    debt_b: 0,
    rate: null,
    home: "CASTLE",
    intent: "RARE",
  },
  {
    age: 99,
    income: 0,
    emp: 40,
    missed: 9,
    amount: 1e6,
    debt_a: 5,
    debt_b: 5,
    rate: 30,
    home: "OWN",
    intent: "VENTURE",
  },
];

function assertSameAsDecide(scorer: ModelScorer, batch: BatchScorer, rs: RawRow[], mode: ReasonMode, label: string) {
  const scores = batch.score(columnar(rs), { reasons: mode });
  let withReasons = 0;
  for (let i = 0; i < rs.length; i++) {
    const d = scorer.decide(rs[i], { onInvalid: "mark" });
    assertAlmostEquals(scores.probability[i], d.probability, 1e-5, `${label} row ${i} probability`);
    assertEquals(scores.reject[i] === 1, d.decision === "reject", `${label} row ${i} decision`);
    const want = mode === "all" || (mode === "rejected" && d.decision === "reject") ? d.reasons : [];
    const got = [0, 1, 2].map((k) => scores.reasonGroups[i * 3 + k]).filter((g) => g >= 0);
    if (want.length) withReasons++;
    // impacts agree to float32 rounding; the order may only differ between reasons that tie to that precision
    assertEquals(got.length, want.length, `${label} row ${i} reason count`);
    for (let k = 0; k < want.length; k++) {
      const feature = batch.groups[got[k]];
      if (feature !== want[k].feature) {
        assertAlmostEquals(scores.reasonImpacts[i * 3 + k], want[k].impact, 1e-4, `${label} row ${i} reason ${k}`);
      } else assertAlmostEquals(scores.reasonImpacts[i * 3 + k], want[k].impact, 1e-4, `${label} row ${i} impact ${k}`);
    }
  }
  if (mode !== "none") assertGreater(withReasons, rs.length / 10, `${label}: rows with reasons were compared`);
}

Deno.test("columnar encoding is value for value Preprocessor.transform (missing values, unknown and rare levels, text numbers)", async () => {
  const scorer = await scorerFor({ hidden: [8], members: 1 });
  const rs = [...rows(400, 9), ...ODD];
  const want = scorer.preprocessor.transform(rs).data;
  const got = encodeColumnar(scorer.preprocessor, columnar(rs));
  assertEquals(got.length, want.length);
  let same = 0;
  for (let i = 0; i < want.length; i++) if (Object.is(got[i], want[i])) same++;
  assertEquals(same, want.length, "every encoded value is identical");
  scorer.dispose();
});

Deno.test("batch scores equal ModelScorer.decide row by row: MLP ensemble (WebAssembly kernel and JS loop), every reason mode", async () => {
  const scorer = await scorerFor({ hidden: [16, 8], members: 3 });
  assert(batchModelOf(scorer), "dense networks take the fast path");
  const rs = [...rows(700, 5), ...ODD];
  for (const simd of [true, false]) {
    const batch = await BatchScorer.fromScorer(scorer, { simd });
    assert(batch.fast);
    for (const mode of ["all", "rejected", "none"] as const) {
      assertSameAsDecide(scorer, batch, rs, mode, `simd ${simd} ${mode}`);
    }
    batch.dispose();
  }
  scorer.dispose();
});

Deno.test("batch scores equal decide for logistic regression and for networks the fast path cannot take", async () => {
  const logistic = await scorerFor({ hidden: null, members: 1 });
  const a = await BatchScorer.fromScorer(logistic);
  assert(a.fast);
  assertSameAsDecide(logistic, a, rows(300, 6), "all", "logistic");
  a.dispose();
  logistic.dispose();
  const tanh = await scorerFor({ hidden: [8], members: 2, activation: "tanh" });
  assertEquals(batchModelOf(tanh), null, "tanh is not on the fast path");
  const b = await BatchScorer.fromScorer(tanh);
  assertEquals(b.fast, false);
  assertSameAsDecide(tanh, b, rows(200, 7), "all", "tanh fallback");
  b.dispose();
  tanh.dispose();
});

Deno.test("a batch model is plain data: a scorer rebuilt from it scores the same", async () => {
  const scorer = await scorerFor({ hidden: [16, 8], members: 2 });
  const model = structuredClone(batchModelOf(scorer)!);
  const rebuilt = await BatchScorer.fromModel(model);
  const direct = await BatchScorer.fromScorer(scorer);
  const input = columnar(rows(300, 8));
  const x = direct.score(input), y = rebuilt.score(input);
  assertEquals(Array.from(y.probability), Array.from(x.probability));
  assertEquals(Array.from(y.reasonGroups), Array.from(x.reasonGroups));
  rebuilt.dispose();
  direct.dispose();
  scorer.dispose();
});
