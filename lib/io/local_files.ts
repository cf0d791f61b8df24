/**
 * The object store on local files. Writes are atomic: bytes go to a hidden temporary file in the target's
 * directory (`.<name>.tmp-<random>.partial`, never listed) that is renamed into place; a failed or aborted
 * write removes it. Errors name the URI the caller gave.
 *
 * @example
 * ```ts
 * import { readLocalFile, writeLocalFile } from "./local_files.ts";
 * const target = { uri: "file:///tmp/hello.txt", path: "/tmp/hello.txt" };
 * await writeLocalFile(target, new TextEncoder().encode("hi"));
 * console.log(new TextDecoder().decode(await readLocalFile(target)));
 * ```
 * @module
 */
import { ObjectNotFoundError } from "./object_errors.ts";
import type { ObjectInfo, ObjectWriter, RangeReader } from "./object_types.ts";
import { baseName, dirName } from "./uri.ts";

/** A local file as the object store addresses it: the URI it was named by and its path. */
export interface LocalTarget {
  /** The URI as the caller wrote it (errors name it; `file://` prefixes are kept in listings). */
  uri: string;
  /** The file-system path. */
  path: string;
}

/**
 * Maps a file-system error to one that names the URI: {@linkcode ObjectNotFoundError} for a missing file.
 *
 * @example
 * ```ts
 * import { localError } from "./local_files.ts";
 * localError(new Deno.errors.PermissionDenied("denied"), "out/a.csv").message; // 'Cannot access "out/a.csv": denied'
 * ```
 */
export function localError(err: unknown, uri: string): Error {
  if (err instanceof Deno.errors.NotFound) return new ObjectNotFoundError(uri, { cause: err });
  if (err instanceof Deno.errors.IsADirectory) {
    return new Error(`Object "${uri}" is a directory, not a file`, { cause: err });
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new Error(`Cannot access "${uri}": ${msg}`, { cause: err });
}

const TEMP_MARK = ".tmp-";

/**
 * Whether a file name is one of our in-progress temporary files.
 *
 * @example
 * ```ts
 * import { isTempName } from "./local_files.ts";
 * isTempName(".a.csv.tmp-1x2y.partial"); // true
 * ```
 */
export function isTempName(name: string): boolean {
  return name.startsWith(".") && name.includes(TEMP_MARK) && name.endsWith(".partial");
}

/**
 * A fresh temporary path beside `path`, for writing before the rename into place.
 *
 * @example
 * ```ts
 * import { tempPathFor } from "./local_files.ts";
 * tempPathFor("out/a.csv"); // e.g. "out/.a.csv.tmp-1kq9z3m2.partial"
 * ```
 */
export function tempPathFor(path: string): string {
  const rand = crypto.getRandomValues(new Uint32Array(2));
  return `${dirName(path)}/.${baseName(path)}${TEMP_MARK}${rand[0].toString(36)}${rand[1].toString(36)}.partial`;
}

async function ensureDir(dir: string, uri: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (err) {
    throw localError(err, uri);
  }
}

/**
 * Reads a whole file.
 *
 * @example
 * ```ts
 * import { readLocalFile } from "./local_files.ts";
 * const bytes = await readLocalFile({ uri: "data/x.csv", path: "data/x.csv" });
 * ```
 */
export async function readLocalFile(target: LocalTarget): Promise<Uint8Array> {
  try {
    return await Deno.readFile(target.path);
  } catch (err) {
    throw localError(err, target.uri);
  }
}

/**
 * Writes a whole file atomically (temp file + rename); parent directories are created.
 *
 * @example
 * ```ts
 * import { writeLocalFile } from "./local_files.ts";
 * await writeLocalFile({ uri: "out/a.txt", path: "out/a.txt" }, new TextEncoder().encode("a"));
 * ```
 */
export async function writeLocalFile(target: LocalTarget, bytes: Uint8Array): Promise<void> {
  await ensureDir(dirName(target.path), target.uri);
  const tmp = tempPathFor(target.path);
  try {
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, target.path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw localError(err, target.uri);
  }
}

/**
 * Whether a regular file exists (a directory does not count).
 *
 * @example
 * ```ts
 * import { localFileExists } from "./local_files.ts";
 * await localFileExists({ uri: "data", path: "data" }); // false: a directory
 * ```
 */
export async function localFileExists(target: LocalTarget): Promise<boolean> {
  try {
    return (await Deno.stat(target.path)).isFile;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw localError(err, target.uri);
  }
}

/**
 * Size of a regular file in bytes.
 *
 * @example
 * ```ts
 * import { localFileSize } from "./local_files.ts";
 * console.log(await localFileSize({ uri: "data/x.parquet", path: "data/x.parquet" }));
 * ```
 */
export async function localFileSize(target: LocalTarget): Promise<number> {
  try {
    const st = await Deno.stat(target.path);
    if (!st.isFile) throw new Error(`Object "${target.uri}" is not a file`);
    return st.size;
  } catch (err) {
    if (err instanceof Error && err.message.startsWith("Object ")) throw err;
    throw localError(err, target.uri);
  }
}

async function walkLocal(
  dir: string,
  out: ObjectInfo[],
  filter: (path: string) => boolean,
  top = true,
): Promise<void> {
  // files and folders may vanish while we walk (other writers rename and delete): skip those, below the top
  try {
    for await (const entry of Deno.readDir(dir)) {
      const path = dir === "." ? entry.name : dir.endsWith("/") ? dir + entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory) await walkLocal(path, out, filter, false);
      else if (entry.isFile && !isTempName(entry.name) && filter(path)) {
        try {
          out.push({ uri: path, size: (await Deno.stat(path)).size });
        } catch (err) {
          if (!(err instanceof Deno.errors.NotFound)) throw err;
        }
      }
    }
  } catch (err) {
    if (top || !(err instanceof Deno.errors.NotFound)) throw err;
  }
}

/**
 * Lists files under a prefix, recursively, sorted by URI: a directory lists everything below it, any other
 * prefix matches paths starting with it, a missing prefix lists nothing. Temporary files are left out; a
 * `file:` prefix gives `file://` URIs.
 *
 * @example
 * ```ts
 * import { listLocalFiles } from "./local_files.ts";
 * for (const { uri, size } of await listLocalFiles({ uri: "data/", path: "data/" })) console.log(uri, size);
 * ```
 */
export async function listLocalFiles(prefix: LocalTarget): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  const fileUri = prefix.uri.startsWith("file:");
  const path = prefix.path;
  try {
    let st: Deno.FileInfo | undefined;
    try {
      st = await Deno.stat(path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    if (st?.isDirectory) await walkLocal(path.replace(/\/+$/, "") || "/", out, () => true);
    else if (st?.isFile) out.push({ uri: path, size: st.size });
    else {
      const dir = dirName(path);
      try {
        await walkLocal(dir, out, (f) => f.startsWith(path));
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    }
  } catch (err) {
    throw localError(err, prefix.uri);
  }
  if (fileUri) { for (const o of out) o.uri = `file://${o.uri}`; }
  return out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
}

/**
 * Removes a file; a missing file is not an error.
 *
 * @example
 * ```ts
 * import { removeLocalFile } from "./local_files.ts";
 * await removeLocalFile({ uri: "out/old.csv", path: "out/old.csv" });
 * ```
 */
export async function removeLocalFile(target: LocalTarget): Promise<void> {
  try {
    await Deno.remove(target.path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw localError(err, target.uri);
  }
}

/**
 * Opens a file as a stream of byte chunks (the stream closes the file when read to the end or cancelled).
 *
 * @example
 * ```ts
 * import { readLocalStream } from "./local_files.ts";
 * for await (const chunk of await readLocalStream({ uri: "data/x.csv", path: "data/x.csv" })) {
 *   console.log(chunk.byteLength);
 * }
 * ```
 */
export async function readLocalStream(target: LocalTarget): Promise<ReadableStream<Uint8Array>> {
  try {
    const file = await Deno.open(target.path, { read: true });
    return file.readable;
  } catch (err) {
    throw localError(err, target.uri);
  }
}

class LocalWriter implements ObjectWriter {
  bytesWritten = 0;
  #done = false;
  constructor(readonly uri: string, readonly path: string, readonly tmp: string, readonly file: Deno.FsFile) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#done) throw new Error(`Writer for "${this.uri}" is already closed`);
    try {
      let off = 0;
      while (off < chunk.byteLength) off += await this.file.write(chunk.subarray(off));
      this.bytesWritten += chunk.byteLength;
    } catch (err) {
      throw localError(err, this.uri);
    }
  }

  async close(): Promise<number> {
    if (this.#done) throw new Error(`Writer for "${this.uri}" is already closed`);
    this.#done = true;
    try {
      await this.file.sync().catch(() => {});
      this.file.close();
      await Deno.rename(this.tmp, this.path);
    } catch (err) {
      await Deno.remove(this.tmp).catch(() => {});
      throw localError(err, this.uri);
    }
    return this.bytesWritten;
  }

  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    try {
      this.file.close();
    } catch { /* already closed */ }
    await Deno.remove(this.tmp).catch(() => {});
  }
}

/**
 * Opens an atomic writer on a temporary file beside the target: `close()` renames it into place, `abort()`
 * removes it. Parent directories are created.
 *
 * @example
 * ```ts
 * import { openLocalWriter } from "./local_files.ts";
 * const w = await openLocalWriter({ uri: "out/big.bin", path: "out/big.bin" });
 * await w.write(new Uint8Array([1, 2, 3]));
 * await w.close();
 * ```
 */
export async function openLocalWriter(target: LocalTarget): Promise<ObjectWriter> {
  await ensureDir(dirName(target.path), target.uri);
  const tmp = tempPathFor(target.path);
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true });
    return new LocalWriter(target.uri, target.path, tmp, file);
  } catch (err) {
    throw localError(err, target.uri);
  }
}

/**
 * Opens a file for ranged reads on one handle (seek + read, one pair at a time).
 *
 * @example
 * ```ts
 * import { openLocalRangeReader } from "./local_files.ts";
 * const r = await openLocalRangeReader({ uri: "data/x.parquet", path: "data/x.parquet" });
 * const magic = await r.read(r.size - 4, r.size); // "PAR1"
 * r.close();
 * ```
 */
export async function openLocalRangeReader(target: LocalTarget): Promise<RangeReader> {
  const { uri, path } = target;
  let file: Deno.FsFile;
  let total: number;
  try {
    file = await Deno.open(path, { read: true });
    const st = await file.stat();
    if (!st.isFile) {
      file.close();
      throw new Deno.errors.IsADirectory(path);
    }
    total = st.size;
  } catch (err) {
    throw localError(err, uri);
  }
  let lock: Promise<unknown> = Promise.resolve();
  let closed = false;
  const readAt = async (start: number, end: number): Promise<Uint8Array> => {
    const buf = new Uint8Array(Math.max(0, end - start));
    await file.seek(start, Deno.SeekMode.Start);
    let off = 0;
    while (off < buf.length) {
      const n = await file.read(buf.subarray(off));
      if (n === null) throw new Error(`Unexpected end of "${uri}" at byte ${start + off}`);
      off += n;
    }
    return buf;
  };
  return {
    uri,
    size: total,
    read(start, end) {
      if (closed) return Promise.reject(new Error(`Reader for "${uri}" is closed`));
      // One handle, so seek + read pairs must not interleave.
      const r = lock.then(() => readAt(start, end));
      lock = r.catch(() => {});
      return r;
    },
    close() {
      if (closed) return;
      closed = true;
      lock.finally(() => file.close());
    },
  };
}
