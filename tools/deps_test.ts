/**
 * The dependency pins: deno.json's npm imports and package.json agree, the committed deno.lock covers both (Deno
 * installs from it frozen, see tools/ensure_deps.sh), a dependency the lock does not cover fails the install, and the
 * lock holds one tfjs for the project and danfojs alike.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";

const root = new URL("../", import.meta.url);
const readJson = async (name: string) => JSON.parse(await Deno.readTextFile(new URL(name, root)));

/** `npm:name@version[/sub]` → [name, version]; other import targets → undefined. */
function npmImport(target: string): [string, string] | undefined {
  const m = /^npm:(@?[^@/]+(?:\/[^@/]+)?)@([^/]+)/.exec(target);
  return m ? [m[1], m[2]] : undefined;
}

/** The versions deno.lock resolved for one package name (keys like `name@1.2.3_peer@4.5.6`). */
function lockedVersions(lock: { npm: Record<string, unknown> }, name: string): string[] {
  const versions = new Set<string>();
  for (const key of Object.keys(lock.npm)) {
    const m = /^(@?[^@]+)@([^_]+)/.exec(key);
    if (m && m[1] === name) versions.add(m[2]);
  }
  return [...versions].sort();
}

/** Runs `deno install --lockfile-only` in a copy of the three files with `edit` applied to package.json. */
async function lockfileOnlyInstall(
  edit: (pkg: Record<string, Record<string, string>>) => void,
): Promise<{ code: number; stderr: string; lockBefore: string; lockAfter: string }> {
  const dir = await Deno.makeTempDir({ prefix: "deps_test_" });
  try {
    for (const name of ["deno.json", "deno.lock"]) await Deno.copyFile(new URL(name, root), `${dir}/${name}`);
    const pkg = await readJson("package.json");
    edit(pkg);
    await Deno.writeTextFile(`${dir}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
    const lockBefore = await Deno.readTextFile(`${dir}/deno.lock`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["install", "--lockfile-only", "--quiet"],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: out.code,
      stderr: new TextDecoder().decode(out.stderr),
      lockBefore,
      lockAfter: await Deno.readTextFile(`${dir}/deno.lock`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("deps: deno.json's npm imports and package.json name the same packages at the same versions", async () => {
  const config = await readJson("deno.json");
  const pkg = await readJson("package.json");
  const declared: Record<string, string> = { ...pkg.dependencies, ...pkg.devDependencies };
  const imported: Record<string, string> = {};
  for (const target of Object.values(config.imports as Record<string, string>)) {
    const parsed = npmImport(target);
    if (parsed) imported[parsed[0]] = parsed[1];
  }
  // type-only packages need no import-map entry
  const runtime = Object.fromEntries(Object.entries(declared).filter(([name]) => !name.startsWith("@types/")));
  assertEquals(imported, runtime);
});

Deno.test("deps: deno.lock is frozen and covers the config: a lockfile-only install leaves it byte for byte", async () => {
  const config = await readJson("deno.json");
  assertEquals(config.lock, { path: "./deno.lock", frozen: true });
  const run = await lockfileOnlyInstall(() => {});
  assertEquals(run.code, 0, run.stderr);
  assertEquals(run.lockAfter, run.lockBefore);
});

Deno.test("deps: a dependency version the lock does not cover fails the install and leaves the lock alone", async () => {
  const run = await lockfileOnlyInstall((pkg) => {
    assert(pkg.dependencies.yaml, "the test edits yaml's version; package.json has no yaml");
    pkg.dependencies.yaml = "2.9.0";
  });
  assert(run.code !== 0, "the install succeeded although package.json changed");
  assertMatch(run.stderr, /lockfile is out of date/);
  assertMatch(run.stderr, /yaml@2\.9\.0/);
  assertEquals(run.lockAfter, run.lockBefore);
});

Deno.test("deps: one tfjs in the lock (danfojs's overridden to the project's) and xlsx from the npm registry", async () => {
  const lock = await readJson("deno.lock");
  const pkg = await readJson("package.json");
  assertEquals(lockedVersions(lock, "@tensorflow/tfjs"), [pkg.dependencies["@tensorflow/tfjs"]]);
  assertEquals(lockedVersions(lock, "@tensorflow/tfjs-core"), [pkg.dependencies["@tensorflow/tfjs"]]);
  assertEquals(lockedVersions(lock, "xlsx"), [pkg.overrides.danfojs.xlsx]);
  assertEquals(lockedVersions(lock, "danfojs"), [pkg.dependencies.danfojs]);
  for (const [key, entry] of Object.entries(lock.npm as Record<string, { integrity?: string }>)) {
    assertMatch(entry.integrity ?? "", /^sha512-/, `${key} has no sha512 integrity in deno.lock`);
  }
});

Deno.test("deps: npmImport and lockedVersions read the formats they are given", () => {
  assertEquals(npmImport("npm:parquet-wasm@0.7.1/esm"), ["parquet-wasm", "0.7.1"]);
  assertEquals(npmImport("npm:@duckdb/node-api@1.5.6-r.1"), ["@duckdb/node-api", "1.5.6-r.1"]);
  assertEquals(npmImport("./lib/std/assert.ts"), undefined);
  const lock = { npm: { "a@1.0.0_b@2.0.0": {}, "a@1.1.0": {}, "@s/a@3.0.0": {}, "ab@1.0.0": {} } };
  assertEquals(lockedVersions(lock, "a"), ["1.0.0", "1.1.0"]);
  assertEquals(lockedVersions(lock, "@s/a"), ["3.0.0"]);
});
