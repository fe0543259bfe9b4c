/**
 * Request schemas of the KATO routes (FastAPI's pydantic models as JSON Schema): they drive
 * validation at the edge and the OpenAPI document served at /docs.
 */
import type { Schema } from './validation.js';

const stringList: Schema = { type: 'array', items: { type: 'string' } };
const freeObject: Schema = { type: 'object', additionalProperties: true };

/** KATO's ObservationData fields. */
const observationProperties: Record<string, Schema> = {
  strings: { ...stringList, default: [], description: 'Symbols observed at this time step (sorted by code point).' },
  vectors: {
    type: 'array',
    items: { type: 'array', items: { type: 'number' } },
    default: [],
    description: 'Vectors, summed element-wise into one percept vector named VCTR|<sha1>.',
  },
  emotives: { type: 'object', additionalProperties: { type: 'number' }, default: {}, description: 'Emotive name → value.' },
  metadata: { ...freeObject, default: {}, description: 'Free metadata, stringified with Python str() when learned.' },
};

/** `POST /sessions/{id}/observe`. */
export const observationBody: Schema = { type: 'object', properties: observationProperties };

/** `POST /sessions/{id}/observe-sequence`. */
export const observeSequenceBody: Schema = {
  type: 'object',
  required: ['observations'],
  properties: {
    observations: {
      type: 'array',
      items: {
        type: 'object',
        properties: { ...observationProperties, unique_id: { type: ['string', 'null'], default: null } },
      },
    },
    learn_after_each: { type: 'boolean', default: false },
    learn_at_end: { type: 'boolean', default: false },
    clear_stm_between: { type: 'boolean', default: false },
  },
};

/** `POST /sessions`. */
export const createSessionBody: Schema = {
  type: 'object',
  required: ['node_id'],
  properties: {
    node_id: { type: 'string', description: 'Node whose knowledge base the session uses (shared by its sessions).' },
    metadata: { type: ['object', 'null'], additionalProperties: true, default: {} },
    ttl_seconds: { type: ['integer', 'null'], default: null, description: 'Session TTL; null or 0 for the server default.' },
    config: { type: ['object', 'null'], additionalProperties: true, default: null, description: 'Initial session configuration.' },
  },
};

/** `POST /sessions/{id}/config`: the config, flat or wrapped in `{"config": …}`. */
export const configUpdateBody: Schema = { ...freeObject, description: 'Configuration keys to set, flat or under "config".' };

/** `POST /sessions/{id}/extend`. */
export const extendQuery: Schema = {
  type: 'object',
  properties: { ttl_seconds: { type: 'integer', default: 3600, description: 'New time to live, from now.' } },
};

/** Node-scoped routes: the node, unless a header names it. */
export const nodeQuery: Schema = {
  type: 'object',
  properties: { node_id: { type: 'string', description: 'Node id (else x-test-id, x-node-id, default_node).' } },
};

/** `GET /stats` and `GET /metrics/{name}`. */
export const minutesQuery: Schema = {
  type: 'object',
  properties: { minutes: { type: 'integer', default: 10, description: 'Time window in minutes.' } },
};
