// Statistiques des messages (GET /api/messages/stats) et liste filtrée
// (GET /api/messages), à travers la vraie pile (lighttpd + cbw-messages +
// SQLite). Les réponses sont comparées à un recomptage brut fait ici, en
// JavaScript, depuis les tables elles-mêmes (messages, interactions,
// contacts, campaigns) : chaque horodatage est ramené à son jour local de
// Paris par Intl.DateTimeFormat, sans rien lire des agrégats (msg_hourly,
// msg_status_counts) que le programme utilise.
//
//  1. propriété : 20 jeux de données aléatoires (admins A, B, super admin,
//     compte inactif C ; ajouts puis modifications et suppressions en SQL,
//     qui passent par tous les déclencheurs), 6 plages chacun (défaut,
//     début seul, fin seule, un jour, plage vide, plage large) : A, B, le
//     super admin (platform, admins) et le filtre de campagne = recomptage.
//     Graine affichée (seed=…), rejouable par CBW_SEED ;
//  2. cloisonnement : B ne voit jamais les chiffres de A, campagne de A
//     demandée par B = 404 identique à un id absent, base inchangée ;
//  3. 422 de la plage et de campaign_id, champ nommé ;
//  4. plage par défaut sous horloge figée (CBW_TEST_NOW à 23 h 30 UTC, déjà
//     le lendemain à Paris) ;
//  5. filtre de campagne et top_campaigns (ordre, 5 au plus, nom tel quel) ;
//  6. pagination de la liste (bornes, au-delà de la fin, total exact) ;
//  7. filtres combinés de la liste (q, status, message_type, campaign_id,
//     from, to) = exactement les ids calculés ici, dont un contact à
//     nombreux messages (chemin de recherche par idx_messages_contact).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startStack, http, login, createUser } from '../lib/stack.mjs';
import { stop, assertJsonError, seeded, mulberry32 } from './util.mjs';

// Horloge figée des programmes : samedi 31 octobre 2026, 23 h 30 UTC, soit
// dimanche 1er novembre 00 h 30 à Paris (heure d'hiver depuis le 25).
const NOW = Date.parse('2026-10-31T23:30:00Z') / 1000;
const TODAY = '2026-11-01';
const STATUSES = ['pending', 'sending', 'sent', 'delivered', 'read', 'failed', 'cancelled'];
const SUCCESS = new Set(['sent', 'delivered', 'read']);
const REPLY_TYPES = new Set(['reply', 'reaction']);
const XSS_NAME = `<script>alert("x")</script> & l'été "guillemets" </b>🎄`;

let s, SU, A, B, C;

// ---------------------------------------------------------------- dates

const DAY_MS = 86400000;
const parisFmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });
const dayCache = new Map();
// Jour local de Paris (« AAAA-MM-JJ ») d'un horodatage ISO UTC ; null si absent.
function parisDay(ts) {
  if (ts == null) return null;
  let d = dayCache.get(ts);
  if (d === undefined) {
    const ms = Date.parse(ts);
    assert.ok(!Number.isNaN(ms), `horodatage illisible : ${ts}`);
    d = parisFmt.format(new Date(ms));
    dayCache.set(ts, d);
  }
  return d;
}
const dayMs = (d) => Date.parse(`${d}T00:00:00Z`);
const addDays = (d, n) => new Date(dayMs(d) + n * DAY_MS).toISOString().slice(0, 10);
const dayDiff = (a, b) => Math.round((dayMs(b) - dayMs(a)) / DAY_MS);
function dayList(from, to) {
  const out = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

// ---------------------------------------------------------------- SQL

const lit = (v) => (v == null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
// Script SQL dans une transaction, clés étrangères actives (comme le
// programme : les suppressions se font en cascade).
function run(script) {
  execFileSync('sqlite3', ['-bail', s.db], {
    input: `.timeout 5000\nPRAGMA foreign_keys = ON;\nBEGIN;\n${script}\nCOMMIT;\n`, encoding: 'utf8',
  });
}
const nextId = (table) => s.sql(`SELECT coalesce(max(id), 0) + 1 AS n FROM ${table}`)[0].n;

// Efface toutes les données des admins (les comptes restent).
function wipe() {
  run(`DELETE FROM interactions; DELETE FROM messages; DELETE FROM campaign_categories;
    DELETE FROM campaigns; DELETE FROM category_contacts; DELETE FROM contacts; DELETE FROM categories;`);
}

// Lecture brute des tables, pour le recomptage.
function readDb() {
  const camps = s.sql('SELECT id, name, created_by FROM campaigns ORDER BY id');
  const D = {
    camps,
    campById: new Map(camps.map((c) => [c.id, c])),
    msgs: s.sql('SELECT * FROM messages ORDER BY id'),
    inter: s.sql('SELECT * FROM interactions ORDER BY id'),
    contacts: s.sql('SELECT id, created_by, first_name, last_name, full_number, opted_out_at FROM contacts ORDER BY id'),
    users: s.sql('SELECT id, email, role, is_active FROM users ORDER BY email'),
  };
  return D;
}

// ---------------------------------------------------------------- recomptage

// Taux de réussite (propriété 6) : arrondi au dixième, 0 sans message.
const rate = (ok, total) => (total > 0 ? Math.round((ok * 1000) / total) / 10 : 0);

// Statistiques attendues d'un propriétaire (null : toute la plateforme),
// d'une campagne (0 : toutes), du jour local from au jour local to.
function recount(D, owner, camp, from, to) {
  const ownerOf = (cid) => D.campById.get(cid)?.created_by;
  const inScope = (cid) => cid != null && D.campById.has(cid) && (owner == null || ownerOf(cid) === owner) && (!camp || cid === camp);
  const days = dayList(from, to);
  const idx = new Map(days.map((d, i) => [d, i]));
  const series = days.map((day) => ({ day, sent: 0, delivered: 0, read: 0, failed: 0, replies: 0 }));
  const totals = Object.fromEntries(STATUSES.map((st) => [st, 0]));
  totals.total = 0;
  let m1 = 0, ok1 = 0, ko1 = 0;
  const top = new Map();
  const topOf = (cid) => {
    if (!top.has(cid)) top.set(cid, { id: cid, name: D.campById.get(cid).name, replies: 0, sent: 0 });
    return top.get(cid);
  };
  const at = (ts) => idx.get(parisDay(ts));
  for (const m of D.msgs) {
    if (!inScope(m.campaign_id)) continue;
    totals[m.status]++;
    totals.total++;
    if (m.message_type === 'message_1') {
      m1++;
      if (SUCCESS.has(m.status)) ok1++;
      if (m.status === 'failed') ko1++;
    }
    let i;
    if ((i = at(m.sent_at)) !== undefined) { series[i].sent++; topOf(m.campaign_id).sent++; }
    if ((i = at(m.delivered_at)) !== undefined) series[i].delivered++;
    if ((i = at(m.read_at)) !== undefined) series[i].read++;
    if (m.status === 'failed' && (i = at(m.failed_at)) !== undefined) series[i].failed++;
  }
  for (const x of D.inter) {
    if (!REPLY_TYPES.has(x.interaction_type) || !inScope(x.campaign_id)) continue;
    const i = at(x.received_at);
    if (i === undefined) continue;
    series[i].replies++;
    topOf(x.campaign_id).replies++;
  }
  // La désinscription est celle d'un contact : pas de filtre de campagne.
  const campOwner = camp ? ownerOf(camp) : owner;
  const optOuts = D.contacts.filter((k) => (campOwner == null || k.created_by === campOwner) && at(k.opted_out_at) !== undefined).length;
  const topCampaigns = [...top.values()].filter((t) => t.replies > 0 || t.sent > 0)
    .sort((a, b) => b.replies - a.replies || b.sent - a.sent || a.id - b.id).slice(0, 5);
  return {
    series, totals, success_count: ok1, failed_count: ko1, total_recipients: m1, success_rate: rate(ok1, m1),
    replies: series.reduce((n, d) => n + d.replies, 0), opt_outs: optOuts, top_campaigns: topCampaigns,
  };
}

// Répartition par compte attendue (super admin).
function recountAdmins(D, from, to) {
  const inRange = (ts) => { const d = parisDay(ts); return d !== null && d >= from && d <= to; };
  return D.users.map((u) => {
    const mine = D.msgs.filter((m) => D.campById.get(m.campaign_id)?.created_by === u.id);
    const m1 = mine.filter((m) => m.message_type === 'message_1');
    const ok = m1.filter((m) => SUCCESS.has(m.status)).length;
    return {
      user_id: u.id, email: u.email, role: u.role, is_active: u.is_active,
      campaigns: D.camps.filter((c) => c.created_by === u.id).length,
      total: mine.length,
      failed: mine.filter((m) => m.status === 'failed').length,
      total_recipients: m1.length, success_count: ok, success_rate: rate(ok, m1.length),
      sent_in_range: mine.filter((m) => inRange(m.sent_at)).length,
      replies: D.inter.filter((x) => REPLY_TYPES.has(x.interaction_type) && D.campById.get(x.campaign_id)?.created_by === u.id && inRange(x.received_at)).length,
      opt_outs: D.contacts.filter((k) => k.created_by === u.id && inRange(k.opted_out_at)).length,
    };
  });
}

// Réponse complète attendue pour `who` (plage résolue from..to).
function expected(D, who, camp, from, to) {
  const e = { ...recount(D, who.id, camp, from, to), from, to, campaign_id: camp || null };
  if (who.super) {
    e.platform = recount(D, null, 0, from, to);
    e.admins = recountAdmins(D, from, to);
  }
  return e;
}

// ---------------------------------------------------------------- API

const stats = (who, params = {}) => {
  const qs = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined)).toString();
  return http(s, 'GET', `/api/messages/stats${qs ? `?${qs}` : ''}`, { token: who.token });
};

// Chaque success_rate est écrit avec un chiffre après la virgule.
function assertRateText(r, label) {
  const all = r.text.match(/"success_rate":\s*[^,}]*/g) || [];
  assert.ok(all.length > 0, `${label} : pas de success_rate`);
  for (const x of all) assert.match(x, /"success_rate":\s*\d+\.\d$/, `${label} : ${x}`);
}

// Statistiques de `who` = recomptage.
async function checkStats(D, who, params, from, to, label) {
  const r = await stats(who, params);
  assert.equal(r.status, 200, `${label} : ${r.text.slice(0, 300)}`);
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assertRateText(r, label);
  const camp = params.campaign_id ? Number(params.campaign_id) : 0;
  assert.deepEqual(r.json, expected(D, who, camp, from, to), label);
  return r.json;
}

async function admin(email, role = 'admin') {
  if (email) await createUser(s, (await login(s)).access_token, email, 'password123', role);
  const mail = email || 'admin@test.com';
  const token = (await login(s, mail)).access_token;
  const u = s.sql(`SELECT id, role FROM users WHERE email = '${mail}'`)[0];
  return { email: mail, token, id: u.id, super: u.role === 'super_admin' };
}

// Liste complète des ids d'une requête, page après page ; vérifie le total.
async function allIds(who, query, perPage = 50) {
  const out = [];
  let total = null;
  for (let p = 1; ; p++) {
    const r = await http(s, 'GET', `/api/messages?per_page=${perPage}&page=${p}${query ? `&${query}` : ''}`, { token: who.token });
    assert.equal(r.status, 200, `${query} : ${r.text.slice(0, 300)}`);
    if (total === null) total = r.json.total;
    assert.equal(r.json.total, total, `${query} : total stable d'une page à l'autre`);
    out.push(...r.json.items.map((m) => m.id));
    if (r.json.items.length < perPage) break;
  }
  assert.equal(total, out.length, `${query} : total = nombre d'éléments`);
  return out;
}

before(async () => {
  s = await startStack({ env: { CBW_TEST_NOW: String(NOW) } });
  SU = await admin();
  A = await admin('stats-a@test.com');
  B = await admin('stats-b@test.com');
  // C : compte inactif, sans connexion ; ses contacts comptent quand même.
  await createUser(s, SU.token, 'stats-c@test.com');
  s.sql("UPDATE users SET is_active = 0 WHERE email = 'stats-c@test.com'");
  C = { id: s.sql("SELECT id FROM users WHERE email = 'stats-c@test.com'")[0].id };
});
after(async () => { await stop(s); });

// ---------------------------------------------------------------- jeux aléatoires

const pick = (rnd, arr) => arr[Math.floor(rnd() * arr.length)];
const int = (rnd, lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));

// Horodatage aléatoire : surtout du 25/09 au 04/11/2026 (changement d'heure
// du 25/10), un peu autour de celui du 29/03 ; beaucoup près de minuit à
// Paris (21 h 30 – 23 h 30 UTC) et aux bornes exactes des jours locaux.
function randTime(rnd) {
  const w = rnd();
  let base;
  if (w < 0.12) base = Date.UTC(2026, 2, 26) + int(rnd, 0, 5) * DAY_MS;
  else if (w < 0.3) base = Date.UTC(2026, 9, 24) + int(rnd, 0, 2) * DAY_MS;
  else base = Date.UTC(2026, 8, 25) + int(rnd, 0, 40) * DAY_MS;
  const h = rnd();
  let sec;
  if (h < 0.15) sec = pick(rnd, [0, 86399, 79199, 79200, 82799, 82800, 3599, 3600, 7199, 7200]);
  else if (h < 0.55) sec = 77400 + int(rnd, 0, 7200);
  else sec = int(rnd, 0, 86399);
  return iso(base + sec * 1000);
}
const later = (rnd, ts, maxSec) => iso(Date.parse(ts) + int(rnd, 0, maxSec) * 1000);

// Construit un jeu de données en SQL (ajouts, puis modifications et
// suppressions aléatoires qui passent par tous les déclencheurs).
function buildDataset(rnd) {
  let kid = nextId('contacts'), cid = nextId('campaigns'), mid = nextId('messages'), iid = nextId('interactions');
  const sql = [];
  const contacts = new Map(); // owner → ids
  const camps = []; // { id, owner }
  const msgIds = [], interIds = [];
  const owners = [A.id, B.id, C.id, ...(rnd() < 0.5 ? [SU.id] : [])];
  const names = ['Soldes d\'été', 'Rentrée', XSS_NAME, 'Promo Noël', 'Relance', 'Fidélité', 'Newsletter', 'Zèbre'];
  for (const o of owners) {
    const ids = [];
    for (let i = int(rnd, o === C.id ? 1 : 2, 8); i > 0; i--) {
      const id = kid++;
      const opt = rnd() < 0.35 ? randTime(rnd) : null;
      sql.push(`INSERT INTO contacts(id, phone_number, country_code, full_number, first_name, last_name, opted_out_at, created_by, created_at, updated_at) VALUES (${id}, '06${String(id).padStart(8, '0')}', '+33', '+336${String(id).padStart(8, '0')}', 'P${id}', 'N', ${lit(opt)}, ${o}, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');`);
      ids.push(id);
    }
    contacts.set(o, ids);
    if (o === C.id) continue;
    for (let j = int(rnd, o === SU.id ? 1 : 0, o === A.id ? 8 : 4); j > 0; j--) {
      const id = cid++;
      camps.push({ id, owner: o });
      sql.push(`INSERT INTO campaigns(id, name, message_1, message_2, status, created_by, created_at, updated_at) VALUES (${id}, ${lit(pick(rnd, names))}, 'Bonjour', 'Merci', 'completed', ${o}, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');`);
      for (const k of ids) {
        if (rnd() < 0.25) continue;
        for (const type of ['message_1', 'message_2']) {
          if (type === 'message_2' && rnd() < 0.6) continue;
          const st = pick(rnd, STATUSES);
          const done = ['sent', 'delivered', 'read'].includes(st) || (st === 'failed' && rnd() < 0.3);
          const sent = done || rnd() < 0.1 ? randTime(rnd) : null;
          const deliv = sent && (['delivered', 'read'].includes(st) || rnd() < 0.1) ? later(rnd, sent, 4 * 3600) : null;
          const read = deliv && (st === 'read' || rnd() < 0.1) ? later(rnd, deliv, 30 * 3600) : null;
          const failed = (st === 'failed' && rnd() < 0.9) || (st === 'pending' && rnd() < 0.2) ? randTime(rnd) : null;
          const created = randTime(rnd);
          const id2 = mid++;
          msgIds.push(id2);
          sql.push(`INSERT INTO messages(id, campaign_id, contact_id, message_type, content, status, sent_at, delivered_at, read_at, failed_at, created_at, updated_at) VALUES (${id2}, ${id}, ${k}, '${type}', 'Bonjour', '${st}', ${lit(sent)}, ${lit(deliv)}, ${lit(read)}, ${lit(failed)}, '${created}', '${created}');`);
        }
      }
    }
  }
  const liveCamps = () => camps.filter((c) => !c.gone);
  for (let n = int(rnd, 0, 30); n > 0 && liveCamps().length; n--) {
    const c = pick(rnd, liveCamps());
    const ks = contacts.get(c.owner);
    const id = iid++;
    interIds.push(id);
    sql.push(`INSERT INTO interactions(id, campaign_id, contact_id, interaction_type, content, received_at) VALUES (${id}, ${rnd() < 0.1 ? 'NULL' : c.id}, ${ks.length ? pick(rnd, ks) : 'NULL'}, '${pick(rnd, ['reply', 'reply', 'reaction', 'read', 'delivered'])}', 'Oui', '${randTime(rnd)}');`);
  }
  // Modifications et suppressions.
  const ops = int(rnd, 0, 25);
  for (let n = 0; n < ops && msgIds.length; n++) {
    const m = pick(rnd, msgIds);
    const t = rnd() < 0.2 ? null : randTime(rnd);
    switch (int(rnd, 0, 15)) {
      case 0: sql.push(`UPDATE messages SET status = '${pick(rnd, STATUSES)}' WHERE id = ${m};`); break;
      case 1: sql.push(`UPDATE messages SET ${pick(rnd, ['sent_at', 'delivered_at', 'read_at', 'failed_at'])} = ${lit(t)} WHERE id = ${m};`); break;
      case 2: sql.push(`DELETE FROM messages WHERE id = ${m};`); break;
      case 3: if (liveCamps().length) sql.push(`UPDATE OR IGNORE messages SET campaign_id = ${pick(rnd, liveCamps()).id} WHERE id = ${m};`); break;
      case 4: sql.push(`UPDATE OR IGNORE messages SET message_type = '${pick(rnd, ['message_1', 'message_2'])}', status = '${pick(rnd, STATUSES)}' WHERE id = ${m};`); break;
      case 5: sql.push(`UPDATE messages SET status = 'failed', failed_at = ${lit(randTime(rnd))}, sent_at = NULL WHERE id = ${m};`); break;
      case 6: sql.push(`UPDATE messages SET status = 'pending' WHERE id = ${m};`); break;
      case 7: if (interIds.length) sql.push(`UPDATE interactions SET received_at = '${randTime(rnd)}' WHERE id = ${pick(rnd, interIds)};`); break;
      case 8: if (interIds.length) sql.push(`UPDATE interactions SET interaction_type = '${pick(rnd, ['reply', 'reaction', 'read', 'delivered'])}' WHERE id = ${pick(rnd, interIds)};`); break;
      case 9: if (interIds.length) sql.push(`UPDATE interactions SET campaign_id = ${rnd() < 0.2 || !liveCamps().length ? 'NULL' : pick(rnd, liveCamps()).id} WHERE id = ${pick(rnd, interIds)};`); break;
      case 10: if (interIds.length) sql.push(`DELETE FROM interactions WHERE id = ${pick(rnd, interIds)};`); break;
      case 11: {
        const all = [...contacts.values()].flat();
        if (all.length) sql.push(`UPDATE contacts SET opted_out_at = ${lit(t)} WHERE id = ${pick(rnd, all)};`);
        break;
      }
      case 12: if (liveCamps().length && rnd() < 0.5) {
        // Changement de propriétaire (suppression d'un admin : lib/user.c).
        const c = pick(rnd, liveCamps());
        c.owner = pick(rnd, [A.id, B.id, SU.id].filter((o) => o !== c.owner));
        sql.push(`UPDATE campaigns SET created_by = ${c.owner} WHERE id = ${c.id};`);
      } break;
      case 13: if (liveCamps().length && rnd() < 0.4) {
        const c = pick(rnd, liveCamps());
        c.gone = true;
        sql.push(`DELETE FROM campaigns WHERE id = ${c.id};`);
      } break;
      case 14: if (rnd() < 0.4) {
        const o = pick(rnd, [A.id, B.id]);
        const ks = contacts.get(o);
        if (ks.length > 1) {
          const k = ks.splice(Math.floor(rnd() * ks.length), 1)[0];
          sql.push(`DELETE FROM contacts WHERE id = ${k};`);
        }
      } break;
      default: sql.push(`UPDATE messages SET status = 'read', delivered_at = ${lit(t)}, read_at = ${lit(t && later(rnd, t, 7200))} WHERE id = ${m};`);
    }
  }
  run(sql.join('\n'));
}

// Plages d'un jeu : { params (query string), from, to (jours résolus), kind }.
function ranges(rnd, di) {
  const out = [];
  const first = pick(rnd, ['default', 'onlyFrom', 'onlyTo']);
  if (first === 'default') out.push({ kind: first, params: {}, from: addDays(TODAY, -29), to: TODAY });
  else if (first === 'onlyFrom') {
    const from = addDays(TODAY, -int(rnd, 0, 60));
    out.push({ kind: first, params: { from }, from, to: TODAY });
  } else {
    const to = addDays('2026-09-20', int(rnd, 0, 50));
    out.push({ kind: first, params: { to }, from: addDays(to, -29), to });
  }
  const one = rnd() < 0.5 ? pick(rnd, ['2026-10-24', '2026-10-25', '2026-10-26', '2026-03-29', '2026-03-28', '2026-11-01'])
    : addDays('2026-09-24', int(rnd, 0, 42));
  out.push({ kind: 'single', params: { from: one, to: one }, from: one, to: one });
  if (di % 2 === 0) {
    const from = addDays('2025-01-01', int(rnd, 0, 300));
    const to = addDays(from, int(rnd, 0, 40));
    out.push({ kind: 'empty', params: { from, to }, from, to });
  } else out.push({ kind: 'wide', params: { from: '2026-03-01', to: '2026-11-30' }, from: '2026-03-01', to: '2026-11-30' });
  for (let i = 0; i < 3; i++) {
    const from = rnd() < 0.15 ? addDays('2026-03-20', int(rnd, 0, 12)) : addDays('2026-09-20', int(rnd, 0, 48));
    const to = addDays(from, int(rnd, 0, rnd() < 0.5 ? 3 : 45));
    out.push({ kind: 'window', params: { from, to }, from, to });
  }
  return out;
}

test('propriété : stats de A, B, super admin (platform, admins) et par campagne = recomptage brut, 20 jeux × 6 plages', async () => {
  const { seed, rnd } = seeded('stats');
  const t0 = Date.now();
  let iterations = 0, nonEmpty = 0, emptyChecked = 0;
  for (let di = 0; di < 20; di++) {
    wipe();
    buildDataset(rnd);
    const D = readDb();
    for (const rg of ranges(rnd, di)) {
      const label = `seed=${seed} jeu ${di} plage ${rg.kind} ${JSON.stringify(rg.params)}`;
      iterations++;
      const a = await checkStats(D, A, rg.params, rg.from, rg.to, `${label} A`);
      await checkStats(D, B, rg.params, rg.from, rg.to, `${label} B`);
      const su = await checkStats(D, SU, rg.params, rg.from, rg.to, `${label} super admin`);
      assert.equal(a.series.length, dayDiff(rg.from, rg.to) + 1, `${label} : un point par jour`);
      if (rg.kind === 'empty') {
        emptyChecked++;
        assert.ok(su.platform.series.every((d) => !d.sent && !d.delivered && !d.read && !d.failed && !d.replies), `${label} : plage vide`);
        assert.deepEqual(su.platform.top_campaigns, []);
      }
      if (su.platform.series.some((d) => d.sent || d.replies)) nonEmpty++;
      // Filtre de campagne : une campagne au hasard de A, de B, du super admin.
      for (const who of [A, B, SU]) {
        const mine = D.camps.filter((c) => c.created_by === who.id);
        if (!mine.length) continue;
        const c = pick(rnd, mine).id;
        await checkStats(D, who, { ...rg.params, campaign_id: String(c) }, rg.from, rg.to, `${label} ${who.email} campagne ${c}`);
      }
    }
    // La liste après les mêmes modifications : total (lu dans
    // msg_status_counts sans filtre de contact, de recherche ni de date) et
    // première page (messages.owner_id) = recomptage.
    for (const who of [A, B, SU]) {
      const mine = D.camps.filter((c) => c.created_by === who.id);
      for (let j = 0; j < 4; j++) {
        const f = j === 0 ? {} : {
          status: rnd() < 0.8 ? pick(rnd, STATUSES) : undefined,
          message_type: rnd() < 0.4 ? pick(rnd, ['message_1', 'message_2']) : undefined,
          campaign_id: rnd() < 0.4 && mine.length ? pick(rnd, mine).id : undefined,
        };
        const want = expectIds(D, who, f);
        const r = await http(s, 'GET', `/api/messages?per_page=5&${listQuery(f)}`, { token: who.token });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.total, want.length, `seed=${seed} jeu ${di} liste de ${who.email} ${listQuery(f)} : total`);
        assert.deepEqual(r.json.items.map((m) => m.id), want.slice(0, 5), `seed=${seed} jeu ${di} liste de ${who.email} ${listQuery(f)}`);
      }
    }
  }
  assert.ok(iterations >= 100, `${iterations} itérations`);
  assert.ok(emptyChecked >= 10 && nonEmpty >= 40, `plages vides ${emptyChecked}, plages avec données ${nonEmpty} : jeux trop pauvres`);
  console.log(`stats : ${iterations} plages en ${Date.now() - t0} ms`);
});

// ---------------------------------------------------------------- cloisonnement

const snapshot = () => JSON.stringify(['messages', 'interactions', 'campaigns', 'contacts', 'msg_hourly', 'msg_status_counts']
  .map((t) => s.sql(`SELECT * FROM ${t} ORDER BY 1, 2, 3`)));

test('cloisonnement : B ne voit jamais les chiffres de A ; campagne de A par B = 404 comme un id absent ; super admin : platform et admins', async () => {
  wipe();
  // Jeu à graine fixe où A et B ont tous deux des envois dans la plage.
  let D;
  for (let seed = 1; ; seed++) {
    wipe();
    buildDataset(mulberry32(seed));
    D = readDb();
    const has = (o) => D.msgs.some((m) => D.campById.get(m.campaign_id)?.created_by === o && parisDay(m.sent_at) >= '2026-09-01');
    if (has(A.id) && has(B.id) && D.camps.some((c) => c.created_by === A.id)) break;
    assert.ok(seed < 50, 'aucun jeu utilisable');
  }
  const P = { from: '2026-03-01', to: '2026-11-30' };
  const ra = await checkStats(D, A, P, P.from, P.to, 'A');
  const rb = await checkStats(D, B, P, P.from, P.to, 'B');
  assert.notDeepEqual(ra.totals, rb.totals, 'A et B ont des données différentes');
  for (const r of [ra, rb]) {
    assert.ok(!('platform' in r) && !('admins' in r), 'un admin ne reçoit ni platform ni admins');
  }
  // B ne voit aucune campagne de A dans son top.
  const aCamps = new Set(D.camps.filter((c) => c.created_by === A.id).map((c) => c.id));
  assert.ok(!rb.top_campaigns.some((t) => aCamps.has(t.id)));
  // Campagne de A demandée par B, par le super admin ; id absent : 404 identiques.
  const before = snapshot();
  const bodies = [];
  for (const [who, c] of [[B, [...aCamps][0]], [B, 999999999], [A, 999999999], [SU, [...aCamps][0]]]) {
    for (const p of [{}, P]) {
      const r = await stats(who, { ...p, campaign_id: String(c) });
      assertJsonError(r, 404, 'not_found', `${who.email} campagne ${c}`);
      assert.ok(!('totals' in r.json) && !('series' in r.json), 'rien des stats dans un 404');
      bodies.push(r.text);
    }
  }
  assert.equal(new Set(bodies).size, 1, 'la campagne d\'un autre ne se distingue pas d\'une absente');
  // Campagne de B demandée par A.
  const bCamp = D.camps.find((c) => c.created_by === B.id);
  if (bCamp) assert.equal((await stats(A, { campaign_id: String(bCamp.id) })).text, bodies[0]);
  assert.equal(snapshot(), before, 'base inchangée');
  // Super admin : toute la plateforme, un agrégat par compte.
  const su = await checkStats(D, SU, P, P.from, P.to, 'super admin');
  assert.equal(su.platform.totals.total, s.sql('SELECT count(*) AS n FROM messages')[0].n);
  assert.equal(su.admins.length, s.sql('SELECT count(*) AS n FROM users')[0].n);
  assert.deepEqual(su.admins.map((x) => x.user_id).sort((x, y) => x - y), s.sql('SELECT id FROM users ORDER BY id').map((u) => u.id));
  for (const x of su.admins) {
    const n = s.sql(`SELECT count(*) AS n FROM messages m JOIN campaigns k ON k.id = m.campaign_id WHERE k.created_by = ${x.user_id}`)[0].n;
    assert.equal(x.total, n, `total de ${x.email}`);
    assert.deepEqual(Object.keys(x).sort(), ['campaigns', 'email', 'failed', 'is_active', 'opt_outs', 'replies', 'role', 'sent_in_range', 'success_count', 'success_rate', 'total', 'total_recipients', 'user_id']);
  }
  assert.equal(su.admins.find((x) => x.user_id === C.id).is_active, 0, 'compte inactif listé');
  assert.equal(su.admins.find((x) => x.user_id === A.id).total, ra.totals.total);
  assert.equal(su.admins.find((x) => x.user_id === B.id).total, rb.totals.total);
  // Sans jeton : 401.
  assertJsonError(await http(s, 'GET', '/api/messages/stats'), 401, 'unauthorized');
});

// ---------------------------------------------------------------- validation

test('stats : 422 pour une plage ou une campagne invalide, champ nommé en français ; vides = défaut', async () => {
  wipe();
  const DATE = /^Date invalide/;
  const bad = [
    [{ from: '2026-02-30' }, 'from', DATE],
    [{ to: '2026-02-30' }, 'to', DATE],
    [{ from: '2025-02-29', to: '2025-03-01' }, 'from', DATE],
    [{ from: '01/03/2026' }, 'from', DATE],
    [{ to: '01/03/2026' }, 'to', DATE],
    [{ from: '2026-3-1' }, 'from', DATE],
    [{ from: '2026-03-01', to: '2026-3-2' }, 'to', DATE],
    [{ from: '2026-13-01' }, 'from', DATE],
    [{ from: '2026-00-10' }, 'from', DATE],
    [{ from: '2026-04-31' }, 'from', DATE],
    [{ from: '2026-03-01T00:00:00Z' }, 'from', DATE],
    [{ from: ' 2026-03-01' }, 'from', DATE],
    [{ from: '2026-03-01 ' }, 'from', DATE],
    [{ from: '２０２６-03-01' }, 'from', DATE],
    [{ to: 'aujourd\'hui' }, 'to', DATE],
    [{ from: '2026-03-02', to: '2026-03-01' }, 'to', /précède/],
    [{ from: '2026-11-05' }, 'to', /précède/], // début seul après aujourd'hui (fin = aujourd'hui)
    [{ from: '2025-03-01', to: '2026-03-02' }, 'from', /366/], // 367 jours
    [{ from: '2024-01-01', to: '2025-01-01' }, 'from', /366/], // 367 jours (année bissextile)
    [{ from: '2025-10-31' }, 'from', /366/], // jusqu'à aujourd'hui : 367 jours
    [{ from: '1970-01-01', to: '2026-01-01' }, 'from', /366/],
    [{ campaign_id: 'abc' }, 'campaign_id', /Identifiant invalide/],
    [{ campaign_id: '0' }, 'campaign_id', /Identifiant invalide/],
    [{ campaign_id: '-1' }, 'campaign_id', /Identifiant invalide/],
    [{ campaign_id: '1.5' }, 'campaign_id', /Identifiant invalide/],
    [{ campaign_id: '+5' }, 'campaign_id', /Identifiant invalide/],
    [{ campaign_id: '99999999999999999999' }, 'campaign_id', /Identifiant invalide/],
    [{ campaign_id: '1 OR 1=1' }, 'campaign_id', /Identifiant invalide/],
  ];
  for (const [p, field, want] of bad) {
    for (const who of [A, SU]) {
      const r = await stats(who, p);
      assertJsonError(r, 422, 'validation_error', JSON.stringify(p));
      assert.deepEqual(Object.keys(r.json.fields), [field], `${JSON.stringify(p)} : ${r.text}`);
      assert.match(r.json.fields[field], want, JSON.stringify(p));
      assert.ok(!('totals' in r.json) && !('platform' in r.json), 'pas de stats dans un 422');
    }
  }
  // Deux erreurs à la fois : les deux champs.
  const r2 = await stats(A, { campaign_id: 'x', from: '2026-02-30' });
  assertJsonError(r2, 422, 'validation_error');
  assert.deepEqual(Object.keys(r2.json.fields).sort(), ['campaign_id', 'from']);
  // Limites acceptées : 366 jours pile, 29 février d'une année bissextile,
  // vides = absents (plage par défaut, pas de campagne).
  const D = readDb();
  const ok = [
    [{ from: '2025-03-02', to: '2026-03-02' }, '2025-03-02', '2026-03-02'],
    [{ from: '2024-01-01', to: '2024-12-31' }, '2024-01-01', '2024-12-31'],
    [{ from: '2028-02-29', to: '2028-02-29' }, '2028-02-29', '2028-02-29'],
    [{ from: '2025-11-01' }, '2025-11-01', TODAY],
    [{ from: TODAY }, TODAY, TODAY],
    [{ from: '', to: '', campaign_id: '' }, addDays(TODAY, -29), TODAY],
    [{ to: '' }, addDays(TODAY, -29), TODAY],
  ];
  for (const [p, from, to] of ok) {
    const r = await checkStats(D, A, p, from, to, JSON.stringify(p));
    assert.equal(r.series.length, dayDiff(from, to) + 1);
  }
});

// ---------------------------------------------------------------- plage par défaut

test('plage par défaut : les 30 jours locaux jusqu\'à aujourd\'hui à Paris (horloge figée à 23 h 30 UTC, déjà le lendemain)', async () => {
  wipe();
  const k = nextId('contacts'), c = nextId('campaigns'), m = nextId('messages');
  const times = ['2026-10-31T23:10:00Z', '2026-10-31T22:50:00Z', '2026-10-02T21:59:59Z', '2026-10-02T22:00:00Z', '2026-11-01T23:00:00Z'];
  run(`INSERT INTO contacts(id, phone_number, country_code, full_number, first_name, created_by, created_at, updated_at, opted_out_at) VALUES
      ${times.map((t, i) => `(${k + i}, '070000000${i}', '+33', '+3370000000${i}', 'D${i}', ${A.id}, '${t}', '${t}', '${t}')`).join(',\n')};
    INSERT INTO campaigns(id, name, message_1, created_by, created_at, updated_at) VALUES (${c}, 'Défaut', 'Bonjour', ${A.id}, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
    INSERT INTO messages(id, campaign_id, contact_id, message_type, content, status, sent_at, created_at, updated_at) VALUES
      ${times.map((t, i) => `(${m + i}, ${c}, ${k + i}, 'message_1', 'Bonjour', 'sent', '${t}', '${t}', '${t}')`).join(',\n')};`);
  const D = readDb();
  const r = await checkStats(D, A, {}, '2026-10-03', TODAY, 'défaut');
  assert.equal(r.from, '2026-10-03');
  assert.equal(r.to, '2026-11-01', 'aujourd\'hui à Paris, pas en UTC');
  assert.equal(r.series.length, 30);
  assert.deepEqual(r.series.map((d) => d.day), dayList('2026-10-03', '2026-11-01'));
  // 23 h 10 UTC le 31 = 00 h 10 le 1er à Paris ; 22 h 50 = 23 h 50 le 31 ;
  // 22 h 00 UTC le 2 = minuit le 3 (heure d'été) ; 21 h 59 min 59 s : le 2.
  assert.deepEqual(r.series.filter((d) => d.sent).map((d) => [d.day, d.sent]), [['2026-10-03', 1], ['2026-10-31', 1], ['2026-11-01', 1]]);
  assert.equal(r.opt_outs, 3);
  // Fin seule : les 30 jours qui y mènent ; début seul : jusqu'à aujourd'hui.
  const t = await checkStats(D, A, { to: '2026-10-31' }, '2026-10-02', '2026-10-31', 'fin seule');
  assert.deepEqual(t.series.filter((d) => d.sent).map((d) => [d.day, d.sent]), [['2026-10-02', 1], ['2026-10-03', 1], ['2026-10-31', 1]]);
  const f = await checkStats(D, A, { from: '2026-10-31' }, '2026-10-31', TODAY, 'début seul');
  assert.deepEqual(f.series.map((d) => [d.day, d.sent]), [['2026-10-31', 1], ['2026-11-01', 1]]);
  // Le 2 novembre (demain à Paris) : hors de la plage par défaut.
  const n = await checkStats(D, A, { from: '2026-11-02', to: '2026-11-02' }, '2026-11-02', '2026-11-02', 'demain');
  assert.deepEqual(n.series, [{ day: '2026-11-02', sent: 1, delivered: 0, read: 0, failed: 0, replies: 0 }]);
  // Jour du passage à l'heure d'hiver (25 heures) et de l'heure d'été (23 heures).
  for (const day of ['2026-10-25', '2026-03-29']) {
    const x = await checkStats(D, A, { to: day }, addDays(day, -29), day, `fin ${day}`);
    assert.equal(x.series.length, 30);
    assert.equal(x.series.at(-1).day, day);
  }
});

// ---------------------------------------------------------------- campagne, top

test('filtre de campagne = recomptage restreint ; top_campaigns : réponses puis envois décroissants puis id, 5 au plus, nom tel quel', async () => {
  wipe();
  const k0 = nextId('contacts'), c0 = nextId('campaigns');
  let mid = nextId('messages'), iid = nextId('interactions');
  const K = Array.from({ length: 10 }, (_, i) => k0 + i);
  const bk = k0 + 10;
  const sql = [`INSERT INTO contacts(id, phone_number, country_code, full_number, first_name, created_by, created_at, updated_at) VALUES
    ${K.map((k) => `(${k}, '06${k}', '+33', '+336${k}', 'T${k}', ${A.id}, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`).join(',')},
    (${bk}, '06${bk}', '+33', '+336${bk}', 'B', ${B.id}, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');`];
  // Plage : du 10 au 12 octobre 2026 (Paris, heure d'été : 09/10 22:00Z – 12/10 21:59:59Z).
  const IN = ['2026-10-09T22:00:00Z', '2026-10-11T10:00:00Z', '2026-10-12T21:59:59Z'];
  const OUT = ['2026-10-09T21:59:59Z', '2026-10-12T22:00:00Z', '2026-10-20T10:00:00Z'];
  // [nom, propriétaire, envois dans la plage, hors plage, réponses dans la plage, hors plage, autres interactions]
  const spec = [
    ['Un', A, 1, 0, 3, 0, 0],
    ['Zèbre', A, 5, 3, 3, 1, 0],
    ['Trois', A, 9, 0, 0, 0, 0],
    ['Quatre', A, 0, 2, 5, 0, 0],
    ['Abeille', A, 5, 0, 3, 0, 0],
    ['Six', A, 2, 0, 0, 0, 0],
    ['Sept', A, 0, 3, 0, 2, 0],
    [XSS_NAME, A, 0, 0, 1, 0, 0],
    ['Neuf', A, 0, 0, 0, 0, 4],
    ['De B', B, 1, 0, 10, 0, 0],
  ];
  const ids = {};
  spec.forEach(([name, who, sentIn, sentOut, repIn, repOut, other], j) => {
    const c = c0 + j;
    ids[name] = c;
    sql.push(`INSERT INTO campaigns(id, name, message_1, created_by, created_at, updated_at) VALUES (${c}, ${lit(name)}, 'Bonjour', ${who.id}, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');`);
    const ks = who === B ? [bk] : K;
    const sends = [...Array(sentIn).fill(0).map((_, i) => IN[i % 3]), ...Array(sentOut).fill(0).map((_, i) => OUT[i % 3])];
    sends.forEach((t, i) => {
      const k = ks[Math.floor(i / 2) % ks.length];
      const type = i % 2 ? 'message_2' : 'message_1';
      sql.push(`INSERT INTO messages(id, campaign_id, contact_id, message_type, content, status, sent_at, created_at, updated_at) VALUES (${mid++}, ${c}, ${k}, '${type}', 'x', '${['sent', 'delivered', 'read', 'failed'][i % 4]}', '${t}', '${t}', '${t}');`);
    });
    const inter = (t, type) => sql.push(`INSERT INTO interactions(id, campaign_id, contact_id, interaction_type, content, received_at) VALUES (${iid++}, ${c}, ${ks[0]}, '${type}', 'ok', '${t}');`);
    for (let i = 0; i < repIn; i++) inter(IN[i % 3], i % 2 ? 'reaction' : 'reply');
    for (let i = 0; i < repOut; i++) inter(OUT[i % 3], 'reply');
    for (let i = 0; i < other; i++) inter(IN[i % 3], i % 2 ? 'read' : 'delivered');
  });
  run(sql.join('\n'));
  const D = readDb();
  const P = { from: '2026-10-10', to: '2026-10-12' };
  const r = await checkStats(D, A, P, P.from, P.to, 'A');
  const row = (name, replies, sent) => ({ id: ids[name], name, replies, sent });
  assert.deepEqual(r.top_campaigns, [row('Quatre', 5, 0), row('Zèbre', 3, 5), row('Abeille', 3, 5), row('Un', 3, 1), row(XSS_NAME, 1, 0)]);
  const stored = s.sql(`SELECT name FROM campaigns WHERE id = ${ids[XSS_NAME]}`)[0].name;
  assert.equal(stored, XSS_NAME);
  assert.equal(r.top_campaigns[4].name, stored, 'nom rendu tel quel');
  const raw = (await stats(A, P)).text;
  assert.doesNotMatch(raw, /&lt;|&amp;|&quot;|&#/, 'pas d\'échappement HTML dans le JSON');
  assert.ok(raw.includes('"name":"<script>alert(\\"x\\")<'), 'nom en JSON, seulement échappé à la JSON');
  assert.equal(r.replies, 15);
  // B : sa campagne seule ; super admin : celle de B en tête de la plateforme.
  const rb = await checkStats(D, B, P, P.from, P.to, 'B');
  assert.deepEqual(rb.top_campaigns, [row('De B', 10, 1)]);
  const su = await checkStats(D, SU, P, P.from, P.to, 'super admin');
  assert.deepEqual(su.platform.top_campaigns.map((t) => t.id), [ids['De B'], ids.Quatre, ids['Zèbre'], ids.Abeille, ids.Un]);
  assert.deepEqual(su.top_campaigns, [], 'le super admin n\'a pas de campagne');
  // Chaque campagne filtrée = recomptage restreint.
  for (const [name, who] of spec) {
    const x = await checkStats(D, who, { ...P, campaign_id: String(ids[name]) }, P.from, P.to, `campagne ${name}`);
    assert.ok(x.top_campaigns.length <= 1 && x.top_campaigns.every((t) => t.id === ids[name]));
  }
  const trois = await stats(A, { ...P, campaign_id: String(ids.Trois) });
  assert.deepEqual(trois.json.top_campaigns, [row('Trois', 0, 9)]);
  assert.equal(trois.json.totals.total, 9);
  assert.equal(trois.json.campaign_id, ids.Trois);
  assert.deepEqual((await stats(A, { ...P, campaign_id: String(ids.Sept) })).json.top_campaigns, [], 'rien dans la plage');
  assert.deepEqual((await stats(A, { ...P, campaign_id: String(ids.Neuf) })).json.replies, 0, 'lu / distribué ne sont pas des réponses');
  // Plage élargie (du 9 au 20) : les événements hors plage entrent.
  const wide = await checkStats(D, A, { from: '2026-10-09', to: '2026-10-20' }, '2026-10-09', '2026-10-20', 'élargie');
  assert.equal(wide.top_campaigns.length, 5);
  assert.equal(wide.replies, 18);
});

// ---------------------------------------------------------------- liste : pagination

// Jeu de la liste : contacts par l'API (clé de recherche calculée par le
// programme), campagnes et messages en SQL ; un contact « lourd » de A a
// un message dans chaque campagne.
async function listDataset(rnd) {
  wipe();
  const cat = {};
  for (const who of [A, B]) {
    const r = await http(s, 'POST', '/api/categories', { token: who.token, json: { name: 'Liste' } });
    assert.equal(r.status, 201, r.text);
    cat[who.id] = r.json.id;
  }
  let phone = 40000000;
  const mk = async (who, first, last) => {
    const r = await http(s, 'POST', '/api/contacts', { token: who.token, json: { country_code: '+33', phone_number: `06${String(phone++).padStart(8, '0')}`, first_name: first, last_name: last, category_ids: [cat[who.id]] } });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  };
  const heavy = await mk(A, 'Zéphyrin', 'Heavy');
  const others = [];
  for (const [f, l] of [['Lucie', 'Dupont'], ['Lucien', 'Martin'], ['Marc', 'Lucas'], ['Anaïs', 'Élan'], ['Paul', 'Durand'], ['Éloïse', 'Zéphyr']]) others.push(await mk(A, f, l));
  const bHeavy = await mk(B, 'Zéphyrin', 'Heavy');
  const bOther = await mk(B, 'Lucie', 'Dupont');
  let cid = nextId('campaigns'), mid = nextId('messages');
  const sql = [];
  const camp = (who, n) => {
    const id = cid++;
    sql.push(`INSERT INTO campaigns(id, name, message_1, created_by, created_at, updated_at) VALUES (${id}, 'Liste ${n}', 'Bonjour', ${who.id}, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');`);
    return id;
  };
  let seq = 0;
  const msg = (c, k, type, st) => {
    const created = randTime(rnd);
    const sent = ['sent', 'delivered', 'read'].includes(st) || (st === 'failed' && rnd() < 0.5) ? randTime(rnd) : null;
    sql.push(`INSERT INTO messages(id, campaign_id, contact_id, message_type, content, status, sent_at, failed_at, created_at, updated_at) VALUES (${mid++}, ${c}, ${k}, '${type}', 'x', '${st}', ${lit(sent)}, ${st === 'failed' ? lit(randTime(rnd)) : 'NULL'}, '${created}', '${created}');`);
  };
  const aCamps = [];
  for (let i = 0; i < 30; i++) {
    const c = camp(A, i);
    aCamps.push(c);
    msg(c, heavy, 'message_1', STATUSES[seq++ % STATUSES.length]);
    if (i % 2 === 0) msg(c, heavy, 'message_2', STATUSES[seq++ % STATUSES.length]);
    for (const k of others) if (rnd() < 0.25) msg(c, k, pick(rnd, ['message_1', 'message_2']), pick(rnd, STATUSES));
  }
  for (let i = 0; i < 4; i++) {
    const c = camp(B, `B${i}`);
    msg(c, bHeavy, 'message_1', STATUSES[i]);
    msg(c, bOther, 'message_1', 'failed');
  }
  run(sql.join('\n'));
  return { heavy, others, aCamps };
}

// Messages de `who` (propriétaire de la campagne) filtrés ici, dans l'ordre de l'API.
function expectIds(D, who, f = {}) {
  const fold = (x) => (x || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  const contact = new Map(D.contacts.map((k) => [k.id, k]));
  let term = null, digits = false;
  if (f.q !== undefined && f.q.trim() !== '') {
    digits = /^[\d +.\-()/]+$/.test(f.q);
    term = digits ? f.q.replace(/\D/g, '') : fold(f.q).trim().replace(/\s+/g, ' ');
  }
  const hit = (k) => {
    if (term === null) return true;
    const full = k.full_number.replace(/\D/g, '');
    if (digits) return full.includes(term) || `0${full.slice(2)}`.includes(term);
    return `${fold(k.first_name)} ${fold(k.last_name)}`.includes(term);
  };
  return D.msgs.filter((m) => D.campById.get(m.campaign_id)?.created_by === who.id
    && (!f.status || m.status === f.status) && (!f.message_type || m.message_type === f.message_type)
    && (!f.campaign_id || m.campaign_id === f.campaign_id) && (!f.contact_id || m.contact_id === f.contact_id)
    && (!f.from || parisDay(m.sent_at ?? m.created_at) >= f.from) && (!f.to || parisDay(m.sent_at ?? m.created_at) <= f.to)
    && hit(contact.get(m.contact_id)))
    // Avec des dates : date (envoi, sinon mise en file) décroissante, puis id.
    .sort((x, y) => (f.from || f.to ? cmp(y.sent_at ?? y.created_at, x.sent_at ?? x.created_at) : 0) || y.id - x.id)
    .map((m) => m.id);
}
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const listQuery = (f) => new URLSearchParams(Object.entries(f).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])).toString();

test('liste : pagination bornée (422), page au-delà de la fin = 200 vide avec le total exact, status=failed page par page = SQL', async () => {
  const { rnd } = seeded('liste pagination');
  await listDataset(rnd);
  const D = readDb();
  const api = (who, q) => http(s, 'GET', `/api/messages?${q}`, { token: who.token });
  for (const pg of ['0', '-1', 'abc', '1.5', '1e3', ' 1', '']) {
    const r = await api(A, `page=${encodeURIComponent(pg)}`);
    assertJsonError(r, 422, 'validation_error', `page=${pg}`);
    assert.deepEqual(Object.keys(r.json.fields), ['page'], pg);
    assert.ok(!('items' in r.json));
  }
  for (const pp of ['0', '51', '-3', 'x', '100', '2.5']) {
    const r = await api(A, `per_page=${encodeURIComponent(pp)}`);
    assertJsonError(r, 422, 'validation_error', `per_page=${pp}`);
    assert.deepEqual(Object.keys(r.json.fields), ['per_page'], pp);
  }
  const all = expectIds(D, A);
  const sqlAll = s.sql(`SELECT m.id FROM messages m JOIN campaigns k ON k.id = m.campaign_id WHERE k.created_by = ${A.id} ORDER BY m.id DESC`).map((x) => x.id);
  assert.deepEqual(all, sqlAll);
  assert.ok(all.length > 50, `${all.length} messages : plus d'une page de 50`);
  for (const [pp, pg] of [[50, 2], [7, Math.ceil(all.length / 7)], [7, Math.ceil(all.length / 7) + 1], [20, 999], [1, all.length], [1, all.length + 1], [50, 1000000]]) {
    const r = await api(A, `per_page=${pp}&page=${pg}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, all.length, `per_page=${pp}&page=${pg}`);
    assert.equal(r.json.page, pg);
    assert.equal(r.json.per_page, pp);
    assert.deepEqual(r.json.items.map((m) => m.id), all.slice((pg - 1) * pp, pg * pp), `per_page=${pp}&page=${pg}`);
  }
  // status=failed page par page (3 par page) : total = SQL à chaque page.
  for (const who of [A, B]) {
    const want = s.sql(`SELECT m.id FROM messages m JOIN campaigns k ON k.id = m.campaign_id WHERE k.created_by = ${who.id} AND m.status = 'failed' ORDER BY m.id DESC`).map((x) => x.id);
    assert.ok(want.length > 3, `${who.email} : ${want.length} échecs`);
    const got = [];
    for (let p = 1; p <= Math.ceil(want.length / 3) + 1; p++) {
      const r = await api(who, `status=failed&per_page=3&page=${p}`);
      assert.equal(r.status, 200);
      assert.equal(r.json.total, want.length, `${who.email} page ${p}`);
      assert.ok(r.json.items.every((m) => m.status === 'failed'));
      got.push(...r.json.items.map((m) => m.id));
    }
    assert.deepEqual(got, want, who.email);
  }
});

test('liste : q, status, message_type, campaign_id, from, to combinés = exactement les ids recalculés ; contact à nombreux messages', async () => {
  const { seed, rnd } = seeded('liste filtres');
  const { heavy, others, aCamps } = await listDataset(rnd);
  const D = readDb();
  const heavyNum = D.contacts.find((k) => k.id === heavy).full_number;
  const lucie = D.contacts.find((k) => k.id === others[0]).full_number;
  assert.ok(D.msgs.filter((m) => m.contact_id === heavy).length >= 45, 'contact lourd');
  const named = [
    [{ q: 'zephyrin' }, true],
    [{ q: 'ZÉPHYRIN heavy' }, true],
    [{ q: 'zephyrin', status: 'failed' }, true],
    [{ q: 'zephyrin', status: 'pending', message_type: 'message_2' }, true],
    [{ q: 'heavy', status: 'read', from: '2026-09-25', to: '2026-11-04' }, false],
    [{ q: 'zephyr' }, true], // Zéphyrin Heavy et Éloïse Zéphyr
    [{ q: 'luc', status: 'sent' }, false], // Lucie, Lucien, Lucas (trigrammes)
    [{ q: 'lu' }, true], // deux caractères : sous-chaîne
    [{ q: 'lu', status: 'failed', message_type: 'message_1' }, false],
    [{ q: 'anais elan' }, false],
    [{ q: heavyNum.slice(-6), status: 'failed' }, true],
    [{ q: `0${heavyNum.slice(3)}` }, true], // numéro national complet
    [{ q: heavyNum }, true],
    [{ q: lucie.slice(-4) }, false],
    [{ q: 'personne' }, false],
    [{ q: 'zephyrin', campaign_id: aCamps[4] }, true],
    [{ q: 'zephyrin', status: 'delivered', from: '2026-10-25', to: '2026-10-25' }, false],
    [{ status: 'failed', from: '2026-10-01', to: '2026-10-31' }, false],
    [{ from: '2026-10-25', to: '2026-10-25' }, false],
    [{ from: '2026-03-29', to: '2026-03-29' }, false],
    [{ to: '2026-10-24' }, false],
    [{ from: '2026-10-26', status: 'sent' }, false],
    [{ contact_id: heavy, status: 'cancelled' }, true],
    [{ q: 'zephyrin', contact_id: heavy, message_type: 'message_1' }, true],
    [{ q: 'zephyrin', contact_id: others[0] }, false], // contact qui ne correspond pas
    [{ q: 'lu', contact_id: others[0], from: '2026-09-01' }, false],
  ];
  const qs = ['zephyrin', 'heavy', 'luc', 'lu', 'l', 'dupont', 'anais', 'ELOISE', 'zephyr', heavyNum.slice(-6), heavyNum.slice(-3), lucie.slice(-5), 'personne', undefined, undefined];
  const random = [];
  for (let i = 0; i < 40; i++) {
    const from = rnd() < 0.5 ? addDays('2026-09-24', int(rnd, 0, 42)) : undefined;
    const to = rnd() < 0.5 ? addDays(from || '2026-09-24', int(rnd, 0, 20)) : undefined;
    random.push([{
      q: pick(rnd, qs), status: rnd() < 0.6 ? pick(rnd, STATUSES) : undefined,
      message_type: rnd() < 0.3 ? pick(rnd, ['message_1', 'message_2']) : undefined,
      campaign_id: rnd() < 0.2 ? pick(rnd, aCamps) : undefined, from, to,
    }, false]);
  }
  let nonEmpty = 0;
  for (const [f, mustHave] of [...named, ...random]) {
    const q = listQuery(f);
    const want = expectIds(D, A, f);
    if (mustHave) assert.ok(want.length > 0, `${q} : le jeu devrait donner des lignes`);
    if (want.length) nonEmpty++;
    const got = await allIds(A, q, rnd() < 0.5 ? 50 : 7);
    assert.deepEqual(got, want, `seed=${seed} ${q}`);
    // B : jamais les messages de A, les siens selon les mêmes filtres.
    if (!f.campaign_id) assert.deepEqual(await allIds(B, q), expectIds(D, B, f), `seed=${seed} B ${q}`);
  }
  assert.ok(nonEmpty >= 25, `${nonEmpty} requêtes non vides seulement`);
  // Le contact lourd : chaque message trouvé par son nom est le sien.
  const r = await http(s, 'GET', '/api/messages?q=zephyrin%20heavy&per_page=50', { token: A.token });
  assert.ok(r.json.items.every((m) => m.contact_id === heavy && m.full_number === heavyNum));
});

// ---------------------------------------------------------------- chemins du programme

test('chemins du programme (lancement, annulation, suppression de campagne, suppression d\'un admin) : stats et liste = recomptage', async () => {
  wipe();
  const P = { from: '2026-09-01', to: '2026-11-30' };
  const post = async (who, path, json, want = 201) => {
    const r = await http(s, 'POST', path, { token: who.token, json });
    assert.equal(r.status, want, `${path} : ${r.text}`);
    return r.json;
  };
  const contact = async (who, phone, first, cats) => (await post(who, '/api/contacts', { country_code: '+33', phone_number: phone, first_name: first, last_name: 'Prog', category_ids: cats })).id;
  const same = async (label) => {
    const D = readDb();
    for (const who of [A, SU]) await checkStats(D, who, P, P.from, P.to, `${label} ${who.email}`);
    for (const who of [A, SU]) assert.deepEqual(await allIds(who, ''), expectIds(D, who), `${label} : liste de ${who.email}`);
    return D;
  };
  // Lancement par l'API : un Message 1 en attente par contact.
  const cat = (await post(A, '/api/categories', { name: 'Programme' })).id;
  const ks = [];
  for (let i = 0; i < 4; i++) ks.push(await contact(A, `06505050${10 + i}`, `Prog${i}`, [cat]));
  const camp = (await post(A, '/api/campaigns', { name: 'Par l\'API', category_ids: [cat], message_1: 'Bonjour {{first_name}}', launch: true })).id;
  let D = await same('lancement');
  const st = await stats(A, P);
  assert.equal(st.json.totals.pending, 4);
  assert.equal(st.json.total_recipients, 4);
  assert.equal(st.json.success_rate, 0);
  // Deux envois réussis, un échec, une réponse (comme le feraient cbw-sender et le webhook).
  const mids = D.msgs.filter((m) => m.campaign_id === camp).map((m) => m.id);
  run(`UPDATE messages SET status = 'sent', sent_at = '2026-10-24T22:30:00Z' WHERE id = ${mids[0]};
    UPDATE messages SET status = 'read', sent_at = '2026-10-25T00:30:00Z', delivered_at = '2026-10-25T01:30:00Z', read_at = '2026-10-25T23:30:00Z' WHERE id = ${mids[1]};
    UPDATE messages SET status = 'failed', failed_at = '2026-10-25T22:59:59Z' WHERE id = ${mids[2]};
    INSERT INTO interactions(campaign_id, contact_id, message_id, interaction_type, content, received_at) VALUES (${camp}, ${ks[1]}, ${mids[1]}, 'reply', 'Oui', '2026-10-25T23:00:00Z');`);
  D = await same('envois');
  assert.equal((await stats(A, P)).json.success_rate, 50);
  // Annulation : les messages en attente passent à « annulé ».
  await post(A, `/api/campaigns/${camp}/cancel`, undefined, 200);
  D = await same('annulation');
  assert.equal((await stats(A, P)).json.totals.cancelled, 1);
  // Admin D supprimé par le super admin : ses données passent au super admin
  // (contact de même numéro fusionné, désinscription conservée).
  const D_ = await admin('stats-d@test.com');
  const scat = (await post(SU, '/api/categories', { name: 'Super' })).id;
  await contact(SU, '0650505099', 'Commun', [scat]);
  const dcat = (await post(D_, '/api/categories', { name: 'De D' })).id;
  const dk = [await contact(D_, '0650505099', 'Commun', [dcat]), await contact(D_, '0650505098', 'Seul', [dcat])];
  const dcamp = (await post(D_, '/api/campaigns', { name: 'Campagne de D', category_ids: [dcat], message_1: 'Salut', launch: true })).id;
  run(`UPDATE messages SET status = 'delivered', sent_at = '2026-10-30T23:30:00Z', delivered_at = '2026-10-30T23:31:00Z' WHERE campaign_id = ${dcamp};
    UPDATE contacts SET opted_out_at = '2026-10-31T22:59:00Z' WHERE id = ${dk[0]};
    INSERT INTO interactions(campaign_id, contact_id, interaction_type, content, received_at) VALUES (${dcamp}, ${dk[1]}, 'reaction', '👍', '2026-10-31T00:00:00Z');`);
  D = readDb();
  const before = await checkStats(D, SU, P, P.from, P.to, 'avant suppression de D');
  assert.ok(before.admins.some((x) => x.user_id === D_.id && x.total === 2 && x.replies === 1 && x.opt_outs === 1));
  assert.deepEqual(before.top_campaigns, []);
  assert.equal((await http(s, 'DELETE', `/api/users/${D_.id}`, { token: SU.token })).status, 204);
  D = await same('après suppression de D');
  const su = await stats(SU, P);
  assert.ok(!su.json.admins.some((x) => x.user_id === D_.id), 'compte supprimé absent de admins');
  assert.equal(su.json.totals.total, 2, 'les messages de D sont au super admin');
  assert.equal(su.json.replies, 1);
  assert.equal(su.json.opt_outs, 1, 'désinscription du contact fusionné conservée');
  assert.deepEqual(su.json.top_campaigns, [{ id: dcamp, name: 'Campagne de D', replies: 1, sent: 2 }]);
  assert.deepEqual(su.json.platform.totals, before.platform.totals, 'plateforme inchangée');
  await checkStats(D, SU, { ...P, campaign_id: String(dcamp) }, P.from, P.to, 'campagne reprise');
  assertJsonError(await stats(A, { campaign_id: String(dcamp) }), 404, 'not_found');
  // Suppression de la campagne annulée par l'API : ses chiffres disparaissent.
  assert.equal((await http(s, 'DELETE', `/api/campaigns/${camp}`, { token: A.token })).status, 204);
  D = await same('suppression de campagne');
  const a = await stats(A, P);
  assert.equal(a.json.totals.total, 0);
  assert.equal(a.json.replies, 0);
  assertJsonError(await stats(A, { campaign_id: String(camp) }), 404, 'not_found');
});

// ---------------------------------------------------------------- années < 1000

// series[].day au format AAAA-MM-JJ même avant l'an 1000 (day_text écrivait
// « 1-01-01 » avec strftime("%Y") alors que from valait « 0001-01-01 »).
test('series[].day toujours au format AAAA-MM-JJ, comme from et to (années < 1000)', async () => {
  wipe();
  const D = readDb();
  for (const [from, to] of [['0001-01-01', '0001-01-02'], ['0999-12-31', '1000-01-01'], ['1969-12-31', '1970-01-01']]) {
    const r = await checkStats(D, A, { from, to }, from, to, `${from}..${to}`);
    assert.deepEqual(r.series.map((d) => d.day), dayList(from, to));
    assert.ok(r.series.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d.day)));
  }
});
