/**
 * Reading and writing the kernel's files under `/proc` and `/sys`. Deno opens those only with `--allow-all` (not even
 * `--allow-read=<that path>`), so a task that runs with narrower permissions reads them through `cat` and writes them
 * through `tee`, which need just `--allow-run=cat` / `--allow-run=tee`.
 *
 * @example
 * ```ts
 * import { readSystemFile } from "./system_file.ts";
 * const load = readSystemFile("/proc/loadavg"); // "0.52 0.58 0.59 1/190 4242" or null
 * ```
 * @module
 */

/**
 * The text of a `/proc` or `/sys` file, or `null` when it is missing or neither a direct read nor `cat` is permitted.
 * `/proc/self/...` means this process, also when read through `cat`.
 */
export function readSystemFile(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied)) return null;
  }
  try {
    const own = path.replace(/^\/proc\/self\//, `/proc/${Deno.pid}/`);
    const out = new Deno.Command("cat", { args: [own], stdout: "piped", stderr: "null" }).outputSync();
    return out.success ? new TextDecoder().decode(out.stdout) : null;
  } catch {
    return null; // no --allow-run=cat
  }
}

/**
 * Writes `text` to a `/proc` or `/sys` file through `tee` (writing one needs root). The error carries tee's message.
 */
export async function writeSystemFile(path: string, text: string): Promise<void> {
  const child = new Deno.Command("tee", { args: [path], stdin: "piped", stdout: "null", stderr: "piped" }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { success, stderr } = await child.output();
  if (!success) throw new Error(new TextDecoder().decode(stderr).trim() || `tee ${path} failed`);
}
