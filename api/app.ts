// The Express application: JSON API under /api/v1, health check, German pages from templates/.
import express from 'express';
import type { Client } from '@temporalio/client';
import { authenticate, authRouter, csrfProtection, requireUserForApi } from './auth.js';
import { accessLogRouter } from './access-log.js';
import { caseExportRouter } from './case-export.js';
import { codecCors, codecServerRouter } from './codec-server.js';
import { caseHistoryCheckRouter } from './case-history-check.js';
import { casesRouter } from './cases.js';
import { deadlinesRouter } from './deadlines.js';
import { handoversRouter } from './handovers.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { healthRouter } from './health.js';
import { openApiRouter } from './openapi.js';
import { pageErrorHandler, pageNotFoundHandler, pagesRouter } from './pages.js';
import { handoverPagesRouter } from './pages-handovers.js';
import { dataProtectionPagesRouter } from './pages-data-protection.js';
import { reportsRouter } from './reports.js';
import type { Database } from '../platform/database.js';
import { mailInboxRouter, type MailSink } from '../platform/smtp-sink.js';

export interface AppDependencies {
  db: Database;
  temporal: Client;
  taskQueue: string;
  temporalUiUrl?: string;
  /** The local SMTP sink of `npm start` without SMTP settings; its mails are shown at GET /mail. */
  mailSink?: MailSink;
}

export function createApp(deps: AppDependencies): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));
  app.use(healthRouter(deps));
  app.use(openApiRouter());
  // Who is calling (session cookie or bearer token), CSRF for cookie sessions, and a user for all of /api/v1
  // except sign-in and the OpenAPI document. /healthz (above) and the pages stay public.
  // The Temporal UI's codec server: its own CORS and sign-in, before the CSRF check (the UI sends the session
  // cookie but no CSRF token; the endpoint changes nothing).
  app.use('/api/v1/codec', codecCors(deps.temporalUiUrl), authenticate(deps.db), requireUserForApi, codecServerRouter(deps));
  app.use(authenticate(deps.db), csrfProtection());
  // One session router for the API and the sign-in page: one login rate limiter, one way to make a session.
  const sessions = authRouter({ db: deps.db });
  app.use('/api/v1', requireUserForApi, sessions);
  app.use('/api/v1/cases', caseHistoryCheckRouter(deps));
  app.use('/api/v1/cases', accessLogRouter(deps));
  app.use('/api/v1/cases', caseExportRouter(deps));
  app.use('/api/v1/cases', casesRouter(deps));
  app.use('/api/v1/deadlines', deadlinesRouter(deps));
  app.use('/api/v1/handovers', handoversRouter(deps));
  app.use('/api/v1/reports', reportsRouter(deps));
  app.get('/api/v1/organisations', async (_req, res) => {
    const organisations = await deps.db.organisation.findMany({ orderBy: { name: 'asc' } });
    res.json({
      items: organisations.map((o) => ({
        id: o.id,
        name: o.name,
        shortName: o.shortName,
        kind: o.kind,
        municipalities: o.municipalities,
        ...(o.minAge !== null || o.maxAge !== null ? { ageRange: { min: o.minAge, max: o.maxAge } } : {}),
      })),
    });
  });
  if (deps.mailSink) app.use(mailInboxRouter(deps.mailSink));
  app.use(pagesRouter({ ...deps, signIn: sessions }));
  app.use(handoverPagesRouter(deps));
  app.use(dataProtectionPagesRouter(deps));
  // German 404 and error pages for page paths; /api keeps the JSON error shape.
  app.use(pageNotFoundHandler, notFoundHandler);
  app.use(pageErrorHandler, errorHandler);
  return app;
}
