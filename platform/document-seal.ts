// Documents and contact data of a case file sealed with the case's data key (platform/data-keys.ts): AES-256-GCM as
// the payload codec, a fresh IV per sealing, and the record's id and field bound in as additional data, so a sealed
// part copied to another row or field fails authentication. Destroying the case's key (crypto-erasure) makes every copy unreadable.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function aad(documentId: string, field: string): Buffer {
  return Buffer.from(`kim-case-document:${documentId}:${field}`);
}

export function sealDocumentPart(plain: Buffer, key: Buffer, documentId: string, field: 'content' | 'label' | 'contact'): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(aad(documentId, field));
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

export function openDocumentPart(sealed: Uint8Array, key: Buffer, documentId: string, field: 'content' | 'label' | 'contact'): Buffer {
  const data = Buffer.from(sealed);
  if (data.length < IV_BYTES + TAG_BYTES) throw new Error(`Document ${documentId}: sealed ${field} is too short`);
  const decipher = createDecipheriv(ALGORITHM, key, data.subarray(0, IV_BYTES));
  decipher.setAAD(aad(documentId, field));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  return Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
}

/** The allowed types, recognised by their first bytes (the declared type is not trusted). */
export function sniffDocumentType(data: Buffer): 'application/pdf' | 'image/jpeg' | 'image/png' | null {
  if (data.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return null;
}
