import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../errors.js';
import type { RunRecord } from '../store/types.js';
import { RunConfigError, runShape } from './shape.js';

const record = (config: Record<string, unknown>): RunRecord => ({
  run: 'r',
  configHash: 'h',
  config,
  createdAt: '',
  updatedAt: '',
  watermark: null,
  docs: 1,
  tokens: 10,
});

describe('runShape', () => {
  it("reads the levels, chunk sizes and normaliser of the run's config", () => {
    expect(runShape('r', record({ levels: 2, chunks: [8, 4], normalizer: { name: 'wikitext', version: '1' } }), [])).toEqual({
      levels: 2,
      chunks: [8, 4],
      normalizer: 'wikitext',
    });
  });

  it('names the known runs when the run does not exist', () => {
    expect(() => runShape('nope', null, ['a', 'b'])).toThrow(NotFoundError);
    expect(() => runShape('nope', null, ['a', 'b'])).toThrow("no run 'nope' in this knowledge base (known runs: a, b)");
    expect(() => runShape('nope', null, [])).toThrow(/has no runs: train one with kato train/);
  });

  it('rejects a config without usable levels, chunks or normaliser', () => {
    expect(() => runShape('r', record({ chunks: [8], normalizer: { name: 'none' } }), [])).toThrow(RunConfigError);
    expect(() => runShape('r', record({ levels: 2, chunks: [8], normalizer: { name: 'none' } }), [])).toThrow(/chunk size \(2 or more\) for each of its 2 levels/);
    expect(() => runShape('r', record({ levels: 1, chunks: [1], normalizer: { name: 'none' } }), [])).toThrow(RunConfigError);
    expect(() => runShape('r', record({ levels: 1, chunks: [8] }), [])).toThrow(/no normaliser name/);
  });
});
