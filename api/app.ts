// The Express application: JSON API under /api/v1, health check, German pages from templates/.
import express from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { authenticate, cookieSecureFromEnv, csrfProtection, readOnlyTokens, requireUserForApi } from './http/authentication.js';
import { errorHandler, notFoundHandler } from './http/json-errors.js';
import { healthRouter } from './http/health.js';
import { requireUuidPathIds } from './http/path-ids.js';
import { createAppMetrics, metricsRouter } from './http/metrics.js';
import { requestLog } from './http/request-log.js';
import { securityHeaders } from './http/security-headers.js';
import { createLoginThrottle } from './operations/login-limiter.js';
import { caseRecordsRouter } from './v1/case-records.js';
import { caseDocumentsRouter } from './v1/case-documents.js';
import { multipartBody } from './http/multipart.js';
import { casesRouter } from './v1/cases.js';
import { codecCors, codecServerRouter } from './v1/codec.js';
import { deadlinesRouter } from './v1/deadlines.js';
import { directoryRouter } from './v1/directory.js';
import { handoversRouter } from './v1/handovers.js';
import { buildOpenApiDocument, openApiRouter } from './v1/openapi.js';
import { methodNotAllowed, type PathsDocument } from './http/method-not-allowed.js';
import { reportsRouter } from './v1/reports.js';
import { sessionsRouter } from './v1/sessions.js';
import { workRouter } from './v1/work.js';
import { caseHistoryPagesRouter } from './pages/case-history.js';
import { caseListPagesRouter } from './pages/case-list.js';
import { casePagesRouter } from './pages/cases.js';
import { caseDocumentPagesRouter } from './pages/case-documents.js';
import { caseLinkPagesRouter } from './pages/case-links.js';
import { intakePagesRouter } from './pages/intake.js';
import { coordinationPagesRouter } from './pages/coordination.js';
import { personMatchPagesRouter } from './pages/person-matches.js';
import { personMatchesRouter } from './v1/person-matches.js';
import { dataProtectionPagesRouter } from './pages/data-protection.js';
import { pageErrorHandler, pageNotFoundHandler } from './pages/errors.js';
import { handoverPagesRouter } from './pages/handovers.js';
import { signInPagesRouter } from './pages/sign-in.js';
import type { Database } from '../platform/database.js';
import type { MailSink } from '../platform/smtp-sink.js';
import { mailInboxRouter } from './pages/mail-inbox.js';
import type { Mailer } from '../platform/mailer.js';
import { accountsRouter } from './v1/accounts.js';
import { administrationRouter } from './v1/administration.js';
import { accountPagesRouter } from './pages/accounts.js';
import { passwordPagesRouter } from './pages/password.js';
import { administrationPagesRouter } from './pages/administration.js';
import { organisationPagesRouter } from './pages/organisations.js';
import { referralCataloguePagesRouter } from './pages/referral-catalogue.js';
import { taskCountForPages, tasksPagesRouter } from './pages/tasks.js';
import { personalSettingsPagesRouter } from './pages/personal-settings.js';

export interface AppDependencies {
  db: Database;
  temporal: Client;
  taskQueue: string;
  temporalUiUrl?: string;
  /** The local SMTP sink of `npm start` without SMTP settings; its mails are shown at GET /mail. */
  mailSink?: MailSink;
  /** Express `trust proxy` (TRUST_PROXY): behind a reverse proxy, whose X-Forwarded-For/-Proto count. */
  trustProxy?: string | number | boolean;
  /** The request log (default: the process log, platform/logger.ts). */
  logger?: Logger;
  /** Sends invitation and password-reset mails; without one those answer 502 mail_failed. */
  mailer?: Mailer;
  /** Public base URL for links in mails; default: the mailer's. */
  appUrl?: string;
  /** This installation holds the demo data set (pages show a banner); start.ts sets app.locals.demoData later too. */
  demoData?: boolean;
}

export function createApp(deps: AppDependencies): express.Express {
  const app = express();
  app.disable('x-powered-by');
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);
  // First: every request gets its id, its log line and its duration metric, whatever answers it.
  const metrics = createAppMetrics(deps.db);
  app.use(requestLog(metrics.observeRequest, deps.logger));
  app.use(securityHeaders({ production: process.env.NODE_ENV === 'production' }));
  app.locals.demoData = deps.demoData === true;
  app.use(express.json({ limit: '1mb' }));
  app.use(healthRouter(deps));
  app.use(openApiRouter());
  // Who is calling (session cookie or bearer token), CSRF for cookie sessions, and a user for all of /api/v1
  // except sign-in and the OpenAPI document. /healthz (above) and the pages stay public.
  // The Temporal UI's codec server: its own CORS and sign-in, before the CSRF check (the UI sends the session
  // cookie but no CSRF token; the endpoint changes nothing).
  app.use('/api/v1/codec', codecCors(deps.temporalUiUrl), authenticate(deps.db), requireUserForApi, codecServerRouter(deps));
  app.use(authenticate(deps.db), readOnlyTokens);
  // Document uploads post multipart/form-data: read (size-limited) before the CSRF check, which needs its `_csrf` field.
  app.use(['/api/v1/cases/:id/documents', '/faelle/:id/dokumente'], multipartBody);
  app.use(csrfProtection(), requireUuidPathIds);
  app.use(metricsRouter(metrics));
  // One login limiter for the API and the sign-in page, one way to make a session (operations/sessions.ts); its
  // counts live in PostgreSQL, so every API process of the installation shares them.
  const limiter = createLoginThrottle(deps.db);
  const cookieSecure = cookieSecureFromEnv();
  const accountDeps = { db: deps.db, mailer: deps.mailer, appUrl: deps.appUrl ?? deps.mailer?.appUrl ?? 'http://localhost:3000' };
  app.use('/api/v1', requireUserForApi, sessionsRouter({ db: deps.db, limiter, cookieSecure }), directoryRouter(deps));
  app.use('/api/v1', accountsRouter(accountDeps), administrationRouter(deps));
  app.use('/api/v1/cases', caseRecordsRouter(deps), caseDocumentsRouter(deps));
  app.use('/api/v1/cases', casesRouter(deps));
  app.use('/api/v1/deadlines', deadlinesRouter(deps));
  app.use('/api/v1/handovers', handoversRouter(deps));
  app.use('/api/v1/reports', reportsRouter(deps));
  app.use('/api/v1/person-matches', personMatchesRouter(deps));
  app.use('/api/v1', workRouter(deps));
  // A documented path with a method it does not have: 405 with Allow (after every /api/v1 router, before the 404).
  app.use(methodNotAllowed(buildOpenApiDocument() as unknown as PathsDocument));
  // The number of "Meine Aufgaben" in every page's navigation (one query per page view).
  app.use(taskCountForPages(deps));
  // Only with the local sink (no SMTP_HOST), and only for coordination and admins (it shows addresses and case ids).
  if (deps.mailSink) app.use(mailInboxRouter(deps.mailSink));
  app.use(signInPagesRouter({ db: deps.db, limiter, cookieSecure }));
  app.use(passwordPagesRouter(accountDeps));
  app.use(accountPagesRouter(accountDeps));
  app.use(administrationPagesRouter(deps));
  app.use(organisationPagesRouter(deps));
  app.use(referralCataloguePagesRouter(deps));
  app.use(intakePagesRouter(deps));
  app.use(caseListPagesRouter(deps));
  app.use(casePagesRouter(deps));
  app.use(caseDocumentPagesRouter(deps));
  app.use(caseLinkPagesRouter(deps));
  app.use(caseHistoryPagesRouter(deps));
  app.use(handoverPagesRouter(deps));
  app.use(coordinationPagesRouter(deps));
  app.use(personMatchPagesRouter(deps));
  app.use(dataProtectionPagesRouter(deps));
  app.use(tasksPagesRouter(deps));
  app.use(personalSettingsPagesRouter(accountDeps));
  // German 404 and error pages for page paths; /api keeps the JSON error shape.
  app.use(pageNotFoundHandler, notFoundHandler);
  app.use(pageErrorHandler, errorHandler);
  return app;
}
