/**
 * The decision behind `POST /score` for any repo: the request is checked field by field against the model spec's
 * request fields, the stored features are read from the online store by the request's join keys, the model scores
 * it and the answer carries the probability, the decision against the model's threshold, the model version, the
 * reasons and every stored feature value used with its status and timestamp.
 *
 * Every model input must come from the request or a feature view of the repo: otherwise building the handler fails
 * with a {@link MissingInputError} naming the input (never a silent null). An entity the online store does not know
 * (a thin file) is scored with the model's imputation, and the missing features are listed; a malformed request is a
 * 400 naming the fields; an out-of-range one a 422 naming them (both also list each field's problem under
 * `fields`, for the web form).
 *
 * @example
 * ```ts
 * import { scoreHandler } from "./score_endpoint.ts";
 * const score = scoreHandler({ store, scorer, spec: repo.model });
 * const answer = await score({ zipcode: 76104, dob_ssn: "19530219_5179", person_age: 22, ... });
 * ```
 * @module
 */
import type { FeatureRepo } from "../feature_store/definitions.ts";
import type { OnlineFeaturesRequest, OnlineFeaturesResult } from "../feature_store/online/get_online_features.ts";
import { inputColumns } from "../model/preprocess.ts";
import { InvalidApplicationError, type ModelScorer } from "../model/scorer.ts";
import { formatReason } from "../model/explain.ts";
import { OnlineDecider } from "../model/online_decider.ts";
import { HttpError } from "./http.ts";
import { boundProblems, parseRequest, resolveModelInputs } from "../repo/request.ts";
import type { ModelSpec } from "../repo/spec.ts";

/** What `/score` needs from the feature store. */
export interface ScoringStore {
  repo: FeatureRepo;
  getOnlineFeatures(request: OnlineFeaturesRequest): Promise<OnlineFeaturesResult>;
}

/** One feature value used for a decision. */
export interface UsedFeature {
  value: unknown;
  status: string;
  event_timestamp: string | null;
}

/** The JSON answer of `/score`. */
export interface ScoreAnswer {
  decision: "approve" | "reject";
  /** E.g. "loan application approved!". */
  message: string;
  probability: number;
  threshold: number;
  model: { name: string; version: number | null };
  reasons: {
    feature: string;
    /** The feature in words ("missed payments in the last 6 months"). */
    description: string;
    /** The whole reason in words, with its impact. */
    text: string;
    value: unknown;
    impact: number;
    probability_impact: number;
  }[];
  features: Record<string, UsedFeature>;
  missing_features: string[];
}

/**
 * Builds the `/score` handler over a feature store and a loaded model (see the module doc).
 */
export function scoreHandler(opts: {
  store: ScoringStore;
  scorer: ModelScorer;
  /** The repo's model spec (request fields, subject, decision words). */
  spec: ModelSpec;
  /** Registered model name (default the spec's). */
  modelName?: string;
  /** The clock feature ages are measured against (default now; a fixed time replays historical data). */
  asOf?: Date;
  /** Where the spec comes from, for messages. */
  where?: string;
}): (body: Record<string, unknown>) => Promise<ScoreAnswer> {
  const { store, scorer, spec } = opts;
  const modelName = opts.modelName ?? spec.name;
  const { refs, keys } = resolveModelInputs(inputColumns(scorer.preprocessor.spec), {
    repo: store.repo,
    request: spec.request,
    where: opts.where,
  });
  const subject = spec.subject ?? "application";
  const words = spec.decisionText ?? { approve: `${subject} approved!`, reject: `${subject} rejected!` };
  // the same answer as scorer.decide in tens of microseconds, without tfjs (null when the networks are not dense)
  const decider = OnlineDecider.fromScorer(scorer) ?? scorer;
  return async (body) => {
    const { row: parsed, problems } = parseRequest(body, spec.request, { subject });
    if (!parsed) throw new HttpError(400, problems.map((p) => p.message).join("; "), problems);
    const bounds = boundProblems(parsed, spec.request);
    if (bounds.length) throw new HttpError(422, bounds.map((p) => p.message).join("; "), bounds);
    const row: Record<string, unknown> = { ...parsed };
    const features: Record<string, UsedFeature> = {};
    const missing: string[] = [];
    if (refs.length) {
      const entityRow: Record<string, unknown> = {};
      for (const k of keys) entityRow[k] = parsed[k];
      const online = await store.getOnlineFeatures({
        features: refs,
        entityRows: [entityRow as Record<string, string | number>],
        asOf: opts.asOf,
      });
      for (const column of online.results) {
        if (!column.view) continue;
        const value = column.values[0];
        const status = column.statuses[0];
        const ts = column.eventTimestamps[0];
        const present = status === "PRESENT";
        row[column.name] = present ? (typeof value === "bigint" ? Number(value) : value) : null;
        if (!present) missing.push(column.name);
        features[column.name] = {
          value: typeof value === "bigint" ? Number(value) : value,
          status,
          event_timestamp: ts === null ? null : new Date(Math.floor(ts / 1000)).toISOString(),
        };
      }
    }
    let decision;
    try {
      decision = decider.decide(row as Parameters<ModelScorer["decide"]>[0], { top: spec.topReasons });
    } catch (err) {
      if (err instanceof InvalidApplicationError) {
        throw new HttpError(
          422,
          err.problems.map((p) => `Field "${p.column}": ${p.reason}`).join("; "),
          err.problems.map((p) => ({ field: p.column, message: p.reason })),
        );
      }
      throw err;
    }
    return {
      decision: decision.decision,
      message: decision.decision === "reject" ? words.reject : words.approve,
      probability: decision.probability,
      threshold: decision.threshold,
      model: { name: modelName, version: scorer.version },
      reasons: decision.reasons.map((r) => ({
        feature: r.feature,
        description: r.text,
        text: formatReason(r),
        value: r.value,
        impact: r.impact,
        probability_impact: r.probabilityImpact,
      })),
      features,
      missing_features: missing,
    };
  };
}
