// One person across providers (issue 16 item 3): the duplicate check at intake (keyed hashes only; what is compared:
// domain/person-match.ts, the key: platform/person-match-key.ts), coordination's list of possible matches with its
// decisions (link = one person, dismiss), and the persons the figures count. Called by the JSON doors and the pages.
import { z } from 'zod';
import {
  PERSON_MATCH_STATUSES,
  decideMatch,
  distinctKinds,
  personOfLinkedCases,
  possibleMatchMessage,
  type MatchOrganisationKind,
  type MatchPerson,
  type PersonMatchDecision,
  type PersonMatchStatus,
} from '../../domain/person-match.js';
import { matchHashesOf } from '../../platform/person-match-key.js';
import { openCasesWithHashes, recordMatchRows, type MatchedCase } from '../../platform/person-match-store.js';
import type { Database } from '../../platform/database.js';
import { canDecidePersonMatches } from './access-policy.js';
import { logAccess } from './access-log.js';
import { recordAudit, type Tx } from './admin-audit.js';
import type { Caller, OperationDeps } from './caller.js';
import { dataKeysOf } from './case-documents.js';
import { ApiError } from './errors.js';

// ---------------------------------------------------------------------------------------------------------------
// At intake

export interface IntakeMatch {
  /** The new person's hashes, stored with the case so later intakes elsewhere find it. */
  hashes: string[];
  /** Open cases at other organisations with a hash in common (ids stay on the server). */
  others: MatchedCase[];
}

/** The open cases held by another organisation than `holderId` whose person may be this one. */
export async function intakeMatch(deps: Pick<OperationDeps, 'db' | 'temporal'>, person: MatchPerson, holderId: string): Promise<IntakeMatch> {
  const hashes = await matchHashesOf(dataKeysOf(deps.temporal), person);
  return { hashes, others: await openCasesWithHashes(deps.db, hashes, holderId) };
}

/** 409 possible_existing_case unless the opener confirmed: the kind of organisation only, never who or which case. */
export function requireConfirmation(match: IntakeMatch, confirmed: boolean | undefined): void {
  if (match.others.length === 0 || confirmed === true) return;
  const kinds = distinctKinds(match.others.map((o) => o.kind));
  throw new ApiError(409, 'possible_existing_case', possibleMatchMessage(kinds), { organisationKinds: kinds, confirmWith: { confirmNewCase: true } });
}

/** In the new case's transaction: its hashes, and a possible match per case found (the confirmation is recorded). */
export async function recordIntakeMatch(tx: Tx, caseId: string, match: IntakeMatch, confirmedById: string): Promise<void> {
  await recordMatchRows(tx, caseId, match.hashes, match.others, confirmedById);
}

/** What the 201 answer says about a confirmed warning (kinds only). */
export function confirmedWarning(match: IntakeMatch): { possibleExistingCase: { organisationKinds: MatchOrganisationKind[]; confirmed: true } } | Record<string, never> {
  return match.others.length === 0 ? {} : { possibleExistingCase: { organisationKinds: distinctKinds(match.others.map((o) => o.kind)), confirmed: true } };
}

// ---------------------------------------------------------------------------------------------------------------
// Coordination

export const PersonMatchQuery = z.object({
  status: z.enum(PERSON_MATCH_STATUSES, { error: `Unbekannter Status – erlaubt: ${PERSON_MATCH_STATUSES.join(', ')}.` }).default('open'),
});

function requireCoordinator(caller: Caller): void {
  if (!canDecidePersonMatches(caller.user)) throw new ApiError(403, 'forbidden', 'Der Personenabgleich ist der KIM-Koordination vorbehalten.');
}

interface MatchCaseView {
  id: string;
  organisationId: string;
  organisationName: string;
  state: string;
  openedAt: string;
  municipality: string;
  person: { givenName: string; familyName: string; birthDate: string };
}

export interface PersonMatchView {
  id: string;
  status: PersonMatchStatus;
  detectedAt: string;
  decidedAt: string | null;
  decidedById: string | null;
  confirmedById: string;
  case: MatchCaseView | null;
  otherCase: MatchCaseView | null;
}

type MatchRow = NonNullable<Awaited<ReturnType<Database['personMatch']['findUnique']>>>;

async function matchViews(db: Database, rows: MatchRow[]): Promise<PersonMatchView[]> {
  const ids = [...new Set(rows.flatMap((r) => [r.caseId, r.otherCaseId]))];
  const cases = await db.case.findMany({ where: { id: { in: ids } }, include: { person: true, organisation: { select: { shortName: true } } } });
  const byId = new Map(
    cases.map((c) => [
      c.id,
      {
        id: c.id,
        organisationId: c.organisationId,
        organisationName: c.organisation.shortName,
        state: c.state,
        openedAt: c.openedAt.toISOString(),
        municipality: c.municipality,
        person: { givenName: c.person.givenName, familyName: c.person.familyName, birthDate: c.person.birthDate.toISOString().slice(0, 10) },
      },
    ]),
  );
  return rows.map((r) => ({
    id: r.id,
    status: r.status as PersonMatchStatus,
    detectedAt: r.detectedAt.toISOString(),
    decidedAt: r.decidedAt?.toISOString() ?? null,
    decidedById: r.decidedById,
    confirmedById: r.confirmedById,
    case: byId.get(r.caseId) ?? null,
    otherCase: byId.get(r.otherCaseId) ?? null,
  }));
}

/** Both persons of every match shown are case content: one access-log entry per case. */
async function logShown(db: Database, caller: Caller, views: PersonMatchView[]): Promise<void> {
  const ids = [...new Set(views.flatMap((v) => [v.case?.id, v.otherCase?.id]).filter((id): id is string => id !== undefined))];
  for (const caseId of ids) await logAccess(db, caller, { action: 'read_person_match', caseId });
}

/** GET /api/v1/person-matches?status=open|linked|dismissed — coordination only, newest first. */
export async function listPersonMatches({ db }: Pick<OperationDeps, 'db'>, caller: Caller, query: unknown) {
  requireCoordinator(caller);
  const q = PersonMatchQuery.safeParse(query ?? {});
  if (!q.success) {
    throw new ApiError(422, 'validation_failed', 'Ungültige Filter.', { fields: Object.fromEntries(q.error.issues.map((i) => [i.path.join('.'), i.message])) });
  }
  const rows = await db.personMatch.findMany({ where: { status: q.data.status }, orderBy: [{ detectedAt: 'desc' }, { id: 'asc' }], take: 500 });
  const items = await matchViews(db, rows);
  await logShown(db, caller, items);
  return { status: q.data.status, items };
}

/** POST /api/v1/person-matches/:id/link | /dismiss — coordination only; audited in the same transaction. */
export async function decidePersonMatch({ db }: Pick<OperationDeps, 'db'>, caller: Caller, id: string, decision: PersonMatchDecision) {
  requireCoordinator(caller);
  const row = await db.$transaction(async (tx) => {
    // The row is locked, so two coordinators deciding at once cannot both win.
    const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT "id" FROM "PersonMatch" WHERE "id" = ${id} FOR UPDATE`;
    const found = locked.length > 0 ? await tx.personMatch.findUnique({ where: { id } }) : null;
    if (!found) throw new ApiError(404, 'not_found', 'Möglicher Treffer nicht gefunden.');
    const outcome = decideMatch(found.status as PersonMatchStatus, decision);
    if (!outcome.ok) throw new ApiError(409, 'match_already_decided', outcome.message, { status: found.status });
    if (!outcome.changed) return found;
    const updated = await tx.personMatch.update({ where: { id }, data: { status: outcome.status, decidedAt: new Date(), decidedById: caller.user.id } });
    await recordAudit(tx, {
      actor: { id: caller.user.id, role: caller.user.role },
      entity: 'person_match',
      entityId: id,
      action: decision === 'link' ? 'person_linked' : 'person_match_dismissed',
      before: { status: found.status },
      after: { status: updated.status, caseId: updated.caseId, otherCaseId: updated.otherCaseId },
    });
    return updated;
  });
  const [view] = await matchViews(db, [row]);
  await logShown(db, caller, [view!]);
  return view!;
}

// ---------------------------------------------------------------------------------------------------------------
// Figures and export

/** Case id → the person it counts as: linked cases are one person (domain/person-match.ts personOfLinkedCases). */
export async function personOfCases(tx: Tx, cases: readonly { id: string; personId: string }[]): Promise<Record<string, string>> {
  const links = await tx.personMatch.findMany({ where: { status: 'linked' }, select: { caseId: true, otherCaseId: true } });
  return personOfLinkedCases(cases, links);
}

/** For the Art. 15 export: whether coordination linked this case to another case of the same person (nothing more). */
export async function caseLinkState(db: Tx, caseId: string): Promise<{ linkedToAnotherCase: boolean }> {
  const n = await db.personMatch.count({ where: { status: 'linked', OR: [{ caseId }, { otherCaseId: caseId }] } });
  return { linkedToAnotherCase: n > 0 };
}
