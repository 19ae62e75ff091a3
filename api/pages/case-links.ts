// Related persons' own cases on the case page (issue 14): the links the viewer may follow, a form to link a case of
// the same organisation, and unlinking — the same operations as /api/v1/cases/:id/links.
import { Router } from 'express';
import type { Database } from '../../platform/database.js';
import { callerOf } from '../http/caller.js';
import type { AccessUser } from '../operations/access-policy.js';
import type { OperationDeps } from '../operations/caller.js';
import { RELATIONS, RELATION_LABELS } from '../operations/case-contact.js';
import { linkCandidates, linkCase, unlinkCase, visibleLinksOfCase } from '../operations/case-links.js';
import { readCase } from '../operations/cases.js';
import { ApiError } from '../operations/errors.js';
import { caseFileOf } from './case-documents.js';
import { renderCasePage } from './case-view.js';
import { bodyOf, orRefusalPage, parseForm, requirePageUser } from './kit.js';
import { formatDate } from './labels.js';

/** What the link form shows after a refused link: the message and the field errors. */
export interface LinkFailure {
  message: string;
  fields: Record<string, string>;
}

/** The panel's model: visible links (with the other person's name: the viewer has full access to that case). */
export async function caseLinksModel(db: Database, user: AccessUser, row: { id: string; organisationId: string; erasedAt: Date | null }, failure?: LinkFailure) {
  const links = await visibleLinksOfCase(db, user, row.id);
  const others = await db.case.findMany({ where: { id: { in: links.map((l) => l.caseId) } }, select: { id: true, person: { select: { givenName: true, familyName: true } } } });
  const nameOf = (id: string) => {
    const p = others.find((o) => o.id === id)?.person;
    return p ? `${p.givenName} ${p.familyName}` : 'Fall';
  };
  const candidates = row.erasedAt ? [] : await linkCandidates(db, user, row, links.map((l) => l.caseId));
  return {
    items: links.map((l) => ({ ...l, name: nameOf(l.caseId), url: `/faelle/${encodeURIComponent(l.caseId)}`, unlinkUrl: `/faelle/${encodeURIComponent(row.id)}/verknuepfungen/${encodeURIComponent(l.id)}/loesen` })),
    canLink: !row.erasedAt && candidates.length > 0,
    candidates: candidates.map((c) => ({ value: c.id, label: `${c.person.givenName} ${c.person.familyName}, geb. ${formatDate(c.person.birthDate.toISOString().slice(0, 10))}` })),
    relations: RELATIONS.map((k) => ({ value: k, label: RELATION_LABELS[k] })),
    failure,
  };
}

export function caseLinkPagesRouter(deps: OperationDeps): Router {
  const router = Router();
  const back = (id: string) => `/faelle/${encodeURIComponent(id)}#verknuepfte-faelle`;

  router.post('/faelle/:id/verknuepfungen', requirePageUser, parseForm, async (req, res) => {
    const id = req.params.id as string;
    const body = bodyOf(req);
    try {
      await linkCase(deps, callerOf(req, 'page'), id, { linkedCaseId: body.linkedCaseId ?? '', relation: body.relation ?? '' });
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 403)) return void (await orRefusalPage(req, res, Promise.reject(error)));
      if (!(error instanceof ApiError) || ![409, 422].includes(error.status)) throw error;
      const found = await readCase(deps, callerOf(req, 'page'), id);
      if (found.access !== 'full') throw error;
      const fields = (error.extra.fields as Record<string, string> | undefined) ?? {};
      return renderCasePage(deps.db, req, res, found.row, found.view, { status: error.status, ...(await caseFileOf(deps, found.row.id)), linkFailure: { message: error.message, fields } });
    }
    res.redirect(303, back(id));
  });

  router.post('/faelle/:id/verknuepfungen/:linkId/loesen', requirePageUser, parseForm, async (req, res) => {
    const id = req.params.id as string;
    if ((await orRefusalPage(req, res, unlinkCase(deps, callerOf(req, 'page'), id, req.params.linkId as string).then(() => true))) !== true) return;
    res.redirect(303, back(id));
  });

  return router;
}
