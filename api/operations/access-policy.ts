// Who may see and do what with cases and handovers: the access rules of shared/domain.md ("Who works with the
// system") in ONE place, as pure functions over the caller and a row, so routes, pages and lists agree.
//
// How routes answer (api.md "Sessions and identity"):
//   - caseAccess(...) === 'none' → 404 not_found, exactly as for an unknown id: answering 403 would tell the caller
//     that a case with this id exists (and, through the id, that a person is in case management).
//   - 'state_only' (an ABH counsellor and a case they handed over) → only stateOnlyCaseView(row); asking for content
//     (history, actions) → 403 forbidden — the counsellor knows the case exists, so 403 leaks nothing.
//   - 'partner' (staff of an organisation named in a sharing consent in force, domain/consent-sharing.ts) → only the
//     partner projection partnerCaseView(...). It is opt-in per route (CaseAccessOptions.sharedWithOrganisation):
//     a route that does not ask for it (history, actions, export, access log) answers 404 as for anyone else, so
//     the partner learns nothing beyond what the consent covers.
//   requireCaseAccess() does exactly this. The workflow's own permission checks (domain/case-lifecycle.ts
//   permissionError) stay as a second line of defence; these rules are the same ones, applied before the engine is asked.
import { ACTION_ROLES, type ActorRole, type CaseAction, type HandoverState } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import type { Prisma } from '../../prisma/generated/client.js';
import { ApiError } from './errors.js';

/** The part of a signed-in user the rules look at (AuthenticatedUser of api/auth.ts fits). */
export interface AccessUser {
  id: string;
  role: ActorRole;
  organisationId: string;
}

/** The part of a case row the rules look at (the read model `Case` fits). */
export interface CaseRef {
  id: string;
  organisationId: string;
}

export type CaseAccess = 'full' | 'state_only' | 'partner' | 'none';

export interface CaseAccessOptions {
  /** A `Handover` row with this caseId has counsellorId = user.id (see handedOverCaseIds in routes). */
  handedOverBy?: boolean;
  /**
   * A sharing consent in force on this case names the user's organisation (see sharingConsentsFor). Only routes that
   * show the partner projection pass it; everywhere else a partner has no access at all.
   */
  sharedWithOrganisation?: boolean;
}

/** Roles whose staff work for an organisation and can therefore be the partner a client consented to share with. */
const PARTNER_ROLES: readonly ActorRole[] = ['case_manager', 'abh_counsellor'];

/**
 * - coordinator: every case, full (Fachaufsicht, Fallrekonstruktion).
 * - case_manager: cases held by their own organisation.
 * - abh_counsellor: cases held by the ABH itself (its own KIM CM) fully; cases they handed over: state only.
 * - admin: nothing — users, organisations and routing, but no case content.
 * - case_manager / abh_counsellor of a partner organisation named in a sharing consent in force (another provider,
 *   the Jobcenter/Integration Point, …): 'partner' where the route offers it. A counsellor's own handed-over case
 *   stays state_only (the existing rule wins; the two do not mix).
 */
export function caseAccess(user: AccessUser, caseRow: Pick<CaseRef, 'organisationId'>, options: CaseAccessOptions = {}): CaseAccess {
  const partner = options.sharedWithOrganisation === true && PARTNER_ROLES.includes(user.role) ? 'partner' : 'none';
  switch (user.role) {
    case 'coordinator':
      return 'full';
    case 'case_manager':
      return caseRow.organisationId === user.organisationId ? 'full' : partner;
    case 'abh_counsellor':
      if (caseRow.organisationId === user.organisationId) return 'full';
      return options.handedOverBy ? 'state_only' : partner;
    case 'admin':
      return 'none';
    default:
      // A role added later gets nothing until a rule is written for it.
      return 'none';
  }
}

/**
 * May the user run `action` (or, without one, any case action) on the case? Needs full access, and the action's roles
 * of the domain (approve-closure: coordinators only). Whether the case's state allows it is the workflow's business.
 */
export function canActOnCase(
  user: AccessUser,
  caseRow: Pick<CaseRef, 'organisationId'>,
  action?: CaseAction,
  options: CaseAccessOptions = {},
): boolean {
  if (caseAccess(user, caseRow, options) !== 'full') return false;
  return action === undefined || ACTION_ROLES[action].includes(user.role);
}

/** Opening a case (intake): the roles that work cases; not admins. */
export function canOpenCase(user: AccessUser): boolean {
  return user.role === 'case_manager' || user.role === 'abh_counsellor' || user.role === 'coordinator';
}

/** Assigning a case to another case manager or organisation across organisations; within their own organisation
 * case managers use the `assign`/`transfer` actions (canActOnCase). */
export function canReassignAnyCase(user: AccessUser): boolean {
  return user.role === 'coordinator';
}

export function canApproveClosure(user: AccessUser): boolean {
  return user.role === 'coordinator';
}

/** Full case histories of every case (Fallrekonstruktion), controlling and reports. */
export function canSeeReports(user: AccessUser): boolean {
  return user.role === 'coordinator';
}

/** Users and organisations: the administrative assistant / IT. */
/** Possible matches of one person across providers (issue 16): coordination sees every case, so it decides them. */
export const canDecidePersonMatches = (user: AccessUser): boolean => user.role === 'coordinator';

export function canManageUsers(user: AccessUser): boolean {
  return user.role === 'admin';
}

/** The staff account pages and routes: admins for everyone, coordinators for their staff (no admin accounts). */
export function canManageAccounts(user: AccessUser): boolean {
  return user.role === 'admin' || user.role === 'coordinator';
}

/** May the user change this account (role, organisation, active)? A coordinator never touches an admin account. */
export function canManageAccount(user: AccessUser, target: { role: string }): boolean {
  if (user.role === 'admin') return true;
  return user.role === 'coordinator' && target.role !== 'admin';
}

/** May the user give an account this role? Only admins make admins. */
export function canGrantRole(user: AccessUser, role: ActorRole): boolean {
  if (user.role === 'admin') return true;
  return user.role === 'coordinator' && role !== 'admin';
}

/** An account that counts for the last-admin guard. */
export function isActiveAdmin(account: { role: string; active: boolean }): boolean {
  return account.active && account.role === 'admin';
}

/** The role the last-admin guard protects. */
export const ADMIN_ROLE: ActorRole = 'admin';

/** KIM coordination and Verwaltung/IT: the administrative predicates below that both share. */
const isCoordinationOrIt = (user: AccessUser): boolean => user.role === 'admin' || user.role === 'coordinator';

/** Organisations (name, kind, contact address, active): coordinators and admins. */
export const canManageOrganisations = (user: AccessUser): boolean => isCoordinationOrIt(user);

/** The audit of administration (accounts, organisations, rules, settings): coordinators and admins. */
export const canReadAdminAudit = (user: AccessUser): boolean => isCoordinationOrIt(user);

/** Routing rules: admins maintain them, coordinators configure them (domain.md). */
export const canConfigureRouting = (user: AccessUser): boolean => isCoordinationOrIt(user);

/** The referral catalogue (issue 14): coordination and IT keep it; every staff member reads it (the refer form). */
export const canManageReferralCatalogue = (user: AccessUser): boolean => isCoordinationOrIt(user);

/** Deadlines and closure approval settings. */
export const canConfigureDeadlines = (user: AccessUser): boolean => user.role === 'coordinator';

/** Coordination's own pages and figures: dashboard, annual report, overdue deadlines of every provider. */
export const canSeeCoordination = (user: AccessUser): boolean => user.role === 'coordinator';

/** The local test inbox (/mail, only without SMTP_HOST): staff addresses, case ids, deadlines — coordination and IT. */
export const canReadLocalMailInbox = (user: AccessUser): boolean => isCoordinationOrIt(user);

/** Record writes the database refused (event numbers and database messages, no case content): IT and coordination. */
export const canReadRecordRejections = (user: AccessUser): boolean => isCoordinationOrIt(user);

/** Writing a refused record again, after the cause is repaired: IT's job. */
export const canRetryRecordWrites = (user: AccessUser): boolean => user.role === 'admin';

/** GET /metrics (counts for operations, no case content): coordination and IT. */
export const canReadMetrics = (user: AccessUser): boolean => isCoordinationOrIt(user);

/** Who read a case (the access log) and the case's Datenschutz page: KIM coordination (data-protection control). */
export const canReadAccessLog = (user: AccessUser): boolean => user.role === 'coordinator';

/** The Art. 15 GDPR export of a case is made by KIM coordination. */
export const canExportCaseData = (user: AccessUser): boolean => user.role === 'coordinator';

/** Decrypted engine histories (codec endpoint of the Temporal UI), the engine cross-check and the link to the UI. */
export const canReadEngineHistory = (user: AccessUser): boolean => user.role === 'coordinator';

/** Only ABH counsellors propose handovers (domain.md "ABH-to-CM handover"). */
export function canProposeHandover(user: AccessUser): boolean {
  return user.role === 'abh_counsellor';
}

/** The handover pages: the roles that take part in handovers (others would see an empty list). */
export function canSeeHandovers(user: AccessUser): boolean {
  return user.role === 'abh_counsellor' || user.role === 'case_manager' || user.role === 'coordinator';
}

/** Which side of handovers the user is on (headings and hints of the handover list). */
export function handoverSide(user: AccessUser): 'counsellor' | 'receiver' | 'oversight' {
  if (user.role === 'abh_counsellor') return 'counsellor';
  if (user.role === 'case_manager') return 'receiver';
  return 'oversight';
}

/** A staff account that can be made the assignee of a case held by `organisationId` (assign, transfer, intake). */
export function canBeCaseAssignee(candidate: { active: boolean; role: string; organisationId: string }, organisationId: string): boolean {
  return candidate.active && candidate.organisationId === organisationId && (candidate.role === 'case_manager' || candidate.role === 'abh_counsellor');
}

/** A staff account that can take over a handover for the receiving organisation: its active case managers. */
export function canTakeOverHandover(candidate: { active: boolean; role: string; organisationId: string }, receivingOrganisationId: string): boolean {
  return candidate.active && candidate.organisationId === receivingOrganisationId && candidate.role === 'case_manager';
}

/** Matches no row: `in: []` is a valid, always-false Prisma filter. */
const NOTHING = { id: { in: [] as string[] } };

/**
 * Prisma `where` for case lists. The counsellor's handed-over cases cannot be expressed as a relation filter
 * (Handover.caseId has no relation to Case), so the caller passes their ids — see handedOverCaseIds().
 * Cases that are only `state_only` for the caller must be listed through stateOnlyCaseView().
 */
export function caseListFilter(user: AccessUser, handedOverCaseIds: readonly string[] = []): Prisma.CaseWhereInput {
  switch (user.role) {
    case 'coordinator':
      return {};
    case 'case_manager':
      return { organisationId: user.organisationId };
    case 'abh_counsellor':
      return handedOverCaseIds.length > 0
        ? { OR: [{ organisationId: user.organisationId }, { id: { in: [...handedOverCaseIds] } }] }
        : { organisationId: user.organisationId };
    default:
      return NOTHING;
  }
}

// The two look-ups the rules need (the only I/O here): is the caller the counsellor who handed the case over?
// Only counsellors hand over, so for every other role the answer is known without asking the database.

/** For caseAccess(..., { handedOverBy }) on one case. */
export async function isHandedOverBy(db: Database, user: AccessUser, caseId: string): Promise<boolean> {
  if (user.role !== 'abh_counsellor') return false;
  return (await db.handover.count({ where: { caseId, counsellorId: user.id } })) > 0;
}

/** For caseListFilter(user, ids) and for marking list items state_only. */
export async function handedOverCaseIds(db: Database, user: AccessUser): Promise<string[]> {
  if (user.role !== 'abh_counsellor') return [];
  const rows = await db.handover.findMany({
    where: { counsellorId: user.id, caseId: { not: null } },
    select: { caseId: true },
    distinct: ['caseId'],
  });
  return rows.flatMap((r) => (r.caseId ? [r.caseId] : []));
}

/** Prisma `where` for the sharing consents in force that name `organisationId` (the rule of sharingConsentsInForce). */
export function sharingConsentFilter(organisationId: string): Prisma.ConsentWhereInput {
  return { scope: 'share_with_partner', decision: 'given', withdrawnAt: null, partnerOrganisationId: organisationId };
}

/**
 * The sharing consents in force on this case for the user's organisation, read from the Consent read model at request
 * time: the case workflow writes it in the same transaction as the consent event and before its update answers, so
 * a withdrawal is effective for the very next request. Empty for roles that cannot be partners.
 */
export async function sharingConsentsFor(db: Database, user: AccessUser, caseId: string) {
  if (!PARTNER_ROLES.includes(user.role)) return [];
  return db.consent.findMany({ where: { caseId, ...sharingConsentFilter(user.organisationId) }, orderBy: { recordedAt: 'asc' } });
}

/** Prisma `where` for the cases shared with the user's organisation that it does not hold itself. */
export function sharedCaseListFilter(user: AccessUser): Prisma.CaseWhereInput {
  if (!PARTNER_ROLES.includes(user.role)) return NOTHING;
  // An erased case (end of retention) has nothing left to share, whatever its consents say.
  return { organisationId: { not: user.organisationId }, erasedAt: null, consents: { some: sharingConsentFilter(user.organisationId) } };
}

/** A counsellor's handed-over case stays state only, plus the residence-law track where a sharing consent with the
 *  ABH covers it (issue 16: the ABH sees the track only with the client's consent). Nothing else of the consent mixes in. */
export const stateOnlyAddsSharedResidence = (user: AccessUser): boolean => user.role === 'abh_counsellor';

/** What a counsellor may see of a case they handed over: its state and where it is, no person, no content. */
export function stateOnlyCaseView(caseRow: {
  id: string;
  state: string;
  onHold: boolean;
  organisationId: string;
  openedAt: Date;
  closedAt: Date | null;
}) {
  return {
    id: caseRow.id,
    state: caseRow.state,
    onHold: caseRow.onHold,
    organisationId: caseRow.organisationId,
    openedAt: caseRow.openedAt.toISOString(),
    closedAt: caseRow.closedAt?.toISOString() ?? null,
    access: 'state_only' as const,
  };
}

/**
 * The route-side check: returns the access level or throws the contract's answer —
 * 404 not_found when the case is not visible at all (do not reveal existence), 403 forbidden when the caller sees
 * only the state but asks for more.
 */
export function requireCaseAccess(
  user: AccessUser,
  caseRow: Pick<CaseRef, 'organisationId'> | null | undefined,
  need: 'state' | 'full',
  options: CaseAccessOptions = {},
): Exclude<CaseAccess, 'none'> {
  const access = caseRow ? caseAccess(user, caseRow, options) : 'none';
  if (access === 'none') throw new ApiError(404, 'not_found', 'Fall nicht gefunden.');
  // A partner sees only the projection; everything else of the case does not exist for them.
  if (need === 'full' && access === 'partner') throw new ApiError(404, 'not_found', 'Fall nicht gefunden.');
  if (need === 'full' && access !== 'full') {
    throw new ApiError(403, 'forbidden', 'Sie sehen bei diesem Fall nur den Stand, nicht die Inhalte.');
  }
  return access;
}

// ---------------------------------------------------------------------------------------------------------------
// Handovers (ABH → KIM CM)

export interface HandoverRef {
  counsellorId: string;
  receivingOrganisationId: string | null;
  state: string;
}

export type HandoverAccess = 'full' | 'state_only' | 'none';

/** States in which the client has consented, so the receiving side may see the proposal and personal data. */
const CONSENTED_STATES: readonly HandoverState[] = ['consent_given', 'meeting_scheduled', 'handed_over'];

/**
 * - coordinator: every handover, full.
 * - abh_counsellor: the handovers they started (counsellorId = user.id), full.
 * - case_manager of the receiving organisation: the handover's state always; the proposal (residence-law facts,
 *   person) only after the client's consent. `visibleToReceiver` from the workflow wins when known (a handover
 *   cancelled after consent cannot be told apart from one cancelled before by its state alone — without it we
 *   assume "before", the cautious reading).
 * - everyone else, admins included: nothing (→ 404 like cases).
 */
export function handoverAccess(
  user: AccessUser,
  handover: HandoverRef,
  options: { visibleToReceiver?: boolean } = {},
): HandoverAccess {
  switch (user.role) {
    case 'coordinator':
      return 'full';
    case 'abh_counsellor':
      return handover.counsellorId === user.id ? 'full' : 'none';
    case 'case_manager': {
      if (!handover.receivingOrganisationId || handover.receivingOrganisationId !== user.organisationId) return 'none';
      const consented = options.visibleToReceiver ?? (CONSENTED_STATES as readonly string[]).includes(handover.state);
      return consented ? 'full' : 'state_only';
    }
    default:
      return 'none';
  }
}

/** Prisma `where` for handover lists (state_only rows must be projected by the route). */
export function handoverListFilter(user: AccessUser): Prisma.HandoverWhereInput {
  switch (user.role) {
    case 'coordinator':
      return {};
    case 'abh_counsellor':
      return { counsellorId: user.id };
    case 'case_manager':
      return { receivingOrganisationId: user.organisationId };
    default:
      return NOTHING;
  }
}

// Work queue ("Meine Aufgaben", api/operations/tasks.ts): coordination's or a personal one; admins none (no content).
export function workQueueOf(user: AccessUser): 'coordination' | 'personal' | null {
  if (user.role === 'coordinator') return 'coordination';
  return user.role === 'case_manager' || user.role === 'abh_counsellor' ? 'personal' : null;
}

/** The cases whose deadlines are the user's own work: assigned to them and held by their organisation (full access). */
export function personalCaseScope(user: AccessUser): { assigneeId: string; organisationId: string } | null {
  return workQueueOf(user) === 'personal' ? { assigneeId: user.id, organisationId: user.organisationId } : null;
}

/** Handovers waiting for the user (rows of handoverListFilter in states where they act): counsellor's own, receivers' after consent. */
export function handoverWorkScope(user: AccessUser): { counsellorId?: string; receivingOrganisationId?: string; states: HandoverState[] } | null {
  if (user.role === 'abh_counsellor') return { counsellorId: user.id, states: ['awaiting_consent', 'consent_given', 'meeting_scheduled'] };
  if (user.role === 'case_manager') return { receivingOrganisationId: user.organisationId, states: ['consent_given', 'meeting_scheduled'] };
  return null;
}

/** A person's own mail digest and calendar feed: everyone with a work queue, for themselves. */
export const canManageOwnNotificationSettings = (user: AccessUser): boolean => workQueueOf(user) !== null;
