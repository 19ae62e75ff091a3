// Reading the event rows of the controlling report: each case's history as stretches of time with the same state,
// organisation and hold flag (durations and active cases are split at those moments), and each handover with the
// case, person and organisations it is attributed to.
import { isIsoDate, isIsoTimestamp } from '../dates.js';
import { zonedStartOfDay, type Window } from './calendar.js';
import { UNASSIGNED_GROUP, type ControllingCaseEvent, type ControllingHandoverEvent } from './model.js';

export type Json = Record<string, unknown>;
export const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
export const str = (o: Json, k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
const msOf = (at: Date | string): number => (at instanceof Date ? at.getTime() : Date.parse(at));

/** Separator inside composite map keys (case + referral, row + figure path). */
export const SEP = '\u001f';

export interface Ev {
  type: string;
  at: number;
  seq: number;
  data: Json;
}

/** Stretch of time in which a case's state, organisation and hold flag stayed the same. */
export interface Piece {
  start: number;
  end: number;
  /** The piece ends with the closure: the case was still open at that instant (closed exactly at `from` = active). */
  endInclusive: boolean;
  state: string;
  org: string;
  onHold: boolean;
}

export interface CaseModel {
  id: string;
  person: string;
  municipality: string;
  openedAt: number;
  events: Ev[];
  /** Organisation changes (opening, provider confirmed/overridden, transfer), in order. */
  orgChanges: { at: number; org: string }[];
  /** Open pieces only. */
  pieces: Piece[];
}

export interface HandoverModel {
  id: string;
  person: string;
  receivingOrganisationId: string;
  municipality: string;
  /** The linked case, if any (its age band and channel group the handover's figures). */
  caseId?: string;
  events: Ev[];
}

/** Events grouped by their owner (case or handover), each list in `seq` order, owners in a fixed (sorted) order. */
function groupEvents<R extends { seq: number; type: string; at: Date | string; data: unknown }>(
  rows: readonly R[],
  ownerOf: (row: R) => string,
): [string, Ev[]][] {
  const byOwner = new Map<string, Ev[]>();
  for (const row of rows) {
    const list = byOwner.get(ownerOf(row)) ?? [];
    list.push({ type: row.type, at: msOf(row.at), seq: row.seq, data: obj(row.data) });
    byOwner.set(ownerOf(row), list);
  }
  return [...byOwner.keys()].sort().map((id) => [id, byOwner.get(id)!.sort((a, b) => a.seq - b.seq)]);
}

/** Cases, in a fixed order so the result does not depend on the order of the rows. */
export function readCases(rows: readonly ControllingCaseEvent[], personOf: (caseId: string) => string): CaseModel[] {
  const cases: CaseModel[] = [];
  for (const [id, events] of groupEvents(rows, (row) => row.caseId)) {
    const model = buildCase(id, personOf(id), events);
    if (model) cases.push(model);
  }
  return cases;
}

export function readHandovers(
  rows: readonly ControllingHandoverEvent[],
  cases: readonly { id: string; municipality: string }[],
  personOf: (caseId: string) => string,
  caseOfHandover: Readonly<Record<string, string>> | undefined,
): HandoverModel[] {
  if (rows.length === 0) return [];
  const caseById = new Map(cases.map((c) => [c.id, c]));
  return groupEvents(rows, (row) => row.handoverId).map(([id, events]) => {
    const caseId = events.map((e) => str(e.data, 'caseId')).find((x) => x !== undefined) ?? caseOfHandover?.[id];
    const linked = caseId ? caseById.get(caseId) : undefined;
    const requested = events.find((e) => e.type === 'handover_requested');
    return {
      id,
      // Without a case the handover itself stands for the person (refused/lapsed handovers keep no personal data).
      person: caseId ? personOf(caseId) : `handover:${id}`,
      receivingOrganisationId: (requested && str(requested.data, 'receivingOrganisationId')) ?? UNASSIGNED_GROUP,
      municipality: linked?.municipality ?? UNASSIGNED_GROUP,
      ...(linked ? { caseId: linked.id } : {}),
      events,
    };
  });
}

function buildCase(id: string, person: string, events: Ev[]): CaseModel | null {
  const opened = events.find((e) => e.type === 'case_opened');
  if (!opened) return null; // incomplete store; nothing sensible to count
  const model: CaseModel = {
    id,
    person,
    municipality: str(opened.data, 'municipality') ?? UNASSIGNED_GROUP,
    openedAt: opened.at,
    events,
    orgChanges: [],
    pieces: [],
  };
  type Now = { state: string; org: string; onHold: boolean; open: boolean };
  let cur: Now | null = null;
  let since = 0;
  for (const e of events) {
    const next: Now = cur ? { ...cur } : { state: 'intake', org: UNASSIGNED_GROUP, onHold: false, open: false };
    if (e.type === 'case_opened') {
      Object.assign(next, { state: 'intake', org: str(e.data, 'organisationId') ?? UNASSIGNED_GROUP, onHold: false, open: true });
    } else if (!cur) {
      continue; // events before the opening cannot exist; ignore rather than invent a state
    }
    if (e.type === 'provider_confirmed' || e.type === 'provider_overridden') next.org = str(e.data, 'organisationId') ?? next.org;
    if (e.type === 'case_transferred') next.org = str(e.data, 'toOrganisationId') ?? next.org;
    if (e.type === 'case_put_on_hold') next.onHold = true;
    if (e.type === 'case_resumed') next.onHold = false;
    const toState = str(e.data, 'toState');
    if (toState) {
      next.state = toState;
      next.open = toState !== 'closed';
      if (!next.open) next.onHold = false; // closure ends a hold without an event of its own
    }
    if (!cur || next.org !== cur.org) model.orgChanges.push({ at: e.at, org: next.org });
    const changed = !cur || next.state !== cur.state || next.org !== cur.org || next.onHold !== cur.onHold || next.open !== cur.open;
    if (!changed) continue;
    if (cur?.open) {
      const endInclusive = !next.open;
      if (e.at > since || endInclusive) model.pieces.push({ start: since, end: e.at, endInclusive, state: cur.state, org: cur.org, onHold: cur.onHold });
    }
    cur = next;
    since = e.at;
  }
  if (cur?.open) model.pieces.push({ start: since, end: Infinity, endInclusive: false, state: cur.state, org: cur.org, onHold: cur.onHold });
  return model;
}

export function orgAt(c: CaseModel, t: number): string {
  let org = c.orgChanges[0]?.org ?? UNASSIGNED_GROUP; // before the opening (a back-dated contact): the first owner
  for (const change of c.orgChanges) {
    if (change.at > t) break;
    org = change.org;
  }
  return org;
}

export function overlaps(p: Piece, w: Window): boolean {
  return p.start < w.end && (p.end > w.start || (p.endInclusive && p.end >= w.start));
}

/** The moment a contact took place: its documented date (a date alone = local midnight), else when it was recorded. */
export function contactTime(e: Ev, timeZone: string): number {
  const date = str(e.data, 'date');
  if (date && isIsoDate(date)) return zonedStartOfDay(date, timeZone);
  if (date && isIsoTimestamp(date)) return Date.parse(date);
  return e.at;
}

/** The referral a referral event is about (`referral_sent` carries the referral, the others its id). */
export function referralIdOf(e: Ev): string | undefined {
  return e.type === 'referral_sent' ? str(obj(e.data.referral), 'id') : str(e.data, 'referralId');
}
