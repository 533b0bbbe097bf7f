// Pages /dashboard, /statistics, /statistics/export et /messages/{id} à
// travers la vraie pile (lighttpd + cbw-dashboard + cbw-messages +
// SQLite) : graphiques SVG bien formés (xmllint, vrai analyseur XML) et
// noms de campagne échappés, chiffres affichés égaux à ceux de
// GET /api/messages/stats, filtres invalides → 422 (page quand même
// rendue), campagne ou message d'un autre admin → 404, export CSV des
// messages filtrés (en-tête français, cellules sans formule), états vides.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startStack, http, login, createUser } from '../lib/stack.mjs';
import { stop, htmlLogin } from './util.mjs';

let s, A, B, fx;
const EVIL = 'Soldes <script>alert(1)</script> & "été" \'x\'';

// Session API et HTML d'un admin (super admin si email absent).
async function admin(email) {
  if (email) await createUser(s, (await login(s)).access_token, email);
  const mail = email || 'admin@test.com';
  const token = (await login(s, mail)).access_token;
  const { cookie } = await htmlLogin(s, mail);
  return { email: mail, token, cookie, id: s.sql(`SELECT id FROM users WHERE email = '${mail}'`)[0].id };
}

// POST JSON ; vérifie le statut et rend le JSON.
async function post(who, path, json, want = 201) {
  const r = await http(s, 'POST', path, { token: who.token, json });
  assert.equal(r.status, want, `${path} : ${r.text}`);
  return r.json;
}

let phoneSeq = 40000000;
async function mkContact(who, first, last, cats) {
  return (await post(who, '/api/contacts', {
    country_code: '+33', phone_number: `06${String(phoneSeq++).padStart(8, '0')}`, first_name: first, last_name: last, category_ids: cats,
  })).id;
}

const page = (p, who = A) => http(s, 'GET', p, { cookies: who.cookie });
const api = (p, who = A) => http(s, 'GET', p, { token: who.token });

// Éléments <svg …>…</svg> d'une page (pas d'imbrication dans nos graphiques).
function svgsOf(html) {
  return html.match(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*?<\/svg>/g) || [];
}
// Analyse XML stricte par xmllint ; rend '' si bien formé, sinon l'erreur.
function xmlErrors(xml) {
  try {
    execFileSync('xmllint', ['--noout', '-'], { input: xml, stdio: ['pipe', 'pipe', 'pipe'] });
    return '';
  } catch (e) {
    return String(e.stderr || e.message);
  }
}
// Texte d'une carte (data-value) de la page.
function card(html, key) {
  const m = html.match(new RegExp(`data-value="${key}">([^<]*)<`));
  return m ? m[1] : null;
}

before(async () => {
  s = await startStack();
  A = await admin('dash-a@test.com');
  B = await admin('dash-b@test.com');
  const cat = (await post(A, '/api/categories', { name: 'Tableau' })).id;
  const ks = [];
  for (const [f, l] of [['Léa', 'Martin'], ['=HYPERLINK("x")', 'Formule'], ['Noé', 'Petit']]) ks.push(await mkContact(A, f, l, [cat]));
  const k = await post(A, '/api/campaigns', { name: EVIL, category_ids: [cat], message_1: 'Bonjour', launch: true });
  // Statuts posés en SQL (cbw-sender ne tourne pas ici) : envoyé, lu, échec.
  const t = new Date(Date.now() - 2 * 86400e3).toISOString().slice(0, 19) + 'Z';
  s.sql(`UPDATE messages SET status = 'sent', sent_at = '${t}' WHERE campaign_id = ${k.id} AND contact_id = ${ks[0]}`);
  s.sql(`UPDATE messages SET status = 'read', sent_at = '${t}', delivered_at = '${t}', read_at = '${t}' WHERE campaign_id = ${k.id} AND contact_id = ${ks[1]}`);
  s.sql(`UPDATE messages SET status = 'failed', failed_at = '${t}', error_message = 'Numéro invalide' WHERE campaign_id = ${k.id} AND contact_id = ${ks[2]}`);
  const m1 = s.sql(`SELECT id FROM messages WHERE campaign_id = ${k.id} AND contact_id = ${ks[1]}`)[0].id;
  s.sql(`INSERT INTO interactions(campaign_id, contact_id, message_id, interaction_type, content, whatsapp_message_id, received_at) VALUES (${k.id}, ${ks[1]}, ${m1}, 'reply', 'Oui <b>merci</b>', 'wamid.in.d1', '${t}')`);
  // B : une campagne à lui, pour la matrice.
  const bcat = (await post(B, '/api/categories', { name: 'Chez B' })).id;
  await mkContact(B, 'Bruno', 'Bé', [bcat]);
  const bk = await post(B, '/api/campaigns', { name: 'Campagne de B', category_ids: [bcat], message_1: 'Salut', launch: true });
  fx = { cat, ks, k: k.id, m1, bk: bk.id, bmsg: s.sql(`SELECT id FROM messages WHERE campaign_id = ${bk.id}`)[0].id };
});
after(() => stop(s));

test('graphiques SVG bien formés (xmllint) sur /dashboard et /statistics ; nom de campagne échappé, jamais brut', async () => {
  for (const p of ['/dashboard', '/statistics', `/statistics?campaign_id=${fx.k}`]) {
    const r = await page(p);
    assert.equal(r.status, 200, p);
    const svgs = svgsOf(r.text);
    assert.equal(svgs.length, 2, `${p} : deux graphiques`);
    for (const x of svgs) {
      assert.equal(xmlErrors(x), '', `${p} : SVG mal formé`);
      assert.match(x, /role="img"/);
      assert.match(x, /<title id="[a-z0-9-]+-title">/);
      assert.match(x, /<desc id="[a-z0-9-]+-desc">/);
    }
    // Le contrôle d'xmllint peut échouer : un SVG abîmé est refusé.
    assert.notEqual(xmlErrors(svgs[0].replace('</g>', '')), '');
    assert.ok(!r.text.includes('<script>alert(1)</script>'), `${p} : nom brut`);
    assert.ok(!r.text.includes('Oui <b>merci</b>'), `${p} : réponse brute`);
  }
  const st = await page('/statistics');
  assert.ok(st.text.includes('Soldes &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;été&quot; &#39;x&#39;'), 'nom échappé');
});

test('les cartes de /dashboard et /statistics montrent les chiffres de GET /api/messages/stats', async () => {
  const api30 = (await api('/api/messages/stats')).json;
  assert.equal(api30.total_recipients, 3);
  assert.equal(api30.success_count, 2);
  assert.equal(api30.failed_count, 1);
  assert.equal(api30.replies, 1);
  for (const p of ['/dashboard', '/statistics']) {
    const html = (await page(p)).text;
    assert.equal(card(html, 'total_recipients'), String(api30.total_recipients), p);
    assert.equal(card(html, 'success_count'), String(api30.success_count), p);
    assert.equal(card(html, 'failed_count'), String(api30.failed_count), p);
    assert.equal(card(html, 'replies'), String(api30.replies), p);
    assert.equal(card(html, 'success_rate'), `${api30.success_rate.toFixed(1).replace('.', ',')} %`, p);
  }
  // Le tableau équivalent des courbes reprend la série de l'API, jour par jour.
  const html = (await page('/dashboard')).text;
  const rows = [...html.matchAll(/<tr><th scope="row">(\d\d)\/(\d\d)\/(\d{4})<\/th><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td><\/tr>/g)];
  assert.equal(rows.length, api30.series.length);
  rows.forEach((m, i) => {
    const d = api30.series[i];
    assert.equal(`${m[3]}-${m[2]}-${m[1]}`, d.day);
    assert.deepEqual(m.slice(4, 9).map(Number), [d.sent, d.delivered, d.read, d.failed, d.replies]);
  });
  // Derniers messages : les trois, statut en français.
  assert.match(html, /Derniers messages/);
  assert.equal((html.match(/href="\/messages\/\d+\?from=dashboard"/g) || []).length, 3);
  assert.match(html, /status-failed">Échec</);
});

test('/statistics : filtres invalides → 422, page rendue avec les valeurs par défaut et le message du champ', async () => {
  for (const [q, msg] of [
    ['from=2026-13-01', 'Date invalide (format AAAA-MM-JJ).'],
    ['from=2026-03-02&to=2026-03-01', 'La date de fin précède la date de début.'],
    ['from=2020-01-01&to=2026-01-01', 'Plage trop longue (366 jours au plus).'],
    ['campaign_id=abc', 'Campagne invalide.'],
    ['status=envoye', 'Statut inconnu.'],
    ['message_type=message_3', 'Type de message inconnu.'],
  ]) {
    const r = await page(`/statistics?${q}`);
    assert.equal(r.status, 422, q);
    assert.ok(r.text.includes(msg), `${q} : ${msg}`);
    assert.equal(svgsOf(r.text).length, 2, `${q} : graphiques par défaut`);
  }
  // Page au-delà de la fin : 200, message et lien vers la première page.
  const r = await page('/statistics?page=999');
  assert.equal(r.status, 200);
  assert.match(r.text, /Cette page est vide/);
});

test('propriété : campagne ou message d\'un autre admin → 404 comme un absent, sur chaque page et l\'export', async () => {
  const bodies = [];
  for (const p of [`/statistics?campaign_id=${fx.bk}`, `/statistics?campaign_id=999999`, `/statistics/export?campaign_id=${fx.bk}`,
    `/messages/${fx.bmsg}`, '/messages/999999']) {
    const r = await page(p);
    assert.equal(r.status, 404, p);
    bodies.push(r.text.replace(/csrf" value="[^"]*"/, ''));
  }
  assert.equal(new Set(bodies.slice(0, 2)).size, 1, 'campagne étrangère = campagne absente');
  assert.equal(new Set(bodies.slice(3)).size, 1, 'message étranger = message absent');
  // B voit les siens.
  assert.equal((await page(`/messages/${fx.bmsg}`, B)).status, 200);
  assert.equal((await page(`/statistics?campaign_id=${fx.bk}`, B)).status, 200);
  // Et B ne voit jamais les chiffres ni les noms de A.
  const bd = (await page('/dashboard', B)).text;
  assert.ok(!bd.includes('Soldes'), 'nom de campagne de A chez B');
  assert.equal(card(bd, 'total_recipients'), '1');
  const bs = (await page('/statistics', B)).text;
  assert.ok(!bs.includes('Soldes') && !bs.includes('Léa'), 'données de A chez B');
});

test('/messages/{id} : détail et chronologie (envoyé, lu, réponse échappée), lien de retour', async () => {
  const r = await page(`/messages/${fx.m1}?from=dashboard`);
  assert.equal(r.status, 200);
  assert.match(r.text, /<h2 id="timeline-heading">Chronologie<\/h2>/);
  for (const l of ['Mis en file', 'Envoyé à WhatsApp', 'Distribué', 'Lu', 'Réponse du contact']) assert.ok(r.text.includes(`<span class="timeline-label">${l}</span>`), l);
  assert.ok(r.text.includes('Oui &lt;b&gt;merci&lt;/b&gt;'));
  assert.match(r.text, /href="\/dashboard">← Tableau de bord/);
  assert.match((await page(`/messages/${fx.m1}`)).text, /href="\/statistics">← Statistiques/);
});

test('/statistics/export : CSV des messages filtrés, en-tête français, une ligne par message de l\'API, cellules sans formule', async () => {
  const r = await page('/statistics/export');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="messages-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv"$/);
  const lines = r.text.replace(/^\ufeff/, '').trim().split('\r\n').length > 1 ? r.text.replace(/^\ufeff/, '').trim().split(/\r?\n/) : r.text.replace(/^\ufeff/, '').trim().split('\n');
  assert.equal(lines[0], 'Identifiant;Campagne;Prénom;Nom;Numéro;Message;Statut;Envoyé le;Distribué le;Lu le;Échec le;Erreur');
  const listed = (await api('/api/messages?per_page=50')).json;
  assert.equal(lines.length - 1, listed.total);
  assert.deepEqual(lines.slice(1).map((l) => Number(l.split(';')[0])), listed.items.map((m) => m.id));
  assert.ok(r.text.includes(`"'=HYPERLINK(""x"")"`), 'formule neutralisée');
  assert.ok(!/;=HYPERLINK/.test(r.text));
  // Filtre de statut : seules les lignes en échec.
  const f = await page('/statistics/export?status=failed');
  const fl = f.text.trim().split(/\r?\n/);
  assert.equal(fl.length, 2);
  assert.match(fl[1], /;Échec;/);
  // Filtre invalide : 422 sans fichier.
  assert.equal((await page('/statistics/export?from=2026-02-30')).status, 422);
});

test('états vides : admin sans campagne (textes français), admin sans contact (Bienvenue)', async () => {
  const C = await admin('dash-c@test.com');
  const cat = (await post(C, '/api/categories', { name: 'Vide' })).id;
  await mkContact(C, 'Zoé', 'Seule', [cat]);
  const d = (await page('/dashboard', C)).text;
  assert.ok(d.includes('Aucun message ni aucune réponse sur cette période.'));
  assert.ok(d.includes('Aucune campagne en cours d\'envoi.'));
  assert.ok(d.includes('Aucun message envoyé pour l\'instant.'));
  assert.equal(card(d, 'success_rate'), '0,0 %');
  const st = (await page('/statistics', C)).text;
  assert.ok(st.includes('Aucune campagne pour l\'instant.'));
  assert.ok(st.includes('Aucun message ne correspond à ces filtres sur cette période.'));
  for (const x of svgsOf(st)) assert.equal(xmlErrors(x), '');
  assert.ok(st.includes('Aucune donnée'), 'anneau vide');
  const D = await admin('dash-d@test.com');
  assert.ok((await page('/dashboard', D)).text.includes('Bienvenue !'));
});
