// "Meine Aufgaben" (/aufgaben): the caller's work queue (api/operations/tasks.ts), and the count of it that every
// page's navigation shows (taskCountForPages: one aggregated query per page view, only for signed-in page GETs).
import { Router, type RequestHandler } from 'express';
import { CASE_STATE_LABELS, type CaseState } from '../../domain/index.js';
import { callerOf } from '../http/caller.js';
import type { OperationDeps } from '../operations/caller.js';
import { organisationNames, staffDirectory } from '../operations/directory.js';
import { myTasks, taskCount, type PersonalTasks } from '../operations/tasks.js';
import { DEADLINE_STATUS_LABELS, formatDate, formatDateTime } from './labels.js';
import { layout, orRefusalPage, requirePageUser, send } from './kit.js';
import { renderPage } from './views.js';
import { errorFields, logger } from '../../platform/logger.js';

/** Paths that are no page (JSON, assets, feeds, health): no count is looked up for them. */
const NOT_A_PAGE = /^\/(api|assets|healthz|metrics|kalender)(\/|$)/;

export function taskCountForPages(deps: Pick<OperationDeps, 'db'>): RequestHandler {
  return async (req, res, next) => {
    if (req.method !== 'GET' || !req.user || NOT_A_PAGE.test(req.path)) return next();
    try {
      res.locals.taskCount = await taskCount(deps, req.user);
    } catch (error) {
      // The navigation must not fail a page: without the number it shows the entry alone.
      logger.warn({ component: 'tasks', ...errorFields(error) }, 'task count failed; navigation without it');
      res.locals.taskCount = null;
    }
    next();
  };
}

const ref = (caseId: string) => caseId.slice(0, 8);

export function tasksPagesRouter(deps: Pick<OperationDeps, 'db'>): Router {
  const router = Router();
  router.get('/aufgaben', requirePageUser, async (req, res) => {
    const now = new Date();
    const tasks = await orRefusalPage(req, res, myTasks(deps, callerOf(req, 'page'), now));
    if (!tasks) return;
    const [orgs, staff] = await Promise.all([organisationNames(deps.db), staffDirectory(deps.db)]);
    const deadline = (d: { caseId: string; label: string; dueAt: string; status: string; overdue: boolean; organisationId: string; assigneeId: string | null }) => ({
      caseId: d.caseId,
      ref: ref(d.caseId),
      label: d.label,
      due: formatDate(d.dueAt),
      status: DEADLINE_STATUS_LABELS[d.status as keyof typeof DEADLINE_STATUS_LABELS] ?? d.status,
      overdue: d.overdue,
      organisation: orgs.short(d.organisationId),
      assignee: staff.name(d.assigneeId),
    });
    const handover = (h: PersonalTasks['handovers'][number]) => ({
      ...h,
      ref: h.id.slice(0, 8),
      consentDue: h.consentDueAt ? formatDate(h.consentDueAt) : null,
      meeting: h.meetingAt ? formatDateTime(h.meetingAt) : null,
      proposed: formatDate(h.createdAt),
    });
    const view =
      tasks.queue === 'personal'
        ? {
            personal: true,
            deadlines: tasks.deadlines.map(deadline),
            handovers: tasks.handovers.map(handover),
            returnedClosures: tasks.returnedClosures.map((r) => ({ ...r, ref: ref(r.caseId), returned: formatDate(r.returnedAt) })),
          }
        : {
            coordination: true,
            closureRequests: tasks.closureRequests.map(deadline),
            unassignedCases: tasks.unassignedCases.map((c) => ({
              ...c,
              ref: ref(c.caseId),
              stateLabel: CASE_STATE_LABELS[c.state as CaseState] ?? c.state,
              organisation: orgs.short(c.organisationId),
              opened: formatDate(c.openedAt),
            })),
            handovers: tasks.handovers.map(handover),
            escalations: tasks.escalations.map(deadline),
          };
    send(res, 200, renderPage('tasks', { ...layout(req, 'Meine Aufgaben', 'aufgaben'), ...view, count: tasks.count, asOf: formatDateTime(now) }));
  });
  return router;
}
