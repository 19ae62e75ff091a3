import { expect } from 'vitest';
import {
  addDays,
  createCase,
  decide,
  type Actor,
  type CaseAction,
  type CaseData,
  type CaseRulesVersion,
  type CaseSettings,
  type DecideError,
  type DecideResult,
  type DomainEvent,
} from '../../domain/index.js';

export const T0 = '2025-03-03T09:00:00.000Z';

export const cmDrk: Actor = { id: 'u-cm-drk', role: 'case_manager', organisationId: 'drk' };
export const cmEifel: Actor = { id: 'u-cm-eifel', role: 'case_manager', organisationId: 'caritas-eifel' };
export const coordinator: Actor = { id: 'u-coord', role: 'coordinator', organisationId: 'kreis-kim' };
export const admin: Actor = { id: 'u-admin', role: 'admin', organisationId: 'kreis-kim' };
export const counsellor: Actor = { id: 'u-abh', role: 'abh_counsellor', organisationId: 'abh' };

export function idSource(prefix = ''): (p: string) => string {
  let n = 0;
  return (p) => `${prefix}${p}-${++n}`;
}

/** Drives a case through commands with a moving clock; every step must succeed. */
export class CaseDriver {
  c: CaseData;
  events: DomainEvent[];
  now: string;
  /** Process rules to decide by; the current ones when unset. */
  rules?: CaseRulesVersion;
  readonly newId = idSource('x');

  constructor(
    readonly settings?: CaseSettings,
    start = T0,
  ) {
    const created = createCase(
      {
        caseId: 'case-1',
        openedAt: start,
        openedBy: cmDrk.id,
        organisationId: 'drk',
        proposedProvider: { organisationId: 'drk', reason: 'Zülpich → DRK' },
        municipality: 'Zülpich',
        source: 'self',
        assigneeId: cmDrk.id,
      },
      settings,
    );
    this.c = created.next;
    this.events = [...created.events];
    this.now = start;
  }

  advance(days: number): this {
    this.now = addDays(this.now, days);
    return this;
  }

  try(action: CaseAction, payload: unknown = {}, actor: Actor = cmDrk): DecideResult {
    return decide(this.c, { action, payload }, {
      now: this.now,
      actor,
      newId: this.newId,
      ...(this.settings ? { settings: this.settings } : {}),
      ...(this.rules ? { rules: this.rules } : {}),
    });
  }

  do(action: CaseAction, payload: unknown = {}, actor: Actor = cmDrk): DomainEvent[] {
    const r = this.try(action, payload, actor);
    if (!r.ok) expect.fail(`${action} refused: ${JSON.stringify(r.error)}`);
    this.c = r.next;
    this.events.push(...r.events);
    return r.events;
  }

  deadline(kind: string, refId?: string) {
    const pending = this.c.deadlines.filter(
      (d) => d.kind === kind && (refId === undefined || d.refId === refId) && !['met', 'cancelled'].includes(d.status),
    );
    return pending[pending.length - 1];
  }

  deadlines(kind: string) {
    return this.c.deadlines.filter((d) => d.kind === kind);
  }
}

export const goal = (title = 'Deutschkurs B1 abschließen', dueDate = '2026-12-31') => ({
  title,
  measure: 'Anmeldung VHS',
  owner: 'Klientin',
  dueDate,
});

/** Consent to data processing + sharing with a named partner (for referrals). Returns the sharing consent id. */
export function withConsents(d: CaseDriver): string {
  d.do('record-consent', { scope: 'data_processing', decision: 'given' });
  d.do('record-consent', {
    scope: 'share_with_partner',
    decision: 'given',
    partnerName: 'Schuldnerberatung Euskirchen',
    purpose: 'Vermittlung Schuldnerberatung',
  });
  const share = d.c.consents.find((k) => k.scope === 'share_with_partner');
  return share!.id;
}

export function toGoalPlanning(d: CaseDriver): void {
  d.do('start-assessment');
  d.advance(7).do('complete-assessment', {
    lifeAreas: [
      { area: 'language', situation: 'A1, kein Kurs', need: 'high' },
      { area: 'finances', situation: 'Schulden', need: 'high' },
    ],
  });
}

/** The refusal of a decision, asserted to be one with this code (fails the test on success or another code). */
export function refusal<C extends DecideError['code']>(r: DecideResult<unknown>, code: C): Extract<DecideError, { code: C }> {
  if (r.ok) return expect.fail(`expected a refusal with ${code}, got success`);
  expect(r.error.code).toBe(code);
  return r.error as Extract<DecideError, { code: C }>;
}

/** A case the ABH handed over to the DRK (the opening fields of createCase; add `source` and `fromHandover`). */
export const handedOverCase = {
  caseId: 'case-h',
  openedAt: T0,
  openedBy: cmDrk.id,
  organisationId: 'drk',
  proposedProvider: { organisationId: 'drk', reason: 'Übergabe aus der ABH' },
  municipality: 'Zülpich',
};
export const handoverOpening = { handoverId: 'ho-1', consentRecordedAt: '2025-02-20T10:00:00.000Z', counsellorId: 'u-abh' };
