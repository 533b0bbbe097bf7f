// ./dev bench : débit et latence p99 sous le même lighttpd, mesurés dans le
// même passage que la référence (programme FastCGI « hello » nu), et
// mémoire résidente de chaque processus. Puis les contacts : 100 000
// contacts importés pour un admin (POST /api/contacts/import, qui est
// aussi la mesure de l'import), liste paginée, recherche par nom et par
// chiffres, import dans un admin neuf, à côté du plancher « sqlite3
// .import » du même fichier. Mesure seulement ; rien n'est affirmé ici (les
// budgets et leur respect se lisent dans les tableaux).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { request as httpRequest, Agent } from 'node:http';
import { startStack, login, http, ROOT } from '../lib/stack.mjs';
import { contactsCsv, nameTerms, digitTerms } from './contacts-data.mjs';

const DURATION = process.env.CBW_BENCH_SECONDS || '5';
const N = Number(process.env.CBW_BENCH_CONTACTS || 100000);
const HERE = dirname(fileURLToPath(import.meta.url));

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
// Sans `agent` : connexion neuve, fermée ensuite. Rend { status, text }.
function req(s, method, path, { headers = {}, body, agent } = {}) {
  return new Promise((ok, ko) => {
    const r = httpRequest(s.base + path, { method, headers: { ...headers, ...(agent ? {} : { Connection: 'close' }) },
      agent: agent || false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
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
const yes = (ok) => (ok ? 'oui' : '**non**');

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
  await http(s, 'GET', '/__hello_fast');
  const helloFast = wrk(`${s.base}/__hello_fast`);
  const me = wrk(`${s.base}/api/auth/me`, [`Authorization: Bearer ${t.access_token}`]);
  const after = rss(s.proc.pid);

  // ---- Contacts : 100 000 contacts pour un admin, par l'import (mesuré).
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
  const end = rss(s.proc.pid);

  const pct = (a, b) => (100 * a / b).toFixed(0) + ' %';
  console.log(`\nchatbot-whatsapp bench — ${new Date().toISOString()} — ${DURATION} s par mesure, wrk -t2 -c8`);
  console.log(`machine : ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cœurs, ` +
    readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)[1]);
  console.log('\n| mesure | requêtes/s | p99 (ms) | non-2xx | rapport à hello | rapport à hello rapide |');
  console.log("|---|---:|---:|---:|---:|---:|");
  console.log(`| GET /__hello (référence FastCGI nue) | ${hello.rps.toFixed(0)} | ${hello.p99ms.toFixed(2)} | ${hello.non2xx} | 100 % | ${pct(hello.rps, helloFast.rps)} |`);
  console.log(`| GET /__hello_fast (même hello, fermeture immédiate comme nos programmes) | ${helloFast.rps.toFixed(0)} | ${helloFast.p99ms.toFixed(2)} | ${helloFast.non2xx} | ${pct(helloFast.rps, hello.rps)} | 100 % |`);
  console.log(`| GET /api/auth/me (JWT + SQLite) | ${me.rps.toFixed(0)} | ${me.p99ms.toFixed(2)} | ${me.non2xx} | ${pct(me.rps, hello.rps)} | ${pct(me.rps, helloFast.rps)} |`);

  console.log(`\nContacts : ${N} contacts d'un admin (60 % avec nom), ${pages} pages de 20.`);
  console.log('\n| mesure (wrk -t2 -c8) | requêtes/s | p99 (ms) | non-2xx | rapport à hello | rapport à hello rapide | budget | tenu |');
  console.log('|---|---:|---:|---:|---:|---:|---|---|');
  for (const [label, r] of [['GET /api/contacts?page=1', list1], ['GET /api/contacts?page=1000', list1000],
    [`GET /api/contacts?page=${pages} (dernière)`, listLast], [`GET /api/contacts?page=1…${pages} (1000 pages au hasard)`, listRand]])
    console.log(`| ${label} | ${r.rps.toFixed(0)} | ${fmt(r.p99ms)} | ${r.non2xx} | ${pct(r.rps, hello.rps)} | ${pct(r.rps, helloFast.rps)} | ≥ 50 % de hello | ${yes(r.rps >= hello.rps / 2 && r.non2xx === 0)} |`);
  for (const [label, r] of [['GET /api/contacts?q=<nom> (300 termes en boucle)', wrkNames], ['GET /api/contacts?q=<chiffres> (300 termes en boucle)', wrkDigits]])
    console.log(`| ${label} | ${r.rps.toFixed(0)} | ${fmt(r.p99ms)} | ${r.non2xx} | ${pct(r.rps, hello.rps)} | ${pct(r.rps, helloFast.rps)} | (information) | |`);

  console.log('\n| recherche (une requête à la fois) | requêtes | p50 (ms) | p99 (ms) | max (ms) : terme | résultats moyens | budget p99 | tenu |');
  console.log('|---|---:|---:|---:|---|---:|---|---|');
  for (const [label, r, budget] of [['q=<nom> (prénom, nom, début, « prénom nom », majuscules)', seqNames, 10],
    ['q=<chiffres> (4 derniers, 6 du milieu, national, international, début)', seqDigits, 10],
    ['q=1 ou 2 caractères (balayage sans index)', seqShort, null]])
    console.log(`| ${label} | ${r.n} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} : « ${r.worst[0]} » | ${fmt(r.avgTotal, 0)} | ${budget ? `≤ ${budget} ms` : '(information)'} | ${budget ? yes(r.p99 <= budget && r.non200 === 0) : ''} |`);

  console.log('\n| import CSV de ' + N + ' lignes | temps (ms) | lignes/s | créés | budget | tenu |');
  console.log('|---|---:|---:|---:|---|---|');
  for (const [label, r] of [['POST /api/contacts/import, 1er admin (base presque vide)', imp1],
    [`POST /api/contacts/import, admin neuf (base déjà à ${N})`, imp2]])
    console.log(`| ${label} | ${r.ms.toFixed(0)} | ${(N / r.ms * 1000).toFixed(0)} | ${r.json?.created ?? r.status} | ≤ 1000 ms | ${yes(r.ms <= 1000 && r.status === 200)} |`);
  console.log(`| sqlite3 .import (plancher : table brouillon, base migrée) | ${floor.importMs.toFixed(0)} | ${(floor.rows / floor.importMs * 1000).toFixed(0)} | ${floor.rows} | | |`);
  console.log(`| sqlite3 INSERT INTO contacts … SELECT (information : déclencheurs FTS + compteurs) | ${floor.insertMs.toFixed(0)} | ${(floor.copied / floor.insertMs * 1000).toFixed(0)} | ${floor.copied} | | |`);

  console.log('\n| processus | RSS au repos (Kio) | PSS au repos | privée au repos | RSS après charge | PSS après charge | RSS fin (contacts) | PSS fin |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  let total = 0, totalPss = 0, totalEnd = 0, totalEndPss = 0;
  for (const r of idle) {
    const a = after.find((x) => x.pid === r.pid) || r;
    const e = end.find((x) => x.pid === r.pid) || a;
    total += a.kb; totalPss += a.pss; totalEnd += e.kb; totalEndPss += e.pss;
    console.log(`| ${r.comm} (${r.pid}) | ${r.kb} | ${r.pss} | ${r.priv} | ${a.kb} | ${a.pss} | ${e.kb} | ${e.pss} |`);
  }
  console.log(`| **total** | | | | ${total} | ${totalPss} | ${totalEnd} | ${totalEndPss} |`);
  console.log('\nRSS compte les pages partagées des bibliothèques (libcrypto, libsqlite3, libc) dans chaque');
  console.log('processus ; PSS les répartit entre les processus qui les partagent (somme = mémoire réelle).');
  console.log('\nBudgets (DESIGN §12) : chaque processus FastCGI ≤ 4096 Kio au repos ; pile ≤ 40960 Kio.');
  const fcgiIdle = idle.filter((r) => r.comm !== 'lighttpd');
  const sum = (k) => idle.reduce((x, r) => x + r[k], 0);
  console.log(`Au repos, RSS : ${fcgiIdle.map((r) => `${r.comm} ${r.kb}`).join(', ')} Kio → ` +
    `${yes(fcgiIdle.every((r) => r.kb <= 4096))} ; mémoire privée : ${fcgiIdle.map((r) => `${r.comm} ${r.priv}`).join(', ')} Kio → ` +
    `${yes(fcgiIdle.every((r) => r.priv <= 4096))} ; pile RSS ${sum('kb')} Kio → ${yes(sum('kb') <= 40960)}, PSS ${sum('pss')} Kio → ${yes(sum('pss') <= 40960)}.`);
  console.log('Contacts (ticket 4) : liste ≥ 50 % des requêtes/s de hello ; recherche p99 ≤ 10 ms ; import de 100 000 lignes ≤ 1 s.');
} finally {
  await s.stop();
}
