import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const cli = join(import.meta.dirname, '../../dist/cli/main.js');
const dataDir = mkdtempSync(join(tmpdir(), 'kato-serve-flags-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('kato serve refuses bad settings with one line, no stack trace', () => {
  it.each([
    [['--port', '99999'], {}, /--port: expected an integer from 0 to 65535/],
    [['--log-level', 'bogus'], {}, /--log-level: expected one of fatal, error, warn, info, debug, trace, silent/],
    [[], { LOG_LEVEL: 'verbose' }, /LOG_LEVEL: expected one of/],
    [['--host', '999.1.1.1', '--port', '0'], {}, /cannot listen on host "999\.1\.1\.1"/],
  ])('kato serve %j (env %j)', (args, env, message) => {
    const run = spawnSync(process.execPath, [cli, 'serve', '--data-dir', dataDir, ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
