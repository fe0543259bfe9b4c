import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MANIFEST_FORMAT,
  readSessionFlags,
  resumeCommand,
  resumeCommandLine,
  runActivity,
  sessionFlagsPath,
  writeSessionFlags,
  type RunManifest,
} from './manifest.js';

const root = mkdtempSync(join(tmpdir(), 'kato-manifest-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function manifest(extra: Partial<RunManifest> = {}): RunManifest {
  return {
    format: MANIFEST_FORMAT,
    run: 'wiki',
    knowledgeBase: 'local',
    status: 'max-docs',
    configHash: 'h',
    config: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    docs: 5,
    tokens: 500,
    watermark: null,
    levels: [],
    digest: null,
    skipped: [],
    sessions: [],
    ...extra,
  };
}

const LIVE = 100;
const DEAD = 200;
const alive = (pid: number): boolean => pid === LIVE;

describe('runActivity', () => {
  it('is training while a live process holds the lock', () => {
    expect(runActivity(manifest({ status: 'running', pid: LIVE }), LIVE, alive)).toEqual({ state: 'training', pid: LIVE });
    expect(runActivity(manifest(), LIVE, alive)).toEqual({ state: 'training', pid: LIVE });
    expect(runActivity(null, LIVE, alive)).toEqual({ state: 'training', pid: LIVE });
  });

  it('is interrupted when the manifest says running but its process is gone', () => {
    expect(runActivity(manifest({ status: 'running', pid: DEAD }), DEAD, alive)).toEqual({ state: 'interrupted' });
    expect(runActivity(manifest({ status: 'running', pid: DEAD }), undefined, alive)).toEqual({ state: 'interrupted' });
    expect(runActivity(manifest({ status: 'running' }), undefined, alive)).toEqual({ state: 'interrupted' });
  });

  it('is training when the manifest’s running trainer is alive though its lock file is gone', () => {
    expect(runActivity(manifest({ status: 'running', pid: LIVE }), undefined, alive)).toEqual({ state: 'training', pid: LIVE });
  });

  it('is interrupted when the last session was stopped by SIGINT or SIGTERM (manifest says interrupted)', () => {
    expect(runActivity(manifest({ status: 'interrupted' }), DEAD, alive)).toEqual({ state: 'interrupted' });
    expect(runActivity(manifest({ status: 'interrupted' }), undefined, alive)).toEqual({ state: 'interrupted' });
    expect(runActivity(manifest({ status: 'interrupted' }), LIVE, alive)).toEqual({ state: 'training', pid: LIVE });
  });

  it('is idle once a session recorded an outcome other than interrupted, even with a stale lock file', () => {
    for (const status of ['complete', 'max-docs', 'failed']) {
      expect(runActivity(manifest({ status }), DEAD, alive)).toEqual({ state: 'idle' });
    }
    expect(runActivity(null, undefined, alive)).toEqual({ state: 'idle' });
  });
});

describe('resumeCommand', () => {
  it('names the run and the data directory, and the server a remote run trains', () => {
    expect(resumeCommand('./kato-data', manifest())).toBe('kato train --resume --run wiki --data-dir "./kato-data"');
    expect(resumeCommand('/d', manifest({ knowledgeBase: 'server http://k:8000' }))).toBe(
      'kato train --resume --run wiki --data-dir "/d" --server http://k:8000',
    );
    expect(resumeCommand('/d', manifest({ knowledgeBase: 'kato-protocol http://k:8000' }))).toBe(
      'kato train --resume --run wiki --data-dir "/d" --server http://k:8000 --protocol kato',
    );
  });

  it('is the command kato train prints for the same run, whatever records it', () => {
    expect(resumeCommand('/d', manifest({ knowledgeBase: 'kato-protocol http://k:8000' }), { maxDocs: 5 })).toBe(
      resumeCommandLine({ run: 'wiki', dataDir: '/d', server: 'http://k:8000', protocol: 'kato' }, { maxDocs: 5 }),
    );
    expect(resumeCommandLine({ run: 'wiki', dataDir: '/d', server: 'http://k:8000', protocol: 'native' })).toBe(
      resumeCommand('/d', manifest({ knowledgeBase: 'server http://k:8000' })),
    );
  });

  it('repeats the latest session flags the run config does not record', () => {
    expect(resumeCommand('/d', manifest(), { maxDocs: 300 })).toBe('kato train --resume --run wiki --data-dir "/d" --max-docs 300');
    expect(resumeCommand('/d', manifest({ knowledgeBase: 'server http://k:8000' }), { maxDocs: 300, skipBad: true })).toBe(
      'kato train --resume --run wiki --data-dir "/d" --server http://k:8000 --max-docs 300 --skip-bad',
    );
    expect(resumeCommand('/d', manifest(), { skipBad: false })).toBe('kato train --resume --run wiki --data-dir "/d"');
  });
});

describe('session flags', () => {
  it('read back as written, each session replacing the last', () => {
    expect(readSessionFlags(root, 'r')).toEqual({});
    writeSessionFlags(root, 'r', { maxDocs: 300, skipBad: true });
    expect(readSessionFlags(root, 'r')).toEqual({ maxDocs: 300, skipBad: true });
    writeSessionFlags(root, 'r', { skipBad: false });
    expect(readSessionFlags(root, 'r')).toEqual({});
  });

  it('read as none from a file that is not theirs', () => {
    writeSessionFlags(root, 'bad', {});
    writeFileSync(sessionFlagsPath(root, 'bad'), '{"maxDocs": "300", "skipBad": 1}');
    expect(readSessionFlags(root, 'bad')).toEqual({});
    writeFileSync(sessionFlagsPath(root, 'bad'), 'not json');
    expect(readSessionFlags(root, 'bad')).toEqual({});
  });
});
