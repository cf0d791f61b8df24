/**
 * `deno task faults [--fast]`: the fault suite (faults/cases.ts): each case injects one fault into real parts and
 * reports whether it was survived, the rows lost and the 5xx answers; the totals go to `bench/results/faults.json`.
 * Exit status 1 when a fault was not survived.
 *
 * @example
 * ```sh
 * deno task faults
 * ```
 * @module
 */
import { FAULT_CASES, type FaultOutcome } from "./cases.ts";

if (import.meta.main) {
  const fast = Deno.args.includes("--fast");
  const started = performance.now();
  const results: (FaultOutcome & { name: string; covers: string; seconds: number })[] = [];
  for (const c of FAULT_CASES.filter((c) => !fast || c.fast)) {
    const t0 = performance.now();
    let outcome: FaultOutcome;
    try {
      outcome = await c.run();
    } catch (err) {
      outcome = { survived: false, rowsLost: -1, fiveXX: 0, attempts: 0, detail: `the case failed: ${err}` };
    }
    const seconds = (performance.now() - t0) / 1000;
    results.push({ name: c.name, covers: c.covers, seconds: Math.round(seconds * 10) / 10, ...outcome });
    console.log(
      `${outcome.survived ? "survived" : "NOT SURVIVED"}: ${c.name} (${seconds.toFixed(1)} s): ${outcome.detail}`,
    );
  }
  const summary = {
    benchmark: "faults",
    command: `deno task faults${fast ? " --fast" : ""}`,
    date: new Date().toISOString(),
    faults_tried: results.length,
    faults_survived: results.filter((r) => r.survived).length,
    rows_lost: results.reduce((a, r) => a + Math.max(0, r.rowsLost), 0),
    five_xx: results.reduce((a, r) => a + r.fiveXX, 0),
    seconds: Math.round((performance.now() - started) / 100) / 10,
    cases: results,
  };
  await Deno.mkdir(new URL("../bench/results/", import.meta.url), { recursive: true });
  await Deno.writeTextFile(
    new URL("../bench/results/faults.json", import.meta.url),
    JSON.stringify(summary, null, 2) + "\n",
  );
  console.log(
    `${summary.faults_survived} of ${summary.faults_tried} faults survived, ${summary.rows_lost} rows lost, ` +
      `${summary.five_xx} 5xx answers -> bench/results/faults.json`,
  );
  Deno.exit(summary.faults_survived === summary.faults_tried ? 0 : 1);
}
