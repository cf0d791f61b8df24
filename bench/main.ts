/**
 * `deno task bench <name> [flags]`: runs one benchmark (bench/<name>.ts) and writes bench/results/<name>.json.
 * @module
 */
const BENCHES: Record<string, string> = {
  pit: "./pit.ts",
  train: "./train.ts",
  materialize: "./materialize.ts",
  serve: "./serve.ts",
  drift: "./drift.ts",
  score: "./score.ts",
  csv: "./csv.ts",
  resp: "./resp.ts",
  kernel: "./kernel.ts",
};

const [name, ...rest] = Deno.args;
if (!name || !(name in BENCHES)) {
  console.error(`usage: deno task bench <${Object.keys(BENCHES).join("|")}> [flags]`);
  Deno.exit(2);
}
const mod = await import(BENCHES[name]);
await mod.main(rest);
