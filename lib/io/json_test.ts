import { assertEquals, assertRejects } from "@std/assert";
import { readJson, readJsonOrNull, writeJson } from "./json.ts";
import { ObjectNotFoundError } from "./object_store.ts";

Deno.test("json: written pretty with a final newline, read back; absent is null or ObjectNotFoundError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const uri = `${dir}/a/doc.json`;
    await writeJson(uri, { a: 1, b: [true] });
    assertEquals(await Deno.readTextFile(uri), '{\n  "a": 1,\n  "b": [\n    true\n  ]\n}\n');
    assertEquals(await readJson(uri), { a: 1, b: [true] });
    assertEquals(await readJsonOrNull(uri), { a: 1, b: [true] });
    assertEquals(await readJsonOrNull(`${dir}/none.json`), null);
    await assertRejects(() => readJson(`${dir}/none.json`), ObjectNotFoundError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("json: invalid JSON is an error naming the document", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const uri = `${dir}/bad.json`;
    await Deno.writeTextFile(uri, "{not json");
    await assertRejects(() => readJson(uri), Error, `File "${uri}" is not valid JSON: `);
    await assertRejects(
      () => readJsonOrNull(uri, { what: "Manifest" }),
      Error,
      `Manifest "${uri}" is not valid JSON: `,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
