/**
 * Shared helpers of the generation tests: learning documents into a store the way training does
 * (same hierarchy algorithm, node ids and run record), and the token range each pattern covers.
 */
import { configHash } from '../../src/training/config.js';
import { buildHierarchy, levelPatterns } from '../../src/training/hierarchy.js';
import { runKbId } from '../../src/training/nodes.js';
import type { HierarchySettings, PreparedHierarchy } from '../../src/training/types.js';
import type { Store } from '../../src/store/types.js';
import type { HierarchyShape } from '../../src/generation/types.js';

/**
 * Learns each token document's hierarchy into `run`'s nodes and records the run; returns the
 * hierarchies. Patterns named in `omit` are left out (a KB missing a child).
 */
export async function learnDocuments(
  store: Store,
  run: string,
  docs: readonly string[][],
  settings: HierarchySettings,
  omit: ReadonlySet<string> = new Set(),
): Promise<PreparedHierarchy[]> {
  const config = { ...settings, normalizer: { name: 'none', version: '1' } };
  await store.createRun(run, configHash(config), config);
  const hierarchies = docs.map((tokens) => buildHierarchy(tokens, settings));
  for (const hierarchy of hierarchies) {
    for (let level = 0; level < hierarchy.levels.length; level++) {
      const items = levelPatterns(hierarchy, level)
        .filter((p) => !omit.has(p.name))
        .map((p) => ({ events: p.events, name: p.name }));
      await store.learn(runKbId(run, level), items, { persistence: 5 });
    }
  }
  return hierarchies;
}

/** The generation shape of hierarchy settings with no normaliser. */
export function shapeOf(settings: HierarchySettings): HierarchyShape {
  return { levels: settings.levels, chunks: settings.chunks, normalizer: 'none' };
}

/** Per level, the token range [start, end) of each of the hierarchy's chunks. */
export function tokenRanges(hierarchy: PreparedHierarchy): { start: number; end: number }[][] {
  const ranges: { start: number; end: number }[][] = [];
  hierarchy.levels.forEach((level, l) => {
    const below = l === 0 ? null : ranges[l - 1];
    let start = 0;
    ranges.push(
      level.ends.map((end) => {
        const range = below ? { start: below[start].start, end: below[end - 1].end } : { start, end };
        start = end;
        return range;
      }),
    );
  });
  return ranges;
}
