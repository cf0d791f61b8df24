import * as arrow from "apache-arrow";
import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { createGenerator } from "../credit/generate.ts";
import { creditTrainingSource } from "../credit/model_spec.ts";
import { timestampVector, writeBatches } from "../io/mod.ts";
import { inputColumns } from "./preprocess.ts";
import { buildTrainingReference, readTrainingReference, REFERENCE_FILES, SCORE_COLUMN } from "./reference.ts";
import { loadModel, tableToRows, trainModel } from "./train.ts";
import { listArtifacts } from "./tracking.ts";

const spec = {
  label: "y",
  timestampColumn: "ts",
  features: [
    { kind: "numeric" as const, name: "income", description: "" },
    { kind: "categorical" as const, name: "home", description: "" },
  ],
};

function table(n: number): arrow.Table {
  return new arrow.Table({
    ts: timestampVector(BigInt64Array.from({ length: n }, (_, i) => BigInt(Date.UTC(2021, 0, 1 + i)) * 1000n)),
    income: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => (i === 1 ? null : 1000 * i)),
      new arrow.Float64(),
    ),
    home: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 2 ? "RENT" : "OWN")), new arrow.Utf8()),
    unused: arrow.makeVector(Int32Array.from({ length: n }, (_, i) => i)),
    y: arrow.makeVector(Int32Array.from({ length: n }, (_, i) => i % 3 === 0 ? 1 : 0)),
  });
}

Deno.test("reference: input columns, time, label and probability of the training rows, types kept", () => {
  const t = table(10);
  const { table: ref, meta } = buildTrainingReference(t, {
    spec,
    rows: [0, 1, 2, 4],
    probability: [0.1, 0.2, 0.3, 0.4],
  });
  assertEquals(ref.schema.fields.map((f) => f.name), ["ts", "income", "home", "y", SCORE_COLUMN]);
  assertEquals(ref.schema.fields.map((f) => String(f.type)), [
    String(t.getChild("ts")!.type),
    "Float64",
    "Utf8",
    "Int32",
    "Float64",
  ]);
  assertEquals(ref.getChild("income")!.toArray().length, 4);
  assertEquals([...ref.getChild("income")!], [0, null, 2000, 4000]);
  assertEquals([...ref.getChild("home")!], ["OWN", "RENT", "OWN", "OWN"]);
  assertEquals([...ref.getChild(SCORE_COLUMN)!], [0.1, 0.2, 0.3, 0.4]);
  assertEquals(meta.features, ["income", "home"]);
  assertEquals([meta.rows, meta.source_rows, meta.sampling, meta.label, meta.timestamp], [4, 4, "all", "y", "ts"]);
  assertEquals([meta.from, meta.to], ["2021-01-01T00:00:00.000Z", "2021-01-05T00:00:00.000Z"]);
});

Deno.test("reference: sampled evenly over time above maxRows; mismatched lengths refused", () => {
  const t = table(10);
  const rows = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const { table: ref, meta } = buildTrainingReference(t, {
    spec,
    rows,
    probability: rows.map((r) => r / 10),
    maxRows: 4,
  });
  assertEquals(ref.numRows, 4);
  assertEquals([...ref.getChild(SCORE_COLUMN)!], [0, 0.2, 0.5, 0.7]);
  assertEquals([meta.rows, meta.source_rows], [4, 10]);
  assert(meta.sampling.startsWith("every 2.50-th"), meta.sampling);
  assertThrows(() => buildTrainingReference(t, { spec, rows: [0, 1], probability: [0.5] }), Error, "1 probabilities");
  assertThrows(() => buildTrainingReference(t, { spec, rows, probability: rows, maxRows: 0 }), Error, `"0"`);
});

Deno.test("reference: trainModel saves one with every tracked model, found from the registered version", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const gen = createGenerator({ seed: 11, loans: 1500, zipcodes: 2000 });
    await writeBatches(`${dir}/data/zipcode_table.parquet`, gen.zipcodeBatches());
    await writeBatches(`${dir}/data/loan_table.parquet`, gen.loanBatches());
    await writeBatches(`${dir}/data/credit_history.parquet`, gen.creditHistoryBatches());
    const source = creditTrainingSource("generated", { dataDir: `${dir}/data` });
    const root = `${dir}/models`;
    const r = await trainModel({
      name: "credit_default",
      source,
      root,
      modelType: "logistic",
      epochs: 2,
      seed: 3,
      charts: false,
    });
    assert(r.referenceUri.endsWith(REFERENCE_FILES.table), r.referenceUri);
    const files = await listArtifacts({ root, runId: r.runId, prefix: "reference/" });
    assertEquals(files, [REFERENCE_FILES.meta, REFERENCE_FILES.table]);

    const ref = await readTrainingReference({ name: "credit_default", root, alias: "champion" });
    assertEquals(ref.version.version, r.version);
    assertEquals(ref.uri, r.referenceUri);
    assertEquals(ref.meta.rows, r.split.train - r.flaggedTrainingRows);
    assertEquals(ref.table.numRows, ref.meta.rows);
    assertEquals(ref.meta.features, inputColumns(source.spec));
    assertEquals(ref.meta.to! < r.split.validationFrom!, true, "reference rows are older than validation");
    // the stored probabilities are the model's on those rows
    const scorer = await loadModel({ name: "credit_default", root, alias: "champion" });
    const rows = tableToRows(ref.table);
    const p = scorer.predict(rows.slice(0, 50));
    for (let i = 0; i < 50; i++) assertAlmostEquals(Number(rows[i][SCORE_COLUMN]), p[i], 1e-6);
    scorer.dispose();

    // reference: false saves none, and reading it then names the version and the run
    const r2 = await trainModel({
      name: "credit_default",
      source,
      root,
      modelType: "logistic",
      epochs: 1,
      seed: 3,
      charts: false,
      reference: false,
    });
    assertEquals(r2.referenceUri, "");
    await assertRejects(
      () => readTrainingReference({ name: "credit_default", root, version: r2.version! }),
      Error,
      `version 2 (run "${r2.runId}") has no training reference`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
