// One ABH-to-CM handover from the counsellor's proposal to its end (handed over, refused, lapsed or cancelled).
// Decisions are made by domain/handover.ts; this workflow applies them, keeps the consent and meeting timers,
// writes the durable record and, on acceptance, lets the case continue in the receiving organisation:
// - person without a case: Person/Case rows are written by an idempotent activity and a case workflow is started
//   as a child (ABANDON: the case outlives the handover), opened `fromHandover` (provider agreed, consent carried);
// - existing case: the handover consent is recorded on it and it is transferred to the receiving organisation, both
//   as case actions (Temporal updates with fixed ids) sent in the counsellor's name by an activity.
// Its skeleton (idempotent action updates, background mail, settle-before-continue-as-new) is workflow-skeleton.ts.
//
// Replay: the order of commands is part of every running handover's history. Helpers below are synchronous or keep
// the `await`s exactly where the workflow had them; keep it so (an extra async layer can reorder commands in a task).
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  uuid4,
} from '@temporalio/workflow';
import type { ErasureActivities } from '../activities/erasure.js';
import type { HandoverActivities } from '../activities/handover-records.js';
// Domain modules one by one, never domain/index.js: that would bring zod into the bundle (see domain/index.ts).
import type { Actor } from '../domain/case-model.js';
import { addYears } from '../domain/dates.js';
import type { CaseSettings } from '../domain/deadlines.js';
import type { DomainEvent } from '../domain/events.js';
import {
  allowedHandoverActions,
  consentDueAt,
  createHandover,
  decideHandover,
  handoverTimers,
  onHandoverDeadlineFired,
  TERMINAL_HANDOVER_STATES,
  type HandoverData,
  type HandoverDecideError,
  type HandoverNotification,
} from '../domain/handover.js';
import { organisationShortName } from '../domain/organisations.js';
import { caseWorkflowId, type OpenCaseInput } from './case-messages.js';
import { caseWorkflow } from './case-workflow.js';
import {
  handoverActionUpdate,
  handoverViewQuery,
  type HandoverActionRequest,
  type HandoverEventRecord,
  type HandoverReadModel,
  type HandoverWorkflowInput,
  type HandoverWorkflowResult,
} from './handover-messages.js';
import { caseMunicipalityKey, caseOrganisationKey, caseStateKey } from './search-attributes.js';
import { nowIso, outboxEntries, RECORD_ACTIVITY, refusal, setActionUpdate, WorkflowSkeleton } from './workflow-skeleton.js';

const { recordHandoverEvents, openCaseFromHandover } = proxyActivities<HandoverActivities>(RECORD_ACTIVITY);
const { transferCaseForHandover } = proxyActivities<HandoverActivities>({
  // Two updates on the case workflow; a refusal by the case is non-retryable, anything else is retried.
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

const { scheduleHandoverRetention } = proxyActivities<ErasureActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/** One run of a handover workflow: the handover, the counsellor it acts for, and the shared skeleton. */
interface HandoverRun {
  data: HandoverData;
  /** The ABH counsellor who proposed it: an existing case is transferred in their name. */
  readonly counsellor: Actor;
  readonly settings: CaseSettings;
  /** Set while `accept` opens or transfers the case: every other action waits until the takeover is through. */
  takingOver: boolean;
  readonly skeleton: WorkflowSkeleton;
}

const BUSY: HandoverDecideError = {
  code: 'transition_not_allowed',
  message: 'Die Fallübernahme wird gerade ausgeführt – bitte gleich noch einmal versuchen.',
  allowed: [],
};

function closedAt(h: HandoverData): string | null {
  switch (h.state) {
    case 'handed_over':
      return h.acceptance?.at ?? null;
    case 'refused':
      return h.consent?.recordedAt ?? null;
    case 'lapsed':
      return h.lapsedAt ?? null;
    case 'cancelled':
      return h.cancellation?.at ?? null;
    default:
      return null;
  }
}

function readModelOf(h: HandoverData): HandoverReadModel {
  return {
    state: h.state,
    caseId: h.caseId ?? null,
    receivingOrganisationId: h.receivingOrganisationId,
    consentDueAt: consentDueAt(h) ?? null,
    meetingAt: h.meeting?.at ?? null,
    closedAt: closedAt(h),
  };
}

export async function handoverWorkflow(input: HandoverWorkflowInput): Promise<HandoverWorkflowResult> {
  const { run, initialEvents } = startRun(input);
  // Numbered before any handler is registered: an update that arrived with the start runs as soon as its handler
  // is set, and its events must come after the proposal's.
  const initialRecords = run.skeleton.number(initialEvents);
  const initialReadModel = readModelOf(run.data);
  setHandoverHandlers(run);
  await write(run, initialRecords, initialReadModel);
  return keepDeadlines(run, input);
}

/** The handover of this run: carried over from the previous run, or proposed now (its events not yet numbered). */
function startRun(input: HandoverWorkflowInput): { run: HandoverRun; initialEvents: DomainEvent[] } {
  const settings = input.continued?.settings ?? input.settings;
  const skeleton = new WorkflowSkeleton(input.continueAsNewAfterEvents, input.continued);
  if (input.continued) {
    const { data, counsellor } = input.continued;
    return { run: { data, counsellor, settings, takingOver: false, skeleton }, initialEvents: [] };
  }
  if (input.open) {
    const created = createHandover({ ...input.open, newId: (prefix) => `${prefix}-${uuid4()}` }, settings.deadlines);
    const run = { data: created.next, counsellor: input.open.requestedBy, settings, takingOver: false, skeleton };
    return { run, initialEvents: [...created.events] };
  }
  throw ApplicationFailure.nonRetryable('handoverWorkflow needs either open or continued input');
}

/** Writes numbered events, the read model and the outbox in one activity; returns the outbox ids. */
async function write(
  run: HandoverRun,
  numbered: HandoverEventRecord[],
  readModel: HandoverReadModel,
  notifications: HandoverNotification[] = [],
): Promise<string[]> {
  if (numbered.length === 0) return [];
  const handoverId = run.data.id;
  const outbox = outboxEntries(`handover:${handoverId}:`, numbered, notifications);
  await recordHandoverEvents({ handoverId, events: numbered, readModel, notifications: outbox });
  return outbox.map((n) => n.id);
}

/** Numbers and writes events with the current read model. Async on purpose: its promise settles as it always did. */
async function persist(run: HandoverRun, events: DomainEvent[], notifications: HandoverNotification[] = []): Promise<string[]> {
  return write(run, run.skeleton.number(events), readModelOf(run.data), notifications);
}

// `caseId` is the case that continues: for a person without a case it is decided just before the decision, so the
// acceptance event names it.
const decideNow = (run: HandoverRun, req: HandoverActionRequest, newId: (prefix: string) => string, caseId?: string) =>
  decideHandover(
    caseId && !run.data.caseId ? { ...run.data, caseId } : run.data,
    { action: req.action, payload: req.payload },
    { now: nowIso(), actor: req.actor, newId, settings: run.settings.deadlines },
  );

function setHandoverHandlers(run: HandoverRun): void {
  setHandler(handoverViewQuery, () => run.data);
  setActionUpdate(run.skeleton, handoverActionUpdate, {
    current: () => run.data,
    apply: (req) => applyAction(run, req),
    // Runs before the update is written to history; must not change state or draw random ids.
    validate: (req) => {
      if (run.takingOver) throw refusal(BUSY);
      const result = decideNow(run, req, (prefix) => `${prefix}-validation`);
      if (!result.ok) throw refusal(result.error);
    },
  });
}

async function applyAction(run: HandoverRun, req: HandoverActionRequest): Promise<HandoverData> {
  if (run.takingOver) throw refusal(BUSY);
  let caseId: string | undefined;
  if (req.action === 'accept') {
    // Check first (the state may have moved since the validator ran), then open/transfer the case, then decide
    // for real: the handover is only handed over once the case is in the receiving organisation.
    const check = decideNow(run, req, (prefix) => `${prefix}-check`);
    if (!check.ok) throw refusal(check.error);
    run.takingOver = true;
    try {
      caseId = await takeOver(run, req, check.next.acceptance?.assigneeId);
    } catch (error) {
      throw takeoverRefusal(run, error, req.actor) ?? error;
    } finally {
      run.takingOver = false;
    }
  }
  const result = decideNow(run, req, (prefix) => `${prefix}-${uuid4()}`, caseId);
  // The validator accepted it, but another update may have changed the handover in between.
  if (!result.ok) throw refusal(result.error);
  run.data = result.next;
  run.skeleton.changed();
  run.skeleton.remember(req.requestId);
  await persist(run, result.events);
  return run.data;
}

/** Lets the case continue in the receiving organisation; returns its id. Refusals of an existing case propagate. */
async function takeOver(run: HandoverRun, req: HandoverActionRequest, assigneeId: string | undefined): Promise<string> {
  const consentRecordedAt = run.data.consent?.recordedAt ?? nowIso();
  if (run.data.caseId) {
    // Version 5: an existing case continues like a new one (residence-law facts, assessment). Takeovers recorded
    // before transferred it only (patched() false on replay).
    const continues = patched('handover-existing-case-continues');
    await transferCaseForHandover({
      caseId: run.data.caseId,
      handoverId: run.data.id,
      counsellor: run.counsellor,
      receivingOrganisationId: run.data.receivingOrganisationId,
      ...(assigneeId ? { assigneeId } : {}),
      consentRecordedAt,
      ...(continues ? { residenceLaw: { permits: [...run.data.residenceLaw.permits], notes: run.data.residenceLaw.notes } } : {}),
    });
    return run.data.caseId;
  }
  const person = run.data.person;
  if (!person) throw ApplicationFailure.nonRetryable('Übergabe ohne Fall und ohne Personendaten');
  // Drawn once and recorded in history: a replay or retried activity opens the same case.
  const caseId = uuid4();
  const openedAt = nowIso();
  const organisationId = run.data.receivingOrganisationId;
  const reason = `Übergabe aus der ABH – Fallübernahme durch ${organisationShortName(organisationId)}`;
  await openCaseFromHandover({
    caseId,
    handoverId: run.data.id,
    person,
    organisationId,
    proposalReason: reason,
    ...(assigneeId ? { assigneeId } : {}),
    openedAt,
  });
  // Version 4: the case continues at assessment with the consent and the residence-law facts (domain.md). Handovers
  // recorded before open it in intake as then (patched() false on replay).
  const continues = patched('handover-continues-at-assessment');
  const residenceLaw = { permits: [...run.data.residenceLaw.permits], notes: run.data.residenceLaw.notes };
  const open: OpenCaseInput = {
    caseId,
    openedAt,
    openedBy: req.actor.id,
    organisationId,
    proposedProvider: { organisationId, reason },
    municipality: person.municipality,
    source: 'abh',
    ...(assigneeId ? { assigneeId } : {}),
    fromHandover: {
      handoverId: run.data.id,
      consentRecordedAt,
      counsellorId: run.data.requestedBy,
      ...(continues ? { continueAtAssessment: { residenceLaw } } : {}),
    },
  };
  await startChild(caseWorkflow, {
    workflowId: caseWorkflowId(caseId),
    args: [{ open, settings: run.settings }],
    // The case lives on (years, until its retention ends) after the handover workflow has finished.
    parentClosePolicy: ParentClosePolicy.ABANDON,
    typedSearchAttributes: [
      { key: caseStateKey, value: continues ? 'assessment' : 'intake' },
      { key: caseOrganisationKey, value: organisationId },
      { key: caseMunicipalityKey, value: person.municipality },
    ],
  });
  return caseId;
}

/** A refusal of the existing case (its workflow's own rules) becomes a refusal of `accept`. */
function takeoverRefusal(run: HandoverRun, error: unknown, actor: Actor): ApplicationFailure | null {
  if (!(error instanceof ActivityFailure) || !(error.cause instanceof ApplicationFailure)) return null;
  const cause = error.cause;
  const message = `Übernahme nicht möglich – der bestehende Fall lehnt ab: ${cause.message}`;
  if (cause.type === 'forbidden') return refusal<HandoverDecideError>({ code: 'forbidden', message });
  if (cause.type === 'validation_failed') {
    const fields = (cause.details?.[0] as { fields?: Record<string, string> } | undefined)?.fields ?? {};
    return refusal<HandoverDecideError>({ code: 'validation_failed', message, fields });
  }
  return refusal<HandoverDecideError>({ code: 'transition_not_allowed', message, allowed: allowedHandoverActions(run.data, actor) });
}

/** The main loop: waits for the next deadline (or a change), applies it, ends the handover or hands over to a next run. */
async function keepDeadlines(run: HandoverRun, input: HandoverWorkflowInput): Promise<HandoverWorkflowResult> {
  const skeleton = run.skeleton;
  for (;;) {
    if (TERMINAL_HANDOVER_STATES.includes(run.data.state)) return endHandover(run);

    const timer = handoverTimers(run.data)[0];
    const timedOut = (await skeleton.changeOrTimer(timer?.at)) === false;

    if (timedOut && timer) {
      const fired = onHandoverDeadlineFired(run.data, timer.deadlineId, timer.phase, nowIso());
      run.data = fired.next;
      skeleton.changed();
      const outboxIds = await persist(run, fired.events, fired.notifications);
      // Version 2: the outbox entries are mailed. Handovers recorded before it replay without this step.
      if (outboxIds.length > 0 && patched('send-notifications')) skeleton.deliver(outboxIds);
    }

    if (skeleton.shouldContinueAsNew()) {
      // Let in-flight updates (a takeover among them) finish and write their record, and mails go out, before handing
      // over the state.
      await condition(skeleton.settled);
      if (TERMINAL_HANDOVER_STATES.includes(run.data.state)) continue; // ended meanwhile: no next run needed
      return continueAsNew<typeof handoverWorkflow>({
        settings: run.settings,
        continueAsNewAfterEvents: input.continueAsNewAfterEvents,
        continued: {
          data: run.data,
          seq: skeleton.seq,
          settings: run.settings,
          recentRequestIds: skeleton.recentRequestIds,
          counsellor: run.counsellor,
        },
      });
    }
  }
}

/** The handover has ended: once handlers and mails are through, the workflow ends; the record and the case carry on. */
async function endHandover(run: HandoverRun): Promise<HandoverWorkflowResult> {
  await condition(run.skeleton.settled);
  // Version 3: without a case, nothing else will ever erase the person's data of the proposal: a retention
  // workflow of its own does, after the retention period (a case's erasure covers its handovers).
  if (!run.data.caseId && patched('erase-ended-handover')) {
    const eraseAt = addYears(closedAt(run.data) ?? nowIso(), run.settings.deadlines.retentionYears);
    await scheduleHandoverRetention({ handoverId: run.data.id, eraseAt });
  }
  const { id: handoverId, state, caseId } = run.data;
  return { handoverId, state, ...(caseId ? { caseId } : {}) };
}
