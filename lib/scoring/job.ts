/**
 * The batch scoring job: applications in (Parquet or CSV files, local or `s3://`), scored rows out (Parquet
 * partitioned by date, with a manifest written last), in bounded memory.
 *
 * For each record batch of the input: the columns are read and checked ({@link checkBatch}), the stored features
 * are joined (point in time at each application's own timestamp, or as of a fixed time, or the latest online), the
 * model scores the rows with their reason codes (in worker threads while this thread reads the next batch), and the
 * scored rows are buffered by date and written a few files at a time. Bad rows fail the job with a message naming
 * the column and the number of rows, or, with `quarantine`, go to a quarantine file with the reason per row.
 * Before the manifest is committed the counts are checked: input rows = scored + quarantined, and the rows read
 * equal the rows the Parquet footers announced. A failure removes the run's files; nothing of it is ever visible.
 *
 * @example
 * ```ts
 * import { runScoringJob } from "./job.ts";
 * const { manifest } = await runScoringJob({
 *   input: ["s3://bucket/applications/2024-05-01.parquet"],
 *   output: "s3://bucket/scores",
 *   model, schema, features,
 *   quarantine: true,
 * });
 * console.log(manifest.counts); // { input_rows: 100000, scored: 99990, quarantined: 10, approve: ..., reject: ... }
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import {
  columnTypeName,
  type IoOptions,
  joinUri,
  microsToIso,
  readCsvBatches,
  readParquetBatches,
  readSchema,
  timestampMicros as exactMicros,
} from "../io/mod.ts";
import { takeVector } from "../feature_store/offline/take.ts";
import { Progress } from "../cli/progress.ts";
import type { ColumnarInput, ReasonMode, TextColumn } from "../model/batch_scorer.ts";
import {
  checkBatch,
  type CheckedBatch,
  type InputSchema,
  type Problem,
  type ProblemSummary,
  problemText,
  summarizeProblems,
} from "./columns.ts";
import type { FeatureColumns, FeatureJoiner } from "./features.ts";
import { defaultJobName, type InputPlan, planInput } from "./input.ts";
import {
  abortStaleUploads,
  acquireLease,
  checkJobName,
  commitRun,
  MANIFEST_FORMAT,
  newRunId,
  runPrefix,
  type ScoringManifest,
  type Shard,
  shardKey,
} from "./manifest.ts";
import type { ScoringModel } from "./model.ts";
import { buildOutput, dayNumbers, type OutputLayout, outputSchema } from "./output.ts";
import {
  dayOrder,
  PartitionedWriter,
  type QuarantinedRow,
  QuarantineWriter,
  type UploadOptions,
  WriterPool,
} from "./writer.ts";

/** Options of {@link runScoringJob}. */
export interface ScoringJobOptions {
  /** Input files or prefixes (Parquet, CSV; local or s3://). */
  input: readonly string[];
  /** Output root (local folder or s3:// prefix). */
  output: string;
  model: ScoringModel;
  /** The application's columns and checks. */
  schema: InputSchema;
  /** Stored features (null: the input holds every model column). */
  features?: FeatureJoiner | null;
  /** Job name (default: from the inputs, see `defaultJobName`). Re-running a job replaces its output. */
  job?: string;
  /** This worker's share of the input (default 0/1). */
  shard?: Shard;
  /** Set bad rows aside with their reasons and score the rest (default: bad rows fail the job). */
  quarantine?: boolean;
  /**
   * With `quarantine`: fail, publishing nothing, when the quarantined share of the input rows is above this
   * (default 0.2; 1 never fails).
   */
  maxQuarantineShare?: number;
  /** Score out-of-range applications anyway, noting them in `flags` (default: they are bad rows). */
  scoreFlagged?: boolean;
  /** Rows that get reason codes (default "rejected": adverse-action reasons are owed for rejections). */
  reasons?: ReasonMode;
  /** Reasons per row (default 3). */
  top?: number;
  /** Join offline features as of this time instead of each application's own time. */
  asOf?: Date | null;
  /** Timestamps without a time zone: refused (default) or read as UTC. */
  naiveTimestamps?: "error" | "utc";
  /** Input columns copied to the output as they are. */
  keepColumns?: readonly string[];
  /** Rows per input batch (default 65,536). */
  batchRows?: number;
  /** Scored rows buffered before files are written (default 1,000,000). */
  bufferRows?: number;
  /** Files encoded and uploaded at once (default 16). */
  uploadConcurrency?: number;
  /**
   * Workers that encode and upload the Parquet files (default: cores, at most 2, for inputs of 200,000 rows or more,
   * or 20 MiB or more when the row count is unknown; 0 = this thread).
   */
  writeWorkers?: number;
  /** Multipart settings of the uploads. */
  upload?: Omit<UploadOptions, "io">;
  io?: IoOptions;
  /** "auto": progress on stderr (a line per 25% in CI); "silent" (default). */
  progress?: "auto" | "silent";
  /** Summary lines. */
  log?: (line: string) => void;
  /** Clock (tests). */
  now?: () => Date;
  /** How long the job's lease lasts without a refresh (default LEASE_TTL_MS, 2 minutes). */
  leaseTtlMs?: number;
}

/** The share of quarantined input rows above which a job fails by default. */
export const DEFAULT_MAX_QUARANTINE_SHARE = 0.2;

/** What {@link runScoringJob} returns. */
export interface ScoringJobResult {
  manifest: ScoringManifest;
  manifestUri: string;
  /** The run the job's manifest named before (now deleted), if any. */
  replaced: string | null;
}

/** Bad rows without quarantine: names the columns, the problems and how many rows each. */
export class BadRowsError extends Error {
  /** @param message The summary. @param source The file. @param summaries Per column and problem. */
  constructor(message: string, readonly source: string, readonly summaries: ProblemSummary[]) {
    super(message);
    this.name = "BadRowsError";
  }
}

/** More bad rows than `maxQuarantineShare` allows: nothing is published. */
export class TooManyBadRowsError extends Error {
  /** @param message The counts, per column, and the setting that allows more. */
  constructor(message: string) {
    super(message);
    this.name = "TooManyBadRowsError";
  }
}

/** Raised when the counts do not add up before the commit (never expected; nothing is published). */
export class CountMismatchError extends Error {
  /** @param message What does not add up. */
  constructor(message: string) {
    super(message);
    this.name = "CountMismatchError";
  }
}

function badRowsMessage(summaries: ProblemSummary[], total: number, source: string, first: number): string {
  const parts = summaries.map((s) =>
    `column "${s.column}": ${s.rows} row${s.rows === 1 ? "" : "s"} (${
      s.kind.replaceAll("_", " ")
    }; first at row ${s.firstRow}: ${s.firstMessage})`
  );
  return `${total} bad row${total === 1 ? "" : "s"} in "${source}" (batch from row ${first}): ${parts.join("; ")}. ` +
    `Nothing was published; fix the input, or quarantine bad rows (--quarantine) to score the rest`;
}

/** Restricts a checked batch to some rows (in order). */
function pick<T extends Float64Array | Int32Array>(values: T, rows: Int32Array): T {
  const out = new (values.constructor as { new (n: number): T })(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
  return out;
}

function selectRows(c: CheckedBatch, rows: Int32Array): CheckedBatch {
  const numbers: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(c.numbers)) numbers[k] = pick(v, rows);
  const texts: Record<string, TextColumn> = {};
  for (const [k, v] of Object.entries(c.texts)) texts[k] = { codes: pick(v.codes, rows), values: v.values };
  const vectors: Record<string, arrow.Vector> = {};
  for (const [k, v] of Object.entries(c.vectors)) vectors[k] = takeVector(v, rows);
  const flags = new Map<number, Problem[]>();
  rows.forEach((r, i) => {
    const f = c.flags.get(r);
    if (f) flags.set(i, f);
  });
  return {
    rows: rows.length,
    problems: new Map(),
    flags,
    numbers,
    texts,
    timestamps: pick(c.timestamps, rows),
    vectors,
  };
}

function jsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  return value ?? null;
}

/** The input row as JSON for the quarantine file (timestamps exact, as ISO 8601). */
function recordsOf(batch: arrow.RecordBatch, rows: number[]): string[] {
  const fields = batch.schema.fields;
  const micros = fields.map((f) => {
    const t = f.type;
    return arrow.DataType.isTimestamp(t) || arrow.DataType.isDate(t) ? exactMicros(batch.getChild(f.name)!) : null;
  });
  return rows.map((r) => {
    const o: Record<string, unknown> = {};
    fields.forEach((f, k) => {
      const v = batch.getChild(f.name)!;
      if (!v.isValid(r)) o[f.name] = null;
      else if (micros[k]) o[f.name] = microsToIso(micros[k]![r]);
      else o[f.name] = jsonValue(v.get(r));
    });
    return JSON.stringify(o);
  });
}

function utf8Schema(names: string[]): arrow.Schema {
  return new arrow.Schema(names.map((n) => new arrow.Field(n, new arrow.Utf8(), true)));
}

function sampleRssMb(): number | null {
  try {
    return Deno.memoryUsage().rss / 1024 / 1024;
  } catch {
    return null;
  }
}

interface Pending {
  scores: ReturnType<ScoringModel["score"]>;
  checked: CheckedBatch;
  features: FeatureColumns;
  keep: (arrow.Vector | null)[];
  bad: QuarantinedRow[] | null;
  inputRows: number;
}

/** Runs a scoring job; see the module doc. */
export async function runScoringJob(opts: ScoringJobOptions): Promise<ScoringJobResult> {
  const io = opts.io ?? {};
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? (() => {});
  const started = now();
  const t0 = performance.now();
  const shard = opts.shard ?? { index: 0, count: 1 };
  const job = opts.job ?? (await defaultJobName(opts.input));
  checkJobName(job);
  const { model, schema } = opts;
  const features = opts.features ?? null;
  const reasons = opts.reasons ?? "rejected";
  const top = opts.top ?? 3;
  const plan: InputPlan = await planInput(opts.input, { shard, io });
  const runId = newRunId(started);
  const prefix = runPrefix(job, shard, runId);
  // one writer per job and shard: a second run fails here, before it touches anything
  const lease = await acquireLease(opts.output, job, shard, runId, io, { ttlMs: opts.leaseTtlMs });
  try {
    return await runLeased();
  } finally {
    await lease.release();
  }
  async function runLeased(): Promise<ScoringJobResult> {
    try {
      const aborted = await abortStaleUploads(joinUri(opts.output, `runs/${job}/${shardKey(shard)}/`), io);
      if (aborted) log(`aborted ${aborted} multipart upload(s) left by an earlier run of "${job}"`);
    } catch (err) {
      log(`could not list unfinished multipart uploads (${(err as Error).message}); continuing`);
    }

    // the output layout is fixed for the job: ids, scores, reasons, the model's inputs, pass-through columns
    const rules = new Map(schema.columns.map((c) => [c.name, c]));
    const layout: OutputLayout = {
      ids: schema.idColumns.map((name) => ({ name, kind: rules.get(name)?.kind ?? "text" })),
      top,
      features: model.inputColumns.map((name) => ({
        name,
        text: rules.get(name) ? rules.get(name)!.kind === "text" : model.isText(name),
      })),
      keep: [],
    };
    const fileSchemas = new Map<number, arrow.Schema>();
    const schemaOf = async (file: number) => {
      let s = fileSchemas.get(file);
      if (!s) {
        s = await readSchema(plan.files[file].uri, { s3: io.s3 });
        fileSchemas.set(file, s);
      }
      return s;
    };
    if (opts.keepColumns?.length) {
      const first = await schemaOf(plan.units[0]?.file ?? 0);
      for (const name of opts.keepColumns) {
        const f = first.fields.find((x) => x.name === name);
        if (!f) throw new Error(`Column "${name}" to keep is not in "${plan.files[0].uri}"`);
        layout.keep.push(new arrow.Field(name, plan.files[0].format === "csv" ? new arrow.Utf8() : f.type, true));
      }
    }
    const outSchema = outputSchema(layout);
    // dictionary pages for low-cardinality text (decisions, reason codes, categories), not for ids or numbers
    const idText = new Set(layout.ids.filter((i) => i.kind === "text").map((i) => i.name));
    // small jobs write on this thread: starting workers (each loads the Parquet encoder) would cost more than it saves
    const small = plan.rows !== null ? plan.rows < 200_000 : plan.files.reduce((a, f) => a + f.size, 0) < 20 << 20;
    const writeWorkers = opts.writeWorkers ??
      (small ? 0 : Math.min(2, Math.max(1, navigator.hardwareConcurrency || 1)));
    const pool = writeWorkers > 0 ? WriterPool.start(writeWorkers) : undefined;
    const writer = new PartitionedWriter({
      pool,
      root: opts.output,
      prefix,
      schema: outSchema,
      dictionary: outSchema.fields.filter((f) => arrow.DataType.isUtf8(f.type) && !idText.has(f.name)).map((f) =>
        f.name
      ),
      bufferRows: opts.bufferRows,
      concurrency: opts.uploadConcurrency,
      io,
      ...opts.upload,
    });
    const quarantine = new QuarantineWriter({ root: opts.output, prefix, io, ...opts.upload });
    const progress = new Progress({
      label: `scoring ${job}${shard.count > 1 ? ` (${shardKey(shard)})` : ""}`,
      total: plan.rows ?? undefined,
      unit: "applications",
      mode: opts.progress === "auto" ? undefined : "silent",
    });
    const scoredAt = now();
    const scoredAtMicros = BigInt(scoredAt.getTime()) * 1000n;
    const decode = new Set(model.inputColumns);
    const keyColumns = features?.keyColumns ?? [];
    const counts = { input_rows: 0, scored: 0, quarantined: 0, approve: 0, reject: 0 };
    const byColumn: Record<string, number> = {};
    const perFile = new Map<number, { rows: number; rowGroups: number[] | null }>();
    let peakRss = sampleRssMb();
    const asOfMicros = opts.asOf ? opts.asOf.getTime() * 1000 : null;
    const maxInFlight = 3;
    const inflight: Pending[] = [];

    const finish = async (p: Pending) => {
      const scores = await p.scores;
      if (p.checked.rows > 0) {
        // rows built in date order: each date's rows are one zero-copy slice for the writer
        const days = dayNumbers(p.checked.timestamps, null);
        const order = dayOrder(days);
        const batch = buildOutput(outSchema, layout, {
          checked: p.checked,
          features: p.features,
          scores,
          rows: order,
          keep: p.keep,
          model: { name: model.name, version: model.version, threshold: model.threshold, groups: model.groups },
          scoredAtMicros,
        });
        await writer.add(batch, pick(days, order));
        for (let i = 0; i < scores.rows; i++) scores.reject[i] ? counts.reject++ : counts.approve++;
      }
      counts.scored += p.checked.rows;
      if (p.bad?.length) {
        await quarantine.add(p.bad);
        counts.quarantined += p.bad.length;
      }
      progress.add(p.inputRows);
      const rss = sampleRssMb();
      if (rss !== null && (peakRss === null || rss > peakRss)) peakRss = rss;
    };

    try {
      for (const unit of plan.units) {
        const file = plan.files[unit.file];
        const fileSchema = await schemaOf(unit.file);
        const present = new Set(fileSchema.fields.map((f) => f.name));
        const wanted = [...new Set([...schema.columns.map((c) => c.name), ...layout.keep.map((k) => k.name)])]
          .filter((c) => present.has(c));
        // CSV columns are read as text so that a bad cell is a bad row (quarantined), not a failed read
        const batches = file.format === "csv"
          ? readCsvBatches(file.uri, { s3: io.s3, schema: utf8Schema(wanted), batchRows: opts.batchRows })
          : readParquetBatches(file.uri, {
            s3: io.s3,
            columns: wanted,
            rowGroups: unit.rowGroup === null ? undefined : [unit.rowGroup],
            batchRows: opts.batchRows ?? 65_536,
          });
        let rowInFile = unit.rowGroup === null ? 0 : file.rowGroups!.slice(0, unit.rowGroup).reduce((a, b) => a + b, 0);
        const fileStats = perFile.get(unit.file) ?? { rows: 0, rowGroups: unit.rowGroup === null ? null : [] };
        perFile.set(unit.file, fileStats);
        if (unit.rowGroup !== null) fileStats.rowGroups!.push(unit.rowGroup);
        for await (const batch of batches) {
          const n = batch.numRows;
          if (n === 0) continue;
          const first = rowInFile;
          rowInFile += n;
          fileStats.rows += n;
          counts.input_rows += n;
          let checked = checkBatch(batch, schema, {
            source: file.uri,
            categories: (c) => model.categories(c),
            decode,
            naiveTimestamps: opts.naiveTimestamps,
            scoreFlagged: opts.scoreFlagged,
            keyColumns,
          });
          let bad: QuarantinedRow[] | null = null;
          if (checked.problems.size) {
            if (!opts.quarantine) {
              const summaries = summarizeProblems(checked.problems, first);
              throw new BadRowsError(
                badRowsMessage(summaries, checked.problems.size, file.uri, first),
                file.uri,
                summaries,
              );
            }
            const badRows = [...checked.problems.keys()].sort((a, b) => a - b);
            const records = recordsOf(batch, badRows);
            bad = badRows.map((r, i) => ({
              source: file.uri,
              row: first + r,
              reason: problemText(checked.problems.get(r)!),
              record: records[i],
            }));
            for (const s of summarizeProblems(checked.problems)) {
              byColumn[s.column] = (byColumn[s.column] ?? 0) + s.rows;
            }
            const good = new Int32Array(n - badRows.length);
            let k = 0;
            for (let i = 0, b = 0; i < n; i++) {
              if (b < badRows.length && badRows[b] === i) b++;
              else good[k++] = i;
            }
            keepVectorsFor(checked, batch, layout);
            checked = selectRows(checked, good);
          } else keepVectorsFor(checked, batch, layout);
          const keep = layout.keep.map((f) => checked.vectors[`\u0000keep:${f.name}`] ?? null);
          const ts = asOfMicros === null ? checked.timestamps : new Float64Array(checked.rows).fill(asOfMicros);
          const keys: Record<string, arrow.Vector> = {};
          for (const k of keyColumns) {
            const v = checked.vectors[k];
            if (!v) throw new Error(`Join key "${k}" of the features is not an input column`);
            keys[k] = v;
          }
          const joined: FeatureColumns = features && checked.rows > 0
            ? await features.join(keys, ts)
            : { numbers: {}, texts: {} };
          const input: ColumnarInput = { rows: checked.rows, numbers: {}, texts: {} };
          for (const c of model.inputColumns) {
            const num = joined.numbers[c] ?? checked.numbers[c];
            const text = joined.texts[c] ?? checked.texts[c];
            if (num) input.numbers[c] = num;
            else if (text) input.texts[c] = text;
          }
          const scores = checked.rows > 0 ? model.score(input, { reasons, top }) : Promise.resolve({
            rows: 0,
            top,
            logOdds: new Float64Array(0),
            probability: new Float64Array(0),
            reject: new Uint8Array(0),
            reasonGroups: new Int16Array(0),
            reasonImpacts: new Float64Array(0),
          });
          scores.catch(() => {}); // awaited in order below
          inflight.push({ scores, checked, features: joined, keep, bad, inputRows: n });
          while (inflight.length >= maxInFlight) await finish(inflight.shift()!);
        }
      }
      while (inflight.length) await finish(inflight.shift()!);
      const files = await writer.finish();
      const quarantineFiles = await quarantine.finish();
      // the counts must add up before anything is published
      const written = files.reduce((a, f) => a + f.rows, 0);
      const quarantinedWritten = quarantineFiles.reduce((a, f) => a + f.rows, 0);
      if (counts.input_rows !== counts.scored + counts.quarantined) {
        throw new CountMismatchError(
          `Input rows ${counts.input_rows} != scored ${counts.scored} + quarantined ${counts.quarantined}`,
        );
      }
      if (written !== counts.scored || quarantinedWritten !== counts.quarantined) {
        throw new CountMismatchError(
          `Files hold ${written} scored and ${quarantinedWritten} quarantined rows; expected ${counts.scored} and ${counts.quarantined}`,
        );
      }
      if (plan.rows !== null && plan.rows !== counts.input_rows) {
        throw new CountMismatchError(
          `The input's Parquet footers announce ${plan.rows} rows for this shard but ${counts.input_rows} were read`,
        );
      }
      if (counts.approve + counts.reject !== counts.scored) {
        throw new CountMismatchError(`Decisions ${counts.approve + counts.reject} != scored rows ${counts.scored}`);
      }
      const maxShare = opts.maxQuarantineShare ?? DEFAULT_MAX_QUARANTINE_SHARE;
      if (counts.quarantined > 0 && counts.quarantined > maxShare * counts.input_rows) {
        const by = Object.entries(byColumn).map(([c, n]) => `${c} ${n}`).join(", ");
        throw new TooManyBadRowsError(
          `${counts.quarantined} of ${counts.input_rows} input rows (${
            (100 * counts.quarantined / Math.max(counts.input_rows, 1)).toFixed(1)
          }%) are bad (${by}), above the allowed share ${maxShare} (--max-quarantine-share). Nothing was published`,
        );
      }
      const seconds = (performance.now() - t0) / 1000;
      progress.done();
      const manifest: ScoringManifest = {
        format: MANIFEST_FORMAT,
        job,
        shard,
        run_id: runId,
        run_prefix: prefix,
        status: "complete",
        started_at: started.toISOString(),
        finished_at: now().toISOString(),
        scored_at: scoredAt.toISOString(),
        model: { name: model.name, version: model.version, threshold: model.threshold },
        reasons: {
          mode: reasons,
          top,
          texts: Object.fromEntries(model.groups.map((g) => [g, model.describe(g)])),
        },
        features: {
          mode: features?.mode ?? "offline",
          as_of: opts.asOf ? opts.asOf.toISOString() : null,
          refs: [...(features?.refs ?? [])],
        },
        input: {
          uris: plan.uris,
          fingerprint: plan.fingerprint,
          files: [...perFile].map(([i, s]) => ({
            uri: plan.files[i].uri,
            size: plan.files[i].size,
            version: plan.files[i].version,
            rows: s.rows,
            row_groups: s.rowGroups,
          })),
          rows: counts.input_rows,
        },
        counts,
        files,
        quarantine: { files: quarantineFiles, rows: counts.quarantined, by_column: byColumn },
        columns: outSchema.fields.map((f) => ({ name: f.name, type: columnTypeName(f) })),
        runtime: {
          seconds,
          rows_per_second: counts.input_rows / Math.max(seconds, 1e-9),
          scorer: model.runsOn,
          peak_rss_mb: peakRss === null ? null : Math.round(peakRss),
        },
      };
      const committed = await commitRun(opts.output, manifest, io);
      log(
        `${counts.input_rows} applications: ${counts.scored} scored (${counts.approve} approve, ${counts.reject} reject), ` +
          `${counts.quarantined} quarantined; ${files.length} file(s) under ${joinUri(opts.output, prefix)}; ` +
          `manifest ${committed.manifestUri}${committed.replaced ? ` (replaces run ${committed.replaced})` : ""}`,
      );
      return { manifest, manifestUri: committed.manifestUri, replaced: committed.replaced };
    } catch (err) {
      for (const p of inflight) p.scores.catch(() => {});
      await writer.abort();
      await quarantine.abort();
      throw err;
    } finally {
      pool?.close();
    }
  }
}

/** Pass-through columns of the batch, stored in `vectors` under private keys (CSV text kept as text). */
function keepVectorsFor(checked: CheckedBatch, batch: arrow.RecordBatch, layout: OutputLayout): void {
  for (const f of layout.keep) {
    const v = batch.getChild(f.name);
    if (v) checked.vectors[`\u0000keep:${f.name}`] = v;
  }
}
