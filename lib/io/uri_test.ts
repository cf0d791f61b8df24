import { assertEquals, assertThrows } from "@std/assert";
import { baseName, dirName, joinUri, parseUri, requireKey, s3Uri } from "./uri.ts";

Deno.test("parseUri and joinUri", () => {
  assertEquals(parseUri("s3://b/a/k.parquet"), { scheme: "s3", bucket: "b", key: "a/k.parquet" });
  assertEquals(parseUri("s3://b"), { scheme: "s3", bucket: "b", key: "" });
  assertEquals(parseUri("data/x.csv"), { scheme: "file", path: "data/x.csv" });
  assertEquals(parseUri("/abs/x y.csv"), { scheme: "file", path: "/abs/x y.csv" });
  assertEquals(parseUri("file:///tmp/a%20b.csv"), { scheme: "file", path: "/tmp/a b.csv" });
  assertThrows(() => parseUri("gs://b/k"), Error, 'Unsupported URI scheme "gs" in "gs://b/k"');
  assertThrows(() => parseUri("s3:///k"), Error, "no bucket");
  assertEquals(joinUri("s3://b/runs/", "2024", "/x.parquet"), "s3://b/runs/2024/x.parquet");
  assertEquals(joinUri("s3://b", "k"), "s3://b/k");
  assertEquals(joinUri("out", "a", "b.csv"), "out/a/b.csv");
  assertEquals(joinUri("/", "tmp"), "/tmp");
});

Deno.test("parseUri accepts s3a and localhost file URIs and rejects empty and remote ones", () => {
  assertEquals(parseUri("s3a://b/k"), { scheme: "s3", bucket: "b", key: "k" });
  assertEquals(parseUri("file://localhost/tmp/a.csv"), { scheme: "file", path: "/tmp/a.csv" });
  assertThrows(() => parseUri(""), Error, 'Invalid URI "": empty');
  assertThrows(() => parseUri("file://host/tmp/a.csv"), Error, "file URIs must be local");
});

Deno.test("baseName, dirName, s3Uri and requireKey", () => {
  assertEquals(baseName("s3://b/runs/scores.parquet"), "scores.parquet");
  assertEquals(baseName("out/dir/"), "dir");
  assertEquals(dirName("out/a/b.csv"), "out/a");
  assertEquals(dirName("b.csv"), ".");
  assertEquals(dirName("/b.csv"), "/");
  assertEquals(s3Uri("b", "a/k"), "s3://b/a/k");
  requireKey("s3://b/k", { bucket: "b", key: "k" });
  assertThrows(() => requireKey("s3://b", { bucket: "b", key: "" }), Error, 'URI "s3://b" has no object key');
  assertThrows(() => requireKey("s3://b/d/", { bucket: "b", key: "d/" }), Error, "has no object key");
});
