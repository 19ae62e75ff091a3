// GET /api/v1/openapi.json — OpenAPI 3.1, generated from the same zod schemas that validate requests
// (domain/case-actions.ts, domain/handover.ts, the operations' …Query/…Body schemas), so the description cannot drift
// from the checks. Every operation lists every status it can answer; a method a path does not have answers 405 with
// `Allow` (api/http/method-not-allowed.ts, built from this document). tests/openapi-contract.test.ts holds the running
// app to it.
//   openapi-kit.ts         zod → JSON Schema, the shared error responses
//   openapi-components.ts  security schemes, Error, Case, PartnerCase, Handover
//   openapi-paths.ts       sessions, tokens, directory, reading cases, coordination
//   openapi-actions.ts     opening a case, case actions, handovers
//   openapi-admin.ts       accounts, one-time links, deadline settings, organisations, routing rules, audit
//   openapi-documents.ts   the documents of a case file
//   openapi-catalogue.ts   the referral catalogue
//   openapi-person-matches.ts  one person across providers: coordination's possible matches
import { Router } from 'express';
import { caseActionPaths, handoverPaths, openCaseOperation } from './openapi-actions.js';
import { schemas, securitySchemes } from './openapi-components.js';
import { errorResponse, json } from './openapi-kit.js';
import { administrationPaths } from './openapi-admin.js';
import { caseReadPaths, coordinationPaths, sessionPaths } from './openapi-paths.js';
import { workPaths } from './openapi-work.js';
import { caseDocumentPaths } from './openapi-documents.js';
import { caseLinkPaths, referralCataloguePaths } from './openapi-catalogue.js';
import { personMatchPaths } from './openapi-person-matches.js';

export const OPENAPI_PATH = '/api/v1/openapi.json';

const DESCRIPTION =
  'Fallsteuerung im Kommunalen Integrationsmanagement (Kreis Euskirchen). Zeiten in ISO 8601 mit Offset. ' +
  'Fehler: { "error": { "code", "message", … } }. Eine Methode, die ein Pfad nicht hat: 405 method_not_allowed mit Allow. ' +
  'Längenangaben zählen UTF-16-Codeeinheiten (Zeichen außerhalb der BMP zählen doppelt).';

export function buildOpenApiDocument(): Record<string, unknown> {
  const cases = caseReadPaths();
  return {
    openapi: '3.1.0',
    info: { title: 'KIM Casework API', version: '1', description: DESCRIPTION },
    servers: [{ url: '/' }],
    security: [{ session: [] }, { bearer: [] }],
    components: {
      securitySchemes,
      schemas,
      responses: {
        MethodNotAllowed: errorResponse('method_not_allowed: der Pfad kennt die Methode nicht', {
          Allow: { description: 'Die Methoden des Pfads', schema: { type: 'string' } },
        }),
      },
    },
    paths: {
      '/healthz': {
        get: {
          security: [],
          summary: 'Systemstatus',
          responses: {
            200: json({ type: 'object', properties: { temporal: { type: 'string' }, database: { type: 'string' } } }),
            503: json({ type: 'object' }, 'Temporal oder Datenbank nicht erreichbar'),
          },
        },
      },
      [OPENAPI_PATH]: {
        get: {
          security: [],
          summary: 'Dieses Dokument (OpenAPI 3.1)',
          responses: { 200: json({ type: 'object', required: ['openapi', 'paths'] }), 400: errorResponse('invalid_json: der Anfragetext ist kein gültiges JSON') },
        },
      },
      ...sessionPaths(),
      ...withOpenCase(cases),
      ...coordinationPaths(),
      ...caseActionPaths(),
      ...handoverPaths(),
      ...administrationPaths(),
      ...workPaths(),
      ...caseDocumentPaths(),
      ...referralCataloguePaths(),
      ...caseLinkPaths(),
      ...personMatchPaths(),
    },
  };
}

/** POST /api/v1/cases joins GET in the same path item. */
function withOpenCase(cases: Record<string, unknown>): Record<string, unknown> {
  return { ...cases, '/api/v1/cases': { ...(cases['/api/v1/cases'] as object), ...openCaseOperation() } };
}

export function openApiRouter(): Router {
  const router = Router();
  const document = buildOpenApiDocument();
  router.get(OPENAPI_PATH, (_req, res) => {
    res.json(document);
  });
  return router;
}
