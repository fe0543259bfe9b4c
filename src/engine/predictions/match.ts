/**
 * One candidate pattern against the state (server spec §8.3.2–8.6): recall similarity, filters,
 * alignment, matches, segmentation, fuzzy anomalies and the base metrics with the pruning key.
 */
import type { Event, PatternRecord, SessionConfig } from '../types.js';
import { compileFilterPipeline, type FilterFeatures, type FilterPipeline } from './filters.js';
import { sequenceMatcher, type SequenceMatcher } from './sequence-matcher.js';
import { characterSimilarity, tokenRatio, tokenSimilarity } from './similarity.js';
import type { Anomaly } from './types.js';

/** The symbols of `events` in order (Array.prototype.flat without its per-call overhead). */
export function flatten(events: readonly (readonly string[])[]): string[] {
  const out: string[] = [];
  for (const event of events) for (let i = 0; i < event.length; i++) out.push(event[i]);
  return out;
}

/** The state and the session settings every candidate is matched with. */
export interface MatchContext {
  stm: readonly Event[];
  /** The STM flattened. */
  state: readonly string[];
  stateSymbols: ReadonlySet<string>;
  /** The matcher of the state; its ids number the distinct state symbols. */
  matcher: SequenceMatcher;
  recallThreshold: number;
  tokenMode: boolean;
  /** 0 when fuzzy token matching is off. */
  fuzzyThreshold: number;
  pipeline: FilterPipeline;
  /** Identifies the settings that decide whether and how a candidate scores. */
  settingsKey: string;
  /** Per-query scratch and memos of `matchPattern`. */
  scratch: MatchScratch;
}

/** What `matchPattern` reuses across the candidates of one query. */
export interface MatchScratch {
  /** The candidate's symbols as state ids (−1 when not a state symbol). */
  ids: Int32Array;
  /** LCS rows over the state. */
  previous: Int32Array;
  current: Int32Array;
  /** Per state id: the stamp of the last candidate that matched it / held it in its present region. */
  matched: Int32Array;
  present: Int32Array;
  stamp: number;
  /** Fuzzy ratios of a pattern symbol against each state id. */
  ratios: Map<string, Float64Array>;
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
  const state = flatten(stm);
  const stateSymbols = new Set(state);
  const distinct = stateSymbols.size;
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
    scratch: {
      ids: new Int32Array(64),
      previous: new Int32Array(state.length + 1),
      current: new Int32Array(state.length + 1),
      matched: new Int32Array(distinct),
      present: new Int32Array(distinct),
      stamp: 0,
      ratios: new Map(),
    },
  };
}

/** `1/(fragmentation + 1)`, or 0 for a candidate without blocks. */
export function fragmentationTerm(fragmentation: number): number {
  return fragmentation === -1 ? 0 : 1 / (fragmentation + 1);
}

/** The filter features of a flat pattern with its similarity and block count. */
export function filterFeatures(pattern: readonly string[], similarity: number, blocks: number, ctx: MatchContext): FilterFeatures {
  const distinct = new Set(pattern);
  let shared = 0;
  for (const s of distinct) if (ctx.stateSymbols.has(s)) shared++;
  return { length: pattern.length, distinct: distinct.size, shared, similarity, blocks };
}

// LCS length of ids (−1 never equals a state id) against the state's ids, in the scratch rows.
function lcsOfIds(ids: Int32Array, n: number, ctx: MatchContext): number {
  const b = ctx.matcher.bIds;
  const m = b.length;
  if (n === 0 || m === 0) return 0;
  let prev = ctx.scratch.previous.fill(0);
  let cur = ctx.scratch.current.fill(0);
  for (let i = 0; i < n; i++) {
    const x = ids[i];
    // A symbol absent from the state matches nothing: its row would equal the previous one.
    if (x < 0) continue;
    for (let j = 0; j < m; j++) {
      cur[j + 1] = x === b[j] ? prev[j] + 1 : cur[j] > prev[j + 1] ? cur[j] : prev[j + 1];
    }
    const row = prev;
    prev = cur;
    cur = row;
  }
  return prev[m];
}

// The fuzzy ratio of pattern symbol `expected` against every distinct state symbol (memoised).
function ratiosOf(expected: string, ctx: MatchContext): Float64Array {
  let ratios = ctx.scratch.ratios.get(expected);
  if (!ratios) {
    ratios = new Float64Array(ctx.matcher.ids.size);
    for (const [observed, id] of ctx.matcher.ids) ratios[id] = tokenRatio(observed, expected);
    ctx.scratch.ratios.set(expected, ratios);
  }
  return ratios;
}

interface FuzzyOutcome {
  matches: string[];
  anomalies: Anomaly[];
  extrasCount: number;
}

// Each state token takes its best pattern token (first in pattern order on ties) when the ratio
// reaches the threshold; extras are the state tokens that took none. Marks the matched state ids.
function fuzzyMatch(pattern: readonly string[], ctx: MatchContext, stamp: number): FuzzyOutcome {
  const matches: string[] = [];
  const anomalies: Anomaly[] = [];
  let extrasCount = 0;
  const ratios = pattern.map((expected) => ratiosOf(expected, ctx));
  const stateIds = ctx.matcher.bIds;
  for (let k = 0; k < ctx.state.length; k++) {
    const observed = ctx.state[k];
    const id = stateIds[k];
    let best: string | null = null;
    let bestSimilarity = 0.0;
    for (let p = 0; p < pattern.length; p++) {
      const similarity = ratios[p][id];
      if (similarity >= ctx.fuzzyThreshold && similarity > bestSimilarity) {
        best = pattern[p];
        bestSimilarity = similarity;
      }
    }
    if (best === null) {
      extrasCount++;
      continue;
    }
    matches.push(observed);
    ctx.scratch.matched[id] = stamp;
    if (observed !== best) anomalies.push({ observed, expected: best, similarity: bestSimilarity });
  }
  return { matches, anomalies, extrasCount };
}

// The events of a region. A record's arrays belong to the prediction made from it (sources hand
// out fresh records), so a region shares them: nothing downstream changes an event.
const region = (events: readonly Event[], from: number, to: number): Event[] => events.slice(from, to);

/** Matches one candidate; null when the filters, the recall threshold or the alignment drop it. */
export function matchPattern(record: PatternRecord, ctx: MatchContext): PatternMatch | null {
  const events = record.events;
  const scratch = ctx.scratch;
  let n = 0;
  for (const event of events) n += event.length;
  if (scratch.ids.length < n) scratch.ids = new Int32Array(Math.max(n, 2 * scratch.ids.length));
  const ids = scratch.ids;
  const stateIds = ctx.matcher.ids;
  for (let e = 0, p = 0; e < events.length; e++) {
    const event = events[e];
    for (let x = 0; x < event.length; x++) ids[p++] = stateIds.get(event[x]) ?? -1;
  }
  // The flat pattern as strings, only where a step reads the symbols themselves.
  let flat: string[] | null = null;
  const pattern = () => (flat ??= flatten(events));

  const similarity = ctx.tokenMode
    ? tokenSimilarity(lcsOfIds(ids, n, ctx), n, ctx.state.length)
    : characterSimilarity(pattern(), ctx.state);
  if (!(similarity >= ctx.recallThreshold)) return null;
  const blocks = ctx.matcher.blocksOfIds(ids, 0, n);
  if (!ctx.pipeline.passAll && !ctx.pipeline.keeps(filterFeatures(pattern(), similarity, blocks.length, ctx))) return null;
  // Without a block only threshold 0 keeps a candidate (char mode can score > 0 without one).
  if (blocks.length === 0 && ctx.recallThreshold > 0) return null;

  // Past and present regions of the flat pattern from the alignment's first and last blocks.
  let pastLength = 0;
  let presentEnd = n;
  if (blocks.length > 0) {
    const first = blocks[0];
    pastLength = first.i;
    if (blocks.length === 1) presentEnd = first.i + first.size;
    else {
      const last = blocks[blocks.length - 1];
      const end = last.i + last.size;
      presentEnd = end > first.i ? end : n;
    }
  }
  const presentLength = presentEnd - pastLength;

  const stamp = ++scratch.stamp;
  let matches: string[];
  let anomalies: Anomaly[] = [];
  let extrasCount: number;
  if (ctx.fuzzyThreshold > 0) {
    ({ matches, anomalies, extrasCount } = fuzzyMatch(pattern(), ctx, stamp));
  } else {
    let size = 0;
    for (const block of blocks) size += block.size;
    matches = new Array(size);
    const stateIdList = ctx.matcher.bIds;
    let next = 0;
    for (const { j, size } of blocks) {
      for (let k = j; k < j + size; k++) {
        matches[next++] = ctx.state[k];
        scratch.matched[stateIdList[k]] = stamp;
      }
    }
    extrasCount = ctx.state.length - ctx.matcher.matchedCount(ids, pastLength, presentEnd);
  }

  // Temporal segmentation (§8.4): past rounds up to an event boundary, present continues from
  // the overshoot, and the last past event joins the present when it holds the first match.
  let covered = 0;
  let e = 0;
  while (covered < pastLength) covered += events[e++].length;
  let presentStart = e;
  while (covered < pastLength + presentLength) covered += events[e++].length;
  const presentStop = e;
  const firstMatch = matches[0];
  if (presentStart > 0 && firstMatch !== undefined && events[presentStart - 1].includes(firstMatch)) presentStart--;

  // Missing: present symbols that are not among the matches; extras: STM symbols that are not
  // in the present events (membership, by state id).
  let offset = 0;
  for (let x = 0; x < presentStart; x++) offset += events[x].length;
  const present = region(events, presentStart, presentStop);
  const missing: Event[] = new Array(present.length);
  let at = 0;
  let presentSymbols = 0;
  for (const event of present) {
    let absent = 0;
    for (let x = 0; x < event.length; x++) {
      const id = ids[offset + x];
      if (id >= 0) scratch.present[id] = stamp;
      if (id < 0 || scratch.matched[id] !== stamp) absent++;
    }
    if (absent === 0 || absent === event.length) missing[at++] = absent === 0 ? [] : event;
    else {
      const out: string[] = new Array(absent);
      for (let x = 0, k = 0; x < event.length; x++) {
        const id = ids[offset + x];
        if (id < 0 || scratch.matched[id] !== stamp) out[k++] = event[x];
      }
      missing[at++] = out;
    }
    offset += event.length;
    presentSymbols += event.length;
  }
  const extras: Event[] = new Array(ctx.stm.length);
  const stateIdList = ctx.matcher.bIds;
  for (let k = 0, x = 0; x < ctx.stm.length; x++) {
    const event = ctx.stm[x];
    let outside = 0;
    for (let y = 0; y < event.length; y++) if (scratch.present[stateIdList[k + y]] !== stamp) outside++;
    if (outside === 0 || outside === event.length) extras[x] = outside === 0 ? [] : event.slice();
    else {
      const out: string[] = new Array(outside);
      for (let y = 0, z = 0; y < event.length; y++) if (scratch.present[stateIdList[k + y]] !== stamp) out[z++] = event[y];
      extras[x] = out;
    }
    k += event.length;
  }

  const m = matches.length;
  const evidence = record.length > 0 ? m / record.length : 0.0;
  const confidence = presentSymbols > 0 ? m / presentSymbols : 0.0;
  const snrDenominator = 2.0 * m + extrasCount;
  const snr = snrDenominator > 0 ? (2.0 * m - extrasCount) / snrDenominator : 0.0;
  const fragmentation = blocks.length - 1;
  return {
    record,
    similarity,
    matches,
    past: region(events, 0, presentStart),
    present,
    future: region(events, presentStop, events.length),
    missing,
    extras,
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
