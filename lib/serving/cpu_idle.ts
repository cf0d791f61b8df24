/**
 * The machine's CPU idle settings, which decide the tail latency of a server answering a request every millisecond.
 *
 * On a KVM guest with the `haltpoll` cpuidle driver, an idle vCPU polls for up to `guest_halt_poll_ns` before it
 * halts; a halted vCPU is woken by the host (a VM exit, then the host must schedule it again), which can take
 * milliseconds on a busy host. Every `/score` wakes three processes (client, server, Redis) in turn, so with polling
 * off (`guest_halt_poll_ns=0`) those wake-ups make the p99. The kernel's default is 200 µs
 * (https://docs.kernel.org/virt/guest-halt-polling.html); the p99 at 1,000 requests/s with 0, 200 µs and 1 ms is in
 * the README ("Serving latency and idle CPUs"; `bench serve --halt-poll-ns NS` compares one value with the machine's). On bare metal and EC2 the matching knob is the C-state
 * limit.
 *
 * @example
 * ```ts
 * import { cpuIdleNote, readCpuIdle } from "./cpu_idle.ts";
 * const note = cpuIdleNote(readCpuIdle());
 * if (note) console.warn(note);
 * ```
 * @module
 */
import { readSystemFile, writeSystemFile } from "../io/system_file.ts";

/** Where Linux shows the settings. */
export const CPU_IDLE_FILES = {
  driver: "/sys/devices/system/cpu/cpuidle/current_driver",
  haltPollNs: "/sys/module/haltpoll/parameters/guest_halt_poll_ns",
} as const;

/** The idle settings read from sysfs; `null` where the file is missing or unreadable. */
export interface CpuIdle {
  /**
   * The cpuidle driver, e.g. `haltpoll`, `intel_idle`, `acpi_idle`; `null` when unreadable (no cpuidle, or neither
   * `--allow-all` nor `--allow-run=cat`).
   */
  driver: string | null;
  /** The haltpoll governor's polling limit in ns (KVM guests only). */
  guestHaltPollNs: number | null;
}

/** The poll limit `cpuIdleNote` suggests: one request interval at 1,000 requests/s. */
export const SUGGESTED_HALT_POLL_NS = 1_000_000;

/** Reads a file's text, `null` when missing or unreadable. */
export type ReadFile = (path: string) => string | null;

/**
 * Reads {@link CpuIdle} (through `cat` where Deno would need `--allow-all`: {@link readSystemFile}; `read` is
 * swappable for tests).
 */
export function readCpuIdle(read: ReadFile = readSystemFile): CpuIdle {
  const driver = read(CPU_IDLE_FILES.driver)?.trim() ?? null;
  const poll = read(CPU_IDLE_FILES.haltPollNs)?.trim() ?? null;
  const ns = poll === null || !/^\d+$/.test(poll) ? null : Number(poll);
  return { driver: driver || null, guestHaltPollNs: ns };
}

/**
 * A warning for a server's start when idle vCPUs halt without polling (`guest_halt_poll_ns=0`, with the haltpoll
 * driver or a driver that could not be read: only guest kernels have that parameter), with the command that changes
 * it; `null` otherwise.
 */
export function cpuIdleNote(idle: CpuIdle): string | null {
  if (idle.guestHaltPollNs !== 0 || (idle.driver !== null && idle.driver !== "haltpoll")) return null;
  return `Note: this machine's idle vCPUs halt without polling (${CPU_IDLE_FILES.haltPollNs} is 0; the kernel's ` +
    `default is 200000), so waking them adds milliseconds to the tail of answer times. For latency-critical serving: ` +
    `echo ${SUGGESTED_HALT_POLL_NS} | sudo tee ${CPU_IDLE_FILES.haltPollNs} (README: "Serving latency and idle CPUs").`;
}

/**
 * Sets `guest_halt_poll_ns` and returns the previous value (for `bench serve --halt-poll-ns`; needs root). The error
 * names the file and the value.
 */
export async function setGuestHaltPollNs(
  ns: number,
  io: { read?: ReadFile; write?: (path: string, text: string) => Promise<void> } = {},
): Promise<number> {
  const read = io.read ?? readSystemFile;
  const write = io.write ?? writeSystemFile;
  if (!Number.isInteger(ns) || ns < 0) throw new RangeError(`guest_halt_poll_ns must be an integer ≥ 0, got ${ns}`);
  const before = readCpuIdle(read).guestHaltPollNs;
  if (before === null) {
    throw new Error(`Cannot read ${CPU_IDLE_FILES.haltPollNs}: this machine has no haltpoll cpuidle governor`);
  }
  try {
    await write(CPU_IDLE_FILES.haltPollNs, `${ns}\n`);
  } catch (e) {
    throw new Error(
      `Cannot set ${CPU_IDLE_FILES.haltPollNs} to ${ns} (needs root and a writable /sys): ${(e as Error).message}`,
    );
  }
  return before;
}
