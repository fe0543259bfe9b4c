/**
 * JSON values as Python decodes them: a number written with a fraction or exponent (`1.0`, `1e3`)
 * is a float even when integral, so metadata stringifies as Python's `str()` would.
 */
import { pyFloatRepr, pyStrRepr } from '../pyrepr.js';

/** A JSON number written as a float; `value` is its double, `text` the text it arrived as. */
export class JsonFloat {
  readonly value: number;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
    this.value = Number(text);
  }
}

/** True for a JsonFloat. */
export function isJsonFloat(value: unknown): value is JsonFloat {
  return value instanceof JsonFloat;
}

/**
 * A decoded JSON value: ints are safe-integer numbers or bigints, floats are non-integral numbers
 * or JsonFloat, plus strings, booleans, null, arrays and plain objects.
 */
export type JsonValue = null | boolean | number | bigint | string | JsonFloat | JsonValue[] | { [key: string]: JsonValue };

/** Python `repr` of a decoded JSON value (strings quoted, dicts and lists as Python prints them). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pyStrRepr(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pyFloatRepr(value);
  if (value instanceof JsonFloat) return pyFloatRepr(value.value);
  if (Array.isArray(value)) return '[' + value.map(pyRepr).join(', ') + ']';
  const entries = Object.entries(value as Record<string, unknown>);
  return '{' + entries.map(([k, v]) => `${pyStrRepr(k)}: ${pyRepr(v)}`).join(', ') + '}';
}

/** Python `str()` of a decoded JSON value, as KATO stringifies metadata values. */
export function pyStrOf(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}
