// Paths of the OpenAPI document (api/v1/openapi.ts): sessions and tokens, the directory, reading cases, coordination.
// Request bodies and query parameters come from the zod schemas the operations validate with; every operation lists
// the statuses it can answer (openapi-kit.ts adds the shared ones: 400, 401, 403 csrf_failed, 413, 415, 503).
import { isoDateOrTimestamp, SHARING_CATEGORIES } from '../../domain/index.js';
import { listCasesQuery } from '../operations/cases.js';
import { DeadlinesQuery } from '../operations/deadlines.js';
import { ProgressReportQuery } from '../operations/progress.js';
import { AccessLogQuery } from '../operations/access-log.js';
import { ControllingReportQuery } from '../operations/reports.js';
import { SteeringReportQuery } from '../operations/steering-report.js';
import { signInBody, tokenBody } from '../operations/sessions.js';
import { errorResponse, idParam, json, pathItem, queryParameters, ref, schemaOf, tooManyAttempts, type JsonSchema } from './openapi-kit.js';

const NOT_FOUND_CASE = 'not_found: Fall unbekannt oder nicht sichtbar';
const STATE_ONLY_403 = 'forbidden: bei diesem Fall nur der Stand sichtbar, nicht die Inhalte';

const apiToken = {
  type: 'object',
  required: ['id', 'createdAt'],
  properties: {
    id: { type: 'string' },
    name: { type: ['string', 'null'] },
    scope: { type: 'string', enum: ['full', 'read'] },
    createdAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
    lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

export function sessionPaths(): Record<string, unknown> {
  return {
    '/api/v1/session': {
      ...pathItem(
        {
          post: {
            security: [],
            summary: 'Anmelden',
            requestBody: { required: true, content: { 'application/json': { schema: schemaOf(signInBody) } } },
            responses: {
              200: json({ type: 'object' }),
              401: errorResponse('Falsche Zugangsdaten'),
              403: errorResponse('account_inactive: Konto deaktiviert'),
              422: errorResponse('validation_failed: E-Mail-Adresse oder Passwort fehlt oder ist zu lang (mit "fields")'),
              429: tooManyAttempts('Zu viele Versuche'),
            },
          },
        },
        { auth: false },
      ),
      ...pathItem({
        get: { summary: 'Aktuelle Sitzung', responses: { 200: json({ type: 'object' }), 401: errorResponse('Nicht angemeldet') } },
        delete: { summary: 'Abmelden', responses: { 204: { description: 'Abgemeldet' } } },
      }),
    },
    '/api/v1/tokens': pathItem({
      post: {
        summary: 'Persönliches API-Token erzeugen',
        requestBody: { required: false, content: { 'application/json': { schema: schemaOf(tokenBody) } } },
        responses: {
          201: json({ type: 'object', properties: { token: { type: 'string' }, ...apiToken.properties } }),
          403: errorResponse('forbidden: API-Tokens nur in einer angemeldeten Browser-Sitzung, nicht mit einem API-Token'),
          422: errorResponse('validation_failed: ungültiger Name (mit "fields")'),
        },
      },
      get: {
        summary: 'Eigene API-Tokens (ohne das Token selbst)',
        responses: { 200: json({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: apiToken } } }) },
      },
    }),
    '/api/v1/tokens/{id}': pathItem({
      delete: {
        parameters: [idParam],
        summary: 'Eigenes API-Token widerrufen (wiederholbar)',
        responses: { 204: { description: 'Widerrufen' }, 404: errorResponse('not_found: unbekanntes oder fremdes Token') },
      },
    }),
  };
}

const sharedCaseItem = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    access: { const: 'partner' },
    organisationId: { type: 'string' },
    person: { type: 'object', description: 'Nur mit master_data: givenName, familyName' },
    dataCategories: { type: 'array', items: { type: 'string', enum: [...SHARING_CATEGORIES] } },
    consents: { type: 'array', items: { type: 'object' } },
  },
};

/** What a caller sees of a case it may see only the state of (access-policy.ts stateOnlyCaseView). */
const stateOnlyCase = {
  type: 'object',
  required: ['access'],
  properties: {
    access: { const: 'state_only' },
    residenceTrack: { type: ['object', 'null'], description: 'Nur für die übergebende ABH-Beratung, wenn eine Einwilligung (residence_law) die ABH nennt' },
  },
};

export function caseReadPaths(): Record<string, unknown> {
  return {
    '/api/v1/cases': pathItem({
      get: {
        summary: 'Fälle (gefiltert, seitenweise)',
        parameters: queryParameters(listCasesQuery),
        responses: {
          200: json({ type: 'object', properties: { items: { type: 'array' }, total: { type: 'integer' } } }),
          422: errorResponse('validation_failed: ungültige Filter (mit "fields")'),
        },
      },
      // POST: openapi-actions.ts (openCasePath), merged in openapi.ts.
    }),
    '/api/v1/cases/{id}': pathItem({
      get: {
        parameters: [idParam],
        summary: 'Fall; für eine Partnerorganisation mit wirksamer Einwilligung nur die freigegebenen Daten (access: partner)',
        responses: {
          200: json({ anyOf: [ref('Case'), ref('PartnerCase'), stateOnlyCase] }),
          404: errorResponse('Unbekannt oder nicht sichtbar'),
        },
      },
    }),
    '/api/v1/cases/shared': pathItem({
      get: {
        summary: 'Fälle anderer Organisationen, die der eigenen per Einwilligung freigegeben sind',
        parameters: ['page', 'pageSize'].map((name) => ({ name, in: 'query', schema: { type: 'integer', minimum: 1 } })),
        responses: {
          200: json({ type: 'object', properties: { items: { type: 'array', items: sharedCaseItem }, total: { type: 'integer' } } }),
          422: errorResponse('validation_failed: ungültige Seitenangaben (mit "fields")'),
        },
      },
    }),
    ...caseRecordPaths(),
  };
}

function caseRecordPaths(): Record<string, unknown> {
  const asOf = { ...schemaOf(isoDateOrTimestamp()), description: 'Stand zu diesem Tag (Ende des Tages, UTC) oder Zeitpunkt' };
  return {
    '/api/v1/cases/{id}/history': pathItem({
      get: {
        parameters: [idParam, { name: 'asOf', in: 'query', schema: asOf }],
        summary: 'Vollständiger Verlauf (Fallrekonstruktion)',
        responses: {
          200: json({ type: 'object', properties: { events: { type: 'array', items: { type: 'object' } } } }),
          403: errorResponse(STATE_ONLY_403),
          404: errorResponse(NOT_FOUND_CASE),
          422: errorResponse('validation_failed: ungültiger Stichtag asOf (mit "fields")'),
        },
      },
    }),
    ...progressPaths(),
    ...residencePaths(),
    '/api/v1/cases/{id}/history/check': pathItem({
      get: {
        parameters: [idParam],
        summary: 'Abgleich Ereignisspeicher ↔ Workflow-Historie (alle Läufe)',
        responses: {
          200: json({
            type: 'object',
            properties: {
              agrees: { type: 'boolean' },
              missingInDatabase: { type: 'array' },
              missingInEngine: { type: 'array' },
              unrecorded: { type: 'array', items: { type: 'integer' }, description: 'Von der Engine nummeriert oder zum Schreiben eingeplant, nicht in der Datenbank' },
              pendingWrites: { type: ['integer', 'null'], description: 'Schreibvorgänge, die der Workflow gerade ausführt (null: keine Antwort)' },
              rejected: { type: 'array', items: { type: 'object' }, description: 'Von der Datenbank dauerhaft abgewiesene Einträge' },
            },
          }),
          403: errorResponse(STATE_ONLY_403),
          404: errorResponse(NOT_FOUND_CASE),
        },
      },
    }),
    '/api/v1/cases/{id}/access-log': pathItem({
      get: {
        parameters: [idParam, ...queryParameters(AccessLogQuery)],
        summary: 'Zugriffsprotokoll des Falls (Koordination); Filter: Person (userId), Zeitraum (from/to, Tage in Deutschland, einschließlich), Art (action)',
        responses: {
          200: json({ type: 'object' }),
          403: errorResponse('Nur Koordination'),
          404: errorResponse(NOT_FOUND_CASE),
          422: errorResponse('validation_failed: ungültige Filter (mit "fields")'),
        },
      },
    }),
    '/api/v1/cases/{id}/export': pathItem({
      get: {
        parameters: [idParam, { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'html'] } }],
        summary: 'Auskunft nach Art. 15 DSGVO (Koordination)',
        responses: {
          200: { description: 'OK', content: { 'application/json': { schema: { type: 'object' } }, 'text/html': { schema: { type: 'string' } } } },
          403: errorResponse('Nur Koordination'),
          404: errorResponse(NOT_FOUND_CASE),
        },
      },
    }),
  };
}

const codecPayloads: JsonSchema = {
  type: 'object',
  required: ['payloads'],
  properties: {
    payloads: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        properties: {
          metadata: { type: 'object', additionalProperties: { type: 'string', contentEncoding: 'base64' } },
          data: { type: 'string', contentEncoding: 'base64' },
        },
      },
    },
  },
};

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function coordinationPaths(): Record<string, unknown> {
  return {
    '/api/v1/codec/decode': pathItem(
      {
        post: {
          summary:
            'Codec-Server für die Temporal-UI (Remote-Codec-Protokoll): entschlüsselt Payloads für die Koordination, protokolliert jeden betroffenen Fall; Sitzungs-Cookie ohne CSRF-Token',
          requestBody: { required: true, content: { 'application/json': { schema: codecPayloads } } },
          responses: { 200: json({ type: 'object', properties: { payloads: { type: 'array' } } }), 403: errorResponse('Nur Koordination'), 422: errorResponse('Keine Payload-Liste') },
        },
      },
      // Mounted before the CSRF check: the Temporal UI sends the session cookie but no token (it changes nothing).
      { csrf: false },
    ),
    '/api/v1/deadlines': pathItem({
      get: {
        summary: 'Offene Fristen der sichtbaren Fälle',
        parameters: queryParameters(DeadlinesQuery),
        responses: { 200: json({ type: 'object', properties: { items: { type: 'array' }, total: { type: 'integer' } } }), 422: errorResponse('Ungültige Filter') },
      },
    }),
    '/api/v1/reports/controlling': pathItem({
      get: {
        summary: 'Controlling-Zahlen aus den Ereignissen (Koordination); Accept: text/csv → CSV, format=xlsx → Excel',
        parameters: queryParameters(ControllingReportQuery).map((p) =>
          p.name === 'to' ? { ...p, description: 'Nicht vor from; from bis to höchstens zehn Jahre. Ohne from: ab dem 1. Januar des laufenden Jahres' } : p,
        ),
        responses: {
          200: {
            description: 'OK',
            content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } }, [XLSX]: { schema: { type: 'string', contentEncoding: 'binary' } } },
          },
          403: errorResponse('Nur Koordination'),
          422: errorResponse('Ungültiger Zeitraum'),
        },
      },
    }),
    '/api/v1/reports/steering': pathItem({
      get: {
        summary: 'Bericht für die Lenkungsgruppe (Halbjahr oder Jahr): Kennzahlen nach Altersgruppe, Zugangsweg, Kreis-Stelle/Träger und Fortschritt; CSV/Excel',
        parameters: queryParameters(SteeringReportQuery),
        responses: {
          200: {
            description: 'OK',
            content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } }, [XLSX]: { schema: { type: 'string', contentEncoding: 'binary' } } },
          },
          403: errorResponse('Nur Koordination'),
          422: errorResponse('Ungültiges Jahr oder Halbjahr'),
        },
      },
    }),
    '/api/v1/reports/progress': pathItem({
      get: {
        summary: 'Messbarer Fortschritt der im Zeitraum abgeschlossenen Fälle: Bedarfsänderung je Lebensbereich, Erfolgskriterien (Koordination); CSV/Excel wie controlling',
        parameters: queryParameters(ProgressReportQuery),
        responses: {
          200: {
            description: 'OK',
            content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } }, [XLSX]: { schema: { type: 'string', contentEncoding: 'binary' } } },
          },
          403: errorResponse('Nur Koordination'),
          422: errorResponse('Ungültiger Zeitraum'),
        },
      },
    }),
  };
}

/** The development of one case (issue 16): criteria and ratings over time. */
function progressPaths(): Record<string, unknown> {
  return {
    '/api/v1/cases/{id}/progress': pathItem({
      get: {
        parameters: [idParam],
        summary: 'Entwicklung des Falls: Erfolgskriterien und Bewertungen (Assessment, Überprüfungen, Abschluss), älteste zuerst',
        responses: {
          200: json({
            type: 'object',
            required: ['caseId', 'criteria', 'points'],
            properties: {
              caseId: { type: 'string' },
              criteria: { type: 'array', items: { type: 'object', required: ['id', 'code'], properties: { id: { type: 'string' }, code: { type: 'string' }, text: { type: 'string' } } } },
              points: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['at', 'occasion', 'needs', 'criteria'],
                  properties: { at: { type: 'string', format: 'date-time' }, occasion: { type: 'string', enum: ['assessment', 'review', 'closure'] }, needs: { type: 'object' }, criteria: { type: 'object' } },
                },
              },
            },
          }),
          403: errorResponse(STATE_ONLY_403),
          404: errorResponse(NOT_FOUND_CASE),
        },
      },
    }),
  };
}

/** The residence-law figures (issue 16 item 2); the track itself is set with POST /api/v1/cases/{id}/actions/set-residence-track. */
function residencePaths(): Record<string, unknown> {
  return {
    '/api/v1/reports/residence': pathItem({
      get: {
        summary: 'Aufenthaltsrechtliche Situation: Fälle nach aktuellem und angestrebtem Titel, Integrationsleistungen, im Zeitraum erreichte Titel (Koordination, unterdrückt); CSV/Excel wie controlling',
        parameters: queryParameters(ProgressReportQuery),
        responses: {
          200: {
            description: 'OK',
            content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } }, [XLSX]: { schema: { type: 'string', contentEncoding: 'binary' } } },
          },
          403: errorResponse('Nur Koordination'),
          422: errorResponse('Ungültiger Zeitraum'),
        },
      },
    }),
  };
}
