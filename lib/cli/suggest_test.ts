import { assertEquals } from "@std/assert";
import { didYouMean, editDistance } from "./suggest.ts";

Deno.test("editDistance and didYouMean", () => {
  assertEquals(editDistance("kitten", "sitting"), 3);
  assertEquals(didYouMean("popluation", ["population", "city"]), `; did you mean "population"?`);
  assertEquals(didYouMean("zzz", ["population"]), "");
  assertEquals(didYouMean("HOTS", ["host"]), `; did you mean "host"?`);
});
