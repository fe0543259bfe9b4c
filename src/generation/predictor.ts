/**
 * Predictions with a memory: generating token after token re-activates the hierarchy on a context
 * that shifted a little, so most chunks (and their STMs) recur and their predictions are reused.
 */
import type { Event } from '../engine/types.js';
import type { Candidate, GenerationKb, PredictQuery } from './types.js';

/** STMs whose predictions are remembered by default. */
export const DEFAULT_PREDICTION_MEMORY = 4_096;

/** A level's ranked predictions for an STM. */
export type Predictor = (level: number, stm: readonly Event[], query: PredictQuery) => Promise<Candidate[]>;

/** `kb.predict` remembering the last `capacity` answers (a KB does not change while generating). */
export function memoPredictor(kb: GenerationKb, capacity: number = DEFAULT_PREDICTION_MEMORY): Predictor {
  const memory = new Map<string, Promise<Candidate[]>>();
  return (level, stm, query) => {
    const key = JSON.stringify([level, query.recallThreshold, query.maxPredictions, query.rankBy, stm]);
    let answer = memory.get(key);
    if (answer) {
      memory.delete(key);
    } else {
      answer = kb.predict(level, stm, query);
      // A failed request is not remembered, so a retry asks the KB again.
      answer.catch(() => memory.delete(key));
    }
    memory.set(key, answer);
    if (memory.size > capacity) memory.delete(memory.keys().next().value as string);
    return answer;
  };
}
