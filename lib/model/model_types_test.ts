import * as arrow from "apache-arrow";
import { assert, assertEquals, assertGreater, assertRejects, assertThrows } from "@std/assert";
import {
  defaultHyperparameters,
  findModelType,
  MLP,
  MODEL_TYPE_NAMES,
  type ModelType,
  modelType,
  registerModelType,
} from "./model_types.ts";
import { trainModel } from "./train.ts";
import { loadModel, loadModelFrom, MODEL_FILES } from "./scorer.ts";
import { batchModelOf, BatchScorer } from "./batch_scorer.ts";
import { OnlineDecider } from "./online_decider.ts";
import { SMALL_CREDIT_SPEC, smallCreditRows } from "../testing/small_credit_model.ts";

// A type without the dense capability: the MLP's members, scored through tfjs only (no batch kernel, no online decider).
const { denseLayers: _dense, ...mlpWithoutFastPaths } = MLP;
const PLAIN: ModelType = registerModelType({
  ...mlpWithoutFastPaths,
  name: "plain_mlp",
  description: "MLP without the dense fast paths (test)",
  defaultHyperparameters: () => ({ ...MLP.defaultHyperparameters(), hidden: [8], members: 2 }),
});

/** 1,200 small credit rows with a timestamp (one a day), as a training table. */
function smallTable(): arrow.Table {
  const rows = smallCreditRows(1200, 5);
  const start = Date.UTC(2024, 0, 1);
  return arrow.tableFromJSON(rows.map((r, i) => ({ ...r, event_timestamp: start + i * 86_400_000 })));
}

Deno.test("model types: an unknown name is an error naming the known types", async () => {
  assertEquals([...MODEL_TYPE_NAMES], ["mlp", "logistic", "gbdt", "plain_mlp"]);
  const known = `known types: "mlp", "logistic", "gbdt" and "plain_mlp"`;
  assertThrows(() => modelType("forest"), Error, `Unknown model type "forest"; ${known}`);
  assertThrows(() => defaultHyperparameters("forest"), Error, known);
  assertEquals(findModelType("forest"), undefined);
  await assertRejects(
    () =>
      trainModel({
        name: "credit_default",
        modelType: "forest",
        featureSpec: SMALL_CREDIT_SPEC,
        trainingTable: smallTable(),
      }),
    Error,
    `Unknown model type "forest"; ${known}`,
  );
  assertThrows(() => registerModelType({ ...MLP }), Error, `Model type "mlp" is already registered`);
  assertThrows(() => registerModelType({ ...MLP, name: "Not A Name" }), Error, `"Not A Name"`);
});

Deno.test("model types: defaults per type, a fresh object each call", () => {
  assertEquals(defaultHyperparameters("mlp").hidden, [64, 32]);
  assertEquals(defaultHyperparameters("mlp").members, 3);
  assertEquals(defaultHyperparameters("logistic").hidden, []);
  assertEquals(defaultHyperparameters("logistic").members, 1);
  const a = defaultHyperparameters("mlp");
  a.hidden.push(7);
  assertEquals(defaultHyperparameters("mlp").hidden, [64, 32]);
  assert(modelType("mlp").denseLayers && modelType("logistic").denseLayers && !PLAIN.denseLayers);
  assert(!modelType("gbdt").denseLayers);
  assertEquals(defaultHyperparameters("gbdt").params, {});
});

Deno.test("model types: settings of another type are an error before any training", async () => {
  const trainingTable = smallTable();
  await assertRejects(
    () =>
      trainModel({
        name: "credit_default",
        trainingTable,
        featureSpec: SMALL_CREDIT_SPEC,
        modelType: "gbdt",
        params: { leaves: 7 },
        track: false,
      }),
    Error,
    `Unknown gbdt parameter "leaves"`,
  );
  await assertRejects(
    () =>
      trainModel({
        name: "credit_default",
        trainingTable,
        featureSpec: SMALL_CREDIT_SPEC,
        modelType: "logistic",
        params: { maxLeaves: 7 },
        track: false,
      }),
    Error,
    `Model type "logistic" has no parameter "maxLeaves"`,
  );
});

Deno.test("model types: each registered type trains a tiny model that saves, loads and scores the same", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const trainingTable = smallTable();
    const probe = smallCreditRows(40, 11);
    for (const name of MODEL_TYPE_NAMES) {
      const type = modelType(name);
      const members = name === "logistic" ? 1 : 2;
      const r = await trainModel({
        trainingTable,
        featureSpec: SMALL_CREDIT_SPEC,
        modelType: name,
        members,
        hidden: name === "logistic" ? undefined : [8],
        epochs: 3,
        seed: 4,
        root: dir,
        name: `small_${name}`,
        charts: false,
        reference: false,
      });
      assertEquals([r.version, r.champion, r.bestEpochs.length], [1, true, members], name);
      assertGreater(r.test.rocAuc, 0.6, name);

      const scorer = await loadModel({ root: dir, name: `small_${name}`, alias: "champion" });
      try {
        assertEquals(scorer.meta.modelType, name);
        assertEquals(scorer.networks.length, members);
        assertEquals(scorer.threshold, r.threshold);
        const p = scorer.predict(probe);
        const again = await loadModelFrom(r.modelUri);
        assertEquals(again.predict(probe), p, `${name}: load round trip`);
        again.dispose();
        // the fast paths exactly when the type has the dense capability
        const online = await OnlineDecider.fromScorer(scorer);
        const batch = await BatchScorer.fromScorer(scorer);
        assertEquals([batchModelOf(scorer) !== null, online !== null, batch.fast], [
          type.denseLayers !== undefined,
          type.denseLayers !== undefined,
          type.denseLayers !== undefined,
        ], name);
        const decided = scorer.decide(probe[0]);
        if (online) assert(Math.abs(online.decide(probe[0]).probability - decided.probability) < 1e-6, name);
      } finally {
        scorer.dispose();
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("model types: a saved model of an unregistered type is an error naming the known types", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await trainModel({
      name: "credit_default",
      trainingTable: smallTable(),
      featureSpec: SMALL_CREDIT_SPEC,
      modelType: "logistic",
      epochs: 2,
      root: dir,
      charts: false,
      reference: false,
    });
    const metaPath = `${r.modelUri}/${MODEL_FILES.meta}`;
    const meta = JSON.parse(await Deno.readTextFile(metaPath));
    assertEquals(meta.modelType, "logistic");
    await Deno.writeTextFile(metaPath, JSON.stringify({ ...meta, modelType: "forest" }));
    await assertRejects(() => loadModelFrom(r.modelUri), Error, `Unknown model type "forest"; known types: "mlp"`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
