// Limites : essais de connexion (5 échecs / 15 min par compte ET par IP,
// lib/auth.c cbw_auth_throttle) et limite globale de requêtes par IP
// (RATE_LIMIT_PER_MINUTE, table rate_limits partagée par tous les
// programmes, qui survit au redémarrage de lighttpd).
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login, createUser, ADMIN } from '../lib/stack.mjs';
import {
  stop, assertJsonError, assertSecurityHeaders, httpFrom, restartLighttpd, setCookies, csrfOf, form, FORM, nowSec,
} from './util.mjs';

const creds = (email, password) => ({ json: { email, password } });

// Vérifie une réponse 429 de la limite de connexion ; rend Retry-After.
function assertThrottled(r, label) {
  assertJsonError(r, 429, 'too_many_attempts', label);
  assert.match(r.json.message, /^Trop de tentatives de connexion\. Réessayez dans \d+ minutes?\.$/, label);
  const ra = r.headers.get('retry-after');
  assert.match(ra || '', /^\d+$/, `${label} : Retry-After entier`);
  assert.ok(Number(ra) > 0 && Number(ra) <= 900, `${label} : Retry-After ${ra}`);
  assert.ok(!('access_token' in r.json));
  assertSecurityHeaders(r, label);
  return Number(ra);
}

describe('limite des essais de connexion', () => {
  let s;
  before(async () => {
    s = await startStack();
    const t = await login(s);
    await createUser(s, t.access_token, 'victime@test.com', 'bon-mot-de-passe');
  });
  after(async () => { await stop(s); });
  beforeEach(() => { s.sql('DELETE FROM login_attempts'); });

  const fails = () => s.sql('SELECT count(*) AS n FROM login_attempts WHERE success = 0')[0].n;

  test('5 échecs puis 6e essai, même avec le bon mot de passe : 429 + Retry-After + message français', async () => {
    for (let i = 1; i <= 5; i++) {
      const r = await http(s, 'POST', '/api/auth/login', creds(ADMIN.email, `faux-${i}-xxxx`));
      assertJsonError(r, 401, 'invalid_credentials', `échec ${i}`);
    }
    const tokensBefore = s.sql('SELECT count(*) AS n FROM refresh_tokens')[0].n;
    const r = await http(s, 'POST', '/api/auth/login', creds(ADMIN.email, ADMIN.password));
    const ra = assertThrottled(r, '6e essai');
    assert.ok(ra > 880, `Retry-After ${ra} : la fenêtre vient de commencer`);
    assert.equal(r.json.message, 'Trop de tentatives de connexion. Réessayez dans 15 minutes.');
    assert.equal(s.sql('SELECT count(*) AS n FROM refresh_tokens')[0].n, tokensBefore, 'session créée malgré la limite');
    // Un essai refusé par la limite ne compte pas (pas d'allongement sans fin).
    assert.equal(fails(), 5);
    const again = await http(s, 'POST', '/api/auth/login', creds(ADMIN.email, ADMIN.password));
    assertThrottled(again, '7e essai');
  });

  test('4 échecs : le bon mot de passe passe encore, et un succès efface les échecs du compte', async () => {
    for (let i = 0; i < 4; i++) {
      assert.equal((await http(s, 'POST', '/api/auth/login', creds(ADMIN.email, 'mauvais-mdp'))).status, 401);
    }
    const ok = await http(s, 'POST', '/api/auth/login', creds(ADMIN.email, ADMIN.password));
    assert.equal(ok.status, 200, ok.text);
    assert.equal(fails(), 0);
    for (let i = 0; i < 4; i++) {
      assert.equal((await http(s, 'POST', '/api/auth/login', creds(ADMIN.email, 'mauvais-mdp'))).status, 401);
    }
    assert.equal((await http(s, 'POST', '/api/auth/login', creds(ADMIN.email, ADMIN.password))).status, 200);
  });

  test('par compte : 5 échecs depuis 5 IP différentes bloquent le compte, pas les autres comptes', async () => {
    // Les variantes de casse visent le même compte.
    const variants = ['victime@test.com', 'VICTIME@test.com', 'Victime@Test.com', 'victime@TEST.COM', 'victime@test.com'];
    for (let i = 0; i < 5; i++) {
      const r = await httpFrom(s, `127.0.0.${2 + i}`, 'POST', '/api/auth/login', creds(variants[i], 'mauvais-mdp'));
      assertJsonError(r, 401, 'invalid_credentials', `échec ${i + 1}`);
    }
    assert.deepEqual(s.sql('SELECT DISTINCT ip FROM login_attempts ORDER BY ip').map((x) => x.ip),
      ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'], 'REMOTE_ADDR suit l\'adresse source');
    // Nouvelle IP, bon mot de passe : le compte est bloqué.
    assertThrottled(await httpFrom(s, '127.0.0.7', 'POST', '/api/auth/login', creds('victime@test.com', 'bon-mot-de-passe')), 'compte bloqué');
    // Même IP, autre compte : passe.
    const other = await httpFrom(s, '127.0.0.7', 'POST', '/api/auth/login', creds(ADMIN.email, ADMIN.password));
    assert.equal(other.status, 200, other.text);
  });

  test('par IP : 5 échecs d\'une IP (comptes divers) bloquent un autre compte depuis cette IP seulement', async () => {
    const ip = '127.0.0.8';
    for (let i = 0; i < 5; i++) {
      const r = await httpFrom(s, ip, 'POST', '/api/auth/login', creds(`inconnu${i}@test.com`, 'password123'));
      assertJsonError(r, 401, 'invalid_credentials', `échec ${i + 1}`);
    }
    assertThrottled(await httpFrom(s, ip, 'POST', '/api/auth/login', creds(ADMIN.email, ADMIN.password)), 'IP bloquée');
    assertThrottled(await httpFrom(s, ip, 'POST', '/api/auth/login', creds('victime@test.com', 'bon-mot-de-passe')), 'IP bloquée, autre compte');
    const elsewhere = await httpFrom(s, '127.0.0.9', 'POST', '/api/auth/login', creds(ADMIN.email, ADMIN.password));
    assert.equal(elsewhere.status, 200, elsewhere.text);
  });

  test('fenêtre de 15 minutes : les échecs plus anciens ne comptent plus ; Retry-After = fin de fenêtre', async () => {
    const ins = (age) => {
      const t = nowSec() - age;
      s.sql(`INSERT INTO login_attempts(email, ip, success, attempted_at) VALUES ${
        Array.from({ length: 5 }, () => `('${ADMIN.email}', '127.0.0.1', 0, ${t})`).join(', ')}`);
    };
    ins(901);
    assert.equal((await http(s, 'POST', '/api/auth/login', creds(ADMIN.email, ADMIN.password))).status, 200);
    s.sql('DELETE FROM login_attempts');
    ins(800); // la fenêtre finit dans ~100 s
    const r = await http(s, 'POST', '/api/auth/login', creds(ADMIN.email, ADMIN.password));
    const ra = assertThrottled(r, 'fenêtre presque finie');
    assert.ok(ra >= 90 && ra <= 101, `Retry-After ${ra} attendu ≈ 100`);
    assert.equal(r.json.message, 'Trop de tentatives de connexion. Réessayez dans 2 minutes.');
  });

  test('formulaire /login : même limite, page 429 en français avec Retry-After et sans session', async () => {
    for (let i = 0; i < 5; i++) await http(s, 'POST', '/api/auth/login', creds(ADMIN.email, 'mauvais-mdp'));
    const page = await http(s, 'GET', '/login');
    const pre = setCookies(page).cbw_pre.value;
    const r = await http(s, 'POST', '/login', {
      headers: FORM, cookies: `cbw_pre=${pre}`,
      body: form({ csrf: csrfOf(page.text), email: ADMIN.email, password: ADMIN.password }),
    });
    assert.equal(r.status, 429);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.headers.get('retry-after') || '', /^\d+$/);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    assert.match(r.text, /Trop de tentatives de connexion\. Réessayez dans 15 minutes\./);
    assert.ok(!setCookies(r).cbw_session, 'cookie de session posé malgré la limite');
    assertSecurityHeaders(r, 'login HTML 429');
  });
});

describe('limite globale de requêtes par IP (RATE_LIMIT_PER_MINUTE=10)', () => {
  // Horloge fixée : toutes les requêtes tombent dans la même minute, et
  // Retry-After vaut exactement 60 - (T mod 60) = 45.
  const T = 1800000015;
  let s;
  before(async () => {
    s = await startStack({ config: { RATE_LIMIT_PER_MINUTE: '10' }, env: { CBW_TEST_NOW: String(T) } });
  });
  after(async () => { await stop(s); });

  const hits = () => s.sql("SELECT ip, minute, hits FROM rate_limits WHERE ip = '127.0.0.1'");

  test('10 requêtes passent (trois programmes, un seul compteur), la 11e : 429 + Retry-After', async () => {
    s.sql('DELETE FROM rate_limits');
    const plan = [
      ['/api/auth/me', 401], ['/login', 200], ['/api/users', 401], ['/', 303],
      ['/api/auth/me', 401], ['/login', 200], ['/api/users', 401], ['/', 303],
      ['/api/auth/me', 401], ['/login', 200],
    ];
    for (const [i, [path, want]] of plan.entries()) {
      const r = await http(s, 'GET', path);
      assert.equal(r.status, want, `requête ${i + 1} ${path}`);
    }
    assert.deepEqual(hits(), [{ ip: '127.0.0.1', minute: Math.floor(T / 60), hits: 10 }]);
    // Les fichiers statiques (lighttpd) ne comptent pas.
    assert.equal((await http(s, 'GET', '/static/app.css')).status, 200);

    const r = await http(s, 'GET', '/api/users');
    assertJsonError(r, 429, 'rate_limited', '11e requête');
    assert.equal(r.headers.get('retry-after'), '45');
    assert.match(r.json.message, /Trop de requêtes/);
    assertSecurityHeaders(r, 'rate 429');
    // Les pages HTML (autre programme) aussi.
    const h = await http(s, 'GET', '/');
    assert.equal(h.status, 429);
    assert.match(h.headers.get('content-type'), /^text\/html/);
    assert.equal(h.headers.get('retry-after'), '45');
    assert.match(h.text, /Trop de requêtes/);
    const l = await http(s, 'POST', '/api/auth/login', { json: { email: ADMIN.email, password: ADMIN.password } });
    assertJsonError(l, 429, 'rate_limited', 'connexion limitée');
    assert.equal(s.sql('SELECT count(*) AS n FROM login_attempts')[0].n, 0, 'connexion essayée malgré la limite');
    // Une autre IP a son propre compteur.
    const other = await httpFrom(s, '127.0.0.2', 'GET', '/login');
    assert.equal(other.status, 200);
    assert.equal(s.sql("SELECT hits FROM rate_limits WHERE ip = '127.0.0.2'")[0].hits, 1);
  });

  test('le compteur survit au redémarrage de lighttpd (et de ses programmes)', async () => {
    const before = hits()[0].hits;
    assert.ok(before > 10);
    const oldPid = s.proc.pid;
    await restartLighttpd(s);
    assert.notEqual(s.proc.pid, oldPid);
    const r = await http(s, 'GET', '/api/auth/me');
    assertJsonError(r, 429, 'rate_limited', 'après redémarrage');
    assert.equal(r.headers.get('retry-after'), '45');
    assert.equal(hits()[0].hits, before + 1);
    assert.equal(hits().length, 1, 'une seule ligne (ip, minute)');
  });
});
