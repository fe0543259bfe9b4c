/**
 * A node's KB in a Store as a PredictionSource, with the node's prediction candidate index held
 * in memory per store and caught up from the pattern log before every prediction.
 */
import {
  addToCandidateIndex,
  createCandidateIndex,
  grown,
  renumberByName,
  slotEvents,
  slotName,
  type CandidateIndex,
} from '../engine/predictions/candidate-index.js';
import type { PredictionSource } from '../engine/predictions/types.js';
import type { NodeTotals, PatternRecord } from '../engine/types.js';
import { KatoError } from '../errors.js';
import type { Store } from './types.js';

/** Options of a store-backed prediction source. */
export interface StorePredictionSourceOptions {
  /** Keep and use the in-memory candidate index (default true). */
  candidateIndex?: boolean;
  /**
   * Renumber the index in name order once this many patterns (and a quarter of the index) have
   * been added since it last was (default 50,000).
   */
  renumberAfter?: number;
}

// The index of one node of one store: the row ids it covers, the node's counters as of its last
// catch-up, and a queue that serialises catch-ups.
interface IndexedNode {
  index: CandidateIndex;
  /** Per slot of the index: the pattern's row id. */
  rowIds: Int32Array;
  firstId: number;
  lastId: number;
  /** Names of the rows `firstId` and `lastId`. */
  firstName: string;
  lastName: string;
  counters: Omit<NodeTotals, 'distinctSymbols'>;
  pending: Promise<unknown>;
}

const NO_COUNTERS = { totalSymbolsInPatternsFrequencies: 0, totalPatternFrequencies: 0, totalUniquePatterns: 0 };

const LOG_PAGE = 20_000;
const RENUMBER_AFTER = 50_000;
const nodesByStore = new WeakMap<Store, Map<string, IndexedNode>>();

function indexedNode(store: Store, kbId: string): IndexedNode {
  let nodes = nodesByStore.get(store);
  if (!nodes) nodesByStore.set(store, (nodes = new Map()));
  let node = nodes.get(kbId);
  if (!node) {
    node = { index: createCandidateIndex(), rowIds: new Int32Array(1024), firstId: 0, lastId: 0, firstName: '', lastName: '', counters: NO_COUNTERS, pending: Promise.resolve() };
    nodes.set(kbId, node);
  }
  return node;
}

function reset(node: IndexedNode): void {
  node.index = createCandidateIndex();
  node.rowIds = new Int32Array(1024);
  node.firstId = 0;
  node.lastId = 0;
  node.firstName = '';
  node.lastName = '';
  node.counters = NO_COUNTERS;
}

// Reads the log from the last row the index holds; starts over when the rows it holds are gone.
async function catchUp(store: Store, kbId: string, node: IndexedNode, renumberAfter: number): Promise<CandidateIndex> {
  for (let attempt = 0; attempt < 3; attempt++) {
    let consistent = true;
    for (let first = true; ; first = false) {
      const size = node.index.size;
      const probes = first && size > 0 ? [node.firstId, node.lastId] : [];
      const page = await store.patternLog(kbId, node.lastId, LOG_PAGE, probes);
      if (
        probes.length > 0 &&
        (page.probes.get(node.firstId) !== node.firstName || page.probes.get(node.lastId) !== node.lastName)
      ) {
        consistent = false;
        break;
      }
      for (const row of page.rows) {
        if (node.index.size === 0) {
          node.firstId = row.id;
          node.firstName = row.name;
        }
        node.rowIds = grown(node.rowIds, node.index.size + 1);
        node.rowIds[node.index.size] = row.id;
        addToCandidateIndex(node.index, row.name, row.events);
        node.lastId = row.id;
        node.lastName = row.name;
      }
      if (page.rows.length < LOG_PAGE) {
        consistent = page.counters.totalUniquePatterns === node.index.size;
        node.counters = page.counters;
        break;
      }
    }
    if (consistent) {
      // Name order makes ties at the pruning boundary cheap to break.
      const { index } = node;
      if (index.size - index.sortedCount >= Math.max(renumberAfter, index.sortedCount / 4)) {
        const slotOf = renumberByName(index);
        const rowIds = new Int32Array(Math.max(1024, index.size));
        for (let old = 0; old < index.size; old++) rowIds[slotOf[old]] = node.rowIds[old];
        node.rowIds = rowIds;
      }
      return index;
    }
    reset(node);
  }
  throw new KatoError('PREDICTION_INDEX', `the patterns of node ${JSON.stringify(kbId)} kept changing while its index was read`, { kbId });
}

/** Drops the in-memory candidate index of a node (call after clearing the node). */
export function forgetCandidateIndex(store: Store, kbId: string): void {
  nodesByStore.get(store)?.delete(kbId);
}

/** The KB of node `kbId` in `store` as a PredictionSource. */
export function storePredictionSource(store: Store, kbId: string, options: StorePredictionSourceOptions = {}): PredictionSource {
  const source: PredictionSource = {
    patternsWithAnySymbol: (symbols) => store.patternsWithAnySymbol(kbId, symbols),
    patternsStartingWith: (symbol) => store.patternsStartingWith(kbId, symbol),
    allPatterns: () => store.allPatterns(kbId),
    symbolStats: (symbols) => store.symbolStats(kbId, symbols),
    totals: () => store.totals(kbId),
    affinities: (symbols) => store.affinities(kbId, symbols),
    patternsByName: (names) => store.getPatterns(kbId, names),
  };
  if (options.candidateIndex ?? true) {
    const caughtUp = () => {
      const node = indexedNode(store, kbId);
      const ready = node.pending.then(() => catchUp(store, kbId, node, options.renumberAfter ?? RENUMBER_AFTER));
      node.pending = ready.catch(() => undefined);
      return ready.then(() => node);
    };
    source.candidateIndex = async () => (await caughtUp()).index;
    // Events come from the index; the rest of each record by row id, checked against the name.
    source.patternsAtSlots = async (index, renumbered, slots) => {
      const node = indexedNode(store, kbId);
      if (node.index !== index || index.renumbered !== renumbered) return null;
      const rowIds = slots.map((slot) => node.rowIds[slot]);
      const annotations = await store.patternAnnotations(kbId, rowIds);
      if (node.index !== index || index.renumbered !== renumbered) return null;
      const records: PatternRecord[] = [];
      for (const [k, slot] of slots.entries()) {
        const annotation = annotations.get(rowIds[k]);
        const name = slotName(index, slot);
        if (!annotation || annotation.name !== name) return null;
        const events = slotEvents(index, slot);
        const record: PatternRecord = {
          name,
          events,
          length: index.tokenStart[slot + 1] - index.tokenStart[slot],
          frequency: annotation.frequency,
          emotives: annotation.emotives,
          metadata: {},
        };
        if (annotation.precomputed) record.precomputed = annotation.precomputed;
        records.push(record);
      }
      return records;
    };
    // The index knows the node's symbols, so totals need no count over the symbol table.
    source.totals = async () => {
      const node = await caughtUp();
      return { ...node.counters, distinctSymbols: node.index.symbols.length };
    };
    // A symbol's pmf is the number of patterns that contain it: the length of its posting list,
    // in the same catch-up as the counters (no read of the symbol table, no cache to invalidate).
    source.probabilityStats = async (symbols) => {
      const node = await caughtUp();
      const { index } = node;
      const symbolStats = new Map<string, { pmf: number }>();
      for (const s of symbols) {
        const id = index.symbolIds.get(s);
        if (id !== undefined && index.postingLengths[id] > 0) symbolStats.set(s, { pmf: index.postingLengths[id] });
      }
      return { totals: { ...node.counters, distinctSymbols: index.symbols.length }, symbolStats };
    };
  }
  return source;
}
