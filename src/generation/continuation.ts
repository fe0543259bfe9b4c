/**
 * A level's candidates turned into continuations: each pattern unravelled (one batched read per
 * level for all of them), aligned to the context's end, and cut after it to the token budget.
 */
import { alignContext, searchWindow, tokensAfter } from './align.js';
import type { PatternReader } from './pattern-cache.js';
import { unravelPatterns } from './unravel.js';
import type { Candidate, Continuation } from './types.js';

/** A candidate with the activation phase it came from. */
export interface PhasedCandidate {
  readonly candidate: Candidate;
  readonly phase: number;
}

/** Orders continuations: most context verified, then the node's rank, then the phase. */
export function compareContinuations(a: Continuation, b: Continuation): number {
  return b.aligned - a.aligned || a.candidate.rank - b.candidate.rank || a.phase - b.phase;
}

/**
 * The continuations of one level's candidates (all of the same level), best first. A candidate
 * counts when its text contains at least the context's last token in the place its prediction
 * points to, and something follows there: tokens, or a missing pattern (reported as a gap).
 */
export async function continuationsOf(
  reader: PatternReader,
  entries: readonly PhasedCandidate[],
  context: readonly string[],
  budget: number,
  horizon: number,
): Promise<Continuation[]> {
  // The same pattern reached under several phases is one candidate: keep its first (best) entry.
  const seen = new Set<string>();
  const unique = entries.filter((e) => !seen.has(e.candidate.name) && seen.add(e.candidate.name));
  if (unique.length === 0) return [];
  const level = unique[0].candidate.level;
  const texts = await unravelPatterns(
    reader,
    level,
    unique.map((e) => ({ name: e.candidate.name, events: e.candidate.events })),
  );
  const continuations: Continuation[] = [];
  unique.forEach(({ candidate, phase }, i) => {
    const text = texts[i];
    const { at, aligned } = alignContext(context, text, searchWindow(text, candidate.pastEvents, candidate.presentEvents), horizon);
    if (aligned === 0) return;
    const { tokens, hole } = tokensAfter(text, at, budget);
    const gap = hole === null ? null : text.gaps[text.tokens.slice(0, hole).filter((t) => t === null).length];
    if (tokens.length === 0 && gap === null) return;
    continuations.push({ candidate, phase, aligned, at, tokens, gap });
  });
  return continuations.sort(compareContinuations);
}
