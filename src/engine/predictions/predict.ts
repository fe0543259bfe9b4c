/**
 * KATO's prediction generation (server spec §8): entry conditions, candidate selection (indexed
 * or by scoring every candidate), pruning, ensemble metrics, ranking and the max_predictions cap.
 */
import { compareCodePoints } from '../symbols.js';
import type { Event, PatternRecord, SessionConfig } from '../types.js';
import { symbolWeights } from './affinity.js';
import { selectCandidates } from './candidate-selection.js';
import { ensemblePredictions, probabilitySymbols } from './ensemble.js';
import { matchContext, matchPattern, type MatchContext, type PatternMatch } from './match.js';
import { pruneMatches, rankPredictions } from './ranking.js';
import { singleSymbolPredictions } from './single-symbol.js';
import type { PredictionResult, PredictionSource } from './types.js';

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

// Scores every candidate the recall threshold allows, in name order, and prunes.
async function scoredCandidates(ctx: MatchContext, source: PredictionSource, limit: number): Promise<PatternMatch[]> {
  let records: PatternRecord[];
  if (ctx.recallThreshold > 0) {
    // A kept candidate has a matching block, hence a symbol in common with the state.
    records = await source.patternsWithAnySymbol([...ctx.stateSymbols].sort(compareCodePoints));
  } else {
    records = [];
    for await (const record of source.allPatterns()) records.push(record);
  }
  records.sort(byName);
  const matches: PatternMatch[] = [];
  for (const record of records) {
    const match = matchPattern(record, ctx);
    if (match) matches.push(match);
  }
  return pruneMatches(matches, limit);
}

// The kept set from the source's candidate index, or null when the generic path must run.
async function indexedCandidates(ctx: MatchContext, source: PredictionSource, limit: number): Promise<PatternMatch[] | null> {
  if (!source.candidateIndex || !source.patternsByName) return null;
  const index = await source.candidateIndex();
  const renumbered = index.renumbered;
  const selection = selectCandidates(index, ctx, limit);
  if (selection === null) return null;
  const atSlots = source.patternsAtSlots ? await source.patternsAtSlots(index, renumbered, selection.slots, selection.names) : null;
  const named = atSlots ? null : await source.patternsByName(selection.names);
  const matches: PatternMatch[] = [];
  for (const [k, name] of selection.names.entries()) {
    const record = atSlots ? atSlots[k] : named!.get(name);
    // The KB changed under the index (a node cleared meanwhile): score from the KB itself.
    if (!record) return null;
    const match = matchPattern(record, ctx);
    if (!match) return null;
    matches.push(match);
  }
  return matches;
}

/** Predictions for an STM under a session configuration, from a node's KB. */
export async function predict(stm: Event[], config: SessionConfig, source: PredictionSource): Promise<PredictionResult> {
  const state = stm.flat();
  if (state.length === 0) return { predictions: [], futurePotentials: [] };
  if (state.length === 1) return { predictions: await singleSymbolPredictions(state[0], config, source), futurePotentials: [] };

  const ctx = matchContext(stm, config);
  if (ctx.pipeline.rejectsAll) return { predictions: [], futurePotentials: [] };
  const limit = 3 * config.max_predictions;
  const kept = ((await indexedCandidates(ctx, source, limit)) ?? (await scoredCandidates(ctx, source, limit))).sort((a, b) =>
    byName(a.record, b.record),
  );
  if (kept.length === 0) return { predictions: [], futurePotentials: [] };

  const emotive = config.affinity_emotive ? config.affinity_emotive : null;
  const stateSymbols = [...ctx.stateSymbols].sort(compareCodePoints);
  const wanted = probabilitySymbols(kept);
  const [{ symbolStats, totals }, weights] = await Promise.all([
    source.probabilityStats
      ? source.probabilityStats(wanted)
      : Promise.all([source.symbolStats(wanted), source.totals()]).then(([symbolStats, totals]) => ({ symbolStats, totals })),
    // Weights read the state symbols' occurrence counts (freq) with their affinities.
    emotive
      ? Promise.all([source.affinities(stateSymbols), source.symbolStats(stateSymbols)]).then(([affinities, stats]) =>
          symbolWeights(stateSymbols, affinities, stats, emotive),
        )
      : null,
  ]);
  const { predictions, futurePotentials } = ensemblePredictions(kept, { state, symbolStats, totals, weights });
  return { predictions: rankPredictions(predictions, config.rank_sort_algo, config.max_predictions), futurePotentials };
}
