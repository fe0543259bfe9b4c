/**
 * Bottom-up activation of the hierarchy by a context window: level 0 observes the window's chunks
 * under every chunk phase; each level passes its prediction ensemble up as one event.
 */
import type { Event } from '../engine/types.js';
import { chunkEvents, patternName } from '../engine/names.js';
import { symbolOfPattern } from './levels.js';
import type { PatternReader } from './pattern-cache.js';
import type { Predictor } from './predictor.js';
import type { Candidate, HierarchyShape, PredictQuery } from './types.js';

/**
 * A piece of the window between chunk boundaries. `complete`: a whole training chunk; `head`: the
 * end of a chunk that began before the window; `tail`: the start of a chunk the window ends in;
 * `inner`: the window lies inside one chunk.
 */
export interface Segment {
  readonly start: number;
  readonly end: number;
  readonly kind: 'head' | 'complete' | 'tail' | 'inner';
}

/** A way to cut the window into level-0 chunks: boundaries at offsets ≡ `phase` (mod chunk size). */
export interface PhaseLayout {
  readonly phase: number;
  readonly segments: readonly Segment[];
}

/** The activation of every level under one phase. */
export interface PhaseActivation {
  readonly phase: number;
  /** Window tokens the best prediction of their chunk leaves unmatched, summed over the chunks. */
  readonly unexplained: number;
  /** Predictions per level: level 0's are those of the chunk the window ends in. */
  readonly levels: readonly (readonly Candidate[])[];
}

/**
 * The distinct chunk layouts of a window of `length` tokens for chunks of `size`: one per phase,
 * except that phases putting no boundary inside the window all give the same single piece.
 */
export function phaseLayouts(length: number, size: number): PhaseLayout[] {
  const layouts: PhaseLayout[] = [];
  const seen = new Set<string>();
  for (let phase = 0; phase < size; phase++) {
    const boundaries: number[] = [];
    for (let b = phase; b <= length; b += size) boundaries.push(b);
    const key = boundaries.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    const isBoundary = new Set(boundaries);
    const cuts = [...new Set([0, ...boundaries, length])].sort((a, b) => a - b);
    const segments: Segment[] = [];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const start = cuts[i];
      const end = cuts[i + 1];
      const opens = isBoundary.has(start);
      const closes = isBoundary.has(end);
      const kind = opens && closes ? 'complete' : opens ? 'tail' : closes ? 'head' : 'inner';
      segments.push({ start, end, kind });
    }
    layouts.push({ phase, segments });
  }
  return layouts;
}

// Similarities are compared with a hair of slack so that float rounding never drops a candidate
// with exactly the intended number of matches.
const SLACK = 1 - 1e-9;

/**
 * The recall threshold that keeps the patterns of a level sharing at least `need` symbols (in
 * order) with a state of `stateLength` symbols. Learned patterns have at most `chunk + 1`
 * symbols (a merged remainder), so 2·need/(chunk + 1 + state) is the least such a pattern scores.
 */
export function recallFor(need: number, chunk: number, stateLength: number): number {
  return ((2 * need) / (chunk + 1 + stateLength)) * SLACK;
}

/**
 * The query of a level-0 chunk of `length` tokens: patterns holding at least three quarters of
 * its tokens in order (tolerating a differing token in four), ranked by KATO's potential.
 */
export function chunkQuery(length: number, chunk: number, ensemble: number): PredictQuery {
  return { recallThreshold: recallFor(Math.ceil(0.75 * length), chunk, length), maxPredictions: ensemble, rankBy: 'potential' };
}

/**
 * The query of an upper level whose STM holds `stateLength` symbols, keeping the patterns that
 * match at least `need` of them. Ranked by similarity, which grows with every matched event;
 * potential's snr counts an ensemble's noise against every candidate alike and would not.
 */
export function upperQuery(need: number, stateLength: number, chunk: number, ensemble: number): PredictQuery {
  return { recallThreshold: recallFor(need, chunk, stateLength), maxPredictions: ensemble, rankBy: 'similarity' };
}

/** The event a level passes up: its predictions' names as `PTRN|…` symbols, sorted. */
export function ensembleEvent(candidates: readonly Candidate[]): Event {
  return [...new Set(candidates.map((c) => symbolOfPattern(c.name)))].sort();
}

/** Tokens of `length` its best candidate leaves unmatched. */
function unmatched(length: number, candidates: readonly Candidate[]): number {
  let best = 0;
  for (const c of candidates) best = Math.max(best, Math.min(length, c.matches.length));
  return length - best;
}

/** Level 0 under one layout: each chunk's predictions (a one-token head is not observed). */
async function observeChunks(
  predict: Predictor,
  window: readonly string[],
  layout: PhaseLayout,
  chunk: number,
  ensemble: number,
): Promise<{ unexplained: number; ensembles: Candidate[][] }> {
  let unexplained = 0;
  const ensembles: Candidate[][] = [];
  for (const segment of layout.segments) {
    const length = segment.end - segment.start;
    // A single token ending a chunk says almost nothing, and the one-symbol prediction path would
    // look for patterns that start with it.
    if (segment.kind === 'head' && length === 1) {
      ensembles.push([]);
      continue;
    }
    const stm = window.slice(segment.start, segment.end).map((token) => [token]);
    const candidates = await predict(0, stm, chunkQuery(length, chunk, ensemble));
    unexplained += unmatched(length, candidates);
    ensembles.push(candidates);
  }
  return { unexplained, ensembles };
}

/**
 * An upper level's STM (its last events) and query. Level 1's events are distinct chunks, so a
 * pattern should match two of them; above it an event repeats while the level below stays inside
 * one pattern, so one match is all there is to ask for. KATO answers a one-symbol STM by its
 * single-symbol path, which finds only patterns that start with the symbol, while an upper
 * level's symbol may sit anywhere in its parent: such an STM is observed as the same event twice
 * (what the cascade produces anyway whenever the level below stays inside one pattern), which
 * takes the full path.
 */
export function upperStm(events: readonly Event[], level: number, chunk: number, ensemble: number): [Event[], PredictQuery] {
  const stm = events.length === 1 && events[0].length === 1 ? [events[0], events[0]] : [...events];
  const stateLength = stm.reduce((sum, event) => sum + event.length, 0);
  const need = level === 1 ? Math.min(2, events.length) : 1;
  return [stm, upperQuery(need, stateLength, chunk, ensemble)];
}

/**
 * The levels above 0, as a cascade over the window's chunks: after each chunk, every level
 * appends the ensemble of the level below as one event to its STM (keeping its last
 * `chunks[level]` events: older ones belong to an earlier pattern of the level) and predicts.
 * The results are those after the last chunk, so every level's come from the same step.
 */
async function cascade(predict: Predictor, shape: HierarchyShape, chunkEnsembles: readonly Candidate[][], ensemble: number): Promise<Candidate[][]> {
  const levels: Candidate[][] = [];
  let below = chunkEnsembles;
  for (let level = 1; level < shape.levels; level++) {
    const top = level === shape.levels - 1;
    const events: Event[] = [];
    const after: Candidate[][] = [];
    for (let j = 0; j < below.length; j++) {
      if (below[j].length > 0) events.push(ensembleEvent(below[j]));
      // The level above reads this level after every chunk; the top level only after the last.
      if (top && j < below.length - 1) continue;
      after.push(events.length === 0 ? [] : await predict(level, ...upperStm(events.slice(-shape.chunks[level]), level, shape.chunks[level], ensemble)));
    }
    levels.push(after[after.length - 1]);
    // A level with nothing after the last chunk may still have had predictions after earlier
    // ones (a noisy last ensemble matched nothing); the level above reads those.
    if (after.every((candidates) => candidates.length === 0)) break;
    below = after;
  }
  return levels;
}

/**
 * The layouts worth observing: those with the most complete chunks that are learned level-0
 * patterns as they stand (their names are their content's hash, so one batched read tells). A
 * whole training chunk found verbatim pins the phase; when no layout has one, all are observed.
 */
export async function likelyLayouts(reader: PatternReader, window: readonly string[], layouts: readonly PhaseLayout[]): Promise<PhaseLayout[]> {
  const named = layouts.map((layout) =>
    layout.segments.filter((s) => s.kind === 'complete').map((s) => patternName(chunkEvents(window.slice(s.start, s.end)))),
  );
  const known = await reader.read(0, named.flat());
  const counts = named.map((names) => names.filter((name) => known.has(name)).length);
  const most = Math.max(0, ...counts);
  return most === 0 ? [...layouts] : layouts.filter((_, i) => counts[i] === most);
}

/**
 * Activates the hierarchy with `window` under the likely phases and returns the activations of
 * the phases whose level-0 chunks the KB explains best (several when they tie), in phase order.
 */
export async function activate(
  predict: Predictor,
  reader: PatternReader,
  shape: HierarchyShape,
  window: readonly string[],
  ensemble: number,
): Promise<PhaseActivation[]> {
  if (window.length === 0) return [];
  const observed: { phase: number; unexplained: number; ensembles: Candidate[][] }[] = [];
  for (const layout of await likelyLayouts(reader, window, phaseLayouts(window.length, shape.chunks[0]))) {
    observed.push({ phase: layout.phase, ...(await observeChunks(predict, window, layout, shape.chunks[0], ensemble)) });
  }
  const best = Math.min(...observed.map((o) => o.unexplained));
  const activations: PhaseActivation[] = [];
  for (const o of observed) {
    if (o.unexplained !== best) continue;
    const last = o.ensembles[o.ensembles.length - 1];
    activations.push({ phase: o.phase, unexplained: o.unexplained, levels: [last, ...(await cascade(predict, shape, o.ensembles, ensemble))] });
  }
  return activations;
}
