#!/usr/bin/env node
// Bac à sable de l'API WhatsApp Cloud (Graph API de Meta) pour les tests et
// pour « ./dev run ». Aucun paquet npm : uniquement les modules « node: ».
//
// Il parle le point d'envoi de la Graph API
//   POST /{version}/{phone_number_id}/messages      (version : v\d+.\d+)
// répond comme WhatsApp (mêmes corps de succès et d'erreur), garde un
// journal en mémoire des envois, et sait émettre vers l'application des
// webhooks signés (statuts, réponses, réactions, boutons) comme Meta.
//
// ---------------------------------------------------------------------------
// Modes d'échec, choisis par les 4 derniers chiffres du destinataire « to »
// (toute autre fin : succès). Le README du projet recopie ce tableau.
//
// | fin  | HTTP | code   | réponse                                     | classe        |
// |------|------|--------|---------------------------------------------|---------------|
// | 0001 | 400  | 131026 | Message undeliverable                       | permanente    |
// | 0002 | 429  | 130429 | Rate limit hit (débit Cloud API atteint)    | réessayable   |
// | 0003 | 400  | 131048 | Spam rate limit hit                         | réessayable   |
// | 0004 | 400  | 131056 | (Business Account, Consumer Account) pair   | réessayable   |
// |      |      |        | rate limit hit                              |               |
// | 0005 | 503  | —      | page HTML, pas de JSON Graph (5xx nu)       | réessayable   |
// | 0006 | 200  | —      | succès normal mais après slowMs (3000 ms    | délai client  |
// |      |      |        | par défaut) : plus long que le délai client |               |
// | 0007 | 401  | 190    | Access token has expired (sous-code 463)    | tout arrêter  |
// | 0008 | 400  | 131047 | Re-engagement message (> 24 h)              | permanente    |
// | 0009 | 200  | —      | corps « not json » (Content-Type JSON)      | réponse folle |
// | 0010 | 500  | 131000 | Something went wrong aux 2 premiers essais  | réessayable   |
// |      |      |        | pour ce numéro, puis succès (3e et suivants)|               |
//
// 130429 est répondu en HTTP 429 (la table de Meta dit 400, YCloud 429) :
// le client doit classer sur le code Graph, pas sur le statut HTTP ; les
// autres codes réessayables (0003, 0004) arrivent, eux, en 400.
// Le mode lent (0006) enregistre l'envoi comme accepté dès l'arrivée :
// comme chez Meta, un délai dépassé côté client n'empêche pas l'envoi.
//
// ---------------------------------------------------------------------------
// Contrôles avant les modes d'échec, dans cet ordre (enveloppe Graph :
// {"error":{"message":"(#<code>) <titre>","type":"OAuthException","code",
// "error_subcode"?,"error_data":{"messaging_product":"whatsapp","details"},
// "fbtrace_id"}}) :
//
// | contrôle                                  | HTTP | code   | sous-code | journalisé |
// |-------------------------------------------|------|--------|-----------|------------|
// | Bearer absent ou faux                     | 401  | 190    | —         | non        |
// | phone_number_id différent de la config    | 400  | 100    | 33 (*)    | oui        |
// | Content-Type autre que application/json   | 400  | 100    | —         | oui        |
// | corps non JSON ou pas un objet            | 400  | 100    | —         | oui        |
// | champ obligatoire absent                  | 400  | 131008 | —         | oui        |
// | mauvais type / valeur hors énumération /  | 400  | 100    | —         | oui        |
// |  « to » pas uniquement des chiffres       |      |        |           |            |
// | valeur invalide : « to » hors 7–15        | 400  | 131009 | —         | oui        |
// |  chiffres, texte vide ou > 4096           |      |        |           |            |
// |  caractères, nom / langue de modèle       |      |        |           |            |
// |  vides, paramètre de corps de modèle vide |      |        |           |            |
// Autres réponses : GET sur /messages → 400/100 ; chemin inconnu → 404/100 ;
// corps > 1 Mio → 413/100 (non journalisés).
// (*) type « GraphMethodException », comme la vraie Graph API pour un objet
//     inconnu ; toutes les autres erreurs ont le type « OAuthException ».
// error_data.details nomme toujours le champ : « Param to must be digits
// only », « Param text.body is required », « Param template.language.code
// must not be empty »...
//
// ---------------------------------------------------------------------------
// Points de contrôle (tests et ./dev run) :
//   GET    /__sandbox/health            → 200 {"ok":true}
//   GET    /__sandbox/messages[?to=&accepted=1|0] → {"messages":[...]}
//   DELETE /__sandbox/messages          → 204, vide le journal et les
//                                          compteurs du mode 0010
//   GET    /__sandbox/config            → configuration publique
//   POST   /__sandbox/config            → change webhook_url, app_secret,
//                                          auto_status, slow_ms,
//                                          status_delays, status_chaos (JSON)
//   POST   /__sandbox/webhook           → construit, signe et envoie un
//                                          webhook (kind : status, reply,
//                                          reaction, button, raw)
//   GET    /__sandbox/                  → page « Téléphone simulé »
//   POST   /__sandbox/reply             → formulaire : réponse d'un contact
//                                          (context_id : par défaut le
//                                          dernier message reçu)
//   POST   /__sandbox/react             → formulaire : réaction (emoji) au
//                                          dernier message reçu (message_id)
//   POST   /__sandbox/stop              → formulaire : le contact écrit STOP
//   POST   /__sandbox/status            → formulaire : statut d'un message
//
// ---------------------------------------------------------------------------
// Statuts automatiques (--auto-status, ou auto_status dans la config) :
// après chaque envoi accepté, le bac à sable poste à l'application des
// webhooks de statut signés, chacun après son délai (ms) compté depuis
// l'acceptation. Délais par défaut : sent 100, delivered 300 ; « read »
// n'est pas envoyé sauf s'il est demandé.
//   --status-delays "sent:100,delivered:300,read:800"   (implique --auto-status)
//   SANDBOX_STATUS_DELAYS (même forme, implique aussi l'envoi automatique)
//   config status_delays : la même chaîne, ou un objet
//     {"sent":100,"delivered":300,"read":800} ; un statut absent, « off »
//     ou null n'est pas envoyé.
// Désordre voulu (status_chaos), reproductible grâce à une graine :
//   --status-chaos "duplicate:0.3,shuffle,seed:42"  ou du JSON
//   SANDBOX_STATUS_CHAOS, config status_chaos :
//     {"duplicate":0.3,"shuffle":true,"seed":42} ou null (désactivé).
//   duplicate (0 à 1) : probabilité qu'un webhook de statut soit envoyé une
//     seconde fois (mêmes octets, comme une redélivrance de Meta), 1 à
//     150 ms après le premier (plus tard si la réponse au premier tarde) ;
//   shuffle (booléen, ou probabilité 0 à 1) : les statuts d'un envoi
//     partent dans un ordre tiré au hasard (les mêmes instants, permutés) ;
//     l'horodatage de chaque statut reste celui de l'ordre naturel (un
//     « read » arrivé avant le « delivered » garde une heure postérieure) ;
//   seed (entier, 1 par défaut) : graine du générateur ; il repart de la
//     graine quand status_chaos est réglé et à chaque DELETE
//     /__sandbox/messages, donc une même suite d'envois donne la même suite
//     de doublons et de permutations.
// Les webhooks de statut d'un même envoi (doublons compris) partent l'un
// après l'autre dans l'ordre prévu : chacun au plus tôt à son délai, et
// seulement une fois la réponse au précédent reçue. L'application les
// reçoit donc dans cet ordre même si la machine est chargée (sinon deux
// POST en route en même temps, ou deux minuteries échues pendant une
// pause de la boucle d'événements, pourraient se doubler).
//
// Ligne de commande (chaque option a aussi sa variable d'environnement) :
//   node t/sandbox/sandbox.mjs [--port N] [--host H] [--token T]
//     [--phone-id ID] [--app-secret S] [--webhook-url URL] [--slow-ms MS]
//     [--auto-status] [--status-delays SPEC] [--status-chaos SPEC]
//     [--display-phone N] [--waba-id ID]
//   SANDBOX_PORT, SANDBOX_HOST, SANDBOX_TOKEN, SANDBOX_PHONE_ID,
//   SANDBOX_APP_SECRET, SANDBOX_WEBHOOK_URL, SANDBOX_SLOW_MS,
//   SANDBOX_AUTO_STATUS=1, SANDBOX_STATUS_DELAYS, SANDBOX_STATUS_CHAOS,
//   SANDBOX_DISPLAY_PHONE, SANDBOX_WABA_ID.
// Port 0 : port libre. Une fois à l'écoute, une seule ligne sur stdout :
//   SANDBOX_READY http://127.0.0.1:<port>
// SIGTERM / SIGINT : arrêt propre (code de sortie 0).
import http from 'node:http';
import https from 'node:https';
import { createHmac, randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEFAULTS = Object.freeze({
  port: 0,
  host: '127.0.0.1',
  token: 'sandbox-token',
  phoneId: '100000000000001',
  appSecret: 'sandbox-app-secret',
  webhookUrl: '',
  slowMs: 3000,
  autoStatus: false,
  statusDelays: Object.freeze({ sent: 100, delivered: 300 }),
  statusChaos: null,
  displayPhone: '15550000001',
  wabaId: '200000000000001',
});

// Taille maximale d'un corps de requête accepté (octets).
const MAX_BODY = 1024 * 1024;
// Nombre maximal d'envois gardés au journal (les plus anciens partent).
const MAX_LOG = 200000;
// Statuts que l'envoi automatique sait poster, dans leur ordre naturel.
const AUTO_STATUSES = ['sent', 'delivered', 'read'];
// Délai maximal d'un statut automatique (ms) : une minute.
const MAX_STATUS_DELAY_MS = 60000;
// Écart maximal (ms) entre un webhook de statut et son doublon.
const DUP_MAX_MS = 150;
// Réactions proposées par la page du téléphone.
const REACTIONS = ['👍', '❤️', '😂'];
// Délai maximal d'un envoi de webhook vers l'application.
const WEBHOOK_TIMEOUT_MS = 10000;

const FAILURES = {
  '0001': { kind: 'graph', http: 400, code: 131026, title: 'Message undeliverable', details: 'Message Undeliverable.' },
  '0002': { kind: 'graph', http: 429, code: 130429, title: 'Rate limit hit', details: 'Cloud API message throughput has been reached.' },
  '0003': { kind: 'graph', http: 400, code: 131048, title: 'Spam rate limit hit', details: 'Message failed to send because there are restrictions on how many messages can be sent from this phone number. This may be because too many previous messages were blocked or flagged as spam.' },
  '0004': { kind: 'graph', http: 400, code: 131056, title: '(Business Account, Consumer Account) pair rate limit hit', details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.' },
  '0005': { kind: 'html', http: 503 },
  '0006': { kind: 'slow' },
  '0007': { kind: 'graph', http: 401, code: 190, subcode: 463, title: 'Access token has expired', details: 'Error validating access token: Session has expired.' },
  '0008': { kind: 'graph', http: 400, code: 131047, title: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
  '0009': { kind: 'garbage', http: 200 },
  '0010': { kind: 'flaky', http: 500, code: 131000, title: 'Something went wrong', details: 'Message failed to send due to an unknown error.', failures: 2 },
};

const SEND_PATH = /^\/(v\d+\.\d+)\/([^/]+)\/messages\/?$/;

// ---------------------------------------------------------------- outils

// Identifiant de message WhatsApp fictif : « wamid. » suivi de 40
// caractères base64url aléatoires. Rend la chaîne.
export function newWamid() {
  return 'wamid.' + randomBytes(30).toString('base64url');
}

// Horodatage Unix en secondes, sous forme de chaîne comme dans les
// webhooks de Meta. Rend la chaîne.
function unixNow() {
  return String(Math.floor(Date.now() / 1000));
}

// Vrai si v est un objet JSON simple (ni tableau, ni null). Rend un booléen.
function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// Vrai si s est une chaîne de 7 à 15 chiffres (numéro au format
// international sans « + »). Rend un booléen.
function isPhone(s) {
  return typeof s === 'string' && /^\d{7,15}$/.test(s);
}

// Échappe un texte pour le HTML (contenu et valeurs d'attributs). Rend la
// chaîne échappée ; une valeur absente donne une chaîne vide.
export function escapeHtml(v) {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

// Sérialise un objet en JSON ; sauf si rawUtf8, les caractères non ASCII
// sont écrits en \uXXXX (hexadécimal minuscule, paires UTF-16), comme la
// « version unicode échappée » que Meta signe. Rend la chaîne JSON.
export function serializeWebhook(payload, rawUtf8 = false) {
  const s = JSON.stringify(payload);
  if (rawUtf8) return s;
  return s.replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

// Signature X-Hub-Signature-256 d'un corps (Buffer ou chaîne) avec le
// secret de l'application. Rend « sha256=<hex minuscule> ».
export function signBody(secret, bytes) {
  return 'sha256=' + createHmac('sha256', secret).update(bytes).digest('hex');
}

// Générateur pseudo-aléatoire reproductible (mulberry32) à partir d'une
// graine entière. Rend une fonction qui rend un nombre dans [0, 1[.
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Lit les délais des statuts automatiques : chaîne « sent:100,
// delivered:300,read:800 » (« = » accepté à la place de « : », « off »
// pour ne pas envoyer) ou objet {sent, delivered, read} (null, false ou
// « off » : pas envoyé). Rend un objet gelé { statut: ms } des seuls
// statuts envoyés ; lève une erreur (message en français) si la valeur est
// mal formée.
export function parseStatusDelays(v) {
  let pairs;
  if (typeof v === 'string') {
    pairs = [];
    for (const part of v.split(',').map((x) => x.trim()).filter(Boolean)) {
      const m = /^([a-z]+)\s*[:=]\s*(\S+)$/.exec(part);
      if (!m) throw new Error(`status_delays : « ${part} » n'est pas de la forme statut:ms`);
      pairs.push([m[1], m[2]]);
    }
  } else if (isObject(v)) {
    pairs = Object.entries(v);
  } else {
    throw new Error('status_delays doit être une chaîne « sent:100,delivered:300,read:800 » ou un objet');
  }
  const out = {};
  for (const [k, raw] of pairs) {
    if (!AUTO_STATUSES.includes(k)) throw new Error(`status_delays : statut inconnu « ${k} » (sent, delivered ou read)`);
    if (k in out) throw new Error(`status_delays : statut « ${k} » donné deux fois`);
    if (raw === null || raw === false || raw === 'off') continue;
    const ms = typeof raw === 'number' ? raw : /^\d+$/.test(String(raw)) ? Number(raw) : NaN;
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_STATUS_DELAY_MS) {
      throw new Error(`status_delays : délai de « ${k} » invalide (entier de 0 à ${MAX_STATUS_DELAY_MS} ms, ou off)`);
    }
    out[k] = ms;
  }
  return Object.freeze(out);
}

// Lit le réglage du désordre des statuts : null, false ou '' (désactivé),
// objet {duplicate, shuffle, seed}, chaîne JSON de cet objet, ou chaîne
// « duplicate:0.3,shuffle,seed:42 ». Rend null ou un objet gelé
// { duplicate, shuffle, seed } (shuffle : probabilité, true valant 1) ;
// lève une erreur (message en français) si la valeur est mal formée.
export function parseStatusChaos(v) {
  if (v === null || v === undefined || v === false || v === '') return null;
  let o = v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('{')) {
      try { o = JSON.parse(t); } catch { throw new Error('status_chaos : JSON illisible'); }
    } else {
      o = {};
      for (const part of t.split(',').map((x) => x.trim()).filter(Boolean)) {
        const m = /^([a-z_]+)(?:\s*[:=]\s*(\S+))?$/.exec(part);
        if (!m) throw new Error(`status_chaos : « ${part} » n'est pas de la forme clé:valeur`);
        o[m[1]] = m[2] === undefined ? true : m[2] === 'true' ? true : m[2] === 'false' ? false : Number(m[2]);
      }
    }
  }
  if (!isObject(o)) throw new Error('status_chaos doit être un objet {"duplicate":0.3,"shuffle":true,"seed":42} ou null');
  for (const k of Object.keys(o)) {
    if (!['duplicate', 'shuffle', 'seed'].includes(k)) throw new Error(`status_chaos : clé inconnue « ${k} » (duplicate, shuffle, seed)`);
  }
  const prob = (k, x) => {
    if (x === undefined || x === false) return 0;
    if (x === true) return 1;
    if (typeof x !== 'number' || !(x >= 0 && x <= 1)) throw new Error(`status_chaos : ${k} doit être un nombre de 0 à 1${k === 'shuffle' ? ' ou un booléen' : ''}`);
    return x;
  };
  if (o.duplicate === true) throw new Error('status_chaos : duplicate doit être un nombre de 0 à 1');
  const seed = o.seed === undefined ? 1 : o.seed;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error('status_chaos : seed doit être un entier de 0 à 4294967295');
  return Object.freeze({ duplicate: prob('duplicate', o.duplicate), shuffle: prob('shuffle', o.shuffle), seed });
}

// Lit tout le corps d'une requête, au plus MAX_BODY octets. Rend une
// promesse du Buffer ; rejette avec err.tooLarge si le corps dépasse.
function readBody(req) {
  return new Promise((ok, ko) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        const e = new Error('corps trop gros');
        e.tooLarge = true;
        req.destroy();
        ko(e);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => ok(Buffer.concat(chunks)));
    req.on('error', ko);
  });
}

// Envoie une réponse complète (statut, type, corps, en-têtes en plus).
// Ne rend rien.
function reply(res, status, type, body, headers = {}) {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body ?? '', 'utf8');
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': buf.length, ...headers });
  res.end(buf);
}

// Réponse JSON. Ne rend rien.
function replyJson(res, status, obj, headers = {}) {
  reply(res, status, 'application/json; charset=UTF-8', JSON.stringify(obj), headers);
}

// Construit l'enveloppe d'erreur Graph. Rend { body, fbtrace }.
export function graphError(code, title, details, { subcode, type = 'OAuthException' } = {}) {
  const fbtrace = randomBytes(17).toString('base64url');
  const error = { message: `(#${code}) ${title}`, type, code };
  if (subcode !== undefined) error.error_subcode = subcode;
  error.error_data = { messaging_product: 'whatsapp', details };
  error.fbtrace_id = fbtrace;
  return { body: { error }, fbtrace };
}

// Répond une erreur Graph (JSON, en-tête x-fb-trace-id). Ne rend rien.
function replyGraphError(res, status, code, title, details, opts) {
  const { body, fbtrace } = graphError(code, title, details, opts);
  const headers = { 'x-fb-trace-id': fbtrace };
  if (status === 401) headers['WWW-Authenticate'] = `OAuth "Facebook Platform" "invalid_token" "${title}"`;
  replyJson(res, status, body, headers);
}

// ---------------------------------------------------------------- validation

// Vérifie le corps d'un envoi comme WhatsApp (voir le tableau en tête).
// Rend null si le corps est bon, sinon { code, title, details }.
export function validateSend(body) {
  const invalid = (p, why) => ({ code: 100, title: 'Invalid parameter', details: `Param ${p} ${why}` });
  const missing = (p) => ({ code: 131008, title: 'Required parameter is missing', details: `Param ${p} is required` });
  const badValue = (p, why) => ({ code: 131009, title: 'Parameter value is not valid', details: `Param ${p} ${why}` });
  const str = (v) => typeof v === 'string';

  if (!isObject(body)) return { code: 100, title: 'Invalid parameter', details: 'Request body must be a JSON object' };
  if (body.messaging_product === undefined) return missing('messaging_product');
  if (body.messaging_product !== 'whatsapp') return invalid('messaging_product', "must be 'whatsapp'");
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual') {
    return invalid('recipient_type', "must be 'individual'");
  }
  if (body.to === undefined) return missing('to');
  if (!str(body.to)) return invalid('to', 'must be a string');
  if (!/^\d+$/.test(body.to)) return invalid('to', 'must be digits only');
  if (body.to.length < 7 || body.to.length > 15) return badValue('to', 'must be 7 to 15 digits long');
  if (body.type === undefined) return missing('type');
  if (body.type !== 'text' && body.type !== 'template') return invalid('type', "must be 'text' or 'template'");
  if (body.biz_opaque_callback_data !== undefined && !str(body.biz_opaque_callback_data)) {
    return invalid('biz_opaque_callback_data', 'must be a string');
  }
  if (body.type === 'text') {
    const t = body.text;
    if (t === undefined) return missing('text');
    if (!isObject(t)) return invalid('text', 'must be an object');
    if (t.body === undefined) return missing('text.body');
    if (!str(t.body)) return invalid('text.body', 'must be a string');
    if (t.body.trim() === '') return badValue('text.body', 'must not be empty');
    if ([...t.body].length > 4096) return badValue('text.body', 'must be at most 4096 characters long');
    if (t.preview_url !== undefined && typeof t.preview_url !== 'boolean') return invalid('text.preview_url', 'must be a boolean');
    return null;
  }
  const tp = body.template;
  if (tp === undefined) return missing('template');
  if (!isObject(tp)) return invalid('template', 'must be an object');
  if (tp.name === undefined) return missing('template.name');
  if (!str(tp.name)) return invalid('template.name', 'must be a string');
  if (tp.name.trim() === '') return badValue('template.name', 'must not be empty');
  if (tp.language === undefined) return missing('template.language');
  if (!isObject(tp.language)) return invalid('template.language', 'must be an object');
  if (tp.language.code === undefined) return missing('template.language.code');
  if (!str(tp.language.code)) return invalid('template.language.code', 'must be a string');
  if (tp.language.code.trim() === '') return badValue('template.language.code', 'must not be empty');
  if (tp.components === undefined) return null;
  if (!Array.isArray(tp.components)) return invalid('template.components', 'must be an array');
  for (let i = 0; i < tp.components.length; i++) {
    const c = tp.components[i];
    const p = `template.components[${i}]`;
    if (!isObject(c)) return invalid(p, 'must be an object');
    if (c.type === undefined) return missing(`${p}.type`);
    if (!['header', 'body', 'button', 'footer'].includes(c.type)) return invalid(`${p}.type`, "must be 'header', 'body', 'button' or 'footer'");
    if (c.parameters === undefined) continue;
    if (!Array.isArray(c.parameters)) return invalid(`${p}.parameters`, 'must be an array');
    for (let j = 0; j < c.parameters.length; j++) {
      const q = c.parameters[j];
      const pp = `${p}.parameters[${j}]`;
      if (!isObject(q)) return invalid(pp, 'must be an object');
      if (q.type === undefined) return missing(`${pp}.type`);
      if (c.type !== 'body') continue;
      if (q.type !== 'text') return invalid(`${pp}.type`, "must be 'text'");
      if (q.text === undefined) return missing(`${pp}.text`);
      if (!str(q.text)) return invalid(`${pp}.text`, 'must be a string');
      if (q.text.trim() === '') return badValue(`${pp}.text`, 'must not be empty');
    }
  }
  return null;
}

// ---------------------------------------------------------------- webhooks

// Enveloppe de webhook WhatsApp autour d'un objet « value » (sans
// messaging_product ni metadata, ajoutés ici). Rend le payload complet.
function envelope(cfg, value) {
  return {
    object: 'whatsapp_business_account',
    entry: [{
      id: cfg.wabaId,
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: cfg.displayPhone, phone_number_id: cfg.phoneId },
          ...value,
        },
      }],
    }],
  };
}

// Construit le payload de webhook décrit par une demande de
// POST /__sandbox/webhook (kind : status, reply, reaction, button, raw).
// Rend { payload } ou { error } (message pour une réponse 400).
export function buildWebhook(cfg, req, log = []) {
  if (!isObject(req)) return { error: 'le corps doit être un objet JSON' };
  const ts = (v) => (v === undefined ? unixNow() : String(v));
  const contact = (from, name) => ({ profile: { name: name ?? `Contact ${from}` }, wa_id: from });
  const inbound = (from, msg) => ({
    contacts: [contact(from, req.name)],
    messages: [{
      ...(req.context_id ? { context: { from: cfg.displayPhone, id: String(req.context_id) } } : {}),
      from,
      id: req.id ? String(req.id) : newWamid(),
      timestamp: ts(req.timestamp),
      ...msg,
    }],
  });
  switch (req.kind) {
    case 'status': {
      if (typeof req.wamid !== 'string' || req.wamid === '') return { error: 'wamid manquant' };
      if (!['sent', 'delivered', 'read', 'failed', 'played'].includes(req.status)) {
        return { error: 'status doit valoir sent, delivered, read, failed ou played' };
      }
      const sent = log.find((m) => m.wamid === req.wamid);
      const to = req.to ?? sent?.to;
      if (!isPhone(to)) return { error: 'to manquant ou invalide (7 à 15 chiffres)' };
      const st = { id: req.wamid, status: req.status, timestamp: ts(req.timestamp), recipient_id: to };
      const opaque = sent?.body?.biz_opaque_callback_data;
      if (typeof opaque === 'string') st.biz_opaque_callback_data = opaque;
      if (req.status === 'failed' || req.error) {
        const e = isObject(req.error) ? req.error : {};
        const code = Number.isInteger(e.code) ? e.code : 131026;
        const title = e.title ?? (code === 131026 ? 'Message undeliverable' : 'Message failed');
        st.errors = [{
          code, title, message: e.message ?? title,
          error_data: { details: e.details ?? title },
        }];
      }
      return { payload: envelope(cfg, { statuses: [st] }) };
    }
    case 'reply': {
      if (!isPhone(req.from)) return { error: 'from manquant ou invalide (7 à 15 chiffres)' };
      if (typeof req.text !== 'string' || req.text === '') return { error: 'text manquant' };
      return { payload: envelope(cfg, inbound(req.from, { type: 'text', text: { body: req.text } })) };
    }
    case 'reaction': {
      if (!isPhone(req.from)) return { error: 'from manquant ou invalide (7 à 15 chiffres)' };
      if (typeof req.message_id !== 'string' || req.message_id === '') return { error: 'message_id manquant' };
      // Sans emoji : retrait de la réaction (Meta omet alors le champ).
      const reaction = { message_id: req.message_id };
      if (req.emoji !== undefined) reaction.emoji = String(req.emoji);
      return { payload: envelope(cfg, inbound(req.from, { type: 'reaction', reaction })) };
    }
    case 'button': {
      if (!isPhone(req.from)) return { error: 'from manquant ou invalide (7 à 15 chiffres)' };
      if (typeof req.text !== 'string' || req.text === '') return { error: 'text manquant' };
      const payload = typeof req.payload === 'string' ? req.payload : req.text;
      return { payload: envelope(cfg, inbound(req.from, { type: 'button', button: { payload, text: req.text } })) };
    }
    case 'raw':
      if (req.payload === undefined) return { error: 'payload manquant' };
      return { payload: req.payload };
    default:
      return { error: 'kind doit valoir status, reply, reaction, button ou raw' };
  }
}

// ---------------------------------------------------------------- serveur

// Démarre un bac à sable. opts : port, host, token, phoneId, appSecret,
// webhookUrl, slowMs, autoStatus, statusDelays, statusChaos, displayPhone,
// wabaId (voir DEFAULTS ; statusDelays et statusChaos sous les formes
// acceptées par parseStatusDelays et parseStatusChaos). Rend une promesse
// de { url, port, close(), messages(), inbound(), config(patch),
// sendWebhook(req), pending() } une fois le serveur à l'écoute (pending() :
// nombre de webhooks de statut automatiques programmés ou en route, 0
// quand tous ont eu leur réponse) ; lève une erreur si une option est mal
// formée.
export async function startSandbox(opts = {}) {
  const cfg = { ...DEFAULTS };
  for (const [k, v] of Object.entries(opts)) if (v !== undefined && k in DEFAULTS) cfg[k] = v;
  cfg.slowMs = Number(cfg.slowMs);
  cfg.autoStatus = Boolean(cfg.autoStatus);
  cfg.statusDelays = parseStatusDelays(cfg.statusDelays);
  cfg.statusChaos = parseStatusChaos(cfg.statusChaos);

  const log = [];
  // Messages envoyés « par les contacts » depuis la page du téléphone.
  const inbound = [];
  const attempts = new Map();
  const timers = new Set();
  // Webhooks de statut automatiques programmés ou en route.
  let pendingStatuses = 0;
  // Vrai une fois close() appelé : plus aucun statut ne part.
  let stopped = false;
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  let seq = 0;
  let rng = mulberry32(cfg.statusChaos ? cfg.statusChaos.seed : 1);
  // Repart de la graine du désordre des statuts. Ne rend rien.
  const reseed = () => { rng = mulberry32(cfg.statusChaos ? cfg.statusChaos.seed : 1); };

  // Programme fn après ms millisecondes, minuterie annulée par close().
  // Ne rend rien.
  const later = (ms, fn) => {
    const t = setTimeout(() => { timers.delete(t); fn(); }, ms);
    timers.add(t);
  };

  // Ajoute une entrée au journal des envois. Rend l'entrée.
  const record = (entry) => {
    const e = {
      seq: ++seq, at: new Date().toISOString(), to: null, type: null, body: null,
      accepted: false, wamid: null, code: null, http_status: 0, late: false, ...entry,
    };
    log.push(e);
    if (log.length > MAX_LOG) log.splice(0, log.length - MAX_LOG);
    return e;
  };

  // Envoie des octets signés à l'URL du webhook (POST JSON). Rend une
  // promesse de { status, body } ; rejette si l'URL est injoignable. Une
  // connexion gardée que le serveur vient de fermer (keep-alive expiré :
  // ECONNRESET sur un socket réutilisé, requête jamais lue) est refaite une
  // fois sur une connexion neuve, comme le conseille la doc de Node.
  const post = (url, bytes, signature, retried = false) => new Promise((ok, ko) => {
    let u;
    try { u = new URL(url); } catch { ko(new Error(`URL de webhook invalide : ${url}`)); return; }
    const mod = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : null;
    if (!mod) { ko(new Error(`URL de webhook invalide : ${url}`)); return; }
    const headers = { 'Content-Type': 'application/json', 'Content-Length': bytes.length, 'User-Agent': 'facebookexternalua' };
    if (signature) headers['X-Hub-Signature-256'] = signature;
    const r = mod.request(u, { method: 'POST', headers, agent: mod === https ? agents.https : agents.http, timeout: WEBHOOK_TIMEOUT_MS }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', ko);
    });
    r.on('timeout', () => r.destroy(new Error(`webhook sans réponse après ${WEBHOOK_TIMEOUT_MS} ms`)));
    r.on('error', (e) => {
      if (!retried && r.reusedSocket && e.code === 'ECONNRESET') post(url, bytes, signature, true).then(ok, ko);
      else ko(e);
    });
    r.end(bytes);
  });

  // Construit, signe et envoie un webhook décrit par req (voir
  // buildWebhook ; en plus : url, secret, sign=false, raw_utf8=true).
  // Rend une promesse de { http, body } : la réponse à donner au demandeur.
  const sendWebhook = async (req) => {
    const built = buildWebhook(cfg, req, log);
    if (built.error) return { http: 400, body: { error: built.error } };
    const url = req.url || cfg.webhookUrl;
    if (!url) return { http: 502, body: { error: "pas d'URL de webhook configurée (--webhook-url ou « url »)" } };
    const text = typeof built.payload === 'string' ? built.payload : serializeWebhook(built.payload, req.raw_utf8 === true);
    const bytes = Buffer.from(text, 'utf8');
    const secret = typeof req.secret === 'string' ? req.secret : cfg.appSecret;
    const signature = req.sign === false ? null : signBody(secret, bytes);
    try {
      const r = await post(url, bytes, signature);
      return { http: 200, body: { status: r.status, body: r.body, payload: built.payload } };
    } catch (e) {
      return { http: 502, body: { error: `webhook injoignable (${url}) : ${e.code || e.message}` } };
    }
  };

  // Poste un statut automatique ; une erreur ne va que sur stderr. Rend
  // une promesse résolue une fois la réponse reçue (ou l'échec constaté).
  const fireStatus = (req) => sendWebhook(req).then((r) => {
    if (r.http !== 200) process.stderr.write(`sandbox: statut ${req.status} ${req.wamid} : ${r.body.error}\n`);
    else if (r.body.status !== 200) process.stderr.write(`sandbox: statut ${req.status} ${req.wamid} : webhook HTTP ${r.body.status}\n`);
  });

  // Statuts automatiques d'un envoi accepté (--auto-status, URL de
  // webhook configurée) : un webhook par statut de status_delays, à son
  // délai ; avec status_chaos, ordre permuté et doublons tirés au hasard
  // (tirages faits tout de suite, dans l'ordre des envois : reproductible).
  // Les webhooks de l'envoi partent ensuite l'un après l'autre dans l'ordre
  // de leurs délais, chacun après la réponse au précédent : ni une pause de
  // la boucle d'événements (minuteries échues ensemble, pas forcément dans
  // l'ordre de leurs échéances) ni une connexion plus lente que l'autre ne
  // changent l'ordre d'arrivée. Ne rend rien.
  const autoStatus = (entry) => {
    if (!cfg.autoStatus || !cfg.webhookUrl) return;
    const t0 = Date.now();
    const plan = AUTO_STATUSES.filter((st) => cfg.statusDelays[st] !== undefined)
      .map((st) => ({ status: st, ms: cfg.statusDelays[st] }))
      .sort((a, b) => a.ms - b.ms || AUTO_STATUSES.indexOf(a.status) - AUTO_STATUSES.indexOf(b.status));
    const slots = plan.map((p) => p.ms);
    const order = plan.map((p) => ({ kind: 'status', wamid: entry.wamid, status: p.status, to: entry.to,
      timestamp: Math.floor((t0 + p.ms) / 1000) }));
    const chaos = cfg.statusChaos;
    if (chaos && chaos.shuffle > 0 && rng() < chaos.shuffle) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    const queue = [];
    order.forEach((req, i) => {
      queue.push({ ms: slots[i], req });
      if (chaos && chaos.duplicate > 0 && rng() < chaos.duplicate) {
        queue.push({ ms: slots[i] + 1 + Math.floor(rng() * DUP_MAX_MS), req });
      }
    });
    queue.sort((a, b) => a.ms - b.ms); // tri stable : à délai égal, ordre des tirages
    pendingStatuses += queue.length;
    (async () => {
      for (const { ms, req } of queue) {
        const wait = t0 + ms - Date.now();
        if (wait > 0) await new Promise((ok) => later(wait, ok));
        if (stopped) return;
        await fireStatus(req);
        if (stopped) return;
        pendingStatuses--;
      }
    })();
  };

  // Point d'envoi Graph : contrôle, mode d'échec, journal, réponse.
  // Ne rend rien (la réponse part sur res).
  const handleSend = async (req, res, phoneId) => {
    if (req.method !== 'POST') {
      replyGraphError(res, 400, 100, `Unsupported ${req.method.toLowerCase()} request`, 'Only POST is supported on /messages');
      return;
    }
    const raw = await readBody(req);
    const auth = /^Bearer\s+(.+)$/i.exec(req.headers.authorization || '');
    if (!auth || auth[1].trim() !== cfg.token) {
      replyGraphError(res, 401, 190, 'Error validating access token', auth ? 'Invalid OAuth access token' : 'An access token is required');
      return;
    }
    let body = null;
    try { body = JSON.parse(raw.toString('utf8')); } catch { /* corps illisible */ }
    const base = {
      to: isObject(body) && typeof body.to === 'string' ? body.to : null,
      type: isObject(body) && typeof body.type === 'string' ? body.type : null,
      body,
    };
    // Refus : journal puis erreur Graph.
    const refuse = (status, code, title, details, o) => {
      record({ ...base, code, http_status: status });
      replyGraphError(res, status, code, title, details, o);
    };
    if (phoneId !== cfg.phoneId) {
      refuse(400, 100, `Unsupported post request. Object with ID '${phoneId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`,
        `Unknown phone number id ${phoneId}`, { subcode: 33, type: 'GraphMethodException' });
      return;
    }
    if (!/^application\/json\b/i.test(req.headers['content-type'] || '')) {
      refuse(400, 100, 'Invalid parameter', 'Content-Type must be application/json');
      return;
    }
    if (body === null && raw.toString('utf8').trim() !== 'null') {
      refuse(400, 100, 'Invalid parameter', 'Request body is not valid JSON');
      return;
    }
    const bad = validateSend(body);
    if (bad) { refuse(400, bad.code, bad.title, bad.details); return; }

    const mode = FAILURES[body.to.slice(-4)];
    const success = (late = false) => {
      const wamid = newWamid();
      const entry = record({ ...base, accepted: true, wamid, http_status: 200, late });
      const msg = { id: wamid };
      if (body.type === 'template') msg.message_status = 'accepted';
      return { entry, out: { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [msg] } };
    };
    if (!mode || (mode.kind === 'flaky' && (attempts.get(body.to) || 0) >= mode.failures)) {
      if (mode) attempts.set(body.to, attempts.get(body.to) + 1);
      const { entry, out } = success();
      replyJson(res, 200, out);
      autoStatus(entry);
      return;
    }
    switch (mode.kind) {
      case 'graph':
        refuse(mode.http, mode.code, mode.title, mode.details, { subcode: mode.subcode });
        return;
      case 'flaky':
        attempts.set(body.to, (attempts.get(body.to) || 0) + 1);
        refuse(mode.http, mode.code, mode.title, mode.details);
        return;
      case 'html':
        record({ ...base, http_status: mode.http });
        reply(res, mode.http, 'text/html; charset=utf-8',
          '<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head>'
          + '<body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request.</p></body></html>\n');
        return;
      case 'garbage':
        record({ ...base, http_status: mode.http });
        reply(res, mode.http, 'application/json; charset=UTF-8', 'not json');
        return;
      case 'slow': {
        const { entry, out } = success(true);
        later(cfg.slowMs, () => {
          if (!res.destroyed && !res.writableEnded) replyJson(res, 200, out);
          autoStatus(entry);
        });
        return;
      }
      default:
        throw new Error(`mode inconnu ${mode.kind}`);
    }
  };

  // Points de contrôle /__sandbox/... Rend true si la route existe (la
  // réponse est alors partie), false sinon.
  const handleControl = async (req, res, url) => {
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /__sandbox/health':
        replyJson(res, 200, { ok: true });
        return true;
      case 'GET /__sandbox/messages': {
        const to = url.searchParams.get('to');
        const acc = url.searchParams.get('accepted');
        let out = log;
        if (to !== null) out = out.filter((m) => m.to === to);
        if (acc === '1' || acc === 'true') out = out.filter((m) => m.accepted);
        else if (acc === '0' || acc === 'false') out = out.filter((m) => !m.accepted);
        replyJson(res, 200, { messages: out });
        return true;
      }
      case 'DELETE /__sandbox/messages':
        log.length = 0;
        inbound.length = 0;
        attempts.clear();
        reseed();
        res.writeHead(204);
        res.end();
        return true;
      case 'GET /__sandbox/config':
        replyJson(res, 200, publicConfig());
        return true;
      case 'POST /__sandbox/config': {
        const patch = parseJson(await readBody(req));
        if (!isObject(patch)) { replyJson(res, 400, { error: 'le corps doit être un objet JSON' }); return true; }
        const err = applyConfig(patch);
        if (err) { replyJson(res, 400, { error: err }); return true; }
        replyJson(res, 200, publicConfig());
        return true;
      }
      case 'POST /__sandbox/webhook': {
        const r = parseJson(await readBody(req));
        const out = await sendWebhook(r);
        replyJson(res, out.http, out.body);
        return true;
      }
      case 'GET /__sandbox':
        reply(res, 301, 'text/plain; charset=utf-8', '', { Location: '/__sandbox/' });
        return true;
      case 'GET /__sandbox/':
        reply(res, 200, 'text/html; charset=utf-8', renderPhone(cfg, log, url.searchParams.get('notice'), inbound), {
          'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
          'X-Content-Type-Options': 'nosniff',
          'Cache-Control': 'no-store',
        });
        return true;
      case 'POST /__sandbox/reply':
      case 'POST /__sandbox/react':
      case 'POST /__sandbox/stop':
      case 'POST /__sandbox/status': {
        const f = new URLSearchParams((await readBody(req)).toString('utf8'));
        const from = f.get('from') || '';
        const named = f.get('name') ? { name: f.get('name') } : {};
        let wreq, what;
        switch (route) {
          case 'POST /__sandbox/reply':
            wreq = { kind: 'reply', from, text: f.get('text') || '', ...(f.get('context_id') ? { context_id: f.get('context_id') } : {}), ...named };
            what = 'réponse';
            break;
          case 'POST /__sandbox/react':
            wreq = { kind: 'reaction', from, message_id: f.get('message_id') || '', ...(f.has('emoji') ? { emoji: f.get('emoji') } : {}), ...named };
            what = `réaction ${f.get('emoji') || '(retirée)'}`;
            break;
          case 'POST /__sandbox/stop':
            wreq = { kind: 'reply', from, text: 'STOP', ...named };
            what = 'STOP';
            break;
          default:
            wreq = { kind: 'status', wamid: f.get('wamid') || '', status: f.get('status') || '' };
            what = `statut ${wreq.status}`;
        }
        const out = await sendWebhook(wreq);
        if (out.http === 200 && wreq.kind !== 'status') {
          const m = out.body.payload.entry[0].changes[0].value.messages[0];
          inbound.push({ at: new Date().toISOString(), from, kind: wreq.kind, text: wreq.text ?? null,
            emoji: wreq.emoji ?? null, context_id: wreq.context_id ?? wreq.message_id ?? null, id: m.id, http_status: out.body.status });
          if (inbound.length > MAX_LOG) inbound.splice(0, inbound.length - MAX_LOG);
        }
        const notice = out.http === 200
          ? `Webhook « ${what} » envoyé : HTTP ${out.body.status}${out.body.body ? ` — ${out.body.body.slice(0, 200)}` : ''}`
          : `Échec : ${out.body.error}`;
        reply(res, 303, 'text/plain; charset=utf-8', '', { Location: `/__sandbox/?notice=${encodeURIComponent(notice)}` });
        return true;
      }
      default:
        return false;
    }
  };

  // Configuration visible par GET /__sandbox/config (sans jeton ni
  // secret). Rend l'objet.
  const publicConfig = () => ({
    phone_id: cfg.phoneId, display_phone_number: cfg.displayPhone, waba_id: cfg.wabaId,
    webhook_url: cfg.webhookUrl || null, auto_status: cfg.autoStatus, slow_ms: cfg.slowMs,
    status_delays: { ...cfg.statusDelays }, status_chaos: cfg.statusChaos ? { ...cfg.statusChaos } : null,
  });

  // Applique un changement de configuration (webhook_url, app_secret,
  // auto_status, slow_ms, status_delays, status_chaos) : tout ou rien.
  // Rend null, ou un message d'erreur (rien n'est alors changé).
  const applyConfig = (p) => {
    let delays, chaos;
    try {
      if (p.status_delays !== undefined) delays = parseStatusDelays(p.status_delays);
      if (p.status_chaos !== undefined) chaos = parseStatusChaos(p.status_chaos);
    } catch (e) {
      return e.message;
    }
    if (p.webhook_url !== undefined && p.webhook_url !== null && typeof p.webhook_url !== 'string') return 'webhook_url doit être une chaîne';
    if (p.app_secret !== undefined && (typeof p.app_secret !== 'string' || p.app_secret === '')) return 'app_secret doit être une chaîne non vide';
    if (p.slow_ms !== undefined && (!Number.isInteger(p.slow_ms) || p.slow_ms < 0)) return 'slow_ms doit être un entier positif';
    if (delays !== undefined) cfg.statusDelays = delays;
    if (p.status_chaos !== undefined) {
      cfg.statusChaos = chaos;
      reseed();
    }
    if (p.webhook_url !== undefined) cfg.webhookUrl = p.webhook_url || '';
    if (p.app_secret !== undefined) cfg.appSecret = p.app_secret;
    if (p.auto_status !== undefined) cfg.autoStatus = Boolean(p.auto_status);
    if (p.slow_ms !== undefined) cfg.slowMs = p.slow_ms;
    return null;
  };

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://sandbox');
      const m = SEND_PATH.exec(url.pathname);
      if (m) { await handleSend(req, res, decodeURIComponent(m[2])); return; }
      if (url.pathname.startsWith('/__sandbox') && await handleControl(req, res, url)) return;
      replyGraphError(res, 404, 100, 'Unknown path', `No endpoint ${req.method} ${url.pathname}`);
    } catch (e) {
      if (res.headersSent || res.destroyed) return;
      if (e.tooLarge) { replyGraphError(res, 413, 100, 'Invalid parameter', `Request body larger than ${MAX_BODY} bytes`); return; }
      process.stderr.write(`sandbox: ${e.stack || e}\n`);
      replyJson(res, 500, { error: String(e.message || e) });
    }
  });
  server.keepAliveTimeout = 30000;

  await new Promise((ok, ko) => {
    server.once('error', ko);
    server.listen(Number(cfg.port), cfg.host, () => { server.off('error', ko); ok(); });
  });
  const port = server.address().port;
  const shownHost = ['0.0.0.0', '::', ''].includes(cfg.host) ? '127.0.0.1' : cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  const url = `http://${shownHost}:${port}`;

  let closing = null;
  // Arrête le serveur : minuteries annulées, connexions fermées. Rend une
  // promesse résolue quand tout est fermé.
  const close = () => {
    if (!closing) {
      closing = new Promise((ok) => {
        stopped = true;
        pendingStatuses = 0;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        agents.http.destroy();
        agents.https.destroy();
        server.close(() => ok());
        server.closeAllConnections();
      });
    }
    return closing;
  };

  return {
    url,
    port,
    close,
    messages: () => log.map((m) => ({ ...m })),
    inbound: () => inbound.map((m) => ({ ...m })),
    config: (patch) => { if (patch) { const e = applyConfig(patch); if (e) throw new Error(e); } return publicConfig(); },
    sendWebhook: async (req) => (await sendWebhook(req)).body,
    pending: () => pendingStatuses,
  };
}

// Analyse un corps JSON. Rend la valeur, ou undefined s'il est illisible.
function parseJson(buf) {
  try { return JSON.parse(buf.toString('utf8')); } catch { return undefined; }
}

// ---------------------------------------------------------------- page du téléphone

// Résumé lisible d'un envoi journalisé (texte, ou modèle et paramètres).
// Rend une chaîne (non échappée).
function summary(m) {
  const b = m.body;
  if (!isObject(b)) return '(corps illisible)';
  if (b.type === 'text' && isObject(b.text)) return String(b.text.body ?? '');
  if (b.type === 'template' && isObject(b.template)) {
    const params = [];
    for (const c of Array.isArray(b.template.components) ? b.template.components : []) {
      for (const p of Array.isArray(c?.parameters) ? c.parameters : []) {
        if (p && typeof p.text === 'string') params.push(p.text);
        else if (p && typeof p.payload === 'string') params.push(p.payload);
      }
    }
    const lang = isObject(b.template.language) ? b.template.language.code : '';
    return `[modèle ${b.template.name} (${lang})]${params.length ? ' ' + params.join(' | ') : ''}`;
  }
  return `(type ${b.type})`;
}

// Rend la page HTML « Téléphone simulé » : pour chaque numéro qui a reçu
// des envois (le plus récent d'abord), la conversation (envois reçus et
// messages postés par le contact depuis cette page, le plus récent
// d'abord), puis des formulaires pour répondre (en citant par défaut le
// dernier message reçu), réagir par un emoji au dernier message reçu, ou
// écrire STOP ; chaque formulaire poste un webhook signé. Tout texte venant
// des envois ou des formulaires est échappé. Rend la chaîne HTML.
export function renderPhone(cfg, log, notice, inbound = []) {
  const groups = new Map();
  for (let i = log.length - 1; i >= 0; i--) {
    const m = log[i];
    if (!m.to) continue;
    if (!groups.has(m.to)) groups.set(m.to, []);
    groups.get(m.to).push(m);
  }
  const e = escapeHtml;
  const parts = [];
  parts.push(`<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Téléphone simulé</title>
<style>
body { font-family: sans-serif; max-width: 60rem; margin: 1rem auto; padding: 0 1rem; background: #f4f4f0; }
section { background: #fff; border: 1px solid #ccc; border-radius: 6px; padding: .5rem 1rem; margin: 1rem 0; }
ol { list-style: none; padding: 0; }
li { border-bottom: 1px solid #eee; padding: .4rem 0; }
li.in { text-align: right; }
.ok { color: #176b1d; } .ko { color: #a31515; }
.body { white-space: pre-wrap; background: #dcf8c6; padding: .3rem .5rem; border-radius: 4px; display: inline-block; }
li.in .body { background: #e8eefc; }
.meta { font-size: .8rem; color: #555; }
.notice { background: #fff7d6; border: 1px solid #e0c060; padding: .5rem; }
form.inline { display: inline; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; margin: .5rem 0; }
.actions form { margin: 0; }
.react button { font-size: 1.2rem; }
.stop button { color: #a31515; font-weight: bold; }
</style>
</head>
<body>
<h1>Téléphone simulé</h1>
<p class="meta">Numéro de l'entreprise : ${e(cfg.displayPhone)} — identifiant : ${e(cfg.phoneId)} —
webhook : ${cfg.webhookUrl ? e(cfg.webhookUrl) : '<em>non configuré</em>'} — <a href="/__sandbox/">Rafraîchir</a></p>
`);
  if (notice) parts.push(`<p class="notice" role="status">${e(notice)}</p>\n`);
  if (groups.size === 0) parts.push('<p>Aucun message reçu pour l\'instant.</p>\n');
  for (const [to, msgs] of groups) {
    const accepted = msgs.filter((m) => m.accepted);
    const last = accepted[0];
    // Envois et messages du contact, le plus récent d'abord (à heure
    // égale, le message du contact après l'envoi auquel il répond).
    const items = [...msgs.map((m) => ({ at: m.at, out: m })),
      ...inbound.filter((x) => x.from === to).map((x) => ({ at: x.at, in: x }))]
      .map((x, i) => ({ ...x, i }))
      .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : (a.in ? 0 : 1) - (b.in ? 0 : 1) || a.i - b.i));
    parts.push(`<section data-number="${e(to)}">\n<h2>+${e(to)}</h2>\n<ol>\n`);
    for (const it of items) {
      if (it.in) {
        const x = it.in;
        const what = x.kind === 'reaction' ? `réaction ${x.emoji ?? '(retirée)'}` : x.text;
        parts.push(`<li class="in"><span class="body">${e(what)}</span><br>
<span class="meta">${e(x.at)} — envoyé par ce contact — webhook HTTP ${e(x.http_status)}${x.context_id ? ` — en réponse à ${e(x.context_id)}` : ''}</span></li>\n`);
        continue;
      }
      const m = it.out;
      const state = m.accepted
        ? `<span class="ok">accepté (HTTP ${e(m.http_status)})</span>`
        : `<span class="ko">refusé : ${m.code !== null ? `code ${e(m.code)}, ` : ''}HTTP ${e(m.http_status)}</span>`;
      parts.push(`<li class="out"><span class="body">${e(summary(m))}</span><br>
<span class="meta">${e(m.at)} — n° ${e(m.seq)} — ${state}${m.late ? ' — réponse retardée' : ''}${m.wamid ? ` — ${e(m.wamid)}` : ''}</span>`);
      if (m.wamid) {
        for (const [st, label] of [['delivered', 'Distribué'], ['read', 'Lu']]) {
          parts.push(`
<form class="inline" method="post" action="/__sandbox/status"><input type="hidden" name="wamid" value="${e(m.wamid)}"><input type="hidden" name="status" value="${st}"><button type="submit">${label}</button></form>`);
        }
      }
      parts.push('</li>\n');
    }
    parts.push(`</ol>
<form method="post" action="/__sandbox/reply">
<input type="hidden" name="from" value="${e(to)}">
<label>En réponse à
<select name="context_id"><option value="">(aucun message cité)</option>
${accepted.map((m) => `<option value="${e(m.wamid)}"${m === last ? ' selected' : ''}>${e(summary(m).slice(0, 40))} — n° ${e(m.seq)}</option>`).join('\n')}
</select></label>
<label>Texte <input type="text" name="text" value="" required size="40"></label>
<button type="submit">Répondre en tant que ce contact</button>
</form>
<div class="actions">
`);
    if (last) {
      parts.push(`<form class="react" method="post" action="/__sandbox/react">
<input type="hidden" name="from" value="${e(to)}"><input type="hidden" name="message_id" value="${e(last.wamid)}">
<span>Réagir au dernier message reçu :</span>
${REACTIONS.map((r) => `<button type="submit" name="emoji" value="${e(r)}" aria-label="Réagir ${e(r)}">${e(r)}</button>`).join('\n')}
</form>
`);
    }
    parts.push(`<form class="stop" method="post" action="/__sandbox/stop">
<input type="hidden" name="from" value="${e(to)}">
<button type="submit">STOP</button> <span class="meta">(le contact écrit « STOP » : désinscription)</span>
</form>
</div>
</section>
`);
  }
  parts.push('</body>\n</html>\n');
  return parts.join('');
}

// ---------------------------------------------------------------- ligne de commande

// Lit les options de la ligne de commande et de l'environnement. Rend
// l'objet d'options de startSandbox (statusDelays et statusChaos déjà lus ;
// des délais donnés impliquent autoStatus) ; lève une erreur si une option
// est inconnue, sans valeur ou mal formée.
export function parseArgs(argv, env = process.env) {
  const o = {
    port: env.SANDBOX_PORT, host: env.SANDBOX_HOST, token: env.SANDBOX_TOKEN, phoneId: env.SANDBOX_PHONE_ID,
    appSecret: env.SANDBOX_APP_SECRET, webhookUrl: env.SANDBOX_WEBHOOK_URL, slowMs: env.SANDBOX_SLOW_MS,
    autoStatus: ['1', 'true', 'yes'].includes(String(env.SANDBOX_AUTO_STATUS || '').toLowerCase()) || undefined,
    statusDelays: env.SANDBOX_STATUS_DELAYS, statusChaos: env.SANDBOX_STATUS_CHAOS,
    displayPhone: env.SANDBOX_DISPLAY_PHONE, wabaId: env.SANDBOX_WABA_ID,
  };
  const names = {
    '--port': 'port', '--host': 'host', '--token': 'token', '--phone-id': 'phoneId', '--app-secret': 'appSecret',
    '--webhook-url': 'webhookUrl', '--slow-ms': 'slowMs', '--display-phone': 'displayPhone', '--waba-id': 'wabaId',
    '--status-delays': 'statusDelays', '--status-chaos': 'statusChaos',
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let v;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) { v = a.slice(eq + 1); a = a.slice(0, eq); }
    if (a === '--auto-status') { o.autoStatus = true; continue; }
    if (a === '--help' || a === '-h') { const e = new Error('aide'); e.help = true; throw e; }
    if (!names[a]) throw new Error(`option inconnue : ${a}`);
    if (v === undefined) {
      if (i + 1 >= argv.length) throw new Error(`valeur manquante pour ${a}`);
      v = argv[++i];
    }
    o[names[a]] = v;
  }
  for (const k of ['port', 'slowMs']) {
    if (o[k] === undefined || o[k] === '') { delete o[k]; continue; }
    if (!/^\d+$/.test(String(o[k]))) throw new Error(`${k} doit être un entier positif : ${o[k]}`);
    o[k] = Number(o[k]);
  }
  for (const k of Object.keys(o)) if (o[k] === undefined || o[k] === '') delete o[k];
  if (o.statusDelays !== undefined) {
    o.statusDelays = parseStatusDelays(o.statusDelays);
    o.autoStatus = true;
  }
  if (o.statusChaos !== undefined) o.statusChaos = parseStatusChaos(o.statusChaos);
  return o;
}

const USAGE = `usage : node t/sandbox/sandbox.mjs [--port N] [--host 127.0.0.1] [--token T]
  [--phone-id ID] [--app-secret S] [--webhook-url URL] [--slow-ms MS] [--auto-status]
  [--status-delays "sent:100,delivered:300,read:800"] [--status-chaos "duplicate:0.3,shuffle,seed:42"]
  [--display-phone N] [--waba-id ID]
Variables : SANDBOX_PORT, SANDBOX_HOST, SANDBOX_TOKEN, SANDBOX_PHONE_ID, SANDBOX_APP_SECRET,
  SANDBOX_WEBHOOK_URL, SANDBOX_SLOW_MS, SANDBOX_AUTO_STATUS=1, SANDBOX_STATUS_DELAYS,
  SANDBOX_STATUS_CHAOS, SANDBOX_DISPLAY_PHONE, SANDBOX_WABA_ID
`;

// Programme principal : démarre le serveur, écrit la ligne
// SANDBOX_READY, s'arrête proprement sur SIGTERM / SIGINT. Ne rend rien.
async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(e.help ? USAGE : `sandbox: ${e.message}\n${USAGE}`);
    process.exit(e.help ? 0 : 2);
  }
  let sb;
  try {
    sb = await startSandbox(opts);
  } catch (e) {
    process.stderr.write(`sandbox: démarrage impossible : ${e.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`SANDBOX_READY ${sb.url}\n`);
  const stop = () => { sb.close().then(() => process.exit(0)); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

// Vrai si ce module est le programme lancé (et non importé). Rend un
// booléen.
function isMain() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1]);
  } catch {
    return false;
  }
}

if (isMain()) main();
