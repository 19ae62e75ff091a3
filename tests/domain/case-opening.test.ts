// Issue 12 part 1: who may open a case where (domain/case-opening.ts), as an exhaustive table: every role and kind of
// own organisation against every choice of holder in the request, written here by hand from the concept.
import { describe, expect, it } from 'vitest';
import { caseHolderAtOpening, transferError, type ActorRole, type OpeningOrganisation } from '../../domain/index.js';

const ORGS: Record<string, OpeningOrganisation> = {
  drk: { id: 'drk', kind: 'provider' },
  caritas: { id: 'caritas-eifel', kind: 'provider' },
  kja: { id: 'kja', kind: 'provider' },
  kim: { id: 'kreis-kim', kind: 'county', countyPost: 'kim_team' },
  bne: { id: 'kreis-bne', kind: 'county', countyPost: 'bne' },
  ip: { id: 'kreis-ip', kind: 'county', countyPost: 'integration_point' },
  abh: { id: 'abh', kind: 'abh', countyPost: 'abh_cm' },
  partner: { id: 'skm', kind: 'partner' },
  jobcenter: { id: 'jobcenter', kind: 'jobcenter' },
};
const PROPOSAL = 'caritas-eifel';

// Requested holder: '-' none, 'own', 'prop' (the proposal), 'other' (another provider), 'county' (a county post),
// 'partner', 'unknown'. Outcome: an organisation id, or the refusal's status.
type Requested = '-' | 'own' | 'prop' | 'other' | 'county' | 'partner' | 'unknown';
const REQUESTED: readonly Requested[] = ['-', 'own', 'prop', 'other', 'county', 'partner', 'unknown'];
// prettier-ignore
const TABLE: Array<[ActorRole, keyof typeof ORGS, Record<Requested, string | number>]> = [
  ['case_manager',   'drk', { '-': PROPOSAL,     own: 'drk',       prop: PROPOSAL, other: 422, county: 422, partner: 422, unknown: 422 }],
  ['case_manager',   'kim', { '-': 'kreis-kim',  own: 'kreis-kim', prop: 422,      other: 422, county: 422, partner: 422, unknown: 422 }],
  ['case_manager',   'bne', { '-': 'kreis-bne',  own: 'kreis-bne', prop: 422,      other: 422, county: 422, partner: 422, unknown: 422 }],
  ['case_manager',   'ip',  { '-': 'kreis-ip',   own: 'kreis-ip',  prop: 422,      other: 422, county: 422, partner: 422, unknown: 422 }],
  ['case_manager',   'abh', { '-': 'abh',        own: 'abh',       prop: 422,      other: 422, county: 422, partner: 422, unknown: 422 }],
  ['abh_counsellor', 'abh', { '-': 'abh',        own: 'abh',       prop: 409,      other: 409, county: 409, partner: 409, unknown: 422 }],
  ['coordinator',    'kim', { '-': PROPOSAL,     own: 'kreis-kim', prop: PROPOSAL, other: 'drk', county: 'kreis-bne', partner: 422, unknown: 422 }],
  ['admin',          'kim', { '-': 422,          own: 422,         prop: 422,      other: 422, county: 422, partner: 422, unknown: 422 }],
];

function requestedOrg(r: Requested, own: OpeningOrganisation): OpeningOrganisation | null | undefined {
  switch (r) {
    case '-': return undefined;
    case 'own': return own;
    case 'prop': return ORGS.caritas;
    case 'other': return own.id === 'drk' ? ORGS.kja : ORGS.drk;
    case 'county': return own.id === 'kreis-bne' ? ORGS.ip : ORGS.bne;
    case 'partner': return ORGS.partner;
    case 'unknown': return null;
  }
}

describe('who may open a case where', () => {
  for (const [role, ownKey, row] of TABLE) {
    for (const r of REQUESTED) {
      const expected = row[r];
      it(`${role} of ${ownKey}, organisation ${r} → ${expected}`, () => {
        const own = ORGS[ownKey]!;
        const requested = requestedOrg(r, own);
        const d = caseHolderAtOpening({ role, own, proposedOrganisationId: PROPOSAL, ...(requested !== undefined ? { requested } : {}) });
        if (typeof expected === 'string') {
          if (!d.ok) expect.fail(d.message);
          expect(d.organisationId).toBe(expected);
        } else {
          expect(d.ok).toBe(false);
          if (d.ok) return;
          expect(d.status).toBe(expected);
          expect(d.code).toBe(expected === 409 ? 'handover_required' : 'validation_failed');
          // German, with the allowed way.
          expect(d.message).toMatch(/[äöüß]|Fälle|Organisation/);
          expect(d.allowed.length).toBeGreaterThan(10);
          if (expected === 409) expect(d.allowed).toMatch(/Übergabe vorschlagen/);
        }
      });
    }
  }

  it('covers every role', () => {
    expect(new Set(TABLE.map(([role]) => role))).toEqual(new Set(['case_manager', 'abh_counsellor', 'coordinator', 'admin']));
  });
});

describe('transfers out of the ABH', () => {
  const kinds = Object.values(ORGS);
  for (const from of kinds) {
    for (const to of kinds) {
      const needsHandover = from.kind === 'abh' && to.kind !== 'abh' && to.id !== from.id;
      it(`${from.id} → ${to.id}: ${needsHandover ? 'handover required' : 'no objection here'}`, () => {
        const r = transferError(from, to);
        if (!needsHandover) expect(r).toBeNull();
        else {
          expect(r).toMatchObject({ ok: false, status: 409, code: 'handover_required' });
          expect(r!.allowed).toMatch(/Übergabe vorschlagen/);
        }
      });
    }
  }
});
