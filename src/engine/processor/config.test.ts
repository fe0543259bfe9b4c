import { describe, expect, it } from 'vitest';
import {
  applyConfigUpdate,
  applyCreationConfig,
  CONFIG_KEYS,
  DEFAULT_CONFIG,
  effectiveConfig,
  validateConfigUpdate,
} from './config.js';
import { JsonFloat } from './json-value.js';

describe('effectiveConfig (spec §4.4)', () => {
  it('lists the keys in KATO order with the defaults, omitting fuzzy threshold and affinity emotive', () => {
    const config = effectiveConfig({}, DEFAULT_CONFIG);
    expect(Object.keys(config)).toEqual(CONFIG_KEYS.filter((k) => k !== 'fuzzy_token_threshold' && k !== 'affinity_emotive'));
    expect(config).toMatchObject({ max_pattern_length: 0, persistence: 5, recall_threshold: 0.1, stm_mode: 'CLEAR', max_predictions: 100 });
  });

  it('shows session values over defaults, and the optional keys once set', () => {
    const config = effectiveConfig({ recall_threshold: 0.5, fuzzy_token_threshold: 0.85, affinity_emotive: 'joy' }, DEFAULT_CONFIG);
    expect(config.recall_threshold).toBe(0.5);
    expect(config.fuzzy_token_threshold).toBe(0.85);
    expect(config.affinity_emotive).toBe('joy');
    expect(Object.keys(config).indexOf('fuzzy_token_threshold')).toBe(8);
  });

  it('treats null as unset', () => {
    expect(effectiveConfig({ persistence: null }, DEFAULT_CONFIG).persistence).toBe(5);
  });
});

describe('validateConfigUpdate (spec §4.3)', () => {
  const rejects: [Record<string, unknown>, string, string][] = [
    [{ recall_threshold: -0.1 }, 'recall_threshold', 'Must be a number between 0.0 and 1.0'],
    [{ recall_threshold: 1.1 }, 'recall_threshold', 'Must be a number between 0.0 and 1.0'],
    [{ recall_threshold: 'invalid' }, 'recall_threshold', 'Must be a number between 0.0 and 1.0'],
    [{ max_pattern_length: -1 }, 'max_pattern_length', 'Must be a non-negative integer'],
    [{ persistence: 0 }, 'persistence', 'Must be an integer between 1 and 100'],
    [{ persistence: 101 }, 'persistence', 'Must be an integer between 1 and 100'],
    [{ persistence: new JsonFloat('5.0') }, 'persistence', 'Must be an integer between 1 and 100'],
    [{ max_predictions: 0 }, 'max_predictions', 'Must be an integer between 1 and 10000'],
    [{ max_predictions: 10001 }, 'max_predictions', 'Must be an integer between 1 and 10000'],
    [{ indexer_type: 'INVALID_TYPE' }, 'indexer_type', 'Must be one of: VI, LSH, ANNOY, FAISS'],
    [{ stm_mode: 5 }, 'stm_mode', 'Must be a string'],
    [{ sort: 'yes' }, 'sort', 'Must be a boolean (true/false)'],
    [{ process_predictions: 1 }, 'process_predictions', 'Must be a boolean (true/false)'],
    [{ use_token_matching: 'true' }, 'use_token_matching', 'Must be a boolean (true/false)'],
    [{ filter_pipeline: 'minhash' }, 'filter_pipeline', 'Must be a list of strings'],
    [{ fuzzy_token_threshold: 'high' }, 'fuzzy_token_threshold', 'Must be a number'],
  ];
  it.each(rejects)('rejects %j', (update, field, message) => {
    expect(validateConfigUpdate(update)).toEqual({ [field]: message });
  });

  it('names the rank algorithms in its message', () => {
    expect(validateConfigUpdate({ rank_sort_algo: 'invalid_algorithm' }).rank_sort_algo).toMatch(/^Must be one of: potential, similarity, evidence/);
  });

  it('accepts valid values, bools as numbers (as Python does), unknown keys and invalid STM modes', () => {
    expect(
      validateConfigUpdate({
        recall_threshold: 1,
        persistence: true,
        max_pattern_length: 0,
        stm_mode: 'SIDEWAYS',
        rank_sort_algo: 'similarity',
        filter_pipeline: ['minhash', 'unknown-stage'],
        affinity_emotive: null,
        whatever: { x: 1 },
      }),
    ).toEqual({});
  });
});

describe('applyConfigUpdate', () => {
  it('sets known keys, normalises STM modes and ignores unknown keys', () => {
    const values = applyConfigUpdate({}, { stm_mode: 'SIDEWAYS', recall_threshold: new JsonFloat('0.5'), unknown: 1 });
    expect(values).toEqual({ stm_mode: 'CLEAR', recall_threshold: 0.5 });
  });

  it('auto-toggles sort_symbols with use_token_matching unless both are given (spec §4.2)', () => {
    expect(applyConfigUpdate({}, { use_token_matching: false })).toEqual({ use_token_matching: false, sort_symbols: false });
    expect(applyConfigUpdate({}, { use_token_matching: false, sort_symbols: true })).toEqual({ use_token_matching: false, sort_symbols: true });
  });

  it('stores Python bools of integer keys as numbers', () => {
    expect(applyConfigUpdate({}, { persistence: true })).toEqual({ persistence: 1 });
  });
});

describe('applyCreationConfig (spec §4.3 creation)', () => {
  it('applies known keys and ignores unknown ones', () => {
    expect(applyCreationConfig({ max_pattern_length: 3, stm_mode: 'ROLLING', nope: 1 })).toEqual({ max_pattern_length: 3, stm_mode: 'ROLLING' });
  });

  it('silently drops every value when any is out of range or of the wrong type', () => {
    expect(applyCreationConfig({ max_pattern_length: 3, persistence: 0 })).toEqual({});
    expect(applyCreationConfig({ max_pattern_length: 3, minhash_rows: 21 })).toEqual({});
    expect(applyCreationConfig({ max_pattern_length: 3, filter_pipeline: ['bogus'] })).toEqual({});
    expect(applyCreationConfig({ max_pattern_length: new JsonFloat('3.0') })).toEqual({});
    expect(applyCreationConfig({ recall_threshold: 'x' })).toEqual({});
  });

  it('turns an unknown STM mode into CLEAR', () => {
    expect(applyCreationConfig({ stm_mode: 'rolling' })).toEqual({ stm_mode: 'CLEAR' });
  });

  it('accepts nothing', () => {
    expect(applyCreationConfig(null)).toEqual({});
  });
});
