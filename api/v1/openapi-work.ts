// Paths of the OpenAPI document (api/v1/openapi.ts): the caller's own work queue ("Meine Aufgaben").
import { PersonalSettingsBody } from '../operations/personal-settings.js';
import { errorResponse, json, pathItem, schemaOf } from './openapi-kit.js';

const deadlineItem = {
  type: 'object',
  required: ['id', 'caseId', 'kind', 'label', 'dueAt', 'status', 'overdue'],
  properties: {
    id: { type: 'string' },
    caseId: { type: 'string' },
    kind: { type: 'string' },
    label: { type: 'string' },
    dueAt: { type: 'string', format: 'date-time' },
    status: { type: 'string' },
    refId: { type: ['string', 'null'] },
    overdue: { type: 'boolean' },
    dueToday: { type: 'boolean' },
    organisationId: { type: 'string' },
    assigneeId: { type: ['string', 'null'] },
  },
};

const handoverItem = {
  type: 'object',
  required: ['id', 'state', 'stateLabel', 'nextStep', 'createdAt'],
  properties: {
    id: { type: 'string' },
    state: { type: 'string' },
    stateLabel: { type: 'string' },
    nextStep: { type: 'string' },
    caseId: { type: ['string', 'null'] },
    receivingOrganisationId: { type: ['string', 'null'] },
    receivingOrganisation: { type: ['string', 'null'] },
    consentDueAt: { type: ['string', 'null'], format: 'date-time' },
    meetingAt: { type: ['string', 'null'], format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

const list = (items: object) => ({ type: 'array', items });

const tasks = {
  oneOf: [
    {
      type: 'object',
      description: 'Case Management und Sozialberatung der ABH',
      required: ['queue', 'deadlines', 'handovers', 'returnedClosures', 'count'],
      properties: {
        queue: { const: 'personal' },
        deadlines: list(deadlineItem),
        handovers: list(handoverItem),
        returnedClosures: list({
          type: 'object',
          properties: { caseId: { type: 'string' }, returnedAt: { type: 'string', format: 'date-time' } },
        }),
        count: { type: 'integer', description: 'Jetzt zu erledigen: heute fällige und überfällige Fristen, wartende Übergaben, zurückgegebene Abschlussanträge' },
      },
    },
    {
      type: 'object',
      description: 'KIM-Koordination',
      required: ['queue', 'closureRequests', 'unassignedCases', 'handovers', 'escalations', 'count'],
      properties: {
        queue: { const: 'coordination' },
        closureRequests: list(deadlineItem),
        unassignedCases: list({
          type: 'object',
          properties: { caseId: { type: 'string' }, state: { type: 'string' }, organisationId: { type: 'string' }, openedAt: { type: 'string', format: 'date-time' } },
        }),
        handovers: list(handoverItem),
        escalations: list(deadlineItem),
        count: { type: 'integer' },
      },
    },
  ],
};

const settings = {
  type: 'object',
  required: ['notificationMode', 'calendarFeed'],
  properties: {
    notificationMode: { type: 'string', enum: ['immediate', 'daily'] },
    calendarFeed: { type: 'object', properties: { active: { type: 'boolean' }, createdAt: { type: ['string', 'null'], format: 'date-time' } } },
  },
};

export function workPaths(): Record<string, unknown> {
  return {
    '/api/v1/tasks': pathItem({
      get: {
        summary: 'Meine Aufgaben: fällige und überfällige Wiedervorlagen, wartende Übergaben, zurückgegebene Abschlussanträge (Koordination: offene Abschlussanträge, nicht zugewiesene Fälle, neue Übergaben, Eskalationen)',
        responses: { 200: json(tasks), 403: errorResponse('forbidden: Verwaltung/IT hat keine Arbeitsliste') },
      },
    }),
    '/api/v1/me/settings': pathItem({
      get: {
        summary: 'Eigene Einstellungen: Benachrichtigung (sofort oder tägliche Zusammenfassung) und Fristenkalender',
        responses: { 200: json(settings), 403: errorResponse('forbidden: Konto ohne Arbeitsliste (Verwaltung/IT)') },
      },
      put: {
        summary: 'Benachrichtigung einstellen: immediate (eine E-Mail je Ereignis) oder daily (Zusammenfassung um 7 Uhr)',
        requestBody: { required: true, content: { 'application/json': { schema: schemaOf(PersonalSettingsBody) } } },
        responses: { 200: json(settings), 403: errorResponse('forbidden: Konto ohne Arbeitsliste'), 422: errorResponse('validation_failed (mit "fields")') },
      },
    }),
    '/api/v1/me/calendar-token': pathItem({
      post: {
        summary: 'Neue Adresse des Fristenkalenders (iCalendar); die bisherige gilt nicht mehr. Das Token wird nur jetzt gezeigt',
        responses: {
          201: json({ type: 'object', required: ['token', 'path'], properties: { token: { type: 'string' }, path: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' } } }),
          403: errorResponse('forbidden: Konto ohne Arbeitsliste'),
        },
      },
      delete: {
        summary: 'Fristenkalender abschalten (wiederholbar)',
        responses: { 204: { description: 'Abgeschaltet' }, 403: errorResponse('forbidden: Konto ohne Arbeitsliste') },
      },
    }),
  };
}
