// Outil d'administration chatbot-whatsapp-admin : create-user (mot de
// passe par l'entrée standard, jamais par la ligne de commande),
// reset-password, backup (sauvegarde en ligne cohérente).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, http, login, cli } from '../lib/stack.mjs';
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

test('commande inconnue ou absente : usage et code non nul', () => {
  for (const args of [[], ['supprimer-tout'], ['--help']]) {
    const r = runCli(s, args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, /usage : chatbot-whatsapp-admin/);
  }
});
