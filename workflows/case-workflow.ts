// One KIM case from intake to the end of its retention period. Decisions are made by the pure functions of
// domain/; this workflow only applies them, keeps the deadline timers and writes the durable record.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';
import type { NotificationActivities } from '../activities/notifications.js';
import {
  caseTimers,
  createCase,
  decide,
  nextDeadline,
  onDeadlineFired,
  RETIRED_KEY_WAIT_MS,
  toMs,
  type CaseData,
  type DeadlineNotification,
  type DecideError,
  type DomainEvent,
} from '../domain/index.js';
import type { CaseActionRequest, CaseEventRecord, CaseWorkflowInput, CaseWorkflowResult } from './case-state.js';
import { caseActionUpdate, caseSettingsChangedSignal, caseViewQuery } from './definitions.js';
import { caseMunicipalityKey, caseNextDeadlineKey, caseOrganisationKey, caseStateKey } from './search-attributes.js';

const { recordCaseEvents, erasePersonalData, destroyCaseDataKeys, loadCaseSettings } = proxyActivities<CaseActivities>({
  // A database write; a worker that died mid-write is noticed after 10 s and the write retried elsewhere.
  startToCloseTimeout: '10 seconds',
  // The record must be written: retry until the database is back.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

const { deliverNotification } = proxyActivities<NotificationActivities>({
  // One SMTP conversation; the mailer's own timeouts (at most 30 s) end a hanging one first.
  startToCloseTimeout: '1 minute',
  // An SMTP outage delays mail and loses none: retry without limit, backing off to one attempt per 10 minutes.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** How many request ids a case remembers across continue-as-new to refuse replays of old requests. */
const REMEMBERED_REQUESTS = 200;

function refusal(error: DecideError): ApplicationFailure {
  return ApplicationFailure.create({ type: error.code, message: error.message, details: [error], nonRetryable: true });
}

const nowIso = () => new Date(Date.now()).toISOString();

export async function caseWorkflow(input: CaseWorkflowInput): Promise<CaseWorkflowResult> {
  if (input.erased) {
    // Crypto-erasure: without its data keys, every earlier run of this case is unreadable wherever it is kept.
    await destroyCaseDataKeys({ caseId: input.erased.caseId });
    return { caseId: input.erased.caseId, state: 'closed', personalDataErased: true };
  }
  let settings = input.continued?.settings ?? input.settings;
  let data: CaseData;
  let seq = input.continued?.seq ?? 0;
  const recentRequestIds: string[] = [...(input.continued?.recentRequestIds ?? [])];
  let version = 0;
  const initialEvents: DomainEvent[] = [];

  if (input.continued) {
    data = input.continued.data;
  } else if (input.open) {
    const created = createCase({ ...input.open, newId: (prefix) => `${prefix}-${uuid4()}` }, settings);
    data = created.next;
    initialEvents.push(...created.events);
  } else {
    throw ApplicationFailure.nonRetryable('caseWorkflow needs either open or continued input');
  }

  /** Numbers events in the order the workflow decided them (synchronously, so concurrent handlers cannot interleave). */
  const number = (events: DomainEvent[]): CaseEventRecord[] => events.map((e) => ({ ...e, seq: ++seq }));

  /** Keeps search attributes current and writes the record (events, read model, outbox); returns the outbox ids. */
  async function write(numbered: CaseEventRecord[], notifications: DeadlineNotification[] = []): Promise<string[]> {
    if (numbered.length === 0) return [];
    const next = nextDeadline(data);
    upsertSearchAttributes([
      { key: caseStateKey, value: data.state },
      { key: caseOrganisationKey, value: data.organisationId },
      { key: caseMunicipalityKey, value: data.municipality },
      { key: caseNextDeadlineKey, value: next ? new Date(next.dueAt) : null },
    ]);
    const lastSeq = numbered[numbered.length - 1]!.seq;
    const outbox = notifications.map((n, i) => ({ ...n, id: `${data.id}:${lastSeq}:${i}` }));
    await recordCaseEvents({
      caseId: data.id,
      events: numbered,
      readModel: {
        state: data.state,
        onHold: data.onHold,
        organisationId: data.organisationId,
        assigneeId: data.assigneeId ?? null,
        closedAt: data.closure?.closedAt ?? null,
        nextDeadline: next ? { kind: next.kind, dueAt: next.dueAt } : null,
      },
      consents: data.consents,
      deadlines: data.deadlines,
      // Without the contact list, which only grows; counts and the last contact stay.
      snapshot: { ...data, contacts: { ...data.contacts, items: [] } },
      notifications: outbox,
    });
    return outbox.map((n) => n.id);
  }

  const persist = (events: DomainEvent[], notifications: DeadlineNotification[] = []) => write(number(events), notifications);

  /**
   * Mails are sent in the background: an SMTP outage (retried for hours) must not hold up the next deadline or the
   * record. They are awaited before continue-as-new and before the workflow ends, so none is abandoned.
   */
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

  // The opening events get the first numbers before any handler exists: an update delivered with the first
  // workflow task (e.g. update-with-start) runs as soon as its handler is set and must come after them.
  const opening = number(initialEvents);

  /** Set once the retention period is over: the personal data is being erased, nothing may be added or reopened. */
  let erasing = false;
  const ERASING: DecideError = {
    code: 'transition_not_allowed',
    message: 'Die Aufbewahrungsfrist ist abgelaufen: die personenbezogenen Daten des Falls werden gelöscht.',
    allowed: [],
  };

  const decideNow = (req: CaseActionRequest, newId: (prefix: string) => string) =>
    decide(data, { action: req.action, payload: req.payload }, { now: nowIso(), actor: req.actor, newId, settings });

  setHandler(caseViewQuery, () => data);
  setHandler(caseSettingsChangedSignal, (next) => {
    settings = next;
  });
  setHandler(
    caseActionUpdate,
    async (req) => {
      // A request id seen in an earlier run (before continue-as-new): already applied, change nothing.
      if (req.requestId && recentRequestIds.includes(req.requestId)) return data;
      const result = decideNow(req, (prefix) => `${prefix}-${uuid4()}`);
      // The validator accepted it, but another update may have changed the case in between.
      if (!result.ok) throw refusal(result.error);
      data = result.next;
      version++;
      if (req.requestId) {
        recentRequestIds.push(req.requestId);
        if (recentRequestIds.length > REMEMBERED_REQUESTS) recentRequestIds.shift();
      }
      await persist(result.events);
      return data;
    },
    {
      // Runs before the update is written to history; must not change state or draw random ids.
      validator: (req) => {
        // Only here, not in the handler: validators do not run on replay, so this cannot change old histories.
        if (erasing) throw refusal(ERASING);
        if (req.requestId && recentRequestIds.includes(req.requestId)) return;
        const result = decideNow(req, (prefix) => `${prefix}-validation`);
        if (!result.ok) throw refusal(result.error);
      },
    },
  );

  await write(opening);

  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested ||
    (input.continueAsNewAfterEvents !== undefined && workflowInfo().historyLength >= input.continueAsNewAfterEvents);

  for (;;) {
    const timer = caseTimers(data)[0];
    const seen = version;
    const woken = () => version !== seen || shouldContinueAsNew();
    const timedOut = timer
      ? !(await condition(woken, Math.max(1, toMs(timer.at) - Date.now())))
      : (await condition(woken), false);

    if (timedOut && timer) {
      // Version 2: deadlines armed from here on use the installation's current settings, even if the
      // settings signal was missed. Cases started on version 1 replay without this step (patched() = false).
      if (patched('reread-settings-when-a-deadline-fires')) settings = await loadCaseSettings();
      const fired = onDeadlineFired(data, timer.deadlineId, timer.phase, nowIso());
      data = fired.next;
      version++;
      const outboxIds = await persist(fired.events, fired.notifications);
      // Version 3: the outbox entries are mailed. Cases recorded before it replay without this step.
      if (outboxIds.length > 0 && patched('send-notifications')) deliver(outboxIds);
      if (fired.retentionElapsed) {
        erasing = true;
        // Version 4: updates still in flight write their record first, so none lands after the erasure; then the
        // data keys are destroyed in a last run of their own, whose history needs none of them — once no process's
        // key cache still holds the keys retired by the erasure as usable for new payloads.
        if (patched('crypto-erasure')) {
          await condition(settled);
          await erasePersonalData({ caseId: data.id });
          await sleep(RETIRED_KEY_WAIT_MS);
          return continueAsNew<typeof caseWorkflow>({ settings, erased: { caseId: data.id } });
        }
        await erasePersonalData({ caseId: data.id });
        await condition(settled);
        return { caseId: data.id, state: data.state, personalDataErased: true };
      }
    }

    if (shouldContinueAsNew()) {
      // Let in-flight updates finish (and write their record) and mails go out before handing the state over.
      await condition(settled);
      return continueAsNew<typeof caseWorkflow>({
        settings,
        continueAsNewAfterEvents: input.continueAsNewAfterEvents,
        continued: { data, seq, settings, recentRequestIds },
      });
    }
  }
}
