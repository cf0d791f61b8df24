import { assertEquals, assertThrows } from "@std/assert";
import { formatIsoMicros, parseIsoMicros, toMicros } from "./time.ts";

Deno.test("parseIsoMicros: dates, zones, microseconds; naive means UTC", () => {
  assertEquals(parseIsoMicros("2021-08-01"), Date.UTC(2021, 7, 1) * 1000);
  assertEquals(parseIsoMicros("2021-08-01T00:00:00.000001Z"), Date.UTC(2021, 7, 1) * 1000 + 1);
  assertEquals(parseIsoMicros("2021-08-01T02:30:00+02:30"), Date.UTC(2021, 7, 1) * 1000);
  assertEquals(parseIsoMicros("2021-08-01T12:00"), Date.UTC(2021, 7, 1, 12) * 1000);
  assertEquals(parseIsoMicros("2021-08-01T00:00:00.123456789Z"), Date.UTC(2021, 7, 1) * 1000 + 123456);
});

Deno.test("parseIsoMicros: invalid timestamps are named", () => {
  assertThrows(() => parseIsoMicros("2021-02-30", "END argument"), RangeError, `The END argument "2021-02-30"`);
  assertThrows(() => parseIsoMicros("yesterday"), RangeError, `"yesterday" is not an ISO 8601 timestamp`);
  assertThrows(() => parseIsoMicros("2021-08-01T25:00"), RangeError);
});

Deno.test("formatIsoMicros keeps microseconds and round-trips", () => {
  assertEquals(formatIsoMicros(Date.UTC(2021, 7, 1) * 1000), "2021-08-01T00:00:00.000Z");
  assertEquals(formatIsoMicros(Date.UTC(2021, 7, 1) * 1000 + 1), "2021-08-01T00:00:00.000001Z");
  for (const us of [0, 1595356223386101, 1627776000123999]) assertEquals(parseIsoMicros(formatIsoMicros(us)), us);
  assertEquals(toMicros(new Date(5)), 5000);
  assertEquals(toMicros(12.7), 12);
});
