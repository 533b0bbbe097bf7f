// Campagnes, à travers la vraie pile (lighttpd + cbw-campaigns + SQLite) :
// API /api/campaigns (brouillon, validation en français, lancement en une
// transaction avec une ligne par contact distinct joignable, contrainte
// UNIQUE, destinataires, annulation, suppression, liste paginée et
// filtrée, statistiques, compteurs tenus par déclencheurs, taux de
// réussite identique partout — propriété 6 —, export CSV sans formule,
// reprise manuelle des échecs avec journal d'audit), matrice de propriété
// tirée de la table des routes de fcgi/campaigns.c (l'admin B reçoit 404
// partout sur les campagnes de A, et rien ne change en base) et pages
// /campaigns. L'envoi (cbw-sender) n'est pas lancé : les statuts des
// messages sont posés en SQL quand un test en a besoin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, http, login, createUser } from '../lib/stack.mjs';
import {
  stop, assertJsonError, htmlLogin, csrfOf, form, FORM, httpRaw, routeTable, setCookies, seeded, ROOT,
} from './util.mjs';

const TEMPLATES = join(ROOT, 'html/templates');
// Pages dont le gabarit est en cours d'écriture : leurs tests sont sautés
// tant que le fichier n'existe pas (ils tournent dès qu'il existe).
const hasTemplate = (name) => existsSync(join(TEMPLATES, `${name}.html`));
const pending = (name) => (hasTemplate(name) ? false : `templates pending (${name}.html)`);

let s, A, B;
const api = (m, p, json, who = A) => http(s, m, p, json === undefined ? { token: who.token } : { token: who.token, json });

// Crée un admin (ou reprend le super admin) et ouvre ses sessions API et HTML.
async function admin(email) {
  if (email) {
    const su = (await login(s)).access_token;
    await createUser(s, su, email);
  }
  const token = (await login(s, ...(email ? [email] : []))).access_token;
  const h = await htmlLogin(s, ...(email ? [email] : []));
  const mail = email || 'admin@test.com';
  return { email: mail, token, cookie: h.cookie, csrf: h.csrf, id: s.sql(`SELECT id FROM users WHERE email = '${mail}'`)[0].id };
}

// Catégorie de `who` ; rend son id.
let catSeq = 0;
async function mkCat(who, name = `Catégorie ${++catSeq}`) {
  const r = await api('POST', '/api/categories', { name }, who);
  assert.equal(r.status, 201, `catégorie ${name} : ${r.text}`);
  return r.json.id;
}

// Contact de `who` (numéro unique), rangé dans `cats` ; rend son id.
let phoneSeq = 20000000;
async function mkContact(who, first, last, cats = []) {
  const body = { country_code: '+33', phone_number: `06${String(phoneSeq++).padStart(8, '0')}`, category_ids: cats };
  if (first !== undefined) body.first_name = first;
  if (last !== undefined) body.last_name = last;
  const r = await api('POST', '/api/contacts', body, who);
  assert.equal(r.status, 201, `contact ${first} : ${r.text}`);
  return r.json.id;
}

// Campagne de `who` par l'API (201 attendu) ; rend l'objet JSON.
let campSeq = 0;
async function mkCampaign(who, body = {}) {
  const r = await api('POST', '/api/campaigns', { name: `Campagne ${++campSeq}`, message_1: 'Bonjour {{first_name}}', ...body }, who);
  assert.equal(r.status, 201, `campagne : ${r.text}`);
  return r.json;
}

// Désabonne un contact (STOP), comme le ferait le webhook.
const optOut = (id) => s.sql(`UPDATE contacts SET opted_out_at = '2026-01-01T00:00:00Z' WHERE id = ${id}`);
// Nombre de lignes d'une table (avec condition facultative).
const count = (table, where = '1') => s.sql(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)[0].n;
// Lignes d'une campagne en base.
const campaignRow = (id) => s.sql(`SELECT * FROM campaigns WHERE id = ${id}`)[0];
const messageRows = (id) => s.sql(`SELECT * FROM messages WHERE campaign_id = ${id} ORDER BY contact_id, message_type`);
// Compteurs recalculés depuis les messages (règles de 0004_sending.sql).
function recount(id) {
  return s.sql(`SELECT
    coalesce(sum(status IN ('sent', 'delivered', 'read', 'failed')), 0) AS sent_count,
    coalesce(sum(status IN ('sent', 'delivered', 'read')), 0) AS success_count,
    coalesce(sum(status = 'failed'), 0) AS failed_count
    FROM messages WHERE campaign_id = ${id} AND message_type = 'message_1'`)[0];
}
const counters = (id) => s.sql(`SELECT sent_count, success_count, failed_count FROM campaigns WHERE id = ${id}`)[0];
// Pose le statut d'un message (et les dates qui vont avec) en SQL.
function setStatus(campaign, contact, status, extra = '') {
  const dates = {
    sent: ", sent_at = '2026-03-01T10:00:00Z'",
    delivered: ", sent_at = '2026-03-01T10:00:00Z', delivered_at = '2026-03-01T10:00:05Z'",
    read: ", sent_at = '2026-03-01T10:00:00Z', delivered_at = '2026-03-01T10:00:05Z', read_at = '2026-03-01T10:01:00Z'",
    failed: ", failed_at = '2026-03-01T10:00:00Z'",
  }[status] || '';
  s.sql(`UPDATE messages SET status = '${status}'${dates}${extra ? `, ${extra}` : ''} WHERE campaign_id = ${campaign} AND contact_id = ${contact} AND message_type = 'message_1'`);
}
// Décode le message flash d'une réponse (cookie signé « hex.mac »).
function flashOf(res) {
  const c = setCookies(res).cbw_flash;
  assert.ok(c && c.value, 'pas de message flash');
  const [hex] = c.value.split('.');
  const [kind, message] = Buffer.from(hex, 'hex').toString('utf8').split('\x1f');
  return { kind, message, cookie: `cbw_flash=${c.value}` };
}

// Cellules d'une ligne CSV « ; » (guillemets doublés), telles qu'un
// tableur les lirait : une cellule neutralisée commence par « ' ».
function csvCells(line) {
  const out = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (line[i] === '"') {
      for (i++; i < line.length; i++) {
        if (line[i] === '"' && line[i + 1] === '"') { cell += '"'; i++; } else if (line[i] === '"') { i++; break; } else cell += line[i];
      }
    } else {
      while (i < line.length && line[i] !== ';') cell += line[i++];
    }
    out.push(cell);
    if (i >= line.length) return out;
    assert.equal(line[i], ';', `séparateur attendu : ${line}`);
    i++;
  }
}

const CAMPAIGN_KEYS = [
  'categories', 'completed_at', 'created_at', 'failed_count', 'id', 'interaction_count', 'launched_at', 'message_1',
  'message_2', 'name', 'pending_count', 'progress', 'sent_count', 'status', 'status_reason', 'success_count',
  'success_rate', 'template_language', 'template_name', 'template_params', 'total_recipients', 'updated_at',
];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

before(async () => {
  s = await startStack();
  A = await admin();
  B = await admin('camp-b@test.com');
});
after(async () => { await stop(s); });

// ---------------------------------------------------------------- brouillon

test('POST /api/campaigns brouillon : 201, toutes les clés, catégories, template_params tableau, taux et progression à 0', async () => {
  const c1 = await mkCat(A, 'Brouillon Un');
  const c2 = await mkCat(A, 'Brouillon Deux');
  await mkContact(A, 'Anne', 'Brouillon', [c1]);
  const before = count('campaigns');
  let r = await api('POST', '/api/campaigns', {
    name: '  Soldes d\'été  ', category_ids: [c1, c2, c1], message_1: 'Bonjour {{first_name}} {{last_name}}, voyez https://exemple.fr/soldes !',
    message_2: 'Merci {{first_name}} !', template_name: 'promo_ete_2026', template_language: 'en_US', template_params: ['first_name', 'last_name'],
  });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), CAMPAIGN_KEYS);
  const k = r.json;
  assert.equal(typeof k.id, 'number');
  assert.equal(k.name, 'Soldes d\'été', 'nom nettoyé');
  assert.equal(k.status, 'draft');
  assert.equal(k.status_reason, null);
  assert.equal(k.message_1, 'Bonjour {{first_name}} {{last_name}}, voyez https://exemple.fr/soldes !');
  assert.equal(k.message_2, 'Merci {{first_name}} !');
  assert.equal(k.template_name, 'promo_ete_2026');
  assert.equal(k.template_language, 'en_US');
  assert.deepEqual(k.template_params, ['first_name', 'last_name']);
  assert.deepEqual(k.categories.map((c) => c.id).sort((a, b) => a - b), [c1, c2].sort((a, b) => a - b), 'catégories sans doublon');
  for (const c of k.categories) assert.deepEqual(Object.keys(c).sort(), ['color', 'id', 'name']);
  for (const key of ['total_recipients', 'sent_count', 'success_count', 'failed_count', 'interaction_count', 'pending_count']) assert.equal(k[key], 0, key);
  assert.equal(k.success_rate, 0);
  assert.equal(k.progress, 0);
  assert.equal(k.launched_at, null);
  assert.equal(k.completed_at, null);
  assert.match(k.created_at, ISO);
  assert.match(k.updated_at, ISO);
  // En base : la campagne, ses deux catégories, aucun message.
  assert.equal(count('campaigns'), before + 1);
  const row = campaignRow(k.id);
  assert.equal(row.created_by, A.id);
  assert.equal(row.status, 'draft');
  assert.equal(row.template_params, '["first_name","last_name"]');
  assert.deepEqual(s.sql(`SELECT category_id FROM campaign_categories WHERE campaign_id = ${k.id} ORDER BY category_id`).map((x) => x.category_id), [c1, c2].sort((a, b) => a - b));
  assert.equal(count('messages', `campaign_id = ${k.id}`), 0);
  // GET rend le même objet.
  r = await api('GET', `/api/campaigns/${k.id}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, k);
  // Sans modèle : pas de langue ni de paramètres, template_params [] ; langue par défaut « fr ».
  r = await api('POST', '/api/campaigns', { name: 'Sans modèle', category_ids: [c1], message_1: 'Salut', template_language: 'en_US', template_params: ['first_name'] });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.template_name, null);
  assert.equal(r.json.template_language, null);
  assert.deepEqual(r.json.template_params, []);
  assert.equal(r.json.message_2, null);
  assert.equal(campaignRow(r.json.id).template_params, null);
  r = await api('POST', '/api/campaigns', { name: 'Modèle fr', category_ids: [c1], message_1: 'Salut', template_name: 'bienvenue' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.template_language, 'fr');
  assert.deepEqual(r.json.template_params, []);
  // launch: false vaut brouillon.
  r = await api('POST', '/api/campaigns', { name: 'Pas lancée', category_ids: [c1], message_1: 'Salut', launch: false });
  assert.equal(r.status, 201);
  assert.equal(r.json.status, 'draft');
  assert.equal(count('messages', `campaign_id = ${r.json.id}`), 0);
});

test('validation : 422 avec message français par champ, rien d\'écrit en base', async () => {
  const mine = await mkCat(A, 'Validation');
  const theirs = await mkCat(B, 'Catégorie privée de B');
  const ok = { name: 'Valide', category_ids: [mine], message_1: 'Bonjour {{first_name}}' };
  const emoji = '😀';
  const cases = [
    [{ ...ok, name: undefined }, { name: 'Le nom est obligatoire.' }],
    [{ ...ok, name: '' }, { name: 'Le nom est obligatoire.' }],
    [{ ...ok, name: '   ' }, { name: 'Le nom est obligatoire.' }],
    [{ ...ok, name: 'x'.repeat(101) }, { name: /trop long/ }],
    [{ ...ok, name: 'é'.repeat(101) }, { name: /trop long/ }],
    [{ ...ok, name: 42 }, { name: /chaîne/ }],
    [{ ...ok, category_ids: undefined }, { category_ids: 'Choisissez au moins une catégorie.' }],
    [{ ...ok, category_ids: [] }, { category_ids: 'Choisissez au moins une catégorie.' }],
    [{ ...ok, category_ids: String(mine) }, { category_ids: /Liste de catégories invalide/ }],
    [{ ...ok, category_ids: mine }, { category_ids: /Liste de catégories invalide/ }],
    [{ ...ok, category_ids: { id: mine } }, { category_ids: /Liste de catégories invalide/ }],
    [{ ...ok, category_ids: [String(mine)] }, { category_ids: /Liste de catégories invalide/ }],
    [{ ...ok, category_ids: [0] }, { category_ids: /Liste de catégories invalide/ }],
    [{ ...ok, category_ids: [-1] }, { category_ids: /Liste de catégories invalide/ }],
    [{ ...ok, category_ids: [theirs] }, { category_ids: 'Catégorie introuvable : choisissez parmi vos catégories.' }],
    [{ ...ok, category_ids: [mine, theirs] }, { category_ids: 'Catégorie introuvable : choisissez parmi vos catégories.' }],
    [{ ...ok, category_ids: [999999] }, { category_ids: 'Catégorie introuvable : choisissez parmi vos catégories.' }],
    [{ ...ok, message_1: undefined }, { message_1: 'Le message 1 est obligatoire.' }],
    [{ ...ok, message_1: '' }, { message_1: 'Le message 1 est obligatoire.' }],
    [{ ...ok, message_1: ' \n\t ' }, { message_1: 'Le message 1 est obligatoire.' }],
    [{ ...ok, message_1: 42 }, { message_1: 'Le message doit être une chaîne.' }],
    [{ ...ok, message_1: emoji.repeat(4097) }, { message_1: 'Message trop long : 4097 caractères, WhatsApp en accepte 4096 au plus.' }],
    [{ ...ok, message_1: 'é'.repeat(4097) }, { message_1: /Message trop long : 4097 caractères/ }],
    [{ ...ok, message_1: 'a'.repeat(4097) }, { message_1: /Message trop long : 4097 caractères/ }],
    [{ ...ok, message_1: 'Bonjour {{prenom}} !' }, { message_1: /^Variable inconnue « \{\{prenom\}\} »/ }],
    [{ ...ok, message_1: 'Bonjour {{ first_name }}' }, { message_1: /Variable inconnue « \{\{ first_name \}\} »/ }],
    [{ ...ok, message_1: 'Bonjour {{first_name' }, { message_1: /^Variable mal fermée : « \{\{first_name »/ }],
    [{ ...ok, message_1: 'Voir http:// maintenant' }, { message_1: 'Adresse invalide : « http:// ». Utilisez une adresse complète en http:// ou https://.' }],
    [{ ...ok, message_1: 'Voir http://[::1 maintenant' }, { message_1: /^Adresse invalide : « http:\/\/\[::1 »/ }],
    [{ ...ok, message_1: 'Voir https:///chemin' }, { message_1: /^Adresse invalide : « https:\/\/\/chemin »/ }],
    [{ ...ok, message_1: 'a\u0001b' }, { message_1: /caractère invalide/ }],
    [{ ...ok, message_2: 'Merci {{nom}}' }, { message_2: /Variable inconnue « \{\{nom\}\} »/ }],
    [{ ...ok, message_2: 7 }, { message_2: 'Le message doit être une chaîne.' }],
    [{ ...ok, template_name: 'Promo_Ete' }, { template_name: /^Nom de modèle invalide/ }],
    [{ ...ok, template_name: 'promo-ete' }, { template_name: /^Nom de modèle invalide/ }],
    [{ ...ok, template_name: 'promo', template_language: 'french' }, { template_language: 'Code de langue invalide (exemples : fr, en_US).' }],
    [{ ...ok, template_name: 'promo', template_language: 'en_us' }, { template_language: /Code de langue invalide/ }],
    [{ ...ok, template_name: 'promo', template_params: ['phone'] }, { template_params: /^Paramètres du modèle/ }],
    [{ ...ok, template_name: 'promo', template_params: ['first_name', 'full_number'] }, { template_params: /^Paramètres du modèle/ }],
    // Ni tableau ni liste : refusé proprement (le programme ne doit pas tomber).
    [{ ...ok, template_name: 'promo', template_params: 'first_name' }, { template_params: /^Paramètres du modèle/ }],
    [{ ...ok, template_name: 'promo', template_params: { a: 'first_name' } }, { template_params: /^Paramètres du modèle/ }],
    [{ ...ok, template_name: 'promo', template_params: [1] }, { template_params: /^Paramètres du modèle/ }],
    [{ ...ok, template_name: 'promo', template_params: Array(11).fill('first_name') }, { template_params: /^Paramètres du modèle/ }],
    [{ name: '', category_ids: [], message_1: '' }, { name: /obligatoire/, category_ids: /au moins une/, message_1: /obligatoire/ }],
  ];
  const snap = () => [count('campaigns'), count('campaign_categories'), count('messages'), count('audit_log')];
  const start = snap();
  for (const [raw, want] of cases) {
    const body = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
    for (const launch of [false, true]) {
      const label = `${JSON.stringify(body).slice(0, 80)} launch=${launch}`;
      const r = await api('POST', '/api/campaigns', { ...body, launch });
      assertJsonError(r, 422, 'validation_error', label);
      assert.deepEqual(Object.keys(r.json.fields).sort(), Object.keys(want).sort(), `${label} : ${r.text}`);
      for (const [k, v] of Object.entries(want)) {
        if (v instanceof RegExp) assert.match(r.json.fields[k], v, `${label} : ${k}`);
        else assert.equal(r.json.fields[k], v, `${label} : ${k}`);
      }
    }
  }
  // launch doit être un vrai booléen : "true" ne crée pas un brouillon en silence.
  for (const launch of ['true', 1, 'false', {}]) {
    const r = await api('POST', '/api/campaigns', { ...ok, launch });
    assertJsonError(r, 422, 'validation_error', `launch=${JSON.stringify(launch)}`);
    assert.deepEqual(r.json.fields, { launch: 'launch doit être un booléen.' });
  }
  assert.deepEqual(snap(), start, 'rien d\'écrit sur un 422');
  // Le programme a survécu (les paramètres non tableau ne le font pas tomber).
  assert.equal((await api('GET', '/api/campaigns')).status, 200);
  // Les limites, du bon côté : 4096 points de code (émojis, accents), langues, paramètres.
  const goods = [
    { message_1: emoji.repeat(4096) },
    { message_1: 'é'.repeat(4095) + emoji },
    { message_1: 'a'.repeat(4096) },
    { message_1: 'Voir https://exemple.fr/a?b=1#c, http://www.exemple.com. Et www.exemple.org !' },
    { message_1: 'Texte\nsur deux lignes\tavec tabulation' },
    { template_name: 'promo_2026', template_language: 'fr' },
    { template_name: 'promo_2026', template_language: 'en_US' },
    { template_name: 'promo_2026', template_params: ['first_name'] },
    { name: 'é'.repeat(100) },
    { message_2: emoji.repeat(4096) },
  ];
  for (const extra of goods) {
    const r = await api('POST', '/api/campaigns', { ...ok, ...extra });
    assert.equal(r.status, 201, `${JSON.stringify(extra).slice(0, 60)} : ${r.text.slice(0, 200)}`);
    const row = campaignRow(r.json.id);
    for (const [k, v] of Object.entries(extra)) {
      assert.equal(k === 'template_params' ? JSON.parse(row[k]).join() : row[k], Array.isArray(v) ? v.join() : v, k);
    }
  }
  assert.equal(count('campaigns'), start[0] + goods.length);
  // Corps non JSON, sans jeton.
  assert.equal((await http(s, 'POST', '/api/campaigns', { token: A.token, body: '{', headers: { 'Content-Type': 'application/json' } })).status, 400);
  assertJsonError(await http(s, 'POST', '/api/campaigns', { json: ok }), 401, 'unauthorized');
  assertJsonError(await http(s, 'GET', '/api/campaigns'), 401, 'unauthorized');
});

test('PUT d\'un brouillon : remplace champs et catégories ; 422 garde l\'ancien ; catégorie d\'un autre → 422 ; absent → 404', async () => {
  const c1 = await mkCat(A, 'Modif Un');
  const c2 = await mkCat(A, 'Modif Deux');
  const theirs = await mkCat(B, 'Modif de B');
  const k = await mkCampaign(A, { category_ids: [c1], template_name: 'vieux', template_params: ['first_name'] });
  let r = await api('PUT', `/api/campaigns/${k.id}`, { name: 'Renommée', category_ids: [c2], message_1: 'Nouveau {{last_name}}', message_2: 'Suite' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, 'Renommée');
  assert.deepEqual(r.json.categories.map((c) => c.id), [c2]);
  assert.equal(r.json.template_name, null, 'modèle retiré');
  assert.deepEqual(r.json.template_params, []);
  assert.equal(r.json.status, 'draft');
  const row = campaignRow(k.id);
  assert.equal(row.message_1, 'Nouveau {{last_name}}');
  assert.equal(row.message_2, 'Suite');
  assert.equal(row.template_params, null);
  assert.deepEqual(s.sql(`SELECT category_id FROM campaign_categories WHERE campaign_id = ${k.id}`).map((x) => x.category_id), [c2]);
  const snap = JSON.stringify([campaignRow(k.id), s.sql(`SELECT * FROM campaign_categories WHERE campaign_id = ${k.id}`)]);
  r = await api('PUT', `/api/campaigns/${k.id}`, { name: 'X', category_ids: [c1], message_1: 'Bonjour {{prenom}}' });
  assertJsonError(r, 422, 'validation_error', 'PUT invalide');
  assert.match(r.json.fields.message_1, /prenom/);
  r = await api('PUT', `/api/campaigns/${k.id}`, { name: 'X', category_ids: [theirs], message_1: 'Bonjour' });
  assertJsonError(r, 422, 'validation_error', 'PUT catégorie de B');
  assert.equal(r.json.fields.category_ids, 'Catégorie introuvable : choisissez parmi vos catégories.');
  assert.equal(JSON.stringify([campaignRow(k.id), s.sql(`SELECT * FROM campaign_categories WHERE campaign_id = ${k.id}`)]), snap, 'brouillon inchangé');
  assertJsonError(await api('PUT', '/api/campaigns/999999', { name: 'X', category_ids: [c1], message_1: 'Bonjour' }), 404, 'not_found');
  assertJsonError(await api('GET', '/api/campaigns/999999'), 404, 'not_found');
  assertJsonError(await api('DELETE', '/api/campaigns/999999'), 404, 'not_found');
  // DELETE d'un brouillon : 204, lignes et liens effacés, audit.
  r = await api('DELETE', `/api/campaigns/${k.id}`);
  assert.equal(r.status, 204);
  assert.equal(count('campaigns', `id = ${k.id}`), 0);
  assert.equal(count('campaign_categories', `campaign_id = ${k.id}`), 0);
  assert.equal(count('categories', `id IN (${c1}, ${c2})`), 2, 'les catégories restent');
  assert.equal(count('audit_log', `action = 'campaign.delete' AND target_id = ${k.id} AND user_id = ${A.id}`), 1);
  assertJsonError(await api('GET', `/api/campaigns/${k.id}`), 404, 'not_found');
});

// ---------------------------------------------------------------- lancement

// Deux catégories choisies qui se recoupent, un désabonné, une catégorie
// non choisie : les destinataires attendus, avec leur texte.
async function launchFixture(tag) {
  const l1 = await mkCat(A, `Lancement ${tag} 1`);
  const l2 = await mkCat(A, `Lancement ${tag} 2`);
  const other = await mkCat(A, `Lancement ${tag} autre`);
  const alice = await mkContact(A, 'Alice', 'Martin', [l1]);
  const bob = await mkContact(A, 'Bob', 'Durand', [l1]);
  const both = await mkContact(A, 'Zoé', 'Lefèvre', [l1, l2]);
  const stop = await mkContact(A, 'Chloé', 'Désabonnée', [l1, l2]);
  const elise = await mkContact(A, 'Élise', undefined, [l2]);
  const anon = await mkContact(A, undefined, undefined, [l2]);
  const trap = await mkContact(A, '{{last_name}}', 'Piège', [l2]);
  const outside = await mkContact(A, 'Hors', 'Champ', [other]);
  optOut(stop);
  const expected = [
    [alice, 'Bonjour Alice Martin !'], [bob, 'Bonjour Bob Durand !'], [both, 'Bonjour Zoé Lefèvre !'],
    [elise, 'Bonjour Élise  !'], [anon, 'Bonjour   !'], [trap, 'Bonjour {{last_name}} Piège !'],
  ].sort((a, b) => a[0] - b[0]);
  return { l1, l2, other, alice, both, stop, outside, expected };
}

// Vérifie en base les lignes créées par un lancement.
function assertLaunched(id, fx, res) {
  const rows = messageRows(id);
  assert.deepEqual(rows.map((m) => [m.contact_id, m.content]), fx.expected, 'une ligne par contact distinct joignable, variables remplacées');
  for (const m of rows) {
    assert.equal(m.message_type, 'message_1');
    assert.equal(m.status, 'pending');
    assert.equal(m.retry_count, 0);
    assert.equal(m.whatsapp_message_id, null);
  }
  assert.ok(!rows.some((m) => m.contact_id === fx.stop), 'désabonné exclu');
  assert.ok(!rows.some((m) => m.contact_id === fx.outside), 'catégorie non choisie exclue');
  assert.equal(rows.filter((m) => m.contact_id === fx.both).length, 1, 'contact de deux catégories : une seule ligne');
  const k = campaignRow(id);
  assert.equal(k.status, 'sending');
  assert.equal(k.total_recipients, fx.expected.length);
  assert.match(k.launched_at, ISO);
  assert.equal(k.status_reason, null);
  assert.deepEqual(counters(id), { sent_count: 0, success_count: 0, failed_count: 0 });
  assert.equal(res.status, 'sending');
  assert.equal(res.total_recipients, fx.expected.length);
  assert.equal(res.pending_count, fx.expected.length);
  assert.equal(res.launched_at, k.launched_at);
  assert.equal(res.progress, 0);
  assert.equal(res.success_rate, 0);
  assert.equal(count('audit_log', `action = 'campaign.launch' AND target_id = ${id} AND user_id = ${A.id}`), 1, 'lancement au journal');
  assert.deepEqual(JSON.parse(s.sql(`SELECT details FROM audit_log WHERE action = 'campaign.launch' AND target_id = ${id}`)[0].details), { recipients: fx.expected.length });
}

test('lancement à la création (launch: true) : une ligne par contact distinct joignable, variables remplacées, sending', async () => {
  const fx = await launchFixture('création');
  const r = await api('POST', '/api/campaigns', { name: 'Lancée d\'emblée', category_ids: [fx.l1, fx.l2], message_1: 'Bonjour {{first_name}} {{last_name}} !', launch: true });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), CAMPAIGN_KEYS);
  assertLaunched(r.json.id, fx, r.json);
  // Le contact désabonné puis réabonné n'est pas rattrapé : la liste est figée au lancement.
  s.sql(`UPDATE contacts SET opted_out_at = NULL WHERE id = ${fx.stop}`);
  assert.equal(count('messages', `campaign_id = ${r.json.id}`), fx.expected.length);
  optOut(fx.stop);
});

test('POST /api/campaigns/{id}/launch : lance le brouillon ; deux fois → 409 ; PUT et DELETE après lancement → 409', async () => {
  const fx = await launchFixture('brouillon');
  const k = await mkCampaign(A, { category_ids: [fx.l1, fx.l2], message_1: 'Bonjour {{first_name}} {{last_name}} !' });
  assert.equal(count('messages', `campaign_id = ${k.id}`), 0);
  let r = await api('POST', `/api/campaigns/${k.id}/launch`);
  assert.equal(r.status, 200, r.text);
  assertLaunched(k.id, fx, r.json);
  const snap = JSON.stringify([campaignRow(k.id), messageRows(k.id)]);
  r = await api('POST', `/api/campaigns/${k.id}/launch`);
  assertJsonError(r, 409, 'conflict', 'relance');
  assert.equal(r.json.message, 'Cette campagne est déjà lancée : elle ne peut plus être modifiée.');
  r = await api('PUT', `/api/campaigns/${k.id}`, { name: 'Trop tard', category_ids: [fx.l1], message_1: 'Autre' });
  assertJsonError(r, 409, 'conflict', 'PUT après lancement');
  r = await api('PUT', `/api/campaigns/${k.id}`, { name: 'Trop tard', category_ids: [fx.l1], message_1: 'Autre', launch: true });
  assertJsonError(r, 409, 'conflict', 'PUT launch après lancement');
  r = await api('DELETE', `/api/campaigns/${k.id}`);
  assertJsonError(r, 409, 'conflict', 'DELETE en cours d\'envoi');
  assert.match(r.json.message, /annulez-la/);
  assert.equal(JSON.stringify([campaignRow(k.id), messageRows(k.id)]), snap, 'rien n\'a changé');
  // PUT avec launch: true d'un brouillon : enregistre puis lance.
  const k2 = await mkCampaign(A, { category_ids: [fx.other] });
  r = await api('PUT', `/api/campaigns/${k2.id}`, { name: 'Lancée par PUT', category_ids: [fx.l1, fx.l2], message_1: 'Bonjour {{first_name}} {{last_name}} !', launch: true });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, 'Lancée par PUT');
  assertLaunched(k2.id, fx, r.json);
});

test('contrainte UNIQUE(campaign_id, contact_id, message_type) : un doublon inséré en SQL est refusé', async () => {
  const cat = await mkCat(A, 'Unicité');
  const c = await mkContact(A, 'Ugo', 'Unique', [cat]);
  const k = await mkCampaign(A, { category_ids: [cat], launch: true });
  const ins = (type) => s.sql(`INSERT INTO messages(campaign_id, contact_id, message_type, content, created_at, updated_at) VALUES (${k.id}, ${c}, '${type}', 'doublon', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`);
  assert.throws(() => ins('message_1'), (e) => /UNIQUE constraint failed: messages\.campaign_id, messages\.contact_id, messages\.message_type/.test(`${e.message}${e.stderr}`));
  assert.equal(count('messages', `campaign_id = ${k.id} AND contact_id = ${c}`), 1);
  // Le Message 2 du même contact, lui, est permis (la contrainte porte sur le triplet).
  ins('message_2');
  assert.equal(count('messages', `campaign_id = ${k.id} AND contact_id = ${c}`), 2);
  assert.throws(() => ins('message_2'), (e) => /UNIQUE constraint failed/.test(`${e.message}${e.stderr}`));
  // Le schéma la déclare bien (pas seulement un index qu'on pourrait perdre).
  const ddl = s.sql(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'messages'`)[0].sql;
  assert.match(ddl, /UNIQUE\s*\(\s*campaign_id\s*,\s*contact_id\s*,\s*message_type\s*\)/);
});

test('aucun destinataire joignable : 422 no_recipient qui nomme les catégories vides ; rien de créé ni de lancé', async () => {
  const empty = await mkCat(A, 'Vide');
  const gone = await mkCat(A, 'Désabonnés');
  const x = await mkContact(A, 'Parti', 'Stop', [gone]);
  optOut(x);
  const full = await mkCat(A, 'Pleine');
  await mkContact(A, 'Présent', 'Là', [full]);
  const snap = () => [count('campaigns'), count('campaign_categories'), count('messages')];
  const start = snap();
  // À la création avec launch: true.
  let r = await api('POST', '/api/campaigns', { name: 'Personne', category_ids: [empty, gone], message_1: 'Bonjour', launch: true });
  assertJsonError(r, 422, 'no_recipient', 'création');
  const msg = 'Aucun destinataire joignable : les catégories « Désabonnés », « Vide » sont vides ou leurs contacts se sont désabonnés.';
  assert.equal(r.json.message, msg);
  assert.deepEqual(r.json.empty_categories, ['Désabonnés', 'Vide']);
  assert.equal(r.json.fields.category_ids, msg);
  r = await api('POST', '/api/campaigns', { name: 'Personne', category_ids: [empty], message_1: 'Bonjour', launch: true });
  assertJsonError(r, 422, 'no_recipient', 'une catégorie');
  assert.equal(r.json.message, 'Aucun destinataire joignable : la catégorie « Vide » est vide ou ses contacts se sont désabonnés.');
  assert.deepEqual(r.json.empty_categories, ['Vide']);
  assert.deepEqual(snap(), start, 'rien de créé');
  // Lancement d'un brouillon : 422, reste brouillon, aucune ligne.
  const k = await mkCampaign(A, { category_ids: [empty, gone] });
  r = await api('POST', `/api/campaigns/${k.id}/launch`);
  assertJsonError(r, 422, 'no_recipient', 'launch');
  assert.equal(r.json.message, msg);
  assert.deepEqual(r.json.empty_categories, ['Désabonnés', 'Vide']);
  assert.equal(campaignRow(k.id).status, 'draft');
  assert.equal(campaignRow(k.id).total_recipients, 0);
  assert.equal(campaignRow(k.id).launched_at, null);
  assert.equal(count('messages', `campaign_id = ${k.id}`), 0);
  assert.equal(count('audit_log', `action = 'campaign.launch' AND target_id = ${k.id}`), 0);
  // Une catégorie vide à côté d'une pleine : lancement accepté (le destinataire de la pleine).
  r = await api('POST', '/api/campaigns', { name: 'Mixte', category_ids: [empty, full], message_1: 'Bonjour', launch: true });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.total_recipients, 1);
  // Catégorie d'un autre admin avec launch: true : 422 sur category_ids, rien de créé.
  const theirs = await mkCat(B, 'Pleine de B');
  await mkContact(B, 'Bea', 'B', [theirs]);
  const n = snap();
  r = await api('POST', '/api/campaigns', { name: 'Vol', category_ids: [theirs], message_1: 'Bonjour', launch: true });
  assertJsonError(r, 422, 'validation_error', 'catégorie de B');
  assert.equal(r.json.fields.category_ids, 'Catégorie introuvable : choisissez parmi vos catégories.');
  assert.deepEqual(snap(), n);
});

test('GET /api/campaigns/recipients : count, eta, empty_categories ; ids invalides → 422 ; catégorie d\'un autre → 404', async () => {
  const c1 = await mkCat(A, 'Dest Un');
  const c2 = await mkCat(A, 'Dest Deux');
  const c3 = await mkCat(A, 'Dest Vide');
  const shared = await mkContact(A, 'Paul', 'Partagé', [c1, c2]);
  await mkContact(A, 'Jean', 'Un', [c1]);
  const gone = await mkContact(A, 'Jeanne', 'Partie', [c2]);
  optOut(gone);
  for (let i = 0; i < 3; i++) await mkContact(A, `Deux${i}`, 'Seul', [c2]);
  assert.ok(shared);
  const expect = s.sql(`SELECT count(DISTINCT c.id) AS n FROM category_contacts cc JOIN contacts c ON c.id = cc.contact_id WHERE cc.category_id IN (${c1}, ${c2}, ${c3}) AND c.opted_out_at IS NULL`)[0].n;
  assert.equal(expect, 5);
  let r = await api('GET', `/api/campaigns/recipients?category_ids=${c1},${c2},${c3}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), ['count', 'empty_categories', 'eta_display', 'eta_seconds', 'rate']);
  assert.equal(r.json.count, expect);
  assert.equal(r.json.rate, 25);
  assert.equal(r.json.eta_seconds, Math.ceil((expect * 60) / 25));
  assert.equal(r.json.eta_display, 'moins d\'une minute');
  assert.deepEqual(r.json.empty_categories, ['Dest Vide']);
  // Clé répétée (formulaire) : même résultat.
  const r2 = await api('GET', `/api/campaigns/recipients?category=${c1}&category=${c2}&category=${c3}`);
  assert.deepEqual(r2.json, r.json);
  r = await api('GET', `/api/campaigns/recipients?category_ids=${c1}`);
  assert.equal(r.json.count, 2);
  assert.deepEqual(r.json.empty_categories, []);
  r = await api('GET', `/api/campaigns/recipients?category_ids=${c3}`);
  assert.equal(r.json.count, 0);
  assert.equal(r.json.eta_seconds, 0);
  assert.deepEqual(r.json.empty_categories, ['Dest Vide']);
  r = await api('GET', '/api/campaigns/recipients');
  assert.equal(r.status, 200);
  assert.equal(r.json.count, 0);
  for (const bad of ['abc', '0', '-1', '1.5', `${c1},x`, `${c1};${c2}`, '+1', '99999999999999999999']) {
    assertJsonError(await api('GET', `/api/campaigns/recipients?category_ids=${encodeURIComponent(bad)}`), 422, 'validation_error', bad);
  }
  const theirs = await mkCat(B, 'Dest de B');
  assertJsonError(await api('GET', `/api/campaigns/recipients?category_ids=${theirs}`), 404, 'not_found', 'catégorie de B');
  assertJsonError(await api('GET', `/api/campaigns/recipients?category_ids=${c1},${theirs}`), 404, 'not_found', 'mélange');
  assertJsonError(await api('GET', '/api/campaigns/recipients?category_ids=999999'), 404, 'not_found', 'absente');
  // Durée estimée : 60 contacts à 25/min → 144 s, « environ 3 min ».
  const big = await mkCat(A, 'Dest Grande');
  for (let i = 0; i < 60; i++) {
    s.sql(`INSERT INTO contacts(phone_number, country_code, full_number, first_name, created_by, created_at, updated_at) VALUES ('7${String(i).padStart(8, '0')}', '+33', '+337${String(i).padStart(8, '0')}', 'Masse${i}', ${A.id}, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`);
  }
  s.sql(`INSERT INTO category_contacts(category_id, contact_id, added_at) SELECT ${big}, id, '2026-01-01T00:00:00Z' FROM contacts WHERE first_name LIKE 'Masse%' AND created_by = ${A.id}`);
  r = await api('GET', `/api/campaigns/recipients?category_ids=${big}`);
  assert.equal(r.json.count, 60);
  assert.equal(r.json.eta_seconds, 144);
  assert.equal(r.json.eta_display, 'environ 3 min');
});

// ---------------------------------------------------------------- annulation

test('annulation : en attente → cancelled, envoyés restent ; 409 si pas en cours ; suppression ensuite → 204 et messages effacés', async () => {
  const cat = await mkCat(A, 'Annulation');
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push(await mkContact(A, `Ann${i}`, 'Ulé', [cat]));
  const draft = await mkCampaign(A, { category_ids: [cat] });
  assertJsonError(await api('POST', `/api/campaigns/${draft.id}/cancel`), 409, 'conflict', 'brouillon');
  assert.equal(campaignRow(draft.id).status, 'draft');
  const k = await mkCampaign(A, { category_ids: [cat], launch: true });
  setStatus(k.id, ids[0], 'sent');
  setStatus(k.id, ids[1], 'delivered');
  setStatus(k.id, ids[2], 'failed', "error_message = 'Numéro invalide', error_class = 'permanent'");
  s.sql(`UPDATE messages SET status = 'sending', claimed_at = '2026-03-01T10:00:00Z' WHERE campaign_id = ${k.id} AND contact_id = ${ids[3]}`);
  // ids[4] : en attente.
  const before = Object.fromEntries(messageRows(k.id).map((m) => [m.contact_id, m]));
  let r = await api('POST', `/api/campaigns/${k.id}/cancel`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'cancelled');
  assert.equal(r.json.id, k.id);
  const after = Object.fromEntries(messageRows(k.id).map((m) => [m.contact_id, m]));
  assert.equal(after[ids[4]].status, 'cancelled', 'en attente → annulé');
  assert.deepEqual(after[ids[0]], before[ids[0]], 'envoyé : inchangé');
  assert.deepEqual(after[ids[1]], before[ids[1]], 'distribué : inchangé');
  assert.deepEqual(after[ids[2]], before[ids[2]], 'échec : inchangé');
  assert.equal(after[ids[3]].status, 'sending', 'celui qu\'envoie le cron n\'est pas arraché');
  const row = campaignRow(k.id);
  assert.equal(row.status, 'cancelled');
  assert.match(row.completed_at, ISO);
  assert.deepEqual(counters(k.id), recount(k.id));
  assert.deepEqual(counters(k.id), { sent_count: 3, success_count: 2, failed_count: 1 });
  assert.deepEqual(JSON.parse(s.sql(`SELECT details FROM audit_log WHERE action = 'campaign.cancel' AND target_id = ${k.id} AND user_id = ${A.id}`)[0].details), { stopped: 1 });
  r = await api('POST', `/api/campaigns/${k.id}/cancel`);
  assertJsonError(r, 409, 'conflict', 'deux fois');
  assert.equal(r.json.message, 'Cette campagne n\'est pas en cours d\'envoi.');
  // Une annulée ne se relance ni ne se reprend.
  assertJsonError(await api('POST', `/api/campaigns/${k.id}/launch`), 409, 'conflict', 'relance annulée');
  assertJsonError(await api('POST', `/api/campaigns/${k.id}/retry`), 409, 'conflict', 'reprise annulée');
  // Suppression : 204, les lignes partent en cascade, les contacts restent.
  s.sql(`INSERT INTO interactions(campaign_id, contact_id, interaction_type, content, whatsapp_message_id, received_at) VALUES (${k.id}, ${ids[0]}, 'reply', 'Oui', 'wamid.annul', '2026-03-01T11:00:00Z')`);
  r = await api('DELETE', `/api/campaigns/${k.id}`);
  assert.equal(r.status, 204, r.text);
  assert.equal(count('campaigns', `id = ${k.id}`), 0);
  assert.equal(count('messages', `campaign_id = ${k.id}`), 0);
  assert.equal(count('campaign_categories', `campaign_id = ${k.id}`), 0);
  assert.equal(count('interactions', `campaign_id = ${k.id}`), 0);
  assert.equal(count('contacts', `id IN (${ids.join(',')})`), 5, 'contacts intacts');
  assertJsonError(await api('GET', `/api/campaigns/${k.id}/stats`), 404, 'not_found');
});

// ---------------------------------------------------------------- liste

test('liste : plus récentes d\'abord, pagination (au-delà de la fin : vide avec total), per_page invalide → 422, filtre de statut', async () => {
  const who = await admin('camp-list@test.com');
  const cat = await mkCat(who, 'Liste');
  await mkContact(who, 'Lise', 'Liste', [cat]);
  const made = [];
  for (let i = 0; i < 7; i++) made.push((await mkCampaign(who, { name: `Liste ${i}`, category_ids: [cat], launch: i % 3 === 0 })).id);
  s.sql(`UPDATE campaigns SET status = 'completed' WHERE id = ${made[6]}`);
  const sqlIds = (where = '1') => s.sql(`SELECT id FROM campaigns WHERE created_by = ${who.id} AND ${where} ORDER BY id DESC`).map((r) => r.id);
  let r = await api('GET', '/api/campaigns', undefined, who);
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.json).sort(), ['items', 'page', 'per_page', 'total']);
  assert.equal(r.json.total, 7);
  assert.equal(r.json.page, 1);
  assert.equal(r.json.per_page, 20);
  assert.deepEqual(r.json.items.map((k) => k.id), sqlIds(), 'plus récentes d\'abord');
  for (const k of r.json.items) {
    assert.deepEqual(Object.keys(k).filter((x) => x !== 'categories').sort(), CAMPAIGN_KEYS.filter((x) => x !== 'categories'));
    assert.ok(Array.isArray(k.template_params));
  }
  const pages = [];
  for (let p = 1; p <= 3; p++) {
    r = await api('GET', `/api/campaigns?per_page=3&page=${p}`, undefined, who);
    assert.equal(r.status, 200);
    assert.equal(r.json.total, 7);
    assert.equal(r.json.page, p);
    assert.equal(r.json.per_page, 3);
    pages.push(...r.json.items.map((k) => k.id));
  }
  assert.deepEqual(pages, sqlIds(), 'les pages se suivent sans trou ni doublon');
  r = await api('GET', '/api/campaigns?per_page=3&page=4', undefined, who);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items, []);
  assert.equal(r.json.total, 7);
  r = await api('GET', '/api/campaigns?per_page=50&page=1000000', undefined, who);
  assert.deepEqual(r.json.items, []);
  for (const pp of ['0', '51', '-1', 'x', '1.5']) {
    r = await api('GET', `/api/campaigns?per_page=${pp}`, undefined, who);
    assertJsonError(r, 422, 'validation_error', `per_page=${pp}`);
    assert.equal(r.json.fields.per_page, 'per_page doit être un entier entre 1 et 50.');
  }
  for (const pg of ['0', '-1', 'x']) {
    r = await api('GET', `/api/campaigns?page=${pg}`, undefined, who);
    assertJsonError(r, 422, 'validation_error', `page=${pg}`);
    assert.ok(r.json.fields.page, `page=${pg}`);
  }
  r = await api('GET', '/api/campaigns?per_page=50', undefined, who);
  assert.equal(r.json.items.length, 7);
  for (const st of ['draft', 'sending', 'completed', 'failed', 'cancelled']) {
    r = await api('GET', `/api/campaigns?status=${st}`, undefined, who);
    assert.equal(r.status, 200, st);
    assert.deepEqual(r.json.items.map((k) => k.id), sqlIds(`status = '${st}'`), st);
    assert.equal(r.json.total, sqlIds(`status = '${st}'`).length, st);
    for (const k of r.json.items) assert.equal(k.status, st);
  }
  assert.equal((await api('GET', '/api/campaigns?status=draft', undefined, who)).json.total, 4);
  assert.equal((await api('GET', '/api/campaigns?status=sending', undefined, who)).json.total, 2);
  assert.equal((await api('GET', '/api/campaigns?status=', undefined, who)).json.total, 7, 'statut vide : pas de filtre');
  for (const bad of ['foo', 'DRAFT', 'draft ', "draft' OR '1'='1"]) {
    r = await api('GET', `/api/campaigns?status=${encodeURIComponent(bad)}`, undefined, who);
    assertJsonError(r, 422, 'validation_error', `status=${bad}`);
    assert.match(r.json.fields.status, /^Statut inconnu/);
  }
  // Seulement les siennes : la liste de A ne contient pas celles-ci, et inversement.
  r = await api('GET', '/api/campaigns?per_page=50');
  assert.ok(!r.json.items.some((k) => made.includes(k.id)), 'A voit les campagnes d\'un autre');
  assert.equal(r.json.total, s.sql(`SELECT count(*) AS n FROM campaigns WHERE created_by = ${A.id}`)[0].n);
});

// ---------------------------------------------------------------- statistiques

test('statistiques : effectifs par statut et par type = SQL, réponses, reste, ETA, lignes paginées', async () => {
  const cat = await mkCat(A, 'Stats');
  const ids = [];
  for (let i = 0; i < 6; i++) ids.push(await mkContact(A, `Stat${i}`, 'Tistique', [cat]));
  const k = await mkCampaign(A, { category_ids: [cat], launch: true, message_2: 'Merci' });
  setStatus(k.id, ids[0], 'sent');
  setStatus(k.id, ids[1], 'delivered');
  setStatus(k.id, ids[2], 'read');
  setStatus(k.id, ids[3], 'failed', "error_code = 131026, error_message = 'Numéro absent de WhatsApp', error_class = 'permanent'");
  s.sql(`UPDATE messages SET status = 'sending', claimed_at = '2026-03-01T10:00:00Z' WHERE campaign_id = ${k.id} AND contact_id = ${ids[4]}`);
  // Message 2 : un en attente, un envoyé (ils ne comptent pas dans le taux).
  for (const [c, st] of [[ids[1], 'pending'], [ids[2], 'sent']]) {
    s.sql(`INSERT INTO messages(campaign_id, contact_id, message_type, content, status, created_at, updated_at) VALUES (${k.id}, ${c}, 'message_2', 'Merci', '${st}', '2026-03-01T10:00:00Z', '2026-03-01T10:00:00Z')`);
  }
  s.sql(`INSERT INTO interactions(campaign_id, contact_id, interaction_type, content, whatsapp_message_id, received_at) VALUES (${k.id}, ${ids[1]}, 'reply', 'Oui !', 'wamid.rep1', '2026-03-01T11:00:00Z'), (${k.id}, ${ids[2]}, 'reaction', '👍', 'wamid.rep2', '2026-03-01T11:00:00Z'), (${k.id}, ${ids[2]}, 'read', NULL, 'wamid.rep3', '2026-03-01T11:00:00Z')`);
  let r = await api('GET', `/api/campaigns/${k.id}/stats`);
  assert.equal(r.status, 200, r.text);
  const st = r.json;
  for (const key of CAMPAIGN_KEYS) assert.ok(key in st, `clé ${key}`);
  for (const key of ['counts', 'replies', 'remaining', 'rate_per_minute', 'eta_seconds', 'rows']) assert.ok(key in st, `clé ${key}`);
  const STATUSES = ['pending', 'sending', 'sent', 'delivered', 'read', 'failed', 'cancelled'];
  for (const type of ['message_1', 'message_2']) {
    assert.deepEqual(Object.keys(st.counts[type]).sort(), [...STATUSES].sort(), type);
    for (const x of STATUSES) {
      assert.equal(st.counts[type][x], count('messages', `campaign_id = ${k.id} AND message_type = '${type}' AND status = '${x}'`), `${type} ${x}`);
    }
  }
  assert.deepEqual(st.counts.message_1, { pending: 1, sending: 1, sent: 1, delivered: 1, read: 1, failed: 1, cancelled: 0 });
  assert.deepEqual(st.counts.message_2, { pending: 1, sending: 0, sent: 1, delivered: 0, read: 0, failed: 0, cancelled: 0 });
  assert.equal(st.replies, 2, 'réponses et réactions, pas les accusés de lecture');
  assert.equal(st.remaining, 3, 'en attente + en cours, des deux messages');
  assert.equal(st.rate_per_minute, 25);
  assert.equal(st.eta_seconds, Math.ceil((3 * 60) / 25));
  assert.equal(st.total_recipients, 6);
  assert.equal(st.sent_count, 4);
  assert.equal(st.success_count, 3);
  assert.equal(st.failed_count, 1);
  assert.equal(st.pending_count, 2);
  assert.equal(st.success_rate, 50);
  assert.equal(st.progress, Math.floor((4 * 100) / 6));
  // Lignes par contact : Message 1 puis Message 2, paginées.
  assert.equal(st.rows.total, 8);
  assert.equal(st.rows.page, 1);
  const want = s.sql(`SELECT m.id, m.contact_id, m.message_type, m.status, m.error_message, c.full_number FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.campaign_id = ${k.id} ORDER BY m.message_type, m.id`);
  assert.deepEqual(st.rows.items.map((x) => [x.id, x.contact_id, x.message_type, x.status, x.error_message, x.full_number]), want.map((x) => [x.id, x.contact_id, x.message_type, x.status, x.error_message, x.full_number]));
  for (const key of ['first_name', 'last_name', 'error_code', 'error_class', 'retry_count', 'sent_at', 'delivered_at', 'read_at', 'failed_at', 'whatsapp_message_id', 'next_attempt_at']) assert.ok(key in st.rows.items[0], key);
  const failed = st.rows.items.find((x) => x.contact_id === ids[3] && x.message_type === 'message_1');
  assert.equal(failed.error_code, 131026);
  assert.equal(failed.error_message, 'Numéro absent de WhatsApp');
  r = await api('GET', `/api/campaigns/${k.id}/stats?per_page=3&page=2`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.rows.items.map((x) => x.id), want.slice(3, 6).map((x) => x.id));
  assert.equal(r.json.rows.total, 8);
  assert.equal(r.json.rows.per_page, 3);
  r = await api('GET', `/api/campaigns/${k.id}/stats?per_page=3&page=9`);
  assert.deepEqual(r.json.rows.items, []);
  assert.equal(r.json.rows.total, 8);
  for (const q of ['per_page=0', 'per_page=51', 'per_page=x', 'page=0', 'page=-2']) {
    assertJsonError(await api('GET', `/api/campaigns/${k.id}/stats?${q}`), 422, 'validation_error', q);
  }
  // Brouillon : tout à zéro.
  const d = await mkCampaign(A, { category_ids: [cat] });
  r = await api('GET', `/api/campaigns/${d.id}/stats`);
  assert.equal(r.status, 200);
  assert.equal(r.json.remaining, 0);
  assert.equal(r.json.eta_seconds, 0);
  assert.equal(r.json.success_rate, 0);
  assert.equal(r.json.rows.total, 0);
  assert.deepEqual(r.json.counts.message_1, Object.fromEntries(STATUSES.map((x) => [x, 0])));
});

test('taux de réussite (propriété 6) : (sent + delivered + read) / total × 100 au dixième, le même dans l\'API, les stats, l\'export et la page', async () => {
  const cat = await mkCat(A, 'Taux');
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push(await mkContact(A, `Taux${i}`, 'Réussite', [cat]));
  const k = await mkCampaign(A, { name: 'Deux sur trois', category_ids: [cat], launch: true });
  setStatus(k.id, ids[0], 'delivered');
  setStatus(k.id, ids[1], 'read');
  setStatus(k.id, ids[2], 'failed', "error_message = 'Échec', error_class = 'permanent'");
  const expected = Math.round((2 / 3) * 1000) / 10;
  assert.equal(expected, 66.7);
  const get = await api('GET', `/api/campaigns/${k.id}`);
  const stats = await api('GET', `/api/campaigns/${k.id}/stats`);
  const list = await api('GET', '/api/campaigns?per_page=50');
  assert.equal(get.json.success_rate, expected);
  assert.equal(stats.json.success_rate, expected);
  assert.equal(list.json.items.find((x) => x.id === k.id).success_rate, expected);
  // Écrit au dixième dans le texte JSON même (pas 66.700000000000003).
  for (const r of [get, stats, list]) assert.match(r.text, /"success_rate":66\.7[,}]/);
  assert.equal(get.json.progress, 100);
  const fr = `${String(expected).replace('.', ',')} %`;
  assert.equal(fr, '66,7 %');
  const csv = await httpRaw(s, 'GET', `/api/campaigns/${k.id}/export`, { token: A.token });
  assert.equal(csv.status, 200);
  const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
  assert.equal(lines.length, 4);
  for (const l of lines.slice(1)) assert.ok(l.endsWith(`;${fr}`), `export : ${l}`);
  // Des taux variés : toujours l'arrondi au dixième, et 0 pour une campagne vide.
  const { rnd } = seeded('taux');
  for (let t = 0; t < 5; t++) {
    const n = 1 + Math.floor(rnd() * 7);
    const c = await mkCat(A, `Taux aléatoire ${t}`);
    const cs = [];
    for (let i = 0; i < n; i++) cs.push(await mkContact(A, `Alea${t}_${i}`, 'X', [c]));
    const kk = await mkCampaign(A, { category_ids: [c], launch: true });
    for (const x of cs) setStatus(kk.id, x, ['sent', 'delivered', 'read', 'failed', 'pending', 'sending', 'cancelled'][Math.floor(rnd() * 7)]);
    const ok = count('messages', `campaign_id = ${kk.id} AND message_type = 'message_1' AND status IN ('sent', 'delivered', 'read')`);
    const want = Math.round((ok * 1000) / n) / 10;
    const g = await api('GET', `/api/campaigns/${kk.id}/stats`);
    assert.equal(g.json.success_rate, want, `${ok}/${n}`);
    const e = await httpRaw(s, 'GET', `/api/campaigns/${kk.id}/export`, { token: A.token });
    const last = e.text.split('\r\n').filter(Boolean).pop();
    assert.ok(last.endsWith(`;${String(want.toFixed(1)).replace('.', ',')} %`), `export ${ok}/${n} : ${last}`);
  }
  const empty = await mkCampaign(A, { category_ids: [cat] });
  assert.equal((await api('GET', `/api/campaigns/${empty.id}`)).json.success_rate, 0);
});

test('page de la campagne : même taux « 66,7 % » que l\'API', { skip: pending('campaign') }, async () => {
  const cat = await mkCat(A, 'Taux page');
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push(await mkContact(A, `Page${i}`, 'Taux', [cat]));
  const k = await mkCampaign(A, { name: 'Page deux sur trois', category_ids: [cat], launch: true });
  setStatus(k.id, ids[0], 'sent');
  setStatus(k.id, ids[1], 'read');
  setStatus(k.id, ids[2], 'failed', "error_message = 'Numéro invalide', error_class = 'permanent'");
  const api1 = (await api('GET', `/api/campaigns/${k.id}`)).json.success_rate;
  const r = await http(s, 'GET', `/campaigns/${k.id}`, { cookies: A.cookie });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.headers.get('content-type'), /^text\/html/);
  const fr = String(api1).replace('.', ',');
  assert.equal(fr, '66,7');
  assert.match(r.text, /66,7(\s|&nbsp;|\u00a0|\u202f)%/, 'taux affiché à la française');
  assert.doesNotMatch(r.text, /66\.7/, 'pas de point décimal');
  assert.match(r.text, /Page deux sur trois/);
  assert.match(r.text, /Numéro invalide/, 'erreur française de la ligne');
  for (const label of ['Taux de réussite', 'Réussis', 'Échoués']) assert.match(r.text, new RegExp(label));
});

test('compteurs tenus par déclencheurs = recomptes, après des changements de statut quelconques en SQL', async () => {
  const cat = await mkCat(A, 'Déclencheurs');
  const ids = [];
  for (let i = 0; i < 8; i++) ids.push(await mkContact(A, `Trig${i}`, 'Ger', [cat]));
  const k = await mkCampaign(A, { category_ids: [cat], launch: true });
  const { rnd } = seeded('compteurs');
  const ALL = ['pending', 'sending', 'sent', 'delivered', 'read', 'failed', 'cancelled'];
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  for (let step = 0; step < 120; step++) {
    const op = rnd();
    if (op < 0.7) {
      // Un ou plusieurs messages changent de statut (parfois le même).
      const some = ids.filter(() => rnd() < 0.4);
      if (some.length) s.sql(`UPDATE messages SET status = '${pick(ALL)}' WHERE campaign_id = ${k.id} AND contact_id IN (${some.join(',')}) AND message_type = '${rnd() < 0.8 ? 'message_1' : 'message_2'}'`);
    } else if (op < 0.85) {
      // Message 2 ajouté ou modifié : ne touche jamais les compteurs.
      const c = pick(ids);
      s.sql(`INSERT OR REPLACE INTO messages(campaign_id, contact_id, message_type, content, status, created_at, updated_at) VALUES (${k.id}, ${c}, 'message_2', 'M2', '${pick(ALL)}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`);
    } else if (op < 0.93) {
      // Une ligne Message 1 supprimée puis remise avec un autre statut.
      const c = pick(ids);
      s.sql(`DELETE FROM messages WHERE campaign_id = ${k.id} AND contact_id = ${c} AND message_type = 'message_1'`);
      s.sql(`INSERT INTO messages(campaign_id, contact_id, message_type, content, status, created_at, updated_at) VALUES (${k.id}, ${c}, 'message_1', 'M1', '${pick(ALL)}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`);
    } else {
      // Mise à jour sans changement de statut (autre colonne).
      s.sql(`UPDATE messages SET retry_count = retry_count + 1 WHERE campaign_id = ${k.id}`);
    }
    assert.deepEqual(counters(k.id), recount(k.id), `étape ${step}`);
  }
  // L'API rend les compteurs de la base.
  const r = await api('GET', `/api/campaigns/${k.id}`);
  const rc = recount(k.id);
  assert.equal(r.json.sent_count, rc.sent_count);
  assert.equal(r.json.success_count, rc.success_count);
  assert.equal(r.json.failed_count, rc.failed_count);
  assert.equal(r.json.success_rate, Math.round((rc.success_count * 1000) / 8) / 10);
  assert.equal(r.json.pending_count, count('messages', `campaign_id = ${k.id} AND message_type = 'message_1' AND status IN ('pending', 'sending')`));
});

// ---------------------------------------------------------------- export

test('export CSV : BOM, « ; », en-tête français, une ligne par message, cellules sans formule, nom de fichier', async () => {
  const cat = await mkCat(A, 'Export');
  const evil = await mkContact(A, '=HYPERLINK("x")', '+1', [cat]);
  const semi = await mkContact(A, 'Jean; Pierre', '-2', [cat]);
  const at = await mkContact(A, '@SOMME(A1)', 'Dupont', [cat]);
  const plain = await mkContact(A, 'Émilie', 'Dupré', [cat]);
  const k = await mkCampaign(A, { name: 'Export', category_ids: [cat], launch: true, message_2: 'Suite' });
  setStatus(k.id, plain, 'delivered');
  setStatus(k.id, at, 'failed', "error_message = 'Numéro invalide : vérifiez-le', retry_count = 2, error_class = 'permanent'");
  s.sql(`INSERT INTO messages(campaign_id, contact_id, message_type, content, status, created_at, updated_at) VALUES (${k.id}, ${plain}, 'message_2', 'Suite', 'pending', '2026-03-01T10:00:00Z', '2026-03-01T10:00:00Z')`);
  for (const [path, auth] of [[`/api/campaigns/${k.id}/export`, { token: A.token }], [`/campaigns/${k.id}/export`, { cookies: A.cookie }]]) {
    const r = await httpRaw(s, 'GET', path, auth);
    assert.equal(r.status, 200, `${path} : ${r.text.slice(0, 200)}`);
    assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    assert.equal(r.headers.get('content-disposition'), `attachment; filename="campagne-${k.id}.csv"`);
    assert.deepEqual([...r.buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM UTF-8');
    const lines = r.buf.subarray(3).toString('utf8').split('\r\n');
    assert.equal(lines.pop(), '', 'terminé par CRLF');
    assert.equal(lines[0], 'Prénom;Nom;Numéro;Message;Statut;Envoyé le;Distribué le;Lu le;Erreur;Reprises;Taux de réussite de la campagne');
    assert.equal(lines.length - 1, count('messages', `campaign_id = ${k.id}`), 'une ligne par message');
    const body = lines.slice(1).join('\n');
    assert.ok(lines.includes(`"'=HYPERLINK(""x"")";"'+1";"'${s.sql(`SELECT full_number FROM contacts WHERE id = ${evil}`)[0].full_number}";Message 1;En attente;;;;;0;25,0 %`), `formule neutralisée :\n${body}`);
    assert.ok(lines.some((l) => l.startsWith('"Jean; Pierre";"\'-2";')), 'séparateur entre guillemets, « - » neutralisé');
    assert.ok(lines.some((l) => l.startsWith('"\'@SOMME(A1)";Dupont;') && l.includes(';Échec;') && l.includes(';Numéro invalide : vérifiez-le;2;')), 'arobase neutralisée, échec en français');
    assert.ok(lines.some((l) => l.startsWith('Émilie;Dupré;') && l.includes(';Message 1;Distribué;2026-03-01T10:00:00Z;2026-03-01T10:00:05Z;;')), 'distribué avec ses dates');
    assert.ok(lines.some((l) => l.startsWith('Émilie;Dupré;') && l.includes(';Message 2;En attente;')), 'Message 2');
    // Aucune cellule ne commence par un caractère de formule hors guillemets.
    for (const l of lines.slice(1)) {
      const cells = csvCells(l);
      assert.equal(cells.length, 11, `11 colonnes : ${l}`);
      for (const cell of cells) assert.ok(!/^[=+\-@\t\r]/.test(cell), `cellule dangereuse : ${cell}`);
    }
    assert.doesNotMatch(body, /(^|;)=HYPERLINK/);
  }
  const r = await httpRaw(s, 'GET', '/api/campaigns/999999/export', { token: A.token });
  assertJsonError(r, 404, 'not_found', 'export absent');
});

// ---------------------------------------------------------------- reprise

test('reprise manuelle : remet en file réessayables / inconnus / arrêt des joignables, pas les permanents ni les désabonnés ; sending ; audit', async () => {
  const cat = await mkCat(A, 'Reprise');
  const names = ['retryable', 'unknown', 'stop', 'permanent', 'optedout', 'sent', 'nullclass'];
  const c = {};
  for (const n of names) c[n] = await mkContact(A, `Rep_${n}`, 'Rise', [cat]);
  const draft = await mkCampaign(A, { category_ids: [cat] });
  let r = await api('POST', `/api/campaigns/${draft.id}/retry`);
  assertJsonError(r, 409, 'conflict', 'brouillon');
  assert.equal(r.json.message, 'Rien à réessayer : la campagne est un brouillon ou a été annulée.');
  assert.equal(campaignRow(draft.id).status, 'draft');
  const k = await mkCampaign(A, { category_ids: [cat], launch: true });
  const fail = (who, cls, retries = 3) => setStatus(k.id, c[who], 'failed', `error_class = ${cls === null ? 'NULL' : `'${cls}'`}, retryable = ${cls === 'retryable' ? 1 : 0}, retry_count = ${retries}, error_code = 131000, error_message = 'Erreur ${who}', next_attempt_at = '2026-03-01T10:05:00Z', claimed_at = '2026-03-01T10:00:00Z'`);
  fail('retryable', 'retryable');
  fail('unknown', 'unknown', 0);
  fail('stop', 'stop', 1);
  fail('permanent', 'permanent', 0);
  fail('optedout', 'retryable');
  fail('nullclass', null, 3);
  optOut(c.optedout);
  setStatus(k.id, c.sent, 'sent');
  s.sql(`UPDATE campaigns SET status = 'failed', status_reason = 'Jeton WhatsApp expiré', completed_at = '2026-03-01T10:10:00Z' WHERE id = ${k.id}`);
  assert.deepEqual(counters(k.id), { sent_count: 7, success_count: 1, failed_count: 6 });
  const before = Object.fromEntries(messageRows(k.id).map((m) => [m.contact_id, m]));
  const auditBefore = count('audit_log', `action = 'campaign.retry'`);
  r = await api('POST', `/api/campaigns/${k.id}/retry`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { requeued: 4, skipped: { permanent: 1, opted_out: 1 } });
  const after = Object.fromEntries(messageRows(k.id).map((m) => [m.contact_id, m]));
  for (const n of ['retryable', 'unknown', 'stop', 'nullclass']) {
    const m = after[c[n]];
    assert.equal(m.status, 'pending', n);
    assert.equal(m.retry_count, 3, `${n} : une seule tentative de plus, jamais reprise par le cron`);
    assert.equal(m.next_attempt_at, null, `${n} : tout de suite`);
    assert.equal(m.claimed_at, null, n);
  }
  for (const n of ['permanent', 'optedout', 'sent']) assert.deepEqual(after[c[n]], before[c[n]], `${n} inchangé`);
  const row = campaignRow(k.id);
  assert.equal(row.status, 'sending');
  assert.equal(row.status_reason, null, 'motif effacé');
  assert.equal(row.completed_at, null);
  assert.deepEqual(counters(k.id), recount(k.id));
  assert.deepEqual(counters(k.id), { sent_count: 3, success_count: 1, failed_count: 2 });
  // Journal d'audit : qui, quoi, sur quoi, avec le bilan.
  assert.equal(count('audit_log', `action = 'campaign.retry'`), auditBefore + 1);
  const a = s.sql(`SELECT * FROM audit_log WHERE action = 'campaign.retry' ORDER BY id DESC LIMIT 1`)[0];
  assert.equal(a.user_id, A.id);
  assert.equal(a.actor_email, A.email);
  assert.equal(a.target_type, 'campaign');
  assert.equal(a.target_id, k.id);
  assert.deepEqual(JSON.parse(a.details), { requeued: 4, skipped: { permanent: 1, opted_out: 1 } });
  // Une deuxième reprise ne trouve plus rien à remettre (et le dit).
  r = await api('POST', `/api/campaigns/${k.id}/retry`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { requeued: 0, skipped: { permanent: 1, opted_out: 1 } });
  assert.equal(campaignRow(k.id).status, 'sending');
  // Une campagne terminée sans échec reprenable ne repasse pas en envoi.
  const k2 = await mkCampaign(A, { category_ids: [cat], launch: true });
  s.sql(`UPDATE messages SET status = 'sent' WHERE campaign_id = ${k2.id}`);
  s.sql(`UPDATE messages SET status = 'failed', error_class = 'permanent' WHERE campaign_id = ${k2.id} AND contact_id = ${c.permanent}`);
  s.sql(`UPDATE campaigns SET status = 'completed' WHERE id = ${k2.id}`);
  r = await api('POST', `/api/campaigns/${k2.id}/retry`);
  assert.equal(r.status, 200);
  assert.equal(r.json.requeued, 0);
  assert.equal(r.json.skipped.permanent, 1);
  assert.equal(campaignRow(k2.id).status, 'completed');
  assertJsonError(await api('POST', '/api/campaigns/999999/retry'), 404, 'not_found');
});

// ---------------------------------------------------------------- propriété

// Toutes les routes de fcgi/campaigns.c et fcgi/messages.c, lues dans le
// C ; contrôle que la lecture n'en a manqué aucune.
const SOURCES = ['fcgi/campaigns.c', 'fcgi/messages.c'].map((f) => join(ROOT, f));
function allRoutes() {
  const out = [];
  for (const f of SOURCES) {
    const table = routeTable(f);
    const en = readFileSync(f, 'utf8').match(/enum route \{([\s\S]*?)ROUTE__MAX/);
    const n = (en[1].match(/ROUTE_\w+/g) || []).length;
    assert.equal(table.length, n, `${f} : ${table.length} routes lues pour ${n} dans l'enum`);
    for (const r of table) out.push({ ...r, file: f.replace(/.*\//, '') });
  }
  return out;
}
// Nature de chaque {id} d'une route : campagne ou message.
function idKinds(pattern) {
  const parts = pattern.split('/').filter(Boolean);
  return parts.flatMap((p, i) => {
    if (p !== '{id}') return [];
    if (parts[i - 1] === 'campaigns') return ['campaign'];
    if (parts[i - 1] === 'messages') return ['message'];
    throw new Error(`{id} inattendu dans ${pattern}`);
  });
}
const fill = (pattern, ids) => { let i = 0; return pattern.replace(/\{id\}/g, () => String(ids[i++])); };

// Une requête plausible et valide pour la route, faite par `who` : le
// corps ne cite que des catégories de `who`, seul le chemin vise autre chose.
let callSeq = 0;
async function call(route, path, who, ownCat) {
  const fl = route.flags;
  const name = `Intrusion ${++callSeq}`;
  if (/\bAPI\b/.test(fl)) {
    const body = /CBW_R_JSON/.test(fl) ? { name, category_ids: [ownCat], message_1: 'Bonjour {{first_name}}', launch: false } : undefined;
    return api(route.method, path, body, who);
  }
  if (/CBW_R_FORM/.test(fl)) {
    const body = `${form({ csrf: who.csrf, name, message_1: 'Bonjour {{first_name}}', action: 'draft' })}&category=${ownCat}`;
    return http(s, route.method, path, { cookies: who.cookie, headers: FORM, body });
  }
  return http(s, route.method, path, { cookies: who.cookie });
}

function assertNotFound(r, route, path) {
  const label = `${route.file} ${route.id} ${route.method} ${path}`;
  assert.equal(r.status, 404, `${label} : ${r.status} ${r.text.slice(0, 200)}`);
  if (/\bAPI\b/.test(route.flags)) {
    assertJsonError(r, 404, 'not_found', label);
    assert.equal(r.json.message, 'Élément introuvable.', `${label} : 404 de l'élément (pas de la route)`);
  } else {
    assert.match(r.headers.get('content-type') || '', /^text\/html/, label);
    assert.match(r.text, /Élément introuvable\./, `${label} : 404 de l'élément (pas de la route)`);
  }
}

// Tout ce que B ne doit jamais toucher (toutes les lignes, pas seulement celles de A).
const SNAP_TABLES = ['campaigns', 'campaign_categories', 'messages', 'audit_log', 'categories', 'contacts', 'category_contacts'];
const snapshot = () => JSON.stringify(Object.fromEntries(SNAP_TABLES.map((t) => [t, s.sql(`SELECT * FROM ${t} ORDER BY id`)])));
function assertSame(before, after, label) {
  if (before === after) return;
  const b = JSON.parse(before), a = JSON.parse(after), diff = [];
  for (const t of Object.keys(b)) {
    const bs = new Set(b[t].map((r) => JSON.stringify(r))), as = new Set(a[t].map((r) => JSON.stringify(r)));
    for (const r of bs) if (!as.has(r)) diff.push(`${t} - ${r}`);
    for (const r of as) if (!bs.has(r)) diff.push(`${t} + ${r}`);
  }
  assert.fail(`${label} : la base a changé\n${diff.join('\n')}`);
}

// Campagnes de A dans chaque état utile, avec des lignes de messages.
async function ownedFixture(who, tag) {
  const cat = await mkCat(who, `Matrice ${tag}`);
  const cs = [];
  for (let i = 0; i < 3; i++) cs.push(await mkContact(who, `Mat${tag}${i}`, 'Rice', [cat]));
  const draft = await mkCampaign(who, { name: `Brouillon ${tag}`, category_ids: [cat] });
  const sending = await mkCampaign(who, { name: `Envoi ${tag}`, category_ids: [cat], launch: true });
  setStatus(sending.id, cs[0], 'sent');
  setStatus(sending.id, cs[1], 'failed', "error_class = 'retryable', retry_count = 3");
  const completed = await mkCampaign(who, { name: `Terminée ${tag}`, category_ids: [cat], launch: true });
  s.sql(`UPDATE messages SET status = 'failed', error_class = 'unknown' WHERE campaign_id = ${completed.id}`);
  s.sql(`UPDATE campaigns SET status = 'failed' WHERE id = ${completed.id}`);
  const msg = s.sql(`SELECT id FROM messages WHERE campaign_id = ${sending.id} ORDER BY id LIMIT 1`)[0].id;
  return { cat, draft: draft.id, sending: sending.id, completed: completed.id, msg };
}

test('la matrice couvre toutes les routes à {id} (lues dans le C)', () => {
  const routes = allRoutes();
  const withId = routes.filter((r) => r.pattern.includes('{id}'));
  assert.ok(routes.length >= 27, `routes : ${routes.length}`);
  assert.ok(withId.length >= 19, `routes à {id} : ${withId.length}`);
  for (const r of withId) assert.ok(idKinds(r.pattern).length >= 1);
  for (const v of ['GET', 'POST', 'PUT', 'DELETE']) assert.ok(withId.some((r) => r.method === v), v);
  for (const p of ['/api/campaigns/{id}/retry', '/api/campaigns/{id}/export', '/campaigns/{id}/delete', '/api/messages/{id}']) {
    assert.ok(withId.some((r) => r.pattern === p), p);
  }
});

test('matrice : B sur chaque campagne et message de A → 404 partout (API et pages, CSRF valide), rien ne change en base', async () => {
  const fxA = await ownedFixture(A, 'A');
  const bCat = await mkCat(B, 'Matrice B');
  await mkContact(B, 'Bea', 'Matrice', [bCat]);
  const routes = allRoutes().filter((r) => r.pattern.includes('{id}'));
  const start = snapshot();
  let n = 0;
  for (const route of routes) {
    const kinds = idKinds(route.pattern);
    const targets = kinds[0] === 'message' ? [[fxA.msg]] : [[fxA.draft], [fxA.sending], [fxA.completed]];
    for (const ids of targets) {
      const path = fill(route.pattern, ids);
      const before = snapshot();
      const r = await call(route, path, B, bCat);
      assertNotFound(r, route, path);
      assertSame(before, snapshot(), `${route.id} ${route.method} ${path}`);
      n++;
    }
  }
  assert.ok(n >= 55, `requêtes : ${n}`);
  assertSame(start, snapshot(), 'matrice');
  // Un identifiant qui n'existe pas : même réponse (rien n'est révélé).
  const ghost = await api('GET', '/api/campaigns/99999999', undefined, B);
  assert.equal(ghost.status, 404);
  assert.equal(ghost.text, (await api('GET', `/api/campaigns/${fxA.sending}`, undefined, B)).text);
});

// Gabarit d'une page GET à {id} (le témoin ne la vérifie que s'il existe).
const PAGE_TEMPLATE = {
  '/campaigns/{id}': 'campaign', '/campaigns/{id}/cancel': 'campaign_confirm', '/campaigns/{id}/delete': 'campaign_confirm', '/campaigns/{id}/edit': 'campaign_form',
};
// État que la route demande pour réussir quand le propriétaire l'appelle.
const stateFor = (route) => (/LAUNCH|UPDATE|EDIT|DELETE/.test(route.id) ? 'draft' : 'sending');

test('témoin : les mêmes requêtes par A sur ses propres campagnes aboutissent (la matrice ne vise pas des adresses fausses)', async () => {
  const routes = allRoutes().filter((r) => r.pattern.includes('{id}'));
  let i = 0;
  for (const route of routes) {
    const tpl = route.method === 'GET' && !/\bAPI\b/.test(route.flags) ? PAGE_TEMPLATE[route.pattern] : null;
    if (tpl && !hasTemplate(tpl)) continue;
    const fx = await ownedFixture(A, `T${++i}`);
    const id = route.pattern.startsWith('/api/messages') ? fx.msg : fx[stateFor(route)];
    const path = fill(route.pattern, [id]);
    const r = await call(route, path, A, fx.cat);
    assert.ok([200, 201, 204, 303].includes(r.status), `${route.id} ${route.method} ${path} par A : ${r.status} ${r.text.slice(0, 200)}`);
  }
});

test('listes de B : jamais les campagnes ni les messages de A (API et page)', async () => {
  const fxA = await ownedFixture(A, 'Listes');
  const aCampaigns = new Set(s.sql(`SELECT id FROM campaigns WHERE created_by = ${A.id}`).map((r) => r.id));
  const aMessages = new Set(s.sql(`SELECT m.id FROM messages m JOIN campaigns k ON k.id = m.campaign_id WHERE k.created_by = ${A.id}`).map((r) => r.id));
  assert.ok(aCampaigns.size > 3 && aMessages.size > 3);
  for (const q of ['', '?status=sending', '?status=draft', '?status=failed', '?per_page=50', '?per_page=50&page=2']) {
    const r = await api('GET', `/api/campaigns${q}`, undefined, B);
    assert.equal(r.status, 200);
    for (const k of r.json.items) assert.ok(!aCampaigns.has(k.id), `${q} : campagne ${k.id} de A`);
    assert.equal(r.json.total, s.sql(`SELECT count(*) AS n FROM campaigns WHERE created_by = ${B.id}${q.includes('status=') ? ` AND status = '${q.split('=')[1]}'` : ''}`)[0].n, q);
  }
  for (const q of ['', `?campaign_id=${fxA.sending}`, `?campaign_id=${fxA.completed}&status=failed`, `?contact_id=${s.sql(`SELECT contact_id FROM messages WHERE id = ${fxA.msg}`)[0].contact_id}`, '?per_page=50', '?status=pending']) {
    const r = await api('GET', `/api/messages${q}`, undefined, B);
    assert.equal(r.status, 200, q);
    for (const m of r.json.items) assert.ok(!aMessages.has(m.id), `${q} : message ${m.id} de A`);
    if (q.includes('_id=')) assert.equal(r.json.total, 0, q);
  }
  const page = await http(s, 'GET', '/campaigns?per_page=50', { cookies: B.cookie });
  assert.equal(page.status, 200);
  for (const name of ['Envoi Listes', 'Brouillon Listes', 'Terminée Listes']) assert.ok(!page.text.includes(name), `page : ${name}`);
  for (const id of aCampaigns) assert.ok(!page.text.includes(`href="/campaigns/${id}"`), `page : lien vers ${id}`);
  // Contrôle : A voit bien les siennes.
  const mine = await api('GET', '/api/campaigns?per_page=50');
  assert.ok(mine.json.items.some((k) => k.id === fxA.sending));
  // B ne peut pas non plus compter les destinataires d'une catégorie de A.
  assertJsonError(await api('GET', `/api/campaigns/recipients?category_ids=${fxA.cat}`, undefined, B), 404, 'not_found');
  assert.equal((await http(s, 'GET', `/campaigns/recipients?category_ids=${fxA.cat}`, { cookies: B.cookie })).status, 404);
});

// ---------------------------------------------------------------- pages

test('pages : /campaigns et /campaigns/new en français ; sans session → /login', async () => {
  const cat = await mkCat(A, 'Page liste');
  await mkContact(A, 'Paula', 'Page', [cat]);
  await mkCampaign(A, { name: 'Visible en page', category_ids: [cat], launch: true });
  let r = await http(s, 'GET', '/campaigns', { cookies: A.cookie });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(r.text, /<html lang="fr">/);
  assert.match(r.text, /Campagnes/);
  assert.match(r.text, /Nouvelle campagne/);
  assert.match(r.text, /Visible en page/);
  assert.match(r.text, /En cours d(&#39;|&#x27;|')envoi/);
  r = await http(s, 'GET', '/campaigns?status=draft', { cookies: A.cookie });
  assert.equal(r.status, 200);
  assert.ok(!r.text.includes('Visible en page'), 'filtre de statut');
  r = await http(s, 'GET', `/campaigns/new?category=${cat}`, { cookies: A.cookie });
  assert.equal(r.status, 200);
  for (const t of ['Nouvelle campagne', 'Nom de la campagne', 'Catégories', 'Message 1', 'Enregistrer le brouillon', 'Envoyer', '131047', '4096']) assert.ok(r.text.includes(t), t);
  assert.match(r.text, /<select name="category" id="campaign-category" multiple/);
  assert.match(r.text, new RegExp(`<option value="${cat}" data-reachable="1" selected>Page liste</option>`));
  assert.match(r.text, /<span class="send-count">1 destinataire<\/span>/);
  csrfOf(r.text);
  for (const p of ['/campaigns', '/campaigns/new']) {
    r = await http(s, 'GET', p);
    assert.equal(r.status, 303, p);
    assert.equal(r.headers.get('location'), '/login');
  }
});

test('page : POST /campaigns « Envoyer » → 303 vers la campagne lancée, flash « Campagne envoyée » ; « Enregistrer » → brouillon', async () => {
  const c1 = await mkCat(A, 'Page envoi 1');
  const c2 = await mkCat(A, 'Page envoi 2');
  const x = await mkContact(A, 'Pia', 'Envoi', [c1, c2]);
  await mkContact(A, 'Paco', 'Envoi', [c2]);
  assert.ok(x);
  let r = await http(s, 'POST', '/campaigns', {
    cookies: A.cookie, headers: FORM,
    body: `${form({ csrf: A.csrf, name: 'Envoyée en page', message_1: 'Salut {{first_name}} !', message_2: '', template_name: '', template_language: '', action: 'send' })}&category=${c1}&category=${c2}`,
  });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  const m = (r.headers.get('location') || '').match(/^\/campaigns\/(\d+)$/);
  assert.ok(m, r.headers.get('location'));
  const id = Number(m[1]);
  const f = flashOf(r);
  assert.equal(f.kind, 'success');
  assert.match(f.message, /^Campagne envoyée : 2 destinataires, durée estimée moins d'une minute\.$/);
  const row = campaignRow(id);
  assert.equal(row.status, 'sending');
  assert.equal(row.created_by, A.id);
  assert.equal(row.total_recipients, 2);
  assert.equal(row.message_2, null);
  assert.equal(row.template_name, null);
  assert.deepEqual(messageRows(id).map((mm) => mm.content).sort(), ['Salut Paco !', 'Salut Pia !']);
  // Brouillon.
  r = await http(s, 'POST', '/campaigns', {
    cookies: A.cookie, headers: FORM,
    body: `${form({ csrf: A.csrf, name: 'Brouillon en page', message_1: 'Bonjour', template_name: 'promo', template_params: 'first_name', action: 'draft' })}&category=${c1}`,
  });
  assert.equal(r.status, 303);
  const did = Number(r.headers.get('location').match(/^\/campaigns\/(\d+)$/)[1]);
  assert.equal(flashOf(r).kind, 'success');
  assert.equal(flashOf(r).message, 'Brouillon enregistré.');
  assert.equal(campaignRow(did).status, 'draft');
  assert.equal(campaignRow(did).template_params, '["first_name"]');
  assert.equal(count('messages', `campaign_id = ${did}`), 0);
  // Puis « Envoyer » depuis la page du brouillon.
  r = await http(s, 'POST', `/campaigns/${did}/launch`, { cookies: A.cookie, headers: FORM, body: form({ csrf: A.csrf }) });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), `/campaigns/${did}`);
  assert.match(flashOf(r).message, /^Campagne envoyée : 1 destinataire,/);
  assert.equal(campaignRow(did).status, 'sending');
  // Sans CSRF : 403, rien de créé.
  const n = count('campaigns');
  r = await http(s, 'POST', '/campaigns', { cookies: A.cookie, headers: FORM, body: `${form({ name: 'Sans jeton', message_1: 'x', action: 'send' })}&category=${c1}` });
  assert.equal(r.status, 403);
  assert.equal(count('campaigns'), n);
});

test('page : la campagne affiche le flash « Campagne envoyée » puis « Brouillon enregistré »', { skip: pending('campaign') }, async () => {
  const cat = await mkCat(A, 'Page flash');
  await mkContact(A, 'Flora', 'Flash', [cat]);
  for (const [action, text] of [['send', 'Campagne envoyée'], ['draft', 'Brouillon enregistré']]) {
    const r = await http(s, 'POST', '/campaigns', { cookies: A.cookie, headers: FORM, body: `${form({ csrf: A.csrf, name: `Flash ${action}`, message_1: 'Coucou {{first_name}}', action })}&category=${cat}` });
    assert.equal(r.status, 303);
    const page = await http(s, 'GET', r.headers.get('location'), { cookies: `${A.cookie}; ${flashOf(r).cookie}` });
    assert.equal(page.status, 200, page.text.slice(0, 300));
    assert.ok(page.text.includes(text), `${action} : « ${text} » absent`);
    assert.ok(page.text.includes(`Flash ${action}`));
  }
});

test('page : saisie invalide → 422, formulaire réaffiché avec le message tapé et l\'erreur ; aucun destinataire → erreur qui nomme la catégorie', async () => {
  const cat = await mkCat(A, 'Page erreurs');
  const empty = await mkCat(A, 'Page vide');
  await mkContact(A, 'Eva', 'Erreur', [cat]);
  const n = count('campaigns');
  const typed = 'Salut {{prenom}} <b>gras</b> & « guillemets »';
  let r = await http(s, 'POST', '/campaigns', {
    cookies: A.cookie, headers: FORM,
    body: `${form({ csrf: A.csrf, name: 'Gardée', message_1: typed, message_2: 'Suite {{first_name}}', action: 'send' })}&category=${cat}`,
  });
  assert.equal(r.status, 422);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.ok(r.text.includes('Salut {{prenom}} &lt;b&gt;gras&lt;/b&gt; &amp; « guillemets »</textarea>'), 'message tapé, échappé, dans la zone de texte');
  assert.ok(!r.text.includes('<b>gras</b>'), 'jamais de HTML brut');
  assert.match(r.text, /<p class="field-error" id="err-message_1">Variable inconnue « \{\{prenom\}\} »/);
  assert.match(r.text, /value="Gardée"/);
  assert.ok(r.text.includes('Suite {{first_name}}</textarea>'));
  assert.match(r.text, new RegExp(`<option value="${cat}" data-reachable="1" selected>`), 'catégorie toujours choisie');
  // Nom vide et pas de catégorie.
  r = await http(s, 'POST', '/campaigns', { cookies: A.cookie, headers: FORM, body: form({ csrf: A.csrf, name: '', message_1: 'Bonjour', action: 'draft' }) });
  assert.equal(r.status, 422);
  assert.match(r.text, /<p class="field-error" id="err-name">Le nom est obligatoire\.<\/p>/);
  assert.match(r.text, /<p class="field-error" id="err-category">Choisissez au moins une catégorie\.<\/p>/);
  assert.ok(r.text.includes('>Bonjour</textarea>'));
  // « Envoyer » vers une catégorie vide : reste sur le formulaire, la catégorie nommée.
  r = await http(s, 'POST', '/campaigns', { cookies: A.cookie, headers: FORM, body: `${form({ csrf: A.csrf, name: 'Vers le vide', message_1: 'Bonjour', action: 'send' })}&category=${empty}` });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="err-recipients"[^>]*>Aucun destinataire joignable : la catégorie « Page vide » est vide ou ses contacts se sont désabonnés\./);
  // Catégorie d'un autre : 422 sur le champ category.
  const theirs = await mkCat(B, 'Page de B');
  r = await http(s, 'POST', '/campaigns', { cookies: A.cookie, headers: FORM, body: `${form({ csrf: A.csrf, name: 'Volée', message_1: 'Bonjour', action: 'draft' })}&category=${theirs}` });
  assert.equal(r.status, 422);
  assert.match(r.text, /<p class="field-error" id="err-category">Catégorie introuvable/);
  assert.ok(!r.text.includes('Page de B'), 'la catégorie de B n\'est pas montrée');
  assert.equal(count('campaigns'), n, 'rien de créé');
  // Modification d'un brouillon par la page : 303, ou 422 qui garde la saisie.
  const d = await mkCampaign(A, { name: 'À modifier', category_ids: [cat] });
  r = await http(s, 'GET', `/campaigns/${d.id}/edit`, { cookies: A.cookie });
  assert.equal(r.status, 200);
  assert.match(r.text, /Modifier le brouillon « À modifier »/);
  r = await http(s, 'POST', `/campaigns/${d.id}`, { cookies: A.cookie, headers: FORM, body: `${form({ csrf: A.csrf, name: 'Modifiée', message_1: 'Lien http://[::1', action: 'draft' })}&category=${cat}` });
  assert.equal(r.status, 422);
  assert.match(r.text, /Adresse invalide : « http:\/\/\[::1 »/);
  assert.ok(r.text.includes('>Lien http://[::1</textarea>'));
  assert.equal(campaignRow(d.id).name, 'À modifier');
  r = await http(s, 'POST', `/campaigns/${d.id}`, { cookies: A.cookie, headers: FORM, body: `${form({ csrf: A.csrf, name: 'Modifiée', message_1: 'Bonjour', action: 'draft' })}&category=${cat}` });
  assert.equal(r.status, 303);
  assert.equal(campaignRow(d.id).name, 'Modifiée');
  // Une campagne lancée ne s'édite plus : retour à sa page avec l'erreur.
  const l = await mkCampaign(A, { name: 'Lancée page', category_ids: [cat], launch: true });
  r = await http(s, 'GET', `/campaigns/${l.id}/edit`, { cookies: A.cookie });
  assert.equal(r.status, 303);
  assert.equal(flashOf(r).message, 'Cette campagne est déjà lancée : elle ne peut plus être modifiée.');
  r = await http(s, 'POST', `/campaigns/${l.id}`, { cookies: A.cookie, headers: FORM, body: `${form({ csrf: A.csrf, name: 'Trop tard', message_1: 'Bonjour', action: 'draft' })}&category=${cat}` });
  assert.equal(r.status, 303);
  assert.equal(flashOf(r).kind, 'error');
  assert.equal(campaignRow(l.id).name, 'Lancée page');
});

test('page : annuler, réessayer, supprimer (303 avec flash, base à jour)', async () => {
  const cat = await mkCat(A, 'Page actions');
  const cs = [];
  for (let i = 0; i < 3; i++) cs.push(await mkContact(A, `Act${i}`, 'Ion', [cat]));
  const k = await mkCampaign(A, { category_ids: [cat], launch: true });
  setStatus(k.id, cs[0], 'failed', "error_class = 'retryable', retry_count = 3");
  setStatus(k.id, cs[1], 'failed', "error_class = 'permanent'");
  let r = await http(s, 'POST', `/campaigns/${k.id}/retry`, { cookies: A.cookie, headers: FORM, body: form({ csrf: A.csrf }) });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), `/campaigns/${k.id}`);
  assert.match(flashOf(r).message, /^1 message remis en file\. Non repris : les numéros invalides/);
  assert.equal(s.sql(`SELECT status FROM messages WHERE campaign_id = ${k.id} AND contact_id = ${cs[0]}`)[0].status, 'pending');
  assert.equal(count('audit_log', `action = 'campaign.retry' AND target_id = ${k.id}`), 1);
  r = await http(s, 'POST', `/campaigns/${k.id}/delete`, { cookies: A.cookie, headers: FORM, body: form({ csrf: A.csrf }) });
  assert.equal(r.status, 303);
  assert.equal(flashOf(r).kind, 'error', 'en cours : pas de suppression');
  assert.equal(count('campaigns', `id = ${k.id}`), 1);
  r = await http(s, 'POST', `/campaigns/${k.id}/cancel`, { cookies: A.cookie, headers: FORM, body: form({ csrf: A.csrf }) });
  assert.equal(r.status, 303);
  assert.equal(flashOf(r).message, 'Envoi annulé : 2 messages en attente arrêtés ; les messages déjà envoyés restent.');
  assert.equal(campaignRow(k.id).status, 'cancelled');
  r = await http(s, 'POST', `/campaigns/${k.id}/delete`, { cookies: A.cookie, headers: FORM, body: form({ csrf: A.csrf }) });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/campaigns');
  assert.equal(flashOf(r).message, 'Campagne supprimée.');
  assert.equal(count('campaigns', `id = ${k.id}`), 0);
  assert.equal(count('messages', `campaign_id = ${k.id}`), 0);
  // Sans CSRF : 403 et rien ne bouge.
  const k2 = await mkCampaign(A, { category_ids: [cat], launch: true });
  r = await http(s, 'POST', `/campaigns/${k2.id}/cancel`, { cookies: A.cookie, headers: FORM, body: '' });
  assert.equal(r.status, 403);
  assert.equal(campaignRow(k2.id).status, 'sending');
});
