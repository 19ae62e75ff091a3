// Deadline settings (Fristen) coordinators configure: every period of shared/domain.md "Deadlines" with its unit,
// allowed range and default, plus the closure rules. Stored in Setting 'case' (platform/settings.ts); each change is
// in the audit of administration with who, when and before → after.
//
// How a change reaches cases: a case workflow re-reads the settings whenever one of its deadlines fires
// (workflows/case-workflow.ts, patch 'reread-settings-when-a-deadline-fires') and arms every later deadline with the
// new periods; new cases and handovers start with them. A deadline already armed keeps its due date. The page shows
// how many deadlines are waiting per period, so the coordinator sees what keeps its old date.
import { z } from 'zod';
import { defaultCaseSettings, deadlineSettingsSchema, caseSettingsSchema, type CaseSettings, type DeadlineKind, type DeadlineSettings } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { demoClockActive, loadConfiguredCaseSettings, saveCaseSettings } from '../../platform/settings.js';
import { canConfigureDeadlines } from './access-policy.js';
import { recordAudit } from './admin-audit.js';
import type { Caller } from './caller.js';
import { ApiError } from './errors.js';

export interface PeriodField {
  key: keyof DeadlineSettings | 'reopenWithinDays';
  label: string;
  unit: 'Tage' | 'Jahre';
  min: number;
  max: number;
  default: number;
  /** The deadline kinds whose timers use it (for the waiting counts). */
  kinds: DeadlineKind[];
}

const ESCALATING: DeadlineKind[] = ['first_assessment', 'assessment_completion', 'goal_agreement', 'periodic_review'];
const D = defaultCaseSettings.deadlines;
const days = (key: keyof DeadlineSettings, label: string, kinds: DeadlineKind[]): PeriodField => ({
  key,
  label,
  unit: 'Tage',
  min: 1,
  max: 3650,
  default: D[key] ?? 7,
  kinds,
});

/** Every configurable period, in the order of shared/domain.md. */
export const PERIOD_FIELDS: readonly PeriodField[] = [
  days('firstAssessmentDays', 'Erster Assessment-Schritt nach dem Zugang', ['first_assessment']),
  days('escalationGraceDays', 'Eskalation an die Koordination nach der Erinnerung', ESCALATING),
  days('assessmentCompletionDays', 'Abschluss des Assessments nach seinem Beginn', ['assessment_completion']),
  days('goalAgreementDays', 'Zielvereinbarung nach dem Assessment', ['goal_agreement']),
  days('referralFollowUpDays', 'Nachfrage nach jeder Vermittlung', ['referral_follow_up']),
  days('reviewIntervalDays', 'Regelmäßige Überprüfung (Abstand)', ['periodic_review']),
  days('noContactReminderDays', 'Kein Kontakt dokumentiert: Erinnerung', ['no_contact']),
  days('noContactEscalationDays', 'Kein Kontakt dokumentiert: Eskalation', ['no_contact']),
  days('handoverConsentDays', 'Einwilligung bei einer Übergabe (danach verfällt sie)', ['handover_consent']),
  days('handoverMeetingDays', 'Übergabegespräch nach der Einwilligung', ['handover_meeting']),
  days('closureDecisionDays', 'Entscheidung der Koordination über einen Abschlussantrag (danach Erinnerung, dann Eskalation)', ['closure_decision']),
  days('residenceExpiryLeadDays', 'Erinnerung vor dem Ablauf eines Aufenthaltstitels (Eskalation am Ablauftag)', ['residence_expiry']),
  { key: 'retentionYears', label: 'Aufbewahrung nach dem Abschluss', unit: 'Jahre', min: 1, max: 30, default: D.retentionYears, kinds: ['retention'] },
  { key: 'reopenWithinDays', label: 'Wiedereröffnung nach dem Abschluss möglich', unit: 'Tage', min: 0, max: 3650, default: defaultCaseSettings.reopenWithinDays, kinds: [] },
];

export const CaseSettingsBody = z
  .object({
    deadlines: z.object(deadlineSettingsSchema.shape).strict(),
    closureNeedsApproval: z.boolean(),
    reopenWithinDays: z.number().int('Ganze Zahl erwartet').min(0, 'Mindestens 0 Tage').max(3650, 'Höchstens 3650 Tage'),
  })
  .strict();

const WAITING_STATUSES = ['open', 'reminded'];

/** Deadlines armed now, per kind: they keep their due date when a period changes. */
async function waitingDeadlines(db: Database) {
  const groups = await db.caseDeadline.groupBy({
    by: ['kind'],
    where: { status: { in: WAITING_STATUSES } },
    _count: { _all: true },
    _min: { dueAt: true },
  });
  const handovers = await db.handover.groupBy({ by: ['state'], where: { closedAt: null }, _count: { _all: true } });
  const byKind = new Map<string, { count: number; nextDueAt: string | null }>(
    groups.map((g) => [g.kind, { count: g._count._all, nextDueAt: g._min.dueAt?.toISOString() ?? null }]),
  );
  const openHandovers = handovers.reduce((n, g) => n + g._count._all, 0);
  const waitingCases = await db.caseDeadline.findMany({ where: { status: { in: WAITING_STATUSES } }, distinct: ['caseId'], select: { caseId: true } });
  return { byKind, openHandovers, waitingCases: waitingCases.length };
}

function requireConfigurer(caller: Caller): void {
  if (!canConfigureDeadlines(caller.user)) throw new ApiError(403, 'forbidden', 'Die Fristen stellt die KIM-Koordination ein.');
}

/** GET /api/v1/settings/case: values, the fields' units, ranges and defaults, who changed them last, what waits. */
export async function getCaseSettings(db: Database, caller: Caller) {
  requireConfigurer(caller);
  const [settings, row, waiting, demoClock] = await Promise.all([
    loadConfiguredCaseSettings(db),
    db.setting.findUnique({ where: { key: 'case' } }),
    waitingDeadlines(db),
    demoClockActive(db),
  ]);
  // A period stored before it existed (e.g. closureDecisionDays) has its default.
  const value = (key: PeriodField['key']) =>
    (key === 'reopenWithinDays' ? settings.reopenWithinDays : settings.deadlines[key]) ?? PERIOD_FIELDS.find((f) => f.key === key)?.default;
  return {
    settings,
    updatedAt: row?.updatedAt.toISOString() ?? null,
    updatedById: row?.updatedById ?? null,
    waitingCases: waiting.waitingCases,
    /** A demo installation: cases run on the demo clock (a day of these periods lasts a minute) until this is saved. */
    demoClock,
    openHandovers: waiting.openHandovers,
    fields: PERIOD_FIELDS.map((f) => {
      const kinds = f.kinds.map((k) => waiting.byKind.get(k)).filter((w) => w !== undefined);
      const nextDue = kinds.map((w) => w.nextDueAt).filter((d): d is string => d !== null).sort()[0] ?? null;
      return { key: f.key, label: f.label, unit: f.unit, min: f.min, max: f.max, default: f.default, value: value(f.key), waiting: kinds.reduce((n, w) => n + w.count, 0), nextDueAt: nextDue };
    }),
  };
}

function changedFields(before: CaseSettings, after: CaseSettings) {
  const from: Record<string, unknown> = {};
  const to: Record<string, unknown> = {};
  for (const key of Object.keys(after.deadlines) as (keyof DeadlineSettings)[]) {
    if (before.deadlines[key] !== after.deadlines[key]) [from[key], to[key]] = [before.deadlines[key], after.deadlines[key]];
  }
  for (const key of ['closureNeedsApproval', 'reopenWithinDays'] as const) {
    if (before[key] !== after[key]) [from[key], to[key]] = [before[key], after[key]];
  }
  return { from, to };
}

/** PUT /api/v1/settings/case: the whole set; checked like the stored value (caseSettingsSchema), audited. */
export async function updateCaseSettings(db: Database, caller: Caller, input: unknown) {
  requireConfigurer(caller);
  const parsed = CaseSettingsBody.pipe(caseSettingsSchema).safeParse(input ?? {});
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[issue.path.join('.') || 'body'] ??= issue.message;
    throw new ApiError(422, 'validation_failed', 'Bitte prüfen Sie die markierten Fristen.', { fields });
  }
  await db.$transaction(async (tx) => {
    const before = await loadConfiguredCaseSettings(tx as unknown as Database);
    const { from, to } = changedFields(before, parsed.data);
    // On a demo installation saving ends the demo clock, even with the values unchanged.
    if (await demoClockActive(tx as unknown as Database)) [from.demoClock, to.demoClock] = [true, false];
    if (Object.keys(to).length === 0) return;
    await saveCaseSettings(tx as unknown as Database, parsed.data, caller.user.id);
    await recordAudit(tx, { actor: caller.user, entity: 'case_settings', entityId: 'case', action: 'updated', before: from, after: to });
  });
  return getCaseSettings(db, caller);
}
