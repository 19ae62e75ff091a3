// `npm run admin:create -- --email it@kreis.example [--name "Petra Schmitz"] [--organisation kreis-kim]` — the first
// admin of a new installation (or another one): creates the account as an open invitation and prints its one-time
// link (valid 7 days). No password is set or printed; the person sets it through the link. Migrations are applied
// and the county's organisations inserted where missing first. DATABASE_URL, or else the embedded database in
// <data dir>/pgdata (npm start must not be running then). APP_URL is the address the link points to.
import { parseArgs } from 'node:util';
import { linkUrl } from '../api/operations/account-links.js';
import { createAdminInvitation } from '../api/operations/accounts.js';
import { ApiError } from '../api/operations/errors.js';
import { loadConfig } from '../platform/config.js';
import { createDatabase } from '../platform/database.js';
import { deployMigrations } from '../platform/migrations.js';
import { seedReferenceData } from '../platform/seed.js';
import { withCommandDatabase } from './lib/command-database.js';

const USAGE = 'Aufruf: npm run admin:create -- --email <adresse> [--name "<Name>"] [--organisation <id>]';

function args() {
  try {
    const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' }, organisation: { type: 'string' } } });
    return values.email ? { email: values.email, name: values.name, organisationId: values.organisation } : undefined;
  } catch {
    return undefined;
  }
}

const input = args();
if (!input) {
  console.error(USAGE);
  process.exit(2);
}

process.exitCode = await withCommandDatabase(async (databaseUrl) => {
  await deployMigrations({ databaseUrl });
  const db = createDatabase(databaseUrl);
  try {
    await seedReferenceData(db);
    const { user, link } = await createAdminInvitation(db, loadConfig().mail.appUrl, input);
    console.log(`Konto Verwaltung/IT: ${user.email} (${user.name})`);
    console.log('Einmaliger Link zum Festlegen des Passworts (gültig bis ' + link.expiresAt.toISOString() + '):');
    console.log(`  ${linkUrl(loadConfig().mail.appUrl, link.secret)}`);
    return 0;
  } catch (error) {
    if (error instanceof ApiError || (error instanceof Error && error.name === 'ZodError')) {
      console.error(`Nicht angelegt: ${error instanceof ApiError ? error.message : 'ungültige E-Mail-Adresse'}`);
      return 1;
    }
    throw error;
  } finally {
    await db.$disconnect();
  }
});
