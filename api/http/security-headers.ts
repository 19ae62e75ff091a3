// Browser security headers for every answer (helmet) and no caching by default: pages and API answers carry
// personal data. The pages load only their own stylesheet and script (templates/assets), so the CSP allows nothing
// inline; mails shown in /mail keep their inline styles unapplied, which is fine for a local test inbox.
import helmet from 'helmet';
import type { RequestHandler } from 'express';

export interface SecurityHeaderOptions {
  /** HSTS only where the app is reached over HTTPS (NODE_ENV=production, README "Production"). */
  production: boolean;
}

export function securityHeaders({ production }: SecurityHeaderOptions): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          // upgrade-insecure-requests would break plain-HTTP development on localhost; production sends HSTS.
          ...(production ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      // same-origin, not no-referrer: with no-referrer the browser sends `Origin: null` on form posts, which the sign-in's
      // origin check refuses; other sites still learn nothing of the paths (which carry case ids).
      referrerPolicy: { policy: 'same-origin' },
      // The Temporal UI (another origin) reads the codec endpoint through CORS (api/v1/codec.ts), which CORP does not block.
      crossOriginResourcePolicy: { policy: 'same-origin' },
    }),
    (_req, res, next) => {
      // Routes that may be cached (the stylesheet, the script) say so themselves.
      res.set('Cache-Control', 'no-store');
      next();
    },
  ];
}
