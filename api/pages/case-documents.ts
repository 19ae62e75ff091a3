// The case file beside the workflow on the case page: documents (the upload form posts multipart, parsed by
// api/http/multipart.ts before the CSRF check, and runs the same operation as POST /api/v1/cases/:id/documents; a
// download is GET /api/v1/cases/:id/documents/:docId's twin: an attachment, logged) and the person's contact data
// (the same operation as PUT /api/v1/cases/:id/contact).
import { Router, type Request, type Response } from 'express';
import { sendDocument } from '../http/attachment.js';
import { callerOf } from '../http/caller.js';
import type { OperationDeps } from '../operations/caller.js';
import { contactOfCase, updateCaseContact } from '../operations/case-contact.js';
import { documentsOfCase, downloadCaseDocument, uploadCaseDocument } from '../operations/case-documents.js';
import { readCase } from '../operations/cases.js';
import { ApiError } from '../operations/errors.js';
import type { CaseFile, ContactFailure, DocumentFailure } from './case-file-view.js';
import { renderCasePage } from './case-view.js';
import { bodyOf, orRefusalPage, parseForm, requirePageUser } from './kit.js';

/** Documents and contact data of a case, for its page (the caller has full access; the page's read is logged). */
export async function caseFileOf(deps: Pick<OperationDeps, 'db' | 'temporal'>, caseId: string): Promise<CaseFile> {
  const [documents, contact] = await Promise.all([documentsOfCase(deps, caseId), contactOfCase(deps, caseId)]);
  return { documents, contact };
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(text) : typeof v === 'string' ? [v] : []);

/** The form's rows of related persons (repeated fields, one per row); rows left empty are no entries. */
function relatedRows(body: Record<string, unknown>): Array<{ name: string; relation: string; birthYear: string }> {
  const names = list(body.relatedName);
  const relations = list(body.relatedRelation);
  const years = list(body.relatedBirthYear);
  const rows = names.map((name, i) => ({ name: name.trim(), relation: relations[i] ?? '', birthYear: (years[i] ?? '').trim() }));
  return rows.filter((r) => r.name || r.relation || r.birthYear);
}

/**
 * Runs a write of the case file; refused with 409/422/503: the case page again (a read, logged) with the form's
 * errors, nothing stored. 404/403: the refusal page. Done: back to the case page at `anchor`.
 */
async function writeOrShowErrors(
  deps: OperationDeps,
  req: Request,
  res: Response,
  write: () => Promise<unknown>,
  anchor: string,
  failureOf: (error: ApiError, fields: Record<string, string>) => { documentFailure?: DocumentFailure; contactFailure?: ContactFailure },
): Promise<void> {
  const id = req.params.id as string;
  try {
    await write();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 403)) return void (await orRefusalPage(req, res, Promise.reject(error)));
    if (!(error instanceof ApiError) || ![409, 422, 503].includes(error.status)) throw error;
    const found = await readCase(deps, callerOf(req, 'page'), id);
    if (found.access !== 'full') throw error;
    const fields = (error.extra.fields as Record<string, string> | undefined) ?? {};
    return renderCasePage(deps.db, req, res, found.row, found.view, { status: error.status, ...(await caseFileOf(deps, found.row.id)), ...failureOf(error, fields) });
  }
  res.redirect(303, `/faelle/${encodeURIComponent(id)}#${anchor}`);
}

export function caseDocumentPagesRouter(deps: OperationDeps): Router {
  const router = Router();

  router.post('/faelle/:id/dokumente', requirePageUser, async (req, res) => {
    const body = bodyOf(req);
    await writeOrShowErrors(deps, req, res, () => uploadCaseDocument(deps, callerOf(req, 'page'), req.params.id as string, body, req.uploads ?? []), 'dokumente', (error, fields) => ({
      documentFailure: { message: error.message, fields, kind: text(body.kind), title: text(body.title) },
    }));
  });

  router.get('/faelle/:id/dokumente/:docId', requirePageUser, async (req, res) => {
    const file = await orRefusalPage(req, res, downloadCaseDocument(deps, callerOf(req, 'page'), req.params.id as string, req.params.docId as string));
    if (file) sendDocument(res, file);
  });

  router.post('/faelle/:id/kontaktdaten', requirePageUser, parseForm, async (req, res) => {
    const body = bodyOf(req);
    const values = {
      address: text(body.address),
      phone: text(body.phone),
      email: text(body.email),
      preferredLanguage: text(body.preferredLanguage),
      interpreterNeeded: text(body.interpreterNeeded),
    };
    const related = relatedRows(body);
    const relatedPersons = related.map((r) => ({
      name: r.name,
      relation: r.relation,
      // A year that is no number goes to the operation as it is: its check answers in German.
      ...(r.birthYear ? { birthYear: /^\d+$/.test(r.birthYear.trim()) ? Number(r.birthYear) : r.birthYear } : {}),
    }));
    const input = { ...values, interpreterNeeded: values.interpreterNeeded === 'ja', relatedPersons };
    await writeOrShowErrors(deps, req, res, () => updateCaseContact(deps, callerOf(req, 'page'), req.params.id as string, input), 'kontaktdaten', (error, fields) => ({
      contactFailure: { message: error.message, fields, values, related },
    }));
  });

  return router;
}
