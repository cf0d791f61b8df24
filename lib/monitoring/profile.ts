/**
 * Reference profiles: what the drift tests need from the reference data, saved once and reused so a daily run reads
 * only the current data.
 *
 * Per numerical column the profile keeps the exact statistics (count, missing, min, max, mean, std, distinct), the
 * PSI cut points with their exact reference counts, and the distribution itself:
 *
 * - exactly, as distinct values with counts, when there are at most `maxPoints` distinct values (default 10,000:
 *   every categorical-looking column, ages, counts, rounded amounts), so every test gives the same answer as on the
 *   data;
 * - otherwise as a quantile sketch: the sorted values cut into `maxPoints` groups of equal weight, each kept as its
 *   mean. The sketch's Wasserstein distance to the data is computed when it is made and stored (`sketch_error`);
 *   by the triangle inequality a Wasserstein score from the sketch is within that distance (divided by the
 *   reference std) of the exact score, typically about 1e-4 for 10,000 points. KS statistics move by at most
 *   1 / maxPoints. Jensen-Shannon on Sturges bins and the charts are approximate to the same degree; PSI is exact.
 *
 * Categorical columns keep every category's count. The file is one JSON document (`drift-profile/1`) with the
 * numeric arrays as base64 little-endian float64; at the defaults it is at most about 215 KB per numerical column
 * whatever the row count.
 *
 * @example
 * ```ts
 * import { loadProfile, saveProfile } from "./profile.ts";
 * // const { profile } = await computeDrift(referenceTable, currentTable);
 * // await saveProfile(profile, "reports/reference.profile.json");
 * const profile = await loadProfile("reports/reference.profile.json");
 * ```
 * @module
 */
import { Buffer } from "node:buffer";
import { type IoOptions, readBytes, writeBytes } from "../io/mod.ts";
import type { NumericReference } from "./column_drift.ts";
import { type NumericSample, runLengths, sampleFromSorted, type SampleStats } from "./sample.ts";

/** Profile format tag. */
export const PROFILE_FORMAT = "drift-profile/1";
/** Default size of the quantile sketch. */
export const DEFAULT_SKETCH_POINTS = 10_000;

/** A numeric-typed reference column. */
export interface NumericProfileColumn extends NumericReference {
  column: string;
  type: "numeric";
  rows: number;
  missing: number;
  /** Whether the reference column holds integers (decides the categorical test for few values; absent = true). */
  integer?: boolean;
}

/** A string or boolean reference column. */
export interface CategoricalProfileColumn {
  column: string;
  type: "string" | "boolean";
  rows: number;
  missing: number;
  /** Category label -> count. */
  categories: Map<string, number>;
}

/** A column of a {@link ReferenceProfile}. */
export type ProfileColumn = NumericProfileColumn | CategoricalProfileColumn;

/** The reference side of drift reports, from data (exact) or loaded from a file. */
export interface ReferenceProfile {
  format: typeof PROFILE_FORMAT;
  created_at: string;
  /** Where the reference data came from. */
  source: string;
  rows: number;
  columns: ProfileColumn[];
}

/**
 * True when `x` is a {@link ReferenceProfile} (and not an Arrow table).
 *
 * @example
 * ```ts
 * import { isProfile } from "./profile.ts";
 * isProfile({ format: "drift-profile/1" }); // true
 * ```
 */
export function isProfile(x: unknown): x is ReferenceProfile {
  return typeof x === "object" && x !== null && (x as { format?: unknown }).format === PROFILE_FORMAT;
}

/**
 * The quantile sketch of a sample: `points` equal-weight groups of consecutive sorted values, each replaced by its
 * mean (groups with equal means merged); `wasserstein` is the exact W1 distance between the sample and the sketch.
 *
 * @example
 * ```ts
 * import { sketchSample } from "./profile.ts";
 * import { sampleFromValues } from "./sample.ts";
 * const { sample, wasserstein } = sketchSample(sampleFromValues(Float64Array.from([1, 2, 3, 4])), 2);
 * // sample.values = [1.5, 3.5], wasserstein = 0.5
 * ```
 */
export function sketchSample(s: NumericSample, points: number): { sample: NumericSample; wasserstein: number } {
  const target = s.n / points;
  const outV: number[] = [], outC: number[] = [];
  const pieceV: number[] = [], pieceW: number[] = [];
  let blockW = 0, blockSum = 0, absDev = 0;
  const close = () => {
    if (blockW <= 0) return;
    const mean = blockSum / blockW;
    for (let i = 0; i < pieceV.length; i++) absDev += pieceW[i] * Math.abs(pieceV[i] - mean);
    if (outV.length && outV[outV.length - 1] === mean) outC[outC.length - 1] += blockW;
    else {
      outV.push(mean);
      outC.push(blockW);
    }
    pieceV.length = pieceW.length = 0;
    blockW = blockSum = 0;
  };
  const v = s.values, c = s.counts;
  for (let i = 0; i < v.length; i++) {
    let w = c ? c[i] : 1;
    while (w > 0) {
      const take = Math.min(w, target - blockW);
      blockW += take;
      blockSum += take * v[i];
      pieceV.push(v[i]);
      pieceW.push(take);
      w -= take;
      if (blockW >= target * (1 - 1e-12)) close();
    }
  }
  close();
  return {
    sample: sampleFromSorted(Float64Array.from(outV), Float64Array.from(outC)),
    wasserstein: absDev / s.n,
  };
}

function b64(a: Float64Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return Buffer.from(bytes).toString("base64");
}

function fromB64(text: string, what: string): Float64Array {
  const buf = Buffer.from(text, "base64");
  if (buf.byteLength % 8 !== 0) throw new Error(`Profile field ${what} is not a float64 array`);
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return new Float64Array(copy.buffer);
}

/** Options of {@link profileToJson} and {@link saveProfile}. */
export interface SaveProfileOptions extends IoOptions {
  /** Distinct values kept exactly; above this a quantile sketch of this many points (default 10,000). */
  maxPoints?: number;
}

/**
 * The profile as a JSON-ready object (numerical columns compressed to distinct values or a sketch).
 *
 * @example
 * ```ts
 * import { profileToJson } from "./profile.ts";
 * // JSON.stringify(profileToJson(profile))
 * ```
 */
export function profileToJson(profile: ReferenceProfile, opts: SaveProfileOptions = {}): Record<string, unknown> {
  const maxPoints = opts.maxPoints ?? DEFAULT_SKETCH_POINTS;
  const columns = profile.columns.map((col) => {
    if (col.type !== "numeric") {
      return {
        column: col.column,
        type: col.type,
        rows: col.rows,
        missing: col.missing,
        categories: [...col.categories.entries()].sort((a, b) => b[1] - a[1]),
      };
    }
    let sample = col.sample;
    let approximate = col.approximate;
    if (!approximate) {
      const rl = runLengths(sample);
      if (rl.values.length <= maxPoints) sample = sampleFromSorted(rl.values, rl.counts);
      else {
        const sk = sketchSample(sample, maxPoints);
        sample = sk.sample;
        approximate = { wasserstein: sk.wasserstein, ks: 1 / maxPoints };
      }
    }
    return {
      column: col.column,
      type: "numeric",
      rows: col.rows,
      missing: col.missing,
      ...(col.integer === undefined ? {} : { integer: col.integer }),
      stats: col.stats,
      psi: col.psi,
      exact: approximate === null,
      sketch_error: approximate,
      values: b64(sample.values),
      counts: sample.counts ? b64(sample.counts) : null,
    };
  });
  return {
    format: PROFILE_FORMAT,
    created_at: profile.created_at,
    source: profile.source,
    rows: profile.rows,
    columns,
  };
}

/**
 * Reads a profile object parsed from JSON, checking its shape.
 *
 * @example
 * ```ts
 * import { profileFromJson } from "./profile.ts";
 * // profileFromJson(JSON.parse(text), "reference.profile.json")
 * ```
 */
export function profileFromJson(json: unknown, source = "profile"): ReferenceProfile {
  // deno-lint-ignore no-explicit-any
  const j = json as any;
  if (!isProfile(j)) {
    throw new Error(`File "${source}" is not a drift profile (expected "format": "${PROFILE_FORMAT}")`);
  }
  if (!Array.isArray(j.columns)) throw new Error(`Drift profile "${source}" has no "columns" list`);
  // deno-lint-ignore no-explicit-any
  const columns: ProfileColumn[] = j.columns.map((c: any) => {
    if (typeof c?.column !== "string") throw new Error(`Drift profile "${source}" has a column without a name`);
    if (c.type === "numeric") {
      const values = fromB64(c.values, `"${c.column}".values`);
      const counts = c.counts === null ? null : fromB64(c.counts, `"${c.column}".counts`);
      if (counts && counts.length !== values.length) {
        throw new Error(
          `Drift profile "${source}": column "${c.column}" has ${values.length} values and ${counts.length} counts`,
        );
      }
      return {
        column: c.column,
        type: "numeric",
        rows: c.rows,
        missing: c.missing,
        ...(typeof c.integer === "boolean" ? { integer: c.integer } : {}),
        sample: sampleFromSorted(values, counts),
        stats: c.stats as SampleStats,
        psi: c.psi,
        approximate: c.exact ? null : c.sketch_error,
      } satisfies NumericProfileColumn;
    }
    if (c.type === "string" || c.type === "boolean") {
      return {
        column: c.column,
        type: c.type,
        rows: c.rows,
        missing: c.missing,
        categories: new Map<string, number>(c.categories),
      } satisfies CategoricalProfileColumn;
    }
    throw new Error(`Drift profile "${source}": column "${c.column}" has unknown type "${c.type}"`);
  });
  return { format: PROFILE_FORMAT, created_at: j.created_at, source: j.source, rows: j.rows, columns };
}

/**
 * Saves a profile as JSON (local path or `s3://`, written atomically).
 *
 * @example
 * ```ts
 * import { saveProfile } from "./profile.ts";
 * // await saveProfile(profile, "s3://bucket/monitoring/reference.profile.json");
 * ```
 */
export async function saveProfile(
  profile: ReferenceProfile,
  uri: string,
  opts: SaveProfileOptions = {},
): Promise<number> {
  const bytes = new TextEncoder().encode(JSON.stringify(profileToJson(profile, opts)));
  await writeBytes(uri, bytes, { ...opts, contentType: "application/json" });
  return bytes.byteLength;
}

/**
 * Loads a profile saved by {@link saveProfile}.
 *
 * @example
 * ```ts
 * import { loadProfile } from "./profile.ts";
 * const profile = await loadProfile("reports/reference.profile.json");
 * ```
 */
export async function loadProfile(uri: string, opts: IoOptions = {}): Promise<ReferenceProfile> {
  const text = new TextDecoder().decode(await readBytes(uri, opts));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`File "${uri}" is not JSON: ${(err as Error).message}`);
  }
  return profileFromJson(json, uri);
}
