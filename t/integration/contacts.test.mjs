// Contacts : API /api/contacts (liste paginée, recherche par nom sans
// accents ni casse et par numéro sous toutes ses formes, filtre par
// catégorie, création, lecture, modification, suppression, catégories),
// propriété 1 par HTTP (numéro normalisé E.164, erreurs en français),
// doublons par admin (409 qui nomme le contact existant), désinscription,
// et pages /contacts (tableau, création, catégorie récente cochée,
// fiche, modification, suppression, réactivation).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login, createUser } from '../lib/stack.mjs';
import { stop, assertJsonError, htmlLogin, csrfOf, form, FORM, seeded, upload } from './util.mjs';

let s, su, tb, ownerId, html;
before(async () => {
  s = await startStack();
  su = (await login(s)).access_token;
  ownerId = s.sql(`SELECT id FROM users WHERE email = 'admin@test.com'`)[0].id;
  await createUser(s, su, 'ct-b@test.com');
  tb = (await login(s, 'ct-b@test.com')).access_token;
  html = await htmlLogin(s);
});
after(async () => { await stop(s); });

const api = (m, p, json, token = su) => http(s, m, p, json === undefined ? { token } : { token, json });
const CONTACT_KEYS = ['categories', 'category_ids', 'country_code', 'created_at', 'first_name', 'full_number', 'id', 'last_name', 'opted_out_at', 'phone_number', 'updated_at'];
const contactCount = () => s.sql('SELECT count(*) AS n FROM contacts')[0].n;
const byNum = (a, b) => a - b;

// Un admin neuf (API + session HTML), pour des listes maîtrisées.
async function freshAdmin(email) {
  await createUser(s, su, email);
  const token = (await login(s, email)).access_token;
  return { token, email, id: s.sql(`SELECT id FROM users WHERE email = '${email}'`)[0].id };
}
async function mkCat(name, token = su) {
  const r = await api('POST', '/api/categories', { name, color: 'bleu' }, token);
  assert.equal(r.status, 201, r.text);
  return r.json;
}
async function mkContact(body, token = su) {
  const r = await api('POST', '/api/contacts', { country_code: '+33', ...body }, token);
  assert.equal(r.status, 201, `${JSON.stringify(body)} : ${r.text}`);
  return r.json;
}

test('propriété 1 : numéro normalisé (+33 et « 06 12 34 56 78 » → +33612345678), 201 avec l\'objet', async () => {
  const a = await freshAdmin('p1@test.com');
  const n = contactCount();
  let r = await api('POST', '/api/contacts', { country_code: '+33', phone_number: '06 12 34 56 78', first_name: 'Hélène', last_name: 'Dupont' }, a.token);
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), CONTACT_KEYS);
  assert.equal(r.json.full_number, '+33612345678');
  assert.equal(r.json.phone_number, '612345678');
  assert.equal(r.json.country_code, '+33');
  assert.equal(r.json.first_name, 'Hélène');
  assert.equal(r.json.last_name, 'Dupont');
  assert.equal(r.json.opted_out_at, null);
  assert.deepEqual(r.json.category_ids, []);
  assert.deepEqual(r.json.categories, []);
  const row = s.sql(`SELECT * FROM contacts WHERE id = ${r.json.id}`)[0];
  assert.equal(row.full_number, '+33612345678');
  assert.equal(row.phone_number, '612345678');
  assert.equal(row.created_by, a.id);
  assert.equal(contactCount(), n + 1);
  // Autres écritures du même genre de numéro.
  const forms = [
    [{ country_code: '+33', phone_number: '0033 6 12 34 56 79' }, '+33612345679', '612345679', '+33'],
    [{ country_code: '+33', phone_number: '+33 6 12 34 56 80' }, '+33612345680', '612345680', '+33'],
    [{ country_code: '+33', phone_number: '06.12.34.56.81' }, '+33612345681', '612345681', '+33'],
    [{ country_code: '+33', phone_number: '6-12-34-56-82' }, '+33612345682', '612345682', '+33'],
    [{ country_code: '33', phone_number: '(0)6 12 34 56 83' }, '+33612345683', '612345683', '+33'],
    [{ country_code: '0033', phone_number: '0612345684' }, '+33612345684', '612345684', '+33'],
    [{ phone_number: '+33612345685' }, '+33612345685', '612345685', '+33'],
    // Le « + » international l'emporte sur l'indicatif choisi.
    [{ country_code: '+33', phone_number: '+32 470 12 34 56' }, '+32470123456', '470123456', '+32'],
    [{ country_code: '+32', phone_number: '0470 12 34 57' }, '+32470123457', '470123457', '+32'],
  ];
  for (const [body, full, national, cc] of forms) {
    r = await api('POST', '/api/contacts', body, a.token);
    assert.equal(r.status, 201, `${JSON.stringify(body)} : ${r.text}`);
    assert.equal(r.json.full_number, full, JSON.stringify(body));
    assert.equal(r.json.phone_number, national, JSON.stringify(body));
    assert.equal(r.json.country_code, cc, JSON.stringify(body));
  }
});

test('propriété 1 : numéros invalides → 422 avec message français dans fields.phone_number ou fields.country_code', async () => {
  const n = contactCount();
  const cases = [
    [{ country_code: '+33', phone_number: '06 12 AB 56 78' }, 'phone_number', /caractères non autorisés/],
    [{ country_code: '+33', phone_number: 'abc' }, 'phone_number', /lettres/],
    [{ country_code: '+33', phone_number: '06 12' }, 'phone_number', /trop court/],
    [{ country_code: '+33', phone_number: '06123456789' }, 'phone_number', /trop long|chiffres/],
    [{ country_code: '+33', phone_number: '0612345678901234' }, 'phone_number', /trop long/],
    [{ country_code: '+33', phone_number: '' }, 'phone_number', /obligatoire/],
    [{ country_code: '+33' }, 'phone_number', /obligatoire/],
    [{ country_code: '+999', phone_number: '612345678' }, 'country_code', /Indicatif pays inconnu/],
    [{ country_code: 'FR', phone_number: '0612345678' }, 'country_code', /ndicatif/],
    [{ country_code: '+33', phone_number: 612345678 }, 'phone_number', /chaîne/],
    [{ country_code: 33, phone_number: '0612345678' }, 'country_code', /chaîne/],
  ];
  for (const [body, field, re] of cases) {
    const r = await api('POST', '/api/contacts', body);
    const label = JSON.stringify(body);
    assertJsonError(r, 422, 'validation_error', label);
    assert.ok(r.json.fields[field], `${label} : fields.${field} absent (${JSON.stringify(r.json.fields)})`);
    assert.match(r.json.fields[field], re, label);
    assert.match(r.json.fields[field], /[a-zàâçéèêëîïôûù]/i);
  }
  // Noms invalides.
  for (const [body, field] of [[{ first_name: 'x'.repeat(101) }, 'first_name'], [{ last_name: 'a\u0007b' }, 'last_name'], [{ first_name: 5 }, 'first_name']]) {
    const r = await api('POST', '/api/contacts', { country_code: '+33', phone_number: '0699000001', ...body });
    assertJsonError(r, 422, 'validation_error', JSON.stringify(body));
    assert.ok(r.json.fields[field]);
  }
  for (const body of [{ category_ids: 'x' }, { category_ids: [0] }, { category_ids: ['1'] }]) {
    const r = await api('POST', '/api/contacts', { country_code: '+33', phone_number: '0699000001', ...body });
    assertJsonError(r, 422, 'validation_error', JSON.stringify(body));
    assert.ok(r.json.fields.category_ids);
  }
  assert.equal(contactCount(), n);
});

test('même numéro deux fois chez un admin : 409 qui nomme le contact existant ; un autre admin : 201', async () => {
  const a = await freshAdmin('dup-a@test.com');
  const first = await mkContact({ phone_number: '06 55 44 33 22', first_name: 'Jeanne', last_name: 'Martin' }, a.token);
  const n = contactCount();
  for (const body of [{ phone_number: '0655443322' }, { phone_number: '+33 6 55 44 33 22' }, { phone_number: '0033655443322', first_name: 'Autre' }]) {
    const r = await api('POST', '/api/contacts', { country_code: '+33', ...body }, a.token);
    assertJsonError(r, 409, 'conflict', JSON.stringify(body));
    assert.equal(r.json.existing.id, first.id);
    assert.equal(r.json.existing.full_number, '+33655443322');
    assert.match(r.json.message, /Jeanne Martin/);
    assert.ok(r.json.message.includes(String(first.id)));
    assert.match(r.json.fields.phone_number, /déjà enregistré/);
  }
  assert.equal(contactCount(), n);
  // Un autre admin peut avoir le même numéro.
  const r = await api('POST', '/api/contacts', { country_code: '+33', phone_number: '06 55 44 33 22', first_name: 'Chez B' }, tb);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.full_number, '+33655443322');
  assert.equal(s.sql(`SELECT count(*) AS n FROM contacts WHERE full_number = '+33655443322'`)[0].n, 2);
  // Sans nom : le message le dit autrement, sans « null ».
  const anon = await mkContact({ phone_number: '0655443311' }, a.token);
  const r2 = await api('POST', '/api/contacts', { country_code: '+33', phone_number: '0655443311' }, a.token);
  assert.equal(r2.status, 409);
  assert.equal(r2.json.existing.id, anon.id);
  assert.doesNotMatch(r2.json.message, /null|undefined/);
});

test('liste : pagination ≤ 50, total, tri par nom, 422 si pagination invalide', async () => {
  const a = await freshAdmin('list-c@test.com');
  const names = [['Zoé', 'Zola'], ['Adam', 'Abel'], ['Bob', 'bernard'], ['Claire', 'Caron'], ['Dina', 'Dupuis'], ['Eve', 'Égal']];
  for (const [i, [f, l]] of names.entries()) await mkContact({ phone_number: `07000000${10 + i}`, first_name: f, last_name: l }, a.token);
  let r = await api('GET', '/api/contacts', undefined, a.token);
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.json).sort(), ['items', 'page', 'per_page', 'total']);
  assert.equal(r.json.total, names.length);
  assert.equal(r.json.per_page, 20);
  for (const c of r.json.items) assert.equal(Array.isArray(c.category_ids), true);
  const ids = r.json.items.map((c) => c.id);
  r = await api('GET', '/api/contacts?per_page=2&page=3', undefined, a.token);
  assert.equal(r.json.page, 3);
  assert.equal(r.json.per_page, 2);
  assert.equal(r.json.total, names.length);
  assert.deepEqual(r.json.items.map((c) => c.id), ids.slice(4, 6));
  r = await api('GET', '/api/contacts?per_page=50&page=2', undefined, a.token);
  assert.deepEqual(r.json.items, []);
  for (const v of ['0', '51', '-1', 'abc', '', '3.0', '0x10']) {
    r = await api('GET', `/api/contacts?per_page=${v}`, undefined, a.token);
    assertJsonError(r, 422, 'validation_error', `per_page=${v}`);
    assert.match(r.json.fields.per_page, /entre 1 et 50/);
  }
  for (const v of ['0', '-1', 'deux']) assertJsonError(await api('GET', `/api/contacts?page=${v}`, undefined, a.token), 422, 'validation_error', `page=${v}`);
});

test('recherche q : noms sans accents ni casse, numéro sous toutes ses formes', async () => {
  const a = await freshAdmin('search@test.com');
  const h = await mkContact({ phone_number: '06 12 34 56 78', first_name: 'Hélène', last_name: 'Dupont-Sœur' }, a.token);
  const j = await mkContact({ phone_number: '07 98 76 54 32', first_name: 'José', last_name: 'Nuñez' }, a.token);
  const b = await mkContact({ country_code: '+32', phone_number: '0470 11 22 33', first_name: 'Luc', last_name: 'Peeters' }, a.token);
  const search = async (term) => {
    const r = await api('GET', `/api/contacts?q=${encodeURIComponent(term)}`, undefined, a.token);
    assert.equal(r.status, 200, `${term} : ${r.text}`);
    assert.equal(r.json.total, r.json.items.length, `${term} : total`);
    return r.json.items.map((c) => c.id).sort(byNum);
  };
  const cases = [
    ['helene', [h.id]], ['HÉLÈNE', [h.id]], ['Hélène', [h.id]], ['hel', [h.id]], ['dupont', [h.id]],
    ['helene dupont', [h.id]], ['soeur', [h.id]], ['jose', [j.id]], ['nunez', [j.id]], ['NUÑEZ', [j.id]],
    ['0612345678', [h.id]], ['06 12', [h.id]], ['0612', [h.id]], ['+33 6 12', [h.id]], ['+33612345678', [h.id]],
    ['612345678', [h.id]], ['5678', [h.id]], ['06.12.34', [h.id]],
    ['+32 470', [b.id]], ['0470', [b.id]], ['112233', [b.id]], ['peeters', [b.id]],
    ['introuvable', []], ['9999', []], ["' OR 1=1 --", []],
  ];
  for (const [term, want] of cases) assert.deepEqual(await search(term), want, `q=${term}`);
  // Ponctuation seule ou syntaxe FTS : jamais d'erreur.
  for (const term of ['"', '*', '%', '_', 'NEAR(a b)', 'a AND b', '-', '^x', '((', 'hel*']) await search(term);
  // Un ou deux caractères : acceptés, sans erreur.
  assert.deepEqual(await search('z'), [j.id]);
  assert.deepEqual(await search('Lu'), [b.id]);
  const all = await search('');
  assert.deepEqual(all, [h.id, j.id, b.id].sort(byNum));
  // La recherche suit les modifications.
  await api('PUT', `/api/contacts/${h.id}`, { first_name: 'Héloïse' }, a.token);
  assert.deepEqual(await search('heloise'), [h.id]);
  assert.deepEqual(await search('helene'), []);
  assert.deepEqual(await search('dupont'), [h.id], 'le nom de famille reste cherchable');
  assert.equal((await api('PUT', `/api/contacts/${h.id}`, { country_code: '+33', phone_number: '06 01 02 03 04' }, a.token)).status, 200);
  assert.deepEqual(await search('5678'), []);
  assert.deepEqual(await search('0601'), [h.id]);
});

test('recherche q : accents décomposés (NFD, macOS) ignorés comme les accents précomposés', async () => {
  const a = await freshAdmin('search-nfd@test.com');
  const nfd = await mkContact({ phone_number: '06 12 34 56 01', first_name: 'Hélène'.normalize('NFD'), last_name: 'Lefèvre'.normalize('NFD') }, a.token);
  const nfc = await mkContact({ phone_number: '06 12 34 56 02', first_name: 'Hélène', last_name: 'Lefèvre' }, a.token);
  assert.notEqual('Hélène'.normalize('NFD'), 'Hélène');
  for (const term of ['helene', 'lefevre', 'HELENE', 'Hélène', 'Hélène'.normalize('NFD'), 'helene lefevre']) {
    const r = await api('GET', `/api/contacts?q=${encodeURIComponent(term)}`, undefined, a.token);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.items.map((c) => c.id).sort(byNum), [nfd.id, nfc.id].sort(byNum), `q=${JSON.stringify(term)}`);
  }
});

// Index trigramme sans positions (0010) : la recherche demande chaque
// trigramme du terme puis vérifie la sous-chaîne. Oracle : instr() sur
// la clé de recherche de chaque contact de l'admin, lue dans la base.
test('propriété : q (≥ 3 caractères) trouve exactement les contacts dont la clé contient le terme', async () => {
  const { seed, rnd } = seeded('recherche exacte');
  const a = await freshAdmin('search-prop@test.com');
  const FIRST = ['Hélène', 'Anne', 'Annie', 'Jean', 'Jeanne', 'Léa', 'Noé', 'Ana'];
  const LAST = ['Dupont', 'Dupond', 'Pont', 'Martin', 'Martine', 'Nannan', 'Léonard'];
  const rows = ['téléphone;prénom;nom'];
  for (let i = 0; i < 300; i++) {
    const f = rnd() < 0.8 ? FIRST[Math.floor(rnd() * FIRST.length)] : '';
    const l = rnd() < 0.8 ? LAST[Math.floor(rnd() * LAST.length)] : '';
    rows.push(`061${String(Math.floor(rnd() * 1e7)).padStart(7, '0')};${f};${l}`);
  }
  const up = await upload(s, '/api/contacts/import', { token: a.token, file: rows.join('\n') + '\n' });
  assert.equal(up.status, 200, up.text);
  const keys = s.sql(`SELECT id, search_key AS k FROM contacts WHERE created_by = ${a.id}`);
  assert.ok(keys.length > 250, `seed=${seed} : ${keys.length} contacts`);
  let tried = 0;
  for (let i = 0; tried < 120 && i < 2000; i++) {
    const chars = [...keys[Math.floor(rnd() * keys.length)].k];
    const len = 3 + Math.floor(rnd() * 6);
    if (chars.length < len) continue;
    const at = Math.floor(rnd() * (chars.length - len + 1));
    const term = chars.slice(at, at + len).join('');
    // Bords blancs retirés par la recherche ; chiffres et blancs seuls :
    // lus comme un numéro (blancs ôtés). Ces termes-là ne sont pas la clé.
    if (/^ | $|  /.test(term) || (/^[0-9 ]+$/.test(term) && term.includes(' '))) continue;
    tried++;
    const want = keys.filter((x) => x.k.includes(term)).map((x) => x.id).sort(byNum);
    const r = await api('GET', `/api/contacts?per_page=50&q=${encodeURIComponent(term)}`, undefined, a.token);
    assert.equal(r.status, 200, `seed=${seed} q=${term} : ${r.text}`);
    assert.equal(r.json.total, want.length, `seed=${seed} q=${JSON.stringify(term)} : total`);
    if (want.length <= 50) assert.deepEqual(r.json.items.map((c) => c.id).sort(byNum), want, `seed=${seed} q=${JSON.stringify(term)}`);
  }
  assert.equal(tried, 120, `seed=${seed} : termes essayés`);
});

test('filtre category_id : membres seulement ; 404 pour la catégorie d\'un autre admin ; 422 si invalide', async () => {
  const a = await freshAdmin('filter@test.com');
  const c1 = await mkCat('Filtre 1', a.token);
  const c2 = await mkCat('Filtre 2', a.token);
  const k1 = await mkContact({ phone_number: '0611000001', first_name: 'Un', category_ids: [c1.id] }, a.token);
  const k2 = await mkContact({ phone_number: '0611000002', first_name: 'Deux', category_ids: [c1.id, c2.id] }, a.token);
  await mkContact({ phone_number: '0611000003', first_name: 'Trois' }, a.token);
  let r = await api('GET', `/api/contacts?category_id=${c1.id}`, undefined, a.token);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items.map((c) => c.id).sort(byNum), [k1.id, k2.id].sort(byNum));
  assert.equal(r.json.total, 2);
  r = await api('GET', `/api/contacts?category_id=${c2.id}`, undefined, a.token);
  assert.deepEqual(r.json.items.map((c) => c.id), [k2.id]);
  r = await api('GET', `/api/contacts?category_id=${c1.id}&q=deux`, undefined, a.token);
  assert.deepEqual(r.json.items.map((c) => c.id), [k2.id]);
  assert.equal(r.json.total, 1);
  r = await api('GET', `/api/contacts?category_id=${c2.id}&q=un`, undefined, a.token);
  assert.deepEqual(r.json.items, []);
  r = await api('GET', `/api/contacts?category_id=${c1.id}&per_page=1&page=2`, undefined, a.token);
  assert.equal(r.json.total, 2);
  assert.equal(r.json.items.length, 1);
  // Page et total d'un filtre sont lus en un passage ; une page vide
  // au-delà de la fin garde le vrai total, une recherche sans résultat 0.
  r = await api('GET', `/api/contacts?category_id=${c1.id}&per_page=1&page=3`, undefined, a.token);
  assert.deepEqual([r.json.items, r.json.total], [[], 2]);
  r = await api('GET', '/api/contacts?q=trois&per_page=1&page=4', undefined, a.token);
  assert.deepEqual([r.json.items, r.json.total], [[], 1]);
  r = await api('GET', '/api/contacts?q=zzzz', undefined, a.token);
  assert.deepEqual([r.json.items, r.json.total], [[], 0]);
  r = await api('GET', '/api/contacts?q=0611&per_page=2&page=2', undefined, a.token);
  assert.equal(r.json.total, 3);
  assert.equal(r.json.items.length, 1);
  assert.equal(Object.hasOwn(r.json.items[0], '_total'), false, 'colonne interne absente');
  assert.equal(Array.isArray(r.json.items[0].category_ids), true);
  // Catégorie d'un autre admin, ou absente : 404.
  const foreign = await mkCat('Chez B filtre', tb);
  assertJsonError(await api('GET', `/api/contacts?category_id=${foreign.id}`, undefined, a.token), 404, 'not_found');
  assertJsonError(await api('GET', '/api/contacts?category_id=999999', undefined, a.token), 404, 'not_found');
  for (const v of ['abc', '-2', '1.5']) assertJsonError(await api('GET', `/api/contacts?category_id=${v}`, undefined, a.token), 422, 'validation_error', v);
});

test('fiche, modification (noms, numéro, catégories), suppression', async () => {
  const a = await freshAdmin('crud-c@test.com');
  const c1 = await mkCat('Crud 1', a.token);
  const c2 = await mkCat('Crud 2', a.token);
  const k = await mkContact({ phone_number: '0622000001', first_name: 'Paul', last_name: 'Durand', category_ids: [c1.id] }, a.token);
  assert.deepEqual(k.category_ids, [c1.id]);
  assert.deepEqual(k.categories, [{ id: c1.id, name: 'Crud 1', color: '#1e88e5' }]);
  let r = await api('GET', `/api/contacts/${k.id}`, undefined, a.token);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, k);
  // Noms seuls : le reste ne bouge pas.
  r = await api('PUT', `/api/contacts/${k.id}`, { first_name: 'Pauline' }, a.token);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.first_name, 'Pauline');
  assert.equal(r.json.last_name, 'Durand');
  assert.equal(r.json.full_number, '+33622000001');
  assert.deepEqual(r.json.category_ids, [c1.id], 'category_ids absent : inchangé');
  // Nom vidé.
  r = await api('PUT', `/api/contacts/${k.id}`, { last_name: '' }, a.token);
  assert.equal(r.json.last_name, null);
  // Numéro.
  r = await api('PUT', `/api/contacts/${k.id}`, { country_code: '+33', phone_number: '06 22 00 00 09' }, a.token);
  assert.equal(r.status, 200);
  assert.equal(r.json.full_number, '+33622000009');
  assert.equal(r.json.phone_number, '622000009');
  // Catégories remplacées, puis vidées.
  r = await api('PUT', `/api/contacts/${k.id}`, { category_ids: [c2.id, c1.id] }, a.token);
  assert.deepEqual([...r.json.category_ids].sort(byNum), [c1.id, c2.id].sort(byNum));
  assert.deepEqual(r.json.categories.map((c) => c.name), ['Crud 1', 'Crud 2']);
  r = await api('PUT', `/api/contacts/${k.id}`, { category_ids: [c2.id] }, a.token);
  assert.deepEqual(r.json.category_ids, [c2.id]);
  assert.deepEqual(s.sql(`SELECT category_id FROM category_contacts WHERE contact_id = ${k.id}`).map((x) => x.category_id), [c2.id]);
  r = await api('PUT', `/api/contacts/${k.id}`, { category_ids: [] }, a.token);
  assert.deepEqual(r.json.category_ids, []);
  assert.deepEqual(r.json.categories, []);
  // Invalide : 422, rien de changé.
  const before = s.sql(`SELECT * FROM contacts WHERE id = ${k.id}`);
  for (const body of [{ phone_number: 'abc' }, { country_code: '+999', phone_number: '0612345678' }, { first_name: 'x'.repeat(101) }, { opted_out: 'oui' }, { category_ids: [-4] }]) {
    r = await api('PUT', `/api/contacts/${k.id}`, body, a.token);
    assertJsonError(r, 422, 'validation_error', JSON.stringify(body));
  }
  // Catégorie d'un autre admin (ou absente) : refusée, rien de changé, même réponse.
  const foreign = await mkCat('Chez B crud', tb);
  const r1 = await api('PUT', `/api/contacts/${k.id}`, { first_name: 'Pirate', category_ids: [foreign.id] }, a.token);
  const r2 = await api('PUT', `/api/contacts/${k.id}`, { first_name: 'Pirate', category_ids: [999999] }, a.token);
  assertJsonError(r1, 422, 'validation_error', 'catégorie étrangère');
  assert.equal(r1.text, r2.text, 'même réponse que pour une catégorie absente');
  assert.ok(r1.json.fields.category_ids);
  assert.deepEqual(s.sql(`SELECT * FROM contacts WHERE id = ${k.id}`), before);
  assert.equal(s.sql(`SELECT count(*) AS n FROM category_contacts WHERE category_id = ${foreign.id}`)[0].n, 0);
  // Création avec la catégorie d'un autre : refusée, rien de créé.
  const n = contactCount();
  r = await api('POST', '/api/contacts', { country_code: '+33', phone_number: '0622000077', category_ids: [foreign.id] }, a.token);
  assertJsonError(r, 422, 'validation_error', 'création catégorie étrangère');
  assert.equal(contactCount(), n);
  // Numéro d'un autre contact du même admin : 409, rien de changé.
  const other = await mkContact({ phone_number: '0622000002', first_name: 'Autre' }, a.token);
  r = await api('PUT', `/api/contacts/${k.id}`, { phone_number: '+33 6 22 00 00 02' }, a.token);
  assertJsonError(r, 409, 'conflict', 'PUT numéro pris');
  assert.equal(r.json.existing.id, other.id);
  assert.deepEqual(s.sql(`SELECT * FROM contacts WHERE id = ${k.id}`), before);
  // Suppression : 204, liens partis, catégories restent.
  await api('PUT', `/api/contacts/${k.id}`, { category_ids: [c1.id, c2.id] }, a.token);
  r = await api('DELETE', `/api/contacts/${k.id}`, undefined, a.token);
  assert.equal(r.status, 204);
  assert.equal(s.sql(`SELECT count(*) AS n FROM contacts WHERE id = ${k.id}`)[0].n, 0);
  assert.equal(s.sql(`SELECT count(*) AS n FROM category_contacts WHERE contact_id = ${k.id}`)[0].n, 0);
  assert.equal(s.sql(`SELECT count(*) AS n FROM categories WHERE id IN (${c1.id}, ${c2.id})`)[0].n, 2);
  for (const [m, body] of [['GET'], ['PUT', { first_name: 'x' }], ['DELETE']]) assertJsonError(await api(m, `/api/contacts/${k.id}`, body, a.token), 404, 'not_found', m);
  assert.equal((await api('PATCH', `/api/contacts/${other.id}`, { first_name: 'x' }, a.token)).status, 405);
});

test('désinscription : opted_out true la pose, false efface opted_out_at', async () => {
  const k = await mkContact({ phone_number: '0633000001', first_name: 'Stop' });
  let r = await api('PUT', `/api/contacts/${k.id}`, { opted_out: true });
  assert.equal(r.status, 200, r.text);
  assert.match(r.json.opted_out_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const at = r.json.opted_out_at;
  r = await api('PUT', `/api/contacts/${k.id}`, { opted_out: true, first_name: 'Stop2' });
  assert.equal(r.json.opted_out_at, at, 'date de désinscription gardée');
  // Désinscrit par WhatsApp (STOP) : l'admin réactive.
  s.sql(`UPDATE contacts SET opted_out_at = '2026-01-02T03:04:05Z' WHERE id = ${k.id}`);
  r = await api('PUT', `/api/contacts/${k.id}`, { opted_out: false });
  assert.equal(r.status, 200);
  assert.equal(r.json.opted_out_at, null);
  assert.equal(s.sql(`SELECT opted_out_at FROM contacts WHERE id = ${k.id}`)[0].opted_out_at, null);
});

// ---------------------------------------------------------------- pages

test('page /contacts : tableau paginé, recherche q, filtre category_id', async () => {
  const a = await freshAdmin('page-list@test.com');
  const h = await htmlLogin(s, a.email);
  const c = await mkCat('Tableau', a.token);
  for (let i = 0; i < 23; i++) {
    await mkContact({ phone_number: `06440000${String(i).padStart(2, '0')}`, first_name: `Prénom${String(i).padStart(2, '0')}`, last_name: 'Tableau', category_ids: i % 2 ? [c.id] : [] }, a.token);
  }
  const rows = (text) => [...text.matchAll(/<span class="tel">(\+\d+)<\/span>/g)].map((m) => m[1]);
  let r = await http(s, 'GET', '/contacts', { cookies: h.cookie });
  assert.equal(r.status, 200);
  assert.match(r.text, /Contacts <span class="count-badge"[^>]*>23<\/span>/);
  assert.equal(rows(r.text).length, 20);
  assert.match(r.text, /Page 1 sur 2/);
  assert.ok(r.text.includes('href="?page=2"'));
  r = await http(s, 'GET', '/contacts?page=2', { cookies: h.cookie });
  assert.equal(rows(r.text).length, 3);
  r = await http(s, 'GET', '/contacts?per_page=5&page=5', { cookies: h.cookie });
  assert.equal(rows(r.text).length, 3);
  // Recherche.
  r = await http(s, 'GET', `/contacts?q=${encodeURIComponent('prenom07')}`, { cookies: h.cookie });
  assert.deepEqual(rows(r.text), ['+33644000007']);
  assert.match(r.text, /value="prenom07"/);
  r = await http(s, 'GET', `/contacts?q=${encodeURIComponent('06 44 00 00 1')}`, { cookies: h.cookie });
  assert.equal(rows(r.text).length, 10);
  r = await http(s, 'GET', '/contacts?q=introuvable', { cookies: h.cookie });
  assert.deepEqual(rows(r.text), []);
  assert.match(r.text, /Aucun contact ne correspond à votre recherche/);
  // Filtre par catégorie (et pagination qui garde les filtres).
  r = await http(s, 'GET', `/contacts?category_id=${c.id}`, { cookies: h.cookie });
  assert.equal(rows(r.text).length, 11);
  assert.ok(r.text.includes(`<option value="${c.id}" selected>Tableau</option>`));
  r = await http(s, 'GET', `/contacts?category_id=${c.id}&q=tableau&per_page=4`, { cookies: h.cookie });
  assert.equal(rows(r.text).length, 4);
  assert.ok(r.text.includes(`href="?page=2&amp;q=tableau&amp;category_id=${c.id}"`) || r.text.includes(`href="?page=2&q=tableau&category_id=${c.id}"`), 'lien de page suivante avec q et category_id');
  // Catégorie d'un autre admin : jamais ses contacts.
  const foreign = await mkCat('Chez B page', tb);
  await mkContact({ phone_number: '0644999999', first_name: 'Secret', category_ids: [foreign.id] }, tb);
  r = await http(s, 'GET', `/contacts?category_id=${foreign.id}`, { cookies: h.cookie });
  assert.ok(!r.text.includes('+33644999999'));
  assert.ok(!r.text.includes('Chez B page'));
});

test('page : POST /contacts crée (303), 422 et 409 rendent le formulaire avec l\'erreur', async () => {
  const a = await freshAdmin('page-create@test.com');
  const h = await htmlLogin(s, a.email);
  const c1 = await mkCat('Créa 1', a.token);
  const c2 = await mkCat('Créa 2', a.token);
  let r = await http(s, 'POST', '/contacts', {
    cookies: h.cookie, headers: FORM,
    body: `${form({ csrf: h.csrf, country_code: '+33', phone: '06 12 34 56 78', first_name: 'Élise', last_name: 'Page' })}&category_ids=${c1.id}&category_ids=${c2.id}`,
  });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  assert.equal(r.headers.get('location'), '/contacts');
  const row = s.sql(`SELECT * FROM contacts WHERE created_by = ${a.id}`);
  assert.equal(row.length, 1);
  assert.equal(row[0].full_number, '+33612345678');
  assert.equal(row[0].first_name, 'Élise');
  assert.deepEqual(s.sql(`SELECT category_id FROM category_contacts WHERE contact_id = ${row[0].id} ORDER BY category_id`).map((x) => x.category_id), [c1.id, c2.id].sort(byNum));
  // Le message flash suit la redirection.
  const setc = r.headers.getSetCookie().map((x) => x.split(';')[0]).join('; ');
  r = await http(s, 'GET', '/contacts', { cookies: `${h.cookie}; ${setc}` });
  assert.match(r.text, /Contact \+33612345678 enregistré\./);
  assert.match(r.text, /Élise Page/);
  // Numéro invalide : 422, formulaire ouvert, message français, saisie gardée.
  r = await http(s, 'POST', '/contacts', { cookies: h.cookie, headers: FORM, body: form({ csrf: h.csrf, country_code: '+33', phone: '06 12', first_name: 'Court', last_name: '' }) });
  assert.equal(r.status, 422);
  assert.match(r.text, /<p class="field-error" id="err-phone">Numéro trop court[^<]*<\/p>/);
  assert.match(r.text, /value="Court"/);
  assert.match(r.text, /<details class="card" open>/);
  r = await http(s, 'POST', '/contacts', { cookies: h.cookie, headers: FORM, body: form({ csrf: h.csrf, country_code: '+999', phone: '0612345679' }) });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="err-country_code">Indicatif pays inconnu/);
  // Doublon : 409 qui nomme le contact.
  r = await http(s, 'POST', '/contacts', { cookies: h.cookie, headers: FORM, body: form({ csrf: h.csrf, country_code: '+33', phone: '0612345678', first_name: 'Double' }) });
  assert.equal(r.status, 409);
  assert.match(r.text, /Ce numéro est déjà enregistré pour Élise Page/);
  // Sans CSRF : 403.
  r = await http(s, 'POST', '/contacts', { cookies: h.cookie, headers: FORM, body: form({ country_code: '+33', phone: '0612345699' }) });
  assert.equal(r.status, 403);
  assert.equal(s.sql(`SELECT count(*) AS n FROM contacts WHERE created_by = ${a.id}`)[0].n, 1);
});

test('page : le formulaire « Nouveau contact » coche la catégorie la plus récemment créée ou utilisée', async () => {
  const a = await freshAdmin('recent@test.com');
  const h = await htmlLogin(s, a.email);
  const checked = async () => {
    const r = await http(s, 'GET', '/contacts', { cookies: h.cookie });
    assert.equal(r.status, 200);
    return [...r.text.matchAll(/<input type="checkbox" name="category_ids" value="(\d+)" id="category-choice-\d+" checked>/g)].map((m) => Number(m[1]));
  };
  assert.deepEqual(await checked(), [], 'aucune catégorie : rien de coché');
  const c1 = await mkCat('Récente 1', a.token);
  assert.deepEqual(await checked(), [c1.id]);
  const c2 = await mkCat('Récente 2', a.token);
  assert.deepEqual(await checked(), [c2.id], 'la plus récemment créée');
  const c3 = await mkCat('Récente 3', a.token);
  assert.deepEqual(await checked(), [c3.id]);
  // Utiliser une catégorie plus ancienne (dates remises dans le passé pour
  // ne pas dépendre de la seconde courante) : elle devient la plus récente.
  s.sql(`UPDATE categories SET updated_at = '2020-01-01T00:00:00Z' WHERE created_by = ${a.id}`);
  await mkContact({ phone_number: '0655000001', category_ids: [c1.id] }, a.token);
  assert.deepEqual(await checked(), [c1.id], 'la plus récemment utilisée (contact créé)');
  s.sql(`UPDATE categories SET updated_at = '2020-01-01T00:00:00Z' WHERE created_by = ${a.id}`);
  const k = await mkContact({ phone_number: '0655000002' }, a.token);
  await api('POST', `/api/categories/${c2.id}/contacts`, { contact_ids: [k.id] }, a.token);
  assert.deepEqual(await checked(), [c2.id], 'la plus récemment utilisée (ajout à la catégorie)');
});

test('page : fiche d\'un contact, modification (303), 422 et 409 rendent la fiche', async () => {
  const a = await freshAdmin('page-edit@test.com');
  const h = await htmlLogin(s, a.email);
  const c1 = await mkCat('Édition 1', a.token);
  const c2 = await mkCat('Édition 2', a.token);
  const k = await mkContact({ phone_number: '0677000001', first_name: 'Avant', last_name: 'Modif', category_ids: [c1.id, c2.id] }, a.token);
  let r = await http(s, 'GET', `/contacts/${k.id}`, { cookies: h.cookie });
  assert.equal(r.status, 200);
  assert.match(r.text, /value="Avant"/);
  assert.match(r.text, /name="phone" [^>]*value="677000001"/);
  assert.match(r.text, /<option value="\+33" selected>/);
  const ticked = [...r.text.matchAll(/name="category_ids" value="(\d+)" id="category-choice-\d+" checked>/g)].map((m) => Number(m[1])).sort(byNum);
  assert.deepEqual(ticked, [c1.id, c2.id].sort(byNum));
  const csrf = csrfOf(r.text);
  // Modification avec une seule case cochée.
  r = await http(s, 'POST', `/contacts/${k.id}`, { cookies: h.cookie, headers: FORM, body: `${form({ csrf, country_code: '+33', phone: '06 77 00 00 02', first_name: 'Après', last_name: 'Modif' })}&category_ids=${c2.id}` });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  assert.equal(r.headers.get('location'), '/contacts');
  let row = s.sql(`SELECT * FROM contacts WHERE id = ${k.id}`)[0];
  assert.equal(row.first_name, 'Après');
  assert.equal(row.full_number, '+33677000002');
  assert.deepEqual(s.sql(`SELECT category_id FROM category_contacts WHERE contact_id = ${k.id}`).map((x) => x.category_id), [c2.id]);
  // Invalide : 422, la fiche avec l'erreur.
  r = await http(s, 'POST', `/contacts/${k.id}`, { cookies: h.cookie, headers: FORM, body: form({ csrf, country_code: '+33', phone: 'douze', first_name: 'X' }) });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="err-phone">Le numéro contient des caractères non autorisés/);
  row = s.sql(`SELECT * FROM contacts WHERE id = ${k.id}`)[0];
  assert.equal(row.first_name, 'Après');
  // Numéro d'un autre contact : 409.
  await mkContact({ phone_number: '0677000003', first_name: 'Occupant' }, a.token);
  r = await http(s, 'POST', `/contacts/${k.id}`, { cookies: h.cookie, headers: FORM, body: form({ csrf, country_code: '+33', phone: '0677000003' }) });
  assert.equal(r.status, 409);
  assert.match(r.text, /Ce numéro est déjà enregistré pour Occupant/);
  assert.equal(s.sql(`SELECT full_number FROM contacts WHERE id = ${k.id}`)[0].full_number, '+33677000002');
});

test('page : décocher toutes les catégories d\'un contact retire ses liens', async () => {
  const a = await freshAdmin('page-untick@test.com');
  const h = await htmlLogin(s, a.email);
  const c1 = await mkCat('Décoche 1', a.token);
  const c2 = await mkCat('Décoche 2', a.token);
  const k = await mkContact({ phone_number: '0677100001', first_name: 'Coché', category_ids: [c1.id, c2.id] }, a.token);
  const page = await http(s, 'GET', `/contacts/${k.id}`, { cookies: h.cookie });
  // Ce qu'envoie un navigateur quand aucune case n'est cochée : les champs
  // du formulaire, sans aucun category_ids (il n'y a pas de champ caché).
  const fm = page.text.match(new RegExp(`<form method="post" action="/contacts/${k.id}" class="form">([\\s\\S]*?)</form>`));
  assert.ok(fm, 'formulaire de modification');
  const fields = [...fm[1].matchAll(/<input ([^>]*)>/g)].map((m) => m[1])
    .filter((attrs) => !/type="checkbox"/.test(attrs))
    .map((attrs) => [attrs.match(/name="(\w+)"/)[1], (attrs.match(/value="([^"]*)"/) || [, ''])[1]]);
  assert.deepEqual(fields.map(([n]) => n).sort(), ['csrf', 'first_name', 'last_name', 'phone'], 'aucun champ category_ids hors cases à cocher');
  const sel = fm[1].match(/<option value="([^"]+)" selected>/);
  const body = new URLSearchParams([...fields, ['country_code', sel[1]]]).toString();
  const r = await http(s, 'POST', `/contacts/${k.id}`, { cookies: h.cookie, headers: FORM, body });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  assert.equal(s.sql(`SELECT first_name FROM contacts WHERE id = ${k.id}`)[0].first_name, 'Coché');
  assert.deepEqual(s.sql(`SELECT category_id FROM category_contacts WHERE contact_id = ${k.id}`), [], 'décocher toutes les catégories doit retirer les liens');
  assert.deepEqual((await api('GET', `/api/contacts/${k.id}`, undefined, a.token)).json.category_ids, []);
});

test('page : suppression d\'un contact avec confirmation ; réactivation des envois', async () => {
  const a = await freshAdmin('page-del@test.com');
  const h = await htmlLogin(s, a.email);
  const c = await mkCat('Suppr page', a.token);
  const k = await mkContact({ phone_number: '0688000001', first_name: 'Adieu', last_name: 'Contact', category_ids: [c.id] }, a.token);
  let r = await http(s, 'GET', `/contacts/${k.id}/delete`, { cookies: h.cookie });
  assert.equal(r.status, 200);
  assert.match(r.text, /Supprimer le contact Adieu Contact \(\+33688000001\) \?/);
  assert.ok(r.text.includes(`action="/contacts/${k.id}/delete"`));
  const csrf = csrfOf(r.text);
  assert.equal(s.sql(`SELECT count(*) AS n FROM contacts WHERE id = ${k.id}`)[0].n, 1, 'la confirmation ne supprime rien');
  r = await http(s, 'POST', `/contacts/${k.id}/delete`, { cookies: h.cookie, headers: FORM, body: form({ csrf }) });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/contacts');
  assert.equal(s.sql(`SELECT count(*) AS n FROM contacts WHERE id = ${k.id}`)[0].n, 0);
  assert.equal(s.sql(`SELECT count(*) AS n FROM category_contacts WHERE contact_id = ${k.id}`)[0].n, 0);
  assert.equal(s.sql(`SELECT count(*) AS n FROM categories WHERE id = ${c.id}`)[0].n, 1);
  r = await http(s, 'GET', `/contacts/${k.id}`, { cookies: h.cookie });
  assert.equal(r.status, 404);
  assert.match(r.text, /Page introuvable/);
  // Réactivation d'un contact désinscrit.
  const k2 = await mkContact({ phone_number: '0688000002', first_name: 'Stop' }, a.token);
  s.sql(`UPDATE contacts SET opted_out_at = '2026-02-03T04:05:06Z' WHERE id = ${k2.id}`);
  r = await http(s, 'GET', `/contacts/${k2.id}`, { cookies: h.cookie });
  assert.match(r.text, /Envois suspendus/);
  assert.ok(r.text.includes(`action="/contacts/${k2.id}/resubscribe"`));
  r = await http(s, 'POST', `/contacts/${k2.id}/resubscribe`, { cookies: h.cookie, headers: FORM, body: form({ csrf }) });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), `/contacts/${k2.id}`);
  assert.equal(s.sql(`SELECT opted_out_at FROM contacts WHERE id = ${k2.id}`)[0].opted_out_at, null);
  r = await http(s, 'GET', `/contacts/${k2.id}`, { cookies: h.cookie });
  assert.doesNotMatch(r.text, /Envois suspendus/);
  r = await http(s, 'POST', `/contacts/${k2.id}/resubscribe`, { cookies: h.cookie, headers: FORM, body: form({}) });
  assert.equal(r.status, 403, 'CSRF exigé');
});
