// Cases: open a case (rows + workflow) and read it (state from the workflow, person from the database).
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { createCaseSchema, proposeProvider, zodFields } from './case-input.js';
import { ApiError } from './errors.js';
import type { Database } from '../platform/database.js';
import { caseViewQuery, caseWorkflowId } from '../workflows/definitions.js';
import type { CaseView, CaseWorkflowInput } from '../workflows/case-state.js';
import { caseMunicipalityKey, caseOrganisationKey, caseStateKey } from '../workflows/search-attributes.js';

export interface CasesDependencies {
  db: Database;
  temporal: Client;
  taskQueue: string;
}

type CaseRow = NonNullable<Awaited<ReturnType<typeof loadCaseRow>>>;

function loadCaseRow(db: Database, id: string) {
  return db.case.findUnique({ where: { id }, include: { person: true } });
}

function toCaseResponse(row: CaseRow, view: CaseView | null) {
  const p = row.person;
  return {
    id: row.id,
    state: view?.state ?? row.state,
    onHold: view?.onHold ?? row.onHold,
    organisationId: view?.organisationId ?? row.organisationId,
    assignee: view ? view.assigneeId : row.assigneeId,
    proposedProvider: view?.proposedProvider ?? {
      organisationId: row.proposedOrganisationId,
      reason: row.proposalReason,
    },
    person: {
      id: p.id,
      givenName: p.givenName,
      familyName: p.familyName,
      birthDate: p.birthDate.toISOString().slice(0, 10),
      municipality: p.municipality,
      languages: p.languages,
    },
    source: row.source,
    consents: [],
    assessment: null,
    goals: [],
    referrals: [],
    contacts: { count: 0, byKind: {} },
    deadlines: (view?.deadlines ?? []).map((d) => ({ kind: d.kind, dueAt: d.dueAt, status: d.status })),
    openedAt: row.openedAt.toISOString(),
    closedAt: view?.closedAt ?? row.closedAt?.toISOString() ?? null,
    closure: null,
    // Where the state came from: the live workflow, or the read model once the engine dropped the history.
    stateSource: view ? 'workflow' : 'read_model',
  };
}

export function casesRouter({ db, temporal, taskQueue }: CasesDependencies): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const parsed = createCaseSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      throw new ApiError(422, 'validation_failed', 'Die Angaben sind unvollständig oder ungültig.', {
        fields: zodFields(parsed.error),
      });
    }
    const body = parsed.data;
    const openedAt = new Date();
    const proposal = proposeProvider(body.person.municipality, body.person.birthDate, openedAt);
    const caseId = randomUUID();
    const workflowId = caseWorkflowId(caseId);

    const [person] = await db.$transaction(async (tx) => {
      const created = await tx.person.create({
        data: {
          givenName: body.person.givenName,
          familyName: body.person.familyName,
          birthDate: new Date(`${body.person.birthDate}T00:00:00Z`),
          municipality: body.person.municipality,
          languages: body.person.languages,
        },
      });
      await tx.case.create({
        data: {
          id: caseId,
          workflowId,
          personId: created.id,
          state: 'intake',
          organisationId: proposal.organisationId,
          proposedOrganisationId: proposal.organisationId,
          proposalReason: proposal.reason,
          municipality: body.person.municipality,
          source: body.source,
          note: body.note ?? null,
          openedAt,
        },
      });
      return [created];
    });

    const input: CaseWorkflowInput = {
      caseId,
      organisationId: proposal.organisationId,
      municipality: body.person.municipality,
      openedAt: openedAt.toISOString(),
      proposedProvider: proposal,
    };
    try {
      await temporal.workflow.start('caseWorkflow', {
        workflowId,
        taskQueue,
        args: [input],
        typedSearchAttributes: [
          { key: caseStateKey, value: 'intake' },
          { key: caseOrganisationKey, value: proposal.organisationId },
          { key: caseMunicipalityKey, value: body.person.municipality },
        ],
      });
    } catch (error) {
      // No workflow, no case: remove the rows so nothing half-written remains.
      await db.$transaction([db.case.delete({ where: { id: caseId } }), db.person.delete({ where: { id: person.id } })]);
      console.error('[api] could not start case workflow', error);
      throw new ApiError(503, 'temporal_unavailable', 'Der Fall konnte nicht angelegt werden: Die Prozess-Engine ist nicht erreichbar.');
    }

    const row = await loadCaseRow(db, caseId);
    if (!row) throw new ApiError(500, 'internal_error', 'Fall nach dem Anlegen nicht gefunden.');
    res.status(201).location(`/api/v1/cases/${caseId}`).json(toCaseResponse(row, null));
  });

  router.get('/:id', async (req, res) => {
    const row = await loadCaseRow(db, req.params.id);
    if (!row) throw new ApiError(404, 'not_found', 'Fall nicht gefunden.');
    let view: CaseView | null = null;
    try {
      view = await temporal.workflow.getHandle(row.workflowId).query(caseViewQuery);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    res.json(toCaseResponse(row, view));
  });

  return router;
}
