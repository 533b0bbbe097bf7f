// Navigateur : webhook WhatsApp et Message 2, de bout en bout, comme un
// utilisateur de « ./dev run ». Pile réelle (lighttpd, programmes FastCGI,
// vrai cbw-sender) et faux WhatsApp (t/sandbox) dans ce processus ; on
// répond, réagit, écrit STOP et donne les statuts « Distribué » / « Lu »
// depuis sa page « Téléphone simulé » (webhooks signés vers la pile), puis
// on regarde la page de la campagne (« Réponses reçues », Message 2
// « Envoyé », chiffre « Réponses », statut « Lu ») et la liste des
// contacts (badge « Désinscrit »). Chaque étape vérifie aussi la base ;
// aucune erreur de console ni violation CSP n'est tolérée.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login as apiLogin, createUser } from '../lib/stack.mjs';
import { launch, openPage, takeProblems, waitForPath, login, shot, stopStack, submit, DESKTOP, MOBILE, widths } from './browser.mjs';

let s, browser, su;
before(async () => {
  [s, browser] = await Promise.all([startStack({ sandbox: true, config: { SEND_RATE_PER_MINUTE: '600' } }), launch()]);
  su = (await apiLogin(s)).access_token;
});
after(async () => {
  await browser?.close();
  if (s) await stopStack(s);
});

// Aucune erreur relevée sur la page depuis la dernière vérification.
const clean = (page, where) => assert.deepEqual(takeProblems(page), [], `problèmes sur ${where}`);
// Texte d'un élément, espaces (dont insécables) ramenés à une espace.
const norm = (t) => String(t ?? '').replace(/\s+/g, ' ').trim();
// Texte normalisé d'un localisateur.
const textOf = async (loc) => norm(await loc.textContent());
// Littéral SQL d'une chaîne.
const q = (v) => `'${String(v).replace(/'/g, "''")}'`;

// Admin neuf créé par le super admin : { email, password, id, token }.
let seq = 0;
async function freshAdmin(tag) {
  const email = `${tag}-${++seq}@test.com`;
  const password = 'password123';
  await createUser(s, su, email, password, 'admin');
  const token = (await apiLogin(s, email, password)).access_token;
  return { email, password, id: s.sql(`SELECT id FROM users WHERE email = ${q(email)}`)[0].id, token };
}

// Appel de l'API avec le jeton de l'admin ; vérifie le statut attendu et
// rend le JSON.
async function api(a, method, path, json, status) {
  const r = await http(s, method, path, { token: a.token, json });
  assert.equal(r.status, status, `${method} ${path} : ${r.text}`);
  return r.json;
}

// Catégorie, un contact rangé dedans et une campagne lancée (avec ou sans
// Message 2) par l'API, puis un vrai passage de cbw-sender : le Message 1
// part au faux WhatsApp. Rend { contact, campaign, number (chiffres sans
// « + »), wamid du Message 1 }.
async function sentCampaign(a, { phone, first, last, name, message2 }) {
  const cat = await api(a, 'POST', '/api/categories', { name: `Catégorie ${name}` }, 201);
  const contact = await api(a, 'POST', '/api/contacts',
    { country_code: '+33', phone_number: phone, first_name: first, last_name: last, category_ids: [cat.id] }, 201);
  const campaign = await api(a, 'POST', '/api/campaigns', {
    name, category_ids: [cat.id], message_1: 'Bonjour {{first_name}}, nos soldes commencent demain !',
    ...(message2 ? { message_2: message2 } : {}), launch: true,
  }, 201);
  const run = await s.cron('cbw-sender', ['--run-ms', '1500']);
  assert.equal(run.code, 0, run.stderr);
  const [m1] = s.sql(`SELECT status, whatsapp_message_id AS wamid FROM messages WHERE campaign_id = ${campaign.id} AND message_type = 'message_1'`);
  assert.equal(m1.status, 'sent', 'Message 1 envoyé par cbw-sender');
  assert.ok(m1.wamid);
  return { contact, campaign, number: contact.full_number.slice(1), wamid: m1.wamid };
}

// Ouvre une session navigateur de l'admin sur la pile (connexion par le
// formulaire). Rend { context, page }.
async function session(a, opts = DESKTOP) {
  const { context, page } = await openPage(browser, opts);
  await login(page, s.base, a.email, a.password);
  await waitForPath(page, '/dashboard');
  clean(page, `connexion de ${a.email}`);
  return { context, page };
}

// Ouvre le téléphone simulé dans `page` ; rend la section du numéro.
async function phone(page, number) {
  await page.goto(s.sandbox.url + '/__sandbox/');
  const sec = page.locator(`section[data-number="${number}"]`);
  await sec.waitFor();
  return sec;
}

// Texte du bandeau de résultat du téléphone simulé.
const notice = async (page) => textOf(page.locator('.notice'));

// Ligne du tableau « Envois par contact » pour un type de message.
const rowOf = (page, label) => page.locator('table.message-table tbody tr')
  .filter({ has: page.locator('td[data-label="Message"]', { hasText: label }) });

test('répondre depuis le téléphone simulé : réponse et Message 2 « Envoyé » sur la page de la campagne ; STOP → « Désinscrit »', async () => {
  const a = await freshAdmin('hook');
  const { contact, campaign, number, wamid } = await sentCampaign(a, {
    phone: '0612345678', first: 'Alice', last: 'Martin', name: 'Soldes de printemps',
    message2: 'Merci {{first_name}} ! Votre code : PRINTEMPS',
  });
  const { context, page } = await session(a);
  try {
    // Avant toute réponse : l'état vide dit que le Message 2 partira tout seul.
    await page.goto(`${s.base}/campaigns/${campaign.id}`);
    assert.equal(await textOf(page.locator('#replies-heading')), 'Réponses reçues');
    assert.equal(await textOf(page.locator('#replies-empty')),
      'Aucune réponse pour l\'instant. Chaque contact qui répond reçoit automatiquement le Message 2.');
    assert.equal(await textOf(page.locator('[data-stat="replies"] .stats-value')), '0');
    clean(page, 'campagne sans réponse');

    // Le téléphone simulé : le Message 1 est arrivé ; on répond en le citant (choix par défaut).
    let sec = await phone(page, number);
    assert.equal(await textOf(sec.locator('h2')), `+${number}`);
    assert.equal(await textOf(sec.locator('li.out .body')), 'Bonjour Alice, nos soldes commencent demain !');
    assert.equal(await sec.locator('select[name="context_id"]').inputValue(), wamid);
    assert.equal(await sec.locator('input[name="text"]').inputValue(), '');
    await sec.locator('input[name="text"]').fill('Oui, ça m\'intéresse ! <b>vraiment</b>');
    assert.equal(await submit(page, () => sec.getByRole('button', { name: 'Répondre en tant que ce contact' }).click()), 303);
    assert.match(await notice(page), /^Webhook « réponse » envoyé : HTTP 200/);
    await shot(page, 'sandbox-phone-reply');
    clean(page, 'téléphone simulé (réponse)');

    // Base : la réponse rattachée au Message 1, le Message 2 en file avec les variables remplies.
    const [inter] = s.sql(`SELECT interaction_type, content, campaign_id, contact_id FROM interactions WHERE contact_id = ${contact.id}`);
    assert.deepEqual(inter, { interaction_type: 'reply', content: 'Oui, ça m\'intéresse ! <b>vraiment</b>', campaign_id: campaign.id, contact_id: contact.id });
    assert.deepEqual(s.sql(`SELECT status, content FROM messages WHERE campaign_id = ${campaign.id} AND message_type = 'message_2'`),
      [{ status: 'pending', content: 'Merci Alice ! Votre code : PRINTEMPS' }]);

    // Le vrai cbw-sender envoie le Message 2 ; le téléphone le reçoit.
    const run = await s.cron('cbw-sender', ['--run-ms', '1500']);
    assert.equal(run.code, 0, run.stderr);
    const got = s.sandbox.messages().filter((m) => m.to === number);
    assert.deepEqual(got.map((m) => m.body.text.body), ['Bonjour Alice, nos soldes commencent demain !', 'Merci Alice ! Votre code : PRINTEMPS']);
    sec = await phone(page, number);
    assert.equal(await textOf(sec.locator('li.out .body').first()), 'Merci Alice ! Votre code : PRINTEMPS');
    assert.equal(await textOf(sec.locator('li.in .body')), 'Oui, ça m\'intéresse ! <b>vraiment</b>');

    // La page de la campagne : la réponse (texte échappé), le Message 2 envoyé, « Réponses » à 1.
    await page.goto(`${s.base}/campaigns/${campaign.id}`);
    const items = page.locator('#reply-list .reply-item');
    assert.equal(await items.count(), 1);
    assert.equal(await textOf(items.locator('.reply-who')), 'Alice Martin');
    assert.equal(await items.locator('.reply-who').getAttribute('href'), `/contacts/${contact.id}`);
    assert.equal(await textOf(items.locator('.reply-number')), '+33612345678');
    assert.equal(await textOf(items.locator('.reply-type')), 'Réponse');
    assert.equal(await textOf(items.locator('.reply-content')), 'Oui, ça m\'intéresse ! <b>vraiment</b>');
    assert.equal(await items.locator('.reply-content b').count(), 0, 'contenu échappé, pas de balise');
    assert.match(await textOf(items.locator('.reply-date')), /^Reçue le \d/);
    assert.equal(await page.locator('#replies-empty').count(), 0);
    assert.equal(await textOf(page.locator('[data-stat="replies"] .stats-value')), '1');
    assert.match(await textOf(page.locator('[data-stat="replies"] .stats-sub')), /^Message 2 envoyé : 1 · en attente : 0$/);
    const m2 = rowOf(page, 'Message 2');
    assert.equal(await m2.count(), 1);
    assert.equal(await textOf(m2.locator('.status-badge')), 'Envoyé');
    assert.equal(await textOf(rowOf(page, 'Message 1').locator('.status-badge')), 'Envoyé');
    await shot(page, 'campaign-replies-desktop');
    clean(page, 'campagne avec réponse');

    // STOP depuis le téléphone : le contact est désinscrit, la liste le montre.
    sec = await phone(page, number);
    assert.equal(await submit(page, () => sec.getByRole('button', { name: 'STOP', exact: true }).click()), 303);
    assert.match(await notice(page), /^Webhook « STOP » envoyé : HTTP 200/);
    clean(page, 'téléphone simulé (STOP)');
    assert.ok(s.sql(`SELECT opted_out_at FROM contacts WHERE id = ${contact.id}`)[0].opted_out_at, 'opted_out_at posé');
    await page.goto(`${s.base}/contacts`);
    const crow = page.locator('table.contact-table tbody tr').filter({ has: page.locator('.tel', { hasText: '+33612345678' }) });
    assert.equal(await crow.count(), 1);
    assert.equal(await textOf(crow.locator('td[data-label="Statut"] .badge')), 'Désinscrit');
    await shot(page, 'contacts-opted-out');
    clean(page, '/contacts après STOP');
    // STOP n'est pas une réponse : toujours une seule, toujours un seul Message 2.
    assert.equal(s.sql(`SELECT count(*) AS n FROM interactions WHERE contact_id = ${contact.id} AND interaction_type IN ('reply', 'reaction')`)[0].n, 1);
    assert.equal(s.sql(`SELECT count(*) AS n FROM messages WHERE contact_id = ${contact.id} AND message_type = 'message_2'`)[0].n, 1);
  } finally {
    await context.close();
  }
});

test('statuts depuis le téléphone simulé : « Distribué » puis « Lu » du Message 1 → la campagne montre « Lu »', async () => {
  const a = await freshAdmin('statut');
  const { campaign, number, wamid } = await sentCampaign(a, { phone: '0698765432', first: 'Bruno', name: 'Sans suite' });
  const { context, page } = await session(a);
  try {
    let sec = await phone(page, number);
    const msg = () => sec.locator('li.out').filter({ hasText: wamid });
    assert.equal(await submit(page, () => msg().getByRole('button', { name: 'Distribué' }).click()), 303);
    assert.match(await notice(page), /^Webhook « statut delivered » envoyé : HTTP 200/);
    sec = await phone(page, number);
    assert.equal(s.sql(`SELECT status FROM messages WHERE whatsapp_message_id = ${q(wamid)}`)[0].status, 'delivered');
    assert.equal(await submit(page, () => msg().getByRole('button', { name: 'Lu' }).click()), 303);
    assert.match(await notice(page), /^Webhook « statut read » envoyé : HTTP 200/);
    // « Lu » une seconde fois (redélivrance) : sans effet.
    sec = await phone(page, number);
    assert.equal(await submit(page, () => msg().getByRole('button', { name: 'Lu' }).click()), 303);
    clean(page, 'téléphone simulé (statuts)');
    const [m] = s.sql(`SELECT status, delivered_at, read_at FROM messages WHERE whatsapp_message_id = ${q(wamid)}`);
    assert.equal(m.status, 'read');
    assert.ok(m.delivered_at && m.read_at);
    assert.deepEqual(s.sql(`SELECT interaction_type AS t, count(*) AS n FROM interactions WHERE whatsapp_message_id = ${q(wamid)} GROUP BY t ORDER BY t`),
      [{ t: 'delivered', n: 1 }, { t: 'read', n: 1 }]);

    await page.goto(`${s.base}/campaigns/${campaign.id}`);
    const row = rowOf(page, 'Message 1');
    assert.equal(await textOf(row.locator('.status-badge')), 'Lu');
    assert.match(await row.locator('.status-badge').getAttribute('class'), /\bstatus-read\b/);
    assert.match(await textOf(row.locator('td[data-label="Distribué"]')), /\d/);
    assert.match(await textOf(row.locator('td[data-label="Lu"]')), /\d/);
    // Statuts ≠ réponses : pas de réponse, et l'état vide d'une campagne sans Message 2.
    assert.equal(await textOf(page.locator('[data-stat="replies"] .stats-value')), '0');
    assert.equal(await textOf(page.locator('#replies-empty')),
      'Aucune réponse pour l\'instant. Cette campagne n\'a pas de Message 2 : les réponses s\'afficheront ici sans envoi automatique.');
    assert.equal(s.sql(`SELECT count(*) AS n FROM messages WHERE campaign_id = ${campaign.id} AND message_type = 'message_2'`)[0].n, 0);
    await shot(page, 'campaign-read-desktop');
    clean(page, 'campagne lue');
  } finally {
    await context.close();
  }
});

test('réaction 👍 depuis le téléphone simulé : badge « Réaction » sur la page (mobile 390 px), Message 2 en file', async () => {
  const a = await freshAdmin('reaction');
  const { contact, campaign, number, wamid } = await sentCampaign(a, {
    phone: '0655443322', first: 'Chloé', name: 'Réactions', message2: 'Merci pour votre réaction, {{first_name}} !',
  });
  const { context, page } = await session(a, MOBILE);
  try {
    const sec = await phone(page, number);
    assert.equal(await sec.locator('form.react input[name="message_id"]').inputValue(), wamid);
    assert.equal(await submit(page, () => sec.getByRole('button', { name: 'Réagir 👍' }).click()), 303);
    assert.match(await notice(page), /^Webhook « réaction 👍 » envoyé : HTTP 200/);
    clean(page, 'téléphone simulé (réaction)');
    assert.deepEqual(s.sql(`SELECT interaction_type, content FROM interactions WHERE contact_id = ${contact.id}`),
      [{ interaction_type: 'reaction', content: '👍' }]);
    assert.deepEqual(s.sql(`SELECT status, content FROM messages WHERE contact_id = ${contact.id} AND message_type = 'message_2'`),
      [{ status: 'pending', content: 'Merci pour votre réaction, Chloé !' }]);

    await page.goto(`${s.base}/campaigns/${campaign.id}`);
    const item = page.locator('#reply-list .reply-item');
    assert.equal(await item.count(), 1);
    assert.equal(await textOf(item.locator('.reply-who')), 'Chloé');
    assert.equal(await textOf(item.locator('.reply-type')), 'Réaction');
    assert.equal(await textOf(item.locator('.reply-content')), '👍');
    assert.equal(await textOf(page.locator('[data-stat="replies"] .stats-value')), '1');
    assert.equal(await textOf(rowOf(page, 'Message 2').locator('.status-badge')), 'En attente');
    const w = await widths(page);
    assert.ok(w.scrollWidth <= w.innerWidth, `défilement horizontal : ${w.scrollWidth} > ${w.innerWidth}`);
    await page.locator('#replies-heading').scrollIntoViewIfNeeded();
    await shot(page, 'campaign-replies-mobile');
    clean(page, 'campagne (mobile)');
  } finally {
    await context.close();
  }
});

test('statuts automatiques dans le désordre et en double (status_chaos à graine) : tout finit « Lu » une seule fois', async () => {
  const a = await freshAdmin('chaos');
  const cat = await api(a, 'POST', '/api/categories', { name: 'Désordre' }, 201);
  const people = ['Dora', 'Éric', 'Fanny', 'Gaël', 'Hugo', 'Inès'];
  for (const [i, first] of people.entries()) {
    await api(a, 'POST', '/api/contacts', { country_code: '+33', phone_number: `0677000${100 + i}`, first_name: first, category_ids: [cat.id] }, 201);
  }
  const campaign = await api(a, 'POST', '/api/campaigns', { name: 'Désordre', category_ids: [cat.id], message_1: 'Bonjour {{first_name}}', launch: true }, 201);
  s.sandbox.config({ auto_status: true, status_delays: 'sent:100,delivered:250,read:400', status_chaos: { duplicate: 0.5, shuffle: true, seed: 2024 } });
  const { context, page } = await session(a);
  try {
    const run = await s.cron('cbw-sender', ['--run-ms', '1500']);
    assert.equal(run.code, 0, run.stderr);
    // Attend que tous les statuts (doublons compris, ≤ 400 + 150 ms après chaque envoi) soient passés.
    const done = () => s.sql(`SELECT count(*) AS n FROM messages WHERE campaign_id = ${campaign.id} AND status = 'read'`)[0].n === people.length;
    for (let i = 0; i < 50 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    const rows = s.sql(`SELECT m.status, m.delivered_at, m.read_at,
      (SELECT count(*) FROM interactions i WHERE i.message_id = m.id AND i.interaction_type = 'delivered') AS d,
      (SELECT count(*) FROM interactions i WHERE i.message_id = m.id AND i.interaction_type = 'read') AS r
      FROM messages m WHERE m.campaign_id = ${campaign.id}`);
    assert.equal(rows.length, people.length);
    for (const m of rows) {
      assert.equal(m.status, 'read', JSON.stringify(m));
      assert.ok(m.delivered_at && m.read_at && m.delivered_at <= m.read_at, JSON.stringify(m));
      assert.deepEqual([m.d, m.r], [1, 1], 'une interaction de chaque sorte');
    }
    await page.goto(`${s.base}/campaigns/${campaign.id}`);
    const badges = (await page.locator('table.message-table tbody .status-badge').allTextContents()).map(norm);
    assert.deepEqual(badges, Array(people.length).fill('Lu'));
    assert.equal(await textOf(page.locator('[data-stat="replies"] .stats-value')), '0');
    clean(page, 'campagne après statuts en désordre');
  } finally {
    s.sandbox.config({ auto_status: false, status_chaos: null, status_delays: 'sent:100,delivered:300' });
    await context.close();
  }
});
