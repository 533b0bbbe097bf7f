// Webhook WhatsApp de bout en bout (/api/webhooks/whatsapp, vrai lighttpd) :
// poignée de main GET, signature X-Hub-Signature-256 du corps brut (403,
// rien d'écrit), corps invalides (400), flux 3 du seed (réponse du
// contact → Message 2 en file → cbw-sender l'envoie au faux WhatsApp →
// la base montre la réponse et le Message 2), statuts distribué/lu
// (jamais en arrière, doublons sans effet), STOP, numéro d'envoi filtré,
// base verrouillée (réponse 200 bornée, corps mis de côté puis rejoué par
// cbw-retry), et mutations au hasard d'un corps signé (jamais de 5xx,
// jamais d'écriture).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { startStack, http, login } from '../lib/stack.mjs';
import { stop, mulberry32 } from './util.mjs';

let s, tok, seq = 0;
const HOOK = '/api/webhooks/whatsapp';
before(async () => {
  s = await startStack({ sandbox: true, config: { SEND_RATE_PER_MINUTE: '600' } });
  tok = (await login(s)).access_token;
});
after(async () => { await stop(s); });

const api = (m, p, json) => http(s, m, p, json === undefined ? { token: tok } : { token: tok, json });
const sign = (body, secret = s.config.WHATSAPP_APP_SECRET) => 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
const post = (body, headers = {}) => http(s, 'POST', HOOK, { body, headers: { 'Content-Type': 'application/json', ...headers } });
const signed = (body) => post(body, { 'X-Hub-Signature-256': sign(body) });
const sandboxHook = (req) => s.sandbox.sendWebhook(req);
const count = (t) => s.sql(`SELECT count(*) AS n FROM ${t}`)[0].n;
const snapshot = () => JSON.stringify(s.sql(`SELECT
  (SELECT group_concat(id || status || coalesce(delivered_at,'') || coalesce(read_at,''), ',') FROM messages) AS m,
  (SELECT count(*) FROM interactions) AS i, (SELECT group_concat(coalesce(opted_out_at, '-')) FROM contacts) AS c`));

// Notification minimale valide (statut d'un wamid donné).
function statusPayload(wamid, status = 'delivered', phoneId = '100000000000001') {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '200000000000001', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000001', phone_number_id: phoneId },
      statuses: [{ id: wamid, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: '33600000000' }],
    } }] }],
  });
}

// Catégorie, contacts et campagne lancée avec Message 2 ; puis un passage d'envoi.
async function campaignSent(people, message2 = 'Merci {{first_name}}, voici votre code : NOEL20') {
  const c = await api('POST', '/api/categories', { name: `Hook ${++seq}` });
  const contacts = [];
  for (const first of people) {
    const r = await api('POST', '/api/contacts', {
      country_code: '+33', phone_number: `6${String(70000000 + ++seq * 101).slice(-8)}`, first_name: first, category_ids: [c.json.id],
    });
    assert.equal(r.status, 201, r.text);
    contacts.push(r.json);
  }
  const k = await api('POST', '/api/campaigns', { name: `Hook ${seq}`, category_ids: [c.json.id], message_1: 'Bonjour {{first_name}}', message_2: message2, launch: true });
  assert.equal(k.status, 201, k.text);
  const r = await s.cron('cbw-sender', ['--run-ms', '1200']);
  assert.equal(r.code, 0, r.stderr);
  const wamids = contacts.map((ct) => s.sql(`SELECT whatsapp_message_id AS w FROM messages WHERE contact_id = ${ct.id} AND message_type = 'message_1'`)[0].w);
  assert.ok(wamids.every(Boolean), 'Message 1 non envoyé');
  return { id: k.json.id, contacts, wamids, to: contacts.map((ct) => ct.full_number.slice(1)) };
}

test('GET : bon jeton → 200 et hub.challenge en texte brut ; sinon 403', async () => {
  const v = encodeURIComponent(s.config.WHATSAPP_VERIFY_TOKEN);
  let r = await http(s, 'GET', `${HOOK}?hub.mode=subscribe&hub.verify_token=${v}&hub.challenge=1158201444`);
  assert.equal(r.status, 200);
  assert.equal(r.text, '1158201444');
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  for (const q of [`hub.mode=subscribe&hub.verify_token=faux&hub.challenge=1`, `hub.mode=unsubscribe&hub.verify_token=${v}&hub.challenge=1`,
    `hub.verify_token=${v}&hub.challenge=1`, `hub.mode=subscribe&hub.challenge=1`, '']) {
    r = await http(s, 'GET', `${HOOK}?${q}`);
    assert.equal(r.status, 403, q);
    assert.ok(!r.text.includes('1158201444'));
  }
});

test('POST : signature absente, fausse, d\'un autre secret → 403 et rien d\'écrit ; JSON invalide signé → 400', async () => {
  const { wamids } = await campaignSent(['Sig']);
  const body = statusPayload(wamids[0], 'read');
  const before = snapshot();
  for (const h of [{}, { 'X-Hub-Signature-256': 'sha256=' + '0'.repeat(64) }, { 'X-Hub-Signature-256': sign(body, 'autre-secret') },
    { 'X-Hub-Signature-256': sign(body).replace('sha256=', '') }, { 'X-Hub-Signature-256': sign(body + ' ') }]) {
    const r = await post(body, h);
    assert.equal(r.status, 403, JSON.stringify(h));
    assert.equal(r.json.error, 'forbidden');
  }
  assert.equal(snapshot(), before);
  for (const bad of ['{', '{"object":"page","entry":[]}', '[]', '{"object":"whatsapp_business_account"}', 'null']) {
    const r = await signed(bad);
    assert.equal(r.status, 400, bad);
  }
  assert.equal(snapshot(), before);
  // Le même corps bien signé passe : le message est lu.
  const r = await signed(body);
  assert.equal(r.status, 200, r.text);
  assert.equal(s.sql(`SELECT status FROM messages WHERE whatsapp_message_id = '${wamids[0]}'`)[0].status, 'read');
});

test('flux 3 : réponse du contact → Message 2 en file → cbw-sender l\'envoie → réponse et Message 2 en base et sur la page', async () => {
  const { id, contacts, wamids, to } = await campaignSent(['Anne', 'Bob']);
  const r = await sandboxHook({ kind: 'reply', from: to[0], name: 'Anne', text: 'Oui, ça m\'intéresse ! 😀', context_id: wamids[0] });
  assert.equal(r.status, 200, r.body);
  const inter = s.sql(`SELECT interaction_type, content, campaign_id, message_id FROM interactions WHERE contact_id = ${contacts[0].id}`);
  assert.deepEqual(inter, [{ interaction_type: 'reply', content: 'Oui, ça m\'intéresse ! 😀', campaign_id: id,
    message_id: s.sql(`SELECT id FROM messages WHERE whatsapp_message_id = '${wamids[0]}'`)[0].id }]);
  const m2 = s.sql(`SELECT status, content FROM messages WHERE campaign_id = ${id} AND message_type = 'message_2'`);
  assert.deepEqual(m2, [{ status: 'pending', content: 'Merci Anne, voici votre code : NOEL20' }]);
  const run = await s.cron('cbw-sender', ['--run-ms', '1200']);
  assert.equal(run.code, 0, run.stderr);
  const got = s.sandbox.messages().filter((m) => m.to === to[0]);
  assert.equal(got.length, 2);
  assert.equal(got[1].body.text.body, 'Merci Anne, voici votre code : NOEL20');
  assert.equal(s.sql(`SELECT status FROM messages WHERE campaign_id = ${id} AND message_type = 'message_2'`)[0].status, 'sent');
  // Bob n'a pas répondu : pas de Message 2.
  assert.equal(s.sandbox.messages().filter((m) => m.to === to[1]).length, 1);
  const st = (await api('GET', `/api/campaigns/${id}/stats`)).json;
  assert.equal(st.replies, 1);
  assert.equal(st.interaction_count, 1);
  assert.equal(st.counts.message_2.sent, 1);
  // Redélivrance de la même réponse et nouvelle réponse : jamais un second Message 2.
  await sandboxHook({ kind: 'reply', from: to[0], text: 'Encore', context_id: wamids[0] });
  await s.cron('cbw-sender', ['--run-ms', '800']);
  assert.equal(s.sandbox.messages().filter((m) => m.to === to[0]).length, 2);
  assert.equal(s.sql(`SELECT count(*) AS n FROM messages WHERE campaign_id = ${id} AND message_type = 'message_2'`)[0].n, 1);
});

test('statuts : distribué puis lu ; « distribué » en retard ne recule pas ; redélivrance sans effet ; un seul enregistrement chacun', async () => {
  const { id, wamids, to } = await campaignSent(['Lu']);
  const w = wamids[0];
  await sandboxHook({ kind: 'status', wamid: w, status: 'read', to: to[0], timestamp: 1795000100 });
  await sandboxHook({ kind: 'status', wamid: w, status: 'delivered', to: to[0], timestamp: 1795000050 });
  await sandboxHook({ kind: 'status', wamid: w, status: 'read', to: to[0], timestamp: 1795000900 });
  await sandboxHook({ kind: 'status', wamid: w, status: 'failed', to: to[0], error: { code: 131026, title: 'x', details: 'y' } });
  const m = s.sql(`SELECT status, read_at, delivered_at FROM messages WHERE whatsapp_message_id = '${w}'`)[0];
  const iso = (t) => new Date(t * 1000).toISOString().replace('.000', '');
  assert.deepEqual(m, { status: 'read', read_at: iso(1795000100), delivered_at: iso(1795000050) });
  assert.deepEqual(s.sql(`SELECT interaction_type AS t FROM interactions WHERE whatsapp_message_id = '${w}' ORDER BY t`), [{ t: 'delivered' }, { t: 'read' }]);
  const k = (await api('GET', `/api/campaigns/${id}`)).json;
  assert.equal(k.success_count, 1);
  assert.equal(k.failed_count, 0);
  // Un statut pour un wamid inconnu : 200, rien.
  const before = snapshot();
  assert.equal((await signed(statusPayload('wamid.inconnu'))).status, 200);
  assert.equal(snapshot(), before);
});

test('échec signalé par WhatsApp après « envoyé » : code et texte français, réessayable selon le code', async () => {
  const { wamids, to } = await campaignSent(['Échec']);
  await sandboxHook({ kind: 'status', wamid: wamids[0], status: 'failed', to: to[0], error: { code: 131026, title: 'Message undeliverable', details: 'Pas sur WhatsApp' } });
  const m = s.sql(`SELECT status, error_code, error_class, retryable, error_message FROM messages WHERE whatsapp_message_id = '${wamids[0]}'`)[0];
  assert.equal(m.status, 'failed');
  assert.equal(m.error_code, 131026);
  assert.equal(m.error_class, 'permanent');
  assert.equal(m.retryable, 0);
  assert.match(m.error_message, /non distribuable/i);
});

test('STOP (et « Arrêt ») : contact désabonné, envois en attente annulés, exclu du lancement suivant, aucun Message 2', async () => {
  const { contacts, to } = await campaignSent(['Stop', 'Arret']);
  await sandboxHook({ kind: 'reply', from: to[0], text: '  STOP  ' });
  await sandboxHook({ kind: 'reply', from: to[1], text: 'Arrêt' });
  for (const c of contacts) {
    const row = s.sql(`SELECT opted_out_at FROM contacts WHERE id = ${c.id}`)[0];
    assert.ok(row.opted_out_at, `${c.first_name} pas désabonné`);
    assert.equal(s.sql(`SELECT count(*) AS n FROM messages WHERE contact_id = ${c.id} AND message_type = 'message_2'`)[0].n, 0);
  }
  const cat = s.sql(`SELECT category_id AS c FROM category_contacts WHERE contact_id = ${contacts[0].id}`)[0].c;
  const r = await api('POST', '/api/campaigns', { name: 'Après STOP', category_ids: [cat], message_1: 'x', launch: true });
  assert.equal(r.status, 422, 'aucun destinataire joignable');
});

test('numéro d\'envoi configuré : les événements d\'un autre phone_number_id sont ignorés (200)', async () => {
  const { wamids } = await campaignSent(['Autre']);
  const before = snapshot();
  const r = await signed(statusPayload(wamids[0], 'read', '999999999'));
  assert.equal(r.status, 200);
  assert.equal(snapshot(), before);
});

test('signature sur un corps non ASCII : \\u échappé (comme Meta) et UTF-8 brut', async () => {
  const { id, wamids, to } = await campaignSent(['Noël']);
  let r = await sandboxHook({ kind: 'reply', from: to[0], text: 'Très bien, merci — ça marche ✅', context_id: wamids[0] });
  assert.equal(r.status, 200, r.body);
  r = await sandboxHook({ kind: 'reply', from: to[0], text: 'Deuxième réponse éàü', context_id: wamids[0], raw_utf8: true });
  assert.equal(r.status, 200, r.body);
  const c = s.sql(`SELECT content FROM interactions WHERE campaign_id = ${id} AND interaction_type = 'reply' ORDER BY id`).map((x) => x.content);
  assert.deepEqual(c, ['Très bien, merci — ça marche ✅', 'Deuxième réponse éàü']);
});

test('base verrouillée par un long écrivain : réponse 200 en temps borné, corps mis de côté puis rejoué par cbw-retry', async () => {
  const { wamids } = await campaignSent(['Verrou']);
  const lock = spawn('sqlite3', [s.db], { stdio: ['pipe', 'ignore', 'ignore'] });
  lock.stdin.write('PRAGMA busy_timeout=1000;\nBEGIN IMMEDIATE;\nUPDATE users SET updated_at = updated_at;\n');
  await new Promise((r) => setTimeout(r, 300));
  const t0 = Date.now();
  const r = await signed(statusPayload(wamids[0], 'read'));
  const ms = Date.now() - t0;
  assert.equal(r.status, 200, r.text);
  assert.ok(ms < 15000, `${ms} ms`);
  lock.stdin.end('ROLLBACK;\n.quit\n');
  await new Promise((ok) => lock.on('exit', ok));
  assert.equal(s.sql(`SELECT status FROM messages WHERE whatsapp_message_id = '${wamids[0]}'`)[0].status, 'sent');
  const rr = await s.cron('cbw-retry', []);
  assert.equal(rr.code, 0, rr.stderr);
  assert.equal(s.sql(`SELECT status FROM messages WHERE whatsapp_message_id = '${wamids[0]}'`)[0].status, 'read');
});

test('mutations au hasard (≥ 100, graine affichée) : corps signé altéré → 403 ; JSON altéré re-signé → 400 ou 200, jamais 5xx ni écriture', async () => {
  const seed = Number(process.env.CBW_SEED || Date.now() % 1e9);
  console.log(`seed=${seed}`);
  const rnd = mulberry32(seed);
  const base = statusPayload('wamid.pas.a.nous', 'read');
  const before = snapshot();
  for (let i = 0; i < 120; i++) {
    const bytes = Buffer.from(base);
    const pos = Math.floor(rnd() * bytes.length);
    bytes[pos] = (bytes[pos] + 1 + Math.floor(rnd() * 254)) % 256;
    const sig = sign(base);
    let r = await post(bytes, { 'X-Hub-Signature-256': sig });
    assert.equal(r.status, 403, `seed=${seed} i=${i}`);
    r = await post(bytes, { 'X-Hub-Signature-256': sign(bytes) });
    assert.ok(r.status === 400 || r.status === 200, `seed=${seed} i=${i} : ${r.status} ${r.text}`);
  }
  assert.equal(snapshot(), before);
});
