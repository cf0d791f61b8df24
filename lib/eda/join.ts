/**
 * What a join added to a table of entity rows: the new columns, how many rows found a value for each (a
 * point-in-time join leaves nulls where no feature row was in the time window), and whether every entity row came
 * back.
 *
 * @example
 * ```ts
 * import { joinReport } from "./join.ts";
 * const report = joinReport(loans, trainingSet);
 * report.added.map((c) => `${c.column}: ${(100 * c.matched_share).toFixed(1)}%`);
 * ```
 * @module
 */
import * as arrow from "apache-arrow";
import { columnTypeName, validityMask } from "../io/arrow_util.ts";
import { numericColumn } from "./columns.ts";

/** One column the join added. */
export interface AddedColumn {
  column: string;
  type: string;
  /** Rows with a value. */
  matched: number;
  matched_share: number;
  /** Rows left null (no feature row in the window). */
  missing: number;
}

/** What {@linkcode joinReport} returns. */
export interface JoinReport {
  entityRows: number;
  joinedRows: number;
  /** Whether every entity row came back once (same row count). */
  allRowsKept: boolean;
  /** Entity columns missing from the joined table (should be none). */
  droppedColumns: string[];
  added: AddedColumn[];
  /** Joined rows with a value in every added column. */
  completeRows: number;
}

/**
 * Compares entity rows with the joined table (see the module doc); {@linkcode viewCoverage} gives the same per
 * feature view.
 *
 * @example
 * ```ts
 * joinReport(loans, training).added.find((c) => c.column === "missed_payments_6m")?.matched_share; // 0.93
 * ```
 */
export function joinReport(entities: arrow.Table, joined: arrow.Table): JoinReport {
  const before = new Set(entities.schema.fields.map((f) => f.name));
  const after = new Set(joined.schema.fields.map((f) => f.name));
  const added: AddedColumn[] = [];
  const rows = joined.numRows;
  const complete = new Uint8Array(rows).fill(1);
  for (const field of joined.schema.fields) {
    if (before.has(field.name)) continue;
    const vector = joined.getChild(field.name)!;
    let missing = vector.nullCount;
    const floats = arrow.DataType.isFloat(field.type); // NaN counts as missing too
    const values = floats ? numericColumn(joined, field.name) : null;
    if (values) missing = 0;
    for (let i = 0; i < rows; i++) {
      const isNull = values ? values[i] !== values[i] : vector.nullCount > 0 && !vector.isValid(i);
      if (isNull) {
        complete[i] = 0;
        if (values) missing++;
      }
    }
    added.push({
      column: field.name,
      type: columnTypeName(field),
      matched: rows - missing,
      matched_share: rows ? Number(((rows - missing) / rows).toFixed(4)) : 0,
      missing,
    });
  }
  let completeRows = 0;
  for (const c of complete) completeRows += c;
  return {
    entityRows: entities.numRows,
    joinedRows: rows,
    allRowsKept: entities.numRows === rows,
    droppedColumns: [...before].filter((c) => !after.has(c)),
    added,
    completeRows: added.length ? completeRows : rows,
  };
}

/** Coverage of one feature view. */
export interface ViewCoverage {
  view: string;
  columns: number;
  /** Rows with every column of the view present (the feature row was found). */
  matched_rows: number;
  matched_share: number;
}

/**
 * Per feature view: rows for which the view's feature row was found (all its added columns non-null).
 *
 * @example
 * ```ts
 * viewCoverage(loans, training, { credit_history: ["mortgage_due", "hard_pulls"], zipcode_features: ["state"] });
 * ```
 */
export function viewCoverage(
  entities: arrow.Table,
  joined: arrow.Table,
  views: Record<string, string[]>,
): ViewCoverage[] {
  const before = new Set(entities.schema.fields.map((f) => f.name));
  return Object.entries(views).map(([view, columns]) => {
    const cols = columns.filter((c) => !before.has(c));
    for (const c of cols) {
      if (!joined.getChild(c)) throw new Error(`Column "${c}" of view "${view}" is not in the joined table`);
    }
    const masks = cols.map((c) => validityMask(joined.getChild(c)!)).filter((m) => m !== null);
    let matched = 0;
    for (let i = 0; i < joined.numRows; i++) {
      if (masks.every((m) => m[i] === 1)) matched++;
    }
    return {
      view,
      columns: cols.length,
      matched_rows: matched,
      matched_share: joined.numRows ? Number((matched / joined.numRows).toFixed(4)) : 0,
    };
  });
}

/**
 * Feature references (`view:feature`, Feast's form) grouped by view, for {@linkcode viewCoverage}.
 *
 * @example
 * ```ts
 * groupFeatureRefs(["credit_history:hard_pulls", "zipcode_features:state"]);
 * // { credit_history: ["hard_pulls"], zipcode_features: ["state"] }
 * ```
 */
export function groupFeatureRefs(refs: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const ref of refs) {
    const at = ref.indexOf(":");
    if (at <= 0 || at === ref.length - 1) throw new Error(`Feature reference "${ref}" is not "view:feature"`);
    (out[ref.slice(0, at)] ??= []).push(ref.slice(at + 1));
  }
  return out;
}
