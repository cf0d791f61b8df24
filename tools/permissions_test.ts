/**
 * The permissions the tasks, tests and benchmarks run with: no task may write or run anything it likes, and a
 * benchmark's children go through bench/child.sh's fixed menu.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";

const ROOT = new URL("../", import.meta.url).pathname;
const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
  tasks: Record<string, string | { command: string }>;
};
const commands = Object.entries(config.tasks).map(([name, t]) => [name, typeof t === "string" ? t : t.command]);
const testScript = await Deno.readTextFile(`${ROOT}tools/test.sh`);

/** The value of `--flag=...` in a command line, "" for the bare flag, undefined when absent. */
function flagValue(command: string, flag: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${flag}(=(\\S+))?(?=\\s|$)`).exec(command);
  return m ? (m[2] ?? "") : undefined;
}

Deno.test("no task, nor the test runner, has unscoped write, run or ffi permission", () => {
  const lines = [...commands, ["test (tools/test.sh)", testScript.replace(/\\\n\s*/g, " ")]];
  for (const [name, command] of lines) {
    assert(!/(^|\s)(-A|--allow-all)(\s|$)/.test(command), `task ${name} runs with --allow-all`);
    for (const flag of ["--allow-write", "--allow-run", "--allow-ffi"]) {
      assert(flagValue(command, flag) !== "", `task ${name} has unscoped ${flag}: ${command}`);
    }
  }
});

Deno.test("the bench task may not run deno, python, taskset, tee or a shell: only bench/child.sh's menu", () => {
  const bench = commands.find(([name]) => name === "bench")![1];
  const run = (flagValue(bench, "--allow-run") ?? "").split(",");
  for (const program of ["deno", "python3", "/usr/bin/python3", "taskset", "tee", "bash", "sh"]) {
    assert(!run.includes(program), `bench may run ${program}`);
  }
  assert(run.includes("bench/child.sh"), `bench runs its children through bench/child.sh: ${run}`);
  assertEquals(flagValue(bench, "--allow-ffi"), "node_modules", "native addons only from the installed packages");
});

Deno.test("this test process itself runs scoped: no arbitrary program, no writes outside the temp and task folders", async () => {
  assertEquals((await Deno.permissions.query({ name: "run", command: "curl" })).state, "prompt");
  assertEquals((await Deno.permissions.query({ name: "run" })).state, "prompt");
  assertEquals((await Deno.permissions.query({ name: "write", path: "/etc" })).state, "prompt");
  const tmp = await Deno.realPath(Deno.env.get("TMPDIR") ?? "/tmp");
  if (!(await Deno.realPath(ROOT)).startsWith(`${tmp}/`)) { // a checkout inside the temp folder is writable as such
    assertEquals((await Deno.permissions.query({ name: "write", path: `${ROOT}lib` })).state, "prompt");
  }
  assertEquals((await Deno.permissions.query({ name: "write", path: await Deno.makeTempDir() })).state, "granted");
});

async function child(...args: string[]): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command("bash", {
    args: [`${ROOT}bench/child.sh`, ...args],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("bench/child.sh refuses what would widen a benchmark's permissions, naming it", async () => {
  const cases: [string[], RegExp][] = [
    [["deno", "--allow-all", "bench/serve_load.ts"], /flag not allowed.*--allow-all/],
    [["deno", "-A", "bench/serve_load.ts"], /flag not allowed.*-A/],
    [["deno", "--allow-run", "bench/serve_load.ts"], /flag not allowed.*--allow-run/],
    [["deno", "--allow-ffi", "bench/serve_load.ts"], /flag not allowed.*--allow-ffi/],
    [["deno", "--allow-write=/etc", "bench/serve_load.ts"], /outside the checkout.*\/etc/],
    [["deno", "--allow-write=bench/../../x", "bench/serve_load.ts"], /outside the checkout/],
    [["deno", "--allow-read", "/tmp/evil.ts"], /not a \.ts file under bench\/ or tasks\/: \/tmp\/evil\.ts/],
    [["deno", "--allow-read", "lib/io/csv.ts"], /not a \.ts file under bench\/ or tasks\//],
    [["deno", "--core", "x", "--allow-read", "bench/serve_load.ts"], /--core needs a core number/],
    [["python", "/tmp/evil.py"], /not a \.py file under bench\//],
    [["halt-poll-ns", "1; rm -rf /"], /one integer/],
    [["sh", "-c", "id"], /unknown child kind: sh/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await child(...args);
    assertEquals(code, 2, `bench/child.sh ${args.join(" ")} must be refused`);
    assertMatch(stderr, message);
  }
});

Deno.test("bench/child.sh runs a bench script with the permissions it was given, and no more", async () => {
  const dir = await Deno.makeTempDir();
  // bench/permissions_probe.ts prints the permissions it holds
  const out = await new Deno.Command("bash", {
    args: [
      `${ROOT}bench/child.sh`,
      "deno",
      "--allow-read",
      `--allow-write=${dir}`,
      `${ROOT}bench/permissions_probe.ts`,
      dir,
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  assertEquals(JSON.parse(new TextDecoder().decode(out.stdout)), {
    write_dir: "granted",
    write_etc: "prompt",
    run_any: "prompt",
    ffi: "prompt",
  });
});
