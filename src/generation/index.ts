/**
 * The generation part's public surface: generating with provenance from a run's KB (embedded or
 * through a KATO server), reading a run's shape, and unravelling patterns back to tokens.
 */
export { ALIGN_HORIZON, WINDOW_CHUNKS, generate, generator, promptTokens, type Generator, type PromptTokens } from './generate.js';
export { localGenerationKb } from './local-kb.js';
export { RemoteRunError, remoteGenerationKb, remoteRunShape, type LocalLedger, type RemoteGenerationKb } from './remote-kb.js';
export { RunConfigError, runShape } from './shape.js';
export { PatternShapeError } from './levels.js';
export { DEFAULT_CACHE_PATTERNS, patternReader, type PatternReader } from './pattern-cache.js';
export { unravelPatterns, type NamedPattern, type UnravelledText } from './unravel.js';
export type * from './types.js';
