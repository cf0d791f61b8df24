/**
 * Benchmark helpers: medians, peak RSS, and results written to `bench/results/<name>.json`. Benchmarks are never
 * tests: figures go to files and the console.
 *
 * @example
 * ```ts
 * import { median, writeResults } from "./harness.ts";
 * await writeResults("pit", { local_s: median([3.4, 3.3, 3.5]) });
 * ```
 * @module
 */
import { readSystemFile } from "../lib/io/system_file.ts";
import denoConfig from "../deno.json" with { type: "json" };

/**
 * The command and arguments that run a benchmark's child process through `bench/child.sh`, the one program the bench
 * task may run (besides redis-server and redis-benchmark): `deno` with a checked subset of flags on a script under
 * bench/ or tasks/ (`core` pins it with taskset), `/usr/bin/python3` on a script under bench/, or `halt-poll-ns N`.
 * Benchmarks never run `deno`, `python3` or `taskset` directly: those could run anything.
 */
export function benchChild(
  kind: "deno" | "python" | "halt-poll-ns",
  args: string[],
  core?: number,
): [string, string[]] {
  const wrapper = new URL("./child.sh", import.meta.url).pathname;
  return [wrapper, [kind, ...(kind === "deno" && core !== undefined ? ["--core", String(core)] : []), ...args]];
}

/** The version deno.json pins for an npm import (`npmVersion("ioredis")` is "5.9.3"), for a result's `versions`. */
export function npmVersion(name: string): string {
  const spec = (denoConfig.imports as Record<string, string>)[name];
  const version = spec?.match(/^npm:(?:@[^/]+\/)?[^@/]+@([^/]+)/)?.[1];
  if (!version) throw new Error(`deno.json has no npm import "${name}" with a version (found ${JSON.stringify(spec)})`);
  return version;
}

/** Median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Peak resident memory of this process so far, in MB (Linux VmHWM), or NaN where unknown. */
export function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readSystemFile("/proc/self/status") ?? "");
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Writes `bench/results/<name>.json` with the figures plus machine facts and a timestamp; returns the path. */
export async function writeResults(name: string, figures: Record<string, unknown>): Promise<string> {
  const path = new URL(`./results/${name}.json`, import.meta.url).pathname;
  await Deno.mkdir(new URL("./results/", import.meta.url).pathname, { recursive: true });
  const body = {
    benchmark: name,
    ...figures,
    machine: { cores: navigator.hardwareConcurrency, deno: Deno.version.deno, os: Deno.build.os },
    measured_at: new Date().toISOString(),
  };
  await Deno.writeTextFile(path, JSON.stringify(body, null, 2) + "\n");
  return path;
}

/** Rounds to `digits` significant decimals for printing. */
export function round(x: number, digits = 3): number {
  return Number(x.toFixed(digits));
}
