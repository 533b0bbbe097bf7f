// Jetons d'accès refusés : expiré, signature modifiée, alg « none »,
// HS512, mauvaise clé, compte désactivé, après déconnexion. L'horloge des
// programmes est fixée (CBW_TEST_NOW = T) pour tester l'expiration d'un
// jeton émis par le serveur à la seconde près.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login, createUser } from '../lib/stack.mjs';
import {
  stop, assertJsonError, signJwt, decodeJwt, claims, familyOf, restartLighttpd, b64url, nowSec,
} from './util.mjs';

const T = nowSec();
let s, adminId;
before(async () => {
  s = await startStack({ env: { CBW_TEST_NOW: String(T) } });
  adminId = s.sql("SELECT id FROM users WHERE email = 'admin@test.com'")[0].id;
});
after(async () => { await stop(s); });

const me = (token) => http(s, 'GET', '/api/auth/me', { token });
const key = () => s.config.SECRET_KEY;

async function assert401(token, label) {
  const r = await me(token);
  assertJsonError(r, 401, 'unauthorized', label);
  assert.equal(r.headers.get('www-authenticate'), 'Bearer', label);
  assert.ok(!('email' in r.json), `${label} : données exposées`);
}

// Session réelle (famille en base) pour signer nos propres jetons.
async function session() {
  const a = await login(s);
  return { ...a, sid: familyOf(s, a.refresh_token) };
}

test('témoin : un jeton signé ici avec la bonne clé et une session vivante est accepté', async () => {
  const { sid } = await session();
  const r = await me(signJwt(key(), claims(adminId, sid, { now: T })));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.email, 'admin@test.com');
  // « bearer » en minuscules est accepté aussi (schéma insensible à la casse).
  const r2 = await http(s, 'GET', '/api/auth/me', {
    headers: { Authorization: `bearer ${signJwt(key(), claims(adminId, sid, { now: T }))}` },
  });
  assert.equal(r2.status, 200);
});

test('jeton expiré (exp dans le passé, bien signé) : 401', async () => {
  const { sid } = await session();
  await assert401(signJwt(key(), { sub: String(adminId), role: 'super_admin', sid, iat: T - 3600, exp: T - 1800 }), 'expiré depuis 30 min');
  await assert401(signJwt(key(), { sub: String(adminId), role: 'super_admin', sid, iat: T - 1801, exp: T - 1 }), 'expiré depuis 1 s');
  await assert401(signJwt(key(), { sub: String(adminId), role: 'super_admin', sid, iat: T - 1800, exp: T }), 'exp = maintenant');
});

test('jeton sans exp, à durée trop longue, ou émis dans le futur : 401', async () => {
  const { sid } = await session();
  const base = { sub: String(adminId), role: 'super_admin', sid };
  await assert401(signJwt(key(), { ...base, iat: T }), 'sans exp');
  await assert401(signJwt(key(), { ...base, exp: T + 600 }), 'sans iat');
  await assert401(signJwt(key(), { ...base, iat: T, exp: T + 30 * 24 * 3600 }), 'valable 30 jours');
  await assert401(signJwt(key(), { ...base, iat: T + 3600, exp: T + 3600 + 1800 }), 'iat dans une heure');
  await assert401(signJwt(key(), { ...base, iat: String(T), exp: String(T + 1800) }), 'dates en texte');
});

test('signature modifiée ou charge utile modifiée : 401', async () => {
  const a = await session();
  const [h, p, sig] = a.access_token.split('.');
  assert.equal((await me(a.access_token)).status, 200, 'témoin');
  // Un caractère du milieu de la signature change (octets différents).
  const i = 10;
  const flipped = sig.slice(0, i) + (sig[i] === 'A' ? 'B' : 'A') + sig.slice(i + 1);
  await assert401(`${h}.${p}.${flipped}`, 'signature modifiée');
  await assert401(`${h}.${p}.${sig.slice(0, -4)}`, 'signature tronquée');
  await assert401(`${h}.${p}.`, 'signature vide');
  await assert401(`${h}.${p}`, 'deux segments');
  // Charge utile changée (rôle, sujet) avec l'ancienne signature.
  const pl = decodeJwt(a.access_token).payload;
  await assert401(`${h}.${b64url({ ...pl, sub: '999' })}.${sig}`, 'sub changé');
  await assert401(`${h}.${b64url({ ...pl, exp: pl.exp + 60 })}.${sig}`, 'exp changé');
  // Bonne forme, mauvaise clé.
  await assert401(signJwt('x'.repeat(64), claims(adminId, a.sid, { now: T })), 'autre clé');
  await assert401(signJwt(key() + 'x', claims(adminId, a.sid, { now: T })), 'clé prolongée');
  assert.equal((await me(a.access_token)).status, 200, 'le vrai jeton marche toujours');
});

test('alg « none » : 401 (avec ou sans signature)', async () => {
  const a = await session();
  const c = claims(adminId, a.sid, { now: T });
  await assert401(signJwt(key(), c, { alg: 'none' }), 'none sans signature');
  await assert401(signJwt(key(), c, { header: { alg: 'None', typ: 'JWT' } }).replace(/\.[^.]*$/, '.'), 'None');
  // En-tête « none » collé à une vraie signature HS256 de la même charge utile.
  const real = signJwt(key(), c);
  const [, p, sig] = real.split('.');
  await assert401(`${b64url({ alg: 'none', typ: 'JWT' })}.${p}.${sig}`, 'none + signature');
  await assert401(`${b64url({ typ: 'JWT' })}.${p}.${sig}`, 'sans alg');
  assert.equal((await me(real)).status, 200, 'témoin HS256');
});

test('HS512 / HS384 avec la bonne clé : 401 (seul HS256 est accepté)', async () => {
  const a = await session();
  const c = claims(adminId, a.sid, { now: T });
  await assert401(signJwt(key(), c, { alg: 'HS512' }), 'HS512');
  await assert401(signJwt(key(), c, { alg: 'HS384' }), 'HS384');
  // En-tête HS512 mais signature HS256 : 401 aussi.
  const [, p, sig] = signJwt(key(), c).split('.');
  await assert401(`${b64url({ alg: 'HS512', typ: 'JWT' })}.${p}.${sig}`, 'en-tête HS512 signature HS256');
});

test('revendications fausses avec la bonne clé : session inconnue, autre compte, sub non texte', async () => {
  const a = await session();
  await assert401(signJwt(key(), claims(adminId, '0'.repeat(32), { now: T })), 'sid inconnu');
  await assert401(signJwt(key(), claims(99999, a.sid, { now: T })), 'sub inexistant');
  await assert401(signJwt(key(), { ...claims(adminId, a.sid, { now: T }), sub: adminId }), 'sub numérique');
  await assert401(signJwt(key(), { ...claims(adminId, a.sid, { now: T }), sid: undefined }), 'sans sid');
  await assert401(signJwt(key(), claims(`${adminId}abc`, a.sid, { now: T })), 'sub non entier');
});

test("le rôle vient de la base, pas du jeton : un admin avec role=super_admin dans son jeton reste admin", async () => {
  const su = await login(s);
  const u = await createUser(s, su.access_token, 'petit@test.com');
  const a = await login(s, 'petit@test.com', 'password123');
  const forged = signJwt(key(), claims(u.id, familyOf(s, a.refresh_token), { now: T, role: 'super_admin' }));
  const m = await me(forged);
  assert.equal(m.status, 200);
  assert.equal(m.json.role, 'admin');
  assertJsonError(await http(s, 'GET', '/api/users', { token: forged }), 403, 'forbidden', 'liste avec rôle forgé');
});

test('compte désactivé (PUT is_active=false) : jetons refusés, connexion refusée, sessions révoquées', async () => {
  const su = await login(s);
  const u = await createUser(s, su.access_token, 'inactif@test.com');
  const a = await login(s, 'inactif@test.com', 'password123');
  const sid = familyOf(s, a.refresh_token);
  assert.equal((await me(a.access_token)).status, 200, 'témoin');

  const up = await http(s, 'PUT', `/api/users/${u.id}`, { token: su.access_token, json: { is_active: false } });
  assert.equal(up.status, 200, up.text);
  assert.equal(up.json.is_active, false);

  await assert401(a.access_token, 'jeton du compte désactivé');
  await assert401(signJwt(key(), claims(u.id, sid, { now: T, role: 'admin' })), 'jeton signé ici pour le compte désactivé');
  assertJsonError(await http(s, 'POST', '/api/auth/refresh', { json: { refresh_token: a.refresh_token } }),
    401, 'invalid_refresh_token', 'rafraîchissement du compte désactivé');
  const l = await http(s, 'POST', '/api/auth/login', { json: { email: 'inactif@test.com', password: 'password123' } });
  assertJsonError(l, 401, 'invalid_credentials', 'connexion du compte désactivé');
  assert.ok(s.sql(`SELECT revoked_at FROM refresh_tokens WHERE user_id = ${u.id}`).every((x) => x.revoked_at));

  // Réactivé : l'ancienne session reste fermée, une nouvelle connexion marche.
  const re = await http(s, 'PUT', `/api/users/${u.id}`, { token: su.access_token, json: { is_active: true } });
  assert.equal(re.status, 200);
  await assert401(a.access_token, 'ancien jeton après réactivation');
  const b = await login(s, 'inactif@test.com', 'password123');
  assert.equal((await me(b.access_token)).status, 200);
});

test('après déconnexion : le jeton et tout jeton de la même session sont refusés', async () => {
  const a = await session();
  const r = await http(s, 'POST', '/api/auth/logout', { token: a.access_token });
  assert.equal(r.status, 204);
  await assert401(a.access_token, 'jeton déconnecté');
  await assert401(signJwt(key(), claims(adminId, a.sid, { now: T })), 'nouveau jeton signé pour la session fermée');
});

test("changement de mot de passe (PUT) : les sessions du compte sont fermées", async () => {
  const su = await login(s);
  const u = await createUser(s, su.access_token, 'mdp@test.com');
  const a = await login(s, 'mdp@test.com', 'password123');
  const up = await http(s, 'PUT', `/api/users/${u.id}`, { token: su.access_token, json: { password: 'nouveau-mdp-1' } });
  assert.equal(up.status, 200, up.text);
  await assert401(a.access_token, 'ancien jeton');
  assertJsonError(await http(s, 'POST', '/api/auth/login', { json: { email: 'mdp@test.com', password: 'password123' } }),
    401, 'invalid_credentials', 'ancien mot de passe');
  assert.equal((await login(s, 'mdp@test.com', 'nouveau-mdp-1')).user.email, 'mdp@test.com');
});

test("jeton émis par le serveur : valable jusqu'à T+1799, refusé à T+1800 ; le rafraîchissement marche encore", async () => {
  s.sql('DELETE FROM login_attempts');
  const a = await login(s); // émis à T
  const { payload } = decodeJwt(a.access_token);
  assert.equal(payload.iat, T);
  assert.equal(payload.exp, T + 1800);
  s.env.CBW_TEST_NOW = String(T + 1799);
  await restartLighttpd(s);
  assert.equal((await me(a.access_token)).status, 200, 'encore valable à T+1799');
  s.env.CBW_TEST_NOW = String(T + 1800);
  await restartLighttpd(s);
  await assert401(a.access_token, 'expiré à T+1800');
  const r = await http(s, 'POST', '/api/auth/refresh', { json: { refresh_token: a.refresh_token } });
  assert.equal(r.status, 200, r.text);
  assert.equal(decodeJwt(r.json.access_token).payload.exp, T + 1800 + 1800);
  assert.equal((await me(r.json.access_token)).status, 200);
  // Le jeton de rafraîchissement expire au bout de 7 jours.
  s.env.CBW_TEST_NOW = String(T + 1800 + 7 * 24 * 3600 + 1);
  await restartLighttpd(s);
  assertJsonError(await http(s, 'POST', '/api/auth/refresh', { json: { refresh_token: r.json.refresh_token } }),
    401, 'invalid_refresh_token', 'rafraîchissement après 7 jours');
});
