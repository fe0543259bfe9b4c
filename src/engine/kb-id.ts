/**
 * Node identity (KATO §1.1): the kb_id a node's data is stored under, derived from its node_id
 * exactly as KATO does. Every part that reaches the store by node id goes through it.
 */
import { hash } from 'node:crypto';

const UNSAFE = /[/\\."$*<>:|?\- ]/g;

/** The service name kb_ids end with: `SERVICE_NAME`, default `kato`. */
export function defaultServiceName(env: NodeJS.ProcessEnv = process.env): string {
  return env.SERVICE_NAME || 'kato';
}

/** KATO's kb_id for a node_id under a service name (`test_node_1a2b` → `test_node_1a2b_kato`). */
export function kbIdFor(nodeId: string, serviceName: string): string {
  const base = serviceName.replaceAll('-', '_');
  const safe = nodeId.replace(UNSAFE, '_');
  const full = `${safe}_${base}`;
  // Python's len() counts code points, not UTF-16 units.
  if ([...full].length <= 60) return full;
  const digest = hash('md5', safe, 'hex').slice(0, 8);
  const keep = 60 - [...base].length - 1 - 8 - 1;
  const codePoints = [...safe];
  // Python's safe[:keep], where a negative keep counts from the end.
  const end = keep >= 0 ? keep : Math.max(0, codePoints.length + keep);
  return `${codePoints.slice(0, end).join('')}_${digest}_${base}`;
}

