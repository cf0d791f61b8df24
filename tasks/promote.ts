/**
 * `deno task promote --version N [--alias champion] [--name NAME]`: points an alias of the registered credit model
 * at a version (moving it from the version it pointed at before).
 *
 * @example
 * ```sh
 * deno task promote --version 3               # version 3 becomes champion
 * deno task promote --version 4 --alias challenger
 * ```
 * @module
 */
import { intFlag, parseTaskArgs, runTask } from "../lib/cli/mod.ts";
import { toS3Options } from "../lib/feature_store/config.ts";
import { getVersion, setAlias } from "../lib/model/registry.ts";
import { openRepoFlag } from "../lib/repo/load.ts";

/** Usage line of the task. */
export const USAGE = "deno task promote [--repo DIR] --version N [--alias champion] [--name NAME]";

/**
 * Parses the arguments: `--version` is required and a whole number >= 1.
 *
 * @example
 * ```ts
 * parsePromoteArgs(["--version", "2"]); // { version: 2, alias: "champion", name: "credit_default", help: false }
 * ```
 */
export function parsePromoteArgs(
  args: string[],
): { version: number; alias: string; name?: string; repo?: string; help: boolean } {
  const { values } = parseTaskArgs(args, {
    usage: USAGE,
    options: {
      version: { type: "string" },
      alias: { type: "string", default: "champion" },
      name: { type: "string" },
      repo: { type: "string" },
    },
  });
  if (values.help) return { version: 0, alias: "", name: "", help: true };
  return {
    version: intFlag(values, "version", { min: 1 }),
    alias: String(values.alias),
    name: values.name === undefined ? undefined : String(values.name),
    repo: values.repo === undefined ? undefined : String(values.repo),
    help: false,
  };
}

/**
 * The task's body; returns the version the alias pointed at before (or null).
 *
 * @example
 * ```ts
 * await main(["--version", "2", "--alias", "champion"]);
 * ```
 */
export async function main(
  args: string[],
  out: (line: string) => void = console.log,
): Promise<{ previous: number | null; version: number } | null> {
  const parsed = parsePromoteArgs(args);
  if (parsed.help) {
    out(`usage: ${USAGE}`);
    return null;
  }
  const opened = await openRepoFlag(parsed.repo);
  const config = opened.config;
  const name = parsed.name ?? opened.model.name;
  const io = { s3: toS3Options(config.s3) };
  const target = await getVersion({ root: config.model_store, name, version: parsed.version, io });
  const previous = await setAlias({
    root: config.model_store,
    name,
    alias: parsed.alias,
    version: parsed.version,
    io,
  });
  const auc = target.metrics.test_auc;
  out(
    `Model "${name}": alias "${parsed.alias}" -> version ${parsed.version}` +
      (previous === null ? " (new alias)" : previous === parsed.version ? " (unchanged)" : ` (was ${previous})`) +
      (auc === undefined ? "" : `; test ROC AUC ${auc.toFixed(4)}`),
  );
  return { previous, version: parsed.version };
}

if (import.meta.main) await runTask(async () => void (await main(Deno.args)));
