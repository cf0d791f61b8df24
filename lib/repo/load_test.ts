import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "@std/assert";
import { openRepo, RepoError, resolveRepoDir, trainingSourceOf } from "./load.ts";

Deno.test("openRepo: the built-in credit repo through the same interface as a user's", async () => {
  const credit = await openRepo({ dir: null });
  assertEquals(credit.builtin, true);
  assertEquals(credit.model.name, "credit_default");
  assertEquals(credit.features.views.map((v) => v.name), ["credit_history", "zipcode_features"]);
  assertEquals(trainingSourceOf(credit).kind, "repo");
  assertEquals(trainingSourceOf(credit, "real").features.every((f) => f.startsWith("zipcode_features:")), true);
  assertThrows(() => trainingSourceOf(credit, "mine"), RepoError, `Unknown dataset "mine"`);
});

Deno.test("resolveRepoDir: --repo, then FEATURE_REPO, then a working folder holding a repo, else the built-in", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assertEquals(await resolveRepoDir({ flag: "x", env: {}, cwd: "/srv" }), "/srv/x");
    assertEquals(await resolveRepoDir({ env: { FEATURE_REPO: "/a/b" }, cwd: "/srv" }), "/a/b");
    assertEquals(await resolveRepoDir({ env: {}, cwd: dir }), null);
    await Deno.writeTextFile(`${dir}/feature_store.yaml`, "project: p\n");
    await Deno.writeTextFile(`${dir}/features.ts`, "export const repo = 1;\n");
    assertEquals(await resolveRepoDir({ env: {}, cwd: dir }), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openRepo: errors name the folder, the file and the missing export or bad setting", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assertRejects(() => openRepo({ dir: `${dir}/nope` }), RepoError, "does not exist");
    await assertRejects(() => openRepo({ dir }), RepoError, `has no features.ts; create one with "deno task init"`);
    await Deno.writeTextFile(`${dir}/features.ts`, "export const repo = { views: [] };\n");
    await assertRejects(() => openRepo({ dir }), RepoError, `export no "model"`);
    const spec = (extra: string) =>
      `export const repo = { entities: [], views: [], services: [] };\n` +
      `export const model = { name: "m", entityRows: "rows.csv", label: "y", timestamp: "ts", ` +
      `request: [{ name: "age", type: "integer" }, { name: "amount", type: "number" }], ` +
      `features: [{ kind: "numeric", name: "age", description: "age" }, ` +
      `{ kind: "numeric", name: "amount", description: "amount" }]${extra} };\n`;
    await Deno.writeTextFile(`${dir}/features.ts`, spec(`, protected: ["age"]`));
    const err = await assertRejects(() => openRepo({ dir }), RepoError);
    assertStringIncludes(err.message, `protected attribute "age" is a model input`);
    await Deno.writeTextFile(`${dir}/features.ts`, spec(`, storedFeatures: ["v:x"]`).replace("features.ts", ""));
    await assertRejects(() => openRepo({ dir }), RepoError, `stored feature "v:x" is not a feature`);
    await Deno.writeTextFile(`${dir}/features.ts`, spec(""));
    await Deno.writeTextFile(`${dir}/feature_store.yaml`, "project: mine\nmodel_store: models\n");
    const opened = await openRepo({ dir, env: {} });
    assertEquals(opened.config.project, "mine");
    assertEquals(opened.config.model_store, `${dir}/models`);
    assertEquals(opened.model.entityRows, `${dir}/rows.csv`);
    assertEquals(opened.featureSpec.rules, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
