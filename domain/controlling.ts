// Controlling figures (domain.md "Controlling and reporting", api.md "Coordination"), computed ONLY from the
// append-only events (CaseEvent, HandoverEvent) — never from the current read model — so every figure can be
// recomputed for any past period, and a figure added later is available for old periods too.
// Pure and deterministic: no clock, no I/O; the same rows give the same report. The report is counted from each
// case's compact facts (controlling/facts.ts) — folded from its events and kept per case next to them, so a report
// reads one small row per case instead of every event.
//
// Time: a period is whole calendar days in Europe/Berlin ([from 00:00, day after `to` 00:00)), because the ministry
// counts German calendar days and months, not UTC ones.
//
// Attribution (which group a figure belongs to):
//   - organisation: the case's organisation AT THE MOMENT of the event (confirm-provider and transfers move a case);
//     durations/active cases are split at those moments. Handovers: the receiving organisation.
//   - municipality: the case's municipality (fixed at intake). Handovers: the municipality of the linked case.
//   - month: the calendar month of the event; "active", "days per phase" and "overdue at end" per month window.
//
// Small cells (Datenschutz): see domain/controlling/cells.ts — primary suppression of counts concerning 1 or 2
// persons, secondary suppression so that no suppressed cell can be recovered by subtracting visible cells from a
// visible sum.
//
// This module is the public entry; the parts live in domain/controlling/:
//   model.ts             groupings, figure names, limits, input and output types
//   calendar.ts          days, months and periods in the report's time zone
//   histories.ts         event rows → case histories (stretches of state/organisation/hold) and handovers
//   referral-services.ts referral targets, normalised and pooled when rare
//   accumulate.ts        counting the figures per group (over the events: the reference)
//   columns.ts           the columns and the sums inside a row
//   cells.ts             small-cell suppression and the figure tree of a row
//   facts*.ts            compact per-case facts folded from the events (kept per case in PostgreSQL), and the
//                        figures counted from them — what the report runs on
//   assemble.ts          period, rows, columns and suppression: the report put together
//   report.ts            computeControlling (events → facts → figures) and the reference over the events
export { periodBounds, zonedDate, zonedStartOfDay } from './controlling/calendar.js';
export { cellAt, quantile } from './controlling/cells.js';
export {
  CONTROLLED_DEADLINE_KINDS,
  CONTROLLING_GROUP_BY,
  DEADLINE_FIGURES,
  GROUP_BY_LABELS,
  HANDOVER_FIGURES,
  MIN_PERSONS,
  OTHER_SERVICES,
  PHASES,
  REFERRAL_OUTCOMES,
  REPORT_TIME_ZONE,
  TOTAL_GROUP,
  UNASSIGNED_GROUP,
  type Cell,
  type ControllingCaseEvent,
  type ControllingColumn,
  type ControllingGroupBy,
  type ControllingHandoverEvent,
  type ControllingInput,
  type ControllingReport,
  type ControllingRow,
  type FigureTree,
  type ReferralOutcome,
} from './controlling/model.js';
export {
  CASE_FACTS_VERSION,
  emptyCaseFacts,
  foldCaseFacts,
  parseStoredFacts,
  storedFacts,
  type CaseFacts,
  type CaseFactsInput,
  type FactsEvent,
} from './controlling/facts.js';
export { computeControllingFromFacts, controllingDayMonths, type ControllingFactsInput } from './controlling/facts-report.js';
export { caseFactsOf, computeControlling, computeControllingFromEvents } from './controlling/report.js';
export { computeProgressReport, progressColumns, PROGRESS_EVENT_TYPES, PROGRESS_GROUP_BY, type ProgressGroupBy, type ProgressReportInput } from './controlling/progress-report.js';
export { computeResidenceReport, residenceColumns, RESIDENCE_EVENT_TYPES, type ResidenceReportInput } from './controlling/residence-report.js';
