// Controlling figures from events: a hand-countable scenario with known answers, period edges (exactly at `from`,
// at the end of `to`, one instant/day outside), the DST change at the end of March 2025, transfers, pooling of rare
// referral targets, primary and secondary small-cell suppression — and one run over events made by the real domain.
import { describe, expect, it } from 'vitest';
import {
  cellAt,
  computeControlling,
  quantile,
  type ControllingCaseEvent,
  type ControllingHandoverEvent,
  type ControllingInput,
  type ControllingReport,
} from '../../domain/controlling.js';
import { onDeadlineFired } from '../../domain/index.js';
import { CaseDriver, coordinator, goal, withConsents } from './helpers.js';

// ---------------------------------------------------------------------------------------------------------------
// A generated store: raw event rows as the activities write them (only the data fields controlling reads).

class Store {
  readonly caseEvents: ControllingCaseEvent[] = [];
  readonly handoverEvents: ControllingHandoverEvent[] = [];
  private seq = new Map<string, number>();

  ev(caseId: string, type: string, at: string, data: Record<string, unknown> = {}): this {
    const seq = (this.seq.get(caseId) ?? 0) + 1;
    this.seq.set(caseId, seq);
    this.caseEvents.push({ caseId, seq, type, at, data });
    return this;
  }
  open(caseId: string, at: string, organisationId: string, municipality: string): this {
    return this.ev(caseId, 'case_opened', at, { caseId, organisationId, municipality });
  }
  contact(caseId: string, kind: string, date: string, recordedAt = date.length === 10 ? `${date}T12:00:00Z` : date): this {
    return this.ev(caseId, 'contact_recorded', recordedAt, { kind, date, durationMinutes: 30 });
  }
  refer(caseId: string, id: string, service: string, at: string): this {
    return this.ev(caseId, 'referral_sent', at, { fromState: 'goal_planning', toState: 'referral', referral: { id, service } });
  }
  close(caseId: string, at: string, reason: string, goalAttainment: string): this {
    return this.ev(caseId, 'case_closed', at, { fromState: 'referral', toState: 'closed', reason, goalAttainment, closedAt: at });
  }
  handover(handoverId: string, type: string, at: string, data: Record<string, unknown> = {}): this {
    const seq = (this.seq.get(`h:${handoverId}`) ?? 0) + 1;
    this.seq.set(`h:${handoverId}`, seq);
    this.handoverEvents.push({ handoverId, seq, type, at, data: { handoverId, ...data } });
    return this;
  }
}

// March 2025 in Berlin: from 2025-03-01 00:00 CET = 2025-02-28T23:00Z to 2025-04-01 00:00 CEST = 2025-03-31T22:00Z.
const FROM = '2025-02-28T23:00:00.000Z';
const TO_END = '2025-03-31T21:59:59.999Z';

function scenario(): Store {
  const s = new Store();
  // DRK
  s.open('D1', FROM, 'drk', 'Kall') // exactly at `from`: opened in March
    .contact('D1', 'counselling', '2025-03-01') // calendar date = local midnight = `from`
    .contact('D1', 'accompaniment', '2025-03-05T10:00:00Z')
    .refer('D1', 'r1', 'Jobcenter', '2025-03-02T10:00:00Z')
    .ev('D1', 'referral_outcome_recorded', '2025-03-09T10:00:00Z', { referralId: 'r1', outcome: 'accepted' })
    .close('D1', '2025-03-10T23:00:00Z', 'goals_achieved', 'achieved'); // 10 days
  s.open('D2', '2025-03-05T10:00:00Z', 'drk', 'Kall')
    .contact('D2', 'counselling', '2025-03-06T10:00:00Z')
    .contact('D2', 'accompaniment', '2025-03-07T10:00:00Z')
    .refer('D2', 'r1', ' jobcenter ', '2025-03-06T11:00:00Z') // same target, other spelling
    .ev('D2', 'referral_outcome_recorded', '2025-03-20T10:00:00Z', { referralId: 'r1', outcome: 'completed' })
    .close('D2', '2025-03-25T10:00:00Z', 'goals_achieved', 'achieved'); // 20 days
  s.open('D3', '2025-02-19T21:59:59.999Z', 'drk', 'Zülpich') // before the period: active, not opened
    .contact('D3', 'counselling', '2025-02-28') // the day before `from`: not counted
    .contact('D3', 'counselling', '2025-03-12T10:00:00Z')
    .contact('D3', 'accompaniment', TO_END, '2025-04-02T08:00:00Z') // end of `to`, documented later: counted
    .contact('D3', 'phone', '2025-04-01', '2025-04-02T08:00:00Z') // the day after: not counted
    .refer('D3', 'r1', 'Jobcenter', '2025-03-07T10:00:00Z')
    .ev('D3', 'referral_stopped', TO_END, { referralId: 'r1', service: 'Jobcenter', reason: 'Fall abgeschlossen' })
    .close('D3', TO_END, 'moved_away', 'partly'); // 40 days, closed at the last instant of the period
  s.open('D4', '2025-02-01T10:00:00Z', 'drk', 'Kall').close('D4', '2025-02-28T22:59:59.999Z', 'other', 'not_achieved'); // 1 ms before `from`
  s.open('D5', '2025-03-31T22:00:00.000Z', 'drk', 'Kall'); // exactly at the end (exclusive): not in March
  // Caritas Eifel
  s.open('E1', '2025-03-02T09:00:00Z', 'caritas-eifel', 'Schleiden')
    .contact('E1', 'counselling', '2025-03-10T09:00:00Z')
    .refer('E1', 'r1', 'Praxis Dr. Beispiel', '2025-03-11T09:00:00Z')
    .ev('E1', 'case_transferred', '2025-03-16T09:00:00Z', { fromOrganisationId: 'caritas-eifel', toOrganisationId: 'drk', reason: 'Umzug' })
    .contact('E1', 'accompaniment', '2025-03-21T09:00:00Z'); // after the transfer: DRK's
  s.open('E2', '2025-03-03T09:00:00Z', 'caritas-eifel', 'Schleiden')
    .contact('E2', 'counselling', '2025-03-04T09:00:00Z')
    .contact('E2', 'digital', '2025-03-05T09:00:00Z')
    .refer('E2', 'r1', 'Tafel Kall', '2025-03-06T09:00:00Z')
    .close('E2', '2025-03-13T09:00:00Z', 'no_contact', 'not_achieved'); // 10 days
  s.open('E3', '2025-03-04T09:00:00Z', 'caritas-eifel', 'Mechernich')
    .contact('E3', 'counselling', '2025-03-05T09:00:00Z')
    .contact('E3', 'phone', '2025-03-12T09:00:00Z')
    .refer('E3', 'r1', 'Sportverein Mechernich', '2025-03-13T09:00:00Z');
  // KJA
  s.open('K1', '2025-01-10T09:00:00Z', 'kja', 'Euskirchen').close('K1', '2025-03-20T09:00:00Z', 'handed_to_regular_service', 'achieved'); // 69 days
  s.open('K2', '2024-12-01T09:00:00Z', 'kja', 'Euskirchen');
  s.open('K3', '2024-12-02T09:00:00Z', 'kja', 'Zülpich');
  // ABH handovers
  s.handover('H1', 'handover_requested', '2025-03-02T09:00:00Z', { receivingOrganisationId: 'drk' })
    .handover('H1', 'handover_accepted', '2025-03-20T09:00:00Z', { receivingOrganisationId: 'drk' });
  s.handover('H2', 'handover_requested', '2025-02-20T09:00:00Z', { receivingOrganisationId: 'drk' })
    .handover('H2', 'handover_consent_refused', FROM);
  s.handover('H3', 'handover_requested', '2025-03-05T09:00:00Z', { receivingOrganisationId: 'drk' })
    .handover('H3', 'handover_lapsed', '2025-03-19T09:00:00Z');
  s.handover('H4', 'handover_requested', '2025-03-06T09:00:00Z', { receivingOrganisationId: 'caritas-eifel' })
    .handover('H4', 'handover_cancelled', '2025-04-01T10:00:00Z');
  return s;
}

const ORGS = [
  { key: 'drk', label: 'DRK' },
  { key: 'caritas-eifel', label: 'Caritas Eifel' },
  { key: 'kja', label: 'KJA' },
];

function report(overrides: Partial<ControllingInput> = {}): ControllingReport {
  const s = scenario();
  return computeControlling({
    caseEvents: s.caseEvents,
    handoverEvents: s.handoverEvents,
    caseOfHandover: { H1: 'D2' },
    from: '2025-03-01',
    to: '2025-03-31',
    groupBy: 'organisation',
    groups: ORGS,
    ...overrides,
  });
}

/** The column of one figure: [DRK, Caritas Eifel, KJA | total], `null` = suppressed. */
function column(r: ControllingReport, ...path: string[]): (number | null)[] {
  return [...r.groups, r.total].map((row) => cellAt(row, path).value);
}

const S = { value: null, suppressed: true };

describe('controlling figures of the March 2025 scenario, per organisation', () => {
  const r = report();

  it('lists every organisation given, then the total, and the period in Berlin time', () => {
    expect(r.groups.map((g) => g.key)).toEqual(['drk', 'caritas-eifel', 'kja']);
    expect(r.total).toMatchObject({ key: 'gesamt', label: 'Gesamt' });
    expect(r.period).toEqual({ from: '2025-03-01', to: '2025-03-31', timeZone: 'Europe/Berlin', startsAt: FROM, endsBefore: '2025-03-31T22:00:00.000Z' });
  });

  it('counts opened, active and closed cases with the period edges; transfers move a case', () => {
    // Opened: DRK D1 (at `from`), D2 = 2 → suppressed; Caritas E1–E3 = 3, but 5 − 3 would reveal DRK's 2 → hidden too.
    expect(column(r, 'cases', 'opened')).toEqual([null, null, 0, 5]);
    expect(r.groups[0]!.figures.cases).toMatchObject({ opened: S });
    // Active: DRK D1, D2, D3, E1 (after its transfer); Caritas E1, E2, E3; KJA K1–K3. D4 closed 1 ms before `from`,
    // D5 opened at the exclusive end. E1 counts in both organisations, once in the total.
    expect(column(r, 'cases', 'active')).toEqual([4, 3, 3, 9]);
    // Closed: DRK D1, D2, D3 (at the last instant); Caritas E2 (1 → suppressed); KJA K1 (1 → suppressed).
    expect(column(r, 'cases', 'closed')).toEqual([3, null, null, 5]);
  });

  it('counts contacts by kind on the date they took place, with the organisation of that day', () => {
    expect(column(r, 'contacts', 'total')).toEqual([7, 5, 0, 12]);
    expect(column(r, 'contacts', 'byKind', 'counselling')).toEqual([3, 3, 0, 6]);
    expect(column(r, 'contacts', 'byKind', 'accompaniment')).toEqual([4, 0, 0, 4]);
    expect(column(r, 'accompaniments')).toEqual([4, 0, 0, 4]);
    expect(column(r, 'contacts', 'byKind', 'phone')).toEqual([0, null, 0, null]);
    expect(column(r, 'contacts', 'byKind', 'digital')).toEqual([0, null, 0, null]);
    expect(column(r, 'contacts', 'byKind', 'outreach')).toEqual([0, 0, 0, 0]);
  });

  it('gives median and quartiles of the duration of closed cases, suppressed under 3 persons', () => {
    expect(r.groups[0]!.figures.duration).toEqual({ medianDays: { value: 20 }, q1Days: { value: 15 }, q3Days: { value: 30 } });
    expect(r.groups[1]!.figures.duration).toEqual({ medianDays: S, q1Days: S, q3Days: S });
    // Total: 10, 10, 20, 40, 69 days.
    expect(r.total.figures.duration).toEqual({ medianDays: { value: 20 }, q1Days: { value: 10 }, q3Days: { value: 40 } });
  });

  it('counts closure reasons and goal attainment of the closed cases', () => {
    expect(column(r, 'closureReasons', 'goals_achieved')).toEqual([null, 0, 0, null]);
    expect(column(r, 'closureReasons', 'other')).toEqual([0, 0, 0, 0]); // D4 closed before the period
    expect(column(r, 'goalAttainment', 'achieved')).toEqual([null, 0, null, 3]);
    expect(column(r, 'goalAttainment', 'partly')).toEqual([null, 0, 0, null]);
  });

  it('counts referrals by target and outcome; rare targets are pooled', () => {
    expect(Object.keys(r.total.figures.referrals as object)).toEqual(['sent', 'outcomes', 'byService']);
    expect(Object.keys((r.total.figures.referrals as any).byService)).toEqual(['Jobcenter', 'Sonstige Dienste']);
    expect(column(r, 'referrals', 'sent')).toEqual([3, 3, 0, 6]);
    expect(column(r, 'referrals', 'byService', 'Jobcenter', 'sent')).toEqual([3, 0, 0, 3]);
    // Three targets with one person each: none named, together 3 persons → visible.
    expect(column(r, 'referrals', 'byService', 'Sonstige Dienste', 'sent')).toEqual([0, 3, 0, 3]);
    expect(column(r, 'referrals', 'outcomes', 'accepted')).toEqual([null, 0, 0, null]);
    expect(column(r, 'referrals', 'outcomes', 'stopped')).toEqual([null, 0, 0, null]);
    expect(column(r, 'referrals', 'outcomes', 'declined')).toEqual([0, 0, 0, 0]);
    expect(r.columns.some((c) => c.label.includes('Praxis'))).toBe(false);
  });

  it('counts ABH handovers by outcome for the receiving organisation', () => {
    expect(column(r, 'handovers', 'requested')).toEqual([null, null, 0, 3]);
    expect(column(r, 'handovers', 'handedOver')).toEqual([null, 0, 0, null]);
    expect(column(r, 'handovers', 'refused')).toEqual([null, 0, 0, null]); // exactly at `from`
    expect(column(r, 'handovers', 'cancelled')).toEqual([0, 0, 0, 0]); // the day after the period
  });

  it('never leaves exactly one hidden cell in a group column or a breakdown', () => {
    for (const col of r.columns.filter((c) => c.unit === 'count' && c.path[0] !== 'accompaniments')) {
      expect(column(r, ...col.path).filter((v) => v === null).length, col.label).not.toBe(1);
    }
    for (const row of [...r.groups, r.total]) {
      const contacts = [['total'], ['byKind', 'counselling'], ['byKind', 'accompaniment'], ['byKind', 'outreach'], ['byKind', 'phone'], ['byKind', 'digital']];
      expect(contacts.filter((p) => cellAt(row, ['contacts', ...p]).value === null).length, row.key).not.toBe(1);
    }
  });

  it('is deterministic: the order of the rows does not matter', () => {
    const s = scenario();
    const shuffled = computeControlling({
      caseEvents: [...s.caseEvents].reverse(),
      handoverEvents: [...s.handoverEvents].reverse(),
      caseOfHandover: { H1: 'D2' },
      from: '2025-03-01',
      to: '2025-03-31',
      groupBy: 'organisation',
      groups: ORGS,
    });
    expect(shuffled).toEqual(r);
  });
});

describe('other groupings and persons', () => {
  it('groups by month in Berlin time; secondary suppression across months', () => {
    const r = report({ groupBy: 'month', from: '2025-02-01', to: '2025-04-30', groups: [] });
    expect(r.groups.map((g) => [g.key, g.label])).toEqual([
      ['2025-02', 'Februar 2025'],
      ['2025-03', 'März 2025'],
      ['2025-04', 'April 2025'],
    ]);
    // Opened: February D3, D4; March D1 (23:00Z = 1 March local), D2, E1–E3; April D5 (22:00Z = 1 April local).
    expect(column(r, 'cases', 'opened')).toEqual([null, 5, null, 8]);
    // Closed: February D4 (23:59:59.999 local); March D1, D2, D3, E2, K1 = 5; 6 − 5 would reveal February → hidden.
    expect(column(r, 'cases', 'closed')).toEqual([null, null, 0, 6]);
  });

  it('groups by municipality; a handover takes the municipality of its case', () => {
    const r = report({ groupBy: 'municipality', groups: [] });
    expect(r.groups.map((g) => g.key)).toEqual(['Euskirchen', 'Kall', 'Mechernich', 'Schleiden', 'Zülpich', 'ohne-zuordnung']);
    // Every municipality has fewer than 3 active persons: only the total is shown.
    expect(column(r, 'cases', 'active')).toEqual([null, null, null, null, null, 0, 9]);
    const handoversIn = (key: string) => r.groups.find((g) => g.key === key)!.figures.handovers;
    expect(handoversIn('Kall')).toMatchObject({ handedOver: S }); // H1 → case D2 in Kall
    expect(handoversIn('ohne-zuordnung')).toMatchObject({ requested: S });
  });

  it('counts persons, not cases: two cases of one person are one person', () => {
    const r = report({ personOfCase: { K2: 'person-k', K3: 'person-k' } });
    // KJA: 3 active cases but 2 persons → suppressed; then Caritas (3) is hidden so that 9 − 4 − 3 reveals nothing.
    expect(column(r, 'cases', 'active')).toEqual([4, null, null, 9]);
  });

  it('interpolates quartiles like Excel QUARTILE.INC', () => {
    expect(quantile([10, 20, 40], 0.25)).toBe(15);
    expect(quantile([10, 10, 20, 40, 69], 0.75)).toBe(40);
    expect(quantile([], 0.5)).toBeNull();
  });

  it('rejects an impossible period', () => {
    expect(() => report({ from: '2025-04-01', to: '2025-03-01' })).toThrow(RangeError);
  });
});

describe('controlling over events made by the real domain', () => {
  // Two cases in March 2025 (minPersons 1, to see every number):
  //   A: intake 1 d → assessment 7 d → goal planning 4 d → referral 15 d (follow-up reminder fired, outcome late) →
  //      review 1 d → closed after 28 days.
  //   B: stays in intake; the first-assessment deadline is missed (17 March) and escalated (24 March).
  function driven() {
    const at = (day: number) => `2025-03-${String(day).padStart(2, '0')}T09:00:00.000Z`;
    const a = new CaseDriver(undefined, at(3));
    withConsents(a);
    a.now = at(4);
    a.do('start-assessment');
    a.now = at(11);
    a.do('complete-assessment', { lifeAreas: [{ area: 'language', situation: 'A1', need: 'high' }] });
    a.now = at(15);
    a.do('agree-goals', { goals: [goal('Deutschkurs', '2025-12-31')] });
    a.do('refer', { service: 'Schuldnerberatung' });
    a.now = at(30);
    const fired = onDeadlineFired(a.c, a.deadline('referral_follow_up')!.id, 'reminder', a.now);
    a.c = fired.next;
    a.events.push(...fired.events);
    a.do('record-referral-outcome', { referralId: a.c.referrals[0]!.id, outcome: 'accepted' });
    a.do('start-review');
    a.now = at(31);
    a.do('close', { reason: 'goals_achieved', goalAttainment: 'achieved' }, coordinator);

    const b = new CaseDriver(undefined, at(3));
    for (const [phase, day] of [['reminder', 17], ['escalation', 24]] as const) {
      const f = onDeadlineFired(b.c, b.deadline('first_assessment')!.id, phase, at(day));
      b.c = f.next;
      b.events.push(...f.events);
    }
    const rows = (caseId: string, d: CaseDriver): ControllingCaseEvent[] =>
      d.events.map((e, i) => ({ caseId, seq: i + 1, type: e.type, at: e.at, data: e.data }));
    return [...rows('A', a), ...rows('B', b)];
  }

  it('reads phases, durations, referrals and deadlines from the emitted events', () => {
    const r = computeControlling({ caseEvents: driven(), from: '2025-03-01', to: '2025-03-31', groupBy: 'organisation', minPersons: 1 });
    const f = r.total.figures as any;
    expect(f.cases).toEqual({ opened: { value: 2 }, active: { value: 2 }, closed: { value: 1 } });
    expect(f.duration.medianDays).toEqual({ value: 28 });
    // B sits in intake from 3 March 09:00Z to the end of March (31 March 22:00Z) = 28.54 d, A 1 d.
    expect(f.phases.intake).toEqual({ cases: { value: 2 }, days: { value: 29.5 }, averageDays: { value: 14.8 } });
    expect(f.phases.assessment).toEqual({ cases: { value: 1 }, days: { value: 7 }, averageDays: { value: 7 } });
    expect(f.phases.goal_planning.days).toEqual({ value: 4 });
    expect(f.phases.referral.days).toEqual({ value: 15 });
    expect(f.phases.review.days).toEqual({ value: 1 });
    expect(f.phases.on_hold).toEqual({ cases: { value: 0 }, days: { value: 0 }, averageDays: { value: null } });
    expect(f.referrals.byService.Schuldnerberatung).toMatchObject({ sent: { value: 1 }, accepted: { value: 1 } });
    // On time: first assessment, assessment completion, goal agreement (A). Late: A's referral follow-up.
    // Missed: that follow-up and B's first assessment (reminder + escalation = one missed deadline).
    expect(f.deadlines.total).toEqual({
      metOnTime: { value: 3 },
      metLate: { value: 1 },
      missed: { value: 2 },
      escalated: { value: 1 },
      overdueAtEnd: { value: 1 },
    });
    expect(f.deadlines.byKind.first_assessment).toEqual({
      metOnTime: { value: 1 },
      metLate: { value: 0 },
      missed: { value: 1 },
      escalated: { value: 1 },
      overdueAtEnd: { value: 1 },
    });
    expect(f.closureReasons.goals_achieved).toEqual({ value: 1 });
    expect(r.groups.map((g) => g.key)).toEqual(['drk']);
  });

  it('takes the state at the end of each month window for overdue deadlines and active cases', () => {
    const events = driven();
    const r = computeControlling({ caseEvents: events, from: '2025-02-01', to: '2025-03-10', groupBy: 'month', minPersons: 1 });
    expect(column(r, 'deadlines', 'total', 'overdueAtEnd')).toEqual([0, 0, 0]);
    const april = computeControlling({ caseEvents: events, from: '2025-03-01', to: '2025-04-30', groupBy: 'month', minPersons: 1 });
    // B's first assessment stays overdue (nothing met it) at the end of March and of April.
    expect(column(april, 'deadlines', 'total', 'overdueAtEnd')).toEqual([1, 1, 1]);
    expect(column(april, 'cases', 'active')).toEqual([2, 1, 2]);
  });
});
