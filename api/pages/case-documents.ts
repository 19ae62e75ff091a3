// The documents of a case file on the case page: the upload form posts here (multipart, parsed by api/http/multipart.ts
// before the CSRF check) and runs the same operation as POST /api/v1/cases/:id/documents; a download is the same as
// GET /api/v1/cases/:id/documents/:docId (always an attachment, logged).
import { Router } from 'express';
import { sendDocument } from '../http/attachment.js';
import { callerOf } from '../http/caller.js';
import type { OperationDeps } from '../operations/caller.js';
import { documentsOfCase, downloadCaseDocument, uploadCaseDocument } from '../operations/case-documents.js';
import { readCase } from '../operations/cases.js';
import { ApiError } from '../operations/errors.js';
import { renderCasePage } from './case-view.js';
import { bodyOf, orRefusalPage, requirePageUser } from './kit.js';

export function caseDocumentPagesRouter(deps: OperationDeps): Router {
  const router = Router();

  router.post('/faelle/:id/dokumente', requirePageUser, async (req, res) => {
    const caller = callerOf(req, 'page');
    const id = req.params.id as string;
    const body = bodyOf(req);
    try {
      await uploadCaseDocument(deps, caller, id, body, req.uploads ?? []);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 403)) return orRefusalPage(req, res, Promise.reject(error));
      if (!(error instanceof ApiError) || ![409, 422, 503].includes(error.status)) throw error;
      // Refused: nothing stored. The case page again (a read of the case, logged), with the form's errors.
      const found = await readCase(deps, caller, id);
      if (found.access !== 'full') throw error;
      const fields = (error.extra.fields as Record<string, string> | undefined) ?? {};
      const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
      return renderCasePage(deps.db, req, res, found.row, found.view, {
        status: error.status,
        documents: await documentsOfCase(deps, found.row.id),
        documentFailure: { message: error.message, fields, kind: text(body.kind), title: text(body.title) },
      });
    }
    res.redirect(303, `/faelle/${encodeURIComponent(id)}#dokumente`);
  });

  router.get('/faelle/:id/dokumente/:docId', requirePageUser, async (req, res) => {
    const file = await orRefusalPage(req, res, downloadCaseDocument(deps, callerOf(req, 'page'), req.params.id as string, req.params.docId as string));
    if (file) sendDocument(res, file);
  });

  return router;
}
