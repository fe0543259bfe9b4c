/**
 * NumPy 2.x `str()` of a 1-D float64 array (default print options), byte for byte: vector
 * symbol names hash this text, so two implementations agree on `VCTR|…` names only if it matches.
 */

// NumPy's default print options (`np.get_printoptions()`): precision 8, floatmode 'maxprec',
// suppress False, sign '-', linewidth 75, threshold 1000, edgeitems 3.
const PRECISION = 8;
const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;

/** A finite double's exact value as the integer `digits` times 10^-`scale` (sign aside). */
interface ExactDecimal {
  negative: boolean;
  digits: bigint;
  scale: number;
}

function exactDecimal(x: number): ExactDecimal {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const negative = hi >>> 31 === 1;
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exponent: number;
  if (biased === 0) {
    exponent = -1074;
  } else {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  if (exponent >= 0) return { negative, digits: mantissa << BigInt(exponent), scale: 0 };
  // m·2^-k = m·5^k·10^-k: every binary fraction has a finite decimal expansion.
  return { negative, digits: mantissa * 5n ** BigInt(-exponent), scale: -exponent };
}

/** Integer division rounding half to even (NumPy's Dragon4 rounds cut-off digits unbiased). */
function divRoundHalfEven(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r2 = (n % d) * 2n;
  if (r2 > d || (r2 === d && q % 2n === 1n)) return q + 1n;
  return q;
}

/** Decimal digits (no leading zeros, "0" for zero) and the power of ten of the first digit. */
interface Digits {
  digits: string;
  exponent: number;
}

/** The shortest digits that round-trip to x (JavaScript and Dragon4 unique mode agree). */
function shortestDigits(x: number): Digits {
  if (x === 0) return { digits: '0', exponent: 0 };
  const [mantissa, exp] = Math.abs(x).toExponential().split('e');
  return { digits: mantissa.replace('.', ''), exponent: Number(exp) };
}

/** Digits of |x| rounded to `fraction` digits after the decimal point (exact value, half even). */
function roundedPositional(x: number, fraction: number): Digits {
  const { digits, scale } = exactDecimal(x);
  const q = scale <= fraction ? digits * 10n ** BigInt(fraction - scale) : divRoundHalfEven(digits, 10n ** BigInt(scale - fraction));
  if (q === 0n) return { digits: '0', exponent: 0 };
  const text = q.toString();
  return { digits: text.replace(/0+$/, '') || '0', exponent: text.length - 1 - fraction };
}

/** Digits of |x| rounded to `significant` digits (exact value, half even). */
function roundedScientific(x: number, significant: number): Digits {
  const { digits, scale } = exactDecimal(x);
  if (digits === 0n) return { digits: '0', exponent: 0 };
  const text = digits.toString();
  let exponent = text.length - 1 - scale;
  if (text.length <= significant) return { digits: text.replace(/0+$/, ''), exponent };
  let q = divRoundHalfEven(digits, 10n ** BigInt(text.length - significant));
  if (q.toString().length > significant) {
    q /= 10n;
    exponent += 1;
  }
  return { digits: q.toString().replace(/0+$/, '') || '0', exponent };
}

/** Dragon4 unique digits with a cut-off of `fraction` digits after the point. */
function positionalDigits(x: number, fraction: number): Digits {
  const shortest = shortestDigits(x);
  const needed = Math.max(0, shortest.digits.length - 1 - shortest.exponent);
  return needed <= fraction ? shortest : roundedPositional(x, fraction);
}

/** Dragon4 unique digits with a cut-off of `fraction` mantissa digits after the point. */
function scientificDigits(x: number, fraction: number): Digits {
  const shortest = shortestDigits(x);
  return shortest.digits.length - 1 <= fraction ? shortest : roundedScientific(x, fraction + 1);
}

function signOf(x: number): string {
  return x < 0 || Object.is(x, -0) ? '-' : '';
}

/** `dragon4_positional(x, precision, unique, trim='.')` split into integer and fraction parts. */
function positionalParts(x: number, precision: number): [string, string] {
  const { digits, exponent } = positionalDigits(x, precision);
  let intPart: string;
  let fracPart: string;
  if (exponent < 0) {
    intPart = '0';
    fracPart = '0'.repeat(-exponent - 1) + digits;
  } else if (digits.length <= exponent + 1) {
    intPart = digits + '0'.repeat(exponent + 1 - digits.length);
    fracPart = '';
  } else {
    intPart = digits.slice(0, exponent + 1);
    fracPart = digits.slice(exponent + 1);
  }
  if (digits === '0') {
    intPart = '0';
    fracPart = '';
  }
  return [signOf(x) + intPart, fracPart.replace(/0+$/, '')];
}

/** `dragon4_scientific(x, precision, unique)` parts: integer digit, fraction digits, exponent. */
function scientificParts(x: number, precision: number): [string, string, number] {
  const { digits, exponent } = scientificDigits(x, precision);
  return [signOf(x) + digits[0], digits.slice(1).replace(/0+$/, ''), digits === '0' ? 0 : exponent];
}

function exponentText(exponent: number, minDigits: number): string {
  return (exponent < 0 ? '-' : '+') + String(Math.abs(exponent)).padStart(minDigits, '0');
}

/** The element formatter NumPy's FloatingFormat builds from the values it will print. */
function floatFormatter(values: readonly number[]): (x: number) => string {
  const nonZero = values.filter((v) => v !== 0).map(Math.abs);
  let expFormat = false;
  if (nonZero.length > 0) {
    const max = Math.max(...nonZero);
    const min = Math.min(...nonZero);
    expFormat = max >= 1e8 || min < 0.0001 || max / min > 1000;
  }
  if (expFormat) {
    const parts = values.map((v) => scientificParts(v, PRECISION));
    const precision = Math.max(...parts.map(([, frac]) => frac.length));
    const padLeft = Math.max(...parts.map(([int]) => int.length));
    const expDigits = Math.max(...parts.map(([, , e]) => exponentText(e, 2).length)) - 1;
    return (x) => {
      const [int, frac, e] = scientificParts(x, precision);
      return `${int.padStart(padLeft)}.${frac.padEnd(precision, '0')}e${exponentText(e, expDigits)}`;
    };
  }
  const parts = values.map((v) => positionalParts(v, PRECISION));
  const padLeft = Math.max(...parts.map(([int]) => int.length));
  const padRight = Math.max(...parts.map(([, frac]) => frac.length));
  return (x) => {
    const [int, frac] = positionalParts(x, PRECISION);
    return `${int.padStart(padLeft)}.${frac.padEnd(padRight)}`;
  };
}

/** NumPy's `_extendLine`: wrap before `word` when the line would pass the width. */
function extendLine(state: { text: string; line: string }, word: string, width: number): void {
  const prefix = ' ';
  if (state.line.length + word.length > width && state.line.length > prefix.length) {
    state.text += state.line.trimEnd() + '\n';
    state.line = prefix;
  }
  state.line += word;
}

/**
 * `str(np.array(values, dtype=float64))` under NumPy 2.x defaults. Values must be finite
 * (callers reject NaN and infinities before naming a vector).
 */
export function numpyArrayStr(values: readonly number[]): string {
  if (values.length === 0) return '[]';
  const summarise = values.length > THRESHOLD;
  // Summarised arrays are formatted from their edge items only, as NumPy does.
  const shown = summarise ? [...values.slice(0, EDGE_ITEMS), ...values.slice(-EDGE_ITEMS)] : values;
  const format = floatFormatter(shown);
  const width = LINE_WIDTH - 1;
  const state = { text: '', line: ' ' };
  const words = shown.map(format);
  const leading = summarise ? words.slice(0, EDGE_ITEMS) : [];
  const trailing = summarise ? words.slice(EDGE_ITEMS) : words;
  for (const word of leading) {
    extendLine(state, word, width);
    state.line += ' ';
  }
  if (summarise) {
    extendLine(state, '...', width);
    state.line += ' ';
  }
  for (let i = 0; i < trailing.length; i++) {
    extendLine(state, trailing[i], width);
    if (i < trailing.length - 1) state.line += ' ';
  }
  state.text += state.line;
  return '[' + state.text.slice(1) + ']';
}
