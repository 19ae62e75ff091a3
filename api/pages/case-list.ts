// "Meine Fälle": the caller's cases with filters, and the cases other organisations shared with theirs.
import { Router, type Request } from 'express';
import { CASE_STATES, CASE_STATE_LABELS, DEADLINE_LABELS, MUNICIPALITIES, type CaseState } from '../../domain/index.js';
import { callerOf } from '../http/caller.js';
import { canOpenCase } from '../operations/access-policy.js';
import type { OperationDeps } from '../operations/caller.js';
import { listCases } from '../operations/cases.js';
import { organisationNames, staffDirectory, type StaffDirectory } from '../operations/directory.js';
import { listSharedCases } from '../operations/partner-access.js';
import { formatDate } from './labels.js';
import { layout, requirePageUser, send, signedInUser } from './kit.js';
import { renderPage } from './views.js';

const PAGE_SIZE = 25;

type ListFilters = ReturnType<typeof listFilters>;
type CaseListItem = Awaited<ReturnType<typeof listCases>>['items'][number];

/** The list's filters from the page's German query parameters (unknown values are ignored). */
function listFilters(q: Request['query']) {
  const pick = (v: unknown, allowed: readonly string[]) => (typeof v === 'string' && allowed.includes(v) ? v : undefined);
  return {
    state: pick(q.status, CASE_STATES),
    organisation: typeof q.traeger === 'string' && /^[a-z0-9-]{1,64}$/.test(q.traeger) ? q.traeger : undefined,
    open: q.offen === '1',
    municipality: pick(q.gemeinde, MUNICIPALITIES),
    overdue: q.ueberfaellig === '1',
    mine: q.zugewiesen === 'ich',
    search: typeof q.suche === 'string' ? q.suche.trim().slice(0, 200) : '',
    page: Math.max(1, Number.parseInt(typeof q.seite === 'string' ? q.seite : '1', 10) || 1),
  };
}

/** The filters as the query of listCases (the same as GET /api/v1/cases takes). */
function listQuery(filters: ListFilters) {
  return {
    ...(filters.state ? { state: filters.state } : {}),
    ...(filters.organisation ? { organisationId: filters.organisation } : {}),
    ...(filters.open ? { open: 'true' } : {}),
    ...(filters.municipality ? { municipality: filters.municipality } : {}),
    ...(filters.overdue ? { overdue: 'true' } : {}),
    ...(filters.mine ? { assignee: 'me' } : {}),
    ...(filters.search ? { q: filters.search } : {}),
    page: String(filters.page),
    pageSize: String(PAGE_SIZE),
  };
}

function pageLink(filters: ListFilters, page: number): string {
  const params = new URLSearchParams();
  if (filters.state) params.set('status', filters.state);
  if (filters.organisation) params.set('traeger', filters.organisation);
  if (filters.open) params.set('offen', '1');
  if (filters.municipality) params.set('gemeinde', filters.municipality);
  if (filters.overdue) params.set('ueberfaellig', '1');
  if (filters.mine) params.set('zugewiesen', 'ich');
  if (filters.search) params.set('suche', filters.search);
  params.set('seite', String(page));
  return `/faelle?${params.toString()}`;
}

/** One row of "Meine Fälle": in full, or only the state of a case the caller handed over. */
function listRow(item: CaseListItem, orgName: (id: string) => string, staff: StaffDirectory) {
  if ('access' in item) {
    return { id: item.id, stateOnly: true, state: CASE_STATE_LABELS[item.state as CaseState] ?? item.state, organisation: orgName(item.organisationId) };
  }
  return {
    id: item.id,
    name: `${item.person.familyName}, ${item.person.givenName}`,
    state: CASE_STATE_LABELS[item.state as CaseState] ?? item.state,
    onHold: item.onHold,
    municipality: item.municipality,
    organisation: orgName(item.organisationId),
    assignee: item.assignee ? staff.name(item.assignee) : '–',
    next: item.nextDeadline
      ? `${DEADLINE_LABELS[item.nextDeadline.kind as keyof typeof DEADLINE_LABELS] ?? item.nextDeadline.kind}, ${formatDate(item.nextDeadline.dueAt)}`
      : '–',
    overdue: item.overdue,
  };
}

/** One row of the cases shared with the caller's organisation (only what the consents cover). */
function sharedRow(item: Awaited<ReturnType<typeof listSharedCases>>['items'][number], orgName: (id: string) => string) {
  return {
    id: item.id,
    name: item.person ? `${item.person.familyName}, ${item.person.givenName}` : undefined,
    holder: orgName(item.organisationId),
    purposes: item.consents.map((k) => k.purpose ?? '–').join('; '),
    since: formatDate(item.consents[0]?.recordedAt ?? ''),
  };
}

export function caseListPagesRouter(deps: OperationDeps): Router {
  const { db } = deps;
  const router = Router();

  router.get('/faelle', requirePageUser, async (req, res) => {
    const user = signedInUser(req);
    const filters = listFilters(req.query);
    const list = await listCases(deps, callerOf(req, 'page'), listQuery(filters));
    const [orgs, staff] = await Promise.all([organisationNames(db), staffDirectory(db)]);
    const items = list.items.map((item) => listRow(item, orgs.short, staff));
    // Cases other organisations shared with this one (consent-bound sharing): a list of its own, unfiltered.
    const shared = await listSharedCases(db, callerOf(req, 'page'), { pageSize: '200' });
    const sharedItems = shared.items.map((item) => sharedRow(item, orgs.short));
    const pageCount = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
    const link = (page: number) => pageLink(filters, page);
    send(
      res,
      200,
      renderPage('cases', {
        ...layout(req, 'Meine Fälle', 'faelle'),
        items,
        total: list.total,
        stateOptions: CASE_STATES.map((s) => ({ value: s, label: CASE_STATE_LABELS[s], selected: s === filters.state })),
        municipalityOptions: MUNICIPALITIES.map((m) => ({ value: m, label: m, selected: m === filters.municipality })),
        organisationOptions: orgs.rows.filter((o) => o.kind !== 'jobcenter').map((o) => ({ value: o.id, label: o.shortName, selected: o.id === filters.organisation })),
        filters,
        filtered: Boolean(filters.state || filters.organisation || filters.open || filters.municipality || filters.overdue || filters.mine || filters.search),
        page: filters.page,
        pageCount,
        prev: filters.page > 1 ? link(filters.page - 1) : undefined,
        next: filters.page < pageCount ? link(filters.page + 1) : undefined,
        canOpenCases: canOpenCase(user),
        sharedItems,
        sharedTotal: shared.total,
      }),
    );
  });

  return router;
}
