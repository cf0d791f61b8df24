import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "@std/assert";
import { type IoOptions, readBytes, writeBytes } from "../io/mod.ts";
import { startS3 } from "../testing/s3rver.ts";
import {
  checkArtifactPath,
  getMetricHistory,
  getRun,
  isUnfinished,
  listArtifacts,
  listExperiments,
  listRuns,
  newRunId,
  readArtifact,
  runExists,
  startRun,
  withRun,
} from "./tracking.ts";

const dec = new TextDecoder();

/** The same scenario on a local root and on s3://. */
async function lifecycle(root: string, io?: IoOptions): Promise<void> {
  const run = await startRun({ root, experiment: "credit_default", runName: "mlp-small", tags: { model: "mlp" }, io });
  assertMatch(run.runId, /^\d{8}T\d{9}Z-[0-9a-f]{8}$/);
  assertEquals(run.uri, `${root}/runs/credit_default/${run.runId}`);

  // Right after start: visibly unfinished.
  let rec = await getRun(root, run.runId, { io });
  assertEquals([rec.status, rec.end_time, rec.run_name, rec.tags], ["RUNNING", null, "mlp-small", { model: "mlp" }]);
  assert(isUnfinished(rec));

  await run.logParams({ learning_rate: 0.001, hidden_units: [64, 32], feature_service: "credit_score_v1" });
  await run.logParams({ learning_rate: 0.001 }); // same value again is fine
  assertThrows(
    () => run.logParams({ learning_rate: 0.01 }),
    Error,
    `Param "learning_rate" was already logged as 0.001`,
  );
  for (let epoch = 1; epoch <= 5; epoch++) {
    await run.logMetrics({ loss: 1 / epoch, val_loss: 1.1 / epoch, val_auc: 0.7 + epoch / 100 }, epoch);
  }
  await run.logMetric("brier", 0.12);
  await run.logMetric("brier", 0.11);
  await run.setTag("data_version", "2024-06");
  const rocUri = await run.logArtifact("charts/roc.svg", "<svg>roc</svg>");
  assertEquals(rocUri, `${root}/runs/credit_default/${run.runId}/artifacts/charts/roc.svg`);
  await run.logArtifact("model/weights.bin", new Uint8Array([1, 2, 3]));
  await run.logJson("model/model.json", { format: "layers-model", weights: ["weights.bin"] });

  // While running, readers already see the latest metrics from the history file.
  rec = await getRun(root, run.runId, { io });
  assertEquals(rec.status, "RUNNING");
  assertEquals(rec.metrics.val_auc, 0.75);
  assertEquals(rec.params.hidden_units, [64, 32]);

  await run.end("FINISHED");
  rec = await getRun(root, run.runId, { io });
  assertEquals(rec.status, "FINISHED");
  assert(rec.end_time !== null && rec.end_time >= rec.start_time);
  assert(!isUnfinished(rec));
  assertEquals(rec.metrics, { loss: 0.2, val_loss: 1.1 / 5, val_auc: 0.75, brier: 0.11 });
  assertEquals(rec.tags, { model: "mlp", data_version: "2024-06" });
  assertEquals(rec.artifact_uri, `${root}/runs/credit_default/${run.runId}/artifacts`);
  assertThrows(() => run.logMetric("loss", 0.1), Error, "has ended (FINISHED)"); // checked before any write: throws at once
  await assertRejects(() => run.end(), Error, "cannot end again");

  const history = await getMetricHistory(root, run.runId, { io });
  assertEquals(history.loss.map((p) => p.step), [1, 2, 3, 4, 5]);
  assertEquals(history.val_auc.map((p) => p.value), [0.71, 0.72, 0.73, 0.74, 0.75]);
  assertEquals(history.brier.map((p) => [p.step, p.value]), [[0, 0.12], [1, 0.11]]);

  assertEquals(
    dec.decode(await readArtifact({ root, runId: run.runId, path: "charts/roc.svg", io })),
    "<svg>roc</svg>",
  );
  assertEquals(
    await readArtifact({ root, runId: run.runId, path: "model/weights.bin", io }),
    new Uint8Array([1, 2, 3]),
  );
  const modelJson = JSON.parse(
    dec.decode(await readArtifact({ root, runId: run.runId, path: "model/model.json", io })),
  );
  assertEquals(modelJson.format, "layers-model");
  assertEquals(await listArtifacts({ root, runId: run.runId, io }), [
    "charts/roc.svg",
    "model/model.json",
    "model/weights.bin",
  ]);
  assertEquals(await listArtifacts({ root, runId: run.runId, prefix: "model/", io }), [
    "model/model.json",
    "model/weights.bin",
  ]);
  await assertRejects(
    () => readArtifact({ root, runId: run.runId, path: "charts/pr.svg", io }),
    Error,
    `Run "${run.runId}" has no artifact "charts/pr.svg"`,
  );

  // A second run that fails, and one that "crashes" (never ended).
  await assertRejects(
    () =>
      withRun({ root, experiment: "credit_default", io }, async (r) => {
        await r.logMetric("loss", NaN, 0);
        throw new Error("Loss diverged");
      }),
    Error,
    "Loss diverged",
  );
  const crashed = await startRun({ root, experiment: "credit_default", io });
  await crashed.logMetric("loss", 0.5, 1);
  const other = await withRun({ root, experiment: "other_experiment", io }, () => Promise.resolve(42));
  assertEquals(other, 42);

  const runs = await listRuns(root, "credit_default", { io });
  assertEquals(runs.length, 3);
  assertEquals(runs.map((r) => r.run_id), [...runs.map((r) => r.run_id)].sort().reverse(), "newest first");
  const failed = runs.find((r) => r.status === "FAILED")!;
  assertEquals(failed.error, "Loss diverged");
  assert(Number.isNaN((await getMetricHistory(root, failed.run_id, { io })).loss[0].value), "NaN survives JSON");
  assertEquals(runs.filter(isUnfinished).map((r) => r.run_id), [crashed.runId]);
  assertEquals((await listRuns(root, "credit_default", { io, status: "FINISHED" })).map((r) => r.run_id), [run.runId]);
  assertEquals(await listRuns(root, "no_such_experiment", { io }), []);
  assertEquals(await listExperiments(root, { io }), ["credit_default", "other_experiment"]);
  assert(await runExists(root, run.runId, { io }));
  assert(!(await runExists(root, "20000101T000000000Z-00000000", { io })));
  await assertRejects(() => getRun(root, "20000101T000000000Z-00000000", { io }), Error, "not found");
}

Deno.test("tracking: full lifecycle on a local directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tracking-" });
  try {
    await lifecycle(`${dir}/models`);
    // run.json is pretty JSON a human can read.
    const [run] = await listRuns(`${dir}/models`, "credit_default", { status: "FINISHED" });
    const text = await Deno.readTextFile(`${dir}/models/runs/credit_default/${run.run_id}/run.json`);
    assert(text.includes(`\n  "status": "FINISHED"`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tracking: full lifecycle on s3://", async () => {
  const s3 = await startS3();
  try {
    await lifecycle(`s3://${s3.bucket}/models`, { s3: s3.options });
  } finally {
    await s3.close();
  }
});

Deno.test("tracking: run.json is written last on end; the id index can be lost", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tracking-" });
  try {
    const root = `${dir}/m`;
    let t = Date.parse("2025-03-01T10:00:00Z");
    const run = await startRun({ root, experiment: "exp", now: () => new Date(t += 1000) });
    assert(run.runId.startsWith("20250301T100001000Z-"), run.runId);
    await run.logMetric("auc", 0.8);
    await run.end();
    const stored = JSON.parse(await Deno.readTextFile(`${root}/runs/exp/${run.runId}/run.json`));
    const metricsInfo = await Deno.stat(`${root}/runs/exp/${run.runId}/metrics.json`);
    const runInfo = await Deno.stat(`${root}/runs/exp/${run.runId}/run.json`);
    assert(runInfo.mtime!.getTime() >= metricsInfo.mtime!.getTime());
    assertEquals(stored.metrics, { auc: 0.8 });
    assertEquals(stored.end_time, "2025-03-01T10:00:04.000Z");
    assert(!("run_uri" in stored), "locations are computed on read, not stored");
    // Without the index file the run is still found by scanning.
    await Deno.remove(`${root}/runs/_ids/${run.runId}.json`);
    assertEquals((await getRun(root, run.runId)).status, "FINISHED");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tracking: invalid names and paths are refused", async () => {
  await assertRejects(
    () => startRun({ root: "/tmp/x", experiment: "../up" }),
    Error,
    `Invalid experiment name "../up"`,
  );
  await assertRejects(() => startRun({ root: "/tmp/x", experiment: "_ids" }), Error, "Invalid experiment name");
  for (const p of ["", "/abs", "a/../b", "a//b", "./a"]) {
    assertThrows(() => checkArtifactPath(p), Error, "Invalid artifact");
  }
  checkArtifactPath("charts/roc.svg");
  await assertRejects(() => getRun("/tmp/x", "not-a-run"), Error, `Invalid run id "not-a-run"`);
  assertMatch(newRunId(new Date("2025-01-02T03:04:05.678Z")), /^20250102T030405678Z-[0-9a-f]{8}$/);
  const dir = await Deno.makeTempDir({ prefix: "tracking-" });
  try {
    const run = await startRun({ root: dir, experiment: "e" });
    await assertRejects(() => run.logArtifact("../escape.txt", "x"), Error, "Invalid artifact path");
    assertThrows(() => run.logParams({ f: () => 1 }), Error, `Param "f" is not JSON-serializable`);
    assertThrows(() => run.logMetrics({ "bad name": 1 }), Error, `Invalid metric name "bad name"`);
    assertThrows(() => run.logMetric("x", 1, 1.5), Error, `Metric step must be an integer, got "1.5"`);
    await run.end("FAILED", { error: "stopped" });
    assertEquals((await getRun(dir, run.runId)).error, "stopped");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tracking: concurrent log calls keep every value", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tracking-" });
  try {
    const run = await startRun({ root: dir, experiment: "e" });
    await Promise.all(Array.from({ length: 30 }, (_, i) => run.logMetric("m", i, i)));
    await run.end();
    assertEquals(
      (await getMetricHistory(dir, run.runId)).m.map((p) => p.value),
      Array.from({ length: 30 }, (_, i) => i),
    );
    // A corrupt run.json is reported with its path.
    const uri = `${dir}/runs/e/${run.runId}/run.json`;
    await writeBytes(uri, new TextEncoder().encode("{oops"));
    await assertRejects(() => getRun(dir, run.runId), Error, `File "${uri}" is not valid JSON`);
    assertEquals((await readBytes(uri)).length, 5);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
