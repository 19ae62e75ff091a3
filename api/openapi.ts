// GET /api/v1/openapi.json — OpenAPI 3.1, generated from the same zod schemas that validate requests
// (domain/case-actions.ts, domain/handover.ts), so the description cannot drift from the checks.
import { Router } from 'express';
import { z } from 'zod';
import {
  actionPayloadSchemas,
  CASE_ACTIONS,
  CASE_STATES,
  createCaseSchema,
  createHandoverSchema,
  HANDOVER_ACTIONS,
  HANDOVER_STATES,
  handoverActionSchemas,
  SHARING_CATEGORIES,
} from '../domain/index.js';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const json = (schema: JsonSchema, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

function actionPaths(base: string, actions: readonly string[], schemas: Record<string, z.ZodType>, resultKey: string, tag: string) {
  const paths: Record<string, unknown> = {};
  for (const action of actions) {
    paths[`${base}/{id}/actions/${action}`] = {
      post: {
        tags: [tag],
        operationId: `${tag}-${action}`,
        summary: `Aktion ${action}`,
        parameters: [idParam],
        requestBody: { required: true, content: { 'application/json': { schema: schemaOf(schemas[action]!) } } },
        responses: {
          200: json({ type: 'object', properties: { [resultKey]: ref(resultKey === 'case' ? 'Case' : 'Handover') } }),
          401: errorResponse('Nicht angemeldet'),
          403: errorResponse('Rolle oder Organisation darf das nicht'),
          404: errorResponse('Unbekannt oder nicht sichtbar'),
          409: errorResponse('transition_not_allowed: der aktuelle Stand erlaubt die Aktion nicht (mit "allowed")'),
          422: errorResponse('validation_failed: ungültiger Anfragetext (mit "fields")'),
        },
      },
    };
  }
  return paths;
}

export function buildOpenApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'KIM Casework API',
      version: '1',
      description: 'Fallsteuerung im Kommunalen Integrationsmanagement (Kreis Euskirchen). Zeiten in ISO 8601 mit Offset.',
    },
    servers: [{ url: '/' }],
    security: [{ session: [] }, { bearer: [] }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'kim_session', description: 'Zustandsändernde Anfragen senden X-CSRF-Token.' },
        bearer: { type: 'http', scheme: 'bearer', description: 'Persönliches API-Token (POST /api/v1/tokens)' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                fields: { type: 'object', additionalProperties: { type: 'string' } },
                allowed: { type: 'array', items: { type: 'string', enum: [...CASE_ACTIONS, ...HANDOVER_ACTIONS] } },
              },
            },
          },
        },
        Case: {
          type: 'object',
          required: ['id', 'state', 'onHold', 'organisationId', 'openedAt'],
          properties: {
            id: { type: 'string' },
            state: { type: 'string', enum: [...CASE_STATES] },
            onHold: { type: 'boolean' },
            organisationId: { type: 'string' },
            assignee: { type: ['string', 'null'] },
            person: { type: 'object' },
            consents: { type: 'array', items: { type: 'object' } },
            assessment: { type: ['object', 'null'] },
            goals: { type: 'array', items: { type: 'object' } },
            referrals: { type: 'array', items: { type: 'object' } },
            contacts: { type: 'object', properties: { count: { type: 'integer' }, byKind: { type: 'object' } } },
            deadlines: {
              type: 'array',
              items: { type: 'object', properties: { kind: { type: 'string' }, dueAt: { type: 'string', format: 'date-time' }, status: { type: 'string' } } },
            },
            openedAt: { type: 'string', format: 'date-time' },
            closedAt: { type: ['string', 'null'], format: 'date-time' },
            closure: { type: ['object', 'null'] },
          },
        },
        PartnerCase: {
          type: 'object',
          description:
            'Was eine Partnerorganisation sieht, der eine wirksame Einwilligung zur Weitergabe (share_with_partner) den Fall freigibt: ' +
            'nur die eingewilligten Datenkategorien (nicht eingewilligte Felder fehlen), dazu Zweck und Datum der Einwilligung. ' +
            'Nach dem Widerruf: 404.',
          required: ['id', 'access', 'organisationId', 'sharedWithOrganisationId', 'dataCategories', 'consents'],
          properties: {
            id: { type: 'string' },
            access: { const: 'partner' },
            organisationId: { type: 'string', description: 'Fallführende Organisation' },
            sharedWithOrganisationId: { type: 'string' },
            dataCategories: { type: 'array', items: { type: 'string', enum: [...SHARING_CATEGORIES] } },
            consents: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  id: { type: 'string' },
                  purpose: { type: ['string', 'null'] },
                  partnerName: { type: ['string', 'null'] },
                  recordedAt: { type: 'string', format: 'date-time' },
                  dataCategories: { type: 'array', items: { type: 'string', enum: [...SHARING_CATEGORIES] } },
                },
              },
            },
            person: { type: 'object', description: 'master_data: givenName, familyName, birthDate, municipality, languages' },
            referrals: { type: 'array', items: { type: 'object' }, description: 'referral: nur Vermittlungen unter dieser Einwilligung' },
            lifeAreas: { type: 'array', items: { type: 'object' }, description: 'life_areas (situation nur mit life_area_situations)' },
            goals: { type: 'array', items: { type: 'object' }, description: 'goals' },
          },
        },
        Handover: {
          type: 'object',
          required: ['id', 'state'],
          properties: {
            id: { type: 'string' },
            state: { type: 'string', enum: [...HANDOVER_STATES] },
            consentWithdrawal: { type: ['object', 'null'], description: 'Einwilligung vor der Fallübernahme widerrufen (Status cancelled)' },
            caseId: { type: ['string', 'null'] },
            receivingOrganisationId: { type: ['string', 'null'] },
            meeting: { type: ['object', 'null'] },
            deadlines: { type: 'array', items: { type: 'object' } },
          },
        },
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
      '/api/v1/session': {
        post: {
          security: [],
          summary: 'Anmelden',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { type: 'object', required: ['email', 'password'], properties: { email: { type: 'string' }, password: { type: 'string' } } },
              },
            },
          },
          responses: { 200: json({ type: 'object' }), 401: errorResponse('Falsche Zugangsdaten'), 429: errorResponse('Zu viele Versuche') },
        },
        get: { summary: 'Aktuelle Sitzung', responses: { 200: json({ type: 'object' }), 401: errorResponse('Nicht angemeldet') } },
        delete: { summary: 'Abmelden', responses: { 204: { description: 'Abgemeldet' } } },
      },
      '/api/v1/tokens': {
        post: { summary: 'Persönliches API-Token erzeugen', responses: { 201: json({ type: 'object', properties: { token: { type: 'string' } } }) } },
      },
      '/api/v1/organisations': { get: { summary: 'Organisationen', responses: { 200: json({ type: 'object' }) } } },
      '/api/v1/cases': {
        get: {
          summary: 'Fälle (gefiltert, seitenweise)',
          parameters: ['state', 'organisationId', 'assignee', 'municipality', 'overdue', 'q', 'page', 'pageSize'].map((name) => ({
            name,
            in: 'query',
            schema: { type: 'string' },
          })),
          responses: { 200: json({ type: 'object', properties: { items: { type: 'array' }, total: { type: 'integer' } } }) },
        },
        post: {
          summary: 'Fall anlegen (Zugang)',
          requestBody: { required: true, content: { 'application/json': { schema: schemaOf(createCaseSchema) } } },
          responses: { 201: json(ref('Case'), 'Angelegt'), 422: errorResponse('Ungültige Angaben'), 503: errorResponse('Prozess-Engine nicht erreichbar') },
        },
      },
      '/api/v1/cases/{id}': {
        get: {
          parameters: [idParam],
          summary: 'Fall; für eine Partnerorganisation mit wirksamer Einwilligung nur die freigegebenen Daten (access: partner)',
          responses: {
            200: json({ oneOf: [ref('Case'), ref('PartnerCase'), { type: 'object', properties: { access: { const: 'state_only' } } }] }),
            404: errorResponse('Unbekannt oder nicht sichtbar'),
          },
        },
      },
      '/api/v1/cases/shared': {
        get: {
          summary: 'Fälle anderer Organisationen, die der eigenen per Einwilligung freigegeben sind',
          parameters: ['page', 'pageSize'].map((name) => ({ name, in: 'query', schema: { type: 'integer', minimum: 1 } })),
          responses: {
            200: json({
              type: 'object',
              properties: {
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      id: { type: 'string' },
                      access: { const: 'partner' },
                      organisationId: { type: 'string' },
                      person: { type: 'object', description: 'Nur mit master_data: givenName, familyName' },
                      dataCategories: { type: 'array', items: { type: 'string', enum: [...SHARING_CATEGORIES] } },
                      consents: { type: 'array', items: { type: 'object' } },
                    },
                  },
                },
                total: { type: 'integer' },
              },
            }),
          },
        },
      },
      '/api/v1/cases/{id}/history': {
        get: {
          parameters: [idParam, { name: 'asOf', in: 'query', schema: { type: 'string', format: 'date-time' } }],
          summary: 'Vollständiger Verlauf (Fallrekonstruktion)',
          responses: { 200: json({ type: 'object', properties: { events: { type: 'array', items: { type: 'object' } } } }) },
        },
      },
      '/api/v1/cases/{id}/history/check': {
        get: {
          parameters: [idParam],
          summary: 'Abgleich Ereignisspeicher ↔ Workflow-Historie (alle Läufe)',
          responses: { 200: json({ type: 'object', properties: { agrees: { type: 'boolean' }, missingInDatabase: { type: 'array' }, missingInEngine: { type: 'array' } } }) },
        },
      },
      '/api/v1/cases/{id}/access-log': {
        get: { parameters: [idParam], summary: 'Zugriffsprotokoll des Falls (Koordination)', responses: { 200: json({ type: 'object' }), 403: errorResponse('Nur Koordination') } },
      },
      '/api/v1/cases/{id}/export': {
        get: {
          parameters: [idParam, { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'html'] } }],
          summary: 'Auskunft nach Art. 15 DSGVO (Koordination)',
          responses: { 200: json({ type: 'object' }), 403: errorResponse('Nur Koordination') },
        },
      },
      '/api/v1/codec/decode': {
        post: {
          summary:
            'Codec-Server für die Temporal-UI (Remote-Codec-Protokoll): entschlüsselt Payloads für die Koordination, protokolliert jeden betroffenen Fall; Sitzungs-Cookie ohne CSRF-Token',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['payloads'],
                  properties: {
                    payloads: {
                      type: 'array',
                      maxItems: 1000,
                      items: { type: 'object', properties: { metadata: { type: 'object', additionalProperties: { type: 'string', contentEncoding: 'base64' } }, data: { type: 'string', contentEncoding: 'base64' } } },
                    },
                  },
                },
              },
            },
          },
          responses: { 200: json({ type: 'object', properties: { payloads: { type: 'array' } } }), 403: errorResponse('Nur Koordination'), 422: errorResponse('Keine Payload-Liste') },
        },
      },
      '/api/v1/deadlines': {
        get: {
          summary: 'Offene Fristen der sichtbaren Fälle',
          parameters: [
            { name: 'status', in: 'query', schema: { type: 'string', enum: ['overdue', 'due_soon'] } },
            { name: 'days', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 90 } },
          ],
          responses: { 200: json({ type: 'object', properties: { items: { type: 'array' }, total: { type: 'integer' } } }), 422: errorResponse('Ungültige Filter') },
        },
      },
      '/api/v1/reports/controlling': {
        get: {
          summary: 'Controlling-Zahlen aus den Ereignissen (Koordination); Accept: text/csv → CSV, format=xlsx → Excel',
          parameters: [
            { name: 'from', in: 'query', schema: { type: 'string', format: 'date' } },
            { name: 'to', in: 'query', schema: { type: 'string', format: 'date' } },
            { name: 'groupBy', in: 'query', schema: { type: 'string', enum: ['organisation', 'municipality', 'month'] } },
            { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'csv', 'xlsx'] } },
          ],
          responses: { 200: json({ type: 'object' }), 403: errorResponse('Nur Koordination'), 422: errorResponse('Ungültiger Zeitraum') },
        },
      },
      ...actionPaths('/api/v1/cases', CASE_ACTIONS, actionPayloadSchemas, 'case', 'cases'),
      '/api/v1/handovers': {
        post: {
          summary: 'Übergabe aus der ABH vorschlagen',
          requestBody: { required: true, content: { 'application/json': { schema: schemaOf(createHandoverSchema) } } },
          responses: { 201: json(ref('Handover'), 'Angelegt'), 422: errorResponse('Ungültige Angaben') },
        },
      },
      '/api/v1/handovers/{id}': {
        get: { parameters: [idParam], summary: 'Übergabe', responses: { 200: json(ref('Handover')), 404: errorResponse('Unbekannt') } },
      },
      ...actionPaths('/api/v1/handovers', HANDOVER_ACTIONS, handoverActionSchemas, 'handover', 'handovers'),
    },
  };
}

export function openApiRouter(): Router {
  const router = Router();
  const document = buildOpenApiDocument();
  router.get('/api/v1/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}
