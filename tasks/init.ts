/**
 * `deno task init DIR --from FILE [--label COL] [--timestamp COL] [--id COL] [--source FILE ...] [--ttl DAYS]
 *  [--target-recall R] [--force]`: writes a feature repo folder from your own CSV or Parquet files, like `feast init`
 * (lib/repo/init.ts): `feature_store.yaml`, `features.ts` (entities, sources, views, a service and the model spec)
 * and `README.md` with the next commands. Prints what it inferred and what to check.
 *
 * @example
 * ```sh
 * deno task init ../churn --from ../data/accounts.csv --label churned --timestamp event_timestamp \
 *   --id account_id --source ../data/usage.parquet --ttl 90
 * ```
 * @module
 */
import { intFlag, numberFlag, parseTaskArgs, runTask, UsageError } from "../lib/cli/mod.ts";
import { initRepo, type InitResult } from "../lib/repo/init.ts";

/** Usage line of the task. */
export const USAGE = "deno task init DIR --from FILE [--label COL] [--timestamp COL] [--id COL] [--source FILE ...] " +
  "[--ttl DAYS] [--target-recall R] [--force]";

/**
 * The task's body.
 *
 * @example
 * ```ts
 * await main(["/tmp/churn", "--from", "accounts.csv", "--label", "churned"]);
 * ```
 */
export async function main(args: string[], out: (line: string) => void = console.log): Promise<InitResult | null> {
  const { values, positionals } = parseTaskArgs(args, {
    usage: USAGE,
    positionals: true,
    options: {
      from: { type: "string" },
      label: { type: "string" },
      timestamp: { type: "string" },
      id: { type: "string" },
      source: { type: "string", multiple: true },
      ttl: { type: "string" },
      "target-recall": { type: "string" },
      force: { type: "boolean" },
    },
  });
  if (values.help) {
    out(`usage: ${USAGE}`);
    return null;
  }
  if (positionals.length !== 1) throw new UsageError(`Give the repo folder to write (DIR), once`, USAGE);
  if (values.from === undefined) throw new UsageError(`Flag "--from" is required: the entity rows file`, USAGE);
  const str = (k: string) => values[k] === undefined ? undefined : String(values[k]);
  const result = await initRepo({
    dir: positionals[0],
    from: String(values.from),
    label: str("label"),
    timestamp: str("timestamp"),
    id: str("id"),
    sources: (values.source as string[] | undefined) ?? [],
    ttlDays: values.ttl === undefined ? undefined : intFlag(values, "ttl", { min: 1, max: 36_500 }),
    targetRecall: numberFlag(values, "target-recall", {
      check: (x) => x > 0 && x <= 1,
      expected: "a number in (0, 1]",
      usage: USAGE,
    }),
    force: Boolean(values.force),
  });
  out(`Wrote the feature repo ${result.dir}:`);
  for (const f of result.files) out(`  ${f}`);
  out("What was inferred (check it in features.ts):");
  for (const n of result.notes) out(`  - ${n}`);
  out(`Next: deno task apply --repo ${result.dir}   (then training-set, train, score, serve: see its README.md)`);
  return result;
}

if (import.meta.main) await runTask(async () => void (await main(Deno.args)));
