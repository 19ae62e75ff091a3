// The printable Art. 15 answer (GET /api/v1/cases/:id/export?format=html): everything the JSON export holds, in
// German — labels from domain/labels.ts and domain/case-model.ts, never codes — so the person can read it: master data,
// the case, consents, assessment with its texts, goals, referrals, contacts with their notes, reviews, the closure,
// the history, the partners it was disclosed to and the notifications sent about it.
import type { ResidenceTrack } from '../../domain/index.js';
import { residenceTrackFacts } from './residence-forms.js';
import {
  CASE_STATE_LABELS,
  CLOSURE_REASON_LABELS,
  CONSENT_DECISION_LABELS,
  CONSENT_SCOPE_LABELS,
  CONTACT_KIND_LABELS,
  DEADLINE_LABELS,
  DEADLINE_STATUS_LABELS,
  GOAL_ATTAINMENT_LABELS,
  GOAL_STATUS_LABELS,
  LIFE_AREA_LABELS,
  NEED_LABELS,
  REFERRAL_STATUS_LABELS,
  REVIEW_OUTCOME_LABELS,
  SOURCE_LABELS,
  readableSummary,
  type CaseData,
} from '../../domain/index.js';
import { ACT_ON_LABELS } from '../../domain/act-on-notifications.js';
import { RELATION_LABELS, type CaseContact } from '../operations/case-contact.js';
import { DOCUMENT_KIND_LABELS, formatFileSize } from '../operations/case-documents.js';
import type { CaseExport } from '../operations/case-export.js';
import { formatDate, formatDateTime } from './labels.js';
import { caseProgressModel } from './case-progress-view.js';
import { renderPage } from './views.js';

/** A coded value as people read it; an unknown code stays visible rather than vanish. */
const label = (labels: Record<string, string>, code: string | null | undefined): string => (code ? (labels[code] ?? code) : '–');

const NOTIFICATION_KIND_LABELS: Record<string, string> = {
  reminder: 'Erinnerung an eine Frist',
  escalation: 'Eskalation an die Koordination',
  lapsed: 'Übergabe verfallen',
  ...ACT_ON_LABELS,
};

const NOTIFICATION_STATUS_LABELS: Record<string, string> = {
  pending: 'wartet auf Versand',
  sending: 'Zustellung ungewiss',
  sent: 'versandt',
  failed: 'nicht zustellbar',
  digest: 'in der Tagesübersicht versandt',
};

export interface ExportNames {
  organisation: (id: string | null | undefined) => string;
  staff: (id: string | null | undefined) => string;
}

type ContactEvent = { kind?: string; date?: string; durationMinutes?: number; note?: string };

/** The case as the JSON export has it: the workflow's view when there is one, else the read model's few fields. */
type ExportedCase = {
  id: string;
  state: string;
  organisationId: string;
  assignee: string | null;
  source: string;
  openedAt: string;
  closedAt: string | null;
  assessment?: CaseData['assessment'] | null;
  goals?: CaseData['goals'];
  referrals?: CaseData['referrals'];
  reviews?: CaseData['reviews'];
  closure?: CaseData['closure'] | null;
  residenceLaw?: { permits?: string[]; notes?: string; handoverId?: string; track?: ResidenceTrack } | null;
  deadlines?: Array<{ kind: string; dueAt: string; status: string }>;
};

/** The case's work: assessment with its texts, goals, referrals, reviews, deadlines, closure. */
function workSections(c: ExportedCase) {
  const assessment = c.assessment ?? null;
  const closure = c.closure ?? null;
  return {
    assessment: assessment
      ? {
          started: formatDate(assessment.startedAt),
          completed: assessment.completedAt ? formatDate(assessment.completedAt) : 'noch nicht abgeschlossen',
          lifeAreas: assessment.lifeAreas.map((a) => ({ area: label(LIFE_AREA_LABELS, a.area), situation: a.situation || '–', need: label(NEED_LABELS, a.need) })),
        }
      : null,
    goals: (c.goals ?? []).map((g) => ({ title: g.title, measure: g.measure || '–', owner: g.owner || '–', due: formatDate(g.dueDate), status: label(GOAL_STATUS_LABELS, g.status), agreed: formatDate(g.agreedAt) })),
    referrals: (c.referrals ?? []).map((r) => ({
      service: r.service,
      partner: r.partnerName ?? '–',
      sent: formatDate(r.sentAt),
      due: formatDate(r.dueDate),
      status: label(REFERRAL_STATUS_LABELS, r.status),
      reason: r.reason ?? '–',
    })),
    reviews: (c.reviews ?? []).map((r) => ({
      started: formatDate(r.startedAt),
      completed: r.completedAt ? formatDate(r.completedAt) : 'läuft',
      outcome: r.outcome ? label(REVIEW_OUTCOME_LABELS, r.outcome) : '–',
      notes: r.notes ?? '–',
    })),
    deadlines: (c.deadlines ?? []).map((d) => ({ kind: label(DEADLINE_LABELS, d.kind), due: formatDate(d.dueAt), status: label(DEADLINE_STATUS_LABELS, d.status) })),
    closure: closure
      ? { reason: label(CLOSURE_REASON_LABELS, closure.reason), attainment: label(GOAL_ATTAINMENT_LABELS, closure.goalAttainment), note: closure.note ?? '–', closed: formatDate(closure.closedAt) }
      : null,
  };
}

/** The records about the case: contacts with their notes (they live in their events), history, mails, disclosures. */
function recordSections(data: CaseExport) {
  return {
    contacts: data.history
      .filter((e) => e.type === 'contact_recorded')
      .map((e) => {
        const d = (e.data ?? {}) as ContactEvent;
        return {
          date: formatDate(d.date ?? e.at),
          kind: label(CONTACT_KIND_LABELS, d.kind),
          duration: d.durationMinutes !== undefined ? `${d.durationMinutes} Min.` : '–',
          note: d.note ?? '–',
          by: e.actorName ?? 'System',
        };
      }),
    history: data.history.map((e) => ({ at: formatDateTime(e.at), actor: e.actorName ?? 'System', summary: readableSummary(e.type, e.summary) })),
    notifications: data.notifications.map((n) => ({
      kind: label(NOTIFICATION_KIND_LABELS, n.kind),
      subject: n.subject,
      status: label(NOTIFICATION_STATUS_LABELS, n.status),
      createdAt: formatDateTime(n.createdAt),
      sentAt: n.sentAt ? formatDateTime(n.sentAt) : '–',
    })),
    disclosures: data.disclosures.map((d) => ({ ...d, at: formatDateTime(d.at), purpose: d.purpose ?? '–' })),
  };
}

/** The person's contact data in German ('–' where none is recorded). */
export function contactLines(c: CaseContact) {
  return {
    address: c.address ?? '–',
    phone: c.phone ?? '–',
    email: c.email ?? '–',
    preferredLanguage: c.preferredLanguage ?? '–',
    interpreter: c.interpreterNeeded ? 'ja' : 'nein',
    related: c.relatedPersons.map((p) => ({ name: p.name, relation: RELATION_LABELS[p.relation] ?? p.relation, birthYear: p.birthYear ?? '–' })),
  };
}

export function caseExportDocument(data: CaseExport, names: ExportNames): string {
  const c = data.case as unknown as ExportedCase;
  const residenceLaw = c.residenceLaw ?? null;
  return renderPage('case-export', {
    title: 'Auskunft nach Art. 15 DSGVO',
    exportedAt: formatDateTime(data.exportedAt),
    legalBasis: data.legalBasis,
    person: {
      ...data.person,
      birthDate: formatDate(data.person.birthDate),
      languages: data.person.languages.join(', ') || '–',
      recordedAt: formatDate(data.person.recordedAt),
      contact: contactLines(data.person.contact),
      linkedCases: data.person.linkedCases.map((l) => ({ ...l, since: formatDate(l.since) })),
    },
    caseFacts: [
      { term: 'Fallnummer', value: c.id },
      { term: 'Phase', value: label(CASE_STATE_LABELS, c.state) },
      { term: 'Träger', value: names.organisation(c.organisationId) },
      { term: 'Fallführend', value: c.assignee ? names.staff(c.assignee) : 'nicht zugewiesen' },
      { term: 'Zugang über', value: label(SOURCE_LABELS, c.source) },
      { term: 'Eröffnet', value: formatDate(c.openedAt) },
      { term: 'Abgeschlossen', value: c.closedAt ? formatDate(c.closedAt) : '–' },
    ],
    residenceLaw: residenceLaw?.handoverId ? { permits: (residenceLaw.permits ?? []).join(', ') || '–', notes: residenceLaw.notes || '–' } : null,
    residenceTrack: residenceTrackFacts(residenceLaw?.track),
    consents: data.consents.map((x) => ({
      scope: label(CONSENT_SCOPE_LABELS, x.scope),
      decision: label(CONSENT_DECISION_LABELS, x.decision),
      purpose: x.purpose ?? '',
      partner: x.partnerName ?? (x.partnerOrganisationId ? names.organisation(x.partnerOrganisationId) : ''),
      recordedAt: formatDate(x.recordedAt),
      withdrawnAt: x.withdrawnAt ? formatDate(x.withdrawnAt) : '–',
    })),
    ...workSections(c),
    ...recordSections(data),
    documents: data.documents.map((d) => ({
      title: d.title,
      kind: label(DOCUMENT_KIND_LABELS, d.kind),
      size: formatFileSize(d.size),
      createdAt: formatDate(d.createdAt),
      by: names.staff(d.createdById),
    })),
    // Success criteria (with their own texts) and every rating (issue 16).
    progress: caseProgressModel(data.progress, data.progress.criteria),
  });
}
