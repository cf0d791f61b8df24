/**
 * The evaluation step of training: the decision threshold chosen on the validation rows with the policy, then the
 * model evaluated at that threshold on validation and on the held-out test rows (ROC AUC, PR AUC, KS, Brier,
 * calibration, confusion matrix; metrics.ts).
 *
 * @example
 * ```ts
 * import { evaluateOnHoldout } from "./train_evaluation.ts";
 * const e = evaluateOnHoldout(scorer, fitted.data, { policy: { kind: "target_recall", targetRecall: 0.9 } });
 * e.threshold.threshold; e.test.rocAuc;
 * ```
 * @module
 */
import type { Dataset } from "./tfjs_model.ts";
import { evaluate, type Evaluation } from "./metrics.ts";
import { chooseThreshold, type ThresholdChoice, type ThresholdPolicy } from "./policy.ts";
import type { ModelScorer } from "./scorer.ts";

/** What {@link evaluateOnHoldout} returns. */
export interface HoldoutEvaluation {
  /** Chosen on validation. */
  threshold: ThresholdChoice;
  validation: Evaluation;
  test: Evaluation;
  /** Calibrated probabilities of the test rows (for the charts). */
  testProbability: Float32Array;
}

/** See the module doc. `log` gets one line of the test figures (with `trainSeconds` and `backend` when given). */
export function evaluateOnHoldout(
  scorer: ModelScorer,
  data: { validation: Dataset; test: Dataset },
  opts: { policy: ThresholdPolicy; log?: (line: string) => void; trainSeconds?: number; backend?: string },
): HoldoutEvaluation {
  const { validation, test } = data;
  const valP = scorer.predictEncoded(validation.x, validation.rows);
  const threshold = chooseThreshold(valP, validation.y, opts.policy);
  const testP = scorer.predictEncoded(test.x, test.rows);
  const testEval = evaluate(testP, test.y, threshold.threshold);
  const valEval = evaluate(valP, validation.y, threshold.threshold);
  opts.log?.(
    `test ROC AUC ${testEval.rocAuc.toFixed(4)}, PR AUC ${testEval.prAuc.toFixed(4)}, KS ${
      testEval.ks.statistic.toFixed(3)
    }, ` +
      `recall ${testEval.confusion.recall.toFixed(3)} at threshold ${threshold.threshold.toFixed(4)} (train ${
        (opts.trainSeconds ?? NaN).toFixed(1)
      } s, ${opts.backend ?? "tfjs"})`,
  );
  return { threshold, validation: valEval, test: testEval, testProbability: testP };
}
