/**
 * `deno task materialize-incremental` end to end against a throwaway Redis: a repo written by `init`, applied,
 * materialized; then Redis is emptied (FLUSHALL from another connection) and the next run re-materializes the view
 * in full, says so, and every entity is back.
 */
import { assertEquals, assertStringIncludes } from "@std/assert";
import { Redis } from "ioredis";
import { redisServerInstalled, startThrowawayRedis } from "../lib/testing/services.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const hasRedisServer = await redisServerInstalled("MATERIALIZE TASK TESTS");

async function deno(args: string[]): Promise<{ code: number; out: string }> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", ...args], cwd: ROOT }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, out: text };
}

Deno.test({
  name: "materialize-incremental: Redis emptied between runs: the view is re-materialized in full, reported",
  ignore: !hasRedisServer,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "materialize_task_" });
    const server = await startThrowawayRedis();
    const probe = new Redis({ host: server.host, port: server.port, lazyConnect: true });
    try {
      const accounts = ["account_id,event_timestamp,usage,churned"];
      for (let i = 0; i < 300; i++) accounts.push(`A${i % 120},2021-0${1 + (i % 6)}-10T00:00:00Z,${i / 300},${i % 2}`);
      const usage = ["account_id,event_timestamp,minutes"];
      for (let i = 0; i < 600; i++) usage.push(`A${i % 200},2021-0${1 + (i % 6)}-${10 + (i % 9)}T00:00:00Z,${i}`);
      await Deno.writeTextFile(`${dir}/accounts.csv`, accounts.join("\n") + "\n");
      await Deno.writeTextFile(`${dir}/usage.csv`, usage.join("\n") + "\n");
      const repo = `${dir}/repo`;
      const init = await deno([
        "tasks/init.ts",
        repo,
        ...["--from", `${dir}/accounts.csv`, "--label", "churned", "--timestamp", "event_timestamp"],
        ...["--id", "account_id", "--source", `${dir}/usage.csv`],
      ]);
      assertEquals(init.code, 0, init.out);
      const yaml = await Deno.readTextFile(`${repo}/feature_store.yaml`);
      await Deno.writeTextFile(
        `${repo}/feature_store.yaml`,
        yaml.replace(
          "online_store:\n  type: sqlite\n  path: online_store.db",
          `online_store:\n  type: redis\n  host: ${server.host}\n  port: ${server.port}`,
        ),
      );
      const apply = await deno(["tasks/apply.ts", "--repo", repo]);
      assertEquals(apply.code, 0, apply.out);
      const first = await deno(["tasks/materialize_incremental.ts", "2021-07-01", "--repo", repo]);
      assertEquals(first.code, 0, first.out);
      assertStringIncludes(first.out, "200 rows written");
      assertEquals(await probe.dbsize(), 201); // 200 entities + the view's epoch marker

      await probe.flushall();
      const second = await deno(["tasks/materialize_incremental.ts", "2021-07-02", "--repo", repo]);
      assertEquals(second.code, 0, second.out);
      assertStringIncludes(second.out, "online store was emptied since the last run (epoch ");
      assertStringIncludes(second.out, "re-materializing view usage in full from 1970-01-01T00:00:00.000Z");
      assertStringIncludes(second.out, "200 rows written, 0 skipped as older");
      assertEquals(await probe.dbsize(), 201);

      const third = await deno(["tasks/materialize_incremental.ts", "2021-07-03", "--repo", repo]);
      assertEquals(third.code, 0, third.out);
      assertStringIncludes(third.out, "usage [2021-07-02T00:00:00.000Z .. 2021-07-03T00:00:00.000Z]: 0 rows written");
    } finally {
      probe.disconnect();
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
