// The published OpenAPI document is generated from the validating schemas: what it calls required, the validator
// refuses when missing, and what it accepts, the validator accepts — for every body and query it describes. Methods a
// path does not have answer 405 with Allow (api/http/method-not-allowed.ts). The running app is held to the document
// by tests/openapi-contract.test.ts.
import express from 'express';
import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { allowedMethods, methodNotAllowed } from '../api/http/method-not-allowed.js';
import { errorHandler, notFoundHandler } from '../api/http/json-errors.js';
import { listCasesQuery, parseAsOf } from '../api/operations/cases.js';
import { DeadlinesQuery } from '../api/operations/deadlines.js';
import { listHandoversQuery } from '../api/operations/handovers.js';
import { ControllingReportQuery } from '../api/operations/reports.js';
import { signInBody, tokenBody } from '../api/operations/sessions.js';
import { openApiRouter, buildOpenApiDocument } from '../api/v1/openapi.js';
import {
  CASE_ACTIONS,
  HANDOVER_ACTIONS,
  JSON_SCHEMA_PATTERNS,
  SHARING_CATEGORIES,
  isIsoDate,
  isIsoTimestamp,
  inRecordRange,
  parseActionPayload,
  parseCreateCase,
  parseCreateHandover,
  parseHandoverActionPayload,
} from '../domain/index.js';
import { SchemaArbitraries, queryValue } from './support/json-schema-arbitrary.js';

const doc = buildOpenApiDocument() as { openapi: string; paths: Record<string, any>; components: any };
const gen = new SchemaArbitraries(doc);
const RUNS = Number(process.env.KIM_OPENAPI_PROPERTY_RUNS ?? 150);

async function serve(app: express.Express): Promise<{ url: string; close(): Promise<unknown> }> {
  const server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

const bodySchema = (path: string) => doc.paths[path].post.requestBody.content['application/json'].schema;

describe('GET /api/v1/openapi.json', () => {
  it('is served as OpenAPI 3.1 without sign-in', async () => {
    const app = express().use(openApiRouter());
    const server = await serve(app);
    try {
      const res = await fetch(`${server.url}/api/v1/openapi.json`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { openapi: string }).openapi).toBe('3.1.0');
    } finally {
      await server.close();
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
    const consent = bodySchema('/api/v1/cases/{id}/actions/record-consent');
    expect(consent.properties.dataCategories.items.enum).toEqual([...SHARING_CATEGORIES]);
    const read = doc.paths['/api/v1/cases/{id}'].get.responses[200].content['application/json'].schema;
    expect(read.anyOf).toEqual(expect.arrayContaining([{ $ref: '#/components/schemas/Case' }, { $ref: '#/components/schemas/PartnerCase' }]));
    const partner = doc.components.schemas.PartnerCase;
    expect(partner.required).toEqual(expect.arrayContaining(['access', 'dataCategories', 'consents']));
    expect(doc.paths['/api/v1/cases/shared']?.get).toBeDefined();
    expect(HANDOVER_ACTIONS).toContain('withdraw-consent');
    expect(doc.paths['/api/v1/handovers/{id}/actions/withdraw-consent']?.post).toBeDefined();
  });

  it('documents the error body for every error status, and the shared statuses on every operation of the JSON door', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/v1/') || path === '/api/v1/openapi.json') continue;
      for (const [method, op] of Object.entries<any>(item)) {
        const statuses = Object.keys(op.responses).map(Number);
        expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining([400, 503, ...(op.security?.length === 0 ? [] : [401])]));
        if (op.requestBody) expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining([413, 415]));
        for (const status of statuses.filter((s) => s >= 400)) {
          expect(op.responses[status].content['application/json'].schema, `${method} ${path} ${status}`).toEqual({ $ref: '#/components/schemas/Error' });
        }
      }
    }
  });
});

describe('request schemas are as strict as the validators (what the document accepts, the validator accepts)', () => {
  const accepts = (schema: unknown, validator: (value: any) => boolean) =>
    fc.assert(fc.property(gen.valid(schema as object), (value) => validator(value)), { numRuns: RUNS });
  // parseCreateCase/parseCreateHandover also refuse birth dates after `today`: a rule of the day, not of the schema
  // (its description says so). Checked here with the last day the pattern allows.
  const LAST_DAY = '9999-12-31';

  it.each(CASE_ACTIONS)('case action %s', (action) => {
    accepts(bodySchema(`/api/v1/cases/{id}/actions/${action}`), (body) => parseActionPayload(action, body).ok);
  });

  it.each(HANDOVER_ACTIONS)('handover action %s', (action) => {
    accepts(bodySchema(`/api/v1/handovers/{id}/actions/${action}`), (body) => parseHandoverActionPayload(action, body).ok);
  });

  it('opening a case, proposing a handover, signing in, creating a token', () => {
    accepts(bodySchema('/api/v1/cases'), (body) => parseCreateCase(body, LAST_DAY).ok);
    accepts(bodySchema('/api/v1/handovers'), (body) => parseCreateHandover(body, LAST_DAY).ok);
    accepts(bodySchema('/api/v1/session'), (body) => signInBody.safeParse(body).success);
    accepts(bodySchema('/api/v1/tokens'), (body) => tokenBody.safeParse(body).success);
  });

  const queryOf = (path: string) => {
    const parameters: any[] = doc.paths[path].get.parameters.filter((p: any) => p.in === 'query');
    return fc.tuple(...parameters.map((p) => fc.option(gen.valid(p.schema).map(queryValue), { nil: undefined }))).map((values) =>
      Object.fromEntries(parameters.flatMap((p, i) => (values[i] === undefined ? [] : [[p.name, values[i]]]))),
    );
  };
  const queryAccepted = (path: string, schema: z.ZodType, skip: (q: Record<string, string>) => boolean = () => false) =>
    fc.assert(fc.property(queryOf(path), (query) => skip(query) || schema.safeParse(query).success), { numRuns: RUNS });

  it('query strings', () => {
    queryAccepted('/api/v1/cases', listCasesQuery);
    queryAccepted('/api/v1/deadlines', DeadlinesQuery);
    queryAccepted('/api/v1/handovers', listHandoversQuery);
    // from and to together must be in order and at most ten years apart: the description of `to` says so.
    queryAccepted('/api/v1/reports/controlling', ControllingReportQuery, (q) => 'from' in q && 'to' in q);
    const asOf = doc.paths['/api/v1/cases/{id}/history'].get.parameters.find((p: any) => p.name === 'asOf').schema;
    fc.assert(fc.property(gen.valid(asOf), (value) => parseAsOf(value) instanceof Date), { numRuns: RUNS });
  });
});

describe('the JSON Schema patterns of the domain', () => {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const nearDate = fc
    .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
    .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`);
  const leapDay = fc.integer({ min: 0, max: 9999 }).map((y) => `${pad(y, 4)}-02-29`);
  const date = fc.oneof(nearDate, leapDay, fc.string({ maxLength: 12 }));
  const time = fc
    .tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.option(fc.integer({ min: 0, max: 61 })), fc.constantFrom('', '.5', '.123456789', '.1234567890'))
    .map(([h, m, s, f]) => `T${pad(h, 2)}:${pad(m, 2)}${s === null ? '' : `:${pad(s, 2)}${f}`}`);
  const offset = fc.oneof(fc.constantFrom('Z', 'z', ''), fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 60 })).map(([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`));
  const timestamp = fc.tuple(fc.oneof(nearDate, leapDay), time, offset).map((parts) => parts.join(''));
  const matches = (pattern: string, value: string) => new RegExp(pattern, 'u').test(value);

  it('accept exactly what isIsoDate and isIsoTimestamp accept', () => {
    fc.assert(fc.property(date, (v) => matches(JSON_SCHEMA_PATTERNS.date, v) === isIsoDate(v)), { numRuns: 2000 });
    fc.assert(fc.property(date, (v) => matches(JSON_SCHEMA_PATTERNS.dateFrom1900, v) === (isIsoDate(v) && v >= '1900-01-01')), { numRuns: 2000 });
    fc.assert(fc.property(timestamp, (v) => matches(JSON_SCHEMA_PATTERNS.timestamp, v) === isIsoTimestamp(v)), { numRuns: 2000 });
    fc.assert(fc.property(fc.oneof(date, timestamp), (v) => matches(JSON_SCHEMA_PATTERNS.dateOrTimestamp, v) === (isIsoDate(v) || isIsoTimestamp(v))), { numRuns: 2000 });
    // Dates of case records: the same, within 1900–2999.
    fc.assert(fc.property(date, (v) => matches(JSON_SCHEMA_PATTERNS.recordDate, v) === (isIsoDate(v) && inRecordRange(v))), { numRuns: 2000 });
    fc.assert(fc.property(timestamp, (v) => matches(JSON_SCHEMA_PATTERNS.recordTimestamp, v) === (isIsoTimestamp(v) && inRecordRange(v))), { numRuns: 2000 });
    fc.assert(
      fc.property(fc.oneof(date, timestamp), (v) => matches(JSON_SCHEMA_PATTERNS.recordDateOrTimestamp, v) === ((isIsoDate(v) || isIsoTimestamp(v)) && inRecordRange(v))),
      { numRuns: 2000 },
    );
  });

  it('text: not blank after trimming, no NUL', () => {
    const text = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\u00a0', '\ufeff', '\u2028', '\u0000', 'a', 'ß', '1'), maxLength: 6 });
    fc.assert(fc.property(text, (v) => matches(JSON_SCHEMA_PATTERNS.text, v) === (v.trim().length > 0 && !v.includes('\u0000'))), { numRuns: 2000 });
    fc.assert(fc.property(text, (v) => matches(JSON_SCHEMA_PATTERNS.notBlank, v) === v.trim().length > 0), { numRuns: 2000 });
  });
});

describe('405 with Allow (api/http/method-not-allowed.ts)', () => {
  const app = express();
  app.get('/api/v1/cases', (_req, res) => void res.json({ items: [] }));
  app.use(methodNotAllowed(doc), notFoundHandler);
  app.use(errorHandler);

  it('answers a method the path does not have with 405, Allow and the JSON error body', async () => {
    const server = await serve(app);
    try {
      const put = await fetch(`${server.url}/api/v1/cases`, { method: 'PUT' });
      expect(put.status).toBe(405);
      expect(put.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
      expect(((await put.json()) as any).error).toEqual({ code: 'method_not_allowed', message: expect.stringContaining('PUT') });
      // Templates match any id; a literal segment wins over a parameter; case and one trailing slash do not matter.
      const action = await fetch(`${server.url}/api/v1/cases/c-1/actions/assign`, { method: 'GET' });
      expect([action.status, action.headers.get('allow')]).toEqual([405, 'POST, OPTIONS']);
      const shared = await fetch(`${server.url}/API/v1/Cases/shared/`, { method: 'DELETE' });
      expect([shared.status, shared.headers.get('allow')]).toEqual([405, 'GET, HEAD, OPTIONS']);
      const head = await fetch(`${server.url}/api/v1/handovers/h-1/actions/cancel`, { method: 'HEAD' });
      expect([head.status, head.headers.get('allow')]).toEqual([405, 'POST, OPTIONS']);
      const options = await fetch(`${server.url}/api/v1/tokens/t-1`, { method: 'OPTIONS' });
      expect([options.status, options.headers.get('allow')]).toEqual([204, 'DELETE, OPTIONS']);
      // Documented methods no route answered, and paths the document does not know, stay 404.
      expect((await fetch(`${server.url}/api/v1/handovers/h-1`)).status).toBe(404);
      expect((await fetch(`${server.url}/api/v1/cases/c-1/actions/fly-away`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`${server.url}/api/v1/nothing`, { method: 'PUT' })).status).toBe(404);
      expect((await fetch(`${server.url}/healthz`, { method: 'POST' })).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('lists the documented methods for a path', () => {
    expect(allowedMethods(doc, '/api/v1/session')).toEqual(['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS']);
    expect(allowedMethods(doc, '/api/v1/cases/x/history/check')).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(allowedMethods(doc, '/api/v1/cases/x/y')).toBeNull();
  });
});
