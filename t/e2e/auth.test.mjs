// Navigateur : connexion / déconnexion par l'interface, barre latérale et
// tableau de bord (totaux lus en base), mot de passe faux, absence d'erreurs
// de console et de violations CSP, mise en page mobile, captures d'écran.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, ADMIN } from '../lib/stack.mjs';
import {
  launch, openPage, takeProblems, waitForPath, pathOf, login, logout, flashText,
  sidebarLinks, widths, shot, stopStack, MOBILE,
} from './browser.mjs';

let s, browser, adminId;
before(async () => {
  [s, browser] = await Promise.all([startStack(), launch()]);
  adminId = s.sql(`SELECT id FROM users WHERE email = '${ADMIN.email}'`)[0].id;
});
after(async () => {
  await browser?.close();
  if (s) await stopStack(s);
});

// Aucune erreur de console, exception, requête échouée ni violation CSP sur
// la page (ou les pages) visitée(s) depuis le dernier appel.
const clean = (page, where) => assert.deepEqual(takeProblems(page), [], `problèmes sur ${where}`);

// Totaux attendus, lus en base (mêmes règles que le tableau de bord : données
// de l'administrateur connecté, messages envoyés/remis/lus).
const dbTotals = (uid) => s.sql(`SELECT
  (SELECT count(*) FROM contacts WHERE created_by = ${uid}) AS contacts,
  (SELECT count(*) FROM categories WHERE created_by = ${uid}) AS categories,
  (SELECT count(*) FROM campaigns WHERE created_by = ${uid}) AS campaigns,
  (SELECT count(*) FROM messages m JOIN campaigns c ON c.id = m.campaign_id
     WHERE c.created_by = ${uid} AND m.status IN ('sent', 'delivered', 'read')) AS messages`)[0];

const STATS = { contacts: 'Contacts', categories: 'Catégories', campaigns: 'Campagnes', messages: 'Messages envoyés' };

// Vérifie les quatre cartes contre la base ; rend les totaux.
async function assertStats(page) {
  const want = dbTotals(adminId);
  for (const [key, label] of Object.entries(STATS)) {
    const card = page.locator(`[data-stat="${key}"]`);
    assert.equal((await card.locator('.stats-label').textContent()).trim(), label);
    assert.equal((await card.locator('.stats-value').textContent()).trim(), String(want[key]), `carte ${key}`);
  }
  return want;
}

const NAV_SUPER = ['Tableau de bord', 'Catégories', 'Contacts', 'Campagnes', 'Statistiques', 'Utilisateurs'];

test('connexion du super admin, tableau de bord réel, déconnexion', async () => {
  const { context, page } = await openPage(browser);
  await page.goto(s.base + '/login');
  assert.equal(await page.title(), 'Connexion · Chatbot WhatsApp');
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  clean(page, '/login');

  await page.fill('[name="email"]', 'admin@test.com');
  await page.fill('[name="password"]', 'password123');
  await page.click('button[type="submit"]');
  await waitForPath(page, '/dashboard');
  assert.equal(await page.title(), 'Tableau de bord · Chatbot WhatsApp');
  assert.equal((await page.locator('h1.page-title').textContent()).trim(), 'Tableau de bord');

  // Barre latérale : les liens du super admin, le lien actif.
  const nav = page.locator('nav.sidebar');
  assert.ok(await nav.isVisible());
  assert.deepEqual(await sidebarLinks(page), NAV_SUPER);
  const current = nav.locator('a[aria-current="page"]');
  assert.equal(await current.count(), 1);
  assert.equal((await current.textContent()).trim(), 'Tableau de bord');
  assert.equal(await current.getAttribute('href'), '/dashboard');
  assert.match(await current.getAttribute('class'), /\bactive\b/);
  assert.ok(await nav.getByRole('link', { name: 'Utilisateurs' }).isVisible());

  // En-tête : e-mail et rôle.
  assert.equal((await page.locator('header.topbar .user-email').textContent()).trim(), ADMIN.email);
  assert.equal((await page.locator('header.topbar .badge').textContent()).trim(), 'Super admin');

  // Cartes : totaux réels (base neuve : tous à 0), état vide d'accueil.
  const t = await assertStats(page);
  assert.deepEqual(t, { contacts: 0, categories: 0, campaigns: 0, messages: 0 });
  assert.ok(await page.getByRole('heading', { name: 'Bienvenue !' }).isVisible());
  assert.ok(await page.getByRole('link', { name: 'Créer une catégorie' }).isVisible());
  clean(page, '/dashboard');

  // Déconnexion : retour à /login avec le message, session fermée.
  await page.getByRole('button', { name: 'Déconnexion' }).click();
  await waitForPath(page, '/login');
  assert.equal(await flashText(page), 'Vous êtes déconnecté.');
  assert.match(await page.locator('.flash').getAttribute('class'), /\bflash-success\b/);
  assert.equal(await page.locator('.flash').getAttribute('role'), 'status');
  assert.equal(s.sql(`SELECT count(*) AS n FROM refresh_tokens WHERE user_id = ${adminId}
    AND kind = 'web' AND revoked_at IS NULL`)[0].n, 0, 'session web révoquée en base');
  clean(page, '/login (après déconnexion)');

  await page.goto(s.base + '/dashboard');
  await waitForPath(page, '/login');
  assert.ok(await page.locator('[name="password"]').isVisible());
  // Le message flash ne s'affiche qu'une fois.
  assert.equal(await page.locator('.flash').count(), 0);
  clean(page, '/dashboard → /login');
  await context.close();
});

test('totaux non nuls : les cartes suivent la base (données de l\'admin connecté seulement)', async () => {
  const other = s.sql(`INSERT INTO users(email, password_hash, role, created_at, updated_at)
    VALUES ('autre@test.com', 'x', 'admin', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z') RETURNING id`)[0].id;
  const now = "'2024-01-01T00:00:00Z'";
  s.sql(`INSERT INTO categories(name, created_by, created_at, updated_at) VALUES
    ('Clients', ${adminId}, ${now}, ${now}), ('Fournisseurs', ${adminId}, ${now}, ${now}),
    ('Autre', ${other}, ${now}, ${now});
    INSERT INTO contacts(phone_number, country_code, full_number, created_by, created_at, updated_at) VALUES
    ('612345678', '+33', '+33612345678', ${adminId}, ${now}, ${now}),
    ('612345679', '+33', '+33612345679', ${adminId}, ${now}, ${now}),
    ('612345680', '+33', '+33612345680', ${adminId}, ${now}, ${now}),
    ('612345681', '+33', '+33612345681', ${other}, ${now}, ${now});`);
  try {
    const { context, page } = await openPage(browser);
    await login(page, s.base, ADMIN.email, ADMIN.password);
    await waitForPath(page, '/dashboard');
    const t = await assertStats(page);
    assert.deepEqual(t, { contacts: 3, categories: 2, campaigns: 0, messages: 0 });
    // Avec des contacts : les raccourcis remplacent l'accueil.
    assert.ok(await page.getByRole('heading', { name: 'Raccourcis' }).isVisible());
    assert.equal(await page.getByRole('heading', { name: 'Bienvenue !' }).count(), 0);
    clean(page, '/dashboard (avec données)');
    await context.close();
  } finally {
    s.sql(`DELETE FROM contacts; DELETE FROM categories; DELETE FROM users WHERE id = ${other};`);
  }
});

test('mot de passe faux : erreur en français, e-mail gardé, puis connexion possible', async () => {
  const { context, page } = await openPage(browser);
  await page.goto(s.base + '/login');
  await page.fill('[name="email"]', ADMIN.email);
  await page.fill('[name="password"]', 'mauvais-mot-de-passe');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
    page.click('button[type="submit"]'),
  ]);
  assert.equal(resp.status(), 401);
  await page.waitForLoadState();
  assert.equal(pathOf(page), '/login');
  const alert = page.getByRole('alert');
  assert.equal((await alert.textContent()).trim(), 'E-mail ou mot de passe incorrect.');
  assert.equal(await page.inputValue('[name="email"]'), ADMIN.email);
  assert.equal(await page.inputValue('[name="password"]'), '', 'le mot de passe n\'est pas renvoyé');
  assert.equal(await page.locator('.flash').count(), 0);
  clean(page, 'POST /login (401)');
  assert.deepEqual(page.statuses, [`401 ${s.base}/login`]);

  // Le formulaire réaffiché fonctionne (jeton CSRF toujours valide).
  await page.fill('[name="password"]', ADMIN.password);
  await page.click('button[type="submit"]');
  await waitForPath(page, '/dashboard');
  clean(page, '/dashboard');
  await context.close();
  s.sql('DELETE FROM login_attempts');
});

test('le relevé voit bien les violations CSP (contrôle du contrôle)', async () => {
  const { context, page } = await openPage(browser);
  const resp = await page.goto(s.base + '/login');
  assert.match(resp.headers()['content-security-policy'], /default-src 'self'/);
  clean(page, '/login');
  // Un attribut style en ligne est interdit par style-src 'self'.
  await page.evaluate(() => { document.body.insertAdjacentHTML('beforeend', '<p style="color:red">x</p>'); });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
  const p = takeProblems(page);
  assert.ok(p.some((m) => /Content Security Policy|CSP violation/.test(m)), `violation non relevée : ${p}`);
  await context.close();
});

test('mobile 390×844 : pas de défilement horizontal, menu repliable, déconnexion', async () => {
  const { context, page } = await openPage(browser, MOBILE);
  await page.goto(s.base + '/login');
  let w = await widths(page);
  assert.equal(w.innerWidth, 390);
  assert.ok(w.scrollWidth <= w.innerWidth, `/login déborde : ${JSON.stringify(w)}`);
  await shot(page, 'login-mobile');

  await login(page, s.base, ADMIN.email, ADMIN.password);
  await waitForPath(page, '/dashboard');
  w = await widths(page);
  assert.ok(w.scrollWidth <= w.innerWidth, `/dashboard déborde : ${JSON.stringify(w)}`);
  assert.ok(await page.locator('[data-stat="contacts"]').isVisible());
  await shot(page, 'dashboard-mobile');

  // Menu replié ; le bouton « Menu » l'ouvre (sans JavaScript : case à cocher).
  const nav = page.locator('nav.sidebar');
  assert.equal(await nav.isVisible(), false, 'menu replié par défaut');
  await page.locator('label.nav-toggle-label').click();
  assert.ok(await nav.isVisible());
  assert.deepEqual(await sidebarLinks(page), NAV_SUPER);
  w = await widths(page);
  assert.ok(w.scrollWidth <= w.innerWidth, `menu ouvert déborde : ${JSON.stringify(w)}`);
  await shot(page, 'dashboard-mobile-menu');
  // Échap referme le menu (app.js).
  await page.keyboard.press('Escape');
  assert.equal(await nav.isVisible(), false, 'Échap referme le menu');

  await logout(page);
  assert.equal(await flashText(page), 'Vous êtes déconnecté.');
  w = await widths(page);
  assert.ok(w.scrollWidth <= w.innerWidth, `/login (flash) déborde : ${JSON.stringify(w)}`);
  clean(page, 'pages mobiles');
  await context.close();
});

test('captures bureau : connexion (vide, erreur) et tableau de bord', async () => {
  const { context, page } = await openPage(browser);
  await page.goto(s.base + '/login');
  await shot(page, 'login-desktop');
  await page.fill('[name="email"]', ADMIN.email);
  await page.fill('[name="password"]', 'mauvais-mot-de-passe');
  await page.click('button[type="submit"]');
  await page.getByRole('alert').waitFor();
  await shot(page, 'login-error-desktop');
  s.sql('DELETE FROM login_attempts');
  await login(page, s.base, ADMIN.email, ADMIN.password);
  await waitForPath(page, '/dashboard');
  const w = await widths(page);
  assert.ok(w.scrollWidth <= w.innerWidth, `/dashboard déborde : ${JSON.stringify(w)}`);
  await shot(page, 'dashboard-desktop');
  await page.goto(s.base + '/page-inconnue');
  assert.deepEqual(page.statuses.at(-1), `404 ${s.base}/page-inconnue`);
  assert.ok(await page.getByRole('heading', { level: 1 }).isVisible());
  await shot(page, 'error-404-desktop');
  clean(page, 'captures bureau');
  await context.close();
});
