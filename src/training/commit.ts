/**
 * Turning prepared documents into ledger commits: one DocumentCommit per document, its patterns
 * grouped by node, with bounded provenance metadata when the run asks for it.
 */
import type { LearnItem, PatternMetadata } from '../engine/types.js';
import type { DocumentCommit, NodeItems } from '../store/types.js';
import { levelPatterns } from './hierarchy.js';
import type { KnowledgeBase } from './knowledge-base.js';
import { runNodeId } from './nodes.js';
import type { PreparedHierarchy } from './types.js';

/** A document in stream order, ready to commit. */
export interface BatchDocument {
  readonly seq: number;
  /** Ledger key: the document's raw cursor. */
  readonly key: string;
  /** Raw cursor of the position right after the document. */
  readonly next: string;
  /** The record's id (the provenance value). */
  readonly id: string;
  /** What to learn; null when the document only advances the ledger (already applied, or skipped). */
  readonly hierarchy: PreparedHierarchy | null;
}

/** Decides the metadata of one learn: level, pattern name, document id → metadata or none. */
type MetadataOf = (level: number, name: string, docId: string) => PatternMetadata | undefined;

/** The commit of one document: its patterns on `<run>/node<l>` for every level it reached. */
export function documentCommit(run: string, doc: BatchDocument, metadataOf?: MetadataOf): DocumentCommit {
  const nodes: NodeItems[] = [];
  const hierarchy = doc.hierarchy;
  if (hierarchy) {
    for (let level = 0; level < hierarchy.levels.length; level++) {
      const items: LearnItem[] = levelPatterns(hierarchy, level);
      if (metadataOf) {
        for (const item of items) {
          const metadata = metadataOf(level, item.name!, doc.id);
          if (metadata) item.metadata = metadata;
        }
      }
      nodes.push({ kbId: runNodeId(run, level), items });
    }
  }
  return { key: doc.key, seq: doc.seq, nodes, tokens: hierarchy ? hierarchy.tokens.length : 0 };
}

/**
 * The commits of a batch in stream order. With a provenance cap, a pattern's learn carries
 * `{source: [<doc id>]}` only while the pattern has had fewer than `cap` learns, counting the KB's
 * frequency before the batch plus earlier learns in the batch: each pattern keeps the sources of
 * its first `cap` learns in stream order, whatever the batch boundaries.
 */
export async function batchCommits(
  kb: KnowledgeBase,
  run: string,
  docs: readonly BatchDocument[],
  provenanceCap: number,
): Promise<DocumentCommit[]> {
  if (provenanceCap <= 0) return docs.map((doc) => documentCommit(run, doc));
  const seen: Map<string, number>[] = [];
  for (const doc of docs) {
    doc.hierarchy?.levels.forEach((level, l) => {
      seen[l] ??= new Map();
      for (const name of level.names) seen[l].set(name, 0);
    });
  }
  for (let l = 0; l < seen.length; l++) {
    const stored = await kb.frequencies(runNodeId(run, l), [...seen[l].keys()]);
    for (const [name, frequency] of stored) seen[l].set(name, frequency);
  }
  const metadataOf: MetadataOf = (level, name, docId) => {
    const count = seen[level].get(name)!;
    seen[level].set(name, count + 1);
    return count < provenanceCap ? { source: [docId] } : undefined;
  };
  return docs.map((doc) => documentCommit(run, doc, metadataOf));
}
