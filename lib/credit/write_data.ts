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
import { createGenerator } from "./generate.ts";
import { type S3Options, writeBatches } from "../io/mod.ts";
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

/**
 * Generates and writes the three tables; `log` receives one line per table, `progress` a line per ~10% of people.
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
  opts: { log?: (line: string) => void; progress?: "auto" | "silent"; s3?: S3Options } = {},
): Promise<TableReport[]> {
  const gen = createGenerator({
    seed: args.seed,
    loans: args.rows,
    people: args.people,
    zipcodes: args.zipcodes,
  });
  const reports: TableReport[] = [];
  const track = (table: string) => {
    const progress = new Progress({
      label: table,
      unit: "people",
      total: gen.plan.people,
      mode: opts.progress === "auto" ? undefined : "silent",
    });
    return {
      onBlock: (done: number) => progress.update(done),
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
    const t = track(table);
    const { rows, bytes } = await writeBatches(uri, batches(t), { s3: opts.s3 });
    if (tracked) t.finish();
    const seconds = (performance.now() - started) / 1000;
    reports.push({ table, uri, rows, bytes, seconds });
    opts.log?.(`${table}: ${rows} rows, ${bytes} bytes, ${seconds.toFixed(1)} s -> ${uri}`);
  }
  return reports;
}
