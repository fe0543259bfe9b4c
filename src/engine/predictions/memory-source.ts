/**
 * An in-memory node KB with KATO's learn semantics (server spec §7.4–7.5) that serves as a
 * PredictionSource — for tools and tests that predict without a store.
 */
import { averageEmotives, carriesAnnotations, emotiveWindow, mergeMetadata } from '../learning.js';
import { patternName } from '../names.js';
import { compareCodePoints } from '../symbols.js';
import type { Emotives, LearnItem, NodeTotals, PatternRecord, SymbolStats } from '../types.js';
import { addToCandidateIndex, createCandidateIndex, type CandidateIndex } from './candidate-index.js';
import type { PredictionSource } from './types.js';

/** A node KB held in memory. */
export interface MemoryKb {
  patterns: Map<string, PatternRecord>;
  symbols: Map<string, SymbolStats>;
  affinity: Map<string, Emotives>;
  totals: NodeTotals;
}

/** An empty in-memory KB. */
export function memoryKb(): MemoryKb {
  return {
    patterns: new Map(),
    symbols: new Map(),
    affinity: new Map(),
    totals: { totalSymbolsInPatternsFrequencies: 0, totalPatternFrequencies: 0, totalUniquePatterns: 0, distinctSymbols: 0 },
  };
}

/** Learns each item in order, as the store does; returns the bare names. */
export function learnInMemory(kb: MemoryKb, items: readonly LearnItem[], persistence = 5): string[] {
  return items.map((item) => {
    const flat = item.events.flat();
    const name = item.name ?? patternName(item.events);
    const emotives = item.emotives ?? [];
    const metadata = item.metadata ?? {};
    const existing = kb.patterns.get(name);
    const isNew = existing === undefined;
    if (existing) {
      existing.frequency += 1;
      if (carriesAnnotations(emotives, metadata)) {
        existing.emotives = emotiveWindow([...existing.emotives, ...emotives], persistence);
        existing.metadata = mergeMetadata(existing.metadata, metadata);
      }
    } else {
      kb.patterns.set(name, {
        name,
        events: item.events.map((e) => [...e]),
        length: flat.length,
        frequency: 1,
        emotives: emotiveWindow(emotives, persistence),
        metadata: { ...metadata },
      });
    }
    const distinct = new Set<string>();
    for (const s of flat) {
      let stats = kb.symbols.get(s);
      if (!stats) kb.symbols.set(s, (stats = { freq: 0, pmf: 0 }));
      stats.freq += 1;
      if (!distinct.has(s)) {
        distinct.add(s);
        if (isNew) stats.pmf += 1;
      }
    }
    if (emotives.length > 0) {
      const average = averageEmotives(emotives);
      for (const s of distinct) {
        const entry = kb.affinity.get(s) ?? {};
        for (const [k, v] of Object.entries(average)) entry[k] = (entry[k] ?? 0) + v;
        kb.affinity.set(s, entry);
      }
    }
    kb.totals.totalSymbolsInPatternsFrequencies += flat.length;
    if (isNew) {
      kb.totals.totalPatternFrequencies += 1;
      kb.totals.totalUniquePatterns += 1;
    }
    kb.totals.distinctSymbols = kb.symbols.size;
    return name;
  });
}

const copy = (r: PatternRecord): PatternRecord => structuredClone(r);

/**
 * A PredictionSource over the KB. With `indexed`, it also offers a candidate index (built from
 * the patterns in name order) so predictions take the indexed selection.
 */
export function memorySource(kb: MemoryKb, options: { indexed?: boolean; bitsetMinimum?: number } = {}): PredictionSource {
  const sorted = () => [...kb.patterns.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const source: PredictionSource = {
    async patternsWithAnySymbol(symbols) {
      const wanted = new Set(symbols);
      return sorted()
        .filter((p) => p.events.some((e) => e.some((s) => wanted.has(s))))
        .map(copy);
    },
    async patternsStartingWith(symbol) {
      return sorted()
        .filter((p) => p.events.length > 0 && p.events[0][0] === symbol)
        .map(copy);
    },
    async *allPatterns() {
      for (const p of sorted()) yield copy(p);
    },
    async symbolStats(symbols) {
      const out = new Map<string, SymbolStats>();
      for (const s of symbols) {
        const stats = kb.symbols.get(s);
        if (stats) out.set(s, { ...stats });
      }
      return out;
    },
    async totals() {
      return { ...kb.totals };
    },
    async affinities(symbols) {
      const out = new Map<string, Emotives>();
      for (const s of [...symbols].sort(compareCodePoints)) {
        const entry = kb.affinity.get(s);
        if (entry) out.set(s, { ...entry });
      }
      return out;
    },
  };
  if (options.indexed) {
    let index: CandidateIndex | null = null;
    let indexedCount = -1;
    source.candidateIndex = async () => {
      if (!index || indexedCount !== kb.patterns.size) {
        index = createCandidateIndex({ bitsetMinimum: options.bitsetMinimum });
        for (const p of sorted()) addToCandidateIndex(index, p.name, p.events);
        indexedCount = kb.patterns.size;
      }
      return index;
    };
    source.patternsByName = async (names) => {
      const out = new Map<string, PatternRecord>();
      for (const n of names) {
        const p = kb.patterns.get(n);
        if (p) out.set(n, copy(p));
      }
      return out;
    };
  }
  return source;
}
