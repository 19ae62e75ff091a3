// Paths of the OpenAPI document for administration: staff accounts, one-time links (invitation, password reset),
// deadline settings, organisations, routing rules and the audit of administration.
import { InviteAccountBody, UpdateAccountBody } from '../operations/accounts.js';
import { PasswordResetBody, SetPasswordBody } from '../operations/account-links.js';
import { AdminAuditQuery } from '../operations/admin-audit.js';
import { CaseSettingsBody } from '../operations/case-settings.js';
import { ReportSettingsBody } from '../operations/report-settings.js';
import { CreateOrganisationBody, UpdateOrganisationBody } from '../operations/organisations.js';
import { RecordRejectionsQuery } from '../operations/record-rejections.js';
import { RoutingRuleVersionBody } from '../operations/routing-rules.js';
import { errorResponse, idParam, json, pathItem, queryParameters, schemaOf, type JsonSchema } from './openapi-kit.js';

const FORBIDDEN_ACCOUNTS =
  'forbidden: Konten verwalten Verwaltung/IT und die Koordination; die Koordination weder Konten von Verwaltung/IT noch deren Rolle';
const NOT_FOUND_ACCOUNT = 'not_found: Konto unbekannt';
const LAST_ADMIN = 'last_admin: das letzte aktive Konto von Verwaltung/IT bliebe nicht übrig';

const account: JsonSchema = {
  type: 'object',
  required: ['id', 'email', 'name', 'role', 'organisationId', 'active', 'createdAt', 'passwordSetAt', 'invitationOpen'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', enum: ['case_manager', 'abh_counsellor', 'coordinator', 'admin'] },
    organisationId: { type: 'string' },
    active: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    passwordSetAt: { type: ['string', 'null'], format: 'date-time' },
    invitationOpen: { type: 'boolean', description: 'Eine gültige, noch nicht verwendete Einladung besteht' },
    manageable: { type: 'boolean', description: 'Der Aufrufer darf dieses Konto ändern' },
  },
};
const invitation: JsonSchema = {
  type: 'object',
  required: ['account', 'invitation'],
  properties: { account, invitation: { type: 'object', required: ['expiresAt'], properties: { expiresAt: { type: 'string', format: 'date-time' } } } },
};
const body = (schema: Parameters<typeof schemaOf>[0]) => ({ required: true, content: { 'application/json': { schema: schemaOf(schema) } } });
const MAIL_FAILED = errorResponse('mail_failed: Konto/Link angelegt, E-Mail nicht versandt – Einladung später erneut senden');

function accountPaths(): Record<string, unknown> {
  const activeSwitch = (summary: string, conflict?: string) => ({
    post: {
      parameters: [idParam],
      summary,
      responses: {
        200: json(account),
        403: errorResponse(FORBIDDEN_ACCOUNTS),
        404: errorResponse(NOT_FOUND_ACCOUNT),
        ...(conflict ? { 409: errorResponse(conflict) } : {}),
      },
    },
  });
  return {
    '/api/v1/accounts': pathItem({
      get: {
        summary: 'Konten der Mitarbeitenden',
        responses: { 200: json({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: account } } }), 403: errorResponse(FORBIDDEN_ACCOUNTS) },
      },
      post: {
        summary: 'Konto per Einladung anlegen (einmaliger Link per E-Mail, 7 Tage gültig)',
        requestBody: body(InviteAccountBody),
        responses: {
          201: json(invitation),
          403: errorResponse(FORBIDDEN_ACCOUNTS),
          409: errorResponse('email_taken: zu dieser Adresse besteht ein Konto'),
          422: errorResponse('validation_failed: ungültige Angaben oder unbekannte/inaktive Organisation (mit "fields")'),
          502: MAIL_FAILED,
        },
      },
    }),
    '/api/v1/accounts/{id}': pathItem({
      get: { parameters: [idParam], summary: 'Ein Konto', responses: { 200: json(account), 403: errorResponse(FORBIDDEN_ACCOUNTS), 404: errorResponse(NOT_FOUND_ACCOUNT) } },
      patch: {
        parameters: [idParam],
        summary: 'Name, Rolle oder Organisation ändern; neue Rolle/Organisation beendet Sitzungen und API-Tokens',
        requestBody: body(UpdateAccountBody),
        responses: {
          200: json(account),
          403: errorResponse(FORBIDDEN_ACCOUNTS),
          404: errorResponse(NOT_FOUND_ACCOUNT),
          409: errorResponse(LAST_ADMIN),
          422: errorResponse('validation_failed: ungültige Angaben (mit "fields")'),
        },
      },
    }),
    '/api/v1/accounts/{id}/deactivate': pathItem(activeSwitch('Deaktivieren (wiederholbar); beendet Sitzungen und API-Tokens sofort', LAST_ADMIN)),
    '/api/v1/accounts/{id}/reactivate': pathItem(activeSwitch('Reaktivieren (wiederholbar)')),
    '/api/v1/accounts/{id}/invitation': pathItem({
      post: {
        parameters: [idParam],
        summary: 'Neue Einladung senden; frühere Links verfallen',
        responses: {
          200: json(invitation),
          403: errorResponse(FORBIDDEN_ACCOUNTS),
          404: errorResponse(NOT_FOUND_ACCOUNT),
          409: errorResponse('account_inactive: Konto ist deaktiviert'),
          502: MAIL_FAILED,
        },
      },
    }),
  };
}

function linkPaths(): Record<string, unknown> {
  return {
    '/api/v1/password-reset': pathItem(
      {
        post: {
          security: [],
          summary: 'Link zum Zurücksetzen des Passworts anfordern (1 Stunde gültig); gleiche Antwort für jede Adresse',
          requestBody: body(PasswordResetBody),
          responses: {
            202: json({ type: 'object', required: ['message'], properties: { message: { type: 'string' } } }),
            422: errorResponse('validation_failed: keine E-Mail-Adresse (mit "fields")'),
          },
        },
      },
      // Anonymous callers need no CSRF token; a signed-in browser session does (as for every state-changing request).
      { auth: false, csrf: true },
    ),
    '/api/v1/password': pathItem(
      {
        post: {
          security: [],
          summary: 'Passwort mit dem Geheimnis eines Einladungs- oder Rücksetz-Links festlegen (einmalig)',
          requestBody: body(SetPasswordBody),
          responses: {
            204: { description: 'Passwort gesetzt; alle Sitzungen des Kontos beendet' },
            410: errorResponse('link_invalid: Link unbekannt, abgelaufen oder schon verwendet'),
            422: errorResponse('validation_failed / weak_password: kürzer als 12 Zeichen oder zu leicht zu erraten (mit "fields")'),
          },
        },
      },
      { auth: false, csrf: true },
    ),
  };
}

const FORBIDDEN_SETTINGS = 'forbidden: die Fristen stellt die KIM-Koordination ein';
const settingsView: JsonSchema = {
  type: 'object',
  required: ['settings', 'fields', 'waitingCases'],
  properties: {
    settings: { type: 'object' },
    updatedAt: { type: ['string', 'null'], format: 'date-time' },
    updatedById: { type: ['string', 'null'] },
    waitingCases: { type: 'integer', description: 'Fälle mit einer wartenden Wiedervorlage (übernehmen Änderungen bei deren Fälligkeit)' },
    openHandovers: { type: 'integer' },
    fields: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'label', 'unit', 'min', 'max', 'default', 'value', 'waiting'],
        properties: {
          key: { type: 'string' },
          label: { type: 'string' },
          unit: { type: 'string', enum: ['Tage', 'Jahre'] },
          min: { type: 'integer' },
          max: { type: 'integer' },
          default: { type: 'integer' },
          value: { type: 'integer' },
          waiting: { type: 'integer', description: 'Wartende Fristen, die ihr Fälligkeitsdatum behalten' },
          nextDueAt: { type: ['string', 'null'], format: 'date-time' },
        },
      },
    },
  },
};

const reportSettingsView: JsonSchema = {
  type: 'object',
  required: ['settings', 'ageBands'],
  properties: {
    settings: { type: 'object', required: ['ageBandBounds'], properties: { ageBandBounds: { type: 'array', items: { type: 'integer' } } } },
    ageBands: { type: 'array', items: { type: 'object', required: ['key', 'label'], properties: { key: { type: 'string' }, label: { type: 'string' } } } },
  },
};

function settingsAndAuditPaths(): Record<string, unknown> {
  return {
    '/api/v1/settings/case': pathItem({
      get: { summary: 'Fristen (Einheit, erlaubter Bereich, Voreinstellung, wartende Fristen)', responses: { 200: json(settingsView), 403: errorResponse(FORBIDDEN_SETTINGS) } },
      put: {
        summary: 'Fristen ändern (gilt für neue Fälle sofort, für laufende ab ihrer nächsten fälligen Wiedervorlage)',
        requestBody: body(CaseSettingsBody),
        responses: { 200: json(settingsView), 403: errorResponse(FORBIDDEN_SETTINGS), 422: errorResponse('validation_failed: Wert außerhalb des Bereichs (mit "fields")') },
      },
    }),
    '/api/v1/settings/report': pathItem({
      get: { summary: 'Berichtseinstellungen: Altersgrenzen der Altersgruppen', responses: { 200: json(reportSettingsView), 403: errorResponse(FORBIDDEN_SETTINGS) } },
      put: {
        summary: 'Altersgrenzen ändern (gilt für jeden Bericht ab jetzt, auch für vergangene Zeiträume)',
        requestBody: body(ReportSettingsBody),
        responses: { 200: json(reportSettingsView), 403: errorResponse(FORBIDDEN_SETTINGS), 422: errorResponse('validation_failed: Altersgrenzen ungültig (mit "fields")') },
      },
    }),
    '/api/v1/admin-audit': pathItem({
      get: {
        summary: 'Protokoll der Verwaltung (Konten, Organisationen, Regeln, Fristen): wer, wann, vorher → nachher; neueste zuerst',
        parameters: queryParameters(AdminAuditQuery),
        responses: {
          200: json({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: { type: 'object' } } } }),
          403: errorResponse('forbidden: nur Koordination und Verwaltung/IT'),
          422: errorResponse('validation_failed: ungültige Abfrage'),
        },
      },
    }),
    '/api/v1/admin/record-rejections': pathItem({
      get: {
        summary:
          'Schreibfehler: Einträge von Fällen, die die Datenbank dauerhaft abgewiesen hat (SQLSTATE-Klasse 22/23). Jeder hält seinen Fall an, bis Verwaltung/IT ihn erneut schreiben lässt. Nur Ereignisnummern und Meldungen, kein Fallinhalt.',
        parameters: queryParameters(RecordRejectionsQuery),
        responses: {
          200: json({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: recordRejection } } }),
          403: errorResponse('forbidden: nur Koordination und Verwaltung/IT'),
          422: errorResponse('validation_failed: ungültige Abfrage'),
        },
      },
    }),
    '/api/v1/admin/record-rejections/{id}/retry': pathItem({
      post: {
        parameters: [idParam],
        summary: 'Ursache behoben: der Fall schreibt seine angehaltenen Einträge erneut (Ergebnis in der Liste)',
        responses: {
          202: json({ type: 'object', required: ['caseId', 'fromSeq', 'retryRequested'], properties: { caseId: { type: 'string' }, fromSeq: { type: 'integer' }, retryRequested: { type: 'boolean' } } }),
          403: errorResponse('forbidden: nur Verwaltung/IT'),
          404: errorResponse('not_found: kein offener Schreibfehler für diesen Fall'),
        },
      },
    }),
  };
}

const recordRejection: JsonSchema = {
  type: 'object',
  required: ['caseId', 'fromSeq', 'toSeq', 'sqlState', 'message', 'firstAt', 'lastAt', 'attempts', 'resolvedAt'],
  properties: {
    caseId: { type: 'string' },
    fromSeq: { type: 'integer' },
    toSeq: { type: 'integer' },
    sqlState: { type: 'string' },
    message: { type: 'string' },
    firstAt: { type: 'string', format: 'date-time' },
    lastAt: { type: 'string', format: 'date-time' },
    attempts: { type: 'integer' },
    resolvedAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

const organisation: JsonSchema = {
  type: 'object',
  required: ['id', 'name', 'shortName', 'kind', 'contactEmail', 'active'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    shortName: { type: 'string' },
    kind: { type: 'string', enum: ['county', 'abh', 'jobcenter', 'provider', 'partner'] },
    countyPost: { type: ['string', 'null'], enum: ['kim_team', 'integration_point', 'bne', 'abh_cm', null], description: 'Schwerpunkt einer Stelle des Kreises' },
    countyPostLabel: { type: ['string', 'null'] },
    contactEmail: { type: ['string', 'null'] },
    active: { type: 'boolean' },
    municipalities: { type: 'array', items: { type: 'string' } },
    ageRange: { type: 'object' },
  },
};
const FORBIDDEN_ORGANISATIONS = 'forbidden: Organisationen und Zuständigkeitsregeln pflegen Koordination und Verwaltung/IT';
const ruleVersion: JsonSchema = {
  type: 'object',
  required: ['version', 'validFrom', 'createdAt', 'rules'],
  properties: { version: { type: 'integer' }, validFrom: { type: 'string', format: 'date' }, createdAt: { type: 'string' }, createdById: { type: ['string', 'null'] }, note: { type: ['string', 'null'] }, rules: { type: 'object' } },
};

function organisationAndRoutingPaths(): Record<string, unknown> {
  return {
    '/api/v1/organisations': pathItem({
      get: { summary: 'Organisationen (Art, Kontaktadresse, aktiv, Einzugsgebiet)', responses: { 200: json({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: organisation } } }) } },
      post: {
        summary: 'Organisation anlegen (Träger, Kreis, ABH, Jobcenter, Partnerdienst)',
        requestBody: body(CreateOrganisationBody),
        responses: {
          201: json(organisation),
          403: errorResponse(FORBIDDEN_ORGANISATIONS),
          409: errorResponse('organisation_exists: Kennung vergeben'),
          422: errorResponse('validation_failed: ungültige Angaben (mit "fields")'),
        },
      },
    }),
    '/api/v1/organisations/{id}': pathItem({
      patch: {
        parameters: [idParam],
        summary: 'Organisation ändern (Name, Kurzname, Art, Kontaktadresse, aktiv); wird nie gelöscht',
        requestBody: body(UpdateOrganisationBody),
        responses: {
          200: json(organisation),
          403: errorResponse(FORBIDDEN_ORGANISATIONS),
          404: errorResponse('not_found: Organisation unbekannt'),
          409: errorResponse('in_routing_rules: die geltenden oder künftigen Zuständigkeitsregeln schlagen sie vor'),
          422: errorResponse('validation_failed: ungültige Angaben (mit "fields")'),
        },
      },
    }),
    '/api/v1/routing-rules': pathItem({
      get: {
        summary: 'Zuständigkeitsregeln: die heute geltenden und alle Versionen (neueste zuerst)',
        responses: {
          200: json({ type: 'object', required: ['today', 'current', 'versions'], properties: { today: { type: 'string' }, currentVersion: { type: ['integer', 'null'] }, current: { type: 'object' }, versions: { type: 'array', items: ruleVersion } } }),
          403: errorResponse(FORBIDDEN_ORGANISATIONS),
        },
      },
      post: {
        summary: 'Neue Version der Zuständigkeitsregeln ab einem Tag (heute oder später); gilt nur für neue Zugänge',
        requestBody: body(RoutingRuleVersionBody),
        responses: { 201: json(ruleVersion), 403: errorResponse(FORBIDDEN_ORGANISATIONS), 422: errorResponse('validation_failed: ungültige Regeln, Datum in der Vergangenheit oder Organisation kann keine Fälle übernehmen (mit "fields")') },
      },
    }),
  };
}

export function administrationPaths(): Record<string, unknown> {
  return { ...accountPaths(), ...linkPaths(), ...settingsAndAuditPaths(), ...organisationAndRoutingPaths() };
}
