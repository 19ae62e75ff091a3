// The published OpenAPI document is generated from the validating schemas: what it calls required, the
// validator refuses when missing — for every action.
import express from 'express';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openApiRouter, buildOpenApiDocument } from '../api/v1/openapi.js';
import { CASE_ACTIONS, HANDOVER_ACTIONS, SHARING_CATEGORIES, parseActionPayload } from '../domain/index.js';

const doc = buildOpenApiDocument() as { openapi: string; paths: Record<string, any> };

describe('GET /api/v1/openapi.json', () => {
  it('is served as OpenAPI 3.1 without sign-in', async () => {
    const app = express().use(openApiRouter());
    const server = await new Promise<import('node:http').Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/openapi.json`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { openapi: string }).openapi).toBe('3.1.0');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('describes every case action with the fields its validator requires', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const action of CASE_ACTIONS) {
      const op = doc.paths[`/api/v1/cases/{id}/actions/${action}`]?.post;
      expect(op, action).toBeDefined();
      const required: string[] = op.requestBody.content['application/json'].schema.required ?? [];
      const parsed = parseActionPayload(action, {});
      const refused = parsed.ok ? [] : Object.keys(parsed.fields);
      expect(refused.sort(), action).toEqual(expect.arrayContaining(required));
      for (const field of refused.filter((f) => !f.includes('.') && f !== 'body')) expect(required, `${action}.${field}`).toContain(field);
    }
  });

  it('describes consent-bound sharing: data categories, the partner view, the shared list, handover consent withdrawal', () => {
    const consent = doc.paths['/api/v1/cases/{id}/actions/record-consent'].post.requestBody.content['application/json'].schema;
    expect(consent.properties.dataCategories.items.enum).toEqual([...SHARING_CATEGORIES]);
    const read = doc.paths['/api/v1/cases/{id}'].get.responses[200].content['application/json'].schema;
    expect(read.oneOf).toEqual(expect.arrayContaining([{ $ref: '#/components/schemas/Case' }, { $ref: '#/components/schemas/PartnerCase' }]));
    const partner = (doc as any).components.schemas.PartnerCase;
    expect(partner.required).toEqual(expect.arrayContaining(['access', 'dataCategories', 'consents']));
    expect(doc.paths['/api/v1/cases/shared']?.get).toBeDefined();
    expect(HANDOVER_ACTIONS).toContain('withdraw-consent');
    expect(doc.paths['/api/v1/handovers/{id}/actions/withdraw-consent']?.post).toBeDefined();
  });
});
