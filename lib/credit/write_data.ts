/**
 * Writes the synthetic credit-scoring tables (zipcode_table, loan_table, credit_history) as Parquet under a local
 * folder or an `s3://` prefix, streaming the generator's record batches so memory stays bounded by a batch.
 *
 * Files are byte-identical for the same arguments (the data do not depend on the batch size, and batches always
 * have the generator's default size, so Parquet pages fall in the same places).
 *
 * @example
 * ```ts
 * import { generateData } from "./write_data.ts";
 * await generateData({ rows: 20_000, seed: 42, out: "data/generated" }, { log: console.log });
 * ```
 * @module
 */
import { createGenerator, type LaterPeriod } from "./generate.ts";
import { exists, readBatches, readTable, type S3Options, writeBatches } from "../io/mod.ts";
import * as arrow from "apache-arrow";
import { LOAN_SCHEMA } from "./schemas.ts";
import { Progress } from "../cli/progress.ts";

/** What to generate and where. */
export interface GenerateDataArgs {
  rows: number;
  seed: number;
  out: string;
  zipcodes?: number;
  people?: number;
}

/** What one table's write produced. */
export interface TableReport {
  table: string;
  uri: string;
  rows: number;
  bytes: number;
  seconds: number;
}

/** A progress display for one table's people (e.g. lib/notebook's notebookProgress). */
export interface TableProgress {
  update(done: number): void;
  done(): unknown;
}

/**
 * Generates and writes the three tables; `log` receives one line per table; `progress` is "auto" (lib/cli's
 * Progress on a terminal or in CI), "silent" (default) or a function making a progress display per table.
 *
 * @example
 * ```ts ignore
 * import { generateData } from "./generate_data.ts";
 * const reports = await generateData({ rows: 1000, seed: 1, out: "/tmp/gen" });
 * console.log(reports.map((r) => r.rows));
 * ```
 */
export async function generateData(
  args: GenerateDataArgs,
  opts: {
    log?: (line: string) => void;
    progress?: "auto" | "silent" | ((table: string, total: number, unit: string) => TableProgress);
    s3?: S3Options;
  } = {},
): Promise<TableReport[]> {
  const gen = createGenerator({
    seed: args.seed,
    loans: args.rows,
    people: args.people,
    zipcodes: args.zipcodes,
  });
  const reports: TableReport[] = [];
  const track = (table: string, tracked: boolean) => {
    const make = opts.progress;
    const progress: TableProgress = tracked && typeof make === "function"
      ? make(table, gen.plan.people, "people")
      : new Progress({
        label: table,
        unit: "people",
        total: gen.plan.people,
        mode: tracked && make === "auto" ? undefined : "silent",
      });
    return {
      // the generator counts blocks of people; show people
      onBlock: (done: number, total: number) => progress.update(Math.round((done / total) * gen.plan.people)),
      finish: () => progress.done(),
    };
  };
  const jobs = [
    ["zipcode_table", () => gen.zipcodeBatches(), null],
    ["loan_table", (t: ReturnType<typeof track>) => gen.loanBatches({ onBlock: t.onBlock }), true],
    ["credit_history", (t: ReturnType<typeof track>) => gen.creditHistoryBatches({ onBlock: t.onBlock }), true],
  ] as const;
  for (const [table, batches, tracked] of jobs) {
    const uri = `${args.out.replace(/\/+$/, "")}/${table}.parquet`;
    const started = performance.now();
    const t = track(table, tracked === true);
    const { rows, bytes } = await writeBatches(uri, batches(t), { s3: opts.s3 });
    if (tracked) await t.finish();
    const seconds = (performance.now() - started) / 1000;
    reports.push({ table, uri, rows, bytes, seconds });
    opts.log?.(`${table}: ${rows} rows, ${bytes} bytes, ${seconds.toFixed(1)} s -> ${uri}`);
  }
  return reports;
}

/** What {@linkcode appendPeriod} appends, and to which tables. */
export interface AppendPeriodArgs {
  /** Folder (or s3:// prefix) holding the base tables. */
  out: string;
  /** Loans of the later period. */
  rows: number;
  /** The base data's seed (the zipcodes are regenerated from it and checked against the stored table). */
  seed: number;
  period: LaterPeriod;
  /** People of the period (default ceil(0.9 × rows)). */
  people?: number;
  /** Also write the period's loans without `loan_status` here (Parquet): the applications a scorer receives. */
  applications?: string;
}

/**
 * Appends a later period (new people, their loans and credit history; see {@linkcode LaterPeriod}) to the tables
 * in `out`, e.g. a downturn to demonstrate drift monitoring. The zipcode table stays as it is: the period must use
 * the base data's seed (checked), and its loan ids continue after the stored ones unless `period.firstLoanId` is
 * given. Each table is rewritten whole (atomically).
 *
 * @example
 * ```ts ignore
 * import { appendPeriod } from "./write_data.ts";
 * import { DOWNTURN_SHIFT } from "./generate.ts";
 * await appendPeriod({
 *   out: "data/generated", rows: 5000, seed: 42,
 *   period: { start: "2021-09-01", end: "2021-12-31", shift: DOWNTURN_SHIFT },
 * });
 * ```
 */
export async function appendPeriod(
  args: AppendPeriodArgs,
  opts: { log?: (line: string) => void; s3?: S3Options } = {},
): Promise<TableReport[]> {
  const out = args.out.replace(/\/+$/, "");
  const io = { s3: opts.s3 };
  for (const table of ["zipcode_table", "loan_table", "credit_history"]) {
    if (!(await exists(`${out}/${table}.parquet`, io))) {
      throw new Error(`No "${out}/${table}.parquet" to append to; generate the base tables first`);
    }
  }
  const zip = await readTable(`${out}/zipcode_table.parquet`, { ...io, columns: ["zipcode"] });
  const stored = Array.from(zip.getChild("zipcode")!, Number);
  const gen0 = createGenerator({ seed: args.seed, loans: 0, zipcodes: new Set(stored).size });
  const regenerated = [...gen0.zipcodeBatches()].flatMap((b) => Array.from(b.getChild("zipcode")!, Number));
  if (regenerated.length !== stored.length || regenerated.some((z, i) => z !== stored[i])) {
    throw new Error(
      `The zipcode table in "${out}" was not generated with seed "${args.seed}"; give the base data's seed`,
    );
  }
  let firstLoanId = args.period.firstLoanId;
  if (firstLoanId === undefined) {
    const ids = (await readTable(`${out}/loan_table.parquet`, { ...io, columns: ["loan_id"] })).getChild("loan_id")!;
    let max = 0;
    for (const v of ids) if (v !== null && Number(v) > max) max = Number(v);
    firstLoanId = max + 1;
  }
  const gen = createGenerator({
    seed: args.seed,
    loans: args.rows,
    people: args.people,
    zipcodes: new Set(stored).size,
    period: { ...args.period, firstLoanId },
  });
  async function* concat(uri: string, more: Iterable<arrow.RecordBatch>) {
    yield* readBatches(uri, io);
    yield* more;
  }
  const reports: TableReport[] = [];
  const jobs = [["loan_table", () => gen.loanBatches()], ["credit_history", () => gen.creditHistoryBatches()]] as const;
  for (const [table, batches] of jobs) {
    const uri = `${out}/${table}.parquet`;
    const started = performance.now();
    let added = 0;
    const counted = (function* () {
      for (const b of batches()) {
        added += b.numRows;
        yield b;
      }
    })();
    const { rows, bytes } = await writeBatches(uri, concat(uri, counted), io);
    const seconds = (performance.now() - started) / 1000;
    reports.push({ table, uri, rows, bytes, seconds });
    opts.log?.(`${table}: +${added} rows of the later period -> ${rows} rows, ${bytes} bytes, ${seconds.toFixed(1)} s`);
  }
  if (args.applications) {
    const started = performance.now();
    const fields = LOAN_SCHEMA.fields.filter((f) => f.name !== "loan_status");
    const schema = new arrow.Schema(fields);
    const unlabelled = (function* () {
      // (RecordBatch.select keeps the dropped column's data in place, so the columns are picked by hand)
      for (const b of gen.loanBatches()) {
        const children = fields.map((f) => b.getChild(f.name)!.data[0]);
        yield new arrow.RecordBatch(
          schema,
          arrow.makeData({ type: new arrow.Struct(fields), length: b.numRows, nullCount: 0, children }),
        );
      }
    })();
    const { rows, bytes } = await writeBatches(args.applications, unlabelled, io);
    const seconds = (performance.now() - started) / 1000;
    reports.push({ table: "applications", uri: args.applications, rows, bytes, seconds });
    opts.log?.(`applications of the later period (no labels): ${rows} rows -> ${args.applications}`);
  }
  return reports;
}
