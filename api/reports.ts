// GET /api/v1/reports/controlling — controlling figures for the KIM coordination (api.md "Coordination", issue 5).
// The figures come from domain/controlling.ts (pure, over the event store); this route only checks the caller, reads
// the events and renders JSON, CSV (German Excel: `;`, decimal comma, UTF-8 BOM) or XLSX (exceljs). All three carry
// the same, already suppressed numbers — nothing below the suppression ever leaves the server.
import { Router, type Request } from 'express';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import {
  CONTROLLING_GROUP_BY,
  GROUP_BY_LABELS,
  MIN_PERSONS,
  REPORT_TIME_ZONE,
  cellAt,
  computeControlling,
  periodBounds,
  zonedDate,
  type Cell,
  type ControllingGroupBy,
  type ControllingReport,
} from '../domain/controlling.js';
import { MUNICIPALITIES, formatDateDe, isIsoDate } from '../domain/index.js';
import type { Database } from '../platform/database.js';
import { canSeeReports } from './access.js';
import { currentUser } from './auth.js';
import { logAccess } from './access-log.js';
import { ApiError } from './errors.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Shown in CSV/XLSX for a suppressed cell (as in the statistics of the Bundesagentur für Arbeit). */
export const SUPPRESSED_MARK = '*';
/** Longest period: bounds the work (and the month columns) of one request. */
const MAX_PERIOD_DAYS = 3660;

const dateField = (name: string) =>
  z
    .string({ error: `„${name}“ als Datum im Format JJJJ-MM-TT angeben.` })
    .refine(isIsoDate, `„${name}“ ist kein gültiges Datum (Format JJJJ-MM-TT).`)
    .optional();

const querySchema = z
  .object({
    from: dateField('von'),
    to: dateField('bis'),
    groupBy: z
      .enum(CONTROLLING_GROUP_BY, { error: 'Unbekannte Gruppierung – erlaubt: organisation, municipality, month.' })
      .default('organisation'),
    format: z.enum(['json', 'csv', 'xlsx'], { error: 'Unbekanntes Format – erlaubt: json, csv, xlsx.' }).optional(),
  })
  .superRefine((q, ctx) => {
    if (!q.from || !q.to || !isIsoDate(q.from) || !isIsoDate(q.to)) return;
    if (q.from > q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: '„bis“ liegt vor „von“.' });
    else if ((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 > MAX_PERIOD_DAYS) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'Der Zeitraum darf höchstens zehn Jahre umfassen.' });
    }
  });

/** Definitions for people reading the export (sheet "Hinweise"); the report's columns follow them. */
const DEFINITIONS: [string, string][] = [
  ['Grundlage', 'Alle Zahlen werden aus dem Ereignisprotokoll der Fälle und Übergaben berechnet (nicht aus dem heutigen Stand) und sind daher für vergangene Zeiträume reproduzierbar.'],
  ['Zeitraum', `Ganze Kalendertage in deutscher Zeit (${REPORT_TIME_ZONE}), „von“ und „bis“ jeweils einschließlich.`],
  ['Zuordnung', 'Träger: die Organisation, bei der der Fall im Moment des Ereignisses lag (Übertragungen wechseln sie); ABH-Übergaben: die aufnehmende Organisation. Gemeinde: Wohnort bei Fallaufnahme. Monat: Kalendermonat des Ereignisses.'],
  ['Fälle eröffnet / abgeschlossen', 'Eröffnung bzw. Abschluss im Zeitraum; ein Fall, der im Zeitraum zweimal abgeschlossen wurde, zählt einmal mit seinem letzten Abschluss.'],
  ['Fälle aktiv', 'Fälle, die zu irgendeinem Zeitpunkt im Zeitraum offen waren. Ein übertragener Fall zählt bei beiden Organisationen, in „Gesamt“ einmal.'],
  ['Kontakte', 'Nach dem dokumentierten Kontaktdatum; Begleitungen = Kontakte der Art „Begleitung“.'],
  ['Dauer der Zusammenarbeit', 'Tage von der Fallaufnahme bis zum Abschluss, für im Zeitraum abgeschlossene Fälle; Quartile wie Excel QUARTIL.INKL.'],
  ['Tage je Phase', 'Zeit, die offene Fälle innerhalb des Zeitraums in der Phase verbracht haben (aus den Statuswechseln); „Pausiert“ zusätzlich zur Phase.'],
  ['Vermittlungen', 'Gesendete Vermittlungen und im Zeitraum erfasste Ergebnisse je Zieldienst. Zieldienste mit weniger als 3 Personen im Zeitraum werden unter „Sonstige Dienste“ zusammengefasst.'],
  ['Fristen', 'Fristgerecht/verspätet erfüllt, versäumt (Erinnerung fällig, je Frist einmal), eskaliert, überfällig am Ende des Zeitraums; ohne Aufbewahrungsfrist.'],
  [SUPPRESSED_MARK, `Wert unterdrückt: betrifft weniger als ${MIN_PERSONS} Personen, oder er würde einen solchen Wert über Summen (Zeile „Gesamt“, Summe einer Aufschlüsselung) erkennbar machen.`],
  ['(leer)', 'Nicht definiert, z. B. Median ohne abgeschlossene Fälle.'],
];

function wantedFormat(req: Request, explicit: 'json' | 'csv' | 'xlsx' | undefined): 'json' | 'csv' | 'xlsx' {
  if (explicit) return explicit;
  const best = req.accepts(['application/json', 'text/csv', XLSX_TYPE]);
  return best === 'text/csv' ? 'csv' : best === XLSX_TYPE ? 'xlsx' : 'json';
}

function tableRows(report: ControllingReport): { header: string[]; rows: { label: string; total: boolean; cells: Cell[] }[] } {
  return {
    header: [GROUP_BY_LABELS[report.groupBy], ...report.columns.map((c) => c.label)],
    rows: [...report.groups, report.total].map((row, i, all) => ({
      label: row.label,
      total: i === all.length - 1,
      cells: report.columns.map((c) => cellAt(row, c.path)),
    })),
  };
}

function csvField(value: string): string {
  // A text starting like a formula would be run by Excel (CSV injection): labels can come from free text.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function controllingCsv(report: ControllingReport): string {
  const { header, rows } = tableRows(report);
  const cell = (c: Cell) => (c.suppressed ? SUPPRESSED_MARK : c.value === null ? '' : String(c.value).replace('.', ','));
  const lines = [header.map(csvField).join(';'), ...rows.map((r) => [csvField(r.label), ...r.cells.map(cell)].join(';'))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export async function controllingXlsx(report: ControllingReport, generatedAt: Date): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'KIM Casework';
  workbook.created = generatedAt;
  const sheet = workbook.addWorksheet('Controlling', { views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }] });
  const { header, rows } = tableRows(report);
  const head = sheet.addRow(header);
  head.font = { bold: true };
  head.alignment = { wrapText: true, vertical: 'top' };
  for (const r of rows) {
    const line = sheet.addRow([r.label, ...r.cells.map((c) => (c.suppressed ? SUPPRESSED_MARK : c.value))]);
    if (r.total) line.font = { bold: true };
  }
  sheet.getColumn(1).width = 28;
  report.columns.forEach((c, i) => {
    const column = sheet.getColumn(i + 2);
    column.width = 16;
    column.numFmt = c.unit === 'days' ? '0.0' : '0';
    column.alignment = { horizontal: 'right' };
  });

  const notes = workbook.addWorksheet('Hinweise');
  notes.getColumn(1).width = 30;
  notes.getColumn(2).width = 120;
  notes.addRow(['KIM Casework – Controlling']).font = { bold: true, size: 14 };
  notes.addRow(['Zeitraum', `${formatDateDe(report.period.from)} bis ${formatDateDe(report.period.to)}`]);
  notes.addRow(['Gruppierung', GROUP_BY_LABELS[report.groupBy]]);
  notes.addRow(['Erstellt', generatedAt.toISOString()]);
  notes.addRow([]);
  for (const [term, text] of DEFINITIONS) {
    const line = notes.addRow([term, text]);
    line.alignment = { wrapText: true, vertical: 'top' };
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The controlling report for a period, computed from the event store (shared by the API and the yearly report page). */
export async function buildControllingReport(
  db: Database,
  { from, to, groupBy }: { from: string; to: string; groupBy: ControllingGroupBy },
): Promise<ControllingReport> {
  const { end } = periodBounds(from, to);

  // Every event up to the end of the period (the state at its start needs the history before it) and contacts
  // documented later for a day inside it. Cases are few (a county), so reading them whole is fine. One read
  // after the other in one transaction: a consistent snapshot (no event between two reads), and gentle on the
  // embedded database, which mixes up concurrent queries.
  const { caseEvents, handoverEvents, cases, handovers, organisations } = await db.$transaction(
    async (tx) => ({
      caseEvents: await tx.caseEvent.findMany({
        where: { OR: [{ at: { lt: new Date(end) } }, { type: 'contact_recorded' }] },
        select: { caseId: true, seq: true, type: true, at: true, data: true },
      }),
      handoverEvents: await tx.handoverEvent.findMany({
        where: { at: { lt: new Date(end) } },
        select: { handoverId: true, seq: true, type: true, at: true, data: true },
      }),
      cases: await tx.case.findMany({ select: { id: true, personId: true } }),
      handovers: await tx.handover.findMany({ where: { caseId: { not: null } }, select: { id: true, caseId: true } }),
      organisations: await tx.organisation.findMany({ orderBy: { name: 'asc' }, select: { id: true, shortName: true } }),
    }),
    { isolationLevel: 'RepeatableRead' },
  );
  return computeControlling({
    caseEvents,
    handoverEvents,
    from,
    to,
    groupBy,
    personOfCase: Object.fromEntries(cases.map((c) => [c.id, c.personId])),
    caseOfHandover: Object.fromEntries(handovers.flatMap((h) => (h.caseId ? [[h.id, h.caseId]] : []))),
    groups:
      groupBy === 'organisation' ? organisations.map((o) => ({ key: o.id, label: o.shortName }))
      : groupBy === 'municipality' ? MUNICIPALITIES.map((m) => ({ key: m, label: m }))
      : [],
  });
}

export function reportsRouter({ db }: { db: Database }): Router {
  const router = Router();

  router.get('/controlling', async (req, res) => {
    const user = currentUser(req);
    if (!canSeeReports(user)) throw new ApiError(403, 'forbidden', 'Controlling-Berichte sind der KIM-Koordination vorbehalten.');
    const parsed = querySchema.safeParse(req.query);
    if (!parsed.success) {
      throw new ApiError(422, 'validation_failed', 'Die Angaben zum Bericht sind ungültig.', {
        fields: Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || 'query', i.message])),
      });
    }
    const now = new Date();
    const today = zonedDate(now.getTime());
    // Without a period: the current calendar year up to today (the yearly controlling).
    const from = parsed.data.from ?? `${today.slice(0, 4)}-01-01`;
    const to = parsed.data.to ?? (parsed.data.from && parsed.data.from > today ? parsed.data.from : today);
    if (from > to) throw new ApiError(422, 'validation_failed', 'Die Angaben zum Bericht sind ungültig.', { fields: { to: '„bis“ liegt vor „von“.' } });
    const { groupBy } = parsed.data;
    const report = await buildControllingReport(db, { from, to, groupBy });
    await logAccess(db, req, user, { action: 'export_report' });

    res.vary('Accept');
    res.set('Cache-Control', 'no-store');
    const filename = `kim-controlling_${from}_${to}_${groupBy}`;
    const format = wantedFormat(req, parsed.data.format);
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(`${filename}.csv`).send(controllingCsv(report));
    } else if (format === 'xlsx') {
      res.type(XLSX_TYPE).attachment(`${filename}.xlsx`).send(await controllingXlsx(report, now));
    } else {
      res.json({ ...report, generatedAt: now.toISOString() });
    }
  });

  return router;
}
