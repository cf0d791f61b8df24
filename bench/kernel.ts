/**
 * `deno task bench kernel [--repeats R] [--processes P] [--rows N]`: the WebAssembly kernel of batch reason codes
 * (lib/model/variant_kernel.ts), assembled by wabt from its WAT text, against the binary the former hand-written
 * assembler produced and against the plain JavaScript loop, on one scoring chunk of realistic size (2048 rows, an MLP
 * ensemble of 3 members with 64 first-layer units, 48 encoded columns in 12 feature groups: 26,624 variants). The
 * alternatives are run alternately, `R` times each (31 by default) after a warm-up; medians and ratios are reported.
 *
 * - `kernel_call_ms`: the module's `variants` call alone, inputs already in memory, for wabt's binary and the former
 *   one (bench/kernel_hand_assembled.wasm: the bytes the hand assembler of commit 55f5a8e produced, frozen here only
 *   for this comparison); their instructions are compared too (wabt's disassembly of both).
 * - `run_ms`: `VariantKernel.run` (copies of the inputs included) against the plain JavaScript loop.
 * - `one_time_ms`, in `P` fresh processes (medians): importing and initialising wabt, parsing and assembling the
 *   kernel's text, compiling the module, and `VariantKernel.create` in all (the first call in a process).
 *
 * Writes bench/results/kernel.json.
 * @module
 */
import { intFlag, parseTaskArgs } from "../lib/cli/mod.ts";
import {
  KERNEL_WAT,
  kernelModuleBytes,
  type VariantInput,
  VariantKernel,
  variantsInJavaScript,
} from "../lib/model/variant_kernel.ts";
import { seededRandom } from "../lib/numeric/random.ts";
import { benchChild, median, round, writeResults } from "./harness.ts";

const USAGE = "deno task bench kernel [--repeats R] [--processes P] [--rows N]";
type KernelFn = (...args: number[]) => void;

/**
 * A module's `variants` function on its own memory with the chunk's inputs copied in once (the layout
 * `VariantKernel.run` uses); returns the call and a reader of its output.
 */
function rawKernel(
  bytes: Uint8Array<ArrayBuffer>,
  input: VariantInput,
): { call: () => void; read: () => Float32Array[] } {
  const { width, units, members } = input;
  const H = units / members, V = input.rowsOf.length;
  const align = (b: number) => (b + 15) & ~15;
  const parts = [
    input.W,
    input.base,
    input.groupStart,
    input.groupFlat,
    input.first,
    input.x,
    input.rowsOf,
    input.groupsOf,
  ];
  const at: number[] = [];
  let end = 0;
  for (const p of parts) {
    at.push(end);
    end = align(end + p.byteLength);
  }
  const scratch = end;
  end = align(end + 2 * width * 4);
  const out = end;
  end += members * V * H * 4;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(end / 65536) });
  const fn = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.variants as KernelFn;
  parts.forEach((p, i) =>
    new Uint8Array(memory.buffer, at[i], p.byteLength).set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength))
  );
  const [wAt, baseAt, gsAt, gfAt, firstAt, xAt, rowsAt, groupsAt] = at;
  const relu = input.relu ? 1 : 0;
  return {
    call: () =>
      fn(firstAt, xAt, baseAt, wAt, rowsAt, groupsAt, gsAt, gfAt, out, V, width, units, H, members, relu, scratch),
    read: () =>
      Array.from({ length: members }, (_, m) => new Float32Array(memory.buffer, out + m * V * H * 4, V * H).slice()),
  };
}

/** One scoring chunk: `n` rows, every row with each group set to the baseline, and the row itself. */
function chunk(n: number): VariantInput {
  const r = seededRandom(18);
  const members = 3, H = 64, width = 48, groups = 12;
  const units = members * H;
  const x = Float32Array.from({ length: n * width }, () => (r() < 0.4 ? 0 : r()));
  const base = Float32Array.from({ length: width }, () => (r() < 0.4 ? 0 : r()));
  const groupStart = Int32Array.from({ length: groups + 1 }, (_, g) => g * (width / groups));
  const groupFlat = Int32Array.from({ length: width }, (_, c) => c);
  return {
    first: Float32Array.from({ length: n * units }, () => r() * 2 - 1),
    x,
    width,
    base,
    W: Float32Array.from({ length: width * units }, () => (r() * 2 - 1) / 4),
    units,
    members,
    relu: true,
    rowsOf: Int32Array.from({ length: n * (groups + 1) }, (_, i) => Math.floor(i / (groups + 1))),
    groupsOf: Int32Array.from({ length: n * (groups + 1) }, (_, i) => (i % (groups + 1)) - 1),
    groupStart,
    groupFlat,
  };
}

/**
 * One-time costs in this (fresh) process, printed as JSON: `create`, the first `VariantKernel.create` and the second;
 * `parts`, its steps one by one (wabt's import and start, assembling the text, compiling the module).
 */
async function child(kind: string): Promise<void> {
  let t = performance.now();
  if (kind === "create") {
    await VariantKernel.create();
    const firstMs = performance.now() - t;
    t = performance.now();
    await VariantKernel.create();
    console.log(JSON.stringify({ firstMs, laterMs: performance.now() - t }));
    return;
  }
  const wabt = await (await import("wabt")).default();
  const loadMs = performance.now() - t;
  t = performance.now();
  const parsed = wabt.parseWat("variant_kernel.wat", KERNEL_WAT, { simd: true });
  const bytes = parsed.toBinary({}).buffer;
  parsed.destroy();
  const assembleMs = performance.now() - t;
  t = performance.now();
  new WebAssembly.Module(Uint8Array.from(bytes));
  console.log(JSON.stringify({ loadMs, assembleMs, compileMs: performance.now() - t }));
}

/** Largest absolute difference between two results. */
function worst(a: Float32Array[], b: Float32Array[]): number {
  let w = 0;
  a.forEach((m, i) => m.forEach((v, j) => (w = Math.max(w, Math.abs(v - b[i][j])))));
  return w;
}

/** The two modules' instructions, compared on wabt's disassembly. */
async function compareInstructions(hand: Uint8Array, ours: Uint8Array): Promise<string> {
  const wabt = await (await import("wabt")).default();
  const text = (b: Uint8Array) => {
    const m = wabt.readWasm(b, { simd: true });
    const lines = m.toText({ foldExprs: false }).split("\n").map((l) => l.trim());
    m.destroy();
    return lines;
  };
  const a = text(hand), b = text(ours);
  // the former's listing with one run of lines taken out, where the two first differ
  let at = 0;
  while (at < b.length && a[at] === b[at]) at++;
  const extra = a.slice(at, at + a.length - b.length);
  const rest = [...a.slice(0, at), ...a.slice(at + extra.length)];
  if (a.length === b.length && at === a.length) return "identical";
  if (rest.length === b.length && rest.every((l, i) => l === b[i])) {
    return `identical but for ${extra.length} instructions the former has and wabt's has not: ${extra.join("; ")}`;
  }
  return "different";
}

/** Runs the benchmark; see the module doc. */
export async function main(args: string[]): Promise<void> {
  const { values } = parseTaskArgs(args, {
    usage: USAGE,
    options: {
      repeats: { type: "string" },
      processes: { type: "string" },
      rows: { type: "string" },
      child: { type: "string" },
    },
  });
  if (values.child) return await child(String(values.child));
  const repeats = intFlag(values, "repeats", { min: 1, fallback: 31 });
  const processes = intFlag(values, "processes", { min: 1, fallback: 5 });
  const rows = intFlag(values, "rows", { min: 16, fallback: 2048 });
  const log = (line: string) => console.log(line);

  // one-time costs, each in a fresh process, the two kinds alternately
  const once: Record<string, Record<string, number>[]> = { create: [], parts: [] };
  for (let p = 0; p < processes; p++) {
    for (const kind of ["create", "parts"]) {
      const [command, childArgs] = benchChild("deno", [
        "--allow-read",
        new URL(import.meta.url).pathname,
        `--child=${kind}`,
      ]);
      const out = await new Deno.Command(command, { args: childArgs, stdout: "piped", stderr: "piped" }).output();
      if (!out.success) throw new Error(`The ${kind} run failed: ${new TextDecoder().decode(out.stderr).slice(-2000)}`);
      once[kind].push(JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!));
    }
  }
  const onceMs = (kind: string, key: string) => round(median(once[kind].map((o) => o[key])), 2);
  const oneTime = {
    processes,
    first_create: onceMs("create", "firstMs"),
    later_create: onceMs("create", "laterMs"),
    wabt_import_and_start: onceMs("parts", "loadMs"),
    assemble_kernel_text: onceMs("parts", "assembleMs"),
    compile_module: onceMs("parts", "compileMs"),
  };
  log(`one-time costs (ms, median of ${processes} processes): ${JSON.stringify(oneTime)}`);

  const handBytes = await Deno.readFile(new URL("./kernel_hand_assembled.wasm", import.meta.url));
  const wabtBytes = await kernelModuleBytes();
  const instructions = await compareInstructions(handBytes, wabtBytes);
  log(`instructions against the hand-assembled binary: ${instructions}`);

  const input = chunk(rows);
  const V = input.rowsOf.length;
  const kernel = (await VariantKernel.create())!;
  const hand = rawKernel(handBytes, input), ours = rawKernel(wabtBytes, input);
  const want = variantsInJavaScript(input);
  hand.call();
  ours.call();
  const check = {
    wabt_run: worst(kernel.run(input), want),
    wabt_call: worst(ours.read(), want),
    hand_assembled_call: worst(hand.read(), want),
  };
  const times: Record<string, number[]> = { wabt_call: [], hand_assembled_call: [], wabt_run: [], javascript: [] };
  const time = (name: string, f: () => unknown) => {
    const t = performance.now();
    f();
    times[name].push(performance.now() - t);
  };
  // warm-up: V8 tiers WebAssembly and JavaScript up after their first calls
  for (let r = 0; r < 3; r++) {
    ours.call();
    hand.call();
    kernel.run(input);
    variantsInJavaScript(input);
  }
  for (let r = 0; r < repeats; r++) {
    time("wabt_call", ours.call);
    time("hand_assembled_call", hand.call);
    time("wabt_run", () => kernel.run(input));
    time("javascript", () => variantsInJavaScript(input));
  }
  const ms = (k: string) => round(median(times[k]), 2);
  const figures = {
    command: `deno task bench kernel ${args.join(" ")}`.trim(),
    work: `first-layer activations of ${V} variants (${rows} rows x 13: each of 12 groups at the baseline, and the ` +
      "row itself), 3 members x 64 units, 48 encoded columns, relu",
    repeats,
    kernel_call_ms: { wabt: ms("wabt_call"), hand_assembled: ms("hand_assembled_call") },
    wabt_over_hand_assembled: round(median(times.wabt_call) / median(times.hand_assembled_call), 3),
    run_ms: { wabt_kernel: ms("wabt_run"), javascript: ms("javascript") },
    us_per_variant: {
      wabt_kernel: round((median(times.wabt_run) * 1000) / V, 4),
      javascript: round((median(times.javascript) * 1000) / V, 4),
    },
    javascript_over_wabt_kernel: round(median(times.javascript) / median(times.wabt_run), 2),
    largest_difference_from_javascript: check,
    instructions_vs_hand_assembled: instructions,
    module_bytes: { wabt: wabtBytes.length, hand_assembled: handBytes.length },
    one_time_ms: oneTime,
    runs_ms: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, v.map((x) => round(x, 2))])),
  };
  const path = await writeResults("kernel", figures);
  log(
    `${V} variants: kernel call ${ms("wabt_call")} ms (wabt) vs ${ms("hand_assembled_call")} ms (hand-assembled); ` +
      `VariantKernel.run ${ms("wabt_run")} ms vs JavaScript ${ms("javascript")} ms ` +
      `(${figures.javascript_over_wabt_kernel}x) -> ${path}`,
  );
}

if (import.meta.main) await main(Deno.args);
