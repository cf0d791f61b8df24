import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import {
  isTempName,
  listLocalFiles,
  localError,
  localFileExists,
  localFileSize,
  openLocalRangeReader,
  openLocalWriter,
  readLocalFile,
  tempPathFor,
  writeLocalFile,
} from "./local_files.ts";
import { ObjectNotFoundError } from "./object_errors.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A local target whose URI is its path. */
const at = (path: string) => ({ uri: path, path });

/** Runs `fn` in a fresh temporary directory, removed afterwards. */
async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("local writer is atomic: invisible until close, nothing left after abort", () =>
  withTempDir(async (dir) => {
    const uri = `${dir}/out.bin`;
    await writeLocalFile(at(uri), enc.encode("old"));
    const w = await openLocalWriter(at(uri));
    await w.write(enc.encode("new "));
    await w.write(enc.encode("content"));
    assertEquals(dec.decode(await readLocalFile(at(uri))), "old"); // readers still see the old object
    assertEquals((await listLocalFiles(at(dir))).map((o) => o.uri), [uri]); // the temp file is not listed
    assertEquals(await w.close(), 11);
    assertEquals(dec.decode(await readLocalFile(at(uri))), "new content");
    await assertRejects(() => w.write(enc.encode("x")), Error, `Writer for "${uri}" is already closed`);

    const w2 = await openLocalWriter(at(`${dir}/never.bin`));
    await w2.write(enc.encode("partial"));
    await w2.abort(new Error("source failed"));
    await w2.abort(); // twice is harmless
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assertEquals(names, ["out.bin"]);
  }));

Deno.test("temporary names sit beside the target and are recognised", () => {
  const tmp = tempPathFor("out/a.csv");
  assertMatch(tmp, /^out\/\.a\.csv\.tmp-[0-9a-z]+\.partial$/);
  assert(tmp !== tempPathFor("out/a.csv"));
  assert(isTempName(tmp.slice("out/".length)));
  assertEquals(tempPathFor("a.csv").startsWith("./.a.csv.tmp-"), true);
  assert(!isTempName("a.csv"));
  assert(!isTempName(".hidden.csv"));
});

Deno.test("local errors name the URI the caller gave", () =>
  withTempDir(async (dir) => {
    const missing = { uri: `file://${dir}/none.csv`, path: `${dir}/none.csv` };
    await assertRejects(() => readLocalFile(missing), ObjectNotFoundError, `Object "${missing.uri}" not found`);
    assertEquals(await localFileExists(missing), false);
    assertEquals(await localFileExists(at(dir)), false); // a directory is not an object
    await assertRejects(() => localFileSize(at(dir)), Error, `Object "${dir}" is not a file`);
    await assertRejects(() => openLocalRangeReader(at(dir)), Error, `Object "${dir}" is a directory, not a file`);
    assertEquals(
      localError(new Deno.errors.PermissionDenied("denied"), "out/a.csv").message,
      'Cannot access "out/a.csv": denied',
    );
  }));

Deno.test("listLocalFiles keeps a file: prefix and matches partial names", () =>
  withTempDir(async (dir) => {
    await writeLocalFile(at(`${dir}/runs/2024-01.csv`), enc.encode("ab"));
    await writeLocalFile(at(`${dir}/runs/2024-02.csv`), enc.encode("abc"));
    await writeLocalFile(at(`${dir}/runs/2025-01.csv`), enc.encode(""));
    assertEquals(await listLocalFiles({ uri: `file://${dir}/runs/2024`, path: `${dir}/runs/2024` }), [
      { uri: `file://${dir}/runs/2024-01.csv`, size: 2 },
      { uri: `file://${dir}/runs/2024-02.csv`, size: 3 },
    ]);
    assertEquals(await listLocalFiles(at(`${dir}/runs/2024-02.csv`)), [{ uri: `${dir}/runs/2024-02.csv`, size: 3 }]);
    assertEquals(await listLocalFiles(at(`${dir}/gone/x`)), []);
  }));

Deno.test("local range reader serialises reads and refuses them after close", () =>
  withTempDir(async (dir) => {
    const path = `${dir}/r.bin`;
    await writeLocalFile(at(path), enc.encode("0123456789"));
    const r = await openLocalRangeReader(at(path));
    assertEquals(r.size, 10);
    const parts = await Promise.all([r.read(0, 3), r.read(7, 10), r.read(3, 3)]);
    assertEquals(parts.map((p) => dec.decode(p)), ["012", "789", ""]);
    await assertRejects(() => r.read(8, 12), Error, `Unexpected end of "${path}" at byte 10`);
    r.close();
    await assertRejects(() => r.read(0, 1), Error, `Reader for "${path}" is closed`);
  }));
