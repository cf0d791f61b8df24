/**
 * "Did you mean" hints for errors about misspelt names (settings, columns, flags).
 *
 * @example
 * ```ts
 * import { didYouMean } from "./suggest.ts";
 * didYouMean("popluation", ["population", "city"]); // '; did you mean "population"?'
 * ```
 * @module
 */

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/**
 * `; did you mean "x"?` for the closest candidate within `maxDistance` edits (case-insensitive), else "".
 */
export function didYouMean(name: string, candidates: Iterable<string>, maxDistance = 2): string {
  let best = "";
  let bestDistance = maxDistance + 1;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best ? `; did you mean "${best}"?` : "";
}
