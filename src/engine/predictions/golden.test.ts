/**
 * Golden predictions: the full JSON of predictions for fixed STMs and session configurations
 * against deterministic KBs (SQLite with and without the candidate index, and in memory), compared
 * byte for byte with the recorded fixture. `KATO_WRITE_GOLDEN=1` rewrites the fixture.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../store/index.js';
import { storePredictionSource } from '../../store/prediction-source.js';
import type { Store } from '../../store/types.js';
import { DEFAULT_CONFIG } from '../processor/config.js';
import type { Event, LearnItem, SessionConfig } from '../types.js';
import { learnInMemory, memoryKb, memorySource } from './memory-source.js';
import { predict } from './predict.js';
import { precomputedMetricsOfNode } from './precomputed.js';
import type { PredictionSource } from './types.js';

const FIXTURE = new URL('./__fixtures__/golden-predictions.json', import.meta.url);
const WRITE = process.env.KATO_WRITE_GOLDEN === '1';

function generator(seed: number) {
  let s = seed >>> 0;
  const random = () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(random() * n);
  return { random, int };
}

// A skewed vocabulary with near-duplicates (fuzzy matching) and symbols whose code-point order
// differs from UTF-16 order or that are prefixes of one another.
const WORDS = Array.from({ length: 36 }, (_, i) => `w${i}`);
const SPECIAL = ['banana', 'cherry', 'apple', 'é', 'Ω', '𝔸x', '\uE000z', 'Zed', 'a', 'ab', 'VECTOR|3f2a', 'PTRN|0a1b'];
const VARIANTS = ['bannana', 'chery', 'appel', 'w1x', 'W2', 'ab '];

function vocabularyPick(int: (n: number) => number, random: () => number): string {
  if (random() < 0.15) return SPECIAL[int(SPECIAL.length)];
  return WORDS[Math.floor(random() ** 2.2 * WORDS.length)];
}

function items(seed: number, count: number): LearnItem[] {
  const { random, int } = generator(seed);
  const out: LearnItem[] = [];
  for (let n = 0; n < count; n++) {
    if (out.length > 10 && random() < 0.2) {
      // A relearn, sometimes with emotives.
      const again = out[int(out.length)];
      out.push(random() < 0.5 ? { events: again.events, emotives: [{ joy: int(9) - 3, fear: random() }] } : { events: again.events });
      continue;
    }
    const events: Event[] = [];
    const eventCount = 1 + int(6);
    for (let e = 0; e < eventCount; e++) {
      const size = random() < 0.75 ? 1 : 2 + int(2);
      events.push(Array.from({ length: size }, () => vocabularyPick(int, random)));
    }
    if (events.flat().length < 2) events.push([vocabularyPick(int, random)]);
    const item: LearnItem = { events };
    if (random() < 0.1) item.emotives = [{ joy: random() * 2 - 1, ...(random() < 0.5 ? { fear: int(4) } : {}) }];
    if (random() < 0.05) item.metadata = { source: [`doc${int(5)}`] };
    out.push(item);
  }
  return out;
}

function stms(seed: number, learned: readonly LearnItem[]): Event[][] {
  const { random, int } = generator(seed);
  const out: Event[][] = [];
  // Windows of learned patterns, sometimes with a symbol changed or a fuzzy variant.
  for (let q = 0; q < 22; q++) {
    const events = learned[int(learned.length)].events;
    const start = int(Math.max(1, events.length - 1));
    let stm = events.slice(start, start + 2 + int(4)).map((e) => [...e]);
    if (stm.flat().length < 2) stm = [...stm, [vocabularyPick(int, random)]];
    if (q % 4 === 1) stm[int(stm.length)].push(vocabularyPick(int, random));
    if (q % 5 === 2) stm.push([VARIANTS[int(VARIANTS.length)]]);
    out.push(stm);
  }
  // Random STMs, some with multi-symbol events.
  for (let q = 0; q < 16; q++) {
    const stm: Event[] = [];
    for (let e = 0, n = 2 + int(6); e < n; e++) stm.push(Array.from({ length: random() < 0.8 ? 1 : 2 }, () => vocabularyPick(int, random)));
    out.push(stm);
  }
  // Single symbols (the fast path), unknown symbols, fuzzy variants, a long STM (beyond the index).
  out.push([['w0']], [['banana']], [['nope']], [['nope'], ['nada']], [['w3'], ['nope']]);
  out.push([['bannana'], ['chery']], [['appel'], ['w0'], ['w1x']], [['banana', 'cherry'], ['apple']]);
  out.push(Array.from({ length: 34 }, (_, i) => [WORDS[(i * 7) % 12]]));
  out.push([['w0'], ['w0'], ['w0'], ['w1']], [['é', 'Ω'], ['𝔸x'], ['\uE000z', 'a']], [['ab'], ['a'], ['Zed']]);
  return out;
}

const config = (over: Partial<SessionConfig>): SessionConfig => ({ ...DEFAULT_CONFIG, ...over });

const RANKINGS = ['similarity', 'evidence', 'frequency', 'normalized_entropy', 'global_normalized_entropy', 'itfdf_similarity',
  'confluence', 'predictive_information', 'bayesian_posterior', 'tfidf_score', 'snr', 'fragmentation', 'entropy'];

interface Case {
  label: string;
  source: 'indexed' | 'scored' | 'tiny';
  stm: Event[];
  config: SessionConfig;
}

function cases(learned: readonly LearnItem[]): Case[] {
  const all: Case[] = [];
  const queries = stms(11, learned);
  queries.forEach((stm, q) => {
    const add = (label: string, over: Partial<SessionConfig>, source: Case['source'] = 'indexed') =>
      all.push({ label: `${q}:${label}:${source}`, source, stm, config: config(over) });
    add('default', {});
    add(`rank ${RANKINGS[q % RANKINGS.length]}`, { max_predictions: 7, rank_sort_algo: RANKINGS[q % RANKINGS.length] });
    if (q % 2 === 0) add('affinity joy', { max_predictions: q % 3 === 0 ? 100 : 12, affinity_emotive: 'joy' });
    if (q % 2 === 1) add('fuzzy 0.7', { max_predictions: 12, fuzzy_token_threshold: 0.7 });
    if (q % 3 === 0) add('threshold 0.3', { max_predictions: 10, recall_threshold: 0.3 });
    if (q % 6 === 0) add('characters', { max_predictions: 10, use_token_matching: false });
    if (q % 6 === 0) add('filters', { max_predictions: 10, filter_pipeline: ['length', 'jaccard'], jaccard_min_overlap: 1, jaccard_threshold: 0.1 });
    if (q % 5 === 0) add('default', {}, 'scored');
    if (q % 7 === 0) add('affinity fear', { max_predictions: 9, affinity_emotive: 'fear', fuzzy_token_threshold: 0.6 }, 'scored');
    if (q % 2 === 0) add('threshold 0', { recall_threshold: 0, max_predictions: 6 + (q % 3) }, 'tiny');
    if (q % 4 === 1) add('threshold 0 affinity', { recall_threshold: 0, affinity_emotive: 'joy', rank_sort_algo: 'weighted_snr' }, 'tiny');
  });
  return all;
}

interface Recorded {
  label: string;
  sha256: string;
  /** The JSON itself for results small enough to read. */
  json?: string;
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

describe('golden predictions', () => {
  const root = mkdtempSync(join(tmpdir(), 'kato-golden-'));
  let store: Store;
  const learned = items(5, 2600);
  const later = items(6, 120);
  const sources: Record<Case['source'], PredictionSource> = {} as Record<Case['source'], PredictionSource>;

  beforeAll(async () => {
    store = openStore(join(root, 'kb'));
    for (let i = 0; i < learned.length; i += 500) await store.learn('golden', learned.slice(i, i + 500), { persistence: 5 });
    // Finalize-training over the node, stored for the patterns whose name starts with 0–9; then more learning.
    const metrics = await precomputedMetricsOfNode(store.allPatterns('golden'), await store.allSymbolStats('golden'), await store.totals('golden'));
    await store.savePrecomputed('golden', new Map([...metrics].filter(([name]) => /^[0-9]/.test(name))));
    await store.learn('golden', later, { persistence: 5 });
    sources.indexed = storePredictionSource(store, 'golden');
    sources.scored = storePredictionSource(store, 'golden', { candidateIndex: false });
    const tiny = memoryKb();
    learnInMemory(tiny, items(7, 14));
    sources.tiny = memorySource(tiny, { indexed: true });
  });
  afterAll(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('reproduces every recorded prediction byte for byte', async () => {
    const recorded: Recorded[] = [];
    for (const c of cases([...learned, ...later])) {
      const json = JSON.stringify(await predict(c.stm, c.config, sources[c.source]));
      const entry: Recorded = { label: c.label, sha256: digest(json) };
      if (json.length < 8_000) entry.json = json;
      recorded.push(entry);
    }
    if (WRITE) writeFileSync(FIXTURE, JSON.stringify({ cases: recorded }, null, 1) + '\n');
    const expected = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: Recorded[] }).cases;
    expect(recorded.map((r) => r.label)).toEqual(expected.map((r) => r.label));
    for (let i = 0; i < expected.length; i++) {
      if (expected[i].json !== undefined) expect(recorded[i].json, expected[i].label).toBe(expected[i].json);
      expect(recorded[i].sha256, expected[i].label).toBe(expected[i].sha256);
    }
    // The fixture exercises non-trivial outputs.
    expect(expected.filter((r) => r.json === undefined).length).toBeGreaterThan(20);
    expect(expected.filter((r) => r.json !== undefined && r.json.length > 200).length).toBeGreaterThan(25);
  });
});
