// En-têtes de sécurité sur toutes les réponses (chaque statut, fichiers
// statiques, erreurs de lighttpd lui-même) et CORS limité à
// ALLOWED_ORIGINS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login, createUser, ADMIN } from '../lib/stack.mjs';
import { stop, assertSecurityHeaders, htmlLogin, setCookies, csrfOf, form, FORM, nowSec } from './util.mjs';

const ORIGIN = 'https://app.example.fr';
let s, su, adminTok, web;
before(async () => {
  s = await startStack({ config: { ALLOWED_ORIGINS: ORIGIN } });
  su = await login(s);
  await createUser(s, su.access_token, 'simple@test.com');
  adminTok = (await login(s, 'simple@test.com', 'password123')).access_token;
  web = await htmlLogin(s);
});
after(async () => { await stop(s); });

const J = { 'Content-Type': 'application/json' };

// [libellé, statut attendu, requête]
const CASES = [
  ['GET /login', 200, () => http(s, 'GET', '/login')],
  ['HEAD /login', 200, () => http(s, 'HEAD', '/login')],
  ['GET /api/auth/me', 200, () => http(s, 'GET', '/api/auth/me', { token: su.access_token })],
  ['GET /dashboard', 200, () => http(s, 'GET', '/dashboard', { cookies: web.cookie })],
  ['GET /admin-users', 200, () => http(s, 'GET', '/admin-users', { cookies: web.cookie })],
  ['GET /static/app.css', 200, () => http(s, 'GET', '/static/app.css')],
  ['GET /static/app.js', 200, () => http(s, 'GET', '/static/app.js')],
  ['GET /static/favicon.svg', 200, () => http(s, 'GET', '/static/favicon.svg')],
  ['POST /api/users', 201, () => http(s, 'POST', '/api/users', { token: su.access_token, json: { email: `h${Date.now()}@test.com`, password: 'password123' } })],
  ['POST /api/auth/logout', 204, async () => {
    const t = await login(s);
    return http(s, 'POST', '/api/auth/logout', { token: t.access_token });
  }],
  ['OPTIONS /api/auth/login', 204, () => http(s, 'OPTIONS', '/api/auth/login', { headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' } })],
  ['GET /', 303, () => http(s, 'GET', '/')],
  ['POST /login (succès)', 303, async () => {
    const p = await http(s, 'GET', '/login');
    return http(s, 'POST', '/login', { headers: FORM, cookies: `cbw_pre=${setCookies(p).cbw_pre.value}`,
      body: form({ csrf: csrfOf(p.text), email: ADMIN.email, password: ADMIN.password }) });
  }],
  ['POST /api/auth/login JSON cassé', 400, () => http(s, 'POST', '/api/auth/login', { headers: J, body: '{"email":' })],
  ['GET /api/auth/me sans jeton', 401, () => http(s, 'GET', '/api/auth/me')],
  ['GET /api/users (admin)', 403, () => http(s, 'GET', '/api/users', { token: adminTok })],
  ['POST /admin-users sans csrf', 403, () => http(s, 'POST', '/admin-users', { headers: FORM, cookies: web.cookie, body: form({ email: 'x@test.com', password: 'password123' }) })],
  ['GET /api/nope', 404, () => http(s, 'GET', '/api/nope')],
  ['GET /nimportequoi', 404, () => http(s, 'GET', '/nimportequoi')],
  ['GET /static/absent.css (lighttpd)', 404, () => http(s, 'GET', '/static/absent.css')],
  ['DELETE /api/auth/me', 405, () => http(s, 'DELETE', '/api/auth/me')],
  ['POST /api/auth/login 1 Mio + 1', 413, () => http(s, 'POST', '/api/auth/login', { headers: J, body: 'x'.repeat(1048577) })],
  ['POST /api/auth/login text/plain', 415, () => http(s, 'POST', '/api/auth/login', { headers: { 'Content-Type': 'text/plain' }, body: '{}' })],
  ['POST /api/auth/login {}', 422, () => http(s, 'POST', '/api/auth/login', { json: {} })],
  ['POST /api/auth/login limité', 429, () => {
    const t = nowSec();
    s.sql(`INSERT INTO login_attempts(email, ip, success, attempted_at) VALUES ${
      Array.from({ length: 5 }, () => `('bloque@test.com', '10.9.9.9', 0, ${t})`).join(', ')}`);
    return http(s, 'POST', '/api/auth/login', { json: { email: 'bloque@test.com', password: 'password123' } });
  }],
];

for (const [label, status, run] of CASES) {
  test(`en-têtes de sécurité : ${status} ${label}`, async () => {
    const r = await run();
    assert.equal(r.status, status, `${label} : ${r.text.slice(0, 200)}`);
    assertSecurityHeaders(r, label);
    // Une seule valeur par en-tête (pas de doublon programme + lighttpd).
    for (const h of ['x-frame-options', 'x-content-type-options', 'referrer-policy', 'content-security-policy']) {
      assert.ok(!r.headers.get(h).includes(', '), `${label} : ${h} en double : ${r.headers.get(h)}`);
    }
    if (status === 401 || status === 200 && label.includes('/api/')) {
      assert.equal(r.headers.get('cache-control'), 'no-store', `${label} : Cache-Control`);
    }
  });
}

test('les cookies ne portent pas Secure en HTTP simple, et sont HttpOnly + SameSite=Strict', async () => {
  const p = await http(s, 'GET', '/login');
  const pre = setCookies(p).cbw_pre;
  assert.match(pre.raw, /; Path=\/; HttpOnly; SameSite=Strict/);
  assert.doesNotMatch(pre.raw, /Secure/);
});

test('pages HTML sans script ni style en ligne (compatibles avec la CSP)', async () => {
  const pages = [
    await http(s, 'GET', '/login'),
    await http(s, 'GET', '/dashboard', { cookies: web.cookie }),
    await http(s, 'GET', '/admin-users', { cookies: web.cookie }),
    await http(s, 'GET', '/nimportequoi'),
  ];
  for (const p of pages) {
    assert.match(p.headers.get('content-type'), /^text\/html/);
    for (const m of p.text.matchAll(/<script\b([^>]*)>/g)) {
      assert.match(m[1], /\bsrc="\/static\//, `script en ligne : ${m[0]}`);
    }
    assert.doesNotMatch(p.text, /\sstyle=|<style\b/, 'style en ligne');
    assert.doesNotMatch(p.text, /\son[a-z]+=/, 'gestionnaire d\'événement en ligne');
    assert.doesNotMatch(p.text, /javascript:/i);
  }
});

test('CORS : Access-Control-Allow-Origin seulement pour l\'origine autorisée', async () => {
  const ok = await http(s, 'GET', '/api/auth/me', { token: su.access_token, headers: { Origin: ORIGIN } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('access-control-allow-origin'), ORIGIN);
  assert.match(ok.headers.get('vary') || '', /\bOrigin\b/);
  assert.equal(ok.headers.get('access-control-allow-credentials'), null);
  // Aussi sur une erreur, pour que le client lise le JSON.
  const e = await http(s, 'GET', '/api/auth/me', { headers: { Origin: ORIGIN } });
  assert.equal(e.status, 401);
  assert.equal(e.headers.get('access-control-allow-origin'), ORIGIN);

  for (const o of ['https://evil.example', 'http://app.example.fr', 'https://app.example.fr.evil.example',
    'https://app.example.fr:8443', 'https://evil.app.example.fr', 'null', 'https://APP.example.fr/']) {
    const r = await http(s, 'GET', '/api/auth/me', { token: su.access_token, headers: { Origin: o } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), null, `origine ${o} autorisée à tort`);
    assert.equal(r.headers.get('access-control-allow-methods'), null);
  }
  const none = await http(s, 'GET', '/api/auth/me', { token: su.access_token });
  assert.equal(none.headers.get('access-control-allow-origin'), null);
});

test('CORS : pré-vérification OPTIONS → 204 avec méthodes et en-têtes autorisés', async () => {
  const r = await http(s, 'OPTIONS', '/api/users/1', {
    headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'authorization, content-type' },
  });
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
  const methods = (r.headers.get('access-control-allow-methods') || '').split(/,\s*/);
  for (const m of ['GET', 'POST', 'PUT', 'DELETE']) assert.ok(methods.includes(m), `méthode ${m}`);
  const hdrs = (r.headers.get('access-control-allow-headers') || '').toLowerCase();
  assert.match(hdrs, /authorization/);
  assert.match(hdrs, /content-type/);
  assertSecurityHeaders(r, 'OPTIONS');
  // Origine refusée : pas d'autorisation CORS.
  const evil = await http(s, 'OPTIONS', '/api/auth/login', { headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
  assert.equal(evil.headers.get('access-control-allow-methods'), null);
  // Adresse inconnue : 404.
  const unk = await http(s, 'OPTIONS', '/api/inconnu', { headers: { Origin: ORIGIN } });
  assert.equal(unk.status, 404);
});
