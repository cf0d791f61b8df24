import { assert, assertEquals, assertGreater } from "@std/assert";
import { permutationImportance } from "./importance.ts";
import { seededRandom } from "../numeric/random.ts";

Deno.test("permutationImportance: the column the score uses loses AUC when shuffled, an unused one loses none", () => {
  const r = seededRandom(3);
  const rows = Array.from({ length: 400 }, () => ({ signal: r(), noise: r() }));
  const labels = rows.map((x) => (x.signal + 0.3 * (r() - 0.5) > 0.5 ? 1 : 0));
  const predict = (rs: Record<string, unknown>[]) => rs.map((x) => x.signal as number);
  const out = permutationImportance({ rows, labels, columns: ["noise", "signal"], predict, repeats: 2, seed: 1 });
  assertEquals(out.map((o) => o.feature), ["signal", "noise"]);
  assertGreater(out[0].auc_drop, 0.3);
  assertEquals(out[1].auc_drop, 0);
  assert(out.every((o) => o.auc_drop_sd >= 0));
});
