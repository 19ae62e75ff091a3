// The forms of the handover pages: the proposal of the ABH counsellor and one form per handover action — their fields,
// how a submitted form becomes the operation's input, and where the operation's field errors land on the form.
import type { HandoverAction } from '../../domain/index.js';
import { formPayload, formValues, intakeForm, type ActionFailure as GenericActionFailure, type FormSpec, type FormValues, type Option } from './forms.js';
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
}

export function actionForm(action: HandoverAction, ctx: ActionFormContext): HandoverActionForm {
  switch (action) {
    case 'record-consent':
      return {
        action,
        primary: true,
        intro: 'Ohne Einwilligung der Person wird nichts weitergegeben. Eine Verweigerung beendet die Übergabe.',
        fields: [{ name: 'decision', label: 'Entscheidung der Person', kind: 'select', required: true, options: optionsOf(CONSENT_DECISION_LABELS), default: 'given' }],
      };
    case 'schedule-meeting':
      return {
        action,
        primary: true,
        intro: 'Das Übergabegespräch führen Klient*in, Sozialberatung und aufnehmendes Case Management gemeinsam.',
        fields: [
          { name: 'meetingDate', label: 'Datum des Gesprächs', kind: 'date', required: true },
          { name: 'meetingTime', label: 'Uhrzeit', kind: 'text', required: true, hint: 'Zum Beispiel 10:30.', autocomplete: 'off' },
          { name: 'participants', label: 'Teilnehmende', kind: 'list', required: true, hint: 'Mehrere durch Komma trennen.', default: ctx.participants },
        ],
      };
    case 'complete-meeting':
      return {
        action,
        primary: true,
        intro: 'Erfasst das Übergabegespräch als heute geführt. Danach kann das Case Management den Fall übernehmen.',
        fields: [{ name: 'notes', label: 'Notizen zum Gespräch', kind: 'textarea' }],
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

/** The form's values as the operation's input of the action, and where the operation's error paths land on the form. */
function actionPayload(spec: HandoverActionForm, values: FormValues) {
  const { payload, errorKey } = formPayload(spec, values);
  if (spec.action !== 'schedule-meeting') return { payload, errorKey };
  const date = values.meetingDate ?? '';
  const time = values.meetingTime ?? '';
  delete payload.meetingDate;
  delete payload.meetingTime;
  const at = germanWallTimeToIso(date, time);
  // Not a valid time: the operation's own message ("ungültiger Zeitpunkt" / "Pflichtfeld") is shown at the field.
  if (at) payload.at = at;
  else if (date.trim() || time.trim()) payload.at = `${date.trim()}T${time.trim()}`;
  const timeIsBad = time.trim() !== '' && !/^\d{1,2}[:.]\d{2}$/.test(time.trim());
  return {
    payload,
    errorKey: (key: string) => (key === 'at' ? (timeIsBad || (date.trim() && !time.trim()) ? 'meetingTime' : 'meetingDate') : key.startsWith('participants') ? 'participants' : errorKey(key)),
  };
}

/** A submitted action form: the operation's input, the values to show again, and the field of an error path. */
export function readActionForm(action: HandoverAction, body: Record<string, unknown>) {
  // Only the field names matter for reading the form, not the choices offered.
  const spec = actionForm(action, { assignees: [], participants: '' });
  const values = formValues(spec, body);
  const { payload, errorKey } = actionPayload(spec, values);
  if (typeof body.requestId === 'string' && body.requestId) payload.requestId = body.requestId;
  return { input: payload, values, errorKey };
}

/** An action that was refused: shown again on its form with the values sent and the errors at their fields. */
export type ActionFailure = GenericActionFailure<HandoverAction>;

