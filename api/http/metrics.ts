// GET /metrics in the Prometheus text format (prom-client): HTTP request durations by method, route pattern and status,
// the process's Node.js metrics, and the operational figures (api/operations/operational-figures.ts) read from
// PostgreSQL at each scrape. Protected: a signed-in coordinator or admin (session or API token), or the scrape secret
// METRICS_TOKEN as `Authorization: Bearer <METRICS_TOKEN>` — case ids and counts are not for the public.
// The Temporal SDK's own metrics (worker and client) come from its runtime's exporter on a port of its own
// (TEMPORAL_METRICS_ADDRESS, scripts/start.ts), not from here.
import { timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../../platform/database.js';
import { operationalFigures, requireMetricsReader, type OperationalFigures } from '../operations/operational-figures.js';
import type { RequestObserver } from './request-log.js';

export interface AppMetrics {
  registry: Registry;
  observeRequest: RequestObserver;
}

export function createAppMetrics(db: Database): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kim_' });
  const duration = new Histogram({
    name: 'kim_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // One database read per scrape, shared by the gauges below (their collect() calls start together).
  let pending: Promise<OperationalFigures> | undefined;
  const figures = () => {
    pending ??= operationalFigures(db).finally(() => (pending = undefined));
    return pending;
  };
  const gauge = <L extends string>(name: string, help: string, labelNames: L[], set: (g: Gauge<L>, f: OperationalFigures) => void) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        set(this, await figures());
      },
    });
  gauge('kim_outbox_notifications', 'Notifications in the outbox by status', ['status'], (g, f) => {
    for (const [status, count] of Object.entries(f.notificationsByStatus)) g.set({ status }, count);
  });
  gauge('kim_outbox_oldest_pending_age_seconds', 'Age of the oldest pending notification (0: none pending)', [], (g, f) => g.set(f.oldestPendingNotificationSeconds));
  gauge('kim_outbox_oldest_sending_age_seconds', 'Age of the oldest notification left in sending (a claim a crash may have stranded; 0: none)', [], (g, f) =>
    g.set(f.oldestSendingNotificationSeconds),
  );
  gauge('kim_open_cases', 'Open cases by state', ['state'], (g, f) => {
    for (const [state, count] of Object.entries(f.openCasesByState)) g.set({ state }, count);
  });
  gauge('kim_overdue_deadlines', 'Overdue Wiedervorlagen on open cases', [], (g, f) => g.set(f.overdueDeadlines));
  // Stuck record writes: a refused batch holds its case until IT writes it again (/verwaltung/schreibfehler). Writes
  // that only wait for the database (an outage) show in the SDK's local activity metrics, not here.
  gauge('kim_record_writes_rejected', 'Record writes the database refused for good, not yet written again (each holds its case)', [], (g, f) =>
    g.set(f.rejectedRecordWrites),
  );
  gauge('kim_record_writes_oldest_rejected_age_seconds', 'Age of the oldest refused record write (0: none)', [], (g, f) => g.set(f.oldestRejectedRecordSeconds));
  return {
    registry,
    observeRequest: ({ method, route, status, seconds }) => duration.observe({ method, route, status: String(status) }, seconds),
  };
}

function hasScrapeSecret(req: Request, secret: string | undefined): boolean {
  const given = req.get('authorization')?.match(/^bearer\s+(.+)$/i)?.[1]?.trim();
  if (!secret || !given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Mount after authenticate(): GET /metrics for coordination/admins or the scrape secret. */
export function metricsRouter(metrics: AppMetrics, scrapeSecret: string | undefined = process.env.METRICS_TOKEN || undefined): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (!hasScrapeSecret(req, scrapeSecret)) requireMetricsReader(req.user);
    const text = await metrics.registry.metrics();
    res.set('Content-Type', metrics.registry.contentType).send(text);
  });
  return router;
}
