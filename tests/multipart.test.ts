// The multipart reader of the document uploads (api/http/multipart.ts): fields and files in any parameter order, an
// empty file input left out, binary content kept byte for byte, and a body without its boundary refused.
import { describe, expect, it } from 'vitest';
import { parseMultipart } from '../api/http/multipart.js';

const CRLF = '\r\n';

function body(boundary: string, parts: Array<{ headers: string[]; data: Buffer | string }>): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}${CRLF}${part.headers.join(CRLF)}${CRLF}${CRLF}`), Buffer.from(part.data), Buffer.from(CRLF));
  }
  chunks.push(Buffer.from(`--${boundary}--${CRLF}`));
  return Buffer.concat(chunks);
}

describe('parseMultipart', () => {
  it('reads fields and files, whatever the order of the parameters, and keeps binary content', () => {
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d]);
    const parsed = parseMultipart(
      body('XyZ', [
        { headers: ['Content-Disposition: form-data; name="title"'], data: 'Bescheid über Leistungen' },
        { headers: ['Content-Disposition: form-data; filename="bild.png"; name="file"', 'Content-Type: image/png'], data: binary },
        { headers: ['Content-Disposition: form-data; name="leer"; filename=""', 'Content-Type: application/octet-stream'], data: '' },
      ]),
      'multipart/form-data; boundary=XyZ',
    );
    expect(parsed.fields).toEqual({ title: 'Bescheid über Leistungen' });
    expect(parsed.files).toHaveLength(1);
    expect(parsed.files[0]).toMatchObject({ field: 'file', fileName: 'bild.png', declaredType: 'image/png' });
    expect(parsed.files[0]!.data.equals(binary)).toBe(true);
  });

  it('refuses a body without a boundary or with a part cut off', () => {
    expect(() => parseMultipart(Buffer.from('x'), 'multipart/form-data')).toThrow(/multipart\/form-data erwartet/);
    const cut = body('B', [{ headers: ['Content-Disposition: form-data; name="a"'], data: '1' }]).subarray(0, 30);
    expect(() => parseMultipart(cut, 'multipart/form-data; boundary=B')).toThrow(/multipart\/form-data erwartet/);
  });
});
