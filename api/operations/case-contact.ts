// Contact data of the person of a case: address, phone, e-mail, preferred language, interpreter needed, and related
// persons (family members as entries: name, relation, year of birth — not person records of their own). Client data,
// so it is sealed with the case's data key (platform/document-seal.ts) — crypto-erasure covers it — and erasure
// deletes the row. Like the documents it is a record beside the workflow, not process state: nothing in the process
// depends on it, so it is written here directly (no Update, no event) and the workflow state stays constant-size.
// Edited and read by staff with full access only.
import { z } from 'zod';
import type { Database } from '../../platform/database.js';
import { openDocumentPart, sealDocumentPart } from '../../platform/document-seal.js';
import { logAccess } from './access-log.js';
import type { Caller, OperationDeps } from './caller.js';
import { caseWithFullAccess, requireDataKeys } from './case-documents.js';
import { ApiError } from './errors.js';

const text = (max: number, label: string) =>
  z
    .string({ error: `${label}: Text erwartet.` })
    .trim()
    .max(max, `${label}: höchstens ${max} Zeichen.`)
    .transform((v) => v || null)
    .nullable()
    .optional();

export const RELATIONS = ['partner', 'child', 'parent', 'sibling', 'other'] as const;
export const RELATION_LABELS: Record<(typeof RELATIONS)[number], string> = {
  partner: 'Ehe-/Lebenspartner*in',
  child: 'Kind',
  parent: 'Elternteil',
  sibling: 'Geschwister',
  other: 'Sonstige Angehörige',
};
const thisYear = new Date().getUTCFullYear();

/** A family member as an entry (not a person record of its own): name, relation, year of birth. */
const RelatedPerson = z
  .object({
    name: z.string({ error: 'Angehörige: Name erwartet.' }).trim().min(1, 'Angehörige: Bitte einen Namen angeben.').max(200, 'Angehörige: Name höchstens 200 Zeichen.'),
    relation: z.enum(RELATIONS, { error: 'Angehörige: Bitte die Beziehung wählen.' }),
    birthYear: z.number({ error: 'Angehörige: Geburtsjahr als Zahl.' }).int('Angehörige: Geburtsjahr als Zahl.').min(1900, 'Angehörige: Geburtsjahr ab 1900.').max(thisYear, 'Angehörige: Geburtsjahr liegt in der Zukunft.').nullable().optional(),
  })
  .strict();

export const CaseContactBody = z
  .object({
    address: text(300, 'Anschrift'),
    phone: text(40, 'Telefon').refine((v) => !v || /^[+0-9 ()/.-]+$/.test(v), 'Telefon: nur Ziffern, Leerzeichen und + ( ) / - .'),
    email: text(200, 'E-Mail').refine((v) => !v || z.email().safeParse(v).success, 'E-Mail: keine gültige E-Mail-Adresse.'),
    preferredLanguage: text(60, 'Bevorzugte Sprache'),
    interpreterNeeded: z.boolean({ error: 'Dolmetschung nötig: ja oder nein.' }).optional(),
    relatedPersons: z.array(RelatedPerson, { error: 'Angehörige: Liste erwartet.' }).max(20, 'Höchstens 20 Angehörige.').optional(),
  })
  .strict();

export interface CaseContact {
  address: string | null;
  phone: string | null;
  email: string | null;
  preferredLanguage: string | null;
  interpreterNeeded: boolean;
  relatedPersons: Array<{ name: string; relation: (typeof RELATIONS)[number]; birthYear: number | null }>;
  updatedAt: string | null;
  updatedById: string | null;
}

const EMPTY: CaseContact = { address: null, phone: null, email: null, preferredLanguage: null, interpreterNeeded: false, relatedPersons: [], updatedAt: null, updatedById: null };

/** The contact data of a case, decrypted (no access check, no log: for callers that did both, e.g. the export). */
export async function contactOfCase(deps: { db: Database; temporal: OperationDeps['temporal'] }, caseId: string): Promise<CaseContact> {
  const row = await deps.db.caseContact.findUnique({ where: { caseId } });
  if (!row) return EMPTY;
  const key = await requireDataKeys(deps.temporal).keyForDecryption(row.keyId);
  const data = JSON.parse(openDocumentPart(row.sealed, key, caseId, 'contact').toString('utf8')) as Omit<CaseContact, 'updatedAt' | 'updatedById'>;
  return { ...EMPTY, ...data, updatedAt: row.updatedAt.toISOString(), updatedById: row.updatedById };
}

/** GET /api/v1/cases/:id/contact (logged as a read of the case). */
export async function readCaseContact(deps: Pick<OperationDeps, 'db' | 'temporal'>, caller: Caller, caseId: string): Promise<CaseContact> {
  const row = await caseWithFullAccess(deps.db, caller, caseId);
  const contact = await contactOfCase(deps, row.id);
  await logAccess(deps.db, caller, { action: 'read_case', caseId: row.id });
  return contact;
}

/** PUT /api/v1/cases/:id/contact: replaces the contact data (idempotent: the same body gives the same state). */
export async function updateCaseContact(deps: Pick<OperationDeps, 'db' | 'temporal'>, caller: Caller, caseId: string, input: unknown): Promise<CaseContact> {
  const row = await caseWithFullAccess(deps.db, caller, caseId);
  const parsed = CaseContactBody.safeParse(input ?? {});
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[issue.path.join('.') || 'body'] ??= issue.message;
    throw new ApiError(422, 'validation_failed', Object.values(fields)[0] ?? 'Ungültige Kontaktdaten.', { fields });
  }
  if (row.erasedAt) throw new ApiError(409, 'case_erased', 'Die Daten dieses Falls sind gelöscht; Kontaktdaten können nicht mehr erfasst werden.');
  const key = await requireDataKeys(deps.temporal).keyForEncryption(row.workflowId);
  if (!key) throw new ApiError(409, 'case_erased', 'Die Löschung dieses Falls hat begonnen; Kontaktdaten können nicht mehr erfasst werden.');
  const b = parsed.data;
  const data = {
    address: b.address ?? null,
    phone: b.phone ?? null,
    email: b.email ?? null,
    preferredLanguage: b.preferredLanguage ?? null,
    interpreterNeeded: b.interpreterNeeded ?? false,
    relatedPersons: (b.relatedPersons ?? []).map((p) => ({ name: p.name, relation: p.relation, birthYear: p.birthYear ?? null })),
  };
  const sealed = new Uint8Array(sealDocumentPart(Buffer.from(JSON.stringify(data)), key.key, row.id, 'contact'));
  await deps.db.caseContact.upsert({
    where: { caseId: row.id },
    create: { caseId: row.id, keyId: key.id, sealed, updatedById: caller.user.id },
    update: { keyId: key.id, sealed, updatedById: caller.user.id },
  });
  // The answer carries the contact data: logged as a read.
  await logAccess(deps.db, caller, { action: 'read_case', caseId: row.id });
  return contactOfCase(deps, row.id);
}
