// The zod schemas of the installation's settings (stored as JSON, edited by coordinators and admins): case settings
// with their deadlines (deadlines.ts) and routing rules (routing.ts). Only the API, platform/settings.ts and tests use
// them; the workflows receive settings already checked.
import { z } from 'zod';
import type { CaseSettings, DeadlineSettings } from './deadlines.js';
import { MUNICIPALITIES, type Municipality } from './organisations.js';
import type { RoutingRules } from './routing.js';
import type { ReportSettings } from './target-groups.js';

const days = z.number().int('Ganze Zahl erwartet').min(1, 'Mindestens 1 Tag').max(3650, 'Höchstens 3650 Tage');

export const deadlineSettingsSchema = z
  .object({
    firstAssessmentDays: days,
    escalationGraceDays: days,
    assessmentCompletionDays: days,
    goalAgreementDays: days,
    referralFollowUpDays: days,
    reviewIntervalDays: days,
    noContactReminderDays: days,
    noContactEscalationDays: days,
    handoverConsentDays: days,
    handoverMeetingDays: days,
    retentionYears: z.number().int('Ganze Zahl erwartet').min(1, 'Mindestens 1 Jahr').max(30, 'Höchstens 30 Jahre'),
    closureDecisionDays: days.optional(),
    residenceExpiryLeadDays: days.optional(),
  })
  .refine((s) => s.noContactEscalationDays > s.noContactReminderDays, {
    message: 'Die Eskalation muss nach der Erinnerung liegen',
    path: ['noContactEscalationDays'],
  }) satisfies z.ZodType<DeadlineSettings>;

export const caseSettingsSchema = z.object({
  deadlines: deadlineSettingsSchema,
  closureNeedsApproval: z.boolean(),
  reopenWithinDays: z.number().int().min(0).max(3650),
}) satisfies z.ZodType<CaseSettings>;

const orgId = z.string().trim().min(1);
/** Admins/coordinators configure routing; this validates a stored rule set. */
export const routingRulesSchema = z
  .object({
    municipalProviders: z.object(
      Object.fromEntries(MUNICIPALITIES.map((m) => [m, orgId])) as Record<Municipality, typeof orgId>,
    ),
    youthProvider: z.object({
      organisationId: orgId,
      minAge: z.number().int().min(0).max(120),
      maxAge: z.number().int().min(0).max(120),
    }),
    adultFromAge: z.number().int().min(0).max(120),
    underYouthAgeToMunicipalProvider: z.boolean(),
  })
  .refine((r) => r.youthProvider.minAge <= r.youthProvider.maxAge, {
    message: 'Mindestalter darf nicht über dem Höchstalter liegen',
    path: ['youthProvider', 'maxAge'],
  }) satisfies z.ZodType<RoutingRules>;

/** Report settings (domain/target-groups.ts): where the age bands of the controlling begin. */
export const reportSettingsSchema = z.object({
  ageBandBounds: z
    .array(z.number().int('Ganze Zahl erwartet').min(1, 'Mindestens 1').max(120, 'Höchstens 120'))
    .min(1, 'Mindestens eine Altersgrenze')
    .max(6, 'Höchstens 6 Altersgrenzen')
    .refine((b) => b.every((v, i) => i === 0 || v > b[i - 1]!), { message: 'Altersgrenzen aufsteigend angeben, jede nur einmal' }),
}) satisfies z.ZodType<ReportSettings>;
