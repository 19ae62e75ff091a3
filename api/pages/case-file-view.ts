// View models of the case file beside the workflow on the case page (documents, the person's contact data with the
// related persons) and what their forms show after a refused write.
import { randomUUID } from 'node:crypto';
import { RELATIONS, RELATION_LABELS, type CaseContact } from '../operations/case-contact.js';
import { DOCUMENT_KINDS, DOCUMENT_KIND_LABELS, formatFileSize, type CaseDocumentView } from '../operations/case-documents.js';
import type { CaseRow } from '../operations/case-lookup.js';
import type { StaffDirectory } from '../operations/directory.js';
import { contactLines } from './case-export-document.js';
import { formatDate } from './labels.js';

/** What the documents form shows after a refused upload: the message, the field errors, the kind and title given. */
export interface DocumentFailure {
  message: string;
  fields: Record<string, string>;
  kind?: string;
  title?: string;
}

/** What the contact form shows after a refused save: the message, the field errors, the values given. */
export interface ContactFailure {
  message: string;
  fields: Record<string, string>;
  values: Record<string, string>;
  related: Array<{ name: string; relation: string; birthYear: string }>;
}

/** The case file beside the workflow: documents and contact data (shown to callers with full access). */
export interface CaseFile {
  documents: CaseDocumentView[];
  contact: CaseContact;
}

/** The person's contact data and its form (values as given after a refused save). */
export function contactModel(row: CaseRow, contact: CaseContact, staff: StaffDirectory, failure: ContactFailure | undefined) {
  const given = failure?.values;
  return {
    shown: contactLines(contact),
    updated: contact.updatedAt ? `${formatDate(contact.updatedAt)} von ${staff.name(contact.updatedById)}` : undefined,
    canEdit: !row.erasedAt,
    values: {
      address: given ? given.address : (contact.address ?? ''),
      phone: given ? given.phone : (contact.phone ?? ''),
      email: given ? given.email : (contact.email ?? ''),
      preferredLanguage: given ? given.preferredLanguage : (contact.preferredLanguage ?? ''),
      interpreterNeeded: given ? given.interpreterNeeded === 'ja' : contact.interpreterNeeded,
    },
    relatedRows: relatedFormRows(failure ? failure.related : contact.relatedPersons.map((p) => ({ name: p.name, relation: p.relation, birthYear: p.birthYear ? String(p.birthYear) : '' }))),
    // Errors of the related persons' rows (their keys name the row): listed above the form.
    relatedErrors: Object.entries(failure?.fields ?? {})
      .filter(([key]) => key.startsWith('relatedPersons'))
      .map(([, message]) => message),
    failure,
  };
}

/** The entries and two empty rows to add more (no script needed); each row's inputs have ids of their own. */
function relatedFormRows(rows: Array<{ name: string; relation: string; birthYear: string }>) {
  const empty = { name: '', relation: '', birthYear: '' };
  return [...rows, empty, empty].map((r, i) => ({
    index: i + 1,
    ...r,
    relations: [{ value: '', label: 'Bitte wählen', selected: r.relation === '' }, ...RELATIONS.map((k) => ({ value: k, label: RELATION_LABELS[k], selected: r.relation === k }))],
  }));
}

/** The case file's documents (records beside the workflow, api/operations/case-documents.ts) and the upload form. */
export function documentsModel(row: CaseRow, documents: CaseDocumentView[], staff: StaffDirectory, failure: DocumentFailure | undefined) {
  const base = `/faelle/${encodeURIComponent(row.id)}/dokumente`;
  return {
    items: documents.map((d) => ({
      title: d.title,
      kind: DOCUMENT_KIND_LABELS[d.kind] ?? d.kind,
      size: formatFileSize(d.size),
      date: formatDate(d.createdAt),
      by: staff.name(d.createdById),
      url: `${base}/${encodeURIComponent(d.id)}`,
    })),
    canUpload: !row.erasedAt,
    requestId: randomUUID(),
    kinds: DOCUMENT_KINDS.map((k) => ({ value: k, label: DOCUMENT_KIND_LABELS[k], selected: failure?.kind === k })),
    failure,
  };
}
