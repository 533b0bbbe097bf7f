// Fumée : la pile démarre, la connexion API marche, / redirige.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login } from '../lib/stack.mjs';

let s;
before(async () => { s = await startStack(); });
after(async () => { await s.stop(); });

test('GET / sans session redirige vers /login', async () => {
  const r = await http(s, 'GET', '/');
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/login');
});

test('connexion API puis /api/auth/me', async () => {
  const t = await login(s);
  const r = await http(s, 'GET', '/api/auth/me', { token: t.access_token });
  assert.equal(r.status, 200);
  assert.equal(r.json.email, 'admin@test.com');
  assert.equal(r.json.role, 'super_admin');
});
