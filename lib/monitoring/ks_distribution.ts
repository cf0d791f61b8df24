/**
 * The distributions behind scipy's two-sample Kolmogorov-Smirnov p-value, ported from scipy (1.10 to 1.17 agree):
 *
 * - exact: the probability that a lattice path leaves the band |x/m - y/n| < d (`_compute_prob_outside_square`
 *   for equal sizes, Hodges' inside method with Viehmann's recursion otherwise);
 * - asymptotic: `kstwo.sf(d, round(m n / (m + n)))`, the one-sample two-sided distribution, computed as in
 *   scipy's `_kolmogn` (Simard & L'Ecuyer's choice among Ruben-Gambino, Durbin/Marsaglia-Tsang-Wang matrix,
 *   Pomeranz, Pelz-Good and the one-sided Smirnov sum).
 *
 * scipy keeps a few intermediate values in double-double; here they are doubles (the Smirnov sum in log space with
 * a scaled binomial), which keeps the results within about 1e-11 relative of scipy for n up to 10^6.
 *
 * @example
 * ```ts
 * import { ks2sampExact, kstwoSf } from "./ks_distribution.ts";
 * kstwoSf(1000, 0.05); // P(D_1000 >= 0.05)
 * ks2sampExact(8, 8, 0.375); // { d: 0.375, p: 0.66... }
 * ```
 * @module
 */
import { gcd, roundHalfEven } from "../numeric/special.ts";

const E128 = 128;
const EP128 = 2 ** 128;
const EM128 = 2 ** -128;
const SQRT2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const MIN_LOG = -708;
const SQRT3 = Math.sqrt(3);
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const CEPHES_MINLOG = -7.451332191019412076235e2;
const EPS = 2.220446049250313e-16;
const STIRLING = [
  -2.955065359477124183e-2,
  6.4102564102564102564e-3,
  -1.9175269175269175269e-3,
  8.4175084175084175084e-4,
  -5.952380952380952381e-4,
  7.9365079365079365079e-4,
  -2.7777777777777777778e-3,
  8.3333333333333333333e-2,
];

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

/** x * 2^e without overflow in the power of two. */
function ldexp(x: number, e: number): number {
  while (e > 1000) {
    x *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    x *= 2 ** -1000;
    e += 1000;
  }
  return x * 2 ** e;
}

/** log(n! / n^n) by Stirling's series. */
function logNFactorialDivNPowN(n: number): number {
  const rn = 1 / n;
  const x = rn / n;
  let p = 0;
  for (const c of STIRLING) p = p * x + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * p;
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k];
      if (aik === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j] += aik * b[k * m + j];
    }
  }
  return out;
}

/** Pr(D_n <= d) by the Durbin matrix algorithm (Marsaglia, Tsang, Wang). */
function kolmognDMTW(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  let H: Float64Array = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    v[j - 1] = 1 - h ** j;
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] *= fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)];
  }
  for (let r = 0; r < m; r++) H[r * m] = v[r];
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c];

  let Hpwr: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) Hpwr[i * m + i] = 1;
  let nn = n;
  let expnt = 0;
  let Hexpnt = 0;
  while (nn > 0) {
    if (nn % 2) {
      Hpwr = matmul(Hpwr, H, m);
      expnt += Hexpnt;
    }
    H = matmul(H, H, m);
    Hexpnt *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]) > EP128) {
      for (let i = 0; i < H.length; i++) H[i] /= EP128;
      Hexpnt += E128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = Hpwr[(k - 1) * m + (k - 1)];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      expnt -= E128;
    }
  }
  if (expnt !== 0) p = ldexp(p, expnt);
  return clip01(p);
}

function pomeranzJ1J2(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number, j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.floor((i + 1) / 2), ip1mod2 = (i + 1) % 2;
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Python slice a[start:end] of a typed array (negative indexes count from the end). */
function pySlice(a: Float64Array, start: number, end: number): Float64Array {
  const n = a.length;
  const s = start < 0 ? Math.max(n + start, 0) : Math.min(start, n);
  const e = end < 0 ? Math.max(n + end, 0) : Math.min(end, n);
  return a.subarray(s, Math.max(s, e));
}

function convolve(a: Float64Array, b: Float64Array): Float64Array {
  if (a.length === 0 || b.length === 0) return new Float64Array(0);
  const out = new Float64Array(a.length + b.length - 1);
  for (let i = 0; i < a.length; i++) {
    const ai = a[i];
    for (let j = 0; j < b.length; j++) out[i + j] += ai * b[j];
  }
  return out;
}

/** Pr(D_n <= x) by the Pomeranz recursion. */
function kolmognPomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = twogpower[0] = onem2gpower[0] = 1;
  let expnt = 0;
  const gOverN = g / n, twoGOverN = (2 * g) / n, oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1] * gOverN) / m;
    twogpower[m] = (twogpower[m - 1] * twoGOverN) / m;
    onem2gpower[m] = (onem2gpower[m - 1] * oneMinusTwoGOverN) / m;
  }
  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0, V1s = 0;
  let [j1, j2] = pomeranzJ1J2(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    [j1, j2] = pomeranzJ1J2(i, n, ll, ceilf, roundf);
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      const conv = convolve(pySlice(V0, k1 - V0s, k1 - V0s + ln2), pySlice(pwrs, 0, ln2));
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      V1.set(pySlice(conv, convStart, convStart + convLen).subarray(0, Math.max(convLen, 0)));
      let max = -Infinity;
      for (let q = 0; q < V1.length; q++) if (V1[q] > max) max = V1[q];
      if (max > 0 && max < EM128) {
        for (let q = 0; q < V1.length; q++) V1[q] *= EP128;
        expnt -= E128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let ans = V1[n - V1s];
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128;
      expnt += E128;
    }
    ans *= m;
  }
  if (expnt !== 0) ans = ldexp(ans, expnt);
  return clip01(ans);
}

/** Pelz-Good approximation of Pr(D_n <= x). */
function kolmognPelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const zsquared = z ** 2, zthree = z ** 3, zfour = z ** 4, zsix = z ** 6;
  const qlog = -PI2 / 8 / zsquared;
  if (qlog < MIN_LOG) return 0;
  let q = Math.exp(qlog);
  const k1a = -zsquared;
  const k1b = PI2 / 4;
  const k2a = 6 * zsix + 2 * zfour;
  const k2b = ((2 * zfour - 5 * zsquared) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * zsquared)) / 16;
  const k3d = (PI6 * (5 - 30 * zsquared)) / 64;
  const k3c = (PI4 * (-60 * zsquared + 212 * zfour)) / 16;
  const k3b = (PI2 * (135 * zfour - 96 * zsix)) / 4;
  const k3a = -30 * zsix - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const msquared = m ** 2, mfour = m ** 4, msix = m ** 6;
    const qpower = q ** (8 * k);
    const coeffs = [
      1,
      k1a + k1b * msquared,
      k2a + k2b * msquared + k2c * mfour,
      k3a + k3b * msquared + k3c * mfour + k3d * msix,
    ];
    for (let i = 0; i < 4; i++) K[i] = K[i] * qpower + coeffs[i];
  }
  const div = [z, 6 * zfour, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = ((K[i] * q) * SQRT2PI) / div[i];
  q = Math.exp(-PI2 / 2 / zsquared);
  const sqrt3z = SQRT3 * z;
  const ksq: number[] = [], qp: number[] = [], kpi: number[] = [];
  for (let k = maxk; k > 0; k--) {
    ksq.push(k ** 2);
    qp.push(q ** (k ** 2));
    kpi.push(Math.PI * k);
  }
  let k2extra = 0;
  for (let i = 0; i < ksq.length; i++) k2extra += ksq[i] * qp[i];
  k2extra *= (PI2 * SQRT2PI) / (-36 * zthree);
  K[2] += k2extra;
  let k3extra = 0;
  for (let i = 0; i < ksq.length; i++) k3extra += (sqrt3z + kpi[i]) * (sqrt3z - kpi[i]) * ksq[i] * qp[i];
  k3extra *= (PI2 * SQRT2PI) / (216 * zsix);
  K[3] += k3extra;
  for (let i = 0; i < 4; i++) K[i] /= Math.pow(n, i / 2);
  return K[0] + K[1] + K[2] + K[3];
}

/** floor(n x) and the fractional part, with n x formed exactly (Dekker's product). */
function modNX(n: number, x: number): { floor: number; alpha: number; nx: number } {
  const p = n * x;
  const split = (v: number) => {
    const c = 134217729 * v;
    const hi = c - (c - v);
    return [hi, v - hi];
  };
  const [nh, nl] = split(n);
  const [xh, xl] = split(x);
  const err = ((nh * xh - p) + nh * xl + nl * xh) + nl * xl;
  let fl = Math.floor(p);
  let alpha = (p - fl) + err;
  if (alpha < 0) {
    fl -= 1;
    alpha += 1;
  }
  if (alpha >= 1) {
    fl += 1;
    alpha = 0;
  }
  return { floor: fl, alpha, nx: p };
}

/**
 * The one-sided Smirnov survival function P(D_n^+ >= x) (scipy's `special.smirnov`): the Birnbaum-Tingey sum for
 * n <= 10^6, scipy's exponential approximation above.
 *
 * @example
 * ```ts
 * import { smirnovSf } from "./ks_distribution.ts";
 * smirnovSf(100, 0.1); // ~0.13
 * ```
 */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const { floor: nxfl, alpha, nx } = modNX(n, x);
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxfl;
  if (alpha === 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    const t = Math.exp((n - 1) * Math.log1p(x));
    return clip01(1 - x * t);
  }
  if (-2 * n * x * x < CEPHES_MINLOG) return 0;
  if (nxfl >= n - 1) return clip01(Math.exp(n * Math.log1p(-x)));
  if (n > 1000000) {
    const logp = -Math.pow(6.0 * n * x + 1, 2) / 18.0 / n;
    return clip01(logp < -Math.LN2 ? Math.exp(logp) : 1 - -Math.expm1(logp));
  }
  const nUpperTerms = n - n1mxceil + 1;
  const useUpper = (nUpperTerms <= 1 && x < 0.5) || (n >= 10 && nUpperTerms <= 3 && x <= 0.5 / Math.sqrt(n));
  // A_v = C(n, v) (1 - x - v/n)^(n - v) (x + v/n)^(v - 1); the answer is x * sum(A_v)
  const start = useUpper ? n : 0;
  const step = useUpper ? -1 : 1;
  const nTerms = useUpper ? n - n1mxceil + 1 : n1mxfl + 1;
  const vmid = Math.floor(n / 2);
  // running sum as sign-aware scaled value: total = sum * exp(scale)
  let sum = 0;
  let scale = -Infinity;
  const add = (logAbs: number, sign: number) => {
    if (logAbs === -Infinity) return;
    if (logAbs > scale) {
      sum = sum * Math.exp(scale - logAbs) + sign;
      scale = logAbs;
    } else sum += sign * Math.exp(logAbs - scale);
  };
  // first term
  if (useUpper) add((n - 1) * Math.log1p(x), 1);
  else add(n * Math.log1p(-x) - Math.log(x), 1);
  // binomial C(n, v) as mantissa * 2^exponent
  let cMan = 1;
  let cExp = 0;
  const updateBinomial = (j: number) => {
    cMan *= (n - j) / (j + 1);
    const e = Math.floor(Math.log2(Math.abs(cMan)));
    if (e > 50 || e < -50) {
      cMan *= 2 ** -e;
      cExp += e;
    }
  };
  updateBinomial(0);
  for (let j = 1; j < nTerms; j++) {
    const v = start + j * step;
    const t2x = (n - v) / n - x;
    const t1x = v / n + x;
    const logC = Math.log(cMan) + cExp * Math.LN2;
    const logT2 = n - v === 0 ? 0 : (n - v) * Math.log(Math.abs(t2x));
    const logT1 = v - 1 === 0 ? 0 : (v - 1) * Math.log(Math.abs(t1x));
    const sign = (t2x < 0 && (n - v) % 2 === 1 ? -1 : 1) * (t1x < 0 && (v - 1) % 2 === 1 ? -1 : 1);
    const logA = logC + logT2 + logT1;
    const underflow = !(logA > -745.13);
    if (!underflow && Number.isFinite(logA)) add(logA, sign);
    if (!underflow) {
      const logSum = scale + Math.log(Math.abs(sum));
      if (Math.log(4 * (nTerms - j)) + logA < Math.log(EPS) + logSum && j !== nTerms - 1) break;
    } else if (j > vmid) break;
    updateBinomial(j);
  }
  const prob = x * sum * Math.exp(scale);
  void nx;
  return clip01(step < 0 ? 1 - prob : prob);
}

/**
 * Survival function of the two-sided one-sample Kolmogorov-Smirnov statistic, P(D_n >= x) (scipy's
 * `stats.kstwo.sf(x, n)`).
 *
 * @example
 * ```ts
 * import { kstwoSf } from "./ks_distribution.ts";
 * kstwoSf(100, 0.12); // ~0.1
 * ```
 */
export function kstwoSf(n: number, x: number): number {
  if (Number.isNaN(n) || !Number.isInteger(n) || n <= 0) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    return clip01(1 - prob);
  }
  if (t >= n - 1) return clip01(2 * (1 - x) ** n);
  if (x >= 0.5) return clip01(2 * smirnovSf(n, x));
  const nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693) return clip01(1 - kolmognDMTW(n, x));
    if (nxsquared <= 4) return clip01(1 - kolmognPomeranz(n, x));
    return clip01(2 * smirnovSf(n, x));
  }
  if (nxsquared >= 370) return 0;
  if (nxsquared >= 2.2) return clip01(2 * smirnovSf(n, x));
  let cdf: number;
  if (nxsquared >= 18) cdf = 1;
  else if (n <= 100000 && n * x ** 1.5 <= 1.4) cdf = kolmognDMTW(n, x);
  else cdf = kolmognPelzGood(n, x);
  return clip01(1 - cdf);
}

/** Pr(D_{n,n} >= h/n) for two samples of equal size n. */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
}

/** Share of lattice paths from (0,0) to (m,n) that leave the band |x/m - y/n| < h/lcm(m,n). */
function outerProbInsideMethod(m: number, n: number, g: number, h: number): number {
  if (m < n) [m, n] = [n, m];
  const mg = Math.floor(m / g);
  const ng = Math.floor(n / g);
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj, lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1];
}

/**
 * scipy's exact two-sided two-sample KS p-value (`_attempt_exact_2kssamp`): `d` is snapped to the lattice
 * (h / lcm); null when the computation fails (scipy then falls back to the asymptotic distribution).
 *
 * @example
 * ```ts
 * import { ks2sampExact } from "./ks_distribution.ts";
 * ks2sampExact(3, 4, 1); // { d: 1, p: 0.0571... }
 * ```
 */
export function ks2sampExact(n1: number, n2: number, d: number): { d: number; p: number } | null {
  const g = gcd(n1, n2);
  const lcm = Math.floor(n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const dd = h / lcm;
  if (h === 0) return { d: dd, p: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInsideMethod(n1, n2, g, h);
  if (!Number.isFinite(p) || p < 0 || p > 1) return null;
  return { d: dd, p };
}
