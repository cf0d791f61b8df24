/**
 * The manifest of a scoring run and the commit protocol that makes a run's output appear whole or not at all.
 *
 * Layout under an output root (local folder or `s3://` prefix):
 *
 * ```
 * <output>/_manifests/<job>/shard-<i>-of-<n>.json                 the manifest, written LAST (one per job and shard)
 * <output>/runs/<job>/shard-<i>-of-<n>/<run_id>/date=YYYY-MM-DD/part-00000.parquet    scored rows
 * <output>/runs/<job>/shard-<i>-of-<n>/<run_id>/_quarantine/part-00000.parquet        bad rows and reasons
 * ```
 *
 * A run writes its data files under its own `run_id` folder (nobody reads them yet), checks its counts, then writes
 * the manifest in one atomic step (a single PUT on S3, temp file + rename locally). Readers list manifests only, so
 * a crashed or failed run, whose files no manifest names, is invisible; re-running the job replaces the manifest,
 * which switches readers to the new run at once. Then older runs of the same job and shard are deleted.
 *
 * @example
 * ```ts
 * import { commitRun, manifestUri } from "./manifest.ts";
 * await commitRun("s3://bucket/scores", manifest);
 * manifestUri("s3://bucket/scores", "loans-2021", { index: 0, count: 1 });
 * // "s3://bucket/scores/_manifests/loans-2021/shard-0-of-1.json"
 * ```
 * @module
 */
import { AbortMultipartUploadCommand, DeleteObjectsCommand, ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { type IoOptions, joinUri, list, parseUri, readJsonOrNull, remove, s3Client, writeJson } from "../io/mod.ts";
import type { WrittenFile } from "./writer.ts";
import { runLimited } from "./writer.ts";

/** The manifest format tag. */
export const MANIFEST_FORMAT = "scored-run/1";

/** A shard of a job: `index` of `count` (0-based). */
export interface Shard {
  index: number;
  count: number;
}

/** One input file as the run read it. */
export interface ManifestInputFile {
  uri: string;
  size: number;
  /** ETag (S3) or modification time (local) when read. */
  version: string;
  /** Rows of this file read by this shard. */
  rows: number;
  /** Row groups (Parquet) read by this shard; null = the whole file. */
  row_groups: number[] | null;
}

/** The manifest of one committed run (one job, one shard). */
export interface ScoringManifest {
  format: typeof MANIFEST_FORMAT;
  job: string;
  shard: Shard;
  run_id: string;
  /** The run's folder relative to the output root. */
  run_prefix: string;
  status: "complete";
  started_at: string;
  finished_at: string;
  /** The `scored_at` value of every row. */
  scored_at: string;
  model: { name: string; version: number | null; threshold: number };
  /** Which rows got reason codes, and how many per row. */
  reasons: { mode: "all" | "rejected" | "none"; top: number; texts: Record<string, string> };
  features: { mode: "offline" | "online"; as_of: string | null; refs: string[] };
  input: {
    /** The inputs as given (files or prefixes). */
    uris: string[];
    /** SHA-256 over every listed input file's URI, size and version (the whole input, not just this shard). */
    fingerprint: string;
    /** The files this shard read. */
    files: ManifestInputFile[];
    rows: number;
  };
  /** input rows = scored + quarantined, checked before the commit. */
  counts: { input_rows: number; scored: number; quarantined: number; approve: number; reject: number };
  /** Scored data files (paths relative to the output root). */
  files: WrittenFile[];
  quarantine: { files: WrittenFile[]; rows: number; by_column: Record<string, number> };
  /** Output columns and their Arrow types. */
  columns: { name: string; type: string }[];
  /** Where scoring ran and how long it took. */
  runtime: { seconds: number; rows_per_second: number; scorer: string; peak_rss_mb: number | null };
}

/** Thrown when a newer run of the same job and shard committed while this one was running. */
export class StaleRunError extends Error {
  /** @param message Names both runs. */
  constructor(message: string) {
    super(message);
    this.name = "StaleRunError";
  }
}

/**
 * `shard-<i>-of-<n>`.
 *
 * @example
 * ```ts
 * shardKey({ index: 2, count: 4 }); // "shard-2-of-4"
 * ```
 */
export function shardKey(shard: Shard): string {
  return `shard-${shard.index}-of-${shard.count}`;
}

/**
 * Where a job's shard manifest lives.
 *
 * @example
 * ```ts
 * manifestUri("out", "job", { index: 0, count: 1 }); // "out/_manifests/job/shard-0-of-1.json"
 * ```
 */
export function manifestUri(output: string, job: string, shard: Shard): string {
  return joinUri(output, "_manifests", job, `${shardKey(shard)}.json`);
}

/**
 * The folder (relative to the output root) of a run.
 *
 * @example
 * ```ts
 * runPrefix("job", { index: 0, count: 1 }, "20240501T120000000Z-ab12cd34"); // "runs/job/shard-0-of-1/2024..."
 * ```
 */
export function runPrefix(job: string, shard: Shard, runId: string): string {
  return `runs/${job}/${shardKey(shard)}/${runId}`;
}

/**
 * A new run id: UTC time (sortable) and 8 random hex digits, e.g. `20240501T120000123Z-ab12cd34`.
 *
 * @example
 * ```ts
 * newRunId(new Date(0)).startsWith("19700101T000000000Z-"); // true
 * ```
 */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, "");
  const rand = [...crypto.getRandomValues(new Uint8Array(4))].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${stamp}-${rand}`;
}

const JOB_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Checks a job name (letters, digits, `.`, `_`, `-`; at most 128 characters).
 *
 * @example
 * ```ts
 * checkJobName("loans-2021"); // ok
 * ```
 */
export function checkJobName(job: string): void {
  if (!JOB_RE.test(job)) {
    throw new Error(
      `Job name "${job}" is not allowed: use letters, digits, ".", "_" and "-" (starting with a letter or digit)`,
    );
  }
}

/**
 * Parses and checks a manifest's JSON (format, fields).
 *
 * @example
 * ```ts
 * const m = parseManifest(JSON.parse(text), "s3://bucket/scores/_manifests/job/shard-0-of-1.json");
 * ```
 */
export function parseManifest(value: unknown, where: string): ScoringManifest {
  const m = value as ScoringManifest;
  if (!m || typeof m !== "object") throw new Error(`Manifest "${where}" is not a JSON object`);
  if (m.format !== MANIFEST_FORMAT) {
    throw new Error(`Manifest "${where}" has format "${String(m.format)}"; expected "${MANIFEST_FORMAT}"`);
  }
  for (const key of ["job", "run_id", "run_prefix"] as const) {
    if (typeof m[key] !== "string") throw new Error(`Manifest "${where}" has no "${key}"`);
  }
  if (!Array.isArray(m.files) || !m.counts || !m.shard) throw new Error(`Manifest "${where}" lacks files or counts`);
  return m;
}

/**
 * Reads a manifest, or null when there is none.
 *
 * @example
 * ```ts
 * const current = await readManifest(manifestUri("out", "job", { index: 0, count: 1 }));
 * ```
 */
export async function readManifest(uri: string, io: IoOptions = {}): Promise<ScoringManifest | null> {
  const json = await readJsonOrNull(uri, { ...io, what: "Manifest" });
  return json === null ? null : parseManifest(json, uri);
}

async function removePrefix(output: string, prefix: string, io: IoOptions): Promise<number> {
  const root = joinUri(output, prefix);
  const p = parseUri(root);
  if (p.scheme === "file") {
    let n = 0;
    try {
      n = (await list(root + "/", io)).length;
      await Deno.remove(p.path, { recursive: true });
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    return n;
  }
  const objects = await list(root + "/", io);
  await removeMany(objects.map((o) => o.uri), io);
  return objects.length;
}

/** Deletes S3 objects 1,000 per DeleteObjects request (one by one where a server lacks it). */
async function removeMany(uris: string[], io: IoOptions): Promise<void> {
  const byBucket = new Map<string, string[]>();
  for (const uri of uris) {
    const p = parseUri(uri);
    if (p.scheme !== "s3") continue;
    byBucket.set(p.bucket, [...(byBucket.get(p.bucket) ?? []), p.key]);
  }
  const client = s3Client(io.s3);
  for (const [bucket, keys] of byBucket) {
    for (let at = 0; at < keys.length; at += 1000) {
      const chunk = keys.slice(at, at + 1000);
      try {
        const res = await client.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }),
        );
        const failed = (res.Errors ?? []).map((e) => `s3://${bucket}/${e.Key} (${e.Code})`);
        if (failed.length) throw new Error(`Could not delete ${failed.length} object(s), e.g. ${failed[0]}`);
      } catch (err) {
        if ((err as { name?: string }).name !== "NotImplemented") throw err;
        await runLimited(chunk.map((key) => () => remove(`s3://${bucket}/${key}`, io)), 8);
      }
    }
  }
}

/** What {@link commitRun} did. */
export interface CommitResult {
  manifestUri: string;
  /** The run the manifest named before, if any. */
  replaced: string | null;
  /** Objects of older runs (of this job and shard) deleted. */
  removedObjects: number;
}

/**
 * Commits a run: refuses when a newer run of the same job and shard already committed, writes the manifest
 * (atomically), then deletes the older runs of this job and shard (committed or failed). When this commit completes
 * a set of shards, manifests and runs of the job with another shard count are deleted too.
 *
 * @example
 * ```ts
 * const { replaced } = await commitRun("s3://bucket/scores", manifest, { s3 });
 * ```
 */
export async function commitRun(output: string, manifest: ScoringManifest, io: IoOptions = {}): Promise<CommitResult> {
  const uri = manifestUri(output, manifest.job, manifest.shard);
  // every file the manifest names must exist: a manifest never points at missing data
  const shardRoot = `runs/${manifest.job}/${shardKey(manifest.shard)}`;
  const mine = new Set(
    (await list(joinUri(output, manifest.run_prefix) + "/", io)).map((o) => o.uri),
  );
  const named = [...manifest.files, ...manifest.quarantine.files].map((f) => joinUri(output, f.path));
  const missing = named.filter((u) => !mine.has(u));
  if (missing.length) {
    throw new StaleRunError(
      `${missing.length} of the ${named.length} files of run "${manifest.run_id}" of job "${manifest.job}" ` +
        `(${shardKey(manifest.shard)}) are gone (first: "${missing[0]}"); this run's output was not published`,
    );
  }
  const current = await readManifest(uri, io);
  if (current && current.run_id > manifest.run_id) {
    throw new StaleRunError(
      `A newer run "${current.run_id}" of job "${manifest.job}" (${shardKey(manifest.shard)}) committed while run ` +
        `"${manifest.run_id}" was running; this run's output was not published`,
    );
  }
  await writeJson(uri, manifest, io);
  // OLDER runs of this job and shard that hold no live lease: the one the manifest named before, and failed ones
  // nobody names (a newer or still running run is never touched)
  let removed = 0;
  const leases = await runLeases(output, manifest.job, manifest.shard, io);
  const now = Date.now();
  const runs = new Set<string>();
  for (const o of await list(joinUri(output, shardRoot) + "/", io)) {
    const rel = o.uri.slice(joinUri(output, shardRoot).length + 1);
    const id = rel.split("/")[0];
    if (!id || id === manifest.run_id || id > manifest.run_id) continue;
    const lease = leases.get(id);
    if (lease && Date.parse(lease.expires_at) > now) continue;
    runs.add(id);
  }
  for (const id of runs) removed += await removePrefix(output, `${shardRoot}/${id}`, io);
  await remove(joinUri(output, manifest.run_prefix, LEASE_FILE), io).catch(() => {});
  removed += await cleanOtherShardCounts(output, manifest, io);
  return { manifestUri: uri, replaced: current?.run_id ?? null, removedObjects: removed };
}

async function cleanOtherShardCounts(output: string, manifest: ScoringManifest, io: IoOptions): Promise<number> {
  const dir = joinUri(output, "_manifests", manifest.job);
  const names = (await list(dir + "/", io)).map((o) => o.uri.slice(dir.length + 1));
  const re = /^shard-(\d+)-of-(\d+)\.json$/;
  const mine = new Set<number>();
  const others: { name: string; count: number; index: number }[] = [];
  for (const name of names) {
    const m = re.exec(name);
    if (!m) continue;
    const index = Number(m[1]), count = Number(m[2]);
    if (count === manifest.shard.count) mine.add(index);
    else others.push({ name, count, index });
  }
  if (others.length === 0 || mine.size < manifest.shard.count) return 0;
  let removed = 0;
  for (const o of others) {
    await remove(joinUri(dir, o.name), io);
    removed += 1 + await removePrefix(output, `runs/${manifest.job}/${shardKey(o)}`, io);
  }
  return removed;
}

/** The lease file in a run's folder while the run is writing. */
export const LEASE_FILE = "_lease.json";

/** How long a lease lasts without being refreshed (a crashed run's lease expires after this). */
export const LEASE_TTL_MS = 120_000;

/** A run's lease on its job and shard. */
export interface LeaseRecord {
  run_id: string;
  job: string;
  shard: Shard;
  acquired_at: string;
  expires_at: string;
}

/** Another run of the same job and shard holds a live lease. */
export class JobRunningError extends Error {
  override name = "JobRunningError";
}

/** The leases found in the run folders of a job and shard, by run id. */
export async function runLeases(
  output: string,
  job: string,
  shard: Shard,
  io: IoOptions = {},
): Promise<Map<string, LeaseRecord>> {
  const shardRoot = joinUri(output, `runs/${job}/${shardKey(shard)}`);
  const out = new Map<string, LeaseRecord>();
  const files = (await list(shardRoot + "/", io)).filter((o) => o.uri.endsWith(`/${LEASE_FILE}`));
  for (const f of files) {
    const lease = await readJsonOrNull(f.uri, io) as LeaseRecord | null;
    if (lease && typeof lease.run_id === "string" && typeof lease.expires_at === "string") {
      out.set(lease.run_id, lease);
    }
  }
  return out;
}

/** A held lease: refreshed in the background until released. */
export interface RunLease {
  /** Stops refreshing and deletes the lease (idempotent). */
  release(): Promise<void>;
}

/**
 * Takes the job and shard's lease for `runId`: one writer per job and shard. Fails with a {@link JobRunningError}
 * naming the other run when one holds a live lease (it expires `ttlMs` after its last refresh, so a crashed run
 * blocks no one for long). Two runs that start at once both write their lease, wait `settleMs` (250), look again,
 * and the one that took its lease later backs off. The lease is refreshed every third of `ttlMs` until released.
 *
 * @example
 * ```ts
 * const lease = await acquireLease("s3://bucket/scores", "daily", { index: 0, count: 1 }, runId);
 * try { ... } finally { await lease.release(); }
 * ```
 */
export async function acquireLease(
  output: string,
  job: string,
  shard: Shard,
  runId: string,
  io: IoOptions = {},
  opts: { ttlMs?: number; settleMs?: number } = {},
): Promise<RunLease> {
  const ttl = opts.ttlMs ?? LEASE_TTL_MS;
  const uri = joinUri(output, runPrefix(job, shard, runId), LEASE_FILE);
  const live = async () => {
    const now = Date.now();
    return [...(await runLeases(output, job, shard, io)).values()].filter((l) =>
      l.run_id !== runId && Date.parse(l.expires_at) > now
    ).sort((a, b) => (a.run_id < b.run_id ? -1 : 1));
  };
  const busy = (l: LeaseRecord) =>
    new JobRunningError(
      `Run "${l.run_id}" of job "${job}" (${shardKey(shard)}) is running (its lease lasts until ${l.expires_at}); ` +
        `wait for it to finish, or give this run another --job`,
    );
  const before = await live();
  if (before.length) throw busy(before[0]);
  const acquired = new Date().toISOString();
  const write = () =>
    writeJson(
      uri,
      {
        run_id: runId,
        job,
        shard,
        acquired_at: acquired,
        expires_at: new Date(Date.now() + ttl).toISOString(),
      } satisfies LeaseRecord,
      io,
    );
  await write();
  // both wrote at about the same time: the one that took the lease later backs off (by when each lease was taken,
  // not by run id: a run's id is its start, and it may reach this point later than a run that started after it);
  // a short wait lets a write that overlapped ours become visible first
  await new Promise((r) => setTimeout(r, opts.settleMs ?? 250));
  const after = (await live()).filter((l) =>
    l.acquired_at < acquired || (l.acquired_at === acquired && l.run_id < runId)
  );
  if (after.length) {
    await remove(uri, io).catch(() => {});
    throw busy(after[0]);
  }
  let released = false;
  let refreshing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    refreshing = write().catch(() => {});
  }, Math.max(1000, Math.floor(ttl / 3)));
  Deno.unrefTimer(timer);
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await refreshing;
      await remove(uri, io).catch(() => {});
    },
  };
}

/**
 * Aborts multipart uploads left under an S3 prefix by runs that crashed before they could abort them (a no-op for
 * local paths). Returns how many were aborted.
 *
 * @example
 * ```ts
 * await abortStaleUploads("s3://bucket/scores/runs/job/shard-0-of-1/");
 * ```
 */
export async function abortStaleUploads(prefix: string, io: IoOptions = {}): Promise<number> {
  const p = parseUri(prefix);
  if (p.scheme !== "s3") return 0;
  const client = s3Client(io.s3);
  let aborted = 0;
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const res = await client.send(
      new ListMultipartUploadsCommand({
        Bucket: p.bucket,
        Prefix: p.key || undefined,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
    );
    for (const u of res.Uploads ?? []) {
      // some S3-compatible servers ignore Prefix: filter here too
      if (!u.Key || !u.UploadId || !u.Key.startsWith(p.key)) continue;
      await client.send(new AbortMultipartUploadCommand({ Bucket: p.bucket, Key: u.Key, UploadId: u.UploadId }));
      aborted++;
    }
    if (!res.IsTruncated) break;
    keyMarker = res.NextKeyMarker;
    uploadIdMarker = res.NextUploadIdMarker;
  }
  return aborted;
}
