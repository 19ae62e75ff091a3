// The documents of a case file (mount at /api/v1/cases; operations/case-documents.ts):
//   POST /:id/documents          multipart/form-data: kind, title, file, requestId → 201 (200 for a repeated requestId)
//   GET  /:id/documents          the list
//   GET  /:id/documents/:docId   the file, always as an attachment
//   GET  /:id/contact            the person's contact data (operations/case-contact.ts)
//   PUT  /:id/contact            replaces it
//   GET/POST /:id/links, DELETE /:id/links/:linkId   related persons' own cases (operations/case-links.ts, issue 14)
import { Router } from 'express';
import { sendDocument } from '../http/attachment.js';
import { callerOf } from '../http/caller.js';
import type { OperationDeps } from '../operations/caller.js';
import { readCaseContact, updateCaseContact } from '../operations/case-contact.js';
import { linkCase, listCaseLinks, unlinkCase } from '../operations/case-links.js';
import { downloadCaseDocument, listCaseDocuments, uploadCaseDocument } from '../operations/case-documents.js';

export function caseDocumentsRouter(deps: Pick<OperationDeps, 'db' | 'temporal'>): Router {
  const router = Router();

  router.post('/:id/documents', async (req, res) => {
    const { document, created } = await uploadCaseDocument(deps, callerOf(req), req.params.id, (req.body ?? {}) as Record<string, unknown>, req.uploads ?? []);
    res.status(created ? 201 : 200).json(document);
  });

  router.get('/:id/documents', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json({ documents: await listCaseDocuments(deps, callerOf(req), req.params.id) });
  });

  router.get('/:id/documents/:docId', async (req, res) => {
    sendDocument(res, await downloadCaseDocument(deps, callerOf(req), req.params.id, req.params.docId));
  });

  router.get('/:id/contact', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json(await readCaseContact(deps, callerOf(req), req.params.id));
  });

  router.put('/:id/contact', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json(await updateCaseContact(deps, callerOf(req), req.params.id, req.body));
  });

  router.get('/:id/links', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json(await listCaseLinks(deps, callerOf(req), req.params.id));
  });

  router.post('/:id/links', async (req, res) => {
    res.status(201).json(await linkCase(deps, callerOf(req), req.params.id, req.body));
  });

  router.delete('/:id/links/:linkId', async (req, res) => {
    await unlinkCase(deps, callerOf(req), req.params.id, req.params.linkId);
    res.status(204).end();
  });

  return router;
}
