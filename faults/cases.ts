/**
 * The fault suite's cases: each starts the real parts it needs (the decision server, s3rver, a scoring job in its
 * own process), injects one fault, and reports whether the system survived it, how many rows were lost and how
 * many 5xx answers malformed input got. `deno task faults` runs them all (faults/main.ts) and writes
 * `bench/results/faults.json`; `faults/faults_test.ts` runs them under `deno task test`, so CI runs them on every
 * change.
 *
 * @example
 * ```ts
 * import { FAULT_CASES } from "./cases.ts";
 * for (const c of FAULT_CASES) console.log(c.name, await c.run());
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { closeS3Clients, list, readTable, writeTable } from "../lib/io/mod.ts";
import { takeVector } from "../lib/feature_store/offline/take.ts";
import { openRepo } from "../lib/repo/load.ts";
import { readScoredRuns } from "../lib/scoring/reader.ts";
import { scoreRepoRows } from "../lib/scoring/score_repo.ts";
import { JobRunningError, readManifest } from "../lib/scoring/manifest.ts";
import { startDecisionServer } from "../lib/serving/decision_server.ts";
import { creditModelFixture } from "../lib/testing/credit_model_fixture.ts";
import { fixtureApplication, trainedCreditFixture } from "../lib/testing/credit_fixture.ts";
import { startFlakyProxy } from "../lib/testing/flaky_proxy.ts";
import { startS3 } from "../lib/testing/s3rver.ts";
import { startThrowawayRedis } from "../lib/testing/services.ts";
import { resolveConfig } from "../lib/feature_store/config.ts";
import { FeatureStore } from "../lib/feature_store/feature_store.ts";
import { creditRepo } from "../lib/credit/repo.ts";
import { fuzzCases, runFuzz } from "./http_fuzz.ts";
import { TASK_FAULT_CASES } from "./task_cases.ts";

/** What one fault case found. */
export interface FaultOutcome {
  survived: boolean;
  /** Input rows missing from the published output (or from the store), 0 when nothing was lost. */
  rowsLost: number;
  /** 5xx answers (or no answer) to requests that were malformed or made during the fault. */
  fiveXX: number;
  /** Requests or operations tried. */
  attempts: number;
  detail: string;
}

/** A fault case. */
export interface FaultCase {
  name: string;
  /** Which item of the fault list it covers. */
  covers: string;
  /** Short enough for every CI run. */
  fast: boolean;
  run(): Promise<FaultOutcome>;
}

const ROOT = new URL("..", import.meta.url).pathname;

/** The published rows of a job, by loan id. */
async function publishedIds(output: string, job: string, io = {}): Promise<Set<number>> {
  const { table } = await readScoredRuns(output, { jobs: [job], io });
  const ids = table.getChild("loan_id")!;
  const out = new Set<number>();
  for (let i = 0; i < table.numRows; i++) out.add(Number(ids.get(i)));
  return out;
}

async function inputIds(file: string): Promise<Set<number>> {
  const t = await readTable(file, { columns: ["loan_id"] });
  const v = t.getChild("loan_id")!;
  return new Set(Array.from({ length: t.numRows }, (_, i) => Number(v.get(i))));
}

/** Published manifests name only files that exist. */
async function manifestFilesExist(output: string, job: string, io = {}): Promise<number> {
  const m = await readManifest(`${output}/_manifests/${job}/shard-0-of-1.json`, io);
  if (!m) return 0;
  const have = new Set((await list(`${output}/${m.run_prefix}/`, io)).map((o) => o.uri));
  return m.files.filter((f) => !have.has(`${output}/${f.path}`)).length;
}

const httpFuzz: FaultCase = {
  name: "http fuzz: 400+ malformed requests against the decision server",
  covers: "5 (bad percent-escapes), 7 (extreme numbers), every malformed request",
  fast: true,
  async run() {
    const dir = await Deno.makeTempDir({ prefix: "faults-http-" });
    const config = await trainedCreditFixture(dir);
    const server = await startDecisionServer({
      hostname: "127.0.0.1",
      port: 0,
      config,
      asOf: new Date("2021-09-01T00:00:00Z"),
      log: () => {},
    });
    try {
      const good = await fixtureApplication(config.data_dir) as unknown as Record<string, unknown>;
      const cases = fuzzCases(good);
      const r = await runFuzz(`http://127.0.0.1:${server.addr.port}`, cases);
      return {
        survived: r.fiveXX === 0,
        rowsLost: 0,
        fiveXX: r.fiveXX,
        attempts: r.cases,
        detail: `${r.cases} requests: ${JSON.stringify(r.byStatus)}${
          r.failures.length ? `; 5xx: ${r.failures.slice(0, 5).map((f) => `${f.name} -> ${f.status}`).join(", ")}` : ""
        }`,
      };
    } finally {
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
};

const racedRuns: FaultCase = {
  name: "two overlapping runs of the same scoring job",
  covers: "1 (concurrent runs corrupt the published output)",
  fast: true,
  async run() {
    const fx = await creditModelFixture({ materialize: false });
    const repo = await openRepo({ dir: null, config: fx.config });
    const out = await Deno.makeTempDir({ prefix: "faults-race-" });
    try {
      const run = () =>
        scoreRepoRows({ repo, input: [fx.loans], output: out, job: "race", quarantine: true, workers: 0 });
      const results = await Promise.allSettled([run(), run()]);
      const ok = results.filter((r) => r.status === "fulfilled").length;
      const refused = results.filter((r) => r.status === "rejected" && r.reason instanceof JobRunningError).length;
      const other = results.filter((r) => r.status === "rejected" && !(r.reason instanceof JobRunningError));
      const missingFiles = await manifestFilesExist(out, "race");
      const want = await inputIds(fx.loans);
      const got = await publishedIds(out, "race");
      const quarantined = results.filter((r) =>
        r.status === "fulfilled"
      ).map((r) =>
        (r as PromiseFulfilledResult<Awaited<ReturnType<typeof run>>>).value.manifest.counts.quarantined
      )[0] ?? 0;
      const lost = Math.max(0, want.size - got.size - quarantined);
      return {
        survived: ok === 1 && refused === 1 && other.length === 0 && missingFiles === 0 && lost === 0,
        rowsLost: lost,
        fiveXX: 0,
        attempts: 2,
        detail: `${ok} run published, ${refused} refused (another run holds the lease), ${other.length} other ` +
          `errors${other.length ? ` (${(other[0] as PromiseRejectedResult).reason})` : ""}; ${missingFiles} ` +
          `published files missing; ${got.size} of ${want.size} rows published, ${quarantined} quarantined`,
      };
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
};

const s3Outage: FaultCase = {
  name: "S3 drops every connection for 2 s in the middle of a scoring job",
  covers: "6 (one retry budget shared by all requests)",
  fast: true,
  async run() {
    const fx = await creditModelFixture({ materialize: false });
    const s3 = await startS3();
    let dropUntil = 0;
    const proxy = await startFlakyProxy(s3.endpoint, () => (Date.now() < dropUntil ? "drop" : "pass"));
    // the job reads S3 credentials the standard way: from the environment
    const saved: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(s3.env)) {
      if (!k.startsWith("AWS_") || k.startsWith("AWS_ENDPOINT")) continue;
      saved[k] = Deno.env.get(k);
      Deno.env.set(k, v);
    }
    try {
      const io = { s3: { ...s3.options, endpoint: proxy.endpoint, maxAttempts: 6 } };
      const input = `s3://${s3.bucket}/in/loans.parquet`;
      await writeTable(input, await readTable(fx.loans), io);
      const config = { ...fx.config, s3: { endpoint: proxy.endpoint, region: "us-east-1", force_path_style: true } };
      const repo = await openRepo({ dir: null, config });
      const output = `s3://${s3.bucket}/scores`;
      // the outage starts once the job is under way
      const timer = setTimeout(() => (dropUntil = Date.now() + 2_000), 300);
      let error = "";
      let quarantined = 0;
      try {
        const r = await scoreRepoRows({
          repo,
          input: [input],
          output,
          job: "outage",
          quarantine: true,
          workers: 0,
          s3MaxAttempts: 6,
          batchRows: 500,
        });
        quarantined = r.manifest.counts.quarantined;
      } catch (err) {
        error = (err as Error).message;
      } finally {
        clearTimeout(timer);
      }
      const want = await inputIds(fx.loans);
      const got = error ? new Set<number>() : await publishedIds(output, "outage", io);
      const lost = error ? want.size : Math.max(0, want.size - got.size - quarantined);
      return {
        survived: !error && lost === 0,
        rowsLost: lost,
        fiveXX: 0,
        attempts: proxy.log.length,
        detail: error
          ? `the job failed: ${error}`
          : `${proxy.failures()} S3 requests dropped during the outage; ${got.size} of ${want.size} rows published`,
      };
    } finally {
      for (const [k, v] of Object.entries(saved)) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
      closeS3Clients();
      await proxy.close();
      await s3.close();
    }
  },
};

const killedScore: FaultCase = {
  name: "deno task score killed (SIGKILL) mid-run, then run again",
  covers: "outputs whole or not at all; a re-run completes",
  fast: false,
  async run() {
    const fx = await creditModelFixture({ materialize: false });
    const out = await Deno.makeTempDir({ prefix: "faults-kill-" });
    // a larger input: the loans 8 times over (new ids), so the run lasts long enough to be killed
    const loans = await readTable(fx.loans);
    const parts: arrow.Table[] = [];
    for (let k = 0; k < 8; k++) {
      const cols: Record<string, arrow.Vector> = {};
      const rows = Int32Array.from({ length: loans.numRows }, (_, i) => i);
      for (const f of loans.schema.fields) cols[f.name] = takeVector(loans.getChild(f.name)!, rows);
      cols.loan_id = arrow.makeVector(
        BigInt64Array.from({ length: loans.numRows }, (_, i) => BigInt(k * 1_000_000 + i)),
      );
      parts.push(new arrow.Table(cols));
    }
    const big = `${out}/big.parquet`;
    await writeTable(big, parts.reduce((a, b) => a.concat(b)));
    const env = {
      FEATURE_STORE__DATA_DIR: fx.config.data_dir,
      FEATURE_STORE__MODEL_STORE: fx.config.model_store,
      FEATURE_STORE__REGISTRY: fx.config.registry,
    };
    const cmd = (signal?: boolean) => {
      const child = new Deno.Command("deno", {
        args: [
          "run",
          "--allow-read",
          `--allow-write=${out}`,
          "--allow-net",
          "--allow-env",
          "--allow-sys",
          `${ROOT}tasks/score.ts`,
          ...["--input", big, "--output", `${out}/scored`, "--job", "killed", "--quarantine", "--workers", "1"],
        ],
        cwd: ROOT,
        env,
        stdout: "null",
        stderr: "piped",
      }).spawn();
      if (signal) {
        // kill mid-run: once the run has taken its lease (it is scoring then), whatever the machine's speed
        const shardDir = `${out}/scored/runs/killed/shard-0-of-1`;
        const poll = setInterval(() => {
          try {
            for (const run of Deno.readDirSync(shardDir)) {
              if (Deno.statSync(`${shardDir}/${run.name}/_lease.json`).isFile) {
                clearInterval(poll);
                child.kill("SIGKILL");
                return;
              }
            }
          } catch { /* not there yet */ }
        }, 10);
        child.status.then(() => clearInterval(poll));
      }
      return child.output();
    };
    try {
      const killed = await cmd(true);
      const afterKill = await readManifest(`${out}/scored/_manifests/killed/shard-0-of-1.json`);
      // the killed run's lease must not block the re-run for long: it is taken over once expired. Here the
      // re-run waits for it (2 minutes at most) only if the kill came after the lease was written.
      let again = await cmd();
      for (let i = 0; i < 30 && again.code !== 0; i++) {
        if (!new TextDecoder().decode(again.stderr).includes("is running")) break;
        await new Promise((r) => setTimeout(r, 5_000));
        again = await cmd();
      }
      const want = await inputIds(big);
      const m = await readManifest(`${out}/scored/_manifests/killed/shard-0-of-1.json`);
      const got = again.code === 0 ? await publishedIds(`${out}/scored`, "killed") : new Set<number>();
      const lost = Math.max(0, want.size - got.size - (m?.counts.quarantined ?? 0));
      return {
        survived: killed.code !== 0 && afterKill === null && again.code === 0 && lost === 0,
        rowsLost: lost,
        fiveXX: 0,
        attempts: 2,
        detail:
          `killed run exit ${killed.code}, ${afterKill ? "published a manifest (wrong)" : "published nothing"}; ` +
          `re-run exit ${again.code}: ${got.size} of ${want.size} rows published` +
          (again.code ? `: ${new TextDecoder().decode(again.stderr).slice(-300)}` : ""),
      };
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
};

/** A credit setup whose online store is a throwaway Redis of the case's own. */
async function creditOverRedis() {
  const fx = await creditModelFixture({ materialize: false });
  const redis = await startThrowawayRedis();
  const work = await Deno.makeTempDir({ prefix: "faults-redis-" });
  const config = resolveConfig({
    overrides: {
      data_dir: fx.config.data_dir,
      model_store: fx.config.model_store,
      registry: `${work}/registry.json`,
      online_store: { type: "redis", host: redis.host, port: redis.port },
    },
  });
  const store = await FeatureStore.open({ config, repo: creditRepo({ dataDir: config.data_dir }) });
  await store.apply({ log: () => {} });
  return {
    fx,
    redis,
    config,
    store,
    async close() {
      await store.close();
      await redis.stop();
      await Deno.remove(work, { recursive: true });
    },
  };
}

/**
 * How many of the entities that materialize-incremental must have written (a row in [first end - ttl, end], as its
 * first run starts at end - ttl) the online store holds.
 */
async function storedEntities(store: FeatureStore, firstEnd: Date, end: Date): Promise<{ want: number; have: number }> {
  let want = 0, have = 0;
  for (const view of store.repo.views) {
    const key = view.entities[0].joinKeys[0];
    const source = await readTable((view.source as { path: string }).path, { columns: [key, "event_timestamp"] });
    const ids = new Set<unknown>();
    const k = source.getChild(key)!, ts = source.getChild("event_timestamp")!;
    const from = view.ttlSeconds ? firstEnd.getTime() - view.ttlSeconds * 1000 : -Infinity;
    for (let i = 0; i < source.numRows; i++) {
      const t = Number(ts.get(i));
      if (t <= end.getTime() && t >= from) ids.add(k.get(i));
    }
    const rows = [...ids].map((v) => ({ [key]: typeof v === "bigint" ? Number(v) : v as string | number }));
    const result = await store.getOnlineFeatures({
      features: [`${view.name}:${view.schema[0].name}`],
      entityRows: rows,
      asOf: end,
    });
    const statuses = result.results.find((c) => c.view)!.statuses;
    want += rows.length;
    have += statuses.filter((s) => s !== "NOT_FOUND").length;
  }
  return { want, have };
}

const redisEmptied: FaultCase = {
  name: "Redis restarted empty between two materialize-incremental runs",
  covers: "2 (online-store loss recorded as done and never repaired)",
  fast: true,
  async run() {
    const s = await creditOverRedis();
    try {
      const end1 = new Date("2021-08-01T00:00:00Z"), end2 = new Date("2021-09-01T00:00:00Z");
      await s.store.materializeIncremental({ end: end1, log: () => {} });
      await s.redis.restartEmpty();
      const second = await s.store.materializeIncremental({ end: end2, log: () => {} });
      const { want, have } = await storedEntities(s.store, end1, end2);
      const full = second.views.every((v) => (v as { rematerialized?: boolean }).rematerialized === true);
      return {
        survived: have === want && full,
        rowsLost: want - have,
        fiveXX: 0,
        attempts: 2,
        detail:
          `after the restart: ${full ? "every view re-materialized in full" : "NOT every view re-materialized"}; ` +
          `${have} of ${want} entities in the online store`,
      };
    } finally {
      await s.close();
    }
  },
};

const redisDownServing: FaultCase = {
  name: "Redis down, then back empty, while the decision server answers",
  covers: "3 (/health ok and /score 500 while Redis is down; thin files without alarm after it comes back)",
  fast: true,
  async run() {
    const s = await creditOverRedis();
    await s.store.materialize({ start: new Date("2017-01-01T00:00:00Z"), end: new Date("2021-09-01T00:00:00Z") });
    const server = await startDecisionServer({
      hostname: "127.0.0.1",
      port: 0,
      config: s.config,
      asOf: new Date("2021-09-01T00:00:00Z"),
      log: () => {},
    });
    const base = `http://127.0.0.1:${server.addr.port}`;
    const statuses: string[] = [];
    let fiveHundreds = 0;
    try {
      const good = await fixtureApplication(s.config.data_dir);
      const score = async () => {
        const r = await fetch(`${base}/score`, {
          method: "POST",
          body: JSON.stringify(good),
          headers: { "content-type": "application/json" },
        });
        await r.body?.cancel();
        if (r.status >= 500 && r.status !== 503) fiveHundreds++;
        return r.status;
      };
      const ready = async () => {
        const r = await fetch(`${base}/ready`);
        await r.body?.cancel();
        return r.status;
      };
      statuses.push(`up: score ${await score()}, ready ${await ready()}`);
      await s.redis.stop();
      const downScore = await score(), downReady = await ready();
      statuses.push(`down: score ${downScore}, ready ${downReady}`);
      await s.redis.restartEmpty();
      const emptyReady = await ready();
      statuses.push(`back empty: ready ${emptyReady}`);
      const survived = downScore === 503 && downReady === 503 && emptyReady === 503 && fiveHundreds === 0;
      return { survived, rowsLost: 0, fiveXX: fiveHundreds, attempts: 5, detail: statuses.join("; ") };
    } finally {
      await server.close();
      await s.close();
    }
  },
};

/** Every case, fast ones first. */
export const FAULT_CASES: readonly FaultCase[] = [
  httpFuzz,
  racedRuns,
  s3Outage,
  redisEmptied,
  redisDownServing,
  ...TASK_FAULT_CASES,
  killedScore,
];
