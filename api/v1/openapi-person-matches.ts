// Paths of the OpenAPI document (api/v1/openapi.ts): coordination's possible matches of one person across providers
// (issue 16; api/operations/person-matches.ts).
import { PersonMatchQuery } from '../operations/person-matches.js';
import { errorResponse, idParam, json, pathItem, queryParameters } from './openapi-kit.js';

const matchCase = {
  type: ['object', 'null'],
  properties: {
    id: { type: 'string' },
    organisationId: { type: 'string' },
    organisationName: { type: 'string' },
    state: { type: 'string' },
    openedAt: { type: 'string', format: 'date-time' },
    municipality: { type: 'string' },
    person: { type: 'object', properties: { givenName: { type: 'string' }, familyName: { type: 'string' }, birthDate: { type: 'string', format: 'date' } } },
  },
};

const personMatch = {
  type: 'object',
  required: ['id', 'status', 'detectedAt', 'confirmedById', 'case', 'otherCase'],
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['open', 'linked', 'dismissed'] },
    detectedAt: { type: 'string', format: 'date-time' },
    decidedAt: { type: ['string', 'null'], format: 'date-time' },
    decidedById: { type: ['string', 'null'] },
    confirmedById: { type: 'string' },
    case: { ...matchCase, description: 'Der trotz Hinweis angelegte Fall' },
    otherCase: { ...matchCase, description: 'Der offene Fall bei der anderen Organisation' },
  },
};

function decision(summary: string) {
  return pathItem({
    post: {
      summary,
      parameters: [idParam],
      responses: {
        200: json({ type: 'object', properties: { match: personMatch } }),
        403: errorResponse('forbidden: nur die KIM-Koordination'),
        404: errorResponse('not_found: möglicher Treffer unbekannt'),
        409: errorResponse('match_already_decided: bereits anders entschieden (mit "status")'),
      },
    },
  });
}

export function personMatchPaths(): Record<string, unknown> {
  return {
    '/api/v1/person-matches': pathItem({
      get: {
        summary: 'Mögliche Treffer einer Person bei mehreren Organisationen (Koordination; jeder gezeigte Fall im Zugriffsprotokoll)',
        parameters: queryParameters(PersonMatchQuery),
        responses: {
          200: json({ type: 'object', properties: { status: { type: 'string' }, items: { type: 'array', items: personMatch } } }),
          403: errorResponse('forbidden: nur die KIM-Koordination'),
          422: errorResponse('validation_failed: ungültiger Status (mit "fields")'),
        },
      },
    }),
    '/api/v1/person-matches/{id}/link': decision('Beide Fälle einer Person zuordnen (zählt in den Zahlen als eine Person; protokolliert)'),
    '/api/v1/person-matches/{id}/dismiss': decision('Möglichen Treffer verwerfen: verschiedene Personen (protokolliert)'),
  };
}
