// The case's history from the event store and, for a day in the past, the case as it stood then ("Stand am").
import { readableSummary, type CaseData } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { goalTitles, summaryWithGoal } from './history-entries.js';

/** The case's full history from the event store (oldest first, with actor names) and, for `asOf`, the case as
 *  it stood then: the snapshot written with the last event batch up to that time. Shared by API and the page. */
export async function caseHistory(db: Database, caseId: string, asOf?: Date) {
  const events = await db.caseEvent.findMany({
    where: { caseId, ...(asOf ? { at: { lte: asOf } } : {}) },
    orderBy: { seq: 'asc' },
  });
  // Who did it, by name: the Fallrekonstruktion is read by people.
  const actorIds = [...new Set(events.flatMap((e) => (e.actorId ? [e.actorId] : [])))];
  const users = await db.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true } });
  const byId = new Map(users.map((u) => [u.id, u]));
  let asOfCase: Record<string, unknown> | null = null;
  if (asOf) {
    const snapshot = await db.caseSnapshot.findFirst({ where: { caseId, at: { lte: asOf } }, orderBy: { seq: 'desc' } });
    const c = snapshot?.data as CaseData | undefined;
    asOfCase = c
      ? {
          asOf: asOf.toISOString(),
          afterEvent: snapshot!.seq,
          state: c.state,
          onHold: c.onHold,
          organisationId: c.organisationId,
          assignee: c.assigneeId ?? null,
          openDeadlines: c.deadlines.filter((d) => ['open', 'reminded', 'escalated', 'missed', 'suspended'].includes(d.status)),
          goals: c.goals,
          consents: c.consents,
          referrals: c.referrals,
          contacts: { count: c.contacts.count, byKind: c.contacts.byKind },
          closure: c.closure ?? null,
        }
      : null;
  }
  const titles = goalTitles(events);
  return {
    caseId,
    ...(asOf ? { asOf: asOf.toISOString(), case: asOfCase } : {}),
    events: events.map((e) => ({
      seq: e.seq,
      at: e.at.toISOString(),
      type: e.type,
      actor: e.actorId,
      actorName: e.actorId ? (byId.get(e.actorId)?.name ?? null) : null,
      // Older goal updates carry a status code in their summary: shown with its German label. A goal's deadline
      // names its goal.
      summary: summaryWithGoal({ ...e, summary: readableSummary(e.type, e.summary) }, titles),
      data: e.data,
    })),
  };
}
