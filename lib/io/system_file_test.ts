import { assertEquals, assertMatch, assertRejects } from "@std/assert";
import { readSystemFile, writeSystemFile } from "./system_file.ts";

Deno.test("readSystemFile reads /proc files, /proc/self as this process, and gives null for a missing file", () => {
  assertMatch(readSystemFile("/proc/loadavg") ?? "", /^\d+\.\d+ \d+\.\d+ \d+\.\d+ /);
  assertMatch(readSystemFile("/proc/self/status") ?? "", new RegExp(`\\nPid:\\s+${Deno.pid}\\n`));
  assertEquals(readSystemFile("/proc/no_such_file_here"), null);
});

Deno.test("writeSystemFile writes through tee, and a failure carries tee's message naming the path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeSystemFile(`${dir}/value`, "1000000\n");
    assertEquals(await Deno.readTextFile(`${dir}/value`), "1000000\n");
    await assertRejects(() => writeSystemFile(`${dir}/missing/value`, "1\n"), Error, `${dir}/missing/value`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
