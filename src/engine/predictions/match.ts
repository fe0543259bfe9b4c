/**
 * One candidate pattern against the state (server spec §8.3.2–8.6): recall similarity, filters,
 * alignment, matches, segmentation, fuzzy anomalies and the base metrics with the pruning key.
 */
import type { Event, PatternRecord, SessionConfig } from '../types.js';
import { compileFilterPipeline, type FilterFeatures, type FilterPipeline } from './filters.js';
import { extrasPerEvent, missingPerEvent, segmentEvents } from './segmentation.js';
import { matchedSize, sequenceMatcher, type MatchingBlock, type SequenceMatcher } from './sequence-matcher.js';
import { characterSimilarity, lcsLength, tokenRatio, tokenSimilarity } from './similarity.js';
import type { Anomaly } from './types.js';

/** The state and the session settings every candidate is matched with. */
export interface MatchContext {
  stm: readonly Event[];
  /** The STM flattened. */
  state: readonly string[];
  stateSymbols: ReadonlySet<string>;
  matcher: SequenceMatcher;
  recallThreshold: number;
  tokenMode: boolean;
  /** 0 when fuzzy token matching is off. */
  fuzzyThreshold: number;
  pipeline: FilterPipeline;
  /** Identifies the settings that decide whether and how a candidate scores. */
  settingsKey: string;
}

/** A candidate that passed: its alignment, segmentation and base metrics. */
export interface PatternMatch {
  record: PatternRecord;
  similarity: number;
  matches: string[];
  past: Event[];
  present: Event[];
  future: Event[];
  missing: Event[];
  extras: Event[];
  anomalies: Anomaly[];
  blocks: number;
  /** Flat extras count (state symbols the present region does not cover), which feeds snr. */
  extrasCount: number;
  evidence: number;
  confidence: number;
  snr: number;
  fragmentation: number;
  /** The pruning key `(evidence + confidence)·snr + frag term` (§8.8). */
  pre: number;
}

/** The match context of an STM under a session configuration. */
export function matchContext(stm: readonly Event[], config: SessionConfig): MatchContext {
  const state = stm.flat();
  const stateSymbols = new Set(state);
  return {
    stm,
    state,
    stateSymbols,
    matcher: sequenceMatcher(state),
    recallThreshold: config.recall_threshold,
    tokenMode: config.use_token_matching,
    fuzzyThreshold: config.fuzzy_token_threshold ? config.fuzzy_token_threshold : 0,
    pipeline: compileFilterPipeline(config, state.length, stateSymbols.size),
    settingsKey: JSON.stringify([
      config.recall_threshold,
      config.use_token_matching,
      config.fuzzy_token_threshold ?? 0,
      config.filter_pipeline ?? [],
      config.length_min_ratio,
      config.length_max_ratio,
      config.jaccard_threshold,
      config.jaccard_min_overlap,
      config.minhash_threshold,
    ]),
  };
}

/** `1/(fragmentation + 1)`, or 0 for a candidate without blocks. */
export function fragmentationTerm(fragmentation: number): number {
  return fragmentation === -1 ? 0 : 1 / (fragmentation + 1);
}

/** The recall similarity of a flat pattern in the session's mode. */
export function recallSimilarity(pattern: readonly string[], ctx: MatchContext): number {
  return ctx.tokenMode
    ? tokenSimilarity(lcsLength(pattern, ctx.state), pattern.length, ctx.state.length)
    : characterSimilarity(pattern, ctx.state);
}

/** The filter features of a flat pattern with its similarity and block count. */
export function filterFeatures(pattern: readonly string[], similarity: number, blocks: number, ctx: MatchContext): FilterFeatures {
  const distinct = new Set(pattern);
  let shared = 0;
  for (const s of distinct) if (ctx.stateSymbols.has(s)) shared++;
  return { length: pattern.length, distinct: distinct.size, shared, similarity, blocks };
}

interface FuzzyOutcome {
  matches: string[];
  anomalies: Anomaly[];
  extrasCount: number;
}

// Each state token takes its best pattern token (first in pattern order on ties) when the ratio
// reaches the threshold; extras are the state tokens that took none.
function fuzzyMatch(pattern: readonly string[], ctx: MatchContext): FuzzyOutcome {
  const matches: string[] = [];
  const anomalies: Anomaly[] = [];
  let extrasCount = 0;
  for (const observed of ctx.state) {
    let best: string | null = null;
    let bestSimilarity = 0.0;
    for (const expected of pattern) {
      const similarity = tokenRatio(observed, expected);
      if (similarity >= ctx.fuzzyThreshold && similarity > bestSimilarity) {
        best = expected;
        bestSimilarity = similarity;
      }
    }
    if (best === null) {
      extrasCount++;
      continue;
    }
    matches.push(observed);
    if (observed !== best) anomalies.push({ observed, expected: best, similarity: bestSimilarity });
  }
  return { matches, anomalies, extrasCount };
}

// Past and present regions of the flat pattern from the alignment's first and last blocks.
function regions(pattern: readonly string[], blocks: readonly MatchingBlock[]): { pastLength: number; present: readonly string[] } {
  if (blocks.length === 0) return { pastLength: 0, present: pattern };
  const first = blocks[0];
  if (blocks.length === 1) return { pastLength: first.i, present: pattern.slice(first.i, first.i + first.size) };
  const last = blocks[blocks.length - 1];
  const end = last.i + last.size;
  return { pastLength: first.i, present: end > first.i ? pattern.slice(first.i, end) : pattern.slice(first.i) };
}

/** Matches one candidate; null when the filters, the recall threshold or the alignment drop it. */
export function matchPattern(record: PatternRecord, ctx: MatchContext): PatternMatch | null {
  const pattern = record.events.flat();
  const similarity = recallSimilarity(pattern, ctx);
  if (!(similarity >= ctx.recallThreshold)) return null;
  const blocks = ctx.matcher.blocks(pattern);
  if (!ctx.pipeline.passAll && !ctx.pipeline.keeps(filterFeatures(pattern, similarity, blocks.length, ctx))) return null;
  // Without a block only threshold 0 keeps a candidate (char mode can score > 0 without one).
  if (blocks.length === 0 && ctx.recallThreshold > 0) return null;

  const region = regions(pattern, blocks);
  let matches: string[];
  let anomalies: Anomaly[] = [];
  let extrasCount: number;
  if (ctx.fuzzyThreshold > 0) {
    ({ matches, anomalies, extrasCount } = fuzzyMatch(pattern, ctx));
  } else {
    matches = [];
    for (const { j, size } of blocks) for (let k = j; k < j + size; k++) matches.push(ctx.state[k]);
    extrasCount = ctx.state.length - matchedSize(ctx.matcher.blocks(region.present));
  }

  const { past, present, future } = segmentEvents(record.events, region.pastLength, region.present.length, matches[0]);
  let presentLength = 0;
  for (const event of present) presentLength += event.length;
  const m = matches.length;
  const evidence = record.length > 0 ? m / record.length : 0.0;
  const confidence = presentLength > 0 ? m / presentLength : 0.0;
  const snrDenominator = 2.0 * m + extrasCount;
  const snr = snrDenominator > 0 ? (2.0 * m - extrasCount) / snrDenominator : 0.0;
  const fragmentation = blocks.length - 1;
  return {
    record,
    similarity,
    matches,
    past,
    present,
    future,
    missing: missingPerEvent(present, matches),
    extras: extrasPerEvent(ctx.stm, present),
    anomalies,
    blocks: blocks.length,
    extrasCount,
    evidence,
    confidence,
    snr,
    fragmentation,
    pre: (evidence + confidence) * snr + fragmentationTerm(fragmentation),
  };
}
