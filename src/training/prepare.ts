/**
 * Preparing one document for commit: normalise its text, tokenize it to GPT-2 token strings and
 * build its hierarchy with every pattern name computed. Pure: the same text always prepares alike.
 */
import { normalize, tokenize } from '../text/index.js';
import { buildHierarchy } from './hierarchy.js';
import type { HierarchySettings, PreparedHierarchy } from './types.js';

/** What preparation needs: the hierarchy settings and the normaliser's name. */
export interface PrepareSettings extends HierarchySettings {
  readonly normalizer: string;
}

/** The prepared hierarchy of a document's raw text. */
export function prepareText(text: string, settings: PrepareSettings): PreparedHierarchy {
  return buildHierarchy(tokenize(normalize(settings.normalizer, text)), settings);
}
