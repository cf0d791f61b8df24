/**
 * The embedded online store: one SQLite file through `node:sqlite` (WAL journal, one transaction per batch).
 *
 * One table, `feature_rows`, keyed by (project, view, entity key), holds the packed value plus its event and
 * created timestamps and schema fingerprint as columns, so that an UPSERT with a WHERE clause skips older writes
 * inside SQLite. Each view's epoch marker ({@link OnlineStore.epoch}) is a row of the same table with the entity
 * key `__epoch__` (real entity keys always hold a "="), so deleting the view's rows or the file deletes it too.
 *
 * The module's {@link sqliteOnlineStore} is its entry in the online store registry (registry.ts).
 *
 * @example
 * ```ts
 * import { SqliteOnlineStore } from "./sqlite.ts";
 * const store = new SqliteOnlineStore({ path: "data/online_store.db", project: "credit_scoring" });
 * await store.onlineWriteBatch(view, encodeRecords(view, rows));
 * await store.close();
 * ```
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { FeatureView } from "../definitions.ts";
import { decodeValue, type EncodedBatch, schemaFingerprint, type StoredRow } from "./codec.ts";
import {
  type OnlineStore,
  OnlineStoreError,
  type OnlineStorePlugin,
  type ReadRequest,
  type StoreEpoch,
  type WriteResult,
} from "./interface.ts";

/** `online_store` settings of `type: sqlite` (the embedded default). */
export interface SqliteOnlineStoreConfig {
  type: "sqlite";
  /** Database file; relative paths in a configuration file are resolved against its folder. */
  path: string;
}

/** Options of {@link SqliteOnlineStore}. */
export interface SqliteOnlineStoreOptions {
  /** Database file (its folder is created); ":memory:" for a private in-memory store. */
  path: string;
  /** Project whose rows this store reads and writes. */
  project: string;
}

const ABSENT_CREATED = -Number.MAX_SAFE_INTEGER;
/** Entity key and schema column of a view's epoch marker row. */
const EPOCH_KEY = "__epoch__";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS feature_rows (
  project TEXT NOT NULL,
  view TEXT NOT NULL,
  entity_key TEXT NOT NULL,
  event_us INTEGER NOT NULL,
  created_us INTEGER NOT NULL,
  schema TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (project, view, entity_key)
) WITHOUT ROWID`;

const UPSERT = `
INSERT INTO feature_rows (project, view, entity_key, event_us, created_us, schema, value)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (project, view, entity_key) DO UPDATE SET
  event_us = excluded.event_us, created_us = excluded.created_us, schema = excluded.schema, value = excluded.value
WHERE excluded.schema <> feature_rows.schema
   OR excluded.event_us > feature_rows.event_us
   OR (excluded.event_us = feature_rows.event_us AND excluded.created_us > feature_rows.created_us)`;

/** See the module doc. */
export class SqliteOnlineStore implements OnlineStore {
  readonly type = "sqlite";
  readonly location: string;
  readonly project: string;
  #db: DatabaseSync | undefined;
  #upsert: StatementSync | undefined;
  #select: StatementSync | undefined;

  /** @param opts See {@link SqliteOnlineStoreOptions}; the file is opened on first use. */
  constructor(opts: SqliteOnlineStoreOptions) {
    this.location = opts.path;
    this.project = opts.project;
  }

  #open(): DatabaseSync {
    if (this.#db) return this.#db;
    try {
      if (this.location !== ":memory:") {
        const dir = this.location.includes("/") ? this.location.slice(0, this.location.lastIndexOf("/")) : "";
        if (dir) Deno.mkdirSync(dir, { recursive: true });
      }
      const db = new DatabaseSync(this.location);
      db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
      db.exec(SCHEMA);
      this.#upsert = db.prepare(UPSERT);
      this.#select = db.prepare(
        "SELECT value FROM feature_rows WHERE project = ? AND view = ? AND entity_key = ?",
      );
      this.#db = db;
      return db;
    } catch (err) {
      throw new OnlineStoreError(
        `Cannot open the SQLite online store "${this.location}" (setting "online_store.path"): ` +
          (err as Error).message,
        { cause: err },
      );
    }
  }

  /** See {@link OnlineStore.onlineWriteBatch}. */
  onlineWriteBatch(view: FeatureView, batch: EncodedBatch): Promise<WriteResult> {
    const db = this.#open();
    const upsert = this.#upsert!;
    const fingerprint = schemaFingerprint(view);
    let written = 0;
    db.exec("BEGIN IMMEDIATE");
    try {
      for (let i = 0; i < batch.keys.length; i++) {
        const c = batch.createdMicros[i];
        const result = upsert.run(
          this.project,
          view.name,
          batch.keys[i],
          batch.eventMicros[i],
          c === c ? c : ABSENT_CREATED,
          fingerprint,
          batch.values[i],
        );
        written += Number(result.changes);
      }
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw new OnlineStoreError(
        `Writing feature view "${view.name}" to the SQLite online store "${this.location}" failed: ` +
          (err as Error).message,
        { cause: err },
      );
    }
    return Promise.resolve({ written, skipped: batch.keys.length - written });
  }

  /** See {@link OnlineStore.onlineRead}. */
  async onlineRead(view: FeatureView, entityKeys: readonly string[]): Promise<(StoredRow | null)[]> {
    return (await this.onlineReadMany([{ view, entityKeys }]))[0];
  }

  /** See {@link OnlineStore.onlineReadMany}. */
  onlineReadMany(requests: readonly ReadRequest[]): Promise<(StoredRow | null)[][]> {
    this.#open();
    const select = this.#select!;
    return Promise.resolve(requests.map(({ view, entityKeys }) => {
      const fingerprint = schemaFingerprint(view);
      return entityKeys.map((key) => {
        const row = select.get(this.project, view.name, key) as { value: string } | undefined;
        return row ? decodeValue(view, row.value, fingerprint) : null;
      });
    }));
  }

  /** See {@link OnlineStore.update}: the table is created; rows of removed views are deleted. */
  async update(opts: { keep: readonly FeatureView[]; remove: readonly FeatureView[] }): Promise<void> {
    this.#open();
    await this.teardown(opts.remove);
  }

  /** See {@link OnlineStore.teardown}. */
  teardown(views: readonly FeatureView[]): Promise<void> {
    const db = this.#open();
    const del = db.prepare("DELETE FROM feature_rows WHERE project = ? AND view = ?");
    for (const v of views) del.run(this.project, v.name);
    return Promise.resolve();
  }

  /** See {@link OnlineStore.epoch}: the view's `__epoch__` row, inserted when absent. */
  epoch(view: FeatureView): Promise<StoreEpoch> {
    const db = this.#open();
    const fresh = crypto.randomUUID();
    try {
      const inserted = db.prepare(
        "INSERT INTO feature_rows (project, view, entity_key, event_us, created_us, schema, value) " +
          "VALUES (?, ?, ?, 0, 0, ?, ?) ON CONFLICT (project, view, entity_key) DO NOTHING",
      ).run(this.project, view.name, EPOCH_KEY, EPOCH_KEY, fresh);
      if (Number(inserted.changes) === 1) return Promise.resolve({ id: fresh, created: true });
      const row = this.#select!.get(this.project, view.name, EPOCH_KEY) as { value: string };
      return Promise.resolve({ id: row.value, created: false });
    } catch (err) {
      throw new OnlineStoreError(
        `Reading the epoch of feature view "${view.name}" from the SQLite online store "${this.location}" failed: ` +
          (err as Error).message,
        { cause: err },
      );
    }
  }

  /** Closes the database. */
  close(): Promise<void> {
    this.#db?.close();
    this.#db = undefined;
    return Promise.resolve();
  }
}

/**
 * The `sqlite` online store type: settings (`path`, default `data/online_store.db`) and factory.
 *
 * @example
 * ```ts
 * const store = sqliteOnlineStore.open({ type: "sqlite", path: ":memory:" }, { project: "p", source: "defaults" });
 * ```
 */
export const sqliteOnlineStore: OnlineStorePlugin<SqliteOnlineStoreConfig> = {
  type: "sqlite",
  description: "Embedded: one SQLite file through node:sqlite",
  settings: {
    path: {
      kind: "string",
      required: true,
      path: true,
      default: "data/online_store.db",
      doc: 'Database file (":memory:" for a private in-memory store)',
    },
  },
  open: (config, context) => new SqliteOnlineStore({ path: config.path, project: context.project }),
};
