// The short form of the fault drills that fits into `npm test`: PostgreSQL goes away for 5 s (drills/database-outage.ts,
// the same code as `npm run drill -- --only=database-outage --quick`), plus which errors the API calls outages.
// The whole set (`npm run drill -- --quick`, about 1.5 minutes) runs as its own CI step.
import { describe, expect, inject, it } from 'vitest';
import { isDatabaseUnavailable, isTemporalUnavailable } from '../api/operations/errors.js';
import { databaseOutageDrill } from '../drills/database-outage.js';
import { DrillReport } from '../drills/lib/report.js';

describe('outage classification (api/errors.ts)', () => {
  const prismaError = (fields: Record<string, unknown>, message = 'x') => Object.assign(new Error(message), { clientVersion: '7.10.0' }, fields);
  const grpcError = (code: number) => Object.assign(new Error(`${code}`), { code, details: 'd', metadata: {} });

  it('calls only connection failures of the database an outage', () => {
    expect(isDatabaseUnavailable(prismaError({ code: 'P1001' }))).toBe(true);
    expect(isDatabaseUnavailable(prismaError({ code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } }))).toBe(true);
    expect(isDatabaseUnavailable(prismaError({}, 'Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(prismaError({ code: 'ECONNREFUSED', syscall: 'connect' }))).toBe(true);
    // Query errors, and errors that did not come through Prisma, stay what they are.
    expect(isDatabaseUnavailable(prismaError({ code: 'P2002' }))).toBe(false);
    expect(isDatabaseUnavailable(prismaError({ code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'postgres', code: '42P01' } } } }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(false);
  });

  it('calls an unreachable Temporal server an outage, through ServiceError causes', () => {
    expect(isTemporalUnavailable(Object.assign(new Error('Workflow Update failed'), { cause: grpcError(14) }))).toBe(true);
    expect(isTemporalUnavailable(grpcError(4))).toBe(true);
    expect(isTemporalUnavailable(Object.assign(new Error('Workflow Update failed'), { cause: grpcError(5) }))).toBe(false);
    expect(isTemporalUnavailable(new Error('unavailable'))).toBe(false);
  });
});

describe('fault drill: PostgreSQL unavailable (short form)', () => {
  it('answers 503 database_unavailable, retries the record activities and catches up afterwards', async () => {
    const report = new DrillReport('database-outage');
    await databaseOutageDrill(
      { quick: true, temporalAddress: inject('temporalAddress'), workflowBundlePath: inject('workflowBundlePath'), temporalCli: '', seed: 1 },
      report,
    );
    expect(report.failed).toEqual([]);
    expect(report.passed).toBeGreaterThan(10);
  });
});
