import { assertEquals, assertThrows } from "@std/assert";
import { resolve } from "node:path";
import { findProjectRoot, NOTEBOOK_DEFAULTS, notebookSettings } from "./settings.ts";

const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("findProjectRoot walks up to the folder holding deno.json", () => {
  assertEquals(findProjectRoot(`${root}/lib/notebook/testdata`), root);
  assertEquals(findProjectRoot(root), root);
  assertThrows(() => findProjectRoot("/"), Error, `No deno.json in "/"`);
});

Deno.test("notebookSettings: defaults, then the NOTEBOOK_* variables, paths resolved from the project root", () => {
  const defaults = notebookSettings({ env: {}, cwd: `${root}/notebooks` });
  assertEquals(defaults, {
    root,
    data: NOTEBOOK_DEFAULTS.data,
    rows: 3000,
    seed: 42,
    dataDir: null,
    workDir: `${root}/data/notebooks`,
    repo: null,
  });
  const set = notebookSettings({
    env: {
      NOTEBOOK_DATA: "generated",
      NOTEBOOK_ROWS: "500",
      NOTEBOOK_SEED: "7",
      NOTEBOOK_DATA_DIR: "data/generated",
      NOTEBOOK_WORK_DIR: "/tmp/nb",
      NOTEBOOK_REPO: "../claims",
    },
    cwd: `${root}/notebooks`,
  });
  assertEquals([set.data, set.rows, set.seed, set.dataDir, set.workDir, set.repo], [
    "generated",
    500,
    7,
    `${root}/data/generated`,
    "/tmp/nb",
    resolve(root, "../claims"),
  ]);
  assertEquals(notebookSettings({ env: { NOTEBOOK_REPO: "/srv/claims" }, cwd: root }).repo, "/srv/claims");
});

Deno.test("notebookSettings refuses bad values, naming the variable", () => {
  const at = { cwd: root };
  assertThrows(() => notebookSettings({ ...at, env: { NOTEBOOK_DATA: "fake" } }), Error, `"NOTEBOOK_DATA" is "fake"`);
  assertThrows(() => notebookSettings({ ...at, env: { NOTEBOOK_ROWS: "12" } }), Error, `"NOTEBOOK_ROWS" is "12"`);
  assertThrows(() => notebookSettings({ ...at, env: { NOTEBOOK_ROWS: "1e9x" } }), Error, "NOTEBOOK_ROWS");
  assertThrows(() => notebookSettings({ ...at, env: { NOTEBOOK_SEED: "-1" } }), Error, `"NOTEBOOK_SEED" is "-1"`);
});
