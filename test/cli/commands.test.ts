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

/** Starts `kato train --max-docs 300 --skip-bad`, stops it with SIGINT once it has committed, and returns the resume command it printed. */
async function interruptedTraining(dataDir: string): Promise<string> {
  const { child, done } = startKato([...TRAIN, '--max-docs', '300', '--skip-bad', '--data-dir', dataDir]);
  expect(await untilCommitted(dataDir, done)).toBe(true);
  child.kill('SIGINT');
  const stopped = await done;
  expect(stopped.code).toBe(130);
  const hint = /Resume with:\n {2}(kato train .*)\n/.exec(stopped.stderr)?.[1];
  expect(hint).toBe(`kato train --resume --run default --data-dir ${JSON.stringify(dataDir)} --max-docs 300 --skip-bad`);
  return hint!;
}

describe('resuming an interrupted kato train', () => {
  it('prints a resume command that keeps --max-docs and --skip-bad, and resuming with it stops there', async () => {
    const dataDir = newDataDir();
    const hint = await interruptedTraining(dataDir);
    expect(await committedDocs(dataDir)).toBeLessThan(300);

    const resumed = await kato(...commandArgs(hint), '--progress', 'none', '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'max-docs', docs: 300 });
  }, SLOW);

  it('shows the resume command kato train printed after SIGINT in kato status, with its --max-docs and --skip-bad', async () => {
    const dataDir = newDataDir();
    const printed = await interruptedTraining(dataDir);

    const status = JSON.parse((await kato('status', '--json', '--data-dir', dataDir)).stdout);
    expect(status.runs).toMatchObject([{ run: 'default', state: 'interrupted', resume: printed, lastSession: { status: 'interrupted' } }]);
    expect((await kato('status', '--data-dir', dataDir)).stdout).toContain(`interrupted, not complete (resumable: ${printed})`);
  }, SLOW);

  it('shows a killed trainer’s resume command with its --max-docs in kato status', async () => {
    const dataDir = newDataDir();
    const { child, done } = startKato([...TRAIN, '--max-docs', '300', '--data-dir', dataDir]);
    expect(await untilCommitted(dataDir, done)).toBe(true);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');

    const resume = `kato train --resume --run default --data-dir ${JSON.stringify(dataDir)} --max-docs 300`;
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
    expect(result.stderr).toContain(
      'kato train: stopped by an error before anything was committed; run the same command with --skip-bad to skip corrupt records, or run it again once the cause is fixed.',
    );
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

  it('offers --resume --skip-bad, after the error, when a corrupt record stops a run that has committed documents', async () => {
    const dataDir = newDataDir();
    const path = join(root, 'breaks.jsonl');
    writeFileSync(path, '{"text":"the first document of the run"}\n{"text":"the second document"}\n{"text": broken}\n{"text":"after the break"}\n');
    const failed = await kato('train', '--dataset', path, '--max-docs', '10', '--data-dir', dataDir, '--progress', 'none');
    expect(failed.code).toBe(1);
    const skipping = `kato train --resume --run default --data-dir ${JSON.stringify(dataDir)} --max-docs 10 --skip-bad`;
    expect(failed.stderr).toMatch(/^kato: corrupt record at .*breaks\.jsonl line 3 .*invalid JSON.*; skip corrupt records with --skip-bad\n/);
    expect(failed.stderr.slice(failed.stderr.indexOf('\n') + 1)).toBe(
      `kato train: stopped by an error; every committed document is kept. To skip corrupt records, resume with:\n  ${skipping}\n` +
        `or, once the cause is fixed, resume with:\n  kato train --resume --run default --data-dir ${JSON.stringify(dataDir)} --max-docs 10\n`,
    );
    // No internal option names such as (skipBad) or (textField) in what the user reads.
    expect(failed.stderr).not.toMatch(/\([a-z]+[A-Z][A-Za-z]*\)/);

    const resumed = await kato(...commandArgs(skipping), '--progress', 'none', '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'complete', docs: 3 });
  });

  it('offers the same command with --skip-bad when a corrupt record stops a run before anything was kept', async () => {
    const dataDir = newDataDir();
    const path = join(root, 'broken.jsonl');
    writeFileSync(path, '{"text": broken}\n{"text":"a document after the break"}\n');
    const failed = await kato('train', '--dataset', path, '--data-dir', dataDir, '--progress', 'none');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^kato: corrupt record at .*broken\.jsonl line 1 /);
    expect(failed.stderr).toContain(
      '\nkato train: stopped by an error before anything was committed; run the same command with --skip-bad to skip corrupt records, or run it again once the cause is fixed.\n',
    );
    expect(failed.stderr).not.toMatch(/resume with/i);
    const skipped = await kato('train', '--dataset', path, '--skip-bad', '--data-dir', dataDir, '--progress', 'none', '--json');
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ status: 'complete', docs: 1 });
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
      `kato train: stopped by an error; every committed document is kept. To skip corrupt records, resume with:\n` +
        `  kato train --resume --run default --data-dir ${JSON.stringify(dataDir)} --max-docs 5 --skip-bad\n` +
        `or, once the cause is fixed, resume with:\n` +
        `  kato train --resume --run default --data-dir ${JSON.stringify(dataDir)} --max-docs 5\n`,
    );
    expect(failed.stderr).toContain('invalid JSON');
  });
});

describe('a dataset without a document', () => {
  it('fails, naming the dataset and removing the empty run, so that the corrected command starts afresh', async () => {
    const dataDir = newDataDir();
    const empty = join(root, 'empty.jsonl');
    writeFileSync(empty, '');
    const failed = await kato('train', '--dataset', empty, '--data-dir', dataDir, '--progress', 'none');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toBe(`kato: run 'default' learned no documents: the dataset ${empty} holds no records, so it is removed again; check --dataset\n`);
    expect(JSON.parse((await kato('status', '--json', '--data-dir', dataDir)).stdout).runs).toEqual([]);
    expect(existsSync(join(dataDir, 'runs', 'default'))).toBe(false);

    const path = join(root, 'one.jsonl');
    writeFileSync(path, '{"text":"the only document of the run"}\n');
    const fixed = await kato('train', '--dataset', path, '--data-dir', dataDir, '--progress', 'none', '--json');
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout)).toMatchObject({ status: 'complete', docs: 1 });
    // A finished run resumed has nothing left to do, and that is no error.
    const again = await kato('train', '--resume', '--data-dir', dataDir, '--progress', 'none', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'complete', docs: 1, session: { docs: 0 } });
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

  it('refuses an invalid --run name, and other bad flags, before creating the data directory', async () => {
    const dataDir = newDataDir();
    for (const [args, message] of [
      [['--run', 'a/b'], "kato: invalid run name 'a/b'"],
      [['--resume', '--reset'], 'kato: --resume and --reset contradict each other'],
      [['--protocol', 'kato'], 'kato: --protocol needs --server'],
      [['--server', 'http://127.0.0.1:9', '--protocol', 'carrier-pigeon'], "kato: --protocol must be native or kato; got 'carrier-pigeon'"],
      [['--server', 'nowhere'], "kato: --server must be an http(s) URL such as http://localhost:8000; got 'nowhere'"],
      [['--normalizer', 'shouting'], "kato: unknown normaliser 'shouting'"],
      [['--text-field', 'body'], "kato: dataset 'brown' has no text field to choose"],
    ] as const) {
      const result = await kato('train', ...args, '--max-docs', '1', '--data-dir', dataDir, '--progress', 'none');
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toContain(message);
      expect(existsSync(dataDir), args.join(' ')).toBe(false);
    }
  });

  it('hints at quoting a --dataset glob when the shell expanded it into extra arguments', async () => {
    const hint = "--dataset takes one value; quote a glob so the shell does not expand it: --dataset './dir/*.jsonl'\n";
    for (const args of [
      ['--dataset', './dir/a.jsonl', './dir/b.jsonl'],
      ['--dataset', 'a.jsonl', 'b.jsonl', '--max-docs', '1'],
      ['--dataset', 'shard-0', 'shard-1'],
    ]) {
      const result = await kato('train', ...args, '--data-dir', newDataDir());
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toBe(`error: too many arguments for 'train'. Expected 0 arguments but got 1.\n${hint}(run with --help for usage)\n`);
    }
    const other = await kato('train', 'brown', '--data-dir', newDataDir());
    expect(other.code).toBe(1);
    expect(other.stderr).toBe("error: too many arguments for 'train'. Expected 0 arguments but got 1.\n(run with --help for usage)\n");
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

describe('--chunks', () => {
  it('with one size trains the default 4 levels of that size, as --help says', async () => {
    const one = await kato('train', '--chunks', '4', '--max-docs', '1', '--data-dir', newDataDir(), '--progress', 'none', '--json');
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ config: { levels: 4, chunks: [4, 4, 4, 4] } });
    expect(JSON.parse(one.stdout).levels).toHaveLength(4);
    const several = await kato('train', '--chunks', '5,4,3', '--max-docs', '1', '--data-dir', newDataDir(), '--progress', 'none', '--json');
    expect(JSON.parse(several.stdout)).toMatchObject({ config: { levels: 3, chunks: [5, 4, 3] } });
    const mismatch = await kato('train', '--chunks', '5,4', '--levels', '3', '--data-dir', newDataDir(), '--progress', 'none');
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('--chunks gives 2 sizes but --levels is 3');

    const help = (await kato('train', '--help')).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--levels <n> number of levels (default: 4, or the number of --chunks sizes when it gives several)');
    expect(help).toContain(
      '--chunks <sizes> chunk size per level: one size for every level (--levels of them, default 4), or comma-separated sizes, ' +
        'one per level (their count sets the levels; with --levels it must be equal) (default: 8,8,8,8)',
    );
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

