import * as arrow from "apache-arrow";
import { assert, assertEquals, assertGreater, assertRejects, assertStringIncludes } from "@std/assert";
import { closeS3Clients, list, microsToIso, readBytes, readTable, timestampMicros, writeTable } from "../io/mod.ts";
import { loadModel } from "../model/train.ts";
import { takeVector } from "../feature_store/offline/take.ts";
import { CREDIT_REQUEST, creditInputSchema } from "../credit/features.ts";
import { creditTrainingSource } from "../credit/model_spec.ts";
import { resolveModelInputs } from "../repo/request.ts";
import { creditModelFixture } from "../testing/credit_model_fixture.ts";
import { startS3 } from "../testing/s3rver.ts";
import { type ProxyAction, startFlakyProxy } from "../testing/flaky_proxy.ts";
import { BadRowsError, runScoringJob, type ScoringJobOptions } from "./job.ts";
import { offlineJoiner } from "./features.ts";
import { type ScoringModel, scoringModel } from "./model.ts";
import { readManifest } from "./manifest.ts";
import { readScoredRuns } from "./reader.ts";

const fx = await creditModelFixture();
const scorer = await loadModel({ name: "credit_default", root: fx.config.model_store, alias: "champion" });
const model = await scoringModel(scorer, { name: "credit_default", workers: 1 });
const repo = creditTrainingSource("generated", { dataDir: fx.config.data_dir }).repo;
const refs = resolveModelInputs(model.inputColumns, { repo, request: CREDIT_REQUEST }).refs;
const features = await offlineJoiner(repo, refs);
const schema = creditInputSchema(model.rules);
const loans = await readTable(fx.loans);

/** The loans of a time window (fewer date partitions: fewer requests in the S3 tests). */
function window(table: arrow.Table, from: string, to: string): arrow.Table {
  const us = timestampMicros(table.getChild("event_timestamp")!);
  const lo = BigInt(Date.parse(from)) * 1000n, hi = BigInt(Date.parse(to)) * 1000n;
  const rows = Int32Array.from(Array.from(us.keys()).filter((i) => us[i] >= lo && us[i] < hi));
  const columns: Record<string, arrow.Vector> = {};
  for (const f of table.schema.fields) columns[f.name] = takeVector(table.getChild(f.name)!, rows);
  return new arrow.Table(columns);
}

function job(over: Partial<ScoringJobOptions> & Pick<ScoringJobOptions, "input" | "output">): ScoringJobOptions {
  return { model, schema, features, quarantine: true, batchRows: 700, ...over };
}

/** probability by loan_id of a scored table. */
function byLoan(table: arrow.Table): Map<number, number> {
  const ids = table.getChild("loan_id")!, p = table.getChild("probability")!;
  const out = new Map<number, number>();
  for (let i = 0; i < table.numRows; i++) out.set(Number(ids.get(i)), p.get(i));
  return out;
}

async function keys(prefix: string, io: ScoringJobOptions["io"]): Promise<string[]> {
  return (await list(prefix, io)).map((o) => o.uri);
}

Deno.test("score: S3 in, S3 out, manifest last; a re-run replaces the output atomically; a failed run leaves nothing", async () => {
  const s3 = await startS3();
  const io = { s3: s3.options };
  const input = `s3://${s3.bucket}/in/loans.parquet`;
  const output = `s3://${s3.bucket}/scores`;
  try {
    const apps = window(loans, "2021-03-01", "2021-06-01");
    await writeTable(input, apps, io);
    // files encoded and uploaded by writer workers (small jobs write on the main thread by default)
    const first = await runScoringJob(
      job({ input: [input], output, io, job: "loans", batchRows: 200, writeWorkers: 2 }),
    );
    const c = first.manifest.counts;
    assertEquals(c.input_rows, apps.numRows);
    assertEquals(c.scored + c.quarantined, c.input_rows);
    assertEquals(c.approve + c.reject, c.scored);
    assertGreater(c.scored, apps.numRows * 0.98);
    assertEquals(first.manifestUri, `${output}/_manifests/loans/shard-0-of-1.json`);
    const read = await readScoredRuns(output, { io, verify: true });
    assertEquals(read.table.numRows, c.scored);
    assertEquals(read.runs.map((r) => r.run_id), [first.manifest.run_id]);
    for (
      const column of [
        "loan_id",
        "dob_ssn",
        "zipcode",
        "event_timestamp",
        "probability",
        "decision",
        "threshold",
        "model_name",
        "model_version",
        "reason_1",
        "reason_2",
        "reason_3",
        "scored_at",
        ...model.inputColumns,
      ]
    ) assert(read.table.getChild(column), `output column "${column}"`);
    // each file is one date partition, and holds exactly the rows of that date
    const file = first.manifest.files[Math.floor(first.manifest.files.length / 2)];
    const part = await readTable(`${output}/${file.path}`, { s3: io.s3 });
    const days = new Set(
      Array.from(timestampMicros(part.getChild("event_timestamp")!), (us) => microsToIso(us).slice(0, 10)),
    );
    assertEquals([...days], [file.partition]);
    assertEquals(first.manifest.files.reduce((a, f) => a + f.rows, 0), c.scored);

    // the same job again: the manifest switches to the new run, the old run's objects are gone
    const second = await runScoringJob(job({ input: [input], output, io, job: "loans", batchRows: 200 }));
    assertEquals(second.replaced, first.manifest.run_id);
    const runs = new Set((await keys(`${output}/runs/loans/`, io)).map((k) => k.split("/")[7]));
    assertEquals([...runs], [second.manifest.run_id]);
    const again = await readScoredRuns(output, { io });
    assertEquals(byLoan(again.table), byLoan(read.table), "same answers");

    // a run failing mid-way publishes nothing and removes what it wrote; readers still see the last good run
    let calls = 0;
    const failing: ScoringModel = {
      ...model,
      score: (
        input,
        opts,
      ) => (++calls === 3 ? Promise.reject(new Error("scoring exploded")) : model.score(input, opts)),
    };
    await assertRejects(
      () =>
        runScoringJob(
          job({ input: [input], output, io, job: "loans", model: failing, batchRows: 200, bufferRows: 300 }),
        ),
      Error,
      "scoring exploded",
    );
    assertEquals((await readManifest(second.manifestUri, io))!.run_id, second.manifest.run_id);
    const left = new Set((await keys(`${output}/runs/loans/`, io)).map((k) => k.split("/")[7]));
    assertEquals([...left], [second.manifest.run_id], "the failed run's files were removed");
    assertEquals((await readScoredRuns(output, { io })).table.numRows, c.scored);
    assertEquals(await s3.pendingUploads(), []);
  } finally {
    closeS3Clients();
    await s3.close();
  }
});

Deno.test("score: a server failing mid-run (503, 500, dropped and cut connections) is retried; a persistent failure publishes nothing and leaves no multipart upload", async () => {
  const s3 = await startS3();
  const proxy = await startFlakyProxy(s3.endpoint, () => "pass");
  const direct = { s3: s3.options };
  const io = { s3: { ...s3.options, endpoint: proxy.endpoint, maxAttempts: 8 } };
  const input = `s3://${s3.bucket}/in/loans.parquet`;
  const output = `s3://${s3.bucket}/scores`;
  try {
    const apps = window(loans, "2021-01-01", "2021-03-01");
    await writeTable(input, apps, { ...direct, rowGroupRows: 100 });
    const clean = await runScoringJob(job({ input: [input], output, io: direct, job: "clean", batchRows: 50 }));
    assertEquals(clean.manifest.counts.input_rows, apps.numRows);
    // every seventh request fails, in turn: 503 SlowDown, 500, a dropped connection, and (for reads) a cut body
    const cycle: ProxyAction[] = ["503", "500", "drop", "truncate"];
    let k = 0;
    proxy.setPolicy((req) => {
      if (req.n % 7 !== 3) return "pass";
      const a = cycle[k++ % cycle.length];
      return a === "truncate" && req.method !== "GET" ? "503" : a;
    });
    // files written by writer workers, each with its own S3 client, through the same failures
    const flaky = await runScoringJob(
      job({ input: [input], output, io, job: "flaky", batchRows: 50, bufferRows: 150, writeWorkers: 2 }),
    );
    assertGreater(proxy.failures(), 12, "the proxy really failed requests");
    for (const a of cycle) assert(proxy.log.some((r) => r.action === a), `some request got "${a}"`);
    assertEquals(flaky.manifest.counts, clean.manifest.counts);
    const read = await readScoredRuns(output, { io: direct, jobs: ["flaky"], verify: true });
    const want = byLoan((await readScoredRuns(output, { io: direct, jobs: ["clean"] })).table);
    assertEquals(byLoan(read.table), want, "the same answers as without failures");

    // now every upload under the next run fails, whatever the retries: the job fails, the last run stays visible
    proxy.setPolicy((req) => (req.method === "PUT" && req.path.includes("/runs/flaky/") ? "503" : "pass"));
    await assertRejects(
      () =>
        runScoringJob(
          job({
            input: [input],
            output,
            io: { s3: { ...io.s3, maxAttempts: 2 } },
            job: "flaky",
            batchRows: 50,
            writeWorkers: 2,
          }),
        ),
      Error,
      "503",
    );
    assertEquals((await readManifest(flaky.manifestUri, direct))!.run_id, flaky.manifest.run_id);
    assertEquals(byLoan((await readScoredRuns(output, { io: direct, jobs: ["flaky"] })).table), want);
    assertEquals(await s3.pendingUploads(), [], "no multipart upload left behind");
  } finally {
    closeS3Clients();
    await proxy.close();
    await s3.close();
  }
});

/** The loans as CSV text (every column), with some cells replaced. */
function loansCsv(table: arrow.Table, rows: number, edits: Record<number, Record<string, string>>): string {
  const names = table.schema.fields.map((f) => f.name);
  const lines = [names.join(",")];
  for (let i = 0; i < rows; i++) {
    const row = table.get(i)!.toJSON() as Record<string, unknown>;
    lines.push(
      names.map((n) => {
        if (edits[i]?.[n] !== undefined) return edits[i][n];
        const v = row[n];
        if (v === null || v === undefined) return "";
        if (n.endsWith("timestamp")) return new Date(Number(v)).toISOString();
        return String(v);
      }).join(","),
    );
  }
  return lines.join("\n") + "\n";
}

Deno.test("score: bad rows fail the job naming the column and the count, or go to quarantine with their reasons", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const csv = `${dir}/apps.csv`;
    const edits = {
      3: { loan_intent: "CARS" },
      7: { person_age: "abc" },
      8: { person_age: "31.5" },
      9: { dob_ssn: "1953-02-19" },
      11: { person_income: "" },
      13: { event_timestamp: "yesterday" },
      14: { loan_intent: "CARS" },
      20: { person_home_ownership: " rent " }, // fine: trimmed, case-insensitive
    };
    await Deno.writeTextFile(csv, loansCsv(loans, 200, edits));
    const output = `${dir}/out`;
    const err = await assertRejects(
      () => runScoringJob(job({ input: [csv], output, quarantine: false, scoreFlagged: true })),
      BadRowsError,
    );
    assertStringIncludes(err.message, `column "loan_intent": 2 rows (unknown category; first at row 3`);
    assertStringIncludes(err.message, `column "person_age": 1 row (not a number; first at row 7`);
    assertStringIncludes(err.message, `column "person_age": 1 row (not whole; first at row 8`);
    assertStringIncludes(err.message, `column "dob_ssn": 1 row`);
    assertStringIncludes(err.message, `column "person_income": 1 row (null`);
    assertStringIncludes(err.message, `column "event_timestamp": 1 row (bad timestamp`);
    assertEquals(await keys(`${output}/`, {}), [], "nothing written");

    const { manifest } = await runScoringJob(job({ input: [csv], output, scoreFlagged: true }));
    assertEquals(manifest.counts.input_rows, 200);
    assertEquals(manifest.counts.quarantined, 7);
    assertEquals(manifest.counts.scored, 193);
    assertEquals(manifest.quarantine.by_column, {
      loan_intent: 2,
      person_age: 2,
      dob_ssn: 1,
      person_income: 1,
      event_timestamp: 1,
    });
    const q = await readTable(`${output}/${manifest.quarantine.files[0].path}`);
    const reasons = new Map<number, string>();
    for (let i = 0; i < q.numRows; i++) reasons.set(Number(q.getChild("row")!.get(i)), q.getChild("reason")!.get(i));
    assertEquals([...reasons.keys()].sort((a, b) => a - b), [3, 7, 8, 9, 11, 13, 14]);
    assertStringIncludes(reasons.get(3)!, `column "loan_intent" is "CARS", an unknown category`);
    assertStringIncludes(reasons.get(7)!, `column "person_age" is "abc"; expected a number`);
    assertStringIncludes(reasons.get(8)!, `column "person_age" is "31.5"; expected a whole number`);
    assertStringIncludes(reasons.get(9)!, `column "dob_ssn" is "1953-02-19"; expected YYYYMMDD_NNNN`);
    assertStringIncludes(reasons.get(11)!, `column "person_income" is empty`);
    assertStringIncludes(reasons.get(13)!, `column "event_timestamp" is "yesterday"`);
    const record = JSON.parse(q.getChild("record")!.get(0));
    assertEquals(record.loan_intent, "CARS");
    const scored = await readScoredRuns(output);
    assertEquals(scored.table.numRows, 193);
    const homes = new Set(scored.table.getChild("person_home_ownership")!.toArray());
    assert(!homes.has(" rent ") && homes.has("RENT"), "categories are normalized");

    // a required column missing from a file: every row is bad, and the message says so
    const parquet = `${dir}/no_intent.parquet`;
    await writeTable(parquet, loans.select(loans.schema.fields.map((f) => f.name).filter((n) => n !== "loan_intent")));
    const missing = await assertRejects(
      () => runScoringJob(job({ input: [parquet], output: `${dir}/out2`, quarantine: false })),
      BadRowsError,
    );
    assertStringIncludes(missing.message, `column "loan_intent": 700 rows (missing column`);
    assertStringIncludes(missing.message, `column "loan_intent" is missing from the input`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("score: shards split the input deterministically; together they score it once; readers wait for all shards", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const input = `${dir}/loans.parquet`;
    await writeTable(input, loans, { rowGroupRows: 400 });
    const output = `${dir}/out`;
    const whole = await runScoringJob(job({ input: [input], output, job: "whole", keepColumns: ["loan_status"] }));
    // pass-through columns keep their values and type
    const kept = (await readScoredRuns(output, { jobs: ["whole"], columns: ["loan_id", "loan_status"] })).table;
    const status = new Map<number, unknown>();
    for (let i = 0; i < loans.numRows; i++) {
      status.set(Number(loans.getChild("loan_id")!.get(i)), loans.getChild("loan_status")!.get(i));
    }
    assertEquals(String(kept.getChild("loan_status")!.type), "Int64");
    for (let i = 0; i < kept.numRows; i += 13) {
      assertEquals(kept.getChild("loan_status")!.get(i), status.get(Number(kept.getChild("loan_id")!.get(i))));
    }
    const parts = [];
    for (let i = 0; i < 3; i++) {
      parts.push(await runScoringJob(job({ input: [input], output, job: "sharded", shard: { index: i, count: 3 } })));
      const seen = await readScoredRuns(output, { jobs: ["sharded"] });
      if (i < 2) {
        assertEquals(seen.table.numRows, 0, `after ${i + 1} of 3 shards nothing of the job is visible`);
        assertStringIncludes(seen.ignored[0].reason, `${i + 1} of 3 shards committed`);
      } else assertEquals(seen.runs.length, 3);
    }
    const groups = parts.map((p) => p.manifest.input.files[0].row_groups);
    assertEquals(groups, [[0, 3, 6], [1, 4, 7], [2, 5]]);
    assertEquals(parts.reduce((a, p) => a + p.manifest.counts.input_rows, 0), loans.numRows);
    const sharded = await readScoredRuns(output, { jobs: ["sharded"] });
    const ids = sharded.table.getChild("loan_id")!.toArray();
    assertEquals(new Set(ids).size, ids.length, "no application scored twice");
    assertEquals(byLoan(sharded.table), byLoan((await readScoredRuns(output, { jobs: ["whole"] })).table));
    assertEquals(whole.manifest.input.fingerprint, parts[0].manifest.input.fingerprint);
    // the manifest's input fingerprint changes with the input
    await writeTable(input, loans.slice(0, 100));
    const changed = await runScoringJob(job({ input: [input], output, job: "whole" }));
    assert(changed.manifest.input.fingerprint !== whole.manifest.input.fingerprint);
    const bytes = await readBytes(changed.manifestUri);
    assertEquals(JSON.parse(new TextDecoder().decode(bytes)).counts.input_rows, 100);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

globalThis.addEventListener("unload", () => {
  model.close();
  scorer.dispose();
});
