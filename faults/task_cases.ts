/**
 * Fault cases that run the tasks as a user does, in processes of their own: the decision server stopped while
 * clients hold half-sent requests (item 4 of issue 17), secrets in a mistyped or failing configuration (item 8), data
 * the drift task cannot compare (item 9), and writes or permissions a task or a benchmark's child may not take
 * (item 10). Each reports as the cases of ./cases.ts do; faults/cases.ts lists them all.
 *
 * @example
 * ```ts
 * import { TASK_FAULT_CASES } from "./task_cases.ts";
 * for (const c of TASK_FAULT_CASES) console.log(c.name, await c.run());
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { writeTable } from "../lib/io/mod.ts";
import { creditModelFixture } from "../lib/testing/credit_model_fixture.ts";
import { trainedCreditFixture } from "../lib/testing/credit_fixture.ts";
import { freePort } from "../lib/testing/services.ts";
import type { FaultCase } from "./cases.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

/** `deno run` of a task file with a task's permissions (writes only under `write`). */
function task(
  file: string,
  args: string[],
  opts: { env?: Record<string, string>; write: string[] },
): Deno.Command {
  return new Deno.Command("deno", {
    args: [
      "run",
      "--allow-read",
      `--allow-write=${opts.write.join(",")}`,
      "--allow-net",
      "--allow-env",
      "--allow-sys",
      `${ROOT}tasks/${file}`,
      ...args,
    ],
    cwd: ROOT,
    env: { CI: "true", ...opts.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

const halfOpenShutdown: FaultCase = {
  name: "SIGTERM while clients hold half-sent requests (headers cut, bodies cut)",
  covers: "4 (no shutdown deadline, no read timeout: half-open connections keep the server alive)",
  fast: true,
  async run() {
    const dir = await Deno.makeTempDir({ prefix: "faults-shutdown-" });
    const config = await trainedCreditFixture(dir);
    const port = freePort();
    const deadlineMs = 2_000;
    const child = task("serve.ts", [
      ...["--port", String(port), "--as-of", "2021-09-01T00:00:00Z", "--shutdown-deadline", String(deadlineMs)],
    ], {
      write: [dir],
      env: {
        FEATURE_STORE__DATA_DIR: config.data_dir,
        FEATURE_STORE__REGISTRY: config.registry,
        FEATURE_STORE__MODEL_STORE: config.model_store,
        FEATURE_STORE__ONLINE_STORE__TYPE: "sqlite",
        FEATURE_STORE__ONLINE_STORE__PATH: `${dir}/online.db`,
      },
    }).spawn();
    const conns: Deno.Conn[] = [];
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    try {
      let up = false;
      for (let i = 0; i < 240 && !up; i++) {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/health`);
          await r.body?.cancel();
          up = r.ok;
        } catch {
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      if (!up) {
        child.kill("SIGKILL");
        const out = await child.output();
        return {
          survived: false,
          rowsLost: 0,
          fiveXX: 0,
          attempts: 0,
          detail: `the server did not come up: ${decode(out.stderr).slice(-300)}`,
        };
      }
      // 20 connections with a body cut short, 20 with headers cut short, 20 that never send a byte
      const bodyCut =
        'POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"a":';
      const headCut = "POST /score HTTP/1.1\r\nHost: x\r\nContent-Ty";
      for (const text of [bodyCut, headCut, ""]) {
        for (let i = 0; i < 20; i++) {
          const c = await Deno.connect({ hostname: "127.0.0.1", port });
          if (text) await c.write(new TextEncoder().encode(text));
          conns.push(c);
        }
      }
      const t0 = performance.now();
      child.kill("SIGTERM");
      const exited = await Promise.race([
        child.status.then(() => true),
        new Promise<false>((r) => killTimer = setTimeout(() => r(false), deadlineMs + 15_000)),
      ]);
      const ms = Math.round(performance.now() - t0);
      if (!exited) child.kill("SIGKILL");
      const out = await child.output();
      const said = decode(out.stderr).includes("Shutdown deadline");
      return {
        survived: exited && ms <= deadlineMs + 5_000,
        rowsLost: 0,
        fiveXX: 0,
        attempts: conns.length,
        detail: exited
          ? `exited ${ms} ms after SIGTERM with ${conns.length} half-open connections (deadline ${deadlineMs} ms${
            said ? ", said so" : ""
          })`
          : `still running ${ms} ms after SIGTERM (killed)`,
      };
    } finally {
      clearTimeout(killTimer);
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed by the server */ }
      }
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await Deno.remove(dir, { recursive: true });
    }
  },
};

const secretsNeverEchoed: FaultCase = {
  name: "secrets in a mistyped or failing configuration never reach the output",
  covers: "8 (a mistyped secret in the config is echoed in the error message)",
  fast: true,
  async run() {
    // an applied registry, so that the runs get as far as connecting to the online store
    const fx = await creditModelFixture({ materialize: true });
    const secret = `S3cr3t-${crypto.randomUUID()}`;
    const closed = String(freePort());
    const base = {
      FEATURE_STORE__DATA_DIR: fx.config.data_dir,
      FEATURE_STORE__REGISTRY: fx.config.registry,
      FEATURE_STORE__MODEL_STORE: fx.config.model_store,
    };
    const variants: [string, Record<string, string>][] = [
      ["a mistyped password setting", {
        FEATURE_STORE__ONLINE_STORE__TYPE: "redis",
        FEATURE_STORE__ONLINE_STORE__PASWORD: secret,
      }],
      ["a password for an unreachable Redis", {
        FEATURE_STORE__ONLINE_STORE__TYPE: "redis",
        FEATURE_STORE__ONLINE_STORE__HOST: "127.0.0.1",
        FEATURE_STORE__ONLINE_STORE__PORT: closed,
        FEATURE_STORE__ONLINE_STORE__PASSWORD: secret,
      }],
      ["AWS credentials for an unreachable DynamoDB", {
        FEATURE_STORE__ONLINE_STORE__TYPE: "dynamodb",
        FEATURE_STORE__ONLINE_STORE__ENDPOINT: `http://127.0.0.1:${closed}`,
        FEATURE_STORE__ONLINE_STORE__REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "AKIAFAULTS",
        AWS_SECRET_ACCESS_KEY: secret,
        AWS_MAX_ATTEMPTS: "1",
      }],
    ];
    const dir = await Deno.makeTempDir({ prefix: "faults-secrets-" });
    const results: string[] = [];
    let echoed = 0, exitedOk = 0;
    try {
      for (const [what, env] of variants) {
        const out = await task("materialize.ts", ["2021-01-01", "2021-02-01"], {
          write: [dir, fx.config.data_dir, ROOT + "data"],
          env: { ...base, ...env },
        }).output();
        const text = decode(out.stdout) + decode(out.stderr);
        if (text.includes(secret)) echoed++;
        if (out.code === 0) exitedOk++;
        const firstLine = decode(out.stderr).split("\n").find((l) => l.trim()) ?? "";
        results.push(`${what}: exit ${out.code}${text.includes(secret) ? ", SECRET ECHOED" : ""}: ${firstLine}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    return {
      survived: echoed === 0 && exitedOk === 0,
      rowsLost: 0,
      fiveXX: 0,
      attempts: variants.length,
      detail: results.join(" | ").slice(0, 900),
    };
  },
};

const driftOnBadData: FaultCase = {
  name: "deno task drift on data it cannot compare: an error naming why, never 'no drift'",
  covers: "9 (no shared columns, only a header, text in numeric columns end with 'No dataset drift' and exit 0)",
  fast: true,
  async run() {
    const dir = await Deno.makeTempDir({ prefix: "faults-drift-" });
    const n = 500;
    const ref = new arrow.Table({
      amount: arrow.makeVector(Float64Array.from({ length: n }, (_, i) => 1000 + (i * 37) % 900)),
      rate: arrow.makeVector(Float64Array.from({ length: n }, (_, i) => 5 + (i * 13) % 20)),
    });
    await writeTable(`${dir}/reference.parquet`, ref);
    await writeTable(
      `${dir}/other_columns.parquet`,
      new arrow.Table({ x: arrow.makeVector(Float64Array.from({ length: n }, (_, i) => i)) }),
    );
    await Deno.writeTextFile(`${dir}/header_only.csv`, "amount,rate\n");
    await Deno.writeTextFile(
      `${dir}/text_in_numbers.csv`,
      "amount,rate\n" + Array.from({ length: n }, (_, i) => `${i % 7 ? 1000 + i : "n/a"},${i % 5 ? "high" : 7}`)
        .join("\n") +
        "\n",
    );
    const results: string[] = [];
    let silent = 0;
    try {
      for (const current of ["other_columns.parquet", "header_only.csv", "text_in_numbers.csv"]) {
        const out = await task("drift.ts", [
          ...["--reference", `${dir}/reference.parquet`, "--current", `${dir}/${current}`, "--out", `${dir}/out`],
        ], { write: [dir] }).output();
        const text = decode(out.stdout) + decode(out.stderr);
        // exit 1 with a reason; exit 0 ("no drift") or 3 ("drift") would be a verdict on data that was not compared
        const ok = out.code === 1 && !/no dataset drift/i.test(text);
        if (!ok) silent++;
        const reason = decode(out.stderr).split("\n").find((l) => l.trim()) ?? "";
        results.push(`${current}: exit ${out.code}: ${reason.slice(0, 160)}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    return { survived: silent === 0, rowsLost: 0, fiveXX: 0, attempts: 3, detail: results.join(" | ") };
  },
};

const scopedWrites: FaultCase = {
  name: "a task told to write outside its folders is refused, naming the setting; a benchmark child may not widen",
  covers: "10 (unscoped --allow-run/--allow-write for tests, bench may run deno and has --allow-ffi)",
  fast: true,
  async run() {
    const fx = await creditModelFixture({ materialize: false }); // sources to apply (a fresh clone has no data/)
    const outside = await Deno.makeTempDir({ prefix: "faults-outside-" });
    const registry = `${outside}/registry.json`;
    const results: string[] = [];
    let held = 0;
    try {
      // deno task apply through tools/run_task.sh, with the registry set outside every folder the task may write
      const applied = await new Deno.Command("deno", {
        args: ["task", "apply"],
        cwd: ROOT,
        env: {
          CI: "true",
          FEATURE_STORE__DATA_DIR: fx.config.data_dir,
          FEATURE_STORE__REGISTRY: registry,
          TOOLKIT_ALLOW_WRITE: "",
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = decode(applied.stdout) + decode(applied.stderr);
      const written = await Deno.stat(registry).then(() => true, () => false);
      const named = text.includes("TOOLKIT_ALLOW_WRITE");
      if (applied.code !== 0 && !written && named) held++;
      results.push(
        `apply with the registry outside: exit ${applied.code}, ${written ? "WROTE it" : "nothing written"}, ` +
          `${named ? "named TOOLKIT_ALLOW_WRITE" : `did not name the setting: ${text.slice(-300)}`}`,
      );
      // bench/child.sh, the bench task's one way to start processes, refuses -A and writes outside the checkout
      for (const args of [["--allow-all"], ["--allow-write=/etc"], ["--allow-run"], ["--allow-ffi"]]) {
        const out = await new Deno.Command(`${ROOT}bench/child.sh`, {
          args: ["deno", ...args, "bench/permissions_probe.ts"],
          cwd: ROOT,
          stdout: "piped",
          stderr: "piped",
        }).output();
        if (out.code === 2 && decode(out.stdout) === "") held++;
        results.push(`bench child ${args[0]}: exit ${out.code}`);
      }
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
    return { survived: held === 5, rowsLost: 0, fiveXX: 0, attempts: 5, detail: results.join(" | ") };
  },
};

/** The task-level cases, in the order `deno task faults` runs them. */
export const TASK_FAULT_CASES: readonly FaultCase[] = [
  halfOpenShutdown,
  secretsNeverEchoed,
  driftOnBadData,
  scopedWrites,
];
