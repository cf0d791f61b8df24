import { assert, assertEquals } from "@std/assert";
import { initBackend, wasmDir } from "./tfjs_backend.ts";

Deno.test("tfjs backend: wasm files come from node_modules, and the choice is made once", async () => {
  assert(wasmDir().startsWith("file://") && wasmDir().endsWith("/node_modules/@tensorflow/tfjs-backend-wasm/dist/"));
  await Deno.stat(new URL("tfjs-backend-wasm.wasm", wasmDir()));
  const first = await initBackend();
  assertEquals(first, "wasm");
  assertEquals(await initBackend({ prefer: "cpu" }), first);
});
