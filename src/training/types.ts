/**
 * Shared types of the training part: the hierarchy settings, a document's prepared hierarchy
 * (the form worker threads hand back), and what a training session reports.
 */

/**
 * What happens to a level's final chunk when only one symbol is left over:
 * `merge` joins it to the previous chunk (the canonical rule); `drop` leaves it unlearned.
 */
export type RemainderPolicy = 'merge' | 'drop';

/** The settings of the canonical hierarchy algorithm. */
export interface HierarchySettings {
  /** Number of levels (nodes) learned: level 0 … levels-1. */
  readonly levels: number;
  /** Chunk size per level; `chunks.length === levels`, each at least 2. */
  readonly chunks: readonly number[];
  readonly remainder: RemainderPolicy;
}

/** One level of a document's hierarchy: where its chunks end and the name of each. */
export interface PreparedLevel {
  /** End offset (exclusive) of each chunk in the level's symbol sequence, ascending. */
  readonly ends: readonly number[];
  /** Bare 40-hex pattern name of each chunk. */
  readonly names: readonly string[];
  /** Symbols at the end of the sequence left unlearned by the remainder policy. */
  readonly dropped: number;
}

/**
 * A document's hierarchy in compact form: level 0's symbols are `tokens`; level l+1's symbols
 * are `PTRN|` + the names of level l. Levels that learned nothing are absent.
 */
export interface PreparedHierarchy {
  readonly tokens: readonly string[];
  readonly levels: readonly PreparedLevel[];
}

/** A dataset record prepared for commit. */
export interface PreparedDocument extends PreparedHierarchy {
  /** Position of the document in the run's stream order. */
  readonly seq: number;
}

/** A pattern of one level, ready to learn: its events and its precomputed bare name. */
export interface LevelPattern {
  readonly events: string[][];
  readonly name: string;
}
