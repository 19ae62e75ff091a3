// The HTML forms of the pages (the case actions' forms are in case-action-forms.ts): what fields each form has, how a urlencoded body becomes the JSON body the API takes,
// and how the API's field errors (dotted paths such as `goals.0.dueDate`) land next to the right field again.
// Validation itself stays where it is (domain schemas via the workflow's update validator, parseCreateCase): the
// forms only translate, so a page and the JSON API can never disagree about what is valid.
import { randomUUID } from 'node:crypto';
import { CASE_SOURCES, MUNICIPALITIES, type CaseAction } from '../../domain/index.js';
import { SOURCE_LABELS } from './labels.js';

export interface Option {
  value: string;
  label: string;
}

export interface FieldSpec {
  /** Dotted path in the JSON body (`person.givenName`); inside a group the path below the row (`title`). */
  name: string;
  label: string;
  /** `checkboxes`: several of `options` (an array in the body; in FormValues the chosen values comma-joined). */
  kind: 'text' | 'textarea' | 'select' | 'date' | 'time' | 'number' | 'email' | 'password' | 'list' | 'checkboxes';
  /** `select` whose value `true` is sent as the boolean true (a confirmation). */
  yes?: boolean;
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
  if (spec.yes) return v === 'true';
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
  const inputType = { text: 'text', list: 'text', date: 'date', time: 'time', number: 'number', email: 'email', password: 'password' }[
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
    {
      name: 'holder',
      label: 'Wer führt den Fall?',
      kind: 'select',
      options: [
        { value: 'vorschlag', label: 'Regel für meine Stelle (Träger: Trägervorschlag; Kreis und ABH: eigene Stelle)' },
        { value: 'eigene', label: 'Meine eigene Organisation' },
      ],
      hint: 'Die ABH gibt Personen nur über „Übergabe vorschlagen“ weiter (Einwilligung zuerst).',
    },
  ],
};

// ---------------------------------------------------------------------------------------------------------------
// Action forms (case and handover pages alike)

/** An action that was refused: shown again on its form with the values sent and the errors at their fields. */
export interface ActionFailure<A extends string = string> {
  action: A;
  values: FormValues;
  errors: FieldErrors;
  message: string;
}

/** The view of one action's form: collapsible, posting to `url`, reopened with its errors after a refusal. */
export function actionView(
  spec: FormSpec & { action: string; intro?: string | undefined; primary?: boolean | undefined },
  labels: { label: string; submit: string; url: string; id?: string; hidden?: Record<string, string>; secondary?: { label: string; url: string } },
  failure: ActionFailure | undefined,
  csrfToken: string | undefined,
) {
  // `id`: one action shown as several forms (consent per scope) needs an id per form; `hidden`: their fixed values.
  const prefix = labels.id ?? `aktion-${spec.action}`;
  const form = formView(spec, prefix, failure?.values, failure?.errors ?? {});
  return {
    id: prefix,
    label: labels.label,
    url: labels.url,
    intro: spec.intro,
    submit: labels.submit,
    open: Boolean(spec.primary) || Boolean(failure),
    form,
    // A refusal without field errors (409, 403) is shown as the form's message.
    message: failure && !form.hasErrors ? failure.message : undefined,
    failed: Boolean(failure),
    csrfToken,
    hidden: Object.entries(labels.hidden ?? {}).map(([name, value]) => ({ name, value })),
    // A second way to send the same form (the assessment's draft): its own action URL.
    secondary: labels.secondary,
    // Per rendering of the form: a double submit reaches the workflow with the same request id and runs once.
    requestId: randomUUID(),
  };
}
