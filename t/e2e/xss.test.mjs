// Navigateur : XSS. Des charges hostiles entrent par toutes les portes —
// API (noms de catégories, prénoms et noms de contacts, nom et messages de
// campagne), webhook WhatsApp signé (texte de la réponse du contact, nom de
// profil), import CSV par la page (cellules, catégorie créée, ligne
// rejetée) — puis chaque page qui les montre est ouverte dans Chromium :
// window.__xss reste indéfini, aucun dialogue, aucun script en ligne, aucun
// attribut d'événement ni lien javascript: dans le DOM, le texte s'affiche
// tel quel (champs de formulaire compris), aucune erreur de console ni
// violation CSP. Enfin un script en ligne, un gestionnaire onerror et un
// lien javascript: injectés dans le DOM par le test sont bloqués par la CSP
// (violations relevées, rien d'exécuté).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startStack, http, login as apiLogin, createUser } from '../lib/stack.mjs';
import { launch, openPage, takeProblems, waitForPath, login, stopStack, submit, DESKTOP } from './browser.mjs';

const P = {
  script: '<script>window.__xss=1</script>',
  img: '<img src=x onerror="window.__xss=1">',
  js: 'javascript:window.__xss=1',
  svg: '"><svg onload=window.__xss=1>',
  textarea: '</textarea><script>window.__xss=1</script>',
};
const KEYS = Object.keys(P);
const ALL = Object.values(P);
const REPLY = `Réponse ${P.script} ${P.img} ${P.js} ${P.svg}`;

let s, browser, su, a, context, page;
const ids = { cat: {}, contact: {} };
const dialogs = [];

const q = (v) => `'${String(v).replace(/'/g, "''")}'`;
const enc = encodeURIComponent;
const norm = (t) => String(t ?? '').replace(/\s+/g, ' ').trim();

async function api(method, path, json, status) {
  const r = await http(s, method, path, { token: a.token, json });
  assert.equal(r.status, status, `${method} ${path} : ${r.text}`);
  return r.json;
}

async function sender() {
  const run = await s.cron('cbw-sender', ['--run-ms', '1500']);
  assert.equal(run.code, 0, run.stderr);
}

// Réponse du contact (texte et nom de profil hostiles), webhook signé
// envoyé directement à la pile.
async function reply(number, wamid) {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '200000000000001', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000001', phone_number_id: '100000000000001' },
      contacts: [{ profile: { name: P.img }, wa_id: number }],
      messages: [{ context: { from: '15550000001', id: wamid }, from: number, id: `wamid.xss${Date.now()}`,
        timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: REPLY } }],
    } }] }],
  });
  const sig = createHmac('sha256', s.config.WHATSAPP_APP_SECRET).update(body).digest('hex');
  const r = await http(s, 'POST', '/api/webhooks/whatsapp', {
    headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': `sha256=${sig}` }, body,
  });
  assert.equal(r.status, 200, r.text);
}

before(async () => {
  [s, browser] = await Promise.all([startStack({ sandbox: true, config: { SEND_RATE_PER_MINUTE: '600' } }), launch()]);
  su = (await apiLogin(s)).access_token;
  const email = 'xss@test.com';
  await createUser(s, su, email, 'password123', 'admin');
  a = { email, password: 'password123', token: (await apiLogin(s, email, 'password123')).access_token };
  a.id = s.sql(`SELECT id FROM users WHERE email = ${q(email)}`)[0].id;

  // Une catégorie par charge ; un contact par charge (prénom = la charge,
  // nom = la suivante), tous dans la catégorie « script » et la leur.
  for (const k of KEYS) ids.cat[k] = (await api('POST', '/api/categories', { name: P[k] }, 201)).id;
  for (const [i, k] of KEYS.entries()) {
    const c = await api('POST', '/api/contacts', {
      country_code: '+33', phone_number: `0612345${670 + i}`, first_name: P[k], last_name: P[KEYS[(i + 1) % KEYS.length]],
      category_ids: [ids.cat.script, ids.cat[k]],
    }, 201);
    ids.contact[k] = c.id;
    ids[`number_${k}`] = c.full_number.slice(1);
  }
  // Campagne lancée (nom et deux messages hostiles) et brouillon.
  ids.launched = (await api('POST', '/api/campaigns', {
    name: P.svg, category_ids: [ids.cat.script], message_1: `Bonjour {{first_name}} ${P.img} ${P.js}`,
    message_2: `Merci ${P.svg} ${P.textarea}`, launch: true,
  }, 201)).id;
  ids.draft = (await api('POST', '/api/campaigns', {
    name: P.textarea, category_ids: [ids.cat.img], message_1: `${P.textarea} ${P.svg}`,
  }, 201)).id;
  await sender();
  const m1 = s.sql(`SELECT id, whatsapp_message_id AS wamid FROM messages WHERE campaign_id = ${ids.launched}
    AND contact_id = ${ids.contact.script} AND message_type = 'message_1'`)[0];
  assert.ok(m1.wamid, 'Message 1 non envoyé');
  ids.m1 = m1.id;
  await reply(ids.number_script, m1.wamid);
  assert.equal(s.sql(`SELECT content FROM interactions WHERE contact_id = ${ids.contact.script} AND interaction_type = 'reply'`)[0].content, REPLY);
  await sender();
  ids.m2 = s.sql(`SELECT id FROM messages WHERE campaign_id = ${ids.launched} AND message_type = 'message_2'`)[0].id;

  ({ context, page } = await openPage(browser, DESKTOP));
  page.on('dialog', (d) => { dialogs.push(`${page.url()} : ${d.type()} ${d.message()}`); d.dismiss().catch(() => {}); });
  await login(page, s.base, a.email, a.password);
  await waitForPath(page, '/dashboard');
  assert.deepEqual(takeProblems(page), []);
});
after(async () => {
  await context?.close();
  await browser?.close();
  if (s) await stopStack(s);
});

// État du document : exécution, éléments et attributs dangereux, texte rendu.
function domState(p) {
  return p.evaluate(() => {
    const attr = (el, n) => el.getAttribute(n) ?? '';
    return {
      xss: window.__xss,
      inline: [...document.scripts].filter((x) => !x.src).map((x) => x.outerHTML.slice(0, 80)),
      external: [...document.scripts].map((x) => new URL(x.src, location.href).pathname),
      handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes]
        .filter((at) => /^on/i.test(at.name)).map((at) => `${el.tagName}[${at.name}]`)),
      jsUrls: [...document.querySelectorAll('[href],[src],[action],[formaction]')]
        .filter((el) => ['href', 'src', 'action', 'formaction'].some((n) => /^\s*javascript:/i.test(attr(el, n))))
        .map((el) => el.outerHTML.slice(0, 80)),
      injected: [...document.querySelectorAll('img[src="x"], svg[onload], iframe, object, embed, base')].map((el) => el.tagName),
      text: document.body.innerText.replace(/\s+/g, ' '),
    };
  });
}

// Ouvre `path`, vérifie qu'aucune charge n'a pris effet et que chaque
// texte de `texts` est affiché tel quel ; rend l'état du document.
async function inspect(path, texts = [], { status = 200 } = {}) {
  const resp = await page.goto(s.base + path);
  assert.equal(resp.status(), status, `${path} : statut`);
  const csp = resp.headers()['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self'(;|$)/, `${path} : CSP`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `${path} : CSP`);
  await page.waitForLoadState('load');
  await page.waitForTimeout(100);	// onerror d'une image cassée, onload d'un svg
  const st = await domState(page);
  assert.equal(st.xss, undefined, `${path} : charge exécutée`);
  assert.deepEqual(st.inline, [], `${path} : script en ligne dans le DOM`);
  assert.ok(st.external.every((x) => x.startsWith('/static/')), `${path} : script externe ${st.external}`);
  assert.deepEqual(st.handlers, [], `${path} : attribut d'événement dans le DOM`);
  assert.deepEqual(st.jsUrls, [], `${path} : adresse javascript: dans le DOM`);
  assert.deepEqual(st.injected, [], `${path} : élément injecté`);
  for (const t of texts) assert.ok(st.text.includes(norm(t)), `${path} : « ${t} » n'est pas affiché tel quel`);
  assert.deepEqual(dialogs, [], `${path} : dialogue ouvert`);
  assert.deepEqual(takeProblems(page), [], `${path} : erreurs de console ou violations CSP`);
  return st;
}

const value = (sel) => page.locator(sel).first().inputValue();

test('listes, tableau de bord et statistiques : charges affichées telles quelles, rien d\'exécuté', async () => {
  await inspect('/dashboard', [P.svg]);
  await inspect('/statistics', [P.svg, P.script]);
  await inspect('/categories', ALL);
  await inspect('/contacts', ALL);
  await inspect('/campaigns', [P.svg, P.textarea]);
  await inspect('/campaigns/new');
  const opts = (await page.locator('select[name="category"] option').allTextContents()).map(norm);
  for (const v of ALL) assert.ok(opts.includes(norm(v)), `/campaigns/new : catégorie « ${v} » absente des choix`);
});

test('recherches et filtres réaffichés : la valeur hostile reste du texte', async () => {
  for (const [path, field, v] of [['/categories', 'q', P.svg], ['/contacts', 'q', P.img], ['/statistics', 'q', P.script],
    ['/statistics', 'q', P.textarea], ['/campaigns', 'status', P.svg], ['/contacts', 'category_id', P.js]]) {
    const url = `${path}?${field}=${enc(v)}`;
    const resp = await page.goto(s.base + url);
    assert.ok(resp.status() === 200 || resp.status() === 422, `${url} : ${resp.status()}`);
    await inspect(url, [], { status: resp.status() });
    if (field === 'q') assert.equal(await value(`[name="q"]`), v, `${url} : champ de recherche`);
  }
});

test('fiches : catégories, contacts, confirmations de suppression ; champs de formulaire intacts', async () => {
  for (const k of KEYS) {
    await inspect(`/categories/${ids.cat[k]}`, [P[k]]);
    assert.equal(await value('form [name="name"]'), P[k], `catégorie ${k} : champ nom`);
    await inspect(`/categories/${ids.cat[k]}/delete`, [P[k]]);
    await inspect(`/contacts/${ids.contact[k]}`, [P[k]]);
    assert.equal(await value('[name="first_name"]'), P[k], `contact ${k} : prénom`);
    await inspect(`/contacts/${ids.contact[k]}/delete`, [P[k]]);
  }
  // La catégorie « script » liste ses cinq contacts.
  await inspect(`/categories/${ids.cat.script}`, ALL);
});

test('campagnes, messages et réponse reçue par webhook : rien d\'exécuté', async () => {
  await inspect(`/campaigns/${ids.launched}`, [P.svg, P.img, P.js, REPLY]);
  await inspect(`/campaigns/${ids.draft}`, [P.textarea, `${P.textarea} ${P.svg}`]);
  await inspect(`/campaigns/${ids.draft}/edit`);
  assert.equal(await value('[name="name"]'), P.textarea);
  assert.equal(await value('[name="message_1"]'), `${P.textarea} ${P.svg}`);
  await inspect(`/campaigns/${ids.draft}/delete`, [P.textarea]);
  // Message 1 rendu avec le prénom hostile, réponse du contact, Message 2.
  await inspect(`/messages/${ids.m1}`, [`Bonjour ${P.script} ${P.img} ${P.js}`, REPLY]);
  await inspect(`/messages/${ids.m2}`, [`Merci ${P.svg} ${P.textarea}`]);
  await inspect('/dashboard', [P.svg]);
  await inspect('/statistics', [P.svg]);
  // Page 404 d'une adresse hostile.
  await inspect(`/categories/${enc(P.script)}`, [], { status: 404 });
});

test('import CSV par la page : cellules hostiles, catégorie créée, ligne rejetée — rapport sans exécution', async () => {
  const cell = (v) => `"${v.replace(/"/g, '""')}"`;
  const csv = 'Prénom;Nom;Téléphone;Catégorie\r\n' +
    `${cell(P.script)};${cell(P.img)};06 13 00 00 01;${cell(P.svg)}\r\n` +
    `${cell(P.js)};${cell(P.textarea)};06 13 00 00 02;\r\n` +
    `${cell(P.img)};Rejeté;${cell(P.script)};\r\n`;
  await inspect('/contacts/import');
  await page.setInputFiles('#file', { name: 'hostile.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  await page.fill('#category_name', `${P.svg} import`);
  const st = await submit(page, () => page.getByRole('button', { name: 'Importer', exact: true }).click());
  assert.equal(st, 200);
  await page.waitForTimeout(100);
  const d = await domState(page);
  assert.equal(d.xss, undefined, 'rapport d\'import : charge exécutée');
  assert.deepEqual([d.inline, d.handlers, d.jsUrls, d.injected], [[], [], [], []], 'rapport d\'import : DOM');
  const row = page.locator('table.rejected-table tbody tr');
  assert.equal(await row.count(), 1);
  assert.equal(norm(await row.locator('td[data-label="Contenu"]').textContent()), norm(`${P.img};Rejeté;${P.script};`));
  assert.ok(d.text.includes(`${P.svg} import`), 'catégorie créée affichée telle quelle');
  assert.ok((await page.locator('input[name="csv"]').inputValue()).includes(P.script), 'lignes rejetées (champ caché) intactes');
  assert.deepEqual(dialogs, []);
  assert.deepEqual(takeProblems(page), [], 'rapport d\'import : console');
  // En base : valeurs telles quelles ; puis les pages qui les montrent.
  const rows = s.sql(`SELECT first_name, last_name FROM contacts WHERE created_by = ${a.id} AND full_number IN ('+33613000001', '+33613000002') ORDER BY full_number`);
  assert.deepEqual(rows, [{ first_name: P.script, last_name: P.img }, { first_name: P.js, last_name: P.textarea }]);
  const imported = s.sql(`SELECT id FROM categories WHERE created_by = ${a.id} AND name = ${q(`${P.svg} import`)}`)[0].id;
  await inspect(`/categories/${imported}`, [`${P.svg} import`, P.script, P.js]);
  await inspect('/contacts', [P.js, P.textarea]);
});

test('la CSP bloque un script en ligne, un onerror et un lien javascript: injectés dans le DOM', async () => {
  await inspect('/dashboard');
  const out = await page.evaluate(async () => {
    const seen = [];
    document.addEventListener('securitypolicyviolation', (e) => seen.push(e.effectiveDirective || e.violatedDirective));
    const sc = document.createElement('script');
    sc.textContent = 'window.__xss = "script en ligne";';
    document.body.append(sc);
    document.body.insertAdjacentHTML('beforeend', '<img alt="" src="data:," onerror="window.__xss = \'onerror\'">');
    const link = document.createElement('a');
    link.href = 'javascript:window.__xss = "lien"';
    link.textContent = 'piège';
    document.body.append(link);
    link.click();
    await new Promise((r) => setTimeout(r, 400));
    return { xss: window.__xss, seen };
  });
  assert.equal(out.xss, undefined, `exécuté malgré la CSP : ${out.xss}`);
  assert.ok(out.seen.length >= 3, `violations : ${JSON.stringify(out.seen)}`);
  assert.ok(out.seen.every((d) => d.startsWith('script-src')), JSON.stringify(out.seen));
  // Le relevé de la page les a vues aussi (console), et rien d'autre.
  const p = takeProblems(page);
  assert.ok(p.length >= 3 && p.every((m) => /Content Security Policy|CSP violation/.test(m)), p.join('\n'));
  assert.deepEqual(dialogs, []);
});
