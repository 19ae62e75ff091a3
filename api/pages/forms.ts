// The HTML forms of the pages: what fields each form has, how a urlencoded body becomes the JSON body the API takes,
// and how the API's field errors (dotted paths such as `goals.0.dueDate`) land next to the right field again.
// Validation itself stays where it is (domain schemas via the workflow's update validator, parseCreateCase): the
// forms only translate, so a page and the JSON API can never disagree about what is valid.
import {
  ACTION_LABELS,
  CASE_SOURCES,
  CLOSURE_REASON_LABELS,
  CONTACT_KIND_LABELS,
  LIFE_AREAS,
  LIFE_AREA_LABELS,
  MUNICIPALITIES,
  REFERRAL_SERVICE_SUGGESTIONS,
  SHARING_CATEGORY_LABELS,
  type CaseAction,
  type CaseData,
} from '../../domain/index.js';
import {
  CONSENT_DECISION_LABELS,
  CONSENT_SCOPE_LABELS,
  GOAL_ATTAINMENT_LABELS,
  GOAL_STATUS_LABELS,
  NEED_LABELS,
  REFERRAL_OUTCOME_LABELS,
  REVIEW_OUTCOME_LABELS,
  SOURCE_LABELS,
  formatDate,
  optionsOf,
} from './labels.js';

export interface Option {
  value: string;
  label: string;
}

export interface FieldSpec {
  /** Dotted path in the JSON body (`person.givenName`); inside a group the path below the row (`title`). */
  name: string;
  label: string;
  /** `checkboxes`: several of `options` (an array in the body; in FormValues the chosen values comma-joined). */
  kind: 'text' | 'textarea' | 'select' | 'date' | 'number' | 'email' | 'password' | 'list' | 'checkboxes';
  required?: boolean;
  hint?: string;
  options?: Option[];
  /** First, empty option of a select ("bitte wählen"); without it the first option is preselected. */
  emptyOption?: string;
  default?: string;
  autocomplete?: string;
  /** Free text with suggestions (a <datalist>). */
  suggestions?: string[];
}

/** Repeating rows that become an array in the body (goals, life areas). */
export interface GroupSpec {
  list: string;
  legend: string;
  hint?: string;
  rows: { key: string; legend: string; fields: FieldSpec[]; constant?: Record<string, string>; include: (value: (name: string) => string) => boolean }[];
}

export interface FormSpec {
  fields: FieldSpec[];
  group?: GroupSpec;
}

export interface ActionFormSpec extends FormSpec {
  action: CaseAction;
  intro?: string;
  submit: string;
  /** Moves the case on to its next phase: shown open, the others folded. */
  primary: boolean;
}

export type FormValues = Record<string, string>;
export type FieldErrors = Record<string, string>;

function str(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return str(value[value.length - 1]);
  return '';
}

/** Every submitted value of a repeated field (checkboxes), without empty ones. */
function all(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

function fieldValue(spec: FieldSpec, raw: string): unknown {
  const v = raw.trim();
  if (spec.kind === 'number' && /^-?\d+$/.test(v)) return Number(v);
  if (spec.kind === 'list' || spec.kind === 'checkboxes') {
    return v
      .split(/[,;]/)
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return v;
}

/** The submitted values of a form's fields as strings, for showing them again. */
export function formValues(spec: FormSpec, body: unknown): FormValues {
  const b = (body ?? {}) as Record<string, unknown>;
  const values: FormValues = {};
  for (const f of spec.fields) values[f.name] = f.kind === 'checkboxes' ? all(b[f.name]).join(',') : str(b[f.name]);
  for (const row of spec.group?.rows ?? []) {
    for (const f of row.fields) {
      const name = `${spec.group!.list}.${row.key}.${f.name}`;
      values[name] = str(b[name]);
    }
  }
  return values;
}

/**
 * urlencoded body → the API's JSON body. Empty fields are left out (so "optional" means optional and "required"
 * gets the API's own "Pflichtfeld"); group rows the user left empty are dropped. `errorKey` maps the API's error
 * paths back to field names, since dropping rows shifts array indices.
 */
export function formPayload(spec: FormSpec, values: FormValues): { payload: Record<string, unknown>; errorKey: (key: string) => string } {
  const payload: Record<string, unknown> = {};
  for (const f of spec.fields) {
    const raw = values[f.name] ?? '';
    if (raw.trim() !== '') setPath(payload, f.name, fieldValue(f, raw));
  }
  const indexToRow: string[] = [];
  const group = spec.group;
  if (group) {
    const items: Record<string, unknown>[] = [];
    for (const row of group.rows) {
      const value = (name: string) => (values[`${group.list}.${row.key}.${name}`] ?? '').trim();
      if (!row.include(value)) continue;
      const item: Record<string, unknown> = { ...row.constant };
      for (const f of row.fields) {
        const raw = value(f.name);
        if (raw !== '') item[f.name] = fieldValue(f, raw);
      }
      items.push(item);
      indexToRow.push(row.key);
    }
    setPath(payload, group.list, items);
  }
  const errorKey = (key: string) => {
    // An error on one entry of a list field (`dataCategories.0`) belongs to the field.
    const multi = spec.fields.find((f) => (f.kind === 'list' || f.kind === 'checkboxes') && key.startsWith(`${f.name}.`));
    if (multi) return multi.name;
    if (!group || !key.startsWith(`${group.list}.`)) return key;
    const [, index, ...rest] = key.split('.');
    const row = indexToRow[Number(index)];
    return row === undefined ? group.list : [group.list, row, ...rest].join('.');
  };
  return { payload, errorKey };
}

// ---------------------------------------------------------------------------------------------------------------
// View models for templates/partials

export interface FieldView {
  id: string;
  name: string;
  label: string;
  value: string;
  required: boolean;
  hint?: string;
  hintId?: string;
  error?: string;
  errorId?: string;
  describedBy?: string;
  autocomplete?: string;
  inputType?: string;
  isSelect: boolean;
  isTextarea: boolean;
  isCheckboxes: boolean;
  options?: (Option & { selected: boolean; optionId: string })[];
  suggestions?: { listId: string; items: string[] };
}

export interface FormView {
  fields: FieldView[];
  group?: { legend: string; hint?: string; error?: string; errorId: string; id: string; rows: { legend: string; fields: FieldView[] }[] };
  /** Error summary at the top of the form: each entry links to its field. */
  summary: { href: string; text: string }[];
  hasErrors: boolean;
}

export function fieldId(prefix: string, name: string): string {
  return `${prefix}-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function fieldView(spec: FieldSpec, name: string, prefix: string, values: FormValues | undefined, errors: FieldErrors): FieldView {
  const id = fieldId(prefix, name);
  // Without submitted values (first display) the field shows its default.
  const value = values ? (values[name] ?? '') : (spec.default ?? '');
  const error = errors[name];
  const hintId = spec.hint ? `${id}-hinweis` : undefined;
  const errorId = error ? `${id}-fehler` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  const chosen = spec.kind === 'checkboxes' ? value.split(',') : [value];
  const options = spec.options
    ? [...(spec.emptyOption !== undefined ? [{ value: '', label: spec.emptyOption }] : []), ...spec.options].map((o, i) => ({
        ...o,
        selected: chosen.includes(o.value),
        optionId: `${id}-${i}`,
      }))
    : undefined;
  const inputType = { text: 'text', list: 'text', date: 'date', number: 'number', email: 'email', password: 'password' }[
    spec.kind as 'text'
  ];
  return {
    id,
    name,
    label: spec.label,
    value,
    required: spec.required ?? false,
    ...(spec.hint ? { hint: spec.hint, hintId } : {}),
    ...(error ? { error, errorId } : {}),
    ...(describedBy ? { describedBy } : {}),
    ...(spec.autocomplete ? { autocomplete: spec.autocomplete } : {}),
    ...(inputType ? { inputType } : {}),
    isSelect: spec.kind === 'select',
    isTextarea: spec.kind === 'textarea',
    isCheckboxes: spec.kind === 'checkboxes',
    ...(options ? { options } : {}),
    ...(spec.suggestions ? { suggestions: { listId: `${id}-vorschlaege`, items: spec.suggestions } } : {}),
  };
}

/**
 * Fields with values and errors. `values` undefined = first display (defaults). Errors that belong to no field
 * (e.g. `body`) are returned in `summary` without a link target of their own: they point at the form's first field.
 */
export function formView(spec: FormSpec, prefix: string, values: FormValues | undefined, errors: FieldErrors = {}): FormView {
  const fields = spec.fields.map((f) => fieldView(f, f.name, prefix, values, errors));
  const summary: FormView['summary'] = [];
  const known = new Set<string>();
  for (const f of fields) {
    known.add(f.name);
    if (f.error) summary.push({ href: `#${f.id}`, text: `${f.label}: ${f.error}` });
  }
  let group: FormView['group'];
  if (spec.group) {
    const g = spec.group;
    const groupId = fieldId(prefix, g.list);
    const rows = g.rows.map((row) => ({
      legend: row.legend,
      fields: row.fields.map((f) => fieldView(f, `${g.list}.${row.key}.${f.name}`, prefix, values, errors)),
    }));
    const groupError = errors[g.list];
    known.add(g.list);
    if (groupError) summary.push({ href: `#${groupId}`, text: `${g.legend}: ${groupError}` });
    for (const row of rows) {
      for (const f of row.fields) {
        known.add(f.name);
        if (f.error) summary.push({ href: `#${f.id}`, text: `${row.legend} – ${f.label}: ${f.error}` });
      }
    }
    group = { legend: g.legend, ...(g.hint ? { hint: g.hint } : {}), ...(groupError ? { error: groupError } : {}), errorId: `${groupId}-fehler`, id: groupId, rows };
  }
  const firstTarget = fields[0]?.id ?? group?.id;
  for (const [key, message] of Object.entries(errors)) {
    if (!known.has(key)) summary.push({ href: firstTarget ? `#${firstTarget}` : '#inhalt', text: message });
  }
  return { fields, ...(group ? { group } : {}), summary, hasErrors: summary.length > 0 };
}

// ---------------------------------------------------------------------------------------------------------------
// Sign-in and intake

export const loginForm: FormSpec = {
  fields: [
    { name: 'email', label: 'E-Mail-Adresse', kind: 'email', required: true, autocomplete: 'username' },
    { name: 'password', label: 'Passwort', kind: 'password', required: true, autocomplete: 'current-password' },
  ],
};

export const intakeForm: FormSpec = {
  fields: [
    { name: 'person.givenName', label: 'Vorname', kind: 'text', required: true, autocomplete: 'off' },
    { name: 'person.familyName', label: 'Nachname', kind: 'text', required: true, autocomplete: 'off' },
    { name: 'person.birthDate', label: 'Geburtsdatum', kind: 'date', required: true, hint: 'Bestimmt mit dem Wohnort den zuständigen Träger.' },
    {
      name: 'person.municipality',
      label: 'Wohnort (Kommune)',
      kind: 'select',
      required: true,
      emptyOption: 'Bitte wählen',
      options: MUNICIPALITIES.map((m) => ({ value: m, label: m })),
    },
    { name: 'person.languages', label: 'Sprachen', kind: 'list', hint: 'Mehrere durch Komma trennen, z. B. Arabisch, Deutsch.' },
    {
      name: 'source',
      label: 'Zugang',
      kind: 'select',
      required: true,
      emptyOption: 'Bitte wählen',
      options: CASE_SOURCES.map((s) => ({ value: s, label: SOURCE_LABELS[s] })),
    },
    { name: 'note', label: 'Notiz zur Erstberatung', kind: 'textarea' },
  ],
};

// ---------------------------------------------------------------------------------------------------------------
// Case actions

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

/** The form of one case action, with the choices this case offers (its consents, goals, referrals, …). */
export function actionForm(action: CaseAction, ctx: ActionFormContext): ActionFormSpec {
  const { c } = ctx;
  const base = { action, submit: ACTION_LABELS[action], primary: PRIMARY.includes(action), fields: [] as FieldSpec[] };
  const effectiveConsents = c.consents.filter((k) => k.decision === 'given' && !k.withdrawnAt);
  const consentLabel = (k: CaseData['consents'][number]) =>
    `${CONSENT_SCOPE_LABELS[k.scope]}${k.partnerName ? ` (${k.partnerName})` : ''} vom ${formatDate(k.recordedAt)}`;
  switch (action) {
    case 'confirm-provider':
      return {
        ...base,
        intro: 'Bestätigen Sie den vorgeschlagenen Träger oder wählen Sie einen anderen und begründen Sie die Abweichung.',
        fields: [
          { name: 'organisationId', label: 'Träger', kind: 'select', required: true, options: ctx.organisations, default: c.proposedProvider.organisationId },
          { name: 'overrideReason', label: 'Begründung der Abweichung', kind: 'textarea', hint: 'Nur nötig, wenn Sie vom Vorschlag abweichen.' },
        ],
      };
    case 'assign':
      return {
        ...base,
        fields: [{ name: 'assigneeId', label: 'Fallführende Person', kind: 'select', required: true, options: ctx.assignees, default: c.assigneeId ?? ctx.userId }],
      };
    case 'record-consent':
      return {
        ...base,
        fields: [
          { name: 'scope', label: 'Umfang', kind: 'select', required: true, options: optionsOf(CONSENT_SCOPE_LABELS), default: 'data_processing' },
          { name: 'decision', label: 'Entscheidung der Person', kind: 'select', required: true, options: optionsOf(CONSENT_DECISION_LABELS), default: 'given' },
          {
            name: 'partnerOrganisationId',
            label: 'Partnerorganisation',
            kind: 'select',
            emptyOption: 'Keine Organisation im System',
            options: ctx.partners ?? [],
            hint: 'Bei Weitergabe an Partner: Eine Organisation im System sieht danach die freigegebenen Daten, bis die Einwilligung widerrufen wird.',
          },
          { name: 'partnerName', label: 'Partner', kind: 'text', hint: 'Bei Weitergabe an Partner: an wen die Daten gehen.' },
          { name: 'purpose', label: 'Zweck', kind: 'text', hint: 'Bei Weitergabe an Partner: wofür.' },
          {
            name: 'dataCategories',
            label: 'Freigegebene Daten',
            kind: 'checkboxes',
            options: optionsOf(SHARING_CATEGORY_LABELS),
            hint: 'Nur bei Weitergabe an Partner. Ohne Auswahl: Stammdaten und die Vermittlung an diesen Partner.',
          },
        ],
      };
    case 'withdraw-consent':
      return {
        ...base,
        fields: [{ name: 'consentId', label: 'Einwilligung', kind: 'select', required: true, options: effectiveConsents.map((k) => ({ value: k.id, label: consentLabel(k) })) }],
      };
    case 'start-assessment':
      return { ...base, intro: 'Beginnt die Situationsanalyse; die Frist für den ersten Assessment-Schritt ist damit erfüllt.' };
    case 'complete-assessment':
      return {
        ...base,
        intro: 'Bewerten Sie die Lebensbereiche, die besprochen wurden. Bereiche ohne Angabe zum Bedarf werden nicht übernommen.',
        group: {
          list: 'lifeAreas',
          legend: 'Lebensbereiche',
          rows: LIFE_AREAS.map((area) => ({
            key: area,
            legend: LIFE_AREA_LABELS[area],
            constant: { area },
            include: (value) => value('need') !== '' || value('situation') !== '',
            fields: [
              { name: 'need', label: 'Bedarf', kind: 'select', emptyOption: 'nicht bewertet', options: optionsOf(NEED_LABELS) },
              { name: 'situation', label: 'Situation', kind: 'textarea' },
            ],
          })),
        },
      };
    case 'agree-goals':
      return {
        ...base,
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
        ...base,
        fields: [
          { name: 'goalId', label: 'Ziel', kind: 'select', required: true, options: c.goals.map((g) => ({ value: g.id, label: `${g.title} (${GOAL_STATUS_LABELS[g.status]})` })) },
          { name: 'status', label: 'Stand', kind: 'select', required: true, options: optionsOf(GOAL_STATUS_LABELS) },
          { name: 'dueDate', label: 'Neuer Zieltermin', kind: 'date' },
        ],
      };
    case 'refer': {
      const sharing = effectiveConsents.filter((k) => k.scope === 'share_with_partner');
      return {
        ...base,
        intro: 'Die Nachfrage, ob die Person angekommen ist, wird als Frist angelegt (ohne Termin: nach 14 Tagen).',
        fields: [
          {
            name: 'service',
            label: 'Angebot / Dienst',
            kind: 'text',
            required: true,
            hint: 'Zum Beispiel Jobcenter, Schuldnerberatung, Sprachkurs.',
            suggestions: Object.values(REFERRAL_SERVICE_SUGGESTIONS),
          },
          { name: 'partnerName', label: 'Partner vor Ort', kind: 'text' },
          { name: 'dueDate', label: 'Nachfrage am', kind: 'date' },
          ...(sharing.length
            ? [{ name: 'consentId', label: 'Einwilligung zur Weitergabe', kind: 'select' as const, emptyOption: 'Keine Daten werden weitergegeben', options: sharing.map((k) => ({ value: k.id, label: consentLabel(k) })) }]
            : []),
        ],
      };
    }
    case 'record-referral-outcome':
      return {
        ...base,
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
    case 'start-review':
      return { ...base, intro: 'Überprüft mit der Person, was erreicht wurde und wie es weitergeht.' };
    case 'complete-review':
      return {
        ...base,
        fields: [
          { name: 'outcome', label: 'Ergebnis der Überprüfung', kind: 'select', required: true, emptyOption: 'Bitte wählen', options: optionsOf(REVIEW_OUTCOME_LABELS) },
          { name: 'notes', label: 'Notizen', kind: 'textarea' },
          { name: 'closureReason', label: 'Abschlussgrund', kind: 'select', emptyOption: 'Nur bei „Abschließen“', options: optionsOf(CLOSURE_REASON_LABELS) },
          { name: 'goalAttainment', label: 'Zielerreichung', kind: 'select', emptyOption: 'Nur bei „Abschließen“', options: optionsOf(GOAL_ATTAINMENT_LABELS) },
        ],
      };
    case 'record-contact':
      return {
        ...base,
        fields: [
          { name: 'kind', label: 'Art des Kontakts', kind: 'select', required: true, options: optionsOf(CONTACT_KIND_LABELS), default: 'counselling' },
          { name: 'date', label: 'Datum', kind: 'date', required: true, default: ctx.today },
          { name: 'durationMinutes', label: 'Dauer in Minuten', kind: 'number', required: true },
          { name: 'note', label: 'Notiz', kind: 'textarea' },
        ],
      };
    case 'put-on-hold':
      return { ...base, intro: 'Fristen ruhen, solange der Fall pausiert ist.', fields: [{ name: 'reason', label: 'Grund', kind: 'text', required: true }] };
    case 'resume':
      return { ...base, fields: [{ name: 'note', label: 'Bemerkung', kind: 'text' }] };
    case 'transfer':
      return {
        ...base,
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
      return { ...base, intro: 'Der Abschluss wird von der KIM-Koordination freigegeben.', fields: closureFields };
    case 'close':
      return { ...base, fields: closureFields };
    case 'approve-closure': {
      const r = c.closureRequest;
      return {
        ...base,
        intro: r
          ? `Beantragt am ${formatDate(r.requestedAt)}: ${CLOSURE_REASON_LABELS[r.reason]}, Ziele ${GOAL_ATTAINMENT_LABELS[r.goalAttainment]}.`
          : undefined,
        fields: [{ name: 'note', label: 'Bemerkung', kind: 'text' }],
      };
    }
    case 'reopen':
      return { ...base, fields: [{ name: 'reason', label: 'Grund', kind: 'text', required: true }] };
  }
}
