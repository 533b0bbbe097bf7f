// Outil d'administration chatbot-whatsapp-admin : create-user (mot de
// passe par l'entrée standard, jamais par la ligne de commande),
// reset-password, backup (sauvegarde en ligne cohérente, atomique, ou
// tournante dans un dossier), restore, changement d'identité sous root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync, chownSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync,
  rmSync, statSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack, http, login, cli, BUILD, ROOT } from '../lib/stack.mjs';
import { stop, runCli, assertJsonError } from './util.mjs';

let s;
before(async () => { s = await startStack(); });
after(async () => { await stop(s); });

const user = (email) => s.sql(`SELECT email, role, is_active, password_hash FROM users WHERE email = '${email}'`)[0];

test('create-user --role admin, mot de passe sur l\'entrée standard : compte créé, connexion possible', async () => {
  const pw = 'cli-secret-42';
  const r = runCli(s, ['create-user', '--email', 'Cli@Test.com', '--role', 'admin'], `${pw}\n`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Compte cli@test\.com créé \(admin\)\./);
  assert.ok(!r.stdout.includes(pw) && !r.stderr.includes(pw), 'mot de passe affiché');
  const u = user('cli@test.com');
  assert.equal(u.role, 'admin');
  assert.equal(u.is_active, 1);
  assert.match(u.password_hash, /^\$2b\$12\$/);
  const l = await login(s, 'cli@test.com', pw);
  assert.equal(l.user.role, 'admin');
  // Audit : acteur « chatbot-whatsapp-admin ».
  const a = s.sql("SELECT user_id, actor_email FROM audit_log WHERE action = 'user.create' AND details LIKE '%cli@test.com%'");
  assert.deepEqual(a, [{ user_id: null, actor_email: 'chatbot-whatsapp-admin' }]);
  // Rôle par défaut : admin ; le helper cli() de la pile marche aussi.
  cli(s, ['create-user', '--email', 'defaut@test.com'], 'password123\n');
  assert.equal(user('defaut@test.com').role, 'admin');
  // Retour chariot Windows retiré.
  assert.equal(runCli(s, ['create-user', '--email', 'crlf@test.com'], 'password123\r\n').status, 0);
  assert.equal((await login(s, 'crlf@test.com', 'password123')).user.email, 'crlf@test.com');
});

test('create-user refuse : rôle invalide, mot de passe court, vide, e-mail invalide, doublon (code non nul, message français)', () => {
  const n = () => s.sql('SELECT count(*) AS n FROM users')[0].n;
  const before = n();
  const cases = [
    [['create-user', '--email', 'r@test.com', '--role', 'root'], 'password123\n', /Rôle invalide/],
    [['create-user', '--email', 'r@test.com', '--role', 'Admin'], 'password123\n', /Rôle invalide/],
    [['create-user', '--email', 'c@test.com', '--role', 'admin'], '1234567\n', /au moins 8 caractères/],
    [['create-user', '--email', 'v@test.com'], '\n', /mot de passe est obligatoire/],
    [['create-user', '--email', 'v@test.com'], '', /mot de passe non lu/],
    [['create-user', '--email', 'pas-un-email'], 'password123\n', /Adresse e-mail invalide/],
    [['create-user'], 'password123\n', /e-mail est obligatoire/],
    [['create-user', '--email', 'CLI@test.com'], 'password123\n', /existe déjà/],
    [['create-user', '--email', 'l@test.com'], `${'x'.repeat(73)}\n`, /72 octets/],
  ];
  for (const [args, input, msg] of cases) {
    const r = runCli(s, args, input);
    const label = args.join(' ');
    assert.notEqual(r.status, 0, `${label} : code 0`);
    assert.match(r.stderr, msg, `${label} : ${r.stderr}`);
  }
  assert.equal(n(), before);
});

test('le mot de passe ne passe jamais par la ligne de commande', async () => {
  // Pas d'option --password : refus, aucun compte, usage affiché.
  for (const args of [
    ['create-user', '--email', 'argv@test.com', '--password', 'password123'],
    ['create-user', '--email', 'argv@test.com', '-p', 'password123'],
    ['reset-password', '--email', 'cli@test.com', '--password', 'password123'],
  ]) {
    const r = runCli(s, args, 'autre-mdp-99\n');
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, /usage/);
    assert.match(r.stderr, /entrée standard/);
  }
  assert.equal(user('argv@test.com'), undefined);
  // Un argument en trop n'est pas pris pour le mot de passe.
  const r = runCli(s, ['create-user', '--email', 'argv2@test.com', 'password123'], 'vrai-mdp-123\n');
  if (r.status === 0) {
    assertJsonError(await http(s, 'POST', '/api/auth/login', { json: { email: 'argv2@test.com', password: 'password123' } }),
      401, 'invalid_credentials', 'argument pris pour mot de passe');
    assert.equal((await login(s, 'argv2@test.com', 'vrai-mdp-123')).user.email, 'argv2@test.com');
  } else {
    assert.equal(user('argv2@test.com'), undefined);
  }
});

test('reset-password : nouveau mot de passe par l\'entrée standard, sessions fermées', async () => {
  runCli(s, ['create-user', '--email', 'oubli@test.com'], 'ancien-mdp-1\n');
  const a = await login(s, 'oubli@test.com', 'ancien-mdp-1');
  const r = runCli(s, ['reset-password', '--email', 'OUBLI@test.com'], 'nouveau-mdp-2\n');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Mot de passe de oubli@test\.com changé\./);
  assertJsonError(await http(s, 'GET', '/api/auth/me', { token: a.access_token }), 401, 'unauthorized', 'ancienne session');
  assertJsonError(await http(s, 'POST', '/api/auth/login', { json: { email: 'oubli@test.com', password: 'ancien-mdp-1' } }),
    401, 'invalid_credentials', 'ancien mot de passe');
  assert.equal((await login(s, 'oubli@test.com', 'nouveau-mdp-2')).user.email, 'oubli@test.com');
  const bad = runCli(s, ['reset-password', '--email', 'personne@test.com'], 'password123\n');
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /aucun compte personne@test\.com/);
  const short = runCli(s, ['reset-password', '--email', 'oubli@test.com'], 'court\n');
  assert.notEqual(short.status, 0);
  assert.match(short.stderr, /au moins 8 caractères/);
});

test('backup FICHIER : copie cohérente (integrity_check ok) qui contient les comptes, pile en marche', async () => {
  const file = join(s.dir, 'sauvegarde.db');
  const n = s.sql('SELECT count(*) AS n FROM users')[0].n;
  const r = runCli(s, ['backup', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Sauvegarde écrite dans/);
  assert.ok(existsSync(file) && statSync(file).size > 0);
  const q = (sql) => execFileSync('sqlite3', [file, sql], { encoding: 'utf8' }).trim();
  assert.equal(q('PRAGMA integrity_check'), 'ok');
  assert.equal(Number(q('SELECT count(*) FROM users')), n);
  assert.match(q('SELECT email FROM users ORDER BY id'), /admin@test\.com[\s\S]*cli@test\.com/);
  assert.equal(q("SELECT role FROM users WHERE email = 'admin@test.com'"), 'super_admin');
  assert.ok(Number(q('SELECT count(*) FROM schema_migrations')) >= 1);
  // La pile marche toujours.
  assert.equal((await http(s, 'GET', '/login')).status, 200);
  // Dossier absent : échec clair.
  const bad = runCli(s, ['backup', join(s.dir, 'absent/x.db')]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /sauvegarde/);
  // Sans fichier : usage.
  assert.notEqual(runCli(s, ['backup']).status, 0);
});

// ------------------------------------------------ sauvegarde, restauration, root

// Outil d'administration avec la configuration de la pile et des variables
// en plus (CBW_TEST_NOW, TIME_ZONE, CBW_CONF...).
function runCliEnv(stack, args, env = {}, input = '') {
  const r = spawnSync(join(BUILD, 'cli/chatbot-whatsapp-admin'), args, {
    input, env: { ...process.env, ...stack.env, ...env }, encoding: 'utf8', timeout: 30000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const sqlite = (file, q) => execFileSync('sqlite3', [file, q], { encoding: 'utf8' }).trim();
const mode = (p) => statSync(p).mode & 0o777;
const tempsLeft = (dir) => readdirSync(dir).filter((f) => f.startsWith('.chatbot-whatsapp-'));
// Nom attendu d'une sauvegarde pour un instant Unix (UTC, TIME_ZONE=UTC).
const backupName = (sec, k = 1) => {
  const d = new Date(sec * 1000).toISOString();
  const stamp = `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}-${d.slice(11, 13)}${d.slice(14, 16)}${d.slice(17, 19)}`;
  return `chatbot-whatsapp-${stamp}${k > 1 ? `-${k}` : ''}.db`;
};
const usersSnapshot = () => JSON.stringify(s.sql('SELECT id, email, role, is_active, password_hash FROM users ORDER BY id'));

test('backup FICHIER : remplacement atomique par renommage (ancien contenu jamais réécrit sur place), mode 0640, pas de fichier temporaire laissé', () => {
  const dir = join(s.dir, 'atomique');
  mkdirSync(dir);
  const file = join(dir, 'b.db');
  writeFileSync(file, 'ancien contenu');
  // Un second nom sur l'ancien inode : une écriture sur place le modifierait.
  linkSync(file, join(dir, 'ancien-lien'));
  const ino = statSync(file).ino;
  const r = runCli(s, ['backup', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `Sauvegarde écrite dans ${file}.\n`);
  assert.notEqual(statSync(file).ino, ino, 'fichier réécrit sur place');
  assert.equal(readFileSync(join(dir, 'ancien-lien'), 'utf8'), 'ancien contenu');
  assert.equal(mode(file), 0o640);
  assert.equal(sqlite(file, 'PRAGMA integrity_check'), 'ok');
  // Fichier autonome : journal classique, pas de WAL à côté.
  assert.equal(sqlite(file, 'PRAGMA journal_mode'), 'delete');
  assert.deepEqual(readdirSync(dir).sort(), ['ancien-lien', 'b.db']);
  // Échec (la cible est un dossier) : code 1, message, aucun temporaire laissé.
  const target = join(dir, 'un-dossier');
  mkdirSync(target);
  const bad = runCli(s, ['backup', target]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /sauvegarde : .*un-dossier/);
  assert.deepEqual(tempsLeft(dir), []);
  assert.deepEqual(readdirSync(target), []);
});

test('backup --dir --keep 3 : noms horodatés, les 3 plus récentes gardées, fichiers étrangers intacts, copies saines', () => {
  const dir = join(s.dir, 'rotation');
  const env = { TIME_ZONE: 'UTC' };
  const t0 = Date.UTC(2025, 2, 1, 10, 0, 0) / 1000;
  // Dossier créé (0750). Fichiers étrangers, dont des noms presque pareils
  // et un dossier au nom exact d'une sauvegarde plus ancienne.
  mkdirSync(dir, { mode: 0o750 });
  rmSync(dir, { recursive: true });
  const run = (sec, extra = []) => runCliEnv(s, ['backup', '--dir', dir, ...extra], { ...env, CBW_TEST_NOW: String(sec) });
  const first = run(t0, ['--keep', '3']);
  assert.equal(first.status, 0, first.stderr);
  assert.equal(mode(dir), 0o750);
  const foreign = ['notes.txt', 'chatbot-whatsapp-20250101-000000.db.bak', 'chatbot-whatsapp-2025.db',
    'autre-20250101-000000.db', 'chatbot-whatsapp-20250101-000000-01.db', 'chatbot-whatsapp-20250101-000000-1.db',
    'chatbot-whatsapp-20250101-000000-1000.db', 'CHATBOT-WHATSAPP-20250101-000000.db'];
  for (const f of foreign) writeFileSync(join(dir, f), 'à garder');
  mkdirSync(join(dir, 'chatbot-whatsapp-20240101-000000.db'));
  for (let day = 1; day < 5; day++) {
    const r = run(t0 + day * 86400, ['--keep', '3']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `Sauvegarde écrite dans ${join(dir, backupName(t0 + day * 86400))}.\n`);
  }
  const ours = () => readdirSync(dir).filter((f) => /^chatbot-whatsapp-\d{8}-\d{6}(-([2-9]|[1-9]\d{1,2}))?\.db$/.test(f) && statSync(join(dir, f)).isFile()).sort();
  assert.deepEqual(ours(), [2, 3, 4].map((d) => backupName(t0 + d * 86400)));
  for (const f of foreign) assert.equal(readFileSync(join(dir, f), 'utf8'), 'à garder', f);
  assert.ok(statSync(join(dir, 'chatbot-whatsapp-20240101-000000.db')).isDirectory());
  // Même seconde : suffixes -2, -3 qui suivent l'ordre d'écriture, même
  // après effacement du nom sans suffixe.
  const t4 = t0 + 4 * 86400;
  for (const k of [2, 3]) {
    const r = run(t4, ['--keep', '3']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `Sauvegarde écrite dans ${join(dir, backupName(t4, k))}.\n`);
  }
  assert.deepEqual(ours(), [backupName(t4), backupName(t4, 2), backupName(t4, 3)].sort());
  const r4 = run(t4, ['--keep', '3']);
  assert.equal(r4.stdout, `Sauvegarde écrite dans ${join(dir, backupName(t4, 4))}.\n`);
  assert.deepEqual(ours(), [backupName(t4, 2), backupName(t4, 3), backupName(t4, 4)].sort());
  // --keep par défaut : 7 ; rien n'est effacé avec 4 sauvegardes.
  const r5 = run(t4 + 86400);
  assert.equal(r5.status, 0, r5.stderr);
  assert.equal(ours().length, 4);
  // Chaque copie : 0640, saine, avec les comptes de la base.
  const n = s.sql('SELECT count(*) AS n FROM users')[0].n;
  for (const f of ours()) {
    const p = join(dir, f);
    assert.equal(mode(p), 0o640, f);
    assert.equal(sqlite(p, 'PRAGMA integrity_check'), 'ok', f);
    assert.equal(Number(sqlite(p, 'SELECT count(*) FROM users')), n, f);
    assert.equal(sqlite(p, "SELECT role FROM users WHERE email = 'admin@test.com'"), 'super_admin', f);
  }
  for (const f of foreign) assert.ok(existsSync(join(dir, f)), f);
  assert.deepEqual(tempsLeft(dir), []);
  // Heure réelle (sans CBW_TEST_NOW) : nom du jour, dans un autre dossier.
  const live = join(s.dir, 'rotation-reelle');
  const before = Math.floor(Date.now() / 1000);
  const rl = runCliEnv(s, ['backup', '--dir', live + '/'], env);
  assert.equal(rl.status, 0, rl.stderr);
  const [name] = readdirSync(live);
  assert.ok([before, before + 1, before + 2].map((t) => backupName(t)).includes(name), name);
  assert.equal(rl.stdout, `Sauvegarde écrite dans ${join(live, name)}.\n`);
});

test('backup : --keep validé (1 à 365, entier complet), options incohérentes refusées, rien n\'est écrit', () => {
  const dir = join(s.dir, 'keep-invalide');
  for (const keep of ['0', '366', '-1', 'abc', '3x', '', ' 3', '1e2']) {
    const r = runCli(s, ['backup', '--dir', dir, '--keep', keep]);
    assert.equal(r.status, 2, `--keep ${keep}`);
    assert.match(r.stderr, /--keep doit être un nombre entier de 1 à 365/, `--keep ${keep}`);
  }
  assert.ok(!existsSync(dir), 'dossier créé malgré une option fausse');
  for (const args of [['backup', '--keep', '3', join(s.dir, 'x.db')], ['backup', '--dir', dir, join(s.dir, 'x.db')],
    ['backup', join(s.dir, 'x.db'), join(s.dir, 'y.db')], ['backup', '--dir']]) {
    const r = runCli(s, args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /usage : chatbot-whatsapp-admin/);
  }
  assert.ok(!existsSync(dir) && !existsSync(join(s.dir, 'x.db')) && !existsSync(join(s.dir, 'y.db')));
  // 365 accepté.
  const ok = runCli(s, ['backup', '--dir', dir, '--keep', '365']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(readdirSync(dir).length, 1);
});

test('restore : sauvegarde → changements → restore --yes → données revenues, pile servie avec la base restaurée', async () => {
  runCli(s, ['create-user', '--email', 'avant@test.com'], 'avant-mdp-1\n');
  const file = join(s.dir, 'avant-restore.db');
  assert.equal(runCli(s, ['backup', file]).status, 0);
  const saved = usersSnapshot();
  // Changements après la sauvegarde.
  assert.equal(runCli(s, ['create-user', '--email', 'apres@test.com'], 'apres-mdp-1\n').status, 0);
  assert.equal(runCli(s, ['reset-password', '--email', 'avant@test.com'], 'change-mdp-2\n').status, 0);
  const changed = usersSnapshot();
  assert.notEqual(changed, saved);
  // Sans --yes : refus qui explique, rien ne change.
  const no = runCli(s, ['restore', file]);
  assert.equal(no.status, 2);
  assert.match(no.stderr, /remplace toutes les données/);
  assert.match(no.stderr, /--yes/);
  assert.equal(usersSnapshot(), changed);
  // Avec --yes (avant ou après le fichier).
  const r = runCli(s, ['restore', '--yes', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `Base restaurée depuis ${file} ; 0 migration(s) appliquée(s).\n`);
  assert.equal(usersSnapshot(), saved);
  assert.equal(user('apres@test.com'), undefined);
  assert.equal(s.sql('PRAGMA integrity_check')[0].integrity_check, 'ok');
  // L'application en marche voit la base restaurée.
  assert.equal((await login(s, 'avant@test.com', 'avant-mdp-1')).user.email, 'avant@test.com');
  assertJsonError(await http(s, 'POST', '/api/auth/login', { json: { email: 'apres@test.com', password: 'apres-mdp-1' } }),
    401, 'invalid_credentials', 'compte créé après la sauvegarde');
  // Le fichier restauré n'est pas modifié.
  assert.equal(sqlite(file, "SELECT count(*) FROM users WHERE email = 'apres@test.com'"), '0');
});

test('restore d\'une sauvegarde d\'une version plus ancienne : migrations en attente appliquées', () => {
  const saved = join(s.dir, 'etat-courant.db');
  assert.equal(runCli(s, ['backup', saved]).status, 0);
  const snap = usersSnapshot();
  // Base « ancienne » : toutes les migrations sauf la dernière.
  const all = readdirSync(join(ROOT, 'db/migrations')).filter((f) => f.endsWith('.sql')).sort();
  const migr = join(s.dir, 'migrations-anciennes');
  mkdirSync(migr);
  for (const f of all.slice(0, -1)) copyFileSync(join(ROOT, 'db/migrations', f), join(migr, f));
  mkdirSync(join(s.dir, 'ancienne'));
  const conf = join(s.dir, 'ancienne.conf');
  writeFileSync(conf, Object.entries({ ...s.config, DATABASE_PATH: join(s.dir, 'ancienne/old.db'), MIGRATIONS_DIR: migr })
    .map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const m = runCliEnv(s, ['migrate'], { CBW_CONF: conf });
  assert.equal(m.status, 0, m.stderr);
  assert.equal(runCliEnv(s, ['create-user', '--email', 'ancien@test.com'], { CBW_CONF: conf }, 'ancien-mdp-1\n').status, 0);
  const old = join(s.dir, 'ancienne-sauvegarde.db');
  assert.equal(runCliEnv(s, ['backup', old], { CBW_CONF: conf }).status, 0);
  assert.equal(Number(sqlite(old, 'SELECT count(*) FROM schema_migrations')), all.length - 1);

  const r = runCli(s, ['restore', old, '--yes']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `Base restaurée depuis ${old} ; 1 migration(s) appliquée(s).\n`);
  assert.deepEqual(s.sql('SELECT version FROM schema_migrations ORDER BY version').map((x) => x.version), all);
  assert.deepEqual(s.sql('SELECT email FROM users'), [{ email: 'ancien@test.com' }]);
  assert.equal(s.sql("SELECT count(*) AS n FROM sqlite_master WHERE name = 'idx_msg_status_counts_owner_status'")[0].n, 1);
  // Retour à l'état d'avant pour les tests suivants.
  const back = runCli(s, ['restore', saved, '--yes']);
  assert.equal(back.status, 0, back.stderr);
  assert.equal(usersSnapshot(), snap);
});

test('restore refuse un fichier qui n\'est pas une sauvegarde saine : code 1, message français, base intacte', () => {
  const good = join(s.dir, 'pour-tronquer.db');
  assert.equal(runCli(s, ['backup', good]).status, 0);
  const files = {
    'aleatoire.db': randomBytes(64 * 1024),
    'vide.db': Buffer.alloc(0),
    'tronquee.db': readFileSync(good).subarray(0, Math.floor(statSync(good).size / 2)),
  };
  for (const [f, data] of Object.entries(files)) writeFileSync(join(s.dir, f), data);
  execFileSync('sqlite3', [join(s.dir, 'etrangere.db'), 'CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users(email) VALUES (\'intrus@test.com\')']);
  const snap = () => JSON.stringify([usersSnapshot(), s.sql('SELECT * FROM schema_migrations ORDER BY version'),
    s.sql("SELECT type, name FROM sqlite_master ORDER BY name")]);
  const before = snap();
  for (const [f, msg] of [
    ['aleatoire.db', /aleatoire\.db n'est pas une base SQLite lisible/],
    ['vide.db', /vide\.db n'est pas une sauvegarde de chatbot-whatsapp \(table schema_migrations absente\)/],
    ['etrangere.db', /etrangere\.db n'est pas une sauvegarde de chatbot-whatsapp/],
    ['tronquee.db', /tronquee\.db (est endommagée|n'est pas une base SQLite lisible)/],
    ['absente.db', /absente\.db : ouverture impossible/],
  ]) {
    const r = runCli(s, ['restore', join(s.dir, f), '--yes']);
    assert.equal(r.status, 1, `${f} : ${r.stderr}`);
    assert.match(r.stderr, /base inchangée/, f);
    assert.match(r.stderr, msg, f);
    assert.equal(r.stdout, '', f);
    assert.equal(snap(), before, f);
  }
  assert.ok(!existsSync(join(s.dir, 'absente.db')), 'restore a créé le fichier source');
  // La base en service elle-même.
  const self = runCli(s, ['restore', s.db, '--yes']);
  assert.equal(self.status, 1);
  assert.match(self.stderr, /est la base en service/);
  // Ligne de commande fausse.
  for (const args of [['restore'], ['restore', '--yes'], ['restore', good, good, '--yes']]) {
    const r = runCli(s, args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /usage : chatbot-whatsapp-admin/);
  }
  assert.equal(snap(), before);
});

test('lancé par root : agit sous l\'identité du propriétaire du dossier de la base (base, -wal, -shm, sauvegardes à lui)', { skip: process.getuid() !== 0 && 'il faut être root pour tester le changement d\'identité' }, async () => {
  const UID = 65534, GID = 65534;	// nobody:nogroup, réservé aux tests ici
  const top = mkdtempSync(join(tmpdir(), 'cbw-root-'));
  try {
    chmodSync(top, 0o755);
    const data = join(top, 'data');
    mkdirSync(data, { mode: 0o750 });
    chownSync(data, UID, GID);
    // Migrations lisibles par nobody, où que soient les sources.
    const migr = join(top, 'migrations');
    mkdirSync(migr, { mode: 0o755 });
    for (const f of readdirSync(join(ROOT, 'db/migrations'))) copyFileSync(join(ROOT, 'db/migrations', f), join(migr, f));
    // Configuration lisible par root seul : lue avant le changement d'identité.
    const conf = join(top, 'chatbot-whatsapp.conf');
    const db = join(data, 'chatbot-whatsapp.db');
    writeFileSync(conf, `SECRET_KEY=${randomBytes(32).toString('hex')}\nDATABASE_PATH=${db}\nMIGRATIONS_DIR=${migr}\n`, { mode: 0o600 });
    const env = { ...process.env, CBW_CONF: conf };
    const exe = join(BUILD, 'cli/chatbot-whatsapp-admin');

    // migrate crée la base ; create-user la rouvre : pendant la lecture du
    // mot de passe, elle est ouverte (WAL) : -wal et -shm existent, à nobody.
    const m = spawnSync(exe, ['migrate'], { env, encoding: 'utf8' });
    assert.equal(m.status, 0, m.stderr);
    assert.equal(statSync(db).uid, UID);
    const child = spawn(exe, ['create-user', '--email', 'root@test.com', '--role', 'super_admin'], { env });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const done = new Promise((ok) => child.on('close', ok));
    const deadline = Date.now() + 10000;
    while (!(existsSync(`${db}-wal`) && existsSync(`${db}-shm`)) && Date.now() < deadline) await sleep(20);
    for (const f of [db, `${db}-wal`, `${db}-shm`]) {
      assert.ok(existsSync(f), `${f} absent : ${err}`);
      assert.equal(statSync(f).uid, UID, f);
      assert.equal(statSync(f).gid, GID, f);
    }
    child.stdin.end('password123\n');
    assert.equal(await done, 0, err);
    assert.match(out, /Compte root@test\.com créé \(super_admin\)\./);
    // Sauvegarde dans un dossier que l'outil crée : à nobody aussi.
    const bk = join(data, 'sauvegardes');
    const b = spawnSync(exe, ['backup', '--dir', bk], { env, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    assert.equal(statSync(bk).uid, UID);
    const [bf] = readdirSync(bk);
    assert.equal(statSync(join(bk, bf)).uid, UID);
    // Rien dans le dossier de données n'appartient à root.
    for (const f of readdirSync(data)) assert.equal(statSync(join(data, f)).uid, UID, f);
    // La ligne existe (lue après les vérifications de propriétaire).
    assert.equal(sqlite(db, "SELECT role FROM users WHERE email = 'root@test.com'"), 'super_admin');

    // Un fichier qui ne peut être écrit que par root est refusé : l'outil
    // n'est plus root.
    const rootOnly = join(top, 'root-seul');
    mkdirSync(rootOnly, { mode: 0o700 });
    const denied = spawnSync(exe, ['backup', join(rootOnly, 'x.db')], { env, encoding: 'utf8' });
    assert.equal(denied.status, 1);
    assert.match(denied.stderr, /sauvegarde : .*Permission denied/);
    assert.deepEqual(readdirSync(rootOnly), []);

    // Dossier de la base absent : message qui le nomme, rien n'est créé.
    const missing = join(top, 'absent');
    writeFileSync(conf, `SECRET_KEY=${randomBytes(32).toString('hex')}\nDATABASE_PATH=${join(missing, 'x.db')}\nMIGRATIONS_DIR=${migr}\n`);
    const r = spawnSync(exe, ['migrate'], { env, encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `chatbot-whatsapp-admin : le dossier de la base de données ${missing} (DATABASE_PATH) n'existe pas\n`);
    assert.ok(!existsSync(missing));
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
  // Dossier appartenant à root (développement) : l'outil reste root.
  assert.equal(statSync(s.db).uid, 0);
});

test('commande inconnue ou absente : usage et code non nul', () => {
  for (const args of [[], ['supprimer-tout'], ['--help']]) {
    const r = runCli(s, args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, /usage : chatbot-whatsapp-admin/);
  }
});

test('seed : refuse sans --admin ou avec un compte inconnu ; remplit des données réalistes et des agrégats exacts', () => {
  const n = () => s.sql('SELECT count(*) AS n FROM messages')[0].n;
  const before = n();
  for (const [args, msg] of [
    [['seed', '--messages', '100'], /--admin E est obligatoire/],
    [['seed', '--messages', '100', '--admin', 'inconnu@test.com'], /aucun compte inconnu@test\.com/],
    [['seed', '--messages', 'abc', '--admin', 'admin@test.com'], /nombre entier/],
    [['seed', '--messages', '0', '--admin', 'admin@test.com'], /nombre entier/],
    [['seed', '--messages', '10x', '--admin', 'admin@test.com'], /nombre entier/],
  ]) {
    const r = runCli(s, args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, msg, args.join(' '));
  }
  assert.equal(n(), before);

  const r = runCli(s, ['seed', '--messages', '20000', '--campaigns', '25', '--days', '10', '--admin', 'admin@test.com']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Données de démonstration pour admin@test\.com : 20000 messages, 25 campagnes, \d+ contacts, \d+ échecs, \d+ réponses, \d+ désinscriptions, en [\d.]+ s\.\n$/);
  assert.equal(n(), before + 20000);
  const owner = s.sql("SELECT id FROM users WHERE email = 'admin@test.com'")[0].id;
  // Tout appartient à l'admin ; numéros français mobiles valides, noms présents.
  assert.equal(s.sql(`SELECT count(*) AS n FROM campaigns WHERE created_by <> ${owner}`)[0].n, 0);
  assert.equal(s.sql(`SELECT count(*) AS n FROM contacts WHERE created_by = ${owner} AND (full_number NOT GLOB '+336[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]' OR first_name IS NULL OR last_name IS NULL OR search_key IS NULL)`)[0].n, 0);
  assert.ok(s.sql(`SELECT count(*) AS n FROM contacts WHERE created_by = ${owner} AND opted_out_at IS NOT NULL`)[0].n > 0);
  assert.ok(s.sql('SELECT count(*) AS n FROM category_contacts')[0].n > 0);
  // Mélange réaliste : ~90 % distribués ou lus, des échecs aux codes WhatsApp réels, des réponses et des Message 2.
  const st = Object.fromEntries(s.sql("SELECT status, count(*) AS n FROM messages WHERE message_type = 'message_1' GROUP BY status").map((x) => [x.status, x.n]));
  const m1 = Object.values(st).reduce((a, b) => a + b, 0);
  assert.ok((st.delivered + st.read) / m1 > 0.85, JSON.stringify(st));
  assert.ok(st.failed > 0 && st.failed / m1 < 0.1, JSON.stringify(st));
  assert.equal(s.sql("SELECT count(*) AS n FROM messages WHERE status = 'failed' AND (error_code NOT IN (131026, 131047, 131049, 131051, 131000, 131056) OR error_message NOT LIKE '%(code ' || error_code || ')' OR failed_at IS NULL)")[0].n, 0);
  assert.ok(s.sql("SELECT count(*) AS n FROM interactions WHERE interaction_type = 'reply'")[0].n > 0);
  assert.ok(s.sql("SELECT count(*) AS n FROM messages WHERE message_type = 'message_2'")[0].n > 0);
  // Déclencheurs remis en place.
  assert.equal(s.sql("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name IN ('messages_counts_ai', 'msgstats_ai_status', 'msgstats_ai_hourly', 'msgstats_interaction_ai')")[0].n, 4);
  // Agrégats (0006) égaux à un recomptage ; compteurs des campagnes aussi.
  assert.deepEqual(
    s.sql('SELECT status, sum(n) AS n FROM msg_status_counts WHERE n <> 0 GROUP BY status ORDER BY status'),
    s.sql('SELECT status, count(*) AS n FROM messages GROUP BY status ORDER BY status'));
  assert.deepEqual(
    s.sql('SELECT campaign_id, message_type, status, n FROM msg_status_counts WHERE n <> 0 ORDER BY 1, 2, 3'),
    s.sql('SELECT campaign_id, message_type, status, count(*) AS n FROM messages GROUP BY 1, 2, 3 ORDER BY 1, 2, 3'));
  const hourly = (col, where) => s.sql(`SELECT campaign_id AS c, substr(${col}, 1, 13) AS h, count(*) AS n FROM messages WHERE ${col} IS NOT NULL ${where} GROUP BY 1, 2 ORDER BY 1, 2`);
  const stored = (col) => s.sql(`SELECT campaign_id AS c, hour AS h, ${col} AS n FROM msg_hourly WHERE ${col} <> 0 ORDER BY 1, 2`);
  assert.deepEqual(stored('sent'), hourly('sent_at', ''));
  assert.deepEqual(stored('delivered'), hourly('delivered_at', ''));
  assert.deepEqual(stored('read'), hourly('read_at', ''));
  assert.deepEqual(stored('failed'), hourly('failed_at', "AND status = 'failed'"));
  assert.deepEqual(stored('replies'), s.sql("SELECT campaign_id AS c, substr(received_at, 1, 13) AS h, count(*) AS n FROM interactions WHERE interaction_type IN ('reply', 'reaction') GROUP BY 1, 2 ORDER BY 1, 2"));
  assert.deepEqual(
    s.sql("SELECT id, total_recipients, sent_count, success_count, failed_count FROM campaigns ORDER BY id"),
    s.sql("SELECT k.id, (SELECT count(*) FROM messages m WHERE m.campaign_id = k.id AND message_type = 'message_1') AS total_recipients, (SELECT count(*) FROM messages m WHERE m.campaign_id = k.id AND message_type = 'message_1' AND status IN ('sent', 'delivered', 'read', 'failed')) AS sent_count, (SELECT count(*) FROM messages m WHERE m.campaign_id = k.id AND message_type = 'message_1' AND status IN ('sent', 'delivered', 'read')) AS success_count, (SELECT count(*) FROM messages m WHERE m.campaign_id = k.id AND message_type = 'message_1' AND status = 'failed') AS failed_count FROM campaigns k ORDER BY k.id"));
  // Toutes les dates dans les 10 derniers jours, aucune dans le futur.
  const span = s.sql("SELECT min(launched_at) AS lo, max(read_at) AS hi FROM campaigns, messages WHERE messages.campaign_id = campaigns.id")[0];
  assert.ok(Date.parse(span.lo) >= Date.now() - 11 * 86400e3 && Date.parse(span.hi) <= Date.now() + 1000, JSON.stringify(span));
});
