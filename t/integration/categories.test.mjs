// Catégories : API /api/categories (liste paginée et recherche, création,
// lecture, modification, suppression, ajout et retrait de contacts,
// contact_count et last_sent_at), nom unique par admin sans tenir compte
// de la casse, couleurs de la palette, propriétés 2 (lien visible des deux
// côtés) et 3 (supprimer une catégorie ne supprime jamais un contact), et
// pages /categories (cartes, création, fiche, ajout, retrait, suppression).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login, createUser } from '../lib/stack.mjs';
import { stop, assertJsonError, htmlLogin, csrfOf, form, FORM } from './util.mjs';

let s, su, tb, ownerId, html;
before(async () => {
  s = await startStack();
  su = (await login(s)).access_token;
  ownerId = s.sql(`SELECT id FROM users WHERE email = 'admin@test.com'`)[0].id;
  await createUser(s, su, 'cat-b@test.com');
  tb = (await login(s, 'cat-b@test.com')).access_token;
  html = await htmlLogin(s);
});
after(async () => { await stop(s); });

const api = (m, p, json, token = su) => http(s, m, p, json === undefined ? { token } : { token, json });
const CAT_KEYS = ['color', 'color_key', 'contact_count', 'created_at', 'id', 'last_sent_at', 'name', 'updated_at'];
const PALETTE = {
  vert: '#128c7e', emeraude: '#1fa855', bleu: '#1e88e5', indigo: '#3949ab', violet: '#8e24aa',
  rose: '#d81b60', rouge: '#e53935', orange: '#f57c00', jaune: '#f9a825', gris: '#546e7a',
};
const catCount = () => s.sql('SELECT count(*) AS n FROM categories')[0].n;
const contactCount = () => s.sql('SELECT count(*) AS n FROM contacts')[0].n;
const links = (cat) => s.sql(`SELECT contact_id FROM category_contacts WHERE category_id = ${cat} ORDER BY contact_id`).map((r) => r.contact_id);

async function mkCat(name, color, token = su) {
  const r = await api('POST', '/api/categories', color ? { name, color } : { name }, token);
  assert.equal(r.status, 201, `catégorie ${name} : ${r.text}`);
  return r.json;
}
let phoneSeq = 10000000;
async function mkContact(first, last, extra = {}, token = su) {
  const r = await api('POST', '/api/contacts', {
    country_code: '+33', phone_number: `06${String(phoneSeq++).padStart(8, '0')}`, first_name: first, last_name: last, ...extra,
  }, token);
  assert.equal(r.status, 201, `contact ${first} : ${r.text}`);
  return r.json;
}

test('création : 201, palette par clé ou hexadécimal, couleur stockée en hex, color_key, nom nettoyé', async () => {
  const n = catCount();
  let r = await api('POST', '/api/categories', { name: '  Clients fidèles  ', color: 'bleu' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), CAT_KEYS);
  assert.equal(typeof r.json.id, 'number');
  assert.equal(r.json.name, 'Clients fidèles');
  assert.equal(r.json.color, '#1e88e5');
  assert.equal(r.json.color_key, 'bleu');
  assert.equal(r.json.contact_count, 0);
  assert.equal(r.json.last_sent_at, null);
  const row = s.sql(`SELECT * FROM categories WHERE id = ${r.json.id}`)[0];
  assert.equal(row.color, '#1e88e5', 'couleur stockée en hexadécimal');
  assert.equal(row.created_by, ownerId);
  assert.equal(row.name, 'Clients fidèles');
  // Hexadécimal de la palette (casse quelconque) : accepté, rangé en minuscules.
  r = await api('POST', '/api/categories', { name: 'Rouges', color: '#E53935' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.color, '#e53935');
  assert.equal(r.json.color_key, 'rouge');
  // Chaque clé de la palette.
  for (const [key, hex] of Object.entries(PALETTE)) {
    r = await api('POST', '/api/categories', { name: `Palette ${key}`, color: key });
    assert.equal(r.status, 201, `${key} : ${r.text}`);
    assert.equal(r.json.color, hex);
    assert.equal(r.json.color_key, key);
  }
  // Sans couleur : une couleur de la palette.
  r = await api('POST', '/api/categories', { name: 'Sans couleur' });
  assert.equal(r.status, 201);
  assert.ok(Object.values(PALETTE).includes(r.json.color), r.json.color);
  assert.equal(PALETTE[r.json.color_key], r.json.color);
  assert.equal(catCount(), n + 3 + Object.keys(PALETTE).length);
});

test('saisie invalide : 422 avec message français par champ, rien de créé', async () => {
  const n = catCount();
  const cases = [
    [{}, { name: 'Le nom est obligatoire.' }],
    [{ name: '' }, { name: 'Le nom est obligatoire.' }],
    [{ name: '   ' }, { name: 'Le nom est obligatoire.' }],
    [{ name: 'x'.repeat(101) }, { name: /trop long/ }],
    [{ name: 'é'.repeat(101) }, { name: /trop long/ }],
    [{ name: 'a\u0001b' }, { name: /caractères de contrôle/ }],
    [{ name: 42 }, { name: /chaîne/ }],
    [{ name: 'Couleur', color: '#123456' }, { color: 'Couleur invalide : choisissez une couleur de la palette.' }],
    [{ name: 'Couleur', color: 'blue' }, { color: /Couleur invalide/ }],
    [{ name: 'Couleur', color: 'red' }, { color: /Couleur invalide/ }],
    [{ name: 'Couleur', color: '1e88e5' }, { color: /Couleur invalide/ }],
    [{ name: 'Couleur', color: 'javascript:alert(1)' }, { color: /Couleur invalide/ }],
    [{ name: 'Couleur', color: 7 }, { color: /chaîne/ }],
    [{ color: 'mauve' }, { name: /obligatoire/, color: /Couleur invalide/ }],
  ];
  for (const [body, want] of cases) {
    const r = await api('POST', '/api/categories', body);
    const label = JSON.stringify(body).slice(0, 60);
    assertJsonError(r, 422, 'validation_error', label);
    assert.deepEqual(Object.keys(r.json.fields).sort(), Object.keys(want).sort(), label);
    for (const [k, v] of Object.entries(want)) {
      if (v instanceof RegExp) assert.match(r.json.fields[k], v, `${label} : ${k}`);
      else assert.equal(r.json.fields[k], v, `${label} : ${k}`);
    }
  }
  // Exactement 100 caractères (accentués) : accepté.
  assert.equal((await api('POST', '/api/categories', { name: 'é'.repeat(100) })).status, 201);
  assert.equal(catCount(), n + 1);
  // Corps non JSON, mauvais type de contenu.
  assert.equal((await http(s, 'POST', '/api/categories', { token: su, body: '{', headers: { 'Content-Type': 'application/json' } })).status, 400);
  assert.equal((await http(s, 'POST', '/api/categories', { token: su, body: 'name=x', headers: FORM })).status, 415);
  // Sans jeton : 401.
  assertJsonError(await http(s, 'GET', '/api/categories'), 401, 'unauthorized');
  assertJsonError(await http(s, 'POST', '/api/categories', { json: { name: 'x' } }), 401, 'unauthorized');
  assert.equal(catCount(), n + 1);
});

test('nom unique par admin, sans tenir compte de la casse : 409 en français ; un autre admin peut l\'avoir', async () => {
  const a = await mkCat('Fournisseurs');
  const n = catCount();
  for (const name of ['Fournisseurs', 'FOURNISSEURS', 'fournisseurs', '  Fournisseurs ']) {
    const r = await api('POST', '/api/categories', { name });
    assertJsonError(r, 409, 'conflict', name);
    assert.equal(r.json.message, 'Vous avez déjà une catégorie de ce nom.');
    assert.equal(r.json.fields.name, 'Vous avez déjà une catégorie de ce nom.');
  }
  assert.equal(catCount(), n);
  // L'admin B peut avoir la même catégorie.
  const b = await mkCat('Fournisseurs', 'vert', tb);
  assert.notEqual(b.id, a.id);
  // Renommer une autre catégorie vers ce nom : 409, rien de changé.
  const other = await mkCat('Partenaires', 'gris');
  let r = await api('PUT', `/api/categories/${other.id}`, { name: 'fournisseurs' });
  assertJsonError(r, 409, 'conflict', 'PUT doublon');
  assert.equal(r.json.fields.name, 'Vous avez déjà une catégorie de ce nom.');
  assert.equal(s.sql(`SELECT name FROM categories WHERE id = ${other.id}`)[0].name, 'Partenaires');
  // Changer la casse de son propre nom : autorisé.
  r = await api('PUT', `/api/categories/${a.id}`, { name: 'FOURNISSEURS' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, 'FOURNISSEURS');
});

test('nom unique aussi pour la casse des lettres accentuées (« École » / « école »)', async () => {
  await mkCat('École primaire');
  const n = catCount();
  for (const name of ['école primaire', 'ÉCOLE PRIMAIRE']) {
    const r = await api('POST', '/api/categories', { name });
    assert.equal(r.status, 409, `${name} : ${r.status} ${r.text}`);
    assert.equal(r.json.fields.name, 'Vous avez déjà une catégorie de ce nom.');
  }
  assert.equal(catCount(), n);
});

test('liste : enveloppe paginée, per_page ≤ 50, total, tri par nom, recherche q', async () => {
  const t = (await createUser(s, su, 'cat-list@test.com')) && (await login(s, 'cat-list@test.com')).access_token;
  const names = ['Zèbres', 'alpha', 'Bêta', 'gamma', 'Delta', 'epsilon', 'Clients VIP', 'clients pros'];
  for (const nm of names) await mkCat(nm, 'indigo', t);
  let r = await api('GET', '/api/categories', undefined, t);
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.json).sort(), ['items', 'page', 'per_page', 'total']);
  assert.equal(r.json.total, names.length);
  assert.equal(r.json.page, 1);
  assert.equal(r.json.per_page, 20);
  for (const c of r.json.items) assert.deepEqual(Object.keys(c).sort(), CAT_KEYS);
  const all = r.json.items.map((c) => c.name);
  assert.deepEqual(all, ['alpha', 'Bêta', 'clients pros', 'Clients VIP', 'Delta', 'epsilon', 'gamma', 'Zèbres'], 'tri par nom sans casse');
  // Pages.
  r = await api('GET', '/api/categories?per_page=3&page=2', undefined, t);
  assert.equal(r.status, 200);
  assert.equal(r.json.total, names.length);
  assert.equal(r.json.page, 2);
  assert.equal(r.json.per_page, 3);
  assert.deepEqual(r.json.items.map((c) => c.name), all.slice(3, 6));
  r = await api('GET', '/api/categories?per_page=50&page=9', undefined, t);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items, []);
  assert.equal(r.json.total, names.length);
  // Pagination invalide : 422.
  for (const v of ['0', '51', '-1', 'abc', '', '2.5', '1e1']) {
    r = await api('GET', `/api/categories?per_page=${v}`, undefined, t);
    assertJsonError(r, 422, 'validation_error', `per_page=${v}`);
    assert.match(r.json.fields.per_page, /entre 1 et 50/);
  }
  for (const v of ['0', '-3', 'x']) {
    r = await api('GET', `/api/categories?page=${v}`, undefined, t);
    assertJsonError(r, 422, 'validation_error', `page=${v}`);
    assert.ok(r.json.fields.page);
  }
  // Recherche par nom, sans casse ; le total suit le filtre.
  r = await api('GET', '/api/categories?q=CLIENTS', undefined, t);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items.map((c) => c.name), ['clients pros', 'Clients VIP']);
  assert.equal(r.json.total, 2);
  r = await api('GET', `/api/categories?q=${encodeURIComponent('vip')}`, undefined, t);
  assert.deepEqual(r.json.items.map((c) => c.name), ['Clients VIP']);
  r = await api('GET', `/api/categories?q=${encodeURIComponent('bêta')}`, undefined, t);
  assert.deepEqual(r.json.items.map((c) => c.name), ['Bêta']);
  r = await api('GET', '/api/categories?q=introuvable', undefined, t);
  assert.deepEqual(r.json.items, []);
  assert.equal(r.json.total, 0);
  r = await api('GET', `/api/categories?q=${encodeURIComponent("%' OR 1=1 --")}`, undefined, t);
  assert.equal(r.status, 200);
  assert.equal(r.json.total, 0);
  r = await api('GET', '/api/categories?q=clients&per_page=1&page=2', undefined, t);
  assert.equal(r.json.total, 2);
  assert.deepEqual(r.json.items.map((c) => c.name), ['Clients VIP']);
});

test('recherche q sans tenir compte de la casse des lettres accentuées', async () => {
  const t = (await createUser(s, su, 'cat-acc@test.com')) && (await login(s, 'cat-acc@test.com')).access_token;
  await mkCat('Élèves', 'rose', t);
  await mkCat('Éditeurs', 'rose', t);
  for (const term of ['élèves', 'ÉLÈVES', 'Élèves']) {
    const r = await api('GET', `/api/categories?q=${encodeURIComponent(term)}`, undefined, t);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.items.map((c) => c.name), ['Élèves'], `q=${term}`);
  }
});

test('lecture, modification partielle, suppression ; 404 pour une catégorie absente', async () => {
  const c = await mkCat('Lecture', 'vert');
  let r = await api('GET', `/api/categories/${c.id}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, c);
  // Couleur seule : le nom reste.
  r = await api('PUT', `/api/categories/${c.id}`, { color: 'orange' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, 'Lecture');
  assert.equal(r.json.color, '#f57c00');
  assert.equal(r.json.color_key, 'orange');
  // Nom seul : la couleur reste.
  r = await api('PUT', `/api/categories/${c.id}`, { name: 'Lecture 2' });
  assert.equal(r.status, 200);
  assert.equal(r.json.name, 'Lecture 2');
  assert.equal(r.json.color, '#f57c00');
  assert.deepEqual(s.sql(`SELECT name, color FROM categories WHERE id = ${c.id}`)[0], { name: 'Lecture 2', color: '#f57c00' });
  // Modification invalide : 422, rien de changé.
  for (const body of [{ name: '' }, { name: '  ' }, { color: 'fuchsia' }, { name: 'x'.repeat(101) }]) {
    r = await api('PUT', `/api/categories/${c.id}`, body);
    assertJsonError(r, 422, 'validation_error', JSON.stringify(body));
  }
  assert.deepEqual(s.sql(`SELECT name, color FROM categories WHERE id = ${c.id}`)[0], { name: 'Lecture 2', color: '#f57c00' });
  // Suppression : 204 puis 404 partout.
  r = await api('DELETE', `/api/categories/${c.id}`);
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  assertJsonError(await api('GET', `/api/categories/${c.id}`), 404, 'not_found');
  assertJsonError(await api('PUT', `/api/categories/${c.id}`, { name: 'x' }), 404, 'not_found');
  assertJsonError(await api('DELETE', `/api/categories/${c.id}`), 404, 'not_found');
  assertJsonError(await api('POST', `/api/categories/${c.id}/contacts`, { contact_ids: [] }), 404, 'not_found');
  for (const id of ['999999', '0']) assertJsonError(await api('GET', `/api/categories/${id}`), 404, 'not_found', id);
  assert.equal((await api('GET', '/api/categories/abc')).status, 404);
  // Verbe absent de la table des routes : 405.
  assert.equal((await api('PATCH', `/api/categories/${c.id}`, { name: 'x' })).status, 405);
});

test('contact_count suit les membres ; last_sent_at nul jusqu\'à une campagne lancée', async () => {
  const c = await mkCat('Envois', 'jaune');
  const k1 = await mkContact('Anne', 'Envoi');
  const k2 = await mkContact('Paul', 'Envoi');
  await api('POST', `/api/categories/${c.id}/contacts`, { contact_ids: [k1.id, k2.id] });
  let r = await api('GET', `/api/categories/${c.id}`);
  assert.equal(r.json.contact_count, 2);
  assert.equal(r.json.last_sent_at, null);
  const now = '2026-01-01T00:00:00Z';
  // Brouillon (jamais lancé) : toujours nul.
  s.sql(`INSERT INTO campaigns(name, message_1, status, created_by, created_at, updated_at) VALUES ('brouillon', 'Bonjour', 'draft', ${ownerId}, '${now}', '${now}');
         INSERT INTO campaign_categories(campaign_id, category_id) VALUES (last_insert_rowid(), ${c.id});`);
  r = await api('GET', `/api/categories/${c.id}`);
  assert.equal(r.json.last_sent_at, null);
  // Deux campagnes lancées : la plus récente.
  for (const at of ['2026-03-04T10:00:00Z', '2026-02-01T08:30:00Z']) {
    s.sql(`INSERT INTO campaigns(name, message_1, status, created_by, launched_at, created_at, updated_at) VALUES ('c ${at}', 'Bonjour', 'completed', ${ownerId}, '${at}', '${now}', '${now}');
           INSERT INTO campaign_categories(campaign_id, category_id) VALUES (last_insert_rowid(), ${c.id});`);
  }
  r = await api('GET', `/api/categories/${c.id}`);
  assert.equal(r.json.last_sent_at, '2026-03-04T10:00:00Z');
  assert.equal(r.json.contact_count, 2);
  r = await api('GET', `/api/categories?q=${encodeURIComponent('Envois')}`);
  assert.equal(r.json.items[0].last_sent_at, '2026-03-04T10:00:00Z');
  assert.equal(r.json.items[0].contact_count, 2);
  // Page /categories : la carte montre le nombre et le dernier envoi.
  const page = await http(s, 'GET', '/categories?q=Envois', { cookies: html.cookie });
  assert.equal(page.status, 200);
  assert.match(page.text, /2 contacts/);
  assert.match(page.text, /Dernier envoi : /);
  await api('DELETE', `/api/categories/${c.id}/contacts/${k2.id}`);
  r = await api('GET', `/api/categories/${c.id}`);
  assert.equal(r.json.contact_count, 1);
});

test('ajout de contacts : added / already / rejected ; seuls les contacts de l\'admin', async () => {
  const c = await mkCat('Ajouts', 'violet');
  const k1 = await mkContact('Un', 'Ajout');
  const k2 = await mkContact('Deux', 'Ajout');
  const foreign = await mkContact('Étranger', 'B', {}, tb);
  let r = await api('POST', `/api/categories/${c.id}/contacts`, { contact_ids: [k1.id] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { added: [k1.id], already: [], rejected: [] });
  r = await api('POST', `/api/categories/${c.id}/contacts`, { contact_ids: [k1.id, k2.id, foreign.id, 987654] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.added, [k2.id]);
  assert.deepEqual(r.json.already, [k1.id]);
  assert.deepEqual(r.json.rejected.sort((a, b) => a - b), [foreign.id, 987654].sort((a, b) => a - b));
  assert.deepEqual(links(c.id), [k1.id, k2.id].sort((a, b) => a - b));
  assert.equal(s.sql(`SELECT count(*) AS n FROM category_contacts WHERE contact_id = ${foreign.id}`)[0].n, 0);
  // Liste vide : rien à faire.
  r = await api('POST', `/api/categories/${c.id}/contacts`, { contact_ids: [] });
  assert.deepEqual(r.json, { added: [], already: [], rejected: [] });
  // Saisie invalide : 422, rien d'ajouté.
  const k3 = await mkContact('Trois', 'Ajout');
  for (const body of [{}, { contact_ids: k3.id }, { contact_ids: [String(k3.id)] }, { contact_ids: [k3.id, -1] }, { contact_ids: [0] }, { contact_ids: [1.5] }, { contact_ids: null }]) {
    r = await api('POST', `/api/categories/${c.id}/contacts`, body);
    assertJsonError(r, 422, 'validation_error', JSON.stringify(body));
    assert.ok(r.json.fields.contact_ids);
  }
  assert.deepEqual(links(c.id), [k1.id, k2.id].sort((a, b) => a - b));
  // Catégorie absente ou d'un autre admin : 404.
  assertJsonError(await api('POST', '/api/categories/987654/contacts', { contact_ids: [k3.id] }), 404, 'not_found');
});

test('retrait d\'un contact : 204, le contact reste ; 404 la seconde fois', async () => {
  const c = await mkCat('Retraits', 'rose');
  const k = await mkContact('Reste', 'Là');
  await api('POST', `/api/categories/${c.id}/contacts`, { contact_ids: [k.id] });
  const n = contactCount();
  let r = await api('DELETE', `/api/categories/${c.id}/contacts/${k.id}`);
  assert.equal(r.status, 204);
  assert.deepEqual(links(c.id), []);
  assert.equal(contactCount(), n);
  r = await api('GET', `/api/contacts/${k.id}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.category_ids, []);
  assertJsonError(await api('DELETE', `/api/categories/${c.id}/contacts/${k.id}`), 404, 'not_found');
  assertJsonError(await api('DELETE', `/api/categories/987654/contacts/${k.id}`), 404, 'not_found');
});

test('propriété 2 : un lien est dans category_contacts et visible des deux côtés', async () => {
  const c1 = await mkCat('Deux côtés 1', 'bleu');
  const c2 = await mkCat('Deux côtés 2', 'rouge');
  const k = await mkContact('Visible', 'Partout');
  const other = await mkContact('Pas', 'Lié');
  await api('POST', `/api/categories/${c1.id}/contacts`, { contact_ids: [k.id] });
  await api('POST', `/api/categories/${c2.id}/contacts`, { contact_ids: [k.id] });
  assert.deepEqual(s.sql(`SELECT category_id FROM category_contacts WHERE contact_id = ${k.id} ORDER BY category_id`).map((r) => r.category_id), [c1.id, c2.id]);
  for (const c of [c1, c2]) {
    const r = await api('GET', `/api/contacts?category_id=${c.id}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.items.map((x) => x.id), [k.id]);
    assert.equal(r.json.total, 1);
  }
  let r = await api('GET', `/api/contacts/${k.id}`);
  assert.deepEqual([...r.json.category_ids].sort((a, b) => a - b), [c1.id, c2.id]);
  assert.deepEqual(r.json.categories.map((x) => x.id).sort((a, b) => a - b), [c1.id, c2.id]);
  assert.deepEqual(r.json.categories.find((x) => x.id === c1.id), { id: c1.id, name: 'Deux côtés 1', color: '#1e88e5' });
  r = await api('GET', `/api/contacts/${other.id}`);
  assert.deepEqual(r.json.category_ids, []);
  assert.deepEqual(r.json.categories, []);
  // Retrait : disparaît des deux côtés.
  await api('DELETE', `/api/categories/${c1.id}/contacts/${k.id}`);
  r = await api('GET', `/api/contacts?category_id=${c1.id}`);
  assert.deepEqual(r.json.items, []);
  r = await api('GET', `/api/contacts/${k.id}`);
  assert.deepEqual(r.json.category_ids, [c2.id]);
  assert.deepEqual(r.json.categories.map((x) => x.id), [c2.id]);
});

test('propriété 3 : supprimer une catégorie supprime ses liens, jamais un contact', async () => {
  const c1 = await mkCat('Éphémère', 'gris');
  const c2 = await mkCat('Durable', 'vert');
  const ks = [await mkContact('A', 'Suppr'), await mkContact('B', 'Suppr'), await mkContact('C', 'Suppr')];
  await api('POST', `/api/categories/${c1.id}/contacts`, { contact_ids: ks.map((k) => k.id) });
  await api('POST', `/api/categories/${c2.id}/contacts`, { contact_ids: [ks[0].id] });
  const n = contactCount();
  const before = s.sql(`SELECT category_id, contact_id FROM category_contacts WHERE category_id <> ${c1.id} ORDER BY id`);
  const r = await api('DELETE', `/api/categories/${c1.id}`);
  assert.equal(r.status, 204);
  assert.equal(contactCount(), n, 'aucun contact supprimé');
  for (const k of ks) assert.equal((await api('GET', `/api/contacts/${k.id}`)).status, 200);
  assert.equal(s.sql(`SELECT count(*) AS n FROM category_contacts WHERE category_id = ${c1.id}`)[0].n, 0);
  assert.deepEqual(s.sql('SELECT category_id, contact_id FROM category_contacts ORDER BY id'), before, 'les autres liens restent');
  assert.deepEqual(links(c2.id), [ks[0].id]);
  assert.deepEqual((await api('GET', `/api/contacts/${ks[0].id}`)).json.category_ids, [c2.id]);
});

// ---------------------------------------------------------------- pages

test('page /categories : cartes, recherche, connexion requise', async () => {
  const t = await createUser(s, su, 'cat-page@test.com');
  const h = await htmlLogin(s, t.email);
  let r = await http(s, 'GET', '/categories', { cookies: h.cookie });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(r.text, /Aucune catégorie pour l'instant/);
  assert.match(r.text, /Nouvelle catégorie/);
  const tk = (await login(s, t.email)).access_token;
  const a = await mkCat('Voisins <b>', 'emeraude', tk);
  await mkCat('Amis', 'indigo', tk);
  const k = await mkContact('Carte', 'Un', { category_ids: [a.id] }, tk);
  assert.ok(k);
  r = await http(s, 'GET', '/categories', { cookies: h.cookie });
  assert.equal(r.status, 200);
  const cards = [...r.text.matchAll(/<article class="category-card cat-(\w+)"[^>]*>\s*<h3 class="category-name" id="category-(\d+)-title">([^<]*)<\/h3>\s*<p class="category-count">([^<]*)<\/p>/g)]
    .map((m) => ({ color: m[1], id: Number(m[2]), name: m[3], count: m[4] }));
  assert.deepEqual(cards.map((c) => c.name), ['Amis', 'Voisins &lt;b&gt;'], 'cartes triées, nom échappé');
  assert.equal(cards[1].color, 'emeraude');
  assert.equal(cards[1].id, a.id);
  assert.equal(cards[1].count, '1 contact');
  assert.equal(cards[0].count, '0 contact');
  assert.match(r.text, /Jamais utilisée/);
  assert.ok(r.text.includes(`href="/categories/${a.id}/delete"`));
  r = await http(s, 'GET', '/categories?q=voisins', { cookies: h.cookie });
  assert.match(r.text, /Voisins &lt;b&gt;/);
  assert.doesNotMatch(r.text, /category-\d+-title">Amis/);
  r = await http(s, 'GET', '/categories?q=zzz', { cookies: h.cookie });
  assert.match(r.text, /Aucune catégorie ne correspond à « zzz »/);
  // Pagination invalide sur une page : on revient au début, pas d'erreur.
  r = await http(s, 'GET', '/categories?per_page=500', { cookies: h.cookie });
  assert.equal(r.status, 200);
  // Sans session : vers /login.
  r = await http(s, 'GET', '/categories');
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/login');
});

test('page : POST /categories crée (303), 422 si invalide, 409 si doublon, 403 sans CSRF', async () => {
  const n = catCount();
  let r = await http(s, 'POST', '/categories', { cookies: html.cookie, headers: FORM, body: form({ csrf: html.csrf, name: 'Créée en page', color: 'violet' }) });
  assert.equal(r.status, 303, r.text);
  const m = r.headers.get('location').match(/^\/categories\/(\d+)$/);
  assert.ok(m, r.headers.get('location'));
  const id = Number(m[1]);
  assert.deepEqual(s.sql(`SELECT name, color, created_by FROM categories WHERE id = ${id}`)[0], { name: 'Créée en page', color: '#8e24aa', created_by: ownerId });
  r = await http(s, 'GET', r.headers.get('location'), { cookies: html.cookie });
  assert.equal(r.status, 200);
  assert.match(r.text, /Créée en page/);
  // Invalide : la page avec l'erreur en français, formulaire ouvert.
  r = await http(s, 'POST', '/categories', { cookies: html.cookie, headers: FORM, body: form({ csrf: html.csrf, name: '   ', color: 'violet' }) });
  assert.equal(r.status, 422);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(r.text, /<p class="field-error" id="err-name">Le nom est obligatoire\.<\/p>/);
  assert.match(r.text, /<details class="card" open>/);
  r = await http(s, 'POST', '/categories', { cookies: html.cookie, headers: FORM, body: form({ csrf: html.csrf, name: 'Couleur fausse', color: 'fuchsia' }) });
  assert.equal(r.status, 422);
  assert.match(r.text, /Couleur invalide/);
  assert.match(r.text, /value="Couleur fausse"/, 'le nom tapé est gardé');
  // Doublon (autre casse) : 409 avec le message.
  r = await http(s, 'POST', '/categories', { cookies: html.cookie, headers: FORM, body: form({ csrf: html.csrf, name: 'CRééE EN PAGE', color: 'vert' }) });
  assert.equal(r.status, 409, r.text.slice(0, 200));
  assert.match(r.text, /Vous avez déjà une catégorie de ce nom\./);
  // Sans CSRF ou avec un faux : 403.
  r = await http(s, 'POST', '/categories', { cookies: html.cookie, headers: FORM, body: form({ name: 'Sans csrf' }) });
  assert.equal(r.status, 403);
  r = await http(s, 'POST', '/categories', { cookies: html.cookie, headers: FORM, body: form({ csrf: 'f'.repeat(64), name: 'Faux csrf' }) });
  assert.equal(r.status, 403);
  assert.equal(catCount(), n + 1);
});

test('page d\'une catégorie : contacts, recherche de candidats, ajout multiple, retrait, modification', async () => {
  const c = await mkCat('Page fiche', 'bleu');
  const k1 = await mkContact('Fiche', 'Alpha');
  const k2 = await mkContact('Fiche', 'Bravo');
  const k3 = await mkContact('Fiche', 'Charlie');
  await api('POST', `/api/categories/${c.id}/contacts`, { contact_ids: [k1.id] });
  let r = await http(s, 'GET', `/categories/${c.id}`, { cookies: html.cookie });
  assert.equal(r.status, 200);
  assert.match(r.text, /Page fiche/);
  assert.ok(r.text.includes(k1.full_number));
  assert.ok(!r.text.includes(k2.full_number));
  assert.match(r.text, /1 contact</);
  // Recherche : les contacts pas encore membres sont proposés.
  r = await http(s, 'GET', `/categories/${c.id}?q=fiche`, { cookies: html.cookie });
  assert.equal(r.status, 200);
  const cands = [...r.text.matchAll(/name="contact_ids" value="(\d+)"/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
  assert.deepEqual(cands, [k2.id, k3.id]);
  const csrf = csrfOf(r.text);
  // Ajout de plusieurs contacts (champ répété).
  r = await http(s, 'POST', `/categories/${c.id}/contacts`, { cookies: html.cookie, headers: FORM, body: `csrf=${csrf}&contact_ids=${k2.id}&contact_ids=${k3.id}` });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), `/categories/${c.id}`);
  assert.deepEqual(links(c.id), [k1.id, k2.id, k3.id].sort((a, b) => a - b));
  r = await http(s, 'GET', `/categories/${c.id}`, { cookies: html.cookie });
  for (const k of [k1, k2, k3]) assert.ok(r.text.includes(k.full_number));
  assert.match(r.text, /3 contacts/);
  // Retrait : le contact reste dans les contacts.
  const n = contactCount();
  r = await http(s, 'POST', `/categories/${c.id}/contacts/${k2.id}/remove`, { cookies: html.cookie, headers: FORM, body: form({ csrf }) });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), `/categories/${c.id}`);
  assert.deepEqual(links(c.id), [k1.id, k3.id].sort((a, b) => a - b));
  assert.equal(contactCount(), n);
  assert.equal((await api('GET', `/api/contacts/${k2.id}`)).status, 200);
  // Retirer un non-membre : 404.
  r = await http(s, 'POST', `/categories/${c.id}/contacts/${k2.id}/remove`, { cookies: html.cookie, headers: FORM, body: form({ csrf }) });
  assert.equal(r.status, 404);
  // Modification par la page.
  r = await http(s, 'POST', `/categories/${c.id}`, { cookies: html.cookie, headers: FORM, body: form({ csrf, name: 'Page fiche renommée', color: 'jaune' }) });
  assert.equal(r.status, 303);
  assert.deepEqual(s.sql(`SELECT name, color FROM categories WHERE id = ${c.id}`)[0], { name: 'Page fiche renommée', color: '#f9a825' });
  r = await http(s, 'POST', `/categories/${c.id}`, { cookies: html.cookie, headers: FORM, body: form({ csrf, name: '', color: 'jaune' }) });
  assert.equal(r.status, 422);
  assert.match(r.text, /Le nom est obligatoire\./);
  await mkCat('Prise');
  r = await http(s, 'POST', `/categories/${c.id}`, { cookies: html.cookie, headers: FORM, body: form({ csrf, name: 'prise', color: 'jaune' }) });
  assert.equal(r.status, 409);
  assert.match(r.text, /Vous avez déjà une catégorie de ce nom\./);
  assert.equal(s.sql(`SELECT name FROM categories WHERE id = ${c.id}`)[0].name, 'Page fiche renommée');
});

test('page : suppression d\'une catégorie avec confirmation ; les contacts restent', async () => {
  const c = await mkCat('À supprimer', 'rouge');
  const ks = [await mkContact('Garde', 'Un'), await mkContact('Garde', 'Deux')];
  await api('POST', `/api/categories/${c.id}/contacts`, { contact_ids: ks.map((k) => k.id) });
  let r = await http(s, 'GET', `/categories/${c.id}/delete`, { cookies: html.cookie });
  assert.equal(r.status, 200);
  assert.match(r.text, /Supprimer la catégorie « À supprimer » \?/);
  assert.match(r.text, /ne sont pas supprimés/);
  assert.ok(r.text.includes(`action="/categories/${c.id}/delete"`));
  const csrf = csrfOf(r.text);
  const n = contactCount();
  r = await http(s, 'POST', `/categories/${c.id}/delete`, { cookies: html.cookie, headers: FORM, body: form({ csrf }) });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/categories');
  assert.equal(s.sql(`SELECT count(*) AS n FROM categories WHERE id = ${c.id}`)[0].n, 0);
  assert.equal(s.sql(`SELECT count(*) AS n FROM category_contacts WHERE category_id = ${c.id}`)[0].n, 0);
  assert.equal(contactCount(), n);
  r = await http(s, 'GET', `/categories/${c.id}`, { cookies: html.cookie });
  assert.equal(r.status, 404);
  assert.match(r.text, /Page introuvable/);
  r = await http(s, 'POST', `/categories/${c.id}/delete`, { cookies: html.cookie, headers: FORM, body: form({ csrf }) });
  assert.equal(r.status, 404);
});
