import { assert, assertStringIncludes } from "@std/assert";
import { main } from "./notebooks.ts";
import { jupyterStatus } from "../lib/notebook/run.ts";

/** The modeling report's sections (notebooks/modeling.ipynb), in the order they appear. */
const SECTIONS = [
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
  if (Deno.env.get("CI") === "true") {
    throw new Error(`CI needs Jupyter for the modeling report test: ${jupyter.reason}`);
  }
  console.warn(
    `%cSKIPPING the modeling report test (tasks/modeling_notebook_test.ts): ${jupyter.reason}`,
    "color: red",
  );
}

Deno.test({
  name: "deno task notebooks: the modeling report on 2,000 generated loans has every section, the summary first",
  ignore: !jupyter.available,
  async fn() {
    const out = await Deno.makeTempDir();
    const work = await Deno.makeTempDir();
    try {
      await main(
        ["--only", "modeling", "--data", "generated", "--rows", "2000", "--out", out, "--work-dir", work],
        () => {},
      );
      const html = await Deno.readTextFile(`${out}/modeling.html`);
      let at = -1;
      for (const s of SECTIONS) {
        const escaped = s.replaceAll("&", "&amp;");
        const k = html.indexOf(`>${escaped}<`, at + 1);
        assert(k > at, `section "${s}" missing or out of order`);
        at = k;
      }
      // the summary's figures were rendered, not only its heading
      assertStringIncludes(html, "logistic baseline");
      assertStringIncludes(html, "Split date ranges (UTC)");
    } finally {
      await Deno.remove(out, { recursive: true });
      await Deno.remove(work, { recursive: true });
    }
  },
});
