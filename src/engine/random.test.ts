import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom, zipfSampler } from './random.js';

const SRC = join(import.meta.dirname, '..');

/** Every TypeScript file under `directory`, recursively. */
function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('seededRandom', () => {
  it('gives the same sequence in [0, 1) for the same seed, and another for another seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const first = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    const c = seededRandom(8);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(first);
  });

  it('keeps the mulberry32 sequence, so seeded generations and corpora stay reproducible', () => {
    const random = seededRandom(1);
    expect(Array.from({ length: 3 }, () => Math.floor(random() * 2 ** 32))).toEqual([2693262067, 11749833, 2265367787]);
  });
});

describe('zipfSampler', () => {
  it('samples ranks in range, the first most often', () => {
    const sample = zipfSampler(50, 1.1, seededRandom(3));
    const counts = new Array<number>(50).fill(0);
    for (let i = 0; i < 5000; i++) counts[sample()]++;
    expect(counts.reduce((sum, n) => sum + n, 0)).toBe(5000);
    expect(Math.max(...counts)).toBe(counts[0]);
  });
});

describe('module boundaries', () => {
  it('takes seeded randomness from the engine: only benchmarks import from src/bench', () => {
    const offenders = sources(SRC)
      .filter((path) => !relative(SRC, path).startsWith('bench'))
      .filter((path) => /from '(?:\.\.?\/)+(?:\.\.\/)*bench\//.test(readFileSync(path, 'utf8')))
      .map((path) => relative(SRC, path));
    expect(offenders).toEqual([]);
  });
});
