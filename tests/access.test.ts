// The access rules of api/access.ts, pure: every role against cases and handovers of their own and other
// organisations, and the list filters checked against the single-case rule.
import { describe, expect, it } from 'vitest';
import {
  canActOnCase,
  canApproveClosure,
  canConfigureDeadlines,
  canConfigureRouting,
  canManageUsers,
  canOpenCase,
  canReassignAnyCase,
  canSeeReports,
  caseAccess,
  caseListFilter,
  handedOverCaseIds,
  handoverAccess,
  handoverListFilter,
  isHandedOverBy,
  requireCaseAccess,
  sharedCaseListFilter,
  sharingConsentsFor,
  stateOnlyCaseView,
  type AccessUser,
} from '../api/operations/access-policy.js';
import { ApiError } from '../api/operations/errors.js';
import { CASE_ACTIONS, HANDOVER_STATES, type ActorRole } from '../domain/index.js';
import type { Database } from '../platform/database.js';
import type { Prisma } from '../prisma/generated/client.js';

const coordinator: AccessUser = { id: 'u-coord', role: 'coordinator', organisationId: 'kreis-kim' };
const cmDrk: AccessUser = { id: 'u-cm-drk', role: 'case_manager', organisationId: 'drk' };
const cmCaritas: AccessUser = { id: 'u-cm-caritas', role: 'case_manager', organisationId: 'caritas-eifel' };
const cmKreis: AccessUser = { id: 'u-cm-kreis', role: 'case_manager', organisationId: 'kreis-kim' };
const counsellor: AccessUser = { id: 'u-abh-1', role: 'abh_counsellor', organisationId: 'abh' };
const otherCounsellor: AccessUser = { id: 'u-abh-2', role: 'abh_counsellor', organisationId: 'abh' };
const admin: AccessUser = { id: 'u-admin', role: 'admin', organisationId: 'kreis-kim' };
const users = [coordinator, cmDrk, cmCaritas, cmKreis, counsellor, otherCounsellor, admin];

const drkCase = { id: 'c-drk', organisationId: 'drk' };
const caritasCase = { id: 'c-caritas', organisationId: 'caritas-eifel' };
const kreisCase = { id: 'c-kreis', organisationId: 'kreis-kim' };
const abhCase = { id: 'c-abh', organisationId: 'abh' };
const cases = [drkCase, caritasCase, kreisCase, abhCase];

describe('caseAccess', () => {
  it('gives coordinators every case in full', () => {
    for (const c of cases) expect(caseAccess(coordinator, c)).toBe('full');
  });

  it('gives case managers the cases of their own organisation only', () => {
    expect(caseAccess(cmDrk, drkCase)).toBe('full');
    expect(caseAccess(cmDrk, caritasCase)).toBe('none');
    expect(caseAccess(cmDrk, abhCase)).toBe('none');
    expect(caseAccess(cmKreis, kreisCase)).toBe('full');
    expect(caseAccess(cmCaritas, drkCase)).toBe('none');
  });

  it('ignores "handed over by" for everyone but counsellors', () => {
    expect(caseAccess(cmCaritas, drkCase, { handedOverBy: true })).toBe('none');
    expect(caseAccess(admin, drkCase, { handedOverBy: true })).toBe('none');
    expect(caseAccess(coordinator, drkCase, { handedOverBy: false })).toBe('full');
  });

  it('gives ABH counsellors the ABH\'s own cases in full and their handed-over cases as state only', () => {
    expect(caseAccess(counsellor, abhCase)).toBe('full');
    expect(caseAccess(otherCounsellor, abhCase)).toBe('full');
    expect(caseAccess(counsellor, drkCase, { handedOverBy: true })).toBe('state_only');
    expect(caseAccess(counsellor, drkCase, { handedOverBy: false })).toBe('none');
    expect(caseAccess(counsellor, drkCase)).toBe('none');
  });

  it('gives admins no case at all, not even of their own organisation', () => {
    for (const c of cases) expect(caseAccess(admin, c)).toBe('none');
  });

  it('gives a role without a rule nothing', () => {
    const stranger = { id: 'x', role: 'auditor' as ActorRole, organisationId: 'drk' };
    expect(caseAccess(stranger, drkCase)).toBe('none');
    expect(canActOnCase(stranger, drkCase)).toBe(false);
    expect(caseListFilter(stranger)).toEqual({ id: { in: [] } });
    expect(handoverAccess(stranger, { counsellorId: 'x', receivingOrganisationId: 'drk', state: 'handed_over' })).toBe('none');
  });
});

describe('canActOnCase', () => {
  it('lets case managers act on their own organisation\'s cases, except deciding on closure requests', () => {
    expect(canActOnCase(cmDrk, drkCase)).toBe(true);
    for (const action of CASE_ACTIONS) {
      expect(canActOnCase(cmDrk, drkCase, action)).toBe(action !== 'approve-closure' && action !== 'return-closure');
      expect(canActOnCase(cmDrk, caritasCase, action)).toBe(false);
    }
  });

  it('lets coordinators do everything on every case, reassigning and approving closures included', () => {
    for (const c of cases) {
      for (const action of CASE_ACTIONS) expect(canActOnCase(coordinator, c, action)).toBe(true);
    }
    expect(canReassignAnyCase(coordinator)).toBe(true);
    expect(canApproveClosure(coordinator)).toBe(true);
  });

  it('lets ABH counsellors work ABH cases but not act on cases they only see the state of', () => {
    expect(canActOnCase(counsellor, abhCase, 'record-contact')).toBe(true);
    expect(canActOnCase(counsellor, abhCase, 'approve-closure')).toBe(false);
    expect(canActOnCase(counsellor, drkCase, undefined, { handedOverBy: true })).toBe(false);
    for (const action of CASE_ACTIONS) expect(canActOnCase(counsellor, drkCase, action, { handedOverBy: true })).toBe(false);
  });

  it('never lets admins act on a case', () => {
    for (const c of cases) {
      expect(canActOnCase(admin, c)).toBe(false);
      for (const action of CASE_ACTIONS) expect(canActOnCase(admin, c, action)).toBe(false);
    }
  });
});

describe('role capabilities', () => {
  const table: Array<[string, (u: AccessUser) => boolean, ActorRole[]]> = [
    ['canOpenCase', canOpenCase, ['case_manager', 'abh_counsellor', 'coordinator']],
    ['canReassignAnyCase', canReassignAnyCase, ['coordinator']],
    ['canApproveClosure', canApproveClosure, ['coordinator']],
    ['canSeeReports', canSeeReports, ['coordinator']],
    ['canManageUsers', canManageUsers, ['admin']],
    ['canConfigureRouting', canConfigureRouting, ['admin', 'coordinator']],
    ['canConfigureDeadlines', canConfigureDeadlines, ['coordinator']],
  ];
  it.each(table)('%s is granted to exactly the right roles', (_name, rule, roles) => {
    for (const u of users) expect(rule(u), `${u.role}`).toBe(roles.includes(u.role));
  });
});

/** Evaluates the small subset of Prisma `where` the filters produce, against an in-memory row. */
function matches(where: Prisma.CaseWhereInput | Prisma.HandoverWhereInput, row: Record<string, unknown>): boolean {
  return Object.entries(where).every(([key, condition]) => {
    if (key === 'OR') return (condition as Array<typeof where>).some((w) => matches(w, row));
    if (condition !== null && typeof condition === 'object') {
      if ('in' in condition) return (condition.in as unknown[]).includes(row[key]);
      throw new Error(`unsupported condition ${JSON.stringify(condition)}`);
    }
    return row[key] === condition;
  });
}

describe('caseListFilter', () => {
  it('builds the expected where per role', () => {
    expect(caseListFilter(coordinator)).toEqual({});
    expect(caseListFilter(cmDrk)).toEqual({ organisationId: 'drk' });
    expect(caseListFilter(counsellor)).toEqual({ organisationId: 'abh' });
    expect(caseListFilter(counsellor, ['c-drk'])).toEqual({ OR: [{ organisationId: 'abh' }, { id: { in: ['c-drk'] } }] });
    expect(caseListFilter(admin)).toEqual({ id: { in: [] } });
  });

  it('lists exactly the cases caseAccess lets the user see', () => {
    const handedOver: Record<string, string[]> = { [counsellor.id]: [drkCase.id, caritasCase.id], [otherCounsellor.id]: [] };
    for (const u of users) {
      const ids = handedOver[u.id] ?? [];
      const listed = cases.filter((c) => matches(caseListFilter(u, ids), c)).map((c) => c.id);
      const visible = cases
        .filter((c) => caseAccess(u, c, { handedOverBy: ids.includes(c.id) }) !== 'none')
        .map((c) => c.id);
      expect(listed, u.id).toEqual(visible);
    }
  });
});

describe('requireCaseAccess', () => {
  const thrown = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error as ApiError;
    }
    throw new Error('expected an ApiError');
  };

  it('answers 404 alike for unknown and invisible cases, so existence is not revealed', () => {
    const unknown = thrown(() => requireCaseAccess(cmDrk, null, 'state'));
    const invisible = thrown(() => requireCaseAccess(cmDrk, caritasCase, 'state'));
    expect(unknown).toBeInstanceOf(ApiError);
    expect([unknown.status, unknown.code, unknown.message]).toEqual([invisible.status, invisible.code, invisible.message]);
    expect(unknown.status).toBe(404);
    expect(thrown(() => requireCaseAccess(admin, kreisCase, 'state')).status).toBe(404);
  });

  it('answers 403 when only the state is visible but content is asked for', () => {
    const error = thrown(() => requireCaseAccess(counsellor, drkCase, 'full', { handedOverBy: true }));
    expect([error.status, error.code]).toEqual([403, 'forbidden']);
    expect(requireCaseAccess(counsellor, drkCase, 'state', { handedOverBy: true })).toBe('state_only');
  });

  it('returns the access level when it suffices', () => {
    expect(requireCaseAccess(cmDrk, drkCase, 'full')).toBe('full');
    expect(requireCaseAccess(coordinator, abhCase, 'state')).toBe('full');
  });
});

describe('stateOnlyCaseView', () => {
  it('carries the state and nothing about the person or the work', () => {
    const row = {
      id: 'c-drk',
      state: 'assessment',
      onHold: false,
      organisationId: 'drk',
      openedAt: new Date('2026-01-05T09:00:00Z'),
      closedAt: null,
      person: { givenName: 'Amina' },
      note: 'vertraulich',
      assigneeId: 'u-cm-drk',
    };
    expect(stateOnlyCaseView(row)).toEqual({
      id: 'c-drk',
      state: 'assessment',
      onHold: false,
      organisationId: 'drk',
      openedAt: '2026-01-05T09:00:00.000Z',
      closedAt: null,
      access: 'state_only',
    });
  });
});

describe('handoverAccess', () => {
  const handover = (state: string, receivingOrganisationId: string | null = 'drk') => ({
    counsellorId: counsellor.id,
    receivingOrganisationId,
    state,
  });

  it('gives coordinators and the counsellor who started it full access in every state', () => {
    for (const state of HANDOVER_STATES) {
      expect(handoverAccess(coordinator, handover(state))).toBe('full');
      expect(handoverAccess(counsellor, handover(state))).toBe('full');
    }
  });

  it('gives other counsellors, other organisations and admins nothing', () => {
    for (const state of HANDOVER_STATES) {
      expect(handoverAccess(otherCounsellor, handover(state))).toBe('none');
      expect(handoverAccess(cmCaritas, handover(state))).toBe('none');
      expect(handoverAccess(admin, handover(state))).toBe('none');
      expect(handoverAccess(cmDrk, handover(state, null))).toBe('none');
    }
  });

  it('shows the receiving organisation the state before consent and the content after', () => {
    const expected: Record<string, string> = {
      awaiting_consent: 'state_only',
      consent_given: 'full',
      meeting_scheduled: 'full',
      handed_over: 'full',
      refused: 'state_only',
      lapsed: 'state_only',
      cancelled: 'state_only',
    };
    for (const state of HANDOVER_STATES) expect(handoverAccess(cmDrk, handover(state)), state).toBe(expected[state]);
  });

  it('follows the workflow\'s visibleToReceiver when the route knows it', () => {
    expect(handoverAccess(cmDrk, handover('cancelled'), { visibleToReceiver: true })).toBe('full');
    expect(handoverAccess(cmDrk, handover('meeting_scheduled'), { visibleToReceiver: false })).toBe('state_only');
  });

  it('lists exactly the handovers handoverAccess lets the user see', () => {
    const rows = [
      { id: 'h1', counsellorId: counsellor.id, receivingOrganisationId: 'drk', state: 'awaiting_consent' },
      { id: 'h2', counsellorId: otherCounsellor.id, receivingOrganisationId: 'caritas-eifel', state: 'handed_over' },
      { id: 'h3', counsellorId: counsellor.id, receivingOrganisationId: null, state: 'awaiting_consent' },
    ];
    expect(handoverListFilter(coordinator)).toEqual({});
    for (const u of users) {
      const listed = rows.filter((r) => matches(handoverListFilter(u), r)).map((r) => r.id);
      const visible = rows.filter((r) => handoverAccess(u, r) !== 'none').map((r) => r.id);
      expect(listed, u.id).toEqual(visible);
    }
  });
});

describe('handed-over look-ups', () => {
  // Only counsellors hand over: for every other role the answer must come without touching the database.
  const noDatabase = new Proxy({}, { get: () => { throw new Error('database touched'); } }) as Database;

  it('answers for non-counsellors without a query', async () => {
    for (const u of [coordinator, cmDrk, admin]) {
      expect(await isHandedOverBy(noDatabase, u, 'c-drk')).toBe(false);
      expect(await handedOverCaseIds(noDatabase, u)).toEqual([]);
    }
  });
});

describe('partner access (consent-bound sharing)', () => {
  const shared = { sharedWithOrganisation: true };
  const noDatabase = new Proxy({}, { get: () => { throw new Error('database touched'); } }) as Database;

  it('gives staff of a partner organisation the partner view only where the route asks for it', () => {
    expect(caseAccess(cmCaritas, drkCase, shared)).toBe('partner');
    expect(caseAccess(cmCaritas, drkCase)).toBe('none');
    expect(caseAccess(counsellor, drkCase, shared)).toBe('partner');
    // Own cases stay full, a counsellor's handed-over case stays state only, admins get nothing.
    expect(caseAccess(cmDrk, drkCase, shared)).toBe('full');
    expect(caseAccess(coordinator, drkCase, shared)).toBe('full');
    expect(caseAccess(counsellor, drkCase, { ...shared, handedOverBy: true })).toBe('state_only');
    expect(caseAccess(admin, drkCase, shared)).toBe('none');
  });

  it('never lets a partner act on the case', () => {
    for (const action of CASE_ACTIONS) expect(canActOnCase(cmCaritas, drkCase, action, shared)).toBe(false);
  });

  it('answers 404 — not 403 — when a partner asks for content beyond the projection', () => {
    expect(requireCaseAccess(cmCaritas, drkCase, 'state', shared)).toBe('partner');
    try {
      requireCaseAccess(cmCaritas, drkCase, 'full', shared);
      expect.fail('expected 404');
    } catch (error) {
      expect((error as ApiError).status).toBe(404);
    }
  });

  it('lists shared cases only for organisation staff, never the own organisation\'s', async () => {
    expect(sharedCaseListFilter(cmCaritas)).toEqual({
      organisationId: { not: 'caritas-eifel' },
      erasedAt: null,
      consents: { some: { scope: 'share_with_partner', decision: 'given', withdrawnAt: null, partnerOrganisationId: 'caritas-eifel' } },
    });
    for (const u of [admin, coordinator]) {
      expect(sharedCaseListFilter(u)).toEqual({ id: { in: [] } });
      expect(await sharingConsentsFor(noDatabase, u, 'c-drk')).toEqual([]);
    }
  });
});
