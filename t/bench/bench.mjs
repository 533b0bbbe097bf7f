// ./dev bench : débit et latence p99 sous le même lighttpd, mesurés dans le
// même passage que la référence (programme FastCGI « hello » nu), et
// mémoire résidente de chaque processus. Mesure seulement ; rien n'est
// affirmé ici (les budgets se lisent dans le tableau).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { startStack, login, http } from '../lib/stack.mjs';

const DURATION = process.env.CBW_BENCH_SECONDS || '5';

// Lance wrk et rend { rps, p99ms }.
function wrk(url, headers = []) {
  const args = ['-t2', '-c8', `-d${DURATION}s`, '--latency'];
  for (const h of headers) args.push('-H', h);
  const out = execFileSync('wrk', [...args, url], { encoding: 'utf8' });
  const rps = Number((out.match(/Requests\/sec:\s+([\d.]+)/) || [])[1]);
  const m = out.match(/^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m);
  const unit = m ? { us: 0.001, ms: 1, s: 1000 }[m[2]] : NaN;
  const non2xx = Number((out.match(/Non-2xx or 3xx responses:\s+(\d+)/) || [0, 0])[1]);
  return { rps, p99ms: m ? Number(m[1]) * unit : NaN, non2xx };
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

const s = await startStack({ config: { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warning' } });
try {
  const t = await login(s);
  // Réveille chaque programme pour mesurer une mémoire « au repos » réaliste.
  await http(s, 'GET', '/__hello');
  await http(s, 'GET', '/api/auth/me', { token: t.access_token });
  await http(s, 'GET', '/api/users', { token: t.access_token });
  await http(s, 'GET', '/login');
  const idle = rss(s.proc.pid);
  const hello = wrk(`${s.base}/__hello`);
  const me = wrk(`${s.base}/api/auth/me`, [`Authorization: Bearer ${t.access_token}`]);
  const after = rss(s.proc.pid);

  const pct = (a, b) => (100 * a / b).toFixed(0) + ' %';
  console.log(`\nchatbot-whatsapp bench — ${new Date().toISOString()} — ${DURATION} s par mesure, wrk -t2 -c8`);
  console.log(`machine : ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cœurs, ` +
    readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)[1]);
  console.log('\n| mesure | requêtes/s | p99 (ms) | non-2xx | rapport à hello |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(`| GET /__hello (référence FastCGI nue) | ${hello.rps.toFixed(0)} | ${hello.p99ms.toFixed(2)} | ${hello.non2xx} | 100 % |`);
  console.log(`| GET /api/auth/me (JWT + SQLite) | ${me.rps.toFixed(0)} | ${me.p99ms.toFixed(2)} | ${me.non2xx} | ${pct(me.rps, hello.rps)} |`);
  console.log('\n| processus | RSS au repos (Kio) | PSS au repos | privée au repos | RSS après charge | PSS après charge |');
  console.log('|---|---:|---:|---:|---:|---:|');
  let total = 0, totalPss = 0;
  for (const r of idle) {
    const a = after.find((x) => x.pid === r.pid) || r;
    total += a.kb; totalPss += a.pss;
    console.log(`| ${r.comm} (${r.pid}) | ${r.kb} | ${r.pss} | ${r.priv} | ${a.kb} | ${a.pss} |`);
  }
  console.log(`| **total** | | | | ${total} | ${totalPss} |`);
  console.log('\nRSS compte les pages partagées des bibliothèques (libcrypto, libsqlite3, libc) dans chaque');
  console.log('processus ; PSS les répartit entre les processus qui les partagent (somme = mémoire réelle).');
  console.log('\nBudgets (DESIGN §12) : chaque processus FastCGI ≤ 4096 Kio au repos ; pile ≤ 40960 Kio.');
} finally {
  await s.stop();
}
