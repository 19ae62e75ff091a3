// Sending a document of a case file (JSON door and pages alike): always as an attachment with a safe file name, never
// rendered by the browser (no sniffing, a sandboxing CSP should one be opened anyway), never cached.
import type { Response } from 'express';

/** The browser saves the file and does not guess another type (no HTML, no script). */
export function sendDocument(res: Response, file: { fileName: string; contentType: string; data: Buffer }): void {
  res.set('Cache-Control', 'no-store');
  res.set('X-Content-Type-Options', 'nosniff');
  res.set('Content-Security-Policy', "default-src 'none'; sandbox");
  res.attachment(file.fileName);
  res.type(file.contentType).send(file.data);
}
