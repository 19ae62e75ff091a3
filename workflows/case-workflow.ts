import { condition, proxyActivities, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';
import type { CaseDeadlineView, CaseEventRecord, CaseReadModel, CaseView, CaseWorkflowInput } from './case-state.js';
import { caseViewQuery } from './definitions.js';
import { caseMunicipalityKey, caseNextDeadlineKey, caseOrganisationKey, caseStateKey } from './search-attributes.js';

const { recordCaseEvents } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const DAY_MS = 24 * 60 * 60 * 1000;
const FIRST_ASSESSMENT_DAYS = 14;
const ESCALATION_GRACE_DAYS = 7;

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * DAY_MS).toISOString();
}

/** One KIM case from intake on. Owns the case's state and deadlines for as long as the case lives. */
export async function caseWorkflow(input: CaseWorkflowInput): Promise<void> {
  const view: CaseView = {
    caseId: input.caseId,
    state: 'intake',
    onHold: false,
    organisationId: input.organisationId,
    assigneeId: null,
    proposedProvider: input.proposedProvider,
    deadlines: [],
    openedAt: input.openedAt,
    closedAt: null,
  };
  let seq = 0;
  setHandler(caseViewQuery, () => view);

  const pending: CaseEventRecord[] = [];
  const emit = (type: string, summary: string, data: Record<string, unknown> = {}) => {
    pending.push({ seq: ++seq, type, at: new Date(Date.now()).toISOString(), summary, data });
  };
  const flush = async () => {
    const events = pending.splice(0);
    const open = view.deadlines.filter((d) => d.status === 'open' || d.status === 'reminded');
    open.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    const next = open[0];
    const readModel: CaseReadModel = {
      state: view.state,
      onHold: view.onHold,
      organisationId: view.organisationId,
      assigneeId: view.assigneeId,
      closedAt: view.closedAt,
      nextDeadline: next ? { kind: next.kind, dueAt: next.dueAt } : null,
    };
    upsertSearchAttributes([
      { key: caseStateKey, value: view.state },
      { key: caseOrganisationKey, value: view.organisationId },
      { key: caseMunicipalityKey, value: input.municipality },
      { key: caseNextDeadlineKey, value: next ? new Date(next.dueAt) : null },
    ]);
    await recordCaseEvents({ caseId: input.caseId, events, readModel });
  };

  const firstStep: CaseDeadlineView = {
    id: 'first_assessment_step',
    kind: 'first_assessment_step',
    dueAt: addDays(input.openedAt, FIRST_ASSESSMENT_DAYS),
    escalateAt: addDays(input.openedAt, FIRST_ASSESSMENT_DAYS + ESCALATION_GRACE_DAYS),
    status: 'open',
  };
  view.deadlines.push(firstStep);
  emit('case_opened', 'Fall im Zugang (Erstberatung) eröffnet', {
    organisationId: input.organisationId,
    municipality: input.municipality,
    proposedProvider: input.proposedProvider,
  });
  emit('deadline_set', `Wiedervorlage „erster Assessment-Schritt“ zum ${firstStep.dueAt.slice(0, 10)}`, {
    deadlineId: firstStep.id,
    dueAt: firstStep.dueAt,
  });
  await flush();

  await sleep(Date.parse(firstStep.dueAt) - Date.now());
  firstStep.status = 'reminded';
  emit('deadline_reminder_due', 'Wiedervorlage fällig: Erinnerung an die Fallverantwortung', { deadlineId: firstStep.id });
  await flush();

  await sleep(Date.parse(firstStep.escalateAt ?? firstStep.dueAt) - Date.now());
  firstStep.status = 'escalated';
  emit('deadline_escalated', 'Wiedervorlage überschritten: Eskalation an die Koordination', { deadlineId: firstStep.id });
  await flush();

  await condition(() => view.closedAt !== null);
}
