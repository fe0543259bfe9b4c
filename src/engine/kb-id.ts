/**
 * Node identity (spec §1.1, §3.5): the kb_id a node's data is stored under, derived from its
 * node_id exactly as KATO does, and how node-scoped routes pick the node of a request.
 */
import { createHash } from 'node:crypto';

const UNSAFE = /[/\\."$*<>:|?\- ]/g;

/** KATO's kb_id for a node_id under a service name (`test_node_1a2b` → `test_node_1a2b_kato`). */
export function kbIdFor(nodeId: string, serviceName: string): string {
  const base = serviceName.replaceAll('-', '_');
  const safe = nodeId.replace(UNSAFE, '_');
  const full = `${safe}_${base}`;
  // Python's len() counts code points, not UTF-16 units.
  if ([...full].length <= 60) return full;
  const hash = createHash('md5').update(safe, 'utf8').digest('hex').slice(0, 8);
  const keep = 60 - [...base].length - 1 - 8 - 1;
  const codePoints = [...safe];
  // Python's safe[:keep], where a negative keep counts from the end.
  const end = keep >= 0 ? keep : Math.max(0, codePoints.length + keep);
  return `${codePoints.slice(0, end).join('')}_${hash}_${base}`;
}

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
