/**
 * `deno task generate-data [--rows N] [--seed S] [--out DIR|s3://bucket/prefix] [--zipcodes N] [--people N]`:
 * writes the synthetic loan_table, zipcode_table and credit_history Parquet files (see lib/credit/generate.ts for
 * the generative model and lib/credit/write_data.ts for the writing). Progress on a terminal; quiet in CI.
 *
 * @module
 */
import { intFlag, parseTaskArgs, runTask } from "../lib/cli/mod.ts";
import { generateData, type GenerateDataArgs } from "../lib/credit/write_data.ts";
import { loadConfig, toS3Options } from "../lib/feature_store/config.ts";

const USAGE =
  "deno task generate-data [--rows N] [--seed S] [--out DIR|s3://bucket/prefix] [--zipcodes N] [--people N]";

/**
 * Parses the task's flags (defaults: 20,000 rows, seed 42, out = the configured data_dir).
 *
 * @example
 * ```ts
 * parseGenerateArgs(["--rows", "1M", "--out", "s3://b/p"]); // { rows: 1000000, seed: 42, out: "s3://b/p" }
 * ```
 */
export function parseGenerateArgs(argv: readonly string[], defaultOut = "data/generated"): GenerateDataArgs {
  const { values } = parseTaskArgs([...argv], {
    usage: USAGE,
    options: {
      rows: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      zipcodes: { type: "string" },
      people: { type: "string" },
    },
  });
  const args: GenerateDataArgs = {
    rows: intFlag(values, "rows", { min: 1, fallback: 20_000 }),
    seed: intFlag(values, "seed", { min: 0, fallback: 42 }),
    out: String(values.out ?? defaultOut).replace(/\/+$/, ""),
  };
  if (values.zipcodes !== undefined) args.zipcodes = intFlag(values, "zipcodes", { min: 1 });
  if (values.people !== undefined) args.people = intFlag(values, "people", { min: 1 });
  return args;
}

if (import.meta.main) {
  await runTask(async () => {
    if (Deno.args.includes("--help") || Deno.args.includes("-h")) return void console.log(`usage: ${USAGE}`);
    const config = await loadConfig();
    const args = parseGenerateArgs(Deno.args, config.data_dir);
    await generateData(args, { log: (line) => console.log(line), progress: "auto", s3: toS3Options(config.s3) });
  });
}
