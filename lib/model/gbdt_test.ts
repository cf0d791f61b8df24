import { assert, assertEquals, assertGreater, assertNotEquals, assertThrows } from "@std/assert";
import { fitGbdt, gbdtLogits, gbdtParams } from "./gbdt.ts";
import { GbdtMember, loadGbdtMember, saveGbdtMember } from "./gbdt_member.ts";
import { rocAuc } from "./metrics.ts";
import { seededRandom } from "../numeric/random.ts";
import type { Dataset } from "./tfjs_model.ts";
import { modelType } from "./model_types.ts";

/** A nonlinear problem no linear model separates: default when x0 and x1 have the same sign, plus noise columns. */
function xorData(rows: number, seed: number): Dataset {
  const r = seededRandom(seed);
  const cols = 4;
  const x = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) x[i * cols + c] = r() * 2 - 1;
    const same = x[i * cols] * x[i * cols + 1] > 0;
    y[i] = (r() < 0.9 ? same : !same) ? 1 : 0;
  }
  return { x, y, rows, cols };
}

function column(d: Dataset, c: number): Float32Array {
  return Float32Array.from({ length: d.rows }, (_, i) => d.x[i * d.cols + c]);
}

Deno.test("gbdt: learns a nonlinear problem that no single column or linear score ranks", () => {
  const train = xorData(3000, 1), validation = xorData(800, 2), test = xorData(2000, 3);
  const fit = fitGbdt(train, validation, { trees: 200, seed: 5, patience: 30 });
  const auc = rocAuc(gbdtLogits(fit.model, test.x, test.rows), test.y);
  assertGreater(auc, 0.85);
  // the trivial baselines: each column alone, and x0 + x1
  for (let c = 0; c < test.cols; c++) assert(Math.abs(rocAuc(column(test, c), test.y) - 0.5) < 0.05);
  const sum = Float32Array.from({ length: test.rows }, (_, i) => test.x[i * 4] + test.x[i * 4 + 1]);
  assert(Math.abs(rocAuc(sum, test.y) - 0.5) < 0.05);
  assert(fit.bestEpoch >= 1 && fit.bestEpoch <= 200 && fit.model.trees.length === fit.bestEpoch);
  assertEquals(fit.history[fit.bestEpoch - 1].valMetric, fit.bestMetric);
});

Deno.test("gbdt: the same seed gives the same trees, another seed others (with subsampling)", () => {
  const train = xorData(1500, 1), validation = xorData(400, 2);
  const opts = { trees: 30, rowSample: 0.7, colSample: 0.75, seed: 3 };
  const a = fitGbdt(train, validation, opts).model;
  assertEquals(fitGbdt(train, validation, opts).model, a);
  assertNotEquals(fitGbdt(train, validation, { ...opts, seed: 4 }).model, a);
});

Deno.test("gbdt: tree settings are checked, unknown ones are an error", () => {
  assertEquals(gbdtParams({ maxLeaves: 7 }).maxLeaves, 7);
  assertThrows(() => gbdtParams({ leaves: 7 }), Error, `Unknown gbdt parameter "leaves"; known: "maxLeaves"`);
  assertThrows(() => gbdtParams({ maxBins: 300 }), Error, `Gbdt parameter "maxBins" is "300"`);
  assertThrows(() => gbdtParams({ rowSample: 0 }), Error, `"rowSample" is "0"`);
  const train = xorData(100, 1);
  assertThrows(() => fitGbdt(train, train, { maxLeaves: 1 }), Error, `"maxLeaves" is "1"`);
  const type = modelType("gbdt");
  const hp = { ...type.defaultHyperparameters(), params: { depth: 3 } };
  assertThrows(() => type.buildMember({ inputs: 4, hyperparameters: hp, seed: 1 }), Error, `"depth"`);
});

Deno.test("gbdt: a member trained by its type saves and loads with identical logits", async () => {
  const type = modelType("gbdt");
  const train = xorData(1500, 1), validation = xorData(400, 2), test = xorData(500, 9);
  const hp = { ...type.defaultHyperparameters(), epochs: 40, params: { maxLeaves: 15, rowSample: 0.8 } };
  const member = type.buildMember({ inputs: train.cols, hyperparameters: hp, seed: 7 });
  assertThrows(() => (member as GbdtMember).logits(test.x, test.rows), Error, "not trained");
  const fit = await type.fitMember(member, { train, validation, hyperparameters: hp, seed: 7 });
  assert(fit.bestEpoch >= 1 && fit.history.length >= fit.bestEpoch);
  const dir = await Deno.makeTempDir();
  try {
    await type.saveMember(member, `${dir}/network_0`);
    const loaded = await type.loadMember(`${dir}/network_0`);
    assert(loaded instanceof GbdtMember);
    const a = (member as GbdtMember).logits(test.x, test.rows);
    assertEquals(loaded.logits(test.x, test.rows), a);
    assertEquals(new Uint8Array(loaded.logits(test.x, test.rows).buffer), new Uint8Array(a.buffer));
    await Deno.mkdir(`${dir}/bad`);
    await Deno.writeTextFile(`${dir}/bad/gbdt.json`, "{}");
    await loadGbdtMember(`${dir}/bad`).then(() => assert(false), (e) => assert(String(e).includes("not a gbdt model")));
    await saveGbdtMember(new GbdtMember(4, (member as GbdtMember).model), `${dir}/copy`);
    assertEquals((await loadGbdtMember(`${dir}/copy`)).logits(test.x, test.rows), a);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gbdt: wrong widths are errors", () => {
  const train = xorData(200, 1);
  const member = new GbdtMember(3);
  assertThrows(() => member.fit(train, train), Error, `reads 3 columns; got "4"`);
  const fit = fitGbdt(train, train, { trees: 2 });
  assertThrows(() => gbdtLogits(fit.model, new Float32Array(6), 2), Error, "Expected 2 x 4 = 8 values");
});
