import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { CreateMultipartUploadCommand } from "@aws-sdk/client-s3";
import { closeS3Clients, list, readBytes, s3Client, writeBytes } from "../io/mod.ts";
import { startS3 } from "../testing/s3rver.ts";
import {
  abortStaleUploads,
  acquireLease,
  checkJobName,
  commitRun,
  JobRunningError,
  MANIFEST_FORMAT,
  manifestUri,
  newRunId,
  readManifest,
  runPrefix,
  type ScoringManifest,
  type Shard,
  StaleRunError,
} from "./manifest.ts";

/** A run with one data file written under its prefix, and its manifest (not committed). */
async function fakeRun(output: string, job: string, shard: Shard, runId: string): Promise<ScoringManifest> {
  const prefix = runPrefix(job, shard, runId);
  const path = `${prefix}/date=2021-01-01/part-00000.parquet`;
  await writeBytes(`${output}/${path}`, new TextEncoder().encode(runId));
  return {
    format: MANIFEST_FORMAT,
    job,
    shard,
    run_id: runId,
    run_prefix: prefix,
    status: "complete",
    started_at: "2021-01-01T00:00:00.000Z",
    finished_at: new Date().toISOString(),
    scored_at: "2021-01-01T00:00:00.000Z",
    model: { name: "m", version: 1, threshold: 0.5 },
    reasons: { mode: "all", top: 3, texts: {} },
    features: { mode: "offline", as_of: null, refs: [] },
    input: { uris: [], fingerprint: "", files: [], rows: 1 },
    counts: { input_rows: 1, scored: 1, quarantined: 0, approve: 1, reject: 0 },
    files: [{ path, partition: "2021-01-01", rows: 1, bytes: runId.length, sha256: "" }],
    quarantine: { files: [], rows: 0, by_column: {} },
    columns: [],
    runtime: { seconds: 1, rows_per_second: 1, scorer: "test", peak_rss_mb: null },
  };
}

async function files(root: string): Promise<string[]> {
  return (await list(`${root}/`)).map((o) => o.uri.slice(root.length + 1)).sort();
}

Deno.test("commit: the manifest goes last and replaces the previous run; older and failed runs are deleted", async () => {
  const out = await Deno.makeTempDir();
  try {
    const one: Shard = { index: 0, count: 1 };
    const r1 = await fakeRun(out, "job", one, "20210101T000000000Z-aaaaaaaa");
    assertEquals((await commitRun(out, r1)).replaced, null);
    assertEquals((await readManifest(manifestUri(out, "job", one)))!.run_id, r1.run_id);
    // a run that failed before its commit, then a good one
    await fakeRun(out, "job", one, "20210102T000000000Z-bbbbbbbb");
    const r3 = await fakeRun(out, "job", one, "20210103T000000000Z-cccccccc");
    const result = await commitRun(out, r3);
    assertEquals(result.replaced, r1.run_id);
    assertEquals(result.removedObjects, 2);
    assertEquals(await files(out), [
      "_manifests/job/shard-0-of-1.json",
      `${r3.files[0].path}`,
    ]);
    // an older run that finishes late is refused and changes nothing
    const late = await fakeRun(out, "job", one, "20210102T120000000Z-dddddddd");
    await assertRejects(() => commitRun(out, late), StaleRunError, "newer run");
    assertEquals((await readManifest(manifestUri(out, "job", one)))!.run_id, r3.run_id);
    // the same job re-run as 2 shards: the 1-shard set goes once both shards committed
    const s0 = await fakeRun(out, "job", { index: 0, count: 2 }, "20210104T000000000Z-eeeeeeee");
    await commitRun(out, s0);
    assert((await files(out)).includes("_manifests/job/shard-0-of-1.json"), "kept until the new set is complete");
    const s1 = await fakeRun(out, "job", { index: 1, count: 2 }, "20210104T000000000Z-ffffffff");
    await commitRun(out, s1);
    assertEquals((await files(out)).filter((f) => f.startsWith("_manifests/")), [
      "_manifests/job/shard-0-of-2.json",
      "_manifests/job/shard-1-of-2.json",
    ]);
    assert(!(await files(out)).some((f) => f.includes("shard-0-of-1")), "the 1-shard runs are gone");
    const m = JSON.parse(new TextDecoder().decode(await readBytes(manifestUri(out, "job", { index: 1, count: 2 }))));
    assertEquals(m.format, "scored-run/1");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("manifest helpers: job names, run ids, bad manifests named", async () => {
  checkJobName("loans-2021_v1.2");
  assertThrows(() => checkJobName("../etc"), Error, `Job name "../etc" is not allowed`);
  assertThrows(() => checkJobName(""), Error, "not allowed");
  const a = newRunId(new Date("2024-05-01T12:00:00.123Z"));
  assert(/^20240501T120000123Z-[0-9a-f]{8}$/.test(a), a);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/m.json`, `{"format":"something-else"}`);
    await assertRejects(() => readManifest(`${dir}/m.json`), Error, `has format "something-else"`);
    await Deno.writeTextFile(`${dir}/n.json`, `{not json`);
    await assertRejects(() => readManifest(`${dir}/n.json`), Error, "is not valid JSON");
    assertEquals(await readManifest(`${dir}/none.json`), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stale multipart uploads under a job's prefix are aborted (and only those)", async () => {
  const s3 = await startS3();
  try {
    const client = s3Client(s3.options);
    for (const key of ["scores/runs/job/shard-0-of-1/r1/date=2021-01-01/part-00000.parquet", "elsewhere/x.bin"]) {
      await client.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: key }));
    }
    assertEquals((await s3.pendingUploads()).length, 2);
    const n = await abortStaleUploads(`s3://${s3.bucket}/scores/runs/job/shard-0-of-1/`, { s3: s3.options });
    assertEquals(n, 1);
    assertEquals((await s3.pendingUploads()).map((u) => u.key), ["elsewhere/x.bin"]);
    assertEquals(await abortStaleUploads("/tmp/local/prefix/"), 0);
  } finally {
    closeS3Clients();
    await s3.close();
  }
});

Deno.test("two runs of one job: one writer per job and shard (a lease), commit deletes only older, idle runs", async () => {
  const out = await Deno.makeTempDir();
  const one: Shard = { index: 0, count: 1 };
  try {
    const a = "20210101T000000000Z-aaaaaaaa", b = "20210101T000001000Z-bbbbbbbb";
    const leaseA = await acquireLease(out, "job", one, a);
    // B starts while A writes: refused before it touches anything, naming A
    const err = await assertRejects(() => acquireLease(out, "job", one, b), JobRunningError);
    assert(err.message.includes(a), err.message);
    // another shard or job is not blocked
    await (await acquireLease(out, "job", { index: 1, count: 2 }, b)).release();
    await leaseA.release();
    const leaseB = await acquireLease(out, "job", one, b); // A is done: B may start
    // A (older) commits while B (newer) still writes: B's files are left alone
    const runA = await fakeRun(out, "job", one, a);
    const runB = await fakeRun(out, "job", one, b);
    await commitRun(out, runA);
    assert((await files(out)).includes(runB.files[0].path), "a newer run's files are never deleted");
    await commitRun(out, runB);
    await leaseB.release();
    assertEquals((await files(out)).filter((f) => !f.startsWith("_manifests/")), [runB.files[0].path]);
    // a run whose files were removed under it is refused: a manifest never names missing data
    const c = await fakeRun(out, "job", one, "20210101T000002000Z-cccccccc");
    await Deno.remove(`${out}/${c.files[0].path}`);
    await assertRejects(() => commitRun(out, c), StaleRunError, "are gone");
    assertEquals((await readManifest(manifestUri(out, "job", one)))!.run_id, b);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("a crashed run's lease expires; of two runs taking the lease at once exactly one holds it", async () => {
  const out = await Deno.makeTempDir();
  const one: Shard = { index: 0, count: 1 };
  try {
    // a killed run leaves its lease file behind: it blocks until it expires, then it is ignored
    const dead = "20210101T000000000Z-aaaaaaaa";
    const leaseFile = `${out}/${runPrefix("job", one, dead)}/_lease.json`;
    const write = (expires: number) =>
      writeBytes(
        leaseFile,
        new TextEncoder().encode(JSON.stringify({
          run_id: dead,
          job: "job",
          shard: one,
          acquired_at: new Date(0).toISOString(),
          expires_at: new Date(expires).toISOString(),
        })),
      );
    await write(Date.now() + 60_000);
    await assertRejects(() => acquireLease(out, "job", one, "20210101T000001000Z-bbbbbbbb"), JobRunningError);
    await write(Date.now() - 1);
    await (await acquireLease(out, "job", one, "20210101T000001000Z-bbbbbbbb")).release();
    // whatever the order of the run ids (a run's id is its start; the older may reach its lease later), and however
    // the two interleave, exactly one holds the lease
    for (const [k, delay] of [[0, 0], [1, 5], [2, 40], [3, 120]] as const) {
      const older = `20210101T00000000${k}Z-cccccccc`, newer = `20210101T00000000${k}Z-dddddddd`;
      const results = await Promise.allSettled([
        new Promise((r) => setTimeout(r, delay)).then(() => acquireLease(out, `race${k}`, one, older)),
        acquireLease(out, `race${k}`, one, newer),
      ]);
      const held = results.filter((r) => r.status === "fulfilled");
      assertEquals(held.length, 1, `delay ${delay}: ${JSON.stringify(results.map((r) => r.status))}`);
      for (const r of held) await (r as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
