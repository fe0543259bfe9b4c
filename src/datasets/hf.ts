/**
 * Hugging Face datasets over HTTP: `hf://datasets/<owner>/<name>[/<config>][/<split>]` resolves
 * to the Hub's Parquet conversion (`/api/datasets/<name>/parquet/<config>/<split>` lists the
 * shard URLs) and reads each shard with range requests. No download of whole files.
 */
import { ValidationError } from '../errors.js';
import { DatasetReadError } from './errors.js';
import { httpBuffer, retryingFetch, type RetryPolicy } from './http.js';
import { parquetShard } from './parquet.js';
import type { Shard } from './shard.js';
import { openStream } from './stream.js';
import type { Cursor, DatasetSource, OpenOptions } from './types.js';

/** Where a Hugging Face dataset's rows are. */
export interface HuggingFaceLocation {
  /** `owner/name`. */
  readonly dataset: string;
  /** Config (subset); undefined = the only one, or `default`. */
  readonly config?: string;
  readonly split: string;
}

/** How to reach and read a Hugging Face dataset. */
export interface HuggingFaceOptions {
  /** Cursor source name (default `hf`). */
  readonly name?: string;
  /** Column holding the text (default `text`). */
  readonly textField?: string;
  readonly idField?: string;
  /** Normaliser the trainer should apply (default `none`). */
  readonly normalizer?: string;
  /** Hub base URL (default: env KATO_HF_ENDPOINT, else https://huggingface.co). */
  readonly endpoint?: string;
  /** Access token for gated datasets (default: env HF_TOKEN). */
  readonly token?: string;
  readonly fetch?: typeof globalThis.fetch;
  readonly retry?: RetryPolicy;
}

const HF_URL = /^hf:\/\/datasets\/([^/]+\/[^/]+)(?:\/([^/]+))?(?:\/([^/]+))?\/?$/;

/** Parses `hf://datasets/<owner>/<name>[/<config>][/<split>]` (split defaults to `train`). */
export function parseHuggingFaceUrl(url: string): HuggingFaceLocation {
  const match = HF_URL.exec(url);
  if (!match) {
    throw new ValidationError(`invalid Hugging Face dataset URL ${url}: expected hf://datasets/<owner>/<name>[/<config>][/<split>]`, {
      field: 'dataset',
      value: url,
    });
  }
  const [, dataset, config, split] = match;
  return config === undefined ? { dataset, split: 'train' } : { dataset, config, split: split ?? 'train' };
}

/** The Hub base URL in use: the option, else KATO_HF_ENDPOINT, else https://huggingface.co. */
export function huggingFaceEndpoint(endpoint?: string): string {
  return (endpoint ?? process.env.KATO_HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
}

/** A source reading a Hugging Face dataset's Parquet shards with HTTP range requests. */
export function huggingFaceSource(url: string, options: HuggingFaceOptions = {}): DatasetSource {
  const location = parseHuggingFaceUrl(url);
  const name = options.name ?? 'hf';
  const endpoint = huggingFaceEndpoint(options.endpoint);
  const token = options.token ?? process.env.HF_TOKEN;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const fetchImpl = retryingFetch(options.fetch ?? globalThis.fetch, options.retry);
  const fields = { textField: options.textField ?? 'text', idField: options.idField };
  let shards: Promise<readonly Shard[]> | undefined;
  const listShards = async (): Promise<readonly Shard[]> => {
    const api = `${endpoint}/api/datasets/${location.dataset}/parquet`;
    const config = location.config ?? (await defaultConfig(api, location, fetchImpl, headers));
    const urls = await getJson(`${api}/${encodeURIComponent(config)}/${encodeURIComponent(location.split)}`, fetchImpl, headers, location);
    if (!Array.isArray(urls) || urls.length === 0 || !urls.every((u) => typeof u === 'string')) {
      throw new DatasetReadError(`the Hub lists no Parquet files for ${location.dataset} ${config}/${location.split}`, { ...location, config });
    }
    // The Hub lists shards in shard order; the name keeps config and split for the cursor check.
    return (urls as string[]).map((shardUrl) => {
      const absolute = new URL(shardUrl, `${endpoint}/`).toString();
      const file = decodeURIComponent(absolute.split('/').pop() ?? absolute);
      return parquetShard(`${config}/${location.split}/${file}`, absolute, () => httpBuffer(absolute, fetchImpl, headers), fields);
    });
  };
  return {
    describe: () => ({
      name,
      kind: 'hf',
      location: url,
      textField: fields.textField,
      normalizer: options.normalizer ?? 'none',
      resume: 'seek',
    }),
    open: (at?: Cursor, openOptions?: OpenOptions) => {
      shards ??= listShards();
      // A failed listing is not cached, so the next open asks the Hub again.
      shards.catch(() => {
        shards = undefined;
      });
      const listed = shards;
      return openStream({ source: name, shards: () => listed }, at, openOptions);
    },
  };
}

async function defaultConfig(
  api: string,
  location: HuggingFaceLocation,
  fetchImpl: typeof globalThis.fetch,
  headers: Record<string, string>,
): Promise<string> {
  const listing = await getJson(api, fetchImpl, headers, location);
  const configs = listing !== null && typeof listing === 'object' ? Object.keys(listing as object) : [];
  if (configs.length === 1) return configs[0];
  if (configs.includes('default')) return 'default';
  throw new ValidationError(
    `${location.dataset} has ${configs.length} configs (${configs.join(', ')}); name one: hf://datasets/${location.dataset}/<config>/<split>`,
    { field: 'dataset', configs },
  );
}

async function getJson(
  url: string,
  fetchImpl: typeof globalThis.fetch,
  headers: Record<string, string>,
  location: HuggingFaceLocation,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetchImpl(url, { headers });
  } catch (error) {
    throw new DatasetReadError(`cannot reach ${url}: ${(error as Error).message}`, { url });
  }
  if (response.status === 401 || response.status === 403) {
    throw new ValidationError(`${location.dataset} needs access (HTTP ${response.status} from ${url}): set HF_TOKEN to a token that has it`, {
      field: 'dataset',
      url,
    });
  }
  if (response.status === 404) {
    throw new ValidationError(`no Parquet files at ${url} (HTTP 404): check the dataset, config and split`, { field: 'dataset', url });
  }
  if (!response.ok) throw new DatasetReadError(`${url} answered HTTP ${response.status}`, { url, status: response.status });
  try {
    return await response.json();
  } catch (error) {
    throw new DatasetReadError(`${url} did not answer JSON: ${(error as Error).message}`, { url });
  }
}
