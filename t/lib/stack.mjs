// Démarre une pile complète pour les tests : base SQLite temporaire,
// configuration, super admin, lighttpd réel sur un port libre de 127.0.0.1
// qui lance les vrais programmes FastCGI. Rien n'est simulé.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync, mkdirSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = process.env.CBW_ROOT || resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILD = resolve(process.env.CBW_BUILD || join(ROOT, 'build/dev'));
export const ADMIN = { email: 'admin@test.com', password: 'password123' };

// Port TCP libre sur la boucle locale.
export function freePort() {
  return new Promise((ok, ko) => {
    const s = createServer();
    s.on('error', ko);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Lance l'outil d'administration avec la configuration de la pile.
export function cli(stack, args, input = '') {
  return execFileSync(join(BUILD, 'cli/chatbot-whatsapp-admin'), args, {
    input, env: { ...process.env, ...stack.env }, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'],
  });
}

// Démarre la pile. opts.config : clés de configuration en plus ;
// opts.env : variables d'environnement en plus pour lighttpd et les programmes ;
// opts.sandbox : true (ou options de startSandbox) pour démarrer dans ce
// processus le faux WhatsApp (t/sandbox) et y pointer GRAPH_BASE_URL, avec
// son jeton et son identifiant de numéro ; il est arrêté avec la pile.
export async function startStack(opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cbw-test-'));
  let sandbox = null, sandboxConfig = {};
  if (opts.sandbox) {
    const { startSandbox } = await import('../sandbox/sandbox.mjs');
    const so = opts.sandbox === true ? {} : opts.sandbox;
    sandbox = await startSandbox({ port: 0, token: 'sandbox-token', phoneId: '100000000000001', ...so });
    sandboxConfig = {
      GRAPH_BASE_URL: sandbox.url, WHATSAPP_ACCESS_TOKEN: 'sandbox-token',
      WHATSAPP_PHONE_NUMBER_ID: '100000000000001', WHATSAPP_TIMEOUT_MS: '2000',
    };
  }
  mkdirSync(join(dir, 'run')); mkdirSync(join(dir, 'log'));
  const db = join(dir, 'chatbot-whatsapp.db');
  const conf = join(dir, 'chatbot-whatsapp.conf');
  const config = {
    DATABASE_PATH: db,
    SECRET_KEY: randomBytes(32).toString('hex'),
    WHATSAPP_VERIFY_TOKEN: 'verify-' + randomBytes(8).toString('hex'),
    WHATSAPP_APP_SECRET: randomBytes(16).toString('hex'),
    TEMPLATE_DIR: join(ROOT, 'html/templates'),
    STATIC_DIR: join(ROOT, 'html/static'),
    MIGRATIONS_DIR: join(ROOT, 'db/migrations'),
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'info',
    ...sandboxConfig,
    ...(opts.config || {}),
  };
  writeFileSync(conf, Object.entries(config).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const port = await freePort();
  const env = {
    CBW_CONF: conf, CBW_VAR: dir, CBW_PORT: String(port), CBW_BIN: join(BUILD, 'fcgi'),
    CBW_STATIC: join(ROOT, 'html/static'), CBW_HELLO: join(BUILD, 't/bench/cbw-hello'),
    ...(opts.env || {}),
  };
  const stack = { dir, db, conf, config, port, env, sandbox, base: `http://127.0.0.1:${port}` };
  // Le faux WhatsApp envoie ses webhooks signés à cette pile.
  if (sandbox) sandbox.config({ webhook_url: `${stack.base}/api/webhooks/whatsapp`, app_secret: config.WHATSAPP_APP_SECRET });
  cli(stack, ['migrate']);
  cli(stack, ['create-user', '--email', ADMIN.email, '--role', 'super_admin'], ADMIN.password + '\n');
  // stderr de lighttpd et des programmes (journaux JSON, sanitizers) dans un fichier.
  const errFd = openSync(join(dir, 'log/stderr.log'), 'a');
  stack.proc = spawn('lighttpd', ['-D', '-f', join(ROOT, 'etc/lighttpd-dev.conf')], {
    env: { ...process.env, ...env }, stdio: ['ignore', errFd, errFd],
  });
  closeSync(errFd);
  stack.exited = new Promise((r) => stack.proc.on('exit', r));
  for (let i = 0; i < 100; i++) {
    try { const r = await fetch(stack.base + '/login'); if (r.status === 200) break; } catch { /* pas encore */ }
    await sleep(100);
  }
  stack.stop = () => stopStack(stack);
  stack.sql = (q) => sql(stack, q);
  stack.cron = (name, args, o) => runCron(stack, name, args, o);
  return stack;
}

// Lance une tâche cron (cbw-sender, cbw-retry) avec la configuration de la
// pile, sans bloquer ce processus (le faux WhatsApp y tourne aussi).
// o.now : horloge figée (CBW_TEST_NOW, secondes) ; o.env : variables en
// plus ; o.timeoutMs : durée maximale. Rend { code, signal, stdout, stderr,
// proc } ; o.onSpawn(proc) est appelé tout de suite (pour un kill -9).
export function runCron(stack, name, args = [], o = {}) {
  const env = { ...process.env, ...stack.env, ...(o.env || {}) };
  if (o.now !== undefined) env.CBW_TEST_NOW = String(o.now);
  return new Promise((ok, ko) => {
    const proc = spawn(join(BUILD, 'cron', name), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => proc.kill('SIGKILL'), o.timeoutMs || 30000);
    proc.on('error', ko);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      const f = join(stack.dir, 'log/stderr.log');
      writeFileSync(f, stderr, { flag: 'a' });
      ok({ code, signal, stdout, stderr, proc });
    });
    if (o.onSpawn) o.onSpawn(proc);
  });
}

// Lignes du journal de lighttpd (et des programmes) qui signalent un
// problème grave : rapports des sanitizers, plantages.
export function badLogLines(stack) {
  return ['lighttpd-error.log', 'stderr.log'].map((n) => join(stack.dir, 'log', n))
    .filter(existsSync).flatMap((f) => readFileSync(f, 'utf8').split('\n'))
    .filter((l) => /AddressSanitizer|LeakSanitizer|runtime error:|Segmentation|child died|core dumped/.test(l));
}

// Journal stderr complet (lignes JSON des programmes) : pour vérifier qu'aucun
// secret n'y apparaît.
export function stderrLog(stack) {
  const f = join(stack.dir, 'log/stderr.log');
  return existsSync(f) ? readFileSync(f, 'utf8') : '';
}

// Arrête lighttpd (qui arrête ses programmes) ; lève une erreur si le
// journal montre un rapport de sanitizer. Efface le dossier sauf CBW_KEEP.
export async function stopStack(stack) {
  if (stack.proc.exitCode === null) {
    stack.proc.kill('SIGTERM');
    let timer;
    await Promise.race([stack.exited, new Promise((r) => { timer = setTimeout(r, 5000); })]);
    clearTimeout(timer);
    // Toujours là : ses programmes FastCGI d'abord, puis lui (pas d'orphelins).
    if (stack.proc.exitCode === null && stack.proc.signalCode === null) {
      spawnSync('pkill', ['-KILL', '-P', String(stack.proc.pid)]);
      stack.proc.kill('SIGKILL');
      await stack.exited;
    }
  }
  await sleep(200);
  if (stack.sandbox) await stack.sandbox.close();
  const bad = badLogLines(stack);
  if (!process.env.CBW_KEEP) rmSync(stack.dir, { recursive: true, force: true });
  if (bad.length) throw new Error('journal : ' + bad.join('\n'));
}

// Exécute une requête SQL avec le client sqlite3 ; rend les lignes (objets).
export function sql(stack, q) {
  const out = execFileSync('sqlite3', ['-json', stack.db, q], { encoding: 'utf8' });
  return out.trim() ? JSON.parse(out) : [];
}

// Requête HTTP vers la pile. Rend { status, headers, text, json }.
export async function http(stack, method, path, { token, json, body, headers = {}, cookies } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (json !== undefined) { h['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
  if (cookies) h.Cookie = cookies;
  // Une longue suite d'appels synchrones (sqlite3 par execFileSync) bloque
  // la boucle d'événements au-delà du délai de keep-alive de lighttpd
  // (5 s) : undici réutilise alors une connexion déjà fermée par lighttpd,
  // qui n'a donc rien lu. Un seul nouvel essai, sur une connexion neuve.
  const go = () => fetch(stack.base + path, { method, headers: h, body, redirect: 'manual' });
  const r = await go().catch((e) => {
    if (e?.cause?.code !== 'UND_ERR_SOCKET') throw e;
    return go();
  });
  const text = await r.text();
  let parsed = null;
  try { parsed = JSON.parse(text); } catch { /* pas du JSON */ }
  return { status: r.status, headers: r.headers, text, json: parsed };
}

// Connexion API : rend la réponse JSON (access_token, refresh_token...).
export async function login(stack, email = ADMIN.email, password = ADMIN.password) {
  const r = await http(stack, 'POST', '/api/auth/login', { json: { email, password } });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${r.text}`);
  return r.json;
}

// Crée un compte par l'API (avec le jeton d'un super admin) ; rend l'objet.
export async function createUser(stack, token, email, password = 'password123', role = 'admin') {
  const r = await http(stack, 'POST', '/api/users', { token, json: { email, password, role } });
  if (r.status !== 201) throw new Error(`createUser ${email}: ${r.status} ${r.text}`);
  return r.json;
}
