import { describe, expect, it } from 'vitest';
import type { SessionConfig } from '../types.js';
import { compileFilterPipeline, type FilterFeatures } from './filters.js';

const base = {
  recall_threshold: 0.1,
  filter_pipeline: [] as string[],
  length_min_ratio: 0.5,
  length_max_ratio: 2.0,
  jaccard_threshold: 0.3,
  jaccard_min_overlap: 2,
  minhash_threshold: 0.7,
} as SessionConfig;
const pipeline = (stages: string[], over: Partial<SessionConfig> = {}, stateLength = 4, distinctState = 4) =>
  compileFilterPipeline({ ...base, ...over, filter_pipeline: stages }, stateLength, distinctState);
const features = (over: Partial<FilterFeatures>): FilterFeatures => ({ length: 4, distinct: 4, shared: 4, similarity: 1, blocks: 1, ...over });

describe('compileFilterPipeline', () => {
  it('passes everything when empty', () => {
    const p = pipeline([]);
    expect([p.passAll, p.rejectsAll, p.keeps(features({ shared: 0, similarity: 0 }))]).toEqual([true, false, true]);
  });

  it('keeps lengths within floor(|state|·ratios), at least 1', () => {
    const p = pipeline(['length'], {}, 5);
    // min = max(1, floor(2.5)) = 2, max = floor(10) = 10.
    expect([1, 2, 10, 11].map((length) => p.keeps(features({ length })))).toEqual([false, true, true, false]);
    const tight = pipeline(['length'], { length_min_ratio: 1, length_max_ratio: 1 }, 3);
    expect([2, 3, 4].map((length) => tight.keeps(features({ length })))).toEqual([false, true, false]);
  });

  it('keeps Jaccard overlaps above both the count and the ratio', () => {
    const p = pipeline(['jaccard'], {}, 4, 4);
    // |Q| 4, shared 2 → union 6, ratio 1/3 ≥ 0.3.
    expect(p.keeps(features({ distinct: 4, shared: 2 }))).toBe(true);
    // shared 1 < min overlap 2.
    expect(p.keeps(features({ distinct: 1, shared: 1 }))).toBe(false);
    // |Q| 8, shared 2 → union 10, ratio 0.2 < 0.3.
    expect(p.keeps(features({ distinct: 8, shared: 2 }))).toBe(false);
  });

  it('applies minhash as exact Jaccard against its threshold', () => {
    const p = pipeline(['minhash'], {}, 4, 4);
    expect(p.keeps(features({ distinct: 4, shared: 4 }))).toBe(true);
    expect(p.keeps(features({ distinct: 5, shared: 4 }))).toBe(true); // 4/5
    expect(p.keeps(features({ distinct: 6, shared: 4 }))).toBe(false); // 4/6
  });

  it('falls back to defaults for falsy parameters, like Python `x or default`', () => {
    const p = pipeline(['jaccard'], { jaccard_threshold: 0, jaccard_min_overlap: 0 }, 4, 4);
    expect(p.keeps(features({ distinct: 1, shared: 1 }))).toBe(false);
    const m = pipeline(['minhash'], { minhash_threshold: 0 }, 4, 4);
    expect(m.keeps(features({ distinct: 6, shared: 4 }))).toBe(false);
  });

  it('runs rapidfuzz with the recall threshold (0.1 when 0) and a block', () => {
    const p = pipeline(['length', 'rapidfuzz'], { recall_threshold: 0 });
    expect(p.keeps(features({ similarity: 0.1, blocks: 1 }))).toBe(true);
    expect(p.keeps(features({ similarity: 0.09, blocks: 1 }))).toBe(false);
    expect(p.keeps(features({ similarity: 0.5, blocks: 0 }))).toBe(false);
  });

  it('skips in-process stages before any database stage and keeps nothing without one', () => {
    expect(pipeline(['rapidfuzz']).rejectsAll).toBe(true);
    expect(pipeline(['bloom']).rejectsAll).toBe(true);
    expect(pipeline(['nonsense']).rejectsAll).toBe(true);
    const p = pipeline(['rapidfuzz', 'length']);
    expect(p.keeps(features({ similarity: 0, blocks: 0 }))).toBe(true);
  });

  it('ignores bloom and unknown stages after a database stage', () => {
    const p = pipeline(['length', 'bloom', 'nonsense']);
    expect([p.rejectsAll, p.keeps(features({ similarity: 0, shared: 0 }))]).toEqual([false, true]);
  });
});
