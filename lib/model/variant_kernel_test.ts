import { assert, assertEquals, assertThrows } from "@std/assert";
import { deepModuleWat, kernelModuleBytes, VariantKernel, variantsInJavaScript } from "./variant_kernel.ts";
import { seededRandom } from "../numeric/random.ts";

Deno.test("variant kernel: a valid WebAssembly SIMD module that matches the JavaScript loop (relu and linear)", async () => {
  assert(WebAssembly.validate(await kernelModuleBytes()));
  const kernel = await VariantKernel.create();
  assert(kernel, "WebAssembly SIMD is available here");
  const r = seededRandom(11);
  for (
    const [members, H, width, n, relu] of [[3, 8, 13, 40, true], [1, 4, 5, 7, false], [2, 12, 30, 100, true]] as const
  ) {
    const units = members * H;
    const first = Float32Array.from({ length: n * units }, () => r() * 2 - 1);
    const x = Float32Array.from({ length: n * width }, () => (r() < 0.3 ? 0 : r()));
    const base = Float32Array.from({ length: width }, () => (r() < 0.3 ? 0 : r()));
    const W = Float32Array.from({ length: width * units }, () => r() * 2 - 1);
    // groups of 1 to 4 columns; some rows equal the baseline in a group (no change), one delta is NaN-free
    const groupStart = Int32Array.of(0, 1, 3, 7, 8);
    const groupFlat = Int32Array.from({ length: 8 }, (_, i) => (i * 5) % width);
    for (let i = 0; i < n; i += 3) x[i * width + groupFlat[0]] = base[groupFlat[0]];
    const rowsOf = Int32Array.from({ length: n * 5 }, (_, i) => Math.floor(i / 5));
    const groupsOf = Int32Array.from({ length: n * 5 }, (_, i) => (i % 5) - 1);
    const input = { first, x, width, base, W, units, members, relu, rowsOf, groupsOf, groupStart, groupFlat };
    const want = variantsInJavaScript(input);
    const got = kernel.run(input).map((a) => a.slice());
    for (let m = 0; m < members; m++) {
      assertEquals(got[m].length, want[m].length);
      let worst = 0;
      for (let i = 0; i < want[m].length; i++) worst = Math.max(worst, Math.abs(got[m][i] - want[m][i]));
      assert(worst < 1e-5, `members ${members}, H ${H}: largest difference ${worst}`);
      if (relu) assert(got[m].some((v) => v === 0) && got[m].some((v) => v > 0));
      else assert(got[m].some((v) => v < 0));
    }
  }
});

Deno.test("variant kernel: whole forward passes (deeper layers in the kernel) match the same sums in float32", async () => {
  const r = seededRandom(5);
  for (const [members, H, hidden, width, n] of [[3, 8, [12, 8], 13, 30], [2, 4, [40], 9, 17]] as const) {
    const kernel = (await VariantKernel.create())!;
    const units = members * H;
    const sizes = [H, ...hidden, 1];
    const deep = Array.from({ length: members }, () =>
      sizes.slice(1).map((u, l) => ({
        kernel: Float32Array.from({ length: sizes[l] * u }, () => r() * 2 - 1),
        bias: Float32Array.from({ length: u }, () => r() - 0.5),
        inputs: sizes[l],
        units: u,
        activation: l === sizes.length - 2 ? "linear" : "relu",
      })));
    assert(kernel.setDeep(deep));
    const first = Float32Array.from({ length: n * units }, () => r() * 2 - 1);
    const x = Float32Array.from({ length: n * width }, () => (r() < 0.3 ? 0 : r()));
    const base = Float32Array.from({ length: width }, () => (r() < 0.3 ? 0 : r()));
    const W = Float32Array.from({ length: width * units }, () => r() * 2 - 1);
    const groupStart = Int32Array.of(0, 2, 5);
    const groupFlat = Int32Array.from({ length: 5 }, (_, i) => (i * 3) % width);
    const rowsOf = Int32Array.from({ length: n * 3 }, (_, i) => Math.floor(i / 3));
    const groupsOf = Int32Array.from({ length: n * 3 }, (_, i) => (i % 3) - 1);
    const input = { first, x, width, base, W, units, members, relu: true, rowsOf, groupsOf, groupStart, groupFlat };
    const h1 = kernel.run(input).map((a) => a.slice());
    const got = kernel.logits(input).map((a) => a.slice());
    const f = Math.fround;
    for (let m = 0; m < members; m++) {
      for (let v = 0; v < rowsOf.length; v++) {
        // bias first, then k by k, rounded to float32 at each step (as the kernel and XNNPACK sum)
        let h = Array.from(h1[m].subarray(v * H, (v + 1) * H));
        for (const l of deep[m]) {
          const next: number[] = [];
          for (let u = 0; u < l.units; u++) {
            let s = l.bias[u];
            for (let k = 0; k < l.inputs; k++) s = f(s + f(h[k] * l.kernel[k * l.units + u]));
            next.push(l.activation === "relu" ? Math.max(0, s) : s);
          }
          h = next;
        }
        assertEquals(got[m][v], h[0], `member ${m} variant ${v}`);
      }
    }
    assert(!kernel.setDeep([[{ ...deep[0][0], activation: "elu" }, deep[0][1]]]), "elu is not taken");
  }
});

Deno.test("variant kernel: the deep-layer text assembles for any supported shape and refuses the others", async () => {
  const wabt = await (await import("wabt")).default();
  for (
    const layers of [
      [{ inputs: 64, units: 32, activation: "relu" }, { inputs: 32, units: 1, activation: "linear" }],
      [{ inputs: 9, units: 40, activation: "linear" }, { inputs: 40, units: 12, activation: "relu" }, {
        inputs: 12,
        units: 1,
        activation: "linear",
      }],
    ]
  ) {
    const module = wabt.parseWat("deep.wat", deepModuleWat(layers), { simd: true });
    const bytes = module.toBinary({}).buffer;
    module.destroy();
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(Uint8Array.from(bytes)));
    assertEquals(exports.map((e) => e.name), layers.map((_, i) => `l${i}`));
  }
  assertThrows(() =>
    deepModuleWat([{ inputs: 8, units: 6, activation: "relu" }, { inputs: 6, units: 1, activation: "linear" }])
  );
});
