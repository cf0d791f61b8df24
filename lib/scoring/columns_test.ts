import * as arrow from "apache-arrow";
import { assert, assertEquals } from "@std/assert";
import { timestampVector } from "../io/mod.ts";
import { checkBatch, type InputSchema, summarizeProblems, utf8FromCodes } from "./columns.ts";

const SCHEMA: InputSchema = {
  columns: [
    { name: "id", kind: "integer", optional: true, nullable: true },
    {
      name: "code",
      kind: "text",
      checkBytes: (b, s, e) => e - s === 3 && b[s] === 65, // "A" and two more bytes
      check: (v) => (/^A..$/.test(v) ? null : `column "code" is ${JSON.stringify(v)}; expected A + two characters`),
    },
    { name: "age", kind: "integer" },
    { name: "income", kind: "number" },
    { name: "rate", kind: "number", nullable: true },
    { name: "home", kind: "text", values: ["RENT", "OWN"], normalize: (s) => s.trim().toUpperCase() },
    { name: "t", kind: "timestamp" },
  ],
  timestampColumn: "t",
  idColumns: ["id", "code", "t"],
  rules: [{ column: "age", min: 18, max: 100, label: "age" }],
};

function batchOf(columns: Record<string, arrow.Vector>): arrow.RecordBatch {
  return new arrow.Table(columns).batches[0];
}

const T0 = 1_600_000_000_000_000n;

Deno.test("checkBatch: typed columns; every problem lands on its row with the column and value named", () => {
  const b = batchOf({
    id: arrow.makeVector(BigInt64Array.of(1n, 2n, 3n, 4n, 5n, 6n)),
    code: arrow.vectorFromArray(["A01", "B02", null, "A03", "A04", "A05"], new arrow.Utf8()),
    age: arrow.vectorFromArray([30, 40, 50, 17.5, 200, 33], new arrow.Float64()),
    income: arrow.vectorFromArray([1000, null, 3000, 4000, 5000, NaN], new arrow.Float64()),
    rate: arrow.vectorFromArray([null, 2, NaN, 4, 5, 6], new arrow.Float64()),
    home: arrow.vectorFromArray([" rent", "OWN", "own", "CASTLE", "RENT", "OWN"], new arrow.Utf8()),
    t: timestampVector(BigInt64Array.from({ length: 6 }, (_, i) => T0 + BigInt(i))),
  });
  const c = checkBatch(b, SCHEMA, { categories: (col) => (col === "home" ? ["MORTGAGE"] : null) });
  const kinds = (row: number) => (c.problems.get(row) ?? []).map((p) => `${p.column}:${p.kind}`);
  assertEquals(kinds(0), []);
  assertEquals(kinds(1), ["code:bad_format", "income:null"]);
  assertEquals(kinds(2), ["code:null"]);
  assertEquals(kinds(3), ["age:not_whole", "home:unknown_category"]);
  assertEquals(kinds(4), ["age:out_of_range"]);
  assertEquals(kinds(5), ["income:null"], "NaN in a float column is missing, as null");
  assertEquals(c.problems.get(1)![0].message, `column "code" is "B02"; expected A + two characters`);
  assertEquals(
    c.problems.get(3)![1].message,
    `column "home" is "CASTLE", an unknown category; expected one of MORTGAGE, OWN, RENT`,
  );
  assertEquals(c.problems.get(4)![0].message, `column "age": age is 200; expected between 18 and 100`);
  // values: normalized categories, numbers with NaN for missing, ids with normalized types
  assertEquals(c.texts.home.values, ["RENT", "OWN"]);
  assertEquals(Array.from(c.texts.home.codes), [0, 1, 1, -1, 0, 1]);
  assertEquals(Array.from(c.numbers.rate).map((v) => (Number.isNaN(v) ? null : v)), [null, 2, null, 4, 5, 6]);
  assertEquals(String(c.vectors.id.type), "Int64");
  assertEquals(c.vectors.code.get(0), "A01");
  assertEquals(c.timestamps[5], Number(T0) + 5);
  // with scoreFlagged the out-of-range row is scored and flagged instead
  const flagged = checkBatch(b, SCHEMA, { scoreFlagged: true });
  assert(!flagged.problems.has(4));
  assertEquals(flagged.flags.get(4)![0].kind, "out_of_range");
  const summary = summarizeProblems(c.problems, 100);
  assertEquals(summary.find((s) => s.column === "income")!.rows, 2);
  assertEquals(summary.find((s) => s.column === "income")!.firstRow, 101);
});

Deno.test("checkBatch: text columns (CSV) are parsed; missing columns, wrong types and naive timestamps hit every row", () => {
  const text = (values: (string | null)[]) => arrow.vectorFromArray(values, new arrow.Utf8());
  const csv = batchOf({
    code: text(["A01", "A02", "A03", "A04"]),
    age: text(["30", "abc", "", "41"]),
    income: text(["1e3", "2000", "3000", "x"]),
    rate: text(["", "1.5", null, "2"]),
    home: text(["RENT", "OWN", "RENT", "OWN"]),
    t: text(["2021-01-01T00:00:00Z", "2021-01-01 10:00:00+02:00", "yesterday", "2021-01-01T00:00:00"]),
  });
  const c = checkBatch(csv, SCHEMA);
  const kinds = (row: number) => (c.problems.get(row) ?? []).map((p) => `${p.column}:${p.kind}`);
  assertEquals(kinds(0), []);
  assertEquals(kinds(1), ["age:not_a_number"]);
  assertEquals(kinds(2), ["age:null", "t:bad_timestamp"]);
  assertEquals(kinds(3), ["income:not_a_number", "t:bad_timestamp"], "no UTC offset");
  assertEquals(c.numbers.income[0], 1000);
  assertEquals(c.timestamps[1], Date.parse("2021-01-01T08:00:00Z") * 1000);
  assertEquals(checkBatch(csv, SCHEMA, { naiveTimestamps: "utc" }).problems.get(3)!.length, 1);
  // a missing required column and a column of the wrong type: every row, once per column
  const broken = batchOf({
    code: text(["A01", "A02"]),
    age: arrow.vectorFromArray([true, false], new arrow.Bool()),
    income: arrow.vectorFromArray([1, 2], new arrow.Float64()),
    t: timestampVector(BigInt64Array.of(T0, T0), { timezone: null }),
  });
  const d = checkBatch(broken, SCHEMA);
  assertEquals((d.problems.get(1) ?? []).map((p) => `${p.column}:${p.kind}`), [
    "age:wrong_type",
    "rate:missing_column",
    "home:missing_column",
    "t:wrong_type",
  ]);
  assertEquals(d.problems.get(0)![0].message, `column "age" has type Bool; expected a whole number`);
  assert(d.problems.get(0)![3].message.includes("no time zone"));
  // "id" is optional: its absence is no problem ("rate" may hold nulls, but the column must be there)
  assert(!d.problems.get(0)!.some((p) => p.column === "id"));
});

Deno.test("utf8FromCodes builds text columns from dictionary codes", () => {
  assertEquals(utf8FromCodes(Int32Array.of(1, -1, 0, 1), ["a", "bé"]).toArray(), ["bé", null, "a", "bé"]);
});

Deno.test("NaN means missing in Parquet and in CSV alike: imputed where the column may be null, a null problem elsewhere", () => {
  const t = (n: number) => timestampVector(BigInt64Array.from({ length: n }, (_, i) => T0 + BigInt(i)));
  const base = {
    id: arrow.makeVector(BigInt64Array.of(1n, 2n)),
    code: arrow.vectorFromArray(["A01", "A02"], new arrow.Utf8()),
    age: arrow.vectorFromArray([30, 40], new arrow.Float64()),
    home: arrow.vectorFromArray(["RENT", "OWN"], new arrow.Utf8()),
    t: t(2),
  };
  const parquet = checkBatch(
    batchOf({
      ...base,
      income: arrow.vectorFromArray([NaN, 5], new arrow.Float64()),
      rate: arrow.vectorFromArray([NaN, 5], new arrow.Float64()),
    }),
    SCHEMA,
  );
  const csv = checkBatch(
    batchOf({
      ...base,
      income: arrow.vectorFromArray(["NaN", "5"], new arrow.Utf8()),
      rate: arrow.vectorFromArray([" nan ", "5"], new arrow.Utf8()),
    }),
    SCHEMA,
  );
  for (const c of [parquet, csv]) {
    assertEquals((c.problems.get(0) ?? []).map((p) => `${p.column}:${p.kind}`), ["income:null"]);
    assertEquals(Number.isNaN(c.numbers.rate[0]), true, "rate may be null: imputed");
    assertEquals(c.problems.has(1), false);
  }
});
