import { describe, expect, it } from 'vitest';
import type { Event, PatternRecord, SessionConfig } from '../types.js';
import { patternName } from '../names.js';
import { matchContext, matchPattern } from './match.js';
import { DEFAULT_CONFIG } from '../processor/config.js';

const defaults: SessionConfig = DEFAULT_CONFIG;

const record = (events: Event[]): PatternRecord => ({
  name: patternName(events),
  events,
  length: events.flat().length,
  frequency: 1,
  emotives: [],
  metadata: {},
});
const single = (...symbols: string[]): Event[] => symbols.map((s) => [s]);
const match = (pattern: Event[], stm: Event[], config: Partial<SessionConfig> = {}) =>
  matchPattern(record(pattern), matchContext(stm, { ...defaults, ...config }));

describe('temporal segmentation (worked cases of §8.4)', () => {
  it('puts the unmatched head in past', () => {
    const m = match(single('beginning', 'middle', 'end'), single('middle', 'end'))!;
    expect([m.past, m.present, m.future]).toEqual([[['beginning']], [['middle'], ['end']], []]);
    expect([m.missing, m.extras]).toEqual([[[], []], [[], []]]);
  });

  it('moves a past event holding the first match back into present', () => {
    const m = match([['a', 'a', 'b', 'b', 'c']], [['a', 'b']])!;
    expect([m.past, m.present, m.future]).toEqual([[], [['a', 'a', 'b', 'b', 'c']], []]);
    expect(m.missing).toEqual([['c']]);
    expect(m.extras).toEqual([[]]);
  });

  it('keeps whole events and aligns missing with present, extras with the STM', () => {
    const m = match([['pred1', 'pred2'], ['pred3']], [['pred1'], ['pred2']])!;
    expect([m.past, m.present, m.future]).toEqual([[], [['pred1', 'pred2']], [['pred3']]]);
    expect(m.missing).toEqual([[]]);
    expect(m.extras).toEqual([[], []]);
  });

  it('takes the earliest occurrence in a cyclic pattern', () => {
    const m = match(single('A', 'B', 'C', 'A', 'B', 'C', 'A'), single('A', 'B'))!;
    expect(m.present).toEqual([['A'], ['B']]);
    expect(m.future).toEqual(single('C', 'A', 'B', 'C', 'A'));
  });

  it('gives list lengths the spec requires', () => {
    const stm = [['x', 'b'], ['q'], ['d', 'e']];
    const m = match([['a', 'b'], ['c'], ['d'], ['e', 'f']], stm)!;
    expect(m.missing).toHaveLength(m.present.length);
    expect(m.extras).toHaveLength(stm.length);
    expect(m.extras).toEqual([['x'], ['q'], []]);
    m.missing.forEach((event) => event.forEach((s) => expect(m.matches).not.toContain(s)));
  });
});

describe('base metrics', () => {
  it('computes similarity, evidence, confidence, snr and fragmentation', () => {
    // P = a x b c, S = a b z: LCS 2 → 4/7; blocks a@0, b@2 → present a x b, one extra (z).
    const m = match(single('a', 'x', 'b', 'c'), single('a', 'b', 'z'))!;
    expect(m.similarity).toBe(0.5714285714285714);
    expect(m.matches).toEqual(['a', 'b']);
    expect(m.present).toEqual(single('a', 'x', 'b'));
    expect(m.evidence).toBe(0.5);
    expect(m.confidence).toBe(0.6666666666666666);
    expect(m.extrasCount).toBe(1);
    expect(m.snr).toBe(0.6);
    expect(m.fragmentation).toBe(1);
    // (0.5 + 2/3)·0.6 + 1/2 in doubles.
    expect(m.pre).toBe(1.1999999999999997);
  });

  it('scores a full match at snr 1 and fragmentation 0', () => {
    const m = match(single('a', 'b', 'c'), single('a', 'b'))!;
    expect([m.similarity, m.evidence, m.confidence, m.snr, m.fragmentation]).toEqual([0.8, 0.6666666666666666, 1, 1, 0]);
  });
});

describe('recall threshold (§13 item 22)', () => {
  it('is inclusive and applies to the LCS similarity', () => {
    expect(match(single('a', 'b', 'c'), single('a', 'b'), { recall_threshold: 0.8 })?.similarity).toBe(0.8);
    expect(match(single('a', 'b', 'c', 'd'), single('a', 'b'), { recall_threshold: 0.65 })?.similarity).toBe(0.6666666666666665);
    expect(match(single('a', 'b', 'c', 'd'), single('a', 'b'), { recall_threshold: 0.7 })).toBeNull();
    expect(match(single('a', 'b', 'c', 'd', 'e'), single('a', 'b'), { recall_threshold: 0.9 })).toBeNull();
    expect(match(single('a', 'b', 'c', 'd', 'e'), single('a', 'b'), { recall_threshold: 0.1 })?.similarity).toBe(0.5714285714285714);
    expect(match(single('a', 'b'), single('a', 'b'), { recall_threshold: 1 })?.similarity).toBe(1);
  });

  it('is case-sensitive', () => {
    expect(match(single('Hello', 'world'), single('hello', 'there'))).toBeNull();
  });

  it('keeps zero-overlap patterns at threshold 0 with the §8.13 fields', () => {
    const m = match([['p', 'q'], ['r']], [['s'], ['t']], { recall_threshold: 0 })!;
    expect(m.similarity).toBe(0);
    expect([m.matches, m.past, m.present, m.future]).toEqual([[], [], [['p', 'q'], ['r']], []]);
    expect(m.missing).toEqual([['p', 'q'], ['r']]);
    expect(m.extras).toEqual([['s'], ['t']]);
    expect([m.snr, m.fragmentation, m.pre]).toEqual([-1, -1, 0]);
  });
});

describe('character matching (§13 item 23)', () => {
  it('scores the joined strings and stays close to token mode', () => {
    const token = match(single('hello', 'world', 'again'), single('hello', 'world'))!;
    const chars = match(single('hello', 'world', 'again'), single('hello', 'world'), { use_token_matching: false })!;
    // "hello world again" vs "hello world": lensum 28, LCS 11 → (1 − 6/28)·100 / 100.
    expect(chars.similarity).toBe(0.7857142857142857);
    expect(Math.abs(chars.similarity - token.similarity)).toBeLessThan(0.1);
    expect(chars.matches).toEqual(['hello', 'world']);
  });

  it('drops a pattern without an exact token block unless the threshold is 0', () => {
    expect(match(single('abcd', 'x'), single('abce', 'y'), { use_token_matching: false })).toBeNull();
    const kept = match(single('abcd', 'x'), single('abce', 'y'), { use_token_matching: false, recall_threshold: 0 })!;
    expect(kept.similarity).toBeGreaterThan(0.5);
    expect(kept.fragmentation).toBe(-1);
  });
});

describe('fuzzy token matching (§8.6)', () => {
  const pattern = single('apple', 'banana', 'cherry');

  it('records anomalies for accepted non-exact matches', () => {
    const m = match(pattern, single('apple', 'bannana', 'chery'), { fuzzy_token_threshold: 0.85 })!;
    expect(m.matches).toEqual(['apple', 'bannana', 'chery']);
    expect(m.anomalies).toEqual([
      { observed: 'bannana', expected: 'banana', similarity: 0.923076923076923 },
      { observed: 'chery', expected: 'cherry', similarity: 0.9090909090909091 },
    ]);
    // Blocks (and so past/present) still come from the exact alignment.
    expect(m.present).toEqual([['apple']]);
    expect(m.extrasCount).toBe(0);
    expect(m.snr).toBe(1);
  });

  it('leaves a fuzzily matched pattern token in missing and the observed one in extras', () => {
    const m = match(pattern, single('apple', 'bannana', 'cherry'), { fuzzy_token_threshold: 0.85 })!;
    expect(m.present).toEqual(pattern);
    expect(m.missing).toEqual([[], ['banana'], []]);
    expect(m.extras).toEqual([[], ['bannana'], []]);
    expect(m.anomalies).toEqual([{ observed: 'bannana', expected: 'banana', similarity: 0.923076923076923 }]);
  });

  it('records none for exact matches, below the threshold, or when disabled', () => {
    expect(match(pattern, single('apple', 'banana'), { fuzzy_token_threshold: 0.85 })!.anomalies).toEqual([]);
    expect(match(pattern, single('apple', 'bnnaa'), { fuzzy_token_threshold: 0.95 })!.anomalies).toEqual([]);
    expect(match(pattern, single('apple', 'bannana'), { fuzzy_token_threshold: 0 })!.anomalies).toEqual([]);
    expect(match(pattern, single('apple', 'bannana'))!.matches).toEqual(['apple']);
  });
});
