/**
 * Python's `repr`/`str` of the values KATO hashes and stringifies: strings, lists of strings,
 * floats and JSON scalars. Pattern names and metadata values depend on these byte for byte.
 */

// Python's str.isprintable() is false for these categories (the space U+0020 is the exception).
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
// Fast check: strings made only of printable ASCII other than quote and backslash need no escaping.
const PLAIN_ASCII = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;

function hex(codePoint: number, width: number): string {
  return codePoint.toString(16).padStart(width, '0');
}

/** Python `repr(s)` for a str. */
export function pyStrRepr(s: string): string {
  if (PLAIN_ASCII.test(s)) return `'${s}'`;
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp < 0x7f) out += ch;
    else if (cp === 0x20 || !NON_PRINTABLE.test(ch)) out += ch;
    else if (cp <= 0xff) out += '\\x' + hex(cp, 2);
    else if (cp <= 0xffff) out += '\\u' + hex(cp, 4);
    else out += '\\U' + hex(cp, 8);
  }
  return out + quote;
}

/** Python `repr` of a list of events (list of lists of str): the text a pattern name hashes. */
export function pyEventsRepr(events: readonly (readonly string[])[]): string {
  let out = '[';
  for (let e = 0; e < events.length; e++) {
    if (e > 0) out += ', ';
    const event = events[e];
    out += '[';
    for (let i = 0; i < event.length; i++) {
      if (i > 0) out += ', ';
      out += pyStrRepr(event[i]);
    }
    out += ']';
  }
  return out + ']';
}

/**
 * Python `repr(float)`: the shortest text that round-trips, with an exponent when the decimal
 * exponent is below -4 or at least 16, and always a fraction or exponent (`1.0`, `1e-05`).
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() without an argument gives the shortest round-tripping digits.
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : `${Math.abs(exp)}`;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/**
 * A JSON number as it arrived on the wire, keeping Python's int/float distinction: `1` is an int,
 * `1.0` and `1e3` are floats. Parsers that keep number text (lossless JSON) produce these.
 */
export interface PyNumberText {
  readonly pyNumber: string;
}

/** True when a JSON number's source text denotes a Python float rather than an int. */
export function isFloatText(text: string): boolean {
  return /[.eE]/.test(text);
}

/**
 * Python `str(value)` of a JSON-decoded value, as KATO stringifies metadata values:
 * `True`/`False`/`None`, ints as digits, floats in repr form, strings unchanged, lists and
 * dicts as their Python repr. Numbers given as `PyNumberText` keep their int/float kind.
 */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  return pyValueRepr(value);
}

/** Python `repr` of a JSON-decoded value (strings quoted). */
export function pyValueRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pyStrRepr(value);
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 1e16 ? String(value) : pyFloatRepr(value);
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return '[' + value.map(pyValueRepr).join(', ') + ']';
  if (typeof value === 'object' && 'pyNumber' in (value as object)) {
    const text = (value as PyNumberText).pyNumber;
    if (!isFloatText(text)) return BigInt(text).toString();
    return pyFloatRepr(Number(text));
  }
  const entries = Object.entries(value as Record<string, unknown>);
  return '{' + entries.map(([k, v]) => `${pyStrRepr(k)}: ${pyValueRepr(v)}`).join(', ') + '}';
}
