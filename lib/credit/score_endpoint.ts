/**
 * The credit decision behind `POST /score`: a loan application is checked field by field, its stored features are
 * read from the online store (credit history by `dob_ssn`, zipcode features by `zipcode`), the model scores it and
 * the answer carries the probability, the decision against the model's threshold, the model version, the reasons
 * and every feature value used with its status and timestamp.
 *
 * An applicant the online store does not know (a thin file) is scored with the model's imputation, and the missing
 * features are listed; a malformed application is a 400 naming the fields; an out-of-range one a 422 naming them
 * (both also list each field's problem under `fields`, for the web form).
 *
 * @example
 * ```ts
 * import { creditScoreHandler } from "./score_endpoint.ts";
 * const score = creditScoreHandler({ store, scorer, modelName: "credit_default" });
 * const answer = await score({ zipcode: 76104, dob_ssn: "19530219_5179", person_age: 22, ... });
 * ```
 * @module
 */
import type { FeatureRepo } from "../feature_store/definitions.ts";
import type { OnlineFeaturesRequest, OnlineFeaturesResult } from "../feature_store/online/get_online_features.ts";
import { inputColumns } from "../model/preprocess.ts";
import { type CreditScorer, InvalidApplicationError } from "../model/train.ts";
import { formatReason } from "../model/explain.ts";
import { OnlineDecider } from "../model/online_decider.ts";
import { HttpError } from "../serving/http.ts";
import { parseApplication } from "./application.ts";

/** What `/score` needs from the feature store. */
export interface ScoringStore {
  repo: FeatureRepo;
  getOnlineFeatures(request: OnlineFeaturesRequest): Promise<OnlineFeaturesResult>;
}

/** `view:feature` references of the model's inputs that the repo's views provide (the rest come with the request). */
export function onlineFeatureRefs(repo: FeatureRepo, columns: readonly string[]): string[] {
  const refs: string[] = [];
  for (const column of columns) {
    const view = repo.views.find((v) => v.schema.some((f) => f.name === column));
    if (view) refs.push(`${view.name}:${column}`);
  }
  return refs;
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
  message: "loan approved!" | "loan rejected!";
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
 * Builds the `/score` handler over a feature store and a loaded model.
 */
export function creditScoreHandler(opts: {
  store: ScoringStore;
  scorer: CreditScorer;
  modelName: string;
  /** The clock feature ages are measured against (default now; a fixed time replays historical data). */
  asOf?: Date;
}): (body: Record<string, unknown>) => Promise<ScoreAnswer> {
  const { store, scorer } = opts;
  const refs = onlineFeatureRefs(store.repo, inputColumns(scorer.preprocessor.spec));
  // the same answer as scorer.decide in tens of microseconds, without tfjs (null when the networks are not dense)
  const decider = OnlineDecider.fromScorer(scorer) ?? scorer;
  return async (body) => {
    const { application, problems } = parseApplication(body);
    if (!application) {
      throw new HttpError(400, problems.map((p) => p.message).join("; "), problems);
    }
    const row: Record<string, unknown> = { ...application };
    const features: Record<string, UsedFeature> = {};
    const missing: string[] = [];
    if (refs.length) {
      const online = await store.getOnlineFeatures({
        features: refs,
        entityRows: [{ dob_ssn: application.dob_ssn, zipcode: application.zipcode }],
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
      decision = decider.decide(row as Parameters<CreditScorer["decide"]>[0]);
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
      message: decision.decision === "reject" ? "loan rejected!" : "loan approved!",
      probability: decision.probability,
      threshold: decision.threshold,
      model: { name: opts.modelName, version: scorer.version },
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
