// The forms of the case actions on the case page, with the choices this case offers (its consents, goals, referrals,
// staff). Field names follow the JSON bodies of POST /api/v1/cases/:id/actions/:action (domain/case-actions.ts).
import {
  ACTION_LABELS,
  CLOSURE_REASON_LABELS,
  CONTACT_KIND_LABELS,
  LIFE_AREAS,
  LIFE_AREA_LABELS,
  OTHER_CATALOGUE_CODE,
  SHARING_CATEGORY_LABELS,
  type CaseAction,
  type CaseData,
  type CaseProgress,
  type ConsentScope,
  type ReferralCatalogueEntry,
} from '../../domain/index.js';
import { ratingFields, successCriteriaFields } from './progress-forms.js';
import { residenceTrackForm } from './residence-forms.js';
import type { ActionFormSpec, FieldSpec, Option } from './forms.js';
import {
  CONSENT_DECISION_LABELS,
  CONSENT_SCOPE_LABELS,
  GOAL_ATTAINMENT_LABELS,
  GOAL_STATUS_LABELS,
  NEED_LABELS,
  REFERRAL_OUTCOME_LABELS,
  REVIEW_OUTCOME_LABELS,
  formatDate,
  optionsOf,
} from './labels.js';

export interface ActionFormContext {
  c: CaseData;
  /** Today in Germany, `YYYY-MM-DD` (default of date fields). */
  today: string;
  userId: string;
  /** Active staff of the case's organisation who may be assigned. */
  assignees: Option[];
  /** Organisations a case can be confirmed at or transferred to. */
  organisations: Option[];
  /** Organisations the client can consent to share data with (every one but the case's own). */
  partners?: Option[];
  /** The case's ratings so far (prefill of a new rating). */
  progress?: CaseProgress;
  /** The active entries of the referral catalogue (issue 14), for the refer form. */
  referralCatalogue?: { services: Option[]; partners: Option[] };
}

const OTHER_OPTION: Option = { value: OTHER_CATALOGUE_CODE, label: 'Sonstiges (unten angeben)' };

/** The refer form's choices: the active entries of each kind, then "Sonstiges". */
export function referralCatalogueOptions(entries: readonly ReferralCatalogueEntry[]): { services: Option[]; partners: Option[] } {
  const of = (kind: ReferralCatalogueEntry['kind']) => [...entries.filter((e) => e.active && e.kind === kind).map((e) => ({ value: e.code, label: e.name })), OTHER_OPTION];
  return { services: of('service'), partners: of('partner') };
}

const closureFields: FieldSpec[] = [
  { name: 'reason', label: 'Abschlussgrund', kind: 'select', required: true, emptyOption: 'Bitte wählen', options: optionsOf(CLOSURE_REASON_LABELS) },
  { name: 'goalAttainment', label: 'Zielerreichung', kind: 'select', required: true, emptyOption: 'Bitte wählen', options: optionsOf(GOAL_ATTAINMENT_LABELS) },
  { name: 'note', label: 'Bemerkung', kind: 'textarea' },
];

const PRIMARY: readonly CaseAction[] = [
  'confirm-provider',
  'start-assessment',
  'complete-assessment',
  'agree-goals',
  'refer',
  'start-review',
  'complete-review',
  'approve-closure',
];

const GOAL_ROWS = 3;

/** What every action's form is built from. */
interface FormInputs {
  c: CaseData;
  ctx: ActionFormContext;
  effectiveConsents: CaseData['consents'];
  consentLabel: (k: CaseData['consents'][number]) => string;
}

/** The builder of each action's form (a table, so the type checker sees that every action has one). */
const FORM_BUILDER: Record<CaseAction, (action: CaseAction, f: FormInputs) => Partial<ActionFormSpec>> = {
  'confirm-provider': consentAndIntakeForm,
  'assign': consentAndIntakeForm,
  'record-consent': consentAndIntakeForm,
  'withdraw-consent': consentAndIntakeForm,
  'start-assessment': consentAndIntakeForm,
  'save-assessment-draft': consentAndIntakeForm,
  'complete-assessment': consentAndIntakeForm,
  'agree-goals': planningForm,
  'update-goal': planningForm,
  'refer': planningForm,
  'record-referral-outcome': planningForm,
  'start-review': followUpForm,
  'complete-review': followUpForm,
  'record-contact': followUpForm,
  'put-on-hold': followUpForm,
  'resume': followUpForm,
  'transfer': followUpForm,
  'request-closure': followUpForm,
  'close': followUpForm,
  'approve-closure': followUpForm,
  'return-closure': followUpForm,
  'withdraw-closure': followUpForm,
  'reopen': followUpForm,
  'set-residence-track': (_action, f) => residenceTrackForm(f.c),
};

/** The form of one case action, with the choices this case offers (its consents, goals, referrals, …). */
export function actionForm(action: CaseAction, ctx: ActionFormContext): ActionFormSpec {
  const { c } = ctx;
  const effectiveConsents = c.consents.filter((k) => k.decision === 'given' && !k.withdrawnAt);
  const consentLabel = (k: CaseData['consents'][number]) =>
    `${CONSENT_SCOPE_LABELS[k.scope]}${k.partnerName ? ` (${k.partnerName})` : ''} vom ${formatDate(k.recordedAt)}`;
  const spec = FORM_BUILDER[action](action, { c, ctx, effectiveConsents, consentLabel });
  return { action, submit: ACTION_LABELS[action], primary: PRIMARY.includes(action), fields: [] as FieldSpec[], ...spec };
}

/** Provider, assignee, consents and the assessment. */
function consentAndIntakeForm(action: CaseAction, f: FormInputs): Partial<ActionFormSpec> {
  const { c, ctx, effectiveConsents, consentLabel } = f;
  switch (action) {
    case 'confirm-provider':
      return {
        intro: 'Bestätigen Sie den vorgeschlagenen Träger oder wählen Sie einen anderen und begründen Sie die Abweichung.',
        fields: [
          { name: 'organisationId', label: 'Träger', kind: 'select', required: true, options: ctx.organisations, default: c.proposedProvider.organisationId },
          { name: 'overrideReason', label: 'Begründung der Abweichung', kind: 'textarea', hint: 'Nur nötig, wenn Sie vom Vorschlag abweichen.' },
        ],
      };
    case 'assign':
      return {
        fields: [{ name: 'assigneeId', label: 'Fallführende Person', kind: 'select', required: true, options: ctx.assignees, default: c.assigneeId ?? ctx.userId }],
      };
    case 'record-consent':
      // Read with every field (the scope comes as a hidden field of one of the forms per scope, consentForms()).
      return { fields: [{ name: 'scope', label: 'Umfang', kind: 'select', required: true, options: optionsOf(CONSENT_SCOPE_LABELS) }, ...consentFields(ctx, 'share_with_partner')] };
    case 'withdraw-consent':
      return {
        fields: [{ name: 'consentId', label: 'Einwilligung', kind: 'select', required: true, options: effectiveConsents.map((k) => ({ value: k.id, label: consentLabel(k) })) }],
      };
    case 'start-assessment':
      return { intro: 'Beginnt die Situationsanalyse; die Frist für den ersten Assessment-Schritt ist damit erfüllt.' };
    case 'save-assessment-draft':
    case 'complete-assessment': {
      // The draft saved so far fills the form again.
      const draft = c.assessment?.draft;
      const drafted = (area: string) => draft?.lifeAreas.find((a) => a.area === area);
      return {
        intro: `Bewerten Sie die Lebensbereiche, die besprochen wurden. Bereiche ohne Angabe zum Bedarf werden nicht übernommen. Legen Sie mit der Person fest, woran Sie den Erfolg messen.${
          draft ? ` Entwurf vom ${formatDate(draft.savedAt)} geladen.` : ' Unfertiges können Sie als Entwurf speichern.'
        }`,
        fields: successCriteriaFields(),
        group: {
          list: 'lifeAreas',
          legend: 'Lebensbereiche',
          rows: LIFE_AREAS.map((area) => ({
            key: area,
            legend: LIFE_AREA_LABELS[area],
            constant: { area },
            include: (value) => value('need') !== '' || value('situation') !== '',
            fields: [
              { name: 'need', label: 'Bedarf', kind: 'select', emptyOption: 'nicht bewertet', options: optionsOf(NEED_LABELS), default: drafted(area)?.need ?? '' },
              { name: 'situation', label: 'Situation', kind: 'textarea', default: drafted(area)?.situation ?? '' },
            ],
          })),
        },
      };
    }
    default:
      return {};
  }
}

/** The fields of the consent form of one scope: partner, purpose and data categories only for sharing. */
function consentFields(ctx: ActionFormContext, scope: ConsentScope): FieldSpec[] {
  // No preselected decision: what the person decided is entered, never assumed.
  const decision: FieldSpec = { name: 'decision', label: 'Entscheidung der Person', kind: 'select', required: true, emptyOption: 'Bitte wählen', options: optionsOf(CONSENT_DECISION_LABELS) };
  if (scope !== 'share_with_partner') return [decision];
  return [
    decision,
    {
      name: 'partnerOrganisationId',
      label: 'Partnerorganisation',
      kind: 'select',
      emptyOption: 'Keine Organisation im System',
      options: ctx.partners ?? [],
      hint: 'Eine Organisation im System sieht danach die freigegebenen Daten, bis die Einwilligung widerrufen wird.',
    },
    { name: 'partnerName', label: 'Partner', kind: 'text', hint: 'An wen die Daten gehen (ohne Organisation im System: Pflicht).' },
    { name: 'purpose', label: 'Zweck', kind: 'text', hint: 'Wofür die Daten weitergegeben werden.' },
    {
      name: 'dataCategories',
      label: 'Freigegebene Daten',
      kind: 'checkboxes',
      options: optionsOf(SHARING_CATEGORY_LABELS),
      hint: 'Ohne Auswahl: Stammdaten und die Vermittlung an diesen Partner.',
    },
  ];
}

/** One consent form per scope (the data-processing one keeps the action's own id). */
export const CONSENT_FORMS: ReadonlyArray<{ scope: ConsentScope; label: string; idSuffix: string }> = [
  { scope: 'data_processing', label: 'Einwilligung zur Datenverarbeitung erfassen', idSuffix: '' },
  { scope: 'share_with_partner', label: 'Einwilligung zur Weitergabe an Partner erfassen', idSuffix: '-weitergabe' },
  { scope: 'handover', label: 'Einwilligung zur Übergabe erfassen', idSuffix: '-uebergabe' },
];

/** The form of the consent of one scope (posted with the scope as a hidden field). */
export function consentForm(scope: ConsentScope, ctx: ActionFormContext): ActionFormSpec {
  return { action: 'record-consent', submit: 'Einwilligung erfassen', primary: false, fields: consentFields(ctx, scope) };
}

/** Goals and referrals. */
function planningForm(action: CaseAction, f: FormInputs): Partial<ActionFormSpec> {
  const { c, ctx, effectiveConsents, consentLabel } = f;
  switch (action) {
    case 'agree-goals':
      return {
        intro: 'Mindestens ein Ziel mit Maßnahme, Verantwortlichen und Zieltermin. Leere Zeilen werden ignoriert.',
        group: {
          list: 'goals',
          legend: 'Ziele',
          rows: Array.from({ length: GOAL_ROWS }, (_, i) => ({
            key: String(i),
            legend: `Ziel ${i + 1}`,
            // The first row always counts, so an empty form is answered with "Pflichtfeld" at its fields.
            include: (value: (name: string) => string) => i === 0 || ['title', 'measure', 'owner', 'dueDate'].some((n) => value(n) !== ''),
            fields: [
              { name: 'title', label: 'Ziel', kind: 'text', required: i === 0 },
              { name: 'measure', label: 'Maßnahme', kind: 'textarea', required: i === 0 },
              { name: 'owner', label: 'Verantwortlich', kind: 'text', required: i === 0 },
              { name: 'dueDate', label: 'Zieltermin', kind: 'date', required: i === 0 },
            ],
          })),
        },
      };
    case 'update-goal':
      return {
        fields: [
          { name: 'goalId', label: 'Ziel', kind: 'select', required: true, options: c.goals.map((g) => ({ value: g.id, label: `${g.title} (${GOAL_STATUS_LABELS[g.status]})` })) },
          { name: 'status', label: 'Stand', kind: 'select', required: true, options: optionsOf(GOAL_STATUS_LABELS) },
          { name: 'dueDate', label: 'Neuer Zieltermin', kind: 'date' },
        ],
      };
    case 'refer': {
      const sharing = effectiveConsents.filter((k) => k.scope === 'share_with_partner');
      return {
        intro: 'Die Nachfrage, ob die Person angekommen ist, wird als Frist angelegt (ohne Termin: nach 14 Tagen).',
        fields: [
          // Issue 14: chosen from the referral catalogue; what is missing there as "Sonstiges" with free text.
          {
            name: 'serviceCode',
            label: 'Angebot / Dienst',
            kind: 'select',
            required: true,
            emptyOption: 'Bitte wählen',
            options: ctx.referralCatalogue?.services ?? [OTHER_OPTION],
            hint: 'Aus dem Vermittlungskatalog; fehlt etwas, „Sonstiges“ wählen.',
          },
          { name: 'service', label: 'Sonstiges Angebot / sonstiger Dienst', kind: 'text', hint: 'Nur bei „Sonstiges“.' },
          {
            name: 'partnerCode',
            label: 'Partner vor Ort',
            kind: 'select',
            emptyOption: 'Keine Angabe',
            options: ctx.referralCatalogue?.partners ?? [OTHER_OPTION],
          },
          { name: 'partnerName', label: 'Sonstiger Partner vor Ort', kind: 'text', hint: 'Nur bei „Sonstiges“.' },
          { name: 'dueDate', label: 'Nachfrage am', kind: 'date' },
          ...(sharing.length
            ? [{ name: 'consentId', label: 'Einwilligung zur Weitergabe', kind: 'select' as const, emptyOption: 'Keine Daten werden weitergegeben', options: sharing.map((k) => ({ value: k.id, label: consentLabel(k) })) }]
            : []),
        ],
      };
    }
    case 'record-referral-outcome':
      return {
        fields: [
          {
            name: 'referralId',
            label: 'Vermittlung',
            kind: 'select',
            required: true,
            options: c.referrals.filter((r) => r.status === 'sent' || r.status === 'accepted').map((r) => ({ value: r.id, label: `${r.service} vom ${formatDate(r.sentAt)}` })),
          },
          { name: 'outcome', label: 'Ergebnis', kind: 'select', required: true, emptyOption: 'Bitte wählen', options: optionsOf(REFERRAL_OUTCOME_LABELS) },
          { name: 'reason', label: 'Begründung', kind: 'text' },
        ],
      };
    default:
      return {};
  }
}

/** Reviews, contacts, hold, transfer and closure. */
function followUpForm(action: CaseAction, f: FormInputs): Partial<ActionFormSpec> {
  const { c, ctx } = f;
  switch (action) {
    case 'start-review':
      return { intro: 'Überprüft mit der Person, was erreicht wurde und wie es weitergeht.' };
    case 'complete-review':
      return {
        fields: [
          { name: 'outcome', label: 'Ergebnis der Überprüfung', kind: 'select', required: true, emptyOption: 'Bitte wählen', options: optionsOf(REVIEW_OUTCOME_LABELS) },
          { name: 'notes', label: 'Notizen', kind: 'textarea' },
          { name: 'closureReason', label: 'Abschlussgrund', kind: 'select', emptyOption: 'Nur bei „Abschließen“', options: optionsOf(CLOSURE_REASON_LABELS) },
          { name: 'goalAttainment', label: 'Zielerreichung', kind: 'select', emptyOption: 'Nur bei „Abschließen“', options: optionsOf(GOAL_ATTAINMENT_LABELS) },
          ...ratingFields(c, ctx.progress),
        ],
      };
    case 'record-contact':
      return {
        fields: [
          { name: 'kind', label: 'Art des Kontakts', kind: 'select', required: true, options: optionsOf(CONTACT_KIND_LABELS), default: 'counselling' },
          { name: 'date', label: 'Datum', kind: 'date', required: true, default: ctx.today },
          { name: 'durationMinutes', label: 'Dauer in Minuten', kind: 'number', required: true },
          { name: 'note', label: 'Notiz', kind: 'textarea' },
        ],
      };
    case 'put-on-hold':
      return { intro: 'Fristen ruhen, solange der Fall pausiert ist.', fields: [{ name: 'reason', label: 'Grund', kind: 'text', required: true }] };
    case 'resume':
      return { fields: [{ name: 'note', label: 'Bemerkung', kind: 'text' }] };
    case 'transfer':
      return {
        fields: [
          {
            name: 'organisationId',
            label: 'An Organisation',
            kind: 'select',
            required: true,
            emptyOption: 'Bitte wählen',
            options: ctx.organisations.filter((o) => o.value !== c.organisationId),
          },
          { name: 'reason', label: 'Grund', kind: 'text', required: true },
        ],
      };
    case 'request-closure':
      return { intro: 'Der Abschluss wird von der KIM-Koordination freigegeben. Die Einschätzung hier ist die Abschlussbewertung.', fields: [...closureFields, ...ratingFields(c, ctx.progress)] };
    case 'close':
      return { intro: 'Die Einschätzung hier ist die Abschlussbewertung.', fields: [...closureFields, ...ratingFields(c, ctx.progress)] };
    case 'approve-closure': {
      const r = c.closureRequest;
      return {
        intro: r
          ? `Beantragt am ${formatDate(r.requestedAt)}: ${CLOSURE_REASON_LABELS[r.reason]}, Ziele ${GOAL_ATTAINMENT_LABELS[r.goalAttainment]}.`
          : undefined,
        fields: [
          { name: 'note', label: 'Bemerkung', kind: 'text' },
          {
            name: 'confirmChanges',
            label: 'Änderungen seit dem Antrag geprüft',
            kind: 'select',
            yes: true,
            options: [{ value: 'true', label: 'Ja, trotz Änderungen freigeben' }],
            emptyOption: 'Nur nötig, wenn sich der Fall seit dem Antrag geändert hat',
          },
        ],
      };
    }
    case 'return-closure':
      return {
        intro: 'Der Antrag geht mit Ihrer Begründung an die antragstellende Person zurück; die Fristen des Falls laufen wieder.',
        fields: [{ name: 'reason', label: 'Begründung', kind: 'textarea', required: true }],
      };
    case 'withdraw-closure':
      return { intro: 'Der Fall wird weiter bearbeitet; die Fristen laufen wieder.', fields: [{ name: 'note', label: 'Bemerkung', kind: 'text' }] };
    case 'reopen':
      return { fields: [{ name: 'reason', label: 'Grund', kind: 'text', required: true }] };
    default:
      return {};
  }
}
