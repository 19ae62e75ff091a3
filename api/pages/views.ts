// Server-rendered German pages: Handlebars templates from templates/, wrapped in templates/layouts/main.hbs, with the
// partials of templates/partials/ (form fields, error summary, …). Templates stay logic-free: the routes build view
// models; the helpers here only compare and format.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { repoRoot } from '../../platform/paths.js';

const templatesDir = join(repoRoot, 'templates');
// An own environment, so the e-mail templates (templates/mail, another Handlebars user) cannot clash with these partials.
const hbs = Handlebars.create();
const cache = new Map<string, Handlebars.TemplateDelegate>();

hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);

let partialsLoaded = false;
function loadPartials(): void {
  if (partialsLoaded) return;
  const dir = join(templatesDir, 'partials');
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.hbs')) hbs.registerPartial(basename(file, '.hbs'), readFileSync(join(dir, file), 'utf8'));
  }
  partialsLoaded = true;
}

function template(name: string): Handlebars.TemplateDelegate {
  loadPartials();
  let compiled = cache.get(name);
  if (!compiled) {
    compiled = hbs.compile(readFileSync(join(templatesDir, `${name}.hbs`), 'utf8'), { strict: false });
    cache.set(name, compiled);
  }
  return compiled;
}

/** What every page's layout shows: who is signed in (navigation, logout form) and the page title. */
export interface LayoutContext {
  title: string;
  user?:
    | {
        name: string;
        roleLabel: string;
        isCoordinator: boolean;
        canOpenCases: boolean;
        canAdminister: boolean;
        /** "Meine Aufgaben": present for staff with a work queue; the count of what needs doing now (null: not known). */
        tasks?: { count: number | null } | undefined;
      }
    | undefined;
  csrfToken?: string | undefined;
  /** Demo data in this installation: a banner on every page. */
  demo?: boolean;
  /** Which navigation entry is the current page (aria-current). */
  nav?: 'faelle' | 'neu' | 'fristen' | 'uebergaben' | 'uebersicht' | 'verwaltung' | 'aufgaben' | 'einstellungen' | undefined;
}

export function renderPage(name: string, context: Record<string, unknown> & LayoutContext): string {
  const body = template(name)(context);
  return template('layouts/main')({
    ...context,
    body,
    navFaelle: context.nav === 'faelle',
    navNeu: context.nav === 'neu',
    navFristen: context.nav === 'fristen',
    navUebergaben: context.nav === 'uebergaben',
    navUebersicht: context.nav === 'uebersicht',
    navVerwaltung: context.nav === 'verwaltung',
    navAufgaben: context.nav === 'aufgaben',
    navEinstellungen: context.nav === 'einstellungen',
  });
}
