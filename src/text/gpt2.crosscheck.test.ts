import { describe, expect, it } from 'vitest';
import { Tiktoken } from 'js-tiktoken/lite';
import r50k from 'js-tiktoken/ranks/r50k_base';
import { brownSource } from '../datasets/brown.js';
import { detokenize, tokenIds, tokenize } from './gpt2.js';

describe('GPT-2 tokenizer on the whole bundled corpus', () => {
  it('agrees with js-tiktoken on every Brown document and round-trips each one', async () => {
    const reference = new Tiktoken(r50k);
    let documents = 0;
    let tokens = 0;
    for await (const record of brownSource().open()) {
      const ids = tokenIds(record.text);
      expect(ids, record.id).toEqual(reference.encode(record.text, [], []));
      expect(detokenize(tokenize(record.text)), record.id).toBe(record.text);
      documents++;
      tokens += ids.length;
    }
    expect(documents).toBe(500);
    // The corpus is fixed, so its token count is too.
    expect(tokens).toBe(1_303_450);
  });
});
