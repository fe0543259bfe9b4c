import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bareName, chunkEvents, isBareName, patternName, prefixedName } from './names.js';
import { pyEventsRepr, pyFloatRepr, pyStr, pyStrRepr } from './pyrepr.js';
import { compareCodePoints, sortSymbols } from './symbols.js';

describe('patternName', () => {
  it.each([
    [[['a'], ['b']], '76d7efca2e96cb5eeddf4e06ac96a0f424630135'],
    [[['a', 'b'], ['c']], 'e9e43f2309079f2843665ab773996d99489306d6'],
    [[['hello'], ['world'], ['test']], '386fbb12926e8e015a1483990df913e8410f94ce'],
    [[["it's"], ['x']], '271339250f33fe945c5a24f7deb31f02ce16ddb5'],
    [[['é'], ['\u00a0']], '4439af730e32985c3cca3294d1072771cb6f84c6'],
    [[['a'], ['b'], ['c']], 'b98534b32c1d7489d4ce1a48724aa65aeecbdba9'],
    [[['a', 'x'], ['b'], ['d']], 'f52cd7a84f5315cebdcbe47e20fc9987cd257c71'],
  ])('hashes %j like KATO', (events, expected) => {
    expect(patternName(events)).toBe(expected);
  });

  it('depends on event boundaries and order', () => {
    expect(patternName([['a', 'b']])).not.toBe(patternName([['a'], ['b']]));
    expect(patternName([['b'], ['a']])).not.toBe(patternName([['a'], ['b']]));
  });

  it('converts between bare and prefixed names', () => {
    const name = patternName([['a'], ['b']]);
    expect(prefixedName(name)).toBe(`PTRN|${name}`);
    expect(prefixedName(prefixedName(name))).toBe(`PTRN|${name}`);
    expect(bareName(`PTRN|${name}`)).toBe(name);
    expect(bareName(name)).toBe(name);
    expect(isBareName(name)).toBe(true);
    expect(isBareName(`PTRN|${name}`)).toBe(false);
    expect(chunkEvents(['x', 'y'])).toEqual([['x'], ['y']]);
  });
});

describe('pyStrRepr', () => {
  it.each([
    ['a', "'a'"],
    ['', "''"],
    ["it's", `"it's"`],
    [`a'b"c`, `'a\\'b"c'`],
    ['say "hi"', `'say "hi"'`],
    ['back\\slash', "'back\\\\slash'"],
    ['tab\tnl\ncr\r', "'tab\\tnl\\ncr\\r'"],
    ['\x00\x1f\x7f', "'\\x00\\x1f\\x7f'"],
    ['\u0085', "'\\x85'"],
    ['\u00a0', "'\\xa0'"],
    ['\u00ad', "'\\xad'"],
    ['\u2028', "'\\u2028'"],
    ['\u200b', "'\\u200b'"],
    ['\ue000', "'\\ue000'"],
    ['\u{10ffff}', "'\\U0010ffff'"],
    ['\u{e0001}', "'\\U000e0001'"],
    ['ĠworldĊ', "'ĠworldĊ'"],
    ['😀', "'😀'"],
    ['日本', "'日本'"],
    ['\ud800', "'\\ud800'"],
  ])('repr(%j) is %s', (input, expected) => {
    expect(pyStrRepr(input)).toBe(expected);
  });

  it('quotes so that the text reads back as the same string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const r = pyStrRepr(s);
        const quote = r[0];
        expect(quote === "'" || quote === '"').toBe(true);
        expect(r[r.length - 1]).toBe(quote);
        // Double quotes only when the string has a single quote and no double quote.
        expect(quote === '"').toBe(s.includes("'") && !s.includes('"'));
        // No raw control characters survive.
        expect(/[\x00-\x1f\x7f]/.test(r)).toBe(false);
      }),
    );
  });

  it('is the identity inside quotes for plain printable ASCII (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zA-Z0-9 .,;:!?()#$%&*+=<>@^_`{|}~-]*$/), (s) => {
        expect(pyStrRepr(s)).toBe(`'${s}'`);
      }),
    );
  });

  it('writes a list of events like Python', () => {
    expect(pyEventsRepr([['a', 'b'], ['c']])).toBe("[['a', 'b'], ['c']]");
    expect(pyEventsRepr([])).toBe('[]');
    expect(pyEventsRepr([[]])).toBe('[[]]');
  });
});

describe('pyFloatRepr', () => {
  it.each([
    [1, '1.0'],
    [0, '0.0'],
    [-0, '-0.0'],
    [0.1, '0.1'],
    [45.67, '45.67'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [0.00012345, '0.00012345'],
    [1e16, '1e+16'],
    [1234567890123456, '1234567890123456.0'],
    [123456789.0, '123456789.0'],
    [1.5e300, '1.5e+300'],
    [-2.5, '-2.5'],
    [0.6666666666666666, '0.6666666666666666'],
    [5e-324, '5e-324'],
    [1e22, '1e+22'],
    [Infinity, 'inf'],
  ])('repr(%s) is %s', (x, expected) => {
    expect(pyFloatRepr(x)).toBe(expected);
  });

  it('round-trips every finite double (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(Number(pyFloatRepr(x))).toBe(x);
      }),
    );
  });
});

describe('pyStr', () => {
  it('stringifies metadata values like Python str()', () => {
    expect(pyStr(123)).toBe('123');
    expect(pyStr(45.67)).toBe('45.67');
    expect(pyStr(true)).toBe('True');
    expect(pyStr(false)).toBe('False');
    expect(pyStr(null)).toBe('None');
    expect(pyStr('test')).toBe('test');
    expect(pyStr([1, 'a'])).toBe("[1, 'a']");
    expect(pyStr({ k: 'v', n: [true] })).toBe("{'k': 'v', 'n': [True]}");
    expect(pyStr({ pyNumber: '1.0' })).toBe('1.0');
    expect(pyStr({ pyNumber: '1e-5' })).toBe('1e-05');
    expect(pyStr({ pyNumber: '12345678901234567890' })).toBe('12345678901234567890');
  });
});

describe('code point order', () => {
  it('sorts like Python', () => {
    expect(sortSymbols(['Zoo', 'Apple', 'apple'])).toEqual(['Apple', 'Zoo', 'apple']);
    expect(sortSymbols(['10', '2', '1', '20', '100', '3'])).toEqual(['1', '10', '100', '2', '20', '3']);
    expect(sortSymbols(['z', '', 'a', 'middle'])).toEqual(['', 'a', 'middle', 'z']);
    expect(sortSymbols(['école', 'zebra', 'åpple', 'ñoño', 'normal'])).toEqual(['normal', 'zebra', 'åpple', 'école', 'ñoño']);
  });

  it('puts astral characters after U+E000..U+FFFF, unlike UTF-16 order', () => {
    expect(sortSymbols(['😀', '\uffee'])).toEqual(['\uffee', '😀']);
    expect(['😀', '\uffee'].sort()).toEqual(['😀', '\uffee']);
  });

  it('agrees with comparing arrays of code points (property)', () => {
    const byCodePoints = (a: string, b: string) => {
      const x = [...a].map((c) => c.codePointAt(0)!);
      const y = [...b].map((c) => c.codePointAt(0)!);
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
      return x.length - y.length;
    };
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(byCodePoints(a, b)));
      }),
    );
  });
});
