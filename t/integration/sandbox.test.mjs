// Bac à sable de l'API WhatsApp Cloud (t/sandbox/sandbox.mjs) : point
// d'envoi Graph (succès, modes d'échec par fin de numéro, validation,
// jeton), journal et points de contrôle, webhooks signés vers un petit
// serveur récepteur, statuts automatiques (délais, doublons et désordre
// reproductibles), page « Téléphone simulé » (réponse, réaction, STOP), et
// le programme lui-même (ligne SANDBOX_READY, options, SIGTERM).
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import nodeHttp from 'node:http';
import { join } from 'node:path';
import { ROOT, freePort } from '../lib/stack.mjs';
import { startSandbox, parseArgs, parseStatusDelays, parseStatusChaos } from '../sandbox/sandbox.mjs';

const SCRIPT = join(ROOT, 't/sandbox/sandbox.mjs');
const SECRET = 'secret-de-test-webhook';
const TOKEN = 'sandbox-token';
const PHONE_ID = '100000000000001';
const WAMID = /^wamid\.[A-Za-z0-9_-]{40}$/;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Corps d'envoi texte valide vers `to`.
const textBody = (to, body = 'Bonjour !') => ({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { preview_url: false, body } });

// Corps d'envoi de modèle valide vers `to`.
const templateBody = (to) => ({
  messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'template',
  template: {
    name: 'promo_printemps', language: { code: 'fr' },
    components: [{ type: 'body', parameters: [{ type: 'text', text: 'Anna' }, { type: 'text', text: '-20 %' }] }],
  },
});

// Requête HTTP vers le bac à sable ; rend { status, headers, text, json }.
async function req(sb, method, path, { json, body, headers = {}, signal, redirect = 'manual' } = {}) {
  const h = { ...headers };
  if (json !== undefined) { h['Content-Type'] ??= 'application/json'; body = JSON.stringify(json); }
  const r = await fetch(sb.url + path, { method, headers: h, body, signal, redirect });
  const text = await r.text();
  let parsed = null;
  try { parsed = JSON.parse(text); } catch { /* pas du JSON */ }
  return { status: r.status, headers: r.headers, text, json: parsed };
}

// Envoi au point Graph avec le bon jeton (sauf indication contraire).
function send(sb, json, { token = TOKEN, phoneId = PHONE_ID, version = 'v23.0', headers = {}, body, signal } = {}) {
  const h = { ...headers };
  if (token !== null) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] ??= 'application/json';
  return req(sb, 'POST', `/${version}/${phoneId}/messages`, { json, body, headers: h, signal });
}

const log = async (sb, query = '') => (await req(sb, 'GET', `/__sandbox/messages${query}`)).json.messages;

// Vérifie une enveloppe d'erreur Graph complète.
function assertGraphError(r, status, code, { title, details, subcode, type = 'OAuthException' } = {}) {
  assert.equal(r.status, status, `statut ${r.status} : ${r.text}`);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.ok(r.json && r.json.error, `pas d'enveloppe d'erreur : ${r.text}`);
  const e = r.json.error;
  assert.deepEqual(Object.keys(e), ['message', 'type', 'code', ...(subcode !== undefined ? ['error_subcode'] : []), 'error_data', 'fbtrace_id']);
  assert.equal(e.code, code);
  assert.equal(e.type, type);
  if (title !== undefined) assert.equal(e.message, `(#${code}) ${title}`);
  else assert.match(e.message, new RegExp(`^\\(#${code}\\) \\S`));
  if (subcode !== undefined) assert.equal(e.error_subcode, subcode);
  assert.equal(e.error_data.messaging_product, 'whatsapp');
  assert.equal(typeof e.error_data.details, 'string');
  assert.ok(e.error_data.details.length > 0);
  if (details !== undefined) assert.equal(e.error_data.details, details);
  assert.match(e.fbtrace_id, /^[A-Za-z0-9_-]{16,}$/);
  assert.equal(r.headers.get('x-fb-trace-id'), e.fbtrace_id);
}

// Petit serveur qui reçoit les webhooks : garde les octets bruts et les
// en-têtes ; répond `answer` (statut, corps). next() attend le suivant.
async function startReceiver() {
  const got = [];
  const waiters = [];
  const rc = { got, answer: { status: 200, body: 'EVENT_RECEIVED' } };
  rc.server = nodeHttp.createServer((rq, rs) => {
    const chunks = [];
    rq.on('data', (c) => chunks.push(c));
    rq.on('end', () => {
      const hit = { method: rq.method, url: rq.url, headers: rq.headers, raw: Buffer.concat(chunks), at: Date.now() };
      got.push(hit);
      rs.writeHead(rc.answer.status, { 'Content-Type': 'text/plain' });
      rs.end(rc.answer.body);
      while (waiters.length && got.length > waiters[0].n) waiters.shift().ok();
    });
  });
  await new Promise((ok) => rc.server.listen(0, '127.0.0.1', ok));
  rc.url = `http://127.0.0.1:${rc.server.address().port}/api/webhooks/whatsapp`;
  // Attend qu'au moins n webhooks soient arrivés (ou échoue après ms).
  rc.waitFor = (n, ms = 3000) => (got.length >= n ? Promise.resolve() : new Promise((ok, ko) => {
    const t = setTimeout(() => ko(new Error(`${got.length} webhook(s) reçus sur ${n} attendus`)), ms);
    waiters.push({ n: n - 1, ok: () => { clearTimeout(t); ok(); } });
    waiters.sort((a, b) => a.n - b.n);
  }));
  rc.reset = () => { got.length = 0; rc.answer = { status: 200, body: 'EVENT_RECEIVED' }; };
  rc.close = () => new Promise((ok) => { rc.server.close(ok); rc.server.closeAllConnections(); });
  return rc;
}

const hmac = (secret, raw) => createHmac('sha256', secret).update(raw).digest('hex');

// Vérifie qu'un webhook reçu est signé avec `secret` sur ses octets bruts
// et le rend analysé.
function assertSigned(hit, secret = SECRET) {
  assert.equal(hit.method, 'POST');
  assert.equal(hit.url, '/api/webhooks/whatsapp');
  assert.match(hit.headers['content-type'], /^application\/json/);
  assert.equal(Number(hit.headers['content-length']), hit.raw.length);
  const sig = hit.headers['x-hub-signature-256'];
  assert.match(sig || '', /^sha256=[0-9a-f]{64}$/);
  assert.equal(sig, `sha256=${hmac(secret, hit.raw)}`);
  return JSON.parse(hit.raw.toString('utf8'));
}

// Enveloppe attendue d'un webhook du bac à sable par défaut.
const envelope = (value) => ({
  object: 'whatsapp_business_account',
  entry: [{
    id: '200000000000001',
    changes: [{
      field: 'messages',
      value: {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: '15550000001', phone_number_id: PHONE_ID },
        ...value,
      },
    }],
  }],
});

// ================================================================ point d'envoi

describe("bac à sable : point d'envoi Graph", () => {
  let sb;
  before(async () => { sb = await startSandbox({ port: 0, slowMs: 400, appSecret: SECRET }); });
  after(async () => { await sb.close(); });
  beforeEach(async () => { assert.equal((await req(sb, 'DELETE', '/__sandbox/messages')).status, 204); });

  test('santé et URL', async () => {
    assert.match(sb.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(sb.url, `http://127.0.0.1:${sb.port}`);
    const r = await req(sb, 'GET', '/__sandbox/health');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { ok: true });
  });

  test('succès texte : forme exacte, pas de message_status, entrée au journal', async () => {
    const body = textBody('33612345678', 'Bonjour Anna, votre table est réservée.');
    const r = await send(sb, body);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    const wamid = r.json.messages[0].id;
    assert.match(wamid, WAMID);
    assert.deepEqual(r.json, {
      messaging_product: 'whatsapp',
      contacts: [{ input: '33612345678', wa_id: '33612345678' }],
      messages: [{ id: wamid }],
    });
    const l = await log(sb);
    assert.equal(l.length, 1);
    const e = l[0];
    assert.deepEqual(Object.keys(e).sort(), ['accepted', 'at', 'body', 'code', 'http_status', 'late', 'seq', 'to', 'type', 'wamid']);
    assert.equal(typeof e.seq, 'number');
    assert.ok(Math.abs(Date.parse(e.at) - Date.now()) < 5000, e.at);
    assert.equal(new Date(e.at).toISOString(), e.at);
    assert.deepEqual({ ...e, seq: 0, at: '' }, {
      seq: 0, at: '', to: '33612345678', type: 'text', body, accepted: true, wamid, code: null, http_status: 200, late: false,
    });
    assert.deepEqual(sb.messages(), l, 'messages() en mémoire = GET /__sandbox/messages');
  });

  test('succès modèle : message_status « accepted »', async () => {
    const r = await send(sb, templateBody('4915112345678'));
    assert.equal(r.status, 200, r.text);
    assert.match(r.json.messages[0].id, WAMID);
    assert.deepEqual(r.json, {
      messaging_product: 'whatsapp',
      contacts: [{ input: '4915112345678', wa_id: '4915112345678' }],
      messages: [{ id: r.json.messages[0].id, message_status: 'accepted' }],
    });
    const [e] = await log(sb);
    assert.equal(e.type, 'template');
    assert.equal(e.wamid, r.json.messages[0].id);
    assert.equal(e.accepted, true);
  });

  test('wamid uniques et numéros de séquence croissants', async () => {
    const ids = new Set();
    const rs = await Promise.all(Array.from({ length: 60 }, (_, i) => send(sb, textBody(`3361234${String(i).padStart(4, '5')}`))));
    for (const r of rs) { assert.equal(r.status, 200, r.text); ids.add(r.json.messages[0].id); }
    assert.equal(ids.size, 60);
    const l = await log(sb);
    assert.equal(l.length, 60);
    assert.deepEqual(new Set(l.map((m) => m.wamid)), ids);
    for (let i = 1; i < l.length; i++) assert.equal(l[i].seq, l[i - 1].seq + 1);
  });

  // ------------------------------------------------------------ modes d'échec

  const GRAPH_FAILURES = [
    ['0001', 400, 131026, 'Message undeliverable', undefined],
    ['0002', 429, 130429, 'Rate limit hit', undefined],
    ['0003', 400, 131048, 'Spam rate limit hit', undefined],
    ['0004', 400, 131056, '(Business Account, Consumer Account) pair rate limit hit', undefined],
    ['0007', 401, 190, 'Access token has expired', 463],
    ['0008', 400, 131047, 'Re-engagement message', undefined],
  ];
  for (const [suffix, status, code, title, subcode] of GRAPH_FAILURES) {
    test(`mode ${suffix} : HTTP ${status}, code ${code}, journalisé refusé`, async () => {
      const to = `3361234${suffix}`;
      for (const body of [textBody(to), templateBody(to)]) {
        const r = await send(sb, body);
        assertGraphError(r, status, code, { title, subcode });
      }
      const l = await log(sb);
      assert.equal(l.length, 2);
      for (const e of l) {
        assert.equal(e.to, to);
        assert.equal(e.accepted, false);
        assert.equal(e.wamid, null);
        assert.equal(e.code, code);
        assert.equal(e.http_status, status);
        assert.equal(e.late, false);
      }
      assert.deepEqual(l.map((e) => e.type), ['text', 'template']);
      // Un autre numéro qui ne finit pas pareil passe.
      assert.equal((await send(sb, textBody(`3361234${suffix}9`))).status, 200);
    });
  }

  test('mode 0005 : 503 avec une page HTML, pas de JSON Graph', async () => {
    const r = await send(sb, textBody('33612340005'));
    assert.equal(r.status, 503);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.text, /^<!DOCTYPE html>/);
    assert.equal(r.json, null);
    assert.throws(() => JSON.parse(r.text));
    const [e] = await log(sb);
    assert.deepEqual([e.to, e.accepted, e.wamid, e.code, e.http_status], ['33612340005', false, null, null, 503]);
  });

  test('mode 0009 : 200 avec un corps qui n\'est pas du JSON', async () => {
    const r = await send(sb, textBody('33612340009'));
    assert.equal(r.status, 200);
    assert.equal(r.text, 'not json');
    assert.equal(r.json, null);
    const [e] = await log(sb);
    assert.deepEqual([e.to, e.accepted, e.wamid, e.code, e.http_status], ['33612340009', false, null, null, 200]);
  });

  test('mode 0010 : 500/131000 aux deux premiers essais par numéro, puis succès ; DELETE remet à zéro', async () => {
    const a = '33612340010';
    const b = '4915100010010';
    for (let i = 1; i <= 2; i++) {
      assertGraphError(await send(sb, textBody(a)), 500, 131000, { title: 'Something went wrong' });
    }
    // Compteur par numéro : b commence à zéro.
    assertGraphError(await send(sb, textBody(b)), 500, 131000);
    const ok3 = await send(sb, textBody(a));
    assert.equal(ok3.status, 200, ok3.text);
    assert.match(ok3.json.messages[0].id, WAMID);
    assert.equal((await send(sb, textBody(a))).status, 200);
    const la = await log(sb, `?to=${a}`);
    assert.deepEqual(la.map((e) => [e.http_status, e.code, e.accepted]), [[500, 131000, false], [500, 131000, false], [200, null, true], [200, null, true]]);
    assert.equal(la[2].wamid, ok3.json.messages[0].id);
    assert.equal((await req(sb, 'DELETE', '/__sandbox/messages')).status, 204);
    assertGraphError(await send(sb, textBody(a)), 500, 131000);
  });

  test('mode 0006 : réponse retardée de slowMs ; délai client dépassé mais envoi journalisé', async () => {
    const to = '33612340006';
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 100);
    const t0 = Date.now();
    await assert.rejects(send(sb, textBody(to), { signal: ctl.signal }), (e) => e.name === 'AbortError');
    clearTimeout(timer);
    assert.ok(Date.now() - t0 < 350, 'abandon côté client');
    const [e] = await log(sb);
    assert.deepEqual([e.to, e.accepted, e.late, e.http_status, e.code], [to, true, true, 200, null]);
    assert.match(e.wamid, WAMID);
    // Sans délai client : la réponse arrive, normale, après slowMs.
    const t1 = Date.now();
    const r = await send(sb, textBody(to));
    const dt = Date.now() - t1;
    assert.ok(dt >= 390, `réponse en ${dt} ms, attendu ≥ 400`);
    assert.equal(r.status, 200);
    const l = await log(sb);
    assert.equal(r.json.messages[0].id, l[1].wamid);
    assert.equal(l[1].late, true);
    // Un numéro ordinaire n'est pas ralenti.
    const t2 = Date.now();
    assert.equal((await send(sb, textBody('33612346006'))).status, 200);
    assert.ok(Date.now() - t2 < 300);
  });

  // ------------------------------------------------------------ jeton, identifiant

  test('jeton absent, faux ou mauvais schéma : 401/190, rien au journal', async () => {
    const cases = [
      { token: null },
      { token: 'faux-jeton' },
      { token: null, headers: { Authorization: `Basic ${TOKEN}` } },
      { token: null, headers: { Authorization: TOKEN } },
      { token: `${TOKEN}x` },
    ];
    for (const c of cases) {
      const r = await send(sb, textBody('33612345678'), c);
      assertGraphError(r, 401, 190, { title: 'Error validating access token' });
      assert.match(r.headers.get('www-authenticate'), /invalid_token/);
    }
    // Même un numéro en mode d'échec n'est pas traité sans jeton.
    assertGraphError(await send(sb, textBody('33612340001'), { token: 'x' }), 401, 190);
    assert.deepEqual(await log(sb), []);
    assert.equal((await send(sb, textBody('33612345678'), { headers: { Authorization: `bearer ${TOKEN}` } })).status, 200, 'schéma insensible à la casse');
  });

  test('identifiant de numéro inconnu : 400/100 sous-code 33, journalisé', async () => {
    const r = await send(sb, textBody('33612345678'), { phoneId: '999999999999999' });
    assertGraphError(r, 400, 100, { subcode: 33, type: 'GraphMethodException' });
    assert.match(r.json.error.message, /Object with ID '999999999999999' does not exist/);
    const [e] = await log(sb);
    assert.deepEqual([e.to, e.accepted, e.code, e.http_status], ['33612345678', false, 100, 400]);
    // Toute version vX.Y est acceptée.
    assert.equal((await send(sb, textBody('33612345678'), { version: 'v19.0' })).status, 200);
  });

  test('chemins et méthodes inconnus', async () => {
    assertGraphError(await req(sb, 'GET', '/v23.0/100000000000001/messages', { headers: { Authorization: `Bearer ${TOKEN}` } }), 400, 100);
    assertGraphError(await send(sb, textBody('33612345678'), { version: 'v23' }), 404, 100);
    assertGraphError(await req(sb, 'GET', '/__sandbox/nope'), 404, 100);
    assert.deepEqual(await log(sb), []);
  });

  // ------------------------------------------------------------ validation

  const long = 'é'.repeat(4097);
  const VALIDATION = [
    ['« to » avec +', (b) => { b.to = '+33612345678'; }, 100, 'Param to must be digits only'],
    ['« to » avec espaces', (b) => { b.to = '33 6 12 34 56 78'; }, 100, 'Param to must be digits only'],
    ['« to » nombre', (b) => { b.to = 33612345678; }, 100, 'Param to must be a string'],
    ['« to » trop court', (b) => { b.to = '123456'; }, 131009, 'Param to must be 7 to 15 digits long'],
    ['« to » trop long', (b) => { b.to = '1234567890123456'; }, 131009, 'Param to must be 7 to 15 digits long'],
    ['« to » absent', (b) => { delete b.to; }, 131008, 'Param to is required'],
    ['messaging_product absent', (b) => { delete b.messaging_product; }, 131008, 'Param messaging_product is required'],
    ['messaging_product faux', (b) => { b.messaging_product = 'sms'; }, 100, "Param messaging_product must be 'whatsapp'"],
    ['recipient_type group', (b) => { b.recipient_type = 'group'; }, 100, "Param recipient_type must be 'individual'"],
    ['type inconnu', (b) => { b.type = 'image'; }, 100, "Param type must be 'text' or 'template'"],
    ['type absent', (b) => { delete b.type; }, 131008, 'Param type is required'],
    ['text absent', (b) => { delete b.text; }, 131008, 'Param text is required'],
    ['text.body absent', (b) => { b.text = {}; }, 131008, 'Param text.body is required'],
    ['texte vide', (b) => { b.text.body = ''; }, 131009, 'Param text.body must not be empty'],
    ['texte blanc', (b) => { b.text.body = '  \n'; }, 131009, 'Param text.body must not be empty'],
    ['texte de 4097 caractères', (b) => { b.text.body = long; }, 131009, 'Param text.body must be at most 4096 characters long'],
    ['preview_url chaîne', (b) => { b.text.preview_url = 'yes'; }, 100, 'Param text.preview_url must be a boolean'],
  ];
  for (const [label, mutate, code, details] of VALIDATION) {
    test(`validation texte : ${label} → ${code}`, async () => {
      const b = textBody('33612345678');
      mutate(b);
      const r = await send(sb, b);
      assertGraphError(r, 400, code, { details });
      const l = await log(sb);
      assert.equal(l.length, 1);
      assert.deepEqual([l[0].accepted, l[0].code, l[0].http_status, l[0].wamid], [false, code, 400, null]);
      assert.deepEqual(l[0].body, b);
    });
  }

  test('validation : 4096 caractères (même non ASCII) passent', async () => {
    const r = await send(sb, textBody('33612345678', '😀'.repeat(4096)));
    assert.equal(r.status, 200, r.text.slice(0, 300));
  });

  const TEMPLATE_VALIDATION = [
    ['sans language', (t) => { delete t.language; }, 131008, 'Param template.language is required'],
    ['language sans code', (t) => { t.language = {}; }, 131008, 'Param template.language.code is required'],
    ['code de langue vide', (t) => { t.language.code = ''; }, 131009, 'Param template.language.code must not be empty'],
    ['nom vide', (t) => { t.name = ''; }, 131009, 'Param template.name must not be empty'],
    ['sans nom', (t) => { delete t.name; }, 131008, 'Param template.name is required'],
    ['components objet', (t) => { t.components = {}; }, 100, 'Param template.components must be an array'],
    ['paramètre de corps vide', (t) => { t.components[0].parameters[1].text = ''; }, 131009, 'Param template.components[0].parameters[1].text must not be empty'],
    ['paramètre de corps non texte', (t) => { t.components[0].parameters[0] = { type: 'currency' }; }, 100, "Param template.components[0].parameters[0].type must be 'text'"],
  ];
  for (const [label, mutate, code, details] of TEMPLATE_VALIDATION) {
    test(`validation modèle : ${label} → ${code}`, async () => {
      const b = templateBody('33612345678');
      mutate(b.template);
      assertGraphError(await send(sb, b), 400, code, { details });
      assert.equal((await log(sb, '?accepted=0')).length, 1);
    });
  }

  test('validation : modèle absent, sans components, bouton quick_reply accepté', async () => {
    const b = templateBody('33612345678');
    delete b.template;
    assertGraphError(await send(sb, b), 400, 131008, { details: 'Param template is required' });
    const c = templateBody('33612345678');
    delete c.template.components;
    assert.equal((await send(sb, c)).status, 200);
    const d = templateBody('33612345678');
    d.template.components.push({ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'STOP' }] });
    assert.equal((await send(sb, d)).status, 200);
  });

  test('validation : corps non JSON, Content-Type faux, tableau', async () => {
    assertGraphError(await send(sb, undefined, { body: '{"to": ' }), 400, 100, { details: 'Request body is not valid JSON' });
    assertGraphError(await send(sb, undefined, { body: JSON.stringify(textBody('33612345678')), headers: { 'Content-Type': 'text/plain' } }),
      400, 100, { details: 'Content-Type must be application/json' });
    assertGraphError(await send(sb, [textBody('33612345678')]), 400, 100, { details: 'Request body must be a JSON object' });
    const l = await log(sb);
    assert.equal(l.length, 3);
    assert.equal(l[0].body, null);
    assert.equal(l[1].to, '33612345678', 'corps lisible gardé même si le type est faux');
    assert.ok(l.every((e) => !e.accepted && e.code === 100));
  });

  // ------------------------------------------------------------ journal

  test('journal : filtres ?to= et ?accepted=, DELETE', async () => {
    await send(sb, textBody('33611111111'));
    await send(sb, textBody('33611110001'));
    await send(sb, templateBody('33611111111'));
    await send(sb, textBody('33622222222'));
    const all = await log(sb);
    assert.equal(all.length, 4);
    assert.deepEqual((await log(sb, '?to=33611111111')).map((e) => e.type), ['text', 'template']);
    assert.deepEqual((await log(sb, '?accepted=1')).map((e) => e.to), ['33611111111', '33611111111', '33622222222']);
    assert.deepEqual((await log(sb, '?accepted=0')).map((e) => e.to), ['33611110001']);
    assert.deepEqual((await log(sb, '?to=33611110001&accepted=1')), []);
    assert.deepEqual((await log(sb, '?to=4900000000')), []);
    const d = await req(sb, 'DELETE', '/__sandbox/messages');
    assert.equal(d.status, 204);
    assert.equal(d.text, '');
    assert.deepEqual(await log(sb), []);
    assert.deepEqual(sb.messages(), []);
  });
});

// ================================================================ webhooks

describe('bac à sable : webhooks signés', () => {
  let sb; let rc;
  before(async () => {
    rc = await startReceiver();
    sb = await startSandbox({ port: 0, appSecret: SECRET, webhookUrl: rc.url });
  });
  after(async () => { await sb.close(); await rc.close(); });
  beforeEach(async () => {
    rc.reset();
    await req(sb, 'DELETE', '/__sandbox/messages');
    sb.config({ webhook_url: rc.url, auto_status: false });
  });

  const hook = (json) => req(sb, 'POST', '/__sandbox/webhook', { json });

  test('statut delivered : forme exacte, signature sur les octets reçus', async () => {
    const r = await hook({ kind: 'status', wamid: 'wamid.OUT_0042', status: 'delivered', to: '4915112345678', timestamp: 1767225004 });
    assert.equal(r.status, 200, r.text);
    assert.equal(rc.got.length, 1);
    const got = assertSigned(rc.got[0]);
    const expected = envelope({ statuses: [{ id: 'wamid.OUT_0042', status: 'delivered', timestamp: '1767225004', recipient_id: '4915112345678' }] });
    assert.deepEqual(got, expected);
    assert.deepEqual(r.json, { status: 200, body: 'EVENT_RECEIVED', payload: expected });
    assert.equal(rc.got[0].raw.toString('utf8'), JSON.stringify(expected), 'octets = JSON compact');
  });

  test('statut failed avec erreur ; destinataire et biz_opaque_callback_data repris du journal', async () => {
    const s = await send(sb, { ...textBody('33612345678'), biz_opaque_callback_data: 'camp=12;rcpt=98' });
    const wamid = s.json.messages[0].id;
    const before = Math.floor(Date.now() / 1000);
    const r = await hook({ kind: 'status', wamid, status: 'failed', error: { code: 131049, title: 'Not delivered', details: 'healthy ecosystem' } });
    assert.equal(r.status, 200, r.text);
    const st = assertSigned(rc.got[0]).entry[0].changes[0].value.statuses[0];
    assert.match(st.timestamp, /^\d+$/);
    assert.ok(Number(st.timestamp) >= before && Number(st.timestamp) <= before + 5);
    assert.deepEqual(st, {
      id: wamid, status: 'failed', timestamp: st.timestamp, recipient_id: '33612345678',
      biz_opaque_callback_data: 'camp=12;rcpt=98',
      errors: [{ code: 131049, title: 'Not delivered', message: 'Not delivered', error_data: { details: 'healthy ecosystem' } }],
    });
    // failed sans erreur donnée : 131026 par défaut.
    await hook({ kind: 'status', wamid, status: 'failed' });
    assert.equal(assertSigned(rc.got[1]).entry[0].changes[0].value.statuses[0].errors[0].code, 131026);
  });

  test('réponse texte avec contexte et nom', async () => {
    const r = await hook({ kind: 'reply', from: '33612345678', name: 'Anna Martin', text: 'Oui, réservez-moi !', context_id: 'wamid.OUT_0042', timestamp: 1767225700 });
    assert.equal(r.status, 200, r.text);
    const got = assertSigned(rc.got[0]);
    const msg = got.entry[0].changes[0].value.messages[0];
    assert.match(msg.id, WAMID);
    assert.deepEqual(got, envelope({
      contacts: [{ profile: { name: 'Anna Martin' }, wa_id: '33612345678' }],
      messages: [{
        context: { from: '15550000001', id: 'wamid.OUT_0042' },
        from: '33612345678', id: msg.id, timestamp: '1767225700', type: 'text', text: { body: 'Oui, réservez-moi !' },
      }],
    }));
    // Non ASCII écrit en \uXXXX sur le fil (comme Meta), signé tel quel.
    const raw = rc.got[0].raw.toString('latin1');
    assert.ok(raw.includes('r\\u00e9servez'), raw);
    assert.ok(!/[\x80-\xff]/.test(raw), 'octets non ASCII sur le fil');
    assert.deepEqual(r.json.payload, got);
  });

  test('réponse sans contexte ; raw_utf8 envoie de l\'UTF-8 brut, signé sur ces octets', async () => {
    await hook({ kind: 'reply', from: '33612345678', text: 'STOP' });
    const m = assertSigned(rc.got[0]).entry[0].changes[0].value;
    assert.ok(!('context' in m.messages[0]));
    assert.equal(m.contacts[0].wa_id, '33612345678');
    assert.equal(typeof m.contacts[0].profile.name, 'string');
    await hook({ kind: 'reply', from: '33612345678', text: 'ARRÊT', raw_utf8: true, id: 'wamid.FIXE' });
    const text = rc.got[1].raw.toString('utf8');
    assert.ok(text.includes('"ARRÊT"'), text);
    assert.equal(assertSigned(rc.got[1]).entry[0].changes[0].value.messages[0].id, 'wamid.FIXE');
  });

  test('réaction, et retrait de réaction (sans emoji)', async () => {
    await hook({ kind: 'reaction', from: '33612345678', emoji: '👍', message_id: 'wamid.OUT_0042', timestamp: '1767225800' });
    const got = assertSigned(rc.got[0]);
    const id = got.entry[0].changes[0].value.messages[0].id;
    assert.deepEqual(got.entry[0].changes[0].value.messages, [{
      from: '33612345678', id, timestamp: '1767225800', type: 'reaction', reaction: { message_id: 'wamid.OUT_0042', emoji: '👍' },
    }]);
    assert.ok(rc.got[0].raw.toString('utf8').includes('\\ud83d\\udc4d'));
    await hook({ kind: 'reaction', from: '33612345678', message_id: 'wamid.OUT_0042' });
    const r2 = assertSigned(rc.got[1]).entry[0].changes[0].value.messages[0];
    assert.deepEqual(r2.reaction, { message_id: 'wamid.OUT_0042' });
  });

  test('bouton de réponse rapide', async () => {
    await hook({ kind: 'button', from: '33612345678', text: 'Stop promotions', payload: 'STOP_PROMOS', context_id: 'wamid.OUT_0042', timestamp: 1767226000 });
    const got = assertSigned(rc.got[0]);
    const v = got.entry[0].changes[0].value;
    assert.deepEqual(v.messages, [{
      context: { from: '15550000001', id: 'wamid.OUT_0042' },
      from: '33612345678', id: v.messages[0].id, timestamp: '1767226000', type: 'button',
      button: { payload: 'STOP_PROMOS', text: 'Stop promotions' },
    }]);
    assert.deepEqual(got, envelope({ contacts: v.contacts, messages: v.messages }));
  });

  test('raw : charge utile telle quelle ; secret remplacé ; sans signature', async () => {
    const payload = { object: 'whatsapp_business_account', entry: [] };
    const r = await hook({ kind: 'raw', payload });
    assert.deepEqual(r.json.payload, payload);
    assert.equal(rc.got[0].raw.toString(), '{"object":"whatsapp_business_account","entry":[]}');
    assertSigned(rc.got[0]);
    // Vecteur de la référence (clé test_app_secret).
    await hook({ kind: 'raw', payload, secret: 'test_app_secret' });
    assert.equal(rc.got[1].headers['x-hub-signature-256'], 'sha256=dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c633756');
    await hook({ kind: 'raw', payload: '{pas du json', sign: false });
    assert.equal(rc.got[2].raw.toString(), '{pas du json');
    assert.equal(rc.got[2].headers['x-hub-signature-256'], undefined);
  });

  test('statut et corps de la réponse du webhook rendus tels quels', async () => {
    rc.answer = { status: 403, body: 'signature invalide' };
    const r = await hook({ kind: 'reply', from: '33612345678', text: 'x' });
    assert.equal(r.status, 200);
    assert.equal(r.json.status, 403);
    assert.equal(r.json.body, 'signature invalide');
  });

  test('url dans la demande ; webhook injoignable ou non configuré → 502 ; demande invalide → 400', async () => {
    const other = await startReceiver();
    try {
      const r = await hook({ kind: 'reply', from: '33612345678', text: 'ailleurs', url: other.url });
      assert.equal(r.status, 200);
      assert.equal(other.got.length, 1);
      assert.equal(rc.got.length, 0);
    } finally { await other.close(); }
    const dead = `http://127.0.0.1:${await freePort()}/hook`;
    const r1 = await hook({ kind: 'reply', from: '33612345678', text: 'x', url: dead });
    assert.equal(r1.status, 502);
    assert.match(r1.json.error, /injoignable.*ECONNREFUSED/);
    sb.config({ webhook_url: null });
    const r2 = await hook({ kind: 'reply', from: '33612345678', text: 'x' });
    assert.equal(r2.status, 502);
    assert.match(r2.json.error, /URL de webhook/);
    for (const bad of [{ kind: 'nope' }, { kind: 'reply', from: '+33612345678', text: 'x' }, { kind: 'reply', from: '33612345678' },
      { kind: 'status', wamid: 'wamid.INCONNU', status: 'delivered' }, { kind: 'status', wamid: 'w', to: '33612345678', status: 'lu' },
      { kind: 'reaction', from: '33612345678' }, { kind: 'raw' }]) {
      const r = await hook(bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.equal(typeof r.json.error, 'string');
    }
    assert.equal(rc.got.length, 0);
  });

  test('configuration par POST /__sandbox/config', async () => {
    const r = await req(sb, 'POST', '/__sandbox/config', { json: { webhook_url: rc.url, app_secret: 'autre-secret', slow_ms: 50 } });
    assert.equal(r.status, 200);
    assert.equal(r.json.webhook_url, rc.url);
    assert.equal(r.json.slow_ms, 50);
    assert.ok(!('app_secret' in r.json) && !('token' in r.json));
    await hook({ kind: 'reply', from: '33612345678', text: 'x' });
    assertSigned(rc.got[0], 'autre-secret');
    assert.equal((await req(sb, 'POST', '/__sandbox/config', { json: { slow_ms: -1 } })).status, 400);
    assert.equal((await req(sb, 'POST', '/__sandbox/config', { json: { app_secret: SECRET } })).status, 200);
    assert.deepEqual((await req(sb, 'GET', '/__sandbox/config')).json, r.json);
  });

  test('--auto-status : sent puis delivered pour un envoi accepté, rien pour un refus', async () => {
    sb.config({ auto_status: true });
    const refused = await send(sb, textBody('33612340001'));
    assert.equal(refused.status, 400);
    const s = await send(sb, textBody('33612345678'));
    const wamid = s.json.messages[0].id;
    await rc.waitFor(2);
    await sleep(150);
    assert.equal(rc.got.length, 2, 'deux statuts, pas plus');
    const sts = rc.got.map((h) => assertSigned(h).entry[0].changes[0].value.statuses[0]);
    assert.deepEqual(sts.map((x) => [x.id, x.status, x.recipient_id]), [[wamid, 'sent', '33612345678'], [wamid, 'delivered', '33612345678']]);
  });
});

// ================================================================ statuts automatiques

describe('bac à sable : statuts automatiques (délais, doublons, désordre)', () => {
  let sb; let rc;
  before(async () => {
    rc = await startReceiver();
    sb = await startSandbox({ port: 0, appSecret: SECRET, webhookUrl: rc.url, autoStatus: true });
  });
  after(async () => { await sb.close(); await rc.close(); });
  beforeEach(async () => {
    await settle(); // rien d'un test précédent ne doit arriver pendant le suivant
    rc.reset();
    await req(sb, 'DELETE', '/__sandbox/messages');
    sb.config({ webhook_url: rc.url, auto_status: true, status_delays: 'sent:100,delivered:300', status_chaos: null });
  });

  // Statuts reçus (signature vérifiée) : { id, status, timestamp, raw, sig, at }.
  const received = () => rc.got.map((h) => {
    const st = assertSigned(h).entry[0].changes[0].value.statuses[0];
    return { id: st.id, status: st.status, timestamp: Number(st.timestamp), raw: h.raw.toString('utf8'), sig: h.headers['x-hub-signature-256'], at: h.at };
  });
  // Attend que le bac à sable n'ait plus aucun statut programmé ni en
  // route : chacun a alors été reçu (le récepteur le garde avant de
  // répondre) et rien ne peut plus arriver. Échoue après maxMs. (Une
  // attente de silence de durée fixe ne suffit pas sur une machine
  // chargée : une pause de la boucle d'événements plus longue que le
  // silence attendu laisserait des statuts en retard pour le passage
  // suivant.)
  async function settle(maxMs = 10000) {
    const t0 = Date.now();
    while (sb.pending() > 0) {
      assert.ok(Date.now() - t0 < maxMs, `${sb.pending()} statut(s) encore en attente après ${maxMs} ms`);
      await sleep(10);
    }
  }
  const NATURAL = ['sent', 'delivered', 'read'];

  test('par défaut : sent à 100 ms puis delivered à 300 ms, pas de read ; config publique', async () => {
    const cfg = (await req(sb, 'GET', '/__sandbox/config')).json;
    assert.deepEqual(cfg.status_delays, { sent: 100, delivered: 300 });
    assert.equal(cfg.status_chaos, null);
    const t0 = Date.now();
    const s = await send(sb, textBody('33612345678'));
    await rc.waitFor(2);
    await settle();
    const got = received();
    assert.deepEqual(got.map((x) => [x.id, x.status]), [[s.json.messages[0].id, 'sent'], [s.json.messages[0].id, 'delivered']]);
    assert.ok(got[0].at - t0 >= 90, `sent reçu trop tôt : ${got[0].at - t0} ms`);
    assert.ok(got[1].at - t0 >= 290, `delivered reçu trop tôt : ${got[1].at - t0} ms`);
  });

  test('status_delays avec read : trois statuts à leurs délais, horodatages croissants ; auto_status false : rien', async () => {
    const r = await req(sb, 'POST', '/__sandbox/config', { json: { status_delays: 'sent:20, delivered:80, read:200' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.status_delays, { sent: 20, delivered: 80, read: 200 });
    const t0 = Date.now();
    const s = await send(sb, textBody('33612345678'));
    await rc.waitFor(3);
    await settle();
    const got = received();
    assert.deepEqual(got.map((x) => x.status), NATURAL);
    assert.ok(got.every((x) => x.id === s.json.messages[0].id));
    assert.ok(got[2].at - t0 >= 190, `read reçu trop tôt : ${got[2].at - t0} ms`);
    for (let i = 1; i < got.length; i++) assert.ok(got[i].timestamp >= got[i - 1].timestamp);
    // Objet : null, false et « off » coupent un statut ; l'ordre suit les délais.
    rc.reset();
    sb.config({ status_delays: { sent: null, delivered: 60, read: 'off' } });
    assert.deepEqual(sb.config().status_delays, { delivered: 60 });
    await send(sb, textBody('33612345679'));
    await rc.waitFor(1);
    await settle();
    assert.deepEqual(received().map((x) => x.status), ['delivered']);
    // read avant delivered si ses délais le disent (le bac à sable n'impose rien).
    rc.reset();
    sb.config({ status_delays: { read: 10, delivered: 70 } });
    await send(sb, textBody('33612345670'));
    await rc.waitFor(2);
    await settle();
    assert.deepEqual(received().map((x) => x.status), ['read', 'delivered']);
    // Statuts automatiques coupés : aucun webhook.
    rc.reset();
    sb.config({ auto_status: false, status_delays: 'sent:5' });
    await send(sb, textBody('33612345671'));
    assert.equal(sb.pending(), 0, 'aucun statut programmé');
    await sleep(150);
    assert.equal(rc.got.length, 0);
  });

  test('status_delays et status_chaos mal formés : 400, configuration inchangée', async () => {
    const before = (await req(sb, 'GET', '/__sandbox/config')).json;
    for (const bad of [{ status_delays: 'sent:abc' }, { status_delays: 'lu:10' }, { status_delays: 'sent:10,sent:20' },
      { status_delays: { read: -1 } }, { status_delays: { read: 1.5 } }, { status_delays: 'read:60001' }, { status_delays: 5 },
      { status_chaos: { duplicate: 2 } }, { status_chaos: { duplicate: true } }, { status_chaos: { shuffle: 'oui' } },
      { status_chaos: { seed: -1 } }, { status_chaos: { seed: 1.5 } }, { status_chaos: { nope: 1 } }, { status_chaos: '{pas du json' },
      { status_chaos: 'duplicate:0.3,x y' }, { status_chaos: [1] }, { status_delays: 'sent:1', slow_ms: -1 },
      { status_chaos: { duplicate: 0.5 }, slow_ms: 'x' }]) {
      const r = await req(sb, 'POST', '/__sandbox/config', { json: bad });
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.equal(typeof r.json.error, 'string');
    }
    assert.deepEqual((await req(sb, 'GET', '/__sandbox/config')).json, before, 'rien de changé (tout ou rien)');
    // Formes acceptées.
    assert.deepEqual({ ...parseStatusDelays('sent=0,delivered:300,read:off') }, { sent: 0, delivered: 300 });
    assert.deepEqual({ ...parseStatusDelays('') }, {});
    assert.deepEqual({ ...parseStatusChaos('duplicate:0.3,shuffle,seed:42') }, { duplicate: 0.3, shuffle: 1, seed: 42 });
    assert.deepEqual({ ...parseStatusChaos('{"shuffle":0.25}') }, { duplicate: 0, shuffle: 0.25, seed: 1 });
    assert.deepEqual({ ...parseStatusChaos({ duplicate: 0.1, shuffle: false, seed: 0 }) }, { duplicate: 0.1, shuffle: 0, seed: 0 });
    assert.equal(parseStatusChaos(null), null);
    assert.equal(parseStatusChaos(''), null);
    const r = await req(sb, 'POST', '/__sandbox/config', { json: { status_chaos: 'duplicate:0.3,shuffle,seed:42' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.status_chaos, { duplicate: 0.3, shuffle: 1, seed: 42 });
    assert.equal((await req(sb, 'POST', '/__sandbox/config', { json: { status_chaos: null } })).json.status_chaos, null);
  });

  test('duplicate 1 : chaque statut arrive deux fois, mêmes octets et même signature', async () => {
    sb.config({ status_delays: 'sent:10,delivered:200', status_chaos: { duplicate: 1, seed: 7 } });
    const s = await send(sb, textBody('33612345678'));
    await rc.waitFor(4);
    await settle();
    const got = received();
    assert.equal(got.length, 4);
    for (const st of ['sent', 'delivered']) {
      const two = got.filter((x) => x.status === st);
      assert.equal(two.length, 2, st);
      assert.equal(two[0].raw, two[1].raw, `${st} : doublon identique à l'octet près`);
      assert.equal(two[0].sig, two[1].sig);
      assert.equal(two[0].id, s.json.messages[0].id);
    }
  });

  // Un passage : DELETE (qui remet la graine), désordre `chaos`, `n` envois
  // l'un après l'autre ; rend, par envoi (dans l'ordre des envois), l'ordre
  // d'arrivée des statuts distincts et le nombre d'exemplaires de chacun,
  // après avoir vérifié que les doublons sont identiques et que les
  // horodatages suivent l'ordre naturel.
  async function chaosRun(chaos, n = 8) {
    rc.reset();
    await req(sb, 'DELETE', '/__sandbox/messages');
    sb.config({ status_delays: 'sent:0,delivered:90,read:180', status_chaos: chaos });
    const ids = [];
    for (let i = 0; i < n; i++) ids.push((await send(sb, textBody(`3361234${String(5000 + i)}`))).json.messages[0].id);
    await settle();
    const got = received();
    return ids.map((id) => {
      const mine = got.filter((x) => x.id === id);
      const order = [...new Set(mine.map((x) => x.status))];
      const counts = Object.fromEntries(NATURAL.map((st) => [st, mine.filter((x) => x.status === st).length]));
      for (const st of NATURAL) {
        const same = mine.filter((x) => x.status === st);
        assert.ok(same.length >= 1, `${st} manquant pour ${id}`);
        assert.ok(same.every((x) => x.raw === same[0].raw), `doublon de ${st} différent`);
      }
      const ts = NATURAL.map((st) => mine.find((x) => x.status === st).timestamp);
      assert.ok(ts[0] <= ts[1] && ts[1] <= ts[2], `horodatages hors de l'ordre naturel : ${ts}`);
      return { order: order.join('>'), counts };
    });
  }

  test('duplicate 0.5 + shuffle : désordre et doublons reproductibles avec la même graine', async () => {
    const a = await chaosRun({ duplicate: 0.5, shuffle: true, seed: 42 });
    const b = await chaosRun({ duplicate: 0.5, shuffle: true, seed: 42 });
    assert.deepEqual(b, a, 'même graine, même désordre');
    assert.ok(a.some((x) => x.order !== 'sent>delivered>read'), `aucun envoi dans le désordre : ${JSON.stringify(a)}`);
    const dups = a.reduce((n, x) => n + Object.values(x.counts).filter((c) => c === 2).length, 0);
    assert.ok(dups > 0 && dups < 3 * a.length, `doublons : ${dups} sur ${3 * a.length} statuts (probabilité 0.5)`);
    assert.ok(a.every((x) => Object.values(x.counts).every((c) => c === 1 || c === 2)), 'au plus un doublon par statut');
    const c = await chaosRun({ duplicate: 0.5, shuffle: true, seed: 43 });
    assert.notDeepEqual(c, a, 'une autre graine donne un autre désordre');
    // Sans désordre demandé : ordre naturel, un exemplaire chacun.
    const d = await chaosRun(null, 3);
    assert.deepEqual(d, Array(3).fill({ order: 'sent>delivered>read', counts: { sent: 1, delivered: 1, read: 1 } }));
  });
});

// ================================================================ téléphone simulé

describe('bac à sable : page « Téléphone simulé »', () => {
  let sb; let rc;
  before(async () => {
    rc = await startReceiver();
    sb = await startSandbox({ port: 0, appSecret: SECRET, webhookUrl: rc.url });
  });
  after(async () => { await sb.close(); await rc.close(); });

  test('liste les messages par numéro, le plus récent d\'abord, et échappe le HTML', async () => {
    await send(sb, textBody('33611111111', 'Premier message'));
    await send(sb, textBody('33611111111', '<script>alert("x")</script> & co'));
    await send(sb, textBody('33622220001', 'Refusé'));
    const r = await req(sb, 'GET', '/__sandbox/');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.text, /<title>Téléphone simulé<\/title>/);
    assert.ok(!r.text.includes('<script'), 'balise script non échappée');
    assert.ok(r.text.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co'));
    assert.ok(r.text.indexOf('+33622220001') < r.text.indexOf('+33611111111'), 'numéro le plus récent d\'abord');
    const section = r.text.slice(r.text.indexOf('+33611111111'));
    assert.ok(section.indexOf('&lt;script') < section.indexOf('Premier message'), 'message le plus récent d\'abord');
    assert.match(r.text, /code 131026, HTTP 400/);
    assert.match(r.text, /<form method="post" action="\/__sandbox\/reply">\s*<input type="hidden" name="from" value="33611111111">/);
    assert.ok(r.text.includes('Répondre en tant que ce contact'));
    const n = await req(sb, 'GET', '/__sandbox/?notice=' + encodeURIComponent('<img src=x onerror=alert(1)>'));
    assert.ok(!n.text.includes('<img'));
    assert.ok(n.text.includes('&lt;img src=x onerror=alert(1)&gt;'));
  });

  test('POST /__sandbox/reply : webhook de réponse puis 303 vers la page avec le résultat', async () => {
    rc.reset();
    const s = await send(sb, textBody('33633333333', 'Votre promo'));
    const wamid = s.json.messages[0].id;
    const r = await req(sb, 'POST', '/__sandbox/reply', {
      body: new URLSearchParams({ from: '33633333333', text: 'Oui merci', context_id: wamid }).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(r.status, 303);
    const loc = r.headers.get('location');
    assert.match(loc, /^\/__sandbox\/\?notice=/);
    assert.equal(rc.got.length, 1);
    const m = assertSigned(rc.got[0]).entry[0].changes[0].value.messages[0];
    assert.deepEqual([m.from, m.type, m.text.body, m.context.id], ['33633333333', 'text', 'Oui merci', wamid]);
    const page = await req(sb, 'GET', loc);
    assert.match(page.text, /Webhook « réponse » envoyé : HTTP 200 — EVENT_RECEIVED/);
    // Échec visible sur la page : texte vide.
    const bad = await req(sb, 'POST', '/__sandbox/reply', {
      body: 'from=33633333333&text=', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(bad.status, 303);
    assert.match(decodeURIComponent(bad.headers.get('location')), /Échec : text manquant/);
    assert.equal(rc.got.length, 1);
  });

  test('POST /__sandbox/status : webhook de statut puis 303', async () => {
    rc.reset();
    const s = await send(sb, textBody('33644444444'));
    const wamid = s.json.messages[0].id;
    const r = await req(sb, 'POST', '/__sandbox/status', {
      body: `wamid=${encodeURIComponent(wamid)}&status=read`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(r.status, 303);
    const st = assertSigned(rc.got[0]).entry[0].changes[0].value.statuses[0];
    assert.deepEqual([st.id, st.status, st.recipient_id], [wamid, 'read', '33644444444']);
  });

  test('formulaires par numéro : réponse citant le dernier message reçu, réactions 👍 ❤️ 😂, STOP', async () => {
    rc.reset();
    const w1 = (await send(sb, textBody('33655555555', 'Premier envoi'))).json.messages[0].id;
    const w2 = (await send(sb, textBody('33655555555', 'Second envoi'))).json.messages[0].id;
    await send(sb, textBody('33655550001', 'Refusé'));
    const page = (await req(sb, 'GET', '/__sandbox/')).text;
    const section = page.slice(page.indexOf('<section data-number="33655555555">'), page.indexOf('</section>', page.indexOf('<section data-number="33655555555">')));
    // Réponse : texte vide par défaut, dernier message reçu cité par défaut.
    assert.match(section, /<input type="text" name="text" value="" required/);
    assert.ok(section.includes(`<option value="${w2}" selected>`), 'dernier message reçu cité par défaut');
    assert.ok(section.includes(`<option value="${w1}">`));
    // Réaction au dernier message reçu, trois emoji ; STOP.
    assert.match(section, new RegExp(`<form class="react" method="post" action="/__sandbox/react">\\s*<input type="hidden" name="from" value="33655555555"><input type="hidden" name="message_id" value="${w2.replace(/[.]/g, '\\.')}">`));
    for (const emoji of ['👍', '❤️', '😂']) assert.ok(section.includes(`name="emoji" value="${emoji}"`), emoji);
    assert.match(section, /<form class="stop" method="post" action="\/__sandbox\/stop">\s*<input type="hidden" name="from" value="33655555555">\s*<button type="submit">STOP<\/button>/);
    // Numéro qui n'a reçu que des refus : pas de réaction (rien à quoi réagir), mais réponse et STOP.
    const refused = page.slice(page.indexOf('<section data-number="33655550001">'));
    assert.ok(!refused.slice(0, refused.indexOf('</section>')).includes('/__sandbox/react'));
    assert.ok(refused.slice(0, refused.indexOf('</section>')).includes('/__sandbox/stop'));

    const form = (path, fields) => req(sb, 'POST', path, { body: new URLSearchParams(fields).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    // Réaction ❤️ au dernier message.
    let r = await form('/__sandbox/react', { from: '33655555555', message_id: w2, emoji: '❤️' });
    assert.equal(r.status, 303);
    assert.match(decodeURIComponent(r.headers.get('location')), /Webhook « réaction ❤️ » envoyé : HTTP 200/);
    let m = assertSigned(rc.got[0]).entry[0].changes[0].value.messages[0];
    assert.deepEqual([m.from, m.type, m.reaction], ['33655555555', 'reaction', { message_id: w2, emoji: '❤️' }]);
    // STOP : un texte « STOP », sans citation.
    r = await form('/__sandbox/stop', { from: '33655555555' });
    assert.equal(r.status, 303);
    assert.match(decodeURIComponent(r.headers.get('location')), /Webhook « STOP » envoyé : HTTP 200/);
    m = assertSigned(rc.got[1]).entry[0].changes[0].value.messages[0];
    assert.deepEqual([m.from, m.type, m.text.body, 'context' in m], ['33655555555', 'text', 'STOP', false]);
    // Réponse citant w2, texte hostile : échappé sur la page.
    r = await form('/__sandbox/reply', { from: '33655555555', context_id: w2, text: '<b>Oui</b> & merci' });
    assert.equal(r.status, 303);
    m = assertSigned(rc.got[2]).entry[0].changes[0].value.messages[0];
    assert.deepEqual([m.text.body, m.context.id], ['<b>Oui</b> & merci', w2]);
    // Réaction sans message cité : refusée, rien d'envoyé ni de noté.
    r = await form('/__sandbox/react', { from: '33655555555', emoji: '👍' });
    assert.match(decodeURIComponent(r.headers.get('location')), /Échec : message_id manquant/);
    assert.equal(rc.got.length, 3);
    // Les messages du contact apparaissent dans sa conversation, le plus récent d'abord.
    const inb = sb.inbound().filter((x) => x.from === '33655555555');
    assert.deepEqual(inb.map((x) => [x.kind, x.text, x.emoji, x.context_id]),
      [['reaction', null, '❤️', w2], ['reply', 'STOP', null, null], ['reply', '<b>Oui</b> & merci', null, w2]]);
    const after = (await req(sb, 'GET', '/__sandbox/')).text;
    const sec = after.slice(after.indexOf('<section data-number="33655555555">'));
    assert.ok(!after.includes('<b>Oui</b>'));
    const iReply = sec.indexOf('&lt;b&gt;Oui&lt;/b&gt; &amp; merci');
    const iStop = sec.indexOf('<span class="body">STOP</span>');
    const iReact = sec.indexOf('réaction ❤️');
    const iOut = sec.indexOf('Second envoi');
    assert.ok(iReply > 0 && iReply < iStop && iStop < iReact && iReact < iOut, `ordre : ${[iReply, iStop, iReact, iOut]}`);
    assert.match(sec, /envoyé par ce contact — webhook HTTP 200/);
  });
});

// ================================================================ programme

describe('bac à sable : programme en ligne de commande', { timeout: 20000 }, () => {
  // Programmes lancés : tués à la fin même si un test échoue en route.
  const procs = new Set();
  after(() => { for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL'); });

  // Fin du programme lancé, ou « pas arrêté » après ms millisecondes.
  const exitedWithin = (c, ms) => Promise.race([c.exited, new Promise((ok) => setTimeout(() => ok('pas arrêté'), ms).unref())]);

  // Lance le programme ; rend { proc, url, exited, out() } une fois la
  // ligne SANDBOX_READY lue (le tue et échoue si elle n'est pas conforme).
  async function launch(args, env = {}) {
    const proc = spawn(process.execPath, [SCRIPT, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    procs.add(proc);
    let out = ''; let err = '';
    proc.stdout.on('data', (c) => { out += c; });
    proc.stderr.on('data', (c) => { err += c; });
    const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok({ code, signal })));
    for (let i = 0; i < 100 && !out.includes('\n') && proc.exitCode === null; i++) await sleep(50);
    await sleep(50);
    const m = /^SANDBOX_READY (http:\/\/127\.0\.0\.1:(\d+))\n$/.exec(out);
    if (!m) proc.kill('SIGKILL');
    assert.ok(m, `ligne READY attendue, stdout=${JSON.stringify(out)} stderr=${err}`);
    return { proc, url: m[1], port: Number(m[2]), exited, out: () => out, err: () => err };
  }

  test('READY sur une seule ligne, options de la ligne de commande et de l\'environnement, SIGTERM', async () => {
    const c = await launch(['--port', '0', '--phone-id', '555000000000001', '--slow-ms=250'], { SANDBOX_TOKEN: 'jeton-env', SANDBOX_PHONE_ID: 'ignoré' });
    try {
      const sbx = { url: c.url };
      assert.deepEqual((await req(sbx, 'GET', '/__sandbox/health')).json, { ok: true });
      assert.equal((await send(sbx, textBody('33612345678'), { token: 'jeton-env', phoneId: '555000000000001' })).status, 200);
      assertGraphError(await send(sbx, textBody('33612345678'), { phoneId: '555000000000001' }), 401, 190);
      assertGraphError(await send(sbx, textBody('33612345678'), { token: 'jeton-env' }), 400, 100, { subcode: 33, type: 'GraphMethodException' });
      const t0 = Date.now();
      assert.equal((await send(sbx, textBody('33612340006'), { token: 'jeton-env', phoneId: '555000000000001' })).status, 200);
      assert.ok(Date.now() - t0 >= 240, '--slow-ms=250');
      assert.equal((await req(sbx, 'GET', '/__sandbox/config')).json.slow_ms, 250);
    } finally {
      c.proc.kill('SIGTERM');
    }
    const ex = await exitedWithin(c, 5000);
    assert.deepEqual(ex, { code: 0, signal: null });
    assert.equal(c.out().split('\n').filter(Boolean).length, 1, 'une seule ligne sur stdout');
  });

  test('port fixe par SANDBOX_PORT, --auto-status par SANDBOX_AUTO_STATUS, SIGINT', async () => {
    const rc = await startReceiver();
    const port = await freePort();
    let c;
    try {
      c = await launch([], { SANDBOX_PORT: String(port), SANDBOX_AUTO_STATUS: '1', SANDBOX_WEBHOOK_URL: rc.url, SANDBOX_APP_SECRET: SECRET });
      assert.equal(c.port, port);
      const s = await send({ url: c.url }, textBody('33612345678'));
      await rc.waitFor(2);
      const ids = rc.got.map((h) => assertSigned(h).entry[0].changes[0].value.statuses[0]);
      assert.deepEqual(ids.map((x) => [x.id, x.status]), [[s.json.messages[0].id, 'sent'], [s.json.messages[0].id, 'delivered']]);
    } finally {
      c?.proc.kill('SIGINT');
      await rc.close();
    }
    assert.deepEqual(await exitedWithin(c, 5000), { code: 0, signal: null });
  });

  test('--status-delays (implique --auto-status) et --status-chaos ; SANDBOX_STATUS_* ; valeur mal formée → code 2', async () => {
    const rc = await startReceiver();
    let c;
    try {
      c = await launch(['--port', '0', '--status-delays', 'sent:10,read:60', '--status-chaos=duplicate:1,seed:3',
        '--webhook-url', rc.url, '--app-secret', SECRET]);
      const cfg = (await req({ url: c.url }, 'GET', '/__sandbox/config')).json;
      assert.equal(cfg.auto_status, true);
      assert.deepEqual(cfg.status_delays, { sent: 10, read: 60 });
      assert.deepEqual(cfg.status_chaos, { duplicate: 1, shuffle: 0, seed: 3 });
      const s = await send({ url: c.url }, textBody('33612345678'));
      await rc.waitFor(4);
      await sleep(250);
      const sts = rc.got.map((h) => assertSigned(h).entry[0].changes[0].value.statuses[0]);
      assert.equal(sts.length, 4);
      assert.deepEqual(sts.map((x) => x.status).sort(), ['read', 'read', 'sent', 'sent']);
      assert.ok(sts.every((x) => x.id === s.json.messages[0].id));
    } finally {
      c?.proc.kill('SIGTERM');
      await rc.close();
    }
    assert.deepEqual(await exitedWithin(c, 5000), { code: 0, signal: null });
    // Environnement, sans lancer de programme.
    assert.deepEqual(parseArgs([], { SANDBOX_STATUS_DELAYS: 'delivered:5', SANDBOX_STATUS_CHAOS: '{"shuffle":true,"seed":9}' }),
      { statusDelays: { delivered: 5 }, statusChaos: { duplicate: 0, shuffle: 1, seed: 9 }, autoStatus: true });
    assert.deepEqual(parseArgs(['--auto-status'], {}), { autoStatus: true });
    for (const args of [['--status-delays', 'lu:5'], ['--status-chaos', 'duplicate:3']]) {
      const proc = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      procs.add(proc);
      let err = '';
      proc.stderr.on('data', (d) => { err += d; });
      const code = await new Promise((ok) => proc.on('exit', ok));
      assert.equal(code, 2, args.join(' '));
      assert.match(err, /status_(delays|chaos) : /);
      assert.match(err, /usage/);
    }
  });

  test('option inconnue : code 2 et usage sur stderr', async () => {
    const proc = spawn(process.execPath, [SCRIPT, '--nope'], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.add(proc);
    let out = ''; let err = '';
    proc.stdout.on('data', (c) => { out += c; });
    proc.stderr.on('data', (c) => { err += c; });
    const code = await new Promise((ok) => proc.on('exit', ok));
    assert.equal(code, 2);
    assert.equal(out, '');
    assert.match(err, /option inconnue : --nope/);
    assert.match(err, /usage/);
  });

  test('importé, le module ne démarre pas de serveur', async () => {
    const proc = spawn(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(SCRIPT)}).then((m) => console.log(typeof m.startSandbox))`], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.add(proc);
    let out = '';
    proc.stdout.on('data', (c) => { out += c; });
    const code = await new Promise((ok) => proc.on('exit', ok));
    assert.equal(code, 0);
    assert.equal(out, 'function\n');
  });
});
