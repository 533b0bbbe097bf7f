// Connexion API (/api/auth/login), rafraîchissement avec rotation et
// détection de réutilisation, stockage haché des jetons, déconnexion.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, http, login, ADMIN, stderrLog } from '../lib/stack.mjs';
import { stop, assertJsonError, assertSecurityHeaders, familyOf, sha256hex, decodeJwt, nowSec } from './util.mjs';

let s;
before(async () => { s = await startStack(); });
after(async () => { await stop(s); });
beforeEach(() => { s.sql('DELETE FROM login_attempts'); });

const me = (token) => http(s, 'GET', '/api/auth/me', { token });
const refresh = (refresh_token) => http(s, 'POST', '/api/auth/refresh', { json: { refresh_token } });

test('connexion réussie : jetons, type bearer, 30 minutes, utilisateur sans hachage', async () => {
  const r = await http(s, 'POST', '/api/auth/login', { json: { email: ADMIN.email, password: ADMIN.password } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assertSecurityHeaders(r, 'login 200');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const b = r.json;
  assert.deepEqual(Object.keys(b).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type', 'user']);
  assert.equal(b.token_type, 'bearer');
  assert.equal(b.expires_in, 1800);
  assert.match(b.refresh_token, /^[0-9a-f]{64}$/);
  assert.match(b.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  const { header, payload } = decodeJwt(b.access_token);
  assert.equal(header.alg, 'HS256');
  assert.equal(payload.sub, String(b.user.id));
  assert.equal(payload.role, 'super_admin');
  assert.equal(payload.exp - payload.iat, 1800);
  assert.ok(Math.abs(payload.iat - nowSec()) < 30, 'iat proche de maintenant');
  assert.equal(payload.sid, familyOf(s, b.refresh_token));
  assert.equal(b.user.email, ADMIN.email);
  assert.equal(b.user.role, 'super_admin');
  assert.equal(b.user.is_active, true);
  assert.equal(typeof b.user.id, 'number');
  assert.ok(!('password_hash' in b.user), 'password_hash exposé');
  assert.doesNotMatch(r.text, /\$2[aby]\$/, 'un hachage bcrypt apparaît dans la réponse');
  // Le jeton d'accès marche.
  const m = await me(b.access_token);
  assert.equal(m.status, 200);
  assert.equal(m.json.email, ADMIN.email);
  assert.ok(!('password_hash' in m.json));
  // Un essai réussi est noté.
  const rows = s.sql("SELECT email, ip, success FROM login_attempts");
  assert.deepEqual(rows, [{ email: ADMIN.email, ip: '127.0.0.1', success: 1 }]);
});

test("connexion : l'e-mail ne tient pas compte de la casse", async () => {
  const r = await http(s, 'POST', '/api/auth/login', { json: { email: 'Admin@TEST.com', password: ADMIN.password } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.email, ADMIN.email);
});

test('mauvais mot de passe : 401 invalid_credentials en français, aucune session créée', async () => {
  const before = s.sql('SELECT count(*) AS n FROM refresh_tokens')[0].n;
  const r = await http(s, 'POST', '/api/auth/login', { json: { email: ADMIN.email, password: 'wrong-password' } });
  assertJsonError(r, 401, 'invalid_credentials', 'mauvais mot de passe');
  assert.equal(r.json.message, 'E-mail ou mot de passe incorrect.');
  assert.ok(!('access_token' in r.json));
  assertSecurityHeaders(r, 'login 401');
  assert.equal(s.sql('SELECT count(*) AS n FROM refresh_tokens')[0].n, before);
  assert.deepEqual(s.sql('SELECT email, success FROM login_attempts'), [{ email: ADMIN.email, success: 0 }]);
});

test('compte inconnu : même réponse 401 que le mauvais mot de passe', async () => {
  const r = await http(s, 'POST', '/api/auth/login', { json: { email: 'personne@test.com', password: 'password123' } });
  assertJsonError(r, 401, 'invalid_credentials', 'compte inconnu');
  assert.equal(r.json.message, 'E-mail ou mot de passe incorrect.');
});

test('champs manquants ou vides : 422 avec fields.email et fields.password', async () => {
  let r = await http(s, 'POST', '/api/auth/login', { json: {} });
  assertJsonError(r, 422, 'validation_error', 'corps vide');
  assert.equal(r.json.fields.email, "L'adresse e-mail est obligatoire.");
  assert.equal(r.json.fields.password, 'Le mot de passe est obligatoire.');

  r = await http(s, 'POST', '/api/auth/login', { json: { email: ADMIN.email } });
  assertJsonError(r, 422, 'validation_error', 'sans mot de passe');
  assert.deepEqual(Object.keys(r.json.fields), ['password']);

  r = await http(s, 'POST', '/api/auth/login', { json: { password: 'password123' } });
  assertJsonError(r, 422, 'validation_error', 'sans e-mail');
  assert.deepEqual(Object.keys(r.json.fields), ['email']);

  r = await http(s, 'POST', '/api/auth/login', { json: { email: 'pas-une-adresse', password: '' } });
  assertJsonError(r, 422, 'validation_error', 'e-mail invalide, mot de passe vide');
  assert.match(r.json.fields.email, /Adresse e-mail invalide/);
  assert.equal(r.json.fields.password, 'Le mot de passe est obligatoire.');

  r = await http(s, 'POST', '/api/auth/login', { json: { email: 42, password: ['x'] } });
  assertJsonError(r, 422, 'validation_error', 'types faux');
  assert.ok(r.json.fields.email && r.json.fields.password);
  // Les saisies refusées ne comptent pas comme essais.
  assert.equal(s.sql('SELECT count(*) AS n FROM login_attempts')[0].n, 0);
});

test("e-mail présent mais d'un mauvais type : 422 « invalide », pas « obligatoire »", async () => {
  for (const email of [42, true, ['admin@test.com'], { a: 1 }]) {
    const r = await http(s, 'POST', '/api/auth/login', { json: { email, password: 'password123' } });
    assertJsonError(r, 422, 'validation_error', `email=${JSON.stringify(email)}`);
    assert.notEqual(r.json.fields.email, "L'adresse e-mail est obligatoire.",
      `email=${JSON.stringify(email)} : le champ est présent, le message doit dire qu'il est invalide`);
    assert.match(r.json.fields.email, /invalide|chaîne/);
  }
});

test('mot de passe de plus de 72 octets : refusé à la connexion (pas de troncature bcrypt)', async () => {
  const t = await login(s);
  const p72 = 'Aa1-'.repeat(18); // 72 octets : le maximum accepté à la création
  assert.equal(Buffer.byteLength(p72), 72);
  const c = await http(s, 'POST', '/api/users', { token: t.access_token, json: { email: 'long72@test.com', password: p72 } });
  assert.equal(c.status, 201, c.text);
  const ok = await http(s, 'POST', '/api/auth/login', { json: { email: 'long72@test.com', password: p72 } });
  assert.equal(ok.status, 200, 'le bon mot de passe de 72 octets');
  for (const extra of ['x', 'n-importe-quoi', '!'.repeat(100)]) {
    const r = await http(s, 'POST', '/api/auth/login', { json: { email: 'long72@test.com', password: p72 + extra } });
    assertJsonError(r, 401, 'invalid_credentials', `mot de passe de 72 octets + ${JSON.stringify(extra)} accepté`);
  }
});

test('rafraîchissement : rotation, nouveaux jetons valides, ancien jeton remplacé', async () => {
  const a = await login(s);
  const fam = familyOf(s, a.refresh_token);
  const r = await refresh(a.refresh_token);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.token_type, 'bearer');
  assert.equal(r.json.expires_in, 1800);
  assert.equal(r.json.user.email, ADMIN.email);
  assert.ok(!('password_hash' in r.json.user));
  assert.match(r.json.refresh_token, /^[0-9a-f]{64}$/);
  assert.notEqual(r.json.refresh_token, a.refresh_token);
  assert.equal(decodeJwt(r.json.access_token).payload.sid, fam, 'même famille après rotation');
  assert.equal(familyOf(s, r.json.refresh_token), fam);
  // L'ancien est marqué remplacé, le nouveau actif.
  const old = s.sql(`SELECT replaced_at, revoked_at FROM refresh_tokens WHERE token_hash = '${sha256hex(a.refresh_token)}'`)[0];
  assert.ok(old.replaced_at, 'ancien jeton non marqué remplacé');
  assert.equal(old.revoked_at, null);
  // Le nouveau jeton de rafraîchissement marche à son tour.
  const r2 = await refresh(r.json.refresh_token);
  assert.equal(r2.status, 200, r2.text);
  assert.equal((await me(r2.json.access_token)).status, 200);
  assert.equal((await me(r.json.access_token)).status, 200);
});

test('réutilisation d\'un jeton remplacé : 401 et toute la famille révoquée', async () => {
  const a = await login(s);
  const other = await login(s); // autre session : ne doit pas être touchée
  const fam = familyOf(s, a.refresh_token);
  const r1 = await refresh(a.refresh_token);
  assert.equal(r1.status, 200);
  const r2 = await refresh(r1.json.refresh_token);
  assert.equal(r2.status, 200);
  assert.equal((await me(r2.json.access_token)).status, 200);

  // Un voleur rejoue le premier jeton.
  const replay = await refresh(a.refresh_token);
  assertJsonError(replay, 401, 'invalid_refresh_token', 'rejeu');
  assert.match(replay.json.message, /déjà utilisé/);
  assert.ok(!('access_token' in replay.json));

  // Le jeton le plus récent ne marche plus, ni les jetons d'accès de la famille.
  assertJsonError(await refresh(r2.json.refresh_token), 401, 'invalid_refresh_token', 'dernier jeton');
  for (const [name, tok] of [['a', a.access_token], ['r1', r1.json.access_token], ['r2', r2.json.access_token]]) {
    const m = await me(tok);
    assertJsonError(m, 401, 'unauthorized', `jeton d'accès ${name}`);
    assert.equal(m.headers.get('www-authenticate'), 'Bearer');
  }
  const rows = s.sql(`SELECT revoked_at FROM refresh_tokens WHERE family_id = '${fam}'`);
  assert.equal(rows.length, 3);
  assert.ok(rows.every((x) => x.revoked_at), 'une ligne de la famille reste active');
  // L'autre session du même compte n'est pas touchée.
  assert.equal((await me(other.access_token)).status, 200);
  assert.equal((await refresh(other.refresh_token)).status, 200);
});

test('rafraîchissement refusé : jeton inconnu, mal formé, absent', async () => {
  assertJsonError(await refresh('0'.repeat(64)), 401, 'invalid_refresh_token', 'inconnu');
  assertJsonError(await refresh('xyz'), 401, 'invalid_refresh_token', 'court');
  const a = await login(s);
  assertJsonError(await refresh(a.refresh_token.toUpperCase()), 401, 'invalid_refresh_token', 'casse changée');
  // Un jeton d'accès n'est pas un jeton de rafraîchissement.
  assertJsonError(await refresh(a.access_token), 401, 'invalid_refresh_token', 'jeton d\'accès');
  const r = await http(s, 'POST', '/api/auth/refresh', { json: {} });
  assertJsonError(r, 422, 'validation_error', 'absent');
  assert.ok(r.json.fields.refresh_token);
  // Le jeton valide n'a pas été consommé par ces essais.
  assert.equal((await refresh(a.refresh_token)).status, 200);
});

test('jeton de rafraîchissement expiré : 401', async () => {
  const a = await login(s);
  s.sql(`UPDATE refresh_tokens SET expires_at = '2000-01-01T00:00:00Z' WHERE token_hash = '${sha256hex(a.refresh_token)}'`);
  assertJsonError(await refresh(a.refresh_token), 401, 'invalid_refresh_token', 'expiré');
});

test('jetons stockés hachés (SHA-256) : aucune ligne ne contient un jeton brut', async () => {
  const a = await login(s);
  const r = await refresh(a.refresh_token);
  assert.equal(r.status, 200);
  const rows = s.sql('SELECT * FROM refresh_tokens');
  const dump = JSON.stringify(rows);
  for (const t of [a.refresh_token, r.json.refresh_token, a.access_token, r.json.access_token]) {
    assert.ok(!dump.includes(t), 'un jeton brut est stocké');
  }
  const hashes = rows.map((x) => x.token_hash);
  assert.ok(hashes.includes(sha256hex(a.refresh_token)));
  assert.ok(hashes.includes(sha256hex(r.json.refresh_token)));
  assert.ok(rows.every((x) => /^[0-9a-f]{64}$/.test(x.token_hash)));
  // Expiration à 7 jours.
  const row = s.sql(`SELECT created_at, expires_at FROM refresh_tokens WHERE token_hash = '${sha256hex(r.json.refresh_token)}'`)[0];
  assert.equal((Date.parse(row.expires_at) - Date.parse(row.created_at)) / 1000, 7 * 24 * 3600);
});

test('déconnexion : 204 sans corps, jetons de la session refusés ensuite', async () => {
  const a = await login(s);
  const other = await login(s);
  const r = await http(s, 'POST', '/api/auth/logout', { token: a.access_token });
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  assertSecurityHeaders(r, 'logout 204');
  assertJsonError(await me(a.access_token), 401, 'unauthorized', 'après déconnexion');
  assertJsonError(await refresh(a.refresh_token), 401, 'invalid_refresh_token', 'refresh après déconnexion');
  assertJsonError(await http(s, 'POST', '/api/auth/logout', { token: a.access_token }), 401, 'unauthorized', 'deuxième déconnexion');
  const fam = familyOf(s, a.refresh_token);
  assert.ok(s.sql(`SELECT revoked_at FROM refresh_tokens WHERE family_id = '${fam}'`).every((x) => x.revoked_at));
  // Une autre session reste ouverte.
  assert.equal((await me(other.access_token)).status, 200);
});

test('journaux : ni mot de passe ni jeton, même après échecs et rejeu', async () => {
  const a = await login(s);
  await http(s, 'POST', '/api/auth/login', { json: { email: ADMIN.email, password: 'secret-faux-123' } });
  const r = await refresh(a.refresh_token);
  await refresh(a.refresh_token); // rejeu : journalisé comme avertissement
  await http(s, 'GET', '/api/auth/me', { token: a.access_token + 'x' });
  await new Promise((ok) => setTimeout(ok, 200));
  const log = stderrLog(s) + (existsSync(join(s.dir, 'log/lighttpd-error.log')) ? readFileSync(join(s.dir, 'log/lighttpd-error.log'), 'utf8') : '');
  assert.match(log, /réutilisation d'un jeton de rafraîchissement/, 'le rejeu doit être journalisé');
  for (const secret of [ADMIN.password, 'secret-faux-123', a.refresh_token, r.json.refresh_token, a.access_token, s.config.SECRET_KEY]) {
    assert.ok(!log.includes(secret), `secret dans le journal : ${secret.slice(0, 12)}…`);
  }
  // Chaque ligne des programmes est un objet JSON.
  const lines = log.split('\n').filter((l) => l.startsWith('{'));
  assert.ok(lines.length > 0);
  for (const l of lines) {
    const o = JSON.parse(l);
    assert.ok(o.timestamp && o.level && o.service, l);
  }
});
