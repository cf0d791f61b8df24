import { assertEquals, assertStringIncludes } from "@std/assert";
import { ValidationError } from "../lib/feature_store/validate.ts";
import { readTable, writeTable } from "../lib/io/mod.ts";
import { describeError } from "./apply.ts";

const DATA = new URL("../../shared/data/feast-credit/", import.meta.url).pathname;
const hasData = await Deno.stat(`${DATA}zipcode_table.parquet`).then(() => true, () => false);
const TASK = new URL("./apply.ts", import.meta.url).pathname;

/** Runs the task in a subprocess with its own feature_store.yaml. */
async function runTask(
  yaml: string,
  args: string[],
  dir?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  dir ??= await Deno.makeTempDir({ prefix: "apply-task-" });
  await Deno.writeTextFile(`${dir}/feature_store.yaml`, yaml.replaceAll("$DIR", dir));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-net", "--allow-env", "--allow-sys", TASK, ...args],
    env: { FEATURE_STORE_YAML: `${dir}/feature_store.yaml`, NO_COLOR: "1" },
    cwd: dir,
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("describeError lists every validation problem without a stack", () => {
  assertEquals(
    describeError(new ValidationError(["first problem", "second problem"])),
    "Apply failed with 2 problems:\n  first problem\n  second problem",
  );
  assertEquals(describeError(new Error("boom")).includes(" at "), false);
});

Deno.test({
  name: "the task exits 1 with the problems and no stack when a source is missing; --dry-run writes nothing",
  ignore: !hasData,
  fn: async () => {
    // data_dir is the shared folder: zipcode_table.parquet exists, credit_history.parquet does not.
    const yaml = `project: credit_scoring\nregistry: $DIR/registry.json\ndata_dir: ${DATA}\n`;
    const failed = await runTask(yaml, ["--dry-run"]);
    assertEquals(failed.code, 1, failed.stderr);
    assertStringIncludes(failed.stderr, "Apply failed with 1 problem:");
    assertStringIncludes(failed.stderr, `Feature view "credit_history": cannot read the schema of source`);
    assertEquals(/\bat .*\.ts:\d+/.test(failed.stderr), false, "no stack trace expected");
    assertEquals(failed.stdout, "");
  },
});

Deno.test("the task rejects unknown flags with the usage", async () => {
  const result = await runTask("project: p\nregistry: r.json\ndata_dir: d\n", ["--dryrun"]);
  assertEquals(result.code, 2);
  assertStringIncludes(result.stderr, "Usage: deno task apply");
});

Deno.test({
  name: "the task applies the credit repo, then reports it unchanged",
  ignore: !hasData,
  fn: async () => {
    const dataDir = await Deno.makeTempDir();
    await Deno.copyFile(`${DATA}zipcode_table.parquet`, `${dataDir}/zipcode_table.parquet`);
    // A credit history with the tutorial's columns, from the published CSV sample, as Parquet.
    await writeTable(`${dataDir}/credit_history.parquet`, await readTable(`${DATA}credit_history_sample.csv`));
    const yaml = `project: credit_scoring\nregistry: $DIR/registry.json\ndata_dir: ${dataDir}\n`;
    const dir = await Deno.makeTempDir();
    const first = await runTask(yaml, [], dir);
    assertEquals(first.code, 0, first.stderr);
    assertStringIncludes(first.stdout, "Created feature view credit_history\nCreated feature view zipcode_features\n");
    assertStringIncludes(first.stdout, `Registry "${dir}/registry.json" updated (version 1)`);
    const second = await runTask(yaml, [], dir);
    assertEquals(second.code, 0, second.stderr);
    assertStringIncludes(second.stdout, "Unchanged feature view credit_history\n");
    assertStringIncludes(second.stdout, "No changes;");
  },
});
