/**
 * Prints the permissions this process holds, as JSON (for tools/permissions_test.ts, which runs it through
 * bench/child.sh to show that a benchmark's child gets exactly the flags it was given): `deno run ... DIR`.
 *
 * @module
 */
const dir = Deno.args[0] ?? "/nonexistent";
const state = async (d: Deno.PermissionDescriptor) => (await Deno.permissions.query(d)).state;
console.log(JSON.stringify({
  write_dir: await state({ name: "write", path: dir }),
  write_etc: await state({ name: "write", path: "/etc" }),
  run_any: await state({ name: "run" }),
  ffi: await state({ name: "ffi" }),
}));
