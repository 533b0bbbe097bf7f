// Messages des campagnes, à travers la vraie pile (lighttpd + cbw-messages
// + SQLite) : GET /api/messages (filtres campaign_id, status,
// message_type, contact_id, q, from/to — chacun comparé à la même requête
// en SQL —, chronologie du détail,
// clés de chaque élément, filtres et pagination invalides → 422, plus
// récents d'abord) et GET /api/messages/{id} (200 ; 404 pour un message
// d'un autre admin comme pour un identifiant absent). Les statuts sont
// posés en SQL : l'envoi (cbw-sender) ne tourne pas ici.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login, createUser } from '../lib/stack.mjs';
import { stop, assertJsonError } from './util.mjs';

let s, A, B, fx;
const api = (p, who = A) => http(s, 'GET', p, { token: who.token });

// Ouvre une session API (super admin si email absent, sinon nouvel admin).
async function admin(email) {
  if (email) await createUser(s, (await login(s)).access_token, email);
  const mail = email || 'admin@test.com';
  const token = (await login(s, mail)).access_token;
  return { email: mail, token, id: s.sql(`SELECT id FROM users WHERE email = '${mail}'`)[0].id };
}

// Requête POST JSON d'un admin ; vérifie le statut attendu et rend le JSON.
async function post(who, path, json, want = 201) {
  const r = await http(s, 'POST', path, { token: who.token, json });
  assert.equal(r.status, want, `${path} : ${r.text}`);
  return r.json;
}

// Contact de `who` rangé dans `cats` (numéro unique) ; rend son id.
let phoneSeq = 30000000;
async function mkContact(who, first, last, cats) {
  return (await post(who, '/api/contacts', {
    country_code: '+33', phone_number: `06${String(phoneSeq++).padStart(8, '0')}`, first_name: first, last_name: last, category_ids: cats,
  })).id;
}

// Pose statut et colonnes d'un message (campagne, contact, type) en SQL.
function setMsg(campaign, contact, type, sets) {
  s.sql(`UPDATE messages SET ${sets} WHERE campaign_id = ${campaign} AND contact_id = ${contact} AND message_type = '${type}'`);
}
// Message 2 ajouté en SQL (le webhook le crée d'habitude).
function addM2(campaign, contact, status) {
  s.sql(`INSERT INTO messages(campaign_id, contact_id, message_type, content, status, created_at, updated_at) VALUES (${campaign}, ${contact}, 'message_2', 'Merci !', '${status}', '2026-03-02T09:00:00Z', '2026-03-02T09:00:00Z')`);
}

// Identifiants attendus pour une condition SQL sur les messages de `who`.
// Avec un filtre de dates (byDate), l'API range par date d'envoi (sinon de
// mise en file) décroissante, puis par id.
function sqlIds(who, where = '1', byDate = false) {
  const order = byDate ? 'coalesce(m.sent_at, m.created_at) DESC, m.id DESC' : 'm.id DESC';
  return s.sql(`SELECT m.id FROM messages m JOIN campaigns k ON k.id = m.campaign_id WHERE k.created_by = ${who.id} AND ${where} ORDER BY ${order}`).map((r) => r.id);
}
// Tous les identifiants d'une liste, page après page (50 par page).
async function allIds(query, who = A) {
  const out = [];
  for (let p = 1; ; p++) {
    const r = await api(`/api/messages?per_page=50&page=${p}${query ? `&${query}` : ''}`, who);
    assert.equal(r.status, 200, `${query} : ${r.text}`);
    out.push(...r.json.items.map((m) => m.id));
    if (r.json.items.length < 50) {
      assert.equal(r.json.total, out.length, `${query} : total`);
      return out;
    }
  }
}

const REQUIRED_KEYS = ['id', 'campaign_id', 'contact_id', 'full_number', 'message_type', 'status', 'whatsapp_message_id', 'error_message', 'retry_count', 'sent_at', 'delivered_at', 'read_at'];

before(async () => {
  s = await startStack();
  A = await admin();
  B = await admin('msg-b@test.com');
  // Deux campagnes de A qui partagent un contact, une campagne de B.
  const cat1 = (await post(A, '/api/categories', { name: 'Messages Un' })).id;
  const cat2 = (await post(A, '/api/categories', { name: 'Messages Deux' })).id;
  const k1 = await mkContact(A, 'Karim', 'Un', [cat1]);
  const k2 = await mkContact(A, 'Léa', 'Deux', [cat1]);
  const k3 = await mkContact(A, 'Maël', 'Trois', [cat1, cat2]);
  const k4 = await mkContact(A, 'Nina', 'Quatre', [cat2]);
  const c1 = (await post(A, '/api/campaigns', { name: 'Messages campagne 1', category_ids: [cat1], message_1: 'Bonjour {{first_name}}', launch: true })).id;
  const c2 = (await post(A, '/api/campaigns', { name: 'Messages campagne 2', category_ids: [cat2], message_1: 'Salut {{first_name}}', launch: true })).id;
  setMsg(c1, k1, 'message_1', "status = 'read', whatsapp_message_id = 'wamid.K1', sent_at = '2026-03-01T10:00:00Z', delivered_at = '2026-03-01T10:00:03Z', read_at = '2026-03-01T10:05:00Z'");
  setMsg(c1, k2, 'message_1', "status = 'failed', error_code = 131026, error_message = 'Numéro absent de WhatsApp', error_class = 'permanent', retry_count = 2, failed_at = '2026-03-01T10:00:00Z'");
  setMsg(c1, k3, 'message_1', "status = 'sent', whatsapp_message_id = 'wamid.K3', sent_at = '2026-03-01T10:00:01Z'");
  setMsg(c2, k4, 'message_1', "status = 'delivered', whatsapp_message_id = 'wamid.K4', sent_at = '2026-03-01T10:00:02Z', delivered_at = '2026-03-01T10:00:09Z'");
  // c2 / k3 : reste en attente.
  addM2(c1, k1, 'pending');
  addM2(c2, k4, 'sent');
  const bcat = (await post(B, '/api/categories', { name: 'Messages de B' })).id;
  const bk = await mkContact(B, 'Bruno', 'Bé', [bcat]);
  const bc = (await post(B, '/api/campaigns', { name: 'Campagne de B', category_ids: [bcat], message_1: 'Coucou', launch: true })).id;
  const msg = (c, k, t = 'message_1') => s.sql(`SELECT id FROM messages WHERE campaign_id = ${c} AND contact_id = ${k} AND message_type = '${t}'`)[0].id;
  fx = { cat1, cat2, k1, k2, k3, k4, c1, c2, bk, bc, m: { k1: msg(c1, k1), k2: msg(c1, k2), k3c1: msg(c1, k3), k3c2: msg(c2, k3), k4: msg(c2, k4), k1m2: msg(c1, k1, 'message_2'), b: msg(bc, bk) } };
});
after(async () => { await stop(s); });

test('liste : 200, plus récents d\'abord, seulement les messages de ses campagnes, clés demandées', async () => {
  const r = await api('/api/messages');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), ['items', 'page', 'per_page', 'total']);
  assert.equal(r.json.page, 1);
  assert.equal(r.json.per_page, 20);
  assert.equal(r.json.total, 7);
  assert.deepEqual(r.json.items.map((m) => m.id), sqlIds(A), 'plus récents d\'abord, ceux de A seulement');
  assert.ok(!r.json.items.some((m) => m.id === fx.m.b), 'message de B visible par A');
  for (const m of r.json.items) for (const k of REQUIRED_KEYS) assert.ok(k in m, `clé ${k} absente de ${JSON.stringify(m)}`);
  // Valeurs : celles de la base, numéro complet du contact.
  const row = (id) => r.json.items.find((m) => m.id === id);
  const read = row(fx.m.k1);
  assert.equal(read.campaign_id, fx.c1);
  assert.equal(read.contact_id, fx.k1);
  assert.equal(read.full_number, s.sql(`SELECT full_number FROM contacts WHERE id = ${fx.k1}`)[0].full_number);
  assert.match(read.full_number, /^\+33\d{9}$/);
  assert.equal(read.message_type, 'message_1');
  assert.equal(read.status, 'read');
  assert.equal(read.whatsapp_message_id, 'wamid.K1');
  assert.equal(read.sent_at, '2026-03-01T10:00:00Z');
  assert.equal(read.delivered_at, '2026-03-01T10:00:03Z');
  assert.equal(read.read_at, '2026-03-01T10:05:00Z');
  assert.equal(read.error_message, null);
  assert.equal(read.retry_count, 0);
  const failed = row(fx.m.k2);
  assert.equal(failed.status, 'failed');
  assert.equal(failed.error_message, 'Numéro absent de WhatsApp');
  assert.equal(failed.retry_count, 2);
  assert.equal(failed.whatsapp_message_id, null);
  assert.equal(failed.sent_at, null);
  assert.equal(row(fx.m.k3c2).status, 'pending');
  assert.equal(row(fx.m.k3c2).content, 'Salut Maël', 'contenu rendu pour le contact');
  assert.equal(row(fx.m.k1m2).message_type, 'message_2');
  // B ne voit que le sien.
  const rb = await api('/api/messages', B);
  assert.deepEqual(rb.json.items.map((m) => m.id), [fx.m.b]);
  assert.equal(rb.json.total, 1);
  // Sans jeton : 401.
  assertJsonError(await http(s, 'GET', '/api/messages'), 401, 'unauthorized');
});

test('filtres campaign_id, status, message_type, contact_id (seuls et combinés) : exactement ce que dit SQL', async () => {
  const all = sqlIds(A);
  const cases = [
    [`campaign_id=${fx.c1}`, `m.campaign_id = ${fx.c1}`],
    [`campaign_id=${fx.c2}`, `m.campaign_id = ${fx.c2}`],
    ['status=failed', `m.status = 'failed'`],
    ['status=pending', `m.status = 'pending'`],
    ['status=read', `m.status = 'read'`],
    ['status=sent', `m.status = 'sent'`],
    ['status=cancelled', `m.status = 'cancelled'`],
    ['message_type=message_1', `m.message_type = 'message_1'`],
    ['message_type=message_2', `m.message_type = 'message_2'`],
    [`contact_id=${fx.k3}`, `m.contact_id = ${fx.k3}`],
    [`contact_id=${fx.k1}`, `m.contact_id = ${fx.k1}`],
    [`campaign_id=${fx.c2}&contact_id=${fx.k3}`, `m.campaign_id = ${fx.c2} AND m.contact_id = ${fx.k3}`],
    [`campaign_id=${fx.c1}&status=sent`, `m.campaign_id = ${fx.c1} AND m.status = 'sent'`],
    [`contact_id=${fx.k1}&message_type=message_2`, `m.contact_id = ${fx.k1} AND m.message_type = 'message_2'`],
    [`status=pending&message_type=message_1`, `m.status = 'pending' AND m.message_type = 'message_1'`],
    [`campaign_id=${fx.c1}&status=pending&message_type=message_2&contact_id=${fx.k1}`, `m.campaign_id = ${fx.c1} AND m.status = 'pending' AND m.message_type = 'message_2' AND m.contact_id = ${fx.k1}`],
    // Vides : pas de filtre.
    ['campaign_id=&status=&message_type=&contact_id=', '1'],
    // Identifiants d'un autre admin ou absents : liste vide (rien n'est révélé).
    [`campaign_id=${fx.bc}`, '0'],
    [`contact_id=${fx.bk}`, '0'],
    ['campaign_id=999999', '0'],
  ];
  for (const [q, where] of cases) {
    const want = sqlIds(A, where);
    const got = await allIds(q);
    assert.deepEqual(got, want, q);
    // Chaque filtre non vide change vraiment le résultat (sinon il ne filtrerait rien).
    if (where !== '1') assert.notDeepEqual(got, all, `${q} ne filtre rien`);
    const r = await api(`/api/messages?${q}`);
    for (const m of r.json.items) {
      if (q.startsWith('campaign_id=') && where !== '1' && where !== '0') assert.equal(m.campaign_id, Number(q.match(/campaign_id=(\d+)/)[1]));
      if (/status=(\w+)/.test(q)) assert.equal(m.status, q.match(/status=(\w+)/)[1]);
      if (/message_type=(\w+)/.test(q)) assert.equal(m.message_type, q.match(/message_type=(\w+)/)[1]);
      if (/contact_id=(\d+)/.test(q)) assert.equal(m.contact_id, Number(q.match(/contact_id=(\d+)/)[1]));
    }
  }
  // Le filtre suit la base : un statut changé en SQL change la réponse.
  setMsg(fx.c2, fx.k3, 'message_1', "status = 'cancelled'");
  assert.deepEqual(await allIds('status=cancelled'), [fx.m.k3c2]);
  assert.ok(!(await allIds('status=pending')).includes(fx.m.k3c2));
  setMsg(fx.c2, fx.k3, 'message_1', "status = 'pending'");
  assert.deepEqual(await allIds('status=cancelled'), []);
});

test('filtres invalides → 422 avec le champ en français ; pagination bornée', async () => {
  const bad = [
    ['status=foo', 'status', /^Statut inconnu/],
    ['status=SENT', 'status', /^Statut inconnu/],
    ["status=sent' OR '1'='1", 'status', /^Statut inconnu/],
    ['message_type=x', 'message_type', /^Type inconnu/],
    ['message_type=message_3', 'message_type', /^Type inconnu/],
    ['campaign_id=abc', 'campaign_id', 'Identifiant invalide (entier positif attendu).'],
    ['campaign_id=0', 'campaign_id', /Identifiant invalide/],
    ['campaign_id=-1', 'campaign_id', /Identifiant invalide/],
    ['campaign_id=1.5', 'campaign_id', /Identifiant invalide/],
    ['contact_id=x', 'contact_id', /Identifiant invalide/],
    ['contact_id=99999999999999999999', 'contact_id', /Identifiant invalide/],
  ];
  for (const [q, field, want] of bad) {
    const r = await api(`/api/messages?${q.split('&').map((kv) => kv.replace(/=(.*)$/, (_, v) => `=${encodeURIComponent(v)}`)).join('&')}`);
    assertJsonError(r, 422, 'validation_error', q);
    assert.ok(r.json.fields, q);
    if (want instanceof RegExp) assert.match(r.json.fields[field], want, q);
    else assert.equal(r.json.fields[field], want, q);
  }
  // Plusieurs erreurs à la fois : toutes nommées.
  const r = await api('/api/messages?status=foo&message_type=x&campaign_id=abc&contact_id=-2');
  assertJsonError(r, 422, 'validation_error', 'toutes');
  assert.deepEqual(Object.keys(r.json.fields).sort(), ['campaign_id', 'contact_id', 'message_type', 'status']);
  // Pagination.
  for (const pp of ['0', '51', '-1', 'x']) {
    const x = await api(`/api/messages?per_page=${pp}`);
    assertJsonError(x, 422, 'validation_error', `per_page=${pp}`);
    assert.equal(x.json.fields.per_page, 'per_page doit être un entier entre 1 et 50.');
  }
  for (const pg of ['0', '-1', 'x']) {
    const x = await api(`/api/messages?page=${pg}`);
    assertJsonError(x, 422, 'validation_error', `page=${pg}`);
    assert.ok(x.json.fields.page);
  }
  const all = sqlIds(A);
  const pages = [];
  for (let p = 1; p <= 3; p++) {
    const x = await api(`/api/messages?per_page=3&page=${p}`);
    assert.equal(x.status, 200);
    assert.equal(x.json.total, all.length);
    assert.equal(x.json.page, p);
    assert.equal(x.json.per_page, 3);
    assert.ok(x.json.items.length <= 3);
    pages.push(...x.json.items.map((m) => m.id));
  }
  assert.deepEqual(pages, all, 'pages contiguës');
  const past = await api('/api/messages?per_page=3&page=50');
  assert.equal(past.status, 200);
  assert.deepEqual(past.json.items, []);
  assert.equal(past.json.total, all.length);
  assert.equal((await api('/api/messages?per_page=50')).json.items.length, all.length);
});

test('GET /api/messages/{id} : 200 avec les valeurs de la base ; 404 pour un message d\'un autre admin et pour un id absent', async () => {
  let r = await api(`/api/messages/${fx.m.k2}`);
  assert.equal(r.status, 200, r.text);
  for (const k of REQUIRED_KEYS) assert.ok(k in r.json, k);
  const row = s.sql(`SELECT m.*, c.full_number FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.id = ${fx.m.k2}`)[0];
  for (const k of REQUIRED_KEYS) assert.equal(r.json[k], row[k], k);
  assert.equal(r.json.error_message, 'Numéro absent de WhatsApp');
  assert.equal(r.json.campaign_name, 'Messages campagne 1');
  // La même forme que dans la liste, plus la chronologie du détail.
  const inList = (await api(`/api/messages?campaign_id=${fx.c1}&per_page=50`)).json.items.find((m) => m.id === fx.m.k2);
  const { timeline, ...detail } = r.json;
  assert.ok(Array.isArray(timeline));
  assert.deepEqual(detail, inList);
  r = await api(`/api/messages/${fx.m.k4}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.whatsapp_message_id, 'wamid.K4');
  assert.equal(r.json.delivered_at, '2026-03-01T10:00:09Z');
  // Message de B demandé par A, de A demandé par B, absent : 404 identiques.
  const before = JSON.stringify(s.sql('SELECT * FROM messages ORDER BY id'));
  const notFound = [];
  for (const [id, who] of [[fx.m.b, A], [fx.m.k1, B], [fx.m.k3c2, B], [999999, A], [999999, B]]) {
    const x = await api(`/api/messages/${id}`, who);
    assertJsonError(x, 404, 'not_found', `message ${id} par ${who.email}`);
    assert.equal(x.json.message, 'Élément introuvable.');
    notFound.push(x.text);
  }
  assert.equal(new Set(notFound).size, 1, 'un message d\'un autre admin ne se distingue pas d\'un absent');
  assert.equal(JSON.stringify(s.sql('SELECT * FROM messages ORDER BY id')), before);
  // B retrouve le sien.
  r = await api(`/api/messages/${fx.m.b}`, B);
  assert.equal(r.status, 200);
  assert.equal(r.json.campaign_id, fx.bc);
  // Méthodes non prévues : 405 ; identifiant non numérique : 404.
  assert.equal((await http(s, 'DELETE', `/api/messages/${fx.m.k1}`, { token: A.token })).status, 405);
  assert.equal((await http(s, 'POST', '/api/messages', { token: A.token, json: {} })).status, 405);
  assert.equal((await api('/api/messages/abc')).status, 404);
  assert.equal(count(fx.m.k1), 1, 'rien de supprimé');
});

// Présence d'un message en base.
const count = (id) => s.sql(`SELECT count(*) AS n FROM messages WHERE id = ${id}`)[0].n;

test('un message suit sa campagne : supprimée (annulée puis effacée), ses messages disparaissent de l\'API', async () => {
  const cat = (await post(A, '/api/categories', { name: 'Messages éphémères' })).id;
  const k = await mkContact(A, 'Éphé', 'Mère', [cat]);
  const c = (await post(A, '/api/campaigns', { name: 'Éphémère', category_ids: [cat], message_1: 'Bonjour', launch: true })).id;
  const id = s.sql(`SELECT id FROM messages WHERE campaign_id = ${c} AND contact_id = ${k}`)[0].id;
  assert.equal((await api(`/api/messages/${id}`)).status, 200);
  assert.deepEqual(await allIds(`campaign_id=${c}`), [id]);
  assert.equal((await post(A, `/api/campaigns/${c}/cancel`, undefined, 200)).status, 'cancelled');
  const r = await api(`/api/messages/${id}`);
  assert.equal(r.json.status, 'cancelled');
  assert.equal((await http(s, 'DELETE', `/api/campaigns/${c}`, { token: A.token })).status, 204);
  assertJsonError(await api(`/api/messages/${id}`), 404, 'not_found', 'après suppression');
  assert.deepEqual(await allIds(`campaign_id=${c}`), []);
  assert.equal(count(id), 0);
});

test('q (nom sans accents ni casse, chiffres du numéro), from/to (jours locaux, Europe/Paris) : exactement ce que dit SQL', async () => {
  assert.deepEqual(await allIds('q=LEA'), sqlIds(A, `m.contact_id = ${fx.k2}`));
  assert.deepEqual(await allIds('q=mael%20trois'), sqlIds(A, `m.contact_id = ${fx.k3}`));
  const num = s.sql(`SELECT full_number AS n FROM contacts WHERE id = ${fx.k4}`)[0].n;
  assert.deepEqual(await allIds(`q=${encodeURIComponent(num.slice(-6))}`), sqlIds(A, `m.contact_id = ${fx.k4}`));
  assert.deepEqual(await allIds('q=personne'), []);
  assert.deepEqual(await allIds('q=bruno'), [], 'jamais les contacts d\'un autre admin');
  // Jours locaux : 2026-03-01 à Paris = [2026-02-28T23:00:00Z, 2026-03-01T22:59:59Z].
  s.sql(`UPDATE messages SET sent_at = '2026-02-28T23:30:00Z' WHERE id = ${fx.m.k3c1}`);
  const day = "coalesce(m.sent_at, m.created_at) BETWEEN '2026-02-28T23:00:00Z' AND '2026-03-01T22:59:59Z'";
  assert.deepEqual(await allIds('from=2026-03-01&to=2026-03-01'), sqlIds(A, day, true));
  assert.ok((await allIds('from=2026-03-01&to=2026-03-01')).includes(fx.m.k3c1), '23 h 30 UTC la veille = 00 h 30 à Paris');
  assert.deepEqual(await allIds('to=2026-02-28'), sqlIds(A, "coalesce(m.sent_at, m.created_at) <= '2026-02-28T22:59:59Z'", true));
  assert.deepEqual(await allIds('from=2026-03-02'), sqlIds(A, "coalesce(m.sent_at, m.created_at) >= '2026-03-01T23:00:00Z'", true));
  assert.deepEqual(await allIds(`from=2026-03-01&to=2026-03-01&q=karim&campaign_id=${fx.c1}`), sqlIds(A, `${day} AND m.contact_id = ${fx.k1} AND m.campaign_id = ${fx.c1}`, true));
  for (const [q, field] of [['from=2026-02-30', 'from'], ['to=01/03/2026', 'to'], ['from=2026-3-1', 'from'], ['from=2026-03-02&to=2026-03-01', 'to']]) {
    const r = await api(`/api/messages?${q}`);
    assertJsonError(r, 422, 'validation_error');
    assert.ok(r.json.fields[field], `${q} : ${r.text}`);
  }
});

test('GET /api/messages/{id} : chronologie (mis en file, envoyé, distribué, lu, réponse) dans l\'ordre du temps', async () => {
  s.sql(`INSERT INTO interactions(campaign_id, contact_id, message_id, interaction_type, content, whatsapp_message_id, received_at) VALUES
    (${fx.c1}, ${fx.k1}, ${fx.m.k1}, 'read', NULL, 'wamid.K1', '2026-03-01T10:05:00Z'),
    (${fx.c1}, ${fx.k1}, ${fx.m.k1}, 'delivered', NULL, 'wamid.K1', '2026-03-01T10:00:03Z'),
    (${fx.c1}, ${fx.k1}, ${fx.m.k1}, 'reply', 'Avec plaisir <b>!</b>', 'wamid.in.K1', '2026-03-01T10:06:00Z')`);
  const r = await api(`/api/messages/${fx.m.k1}`);
  assert.equal(r.status, 200, r.text);
  const created = s.sql(`SELECT created_at AS c FROM messages WHERE id = ${fx.m.k1}`)[0].c;
  const tl = r.json.timeline.map((e) => [e.type, e.at, e.content]);
  const want = [['sent', '2026-03-01T10:00:00Z', null], ['delivered', '2026-03-01T10:00:03Z', null],
    ['read', '2026-03-01T10:05:00Z', null], ['reply', '2026-03-01T10:06:00Z', 'Avec plaisir <b>!</b>'], ['created', created, null]]
    .sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  assert.deepEqual(tl, want);
  assert.deepEqual(r.json.timeline.map((e) => e.label).filter((l) => l !== 'Mis en file'), ['Envoyé à WhatsApp', 'Distribué', 'Lu', 'Réponse du contact']);
  // Échec : l'événement porte le texte d'erreur.
  const f = await api(`/api/messages/${fx.m.k2}`);
  const failed = f.json.timeline.find((e) => e.type === 'failed');
  assert.equal(failed.content, 'Numéro absent de WhatsApp');
  assert.equal(failed.at, '2026-03-01T10:00:00Z');
  // Toujours 404 pour l'autre admin.
  assert.equal((await api(`/api/messages/${fx.m.k1}`, B)).status, 404);
});
