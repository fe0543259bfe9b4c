/**
 * KATO's predictions: `predict` over a node's KB through a `PredictionSource`, the candidate
 * index that keeps them fast, and finalize-training's precomputed metrics.
 */
export { predict } from './predict.js';
export { precomputedMetrics, precomputedMetricsOfNode } from './precomputed.js';
export {
  addToCandidateIndex,
  createCandidateIndex,
  selectCandidates,
  type CandidateIndex,
  type CandidateSelection,
} from './candidate-index.js';
export type {
  Anomaly,
  FuturePotential,
  Prediction,
  PredictionResult,
  PredictionSource,
  SingleSymbolPrediction,
} from './types.js';
