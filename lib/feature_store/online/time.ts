/**
 * Timestamps of the online store: exact microseconds since the Unix epoch (UTC) as numbers, parsed from and
 * formatted as ISO 8601 with up to microsecond precision.
 *
 * @example
 * ```ts
 * import { formatIsoMicros, parseIsoMicros } from "./time.ts";
 * parseIsoMicros("2021-08-01T00:00:00.000001Z"); // 1627776000000001
 * formatIsoMicros(1627776000000001); // "2021-08-01T00:00:00.000001Z"
 * ```
 * @module
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses an ISO 8601 date or date-time into microseconds since the epoch. A missing time zone means UTC.
 * Fractions beyond microseconds are floored. `what` names the value in the error.
 *
 * @example
 * ```ts
 * parseIsoMicros("2021-08-01"); // 1627776000000000
 * parseIsoMicros("2021-08-01T02:00:00+02:00"); // 1627776000000000
 * ```
 */
export function parseIsoMicros(text: string, what = "timestamp"): number {
  const m = ISO.exec(String(text).trim());
  const bad = () =>
    new RangeError(
      `The ${what} "${text}" is not an ISO 8601 timestamp (e.g. "2021-08-01" or "2021-08-01T12:00:00Z")`,
    );
  if (!m) throw bad();
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (
    !Number.isFinite(ms) || check.getUTCFullYear() !== Number(y) || check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59
  ) throw bad();
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== "Z") {
    const z = zone.replace(":", "");
    offsetMinutes = (z[0] === "-" ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
  }
  const micros = Number((frac + "000000").slice(0, 6));
  return (ms - offsetMinutes * 60_000) * 1000 + micros;
}

/**
 * Formats microseconds since the epoch as ISO 8601 UTC: milliseconds as `Date.toISOString` gives them, six
 * fraction digits when the value has sub-millisecond precision.
 *
 * @example
 * ```ts
 * formatIsoMicros(1627776000000000); // "2021-08-01T00:00:00.000Z"
 * ```
 */
export function formatIsoMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const rest = micros - ms * 1000;
  const iso = new Date(ms).toISOString();
  if (rest === 0) return iso;
  return `${iso.slice(0, -1)}${String(Math.round(rest)).padStart(3, "0")}Z`;
}

/**
 * Microseconds since the epoch of a Date, an ISO string or a number already in microseconds.
 *
 * @example
 * ```ts
 * toMicros(new Date(0)); // 0
 * ```
 */
export function toMicros(value: Date | string | number, what = "timestamp"): number {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms)) throw new RangeError(`The ${what} is an invalid Date`);
    return ms * 1000;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`The ${what} ${value} is not a number of microseconds`);
    return Math.floor(value);
  }
  return parseIsoMicros(value, what);
}
