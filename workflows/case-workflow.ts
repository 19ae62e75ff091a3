// One KIM case from intake to the end of its retention period. Decisions are made by the pure functions of
// domain/; this workflow only applies them, keeps the deadline timers and writes the durable record. Its skeleton
// (idempotent action updates, background mail, settle-before-continue-as-new) is workflow-skeleton.ts.
//
// Replay: the order of commands is part of every running case's history. Helpers below are synchronous or keep the
// `await`s exactly where the workflow had them; keep it so (an extra async layer can reorder commands in a task).
import {
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  uuid4,
} from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';
// Domain modules one by one, never domain/index.js: that would bring zod into the bundle (see domain/index.ts).
import {
  CASE_RULES,
  caseTimers,
  createCase,
  type CaseRulesVersion,
  decide,
  onDeadlineFired,
  usesRules7,
  type DeadlineNotification,
  type DecideError,
} from '../domain/case-decide.js';
import type { CaseData } from '../domain/case-model.js';
import type { CaseSettings } from '../domain/deadlines.js';
import { RETIRED_KEY_WAIT_MS } from '../domain/erasure.js';
import type { DomainEvent } from '../domain/events.js';
import { changedConsents, changedDeadlines, compactCase } from '../domain/case-compact.js';
import {
  caseActionUpdate,
  caseSettingsChangedSignal,
  caseViewQuery,
  type CaseActionRequest,
  type CaseActionResult,
  type CaseWorkflowInput,
  type CaseWorkflowResult,
} from './case-messages.js';
import { newRecordWriter, writeCaseBatch, type RecordWriter } from './case-record-writes.js';
import { nowIso, RECORD_ACTIVITY, refusal, setActionUpdate, WorkflowSkeleton } from './workflow-skeleton.js';

const { erasePersonalData, destroyCaseDataKeys, loadCaseSettings } = proxyActivities<CaseActivities>(RECORD_ACTIVITY);

/** One run of a case workflow: the case, the settings its deadlines use, and the shared skeleton. */
interface CaseRun {
  data: CaseData;
  settings: CaseSettings;
  /** Set once the retention period is over: the personal data is being erased, nothing may be added or reopened. */
  erasing: boolean;
  /** The process rules this run decides by (domain/case-decide-context.ts). */
  readonly rules: CaseRulesVersion;
  readonly skeleton: WorkflowSkeleton;
  readonly writer: RecordWriter;
}

const ERASING: DecideError = {
  code: 'transition_not_allowed',
  message: 'Die Aufbewahrungsfrist ist abgelaufen: die personenbezogenen Daten des Falls werden gelöscht.',
  allowed: [],
};

export async function caseWorkflow(input: CaseWorkflowInput): Promise<CaseWorkflowResult> {
  if (input.erased) {
    // Crypto-erasure: without its data keys, every earlier run of this case is unreadable wherever it is kept.
    await destroyCaseDataKeys({ caseId: input.erased.caseId });
    return { caseId: input.erased.caseId, state: 'closed', personalDataErased: true };
  }
  const { run, initialEvents } = startRun(input);
  // The opening events get the first numbers before any handler exists: an update delivered with the first
  // workflow task (e.g. update-with-start) runs as soon as its handler is set and must come after them.
  const opening = run.skeleton.number(initialEvents);
  setCaseHandlers(run);
  await writeCaseBatch(run.writer, { data: run.data, numbered: opening, notifications: [], deadlines: run.data.deadlines, consents: run.data.consents });
  return keepDeadlines(run, input);
}

/** The case of this run: carried over from the previous run, or opened now (its opening events not yet numbered). */
function startRun(input: CaseWorkflowInput): { run: CaseRun; initialEvents: DomainEvent[] } {
  const settings = input.continued?.settings ?? input.settings;
  const skeleton = new WorkflowSkeleton(input.continueAsNewAfterEvents, input.continued);
  // Version 6: the current process rules, decided once per run (first task, before any command). A run recorded
  // before replays with the rules of version 5 (or 6, version 7); it takes up the current ones when it continues as
  // new. A new run records only the newest marker (the first check is true, the second is not made).
  const rules: CaseRulesVersion = patched('case-rules-7') ? CASE_RULES : patched('case-rules-6') ? 6 : 5;
  if (input.continued) {
    // A case carried over from version 4 may still hold its contact list and resolved deadlines: dropped here.
    return { run: { data: compactCase(input.continued.data), settings, erasing: false, rules, skeleton, writer: newRecordWriter() }, initialEvents: [] };
  }
  if (input.open) {
    const created = createCase({ ...input.open, newId: (prefix) => `${prefix}-${uuid4()}` }, settings);
    return { run: { data: created.next, settings, erasing: false, rules, skeleton, writer: newRecordWriter() }, initialEvents: [...created.events] };
  }
  throw ApplicationFailure.nonRetryable('caseWorkflow needs either open or continued input');
}

/**
 * Numbers and writes events (not async itself: its promise is the write's). `previous` is the case before them: the
 * record writes only the deadlines and consents that changed; the run keeps the case compact.
 */
function persist(run: CaseRun, previous: CaseData | null, next: CaseData, events: DomainEvent[], notifications: DeadlineNotification[] = []) {
  run.data = compactCase(next);
  const numbered = run.skeleton.number(events);
  return writeCaseBatch(run.writer, {
    data: run.data,
    numbered,
    notifications,
    deadlines: changedDeadlines(previous?.deadlines ?? [], next.deadlines),
    consents: changedConsents(previous?.consents ?? [], next.consents),
  });
}

const decideNow = (run: CaseRun, req: CaseActionRequest, newId: (prefix: string) => string, rules: CaseRulesVersion) =>
  decide(run.data, { action: req.action, payload: req.payload }, { now: nowIso(), actor: req.actor, newId, settings: run.settings, rules });

/** A run on rules 6 takes a request with criteria, ratings or a joint first appointment by rules 7 (usesRules7). */
const lifts = (run: CaseRun, req: CaseActionRequest) => run.rules === 6 && usesRules7(req.action, req.payload);

function setCaseHandlers(run: CaseRun): void {
  setHandler(caseViewQuery, () => run.data);
  setHandler(caseSettingsChangedSignal, (next) => {
    run.settings = next;
  });
  setActionUpdate(run.skeleton, caseActionUpdate, {
    current: () => answerOf(run, run.skeleton.seq),
    apply: (req) => applyAction(run, req),
    // Only in the validator, not in the handler: validators do not run on replay, so this cannot change old histories.
    refuseAlways: () => {
      if (run.erasing) throw refusal(ERASING);
    },
    // Runs before the update is written to history; must not change state or draw random ids.
    validate: (req) => {
      const result = decideNow(run, req, (prefix) => `${prefix}-validation`, lifts(run, req) ? 7 : run.rules);
      if (!result.ok) throw refusal(result.error);
    },
  });
}

/** The small answer to an action (the API reads the case itself from the read model). */
const answerOf = (run: CaseRun, seq: number): CaseActionResult => ({ caseId: run.data.id, seq, state: run.data.state, onHold: run.data.onHold });

async function applyAction(run: CaseRun, req: CaseActionRequest): Promise<CaseActionResult> {
  // Version 7: only such requests record the marker; histories of before never carried one (patched() is false there).
  const rules = lifts(run, req) && patched('rules-7-on-a-rules-6-run') ? 7 : run.rules;
  const result = decideNow(run, req, (prefix) => `${prefix}-${uuid4()}`, rules);
  // The validator accepted it, but another update may have changed the case in between.
  if (!result.ok) throw refusal(result.error);
  const previous = run.data;
  run.skeleton.changed();
  run.skeleton.remember(req.requestId);
  // Only actions on process rules 6 mail (closure requested/returned): runs recorded before never have any.
  const written = persist(run, previous, result.next, result.events, result.notifications ?? []);
  // The case as this action left it (another update may change it while the record is written).
  const answer = answerOf(run, run.skeleton.seq);
  const outboxIds = await written;
  if (outboxIds.length > 0) run.skeleton.deliver(outboxIds);
  return answer;
}

/** The main loop: waits for the next deadline (or a change), applies it, and hands over to a next run when due. */
async function keepDeadlines(run: CaseRun, input: CaseWorkflowInput): Promise<CaseWorkflowResult> {
  const skeleton = run.skeleton;
  for (;;) {
    const timer = caseTimers(run.data)[0];
    const timedOut = (await skeleton.changeOrTimer(timer?.at)) === false;

    if (timedOut && timer) {
      // Version 2: deadlines armed from here on use the installation's current settings, even if the
      // settings signal was missed. Cases started on version 1 replay without this step (patched() = false).
      if (patched('reread-settings-when-a-deadline-fires')) run.settings = await loadCaseSettings();
      const fired = onDeadlineFired(run.data, timer.deadlineId, timer.phase, nowIso());
      const previous = run.data;
      skeleton.changed();
      const outboxIds = await persist(run, previous, fired.next, fired.events, fired.notifications);
      // Version 3: the outbox entries are mailed. Cases recorded before it replay without this step.
      if (outboxIds.length > 0 && patched('send-notifications')) skeleton.deliver(outboxIds);
      if (fired.retentionElapsed) return eraseCase(run);
    }

    // Version 5: also before the limits of one run (checked where the loop wakes anyway, after a change or a timer;
    // patched() only once a limit is reached, so histories of before replay unchanged).
    if (skeleton.shouldContinueAsNew() || (skeleton.runLimitReached() && patched('continue-before-run-limits'))) {
      // Let in-flight updates finish (and write their record) and mails go out before handing the state over.
      await condition(skeleton.settled);
      return continueAsNew<typeof caseWorkflow>({
        settings: run.settings,
        continueAsNewAfterEvents: input.continueAsNewAfterEvents,
        continued: { data: run.data, seq: skeleton.seq, settings: run.settings, recentRequestIds: skeleton.recentRequestIds },
      });
    }
  }
}

/** The retention period is over: the personal data is erased and the case ends (its keys destroyed in a last run). */
async function eraseCase(run: CaseRun): Promise<CaseWorkflowResult> {
  run.erasing = true;
  const caseId = run.data.id;
  // Version 4: updates still in flight write their record first, so none lands after the erasure; then the
  // data keys are destroyed in a last run of their own, whose history needs none of them — once no process's
  // key cache still holds the keys retired by the erasure as usable for new payloads.
  if (patched('crypto-erasure')) {
    await condition(run.skeleton.settled);
    await erasePersonalData({ caseId });
    await sleep(RETIRED_KEY_WAIT_MS);
    return continueAsNew<typeof caseWorkflow>({ settings: run.settings, erased: { caseId } });
  }
  await erasePersonalData({ caseId });
  await condition(run.skeleton.settled);
  return { caseId, state: run.data.state, personalDataErased: true };
}
