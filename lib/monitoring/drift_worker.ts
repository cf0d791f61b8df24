/**
 * Worker body of the drift computation: runs {@link runNumericTask} for each message and answers with the result,
 * the sorted reference transferred back (not copied), or an error message.
 * @module
 */
import { runNumericTask } from "./numeric_task.ts";

interface WorkerScope {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (e: MessageEvent) => {
  const { id, task } = e.data;
  try {
    const result = runNumericTask(task);
    const transfer: Transferable[] = [];
    if (result.reference) {
      transfer.push(result.reference.sample.values.buffer as ArrayBuffer);
      if (result.reference.sample.counts) transfer.push(result.reference.sample.counts.buffer as ArrayBuffer);
      delete result.reference.sample.cum;
    }
    scope.postMessage({ id, result }, transfer);
  } catch (err) {
    scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
