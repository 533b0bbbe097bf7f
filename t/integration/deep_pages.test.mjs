// Pages lointaines de la liste de contacts (décalage ≥ 1000) : servies par
// l'ordre gardé en mémoire par cbw-contacts. Elles doivent rester égales à
// la requête SQL de référence, y compris juste après un ajout, un
// renommage ou une suppression (la version de la liste change).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login } from '../lib/stack.mjs';

let s, token;
const N = 1500;

before(async () => {
  s = await startStack();
  token = (await login(s)).access_token;
  const lines = ['prénom;nom;téléphone'];
  for (let i = 0; i < N; i++) {
    lines.push(`P${(i * 7919) % N};Nom${(i * 104729) % 997};+3361${String(i).padStart(7, '0')}`);
  }
  const fd = new FormData();
  fd.append('file', new Blob([lines.join('\n')]), 'c.csv');
  const r = await fetch(s.base + '/api/contacts/import', {
    method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: fd,
  });
  assert.equal(r.status, 200);
  assert.equal((await r.json()).created, N);
});
after(async () => { await s.stop(); });

// Identifiants attendus d'une page, d'après SQL (même ordre que l'API).
function expected(page, perPage = 20) {
  return s.sql(`SELECT id FROM contacts WHERE created_by = 1 ORDER BY last_name COLLATE NOCASE,
    first_name COLLATE NOCASE, id LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`).map((x) => x.id);
}

async function page(p, pp = 20) {
  const r = await http(s, 'GET', `/api/contacts?page=${p}&per_page=${pp}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

test('pages lointaines égales à la requête de référence, total juste', async () => {
  for (const [p, pp] of [[51, 20], [60, 20], [75, 20], [31, 50], [30, 50], [76, 20], [200, 20]]) {
    const j = await page(p, pp);
    assert.equal(j.total, N);
    assert.deepEqual(j.items.map((x) => x.id), expected(p, pp), `page ${p}×${pp}`);
  }
});

test('après ajout, renommage et suppression, les pages lointaines suivent', async () => {
  await page(60);                                   // ordre mis en mémoire
  const c = await http(s, 'POST', '/api/contacts', { token,
    json: { country_code: '+33', phone_number: '699999999', first_name: 'Aaa', last_name: 'Nom5' } });
  assert.equal(c.status, 201);
  assert.deepEqual((await page(60)).items.map((x) => x.id), expected(60));
  const victim = expected(61)[3];
  const u = await http(s, 'PUT', `/api/contacts/${victim}`, { token, json: { last_name: 'Zzz' } });
  assert.equal(u.status, 200);
  assert.deepEqual((await page(61)).items.map((x) => x.id), expected(61));
  const gone = expected(62)[0];
  assert.equal((await http(s, 'DELETE', `/api/contacts/${gone}`, { token })).status, 204);
  const j = await page(62);
  assert.equal(j.total, N);                         // +1 créé, -1 supprimé
  assert.deepEqual(j.items.map((x) => x.id), expected(62));
  assert.ok(!j.items.some((x) => x.id === gone));
});

test('un autre admin ne voit jamais l\'ordre gardé du premier', async () => {
  const r = await http(s, 'POST', '/api/users', { token,
    json: { email: 'b@test.com', password: 'password123', role: 'admin' } });
  assert.equal(r.status, 201);
  const tb = (await login(s, 'b@test.com', 'password123')).access_token;
  const j = await http(s, 'GET', '/api/contacts?page=60&per_page=20', { token: tb });
  assert.equal(j.status, 200);
  assert.equal(j.json.total, 0);
  assert.deepEqual(j.json.items, []);
});
