import { describe, expect, it } from 'vitest';
import { kato } from '../cli-process.js';

const COMMANDS = ['train', 'serve', 'generate', 'inspect', 'status', 'datasets'];

describe('kato without a command', () => {
  it('prints the help on stdout and exits 0, as kato --help does', async () => {
    const bare = await kato();
    const help = await kato('--help');
    expect(bare.code).toBe(0);
    expect(bare.stderr).toBe('');
    expect(bare.stdout).toBe(help.stdout);
    expect(bare.stdout).toMatch(/^Usage: kato \[options\] \[command\]/);
    for (const command of COMMANDS) expect(bare.stdout).toContain(`\n  ${command} `);
  });

  it('refuses an unknown command on stderr with exit 1', async () => {
    const out = await kato('nonsense');
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/unknown command 'nonsense'/);
  });
});

describe('--help of every command', () => {
  it('shows numeric defaults as numbers, not quoted strings', async () => {
    for (const command of COMMANDS) {
      const help = await kato(command, '--help');
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).not.toMatch(/default: "[-+]?[\d.]+"/);
    }
    const generate = (await kato('generate', '--help')).stdout;
    expect(generate).toMatch(/--max-tokens <n> +most tokens to generate \(default: 64\)/);
    expect(generate).toMatch(/--ensemble <n> [^]*?\(default: 10\)/);
  });
});
