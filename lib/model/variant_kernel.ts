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
 * The module is assembled here from its instructions (below, with the equivalent loop in comments), so there is no
 * binary file and no build step; `WebAssembly.validate` and the tests against the JavaScript loop guard it.
 *
 * @example
 * ```ts
 * import { VariantKernel } from "./variant_kernel.ts";
 * const kernel = VariantKernel.create(); // null where WebAssembly SIMD is unavailable
 * const hidden = kernel!.run({ first, x, width, base, W, units, members: 3, relu: true, rowsOf, groupsOf, groupStart, groupFlat });
 * ```
 * @module
 */

// ---------------------------------------------------------------------------------------------------------------
// A tiny assembler: just the instructions the kernel uses.

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b, VOID = 0x40;
const op = {
  block: [0x02, VOID],
  loop: [0x03, VOID],
  if: [0x04, VOID],
  end: [0x0b],
  br: (d: number) => [0x0c, ...uleb(d)],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (n: number) => [0x41, ...sleb(n)],
  i32Load: (offset = 0) => [0x28, 2, ...uleb(offset)],
  f32Const0: [0x43, 0, 0, 0, 0],
  f32Add: [0x92],
  f32Mul: [0x94],
  f32Load: (offset = 0) => [0x2a, 2, ...uleb(offset)],
  f32Store: (offset = 0) => [0x38, 2, ...uleb(offset)],
  i32Store: (offset = 0) => [0x36, 2, ...uleb(offset)],
  i32Eqz: [0x45],
  i32LtS: [0x48],
  i32GeS: [0x4e],
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  f32Ne: [0x5c],
  f32Sub: [0x93],
  v128Load: (offset = 0) => [0xfd, ...uleb(0x00), 4, ...uleb(offset)],
  v128Store: (offset = 0) => [0xfd, ...uleb(0x0b), 4, ...uleb(offset)],
  v128Zero: [0xfd, ...uleb(0x0c), ...new Array(16).fill(0)],
  f32x4Splat: [0xfd, ...uleb(0x13)],
  f32x4Add: [0xfd, ...uleb(0xe4)],
  f32x4Mul: [0xfd, ...uleb(0xe6)],
  f32x4Max: [0xfd, ...uleb(0xe9)],
};

/** `for (i = from; i < limit; i++) body` with i, limit in locals (limit re-read each time). */
function forLoop(i: number, from: number[], limit: number[], body: number[], step = 1): number[] {
  return [
    ...from,
    ...op.set(i),
    ...op.block,
    ...op.loop,
    ...op.get(i),
    ...limit,
    ...op.i32GeS,
    ...op.brIf(1),
    ...body,
    ...op.get(i),
    ...op.i32(step),
    ...op.i32Add,
    ...op.set(i),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
}

// Parameters of `variants` (all i32; pointers are byte offsets into memory):
const P = {
  first: 0, // f32 [n x units]: first-layer pre-activations of the rows (bias included)
  x: 1, // f32 [n x width]: encoded rows
  base: 2, // f32 [width]: the baseline applicant
  w: 3, // f32 [width x units]: first-layer kernel, members side by side
  rows: 4, // i32 [V]: row of each variant
  groups: 5, // i32 [V]: group of each variant (-1 = none)
  gstart: 6, // i32 [G + 1]: start of each group's columns in gflat
  gflat: 7, // i32: the groups' columns
  out: 8, // f32 [M x V x H]
  nv: 9, // V
  width: 10,
  units: 11, // M x H
  h: 12, // H (a multiple of 4)
  m: 13, // M
  relu: 14, // 1 = relu, 0 = linear
  scratch: 15, // 2 x width words: deltas (f32) then kernel row pointers (i32)
};
const NPARAMS = 16;
// locals
const L = {
  v: NPARAMS,
  r: NPARAMS + 1,
  g: NPARAMS + 2,
  q: NPARAMS + 3,
  qEnd: NPARAMS + 4,
  k: NPARAMS + 5,
  c: NPARAMS + 6,
  d: NPARAMS + 7, // f32
  mm: NPARAMS + 8,
  u: NPARAMS + 9,
  t: NPARAMS + 10, // k index
  zBase: NPARAMS + 11, // byte offset of first[r, m*H]
  oBase: NPARAMS + 12, // byte offset of out[m, v, 0]
  colOff: NPARAMS + 13, // m*H*4
  s: NPARAMS + 14, // v128
};

function kernelBody(): number[] {
  const byteIdx = (ptr: number, idx: number[]) => [...op.get(ptr), ...idx, ...op.i32(2), ...op.i32Shl, ...op.i32Add];
  // collect the group's differing columns: scratch[k] = d (f32), scratch[width + k] = w + c*units*4
  const collect = [
    ...op.i32(0),
    ...op.set(L.k),
    ...op.get(L.g),
    ...op.i32(0),
    ...op.i32GeS,
    ...op.if,
    // q = gstart[g]; qEnd = gstart[g + 1]
    ...byteIdx(P.gstart, op.get(L.g)),
    ...op.i32Load(0),
    ...op.set(L.q),
    ...byteIdx(P.gstart, op.get(L.g)),
    ...op.i32Load(4),
    ...op.set(L.qEnd),
    ...forLoop(L.q, op.get(L.q), op.get(L.qEnd), [
      // c = gflat[q]
      ...byteIdx(P.gflat, op.get(L.q)),
      ...op.i32Load(),
      ...op.set(L.c),
      // d = base[c] - x[r*width + c]
      ...byteIdx(P.base, op.get(L.c)),
      ...op.f32Load(),
      ...byteIdx(P.x, [...op.get(L.r), ...op.get(P.width), ...op.i32Mul, ...op.get(L.c), ...op.i32Add]),
      ...op.f32Load(),
      ...op.f32Sub,
      ...op.tee(L.d),
      ...[0x43, 0, 0, 0, 0], // f32.const 0
      ...op.f32Ne, // true for NaN too, as d !== 0 in JavaScript
      ...op.if,
      // scratch[k] = d
      ...byteIdx(P.scratch, op.get(L.k)),
      ...op.get(L.d),
      ...op.f32Store(),
      // scratch[width + k] = w + c * units * 4
      ...byteIdx(P.scratch, [...op.get(P.width), ...op.get(L.k), ...op.i32Add]),
      ...op.get(P.w),
      ...op.get(L.c),
      ...op.get(P.units),
      ...op.i32Mul,
      ...op.i32(2),
      ...op.i32Shl,
      ...op.i32Add,
      ...op.i32Store(),
      ...op.get(L.k),
      ...op.i32(1),
      ...op.i32Add,
      ...op.set(L.k),
      ...op.end,
    ]),
    ...op.end,
  ];
  // for m: for u (step 4): s = first[r, m*H + u]; s += d_t * W[c_t, m*H + u]; relu; out[m, v, u] = s
  const lanes = [
    ...op.get(L.zBase),
    ...op.get(L.u),
    ...op.i32(2),
    ...op.i32Shl,
    ...op.i32Add,
    ...op.v128Load(),
    ...op.set(L.s),
    ...forLoop(L.t, op.i32(0), op.get(L.k), [
      ...op.get(L.s),
      // splat(scratch[t])
      ...byteIdx(P.scratch, op.get(L.t)),
      ...op.f32Load(),
      ...op.f32x4Splat,
      // v128.load(scratch[width + t] + colOff + u*4)
      ...byteIdx(P.scratch, [...op.get(P.width), ...op.get(L.t), ...op.i32Add]),
      ...op.i32Load(),
      ...op.get(L.colOff),
      ...op.i32Add,
      ...op.get(L.u),
      ...op.i32(2),
      ...op.i32Shl,
      ...op.i32Add,
      ...op.v128Load(),
      ...op.f32x4Mul,
      ...op.f32x4Add,
      ...op.set(L.s),
    ]),
    ...op.get(P.relu),
    ...op.if,
    ...op.get(L.s),
    ...op.v128Zero,
    ...op.f32x4Max,
    ...op.set(L.s),
    ...op.end,
    ...op.get(L.oBase),
    ...op.get(L.u),
    ...op.i32(2),
    ...op.i32Shl,
    ...op.i32Add,
    ...op.get(L.s),
    ...op.v128Store(),
  ];
  const perMember = [
    // colOff = m*H*4; zBase = first + (r*units)*4 + colOff; oBase = out + ((m*V + v)*H)*4
    ...op.get(L.mm),
    ...op.get(P.h),
    ...op.i32Mul,
    ...op.i32(2),
    ...op.i32Shl,
    ...op.set(L.colOff),
    ...op.get(P.first),
    ...op.get(L.r),
    ...op.get(P.units),
    ...op.i32Mul,
    ...op.i32(2),
    ...op.i32Shl,
    ...op.i32Add,
    ...op.get(L.colOff),
    ...op.i32Add,
    ...op.set(L.zBase),
    ...op.get(P.out),
    ...op.get(L.mm),
    ...op.get(P.nv),
    ...op.i32Mul,
    ...op.get(L.v),
    ...op.i32Add,
    ...op.get(P.h),
    ...op.i32Mul,
    ...op.i32(2),
    ...op.i32Shl,
    ...op.i32Add,
    ...op.set(L.oBase),
    ...forLoop(L.u, op.i32(0), op.get(P.h), lanes, 4),
  ];
  const perVariant = [
    ...byteIdx(P.rows, op.get(L.v)),
    ...op.i32Load(),
    ...op.set(L.r),
    ...byteIdx(P.groups, op.get(L.v)),
    ...op.i32Load(),
    ...op.set(L.g),
    ...collect,
    ...forLoop(L.mm, op.i32(0), op.get(P.m), perMember),
  ];
  return forLoop(L.v, op.i32(0), op.get(P.nv), perVariant);
}

function section(id: number, bytes: number[]): number[] {
  return [id, ...uleb(bytes.length), ...bytes];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function str(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

/** The kernel module's bytes: imports `env.memory`, exports `variants`. */
export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...uleb(NPARAMS), ...new Array(NPARAMS).fill(I32), 0];
  const locals = vec([
    [7, I32], // v r g q qEnd k c
    [1, F32], // d
    [6, I32], // mm u t zBase oBase colOff
    [1, V128], // s
  ]);
  const body = [...locals, ...kernelBody(), ...op.end];
  return moduleBytes(type, ["variants"], [body]);
}

/**
 * A WebAssembly module whose functions all have the one `type` and share the imported `env.memory`: `bodies[i]` is
 * exported as `names[i]`.
 */
function moduleBytes(type: number[], names: string[], bodies: number[][]): Uint8Array<ArrayBuffer> {
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d], // "\0asm"
    ...[0x01, 0x00, 0x00, 0x00], // version 1
    ...section(1, vec([type])),
    ...section(2, vec([[...str("env"), ...str("memory"), 0x02, 0x00, 0x01]])),
    ...section(3, vec(bodies.map(() => [0]))),
    ...section(7, vec(names.map((name, i) => [...str(name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies.map((b) => [...uleb(b.length), ...b]))),
  ]);
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
 * Whether {@link deepModuleBytes} can run these layers (the same for every member): relu or linear hidden layers of a
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

/** Address `base + index * bytes` (locals `base` and `index`). */
function addressOf(base: number, index: number, bytes: number): number[] {
  return [...op.get(base), ...op.get(index), ...op.i32(bytes), ...op.i32Mul, ...op.i32Add];
}

/** Address of float32 `index` in the array at `base` (locals): `base + index * 4`. */
function f32At(base: number, index: number): number[] {
  return [...op.get(base), ...op.get(index), ...op.i32(2), ...op.i32Shl, ...op.i32Add];
}

/**
 * `out[v, :] = act(b + sum over k in order of in[v, k] * w[k, :])` for `V` rows, `K x N` weights (N a multiple of 4),
 * in blocks of 32 outputs held in registers: the same sums in the same order as XNNPACK's f32 GEMM (bias first, then
 * k by k), so the results equal tfjs's wasm `matMul`. Params: in, V, w, b, out (byte offsets and a count).
 */
function denseBody(K: number, N: number, relu: boolean): number[] {
  const pIn = 0, pV = 1, pW = 2, pB = 3, pOut = 4;
  const v = 5, k = 6, inRow = 7, outRow = 8, wRow = 9, s = 10, acc0 = 11;
  const body: number[] = [
    // inRow = in + v*K*4; outRow = out + v*N*4
    ...addressOf(pIn, v, K * 4),
    ...op.set(inRow),
    ...addressOf(pOut, v, N * 4),
    ...op.set(outRow),
  ];
  for (let c = 0; c * 32 < N; c++) {
    const lanes = Math.min(8, (N - c * 32) / 4);
    const offset = (j: number) => (c * 32 + 4 * j) * 4;
    for (let j = 0; j < lanes; j++) body.push(...op.get(pB), ...op.v128Load(offset(j)), ...op.set(acc0 + j));
    body.push(...op.get(pW), ...op.set(wRow));
    const step: number[] = [
      // s = splat(in[v, k])
      ...f32At(inRow, k),
      ...op.f32Load(),
      ...op.f32x4Splat,
      ...op.set(s),
    ];
    for (let j = 0; j < lanes; j++) {
      step.push(
        ...op.get(acc0 + j),
        ...op.get(s),
        ...op.get(wRow),
        ...op.v128Load(offset(j)),
        ...op.f32x4Mul,
        ...op.f32x4Add,
        ...op.set(acc0 + j),
      );
    }
    step.push(...op.get(wRow), ...op.i32(N * 4), ...op.i32Add, ...op.set(wRow));
    body.push(...forLoop(k, op.i32(0), op.i32(K), step));
    for (let j = 0; j < lanes; j++) {
      body.push(...op.get(outRow), ...op.get(acc0 + j));
      if (relu) body.push(...op.v128Zero, ...op.f32x4Max);
      body.push(...op.v128Store(offset(j)));
    }
  }
  const locals = vec([[5, I32], [1 + Math.min(8, N / 4), V128]]);
  return [...locals, ...forLoop(v, op.i32(0), op.get(pV), body), ...op.end];
}

/** `out[v] = b + sum over k in order of in[v, k] * w[k]` (the single linear output), in float32. Params as dense. */
function dotBody(K: number): number[] {
  const pIn = 0, pV = 1, pW = 2, pB = 3, pOut = 4;
  const v = 5, k = 6, inRow = 7, acc = 8;
  const body = [
    ...addressOf(pIn, v, K * 4),
    ...op.set(inRow),
    ...op.get(pB),
    ...op.f32Load(),
    ...op.set(acc),
    ...forLoop(k, op.i32(0), op.i32(K), [
      ...op.get(acc),
      ...f32At(inRow, k),
      ...op.f32Load(),
      ...f32At(pW, k),
      ...op.f32Load(),
      ...op.f32Mul,
      ...op.f32Add,
      ...op.set(acc),
    ]),
    ...f32At(pOut, v),
    ...op.get(acc),
    ...op.f32Store(),
  ];
  const locals = vec([[3, I32], [1, F32]]);
  return [...locals, ...forLoop(v, op.i32(0), op.get(pV), body), ...op.end];
}

/**
 * A module for the layers after the first (see {@link deepSupported}), specialised to their shapes: imports
 * `env.memory`, exports `l0`, `l1`, ... (one per layer; params in, V, w, b, out).
 *
 * @example
 * ```ts
 * WebAssembly.validate(deepModuleBytes([{ inputs: 64, units: 32, activation: "relu" }, { inputs: 32, units: 1, activation: "linear" }]));
 * ```
 */
export function deepModuleBytes(
  layers: readonly Pick<DeepLayer, "inputs" | "units" | "activation">[],
): Uint8Array<ArrayBuffer> {
  if (!deepSupported(layers)) throw new Error("The deep-layer kernel takes relu/linear layers ending in one output");
  const type = [0x60, ...uleb(5), ...new Array(5).fill(I32), 0];
  const bodies = layers.map((l, i) =>
    i === layers.length - 1 ? dotBody(l.inputs) : denseBody(l.inputs, l.units, l.activation === "relu")
  );
  return moduleBytes(type, layers.map((_, i) => `l${i}`), bodies);
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

/** The compiled kernel with its own memory (grown as needed). */
export class VariantKernel {
  #memory: WebAssembly.Memory;
  #fn: KernelFn;
  /** Bytes of the constant inputs placed at the start of memory: [w, base, gstart, gflat, deep layers] of the last model. */
  #constants: { key: object; bytes: number } | null = null;
  /** The layers after the first, per member, and their compiled functions (see {@link VariantKernel.setDeep}). */
  #deep: { members: readonly (readonly DeepLayer[])[]; fns: KernelFn[] } | null = null;

  private constructor(memory: WebAssembly.Memory, fn: KernelFn) {
    this.#memory = memory;
    this.#fn = fn;
  }

  /** Compiles the kernel, or null where WebAssembly SIMD is not available. */
  static create(): VariantKernel | null {
    try {
      const bytes = kernelModuleBytes();
      if (!WebAssembly.validate(bytes)) return null;
      const memory = new WebAssembly.Memory({ initial: 16 });
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      return new VariantKernel(memory, instance.exports.variants as KernelFn);
    } catch {
      return null;
    }
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
    try {
      const bytes = deepModuleBytes(shape);
      if (!WebAssembly.validate(bytes)) return false;
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: this.#memory } });
      const fns = shape.map((_, i) => instance.exports[`l${i}`] as KernelFn);
      this.#deep = { members, fns };
      this.#constants = null;
      return true;
    } catch {
      return false;
    }
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
