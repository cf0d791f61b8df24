import * as tfjs from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { fuseEnsemble } from "./fused_ensemble.ts";
import { buildNetwork } from "./tfjs_model.ts";
import { initBackend } from "./tfjs_backend.ts";

await initBackend();

function meanPredict(networks: tfjs.LayersModel[], x: Float32Array, rows: number, cols: number): Float32Array {
  return tfjs.tidy(() => {
    const input = tfjs.tensor2d(x, [rows, cols]);
    const logits = networks.map((n) => n.predict(input) as tfjs.Tensor);
    return tfjs.div(tfjs.addN(logits), networks.length).dataSync() as Float32Array;
  }).slice();
}

Deno.test("fused ensemble equals the mean logit of its members (MLP and logistic)", () => {
  const cols = 17, rows = 23;
  const x = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 1.7) * 3);
  for (const type of ["mlp", "logistic"] as const) {
    const networks = [1, 2, 3].map((seed) => buildNetwork({ type, inputs: cols, hidden: [8, 5], seed }));
    const fused = fuseEnsemble(networks);
    assert(fused, `${type} networks fuse`);
    const got = fused.meanLogits(x, rows);
    const want = meanPredict(networks, x, rows, cols);
    assertEquals(got.length, rows);
    for (let i = 0; i < rows; i++) assertAlmostEquals(got[i], want[i], 1e-4);
    // the answers differ between rows: the test is not comparing constants
    assert(new Set(Array.from(got, (v) => v.toFixed(4))).size > rows / 2);
    fused.dispose();
    networks.forEach((n) => n.dispose());
  }
});

Deno.test("networks that cannot be fused are refused (callers keep predict)", () => {
  const a = buildNetwork({ type: "mlp", inputs: 4, hidden: [3], seed: 1 });
  const b = buildNetwork({ type: "mlp", inputs: 4, hidden: [5], seed: 2 });
  assertEquals(fuseEnsemble([a, b]), null);
  const t = buildNetwork({ type: "mlp", inputs: 4, hidden: [3], seed: 1, activation: "tanh" });
  assertEquals(fuseEnsemble([t]), null);
  assertEquals(fuseEnsemble([]), null);
  [a, b, t].forEach((n) => n.dispose());
});
