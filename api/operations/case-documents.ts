// The documents of a case file (signed consent, notices, certificates): uploaded by staff with full access, sealed
// with the case's data key (platform/document-seal.ts), listed on the case page and in the Art. 15 export, downloaded
// only by staff with full access, each download in the access log.
//
// Documents are records beside the workflow, not process state: nothing in the case's process depends on them, so
// they are written here directly (no Update, no case event) and the workflow state stays constant-size. Erasure at
// the end of retention deletes the rows (activities/erasure.ts); destroying the data key makes every copy (backups)
// unreadable as well.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { PayloadEncryptionCodec } from '../../platform/payload-codec.js';
import type { DataKeyResolver } from '../../platform/data-keys.js';
import type { Database } from '../../platform/database.js';
import { openDocumentPart, sealDocumentPart, sniffDocumentType } from '../../platform/document-seal.js';
import { requireCaseAccess } from './access-policy.js';
import { logAccess } from './access-log.js';
import type { Caller, OperationDeps } from './caller.js';
import { loadCaseRow, type CaseRow } from './case-lookup.js';
import { ApiError, isUniqueViolation } from './errors.js';

export const DOCUMENT_KINDS = ['consent_signed', 'notice', 'certificate', 'other'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export const DOCUMENT_KIND_LABELS: Record<DocumentKind, string> = {
  consent_signed: 'Einwilligung (unterschrieben)',
  notice: 'Bescheid',
  certificate: 'Nachweis/Zeugnis',
  other: 'Sonstiges',
};
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
const TITLE_MAX = 200;

/** A file of a multipart body (api/http/multipart.ts reads them). */
export interface UploadedFile {
  field: string;
  fileName: string;
  declaredType: string;
  data: Buffer;
}

export interface CaseDocumentView {
  id: string;
  caseId: string;
  kind: DocumentKind;
  title: string;
  fileName: string;
  contentType: string;
  size: number;
  createdAt: string;
  createdById: string;
}

/** "1,2 MB", "340 KB" (German decimal comma). */
export function formatFileSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace('.', ',')} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** The data keys of this process: the ones the engine client's payload codec uses. */
export function dataKeysOf(temporal: Client): DataKeyResolver | undefined {
  const codecs = temporal.options.loadedDataConverter.payloadCodecs;
  return codecs.find((c): c is PayloadEncryptionCodec => c instanceof PayloadEncryptionCodec)?.dataKeys;
}

export function requireDataKeys(temporal: Client): DataKeyResolver {
  const keys = dataKeysOf(temporal);
  if (!keys) throw new ApiError(503, 'encryption_unavailable', 'Dokumente können ohne Datenschlüssel nicht gespeichert oder gelesen werden.');
  return keys;
}

type DocumentRow = NonNullable<Awaited<ReturnType<Database['caseDocument']['findUnique']>>>;

async function toView(keys: DataKeyResolver, row: DocumentRow): Promise<CaseDocumentView> {
  const key = await keys.keyForDecryption(row.keyId);
  const label = JSON.parse(openDocumentPart(row.label, key, row.id, 'label').toString('utf8')) as { title: string; fileName: string };
  return {
    id: row.id,
    caseId: row.caseId,
    kind: row.kind as DocumentKind,
    title: label.title,
    fileName: label.fileName,
    contentType: row.contentType,
    size: row.size,
    createdAt: row.createdAt.toISOString(),
    createdById: row.createdById,
  };
}

/** The documents of a case, newest first (no access check, no log: for callers that did both, e.g. the export). */
export async function documentsOfCase(deps: Pick<OperationDeps, 'db' | 'temporal'>, caseId: string): Promise<CaseDocumentView[]> {
  const rows = await deps.db.caseDocument.findMany({ where: { caseId }, orderBy: { createdAt: 'desc' } });
  if (rows.length === 0) return [];
  const keys = requireDataKeys(deps.temporal);
  return Promise.all(rows.map((r) => toView(keys, r)));
}

export async function caseWithFullAccess(db: Database, caller: Caller, caseId: string): Promise<CaseRow> {
  const row = await loadCaseRow(db, caseId);
  // Full access only: a partner or a counsellor who handed the case over gets 404/403 as for the case's content.
  requireCaseAccess(caller.user, row, 'full');
  return row!;
}

/** A file name safe in a Content-Disposition header and on any file system. */
export function safeFileName(name: string, contentType: string): string {
  const extension = contentType === 'application/pdf' ? '.pdf' : contentType === 'image/png' ? '.png' : '.jpg';
  const base = name.replace(/\.[A-Za-z0-9]{1,5}$/, '').normalize('NFKD').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 80);
  return `${base || 'dokument'}${extension}`;
}

function validationError(fields: Record<string, string>): ApiError {
  const message = Object.values(fields)[0]!;
  return new ApiError(422, 'validation_failed', message, { fields });
}

/** The form's fields and file checked: kind, title, exactly one PDF/JPEG/PNG file of at most 10 MB. */
function checkUpload(body: Record<string, unknown>, files: UploadedFile[]) {
  const fields: Record<string, string> = {};
  const kind = typeof body.kind === 'string' ? body.kind : '';
  if (!(DOCUMENT_KINDS as readonly string[]).includes(kind)) fields.kind = 'Bitte die Art des Dokuments wählen.';
  const title = typeof body.title === 'string' ? body.title.trim() : '';
  if (!title) fields.title = 'Bitte einen Titel angeben.';
  else if (title.length > TITLE_MAX) fields.title = `Der Titel ist zu lang (höchstens ${TITLE_MAX} Zeichen).`;
  const file = files.find((f) => f.field === 'file');
  let contentType: string | null = null;
  if (!file || file.data.length === 0) fields.file = 'Bitte eine Datei auswählen.';
  else if (files.length > 1) fields.file = 'Bitte genau eine Datei hochladen.';
  else if (file.data.length > MAX_DOCUMENT_BYTES) fields.file = 'Die Datei ist zu groß: höchstens 10 MB.';
  else if (!(contentType = sniffDocumentType(file.data))) fields.file = 'Nur PDF-, JPEG- oder PNG-Dateien sind erlaubt.';
  if (Object.keys(fields).length) throw validationError(fields);
  return { kind: kind as DocumentKind, title, file: file!, contentType: contentType! };
}

async function uploadedBefore(deps: Pick<OperationDeps, 'db' | 'temporal'>, caller: Caller, caseId: string, requestId: string | undefined) {
  if (!requestId) return null;
  const row = await deps.db.caseDocument.findUnique({ where: { createdById_requestId: { createdById: caller.user.id, requestId } } });
  return row && row.caseId === caseId ? toView(requireDataKeys(deps.temporal), row) : null;
}

/**
 * POST /api/v1/cases/:id/documents (multipart: kind, title, file, requestId): 201 with the document. Idempotent per
 * (user, requestId): a repeated upload answers with the first one's document.
 */
export async function uploadCaseDocument(
  deps: Pick<OperationDeps, 'db' | 'temporal'>,
  caller: Caller,
  caseId: string,
  body: Record<string, unknown>,
  files: UploadedFile[],
): Promise<{ document: CaseDocumentView; created: boolean }> {
  const row = await caseWithFullAccess(deps.db, caller, caseId);
  const requestId = typeof body.requestId === 'string' && body.requestId.trim() ? body.requestId.trim().slice(0, 100) : undefined;
  const earlier = await uploadedBefore(deps, caller, row.id, requestId);
  if (earlier) return { document: earlier, created: false };
  const input = checkUpload(body, files);
  if (row.erasedAt) throw new ApiError(409, 'case_erased', 'Die Daten dieses Falls sind gelöscht; es können keine Dokumente mehr abgelegt werden.');
  const key = await requireDataKeys(deps.temporal).keyForEncryption(row.workflowId);
  if (!key) throw new ApiError(409, 'case_erased', 'Die Löschung dieses Falls hat begonnen; es können keine Dokumente mehr abgelegt werden.');
  const id = randomUUID();
  const label = Buffer.from(JSON.stringify({ title: input.title, fileName: input.file.fileName.slice(0, 200) }));
  try {
    const created = await deps.db.caseDocument.create({
      data: {
        id,
        caseId: row.id,
        kind: input.kind,
        contentType: input.contentType,
        size: input.file.data.length,
        keyId: key.id,
        content: new Uint8Array(sealDocumentPart(input.file.data, key.key, id, 'content')),
        label: new Uint8Array(sealDocumentPart(label, key.key, id, 'label')),
        createdById: caller.user.id,
        requestId: requestId ?? null,
      },
    });
    return { document: await toView(requireDataKeys(deps.temporal), created), created: true };
  } catch (error) {
    // A parallel request with the same requestId inserted first: answer with its document.
    const raced = isUniqueViolation(error) ? await uploadedBefore(deps, caller, row.id, requestId) : null;
    if (raced) return { document: raced, created: false };
    throw error;
  }
}

/** GET /api/v1/cases/:id/documents: the list (titles are case content: logged as a read of the case). */
export async function listCaseDocuments(deps: Pick<OperationDeps, 'db' | 'temporal'>, caller: Caller, caseId: string): Promise<CaseDocumentView[]> {
  const row = await caseWithFullAccess(deps.db, caller, caseId);
  const documents = await documentsOfCase(deps, row.id);
  await logAccess(deps.db, caller, { action: 'read_case', caseId: row.id });
  return documents;
}

/** GET /api/v1/cases/:id/documents/:docId: the file, decrypted; logged (`read_document`) before it is returned. */
export async function downloadCaseDocument(
  deps: Pick<OperationDeps, 'db' | 'temporal'>,
  caller: Caller,
  caseId: string,
  documentId: string,
): Promise<{ fileName: string; contentType: string; data: Buffer }> {
  const row = await caseWithFullAccess(deps.db, caller, caseId);
  const doc = await deps.db.caseDocument.findUnique({ where: { id: documentId } });
  if (!doc || doc.caseId !== row.id) throw new ApiError(404, 'not_found', 'Dokument nicht gefunden.');
  const keys = requireDataKeys(deps.temporal);
  const view = await toView(keys, doc);
  const data = openDocumentPart(doc.content, await keys.keyForDecryption(doc.keyId), doc.id, 'content');
  await logAccess(deps.db, caller, { action: 'read_document', caseId: row.id });
  return { fileName: safeFileName(view.fileName || view.title, doc.contentType), contentType: doc.contentType, data };
}
