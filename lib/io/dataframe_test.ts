import * as arrow from "apache-arrow";
import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { columnValues, fromDataFrame, isDataFrame, tableColumns, toArrowTable, toDataFrame } from "./dataframe.ts";
import { columnTypeName, timestampMicros, timestampVector } from "./arrow_util.ts";

const typeNames = (t: arrow.Table) => t.schema.fields.map((f) => `${f.name}:${columnTypeName(f.type)}`);

function mixedTable(): arrow.Table {
  return new arrow.Table({
    loan_id: arrow.vectorFromArray([10000n, null, -3n], new arrow.Int64()),
    small: arrow.vectorFromArray([1, 2, null], new arrow.Int32()),
    rate: arrow.vectorFromArray([0.5, null, 1.25], new arrow.Float64()),
    ratio: arrow.vectorFromArray([0.5, 2, 3], new arrow.Float32()),
    intent: arrow.vectorFromArray(["EDUCATION", null, "VENTURE"]),
    grade: arrow.vectorFromArray(["A", "B", "A"], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
    ok: arrow.vectorFromArray([true, null, false], new arrow.Bool()),
    event_timestamp: timestampVector(BigInt64Array.from([1627492159623000n, 0n, 5000n]), {
      timezone: "UTC",
      validity: Uint8Array.of(1, 0, 1),
    }),
  });
}

Deno.test("tableColumns and toDataFrame: Int64 to number, timestamps to Date, nulls kept", async () => {
  const table = new arrow.Table({
    loan_id: arrow.vectorFromArray([10000n, null], new arrow.Int64()),
    intent: arrow.vectorFromArray(["EDUCATION", "VENTURE"]),
    event_timestamp: timestampVector(BigInt64Array.from([1627492159623001n, 0n]), { timezone: "UTC" }),
  });
  const cols = tableColumns(table);
  assertEquals(cols.loan_id, [10000, null]);
  assertEquals((cols.event_timestamp[0] as Date).toISOString(), "2021-07-28T17:09:19.623Z");
  const df = await toDataFrame(table);
  assertEquals(df.shape, [2, 3]);
  assertEquals(df.columns, ["loan_id", "intent", "event_timestamp"]);
  assertEquals(df.column("intent").values, ["EDUCATION", "VENTURE"]);
});

Deno.test("round trip Arrow -> DataFrame -> Arrow keeps types, nulls and values", async () => {
  const table = mixedTable();
  const df = await toDataFrame(table);
  assertEquals(isDataFrame(df), true);
  const back = fromDataFrame(df);
  assertEquals(typeNames(back), typeNames(table));
  assertEquals(back.numRows, 3);
  for (const f of table.schema.fields) {
    assertEquals(columnValues(back.getChild(f.name)!, f.name), columnValues(table.getChild(f.name)!, f.name), f.name);
  }
  assertEquals(back.getChild("loan_id")!.get(0), 10000n);
  assertEquals(back.getChild("event_timestamp")!.nullCount, 1);
  // the same table through the one entry
  assertEquals(typeNames(toArrowTable(df)), typeNames(table));
  assertEquals(toArrowTable(table), table);
});

Deno.test("timestamps come back to the microsecond through derived frames; a new Date counts in milliseconds", async () => {
  const exact = BigInt64Array.from([1627492159623001n, -1999n, 1627492159624999n]);
  const table = new arrow.Table({
    at: timestampVector(exact),
    n: arrow.vectorFromArray([1, 2, 3], new arrow.Int32()),
  });
  const df = await toDataFrame(table);
  assertEquals(timestampMicros(fromDataFrame(df).getChild("at")!), exact);
  const later = df.query(df.column("n").gt(1)).sortValues("n", { ascending: false });
  assertEquals(timestampMicros(fromDataFrame(later).getChild("at")!), BigInt64Array.from([exact[2], exact[1]]));
  const dfd = await import("danfojs");
  const fresh = new dfd.DataFrame({ at: [new Date(1627492159623)] });
  assertEquals(timestampMicros(fromDataFrame(fresh).getChild("at")!)[0], 1627492159623000n);
});

Deno.test("round trip of an empty table keeps the columns and their types", async () => {
  const table = mixedTable().slice(0, 0);
  const df = await toDataFrame(table);
  assertEquals(df.shape, [0, 8]);
  const back = fromDataFrame(df);
  assertEquals(back.numRows, 0);
  assertEquals(typeNames(back), typeNames(table));
});

Deno.test("fromDataFrame types a frame built by hand from its values (pandas-like)", async () => {
  const dfd = await import("danfojs");
  const df = new dfd.DataFrame({
    id: [1, 2, 3],
    amount: [1.5, 2, 3],
    with_gap: [1, null, 3],
    name: ["a", null, "c"],
    flag: [null, true, false],
    at: [null, new Date(0), new Date(86_400_000)],
    nothing: [null, null, null],
  });
  const t = fromDataFrame(df);
  assertEquals(typeNames(t), [
    "id:Int64",
    "amount:Float64",
    "with_gap:Float64",
    "name:Utf8",
    "flag:Bool",
    "at:Timestamp<MICROSECOND, UTC>",
    "nothing:Null",
  ]);
  assertEquals(t.getChild("id")!.get(2), 3n);
  assertEquals(t.getChild("with_gap")!.get(1), null);
  assertEquals(Number(t.getChild("at")!.get(2)), 86_400_000);
  // a type given by the caller wins
  const typed = fromDataFrame(df, { schema: { with_gap: new arrow.Int32(), at: new arrow.DateMillisecond() } });
  assertEquals(columnTypeName(typed.schema.fields[2].type), "Int32");
  assertEquals(typed.getChild("with_gap")!.toArray()[2], 3);
  assertEquals(typed.getChild("at")!.get(1), 0);
  const millis = fromDataFrame(df, { schema: { at: new arrow.TimestampMillisecond("UTC"), flag: new arrow.Bool() } });
  assertEquals(columnTypeName(millis.schema.fields[5].type), "Timestamp<MILLISECOND, UTC>");
  assertEquals(timestampMicros(millis.getChild("at")!), BigInt64Array.from([0n, 0n, 86_400_000_000n]));
  assertEquals(millis.getChild("at")!.nullCount, 1);
  assertEquals([...millis.getChild("flag")!], [null, true, false]);
  assertEquals([...t.getChild("name")!], ["a", null, "c"]);
});

Deno.test("a derived frame takes its types from its values, dtypes or a schema; a replaced column from its values", async () => {
  const df = await toDataFrame(mixedTable());
  assertEquals(typeNames(fromDataFrame(df)).slice(0, 2), ["loan_id:Int64", "small:Int32"]);
  // iloc makes a new frame: its types come from its values and danfojs's dtypes (float32 for a column that had
  // nulls, as pandas would), unless the caller gives them
  const kept = df.iloc({ rows: [0, 2] });
  assertEquals(typeNames(fromDataFrame(kept)).slice(0, 2), ["loan_id:Float64", "small:Float64"]);
  assertEquals(fromDataFrame(kept).getChild("loan_id")!.get(1), -3);
  const typed = fromDataFrame(kept, { schema: mixedTable().schema });
  assertEquals(typeNames(typed), typeNames(mixedTable()));
  assertEquals(typed.getChild("loan_id")!.get(1), -3n);
  // a column replaced in place no longer fits its remembered Utf8: its values decide
  df.addColumn("intent", [1, 2, 3], { inplace: true });
  assertEquals(typeNames(fromDataFrame(df))[4], "intent:Int64");
});

Deno.test("conversion errors name the column and the row", async () => {
  const dfd = await import("danfojs");
  assertThrows(
    () => fromDataFrame(new dfd.DataFrame({ ok: [1, 2], bad: [1, "x"] })),
    Error,
    `Column "bad": mixes numbers (row 0: 1) and strings (row 1: "x")`,
  );
  // danfojs itself turns objects into JSON text; a frame-like object holding one is refused
  const frameLike = { columns: ["nested"], shape: [1, 1], dtypes: ["string"], column: () => ({ values: [[1, 2]] }) };
  assertEquals(isDataFrame(frameLike), true);
  assertThrows(() => toArrowTable(frameLike as never), Error, `Column "nested": row 0 holds an array`);
  assertThrows(
    () => fromDataFrame(new dfd.DataFrame({ n: [1.5, 2] }), { schema: { n: new arrow.Int64() } }),
    Error,
    `Column "n": row 0 holds 1.5, not an integer of Int64`,
  );
  assertThrows(
    () => fromDataFrame(new dfd.DataFrame({ s: ["a", "b"] }), { schema: { s: new arrow.Float64() } }),
    Error,
    `Column "s": strings do not fit Float64`,
  );
  // a column named "column" hides danfojs's df.column(): still read
  const namedTable = arrow.tableFromArrays({ column: ["a", "b"], n: [1, 2] });
  const named = fromDataFrame(await toDataFrame(namedTable));
  assertEquals(typeNames(named), typeNames(namedTable));
  assertEquals(columnValues(named.getChild("column")!), ["a", "b"]);
  const huge = new arrow.Table({ id: arrow.vectorFromArray([2n ** 60n], new arrow.Int64()) });
  await assertRejects(() => toDataFrame(huge), Error, `Column "id": row 0 holds 1152921504606846976, beyond the 2^53`);
  const nested = arrow.tableFromJSON([{ a: [1, 2] }]);
  await assertRejects(() => toDataFrame(nested), Error, `Column "a": List<Float64> has no DataFrame equivalent`);
  assertThrows(() => toArrowTable([{ a: 1 }] as never, "entities"), Error, "entities must be an Arrow table");
});
