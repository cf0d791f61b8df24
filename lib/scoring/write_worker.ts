/**
 * A file-writing worker: Arrow IPC bytes in, a Parquet file out (encoded, checksummed and uploaded here), so that
 * encoding (the costliest part of writing) runs beside the main thread's reading and joining. Used by
 * {@link WriterPool} (writer.ts).
 *
 * Messages in: `{ id, ipc, uri, dictionary, upload }`; out: `{ id, bytes, sha256 }` or `{ id, error }`.
 *
 * @example
 * ```ts
 * const worker = new Worker(new URL("./write_worker.ts", import.meta.url).href, { type: "module" });
 * worker.postMessage({ id: 1, ipc, uri: "s3://bucket/x.parquet", dictionary: ["decision"], upload: {} }, [ipc.buffer]);
 * ```
 * @module
 */
import { encodeParquetIpc, sha256Hex, uploadBytes, type UploadOptions } from "./writer.ts";

interface WorkerScope {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = async (e: MessageEvent) => {
  const { id, ipc, uri, dictionary, upload } = e.data as {
    id: number;
    ipc: Uint8Array;
    uri: string;
    dictionary?: string[];
    upload: UploadOptions;
  };
  try {
    const bytes = await encodeParquetIpc(ipc, { dictionary });
    const sha256 = await sha256Hex(bytes);
    await uploadBytes(uri, bytes, upload);
    scope.postMessage({ id, bytes: bytes.byteLength, sha256 });
  } catch (err) {
    scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
