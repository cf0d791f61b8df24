/**
 * `deno task materialize-incremental END [--views a,b] [--batch-size N]`: materializes each view from where its
 * last recorded interval ended (the first time: END minus the view's ttl; views without ttl: since the epoch) up
 * to END (ISO 8601; no zone = UTC), like `feast materialize-incremental`. The recorded intervals are trusted only
 * while the online store reports the epoch recorded with them: a view whose store was emptied meanwhile is
 * re-materialized in full, from its earliest recorded start (see lib/feature_store/materialize.ts).
 *
 * @example
 * ```sh
 * deno task materialize-incremental 2021-08-02T00:00:00Z
 * ```
 * @module
 */
import { runTask } from "../lib/cli/mod.ts";
import { materializeTask } from "./materialize.ts";

const USAGE =
  "deno task materialize-incremental END [--repo DIR] [--views view1,view2] [--batch-size N]   (ISO 8601, UTC)";

if (import.meta.main) {
  await runTask(() =>
    materializeTask(Deno.args, {
      usage: USAGE,
      times: ["END"],
      what: "incrementally ",
      run: (store, o) => store.materializeIncremental(o),
    })
  );
}
