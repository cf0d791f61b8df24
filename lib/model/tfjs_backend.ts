/**
 * Picks tfjs's backend once per process: the wasm backend with its `.wasm` files loaded from `node_modules`
 * (never a CDN), else the pure-JS `cpu` backend with a logged note.
 *
 * @example
 * ```ts
 * import { initBackend } from "./tfjs_backend.ts";
 * const name = await initBackend(); // "wasm" (or "cpu" where wasm cannot load)
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

/** Options of {@link initBackend}. */
export interface BackendOptions {
  /** Preferred backend (default `$TFJS_BACKEND` or "wasm"). */
  prefer?: "wasm" | "cpu";
  /** Where notes go (default console.warn). */
  log?: (line: string) => void;
}

let chosen: Promise<string> | null = null;

/**
 * The folder (as a file: URL ending in "/") holding the wasm backend's `.wasm` files in this checkout.
 *
 * @example
 * ```ts
 * wasmDir(); // "file:///…/node_modules/@tensorflow/tfjs-backend-wasm/dist/"
 * ```
 */
export function wasmDir(): string {
  return new URL("../../node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url).href;
}

async function tryWasm(): Promise<boolean> {
  const dir = wasmDir();
  try {
    await Deno.stat(new URL("tfjs-backend-wasm.wasm", dir));
  } catch {
    return false;
  }
  setWasmPaths(dir);
  try {
    return await tf.setBackend("wasm");
  } catch {
    return false;
  }
}

/**
 * Initialises tfjs once (later calls return the same backend name).
 *
 * @example
 * ```ts
 * await initBackend({ prefer: "cpu" });
 * ```
 */
export function initBackend(opts: BackendOptions = {}): Promise<string> {
  if (chosen) return chosen;
  const log = opts.log ?? ((line: string) => console.warn(line));
  let prefer = opts.prefer;
  if (!prefer) {
    try {
      const env = Deno.env.get("TFJS_BACKEND");
      prefer = env === "cpu" ? "cpu" : "wasm";
    } catch {
      prefer = "wasm";
    }
  }
  chosen = (async () => {
    if (prefer === "wasm" && (await tryWasm())) {
      await tf.ready();
      return tf.getBackend();
    }
    if (prefer === "wasm") log("tfjs: the wasm backend could not load from node_modules; using the cpu backend");
    await tf.setBackend("cpu");
    await tf.ready();
    return tf.getBackend();
  })();
  return chosen;
}
