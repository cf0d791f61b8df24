/**
 * A small WebAssembly SIMD kernel for the hot loop of batch reason codes: the first dense layer's activations of many
 * "variants" (an applicant with one feature group set to the baseline applicant's values).
 *
 * For variant `v` of row `r` with group `g`, for every first-layer unit `u`:
 * `h[u] = act(first[r, u] + sum over the group's columns c where x[r, c] != baseline[c] of (baseline[c] - x[r, c]) * W[c, u])`
 * with `act` relu or linear, written per ensemble member into `out[m]` (`V x H`, members side by side in `first` and
 * `W`). Plain JavaScript does this at ~2.5 µs per variant (bounds checks, scalar floats, a mispredicted branch per
 * relu); four lanes at a time and no checks it is ~20x faster.
 *
 * The module is WebAssembly text ({@link KERNEL_WAT}, and {@link deepModuleWat} for the layers after the first),
 * assembled by wabt (the WebAssembly Binary Toolkit) once per process on the first {@link VariantKernel.create};
 * `WebAssembly.validate` and the tests against the JavaScript loop guard it.
 *
 * @example
 * ```ts
 * import { VariantKernel } from "./variant_kernel.ts";
 * const kernel = await VariantKernel.create(); // null where WebAssembly SIMD is unavailable
 * const hidden = kernel!.run({ first, x, width, base, W, units, members: 3, relu: true, rowsOf, groupsOf, groupStart, groupFlat });
 * ```
 * @module
 */

/**
 * The variants kernel (see the module doc) in WebAssembly text: imports `env.memory`, exports `variants`. Pointers
 * are byte offsets into memory; every count is an i32.
 */
export const KERNEL_WAT = `(module
  (import "env" "memory" (memory 1))
  ;; for v < nv:
  ;;   r = rows[v]; g = groups[v]
  ;;   k = 0; for q in gstart[g] .. gstart[g + 1]: c = gflat[q]; d = base[c] - x[r, c]
  ;;     if d != 0: scratch[k] = d; scratch[width + k] = address of W[c, 0]; k++
  ;;   for mm < m, for u < h step 4 (four lanes):
  ;;     s = first[r, mm*h + u]; for t < k: s += scratch[t] * W[c_t, mm*h + u]
  ;;     out[mm, v, u] = relu ? max(s, 0) : s
  (func (export "variants")
    (param $first i32) ;; f32 [n x units]: first-layer pre-activations of the rows (bias included)
    (param $x i32) ;; f32 [n x width]: encoded rows
    (param $base i32) ;; f32 [width]: the baseline applicant
    (param $w i32) ;; f32 [width x units]: first-layer kernel, members side by side
    (param $rows i32) ;; i32 [nv]: row of each variant
    (param $groups i32) ;; i32 [nv]: group of each variant (-1 = none)
    (param $gstart i32) ;; i32 [G + 1]: start of each group's columns in gflat
    (param $gflat i32) ;; i32: the groups' columns
    (param $out i32) ;; f32 [m x nv x h]
    (param $nv i32) ;; number of variants
    (param $width i32) ;; encoded columns
    (param $units i32) ;; m x h
    (param $h i32) ;; first-layer units of one member (a multiple of 4)
    (param $m i32) ;; members
    (param $relu i32) ;; 1 = relu, 0 = linear
    (param $scratch i32) ;; 2 x width words: deltas (f32) then kernel row addresses (i32)
    (local $v i32) (local $r i32) (local $g i32) (local $q i32) (local $qEnd i32) (local $k i32) (local $c i32)
    (local $d f32)
    (local $mm i32) (local $u i32) (local $t i32)
    (local $zBase i32) ;; address of first[r, mm*h]
    (local $oBase i32) ;; address of out[mm, v, 0]
    (local $colOff i32) ;; mm*h*4
    (local $s v128)
    (local.set $v (i32.const 0))
    (block $variants_done (loop $variants
      (br_if $variants_done (i32.ge_s (local.get $v) (local.get $nv)))
      (local.set $r (i32.load (i32.add (local.get $rows) (i32.shl (local.get $v) (i32.const 2)))))
      (local.set $g (i32.load (i32.add (local.get $groups) (i32.shl (local.get $v) (i32.const 2)))))
      ;; collect the group's differing columns
      (local.set $k (i32.const 0))
      (if (i32.ge_s (local.get $g) (i32.const 0)) (then
        (local.set $q (i32.load (i32.add (local.get $gstart) (i32.shl (local.get $g) (i32.const 2)))))
        (local.set $qEnd (i32.load offset=4 (i32.add (local.get $gstart) (i32.shl (local.get $g) (i32.const 2)))))
        (block $columns_done (loop $columns
          (br_if $columns_done (i32.ge_s (local.get $q) (local.get $qEnd)))
          (local.set $c (i32.load (i32.add (local.get $gflat) (i32.shl (local.get $q) (i32.const 2)))))
          ;; d = base[c] - x[r*width + c]; f32.ne is true for NaN too, as d !== 0 in JavaScript
          (if (f32.ne
                (local.tee $d (f32.sub
                  (f32.load (i32.add (local.get $base) (i32.shl (local.get $c) (i32.const 2))))
                  (f32.load (i32.add (local.get $x)
                    (i32.shl (i32.add (i32.mul (local.get $r) (local.get $width)) (local.get $c)) (i32.const 2))))))
                (f32.const 0))
            (then
              (f32.store (i32.add (local.get $scratch) (i32.shl (local.get $k) (i32.const 2))) (local.get $d))
              (i32.store
                (i32.add (local.get $scratch) (i32.shl (i32.add (local.get $width) (local.get $k)) (i32.const 2)))
                (i32.add (local.get $w) (i32.shl (i32.mul (local.get $c) (local.get $units)) (i32.const 2))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (br $columns)))))
      ;; every member's units, four lanes at a time
      (local.set $mm (i32.const 0))
      (block $members_done (loop $members
        (br_if $members_done (i32.ge_s (local.get $mm) (local.get $m)))
        (local.set $colOff (i32.shl (i32.mul (local.get $mm) (local.get $h)) (i32.const 2)))
        (local.set $zBase (i32.add
          (i32.add (local.get $first) (i32.shl (i32.mul (local.get $r) (local.get $units)) (i32.const 2)))
          (local.get $colOff)))
        (local.set $oBase (i32.add (local.get $out)
          (i32.shl (i32.mul (i32.add (i32.mul (local.get $mm) (local.get $nv)) (local.get $v)) (local.get $h))
            (i32.const 2))))
        (local.set $u (i32.const 0))
        (block $lanes_done (loop $lanes
          (br_if $lanes_done (i32.ge_s (local.get $u) (local.get $h)))
          (local.set $s (v128.load (i32.add (local.get $zBase) (i32.shl (local.get $u) (i32.const 2)))))
          (local.set $t (i32.const 0))
          (block $terms_done (loop $terms
            (br_if $terms_done (i32.ge_s (local.get $t) (local.get $k)))
            ;; s += splat(d_t) * W[c_t, mm*h + u .. + 4]
            (local.set $s (f32x4.add (local.get $s) (f32x4.mul
              (f32x4.splat (f32.load (i32.add (local.get $scratch) (i32.shl (local.get $t) (i32.const 2)))))
              (v128.load (i32.add
                (i32.add
                  (i32.load (i32.add (local.get $scratch)
                    (i32.shl (i32.add (local.get $width) (local.get $t)) (i32.const 2))))
                  (local.get $colOff))
                (i32.shl (local.get $u) (i32.const 2)))))))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $terms)))
          (if (local.get $relu) (then (local.set $s (f32x4.max (local.get $s) (v128.const i32x4 0 0 0 0)))))
          (v128.store (i32.add (local.get $oBase) (i32.shl (local.get $u) (i32.const 2))) (local.get $s))
          (local.set $u (i32.add (local.get $u) (i32.const 4)))
          (br $lanes)))
        (local.set $mm (i32.add (local.get $mm) (i32.const 1)))
        (br $members)))
      (local.set $v (i32.add (local.get $v) (i32.const 1)))
      (br $variants)))))
`;

/** wabt's module (the `wabt` npm package), loaded once per process. */
type Wabt = Awaited<ReturnType<typeof import("wabt")>>;

let loading: Promise<{ wabt: Wabt; variants: WebAssembly.Module | null }> | null = null;
/** Compiled deep-layer modules by their text (models of one shape share one). */
const deepModules = new Map<string, WebAssembly.Module>();

/** Assembles WebAssembly text (SIMD enabled) into a binary; throws with wabt's message when the text is wrong. */
function assemble(wabt: Wabt, name: string, text: string): Uint8Array<ArrayBuffer> {
  const module = wabt.parseWat(name, text, { simd: true });
  try {
    module.validate();
    return Uint8Array.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** Loads wabt and compiles the variants kernel once per process (null: no WebAssembly SIMD here). */
function load(): Promise<{ wabt: Wabt; variants: WebAssembly.Module | null }> {
  loading ??= (async () => {
    const wabt = await (await import("wabt")).default();
    const bytes = assemble(wabt, "variant_kernel.wat", KERNEL_WAT);
    return { wabt, variants: WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null };
  })();
  return loading;
}

/**
 * The kernel module's bytes ({@link KERNEL_WAT} assembled by wabt): imports `env.memory`, exports `variants`.
 *
 * @example
 * ```ts
 * WebAssembly.validate(await kernelModuleBytes()); // true where WebAssembly SIMD is available
 * ```
 */
export async function kernelModuleBytes(): Promise<Uint8Array<ArrayBuffer>> {
  return assemble((await load()).wabt, "variant_kernel.wat", KERNEL_WAT);
}

/** A dense layer after the first, as the deep-layer kernel takes it (row-major `inputs x units` kernel). */
export interface DeepLayer {
  kernel: Float32Array;
  bias: Float32Array;
  inputs: number;
  units: number;
  activation: string;
}

/**
 * Whether {@link deepModuleWat} can run these layers (the same for every member): relu or linear hidden layers of a
 * multiple of 4 units, and a last layer of one linear output.
 *
 * @example
 * ```ts
 * deepSupported([{ inputs: 64, units: 32, activation: "relu" }, { inputs: 32, units: 1, activation: "linear" }]); // true
 * ```
 */
export function deepSupported(layers: readonly Pick<DeepLayer, "inputs" | "units" | "activation">[]): boolean {
  if (layers.length === 0) return false;
  const last = layers[layers.length - 1];
  if (last.units !== 1 || last.activation !== "linear") return false;
  return layers.slice(0, -1).every((l) => l.units % 4 === 0 && (l.activation === "relu" || l.activation === "linear"));
}

/**
 * `out[v, :] = act(b + sum over k in order of in[v, k] * w[k, :])` for `nv` rows, `K x N` weights (N a multiple of 4),
 * in blocks of 32 outputs held in registers: the same sums in the same order as XNNPACK's f32 GEMM (bias first, then
 * k by k), so the results equal tfjs's wasm `matMul`.
 */
function denseWat(name: string, K: number, N: number, relu: boolean): string {
  const blocks: string[] = [];
  for (let c = 0; c * 32 < N; c++) {
    const lanes = Math.min(8, (N - c * 32) / 4);
    const js = Array.from({ length: lanes }, (_, j) => j);
    const offset = (j: number) => (c * 32 + 4 * j) * 4;
    const zero = "(v128.const i32x4 0 0 0 0)";
    blocks.push(`      ;; outputs ${c * 32} .. ${c * 32 + 4 * lanes - 1}: acc_j = b[4j .. 4j + 4], then k by k
${js.map((j) => `      (local.set $acc${j} (v128.load offset=${offset(j)} (local.get $b)))`).join("\n")}
      (local.set $wRow (local.get $w))
      (local.set $k (i32.const 0))
      (block $k_done${c} (loop $k_next${c}
        (br_if $k_done${c} (i32.ge_s (local.get $k) (i32.const ${K})))
        (local.set $s (f32x4.splat (f32.load (i32.add (local.get $inRow) (i32.shl (local.get $k) (i32.const 2))))))
${
      js.map((j) =>
        `        (local.set $acc${j} (f32x4.add (local.get $acc${j}) ` +
        `(f32x4.mul (local.get $s) (v128.load offset=${offset(j)} (local.get $wRow)))))`
      ).join("\n")
    }
        (local.set $wRow (i32.add (local.get $wRow) (i32.const ${N * 4})))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $k_next${c})))
${
      js.map((j) =>
        `      (v128.store offset=${offset(j)} (local.get $outRow) ` +
        (relu ? `(f32x4.max (local.get $acc${j}) ${zero}))` : `(local.get $acc${j}))`)
      ).join("\n")
    }`);
  }
  const accs = Array.from({ length: Math.min(8, N / 4) }, (_, j) => `(local $acc${j} v128)`).join(" ");
  return `  ;; ${K} -> ${N} ${relu ? "relu" : "linear"}: out[v, :] = act(b + sum over k of in[v, k] * w[k, :])
  (func (export "${name}") (param $in i32) (param $nv i32) (param $w i32) (param $b i32) (param $out i32)
    (local $v i32) (local $k i32) (local $inRow i32) (local $outRow i32) (local $wRow i32)
    (local $s v128) ${accs}
    (local.set $v (i32.const 0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_s (local.get $v) (local.get $nv)))
      (local.set $inRow (i32.add (local.get $in) (i32.mul (local.get $v) (i32.const ${K * 4}))))
      (local.set $outRow (i32.add (local.get $out) (i32.mul (local.get $v) (i32.const ${N * 4}))))
${blocks.join("\n")}
      (local.set $v (i32.add (local.get $v) (i32.const 1)))
      (br $rows))))`;
}

/** `out[v] = b + sum over k in order of in[v, k] * w[k]` (the single linear output), in float32. Params as dense. */
function dotWat(name: string, K: number): string {
  return `  ;; ${K} -> 1 linear: out[v] = b + sum over k of in[v, k] * w[k]
  (func (export "${name}") (param $in i32) (param $nv i32) (param $w i32) (param $b i32) (param $out i32)
    (local $v i32) (local $k i32) (local $inRow i32) (local $acc f32)
    (local.set $v (i32.const 0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_s (local.get $v) (local.get $nv)))
      (local.set $inRow (i32.add (local.get $in) (i32.mul (local.get $v) (i32.const ${K * 4}))))
      (local.set $acc (f32.load (local.get $b)))
      (local.set $k (i32.const 0))
      (block $k_done (loop $k_next
        (br_if $k_done (i32.ge_s (local.get $k) (i32.const ${K})))
        (local.set $acc (f32.add (local.get $acc) (f32.mul
          (f32.load (i32.add (local.get $inRow) (i32.shl (local.get $k) (i32.const 2))))
          (f32.load (i32.add (local.get $w) (i32.shl (local.get $k) (i32.const 2)))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $k_next)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $v) (i32.const 2))) (local.get $acc))
      (local.set $v (i32.add (local.get $v) (i32.const 1)))
      (br $rows))))`;
}

/**
 * WebAssembly text for the layers after the first (see {@link deepSupported}), specialised to their shapes: imports
 * `env.memory`, exports `l0`, `l1`, ... (one per layer; params in, nv, w, b, out: byte offsets and a count).
 *
 * @example
 * ```ts
 * deepModuleWat([{ inputs: 64, units: 32, activation: "relu" }, { inputs: 32, units: 1, activation: "linear" }]);
 * ```
 */
export function deepModuleWat(layers: readonly Pick<DeepLayer, "inputs" | "units" | "activation">[]): string {
  if (!deepSupported(layers)) throw new Error("The deep-layer kernel takes relu/linear layers ending in one output");
  const funcs = layers.map((l, i) =>
    i === layers.length - 1 ? dotWat(`l${i}`, l.inputs) : denseWat(`l${i}`, l.inputs, l.units, l.activation === "relu")
  );
  return `(module\n  (import "env" "memory" (memory 1))\n${funcs.join("\n")})\n`;
}

/** Inputs of {@link VariantKernel.run}; see the module doc. */
export interface VariantInput {
  /** First-layer pre-activations of the rows, `n x units`. */
  first: Float32Array;
  /** Encoded rows, `n x width`. */
  x: Float32Array;
  width: number;
  /** The baseline applicant, `width`. */
  base: Float32Array;
  /** First-layer kernel `width x units` (members side by side). */
  W: Float32Array;
  units: number;
  members: number;
  relu: boolean;
  rowsOf: Int32Array;
  groupsOf: Int32Array;
  groupStart: Int32Array;
  groupFlat: Int32Array;
}

type KernelFn = (...args: number[]) => void;

/**
 * What {@link VariantKernel.run} computes, as the plain JavaScript loop it replaces (float64 sums, rounded on store):
 * the reference the tests and `deno task bench kernel` compare the kernel with.
 *
 * @example
 * ```ts
 * import { variantsInJavaScript } from "./variant_kernel.ts";
 * const hidden = variantsInJavaScript({ first, x, width, base, W, units, members: 3, relu: true, rowsOf, groupsOf, groupStart, groupFlat });
 * ```
 */
export function variantsInJavaScript(input: VariantInput): Float32Array[] {
  const { first, x, width, base, W, units, members, relu, rowsOf, groupsOf, groupStart, groupFlat } = input;
  const H = units / members;
  const out = Array.from({ length: members }, () => new Float32Array(rowsOf.length * H));
  const z = new Float64Array(units);
  for (let v = 0; v < rowsOf.length; v++) {
    const r = rowsOf[v], g = groupsOf[v];
    for (let u = 0; u < units; u++) z[u] = first[r * units + u];
    if (g >= 0) {
      for (let q = groupStart[g]; q < groupStart[g + 1]; q++) {
        const c = groupFlat[q];
        const d = base[c] - x[r * width + c];
        if (d !== 0) { for (let u = 0; u < units; u++) z[u] += d * W[c * units + u]; }
      }
    }
    for (let m = 0; m < members; m++) {
      for (let u = 0; u < H; u++) out[m][v * H + u] = relu ? Math.max(0, z[m * H + u]) : z[m * H + u];
    }
  }
  return out;
}

/** The compiled kernel with its own memory (grown as needed). */
export class VariantKernel {
  #memory: WebAssembly.Memory;
  #fn: KernelFn;
  #wabt: Wabt;
  /** Bytes of the constant inputs placed at the start of memory: [w, base, gstart, gflat, deep layers] of the last model. */
  #constants: { key: object; bytes: number } | null = null;
  /** The layers after the first, per member, and their compiled functions (see {@link VariantKernel.setDeep}). */
  #deep: { members: readonly (readonly DeepLayer[])[]; fns: KernelFn[] } | null = null;

  private constructor(memory: WebAssembly.Memory, fn: KernelFn, wabt: Wabt) {
    this.#memory = memory;
    this.#fn = fn;
    this.#wabt = wabt;
  }

  /**
   * A kernel with its own memory, or null where WebAssembly SIMD is not available. The first call in a process loads
   * wabt and assembles {@link KERNEL_WAT} (~60 ms); later calls reuse the compiled module.
   */
  static async create(): Promise<VariantKernel | null> {
    const { wabt, variants } = await load();
    if (!variants) return null;
    const memory = new WebAssembly.Memory({ initial: 16 });
    const instance = new WebAssembly.Instance(variants, { env: { memory } });
    return new VariantKernel(memory, instance.exports.variants as KernelFn, wabt);
  }

  /**
   * Compiles the layers after the first (every member's, all of one shape) so that {@link VariantKernel.logits} can
   * run whole forward passes here; false (and nothing changes) when {@link deepSupported} says no.
   */
  setDeep(members: readonly (readonly DeepLayer[])[]): boolean {
    const shape = members[0];
    if (!shape || !deepSupported(shape)) return false;
    for (const m of members) {
      if (m.length !== shape.length) return false;
      for (let l = 0; l < m.length; l++) {
        const a = m[l], b = shape[l];
        if (a.inputs !== b.inputs || a.units !== b.units || a.activation !== b.activation) return false;
        if (a.kernel.length !== a.inputs * a.units || a.bias.length !== a.units) return false;
      }
    }
    const text = deepModuleWat(shape);
    let module = deepModules.get(text);
    if (!module) {
      const bytes = assemble(this.#wabt, "deep_layers.wat", text);
      if (!WebAssembly.validate(bytes)) return false;
      module = new WebAssembly.Module(bytes);
      deepModules.set(text, module);
    }
    const instance = new WebAssembly.Instance(module, { env: { memory: this.#memory } });
    const fns = shape.map((_, i) => instance.exports[`l${i}`] as KernelFn);
    this.#deep = { members, fns };
    this.#constants = null;
    return true;
  }

  #ensure(bytes: number): void {
    const have = this.#memory.buffer.byteLength;
    if (bytes > have) this.#memory.grow(Math.ceil((bytes - have) / 65536));
  }

  /**
   * First-layer activations of every variant, one `V x H` matrix per member: views into the kernel's memory, valid
   * until the next call.
   * `W`, `base` and the group layout are copied once per distinct `W` (they are the model's constants).
   */
  run(input: VariantInput): Float32Array[] {
    const { outAt, V, H } = this.#first(input, false);
    const buf = this.#memory.buffer;
    return Array.from({ length: input.members }, (_, m) => new Float32Array(buf, outAt + m * V * H * 4, V * H));
  }

  /**
   * Whole forward passes of every variant: the first layer as {@link VariantKernel.run}, then the layers given to
   * {@link VariantKernel.setDeep}; the output logit of each variant, one `V` array per member (views into the
   * kernel's memory, valid until the next call).
   */
  logits(input: VariantInput): Float32Array[] {
    const deep = this.#deep;
    if (!deep) throw new Error("The deep-layer kernel was not set up (setDeep)");
    if (deep.members.length !== input.members) {
      throw new Error(`The deep layers have ${deep.members.length} members, the first layer ${input.members}`);
    }
    const { outAt, V, H, pingAt, pongAt, logitsAt, deepAt } = this.#first(input, true);
    for (let m = 0; m < input.members; m++) {
      let from = outAt + m * V * H * 4;
      const layers = deep.members[m];
      for (let l = 0; l < layers.length; l++) {
        const to = l === layers.length - 1 ? logitsAt + m * V * 4 : l % 2 === 0 ? pingAt : pongAt;
        const w = deepAt[m][l];
        deep.fns[l](from, V, w.kernel, w.bias, to);
        from = to;
      }
    }
    const buf = this.#memory.buffer;
    return Array.from({ length: input.members }, (_, m) => new Float32Array(buf, logitsAt + m * V * 4, V));
  }

  #first(input: VariantInput, withDeep: boolean) {
    const { width, units, members } = input;
    const H = units / members;
    const V = input.rowsOf.length;
    const n = input.x.length / width;
    if (!Number.isInteger(H) || H % 4 !== 0) throw new Error(`First layer width ${H} is not a multiple of 4`);
    const align = (b: number) => (b + 15) & ~15;
    // layout: [W | base | gstart | gflat | deep layers] constants, then first, x, rows, groups, scratch, out,
    // and for whole passes two buffers of hidden activations and the logits
    let at = 0;
    const wAt = at;
    at = align(at + input.W.byteLength);
    const baseAt = at;
    at = align(at + input.base.byteLength);
    const gsAt = at;
    at = align(at + input.groupStart.byteLength);
    const gfAt = at;
    at = align(at + input.groupFlat.byteLength);
    const deep = this.#deep;
    const deepAt: { kernel: number; bias: number }[][] = [];
    let widest = 0;
    for (const layers of deep?.members ?? []) {
      deepAt.push(layers.map((l) => {
        const kernel = at;
        at = align(at + l.kernel.byteLength);
        const bias = at;
        at = align(at + l.bias.byteLength);
        widest = Math.max(widest, l.units);
        return { kernel, bias };
      }));
    }
    const constantBytes = at;
    const firstAt = at;
    at = align(at + n * units * 4);
    const xAt = at;
    at = align(at + input.x.byteLength);
    const rowsAt = at;
    at = align(at + V * 4);
    const groupsAt = at;
    at = align(at + V * 4);
    const scratchAt = at;
    at = align(at + 2 * width * 4);
    const outAt = at;
    at = align(at + members * V * H * 4);
    const pingAt = at;
    if (withDeep) at = align(at + V * widest * 4);
    const pongAt = at;
    if (withDeep) at = align(at + V * widest * 4);
    const logitsAt = at;
    if (withDeep) at = align(at + members * V * 4);
    this.#ensure(at);
    const buf = this.#memory.buffer;
    if (this.#constants?.key !== input.W || this.#constants.bytes !== constantBytes) {
      new Float32Array(buf, wAt, input.W.length).set(input.W);
      new Float32Array(buf, baseAt, input.base.length).set(input.base);
      new Int32Array(buf, gsAt, input.groupStart.length).set(input.groupStart);
      new Int32Array(buf, gfAt, input.groupFlat.length).set(input.groupFlat);
      deep?.members.forEach((layers, m) =>
        layers.forEach((l, i) => {
          new Float32Array(buf, deepAt[m][i].kernel, l.kernel.length).set(l.kernel);
          new Float32Array(buf, deepAt[m][i].bias, l.bias.length).set(l.bias);
        })
      );
      this.#constants = { key: input.W, bytes: constantBytes };
    }
    new Float32Array(buf, firstAt, n * units).set(input.first.subarray(0, n * units));
    new Float32Array(buf, xAt, input.x.length).set(input.x);
    new Int32Array(buf, rowsAt, V).set(input.rowsOf);
    new Int32Array(buf, groupsAt, V).set(input.groupsOf);
    this.#fn(
      firstAt,
      xAt,
      baseAt,
      wAt,
      rowsAt,
      groupsAt,
      gsAt,
      gfAt,
      outAt,
      V,
      width,
      units,
      H,
      members,
      input.relu ? 1 : 0,
      scratchAt,
    );
    return { outAt, V, H, pingAt, pongAt, logitsAt, deepAt };
  }
}
