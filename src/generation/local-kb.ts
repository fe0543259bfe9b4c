/**
 * The embedded GenerationKb: predictions computed in-process by the engine over each level's
 * node of the run in the store, and batched pattern reads from the store.
 */
import { DEFAULT_CONFIG } from '../engine/processor/config.js';
import { predict } from '../engine/predictions/index.js';
import type { PredictionSource } from '../engine/predictions/index.js';
import type { Event, SessionConfig } from '../engine/types.js';
import { storePredictionSource } from '../store/prediction-source.js';
import type { Store } from '../store/types.js';
import { defaultServiceName, kbIdFor } from '../engine/kb-id.js';
import { runNodeId } from '../training/nodes.js';
import { candidateOf } from './candidates.js';
import type { GenerationKb, PredictQuery } from './types.js';

/**
 * The session config of a generation query: KATO's defaults with the query's threshold, cap and
 * ranking, and no filter pipeline (its stages only drop candidates after they are scored; the
 * recall threshold already bounds them, and the candidate index finds them fast).
 */
export function queryConfig(query: PredictQuery): SessionConfig {
  return {
    ...DEFAULT_CONFIG,
    recall_threshold: query.recallThreshold,
    max_predictions: query.maxPredictions,
    rank_sort_algo: query.rankBy,
    filter_pipeline: [],
  };
}

/** Generation over `run`'s nodes in `store`, each predicted through its store prediction source. */
export function localGenerationKb(store: Store, run: string, serviceName: string = defaultServiceName()): GenerationKb {
  const sources = new Map<number, PredictionSource>();
  const source = (level: number): PredictionSource => {
    let found = sources.get(level);
    if (!found) {
      // Level 0's symbols are tokens, some in a large share of its patterns: the in-memory
      // candidate index pays for its build there. Above it every symbol names one pattern below
      // and sits in a handful of patterns, so the store's symbol index finds them directly.
      found = storePredictionSource(store, kbIdFor(runNodeId(run, level), serviceName), { candidateIndex: level === 0 });
      sources.set(level, found);
    }
    return found;
  };
  return {
    async predict(level, stm, query) {
      const { predictions } = await predict(
        stm.map((event) => [...event]),
        queryConfig(query),
        source(level),
      );
      return predictions.map((p, rank) => candidateOf(level, rank, p, query.rankBy));
    },
    async getPatterns(level, names) {
      const records = await store.getPatterns(kbIdFor(runNodeId(run, level), serviceName), names);
      const out = new Map<string, Event[]>();
      for (const [name, record] of records) out.set(name, record.events);
      return out;
    },
    close: () => store.close(),
  };
}
