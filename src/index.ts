/**
 * kato-ts as a library: KATO pattern names, the session processor and predictions, the store,
 * GPT-2 text, datasets, the trainer, the HTTP server and client, and generation.
 */
export { bareName, chunkEvents, isBareName, patternName, prefixedName, PATTERN_PREFIX } from './engine/names.js';
export { kbIdFor } from './engine/kb-id.js';
export { compareCodePoints, sortSymbols } from './engine/symbols.js';
export type * from './engine/types.js';
export { KatoError, ValidationError, NotFoundError, ConflictError } from './errors.js';
export { openStore, openSqliteStore, databasePath } from './store/index.js';
export type { Store } from './store/types.js';
export { storePredictionSource } from './store/prediction-source.js';

export * as processor from './engine/processor/index.js';
export * as predictions from './engine/predictions/index.js';
export * as text from './text/index.js';
export * as datasets from './datasets/index.js';
export * as training from './training/index.js';
export * as server from './server/index.js';
export * as client from './client/index.js';
export * as generation from './generation/index.js';
