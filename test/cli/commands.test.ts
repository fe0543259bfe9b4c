import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { databasePath } from '../../src/store/index.js';
import { committedDocs, kato, startKato, type Finished } from '../cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'kato-cli-'));
let dirs = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

function newDataDir(): string {
  return join(root, `data${dirs++}`);
}

/** The arguments of a printed `kato …` command line (double-quoted arguments are JSON strings). */
function commandArgs(line: string): string[] {
  const args = [...line.trim().matchAll(/"(?:[^"\\]|\\.)*"|\S+/g)].map((m) => (m[0].startsWith('"') ? (JSON.parse(m[0]) as string) : m[0]));
  expect(args[0]).toBe('kato');
  return args.slice(1);
}

/** Waits until the run has committed a document, or the process ended. */
async function untilCommitted(dataDir: string, done: Promise<Finished>): Promise<boolean> {
  let ended = false;
  void done.then(() => (ended = true));
  while (!ended) {
    if ((await committedDocs(dataDir)) > 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

const SLOW = 120_000;
// Small commits, so that the first lands long before the run reaches --max-docs.
const TRAIN = ['train', '--progress', 'none', '--workers', '1', '--batch-tokens', '2000'];

function jsonl(path: string, records: readonly Record<string, unknown>[]): string {
  writeFileSync(path, gzipSync(records.map((r) => `${JSON.stringify(r)}\n`).join('')));
  return path;
}

describe('resuming an interrupted kato train', () => {
  it('prints a resume command that keeps --max-docs and --skip-bad, and resuming with it stops there', async () => {
    const dataDir = newDataDir();
    const { child, done } = startKato([...TRAIN, '--max-docs', '300', '--skip-bad', '--data-dir', dataDir]);
    expect(await untilCommitted(dataDir, done)).toBe(true);
    child.kill('SIGINT');
    const stopped = await done;
    expect(stopped.code).toBe(130);
    const hint = /Resume with:\n {2}(kato train .*)\n/.exec(stopped.stderr)?.[1];
    expect(hint).toBe(`kato train --resume --run default --data-dir ${JSON.stringify(dataDir)} --max-docs 300 --skip-bad`);
    expect(await committedDocs(dataDir)).toBeLessThan(300);

    const resumed = await kato(...commandArgs(hint!), '--progress', 'none', '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'max-docs', docs: 300 });
  }, SLOW);

  it('shows a killed trainer’s resume command with its --max-docs in kato status', async () => {
    const dataDir = newDataDir();
    const { child, done } = startKato([...TRAIN, '--max-docs', '300', '--data-dir', dataDir]);
    expect(await untilCommitted(dataDir, done)).toBe(true);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');

    const resume = `kato train --run default --resume --data-dir ${JSON.stringify(dataDir)} --max-docs 300`;
    const status = JSON.parse((await kato('status', '--json', '--data-dir', dataDir)).stdout);
    expect(status.runs).toMatchObject([{ run: 'default', state: 'interrupted', resume }]);
    expect((await kato('status', '--data-dir', dataDir)).stdout).toContain(`(resumable: ${resume})`);

    const resumed = await kato(...commandArgs(resume), '--progress', 'none', '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'max-docs', docs: 300 });
  }, SLOW);
});

describe('kato train stopped by an error', () => {
  it('does not offer to resume a run that does not exist', async () => {
    const dataDir = newDataDir();
    const result = await kato('train', '--run', 'fresh', '--resume', '--data-dir', dataDir, '--progress', 'none');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("kato: cannot resume run 'fresh': there is no such run");
    expect(result.stderr).not.toContain('--resume --run');
    expect(result.stderr).not.toMatch(/resume with/i);
  });

  it('says nothing was committed when the dataset fails before the first commit', async () => {
    const dataDir = newDataDir();
    const corpus = jsonl(join(root, 'fields.jsonl.gz'), [{ id: 1, body: 'a first document long enough', title: 'one' }]);
    const result = await kato('train', '--dataset', corpus, '--data-dir', dataDir, '--progress', 'none');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('kato train: stopped by an error before anything was committed; once the cause is fixed, run the same command again.');
    expect(result.stderr).not.toMatch(/resume with/i);
  });

  it('says nothing was committed when the server refuses the API key', async () => {
    const server: Server = createServer((_request, response) => {
      response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'ApiKey' });
      response.end(JSON.stringify({ detail: 'Invalid or missing API key' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const result = await kato('train', '--max-docs', '2', '--server', url, '--data-dir', newDataDir(), '--progress', 'none');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('before anything was committed');
      expect(result.stderr).not.toMatch(/resume with/i);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('offers to resume a run that exists, with its --max-docs', async () => {
    const dataDir = newDataDir();
    const path = join(root, 'grows.jsonl');
    writeFileSync(path, '{"text":"the first document of the run"}\n{"text":"the second document of the run"}\n');
    const first = await kato('train', '--dataset', path, '--max-docs', '1', '--data-dir', dataDir, '--progress', 'none');
    expect(first.code).toBe(0);
    writeFileSync(path, '{"text":"the first document of the run"}\n{"text": broken}\n');
    const failed = await kato('train', '--resume', '--max-docs', '5', '--data-dir', dataDir, '--progress', 'none');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(
      `kato train: stopped by an error; every committed document is kept. Once the cause is fixed, resume with:\n` +
        `  kato train --resume --run default --data-dir ${JSON.stringify(dataDir)} --max-docs 5\n`,
    );
    expect(failed.stderr).toContain('invalid JSON');
  });
});

describe('a JSONL dataset without the text field', () => {
  const records = [
    { id: 1, body: 'a first document long enough to learn from', title: 'one' },
    { id: 2, body: 'and a second one, also long enough', title: 'two' },
  ];

  it('names the fields holding text and suggests --text-field', async () => {
    const corpus = jsonl(join(root, 'a.jsonl.gz'), records);
    const result = await kato('train', '--dataset', corpus, '--data-dir', newDataDir(), '--progress', 'none');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`line 1`);
    expect(result.stderr).toContain("no field 'text' (fields with text: body, title); name the field holding the text with --text-field NAME");
  });

  it('fails, leaving no run, when --skip-bad skips every record; the corrected command then starts afresh', async () => {
    const corpus = jsonl(join(root, 'b.jsonl.gz'), records);
    const dataDir = newDataDir();
    const skipped = await kato('train', '--dataset', corpus, '--skip-bad', '--data-dir', dataDir, '--progress', 'none');
    expect(skipped.code).toBe(1);
    expect(skipped.stdout).toBe('');
    expect(skipped.stderr).toContain("kato: run 'default' learned no documents: all 2 records read were skipped (2 corrupt), so it is removed again");
    expect(skipped.stderr).toContain('--text-field NAME');
    expect(skipped.stderr).not.toMatch(/resume with/i);
    expect(JSON.parse((await kato('status', '--json', '--data-dir', dataDir)).stdout).runs).toEqual([]);
    expect(existsSync(join(dataDir, 'runs', 'default'))).toBe(false);

    const fixed = await kato('train', '--dataset', corpus, '--text-field', 'body', '--data-dir', dataDir, '--progress', 'none', '--json');
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout)).toMatchObject({ status: 'complete', docs: 2 });
  });
});

describe('flag and data directory checks', () => {
  it('refuses --max-docs below 1 and creates nothing', async () => {
    const dataDir = newDataDir();
    for (const value of ['0', '-1']) {
      const result = await kato('train', '--max-docs', value, '--data-dir', dataDir);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`kato: --max-docs must be a whole number at least 1; got '${value}'`);
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it('says a --data-dir that is a file is not a directory, for every command, without a stack trace', async () => {
    const file = join(root, 'somefile');
    writeFileSync(file, 'not a directory\n');
    const message = `kato: data directory ${file} is a file, not a directory\n`;
    for (const args of [
      ['train', '--max-docs', '1', '--progress', 'none'],
      ['train', '--max-docs', '1', '--server', 'http://127.0.0.1:9', '--progress', 'none'],
      ['serve', '--port', '0'],
      ['generate', 'hi'],
      ['inspect'],
      ['status'],
    ]) {
      const result = await kato(...args, '--data-dir', file);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toBe(message);
    }
    const below = await kato('status', '--data-dir', join(file, 'sub'));
    expect(below.code).toBe(1);
    expect(below.stderr).toBe(`kato: data directory ${join(file, 'sub')}: ${file} is a file, not a directory\n`);
    const fromEnv = await startKato(['serve', '--port', '0'], { ...process.env, KATO_DATA_DIR: file }).done;
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toBe(message);
  });

  it('accepts an existing empty directory as a data directory', async () => {
    const dataDir = newDataDir();
    mkdirSync(dataDir);
    const result = await kato('status', '--data-dir', dataDir);
    expect(result.stderr).toBe(`kato: no kato data in ${dataDir} (expected ${databasePath(dataDir)})\n`);
  });
});

describe('kato inspect and kato status', () => {
  it('agree on the position of the run’s next document', async () => {
    const dataDir = newDataDir();
    expect((await kato('train', '--max-docs', '3', '--data-dir', dataDir, '--progress', 'none')).code).toBe(0);
    const status = JSON.parse((await kato('status', '--json', '--data-dir', dataDir)).stdout);
    const inspected = JSON.parse((await kato('inspect', '--json', '--data-dir', dataDir)).stdout);
    expect(status.runs[0].position).toBe(3);
    expect(inspected.position).toBe(3);
    expect(inspected.watermark.seq).toBe(2);
    expect((await kato('inspect', '--data-dir', dataDir)).stdout).toContain('watermark next position 3 (last applied document at 2), next cursor ');
  });
});

describe('help and listings', () => {
  it('names the KATO_API_KEY variable in the help of every command taking --server', async () => {
    for (const command of ['train', 'inspect', 'generate']) {
      const help = await kato(command, '--help');
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(/--server/);
      expect(help.stdout, command).toMatch(/KATO_API_KEY +with --server: the API key sent in the X-API-Key header/);
    }
  });

  it('describes an alias by the dataset it stands for', async () => {
    const listed = await kato('datasets');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^wikitext +alias of wikitext-103$/m);
    expect(listed.stdout).not.toMatch(/python/i);
  });
});

