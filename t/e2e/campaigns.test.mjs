// Navigateur : campagnes (/campaigns, /campaigns/new, /campaigns/{id},
// /campaigns/{id}/edit, /campaigns/{id}/delete, /campaigns/{id}/cancel).
// Parcours complet du seed (catégorie, contact rangé dedans, campagne
// envoyée), MessageEditor (compteur, variables, lien vérifié, aperçu,
// destinataires en direct), validation sans JavaScript (variable inconnue,
// adresse invalide), brouillon modifié puis supprimé, arrêt d'un envoi,
// nom de campagne hostile, mise en page mobile 390 px et captures.
// Chaque test vérifie ce que la page montre et les lignes en base ; aucune
// erreur de console ni violation CSP n'est tolérée.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, ADMIN, http, login as apiLogin, createUser } from '../lib/stack.mjs';
import {
  launch, openPage, takeProblems, waitForPath, pathOf, login, flashText, widths, shot,
  stopStack, submit, DESKTOP, MOBILE,
} from './browser.mjs';

let s, browser, su;
before(async () => {
  [s, browser] = await Promise.all([startStack({ sandbox: true }), launch()]);
  su = (await apiLogin(s)).access_token;
});
after(async () => {
  await browser?.close();
  if (s) await stopStack(s);
});

const clean = (page, where) => assert.deepEqual(takeProblems(page), [], `problèmes sur ${where}`);
const q = (v) => `'${String(v).replace(/'/g, "''")}'`;
// Texte d'un élément, espaces (dont insécables) ramenés à une espace.
const norm = (t) => String(t ?? '').replace(/\s+/g, ' ').trim();
const textOf = async (loc) => norm(await loc.textContent());

// Admin neuf créé par l'API (par le super admin) : { email, password, id, token }.
let seq = 0;
async function freshAdmin(tag) {
  const email = `${tag}-${++seq}@test.com`;
  const password = 'password123';
  await createUser(s, su, email, password, 'admin');
  const token = (await apiLogin(s, email, password)).access_token;
  return { email, password, id: s.sql(`SELECT id FROM users WHERE email = ${q(email)}`)[0].id, token };
}
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
async function session(a, opts = DESKTOP) {
  const { context, page } = await openPage(browser, { ...opts, baseURL: s.base });
  await login(page, s.base, a.email, a.password);
  await waitForPath(page, '/dashboard');
  clean(page, `connexion de ${a.email}`);
  return { context, page };
}
const campaignsOf = (uid) => s.sql(`SELECT id, name, status, total_recipients, message_1, message_2
  FROM campaigns WHERE created_by = ${uid} ORDER BY id`);
const messagesOf = (cid) => s.sql(`SELECT m.status, m.message_type, k.full_number FROM messages m
  JOIN contacts k ON k.id = m.contact_id WHERE m.campaign_id = ${cid} ORDER BY k.full_number`);

// Éditeur d'un message (Message 1 ou 2) du formulaire.
const editor = (page, name) => page.locator('[data-editor]').filter({ has: page.locator(`textarea[name="${name}"]`) });
const summaryText = (page) => textOf(page.locator('#send-summary'));
// Attend que la ligne des destinataires contienne `text`.
const waitSummary = (page, text) => page.locator('#send-summary', { hasText: text }).waitFor();

// Parcourt les textes de <body> dans l'ordre du document jusqu'au bouton
// « Envoyer » : rend les textes qui contiennent « envoyer » (sélecteur du
// seed text=Envoyer), et le bouton qui porte le premier « Enregistrer ».
function textOrder(page) {
  return page.evaluate(() => {
    const send = document.querySelector('button[name="action"][value="send"]');
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const envoyer = [];
    let firstSave = null;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (send.contains(n)) break;
      if (/envoyer/i.test(n.data)) envoyer.push(n.data.trim());
      if (firstSave === null && /enregistrer/i.test(n.data)) {
        const b = n.parentElement.closest('button');
        firstSave = b ? `${b.name}=${b.value}` : n.data.trim();
      }
    }
    return { envoyer, firstSave };
  });
}

test('parcours du seed : catégorie, contact rangé dedans, campagne « Test Campaign » envoyée', async () => {
  const { context, page } = await openPage(browser, { ...DESKTOP, baseURL: s.base });
  const adminId = s.sql(`SELECT id FROM users WHERE email = ${q(ADMIN.email)}`)[0].id;
  try {
    // Connexion.
    await page.goto('/login');
    await page.fill('[name="email"]', ADMIN.email);
    await page.fill('[name="password"]', ADMIN.password);
    await page.click('button[type="submit"]');
    await waitForPath(page, '/dashboard');

    // Catégorie.
    await page.goto('/categories');
    await page.click('text=Nouvelle catégorie');
    await page.fill('[name="name"]', 'Test Category');
    await page.click('text=Enregistrer');
    await page.waitForURL((u) => /^\/categories\/\d+$/.test(u.pathname));
    await page.waitForLoadState();
    const catId = Number(pathOf(page).split('/').pop());

    // Contact, coché dans « Test Category ».
    await page.goto('/contacts');
    await page.click('text=Nouveau contact');
    await page.selectOption('[name="country_code"]', '+33');
    await page.fill('[name="phone"]', '612345678');
    await page.check(`#category-choice-${catId}`);
    await page.click('text=Enregistrer');
    await waitForPath(page, '/contacts');
    await page.waitForLoadState();
    assert.equal(await flashText(page), 'Contact +33612345678 enregistré.');
    clean(page, 'catégorie et contact');

    // Campagne.
    await page.goto('/campaigns/new');
    assert.equal(await textOf(page.locator('h1.page-title')), 'Nouvelle campagne');
    assert.equal(await textOf(page.locator('label[for="campaign-name"]')), 'Nom de la campagne');
    assert.equal(await textOf(page.locator('label[for="campaign-category"]')), 'Catégories');
    // Sélecteurs du seed : rien ne contient « envoyer » avant le bouton,
    // le premier « Enregistrer » est le bouton du brouillon.
    assert.deepEqual(await textOrder(page), { envoyer: [], firstSave: 'action=draft' });
    assert.equal(await page.locator('text=Envoyer').first().getAttribute('value'), 'send');
    assert.equal(await page.locator('text=Enregistrer').first().getAttribute('value'), 'draft');

    await page.fill('[name="name"]', 'Test Campaign');
    await page.selectOption('[name="category"]', 'Test Category');
    await waitSummary(page, '1 destinataire ');
    await page.fill('[name="message_1"]', 'Hello from test');
    assert.deepEqual(await textOrder(page), { envoyer: [], firstSave: 'action=draft' });
    await page.click('text=Envoyer');
    await page.locator('text=Campagne envoyée').waitFor({ state: 'visible' });
    assert.match(await flashText(page), /^Campagne envoyée : 1 destinataire, durée estimée .+\.$/);

    // La page de la campagne : 1 destinataire, en cours d'envoi.
    assert.match(pathOf(page), /^\/campaigns\/\d+$/);
    assert.equal(await textOf(page.locator('#campaign-heading')), 'Test Campaign');
    assert.equal(await textOf(page.locator('#campaign-status')), 'Statut : En cours d\'envoi');
    assert.match(await page.locator('#campaign-status').getAttribute('class'), /\bstatus-sending\b/);
    assert.equal(await textOf(page.locator('[data-stat="sent"] .stats-value')), '0 / 1');
    assert.equal(await textOf(page.locator('[data-stat="remaining"] .stats-value')), '1');
    assert.equal(await textOf(page.locator('#progress-text')), 'Progression de l\'envoi : 0 / 1 · 0 %');
    assert.equal(await page.locator('meta[http-equiv="refresh"]').getAttribute('content'), '10');
    const row = page.locator('table.message-table tbody tr');
    assert.equal(await row.count(), 1);
    assert.equal(await textOf(row.locator('.tel')), '+33612345678');
    assert.equal(await textOf(row.locator('td[data-label="Message"]')), 'Message 1');
    assert.equal(await textOf(page.locator('.campaign-messages .wa-text').first()), 'Hello from test');
    assert.deepEqual((await page.locator('.chip-list .chip').allTextContents()).map(norm), ['Test Category']);
    assert.equal(await page.getByRole('link', { name: 'Annuler l\'envoi' }).count(), 1);
    assert.equal(await page.getByRole('link', { name: 'Exporter CSV' }).count(), 1);
    await shot(page, 'campaign-sending-desktop');
    clean(page, 'campagne envoyée');

    // Base : campagne en cours, une ligne message_1 en attente.
    const [c] = campaignsOf(adminId);
    assert.equal(c.name, 'Test Campaign');
    assert.equal(c.status, 'sending');
    assert.equal(c.total_recipients, 1);
    assert.deepEqual(messagesOf(c.id), [{ status: 'pending', message_type: 'message_1', full_number: '+33612345678' }]);

    // La liste.
    await page.goto('/campaigns');
    const lrow = page.locator('table.campaign-table tbody tr');
    assert.equal(await lrow.count(), 1);
    assert.equal(await textOf(lrow.locator('.campaign-link')), 'Test Campaign');
    assert.equal(await lrow.locator('.campaign-link').getAttribute('href'), `/campaigns/${c.id}`);
    assert.equal(await textOf(lrow.locator('.status-badge')), 'En cours d\'envoi');
    assert.equal(await textOf(lrow.locator('td[data-label="Destinataires"]')), '1');
    assert.equal(await lrow.locator('progress').getAttribute('value'), '0');
    assert.equal(await textOf(page.locator('.page-head .count-badge')), '1');
    await shot(page, 'campaigns-desktop');
    clean(page, '/campaigns');

    // Le vrai cbw-sender passe : le faux WhatsApp reçoit le message et la
    // page de la campagne le montre envoyé, campagne terminée.
    const run = await s.cron('cbw-sender', ['--run-ms', '1500']);
    assert.equal(run.code, 0, run.stderr);
    const got = s.sandbox.messages().filter((m) => m.to === '33612345678');
    assert.equal(got.length, 1);
    assert.equal(got[0].body.text.body, 'Hello from test');
    await page.goto(`/campaigns/${c.id}`);
    assert.equal(await textOf(page.locator('#campaign-status')), 'Statut : Terminée');
    const sentRow = page.locator('table.message-table tbody tr');
    assert.match(await textOf(sentRow.locator('td[data-label="Statut"]')), /Envoyé/);
    assert.equal(await textOf(page.locator('[data-stat="sent"] .stats-value')), '1 / 1');
    assert.deepEqual(messagesOf(c.id), [{ status: 'sent', message_type: 'message_1', full_number: '+33612345678' }]);
    clean(page, 'campagne terminée');
  } finally {
    await context.close();
  }
});

test('MessageEditor : compteur, variables, lien vérifié, aperçu et destinataires en direct', async () => {
  const a = await freshAdmin('editor');
  const two = await apiCategory(a, 'Deux', 'vert');
  const one = await apiCategory(a, 'Un', 'bleu');
  const empty = await apiCategory(a, 'Vide', 'orange');
  await apiContact(a, { phone_number: '0612000001', country_code: '+33', first_name: 'Alice', last_name: 'Martin', category_ids: [two.id] });
  await apiContact(a, { phone_number: '0612000002', country_code: '+33', first_name: 'Bruno', category_ids: [two.id] });
  await apiContact(a, { phone_number: '0612000003', country_code: '+33', first_name: 'Chloé', category_ids: [one.id] });
  // Un contact désinscrit dans « Deux » : jamais compté.
  const out = await apiContact(a, { phone_number: '0612000004', country_code: '+33', first_name: 'Denis', category_ids: [two.id] });
  s.sql(`UPDATE contacts SET opted_out_at = '2025-01-01T00:00:00Z' WHERE id = ${out.id}`);
  const { context, page } = await session(a);
  try {
    await page.goto('/campaigns/new');
    const m1 = page.locator('textarea[name="message_1"]');
    const e1 = editor(page, 'message_1');
    const counter = page.locator('#count-message_1');

    // Compteur, mis à jour en direct (points de code, comme le serveur).
    assert.equal(await textOf(counter), '0 / 4096 caractères');
    await m1.pressSequentially('Bonjour');
    assert.equal(await textOf(counter), '7 / 4096 caractères');
    await m1.fill('Été 😀');
    assert.equal(await textOf(counter), '5 / 4096 caractères');
    await m1.fill('a'.repeat(4100));
    assert.equal(await textOf(counter), '4100 / 4096 caractères — trop long de 4 caractères');
    assert.match(await counter.getAttribute('class'), /\bis-over\b/);

    // Variables : insérées au curseur ; l'aperçu montre le contact d'exemple.
    await m1.fill('Bonjour ');
    await e1.getByRole('button', { name: 'Insérer {{first_name}}' }).click();
    await m1.press('End');
    await m1.pressSequentially(' !');
    assert.equal(await m1.inputValue(), 'Bonjour {{first_name}} !');
    assert.equal(await textOf(page.locator('.preview-who')), 'Alice Martin');
    assert.equal(await textOf(page.locator('#preview-1-text')), 'Bonjour Alice !');
    await e1.getByRole('button', { name: 'Insérer {{last_name}}' }).click();
    assert.equal(await m1.inputValue(), 'Bonjour {{first_name}} !{{last_name}}');
    assert.equal(await textOf(page.locator('#preview-1-text')), 'Bonjour Alice !Martin');
    await m1.fill('Bonjour {{first_name}} {{last_name}},\nà bientôt');
    assert.equal(await page.locator('#preview-1-text').textContent(), 'Bonjour Alice Martin,\nà bientôt');

    // « Insérer un lien » : ftp:// refusé en français, https:// inséré au curseur.
    await m1.fill('Voir le site');
    const linkBtn = e1.getByRole('button', { name: 'Insérer un lien' });
    await linkBtn.click();
    assert.equal(await linkBtn.getAttribute('aria-expanded'), 'true');
    const url = e1.getByLabel('Adresse du lien');
    assert.ok(await url.isVisible());
    await url.fill('ftp://x');
    await e1.getByRole('button', { name: 'Insérer le lien' }).click();
    const linkErr = e1.locator('.link-inserter .field-error');
    assert.equal(await textOf(linkErr), 'L\'adresse doit commencer par http:// ou https://.');
    assert.equal(await url.getAttribute('aria-invalid'), 'true');
    assert.equal(await m1.inputValue(), 'Voir le site', 'rien inséré');
    await url.fill('https://exemple.fr:99999/promo');
    await url.press('Enter');
    assert.match(await textOf(linkErr), /^Adresse invalide/);
    assert.equal(pathOf(page), '/campaigns/new', 'Entrée dans le champ du lien n\'envoie pas le formulaire');
    await url.fill('https://exemple.fr/promo');
    await url.press('Enter');
    assert.equal(await m1.inputValue(), 'Voir le site https://exemple.fr/promo');
    assert.ok(await e1.locator('.link-inserter').isHidden(), 'le petit formulaire se referme');
    assert.equal(await linkBtn.getAttribute('aria-expanded'), 'false');
    assert.equal(await textOf(page.locator('#preview-1-text')), 'Voir le site https://exemple.fr/promo');
    assert.equal(await textOf(counter), '37 / 4096 caractères');

    // Message 2 : bulle après la réponse du contact, seulement s'il est écrit.
    assert.ok(await page.locator('#preview-followup').isHidden());
    await page.fill('[name="message_2"]', 'Merci {{first_name}} !');
    assert.ok(await page.locator('#preview-followup').isVisible());
    assert.equal(await textOf(page.locator('#preview-2-text')), 'Merci Alice !');
    assert.equal(await textOf(page.locator('#count-message_2')), '22 / 4096 caractères');

    // Destinataires selon les catégories (requête GET same-origin).
    const req = page.waitForRequest((r) => r.url().includes('/campaigns/recipients?'));
    await page.selectOption('[name="category"]', ['Deux']);
    assert.equal(new URL((await req).url()).search, `?category=${two.id}`);
    await waitSummary(page, '2 destinataires');
    assert.match(await summaryText(page), /^2 destinataires · durée estimée .+ \(25 messages par minute\)$/);
    assert.ok(await page.locator('#send-warning').isHidden());
    await page.selectOption('[name="category"]', ['Deux', 'Un']);
    await waitSummary(page, '3 destinataires');
    await page.selectOption('[name="category"]', ['Vide']);
    await waitSummary(page, '0 destinataire ');
    assert.equal(await textOf(page.locator('#send-warning')),
      'Aucun destinataire joignable. Sans contact joignable (catégorie vide ou contacts désinscrits) : « Vide ».');
    await page.selectOption('[name="category"]', ['Un', 'Vide']);
    await waitSummary(page, '1 destinataire ');
    assert.equal(await textOf(page.locator('#send-warning')),
      'Sans contact joignable (catégorie vide ou contacts désinscrits) : « Vide ».');
    await page.selectOption('[name="category"]', []);
    await waitSummary(page, 'choisissez au moins une catégorie');
    assert.ok(await page.locator('#send-warning').isHidden());

    // Modèle : la bulle le signale.
    assert.ok(await page.locator('#preview-template').isHidden());
    await page.locator('details.template-box > summary').click();
    assert.equal(await page.getByLabel('Langue du modèle').getAttribute('placeholder'), 'fr');
    await page.fill('[name="template_name"]', 'promo_rentree');
    assert.equal(await textOf(page.locator('#preview-template')),
      'Modèle « promo_rentree » : WhatsApp affiche le texte approuvé du modèle.');
    await page.selectOption('[name="category"]', ['Deux']);
    await waitSummary(page, '2 destinataires');
    await shot(page, 'campaign-form-desktop');
    clean(page, 'MessageEditor');
  } finally {
    await context.close();
  }
});

test('validation sans JavaScript : variable inconnue et adresse invalide, saisie gardée (422)', async () => {
  const a = await freshAdmin('nojs');
  const cat = await apiCategory(a, 'Clients', 'vert');
  await apiContact(a, { phone_number: '0612000010', country_code: '+33', category_ids: [cat.id] });
  await apiCategory(a, 'Vide', 'gris');
  const { context, page } = await openPage(browser, { ...DESKTOP, baseURL: s.base, javaScriptEnabled: false });
  try {
    await login(page, s.base, a.email, a.password);
    await waitForPath(page, '/dashboard');
    await page.goto('/campaigns/new');
    // Sans JS : pas d'outils, le compteur annonce la limite, aperçu « Marie Dupont ».
    assert.equal(await page.locator('.editor-tools').count(), 0);
    assert.equal(await textOf(page.locator('#count-message_1')), '4096 caractères au maximum');
    assert.equal(await textOf(page.locator('.preview-who')), 'Marie Dupont');
    assert.equal(await textOf(page.locator('#preview-1-text')), 'Votre Message 1 apparaîtra ici.');
    assert.match(await summaryText(page), /^0 destinataire · durée estimée .+ \(25 messages par minute\)$/);

    // Sans catégorie, nom de modèle invalide : chaque erreur à côté de son champ.
    await page.fill('[name="name"]', 'Relance');
    await page.fill('[name="message_1"]', 'Bonjour !');
    await page.locator('details.template-box > summary').click();
    await page.fill('[name="template_name"]', 'Promo Rentrée');
    assert.equal(await submit(page, () => page.getByRole('button', { name: 'Envoyer' }).click()), 422);
    assert.equal(await textOf(page.locator('#err-category')), 'Choisissez au moins une catégorie.');
    assert.match(await page.locator('#campaign-category').getAttribute('aria-describedby'), /\berr-category\b/);
    assert.match(await textOf(page.locator('#err-template_name')), /^Nom de modèle invalide/);
    assert.equal(await page.locator('details.template-box').getAttribute('open'), '', 'modèle déplié sur erreur');
    assert.equal(await page.locator('[name="template_name"]').inputValue(), 'Promo Rentrée');
    assert.equal(await page.locator('#err-message_1').count(), 0);

    await page.fill('[name="template_name"]', '');
    await page.selectOption('[name="category"]', 'Clients');
    await page.fill('[name="message_1"]', 'Bonjour {{prenom}} !');
    await page.fill('[name="message_2"]', 'Merci');
    assert.equal(await submit(page, () => page.getByRole('button', { name: 'Envoyer' }).click()), 422);
    const err = page.locator('#err-message_1');
    assert.equal(await textOf(err),
      'Variable inconnue « {{prenom}} » : seules {{first_name}} et {{last_name}} sont permises.');
    const m1 = page.locator('textarea[name="message_1"]');
    assert.equal(await m1.getAttribute('aria-invalid'), 'true');
    assert.match(await m1.getAttribute('aria-describedby'), /\berr-message_1\b/);
    assert.equal(await m1.inputValue(), 'Bonjour {{prenom}} !');
    assert.equal(await page.locator('textarea[name="message_2"]').inputValue(), 'Merci');
    assert.equal(await page.locator('[name="name"]').inputValue(), 'Relance');
    assert.deepEqual(await page.locator('[name="category"] option:checked').allTextContents(), ['Clients']);
    assert.equal(await textOf(page.locator('#form-errors')),
      'Le formulaire contient des erreurs : corrigez les champs signalés puis validez à nouveau.');
    // L'erreur suit le champ Message 1 (et pas un autre).
    assert.equal(await err.evaluate((e) => e.closest('.field').querySelector('textarea').name), 'message_1');
    assert.match(await summaryText(page), /^1 destinataire · durée estimée/);
    // Le serveur rend l'aperçu (texte saisi, ou rendu avec le contact d'exemple).
    assert.match(await textOf(page.locator('#preview-1-text')), /^Bonjour \{\{prenom\}\} !$/);
    await shot(page, 'campaign-form-422-desktop');

    // Adresse invalide (port hors limites) : l'erreur nomme l'adresse.
    await m1.fill('Voir https://exemple.fr:99999/promo');
    assert.equal(await submit(page, () => page.getByRole('button', { name: 'Enregistrer le brouillon' }).click()), 422);
    assert.equal(await textOf(page.locator('#err-message_1')),
      'Adresse invalide : « https://exemple.fr:99999/promo ». Utilisez une adresse complète en http:// ou https://.');
    assert.equal(await page.locator('textarea[name="message_1"]').inputValue(), 'Voir https://exemple.fr:99999/promo');

    // « Envoyer » vers une catégorie sans contact joignable : refusé, nommée.
    await page.fill('textarea[name="message_1"]', 'Voir https://exemple.fr/promo');
    await page.selectOption('[name="category"]', 'Vide');
    assert.equal(await submit(page, () => page.getByRole('button', { name: 'Envoyer' }).click()), 422);
    assert.equal(await textOf(page.locator('#err-recipients')),
      'Aucun destinataire joignable : la catégorie « Vide » est vide ou ses contacts se sont désabonnés.');
    assert.match(await summaryText(page), /^0 destinataire · /);
    assert.equal(campaignsOf(a.id).length, 0, 'rien enregistré');
    clean(page, 'formulaire refusé (422)');
  } finally {
    await context.close();
  }
});

test('brouillon : enregistré, modifié, puis supprimé après confirmation ; liste vide', async () => {
  const a = await freshAdmin('draft');
  const cat = await apiCategory(a, 'Fidèles', 'violet');
  await apiContact(a, { phone_number: '0612000020', country_code: '+33', first_name: 'Zoé', category_ids: [cat.id] });
  const { context, page } = await session(a);
  try {
    await page.goto('/campaigns');
    assert.equal(await textOf(page.locator('.empty-state p')),
      'Aucune campagne pour l\'instant. Créez-en une pour écrire aux contacts de vos catégories.');
    await page.getByRole('link', { name: 'Nouvelle campagne' }).click();
    await waitForPath(page, '/campaigns/new');
    await page.fill('[name="name"]', 'Soldes d\'été');
    await page.selectOption('[name="category"]', 'Fidèles');
    await page.fill('[name="message_1"]', 'Bonjour {{first_name}}, -20 % cette semaine.');
    assert.equal(await submit(page, () => page.click('text=Enregistrer')), 303);
    const [c] = campaignsOf(a.id);
    assert.equal(c.status, 'draft');
    assert.equal(pathOf(page), `/campaigns/${c.id}`);
    assert.equal(await flashText(page), 'Brouillon enregistré.');
    assert.equal(await textOf(page.locator('#campaign-status')), 'Statut : Brouillon');
    assert.match(await page.locator('#campaign-status').getAttribute('class'), /\bstatus-draft\b/);
    assert.equal(await page.locator('meta[http-equiv="refresh"]').count(), 0);
    assert.equal(await page.locator('.campaign-stats').count(), 0, 'pas de chiffres pour un brouillon');
    assert.equal(await page.getByRole('link', { name: 'Exporter CSV' }).count(), 0);
    assert.equal(await textOf(page.locator('table.message-table .empty-row')),
      'Aucun envoi pour l\'instant : la campagne est encore un brouillon.');
    assert.equal(await page.getByRole('button', { name: 'Envoyer la campagne' }).count(), 1);
    clean(page, 'brouillon');

    // Modifier.
    await page.getByRole('link', { name: /^Modifier/ }).click();
    await waitForPath(page, `/campaigns/${c.id}/edit`);
    assert.equal(await textOf(page.locator('#form-heading')), 'Modifier le brouillon « Soldes d\'été »');
    assert.equal(await page.locator('[name="name"]').inputValue(), 'Soldes d\'été');
    assert.equal(await page.locator('[name="message_1"]').inputValue(), 'Bonjour {{first_name}}, -20 % cette semaine.');
    assert.deepEqual(await page.locator('[name="category"] option:checked').allTextContents(), ['Fidèles']);
    assert.equal(await textOf(page.locator('#preview-1-text')), 'Bonjour Zoé, -20 % cette semaine.');
    assert.equal(await page.locator('#campaign-form').getAttribute('action'), `/campaigns/${c.id}`);
    assert.deepEqual(await textOrder(page), { envoyer: [], firstSave: 'action=draft' });
    await page.fill('[name="message_1"]', 'Bonjour {{first_name}}, -30 % ce week-end.');
    await page.fill('[name="message_2"]', 'Code : ETE30');
    assert.equal(await submit(page, () => page.getByRole('button', { name: 'Enregistrer le brouillon' }).click()), 303);
    assert.equal(pathOf(page), `/campaigns/${c.id}`);
    const bubbles = (await page.locator('.campaign-messages .wa-text').allTextContents()).map(norm);
    assert.deepEqual(bubbles, ['Bonjour {{first_name}}, -30 % ce week-end.', 'Code : ETE30']);
    assert.equal(campaignsOf(a.id)[0].message_1, 'Bonjour {{first_name}}, -30 % ce week-end.');
    clean(page, 'modification');

    // « Envoyer la campagne » demande confirmation ; refusée, rien ne part.
    let asked = null;
    page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
    await page.getByRole('button', { name: 'Envoyer la campagne' }).click();
    assert.equal(asked, 'Lancer l\'envoi maintenant ? Les messages partent aussitôt aux contacts des catégories choisies.');
    assert.equal(pathOf(page), `/campaigns/${c.id}`);
    assert.equal(campaignsOf(a.id)[0].status, 'draft');

    // Supprimer : confirmation, « Annuler » ramène sans rien supprimer.
    await page.getByRole('link', { name: /^Supprimer/ }).click();
    await waitForPath(page, `/campaigns/${c.id}/delete`);
    assert.equal(await textOf(page.locator('#confirm-heading')), 'Supprimer la campagne « Soldes d\'été » ?');
    assert.match(await textOf(page.locator('.confirm-card p').first()), /^Ses messages et leurs résultats .* sont supprimés avec elle\./);
    assert.equal(await textOf(page.locator('.confirm-card p.muted')), 'Cette action est irréversible.');
    await shot(page, 'campaign-delete-desktop');
    await page.getByRole('link', { name: 'Annuler' }).click();
    await waitForPath(page, `/campaigns/${c.id}`);
    assert.equal(campaignsOf(a.id).length, 1);
    await page.getByRole('link', { name: /^Supprimer/ }).click();
    await waitForPath(page, `/campaigns/${c.id}/delete`);
    assert.equal(await submit(page, () => page.getByRole('button', { name: 'Supprimer définitivement' }).click()), 303);
    assert.equal(pathOf(page), '/campaigns');
    assert.equal(await flashText(page), 'Campagne supprimée.');
    assert.equal(campaignsOf(a.id).length, 0);
    assert.equal(await page.locator('table.campaign-table').count(), 0);
    assert.equal(await textOf(page.locator('.empty-state p')),
      'Aucune campagne pour l\'instant. Créez-en une pour écrire aux contacts de vos catégories.');
    assert.equal(await page.locator('.empty-state a').getAttribute('href'), '/campaigns/new');
    assert.equal(await textOf(page.locator('.page-head .count-badge')), '0');
    const r = await page.goto(`/campaigns/${c.id}`);
    assert.equal(r.status(), 404);
    clean(page, 'suppression');
  } finally {
    await context.close();
  }
});

test('arrêt d\'un envoi : confirmation, « Continuer l\'envoi », puis « Arrêter l\'envoi » ; filtre par statut', async () => {
  const a = await freshAdmin('cancel');
  const cat = await apiCategory(a, 'Voisins', 'rose');
  for (let i = 0; i < 3; i++)
    await apiContact(a, { phone_number: `061200003${i}`, country_code: '+33', first_name: `V${i}`, category_ids: [cat.id] });
  const { context, page } = await session(a);
  try {
    await page.goto('/campaigns/new');
    await page.fill('[name="name"]', 'Fête des voisins');
    await page.selectOption('[name="category"]', 'Voisins');
    await waitSummary(page, '3 destinataires');
    await page.fill('[name="message_1"]', 'Rendez-vous samedi !');
    assert.equal(await submit(page, () => page.click('text=Envoyer')), 303);
    const [c] = campaignsOf(a.id);
    assert.equal(c.status, 'sending');
    assert.equal(c.total_recipients, 3);
    assert.match(await flashText(page), /^Campagne envoyée : 3 destinataires, durée estimée .+\.$/);
    assert.equal(await page.getByRole('button', { name: 'Envoyer la campagne' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: /^Modifier/ }).count(), 0);

    await page.getByRole('link', { name: 'Annuler l\'envoi' }).click();
    await waitForPath(page, `/campaigns/${c.id}/cancel`);
    assert.equal(await textOf(page.locator('#confirm-heading')), 'Annuler l\'envoi de « Fête des voisins » ?');
    assert.equal(await textOf(page.locator('.confirm-card p').first()),
      'Les messages encore en attente (3) ne partiront pas. Les messages déjà partis restent envoyés, avec leurs résultats.');
    assert.equal(await page.locator('meta[http-equiv="refresh"]').count(), 0, 'pas de rechargement sur la confirmation');
    await shot(page, 'campaign-cancel-desktop');
    await page.getByRole('link', { name: 'Continuer l\'envoi' }).click();
    await waitForPath(page, `/campaigns/${c.id}`);
    assert.equal(campaignsOf(a.id)[0].status, 'sending');

    await page.getByRole('link', { name: 'Annuler l\'envoi' }).click();
    await waitForPath(page, `/campaigns/${c.id}/cancel`);
    assert.equal(await submit(page, () => page.getByRole('button', { name: 'Arrêter l\'envoi' }).click()), 303);
    assert.equal(pathOf(page), `/campaigns/${c.id}`);
    assert.equal(await flashText(page), 'Envoi annulé : 3 messages en attente arrêtés ; les messages déjà envoyés restent.');
    assert.match(await textOf(page.locator('#campaign-status')), /Annulée$/);
    assert.match(await page.locator('#campaign-status').getAttribute('class'), /\bstatus-cancelled\b/);
    assert.equal(await page.getByRole('link', { name: 'Annuler l\'envoi' }).count(), 0);
    assert.equal(await page.locator('meta[http-equiv="refresh"]').count(), 0);
    assert.deepEqual(messagesOf(c.id).map((m) => m.status), ['cancelled', 'cancelled', 'cancelled']);
    assert.equal(campaignsOf(a.id)[0].status, 'cancelled');
    const badges = (await page.locator('table.message-table tbody .status-badge').allTextContents()).map(norm);
    assert.equal(badges.length, 3);
    clean(page, 'arrêt');

    // Filtre par statut (formulaire GET).
    await page.goto('/campaigns');
    await page.selectOption('#filter-status', 'cancelled');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('status') === 'cancelled'),
      page.getByRole('button', { name: 'Filtrer' }).click()]);
    assert.deepEqual((await page.locator('.campaign-link').allTextContents()).map(norm), ['Fête des voisins']);
    assert.equal(await page.locator('#filter-status').inputValue(), 'cancelled');
    await page.selectOption('#filter-status', 'completed');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('status') === 'completed'),
      page.getByRole('button', { name: 'Filtrer' }).click()]);
    assert.equal(await textOf(page.locator('.empty-state p')), 'Aucune campagne avec ce statut.');
    await page.getByRole('link', { name: 'Voir toutes les campagnes' }).click();
    await waitForPath(page, '/campaigns');
    assert.equal(await page.locator('.campaign-link').count(), 1);
    clean(page, 'filtre');
  } finally {
    await context.close();
  }
});

test('nom et message hostiles affichés tels quels, aucun script exécuté', async () => {
  const a = await freshAdmin('xss');
  const cat = await apiCategory(a, '<b>Cat</b>', 'gris');
  await apiContact(a, { phone_number: '0612000040', country_code: '+33', first_name: '<i>Eve</i>', category_ids: [cat.id] });
  const { context, page } = await session(a);
  const name = '<img src=x onerror=window.__xss=1>';
  const msg = 'Salut {{first_name}} <script>window.__xss=2</script>';
  try {
    await page.goto('/campaigns/new');
    assert.equal(await textOf(page.locator('#preview-1-text')), 'Votre Message 1 apparaîtra ici.');
    assert.equal(await textOf(page.locator('.preview-who')), '<i>Eve</i>');
    await page.fill('[name="name"]', name);
    await page.selectOption('[name="category"]', '<b>Cat</b>');
    await page.fill('[name="message_1"]', msg);
    assert.equal(await textOf(page.locator('#preview-1-text')), 'Salut <i>Eve</i> <script>window.__xss=2</script>');
    assert.equal(await page.locator('#preview-1-text *').count(), 0, 'aperçu en texte seul');
    assert.equal(await submit(page, () => page.getByRole('button', { name: 'Enregistrer le brouillon' }).click()), 303);
    const [c] = campaignsOf(a.id);
    assert.equal(c.name, name);
    for (const path of [`/campaigns/${c.id}`, '/campaigns', `/campaigns/${c.id}/edit`, `/campaigns/${c.id}/delete`]) {
      if (pathOf(page) !== path) await page.goto(path);
      await page.waitForTimeout(100);
      assert.equal(await page.evaluate(() => window.__xss), undefined, `script exécuté sur ${path}`);
      assert.equal(await page.locator('main img, main script, main b, main i').count(), 0, `balise injectée sur ${path}`);
      clean(page, path);
    }
    await page.goto(`/campaigns/${c.id}`);
    assert.equal(await textOf(page.locator('#campaign-heading')), name);
    assert.equal(await textOf(page.locator('h1.page-title')), name);
    assert.equal(await textOf(page.locator('.campaign-messages .wa-text').first()), msg);
    assert.deepEqual((await page.locator('.chip-list .chip').allTextContents()).map(norm), ['<b>Cat</b>']);
    await page.goto('/campaigns');
    assert.equal(await textOf(page.locator('.campaign-link')), name);
    await page.goto(`/campaigns/${c.id}/delete`);
    assert.equal(await textOf(page.locator('#confirm-heading')), `Supprimer la campagne « ${name} » ?`);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    clean(page, 'pages hostiles');
  } finally {
    await context.close();
  }
});

test('résultats : échec expliqué en français, essais, bannière de pause, « Réessayer les échecs »', async () => {
  const a = await freshAdmin('results');
  const cat = await apiCategory(a, 'Clients', 'vert');
  const people = [['0612000060', 'Anne', 'Échec'], ['0612000061', 'Bruno', 'Attente'], ['0612000062', 'Chloé', 'Lu']];
  for (const [phone, first, last] of people)
    await apiContact(a, { phone_number: phone, country_code: '+33', first_name: first, last_name: last, category_ids: [cat.id] });
  const { context, page } = await session(a);
  try {
    await page.goto('/campaigns/new');
    await page.fill('[name="name"]', 'Résultats');
    await page.selectOption('[name="category"]', 'Clients');
    await page.fill('[name="message_1"]', 'Bonjour {{first_name}}');
    assert.equal(await submit(page, () => page.click('text=Envoyer')), 303);
    const [c] = campaignsOf(a.id);
    // Le cron n'est pas lancé : on écrit les résultats comme lui.
    const [{ created_at: at }] = s.sql(`SELECT created_at FROM messages WHERE campaign_id = ${c.id} LIMIT 1`);
    const why = 'Hors de la fenêtre de 24 heures : ce contact ne vous a pas écrit récemment (erreur 131047).';
    const reason = 'Envoi suspendu : WhatsApp refuse les envois (code 131031). Compte restreint.';
    s.sql(`UPDATE messages SET status = 'failed', error_code = 131047, error_message = ${q(why)},
      error_class = 'retryable', retry_count = 3, failed_at = ${q(at)}
      WHERE campaign_id = ${c.id} AND contact_id = (SELECT id FROM contacts WHERE full_number = '+33612000060')`);
    s.sql(`UPDATE messages SET retry_count = 1, next_attempt_at = ${q(at)}
      WHERE campaign_id = ${c.id} AND contact_id = (SELECT id FROM contacts WHERE full_number = '+33612000061')`);
    s.sql(`UPDATE messages SET status = 'read', sent_at = ${q(at)}, delivered_at = ${q(at)}, read_at = ${q(at)}
      WHERE campaign_id = ${c.id} AND contact_id = (SELECT id FROM contacts WHERE full_number = '+33612000062')`);
    s.sql(`UPDATE campaigns SET status_reason = ${q(reason)} WHERE id = ${c.id}`);

    await page.goto(`/campaigns/${c.id}`);
    const banner = page.locator('#paused-banner');
    assert.equal(await banner.getAttribute('role'), 'alert');
    assert.equal(await textOf(banner.locator('.paused-reason')), reason);
    assert.match(await textOf(banner), /« Réessayer les échecs » reprend l'envoi\.$/);
    assert.equal(await textOf(page.locator('[data-stat="sent"] .stats-value')), '2 / 3');
    assert.equal(await textOf(page.locator('[data-stat="success"] .stats-value')), '1');
    assert.equal(await textOf(page.locator('[data-stat="failed"] .stats-value')), '1');
    assert.equal(await textOf(page.locator('[data-stat="rate"] .stats-value')), '33,3 %');
    assert.equal(await textOf(page.locator('[data-stat="remaining"] .stats-value')), '1');
    assert.equal(await page.locator('.campaign-progress progress').getAttribute('value'), '66');

    const rowOf = (n) => page.locator('table.message-table tbody tr').filter({ has: page.locator('.tel', { hasText: n }) });
    const cell = async (n, label) => textOf(rowOf(n).locator(`td[data-label="${label}"]`));
    assert.equal(await cell('+33612000060', 'Contact'), 'Anne Échec');
    assert.equal(await cell('+33612000060', 'Statut'), 'Échec');
    assert.match(await rowOf('+33612000060').locator('.status-badge').getAttribute('class'), /\bstatus-failed\b/);
    assert.equal(await cell('+33612000060', 'Détail'), why);
    assert.equal(await cell('+33612000060', 'Essais'), '3 / 3');
    assert.equal(await cell('+33612000061', 'Statut'), 'En attente');
    assert.match(await cell('+33612000061', 'Détail'), /^Prochain essai : \S/);
    assert.equal(await cell('+33612000061', 'Essais'), '1 / 3');
    assert.equal(await cell('+33612000062', 'Statut'), 'Lu');
    for (const label of ['Envoyé', 'Distribué', 'Lu']) assert.match(await cell('+33612000062', label), /\d/);
    assert.equal(await cell('+33612000061', 'Envoyé'), '—Pas encore');
    await shot(page, 'campaign-results-desktop');
    clean(page, 'résultats');

    // Réessayer : l'échec repart en file, la pause est levée.
    assert.equal(await submit(page, () => page.getByRole('button', { name: 'Réessayer les échecs' }).click()), 303);
    assert.equal(await flashText(page), '1 message remis en file.');
    assert.equal(await page.locator('#paused-banner').count(), 0);
    assert.equal(await cell('+33612000060', 'Statut'), 'En attente');
    assert.equal(await page.getByRole('button', { name: 'Réessayer les échecs' }).count(), 0);
    assert.equal(s.sql(`SELECT status_reason FROM campaigns WHERE id = ${c.id}`)[0].status_reason, null);
    clean(page, 'reprise');
  } finally {
    await context.close();
  }
});

test('mobile 390 px : liste, formulaire, campagne et confirmations sans défilement horizontal', async () => {
  const a = await freshAdmin('mobile');
  const cat = await apiCategory(a, 'Adhérents de l\'association sportive', 'indigo');
  for (let i = 0; i < 2; i++)
    await apiContact(a, { phone_number: `061200005${i}`, country_code: '+33', first_name: `Prénom${i}`, last_name: 'Nom-très-long-composé', category_ids: [cat.id] });
  const { context, page } = await session(a, MOBILE);
  const check = async (path, name) => {
    const w = await widths(page);
    assert.equal(w.innerWidth, 390, `${path} : la fenêtre s'élargit : ${JSON.stringify(w)}`);
    assert.ok(w.scrollWidth <= w.innerWidth, `${path} déborde : ${JSON.stringify(w)}`);
    await shot(page, name);
  };
  try {
    await page.goto('/campaigns');
    await check('/campaigns (vide)', 'campaigns-empty-mobile');
    await page.goto('/campaigns/new');
    await page.fill('[name="name"]', 'Rentrée sportive');
    await page.selectOption('[name="category"]', 'Adhérents de l\'association sportive');
    await waitSummary(page, '2 destinataires');
    await page.fill('[name="message_1"]', 'Bonjour {{first_name}} {{last_name}} ! Inscriptions : https://exemple.fr/inscriptions-saison-2025-2026');
    await editor(page, 'message_1').getByRole('button', { name: 'Insérer un lien' }).click();
    await check('/campaigns/new', 'campaign-form-mobile');
    assert.equal(await submit(page, () => page.click('text=Envoyer')), 303);
    const [c] = campaignsOf(a.id);
    await check(`/campaigns/${c.id}`, 'campaign-mobile');
    await page.goto('/campaigns');
    await check('/campaigns', 'campaigns-mobile');
    await page.goto(`/campaigns/${c.id}/cancel`);
    await check(`/campaigns/${c.id}/cancel`, 'campaign-cancel-mobile');
    clean(page, 'pages mobiles');
  } finally {
    await context.close();
  }
});
