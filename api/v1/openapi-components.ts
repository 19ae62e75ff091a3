// components of the OpenAPI document (api/v1/openapi.ts): security schemes, the error body, the shapes of answers.
import { CASE_ACTIONS, CASE_STATES, HANDOVER_ACTIONS, HANDOVER_STATES, SHARING_CATEGORIES } from '../../domain/index.js';
import type { JsonSchema } from './openapi-kit.js';

export const securitySchemes = {
  session: { type: 'apiKey', in: 'cookie', name: 'kim_session', description: 'Zustandsändernde Anfragen senden X-CSRF-Token.' },
  bearer: { type: 'http', scheme: 'bearer', description: 'Persönliches API-Token (POST /api/v1/tokens)' },
};

/** The JSON door's error body (api/http/json-errors.ts). */
const errorBody: JsonSchema = {
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
        retryAfter: { type: 'integer', description: '429 too_many_attempts: Sekunden bis zum nächsten Versuch' },
        handoverId: { type: 'string', description: '409 handover_in_progress: die laufende Übergabe' },
        allowedWay: { type: 'string', description: '409 handover_required / 422 beim Anlegen: der erlaubte Weg, auf Deutsch' },
      },
    },
  },
};

export const schemas: Record<string, JsonSchema> = {
  Error: errorBody,
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
        items: {
          type: 'object',
          properties: {
            kind: { type: 'string' },
            dueAt: { type: 'string', format: 'date-time' },
            dueDate: { type: 'string', format: 'date', description: 'Kalendertag der Frist in Europe/Berlin (fällig am Ende dieses Tages)' },
            status: { type: 'string' },
          },
        },
      },
      openedAt: { type: 'string', format: 'date-time' },
      closedAt: { type: ['string', 'null'], format: 'date-time' },
      closure: { type: ['object', 'null'] },
      residenceLaw: {
        type: ['object', 'null'],
        description:
          'Aufenthaltsrechtliche Situation: Angaben aus der Übergabe (permits, notes, handoverId) und der Verlauf (track: currentTitle, ' +
          'currentTitleText, expiresOn, targetTitle, targetTitleText, achievements, outcome, outcomeOn, outcomeNote, setAt, setBy) — ' +
          'gesetzt mit POST /api/v1/cases/{id}/actions/set-residence-track',
      },
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
      residenceTrack: { type: ['object', 'null'], description: 'residence_law: aufenthaltsrechtliche Situation ohne setBy (null: noch nicht erfasst)' },
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
};
