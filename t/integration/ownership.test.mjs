// Propriété 11 (à la place du RLS de Supabase) pour les catégories et les
// contacts : une matrice tirée DES TABLES DE ROUTES de fcgi/categories.c et
// fcgi/contacts.c (une route ajoutée au C est donc testée d'office) : pour
// chaque route à {id}, API et pages, chaque verbe, l'admin B qui vise une
// catégorie ou un contact de l'admin A reçoit 404 et rien ne change en
// base. Puis : les identifiants de A dans un corps sont refusés, les
// listes, recherches, pages, imports et exports de B ne montrent ni ne
// touchent jamais les lignes de A.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, http, login, createUser } from '../lib/stack.mjs';
import { stop, assertJsonError, htmlLogin, form, FORM, upload, httpRaw, dataSnapshot, routeTable, ROOT } from './util.mjs';

const SOURCES = ['fcgi/categories.c', 'fcgi/contacts.c'].map((f) => join(ROOT, f));
let s, A, B;
const api = (m, p, json, token) => http(s, m, p, json === undefined ? { token } : { token, json });

async function admin(email) {
  const su = (await login(s)).access_token;
  await createUser(s, su, email);
  const token = (await login(s, email)).access_token;
  const h = await htmlLogin(s, email);
  return { email, token, cookie: h.cookie, csrf: h.csrf, id: s.sql(`SELECT id FROM users WHERE email = '${email}'`)[0].id };
}
async function mkCat(who, name) {
  const r = await api('POST', '/api/categories', { name, color: 'bleu' }, who.token);
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function mkContact(who, body) {
  const r = await api('POST', '/api/contacts', { country_code: '+33', ...body }, who.token);
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

before(async () => {
  s = await startStack();
  A = await admin('owner-a@test.com');
  B = await admin('owner-b@test.com');
  A.cat = await mkCat(A, 'Secrets de A');
  A.cat2 = await mkCat(A, 'Clients A');
  A.contact = await mkContact(A, { phone_number: '06 12 34 56 78', first_name: 'Alice', last_name: 'Secrète', category_ids: [A.cat] });
  A.contact2 = await mkContact(A, { phone_number: '06 98 76 54 32', first_name: 'Bérénice', last_name: 'Cachée', category_ids: [A.cat, A.cat2] });
  B.cat = await mkCat(B, 'Catégorie de B');
  B.contact = await mkContact(B, { phone_number: '07 11 22 33 44', first_name: 'Bob', last_name: 'Visible', category_ids: [B.cat] });
});
after(async () => { await stop(s); });

// ---------------------------------------------------------------- matrice

// Toutes les routes des deux programmes, lues dans le C ; contrôle que la
// lecture n'en a manqué aucune (autant que d'entrées dans l'enum).
function allRoutes() {
  const out = [];
  for (const f of SOURCES) {
    const table = routeTable(f);
    const src = readFileSync(f, 'utf8');
    const en = src.match(/enum route \{([\s\S]*?)ROUTE__MAX/);
    const n = (en[1].match(/ROUTE_\w+/g) || []).length;
    assert.equal(table.length, n, `${f} : ${table.length} routes lues pour ${n} dans l'enum`);
    for (const r of table) out.push({ ...r, file: f.replace(/.*\//, '') });
  }
  return out;
}

// Nature des {id} d'une route : catégorie ou contact, dans l'ordre.
function idKinds(pattern) {
  const parts = pattern.split('/').filter(Boolean);
  const kinds = [];
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== '{id}') continue;
    const prev = parts[i - 1];
    if (prev === 'categories') kinds.push('category');
    else if (prev === 'contacts') kinds.push('contact');
    else throw new Error(`{id} inattendu dans ${pattern}`);
  }
  return kinds;
}
const fill = (pattern, ids) => { let i = 0; return pattern.replace(/\{id\}/g, () => String(ids[i++])); };

// Une requête plausible pour la route, faite par `who` : tous les
// identifiants du corps sont à `who`, seul le chemin vise autre chose.
let callSeq = 0;
async function call(route, path, who, own) {
  const fl = route.flags;
  const isApi = /\bAPI\b/.test(fl);
  const fields = {
    name: `Renommée ${++callSeq}`, color: 'rouge', first_name: 'Intrus', last_name: 'Intrus',
    country_code: '+33', phone_number: `0655${String(callSeq).padStart(6, '0')}`, phone: `0655${String(callSeq).padStart(6, '0')}`,
  };
  if (isApi) {
    const body = /CBW_R_JSON/.test(fl) ? { ...fields, contact_ids: [own.contact], category_ids: [own.cat], opted_out: false } : undefined;
    return api(route.method, path, body, who.token);
  }
  if (/CBW_R_FORM/.test(fl)) {
    const body = `${form({ csrf: who.csrf, ...fields })}&contact_ids=${own.contact}&category_ids=${own.cat}`;
    return http(s, route.method, path, { cookies: who.cookie, headers: FORM, body });
  }
  if (/CBW_R_MULTIPART/.test(fl)) {
    return upload(s, path, { cookies: who.cookie, file: 'phone\n0655555556\n', fields: { csrf: who.csrf } });
  }
  return http(s, route.method, path, { cookies: who.cookie });
}

// Compare deux instantanés (texte JSON) ; en cas d'écart, ne montre que
// les lignes qui diffèrent.
function assertSameData(before, after, label) {
  if (before === after) return;
  const b = JSON.parse(before), a = JSON.parse(after);
  const diff = [];
  for (const t of Object.keys(b)) {
    const bs = new Set(b[t].map((r) => JSON.stringify(r))), as = new Set(a[t].map((r) => JSON.stringify(r)));
    for (const r of bs) if (!as.has(r)) diff.push(`${t} - ${r}`);
    for (const r of as) if (!bs.has(r)) diff.push(`${t} + ${r}`);
  }
  assert.fail(`${label} : la base a changé\n${diff.join('\n')}`);
}

// Lignes de A (et tous les liens) : ce que B ne doit jamais toucher.
function snapshotA() {
  return JSON.stringify({
    categories: s.sql(`SELECT * FROM categories WHERE created_by = ${A.id} ORDER BY id`),
    contacts: s.sql(`SELECT * FROM contacts WHERE created_by = ${A.id} ORDER BY id`),
    category_contacts: s.sql('SELECT * FROM category_contacts ORDER BY id'),
  });
}

function assertNotFound(r, route, path) {
  const label = `${route.file} ${route.id} ${route.method} ${path}`;
  assert.equal(r.status, 404, `${label} : ${r.status} ${r.text.slice(0, 200)}`);
  if (/\bAPI\b/.test(route.flags)) {
    assertJsonError(r, 404, 'not_found', label);
    assert.equal(r.json.message, 'Élément introuvable.', `${label} : 404 de l'élément (pas de la route)`);
  } else {
    assert.match(r.headers.get('content-type') || '', /^text\/html/, label);
    assert.match(r.text, /Page introuvable/, label);
    assert.match(r.text, /Élément introuvable\./, `${label} : 404 de l'élément (pas de la route)`);
  }
}

test('la matrice couvre toutes les routes à {id} des deux programmes', () => {
  const routes = allRoutes();
  const withId = routes.filter((r) => r.pattern.includes('{id}'));
  // Au moins les routes connues aujourd'hui (une de plus est prise d'office).
  assert.ok(routes.length >= 33, `routes : ${routes.length}`);
  assert.ok(withId.length >= 19, `routes à {id} : ${withId.length}`);
  for (const r of withId) assert.ok(idKinds(r.pattern).length >= 1);
  const verbs = new Set(withId.map((r) => r.method));
  for (const v of ['GET', 'POST', 'PUT', 'DELETE']) assert.ok(verbs.has(v), v);
});

test('matrice : B sur la catégorie ou le contact de A → 404, rien ne change en base', async () => {
  const routes = allRoutes().filter((r) => r.pattern.includes('{id}'));
  const own = { contact: B.contact, cat: B.cat };
  const start = dataSnapshot(s);
  let n = 0;
  for (const route of routes) {
    const kinds = idKinds(route.pattern);
    const ofA = kinds.map((k) => (k === 'category' ? A.cat : A.contact));
    const ofB = kinds.map((k) => (k === 'category' ? B.cat : B.contact));
    // Tous les {id} à A ; puis, s'il y en a plusieurs, un seul à A à la fois.
    const combos = [ofA];
    if (kinds.length > 1) kinds.forEach((_, i) => combos.push(ofB.map((v, j) => (j === i ? ofA[j] : v))));
    for (const ids of combos) {
      const path = fill(route.pattern, ids);
      const before = dataSnapshot(s);
      const r = await call(route, path, B, own);
      assertNotFound(r, route, path);
      assertSameData(before, dataSnapshot(s), `${route.id} ${route.method} ${path}`);
      n++;
    }
  }
  assert.ok(n >= 21, `requêtes : ${n}`);
  assertSameData(start, dataSnapshot(s), 'matrice');
});

test('témoin : les mêmes requêtes par A sur ses propres lignes aboutissent (la matrice ne teste pas des adresses fausses)', async () => {
  const routes = allRoutes().filter((r) => r.pattern.includes('{id}'));
  let i = 0;
  for (const route of routes) {
    // Lignes jetables à A pour chaque route (les écritures ne gênent rien).
    const cat = await mkCat(A, `Témoin ${++i}`);
    const contact = await mkContact(A, { phone_number: `06 40 00 ${String(i).padStart(2, '0')} 00`, category_ids: [cat] });
    const own = { contact: await mkContact(A, { phone_number: `06 40 00 ${String(i).padStart(2, '0')} 01` }), cat };
    const ids = idKinds(route.pattern).map((k) => (k === 'category' ? cat : contact));
    const path = fill(route.pattern, ids);
    const r = await call(route, path, A, own);
    assert.ok([200, 201, 204, 303].includes(r.status), `${route.id} ${route.method} ${path} par A : ${r.status} ${r.text.slice(0, 200)}`);
  }
});

// ---------------------------------------------------------------- corps

test('identifiants de A dans un corps : contact refusé à l\'ajout (rejected), catégorie refusée (422), rien ne change', async () => {
  const before = snapshotA();
  const bContacts = () => s.sql(`SELECT * FROM contacts WHERE created_by = ${B.id} ORDER BY id`);
  const bBefore = bContacts();
  let r = await api('POST', `/api/categories/${B.cat}/contacts`, { contact_ids: [A.contact, A.contact2] }, B.token);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.added, []);
  assert.deepEqual(r.json.already, []);
  assert.deepEqual([...r.json.rejected].sort((a, b) => a - b), [A.contact, A.contact2].sort((a, b) => a - b));
  // Même réponse qu'un identifiant inexistant (rien n'est révélé).
  const ghost = await api('POST', `/api/categories/${B.cat}/contacts`, { contact_ids: [999999] }, B.token);
  assert.deepEqual(ghost.json.rejected, [999999]);
  // Par la page.
  r = await http(s, 'POST', `/categories/${B.cat}/contacts`, { cookies: B.cookie, headers: FORM, body: `csrf=${B.csrf}&contact_ids=${A.contact}` });
  assert.equal(r.status, 303);
  // Catégorie de A sur un contact de B, ou à la création.
  r = await api('PUT', `/api/contacts/${B.contact}`, { first_name: 'Volé', category_ids: [A.cat] }, B.token);
  assertJsonError(r, 422, 'validation_error', 'PUT catégorie de A');
  r = await api('POST', '/api/contacts', { country_code: '+33', phone_number: '0677777777', category_ids: [A.cat] }, B.token);
  assertJsonError(r, 422, 'validation_error', 'POST catégorie de A');
  r = await http(s, 'POST', `/contacts/${B.contact}`, { cookies: B.cookie, headers: FORM, body: `${form({ csrf: B.csrf, country_code: '+33', phone: '0711223344', first_name: 'Volé' })}&category_ids=${A.cat}` });
  assert.equal(r.status, 422);
  r = await http(s, 'POST', '/contacts', { cookies: B.cookie, headers: FORM, body: `${form({ csrf: B.csrf, country_code: '+33', phone: '0677777778' })}&category_ids=${A.cat}` });
  assert.equal(r.status, 422);
  // Filtres et cibles qui nomment une catégorie de A : 404.
  assertJsonError(await api('GET', `/api/contacts?category_id=${A.cat}`, undefined, B.token), 404, 'not_found', 'liste');
  assertJsonError(await http(s, 'GET', `/api/contacts/export?category_id=${A.cat}`, { token: B.token }), 404, 'not_found', 'export');
  assert.equal((await http(s, 'GET', `/contacts/export?category_id=${A.cat}`, { cookies: B.cookie })).status, 404);
  assertJsonError(await upload(s, '/api/contacts/import', { token: B.token, file: 'phone\n0677777779\n', fields: { category_id: String(A.cat) } }), 404, 'not_found', 'import');
  assert.equal((await upload(s, '/contacts/import', { cookies: B.cookie, file: 'phone\n0677777779\n', fields: { csrf: B.csrf, category_id: String(A.cat) } })).status, 404);
  assertSameData(before, snapshotA(), 'lignes de A et liens');
  assert.deepEqual(bContacts(), bBefore, 'contacts de B inchangés');
});

// ---------------------------------------------------------------- lectures

const A_MARKS = ['Alice', 'Secrète', 'Bérénice', 'Cachée', 'Secrets de A', 'Clients A', '+33612345678', '+33698765432'];
// Aucune marque de A dans le texte, sauf celles que la recherche `q`
// elle-même contient (la page répète la recherche dans son champ).
function assertNoA(text, label, q = '') {
  const echo = q.toLowerCase();
  for (const m of A_MARKS) {
    if (echo && echo.includes(m.toLowerCase())) continue;
    assert.ok(!text.includes(m), `${label} : « ${m} » de A visible par B`);
  }
  for (const m of text.matchAll(/<span class="tel">([^<]*)<\/span>/g)) {
    assert.ok(!['+33612345678', '+33698765432'].includes(m[1]), `${label} : numéro de A ${m[1]} dans un tableau`);
  }
}

test('listes et recherches de B : jamais les lignes de A (nom, numéro sous toutes ses formes)', async () => {
  const aContacts = new Set(s.sql(`SELECT id FROM contacts WHERE created_by = ${A.id}`).map((r) => r.id));
  const aCats = new Set(s.sql(`SELECT id FROM categories WHERE created_by = ${A.id}`).map((r) => r.id));
  const terms = ['alice', 'Alice Secrète', 'secrete', 'berenice', 'cachée', '06 12 34 56 78', '0612345678', '+33612345678', '612345678', '5678', '+33 6 98', '3298', '06', 'a', ''];
  for (const q of terms) {
    let r = await api('GET', `/api/contacts?per_page=50&q=${encodeURIComponent(q)}`, undefined, B.token);
    assert.equal(r.status, 200);
    for (const c of r.json.items) assert.ok(!aContacts.has(c.id), `q=${q} : contact ${c.id} de A`);
    assert.ok(r.json.total <= s.sql(`SELECT count(*) AS n FROM contacts WHERE created_by = ${B.id}`)[0].n, `q=${q} : total compte des lignes de A`);
    assertNoA(r.text, `API contacts q=${q}`);
    r = await api('GET', `/api/categories?per_page=50&q=${encodeURIComponent(q)}`, undefined, B.token);
    assert.equal(r.status, 200);
    for (const c of r.json.items) assert.ok(!aCats.has(c.id), `q=${q} : catégorie ${c.id} de A`);
    assertNoA(r.text, `API catégories q=${q}`);
    r = await http(s, 'GET', `/contacts?q=${encodeURIComponent(q)}`, { cookies: B.cookie });
    assert.equal(r.status, 200);
    assertNoA(r.text, `page contacts q=${q}`, q);
    r = await http(s, 'GET', `/categories?q=${encodeURIComponent(q)}`, { cookies: B.cookie });
    assertNoA(r.text, `page catégories q=${q}`, q);
    if (q) {
      r = await http(s, 'GET', `/categories/${B.cat}?q=${encodeURIComponent(q)}`, { cookies: B.cookie });
      assert.equal(r.status, 200);
      assertNoA(r.text, `candidats q=${q}`, q);
      for (const id of aContacts) assert.ok(!r.text.includes(`name="contact_ids" value="${id}"`), `candidat ${id} de A`);
    }
  }
  // Les formulaires de B ne proposent pas les catégories de A.
  for (const p of ['/contacts', `/contacts/${B.contact}`, '/contacts/import']) {
    const r = await http(s, 'GET', p, { cookies: B.cookie });
    assert.equal(r.status, 200, p);
    assertNoA(r.text, p);
    for (const id of aCats) assert.doesNotMatch(r.text, new RegExp(`name="category_ids" value="${id}"|<option value="${id}"[ >]`), `${p} : catégorie ${id} de A proposée`);
  }
  // Contrôle : A, lui, trouve bien ses lignes avec les mêmes recherches.
  const r = await api('GET', '/api/contacts?q=alice', undefined, A.token);
  assert.deepEqual(r.json.items.map((c) => c.id), [A.contact]);
});

test('export de B : aucune ligne de A (API et page, toutes options)', async () => {
  for (const q of ['', '?sep=semicolon', `?category_id=${B.cat}`, `?category_id=${B.cat}&sep=semicolon`]) {
    let r = await httpRaw(s, 'GET', `/api/contacts/export${q}`, { token: B.token });
    assert.equal(r.status, 200);
    assertNoA(r.text, `export API ${q}`);
    for (const n of ['612345678', '698765432']) assert.ok(!r.text.includes(n), `export API ${q} : numéro de A`);
    r = await httpRaw(s, 'GET', `/contacts/export${q}`, { cookies: B.cookie });
    assert.equal(r.status, 200);
    assertNoA(r.text, `export page ${q}`);
  }
  const r = await httpRaw(s, 'GET', '/api/contacts/export', { token: B.token });
  const rows = r.text.split('\r\n').filter(Boolean).length - 1;
  assert.equal(rows, s.sql(`SELECT count(*) AS n FROM contacts WHERE created_by = ${B.id}`)[0].n, 'exactement les contacts de B');
  // Contrôle : l'export de A, lui, contient ses lignes.
  const ra = await httpRaw(s, 'GET', '/api/contacts/export', { token: A.token });
  assert.ok(ra.text.includes('Alice') && ra.text.includes('+33612345678'));
});

test('import de B : ne retrouve jamais les contacts de A (même numéro → nouveau contact de B, A intact)', async () => {
  const aRows = () => s.sql(`SELECT * FROM contacts WHERE created_by = ${A.id} ORDER BY id`);
  const aLinks = () => s.sql(`SELECT cc.* FROM category_contacts cc JOIN categories k ON k.id = cc.category_id WHERE k.created_by = ${A.id} ORDER BY cc.id`);
  const beforeA = JSON.stringify([aRows(), aLinks(), s.sql(`SELECT * FROM categories WHERE created_by = ${A.id} ORDER BY id`)]);
  for (const mode of ['skip', 'update']) {
    const num = mode === 'skip' ? '+33612345678' : '0033698765432';
    const r = await upload(s, '/api/contacts/import', {
      token: B.token, file: `phone;first_name;last_name;catégorie\n${num};Copie;De B;Secrets de A\n`, fields: { on_duplicate: mode },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.created, 1, `${mode} : ${r.text}`);
    assert.equal(r.json.updated, 0);
    assert.equal(r.json.skipped, 0);
  }
  assert.equal(JSON.stringify([aRows(), aLinks(), s.sql(`SELECT * FROM categories WHERE created_by = ${A.id} ORDER BY id`)]), beforeA, 'A intact');
  const mine = s.sql(`SELECT full_number, first_name FROM contacts WHERE created_by = ${B.id} AND full_number IN ('+33612345678', '+33698765432') ORDER BY full_number`);
  assert.deepEqual(mine, [{ full_number: '+33612345678', first_name: 'Copie' }, { full_number: '+33698765432', first_name: 'Copie' }]);
  // La catégorie homonyme est une nouvelle catégorie de B.
  const cats = s.sql(`SELECT created_by FROM categories WHERE name = 'Secrets de A' ORDER BY id`).map((c) => c.created_by);
  assert.deepEqual(cats, [A.id, B.id]);
  // Par la page aussi.
  const r = await upload(s, '/contacts/import', { cookies: B.cookie, file: 'phone\n+33612345678\n', fields: { csrf: B.csrf } });
  assert.equal(r.status, 200);
  assert.equal(JSON.stringify([aRows(), aLinks(), s.sql(`SELECT * FROM categories WHERE created_by = ${A.id} ORDER BY id`)]), beforeA);
});
