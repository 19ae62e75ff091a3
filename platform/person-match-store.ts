// The duplicate check's rows (issue 16): open cases at other organisations sharing a hash with a new person, and
// the new case's hashes and possible matches written in its opening transaction. Shared by the intake
// (api/operations/person-matches.ts) and the case an accepted ABH handover opens (activities/handover-records.ts).
import { matchOrganisationKind, type MatchOrganisationKind } from '../domain/person-match.js';
import { Prisma } from '../prisma/generated/client.js';
import type { Database } from './database.js';

type Tx = Prisma.TransactionClient | Database;

export interface MatchedCase {
  caseId: string;
  kind: MatchOrganisationKind;
}

/** Open, not erased cases held by another organisation than `holderId` with one of these hashes. */
export async function openCasesWithHashes(tx: Tx, hashes: readonly string[], holderId: string): Promise<MatchedCase[]> {
  if (hashes.length === 0) return [];
  const rows = await tx.$queryRaw<Array<{ caseId: string; kind: string }>>`
    SELECT DISTINCT k."caseId", o."kind"::text AS "kind"
    FROM "PersonMatchKey" k JOIN "Case" c ON c."id" = k."caseId" JOIN "Organisation" o ON o."id" = c."organisationId"
    WHERE k."hash" IN (${Prisma.join([...hashes])}) AND c."closedAt" IS NULL AND c."erasedAt" IS NULL AND c."organisationId" <> ${holderId}
    ORDER BY k."caseId"`;
  return rows.map((r) => ({ caseId: r.caseId, kind: matchOrganisationKind(r.kind) }));
}

/** The new case's hashes and one possible match per case found (idempotent: a retried write adds nothing). */
export async function recordMatchRows(tx: Tx, caseId: string, hashes: readonly string[], others: readonly MatchedCase[], confirmedById: string): Promise<void> {
  if (hashes.length > 0) await tx.personMatchKey.createMany({ data: hashes.map((hash) => ({ caseId, hash })), skipDuplicates: true });
  if (others.length > 0) {
    await tx.personMatch.createMany({ data: others.map((o) => ({ caseId, otherCaseId: o.caseId, confirmedById })), skipDuplicates: true });
  }
}
