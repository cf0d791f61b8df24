import { assert, assertEquals } from "@std/assert";
import { readTable } from "../io/mod.ts";
import { loadModel } from "../model/scorer.ts";
import { OnlineDecider } from "../model/online_decider.ts";
import { inputColumns, type RawRow } from "../model/preprocess.ts";
import { openRepo } from "../repo/load.ts";
import { creditModelFixture } from "../testing/credit_model_fixture.ts";

Deno.test("fair lending: the credit repo declares age protected; no decision ever gives it as a reason", async () => {
  const credit = await openRepo({ dir: null });
  assertEquals(credit.model.protected, ["person_age"]);
  // the model's features read no protected column (the loader refuses a spec that does)
  const inputs = inputColumns({ ...credit.featureSpec, rules: [] });
  assert(!inputs.includes("person_age"), `inputs: ${inputs.join(", ")}`);

  const fx = await creditModelFixture();
  const scorer = await loadModel({ name: "credit_default", root: fx.config.model_store, alias: "champion" });
  const decider = await OnlineDecider.fromScorer(scorer);
  try {
    const loans = await readTable(fx.loans);
    let rejected = 0;
    for (let i = 0; i < loans.numRows; i += 5) {
      const row = loans.get(i)!.toJSON() as RawRow;
      for (const k of Object.keys(row)) if (typeof row[k] === "bigint") row[k] = Number(row[k]);
      for (
        const d of [
          scorer.decide(row, { onInvalid: "mark", top: 20 }),
          decider?.decide(row, { onInvalid: "mark", top: 20 }),
        ]
      ) {
        if (!d) continue;
        if (d.decision === "reject") rejected++;
        for (const r of d.reasons) {
          assert(
            !/age/i.test(r.feature) || r.feature === "mortgage_due",
            `row ${i}: reason "${r.feature}" (${r.text})`,
          );
          assert(!/\bage\b/i.test(r.text), `row ${i}: reason text "${r.text}"`);
        }
      }
    }
    assert(rejected > 50, `rejections were checked (${rejected})`);
  } finally {
    scorer.dispose();
  }
});
