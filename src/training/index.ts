/**
 * The training part's public surface: the canonical hierarchy algorithm, the trainer loop and a
 * whole training session, the KnowledgeBase it writes to (local or remote), node ids and digests.
 */
export { buildHierarchy, chunkEnds, levelPatterns, levelSymbols, upperSymbol } from './hierarchy.js';
export { DEFAULT_BATCH_TOKENS, DocumentPrepareError, train, type TrainOptions, type TrainSession } from './trainer.js';
export { DEFAULT_DATASET, runTraining, type TrainingReport, type TrainingRequest } from './session.js';
export { localKnowledgeBase, type KnowledgeBase, type PatternCount } from './knowledge-base.js';
export { remoteKnowledgeBase, type RemoteKnowledgeBase, type RemoteKnowledgeBaseOptions } from './remote-knowledge-base.js';
export { checkRunName, nodeLevel, runKbId, runNodeId } from './nodes.js';
export { runDigest, type LevelCounts } from './digest.js';
export { configHash, type TrainingConfig } from './config.js';
export type { HierarchySettings, PreparedHierarchy, RemainderPolicy } from './types.js';
