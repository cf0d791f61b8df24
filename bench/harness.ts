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
