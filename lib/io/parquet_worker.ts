/**
 * Worker body of the parallel Parquet reader: decodes the row groups it is given and answers with their Arrow IPC
 * bytes straight from the wasm decoder (transferred, not copied), or an error message.
 * @module
 */
import { readParquetIpc } from "./parquet.ts";

interface WorkerScope {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = async (e: MessageEvent) => {
  try {
    const { uri, columns, rowGroups, batchRows, s3 } = e.data;
    const ipc: Uint8Array[] = [];
    for await (const bytes of readParquetIpc(uri, { columns, rowGroups, batchRows, s3 })) ipc.push(bytes);
    scope.postMessage({ ipc }, ipc.map((b) => b.buffer as ArrayBuffer));
  } catch (err) {
    scope.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
};
