/**
 * Command-line arguments for tasks, over `node:util`'s `parseArgs`, with errors that name the flag.
 *
 * @example
 * ```ts
 * import { parseTaskArgs } from "./args.ts";
 * const { values } = parseTaskArgs(["--rows", "100"], {
 *   usage: "deno task generate-data [--rows N]",
 *   options: { rows: { type: "string", default: "20000" } },
 * });
 * const rows = intFlag(values, "rows", { min: 1 });
 * ```
 * @module
 */
import { parseArgs } from "node:util";

/** A flag's definition (as in `node:util` parseArgs). */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  default?: string | boolean;
  multiple?: boolean;
}

/** A wrong or missing command-line argument; tasks print its message and the usage, then exit 2. */
export class UsageError extends Error {
  /** @param message What is wrong, naming the flag. @param usage The task's usage line. */
  constructor(message: string, readonly usage = "") {
    super(message);
    this.name = "UsageError";
  }
}

/** Parsed flags and positionals. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/**
 * Parses `args` strictly: an unknown flag or a missing value is a {@link UsageError}.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseTaskArgs(["2021-01-01", "--dry-run"], {
 *   usage: "deno task materialize START END", options: { "dry-run": { type: "boolean" } }, positionals: true,
 * });
 * ```
 */
export function parseTaskArgs(
  args: string[],
  spec: { usage: string; options: Record<string, FlagSpec>; positionals?: boolean },
): ParsedArgs {
  try {
    const parsed = parseArgs({
      args,
      options: { help: { type: "boolean", short: "h" }, ...spec.options },
      allowPositionals: spec.positionals ?? false,
      strict: true,
    });
    return { values: parsed.values as ParsedArgs["values"], positionals: parsed.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional.*$/s, ""), spec.usage);
  }
}

/**
 * Reads an integer flag, checking bounds; accepts `1_000_000`, `1e6` and `1M`/`10k`.
 *
 * @example
 * ```ts
 * intFlag({ rows: "10M" }, "rows", { min: 1 }); // 10000000
 * ```
 */
export function intFlag(
  values: ParsedArgs["values"],
  name: string,
  opts: { min?: number; max?: number; fallback?: number } = {},
): number {
  const raw = values[name];
  if (raw === undefined) {
    if (opts.fallback !== undefined) return opts.fallback;
    throw new UsageError(`Flag "--${name}" is required`);
  }
  const text = String(raw).trim().replaceAll("_", "");
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)([kKmM]?)$/.exec(text);
  const n = m ? Number(m[1]) * (m[2].toLowerCase() === "k" ? 1e3 : m[2].toLowerCase() === "m" ? 1e6 : 1) : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`Flag "--${name}" is "${raw}"; expected a whole number`);
  if (opts.min !== undefined && n < opts.min) throw new UsageError(`Flag "--${name}" is ${n}; expected >= ${opts.min}`);
  if (opts.max !== undefined && n > opts.max) throw new UsageError(`Flag "--${name}" is ${n}; expected <= ${opts.max}`);
  return n;
}

/**
 * Reads an optional number flag (undefined when absent); a value that is empty, not finite or refused by `check` is a
 * {@link UsageError} saying what was `expected`.
 *
 * @example
 * ```ts
 * numberFlag({ psi: "0.2" }, "psi", { check: (x) => x > 0, expected: "a number above 0" }); // 0.2
 * ```
 */
export function numberFlag(
  values: ParsedArgs["values"],
  name: string,
  opts: { check?: (x: number) => boolean; expected?: string; usage?: string } = {},
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (String(raw).trim() === "" || !Number.isFinite(x) || (opts.check && !opts.check(x))) {
    throw new UsageError(`Flag "--${name}" is "${raw}"; expected ${opts.expected ?? "a number"}`, opts.usage);
  }
  return x;
}

/**
 * Reads a flag that takes one of a few words; anything else is a {@link UsageError} listing them. `fallback` is used
 * when the flag is absent (else it is required); `usage` goes with the error.
 *
 * @example
 * ```ts
 * choiceFlag({ model: "mlp" }, "model", ["mlp", "logistic"]); // "mlp"
 * choiceFlag({}, "reasons", ["all", "rejected", "none"], { fallback: "all" }); // "all"
 * ```
 */
export function choiceFlag<T extends string>(
  values: ParsedArgs["values"],
  name: string,
  choices: readonly T[],
  opts: { fallback?: T; usage?: string } = {},
): T {
  const raw = values[name];
  if (raw === undefined) {
    if (opts.fallback !== undefined) return opts.fallback;
    throw new UsageError(`Flag "--${name}" is required`, opts.usage);
  }
  const text = String(raw);
  if (!(choices as readonly string[]).includes(text)) {
    const quoted = choices.map((c) => `"${c}"`);
    const list = quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}` : quoted[0];
    throw new UsageError(`Flag "--${name}" is "${text}"; expected ${list}`, opts.usage);
  }
  return text as T;
}

/** The hint printed under an error that is (or was caused by) a write Deno's permissions refused. */
export const WRITE_REFUSAL_HINT =
  "hint: deno task writes only under data/, reports/, .demo/, the repo folder (--repo) and the paths given to " +
  "--out/--output; name the path with one of those flags, or set TOOLKIT_ALLOW_WRITE=DIR[,DIR] to allow more";

/**
 * {@link WRITE_REFUSAL_HINT} when `err`, or an error in its `cause` chain, is a write Deno's permissions refused (the io
 * layer wraps Deno's `NotCapable` in errors naming the path); null otherwise, also for refused reads, hosts or programs.
 *
 * @example
 * ```ts
 * const e = new Error('Cannot access "/x"', { cause: new Deno.errors.NotCapable("Requires write access to \"/x\"") });
 * console.assert(writeRefusalHint(e) !== null);
 * ```
 */
export function writeRefusalHint(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    // Deno's refusal of a write (not of a read, a host or a program, nor the operating system's EACCES)
    if (/Requires write access to/.test(e.message)) return WRITE_REFUSAL_HINT;
  }
  return null;
}

/**
 * Runs a task's main function: a {@link UsageError} prints the message and usage and exits 2; any other error
 * prints `error: <message>` (no stack unless `DEBUG` is set) and exits 1.
 *
 * @example
 * ```ts
 * if (import.meta.main) await runTask(async () => { console.log("done"); });
 * ```
 */
export async function runTask(main: () => Promise<void | number>): Promise<void> {
  try {
    const code = await main();
    if (typeof code === "number" && code !== 0) Deno.exit(code);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      if (e.usage) console.error(`usage: ${e.usage}`);
      Deno.exit(2);
    }
    console.error(`error: ${e.message}`);
    const hint = writeRefusalHint(e);
    if (hint) console.error(hint);
    if (Deno.env.get("DEBUG")) console.error(e.stack);
    Deno.exit(1);
  }
}
