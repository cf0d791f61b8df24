import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import type { Browser, Page } from "playwright-core";
import { entity, featureRepo, featureView, fileSource } from "../feature_store/definitions.ts";
import { encodeRecords } from "../feature_store/online/codec.ts";
import { getOnlineFeatures } from "../feature_store/online/get_online_features.ts";
import { SqliteOnlineStore } from "../feature_store/online/sqlite.ts";
import { launchChromium, requireChromium } from "../testing/browser.ts";
import { formPageRoutes, type RequestRules } from "./form.ts";
import { HttpError } from "./http.ts";
import { createHandler, type RunningServer, startServer } from "./server.ts";

const chromium = await requireChromium();

const DAY_MS = 86_400_000;
const AS_OF = new Date("2024-03-10T00:00:00Z");

/** Rules of an insurance claim form (what the server builds from a claims repo's model spec). */
const RULES: RequestRules = {
  subject: "insurance claim",
  model: { name: "claims_fraud", version: 3 },
  fields: [
    { name: "policy_id", label: "policy number", kind: "integer", min: 1 },
    {
      name: "region",
      label: "region",
      kind: "enum",
      values: ["NORTH", "SOUTH", "EAST", "WEST"],
      options: [
        { value: "NORTH", label: "North" },
        { value: "SOUTH", label: "South" },
        { value: "EAST", label: "East" },
        { value: "WEST", label: "West" },
      ],
      upper_case: true,
    },
    { name: "claim_amount", label: "claim amount (EUR)", kind: "number", min: 0, range_label: "claim amount" },
    { name: "driver_age", label: "driver's age", kind: "integer", min: 16, max: 100 },
    {
      name: "vehicle_age",
      label: "vehicle age (years)",
      kind: "integer",
      min: 0,
      max: 40,
      max_field: "driver_age",
      range_label: "vehicle age",
    },
    {
      name: "incident_code",
      label: "incident code",
      kind: "text",
      pattern: "\\d{8}_\\d{4}",
      pattern_hint: "YYYYMMDD_NNNN",
    },
    { name: "witnesses", label: "number of witnesses", kind: "integer", min: 0, nullable: true },
    { name: "repair_shop", label: "repair shop", kind: "text", nullable: true },
  ],
  features: {
    prior_claims_3y: { view: "policy_history", description: "claims in the last 3 years" },
    months_insured: { view: "policy_history", description: "months insured" },
    theft_rate: { view: "region_stats", description: "vehicle thefts per 1,000 in the region" },
  },
  decision_text: { approve: "accepted", reject: "referred" },
};

/** The form's fields by their visible label (what a claims handler, and a screen reader, sees). */
const LABELS: Record<string, string> = {
  policy_id: "Policy number",
  region: "Region",
  claim_amount: "Claim amount (EUR)",
  driver_age: "Driver's age",
  vehicle_age: "Vehicle age (years)",
  incident_code: "Incident code",
  witnesses: "Number of witnesses",
  repair_shop: "Repair shop",
};

/** A good claim as typed. */
const CLAIM: Record<string, string> = {
  policy_id: "40213",
  region: "NORTH",
  claim_amount: "12,500.50",
  driver_age: "41",
  vehicle_age: "7",
  incident_code: "20240305_0042",
  witnesses: "",
  repair_shop: "<b>Garage</b> Dupont",
};

/**
 * A claims feature store: a real SQLite online store in memory with two views. Policy 40213's history is fresh;
 * the NORTH region's statistics are older than the view's 30-day ttl (OUTSIDE_MAX_AGE); other policies are not on
 * file (NOT_FOUND).
 */
async function claimsStore() {
  const policy = entity({ name: "policy_id", valueType: "int64" });
  const region = entity({ name: "region", valueType: "string" });
  const source = (name: string) =>
    fileSource({ name, path: `data/${name}.parquet`, timestampField: "event_timestamp" });
  const history = featureView({
    name: "policy_history",
    entities: [policy],
    ttl: "365d",
    schema: [{ name: "prior_claims_3y", dtype: "int64" }, { name: "months_insured", dtype: "int64" }],
    source: source("policy_history"),
  });
  const stats = featureView({
    name: "region_stats",
    entities: [region],
    ttl: "30d",
    schema: [{ name: "theft_rate", dtype: "float64" }],
    source: source("region_stats"),
  });
  const repo = featureRepo({ entities: [policy, region], views: [history, stats] });
  const online = new SqliteOnlineStore({ path: ":memory:", project: "claims" });
  await online.onlineWriteBatch(
    history,
    encodeRecords(history, [{
      policy_id: 40213,
      prior_claims_3y: 2,
      months_insured: 58,
      event_timestamp: new Date(AS_OF.getTime() - 2 * DAY_MS),
    }]),
  );
  await online.onlineWriteBatch(
    stats,
    encodeRecords(stats, [{
      region: "NORTH",
      theft_rate: 4.25,
      event_timestamp: new Date(AS_OF.getTime() - 45 * DAY_MS),
    }]),
  );
  return {
    repo,
    getOnlineFeatures: (request: Parameters<typeof getOnlineFeatures>[2]) => getOnlineFeatures(repo, online, request),
    close: () => online.close(),
  };
}

type ClaimsStore = Awaited<ReturnType<typeof claimsStore>>;

/**
 * A stand-in for a model's `/score`: the stored features come from the real online store, the probability is fixed
 * (0.62 against 0.4, so "reject"); a claim amount over 50,000 is refused with a 422 naming the field, as a model's
 * range check would.
 */
function standInScore(store: ClaimsStore, received: Record<string, unknown>[]) {
  return async (body: Record<string, unknown>) => {
    received.push(body);
    if (typeof body.claim_amount === "number" && body.claim_amount > 50_000) {
      const message = `claim amount is ${body.claim_amount}; expected at most 50000`;
      throw new HttpError(422, `Field "claim_amount": ${message}`, [{ field: "claim_amount", message }]);
    }
    const result = await store.getOnlineFeatures({
      features: ["policy_history:prior_claims_3y", "policy_history:months_insured", "region_stats:theft_rate"],
      entityRows: [{ policy_id: body.policy_id, region: body.region }],
      asOf: AS_OF,
    });
    const features: Record<string, { value: unknown; status: string; event_timestamp: string | null }> = {};
    for (const c of result.results) {
      if (!c.view) continue; // join keys
      const micros = c.eventTimestamps[0];
      features[c.name] = {
        value: c.values[0],
        status: c.statuses[0],
        event_timestamp: micros === null ? null : new Date(micros / 1000).toISOString(),
      };
    }
    if (body.witnesses === 7) {
      // the decision server's third outcome: too many stale stored features, a person decides
      return {
        decision: "refer",
        message: "claim referred to a person: not decided automatically",
        refer_reason: "2 of 3 stored features (67%) are older than their view's ttl; serve with --as-of",
        model_decision: "reject",
        stale_share: 2 / 3,
        probability: 0.62,
        threshold: 0.4,
        model: { name: "claims_fraud", version: 3 },
        reasons: [],
        features,
        missing_features: [],
      };
    }
    return {
      decision: "reject",
      message: "claim referred",
      probability: 0.62,
      threshold: 0.4,
      model: { name: "claims_fraud", version: 3 },
      reasons: [
        {
          feature: "prior_claims_3y",
          description: "claims in the last 3 years",
          text: "claims in the last 3 years (2): log-odds +0.80, probability +12.5 points",
          value: features.prior_claims_3y.value,
          impact: 0.8,
          probability_impact: 0.125,
        },
        {
          feature: "repair_shop",
          description: "repair shop",
          text: "repair shop: log-odds +0.30, probability +4.0 points",
          value: body.repair_shop,
          impact: 0.3,
          probability_impact: 0.04,
        },
      ],
      features,
      missing_features: Object.entries(features).filter(([, f]) => f.status !== "PRESENT").map(([name]) => name),
    };
  };
}

/** Fills the form through its labels, as a person would. */
async function fill(page: Page, overrides: Record<string, string> = {}) {
  const values = { ...CLAIM, ...overrides };
  for (const [field, value] of Object.entries(values)) {
    const control = page.getByLabel(LABELS[field], { exact: true });
    if (field === "region") await control.selectOption(value);
    else await control.fill(value);
  }
}

/** The id of the control labelled `label` (the page numbers its fields). */
async function errorOf(page: Page, label: string): Promise<string> {
  const id = await page.getByLabel(label, { exact: true }).getAttribute("id");
  return (await page.locator(`#${id}-error`).textContent()) ?? "";
}

Deno.test({
  name: "form page in Chromium: a claims form built from the rules scores through a stand-in score function over " +
    "a real in-memory SQLite online store, shows the result and the fields' messages, loads nothing from elsewhere",
  ignore: !chromium.available,
  fn: async (t) => {
    const store = await claimsStore();
    const received: Record<string, unknown>[] = [];
    const servers: RunningServer[] = [];
    const serve = async (rules: RequestRules, score?: (body: Record<string, unknown>) => Promise<unknown>) => {
      const server = startServer({
        hostname: "127.0.0.1",
        port: 0,
        handler: createHandler({ store, score, routes: await formPageRoutes(rules), log: () => {} }),
      });
      servers.push(server);
      return `http://127.0.0.1:${server.addr.port}`;
    };
    const base = await serve(RULES, standInScore(store, received));
    let browser: Browser | undefined;
    const newPage = async (url: string) => {
      browser ??= await launchChromium(chromium);
      const page = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`console: ${m.text()}`);
      });
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(url);
      await page.locator("#score-button:not([disabled])").waitFor();
      return { page, problems, requests };
    };
    try {
      await t.step("the form is built from the rules: title, labelled fields, hints, options", async () => {
        const { page, problems, requests } = await newPage(`${base}/`);
        assertEquals(await page.title(), "Score an insurance claim");
        assertEquals(await page.locator("h1").textContent(), "Score an insurance claim");
        assertStringIncludes((await page.locator("#lead").textContent())!, "model claims_fraud version 3");
        for (const [name, label] of Object.entries(LABELS)) {
          const control = page.getByLabel(label, { exact: true });
          assertEquals(await control.count(), 1, label);
          assertEquals(await control.getAttribute("name"), name, label);
        }
        // every control has a label (typed structurally: this file is checked without the DOM library)
        type Control = { name: string; labels: { length: number } | null };
        const unlabelled = await page.locator("input, select, textarea").evaluateAll((controls) =>
          (controls as unknown as Control[]).filter((c) => !c.labels?.length).map((c) => c.name)
        );
        assertEquals(unlabelled, []);
        const options = await page.getByLabel("Region", { exact: true }).locator("option").allTextContents();
        assertEquals(options, ["Choose…", "North", "South", "East", "West"]);
        const hints = await page.locator(".field .hint").allTextContents();
        assert(hints.includes("A whole number between 0 and 40, at most the driver's age"), hints.join(" | "));
        assert(hints.includes("Format YYYYMMDD_NNNN"), hints.join(" | "));
        assert(hints.includes("A whole number at least 0; optional: leave empty when unknown"), hints.join(" | "));
        assertEquals(await page.getByRole("button", { name: "Score insurance claim" }).count(), 1);
        // only this server: no inline script in the document, no request to another origin
        assertEquals(await page.locator("script:not([src])").count(), 0);
        const elsewhere = requests.filter((u) => !u.startsWith(`${base}/`) && !u.startsWith("data:"));
        assertEquals(elsewhere, []);
        assert(requests.includes(`${base}/api/request-rules`), requests.join());
        assertEquals(problems, []);
      });

      await t.step("fill and submit: the decision, the probability bar, the reasons, the stored features", async () => {
        const { page, problems, requests } = await newPage(`${base}/`);
        await fill(page);
        await page.getByRole("button", { name: "Score insurance claim" }).click();
        await page.locator("#decision").waitFor();
        // exactly the JSON body the checks build: numbers as numbers, the enum as listed, empty nullable as null
        assertEquals(received.at(-1), {
          policy_id: 40213,
          region: "NORTH",
          claim_amount: 12500.5,
          driver_age: 41,
          vehicle_age: 7,
          incident_code: "20240305_0042",
          witnesses: null,
          repair_shop: "<b>Garage</b> Dupont",
        });
        assertEquals(await page.locator("#decision").textContent(), "Referred");
        assertEquals(await page.locator("#decision").getAttribute("class"), "decision reject");
        const probability = (await page.locator("#probability").textContent())!;
        assertStringIncludes(probability, "Probability 62.0% against the threshold 40.0%");
        assertStringIncludes(probability, "(at or above the threshold: referred)");
        assert(await page.getByRole("img", { name: "Probability 62.0%; threshold 40.0%" }).isVisible());
        assertEquals(await page.locator("#model").textContent(), "Model claims_fraud version 3");
        const reasons = await page.locator("#reasons li").allTextContents();
        assertEquals(reasons, [
          "claims in the last 3 years (2) — probability +12.5 points",
          "repair shop (<b>Garage</b> Dupont) — probability +4.0 points",
        ]);
        // a value that looks like markup is text, never an element
        assertEquals(await page.locator("#reasons b").count(), 0);
        const row = (name: string) => page.locator(`#features tr[data-feature="${name}"]`);
        const history = (await row("prior_claims_3y").textContent())!;
        assertStringIncludes(history, "claims in the last 3 years");
        assertStringIncludes(history, "policy_history:prior_claims_3y");
        assertStringIncludes(history, "PRESENT");
        assertStringIncludes(history, "2024-03-08 00:00 UTC");
        assertEquals(await row("prior_claims_3y").locator("td.num").textContent(), "2");
        assertEquals(await row("months_insured").locator("td.num").textContent(), "58");
        assertEquals(await row("prior_claims_3y").locator(".tag").getAttribute("class"), "tag good");
        // stale statistics: highlighted, no value shown, the event time still shown
        const theft = row("theft_rate");
        assertEquals(await theft.locator(".tag").textContent(), "OUTSIDE_MAX_AGE");
        assertEquals(await theft.locator(".tag").getAttribute("class"), "tag warn");
        assertEquals(await theft.locator("td.num").textContent(), "–");
        assertStringIncludes((await theft.textContent())!, "2024-01-25 00:00 UTC");
        assertEquals(
          await page.locator("#missing").textContent(),
          "Not on file, scored with typical values: vehicle thefts per 1,000 in the region",
        );
        assertEquals(requests.filter((u) => u === `${base}/score`).length, 1);
        assertEquals(problems, []);
      });

      await t.step("a referred answer: shown prominently with why, and no automatic decision", async () => {
        const { page, problems } = await newPage(`${base}/`);
        await fill(page, { witnesses: "7" });
        await page.getByRole("button", { name: "Score insurance claim" }).click();
        await page.locator("#decision").waitFor();
        assertEquals(await page.locator("#decision").textContent(), "Referred: not decided automatically");
        assertStringIncludes((await page.locator("#decision").getAttribute("class"))!, "refer");
        const why = (await page.locator("#refer-reason").textContent())!;
        assertStringIncludes(why, "older than their view's ttl");
        assertStringIncludes(why, "The model alone would have said: reject.");
        assertEquals(problems, []);
      });

      await t.step("a policy not on file: every stored feature NOT_FOUND and highlighted", async () => {
        const { page } = await newPage(`${base}/`);
        await fill(page, { policy_id: "7", region: "WEST" });
        await page.getByRole("button", { name: "Score insurance claim" }).click();
        await page.locator("#features").waitFor();
        const statuses = await page.locator("#features tbody tr").evaluateAll((rows) =>
          (rows as unknown as { getAttribute(n: string): string | null }[]).map((r) => r.getAttribute("data-status"))
        );
        assertEquals(statuses, ["NOT_FOUND", "NOT_FOUND", "NOT_FOUND"]);
        assertEquals(await page.locator("#features .tag.warn").count(), 3);
      });

      await t.step("bad fields show their message beside them, the first is focused, nothing is sent", async () => {
        const { page, problems, requests } = await newPage(`${base}/`);
        const before = received.length;
        await fill(page, { vehicle_age: "41", incident_code: "2024-03-05" });
        await page.getByLabel("Region", { exact: true }).selectOption("");
        await page.getByRole("button", { name: "Score insurance claim" }).click();
        assertEquals(await errorOf(page, "Region"), "Choose the region");
        assertEquals(await errorOf(page, "Vehicle age (years)"), "vehicle age is 41; expected between 0 and 40");
        assertEquals(await errorOf(page, "Incident code"), 'Incident code is "2024-03-05"; expected YYYYMMDD_NNNN');
        assertEquals(await errorOf(page, "Policy number"), "");
        const vehicle = page.getByLabel("Vehicle age (years)", { exact: true });
        assertEquals(await vehicle.getAttribute("aria-invalid"), "true");
        assertEquals(await page.locator("#form-error").textContent(), "Please correct the 3 fields marked.");
        assertEquals(await page.locator(":focus").getAttribute("name"), "region"); // the first marked field
        assertStringIncludes((await page.locator("#not-scored").textContent())!, "correct the marked fields");
        assertEquals(requests.filter((u) => u.endsWith("/score")), []);
        assertEquals(received.length, before);
        // max_field: not above the driver's age
        await fill(page, { driver_age: "18", vehicle_age: "19" });
        await page.getByRole("button", { name: "Score insurance claim" }).click();
        assertEquals(
          await errorOf(page, "Vehicle age (years)"),
          "vehicle age is 19; expected at most driver's age (18)",
        );
        // correcting a field clears its message
        await vehicle.fill("3");
        assertEquals(await errorOf(page, "Vehicle age (years)"), "");
        assertEquals(await vehicle.getAttribute("aria-invalid"), null);
        assertEquals(problems, []);
      });

      await t.step("a field the server refuses (422) shows the server's message on that field", async () => {
        const { page, problems } = await newPage(`${base}/`);
        await fill(page, { claim_amount: "60 000" });
        await page.getByRole("button", { name: "Score insurance claim" }).click();
        await page.locator("#not-scored").waitFor();
        assertEquals(received.at(-1)?.claim_amount, 60000);
        assertEquals(await errorOf(page, "Claim amount (EUR)"), "claim amount is 60000; expected at most 50000");
        const amount = page.getByLabel("Claim amount (EUR)", { exact: true });
        assertEquals(await amount.getAttribute("aria-invalid"), "true");
        assertEquals(await page.locator(":focus").getAttribute("name"), "claim_amount");
        assertStringIncludes((await page.locator("#not-scored").textContent())!, "the server refused");
        assertEquals(await page.locator("#decision").count(), 0);
        // the server refused the request: the browser logs the 422 as a failed resource, nothing else
        assertEquals(problems.filter((p) => !p.includes("status of 422")), []);
      });

      await t.step("no model loaded: the page says so, and a submit shows the server's 503 message", async () => {
        const noModel = await serve({ ...RULES, model: null }); // no score function: /score answers 503
        const { page } = await newPage(`${noModel}/`);
        assertStringIncludes((await page.locator("#no-model").textContent())!, "No model is loaded");
        await fill(page);
        await page.getByRole("button", { name: "Score insurance claim" }).click();
        await page.locator("#not-scored").waitFor();
        assertStringIncludes((await page.locator("#form-error").textContent())!, "No model is loaded");
        assertEquals(await page.locator("#not-scored").textContent(), "Not scored: no model is loaded.");
        assertEquals(await page.getByRole("button", { name: "Score insurance claim" }).isEnabled(), true);
      });
    } finally {
      await browser?.close();
      for (const s of servers) await s.shutdown();
      await store.close();
    }
  },
});
