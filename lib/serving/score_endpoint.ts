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
 * Reasons come with rejections only by default (`reasons: "all"` gives them to approvals too), each with the
 * feature's value in its unit and how much it multiplies the odds of default (explain.ts says why that measure).
 *
 * Stale features: when the share of the request's stored features that are OUTSIDE_MAX_AGE (older than their view's
 * ttl at the server's clock) is above the spec's `maxStaleShare` (default 0.5), the answer's decision is a third
 * outcome, "refer" (not decided automatically: a person decides), with `refer_reason` saying why and
 * `model_decision` what the model alone would have said. A thin file (the entity is NOT_FOUND: a new customer) is not
 * stale: its features are imputed and it is decided as before; only values the store has but may no longer use
 * count.
 *
 * @example
 * ```ts
 * import { scoreHandler } from "./score_endpoint.ts";
 * const score = await scoreHandler({ store, scorer, spec: repo.model });
 * const answer = await score({ zipcode: 76104, dob_ssn: "19530219_5179", person_age: 22, ... });
 * ```
 * @module
 */
import type { FeatureRepo } from "../feature_store/definitions.ts";
import type { OnlineFeaturesRequest, OnlineFeaturesResult } from "../feature_store/online/get_online_features.ts";
import { inputColumns } from "../model/preprocess.ts";
import { InvalidApplicationError, type ModelScorer } from "../model/scorer.ts";
import {
  DEFAULT_REASON_MODE,
  formatEffect,
  formatReason,
  formatValue,
  type ReasonMode,
  reasonUnits,
  wantsReasons,
} from "../model/explain.ts";
import { OnlineDecider } from "../model/online_decider.ts";
import { HttpError } from "./http.ts";
import { boundProblems, parseRequest, resolveModelInputs } from "../repo/request.ts";
import { decisionTexts, DEFAULT_MAX_STALE_SHARE, type ModelSpec } from "../repo/spec.ts";

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
  /** "refer": not decided automatically (too many stale stored features); see `refer_reason`. */
  decision: "approve" | "reject" | "refer";
  /** E.g. "loan application approved!". */
  message: string;
  /** Why the application is referred (only with decision "refer"). */
  refer_reason?: string;
  /** What the model alone would have decided (only with decision "refer"). */
  model_decision?: "approve" | "reject";
  /** Share of the stored features that were OUTSIDE_MAX_AGE (0 without stored features). */
  stale_share: number;
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
    /** The value's unit when the spec knows it ("$", "%", "years"). */
    unit: string | null;
    /** The value with its unit, for people ("$35,000"). */
    value_text: string;
    /** What the feature does, for people ("raises the odds of default x2.3 (+4.1 points)"). */
    effect: string;
    /** Log-odds of default added by the feature against the baseline (what reasons are ranked by). */
    impact: number;
    /** The same as a factor on the odds of default: exp(impact). */
    odds_ratio: number;
    /** The same as a change of the probability (0..1). */
    probability_impact: number;
  }[];
  features: Record<string, UsedFeature>;
  missing_features: string[];
}

/**
 * Builds the `/score` handler over a feature store and a loaded model (see the module doc).
 */
export async function scoreHandler(opts: {
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
  /** Which answers carry reasons (default "rejected"). */
  reasons?: ReasonMode;
}): Promise<(body: Record<string, unknown>) => Promise<ScoreAnswer>> {
  const { store, scorer, spec } = opts;
  const modelName = opts.modelName ?? spec.name;
  const { refs, keys } = resolveModelInputs(inputColumns(scorer.preprocessor.spec), {
    repo: store.repo,
    request: spec.request,
    where: opts.where,
  });
  const subject = spec.subject ?? "application";
  const words = decisionTexts(spec);
  // the same answer as scorer.decide in tens of microseconds, without tfjs (null when the networks are not dense)
  const decider = (await OnlineDecider.fromScorer(scorer)) ?? scorer;
  const reasonMode = opts.reasons ?? DEFAULT_REASON_MODE;
  const units = reasonUnits(spec);
  const outcome = spec.outcomeText ?? "default";
  const maxStale = spec.maxStaleShare ?? DEFAULT_MAX_STALE_SHARE;
  return async (body) => {
    const { row: parsed, problems } = parseRequest(body, spec.request, { subject });
    if (!parsed) throw new HttpError(400, problems.map((p) => p.message).join("; "), problems);
    const bounds = boundProblems(parsed, spec.request);
    if (bounds.length) throw new HttpError(422, bounds.map((p) => p.message).join("; "), bounds);
    const row: Record<string, unknown> = { ...parsed };
    const features: Record<string, UsedFeature> = {};
    const missing: string[] = [];
    let stale = 0, stored = 0;
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
        stored++;
        if (status === "OUTSIDE_MAX_AGE") stale++;
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
    const staleShare = stored ? stale / stored : 0;
    const refer = staleShare > maxStale;
    const shown = refer ? "refer" : decision.decision;
    const answer: ScoreAnswer = {
      decision: shown,
      message: refer
        ? `${subject} referred to a person: not decided automatically`
        : decision.decision === "reject"
        ? words.reject
        : words.approve,
      probability: decision.probability,
      threshold: decision.threshold,
      stale_share: staleShare,
      model: { name: modelName, version: scorer.version },
      reasons: (shown !== "refer" && wantsReasons(shown, reasonMode) ? decision.reasons : []).map((r) => ({
        feature: r.feature,
        description: r.text,
        text: formatReason(r, { unit: units[r.feature], outcome }),
        value: r.value,
        unit: units[r.feature] ?? null,
        value_text: formatValue(r.value, units[r.feature]),
        effect: formatEffect(r, outcome),
        impact: r.impact,
        odds_ratio: Math.exp(r.impact),
        probability_impact: r.probabilityImpact,
      })),
      features,
      missing_features: missing,
    };
    if (refer) {
      answer.model_decision = decision.decision;
      answer.refer_reason = `${stale} of ${stored} stored features (${Math.round(staleShare * 100)}%) are older ` +
        `than their view's ttl at the server's clock (${(opts.asOf ?? new Date()).toISOString()}), above the ` +
        `${Math.round(maxStale * 100)}% this model allows (maxStaleShare): the model would decide on imputed values. ` +
        `Materialize fresh features, or serve historical data with --as-of.`;
    }
    return answer;
  };
}
