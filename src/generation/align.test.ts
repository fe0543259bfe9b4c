import { describe, expect, it } from 'vitest';
import { alignContext, searchWindow, tokensAfter } from './align.js';
import type { UnravelledText } from './unravel.js';

const text = (tokens: (string | null)[], eventEnds: number[] = [tokens.length]): UnravelledText => ({
  tokens,
  eventEnds,
  gaps: tokens.filter((t) => t === null).map((_, i) => ({ level: 0, name: `missing${i}`, parentLevel: 1, parent: 'p' })),
});

describe('searchWindow', () => {
  it('spans the present and the first future event, anchored at the end of the present', () => {
    const t = text('abcdefghijkl'.split(''), [3, 6, 9, 12]);
    expect(searchWindow(t, 1, 1)).toEqual({ from: 3, anchor: 6, to: 9 });
    expect(searchWindow(t, 0, 2)).toEqual({ from: 0, anchor: 6, to: 9 });
  });

  it('stops at the end of the text when the present is the last event', () => {
    const t = text('abcdef'.split(''), [3, 6]);
    expect(searchWindow(t, 1, 1)).toEqual({ from: 3, anchor: 6, to: 6 });
  });
});

describe('alignContext', () => {
  const window = (t: UnravelledText) => ({ from: 0, anchor: t.tokens.length, to: t.tokens.length });

  it('finds where the longest suffix of the context ends', () => {
    const t = text('x a b c d y a b c z'.split(' '));
    expect(alignContext(['q', 'b', 'c', 'd'], t, window(t), 100)).toEqual({ at: 5, aligned: 3 });
  });

  it('counts the whole context when it occurs verbatim, capped at the horizon', () => {
    const t = text('p q r s t u'.split(' '));
    expect(alignContext(['q', 'r', 's'], t, window(t), 100)).toEqual({ at: 4, aligned: 3 });
    expect(alignContext(['q', 'r', 's'], t, window(t), 2)).toEqual({ at: 4, aligned: 2 });
  });

  it('breaks ties by nearness to the anchor, then by the earlier position', () => {
    const t = text('a b x a b x a b'.split(' '));
    expect(alignContext(['a', 'b'], t, { from: 0, anchor: 5, to: 8 }, 10)).toEqual({ at: 5, aligned: 2 });
    expect(alignContext(['a', 'b'], t, { from: 0, anchor: 0, to: 8 }, 10)).toEqual({ at: 2, aligned: 2 });
    const even = text('a x a'.split(' '));
    expect(alignContext(['a'], even, { from: 0, anchor: 2, to: 3 }, 10)).toEqual({ at: 1, aligned: 1 });
  });

  it('looks only inside the window', () => {
    const t = text('a b c a b'.split(' '));
    expect(alignContext(['a', 'b', 'c'], t, { from: 4, anchor: 5, to: 5 }, 10)).toEqual({ at: 5, aligned: 0 });
  });

  it('does not match across a missing pattern', () => {
    const t = text(['a', null, 'b', 'c']);
    expect(alignContext(['a', 'b', 'c'], t, window(t), 10)).toEqual({ at: 4, aligned: 2 });
  });

  it('reports no alignment when the last context token is absent', () => {
    const t = text('a b c'.split(' '));
    expect(alignContext(['a', 'q'], t, window(t), 10)).toEqual({ at: 3, aligned: 0 });
  });
});

describe('tokensAfter', () => {
  it('takes up to the budget', () => {
    expect(tokensAfter(text('abcdef'.split('')), 2, 3)).toEqual({ tokens: ['c', 'd', 'e'], hole: null });
    expect(tokensAfter(text('abc'.split('')), 1, 10)).toEqual({ tokens: ['b', 'c'], hole: null });
  });

  it('stops before a hole and says where it is', () => {
    expect(tokensAfter(text(['a', 'b', null, 'c']), 0, 10)).toEqual({ tokens: ['a', 'b'], hole: 2 });
    expect(tokensAfter(text(['a', 'b', null, 'c']), 0, 2)).toEqual({ tokens: ['a', 'b'], hole: null });
  });
});
