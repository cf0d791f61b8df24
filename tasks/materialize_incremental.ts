/**
 * `deno task materialize-incremental END [--views a,b] [--batch-size N]`: materializes each view from where its
 * last recorded interval ended (the first time: END minus the view's ttl; views without ttl: since the epoch) up
 * to END (ISO 8601; no zone = UTC), like `feast materialize-incremental`.
 *
 * @example
 * ```sh
 * deno task materialize-incremental 2021-08-02T00:00:00Z
 * ```
 * @module
 */
import { intFlag, parseTaskArgs, runTask, UsageError } from "../lib/cli/mod.ts";
import { creditRepo } from "../lib/credit/repo.ts";
import { FeatureStore } from "../lib/feature_store/feature_store.ts";
import { describeReport, timestampArg, viewsFlag } from "./materialize.ts";

const USAGE = "deno task materialize-incremental END [--views view1,view2] [--batch-size N]   (ISO 8601, UTC)";

if (import.meta.main) {
  await runTask(async () => {
    const { values, positionals } = parseTaskArgs(Deno.args, {
      usage: USAGE,
      options: { views: { type: "string" }, "batch-size": { type: "string" } },
      positionals: true,
    });
    if (values.help) return void console.log(`usage: ${USAGE}`);
    if (positionals.length > 1) throw new UsageError(`Unexpected argument "${positionals[1]}"`, USAGE);
    const end = timestampArg(positionals[0], "END", USAGE);
    const batchSize = intFlag(values, "batch-size", { min: 1, fallback: 20_000 });
    const store = await FeatureStore.open({ repo: (config) => creditRepo({ dataDir: config.data_dir }) });
    try {
      const online = store.onlineStore();
      console.log(`Materializing incrementally to the ${online.type} online store ${online.location}`);
      const report = await store.materializeIncremental({
        end,
        views: viewsFlag(values.views),
        batchSize,
        progress: "auto",
        log: (line) => console.error(line),
      });
      for (const line of describeReport(report)) console.log(line);
    } finally {
      await store.close();
    }
  });
}
