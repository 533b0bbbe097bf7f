// ./dev bench : débit et latence p99 sous le même lighttpd, mesurés dans le
// même passage que la référence (programme FastCGI « hello » nu), et
// mémoire résidente de chaque processus. Puis les contacts : 100 000
// contacts importés pour un admin (POST /api/contacts/import, qui est
// aussi la mesure de l'import), liste paginée, recherche par nom et par
// chiffres, import dans un admin neuf, à côté du plancher « sqlite3
// .import » du même fichier. Enfin l'envoi (ticket 5) : exactitude du
// débit sur 10 minutes simulées (vrai cœur lib/send.c, horloge virtuelle,
// programme t/bench/cbw-send-sim) et plafond de débit du vrai cbw-sender à
// 4800/min contre le faux WhatsApp (t/sandbox). Et l'ingestion des
// webhooks de statut (ticket 6) : statuts signés postés à
// /api/webhooks/whatsapp, un par requête puis par lots de 50, à côté de la
// référence hello mesurée plus haut. Enfin les statistiques (ticket 7) :
// base remplie par « chatbot-whatsapp-admin seed » (un million de messages,
// 1000 campagnes), latences de /api/messages/stats, /dashboard,
// /statistics, de la liste filtrée et du détail d'un message, débit (wrk)
// à côté de hello, mémoire de cbw-dashboard et cbw-messages. Mesure
// seulement ; rien n'est affirmé ici (les budgets et leur respect se lisent
// dans les tableaux).
//
// CBW_BENCH_ONLY=stats,webhook… (sections contacts, envoi, webhook, stats)
// ne mesure que ces sections ; la référence hello, /api/auth/me et la
// mémoire au repos sont toujours mesurées d'abord.
//
// Chaque section range aussi ses chiffres dans `summary` (un par budget de
// DESIGN §12, plus quelques lignes d'information) ; à la fin, un seul
// tableau récapitulatif : budget | mesure | référence du même passage |
// limite | PASS/FAIL, et « N/M budgets met ». Après un passage complet
// (sans CBW_BENCH_ONLY), ce tableau et la description de la machine sont
// écrits dans BENCHMARKS.md (la partie sous KEEP_MARK, écrite à la main :
// profil, est gardée). Le code de sortie reste 0 même avec des FAIL : c'est
// un rapport.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { request as httpRequest, Agent } from 'node:http';
import { startStack, login, cli, http as rawHttp, ROOT, BUILD } from '../lib/stack.mjs';

// Le client garde ses connexions : une connexion restée inactive pendant une
// mesure wrk (> 5 s) a pu être fermée par lighttpd ; un essai de plus.
const http = (...a) => rawHttp(...a).catch(() => rawHttp(...a));
import { contactsCsv, nameTerms, digitTerms } from './contacts-data.mjs';

const DURATION = process.env.CBW_BENCH_SECONDS || '5';
const N = Number(process.env.CBW_BENCH_CONTACTS || 100000);
// Débits (/min) de la simulation de l'envoi, et arriéré du plafond réel.
const SEND_RATES = (process.env.CBW_BENCH_SEND_RATES || '25,80,600,4800').split(',').map(Number);
const SEND_BACKLOG = Number(process.env.CBW_BENCH_SEND_BACKLOG || 3000);
const HERE = dirname(fileURLToPath(import.meta.url));

// Sections à mesurer (CBW_BENCH_ONLY, liste séparée par des virgules ;
// toutes par défaut). Un nom inconnu arrête tout (faute de frappe).
const SECTIONS = ['contacts', 'envoi', 'webhook', 'stats'];
const ONLY = (process.env.CBW_BENCH_ONLY || '').split(',').map((x) => x.trim()).filter(Boolean);
for (const x of ONLY)
  if (!SECTIONS.includes(x)) throw new Error(`CBW_BENCH_ONLY : section inconnue « ${x} » (${SECTIONS.join(', ')})`);
const wanted = (name) => ONLY.length === 0 || ONLY.includes(name);

// ---- Récapitulatif (issue 9) ------------------------------------------------

// Lignes du tableau final, dans cet ordre. counted : budget de DESIGN §12
// (compté dans « N/M budgets met ») ; sinon ligne d'information.
const BUDGETS = [
  { id: 'mem-proc', counted: true, limit: '≤ 4 MiB RSS',
    label: 'Memory: each FastCGI process at rest, **RSS** (worst process, worst at-rest sample)' },
  { id: 'mem-proc-pss', counted: false, limit: '(4 MiB)',
    label: 'Memory: each FastCGI process at rest, PSS and private (information)' },
  { id: 'mem-stack', counted: true, limit: '≤ 40 MiB RSS',
    label: 'Memory: whole stack at rest (lighttpd + 8 programs), **sum of RSS**' },
  { id: 'mem-stack-pss', counted: false, limit: '(40 MiB)',
    label: 'Memory: whole stack at rest, sum of PSS (information: real footprint)' },
  { id: 'list-p99', counted: true, limit: '≤ 10 ms', section: 'contacts',
    label: '`GET /api/contacts?page=..`, 100k contacts: p99, one request at a time' },
  { id: 'list-rps', counted: true, limit: '≥ 50 % of hello', section: 'contacts',
    label: '`GET /api/contacts?page=..`, 100k contacts: throughput (wrk), worst of 4 page patterns' },
  { id: 'search-p99', counted: false, limit: '(ticket 4: ≤ 10 ms)', section: 'contacts',
    label: '`GET /api/contacts?q=..` search p99 (ticket 4, not in §12)' },
  { id: 'import', counted: true, limit: '≤ 1 s', section: 'contacts',
    label: 'CSV import of 100k rows (`POST /api/contacts/import`), worst of 2' },
  { id: 'hook-rate', counted: true, limit: '≥ 2000 /s', section: 'webhook',
    label: 'Webhook status ingest: updates/s, worst of 4 runs' },
  { id: 'hook-p99', counted: true, limit: '< 50 ms', section: 'webhook',
    label: 'Webhook status ingest: p99 per request at 2,000 updates/s offered (open loop), worst of 4 runs' },
  { id: 'stats', counted: true, limit: '≤ 50 ms', section: 'stats',
    label: 'Dashboard statistics at 1M messages: p99, worst of stats / stats filters / `/dashboard`' },
  { id: 'msg-list', counted: false, limit: '(ticket 7: ≤ 10 ms)', section: 'stats',
    label: 'Message list `?status=failed&page=90…110` p99 (ticket 7, not in §12)' },
  { id: 'send-window', counted: true, limit: '≤ rate', section: 'envoi',
    label: 'Sender: most calls in any 60 s window vs configured rate' },
  { id: 'send-use', counted: true, limit: '≥ 96 %', section: 'envoi',
    label: 'Sender: share of the allowed rate used with a backlog (10 simulated min)' },
  { id: 'send-real', counted: true, limit: '≥ 95 %', section: 'envoi',
    label: 'Sender: real `cbw-sender` at 4,800/min against the sandbox, sustained' },
];
const summary = new Map();   // id → { measured, baseline, ok }
// Range une ligne du récapitulatif. ok : true/false, ou null (information).
const budgetRow = (id, measured, baseline, ok) => {
  if (!BUDGETS.some((b) => b.id === id)) throw new Error(`budget inconnu ${id}`);
  summary.set(id, { measured, baseline, ok });
};

// Charge de la machine (/proc/loadavg : 1, 5, 15 min), relevée au début,
// au début de chaque section et à la fin.
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loadAt = [['start', loadavg()]];
const startedAt = new Date();

// Sortie d'une commande, ou '?' si elle échoue.
function sh(cmd, args) {
  try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim(); } catch (e) {
    return (e.stdout || '').trim() || '?';
  }
}

// Description de la machine et des outils : [[clé, valeur], …].
function machine() {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8');
  const model = (cpu.match(/model name\s*:\s*(.*)/) || [])[1] || '?';
  const osr = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
  const pretty = (osr.match(/^PRETTY_NAME="?([^"\n]*)"?/m) || [])[1] || '?';
  const deb = existsSync('/etc/debian_version') ? readFileSync('/etc/debian_version', 'utf8').trim() : '?';
  return [
    ['CPU', `${model} (${(cpu.match(/^processor\s*:/gm) || []).length} logical CPUs in /proc/cpuinfo)`],
    ['cores (nproc)', sh('nproc', [])],
    ['RAM', `${(totalmem() / 1073741824).toFixed(1)} GiB`],
    ['kernel', sh('uname', ['-srm'])],
    ['OS', `${pretty} (debian_version ${deb})`],
    ['lighttpd', sh('lighttpd', ['-v']).split('\n')[0]],
    ['sqlite3', sh('sqlite3', ['--version']).split(' ').slice(0, 2).join(' ')],
    ['node / wrk', `${process.version} / ${sh('wrk', ['-v']).split('\n')[0].split(' ').slice(0, 2).join(' ')}`],
    ['build', `${BUILD} (${sh('git', ['-C', ROOT, 'describe', '--always', '--dirty'])})`],
  ];
}

// Tableau récapitulatif (markdown) ; rend { table, met, judged, skipped }.
function summaryTable() {
  const cell = (v) => String(v ?? '').replace(/\|/g, '\\|');
  const lines = ['| budget | measured | baseline (same run) | limit | PASS/FAIL |', '|---|---|---|---|---|'];
  let met = 0, judged = 0, skipped = 0;
  for (const b of BUDGETS) {
    const r = summary.get(b.id);
    if (!r) {
      if (b.counted) skipped++;
      lines.push(`| ${b.label} | not measured${b.section && !wanted(b.section) ? ' (CBW_BENCH_ONLY)' : ''} | | ${b.limit} | — |`);
      continue;
    }
    let v;
    if (b.counted) { judged++; if (r.ok) met++; v = r.ok ? 'PASS' : '**FAIL**'; }
    else v = r.ok == null ? 'info' : `info (${r.ok ? 'met' : 'not met'})`;
    lines.push(`| ${b.label} | ${cell(r.measured)} | ${cell(r.baseline)} | ${b.limit} | ${v} |`);
  }
  return { table: lines.join('\n'), met, judged, skipped };
}
const KiB = (kb) => `${kb} KiB`;
const MiB = (kb) => `${(kb / 1024).toFixed(1)} MiB`;

// Lance wrk et rend { rps, p99ms, non2xx }. opts.paths : chemins parcourus
// en boucle par paths.lua (au lieu de l'adresse seule).
function wrk(url, headers = [], opts = {}) {
  const args = [`-t${opts.threads || 2}`, `-c${opts.conns || 8}`, `-d${DURATION}s`, '--latency'];
  for (const h of headers) args.push('-H', h);
  let env = process.env, tmp;
  if (opts.paths) {
    tmp = mkdtempSync(join(tmpdir(), 'cbw-wrk-'));
    writeFileSync(join(tmp, 'paths.txt'), opts.paths.join('\n') + '\n');
    env = { ...process.env, CBW_WRK_PATHS: join(tmp, 'paths.txt') };
    args.push('-s', join(HERE, 'paths.lua'));
  }
  try {
    const out = execFileSync('wrk', [...args, url], { encoding: 'utf8', env });
    const rps = Number((out.match(/Requests\/sec:\s+([\d.]+)/) || [])[1]);
    const m = out.match(/^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m);
    const unit = m ? { us: 0.001, ms: 1, s: 1000 }[m[2]] : NaN;
    const non2xx = Number((out.match(/Non-2xx or 3xx responses:\s+(\d+)/) || [0, 0])[1]);
    return { rps, p99ms: m ? Number(m[1]) * unit : NaN, non2xx };
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

// RSS (kio) de lighttpd et de ses enfants.
function rss(rootPid) {
  // « Au repos » : chaque programme rend sa mémoire après une seconde sans
  // requête (lib/app.c, IDLE_MS) ; on attend donc 2,5 s avant le relevé.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2500);
  const rows = [];
  const kids = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(rootPid)], { encoding: 'utf8' })
    .trim().split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/));
  for (const [pid, comm] of [[String(rootPid), 'lighttpd'], ...kids]) {
    const st = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const f = (k) => Number((st.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm')) || [0, 0])[1]);
    rows.push({ pid, comm, kb: f('Rss'), pss: f('Pss'), priv: f('Private_Dirty') + f('Private_Clean') });
  }
  return rows;
}

// Centile q (0..1) d'un tableau de nombres.
function pctl(arr, q) {
  const a = [...arr].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.ceil(q * a.length) - 1)];
}

// Requête HTTP par node:http (fetch garde des connexions que lighttpd ferme
// après 5 s d'inactivité, et la réutilisation échoue après une mesure wrk).
// Sans `agent` : connexion neuve, fermée ensuite. Rend { status, headers, text }.
function req(s, method, path, { headers = {}, body, agent } = {}) {
  return new Promise((ok, ko) => {
    const r = httpRequest(s.base + path, { method, headers: { ...headers, ...(agent ? {} : { Connection: 'close' }) },
      agent: agent || false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', ko);
    });
    r.on('error', ko);
    r.end(body);
  });
}

// Admin neuf (créé par le super admin) : { id, token }.
async function benchAdmin(s, su, email) {
  const json = (o) => ({ 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(JSON.stringify(o)) });
  const u = { email, password: 'password123', role: 'admin' };
  const c = await req(s, 'POST', '/api/users', { headers: { Authorization: `Bearer ${su}`, ...json(u) }, body: JSON.stringify(u) });
  if (c.status !== 201) throw new Error(`création de ${email} : ${c.status} ${c.text}`);
  const l = { email, password: 'password123' };
  const r = await req(s, 'POST', '/api/auth/login', { headers: json(l), body: JSON.stringify(l) });
  if (r.status !== 200) throw new Error(`connexion de ${email} : ${r.status} ${r.text}`);
  return { id: JSON.parse(c.text).id, token: JSON.parse(r.text).access_token };
}

// POST /api/contacts/import du fichier (multipart écrit à la main),
// chronométré de l'envoi à la fin de la réponse ; rend { ms, status, json }.
async function timedImport(s, token, csv) {
  const b = 'cbwbench' + Date.now().toString(16);
  const body = Buffer.concat([
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="contacts.csv"\r\n` +
      'Content-Type: text/csv\r\n\r\n'), csv, Buffer.from(`\r\n--${b}--\r\n`)]);
  const t0 = performance.now();
  const r = await req(s, 'POST', '/api/contacts/import', { body, headers: { Authorization: `Bearer ${token}`,
    'Content-Type': `multipart/form-data; boundary=${b}`, 'Content-Length': body.length } });
  const ms = performance.now() - t0;
  let json = null;
  try { json = JSON.parse(r.text); } catch { /* erreur */ }
  return { ms, status: r.status, json, text: r.text };
}

// Requêtes séquentielles (une à la fois, une connexion gardée) sur chaque
// terme, `rounds` fois ; rend { n, p50, p99, max, worst, avgTotal, non200 }.
async function sequential(s, token, terms, rounds = 1) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const lat = [], per = new Map();
  let totals = 0, non200 = 0;
  try {
    for (let k = 0; k < rounds; k++) {
      for (const q of terms) {
        const t0 = performance.now();
        const r = await req(s, 'GET', `/api/contacts?q=${encodeURIComponent(q)}`, { headers: { Authorization: `Bearer ${token}` }, agent });
        const ms = performance.now() - t0;
        lat.push(ms);
        if (r.status !== 200) non200++;
        else totals += JSON.parse(r.text).total;
        per.set(q, Math.max(per.get(q) || 0, ms));
      }
    }
  } finally {
    agent.destroy();
  }
  const worst = [...per.entries()].sort((a, b) => b[1] - a[1])[0];
  return { n: lat.length, p50: pctl(lat, 0.5), p99: pctl(lat, 0.99), max: Math.max(...lat), worst, avgTotal: totals / lat.length, non200 };
}

// Plancher : sqlite3 .import du même fichier dans une base neuve migrée avec
// db/migrations/*.sql (mêmes réglages WAL + synchronous=NORMAL), dans une
// table brouillon aux colonnes du fichier. Puis, pour information, la même
// copie vers contacts (déclencheurs FTS trigramme et compteurs). Temps
// murs du processus sqlite3 (ms).
function sqliteFloor(csv) {
  const dir = mkdtempSync(join(tmpdir(), 'cbw-floor-'));
  try {
    const db = join(dir, 'floor.db');
    const file = join(dir, 'contacts.csv');
    writeFileSync(file, csv);
    const mig = join(ROOT, 'db/migrations');
    for (const f of readdirSync(mig).filter((x) => x.endsWith('.sql')).sort())
      execFileSync('sqlite3', [db], { input: readFileSync(join(mig, f)) });
    execFileSync('sqlite3', [db, `PRAGMA journal_mode=WAL;
      CREATE TABLE scratch(first_name TEXT, last_name TEXT, full_number TEXT);
      INSERT INTO users(email, password_hash, role, created_at, updated_at)
        VALUES ('floor@test.com', 'x', 'admin', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z');`]);
    const run = (...cmds) => {
      const t0 = performance.now();
      execFileSync('sqlite3', ['-cmd', 'PRAGMA synchronous=NORMAL', db, ...cmds], { encoding: 'utf8' });
      return performance.now() - t0;
    };
    const importMs = run('.mode csv', '.separator ;', `.import --skip 1 ${file} scratch`);
    const rows = Number(execFileSync('sqlite3', [db, 'SELECT count(*) FROM scratch'], { encoding: 'utf8' }).trim());
    const insertMs = run(`BEGIN; INSERT INTO contacts(phone_number, country_code, full_number, first_name,
      last_name, search_key, created_by, created_at, updated_at)
      SELECT substr(full_number, 4), '+33', full_number, nullif(first_name, ''), nullif(last_name, ''),
        lower(first_name || ' ' || last_name || ' ' || substr(full_number, 2) || ' 0' || substr(full_number, 4)),
        1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z' FROM scratch; COMMIT;`);
    const copied = Number(execFileSync('sqlite3', [db, 'SELECT count(*) FROM contacts'], { encoding: 'utf8' }).trim());
    return { importMs, rows, insertMs, copied };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '—');
// Requêtes « une à la fois » par mesure de latence de la pile principale.
const SEQ_N = 1000;
const yes = (ok) => (ok ? 'oui' : '**non**');

// Référence hello (wrk) de ce passage, reprise par les sections du webhook
// et des statistiques.
let helloBaseline = null;

const s = await startStack({ config: { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warning' } });
try {
  const t = await login(s);
  // Réveille chaque programme pour mesurer une mémoire « au repos » réaliste.
  await http(s, 'GET', '/__hello');
  await http(s, 'GET', '/api/auth/me', { token: t.access_token });
  await http(s, 'GET', '/api/users', { token: t.access_token });
  await http(s, 'GET', '/login');
  await http(s, 'GET', '/api/contacts', { token: t.access_token });
  await http(s, 'GET', '/api/categories', { token: t.access_token });
  const idle = rss(s.proc.pid);
  const hello = wrk(`${s.base}/__hello`);
  helloBaseline = hello;
  await http(s, 'GET', '/__hello_fast');
  const helloFast = wrk(`${s.base}/__hello_fast`);
  const me = wrk(`${s.base}/api/auth/me`, [`Authorization: Bearer ${t.access_token}`]);
  // Référence des latences « une requête à la fois » : hello par le même
  // client Node, une connexion gardée.
  const helloSeq = await latencies(s, ['/__hello'], {}, SEQ_N, 20);
  const after = rss(s.proc.pid);

  const pct = (a, b) => (100 * a / b).toFixed(0) + ' %';
  console.log(`\nchatbot-whatsapp bench — ${new Date().toISOString()} — ${DURATION} s par mesure, wrk -t2 -c8`);
  console.log(`machine : ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cœurs, ` +
    readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)[1]);
  console.log('\n| mesure | requêtes/s | p99 (ms) | non-2xx | rapport à hello | rapport à hello rapide |');
  console.log("|---|---:|---:|---:|---:|---:|");
  console.log(`| GET /__hello (référence FastCGI nue) | ${hello.rps.toFixed(0)} | ${hello.p99ms.toFixed(2)} | ${hello.non2xx} | 100 % | ${pct(hello.rps, helloFast.rps)} |`);
  console.log(`| GET /__hello_fast (même hello, fermeture immédiate comme nos programmes) | ${helloFast.rps.toFixed(0)} | ${helloFast.p99ms.toFixed(2)} | ${helloFast.non2xx} | ${pct(helloFast.rps, hello.rps)} | 100 % |`);
  console.log(`| GET /api/auth/me (JWT + SQLite) | ${me.rps.toFixed(0)} | ${me.p99ms.toFixed(2)} | ${me.non2xx} | ${pct(me.rps, hello.rps)} | ${pct(me.rps, helloFast.rps)} |`);

  // ---- Contacts (ticket 4) : 100 000 contacts pour un admin, par l'import (mesuré).
  let end = null;
  if (wanted('contacts')) {
    loadAt.push(['contacts', loadavg()]);
    const { csv } = contactsCsv(N);
    const seed = await benchAdmin(s, t.access_token, 'bench-seed@test.com');
    const imp1 = await timedImport(s, seed.token, csv);
    if (imp1.status !== 200 || imp1.json.created !== N)
      throw new Error(`import de ${N} contacts : ${imp1.status} ${imp1.text.slice(0, 300)}`);
    const auth = [`Authorization: Bearer ${seed.token}`];
    const pages = Math.ceil(N / 20);
    const list1 = wrk(`${s.base}/api/contacts?page=1`, auth);
    const list1000 = wrk(`${s.base}/api/contacts?page=1000`, auth);
    const listLast = wrk(`${s.base}/api/contacts?page=${pages}`, auth);
    const randomPages = Array.from({ length: 1000 }, (_, i) => `/api/contacts?page=${1 + ((i * 2654435761) >>> 0) % pages}`);
    const listRand = wrk(s.base, auth, { paths: randomPages });
    // p99 du budget : une requête à la fois sur une connexion gardée (sous
    // wrk -c8 sur 2 cœurs, le p99 mesure surtout la file d'attente).
    const listSeq = await latencies(s, ['/api/contacts?page=1', '/api/contacts?page=1000', `/api/contacts?page=${pages}`,
      ...randomPages], { Authorization: `Bearer ${seed.token}` }, SEQ_N, 20);

    // Recherche : 300 termes de chaque sorte, une requête à la fois.
    const names = nameTerms(300);
    const digits = digitTerms(300, N);
    const short = ['ma', 'le', 'é', 'ju', '06', '12', '78', 'an', 'o', '3'];
    await sequential(s, seed.token, names.slice(0, 20));   // mise en route
    const seqNames = await sequential(s, seed.token, names);
    const seqDigits = await sequential(s, seed.token, digits);
    const seqShort = await sequential(s, seed.token, short, 5);
    const enc = (q) => `/api/contacts?q=${encodeURIComponent(q)}`;
    const wrkNames = wrk(s.base, auth, { paths: names.map(enc) });
    const wrkDigits = wrk(s.base, auth, { paths: digits.map(enc) });

    // Import des mêmes 100 000 lignes dans un admin neuf (base déjà remplie).
    const fresh = await benchAdmin(s, t.access_token, 'bench-import@test.com');
    const imp2 = await timedImport(s, fresh.token, csv);
    const floor = sqliteFloor(csv);
    end = rss(s.proc.pid);

    console.log(`\nContacts : ${N} contacts d'un admin (60 % avec nom), ${pages} pages de 20.`);
    console.log('\n| mesure (wrk -t2 -c8) | requêtes/s | p99 (ms) | non-2xx | rapport à hello | rapport à hello rapide | budget | tenu |');
    console.log('|---|---:|---:|---:|---:|---:|---|---|');
    for (const [label, r] of [['GET /api/contacts?page=1', list1], ['GET /api/contacts?page=1000', list1000],
      [`GET /api/contacts?page=${pages} (dernière)`, listLast], [`GET /api/contacts?page=1…${pages} (1000 pages au hasard)`, listRand]])
      console.log(`| ${label} | ${r.rps.toFixed(0)} | ${fmt(r.p99ms)} | ${r.non2xx} | ${pct(r.rps, hello.rps)} | ${pct(r.rps, helloFast.rps)} | ≥ 50 % de hello | ${yes(r.rps >= hello.rps / 2 && r.non2xx === 0)} |`);
    for (const [label, r] of [['GET /api/contacts?q=<nom> (300 termes en boucle)', wrkNames], ['GET /api/contacts?q=<chiffres> (300 termes en boucle)', wrkDigits]])
      console.log(`| ${label} | ${r.rps.toFixed(0)} | ${fmt(r.p99ms)} | ${r.non2xx} | ${pct(r.rps, hello.rps)} | ${pct(r.rps, helloFast.rps)} | (information) | |`);
    console.log(`\n| liste, une requête à la fois (connexion gardée, ${SEQ_N} requêtes : pages 1, 1000, ${pages} puis au hasard) | p50 (ms) | p99 (ms) | max (ms) : page | non-200 | budget p99 | tenu |`);
    console.log('|---|---:|---:|---|---:|---|---|');
    console.log(`| GET /__hello (référence, même client) | ${fmt(helloSeq.p50)} | ${fmt(helloSeq.p99)} | ${fmt(helloSeq.max)} | ${helloSeq.non200} | | |`);
    console.log(`| GET /api/contacts?page=… | ${fmt(listSeq.p50)} | ${fmt(listSeq.p99)} | ${fmt(listSeq.max)} : ${listSeq.worst[0]} | ${listSeq.non200} | ≤ 10 ms | ${yes(listSeq.p99 <= 10 && listSeq.non200 === 0)} |`);

    const lists = [['page=1', list1], ['page=1000', list1000], ['last page', listLast], ['1000 random pages', listRand]];
    const ratios = lists.map(([, r]) => r.rps / hello.rps);
    const worstList = lists[ratios.indexOf(Math.min(...ratios))];
    budgetRow('list-p99', `p99 ${fmt(listSeq.p99)} ms, p50 ${fmt(listSeq.p50)} ms (${SEQ_N} requests: pages 1, 1000, last, then random; ` +
      `under wrk -c8 p99 ${lists.map(([, r]) => fmt(r.p99ms, 1)).join(' / ')} ms)`,
    `hello p99 ${fmt(helloSeq.p99)} ms, p50 ${fmt(helloSeq.p50)} ms`, listSeq.p99 <= 10 && listSeq.non200 === 0);
    budgetRow('list-rps', `${pct(worstList[1].rps, hello.rps)} (${worstList[0]}: ${worstList[1].rps.toFixed(0)} req/s); ` +
      `all: ${lists.map(([n, r]) => `${n} ${pct(r.rps, hello.rps)}`).join(', ')}; vs fast hello ${pct(worstList[1].rps, helloFast.rps)}`,
    `hello ${hello.rps.toFixed(0)} req/s (fast hello ${helloFast.rps.toFixed(0)})`,
    Math.min(...ratios) >= 0.5 && lists.every(([, r]) => r.non2xx === 0));

    console.log('\n| recherche (une requête à la fois) | requêtes | p50 (ms) | p99 (ms) | max (ms) : terme | résultats moyens | budget p99 | tenu |');
    console.log('|---|---:|---:|---:|---|---:|---|---|');
    for (const [label, r, budget] of [['q=<nom> (prénom, nom, début, « prénom nom », majuscules)', seqNames, 10],
      ['q=<chiffres> (4 derniers, 6 du milieu, national, international, début)', seqDigits, 10],
      ['q=1 ou 2 caractères (balayage sans index)', seqShort, null]])
      console.log(`| ${label} | ${r.n} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} : « ${r.worst[0]} » | ${fmt(r.avgTotal, 0)} | ${budget ? `≤ ${budget} ms` : '(information)'} | ${budget ? yes(r.p99 <= budget && r.non200 === 0) : ''} |`);
    budgetRow('search-p99', `names p99 ${fmt(seqNames.p99)} ms, digits p99 ${fmt(seqDigits.p99)} ms (300 terms each)`,
      `hello p99 ${fmt(helloSeq.p99)} ms`, seqNames.p99 <= 10 && seqDigits.p99 <= 10 && seqNames.non200 + seqDigits.non200 === 0);

    console.log('\n| import CSV de ' + N + ' lignes | temps (ms) | lignes/s | créés | budget | tenu |');
    console.log('|---|---:|---:|---:|---|---|');
    for (const [label, r] of [['POST /api/contacts/import, 1er admin (base presque vide)', imp1],
      [`POST /api/contacts/import, admin neuf (base déjà à ${N})`, imp2]])
      console.log(`| ${label} | ${r.ms.toFixed(0)} | ${(N / r.ms * 1000).toFixed(0)} | ${r.json?.created ?? r.status} | ≤ 1000 ms | ${yes(r.ms <= 1000 && r.status === 200)} |`);
    console.log(`| sqlite3 .import (plancher : table brouillon, base migrée) | ${floor.importMs.toFixed(0)} | ${(floor.rows / floor.importMs * 1000).toFixed(0)} | ${floor.rows} | | |`);
    console.log(`| sqlite3 INSERT INTO contacts … SELECT (information : déclencheurs FTS + compteurs) | ${floor.insertMs.toFixed(0)} | ${(floor.copied / floor.insertMs * 1000).toFixed(0)} | ${floor.copied} | | |`);
    budgetRow('import', `${(Math.max(imp1.ms, imp2.ms) / 1000).toFixed(2)} s (first admin ${(imp1.ms / 1000).toFixed(2)} s, ` +
      `new admin with ${N} already in the DB ${(imp2.ms / 1000).toFixed(2)} s)`,
    `\`sqlite3 .import\` ${(floor.importMs / 1000).toFixed(2)} s; INSERT…SELECT into contacts (FTS triggers) ${(floor.insertMs / 1000).toFixed(2)} s`,
    Math.max(imp1.ms, imp2.ms) <= 1000 && imp1.status === 200 && imp2.status === 200);
  }

  // Sans la section des contacts, la colonne « fin » reste vide.
  console.log('\n| processus | RSS au repos (Kio) | PSS au repos | privée au repos | RSS après charge | PSS après charge | RSS fin (contacts) | PSS fin |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  let total = 0, totalPss = 0, totalEnd = 0, totalEndPss = 0;
  for (const r of idle) {
    const a = after.find((x) => x.pid === r.pid) || r;
    const e = end ? end.find((x) => x.pid === r.pid) || a : { kb: '—', pss: '—' };
    total += a.kb; totalPss += a.pss; totalEnd += e.kb; totalEndPss += e.pss;
    console.log(`| ${r.comm} (${r.pid}) | ${r.kb} | ${r.pss} | ${r.priv} | ${a.kb} | ${a.pss} | ${e.kb} | ${e.pss} |`);
  }
  console.log(`| **total** | | | | ${total} | ${totalPss} | ${end ? totalEnd : '—'} | ${end ? totalEndPss : '—'} |`);
  console.log('\nRSS compte les pages partagées des bibliothèques (libc, libsqlite3, libm) dans chaque');
  console.log('processus ; PSS les répartit entre les processus qui les partagent (somme = mémoire réelle).');
  console.log('\nBudgets (DESIGN §12) : chaque processus FastCGI ≤ 4096 Kio au repos ; pile ≤ 40960 Kio.');
  const fcgiIdle = idle.filter((r) => r.comm !== 'lighttpd');
  const sum = (k) => idle.reduce((x, r) => x + r[k], 0);
  console.log(`Au repos, RSS : ${fcgiIdle.map((r) => `${r.comm} ${r.kb}`).join(', ')} Kio → ` +
    `${yes(fcgiIdle.every((r) => r.kb <= 4096))} ; mémoire privée : ${fcgiIdle.map((r) => `${r.comm} ${r.priv}`).join(', ')} Kio → ` +
    `${yes(fcgiIdle.every((r) => r.priv <= 4096))} ; pile RSS ${sum('kb')} Kio → ${yes(sum('kb') <= 40960)}, PSS ${sum('pss')} Kio → ${yes(sum('pss') <= 40960)}.`);
  if (end) console.log('Contacts (ticket 4) : liste ≥ 50 % des requêtes/s de hello ; recherche p99 ≤ 10 ms ; import de 100 000 lignes ≤ 1 s.');

  // Récapitulatif mémoire : programmes du produit (sans cbw-hello, qui est la
  // référence, ni lighttpd) ; « au repos » = aucune requête en cours, relevé
  // après la mise en route, après les mesures wrk, après les contacts. Le
  // verdict prend le pire relevé, en RSS comme le dit le budget.
  const samples = [['after warm-up', idle], ['after wrk', after], ...(end ? [['after contacts', end]] : [])];
  const prog = (rows) => rows.filter((r) => r.comm !== 'lighttpd' && r.comm !== 'cbw-hello');
  const stackRows = (rows) => rows.filter((r) => r.comm !== 'cbw-hello');
  const worstBy = (rows, k) => rows.reduce((a, r) => (r[k] > a[k] ? r : a));
  const worstRss = samples.map(([n, rows]) => [n, worstBy(prog(rows), 'kb')]);
  const overall = worstRss.reduce((a, x) => (x[1].kb > a[1].kb ? x : a));
  const helloRows = idle.filter((r) => r.comm === 'cbw-hello');
  const helloTxt = helloRows.length ? `bare cbw-hello: RSS ${KiB(Math.max(...helloRows.map((r) => r.kb)))}, ` +
    `PSS ${KiB(Math.max(...helloRows.map((r) => r.pss)))}, private ${KiB(Math.max(...helloRows.map((r) => r.priv)))}` : '—';
  const idleProg = prog(idle);
  budgetRow('mem-proc', `${MiB(overall[1].kb)} (${overall[1].comm}, ${overall[0]}); worst per sample: ` +
    worstRss.map(([n, r]) => `${n} ${MiB(r.kb)} (${r.comm})`).join(', ') +
    `; smallest program after warm-up ${MiB(Math.min(...idleProg.map((r) => r.kb)))}`,
  helloTxt, overall[1].kb <= 4096);
  budgetRow('mem-proc-pss', samples.map(([n, rows]) => `${n}: PSS max ${MiB(worstBy(prog(rows), 'pss').pss)}, ` +
    `private max ${MiB(worstBy(prog(rows), 'priv').priv)}`).join('; '), helloTxt,
  samples.every(([, rows]) => prog(rows).every((r) => r.pss <= 4096)));
  const sums = samples.map(([n, rows]) => [n, stackRows(rows).reduce((x, r) => x + r.kb, 0), stackRows(rows).reduce((x, r) => x + r.pss, 0)]);
  const sumRss = sums.reduce((a, x) => (x[1] > a[1] ? x : a));
  const sumPss = sums.reduce((a, x) => (x[2] > a[2] ? x : a));
  const lt = idle.find((r) => r.comm === 'lighttpd');
  budgetRow('mem-stack', `${MiB(sumRss[1])} (${sumRss[0]}); ${sums.map(([n, k]) => `${n} ${MiB(k)}`).join(', ')}`,
    `lighttpd alone: RSS ${MiB(lt.kb)}, PSS ${MiB(lt.pss)}`, sumRss[1] <= 40960);
  budgetRow('mem-stack-pss', `${MiB(sumPss[2])} (${sumPss[0]}); ${sums.map(([n, , k]) => `${n} ${MiB(k)}`).join(', ')}`,
    `lighttpd alone: PSS ${MiB(lt.pss)}`, sumPss[2] <= 40960);
} finally {
  await s.stop();
}

// ---- Envoi (ticket 5) ------------------------------------------------------

const SIM_MINUTES = 10;
const CEIL_RATE = 4800;
const CEIL_RUN_MS = 30000;

// Plus grand nombre d'instants (ms, triés) dans une fenêtre ]t - 60 s, t].
function maxWindow(at) {
  let best = 0;
  for (let i = 0, j = 0; i < at.length; i++) {
    while (at[j] <= at[i] - 60000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

// Simulation de 10 minutes à `rate`/min (t/bench/cbw-send-sim) avec un
// arriéré de 110 % de ce que 10 minutes peuvent envoyer. Rend l'objet JSON
// écrit par le programme.
function sendSim(rate) {
  const backlog = Math.ceil(rate * SIM_MINUTES * 1.1) + 10;
  const out = execFileSync(join(BUILD, 't/bench/cbw-send-sim'),
    [String(rate), String(SIM_MINUTES), String(backlog), join(ROOT, 'db/migrations')], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

// Plafond de débit : pile avec le faux WhatsApp, SEND_RATE_PER_MINUTE=4800,
// arriéré de `n` Message 1 en attente écrit par SQL (catégorie, contacts,
// campagne 'sending'), puis un passage réel « cbw-sender --run-ms 30000 ».
// Rend les mesures tirées de send_attempts, du journal du faux WhatsApp
// et des statuts en base.
async function sendCeiling(n) {
  const st = await startStack({ sandbox: true, config: { SEND_RATE_PER_MINUTE: String(CEIL_RATE), LOG_LEVEL: 'warning' } });
  try {
    const T = '2026-01-01T00:00:00Z';
    const uid = st.sql("SELECT id FROM users WHERE email = 'admin@test.com'")[0].id;
    // Numéros +337IIIIFFFF : IIII unique, FFFF (1000–9999) jamais un mode d'échec du bac à sable.
    st.sql(`BEGIN;
      INSERT INTO categories(name, created_by, created_at, updated_at) VALUES ('Banc d''envoi', ${uid}, '${T}', '${T}');
      WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${n})
      INSERT INTO contacts(phone_number, country_code, full_number, first_name, created_by, created_at, updated_at)
        SELECT printf('7%04d%04d', i, 1000 + i % 9000), '+33', printf('+337%04d%04d', i, 1000 + i % 9000),
          'Banc' || i, ${uid}, '${T}', '${T}' FROM k;
      INSERT INTO category_contacts(category_id, contact_id, added_at)
        SELECT (SELECT id FROM categories WHERE name = 'Banc d''envoi'), id, '${T}' FROM contacts WHERE created_by = ${uid};
      INSERT INTO campaigns(name, message_1, status, total_recipients, created_by, launched_at, created_at, updated_at)
        VALUES ('Banc de débit', 'Bonjour {{first_name}} : https://exemple.fr/promo', 'sending', ${n}, ${uid}, '${T}', '${T}', '${T}');
      INSERT INTO campaign_categories(campaign_id, category_id)
        VALUES ((SELECT max(id) FROM campaigns), (SELECT id FROM categories WHERE name = 'Banc d''envoi'));
      INSERT INTO messages(campaign_id, contact_id, message_type, content, created_at, updated_at)
        SELECT (SELECT max(id) FROM campaigns), contact_id, 'message_1',
          'Bonjour ' || (SELECT first_name FROM contacts WHERE id = contact_id) || ' : https://exemple.fr/promo', '${T}', '${T}'
        FROM category_contacts;
      COMMIT;`);
    const pending = st.sql("SELECT count(*) AS n FROM messages WHERE status = 'pending'")[0].n;
    const t0 = performance.now();
    const r = await st.cron('cbw-sender', ['--run-ms', String(CEIL_RUN_MS)], { timeoutMs: CEIL_RUN_MS + 30000 });
    const wallMs = performance.now() - t0;
    if (r.code !== 0) throw new Error(`cbw-sender : code ${r.code} ${r.signal || ''} ${r.stderr.slice(0, 500)}`);
    const at = st.sql('SELECT at_ms FROM send_attempts ORDER BY at_ms').map((x) => x.at_ms);
    const log = st.sandbox.messages();
    const acc = log.filter((m) => m.accepted).map((m) => Date.parse(m.at)).sort((a, b) => a - b);
    const perTo = new Map();
    for (const m of log) perTo.set(m.to, (perTo.get(m.to) || 0) + 1);
    const status = Object.fromEntries(st.sql('SELECT status, count(*) AS n FROM messages GROUP BY status').map((x) => [x.status, x.n]));
    // Débit soutenu : intervalles entre le premier et le dernier appel.
    const rate = (ts) => (ts.length > 1 ? (ts.length - 1) / ((ts[ts.length - 1] - ts[0]) / 60000) : NaN);
    const span = (ts) => (ts.length > 1 ? (ts[ts.length - 1] - ts[0]) / 1000 : NaN);
    const gaps = at.slice(1).map((v, i) => v - at[i]).sort((a, b) => a - b);
    const q = (f) => (gaps.length ? gaps[Math.min(gaps.length - 1, Math.ceil(f * gaps.length) - 1)] : NaN);
    return {
      gapP50: q(0.5), gapP99: q(0.99), gapMax: gaps.length ? gaps[gaps.length - 1] : NaN,
      pending, wallMs, calls: at.length, dbSpan: span(at), dbRate: rate(at), dbWindow: maxWindow(at),
      sbTotal: log.length, sbAccepted: acc.length, sbRefused: log.length - acc.length, sbSpan: span(acc), sbRate: rate(acc),
      sbWindow: maxWindow(acc), duplicates: [...perTo.values()].filter((c) => c > 1).length,
      sent: status.sent || 0, failed: status.failed || 0, sending: status.sending || 0, left: status.pending || 0,
    };
  } finally {
    await st.stop();
  }
}

if (wanted('envoi')) {
  loadAt.push(['envoi', loadavg()]);
  const sims = SEND_RATES.map((rate) => ({ rate, ...sendSim(rate) }));
  const c = await sendCeiling(SEND_BACKLOG);
  const need = 0.95 * CEIL_RATE;
  const pacing = Math.min(CEIL_RATE, 60000 / Math.floor(60000 / CEIL_RATE));
  const share = (v) => `${(100 * v / CEIL_RATE).toFixed(1)} %`;

  console.log(`\nEnvoi (ticket 5) : exactitude du débit sur ${SIM_MINUTES} minutes simulées — vrai cœur lib/send.c (cbw_send_run),`);
  console.log('horloge virtuelle, transport factice qui accepte tout (latence virtuelle : la moitié de l\'intervalle de cadence),');
  console.log('base SQLite sur fichier ; un passage cron toutes les 60 s, chacun de 59 s (run_ms = 59000) ; arriéré > ce que 10 minutes envoient.');
  console.log('\n| mesure | appels | fenêtre de 60 s max | utilisation | doublons | µs/appel (mur) | µs/appel (processeur) | budget | tenu |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|---|');
  const simOk = [];
  for (const r of sims) {
    const winOk = r.max_window <= r.rate;
    const useOk = r.utilisation >= 0.96;
    const clean = r.duplicates === 0 && r.unreadable === 0 && r.sent_db === r.calls && r.attempts_db === r.calls && r.overruns === 0;
    const ok = winOk && useOk && clean;
    simOk.push(ok);
    const why = ok ? '' : ` (${[!winOk && 'fenêtre', !useOk && 'utilisation', !clean && 'contrôles'].filter(Boolean).join(', ')})`;
    console.log(`| ${r.rate}/min, arriéré ${r.backlog}, ${r.minutes} × 59 s, cadence ${r.interval_ms} ms | ${r.calls} | ${r.max_window} | ` +
      `${(100 * r.utilisation).toFixed(2)} % | ${r.duplicates} | ${fmt(r.wall_us_per_call, 0)} | ${fmt(r.cpu_us_per_call, 0)} | ` +
      `fenêtre ≤ ${r.rate} ; utilisation ≥ 96 % | ${yes(ok)}${why} |`);
  }

  console.log(`\nEnvoi (ticket 5) : plafond de débit — vrai cbw-sender à SEND_RATE_PER_MINUTE=${CEIL_RATE}, un passage --run-ms ${CEIL_RUN_MS},`);
  console.log(`contre le faux WhatsApp (t/sandbox, HTTP réel, même machine) ; arriéré de ${c.pending} Message 1 en attente ` +
    `(statuts après le passage : ${c.sent} envoyés, ${c.failed} en échec, ${c.sending} en cours, ${c.left} en attente).`);
  console.log('\n| mesure | appels | durée (s) | débit soutenu (/min) | part de 4800/min | budget | tenu |');
  console.log('|---|---:|---:|---:|---:|---|---|');
  console.log(`| send_attempts.at_ms, premier → dernier appel | ${c.calls} | ${fmt(c.dbSpan, 2)} | ${fmt(c.dbRate, 0)} | ${share(c.dbRate)} | ≥ ${need} /min (95 %) | ${yes(c.dbRate >= need)} |`);
  console.log(`| journal du faux WhatsApp, premier → dernier envoi accepté (${c.sbRefused} refusés) | ${c.sbAccepted} | ${fmt(c.sbSpan, 2)} | ${fmt(c.sbRate, 0)} | ${share(c.sbRate)} | ≥ ${need} /min (95 %) | ${yes(c.sbRate >= need && c.sbRefused === 0)} |`);
  console.log(`| fenêtre de 60 s maximale (send_attempts ; faux WhatsApp : ${c.sbWindow}) | ${c.dbWindow} | | | | ≤ ${CEIL_RATE} | ${yes(c.dbWindow <= CEIL_RATE && c.sbWindow <= CEIL_RATE)} |`);
  console.log(`| numéros reçus plus d'une fois par le faux WhatsApp | ${c.duplicates} | | | | 0 | ${yes(c.duplicates === 0)} |`);
  console.log(`| plafond : un appel toutes les ⌊60000/${CEIL_RATE}⌋ = ${Math.floor(60000 / CEIL_RATE)} ms, borné par la fenêtre | | | ${fmt(pacing, 0)} | ${share(pacing)} | (information) | |`);
  console.log(`| écart entre deux appels (send_attempts) : p50 ${c.gapP50} ms, p99 ${c.gapP99} ms, max ${c.gapMax} ms | | | | | (information) | |`);
  console.log(`| processus cbw-sender, lancement → fin (information) | | ${fmt(c.wallMs / 1000, 2)} | ${fmt(c.calls / (c.wallMs / 60000), 0)} | ${share(c.calls / (c.wallMs / 60000))} | | |`);
  const ceilOk = c.dbRate >= need && c.sbRate >= need && c.sbRefused === 0;
  console.log(`\nEnvoi (ticket 5) : fenêtre de 60 s ≤ débit et utilisation ≥ 96 % sur ${SIM_MINUTES} minutes simulées ` +
    `(${sims.map((r, i) => `${r.rate}/min ${yes(simOk[i])}`).join(', ')}) ; plafond à ${CEIL_RATE}/min : débit soutenu ≥ 95 % → ${yes(ceilOk)}, ` +
    `fenêtre ≤ ${CEIL_RATE} → ${yes(c.dbWindow <= CEIL_RATE)}, aucun doublon → ${yes(c.duplicates === 0)}.`);

  budgetRow('send-window', `simulated 10 min: ${sims.map((r) => `${r.max_window}/${r.rate}`).join(', ')}; ` +
    `real cbw-sender 30 s: ${c.dbWindow} (sandbox log ${c.sbWindow})/${CEIL_RATE}; duplicates ${sims.reduce((x, r) => x + r.duplicates, 0) + c.duplicates}`,
  'configured rate', sims.every((r) => r.max_window <= r.rate) && c.dbWindow <= CEIL_RATE && c.sbWindow <= CEIL_RATE);
  const minUse = Math.min(...sims.map((r) => r.utilisation));
  budgetRow('send-use', `${(100 * minUse).toFixed(1)} % (worst); ${sims.map((r) => `${r.rate}/min ${(100 * r.utilisation).toFixed(1)} %`).join(', ')}`,
    'allowed rate (100 %)', sims.every((r, i) => r.utilisation >= 0.96 && simOk[i]));
  budgetRow('send-real', `${share(Math.min(c.dbRate, c.sbRate))} (${fmt(Math.min(c.dbRate, c.sbRate), 0)}/min over ${fmt(c.dbSpan, 1)} s, ` +
    `${c.calls} calls, ${c.sbRefused} refused, ${c.duplicates} duplicates; call gap p99 ${c.gapP99} ms)`,
  `configured ${CEIL_RATE}/min (paced one call every ${Math.floor(60000 / CEIL_RATE)} ms, capped by the 60 s window)`, ceilOk && c.duplicates === 0);
}

// ---- Webhook (ticket 6) : ingestion des statuts ----------------------------

// Messages « sent » par mode de mesure (un statut par requête ; lots) :
// assez pour que chaque mesure dure plus d'une seconde et que le p99
// compte les points de contrôle du WAL.
const HOOK_N = Math.max(2000, Number(process.env.CBW_BENCH_HOOK_MESSAGES || 10000));
const HOOK_BATCH = 50;
// Requêtes en vol : un statut par requête ; lots de 50 (chacun coûte
// ~50 fois plus : la file d'attente, pas le programme, ferait le p99).
const HOOK_INFLIGHT = Number(process.env.CBW_BENCH_HOOK_INFLIGHT || 16);
const HOOK_INFLIGHT_BATCH = Number(process.env.CBW_BENCH_HOOK_INFLIGHT_BATCH || 8);
const HOOK_PATH = '/api/webhooks/whatsapp';
const HOOK_PHONE_ID = '100000000000001';

// wamid du message i du banc (même forme que l'expression SQL de
// hookSeed). Rend la chaîne.
const hookWamid = (i) => `wamid.HBgLMzM3OTAwMDAwMDAwFQIAERgS${String(i).padStart(12, '0')}`;

// Notification WhatsApp portant les statuts donnés ({ i, status, ts }),
// signée avec le secret de la pile. Rend { bytes, sig, statuses }.
function hookBody(secret, list) {
  const payload = {
    object: 'whatsapp_business_account',
    entry: [{ id: '200000000000001', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000001', phone_number_id: HOOK_PHONE_ID },
      statuses: list.map((x) => ({
        id: hookWamid(x.i), status: x.status, timestamp: String(x.ts), recipient_id: `3379${String(x.i).padStart(7, '0')}`,
        conversation: { id: 'c0ffee' + String(x.i % 97), origin: { type: 'marketing' } },
        pricing: { billable: true, pricing_model: 'PMP', category: 'marketing' },
      })),
    } }] }],
  };
  const bytes = Buffer.from(JSON.stringify(payload));
  return { bytes, sig: 'sha256=' + createHmac('sha256', secret).update(bytes).digest('hex'), statuses: list.length };
}

// Écrit par SQL 2 × n messages « sent » aux wamid connus (contacts,
// campagne terminée) pour l'admin de la pile. Ne rend rien.
function hookSeed(st, n) {
  const T = '2026-01-01T00:00:00Z';
  const uid = st.sql("SELECT id FROM users WHERE email = 'admin@test.com'")[0].id;
  st.sql(`BEGIN;
    WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ${2 * n - 1})
    INSERT INTO contacts(phone_number, country_code, full_number, first_name, created_by, created_at, updated_at)
      SELECT printf('79%07d', i), '+33', printf('+3379%07d', i), 'Statut' || i, ${uid}, '${T}', '${T}' FROM k;
    INSERT INTO campaigns(name, message_1, status, total_recipients, created_by, launched_at, completed_at, created_at, updated_at)
      VALUES ('Banc du webhook', 'Bonjour', 'completed', ${2 * n}, ${uid}, '${T}', '${T}', '${T}', '${T}');
    INSERT INTO messages(campaign_id, contact_id, message_type, content, status, whatsapp_message_id, sent_at, created_at, updated_at)
      SELECT (SELECT max(id) FROM campaigns), id, 'message_1', 'Bonjour', 'sent',
        printf('wamid.HBgLMzM3OTAwMDAwMDAwFQIAERgS%012d', CAST(substr(full_number, 6) AS INTEGER)), '${T}', '${T}', '${T}'
      FROM contacts WHERE created_by = ${uid} AND full_number LIKE '+3379%';
    COMMIT;`);
}

// Envoie les requêtes en boucle ouverte, au rythme de `perSec` requêtes/s
// quoi qu'il arrive (comme WhatsApp, qui n'attend pas nos réponses pour
// envoyer les suivantes) ; la latence part de l'heure prévue d'envoi, pour
// ne pas cacher un retard du client. Rend la même forme que blast.
async function paced(st, path, bodies, perSec) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const lat = [];
  const codes = {};
  let non200 = 0;
  const gap = 1000 / perSec;
  const t0 = performance.now();
  const one = async (b, due) => {
    const headers = { 'Content-Type': 'application/json', 'Content-Length': b.bytes.length, 'X-Hub-Signature-256': b.sig };
    const r = await req(st, 'POST', path, { headers, body: b.bytes, agent });
    lat.push(performance.now() - due);
    if (r.status !== 200) { non200++; codes[r.status] = (codes[r.status] || 0) + 1; }
  };
  const pending = [];
  try {
    for (let k = 0; k < bodies.length; k++) {
      const due = t0 + k * gap;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((ok) => setTimeout(ok, wait));
      pending.push(one(bodies[k], due));
    }
    await Promise.all(pending);
  } finally {
    agent.destroy();
  }
  const ms = performance.now() - t0;
  const statuses = bodies.reduce((x, b) => x + (b.statuses || 0), 0);
  return { n: bodies.length, inflight: `${perSec}/s`, statuses, ms, rps: bodies.length / ms * 1000, ups: statuses / ms * 1000,
    p50: pctl(lat, 0.5), p99: pctl(lat, 0.99), max: Math.max(...lat), non200, codes, paced: true };
}

// Envoie les requêtes (corps pré-signés, ou GET sans corps), `inflight` à
// la fois sur des connexions gardées (keep-alive). Rend { n, statuses, ms,
// rps, ups, p50, p99, max, non200, codes }.
async function blast(st, method, path, bodies, inflight = HOOK_INFLIGHT) {
  const agent = new Agent({ keepAlive: true, maxSockets: inflight });
  const lat = [];
  const codes = {};
  let next = 0, non200 = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < bodies.length) {
      const b = bodies[next++];
      const headers = b.bytes ? { 'Content-Type': 'application/json', 'Content-Length': b.bytes.length, 'X-Hub-Signature-256': b.sig } : {};
      const t = performance.now();
      const r = await req(st, method, path, { headers, body: b.bytes, agent });
      lat.push(performance.now() - t);
      if (r.status !== 200) { non200++; codes[r.status] = (codes[r.status] || 0) + 1; }
    }
  };
  try {
    await Promise.all(Array.from({ length: inflight }, worker));
  } finally {
    agent.destroy();
  }
  const ms = performance.now() - t0;
  const statuses = bodies.reduce((x, b) => x + (b.statuses || 0), 0);
  return { n: bodies.length, inflight, statuses, ms, rps: bodies.length / ms * 1000, ups: statuses / ms * 1000,
    p50: pctl(lat, 0.5), p99: pctl(lat, 0.99), max: Math.max(...lat), non200, codes };
}

if (wanted('webhook')) {
  loadAt.push(['webhook', loadavg()]);
  const st = await startStack({ config: { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warning', WHATSAPP_PHONE_NUMBER_ID: HOOK_PHONE_ID } });
  let rows, check;
  try {
    const secret = st.config.WHATSAPP_APP_SECRET;
    hookSeed(st, 2 * HOOK_N);
    const ts = Math.floor(Date.now() / 1000);
    // Ensembles de N messages : A (0 … N-1) un statut par requête et B
    // (N … 2N-1) par lots de 50, au plus vite (débit) ; C et D de même,
    // au rythme du budget, 2000 mises à jour/s (p99).
    const single = (status, dt, from = 0) => Array.from({ length: HOOK_N }, (_, i) => hookBody(secret, [{ i: from + i, status, ts: ts + dt }]));
    const batches = (status, dt, from = HOOK_N) => {
      const out = [];
      for (let i = from; i < from + HOOK_N; i += HOOK_BATCH) {
        out.push(hookBody(secret, Array.from({ length: Math.min(HOOK_BATCH, from + HOOK_N - i) }, (_, k) => ({ i: i + k, status, ts: ts + dt }))));
      }
      return out;
    };
    const sDelivered = single('delivered', 5), sRead = single('read', 9);
    const bDelivered = batches('delivered', 5), bRead = batches('read', 9);
    const pDelivered = single('delivered', 5, 2 * HOOK_N), pRead = single('read', 9, 2 * HOOK_N);
    const qDelivered = batches('delivered', 5, 3 * HOOK_N), qRead = batches('read', 9, 3 * HOOK_N);
    // Mise en route : programmes et connexions chauds (wamid inconnus : rien n'est écrit).
    await blast(st, 'GET', '/__hello', Array.from({ length: 200 }, () => ({})));
    const warm = Array.from({ length: 200 }, (_, k) => hookBody(secret, [{ i: 10000000 + k, status: 'delivered', ts }]));
    await blast(st, 'POST', HOOK_PATH, warm);
    const helloNode = await blast(st, 'GET', '/__hello', Array.from({ length: 2 * HOOK_N }, () => ({})));
    rows = [
      ['POST un statut par requête : delivered', await blast(st, 'POST', HOOK_PATH, sDelivered), true],
      ['POST un statut par requête : read', await blast(st, 'POST', HOOK_PATH, sRead), true],
      [`POST lots de ${HOOK_BATCH} statuts : delivered`, await blast(st, 'POST', HOOK_PATH, bDelivered, HOOK_INFLIGHT_BATCH), true],
      [`POST lots de ${HOOK_BATCH} statuts : read`, await blast(st, 'POST', HOOK_PATH, bRead, HOOK_INFLIGHT_BATCH), true],
      ['POST redélivrance des « read » un par un (doublons, sans effet)', await blast(st, 'POST', HOOK_PATH, sRead), false],
      ['POST un statut par requête, 2000/s : delivered', await paced(st, HOOK_PATH, pDelivered, 2000), true],
      ['POST un statut par requête, 2000/s : read', await paced(st, HOOK_PATH, pRead, 2000), true],
      [`POST lots de ${HOOK_BATCH} statuts, ${2000 / HOOK_BATCH}/s : delivered`, await paced(st, HOOK_PATH, qDelivered, 2000 / HOOK_BATCH), true],
      [`POST lots de ${HOOK_BATCH} statuts, ${2000 / HOOK_BATCH}/s : read`, await paced(st, HOOK_PATH, qRead, 2000 / HOOK_BATCH), true],
    ];
    rows.helloNode = helloNode;
    // Contrôle par SQL : chaque message lu, chaque horodatage posé, une interaction de chaque sorte.
    check = st.sql(`SELECT
      (SELECT count(*) FROM messages WHERE whatsapp_message_id LIKE 'wamid.HBgLMzM3%') AS total,
      (SELECT count(*) FROM messages WHERE whatsapp_message_id LIKE 'wamid.HBgLMzM3%' AND status = 'read'
         AND delivered_at IS NOT NULL AND read_at IS NOT NULL) AS read_ok,
      (SELECT count(*) FROM interactions WHERE interaction_type = 'delivered') AS delivered_i,
      (SELECT count(*) FROM interactions WHERE interaction_type = 'read') AS read_i,
      (SELECT count(*) FROM (SELECT message_id, interaction_type FROM interactions
         GROUP BY message_id, interaction_type HAVING count(*) <> 1)) AS not_once,
      (SELECT count(*) FROM messages m LEFT JOIN (SELECT message_id, count(*) AS c FROM interactions
         WHERE interaction_type = 'read' GROUP BY message_id) r ON r.message_id = m.id
         WHERE m.whatsapp_message_id LIKE 'wamid.HBgLMzM3%' AND coalesce(r.c, 0) <> 1) AS read_not_once,
      (SELECT success_count FROM campaigns WHERE name = 'Banc du webhook') AS success`)[0];
  } finally {
    await st.stop();
  }

  const h = helloBaseline;
  const ratio = (v, ref) => (ref && Number.isFinite(ref) ? `${(100 * v / ref).toFixed(0)} %` : '—');
  console.log(`\nWebhook (ticket 6) : ingestion des statuts — POST signés (X-Hub-Signature-256) vers ${HOOK_PATH} sous le même lighttpd,`);
  console.log(`client Node (http.Agent keep-alive) ; ${4 * HOOK_N} messages « sent » aux wamid connus écrits par SQL, en 4 ensembles de ${HOOK_N}`);
  console.log(`qui reçoivent chacun delivered puis read : au plus vite avec ${HOOK_INFLIGHT} requêtes en vol (${HOOK_INFLIGHT_BATCH} pour les lots de ${HOOK_BATCH}) pour le débit,`);
  console.log('puis en boucle ouverte au rythme du budget (2000 mises à jour/s, comme WhatsApp qui n\'attend pas nos réponses) pour le p99,');
  console.log('compté depuis l\'heure prévue d\'envoi. Chaque corps est une notification complète (metadata, conversation, pricing).');
  console.log('Débit = mises à jour de statut par seconde (requêtes/s × statuts par requête). Au plus vite, le p99 mesure surtout la file');
  console.log('d\'attente que le client choisit (requêtes en vol × temps de service) : il est donné pour information.');
  console.log('\n| mesure | en vol | requêtes | statuts | durée (s) | requêtes/s | mises à jour/s | p50 (ms) | p99 (ms) | max (ms) | non-200 | rapport à hello (req/s) | budget | tenu |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|');
  if (h) console.log(`| GET /__hello (référence FastCGI nue, wrk -t2 -c8, ${DURATION} s, même passage) | 8 | | | | ${h.rps.toFixed(0)} | | | ${fmt(h.p99ms)} | | ${h.non2xx} | 100 % | | |`);
  const hn = rows.helloNode;
  console.log(`| GET /__hello (même client Node : plafond du client) | ${hn.inflight} | ${hn.n} | | ${fmt(hn.ms / 1000)} | ${hn.rps.toFixed(0)} | | ${fmt(hn.p50)} | ${fmt(hn.p99)} | ${fmt(hn.max)} | ${hn.non200} | ${ratio(hn.rps, h?.rps)} | | |`);
  const verdicts = [];
  for (const [label, r, budget] of rows) {
    const ok = (r.paced ? r.p99 < 50 : r.ups >= 2000) && r.non200 === 0;
    if (budget) verdicts.push(ok);
    console.log(`| ${label} | ${r.inflight} | ${r.n} | ${r.statuses} | ${fmt(r.ms / 1000)} | ${r.rps.toFixed(0)} | ${r.ups.toFixed(0)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} | ` +
      `${r.non200}${r.non200 ? ` (${JSON.stringify(r.codes)})` : ''} | ${ratio(r.rps, h?.rps)} | ${budget ? (r.paced ? 'p99 < 50 ms' : '≥ 2000 /s') : '(information)'} | ${budget ? yes(ok) : ''} |`);
  }
  const want = 4 * HOOK_N;
  const dbOk = check.total === want && check.read_ok === want && check.delivered_i === want && check.read_i === want &&
    check.not_once === 0 && check.read_not_once === 0 && check.success === want;
  console.log(`\nContrôle SQL après la mesure : ${check.read_ok} / ${check.total} messages « read » avec delivered_at et read_at posés ; ` +
    `interactions delivered ${check.delivered_i}, read ${check.read_i} (attendu ${want} chacune), ` +
    `${check.read_not_once} message(s) sans exactement une interaction read, ${check.not_once} couple(s) (message, type) en double ; ` +
    `success_count de la campagne ${check.success} → ${yes(dbOk)}.`);
  console.log(`Webhook (ticket 6) : ≥ 2000 mises à jour/s et p99 < 50 ms (un par requête et par lots) → ${yes(verdicts.every(Boolean))} ; ` +
    `chaque message lu une fois exactement → ${yes(dbOk)}.`);

  const judged = rows.filter((x) => x[2] && !x[1].paced);
  const pacedRows = rows.filter((x) => x[2] && x[1].paced);
  const short = (label) => label.replace(/^POST /, '').replace('un statut par requête : ', '1/request ')
    .replace('un statut par requête, 2000/s : ', '1/request at 2000/s ')
    .replace(`lots de ${HOOK_BATCH} statuts, ${2000 / HOOK_BATCH}/s : `, `batches of ${HOOK_BATCH} at ${2000 / HOOK_BATCH}/s `)
    .replace(`lots de ${HOOK_BATCH} statuts : `, `batches of ${HOOK_BATCH} `);
  const slow = judged.reduce((a, x) => (x[1].ups < a[1].ups ? x : a));
  const late = pacedRows.reduce((a, x) => (x[1].p99 > a[1].p99 ? x : a));
  const errs = judged.reduce((x, [, r]) => x + r.non200, 0);
  budgetRow('hook-rate', `${slow[1].ups.toFixed(0)}/s (${short(slow[0])}); ${judged.map(([l, r]) => `${short(l)} ${r.ups.toFixed(0)}`).join(', ')}` +
    `${errs ? `; ${errs} non-200` : ''}${dbOk ? '' : '; SQL check failed'}`,
  `hello, same Node client (${hn.inflight} in flight): ${hn.rps.toFixed(0)} req/s`, judged.every(([, r]) => r.ups >= 2000) && errs === 0 && dbOk);
  const pacedErrs = pacedRows.reduce((x, [, r]) => x + r.non200, 0);
  budgetRow('hook-p99', `${fmt(late[1].p99)} ms (${short(late[0])}); ${pacedRows.map(([l, r]) => `${short(l)} ${fmt(r.p99, 1)}`).join(', ')}` +
    `${pacedErrs ? `; ${pacedErrs} non-200` : ''}; as fast as possible (information, queueing: in flight × service time): ` +
    `${judged.map(([l, r]) => `${short(l)} ${fmt(r.p99, 1)} (${r.inflight} in flight)`).join(', ')}`,
    `hello, same client: p99 ${fmt(hn.p99)} ms`, pacedRows.every(([, r]) => r.p99 < 50) && pacedErrs === 0);
}

// ---- Statistiques (ticket 7) ------------------------------------------------

// Messages écrits par « chatbot-whatsapp-admin seed » pour un admin (un
// million par défaut ; CBW_BENCH_MESSAGES pour un passage rapide), en 1000
// campagnes réparties sur les 30 derniers jours.
const STATS_MESSAGES = Number(process.env.CBW_BENCH_MESSAGES || 1000000);
const STATS_CAMPAIGNS = 1000;
const STATS_DAYS = 30;
const STATS_WARM = 20;     // requêtes de mise en route par mesure (non comptées)
const STATS_N = 220;       // requêtes mesurées par mesure
const STATS_EMAIL = 'bench-stats@test.com';

// Jour local de Paris (fuseau TIME_ZONE des programmes) : « AAAA-MM-JJ »,
// et décalage d'un tel jour de n jours.
const parisToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const dayPlus = (d, n) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);

// Connexion par le formulaire HTML, comme un navigateur (GET /login pour le
// cookie cbw_pre et le champ csrf, puis POST /login). Rend l'en-tête Cookie
// de la session (« cbw_session=… »).
async function htmlSession(st, email, password) {
  const cookie = (r, name) => (r.headers['set-cookie'] || []).map((c) => c.split(';')[0]).find((c) => c.startsWith(`${name}=`));
  const page = await req(st, 'GET', '/login');
  const csrf = (page.text.match(/<input type="hidden" name="csrf" value="([^"]*)">/) || [])[1];
  const pre = cookie(page, 'cbw_pre');
  if (page.status !== 200 || !csrf || !pre) throw new Error(`GET /login : ${page.status}, csrf ou cbw_pre absent`);
  const body = new URLSearchParams({ csrf, email, password }).toString();
  const r = await req(st, 'POST', '/login', { body, headers: { 'Content-Type': 'application/x-www-form-urlencoded',
    'Content-Length': Buffer.byteLength(body), Cookie: pre } });
  const session = cookie(r, 'cbw_session');
  if (r.status !== 303 || !session) throw new Error(`connexion HTML de ${email} : ${r.status} ${r.text.slice(0, 200)}`);
  return session;
}

// Latences de GET faits un à un sur une seule connexion gardée (keep-alive) :
// `warm` requêtes de mise en route non comptées, puis `n` requêtes, les
// chemins pris en boucle à la suite. Rend { n, p50, p99, max, worst (chemin
// le plus lent), non200, codes, bytes (taille moyenne du corps) }.
async function latencies(st, paths, headers, n = STATS_N, warm = STATS_WARM) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const lat = [], codes = {};
  let non200 = 0, bytes = 0, worst = ['', 0];
  try {
    for (let i = 0; i < warm; i++) await req(st, 'GET', paths[i % paths.length], { headers, agent });
    for (let i = 0; i < n; i++) {
      const path = paths[(warm + i) % paths.length];
      const t0 = performance.now();
      const r = await req(st, 'GET', path, { headers, agent });
      const ms = performance.now() - t0;
      lat.push(ms);
      bytes += Buffer.byteLength(r.text);
      if (r.status !== 200) { non200++; codes[r.status] = (codes[r.status] || 0) + 1; }
      if (ms > worst[1]) worst = [path, ms];
    }
  } finally {
    agent.destroy();
  }
  return { n, p50: pctl(lat, 0.5), p99: pctl(lat, 0.99), max: Math.max(...lat), worst, non200, codes, bytes: bytes / n };
}

// GET unique (connexion neuve) dont on lit le JSON ; null si ce n'en est pas.
async function getJson(st, path, headers) {
  const r = await req(st, 'GET', path, { headers });
  try { return JSON.parse(r.text); } catch { return null; }
}

if (wanted('stats')) {
  loadAt.push(['stats', loadavg()]);
  const st = await startStack({ config: { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warning' } });
  let seedOut, seedMs, dbBytes, settleMs, walAfter, info, rows, wrks, mem, helloSeq;
  const today = parisToday(), day = (n) => dayPlus(today, n);
  // Charge de la machine (moyenne sur 1 min) autour des mesures : une autre
  // activité fausse les p99.
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  const loads = [];
  try {
    // Admin créé par le super admin, puis rempli par la CLI avant toute
    // requête à cbw-messages et cbw-dashboard.
    const su = await login(st);
    const adm = await benchAdmin(st, su.access_token, STATS_EMAIL);
    const t0 = performance.now();
    seedOut = cli(st, ['seed', '--messages', String(STATS_MESSAGES), '--admin', STATS_EMAIL,
      '--campaigns', String(STATS_CAMPAIGNS), '--days', String(STATS_DAYS)]).trim();
    seedMs = performance.now() - t0;
    const sizes = () => [st.db, `${st.db}-wal`].map((f) => (existsSync(f) ? statSync(f).size : 0));
    dbBytes = sizes();
    // Base « au repos » comme en service longtemps après un remplissage :
    // WAL recopié dans la base et vidé, pages sales écrites sur le disque
    // (sinon la première mesure paie l'écriture différée du noyau).
    const t1 = performance.now();
    st.sql('PRAGMA wal_checkpoint(TRUNCATE)');
    execFileSync('sync');
    settleMs = performance.now() - t1;
    walAfter = sizes()[1];
    const camps = st.sql(`SELECT min(id) AS lo, max(id) AS hi FROM campaigns WHERE created_by = ${adm.id}`)[0];
    const ids = st.sql('SELECT min(id) AS lo, max(id) AS hi FROM messages')[0];
    const cookie = await htmlSession(st, STATS_EMAIL, 'password123');

    const A = { Authorization: `Bearer ${adm.token}` };
    const C = { Cookie: cookie };
    const SU = { Authorization: `Bearer ${su.access_token}` };
    const mid = Math.floor((camps.lo + camps.hi) / 2);
    // Plages variées : 1, 7, 30, 90 et 366 jours, 30 jours finissant il y a
    // 10 jours, et trois campagnes (première, du milieu, dernière).
    const ranges = ['', `?from=${today}&to=${today}`, `?from=${day(-6)}&to=${today}`, `?from=${day(-29)}&to=${today}`,
      `?from=${day(-89)}&to=${today}`, `?from=${day(-365)}&to=${today}`, `?to=${day(-10)}`,
      `?campaign_id=${camps.lo}`, `?campaign_id=${mid}`, `?campaign_id=${camps.hi}&from=${day(-6)}&to=${today}`]
      .map((q) => `/api/messages/stats${q}`);
    const pages90 = Array.from({ length: 21 }, (_, i) => `/api/messages?status=failed&page=${90 + i}`);
    const details = Array.from({ length: STATS_N + STATS_WARM }, (_, i) =>
      `/messages/${ids.lo + Math.floor(i * (ids.hi - ids.lo) / (STATS_N + STATS_WARM - 1))}`);
    const week = `/api/messages?from=${day(-7)}&to=${today}`;

    // Volumes vus par l'API (contrôle que les pages mesurées ne sont pas vides).
    const stats = await getJson(st, '/api/messages/stats', A);
    info = {
      camps: camps.hi - camps.lo + 1,
      failed: (await getJson(st, '/api/messages?status=failed&page=100', A))?.total,
      martin: (await getJson(st, '/api/messages?q=martin', A))?.total,
      week: (await getJson(st, week, A))?.total,
      statsTotal: stats?.totals?.total ?? stats?.total,
    };

    loads.push(load());
    helloSeq = await latencies(st, ['/__hello'], {});
    rows = [
      ['GET /api/messages/stats (admin, 30 derniers jours par défaut)', await latencies(st, ['/api/messages/stats'], A), 50, 'stats (défaut)'],
      [`GET /api/messages/stats (admin, ${ranges.length} filtres en boucle : 1, 7, 30, 90, 366 jours, fin seule, 3 campagnes)`, await latencies(st, ranges, A), 50, 'stats (filtres variés)'],
      ['GET /dashboard (HTML, cookie de session)', await latencies(st, ['/dashboard'], C), 50, '/dashboard'],
      ['GET /api/messages?status=failed&page=100', await latencies(st, ['/api/messages?status=failed&page=100'], A), 10, 'échecs page 100'],
      ['GET /api/messages?status=failed&page=90…110 (21 pages en boucle)', await latencies(st, pages90, A), 10, 'échecs pages 90…110'],
      ['GET /statistics (HTML, filtres par défaut)', await latencies(st, ['/statistics'], C), null],
      ['GET /statistics?status=failed&page=50 (HTML)', await latencies(st, ['/statistics?status=failed&page=50'], C), null],
      ['GET /api/messages?q=martin (recherche par les contacts)', await latencies(st, ['/api/messages?q=martin'], A), null],
      [`GET /api/messages?from=${day(-7)}&to=${today}`, await latencies(st, [week], A), null],
      ['GET /api/messages/stats (super admin : plateforme + un agrégat par admin)', await latencies(st, ['/api/messages/stats'], SU), null],
      [`GET /messages/{id} (HTML, ${details.length} messages répartis sur toute la base)`, await latencies(st, details, C), null],
    ];
    // Débit à côté de hello (wrk -t2 -c8).
    wrks = [
      ['GET /api/messages/stats (admin, défaut)', wrk(`${st.base}/api/messages/stats`, [`Authorization: Bearer ${adm.token}`])],
      ['GET /dashboard (cookie de session)', wrk(`${st.base}/dashboard`, [`Cookie: ${cookie}`])],
    ];
    loads.push(load());
    mem = rss(st.proc.pid).filter((r) => r.comm === 'cbw-dashboard' || r.comm === 'cbw-messages');
  } finally {
    await st.stop();
  }

  const h = helloBaseline;
  const ratio = (v, ref) => (ref && Number.isFinite(ref) ? `${(100 * v / ref).toFixed(0)} %` : '—');
  const kept = (r, budget) => r.p99 <= budget && r.non200 === 0;
  const verdict = (r, budget) => (kept(r, budget) ? 'tenu' : `**dépassé**${r.non200 ? ' (erreurs)' : ''}`);
  console.log(`\nStatistiques (ticket 7) : ${STATS_MESSAGES} messages (CBW_BENCH_MESSAGES), ${STATS_CAMPAIGNS} campagnes sur ${STATS_DAYS} jours, un admin ;`);
  console.log(`remplissage « chatbot-whatsapp-admin seed » en ${fmt(seedMs / 1000, 1)} s (processus entier), base ${fmt(dbBytes[0] / 1048576, 0)} Mio + WAL ${fmt(dbBytes[1] / 1048576, 0)} Mio :`);
  console.log(`  ${seedOut}`);
  console.log(`Puis PRAGMA wal_checkpoint(TRUNCATE) et sync avant les mesures : ${fmt(settleMs / 1000, 1)} s (WAL ensuite ${fmt(walAfter / 1048576, 0)} Mio).`);
  console.log(`Vu par l'API : ${info.statsTotal ?? '—'} messages sur 30 jours (stats), ${info.failed ?? '—'} en échec (${info.failed != null ? Math.ceil(info.failed / 20) : '—'} pages de 20), ` +
    `${info.martin ?? '—'} pour q=martin, ${info.week ?? '—'} du ${day(-7)} au ${today} ; ${info.camps} campagnes.`);
  if (info.failed != null && Math.ceil(info.failed / 20) < 110)
    console.log(`Attention : ${Math.ceil(info.failed / 20)} pages d'échecs seulement, les pages mesurées au-delà sont vides (base trop petite).`);
  console.log(`Latences : GET un à un sur une connexion gardée (keep-alive), ${STATS_WARM} de mise en route puis ${STATS_N} mesurés par ligne ; ` +
    `charge de la machine (moyenne 1 min) avant / après les mesures : ${loads.join(' / ')} (${execFileSync('nproc', { encoding: 'utf8' }).trim()} cœurs).`);
  console.log('\n| mesure | requêtes | p50 (ms) | p99 (ms) | max (ms) | non-200 | octets moyens | budget p99 | tenu |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|---|');
  for (const [label, r, budget] of rows)
    console.log(`| ${label} | ${r.n} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${r.non200}${r.non200 ? ` (${JSON.stringify(r.codes)})` : ''} | ` +
      `${fmt(r.bytes, 0)} | ${budget ? `≤ ${budget} ms` : '(information)'} | ${budget ? verdict(r, budget) : ''} |`);

  console.log(`\n| débit (wrk -t2 -c8, ${DURATION} s) | requêtes/s | p99 (ms) | non-2xx | rapport à hello |`);
  console.log('|---|---:|---:|---:|---:|');
  if (h) console.log(`| GET /__hello (référence FastCGI nue, pile principale, même passage) | ${h.rps.toFixed(0)} | ${fmt(h.p99ms)} | ${h.non2xx} | 100 % |`);
  for (const [label, r] of wrks)
    console.log(`| ${label} | ${r.rps.toFixed(0)} | ${fmt(r.p99ms)} | ${r.non2xx} | ${ratio(r.rps, h?.rps)} |`);

  console.log('\n| processus (après la mesure) | RSS (Kio) | PSS (Kio) | privée (Kio) |');
  console.log('|---|---:|---:|---:|');
  for (const r of mem) console.log(`| ${r.comm} (${r.pid}) | ${r.kb} | ${r.pss} | ${r.priv} |`);

  const budgeted = rows.filter((x) => x[2]);
  console.log(`\nStatistiques (ticket 7), ${STATS_MESSAGES} messages : ` +
    budgeted.map(([, r, budget, short]) => `${short} p99 ${fmt(r.p99)} ms ≤ ${budget} → ${verdict(r, budget)}`).join(' ; ') + '.');
  console.log(`Référence : GET /__hello, même client, une requête à la fois : p50 ${fmt(helloSeq.p50)} ms, p99 ${fmt(helloSeq.p99)} ms.`);

  const dash = budgeted.filter(([, , budget]) => budget === 50);
  const list = budgeted.filter(([, , budget]) => budget === 10);
  const worstOf = (xs) => xs.reduce((a, x) => (x[1].p99 > a[1].p99 ? x : a));
  const scale = STATS_MESSAGES === 1000000 ? '' : ` — at ${STATS_MESSAGES} messages (CBW_BENCH_MESSAGES), not the budget's 1M`;
  const en = { 'stats (défaut)': 'stats default', 'stats (filtres variés)': 'stats 10 filters', '/dashboard': '/dashboard',
    'échecs page 100': 'failed page 100', 'échecs pages 90…110': 'failed pages 90…110' };
  for (const x of budgeted) x[3] = en[x[3]] || x[3];
  const wd = worstOf(dash), wl = worstOf(list);
  budgetRow('stats', `p99 ${fmt(wd[1].p99)} ms (${wd[3]}); ${dash.map(([, r, , n]) => `${n} ${fmt(r.p99, 1)} (p50 ${fmt(r.p50, 1)})`).join(', ')}${scale}`,
    `hello, same client: p99 ${fmt(helloSeq.p99)} ms, p50 ${fmt(helloSeq.p50)} ms`, dash.every(([, r, b]) => kept(r, b)));
  budgetRow('msg-list', `p99 ${fmt(wl[1].p99)} ms (${wl[3]}); ${list.map(([, r, , n]) => `${n} ${fmt(r.p99, 1)}`).join(', ')}${scale}`,
    `hello p99 ${fmt(helloSeq.p99)} ms`, list.every(([, r, b]) => kept(r, b)));
}

// ---- Récapitulatif --------------------------------------------------------

loadAt.push(['end', loadavg()]);
const finishedAt = new Date();
const sum = summaryTable();
const metLine = `${sum.met}/${sum.judged} budgets met${sum.skipped ? ` (${sum.skipped} not measured: CBW_BENCH_ONLY)` : ''}`;
const loadLine = loadAt.map(([n, l]) => `${n} ${l}`).join('; ');
console.log(`\n## Summary (DESIGN §12 budgets) — ${finishedAt.toISOString()}\n`);
console.log(sum.table);
console.log(`\n${metLine}. PASS/FAIL of memory uses RSS (the budget's unit); PSS rows are information.`);
console.log(`Load average (1/5/15 min): ${loadLine} (${sh('nproc', [])} cores).`);

if (ONLY.length === 0) {
  const file = join(ROOT, 'BENCHMARKS.md');
  const KEEP_MARK = '<!-- Everything below this line is written by hand and kept by ./dev bench. -->';
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const kept = old.includes(KEEP_MARK) ? old.slice(old.indexOf(KEEP_MARK) + KEEP_MARK.length).replace(/^\n+/, '')
    : '## Profile\n\n(not written yet)\n';
  const knobs = [['CBW_BENCH_MESSAGES', STATS_MESSAGES, '1000000'], ['CBW_BENCH_SECONDS', DURATION, '5'],
    ['CBW_BENCH_CONTACTS', N, '100000'], ['CBW_BENCH_ONLY', '(unset)', '(unset: all sections)']];
  const mins = ((finishedAt - startedAt) / 60000).toFixed(1);
  const md = `# Benchmarks

<!-- Written by \`./dev bench\` (t/bench/bench.mjs) at the end of every full run
(no CBW_BENCH_ONLY); do not edit above the marker line further down. -->

Last full run: ${startedAt.toISOString()} → ${finishedAt.toISOString()} (${mins} min).
The budgets are those of DESIGN §12; every baseline was measured in the same
run, on the same machine, under the same lighttpd.

## Summary

**${metLine}.**

${sum.table}

## Machine

| | |
|---|---|
${machine().map(([k, v]) => `| ${k} | ${String(v).replace(/\|/g, '\\|')} |`).join('\n')}
| load average (1/5/15 min) | ${loadLine} |

The machine is shared: other work (tests, soak runs) may run at the same
time, which is why the load average is recorded at the start, at each
section and at the end. Latencies and throughput drop with the load; the
ratios to the same-run hello move less.

## Reproduce

\`\`\`sh
./dev bench                                            # full run: writes this file
CBW_BENCH_MESSAGES=100000 CBW_BENCH_SECONDS=2 ./dev bench   # quick run (still writes it)
CBW_BENCH_ONLY=stats ./dev bench                       # one section; does not write it
\`\`\`

\`./dev bench\` installs missing Debian packages, builds \`build/dev\` (-O2 -g)
and runs \`node t/bench/bench.mjs\`. Knobs of this run:

| variable | this run | default | meaning |
|---|---|---|---|
| CBW_BENCH_MESSAGES | ${knobs[0][1]} | 1000000 | messages seeded for the statistics section |
| CBW_BENCH_SECONDS | ${knobs[1][1]} | 5 | length of each wrk run |
| CBW_BENCH_CONTACTS | ${knobs[2][1]} | 100000 | contacts imported for the contact list |
| CBW_BENCH_ONLY | (unset) | (unset) | comma list of \`contacts\`, \`envoi\`, \`webhook\`, \`stats\`: only those sections (after hello and memory) |

## How to read

* **hello**: \`t/bench/hello.c\`, a bare libfcgi program answering
  "hello", spawned by the same lighttpd as ours (\`/__hello\`). It is the
  floor for throughput ratios and for latencies ("same client": the same
  Node keep-alive client that measures our path). \`/__hello_fast\` is the same
  program closing the FastCGI connection as soon as the request is read, as
  our programs do (libfcgi's default lingers until lighttpd closes it): a
  stricter second baseline, shown next to the contact list.
* **p99 "one request at a time"**: sequential GETs on one kept-alive
  connection; under \`wrk -c8\` on 2 cores the p99 is mostly queueing, and is
  shown for information in the measured cell.
* **memory**: read from \`/proc/PID/smaps_rollup\` for lighttpd and each
  FastCGI process, at rest (no request for 2.5 s: each program gives its
  memory back after 1 s idle) after warm-up, after the
  wrk runs and after the 100k-contact section; the verdict takes the worst
  sample. **RSS** counts every resident page the process maps, including
  the shared pages of libc, libsqlite3, libm, libjson-c, …,
  once *per process*; **PSS** divides each shared page between the processes
  mapping it, so the PSS sum is the stack's real footprint; **private** is
  what the process alone owns. The budget says RSS, so PASS/FAIL uses RSS;
  the PSS rows are information.
* **import**: wall time of the whole HTTP request; the floor is the
  \`sqlite3\` CLI's \`.import\` of the same file into a scratch table of a
  migrated database (no triggers, no validation).
* **webhook**: signed status notifications, as WhatsApp sends them. The
  throughput is measured as fast as the Node client can go (16 requests in
  flight, 8 for batches of 50); the p99 is measured in an open loop at the
  budget's rate, 2,000 updates/s (2,000 requests/s of one status, or 40/s
  of batches of 50), counted from each request's planned send time, because
  WhatsApp does not wait for our answers before sending the next ones. The
  as-fast-as-possible p99 is shown for information: with a closed loop it
  is mostly the queue the client chooses (in flight × service time).
* **sender**: the 60 s window and utilisation come from 10 simulated minutes
  of the real \`lib/send.c\` on a virtual clock (t/bench/send_sim.c), the 95 %
  from a real \`cbw-sender --run-ms 30000\` against the sandbox.
* The detailed tables (French) are on the standard output of \`./dev bench\`.

${KEEP_MARK}

${kept}`;
  writeFileSync(file, md);
  console.log(`\nÉcrit : ${file}`);
}
