import { assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import { entity, featureView, fileSource } from "../definitions.ts";
import { encodeEntityKey, joinKeySpecs, keyPrefix, storageKey, utf8Length } from "./entity_key.ts";

Deno.test("encodeEntityKey: typed, length-prefixed, join keys sorted by name", () => {
  const specs = [{ name: "zipcode", valueType: "int64" as const }, { name: "dob_ssn", valueType: "string" as const }];
  assertEquals(
    encodeEntityKey(specs, { zipcode: 76104, dob_ssn: "19770430_2525", extra: 1 }),
    "dob_ssn=s13:19770430_2525,zipcode=i5:76104",
  );
  // same key whatever the order of the specs or of the row's properties
  assertEquals(
    encodeEntityKey([...specs].reverse(), { dob_ssn: "19770430_2525", zipcode: 76104n }),
    "dob_ssn=s13:19770430_2525,zipcode=i5:76104",
  );
});

Deno.test("encodeEntityKey: an int64 7 is not the string '7'; values cannot forge separators", () => {
  const asInt = encodeEntityKey([{ name: "id", valueType: "int64" }], { id: 7 });
  const asString = encodeEntityKey([{ name: "id", valueType: "string" }], { id: "7" });
  assertNotEquals(asInt, asString);
  // Two keys whose naive concatenation would collide: ("a,b=s1:x", "y") vs ("a", "b=s1:x,y")
  const two = [{ name: "a", valueType: "string" as const }, { name: "b", valueType: "string" as const }];
  const k1 = encodeEntityKey(two, { a: "x,b=s1:y", b: "z" });
  const k2 = encodeEntityKey(two, { a: "x", b: "y,b=s1:z" });
  assertNotEquals(k1, k2);
  // Multi-byte values are counted in UTF-8 bytes
  assertEquals(encodeEntityKey([{ name: "c", valueType: "string" }], { c: "é€😀" }), "c=s9:é€😀");
  assertEquals(utf8Length("é€😀"), 9);
  // Project prefixes are length-prefixed: ("a|b", "c") never equals ("a", "b|c")-like splits
  assertNotEquals(storageKey("a|b", "c", "id=i1:7"), storageKey("a", "b|c", "id=i1:7"));
  assertEquals(keyPrefix("credit_scoring", "credit_history"), "14:credit_scoring|credit_history|");
});

Deno.test("encodeEntityKey: wrong types and missing keys are named", () => {
  const zip = [{ name: "zipcode", valueType: "int64" as const }];
  assertThrows(() => encodeEntityKey(zip, { zipcode: "76104" }), TypeError, `Join key "zipcode" is "76104" (a string)`);
  assertThrows(() => encodeEntityKey(zip, { zipcode: 1.5 }), TypeError, "expected an integer");
  assertThrows(() => encodeEntityKey(zip, {}), TypeError, `Join key "zipcode" is missing`);
  assertThrows(
    () => encodeEntityKey([{ name: "s", valueType: "string" }], { s: "\ud800" }),
    TypeError,
    "expected a string",
  );
  assertThrows(() => encodeEntityKey([{ name: "n", valueType: "int32" }], { n: 2 ** 31 }), TypeError, "32-bit");
  assertEquals(encodeEntityKey([{ name: "f", valueType: "bool" }], { f: true }), "f=b1:1");
});

Deno.test("joinKeySpecs: every join key of every entity, with the entity's type, sorted", () => {
  const person = entity({ name: "person", joinKeys: ["ssn", "dob"], valueType: "string" });
  const zip = entity({ name: "zipcode", valueType: "int64" });
  const view = featureView({
    name: "v",
    entities: [zip, person],
    schema: [{ name: "x", dtype: "int64" }],
    source: fileSource({ name: "s", path: "s.parquet", timestampField: "ts" }),
  });
  assertEquals(joinKeySpecs(view), [
    { name: "dob", valueType: "string" },
    { name: "ssn", valueType: "string" },
    { name: "zipcode", valueType: "int64" },
  ]);
});
