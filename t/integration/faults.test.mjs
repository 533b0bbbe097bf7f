// Pannes (issue 9), chaque fois avec le résultat exact attendu :
// 1. kill -9 d'un programme FastCGI au milieu d'une requête (gros import
//    CSV, lancement de campagne) : lighttpd répond 500 puis relance le
//    programme, la requête suivante marche, et ni import ni lancement à
//    moitié écrit n'existe (une transaction). Le kill -9 de cbw-sender au
//    milieu d'un lot est dans sending.test.mjs.
// 2. Faux WhatsApp injoignable (connexion refusée), page HTML 502, octets
//    qui ne sont pas du HTTP, connexion fermée sans réponse : après un
//    passage de cbw-sender, ligne « failed » réessayable avec un texte
//    français, rien ne reste « sending ». Délai dépassé (0006), 503 HTML
//    (0005) et 200 « not json » (0009) sont dans sending.test.mjs.
// 3. Base verrouillée par un long écrivain : lectures rapides (WAL),
//    écritures API et HTML 503 + Retry-After en temps borné, rien
//    d'abîmé. Le webhook (200 borné, corps rejoué) est dans
//    webhooks.test.mjs.
// 4. Disque plein (507) et base en lecture seule (503) : message français,
//    pas de plantage, reprise dès que la place ou les droits reviennent.
// 5. (Configuration fausse : config.test.mjs, pour chaque programme.)
// 6. Sauvegarde prise pendant un flot d'écritures : copie d'un seul
//    instant, integrity_check ok, restaurable.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, statSync, readdirSync, readFileSync, writeFileSync, rmSync, mkdtempSync, chownSync, chmodSync, openSync, closeSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, http, login, freePort, stderrLog, BUILD, ROOT } from '../lib/stack.mjs';
import { stop, upload, htmlLogin, form, FORM, assertJsonError, runCli } from './util.mjs';

const pexec = promisify(execFile);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ aides

// Processus FastCGI `name` (cbw-contacts...) lancé par le lighttpd de la
// pile : lu dans /proc (parent = lighttpd). Rend son pid, ou 0.
function fcgiPid(stack, name) {
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const st = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      const exe = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[0];
      if (ppid === stack.proc.pid && exe.endsWith(`/${name}`)) return Number(p);
    } catch { /* processus disparu entre-temps */ }
  }
  return 0;
}

// Attend qu'un programme FastCGI existe avec un autre pid que `old`.
async function respawned(stack, name, old) {
  for (let i = 0; i < 100; i++) {
    const pid = fcgiPid(stack, name);
    if (pid && pid !== old) return pid;
    await sleep(50);
  }
  throw new Error(`${name} pas relancé par lighttpd`);
}

// Vrai si quelqu'un tient le verrou d'écriture de la base (un BEGIN
// IMMEDIATE sans attente échoue sur « database is locked »).
async function writeLocked(db) {
  try {
    await pexec('sqlite3', ['-bail', db, 'PRAGMA busy_timeout=0', 'BEGIN IMMEDIATE', 'ROLLBACK']);
    return false;
  } catch (e) {
    if (/locked/.test(e.stderr || '')) return true;
    throw e;
  }
}

// Processus fils de `pid` (le processus d'un import, lib/child.c).
function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch { return []; }
}

// Attend (30 s au plus) que le programme `pid` (ou son processus fils
// d'import) tienne le verrou d'écriture, puis le fige (SIGSTOP, fils
// compris) en pleine transaction : la requête en cours ne peut plus
// finir. Lève une erreur si la requête `pending` s'est terminée avant
// (fenêtre manquée). Rend les pid des fils figés.
async function freezeInTransaction(db, pid, pending) {
  let done = false;
  pending.then(() => { done = true; }, () => { done = true; });
  const t0 = Date.now();
  while (!(await writeLocked(db))) {
    assert.ok(!done, 'la requête a fini avant d\'être interrompue');
    assert.ok(Date.now() - t0 < 30000, 'transaction jamais commencée');
    await sleep(5);
  }
  process.kill(pid, 'SIGSTOP');
  const kids = childrenOf(pid);
  for (const k of kids) process.kill(k, 'SIGSTOP');
  // Toujours dans la transaction une fois figé (pas de COMMIT entre-temps).
  assert.equal(await writeLocked(db), true, 'verrou relâché avant le SIGSTOP');
  return kids;
}

// Attend la fin du processus `pid` (10 s au plus).
async function gone(pid) {
  for (let i = 0; i < 200; i++) {
    try { process.kill(pid, 0); } catch { return; }
    // Zombie : mort, pas encore récolté.
    try { if (/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return; } catch { return; }
    await sleep(50);
  }
  throw new Error(`processus ${pid} toujours vivant`);
}

// Page d'erreur 500 de lighttpd (programme mort pendant la requête).
function assertLighttpd500(r) {
  assert.equal(r.status, 500, r.text.slice(0, 200));
  assert.match(r.text, /500 Internal Server Error/);
}

// CSV de n contacts (06 00 00 00 00, 06 00 00 00 01...).
function bigCsv(n, offset = 0) {
  const rows = ['telephone,prenom'];
  for (let i = 0; i < n; i++) rows.push(`06${String(offset + i).padStart(8, '0')},P${i}`);
  return rows.join('\n') + '\n';
}

const one = (stack, q) => stack.sql(q)[0];
const integrity = (stack) => one(stack, 'PRAGMA integrity_check').integrity_check;

// ------------------------------------------------------------------ pile principale

const fullDir = mkdtempSync(join(tmpdir(), 'cbw-full-'));
const FULL_FLAG = join(fullDir, 'disque-plein');
let s, tok;
before(async () => {
  // Limite par IP active (comme en production), jamais atteinte ici ;
  // CBW_TEST_DB_FULL : disque plein simulé tant que FULL_FLAG existe.
  s = await startStack({
    sandbox: true,
    config: { SEND_RATE_PER_MINUTE: '600', RATE_LIMIT_PER_MINUTE: '100000' },
    env: { CBW_TEST_DB_FULL: FULL_FLAG },
  });
  tok = (await login(s)).access_token;
});
after(async () => {
  await stop(s);
  rmSync(fullDir, { recursive: true, force: true });
});

const api = (m, p, json) => http(s, m, p, json === undefined ? { token: tok } : { token: tok, json });

// ------------------------------------------------------------------ 4a. disque plein

describe('disque plein (CBW_TEST_DB_FULL : la base ne peut plus grandir)', () => {
  after(() => rmSync(FULL_FLAG, { force: true }));

  test('import API et page : 507 + message français, rien d\'écrit, programme vivant, lectures servies ; place rendue : la requête suivante passe', async () => {
    const csv = bigCsv(3000, 50000000);
    // Base neuve : presque aucune page libre à réutiliser (la racine de
    // l'index retiré par 0009), l'import doit la faire grandir.
    const free = one(s, 'PRAGMA freelist_count').freelist_count * one(s, 'PRAGMA page_size').page_size;
    assert.ok(free * 10 < csv.length, `${free} octets libres pour ${csv.length} de CSV`);
    const snap = one(s, 'SELECT (SELECT count(*) FROM contacts) AS c, (SELECT count(*) FROM categories) AS k, (SELECT count(*) FROM category_contacts) AS l');
    const h = await htmlLogin(s);
    const pid = fcgiPid(s, 'cbw-contacts');
    writeFileSync(FULL_FLAG, '');

    let r = await upload(s, '/api/contacts/import', { token: tok, file: csv, fields: { category_name: 'Disque plein' } });
    assertJsonError(r, 507, 'storage_full', 'API');
    assert.equal(r.json.message, 'Espace disque insuffisant sur le serveur : rien n\'a été enregistré. Libérez de la place puis réessayez.');
    r = await upload(s, '/contacts/import', { cookies: h.cookie, file: csv, fields: { csrf: h.csrf, category_name: 'Disque plein' } });
    assert.equal(r.status, 507, r.text.slice(0, 300));
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.text, /<title>[^<]*Espace disque insuffisant/);
    assert.match(r.text, /Espace disque insuffisant sur le serveur : rien n&#39;a été enregistré\.|Espace disque insuffisant sur le serveur : rien n'a été enregistré\./);
    // Lectures toujours servies, même processus (pas de plantage).
    r = await api('GET', '/api/contacts?per_page=1');
    assert.equal(r.status, 200);
    assert.equal(r.json.total, snap.c);
    assert.equal(fcgiPid(s, 'cbw-contacts'), pid);
    assert.deepEqual(one(s, 'SELECT (SELECT count(*) FROM contacts) AS c, (SELECT count(*) FROM categories) AS k, (SELECT count(*) FROM category_contacts) AS l'), snap);
    assert.match(stderrLog(s), /"message":"disque plein : écriture refusée"/);

    rmSync(FULL_FLAG);
    r = await upload(s, '/api/contacts/import', { token: tok, file: csv, fields: { category_name: 'Disque plein' } });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.equal(r.json.created, 3000);
    assert.equal(fcgiPid(s, 'cbw-contacts'), pid);
    assert.equal(one(s, 'SELECT count(*) AS n FROM contacts').n, snap.c + 3000);
    assert.equal(integrity(s), 'ok');
  });
});

// ------------------------------------------------------------------ 1. kill -9

describe('kill -9 d\'un programme FastCGI au milieu d\'une requête', () => {
  const N = 100000;
  const csv = bigCsv(N);
  let catId;

  test('pendant un gros import CSV : 500 de lighttpd, rien d\'importé (ni contact ni catégorie), programme relancé, le même import passe ensuite', async () => {
    const counts = () => one(s, `SELECT (SELECT count(*) FROM contacts) AS contacts,
      (SELECT count(*) FROM categories) AS categories, (SELECT count(*) FROM category_contacts) AS links`);
    const base = counts();
    const pid = fcgiPid(s, 'cbw-contacts');
    assert.ok(pid > 0, 'cbw-contacts introuvable');
    const pending = upload(s, '/api/contacts/import', { token: tok, file: csv, fields: { category_name: 'Import coupé' } });
    const kids = await freezeInTransaction(s.db, pid, pending);
    // L'import s'écrit dans un processus fils (lib/child.c) ; il meurt
    // avec le programme (PR_SET_PDEATHSIG), même figé.
    assert.equal(kids.length, 1, 'un processus fils d\'import');
    // WAL : un lecteur ne voit rien de la transaction en cours.
    assert.deepEqual(counts(), base);
    process.kill(pid, 'SIGKILL');
    assertLighttpd500(await pending);
    await gone(kids[0]);
    assert.equal(await writeLocked(s.db), false, 'verrou du fils relâché');
    assert.deepEqual(counts(), base);
    assert.equal(one(s, "SELECT count(*) AS n FROM categories WHERE name = 'Import coupé'").n, 0);
    assert.equal(integrity(s), 'ok');
    const again = await respawned(s, 'cbw-contacts', pid);
    // La requête suivante est servie par le programme relancé.
    const r = await upload(s, '/api/contacts/import', { token: tok, file: csv, fields: { category_name: 'Import coupé' } });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.equal(r.json.created, N);
    assert.equal(r.json.rejected_count, 0);
    catId = r.json.category.id;
    assert.equal(fcgiPid(s, 'cbw-contacts'), again);
    assert.deepEqual(counts(), { contacts: base.contacts + N, categories: base.categories + 1, links: base.links + N });
  });

  test('processus fils d\'import tué au milieu : 500 JSON « Erreur interne », rien d\'écrit, le programme reste et l\'import suivant passe', async () => {
    const M = 60000;
    const csv2 = bigCsv(M, 30000000);
    const counts = () => one(s, `SELECT (SELECT count(*) FROM contacts) AS contacts,
      (SELECT count(*) FROM categories) AS categories, (SELECT count(*) FROM category_contacts) AS links`);
    const base = counts();
    const pid = fcgiPid(s, 'cbw-contacts');
    const pending = upload(s, '/api/contacts/import', { token: tok, file: csv2, fields: { category_name: 'Fils tué' } });
    const kids = await freezeInTransaction(s.db, pid, pending);
    assert.equal(kids.length, 1, 'un processus fils d\'import');
    process.kill(kids[0], 'SIGKILL');
    process.kill(pid, 'SIGCONT');
    const r = await pending;
    assertJsonError(r, 500, 'internal', 'fils tué');
    assert.equal(r.json.message, 'Erreur interne.');
    assert.deepEqual(counts(), base);
    assert.equal(one(s, "SELECT count(*) AS n FROM categories WHERE name = 'Fils tué'").n, 0);
    assert.equal(integrity(s), 'ok');
    assert.equal(fcgiPid(s, 'cbw-contacts'), pid, 'même programme');
    assert.match(stderrLog(s), /"message":"processus fils mort sans répondre","error":"signal 9"/);
    const again = await upload(s, '/api/contacts/import', { token: tok, file: csv2, fields: { category_name: 'Fils tué' } });
    assert.equal(again.status, 200, again.text.slice(0, 300));
    assert.equal(again.json.created, M);
    assert.equal(fcgiPid(s, 'cbw-contacts'), pid);
    assert.deepEqual(childrenOf(pid), [], 'aucun fils restant');
    assert.deepEqual(counts(), { contacts: base.contacts + M, categories: base.categories + 1, links: base.links + M });
  });

  test('pendant un lancement de campagne : 500, campagne toujours brouillon sans aucun message ; relancé, le lancement crée tous les messages', async () => {
    assert.ok(catId, 'dépend du test d\'import');
    const k = await api('POST', '/api/campaigns', { name: 'Lancement coupé', category_ids: [catId], message_1: 'Bonjour {{first_name}}' });
    assert.equal(k.status, 201, k.text);
    assert.equal(k.json.status, 'draft');
    const id = k.json.id;
    const pid = fcgiPid(s, 'cbw-campaigns');
    assert.ok(pid > 0, 'cbw-campaigns introuvable');
    const pending = api('POST', `/api/campaigns/${id}/launch`);
    await freezeInTransaction(s.db, pid, pending);
    assert.equal(one(s, `SELECT count(*) AS n FROM messages WHERE campaign_id = ${id}`).n, 0);
    process.kill(pid, 'SIGKILL');
    assertLighttpd500(await pending);
    assert.deepEqual(one(s, `SELECT status, total_recipients, launched_at, (SELECT count(*) FROM messages WHERE campaign_id = ${id}) AS messages
      FROM campaigns WHERE id = ${id}`), { status: 'draft', total_recipients: 0, launched_at: null, messages: 0 });
    assert.equal(integrity(s), 'ok');
    await respawned(s, 'cbw-campaigns', pid);
    const r = await api('POST', `/api/campaigns/${id}/launch`);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.equal(r.json.status, 'sending');
    assert.equal(r.json.total_recipients, N);
    assert.deepEqual(s.sql(`SELECT status, message_type, count(*) AS n FROM messages WHERE campaign_id = ${id} GROUP BY 1, 2`),
      [{ status: 'pending', message_type: 'message_1', n: N }]);
    // Annulée : les tests d'envoi qui suivent n'ont pas 100 000 messages à faire partir.
    const c = await api('POST', `/api/campaigns/${id}/cancel`);
    assert.equal(c.status, 200, c.text);
    assert.equal(one(s, `SELECT count(*) AS n FROM messages WHERE campaign_id = ${id} AND status <> 'cancelled'`).n, 0);
  });
});

// ------------------------------------------------------------------ 2. WhatsApp en panne

describe('WhatsApp en panne pendant un passage de cbw-sender', () => {
  let seq = 0;
  const servers = [];
  after(async () => { for (const srv of servers) await new Promise((r) => srv.close(r)); });

  // Serveur local qui répond `onRequest` ; rend son adresse de base.
  async function fakeGraph(srv) {
    servers.push(srv);
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${srv.address().port}`;
  }

  // Campagne lancée vers un contact ; rend { id, to (chiffres) }.
  async function oneRecipient() {
    seq += 1;
    const c = await api('POST', '/api/categories', { name: `Panne ${seq}` });
    assert.equal(c.status, 201, c.text);
    const phone = `6${String(1000 + seq).slice(-4)}4242`;
    const ct = await api('POST', '/api/contacts', { country_code: '+33', phone_number: phone, first_name: 'Zoé', category_ids: [c.json.id] });
    assert.equal(ct.status, 201, ct.text);
    const k = await api('POST', '/api/campaigns', { name: `Panne ${seq}`, category_ids: [c.json.id], message_1: 'Bonjour {{first_name}}', launch: true });
    assert.equal(k.status, 201, k.text);
    return { id: k.json.id, to: ct.json.full_number.slice(1) };
  }

  // Un passage réel (horloge figée dans le passé : ces appels ne comptent
  // pas dans la fenêtre des passages en heure réelle) vers `graph`.
  async function senderAgainst(graph, now) {
    const r = await s.cron('cbw-sender', ['--once'], { now, env: { GRAPH_BASE_URL: graph } });
    assert.equal(r.code, 0, r.stderr);
    return r;
  }

  // Ligne de la campagne après le passage : échec réessayable, texte
  // français, rien ne reste « sending » nulle part.
  function assertRetryable(id, code, text) {
    const m = one(s, `SELECT status, error_code, error_class, retryable, error_message, failed_at, claimed_at,
      whatsapp_message_id, retry_count FROM messages WHERE campaign_id = ${id}`);
    assert.equal(m.status, 'failed');
    assert.equal(m.error_code, code);
    assert.equal(m.error_class, 'retryable');
    assert.equal(m.retryable, 1);
    assert.match(m.error_message, text);
    assert.doesNotMatch(m.error_message, /sandbox-token/);
    assert.match(m.failed_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(m.whatsapp_message_id, null);
    assert.equal(m.retry_count, 0);
    assert.equal(one(s, "SELECT count(*) AS n FROM messages WHERE status = 'sending'").n, 0);
    // Échec réessayable : la campagne reste en cours.
    assert.equal(one(s, `SELECT status FROM campaigns WHERE id = ${id}`).status, 'sending');
    return m;
  }

  test('connexion refusée : réessayable (code -1, « Impossible de joindre WhatsApp »), puis cbw-retry et WhatsApp revenu : envoyé une seule fois', async () => {
    const { id, to } = await oneRecipient();
    const port = await freePort(); // personne n'y écoute
    const T0 = Math.floor(Date.now() / 1000) - 40 * 86400;
    await senderAgainst(`http://127.0.0.1:${port}`, T0);
    assertRetryable(id, -1, /^Impossible de joindre WhatsApp \(réseau, DNS ou TLS\) : nouvel essai plus tard\. \(curl : .+\)$/);
    assert.equal(s.sandbox.messages().filter((m) => m.to === to).length, 0);
    // Reprise à +1 min, WhatsApp (le faux) de nouveau joignable.
    const rr = await s.cron('cbw-retry', [], { now: T0 + 1 });
    assert.equal(rr.code, 0, rr.stderr);
    assert.equal(one(s, `SELECT status FROM messages WHERE campaign_id = ${id}`).status, 'pending');
    const r = await s.cron('cbw-sender', ['--once'], { now: T0 + 60 });
    assert.equal(r.code, 0, r.stderr);
    const got = s.sandbox.messages().filter((m) => m.to === to);
    assert.equal(got.length, 1);
    const m = one(s, `SELECT status, whatsapp_message_id, retry_count FROM messages WHERE campaign_id = ${id}`);
    assert.deepEqual(m, { status: 'sent', whatsapp_message_id: got[0].wamid, retry_count: 1 });
    assert.equal(one(s, `SELECT status FROM campaigns WHERE id = ${id}`).status, 'completed');
  });

  test('page HTML 502 d\'un proxy : réessayable (code -3, « erreur HTTP sans explication lisible (HTTP 502) »)', async () => {
    const { id } = await oneRecipient();
    let hits = 0;
    const graph = await fakeGraph(createHttpServer((req, res) => {
      hits += 1;
      req.resume();
      req.on('end', () => {
        res.writeHead(502, { 'Content-Type': 'text/html' });
        res.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n');
      });
    }));
    await senderAgainst(graph, Math.floor(Date.now() / 1000) - 39 * 86400);
    assert.equal(hits, 1);
    assertRetryable(id, -3, /^WhatsApp a répondu par une erreur HTTP sans explication lisible\.? ?\(HTTP 502\)$/);
  });

  test('octets qui ne sont pas du HTTP : réessayable (code -1), pas de plantage', async () => {
    const { id } = await oneRecipient();
    let hits = 0;
    const graph = await fakeGraph(createNetServer((sock) => {
      sock.once('data', () => {
        hits += 1;
        sock.end(Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x37, 0x80, 0x0a, 0x0d, 0x0a, 0x67, 0x61, 0x72, 0x62, 0x61, 0x67, 0x65, 0x0d, 0x0a, 0x0d, 0x0a]));
      });
      sock.on('error', () => {});
    }));
    await senderAgainst(graph, Math.floor(Date.now() / 1000) - 38 * 86400);
    assert.equal(hits, 1);
    assertRetryable(id, -1, /^Impossible de joindre WhatsApp \(réseau, DNS ou TLS\) : nouvel essai plus tard\. \(curl : .+\)$/);
  });

  test('connexion fermée sans réponse : réessayable (code -1, « curl : ... »)', async () => {
    const { id } = await oneRecipient();
    let hits = 0;
    const graph = await fakeGraph(createNetServer((sock) => {
      sock.once('data', () => { hits += 1; sock.destroy(); });
      sock.on('error', () => {});
    }));
    await senderAgainst(graph, Math.floor(Date.now() / 1000) - 37 * 86400);
    assert.equal(hits, 1);
    assertRetryable(id, -1, /^Impossible de joindre WhatsApp \(réseau, DNS ou TLS\) : nouvel essai plus tard\. \(curl : .+\)$/);
  });
});

// ------------------------------------------------------------------ 3. base verrouillée

describe('base verrouillée par un long écrivain', () => {
  test('lectures servies vite (WAL) ; écritures API et HTML : 503 + Retry-After + message français en temps borné ; rien d\'écrit ni d\'abîmé', async () => {
    const h = await htmlLogin(s);
    const cat = (await api('POST', '/api/categories', { name: 'Avant le verrou' })).json.id;
    const draft = { name: 'Pendant le verrou', category_ids: [cat], message_1: 'Bonjour' };
    const snapshot = () => one(s, `SELECT (SELECT count(*) FROM contacts) AS c, (SELECT count(*) FROM categories) AS k,
      (SELECT count(*) FROM campaigns) AS p`);
    const before = snapshot();
    const lock = spawn('sqlite3', [s.db], { stdio: ['pipe', 'ignore', 'ignore'] });
    const lockExit = new Promise((r) => lock.on('exit', r));
    try {
      lock.stdin.write('BEGIN IMMEDIATE;\nUPDATE users SET updated_at = updated_at;\n');
      for (let i = 0; i < 100 && !(await writeLocked(s.db)); i++) await sleep(20);
      assert.equal(await writeLocked(s.db), true, 'verrou non pris');

      // Lectures : API, page HTML, tableau de bord, pendant le verrou.
      for (const [p, o] of [['/api/contacts?per_page=1', { token: tok }], ['/contacts', { cookies: h.cookie }], ['/dashboard', { cookies: h.cookie }]]) {
        const t0 = Date.now();
        const r = await http(s, 'GET', p, o);
        const ms = Date.now() - t0;
        assert.equal(r.status, 200, `${p} : ${r.status} ${r.text.slice(0, 200)}`);
        assert.ok(ms < 2000, `${p} : lecture en ${ms} ms pendant le verrou`);
      }
      assert.equal((await api('GET', '/api/contacts?per_page=1')).json.total, before.c);

      // Écritures, en parallèle sur trois programmes (un programme sert
      // une requête à la fois).
      const timed = async (f) => { const t0 = Date.now(); const r = await f(); return { r, ms: Date.now() - t0 }; };
      const [a, b, c] = await Promise.all([
        timed(() => api('POST', '/api/contacts', { country_code: '+33', phone_number: '699887766', first_name: 'Verrou' })),
        timed(() => http(s, 'POST', '/categories', { cookies: h.cookie, headers: FORM, body: form({ csrf: h.csrf, name: 'Pendant le verrou', color: 'vert' }) })),
        timed(() => api('POST', '/api/campaigns', draft)),
      ]);
      for (const [x, label] of [[a, 'API contacts'], [c, 'API campagnes']]) {
        assertJsonError(x.r, 503, 'busy', label);
        assert.equal(x.r.json.message, 'Base de données occupée : réessayez dans quelques secondes.');
        assert.equal(x.r.headers.get('retry-after'), '2', label);
        assert.ok(x.ms >= 4000 && x.ms < 9000, `${label} : ${x.ms} ms`);
      }
      assert.equal(b.r.status, 503, b.r.text.slice(0, 300));
      assert.match(b.r.headers.get('content-type'), /^text\/html/);
      assert.equal(b.r.headers.get('retry-after'), '2');
      assert.match(b.r.text, /Base de données occupée : réessayez dans quelques secondes\./);
      assert.ok(b.ms >= 4000 && b.ms < 9000, `HTML : ${b.ms} ms`);
    } finally {
      lock.stdin.end('ROLLBACK;\n.quit\n');
      await lockExit;
    }
    assert.deepEqual(snapshot(), before);
    assert.equal(integrity(s), 'ok');
    // Verrou rendu : les mêmes écritures passent.
    const r = await api('POST', '/api/contacts', { country_code: '+33', phone_number: '699887766', first_name: 'Verrou' });
    assert.equal(r.status, 201, r.text);
    assert.equal((await api('POST', '/api/campaigns', draft)).status, 201);
    assert.equal((await http(s, 'POST', '/categories', { cookies: h.cookie, headers: FORM, body: form({ csrf: h.csrf, name: 'Pendant le verrou', color: 'vert' }) })).status, 303);
  });
});

// ------------------------------------------------------------------ 6. sauvegarde sous écritures

describe('sauvegarde pendant un flot d\'écritures', () => {
  test('backup FICHIER pendant que l\'API crée des contacts sans arrêt : finit vite, copie d\'un seul instant (integrity_check ok, préfixe exact des créations), restaurable', async () => {
    const cat = (await api('POST', '/api/categories', { name: 'Flot' })).json.id;
    const created = [];
    let stopping = false;
    let seq = 0;
    // Écrivain continu : un contact par requête, avec son appartenance à
    // « Flot » (une transaction par contact).
    const writer = (async () => {
      while (!stopping) {
        const r = await api('POST', '/api/contacts', { country_code: '+33', phone_number: `7${String(10000000 + ++seq).slice(-8)}`, category_ids: [cat] });
        assert.equal(r.status, 201, r.text);
        created.push(r.json.id);
      }
    })();
    while (created.length < 20) await sleep(20);
    const file = join(s.dir, 'sous-ecritures.db');
    const before = created.length;
    const t0 = Date.now();
    const res = await new Promise((ok) => {
      const p = spawn(join(BUILD, 'cli/chatbot-whatsapp-admin'), ['backup', file], { env: { ...process.env, ...s.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '', err = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { err += d; });
      const timer = setTimeout(() => p.kill('SIGKILL'), 60000);
      p.on('close', (code, signal) => { clearTimeout(timer); ok({ code, signal, out, err }); });
    });
    const ms = Date.now() - t0;
    const during = created.length - before;
    // Encore quelques écritures après la sauvegarde, puis arrêt.
    const target = created.length + 20;
    while (created.length < target) await sleep(20);
    stopping = true;
    await writer;
    assert.equal(res.code, 0, `${res.signal || ''} ${res.err}`);
    assert.equal(res.out, `Sauvegarde écrite dans ${file}.\n`);
    assert.ok(ms < 30000, `sauvegarde en ${ms} ms`);
    assert.ok(during > 0, 'aucune écriture pendant la sauvegarde');

    const q = async (sql) => JSON.parse((await pexec('sqlite3', ['-json', file, sql])).stdout || '[]');
    assert.deepEqual(await q('PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
    assert.deepEqual(await q('PRAGMA foreign_key_check'), []);
    // Un seul instant : les contacts de « Flot » dans la copie sont
    // exactement les k premiers créés, chacun avec son appartenance.
    const ids = (await q(`SELECT id FROM contacts WHERE id IN (SELECT contact_id FROM category_contacts WHERE category_id = ${cat}) ORDER BY id`)).map((x) => x.id);
    const k = ids.length;
    assert.ok(k >= before && k <= created.length, `${k} contacts dans la copie (${before} avant, ${created.length} à la fin)`);
    assert.deepEqual(ids, created.slice(0, k));
    const flot = await q(`SELECT count(*) AS n FROM contacts WHERE phone_number LIKE '7%'`);
    assert.equal(flot[0].n, k, 'contact sans son appartenance (transaction coupée)');

    // Restaurée dans la pile : la pile sert exactement la copie.
    const total = (await q('SELECT count(*) AS n FROM contacts'))[0].n;
    const r = runCli(s, ['restore', file, '--yes']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(integrity(s), 'ok');
    assert.equal(one(s, 'SELECT count(*) AS n FROM contacts').n, total);
    const list = await api('GET', `/api/contacts?per_page=1&category_id=${cat}`);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.total, k);
  });
});

// ------------------------------------------------------------------ 4b. base en lecture seule

// Root passe outre les droits des fichiers : cette pile fait tourner
// lighttpd et ses programmes sous l'utilisateur nobody (comme www-data en
// production), et la base appartient ensuite à root en 0644 — la panne
// réelle d'une base restaurée ou copiée par root. SQLite l'ouvre alors en
// lecture seule.
describe('base en lecture seule (fichier de root, programmes sous nobody)', () => {
  const NOBODY = 65534;
  let ro, rtok;

  // Relance le lighttpd de la pile sous nobody (même dossier, même port).
  async function lighttpdAsNobody(stack) {
    stack.proc.kill('SIGTERM');
    await stack.exited;
    const chownR = (p) => {
      chownSync(p, NOBODY, NOBODY);
      for (const e of readdirSync(p, { withFileTypes: true })) {
        const q = join(p, e.name);
        if (e.isDirectory()) chownR(q); else chownSync(q, NOBODY, NOBODY);
      }
    };
    chownR(stack.dir);
    const errFd = openSync(join(stack.dir, 'log/stderr.log'), 'a');
    stack.proc = spawn('lighttpd', ['-D', '-f', join(ROOT, 'etc/lighttpd-dev.conf')], {
      env: { ...process.env, ...stack.env }, stdio: ['ignore', errFd, errFd], uid: NOBODY, gid: NOBODY,
    });
    closeSync(errFd);
    stack.exited = new Promise((r) => stack.proc.on('exit', r));
    for (let i = 0; i < 100; i++) {
      try { const r = await fetch(stack.base + '/static/app.css'); if (r.status === 200) { await r.arrayBuffer(); return; } } catch { /* pas encore */ }
      await sleep(100);
    }
    throw new Error('lighttpd (nobody) ne démarre pas');
  }

  before(async () => {
    ro = await startStack({ config: { RATE_LIMIT_PER_MINUTE: '100000' } });
    await lighttpdAsNobody(ro);
    rtok = (await login(ro)).access_token;
  });
  after(async () => { await stop(ro); });

  test('écritures API et page : 503 « lecture seule » en français, lectures servies, pas de plantage ; droits rétablis : la requête suivante écrit, sans redémarrage', async () => {
    const rapi = (m, p, json) => http(ro, m, p, json === undefined ? { token: rtok } : { token: rtok, json });
    const h = await htmlLogin(ro);
    let r = await rapi('POST', '/api/contacts', { country_code: '+33', phone_number: '611223344', first_name: 'Avant' });
    assert.equal(r.status, 201, r.text);
    assert.equal(fcgiPid(ro, 'cbw-contacts') > 0, true);
    const uid = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)[1]);
    assert.equal(uid(fcgiPid(ro, 'cbw-contacts')), NOBODY, 'le programme doit tourner sous nobody');

    // La base passe à root, 0644 ; cbw-contacts redémarre (arrêt propre,
    // lighttpd le relance) et la rouvre : en lecture seule.
    chownSync(ro.db, 0, 0);
    chmodSync(ro.db, 0o644);
    const old = fcgiPid(ro, 'cbw-contacts');
    process.kill(old, 'SIGTERM');
    await respawned(ro, 'cbw-contacts', old);
    // Première requête : le nouveau processus a ouvert la base.
    r = await rapi('GET', '/api/contacts');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, 1);
    const pid = fcgiPid(ro, 'cbw-contacts');
    assert.match(stderrLog(ro), /base de données en lecture seule \(droits du fichier \?\) : les écritures répondront 503/);

    r = await rapi('POST', '/api/contacts', { country_code: '+33', phone_number: '611223355', first_name: 'Pendant' });
    assertJsonError(r, 503, 'read_only', 'API');
    assert.equal(r.json.message, 'Base de données en lecture seule (droits du fichier ou disque) : rien n\'a été enregistré. Prévenez l\'administrateur du serveur.');
    r = await http(ro, 'POST', '/contacts', { cookies: h.cookie, headers: FORM, body: form({ csrf: h.csrf, country_code: '+33', phone: '0611223366', first_name: 'Page' }) });
    assert.equal(r.status, 503, r.text.slice(0, 300));
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.text, /Base de données en lecture seule/);
    r = await http(ro, 'GET', '/contacts', { cookies: h.cookie });
    assert.equal(r.status, 200);
    assert.match(r.text, /Avant/);
    assert.equal(fcgiPid(ro, 'cbw-contacts'), pid, 'le programme a planté');
    assert.equal(one(ro, 'SELECT count(*) AS n FROM contacts').n, 1);

    // Droits rétablis (chown de la base et de ses -wal et -shm, que le
    // client sqlite3 lancé par root vient de donner lui aussi à root) :
    // même processus, l'écriture passe.
    assert.deepEqual([ro.db, `${ro.db}-wal`, `${ro.db}-shm`].map((f) => statSync(f).uid), [0, 0, 0]);
    for (const f of [ro.db, `${ro.db}-wal`, `${ro.db}-shm`]) chownSync(f, NOBODY, NOBODY);
    r = await rapi('POST', '/api/contacts', { country_code: '+33', phone_number: '611223355', first_name: 'Après' });
    assert.equal(r.status, 201, r.text);
    assert.equal(fcgiPid(ro, 'cbw-contacts'), pid);
    assert.match(stderrLog(ro), /"message":"base rouverte en écriture"/);
    assert.deepEqual(ro.sql('SELECT first_name FROM contacts ORDER BY id').map((x) => x.first_name), ['Avant', 'Après']);
    assert.equal(integrity(ro), 'ok');
  });
});

// Sous ./dev test --asan, l'allocateur d'ASan (quarantaine, pas de
// malloc_trim) décide seul de la mémoire : ces deux mesures n'y ont pas de
// sens, elles tournent dans ./dev test.
const UNDER_ASAN = process.env.ASAN_OPTIONS ? 'mémoire mesurée hors ASan (./dev test)' : false;

// Mémoire au repos (ticket 9, DESIGN §12). Un import s'écrit dans un
// processus fils (lib/child.c) : le programme ne garde presque rien de
// son travail, même avant la libération au repos. Une lecture de toute la
// liste (recherche courte, sans index) remplit le cache SQLite ; une
// seconde sans requête, le programme le rend (cache SQLite libre et
// malloc_trim). Lu dans /proc/PID/smaps_rollup : mémoire anonyme.
test('au repos, un programme FastCGI rend la mémoire prise par une requête ; un import ne la fait pas grandir', { skip: UNDER_ASAN }, async () => {
  const anon = (pid) => Number(/^Anonymous:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))[1]);
  const rows = ['telephone,prenom,nom'];
  for (let i = 0; i < 12000; i++) rows.push(`+3377${String(i).padStart(7, '0')},Prénom${i},Nom${i}`);
  const csv = rows.join('\n') + '\n';
  assert.ok(csv.length < 1048576, 'sous le seuil de libération immédiate');
  const pid = fcgiPid(s, 'cbw-contacts');
  assert.equal((await api('GET', '/api/contacts?per_page=1')).status, 200);
  await sleep(2500);
  const before = anon(pid);
  const r = await upload(s, '/api/contacts/import', { token: tok, file: csv, fields: { category_name: 'Mémoire' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.created, 12000);
  const imported = anon(pid);
  // Le corps reçu (~0,4 Mio) passe par le programme ; l'import, non.
  assert.ok(imported < before + 1024, `anonyme ${before} Kio avant l'import, ${imported} Kio juste après la réponse`);
  const l = await api('GET', '/api/contacts?q=m1&per_page=1');
  assert.equal(l.status, 200);
  assert.ok(l.json.total >= 1000);
  const busy = anon(pid);
  await sleep(2500);
  const rest = anon(pid);
  assert.equal(fcgiPid(s, 'cbw-contacts'), pid, 'même processus');
  assert.ok(rest < busy - 1024, `anonyme ${busy} Kio après la réponse, ${rest} Kio au repos`);
  // Toujours utilisable après : la requête suivante relit ses pages.
  const again = await api('GET', '/api/contacts?q=Prénom1199');
  assert.equal(again.status, 200);
  assert.ok(again.json.total >= 1);
  // Recherches variées (index trigramme, tris, pages) puis repos : le tas
  // revient à ce qu'il était (connexion fermée au repos, tcache coupé par
  // lighttpd), il ne garde pas de morceaux libres épars.
  for (let i = 0; i < 60; i++) {
    const q = [`Nom${i * 37}`, `rénom${i}`, `0778${i}`, `m${i % 10}`][i % 4];
    assert.equal((await api('GET', `/api/contacts?q=${encodeURIComponent(q)}&page=${1 + (i % 3)}`)).status, 200);
  }
  await sleep(2500);
  const after = anon(pid);
  assert.ok(after < before + 256, `anonyme ${before} Kio au repos au début, ${after} Kio au repos après 60 recherches`);
});

// Au repos, chaque programme ferme sa connexion (lib/app.c) sans point de
// contrôle : sinon la dernière connexion fermée prendrait un verrou
// exclusif pour recopier et supprimer le WAL, et un sqlite3 sans attente
// (sauvegarde, outil) verrait « database is locked ».
test('au repos, les connexions fermées gardent le WAL (pas de verrou exclusif à la fermeture)', async () => {
  const r = await api('POST', '/api/categories', { name: `Repos ${Date.now()}` });
  assert.equal(r.status, 201, r.text);
  // Une requête à chaque programme : tous ferment leur connexion au repos,
  // la dernière fermée n'a plus d'autre connexion à côté d'elle.
  for (const p of ['/api/auth/me', '/api/users', '/api/contacts', '/api/campaigns', '/api/messages', '/api/webhooks/whatsapp', '/dashboard']) await api('GET', p);
  await sleep(2500);
  assert.ok(existsSync(`${s.db}-wal`), 'WAL supprimé : une fermeture a fait un point de contrôle');
  for (let i = 0; i < 20; i++) {
    assert.equal((await api('GET', '/api/categories?per_page=1')).status, 200);
    assert.equal(one(s, 'SELECT count(*) AS n FROM categories WHERE id = ' + r.json.id).n, 1);
  }
});

// Le cache par fil de glibc (tcache) garde des morceaux libres épars que
// malloc_trim ne rend pas : lighttpd le coupe pour chaque programme
// (etc/lighttpd-routes.conf, bin-environment).
test('chaque programme FastCGI tourne avec le tcache de glibc coupé', () => {
  for (const name of ['cbw-auth', 'cbw-users', 'cbw-categories', 'cbw-contacts', 'cbw-campaigns', 'cbw-messages', 'cbw-webhooks', 'cbw-dashboard']) {
    const pid = fcgiPid(s, name);
    assert.ok(pid > 0, `${name} introuvable`);
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    assert.ok(env.includes('GLIBC_TUNABLES=glibc.malloc.tcache_count=0'), `${name} : ${env.filter((e) => e.startsWith('GLIBC')).join(' ') || 'pas de GLIBC_TUNABLES'}`);
  }
});

// Un gros import (> 1 Mio, mémoire rendue tout de suite) passe ses lignes
// par une table temporaire en mémoire : vidée, elle doit rendre ses pages
// (auto_vacuum de la base temporaire), sinon 40 000 lignes laissent ~4 Mio
// au processus pour toujours. Au repos, la mémoire anonyme revient à moins
// de 1,5 Mio de ce qu'elle était avant l'import.
test('au repos après un gros import, la table de transit ne garde pas sa mémoire', { skip: UNDER_ASAN }, async () => {
  const anon = (pid) => Number(/^Anonymous:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))[1]);
  const rows = ['telephone,prenom,nom'];
  for (let i = 0; i < 40000; i++) rows.push(`+3378${String(i).padStart(7, '0')},Prénom${i},Nom${i}`);
  const csv = rows.join('\n') + '\n';
  assert.ok(csv.length > 1048576, 'au-dessus du seuil de libération immédiate');
  // Un processus neuf : les imports des tests précédents ont déjà porté
  // la table de transit du processus en place à sa plus haute marée.
  const old = fcgiPid(s, 'cbw-contacts');
  process.kill(old, 'SIGKILL');
  const pid = await respawned(s, 'cbw-contacts', old);
  assert.equal((await api('GET', '/api/contacts?page=1')).status, 200);
  await sleep(2500);
  const before = anon(pid);
  const r = await upload(s, '/api/contacts/import', { token: tok, file: csv, fields: { category_name: 'Transit' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.created, 40000);
  await sleep(2500);
  const rest = anon(pid);
  assert.equal(fcgiPid(s, 'cbw-contacts'), pid, 'même processus');
  assert.ok(rest < before + 1536, `anonyme ${before} Kio avant l'import, ${rest} Kio au repos après`);
  // Les pages lointaines gardent l'ordre des identifiants (8 octets par
  // contact, 512 Kio de capacité ici) : rendu lui aussi au repos.
  for (const p of [1500, 1900, 1200, 1999]) {
    const page = await api('GET', `/api/contacts?page=${p}`);
    assert.equal(page.status, 200);
    assert.equal(page.json.items.length, 20);
  }
  await sleep(2500);
  const deep = anon(pid);
  assert.ok(deep < rest + 256, `anonyme ${rest} Kio au repos, ${deep} Kio au repos après les pages lointaines`);
  assert.equal((await api('GET', '/api/contacts?page=1999')).json.items.length, 20, 'relu à la demande');
  const again = await upload(s, '/api/contacts/import', { token: tok, file: csv, fields: { category_name: 'Transit' } });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.updated + again.json.skipped, 40000, 'la table de transit vidée sert encore');
});
