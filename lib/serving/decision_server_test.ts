import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { fixtureApplication, trainedCreditFixture } from "../testing/credit_fixture.ts";
import { startDecisionServer } from "./decision_server.ts";

Deno.test("serve: /score decides with online features, /get-online-features answers Feast's JSON, bad input is 4xx", async () => {
  const dir = await Deno.makeTempDir();
  const logs: string[] = [];
  const config = await trainedCreditFixture(dir);
  const server = await startDecisionServer({
    hostname: "127.0.0.1",
    port: 0,
    config,
    log: (l) => logs.push(l),
    asOf: new Date("2021-09-01T00:00:00Z"),
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: "POST",
      body: typeof body === "string" ? body : JSON.stringify(body),
      headers: { "content-type": "application/json", ...headers },
    });
  try {
    const health = await (await fetch(`${base}/health`)).json();
    assertEquals(health.status, "ok");
    assertEquals(health.model.version, 1);

    const application = await fixtureApplication(config.data_dir);
    const known = application.dob_ssn;
    const res = await post("/score", application);
    assertEquals(res.status, 200);
    const answer = await res.json();
    assert(answer.probability > 0 && answer.probability < 1);
    assertEquals(answer.decision, answer.probability >= answer.threshold ? "reject" : "approve");
    assertEquals(answer.model, { name: "credit_default", version: 1 });
    // reasons come with rejections only (the default); a fresh store decides
    assertEquals(answer.reasons.length > 0, answer.decision === "reject");
    assertEquals(answer.stale_share, 0);
    assert(!logs.some((l) => l.includes("older than their view's ttl")), logs.join("\n"));
    // the applicant's credit history came from the online store (present with its timestamp)
    assertEquals(answer.features.missed_payments_6m.status, "PRESENT");
    assert(answer.features.missed_payments_6m.event_timestamp.startsWith("20"));

    // a thin file: unknown applicant, scored with imputation, missing features listed
    const thin = await (await post("/score", { ...application, dob_ssn: "19990101_0000" })).json();
    assertEquals(thin.features.missed_payments_6m.status, "NOT_FOUND");
    assert(thin.missing_features.includes("missed_payments_6m"));

    // Feast's /get-online-features
    const feast = await (await post("/get-online-features", {
      features: ["credit_history:missed_payments_6m", "zipcode_features:state"],
      entities: { dob_ssn: [known, "nobody_0000"], zipcode: [application.zipcode, 1] },
    })).json();
    assertEquals(feast.metadata.feature_names, ["dob_ssn", "zipcode", "missed_payments_6m", "state"]);
    assertEquals(feast.results[2].statuses, ["PRESENT", "NOT_FOUND"]);

    // bad input: each a 4xx naming the problem, never a crash or a stack
    const cases: [string, unknown, number, string][] = [
      ["/score", "{not json", 400, "not valid JSON"],
      ["/score", { ...application, person_age: "old" }, 400, `"person_age"`],
      ["/score", { ...application, loan_intent: "YACHT" }, 400, `"loan_intent"`],
      ["/score", { ...application, loan_amnt: undefined }, 400, `"loan_amnt"`],
      ["/score", { ...application, person_age: 133 }, 422, `"person_age"`],
      ["/score", { ...application, pad: "x".repeat(70_000) }, 413, "limit"],
      ["/get-online-features", { features: ["nope:x"], entities: { dob_ssn: [known] } }, 400, `"nope"`],
      ["/get-online-features", { features: ["credit_history:hard_pulls"], entities: {} }, 400, `"entities"`],
      ["/get-online-features", { features: ["credit_history:hard_pulls"], entities: { dob: ["x"] } }, 400, "dob_ssn"],
    ];
    for (const [path, body, status, text] of cases) {
      const r = await post(path, body);
      const b = await r.json();
      assertEquals(r.status, status, `${path} ${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(b)}`);
      assertStringIncludes(b.error, text);
      assertEquals(String(b.error).includes("    at "), false);
    }
    assertEquals((await fetch(`${base}/score`)).status, 405);
    await (await fetch(`${base}/score`)).body?.cancel();
    assertEquals((await fetch(`${base}/nope`)).status, 404);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve: a store whose features are past their ttl at the server's clock refers, and the server warns at start", async () => {
  const dir = await Deno.makeTempDir();
  const logs: string[] = [];
  const config = await trainedCreditFixture(dir);
  // the fixture's features are from 2021; the server's own clock (now) is years later
  const server = await startDecisionServer({ hostname: "127.0.0.1", port: 0, config, log: (l) => logs.push(l) });
  try {
    const warning = logs.find((l) => l.includes("older than their view's ttl"));
    assert(warning, logs.join("\n"));
    assertStringIncludes(warning, "--as-of 20");
    const application = await fixtureApplication(config.data_dir);
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/score`, {
      method: "POST",
      body: JSON.stringify(application),
      headers: { "content-type": "application/json" },
    });
    const answer = await res.json();
    assertEquals(res.status, 200);
    assertEquals(answer.decision, "refer");
    assert(["approve", "reject"].includes(answer.model_decision));
    assertStringIncludes(answer.refer_reason, "older than their view's ttl");
    assertStringIncludes(answer.refer_reason, "--as-of");
    // independent count of the stale share from the answer's own feature statuses
    const statuses = Object.values(answer.features as Record<string, { status: string }>).map((f) => f.status);
    const stale = statuses.filter((s) => s === "OUTSIDE_MAX_AGE").length / statuses.length;
    assertEquals(answer.stale_share, stale);
    assert(stale > 0.5, `stale share ${stale}`);
    assertEquals(answer.reasons, []);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
