// multipart/form-data for the document uploads (no parser library in the project): the body is read with a size
// limit (express.raw) and split into fields and files. Mounted only on the upload paths, before the CSRF check, so a
// browser form's `_csrf` field is readable there.
import express, { type RequestHandler } from 'express';
import type { UploadedFile } from '../operations/case-documents.js';
import { ApiError } from '../operations/errors.js';


declare module 'express-serve-static-core' {
  interface Request {
    uploads?: UploadedFile[];
  }
}

/** Larger than the document limit by the form fields' share; the operation checks the file's own size. */
const BODY_LIMIT_BYTES = 11 * 1024 * 1024;

const tooLarge = () => new ApiError(422, 'file_too_large', 'Die Datei ist zu groß: höchstens 10 MB.', { fields: { file: 'Die Datei ist zu groß: höchstens 10 MB.' } });
const malformed = () => new ApiError(422, 'validation_failed', 'Das Formular konnte nicht gelesen werden (multipart/form-data erwartet).');

function headerParam(header: string, name: string): string | undefined {
  // The parameter itself, not one whose name ends the same (`name` inside `filename`).
  const match = new RegExp(`(?:^|[;\\s])${name}=(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(header);
  return match ? (match[1] ?? match[2]) : undefined;
}

/** Splits a buffered multipart body; throws for anything that is not well-formed. */
export function parseMultipart(body: Buffer, contentType: string): { fields: Record<string, string>; files: UploadedFile[] } {
  const boundary = headerParam(contentType, 'boundary');
  if (!boundary) throw malformed();
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw malformed();
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', at);
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), at);
    if (headerEnd < 0 || next < 0 || headerEnd > next) throw malformed();
    const headers = body.subarray(at, headerEnd).toString('utf8');
    const data = body.subarray(headerEnd + 4, next);
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = headerParam(disposition, 'name');
    if (!name) throw malformed();
    const fileName = headerParam(disposition, 'filename');
    if (fileName !== undefined) {
      // A browser sends an empty part for a file input left empty.
      if (fileName !== '' || data.length > 0) {
        files.push({ field: name, fileName, declaredType: /content-type:\s*([^\r\n;]*)/i.exec(headers)?.[1]?.trim() ?? '', data: Buffer.from(data) });
      }
    } else {
      fields[name] = data.toString('utf8');
    }
    at = next + 2;
  }
  return { fields, files };
}

const readRaw = express.raw({ type: 'multipart/form-data', limit: BODY_LIMIT_BYTES });

/** Parses a multipart body into req.body (fields) and req.uploads; other bodies pass untouched. */
export const multipartBody: RequestHandler = (req, res, next) => {
  // Only for a signed-in caller: nobody else gets 10 MB read.
  if (!req.user || !req.is('multipart/form-data')) return next();
  readRaw(req, res, (error?: unknown) => {
    if (error) return next((error as { type?: string }).type === 'entity.too.large' ? tooLarge() : error);
    try {
      const parsed = parseMultipart(req.body as Buffer, req.get('content-type') ?? '');
      req.body = parsed.fields;
      req.uploads = parsed.files;
      next();
    } catch (parseError) {
      next(parseError);
    }
  });
};
