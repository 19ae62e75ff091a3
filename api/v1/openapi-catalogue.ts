// Paths of the OpenAPI document for the referral catalogue (issue 14): read by all staff, kept by coordination and IT;
// and the links of a case's related persons to their own cases.
import { CaseLinkBody } from '../operations/case-links.js';
import { CatalogueEntryCreateBody, CatalogueEntryUpdateBody } from '../operations/referral-catalogue.js';
import { errorResponse, idParam, json, pathItem, schemaOf, type JsonSchema } from './openapi-kit.js';

const entry: JsonSchema = {
  type: 'object',
  required: ['code', 'name', 'kind', 'organisationId', 'active', 'createdAt', 'updatedAt'],
  properties: {
    code: { type: 'string', description: 'Stabiler Code, den eine Vermittlung speichert' },
    name: { type: 'string' },
    kind: { type: 'string', enum: ['service', 'partner'], description: 'Angebot/Dienst oder Partnerinstitution' },
    organisationId: { type: ['string', 'null'] },
    active: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};
const codeParam = { name: 'code', in: 'path', required: true, schema: { type: 'string' } };
const body = (schema: Parameters<typeof schemaOf>[0]) => ({ required: true, content: { 'application/json': { schema: schemaOf(schema) } } });
const FORBIDDEN = errorResponse('forbidden: den Vermittlungskatalog pflegen die KIM-Koordination und Verwaltung/IT');
const NOT_FOUND = errorResponse('not_found: Eintrag unbekannt');

export function referralCataloguePaths(): Record<string, unknown> {
  return {
    '/api/v1/referral-catalogue': pathItem({
      get: {
        summary: 'Vermittlungskatalog: Angebote/Dienste und Partnerinstitutionen (aktive; mit includeInactive=true alle)',
        parameters: [{ name: 'includeInactive', in: 'query', schema: { type: 'string', enum: ['true', 'false', '1', '0'] } }],
        responses: { 200: json({ type: 'object', required: ['entries'], properties: { entries: { type: 'array', items: entry } } }) },
      },
      post: {
        summary: 'Eintrag anlegen (Code ohne Angabe aus dem Namen; idempotent per requestId; protokolliert)',
        requestBody: body(CatalogueEntryCreateBody),
        responses: {
          201: json(entry),
          403: FORBIDDEN,
          409: errorResponse('duplicate_code / duplicate_name: Code oder (normalisierter) Name schon vergeben'),
          422: errorResponse('validation_failed: ungültige Angaben (mit "fields")'),
        },
      },
    }),
    '/api/v1/referral-catalogue/{code}': pathItem({
      patch: {
        parameters: [codeParam],
        summary: 'Eintrag umbenennen, deaktivieren/reaktivieren (protokolliert)',
        requestBody: body(CatalogueEntryUpdateBody),
        responses: {
          200: json(entry),
          403: FORBIDDEN,
          404: NOT_FOUND,
          409: errorResponse('duplicate_name: (normalisierter) Name schon vergeben'),
          422: errorResponse('validation_failed: ungültige Angaben (mit "fields")'),
        },
      },
      delete: {
        parameters: [codeParam],
        summary: 'Eintrag löschen – nur solange keine Vermittlung ihn nennt, sonst nur deaktivieren',
        responses: {
          204: { description: 'Gelöscht' },
          403: FORBIDDEN,
          404: NOT_FOUND,
          409: errorResponse('entry_referenced: eine Vermittlung nennt den Eintrag (mit "referrals")'),
        },
      },
    }),
  };
}

const link: JsonSchema = {
  type: 'object',
  required: ['id', 'caseId', 'relation', 'relationLabel', 'createdAt'],
  properties: {
    id: { type: 'string' },
    caseId: { type: 'string', description: 'Der andere Fall (nur Fälle, die der Aufrufer öffnen darf)' },
    relation: { type: 'string', enum: ['partner', 'child', 'parent', 'sibling', 'other'], description: 'Aus Sicht dieses Falls' },
    relationLabel: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};
const NOT_FOUND_CASE = errorResponse('not_found: Fall unbekannt oder nicht sichtbar');
const STATE_ONLY = errorResponse('forbidden: nur der Stand des Falls ist sichtbar');

export function caseLinkPaths(): Record<string, unknown> {
  return {
    '/api/v1/cases/{id}/links': pathItem({
      get: {
        parameters: [idParam],
        summary: 'Verknüpfte Fälle von Angehörigen (nur solche, die der Aufrufer öffnen darf; protokolliert)',
        responses: { 200: json({ type: 'object', required: ['links'], properties: { links: { type: 'array', items: link } } }), 403: STATE_ONLY, 404: NOT_FOUND_CASE },
      },
      post: {
        parameters: [idParam],
        summary: 'Angehörige/n mit eigenem Fall derselben Organisation verknüpfen (idempotent)',
        requestBody: body(CaseLinkBody),
        responses: {
          201: json(link),
          403: STATE_ONLY,
          404: NOT_FOUND_CASE,
          409: errorResponse('case_erased: die Daten des Falls sind gelöscht'),
          422: errorResponse('validation_failed: unbekannter/nicht sichtbarer Fall, andere Organisation oder der Fall selbst (mit "fields")'),
        },
      },
    }),
    '/api/v1/cases/{id}/links/{linkId}': pathItem({
      delete: {
        parameters: [idParam, { name: 'linkId', in: 'path', required: true, schema: { type: 'string' } }],
        summary: 'Verknüpfung lösen (von einem der beiden Fälle aus)',
        responses: { 204: { description: 'Gelöst' }, 403: STATE_ONLY, 404: errorResponse('not_found: Fall oder Verknüpfung unbekannt') },
      },
    }),
  };
}
