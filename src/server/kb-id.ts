/**
 * How node-scoped routes (KATO §3.5) pick the node of a request; kb_ids come from the engine's
 * `kbIdFor`, shared with training and generation.
 */
export { kbIdFor } from '../engine/kb-id.js';

/**
 * The node of a node-scoped request: `node_id` query, else the `x-test-id` header (prefixed with
 * `test_` unless it already is), else `x-node-id`, else `default_node`.
 */
export function requestNodeId(query: { node_id?: unknown }, headers: Record<string, string | string[] | undefined>): string {
  const header = (name: string): string | undefined => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  if (typeof query.node_id === 'string' && query.node_id !== '') return query.node_id;
  const testId = header('x-test-id');
  if (testId) return testId.startsWith('test_') ? testId : `test_${testId}`;
  return header('x-node-id') || 'default_node';
}
