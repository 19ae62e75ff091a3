// Paths of the OpenAPI document for the case file beside the workflow: documents and the person's contact data
// (api/v1/case-documents.ts).
import { DOCUMENT_KINDS } from '../operations/case-documents.js';
import { CaseContactBody, RELATIONS } from '../operations/case-contact.js';
import { errorResponse, idParam, json, pathItem, schemaOf, type JsonSchema } from './openapi-kit.js';

const NOT_FOUND = 'not_found: Fall (oder Dokument) unbekannt oder nicht sichtbar';
const STATE_ONLY_403 = 'forbidden: bei diesem Fall nur der Stand sichtbar, nicht die Inhalte';

const caseDocument: JsonSchema = {
  type: 'object',
  required: ['id', 'caseId', 'kind', 'title', 'fileName', 'contentType', 'size', 'createdAt', 'createdById'],
  properties: {
    id: { type: 'string' },
    caseId: { type: 'string' },
    kind: { type: 'string', enum: [...DOCUMENT_KINDS] },
    title: { type: 'string' },
    fileName: { type: 'string' },
    contentType: { type: 'string', enum: ['application/pdf', 'image/jpeg', 'image/png'] },
    size: { type: 'integer', minimum: 1 },
    createdAt: { type: 'string', format: 'date-time' },
    createdById: { type: 'string' },
  },
};

const caseContact: JsonSchema = {
  type: 'object',
  required: ['address', 'phone', 'email', 'preferredLanguage', 'interpreterNeeded', 'relatedPersons', 'updatedAt', 'updatedById'],
  properties: {
    address: { type: ['string', 'null'] },
    phone: { type: ['string', 'null'] },
    email: { type: ['string', 'null'] },
    preferredLanguage: { type: ['string', 'null'] },
    interpreterNeeded: { type: 'boolean' },
    relatedPersons: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'relation', 'birthYear'],
        properties: { name: { type: 'string' }, relation: { type: 'string', enum: [...RELATIONS] }, birthYear: { type: ['integer', 'null'] } },
      },
    },
    updatedAt: { type: ['string', 'null'], format: 'date-time' },
    updatedById: { type: ['string', 'null'] },
  },
};

const binary = { schema: { type: 'string', format: 'binary' } };

export function caseDocumentPaths(): Record<string, unknown> {
  return {
    '/api/v1/cases/{id}/documents': pathItem({
      get: {
        parameters: [idParam],
        summary: 'Dokumente der Fallakte',
        responses: {
          200: json({ type: 'object', required: ['documents'], properties: { documents: { type: 'array', items: caseDocument } } }),
          403: errorResponse(STATE_ONLY_403),
          404: errorResponse(NOT_FOUND),
        },
      },
      post: {
        parameters: [idParam],
        summary: 'Dokument ablegen (PDF, JPEG oder PNG, höchstens 10 MB; verschlüsselt mit dem Schlüssel des Falls)',
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['kind', 'title', 'file'],
                properties: {
                  kind: { type: 'string', enum: [...DOCUMENT_KINDS] },
                  title: { type: 'string', maxLength: 200 },
                  file: { type: 'string', format: 'binary' },
                  requestId: { type: 'string', description: 'Wiederholung mit derselben requestId legt nichts Neues an (200)' },
                },
              },
            },
          },
        },
        responses: {
          200: json(caseDocument, 'Dieselbe requestId: das schon abgelegte Dokument'),
          201: json(caseDocument, 'Abgelegt'),
          403: errorResponse(STATE_ONLY_403),
          404: errorResponse(NOT_FOUND),
          409: errorResponse('case_erased: die Löschung des Falls hat begonnen'),
          422: errorResponse('validation_failed / file_too_large: Art, Titel oder Datei fehlt, falscher Dateityp, größer als 10 MB (mit "fields")'),
        },
      },
    }),
    '/api/v1/cases/{id}/contact': pathItem({
      get: {
        parameters: [idParam],
        summary: 'Kontaktdaten der Person (verschlüsselt mit dem Schlüssel des Falls)',
        responses: { 200: json(caseContact), 403: errorResponse(STATE_ONLY_403), 404: errorResponse(NOT_FOUND) },
      },
      put: {
        parameters: [idParam],
        summary: 'Kontaktdaten der Person ersetzen',
        requestBody: { required: true, content: { 'application/json': { schema: schemaOf(CaseContactBody) } } },
        responses: {
          200: json(caseContact),
          403: errorResponse(STATE_ONLY_403),
          404: errorResponse(NOT_FOUND),
          409: errorResponse('case_erased: die Löschung des Falls hat begonnen'),
          422: errorResponse('validation_failed: ungültige Angabe (mit "fields")'),
        },
      },
    }),
    '/api/v1/cases/{id}/documents/{docId}': pathItem({
      get: {
        parameters: [idParam, { name: 'docId', in: 'path', required: true, schema: { type: 'string' } }],
        summary: 'Dokument herunterladen (immer als Anhang; im Zugriffsprotokoll)',
        responses: {
          200: { description: 'Die Datei', content: { 'application/pdf': binary, 'image/jpeg': binary, 'image/png': binary } },
          403: errorResponse(STATE_ONLY_403),
          404: errorResponse(NOT_FOUND),
        },
      },
    }),
  };
}
