// ./dev soak : endurance (ticket 9). Pendant CBW_SOAK_SECONDS (600 par
// défaut ; les 10 premiers % servent de mise en route), du trafic mêlé
// passe par lighttpd sur 127.0.0.1 : connexions, rafraîchissements et
// déconnexions (API et formulaire), listes, recherches, pages HTML,
// créations de contacts, imports CSV (quelques centaines de lignes, des
// lignes fausses), campagnes lancées sur des catégories de quelques
// dizaines de contacts, réponses des contacts par le faux WhatsApp
// (Message 2), et un générateur de webhooks de statut signés à 200/s.
// cbw-retry puis cbw-sender (--run-ms) tournent en boucle contre le faux
// WhatsApp (t/sandbox, processus à part, --auto-status : les statuts
// reviennent en vrais webhooks signés). Toutes les 10 s : RSS et
// descripteurs ouverts de lighttpd, de chaque programme FastCGI et du
// faux WhatsApp ; tailles de la base et du WAL.
//
// À la fin : arrêt du trafic, l'envoi finit ce qui reste (plus aucune
// ligne en attente, en cours ou promise à une reprise, ou délai
// CBW_SOAK_DRAIN_SECONDS), puis les critères : aucun 5xx, chaque webhook
// répondu 200, chaque message accepté par le faux WhatsApp a exactement
// une ligne en base avec son wamid (même destinataire, même texte), aucune
// ligne « envoyée » sans envoi accepté, aucun envoi en double, RSS plate
// (au repos, fin ≤ début + 10 %, voir plus bas), pas de
// fuite de descripteurs, WAL borné, PRAGMA integrity_check. Un tableau
// markdown (aussi écrit dans build/soak-summary.md) ; code de sortie 0
// seulement si tout passe.
//
// La base ne part pas vide : le premier admin reçoit d'abord
// « chatbot-whatsapp-admin seed » (100 000 messages, 10 000 contacts), comme
// une installation en service depuis un moment ; sinon les caches de pages
// de SQLite (2 Mio par processus) se remplissent pendant tout l'essai au
// rythme où la base grossit, et la mémoire « grandit » sans fuite. Les
// contrôles des messages ne portent que sur les lignes écrites pendant
// l'essai. La RSS se juge au repos (la mémoire d'une requête en cours,
// un import, un export, rendue ensuite, fait des pics isolés).
//
// Variables : CBW_SOAK_SECONDS (600), CBW_SOAK_WARM_SECONDS (10 % de la
// durée ; un essai court de 60 s n'a que 6 s de mise en route, trop peu
// pour que les caches de pages se remplissent : 20 s y suffisent),
// CBW_SOAK_ADMINS (3),
// CBW_SOAK_WEBHOOK_RATE (200 /s), CBW_SOAK_SEND_RATE (600 /min),
// CBW_SOAK_SENDER_RUN_MS (20000), CBW_SOAK_DRAIN_SECONDS (300),
// CBW_SOAK_SEED_MESSAGES (100000 ; 0 : base vide au départ),
// CBW_SOAK_SEED, CBW_KEEP=1 (garder les dossiers ; gardés aussi en cas
// d'échec), CBW_BUILD (build/dev).
//
// Les programmes de CBW_BUILD sont copiés au départ dans un dossier
// temporaire : une reconstruction pendant l'endurance ne change pas les
// programmes mesurés.
import { spawn, execFile } from 'node:child_process';
import {
  copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync,
  existsSync, writeFileSync, createWriteStream, chmodSync, openSync, readSync, closeSync,
} from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHmac, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { request as httpRequest, Agent } from 'node:http';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = process.env.CBW_ROOT || resolve(HERE, '../..');
const SRC_BUILD = resolve(process.env.CBW_BUILD || join(ROOT, 'build/dev'));

const num = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} : nombre positif attendu, pas « ${v} »`);
  return n;
};
const SECONDS = num('CBW_SOAK_SECONDS', 600);
const WARM_S = num('CBW_SOAK_WARM_SECONDS', SECONDS / 10);
if (WARM_S >= SECONDS / 2) throw new Error('CBW_SOAK_WARM_SECONDS doit rester sous la moitié de CBW_SOAK_SECONDS');
const ADMINS = Math.round(num('CBW_SOAK_ADMINS', 3));
const HOOK_RATE = num('CBW_SOAK_WEBHOOK_RATE', 200);
const SEND_RATE = Math.round(num('CBW_SOAK_SEND_RATE', 600));
const SENDER_RUN_MS = Math.round(num('CBW_SOAK_SENDER_RUN_MS', 20000));
const DRAIN_S = num('CBW_SOAK_DRAIN_SECONDS', 300);
const SEED_MESSAGES = process.env.CBW_SOAK_SEED_MESSAGES === '0' ? 0 : Math.round(num('CBW_SOAK_SEED_MESSAGES', 100000));
const SEED = Math.round(num('CBW_SOAK_SEED', (Date.now() % 1e9) + 1));
const SAMPLE_MS = Math.round(Math.min(10000, Math.max(2000, SECONDS * 1000 / 12)));
const HOOK_INFLIGHT = 48;           // requêtes de webhook en vol au plus
const CAMPAIGN_EVERY_S = 25;        // une campagne par admin toutes les 25 s
const CAMPAIGN_SIZE = [30, 50];     // contacts par catégorie de campagne
const IMPORT_EVERY_S = 12;          // un gros import par admin toutes les 12 s
const IMPORT_ROWS = [200, 400];     // lignes d'un gros import
const AUTH_EVERY_MS = 3000;         // un cycle connexion / rafraîchissement / déconnexion
const REPLY_EVERY_MS = 500;         // une réponse de contact par le faux WhatsApp
// Numéros à échec voulu (fin 0010 : deux échecs 500 puis succès, donc deux
// reprises à +1 et +2 min ; fin 0001 : échec définitif) : 1 sur 25 chacun
// dans les catégories de campagne. Les 0010 seulement tant qu'il reste
// 4 minutes, pour que leurs reprises finissent pendant la vidange.
const FLAKY_UNTIL_S = SECONDS - 240;
const PHONE_ID = '100000000000001';
const SANDBOX_TOKEN = 'soak-' + randomBytes(12).toString('hex');
const APP_SECRET = randomBytes(24).toString('hex');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '—');
const kib = (b) => (b / 1024).toFixed(0);
const mib = (b) => (b / 1048576).toFixed(2);

// Générateur pseudo-aléatoire à graine (mulberry32).
function mulberry32(a) {
  return () => {
    a |= 0; a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(SEED);
const rint = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
const chance = (p) => rnd() < p;

// ---------------------------------------------------------------- programmes

// Copie les programmes de `src` (fcgi/cbw-*, cron/cbw-*, cli, hello) dans
// un dossier temporaire de même forme. Rend son chemin.
function snapshot(src) {
  const dst = mkdtempSync(join(tmpdir(), 'cbw-soak-bin-'));
  const files = [];
  for (const d of ['fcgi', 'cron']) {
    for (const f of readdirSync(join(src, d))) if (/^cbw-[a-z]+$/.test(f)) files.push(join(d, f));
  }
  files.push('cli/chatbot-whatsapp-admin');
  if (existsSync(join(src, 't/bench/cbw-hello'))) files.push('t/bench/cbw-hello');
  for (const f of files) {
    mkdirSync(dirname(join(dst, f)), { recursive: true });
    copyFileSync(join(src, f), join(dst, f));
    chmodSync(join(dst, f), 0o755);
  }
  return dst;
}

const BIN = snapshot(SRC_BUILD);
process.env.CBW_BUILD = BIN;
const { startStack, login, createUser, badLogLines, cli } = await import('../lib/stack.mjs');

// ---------------------------------------------------------------- mesures HTTP

const M = {
  kinds: new Map(),        // sorte → { n, lat: [], s5xx, unexpected, errors }
  routes: new Map(),       // « MÉTHODE /chemin/{id} » → { n, codes: {} }
  unexpected: new Map(),   // « route statut » → { n, samples: [] }
  errors: new Map(),       // « route code » → { n, sample }
  retried: 0,              // connexions gardées fermées par lighttpd, refaites
};

const routeOf = (method, path) => `${method} ${path.split('?')[0].replace(/\/\d+(?=\/|$)/g, '/{id}')}`;

function kindStat(kind) {
  let k = M.kinds.get(kind);
  if (!k) M.kinds.set(kind, k = { n: 0, lat: [], s5xx: 0, unexpected: 0, errors: 0 });
  return k;
}

// Enregistre une réponse (ou une erreur de transport si status = 0).
function note(kind, route, status, ms, expect, text, err) {
  const k = kindStat(kind);
  k.n++;
  k.lat.push(ms);
  let r = M.routes.get(route);
  if (!r) M.routes.set(route, r = { n: 0, codes: {} });
  r.n++;
  if (!status) {
    k.errors++;
    const key = `${route} ${err.code || err.message}`;
    const e = M.errors.get(key) || { n: 0, sample: String(err.message || err) };
    e.n++;
    M.errors.set(key, e);
    return;
  }
  r.codes[status] = (r.codes[status] || 0) + 1;
  if (status >= 500) k.s5xx++;
  if (!expect.includes(status)) {
    k.unexpected++;
    const key = `${route} → ${status}`;
    const u = M.unexpected.get(key) || { n: 0, samples: [] };
    u.n++;
    if (u.samples.length < 3) u.samples.push(String(text).replace(/\s+/g, ' ').slice(0, 240));
    M.unexpected.set(key, u);
  }
}

const appAgent = new Agent({ keepAlive: true, maxSockets: 64 });
const hookAgent = new Agent({ keepAlive: true, maxSockets: HOOK_INFLIGHT });

// Une requête brute. Rend { status, headers, text } ; rejette sur une erreur
// de transport (err.reused : la connexion était une connexion gardée).
function once(url, method, headers, body, agent, timeoutMs) {
  return new Promise((ok, ko) => {
    const r = httpRequest(url, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => { e.reused = false; ko(e); });
    });
    r.setTimeout(timeoutMs, () => r.destroy(Object.assign(new Error(`pas de réponse en ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    r.on('error', (e) => { e.reused = r.reusedSocket; ko(e); });
    r.end(body);
  });
}

// Requête vers `base` comptée sous `kind` (track=false : non comptée).
// opts : token, cookie, json, body, headers, expect (statuts attendus,
// [200] par défaut), agent. Rend { status, headers, text, json } ; status
// 0 sur une erreur de transport (comptée).
async function req(base, method, path, { kind, token, cookie, json, body, headers = {}, expect = [200], agent = appAgent, track = true, timeoutMs = 60000 } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (cookie) h.Cookie = cookie;
  if (json !== undefined) { h['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
  if (body !== undefined) h['Content-Length'] = Buffer.byteLength(body);
  const route = routeOf(method, path);
  const t0 = performance.now();
  let res, err;
  try {
    res = await once(base + path, method, h, body, agent, timeoutMs);
  } catch (e) {
    // Connexion gardée que lighttpd venait de fermer (la requête n'a pas
    // été lue) : un seul nouvel essai, comme un navigateur.
    if (e.reused && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
      M.retried++;
      try { res = await once(base + path, method, h, body, agent, timeoutMs); } catch (e2) { err = e2; }
    } else err = e;
  }
  const ms = performance.now() - t0;
  if (track) note(kind || route, route, res ? res.status : 0, ms, expect, res ? res.text : '', err);
  if (!res) return { status: 0, headers: {}, text: '', json: null, err };
  let parsed = null;
  if (/json/.test(res.headers['content-type'] || '')) { try { parsed = JSON.parse(res.text); } catch { /* corps illisible */ } }
  return { ...res, json: parsed };
}

// Corps multipart/form-data (champs puis fichier). Rend { body, type }.
function multipart(fields, csv) {
  const b = 'cbwsoak' + randomBytes(8).toString('hex');
  const parts = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="contacts.csv"\r\nContent-Type: text/csv\r\n\r\n`));
  parts.push(Buffer.from(csv, 'utf8'), Buffer.from(`\r\n--${b}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${b}` };
}

// Cookies posés par une réponse node:http : { nom: valeur }.
function cookiesOf(res) {
  const out = {};
  for (const line of [].concat(res.headers['set-cookie'] || [])) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return out;
}
const csrfOf = (html) => (html.match(/<input type="hidden" name="csrf" value="([^"]*)">/) || [])[1];

// ---------------------------------------------------------------- processus

// sqlite3 sans bloquer la boucle d'événements. Rend les lignes (objets).
function sqlAsync(db, q) {
  return new Promise((ok, ko) => {
    execFile('sqlite3', ['-json', '-cmd', '.timeout 10000', db, q], { encoding: 'utf8', maxBuffer: 256 * 1048576 }, (e, out) => {
      if (e) ko(e); else ok(out.trim() ? JSON.parse(out) : []);
    });
  });
}

// Mémoire et descripteurs d'un processus : { rss, anon (Kio), fds, cpu (s) }
// ou null s'il n'existe plus.
function procInfo(pid) {
  try {
    const st = readFileSync(`/proc/${pid}/status`, 'utf8');
    const f = (k) => Number((st.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm')) || [0, 0])[1]);
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / 100;
    return { rss: f('VmRSS'), anon: f('RssAnon'), fds, cpu };
  } catch {
    return null;
  }
}

// Enfants directs d'un processus : [{ pid, comm }].
function children(ppid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppidOf = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppidOf === ppid) out.push({ pid: Number(d), comm });
    } catch { /* parti entre-temps */ }
  }
  return out;
}

// État du WAL d'après son en-tête (format documenté de SQLite) : taille du
// fichier, sel 1 (augmenté de 1 chaque fois que le WAL repart du début
// après un point de contrôle complet ; le « numéro de point de contrôle »
// de l'en-tête, lui, est compté par connexion et ne sert pas ici) et
// nombre de trames vivantes (celles dont les sels sont ceux de l'en-tête ;
// au-delà, ce sont des restes d'une génération précédente). Rend
// { size, seq (sel 1), frames }.
function walState(file) {
  const out = { size: fileSize(file), seq: null, frames: 0 };
  let fd;
  try {
    fd = openSync(file, 'r');
    const h = Buffer.alloc(32);
    if (readSync(fd, h, 0, 32, 0) < 32) return out;
    const page = h.readUInt32BE(8), s1 = h.readUInt32BE(16), s2 = h.readUInt32BE(20);
    out.seq = s1;
    const f = Buffer.alloc(24);
    for (let off = 32; off + 24 + page <= out.size; off += 24 + page) {
      if (readSync(fd, f, 0, 24, off) < 24 || f.readUInt32BE(8) !== s1 || f.readUInt32BE(12) !== s2) break;
      out.frames++;
    }
  } catch { /* pas (encore) de WAL */ } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return out;
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const fileSize = (f) => { try { return statSync(f).size; } catch { return 0; } };

// ---------------------------------------------------------------- données

const FIRST = ['Hélène', 'François', 'Zoé', 'Chloé', 'Léa', 'Jérôme', 'Agnès', 'Anaïs', 'Gaëlle', 'Noël',
  'Benoît', 'Céline', 'Mélanie', 'Stéphane', 'Marie', 'Jean', 'Pierre', 'Camille', 'Manon', 'Lucas'];
const LAST = ['Lefèvre', 'Dupont', 'Martin', 'Bernard', 'Thomas', 'Petit', 'Durand', 'Dubois', 'Moreau',
  'Laurent', 'Simon', 'Guérin', 'Müller', 'Girard', 'Bonnet', 'Côté', 'Gagné', 'Saint-Étienne'];

// Numéros uniques sur toute l'endurance (ceux du remplissage initial
// sont des +336). Normaux : +337 HHHH TTTT avec TTTT dans 1000…9999
// (jamais un mode d'échec du faux WhatsApp). Échecs voulus : +339 HHHH
// puis la fin du mode (0001, 0010).
let normalSeq = 0, faultSeq = 0;
const normalNumber = () => { const n = normalSeq++; return `+337${String(Math.floor(n / 9000)).padStart(4, '0')}${1000 + (n % 9000)}`; };
const faultNumber = (end) => `+339${String(faultSeq++).padStart(4, '0')}${end}`;
const faults = { permanent: new Set(), flaky: new Set() };   // numéros (chiffres seuls)

// Gros import : n lignes, quelques-unes fausses. Rend { csv, good }.
function bigCsv(n) {
  const lines = ['Prénom;Nom;Téléphone'];
  let good = 0;
  const bad = ['abc;Lettres;{n}', '06 12;Court;{n}', ';Vide;{n}', '+999 123 456;Pays;{n}', `${'n'.repeat(101)};Long;{n}`];
  for (let i = 0; i < n; i++) {
    if (chance(0.03)) { lines.push(pick(bad).replace('{n}', String(i))); continue; }
    const named = chance(0.7);
    lines.push(`${named ? pick(FIRST) : ''};${named ? pick(LAST) : ''};${normalNumber()}`);
    good++;
  }
  return { csv: lines.join('\r\n') + '\r\n', good };
}

// Import d'une catégorie de campagne : n contacts dont quelques numéros à
// échec voulu. Rend { csv, good }.
function campaignCsv(n, elapsedS) {
  const lines = ['téléphone;prénom;nom'];
  for (let i = 0; i < n; i++) {
    let number;
    if (chance(0.04)) { number = faultNumber('0001'); faults.permanent.add(number.slice(1)); }
    else if (elapsedS < FLAKY_UNTIL_S && chance(0.04)) { number = faultNumber('0010'); faults.flaky.add(number.slice(1)); }
    else number = normalNumber();
    lines.push(`${number};${pick(FIRST)};${pick(LAST)}`);
  }
  return { csv: lines.join('\n') + '\n', good: n };
}

// ---------------------------------------------------------------- démarrage

const W = mkdtempSync(join(tmpdir(), 'cbw-soak-'));
const t00 = Date.now();
let s = null, sandboxProc = null, sandboxBase = null;
const sandboxErr = { lines: 0, non200: {}, unreachable: 0, other: [] };

// Faux WhatsApp dans son propre processus (sa mémoire est mesurée à part
// et il n'a pas à partager la boucle d'événements du générateur de charge).
async function startSandboxProc() {
  const log = createWriteStream(join(W, 'sandbox.log'));
  const p = spawn(process.execPath, [join(ROOT, 't/sandbox/sandbox.mjs'), '--port', '0', '--token', SANDBOX_TOKEN,
    '--phone-id', PHONE_ID, '--app-secret', APP_SECRET, '--status-delays', 'sent:100,delivered:300,read:1500',
    '--status-chaos', `duplicate:0.05,shuffle:0.1,seed:${SEED}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  p.stderr.on('data', (d) => {
    log.write(d);
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      sandboxErr.lines++;
      const m = line.match(/webhook HTTP (\d+)/);
      if (m) sandboxErr.non200[m[1]] = (sandboxErr.non200[m[1]] || 0) + 1;
      else if (/injoignable/.test(line)) sandboxErr.unreachable++;
      else if (sandboxErr.other.length < 5) sandboxErr.other.push(line.slice(0, 300));
    }
  });
  const url = await new Promise((ok, ko) => {
    let out = '';
    const t = setTimeout(() => ko(new Error('le faux WhatsApp n\'a pas démarré')), 10000);
    p.stdout.on('data', (d) => {
      out += d;
      log.write(d);
      const m = out.match(/SANDBOX_READY (http\S+)/);
      if (m) { clearTimeout(t); ok(m[1]); }
    });
    p.on('exit', (code) => ko(new Error(`faux WhatsApp sorti (code ${code})`)));
  });
  sandboxProc = p;
  return url;
}

// Arrête tout ce qui a été lancé (sur erreur ou Ctrl-C).
let cronStop = false, senderProc = null, running = false;
async function teardown() {
  running = false;
  cronStop = true;
  if (senderProc && senderProc.exitCode === null) senderProc.kill('SIGTERM');
  appAgent.destroy();
  hookAgent.destroy();
  if (s) { try { await s.stop(); } catch (e) { console.error(String(e.message || e)); } s = null; }
  if (sandboxProc && sandboxProc.exitCode === null) sandboxProc.kill('SIGTERM');
}
// Sortie sur une erreur imprévue : ne laisser ni lighttpd, ni le faux
// WhatsApp, ni un cbw-sender derrière soi.
process.on('exit', () => {
  for (const p of [senderProc, sandboxProc, s?.proc]) {
    try { if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGTERM'); } catch { /* déjà parti */ }
  }
});
process.on('SIGINT', async () => { process.env.CBW_KEEP = '1'; await teardown(); console.error(`interrompu ; dossiers gardés : ${W}`); process.exit(130); });

console.log(`chatbot-whatsapp soak — ${new Date().toISOString()} — ${SECONDS} s (mise en route ${fmt(WARM_S, 0)} s), ` +
  `${ADMINS} admins, webhooks ${HOOK_RATE}/s, envoi ${SEND_RATE}/min, graine ${SEED}`);
console.log(`programmes : copie de ${SRC_BUILD} dans ${BIN} ; dossier de travail ${W}`);

sandboxBase = await startSandboxProc();
s = await startStack({
  config: {
    GRAPH_BASE_URL: sandboxBase, WHATSAPP_ACCESS_TOKEN: SANDBOX_TOKEN, WHATSAPP_PHONE_NUMBER_ID: PHONE_ID,
    WHATSAPP_APP_SECRET: APP_SECRET, SEND_RATE_PER_MINUTE: String(SEND_RATE),
    // Le limiteur par IP (100/min par défaut) transformerait la charge,
    // qui vient toute de 127.0.0.1, en 429 : coupé, comme derrière un
    // mandataire de confiance.
    RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warning',
  },
});
const base = s.base;
const hookUrl = `${base}/api/webhooks/whatsapp`;
{
  const r = await req(sandboxBase, 'POST', '/__sandbox/config', { json: { webhook_url: hookUrl }, track: false });
  if (r.status !== 200) throw new Error(`configuration du faux WhatsApp : ${r.status} ${r.text}`);
}
console.log(`pile : ${base} (dossier ${s.dir}) ; faux WhatsApp : ${sandboxBase} ; machine : ${cpus().length} cœurs, charge ${loadavg()}`);

// ---------------------------------------------------------------- admins

// Session HTML d'un compte : { cookie, csrf }.
async function htmlSession(email, password, kind = 'connexion HTML') {
  const page = await req(base, 'GET', '/login', { kind });
  const pre = cookiesOf(page).cbw_pre;
  const csrf = csrfOf(page.text);
  if (page.status !== 200 || !pre || !csrf) return null;
  const body = new URLSearchParams({ csrf, email, password }).toString();
  const r = await req(base, 'POST', '/login', { kind, body, cookie: `cbw_pre=${pre}`, expect: [303],
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  const sess = cookiesOf(r).cbw_session;
  if (r.status !== 303 || !sess) return null;
  const cookie = `cbw_session=${sess}`;
  const dash = await req(base, 'GET', '/dashboard', { kind, cookie });
  return { cookie, csrf: csrfOf(dash.text) };
}

const su = await login(s);
const admins = [];
for (let i = 1; i <= ADMINS; i++) {
  const email = `soak${i}@test.com`;
  const u = await createUser(s, su.access_token, email, 'password123');
  const t = await login(s, email, 'password123');
  const h = await htmlSession(email, 'password123', 'mise en place');
  if (!h) throw new Error(`session HTML de ${email} impossible`);
  admins.push({ i, email, id: u.id, token: t.access_token, cookie: h.cookie, contacts: 0, cats: [], camps: [], single: [] });
}

// Remplissage initial du premier admin, WAL recopié et vidé ensuite.
let seedMax = 0, seedOut = 'aucun (CBW_SOAK_SEED_MESSAGES=0)', seededPool = [];
if (SEED_MESSAGES > 0) {
  const t = performance.now();
  seedOut = cli(s, ['seed', '--messages', String(SEED_MESSAGES), '--admin', admins[0].email, '--campaigns', String(Math.max(10, Math.round(SEED_MESSAGES / 1000))), '--days', '30']).trim();
  await sqlAsync(s.db, 'PRAGMA wal_checkpoint(TRUNCATE)');
  seedMax = (await sqlAsync(s.db, 'SELECT coalesce(max(id), 0) AS n FROM messages'))[0].n;
  admins[0].contacts = (await sqlAsync(s.db, `SELECT count(*) AS n FROM contacts WHERE created_by = ${admins[0].id}`))[0].n;
  admins[0].camps = (await sqlAsync(s.db, `SELECT id FROM campaigns WHERE created_by = ${admins[0].id} ORDER BY random() LIMIT 50`)).map((r) => r.id);
  admins[0].cats = (await sqlAsync(s.db, `SELECT id FROM categories WHERE created_by = ${admins[0].id}`)).map((r) => r.id);
  seededPool = await sqlAsync(s.db, `SELECT m.whatsapp_message_id AS wamid, substr(k.full_number, 2) AS "to" FROM messages m
    JOIN contacts k ON k.id = m.contact_id WHERE m.whatsapp_message_id IS NOT NULL ORDER BY random() LIMIT 20000`);
  seedOut += ` (${fmt((performance.now() - t) / 1000, 1)} s avec le point de contrôle ; base ${mib(fileSize(s.db))} Mio)`;
  console.log(`remplissage : ${seedOut}`);
}

// ---------------------------------------------------------------- charge

const T0 = performance.now();
const elapsedS = () => (performance.now() - T0) / 1000;
running = true;
const counts = { imports: 0, importRows: 0, importCreated: 0, importRejected: 0, importAnomalies: [],
  campaigns: 0, campaignRecipients: 0, replies: 0, dupReplies: 0, reactions: 0, stops: 0,
  hooksSent: 0, hookStatuses: 0, hookLate: 0, hookKnown: 0 };

// Attente interruptible (se termine tôt quand la charge s'arrête).
async function nap(ms) {
  const end = performance.now() + ms;
  while (running && performance.now() < end) await sleep(Math.min(250, end - performance.now()));
}

// Lectures variées d'un admin (API et pages HTML), sans pause longue.
async function browser(a) {
  const A = { token: a.token };
  const C = { cookie: a.cookie };
  const today = new Date().toISOString().slice(0, 10);
  const ops = [
    [6, () => { const pages = Math.max(1, Math.ceil(a.contacts / 20)); return req(base, 'GET', `/api/contacts?page=${rint(1, Math.min(pages, 500))}`, { kind: 'GET liste des contacts (pages)', ...A }); }],
    [2, () => { const pp = pick([20, 50]); const pages = Math.max(1, Math.ceil(a.contacts / pp)); return req(base, 'GET', `/api/contacts?per_page=${pp}&page=${rint(1, pages)}`, { kind: 'GET liste des contacts (pages)', ...A }); }],
    [5, () => req(base, 'GET', `/api/contacts?q=${encodeURIComponent(pick([pick(FIRST), pick(LAST), pick(FIRST).toLowerCase(), String(rint(1000, 9999)), `06${rint(10, 99)}`, pick(LAST).slice(0, 3)]))}`, { kind: 'GET recherche de contacts (q)', ...A })],
    [2, () => req(base, 'GET', '/api/categories', { kind: 'GET catégories', ...A })],
    [1, () => (a.cats.length ? req(base, 'GET', `/api/categories/${pick(a.cats)}`, { kind: 'GET catégories', ...A }) : null)],
    [2, () => req(base, 'GET', `/api/campaigns${chance(0.5) ? '' : `?status=${pick(['sending', 'completed', 'draft'])}`}`, { kind: 'GET campagnes', ...A })],
    [2, () => (a.camps.length ? req(base, 'GET', `/api/campaigns/${pick(a.camps)}${chance(0.5) ? '/stats' : ''}`, { kind: 'GET campagnes', ...A }) : null)],
    [3, () => {
      const f = [];
      if (chance(0.5)) f.push(`status=${pick(['sent', 'delivered', 'read', 'failed', 'pending'])}`);
      if (a.camps.length && chance(0.4)) f.push(`campaign_id=${pick(a.camps)}`);
      if (chance(0.2)) f.push(`message_type=${pick(['message_1', 'message_2'])}`);
      if (chance(0.2)) f.push(`q=${encodeURIComponent(pick(FIRST))}`);
      if (chance(0.2)) f.push(`from=${today}&to=${today}`);
      if (chance(0.3)) f.push(`page=${rint(1, 3)}`);
      return req(base, 'GET', `/api/messages${f.length ? '?' + f.join('&') : ''}`, { kind: 'GET messages (filtres)', ...A });
    }],
    [1, () => req(base, 'GET', `/api/messages/stats${a.camps.length && chance(0.3) ? `?campaign_id=${pick(a.camps)}` : ''}`, { kind: 'GET statistiques (API)', ...A })],
    [2, () => req(base, 'GET', '/dashboard', { kind: 'GET /dashboard (HTML)', ...C })],
    [2, () => req(base, 'GET', `/statistics${chance(0.5) ? `?status=${pick(['sent', 'failed', 'read'])}` : ''}`, { kind: 'GET /statistics (HTML)', ...C })],
    [2, () => req(base, 'GET', pick(['/contacts', `/contacts?q=${encodeURIComponent(pick(LAST))}`, '/categories', '/campaigns',
      ...(a.camps.length ? [`/campaigns/${pick(a.camps)}`] : [])]), { kind: 'GET autres pages HTML', ...C })],
    [1, () => req(base, 'GET', '/api/auth/me', { kind: 'GET /api/auth/me', ...A })],
    [0.3, () => (a.camps.length ? req(base, 'GET', `/api/campaigns/${pick(a.camps)}/export`, { kind: 'GET exports CSV', ...A }) : null)],
    [0.3, () => (a.cats.length ? req(base, 'GET', `/api/contacts/export?category_id=${pick(a.cats)}`, { kind: 'GET exports CSV', ...A }) : null)],
  ];
  const total = ops.reduce((x, o) => x + o[0], 0);
  while (running) {
    let r = rnd() * total;
    const op = ops.find((o) => (r -= o[0]) < 0) || ops[0];
    await op[1]();
    await nap(rint(50, 250));
  }
}

// Écritures d'un admin : contacts un par un (création, modification,
// suppression de contacts hors campagne) et gros imports CSV.
async function writer(a) {
  let nextImport = performance.now() + rint(0, IMPORT_EVERY_S * 1000);
  while (running) {
    if (performance.now() >= nextImport) {
      nextImport += IMPORT_EVERY_S * 1000;
      const { csv, good } = bigCsv(rint(...IMPORT_ROWS));
      const rows = csv.split('\r\n').length - 2;
      const mp = multipart({ default_country_code: '+33', on_duplicate: 'skip' }, csv);
      const r = await req(base, 'POST', '/api/contacts/import', { kind: 'POST import CSV', token: a.token, body: mp.body, headers: { 'Content-Type': mp.type } });
      counts.imports++;
      counts.importRows += rows;
      if (r.status === 200 && r.json) {
        counts.importCreated += r.json.created;
        counts.importRejected += r.json.rejected_count;
        a.contacts += r.json.created;
        if (r.json.created !== good || r.json.created + r.json.rejected_count !== rows) {
          counts.importAnomalies.push(`${a.email} : ${rows} lignes, ${good} bonnes, créés ${r.json.created}, rejetés ${r.json.rejected_count}`);
        }
      }
      continue;
    }
    const op = rnd();
    if (op < 0.6 || a.single.length === 0) {
      const json = { country_code: '+33', phone_number: normalNumber().slice(3), first_name: pick(FIRST), last_name: pick(LAST) };
      if (a.cats.length && chance(0.3)) json.category_ids = [pick(a.cats)];
      const r = await req(base, 'POST', '/api/contacts', { kind: 'POST contact', token: a.token, json, expect: [201] });
      if (r.status === 201 && r.json) { a.single.push(r.json.id); a.contacts++; }
    } else if (op < 0.85) {
      const id = pick(a.single);
      await req(base, 'PUT', `/api/contacts/${id}`, { kind: 'PUT contact', token: a.token, json: { first_name: pick(FIRST), last_name: pick(LAST) } });
    } else {
      // Suppression d'un contact créé un par un (jamais dans une campagne :
      // ses messages partiraient avec lui).
      const idx = Math.floor(rnd() * a.single.length);
      const [id] = a.single.splice(idx, 1);
      const r = await req(base, 'DELETE', `/api/contacts/${id}`, { kind: 'DELETE contact', token: a.token, expect: [204] });
      if (r.status === 204) a.contacts--;
    }
    await nap(rint(1500, 3500));
  }
}

// Campagnes d'un admin : import d'une catégorie de quelques dizaines de
// contacts (category_name), puis campagne lancée (directement, ou
// brouillon puis /launch), avec un Message 2 le plus souvent.
let campSeq = 0;
async function campaigner(a) {
  await nap(1000 + a.i * 1500);
  while (running) {
    const t = performance.now();
    const n = ++campSeq;
    const { csv } = campaignCsv(rint(...CAMPAIGN_SIZE), elapsedS());
    const mp = multipart({ default_country_code: '+33', category_name: `Soak ${n}`, on_duplicate: 'skip' }, csv);
    const imp = await req(base, 'POST', '/api/contacts/import', { kind: 'POST import CSV (catégorie de campagne)', token: a.token, body: mp.body, headers: { 'Content-Type': mp.type } });
    const cat = imp.json?.category?.id;
    if (imp.status === 200 && cat) {
      a.cats.push(cat);
      a.contacts += imp.json.created;
      const json = {
        name: `Soak ${n}`, category_ids: [cat],
        message_1: `Bonjour {{first_name}}, offre soak n°${n} : https://exemple.fr/soak/${n}`,
        ...(chance(0.8) ? { message_2: `Merci {{first_name}} ! Détails de l'offre n°${n} : https://exemple.fr/soak/${n}/details` } : {}),
      };
      const direct = chance(0.75);
      let r = await req(base, 'POST', '/api/campaigns', { kind: 'POST campagne (création + lancement)', token: a.token, json: { ...json, launch: direct }, expect: [201] });
      if (r.status === 201 && r.json) {
        a.camps.push(r.json.id);
        if (!direct) r = await req(base, 'POST', `/api/campaigns/${r.json.id}/launch`, { kind: 'POST campagne (création + lancement)', token: a.token });
        counts.campaigns++;
        counts.campaignRecipients += r.json?.total_recipients || 0;
      }
    }
    await nap(CAMPAIGN_EVERY_S * 1000 - (performance.now() - t));
  }
}

// Cycles de session : connexion API, /me, rafraîchissement, déconnexion ;
// un cycle sur trois par le formulaire HTML (connexion, tableau de bord,
// déconnexion).
async function authCycles() {
  let k = 0;
  while (running) {
    const a = admins[k % admins.length];
    if (k % 3 === 2) {
      const h = await htmlSession(a.email, 'password123', 'session HTML (connexion, tableau de bord, déconnexion)');
      if (h && h.csrf) {
        await req(base, 'POST', '/logout', { kind: 'session HTML (connexion, tableau de bord, déconnexion)', cookie: h.cookie, expect: [303],
          body: new URLSearchParams({ csrf: h.csrf }).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      }
    } else {
      const kind = 'session API (login, me, refresh, logout)';
      const l = await req(base, 'POST', '/api/auth/login', { kind, json: { email: a.email, password: 'password123' } });
      if (l.status === 200 && l.json) {
        await req(base, 'GET', '/api/auth/me', { kind, token: l.json.access_token });
        const r = await req(base, 'POST', '/api/auth/refresh', { kind, json: { refresh_token: l.json.refresh_token } });
        const tok = r.json?.access_token || l.json.access_token;
        await req(base, 'POST', '/api/auth/logout', { kind, token: tok, expect: [200, 204] });
      }
    }
    k++;
    await nap(AUTH_EVERY_MS);
  }
}

// Messages déjà envoyés (wamid connus), relus en base toutes les 3 s :
// cibles des statuts du générateur et des réponses des contacts.
let pool = [];
async function poolRefresher() {
  while (running) {
    try {
      pool = await sqlAsync(s.db, `SELECT m.id, m.whatsapp_message_id AS wamid, substr(k.full_number, 2) AS "to",
        m.message_type AS type, coalesce(c.message_2, '') <> '' AS m2, k.opted_out_at IS NOT NULL AS out
        FROM messages m JOIN contacts k ON k.id = m.contact_id JOIN campaigns c ON c.id = m.campaign_id
        WHERE m.whatsapp_message_id IS NOT NULL AND m.id > ${seedMax} ORDER BY m.id DESC LIMIT 800`);
    } catch (e) {
      console.error(`lecture des wamid : ${e.message}`);
    }
    await nap(3000);
  }
}

// Réponses des contacts par le faux WhatsApp (POST /__sandbox/webhook) :
// texte (Message 2), parfois deux fois (idempotence), réaction, ou STOP.
// Le statut HTTP rendu par l'application est compté comme un webhook.
const replied = new Set(), stopped = new Set();
async function replier() {
  await nap(2000);
  while (running) {
    const cands = pool.filter((m) => m.type === 'message_1' && m.m2 && !m.out && !stopped.has(m.to));
    if (cands.length) {
      const m = pick(cands);
      let wreq, what;
      if (chance(0.03) && !replied.has(m.to)) {
        wreq = { kind: 'reply', from: m.to, text: pick(['STOP', 'stop', 'Arrêt']) };
        stopped.add(m.to);
        counts.stops++;
        what = 'STOP';
      } else if (chance(0.1)) {
        wreq = { kind: 'reaction', from: m.to, message_id: m.wamid, emoji: '👍' };
        counts.reactions++;
        what = 'réaction';
      } else {
        if (replied.has(m.to)) counts.dupReplies++;
        wreq = { kind: 'reply', from: m.to, text: pick(['Oui, ça m\'intéresse', 'Comment ça marche ?', 'Merci 🙂', 'Je veux bien']), context_id: m.wamid };
        counts.replies++;
        what = 'réponse';
      }
      if (what !== 'STOP') replied.add(m.to);
      const r = await req(sandboxBase, 'POST', '/__sandbox/webhook', { json: wreq, track: false });
      // Le faux WhatsApp rend { status: statut de l'application } (ou 502 s'il ne l'a pas jointe).
      const appStatus = r.status === 200 && r.json ? r.json.status : 0;
      note(`webhook ${what} (par le faux WhatsApp)`, 'POST /api/webhooks/whatsapp', appStatus, 0, [200], r.text,
        appStatus ? null : { code: `faux WhatsApp ${r.status}`, message: r.text.slice(0, 200) });
      if (chance(0.1) && what === 'réponse') await nap(200);
    }
    await nap(REPLY_EVERY_MS);
  }
}

// Générateur de webhooks de statut signés à HOOK_RATE par seconde : un
// statut delivered/read pour un wamid connu (70 %), un wamid inconnu
// (20 %), un lot de 5 statuts (10 %). Un départ manqué parce que
// HOOK_INFLIGHT requêtes sont déjà en vol est compté « en retard ».
function hookBody(statuses) {
  const payload = {
    object: 'whatsapp_business_account',
    entry: [{ id: '200000000000001', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000001', phone_number_id: PHONE_ID },
      statuses: statuses.map((x) => ({ id: x.wamid, status: x.status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: x.to,
        conversation: { id: 'soak' + x.to.slice(-6), origin: { type: 'marketing' } }, pricing: { billable: true, pricing_model: 'PMP', category: 'marketing' } })),
    } }] }],
  };
  const bytes = Buffer.from(JSON.stringify(payload));
  return { bytes, sig: 'sha256=' + createHmac('sha256', APP_SECRET).update(bytes).digest('hex') };
}
function oneStatus() {
  if (pool.length && chance(0.78)) {
    counts.hookKnown++;
    // Un sur trois vers un message du remplissage initial, pris au hasard
    // dans toute la base.
    const m = seededPool.length && chance(0.33) ? pick(seededPool) : pick(pool);
    return { wamid: m.wamid, to: m.to, status: pick(['delivered', 'read', 'read', 'delivered', 'sent']) };
  }
  return { wamid: 'wamid.soak' + randomBytes(18).toString('base64url'), to: `3369${rint(1000000, 9999999)}`, status: pick(['sent', 'delivered', 'read']) };
}
async function hookGenerator() {
  let sent = 0, inflight = 0;
  const t0 = performance.now();
  const fire = async () => {
    const list = chance(0.1) ? Array.from({ length: 5 }, oneStatus) : [oneStatus()];
    const { bytes, sig } = hookBody(list);
    counts.hookStatuses += list.length;
    inflight++;
    await req(base, 'POST', '/api/webhooks/whatsapp', { kind: 'webhook statuts signés (générateur)', agent: hookAgent, body: bytes,
      headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': sig } });
    inflight--;
  };
  const pending = new Set();
  while (running) {
    const due = Math.floor((performance.now() - t0) / 1000 * HOOK_RATE);
    while (sent < due) {
      sent++;
      if (inflight >= HOOK_INFLIGHT) { counts.hookLate++; continue; }
      counts.hooksSent++;
      const p = fire();
      pending.add(p);
      p.finally(() => pending.delete(p));
    }
    await sleep(10);
  }
  await Promise.all(pending);
}

// ---------------------------------------------------------------- cron

const cronRuns = { retry: 0, sender: 0, bad: [] };
const cronLog = createWriteStream(join(W, 'cron.log'));
let senderPeak = 0;
function runCron(name, args) {
  return new Promise((ok) => {
    const p = spawn(join(BIN, 'cron', name), args, { env: { ...process.env, ...s.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    if (name === 'cbw-sender') senderProc = p;
    const t = performance.now();
    p.stdout.on('data', (d) => cronLog.write(d));
    p.stderr.on('data', (d) => cronLog.write(d));
    p.on('close', (code, signal) => {
      if (name === 'cbw-sender') senderProc = null;
      cronRuns[name === 'cbw-sender' ? 'sender' : 'retry']++;
      cronLog.write(`# ${name} ${args.join(' ')} : code ${code}${signal ? ' ' + signal : ''} en ${fmt(performance.now() - t, 0)} ms\n`);
      if (code !== 0) cronRuns.bad.push(`${name} code ${code} ${signal || ''}`);
      ok();
    });
  });
}
async function cronLoop() {
  while (!cronStop) {
    await runCron('cbw-retry', []);
    if (cronStop) break;
    await runCron('cbw-sender', ['--run-ms', String(SENDER_RUN_MS)]);
    if (!cronStop) await sleep(1000);
  }
}

// ---------------------------------------------------------------- échantillons

const samples = [];
const known = new Map();   // nom → pid du premier échantillon
const restarts = [];
function sample(phase) {
  const procs = [{ name: 'lighttpd', pid: s.proc.pid }];
  // Deux enfants de même nom (les deux « hello » du banc) : le second, par
  // ordre de pid, est nommé « nom #2 ».
  const kids = children(s.proc.pid).sort((x, y) => x.comm.localeCompare(y.comm) || x.pid - y.pid);
  const seen = {};
  for (const k of kids) {
    seen[k.comm] = (seen[k.comm] || 0) + 1;
    procs.push({ name: seen[k.comm] > 1 ? `${k.comm} #${seen[k.comm]}` : k.comm, pid: k.pid });
  }
  if (sandboxProc) procs.push({ name: 'faux WhatsApp (node)', pid: sandboxProc.pid });
  const ws = walState(`${s.db}-wal`);
  const row = { t: elapsedS(), phase, load: loadavg(), db: fileSize(s.db), wal: ws.size, walSeq: ws.seq, walFrames: ws.frames, procs: {} };
  for (const p of procs) {
    const info = procInfo(p.pid);
    if (!info) continue;
    if (known.has(p.name) && known.get(p.name) !== p.pid) restarts.push(`${p.name} : pid ${known.get(p.name)} → ${p.pid} à t=${fmt(row.t, 0)} s`);
    known.set(p.name, p.pid);
    row.procs[p.name] = { pid: p.pid, ...info };
  }
  if (senderProc) {
    const info = procInfo(senderProc.pid);
    if (info) { row.sender = info.rss; senderPeak = Math.max(senderPeak, info.rss); }
  }
  const reqs = [...M.kinds.values()].reduce((x, k) => x + k.n, 0);
  row.reqs = reqs;
  samples.push(row);
  return row;
}

// ---------------------------------------------------------------- déroulé

// Réveille chaque programme avant le premier échantillon « au repos ».
for (const a of admins.slice(0, 1)) {
  for (const p of ['/api/contacts', '/api/categories', '/api/campaigns', '/api/messages', '/api/users', '/api/auth/me']) await req(base, 'GET', p, { token: a.token, track: false });
  await req(base, 'GET', '/dashboard', { cookie: a.cookie, track: false });
  await req(base, 'GET', `/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${s.config.WHATSAPP_VERIFY_TOKEN}&hub.challenge=42`, { track: false });
}
// Plus d'une seconde sans requête : chaque programme a rendu sa mémoire
// (connexion SQLite fermée, malloc_trim), comme à la fin de l'essai.
await sleep(2500);
const idle = sample('repos');

const cron = cronLoop();
const workers = [poolRefresher(), hookGenerator(), authCycles(), replier()];
for (const a of admins) workers.push(browser(a), browser(a), writer(a), campaigner(a));
let lastPrint = 0;
const sampler = (async () => {
  while (running) {
    await sleep(SAMPLE_MS - ((performance.now() - T0) % SAMPLE_MS));
    if (!running) break;
    const r = sample(elapsedS() < WARM_S ? 'mise en route' : 'charge');
    if (r.t - lastPrint >= 59 || r.t >= SECONDS - 1) {
      lastPrint = r.t;
      const fc = Object.entries(r.procs).filter(([n]) => n.startsWith('cbw-')).map(([n, p]) => `${n.slice(4)} ${p.rss}`).join(' ');
      console.log(`t=${fmt(r.t, 0)} s  charge ${r.load}  requêtes ${r.reqs}  WAL ${mib(r.wal)} Mio (${r.walFrames} trames)  base ${mib(r.db)} Mio  RSS (Kio) lighttpd ${r.procs.lighttpd?.rss} ${fc}`);
    }
  }
})();

await sleep(SECONDS * 1000);
running = false;
const trafficS = elapsedS();
await Promise.all([...workers, sampler]);
const afterTraffic = sample('fin de charge');
console.log(`charge arrêtée à t=${fmt(trafficS, 0)} s ; vidange de l'envoi (au plus ${DRAIN_S} s)…`);

// Vidange : plus rien en attente, en cours, ni promis à une reprise.
const DRAIN_Q = `SELECT
  (SELECT count(*) FROM messages WHERE status = 'pending') AS pending,
  (SELECT count(*) FROM messages WHERE status = 'sending') AS sending,
  (SELECT count(*) FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.status = 'failed'
     AND m.retryable = 1 AND m.retry_count < 3 AND c.opted_out_at IS NULL) AS retry`;
const d0 = performance.now();
let drain;
for (;;) {
  drain = (await sqlAsync(s.db, DRAIN_Q))[0];
  if (drain.pending + drain.sending + drain.retry === 0) break;
  if ((performance.now() - d0) / 1000 > DRAIN_S) break;
  await sleep(2000);
}
const drainS = (performance.now() - d0) / 1000;
cronStop = true;
if (senderProc) senderProc.kill('SIGTERM');
await cron;
// Derniers statuts automatiques du faux WhatsApp (read à +1,5 s).
await sleep(3000);
drain = (await sqlAsync(s.db, DRAIN_Q))[0];
console.log(`vidange : ${fmt(drainS, 0)} s ; reste ${drain.pending} en attente, ${drain.sending} en cours, ${drain.retry} promis à une reprise`);

// Fin : connexions fermées, lighttpd a relâché les siennes (keep-alive 5 s).
appAgent.destroy();
hookAgent.destroy();
await sleep(6000);
const end = sample('fin (repos)');

// ---------------------------------------------------------------- bilan des messages

const sb = await req(sandboxBase, 'GET', '/__sandbox/messages', { track: false, timeoutMs: 120000 });
const sbLog = sb.json?.messages || [];
const bodyText = (b) => (b?.type === 'text' ? b.text?.body : b?.type === 'template' ? `template:${b.template?.name}:${JSON.stringify(b.template?.components || [])}` : JSON.stringify(b));
const accepted = sbLog.filter((m) => m.accepted && m.wamid);
const rows = await sqlAsync(s.db, `SELECT m.id, m.whatsapp_message_id AS wamid, m.status, m.message_type AS type, m.content,
  m.error_code AS code, m.error_message AS why, substr(k.full_number, 2) AS "to", m.campaign_id AS camp, m.contact_id AS contact
  FROM messages m JOIN contacts k ON k.id = m.contact_id WHERE m.id > ${seedMax}`);
const byWamid = new Map();
for (const r of rows) if (r.wamid) byWamid.set(r.wamid, (byWamid.get(r.wamid) || []).concat(r));
const SENT = new Set(['sent', 'delivered', 'read']);
const accSet = new Set(accepted.map((m) => m.wamid));
const missing = [], mismatch = [], notSentInDb = [];
for (const m of accepted) {
  const got = byWamid.get(m.wamid) || [];
  if (got.length !== 1) { missing.push(`${m.wamid} → ${m.to} : ${got.length} ligne(s)`); continue; }
  const r = got[0];
  if (r.to !== m.to || r.content !== bodyText(m.body)) mismatch.push(`${m.wamid} : base ${r.to} « ${r.content} », faux WhatsApp ${m.to} « ${bodyText(m.body)} »`);
  if (!SENT.has(r.status)) notSentInDb.push(`${m.wamid} → ligne ${r.id} ${r.status} ${r.why || ''}`);
}
const dbSent = rows.filter((r) => SENT.has(r.status));
const phantom = dbSent.filter((r) => !accSet.has(r.wamid)).map((r) => `ligne ${r.id} ${r.status} ${r.wamid}`);
const pairs = new Map();
for (const m of accepted) { const k = `${m.to}\u0000${bodyText(m.body)}`; pairs.set(k, (pairs.get(k) || 0) + 1); }
const dupPairs = [...pairs.entries()].filter(([, c]) => c > 1).map(([k, c]) => `${k.replace('\u0000', ' « ')} » × ${c}`);
const unknownOutcome = rows.filter((r) => r.status === 'failed' && /^Résultat inconnu/.test(r.why || ''));
const statusCount = rows.reduce((o, r) => ((o[`${r.type}/${r.status}`] = (o[`${r.type}/${r.status}`] || 0) + 1), o), {});
const attempts = (await sqlAsync(s.db, 'SELECT count(*) AS n FROM send_attempts'))[0].n;
// Numéros à échec voulu : 0001 toujours en échec (131026), 0010 envoyés après reprises.
const perm = rows.filter((r) => faults.permanent.has(r.to));
const permBad = perm.filter((r) => !(r.status === 'failed' && r.code === 131026));
const flaky = rows.filter((r) => faults.flaky.has(r.to) && r.type === 'message_1');
const flakyBad = flaky.filter((r) => !SENT.has(r.status));
const flakyRetried = flaky.filter((r) => SENT.has(r.status)).length;
// Message 2 : chaque contact qui a répondu (sans STOP) en a exactement un.
const m2 = new Map();
for (const r of rows) if (r.type === 'message_2') m2.set(r.to, (m2.get(r.to) || 0) + 1);
const m2Bad = [...replied].filter((to) => !stopped.has(to) && m2.get(to) !== 1).map((to) => `${to} : ${m2.get(to) || 0} Message 2`);
const campaignsLeft = (await sqlAsync(s.db, "SELECT count(*) AS n FROM campaigns WHERE status = 'sending'"))[0].n;
const integrity = (await sqlAsync(s.db, 'PRAGMA integrity_check')).map((r) => Object.values(r)[0]).join(' ');
const dbErrors = (() => {
  const f = join(s.dir, 'log/stderr.log');
  const lines = existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter((l) => /"level":"(error|critical|alert|emerg)"/.test(l)) : [];
  const by = {};
  for (const l of lines) { try { const o = JSON.parse(l); const k = `${o.service}: ${o.message}`; by[k] = (by[k] || 0) + 1; } catch { by[l.slice(0, 120)] = (by[l.slice(0, 120)] || 0) + 1; } }
  return { n: lines.length, by };
})();
const cronErrors = (() => {
  const f = join(W, 'cron.log');
  const lines = existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter((l) => /"level":"(error|critical|alert|emerg)"/.test(l)) : [];
  return lines;
})();
const badLines = badLogLines(s);

// ---------------------------------------------------------------- critères

const T = [];   // [critère, mesuré, limite, résultat]
const row = (crit, measured, limit, ok) => T.push([crit, measured, limit, ok === null ? 'info' : ok ? 'PASS' : 'FAIL']);
const list = (arr, n = 3) => (arr.length ? ` : ${arr.slice(0, n).join(' ; ')}${arr.length > n ? ' …' : ''}` : '');

const allReqs = [...M.kinds.values()].reduce((x, k) => x + k.n, 0);
const s5xx = [...M.routes.entries()].map(([r, v]) => [r, Object.entries(v.codes).filter(([c]) => Number(c) >= 500).reduce((x, [, n]) => x + n, 0)]).filter(([, n]) => n);
row('réponses 5xx (toutes les routes)', `${s5xx.reduce((x, [, n]) => x + n, 0)} sur ${allReqs} requêtes${list(s5xx.map(([r, n]) => `${r} ${n}`), 8)}`, '0', s5xx.length === 0);
const errs = [...M.errors.entries()];
row('erreurs de transport (reset, délai de 60 s)', `${errs.reduce((x, [, e]) => x + e.n, 0)}${list(errs.map(([k, e]) => `${k} ×${e.n}`))} ; connexions gardées refaites : ${M.retried}`, '0', errs.length === 0);
const unexp = [...M.unexpected.entries()].filter(([k]) => !/→ 5\d\d$/.test(k));
row('autres statuts inattendus (4xx…)', `${unexp.reduce((x, [, u]) => x + u.n, 0)}${list(unexp.map(([k, u]) => `${k} ×${u.n} (${u.samples[0]})`))}`, '0', unexp.length === 0);

const gen = M.kinds.get('webhook statuts signés (générateur)') || { n: 0, lat: [], unexpected: 0, errors: 0 };
const rate = gen.n / trafficS;
row(`webhooks du générateur répondus 200`, `${gen.n - gen.unexpected - gen.errors} / ${gen.n} (${counts.hookStatuses} statuts, ${counts.hookKnown} sur des wamid connus)`, 'tous', gen.unexpected + gen.errors === 0 && gen.n > 0);
row('débit du générateur de webhooks', `${fmt(rate, 1)} /s (${counts.hookLate} départs manqués : ${HOOK_INFLIGHT} requêtes déjà en vol)`, `≥ ${fmt(HOOK_RATE * 0.95, 0)} /s`, rate >= HOOK_RATE * 0.95);
const sbNon200 = Object.values(sandboxErr.non200).reduce((x, n) => x + n, 0);
row('statuts automatiques du faux WhatsApp répondus 200', `${sbNon200} non-200${list(Object.entries(sandboxErr.non200).map(([c, n]) => `HTTP ${c} ×${n}`))}, ${sandboxErr.unreachable} injoignables${list(sandboxErr.other)}`, '0', sbNon200 + sandboxErr.unreachable === 0);
const hookKinds = [...M.kinds.entries()].filter(([k]) => k.startsWith('webhook ') && k.includes('faux WhatsApp'));
const hookBad = hookKinds.reduce((x, [, k]) => x + k.unexpected + k.errors, 0);
row('réponses, réactions, STOP (webhooks par le faux WhatsApp) répondus 200', `${hookKinds.reduce((x, [, k]) => x + k.n, 0) - hookBad} / ${hookKinds.reduce((x, [, k]) => x + k.n, 0)}`, 'tous', hookBad === 0);

row('vidange de l\'envoi (en attente / en cours / reprise promise)', `${drain.pending} / ${drain.sending} / ${drain.retry} après ${fmt(drainS, 0)} s`, `0 / 0 / 0 en ≤ ${DRAIN_S} s`, drain.pending + drain.sending + drain.retry === 0);
row('envois acceptés par le faux WhatsApp = lignes « envoyées » en base (sent, delivered, read)', `${accepted.length} = ${dbSent.length}`, 'égaux', accepted.length === dbSent.length);
row('chaque envoi accepté a exactement une ligne avec son wamid (même numéro, même texte)', `${missing.length} sans ligne unique, ${mismatch.length} différentes, ${notSentInDb.length} pas « envoyées » en base${list([...missing, ...mismatch, ...notSentInDb])}`, '0', missing.length + mismatch.length + notSentInDb.length === 0);
row('aucune ligne « envoyée » sans envoi accepté (fantôme)', `${phantom.length}${list(phantom)}`, '0', phantom.length === 0);
row('aucun envoi en double (même numéro, même texte)', `${dupPairs.length}${list(dupPairs)}`, '0', dupPairs.length === 0);
row('échecs « résultat inconnu » (envoi interrompu)', `${unknownOutcome.length}${list(unknownOutcome.map((r) => `ligne ${r.id} ${r.why}`))}`, '0', unknownOutcome.length === 0);
row('appels à l\'API (journal du faux WhatsApp) = réclamations (send_attempts)', `${sbLog.length} = ${attempts}`, '(information : send_attempts est purgé après 1 h)', null);
row('Message 2 : un par contact qui a répondu (doublons de réponse compris)', `${m2Bad.length} contacts sans exactement un Message 2 sur ${[...replied].filter((t) => !stopped.has(t)).length}${list(m2Bad)}`, '0', m2Bad.length === 0);
row('numéros à échec voulu : 0001 en échec définitif (131026), 0010 envoyés après 2 reprises', `0001 : ${perm.length - permBad.length}/${perm.length} ; 0010 : ${flakyRetried}/${flaky.length}${list([...permBad, ...flakyBad].map((r) => `${r.to} ${r.status} ${r.why || ''}`))}`, 'tous', permBad.length + flakyBad.length === 0);
row('campagnes encore « sending » après la vidange', String(campaignsLeft), '0', campaignsLeft === 0);

// Mémoire et descripteurs par processus. Critère des programmes cbw-* : la RSS au repos à la
// fin (trafic arrêté, mémoire rendue après une seconde sans requête) ne
// dépasse pas de plus de 10 % celle du repos du début, prise de la même
// façon : une fuite y reste visible, tout le reste est rendu. Sous charge,
// la RSS d'un programme alterne entre connexion ouverte (cache SQLite
// plein) et connexion fermée après chaque seconde calme (lib/app.c) : la
// médiane d'une dizaine d'échantillons y tire à pile ou face ; elle est
// donnée pour information (médiane du deuxième dixième → médiane du
// dernier tiers), avec le maximum du dernier tiers et le pic. lighttpd,
// qui ne rend rien au repos, garde le critère de la médiane sous charge.
const traffic = samples.filter((x) => x.phase === 'charge' || x.phase === 'mise en route' || x.phase === 'fin de charge');
const warmRef = traffic.find((x) => x.t >= WARM_S) || traffic[0];
const warmWin = traffic.filter((x) => x.t >= WARM_S && x.t <= 2 * WARM_S + 0.5);
const lastThird = traffic.filter((x) => x.t >= SECONDS * 2 / 3);
const median = (arr) => { const a = [...arr].sort((x, y) => x - y); return a.length ? (a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2) : NaN; };
const pct = (a, b) => { const g = 100 * (a - b) / b; return `${g >= 0 ? '+' : ''}${fmt(g)} %`; };
const names = Object.keys(idle.procs);
for (const name of Object.keys(end.procs)) if (!names.includes(name)) names.push(name);
for (const name of names) {
  const w = warmRef?.procs[name];
  const e = end.procs[name];
  const lt = lastThird.map((x) => x.procs[name]).filter(Boolean);
  if (!w || !e || !lt.length) { row(`RSS et descripteurs : ${name}`, 'processus absent d\'un échantillon', '', false); continue; }
  const ww = warmWin.map((x) => x.procs[name]).filter(Boolean);
  const ref = median((ww.length ? ww : [w]).map((p) => p.rss));
  const med = median(lt.map((p) => p.rss));
  const maxLt = Math.max(...lt.map((p) => p.rss));
  const rest0 = idle.procs[name]?.rss;
  // lighttpd ne rend rien au repos (ses tampons grandissent à la mise en
  // route puis restent) : pour lui, la médiane sous charge.
  const releases = name.startsWith('cbw-');
  const growth = !releases ? 100 * (med - ref) / ref :
    rest0 ? 100 * (e.rss - rest0) / rest0 : Infinity;
  const fdOk = e.fds <= w.fds + 2;
  const tool = !(name === 'lighttpd' || name.startsWith('cbw-'));
  const peak = Math.max(...traffic.map((x) => x.procs[name]?.rss || 0));
  row(`RSS et descripteurs : ${name}${tool ? ' (outil de test)' : ''}`,
    `RSS au repos ${rest0 ?? '—'} au début → ${e.rss} Kio à la fin (**${rest0 ? pct(e.rss, rest0) : '—'}**) ; sous charge : médiane ${ref} après ` +
    `la mise en route → ${med} dernier tiers (${pct(med, ref)}), fin de mise en route ${w.rss}, max du dernier tiers ${maxLt}, pic ${peak} Kio ; ` +
    `anonyme ${idle.procs[name]?.anon ?? '—'} → ${median(ww.map((p) => p.anon))} → ${median(lt.map((p) => p.anon))} ; ` +
    `fd ${idle.procs[name]?.fds ?? '—'} au repos, ${w.fds} fin de mise en route, ${e.fds} à la fin ; CPU ${fmt(e.cpu, 1)} s`,
    `${releases ? 'RSS au repos fin ≤ début' : 'RSS médiane sous charge dernier tiers ≤ mise en route'} + 10 % ; fd fin ≤ mise en route + 2`, tool ? null : growth <= 10 && fdOk);
}
row('cbw-sender (un processus par passage) : RSS maximale vue', `${senderPeak} Kio`, '(information)', null);
row('programmes FastCGI relancés (pid changé)', `${restarts.length}${list(restarts)}`, '0', restarts.length === 0);
row('journal : plantages, « child died », sanitizers', `${badLines.length}${list(badLines)}`, '0', badLines.length === 0);

// WAL : le fichier ne rétrécit jamais (pas de journal_size_limit), sa
// taille est donc la plus haute marée. Borné = taille ≤ 64 Mio et le WAL
// repart du début (numéro de point de contrôle de l'en-tête qui augmente)
// pendant la seconde moitié ; trames vivantes : ce qui n'a pas encore
// été recopié dans la base.
const maxWal = Math.max(...samples.map((x) => x.wal));
const half = traffic.filter((x) => x.t >= SECONDS / 2);
const seqs = half.map((x) => x.walSeq).filter((v) => v !== null);
const resets = seqs.length ? (seqs[seqs.length - 1] - seqs[0]) >>> 0 : 0;
const frames = traffic.map((x) => x.walFrames);
const walOk = maxWal <= 64 * 1048576 && resets > 0;
row('WAL borné et recyclé (points de contrôle)', `fichier max ${mib(maxWal)} Mio (fin ${mib(end.wal)} Mio) ; en-tête : ${resets} redémarrages du WAL pendant la seconde moitié ` +
  `(sel 1 de l'en-tête) ; trames vivantes médiane ${median(frames)}, max ${Math.max(...frames)} ; base ${mib(idle.db)} → ${mib(end.db)} Mio`,
  '≤ 64 Mio ; recyclé pendant la seconde moitié', walOk);
row('PRAGMA integrity_check', integrity, 'ok', integrity === 'ok');
row('passages cron (cbw-retry, cbw-sender) sortis avec le code 0', `${cronRuns.retry} cbw-retry, ${cronRuns.sender} cbw-sender ; ${cronRuns.bad.length} en erreur${list(cronRuns.bad)} ; ${cronErrors.length} lignes « error » au journal`, 'tous', cronRuns.bad.length === 0);
row('lignes « error » au journal des programmes FastCGI', `${dbErrors.n}${list(Object.entries(dbErrors.by).map(([k, n]) => `${k} ×${n}`), 5)}`, '(information)', null);

// Volumes.
row('messages en base par sorte / statut', Object.entries(statusCount).sort().map(([k, n]) => `${k} ${n}`).join(', '), '(information)', null);
row('activité', `${counts.campaigns} campagnes lancées (${counts.campaignRecipients} destinataires), ${counts.imports} gros imports (${counts.importRows} lignes : ${counts.importCreated} créés, ${counts.importRejected} rejetés${counts.importAnomalies.length ? `, ${counts.importAnomalies.length} bilans inattendus` : ''}), ` +
  `${counts.replies} réponses (${counts.dupReplies} redites), ${counts.reactions} réactions, ${counts.stops} STOP ; ${accepted.length} envois acceptés, ${sbLog.length - accepted.length} refusés`, '(information)', null);
if (counts.importAnomalies.length) row('bilans d\'import inattendus', counts.importAnomalies.slice(0, 3).join(' ; '), '(information)', null);
const pctl = (arr, q) => { const a = [...arr].sort((x, y) => x - y); return a.length ? a[Math.min(a.length - 1, Math.ceil(q * a.length) - 1)] : NaN; };
for (const [kind, k] of [...M.kinds.entries()].sort((x, y) => y[1].n - x[1].n)) {
  const lat = k.lat.filter((v) => v > 0);
  row(`requêtes : ${kind}`, `${k.n} (${fmt(k.n / trafficS, 1)} /s)${lat.length ? `, p50 ${fmt(pctl(lat, 0.5))} ms, p99 ${fmt(pctl(lat, 0.99))} ms, max ${fmt(Math.max(...lat), 0)} ms` : ''}${k.s5xx ? `, ${k.s5xx} 5xx` : ''}${k.unexpected - k.s5xx > 0 ? `, ${k.unexpected - k.s5xx} inattendus` : ''}`, '(information)', null);
}
row('requêtes : total', `${allReqs} en ${fmt(trafficS, 0)} s (${fmt(allReqs / trafficS, 1)} /s)`, '(information)', null);

// ---------------------------------------------------------------- sortie

let git = '';
try { git = (await new Promise((ok) => execFile('git', ['-C', ROOT, 'describe', '--always', '--dirty'], (e, out) => ok(e ? '?' : out.trim())))); } catch { /* pas de git */ }
const failed = T.filter((r) => r[3] === 'FAIL').length;
const loads = samples.map((x) => Number(x.load.split(' ')[0]));
const head = [
  `# chatbot-whatsapp — soak (ticket 9)`,
  '',
  `${new Date(t00).toISOString()} — ${fmt(trafficS, 0)} s de trafic (mise en route ${fmt(WARM_S, 0)} s), vidange ${fmt(drainS, 0)} s ; ` +
    `${ADMINS} admins ; générateur de webhooks ${HOOK_RATE}/s ; SEND_RATE_PER_MINUTE=${SEND_RATE} ; cbw-sender --run-ms ${SENDER_RUN_MS} ; ` +
    `échantillons toutes les ${SAMPLE_MS / 1000} s ; graine ${SEED} ; git ${git}.`,
  `Remplissage initial du premier admin : ${seedOut}.`,
  `RATE_LIMIT_PER_MINUTE=0 : le limiteur par IP est coupé (toute la charge vient de 127.0.0.1 ; sinon 429 au-delà de 100 requêtes/min).`,
  `Machine : ${cpus().length} cœurs (${cpus()[0]?.model || '?'}), charge moyenne sur 1 min ${fmt(Math.min(...loads), 2)} … ${fmt(Math.max(...loads), 2)} pendant l'essai (le générateur de charge node tourne sur la même machine).`,
  '',
  '| critère | mesuré | limite | résultat |',
  '|---|---|---|---|',
  ...T.map((r) => `| ${r.map((c) => String(c).replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`),
  '',
  failed ? `**${failed} critère(s) en échec.** Dossiers gardés : ${s.dir} (pile), ${W} (soak).` : 'Tous les critères passent.',
];
const timeline = [
  '',
  '## Échantillons',
  '',
  `| t (s) | phase | charge | requêtes | base (Mio) | WAL (Mio) | WAL trames / sel 1 | ${names.map((n) => `${n} RSS/fd`).join(' | ')} |`,
  `|---:|---|---|---:|---:|---:|---:|${names.map(() => '---:').join('|')}|`,
  ...samples.map((x) => `| ${fmt(x.t, 0)} | ${x.phase} | ${x.load} | ${x.reqs} | ${mib(x.db)} | ${mib(x.wal)} | ${x.walFrames} / ${x.walSeq ?? '—'} | ${names.map((n) => (x.procs[n] ? `${x.procs[n].rss}/${x.procs[n].fds}` : '—')).join(' | ')} |`),
];
const md = head.join('\n') + '\n';
console.log('\n' + md);
mkdirSync(join(ROOT, 'build'), { recursive: true });
writeFileSync(join(ROOT, 'build/soak-summary.md'), md + timeline.join('\n') + '\n');
console.log(`(tableau et échantillons : ${join(ROOT, 'build/soak-summary.md')})`);

if (failed) process.env.CBW_KEEP = '1';
await teardown();
await new Promise((r) => setTimeout(r, 300));
if (!process.env.CBW_KEEP) {
  rmSync(W, { recursive: true, force: true });
}
rmSync(BIN, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
