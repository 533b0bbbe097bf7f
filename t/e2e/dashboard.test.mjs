// Navigateur : tableau de bord (/dashboard), statistiques (/statistics,
// /statistics/export) et détail d'un message (/messages/{id}), de bout en
// bout. Pile réelle (lighttpd, programmes FastCGI, vrai cbw-sender) et faux
// WhatsApp (t/sandbox) dans ce processus : les statuts « Distribué » / « Lu »
// et les réponses des contacts passent par ses points de contrôle
// (POST /__sandbox/webhook, webhooks signés vers la pile).
//
//  1. parcours du seed (connexion, catégorie, contact, campagne avec
//     Message 2 lancée par l'interface), envoi, statuts, réponse, Message 2 :
//     les cartes (StatsCard) valent GET /api/messages/stats du même admin,
//     taux écrit à la française ; les deux graphiques sont des <svg> en ligne
//     bien formés (role="img", <title>) ; « Derniers messages » = les 10
//     derniers de la base, statuts en français ; « Campagnes en cours » avec
//     barre de progression et « fin estimée » ; « Voir » ouvre la
//     chronologie du message ;
//  2. /statistics : filtres de dates et de campagne par le formulaire,
//     tableau par campagne = recomptage en base, liste des messages, export
//     CSV téléchargé (en-tête français, une ligne par message) ; nom de
//     campagne hostile jamais exécuté, affiché tel quel ;
//  3. états vides (contacts sans campagne ; aucun contact : « Bienvenue ! ») ;
//  4. mobile 390 × 844 : ni défilement horizontal, graphiques visibles.
// Aucune erreur de console ni violation CSP n'est tolérée (page.problems).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startStack, http, login as apiLogin, createUser } from '../lib/stack.mjs';
import {
  launch, openPage, takeProblems, waitForPath, pathOf, login, flashText, widths, shot,
  stopStack, DESKTOP, MOBILE,
} from './browser.mjs';

// Débit d'envoi de la pile : 600 par minute (un envoi toutes les 100 ms),
// pour qu'un passage de cbw-sender de 1,5 s envoie toute une campagne.
const RATE = 600;

let s, browser, su;
before(async () => {
  [s, browser] = await Promise.all([
    startStack({ sandbox: true, config: { SEND_RATE_PER_MINUTE: String(RATE) } }), launch()]);
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
const textOf = async (loc) => norm(await loc.textContent());
// Littéral SQL d'une chaîne.
const q = (v) => `'${String(v).replace(/'/g, "''")}'`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Libellés français des statuts de message (lib/message.c).
const STATUS_FR = {
  pending: 'En attente', sending: 'En cours d\'envoi', sent: 'Envoyé', delivered: 'Distribué',
  read: 'Lu', failed: 'Échec', cancelled: 'Annulé',
};
const CSV_HEAD = ['Identifiant', 'Campagne', 'Prénom', 'Nom', 'Numéro', 'Message', 'Statut',
  'Envoyé le', 'Distribué le', 'Lu le', 'Échec le', 'Erreur'];
const HOSTILE = '<script>alert(1)</script> & "été"';

// Taux de l'API (nombre, au dixième) écrit comme la page : « 66,7 % ».
const rateFr = (x) => `${Number(x).toFixed(1).replace('.', ',')} %`;
// « 2026-12-05 » → « 05/12/2026 ».
const dayFr = (d) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
const addDays = (d, n) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
// Durée restante comme cbw_campaign_eta_text (lib/campaign.c).
function etaFr(pending) {
  const sec = Math.ceil((pending * 60) / RATE);
  const min = Math.ceil(sec / 60);
  if (sec < 60) return 'moins d\'une minute';
  if (min < 60) return `environ ${min} min`;
  return `environ ${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')}`;
}

// Admin neuf créé par le super admin : { email, password, id, token }.
let seq = 0;
async function freshAdmin(tag) {
  const email = `${tag}-${++seq}@test.com`;
  const password = 'password123';
  await createUser(s, su, email, password, 'admin');
  const token = (await apiLogin(s, email, password)).access_token;
  return { email, password, id: s.sql(`SELECT id FROM users WHERE email = ${q(email)}`)[0].id, token };
}

// Appel de l'API avec le jeton de l'admin ; vérifie le statut, rend le JSON.
async function api(a, method, path, json, status = 200) {
  const r = await http(s, method, path, { token: a.token, json });
  assert.equal(r.status, status, `${method} ${path} : ${r.text}`);
  return r.json;
}
const apiStats = (a, query = '') => api(a, 'GET', `/api/messages/stats${query}`);

// Webhook construit, signé et envoyé à la pile par le point de contrôle du
// faux WhatsApp ; vérifie que la pile a répondu 200.
async function hook(req) {
  const r = await fetch(`${s.sandbox.url}/__sandbox/webhook`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(req),
  });
  const body = await r.json();
  assert.equal(r.status, 200, `webhook ${JSON.stringify(req)} : ${JSON.stringify(body)}`);
  assert.equal(body.status, 200, `la pile refuse le webhook ${JSON.stringify(req)} : ${body.body}`);
}

// Un passage du vrai cbw-sender.
async function sender(args = ['--run-ms', '1500']) {
  const run = await s.cron('cbw-sender', args);
  assert.equal(run.code, 0, run.stderr);
}

// Message (1 ou 2) d'un contact dans une campagne.
const msgOf = (campaignId, number, type = 'message_1') => s.sql(`SELECT m.id, m.status,
  m.whatsapp_message_id AS wamid FROM messages m JOIN contacts c ON c.id = m.contact_id
  WHERE m.campaign_id = ${campaignId} AND c.full_number = ${q(number)} AND m.message_type = '${type}'`)[0];

// Nom affiché d'un contact : « Prénom Nom », sinon le numéro.
const contactName = (r) => norm(`${r.first_name ?? ''} ${r.last_name ?? ''}`) || r.full_number;

// Les `limit` derniers messages de l'admin, comme la page doit les
// montrer : id décroissant (tableau de bord), ou, avec un filtre de dates
// (/statistics), date d'envoi (sinon de mise en file) décroissante.
const BY_DATE = 'coalesce(m.sent_at, m.created_at) DESC, m.id DESC';
function lastMessages(uid, limit, where = '', order = 'm.id DESC') {
  return s.sql(`SELECT m.id, m.status, m.message_type, k.name AS campaign, c.first_name, c.last_name, c.full_number
    FROM messages m JOIN campaigns k ON k.id = m.campaign_id JOIN contacts c ON c.id = m.contact_id
    WHERE k.created_by = ${uid} ${where} ORDER BY ${order} LIMIT ${limit}`).map((r) => ({
    id: r.id, contact: contactName(r), tel: r.full_number, campaign: r.campaign,
    type: r.message_type === 'message_2' ? 'Message 2' : 'Message 1',
    status: STATUS_FR[r.status], cls: `status-${r.status}`,
  }));
}

// Lignes d'un tableau de messages (_message_rows) dans la section `section`.
function shownMessages(page, section) {
  return page.locator(`section[aria-labelledby="${section}"] table.message-table tbody tr`).evaluateAll((trs) => trs.map((tr) => {
    const t = (el) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
    const c = tr.querySelector('td[data-label="Contact"]');
    const badge = tr.querySelector('td[data-label="Statut"] .status-badge');
    const link = tr.querySelector('td[data-label="Détail"] a');
    return {
      id: Number(/^\/messages\/(\d+)/.exec(link.getAttribute('href'))?.[1]),
      contact: t(c.firstChild), tel: t(c.querySelector('.tel')), campaign: t(tr.querySelector('td[data-label="Campagne"]')),
      type: t(tr.querySelector('td[data-label="Message"]')), status: t(badge),
      cls: [...badge.classList].find((k) => k.startsWith('status-') && k !== 'status-badge'),
      href: link.getAttribute('href'), date: t(tr.querySelector('td[data-label="Date"]')),
    };
  }));
}

// Valeurs des cartes (StatsCard) de la page.
async function cards(page) {
  const out = {};
  for (const k of ['total_recipients', 'success_count', 'failed_count', 'success_rate', 'replies'])
    out[k] = await textOf(page.locator(`[data-value="${k}"]`));
  return out;
}
// Les cartes valent les chiffres de l'API (taux à la française).
async function assertCards(page, st, where) {
  assert.deepEqual(await cards(page), {
    total_recipients: String(st.total_recipients), success_count: String(st.success_count),
    failed_count: String(st.failed_count), success_rate: rateFr(st.success_rate), replies: String(st.replies),
  }, `cartes de ${where} ≠ /api/messages/stats`);
}

// Les tableaux équivalents aux graphiques valent l'API : sommes de la série
// par jour, répartition des statuts.
async function assertChartTables(page, st, where) {
  const series = await page.locator('table[data-table="series"] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent))));
  assert.equal(series.length, st.series.length, `${where} : un jour par ligne`);
  const sum = (i) => series.reduce((n, r) => n + r[i], 0);
  const apiSum = (k) => st.series.reduce((n, d) => n + d[k], 0);
  assert.deepEqual([0, 1, 2, 3, 4].map(sum), ['sent', 'delivered', 'read', 'failed', 'replies'].map(apiSum),
    `${where} : tableau des courbes ≠ série de l'API`);
  const split = Object.fromEntries(await page.locator('table[data-table="split"] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [tr.dataset.status, Number(tr.querySelector('td').textContent)])));
  const t = st.totals;
  assert.deepEqual(split, {
    read: t.read, delivered: t.delivered, sent: t.sent, failed: t.failed,
    pending: t.pending + t.sending, cancelled: t.cancelled,
  }, `${where} : répartition des statuts ≠ totals de l'API`);
}

// Graphiques : <svg> en ligne, role="img", <title> et <desc> désignés par
// aria-labelledby, bien formés en XML. `html` : source brute de la page (le
// SVG tel que le serveur l'écrit). Rend le nombre de graphiques.
async function assertCharts(page, html, expected, where) {
  const charts = await page.locator('figure.chart-figure > svg').evaluateAll((svgs) => svgs.map((svg) => {
    const ids = (svg.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
    // La sérialisation HTML (outerHTML) écrit U+00A0 « &nbsp; », entité
    // inconnue de XML : remise en référence numérique avant l'analyse.
    const x = svg.outerHTML.replace(/&nbsp;/g, '&#160;');
    const doc = new DOMParser().parseFromString(x, 'image/svg+xml');
    return {
      role: svg.getAttribute('role'), ns: svg.namespaceURI,
      title: svg.querySelector(':scope > title')?.textContent ?? null,
      labelled: ids.length === 2 && ids.every((id) => document.getElementById(id) && svg.contains(document.getElementById(id))),
      parseError: doc.getElementsByTagName('parsererror')[0]?.textContent ?? null,
      root: doc.documentElement.localName,
    };
  }));
  assert.equal(charts.length, expected.length, `${where} : graphiques`);
  charts.forEach((c, i) => {
    assert.equal(c.parseError, null, `${where} : SVG ${i} mal formé (outerHTML)`);
    assert.equal(c.root, 'svg');
    assert.equal(c.ns, 'http://www.w3.org/2000/svg');
    assert.equal(c.role, 'img');
    assert.equal(c.title, expected[i], `${where} : <title> du graphique ${i}`);
    assert.ok(c.labelled, `${where} : aria-labelledby du graphique ${i}`);
  });
  // Source brute : chaque graphique du serveur est du XML bien formé.
  const raw = html.match(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*?<\/svg>/g) || [];
  assert.equal(raw.length, expected.length, `${where} : SVG dans la source`);
  const errors = await page.evaluate((list) => list.map((x) => {
    const doc = new DOMParser().parseFromString(x, 'image/svg+xml');
    return doc.getElementsByTagName('parsererror')[0]?.textContent ?? null;
  }), raw);
  assert.deepEqual(errors, raw.map(() => null), `${where} : SVG de la source mal formé`);
}

// Ouvre `path` ; rend la source HTML reçue (status 200 vérifié).
async function visit(page, path, status = 200) {
  const r = await page.goto(path);
  assert.equal(r.status(), status, `GET ${path}`);
  return r.text();
}

// Session navigateur de l'admin (connexion par le formulaire).
async function session(a, opts = DESKTOP) {
  const { context, page } = await openPage(browser, { ...opts, baseURL: s.base });
  await login(page, s.base, a.email, a.password);
  await waitForPath(page, '/dashboard');
  clean(page, `connexion de ${a.email}`);
  return { context, page };
}

// Lecture d'un CSV (« ; », guillemets doublés, fins de ligne CRLF).
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch !== '"') cell += ch;
      else if (text[i + 1] === '"') { cell += '"'; i++; } else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === ';') { row.push(cell); cell = ''; } else if (ch === '\r' && text[i + 1] === '\n') continue;
    else if (ch === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; } else cell += ch;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

test('tableau de bord après le parcours du seed : cartes = API, graphiques SVG, derniers messages, campagne en cours, chronologie', async () => {
  const a = await freshAdmin('dash');
  const { context, page } = await openPage(browser, { ...DESKTOP, baseURL: s.base });
  try {
    // Connexion par le formulaire.
    await page.goto('/login');
    await page.fill('[name="email"]', a.email);
    await page.fill('[name="password"]', a.password);
    await page.click('button[type="submit"]');
    await waitForPath(page, '/dashboard');

    // Catégorie, puis un contact rangé dedans, par l'interface.
    await page.goto('/categories');
    await page.click('text=Nouvelle catégorie');
    await page.fill('[name="name"]', 'Clients fidèles');
    await page.click('text=Enregistrer');
    await page.waitForURL((u) => /^\/categories\/\d+$/.test(u.pathname));
    await page.waitForLoadState();
    const catId = Number(pathOf(page).split('/').pop());
    await page.goto('/contacts');
    await page.click('text=Nouveau contact');
    await page.selectOption('[name="country_code"]', '+33');
    await page.fill('[name="phone"]', '612340011');
    await page.fill('[name="first_name"]', 'Alice');
    await page.fill('[name="last_name"]', 'Martin');
    await page.check(`#category-choice-${catId}`);
    await page.click('text=Enregistrer');
    await waitForPath(page, '/contacts');
    await page.waitForLoadState();
    assert.equal(await flashText(page), 'Contact +33612340011 enregistré.');
    // Deux autres par l'API ; le numéro en …0001 est refusé par le faux
    // WhatsApp (131026, échec définitif).
    await api(a, 'POST', '/api/contacts', { country_code: '+33', phone_number: '0612340012', first_name: 'Bruno', category_ids: [catId] }, 201);
    await api(a, 'POST', '/api/contacts', { country_code: '+33', phone_number: '0612340001', first_name: 'Claire', last_name: 'Échec', category_ids: [catId] }, 201);
    clean(page, 'catégorie et contacts');

    // Campagne avec Message 2, envoyée par l'interface.
    await page.goto('/campaigns/new');
    await page.fill('[name="name"]', 'Soldes d\'hiver');
    await page.selectOption('[name="category"]', 'Clients fidèles');
    await page.locator('#send-summary', { hasText: '3 destinataires' }).waitFor();
    await page.fill('[name="message_1"]', 'Bonjour {{first_name}}, les soldes commencent !');
    await page.fill('[name="message_2"]', 'Merci {{first_name}} ! Code : HIVER');
    await page.click('text=Envoyer');
    await page.locator('text=Campagne envoyée').waitFor({ state: 'visible' });
    const c1 = Number(pathOf(page).split('/').pop());
    clean(page, 'campagne envoyée');

    // Le vrai cbw-sender envoie au faux WhatsApp.
    await sender();
    const alice = msgOf(c1, '+33612340011'), bruno = msgOf(c1, '+33612340012'), claire = msgOf(c1, '+33612340001');
    assert.deepEqual([alice.status, bruno.status, claire.status], ['sent', 'sent', 'failed']);

    // Statuts et réponse par les points de contrôle du faux WhatsApp.
    await hook({ kind: 'status', wamid: alice.wamid, status: 'delivered' });
    await hook({ kind: 'status', wamid: bruno.wamid, status: 'delivered' });
    await hook({ kind: 'status', wamid: bruno.wamid, status: 'read' });
    await hook({ kind: 'reply', from: '33612340011', text: 'Oui, ça m\'intéresse !', context_id: alice.wamid, name: 'Alice' });
    assert.equal(msgOf(c1, '+33612340011', 'message_2')?.status, 'pending', 'Message 2 en file après la réponse');
    await sender();
    assert.equal(msgOf(c1, '+33612340011', 'message_2').status, 'sent');
    assert.deepEqual(s.sandbox.messages().filter((m) => m.to === '33612340011' && m.accepted !== false).map((m) => m.body.text.body),
      ['Bonjour Alice, les soldes commencent !', 'Merci Alice ! Code : HIVER']);

    // Le tableau de bord : cartes = API du même admin.
    let html = await visit(page, '/dashboard');
    let st = await apiStats(a);
    assert.deepEqual([st.total_recipients, st.success_count, st.failed_count, st.success_rate, st.replies], [3, 2, 1, 66.7, 1],
      'chiffres de l\'API après le parcours');
    await assertCards(page, st, '/dashboard');
    assert.equal(await textOf(page.locator('[data-value="success_rate"]')), '66,7 %');
    const totals = s.sql(`SELECT (SELECT count(*) FROM contacts WHERE created_by = ${a.id}) AS contacts,
      (SELECT count(*) FROM categories WHERE created_by = ${a.id}) AS categories,
      (SELECT count(*) FROM campaigns WHERE created_by = ${a.id}) AS campaigns,
      (SELECT count(*) FROM messages m JOIN campaigns k ON k.id = m.campaign_id WHERE k.created_by = ${a.id}
        AND m.status IN ('sent', 'delivered', 'read')) AS messages`)[0];
    // « Messages » : messages partis (envoyés, distribués ou lus, lib/stats.h),
    // ici 3 sur 4 (l'échec de Claire n'est pas compté).
    assert.equal(totals.messages, 3);
    for (const k of ['contacts', 'categories', 'campaigns', 'messages'])
      assert.equal(await textOf(page.locator(`[data-stat="${k}"] .stats-value`)), String(totals[k]), `carte ${k}`);
    assert.equal(await textOf(page.locator('#line-heading')), `Activité du ${dayFr(st.from)} au ${dayFr(st.to)}`);
    assert.match(await textOf(page.locator('[data-stat="replies"] .stats-sub')), new RegExp(`^du ${dayFr(st.from)} au ${dayFr(st.to)}$`));

    // Les deux graphiques : SVG en ligne bien formés ; leurs tableaux = API.
    await assertCharts(page, html, ['Activité par jour', 'Répartition des statuts'], '/dashboard');
    assert.equal(await page.locator('.empty-chart').count(), 0);
    await assertChartTables(page, st, '/dashboard');

    // Derniers messages : les 4 de la base, du plus récent au plus ancien.
    let shown = await shownMessages(page, 'recent-heading');
    let expected = lastMessages(a.id, 10);
    assert.equal(expected.length, 4);
    assert.deepEqual(shown.map(({ date, href, ...r }) => r), expected);
    for (const r of shown) {
      assert.equal(r.href, `/messages/${r.id}?from=dashboard`);
      assert.match(r.date, /\d/);
    }
    assert.deepEqual(shown.map((r) => r.status), ['Envoyé', 'Échec', 'Lu', 'Distribué']);
    // Aucune campagne en cours : la seule est terminée.
    assert.equal(s.sql(`SELECT status FROM campaigns WHERE id = ${c1}`)[0].status, 'completed');
    assert.equal(await textOf(page.locator('section[aria-labelledby="running-heading"] p.muted')),
      'Aucune campagne en cours d\'envoi. Lancer une campagne');
    assert.equal(await page.locator('.running-item').count(), 0);
    await shot(page, 'dashboard-desktop');
    clean(page, '/dashboard');

    // « Voir » sur le Message 1 de Bruno : sa chronologie.
    const row = page.locator('section[aria-labelledby="recent-heading"] tbody tr').filter({ has: page.locator('.tel', { hasText: '+33612340012' }) });
    await row.getByRole('link', { name: `Voir le message ${bruno.id}` }).click();
    await page.waitForURL((u) => u.pathname === `/messages/${bruno.id}` && u.searchParams.get('from') === 'dashboard');
    await page.waitForLoadState();
    assert.equal(await textOf(page.locator('#msg-heading')), 'Message 1 à Bruno Lu');
    assert.equal(await textOf(page.locator('#timeline-heading')), 'Chronologie');
    const steps = (await page.locator('ol.timeline .timeline-label').allTextContents()).map(norm);
    assert.deepEqual(steps, ['Mis en file', 'Envoyé à WhatsApp', 'Distribué', 'Lu']);
    for (const t of await page.locator('ol.timeline time').evaluateAll((ts) => ts.map((x) => x.getAttribute('datetime'))))
      assert.match(t, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    assert.equal(await textOf(page.locator('.detail-list code')), bruno.wamid);
    assert.equal(await page.locator('.back-link a').getAttribute('href'), '/dashboard');
    assert.equal(await textOf(page.locator('.back-link a')), '← Tableau de bord');
    clean(page, `/messages/${bruno.id}`);
    // Le Message 1 d'Alice : sa réponse dans la chronologie.
    await visit(page, `/messages/${alice.id}?from=dashboard`);
    assert.deepEqual((await page.locator('ol.timeline .timeline-label').allTextContents()).map(norm),
      ['Mis en file', 'Envoyé à WhatsApp', 'Distribué', 'Réponse du contact']);
    assert.equal(await textOf(page.locator('.timeline-reply .timeline-content')), 'Oui, ça m\'intéresse !');
    // Celui de Claire : l'échec et son message.
    await visit(page, `/messages/${claire.id}`);
    const steps3 = (await page.locator('ol.timeline .timeline-label').allTextContents()).map(norm);
    assert.deepEqual(steps3, ['Mis en file', 'Échec']);
    assert.equal(await page.locator('.back-link a').getAttribute('href'), '/statistics');
    clean(page, 'chronologies');

    // Seconde campagne, 8 contacts ; un seul passage « --once » n'en envoie
    // qu'un (cadence de 100 ms) : elle reste « en cours d'envoi ».
    const cat2 = await api(a, 'POST', '/api/categories', { name: 'Prospects' }, 201);
    for (let i = 0; i < 8; i++)
      await api(a, 'POST', '/api/contacts', { country_code: '+33', phone_number: `06123402${10 + i}`, first_name: `P${i}`, category_ids: [cat2.id] }, 201);
    const c2 = await api(a, 'POST', '/api/campaigns', { name: 'Relance prospects', category_ids: [cat2.id], message_1: 'Bonjour {{first_name}}', launch: true }, 201);
    await sleep(150);
    await sender(['--once']);
    const [k2] = s.sql(`SELECT status, total_recipients, sent_count,
      (SELECT count(*) FROM messages WHERE campaign_id = ${c2.id} AND status IN ('pending', 'sending')) AS pending
      FROM campaigns WHERE id = ${c2.id}`);
    assert.deepEqual(k2, { status: 'sending', total_recipients: 8, sent_count: 1, pending: 7 });

    html = await visit(page, '/dashboard');
    st = await apiStats(a);
    assert.deepEqual([st.total_recipients, st.success_count, st.failed_count], [11, 3, 1]);
    await assertCards(page, st, '/dashboard (2 campagnes)');
    assert.equal(await textOf(page.locator('[data-value="success_rate"]')), '27,3 %');
    await assertCharts(page, html, ['Activité par jour', 'Répartition des statuts'], '/dashboard (2 campagnes)');
    await assertChartTables(page, st, '/dashboard (2 campagnes)');

    // « Campagnes en cours » : barre de progression et fin estimée.
    const item = page.locator('.running-list .running-item');
    assert.equal(await item.count(), 1);
    assert.equal(await textOf(item.locator('.campaign-link')), 'Relance prospects');
    assert.equal(await item.locator('.campaign-link').getAttribute('href'), `/campaigns/${c2.id}`);
    assert.equal(await textOf(item.locator('.status-badge')), 'En cours d\'envoi');
    const bar = item.locator('progress');
    assert.equal(await bar.getAttribute('max'), '100');
    assert.equal(await bar.getAttribute('value'), '12', '1 / 8 traités → 12 %');
    assert.equal(await bar.getAttribute('aria-label'), 'Progression de l\'envoi de Relance prospects');
    assert.ok(await bar.isVisible());
    assert.equal(await textOf(item.locator('.progress-text')), `1 / 8 traités · 12 % · reste 7 · fin estimée : ${etaFr(7)}`);
    assert.match(await textOf(item.locator('.progress-text')), /fin estimée : moins d'une minute$/);

    // Derniers messages : 10 au plus, les plus récents.
    shown = await shownMessages(page, 'recent-heading');
    expected = lastMessages(a.id, 10);
    assert.equal(s.sql(`SELECT count(*) AS n FROM messages WHERE owner_id = ${a.id}`)[0].n, 12);
    assert.equal(shown.length, 10);
    assert.deepEqual(shown.map(({ date, href, ...r }) => r), expected);
    assert.deepEqual(shown.slice(0, 8).map((r) => r.status).sort(), ['En attente', 'En attente', 'En attente', 'En attente',
      'En attente', 'En attente', 'En attente', 'Envoyé']);
    await shot(page, 'dashboard-running-desktop');
    clean(page, '/dashboard (campagne en cours)');
    // Arrêtée : ses messages en attente ne partent pas aux tests suivants.
    await api(a, 'POST', `/api/campaigns/${c2.id}/cancel`);
  } finally {
    await context.close();
  }
});

test('/statistics : filtres par le formulaire, tableau par campagne = base, export CSV, nom de campagne hostile', async () => {
  const a = await freshAdmin('stats');
  const cat = await api(a, 'POST', '/api/categories', { name: 'Été' }, 201);
  const other = await api(a, 'POST', '/api/categories', { name: 'Autres' }, 201);
  const people = [['0612350021', 'Dora', 'Durand'], ['0612350022', 'Éric', null], ['0612350001', 'Fanny', 'Échec']];
  for (const [phone, first, last] of people)
    await api(a, 'POST', '/api/contacts', { country_code: '+33', phone_number: phone, first_name: first, ...(last ? { last_name: last } : {}), category_ids: [cat.id] }, 201);
  await api(a, 'POST', '/api/contacts', { country_code: '+33', phone_number: '0612350024', first_name: 'Gaël', category_ids: [other.id] }, 201);
  const camp = await api(a, 'POST', '/api/campaigns', { name: 'Soldes d\'été', category_ids: [cat.id],
    message_1: 'Bonjour {{first_name}}', message_2: 'Merci {{first_name}} !', launch: true }, 201);
  const evil = await api(a, 'POST', '/api/campaigns', { name: HOSTILE, category_ids: [other.id], message_1: 'Salut {{first_name}}', launch: true }, 201);
  await sender();
  const dora = msgOf(camp.id, '+33612350021'), eric = msgOf(camp.id, '+33612350022'), gael = msgOf(evil.id, '+33612350024');
  assert.equal(msgOf(camp.id, '+33612350001').status, 'failed');
  await hook({ kind: 'status', wamid: dora.wamid, status: 'delivered' });
  await hook({ kind: 'status', wamid: dora.wamid, status: 'read' });
  await hook({ kind: 'status', wamid: eric.wamid, status: 'delivered' });
  await hook({ kind: 'reply', from: '33612350021', text: 'Avec plaisir', context_id: dora.wamid });
  await hook({ kind: 'reply', from: '33612350024', text: '<b>Salut</b>', context_id: gael.wamid });
  await sender();
  assert.equal(msgOf(camp.id, '+33612350021', 'message_2').status, 'sent');

  const { context, page } = await session(a);
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  try {
    const today = (await apiStats(a)).to;
    const from = addDays(today, -6);

    // Vue par défaut : toutes les campagnes ; le nom hostile affiché tel quel.
    let html = await visit(page, '/statistics');
    await assertCards(page, await apiStats(a), '/statistics');
    await assertCharts(page, html, ['Activité par jour', 'Répartition des statuts'], '/statistics');
    assert.deepEqual((await page.locator('#f-campaign option').allTextContents()).map((t) => t.trim()),
      ['Toutes les campagnes', HOSTILE, 'Soldes d\'été']);
    assert.equal(await textOf(page.locator(`tr[data-campaign="${evil.id}"] td[data-label="Campagne"] a`)), HOSTILE);
    // Top : 1 réponse chacune ; « Soldes d'été » a 3 envois (2 Message 1,
    // 1 Message 2), la campagne hostile 1.
    assert.deepEqual((await page.locator('.top-list li').allTextContents()).map(norm),
      ['Soldes d\'été : 1 réponse(s) pour 3 envoi(s)', `${HOSTILE} : 1 réponse(s) pour 1 envoi(s)`]);
    assert.ok(!html.includes('<script>alert(1)</script>'), 'nom hostile écrit sans échappement dans la source');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp;'), 'nom hostile échappé dans la source');
    assert.equal(await page.locator('main script, main b').count(), 0);
    clean(page, '/statistics');

    // Filtres par le formulaire : dates et campagne.
    await page.fill('#f-from', from);
    await page.fill('#f-to', today);
    await page.selectOption('#f-campaign', { label: 'Soldes d\'été' });
    await Promise.all([page.waitForURL((u) => u.pathname === '/statistics' && u.searchParams.get('campaign_id') === String(camp.id)),
      page.getByRole('button', { name: 'Appliquer' }).click()]);
    await page.waitForLoadState();
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('from'), from);
    assert.equal(url.searchParams.get('to'), today);
    assert.equal(url.searchParams.get('campaign_id'), String(camp.id));
    assert.equal(await page.locator('#f-from').inputValue(), from);
    assert.equal(await page.locator('#f-to').inputValue(), today);
    assert.equal(await page.locator('#f-campaign').inputValue(), String(camp.id));
    const query = `?from=${from}&to=${today}&campaign_id=${camp.id}`;
    const st = await apiStats(a, query);
    assert.deepEqual([st.total_recipients, st.success_count, st.failed_count, st.replies], [3, 2, 1, 1]);
    await assertCards(page, st, '/statistics (filtrée)');
    assert.equal(await textOf(page.locator('#line-heading')), `Activité du ${dayFr(from)} au ${dayFr(today)}`);
    assert.equal(await page.locator('table[data-table="series"] tbody tr').count(), 7);
    await assertChartTables(page, st, '/statistics (filtrée)');

    // Tableau par campagne : la seule campagne filtrée, chiffres recomptés en base.
    const rows = page.locator('table.stats-campaign-table tbody tr');
    assert.equal(await rows.count(), 1);
    assert.equal(await textOf(page.locator('#per-campaign-heading .count-badge')), '1');
    const [db] = s.sql(`SELECT count(*) AS total,
      sum(status = 'sent') AS sent, sum(status = 'delivered') AS delivered, sum(status = 'read') AS read,
      sum(status = 'failed') AS failed,
      (SELECT count(*) FROM interactions WHERE campaign_id = ${camp.id} AND interaction_type IN ('reply', 'reaction')) AS replies
      FROM messages WHERE campaign_id = ${camp.id} AND message_type = 'message_1'`);
    const row = rows.first();
    assert.equal(await row.getAttribute('data-campaign'), String(camp.id));
    const cell = (label) => textOf(row.locator(`td[data-label="${label}"]`));
    assert.equal(await textOf(row.locator('td[data-label="Campagne"] a')), 'Soldes d\'été');
    assert.equal(await textOf(row.locator('.status-badge')), 'Terminée');
    assert.deepEqual({
      total: await cell('Destinataires'), sent: await cell('Envoyés'), delivered: await cell('Distribués'),
      read: await cell('Lus'), failed: await cell('Échecs'), replies: await cell('Réponses'), rate: await cell('Taux de réussite'),
    }, {
      total: String(db.total), sent: String(db.sent), delivered: String(db.delivered), read: String(db.read),
      failed: String(db.failed), replies: String(db.replies), rate: rateFr(Math.round(((db.sent + db.delivered + db.read) * 1000) / db.total) / 10),
    });
    assert.deepEqual([db.total, db.sent, db.delivered, db.read, db.failed, db.replies], [3, 0, 1, 1, 1, 1]);

    // Messages de la campagne sur la période : les mêmes que l'API et la base.
    const list = await api(a, 'GET', `/api/messages${query}&per_page=50`);
    const dbMsgs = lastMessages(a.id, 50, `AND m.campaign_id = ${camp.id}`, BY_DATE);
    assert.equal(list.total, dbMsgs.length);
    assert.equal(list.total, 4);
    assert.equal(await textOf(page.locator('#messages-heading .count-badge')), String(list.total));
    const shown = await shownMessages(page, 'messages-heading');
    assert.deepEqual(shown.map(({ date, href, ...r }) => r), dbMsgs);
    assert.deepEqual(shown.map((r) => r.href), dbMsgs.map((m) => `/messages/${m.id}?from=statistics`));
    await shot(page, 'statistics-filtered-desktop');
    clean(page, '/statistics (filtrée)');

    // Export CSV des messages affichés.
    const link = page.getByRole('link', { name: 'Exporter en CSV' });
    assert.equal(await link.getAttribute('href'), `/statistics/export?page=1&from=${from}&to=${today}&campaign_id=${camp.id}`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), `messages-${from}-${today}.csv`);
    const text = readFileSync(await download.path(), 'utf8');
    assert.ok(text.startsWith('\ufeff'), 'BOM UTF-8 pour Excel');
    assert.equal(text.slice(1).split('\r\n')[0], CSV_HEAD.join(';'));
    const csv = parseCsv(text.slice(1));
    assert.deepEqual(csv[0], CSV_HEAD);
    const lines = csv.slice(1);
    assert.equal(lines.length, list.total, 'une ligne par message');
    assert.deepEqual(lines.map((l) => Number(l[0])), list.items.map((m) => m.id));
    assert.deepEqual(lines.map((l) => Number(l[0])), shown.map((r) => r.id), 'les messages affichés, dans le même ordre');
    for (const l of lines) {
      assert.equal(l.length, CSV_HEAD.length);
      assert.equal(l[1], 'Soldes d\'été');
    }
    const byId = Object.fromEntries(lines.map((l) => [Number(l[0]), l]));
    assert.deepEqual(byId[dora.id].slice(2, 7), ['Dora', 'Durand', '\'+33612350021', 'Message 1', 'Lu']);
    assert.ok(byId[dora.id][7] && byId[dora.id][8] && byId[dora.id][9], 'dates d\'envoi, de distribution et de lecture');
    assert.equal(byId[msgOf(camp.id, '+33612350001').id][6], 'Échec');
    assert.notEqual(byId[msgOf(camp.id, '+33612350001').id][11], '', 'message d\'erreur de l\'échec');
    clean(page, 'export');

    // Période sans message : liste vide, pas d'export ; le tableau par
    // campagne (depuis le lancement) ne change pas.
    await page.fill('#f-from', '2020-01-01');
    await page.fill('#f-to', '2020-01-31');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('from') === '2020-01-01'),
      page.getByRole('button', { name: 'Appliquer' }).click()]);
    await page.waitForLoadState();
    assert.equal(new URL(page.url()).searchParams.get('to'), '2020-01-31');
    assert.equal(new URL(page.url()).searchParams.get('campaign_id'), String(camp.id));
    assert.equal(await textOf(page.locator('#messages-heading')), 'Messages du 01/01/2020 au 31/01/2020 0');
    assert.equal(await textOf(page.locator('section[aria-labelledby="messages-heading"] .empty-inline')),
      'Aucun message ne correspond à ces filtres sur cette période.');
    assert.equal(await page.getByRole('link', { name: 'Exporter en CSV' }).count(), 0);
    assert.equal(await textOf(page.locator('[data-value="replies"]')), '0');
    assert.equal(await textOf(rows.first().locator('td[data-label="Destinataires"]')), '3');
    assert.equal(await textOf(page.locator('section[aria-labelledby="top-heading"] p.muted')),
      'Aucune réponse ni aucun envoi sur cette période.');
    await assertCards(page, await apiStats(a, `?from=2020-01-01&to=2020-01-31&campaign_id=${camp.id}`), '/statistics (2020)');
    clean(page, '/statistics (période vide)');

    // Fin avant le début : page en 422, erreur en français, plage par défaut.
    await page.fill('#f-from', today);
    await page.fill('#f-to', addDays(today, -1));
    const [bad] = await Promise.all([
      page.waitForResponse((r) => r.request().isNavigationRequest() && new URL(r.url()).pathname === '/statistics'),
      page.getByRole('button', { name: 'Appliquer' }).click()]);
    await page.waitForLoadState();
    assert.equal(bad.status(), 422);
    // Le bandeau (sans le bouton « × » qu'ajoute app.js).
    assert.equal(await flashText(page), 'Certains filtres sont invalides : les valeurs par défaut ont été utilisées.');
    assert.equal(await page.locator('form.stats-filters .flash-error').getAttribute('role'), 'alert');
    assert.equal(await textOf(page.locator('#f-to-err')), 'La date de fin précède la date de début.');
    assert.equal(await page.locator('#f-to').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#f-from').inputValue(), addDays(today, -29));
    assert.equal(await page.locator('#f-to').inputValue(), today);
    assert.equal(await page.locator('#f-campaign').inputValue(), String(camp.id), 'la campagne, valide, est gardée');
    clean(page, '/statistics (422)');

    // Campagne hostile filtrée : rien n'est exécuté, tout est affiché tel quel.
    await page.fill('#f-from', from);
    await page.fill('#f-to', today);
    await page.selectOption('#f-campaign', { label: HOSTILE });
    await Promise.all([page.waitForURL((u) => u.searchParams.get('campaign_id') === String(evil.id)),
      page.getByRole('button', { name: 'Appliquer' }).click()]);
    await page.waitForLoadState();
    html = await visit(page, page.url());
    assert.ok(!html.includes('<script>alert(1)</script>'));
    await assertCharts(page, html, ['Activité par jour', 'Répartition des statuts'], '/statistics (campagne hostile)');
    assert.equal(await textOf(page.locator('table.stats-campaign-table td[data-label="Campagne"] a')), HOSTILE);
    assert.equal(await textOf(page.locator('.top-list li a')), HOSTILE);
    assert.deepEqual((await shownMessages(page, 'messages-heading')).map((r) => r.campaign), [HOSTILE]);
    assert.equal(await page.locator('#f-campaign option:checked').textContent(), HOSTILE);
    assert.equal(await page.locator('main script, main b').count(), 0);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Exporter en CSV' }).click()]);
    const evilCsv = parseCsv(readFileSync(await dl.path(), 'utf8').slice(1));
    assert.equal(evilCsv.length, 2);
    assert.equal(evilCsv[1][1], HOSTILE, 'nom hostile relu tel quel dans le CSV');
    // Le tableau de bord et le détail du message de Gaël.
    html = await visit(page, '/dashboard');
    assert.ok(!html.includes('<script>alert(1)</script>'));
    assert.ok((await shownMessages(page, 'recent-heading')).some((r) => r.campaign === HOSTILE));
    await visit(page, `/messages/${gael.id}`);
    assert.equal(await textOf(page.locator('.detail-list a[href^="/campaigns/"]')), HOSTILE);
    assert.equal(await textOf(page.locator('.timeline-reply .timeline-content')), '<b>Salut</b>');
    assert.equal(await page.locator('main script, main b').count(), 0);
    await page.waitForTimeout(100);
    assert.deepEqual(dialogs, [], 'aucune boîte de dialogue (script exécuté)');
    clean(page, 'campagne hostile');
  } finally {
    await context.close();
  }
});

test('états vides : contacts sans campagne, puis aucun contact (« Bienvenue ! »)', async () => {
  const a = await freshAdmin('vide');
  const cat = await api(a, 'POST', '/api/categories', { name: 'Nouveaux' }, 201);
  await api(a, 'POST', '/api/contacts', { country_code: '+33', phone_number: '0612360101', first_name: 'Hugo', category_ids: [cat.id] }, 201);
  const { context, page } = await session(a);
  try {
    let html = await visit(page, '/dashboard');
    const st = await apiStats(a);
    assert.deepEqual([st.total_recipients, st.success_count, st.failed_count, st.success_rate, st.replies], [0, 0, 0, 0, 0]);
    await assertCards(page, st, '/dashboard vide');
    assert.equal(await textOf(page.locator('[data-value="success_rate"]')), '0,0 %');
    assert.equal(await textOf(page.locator('[data-stat="contacts"] .stats-value')), '1');
    assert.equal(await textOf(page.locator('.empty-chart')), 'Aucun message ni aucune réponse sur cette période.');
    // Pas de courbes ; l'anneau vide reste un SVG bien formé.
    await assertCharts(page, html, ['Répartition des statuts'], '/dashboard vide');
    assert.equal(await textOf(page.locator('section[aria-labelledby="running-heading"] p.muted')),
      'Aucune campagne en cours d\'envoi. Lancer une campagne');
    assert.equal(await page.getByRole('link', { name: 'Lancer une campagne' }).getAttribute('href'), '/campaigns/new');
    assert.equal(await textOf(page.locator('section[aria-labelledby="recent-heading"] .empty-inline')), 'Aucun message envoyé pour l\'instant.');
    assert.equal(await page.locator('table.message-table').count(), 0);
    assert.equal(await page.getByRole('heading', { name: 'Bienvenue !' }).count(), 0);
    await shot(page, 'dashboard-empty-desktop');
    clean(page, '/dashboard sans campagne');

    html = await visit(page, '/statistics');
    await assertCards(page, st, '/statistics vide');
    assert.equal(await textOf(page.locator('.empty-chart')), 'Aucun message ni aucune réponse sur cette période.');
    assert.equal(await textOf(page.locator('section[aria-labelledby="per-campaign-heading"] .empty-inline')),
      'Aucune campagne pour l\'instant. Créer une campagne');
    assert.equal(await textOf(page.locator('section[aria-labelledby="messages-heading"] .empty-inline')),
      'Aucun message ne correspond à ces filtres sur cette période.');
    assert.equal(await textOf(page.locator('section[aria-labelledby="top-heading"] p.muted')), 'Aucune réponse ni aucun envoi sur cette période.');
    assert.equal(await page.getByRole('link', { name: 'Exporter en CSV' }).count(), 0);
    clean(page, '/statistics vide');
  } finally {
    await context.close();
  }

  // Aucun contact : l'accueil, sans cartes ni graphiques.
  const b = await freshAdmin('bienvenue');
  const sb = await session(b);
  try {
    await visit(sb.page, '/dashboard');
    assert.equal(await textOf(sb.page.locator('.empty-state h2')), 'Bienvenue !');
    assert.equal(await textOf(sb.page.locator('.empty-state p')), 'Commencez par créer une catégorie puis ajoutez vos contacts.');
    assert.equal(await sb.page.getByRole('link', { name: 'Créer une catégorie' }).getAttribute('href'), '/categories');
    assert.equal(await sb.page.getByRole('link', { name: 'Ajouter des contacts' }).getAttribute('href'), '/contacts');
    assert.equal(await sb.page.locator('figure.chart-figure, [data-value], .running-list').count(), 0);
    for (const k of ['contacts', 'categories', 'campaigns', 'messages'])
      assert.equal(await textOf(sb.page.locator(`[data-stat="${k}"] .stats-value`)), '0');
    clean(sb.page, '/dashboard accueil');
  } finally {
    await sb.context.close();
  }
});

// Vérifie à 390 px : fenêtre non élargie, pas de défilement horizontal,
// les deux graphiques visibles dans l'écran et bien formés ; capture.
async function checkMobile(page, path, name) {
  const html = await visit(page, path);
  const w = await widths(page);
  // Sur mobile, un contenu trop large élargit la fenêtre de mise en page
  // (innerWidth > 390) : on vérifie les deux.
  assert.equal(w.innerWidth, 390, `${path} : la fenêtre s'élargit : ${JSON.stringify(w)}`);
  assert.ok(w.scrollWidth <= w.innerWidth, `${path} déborde : ${JSON.stringify(w)}`);
  const svgs = page.locator('figure.chart-figure > svg');
  assert.equal(await svgs.count(), 2, `${path} : deux graphiques`);
  for (let i = 0; i < 2; i++) {
    const svg = svgs.nth(i);
    await svg.scrollIntoViewIfNeeded();
    assert.ok(await svg.isVisible(), `${path} : graphique ${i} visible`);
    const box = await svg.boundingBox();
    assert.ok(box && box.width > 100 && box.height > 50, `${path} : graphique ${i} trop petit : ${JSON.stringify(box)}`);
    // Sous 640 px les graphiques gardent une largeur lisible (520 et 440 px)
    // et défilent dans leur cadre : le cadre tient dans l'écran, et tout le
    // graphique (les derniers jours, à droite) s'atteint en le faisant défiler.
    const frame = await svg.evaluate((el) => {
      const f = el.parentElement;
      const b = f.getBoundingClientRect();
      f.scrollLeft = f.scrollWidth;
      const r = { x: b.x, right: b.right, svgRight: el.getBoundingClientRect().right };
      f.scrollLeft = 0;
      return r;
    });
    assert.ok(frame.x >= 0 && frame.right <= 390.5, `${path} : cadre du graphique ${i} hors de l'écran : ${JSON.stringify(frame)}`);
    assert.ok(frame.svgRight <= frame.right + 1, `${path} : fin du graphique ${i} inaccessible : ${JSON.stringify(frame)}`);
  }
  await assertCharts(page, html, ['Activité par jour', 'Répartition des statuts'], path);
  await shot(page, name);
}

// Admin avec une campagne envoyée aux noms longs ; rend l'admin et la catégorie.
async function mobileAdmin(tag) {
  const a = await freshAdmin(tag);
  const cat = await api(a, 'POST', '/api/categories', { name: 'Adhérents de l\'association sportive intercommunale' }, 201);
  for (let i = 0; i < 2; i++)
    await api(a, 'POST', '/api/contacts', { country_code: '+33', phone_number: `06123701${20 + i}`, first_name: `Prénom${i}`, last_name: 'Nom-très-long-composé-de-plusieurs-morceaux', category_ids: [cat.id] }, 201);
  await api(a, 'POST', '/api/campaigns', { name: 'Rentrée sportive : inscriptions saison 2026-2027 pour tous les adhérents', category_ids: [cat.id], message_1: 'Bonjour {{first_name}}', launch: true }, 201);
  return { a, cat };
}

test('mobile 390 × 844 : /dashboard et /statistics sans défilement horizontal, graphiques visibles', async () => {
  const { a } = await mobileAdmin('mobile');
  await sender();
  const { context, page } = await session(a, MOBILE);
  try {
    await checkMobile(page, '/dashboard', 'dashboard-mobile');
    assert.equal(await page.locator('.running-item').count(), 0, 'campagne terminée');
    assert.ok(await page.locator('section[aria-labelledby="recent-heading"] table.message-table').isVisible());
    await checkMobile(page, '/statistics', 'statistics-mobile');
    assert.ok(await page.locator('table.stats-campaign-table').isVisible());
    clean(page, 'pages mobiles');
  } finally {
    await context.close();
  }
});

// Le texte de progression des « Campagnes en cours » passe à la ligne sur
// un téléphone (il débordait : « .progress-text » est en nowrap dans la
// liste des campagnes).
test('mobile 390 × 844 : /dashboard avec une campagne en cours d\'envoi, sans défilement horizontal', async () => {
    const { a, cat } = await mobileAdmin('mobile-running');
    await sender();
    // Laissée en cours : barre de progression et « fin estimée » affichées.
    await api(a, 'POST', '/api/campaigns', { name: 'Relance', category_ids: [cat.id], message_1: 'Relance', launch: true }, 201);
    const { context, page } = await session(a, MOBILE);
    try {
      await visit(page, '/dashboard');
      const item = page.locator('.running-item').filter({ has: page.locator('.campaign-link', { hasText: 'Relance' }) });
      assert.equal(await page.locator('.running-item').count(), 1);
      assert.ok(await item.locator('progress').isVisible());
      assert.equal(await textOf(item.locator('.progress-text')), `0 / 2 traités · 0 % · reste 2 · fin estimée : ${etaFr(2)}`);
      await checkMobile(page, '/dashboard', 'dashboard-running-mobile');
      clean(page, '/dashboard mobile (campagne en cours)');
    } finally {
      await context.close();
    }
  });
