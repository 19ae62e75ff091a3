// ABH → KIM case management handover (domain.md "ABH-to-CM handover", seed 3.3 and 4).
//
//   awaiting_consent ──record-consent(given)──▶ consent_given ──schedule-meeting──▶ meeting_scheduled
//          │                                                                          │ complete-meeting (held)
//          ├─record-consent(refused)─▶ refused                                         ▼ accept (receiving CM)
//          ├─consent deadline (14 d) fired─▶ lapsed                               handed_over
//          └─cancel (any non-terminal state)─▶ cancelled
//   consent_given / meeting_scheduled ──withdraw-consent──▶ cancelled (consentWithdrawal set, receiver loses the view)
//
// Seed: "Zustimmung des/der Klient*in vorausgesetzt" — nothing about the person reaches the receiving organisation
// before the client consented (`visibleToReceiver`, `receiverView`).
import type { Actor } from './case-model.js';
import { formatDateDe } from './dates.js';
import {
  DEADLINE_LABELS,
  applyFire,
  armDeadline,
  cancelDeadlines,
  defaultDeadlineSettings,
  dueIn,
  meetDeadlines,
  pendingTimers,
  type DeadlineKind,
  type DeadlineSettings,
  type FirePhase,
  type PendingTimer,
} from './deadlines.js';
import { eventCollector, type DomainEvent, type EmitFn } from './events.js';
import {
  HANDOVER_ACTION_LABELS,
  HANDOVER_ACTIONS,
  HANDOVER_STATE_LABELS,
  HANDOVER_TRANSITIONS,
  type HandoverAction,
  type HandoverData,
} from './handover-model.js';
import { checkHandoverActionPayload } from './handover-payload-checks.js';
import type { CreateHandoverBody } from './handover-requests.js';
import { organisationShortName } from './organisations.js';
import type { FieldErrors } from './payload-check.js';

// The parts: handover-model.ts (states, actions, data), handover-requests.ts (request bodies as zod schemas, the
// receiving organisation: for the API, exported by index.ts), handover-payload-checks.ts (the bodies checked in plain
// code, for the workflow).
export * from './handover-model.js';

// ---------------------------------------------------------------------------------------------------------------
// Creation and decisions

export interface CreateHandoverInput {
  handoverId: string;
  requestedAt: string;
  requestedBy: Actor;
  body: CreateHandoverBody;
  receivingOrganisationId: string;
  newId?: (prefix: string) => string;
}

export function createHandover(
  input: CreateHandoverInput,
  settings: DeadlineSettings = defaultDeadlineSettings,
): { next: HandoverData; events: DomainEvent[] } {
  let seq = 0;
  const newId = input.newId ?? ((prefix: string) => `${input.handoverId}-${prefix}-${++seq}`);
  const { events, emit } = eventCollector(input.requestedAt, input.requestedBy.id);
  const { body } = input;
  const h: HandoverData = {
    schemaVersion: 1,
    id: input.handoverId,
    state: 'awaiting_consent',
    ...(body.caseId ? { caseId: body.caseId } : {}),
    ...(body.person ? { person: body.person } : {}),
    residenceLaw: body.residenceLaw,
    reason: body.reason,
    requestedAt: input.requestedAt,
    requestedBy: input.requestedBy.id,
    counsellorOrganisationId: input.requestedBy.organisationId,
    ...(body.proposedOrganisationId ? { proposedOrganisationId: body.proposedOrganisationId } : {}),
    receivingOrganisationId: input.receivingOrganisationId,
    visibleToReceiver: false,
    deadlines: [],
  };
  emit('handover_requested', `Übergabe ins KIM Case Management vorgeschlagen (an ${organisationShortName(h.receivingOrganisationId)})`, {
    handoverId: h.id,
    caseId: h.caseId,
    receivingOrganisationId: h.receivingOrganisationId,
    permits: h.residenceLaw.permits,
  });
  // domain.md: consent within 14 days, otherwise the handover lapses and the counsellor is notified.
  armDeadline(h.deadlines, { kind: 'handover_consent', ...dueIn(input.requestedAt, settings.handoverConsentDays) }, {
    now: input.requestedAt,
    newId,
    emit,
  });
  return { next: h, events };
}

export function consentDueAt(h: HandoverData): string | undefined {
  return h.deadlines.find((d) => d.kind === 'handover_consent')?.dueAt;
}

export interface HandoverContext {
  now: string;
  actor: Actor;
  newId: (prefix: string) => string;
  settings?: DeadlineSettings;
}

export type HandoverDecideError =
  | { code: 'transition_not_allowed'; message: string; allowed: HandoverAction[] }
  | { code: 'validation_failed'; message: string; fields: FieldErrors }
  | { code: 'forbidden'; message: string };
export type HandoverDecideResult =
  | { ok: true; next: HandoverData; events: DomainEvent[] }
  | { ok: false; error: HandoverDecideError };

// Roles: the ABH counsellor runs consent and may cancel; both sides plan and hold the meeting; only the receiving
// case manager takes the case over. Coordinators may do everything (Fachaufsicht). Admins: no case content.
function handoverPermissionError(h: HandoverData, action: HandoverAction, actor: Actor): string | null {
  if (actor.role === 'admin') return 'Die Verwaltung/IT hat keinen Zugriff auf Fallinhalte.';
  if (actor.role === 'coordinator') return null;
  const isCounsellor = actor.role === 'abh_counsellor' && actor.organisationId === h.counsellorOrganisationId;
  const isReceiver = actor.role === 'case_manager' && actor.organisationId === h.receivingOrganisationId;
  const ok =
    action === 'record-consent' || action === 'cancel' || action === 'withdraw-consent'
      ? isCounsellor
      : action === 'accept'
        ? isReceiver
        : isCounsellor || isReceiver;
  if (ok) return null;
  return action === 'accept'
    ? 'Nur das Case Management der aufnehmenden Organisation kann den Fall übernehmen.'
    : action === 'record-consent' || action === 'cancel' || action === 'withdraw-consent'
      ? 'Nur die Sozialberatung der Ausländerbehörde kann das tun.'
      : 'Nur die Beteiligten der Übergabe können das tun.';
}

function handoverGuardError(h: HandoverData, action: HandoverAction): string | null {
  if (action === 'schedule-meeting' && h.meeting?.heldAt) return 'Das Übergabegespräch hat bereits stattgefunden.';
  if (action === 'complete-meeting' && h.meeting?.heldAt) return 'Das Übergabegespräch ist bereits als gehalten erfasst.';
  if (action === 'accept' && !h.meeting?.heldAt) return 'Der Fall kann erst nach dem Übergabegespräch übernommen werden.';
  if (action === 'withdraw-consent' && h.consent?.decision !== 'given') return 'Es liegt keine erteilte Einwilligung vor.';
  return null;
}

export function allowedHandoverActions(h: HandoverData, actor?: Actor): HandoverAction[] {
  return HANDOVER_ACTIONS.filter(
    (a) =>
      HANDOVER_TRANSITIONS[a].from.includes(h.state) &&
      (!actor || handoverPermissionError(h, a, actor) === null) &&
      handoverGuardError(h, a) === null,
  );
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The refusal of a command before anything changes (unknown action, role, state, guard, body), or its payload. */
function refuseOrParse(
  handover: HandoverData,
  command: { action: HandoverAction; payload?: unknown },
  actor: Actor,
): { ok: false; error: HandoverDecideError } | { ok: true; payload: Record<string, unknown> } {
  const { action } = command;
  if (!(HANDOVER_ACTIONS as readonly string[]).includes(action)) {
    return { ok: false, error: { code: 'validation_failed', message: 'Unbekannte Aktion', fields: { action: 'Unbekannte Aktion' } } };
  }
  const forbidden = handoverPermissionError(handover, action, actor);
  if (forbidden) return { ok: false, error: { code: 'forbidden', message: forbidden } };
  const allowed = () => allowedHandoverActions(handover, actor);
  if (!HANDOVER_TRANSITIONS[action].from.includes(handover.state)) {
    return {
      ok: false,
      error: {
        code: 'transition_not_allowed',
        message: `„${HANDOVER_ACTION_LABELS[action]}“ ist im Status „${HANDOVER_STATE_LABELS[handover.state]}“ nicht möglich.`,
        allowed: allowed(),
      },
    };
  }
  const guard = handoverGuardError(handover, action);
  if (guard) return { ok: false, error: { code: 'transition_not_allowed', message: guard, allowed: allowed() } };
  const parsed = checkHandoverActionPayload(action, command.payload);
  if (!parsed.ok) {
    return { ok: false, error: { code: 'validation_failed', message: 'Die Eingaben sind unvollständig oder ungültig.', fields: parsed.fields } };
  }
  return { ok: true, payload: parsed.payload as Record<string, unknown> };
}

interface ActionStep {
  /** The copy of the handover the action changes. */
  h: HandoverData;
  p: Record<string, unknown>;
  ctx: HandoverContext;
  settings: DeadlineSettings;
  emit: EmitFn;
  ops: { now: string; newId: (prefix: string) => string; emit: EmitFn };
  /** The actions the actor may take on the handover as it was. */
  allowed: () => HandoverAction[];
}

/** What each action does to the copy; an error leaves the handover as it was. */
const ACTION_STEPS: Record<HandoverAction, (s: ActionStep) => HandoverDecideError | void> = {
  'record-consent': ({ h, p, ctx, settings, emit, ops }) => {
    const decision = p.decision as 'given' | 'refused';
    h.consent = { decision, recordedAt: ctx.now, recordedBy: ctx.actor.id };
    meetDeadlines(h.deadlines, (d) => d.kind === 'handover_consent', ops);
    if (decision === 'refused') {
      // Refusal ends the handover; nothing is passed on.
      h.state = 'refused';
      emit('handover_consent_refused', 'Einwilligung zur Übergabe verweigert – Übergabe beendet', { handoverId: h.id });
      return;
    }
    h.state = 'consent_given';
    h.visibleToReceiver = true;
    emit('handover_consent_given', `Einwilligung zur Übergabe erteilt – Daten für ${organisationShortName(h.receivingOrganisationId)} freigegeben`, {
      handoverId: h.id,
      receivingOrganisationId: h.receivingOrganisationId,
    });
    armDeadline(h.deadlines, { kind: 'handover_meeting', ...dueIn(ctx.now, settings.handoverMeetingDays) }, ops);
  },
  'schedule-meeting': ({ h, p, ctx, emit }) => {
    const rescheduled = h.meeting !== undefined;
    h.meeting = { at: p.at as string, participants: p.participants as string[], scheduledAt: ctx.now, scheduledBy: ctx.actor.id };
    h.state = 'meeting_scheduled';
    emit('handover_meeting_scheduled', `Übergabegespräch ${rescheduled ? 'neu ' : ''}geplant am ${formatDateDe(h.meeting.at)}`, {
      handoverId: h.id,
      at: h.meeting.at,
      participants: h.meeting.participants,
      rescheduled,
    });
  },
  'complete-meeting': ({ h, p, ctx, emit, ops, allowed }) => {
    const meeting = h.meeting;
    if (!meeting) return { code: 'transition_not_allowed', message: 'Kein Gespräch geplant.', allowed: allowed() };
    meeting.heldAt = (p.heldAt as string | undefined) ?? ctx.now;
    meeting.heldBy = ctx.actor.id;
    if (p.notes) meeting.notes = p.notes as string;
    emit('handover_meeting_held', `Übergabegespräch geführt am ${formatDateDe(meeting.heldAt)}`, { handoverId: h.id, heldAt: meeting.heldAt });
    meetDeadlines(h.deadlines, (d) => d.kind === 'handover_meeting', ops);
  },
  accept: ({ h, p, ctx, emit, ops }) => {
    const assigneeId = (p.assigneeId as string | undefined) ?? (ctx.actor.role === 'case_manager' ? ctx.actor.id : undefined);
    h.acceptance = { at: ctx.now, by: ctx.actor.id, ...(assigneeId ? { assigneeId } : {}) };
    h.state = 'handed_over';
    emit('handover_accepted', `Fall übernommen von ${organisationShortName(h.receivingOrganisationId)} (Fallübernahme)`, {
      handoverId: h.id,
      caseId: h.caseId,
      receivingOrganisationId: h.receivingOrganisationId,
      assigneeId,
      consentRecordedAt: h.consent?.recordedAt,
    });
    cancelDeadlines(h.deadlines, () => true, 'Übergabe abgeschlossen', ops);
  },
  cancel: ({ h, p, ctx, emit, ops }) => {
    h.cancellation = { reason: p.reason as string, at: ctx.now, by: ctx.actor.id };
    h.state = 'cancelled';
    emit('handover_cancelled', `Übergabe abgebrochen: ${p.reason as string}`, { handoverId: h.id, reason: p.reason });
    cancelDeadlines(h.deadlines, () => true, 'Übergabe abgebrochen', ops);
  },
  'withdraw-consent': ({ h, p, ctx, emit, ops }) => {
    // domain.md: withdrawal stops any sharing it covered. The handover cannot go on without consent, so it ends;
    // the receiving organisation falls back to "a handover existed" (receiverView) from this moment on.
    const note = p.note as string | undefined;
    h.consentWithdrawal = { at: ctx.now, by: ctx.actor.id, ...(note ? { note } : {}) };
    h.cancellation = { reason: 'Einwilligung widerrufen', at: ctx.now, by: ctx.actor.id };
    h.visibleToReceiver = false;
    h.state = 'cancelled';
    emit('handover_consent_withdrawn', 'Einwilligung zur Übergabe widerrufen – Übergabe beendet, Daten nicht mehr freigegeben', {
      handoverId: h.id,
      receivingOrganisationId: h.receivingOrganisationId,
    });
    cancelDeadlines(h.deadlines, () => true, 'Einwilligung widerrufen', ops);
  },
};

export function decideHandover(
  handover: HandoverData,
  command: { action: HandoverAction; payload?: unknown },
  ctx: HandoverContext,
): HandoverDecideResult {
  const checked = refuseOrParse(handover, command, ctx.actor);
  if (!checked.ok) return checked;
  const h = clone(handover);
  const { events, emit } = eventCollector(ctx.now, ctx.actor.id);
  const ops = { now: ctx.now, newId: ctx.newId, emit };
  const settings = ctx.settings ?? defaultDeadlineSettings;
  const allowed = () => allowedHandoverActions(handover, ctx.actor);
  const error = ACTION_STEPS[command.action]({ h, p: checked.payload, ctx, settings, emit, ops, allowed });
  if (error) return { ok: false, error };
  return { ok: true, next: h, events };
}

// ---------------------------------------------------------------------------------------------------------------
// Timers

export interface HandoverNotification {
  kind: 'reminder' | 'lapsed';
  deadlineKind: DeadlineKind;
  to: 'counsellor' | 'receiver';
  handoverId: string;
  dueAt: string;
  /** counsellor: the requesting user id; receiver: the receiving organisation (no person assigned yet). */
  userId?: string;
  organisationId: string;
}

/**
 * Consent deadline fired while still awaiting consent → `lapsed`, counsellor notified.
 * Meeting deadline fired while the meeting has not been held → reminder to both sides.
 * Stale timers (deadline met/cancelled, handover terminal) are ignored.
 */
export function onHandoverDeadlineFired(
  handover: HandoverData,
  deadlineId: string,
  phase: FirePhase,
  now: string,
): { next: HandoverData; events: DomainEvent[]; notifications: HandoverNotification[] } {
  const none = { next: handover, events: [], notifications: [] };
  const h = clone(handover);
  const d = h.deadlines.find((x) => x.id === deadlineId);
  if (!d || !applyFire(d, phase, now)) return none;
  const { events, emit } = eventCollector(now);
  const data = { handoverId: h.id, deadlineId: d.id, kind: d.kind, dueAt: d.dueAt };
  const counsellor: HandoverNotification = {
    kind: 'reminder',
    deadlineKind: d.kind,
    to: 'counsellor',
    handoverId: h.id,
    dueAt: d.dueAt,
    userId: h.requestedBy,
    organisationId: h.counsellorOrganisationId,
  };
  emit('deadline_missed', `Frist überschritten: ${DEADLINE_LABELS[d.kind]} (fällig ${formatDateDe(d.dueAt)})`, data);
  if (d.kind === 'handover_consent') {
    lapse(h, now, emit);
    return { next: h, events, notifications: [{ ...counsellor, kind: 'lapsed' }] };
  }
  const receiver: HandoverNotification = {
    kind: 'reminder',
    deadlineKind: d.kind,
    to: 'receiver',
    handoverId: h.id,
    dueAt: d.dueAt,
    organisationId: h.receivingOrganisationId,
  };
  emit('reminder_sent', 'Erinnerung an Sozialberatung und aufnehmendes Case Management: Übergabegespräch steht aus', { ...data, to: ['counsellor', 'receiver'] });
  return { next: h, events, notifications: [counsellor, receiver] };
}

function lapse(h: HandoverData, now: string, emit: EmitFn): void {
  h.state = 'lapsed';
  h.lapsedAt = now;
  emit('handover_lapsed', 'Übergabe verfallen: keine Einwilligung innerhalb der Frist – Sozialberatung informiert', { handoverId: h.id });
}

export function handoverTimers(h: HandoverData): PendingTimer[] {
  return pendingTimers(h.deadlines);
}

/** What the receiving organisation may see: before consent only that a handover exists — no person, no reasons. */
export function receiverView(h: HandoverData): Partial<HandoverData> & Pick<HandoverData, 'id' | 'state' | 'receivingOrganisationId'> {
  if (h.visibleToReceiver) return h;
  return { id: h.id, state: h.state, receivingOrganisationId: h.receivingOrganisationId, visibleToReceiver: false };
}
