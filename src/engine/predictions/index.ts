/**
 * KATO's predictions: `predict` over a node's KB through a `PredictionSource`, the candidate
 * index that keeps them fast, and finalize-training's precomputed metrics.
 */
export { predict } from './predict.js';
export { precomputedMetrics, precomputedMetricsOfNode } from './precomputed.js';
export { addToCandidateIndex, createCandidateIndex, type CandidateIndex } from './candidate-index.js';
export { selectCandidates, type CandidateSelection } from './candidate-selection.js';
export type {
  Anomaly,
  FuturePotential,
  Prediction,
  PredictionResult,
  PredictionSource,
  SingleSymbolPrediction,
} from './types.js';
