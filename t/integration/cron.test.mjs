// Tâches cron sur une installation neuve (WhatsApp pas encore configuré) :
// sans rien à faire, cbw-retry et cbw-sender ne disent rien (le journal de
// cron ne grossit pas chaque minute) ; dès qu'un message attend, cbw-sender
// dit en français qu'il manque la configuration WhatsApp, rend 1 et laisse
// le message en attente.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login } from '../lib/stack.mjs';
import { stop } from './util.mjs';

let s, tok;
before(async () => {
  s = await startStack({ config: { WHATSAPP_ACCESS_TOKEN: '', WHATSAPP_PHONE_NUMBER_ID: '', LOG_LEVEL: 'info' } });
  tok = (await login(s)).access_token;
});
after(async () => { await stop(s); });

test('rien en attente : cbw-retry et cbw-sender rendent 0 sans une ligne de journal (niveau info)', async () => {
  for (const name of ['cbw-retry', 'cbw-sender']) {
    const r = await s.cron(name, name === 'cbw-sender' ? ['--run-ms', '500'] : []);
    assert.equal(r.code, 0, `${name} : ${r.stderr}`);
    assert.equal(r.stderr, '', `${name} a écrit : ${r.stderr}`);
    assert.equal(r.stdout, '');
  }
});

test('rien en attente, LOG_LEVEL=debug : le passage à vide reste visible', async () => {
  const r = await s.cron('cbw-sender', ['--run-ms', '500'], { env: { LOG_LEVEL: 'debug' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /WhatsApp non configuré, aucun message en attente/);
});

test('un message attend et WhatsApp n\'est pas configuré : erreur française, code 1, message toujours en attente', async () => {
  const api = (m, p, json) => http(s, 'POST', p, { token: tok, json });
  const cat = await api('POST', '/api/categories', { name: 'Neuve' });
  assert.equal(cat.status, 201, cat.text);
  const c = await api('POST', '/api/contacts', { country_code: '+33', phone_number: '0611223344', first_name: 'Zoé', category_ids: [cat.json.id] });
  assert.equal(c.status, 201, c.text);
  const k = await api('POST', '/api/campaigns', { name: 'Première', category_ids: [cat.json.id], message_1: 'Bonjour', launch: true });
  assert.equal(k.status, 201, k.text);
  const r = await s.cron('cbw-sender', ['--run-ms', '500']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /1 message\(s\) en attente mais WhatsApp n'est pas configuré : renseignez WHATSAPP_ACCESS_TOKEN et WHATSAPP_PHONE_NUMBER_ID/);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.level === 'ERROR' && l.context?.waiting === 1), r.stderr);
  assert.deepEqual(s.sql('SELECT status, retry_count, whatsapp_message_id FROM messages'), [{ status: 'pending', retry_count: 0, whatsapp_message_id: null }]);
});
