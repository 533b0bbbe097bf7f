// Propriété 9 par HTTP : tout jeton invalide (aléatoire, muté, mal signé,
// expiré, mauvais algorithme, session inconnue) sur chaque route protégée
// donne 401 JSON {"error":"unauthorized"} et ne change rien en base.
// Graine : CBW_SEED, sinon aléatoire (affichée).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login, createUser } from '../lib/stack.mjs';
import { stop, seeded, signJwt, claims, familyOf, b64url, nowSec } from './util.mjs';

const N = Number(process.env.CBW_P9_N || 120);
let s, good, sid, adminId, target, snapshot;

const ENDPOINTS = () => [
  ['GET', '/api/auth/me'],
  ['POST', '/api/auth/logout'],
  ['GET', '/api/users'],
  ['POST', '/api/users', { email: 'intrus@test.com', password: 'password123', role: 'super_admin' }],
  ['GET', `/api/users/${target}`],
  ['PUT', `/api/users/${target}`, { role: 'super_admin', is_active: true, password: 'pirate-123' }],
  ['DELETE', `/api/users/${target}`],
];

// État de la base qui ne doit pas bouger.
const state = () => JSON.stringify({
  users: s.sql('SELECT id, email, role, is_active, password_hash, updated_at FROM users ORDER BY id'),
  tokens: s.sql('SELECT id, replaced_at, revoked_at FROM refresh_tokens ORDER BY id'),
  audit: s.sql('SELECT count(*) AS n FROM audit_log'),
});

before(async () => {
  s = await startStack();
  const t = await login(s);
  target = (await createUser(s, t.access_token, 'cible@test.com')).id;
  good = (await login(s)).access_token;
  sid = familyOf(s, (await login(s)).refresh_token);
  adminId = s.sql("SELECT id FROM users WHERE email = 'admin@test.com'")[0].id;
  snapshot = state();
});
after(async () => { await stop(s); });

const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const PRINTABLE = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join('');

// Générateur de valeurs d'en-tête Authorization invalides.
function generators(rnd) {
  const int = (n) => Math.floor(rnd() * n);
  const pick = (a) => a[int(a.length)];
  const str = (alpha, n) => Array.from({ length: n }, () => alpha[int(alpha.length)]).join('');
  const key = s.config.SECRET_KEY;
  const now = nowSec();
  // Change au moins un octet décodé d'un segment base64url.
  const mutateSeg = (seg) => {
    const buf = Buffer.from(seg, 'base64url');
    if (buf.length === 0) return b64url(str(PRINTABLE, 8));
    const i = int(buf.length);
    buf[i] ^= 1 + int(255);
    return buf.toString('base64url');
  };
  const bearer = (t) => `Bearer ${t}`;
  return [
    ['octets aléatoires', () => bearer(str(ALPHA, 1 + int(300)))],
    ['caractères imprimables', () => bearer(str(PRINTABLE, 1 + int(200)))],
    ['trois segments aléatoires', () => bearer([0, 1, 2].map(() => str(ALPHA, int(60))).join('.'))],
    ['en-tête du bon jeton muté', () => { const p = good.split('.'); p[0] = mutateSeg(p[0]); return bearer(p.join('.')); }],
    ['charge utile du bon jeton mutée', () => { const p = good.split('.'); p[1] = mutateSeg(p[1]); return bearer(p.join('.')); }],
    ['signature du bon jeton mutée', () => { const p = good.split('.'); p[2] = mutateSeg(p[2]); return bearer(p.join('.')); }],
    ['bon jeton tronqué', () => bearer(good.slice(0, good.length - 5 - int(good.length - 5)))],
    ['bon jeton + suffixe', () => bearer(good + pick(['.', 'x', '.abc', 'AAAA', '.x.y']))],
    ['segments permutés', () => { const p = good.split('.'); return bearer([p[1], p[0], p[2]].join('.')); }],
    ['mauvaise clé', () => bearer(signJwt(str(ALPHA, 32 + int(32)), claims(adminId, sid, { now })))],
    ['alg none', () => bearer(signJwt(key, claims(adminId, sid, { now }), { alg: 'none' }))],
    ['alg HS512/HS384', () => bearer(signJwt(key, claims(adminId, sid, { now }), { alg: pick(['HS512', 'HS384']) }))],
    ['en-tête alg exotique, signature HS256', () => {
      const [, p, sg] = signJwt(key, claims(adminId, sid, { now })).split('.');
      return bearer(`${b64url({ alg: pick(['RS256', 'ES256', 'hs256', 'HS256 ', 'none', '', 'PS256']), typ: 'JWT' })}.${p}.${sg}`);
    }],
    ['expiré', () => { const age = 1800 + 1 + int(100000); return bearer(signJwt(key, { sub: String(adminId), role: 'super_admin', sid, iat: now - age, exp: now - age + 1800 })); }],
    ['durée trop longue', () => bearer(signJwt(key, claims(adminId, sid, { now, ttl: 7200 + int(1e6) })))],
    ['émis dans le futur', () => bearer(signJwt(key, claims(adminId, sid, { now: now + 120 + int(1e6) })))],
    ['session inconnue', () => bearer(signJwt(key, claims(adminId, str('0123456789abcdef', 32), { now })))],
    ['sujet inconnu', () => bearer(signJwt(key, claims(1000 + int(1e6), sid, { now })))],
    ['sujet non entier', () => bearer(signJwt(key, claims(pick(['0', '-1', '1e3', '01x', '', 'abc', '1.0', '0x1']), sid, { now })))],
    ['revendication manquante', () => {
      const c = claims(adminId, sid, { now }); delete c[pick(['sub', 'sid', 'exp', 'iat', 'role'])];
      return bearer(signJwt(key, c));
    }],
    ['mauvais schéma', () => `${pick(['Basic', 'Token', 'JWT', 'Bearer:', 'Bearerx'])} ${good}`],
    ['schéma sans jeton', () => pick(['Bearer', 'Bearer ', 'Bearer  ', ''])],
    ['jeton seul', () => good],
  ];
}

test(`propriété 9 : ${N} jetons invalides × 7 routes protégées → 401 unauthorized, base inchangée`, async () => {
  const { seed, rnd } = seeded('propriété 9');
  const gens = generators(rnd);
  // Témoin : le bon jeton passe partout où il ne modifie rien.
  for (const [m, p] of ENDPOINTS().filter(([m]) => m === 'GET')) {
    assert.equal((await http(s, m, p, { token: good })).status, 200, `témoin ${m} ${p}`);
  }
  const seen = new Set();
  for (let i = 0; i < N; i++) {
    const [kind, gen] = gens[i < gens.length ? i : Math.floor(rnd() * gens.length)];
    const authz = gen();
    seen.add(kind);
    for (const [m, p, body] of ENDPOINTS()) {
      const headers = authz === '' ? {} : { Authorization: authz };
      const r = await http(s, m, p, body ? { headers, json: body } : { headers });
      const ctx = `seed=${seed} i=${i} ${kind} ${m} ${p} Authorization=${JSON.stringify(authz).slice(0, 120)}`;
      assert.equal(r.status, 401, `${ctx} → ${r.status} ${r.text.slice(0, 200)}`);
      assert.match(r.headers.get('content-type') || '', /^application\/json/, ctx);
      assert.equal(r.json && r.json.error, 'unauthorized', ctx);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer', ctx);
      assert.ok(!('email' in r.json) && !('items' in r.json), `${ctx} : données exposées`);
    }
  }
  assert.equal(seen.size, gens.length, 'chaque famille de jetons essayée');
  assert.equal(state(), snapshot, `seed=${seed} : la base a changé`);
  assert.equal(s.sql('SELECT count(*) AS n FROM users')[0].n, 2);
  // Le bon jeton marche toujours (rien n'a été révoqué).
  assert.equal((await http(s, 'GET', '/api/auth/me', { token: good })).status, 200);
});
