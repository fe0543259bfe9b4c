import { describe, expect, it } from 'vitest';
import { chunkEvents } from '../engine/names.js';
import type { DocumentCommit } from '../store/types.js';
import { commandKnowledgeBase, lineLogger, parseProtocol, parseServerUrl, serverWaitNotice } from './remote.js';
import { chunkObservations } from './remote-kato.js';
import { commitSlices } from './remote-knowledge-base.js';

const doc = (key: string, chunks: number): DocumentCommit => ({
  key,
  seq: Number(key.slice(1)),
  tokens: chunks * 8,
  nodes: [{ kbId: 'r/node0', items: Array.from({ length: chunks }, (_, i) => ({ events: chunkEvents(Array.from({ length: 8 }, (_, k) => `tok${i}-${k}`)) })) }],
});

describe('remote knowledge base helpers', () => {
  it('slices a batch into bounded bodies in order, keeping every document whole', () => {
    const docs = [doc('d0', 10), doc('d1', 10), doc('d2', 200), doc('d3', 1), doc('d4', 1)];
    const slices = commitSlices(docs, 4_000);
    expect(slices.flat().map((d) => d.key)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
    expect(slices.map((s) => s.map((d) => d.key))).toEqual([['d0', 'd1'], ['d2'], ['d3', 'd4']]);
    expect(commitSlices([], 4_000)).toEqual([]);
    expect(commitSlices(docs, Number.MAX_SAFE_INTEGER)).toHaveLength(1);
  });

  it('turns a chunk into one observation per symbol, spreading metadata values so KATO rebuilds each list', () => {
    const observations = chunkObservations({ events: chunkEvents(['a', 'b', 'c']), metadata: { source: ['doc1', 'doc2'], lang: ['en'] } });
    expect(observations).toEqual([
      { strings: ['a'], metadata: { source: 'doc1', lang: 'en' } },
      { strings: ['b'], metadata: { source: 'doc2' } },
      { strings: ['c'] },
    ]);
    expect(chunkObservations({ events: [['x', 'y']] })).toEqual([{ strings: ['x', 'y'] }]);
  });

  it('parses --protocol and --server, naming what is expected', () => {
    expect(parseProtocol(undefined)).toBe('native');
    expect(parseProtocol('kato')).toBe('kato');
    expect(() => parseProtocol('grpc')).toThrow(/--protocol must be native or kato; got 'grpc'/);
    expect(parseServerUrl('http://localhost:8000/kato')).toBe('http://localhost:8000/kato');
    expect(() => parseServerUrl('localhost:8000')).toThrow(/--server must be an http\(s\) URL/);
    expect(() => parseServerUrl('not a url')).toThrow(/--server must be an http\(s\) URL such as/);
    expect(() => commandKnowledgeBase({ protocol: 'kato', dataDir: '/nonexistent' }, 'kato train')).toThrow(/--protocol needs --server/);
  });

  it('writes client log lines as one readable line each', () => {
    const lines: string[] = [];
    const logger = lineLogger('kato train', (line) => lines.push(line));
    logger.warn({ baseUrl: 'http://x', last: 'ECONNREFUSED' }, 'server unreachable; waiting for /health');
    logger.info({}, 'server is healthy again; carrying on');
    logger.debug({ attempt: 2 }, 'retrying');
    expect(lines).toEqual([
      'kato train: server unreachable; waiting for /health (baseUrl=http://x last=ECONNREFUSED)\n',
      'kato train: server is healthy again; carrying on\n',
    ]);
  });

  it('says which server a command waits for, why, for how long and how to stop', () => {
    const lines: string[] = [];
    serverWaitNotice('kato train', (line) => lines.push(line))({ baseUrl: 'http://127.0.0.1:1', waitMs: 59_990, last: 'ECONNREFUSED' });
    serverWaitNotice('kato inspect', (line) => lines.push(line))({ baseUrl: 'http://x', waitMs: 60_000, last: 'status 503' });
    expect(lines).toEqual([
      'kato train: waiting up to 60 s for the kato server at http://127.0.0.1:1 (connection refused; Ctrl+C to stop)\n',
      'kato inspect: waiting up to 60 s for the kato server at http://x (status 503; Ctrl+C to stop)\n',
    ]);
  });
});
