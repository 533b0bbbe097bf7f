// Routage et contrôles de front (lib/app.c) : 404 (JSON sous /api/, page
// française ailleurs), 405 + Allow, 413, 415, 400, et leur ordre.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login } from '../lib/stack.mjs';
import { stop, assertJsonError, FORM } from './util.mjs';

let s, tok, userCount;
before(async () => {
  s = await startStack();
  tok = (await login(s)).access_token;
  userCount = () => s.sql('SELECT count(*) AS n FROM users')[0].n;
});
after(async () => { await stop(s); });

const J = { 'Content-Type': 'application/json' };

function assertHtmlError(r, status, title, label) {
  assert.equal(r.status, status, `${label} : ${r.status}`);
  assert.match(r.headers.get('content-type') || '', /^text\/html/, `${label} : type`);
  assert.match(r.text, /<html lang="fr">/, label);
  assert.match(r.text, new RegExp(`<h1>${title}</h1>`), `${label} : titre`);
  assert.match(r.text, new RegExp(`<p class="error-status">${status}</p>`), `${label} : statut affiché`);
}

test('405 avec Allow (API : JSON, pages : HTML en français)', async () => {
  const api = [
    ['DELETE', '/api/auth/me', 'GET'],
    ['PUT', '/api/auth/login', 'POST'],
    ['GET', '/api/auth/login', 'POST'],
    ['GET', '/api/auth/logout', 'POST'],
    ['GET', '/api/auth/refresh', 'POST'],
    ['PATCH', '/api/users', 'GET, POST'],
    ['DELETE', '/api/users', 'GET, POST'],
    ['POST', '/api/users/1', 'GET, PUT, DELETE'],
  ];
  for (const [m, p, allow] of api) {
    const r = await http(s, m, p, { token: tok });
    assertJsonError(r, 405, 'method_not_allowed', `${m} ${p}`);
    assert.equal(r.json.message, 'Méthode non autorisée pour cette adresse.');
    const got = (r.headers.get('allow') || '').split(/,\s*/).sort();
    assert.deepEqual(got, allow.split(', ').sort(), `${m} ${p} : Allow`);
  }
  // Sans jeton : 405 d'abord (la méthode est vérifiée avant l'authentification).
  assert.equal((await http(s, 'PUT', '/api/users')).status, 405);
  for (const [m, p, allow] of [['DELETE', '/login', 'GET, POST'], ['PUT', '/dashboard', 'GET'], ['GET', '/logout', 'POST']]) {
    const r = await http(s, m, p);
    assertHtmlError(r, 405, 'Méthode non autorisée', `${m} ${p}`);
    assert.deepEqual((r.headers.get('allow') || '').split(/,\s*/).sort(), allow.split(', ').sort(), `${m} ${p} : Allow`);
  }
});

test('404 JSON pour toute adresse inconnue sous /api/, même proche d\'une vraie', async () => {
  const paths = [
    '/api/authX', '/api/auth/loginX', '/api/usersX', '/api/auth', '/api/auth/', '/api/auth/login/',
    '/api/auth/me/x', '/api/users/', '/api/users/abc', '/api/users/0', '/api/users/-1', '/api/users/1.5',
    '/api/users/1/x', '/api/users/99999999999999999999999', '/api/nope', '/api/', '/api/contactsX',
    '/API/users',
  ];
  for (const p of paths) {
    for (const opts of [{}, { token: tok }]) {
      const r = await http(s, 'GET', p, opts);
      if (p === '/API/users') {
        // Hors de /api/ (casse) : page HTML.
        assert.equal(r.status, 404, p);
        continue;
      }
      assertJsonError(r, 404, 'not_found', `GET ${p}${opts.token ? ' (avec jeton)' : ''}`);
      assert.equal(r.json.message, 'Adresse inconnue.');
    }
  }
  // Méthode quelconque sur une adresse inconnue : 404, pas 405.
  assertJsonError(await http(s, 'DELETE', '/api/authX'), 404, 'not_found', 'DELETE /api/authX');
  assertJsonError(await http(s, 'POST', '/api/usersX', { json: {} }), 404, 'not_found', 'POST /api/usersX');
  // /api/users/{id} existant ou non : la route existe, l'élément non.
  const r = await http(s, 'GET', '/api/users/424242', { token: tok });
  assertJsonError(r, 404, 'not_found', 'utilisateur inexistant');
});

test('404 page HTML en français pour les adresses inconnues hors /api/', async () => {
  for (const p of ['/nimportequoi', '/loginX', '/logoutX', '/admin-usersX', '/dashboardX', '/dashboard/x',
    '/admin-users/abc', '/admin-users/1/x', '/login/', '/static']) {
    const r = await http(s, 'GET', p);
    assertHtmlError(r, 404, 'Page introuvable', p);
    assert.match(r.text, /Adresse inconnue\./, p);
    assert.match(r.text, /Retour au tableau de bord/, p);
  }
});

test('400 : corps JSON mal formé ou pas un objet', async () => {
  const bad = ['{"email":', '{email: "a"}', '[]', '"texte"', 'null', '42', '', '{"a":1}{"b":2}', '{"a":1,}'];
  for (const body of bad) {
    const r = await http(s, 'POST', '/api/auth/login', { headers: J, body });
    assertJsonError(r, 400, 'invalid_json', `corps ${JSON.stringify(body)}`);
    assert.match(r.json.message, /JSON/);
  }
  // Authentifié : le JSON est lu après le jeton.
  const r = await http(s, 'POST', '/api/users', { token: tok, headers: J, body: '{"email":"x@test.com",' });
  assertJsonError(r, 400, 'invalid_json', 'POST /api/users cassé');
  assert.equal(userCount(), 1);
  // Sans jeton : 401 avant l'analyse du corps.
  assertJsonError(await http(s, 'POST', '/api/users', { headers: J, body: '{cassé' }), 401, 'unauthorized', 'sans jeton');
  // Formulaire mal encodé : 400.
  const p = await http(s, 'POST', '/login', { headers: FORM, body: 'email=%zz&password=x' });
  assert.equal(p.status, 400);
  assert.match(p.headers.get('content-type'), /^text\/html/);
});

test('400 : chaîne de requête mal encodée (% incomplet, UTF-8 invalide), API et pages, après 404/405', async () => {
  // (« %zz » et « %00 » n'arrivent pas : lighttpd réécrit le premier en
  // « %25zz », lu littéralement, et refuse lui-même le second, comme
  // les octets jamais valides en UTF-8 (%C0, %C1, %F5 à %FF) : ces cas
  // sont dans test_http.c.)
  const bad = ['q=%E9', 'q=%C3', 'q=%ED%A0%80', 'page=1&q=%E0%A4', '%E9=1', 'q=%C3%A9%C3'];
  for (const q of bad) {
    assertJsonError(await http(s, 'GET', `/api/contacts?${q}`, { token: tok }), 400, 'invalid_query', q);
    // Pages : avant l'authentification (rien n'est révélé), page française.
    const p = await http(s, 'GET', `/contacts?${q}`);
    assertHtmlError(p, 400, 'Requête invalide', `page ${q}`);
    assert.match(p.text, /Paramètres de l(&#39;|&#x27;|')adresse mal encodés/);
  }
  // Le même terme bien encodé passe ; l'adresse inconnue reste 404.
  assert.equal((await http(s, 'GET', '/api/contacts?q=%C3%A9', { token: tok })).status, 200);
  assertJsonError(await http(s, 'GET', '/api/inconnue?q=%E9', { token: tok }), 404, 'not_found', 'adresse inconnue');
  const r = await http(s, 'GET', '/api/contacts?q=%E9', { token: tok });
  assert.equal(r.json.message, "Paramètres de l'adresse mal encodés (UTF-8 attendu).");
});

test('413 : corps de plus de 1 Mio (MAX_BODY_BYTES), avant toute autre vérification', async () => {
  const big = 'x'.repeat(1048577);
  let r = await http(s, 'POST', '/api/auth/login', { headers: J, body: big });
  assertJsonError(r, 413, 'payload_too_large', 'login 1 Mio + 1');
  // Avant l'authentification et le type de contenu.
  r = await http(s, 'POST', '/api/users', { headers: { 'Content-Type': 'text/plain' }, body: big });
  assertJsonError(r, 413, 'payload_too_large', 'users sans jeton, text/plain');
  r = await http(s, 'PUT', '/api/users/1', { token: tok, headers: J, body: 'y'.repeat(3 * 1048576) });
  assertJsonError(r, 413, 'payload_too_large', 'PUT 3 Mio');
  // Page HTML : 413 en français.
  r = await http(s, 'POST', '/login', { headers: FORM, body: `email=${'a'.repeat(1048576)}` });
  assertHtmlError(r, 413, 'Requête trop volumineuse', 'POST /login');
  // Exactement 1 Mio : accepté (puis refusé pour sa valeur : 422).
  const pad = 1048576 - '{"email":"","password":"x"}'.length;
  const exact = `{"email":"${'a'.repeat(pad)}","password":"x"}`;
  assert.equal(Buffer.byteLength(exact), 1048576);
  r = await http(s, 'POST', '/api/auth/login', { headers: J, body: exact });
  assertJsonError(r, 422, 'validation_error', 'exactement 1 Mio');
  assert.ok(r.json.fields.email);
  // Le programme sert encore normalement après.
  assert.equal((await http(s, 'GET', '/api/auth/me', { token: tok })).status, 200);
});

test('415 : mauvais type de contenu sur une route JSON ou formulaire', async () => {
  const body = JSON.stringify({ email: 'admin@test.com', password: 'password123' });
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', 'text/json', 'multipart/form-data; boundary=x']) {
    const r = await http(s, 'POST', '/api/auth/login', { headers: { 'Content-Type': ct }, body });
    assertJsonError(r, 415, 'unsupported_media_type', ct);
    assert.match(r.json.message, /application\/json/);
  }
  // fetch met text/plain pour une chaîne sans type : on envoie un Blob sans type.
  let r = await http(s, 'POST', '/api/auth/login', { body: new Blob([body]) });
  assertJsonError(r, 415, 'unsupported_media_type', 'sans Content-Type');
  // Paramètres et casse acceptés.
  r = await http(s, 'POST', '/api/auth/login', { headers: { 'Content-Type': 'Application/JSON; charset=utf-8' }, body });
  assert.equal(r.status, 200, r.text);
  // 415 avant 401.
  r = await http(s, 'POST', '/api/users', { headers: { 'Content-Type': 'text/plain' }, body: '{}' });
  assertJsonError(r, 415, 'unsupported_media_type', 'POST /api/users sans jeton');
  r = await http(s, 'PUT', '/api/users/1', { token: tok, headers: { 'Content-Type': 'text/plain' }, body: '{"role":"admin"}' });
  assertJsonError(r, 415, 'unsupported_media_type', 'PUT /api/users/1');
  // Route formulaire avec du JSON : 415 (page HTML).
  r = await http(s, 'POST', '/login', { json: { email: 'admin@test.com', password: 'password123' } });
  assert.equal(r.status, 415);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.equal(s.sql("SELECT role FROM users WHERE id = 1")[0].role, 'super_admin');
});

test('HEAD sur une route GET : mêmes en-têtes, sans corps', async () => {
  const r = await http(s, 'HEAD', '/api/auth/me', { token: tok });
  assert.equal(r.status, 200);
  assert.equal(r.text, '');
  assert.match(r.headers.get('content-type'), /^application\/json/);
});

test('GET / : redirection vers /login sans session, vers /dashboard avec', async () => {
  let r = await http(s, 'GET', '/');
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/login');
  r = await http(s, 'GET', '/dashboard');
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/login');
  r = await http(s, 'GET', '/admin-users');
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/login');
  // Un jeton Bearer n'ouvre pas les pages HTML.
  r = await http(s, 'GET', '/dashboard', { token: tok });
  assert.equal(r.status, 303);
  // Un cookie invalide non plus.
  r = await http(s, 'GET', '/dashboard', { cookies: `cbw_session=${'a'.repeat(64)}` });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/login');
});
