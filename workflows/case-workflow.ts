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
  workflowInfo,
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
  usesProgress,
  usesResidenceTrack,
  type DeadlineNotification,
  type DecideError,
} from '../domain/case-decide.js';
import type { CaseData } from '../domain/case-model.js';
import { usesCatalogue } from '../domain/referral-catalogue.js';
import type { CaseSettings } from '../domain/deadlines.js';
import { RETIRED_KEY_WAIT_MS } from '../domain/erasure.js';
import type { DomainEvent } from '../domain/events.js';
import { changedConsents, changedDeadlines, compactCase } from '../domain/case-compact.js';
import { CARRIED_CODE_VERSION, inForce, runCodeVersion } from './case-patches.js';
import {
  CASE_CODE_VERSION,
  caseActionUpdate,
  caseRecordRetrySignal,
  caseRecordStatusQuery,
  caseSettingsChangedSignal,
  caseViewQuery,
  type CaseActionRequest,
  type CaseActionResult,
  type CaseWorkflowInput,
  type CaseWorkflowResult,
} from './case-messages.js';
import {
  newRecordWriter,
  recordHeldFailure,
  recordStatusOf,
  retryRejectedWrites,
  writeCaseBatch,
  type RecordWriter,
} from './case-record-writes.js';
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
  /** The code version this run was started for (workflows/case-patches.ts); 0 before version 11. */
  readonly codeVersion: number;
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
  await writeCaseBatch(run.writer, { data: run.data, numbered: opening, notifications: [], deadlines: run.data.deadlines, consents: run.data.consents }, true);
  return keepDeadlines(run, input);
}

/** The case of this run: carried over from the previous run, or opened now (its opening events not yet numbered). */
function startRun(input: CaseWorkflowInput): { run: CaseRun; initialEvents: DomainEvent[] } {
  const settings = input.continued?.settings ?? input.settings;
  const skeleton = new WorkflowSkeleton(input.continueAsNewAfterEvents, input.continued);
  const codeVersion = runCodeVersion(input);
  // Version 11: the rules are in force with the run's code version, no marker (all patches below likewise).
  // Version 10: the current process rules, decided once per run (first task, before any command). A run recorded
  // before replays with the rules it was recorded with (9, 8, 7, 6 or 5); it takes up the current ones when it
  // continues as new. A new run records only the newest marker (the first check is true, the others are not made).
  // Version 9: the residence-law track; version 10 (issue 14): referrals keep their catalogue codes.
  const rules: CaseRulesVersion =
    // Version 12: process rules 11 (a contact counts as new since a closure request by when it was recorded).
    inForce(codeVersion, 12, 'case-rules-11') ? CASE_RULES
    : inForce(codeVersion, CARRIED_CODE_VERSION, 'case-rules-10') ? 10
    : patched('case-rules-9') ? 9
    : patched('case-rules-8') ? 8
    : patched('case-rules-7') ? 7
    : patched('case-rules-6') ? 6
    : 5;
  // Version 11: the search attributes the run started with count as upserted (the API starts a case with all four;
  // a continued run inherits its predecessor's), so a write that leaves them as they are upserts nothing.
  const writer = newRecordWriter(codeVersion, codeVersion >= CARRIED_CODE_VERSION ? workflowInfo().typedSearchAttributes : undefined);
  const base = { settings, erasing: false, rules, codeVersion, skeleton, writer };
  if (input.continued) {
    // A case carried over from version 4 may still hold its contact list and resolved deadlines: dropped here.
    return { run: { ...base, data: compactCase(input.continued.data) }, initialEvents: [] };
  }
  if (input.open) {
    const created = createCase({ ...input.open, newId: (prefix) => `${prefix}-${uuid4()}` }, settings);
    return { run: { ...base, data: created.next }, initialEvents: [...created.events] };
  }
  throw ApplicationFailure.nonRetryable('caseWorkflow needs either open or continued input');
}

/**
 * Numbers and writes events (not async itself: its promise is the write's). `previous` is the case before them: the
 * record writes only the deadlines and consents that changed; the run keeps the case compact.
 */
function persist(run: CaseRun, previous: CaseData | null, next: CaseData, events: DomainEvent[], notifications: DeadlineNotification[] = [], quiet = false) {
  run.data = compactCase(next);
  const numbered = run.skeleton.number(events);
  const batch = {
    data: run.data,
    numbered,
    notifications,
    deadlines: changedDeadlines(previous?.deadlines ?? [], next.deadlines),
    consents: changedConsents(previous?.consents ?? [], next.consents),
  };
  return writeCaseBatch(run.writer, batch, quiet);
}

interface Lifted {
  progress: boolean;
  residenceTrack: boolean;
  catalogue: boolean;
}

const decideNow = (run: CaseRun, req: CaseActionRequest, newId: (prefix: string) => string, lifted: Lifted) =>
  decide(run.data, { action: req.action, payload: req.payload }, { now: nowIso(), actor: req.actor, newId, settings: run.settings, rules: run.rules, ...lifted });

/** A run on older rules takes a request with criteria, ratings or a joint first appointment with measured progress. */
const lifts = (run: CaseRun, req: CaseActionRequest) => run.rules < 8 && usesProgress(req.action, req.payload);
/** A run on older rules takes the residence-law track (rules 9) for this one request. */
const liftsTrack = (run: CaseRun, req: CaseActionRequest) => run.rules < 9 && usesResidenceTrack(req.action);
/** A run on older rules takes a refer with referral catalogue codes (issue 14). */
const liftsCatalogue = (run: CaseRun, req: CaseActionRequest) => run.rules < 10 && usesCatalogue(req.action, req.payload);

function setCaseHandlers(run: CaseRun): void {
  setHandler(caseViewQuery, () => run.data);
  setHandler(caseSettingsChangedSignal, (next) => {
    run.settings = next;
  });
  setHandler(caseRecordStatusQuery, () => recordStatusOf(run.writer, run.skeleton.seq));
  setHandler(caseRecordRetrySignal, () => {
    if (!run.writer.rejected) return;
    run.writer.rejected.retryRequested = true;
    run.skeleton.changed();
  });
  setActionUpdate(run.skeleton, caseActionUpdate, {
    current: () => answerOf(run, run.skeleton.seq),
    apply: (req) => applyAction(run, req),
    // Only in the validator, not in the handler: validators do not run on replay, so this cannot change old histories.
    refuseAlways: () => {
      if (run.erasing) throw refusal(ERASING);
      // The database refused a batch of this case for good: nothing more until IT repaired it and retried (issue 15).
      if (run.writer.rejected) throw recordHeldFailure();
    },
    // Runs before the update is written to history; must not change state or draw random ids.
    validate: (req) => {
      const result = decideNow(run, req, (prefix) => `${prefix}-validation`, {
        progress: run.rules >= 8 || lifts(run, req),
        residenceTrack: run.rules >= 9 || liftsTrack(run, req),
        catalogue: run.rules >= 10 || liftsCatalogue(run, req),
      });
      if (!result.ok) throw refusal(result.error);
    },
  });
}

/** The small answer to an action (the API reads the case itself from the read model). */
const answerOf = (run: CaseRun, seq: number): CaseActionResult => ({ caseId: run.data.id, seq, state: run.data.state, onHold: run.data.onHold });

async function applyAction(run: CaseRun, req: CaseActionRequest): Promise<CaseActionResult> {
  // Version 8: only such requests record the marker; histories of before never carried one (patched() is false there).
  const progress = run.rules >= 8 || (lifts(run, req) && patched('measured-progress-on-a-running-case'));
  // Version 9: the same for the residence-law track (its requests never existed before, so no history has them).
  const residenceTrack = run.rules >= 9 || (liftsTrack(run, req) && patched('residence-track-on-a-running-case'));
  // Version 10: likewise a refer with catalogue codes on an older run records its own marker.
  const catalogue = run.rules >= 10 || (liftsCatalogue(run, req) && patched('referral-catalogue-on-a-running-case'));
  const result = decideNow(run, req, (prefix) => `${prefix}-${uuid4()}`, { progress, residenceTrack, catalogue });
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
    if (run.writer.rejected) {
      // Held: no deadline fires and no new run starts until IT's retry wrote the refused batches (never true in a
      // history recorded before, where a refused write was retried for ever).
      await condition(() => run.writer.rejected?.retryRequested === true);
      await retryRejectedWrites(run.writer, (ids) => skeleton.deliver(ids));
      continue;
    }
    const timer = caseTimers(run.data)[0];
    // The timer is kept across actions that leave the next deadline as it was (issue 11: two history events and a
    // server timer less per action). Histories of before re-armed it at every change and replay that way (no marker
    // there: patched() is false).
    const wait = inForce(run.codeVersion, CARRIED_CODE_VERSION, 'deadline-timer-kept') ? skeleton.changeOrKeptTimer(timer?.at) : skeleton.changeOrTimer(timer?.at);
    const timedOut = (await wait) === false;

    if (timedOut && timer) {
      // Version 2: deadlines armed from here on use the installation's current settings, even if the
      // settings signal was missed. Cases started on version 1 replay without this step (patched() = false).
      if (inForce(run.codeVersion, CARRIED_CODE_VERSION, 'reread-settings-when-a-deadline-fires')) run.settings = await loadCaseSettings();
      const fired = onDeadlineFired(run.data, timer.deadlineId, timer.phase, nowIso());
      const previous = run.data;
      skeleton.changed();
      const outboxIds = await persist(run, previous, fired.next, fired.events, fired.notifications, true);
      // Version 3: the outbox entries are mailed. Cases recorded before it replay without this step.
      if (outboxIds.length > 0 && inForce(run.codeVersion, CARRIED_CODE_VERSION, 'send-notifications')) skeleton.deliver(outboxIds);
      if (fired.retentionElapsed) return eraseCase(run);
    }

    // Version 5: also before the limits of one run (checked where the loop wakes anyway, after a change or a timer;
    // patched() only once a limit is reached, so histories of before replay unchanged).
    if (skeleton.shouldContinueAsNew() || (skeleton.runLimitReached() && inForce(run.codeVersion, CARRIED_CODE_VERSION, 'continue-before-run-limits'))) {
      // Let in-flight updates finish (and write their record) and mails go out before handing the state over.
      await condition(skeleton.settled);
      return continueAsNew<typeof caseWorkflow>({
        settings: run.settings,
        continueAsNewAfterEvents: input.continueAsNewAfterEvents,
        // The next run follows this code, whatever the run it continues was started for.
        codeVersion: CASE_CODE_VERSION,
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
  if (inForce(run.codeVersion, CARRIED_CODE_VERSION, 'crypto-erasure')) {
    await condition(run.skeleton.settled);
    await erasePersonalData({ caseId });
    await sleep(RETIRED_KEY_WAIT_MS);
    return continueAsNew<typeof caseWorkflow>({ settings: run.settings, erased: { caseId } });
  }
  await erasePersonalData({ caseId });
  await condition(run.skeleton.settled);
  return { caseId, state: run.data.state, personalDataErased: true };
}
