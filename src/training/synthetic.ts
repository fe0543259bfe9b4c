/**
 * A seeded synthetic corpus: documents of pseudo-words drawn from a Zipf distribution over a
 * fixed vocabulary, written as JSONL, for growth benchmarks and tests that need any amount of text.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { seededRandom, zipfSampler } from '../engine/random.js';

/** The shape of a synthetic corpus. */
export interface SyntheticCorpusOptions {
  readonly seed: number;
  readonly documents: number;
  /** Distinct words (default 50,000). */
  readonly vocabulary?: number;
  /** Zipf exponent of word ranks (default 1.0). */
  readonly exponent?: number;
  /** Words per document, drawn uniformly from [minWords, maxWords] (default 200–2,000). */
  readonly minWords?: number;
  readonly maxWords?: number;
}

const ONSETS = ['b', 'br', 'c', 'ch', 'd', 'f', 'g', 'gr', 'h', 'k', 'l', 'm', 'n', 'p', 'pl', 'r', 's', 'st', 't', 'th', 'v', 'w', 'z'];
const NUCLEI = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ou'];
const CODAS = ['', '', 'n', 'r', 's', 't', 'l', 'nd', 'ck'];

/** `size` distinct pronounceable pseudo-words, the same for the same seed. */
export function syntheticVocabulary(size: number, seed: number): string[] {
  const random = seededRandom(seed ^ 0x5eed);
  const pick = (list: readonly string[]): string => list[Math.floor(random() * list.length)];
  const words = new Set<string>();
  while (words.size < size) {
    const syllables = 1 + Math.floor(random() * 3);
    let word = '';
    for (let s = 0; s < syllables; s++) word += pick(ONSETS) + pick(NUCLEI) + pick(CODAS);
    words.add(word);
  }
  return [...words];
}

/** The documents of the corpus, in order: sentences of Zipf-drawn words. */
export function* syntheticDocuments(options: SyntheticCorpusOptions): Generator<string> {
  const vocabulary = syntheticVocabulary(options.vocabulary ?? 50_000, options.seed);
  const random = seededRandom(options.seed);
  const rank = zipfSampler(vocabulary.length, options.exponent ?? 1.0, random);
  const minWords = options.minWords ?? 200;
  const maxWords = options.maxWords ?? 2_000;
  for (let d = 0; d < options.documents; d++) {
    const words = minWords + Math.floor(random() * (maxWords - minWords + 1));
    const parts: string[] = [];
    let sentence = 0;
    for (let w = 0; w < words; w++) {
      let word = vocabulary[rank()];
      if (sentence === 0) word = word[0].toUpperCase() + word.slice(1);
      sentence++;
      // Sentences of 5–24 words.
      if (sentence >= 5 && random() < 0.08) {
        word += '.';
        sentence = 0;
      }
      parts.push(word);
    }
    yield parts.join(' ');
  }
}

/** Writes the corpus to `path` as JSONL (`{"id": "syn-<n>", "text": …}` per line). */
export async function writeSyntheticJsonl(path: string, options: SyntheticCorpusOptions): Promise<void> {
  const out = createWriteStream(path);
  let n = 0;
  for (const text of syntheticDocuments(options)) {
    if (!out.write(`${JSON.stringify({ id: `syn-${n++}`, text })}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
