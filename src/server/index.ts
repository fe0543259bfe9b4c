/**
 * The KATO v3-compatible HTTP server: build it (for tests and embedding) or start it.
 */
export { buildServer, resolveOptions } from './app.js';
export { startServer, serveUntilSignal, type RunningServer } from './start.js';
export { DEFAULT_OPTIONS, optionsFromEnv, configDefaultsFromEnv, type ServerOptions } from './options.js';
export { kbIdFor } from './kb-id.js';
export { pyJson } from './json.js';
