// Work deadlines in a case's facts (domain/controlling/facts.ts), following accumulate.ts trackDeadline: the figures
// met on time / late, missed and escalated at the moment of their event, and the stretches in which a deadline was
// overdue — kept as the days whose midnight they cover, since the report counts overdue deadlines at the end of a
// window, and windows end at local midnights. A deadline's track ends when it is met or cancelled (the domain emits
// nothing about it afterwards).
import { localDay } from './calendar.js';
import { addRecent } from './facts-days.js';
import { figureCode, type CaseFactsWork, type PendingDeadline } from './facts-model.js';
import { str, type Ev } from './histories.js';
import { CONTROLLED_DEADLINE_KINDS } from './model.js';

const OPEN = 0;
const OVERDUE = 1;
const SUSPENDED = 2;
const [MET_ON_TIME, MET_LATE, MISSED, ESCALATED] = [0, 1, 2, 3];

export function foldDeadline(f: CaseFactsWork, e: Ev, timeZone: string): void {
  const id = str(e.data, 'deadlineId');
  if (!id || (!e.type.startsWith('deadline_') && e.type !== 'escalation_sent')) return;
  const i = f.pending.findIndex((p) => p[0] === id);
  if (e.type === 'deadline_set') {
    const kind = (CONTROLLED_DEADLINE_KINDS as readonly string[]).indexOf(str(e.data, 'kind') ?? '');
    if (kind < 0) return;
    const fresh: PendingDeadline = [id, kind, OPEN, OPEN, 0, -1];
    if (i < 0) {
      f.pending.push(fresh);
    } else {
      leaveOverdue(f, f.pending[i]!, e.at, timeZone);
      f.pending[i] = fresh;
    }
    return;
  }
  const d = f.pending[i];
  if (!d) return; // not a work deadline (retention), set before the store began, or already met/cancelled
  const count = (figure: number) => addRecent(f, e.at, figureCode(d[1], figure), timeZone);
  switch (e.type) {
    case 'deadline_met':
      count(e.data.late === true ? MET_LATE : MET_ON_TIME);
      leaveOverdue(f, d, e.at, timeZone);
      f.pending.splice(i, 1);
      break;
    case 'deadline_cancelled':
      leaveOverdue(f, d, e.at, timeZone);
      f.pending.splice(i, 1);
      break;
    case 'deadline_moved':
      if (d[2] === SUSPENDED) d[3] = OPEN;
      else setStatus(f, d, OPEN, e.at, timeZone);
      d[4] = 0;
      break;
    case 'deadline_suspended':
      if (d[2] === OPEN || d[2] === OVERDUE) d[3] = d[2];
      setStatus(f, d, SUSPENDED, e.at, timeZone);
      break;
    case 'deadline_rearmed':
      if (d[2] === SUSPENDED) setStatus(f, d, d[3], e.at, timeZone);
      break;
    case 'deadline_missed':
    case 'escalation_sent':
      // An escalation without a reminder before it (lost reminder timer) is still one missed deadline.
      if (!d[4]) count(MISSED);
      if (e.type === 'escalation_sent') count(ESCALATED);
      d[4] = 1;
      setStatus(f, d, OVERDUE, e.at, timeZone);
      break;
  }
}

function setStatus(f: CaseFactsWork, d: PendingDeadline, status: 0 | 1 | 2, at: number, timeZone: string): void {
  if (status === OVERDUE) {
    if (d[2] !== OVERDUE) d[5] = at;
  } else {
    leaveOverdue(f, d, at, timeZone);
  }
  d[2] = status;
}

/**
 * An overdue stretch [since, at) ends: overdue at a window end W means it became overdue before W and was not yet
 * resolved before W, i.e. since < W ≤ at — the midnights of the days after `since`'s day up to `at`'s day.
 */
function leaveOverdue(f: CaseFactsWork, d: PendingDeadline, at: number, timeZone: string): void {
  if (d[2] !== OVERDUE) return;
  const first = localDay(d[5], timeZone) + 1;
  const last = localDay(at, timeZone);
  d[5] = -1;
  if (first > last) return;
  const same = f.overdue.find((o) => o[0] === d[1] && o[1] === first && o[2] === last);
  if (same) same[3] += 1;
  else f.overdue.push([d[1], first, last, 1]);
}
