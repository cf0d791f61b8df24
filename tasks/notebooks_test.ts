import { assert, assertEquals, assertRejects, assertStringIncludes, assertThrows } from "@std/assert";
import { main, parseNotebooksArgs } from "./notebooks.ts";
import { UsageError } from "../lib/cli/mod.ts";
import { checkReport } from "../lib/notebook/report_check.ts";
import { jupyterStatus } from "../lib/notebook/run.ts";

const root = new URL("../", import.meta.url).pathname;

Deno.test("parseNotebooksArgs: settings become NOTEBOOK_* variables; bad values are usage errors naming the flag", () => {
  const a = parseNotebooksArgs(["--only", "eda,modeling", "--rows", "2k", "--data", "generated", "--seed", "7"]);
  assertEquals(a.only, ["eda", "modeling"]);
  assertEquals(a.env, { NOTEBOOK_DATA: "generated", NOTEBOOK_ROWS: "2000", NOTEBOOK_SEED: "7" });
  assertEquals([a.timeout, a.out, a.dir, a.clear, a.check], [900, "reports", "notebooks", false, false]);
  assertEquals(parseNotebooksArgs([]).env, {});
  assertEquals(parseNotebooksArgs(["--data-dir", "data/generated"]).env, { NOTEBOOK_DATA_DIR: "data/generated" });
  assertEquals(parseNotebooksArgs(["--work-dir", "/tmp/nb"]).env, { NOTEBOOK_WORK_DIR: "/tmp/nb" });
  const r = parseNotebooksArgs(["--repo", "../claims", "--seed", "3"]);
  assertEquals([r.repo, r.env], ["../claims", { NOTEBOOK_SEED: "3" }]); // main resolves and checks the repo
  assertThrows(() => parseNotebooksArgs(["--repo", ""]), UsageError, `Flag "--repo" is empty`);
  assertThrows(
    () => parseNotebooksArgs(["--repo", "x", "--data", "real", "--rows", "500"]),
    UsageError,
    `"--data", "--rows" choose the credit tutorial's data; they do not apply with "--repo"`,
  );
  assertThrows(() => parseNotebooksArgs(["--data", "fake"]), UsageError, `Flag "--data" is "fake"`);
  assertThrows(() => parseNotebooksArgs(["--rows", "10"]), UsageError, `"--rows" is 10; expected >= 100`);
  assertThrows(() => parseNotebooksArgs(["--clear", "--check"]), UsageError, "not both");
  assertThrows(() => parseNotebooksArgs(["--bogus"]), UsageError, "bogus");
});

Deno.test("--check passes on the stored notebooks, fails on one with outputs; --clear removes them", async () => {
  const lines: string[] = [];
  await main(["--check", "--dir", `${root}notebooks`], (l) => lines.push(l));
  assertStringIncludes(lines[0], "notebooks without outputs");
  const dir = await Deno.makeTempDir();
  try {
    const nb = {
      cells: [
        { cell_type: "markdown", metadata: {}, source: ["# t"] },
        { cell_type: "code", metadata: {}, source: ["1"], execution_count: 1, outputs: [{ output_type: "stream" }] },
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    };
    await Deno.writeTextFile(`${dir}/dirty.ipynb`, JSON.stringify(nb));
    await assertRejects(
      () => main(["--check", "--dir", dir], () => {}),
      Error,
      `Stored notebooks hold outputs: ${dir}/dirty.ipynb (cells 2); run "deno task notebooks --clear"`,
    );
    const out: string[] = [];
    await main(["--clear", "--dir", dir], (l) => out.push(l));
    assertEquals(out, [`${dir}/dirty.ipynb: outputs cleared in 1 cells`]);
    await main(["--check", "--dir", dir], () => {});
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The modeling report's sections (notebooks/modeling.ipynb), in the order they appear. */
const MODELING_SECTIONS = [
  "What was found",
  "Training set and split date ranges",
  "Leakage check",
  "Logistic baseline and the model side by side",
  "Global importance (permutation on the test rows)",
  "Feature stability between train and test (PSI per feature)",
  "Cost at the threshold",
];

const jupyter = await jupyterStatus();
if (!jupyter.available) {
  if (Deno.env.get("CI") === "true") throw new Error(`CI needs Jupyter for the notebook tests: ${jupyter.reason}`);
  console.warn(`%cSKIPPING the Jupyter run of tasks/notebooks_test.ts: ${jupyter.reason}`, "color: red");
}

Deno.test({
  name: "deno task notebooks (real Jupyter): runs the rest, then fails naming the notebook and the cell",
  ignore: !jupyter.available,
  async fn() {
    const out = await Deno.makeTempDir();
    try {
      const lines: string[] = [];
      await assertRejects(
        () => main(["--dir", `${root}lib/notebook/testdata`, "--out", out, "--rows", "500"], (l) => lines.push(l)),
        Error,
        `1 of 2 notebooks failed: ${root}lib/notebook/testdata/failing.ipynb (cell 4)`,
      );
      const text = lines.join("\n");
      assertStringIncludes(text, "Running 2 notebooks with NOTEBOOK_ROWS=500");
      assertStringIncludes(text, 'failing.ipynb" failed in cell 4 (code cell 3) "function explode(): never {"');
      assertStringIncludes(text, "RangeError: deliberate failure <42>");
      assertStringIncludes(text, `passing.ipynb: 4 code cells in`);
      assertEquals([...Deno.readDirSync(out)].map((e) => e.name), ["passing.html"]);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name: "deno task notebooks (real Jupyter): a report with a file:// image and epoch milliseconds fails, named",
  ignore: !jupyter.available,
  async fn() {
    const out = await Deno.makeTempDir();
    try {
      const lines: string[] = [];
      const nb = `${root}lib/notebook/testdata/checks/unchecked.ipynb`;
      const err = await assertRejects(
        () => main(["--dir", `${root}lib/notebook/testdata/checks`, "--out", out], (l) => lines.push(l)),
        Error,
        `1 of 1 notebooks failed: ${nb} (Report "${out}/unchecked.html" fails its checks: `,
      );
      assertStringIncludes(err.message, "file:// reference: file:///tmp/chart.png");
      assertStringIncludes(err.message, 'loads from elsewhere: <img src="file:///tmp/chart.png">');
      assertStringIncludes(
        err.message,
        'epoch-millisecond timestamp in a table: 1626370000000 in column "n" of table "Raw"',
      );
      assertStringIncludes(lines.join("\n"), `${nb}: FAILED its report checks`);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "deno task notebooks (real Jupyter): every report opens anywhere; the modeling report has each section in order",
  ignore: !jupyter.available,
  async fn() {
    const out = await Deno.makeTempDir();
    const work = await Deno.makeTempDir();
    try {
      const lines: string[] = [];
      // main fails on any report check (file://, external references, scripts, > 1 MB, epoch ms in a table)
      const outcomes = await main(
        ["--data", "generated", "--rows", "1500", "--out", out, "--work-dir", work, "--dir", `${root}notebooks`],
        (l) => lines.push(l),
      );
      assertEquals(outcomes.map((o) => o.ok), [true, true, true]);
      for (const name of ["eda", "modeling", "monitoring"]) {
        assertEquals(checkReport(await Deno.readTextFile(`${out}/${name}.html`)), [], name);
      }
      const modeling = await Deno.readTextFile(`${out}/modeling.html`);
      let at = -1;
      for (const s of MODELING_SECTIONS) {
        const k = modeling.indexOf(`>${s.replaceAll("&", "&amp;")}<`, at + 1);
        assert(k > at, `section "${s}" missing or out of order`);
        at = k;
      }
      // the summary's figures were rendered, not only its heading
      assertStringIncludes(modeling, "logistic baseline");
      assertStringIncludes(modeling, "Split date ranges (UTC)");
      // the training bar ends honestly: all epochs, or stopped early and why
      const bar = /training: [^<]*done in [^<]*/.exec(modeling)?.[0] ?? "";
      assert(
        /stopped early after \d+ of at most \d+ epochs: .*no better validation ROC AUC/.test(bar) ||
          /(\d+) \/ \1 epochs \(100%\)/.test(bar),
        `training bar: ${bar}`,
      );
      // the training log is text, whole (no line cut with "…"), and the applications' times are ISO
      const log = /Training log[\s\S]*?<pre>([\s\S]*?)<\/pre>/.exec(modeling)?.[1] ?? "";
      assertStringIncludes(log, "split: time-based:");
      assert(!log.includes("…"), `log cut: ${log}`);
      const applications = /<caption>The applications<\/caption>[\s\S]*?<\/table>/.exec(modeling)?.[0] ?? "";
      assert(/<td class="l">20\d\d-\d\d-\d\dT[\d:.]+Z<\/td>/.test(applications), "event times as ISO");
    } finally {
      await Deno.remove(out, { recursive: true });
      await Deno.remove(work, { recursive: true });
    }
  },
});
