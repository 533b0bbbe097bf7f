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
