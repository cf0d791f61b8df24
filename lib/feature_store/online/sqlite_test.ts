import { assertEquals, assertRejects } from "@std/assert";
import { DatabaseSync } from "node:sqlite";
import { encodeRecords } from "./codec.ts";
import { OnlineStoreError } from "./interface.ts";
import { SqliteOnlineStore } from "./sqlite.ts";
import { onlineStoreConformance, testViews } from "./store_conformance.ts";

const dir = await Deno.makeTempDir({ prefix: "sqlite_online_" });
addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

onlineStoreConformance("sqlite", {
  makeStore: (project) => new SqliteOnlineStore({ path: `${dir}/online.db`, project }),
});

Deno.test("sqlite: one WAL file; rows survive reopening", async () => {
  const path = `${dir}/nested/folder/store.db`;
  const store = new SqliteOnlineStore({ path, project: "p" });
  const batch = encodeRecords(testViews.typed, [{ id: 5, i: 1, event_timestamp: 10 }]);
  await store.onlineWriteBatch(testViews.typed, batch);
  await store.close();
  const again = new SqliteOnlineStore({ path, project: "p" });
  assertEquals((await again.onlineRead(testViews.typed, batch.keys))[0]?.values[0], 1);
  await again.close();
  const db = new DatabaseSync(path);
  assertEquals((db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode, "wal");
  db.close();
});

Deno.test("sqlite: an unusable path is an error naming it and the setting", async () => {
  await Deno.writeTextFile(`${dir}/a_file`, "x");
  const store = new SqliteOnlineStore({ path: `${dir}/a_file/store.db`, project: "p" });
  await assertRejects(
    () => store.onlineRead(testViews.typed, ["id=i1:1"]),
    OnlineStoreError,
    `Cannot open the SQLite online store "${dir}/a_file/store.db" (setting "online_store.path")`,
  );
});
