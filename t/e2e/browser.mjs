// Outils des tests navigateur : Chromium de Debian piloté par playwright-core,
// pages qui relèvent les erreurs de console, les exceptions et les violations
// de CSP, connexion/déconnexion par l'interface, captures d'écran.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

// Pas d'internet sur la machine : sans ces options Chromium tente des
// connexions en tâche de fond (et ralentit ou pollue la console).
export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu',
  '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

export const DESKTOP = { viewport: { width: 1280, height: 800 } };
export const MOBILE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

// Captures d'écran : hors du dépôt.
export const SHOTS = process.env.CBW_SHOTS || '/tmp/cbw-shots';

export function launch() {
  return chromium.launch({ executablePath: process.env.CBW_CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

const STATUS_MSG = /^Failed to load resource: the server responded with a status of (\d+)/;

// Nouveau contexte (cookies séparés) et sa page. page.problems reçoit les
// erreurs de console (dont les violations de CSP, que Chromium y écrit, et que
// l'écouteur securitypolicyviolation double), les exceptions non rattrapées
// et les requêtes échouées ; chaque entrée dit sur quelle page elle a eu lieu.
// Un document principal en 4xx/5xx (page 403, 404, formulaire refusé en 422)
// fait aussi écrire « Failed to load resource » par Chromium : ce n'est pas un
// défaut de la page, le test vérifie ce statut lui-même ; il va dans
// page.statuses, pas dans page.problems. Une ressource (CSS, JS, icône) en
// erreur reste un problème.
export async function openPage(browser, opts = DESKTOP) {
  const context = await browser.newContext({ locale: 'fr-FR', ...opts });
  context.setDefaultTimeout(5000);
  context.setDefaultNavigationTimeout(10000);
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  const page = await context.newPage();
  const documents = new Set();
  page.problems = [];
  page.statuses = [];
  page.on('response', (r) => {
    if (r.request().isNavigationRequest() && r.frame() === page.mainFrame())
      documents.add(`${r.status()} ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const st = STATUS_MSG.exec(m.text());
    if (st && documents.has(`${st[1]} ${m.location().url}`)) {
      page.statuses.push(`${st[1]} ${m.location().url}`);
      return;
    }
    page.problems.push(`console.error sur ${page.url()} : ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => page.problems.push(`exception sur ${page.url()} : ${e.message}`));
  // Une requête abandonnée parce qu'on quitte la page (ERR_ABORTED) n'est pas
  // un défaut ; une ressource bloquée (CSP, réseau) en est un.
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText;
    if (why !== 'net::ERR_ABORTED') page.problems.push(`requête échouée sur ${page.url()} : ${r.url()} ${why}`);
  });
  return { context, page };
}

// Vide et rend les problèmes relevés jusqu'ici.
export function takeProblems(page) {
  return page.problems.splice(0);
}

// Chemin de l'adresse courante.
export const pathOf = (page) => new URL(page.url()).pathname;

// Attend que la page soit à `path` (chemin exact, requête ignorée).
export function waitForPath(page, path) {
  return page.waitForURL((u) => u.pathname === path);
}

// Les étapes de connexion de l'interface.
export async function login(page, base, email, password) {
  await page.goto(base + '/login');
  await page.fill('[name="email"]', email);
  await page.fill('[name="password"]', password);
  await page.click('button[type="submit"]');
  await page.waitForLoadState();
}

// « Déconnexion » dans la barre latérale (sur mobile, ouvre d'abord le menu).
export async function logout(page) {
  const btn = page.locator('nav.sidebar').getByRole('button', { name: 'Déconnexion' });
  if (!(await btn.isVisible())) await page.locator('label.nav-toggle-label').click();
  await btn.click();
  await waitForPath(page, '/login');
}

// Texte du message flash, sans le bouton « × » ajouté par app.js.
export async function flashText(page) {
  const f = page.locator('.flash');
  await f.waitFor({ state: 'attached' });
  return f.evaluate((el) => {
    const c = el.cloneNode(true);
    c.querySelectorAll('.flash-close').forEach((b) => b.remove());
    return c.textContent.trim();
  });
}

// Textes des liens de la barre latérale.
export async function sidebarLinks(page) {
  return (await page.locator('nav.sidebar .nav-list a').allTextContents()).map((t) => t.trim());
}

// Largeur du document et de la fenêtre (pas de défilement horizontal si
// scrollWidth <= innerWidth).
export function widths(page) {
  return page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
}

// Capture pleine page dans SHOTS/<name>.png ; rend le chemin.
export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}

// Envoie un formulaire par `action` (un clic) et attend le document suivant ;
// rend le statut de la réponse au POST (303 après succès, 4xx si refusé).
export async function submit(page, action) {
  const post = page.waitForResponse((r) => r.request().method() === 'POST' &&
    r.request().isNavigationRequest() && r.frame() === page.mainFrame());
  const nav = page.waitForEvent('framenavigated', (f) => f === page.mainFrame());
  await action();
  const [resp] = await Promise.all([post, nav]);
  await page.waitForLoadState();
  return resp.status();
}

// Arrête la pile sans attendre pour rien : stopStack() de t/lib/stack.mjs
// laisse courir un minuteur de 5 s (Promise.race avec sleep(5000)) qui retient
// le processus de test 5 s de plus. On arrête lighttpd ici (SIGTERM, au plus
// 5 s), puis stopStack() fait le reste (journal des sanitizers, ménage).
export async function stopStack(stack) {
  if (stack.proc.exitCode === null && stack.proc.signalCode === null) {
    let timer;
    stack.proc.kill('SIGTERM');
    await Promise.race([stack.exited, new Promise((r) => { timer = setTimeout(r, 5000); })]);
    clearTimeout(timer);
  }
  await stack.stop();
}
