import { assertEquals, assertMatch } from "@std/assert";
import { readSystemFile } from "./system_file.ts";

Deno.test("readSystemFile reads /proc files, /proc/self as this process, and gives null for a missing file", () => {
  assertMatch(readSystemFile("/proc/loadavg") ?? "", /^\d+\.\d+ \d+\.\d+ \d+\.\d+ /);
  assertMatch(readSystemFile("/proc/self/status") ?? "", new RegExp(`\\nPid:\\s+${Deno.pid}\\n`));
  assertEquals(readSystemFile("/proc/no_such_file_here"), null);
});
