import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tiktoken } from 'js-tiktoken/lite';
import r50k from 'js-tiktoken/ranks/r50k_base';
import { ValidationError } from '../errors.js';
import { BYTE_TO_CHAR, tokenStringToBytes } from './bytes.js';
import { GPT2_TOKENIZER, detokenize, tokenId, tokenIds, tokenString, tokenize } from './gpt2.js';

const tiktoken = new Tiktoken(r50k);
// An empty disallowed list makes js-tiktoken read `<|endoftext|>` as text too.
const referenceIds = (text: string): number[] => tiktoken.encode(text, [], []);

describe('GPT-2 token strings', () => {
  it('prints tokens the way the Hugging Face GPT-2 tokenizer does', () => {
    expect(tokenize('Hello world')).toEqual(['Hello', 'Ġworld']);
    expect(tokenize('one\ntwo')).toEqual(['one', 'Ċ', 'two']);
    expect(tokenize("It's a test.")).toEqual(['It', "'s", 'Ġa', 'Ġtest', '.']);
    expect(tokenize('  two spaces')).toEqual(['Ġ', 'Ġtwo', 'Ġspaces']);
    expect(tokenize('tab\there')).toEqual(['tab', 'ĉ', 'here']);
  });

  it('maps ids and token strings both ways', () => {
    expect(tokenString(995)).toBe('Ġworld');
    expect(tokenId('Ġworld')).toBe(995);
    expect(tokenString(50256)).toBe('<|endoftext|>');
    expect(tokenId('not-a-token-string')).toBeUndefined();
    expect(() => tokenString(50257)).toThrow(ValidationError);
  });

  it('uses the 256-character byte alphabet of GPT-2', () => {
    expect(new Set(BYTE_TO_CHAR).size).toBe(256);
    expect(BYTE_TO_CHAR[0x20]).toBe('Ġ');
    expect(BYTE_TO_CHAR[0x0a]).toBe('Ċ');
    expect(BYTE_TO_CHAR[0x41]).toBe('A');
    expect(Array.from(tokenStringToBytes('ĠðŁĺ'))).toEqual([0x20, 0xf0, 0x9f, 0x98]);
  });

  it('reads a literal <|endoftext|> in a document as plain text', () => {
    const tokens = tokenize('end<|endoftext|>start');
    expect(tokens).not.toContain('<|endoftext|>');
    expect(tokens.join('')).toBe('end<|endoftext|>start');
    expect(tokenIds('<|endoftext|>')).not.toContain(50256);
    expect(detokenize(tokens)).toBe('end<|endoftext|>start');
  });

  it('handles emoji and other non-BMP text byte by byte', () => {
    const text = 'emoji 😀👍🏽 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢, 中文, עברית';
    const tokens = tokenize(text);
    expect(tokenIds(text)).toEqual(referenceIds(text));
    expect(tokens).toContain('ĠðŁĺ');
    expect(detokenize(tokens)).toBe(text);
  });

  it('gives nothing for an empty document', () => {
    expect(tokenize('')).toEqual([]);
    expect(detokenize([])).toBe('');
  });

  it('keeps a leading byte-order mark in the round trip', () => {
    expect(detokenize(tokenize('\uFEFFtext'))).toBe('\uFEFFtext');
  });

  it('rejects text with an unpaired surrogate instead of silently replacing it', () => {
    expect(() => tokenize('bad \uD800 text')).toThrow(/unpaired surrogate U\+D800 at index 4/);
  });

  it('rejects a token string with a character outside the byte alphabet', () => {
    expect(() => detokenize(['Ġok', ' raw space'])).toThrow(ValidationError);
  });

  it('merges long runs without whitespace exactly as the reference encoder does', () => {
    const samples = [
      'a'.repeat(300),
      'x'.repeat(257) + ' tail',
      'head ' + 'ab'.repeat(400) + ' mid ' + '9'.repeat(600) + '!'.repeat(300),
      ' '.repeat(700) + 'word' + '\n'.repeat(300),
      '😀'.repeat(200),
      'supercalifragilistic'.repeat(40),
    ];
    for (const text of samples) {
      expect(tokenIds(text)).toEqual(referenceIds(text));
      expect(detokenize(tokenize(text))).toBe(text);
    }
  });

  it('matches the reference encoder on random long runs', () => {
    fc.assert(
      fc.property(
        // Each run stays in one character class, so it is one pre-token longer than 256 units.
        fc.oneof(
          fc.array(fc.constantFrom('a', 'b', 'e', 'th', 'ing', 'é', 'ß', 'Ω', '中'), { minLength: 260, maxLength: 700 }),
          fc.array(fc.constantFrom('1', '2', '90', '٣'), { minLength: 260, maxLength: 700 }),
          fc.array(fc.constantFrom('.', '!', '--', '😀', '#'), { minLength: 260, maxLength: 700 }),
          fc.array(fc.constantFrom(' ', '\n', '\t', ' \n'), { minLength: 260, maxLength: 700 }),
        ),
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.string({ unit: 'binary', maxLength: 60 }),
        (parts, before, after) => {
          const text = `${before}${parts.join('')}${after}`;
          expect(tokenIds(text)).toEqual(referenceIds(text));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('tokenizes a one-million-character run without whitespace', () => {
    const text = 'the'.repeat(333_334);
    const tokens = tokenize(text);
    expect(tokens.length).toBeGreaterThan(100_000);
    expect(detokenize(tokens)).toBe(text);
  });

  it('round-trips any well-formed text exactly', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        expect(detokenize(tokenize(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(detokenize(tokenize(text))).toBe(text);
        expect(tokenIds(text)).toEqual(referenceIds(text));
      }),
      { numRuns: 500 },
    );
  });

  it('describes itself for the run config', () => {
    expect(GPT2_TOKENIZER.name).toBe('gpt2');
    expect(GPT2_TOKENIZER.version).toMatch(/r50k_base/);
  });
});
