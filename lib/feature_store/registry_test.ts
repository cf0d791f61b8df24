import { assert, assertEquals, assertRejects, assertStringIncludes, assertThrows } from "@std/assert";
import { startS3 } from "../testing/s3rver.ts";
import {
  entity,
  featureRepo,
  featureService,
  featureView,
  type FeatureViewOptions,
  fileSource,
} from "./definitions.ts";
import {
  applyPlan,
  describePlan,
  diffJson,
  emptyRegistry,
  loadRegistry,
  parseRegistry,
  planApply,
  type Registry,
  RegistryError,
  saveRegistry,
  serializeRegistry,
} from "./registry.ts";

const zipcode = entity({ name: "zipcode", valueType: "int64" });
const person = entity({ name: "dob_ssn", valueType: "string" });

function zipView(overrides: Partial<FeatureViewOptions> = {}) {
  return featureView({
    name: "zipcode_features",
    entities: [zipcode],
    ttl: "3650d",
    schema: [{ name: "city", dtype: "string" }, { name: "population", dtype: "int64" }],
    source: fileSource({ name: "zip", path: "zip.parquet", timestampField: "event_timestamp" }),
    ...overrides,
  });
}

const creditView = featureView({
  name: "credit_history",
  entities: [person],
  ttl: "90d",
  schema: [{ name: "missed_payments_6m", dtype: "int64" }],
  source: fileSource({ name: "credit", path: "credit.parquet", timestampField: "event_timestamp" }),
});

function repoWith(view = zipView(), extra: { services?: boolean } = {}) {
  return featureRepo({
    entities: [person, zipcode],
    views: [creditView, view],
    services: extra.services === false ? [] : [featureService({ name: "svc", features: [view, creditView] })],
  });
}

const T0 = new Date("2024-01-01T00:00:00Z");
const T1 = new Date("2024-02-01T00:00:00Z");

async function tempRegistryPath(): Promise<string> {
  return `${await Deno.makeTempDir()}/registry.json`;
}

Deno.test("plan: created on an empty registry, unchanged on re-apply", () => {
  const empty = emptyRegistry("p");
  const plan = planApply(empty, repoWith());
  assertEquals(plan.items.map((i) => `${i.action} ${i.kind} ${i.name}`), [
    "created entity dob_ssn",
    "created entity zipcode",
    "created feature_view credit_history",
    "created feature_view zipcode_features",
    "created feature_service svc",
  ]);
  assert(plan.hasChanges);
  const applied = applyPlan(empty, plan, { now: T0 });
  assertEquals(Object.keys(applied.feature_views).sort(), ["credit_history", "zipcode_features"]);
  assertEquals(applied.materialization_intervals, { credit_history: [], zipcode_features: [] });
  assertEquals(applied.entities.zipcode.created_timestamp, T0.toISOString());
  assertEquals(empty.entities, {}, "applyPlan must not modify its input");

  const again = planApply(applied, repoWith());
  assertEquals(again.items.every((i) => i.action === "unchanged"), true);
  assertEquals(again.hasChanges, false);
});

Deno.test("plan: ttl and schema changes are listed field by field; removed objects are deleted", () => {
  const registry = applyPlan(emptyRegistry("p"), planApply(emptyRegistry("p"), repoWith()), { now: T0 });
  const changed = zipView({
    ttl: "30d",
    schema: [{ name: "city", dtype: "string" }, { name: "population", dtype: "float64" }, {
      name: "state",
      dtype: "string",
    }],
  });
  const plan = planApply(registry, repoWith(changed, { services: false }));
  const byName = new Map(plan.items.map((i) => [i.name, i]));
  assertEquals(byName.get("zipcode_features")!.action, "changed");
  assertEquals(byName.get("zipcode_features")!.diff, [
    { path: 'features["population"].dtype', before: "int64", after: "float64" },
    { path: 'features["state"]', after: { description: "", dtype: "string", name: "state", tags: {} } },
    { path: "ttl_seconds", before: 3650 * 86400, after: 30 * 86400 },
  ]);
  assertEquals(byName.get("credit_history")!.action, "unchanged");
  assertEquals(byName.get("svc")!.action, "deleted");
  assertEquals(describePlan(plan), [
    "Unchanged entity dob_ssn",
    "Unchanged entity zipcode",
    "Unchanged feature view credit_history",
    'Changed feature view zipcode_features: features["population"].dtype "int64" → "float64"; ' +
    'added features["state"]; ttl_seconds 315360000 → 2592000',
    "Deleted feature service svc",
  ]);
  const next = applyPlan(registry, plan, { now: T1 });
  assertEquals(next.feature_services, {});
  assertEquals(next.feature_views.zipcode_features.created_timestamp, T0.toISOString());
  assertEquals(next.feature_views.zipcode_features.last_updated_timestamp, T1.toISOString());
  assertEquals(next.feature_views.credit_history.last_updated_timestamp, T0.toISOString());
});

Deno.test("materialization intervals: kept on description changes, reset on real changes, dropped on delete", () => {
  let registry = applyPlan(emptyRegistry("p"), planApply(emptyRegistry("p"), repoWith()), { now: T0 });
  const interval = { start: "2024-01-01T00:00:00.000Z", end: "2024-01-02T00:00:00.000Z" };
  registry.materialization_intervals.zipcode_features = [interval];
  registry.materialization_intervals.credit_history = [interval];

  const described = zipView({ description: "zip data", tags: { team: "risk" } });
  registry = applyPlan(registry, planApply(registry, repoWith(described)));
  assertEquals(registry.materialization_intervals.zipcode_features, [interval]);

  const reTtl = zipView({ description: "zip data", tags: { team: "risk" }, ttl: "1d" });
  registry = applyPlan(registry, planApply(registry, repoWith(reTtl)));
  assertEquals(registry.materialization_intervals.zipcode_features, []);
  assertEquals(registry.materialization_intervals.credit_history, [interval]);

  const onlyZip = featureRepo({ entities: [zipcode], views: [reTtl] });
  registry = applyPlan(registry, planApply(registry, onlyZip));
  assertEquals(Object.keys(registry.materialization_intervals), ["zipcode_features"]);
  assertEquals(Object.keys(registry.entities), ["zipcode"]);
});

Deno.test("applyPlan refuses a plan computed for another registry version", () => {
  const empty = emptyRegistry("p");
  const plan = planApply(empty, repoWith());
  assertThrows(() => applyPlan({ ...empty, version: 3 }, plan), RegistryError, "version 0");
});

Deno.test("diffJson compares named lists by name and reports reorders", () => {
  assertEquals(diffJson({ a: [1, 2] }, { a: [1, 3] }), [{ path: "a", before: [1, 2], after: [1, 3] }]);
  assertEquals(
    diffJson({ f: [{ name: "x" }, { name: "y" }] }, { f: [{ name: "y" }, { name: "x" }] }),
    [{ path: "f (order)", before: ["x", "y"], after: ["y", "x"] }],
  );
  assertEquals(diffJson({ a: 1, b: 2 }, { a: 1, c: 3 }), [{ path: "b", before: 2 }, { path: "c", after: 3 }]);
  assertEquals(diffJson({ a: { b: 1 } }, { a: { b: 1 } }), []);
});

Deno.test("save and load round-trip locally with a version counter; nothing else is left in the folder", async () => {
  const path = await tempRegistryPath();
  const loaded = await loadRegistry(path, { project: "p" });
  assertEquals(loaded.version, 0);
  const saved = await saveRegistry(path, applyPlan(loaded, planApply(loaded, repoWith())), { now: T1 });
  assertEquals(saved.version, 1);
  assertEquals(saved.last_updated, T1.toISOString());
  const reloaded = await loadRegistry(path, { project: "p" });
  assertEquals(reloaded, saved);
  assertEquals(planApply(reloaded, repoWith()).hasChanges, false);
  const text = await Deno.readTextFile(path);
  assertEquals(text, serializeRegistry(saved));
  const entries = [...Deno.readDirSync(path.replace(/\/registry\.json$/, ""))].map((e) => e.name);
  assertEquals(entries, ["registry.json"]);
});

Deno.test("saveRegistry refuses to overwrite a registry changed since it was read", async () => {
  const path = await tempRegistryPath();
  const base = await loadRegistry(path, { project: "p" });
  const first = applyPlan(base, planApply(base, repoWith()));
  const second = applyPlan(base, planApply(base, repoWith(zipView({ ttl: "1d" }))));
  await saveRegistry(path, first);
  const err = await assertRejects(() => saveRegistry(path, second), RegistryError);
  assertStringIncludes(err.message, "changed since it was read");
  assertEquals(
    (await loadRegistry(path, { project: "p" })).feature_views.zipcode_features.spec,
    first.feature_views.zipcode_features.spec,
  );
});

Deno.test("corrupt, foreign and other-project files give clear errors", async () => {
  const path = await tempRegistryPath();
  await Deno.writeTextFile(path, "{not json");
  const corrupt = await assertRejects(() => loadRegistry(path, { project: "p" }), RegistryError);
  assertStringIncludes(corrupt.message, `Registry file "${path}" is corrupt: not valid JSON`);

  await Deno.writeTextFile(path, JSON.stringify({ entities: [] }));
  const foreign = await assertRejects(() => loadRegistry(path, { project: "p" }), RegistryError);
  assertStringIncludes(foreign.message, "is not a feature store registry");

  await Deno.writeTextFile(path, serializeRegistry({ ...emptyRegistry("other"), version: 2 }));
  const other = await assertRejects(() => loadRegistry(path, { project: "p" }), RegistryError);
  assertStringIncludes(other.message, 'belongs to project "other", not "p"');

  const broken: Registry = emptyRegistry("p");
  (broken.entities as Record<string, unknown>).zipcode = { spec: { name: "zip" } };
  assertThrows(() => parseRegistry(JSON.stringify(broken), { uri: "r.json" }), RegistryError, 'entry "zipcode"');
  assertThrows(
    () => parseRegistry(JSON.stringify({ ...emptyRegistry("p"), format_version: 99 }), { uri: "r.json" }),
    RegistryError,
    "format version 99",
  );
});

Deno.test("the registry round-trips through S3 (s3rver)", async () => {
  const s3 = await startS3();
  try {
    const uri = `s3://${s3.bucket}/feature_repo/registry.json`;
    const loaded = await loadRegistry(uri, { project: "p", s3: s3.options });
    assertEquals(loaded.version, 0);
    const saved = await saveRegistry(uri, applyPlan(loaded, planApply(loaded, repoWith())), { s3: s3.options });
    const reloaded = await loadRegistry(uri, { project: "p", s3: s3.options });
    assertEquals(reloaded, saved);
    assertEquals(planApply(reloaded, repoWith()).hasChanges, false);
    await assertRejects(() => saveRegistry(uri, loaded, { s3: s3.options }), RegistryError, "changed since");
  } finally {
    await s3.close();
  }
});
