// Referral targets of the report from case facts, as referral-services.ts finds them over the events: normalised
// (case, blanks), shown in the spelling that sorts first of all referrals sent before the end of the period, pooled
// under OTHER_SERVICES when fewer than `minPersons` persons were referred there in the period. Which target a
// referral is shown under is known only after all cases were seen, so the referral figures are collected while the
// cases are counted and added to their rows at the end.
import { catalogueIndex, referralTarget, type CatalogueIndex } from '../referral-catalogue.js';
import type { FactsRow } from './facts-cells.js';
import type { CaseFacts } from './facts-model.js';
import { OTHER_SERVICES } from './model.js';

/** A referral figure in the period: its row, person, and which referral of which case (index into `cases`). */
interface Collected {
  row: FactsRow;
  person: number;
  caseIndex: number;
  ref: number;
  figure: string;
}

export class ReferralTargets {
  private readonly targetOf = new Map<string, { key: string; name?: string }>();
  private readonly index: CatalogueIndex;
  private readonly firstSpelling = new Map<string, string>();
  private readonly persons = new Map<string, Set<string>>();
  /** Per case with referrals: its referral ids and the normalised target of each (the last sent before the end). */
  private readonly cases: Array<{ refIds: string[]; norms: Array<string | undefined>; inPeriod: number[] }> = [];
  private readonly figures: Collected[] = [];

  constructor(
    private readonly start: number,
    private readonly end: number,
    catalogue: readonly { code: string; name: string }[] = [],
  ) {
    this.index = catalogueIndex(catalogue);
  }

  /** A case's referrals; `rows.rowAt` gives the row of the grouping for a figure of the case at an instant. */
  collect<C extends { facts: CaseFacts; person: string; personNo: number }>(c: C, rows: { rowAt(c: C, t: number): FactsRow }): void {
    const { facts: f, person, personNo } = c;
    if (f.refIds.length === 0 && f.referrals.length === 0) return;
    const norms: Array<string | undefined> = [];
    for (const [ref, at, spelling, code] of f.sent) {
      if (at >= this.end) continue;
      let target = code === undefined ? this.targetOf.get(spelling) : undefined;
      if (target === undefined) {
        target = referralTarget(this.index, code, spelling);
        if (code === undefined) this.targetOf.set(spelling, target);
      }
      const norm = target.key;
      norms[ref] = norm;
      const first = this.firstSpelling.get(norm);
      // A catalogue target is shown by its entry's name; free text in the spelling that sorts first (what
      // [...spellings].sort()[0] gives: the least in UTF-16 code unit order).
      if (target.name !== undefined) this.firstSpelling.set(norm, target.name);
      else if (first === undefined || spelling < first) this.firstSpelling.set(norm, spelling);
    }
    const caseIndex = this.cases.length;
    const inPeriod: number[] = [];
    for (const [at, type, ref, figure] of f.referrals) {
      if (at < this.start || at >= this.end) continue;
      inPeriod.push(ref);
      if (type === 3) continue;
      const norm = ref >= 0 && f.refIds[ref] ? norms[ref] : undefined;
      if (norm) this.persons.set(norm, (this.persons.get(norm) ?? new Set()).add(person));
      if (figure !== null) this.figures.push({ row: rows.rowAt(c, at), person: personNo, caseIndex, ref, figure });
    }
    this.cases.push({ refIds: f.refIds, norms, inPeriod });
  }

  /** The targets with figures in the period (alphabetically, OTHER_SERVICES last); adds the referral figures to
   *  their rows and the total row. */
  resolve(minPersons: number, total: FactsRow, columnOf: (path: string[]) => number): string[] {
    // The target each referral is shown under, as countReferral finds it: '' for an empty id, OTHER_SERVICES
    // without a (shown) target.
    const shown: string[][] = [];
    const used = new Set<string>();
    for (const { refIds, norms, inPeriod } of this.cases) {
      const targets: string[] = [];
      for (let ref = 0; ref < refIds.length; ref++) {
        const id = refIds[ref]!;
        const norm = norms[ref];
        targets.push(!id ? id : norm === undefined || (this.persons.get(norm)?.size ?? 0) < minPersons ? OTHER_SERVICES : this.firstSpelling.get(norm)!);
      }
      for (const ref of inPeriod) used.add(ref >= 0 ? targets[ref]! : OTHER_SERVICES);
      shown.push(targets);
    }
    for (const { row, person, caseIndex, ref, figure } of this.figures) {
      const figureCol = columnOf(figure === 'sent' ? ['referrals', 'sent'] : ['referrals', 'outcomes', figure]);
      const serviceCol = columnOf(['referrals', 'byService', ref >= 0 ? shown[caseIndex]![ref]! : OTHER_SERVICES, figure]);
      for (const r of [row, total]) {
        r.add(figureCol, person);
        r.add(serviceCol, person);
      }
    }
    const services = [...used].filter((s) => s !== OTHER_SERVICES).sort((a, b) => a.localeCompare(b, 'de'));
    if (used.has(OTHER_SERVICES)) services.push(OTHER_SERVICES);
    return services;
  }
}
