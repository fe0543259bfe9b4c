import { describe, expect, it } from 'vitest';
import { serveOptions } from '../cli/commands/serve.js';
import { configDefaultsFromEnv, optionsFromEnv } from './options.js';

describe('server options from the environment', () => {
  it("reads KATO's variable names, case-insensitively, as session config defaults", () => {
    const defaults = configDefaultsFromEnv({ MAX_PATTERN_LENGTH: '3', recall_threshold: '0.25', STM_MODE: 'ROLLING', FILTER_PIPELINE: 'length,jaccard', USE_TOKEN_MATCHING: 'false' });
    expect(defaults).toMatchObject({ max_pattern_length: 3, recall_threshold: 0.25, stm_mode: 'ROLLING', filter_pipeline: ['length', 'jaccard'], use_token_matching: false });
    expect(defaults.persistence).toBe(5);
  });

  it('refuses an invalid value, naming the variable', () => {
    expect(() => configDefaultsFromEnv({ PERSISTENCE: '0' })).toThrow(/PERSISTENCE/);
    expect(() => optionsFromEnv({ SESSION_TTL: 'long' })).toThrow(/SESSION_TTL/);
  });

  it('reads the server variables', () => {
    expect(optionsFromEnv({ SERVICE_NAME: 'kato-b', SESSION_TTL: '60', KATO_API_KEYS: 'a, b', PORT: '9000' })).toMatchObject({
      serviceName: 'kato-b',
      sessionTtlSeconds: 60,
      apiKeys: ['a', 'b'],
      port: 9000,
    });
  });

  it('lets flags override the environment', () => {
    const options = serveOptions(
      { port: '0', dataDir: '/tmp/x', sessionTtl: '5', bodyLimit: '2mb', apiKey: ['k'], logLevel: 'silent' },
      { PORT: '9000', SESSION_TTL: '60', KATO_API_KEYS: 'a' },
    );
    expect(options).toMatchObject({ port: 0, dataDir: '/tmp/x', sessionTtlSeconds: 5, bodyLimitBytes: 2 * 1024 * 1024, apiKeys: ['k'], logLevel: false });
    expect(() => serveOptions({ bodyLimit: 'huge', apiKey: [] }, {})).toThrow(/--body-limit/);
  });
});
