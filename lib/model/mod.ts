/**
 * Credit-default models: preprocessing, model types (model_types.ts) and their tfjs networks, training (train.ts and
 * its steps) and loading (scorer.ts), reason codes, metrics, threshold policy, charts, run tracking and the model
 * registry.
 *
 * @example
 * ```ts
 * import { loadModel, trainModel } from "./mod.ts";
 * import { openRepo, trainingSourceOf } from "../repo/load.ts";
 * const result = await trainModel({ source: trainingSourceOf(await openRepo()), root: "data/models" });
 * const scorer = await loadModel({ root: "data/models", alias: "champion" });
 * ```
 * @module
 */
export * from "./preprocess.ts";
export * from "./tfjs_backend.ts";
export * from "./tfjs_model.ts";
export * from "./model_types.ts";
export * from "./dense_layers.ts";
export * from "./time_split.ts";
export * from "./calibration.ts";
export * from "./training_set.ts";
export * from "./fit_ensemble.ts";
export * from "./train_evaluation.ts";
export * from "./training_run.ts";
export * from "./scorer.ts";
export * from "./train.ts";
export * from "./explain.ts";
export * from "./metrics.ts";
export * from "./policy.ts";
export * from "./charts.ts";
export * from "./tracking.ts";
export * from "./registry.ts";
