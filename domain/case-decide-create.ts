// Creating a case: the first state of a case (intake, or straight from an accepted ABH handover) and its opening
// event and first deadlines. Part of the case decision functions, see domain/case-decide.ts.
import { CONTACT_KINDS, type CaseData, type CaseSource } from './case-model.js';
import { armDeadline, defaultCaseSettings, dueIn, type CaseSettings, type DeadlineOpsContext } from './deadlines.js';
import { eventCollector, type DomainEvent, type EmitFn } from './events.js';
import { KNOWN_RESIDENCE_PERMITS } from './handover-model.js';
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
  fromHandover?: {
    handoverId: string;
    consentRecordedAt: string;
    counsellorId: string;
    /** Rules 6 (set by handover workflows from then on): the case continues at assessment, the handover's consent
     *  covers data processing, the residence-law facts belong to the case. Absent: opened in intake as before. */
    continueAtAssessment?: { residenceLaw: { permits: string[]; notes: string } };
  };
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
  if (input.fromHandover?.continueAtAssessment) {
    continueHandoverAtAssessment(c, input, input.fromHandover.continueAtAssessment.residenceLaw, newId, emit);
    armDeadline(c.deadlines, { kind: 'assessment_completion', ...dueIn(input.openedAt, d.assessmentCompletionDays, d.escalationGraceDays) }, ops);
  } else {
    armDeadline(c.deadlines, { kind: 'first_assessment', ...dueIn(input.openedAt, d.firstAssessmentDays, d.escalationGraceDays) }, ops);
  }
  armNoContact(c, input.openedAt, settings, ops);
  return { next: c, events };
}

/**
 * domain.md: the receiving CM "continues it from assessment". The consent the client gave for the handover covers
 * processing their data in the receiving case management, so it is carried over as that; the residence-law facts
 * become part of the case.
 */
function continueHandoverAtAssessment(
  c: CaseData,
  input: CreateCaseInput,
  residenceLaw: { permits: string[]; notes: string },
  newId: (prefix: string) => string,
  emit: EmitFn,
): void {
  const h = input.fromHandover!;
  const consent = {
    id: newId('consent'),
    scope: 'data_processing' as const,
    decision: 'given' as const,
    partnerOrganisationId: c.organisationId,
    purpose: 'Aus der Übergabe übernommen: Datenverarbeitung im aufnehmenden KIM Case Management',
    recordedBy: h.counsellorId,
    recordedAt: h.consentRecordedAt,
  };
  c.consents.push(consent);
  emit('consent_recorded', 'Einwilligung erteilt: Datenverarbeitung (aus der Übergabe übernommen)', { ...consent });
  c.residenceLaw = { permits: [...residenceLaw.permits], notes: residenceLaw.notes, handoverId: h.handoverId, recordedAt: input.openedAt };
  const permits = residenceLaw.permits.map((p) => KNOWN_RESIDENCE_PERMITS[p] ?? p);
  emit('residence_law_recorded', `Aufenthaltsrechtliche Angaben aus der Übergabe: ${permits.length > 0 ? permits.join('; ') : 'keine Titel angegeben'}`, {
    handoverId: h.handoverId,
    permits: residenceLaw.permits,
    notes: residenceLaw.notes,
  });
  c.state = 'assessment';
  c.assessment = { startedAt: input.openedAt, startedBy: input.openedBy, lifeAreas: [] };
  emit('assessment_started', 'Assessment begonnen (Fortsetzung nach der Fallübernahme)', { fromState: 'intake', toState: 'assessment', handoverId: h.handoverId });
}
