import { assertEquals, assertThrows } from "@std/assert";
import * as arrow from "apache-arrow";
import { type ColumnValues, CREDIT_HISTORY_SCHEMA, LOAN_SCHEMA, makeBatch, ZIPCODE_SCHEMA } from "./schemas.ts";

const describe = (s: arrow.Schema) => s.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`);

Deno.test("schemas list the tutorial's columns and types", () => {
  assertEquals(describe(LOAN_SCHEMA).slice(-3), [
    "loan_status:Int64:true",
    "event_timestamp:Timestamp<MICROSECOND, UTC>:true",
    "created_timestamp:Timestamp<MICROSECOND, UTC>:true",
  ]);
  assertEquals(
    ZIPCODE_SCHEMA.fields.map((f) => f.name).join(","),
    "zipcode,city,state,location_type,tax_returns_filed,population,total_wages,event_timestamp,created_timestamp",
  );
  assertEquals(CREDIT_HISTORY_SCHEMA.fields.length, 12);
});

Deno.test("makeBatch keeps nulls, strings, doubles and exact microsecond timestamps", () => {
  const ts = 1_629_923_681_361_123;
  const cols: Record<string, ColumnValues> = {};
  for (const f of CREDIT_HISTORY_SCHEMA.fields) cols[f.name] = [1, null];
  cols.dob_ssn = ["19530219_5179", "é"];
  cols.event_timestamp = [ts, ts + 1];
  cols.created_timestamp = [ts, ts];
  const batch = makeBatch(CREDIT_HISTORY_SCHEMA, cols);
  assertEquals(batch.getChild("dob_ssn")!.toArray(), ["19530219_5179", "é"]);
  assertEquals(batch.getChild("hard_pulls")!.get(1), null);
  assertEquals(batch.getChild("hard_pulls")!.get(0), 1n);
  assertEquals(Array.from(batch.getChild("event_timestamp")!.data[0].values as BigInt64Array), [
    BigInt(ts),
    BigInt(ts + 1),
  ]);
});

Deno.test("makeBatch names a missing or short column", () => {
  assertThrows(() => makeBatch(ZIPCODE_SCHEMA, { zipcode: [1] }), TypeError, '"city"');
  const cols: Record<string, number[]> = {};
  for (const f of LOAN_SCHEMA.fields) cols[f.name] = [1, 2];
  cols.loan_amnt = [1];
  assertThrows(() => makeBatch(LOAN_SCHEMA, cols), RangeError, '"loan_amnt"');
});
