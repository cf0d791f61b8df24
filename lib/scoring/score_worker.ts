/**
 * A scoring worker: builds a {@link BatchScorer} from the model's plain data and scores the batches posted to it
 * (see model.ts `scoringModel`, which runs a pool of these so scoring uses the other cores while the main thread
 * reads, joins and writes).
 *
 * Messages in: `{ type: "init", model }`, `{ type: "score", id, input, opts }`; out: `{ type: "ready" }`,
 * `{ type: "scores", id, scores }` (buffers transferred) or `{ type: "error", id, message }`.
 *
 * @example
 * ```ts
 * const worker = new Worker(new URL("./score_worker.ts", import.meta.url).href, { type: "module" });
 * worker.postMessage({ type: "init", model: batchModelOf(scorer) });
 * ```
 * @module
 */
import { type BatchModel, type BatchScoreOptions, BatchScorer, type ColumnarInput } from "../model/batch_scorer.ts";

type Message =
  | { type: "init"; model: BatchModel }
  | { type: "score"; id: number; input: ColumnarInput; opts: BatchScoreOptions };

interface WorkerScope {
  onmessage: ((e: MessageEvent<Message>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;
const post = (message: unknown, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

let scorer: BatchScorer | null = null;

scope.onmessage = async (e: MessageEvent<Message>) => {
  const msg = e.data;
  if (msg.type === "init") {
    try {
      scorer = await BatchScorer.fromModel(msg.model);
      post({ type: "ready" });
    } catch (err) {
      post({ type: "error", id: -1, message: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  try {
    if (!scorer) throw new Error("The scoring worker got a batch before its model");
    const s = scorer.score(msg.input, msg.opts);
    const buffers = [s.logOdds, s.probability, s.reject, s.reasonGroups, s.reasonImpacts].map((a) =>
      a.buffer as ArrayBuffer
    );
    post({ type: "scores", id: msg.id, scores: s }, buffers);
  } catch (err) {
    post({ type: "error", id: msg.id, message: err instanceof Error ? err.message : String(err) });
  }
};
