// Creating a case: the first state of a case (intake, or straight from an accepted ABH handover) and its opening
// event and first deadlines. Part of the case decision functions, see domain/case-decide.ts.
import { CONTACT_KINDS, type CaseData, type CaseSource } from './case-model.js';
import { armDeadline, defaultCaseSettings, dueIn, type CaseSettings, type DeadlineOpsContext } from './deadlines.js';
import { eventCollector, type DomainEvent } from './events.js';
import { organisationShortName } from './organisations.js';
import { armNoContact } from './case-decide-context.js';

export interface CreateCaseInput {
  caseId: string;
  openedAt: string;
  /** Who opened it (actor id) — for the history. */
  openedBy: string;
  /** Owning organisation at creation (normally the proposed provider). */
  organisationId: string;
  proposedProvider: { organisationId: string; reason: string };
  municipality: string;
  source?: CaseSource;
  assigneeId?: string;
  /** Case created by an accepted ABH handover: provider already agreed, handover consent carried over. */
  fromHandover?: { handoverId: string; consentRecordedAt: string; counsellorId: string };
  /** Id source for the initial deadlines; defaults to ids derived from caseId (creation happens once per case). */
  newId?: (prefix: string) => string;
}

export function createCase(
  input: CreateCaseInput,
  settings: CaseSettings = defaultCaseSettings,
): { next: CaseData; events: DomainEvent[] } {
  let seq = 0;
  const newId = input.newId ?? ((prefix: string) => `${input.caseId}-${prefix}-${++seq}`);
  const { events, emit } = eventCollector(input.openedAt, input.openedBy);
  const c: CaseData = {
    schemaVersion: 1,
    id: input.caseId,
    state: 'intake',
    onHold: false,
    organisationId: input.organisationId,
    municipality: input.municipality,
    proposedProvider: { ...input.proposedProvider },
    providerConfirmed: false,
    consents: [],
    goals: [],
    referrals: [],
    contacts: { count: 0, byKind: Object.fromEntries(CONTACT_KINDS.map((k) => [k, 0])) as CaseData['contacts']['byKind'], items: [] },
    reviews: [],
    reopenings: [],
    openedAt: input.openedAt,
    deadlines: [],
    ...(input.source ? { source: input.source } : {}),
    ...(input.assigneeId ? { assigneeId: input.assigneeId } : {}),
  };
  emit('case_opened', `Fall eröffnet (${input.municipality}), Trägervorschlag: ${organisationShortName(input.proposedProvider.organisationId)}`, {
    caseId: c.id,
    organisationId: c.organisationId,
    municipality: c.municipality,
    source: c.source,
    proposedProvider: c.proposedProvider,
    assigneeId: c.assigneeId,
  });
  if (input.fromHandover) {
    const h = input.fromHandover;
    c.handoverId = h.handoverId;
    c.providerConfirmed = true;
    c.providerConfirmation = { organisationId: c.organisationId, at: input.openedAt, by: input.openedBy };
    c.consents.push({
      id: newId('consent'),
      scope: 'handover',
      decision: 'given',
      partnerOrganisationId: c.organisationId,
      purpose: 'Übergabe aus der Ausländerbehörde in das KIM Case Management',
      recordedBy: h.counsellorId,
      recordedAt: h.consentRecordedAt,
    });
  }
  const d = settings.deadlines;
  const ops: DeadlineOpsContext = { now: input.openedAt, newId, emit };
  armDeadline(c.deadlines, { kind: 'first_assessment', ...dueIn(input.openedAt, d.firstAssessmentDays, d.escalationGraceDays) }, ops);
  armNoContact(c, input.openedAt, settings, ops);
  return { next: c, events };
}
