/**
 * Choosing the continuation: the highest level whose candidates verify the most of the context's
 * end, falling back level by level; deterministic, or sampled over the ranking metric.
 */
import type { PhaseActivation } from './activation.js';
import { continuationsOf, type PhasedCandidate } from './continuation.js';
import type { PatternReader } from './pattern-cache.js';
import { sampleIndex, type Random } from './sampling.js';
import type { Continuation, SamplingOptions } from './types.js';

/** What a choice looks at besides the activations. */
export interface ChoiceInput {
  readonly reader: PatternReader;
  /** The context (prompt and generated tokens so far), at most `horizon` of its last tokens used. */
  readonly context: readonly string[];
  /** Most tokens a continuation may carry. */
  readonly budget: number;
  readonly horizon: number;
  /** Level-0 chunk size: sampling keeps candidates verifying at least this much context. */
  readonly chunk: number;
  readonly sampling?: { readonly options: SamplingOptions; readonly random: Random };
}

/** The candidates of `level` over every activation, best ranked first. */
function candidatesAt(activations: readonly PhaseActivation[], level: number): PhasedCandidate[] {
  const entries: PhasedCandidate[] = [];
  for (const a of activations) for (const candidate of a.levels[level] ?? []) entries.push({ candidate, phase: a.phase });
  return entries.sort((x, y) => x.candidate.rank - y.candidate.rank || x.phase - y.phase);
}

/**
 * The continuation to take, or null when no level offers one. Levels are tried top-down; a lower
 * level replaces the choice only when it verifies strictly more of the context, and once a level
 * verifies all the context there is to verify no lower level is read.
 */
export async function chooseContinuation(activations: readonly PhaseActivation[], input: ChoiceInput): Promise<Continuation | null> {
  const top = Math.max(0, ...activations.map((a) => a.levels.length)) - 1;
  const context = input.context.slice(-input.horizon);
  const reachable = Math.min(input.horizon, context.length);
  let chosen: Continuation[] = [];
  for (let level = top; level >= 0; level--) {
    const found = await continuationsOf(input.reader, candidatesAt(activations, level), context, input.budget, input.horizon);
    if (found.length > 0 && (chosen.length === 0 || found[0].aligned > chosen[0].aligned)) chosen = found;
    if (chosen.length > 0 && chosen[0].aligned >= reachable) break;
  }
  if (chosen.length === 0) return null;
  if (!input.sampling) return chosen[0];
  // Sample among the continuations that agree with the context as far as a chunk (or as far as the
  // best one does, when that is less): other places the same words were seen.
  const floor = Math.min(chosen[0].aligned, input.chunk);
  const pool = chosen.filter((c) => c.aligned >= floor);
  return pool[sampleIndex(pool.map((c) => c.candidate.score), input.sampling.options, input.sampling.random)];
}
