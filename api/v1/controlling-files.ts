// The controlling report as files: CSV (German Excel: `;`, decimal comma, UTF-8 BOM) and XLSX (exceljs) with a
// sheet of definitions. Both carry the same, already suppressed numbers as the JSON (api/operations/reports.ts).
import ExcelJS from 'exceljs';
import { GROUP_BY_LABELS, MIN_PERSONS, REPORT_TIME_ZONE, cellAt, type Cell, type ControllingReport } from '../../domain/controlling.js';
import { formatDateDe } from '../../domain/index.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Shown in CSV/XLSX for a suppressed cell (as in the statistics of the Bundesagentur für Arbeit). */
export const SUPPRESSED_MARK = '*';

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

/** Definitions of the progress figures (GET /api/v1/reports/progress). */
export const PROGRESS_DEFINITIONS: [string, string][] = [
  ['Grundlage', 'Fälle, die im Zeitraum abgeschlossen wurden (bei zwei Abschlüssen der letzte), aus dem Ereignisprotokoll.'],
  ['Zeitraum', `Ganze Kalendertage in deutscher Zeit (${REPORT_TIME_ZONE}), „von“ und „bis“ jeweils einschließlich.`],
  ['Zuordnung', 'Träger bzw. Kreis-Stelle: die Organisation beim Abschluss. Gemeinde: Wohnort bei Fallaufnahme. Altersgruppe: Alter bei Fallaufnahme. Zugangsweg: wie die Person zu KIM kam.'],
  ['Bedarf je Lebensbereich', 'Vergleich des ersten Assessments mit der letzten Einschätzung bis zum Abschluss (Überprüfung oder Abschluss), Skala kein / geringer / hoher Bedarf. „bewertet“: Bereich am Anfang und am Ende eingeschätzt.'],
  ['Erfolgskriterien', 'Beim Assessment vereinbarte Kriterien und ihre letzte Bewertung bis zum Abschluss (nicht / teilweise / erreicht, oder ohne Bewertung).'],
  [SUPPRESSED_MARK, `Wert unterdrückt: betrifft weniger als ${MIN_PERSONS} Personen, oder er würde einen solchen Wert über Summen erkennbar machen.`],
];

/** Definitions of the residence-law figures (GET /api/v1/reports/residence). */
export const RESIDENCE_DEFINITIONS: [string, string][] = [
  ['Grundlage', 'Fälle mit erfasster aufenthaltsrechtlicher Situation, aus dem Ereignisprotokoll.'],
  ['Zeitraum', `Ganze Kalendertage in deutscher Zeit (${REPORT_TIME_ZONE}), „von“ und „bis“ jeweils einschließlich.`],
  ['Titel und Integrationsleistungen', 'Stand am Ende des Zeitraums: aktueller und angestrebter Titel, Integrationsleistungen, an denen gearbeitet wird; ohne Fälle, die vor dem Zeitraum abgeschlossen wurden.'],
  ['Ergebnisse', 'Ergebnisse, deren Datum im Zeitraum liegt (nach dem zuletzt erfassten Stand); „Erreicht“ nach dem angestrebten Titel.'],
  ['Zuordnung', 'Träger bzw. Kreis-Stelle: die Organisation am Ende des Zeitraums. Gemeinde: Wohnort bei Fallaufnahme. Altersgruppe: Alter bei Fallaufnahme. Zugangsweg: wie die Person zu KIM kam.'],
  [SUPPRESSED_MARK, `Wert unterdrückt: betrifft weniger als ${MIN_PERSONS} Personen, oder er würde einen solchen Wert über Summen erkennbar machen.`],
];

/** Notes of the Lenkungsgruppe workbook: the controlling's definitions, the target groups, the progress figures. */
export const STEERING_DEFINITIONS: [string, string][] = [
  ...DEFINITIONS.filter(([term]) => term !== SUPPRESSED_MARK && term !== '(leer)'),
  ['Altersgruppe', 'Alter bei Fallaufnahme; die Altersgrenzen stellt die Koordination ein (Voreinstellung: unter 18, 18–26, 27 und älter).'],
  ['Zugangsweg', 'Wie die Person zu KIM kam (bei Fallaufnahme erfasst).'],
  ['Kreis-Stellen / Träger', 'Die Organisation, bei der der Fall im Moment des Ereignisses lag: Stellen des Kreises (KIM-Team, Integration Point, BNE, ABH) oder Träger der Freien Wohlfahrtspflege.'],
  ...PROGRESS_DEFINITIONS.filter(([term]) => term !== 'Grundlage' && term !== 'Zeitraum'),
];

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

function addFiguresSheet(workbook: ExcelJS.Workbook, report: ControllingReport, title = 'Controlling'): void {
  const sheet = workbook.addWorksheet(title, { views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }] });
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
}

const GENERATED_AT = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });

function addNotesSheet(workbook: ExcelJS.Workbook, report: ControllingReport, generatedAt: Date, definitions: [string, string][] = DEFINITIONS, title = 'Controlling'): void {
  const notes = workbook.addWorksheet('Hinweise');
  notes.getColumn(1).width = 30;
  notes.getColumn(2).width = 120;
  notes.addRow([`KIM Casework – ${title}`]).font = { bold: true, size: 14 };
  notes.addRow(['Zeitraum', `${formatDateDe(report.period.from)} bis ${formatDateDe(report.period.to)}`]);
  notes.addRow(['Gruppierung', GROUP_BY_LABELS[report.groupBy]]);
  // German time, as every date of the file (the figures' days are days in Europe/Berlin).
  notes.addRow(['Erstellt', `${GENERATED_AT.format(generatedAt)} (deutsche Zeit)`]);
  notes.addRow([]);
  for (const [term, text] of definitions) {
    const line = notes.addRow([term, text]);
    line.alignment = { wrapText: true, vertical: 'top' };
  }
}

export async function controllingXlsx(
  report: ControllingReport,
  generatedAt: Date,
  options: { title?: string; definitions?: [string, string][] } = {},
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'KIM Casework';
  workbook.created = generatedAt;
  addFiguresSheet(workbook, report, options.title);
  addNotesSheet(workbook, report, generatedAt, options.definitions, options.title);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Several reports in one workbook, a sheet each (the Lenkungsgruppe report), with one sheet of notes. */
export async function reportsXlsx(sheets: { title: string; report: ControllingReport }[], generatedAt: Date, definitions: [string, string][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'KIM Casework';
  workbook.created = generatedAt;
  for (const s of sheets) addFiguresSheet(workbook, s.report, s.title);
  addNotesSheet(workbook, sheets[0]!.report, generatedAt, definitions, 'Bericht für die Lenkungsgruppe');
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Several reports in one CSV, each under a title line and separated by an empty line. */
export function reportsCsv(sheets: { title: string; report: ControllingReport }[]): string {
  return `\uFEFF${sheets.map((s) => `${csvField(s.title)}\r\n${controllingCsv(s.report).slice(1)}`).join('\r\n')}`;
}
