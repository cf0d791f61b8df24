/**
 * JSON documents in the object store (local paths and `s3://`): read with an error that names the file, read or
 * null when absent, write pretty-printed with a final newline and the JSON content type.
 *
 * @example
 * ```ts
 * import { readJsonOrNull, writeJson } from "./json.ts";
 * await writeJson("s3://bucket/models/aliases.json", { champion: 3 });
 * const doc = await readJsonOrNull("s3://bucket/models/aliases.json"); // { champion: 3 }
 * ```
 * @module
 */
import { type IoOptions, ObjectNotFoundError, readBytes, writeBytes } from "./object_store.ts";

/** Options of {@linkcode readJson} and {@linkcode readJsonOrNull}. */
export interface ReadJsonOptions extends IoOptions {
  /** What the document is, for the error message (default "File"): `Manifest "…" is not valid JSON: …`. */
  what?: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function parse(uri: string, bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(dec.decode(bytes));
  } catch (err) {
    throw new Error(`${what} "${uri}" is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Reads and parses a JSON document; a missing one is an {@linkcode ObjectNotFoundError}, invalid JSON an error
 * naming the document.
 *
 * @example
 * ```ts
 * const run = await readJson("data/models/runs/abc/run.json");
 * ```
 */
export async function readJson(uri: string, opts: ReadJsonOptions = {}): Promise<unknown> {
  const { what = "File", ...io } = opts;
  return parse(uri, await readBytes(uri, io), what);
}

/**
 * Like {@linkcode readJson}, but null when the document does not exist.
 *
 * @example
 * ```ts
 * const manifest = await readJsonOrNull("s3://bucket/scores/_manifests/job.json", { what: "Manifest" });
 * ```
 */
export async function readJsonOrNull(uri: string, opts: ReadJsonOptions = {}): Promise<unknown | null> {
  const { what = "File", ...io } = opts;
  let bytes: Uint8Array;
  try {
    bytes = await readBytes(uri, io);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return null;
    throw err;
  }
  return parse(uri, bytes, what);
}

/**
 * Writes `value` as pretty-printed JSON (two-space indent, final newline) with content type `application/json`.
 *
 * @example
 * ```ts
 * await writeJson("data/models/registry/credit/aliases.json", { champion: 3 });
 * ```
 */
export async function writeJson(uri: string, value: unknown, opts: IoOptions = {}): Promise<void> {
  await writeBytes(uri, enc.encode(JSON.stringify(value, null, 2) + "\n"), {
    ...opts,
    contentType: "application/json",
  });
}
