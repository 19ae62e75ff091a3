// Cases made for a drill: over HTTP (the normal way) or, for deadlines that must fire within the drill, started
// directly with an opening date 14 days back, so that the first-assessment reminder falls due at a chosen moment.
import type { Client } from '@temporalio/client';
import type { CaseData } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { openCaseRows, startCase } from '../../harness/cases.js';
import { defaultCaseSettings } from '../../domain/index.js';

const DAY_MS = 86_400_000;

/** A DRK case assigned to `assigneeId` whose first-assessment deadline (14 days after opening) is due at `dueAt`. */
export async function caseDueAt(db: Database, client: Client, taskQueue: string, assigneeId: string, dueAt: number): Promise<string> {
  const openedAt = new Date(dueAt - defaultCaseSettings.deadlines.firstAssessmentDays * DAY_MS).toISOString();
  const open = await openCaseRows(db, { openedAt, assigneeId, organisationId: 'drk', municipality: 'Kall' });
  await startCase(client, taskQueue, open);
  return open.caseId;
}

export type DeadlineSnapshot = Map<string, Map<string, { kind: string; dueAt: string; status: string }>>;

/** caseId → deadline id → (kind, dueAt, status), from the workflows. */
export function deadlinesOf(views: Map<string, CaseData>): DeadlineSnapshot {
  const snapshot: DeadlineSnapshot = new Map();
  for (const [caseId, view] of views) {
    snapshot.set(caseId, new Map(view.deadlines.map((d) => [d.id, { kind: d.kind, dueAt: new Date(d.dueAt).toISOString(), status: d.status }])));
  }
  return snapshot;
}

/** Deadlines present before and gone or moved after (status may progress: open → reminded/escalated/missed/met). */
export function lostDeadlines(before: DeadlineSnapshot, after: DeadlineSnapshot): string[] {
  const problems: string[] = [];
  for (const [caseId, deadlines] of before) {
    const now = after.get(caseId);
    for (const [id, d] of deadlines) {
      const a = now?.get(id);
      if (!a) problems.push(`${caseId.slice(0, 8)}: deadline ${d.kind} (${id.slice(0, 12)}) lost`);
      else if (a.dueAt !== d.dueAt) problems.push(`${caseId.slice(0, 8)}: deadline ${d.kind} moved ${d.dueAt} → ${a.dueAt}`);
    }
  }
  return problems;
}
