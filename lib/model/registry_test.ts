import { assert, assertEquals, assertRejects } from "@std/assert";
import { type IoOptions, list, writeBytes } from "../io/mod.ts";
import { startS3 } from "../testing/s3rver.ts";
import {
  deleteAlias,
  getAliases,
  getVersion,
  listModels,
  listVersions,
  readModelFile,
  registerModel,
  setAlias,
} from "./registry.ts";
import { startRun } from "./tracking.ts";

const dec = new TextDecoder();
const POLICY = {
  threshold: 0.31,
  policy: { kind: "target_recall", targetRecall: 0.9 },
  achieved: { recall: 0.9, precision: 0.4, approvalRate: 0.7, n: 100 },
};

async function trainedRun(root: string, io: IoOptions | undefined, auc: number): Promise<string> {
  const run = await startRun({ root, experiment: "credit_default", io });
  await run.logParams({ epochs: 3 });
  await run.logMetrics({ val_auc: auc, val_loss: 0.4 }, 3);
  await run.logJson("model/model.json", { modelTopology: { auc } });
  await run.logArtifact("model/weights.bin", new Uint8Array([7, 8, 9]));
  await run.logJson("model/policy.json", POLICY);
  await run.logArtifact("charts/roc.svg", "<svg/>");
  await run.end();
  return run.runId;
}

async function scenario(root: string, io?: IoOptions): Promise<void> {
  const name = "credit_default";
  await assertRejects(
    () => getVersion({ root, name, io }),
    Error,
    `Model "credit_default" is not registered (no versions under`,
  );
  assertEquals(await listVersions({ root, name, io }), []);

  const run1 = await trainedRun(root, io, 0.78);
  const run2 = await trainedRun(root, io, 0.81);
  const v1 = await registerModel({ root, name, runId: run1, artifactPrefix: "model", description: "first", io });
  assertEquals(v1.version, 1);
  assertEquals(v1.run_id, run1);
  assertEquals(v1.source, `runs:/${run1}/model`);
  assertEquals(v1.storage, "reference");
  assertEquals(v1.artifact_uri, `${root}/runs/credit_default/${run1}/artifacts/model`);
  assertEquals(v1.metrics, { val_auc: 0.78, val_loss: 0.4 });
  assertEquals(v1.policy, POLICY);
  assertEquals(v1.description, "first");
  assertEquals(v1.aliases, []);

  const v2 = await registerModel({
    root,
    name,
    runId: run2,
    artifactPrefix: "model/",
    copy: true,
    tags: { reviewed_by: "risk" },
    io,
  });
  assertEquals([v2.version, v2.storage, v2.tags], [2, "copy", { reviewed_by: "risk" }]);
  assert(v2.artifact_uri.startsWith(`${root}/registry/credit_default/copies/${run2}-`), v2.artifact_uri);
  assertEquals(await readModelFile(v2, "weights.bin", { io }), new Uint8Array([7, 8, 9]));
  assertEquals(JSON.parse(dec.decode(await readModelFile(v1, "model.json", { io }))), { modelTopology: { auc: 0.78 } });
  await assertRejects(() => readModelFile(v1, "nope.bin", { io }), Error, `version 1 has no file "nope.bin"`);

  // Lookups: latest, by number, by alias, with errors that list what exists.
  assertEquals((await getVersion({ root, name, io })).version, 2);
  assertEquals((await getVersion({ root, name, version: 1, io })).run_id, run1);
  await assertRejects(
    () => getVersion({ root, name, alias: "champion", io }),
    Error,
    `Model "credit_default" has no alias "champion"; versions: 1, 2`,
  );
  await assertRejects(
    () => getVersion({ root, name, version: 3, io }),
    Error,
    `Model "credit_default" has no version 3; versions: 1, 2`,
  );
  await assertRejects(() => getVersion({ root, name, version: 1, alias: "champion", io }), Error, "not both");

  // Aliases.
  assertEquals(await setAlias({ root, name, alias: "champion", version: 1, io }), null);
  assertEquals(await setAlias({ root, name, alias: "challenger", version: 2, io }), null);
  const champ = await getVersion({ root, name, alias: "champion", io });
  assertEquals([champ.version, champ.aliases, champ.policy], [1, ["champion"], POLICY]);
  // Promotion: champion moves to 2, the call returns where it was.
  assertEquals(await setAlias({ root, name, alias: "champion", version: 2, io }), 1);
  assertEquals(await getAliases({ root, name, io }), { challenger: 2, champion: 2 });
  assertEquals((await getVersion({ root, name, alias: "champion", io })).aliases, ["challenger", "champion"]);
  assertEquals(await deleteAlias({ root, name, alias: "challenger", io }), 2);
  assertEquals(await deleteAlias({ root, name, alias: "challenger", io }), null);
  assertEquals((await listVersions({ root, name, io })).map((v) => [v.version, v.aliases]), [[1, []], [2, [
    "champion",
  ]]]);
  await assertRejects(
    () => setAlias({ root, name, alias: "champion", version: 5, io }),
    Error,
    `Model "credit_default" has no version 5; versions: 1, 2`,
  );
  await assertRejects(() => setAlias({ root, name, alias: "latest", version: 1, io }), Error, `"latest" (reserved)`);
  await assertRejects(() => setAlias({ root, name, alias: "2", version: 1, io }), Error, `Invalid alias "2"`);

  // Refusals.
  await assertRejects(
    () => registerModel({ root, name, runId: run1, artifactPrefix: "onnx", io }),
    Error,
    `has no artifacts under "onnx/"; it has: charts/roc.svg, model/model.json, model/policy.json, model/weights.bin`,
  );
  const failed = await startRun({ root, experiment: "credit_default", io });
  await failed.logArtifact("model/model.json", "{}");
  await failed.end("FAILED");
  await assertRejects(
    () => registerModel({ root, name, runId: failed.runId, artifactPrefix: "model", io }),
    Error,
    `Run "${failed.runId}" failed; refusing to register`,
  );
  await assertRejects(
    () => registerModel({ root, name: "bad/name", runId: run1, artifactPrefix: "model", io }),
    Error,
    `Invalid model name "bad/name"`,
  );

  // Explicit metrics and policy win over the run's; a second model lives beside the first.
  const other = await registerModel({
    root,
    name: "credit_default_gbm",
    runId: run1,
    artifactPrefix: "model",
    metrics: { test_auc: 0.77 },
    policy: { threshold: 0.5 },
    io,
  });
  assertEquals([other.version, other.metrics, other.policy], [1, { test_auc: 0.77 }, { threshold: 0.5 }]);
  assertEquals(await listModels(root, { io }), ["credit_default", "credit_default_gbm"]);
}

Deno.test("registry: versions and aliases on a local directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "model-registry-" });
  try {
    await scenario(`${dir}/models`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("registry: versions and aliases on s3://", async () => {
  const s3 = await startS3();
  try {
    await scenario(`s3://${s3.bucket}/models`, { s3: s3.options });
  } finally {
    await s3.close();
  }
});

Deno.test("registry: an existing version file is never overwritten; concurrent registrations get distinct numbers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "model-registry-" });
  try {
    const root = `${dir}/m`;
    const runId = await trainedRun(root, undefined, 0.8);
    // A version written by someone else (here: by hand, with a gap) is kept as is.
    const foreign = `${root}/registry/credit_default/versions/4.json`;
    const foreignDoc = {
      format: "model_version",
      format_version: 1,
      name: "credit_default",
      version: 4,
      run_id: runId,
      experiment: "credit_default",
      source: `runs:/${runId}/model`,
      storage: "reference",
      artifact_path: `runs/credit_default/${runId}/artifacts/model`,
      description: "by hand",
      tags: {},
      metrics: {},
      policy: null,
      created_time: "2025-01-01T00:00:00.000Z",
    };
    await writeBytes(foreign, new TextEncoder().encode(JSON.stringify(foreignDoc)));
    const v = await registerModel({ root, name: "credit_default", runId, artifactPrefix: "model" });
    assertEquals(v.version, 5);
    assertEquals(JSON.parse(await Deno.readTextFile(foreign)).description, "by hand");

    const many = await Promise.all(
      Array.from({ length: 6 }, () => registerModel({ root, name: "credit_default", runId, artifactPrefix: "model" })),
    );
    assertEquals(many.map((m) => m.version).sort((a, b) => a - b), [6, 7, 8, 9, 10, 11]);
    const files = (await list(`${root}/registry/credit_default/`)).map((o) => o.uri.slice(root.length + 1));
    assertEquals(files.filter((f) => f.endsWith(".json")).length, 8);
    assertEquals(files.filter((f) => !f.endsWith(".json")), [], "claims are removed");
    // A corrupt version file is named in the error.
    await writeBytes(`${root}/registry/credit_default/versions/12.json`, new TextEncoder().encode("{"));
    await assertRejects(
      () => getVersion({ root, name: "credit_default" }),
      Error,
      `versions/12.json" is not valid JSON`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
