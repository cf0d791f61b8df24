/**
 * The credit tutorial's person key `dob_ssn`: `YYYYMMDD_NNNN`, a real date of birth and the last four SSN digits,
 * checked on UTF-8 bytes for batch scoring (no string made per row).
 *
 * @example
 * ```ts
 * import { dobSsnBytes } from "./dob_ssn.ts";
 * dobSsnBytes(new TextEncoder().encode("19530219_5179"), 0, 13); // true
 * ```
 * @module
 */

const DIGIT_0 = 48, DIGIT_9 = 57, UNDERSCORE = 95;

function digits(b: Uint8Array, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const c = b[i];
    if (c < DIGIT_0 || c > DIGIT_9) return -1;
    v = v * 10 + (c - DIGIT_0);
  }
  return v;
}

/**
 * `isDobSsn` on UTF-8 bytes, without making a string: 13 bytes, `YYYYMMDD_NNNN`, a real calendar date.
 *
 * @example
 * ```ts
 * dobSsnBytes(new TextEncoder().encode("19530219_5179"), 0, 13); // true
 * ```
 */
export function dobSsnBytes(b: Uint8Array, start: number, end: number): boolean {
  if (end - start !== 13 || b[start + 8] !== UNDERSCORE) return false;
  const y = digits(b, start, 4), m = digits(b, start + 4, 2), d = digits(b, start + 6, 2);
  if (y < 100 || m < 1 || m > 12 || d < 1 || digits(b, start + 9, 4) < 0) return false; // Date.UTC maps 0-99 to 19xx
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  return d <= days;
}
