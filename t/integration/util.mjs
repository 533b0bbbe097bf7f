// Aides communes aux tests d'intégration (en plus de t/lib/stack.mjs) :
// jetons JWT signés à la main, PRNG à graine, cookies, CSRF, requêtes
// depuis une autre adresse de boucle locale, redémarrage de lighttpd,
// outil d'administration avec code de sortie.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac, createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import nodeHttp from 'node:http';
import { join } from 'node:path';
import { ROOT, BUILD, ADMIN, http } from '../lib/stack.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Attente qui ne retient pas le processus de test.
const unrefSleep = (ms) => new Promise((r) => setTimeout(r, ms).unref());

// ---------------------------------------------------------------- JWT

export const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

const HMAC = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

// Signe un jeton : en-tête {alg, typ} (ou `header` tel quel), charge utile
// telle quelle. alg « none » : signature vide.
export function signJwt(secret, payload, { alg = 'HS256', header } = {}) {
  const h = b64url(header || { alg, typ: 'JWT' });
  const p = b64url(payload);
  const input = `${h}.${p}`;
  if (!HMAC[alg]) return `${input}.`;
  return `${input}.${createHmac(HMAC[alg], secret).update(input).digest('base64url')}`;
}

export function decodeJwt(tok) {
  const [h, p] = tok.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url')), payload: JSON.parse(Buffer.from(p, 'base64url')) };
}

export const nowSec = () => Math.floor(Date.now() / 1000);

// Revendications valides pour un utilisateur et une famille de session.
export function claims(userId, sid, { now = nowSec(), role = 'super_admin', ttl = 1800 } = {}) {
  return { sub: String(userId), role, sid, iat: now, exp: now + ttl };
}

export const sha256hex = (s) => createHash('sha256').update(s).digest('hex');

// Famille de session (refresh_tokens.family_id) d'un jeton de rafraîchissement.
export function familyOf(stack, refreshToken) {
  const rows = stack.sql(`SELECT family_id FROM refresh_tokens WHERE token_hash = '${sha256hex(refreshToken)}'`);
  assert.equal(rows.length, 1, 'jeton de rafraîchissement introuvable en base');
  return rows[0].family_id;
}

// ---------------------------------------------------------------- PRNG

export function mulberry32(a) {
  return function next() {
    a |= 0; a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Graine : CBW_SEED si donnée, sinon aléatoire ; toujours affichée.
export function seeded(label) {
  const seed = process.env.CBW_SEED ? Number(process.env.CBW_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  console.log('seed=', seed, label || '');
  return { seed, rnd: mulberry32(seed) };
}

// ---------------------------------------------------------------- cookies, HTML

// Cookies posés par une réponse : { nom: { value, attrs (chaîne brute) } }.
export function setCookies(res) {
  const out = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    out[pair.slice(0, eq).trim()] = { value: pair.slice(eq + 1), raw: line };
  }
  return out;
}

export const cookieHeader = (obj) => Object.entries(obj).map(([k, v]) => `${k}=${v}`).join('; ');

// Valeur du champ caché csrf d'une page.
export function csrfOf(html) {
  const m = html.match(/<input type="hidden" name="csrf" value="([^"]*)">/);
  assert.ok(m, 'champ csrf absent de la page');
  return m[1];
}

export const form = (o) => new URLSearchParams(o).toString();
export const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

// Connexion par le formulaire HTML ; rend { cookie, csrf } (cookie de
// session prêt pour l'en-tête Cookie, csrf lu sur le tableau de bord).
export async function htmlLogin(stack, email = ADMIN.email, password = ADMIN.password) {
  const page = await http(stack, 'GET', '/login');
  assert.equal(page.status, 200);
  const pre = setCookies(page).cbw_pre.value;
  const r = await http(stack, 'POST', '/login', {
    headers: FORM, cookies: `cbw_pre=${pre}`,
    body: form({ csrf: csrfOf(page.text), email, password }),
  });
  assert.equal(r.status, 303, `connexion HTML ${email} : ${r.status}`);
  const session = setCookies(r).cbw_session;
  assert.ok(session && session.value, 'pas de cookie de session');
  const cookie = `cbw_session=${session.value}`;
  const dash = await http(stack, 'GET', '/dashboard', { cookies: cookie });
  assert.equal(dash.status, 200);
  return { cookie, csrf: csrfOf(dash.text), token: session.value };
}

// ---------------------------------------------------------------- HTTP depuis une autre IP

// Requête depuis une adresse locale choisie (127.0.0.x) : REMOTE_ADDR
// change, donc la limite « par IP » aussi. Même forme de réponse que http().
export function httpFrom(stack, localAddress, method, path, { json, body, headers = {}, cookies, token } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (json !== undefined) { h['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
  if (cookies) h.Cookie = cookies;
  if (body !== undefined) h['Content-Length'] = Buffer.byteLength(body);
  return new Promise((ok, ko) => {
    const req = nodeHttp.request({ host: '127.0.0.1', port: stack.port, localAddress, method, path, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = null;
        try { parsed = JSON.parse(text); } catch { /* pas du JSON */ }
        const hd = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          for (const x of [].concat(v)) hd.append(k, x);
        }
        ok({ status: res.statusCode, headers: hd, text, json: parsed });
      });
    });
    req.on('error', ko);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// ---------------------------------------------------------------- lighttpd

// Arrête la pile : lighttpd d'abord (attente sans minuterie qui retienne le
// processus de test), puis stopStack() vérifie les journaux et efface le
// dossier.
export async function stop(stack) {
  if (stack.proc.exitCode === null && stack.proc.signalCode === null) {
    stack.proc.kill('SIGTERM');
    await Promise.race([stack.exited, unrefSleep(5000)]);
  }
  await stack.stop();
}

// Arrête lighttpd (et ses programmes) puis en relance un sur le même
// dossier, la même base et le même port. Attend que le programme cbw-auth
// réponde (n'importe quel statut sauf 502/503), sans passer par /login
// pour ne pas compter dans la limite de débit... sauf si on le veut.
export async function restartLighttpd(stack) {
  const alive = () => stack.proc.exitCode === null && stack.proc.signalCode === null;
  if (alive()) {
    stack.proc.kill('SIGTERM');
    await Promise.race([stack.exited, unrefSleep(10000)]);
    // Machine chargée : l'ancien lighttpd tient encore le port, on l'achève,
    // ses programmes FastCGI d'abord (sinon ils lui survivent, orphelins).
    if (alive()) {
      spawnSync('pkill', ['-KILL', '-P', String(stack.proc.pid)]);
      stack.proc.kill('SIGKILL');
      await stack.exited;
    }
  }
  const spawnOne = () => {
    const errFd = openSync(join(stack.dir, 'log/stderr.log'), 'a');
    stack.proc = spawn('lighttpd', ['-D', '-f', join(ROOT, 'etc/lighttpd-dev.conf')], {
      env: { ...process.env, ...stack.env }, stdio: ['ignore', errFd, errFd],
    });
    closeSync(errFd);
    stack.exited = new Promise((r) => stack.proc.on('exit', r));
  };
  spawnOne();
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(stack.base + '/static/app.css');
      if (r.status === 200) { await r.arrayBuffer(); return; }
    } catch { /* pas encore */ }
    // Port pas encore libéré : le nouveau lighttpd est sorti, on relance.
    if (!alive()) spawnOne();
    await sleep(100);
  }
  throw new Error('lighttpd ne redémarre pas');
}

// ---------------------------------------------------------------- CLI

// Lance chatbot-whatsapp-admin ; rend { status, stdout, stderr } sans lever.
export function runCli(stack, args, input = '') {
  const r = spawnSync(join(BUILD, 'cli/chatbot-whatsapp-admin'), args, {
    input, env: { ...process.env, ...stack.env }, encoding: 'utf8', timeout: 30000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// ---------------------------------------------------------------- en-têtes

// Les quatre en-têtes de sécurité, avec des valeurs sûres.
export function assertSecurityHeaders(res, label = '') {
  const h = res.headers;
  const csp = h.get('content-security-policy');
  assert.ok(csp, `${label} : Content-Security-Policy absent`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `${label} : CSP permissive`);
  assert.match(csp, /default-src 'self'/, `${label} : CSP sans default-src`);
  assert.match(csp, /script-src 'self'(;|$)/, `${label} : CSP script-src`);
  assert.match(csp, /frame-ancestors 'none'/, `${label} : CSP frame-ancestors`);
  assert.equal(h.get('x-content-type-options'), 'nosniff', `${label} : X-Content-Type-Options`);
  assert.equal(h.get('x-frame-options'), 'DENY', `${label} : X-Frame-Options`);
  const rp = h.get('referrer-policy');
  assert.ok(rp, `${label} : Referrer-Policy absent`);
  assert.match(rp, /^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/, `${label} : Referrer-Policy ${rp}`);
}

// Erreur JSON conforme (DESIGN §4) : statut, code, message français.
export function assertJsonError(res, status, code, label = '') {
  assert.equal(res.status, status, `${label} : statut ${res.status} ${res.text.slice(0, 200)}`);
  assert.match(res.headers.get('content-type') || '', /^application\/json/, `${label} : type`);
  assert.ok(res.json, `${label} : corps non JSON`);
  assert.equal(res.json.error, code, `${label} : code`);
  assert.equal(typeof res.json.message, 'string', `${label} : message`);
  assert.ok(res.json.message.length > 0, `${label} : message vide`);
}

export { ADMIN, BUILD, ROOT };

// ---------------------------------------------------------------- catégories, contacts, CSV
// (ajouté pour categories/contacts/import/ownership/properties4.test.mjs)
import { readFileSync as readFileText } from 'node:fs';

// Requête qui rend le corps brut (Buffer) en plus du texte : pour les
// fichiers CSV (BOM UTF-8, octets exacts).
export async function httpRaw(stack, method, path, { token, cookies, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (cookies) h.Cookie = cookies;
  const r = await fetch(stack.base + path, { method, headers: h, redirect: 'manual' });
  const buf = Buffer.from(await r.arrayBuffer());
  const text = buf.toString('utf8');
  let json = null;
  try { json = JSON.parse(text); } catch { /* pas du JSON */ }
  return { status: r.status, headers: r.headers, buf, text, json };
}

// Envoi multipart/form-data : `file` (chaîne ou Buffer) sous le nom de
// champ « file », plus les champs texte de `fields` (tableau de paires ou
// objet). Jeton (API) ou cookie (page). Même forme de réponse que http().
export async function upload(stack, path, { token, cookies, file, filename = 'contacts.csv', fields = {}, fileFirst = false } = {}) {
  const fd = new FormData();
  const pairs = Array.isArray(fields) ? fields : Object.entries(fields);
  const addFile = () => {
    if (file !== undefined) fd.append('file', new Blob([file], { type: 'text/csv' }), filename);
  };
  if (fileFirst) addFile();
  for (const [k, v] of pairs) fd.append(k, v);
  if (!fileFirst) addFile();
  const h = {};
  if (token) h.Authorization = `Bearer ${token}`;
  if (cookies) h.Cookie = cookies;
  const r = await fetch(stack.base + path, { method: 'POST', headers: h, body: fd, redirect: 'manual' });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* pas du JSON */ }
  return { status: r.status, headers: r.headers, text, json };
}

// Instantané (texte JSON) des tables de données d'un ou de tous les
// admins : pour vérifier qu'une requête refusée n'a rien changé.
export function dataSnapshot(stack, tables = ['categories', 'contacts', 'category_contacts']) {
  return JSON.stringify(Object.fromEntries(tables.map((t) => [t, stack.sql(`SELECT * FROM ${t} ORDER BY id`)])));
}

// Table des routes d'un programme FastCGI, lue dans sa source C
// (static const struct cbw_route routes[] = { ... }) : [{ id, method,
// pattern, flags }]. Une route ajoutée au C l'est donc aux tests.
export function routeTable(cFile) {
  const src = readFileText(cFile, 'utf8');
  const m = src.match(/struct cbw_route routes\[[^\]]*\]\s*=\s*\{([\s\S]*?)\n\};/);
  assert.ok(m, `table des routes introuvable dans ${cFile}`);
  const out = [];
  const re = /\{\s*(ROUTE_\w+)\s*,\s*CBW_(GET|POST|PUT|DELETE|PATCH)\s*,\s*"([^"]+)"\s*,\s*([^}]*?)\s*\}/g;
  let e;
  while ((e = re.exec(m[1])) !== null) {
    out.push({ id: e[1], method: e[2], pattern: e[3], flags: e[4].replace(/\s+/g, ' ') });
  }
  assert.ok(out.length > 0, `aucune route lue dans ${cFile}`);
  return out;
}

// Convertit une chaîne en octets Windows-1252 (fichiers CSV d'Excel
// français) ; lève une erreur pour un caractère non représentable.
const CP1252_EXTRA = { '€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88, '‰': 0x89, 'Š': 0x8a, '‹': 0x8b, 'Œ': 0x8c, 'Ž': 0x8e, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9a, '›': 0x9b, 'œ': 0x9c, 'ž': 0x9e, 'Ÿ': 0x9f };
export function cp1252(str) {
  const out = [];
  for (const ch of str) {
    const c = ch.codePointAt(0);
    if (c < 0x80 || (c >= 0xa0 && c <= 0xff)) out.push(c);
    else if (CP1252_EXTRA[ch] !== undefined) out.push(CP1252_EXTRA[ch]);
    else throw new Error(`caractère hors Windows-1252 : ${ch}`);
  }
  return Buffer.from(out);
}
