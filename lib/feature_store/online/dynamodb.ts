/**
 * The DynamoDB online store through `@aws-sdk/client-dynamodb` (credentials from the AWS default chain: the
 * `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` variables, `AWS_PROFILE`, SSO, or an instance/task role).
 *
 * Layout, as Feast's: one table per (project, feature view), named by `table_name_template` (default
 * `{project}.{table_name}`), created on first write (or by `update`) with on-demand billing and deleted by
 * `teardown`. One item per entity key:
 * - `entity_id` (S, the partition key): the entity key of entity_key.ts, e.g. `dob_ssn=s13:19770430_2525`;
 * - `value` (S): the packed value of codec.ts, byte for byte what the Redis store holds, so values round-trip
 *   exactly as in the other stores;
 * - `event_ts`, `created_ts` (N, microseconds; no created timestamp is stored as -2^53+1) and `schema` (S, the
 *   schema fingerprint): copies of the value's header that the write condition compares.
 * - one more item, `entity_id` = `__epoch__` (real entity keys always hold a "="), is the view's epoch marker
 *   ({@link OnlineStore.epoch}); a deleted table takes it along.
 *
 * Writes: one `BatchGetItem` per 100 keys (consistent) finds the rows the table already holds at least as new,
 * which are skipped without a write; every other row is a `PutItem` with the condition
 * `attribute_not_exists(entity_id) OR schema <> :s OR event_ts < :e OR (event_ts = :e AND created_ts < :c)`,
 * up to `max_write_workers` in flight. The condition makes the check and the write one atomic step, so concurrent
 * writers never let an older row win (`ConditionalCheckFailedException` counts as skipped). `BatchWriteItem`
 * takes no conditions, so it is not used for rows.
 * Reads: `BatchGetItem` in chunks of `batch_size` (<= 100) keys across views and tables, up to `max_read_workers`
 * chunks in flight, `UnprocessedKeys` retried with backoff.
 *
 * The SDK is loaded on first use, so that loading the configuration does not load it.
 *
 * @example
 * ```ts
 * import { DynamoDBOnlineStore } from "./dynamodb.ts";
 * const store = new DynamoDBOnlineStore({
 *   config: { ...dynamodbDefaults, type: "dynamodb", region: "eu-west-1" },
 *   project: "credit_scoring",
 * });
 * const rows = await store.onlineRead(view, ["dob_ssn=s13:19770430_2525"]);
 * await store.close();
 * ```
 * @module
 */
import type {
  AttributeValue,
  BatchGetItemCommandOutput,
  DynamoDBClient,
  DynamoDBClientConfig,
  KeysAndAttributes,
  PutItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import type { FeatureView } from "../definitions.ts";
import { ConfigError, describeSource } from "../store_settings.ts";
import { decodeValue, type EncodedBatch, schemaFingerprint, type StoredRow } from "./codec.ts";
import {
  type OnlineStore,
  OnlineStoreError,
  type OnlineStorePlugin,
  type ReadRequest,
  type StoreEpoch,
  type WriteResult,
} from "./interface.ts";

/** `online_store` settings of `type: dynamodb`. */
export interface DynamoDBOnlineStoreConfig {
  type: "dynamodb";
  /** AWS region of the tables. */
  region: string;
  /** Endpoint override: a local DynamoDB-compatible server (dynalite, DynamoDB Local) or a VPC endpoint. */
  endpoint?: string;
  /** Table name per feature view; `{project}` and `{table_name}` (the view's name) are replaced. */
  table_name_template: string;
  /** Keys per BatchGetItem call (1..100). */
  batch_size: number;
  /** BatchGetItem calls in flight per read. */
  max_read_workers: number;
  /** Conditional PutItem calls in flight per write batch. */
  max_write_workers: number;
  /** Strongly consistent reads (twice the read capacity; Feast's default is false). */
  consistent_reads: boolean;
}

/** The defaults of the optional settings. */
export const dynamodbDefaults = {
  table_name_template: "{project}.{table_name}",
  batch_size: 100,
  max_read_workers: 10,
  max_write_workers: 32,
  consistent_reads: false,
} as const;

/** Options of {@link DynamoDBOnlineStore}. */
export interface DynamoDBOnlineStoreOptions {
  config: DynamoDBOnlineStoreConfig;
  /** Project whose tables this store reads and writes. */
  project: string;
  /** Where the configuration came from, for messages (default "the configuration"). */
  source?: string;
  /** Explicit credentials (tests); default: the AWS default chain. */
  credentials?: DynamoDBClientConfig["credentials"];
  /** SDK attempts per call, retries included (default the SDK's, 3). */
  maxAttempts?: number;
  /** Longest wait for a table to become ACTIVE or to be deleted, in milliseconds (default 300,000). */
  tableWaitMs?: number;
}

/** Stored for rows without a created timestamp: smaller than any real one. */
const ABSENT_CREATED = -Number.MAX_SAFE_INTEGER;
/** Entity key of a view's epoch marker item. */
const EPOCH_KEY = "__epoch__";
const KEY = "entity_id";
/** Attribute names of the write condition and of the write pre-check (DynamoDB rejects unused names). */
const HEADER_NAMES = { "#k": KEY, "#e": "event_ts", "#c": "created_ts", "#s": "schema" };
const WRITE_CONDITION = "attribute_not_exists(#k) OR #s <> :s OR #e < :e OR (#e = :e AND #c < :c)";
/** Keys per BatchGetItem of the write pre-check (the API's maximum). */
const CHECK_CHUNK = 100;
const MAX_UNPROCESSED_ROUNDS = 12;

/** The SDK, loaded on first use. */
const sdk = () => import("@aws-sdk/client-dynamodb");
type Sdk = Awaited<ReturnType<typeof sdk>>;

interface Connected {
  client: DynamoDBClient;
  sdk: Sdk;
}

/** See the module doc. */
export class DynamoDBOnlineStore implements OnlineStore {
  readonly type = "dynamodb";
  readonly location: string;
  readonly project: string;
  readonly config: DynamoDBOnlineStoreConfig;
  readonly #opts: DynamoDBOnlineStoreOptions;
  readonly #source: string;
  #connected: Promise<Connected> | undefined;
  /** Tables known to exist (ACTIVE), by name. */
  readonly #tables = new Map<string, Promise<void>>();

  /** @param opts See {@link DynamoDBOnlineStoreOptions}; the client is made on first use. */
  constructor(opts: DynamoDBOnlineStoreOptions) {
    this.config = opts.config;
    this.project = opts.project;
    this.#opts = opts;
    this.#source = describeSource(opts.source ?? "defaults");
    this.location = opts.config.endpoint ? `${opts.config.endpoint} (${opts.config.region})` : opts.config.region;
    const problem = templateProblem(opts.config.table_name_template);
    if (problem) {
      throw new ConfigError(
        `Setting "online_store.table_name_template" in ${this.#source} is ${
          JSON.stringify(opts.config.table_name_template)
        }; expected ${problem}`,
      );
    }
  }

  /**
   * The table of a view: `table_name_template` with `{project}` and `{table_name}` replaced.
   *
   * @example
   * ```ts
   * store.tableName(view); // "credit_scoring.credit_history"
   * ```
   */
  tableName(view: Pick<FeatureView, "name">): string {
    const name = this.config.table_name_template.replaceAll("{project}", this.project)
      .replaceAll("{table_name}", view.name);
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name)) {
      throw new OnlineStoreError(
        `DynamoDB table name "${name}" (setting "online_store.table_name_template" in ${this.#source}, project ` +
          `"${this.project}", feature view "${view.name}") must be 3 to 255 letters, digits, "_", "-" or "."`,
      );
    }
    return name;
  }

  #settings(): string {
    return `settings "online_store.region" and "online_store.endpoint" in ${this.#source}`;
  }

  #ready(): Promise<Connected> {
    this.#connected ??= (async () => {
      const mod = await sdk();
      const c = this.config;
      const client = new mod.DynamoDBClient({
        region: c.region,
        ...(c.endpoint ? { endpoint: c.endpoint } : {}),
        ...(this.#opts.credentials ? { credentials: this.#opts.credentials } : {}),
        ...(this.#opts.maxAttempts ? { maxAttempts: this.#opts.maxAttempts } : {}),
      });
      return { client, sdk: mod };
    })();
    return this.#connected;
  }

  #fail(what: string, err: unknown): OnlineStoreError {
    return new OnlineStoreError(
      `${what} DynamoDB at ${this.location} failed (${this.#settings()}): ${describeError(err)}`,
      { cause: err },
    );
  }

  /** Makes sure the view's table exists and is ACTIVE (creating it), once per store object. */
  #ensureTable(view: FeatureView): Promise<string> {
    const table = this.tableName(view);
    let ready = this.#tables.get(table);
    if (!ready) {
      ready = this.#createTable(table);
      this.#tables.set(table, ready);
      ready.catch(() => this.#tables.delete(table));
    }
    return ready.then(() => table);
  }

  async #createTable(table: string): Promise<void> {
    const { client, sdk } = await this.#ready();
    try {
      const status = await this.#tableStatus(table);
      if (status === "ACTIVE") return;
      if (status === undefined || status === "DELETING") {
        if (status === "DELETING") await this.#waitFor(table, undefined);
        try {
          await client.send(
            new sdk.CreateTableCommand({
              TableName: table,
              AttributeDefinitions: [{ AttributeName: KEY, AttributeType: "S" }],
              KeySchema: [{ AttributeName: KEY, KeyType: "HASH" }],
              BillingMode: "PAY_PER_REQUEST",
            }),
          );
        } catch (err) {
          if (!(err instanceof sdk.ResourceInUseException)) throw err; // created meanwhile by another writer
        }
      }
      await this.#waitFor(table, "ACTIVE");
    } catch (err) {
      if (err instanceof OnlineStoreError) throw err;
      throw this.#fail(`Creating table "${table}" in`, err);
    }
  }

  /** The table's status, or undefined when it does not exist. */
  async #tableStatus(table: string): Promise<string | undefined> {
    const { client, sdk } = await this.#ready();
    try {
      const out = await client.send(new sdk.DescribeTableCommand({ TableName: table }));
      return out.Table?.TableStatus ?? "ACTIVE";
    } catch (err) {
      if (err instanceof sdk.ResourceNotFoundException) return undefined;
      throw err;
    }
  }

  /** Polls until the table has `status` (undefined: until it is gone). */
  async #waitFor(table: string, status: string | undefined): Promise<void> {
    const deadline = Date.now() + (this.#opts.tableWaitMs ?? 300_000);
    let delay = 20;
    for (;;) {
      const now = await this.#tableStatus(table);
      if (now === status) return;
      if (Date.now() > deadline) {
        throw new OnlineStoreError(
          `DynamoDB table "${table}" at ${this.location} is ${now ?? "absent"}, not ${status ?? "deleted"}, after ` +
            `${Math.round((this.#opts.tableWaitMs ?? 300_000) / 1000)} s`,
        );
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 1000);
    }
  }

  /** See {@link OnlineStore.onlineWriteBatch} and the module doc. */
  async onlineWriteBatch(view: FeatureView, batch: EncodedBatch): Promise<WriteResult> {
    const n = batch.keys.length;
    if (n === 0) return { written: 0, skipped: 0 };
    const table = await this.#ensureTable(view);
    const { client, sdk } = await this.#ready();
    const fingerprint = schemaFingerprint(view);
    const created = (i: number) => {
      const c = batch.createdMicros[i];
      return c === c ? c : ABSENT_CREATED;
    };
    // 1. what the table holds: rows at least as new are skipped without a write
    let stored: Map<string, Record<string, AttributeValue>>;
    try {
      stored = await this.#batchGet(
        table,
        unique(batch.keys),
        { ProjectionExpression: "#k, #e, #c, #s", ExpressionAttributeNames: HEADER_NAMES, ConsistentRead: true },
        CHECK_CHUNK,
        this.config.max_read_workers,
      );
    } catch (err) {
      throw this.#fail(`Reading feature view "${view.name}" (table "${table}") before writing to`, err);
    }
    await this.#ensureTable(view); // the table may have been deleted meanwhile (then the read found it missing)
    const todo: number[] = [];
    for (let i = 0; i < n; i++) {
      const old = stored.get(batch.keys[i]);
      if (old && old.schema?.S === fingerprint) {
        const oe = Number(old.event_ts?.N), oc = Number(old.created_ts?.N ?? ABSENT_CREATED);
        const e = batch.eventMicros[i];
        if (e < oe || (e === oe && created(i) <= oc)) continue;
      }
      todo.push(i);
    }
    // 2. conditional puts: the condition re-checks atomically (another writer may have written meanwhile)
    let written = 0;
    try {
      await pool(todo, this.config.max_write_workers, async (i) => {
        const input: PutItemCommandInput = {
          TableName: table,
          Item: {
            [KEY]: { S: batch.keys[i] },
            value: { S: batch.values[i] },
            event_ts: { N: String(batch.eventMicros[i]) },
            created_ts: { N: String(created(i)) },
            schema: { S: fingerprint },
          },
          ConditionExpression: WRITE_CONDITION,
          ExpressionAttributeNames: HEADER_NAMES,
          ExpressionAttributeValues: {
            ":s": { S: fingerprint },
            ":e": { N: String(batch.eventMicros[i]) },
            ":c": { N: String(created(i)) },
          },
        };
        try {
          await client.send(new sdk.PutItemCommand(input));
          written++;
        } catch (err) {
          if (!(err instanceof sdk.ConditionalCheckFailedException)) throw err;
        }
      });
    } catch (err) {
      throw this.#fail(`Writing feature view "${view.name}" (table "${table}") to`, err);
    }
    return { written, skipped: n - written };
  }

  /**
   * BatchGetItem of unique keys of one table in chunks, `UnprocessedKeys` retried with backoff; items by key.
   * A missing table reads as empty.
   */
  async #batchGet(
    table: string,
    keys: readonly string[],
    shape: Omit<KeysAndAttributes, "Keys">,
    chunk: number,
    workers: number,
  ): Promise<Map<string, Record<string, AttributeValue>>> {
    const out = new Map<string, Record<string, AttributeValue>>();
    const chunks: string[][] = [];
    for (let s = 0; s < keys.length; s += chunk) chunks.push(keys.slice(s, s + chunk) as string[]);
    const { client, sdk } = await this.#ready();
    try {
      await pool(chunks, workers, async (part) => {
        let request: Record<string, KeysAndAttributes> | undefined = {
          [table]: { ...shape, Keys: part.map((k) => ({ [KEY]: { S: k } })) },
        };
        for (let round = 0; request && Object.keys(request).length; round++) {
          if (round > 0) {
            if (round > MAX_UNPROCESSED_ROUNDS) {
              throw new Error(`BatchGetItem left keys unprocessed after ${MAX_UNPROCESSED_ROUNDS} retries`);
            }
            await sleep(Math.min(25 * 2 ** round, 2000) * (0.5 + Math.random()));
          }
          const res: BatchGetItemCommandOutput = await client.send(
            new sdk.BatchGetItemCommand({ RequestItems: request }),
          );
          for (const item of res.Responses?.[table] ?? []) out.set(item[KEY].S!, item);
          request = res.UnprocessedKeys;
        }
      });
    } catch (err) {
      if (err instanceof sdk.ResourceNotFoundException) {
        this.#tables.delete(table);
        return new Map();
      }
      throw err;
    }
    return out;
  }

  /** See {@link OnlineStore.onlineRead}. */
  async onlineRead(view: FeatureView, entityKeys: readonly string[]): Promise<(StoredRow | null)[]> {
    return (await this.onlineReadMany([{ view, entityKeys }]))[0];
  }

  /** See {@link OnlineStore.onlineReadMany}: BatchGetItem per table, in chunks of `batch_size`. */
  async onlineReadMany(requests: readonly ReadRequest[]): Promise<(StoredRow | null)[][]> {
    const byTable = new Map<string, Set<string>>();
    const tables = requests.map(({ view, entityKeys }) => {
      const table = this.tableName(view);
      const keys = byTable.get(table) ?? new Set<string>();
      for (const k of entityKeys) keys.add(k);
      byTable.set(table, keys);
      return table;
    });
    const values = new Map<string, Map<string, Record<string, AttributeValue>>>();
    try {
      await Promise.all(
        [...byTable].map(async ([table, keys]) => {
          if (keys.size === 0) return;
          const shape = {
            ProjectionExpression: "#k, #v",
            ExpressionAttributeNames: { "#k": KEY, "#v": "value" },
            ConsistentRead: this.config.consistent_reads,
          };
          values.set(
            table,
            await this.#batchGet(table, [...keys], shape, this.config.batch_size, this.config.max_read_workers),
          );
        }),
      );
    } catch (err) {
      throw this.#fail("Reading from", err);
    }
    return requests.map(({ view, entityKeys }, r) => {
      const items = values.get(tables[r]);
      const fingerprint = schemaFingerprint(view);
      return entityKeys.map((k) => decodeValue(view, items?.get(k)?.value?.S, fingerprint));
    });
  }

  /** See {@link OnlineStore.update}: tables of `keep` are created, tables of `remove` deleted. */
  async update(opts: { keep: readonly FeatureView[]; remove: readonly FeatureView[] }): Promise<void> {
    await Promise.all(opts.keep.map((v) => this.#ensureTable(v)));
    await this.teardown(opts.remove);
  }

  /** See {@link OnlineStore.teardown}: deletes each view's table (of this project) and waits until it is gone. */
  async teardown(views: readonly FeatureView[]): Promise<void> {
    const { client, sdk } = await this.#ready();
    await Promise.all(views.map(async (view) => {
      const table = this.tableName(view);
      this.#tables.delete(table);
      try {
        await client.send(new sdk.DeleteTableCommand({ TableName: table }));
      } catch (err) {
        if (err instanceof sdk.ResourceNotFoundException) return;
        if (!(err instanceof sdk.ResourceInUseException)) throw this.#fail(`Deleting table "${table}" in`, err);
      }
      try {
        await this.#waitFor(table, undefined);
      } catch (err) {
        if (err instanceof OnlineStoreError) throw err;
        throw this.#fail(`Deleting table "${table}" in`, err);
      }
    }));
  }

  /**
   * See {@link OnlineStore.epoch}: the `__epoch__` item of the view's table (consistent read), put with
   * `attribute_not_exists` when absent; a missing table is created first.
   */
  async epoch(view: FeatureView): Promise<StoreEpoch> {
    const { client, sdk } = await this.#ready();
    const table = this.tableName(view);
    const key = { [KEY]: { S: EPOCH_KEY } };
    for (let attempt = 0;; attempt++) {
      await this.#ensureTable(view);
      try {
        const got = await client.send(new sdk.GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }));
        const id = got.Item?.value?.S;
        if (id) return { id, created: false };
        const fresh = crypto.randomUUID();
        try {
          await client.send(
            new sdk.PutItemCommand({
              TableName: table,
              Item: { ...key, value: { S: fresh } },
              ConditionExpression: "attribute_not_exists(#k)",
              ExpressionAttributeNames: { "#k": KEY },
            }),
          );
          return { id: fresh, created: true };
        } catch (err) {
          if (!(err instanceof sdk.ConditionalCheckFailedException)) throw err; // another writer made one: read it
        }
      } catch (err) {
        if (err instanceof sdk.ResourceNotFoundException && attempt < 3) {
          this.#tables.delete(table); // deleted behind this object's back: create it again
          continue;
        }
        throw this.#fail(`Reading the epoch of feature view "${view.name}" (table "${table}") from`, err);
      }
    }
  }

  /** Closes the client's connections. */
  async close(): Promise<void> {
    const pending = this.#connected;
    this.#connected = undefined;
    this.#tables.clear();
    if (!pending) return;
    try {
      (await pending).client.destroy();
    } catch { /* never connected */ }
  }
}

/** What is wrong with a table name template, or undefined. */
function templateProblem(template: string): string | undefined {
  const rest = template.replaceAll("{project}", "").replaceAll("{table_name}", "");
  if (!template.includes("{project}") || !template.includes("{table_name}")) {
    return 'both "{project}" and "{table_name}" (one table per project and feature view)';
  }
  if (!/^[A-Za-z0-9_.-]*$/.test(rest)) return 'only letters, digits, "_", "-", "." besides the placeholders';
  return undefined;
}

function unique(keys: readonly string[]): string[] {
  return [...new Set(keys)];
}

/** Runs `fn` over items with at most `workers` in flight; the first failure stops new work and is thrown. */
async function pool<T>(items: readonly T[], workers: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const run = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, items.length)) }, run));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function describeError(err: unknown): string {
  if (!err) return "unknown error";
  const e = err as Error & { code?: string; errors?: unknown[] };
  if (e.errors?.length) return describeError(e.errors[0]);
  let text = (e.message || e.code || String(err)).replace(/\s+/g, " ").trim();
  if (e.name && e.name !== "Error" && !text.startsWith(e.name)) text = `${e.name}: ${text}`;
  if (e.name === "CredentialsProviderError" || /credentials/i.test(text)) {
    text += " (credentials come from the AWS default chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
      "AWS_PROFILE, SSO, or an instance or task role)";
  }
  return text;
}

/**
 * The `dynamodb` online store type: settings and factory.
 *
 * @example
 * ```ts
 * const store = dynamodbOnlineStore.open(
 *   { ...dynamodbDefaults, type: "dynamodb", region: "eu-west-1" },
 *   { project: "credit_scoring", source: "feature_store.yaml" },
 * );
 * ```
 */
export const dynamodbOnlineStore: OnlineStorePlugin<DynamoDBOnlineStoreConfig> = {
  type: "dynamodb",
  description: "Amazon DynamoDB: one table per project and feature view",
  settings: {
    region: { kind: "string", required: true, doc: "AWS region of the tables" },
    endpoint: {
      kind: "string",
      check: (url: string) => /^https?:\/\/[^\s/]+/.test(url) ? undefined : "an http(s):// URL",
      doc: "Endpoint override: a local server (dynalite, DynamoDB Local) or a VPC endpoint",
    },
    table_name_template: {
      kind: "string",
      required: true,
      default: dynamodbDefaults.table_name_template,
      check: (t: string) => templateProblem(t),
      doc: "Table per feature view; {project} and {table_name} are replaced",
    },
    batch_size: {
      kind: "number",
      required: true,
      default: dynamodbDefaults.batch_size,
      check: (n: number) => Number.isInteger(n) && n >= 1 && n <= 100 ? undefined : "1..100",
      doc: "Keys per BatchGetItem call",
    },
    max_read_workers: {
      kind: "number",
      required: true,
      default: dynamodbDefaults.max_read_workers,
      check: positiveInteger,
      doc: "BatchGetItem calls in flight per read",
    },
    max_write_workers: {
      kind: "number",
      required: true,
      default: dynamodbDefaults.max_write_workers,
      check: positiveInteger,
      doc: "Conditional PutItem calls in flight per write batch",
    },
    consistent_reads: {
      kind: "boolean",
      required: true,
      default: dynamodbDefaults.consistent_reads,
      doc: "Strongly consistent online reads",
    },
  },
  validate(section, place) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(section.region) && !section.endpoint) {
      throw new ConfigError(
        `Setting "${place.prefix}region" in ${describeSource(place.source)} is ${
          JSON.stringify(section.region)
        }; expected an AWS region such as "eu-west-1"`,
      );
    }
  },
  open: (config, context) => new DynamoDBOnlineStore({ config, project: context.project, source: context.source }),
};

function positiveInteger(n: number): string | undefined {
  return Number.isInteger(n) && n >= 1 ? undefined : "an integer >= 1";
}
