// Propriétés 2, 3, 11 et 12 par l'API (et un peu par les pages), au moins
// 100 itérations chacune, PRNG mulberry32 à graine affichée (« seed= »),
// rejouable avec CBW_SEED=<graine>.
//  2 : un lien catégorie-contact existe dans category_contacts et se voit
//      des deux côtés (liste filtrée par catégorie, fiche du contact) ;
//  3 : supprimer une catégorie retire exactement ses liens, jamais un contact ;
// 11 : un admin ne voit que ses lignes (listes et recherches) ;
// 12 : per_page entre 1 et 50 ; sinon 422 ; chaque page est la bonne tranche.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login, createUser } from '../lib/stack.mjs';
import { stop, seeded, htmlLogin, form, FORM, upload } from './util.mjs';

let s, su;
before(async () => {
  s = await startStack();
  su = (await login(s)).access_token;
});
after(async () => { await stop(s); });

const api = (m, p, json, token) => http(s, m, p, json === undefined ? { token } : { token, json });
const byNum = (a, b) => a - b;
const sorted = (xs) => [...xs].sort(byNum);
async function admin(email) {
  await createUser(s, su, email);
  const token = (await login(s, email)).access_token;
  return { email, token, id: s.sql(`SELECT id FROM users WHERE email = '${email}'`)[0].id };
}
async function mkCat(who, name) {
  const r = await api('POST', '/api/categories', { name }, who.token);
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function mkContact(who, body) {
  const r = await api('POST', '/api/contacts', { country_code: '+33', ...body }, who.token);
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
// Toutes les pages d'une liste (per_page=50).
async function listAll(path, token) {
  const out = [];
  for (let page = 1; ; page++) {
    const r = await api('GET', `${path}${path.includes('?') ? '&' : '?'}per_page=50&page=${page}`, undefined, token);
    assert.equal(r.status, 200, `${path} : ${r.text}`);
    out.push(...r.json.items);
    if (r.json.items.length < 50) { assert.equal(out.length, r.json.total, `${path} : total`); return out; }
  }
}
const pick = (rnd, xs) => xs[Math.floor(rnd() * xs.length)];
const subset = (rnd, xs, max = xs.length) => {
  const n = Math.floor(rnd() * (max + 1));
  const c = [...xs];
  for (let i = c.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [c[i], c[j]] = [c[j], c[i]]; }
  return c.slice(0, n);
};

test('propriété 2 : suites aléatoires d\'ajouts et de retraits ; la base égale le modèle et les deux vues API concordent', async () => {
  const { seed, rnd } = seeded('propriété 2');
  const P = await admin('prop2@test.com');
  const h = await htmlLogin(s, P.email);
  const other = await admin('prop2-other@test.com');
  const foreign = await mkContact(other, { phone_number: '0699999990' });
  const cats = [];
  for (let i = 0; i < 4; i++) cats.push(await mkCat(P, `P2 ${i}`));
  const contacts = [];
  for (let i = 0; i < 7; i++) contacts.push(await mkContact(P, { phone_number: `06200000${10 + i}`, first_name: `P2-${i}` }));
  const model = new Map(cats.map((c) => [c, new Set()]));
  const key = (c, k) => `${c}:${k}`;
  const modelPairs = () => [...model].flatMap(([c, ks]) => [...ks].map((k) => key(c, k))).sort();
  const STEPS = 120;
  for (let step = 0; step < STEPS; step++) {
    const label = `seed=${seed} étape ${step}`;
    const op = pick(rnd, ['add', 'add', 'remove', 'remove', 'set', 'page-add', 'page-remove']);
    const c = pick(rnd, cats);
    if (op === 'add') {
      const ids = subset(rnd, [...contacts, foreign, 987654321], 4);
      const r = await api('POST', `/api/categories/${c}/contacts`, { contact_ids: ids }, P.token);
      assert.equal(r.status, 200, `${label} : ${r.text}`);
      const want = { added: [], already: [], rejected: [] };
      const seen = new Set();
      for (const k of ids) {
        if (!contacts.includes(k)) want.rejected.push(k);
        else if (model.get(c).has(k) || seen.has(k)) want.already.push(k);
        else { want.added.push(k); seen.add(k); }
      }
      assert.deepEqual(r.json, want, `${label} : réponse de l'ajout`);
      for (const k of want.added) model.get(c).add(k);
    } else if (op === 'remove') {
      const k = pick(rnd, contacts);
      const r = await api('DELETE', `/api/categories/${c}/contacts/${k}`, undefined, P.token);
      assert.equal(r.status, model.get(c).has(k) ? 204 : 404, `${label} : retrait`);
      model.get(c).delete(k);
    } else if (op === 'set') {
      const k = pick(rnd, contacts);
      const ids = subset(rnd, cats);
      const r = await api('PUT', `/api/contacts/${k}`, { category_ids: ids }, P.token);
      assert.equal(r.status, 200, `${label} : ${r.text}`);
      for (const cc of cats) { if (ids.includes(cc)) model.get(cc).add(k); else model.get(cc).delete(k); }
      assert.deepEqual(sorted(r.json.category_ids), sorted(ids), `${label} : réponse du PUT`);
    } else if (op === 'page-add') {
      const ids = subset(rnd, contacts, 3);
      const body = [`csrf=${h.csrf}`, ...ids.map((k) => `contact_ids=${k}`)].join('&');
      const r = await http(s, 'POST', `/categories/${c}/contacts`, { cookies: h.cookie, headers: FORM, body });
      assert.equal(r.status, 303, `${label} : ajout par la page`);
      for (const k of ids) model.get(c).add(k);
    } else {
      const k = pick(rnd, contacts);
      const r = await http(s, 'POST', `/categories/${c}/contacts/${k}/remove`, { cookies: h.cookie, headers: FORM, body: form({ csrf: h.csrf }) });
      assert.equal(r.status, model.get(c).has(k) ? 303 : 404, `${label} : retrait par la page`);
      model.get(c).delete(k);
    }
    // La base égale le modèle.
    const db = s.sql(`SELECT category_id, contact_id FROM category_contacts WHERE category_id IN (${cats.join(',')})`).map((x) => key(x.category_id, x.contact_id)).sort();
    assert.deepEqual(db, modelPairs(), `${label} (${op}) : category_contacts ≠ modèle`);
    assert.equal(s.sql(`SELECT count(*) AS n FROM category_contacts WHERE contact_id = ${foreign}`)[0].n, 0, `${label} : contact étranger lié`);
    // Vue « par catégorie » : GET /api/contacts?category_id=X et contact_count.
    for (const cc of cats) {
      const r = await api('GET', `/api/contacts?category_id=${cc}&per_page=50`, undefined, P.token);
      assert.deepEqual(sorted(r.json.items.map((x) => x.id)), sorted(model.get(cc)), `${label} : liste de la catégorie ${cc}`);
      assert.equal(r.json.total, model.get(cc).size, `${label} : total de la catégorie ${cc}`);
    }
    // Vue « par contact » : category_ids de la liste et de la fiche.
    const all = await api('GET', '/api/contacts?per_page=50', undefined, P.token);
    for (const x of all.json.items) {
      const want = sorted(cats.filter((cc) => model.get(cc).has(x.id)));
      assert.deepEqual(sorted(x.category_ids), want, `${label} : category_ids du contact ${x.id} (liste)`);
    }
    const k = pick(rnd, contacts);
    const one = await api('GET', `/api/contacts/${k}`, undefined, P.token);
    const want = sorted(cats.filter((cc) => model.get(cc).has(k)));
    assert.deepEqual(sorted(one.json.category_ids), want, `${label} : category_ids de la fiche ${k}`);
    assert.deepEqual(sorted(one.json.categories.map((x) => x.id)), want, `${label} : categories de la fiche ${k}`);
    if (step % 10 === 0) {
      const list = await api('GET', '/api/categories?per_page=50', undefined, P.token);
      for (const x of list.json.items) assert.equal(x.contact_count, model.get(x.id).size, `${label} : contact_count ${x.id}`);
    }
  }
});

test('propriété 3 : des suppressions aléatoires de catégories ne changent jamais le nombre de contacts et retirent exactement leurs liens', async () => {
  const { seed, rnd } = seeded('propriété 3');
  const P = await admin('prop3@test.com');
  const h = await htmlLogin(s, P.email);
  const contacts = [];
  for (let i = 0; i < 10; i++) contacts.push(await mkContact(P, { phone_number: `06300000${10 + i}`, first_name: `P3-${i}` }));
  const live = [];
  const links = () => s.sql('SELECT category_id, contact_id FROM category_contacts ORDER BY category_id, contact_id').map((x) => `${x.category_id}:${x.contact_id}`);
  const ITER = 100;
  for (let i = 0; i < ITER; i++) {
    const label = `seed=${seed} itération ${i}`;
    // Une ou deux catégories nouvelles, avec des membres au hasard.
    const nNew = live.length < 2 ? 2 : 1 + Math.floor(rnd() * 2);
    for (let j = 0; j < nNew; j++) {
      const c = await mkCat(P, `P3 ${i}-${j}`);
      const ids = subset(rnd, contacts, 6);
      if (ids.length) assert.equal((await api('POST', `/api/categories/${c}/contacts`, { contact_ids: ids }, P.token)).status, 200);
      live.push(c);
    }
    const victim = live.splice(Math.floor(rnd() * live.length), 1)[0];
    const nContacts = s.sql('SELECT count(*) AS n FROM contacts')[0].n;
    const before = links();
    const own = s.sql(`SELECT contact_id FROM category_contacts WHERE category_id = ${victim}`).map((x) => `${victim}:${x.contact_id}`);
    const viaPage = rnd() < 0.3;
    const r = viaPage
      ? await http(s, 'POST', `/categories/${victim}/delete`, { cookies: h.cookie, headers: FORM, body: form({ csrf: h.csrf }) })
      : await api('DELETE', `/api/categories/${victim}`, undefined, P.token);
    assert.equal(r.status, viaPage ? 303 : 204, `${label} : suppression`);
    assert.equal(s.sql('SELECT count(*) AS n FROM contacts')[0].n, nContacts, `${label} : nombre de contacts`);
    assert.deepEqual(links(), before.filter((l) => !own.includes(l)), `${label} : liens restants`);
    assert.equal(s.sql(`SELECT count(*) AS n FROM categories WHERE id = ${victim}`)[0].n, 0, `${label} : catégorie encore là`);
    if (i % 10 === 0) {
      const all = await listAll('/api/contacts', P.token);
      assert.deepEqual(sorted(all.map((x) => x.id)), sorted(contacts), `${label} : contacts visibles`);
      for (const x of all) for (const c of x.category_ids) assert.ok(live.includes(c), `${label} : lien vers une catégorie supprimée`);
    }
  }
});

test('propriété 11 : opérations aléatoires de deux admins ; listes et recherches ⊆ leurs propres lignes', async () => {
  const { seed, rnd } = seeded('propriété 11');
  const X = await admin('prop11-x@test.com');
  const Y = await admin('prop11-y@test.com');
  const who = [X, Y];
  // Noms et numéros communs aux deux admins : les recherches se croisent.
  const FIRST = ['Hélène', 'Marc', 'Zoé', 'Jean', 'Anaïs'];
  const LAST = ['Dupont', 'Martin', 'Lefèvre', 'Nuñez'];
  const TERMS = ['helene', 'marc', 'zoe', 'dupont', 'martin', 'lefevre', 'nunez', '06', '0611', '+33 6 11', '5', '12', 'an', 'e', 'P11', 'p11 1', 'clients'];
  const own = (a, t) => new Set(s.sql(`SELECT id FROM ${t} WHERE created_by = ${a.id}`).map((x) => x.id));
  const ITER = 110;
  for (let i = 0; i < ITER; i++) {
    const a = pick(rnd, who);
    const b = a === X ? Y : X;
    const label = `seed=${seed} itération ${i} (${a.email})`;
    const op = pick(rnd, ['contact', 'contact', 'category', 'link', 'search', 'search', 'catsearch', 'filter', 'peek']);
    if (op === 'contact') {
      const num = `0611${String(Math.floor(rnd() * 40)).padStart(6, '0')}`;
      const r = await api('POST', '/api/contacts', { country_code: '+33', phone_number: num, first_name: pick(rnd, FIRST), last_name: pick(rnd, LAST) }, a.token);
      assert.ok([201, 409].includes(r.status), `${label} : ${r.text}`);
      if (r.status === 409) assert.ok(own(a, 'contacts').has(r.json.existing.id), `${label} : 409 qui nomme un contact de l'autre admin`);
    } else if (op === 'category') {
      const r = await api('POST', '/api/categories', { name: `P11 ${Math.floor(rnd() * 30)} ${pick(rnd, ['clients', 'amis', 'VIP'])}` }, a.token);
      assert.ok([201, 409].includes(r.status), `${label} : ${r.text}`);
    } else if (op === 'link') {
      const cats = [...own(a, 'categories')];
      if (!cats.length) continue;
      const everyone = s.sql('SELECT id FROM contacts').map((x) => x.id);
      const ids = subset(rnd, everyone, 4);
      const r = await api('POST', `/api/categories/${pick(rnd, cats)}/contacts`, { contact_ids: ids }, a.token);
      assert.equal(r.status, 200, `${label} : ${r.text}`);
      const mine = own(a, 'contacts');
      for (const k of [...r.json.added, ...r.json.already]) assert.ok(mine.has(k), `${label} : contact ${k} de l'autre admin accepté`);
      for (const k of ids) if (!mine.has(k)) assert.ok(r.json.rejected.includes(k), `${label} : contact ${k} étranger non rejeté`);
    } else if (op === 'search' || op === 'filter') {
      let path = `/api/contacts?per_page=50&q=${encodeURIComponent(pick(rnd, TERMS))}`;
      if (op === 'filter') {
        const cats = [...own(a, 'categories')];
        if (!cats.length) continue;
        path = `/api/contacts?per_page=50&category_id=${pick(rnd, cats)}`;
      }
      const r = await api('GET', path, undefined, a.token);
      assert.equal(r.status, 200, `${label} : ${path}`);
      const mine = own(a, 'contacts');
      for (const x of r.json.items) assert.ok(mine.has(x.id), `${label} : ${path} montre le contact ${x.id} de l'autre admin`);
      assert.ok(r.json.total <= mine.size, `${label} : ${path} total ${r.json.total} > ${mine.size}`);
      // Catégories d'un contact affiché : toutes à lui.
      const myCats = own(a, 'categories');
      for (const x of r.json.items) for (const c of x.category_ids) assert.ok(myCats.has(c), `${label} : catégorie ${c} étrangère`);
    } else if (op === 'catsearch') {
      const q = pick(rnd, ['p11', 'clients', 'amis', 'vip', '1', '']);
      const r = await api('GET', `/api/categories?per_page=50&q=${q}`, undefined, a.token);
      assert.equal(r.status, 200);
      const mine = own(a, 'categories');
      for (const x of r.json.items) assert.ok(mine.has(x.id), `${label} : catégorie ${x.id} de l'autre admin listée`);
      assert.ok(r.json.total <= mine.size);
    } else {
      // Lecture directe d'une ligne de l'autre : 404.
      const theirs = [...own(b, 'contacts')];
      const theirCats = [...own(b, 'categories')];
      if (theirs.length) assert.equal((await api('GET', `/api/contacts/${pick(rnd, theirs)}`, undefined, a.token)).status, 404, label);
      if (theirCats.length) {
        const c = pick(rnd, theirCats);
        assert.equal((await api('GET', `/api/categories/${c}`, undefined, a.token)).status, 404, label);
        assert.equal((await api('GET', `/api/contacts?category_id=${c}`, undefined, a.token)).status, 404, label);
      }
    }
  }
  // À la fin : chaque liste complète est exactement l'ensemble de ses lignes.
  for (const a of who) {
    assert.deepEqual(sorted((await listAll('/api/contacts', a.token)).map((x) => x.id)), sorted(own(a, 'contacts')), `seed=${seed} : contacts de ${a.email}`);
    assert.deepEqual(sorted((await listAll('/api/categories', a.token)).map((x) => x.id)), sorted(own(a, 'categories')), `seed=${seed} : catégories de ${a.email}`);
  }
});

test('propriété 12 : per_page 1..50 → la bonne tranche ; 0, > 50, négatif, non numérique → 422 (catégories et contacts)', async () => {
  const { seed, rnd } = seeded('propriété 12');
  const P = await admin('prop12@test.com');
  // 73 contacts et 73 catégories en un import (une catégorie par ligne).
  const N = 73;
  const rows = ['téléphone;prénom;nom;catégorie'];
  for (let i = 0; i < N; i++) rows.push(`06120${String(i).padStart(5, '0')};Prénom${i % 7};Nom${String((i * 37) % N).padStart(2, '0')};Cat ${String((i * 11) % N).padStart(2, '0')}${i % 3 ? ' vip' : ''}`);
  const imp = await upload(s, '/api/contacts/import', { token: P.token, file: rows.join('\n') + '\n' });
  assert.equal(imp.status, 200, imp.text);
  assert.equal(imp.json.created, N);
  const cat0 = s.sql(`SELECT id FROM categories WHERE created_by = ${P.id} ORDER BY id LIMIT 1`)[0].id;
  // Listes complètes de référence (avec et sans filtres).
  const lists = {
    '/api/categories': await listAll('/api/categories', P.token),
    '/api/categories?q=vip': await listAll('/api/categories?q=vip', P.token),
    '/api/contacts': await listAll('/api/contacts', P.token),
    '/api/contacts?q=prenom3': await listAll('/api/contacts?q=prenom3', P.token),
    [`/api/contacts?category_id=${cat0}`]: await listAll(`/api/contacts?category_id=${cat0}`, P.token),
  };
  assert.equal(lists['/api/categories'].length, N);
  assert.equal(lists['/api/contacts'].length, N);
  assert.deepEqual(sorted(lists['/api/contacts'].map((x) => x.id)), sorted(s.sql(`SELECT id FROM contacts WHERE created_by = ${P.id}`).map((x) => x.id)));
  assert.deepEqual(sorted(lists['/api/categories'].map((x) => x.id)), sorted(s.sql(`SELECT id FROM categories WHERE created_by = ${P.id}`).map((x) => x.id)));
  assert.ok(lists['/api/categories?q=vip'].length > 0 && lists['/api/contacts?q=prenom3'].length > 0);
  const bases = Object.keys(lists);
  const ITER = 110;
  for (let i = 0; i < ITER; i++) {
    const base = pick(rnd, bases);
    const full = lists[base];
    const pp = 1 + Math.floor(rnd() * 50);
    const pages = Math.max(1, Math.ceil(full.length / pp));
    const page = 1 + Math.floor(rnd() * (pages + 1));
    const sep = base.includes('?') ? '&' : '?';
    const omitPage = rnd() < 0.1;
    const path = `${base}${sep}per_page=${pp}${omitPage ? '' : `&page=${page}`}`;
    const pg = omitPage ? 1 : page;
    const label = `seed=${seed} ${path}`;
    const r = await api('GET', path, undefined, P.token);
    assert.equal(r.status, 200, `${label} : ${r.text}`);
    assert.ok(r.json.items.length <= pp && r.json.items.length <= 50, `${label} : ${r.json.items.length} éléments`);
    assert.equal(r.json.per_page, pp, label);
    assert.equal(r.json.page, pg, label);
    assert.equal(r.json.total, full.length, label);
    assert.deepEqual(r.json.items.map((x) => x.id), full.slice((pg - 1) * pp, pg * pp).map((x) => x.id), `${label} : tranche`);
  }
  // Sans per_page : 20 par défaut.
  for (const base of bases) {
    const r = await api('GET', base, undefined, P.token);
    assert.equal(r.json.per_page, 20);
    assert.deepEqual(r.json.items.map((x) => x.id), lists[base].slice(0, 20).map((x) => x.id));
  }
  // Valeurs invalides : 422 avec le champ en cause.
  const badPerPage = () => pick(rnd, [
    () => '0', () => String(51 + Math.floor(rnd() * 100000)), () => String(-1 - Math.floor(rnd() * 1000)),
    () => pick(rnd, ['abc', 'dix', 'x1', '1x', '', '1.5', '2e1', '0x10', 'NaN', 'Infinity', '-0', '9'.repeat(25), '%20', '5%00', '1,5', 'null']),
  ])();
  const badPage = () => pick(rnd, [() => '0', () => String(-1 - Math.floor(rnd() * 1000)), () => pick(rnd, ['abc', '', '1.0', 'deux', '9'.repeat(25), '1e3'])])();
  for (let i = 0; i < ITER; i++) {
    const base = pick(rnd, bases);
    const sep = base.includes('?') ? '&' : '?';
    const onPage = rnd() < 0.3;
    const v = onPage ? badPage() : badPerPage();
    const path = onPage ? `${base}${sep}page=${encodeURIComponent(v)}&per_page=${1 + Math.floor(rnd() * 50)}` : `${base}${sep}per_page=${encodeURIComponent(v)}`;
    const label = `seed=${seed} ${path}`;
    const r = await api('GET', path, undefined, P.token);
    assert.equal(r.status, 422, `${label} : ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(r.json.error, 'validation_error', label);
    assert.ok(r.json.fields && r.json.fields[onPage ? 'page' : 'per_page'], `${label} : fields`);
  }
});
