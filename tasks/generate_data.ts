/**
 * `deno task generate-data [--rows N] [--seed S] [--out DIR|s3://bucket/prefix] [--zipcodes N] [--people N]`:
 * writes the synthetic loan_table, zipcode_table and credit_history Parquet files (see lib/credit/generate.ts for
 * the generative model and lib/credit/write_data.ts for the writing). Progress on a terminal; quiet in CI.
 *
 * `--period START/END [--downturn]` appends a later period instead (new people, their loans and credit history,
 * `--rows` loans between the two ISO dates) to the tables already in `--out`, generated with the same `--seed`;
 * `--downturn` shifts it (incomes down, rates up, more defaults: see lib/credit/generate.ts DOWNTURN_SHIFT), e.g.
 * to demonstrate `deno task monitor`.
 *
 * @module
 */
import { intFlag, parseTaskArgs, runTask, UsageError } from "../lib/cli/mod.ts";
import { appendPeriod, generateData, type GenerateDataArgs } from "../lib/credit/write_data.ts";
import { DOWNTURN_SHIFT, type LaterPeriod } from "../lib/credit/generate.ts";
import { loadConfig, toS3Options } from "../lib/feature_store/config.ts";

const USAGE = "deno task generate-data [--rows N] [--seed S] [--out DIR|s3://bucket/prefix] [--zipcodes N] " +
  "[--people N] [--period START/END [--downturn]]";

/**
 * Parses the task's flags (defaults: 20,000 rows, seed 42, out = the configured data_dir).
 *
 * @example
 * ```ts
 * parseGenerateArgs(["--rows", "1M", "--out", "s3://b/p"]); // { rows: 1000000, seed: 42, out: "s3://b/p" }
 * ```
 */
export function parseGenerateArgs(
  argv: readonly string[],
  defaultOut = "data/generated",
): GenerateDataArgs & { period?: LaterPeriod } {
  const { values } = parseTaskArgs([...argv], {
    usage: USAGE,
    options: {
      rows: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      zipcodes: { type: "string" },
      people: { type: "string" },
      period: { type: "string" },
      downturn: { type: "boolean" },
    },
  });
  const args: GenerateDataArgs & { period?: LaterPeriod } = {
    rows: intFlag(values, "rows", { min: 1, fallback: 20_000 }),
    seed: intFlag(values, "seed", { min: 0, fallback: 42 }),
    out: String(values.out ?? defaultOut).replace(/\/+$/, ""),
  };
  if (values.zipcodes !== undefined) args.zipcodes = intFlag(values, "zipcodes", { min: 1 });
  if (values.people !== undefined) args.people = intFlag(values, "people", { min: 1 });
  if (values.period !== undefined) {
    const [start, end, extra] = String(values.period).split("/");
    if (extra !== undefined || !(Date.parse(start) < Date.parse(end))) {
      throw new UsageError(`Flag "--period" is "${values.period}"; expected START/END, two ISO dates in order`, USAGE);
    }
    args.period = { start, end, ...(values.downturn ? { shift: DOWNTURN_SHIFT } : {}) };
  } else if (values.downturn) throw new UsageError(`Flag "--downturn" needs "--period START/END"`, USAGE);
  return args;
}

if (import.meta.main) {
  await runTask(async () => {
    if (Deno.args.includes("--help") || Deno.args.includes("-h")) return void console.log(`usage: ${USAGE}`);
    const config = await loadConfig();
    const args = parseGenerateArgs(Deno.args, config.data_dir);
    const opts = { log: (line: string) => console.log(line), s3: toS3Options(config.s3) };
    if (args.period) await appendPeriod({ ...args, period: args.period }, opts);
    else await generateData(args, { ...opts, progress: "auto" });
  });
}
