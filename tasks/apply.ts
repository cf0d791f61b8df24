/**
 * `deno task apply [--dry-run] [--strict]`: validates the credit-scoring feature repo against its sources and
 * records it in the registry, printing what changed like `feast apply`.
 *
 * Exits 1 with the problems listed (no stack trace) when a definition, a source or the registry is invalid.
 *
 * @example
 * ```sh
 * deno run --allow-read --allow-write --allow-net --allow-env --allow-sys tasks/apply.ts --dry-run
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { writeRefusalHint } from "../lib/cli/mod.ts";
import { openRepoFlag, RepoError } from "../lib/repo/load.ts";
import { apply } from "../lib/feature_store/apply.ts";
import { ConfigError } from "../lib/feature_store/config.ts";
import { DefinitionError } from "../lib/feature_store/definitions.ts";
import { RegistryError } from "../lib/feature_store/registry.ts";
import { ValidationError } from "../lib/feature_store/validate.ts";

const USAGE = `Usage: deno task apply [--repo DIR] [--dry-run] [--strict]

  --repo     the feature repo folder (default: FEATURE_REPO, the current folder, else the credit tutorial)

  --dry-run  validate and print the plan without writing the registry
  --strict   treat timestamps without a time zone as errors`;

/**
 * Runs the task with command-line `args`; returns the exit code.
 *
 * @example
 * ```ts
 * const code = await main(["--dry-run"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  let flags: { "dry-run"?: boolean; strict?: boolean; help?: boolean; repo?: string };
  try {
    flags = parseArgs({
      args,
      options: {
        "dry-run": { type: "boolean" },
        strict: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        repo: { type: "string" },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const opened = await openRepoFlag(flags.repo);
    await apply({
      repo: opened.features,
      config: opened.config,
      dryRun: flags["dry-run"],
      strict: flags.strict,
    });
    return 0;
  } catch (err) {
    console.error(describeError(err));
    return 1;
  }
}

/**
 * The message printed for a failed apply: every validation problem on its own line, otherwise the error's
 * message; the stack trace only for unexpected errors when `DEBUG` is set.
 *
 * @example
 * ```ts
 * import { ValidationError } from "../lib/feature_store/validate.ts";
 * describeError(new ValidationError(["a", "b"])); // "Apply failed with 2 problems:\n  a\n  b"
 * ```
 */
export function describeError(err: unknown): string {
  if (err instanceof ValidationError) {
    const n = err.problems.length;
    return `Apply failed with ${n} problem${n === 1 ? "" : "s"}:\n${err.problems.map((p) => `  ${p}`).join("\n")}`;
  }
  if (
    err instanceof DefinitionError || err instanceof RegistryError || err instanceof ConfigError ||
    err instanceof RepoError
  ) {
    return `Apply failed: ${err.message}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  const hint = writeRefusalHint(err);
  const debug = Deno.env.get("DEBUG") && err instanceof Error ? `\n${err.stack}` : "";
  return `Apply failed: ${message}${hint ? `\n${hint}` : ""}${debug}`;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
