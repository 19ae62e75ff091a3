// The settings schemas' own rules (domain/settings-schemas.ts) and small pure helpers (handover state label, case
// action names): the refinements are code that runs per check, so their edges are pinned here and not only through
// the settings pages.
import { describe, expect, it } from 'vitest';
import {
  defaultDeadlineSettings,
  defaultRoutingRules,
  deadlineSettingsSchema,
  handoverStateLabel,
  isCaseAction,
  reportSettingsSchema,
  routingRulesSchema,
} from '../../domain/index.js';

const issues = (r: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) =>
  r.success ? [] : r.error!.issues.map((i) => [i.path.join('.'), i.message]);

describe('settings schemas', () => {
  it('the no-contact escalation must come after the reminder (equal is refused)', () => {
    const base = { ...defaultDeadlineSettings, noContactReminderDays: 30 };
    expect(issues(deadlineSettingsSchema.safeParse({ ...base, noContactEscalationDays: 31 }))).toEqual([]);
    expect(issues(deadlineSettingsSchema.safeParse({ ...base, noContactEscalationDays: 30 }))).toEqual([
      ['noContactEscalationDays', 'Die Eskalation muss nach der Erinnerung liegen'],
    ]);
  });

  it('routing: the youth provider minimum age may equal but not exceed the maximum', () => {
    const youth = (minAge: number, maxAge: number) => ({ ...defaultRoutingRules, youthProvider: { organisationId: 'kja', minAge, maxAge } });
    expect(issues(routingRulesSchema.safeParse(youth(20, 20)))).toEqual([]);
    expect(issues(routingRulesSchema.safeParse(youth(21, 20)))).toEqual([['youthProvider.maxAge', 'Mindestalter darf nicht über dem Höchstalter liegen']]);
  });

  it('report settings: age bounds strictly ascending', () => {
    const NOT_ASCENDING = 'Altersgrenzen aufsteigend angeben, jede nur einmal';
    expect(issues(reportSettingsSchema.safeParse({ ageBandBounds: [18] }))).toEqual([]);
    expect(issues(reportSettingsSchema.safeParse({ ageBandBounds: [16, 18, 27] }))).toEqual([]);
    expect(issues(reportSettingsSchema.safeParse({ ageBandBounds: [18, 18] }))).toEqual([['ageBandBounds', NOT_ASCENDING]]);
    expect(issues(reportSettingsSchema.safeParse({ ageBandBounds: [16, 27, 18] }))).toEqual([['ageBandBounds', NOT_ASCENDING]]);
  });
});

describe('small helpers', () => {
  it('a held meeting shows as waiting for the takeover; other states by their label', () => {
    expect(handoverStateLabel('meeting_scheduled', true)).toBe('Übergabegespräch geführt – Übernahme ausstehend');
    expect(handoverStateLabel('meeting_scheduled', false)).toBe('Übergabegespräch geplant');
    expect(handoverStateLabel('consent_given', true)).toBe('Einwilligung erteilt');
  });

  it('case action names', () => {
    expect(isCaseAction('close')).toBe(true);
    expect(isCaseAction('record-consent')).toBe(true);
    expect(isCaseAction('merge')).toBe(false);
    expect(isCaseAction('')).toBe(false);
  });
});
