import { describe, expect, it } from 'vitest';
import { mergeConfig, predictedEvent, stmAfterObserve, stmAfterSequence } from './shadow.js';
import type { ObserveSequenceResult } from './types.js';

function sequenceResult(stmLengths: number[], finalLength: number): ObserveSequenceResult {
  return {
    status: 'completed',
    processor_id: 'n',
    observations_processed: stmLengths.length,
    initial_stm_length: 0,
    final_stm_length: finalLength,
    results: stmLengths.map((stm_length, i) => ({ status: 'okay', sequence_position: i, stm_length, time: i + 1, unique_id: `u${i}`, auto_learned_pattern: null })),
    auto_learned_patterns: [],
    final_learned_pattern: null,
    isolated: false,
  };
}

describe('session shadow', () => {
  it('predicts the event of a strings observation in code-point order', () => {
    expect(predictedEvent({ strings: ['Zoo', 'apple', 'Apple'] }, true)).toEqual(['Apple', 'Zoo', 'apple']);
    expect(predictedEvent({ strings: ['z', '', 'a'] }, true)).toEqual(['', 'a', 'z']);
    expect(predictedEvent({ strings: [] }, true)).toBeNull();
    expect(predictedEvent({}, true)).toBeNull();
    expect(predictedEvent({ strings: ['a'], vectors: [[1, 0]] }, true)).toBe('unknown');
    expect(predictedEvent({ strings: ['b', 'a'] }, false)).toBe('unknown');
    expect(predictedEvent({ strings: ['a', 'b'] }, false)).toEqual(['a', 'b']);
  });

  it('follows a plain observe, a CLEAR auto-learn and a ROLLING window from the reply alone', () => {
    expect(stmAfterObserve([['a']], { strings: ['b'] }, 2, true)).toEqual([['a'], ['b']]);
    expect(stmAfterObserve([['a'], ['b']], { strings: ['c'] }, 0, true)).toEqual([]);
    expect(stmAfterObserve([['roll1'], ['roll2']], { strings: ['roll3'] }, 2, true)).toEqual([['roll2'], ['roll3']]);
    expect(stmAfterObserve([['a']], { emotives: { joy: 1 } }, 1, true)).toEqual([['a']]);
    expect(stmAfterObserve([['a']], { strings: ['b'] }, 5, true)).toBeNull();
    expect(stmAfterObserve([['a']], { vectors: [[1]] }, 2, true)).toBeNull();
  });

  it('follows observe-sequence with clear_stm_between and learn_at_end', () => {
    const observations = [{ strings: ['x'] }, { strings: ['y'] }, { strings: ['z'] }];
    expect(stmAfterSequence([['a']], { observations }, sequenceResult([2, 3, 4], 4), true)).toEqual([['a'], ['x'], ['y'], ['z']]);
    expect(stmAfterSequence([['a']], { observations, clear_stm_between: true }, sequenceResult([2, 1, 1], 1), true)).toEqual([['z']]);
    expect(stmAfterSequence([['a']], { observations, learn_at_end: true }, sequenceResult([2, 3, 4], 0), true)).toEqual([]);
    expect(stmAfterSequence([['a']], { observations: [] }, sequenceResult([], 1), true)).toEqual([['a']]);
    expect(stmAfterSequence([], { observations }, sequenceResult([1, 2], 2), true)).toBeNull();
  });

  it('merges config updates with KATO’s use_token_matching → sort_symbols toggle', () => {
    expect(mergeConfig({ sort_symbols: true }, { use_token_matching: false })).toEqual({ sort_symbols: false, use_token_matching: false });
    expect(mergeConfig({}, { use_token_matching: false, sort_symbols: true })).toEqual({ use_token_matching: false, sort_symbols: true });
    expect(mergeConfig({ recall_threshold: 0.3 }, { max_pattern_length: 3 })).toEqual({ recall_threshold: 0.3, max_pattern_length: 3 });
  });
});
