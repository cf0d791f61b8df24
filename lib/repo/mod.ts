/**
 * What a feature repo's `features.ts` imports: the definition API (entities, sources, feature views, services, the
 * repo) and the model spec's types. `deno task init` writes a `features.ts` that imports this module.
 *
 * @example
 * ```ts
 * import { entity, featureRepo, featureView, fileSource, type ModelSpec } from "../toolkit/lib/repo/mod.ts";
 * ```
 * @module
 */
export {
  entity,
  type FeatureRepo,
  featureRepo,
  featureService,
  featureView,
  fileSource,
} from "../feature_store/definitions.ts";
export type { Feature } from "../model/preprocess.ts";
export type { IdColumn, ModelSpec, RequestField } from "./spec.ts";
export type { Dataset, RepoContext } from "./load.ts";
