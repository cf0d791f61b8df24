import { assert, assertEquals, assertGreater, assertNotEquals } from "@std/assert";
import { initBackend } from "./tfjs_backend.ts";
import {
  buildNetwork,
  type Dataset,
  fitNetwork,
  loadNetwork,
  predictProba,
  rankAuc,
  saveNetwork,
} from "./tfjs_model.ts";
import { seededRandom } from "../numeric/random.ts";

/** A linear problem: y = 1 when 2 x0 - x1 + noise > 0.5. */
function linearData(n: number, seed: number): Dataset {
  const r = seededRandom(seed);
  const cols = 4;
  const x = new Float32Array(n * cols);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < cols; c++) x[i * cols + c] = r() * 2 - 1;
    y[i] = 2 * x[i * cols] - x[i * cols + 1] + (r() - 0.5) * 0.3 > 0.5 ? 1 : 0;
  }
  return { x, y, rows: n, cols };
}

const train = linearData(1500, 1);
const validation = linearData(500, 2);

async function trained(type: "mlp" | "logistic", seed: number) {
  await initBackend();
  const net = buildNetwork({ type, inputs: 4, seed, hidden: [8, 4] });
  const fit = await fitNetwork(net, { train, validation, seed, epochs: 15, learningRate: 0.01, patience: 20 });
  return { net, fit };
}

Deno.test("tfjs: the backend is wasm, loaded from node_modules", async () => {
  assertEquals(await initBackend(), "wasm");
});

Deno.test("tfjs: a small training run learns a separable linear signal", async () => {
  for (const type of ["logistic", "mlp"] as const) {
    const { net, fit } = await trained(type, 7);
    const p = predictProba(net, validation.x, validation.rows);
    assertGreater(rankAuc(validation.y, p), 0.97, type);
    assertGreater(fit.history[0].loss, fit.history[fit.history.length - 1].loss);
    assertEquals(fit.history.map((h) => h.epoch), Array.from({ length: fit.history.length }, (_, i) => i + 1));
    net.dispose();
  }
});

Deno.test("tfjs: the same seed gives the same weights and predictions; another seed does not", async () => {
  const a = await trained("mlp", 11);
  const b = await trained("mlp", 11);
  const c = await trained("mlp", 12);
  const wa = a.net.getWeights().map((w) => [...w.dataSync()]);
  assertEquals(b.net.getWeights().map((w) => [...w.dataSync()]), wa);
  assertEquals(predictProba(b.net, validation.x, validation.rows), predictProba(a.net, validation.x, validation.rows));
  assertEquals(a.fit.history, b.fit.history);
  assertNotEquals(c.net.getWeights().map((w) => [...w.dataSync()]), wa);
  for (const m of [a, b, c]) m.net.dispose();
});

Deno.test("tfjs: save and load through lib/io give identical predictions", async () => {
  const { net } = await trained("mlp", 3);
  const dir = await Deno.makeTempDir();
  try {
    const files = await saveNetwork(net, `${dir}/network`);
    assertEquals(files.map((f) => f.slice(dir.length)), ["/network/model.json", "/network/weights.bin"]);
    const loaded = await loadNetwork(`${dir}/network`);
    assertEquals(predictProba(loaded, validation.x, validation.rows), predictProba(net, validation.x, validation.rows));
    loaded.dispose();
  } finally {
    net.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tfjs: rank AUC handles ties and a missing class", () => {
  assertEquals(rankAuc([0, 1, 0, 1], [0.1, 0.9, 0.5, 0.5]), 0.875);
  assertEquals(rankAuc([1, 1], [0.1, 0.2]), 0.5);
  assert(seededRandom(1)() !== seededRandom(2)());
});
