/**
 * Typed errors of the datasets part: a corrupt record, a failed read (I/O, HTTP, decompression),
 * and a cursor that does not fit the source it is opened on.
 */
import { KatoError } from '../errors.js';

/** A corrupt record: names the file, the line or row, the cursor and what was wrong. */
export class DatasetRecordError extends KatoError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('DATASET_RECORD', message, details);
  }
}

/** Reading the data failed (I/O, HTTP, decompression, Parquet decoding): never an end of data. */
export class DatasetReadError extends KatoError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('DATASET_READ', message, details);
  }
}

/** A cursor that does not belong to the source, or no longer fits its data. */
export class DatasetCursorError extends KatoError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('DATASET_CURSOR', message, details);
  }
}
