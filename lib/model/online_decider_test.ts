import { assert, assertAlmostEquals, assertEquals, assertGreater, assertThrows } from "@std/assert";
import { initBackend } from "./tfjs_backend.ts";
import type { RawRow } from "./preprocess.ts";
import { smallCreditRows, smallModelScorer } from "../testing/small_credit_model.ts";
import { type DecisionResult, InvalidApplicationError, ModelScorer } from "./scorer.ts";
import { OnlineDecider } from "./online_decider.ts";

await initBackend();

/** Applications never seen in training: unknown levels, missing values, extremes. */
const ODD: RawRow[] = [
  { age: 30, home: "CASTLE", intent: "RARE" },
  { age: 99, income: 0, emp: 40, missed: 9, amount: 1e6, rate: 30, home: "OWN", intent: "VENTURE" },
  { age: 45, income: 60_000, emp: 5, missed: 0, amount: 5000, rate: 8, home: "MORTGAGE", intent: "EDUCATION" },
];

const scorerFor = smallModelScorer;
const rows = smallCreditRows;

/**
 * The fast answer is the reference's (ModelScorer.decide through tfjs): probability within 1e-6, the same decision,
 * threshold and flags, the same reasons in the same order with their texts and values, probability impacts within
 * 1e-6 and log-odds impacts within 1e-6 of the log-odds' size (float32 precision: the reference sums in float32; two
 * reasons whose impacts tie to that precision may swap).
 */
function assertSameAsDecide(scorer: ModelScorer, fast: OnlineDecider, rs: RawRow[], top = 3) {
  let withReasons = 0;
  for (let i = 0; i < rs.length; i++) {
    const want: DecisionResult = scorer.decide(rs[i], { onInvalid: "mark", top });
    const got: DecisionResult = fast.decide(rs[i], { onInvalid: "mark", top });
    assertAlmostEquals(got.probability, want.probability, 1e-6, `row ${i} probability`);
    assertEquals(got.decision, want.decision, `row ${i} decision`);
    assertEquals(got.threshold, want.threshold);
    assertEquals(got.flags, want.flags, `row ${i} flags`);
    assertEquals(got.reasons.length, want.reasons.length, `row ${i} reason count`);
    if (want.reasons.length) withReasons++;
    for (let k = 0; k < want.reasons.length; k++) {
      const g = got.reasons[k], w = want.reasons[k];
      // log-odds agree to float32 precision: 1e-6 relative to their size (the reference sums in float32)
      const scale = Math.max(1, Math.abs(Math.log(want.probability / (1 - want.probability))));
      assertAlmostEquals(g.impact, w.impact, 1e-6 * scale, `row ${i} reason ${k} impact`);
      assertAlmostEquals(g.probabilityImpact, w.probabilityImpact, 1e-6, `row ${i} reason ${k} probability impact`);
      if (g.feature === w.feature) {
        assertEquals({ ...g, impact: 0, probabilityImpact: 0 }, { ...w, impact: 0, probabilityImpact: 0 });
      } else {
        // a swap is only allowed between reasons that tie at float32 precision
        const other = want.reasons.find((r) => r.feature === g.feature);
        assert(other && Math.abs(other.impact - w.impact) < 1e-5, `row ${i} reason ${k}: ${g.feature} vs ${w.feature}`);
      }
    }
  }
  assertGreater(withReasons, rs.length / 10, "rows with reasons were compared");
}

Deno.test("OnlineDecider gives ModelScorer.decide's probability, decision and reason codes (MLP ensemble of 3; WebAssembly kernel and JavaScript)", async () => {
  const scorer = await scorerFor({ hidden: [16, 8], members: 3 });
  try {
    const rs = [...rows(400, 11), ...ODD];
    for (const simd of [true, false]) {
      const fast = await OnlineDecider.fromScorer(scorer, { simd });
      assert(fast, "an ensemble of dense relu networks has the fast path");
      assertEquals(fast.simd, simd);
      assertSameAsDecide(scorer, fast, rs);
      assertSameAsDecide(scorer, fast, rs.slice(0, 50), 5);
      // the buffers are reused between calls: the same application again gives the same answer
      assertEquals(fast.decide(rs[0]), fast.decide(rs[0]));
    }
  } finally {
    scorer.dispose();
  }
});

Deno.test("OnlineDecider: logistic regression, and no fast path for networks that are not dense relu/linear stacks", async () => {
  const logistic = await scorerFor({ hidden: null, members: 2 });
  const tanh = await scorerFor({ hidden: [8], members: 1, activation: "tanh" });
  try {
    const fast = await OnlineDecider.fromScorer(logistic);
    assert(fast && !fast.simd, "logistic regression runs in JavaScript (one output unit per member)");
    assertSameAsDecide(logistic, fast, [...rows(200, 12), ...ODD]);
    assertEquals(await OnlineDecider.fromScorer(tanh), null);
  } finally {
    logistic.dispose();
    tanh.dispose();
  }
});

Deno.test("OnlineDecider refuses out-of-range applications as decide does, or marks them", async () => {
  const scorer = await scorerFor({ hidden: [8], members: 1 });
  try {
    const fast = (await OnlineDecider.fromScorer(scorer))!;
    const bad = { ...ODD[2], age: 133 };
    const err = assertThrows(() => fast.decide(bad), InvalidApplicationError);
    assertEquals(err.problems, scorer.validate(bad));
    const marked = fast.decide(bad, { onInvalid: "mark" });
    assertEquals(marked.flags.map((f) => f.column), ["age"]);
    assertAlmostEquals(marked.probability, scorer.decide(bad, { onInvalid: "mark" }).probability, 1e-6);
  } finally {
    scorer.dispose();
  }
});
