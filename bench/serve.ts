/**
 * `deno task bench serve [--rate R] [--seconds S] [--warmup S] [--rounds N] [--halt-poll-ns NS] [--pin]`: p50/p99
 * latency of `POST /score` for one application under steady open-loop load (default 1,000 requests/s for 10 s,
 * bounded in time and count) from a loopback load generator in a process of its own (bench/serve_load.ts), against
 * `deno task serve` running in its own process with Redis as the online store and the champion MLP trained on
 * generated data. Requests are sent on schedule whatever the answers (open loop: a stalled server cannot slow the load
 * down); latency counts from each request's send, and `p99_from_schedule_ms` from its scheduled time (adding the load
 * generator's own lateness). Then the same load on `GET /health` (no features, no model): the floor of this machine.
 * `slow_answers_per_round` counts the answers over 1 ms of each phase and the runs they come in (see
 * {@link slowRuns}). The load runs `--rounds` times (default 3) against the same server; figures are medians over
 * rounds. Writes bench/results/serve.json.
 *
 * Idle CPUs: the machine's cpuidle driver and `guest_halt_poll_ns` are recorded (`cpu_idle`; see
 * lib/serving/cpu_idle.ts). `--halt-poll-ns NS` (root, KVM guests with the haltpoll governor) alternates rounds with
 * the machine's value and with NS, restores the machine's value after, and reports NS at the top level and the
 * machine's value under `machine_setting`.
 *
 * To look inside the server: `BENCH_SERVE_V8_FLAGS=--trace-gc` (V8 flags for the server, whose output is then shown)
 * and `BENCH_SERVE_CPU_PROF=DIR` (a CPU profile of the server).
 * @module
 */
import { intFlag, parseTaskArgs } from "../lib/cli/mod.ts";
import { generateData } from "../lib/credit/write_data.ts";
import { resolveConfig } from "../lib/feature_store/config.ts";
import { FeatureStore } from "../lib/feature_store/feature_store.ts";
import { creditTrainingSource, validateApplication } from "../lib/credit/model_spec.ts";
import { trainModel } from "../lib/model/train.ts";
import { readTable } from "../lib/io/mod.ts";
import { requireService } from "../lib/testing/services.ts";
import { readCpuIdle, setGuestHaltPollNs } from "../lib/serving/cpu_idle.ts";
import { benchChild, median, round, writeResults } from "./harness.ts";
import type { LoadPlan, LoadReport } from "./serve_load.ts";

const USAGE = "deno task bench serve [--rate R] [--seconds S] [--warmup S] [--rounds N] [--halt-poll-ns NS] [--pin]";
const AS_OF = "2021-09-01T00:00:00Z";

/**
 * Answers slower than 1 ms and the stalls behind them: runs of such answers in completion order (gaps of at most 3
 * answers). One stall of the machine delays every request sent during it, so a few long runs mean the tail comes
 * from pauses shared by many requests (the same pattern on `GET /health` points outside the handler).
 */
function slowRuns(latencies: readonly number[]): { over_1ms: number; runs: number; longest_run: number } {
  let over = 0, runs = 0, longest = 0, run = 0, last = -Infinity;
  latencies.forEach((ms, i) => {
    if (ms <= 1) return;
    over++;
    if (i - last > 3) {
      runs++;
      run = 0;
    }
    longest = Math.max(longest, ++run);
    last = i;
  });
  return { over_1ms: over, runs, longest_run: longest };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** One round's figures (latencies in ms). */
interface PhaseFigures {
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  p99_from_schedule_ms: number;
  max_ms: number;
  in_server_p50_ms: number;
  in_server_p99_ms: number;
  health_floor_p50_ms: number;
  health_floor_p99_ms: number;
  slow_answers: {
    score: ReturnType<typeof slowRuns> & { in_server_over_1ms: number };
    health: ReturnType<typeof slowRuns>;
  };
  requests: number;
  errors: number;
  error_statuses: Record<number, number>;
}

/** The figures of one load generator run. */
function phaseFigures({ score, floor }: LoadReport): PhaseFigures {
  const { latencies, fromSchedule, serverMs, errors, total, elapsed, statuses } = score;
  const slow = { // before sorting
    score: { ...slowRuns(latencies), in_server_over_1ms: serverMs.filter((ms) => ms > 1).length },
    health: slowRuns(floor.latencies),
  };
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const [lat, sched, server, health] = [latencies, fromSchedule, serverMs, floor.latencies].map(sorted);
  return {
    rps: round(lat.length / elapsed, 1),
    p50_ms: round(percentile(lat, 0.5), 3),
    p90_ms: round(percentile(lat, 0.9), 3),
    p99_ms: round(percentile(lat, 0.99), 3),
    p99_from_schedule_ms: round(percentile(sched, 0.99), 3),
    max_ms: round(lat.at(-1) ?? NaN, 3),
    in_server_p50_ms: round(percentile(server, 0.5), 3),
    in_server_p99_ms: round(percentile(server, 0.99), 3),
    health_floor_p50_ms: round(percentile(health, 0.5), 3),
    health_floor_p99_ms: round(percentile(health, 0.99), 3),
    slow_answers: slow,
    requests: total,
    errors,
    error_statuses: statuses,
  };
}

/** Medians over rounds of each latency figure, each round's p99, and the totals of errors and slow answers. */
function summarize(rounds: PhaseFigures[]) {
  const med = (pick: (f: PhaseFigures) => number) => round(median(rounds.map(pick)), 3);
  const sum = (pick: (f: PhaseFigures) => number) => rounds.reduce((a, f) => a + pick(f), 0);
  const statuses: Record<number, number> = {};
  for (const f of rounds) {
    for (const [k, n] of Object.entries(f.error_statuses)) statuses[Number(k)] = (statuses[Number(k)] ?? 0) + n;
  }
  return {
    rps: med((f) => f.rps),
    p50_ms: med((f) => f.p50_ms),
    p90_ms: med((f) => f.p90_ms),
    p99_ms: med((f) => f.p99_ms),
    p99_ms_rounds: rounds.map((f) => f.p99_ms),
    p99_from_schedule_ms: med((f) => f.p99_from_schedule_ms),
    max_ms: round(Math.max(...rounds.map((f) => f.max_ms)), 3),
    in_server_p50_ms: med((f) => f.in_server_p50_ms),
    in_server_p99_ms: med((f) => f.in_server_p99_ms),
    health_floor_p50_ms: med((f) => f.health_floor_p50_ms),
    health_floor_p99_ms: med((f) => f.health_floor_p99_ms),
    slow_answers_per_round: {
      score_over_1ms: med((f) => f.slow_answers.score.over_1ms),
      score_runs: med((f) => f.slow_answers.score.runs),
      score_longest_run: Math.max(...rounds.map((f) => f.slow_answers.score.longest_run)),
      score_in_server_over_1ms: med((f) => f.slow_answers.score.in_server_over_1ms),
      health_over_1ms: med((f) => f.slow_answers.health.over_1ms),
    },
    requests: sum((f) => f.requests),
    errors: sum((f) => f.errors),
    error_statuses: statuses,
  };
}

function describe(f: PhaseFigures): string {
  const slow = f.slow_answers;
  return `/score at ${f.rps} req/s: p50 ${f.p50_ms} ms, p99 ${f.p99_ms} ms, ${f.errors} errors of ${f.requests}; ` +
    `in-server p50 ${f.in_server_p50_ms} ms, p99 ${f.in_server_p99_ms} ms; GET /health floor p99 ` +
    `${f.health_floor_p99_ms} ms; answers over 1 ms: /score ${slow.score.over_1ms} in ${slow.score.runs} runs ` +
    `(${slow.score.in_server_over_1ms} over 1 ms in the server), /health ${slow.health.over_1ms}`;
}

function idleLabel(ns: number | null): string {
  return ns === null ? "no haltpoll governor" : `guest_halt_poll_ns=${ns}`;
}

/** Sets guest_halt_poll_ns through bench/child.sh (the bench task may not run `tee`, which could write anything). */
function setHaltPoll(ns: number): Promise<number> {
  return setGuestHaltPollNs(ns, {
    write: async (_path, text) => {
      const [command, args] = benchChild("halt-poll-ns", [text.trim()]);
      const out = await new Deno.Command(command, { args, stdout: "null", stderr: "piped" }).output();
      if (!out.success) {
        throw new Error(new TextDecoder().decode(out.stderr).trim() || `bench/child.sh exit ${out.code}`);
      }
    },
  });
}

/** Runs the load generator (bench/serve_load.ts) in a process of its own: the plan on stdin, its report on stdout. */
async function runLoad([command, args]: [string, string[]], plan: LoadPlan): Promise<LoadReport> {
  const child = new Deno.Command(command, { args, stdin: "piped", stdout: "piped", stderr: "inherit" }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(plan)));
  await writer.close();
  const output = await child.output();
  if (!output.success) throw new Error(`The load generator (bench/serve_load.ts) exited with code ${output.code}`);
  return JSON.parse(new TextDecoder().decode(output.stdout)) as LoadReport;
}

async function waitForHealth(base: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const r = await fetch(`${base}/health`);
      await r.body?.cancel();
      if (r.ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Server at ${base} did not answer /health within ${timeoutMs} ms`);
}

/** Entry point (see the module doc). */
export async function main(args: string[]): Promise<void> {
  const { values } = parseTaskArgs(args, {
    usage: USAGE,
    options: {
      rate: { type: "string" },
      seconds: { type: "string" },
      warmup: { type: "string" },
      rounds: { type: "string" },
      "halt-poll-ns": { type: "string" },
      pin: { type: "boolean" },
    },
  });
  const rate = intFlag(values, "rate", { min: 1, max: 20_000, fallback: 1000 });
  const seconds = intFlag(values, "seconds", { min: 1, max: 120, fallback: 10 });
  const warmup = intFlag(values, "warmup", { min: 0, max: 60, fallback: 3 });
  const rounds = intFlag(values, "rounds", { min: 1, max: 50, fallback: 3 });
  // --halt-poll-ns: rounds alternate the machine's guest_halt_poll_ns and this one (set as root, restored after)
  const haltPollNs = values["halt-poll-ns"] === undefined
    ? undefined
    : intFlag(values, "halt-poll-ns", { min: 0, max: 10_000_000, fallback: 0 });
  if (haltPollNs !== undefined && readCpuIdle().guestHaltPollNs === null) {
    throw new Error(`Flag "--halt-poll-ns" needs the haltpoll cpuidle governor (KVM guests); this machine has none`);
  }
  // --pin: the server on the last core, the load generator on the first (taskset), so they never share one
  const cores = navigator.hardwareConcurrency;
  const pin = values.pin === true;
  if (pin && cores < 2) throw new Error(`Flag "--pin" needs two cores; this machine has ${cores}`);
  const pinned = (core: number, args: string[]) => benchChild("deno", args, pin ? core : undefined);
  const redis = await requireService("redis");
  if (!redis.available) throw new Error(`bench serve needs Redis: ${redis.reason}`);
  const dir = new URL("./.data/serve", import.meta.url).pathname;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  const settings = {
    project: "bench_serve",
    data_dir: `${dir}/data`,
    registry: `${dir}/registry.json`,
    model_store: `${dir}/models`,
    online_store: { type: "redis", host: redis.host, port: redis.port },
  };
  console.log("Preparing: generated data, materialization to Redis, MLP champion ...");
  await generateData({ rows: 20_000, seed: 42, out: settings.data_dir });
  const config = resolveConfig({ fromFile: settings });
  const source = creditTrainingSource("generated", { dataDir: config.data_dir });
  const store = await FeatureStore.open({ config, repo: source.repo });
  await store.apply({ log: () => {} });
  await store.materialize({ start: new Date("2019-01-01T00:00:00Z"), end: new Date(AS_OF) });
  await trainModel({ name: "credit_default", source, store, root: config.model_store, charts: false });

  // applications: the generated loans, so the online store knows most applicants
  const loans = await readTable(`${config.data_dir}/loan_table.parquet`);
  const bodies: string[] = [];
  for (let i = 0; i < loans.numRows && bodies.length < 5000; i++) {
    const l = loans.get(i)!.toJSON();
    const plain = Object.fromEntries(Object.entries(l).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]));
    if (validateApplication(plain).length > 0) continue; // out-of-range rows would be 422s, not decisions
    bodies.push(JSON.stringify({
      zipcode: Number(l.zipcode),
      dob_ssn: l.dob_ssn,
      person_age: Number(l.person_age),
      person_income: Number(l.person_income),
      person_home_ownership: l.person_home_ownership,
      person_emp_length: Number(l.person_emp_length),
      loan_intent: l.loan_intent,
      loan_amnt: Number(l.loan_amnt),
      loan_int_rate: Number(l.loan_int_rate),
    }));
  }

  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const env: Record<string, string> = {
    FEATURE_STORE__PROJECT: settings.project,
    FEATURE_STORE__DATA_DIR: settings.data_dir,
    FEATURE_STORE__REGISTRY: settings.registry,
    FEATURE_STORE__MODEL_STORE: settings.model_store,
    FEATURE_STORE__ONLINE_STORE__TYPE: "redis",
    FEATURE_STORE__ONLINE_STORE__HOST: redis.host,
    FEATURE_STORE__ONLINE_STORE__PORT: String(redis.port),
  };
  const [serverCommand, serverArgs] = pinned(cores - 1, [
    "--allow-read",
    "--allow-write=data,reports,.demo",
    "--allow-net",
    "--allow-env",
    "--allow-sys",
    "--allow-run=cat",
    ...(Deno.env.get("BENCH_SERVE_V8_FLAGS") ? [`--v8-flags=${Deno.env.get("BENCH_SERVE_V8_FLAGS")}`] : []),
    ...(Deno.env.get("BENCH_SERVE_CPU_PROF")
      ? ["--cpu-prof", `--cpu-prof-dir=${Deno.env.get("BENCH_SERVE_CPU_PROF")}`]
      : []),
    new URL("../tasks/serve.ts", import.meta.url).pathname,
    "--port",
    String(port),
    "--as-of",
    AS_OF,
  ]);
  const serverProcess = new Deno.Command(serverCommand, {
    args: serverArgs,
    env,
    // BENCH_SERVE_V8_FLAGS (e.g. --trace-gc) may print to stdout: shown then
    stdout: Deno.env.get("BENCH_SERVE_V8_FLAGS") ? "inherit" : "null",
    stderr: "inherit",
  }).spawn();
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(base, 60_000);
    const plan: LoadPlan = {
      port,
      requests: bodies.map((b) =>
        `POST /score HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n` +
        `content-length: ${new TextEncoder().encode(b).length}\r\n\r\n${b}`
      ),
      floorRequest: `GET /health HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`,
      rate,
      seconds,
      warmupSeconds: warmup,
      connections: 32,
    };
    const loadCommand = pinned(0, [
      "--allow-net=127.0.0.1",
      new URL("./serve_load.ts", import.meta.url).pathname,
    ]);
    // rounds alternate the machine's idle setting and --halt-poll-ns (when given), so both meet the same spells
    const machineSetting = readCpuIdle();
    const settings: (number | null)[] = haltPollNs === undefined ? [null] : [null, haltPollNs];
    const byRound = new Map<number | null, PhaseFigures[]>(settings.map((s) => [s, []]));
    try {
      for (let round = 1; round <= rounds; round++) {
        for (const setting of settings) {
          if (setting !== null) await setHaltPoll(setting);
          const figures = phaseFigures(await runLoad(loadCommand, plan));
          if (setting !== null) await setHaltPoll(machineSetting.guestHaltPollNs!);
          byRound.get(setting)!.push(figures);
          console.log(
            `round ${round}/${rounds}, ${idleLabel(setting ?? machineSetting.guestHaltPollNs)}: ` +
              describe(figures),
          );
        }
      }
    } finally {
      if (haltPollNs !== undefined) await setHaltPoll(machineSetting.guestHaltPollNs!);
    }
    const summary = (setting: number | null) => ({
      cpu_idle: { driver: machineSetting.driver, guest_halt_poll_ns: setting ?? machineSetting.guestHaltPollNs },
      ...summarize(byRound.get(setting)!),
    });
    const chosen = summary(haltPollNs ?? null);
    const figures = {
      ...chosen,
      target_rps: rate,
      seconds,
      rounds,
      ...(haltPollNs === undefined ? {} : { machine_setting: summary(null) }),
      online_store: "redis",
      model: "champion MLP (3 members) trained on generated data",
      load_generator: "open loop in its own process (bench/serve_load.ts; sends paced by a worker thread with " +
        "Atomics.wait, not setTimeout) over 32 keep-alive HTTP/1.1 connections (raw TCP); latency from each " +
        "request's send (p99_from_schedule_ms: from its scheduled time); figures are medians over rounds" +
        (pin ? `; pinned with taskset: load generator on core 0, server on core ${cores - 1}` : "; not pinned"),
    };
    const path = await writeResults("serve", figures);
    const line = (label: string, f: ReturnType<typeof summary>) =>
      `${label}: /score p50 ${f.p50_ms} ms, p99 ${f.p99_ms} ms (rounds ${f.p99_ms_rounds.join(", ")}), ` +
      `in-server p99 ${f.in_server_p99_ms} ms, /health floor p99 ${f.health_floor_p99_ms} ms`;
    if (haltPollNs !== undefined) {
      console.log(line(`Machine setting (${idleLabel(machineSetting.guestHaltPollNs)})`, figures.machine_setting!));
    }
    console.log(
      `${line(`Medians of ${rounds} rounds, ${idleLabel(chosen.cpu_idle.guest_halt_poll_ns)}`, chosen)} -> ${path}`,
    );
  } finally {
    serverProcess.kill("SIGTERM");
    await serverProcess.status;
    await store.onlineStore().teardown([...store.repo.views]); // remove the bench's keys from Redis
    await store.close();
  }
}
