import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import type { Browser, Page } from "playwright-core";
import { APPLICATION_FIELDS } from "./application.ts";
import { startDecisionServer } from "../serving/decision_server.ts";
import { CREDIT_RULES } from "./model_spec.ts";
import { fixtureApplication, trainedCreditFixture } from "../testing/credit_fixture.ts";
import { launchChromium, requireChromium } from "../testing/browser.ts";
import { writeDriftReportFixture } from "../testing/drift_report_fixture.ts";
import { PAGE_CSP } from "../serving/pages.ts";

const chromium = await requireChromium();

/** The form's fields by their visible label (what a loan officer, and a screen reader, sees). */
const LABELS: Record<string, string> = {
  dob: "Date of birth",
  ssn4: "Last four SSN digits",
  zipcode: "Zipcode",
  person_age: "Age (years)",
  person_income: "Annual income (USD)",
  person_emp_length: "Employment length (years)",
  person_home_ownership: "Home ownership",
  loan_intent: "Loan intent",
  loan_amnt: "Loan amount (USD)",
  loan_int_rate: "Interest rate (%)",
};

type Application = Awaited<ReturnType<typeof fixtureApplication>>;

/** Fills the form through its labels, as a person would. */
async function fill(page: Page, a: Application, overrides: Partial<Record<keyof typeof LABELS, string>> = {}) {
  const d = a.dob_ssn;
  const values: Record<string, string> = {
    dob: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`,
    ssn4: d.slice(9),
    zipcode: String(a.zipcode),
    person_age: String(a.person_age),
    person_income: String(a.person_income),
    person_emp_length: String(a.person_emp_length),
    loan_amnt: String(a.loan_amnt),
    loan_int_rate: String(a.loan_int_rate),
    ...overrides,
  };
  for (const [field, value] of Object.entries(values)) {
    await page.getByLabel(LABELS[field], { exact: true }).fill(value);
  }
  await page.getByLabel("Home ownership").selectOption(a.person_home_ownership);
  await page.getByLabel("Loan intent").selectOption(a.loan_intent);
}

Deno.test({
  name: "pages: the application form scores in a real browser, bad fields show their message, monitoring shows " +
    "the champion and the drift report",
  fn: async (t) => {
    const dir = await Deno.makeTempDir();
    const driftDir = `${dir}/reports/drift`;
    const config = await trainedCreditFixture(dir, { charts: true });
    const server = await startDecisionServer({
      hostname: "127.0.0.1",
      port: 0,
      config,
      log: () => {},
      asOf: new Date("2021-09-01T00:00:00Z"),
      driftReportDir: driftDir,
    });
    const base = `http://127.0.0.1:${server.addr.port}`;
    const application = await fixtureApplication(config.data_dir);
    let browser: Browser | undefined;
    const newPage = async () => {
      browser ??= await launchChromium(chromium);
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console: ${m.text()}`);
      });
      return { page, problems };
    };
    const browserStep = (name: string, fn: () => Promise<void>) =>
      t.step({ name: `browser: ${name}`, ignore: !chromium.available, fn });
    try {
      await t.step("pages and assets are served with their content types and a CSP without other origins", async () => {
        const cases: [string, string][] = [
          ["/", "text/html; charset=utf-8"],
          ["/monitoring", "text/html; charset=utf-8"],
          ["/assets/serving/pages/style.css", "text/css; charset=utf-8"],
          ["/assets/serving/pages/ui.js", "text/javascript; charset=utf-8"],
          ["/assets/serving/pages/monitoring.js", "text/javascript; charset=utf-8"],
          ["/assets/credit/pages/application.js", "text/javascript; charset=utf-8"],
          ["/assets/credit/pages/validate.js", "text/javascript; charset=utf-8"],
        ];
        for (const [path, type] of cases) {
          const res = await fetch(base + path);
          assertEquals(res.status, 200, path);
          assertEquals(res.headers.get("content-type"), type, path);
          assertEquals(res.headers.get("content-security-policy"), PAGE_CSP, path);
          assertEquals(res.headers.get("x-content-type-options"), "nosniff", path);
          const body = await res.text();
          if (type.startsWith("text/html")) {
            // no external resource and no inline script in our pages
            assertEquals(/(src|href)="(https?:)?\/\//.test(body), false, path);
            assertEquals(/<script(?![^>]*\bsrc=)[^>]*>/.test(body), false, path);
          }
        }
        const html = await (await fetch(base + "/")).text();
        const controls = [...html.matchAll(/<(?:input|select)\s[^>]*?id="([^"]+)"/g)].map((m) => m[1]).sort();
        const labelled = [...html.matchAll(/<label for="([^"]+)"/g)].map((m) => m[1]).sort();
        assertEquals(controls, Object.keys(LABELS).sort());
        assertEquals(labelled, controls);
        assertMatch(html, /id="result" aria-live="polite"/);
        const traversal = await fetch(`${base}/assets/credit/pages/../../feature_store/config.ts`);
        assertEquals(traversal.status, 404);
        await traversal.body?.cancel();
      });

      await t.step("the form's rules come from the application fields and the model's range rules", async () => {
        const rules = await (await fetch(`${base}/api/application-rules`)).json();
        assertEquals(rules.fields.map((f: { name: string }) => f.name), Object.keys(APPLICATION_FIELDS));
        const age = rules.fields.find((f: { name: string }) => f.name === "person_age");
        const ageRule = CREDIT_RULES.find((r) => r.column === "person_age")!;
        assertEquals([age.kind, age.min, age.max], ["integer", ageRule.min, ageRule.max]);
        const emp = rules.fields.find((f: { name: string }) => f.name === "person_emp_length");
        assertEquals(emp.max_field, "person_age");
        const intent = rules.fields.find((f: { name: string }) => f.name === "loan_intent");
        assertEquals(intent.values, [...(APPLICATION_FIELDS.loan_intent as { values: readonly string[] }).values]);
        assertEquals(rules.features.missed_payments_6m.description, "missed payments in the last 6 months");
      });

      await t.step("/score names each refused field under `fields` (400 malformed, 422 out of range)", async () => {
        const post = (body: unknown) =>
          fetch(`${base}/score`, {
            method: "POST",
            body: JSON.stringify(body),
            headers: { "content-type": "application/json" },
          });
        const malformed = await post({ ...application, person_age: "old", loan_intent: "YACHT" });
        assertEquals(malformed.status, 400);
        const m = await malformed.json();
        assertEquals(m.fields.map((f: { field: string }) => f.field), ["person_age", "loan_intent"]);
        const range = await post({ ...application, person_age: 133 });
        assertEquals(range.status, 422);
        assertEquals((await range.json()).fields, [
          { field: "person_age", message: "age is 133; expected between 18 and 100" },
        ]);
      });

      await t.step("/api/monitoring without a drift report says so; the champion's charts are served", async () => {
        const data = await (await fetch(`${base}/api/monitoring`)).json();
        assertEquals(data.drift.report, null);
        assertEquals(data.drift.dir, driftDir);
        assertStringIncludes(data.drift.problem, "No drift report yet: run deno task drift");
        assertEquals([data.model.champion.version, data.model.served_version], [1, 1]);
        assert(data.model.champion.metrics.test_auc > 0.5);
        const names = data.model.champion.charts.map((c: { name: string }) => c.name);
        assert(names.includes("roc"), names.join());
        const svg = await fetch(base + data.model.champion.charts[0].url);
        assertEquals(svg.headers.get("content-type"), "image/svg+xml");
        assertStringIncludes(await svg.text(), "<svg");
        const report = await fetch(`${base}/monitoring/drift_report.html`);
        assertEquals(report.status, 404);
        await report.body?.cancel();
      });

      await browserStep("fill the form, submit, read the decision, the reasons and the stored features", async () => {
        const expected = await (await fetch(`${base}/score`, {
          method: "POST",
          body: JSON.stringify(application),
          headers: { "content-type": "application/json" },
        })).json();
        const { page, problems } = await newPage();
        await page.goto(`${base}/`);
        await fill(page, application);
        await page.getByRole("button", { name: "Score application" }).click();
        const decision = page.locator("#decision");
        await decision.waitFor();
        assertEquals(await decision.textContent(), expected.decision === "approve" ? "Approved" : "Rejected");
        const probability = await page.locator("#probability").textContent();
        assertStringIncludes(probability!, `${(expected.probability * 100).toFixed(1)}%`);
        assertStringIncludes(probability!, `threshold ${(expected.threshold * 100).toFixed(1)}%`);
        assert(await page.getByRole("img", { name: /Probability of default/ }).isVisible());
        assertEquals(await page.locator("#reasons li").count(), expected.reasons.length);
        const row = page.locator('#features tr[data-feature="missed_payments_6m"]');
        assertStringIncludes((await row.textContent())!, "PRESENT");
        const ts = expected.features.missed_payments_6m.event_timestamp as string;
        assertStringIncludes((await row.textContent())!, `${ts.slice(0, 10)} ${ts.slice(11, 16)} UTC`);
        assertEquals(problems, []);
      });

      await browserStep("a bad field shows its message, and nothing is sent", async () => {
        const { page, problems } = await newPage();
        let scored = 0;
        page.on("request", (r) => {
          if (r.url().endsWith("/score")) scored++;
        });
        await page.goto(`${base}/`);
        await fill(page, application, { person_age: "133", ssn4: "12" });
        await page.getByRole("button", { name: "Score application" }).click();
        const age = page.getByLabel("Age (years)");
        assertEquals(await page.locator("#person_age-error").textContent(), "age is 133; expected between 18 and 100");
        assertEquals(await age.getAttribute("aria-invalid"), "true");
        assertEquals(await page.locator("#ssn4-error").textContent(), "Enter exactly four digits");
        assert(await page.locator("#form-error").isVisible());
        assertEquals(await page.locator(":focus").getAttribute("id"), "ssn4"); // the first marked field
        assertEquals(scored, 0);
        // correcting the field clears its message
        await age.fill("30");
        assertEquals(await page.locator("#person_age-error").textContent(), "");
        assertEquals(problems, []);
      });

      await browserStep("a field the server refuses (422) shows the server's message on that field", async () => {
        const { page } = await newPage();
        // the rules endpoint is replaced by looser rules (no age range) so the application reaches the server
        await page.route("**/api/application-rules", async (route) => {
          const rules = await (await route.fetch()).json();
          for (const f of rules.fields) if (f.name === "person_age") delete f.max;
          await route.fulfill({ json: rules });
        });
        await page.goto(`${base}/`);
        await fill(page, application, { person_age: "133" });
        await page.getByRole("button", { name: "Score application" }).click();
        const error = page.locator("#person_age-error");
        await page.locator("#person_age-error:not(:empty)").waitFor();
        assertEquals(await error.textContent(), "age is 133; expected between 18 and 100");
        assertStringIncludes((await page.locator("#not-scored").textContent())!, "the server refused");
      });

      await browserStep("every field is found by its label; the result is a live region", async () => {
        const { page } = await newPage();
        await page.goto(`${base}/`);
        for (const [id, label] of Object.entries(LABELS)) {
          const control = page.getByLabel(label, { exact: true });
          assertEquals(await control.count(), 1, label);
          assertEquals(await control.getAttribute("id"), id, label);
        }
        // runs in the page (typed structurally: this file is checked without the DOM library)
        type Control = { id: string; labels: { length: number } | null };
        const unlabelled = await page.locator("input, select, textarea").evaluateAll((controls) =>
          (controls as unknown as Control[]).filter((c) => !c.labels?.length).map((c) => c.id)
        );
        assertEquals(unlabelled, []);
        assertEquals(await page.locator("#result").getAttribute("aria-live"), "polite");
        // the options come from the server's rules
        const options = await page.getByLabel("Loan intent").locator("option").allTextContents();
        assert(options.includes("Debt consolidation"), options.join());
      });

      await browserStep("monitoring without a drift report: the champion's metrics and a plain message", async () => {
        const { page, problems } = await newPage();
        await page.goto(`${base}/monitoring`);
        await page.locator("#metrics").waitFor();
        assertStringIncludes((await page.locator("#model").textContent())!, "credit_default version 1 (champion)");
        const auc = await page.locator('[data-metric="test_auc"] dd').textContent();
        assertMatch(auc!, /^0\.\d{3}$/);
        assert(await page.locator(".charts img").count() > 0);
        assertStringIncludes((await page.locator("#drift-problem").textContent())!, "No drift report yet");
        assertEquals(problems, []);
      });

      await t.step("/api/monitoring with a drift report: its summary, columns by score, the full report", async () => {
        await writeDriftReportFixture(driftDir, { html: true });
        const data = await (await fetch(`${base}/api/monitoring`)).json();
        assertEquals(data.drift.report.columns[0].column, "person_income");
        assertEquals(data.drift.html_url, "/monitoring/drift_report.html");
        const html = await fetch(`${base}/monitoring/drift_report.html`);
        assertEquals(html.headers.get("content-type"), "text/html; charset=utf-8");
        assertStringIncludes(html.headers.get("content-security-policy")!, "sandbox");
        assertStringIncludes(await html.text(), "Full drift report");
      });

      await browserStep("monitoring with a drift report: summary line, table by score, values as text", async () => {
        const { page, problems } = await newPage();
        await page.goto(`${base}/monitoring`);
        const summary = page.locator("#drift-summary");
        await summary.waitFor();
        assertStringIncludes((await summary.textContent())!, "No dataset drift: 1 of 3 columns drifted");
        assertStringIncludes((await summary.textContent())!, "(33.3%; the dataset drifts at 50.0%)");
        assertStringIncludes(
          (await page.locator("#drift-score-psi").textContent())!,
          "Score PSI (probability): 0.1670 (moderate shift; stable below 0.1, major shift from 0.25)",
        );
        const firstRow = page.locator("#drift-columns tbody tr").first();
        assertStringIncludes((await firstRow.textContent())!, "person_income");
        assertStringIncludes((await firstRow.textContent())!, "Drift");
        // a category that is markup shows as text, never as an element
        assertStringIncludes((await page.locator("#drift-columns").textContent())!, "<script>alert(1)</script>");
        assertEquals(await page.locator("#drift-columns script").count(), 0);
        // written by deno task drift: no retraining decision, and the page says where one comes from
        assertStringIncludes((await page.locator("#retraining-none").textContent())!, "deno task monitor");
        await page.locator("#drift-link").click();
        await page.waitForURL("**/monitoring/drift_report.html");
        assertStringIncludes((await page.locator("h1").textContent())!, "Full drift report");
        assertEquals(problems, []);
      });

      await browserStep("monitoring after deno task monitor: the retraining decision and its comparison", async () => {
        await writeDriftReportFixture(driftDir, { html: true, retraining: true });
        const { page, problems } = await newPage();
        await page.goto(`${base}/monitoring`);
        const decision = page.locator("#retraining-decision");
        await decision.waitFor();
        assertStringIncludes((await decision.textContent())!, "Challenger promoted · champion now version 2");
        assertStringIncludes((await page.locator("#retraining-explanation").textContent())!, "Promoted version 2");
        // the score PSI that triggered retraining beside the drift share, each with its threshold
        assertEquals(await page.locator("#retraining-trigger tbody tr").allTextContents(), [
          "Score PSI0.1670≥ 0.1000Reached",
          "Share of drifted columns33.3%≥ 50.0%Below",
        ]);
        const rows = await page.locator("#retraining-comparison tbody tr").allTextContents();
        assertEquals(rows, [
          "Champion (version 1)0.8392",
          "Challenger (version 2)0.8812",
          "Improvement (margin 0.005)0.042",
        ]);
        assertStringIncludes(
          (await page.locator("#retraining-comparison caption").textContent())!,
          "ROC AUC on the 1,224",
        );
        assertEquals(problems, []);
      });
    } finally {
      await browser?.close();
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
