/**
 * The datasets part's public surface: sources and their raw cursors, the registry of named
 * datasets, and `resolveDataset` for a `--dataset` value.
 */
export type {
  ByteCursor,
  Cursor,
  CursorUnit,
  DatasetProblem,
  DatasetRecord,
  DatasetSource,
  DatasetStream,
  OpenOptions,
  ReadStats,
  RowCursor,
  SourceDescription,
  SourceKind,
} from './types.js';
export { compareCursors, cursorToString, parseCursor } from './cursor.js';
export { DatasetCursorError, DatasetReadError, DatasetRecordError } from './errors.js';
export { brownDocumentIds, brownSource, brownText } from './brown.js';
export { fileSource, formatOf, globRegExp, listShardFiles, type FileFormat, type FileSourceOptions, type ShardFile } from './files.js';
export { huggingFaceEndpoint, huggingFaceSource, parseHuggingFaceUrl, type HuggingFaceLocation, type HuggingFaceOptions } from './hf.js';
export { retryingFetch, type RetryPolicy } from './http.js';
export { listDatasets, resolveDataset, type DatasetEntry, type ResolveOptions } from './registry.js';
export type { TextMode } from './text.js';
