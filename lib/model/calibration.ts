/**
 * Calibration of a model's scores: Platt scaling of the ensemble's mean logit, fitted on the validation rows.
 *
 * @example
 * ```ts
 * import { fitPlatt } from "./calibration.ts";
 * const { a, b } = fitPlatt(validationLogits, validationLabels); // p = sigmoid(a * logit + b)
 * ```
 * @module
 */
import { sigmoid } from "../numeric/special.ts";

/**
 * Platt scaling: the a, b minimising log loss of sigmoid(a * logit + b) (Newton's method with a small ridge).
 * Monotone for a > 0, so ranking metrics are unchanged.
 *
 * @example
 * ```ts
 * const { a, b } = fitPlatt(Float32Array.of(-2, -1, 1, 2), Float32Array.of(0, 0, 1, 1));
 * ```
 */
export function fitPlatt(logits: ArrayLike<number>, labels: ArrayLike<number>): { a: number; b: number } {
  let a = 1;
  let b = 0;
  const n = logits.length;
  if (n === 0) return { a, b };
  for (let iter = 0; iter < 50; iter++) {
    let ga = 0, gb = 0, haa = 1e-6, hab = 0, hbb = 1e-6;
    for (let i = 0; i < n; i++) {
      const z = logits[i];
      const p = sigmoid(a * z + b);
      const d = p - labels[i];
      const w = p * (1 - p);
      ga += d * z;
      gb += d;
      haa += w * z * z;
      hab += w * z;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-12)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  if (!(a > 0) || !Number.isFinite(b)) return { a: 1, b: 0 };
  return { a, b };
}
