// Paths of the OpenAPI document (api/v1/openapi.ts) that start or drive a workflow: opening a case, the case actions,
// the ABH handovers. Request bodies are the domain's zod schemas (domain/case-actions.ts, domain/handover.ts), the
// same the workflows validate with.
import type { z } from 'zod';
import {
  actionPayloadSchemas,
  CASE_ACTIONS,
  createCaseSchema,
  createHandoverSchema,
  HANDOVER_ACTIONS,
  handoverActionSchemas,
} from '../../domain/index.js';
import { listHandoversQuery } from '../operations/handovers.js';
import { errorResponse, idParam, json, pathItem, queryParameters, ref, schemaOf } from './openapi-kit.js';

const jsonBody = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema: schemaOf(schema) } } });

export function openCaseOperation(): Record<string, unknown> {
  return pathItem({
    post: {
      summary: 'Fall anlegen (Zugang)',
      description:
        'Wer den Fall führt, entscheidet die Regel domain/case-opening.ts: Case Manager*innen eines Trägers legen für die eigene Organisation an ' +
        '(organisationId) oder übernehmen den Trägervorschlag (Standard); Stellen des Kreises (KIM-Team, Integration Point, BNE, ABH-CM) behalten ' +
        'ihre Fälle; die Sozialberatung der ABH legt Fälle der ABH an oder schlägt eine Übergabe vor; die Koordination den Vorschlag oder jede fallführende Organisation.',
      requestBody: jsonBody(createCaseSchema),
      responses: {
        201: json(ref('Case'), 'Angelegt'),
        403: errorResponse('forbidden: die Rolle darf keine Fälle anlegen'),
        409: errorResponse(
          'handover_required: die ABH gibt Personen nur über eine Übergabe mit Einwilligung weiter (mit "allowedWay"); ' +
            'possible_existing_case: die Person ist möglicherweise bereits in einem offenen Fall einer anderen Organisation (Abgleich über ' +
            'Schlüsselwerte aus Name und Geburtsdatum) – mit "organisationKinds" (provider | county, sonst nichts über den anderen Fall) und ' +
            '"confirmWith": dieselbe Anfrage mit "confirmNewCase": true legt den Fall trotzdem an (die Bestätigung wird für die Koordination festgehalten)',
        ),
        422: errorResponse('Ungültige Angaben; organisationId, die die Rolle nicht wählen darf (mit "fields" und "allowedWay")'),
      },
    },
  });
}

function actionPaths(base: string, actions: readonly string[], schemas: Record<string, z.ZodType>, resultKey: string, tag: string) {
  const paths: Record<string, unknown> = {};
  for (const action of actions) {
    paths[`${base}/{id}/actions/${action}`] = pathItem({
      post: {
        tags: [tag],
        operationId: `${tag}-${action}`,
        summary: `Aktion ${action}`,
        parameters: [idParam],
        requestBody: jsonBody(schemas[action]!),
        responses: {
          200: json({ type: 'object', properties: { [resultKey]: ref(resultKey === 'case' ? 'Case' : 'Handover') } }),
          401: errorResponse('Nicht angemeldet'),
          403: errorResponse('Rolle oder Organisation darf das nicht'),
          404: errorResponse('Unbekannt oder nicht sichtbar'),
          409: errorResponse(
            action === 'transfer'
              ? 'transition_not_allowed (mit "allowed"); handover_required: ein Fall der ABH geht nur über eine Übergabe an eine andere Organisation (mit "allowedWay")'
              : 'transition_not_allowed: der aktuelle Stand erlaubt die Aktion nicht (mit "allowed")',
          ),
          422: errorResponse('validation_failed: ungültiger Anfragetext (mit "fields")'),
        },
      },
    });
  }
  return paths;
}

export function caseActionPaths(): Record<string, unknown> {
  return actionPaths('/api/v1/cases', CASE_ACTIONS, actionPayloadSchemas, 'case', 'cases');
}

export function handoverPaths(): Record<string, unknown> {
  return {
    '/api/v1/handovers': pathItem({
      post: {
        summary: 'Übergabe aus der ABH vorschlagen',
        requestBody: jsonBody(createHandoverSchema),
        responses: {
          201: json(ref('Handover'), 'Angelegt'),
          403: errorResponse('forbidden: Übergaben schlägt die Sozialberatung der Ausländerbehörde vor'),
          404: errorResponse('not_found: Fall (caseId) unbekannt oder nicht sichtbar'),
          409: errorResponse('handover_in_progress: für den Fall läuft bereits eine Übergabe (mit "handoverId")'),
          422: errorResponse('Ungültige Angaben'),
        },
      },
      get: {
        summary: 'Sichtbare Übergaben (gefiltert, seitenweise)',
        parameters: queryParameters(listHandoversQuery),
        responses: {
          200: json({ type: 'object', required: ['items', 'total'], properties: { items: { type: 'array', items: { type: 'object' } }, total: { type: 'integer' } } }),
          422: errorResponse('validation_failed: ungültige Filter (mit "fields")'),
        },
      },
    }),
    '/api/v1/handovers/{id}': pathItem({
      get: { parameters: [idParam], summary: 'Übergabe', responses: { 200: json(ref('Handover')), 404: errorResponse('Unbekannt') } },
    }),
    ...actionPaths('/api/v1/handovers', HANDOVER_ACTIONS, handoverActionSchemas, 'handover', 'handovers'),
  };
}
