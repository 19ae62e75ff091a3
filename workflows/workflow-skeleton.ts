// What the case and the handover workflow share: a state held by the workflow, changed by action updates that are
// refused before they touch history, numbered events written by a record activity, mails sent in the background,
// deadline timers, and continue-as-new once everything in flight has settled.
//
// Workflow code: deterministic and light (types, the Temporal workflow API and domain/ only). These helpers create
// no commands of their own beyond those the workflows made before them, in the same order: the only asynchronous
// calls here return the very promise the SDK hands out (no extra `await`), so nothing resumes later than it did.
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  log,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { NotificationActivities } from '../activities/notifications.js';
import { toMs } from '../domain/dates.js';
import type { DomainEvent } from '../domain/events.js';

/** A record write (a database transaction); a worker that died mid-write is noticed after 10 s, the write retried. */
export const RECORD_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  // The record must be written: retry until the database is back.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
};

const { deliverNotification } = proxyActivities<NotificationActivities>({
  // One SMTP conversation; the mailer's own timeouts (at most 30 s) end a hanging one first.
  startToCloseTimeout: '1 minute',
  // An SMTP outage delays mail and loses none: retry without limit, backing off to one attempt per 10 minutes.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** How many request ids a workflow remembers across continue-as-new to refuse replays of old requests. */
const REMEMBERED_REQUESTS = 200;

/**
 * A run hands over before its history passes this many events, so that a worker taking a case over (its cache lost,
 * a restart, another worker process) replays at most this much. Measured on 2 cores with a started replay worker
 * (bench, long case): a run of 208 events replayed in 159 ms on a quiet machine but 200 ms in a full bench run on a
 * slower day, one of 107 in 127 ms, one of 1,800 in 1.6 s; 150 keeps the goal of 200 ms with room. A contact adds
 * ≈ 6 events, so a run holds ≈ 22 contacts; handing over costs one task and a carried state of constant size.
 */
export const RUN_EVENT_LIMIT = 150;
/** …or before it has taken this many updates (the server accepts at most 2,000 per run, `history.maxTotalUpdates`). */
export const RUN_UPDATE_LIMIT = 1_500;

/** A refusal of an update: its `type` is the domain error code, its first detail the error itself. */
export function refusal<E extends { code: string; message: string }>(error: E): ApplicationFailure {
  return ApplicationFailure.create({ type: error.code, message: error.message, details: [error], nonRetryable: true });
}

/** The workflow's (deterministic) time as an ISO timestamp. */
export const nowIso = () => new Date(Date.now()).toISOString();

/** Milliseconds from now to `at`, at least 1 (a timer of 0 would not be a timer). */
const msUntil = (at: string) => Math.max(1, toMs(at) - Date.now());

/** Numbers for the events of this run and the request ids it remembers: what a run carries into the next. */
export interface CarriedSkeleton {
  seq: number;
  recentRequestIds: string[];
}

/** An action request as the API sends it: `requestId` is the idempotency key (and the Temporal update id). */
export interface ActionRequest {
  requestId?: string;
}

/** The mutable part every run of a case or handover workflow keeps besides its domain state. */
export class WorkflowSkeleton {
  private lastSeq: number;
  /** Request ids applied by this or an earlier run, oldest first (at most REMEMBERED_REQUESTS). */
  readonly recentRequestIds: string[];
  /** Counts changes of the state, so the main loop wakes up and re-arms its timer. */
  private version = 0;
  private deliveriesInFlight = 0;
  /** Updates this run has taken (accepted ones; a repeated request id counts too). */
  updatesThisRun = 0;
  /** The deadline timer changeOrKeptTimer keeps across changes: its instant, its scope, `false` once it fired. */
  private timer: { at: string; scope: CancellationScope; fired: boolean } | undefined;

  constructor(
    private readonly continueAsNewAfterEvents: number | undefined,
    carried?: CarriedSkeleton,
  ) {
    this.lastSeq = carried?.seq ?? 0;
    this.recentRequestIds = [...(carried?.recentRequestIds ?? [])];
  }

  /** The last event number given out (carried into the next run). */
  get seq(): number {
    return this.lastSeq;
  }

  /** Numbers events in the order the workflow decided them (synchronously, so concurrent handlers cannot interleave). */
  number<E extends DomainEvent>(events: E[]): Array<E & { seq: number }> {
    return events.map((e) => ({ ...e, seq: ++this.lastSeq }));
  }

  /** A request id seen before (in this run or an earlier one): already applied, nothing is to change. */
  isRepeat(requestId: string | undefined): boolean {
    return !!requestId && this.recentRequestIds.includes(requestId);
  }

  remember(requestId: string | undefined): void {
    if (!requestId) return;
    this.recentRequestIds.push(requestId);
    if (this.recentRequestIds.length > REMEMBERED_REQUESTS) this.recentRequestIds.shift();
  }

  /** The state changed: the main loop wakes up. */
  changed(): void {
    this.version++;
  }

  /** The server suggests continue-as-new, or the history reached the length the input asks for (tests). */
  shouldContinueAsNew(): boolean {
    return (
      workflowInfo().continueAsNewSuggested ||
      (this.continueAsNewAfterEvents !== undefined && workflowInfo().historyLength >= this.continueAsNewAfterEvents)
    );
  }

  /**
   * The run is near the limits of one run (events or updates): time to continue as new. The caller gates the
   * hand-over with a marker asked only once this is true (`continue-before-run-limits`): a run recorded when the limit
   * was 1,800 events has none at 150 and replays on (`tests/histories/case-v8-many-contacts-first-run.json`); live,
   * it hands over at its next wake.
   */
  runLimitReached(): boolean {
    return workflowInfo().historyLength >= RUN_EVENT_LIMIT || this.updatesThisRun >= RUN_UPDATE_LIMIT;
  }

  /**
   * Waits until the state changes or continue-as-new is due — and, given `at`, at most until then. Resolves to
   * `false` only when `at` came first (the timer fired). The promise is `condition`'s own.
   */
  changeOrTimer(at: string | undefined): Promise<boolean | void> {
    const seen = this.version;
    const woken = () => this.version !== seen || this.shouldContinueAsNew();
    return at === undefined ? condition(woken) : condition(woken, msUntil(at));
  }

  /**
   * As changeOrTimer, but the timer outlives a change that leaves `at` as it was: one timer per deadline instant
   * instead of a new timer (and the old one cancelled) at every change — two history events and a server timer less
   * for nearly every action. Resolves to `false` only when the timer fired and nothing changed meanwhile; after a
   * change it resolves `true` (the caller looks at the case again, and a timer that has fired answers the next call
   * at once). One scope per timer and one condition per call, so nothing piles up while a timer is kept.
   */
  changeOrKeptTimer(at: string | undefined): Promise<boolean> {
    if (this.timer && this.timer.at !== at) {
      this.timer.scope.cancel();
      this.timer = undefined;
    }
    if (at !== undefined && !this.timer) {
      const timer = { at, scope: new CancellationScope(), fired: false };
      // A cancelled timer just never fires.
      void timer.scope.run(() => sleep(msUntil(at))).then(
        () => void (timer.fired = true),
        () => undefined,
      );
      this.timer = timer;
    }
    const timer = this.timer;
    const seen = this.version;
    return condition(() => timer?.fired === true || this.version !== seen || this.shouldContinueAsNew()).then(() => {
      if (this.version !== seen || !timer?.fired) return true;
      this.timer = undefined;
      return false;
    });
  }

  /**
   * Mails are sent in the background: an SMTP outage (retried for hours) must not hold up the next deadline or the
   * record. They are awaited (`settled`) before continue-as-new and before the workflow ends, so none is abandoned.
   */
  deliver(ids: string[]): void {
    for (const id of ids) {
      this.deliveriesInFlight++;
      void deliverNotification({ id })
        .catch((error) => log.warn('Benachrichtigung nicht zugestellt', { notificationId: id, error: String(error) }))
        .finally(() => this.deliveriesInFlight--);
    }
  }

  /** No update handler is running and no mail is on its way: the state may be handed over or the workflow end. */
  readonly settled = (): boolean => allHandlersFinished() && this.deliveriesInFlight === 0;
}

/** Outbox entries of a write get ids from the last event's number: a retried write produces the same ids. */
export function outboxEntries<N extends object>(prefix: string, numbered: Array<{ seq: number }>, notifications: N[]): Array<N & { id: string }> {
  const lastSeq = numbered[numbered.length - 1]!.seq;
  return notifications.map((n, i) => ({ ...n, id: `${prefix}${lastSeq}:${i}` }));
}

export interface ActionUpdateHandlers<Data, Req> {
  /** The state as it is now: the answer to a repeated request. */
  current: () => Data;
  /** Applies a new request and answers with the new state; refusals are thrown (see `refusal`). */
  apply: (req: Req) => Promise<Data>;
  /** Checks a new request before it is written to history; throws the refusal. Must not change state or draw ids. */
  validate: (req: Req) => void;
  /** Refuses even a repeated request in the validator (e.g. nothing may be added any more). Optional. */
  refuseAlways?: (req: Req) => void;
}

/**
 * The action update of a workflow: a repeated request id changes nothing and is answered with the current state;
 * any other request is validated (refused before it touches history), then applied. Validators only run when the
 * update arrives, not on replay.
 */
export function setActionUpdate<Data, Req extends ActionRequest>(
  skeleton: WorkflowSkeleton,
  update: UpdateDefinition<Data, [Req]>,
  handlers: ActionUpdateHandlers<Data, Req>,
): void {
  setHandler(
    update,
    // Not async itself: the answer is the promise of `apply`, settling exactly when it settles.
    (req) => {
      skeleton.updatesThisRun++;
      return skeleton.isRepeat(req.requestId) ? Promise.resolve(handlers.current()) : handlers.apply(req);
    },
    {
      validator: (req) => {
        handlers.refuseAlways?.(req);
        if (skeleton.isRepeat(req.requestId)) return;
        handlers.validate(req);
      },
    },
  );
}
