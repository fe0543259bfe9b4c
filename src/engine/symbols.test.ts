import { describe, expect, it } from 'vitest';
import { compareCodePoints, sortByCodePoint } from './symbols.js';

describe('sortByCodePoint', () => {
  it('orders astral symbols above U+E000..U+FFFF, as code points do', () => {
    const symbols = ['\uE000z', '𝔸x', 'a', 'ab', '\uFFFF', 'Zed', 'é', '', '𝔸'];
    expect(sortByCodePoint([...symbols])).toEqual(['', 'Zed', 'a', 'ab', 'é', '\uE000z', '\uFFFF', '𝔸', '𝔸x']);
    expect(sortByCodePoint([...symbols])).toEqual([...symbols].sort(compareCodePoints));
  });

  it('agrees with compareCodePoints on BMP text', () => {
    const symbols = ['tok10', 'tok1', 'Ω', 'w', 'W', 'tok2', 'a b', 'a', 'PTRN|ff', 'PTRN|0a'];
    expect(sortByCodePoint([...symbols])).toEqual([...symbols].sort(compareCodePoints));
  });
});
