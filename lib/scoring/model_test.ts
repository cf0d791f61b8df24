import { assert, assertEquals } from "@std/assert";
import { loadModel } from "../model/train.ts";
import { readTable } from "../io/mod.ts";
import { creditModelFixture } from "../testing/credit_model_fixture.ts";
import { checkBatch } from "./columns.ts";
import { creditInputSchema } from "../credit/features.ts";
import { scoringModel } from "./model.ts";

Deno.test("scoring model: worker threads score exactly as the main thread; categories and text columns from the model", async () => {
  const fx = await creditModelFixture();
  const scorer = await loadModel({ name: "credit_default", root: fx.config.model_store, alias: "champion" });
  const inThread = await scoringModel(scorer, { name: "credit_default", workers: 0 });
  const pooled = await scoringModel(scorer, { name: "credit_default", workers: 2 });
  try {
    assertEquals(inThread.runsOn, "main thread");
    assertEquals(pooled.runsOn, "2 workers");
    assert(inThread.categories("loan_intent")!.includes("EDUCATION"));
    assertEquals(inThread.categories("person_income"), null);
    assert(inThread.isText("person_home_ownership") && !inThread.isText("person_age"));
    assertEquals(inThread.groups.includes("loan_to_income"), true);
    const loans = await readTable(fx.loans);
    const checked = checkBatch(loans.batches[0], creditInputSchema(), { decode: new Set(inThread.inputColumns) });
    const input = { rows: checked.rows, numbers: checked.numbers, texts: checked.texts };
    // several batches in flight at once come back to the right callers
    const [a, b, c] = await Promise.all([
      inThread.score(input, { reasons: "all" }),
      pooled.score(input, { reasons: "all" }),
      pooled.score({
        ...input,
        rows: 10,
        numbers: Object.fromEntries(Object.entries(input.numbers).map(([k, v]) => [k, v.slice(0, 10)])),
        texts: Object.fromEntries(
          Object.entries(input.texts).map(([k, v]) => [k, { codes: v.codes.slice(0, 10), values: v.values }]),
        ),
      }, { reasons: "none" }),
    ]);
    assertEquals(Array.from(b.probability), Array.from(a.probability));
    assertEquals(Array.from(b.reasonGroups), Array.from(a.reasonGroups));
    assertEquals(c.rows, 10);
    assertEquals(Array.from(c.probability), Array.from(a.probability.slice(0, 10)));
    assert(a.reasonGroups.some((g) => g >= 0));
  } finally {
    await inThread.close();
    await pooled.close();
    scorer.dispose();
  }
});
