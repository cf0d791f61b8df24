import { assert, assertEquals, assertMatch, assertRejects, assertStringIncludes } from "@std/assert";
import { entity, featureRepo, featureView, fileSource } from "../feature_store/definitions.ts";
import { getOnlineFeatures } from "../feature_store/online/get_online_features.ts";
import { SqliteOnlineStore } from "../feature_store/online/sqlite.ts";
import { formPageRoutes, type RequestRules, requestRulesProblems } from "./form.ts";
import { PAGE_CSP } from "./pages.ts";
import { createHandler, type ServingStore, startServer } from "./server.ts";

/** Rules of an insurance claim form (what the server builds from a claims repo's model spec). */
function claimRules(): RequestRules {
  return {
    subject: "insurance claim",
    model: { name: "claims_fraud", version: 3 },
    fields: [
      { name: "policy_id", label: "policy number", kind: "integer", min: 1 },
      { name: "region", label: "region", kind: "enum", values: ["NORTH", "SOUTH"], upper_case: true },
      { name: "claim_amount", label: "claim amount", kind: "number", min: 0 },
      { name: "driver_age", label: "driver's age", kind: "integer", min: 16, max: 100 },
      { name: "vehicle_age", label: "vehicle age", kind: "integer", min: 0, max: 40, max_field: "driver_age" },
      { name: "incident_code", label: "incident code", kind: "text", pattern: "\\d{8}_\\d{4}" },
    ],
    features: { prior_claims_3y: { view: "policy_history", description: "claims in the last 3 years" } },
    decision_text: { approve: "accepted", reject: "referred" },
  };
}

/** A real store of a one-view claims repo (SQLite in memory); the page routes never read it. */
function claimStore(): ServingStore & { close(): Promise<void> } {
  const policy = entity({ name: "policy_id", valueType: "int64" });
  const history = featureView({
    name: "policy_history",
    entities: [policy],
    schema: [{ name: "prior_claims_3y", dtype: "int64" }],
    source: fileSource({ name: "history", path: "data/history.parquet", timestampField: "event_timestamp" }),
  });
  const repo = featureRepo({ entities: [policy], views: [history] });
  const online = new SqliteOnlineStore({ path: ":memory:", project: "claims" });
  return {
    repo,
    getOnlineFeatures: (request) => getOnlineFeatures(repo, online, request),
    close: () => online.close(),
  };
}

Deno.test("form routes: a real server answers the page, its assets and the rules; nothing else is served", async (t) => {
  const rules = claimRules();
  const store = claimStore();
  const server = startServer({
    hostname: "127.0.0.1",
    port: 0,
    handler: createHandler({ store, routes: await formPageRoutes(rules), log: () => {} }),
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    await t.step("GET / is the static form page with the pages' security headers", async () => {
      const res = await fetch(`${base}/`);
      assertEquals(res.status, 200);
      assertEquals(res.headers.get("content-type"), "text/html; charset=utf-8");
      assertEquals(res.headers.get("content-security-policy"), PAGE_CSP);
      assertEquals(res.headers.get("x-content-type-options"), "nosniff");
      assertEquals(res.headers.get("x-frame-options"), "DENY");
      const html = await res.text();
      assertEquals(html, await Deno.readTextFile(new URL("./pages/form.html", import.meta.url)));
      // no inline script, no event-handler attribute, nothing from other origins
      assertEquals(/<script(?![^>]*\bsrc=)[^>]*>/.test(html), false);
      assertEquals(/\son[a-z]+=/i.test(html), false);
      assertEquals(/(src|href)="(https?:)?\/\//.test(html), false);
      assertMatch(html, /<script type="module" src="\/assets\/serving\/pages\/form\.js"><\/script>/);
      assertMatch(html, /id="result" aria-live="polite"/);
    });

    await t.step("every asset the page and its scripts load is served, with its content type and the CSP", async () => {
      const html = await (await fetch(`${base}/`)).text();
      const pending = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
      assertEquals(pending.sort(), ["/assets/serving/pages/form.js", "/assets/serving/pages/style.css"]);
      const seen = new Set<string>();
      while (pending.length) {
        const path = pending.pop()!;
        if (seen.has(path)) continue;
        seen.add(path);
        const res = await fetch(base + path);
        assertEquals(res.status, 200, path);
        assertEquals(res.headers.get("content-security-policy"), PAGE_CSP, path);
        const body = await res.text();
        if (path.endsWith(".js")) {
          assertEquals(res.headers.get("content-type"), "text/javascript; charset=utf-8", path);
          // follow the module's static imports, resolved as the browser resolves them
          for (const m of body.matchAll(/^import [^;]*? from "([^"]+)";/gm)) {
            pending.push(new URL(m[1], base + path).pathname);
          }
        } else assertEquals(res.headers.get("content-type"), "text/css; charset=utf-8", path);
      }
      assertEquals([...seen].sort(), [
        "/assets/serving/pages/form.js",
        "/assets/serving/pages/request_checks.js",
        "/assets/serving/pages/style.css",
        "/assets/serving/pages/ui.js",
      ]);
    });

    await t.step("GET /api/request-rules is the rules as JSON, not cached, as they were at start-up", async () => {
      rules.subject = "changed after start-up";
      const res = await fetch(`${base}/api/request-rules`);
      assertEquals(res.status, 200);
      assertEquals(res.headers.get("content-type"), "application/json; charset=utf-8");
      assertEquals(res.headers.get("cache-control"), "no-cache");
      assertEquals(await res.json(), claimRules());
      const head = await fetch(`${base}/api/request-rules`, { method: "HEAD" });
      assertEquals([head.status, await head.text()], [200, ""]);
    });

    await t.step("other methods are 405; other paths and files beside the page's are 404", async () => {
      const post = await fetch(`${base}/api/request-rules`, { method: "POST", body: "{}" });
      assertEquals(post.status, 405);
      await post.body?.cancel();
      for (const path of ["/assets/serving/pages/monitoring.js", "/assets/serving/form.ts", "/form.html"]) {
        const res = await fetch(base + path);
        assertEquals(res.status, 404, path);
        await res.body?.cancel();
      }
      // no score function given: /score says that no model is loaded
      const score = await fetch(`${base}/score`, { method: "POST", body: "{}" });
      assertEquals(score.status, 503);
      assertStringIncludes((await score.json()).error, "No model is loaded");
    });
  } finally {
    await server.shutdown();
    await store.close();
  }
});

Deno.test("form routes: unusable rules are refused at start-up, naming each problem", async () => {
  assertEquals(requestRulesProblems(claimRules()), []);
  const bad = claimRules();
  bad.fields.push(
    { name: "region", label: "region again", kind: "text" },
    { name: "channel", label: "channel", kind: "enum" },
    { name: "tier", label: "tier", kind: "enum", values: ["GOLD"], options: [{ value: "SILVER", label: "Silver" }] },
    { name: "score", label: "score", kind: "number", min: 5, max: 1 },
    { name: "code", label: "code", kind: "text", pattern: "([a-z" },
    { name: "years", label: "years", kind: "integer", max_field: "incident_code" },
    { name: "since", label: "since", kind: "integer", max_field: "nowhere" },
    { name: "colour", label: "colour", kind: "color" as "text" },
  );
  const problems = requestRulesProblems(bad);
  assertEquals(problems, [
    'Request field "region" is listed twice',
    'Request field "channel" is an enum without "values"',
    'Request field "tier" has option "SILVER", not one of its values GOLD',
    'Request field "score" has min 5 above max 1',
    'Request field "code" has a pattern that does not compile: "([a-z"',
    'Request field "colour" has kind "color"; expected one of integer, number, enum, text',
    'Request field "years" has max_field "incident_code", not a numeric request field',
    'Request field "since" has max_field "nowhere", not a numeric request field',
  ]);
  const error = await assertRejects(() => formPageRoutes(bad), Error, "The form's request rules are not usable");
  for (const p of problems) assertStringIncludes(error.message, p);
  assertEquals(requestRulesProblems({ ...claimRules(), fields: [] }), [
    "The request rules must list at least one field",
  ]);
  assert(requestRulesProblems({ ...claimRules(), subject: " " })[0].includes('"subject" must be a non-empty string'));
});
