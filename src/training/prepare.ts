/**
 * Preparing one document for commit: normalise its text, tokenize it to GPT-2 token strings and
 * build its hierarchy with every pattern name computed. Pure: the same text always prepares alike.
 */
import { normalize, tokenIds, tokenString } from '../text/index.js';
import { buildHierarchy } from './hierarchy.js';
import type { HierarchySettings, PreparedHierarchy } from './types.js';

/** What preparation needs: the hierarchy settings and the normaliser's name. */
export interface PrepareSettings extends HierarchySettings {
  readonly normalizer: string;
}

/** The document's GPT-2 token ids and its prepared hierarchy (whose tokens are those ids' strings). */
export function prepareDocument(text: string, settings: PrepareSettings): { ids: number[]; hierarchy: PreparedHierarchy } {
  const ids = tokenIds(normalize(settings.normalizer, text));
  const tokens = new Array<string>(ids.length);
  for (let i = 0; i < ids.length; i++) tokens[i] = tokenString(ids[i]);
  return { ids, hierarchy: buildHierarchy(tokens, settings) };
}

/** The prepared hierarchy of a document's raw text. */
export function prepareText(text: string, settings: PrepareSettings): PreparedHierarchy {
  return prepareDocument(text, settings).hierarchy;
}
