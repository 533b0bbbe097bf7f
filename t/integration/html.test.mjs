// Face HTML : connexion par formulaire (cookie pré-session + CSRF), cookie
// de session, tableau de bord, déconnexion ; CSRF refusé sur /login,
// /logout et /admin-users ; messages flash signés.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login, createUser, ADMIN } from '../lib/stack.mjs';
import { createHmac } from 'node:crypto';
import { stop, htmlLogin, setCookies, csrfOf, form, FORM, sha256hex } from './util.mjs';

let s, superId;
before(async () => {
  s = await startStack();
  superId = s.sql(`SELECT id FROM users WHERE email = '${ADMIN.email}'`)[0].id;
});
after(async () => { await stop(s); });
beforeEach(() => { s.sql('DELETE FROM login_attempts'); });

const webSessions = () => s.sql("SELECT count(*) AS n FROM refresh_tokens WHERE kind = 'web'")[0].n;

// Page de connexion fraîche : { pre, csrf }.
async function loginPage() {
  const r = await http(s, 'GET', '/login');
  assert.equal(r.status, 200);
  return { pre: setCookies(r).cbw_pre.value, csrf: csrfOf(r.text), res: r };
}

const postLogin = (body, cookies) => http(s, 'POST', '/login', { headers: FORM, cookies, body: form(body) });

test('GET /login : cookie cbw_pre, champ csrf caché, formulaire en français', async () => {
  const { pre, csrf, res } = await loginPage();
  assert.match(pre, /^[0-9a-f]{64}$/);
  const raw = setCookies(res).cbw_pre.raw;
  assert.match(raw, /^cbw_pre=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict$/);
  assert.match(csrf, /^[0-9a-f]{64}$/);
  assert.notEqual(csrf, pre, 'le jeton CSRF ne doit pas être le cookie lui-même');
  assert.match(res.text, /<html lang="fr">/);
  assert.match(res.text, /<form method="post" action="\/login"/);
  assert.match(res.text, /<input type="email" name="email"/);
  assert.match(res.text, /<input type="password" name="password"/);
  assert.match(res.text, /Adresse e-mail/);
  assert.match(res.text, /Mot de passe/);
  assert.match(res.text, /Se connecter/);
  // Avec le cookie : pas de nouveau cookie, même jeton CSRF.
  const again = await http(s, 'GET', '/login', { cookies: `cbw_pre=${pre}` });
  assert.equal(setCookies(again).cbw_pre, undefined);
  assert.equal(csrfOf(again.text), csrf);
  // Deux visiteurs : deux jetons différents.
  assert.notEqual((await loginPage()).csrf, csrf);
});

test('POST /login sans CSRF valide : 403, aucune session, aucun essai compté', async () => {
  const a = await loginPage();
  const b = await loginPage();
  const n = webSessions();
  const cases = [
    ['sans champ csrf', { email: ADMIN.email, password: ADMIN.password }, `cbw_pre=${a.pre}`],
    ['csrf vide', { csrf: '', email: ADMIN.email, password: ADMIN.password }, `cbw_pre=${a.pre}`],
    ['csrf faux', { csrf: 'f'.repeat(64), email: ADMIN.email, password: ADMIN.password }, `cbw_pre=${a.pre}`],
    ['csrf d\'un autre visiteur', { csrf: b.csrf, email: ADMIN.email, password: ADMIN.password }, `cbw_pre=${a.pre}`],
    ['sans cookie cbw_pre', { csrf: a.csrf, email: ADMIN.email, password: ADMIN.password }, undefined],
    ['cookie cbw_pre vide', { csrf: a.csrf, email: ADMIN.email, password: ADMIN.password }, 'cbw_pre='],
  ];
  for (const [label, body, cookies] of cases) {
    const r = await postLogin(body, cookies);
    assert.equal(r.status, 403, label);
    assert.match(r.headers.get('content-type'), /^text\/html/, label);
    assert.match(r.text, /Formulaire expiré ou invalide \(jeton CSRF\)/, label);
    assert.equal(setCookies(r).cbw_session, undefined, `${label} : session posée`);
  }
  assert.equal(webSessions(), n);
  assert.equal(s.sql('SELECT count(*) AS n FROM login_attempts')[0].n, 0);
});

test('connexion HTML complète : 303 /dashboard, cookie de session, tableau de bord, déconnexion', async () => {
  // Des données à compter sur le tableau de bord.
  const T = '2026-01-02T03:04:05Z';
  s.sql(`
    INSERT INTO categories(id, name, created_by, created_at, updated_at) VALUES (501, 'Famille', ${superId}, '${T}', '${T}');
    INSERT INTO contacts(id, phone_number, country_code, full_number, created_by, created_at, updated_at) VALUES
      (511, '611111111', '+33', '+33611111111', ${superId}, '${T}', '${T}'),
      (512, '622222222', '+33', '+33622222222', ${superId}, '${T}', '${T}');
    INSERT INTO campaigns(id, name, message_1, status, created_by, created_at, updated_at) VALUES
      (521, 'Soldes', 'Bonjour', 'sending', ${superId}, '${T}', '${T}'),
      (522, 'Brouillon', 'Salut', 'draft', ${superId}, '${T}', '${T}'),
      (523, 'Rentrée', 'Coucou', 'completed', ${superId}, '${T}', '${T}');
    INSERT INTO messages(campaign_id, contact_id, message_type, content, status, created_at, updated_at) VALUES
      (521, 511, 'message_1', 'Bonjour', 'delivered', '${T}', '${T}'),
      (521, 512, 'message_1', 'Bonjour', 'failed', '${T}', '${T}'),
      (523, 511, 'message_1', 'Coucou', 'read', '${T}', '${T}'),
      (523, 512, 'message_1', 'Coucou', 'pending', '${T}', '${T}');
  `);
  const { pre, csrf } = await loginPage();
  const r = await postLogin({ csrf, email: ADMIN.email, password: ADMIN.password }, `cbw_pre=${pre}`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/dashboard');
  const c = setCookies(r);
  assert.ok(c.cbw_session, 'pas de cookie de session');
  assert.match(c.cbw_session.raw, /^cbw_session=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict(; Max-Age=\d+)?$/);
  assert.doesNotMatch(c.cbw_session.raw, /Secure/i, 'Secure en HTTP simple');
  assert.match(c.cbw_pre.raw, /^cbw_pre=; .*Max-Age=0/, 'cookie pré-session non effacé');
  const sess = c.cbw_session.value;
  const rows = s.sql(`SELECT user_id, kind, revoked_at FROM refresh_tokens WHERE token_hash = '${sha256hex(sess)}'`);
  assert.deepEqual(rows, [{ user_id: superId, kind: 'web', revoked_at: null }]);
  assert.ok(!JSON.stringify(s.sql('SELECT * FROM refresh_tokens')).includes(sess), 'cookie stocké en clair');

  const cookie = `cbw_session=${sess}`;
  const d = await http(s, 'GET', '/dashboard', { cookies: cookie });
  assert.equal(d.status, 200);
  assert.match(d.text, /<span class="user-email">admin@test\.com<\/span>/);
  assert.match(d.text, /<title>Tableau de bord · Chatbot WhatsApp<\/title>/);
  const stat = (k) => (d.text.match(new RegExp(`data-stat="${k}">\\s*<span class="stats-label">[^<]*</span>\\s*<span class="stats-value">(\\d+)</span>`)) || [])[1];
  assert.equal(stat('contacts'), '2');
  assert.equal(stat('categories'), '1');
  assert.equal(stat('campaigns'), '3');
  assert.equal(stat('messages'), '2', 'messages envoyés = sent + delivered + read');
  assert.match(d.text, /href="\/admin-users"/, 'lien Utilisateurs pour le super admin');
  // Déjà connecté : /login et / renvoient au tableau de bord.
  let r2 = await http(s, 'GET', '/login', { cookies: cookie });
  assert.equal(r2.status, 303);
  assert.equal(r2.headers.get('location'), '/dashboard');
  r2 = await http(s, 'GET', '/', { cookies: cookie });
  assert.equal(r2.headers.get('location'), '/dashboard');

  // Déconnexion avec le jeton CSRF de la page.
  const out = await http(s, 'POST', '/logout', { cookies: cookie, headers: FORM, body: form({ csrf: csrfOf(d.text) }) });
  assert.equal(out.status, 303);
  assert.equal(out.headers.get('location'), '/login');
  const oc = setCookies(out);
  assert.match(oc.cbw_session.raw, /^cbw_session=; .*Max-Age=0/);
  assert.ok(s.sql(`SELECT revoked_at FROM refresh_tokens WHERE token_hash = '${sha256hex(sess)}'`)[0].revoked_at);
  // L'ancien cookie ne marche plus.
  const after = await http(s, 'GET', '/dashboard', { cookies: cookie });
  assert.equal(after.status, 303);
  assert.equal(after.headers.get('location'), '/login');
  assert.equal((await http(s, 'GET', '/admin-users', { cookies: cookie })).status, 303);
  // Message flash « déconnecté » sur la page de connexion.
  const lp = await http(s, 'GET', '/login', { cookies: `cbw_flash=${oc.cbw_flash.value}` });
  assert.match(lp.text, /Vous êtes déconnecté\./);
  s.sql('DELETE FROM messages WHERE campaign_id IN (521, 523); DELETE FROM campaigns WHERE id IN (521, 522, 523); DELETE FROM contacts WHERE id IN (511, 512); DELETE FROM categories WHERE id = 501');
});

test('POST /login refusé : 401 (e-mail gardé), 422 (champ invalide), sans session', async () => {
  const { pre, csrf } = await loginPage();
  let r = await postLogin({ csrf, email: ADMIN.email, password: 'mauvais-mdp' }, `cbw_pre=${pre}`);
  assert.equal(r.status, 401);
  assert.match(r.text, /E-mail ou mot de passe incorrect\./);
  assert.match(r.text, /name="email"[^>]*value="admin@test\.com"/);
  assert.equal(setCookies(r).cbw_session, undefined);
  // Le jeton CSRF reste utilisable pour réessayer.
  assert.equal(csrfOf(r.text), csrf);
  r = await postLogin({ csrf, email: 'pas-un-email', password: 'x' }, `cbw_pre=${pre}`);
  assert.equal(r.status, 422);
  assert.match(r.text, /Saisissez une adresse e-mail valide et votre mot de passe\./);
  r = await postLogin({ csrf, email: ADMIN.email, password: '' }, `cbw_pre=${pre}`);
  assert.equal(r.status, 422);
  // Puis le bon mot de passe passe.
  r = await postLogin({ csrf, email: ADMIN.email, password: ADMIN.password }, `cbw_pre=${pre}`);
  assert.equal(r.status, 303);
});

test('POST /logout sans CSRF valide : 403 et la session reste ouverte', async () => {
  const w = await htmlLogin(s);
  const other = await htmlLogin(s);
  for (const [label, body] of [['sans csrf', ''], ['csrf faux', form({ csrf: '0'.repeat(64) })], ['csrf d\'une autre session', form({ csrf: other.csrf })]]) {
    const r = await http(s, 'POST', '/logout', { cookies: w.cookie, headers: FORM, body });
    assert.equal(r.status, 403, label);
    assert.match(r.text, /jeton CSRF/, label);
  }
  assert.equal((await http(s, 'GET', '/dashboard', { cookies: w.cookie })).status, 200);
  // Sans session : redirection vers /login (rien à fermer).
  const r = await http(s, 'POST', '/logout', { headers: FORM, body: form({ csrf: w.csrf }) });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/login');
});

test('POST /admin-users avec une session valide mais sans CSRF (ou faux) : 403, rien créé', async () => {
  const w = await htmlLogin(s);
  const other = await htmlLogin(s); // même compte, autre session
  const n = s.sql('SELECT count(*) AS n FROM users')[0].n;
  const body = { email: 'csrf-victime@test.com', password: 'password123', role: 'super_admin' };
  for (const [label, b] of [
    ['sans csrf', body],
    ['csrf vide', { ...body, csrf: '' }],
    ['csrf faux', { ...body, csrf: 'a'.repeat(64) }],
    ['csrf d\'une autre session', { ...body, csrf: other.csrf }],
    ['csrf de la page de connexion', { ...body, csrf: (await loginPage()).csrf }],
  ]) {
    const r = await http(s, 'POST', '/admin-users', { cookies: w.cookie, headers: FORM, body: form(b) });
    assert.equal(r.status, 403, label);
    assert.match(r.text, /Formulaire expiré ou invalide/, label);
  }
  assert.equal(s.sql('SELECT count(*) AS n FROM users')[0].n, n);
  // Le bon jeton passe.
  const ok = await http(s, 'POST', '/admin-users', { cookies: w.cookie, headers: FORM, body: form({ ...body, csrf: w.csrf }) });
  assert.equal(ok.status, 303);
  assert.equal(s.sql('SELECT count(*) AS n FROM users')[0].n, n + 1);
});

test('jetons API et cookies web ne s\'échangent pas', async () => {
  const a = await login(s);
  // Jeton de rafraîchissement API comme cookie : refusé.
  const r = await http(s, 'GET', '/dashboard', { cookies: `cbw_session=${a.refresh_token}` });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/login');
  // Cookie web comme jeton de rafraîchissement : refusé, et la session web reste valide.
  const w = await htmlLogin(s);
  const rr = await http(s, 'POST', '/api/auth/refresh', { json: { refresh_token: w.token } });
  assert.equal(rr.status, 401);
  assert.equal((await http(s, 'GET', '/dashboard', { cookies: w.cookie })).status, 200);
  // Cookie web comme Bearer : refusé.
  assert.equal((await http(s, 'GET', '/api/auth/me', { token: w.token })).status, 401);
});

test('compte désactivé : sa session web est fermée', async () => {
  const su = (await login(s)).access_token;
  const u = await createUser(s, su, 'web-inactif@test.com');
  const w = await htmlLogin(s, 'web-inactif@test.com', 'password123');
  const r = await http(s, 'PUT', `/api/users/${u.id}`, { token: su, json: { is_active: false } });
  assert.equal(r.status, 200);
  const d = await http(s, 'GET', '/dashboard', { cookies: w.cookie });
  assert.equal(d.status, 303);
  assert.equal(d.headers.get('location'), '/login');
});

test('message flash : signé (un faux est ignoré) et échappé', async () => {
  const hex = (t) => Buffer.from(t).toString('hex');
  const forged = `${hex('success\x1f<b>piège</b>')}.${'0'.repeat(32)}`;
  const r = await http(s, 'GET', '/login', { cookies: `cbw_flash=${forged}` });
  assert.equal(r.status, 200);
  assert.doesNotMatch(r.text, /piège/);
  assert.doesNotMatch(r.text, /class="flash/);
  // Le faux cookie est effacé.
  assert.match(setCookies(r).cbw_flash.raw, /Max-Age=0/);
  // Un vrai (signé avec SECRET_KEY, comme lib/page.c) est affiché, échappé.
  const h = hex('error\x1f<script>alert(1)</script> & "x"');
  const mac = createHmac('sha256', s.config.SECRET_KEY).update(h).digest('hex').slice(0, 32);
  const ok = await http(s, 'GET', '/login', { cookies: `cbw_flash=${h}.${mac}` });
  assert.match(ok.text, /class="flash flash-error"/);
  assert.ok(!ok.text.includes('<script>alert(1)</script>'), 'message flash non échappé');
  assert.match(ok.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; (&quot;|&#34;|&#x22;)x(&quot;|&#34;|&#x22;)/);
});
