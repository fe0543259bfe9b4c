import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { normalize, normalizer, normalizerNames } from './normalize.js';

describe('normalisers', () => {
  it('lists named, versioned normalisers', () => {
    expect(normalizerNames()).toEqual(['none', 'wikitext']);
    expect(normalizer('wikitext')).toMatchObject({ name: 'wikitext', version: '1' });
    expect(() => normalizer('nope')).toThrow(ValidationError);
    expect(() => normalize('nope', 'x')).toThrow(/unknown normaliser 'nope'/);
  });

  it('leaves text alone under none', () => {
    const text = ' The game @-@ play , as such . \n';
    expect(normalize('none', text)).toBe(text);
  });

  it('undoes WikiText tokenisation', () => {
    expect(normalize('wikitext', ' = Valkyria Chronicles III = \n')).toBe('= Valkyria Chronicles III =\n');
    expect(normalize('wikitext', ' = = Gameplay = = \n')).toBe('== Gameplay ==\n');
    expect(
      normalize(
        'wikitext',
        ' The game , released in 2011 , sold 1 @,@ 000 copies at $ 3 @.@ 5 each ( a well @-@ known " cult " hit ) . It was n\'t , and they \'re players \' favourite ; ok ! \n',
      ),
    ).toBe(
      'The game, released in 2011, sold 1,000 copies at $ 3.5 each (a well-known "cult" hit). It wasn\'t, and they\'re players\' favourite; ok!\n',
    );
  });

  it('is a pure function: the same text always gives the same result', () => {
    const text = ' a , b " c " d @-@ e . \n';
    expect(normalize('wikitext', text)).toBe(normalize('wikitext', text));
    expect(normalize('wikitext', normalize('wikitext', text))).toBe(normalize('wikitext', text));
  });
});
