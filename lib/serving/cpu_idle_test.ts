import { assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { CPU_IDLE_FILES, cpuIdleNote, readCpuIdle, setGuestHaltPollNs } from "./cpu_idle.ts";

/** A fake sysfs: path → contents; missing paths read as null. */
function fakeSysfs(files: Record<string, string>) {
  return {
    files,
    read: (path: string) => files[path] ?? null,
    write: (path: string, text: string) => {
      if (!(path in files)) return Promise.reject(new Deno.errors.PermissionDenied(`Read-only: ${path}`));
      files[path] = text;
      return Promise.resolve();
    },
  };
}

Deno.test("readCpuIdle reads the driver and the poll limit, null where a file is missing or not a number", () => {
  const kvm = fakeSysfs({ [CPU_IDLE_FILES.driver]: "haltpoll\n", [CPU_IDLE_FILES.haltPollNs]: "0\n" });
  assertEquals(readCpuIdle(kvm.read), { driver: "haltpoll", guestHaltPollNs: 0 });
  const metal = fakeSysfs({ [CPU_IDLE_FILES.driver]: "intel_idle\n" });
  assertEquals(readCpuIdle(metal.read), { driver: "intel_idle", guestHaltPollNs: null });
  assertEquals(readCpuIdle(fakeSysfs({ [CPU_IDLE_FILES.haltPollNs]: "abc" }).read), {
    driver: null,
    guestHaltPollNs: null,
  });
});

Deno.test("cpuIdleNote warns only for haltpoll (or an unreadable driver) with polling off, naming the file and fix", () => {
  const note = cpuIdleNote({ driver: "haltpoll", guestHaltPollNs: 0 });
  assertStringIncludes(note ?? "", CPU_IDLE_FILES.haltPollNs);
  assertStringIncludes(note ?? "", "echo 1000000 | sudo tee");
  assertEquals(cpuIdleNote({ driver: "haltpoll", guestHaltPollNs: 200_000 }), null);
  assertEquals(cpuIdleNote({ driver: "intel_idle", guestHaltPollNs: null }), null);
  assertEquals(cpuIdleNote({ driver: "acpi_idle", guestHaltPollNs: 0 }), null);
  assertEquals(cpuIdleNote({ driver: null, guestHaltPollNs: null }), null);
  assertEquals(cpuIdleNote({ driver: null, guestHaltPollNs: 0 }), note);
});

Deno.test("setGuestHaltPollNs writes the value and returns the previous one", async () => {
  const fs = fakeSysfs({ [CPU_IDLE_FILES.driver]: "haltpoll", [CPU_IDLE_FILES.haltPollNs]: "0\n" });
  assertEquals(await setGuestHaltPollNs(1_000_000, fs), 0);
  assertEquals(fs.files[CPU_IDLE_FILES.haltPollNs], "1000000\n");
  assertEquals(await setGuestHaltPollNs(0, fs), 1_000_000);
});

Deno.test("setGuestHaltPollNs refuses bad values and names the file when it cannot read or write it", async () => {
  const fs = fakeSysfs({ [CPU_IDLE_FILES.haltPollNs]: "0" });
  await assertRejects(() => setGuestHaltPollNs(-1, fs), RangeError, "got -1");
  await assertRejects(() => setGuestHaltPollNs(1.5, fs), RangeError, "got 1.5");
  await assertRejects(() => setGuestHaltPollNs(5, fakeSysfs({})), Error, "no haltpoll cpuidle governor");
  const readOnly = { read: fs.read, write: () => Promise.reject(new Deno.errors.PermissionDenied("EACCES")) };
  await assertRejects(
    () => setGuestHaltPollNs(5, readOnly),
    Error,
    `Cannot set ${CPU_IDLE_FILES.haltPollNs} to 5 (needs root and a writable /sys): EACCES`,
  );
});
