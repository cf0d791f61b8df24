import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { existsSync } from "node:fs";
import { creditMonitoringScenario } from "./monitoring_scenario.ts";
import { creditNotebookData, ensureCreditModel } from "./notebook_data.ts";
import { DOWNTURN_SHIFT } from "./generate.ts";
import { readTable, timestampMicros } from "../io/mod.ts";
import { readTrainingReference } from "../model/reference.ts";
import type { NotebookSettings } from "../notebook/settings.ts";

const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

function settings(workDir: string, over: Partial<NotebookSettings> = {}): NotebookSettings {
  return { root, data: "generated", rows: 1000, seed: 3, dataDir: null, workDir, repo: null, ...over };
}

async function times(uri: string): Promise<number[]> {
  const t = await readTable(uri, { columns: ["event_timestamp"] });
  return Array.from(timestampMicros(t.getChild("event_timestamp")!), (us) => Number(us / 1000n));
}

Deno.test("generated scenario: a downturn period appended in its own folder, the base tables untouched", async () => {
  const work = await Deno.makeTempDir();
  try {
    const data = await creditNotebookData(settings(work));
    const scenario = await creditMonitoringScenario(settings(work), data);
    const dir = `${work}/monitoring/generated_1000_seed3`;
    assertEquals([scenario.kind, scenario.dir], ["generated", dir]);
    assertEquals(scenario.rows, { base: 1000, recent: 500 });
    assertEquals(scenario.shift, { ...DOWNTURN_SHIFT });
    assertEquals(scenario.cutoff.slice(0, 10), "2021-09-01");
    assertEquals(scenario.data.config.data_dir, `${dir}/tables`);
    assertEquals(scenario.data.modelStore, `${dir}/models`);
    assertEquals(scenario.base.modelStore, `${dir}/models`);
    assertEquals(scenario.data.config.registry, `${dir}/registry.json`);
    assertEquals([scenario.scored, scenario.reports], [`${dir}/scored`, `${dir}/reports`]);
    assertEquals([scenario.retraining.holdoutDays, scenario.retraining.trainDays], [30, 120]);
    assertStringIncludes(scenario.description, "1,000 base-period loans");
    assertStringIncludes(scenario.description, "downturn shift: incomes ×0.85, interest rates +2 points");
    // the notebook's base tables stay as they were; the scenario's tables hold both periods
    assertEquals((await readTable(data.tables.loans, { columns: ["loan_id"] })).numRows, 1000);
    assertEquals((await readTable(scenario.data.tables.loans, { columns: ["loan_id"] })).numRows, 1500);
    assert(existsSync(scenario.data.tables.creditHistory!));
    // base loans all before the cutoff; the recent applications from it on, without their label
    const cutoff = Date.parse(scenario.cutoff);
    assert((await times(scenario.base.source.entities)).every((t) => t < cutoff));
    const apps = await readTable(scenario.applications);
    assertEquals(apps.numRows, 500);
    assertEquals(apps.getChild("loan_status"), null);
    const appTimes = await times(scenario.applications);
    assert(appTimes.every((t) => t >= cutoff && t <= Date.parse(scenario.end)));
    assertEquals([...Deno.readDirSync(`${work}/monitoring`)].map((e) => e.name), ["generated_1000_seed3"]);

    // the champion learns from the base loans only
    const champion = await ensureCreditModel(scenario.base, { modelType: "logistic", epochs: 3, charts: false });
    champion.scorer.dispose();
    const ref = await readTrainingReference({
      name: "credit_default",
      root: scenario.base.modelStore,
      alias: "champion",
    });
    assert(Date.parse(ref.meta.to!) < cutoff, `${ref.meta.to} < ${scenario.cutoff}`);

    // built once; each call starts from an empty model store unless fresh: false
    const meta = Deno.statSync(`${dir}/scenario.json`).mtime;
    await creditMonitoringScenario(settings(work), data, { fresh: false });
    assert(existsSync(`${dir}/models`), "kept with fresh: false");
    const again = await creditMonitoringScenario(settings(work), data);
    assertEquals(Deno.statSync(`${dir}/scenario.json`).mtime, meta);
    assertEquals(again.cutoff, scenario.cutoff);
    assert(!existsSync(`${dir}/models`), "emptied");
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("real-data scenario: the newest 20% of the loans are the recent applications, read in place", async () => {
  const work = await Deno.makeTempDir();
  try {
    // stand-in "real" files: generated loans and zipcodes in a folder of their own
    const gen = await creditNotebookData(settings(work));
    const shared = `${work}/shared`;
    await Deno.mkdir(shared);
    for (const t of ["loan_table", "zipcode_table"]) {
      await Deno.copyFile(`${gen.dir}/${t}.parquet`, `${shared}/${t}.parquet`);
    }
    const data = await creditNotebookData(settings(work, { data: "real" }), { sharedDir: shared });
    const scenario = await creditMonitoringScenario(settings(work, { data: "real" }), data);
    assertEquals([scenario.kind, scenario.dir, scenario.shift], ["real", `${work}/monitoring/real`, null]);
    assertEquals(scenario.rows, { base: 800, recent: 200 });
    assertEquals(scenario.data.config.data_dir, shared);
    assertEquals(scenario.data.tables.creditHistory, null);
    assertEquals(scenario.data.source.entities, `${shared}/loan_table.parquet`);
    assertEquals([scenario.retraining.trainDays, scenario.retraining.holdoutDays], [365, 30]);
    assertStringIncludes(scenario.description, "the newest 200 loans");
    const cutoff = Date.parse(scenario.cutoff);
    assert((await times(scenario.base.source.entities)).every((t) => t < cutoff));
    assert((await times(scenario.applications)).every((t) => t >= cutoff));
    assertEquals([...Deno.readDirSync(shared)].length, 2, "nothing written beside the real files");
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
