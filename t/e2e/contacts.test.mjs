// Navigateur : contacts (/contacts, /contacts/{id}, /contacts/import).
// Parcours du seed (catégorie puis contact, puce de catégorie, ligne en
// base), import CSV façon Excel français (BOM, « ; », doublon, rejet,
// téléchargement des lignes rejetées) et Windows-1252, recherche sans
// accents et par chiffres, filtre par catégorie, modification (format du
// numéro, sélecteur de pays filtrable), cloisonnement entre deux admins,
// mise en page mobile 390 px et captures. Chaque test vérifie ce que la
// page montre et les lignes en base ; aucune erreur de console ni violation
// CSP n'est tolérée.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startStack, ADMIN, http, login as apiLogin, createUser } from '../lib/stack.mjs';
import {
  launch, openPage, takeProblems, waitForPath, pathOf, login, flashText, widths, shot,
  stopStack, submit, DESKTOP, MOBILE,
} from './browser.mjs';

let s, browser, su;
before(async () => {
  [s, browser] = await Promise.all([startStack(), launch()]);
  su = (await apiLogin(s)).access_token;
});
after(async () => {
  await browser?.close();
  if (s) await stopStack(s);
});

// Aucune erreur de console, exception, requête échouée ni violation CSP
// depuis le dernier appel.
const clean = (page, where) => assert.deepEqual(takeProblems(page), [], `problèmes sur ${where}`);
const q = (v) => `'${String(v).replace(/'/g, "''")}'`;

// Admin neuf créé par l'API (par le super admin) : { email, password, id, token }.
let seq = 0;
async function freshAdmin(tag) {
  const email = `${tag}-${++seq}@test.com`;
  const password = 'password123';
  const u = await createUser(s, su, email, password, 'admin');
  const token = (await apiLogin(s, email, password)).access_token;
  return { email, password, id: u.id ?? s.sql(`SELECT id FROM users WHERE email = ${q(email)}`)[0].id, token };
}

// Appels d'API pour préparer les données d'un test.
async function apiCategory(a, name, color) {
  const r = await http(s, 'POST', '/api/categories', { token: a.token, json: color ? { name, color } : { name } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
async function apiContact(a, c) {
  const r = await http(s, 'POST', '/api/contacts', { token: a.token, json: c });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// Nouveau contexte connecté par l'interface (adresses relatives : baseURL).
async function session(a, opts = DESKTOP) {
  const { context, page } = await openPage(browser, { ...opts, baseURL: s.base });
  await login(page, s.base, a.email, a.password);
  await waitForPath(page, '/dashboard');
  clean(page, `connexion de ${a.email}`);
  return { context, page };
}

// Tableau des contacts de la page /contacts.
const rows = (page) => page.locator('table.contact-table tbody tr');
const rowOf = (page, number) => rows(page).filter({ has: page.locator('.tel', { hasText: number }) });
const numbersShown = async (page) => (await page.locator('table.contact-table tbody .tel').allTextContents()).map((t) => t.trim());
const chips = async (row) => (await row.locator('.chip').allTextContents()).map((t) => t.trim());
const cellText = async (row, label) => (await row.locator(`td[data-label="${label}"]`).innerText()).trim();
const badgeTotal = async (page) => Number((await page.locator('.page-head .count-badge').textContent()).trim());

// Contacts d'un admin en base, avec leurs catégories : { full_number: {...} }.
function dbContacts(uid) {
  const out = {};
  for (const r of s.sql(`SELECT k.id, k.full_number, k.country_code, k.phone_number, k.first_name,
      k.last_name, (SELECT group_concat(c.name, '|') FROM (SELECT c.name FROM category_contacts cc
      JOIN categories c ON c.id = cc.category_id WHERE cc.contact_id = k.id ORDER BY c.name) c) AS cats
      FROM contacts k WHERE k.created_by = ${uid} ORDER BY k.id`)) {
    out[r.full_number] = { id: r.id, cc: r.country_code, national: r.phone_number,
      first: r.first_name, last: r.last_name, cats: r.cats ? r.cats.split('|') : [] };
  }
  return out;
}

test('parcours du seed : catégorie « Test Category » puis contact +33612345678 rangé dedans', async () => {
  const { context, page } = await openPage(browser, { ...DESKTOP, baseURL: s.base });
  const adminId = s.sql(`SELECT id FROM users WHERE email = ${q(ADMIN.email)}`)[0].id;

  // Connexion (étapes exactes du seed).
  await page.goto('/login');
  await page.fill('[name="email"]', ADMIN.email);
  await page.fill('[name="password"]', ADMIN.password);
  await page.click('button[type="submit"]');
  await waitForPath(page, '/dashboard');
  clean(page, '/login → /dashboard');

  // Nouvelle catégorie.
  await page.goto('/categories');
  await page.click('text=Nouvelle catégorie');
  await page.fill('[name="name"]', 'Test Category');
  await page.click('text=Enregistrer');
  await page.waitForURL((u) => /^\/categories\/\d+$/.test(u.pathname));
  await page.waitForLoadState();
  assert.equal(await flashText(page), 'Catégorie « Test Category » créée.');
  assert.equal((await page.locator('#category-heading').textContent()).trim(), 'Test Category');
  const cats = s.sql(`SELECT id, name, color FROM categories WHERE created_by = ${adminId}`);
  assert.equal(cats.length, 1);
  assert.equal(cats[0].name, 'Test Category');
  assert.match(cats[0].color, /^#[0-9a-f]{6}$/, 'couleur de la palette tirée au hasard');
  clean(page, '/categories → /categories/{id}');

  // Nouveau contact : la catégorie la plus récente est cochée d'office.
  await page.goto('/contacts');
  await page.click('text=Nouveau contact');
  assert.ok(await page.locator(`#category-choice-${cats[0].id}`).isChecked(), 'Test Category cochée d\'office');
  await page.selectOption('[name="country_code"]', '+33');
  await page.fill('[name="phone"]', '612345678');
  await page.click('text=Enregistrer');
  await waitForPath(page, '/contacts');
  await page.waitForLoadState();
  assert.equal(await flashText(page), 'Contact +33612345678 enregistré.');

  // La page : le numéro complet et la puce de la catégorie.
  const row = rowOf(page, '+33612345678');
  assert.equal(await row.count(), 1);
  assert.deepEqual(await chips(row), ['Test Category']);
  assert.equal(await row.locator('.chip').getAttribute('href'), `/categories/${cats[0].id}`);
  assert.equal(await cellText(row, 'Statut'), 'Actif');
  assert.equal(await badgeTotal(page), 1);

  // La base : le contact, dans la catégorie (ce dont la campagne a besoin).
  const c = dbContacts(adminId);
  assert.deepEqual(Object.keys(c), ['+33612345678']);
  assert.equal(c['+33612345678'].cc, '+33');
  assert.equal(c['+33612345678'].national, '612345678');
  assert.deepEqual(c['+33612345678'].cats, ['Test Category']);
  assert.equal(s.sql(`SELECT count(*) AS n FROM category_contacts cc JOIN contacts k ON k.id = cc.contact_id
    WHERE cc.category_id = ${cats[0].id} AND k.full_number = '+33612345678' AND k.opted_out_at IS NULL`)[0].n, 1);
  await shot(page, 'contacts-seed-desktop');
  clean(page, '/contacts');
  await context.close();
});

// Fichier « Excel français » : BOM UTF-8, « ; », en-têtes accentués,
// 3 lignes valables (06…, +33…, 0033…), une avec des lettres, un doublon.
const EXCEL_CSV = '\ufeffPrénom;Nom;Téléphone;Catégorie\r\n' +
  'Hélène;Lefèvre;06 12 34 56 01;Clients\r\n' +           // ligne 2
  'Jean;Dupont;+33 6 12 34 56 02;Clients\r\n' +           // ligne 3
  'Zoé;Martin;0033 6 12 34 56 03;Fournisseurs\r\n' +      // ligne 4
  'Marc;Erreur;06 12 AB 56 04;Clients\r\n' +              // ligne 5 : lettres
  'Hélène;Lefèvre;06.12.34.56.01;Clients\r\n';            // ligne 6 : doublon de la ligne 2

const LETTERS_MSG = 'Le numéro contient des caractères non autorisés (lettres ?) : seuls les chiffres, ' +
  'espaces, points, tirets, parenthèses et le « + » initial sont permis.';

// Choisit le fichier (Buffer) et envoie le formulaire d'import ; rend le statut.
async function importFile(page, buffer, name = 'contacts.csv') {
  await page.setInputFiles('#file', { name, mimeType: 'text/csv', buffer });
  return submit(page, () => page.getByRole('button', { name: 'Importer', exact: true }).click());
}
const stat = async (page, key) => (await page.locator(`.import-result [data-stat="${key}"] .stats-value`).textContent()).trim();

test('import CSV façon Excel (BOM, « ; ») : bilan, ligne rejetée, CSV des rejets ; puis Windows-1252', async () => {
  const a = await freshAdmin('import');
  const { context, page } = await session(a);
  await page.goto('/contacts');
  await page.getByRole('link', { name: 'Importer un fichier CSV' }).click();
  await waitForPath(page, '/contacts/import');
  assert.equal((await page.locator('#import-heading').textContent()).trim(), 'Importer un fichier CSV');
  clean(page, '/contacts/import');

  const buf = Buffer.from(EXCEL_CSV, 'utf8');
  assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM UTF-8');
  assert.equal(await importFile(page, buf, 'export-excel.csv'), 200);
  assert.equal(pathOf(page), '/contacts/import');

  // Bilan : 3 créés, 1 ignoré (doublon), 1 rejeté (lettres), ligne et motif.
  assert.equal((await page.locator('#result-heading').textContent()).trim(), 'Résultat de l\'import');
  assert.equal(await stat(page, 'created'), '3');
  assert.equal(await stat(page, 'updated'), '0');
  assert.equal(await stat(page, 'skipped'), '1');
  assert.equal(await stat(page, 'rejected'), '1');
  assert.equal((await page.locator('.import-detected').textContent()).trim(),
    'Fichier lu en utf-8-bom, séparateur : point-virgule. Ligne d\'en-têtes reconnue.');
  const rej = page.locator('table.rejected-table tbody tr');
  assert.equal(await rej.count(), 1);
  assert.equal(await cellText(rej, 'Ligne'), '5');
  assert.equal(await cellText(rej, 'Motif'), LETTERS_MSG);
  assert.equal(await cellText(rej, 'Contenu'), 'Marc;Erreur;06 12 AB 56 04;Clients');
  await shot(page, 'contacts-import-result-desktop');
  clean(page, 'POST /contacts/import');

  // Base : les trois numéros normalisés, catégories créées à la volée.
  const c = dbContacts(a.id);
  assert.deepEqual(c, {
    '+33612345601': { id: c['+33612345601'].id, cc: '+33', national: '612345601', first: 'Hélène', last: 'Lefèvre', cats: ['Clients'] },
    '+33612345602': { id: c['+33612345602'].id, cc: '+33', national: '612345602', first: 'Jean', last: 'Dupont', cats: ['Clients'] },
    '+33612345603': { id: c['+33612345603'].id, cc: '+33', national: '612345603', first: 'Zoé', last: 'Martin', cats: ['Fournisseurs'] },
  });
  assert.deepEqual(s.sql(`SELECT name FROM categories WHERE created_by = ${a.id} ORDER BY name`).map((r) => r.name),
    ['Clients', 'Fournisseurs']);

  // Téléchargement des lignes rejetées : la ligne fautive et la colonne motif.
  const [dl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Télécharger les lignes rejetées (CSV)' }).click(),
  ]);
  assert.equal(dl.suggestedFilename(), 'lignes-rejetees.csv');
  const bytes = readFileSync(await dl.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM pour Excel');
  const lines = bytes.toString('utf8').replace(/^\ufeff/, '').split(/\r?\n/).filter(Boolean);
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.equal(lines[0], 'Prénom;Nom;Téléphone;Catégorie;motif');
  assert.ok(lines[1].startsWith('Marc;Erreur;06 12 AB 56 04;Clients;'), lines[1]);
  assert.ok(lines[1].includes('Le numéro contient des caractères non autorisés (lettres ?)'), lines[1]);
  clean(page, 'téléchargement des lignes rejetées');

  // Les contacts importés dans la liste, avec leurs puces.
  await page.getByRole('link', { name: 'Voir les contacts' }).click();
  await waitForPath(page, '/contacts');
  assert.deepEqual(await numbersShown(page), ['+33612345602', '+33612345601', '+33612345603'], 'ordre nom, prénom');
  assert.equal(await cellText(rowOf(page, '+33612345601'), 'Nom'), 'Hélène Lefèvre');
  assert.deepEqual(await chips(rowOf(page, '+33612345603')), ['Fournisseurs']);
  clean(page, '/contacts après import');

  // Windows-1252 : « Hélène » en octets 48 E9 6C E8 6E 65.
  await page.goto('/contacts/import');
  const cp = Buffer.concat([
    Buffer.from('Pr\xe9nom;Nom;T\xe9l\xe9phone\r\n', 'latin1'),
    Buffer.from([0x48, 0xe9, 0x6c, 0xe8, 0x6e, 0x65]),
    Buffer.from(';Fran\xe7ois;0698765432\r\n', 'latin1'),
  ]);
  assert.ok(!cp.includes(0xc3), 'pas d\'UTF-8 dans le fichier');
  assert.equal(await importFile(page, cp, 'excel-1252.csv'), 200);
  assert.equal(await stat(page, 'created'), '1');
  assert.equal(await stat(page, 'rejected'), '0');
  assert.equal(await page.locator('table.rejected-table').count(), 0);
  assert.match(await page.locator('.import-detected').textContent(), /Fichier lu en windows-1252/);
  await page.getByRole('link', { name: 'Voir les contacts' }).click();
  await waitForPath(page, '/contacts');
  assert.equal(await cellText(rowOf(page, '+33698765432'), 'Nom'), 'Hélène François');
  assert.deepEqual(s.sql(`SELECT first_name, last_name FROM contacts WHERE created_by = ${a.id}
    AND full_number = '+33698765432'`), [{ first_name: 'Hélène', last_name: 'François' }]);
  clean(page, 'import Windows-1252');
  await context.close();
});

test('recherche sans accents et par chiffres, filtre par catégorie', async () => {
  const a = await freshAdmin('search');
  const clients = await apiCategory(a, 'Clients', 'bleu');
  const vip = await apiCategory(a, 'VIP', 'rose');
  await apiContact(a, { phone_number: '0612340001', country_code: '+33', first_name: 'Hélène', last_name: 'Lefèvre', category_ids: [clients.id, vip.id] });
  await apiContact(a, { phone_number: '0612340002', country_code: '+33', first_name: 'François', last_name: 'Dupont', category_ids: [clients.id] });
  await apiContact(a, { phone_number: '+32 470 12 34 56', first_name: 'Zoé', last_name: 'Martin' });
  await apiContact(a, { phone_number: '0698000011', country_code: '+33' });
  const { context, page } = await session(a);
  await page.goto('/contacts');
  assert.equal(await badgeTotal(page), 4);
  assert.equal(await rows(page).count(), 4);

  // Le formulaire de recherche (GET) : sans accents, en majuscules.
  const search = async (term) => {
    await page.fill('#filter-q', term);
    await submitGet(page, () => page.getByRole('button', { name: 'Filtrer' }).click());
    return numbersShown(page);
  };
  assert.deepEqual(await search('helene'), ['+33612340001']);
  assert.equal(new URL(page.url()).searchParams.get('q'), 'helene');
  assert.equal(await page.inputValue('#filter-q'), 'helene', 'la recherche reste dans le champ');
  assert.equal(await badgeTotal(page), 1);
  assert.deepEqual(await search('LEFEVRE'), ['+33612340001']);
  assert.deepEqual(await search('francois dup'), ['+33612340002']);
  assert.deepEqual(await search('zoe'), ['+32470123456']);
  // Chiffres partiels, au format international ou national.
  assert.deepEqual(await search('340002'), ['+33612340002']);
  assert.deepEqual(await search('06 12 34 00 01'), ['+33612340001']);
  assert.deepEqual(await search('4701234'), ['+32470123456']);
  assert.deepEqual((await search('61234')).sort(), ['+33612340001', '+33612340002']);
  assert.deepEqual(await search('introuvable'), []);
  assert.equal((await page.locator('table.contact-table .empty-row').textContent()).trim(),
    'Aucun contact ne correspond à votre recherche.');
  clean(page, 'recherches');

  // Filtre par catégorie (et réinitialisation).
  await page.getByRole('link', { name: 'Réinitialiser' }).click();
  await waitForPath(page, '/contacts');
  assert.equal(await page.inputValue('#filter-q'), '');
  await page.selectOption('#filter-category', String(vip.id));
  await submitGet(page, () => page.getByRole('button', { name: 'Filtrer' }).click());
  assert.equal(new URL(page.url()).searchParams.get('category_id'), String(vip.id));
  assert.deepEqual(await numbersShown(page), ['+33612340001']);
  assert.deepEqual(await chips(rowOf(page, '+33612340001')), ['Clients', 'VIP']);
  await page.selectOption('#filter-category', String(clients.id));
  await submitGet(page, () => page.getByRole('button', { name: 'Filtrer' }).click());
  assert.deepEqual((await numbersShown(page)).sort(), ['+33612340001', '+33612340002']);
  assert.equal(await page.locator('#filter-category').inputValue(), String(clients.id), 'filtre gardé');
  // Recherche et filtre ensemble.
  assert.deepEqual(await search('dupont'), ['+33612340002']);
  assert.deepEqual(await search('zoe'), [], 'Zoé n\'est pas dans Clients');
  // La puce mène à la catégorie.
  await page.goto('/contacts');
  await rowOf(page, '+33612340002').locator('.chip', { hasText: 'Clients' }).click();
  await waitForPath(page, `/categories/${clients.id}`);
  clean(page, 'filtres');
  await context.close();
});

// Envoie un formulaire GET et attend la page suivante.
async function submitGet(page, action) {
  const nav = page.waitForEvent('framenavigated', (f) => f === page.mainFrame());
  await action();
  await nav;
  await page.waitForLoadState();
}

test('modifier un contact : autre format de numéro, pays choisi par le filtre « Belg »', async () => {
  const a = await freshAdmin('edit');
  const cat = await apiCategory(a, 'Amis', 'vert');
  const k = await apiContact(a, { phone_number: '612345678', country_code: '+33', first_name: 'Éloïse', last_name: 'Brun', category_ids: [cat.id] });
  const { context, page } = await session(a);
  await page.goto('/contacts');
  await rowOf(page, '+33612345678').getByRole('link', { name: /^Modifier/ }).click();
  await waitForPath(page, `/contacts/${k.id}`);
  assert.equal((await page.locator('#edit-heading').innerText()).trim(), 'Modifier le contact +33612345678');
  assert.equal(await page.inputValue('[name="phone"]'), '612345678');
  assert.equal(await page.locator('[name="country_code"]').inputValue(), '+33');
  assert.equal(await page.inputValue('[name="first_name"]'), 'Éloïse');
  assert.ok(await page.locator(`#category-choice-${cat.id}`).isChecked());
  clean(page, `/contacts/${k.id}`);

  // Même pays, autre numéro écrit avec des points et le 0 national.
  await page.fill('[name="phone"]', '06.12.34.56.79');
  await page.fill('[name="last_name"]', 'Brun-Lefèvre');
  assert.equal(await submit(page, () => page.getByRole('button', { name: 'Enregistrer' }).click()), 303);
  assert.equal(pathOf(page), '/contacts');
  assert.equal(await flashText(page), 'Contact enregistré.');
  assert.deepEqual(await numbersShown(page), ['+33612345679']);
  assert.equal(await cellText(rowOf(page, '+33612345679'), 'Nom'), 'Éloïse Brun-Lefèvre');
  assert.deepEqual(await chips(rowOf(page, '+33612345679')), ['Amis']);
  let c = dbContacts(a.id);
  assert.deepEqual(Object.keys(c), ['+33612345679']);
  assert.equal(c['+33612345679'].national, '612345679');
  assert.equal(c['+33612345679'].last, 'Brun-Lefèvre');
  assert.deepEqual(c['+33612345679'].cats, ['Amis']);
  clean(page, 'modification (format)');

  // Le sélecteur de pays filtrable : « Belg » puis Belgique (+32).
  await page.goto(`/contacts/${k.id}`);
  const filter = page.locator('.field:has(#country_code) input.select-filter');
  assert.equal(await filter.getAttribute('placeholder'), 'Rechercher un pays…');
  await filter.pressSequentially('Belg');
  const opts = (await page.locator('#country_code option').allTextContents()).map((t) => t.trim());
  assert.ok(opts.includes('Belgique (+32)'), opts.join(', '));
  assert.ok(opts.length <= 3, `liste filtrée : ${opts.join(', ')}`);
  assert.ok(!opts.includes('Allemagne (+49)'));
  await page.selectOption('[name="country_code"]', { label: 'Belgique (+32)' });
  assert.equal(await page.locator('#country_code').inputValue(), '+32');
  await page.fill('[name="phone"]', '0470 12 34 56');
  // Le filtre vidé à l'envoi : toutes les options reviennent, le choix reste.
  assert.equal(await submit(page, () => page.getByRole('button', { name: 'Enregistrer' }).click()), 303);
  assert.equal(await flashText(page), 'Contact enregistré.');
  assert.deepEqual(await numbersShown(page), ['+32470123456']);
  c = dbContacts(a.id);
  assert.deepEqual(Object.keys(c), ['+32470123456']);
  assert.equal(c['+32470123456'].cc, '+32');
  assert.equal(c['+32470123456'].national, '470123456');
  clean(page, 'modification (Belgique)');

  // Entrée dans le filtre : choisit la première correspondance sans envoyer.
  await page.goto(`/contacts/${k.id}`);
  assert.equal(await page.locator('#country_code').inputValue(), '+32');
  await page.locator('.field:has(#country_code) input.select-filter').pressSequentially('suisse');
  await page.keyboard.press('Enter');
  assert.equal(pathOf(page), `/contacts/${k.id}`, 'Entrée n\'envoie pas le formulaire');
  assert.equal(await page.locator('#country_code').inputValue(), '+41');
  assert.equal(dbContacts(a.id)['+32470123456'].cc, '+32', 'rien d\'enregistré');

  // Échap vide le filtre : toutes les options reviennent, le choix reste.
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('.field:has(#country_code) input.select-filter').inputValue(), '');
  assert.ok(await page.locator('#country_code option').count() > 100, 'liste complète');
  assert.equal(await page.locator('#country_code').inputValue(), '+41');

  // Numéro invalide pour le pays : 422, message en français, saisie gardée.
  await page.selectOption('[name="country_code"]', '+33');
  await page.fill('[name="phone"]', '12');
  assert.equal(await submit(page, () => page.getByRole('button', { name: 'Enregistrer' }).click()), 422);
  assert.ok(await page.locator('#err-phone').isVisible());
  assert.match(await page.locator('#err-phone').textContent(), /court|chiffres/);
  assert.equal(await page.inputValue('[name="phone"]'), '12');
  assert.equal(await page.locator('[name="phone"]').getAttribute('aria-invalid'), 'true');
  assert.deepEqual(Object.keys(dbContacts(a.id)), ['+32470123456'], 'base inchangée');
  clean(page, 'modification refusée');
  await context.close();
});

test('deux admins : le second (créé par l\'API) ne voit rien du premier', async () => {
  const a = await freshAdmin('iso-a');
  const b = await freshAdmin('iso-b');
  const cat = await apiCategory(a, 'Secret de A', 'rouge');
  const k = await apiContact(a, { phone_number: '0611111111', country_code: '+33', first_name: 'Alice', last_name: 'Privée', category_ids: [cat.id] });

  const { context, page } = await session(b);
  await page.goto('/contacts');
  assert.equal(await badgeTotal(page), 0);
  assert.deepEqual(await numbersShown(page), []);
  assert.equal((await page.locator('table.contact-table .empty-row').textContent()).trim(),
    'Aucun contact. Ajoutez-en un ou importez un fichier CSV.');
  assert.deepEqual(await page.locator('#filter-category option').allTextContents(), ['Toutes les catégories']);
  assert.equal(await page.locator('input[name="category_ids"]').count(), 0);
  assert.ok((await page.content()).indexOf('Secret de A') < 0);
  // Recherche et filtre sur les données de A : rien.
  await page.goto('/contacts?q=alice');
  assert.deepEqual(await numbersShown(page), []);
  await page.goto(`/contacts?category_id=${cat.id}`);
  assert.deepEqual(await numbersShown(page), []);
  assert.ok((await page.content()).indexOf('Alice') < 0);
  await page.goto('/categories');
  assert.equal(await page.locator('.category-card').count(), 0);
  assert.equal(Number((await page.locator('.page-head .count-badge').textContent()).trim()), 0);
  await page.goto('/contacts/import');
  assert.deepEqual(await page.locator('#category_id option').allTextContents(), ['Aucune']);
  clean(page, 'pages de B');
  // Adresses directes des objets de A : 404.
  for (const p of [`/contacts/${k.id}`, `/contacts/${k.id}/delete`, `/categories/${cat.id}`, `/categories/${cat.id}/delete`]) {
    const r = await page.goto(p);
    assert.equal(r.status(), 404, p);
    assert.ok((await page.content()).indexOf('Alice') < 0 && (await page.content()).indexOf('Secret de A') < 0);
  }
  clean(page, 'page d\'erreur (4xx)');

  // B peut enregistrer le même numéro que A (numéros propres à chaque admin).
  await page.goto('/contacts');
  await page.click('text=Nouveau contact');
  await page.fill('[name="phone"]', '06 11 11 11 11');
  assert.equal(await submit(page, () => page.locator('form.form-create').getByRole('button', { name: 'Enregistrer' }).click()), 303);
  assert.deepEqual(await numbersShown(page), ['+33611111111']);
  assert.deepEqual(Object.keys(dbContacts(b.id)), ['+33611111111']);
  assert.deepEqual(Object.keys(dbContacts(a.id)), ['+33611111111']);
  assert.deepEqual(dbContacts(a.id)['+33611111111'].cats, ['Secret de A'], 'A inchangé');
  clean(page, 'création par B');
  await context.close();

  // A voit toujours les siens, et pas celui de B en double.
  const sa = await session(a);
  await sa.page.goto('/contacts');
  assert.deepEqual(await numbersShown(sa.page), ['+33611111111']);
  assert.equal(await cellText(rowOf(sa.page, '+33611111111'), 'Nom'), 'Alice Privée');
  clean(sa.page, 'pages de A');
  await sa.context.close();
});

test('mobile 390 px : /contacts, /contacts/import (avec bilan) sans défilement horizontal ; captures', async () => {
  const a = await freshAdmin('mobile');
  const cats = [];
  for (const [n, col] of [['Clients fidèles de la boutique', 'bleu'], ['Fournisseurs', 'orange'], ['VIP', 'rose'], ['Prospects 2024', 'violet']])
    cats.push(await apiCategory(a, n, col));
  await apiContact(a, { phone_number: '0612345678', country_code: '+33', first_name: 'Marie-Géraldine', last_name: 'de La Rochefoucauld-Montmorency', category_ids: cats.map((c) => c.id) });
  await apiContact(a, { phone_number: '+32 470 12 34 56', first_name: 'Zoé', last_name: 'Martin', category_ids: [cats[1].id] });
  await apiContact(a, { phone_number: '0698765432', country_code: '+33' });
  for (let i = 0; i < 22; i++)
    await apiContact(a, { phone_number: `07000000${String(i).padStart(2, '0')}`, country_code: '+33', first_name: `Prénom${i}`, last_name: 'Série' });

  const { context, page } = await session(a, { ...MOBILE });
  const check = async (path, name) => {
    const w = await widths(page);
    assert.equal(w.innerWidth, 390);
    assert.ok(w.scrollWidth <= w.innerWidth, `${path} déborde : ${JSON.stringify(w)}`);
    await shot(page, name);
  };
  await page.goto('/contacts');
  assert.equal(await badgeTotal(page), 25);
  assert.ok(await page.locator('nav.pagination').isVisible(), 'pagination (25 > 20)');
  await check('/contacts', 'contacts-mobile');
  await page.click('text=Nouveau contact');
  await check('/contacts (formulaire ouvert)', 'contacts-mobile-form');
  await page.goto('/contacts?page=2');
  assert.equal(await rows(page).count(), 5);
  await check('/contacts?page=2', 'contacts-mobile-page2');
  await page.goto('/contacts/import');
  await check('/contacts/import', 'contacts-import-mobile');
  // Bilan avec une longue ligne rejetée.
  const long = 'Prénom;Nom;Téléphone;Catégorie\r\n' +
    `Jean-Christophe;Untrèslongnomdefamillesansaucuneespacepourvoirsilacellulesecoupe;06 12 AB 56 04;${'x'.repeat(60)}\r\n` +
    'Ana;Lima;06 55 44 33 22;\r\n';
  assert.equal(await importFile(page, Buffer.from(long)), 200);
  assert.equal(await stat(page, 'rejected'), '1');
  await check('/contacts/import (bilan)', 'contacts-import-result-mobile');
  await page.goto(`/contacts/${s.sql(`SELECT id FROM contacts WHERE created_by = ${a.id} AND full_number = '+33612345678'`)[0].id}`);
  await check('/contacts/{id}', 'contact-edit-mobile');
  clean(page, 'pages mobiles');
  await context.close();

  // Bureau, pour comparer.
  const d = await session(a);
  await d.page.goto('/contacts');
  await shot(d.page, 'contacts-desktop');
  await d.page.goto('/contacts/import');
  await shot(d.page, 'contacts-import-desktop');
  clean(d.page, 'captures bureau');
  await d.context.close();
});

// Défaut connu : le CSV des lignes rejetées fait l'aller-retour dans un champ
// caché du formulaire (POST /contacts/import/rejected, urlencoded), limité
// par MAX_BODY_BYTES (1 Mio) ; chaque ligne y porte son motif (~180
// caractères). Dès ~4 000 lignes rejetées (un fichier de 150 Ko), le
// bouton répond 413 « Requête trop volumineuse » au lieu du fichier.
test('beaucoup de lignes rejetées : le CSV des rejets se télécharge encore', {
}, async () => {
  const a = await freshAdmin('rejets');
  const { context, page } = await session(a);
  try {
    await page.goto('/contacts/import');
    const lines = ['Prénom;Nom;Téléphone'];
    for (let i = 0; i < 4500; i++) lines.push(`Hélène;Lefèvre;06 12 AB ${String(i).padStart(5, '0')}`);
    assert.equal(await importFile(page, Buffer.from(lines.join('\r\n') + '\r\n')), 200);
    assert.equal(await stat(page, 'rejected'), '4500');
    clean(page, 'bilan');
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Télécharger les lignes rejetées (CSV)' }).click(),
    ]);
    const text = readFileSync(await dl.path(), 'utf8');
    assert.equal(text.split(/\r?\n/).filter(Boolean).length, 4501);
  } finally {
    takeProblems(page);
    await context.close();
  }
});
