/**
 * The symbol → pattern index of a store's nodes, held in memory per store and node and caught up
 * from the pattern log before every use: prediction candidates and the symbol queries of stores
 * that keep no index of their own.
 */
import {
  addToCandidateIndex,
  buildCommonLookups,
  createCandidateIndex,
  grown,
  renumberByName,
  slotName,
  type CandidateIndex,
} from '../engine/predictions/candidate-index.js';
import type { NodeTotals, PatternRecord } from '../engine/types.js';
import { KatoError } from '../errors.js';
import type { Store } from './types.js';

// The index of one node of one store: the row ids it covers, the node's counters as of its last
// catch-up, and a queue that serialises catch-ups.
export interface IndexedNode {
  index: CandidateIndex;
  /** Per slot of the index: the pattern's row id. */
  rowIds: Int32Array;
  /**
   * Per slot: the pattern's frequency as of the node's `changes` in `readAt` (−1: unknown), and
   * whether it holds emotives or stored metrics (then they are read from the store).
   */
  frequencies: Float64Array;
  readAt: Float64Array;
  annotated: Uint8Array;
  /** The node's count of changes to stored patterns, as of its last catch-up. */
  changes: number;
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
/** Default of `StorePredictionSourceOptions.renumberAfter`. */
export const RENUMBER_AFTER = 50_000;
const nodesByStore = new WeakMap<Store, Map<string, IndexedNode>>();

export function indexedNode(store: Store, kbId: string): IndexedNode {
  let nodes = nodesByStore.get(store);
  if (!nodes) nodesByStore.set(store, (nodes = new Map()));
  let node = nodes.get(kbId);
  if (!node) {
    node = { ...emptyNode(), pending: Promise.resolve() };
    nodes.set(kbId, node);
  }
  return node;
}

// What an index holds before it has read a row of the node.
function emptyNode(): Omit<IndexedNode, 'pending'> {
  return {
    index: createCandidateIndex(),
    rowIds: new Int32Array(1024),
    frequencies: new Float64Array(1024),
    readAt: new Float64Array(1024),
    annotated: new Uint8Array(1024),
    changes: 0,
    firstId: 0,
    lastId: 0,
    firstName: '',
    lastName: '',
    counters: NO_COUNTERS,
  };
}

function reset(node: IndexedNode): void {
  Object.assign(node, emptyNode());
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
        const slot = node.index.size;
        node.rowIds = grown(node.rowIds, slot + 1);
        node.frequencies = grown(node.frequencies, slot + 1);
        node.readAt = grown(node.readAt, slot + 1);
        node.annotated = grown(node.annotated, slot + 1);
        node.rowIds[slot] = row.id;
        node.frequencies[slot] = row.frequency;
        node.readAt[slot] = page.changes;
        node.annotated[slot] = row.annotated ? 1 : 0;
        addToCandidateIndex(node.index, row.name, row.events);
        node.lastId = row.id;
        node.lastName = row.name;
      }
      if (page.rows.length < LOG_PAGE) {
        consistent = page.counters.totalUniquePatterns === node.index.size;
        node.counters = page.counters;
        node.changes = page.changes;
        break;
      }
    }
    if (consistent) {
      // Name order makes ties at the pruning boundary cheap to break.
      const { index } = node;
      if (index.size - index.sortedCount >= Math.max(renumberAfter, index.sortedCount / 4)) {
        const slotOf = renumberByName(index);
        const size = Math.max(1024, index.size);
        const rowIds = new Int32Array(size);
        const frequencies = new Float64Array(size);
        const readAt = new Float64Array(size);
        const annotated = new Uint8Array(size);
        for (let old = 0; old < index.size; old++) {
          const slot = slotOf[old];
          rowIds[slot] = node.rowIds[old];
          frequencies[slot] = node.frequencies[old];
          readAt[slot] = node.readAt[old];
          annotated[slot] = node.annotated[old];
        }
        Object.assign(node, { rowIds, frequencies, readAt, annotated });
        buildCommonLookups(index);
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

/** The node's index, caught up with the log (catch-ups of one node run one at a time). */
export function caughtUpNode(store: Store, kbId: string, renumberAfter = RENUMBER_AFTER): Promise<IndexedNode> {
  const node = indexedNode(store, kbId);
  const ready = node.pending.then(() => catchUp(store, kbId, node, renumberAfter));
  node.pending = ready.catch(() => undefined);
  return ready.then(() => node);
}

// The records of the given slots, by name, in name order.
async function recordsAtSlots(store: Store, kbId: string, index: CandidateIndex, slots: Iterable<number>): Promise<PatternRecord[]> {
  const names: string[] = [];
  for (const slot of slots) names.push(slotName(index, slot));
  names.sort();
  const found = await store.getPatterns(kbId, names);
  const records: PatternRecord[] = [];
  for (const name of names) {
    const record = found.get(name);
    if (record) records.push(record);
  }
  return records;
}

/** The node's patterns that hold any of `symbols`, in name order, read through the index. */
export async function indexedPatternsWithAnySymbol(store: Store, kbId: string, symbols: readonly string[]): Promise<PatternRecord[]> {
  const { index } = await caughtUpNode(store, kbId);
  const slots = new Set<number>();
  for (const symbol of new Set(symbols)) {
    const id = index.symbolIds.get(symbol);
    if (id === undefined) continue;
    const posting = index.postings[id];
    for (let k = 0; k < index.postingLengths[id]; k++) slots.add(posting[k]);
  }
  return recordsAtSlots(store, kbId, index, slots);
}

/** The node's patterns whose first symbol is `symbol`, in name order, read through the index. */
export async function indexedPatternsStartingWith(store: Store, kbId: string, symbol: string): Promise<PatternRecord[]> {
  const { index } = await caughtUpNode(store, kbId);
  const id = index.symbolIds.get(symbol);
  if (id === undefined) return [];
  const slots: number[] = [];
  const posting = index.postings[id];
  const first = index.firstPositions[id];
  for (let k = 0; k < index.postingLengths[id]; k++) if (first[k] === 1) slots.push(posting[k]);
  return recordsAtSlots(store, kbId, index, slots);
}
