// Writes the durable record of a case: the append-only CaseEvent log and the Case read model.
// Idempotent: an activity retried after a crash finds its events already there (same seq) and changes nothing twice.
import type { Database } from '../platform/database.js';
import type { CaseEventRecord, CaseReadModel } from '../workflows/case-state.js';

export interface RecordCaseEventsInput {
  caseId: string;
  events: CaseEventRecord[];
  readModel: CaseReadModel;
}

export function eventKey(caseId: string, seq: number): string {
  return `${caseId}:${seq}`;
}

export function createCaseRecordActivities(db: Database) {
  return {
    async recordCaseEvents({ caseId, events, readModel }: RecordCaseEventsInput): Promise<void> {
      const lastSeq = events.reduce((max, e) => Math.max(max, e.seq), 0);
      await db.$transaction(async (tx) => {
        if (events.length > 0) {
          await tx.caseEvent.createMany({
            data: events.map((e) => ({
              caseId,
              seq: e.seq,
              eventKey: eventKey(caseId, e.seq),
              type: e.type,
              at: new Date(e.at),
              actorId: e.actorId ?? null,
              summary: e.summary,
              data: e.data as object,
            })),
            skipDuplicates: true,
          });
        }
        // Only move the read model forward: a late retry of an older write must not overwrite a newer one.
        await tx.case.updateMany({
          where: { id: caseId, lastEventSeq: { lte: lastSeq } },
          data: {
            state: readModel.state,
            onHold: readModel.onHold,
            organisationId: readModel.organisationId,
            assigneeId: readModel.assigneeId,
            closedAt: readModel.closedAt ? new Date(readModel.closedAt) : null,
            nextDeadlineAt: readModel.nextDeadline ? new Date(readModel.nextDeadline.dueAt) : null,
            nextDeadlineKind: readModel.nextDeadline?.kind ?? null,
            lastEventSeq: Math.max(lastSeq, 0),
          },
        });
      });
    },
  };
}
