// Navigateur : gestion des comptes par le super admin (/admin-users) —
// création (et refus d'un mot de passe trop court), droits d'un admin
// (pas de lien, page 403), désactivation qui ferme la session ouverte,
// suppression par la page de confirmation ; pas d'erreurs de console ni de
// violations CSP ; mise en page mobile ; captures d'écran.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, ADMIN, login as apiLogin, createUser } from '../lib/stack.mjs';
import {
  launch, openPage, takeProblems, waitForPath, pathOf, login, logout, flashText,
  sidebarLinks, widths, shot, stopStack, submit, MOBILE,
} from './browser.mjs';

const BOB = { email: 'bob@test.com', password: 'password123' };

let s, browser;
before(async () => {
  [s, browser] = await Promise.all([startStack(), launch()]);
});
after(async () => {
  await browser?.close();
  if (s) await stopStack(s);
});

const clean = (page, where) => assert.deepEqual(takeProblems(page), [], `problèmes sur ${where}`);
const userRow = (email) => s.sql(`SELECT id, email, role, is_active FROM users WHERE email = '${email}'`)[0];
const userCount = () => s.sql('SELECT count(*) AS n FROM users')[0].n;
// Ligne du tableau des comptes pour cet e-mail.
const rowOf = (page, email) => page.locator('table.table tbody tr').filter({
  has: page.locator('td.cell-main', { hasText: email }) });
const badges = async (row) => (await row.locator('.badge').allTextContents()).map((t) => t.trim());

// Ouvre une session de super admin dans un nouveau contexte, sur /admin-users
// atteint par le lien de la barre latérale.
async function superAdminOnUsers(opts) {
  const { context, page } = await openPage(browser, opts);
  await login(page, s.base, ADMIN.email, ADMIN.password);
  await waitForPath(page, '/dashboard');
  const link = page.locator('nav.sidebar').getByRole('link', { name: 'Utilisateurs' });
  if (!(await link.isVisible())) await page.locator('label.nav-toggle-label').click();
  await link.click();
  await waitForPath(page, '/admin-users');
  return { context, page };
}

// Depuis /admin-users : « Modifier <email> », puis la page d'édition.
async function openEdit(page, email) {
  await rowOf(page, email).getByRole('link', { name: `Modifier ${email}` }).click();
  await page.waitForURL(/\/admin-users\/\d+$/);
  assert.match((await page.locator('#edit-heading').textContent()).trim(), new RegExp(`^Modifier ${email.replace(/\./g, '\\.')}( \\(vous\\))?$`));
}

test('super admin : créer un admin (mot de passe trop court refusé, puis succès)', async () => {
  const { context, page } = await superAdminOnUsers();
  assert.equal(await page.title(), 'Utilisateurs · Chatbot WhatsApp');
  const current = page.locator('nav.sidebar a[aria-current="page"]');
  assert.equal((await current.textContent()).trim(), 'Utilisateurs');
  assert.equal((await page.locator('.count-badge').textContent()).trim(), String(userCount()));
  assert.deepEqual(await badges(rowOf(page, ADMIN.email)), ['Super admin', 'Actif']);
  assert.match(await rowOf(page, ADMIN.email).locator('td.cell-main').textContent(), /\(vous\)/);
  clean(page, '/admin-users');

  // Le formulaire est replié ; « Nouvel utilisateur » l'ouvre (sans JS : <details>).
  const email = page.getByLabel('Adresse e-mail');
  const password = page.getByLabel('Mot de passe', { exact: true });
  assert.equal(await email.isVisible(), false);
  await page.locator('summary', { hasText: 'Nouvel utilisateur' }).click();
  assert.ok(await email.isVisible());

  // Mot de passe trop court : le navigateur bloque d'abord (minlength=8)...
  await email.fill(BOB.email);
  await password.fill('court');
  await page.getByLabel('Rôle').selectOption({ label: 'Admin' });
  const save = page.getByRole('button', { name: 'Enregistrer' });
  await save.click();
  assert.equal(await password.evaluate((el) => el.validity.tooShort), true);
  assert.equal(pathOf(page), '/admin-users');
  assert.equal(userRow(BOB.email), undefined);
  // ... et le serveur aussi (validation du navigateur contournée).
  await page.locator('form.form-create').evaluate((f) => { f.noValidate = true; });
  assert.equal(await submit(page, () => save.click()), 422);
  assert.equal(userRow(BOB.email), undefined, 'aucun compte créé');
  assert.equal(await page.locator('details.card').getAttribute('open'), '', 'formulaire resté ouvert');
  assert.equal((await page.locator('#err-password').textContent()).trim(),
    'Le mot de passe doit contenir au moins 8 caractères.');
  assert.equal(await password.getAttribute('aria-invalid'), 'true');
  assert.match(await password.getAttribute('aria-describedby'), /\berr-password\b/);
  assert.equal(await email.inputValue(), BOB.email, 'e-mail gardé');
  assert.equal(await page.getByLabel('Rôle').inputValue(), 'admin');
  assert.equal(await page.locator('#err-email').count(), 0);
  clean(page, 'POST /admin-users (422)');
  await shot(page, 'admin-users-error-desktop');

  // Saisie correcte : redirection, message, bob « Actif » dans la liste.
  await page.locator('form.form-create').evaluate((f) => { f.noValidate = false; });
  await password.fill(BOB.password);
  assert.equal(await submit(page, () => save.click()), 303);
  assert.equal(pathOf(page), '/admin-users');
  assert.equal(await flashText(page), `Compte ${BOB.email} créé.`);
  assert.match(await page.locator('.flash').getAttribute('class'), /\bflash-success\b/);
  const bob = rowOf(page, BOB.email);
  assert.equal(await bob.count(), 1);
  assert.deepEqual(await badges(bob), ['Admin', 'Actif']);
  assert.equal(await bob.locator('.badge-success').textContent(), 'Actif');
  assert.equal((await page.locator('.count-badge').textContent()).trim(), String(userCount()));
  assert.equal(await page.locator('details.card').getAttribute('open'), null, 'formulaire replié');
  assert.deepEqual({ ...userRow(BOB.email), id: 0 }, { id: 0, email: BOB.email, role: 'admin', is_active: 1 });
  clean(page, '/admin-users (après création)');
  await shot(page, 'admin-users-desktop');

  // Même adresse une deuxième fois : erreur de champ en français.
  await page.locator('summary', { hasText: 'Nouvel utilisateur' }).click();
  await email.fill(BOB.email.toUpperCase());
  await password.fill(BOB.password);
  assert.equal(await submit(page, () => save.click()), 409);
  assert.equal((await page.locator('#err-email').textContent()).trim(),
    'Un compte existe déjà avec cette adresse e-mail.');
  clean(page, 'POST /admin-users (409)');
  await context.close();
});

test('admin : pas de lien « Utilisateurs », /admin-users en 403 ; désactivé, sa session tombe', async () => {
  if (!userRow(BOB.email)) await createUser(s, (await apiLogin(s)).access_token, BOB.email, BOB.password);

  // Déconnexion du super admin puis connexion de bob, dans le même contexte.
  const { context, page } = await superAdminOnUsers();
  await logout(page);
  await login(page, s.base, BOB.email, BOB.password);
  await waitForPath(page, '/dashboard');
  assert.deepEqual(await sidebarLinks(page), ['Tableau de bord', 'Catégories', 'Contacts', 'Campagnes', 'Statistiques']);
  assert.equal(await page.locator('nav.sidebar').getByRole('link', { name: 'Utilisateurs' }).count(), 0);
  assert.equal((await page.locator('header.topbar .user-email').textContent()).trim(), BOB.email);
  assert.equal((await page.locator('header.topbar .badge').textContent()).trim(), 'Admin');
  clean(page, '/dashboard (bob)');

  const resp = await page.goto(s.base + '/admin-users');
  assert.equal(resp.status(), 403);
  assert.equal(await page.title(), 'Accès refusé · Chatbot WhatsApp');
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), 'Accès refusé');
  assert.equal((await page.locator('.error-message').textContent()).trim(), 'Accès réservé au super administrateur.');
  assert.match(await page.locator('.error-card').textContent(), /Connecté en tant que bob@test\.com/);
  assert.deepEqual(page.statuses, [`403 ${s.base}/admin-users`]);
  clean(page, '/admin-users (403)');
  await shot(page, 'error-403-desktop');
  await page.getByRole('link', { name: 'Retour au tableau de bord' }).click();
  await waitForPath(page, '/dashboard');

  // Le super admin (autre navigateur) désactive bob.
  const su = await superAdminOnUsers();
  await openEdit(su.page, BOB.email);
  const active = su.page.getByLabel('Compte actif');
  assert.equal(await active.isChecked(), true);
  assert.equal(await su.page.getByLabel('Rôle').inputValue(), 'admin');
  clean(su.page, '/admin-users/{id}');
  await shot(su.page, 'admin-user-edit-desktop');
  await active.uncheck();
  assert.equal(await submit(su.page, () => su.page.getByRole('button', { name: 'Enregistrer' }).click()), 303);
  assert.equal(pathOf(su.page), '/admin-users');
  assert.equal(await flashText(su.page), 'Compte enregistré.');
  assert.deepEqual(await badges(rowOf(su.page, BOB.email)), ['Admin', 'Inactif']);
  assert.equal(userRow(BOB.email).is_active, 0);
  clean(su.page, '/admin-users (après désactivation)');
  await su.context.close();

  // Page suivante de bob : renvoyé à /login ; il ne peut plus se connecter.
  await page.reload();
  await waitForPath(page, '/login');
  await page.goto(s.base + '/dashboard');
  await waitForPath(page, '/login');
  await page.fill('[name="email"]', BOB.email);
  await page.fill('[name="password"]', BOB.password);
  await page.click('button[type="submit"]');
  await page.getByRole('alert').waitFor();
  assert.equal((await page.getByRole('alert').textContent()).trim(), 'E-mail ou mot de passe incorrect.');
  assert.equal(pathOf(page), '/login');
  clean(page, 'bob désactivé');
  await context.close();
  s.sql('DELETE FROM login_attempts');
});

test('suppression par la page de confirmation : données réattribuées, message', async () => {
  const tok = (await apiLogin(s)).access_token;
  const carol = await createUser(s, tok, 'carol@test.com');
  const now = "'2024-01-01T00:00:00Z'";
  s.sql(`INSERT INTO categories(name, created_by, created_at, updated_at) VALUES ('Clients de Carol', ${carol.id}, ${now}, ${now})`);

  const { context, page } = await superAdminOnUsers();
  await openEdit(page, carol.email);
  assert.match(await page.locator('#danger-heading + p').textContent(), /\b1 catégorie/);
  await page.getByRole('link', { name: 'Supprimer ce compte…' }).click();
  await waitForPath(page, `/admin-users/${carol.id}/delete`);
  assert.equal((await page.locator('#delete-heading').textContent()).trim(), `Supprimer le compte ${carol.email} ?`);
  assert.match(await page.locator('.confirm-card').textContent(), /Cette action est irréversible\./);
  clean(page, '/admin-users/{id}/delete');
  await shot(page, 'admin-user-delete-desktop');

  // « Annuler » ne supprime rien.
  await page.getByRole('link', { name: 'Annuler' }).click();
  await waitForPath(page, `/admin-users/${carol.id}`);
  assert.ok(userRow(carol.email));
  await page.goBack();
  await waitForPath(page, `/admin-users/${carol.id}/delete`);

  const before = userCount();
  assert.equal(await submit(page, () => page.getByRole('button', { name: 'Supprimer définitivement' }).click()), 303);
  assert.equal(pathOf(page), '/admin-users');
  assert.equal(await flashText(page), 'Compte supprimé ; ses données vous ont été réattribuées.');
  assert.equal(await rowOf(page, carol.email).count(), 0);
  assert.equal(userRow(carol.email), undefined);
  assert.equal(userCount(), before - 1);
  assert.equal((await page.locator('.count-badge').textContent()).trim(), String(before - 1));
  const adminId = userRow(ADMIN.email).id;
  assert.equal(s.sql(`SELECT created_by FROM categories WHERE name = 'Clients de Carol'`)[0].created_by, adminId);
  clean(page, '/admin-users (après suppression)');
  await context.close();
});

test('mobile 390×844 : liste des comptes et édition sans défilement horizontal', async () => {
  const { context, page } = await superAdminOnUsers(MOBILE);
  let w = await widths(page);
  assert.ok(w.scrollWidth <= w.innerWidth, `/admin-users déborde : ${JSON.stringify(w)}`);
  await shot(page, 'admin-users-mobile');
  await page.locator('summary', { hasText: 'Nouvel utilisateur' }).click();
  w = await widths(page);
  assert.ok(w.scrollWidth <= w.innerWidth, `formulaire ouvert déborde : ${JSON.stringify(w)}`);
  await shot(page, 'admin-users-form-mobile');
  await openEdit(page, ADMIN.email);
  w = await widths(page);
  assert.ok(w.scrollWidth <= w.innerWidth, `/admin-users/{id} déborde : ${JSON.stringify(w)}`);
  // Soi-même : rôle et statut non modifiables, pas de suppression.
  assert.equal(await page.getByLabel('Rôle').isDisabled(), true);
  assert.equal(await page.getByLabel('Compte actif').isDisabled(), true);
  assert.equal(await page.getByRole('link', { name: 'Supprimer ce compte…' }).count(), 0);
  await shot(page, 'admin-user-edit-self-mobile');
  clean(page, 'pages mobiles');
  await context.close();
});
