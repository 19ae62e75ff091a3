// One ABH-to-CM handover from the counsellor's proposal to its end (handed over, refused, lapsed or cancelled).
// Decisions are made by domain/handover.ts; this workflow applies them, keeps the consent and meeting timers,
// writes the durable record and, on acceptance, lets the case continue in the receiving organisation:
// - person without a case: Person/Case rows are written by an idempotent activity and a case workflow is started
//   as a child (ABANDON: the case outlives the handover), opened `fromHandover` (provider agreed, consent carried);
// - existing case: the handover consent is recorded on it and it is transferred to the receiving organisation, both
//   as case actions (Temporal updates with fixed ids) sent in the counsellor's name by an activity.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { ErasureActivities } from '../activities/erasure.js';
import type { HandoverActivities } from '../activities/handover-records.js';
import type { NotificationActivities } from '../activities/notifications.js';
import {
  addYears,
  allowedHandoverActions,
  consentDueAt,
  createHandover,
  decideHandover,
  handoverTimers,
  onHandoverDeadlineFired,
  organisationShortName,
  TERMINAL_HANDOVER_STATES,
  toMs,
  type Actor,
  type DomainEvent,
  type HandoverData,
  type HandoverDecideError,
  type HandoverNotification,
} from '../domain/index.js';
import { caseWorkflow } from './case-workflow.js';
import type { OpenCaseInput } from './case-state.js';
import { caseWorkflowId } from './definitions.js';
import { handoverActionUpdate, handoverViewQuery } from './handover-definitions.js';
import type {
  HandoverActionRequest,
  HandoverEventRecord,
  HandoverReadModel,
  HandoverWorkflowInput,
  HandoverWorkflowResult,
} from './handover-state.js';
import { caseMunicipalityKey, caseOrganisationKey, caseStateKey } from './search-attributes.js';

const { recordHandoverEvents, openCaseFromHandover } = proxyActivities<HandoverActivities>({
  startToCloseTimeout: '10 seconds',
  // The record must be written: retry until the database is back.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});
const { transferCaseForHandover } = proxyActivities<HandoverActivities>({
  // Two updates on the case workflow; a refusal by the case is non-retryable, anything else is retried.
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

const { scheduleHandoverRetention } = proxyActivities<ErasureActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

const { deliverNotification } = proxyActivities<NotificationActivities>({
  // One SMTP conversation; the mailer's own timeouts (at most 30 s) end a hanging one first.
  startToCloseTimeout: '1 minute',
  // An SMTP outage delays mail and loses none: retry without limit, backing off to one attempt per 10 minutes.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** How many request ids a handover remembers across continue-as-new to refuse replays of old requests. */
const REMEMBERED_REQUESTS = 200;

function refusal(error: HandoverDecideError): ApplicationFailure {
  return ApplicationFailure.create({ type: error.code, message: error.message, details: [error], nonRetryable: true });
}

const BUSY: HandoverDecideError = {
  code: 'transition_not_allowed',
  message: 'Die Fallübernahme wird gerade ausgeführt – bitte gleich noch einmal versuchen.',
  allowed: [],
};

const nowIso = () => new Date(Date.now()).toISOString();

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
  const settings = input.continued?.settings ?? input.settings;
  let data: HandoverData;
  let counsellor: Actor;
  let seq = input.continued?.seq ?? 0;
  const recentRequestIds: string[] = [...(input.continued?.recentRequestIds ?? [])];
  let version = 0;
  /** Set while `accept` opens or transfers the case: every other action waits until the takeover is through. */
  let takingOver = false;
  const initialEvents: DomainEvent[] = [];

  if (input.continued) {
    data = input.continued.data;
    counsellor = input.continued.counsellor;
  } else if (input.open) {
    const created = createHandover({ ...input.open, newId: (prefix) => `${prefix}-${uuid4()}` }, settings.deadlines);
    data = created.next;
    counsellor = input.open.requestedBy;
    initialEvents.push(...created.events);
  } else {
    throw ApplicationFailure.nonRetryable('handoverWorkflow needs either open or continued input');
  }

  const number = (events: DomainEvent[]): HandoverEventRecord[] => events.map((e) => ({ ...e, seq: ++seq }));

  /** Writes numbered events, the read model and the outbox in one activity; returns the outbox ids. */
  async function write(
    numbered: HandoverEventRecord[],
    readModel: HandoverReadModel,
    notifications: HandoverNotification[] = [],
  ): Promise<string[]> {
    if (numbered.length === 0) return [];
    const lastSeq = numbered[numbered.length - 1]!.seq;
    const outbox = notifications.map((n, i) => ({ ...n, id: `handover:${data.id}:${lastSeq}:${i}` }));
    await recordHandoverEvents({ handoverId: data.id, events: numbered, readModel, notifications: outbox });
    return outbox.map((n) => n.id);
  }

  async function persist(events: DomainEvent[], notifications: HandoverNotification[] = []): Promise<string[]> {
    return write(number(events), readModelOf(data), notifications);
  }

  /** Mails go out in the background (an SMTP outage must not hold up the handover); awaited before it ends. */
  let deliveriesInFlight = 0;
  const deliver = (ids: string[]) => {
    for (const id of ids) {
      deliveriesInFlight++;
      void deliverNotification({ id })
        .catch((error) => log.warn('Benachrichtigung nicht zugestellt', { notificationId: id, error: String(error) }))
        .finally(() => deliveriesInFlight--);
    }
  };
  const settled = () => allHandlersFinished() && deliveriesInFlight === 0;

  // Numbered before any handler is registered: an update that arrived with the start runs as soon as its handler
  // is set, and its events must come after the proposal's.
  const initialRecords = number(initialEvents);
  const initialReadModel = readModelOf(data);

  // `caseId` is the case that continues: for a person without a case it is decided just before the decision, so the
  // acceptance event names it.
  const decideNow = (req: HandoverActionRequest, newId: (prefix: string) => string, caseId?: string) =>
    decideHandover(
      caseId && !data.caseId ? { ...data, caseId } : data,
      { action: req.action, payload: req.payload },
      { now: nowIso(), actor: req.actor, newId, settings: settings.deadlines },
    );

  /** Lets the case continue in the receiving organisation; returns its id. Refusals of an existing case propagate. */
  async function takeOver(req: HandoverActionRequest, assigneeId: string | undefined): Promise<string> {
    const consentRecordedAt = data.consent?.recordedAt ?? nowIso();
    if (data.caseId) {
      await transferCaseForHandover({
        caseId: data.caseId,
        handoverId: data.id,
        counsellor,
        receivingOrganisationId: data.receivingOrganisationId,
        ...(assigneeId ? { assigneeId } : {}),
        consentRecordedAt,
      });
      return data.caseId;
    }
    const person = data.person;
    if (!person) throw ApplicationFailure.nonRetryable('Übergabe ohne Fall und ohne Personendaten');
    // Drawn once and recorded in history: a replay or retried activity opens the same case.
    const caseId = uuid4();
    const openedAt = nowIso();
    const organisationId = data.receivingOrganisationId;
    const reason = `Übergabe aus der ABH – Fallübernahme durch ${organisationShortName(organisationId)}`;
    await openCaseFromHandover({
      caseId,
      handoverId: data.id,
      person,
      organisationId,
      proposalReason: reason,
      ...(assigneeId ? { assigneeId } : {}),
      openedAt,
    });
    const open: OpenCaseInput = {
      caseId,
      openedAt,
      openedBy: req.actor.id,
      organisationId,
      proposedProvider: { organisationId, reason },
      municipality: person.municipality,
      source: 'abh',
      ...(assigneeId ? { assigneeId } : {}),
      fromHandover: { handoverId: data.id, consentRecordedAt, counsellorId: data.requestedBy },
    };
    await startChild(caseWorkflow, {
      workflowId: caseWorkflowId(caseId),
      args: [{ open, settings }],
      // The case lives on (years, until its retention ends) after the handover workflow has finished.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: caseStateKey, value: 'intake' },
        { key: caseOrganisationKey, value: organisationId },
        { key: caseMunicipalityKey, value: person.municipality },
      ],
    });
    return caseId;
  }

  /** A refusal of the existing case (its workflow's own rules) becomes a refusal of `accept`. */
  function takeoverRefusal(error: unknown, actor: Actor): ApplicationFailure | null {
    if (!(error instanceof ActivityFailure) || !(error.cause instanceof ApplicationFailure)) return null;
    const cause = error.cause;
    const message = `Übernahme nicht möglich – der bestehende Fall lehnt ab: ${cause.message}`;
    if (cause.type === 'forbidden') return refusal({ code: 'forbidden', message });
    if (cause.type === 'validation_failed') {
      const fields = (cause.details?.[0] as { fields?: Record<string, string> } | undefined)?.fields ?? {};
      return refusal({ code: 'validation_failed', message, fields });
    }
    return refusal({ code: 'transition_not_allowed', message, allowed: allowedHandoverActions(data, actor) });
  }

  const remember = (requestId: string | undefined) => {
    if (!requestId) return;
    recentRequestIds.push(requestId);
    if (recentRequestIds.length > REMEMBERED_REQUESTS) recentRequestIds.shift();
  };

  setHandler(handoverViewQuery, () => data);
  setHandler(
    handoverActionUpdate,
    async (req) => {
      // A request id seen in an earlier run (before continue-as-new): already applied, change nothing.
      if (req.requestId && recentRequestIds.includes(req.requestId)) return data;
      if (takingOver) throw refusal(BUSY);
      let caseId: string | undefined;
      if (req.action === 'accept') {
        // Check first (the state may have moved since the validator ran), then open/transfer the case, then decide
        // for real: the handover is only handed over once the case is in the receiving organisation.
        const check = decideNow(req, (prefix) => `${prefix}-check`);
        if (!check.ok) throw refusal(check.error);
        takingOver = true;
        try {
          caseId = await takeOver(req, check.next.acceptance?.assigneeId);
        } catch (error) {
          throw takeoverRefusal(error, req.actor) ?? error;
        } finally {
          takingOver = false;
        }
      }
      const result = decideNow(req, (prefix) => `${prefix}-${uuid4()}`, caseId);
      // The validator accepted it, but another update may have changed the handover in between.
      if (!result.ok) throw refusal(result.error);
      data = result.next;
      version++;
      remember(req.requestId);
      await persist(result.events);
      return data;
    },
    {
      // Runs before the update is written to history; must not change state or draw random ids.
      validator: (req) => {
        if (req.requestId && recentRequestIds.includes(req.requestId)) return;
        if (takingOver) throw refusal(BUSY);
        const result = decideNow(req, (prefix) => `${prefix}-validation`);
        if (!result.ok) throw refusal(result.error);
      },
    },
  );

  await write(initialRecords, initialReadModel);

  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested ||
    (input.continueAsNewAfterEvents !== undefined && workflowInfo().historyLength >= input.continueAsNewAfterEvents);

  for (;;) {
    if (TERMINAL_HANDOVER_STATES.includes(data.state)) {
      // Nothing is left to wait for but handlers and mails; the record and the case (if any) carry on without it.
      await condition(settled);
      // Version 3: without a case, nothing else will ever erase the person's data of the proposal: a retention
      // workflow of its own does, after the retention period (a case's erasure covers its handovers).
      if (!data.caseId && patched('erase-ended-handover')) {
        await scheduleHandoverRetention({ handoverId: data.id, eraseAt: addYears(closedAt(data) ?? nowIso(), settings.deadlines.retentionYears) });
      }
      return { handoverId: data.id, state: data.state, ...(data.caseId ? { caseId: data.caseId } : {}) };
    }

    const timer = handoverTimers(data)[0];
    const seen = version;
    const woken = () => version !== seen || shouldContinueAsNew();
    const timedOut = timer
      ? !(await condition(woken, Math.max(1, toMs(timer.at) - Date.now())))
      : (await condition(woken), false);

    if (timedOut && timer) {
      const fired = onHandoverDeadlineFired(data, timer.deadlineId, timer.phase, nowIso());
      data = fired.next;
      version++;
      const outboxIds = await persist(fired.events, fired.notifications);
      // Version 2: the outbox entries are mailed. Handovers recorded before it replay without this step.
      if (outboxIds.length > 0 && patched('send-notifications')) deliver(outboxIds);
    }

    if (shouldContinueAsNew()) {
      // Let in-flight updates (a takeover among them) finish and write their record, and mails go out, before handing
      // over the state.
      await condition(settled);
      if (TERMINAL_HANDOVER_STATES.includes(data.state)) continue; // ended meanwhile: no next run needed
      return continueAsNew<typeof handoverWorkflow>({
        settings,
        continueAsNewAfterEvents: input.continueAsNewAfterEvents,
        continued: { data, seq, settings, recentRequestIds, counsellor },
      });
    }
  }
}
