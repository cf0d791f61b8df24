import { assertEquals } from "@std/assert";
import { dayNumbers, dayText, outputSchema } from "./output.ts";

Deno.test("output schema: ids, scores, reasons, scored_at, the model's inputs, pass-through columns (no duplicates)", () => {
  const schema = outputSchema({
    ids: [{ name: "loan_id", kind: "integer" }, { name: "zipcode", kind: "integer" }, {
      name: "event_timestamp",
      kind: "timestamp",
    }],
    top: 2,
    features: [{ name: "person_age", text: false }, { name: "loan_intent", text: true }, {
      name: "zipcode",
      text: false,
    }],
    keep: [],
  });
  assertEquals(schema.fields.map((f) => `${f.name}:${f.type}`), [
    "loan_id:Int64",
    "zipcode:Int64",
    "event_timestamp:Timestamp<MICROSECOND, UTC>",
    "probability:Float64",
    "decision:Utf8",
    "threshold:Float64",
    "model_name:Utf8",
    "model_version:Int64",
    "reason_1:Utf8",
    "reason_2:Utf8",
    "reason_1_impact:Float64",
    "reason_2_impact:Float64",
    "flags:Utf8",
    "scored_at:Timestamp<MICROSECOND, UTC>",
    "person_age:Float64",
    "loan_intent:Utf8",
  ]);
});

Deno.test("date partitions are UTC days, before 1970 too", () => {
  const us = Float64Array.of(0, 86_400e6 - 1, 86_400e6, -1, Date.parse("2021-08-25T23:59:59.999Z") * 1000);
  assertEquals(Array.from(dayNumbers(us, null)).map(dayText), [
    "1970-01-01",
    "1970-01-01",
    "1970-01-02",
    "1969-12-31",
    "2021-08-25",
  ]);
  assertEquals(Array.from(dayNumbers(us, Int32Array.of(3))), [-1]);
});
