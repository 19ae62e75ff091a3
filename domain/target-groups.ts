// Target groups of the controlling (issue 16, concept sections 2.1, 2.2, 5): age band at opening (configurable
// bounds, default under 18 / 18–26 / 27 and older), access channel (the case's source) and county post vs provider.
// Pure; the report operation supplies birth dates and organisation kinds.
import { CASE_SOURCES } from './case-model.js';
import { SOURCE_LABELS } from './labels.js';
import type { OrganisationKind } from './organisations.js';

export interface ReportSettings {
  /** Ascending ages where a new band starts: [18, 27] = under 18, 18–26, 27 and older. */
  ageBandBounds: number[];
}

export const defaultReportSettings: ReportSettings = { ageBandBounds: [18, 27] };

export interface Group {
  key: string;
  label: string;
}

/** The age bands of the bounds, youngest first (keys such as `0-17`, `18-26`, `27+`). */
export function ageBands(bounds: readonly number[]): Group[] {
  const out: Group[] = [];
  let from = 0;
  for (const b of bounds) {
    out.push({ key: `${from}-${b - 1}`, label: from === 0 ? `unter ${b}` : `${from}–${b - 1}` });
    from = b;
  }
  out.push({ key: `${from}+`, label: `${from} und älter` });
  return out;
}

/** Key of the age band an age falls into. */
export function ageBandKey(bounds: readonly number[], age: number): string {
  const bands = ageBands(bounds);
  const index = bounds.findIndex((b) => age < b);
  return bands[index === -1 ? bands.length - 1 : index]!.key;
}

/** Access channels as groups, in the order of CASE_SOURCES. */
export const CHANNEL_GROUPS: Group[] = CASE_SOURCES.map((s) => ({ key: s, label: SOURCE_LABELS[s] }));

export const POST_GROUPS: Group[] = [
  { key: 'county', label: 'Kreis-Stellen (KIM-Team, Integration Point, BNE, ABH)' },
  { key: 'provider', label: 'Träger der Freien Wohlfahrtspflege' },
  { key: 'other', label: 'Andere Stellen' },
];

/** County post or provider: the county's own posts and the ABH's case management count as county posts. */
export function postOf(kind: OrganisationKind | string): 'county' | 'provider' | 'other' {
  if (kind === 'county' || kind === 'abh') return 'county';
  return kind === 'provider' ? 'provider' : 'other';
}
