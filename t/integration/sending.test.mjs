// Envoi de bout en bout : API des campagnes → cbw-sender / cbw-retry (les
// vrais programmes cron) → faux WhatsApp (t/sandbox, HTTP réel) → base.
// Flux 2 du seed (un Message 1 par contact, variables remplacées), flux 4
// (échec → reprise 1 → 2 → 3 → échec définitif à +1, +2, +4 min, horloge
// pilotée par CBW_TEST_NOW), correspondance de chaque mode d'échec du faux
// WhatsApp avec le statut, le texte français et la reprise, arrêt sur
// jeton expiré, Message 2 d'abord, modèle WhatsApp, désabonnement, et
// kill -9 du programme d'envoi au milieu d'un lot (aucun doublon, rien de
// perdu).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login } from '../lib/stack.mjs';
import { stop } from './util.mjs';

let s, tok, seq = 0;
const RATE = 600; // 10 par seconde : les passages réels restent courts
before(async () => {
  s = await startStack({ sandbox: true, config: { SEND_RATE_PER_MINUTE: String(RATE) } });
  tok = (await login(s)).access_token;
});
after(async () => { await stop(s); });

const api = (m, p, json) => http(s, m, p, json === undefined ? { token: tok } : { token: tok, json });
const sent = (to) => s.sandbox.messages().filter((m) => !to || m.to === to);
const row = (q) => s.sql(q)[0];

// Numéro français unique finissant par `end` (4 chiffres : mode du faux WhatsApp).
function number(end = '4242') {
  seq += 1;
  return `6${String(10 + (seq % 90)).padStart(2, '0')}${String(seq).padStart(2, '0').slice(-2)}${end}`;
}

// Catégorie avec des contacts {first, end} ; rend { cat, contacts }.
async function category(people) {
  const c = await api('POST', '/api/categories', { name: `Cat ${++seq}` });
  assert.equal(c.status, 201, c.text);
  const contacts = [];
  for (const p of people) {
    const r = await api('POST', '/api/contacts', {
      country_code: '+33', phone_number: number(p.end), first_name: p.first, last_name: p.last, category_ids: [c.json.id],
    });
    assert.equal(r.status, 201, r.text);
    contacts.push(r.json);
  }
  return { cat: c.json.id, contacts };
}

// Campagne lancée sur une catégorie ; rend son identifiant.
async function launch(cat, extra = {}) {
  const r = await api('POST', '/api/campaigns', {
    name: `Campagne ${++seq}`, category_ids: [cat], message_1: 'Bonjour {{first_name}} {{last_name}} : https://exemple.fr/promo', launch: true, ...extra,
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'sending');
  return r.json.id;
}

const digits = (c) => c.full_number.slice(1);

// Un passage réel de cbw-sender (durée bornée), qui doit finir proprement.
async function sender(runMs = 1500, env = {}) {
  const r = await s.cron('cbw-sender', ['--run-ms', String(runMs)], { env });
  assert.equal(r.code, 0, r.stderr);
  return r;
}

test('flux 2 : un Message 1 par contact, variables remplacées, wamid et sent_at en base, campagne terminée', async () => {
  const { cat, contacts } = await category([
    { first: 'Anne', last: 'Martin' }, { first: 'Éloïse', last: 'Ñúñez' }, { first: 'Bob' },
  ]);
  const id = await launch(cat);
  await sender();
  for (const c of contacts) {
    const got = sent(digits(c));
    assert.equal(got.length, 1, `${c.full_number} : ${got.length} envois`);
    const m = got[0];
    assert.equal(m.accepted, true);
    assert.equal(m.type, 'text');
    assert.equal(m.body.messaging_product, 'whatsapp');
    assert.equal(m.body.recipient_type, 'individual');
    assert.equal(m.body.to, digits(c));
    assert.equal(m.body.text.body, `Bonjour ${c.first_name} ${c.last_name || ''} : https://exemple.fr/promo`);
    assert.equal(m.body.text.preview_url, true);
    const db = row(`SELECT status, whatsapp_message_id, sent_at, error_code FROM messages WHERE contact_id = ${c.id}`);
    assert.equal(db.status, 'sent');
    assert.equal(db.whatsapp_message_id, m.wamid);
    assert.match(db.sent_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(db.error_code, null);
  }
  const k = (await api('GET', `/api/campaigns/${id}`)).json;
  assert.equal(k.status, 'completed');
  assert.equal(k.success_count, 3);
  assert.equal(k.success_rate, 100);
  assert.ok(k.completed_at);
  // Un nouveau passage ne renvoie rien.
  const before = sent().length;
  await sender(500);
  assert.equal(sent().length, before);
});

// Modes d'échec du faux WhatsApp (4 derniers chiffres) → résultat attendu en base.
const MODES = [
  { end: '0001', code: 131026, cls: 'permanent', retryable: 0, text: /non distribuable/i },
  { end: '0008', code: 131047, cls: 'permanent', retryable: 0, text: /24 h/ },
  { end: '0005', code: -3, cls: 'retryable', retryable: 1, text: /./ },
  { end: '0009', code: -4, cls: 'permanent', retryable: 0, text: /illisible/i },
  { end: '0004', code: 131056, cls: 'retryable', retryable: 1, text: /./ },
  { end: '0006', code: -2, cls: 'retryable', retryable: 1, text: /délai/i },
  { end: '0010', code: 131000, cls: 'retryable', retryable: 1, text: /./ },
];

for (const mode of MODES) {
  test(`mode ${mode.end} du faux WhatsApp : ${mode.cls}, code ${mode.code}, message français`, async () => {
    const { cat, contacts } = await category([{ first: 'Zoé', end: mode.end }]);
    const id = await launch(cat);
    await sender(mode.end === '0006' ? 4000 : 1500);
    const m = row(`SELECT status, error_code, error_class, retryable, error_message, failed_at, whatsapp_message_id FROM messages WHERE campaign_id = ${id}`);
    assert.equal(m.status, 'failed');
    assert.equal(m.error_code, mode.code);
    assert.equal(m.error_class, mode.cls);
    assert.equal(m.retryable, mode.retryable);
    assert.match(m.error_message, mode.text);
    assert.ok(!/sandbox-token/.test(m.error_message), 'jeton dans le message');
    assert.ok(m.failed_at);
    assert.equal(m.whatsapp_message_id, null);
    assert.equal(sent(digits(contacts[0])).length, 1);
    const k = (await api('GET', `/api/campaigns/${id}`)).json;
    // Un échec réessayable garde la campagne en cours ; un définitif la termine.
    assert.equal(k.status, mode.retryable ? 'sending' : 'failed');
    assert.equal(k.failed_count, 1);
  });
}

test('limite de débit WhatsApp (0002, HTTP 429, code 130429) : ligne réessayable et le passage s\'arrête', async () => {
  const { cat, contacts } = await category([{ first: 'A', end: '0002' }, { first: 'B' }, { first: 'C' }]);
  const id = await launch(cat);
  await sender();
  const m = s.sql(`SELECT contact_id, status, error_code, retryable FROM messages WHERE campaign_id = ${id} ORDER BY id`);
  assert.deepEqual(m.map((r) => r.status), ['failed', 'pending', 'pending']);
  assert.equal(m[0].error_code, 130429);
  assert.equal(m[0].retryable, 1);
  assert.equal(sent(digits(contacts[1])).length, 0);
  // Le passage suivant continue avec les autres.
  await sender();
  assert.equal(sent(digits(contacts[1])).length, 1);
  assert.equal(sent(digits(contacts[2])).length, 1);
});

test('jeton expiré (0007, code 190) : campagne en pause avec la raison, rien d\'autre envoyé ; « Réessayer » relance', async () => {
  const { cat, contacts } = await category([{ first: 'A' }, { first: 'B', end: '0007' }, { first: 'C' }]);
  const id = await launch(cat);
  await sender();
  let k = (await api('GET', `/api/campaigns/${id}`)).json;
  assert.match(k.status_reason, /jeton/i);
  assert.equal(k.status, 'sending');
  assert.equal(sent(digits(contacts[0])).length, 1);
  const m = row(`SELECT status, error_class, retryable FROM messages WHERE contact_id = ${contacts[1].id}`);
  assert.deepEqual(m, { status: 'failed', error_class: 'stop', retryable: 0 });
  assert.equal(sent(digits(contacts[2])).length, 0);
  await sender(500);
  assert.equal(sent(digits(contacts[2])).length, 0, 'campagne en pause : rien ne part');
  // L'admin corrige le compte puis réessaie : la pause est levée, la ligne
  // repart (une fois) ; le faux WhatsApp refuse encore ce numéro : nouvelle pause.
  const r = await api('POST', `/api/campaigns/${id}/retry`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.requeued, 1);
  k = (await api('GET', `/api/campaigns/${id}`)).json;
  assert.equal(k.status_reason, null);
  await sender();
  assert.equal(sent(digits(contacts[1])).length, 2);
  k = (await api('GET', `/api/campaigns/${id}`)).json;
  assert.match(k.status_reason, /jeton/i);
  assert.equal(sent(digits(contacts[2])).length, 0);
});

test('flux 4 : échec → reprise 1 → 2 → 3 → échec définitif, à +1, +2 et +4 minutes (horloge pilotée)', async () => {
  const { cat, contacts } = await category([{ first: 'Flux', end: '0005' }]);
  const id = await launch(cat);
  const to = digits(contacts[0]);
  // Horloge figée dans le passé : ses appels ne comptent pas dans la
  // fenêtre des passages en heure réelle des autres tests.
  const T0 = Math.floor(Date.now() / 1000) - 30 * 86400;
  const once = async (now) => { const r = await s.cron('cbw-sender', ['--once'], { now }); assert.equal(r.code, 0, r.stderr); };
  const retry = async (now) => { const r = await s.cron('cbw-retry', [], { now }); assert.equal(r.code, 0, r.stderr); };
  const state = () => row(`SELECT status, retry_count, next_attempt_at, failed_at FROM messages WHERE campaign_id = ${id}`);
  const iso = (t) => new Date(t * 1000).toISOString().replace('.000', '');

  await once(T0);
  assert.equal(sent(to).length, 1);
  let failedAt = T0;
  for (const [n, delay] of [[1, 60], [2, 120], [3, 240]]) {
    await retry(failedAt + 1);
    let st = state();
    assert.equal(st.status, 'pending', `reprise ${n}`);
    assert.equal(st.retry_count, n);
    assert.equal(st.next_attempt_at, iso(failedAt + delay));
    await once(failedAt + delay - 1); // une seconde trop tôt : rien
    assert.equal(sent(to).length, n, `reprise ${n} partie trop tôt`);
    await once(failedAt + delay);
    assert.equal(sent(to).length, n + 1, `reprise ${n} pas partie à +${delay / 60} min`);
    st = state();
    assert.equal(st.status, 'failed');
    assert.equal(st.failed_at, iso(failedAt + delay));
    failedAt += delay;
  }
  await retry(failedAt + 3600);
  await once(failedAt + 7200);
  const st = state();
  assert.equal(st.status, 'failed');
  assert.equal(st.retry_count, 3);
  assert.equal(sent(to).length, 4, 'au plus 3 reprises automatiques');
  assert.equal((await api('GET', `/api/campaigns/${id}`)).json.status, 'failed');
});

test('échec passager (0010 : deux 500 puis succès) : envoyé à la 2e reprise, campagne terminée', async () => {
  const { cat, contacts } = await category([{ first: 'Flaky', end: '0010' }]);
  const id = await launch(cat);
  const T0 = Math.floor(Date.now() / 1000) - 20 * 86400;
  await s.cron('cbw-sender', ['--once'], { now: T0 });
  await s.cron('cbw-retry', [], { now: T0 + 1 });
  await s.cron('cbw-sender', ['--once'], { now: T0 + 60 });
  await s.cron('cbw-retry', [], { now: T0 + 61 });
  await s.cron('cbw-sender', ['--once'], { now: T0 + 180 });
  const m = row(`SELECT status, retry_count, whatsapp_message_id FROM messages WHERE campaign_id = ${id}`);
  assert.equal(m.status, 'sent');
  assert.equal(m.retry_count, 2);
  const got = sent(digits(contacts[0]));
  assert.equal(got.length, 3);
  assert.equal(got[2].wamid, m.whatsapp_message_id);
  assert.equal((await api('GET', `/api/campaigns/${id}`)).json.status, 'completed');
});

test('Message 2 en attente part avant les Message 1 ; contact désabonné entre-temps : annulé, jamais envoyé', async () => {
  const { cat, contacts } = await category([{ first: 'Un' }, { first: 'Deux' }, { first: 'Trois' }]);
  const id = await launch(cat, { message_2: 'Merci {{first_name}} !' });
  s.sql(`UPDATE contacts SET opted_out_at = '2026-01-01T00:00:00Z' WHERE id = ${contacts[1].id}`);
  s.sql(`INSERT INTO messages(campaign_id, contact_id, message_type, content, status, created_at, updated_at)
         VALUES (${id}, ${contacts[2].id}, 'message_2', 'Merci Trois !', 'pending', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`);
  const start = sent().length;
  await sender();
  const nums = new Set(contacts.map(digits));
  const order = sent().slice(start).filter((m) => nums.has(m.to)).map((m) => [m.to, m.body.text.body]);
  assert.deepEqual(order[0], [digits(contacts[2]), 'Merci Trois !'], 'le Message 2 d\'abord');
  assert.equal(order.length, 3);
  assert.equal(sent(digits(contacts[1])).length, 0);
  assert.equal(row(`SELECT status FROM messages WHERE contact_id = ${contacts[1].id}`).status, 'cancelled');
});

test('modèle WhatsApp : corps « template » avec nom, langue et paramètres pris des champs du contact (« client » si vide)', async () => {
  const { cat, contacts } = await category([{ first: 'Lina', last: 'Roy' }, { first: undefined }]);
  await launch(cat, { template_name: 'promo_noel', template_language: 'fr', template_params: ['first_name', 'last_name'] });
  await sender();
  const a = sent(digits(contacts[0]))[0].body;
  assert.equal(a.type, 'template');
  assert.equal(a.template.name, 'promo_noel');
  assert.equal(a.template.language.code, 'fr');
  assert.deepEqual(a.template.components, [{ type: 'body', parameters: [{ type: 'text', text: 'Lina' }, { type: 'text', text: 'Roy' }] }]);
  const b = sent(digits(contacts[1]))[0].body;
  assert.deepEqual(b.template.components[0].parameters.map((p) => p.text), ['client', 'client']);
});

test('cadence : appels espacés d\'au moins 60000/rate ms, fenêtre de 60 s jamais dépassée', async () => {
  const { cat } = await category(Array.from({ length: 12 }, (_, i) => ({ first: `P${i}` })));
  await launch(cat);
  await sender(1500, { SEND_RATE_PER_MINUTE: '300' }); // 200 ms
  const at = s.sql('SELECT at_ms FROM send_attempts ORDER BY at_ms DESC LIMIT 8').map((r) => r.at_ms).reverse();
  assert.ok(at.length >= 5, `seulement ${at.length} appels`);
  for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] >= 200, `écart ${at[i] - at[i - 1]} ms`);
  const all = s.sql('SELECT at_ms FROM send_attempts ORDER BY at_ms').map((r) => r.at_ms);
  for (let i = 0; i < all.length; i++) {
    const inWin = all.filter((t) => t > all[i] - 60000 && t <= all[i]).length;
    assert.ok(inWin <= RATE, `fenêtre de ${inWin} appels`);
  }
});

test('kill -9 de cbw-sender au milieu d\'un lot : aucun doublon reçu, rien de perdu, la réclamation orpheline devient « résultat inconnu »', async () => {
  const { cat, contacts } = await category(Array.from({ length: 40 }, (_, i) => ({ first: `K${i}` })));
  const id = await launch(cat);
  const nums = new Set(contacts.map(digits));
  const mine = () => sent().filter((m) => nums.has(m.to));
  let proc;
  const run = s.cron('cbw-sender', ['--run-ms', '20000'], { onSpawn: (p) => { proc = p; } });
  for (let i = 0; i < 200 && mine().length < 8; i++) await new Promise((r) => setTimeout(r, 25));
  proc.kill('SIGKILL');
  const r = await run;
  assert.equal(r.signal, 'SIGKILL');
  const got = mine().length;
  assert.ok(got >= 8 && got < 40, `${got} envoyés avant le kill`);
  // Passages suivants (heure réelle) : ils reprennent sans rien renvoyer.
  await sender(6000);
  // Plus tard (au-delà du délai des réclamations orphelines) : la réclamation
  // coupée par le kill devient « résultat inconnu », jamais renvoyée.
  await s.cron('cbw-sender', ['--once'], { now: Math.floor(Date.now() / 1000) + 3600 });
  const counts = new Map();
  for (const m of mine()) counts.set(m.to, (counts.get(m.to) || 0) + 1);
  for (const [to, n] of counts) assert.equal(n, 1, `${to} reçu ${n} fois`);
  const rows = s.sql(`SELECT status, error_class, whatsapp_message_id FROM messages WHERE campaign_id = ${id}`);
  assert.equal(rows.length, 40);
  for (const m of rows) {
    assert.ok(m.status === 'sent' || (m.status === 'failed' && m.error_class === 'unknown'), JSON.stringify(m));
  }
  const unknown = rows.filter((m) => m.status === 'failed').length;
  assert.ok(unknown <= 1, `${unknown} résultats inconnus`);
  // Chaque ligne « sent » a le wamid que le faux WhatsApp a rendu.
  const wamids = new Set(mine().filter((m) => m.accepted).map((m) => m.wamid));
  for (const m of rows.filter((x) => x.status === 'sent')) assert.ok(wamids.has(m.whatsapp_message_id));
  assert.equal(rows.filter((m) => m.status === 'sent').length + unknown, 40);
});
