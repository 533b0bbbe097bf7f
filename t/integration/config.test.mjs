// Configuration : lighttpd -tt accepte etc/lighttpd-dev.conf ; chaque
// programme refuse de démarrer avec une configuration fausse, en nommant
// la clé fautive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, BUILD } from '../lib/stack.mjs';

// Les huit programmes FastCGI, les deux tâches cron et l'outil d'administration.
const PROGRAMS = ['fcgi/cbw-auth', 'fcgi/cbw-users', 'fcgi/cbw-dashboard', 'fcgi/cbw-categories',
  'fcgi/cbw-contacts', 'fcgi/cbw-campaigns', 'fcgi/cbw-messages', 'fcgi/cbw-webhooks',
  'cron/cbw-sender', 'cron/cbw-retry', 'cli/chatbot-whatsapp-admin'];

// Lance un programme avec seulement le fichier de configuration donné.
function runWith(prog, confText, extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cbw-conf-'));
  const conf = join(dir, 'c.conf');
  writeFileSync(conf, confText);
  const env = { PATH: process.env.PATH, CBW_CONF: conf, ...extraEnv };
  const r = spawnSync(join(BUILD, prog), prog.includes('admin') ? ['migrate'] : [],
    { env, encoding: 'utf8', input: '', timeout: 10000 });
  rmSync(dir, { recursive: true, force: true });
  return r;
}

const GOOD = `SECRET_KEY=${'k'.repeat(40)}\nDATABASE_PATH=/nonexistent/x.db\nTEMPLATE_DIR=${ROOT}/html/templates\n`;

test('lighttpd -tt accepte la configuration de développement', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cbw-tt-'));
  mkdirSync(join(dir, 'run')); mkdirSync(join(dir, 'log'));
  const r = spawnSync('lighttpd', ['-tt', '-f', join(ROOT, 'etc/lighttpd-dev.conf')], {
    env: { ...process.env, CBW_VAR: dir, CBW_PORT: '65000', CBW_BIN: join(BUILD, 'fcgi'),
      CBW_STATIC: join(ROOT, 'html/static'), CBW_HELLO: join(BUILD, 't/bench/cbw-hello') },
    encoding: 'utf8',
  });
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /WARNING|ERROR/);
});

for (const prog of PROGRAMS) {
  test(`${prog} refuse une SECRET_KEY trop courte`, () => {
    const r = runWith(prog, 'SECRET_KEY=court\n');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /SECRET_KEY trop courte/);
  });
  test(`${prog} refuse une SECRET_KEY absente`, () => {
    const r = runWith(prog, 'DATABASE_PATH=/tmp/x.db\n');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /SECRET_KEY manquante/);
  });
  test(`${prog} nomme une clé inconnue et sa ligne`, () => {
    const r = runWith(prog, GOOD + 'SEND_RATE_PER_MINUTES=25\n');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /ligne 4.*SEND_RATE_PER_MINUTES|:4 : clé inconnue « SEND_RATE_PER_MINUTES »/);
  });
  test(`${prog} nomme une valeur hors bornes venue de l'environnement`, () => {
    const r = runWith(prog, GOOD, { SEND_RATE_PER_MINUTE: 'vingt' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /SEND_RATE_PER_MINUTE doit être un entier/);
  });
  test(`${prog} refuse SEND_RATE_PER_MINUTE=0 dans le fichier`, () => {
    const r = runWith(prog, GOOD + 'SEND_RATE_PER_MINUTE=0\n');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /configuration : SEND_RATE_PER_MINUTE doit être un entier entre 1 et 100000 \(reçu « 0 »\)/);
  });
  test(`${prog} refuse un LOG_LEVEL inconnu`, () => {
    const r = runWith(prog, GOOD + 'LOG_LEVEL=bavard\n');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /configuration : LOG_LEVEL doit être debug, info, warning, error ou critical \(reçu « bavard »\)/);
  });
}

test('un programme FastCGI refuse une base absente', () => {
  const r = runWith('fcgi/cbw-auth', GOOD);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /base de données \/nonexistent\/x\.db/);
});
