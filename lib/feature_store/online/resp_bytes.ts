/**
 * RESP output bytes for the Redis bulk writer (resp_writer.ts): a growable byte buffer ({@link Out}) that writes
 * ASCII, UTF-8 and numbers without intermediate strings, and RESP bulk string framing ({@link bulk}) that writes
 * the length header before knowing the body's length.
 *
 * @example
 * ```ts
 * import { bulk, Out } from "./resp_bytes.ts";
 * const out = new Out(64);
 * bulk(out, 1, () => out.ascii("hello"));
 * new TextDecoder().decode(out.b.subarray(0, out.p)); // "$5\r\nhello\r\n"
 * ```
 * @module
 */

const TEXT_ENCODER = new TextEncoder();

/**
 * Output bytes: `b` may be replaced when growing, so always re-read it after {@link Out.ensure}.
 *
 * @example
 * ```ts
 * const out = new Out();
 * out.ascii("n=");
 * out.num(42);
 * out.b.subarray(0, out.p); // the bytes of "n=42"
 * ```
 */
export class Out {
  /** The buffer (replaced when it grows). */
  b: Uint8Array;
  /** The write position: bytes [0, p) are written. */
  p = 0;
  /** @param capacity Initial size in bytes. */
  constructor(capacity = 1 << 16) {
    this.b = new Uint8Array(capacity);
  }
  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.p + n <= this.b.length) return;
    let size = this.b.length * 2;
    while (size < this.p + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.b.subarray(0, this.p));
    this.b = next;
  }
  /** A string of ASCII characters, one byte each. */
  ascii(s: string): void {
    this.ensure(s.length);
    const b = this.b;
    let p = this.p;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.p = p;
  }
  /** Raw bytes. */
  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.b.set(src, this.p);
    this.p += src.length;
  }
  /** Any string as UTF-8. */
  utf8(s: string): void {
    this.ensure(s.length * 3);
    this.p += TEXT_ENCODER.encodeInto(s, this.b.subarray(this.p)).written;
  }
  /** A number exactly as `String(v)` writes it (digits without strings for integers up to 2^53). */
  num(v: number): void {
    if (v === Math.floor(v) && v <= 9007199254740992 && v >= -9007199254740992) {
      this.ensure(20);
      this.p = writeInt(this.b, this.p, v);
    } else this.ascii(String(v));
  }
}

/**
 * Decimal digits of a non-negative integer below 2^53.
 *
 * @example
 * ```ts
 * digitCount(1000); // 4
 * ```
 */
export function digitCount(v: number): number {
  let d = 1;
  while (v >= 10) {
    v = Math.floor(v / 10);
    d++;
  }
  return d;
}

/**
 * Writes an integer |v| <= 2^53 as ASCII digits; returns the new position.
 *
 * @example
 * ```ts
 * const b = new Uint8Array(8);
 * writeInt(b, 0, -42); // 3 (b starts with "-42")
 * ```
 */
export function writeInt(b: Uint8Array, p: number, v: number): number {
  if (v < 0) {
    b[p++] = 45;
    v = -v;
  }
  if (v < 10) {
    b[p] = 48 + v;
    return p + 1;
  }
  const end = p + digitCount(v);
  let e = end;
  if (v < 2147483648) {
    while (v >= 10) {
      const q = (v / 10) | 0;
      b[--e] = 48 + (v - q * 10);
      v = q;
    }
  } else {
    while (v >= 10) {
      const q = Math.floor(v / 10);
      b[--e] = 48 + (v - q * 10);
      v = q;
    }
  }
  b[--e] = 48 + v;
  return end;
}

/**
 * Writes `$<len>\r\n<body()>\r\n`, guessing the header width (`guessDigits` digits of the length) and shifting
 * the body when the guess was wrong.
 *
 * @example
 * ```ts
 * bulk(out, 3, () => out.utf8("héllo")); // "$6\r\nhéllo\r\n"
 * ```
 */
export function bulk(o: Out, guessDigits: number, body: () => void): void {
  const start = o.p;
  const guess = guessDigits + 3;
  o.ensure(guess);
  o.p = start + guess;
  body();
  const len = o.p - start - guess;
  const head = digitCount(len) + 3;
  if (head !== guess) {
    o.ensure(head - guess);
    o.b.copyWithin(start + head, start + guess, o.p);
    o.p = start + head + len;
  }
  o.ensure(2);
  const b = o.b;
  b[start] = 36; // $
  writeInt(b, start + 1, len);
  b[start + head - 2] = 13;
  b[start + head - 1] = 10;
  b[o.p++] = 13;
  b[o.p++] = 10;
}
