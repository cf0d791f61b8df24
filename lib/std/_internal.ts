/**
 * The parts of `jsr:@std/internal` 1.0.14 that `@std/assert` uses: `format`
 * (values as `Deno.inspect` prints them, keys sorted), `diff` (line diff),
 * `diffStr` (line and word diff of strings), `buildMessage` (the coloured
 * `[Diff] Actual / Expected` block) and the few ANSI styles they need.
 *
 * Ported from https://github.com/denoland/std (internal/format.ts, diff.ts,
 * diff_str.ts, build_message.ts, styles.ts, types.ts).
 * Copyright 2018-2026 the Deno authors. MIT license.
 *
 * Private to lib/std: import `@std/assert` instead.
 *
 * @example
 * ```ts
 * import { diff } from "./_internal.ts";
 * diff([1, 2, 3], [1, 2, 4]); // common 1, common 2, removed 3, added 4
 * ```
 * @module
 */

// ---------------------------------------------------------------- types.ts

/** Ways that lines in a diff can be different. */
export type DiffType = DiffResult<unknown>["type"];

/** One line (or word) of a diff. */
export type DiffResult<T> = ChangedDiffResult<T> | CommonDiffResult<T>;

/** A line both sides share (or a truncation marker). */
export type CommonDiffResult<T> = { type: "common" | "truncation"; value: T };

/** A line only one side has, with its word-level details for strings. */
export type ChangedDiffResult<T> = { type: "removed" | "added"; value: T; details?: DiffResult<T>[] };

// --------------------------------------------------------------- styles.ts

// deno-lint-ignore no-explicit-any
const { Deno: denoGlobal } = globalThis as any;
const colorEnabled = !(typeof denoGlobal?.noColor === "boolean" ? denoGlobal.noColor as boolean : false);

function style(open: number, close: number): (str: string) => string {
  const regexp = new RegExp(`\\x1b\\[${close}m`, "g");
  return (str) => colorEnabled ? `\x1b[${open}m${str.replace(regexp, `\x1b[${open}m`)}\x1b[${close}m` : str;
}

/** Bold text (plain when `NO_COLOR` is set). */
export const bold: (str: string) => string = style(1, 22);
/** Red text. */
export const red: (str: string) => string = style(31, 39);
/** Green text. */
export const green: (str: string) => string = style(32, 39);
/** White text. */
export const white: (str: string) => string = style(37, 39);
/** Gray (bright black) text. */
export const gray: (str: string) => string = style(90, 39);
/** Red background. */
export const bgRed: (str: string) => string = style(41, 49);
/** Green background. */
export const bgGreen: (str: string) => string = style(42, 49);

// https://github.com/chalk/ansi-regex/blob/02fa893d619d3da85411acc8fd4e2eea0e95a9d9/index.js
const ANSI_REGEXP = new RegExp(
  [
    "[\\u001B\\u009B][[\\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\\d\\/#&.:=?%@~_]+)*|[a-zA-Z\\d]+(?:;[-a-zA-Z\\d\\/#&.:=?%@~_]*)*)?\\u0007)",
    "(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PR-TXZcf-nq-uy=><~]))",
  ].join("|"),
  "g",
);

/** Removes ANSI escape codes from `string`. */
export function stripAnsiCode(string: string): string {
  return string.replace(ANSI_REGEXP, "");
}

// --------------------------------------------------------------- format.ts

type InspectFn = (v: unknown, options: Record<string, unknown>) => string;

/**
 * Converts a value into a string as `Deno.inspect` does (falling back to
 * `node:util`'s `inspect`, then JSON), with object keys, Sets and Maps sorted
 * so that diffs are stable.
 *
 * @param v Value to format.
 * @returns The formatted string, e.g. `"{\n  a: 1,\n  b: 2,\n}"` for `{ b: 2, a: 1 }`.
 */
export function format(v: unknown): string {
  // deno-lint-ignore no-explicit-any
  const { Deno, process } = globalThis as any;
  const inspect: InspectFn | undefined = Deno?.inspect ?? process?.getBuiltinModule?.("node:util")?.inspect;
  return typeof inspect === "function"
    ? inspect(v, {
      depth: Infinity,
      sorted: true,
      trailingComma: true,
      compact: false,
      iterableLimit: Infinity,
      getters: true,
      strAbbreviateSize: Infinity,
    })
    : basicInspect(v);
}

const formatters: ((v: unknown) => string | undefined)[] = [
  (v) => {
    if (typeof v === "undefined") return "undefined";
    if (typeof v === "bigint") return `${v}n`;
    if (
      typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v === null || Array.isArray(v) ||
      [null, Object.prototype].includes(Object.getPrototypeOf(v))
    ) {
      return JSON.stringify(v, null, 2);
    }
  },
  (v) => String(v),
  (v) => Object.prototype.toString.call(v),
];

function basicInspect(v: unknown): string {
  for (const fmt of formatters) {
    try {
      const result = fmt(v);
      if (typeof result === "string") return result;
    } catch { /* try the next one */ }
  }
  return "[[Unable to format value]]";
}

// ----------------------------------------------------------------- diff.ts

interface FarthestPoint {
  y: number;
  id: number;
}

const REMOVED = 1;
const COMMON = 2;
const ADDED = 3;

function createCommon<T>(A: T[], B: T[]): T[] {
  const common: T[] = [];
  if (A.length === 0 || B.length === 0) return [];
  for (let i = 0; i < Math.min(A.length, B.length); i += 1) {
    const a = A[i];
    const b = B[i];
    if (a !== undefined && a === b) {
      common.push(a);
    } else {
      return common;
    }
  }
  return common;
}

function assertFp(value: unknown): asserts value is FarthestPoint {
  if (
    value == null || typeof value !== "object" || typeof (value as FarthestPoint)?.y !== "number" ||
    typeof (value as FarthestPoint)?.id !== "number"
  ) {
    throw new Error(`Unexpected value, expected 'FarthestPoint': received ${typeof value}`);
  }
}

function backTrace<T>(
  A: T[],
  B: T[],
  current: FarthestPoint,
  swapped: boolean,
  routes: Uint32Array,
  diffTypesPtrOffset: number,
): Array<{ type: DiffType; value: T }> {
  const result: { type: DiffType; value: T }[] = [];
  let a = A.length - 1;
  let b = B.length - 1;
  let j = routes[current.id];
  let type = routes[current.id + diffTypesPtrOffset];
  while (true) {
    if (!j && !type) break;
    const prev = j!;
    if (type === REMOVED) {
      result.push({ type: swapped ? "removed" : "added", value: B[b]! });
      b -= 1;
    } else if (type === ADDED) {
      result.push({ type: swapped ? "added" : "removed", value: A[a]! });
      a -= 1;
    } else {
      result.push({ type: "common", value: A[a]! });
      a -= 1;
      b -= 1;
    }
    j = routes[prev];
    type = routes[prev + diffTypesPtrOffset];
  }
  result.reverse();
  return result;
}

function createFp(
  k: number,
  M: number,
  routes: Uint32Array,
  diffTypesPtrOffset: number,
  ptr: number,
  slide?: FarthestPoint,
  down?: FarthestPoint,
): FarthestPoint {
  if (slide && slide.y === -1 && down && down.y === -1) {
    return { y: 0, id: 0 };
  }
  const isAdding = (down?.y === -1) || k === M || (slide?.y ?? 0) > (down?.y ?? 0) + 1;
  if (slide && isAdding) {
    const prev = slide.id;
    ptr++;
    routes[ptr] = prev;
    routes[ptr + diffTypesPtrOffset] = ADDED;
    return { y: slide.y, id: ptr };
  }
  if (down && !isAdding) {
    const prev = down.id;
    ptr++;
    routes[ptr] = prev;
    routes[ptr + diffTypesPtrOffset] = REMOVED;
    return { y: down.y + 1, id: ptr };
  }
  throw new Error("Unexpected missing FarthestPoint");
}

/**
 * The differences between `A` (actual) and `B` (expected), element by element
 * (Wu, Manber, Myers and Miller's O(NP) algorithm).
 *
 * @param A Actual lines.
 * @param B Expected lines.
 * @returns Each element tagged `common`, `removed` (only in `A`) or `added` (only in `B`).
 */
export function diff<T>(A: T[], B: T[]): DiffResult<T>[] {
  const prefixCommon = createCommon(A, B);
  A = A.slice(prefixCommon.length);
  B = B.slice(prefixCommon.length);
  const swapped = B.length > A.length;
  [A, B] = swapped ? [B, A] : [A, B];
  const M = A.length;
  const N = B.length;
  if (!M && !N && !prefixCommon.length) return [];
  if (!N) {
    return [
      ...prefixCommon.map((value) => ({ type: "common", value })),
      ...A.map((value) => ({ type: swapped ? "added" : "removed", value })),
    ] as DiffResult<T>[];
  }
  const offset = N;
  const delta = M - N;
  const length = M + N + 1;
  const fp: FarthestPoint[] = Array.from({ length }, () => ({ y: -1, id: -1 }));
  // First half: routes; second half: diff types.
  const routes = new Uint32Array((M * N + length + 1) * 2);
  const diffTypesPtrOffset = routes.length / 2;
  let ptr = 0;

  function snake<T>(k: number, A: T[], B: T[], slide?: FarthestPoint, down?: FarthestPoint): FarthestPoint {
    const M = A.length;
    const N = B.length;
    const fp = createFp(k, M, routes, diffTypesPtrOffset, ptr, slide, down);
    ptr = fp.id;
    while (fp.y + k < M && fp.y < N && A[fp.y + k] === B[fp.y]) {
      const prev = fp.id;
      ptr++;
      fp.id = ptr;
      fp.y += 1;
      routes[ptr] = prev;
      routes[ptr + diffTypesPtrOffset] = COMMON;
    }
    return fp;
  }

  let currentFp = fp[delta + offset];
  assertFp(currentFp);
  let p = -1;
  while (currentFp.y < N) {
    p = p + 1;
    for (let k = -p; k < delta; ++k) {
      const index = k + offset;
      fp[index] = snake(k, A, B, fp[index - 1], fp[index + 1]);
    }
    for (let k = delta + p; k > delta; --k) {
      const index = k + offset;
      fp[index] = snake(k, A, B, fp[index - 1], fp[index + 1]);
    }
    const index = delta + offset;
    fp[delta + offset] = snake(delta, A, B, fp[index - 1], fp[index + 1]);
    currentFp = fp[delta + offset];
    assertFp(currentFp);
  }
  return [
    ...prefixCommon.map((value) => ({ type: "common", value })),
    ...backTrace(A, B, currentFp, swapped, routes, diffTypesPtrOffset),
  ] as DiffResult<T>[];
}

// ------------------------------------------------------------- diff_str.ts

function unescape(string: string): string {
  return string
    .replaceAll("\\", "\\\\")
    .replaceAll("\b", "\\b")
    .replaceAll("\f", "\\f")
    .replaceAll("\t", "\\t")
    .replaceAll("\v", "\\v")
    // This does not remove line breaks
    .replaceAll(/\r\n|\r|\n/g, (str) => str === "\r" ? "\\r" : str === "\n" ? "\\n\n" : "\\r\\n\r\n");
}

const WHITESPACE_SYMBOLS_REGEXP = /((?:\\[bftv]|[^\S\r\n])+|\\[rn\\]|[()[\]{}'"\r\n]|\b)/;

function tokenize(string: string, wordDiff = false): string[] {
  if (wordDiff) {
    return string.split(WHITESPACE_SYMBOLS_REGEXP).filter((token) => token);
  }
  const tokens: string[] = [];
  const lines = string.split(/(\n|\r\n)/).filter((line) => line);
  for (const [i, line] of lines.entries()) {
    if (i % 2) {
      tokens[tokens.length - 1] += line;
    } else {
      tokens.push(line);
    }
  }
  return tokens;
}

function createDetails(line: DiffResult<string>, tokens: DiffResult<string>[]): DiffResult<string>[] {
  return tokens.filter(({ type }) => type === line.type || type === "common")
    .map((result, i, t) => {
      const token = t[i - 1];
      if ((result.type === "common") && token && (token.type === t[i + 1]?.type) && /\s+/.test(result.value)) {
        return { ...result, type: token.type };
      }
      return result;
    });
}

const NON_WHITESPACE_REGEXP = /\S/;

/**
 * The line differences between two strings, each changed line carrying its
 * word-level differences (escapes such as `\n` and `\t` made visible).
 *
 * @param A Actual string.
 * @param B Expected string.
 * @returns The diff lines, e.g. for `diffStr("Hello!", "Hello")` a removed `Hello!` and an added `Hello`.
 */
export function diffStr(A: string, B: string): DiffResult<string>[] {
  const diffResult = diff(tokenize(`${unescape(A)}\n`), tokenize(`${unescape(B)}\n`));
  const added = [];
  const removed = [];
  for (const result of diffResult) {
    if (result.type === "added") added.push(result);
    if (result.type === "removed") removed.push(result);
  }
  const hasMoreRemovedLines = added.length < removed.length;
  const aLines = hasMoreRemovedLines ? added : removed;
  const bLines = hasMoreRemovedLines ? removed : added;
  let bIdx = 0;
  for (const a of aLines) {
    let tokens = [] as Array<DiffResult<string>>;
    let b: undefined | ChangedDiffResult<string>;
    const aTokens = tokenize(a.value, true);
    // Search another diff line with at least one common token
    while (bIdx < bLines.length) {
      b = bLines[bIdx++];
      const bTokens = tokenize(b!.value, true);
      tokens = hasMoreRemovedLines ? diff(bTokens, aTokens) : diff(aTokens, bTokens);
      if (tokens.some(({ type, value }) => type === "common" && NON_WHITESPACE_REGEXP.test(value))) {
        break;
      }
    }
    a.details = createDetails(a, tokens);
    if (b) b.details = createDetails(b, tokens);
  }
  return diffResult;
}

// -------------------------------------------------------- build_message.ts

function createColor(diffType: DiffType, background = false): (s: string) => string {
  switch (diffType) {
    case "added":
      return (s) => background ? bgGreen(white(s)) : green(bold(s));
    case "removed":
      return (s) => background ? bgRed(white(s)) : red(bold(s));
    case "truncation":
      return gray;
    default:
      return white;
  }
}

function createSign(diffType: DiffType): string {
  switch (diffType) {
    case "added":
      return "+   ";
    case "removed":
      return "-   ";
    default:
      return "    ";
  }
}

/**
 * The `[Diff] Actual / Expected` block of an assertion message: removed lines
 * (only in actual) prefixed `-   `, added lines (only in expected) `+   `.
 *
 * @param diffResult The diff from {@linkcode diff} or {@linkcode diffStr}.
 * @param options `stringDiff`: the diff came from {@linkcode diffStr} (lines already end in `\n`).
 * @returns The message lines.
 */
export function buildMessage(
  diffResult: ReadonlyArray<DiffResult<string>>,
  options: { stringDiff?: boolean } = {},
): string[] {
  const { stringDiff = false } = options;
  const messages = [
    "",
    "",
    `    ${gray(bold("[Diff]"))} ${red(bold("Actual"))} / ${green(bold("Expected"))}`,
    "",
    "",
  ];
  const diffMessages = diffResult.map((result) => {
    const color = createColor(result.type);
    const line = result.type === "added" || result.type === "removed"
      ? result.details?.map((detail) =>
        detail.type !== "common" ? createColor(detail.type, true)(detail.value) : detail.value
      ).join("") ?? result.value
      : result.value;
    return color(`${createSign(result.type)}${line}`);
  });
  messages.push(...(stringDiff ? [diffMessages.join("")] : diffMessages), "");
  return messages;
}
