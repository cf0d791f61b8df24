/**
 * Headless Chromium for browser tests, driven by playwright-core (npm) against the system's Chromium (Debian's
 * `chromium` package; `CHROMIUM_PATH` overrides where it is looked for). Playwright's own browser downloads are
 * never used.
 *
 * A test file asks once at its top: `const chromium = await requireChromium();` and passes
 * `ignore: !chromium.available` to `Deno.test`. When Chromium is missing the tests are skipped with a loud message,
 * except in CI (`CI=true`), where that is an error (`.ci/run` installs it).
 *
 * @example
 * ```ts
 * import { launchChromium, requireChromium } from "./browser.ts";
 * const chromium = await requireChromium();
 * Deno.test({ name: "the page loads", ignore: !chromium.available, fn: async () => {
 *   const browser = await launchChromium(chromium);
 *   try {
 *     const page = await browser.newPage();
 *     await page.goto("http://127.0.0.1:6566/");
 *   } finally {
 *     await browser.close();
 *   }
 * } });
 * ```
 * @module
 */
import type { Browser } from "playwright-core";

/** Where Chromium is, and whether it can be used. */
export interface ChromiumInfo {
  available: boolean;
  executablePath: string;
  /** Why it is not available (when it is not). */
  reason?: string;
}

/** Places Chromium is looked for, after `CHROMIUM_PATH`. */
export const CHROMIUM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"] as const;

/**
 * Launch flags for a closed network and a root user: no sandbox (root), no GPU, and no background connections
 * (update checks, sync, QUIC), which a machine without internet access refuses.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let found: Promise<ChromiumInfo> | undefined;

/**
 * Finds Chromium (`CHROMIUM_PATH`, else {@link CHROMIUM_PATHS}). Outside CI a missing one gives
 * `available: false` and a loud warning; in CI it throws.
 *
 * @example
 * ```ts
 * import { requireChromium } from "./browser.ts";
 * const chromium = await requireChromium();
 * if (chromium.available) console.log(chromium.executablePath);
 * ```
 */
export function requireChromium(): Promise<ChromiumInfo> {
  found ??= locate();
  return found;
}

async function locate(): Promise<ChromiumInfo> {
  const env = Deno.env.get("CHROMIUM_PATH");
  const candidates = env ? [env] : [...CHROMIUM_PATHS];
  for (const path of candidates) {
    try {
      const info = await Deno.stat(path);
      if (info.isFile) return { available: true, executablePath: path };
    } catch { /* not there */ }
  }
  const reason = `Chromium is not installed (looked at ${candidates.join(", ")}; apt-get install chromium, ` +
    `or set CHROMIUM_PATH)`;
  if (Deno.env.get("CI") === "true") throw new Error(`${reason}; CI requires it`);
  console.warn(`\n!!! SKIPPING BROWSER TESTS: ${reason}. !!!\n`);
  return { available: false, executablePath: candidates[0], reason };
}

/**
 * Launches headless Chromium with {@link CHROMIUM_ARGS} and a new empty profile (playwright makes one per launch).
 *
 * @example
 * ```ts
 * import { launchChromium, requireChromium } from "./browser.ts";
 * const browser = await launchChromium(await requireChromium());
 * await browser.close();
 * ```
 */
export async function launchChromium(info: ChromiumInfo): Promise<Browser> {
  if (!info.available) throw new Error(info.reason ?? "Chromium is not available");
  const { chromium } = await loadPlaywright();
  return chromium.launch({ executablePath: info.executablePath, headless: true, args: [...CHROMIUM_ARGS] });
}

/**
 * Imports playwright-core under Deno's granular permissions. At load time playwright-core's bundled `is-wsl` probes
 * `fs.existsSync("/proc/sys/fs/binfmt_misc/WSLInterop")`; Node's existsSync never throws, but Deno's throws
 * `NotCapable` for `/proc/sys/...` (a path only `--allow-all` opens, not even `--allow-read=<that path>`), so the
 * import fails unless the test runs with `-A`. `is-wsl` skips the probe when `__IS_WSL_TEST__` is set (its own
 * test hook; the WSL answer only matters for playwright's "open in the system browser", which tests never use), so
 * it is set for the import only.
 */
async function loadPlaywright(): Promise<typeof import("playwright-core")> {
  const before = Deno.env.get("__IS_WSL_TEST__");
  if (before === undefined) Deno.env.set("__IS_WSL_TEST__", "1");
  try {
    return await import("playwright-core");
  } finally {
    if (before === undefined) Deno.env.delete("__IS_WSL_TEST__");
  }
}
