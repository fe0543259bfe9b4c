/**
 * The package version, read from package.json next to the build output.
 */
import { readFileSync } from 'node:fs';

/** The `version` field of kato-ts's package.json. */
export function packageVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}
