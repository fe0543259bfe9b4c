/**
 * Shared types of the text part: the tokenizer and normaliser descriptors that go into a run's
 * config hash, so a change of either is detected on resume.
 */

/** Which tokenizer produced a run's level-0 symbols. */
export interface Tokenizer {
  readonly name: string;
  readonly version: string;
}

/** A named, versioned source-specific text normalisation. */
export interface Normalizer {
  readonly name: string;
  readonly version: string;
  readonly description: string;
}
