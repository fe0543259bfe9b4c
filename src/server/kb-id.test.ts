import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { kbIdFor, requestNodeId } from './kb-id.js';

describe('kbIdFor (spec §1.1)', () => {
  it('appends the service name', () => {
    expect(kbIdFor('test_node_1a2b', 'kato')).toBe('test_node_1a2b_kato');
    expect(kbIdFor('n', 'my-service')).toBe('n_my_service');
  });

  it('replaces every unsafe character with _', () => {
    expect(kbIdFor('a/b\\c.d"e$f*g<h>i:j|k?l-m n', 'kato')).toBe('a_b_c_d_e_f_g_h_i_j_k_l_m_n_kato');
  });

  it('shortens long ids with an md5 of the safe id', () => {
    const nodeId = `test_${'x'.repeat(70)}`;
    const hash = createHash('md5').update(nodeId).digest('hex').slice(0, 8);
    const kbId = kbIdFor(nodeId, 'kato');
    expect(kbId).toBe(`${nodeId.slice(0, 46)}_${hash}_kato`);
    expect(kbId.length).toBe(60);
  });

  it('counts code points, not UTF-16 units', () => {
    const nodeId = '\u{1F600}'.repeat(55);
    expect(kbIdFor(nodeId, 'kato')).toBe(`${nodeId}_kato`);
  });
});

describe('requestNodeId (spec §3.5)', () => {
  it('prefers the query, then x-test-id (prefixed), then x-node-id, then default_node', () => {
    expect(requestNodeId({ node_id: 'q' }, { 'x-test-id': 't', 'x-node-id': 'h' })).toBe('q');
    expect(requestNodeId({}, { 'x-test-id': 'abc', 'x-node-id': 'h' })).toBe('test_abc');
    expect(requestNodeId({}, { 'x-test-id': 'test_abc' })).toBe('test_abc');
    expect(requestNodeId({}, { 'x-node-id': 'h' })).toBe('h');
    expect(requestNodeId({}, {})).toBe('default_node');
  });
});
