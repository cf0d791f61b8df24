/**
 * `deno task bench csv [--rows N] [--rounds R] [--repeats K] [--only a,b]`: our CSV reader (lib/io/csv.ts: its
 * tokenizer plus the typing layer) against maintained libraries doing the same work: a CSV file into the Arrow table
 * `readCsvTable` returns (inferred Int64/Float64/Bool/Timestamp/Utf8 columns, nulls, `tz_naive` metadata, errors
 * naming the row and column). Every library contender ends in the same typing layer (`csvRecordBatches`), fed the
 * library's records with the line each record starts on, so only the tokenizing differs:
 *
 * - `ours`: `readCsvTable` (streaming tokenizer);
 * - `csv_parse_sync`: csv-parse's sync API on the whole text (`cast` tells a quoted `""` from an empty field,
 *   `info` gives line numbers; `record_delimiter` both `\r\n` and `\n`, as ours);
 * - `csv_parse_stream`: csv-parse's stream API over the file (node:fs), records grouped in chunks of 4096;
 * - `papaparse`: Papa.parse on the whole text (strings; an empty field is null, quoted or not: it cannot tell);
 * - `papaparse_dynamic`: Papa.parse with `dynamicTyping`: columns that came out all numbers or all booleans are
 *   built straight from those values, the rest go through our typing layer as strings.
 *
 * Files: the three CSV samples of the real data (../shared/data/feast-credit) and a generated file of `--rows`
 * rows (default 1M; cached in bench/.data/csv/) shaped like the loan table plus a free-text column with quoted
 * commas, doubled quotes, line breaks, quoted empty strings and empty fields, CRLF line ends. Each measurement runs
 * in a fresh `deno` process (so its peak RSS is its own); rounds alternate the contenders (order rotated each
 * round). Small files are parsed `--repeats` times per process (median). The first round also digests every
 * column of each contender's table (Arrow IPC, SHA-256) and reports which columns differ from ours.
 *
 * Writes bench/results/csv.json: per file and contender the median ms, rows/s, peak RSS (median of the rounds'
 * processes; the small files share one process), the ratio of the median to ours, and `identical_to_ours`.
 * @module
 */
import * as arrow from "apache-arrow";
import { parse as parseSync } from "csv-parse/sync";
import { parse as parseStream } from "csv-parse";
import Papa from "papaparse";
import { createReadStream } from "node:fs";
import { intFlag, parseTaskArgs } from "../lib/cli/mod.ts";
import { type CsvRecord, csvRecordBatches, CsvTokenizer, readCsvTable } from "../lib/io/csv.ts";
import { packValidity } from "../lib/io/arrow_util.ts";
import { seededRandom as rng } from "../lib/numeric/random.ts";
import { benchChild, median, npmVersion, peakRssMb, round, writeResults } from "./harness.ts";

const USAGE = "deno task bench csv [--rows N] [--rounds R] [--repeats K] [--only a,b]";
const here = (path: string) => new URL(path, import.meta.url).pathname;
const REAL = here("../../shared/data/feast-credit/");
const REAL_FILES = ["loan_table_sample.csv", "zipcode_table_sample.csv", "credit_history_sample.csv"];

// ---------------------------------------------------------------------------------------------------------------
// Contenders

/** Reads a CSV file into an Arrow table. */
export type Contender = (path: string) => Promise<arrow.Table>;

/** The line each record starts on: the line after the previous one, less the line breaks inside its fields. */
function newlines(fields: readonly (string | null)[]): number {
  let n = 0;
  for (const f of fields) {
    if (f === null) continue;
    for (let i = f.indexOf("\n"); i >= 0; i = f.indexOf("\n", i + 1)) n++;
  }
  return n;
}

/** A table from record chunks through our typing layer, inferring over every row (as `readCsvTable`). */
async function tableOf(path: string, chunks: AsyncIterable<CsvRecord[]> | Iterable<CsvRecord[]>) {
  const batches: arrow.RecordBatch[] = [];
  const source = path.slice(path.lastIndexOf("/") + 1);
  for await (const b of csvRecordBatches(source, chunks, { inferRows: Infinity, batchRows: Infinity })) {
    batches.push(b);
  }
  return new arrow.Table(batches);
}

/** csv-parse options giving our tokenizer's records: quoted `""` is "", an empty field null; line numbers. */
const CSV_PARSE_OPTIONS = {
  bom: true,
  skip_empty_lines: true,
  relax_column_count: true, // our layer reports a short row with its line
  record_delimiter: ["\r\n", "\n"],
  info: true,
  cast: (value: string, ctx: { quoting: boolean }) => (value === "" && !ctx.quoting ? null : value),
};

interface CsvParseRecord {
  record: (string | null)[];
  info: { lines: number };
}

const toRecord = (r: CsvParseRecord): CsvRecord => ({ fields: r.record, line: r.info.lines - newlines(r.record) });

/** Papaparse rows as our records: blank lines skipped, empty fields null, lines counted. */
function papaRecords(rows: unknown[][]): CsvRecord[] {
  const out: CsvRecord[] = [];
  let line = 1;
  for (const row of rows) {
    if (row.length === 1 && (row[0] === "" || row[0] === null)) {
      line++;
      continue;
    }
    const fields = row.map((v) => (v === "" || v === null ? null : String(v)));
    out.push({ fields, line });
    line += 1 + newlines(fields);
  }
  return out;
}

/** Columns of papaparse's dynamicTyping output: all numbers / all booleans built directly, the rest as text. */
async function papaDynamicTable(path: string, rows: unknown[][]): Promise<arrow.Table> {
  const recs = papaRecords(rows).slice(1);
  const source = path.slice(path.lastIndexOf("/") + 1);
  const header = (rows[0] ?? []).map((h) => String(h));
  const width = header.length;
  for (const r of recs) {
    if (r.fields.length !== width) {
      throw new Error(`CSV "${source}" row ${r.line}: expected ${width} fields, found ${r.fields.length}`);
    }
  }
  const body = rows.slice(1).filter((r) => !(r.length === 1 && (r[0] === "" || r[0] === null)));
  const n = body.length;
  const direct = new Map<number, arrow.Data>();
  for (let j = 0; j < width; j++) {
    let nums = 0, ints = 0, bools = 0, seen = 0;
    for (const row of body) {
      const v = row[j];
      if (v === null || v === "" || v === undefined) continue;
      seen++;
      if (typeof v === "number") {
        nums++;
        if (Number.isInteger(v)) ints++;
      } else if (typeof v === "boolean") bools++;
    }
    if (seen === 0 || (nums !== seen && bools !== seen)) continue;
    const valid = new Uint8Array(n);
    let data: BigInt64Array | Float64Array | Uint8Array;
    let type: arrow.DataType;
    if (bools === seen) {
      type = new arrow.Bool();
      data = new Uint8Array(((n + 63) >> 6) << 3);
      for (let i = 0; i < n; i++) {
        const v = body[i][j];
        if (typeof v !== "boolean") continue;
        valid[i] = 1;
        if (v) data[i >> 3] |= 1 << (i & 7);
      }
    } else if (ints === seen) {
      type = new arrow.Int64();
      data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = body[i][j];
        if (typeof v === "number") (valid[i] = 1), (data[i] = BigInt(v));
      }
    } else {
      type = new arrow.Float64();
      data = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = body[i][j];
        if (typeof v === "number") (valid[i] = 1), (data[i] = v);
      }
    }
    const { bitmap, nullCount } = packValidity(valid);
    const nullBitmap = nullCount ? bitmap : undefined;
    // (makeData dispatches on the runtime type; the casts only pick one overload for the checker)
    const props = { type: type as arrow.Int64, length: n, nullCount, nullBitmap, data: data as BigInt64Array };
    direct.set(j, arrow.makeData(props) as arrow.Data);
  }
  const rest = header.map((_, j) => j).filter((j) => !direct.has(j));
  const restRecs: CsvRecord[] = [{ fields: rest.map((j) => header[j]), line: 1 }];
  for (const r of recs) restRecs.push({ fields: rest.map((j) => r.fields[j]), line: r.line });
  const text = await tableOf(path, [restRecs]);
  const columns: Record<string, arrow.Vector> = {};
  header.forEach((h, j) => {
    const d = direct.get(j);
    columns[h] = d ? arrow.makeVector(d) : text.getChild(h)!;
  });
  const fields = header.map((
    h,
    j,
  ) => (direct.has(j) ? new arrow.Field(h, direct.get(j)!.type, true) : text.schema.fields[rest.indexOf(j)]));
  return new arrow.Table(new arrow.Schema(fields), columns);
}

/** The contenders by name (see the module doc). */
export const CONTENDERS: Record<string, Contender> = {
  ours: (path) => readCsvTable(path),
  csv_parse_sync: async (path) => {
    const records = parseSync(await Deno.readTextFile(path), CSV_PARSE_OPTIONS) as unknown as CsvParseRecord[];
    return await tableOf(path, [records.map(toRecord)]);
  },
  csv_parse_stream: (path) => {
    const parser = createReadStream(path).pipe(parseStream(CSV_PARSE_OPTIONS));
    async function* chunks(): AsyncGenerator<CsvRecord[]> {
      let chunk: CsvRecord[] = [];
      for await (const r of parser) {
        chunk.push(toRecord(r as CsvParseRecord));
        if (chunk.length === 4096) {
          yield chunk;
          chunk = [];
        }
      }
      if (chunk.length) yield chunk;
    }
    return tableOf(path, chunks());
  },
  papaparse: async (path) => {
    const result = Papa.parse<unknown[]>(await Deno.readTextFile(path), {});
    return await tableOf(path, [papaRecords(result.data)]);
  },
  papaparse_dynamic: async (path) => {
    const result = Papa.parse<unknown[]>(await Deno.readTextFile(path), { dynamicTyping: true });
    return await papaDynamicTable(path, result.data);
  },
};

/**
 * Tokenizing alone (no typing layer): the records each contender's tokenizer gives, counted. Same options as above.
 */
export const TOKENIZERS: Record<string, (path: string) => Promise<number>> = {
  ours: async (path) => {
    const tok = new CsvTokenizer(path);
    const file = await Deno.open(path);
    const decoder = new TextDecoder();
    let n = 0;
    for await (const chunk of file.readable) n += tok.push(decoder.decode(chunk, { stream: true })).length;
    return n + tok.push(decoder.decode()).length + tok.finish().length;
  },
  csv_parse_sync: async (path) => parseSync(await Deno.readTextFile(path), CSV_PARSE_OPTIONS).length,
  csv_parse_stream: async (path) => {
    let n = 0;
    for await (const _ of createReadStream(path).pipe(parseStream(CSV_PARSE_OPTIONS))) n++;
    return n;
  },
  papaparse: async (path) => Papa.parse<unknown[]>(await Deno.readTextFile(path), { skipEmptyLines: true }).data.length,
};

// ---------------------------------------------------------------------------------------------------------------
// The generated file

/** Writes `rows` loan-like rows with a tricky free-text column and CRLF line ends (see the module doc). */
export async function writeGeneratedCsv(path: string, rows: number, seed = 18): Promise<void> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const homes = ["RENT", "OWN", "MORTGAGE", "OTHER"];
  const intents = ["EDUCATION", "MEDICAL", "VENTURE", "PERSONAL", "DEBTCONSOLIDATION", "HOMEIMPROVEMENT"];
  const notes = ["paid on time", '"late, twice"', '"said ""call back"""', '"two\nlines"', '""', "", "ok"];
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  const start = Date.UTC(2020, 0, 1);
  try {
    const header = "loan_id,dob_ssn,zipcode,person_age,person_income,person_home_ownership,person_emp_length," +
      "loan_intent,loan_amnt,loan_int_rate,loan_status,note,event_timestamp,created_timestamp\r\n";
    await file.write(enc.encode(header));
    for (let s = 0; s < rows; s += 50_000) {
      const lines: string[] = [];
      for (let i = s; i < Math.min(rows, s + 50_000); i++) {
        const ms = start + Math.floor(r() * 5e10);
        const micros = String(Math.floor(r() * 1000)).padStart(3, "0");
        const ts = new Date(ms).toISOString().replace("T", " ").slice(0, 23) + micros + "+00:00";
        const day = new Date(Date.UTC(1940, 0, 1) + Math.floor(r() * 20_000) * 86_400_000).toISOString();
        lines.push(
          `${i + 1},${day.slice(0, 10).replaceAll("-", "")}_${String(i % 10_000).padStart(4, "0")},` +
            `${r() < 0.02 ? "" : 1000 + Math.floor(r() * 98_000)},${20 + Math.floor(r() * 50)},` +
            `${Math.floor(r() * 200_000)},${pick(homes)},${r() < 0.03 ? "" : Math.floor(r() * 20) + ".0"},` +
            `${pick(intents)},${500 + Math.floor(r() * 35_000)},${r() < 0.1 ? "" : (5 + r() * 18).toFixed(2)},` +
            `${r() < 0.22 ? 1 : 0},${pick(notes)},${ts},${ts}`,
        );
      }
      await file.write(enc.encode(lines.join("\r\n") + "\r\n"));
    }
  } finally {
    file.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Child process: one contender over some files

interface ChildArgs {
  contender: string;
  /** Tokenize only (TOKENIZERS), else read into a table (CONTENDERS). */
  tokenize?: boolean;
  files: string[];
  repeats: number;
  digest: boolean;
}

interface ChildResult {
  files: Record<string, { ms: number; rows: number; digests?: Record<string, string> }>;
  peak_rss_mb: number;
}

async function columnDigests(table: arrow.Table): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of table.schema.fields) {
    const one = new arrow.Table(new arrow.Schema([f]), { [f.name]: table.getChild(f.name)! });
    const bytes = arrow.tableToIPC(one, "stream");
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
    out[f.name] = [...hash.slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  return out;
}

async function child(args: ChildArgs): Promise<void> {
  const result: ChildResult = { files: {}, peak_rss_mb: 0 };
  if (args.tokenize) {
    for (const file of args.files) {
      const t0 = performance.now();
      const rows = await TOKENIZERS[args.contender](file);
      result.files[file] = { ms: performance.now() - t0, rows };
    }
    result.peak_rss_mb = peakRssMb();
    console.log(JSON.stringify(result));
    return;
  }
  const read = CONTENDERS[args.contender];
  for (const file of args.files) {
    const times: number[] = [];
    let table: arrow.Table | undefined;
    for (let k = 0; k < args.repeats; k++) {
      table = undefined;
      const t0 = performance.now();
      table = await read(file);
      times.push(performance.now() - t0);
    }
    result.files[file] = {
      ms: median(times),
      rows: table!.numRows,
      digests: args.digest ? await columnDigests(table!) : undefined,
    };
  }
  result.peak_rss_mb = peakRssMb();
  console.log(JSON.stringify(result));
}

async function runChild(args: ChildArgs): Promise<ChildResult> {
  const [command, argv] = benchChild("deno", [
    "--allow-read",
    "--allow-env",
    "--allow-sys",
    "--allow-run=cat",
    here("./csv.ts"),
    "--child",
    JSON.stringify(args),
  ]);
  const out = await new Deno.Command(command, { args: argv, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(`${args.contender} failed: ${new TextDecoder().decode(out.stderr).slice(-2000)}`);
  }
  return JSON.parse(text.split("\n").pop()!) as ChildResult;
}

// ---------------------------------------------------------------------------------------------------------------
// Main

/** See the module doc. */
export async function main(argv: string[]): Promise<void> {
  if (argv[0] === "--child") return await child(JSON.parse(argv[1]) as ChildArgs);
  const { values } = parseTaskArgs(argv, {
    usage: USAGE,
    options: {
      rows: { type: "string" },
      rounds: { type: "string" },
      repeats: { type: "string" },
      only: { type: "string" },
    },
  });
  const rows = intFlag(values, "rows", { min: 1000, fallback: 1_000_000 });
  const rounds = intFlag(values, "rounds", { min: 1, fallback: 5 });
  const repeats = intFlag(values, "repeats", { min: 1, fallback: 15 });
  const names = values.only ? String(values.only).split(",") : Object.keys(CONTENDERS);
  for (const n of names) if (!(n in CONTENDERS)) throw new Error(`Unknown contender "${n}" in --only`);
  if (!names.includes("ours")) names.unshift("ours");

  const big = here(`./.data/csv/generated_${rows}.csv`);
  await Deno.mkdir(here("./.data/csv/"), { recursive: true });
  if (!(await Deno.stat(big).then((s) => s.size > 0, () => false))) {
    const t0 = performance.now();
    await writeGeneratedCsv(big + ".tmp", rows);
    await Deno.rename(big + ".tmp", big);
    console.log(`wrote ${big} (${rows} rows) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const small = REAL_FILES.map((f) => REAL + f).filter((f) => Deno.statSync(f).isFile);
  const groups = [
    { files: small, repeats, tokenize: false },
    { files: [big], repeats: 1, tokenize: false },
    { files: [big], repeats: 1, tokenize: true },
  ];
  const bytes: Record<string, number> = {};
  for (const f of [...small, big]) bytes[f] = Deno.statSync(f).size;
  const label = (file: string, tokenize: boolean) =>
    (file === big ? `generated_${rows}.csv` : file.slice(file.lastIndexOf("/") + 1)) +
    (tokenize ? " (tokenize only)" : "");

  // runs[label][contender] = { ms[], rss[] }, digests from round 1
  const runs: Record<string, Record<string, { ms: number[]; rss: number[]; rows: number }>> = {};
  const digests: Record<string, Record<string, Record<string, string>>> = {};
  const source: Record<string, string> = {};
  /** Summarizes the rounds so far and writes bench/results/csv.json (after every round). */
  const report = async (done: number, print: boolean): Promise<string> => {
    const files: Record<string, unknown> = {};
    for (const [key, byContender] of Object.entries(runs)) {
      const oursMs = median(byContender.ours.ms);
      const out: Record<string, unknown> = {};
      for (const [contender, slot] of Object.entries(byContender)) {
        const ms = median(slot.ms);
        let differ: string[] = [];
        if (digests[key]) {
          const ref = digests[key].ours, d = digests[key][contender];
          differ = Object.keys(ref).filter((c) => d[c] !== ref[c]);
          if (Object.keys(d).length !== Object.keys(ref).length) differ.push("(columns)");
        } else if (slot.rows !== byContender.ours.rows) {
          differ = [`(${slot.rows} records, ours ${byContender.ours.rows})`];
        }
        out[contender] = {
          median_ms: round(ms, 1),
          rows_per_s: Math.round(slot.rows / (ms / 1000)),
          mb_per_s: round(bytes[source[key]] / 1e6 / (ms / 1000), 1),
          peak_rss_mb: Math.round(median(slot.rss)),
          ratio_to_ours: round(ms / oursMs, 2),
          identical_to_ours: differ.length === 0,
          ...(differ.length ? { differing: differ } : {}),
          rounds_ms: slot.ms.map((x) => round(x, 1)),
        };
      }
      files[key] = { rows: byContender.ours.rows, bytes: bytes[source[key]], contenders: out };
      if (print) console.log(`\n${key} (${byContender.ours.rows} rows):`);
      if (print) { for (const [c, v] of Object.entries(out)) console.log(`  ${c.padEnd(18)} ${JSON.stringify(v)}`); }
    }
    return await writeResults("csv", {
      rounds: done,
      rounds_planned: rounds,
      small_file_repeats: repeats,
      versions: { "csv-parse": npmVersion("csv-parse"), papaparse: npmVersion("papaparse") },
      method: "each contender: file -> Arrow table as readCsvTable returns it (same typing layer for all but " +
        "papaparse_dynamic's numeric/boolean columns); tokenize only: records counted, no typing; a fresh deno " +
        "process per contender per round, rounds alternating the contenders (order rotated); small files parsed " +
        "repeats times per process (median); peak RSS of the process (the three small files share one); " +
        "ratio_to_ours = median ms / ours' median ms",
      files,
    });
  };

  for (let r = 0; r < rounds; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]);
    for (const group of groups) {
      for (const contender of order) {
        if (group.tokenize && !(contender in TOKENIZERS)) continue;
        const res = await runChild({ contender, ...group, digest: r === 0 && !group.tokenize });
        for (const [file, fig] of Object.entries(res.files)) {
          const key = label(file, group.tokenize);
          source[key] = file;
          const slot = ((runs[key] ??= {})[contender] ??= { ms: [], rss: [], rows: fig.rows });
          slot.ms.push(fig.ms);
          slot.rss.push(res.peak_rss_mb);
          if (fig.digests) (digests[key] ??= {})[contender] = fig.digests;
        }
        if (group.files[0] === big) {
          console.log(
            `round ${r + 1}/${rounds} ${contender}${group.tokenize ? " (tokenize only)" : ""}: ${rows} rows in ` +
              `${Math.round(res.files[big].ms)} ms, peak RSS ${Math.round(res.peak_rss_mb)} MB`,
          );
        }
      }
    }
    if (r < rounds - 1) console.log(`round ${r + 1}/${rounds} written to ${await report(r + 1, false)}`);
  }

  const path = await report(rounds, true);
  console.log(`\n-> ${path}`);
}

if (import.meta.main) await main(Deno.args);
