import { assertEquals } from "@std/assert";
import { FAULT_CASES } from "./cases.ts";

for (const c of FAULT_CASES) {
  Deno.test({
    name: `fault: ${c.name}`,
    // the slow cases run in `deno task faults`; CI runs the fast ones on every change
    ignore: !c.fast && Deno.env.get("FAULTS_ALL") !== "true",
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const r = await c.run();
      assertEquals([r.survived, r.rowsLost, r.fiveXX], [true, 0, 0], r.detail);
    },
  });
}
