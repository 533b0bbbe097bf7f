// Exigences de sécurité (DESIGN §4 et §8), tirées des tables de routes de
// TOUS les programmes FastCGI (fcgi/*.c, lues dans le C : une route ajoutée
// est testée d'office, et le nombre lu doit égaler celui de l'enum) :
//  1. matrice d'authentification : chaque route protégée × {sans jeton ni
//     cookie, jeton expiré, jeton falsifié, compte désactivé} → 401 (API)
//     ou 303 vers /login (pages) ; admin simple sur une route du super
//     admin → 403 ; la base ne change pas. Les routes publiques sont
//     listées ici : en ajouter une est un choix conscient ;
//  2. injection SQL : chaînes hostiles dans chaque champ texte des corps
//     de création et de modification et dans chaque paramètre des listes :
//     stockées et cherchées littéralement, jamais de 5xx, tables intactes ;
//  3. CSRF : chaque POST de formulaire HTML, d'une autre origine, sans
//     jeton, jeton faux ou d'une autre session → 403, base inchangée ;
//  4. en-têtes de sécurité sur une réponse de chaque route et sur les
//     erreurs de chaque programme (404, 405, 413, 415, 422) et de lighttpd ;
//  5. journaux : aucun secret (clés, jetons émis, mots de passe).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, http, cli, ADMIN } from '../lib/stack.mjs';
import {
  stop, assertSecurityHeaders, assertJsonError, htmlLogin, setCookies, csrfOf, form, FORM,
  routeTable, signJwt, claims, familyOf, nowSec, sha256hex, ROOT,
} from './util.mjs';

// ---------------------------------------------------------------- tables de routes

const PROGRAMS = ['auth', 'users', 'dashboard', 'categories', 'contacts', 'campaigns', 'messages', 'webhooks'];

// Noms des drapeaux CBW_R_* déclarés dans lib/route.h.
const FLAG_NAMES = [...readFileSync(join(ROOT, 'lib/route.h'), 'utf8')
  .matchAll(/^#define\s+(CBW_R_\w+)\s+0x[0-9a-f]+/gim)].map((m) => m[1]);

// Routes d'un programme : table lue par routeTable(), drapeaux développés
// (macros API, PAGE, HOOK du fichier), nombre contrôlé contre l'enum.
function programRoutes(prog) {
  const file = join(ROOT, 'fcgi', `${prog}.c`);
  const src = readFileSync(file, 'utf8');
  const en = src.match(/enum route \{([\s\S]*?)\bROUTE__MAX\b/);
  assert.ok(en, `${prog}.c : enum route … ROUTE__MAX introuvable`);
  const n = (en[1].match(/\bROUTE_\w+/g) || []).length;
  const table = routeTable(file);
  assert.equal(table.length, n, `${prog}.c : ${table.length} routes lues dans la table pour ${n} dans l'enum (ROUTE__MAX)`);
  assert.equal(new Set(table.map((r) => r.id)).size, n, `${prog}.c : identifiant de route en double`);
  const macros = Object.fromEntries([...src.matchAll(/^#define\s+(\w+)\s+\(?([A-Z_|\s]+?)\)?\s*$/gm)]
    .map((m) => [m[1], m[2]]));
  const expand = (expr, depth = 0) => expr.split('|').map((t) => t.trim()).filter(Boolean).flatMap((t) => {
    if (FLAG_NAMES.includes(t)) return [t];
    assert.ok(macros[t] !== undefined && depth < 4, `${prog}.c : drapeau inconnu « ${t} »`);
    return expand(macros[t], depth + 1);
  });
  return table.map((r) => {
    const f = new Set(expand(r.flags));
    return { ...r, program: prog, f, api: f.has('CBW_R_API'), key: `${prog} ${r.method} ${r.pattern}` };
  });
}

let ROUTES = [], parseError = null;
try { ROUTES = PROGRAMS.flatMap(programRoutes); } catch (e) { parseError = e; }

// Routes sans authentification : toute nouvelle route publique doit être
// ajoutée ici, sciemment.
const PUBLIC = [
  'auth GET /login', 'auth POST /api/auth/login', 'auth POST /api/auth/refresh', 'auth POST /login',
  'dashboard GET /', 'webhooks GET /api/webhooks/whatsapp', 'webhooks POST /api/webhooks/whatsapp',
];
const PROTECTED = ROUTES.filter((r) => r.f.has('CBW_R_AUTH'));
const HTML_POSTS = ROUTES.filter((r) => !r.api && r.method === 'POST');

// ---------------------------------------------------------------- pile et secrets

let s;
const SECRETS = new Set();	// jetons émis ou forgés, cookies : jamais dans les journaux
const PASS = { plain: 'Mdp-simple-4Kq9xZ', inactive: 'Mdp-inactif-8Rw2pL', hostile: "' OR 1=1 -- mdp-Zq7" };
const EVIL = 'https://evil.example';
const su = {}, plain = {}, inactive = {}, bad = {}, ids = {};

// Connexion API : { token, refresh, sid, id } ; jetons retenus.
async function apiSession(email, password) {
  const r = await http(s, 'POST', '/api/auth/login', { json: { email, password } });
  assert.equal(r.status, 200, `connexion ${email} : ${r.text}`);
  SECRETS.add(r.json.access_token);
  SECRETS.add(r.json.refresh_token);
  return { token: r.json.access_token, refresh: r.json.refresh_token, sid: familyOf(s, r.json.refresh_token), id: r.json.user.id };
}

// Connexion par le formulaire : { cookie, csrf, token } ; cookie retenu.
async function webSession(email, password) {
  const h = await htmlLogin(s, email, password);
  SECRETS.add(h.token);
  return h;
}

// Page de connexion d'un visiteur : { pre, csrf } (cookie pré-session).
async function visitor() {
  const p = await http(s, 'GET', '/login');
  const pre = setCookies(p).cbw_pre.value;
  SECRETS.add(pre);
  return { pre, csrf: csrfOf(p.text) };
}

async function api(method, path, json, token = su.token) {
  const r = await http(s, method, path, json === undefined ? { token } : { token, json });
  assert.ok(r.status < 500, `${method} ${path} : ${r.status} ${r.text.slice(0, 300)}`);
  return r;
}

// Tout l'état en base (sauf le compteur de débit), en un seul appel à sqlite3.
const TABLES = ['users', 'refresh_tokens', 'login_attempts', 'categories', 'contacts', 'category_contacts',
  'campaigns', 'campaign_categories', 'messages', 'interactions', 'audit_log', 'owner_counts',
  'send_attempts', 'bulk_import', 'msg_hourly', 'msg_status_counts'];
const snapshot = () => execFileSync('sqlite3', ['-json', s.db,
  TABLES.map((t) => `SELECT '${t}' AS tbl, * FROM ${t} ORDER BY 2;`).join(' ')], { encoding: 'utf8' });

// Compare deux instantanés ; en cas d'écart, montre les seules lignes qui diffèrent.
function assertSame(before, label) {
  const now = snapshot();
  if (now === before) return;
  const b = new Set(before.split('\n')), a = new Set(now.split('\n'));
  const diff = [...[...b].filter((l) => !a.has(l)).map((l) => `- ${l}`), ...[...a].filter((l) => !b.has(l)).map((l) => `+ ${l}`)];
  assert.fail(`${label} : la base a changé\n${diff.join('\n').slice(0, 2000)}`);
}

const schema = () => s.sql("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name");
let schemaBefore;

before(async () => {
  s = await startStack();
  SECRETS.add(s.config.SECRET_KEY);
  SECRETS.add(s.config.WHATSAPP_APP_SECRET);
  SECRETS.add(s.config.WHATSAPP_VERIFY_TOKEN);
  Object.assign(su, await apiSession(ADMIN.email, ADMIN.password));
  su.web = await webSession(ADMIN.email, ADMIN.password);
  su.web2 = await webSession(ADMIN.email, ADMIN.password);	// autre session du même compte

  // Admin simple (routes du super admin → 403).
  let r = await api('POST', '/api/users', { email: 'simple-sec@test.com', password: PASS.plain, role: 'admin' });
  assert.equal(r.status, 201, r.text);
  Object.assign(plain, await apiSession('simple-sec@test.com', PASS.plain));
  plain.web = await webSession('simple-sec@test.com', PASS.plain);

  // Super admin désactivé en base après connexion : ses jetons et sa
  // session (non révoqués) doivent cesser de marcher, 401 et pas 403.
  r = await api('POST', '/api/users', { email: 'inactif-sec@test.com', password: PASS.inactive, role: 'super_admin' });
  assert.equal(r.status, 201, r.text);
  Object.assign(inactive, await apiSession('inactif-sec@test.com', PASS.inactive));
  inactive.web = await webSession('inactif-sec@test.com', PASS.inactive);
  s.sql(`UPDATE users SET is_active = 0 WHERE id = ${inactive.id}`);

  // Jeton expiré bien signé (vraie session) ; session web expirée en base.
  bad.expiredToken = signJwt(s.config.SECRET_KEY, claims(su.id, su.sid, { now: nowSec() - 3600 }));
  const old = await webSession(ADMIN.email, ADMIN.password);
  s.sql(`UPDATE refresh_tokens SET expires_at = '2000-01-01T00:00:00Z' WHERE token_hash = '${sha256hex(old.token)}'`);
  bad.expiredCookie = old.cookie;
  // Jeton falsifié : un caractère de la signature change ; cookie : un chiffre.
  const [h, p, sig] = su.token.split('.');
  bad.tamperedToken = `${h}.${p}.${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
  const v = su.web.token;
  bad.tamperedCookie = `cbw_session=${v.slice(0, -1)}${v.endsWith('0') ? '1' : '0'}`;
  for (const t of [bad.expiredToken, bad.tamperedToken, bad.tamperedCookie.slice(12)]) SECRETS.add(t);

  // Données du super admin : les {id} des chemins.
  r = await api('POST', '/api/categories', { name: 'Témoin sécurité', color: 'bleu' });
  ids.category = r.json.id;
  r = await api('POST', '/api/contacts', { country_code: '+33', phone_number: '06 11 22 33 44', first_name: 'Témoin', category_ids: [ids.category] });
  assert.equal(r.status, 201, r.text);
  ids.contact = r.json.id;
  r = await api('POST', '/api/campaigns', { name: 'Lancée', category_ids: [ids.category], message_1: 'Bonjour {{first_name}}', launch: true });
  assert.equal(r.status, 201, r.text);
  ids.launched = r.json.id;
  r = await api('POST', '/api/campaigns', { name: 'Brouillon', category_ids: [ids.category], message_1: 'Bonjour' });
  assert.equal(r.status, 201, r.text);
  ids.campaign = r.json.id;
  ids.message = s.sql(`SELECT id FROM messages WHERE campaign_id = ${ids.launched}`)[0].id;
  ids.user = plain.id;
  schemaBefore = schema();
});
after(async () => { if (s) await stop(s); });

// ---------------------------------------------------------------- requêtes

// Nature d'un {id} selon le segment qui le précède.
const KIND = { categories: 'category', contacts: 'contact', campaigns: 'campaign', messages: 'message', users: 'user', 'admin-users': 'user' };

// Chemin concret : chaque {id} reçoit l'identifiant réel de sa nature
// (over : remplacements, par ex. { campaign: ids.launched } ou un absent).
function fill(route, over = {}) {
  const parts = route.pattern.split('/');
  return parts.map((seg, i) => {
    if (seg !== '{id}') return seg;
    const k = KIND[parts[i - 1]];
    assert.ok(k, `${route.key} : {id} après « ${parts[i - 1]} » inconnu du test`);
    return String(over[k] ?? ids[k]);
  }).join('/');
}

// Champs plausibles pour toutes les routes de formulaire : si un contrôle
// manquait, l'action aurait lieu (et l'instantané le verrait).
const FORM_FIELDS = () => ({
  name: 'Piratée', color: 'rouge', phone: '0699887766', country_code: '+33', first_name: 'Pirate',
  email: 'pirate@evil.example', password: 'password123', role: 'super_admin', category: String(ids.category),
  contact_ids: String(ids.contact), message_1: 'Piraté', action: 'send', csv: 'phone\n0699887766\n',
});

// Requête sur une route. cred : { token } (API) ou { cookie } (pages) ;
// csrf : champ csrf (undefined : absent) ; headers : en plus (Origin…) ;
// fields : champs du formulaire ; json : corps JSON ; nofile : envoi
// multipart sans fichier.
function call(route, path, { token, cookie, csrf, headers = {}, fields, json, nofile } = {}) {
  const h = { ...headers };
  if (route.api && token) h.Authorization = `Bearer ${token}`;
  if (!route.api && cookie) h.Cookie = cookie;
  const o = { headers: h };
  if (route.f.has('CBW_R_JSON')) o.json = json ?? {};
  else if (route.f.has('CBW_R_FORM')) {
    const body = { ...(fields ?? FORM_FIELDS()) };
    if (csrf !== undefined) body.csrf = csrf;
    Object.assign(h, FORM);
    o.body = form(body);
  } else if (route.f.has('CBW_R_MULTIPART')) {
    const fd = new FormData();
    if (csrf !== undefined) fd.append('csrf', csrf);
    for (const [k, v] of Object.entries(fields ?? { default_country_code: '+33' })) fd.append(k, v);
    if (!nofile) fd.append('file', new Blob(['phone,first_name\n0699887766,Pirate\n'], { type: 'text/csv' }), 'contacts.csv');
    o.body = fd;
  } else if (route.program === 'webhooks' && route.method === 'POST') {
    h['Content-Type'] = 'application/json';
    o.body = '{"object":"whatsapp_business_account","entry":[]}';
  }
  return http(s, route.method, path, o);
}

const label = (route, what) => `${route.key} [${what}]`;

// ---------------------------------------------------------------- 1. tables et matrice

test('tables de routes : les 8 programmes lus en entier, routes publiques et super admin listées', () => {
  if (parseError) throw parseError;
  assert.equal(new Set(ROUTES.map((r) => r.program)).size, PROGRAMS.length);
  for (const p of PROGRAMS) assert.ok(ROUTES.some((r) => r.program === p), `aucune route pour ${p}`);
  assert.ok(ROUTES.length >= 86, `routes lues : ${ROUTES.length}`);
  for (const r of ROUTES) {
    assert.ok(r.api !== r.f.has('CBW_R_HTML'), `${r.key} : ni API ni HTML, ou les deux`);
    assert.equal(r.pattern.startsWith('/api/'), r.api, `${r.key} : drapeau API et chemin /api/ en désaccord`);
  }
  assert.deepEqual(ROUTES.filter((r) => !r.f.has('CBW_R_AUTH')).map((r) => r.key).sort(), [...PUBLIC].sort(),
    'routes publiques : toute nouvelle route sans CBW_R_AUTH doit être ajoutée sciemment à PUBLIC');
  assert.deepEqual(ROUTES.filter((r) => r.f.has('CBW_R_SUPER')).map((r) => r.key).sort(),
    ROUTES.filter((r) => r.program === 'users').map((r) => r.key).sort(), 'routes du super admin : tout cbw-users, rien d\'autre');
  for (const r of ROUTES.filter((x) => x.f.has('CBW_R_SUPER'))) assert.ok(r.f.has('CBW_R_AUTH'), `${r.key} : SUPER sans AUTH`);
  assert.ok(PROTECTED.length >= 79, `routes protégées : ${PROTECTED.length}`);
});

test('public sans session : fichiers statiques servis, page de connexion, / redirige vers /login', async () => {
  const css = await http(s, 'GET', '/static/app.css');
  assert.equal(css.status, 200);
  assertSecurityHeaders(css, 'GET /static/app.css');
  const lp = await http(s, 'GET', '/login');
  assert.equal(lp.status, 200);
  const root = await http(s, 'GET', '/');
  assert.equal(root.status, 303);
  assert.equal(root.headers.get('location'), '/login');
});

// Identités refusées : [libellé, jeton API, cookie de page].
const REFUSED = [
  ['sans jeton ni cookie', () => [undefined, undefined]],
  ['jeton expiré', () => [bad.expiredToken, bad.expiredCookie]],
  ['jeton falsifié (signature)', () => [bad.tamperedToken, bad.tamperedCookie]],
  ['compte désactivé', () => [inactive.token, inactive.web.cookie]],
];

for (const route of PROTECTED) {
  test(`authentification : ${route.key}`, async () => {
    const path = fill(route);
    for (const [what, creds] of REFUSED) {
      const [token, cookie] = creds();
      const l = label(route, what);
      const before = snapshot();
      const r = await call(route, path, { token, cookie, csrf: route.api ? undefined : '0'.repeat(64) });
      assertSecurityHeaders(r, l);
      if (route.api) {
        assertJsonError(r, 401, 'unauthorized', l);
        assert.equal(r.headers.get('www-authenticate'), 'Bearer', l);
      } else {
        assert.equal(r.status, 303, `${l} : ${r.status} ${r.text.slice(0, 200)}`);
        assert.equal(r.headers.get('location'), '/login', l);
        assert.equal(setCookies(r).cbw_session, undefined, `${l} : cookie de session posé`);
      }
      assert.doesNotMatch(r.text, /Témoin|Lancée|simple-sec/, `${l} : données exposées`);
      assertSame(before, l);
    }
    if (route.f.has('CBW_R_SUPER')) {
      const l = label(route, 'admin simple');
      const before = snapshot();
      const r = await call(route, path, { token: plain.token, cookie: plain.web.cookie, csrf: plain.web.csrf,
        fields: { email: 'promu@test.com', password: 'password123', role: 'super_admin', is_active: '0' },
        json: { role: 'super_admin', is_active: false } });
      assertSecurityHeaders(r, l);
      if (route.api) assertJsonError(r, 403, 'forbidden', l);
      else {
        assert.equal(r.status, 403, `${l} : ${r.status}`);
        assert.match(r.headers.get('content-type'), /^text\/html/, l);
      }
      assert.match(r.text, /Accès réservé au super administrateur\./, l);
      assertSame(before, l);
    }
  });
}

// ---------------------------------------------------------------- 3. CSRF

test('CSRF : tous les POST de formulaire HTML des tables sont couverts', () => {
  assert.ok(HTML_POSTS.length >= 22, `POST HTML : ${HTML_POSTS.length}`);
  for (const r of HTML_POSTS) {
    assert.ok(r.f.has('CBW_R_FORM') || r.f.has('CBW_R_MULTIPART'), `${r.key} : POST HTML ni formulaire ni multipart`);
    assert.ok(r.f.has('CBW_R_AUTH') || r.f.has('CBW_R_NOCSRF'), `${r.key} : POST HTML sans session ni jeton pré-session`);
  }
  assert.deepEqual(HTML_POSTS.filter((r) => r.f.has('CBW_R_NOCSRF')).map((r) => r.key), ['auth POST /login']);
});

// Campagne visée par chaque action (annuler et relancer : la campagne lancée).
const campaignFor = (route) => (/\/(cancel|retry)$/.test(route.pattern) ? { campaign: ids.launched } : {});
const CSRF_MSG = /Formulaire expiré ou invalide/;

for (const route of HTML_POSTS) {
  test(`CSRF : ${route.key} d'une autre origine, sans jeton valide → 403, rien ne change`, async () => {
    const path = fill(route, campaignFor(route));
    const other = await visitor();
    let cases, cookie;
    if (route.f.has('CBW_R_NOCSRF')) {
      // Connexion : jeton lié au cookie pré-session du visiteur.
      const me = await visitor();
      cookie = `cbw_pre=${me.pre}`;
      cases = [
        ['sans jeton', undefined, { Origin: EVIL }],
        ['jeton faux', 'f'.repeat(64), { Origin: EVIL }],
        ["jeton d'un autre visiteur", other.csrf, { Origin: EVIL }],
        ["jeton d'une session ouverte", su.web.csrf, { Origin: EVIL, Referer: `${EVIL}/piege.html` }],
        ['jeton vide', '', {}],
      ];
    } else {
      cookie = su.web.cookie;
      cases = [
        ['sans jeton', undefined, { Origin: EVIL }],
        ['jeton faux', 'f'.repeat(64), { Origin: EVIL }],
        ['jeton d\'une autre session du même compte', su.web2.csrf, { Origin: EVIL }],
        ["jeton d'un autre compte", plain.web.csrf, { Origin: EVIL, Referer: `${EVIL}/piege.html` }],
        ['jeton du formulaire de connexion', other.csrf, { Origin: EVIL }],
        ['cookie de session recopié comme jeton', su.web.token, { Origin: EVIL }],
        ['jeton vide, même origine', '', {}],
      ];
    }
    const fields = route.f.has('CBW_R_NOCSRF') ? { email: ADMIN.email, password: ADMIN.password } : undefined;
    for (const [what, csrf, headers] of cases) {
      const l = label(route, what);
      const before = snapshot();
      const r = await call(route, path, { cookie, csrf, headers, fields });
      assertSecurityHeaders(r, l);
      assert.equal(r.status, 403, `${l} : ${r.status} ${r.text.slice(0, 200)}`);
      assert.match(r.headers.get('content-type'), /^text\/html/, l);
      assert.match(r.text, CSRF_MSG, l);
      assert.equal(setCookies(r).cbw_session, undefined, `${l} : session ouverte`);
      assertSame(before, l);
    }
  });
}

// Témoin : avec le bon jeton, la même forme de requête passe le contrôle
// CSRF (404 sur un {id} absent, 422 sur un formulaire vide) sans rien changer.
test('CSRF témoin : le bon jeton franchit le contrôle (404 / 422), et /logout ferme la session', async () => {
  for (const route of HTML_POSTS) {
    const l = label(route, 'bon jeton');
    if (route.pattern === '/logout') {
      const t = await webSession(ADMIN.email, ADMIN.password);
      const r = await call(route, route.pattern, { cookie: t.cookie, csrf: t.csrf, fields: {} });
      assert.equal(r.status, 303, l);
      assert.equal(r.headers.get('location'), '/login', l);
      assert.ok(s.sql(`SELECT revoked_at FROM refresh_tokens WHERE token_hash = '${sha256hex(t.token)}'`)[0].revoked_at, l);
      assert.equal((await http(s, 'GET', '/dashboard', { cookies: su.web.cookie })).status, 200, `${l} : l'autre session reste ouverte`);
      continue;
    }
    let cookie = su.web.cookie, csrf = su.web.csrf;
    if (route.f.has('CBW_R_NOCSRF')) {
      const v = await visitor();
      cookie = `cbw_pre=${v.pre}`;
      csrf = v.csrf;
    }
    const hasId = route.pattern.includes('{id}');
    const path = hasId ? fill(route, { category: 999999, contact: 999999, campaign: 999999, user: 999999 }) : route.pattern;
    const before = snapshot();
    const r = await call(route, path, { cookie, csrf, fields: hasId ? FORM_FIELDS() : {}, nofile: true });
    assertSecurityHeaders(r, l);
    assert.equal(r.status, hasId ? 404 : 422, `${l} : ${r.status} ${r.text.slice(0, 200)}`);
    assertSame(before, l);
  }
});

// ---------------------------------------------------------------- 4. en-têtes

// Une requête autorisée (super admin) par route : GET sur les vrais
// identifiants ; les autres verbes sur un {id} absent ou avec un corps vide.
test('en-têtes de sécurité : une réponse de chaque route des tables, jamais 401 ni 5xx pour le super admin', async () => {
  const logout = await apiSession(ADMIN.email, ADMIN.password);
  const seen = {};
  for (const route of ROUTES) {
    const hasId = route.pattern.includes('{id}');
    const mutate = route.method !== 'GET';
    const path = mutate && hasId ? fill(route, { category: 999999, contact: 999999, campaign: 999999, user: 999999 }) : fill(route);
    const token = route.pattern === '/api/auth/logout' ? logout.token : su.token;
    let cookie = su.web.cookie, csrf = su.web.csrf;
    if (route.pattern === '/logout') {
      const t = await webSession(ADMIN.email, ADMIN.password);
      cookie = t.cookie; csrf = t.csrf;
    } else if (route.f.has('CBW_R_NOCSRF')) {
      const v = await visitor();
      cookie = `cbw_pre=${v.pre}`; csrf = v.csrf;
    }
    const r = await call(route, path, { token, cookie, csrf: route.api ? undefined : csrf,
      fields: mutate && hasId ? FORM_FIELDS() : {}, nofile: true });
    const l = `${route.key} → ${r.status}`;
    assertSecurityHeaders(r, l);
    assert.ok(r.status < 500, `${l} : ${r.text.slice(0, 200)}`);
    assert.notEqual(r.status, 401, l);
    if (r.status === 303 && r.headers.get('location') === '/login') {
      assert.ok(route.pattern === '/logout', `${l} : renvoyé à la connexion`);
    }
    if (mutate && hasId) assert.ok([404, 422].includes(r.status), `${l} : {id} absent`);
    seen[r.status] = (seen[r.status] || 0) + 1;
  }
  // Des succès et des erreurs : les deux familles de réponses sont vues.
  for (const st of [200, 204, 303, 403, 404, 422]) assert.ok(seen[st] > 0, `aucune réponse ${st} : ${JSON.stringify(seen)}`);
});

// Erreurs de chaque programme : [programme, statut, requête].
const J = { 'Content-Type': 'application/json' };
const createHmacHex = (secret, body) => createHmac('sha256', secret).update(body).digest('hex');
const BIG = 'x'.repeat(1048577);
const ERRORS = [
  ['auth', 404, () => http(s, 'GET', '/api/auth/inconnu')],
  ['auth', 405, () => http(s, 'PUT', '/login')],
  ['users', 404, () => http(s, 'GET', '/api/users/1/inconnu', { token: su.token })],
  ['users', 404, () => http(s, 'GET', '/admin-users/999999', { cookies: su.web.cookie })],
  ['users', 405, () => http(s, 'PATCH', '/api/users', { token: su.token })],
  ['users', 413, () => http(s, 'POST', '/api/users', { token: su.token, headers: J, body: BIG })],
  ['users', 415, () => http(s, 'POST', '/admin-users', { cookies: su.web.cookie, headers: J, body: '{}' })],
  ['users', 422, () => http(s, 'GET', '/api/users?per_page=0', { token: su.token })],
  ['categories', 404, () => http(s, 'GET', '/categories/inconnu', { cookies: su.web.cookie })],
  ['categories', 405, () => http(s, 'DELETE', '/api/categories', { token: su.token })],
  ['categories', 413, () => http(s, 'POST', '/categories', { cookies: su.web.cookie, headers: FORM, body: BIG })],
  ['categories', 415, () => http(s, 'POST', '/api/categories', { token: su.token, headers: { 'Content-Type': 'text/plain' }, body: '{}' })],
  ['categories', 422, () => http(s, 'POST', '/api/categories', { token: su.token, json: { name: '' } })],
  ['contacts', 404, () => http(s, 'GET', '/api/contacts/999999', { token: su.token })],
  ['contacts', 405, () => http(s, 'PUT', '/contacts', { cookies: su.web.cookie })],
  ['contacts', 413, () => http(s, 'PUT', `/api/contacts/${ids.contact}`, { token: su.token, headers: J, body: BIG })],
  ['contacts', 415, () => http(s, 'POST', '/contacts/import', { cookies: su.web.cookie, headers: FORM, body: 'a=b' })],
  ['contacts', 422, () => http(s, 'GET', '/api/contacts?page=-1', { token: su.token })],
  ['campaigns', 404, () => http(s, 'GET', '/campaigns/999999', { cookies: su.web.cookie })],
  ['campaigns', 405, () => http(s, 'DELETE', '/campaigns', { cookies: su.web.cookie })],
  ['campaigns', 409, () => http(s, 'PUT', `/api/campaigns/${ids.launched}`, { token: su.token,
    json: { name: 'Trop tard', category_ids: [ids.category], message_1: 'Bonjour' } })],
  ['campaigns', 413, () => http(s, 'POST', '/api/campaigns', { token: su.token, headers: J, body: BIG })],
  ['campaigns', 422, () => http(s, 'POST', '/campaigns', { cookies: su.web.cookie, headers: FORM, body: form({ csrf: su.web.csrf }) })],
  ['messages', 404, () => http(s, 'GET', '/messages/999999', { cookies: su.web.cookie })],
  ['messages', 405, () => http(s, 'POST', '/api/messages', { token: su.token, json: {} })],
  ['messages', 422, () => http(s, 'GET', '/api/messages?status=inconnu', { token: su.token })],
  ['dashboard', 404, () => http(s, 'GET', '/inconnu', { cookies: su.web.cookie })],
  ['dashboard', 405, () => http(s, 'POST', '/dashboard', { cookies: su.web.cookie, headers: FORM, body: 'a=b' })],
  ['dashboard', 422, () => http(s, 'GET', '/statistics?status=inconnu', { cookies: su.web.cookie })],
  ['webhooks', 400, () => http(s, 'POST', '/api/webhooks/whatsapp', { headers: { ...J,
    'X-Hub-Signature-256': 'sha256=' + createHmacHex(s.config.WHATSAPP_APP_SECRET, '{') }, body: '{' })],
  ['webhooks', 403, () => http(s, 'GET', '/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=faux&hub.challenge=1')],
  ['webhooks', 404, () => http(s, 'GET', '/api/webhooks/inconnu')],
  ['webhooks', 405, () => http(s, 'DELETE', '/api/webhooks/whatsapp')],
  ['lighttpd', 404, () => http(s, 'GET', '/static/missing.css')],
  ['lighttpd', 404, () => http(s, 'HEAD', '/static/missing.css')],
];


// Limite connue : une requête aux en-têtes trop longs (URL de plus de
// 8 Kio) est refusée par le cœur de lighttpd (431) avant toute
// configuration, donc sans nos en-têtes (setenv n'y est pas appliqué,
// même au niveau global : vérifié avec lighttpd 1.4.69).
// Sauté (un « todo » ferait afficher « not ok » par ./dev test) : à
// réactiver si lighttpd ou sa configuration changent.
test('en-têtes de sécurité sur le 431 de lighttpd (URL trop longue)', { skip: 'limite de lighttpd 1.4.69 : pas de setenv sur ses 431' }, async () => {
  const r = await http(s, 'GET', `/categories?q=${'%27'.repeat(3000)}`, { cookies: su.web.cookie });
  assert.equal(r.status, 431);
  assertSecurityHeaders(r, '431 lighttpd');
});

for (const [prog, status, run] of ERRORS) {
  test(`en-têtes de sécurité sur erreur : ${prog} ${status}`, async () => {
    const before = snapshot();
    const r = await run();
    assert.equal(r.status, status, `${prog} : ${r.status} ${r.text.slice(0, 200)}`);
    assertSecurityHeaders(r, `${prog} ${status}`);
    assertSame(before, `${prog} ${status}`);
  });
}

// ---------------------------------------------------------------- 2. injection SQL

const HOSTILE = [
  ['apostrophe', "' OR 1=1 --"],
  ['DROP TABLE', '"; DROP TABLE contacts; --'],
  ['pourcent', '%'],
  ['souligné', '_'],
  ['barre inverse', '\\'],
  ['LIKE échappé', "%' ESCAPE '\\"],
  ['unicode', 'Zoë Ünïcödé ✓ 日本語 😀'],
  ['5000 caractères', "' OR 1=1 -- ".repeat(500).slice(0, 5000)],
  ['5000 ASCII', `${'x'.repeat(4996)}'%_\\`],
];
// Une valeur dont l'URL encodée dépasse la limite des en-têtes de lighttpd
// (server.max-request-field-size, 8 Kio) : lighttpd répond 431 lui-même.
const tooLongForUrl = (v) => encodeURIComponent(v).length > 8000;
const chars = (v) => [...v].length;

// Repli de la recherche (lib/fold.c) : minuscules, accents latins retirés,
// autre ASCII et caractères de 4 octets (emoji) → espace.
function fold(str) {
  let out = '';
  for (const ch of str) {
    const cp = ch.codePointAt(0);
    if (cp < 0x80) out += /[A-Za-z0-9]/.test(ch) ? ch.toLowerCase() : ' ';
    else if (cp >= 0xc0 && cp <= 0x17f) out += ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
    else if (cp >= 0x300 && cp <= 0x36f) continue;
    else if (cp < 0xc0 || cp === 0xfffd || cp > 0xffff) out += ' ';
    else out += ch;
  }
  return out;
}
const squeeze = (t) => t.replace(/ +/g, ' ').trim();

// Modèles des recherches : une recherche faite de seule ponctuation est
// littérale (sans blancs autour) ; sinon, catégories : nom replié
// (lib/category.c) ; contacts : terme replié, blancs réduits, dans
// « prénom nom » repliés (search_key de lib/contact.c).
const catMatches = (name, q) => (fold(q).trim() ? fold(name).includes(fold(q)) : name.includes(q.trim()));
const contactMatches = (c, q) => (fold(q).trim()
  ? `${fold(c.first_name ?? '')} ${fold(c.last_name ?? '')}`.includes(squeeze(fold(q)))
  : `${c.first_name ?? ''} ${c.last_name ?? ''}`.includes(q.trim()));

let phoneSeq = 0;
const nextPhone = () => `07${String(10000000 + ++phoneSeq).slice(-8)}`;
let injCat;	// catégorie des contacts hostiles (cible de la campagne)
const hostileContacts = [];

// Champs texte de création / modification : [ressource, champ, maximum, corps de création].
const TEXT_FIELDS = [
  ['categories', 'name', 100, (v) => ({ name: v })],
  ['contacts', 'first_name', 100, (v) => ({ country_code: '+33', phone_number: nextPhone(), first_name: v, category_ids: [injCat] })],
  ['contacts', 'last_name', 100, (v) => ({ country_code: '+33', phone_number: nextPhone(), last_name: v, category_ids: [injCat] })],
  ['campaigns', 'name', 100, (v) => ({ name: v, category_ids: [ids.category], message_1: 'Bonjour' })],
  ['campaigns', 'message_1', 4096, (v) => ({ name: 'Hostile m1', category_ids: [ids.category], message_1: v })],
  ['campaigns', 'message_2', 4096, (v) => ({ name: 'Hostile m2', category_ids: [ids.category], message_1: 'Bonjour', message_2: v })],
];

test('injection SQL : chaînes hostiles dans chaque champ texte (création et modification) — stockées à l\'octet près, ou 422', async () => {
  injCat = (await api('POST', '/api/categories', { name: 'Cible injection' })).json.id;
  let n = 0;
  for (const [res, field, max, body] of TEXT_FIELDS) {
    for (const [what, v] of HOSTILE) {
      const l = `${res}.${field} ${what}`;
      const count = s.sql(`SELECT count(*) AS n FROM ${res}`)[0].n;
      const c = await api('POST', `/api/${res}`, body(v));
      if (chars(v) > max) {
        assertJsonError(c, 422, 'validation_error', l);
        assert.ok(c.json.fields[field], `${l} : fields.${field}`);
        assert.equal(s.sql(`SELECT count(*) AS n FROM ${res}`)[0].n, count, `${l} : ligne créée`);
        continue;
      }
      assert.equal(c.status, 201, `${l} : ${c.text.slice(0, 300)}`);
      assert.equal(c.json[field], v, `${l} : réponse`);
      const id = c.json.id;
      assert.equal((await api('GET', `/api/${res}/${id}`)).json[field], v, `${l} : relu par l'API`);
      assert.equal(s.sql(`SELECT ${field} AS v FROM ${res} WHERE id = ${id}`)[0].v, v, `${l} : en base`);
      if (res === 'contacts') hostileContacts.push(c.json);
      // Modification : la valeur hostile suivie d'un numéro (noms distincts).
      const v2 = `${v} n${++n}`;
      const u = await api('PUT', `/api/${res}/${id}`, res === 'campaigns' ? body(v2) : { [field]: v2 });
      assert.equal(u.status, 200, `${l} (PUT) : ${u.text.slice(0, 300)}`);
      assert.equal(u.json[field], v2, `${l} (PUT)`);
      assert.equal(s.sql(`SELECT ${field} AS v FROM ${res} WHERE id = ${id}`)[0].v, v2, `${l} (PUT) : en base`);
      if (res === 'contacts') hostileContacts.at(-1)[field] = v2;
    }
  }
  // La même chaîne, non modifiée, reste en base pour les recherches (les
  // noms de catégorie se comparent repliés : suffixe distinct).
  for (const [i, [what, v]] of HOSTILE.filter(([, x]) => chars(x) <= 100).entries()) {
    const c = await api('POST', '/api/contacts', { country_code: '+33', phone_number: nextPhone(), first_name: v, last_name: 'Cible', category_ids: [injCat] });
    assert.equal(c.status, 201, `${what} : ${c.text}`);
    hostileContacts.push(c.json);
    const k = await api('POST', '/api/categories', { name: `${v} c${i}` });
    assert.equal(k.status, 201, `catégorie « ${v} c${i} » : ${k.text}`);
    assert.equal(k.json.name, `${v} c${i}`);
  }
});

test('injection SQL : formulaires HTML (catégorie, contact, campagne) — valeurs hostiles enregistrées telles quelles', async () => {
  for (const [i, [what, v0]] of HOSTILE.filter(([, x]) => chars(x) <= 100).entries()) {
    const v = `${v0} f${i}`;
    const post = (path, fields) => http(s, 'POST', path, { cookies: su.web.cookie, headers: FORM, body: form({ csrf: su.web.csrf, ...fields }) });
    let r = await post('/categories', { name: `Page ${v}`, color: 'vert' });
    assert.equal(r.status, 303, `catégorie ${what} : ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(s.sql(`SELECT count(*) AS n FROM categories WHERE name = '${`Page ${v}`.replace(/'/g, "''")}'`)[0].n, 1, `catégorie ${what}`);
    const phone = nextPhone();
    r = await post('/contacts', { country_code: '+33', phone, first_name: v, last_name: `Page ${v}` });
    assert.equal(r.status, 303, `contact ${what} : ${r.status} ${r.text.slice(0, 200)}`);
    const row = s.sql(`SELECT first_name, last_name FROM contacts WHERE full_number = '+33${phone.slice(1)}'`)[0];
    assert.deepEqual(row, { first_name: v, last_name: `Page ${v}` }, `contact ${what}`);
    r = await post('/campaigns', { name: `Page ${v}`, category: String(ids.category), message_1: v, message_2: `Merci ${v}` });
    assert.equal(r.status, 303, `campagne ${what} : ${r.status} ${r.text.slice(0, 200)}`);
    const k = s.sql(`SELECT message_1, message_2 FROM campaigns WHERE name = '${`Page ${v}`.replace(/'/g, "''")}'`);
    assert.deepEqual(k, [{ message_1: v, message_2: `Merci ${v}` }], `campagne ${what}`);
  }
});

test('injection SQL : comptes et connexion — mot de passe hostile haché et vérifié à l\'identique, e-mails hostiles refusés', async () => {
  const r = await api('POST', '/api/users', { email: 'sqli-pw@test.com', password: PASS.hostile, role: 'admin' });
  assert.equal(r.status, 201, r.text);
  assert.ok(!JSON.stringify(s.sql("SELECT * FROM users WHERE email = 'sqli-pw@test.com'")).includes(PASS.hostile), 'mot de passe en clair en base');
  await apiSession('sqli-pw@test.com', PASS.hostile);
  for (const [what, v] of HOSTILE) {
    const c = await api('POST', '/api/users', { email: v, password: 'password123' });
    assertJsonError(c, 422, 'validation_error', `e-mail ${what}`);
    assert.ok(c.json.fields.email, `e-mail ${what}`);
    for (const body of [{ email: v, password: v }, { email: ADMIN.email, password: v }, { email: `${v}@test.com`, password: 'password123' }]) {
      const l = await http(s, 'POST', '/api/auth/login', { json: body });
      assert.ok([401, 422, 429].includes(l.status), `connexion ${what} : ${l.status} ${l.text.slice(0, 200)}`);
      assert.ok(!l.json?.access_token, `connexion ${what} : jeton délivré`);
    }
    const f = await http(s, 'POST', '/api/auth/refresh', { json: { refresh_token: v } });
    assert.ok([401, 422].includes(f.status), `rafraîchissement ${what} : ${f.status}`);
    const w = await http(s, 'GET', `/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(v)}&hub.challenge=42`);
    assert.equal(w.status, tooLongForUrl(v) ? 431 : 403, `webhook ${what}`);
  }
  s.sql('DELETE FROM login_attempts');
});

// Toutes les lignes d'une liste paginée de l'API.
async function all(path) {
  const out = [];
  for (let page = 1; ; page++) {
    const r = await api('GET', `${path}${path.includes('?') ? '&' : '?'}per_page=50&page=${page}`);
    assert.equal(r.status, 200, `${path} : ${r.text.slice(0, 200)}`);
    out.push(...r.json.items);
    if (out.length >= r.json.total) return { items: out, total: r.json.total };
  }
}

test('injection SQL : recherches littérales — « % », « _ », « \\ » ne trouvent pas tout ; chaque chaîne retrouve sa ligne', async () => {
  const cats = (await all('/api/categories')).items;
  const contacts = (await all('/api/contacts')).items;
  // Une campagne vers les contacts hostiles : des messages à chercher.
  const k = await api('POST', '/api/campaigns', { name: 'Vers les hostiles', category_ids: [injCat], message_1: 'Bonjour', launch: true });
  assert.equal(k.status, 201, k.text);
  const msgs = (await all(`/api/messages?campaign_id=${k.json.id}`)).items;
  assert.ok(msgs.length >= HOSTILE.length, `messages : ${msgs.length}`);
  const byId = Object.fromEntries(contacts.map((c) => [c.id, c]));
  for (const [what, v] of HOSTILE.filter(([, x]) => chars(x) <= 100)) {
    const q = encodeURIComponent(v);
    // Catégories.
    const cr = await all(`/api/categories?q=${q}`);
    const want = cats.filter((c) => catMatches(c.name, v)).map((c) => c.id).sort((a, b) => a - b);
    assert.deepEqual(cr.items.map((c) => c.id).sort((a, b) => a - b), want, `catégories q=${what}`);
    assert.ok(cr.items.some((c) => c.name.startsWith(`${v} c`)), `catégories q=${what} : « ${v} c… » absente`);
    assert.ok(cr.total < cats.length, `catégories q=${what} : tout correspond (${cr.total}/${cats.length})`);
    // Contacts.
    const pr = await all(`/api/contacts?q=${q}`);
    const wantC = contacts.filter((c) => contactMatches(c, v)).map((c) => c.id).sort((a, b) => a - b);
    assert.deepEqual(pr.items.map((c) => c.id).sort((a, b) => a - b), wantC, `contacts q=${what}`);
    assert.ok(pr.items.some((c) => c.first_name === v && c.last_name === 'Cible'), `contacts q=${what} : cible absente`);
    assert.ok(pr.total < contacts.length, `contacts q=${what} : tout correspond (${pr.total}/${contacts.length})`);
    // Messages (recherche sur le contact).
    const mr = await all(`/api/messages?campaign_id=${k.json.id}&q=${q}`);
    const wantM = msgs.filter((m) => contactMatches(byId[m.contact_id], v)).map((m) => m.id).sort((a, b) => a - b);
    assert.deepEqual(mr.items.map((m) => m.id).sort((a, b) => a - b), wantM, `messages q=${what}`);
    assert.ok(mr.total > 0 && mr.total < msgs.length, `messages q=${what} : ${mr.total}/${msgs.length}`);
    // Pages : 200.
    for (const page of ['/categories', '/contacts', '/statistics']) {
      const r = await http(s, 'GET', `${page}?q=${q}`, { cookies: su.web.cookie });
      assert.equal(r.status, 200, `${page}?q=${what} : ${r.status}`);
      assertSecurityHeaders(r, `${page}?q=${what}`);
    }
  }
});

test('recherche de contacts : sous-chaînes unicode de 1 ou 2 caractères (« ✓ », « 日本 ») trouvées', async () => {
  const uni = hostileContacts.filter((c) => c.first_name?.includes('日本語')).map((c) => c.id).sort((a, b) => a - b);
  assert.ok(uni.length >= 2, `contacts unicode : ${uni.length}`);
  for (const q of ['日本', '✓', 'Ünï']) {
    const r = await all(`/api/contacts?q=${encodeURIComponent(q)}`);
    assert.deepEqual(r.items.map((c) => c.id).filter((id) => uni.includes(id)).sort((a, b) => a - b), uni, `q=${q}`);
  }
});

// La clé de recherche réduit les blancs du repli (un emoji ou « . & » entre
// deux mots en donnait trois) comme le terme cherché : le nom exact se
// trouve (lib/contact.c, migration 0008 pour les clés déjà en base).
test('recherche de contacts : nom exact avec un emoji ou « . & » entre deux mots', async () => {
  const c = await api('POST', '/api/contacts', { country_code: '+33', phone_number: nextPhone(), first_name: 'Ana 😀 Lima' });
  assert.equal(c.status, 201);
  const r = await api('GET', `/api/contacts?q=${encodeURIComponent('Ana 😀 Lima')}`);
  assert.ok(r.json.items.some((x) => x.id === c.json.id), 'contact introuvable par son nom exact');
  const d = await api('POST', '/api/contacts', { country_code: '+33', phone_number: nextPhone(), first_name: 'Paul . & Marie', last_name: 'Roux' });
  assert.equal(d.status, 201);
  for (const q of ['Paul . & Marie Roux', 'paul marie roux', 'Marie Roux']) {
    const t = await api('GET', `/api/contacts?q=${encodeURIComponent(q)}`);
    assert.ok(t.json.items.some((x) => x.id === d.json.id), `« ${q} » ne trouve pas le contact`);
  }
});

// Migration 0008 : une clé ancienne à blancs multiples est réduite et
// l'index trigramme suit (le contact se trouve de nouveau).
test('migration 0008 : clés de recherche déjà en base réduites, index trigramme à jour', async () => {
  const c = await api('POST', '/api/contacts', { country_code: '+33', phone_number: nextPhone(), first_name: 'Léon . & Blum' });
  assert.equal(c.status, 201);
  const key = s.sql(`SELECT search_key FROM contacts WHERE id = ${c.json.id}`)[0].search_key;
  assert.match(key, /^leon blum /);
  s.sql(`UPDATE contacts SET search_key = replace(search_key, 'leon blum', 'leon     blum') WHERE id = ${c.json.id}`);
  s.sql("DELETE FROM schema_migrations WHERE version LIKE '0008%'");
  const miss = await api('GET', `/api/contacts?q=${encodeURIComponent('léon blum')}`);
  assert.ok(!miss.json.items.some((x) => x.id === c.json.id), 'la clé abîmée devait rendre le contact introuvable');
  const r = cli(s, ['migrate']);
  assert.match(r, /1 migration\(s\) appliquée\(s\)/);
  assert.equal(s.sql(`SELECT search_key FROM contacts WHERE id = ${c.json.id}`)[0].search_key, key);
  const hit = await api('GET', `/api/contacts?q=${encodeURIComponent('léon blum')}`);
  assert.ok(hit.json.items.some((x) => x.id === c.json.id), 'contact introuvable après la migration');
});

// Paramètres des listes : [chemin, paramètre, statut attendu pour une valeur hostile].
const QUERY_PARAMS = [
  ['/api/categories', 'q', 200], ['/api/categories', 'page', 422], ['/api/categories', 'per_page', 422], ['/api/categories', 'sort', 200],
  ['/api/contacts', 'q', 200], ['/api/contacts', 'category_id', 422], ['/api/contacts', 'page', 422], ['/api/contacts', 'per_page', 422],
  ['/api/contacts', 'sort', 200], ['/api/contacts/export', 'sep', 422], ['/api/contacts/export', 'category_id', 422],
  ['/api/campaigns', 'status', 422], ['/api/campaigns', 'page', 422], ['/api/campaigns', 'per_page', 422], ['/api/campaigns', 'sort', 200],
  ['/api/campaigns/recipients', 'category_ids', 422], ['/api/campaigns/recipients', 'category', 422],
  ['/api/campaigns/{launched}/stats', 'page', 422], ['/api/campaigns/{launched}/stats', 'per_page', 422],
  ['/api/messages', 'q', 200], ['/api/messages', 'status', 422], ['/api/messages', 'message_type', 422],
  ['/api/messages', 'campaign_id', 422], ['/api/messages', 'contact_id', 422], ['/api/messages', 'from', 422],
  ['/api/messages', 'to', 422], ['/api/messages', 'page', 422], ['/api/messages', 'per_page', 422], ['/api/messages', 'sort', 200],
  ['/api/messages/stats', 'from', 422], ['/api/messages/stats', 'to', 422], ['/api/messages/stats', 'campaign_id', 422],
  ['/api/users', 'page', 422], ['/api/users', 'per_page', 422], ['/api/users', 'q', 200],
];

test('injection SQL : chaque paramètre des listes de l\'API — 200 ou 422 exact, jamais 5xx, rien d\'écrit', async () => {
  const before = snapshot();
  for (const [path0, param, status] of QUERY_PARAMS) {
    const path = path0.replace('{launched}', ids.launched);
    for (const [what, v] of HOSTILE) {
      const r = await http(s, 'GET', `${path}?${param}=${encodeURIComponent(v)}`, { token: su.token });
      const l = `${path}?${param}=${what}`;
      if (tooLongForUrl(v)) {
        assert.equal(r.status, 431, `${l} : ${r.status}`);
        continue;
      }
      assert.equal(r.status, status, `${l} : ${r.status} ${r.text.slice(0, 200)}`);
      assertSecurityHeaders(r, l);
      if (status === 422) assertJsonError(r, 422, 'validation_error', l);
    }
  }
  assertSame(before, 'paramètres hostiles');
});

test('injection SQL : paramètres des pages et {id} hostiles dans les chemins — jamais 5xx', async () => {
  const pages = [['/categories', ['q', 'page']], ['/contacts', ['q', 'category_id', 'page']], ['/campaigns', ['status', 'page']],
    ['/statistics', ['q', 'status', 'message_type', 'campaign_id', 'from', 'to', 'page', 'cpage']], ['/admin-users', ['page']],
    [`/categories/${ids.category}`, ['q', 'page']], [`/campaigns/${ids.launched}`, ['page', 'status']], ['/campaigns/recipients', ['category']]];
  for (const [path, params] of pages) {
    for (const p of params) {
      for (const [what, v] of HOSTILE) {
        const r = await http(s, 'GET', `${path}?${p}=${encodeURIComponent(v)}`, { cookies: su.web.cookie });
        if (tooLongForUrl(v)) {
          assert.equal(r.status, 431, `${path}?${p}=${what} : ${r.status}`);
          continue;
        }
        assert.ok(r.status < 500 && r.status !== 303, `${path}?${p}=${what} : ${r.status} ${r.text.slice(0, 200)}`);
        assertSecurityHeaders(r, `${path}?${p}=${what}`);
      }
    }
  }
  for (const seg of ["1' OR '1'='1", '1;DROP TABLE contacts', '1 OR 1=1', '-1', '0x1', '1e3', '%', '_', '\\', '１']) {
    for (const base of ['/api/contacts/', '/api/categories/', '/api/campaigns/', '/api/messages/', '/api/users/']) {
      const r = await http(s, 'GET', base + encodeURIComponent(seg), { token: su.token });
      assertJsonError(r, 404, 'not_found', `${base}${seg}`);
    }
  }
});

test('injection SQL : schéma et tables intacts, base intègre', () => {
  assert.deepEqual(schema(), schemaBefore, 'le schéma a changé');
  assert.deepEqual(s.sql('PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
  assert.ok(s.sql('SELECT count(*) AS n FROM contacts')[0].n >= hostileContacts.length + 1);
  assert.equal(s.sql(`SELECT count(*) AS n FROM users WHERE role = 'super_admin' AND is_active = 1`)[0].n, 1);
});

// ---------------------------------------------------------------- 5. journaux (en dernier)

test('journaux : ni clé secrète, ni secret d\'application, ni jeton émis, ni mot de passe', () => {
  const logs = ['lighttpd-error.log', 'stderr.log'].map((f) => join(s.dir, 'log', f)).filter(existsSync)
    .map((f) => readFileSync(f, 'utf8')).join('\n');
  assert.ok(logs.length > 0, 'journaux vides : rien à vérifier');
  const secrets = [...SECRETS, ADMIN.password, ...Object.values(PASS)];
  assert.ok(secrets.length > 20, `secrets suivis : ${secrets.length}`);
  for (const v of secrets) {
    assert.ok(v && v.length >= 8, 'secret trop court pour une recherche fiable');
    assert.ok(!logs.includes(v), `secret dans le journal : ${v.slice(0, 10)}…`);
  }
  // Les jetons JWT ne paraissent pas non plus par morceaux (signature seule).
  for (const v of SECRETS) if (v.split('.').length === 3) assert.ok(!logs.includes(v.split('.')[2]), 'signature de jeton dans le journal');
});
