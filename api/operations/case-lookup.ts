// Finding a case: its read-model row (with the person) and the case itself as the read model holds it.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CaseData, Contact, ContactKind, Deadline, DeadlineKind, DeadlineStatus } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { caseViewQuery } from '../../workflows/case-messages.js';

/** How long a read of the engine may take before the caller hears 503 (the same as starting a case). */
export const ENGINE_READ_MS = 5000;

/**
 * Before an update: is the engine reachable at all? An update itself must not be cut short (the workflow may take a
 * while to answer), but against an engine that is down the client would retry for ~20 s before failing.
 */
export async function ensureEngineReachable(temporal: Client): Promise<void> {
  await temporal.connection.withDeadline(Date.now() + 3000, () => temporal.connection.workflowService.getSystemInfo({}));
}

/** The read-model row of a case with its person. */
export function loadCaseRow(db: Database, id: string) {
  return db.case.findUnique({ where: { id }, include: { person: true } });
}

export type CaseRow = NonNullable<Awaited<ReturnType<typeof loadCaseRow>>>;

/** How many of the latest contacts the case view carries (the case page lists them). */
const RECENT_CONTACTS = 10;

/**
 * The case as its workflow holds it now, asked by a query; null when the engine has no workflow for it (yet or any
 * more) and once the case's personal data is erased (its last run answers no queries).
 */
export async function queryCaseView(temporal: Client, row: { workflowId: string; erasedAt: Date | null }): Promise<CaseData | null> {
  if (row.erasedAt) return null;
  try {
    // Bounded: an unreachable engine is a 503 within seconds (DEADLINE_EXCEEDED), not after the client's ~20 s of retries.
    return await temporal.connection.withDeadline(Date.now() + ENGINE_READ_MS, () => temporal.workflow.getHandle(row.workflowId).query(caseViewQuery));
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

type CaseViewRow = Pick<CaseRow, 'id' | 'workflowId' | 'erasedAt' | 'lastEventSeq'>;

/**
 * The case as the read model holds it — after its last record, or as the record numbered `atSeq` left it (the
 * answer to an action): the snapshot written with that record (the workflow's compact state), the deadlines it had
 * resolved by then from CaseDeadline, and the latest contacts from their events. The record is written before an
 * action is answered, so this is read-your-writes. Null once the personal data is erased. Cases recorded before
 * snapshots existed are asked from their workflow.
 */
export async function readCaseView(db: Database, temporal: Client, row: CaseViewRow, atSeq?: number): Promise<CaseData | null> {
  if (row.erasedAt) return null;
  const seq = atSeq ?? row.lastEventSeq;
  const [snapshot, resolved, contacts] = await Promise.all([
    db.caseSnapshot.findFirst({ where: { caseId: row.id, seq: { lte: seq } }, orderBy: { seq: 'desc' } }),
    db.caseDeadline.findMany({ where: { caseId: row.id, status: { in: ['met', 'cancelled'] }, updatedSeq: { lte: seq } } }),
    db.caseEvent.findMany({
      where: { caseId: row.id, type: 'contact_recorded', seq: { lte: seq } },
      orderBy: { seq: 'desc' },
      take: RECENT_CONTACTS,
      select: { at: true, actorId: true, data: true },
    }),
  ]);
  if (!snapshot || snapshot.seq < seq) return queryCaseView(temporal, row);
  const data = snapshot.data as unknown as CaseData;
  const live = new Set(data.deadlines.map((d) => d.id));
  const deadlines: Deadline[] = [...data.deadlines, ...resolved.filter((r) => !live.has(r.id)).map(deadlineOfRow)].sort(
    (a, b) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id),
  );
  return { ...data, deadlines, contacts: { ...data.contacts, items: withRecent(data.contacts.items, contacts.map(contactOfEvent)) } };
}

function deadlineOfRow(r: { id: string; kind: string; dueAt: Date; escalateAt: Date | null; status: string; refId: string | null }): Deadline {
  return {
    id: r.id,
    kind: r.kind as DeadlineKind,
    dueAt: r.dueAt.toISOString(),
    ...(r.escalateAt ? { escalateAt: r.escalateAt.toISOString() } : {}),
    status: r.status as DeadlineStatus,
    ...(r.refId ? { refId: r.refId } : {}),
    setAt: r.dueAt.toISOString(),
  };
}

function contactOfEvent(e: { at: Date; actorId: string | null; data: unknown }): Contact {
  const d = e.data as { contactId: string; kind: ContactKind; date: string; durationMinutes?: number; note?: string };
  return {
    id: d.contactId,
    kind: d.kind,
    date: d.date,
    durationMinutes: d.durationMinutes ?? 0,
    ...(d.note ? { note: d.note } : {}),
    recordedBy: e.actorId ?? '',
    recordedAt: e.at.toISOString(),
  };
}

/** Contacts kept in the case from before version 5 (with their notes) and the latest recorded ones, by contact. */
function withRecent(legacy: Contact[], recent: Contact[]): Contact[] {
  const known = new Set(legacy.map((c) => c.id));
  return [...legacy, ...recent.filter((c) => !known.has(c.id))];
}

/**
 * The events one action recorded (sequence numbers after `afterSeq` up to `uptoSeq`), oldest first: what the case page
 * says changed. The caller has read the case in full already (its read is logged); at most 200 events.
 */
export async function eventsOfAction(db: Database, caseId: string, afterSeq: number, uptoSeq: number): Promise<Array<{ type: string; summary: string }>> {
  if (!Number.isSafeInteger(afterSeq) || !Number.isSafeInteger(uptoSeq) || uptoSeq <= afterSeq || uptoSeq - afterSeq > 200) return [];
  return db.caseEvent.findMany({ where: { caseId, seq: { gt: afterSeq, lte: uptoSeq } }, orderBy: { seq: 'asc' }, select: { type: true, summary: true } });
}
