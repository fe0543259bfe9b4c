import { describe, expect, it } from 'vitest';
import { JsonFloat } from '../engine/processor/json-value.js';
import { decodeJsonValue, parseJsonText, pyJson, rawJson, toJsonValue } from './json.js';

describe('pyJson', () => {
  it('spells float-typed fields as Python does and keeps integers integral', () => {
    const text = pyJson({
      bayesian_posterior: 1,
      bayesian_prior: 1,
      similarity: 0,
      frequency: 2,
      time: 3,
      count: 1,
      tiny: 1e-7,
      emotives: { joy: 1 },
      future_potentials: [{ aggregate_potential: 1, supporting_patterns: 1 }],
    });
    expect(text).toBe(
      '{"bayesian_posterior":1.0,"bayesian_prior":1.0,"similarity":0.0,"frequency":2,"time":3,"count":1,"tiny":1e-07,' +
        '"emotives":{"joy":1.0},"future_potentials":[{"aggregate_potential":1.0,"supporting_patterns":1}]}',
    );
  });

  it('keeps the integer fragmentation of single-symbol predictions', () => {
    expect(pyJson([{ pattern_data: [['a']], fragmentation: 0, snr: 1 }, { sequence: [['a']], fragmentation: 0 }])).toBe(
      '[{"pattern_data":[["a"]],"fragmentation":0,"snr":1.0},{"sequence":[["a"]],"fragmentation":0.0}]',
    );
  });

  it('prints user metadata exactly as it arrived', () => {
    expect(pyJson({ metadata: { value: 1, similarity: 2, f: new JsonFloat('1.0'), big: 12345678901234567890n } })).toBe(
      '{"metadata":{"value":1,"similarity":2,"f":1.0,"big":12345678901234567890}}',
    );
  });

  it('writes compact UTF-8, null for non-finite numbers and skips undefined', () => {
    expect(pyJson({ s: 'é ✓ \u{1F600}', n: NaN, u: undefined, list: [1, null] })).toBe('{"s":"é ✓ \u{1F600}","n":null,"list":[1,null]}');
  });
});

describe('lossless JSON values', () => {
  it('keeps int and float kinds and round-trips them', () => {
    const value = toJsonValue(parseJsonText('{"a": 1, "b": 1.0, "c": 1e3, "d": 123456789012345678901, "e": [0.5]}'));
    expect(value).toEqual({ a: 1, b: new JsonFloat('1.0'), c: new JsonFloat('1e3'), d: 123456789012345678901n, e: [new JsonFloat('0.5')] });
    expect(rawJson(value)).toBe('{"a":1,"b":1.0,"c":1000.0,"d":123456789012345678901,"e":[0.5]}');
    expect(rawJson(decodeJsonValue(rawJson(value)))).toBe(rawJson(value));
  });

  it('refuses numbers that overflow a double', () => {
    expect(toJsonValue(parseJsonText('[1e400]'))).toBeUndefined();
  });

  it('keeps __proto__ as an ordinary key', () => {
    const value = toJsonValue(parseJsonText('{"__proto__": {"x": 1}}')) as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
