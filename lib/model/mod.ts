/**
 * Credit-default models: preprocessing, tfjs networks, training and loading, reason codes, metrics, threshold
 * policy, charts, run tracking and the model registry.
 *
 * @example
 * ```ts
 * import { loadModel, trainModel } from "./mod.ts";
 * import { creditTrainingSource } from "../credit/model_spec.ts";
 * const result = await trainModel({ source: creditTrainingSource("generated"), root: "data/models" });
 * const scorer = await loadModel({ root: "data/models", alias: "champion" });
 * ```
 * @module
 */
export * from "./preprocess.ts";
export * from "./tfjs_backend.ts";
export * from "./tfjs_model.ts";
export * from "./train.ts";
export * from "./explain.ts";
export * from "./metrics.ts";
export * from "./policy.ts";
export * from "./charts.ts";
export * from "./tracking.ts";
export * from "./registry.ts";
