// Gestion des comptes (super admin) : API /api/users (liste paginée,
// création, doublon, validation, lecture, modification, suppression),
// interdictions (admin, soi-même, dernier super admin), données gardées
// après suppression, journal d'audit, et pages /admin-users.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login, createUser, ADMIN } from '../lib/stack.mjs';
import { stop, assertJsonError, htmlLogin, setCookies, csrfOf, form, FORM } from './util.mjs';

let s, su, superId;
before(async () => {
  s = await startStack();
  su = (await login(s)).access_token;
  superId = s.sql(`SELECT id FROM users WHERE email = '${ADMIN.email}'`)[0].id;
});
after(async () => { await stop(s); });
beforeEach(() => { s.sql('DELETE FROM login_attempts'); });

const api = (m, p, json, token = su) => http(s, m, p, json === undefined ? { token } : { token, json });
const count = () => s.sql('SELECT count(*) AS n FROM users')[0].n;
const row = (id) => s.sql(`SELECT id, email, role, is_active, password_hash FROM users WHERE id = ${id}`)[0];
const USER_KEYS = ['created_at', 'email', 'id', 'is_active', 'role', 'updated_at'];

test('liste paginée : enveloppe items/total/page/per_page, sans hachage', async () => {
  for (const e of ['liste1@test.com', 'liste2@test.com', 'liste3@test.com']) await createUser(s, su, e);
  const total = count();
  let r = await api('GET', '/api/users');
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.json).sort(), ['items', 'page', 'per_page', 'total']);
  assert.equal(r.json.total, total);
  assert.equal(r.json.page, 1);
  assert.equal(r.json.per_page, 20);
  assert.equal(r.json.items.length, total);
  for (const u of r.json.items) {
    assert.deepEqual(Object.keys(u).sort(), USER_KEYS);
    assert.equal(typeof u.is_active, 'boolean');
  }
  assert.doesNotMatch(r.text, /password|\$2b\$/);
  const ids = r.json.items.map((u) => u.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'ordre stable par id');

  r = await api('GET', '/api/users?per_page=2&page=2');
  assert.equal(r.status, 200);
  assert.equal(r.json.page, 2);
  assert.equal(r.json.per_page, 2);
  assert.equal(r.json.total, total);
  assert.deepEqual(r.json.items.map((u) => u.id), ids.slice(2, 4));
  r = await api('GET', '/api/users?per_page=50&page=1000');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items, []);
  assert.equal(r.json.total, total);
  assert.equal(r.json.per_page, 50);
});

test('pagination invalide : per_page 0, 51, -1, "abc"… et page 0 → 422', async () => {
  for (const v of ['0', '51', '-1', 'abc', '', '1.5', '%2010', '1e1', '100000000000000000000']) {
    const r = await api('GET', `/api/users?per_page=${v}`);
    assertJsonError(r, 422, 'validation_error', `per_page=${v}`);
    assert.ok(r.json.fields && r.json.fields.per_page, `per_page=${v} : fields.per_page`);
    assert.match(r.json.fields.per_page, /entre 1 et 50/);
  }
  for (const v of ['0', '-1', 'abc', '']) {
    const r = await api('GET', `/api/users?page=${v}`);
    assertJsonError(r, 422, 'validation_error', `page=${v}`);
    assert.ok(r.json.fields.page, `page=${v} : fields.page`);
  }
});

test('création : 201, rôle admin par défaut, e-mail en minuscules, bcrypt coût 12, audit', async () => {
  const n = count();
  const r = await api('POST', '/api/users', { email: 'Nouveau@Test.COM', password: 'motdepasse-1' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), USER_KEYS);
  assert.equal(r.json.email, 'nouveau@test.com');
  assert.equal(r.json.role, 'admin');
  assert.equal(r.json.is_active, true);
  assert.equal(typeof r.json.id, 'number');
  assert.equal(count(), n + 1);
  const db = row(r.json.id);
  assert.match(db.password_hash, /^\$2b\$12\$/);
  assert.ok(!db.password_hash.includes('motdepasse-1'));
  // Le compte peut se connecter (avec n'importe quelle casse d'e-mail).
  const l = await login(s, 'NOUVEAU@test.com', 'motdepasse-1');
  assert.equal(l.user.id, r.json.id);
  assert.equal(l.user.role, 'admin');
  // Super admin explicite, compte inactif à la création.
  const s2 = await api('POST', '/api/users', { email: 'chef@test.com', password: 'password123', role: 'super_admin', is_active: false });
  assert.equal(s2.status, 201);
  assert.equal(s2.json.role, 'super_admin');
  assert.equal(s2.json.is_active, false);
  // Audit de la création, sans mot de passe.
  const a = s.sql(`SELECT * FROM audit_log WHERE action = 'user.create' AND target_id = ${r.json.id}`);
  assert.equal(a.length, 1);
  assert.equal(a[0].user_id, superId);
  assert.equal(a[0].actor_email, ADMIN.email);
  assert.equal(a[0].target_type, 'user');
  assert.equal(a[0].ip, '127.0.0.1');
  assert.deepEqual(JSON.parse(a[0].details), { email: 'nouveau@test.com', role: 'admin' });
  assert.ok(!JSON.stringify(s.sql('SELECT * FROM audit_log')).includes('motdepasse-1'), 'mot de passe dans l\'audit');
});

test('doublon d\'e-mail (casse différente) : 409 en français avec fields.email', async () => {
  await createUser(s, su, 'double@test.com');
  const n = count();
  for (const email of ['double@test.com', 'DOUBLE@test.com', 'Double@Test.Com']) {
    const r = await api('POST', '/api/users', { email, password: 'password123' });
    assertJsonError(r, 409, 'conflict', email);
    assert.equal(r.json.message, 'Un compte existe déjà avec cette adresse e-mail.');
    assert.equal(r.json.fields.email, 'Un compte existe déjà avec cette adresse e-mail.');
  }
  assert.equal(count(), n);
  // Changer l'e-mail d'un autre compte vers celui-ci : 409 aussi.
  const other = await createUser(s, su, 'autre@test.com');
  const r = await api('PUT', `/api/users/${other.id}`, { email: 'DOUBLE@TEST.COM' });
  assertJsonError(r, 409, 'conflict', 'PUT doublon');
  assert.ok(r.json.fields.email);
  assert.equal(row(other.id).email, 'autre@test.com');
});

test('saisie invalide : 422 avec messages français par champ, rien de créé', async () => {
  const n = count();
  const cases = [
    [{ email: 'pas-un-email', password: 'password123' }, { email: 'Adresse e-mail invalide (exemple : nom@domaine.fr).' }],
    [{ email: 'a@b', password: 'password123' }, { email: /invalide/ }],
    [{ email: 'court@test.com', password: '1234567' }, { password: 'Le mot de passe doit contenir au moins 8 caractères.' }],
    [{ email: 'long@test.com', password: 'x'.repeat(73) }, { password: /72 octets/ }],
    [{}, { email: "L'adresse e-mail est obligatoire.", password: /obligatoire/ }],
    [{ email: 'role@test.com', password: 'password123', role: 'root' }, { role: /Rôle invalide/ }],
    [{ email: 'actif@test.com', password: 'password123', is_active: 'oui' }, { is_active: /booléen/ }],
    [{ email: 7, password: 12345678 }, { email: /chaîne|invalide/, password: /obligatoire|invalide/ }],
  ];
  for (const [body, want] of cases) {
    const r = await api('POST', '/api/users', body);
    const label = JSON.stringify(body).slice(0, 80);
    assertJsonError(r, 422, 'validation_error', label);
    assert.deepEqual(Object.keys(r.json.fields).sort(), Object.keys(want).sort(), `${label} : champs`);
    for (const [k, v] of Object.entries(want)) {
      if (v instanceof RegExp) assert.match(r.json.fields[k], v, `${label} : ${k}`);
      else assert.equal(r.json.fields[k], v, `${label} : ${k}`);
    }
  }
  assert.equal(count(), n);
  // Exactement 8 caractères : accepté.
  assert.equal((await api('POST', '/api/users', { email: 'huit@test.com', password: '12345678' })).status, 201);
});

test('lecture, modification, suppression d\'un compte ; 404 pour un compte absent', async () => {
  const u = await createUser(s, su, 'crud@test.com');
  let r = await api('GET', `/api/users/${u.id}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, u);

  r = await api('PUT', `/api/users/${u.id}`, { email: 'Crud2@Test.com', role: 'super_admin' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.email, 'crud2@test.com');
  assert.equal(r.json.role, 'super_admin');
  assert.equal(r.json.is_active, true);
  assert.equal(row(u.id).role, 'super_admin');
  r = await api('PUT', `/api/users/${u.id}`, { role: 'admin' });
  assert.equal(r.status, 200);
  assert.equal(r.json.email, 'crud2@test.com', 'champ absent : inchangé');
  assert.equal(r.json.role, 'admin');
  r = await api('PUT', `/api/users/${u.id}`, { password: 'court' });
  assertJsonError(r, 422, 'validation_error', 'PUT mot de passe court');
  assert.ok(r.json.fields.password);
  r = await api('PUT', `/api/users/${u.id}`, { role: 'dieu' });
  assertJsonError(r, 422, 'validation_error', 'PUT rôle');

  r = await api('DELETE', `/api/users/${u.id}`);
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  assert.equal(row(u.id), undefined);
  assertJsonError(await api('GET', `/api/users/${u.id}`), 404, 'not_found', 'GET après suppression');
  assertJsonError(await api('PUT', `/api/users/${u.id}`, { role: 'admin' }), 404, 'not_found', 'PUT absent');
  assertJsonError(await api('DELETE', `/api/users/${u.id}`), 404, 'not_found', 'DELETE absent');
  // Audit : création, deux modifications, suppression.
  const acts = s.sql(`SELECT action, user_id, details FROM audit_log WHERE target_type = 'user' AND target_id = ${u.id} ORDER BY id`);
  assert.deepEqual(acts.map((a) => a.action), ['user.create', 'user.update', 'user.update', 'user.delete']);
  assert.ok(acts.every((a) => a.user_id === superId));
  assert.deepEqual(JSON.parse(acts[1].details), { email: 'crud2@test.com', role: 'super_admin' });
});

test('un admin reçoit 403 sur toutes les routes /api/users, rien ne change', async () => {
  const me = await createUser(s, su, 'simple@test.com');
  const other = await createUser(s, su, 'voisin@test.com');
  const tok = (await login(s, 'simple@test.com', 'password123')).access_token;
  const before = JSON.stringify(s.sql('SELECT * FROM users ORDER BY id'));
  const calls = [
    ['GET', '/api/users'],
    ['POST', '/api/users', { email: 'pirate@test.com', password: 'password123', role: 'super_admin' }],
    ['GET', `/api/users/${other.id}`],
    ['PUT', `/api/users/${other.id}`, { is_active: false }],
    ['DELETE', `/api/users/${other.id}`],
    ['GET', `/api/users/${me.id}`],
    ['PUT', `/api/users/${me.id}`, { role: 'super_admin' }],
    ['DELETE', `/api/users/${superId}`],
  ];
  for (const [m, p, body] of calls) {
    const r = await api(m, p, body, tok);
    assertJsonError(r, 403, 'forbidden', `${m} ${p}`);
    assert.equal(r.json.message, 'Accès réservé au super administrateur.');
  }
  assert.equal(JSON.stringify(s.sql('SELECT * FROM users ORDER BY id')), before);
  // Son profil reste accessible.
  assert.equal((await http(s, 'GET', '/api/auth/me', { token: tok })).json.role, 'admin');
});

test('un admin reçoit 403 sur les pages /admin-users (sa propre session), rien ne change', async () => {
  await createUser(s, su, 'web-admin@test.com');
  const other = await createUser(s, su, 'web-voisin@test.com');
  const w = await htmlLogin(s, 'web-admin@test.com', 'password123');
  // Pas de lien « Utilisateurs » dans son menu.
  const dash = await http(s, 'GET', '/dashboard', { cookies: w.cookie });
  assert.doesNotMatch(dash.text, /href="\/admin-users"/);
  const before = JSON.stringify(s.sql('SELECT * FROM users ORDER BY id'));
  for (const p of ['/admin-users', `/admin-users/${other.id}`, `/admin-users/${other.id}/delete`]) {
    const r = await http(s, 'GET', p, { cookies: w.cookie });
    assert.equal(r.status, 403, `GET ${p}`);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.text, /Accès refusé/);
    assert.match(r.text, /Accès réservé au super administrateur\./);
  }
  // Avec un jeton CSRF valide (de sa session) : 403 du rôle, pas du CSRF.
  for (const [p, body] of [
    ['/admin-users', { email: 'pirate@test.com', password: 'password123', role: 'super_admin' }],
    [`/admin-users/${other.id}`, { email: 'web-voisin@test.com', role: 'admin' }],
    [`/admin-users/${other.id}/delete`, {}],
  ]) {
    const r = await http(s, 'POST', p, { cookies: w.cookie, headers: FORM, body: form({ csrf: w.csrf, ...body }) });
    assert.equal(r.status, 403, `POST ${p}`);
    assert.match(r.text, /Accès réservé au super administrateur\./, `POST ${p}`);
  }
  assert.equal(JSON.stringify(s.sql('SELECT * FROM users ORDER BY id')), before);
});

test('un super admin ne peut ni se supprimer, ni se rétrograder, ni se désactiver (403)', async () => {
  const before = row(superId);
  let r = await api('DELETE', `/api/users/${superId}`);
  assertJsonError(r, 403, 'forbidden', 'se supprimer');
  assert.equal(r.json.message, 'Vous ne pouvez pas supprimer votre propre compte.');
  r = await api('PUT', `/api/users/${superId}`, { role: 'admin' });
  assertJsonError(r, 403, 'forbidden', 'se rétrograder');
  assert.match(r.json.message, /propres droits/);
  r = await api('PUT', `/api/users/${superId}`, { is_active: false });
  assertJsonError(r, 403, 'forbidden', 'se désactiver');
  r = await api('PUT', `/api/users/${superId}`, { role: 'admin', email: 'evade@test.com' });
  assertJsonError(r, 403, 'forbidden', 'se rétrograder en changeant l\'e-mail');
  assert.deepEqual(row(superId), before);
  // Changer son propre e-mail ou rester super admin : permis.
  r = await api('PUT', `/api/users/${superId}`, { role: 'super_admin', is_active: true });
  assert.equal(r.status, 200);
  assert.equal(s.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'user.delete' AND target_id = " + superId)[0].n, 0);
});

test('le dernier super admin actif le reste, par l\'API comme par le formulaire', async () => {
  // Un deuxième super admin, rétrogradé puis désactivé par le premier.
  const s2 = await createUser(s, su, 'second@test.com', 'password123', 'super_admin');
  const t2 = (await login(s, 'second@test.com', 'password123')).access_token;
  assert.equal((await api('GET', '/api/users', undefined, t2)).status, 200);
  let r = await api('PUT', `/api/users/${s2.id}`, { role: 'admin' });
  assert.equal(r.status, 200, r.text);
  // Ses droits tombent aussitôt (rôle relu en base à chaque requête).
  assertJsonError(await api('GET', '/api/users', undefined, t2), 403, 'forbidden', 'ex-super admin');
  r = await api('PUT', `/api/users/${s2.id}`, { role: 'super_admin', is_active: false });
  assert.equal(r.status, 200);
  assert.deepEqual(s.sql("SELECT id FROM users WHERE role = 'super_admin' AND is_active = 1").map((x) => x.id), [superId]);
  // API : refus.
  assertJsonError(await api('PUT', `/api/users/${superId}`, { role: 'admin' }), 403, 'forbidden', 'dernier : rôle');
  assertJsonError(await api('PUT', `/api/users/${superId}`, { is_active: false }), 403, 'forbidden', 'dernier : actif');
  assertJsonError(await api('DELETE', `/api/users/${superId}`), 403, 'forbidden', 'dernier : suppression');
  // Formulaire : rôle « admin » envoyé et case « actif » décochée pour soi-même.
  const w = await htmlLogin(s);
  const p = await http(s, 'POST', `/admin-users/${superId}`, {
    cookies: w.cookie, headers: FORM, body: form({ csrf: w.csrf, email: ADMIN.email, role: 'admin' }),
  });
  assert.ok([303, 403].includes(p.status), `formulaire : ${p.status}`);
  assert.deepEqual(s.sql(`SELECT role, is_active FROM users WHERE id = ${superId}`), [{ role: 'super_admin', is_active: 1 }]);
  assert.deepEqual(s.sql("SELECT id FROM users WHERE role = 'super_admin' AND is_active = 1").map((x) => x.id), [superId]);
});

test('suppression d\'un admin : ses données sont réattribuées au super admin (fusion, renommage), audit', async () => {
  const a = await createUser(s, su, 'partant@test.com');
  const aTok = (await login(s, 'partant@test.com', 'password123')).access_token;
  const T = '2026-01-02T03:04:05Z';
  s.sql(`
    INSERT INTO categories(id, name, color, created_by, created_at, updated_at) VALUES
      (901, 'Clients', '#ff0000', ${superId}, '${T}', '${T}'),
      (911, 'Clients', '#00ff00', ${a.id}, '${T}', '${T}'),
      (912, 'VIP', '#0000ff', ${a.id}, '${T}', '${T}');
    INSERT INTO contacts(id, phone_number, country_code, full_number, first_name, last_name, created_by, created_at, updated_at) VALUES
      (801, '600000001', '+33', '+33600000001', 'Alice', 'Sup', ${superId}, '${T}', '${T}'),
      (811, '600000001', '+33', '+33600000001', 'Alice', 'Adm', ${a.id}, '${T}', '${T}'),
      (812, '600000002', '+33', '+33600000002', 'Bob', 'Adm', ${a.id}, '${T}', '${T}'),
      (813, '600000003', '+33', '+33600000003', 'Carla', 'Adm', ${a.id}, '${T}', '${T}');
    INSERT INTO category_contacts(category_id, contact_id, added_at) VALUES
      (901, 801, '${T}'), (911, 811, '${T}'), (912, 811, '${T}'), (912, 812, '${T}'), (911, 813, '${T}');
    INSERT INTO campaigns(id, name, message_1, message_2, status, total_recipients, created_by, created_at, updated_at) VALUES
      (701, 'Promo printemps', 'Bonjour {{first_name}}', 'Merci !', 'sending', 2, ${a.id}, '${T}', '${T}');
    INSERT INTO campaign_categories(campaign_id, category_id) VALUES (701, 912);
    INSERT INTO messages(id, campaign_id, contact_id, message_type, content, status, whatsapp_message_id, created_at, updated_at) VALUES
      (601, 701, 811, 'message_1', 'Bonjour Alice', 'sent', 'wamid.A1', '${T}', '${T}'),
      (602, 701, 812, 'message_1', 'Bonjour Bob', 'pending', NULL, '${T}', '${T}');
    INSERT INTO interactions(campaign_id, contact_id, message_id, interaction_type, content, whatsapp_message_id, received_at) VALUES
      (701, 811, 601, 'reply', 'Oui', 'wamid.R1', '${T}');
  `);
  // La page de confirmation nomme les quantités.
  const w = await htmlLogin(s);
  const conf = await http(s, 'GET', `/admin-users/${a.id}/delete`, { cookies: w.cookie });
  assert.equal(conf.status, 200);
  assert.match(conf.text, /Supprimer le compte partant@test\.com \?/);
  assert.match(conf.text, /2 catégories, 3 contacts et 1 campagne(?!s)/, 'quantités (accords français)');
  assert.match(conf.text, /vous seront réattribué/);

  const r = await api('DELETE', `/api/users/${a.id}`);
  assert.equal(r.status, 204, r.text);
  assert.equal(row(a.id), undefined);
  assertJsonError(await http(s, 'GET', '/api/auth/me', { token: aTok }), 401, 'unauthorized', 'jeton du compte supprimé');
  assert.equal(s.sql(`SELECT count(*) AS n FROM refresh_tokens WHERE user_id = ${a.id}`)[0].n, 0);

  // Catégories : toutes au super admin ; celle dont le nom existait déjà est renommée.
  assert.deepEqual(s.sql('SELECT id, name, created_by FROM categories WHERE id IN (901, 911, 912) ORDER BY id'), [
    { id: 901, name: 'Clients', created_by: superId },
    { id: 911, name: 'Clients (partant@test.com)', created_by: superId },
    { id: 912, name: 'VIP', created_by: superId },
  ]);
  // Contacts : le doublon de numéro est fusionné dans celui du super admin.
  assert.deepEqual(s.sql('SELECT id, full_number, created_by FROM contacts WHERE id IN (801, 811, 812, 813) ORDER BY id'), [
    { id: 801, full_number: '+33600000001', created_by: superId },
    { id: 812, full_number: '+33600000002', created_by: superId },
    { id: 813, full_number: '+33600000003', created_by: superId },
  ]);
  // Appartenances : celles du contact fusionné sont passées au contact gardé.
  assert.deepEqual(s.sql('SELECT category_id, contact_id FROM category_contacts WHERE category_id IN (901, 911, 912) ORDER BY category_id, contact_id'), [
    { category_id: 901, contact_id: 801 },
    { category_id: 911, contact_id: 801 },
    { category_id: 911, contact_id: 813 },
    { category_id: 912, contact_id: 801 },
    { category_id: 912, contact_id: 812 },
  ]);
  // Campagne, messages et interactions gardés, rattachés au contact gardé.
  assert.deepEqual(s.sql('SELECT id, created_by, status FROM campaigns WHERE id = 701'), [{ id: 701, created_by: superId, status: 'sending' }]);
  assert.deepEqual(s.sql('SELECT count(*) AS n FROM campaign_categories WHERE campaign_id = 701 AND category_id = 912'), [{ n: 1 }]);
  assert.deepEqual(s.sql('SELECT id, contact_id, status, whatsapp_message_id FROM messages WHERE campaign_id = 701 ORDER BY id'), [
    { id: 601, contact_id: 801, status: 'sent', whatsapp_message_id: 'wamid.A1' },
    { id: 602, contact_id: 812, status: 'pending', whatsapp_message_id: null },
  ]);
  assert.deepEqual(s.sql("SELECT contact_id, message_id FROM interactions WHERE whatsapp_message_id = 'wamid.R1'"), [{ contact_id: 801, message_id: 601 }]);
  // Audit de la suppression avec les quantités réattribuées.
  const au = s.sql(`SELECT user_id, actor_email, details FROM audit_log WHERE action = 'user.delete' AND target_id = ${a.id}`);
  assert.equal(au.length, 1);
  assert.equal(au[0].user_id, superId);
  assert.equal(au[0].actor_email, ADMIN.email);
  assert.deepEqual(JSON.parse(au[0].details), { categories: 2, contacts: 3, campaigns: 1, email: 'partant@test.com', reassigned_to: superId });
  // Le tableau de bord du super admin compte les données reçues.
  const d = await http(s, 'GET', '/dashboard', { cookies: w.cookie });
  assert.match(d.text, /data-stat="contacts">\s*<span class="stats-label">Contacts<\/span>\s*<span class="stats-value">3<\/span>/);
  assert.match(d.text, /data-stat="campaigns">\s*<span class="stats-label">Campagnes<\/span>\s*<span class="stats-value">1<\/span>/);
});

test('suppression : nom renommé déjà pris, désinscription et noms gardés à la fusion', async () => {
  const a = await createUser(s, su, 'second-partant@test.com');
  const T = '2026-01-02T03:04:05Z';
  s.sql(`
    INSERT INTO categories(id, name, created_by, created_at, updated_at) VALUES
      (921, 'Amis', ${superId}, '${T}', '${T}'),
      (922, 'Amis (second-partant@test.com)', ${superId}, '${T}', '${T}'),
      (923, 'Amis', ${a.id}, '${T}', '${T}'),
      (924, 'Amis (second-partant@test.com)', ${a.id}, '${T}', '${T}');
    INSERT INTO contacts(id, phone_number, country_code, full_number, first_name, last_name, opted_out_at, created_by, created_at, updated_at) VALUES
      (821, '700000001', '+33', '+33700000001', NULL, NULL, NULL, ${superId}, '${T}', '${T}'),
      (822, '700000001', '+33', '+33700000001', 'Denis', 'Durand', '2026-01-03T00:00:00Z', ${a.id}, '${T}', '${T}');
    INSERT INTO category_contacts(category_id, contact_id, added_at) VALUES (923, 822, '${T}');
  `);
  const r = await api('DELETE', `/api/users/${a.id}`);
  assert.equal(r.status, 204, r.text);
  const cats = s.sql(`SELECT id, name FROM categories WHERE created_by = ${superId} AND id BETWEEN 921 AND 924 ORDER BY id`);
  assert.equal(cats.length, 4, 'une catégorie perdue');
  const names = cats.map((c) => c.name);
  assert.equal(new Set(names).size, 4, `noms en double : ${names}`);
  assert.equal(names[0], 'Amis');
  assert.equal(names[1], 'Amis (second-partant@test.com)');
  assert.match(names[2], /^Amis \(second-partant@test\.com/);
  assert.match(names[3], /^Amis \(second-partant@test\.com\)/);
  // Le contact fusionné garde la désinscription (plus jamais de message) et les noms.
  assert.deepEqual(s.sql('SELECT id, first_name, last_name, opted_out_at, created_by FROM contacts WHERE id IN (821, 822)'),
    [{ id: 821, first_name: 'Denis', last_name: 'Durand', opted_out_at: '2026-01-03T00:00:00Z', created_by: superId }]);
  assert.deepEqual(s.sql('SELECT category_id FROM category_contacts WHERE contact_id = 821'), [{ category_id: 923 }]);
});

test('pages /admin-users : liste, création par formulaire (303), formulaire invalide (422), doublon (409)', async () => {
  const w = await htmlLogin(s);
  let r = await http(s, 'GET', '/admin-users', { cookies: w.cookie });
  assert.equal(r.status, 200);
  assert.match(r.text, /<h2>Utilisateurs <span class="count-badge"[^>]*>\d+<\/span><\/h2>/);
  assert.match(r.text, new RegExp(`${ADMIN.email.replace('.', '\\.')} <span class="muted">\\(vous\\)</span>`));
  const csrf = csrfOf(r.text);

  r = await http(s, 'POST', '/admin-users', {
    cookies: w.cookie, headers: FORM, body: form({ csrf, email: 'Formulaire@Test.com', password: 'password123', role: 'super_admin' }),
  });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  assert.equal(r.headers.get('location'), '/admin-users');
  assert.deepEqual(s.sql("SELECT email, role, is_active FROM users WHERE email = 'formulaire@test.com'"),
    [{ email: 'formulaire@test.com', role: 'super_admin', is_active: 1 }]);
  // Message flash sur la page suivante.
  const flash = setCookies(r).cbw_flash;
  assert.ok(flash && flash.value, 'pas de message flash');
  r = await http(s, 'GET', '/admin-users', { cookies: `${w.cookie}; cbw_flash=${flash.value}` });
  assert.match(r.text, /Compte formulaire@test\.com créé\./);
  assert.match(r.text, /formulaire@test\.com/);

  // Formulaire invalide : 422, message français, e-mail gardé, formulaire ouvert.
  const n = count();
  r = await http(s, 'POST', '/admin-users', {
    cookies: w.cookie, headers: FORM, body: form({ csrf, email: 'garde@test.com', password: '1234567', role: 'admin' }),
  });
  assert.equal(r.status, 422);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(r.text, /Le mot de passe doit contenir au moins 8 caractères\./);
  assert.match(r.text, /name="email" id="new-email"[^>]*value="garde@test\.com"/);
  assert.match(r.text, /<details class="card" open>/);
  r = await http(s, 'POST', '/admin-users', {
    cookies: w.cookie, headers: FORM, body: form({ csrf, email: 'pas un email', password: 'password123' }),
  });
  assert.equal(r.status, 422);
  assert.match(r.text, /Adresse e-mail invalide/);
  assert.match(r.text, /value="pas un email"/);
  // Doublon : 409 avec le message.
  r = await http(s, 'POST', '/admin-users', {
    cookies: w.cookie, headers: FORM, body: form({ csrf, email: 'FORMULAIRE@test.com', password: 'password123' }),
  });
  assert.equal(r.status, 409);
  assert.match(r.text, /Un compte existe déjà avec cette adresse e-mail\./);
  assert.equal(count(), n);
});

test('pages /admin-users : modification, confirmation et suppression par formulaire', async () => {
  const u = await createUser(s, su, 'pagesupp@test.com');
  const w = await htmlLogin(s);
  let r = await http(s, 'GET', `/admin-users/${u.id}`, { cookies: w.cookie });
  assert.equal(r.status, 200);
  assert.match(r.text, /Modifier pagesupp@test\.com/);
  r = await http(s, 'POST', `/admin-users/${u.id}`, {
    cookies: w.cookie, headers: FORM, body: form({ csrf: w.csrf, email: 'pagesupp@test.com', role: 'admin', password: '' }),
  });
  assert.equal(r.status, 303);
  // Case « actif » non envoyée : compte désactivé ; mot de passe vide : inchangé.
  assert.deepEqual(s.sql(`SELECT is_active FROM users WHERE id = ${u.id}`), [{ is_active: 0 }]);
  await assert.doesNotReject(async () => {
    s.sql(`UPDATE users SET is_active = 1 WHERE id = ${u.id}`);
    await login(s, 'pagesupp@test.com', 'password123');
  });

  r = await http(s, 'GET', `/admin-users/${u.id}/delete`, { cookies: w.cookie });
  assert.equal(r.status, 200);
  assert.match(r.text, /Supprimer le compte pagesupp@test\.com \?/);
  assert.match(r.text, /0 catégorie, 0 contact et 0 campagne(?!s)/, 'quantités (accords français)');
  const csrf = csrfOf(r.text);
  // Sans CSRF : refusé, rien supprimé.
  r = await http(s, 'POST', `/admin-users/${u.id}/delete`, { cookies: w.cookie, headers: FORM, body: '' });
  assert.equal(r.status, 403);
  assert.ok(row(u.id));
  r = await http(s, 'POST', `/admin-users/${u.id}/delete`, { cookies: w.cookie, headers: FORM, body: form({ csrf }) });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/admin-users');
  assert.equal(row(u.id), undefined);
  assert.equal(s.sql(`SELECT count(*) AS n FROM audit_log WHERE action = 'user.delete' AND target_id = ${u.id}`)[0].n, 1);
  // Se supprimer soi-même par le formulaire : refusé (message flash), compte gardé.
  r = await http(s, 'POST', `/admin-users/${superId}/delete`, { cookies: w.cookie, headers: FORM, body: form({ csrf }) });
  assert.equal(r.status, 303);
  assert.ok(row(superId));
  r = await http(s, 'GET', `/admin-users/${424242}`, { cookies: w.cookie });
  assert.equal(r.status, 404);
  assert.match(r.text, /Page introuvable/);
});

test('les adresses e-mail sont échappées dans les pages', async () => {
  await createUser(s, su, "o'neil&co@test.com");
  const w = await htmlLogin(s);
  const r = await http(s, 'GET', '/admin-users', { cookies: w.cookie });
  assert.equal(r.status, 200);
  assert.ok(!r.text.includes("o'neil&co@test.com"), 'e-mail non échappé');
  assert.match(r.text, /o(&#39;|&#x27;|&apos;)neil&amp;co@test\.com/);
});
