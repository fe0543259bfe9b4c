/**
 * A run's digest and per-level counts: SHA-256 over `"<level>\t<name>\t<frequency>\n"` for every
 * pattern, by level then bare name. Two KBs with the same digest hold the same patterns and counts.
 */
import { createHash } from 'node:crypto';
import type { KnowledgeBase } from './knowledge-base.js';
import { nodeLevel, runNodeId } from './nodes.js';

/** One level's counts: distinct patterns and total frequency (= learns). */
export interface LevelCounts {
  readonly level: number;
  readonly nodeId: string;
  /** Learns at this level (sum of frequencies). */
  readonly learned: number;
  /** Distinct patterns at this level. */
  readonly distinct: number;
  /** 1 − distinct/learned: the share of learns that repeated a known pattern. */
  readonly dedup: number;
}

/** The counts of one level from its distinct patterns and learns. */
export function levelCounts(level: number, nodeId: string, distinct: number, learned: number): LevelCounts {
  return { level, nodeId, learned, distinct, dedup: learned === 0 ? 0 : 1 - distinct / learned };
}

/** The levels 0 … n−1 to report for a run: at least `levels`, and every level holding data. */
async function reportedLevels(kb: KnowledgeBase, run: string, levels: number): Promise<number[]> {
  let top = levels;
  for (const nodeId of await kb.runNodes(run)) top = Math.max(top, (nodeLevel(run, nodeId) ?? 0) + 1);
  return Array.from({ length: top }, (_, level) => level);
}

/** The run's per-level counts and digest, streaming every pattern once. */
export async function runDigest(kb: KnowledgeBase, run: string, levels: number): Promise<{ digest: string; levels: LevelCounts[] }> {
  const hash = createHash('sha256');
  const counts: LevelCounts[] = [];
  for (const level of await reportedLevels(kb, run, levels)) {
    const nodeId = runNodeId(run, level);
    let distinct = 0;
    let learned = 0;
    let lines = '';
    for await (const { name, frequency } of kb.patternCounts(nodeId)) {
      distinct++;
      learned += frequency;
      lines += `${level}\t${name}\t${frequency}\n`;
      // Hash in slices so a level of millions of patterns never builds one huge string.
      if (lines.length >= 1 << 16) {
        hash.update(lines);
        lines = '';
      }
    }
    hash.update(lines);
    counts.push(levelCounts(level, nodeId, distinct, learned));
  }
  return { digest: hash.digest('hex'), levels: counts };
}
