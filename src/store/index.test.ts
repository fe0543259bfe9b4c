import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { checkDataDir, openStore } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'kato-store-index-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('checkDataDir', () => {
  const file = join(root, 'somefile');
  writeFileSync(file, 'text\n');

  it('accepts an existing directory and one that does not exist yet', () => {
    mkdirSync(join(root, 'existing'));
    expect(() => checkDataDir(join(root, 'existing'))).not.toThrow();
    expect(() => checkDataDir(join(root, 'missing', 'deeper'))).not.toThrow();
  });

  it('refuses a file, naming it', () => {
    expect(() => checkDataDir(file)).toThrow(ValidationError);
    expect(() => checkDataDir(file)).toThrow(`data directory ${file} is a file, not a directory`);
  });

  it('refuses a path under a file, naming the file', () => {
    expect(() => checkDataDir(join(file, 'a', 'b'))).toThrow(`data directory ${join(file, 'a', 'b')}: ${file} is a file, not a directory`);
  });

  it('is checked when a store is opened', () => {
    expect(() => openStore(file)).toThrow(`data directory ${file} is a file, not a directory`);
  });
});
