// The forms of the handover pages: the proposal of the ABH counsellor and one form per handover action — their fields,
// how a submitted form becomes the operation's input, and where the operation's field errors land on the form.
import type { HandoverAction } from '../../domain/index.js';
import { berlinDate, isIsoDate } from '../../domain/dates.js';
import { formPayload, formValues, intakeForm, type ActionFailure as GenericActionFailure, type FieldErrors, type FormSpec, type FormValues, type Option } from './forms.js';
import { CONSENT_DECISION_LABELS, optionsOf } from './labels.js';

const TIME_ZONE = 'Europe/Berlin';

/** `YYYY-MM-DD` + `HH:MM` as wall-clock time in Germany → ISO timestamp; undefined when it is no valid time. */
export function germanWallTimeToIso(date: string, time: string): string | undefined {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  const t = /^(\d{1,2})[:.](\d{2})$/.exec(time.trim());
  if (!d || !t) return undefined;
  const [year, month, day, hour, minute] = [d[1], d[2], d[3], t[1], t[2]].map(Number) as [number, number, number, number, number];
  if (hour > 23 || minute > 59) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  if (new Date(wall).getUTCDate() !== day) return undefined; // 31.02. and the like
  const offset = (instant: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone: TIME_ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
        .formatToParts(new Date(instant))
        .map((p) => [p.type, p.value]),
    );
    return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute)) - instant;
  };
  // Twice: the offset at the wall time itself may differ from the offset at the instant (change to/from summer time).
  const first = wall - offset(wall);
  return new Date(wall - offset(first)).toISOString();
}

// ---------------------------------------------------------------------------------------------------------------
// Neue Übergabe

/** Prefix of the proposal form's field ids. */
export const PREFIX = 'uebergabe';
const PERSON_FIELDS = intakeForm.fields.filter((f) => f.name.startsWith('person.'));
/** The residence-law checkboxes (rendered by the template, not by formView). */
export const PERMITS = 'residenceLaw.permits';

export function proposalDetailsForm(organisations: Option[]): FormSpec {
  return {
    fields: [
      { name: 'residenceLaw.notes', label: 'Weitere aufenthaltsrechtliche Angaben', kind: 'textarea', hint: 'Zum Beispiel: Duldung seit 2019, Beschäftigung in Aussicht.' },
      { name: 'reason', label: 'Grund der Übergabe', kind: 'textarea', required: true, hint: 'Worin besteht der erhöhte Unterstützungsbedarf?' },
      {
        name: 'proposedOrganisationId',
        label: 'Aufnehmende Organisation',
        kind: 'select',
        emptyOption: 'Nach Zuständigkeit vorschlagen (Wohnort und Alter)',
        options: organisations,
        hint: 'Ohne Auswahl schlägt das System den zuständigen Träger nach Wohnort und Alter vor.',
      },
    ],
  };
}

export const personForm: FormSpec = { fields: PERSON_FIELDS };

function submittedPermits(body: Record<string, unknown>): string[] {
  const raw = body[PERMITS];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

/** What the proposal form kept (shown again after a refusal). */
export interface SubmittedProposal {
  values: FormValues;
  permits: string[];
}

/** The submitted proposal form as the input of proposeHandover(), and what to show again if it is refused. */
export function readProposalForm(body: Record<string, unknown>): { input: Record<string, unknown>; submitted: SubmittedProposal } {
  const spec: FormSpec = { fields: [...PERSON_FIELDS, ...proposalDetailsForm([]).fields] };
  const values = formValues(spec, body);
  const requestId = typeof body.requestId === 'string' ? body.requestId : '';
  const permits = submittedPermits(body);
  const { payload } = formPayload(spec, values);
  // The person's fields are always sent, so missing ones are reported each at its field.
  payload.person ??= {};
  const residenceLaw = (payload.residenceLaw ?? {}) as Record<string, unknown>;
  payload.residenceLaw = { ...residenceLaw, permits };
  if (requestId) payload.requestId = requestId;
  return { input: payload, submitted: { values: { ...values, requestId }, permits } };
}

// ---------------------------------------------------------------------------------------------------------------
// Actions

export interface HandoverActionForm extends FormSpec {
  action: HandoverAction;
  intro?: string;
  /** Moves the handover on: shown open, the others folded. */
  primary: boolean;
}

export interface ActionFormContext {
  assignees: Option[];
  defaultAssignee?: string;
  participants: string;
  /** Today in Germany (`YYYY-MM-DD`): the default day the meeting was held. */
  today?: string;
}

export function actionForm(action: HandoverAction, ctx: ActionFormContext): HandoverActionForm {
  switch (action) {
    case 'record-consent':
      return {
        action,
        primary: true,
        intro: 'Ohne Einwilligung der Person wird nichts weitergegeben. Eine Verweigerung beendet die Übergabe.',
        // No preselected decision: what the person decided is entered, never assumed.
        fields: [{ name: 'decision', label: 'Entscheidung der Person', kind: 'select', required: true, emptyOption: 'Bitte wählen', options: optionsOf(CONSENT_DECISION_LABELS) }],
      };
    case 'schedule-meeting':
      return {
        action,
        primary: true,
        intro: 'Das Übergabegespräch führen Klient*in, Sozialberatung und aufnehmendes Case Management gemeinsam.',
        fields: [
          { name: 'meetingDate', label: 'Datum des Gesprächs', kind: 'date', required: true },
          { name: 'meetingTime', label: 'Uhrzeit', kind: 'time', required: true, hint: 'Deutsche Zeit, zum Beispiel 10:30.' },
          { name: 'participants', label: 'Teilnehmende', kind: 'list', required: true, hint: 'Mehrere durch Komma trennen.', default: ctx.participants },
        ],
      };
    case 'complete-meeting':
      return {
        action,
        primary: true,
        intro: 'Erfasst, wann das Übergabegespräch geführt wurde. Danach kann das Case Management den Fall übernehmen.',
        fields: [
          { name: 'heldDate', label: 'Geführt am', kind: 'date', required: true, ...(ctx.today ? { default: ctx.today } : {}) },
          { name: 'heldTime', label: 'Uhrzeit', kind: 'time', hint: 'Deutsche Zeit; kann leer bleiben.' },
          { name: 'notes', label: 'Notizen zum Gespräch', kind: 'textarea' },
        ],
      };
    case 'accept':
      return {
        action,
        primary: true,
        intro: 'Der Fall wird bei der aufnehmenden Organisation eröffnet und mit dem Assessment fortgeführt.',
        fields: [
          {
            name: 'assigneeId',
            label: 'Fallführende Person',
            kind: 'select',
            options: ctx.assignees,
            ...(ctx.defaultAssignee ? { default: ctx.defaultAssignee } : { emptyOption: 'Noch niemandem zuweisen' }),
          },
        ],
      };
    case 'cancel':
      return { action, primary: false, fields: [{ name: 'reason', label: 'Grund', kind: 'text', required: true }] };
    case 'withdraw-consent':
      return {
        action,
        primary: false,
        intro: 'Die Person widerruft ihre Einwilligung: Die Übergabe endet sofort, die aufnehmende Organisation sieht keine Daten mehr.',
        fields: [{ name: 'note', label: 'Bemerkung', kind: 'text' }],
      };
  }
}

const BAD_DATE = 'Bitte ein Datum angeben, zum Beispiel 15.01.2027.';
const BAD_TIME = 'Bitte eine Uhrzeit angeben, zum Beispiel 10:30.';

/**
 * A date field and a time field as one moment in Germany, with German messages at the field that is wrong (the API
 * itself wants ISO 8601 with an offset). `fallbackTime` stands in for an empty optional time.
 */
function wallTime(date: string, time: string, fields: [date: string, time: string], fallbackTime?: string): { at?: string; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const d = date.trim();
  const t = time.trim() || (fallbackTime ?? '');
  if (!d) errors[fields[0]] = 'Pflichtfeld';
  else if (!isIsoDate(d)) errors[fields[0]] = BAD_DATE;
  if (!t) errors[fields[1]] = 'Pflichtfeld';
  else if (!/^\d{1,2}[:.]\d{2}$/.test(t)) errors[fields[1]] = BAD_TIME;
  const at = Object.keys(errors).length === 0 ? germanWallTimeToIso(d, t) : undefined;
  if (!at && Object.keys(errors).length === 0) errors[fields[1]] = BAD_TIME;
  return at ? { at, errors } : { errors };
}

/** The form's values as the operation's input of the action, and where the operation's error paths land on the form. */
function actionPayload(spec: HandoverActionForm, values: FormValues, now: Date) {
  const { payload, errorKey } = formPayload(spec, values);
  if (spec.action === 'schedule-meeting') {
    delete payload.meetingDate;
    delete payload.meetingTime;
    const { at, errors } = wallTime(values.meetingDate ?? '', values.meetingTime ?? '', ['meetingDate', 'meetingTime']);
    if (at) payload.at = at;
    return {
      payload,
      errors,
      errorKey: (key: string) => (key === 'at' ? 'meetingDate' : key.startsWith('participants') ? 'participants' : errorKey(key)),
    };
  }
  if (spec.action === 'complete-meeting') {
    delete payload.heldDate;
    delete payload.heldTime;
    // The day is what counts; without a time the meeting is put at noon of that day (or now, if that is later today).
    const time = (values.heldTime ?? '').trim();
    const { at, errors } = wallTime(values.heldDate ?? '', time, ['heldDate', 'heldTime'], '12:00');
    if (at && (values.heldDate ?? '').trim() > berlinDate(now.getTime())) errors.heldDate = 'Das Gespräch kann nicht in der Zukunft geführt worden sein.';
    else if (at && Date.parse(at) > now.getTime() && time) errors.heldTime = 'Diese Uhrzeit liegt noch in der Zukunft.';
    else if (at) payload.heldAt = Date.parse(at) > now.getTime() ? now.toISOString() : at;
    return { payload, errors, errorKey: (key: string) => (key === 'heldAt' ? 'heldDate' : errorKey(key)) };
  }
  return { payload, errors: {}, errorKey };
}

/** A submitted action form: the operation's input, the values to show again, and the field of an error path. */
export function readActionForm(action: HandoverAction, body: Record<string, unknown>, now = new Date()) {
  // Only the field names matter for reading the form, not the choices offered.
  const spec = actionForm(action, { assignees: [], participants: '' });
  const values = formValues(spec, body);
  const { payload, errors, errorKey } = actionPayload(spec, values, now);
  if (typeof body.requestId === 'string' && body.requestId) payload.requestId = body.requestId;
  // `errors`: the form is wrong before the operation is asked (date and time fields); nothing is sent then.
  return { input: payload, values, errors, errorKey };
}

/** An action that was refused: shown again on its form with the values sent and the errors at their fields. */
export type ActionFailure = GenericActionFailure<HandoverAction>;

