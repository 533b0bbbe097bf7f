// Import CSV (POST /api/contacts/import et page /contacts/import) et
// export CSV (GET /api/contacts/export et /contacts/export) : encodages
// (UTF-8 avec ou sans BOM, Windows-1252 d'Excel), séparateurs, guillemets,
// fins de ligne, en-têtes français ou anglais, numéros sous toutes leurs
// formes, catégories créées à la volée, doublons, rejets (avec un CSV
// réimportable), limites (413, 422), une seule transaction, et export
// (BOM, séparateur, filtre, formules neutralisées, aller-retour).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, http, login, createUser } from '../lib/stack.mjs';
import { stop, assertJsonError, htmlLogin, csrfOf, form, FORM, upload, httpRaw, cp1252, dataSnapshot } from './util.mjs';

let s, su, tb;
before(async () => {
  s = await startStack();
  su = (await login(s)).access_token;
  await createUser(s, su, 'imp-b@test.com');
  tb = (await login(s, 'imp-b@test.com')).access_token;
});
after(async () => { await stop(s); });

const api = (m, p, json, token = su) => http(s, m, p, json === undefined ? { token } : { token, json });
let adminSeq = 0;
async function freshAdmin(tag = 'imp') {
  const email = `${tag}-${++adminSeq}@test.com`;
  await createUser(s, su, email);
  const token = (await login(s, email)).access_token;
  return { email, token, id: s.sql(`SELECT id FROM users WHERE email = '${email}'`)[0].id };
}
const imp = (token, file, fields = {}) => upload(s, '/api/contacts/import', { token, file, fields });
function ok(r, label = '') {
  assert.equal(r.status, 200, `${label} : ${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}
// Contacts d'un admin : { full_number: {first, last} }.
function contactsOf(a) {
  return Object.fromEntries(s.sql(`SELECT full_number, first_name, last_name FROM contacts WHERE created_by = ${a.id} ORDER BY id`)
    .map((r) => [r.full_number, { first: r.first_name, last: r.last_name }]));
}
// Catégories d'un admin avec leurs membres : { nom: [full_number...] }.
function membersOf(a) {
  const out = {};
  for (const c of s.sql(`SELECT id, name FROM categories WHERE created_by = ${a.id} ORDER BY id`)) {
    out[c.name] = s.sql(`SELECT k.full_number FROM category_contacts cc JOIN contacts k ON k.id = cc.contact_id WHERE cc.category_id = ${c.id} ORDER BY k.full_number`).map((r) => r.full_number);
  }
  return out;
}
const countOf = (t, a) => s.sql(`SELECT count(*) AS n FROM ${t} WHERE created_by = ${a.id}`)[0].n;

test('UTF-8 avec et sans BOM, « ; », CRLF, en-têtes français : contacts créés, noms intacts', async () => {
  for (const bom of ['', '\ufeff']) {
    const a = await freshAdmin('utf8');
    const csv = `${bom}téléphone;prénom;nom\r\n06 12 34 56 78;Hélène;Lefèvre\r\n+33 6 98 76 54 32;Zoë;Ñuñez-Œuvre\r\n`;
    const r = ok(await imp(a.token, csv), `BOM=${!!bom}`);
    assert.equal(r.created, 2);
    assert.equal(r.updated, 0);
    assert.equal(r.skipped, 0);
    assert.deepEqual(r.rejected, []);
    assert.equal(r.rejected_csv, '');
    assert.equal(r.delimiter, ';');
    assert.equal(r.encoding, bom ? 'utf-8-bom' : 'utf-8');
    assert.deepEqual(r.headers, ['téléphone', 'prénom', 'nom'], 'le BOM ne colle pas au premier en-tête');
    assert.deepEqual(contactsOf(a), {
      '+33612345678': { first: 'Hélène', last: 'Lefèvre' },
      '+33698765432': { first: 'Zoë', last: 'Ñuñez-Œuvre' },
    });
    // Les contacts importés sont cherchables (clé de recherche remplie).
    const q = await api('GET', '/api/contacts?q=helene', undefined, a.token);
    assert.equal(q.json.total, 1);
  }
});

test('Windows-1252 (Excel français) : octets é=0xE9… décodés, noms stockés en UTF-8', async () => {
  const a = await freshAdmin('cp1252');
  const bytes = cp1252('Prénom;Nom;Téléphone;Catégorie\r\nHélène;François;06 11 22 33 44;Élèves\r\nŒdipe;Mañé-Çà;0611223345;Élèves\r\nJosé;L’Hôte “Ÿ” €;0611223346;\r\n');
  assert.equal(bytes[2], 0xe9, 'é en un octet');
  assert.ok(!bytes.includes(0xc3), 'pas d\'UTF-8 dans le fichier');
  const r = ok(await imp(a.token, bytes));
  assert.equal(r.encoding, 'windows-1252');
  assert.equal(r.created, 3, JSON.stringify(r.rejected));
  assert.deepEqual(r.headers, ['Prénom', 'Nom', 'Téléphone', 'Catégorie']);
  assert.deepEqual(contactsOf(a), {
    '+33611223344': { first: 'Hélène', last: 'François' },
    '+33611223345': { first: 'Œdipe', last: 'Mañé-Çà' },
    '+33611223346': { first: 'José', last: 'L’Hôte “Ÿ” €' },
  });
  assert.deepEqual(Object.keys(membersOf(a)), ['Élèves']);
  // Octets UTF-8 valides en base (pas de double encodage).
  const hex = s.sql(`SELECT hex(first_name) AS h FROM contacts WHERE created_by = ${a.id} AND full_number = '+33611223344'`)[0].h;
  assert.equal(hex, Buffer.from('Hélène').toString('hex').toUpperCase());
});

test('UTF-16LE avec BOM (« Texte Unicode » d\'Excel), tabulations', async () => {
  const a = await freshAdmin('utf16');
  const text = '\ufeffTéléphone\tPrénom\tNom\r\n0612121212\tAnaïs\tBéranger\r\n';
  const r = ok(await imp(a.token, Buffer.from(text, 'utf16le')));
  assert.equal(r.encoding, 'utf-16le');
  assert.equal(r.created, 1);
  assert.deepEqual(contactsOf(a), { '+33612121212': { first: 'Anaïs', last: 'Béranger' } });
});

test('séparateurs « , » « ; » tabulation, CRLF et LF : même résultat', async () => {
  const rows = [['phone', 'first_name', 'last_name'], ['0600000001', 'Ana', 'Un'], ['0600000002', 'Bea', 'Deux'], ['0600000003', 'Cid', 'Trois']];
  let ref;
  for (const [delim, label] of [[',', 'virgule'], [';', 'point-virgule'], ['\t', 'tabulation']]) {
    for (const eol of ['\r\n', '\n']) {
      const a = await freshAdmin('delim');
      const r = ok(await imp(a.token, rows.map((x) => x.join(delim)).join(eol) + eol), `${label} ${JSON.stringify(eol)}`);
      assert.equal(r.delimiter, delim);
      assert.equal(r.delimiter_label, label);
      assert.equal(r.created, 3);
      const got = contactsOf(a);
      if (ref) assert.deepEqual(got, ref); else ref = got;
    }
  }
  // Sans fin de ligne finale : la dernière ligne compte.
  const a = await freshAdmin('delim');
  assert.equal(ok(await imp(a.token, 'phone;first_name\n0600000009;Der')).created, 1);
  assert.deepEqual(contactsOf(a), { '+33600000009': { first: 'Der', last: null } });
});

test('guillemets : séparateur, saut de ligne et guillemets doublés dans une cellule ; numéros de ligne physiques', async () => {
  const a = await freshAdmin('quotes');
  const csv = [
    'Téléphone;Prénom;Nom;Notes',
    '0601010101;"Jean; Paul";"O""Brien";"note sur',
    'deux lignes; avec ; des séparateurs"',
    '"06 01 01 01 02";"Marie-Ève";"Dupont, fille";""',
    '0601010103;"Luc";"Sans ""fin";"a',
    'b',
    'c"',
    'pas-un-numero;X;Y;Z',
  ].join('\r\n') + '\r\n';
  const r = ok(await imp(a.token, csv));
  assert.equal(r.created, 3, JSON.stringify(r.rejected));
  assert.deepEqual(contactsOf(a), {
    '+33601010101': { first: 'Jean; Paul', last: 'O"Brien' },
    '+33601010102': { first: 'Marie-Ève', last: 'Dupont, fille' },
    '+33601010103': { first: 'Luc', last: 'Sans "fin' },
  });
  assert.equal(r.rejected.length, 1);
  assert.equal(r.rejected[0].line, 8, 'ligne physique après des cellules sur plusieurs lignes');
  // Un guillemet jamais fermé : la ligne est rejetée, pas le fichier.
  const b = await freshAdmin('quotes');
  const r2 = ok(await imp(b.token, 'phone;first_name\n0602020201;Ok\n0602020202;"jamais fermé\n'));
  assert.equal(r2.created, 1);
  assert.equal(r2.rejected.length, 1);
  assert.equal(typeof r2.rejected[0].reason, 'string');
  assert.ok(r2.rejected[0].reason.length > 0);
});

test('en-têtes français ou anglais dans n\'importe quel ordre, indicatif par ligne, numéros +33, 0033 ou nationaux', async () => {
  const variants = [
    ['telephone,prenom,nom', (n, f, l) => `${n},${f},${l}`],
    ['Nom;Prénom;Numéro', (n, f, l) => `${l};${f};${n}`],
    ['last_name\tmobile\tfirst_name', (n, f, l) => `${l}\t${n}\t${f}`],
    ['First Name,Last Name,Phone', (n, f, l) => `${f},${l},${n}`],
    ['PRÉNOM;NOM;TÉLÉPHONE', (n, f, l) => `${f};${l};${n}`],
    ['Mobile;Nom de famille;Prénom', (n, f, l) => `${n};${l};${f}`],
  ];
  for (const [head, row] of variants) {
    const a = await freshAdmin('hdr');
    const eol = head.includes('\t') ? '\n' : '\r\n';
    const r = ok(await imp(a.token, `${head}${eol}${row('06 10 20 30 40', 'Inès', 'Ordre')}${eol}`), head);
    assert.equal(r.created, 1, `${head} : ${JSON.stringify(r.rejected)}`);
    assert.deepEqual(contactsOf(a), { '+33610203040': { first: 'Inès', last: 'Ordre' } }, head);
  }
  // Indicatif par ligne, formats internationaux, indicatif par défaut.
  const a = await freshAdmin('hdr');
  const csv = [
    'indicatif;numéro;prénom',
    ';+33 6 11 11 11 11;Plus',
    ';0033 6 11 11 11 12;Zéros',
    '+32;0470 12 34 56;Belge',
    '32;0470 12 34 57;Belge sans plus',
    ';0470 12 34 58;Défaut',
    '+33;+32 470 12 34 59;International gagne',
  ].join('\n');
  const r = ok(await imp(a.token, csv, { default_country_code: '+32' }));
  assert.equal(r.created, 6, JSON.stringify(r.rejected));
  const got = contactsOf(a);
  assert.deepEqual(Object.keys(got).sort(), ['+32470123456', '+32470123457', '+32470123458', '+32470123459', '+33611111111', '+33611111112']);
  assert.equal(got['+32470123458'].first, 'Défaut');
  assert.deepEqual(s.sql(`SELECT country_code, phone_number FROM contacts WHERE created_by = ${a.id} AND full_number = '+32470123456'`)[0], { country_code: '+32', phone_number: '470123456' });
  // Sans default_country_code : +33.
  const b = await freshAdmin('hdr');
  ok(await imp(b.token, 'phone\n06 99 88 77 66\n'));
  assert.deepEqual(Object.keys(contactsOf(b)), ['+33699887766']);
  // Indicatif par défaut inconnu : 422, rien d'écrit.
  const c = await freshAdmin('hdr');
  const bad = await imp(c.token, 'phone\n0611111111\n', { default_country_code: '+999' });
  assertJsonError(bad, 422, 'validation_error', 'default_country_code');
  assert.ok(bad.json.fields.default_country_code);
  assert.equal(countOf('contacts', c), 0);
});

test('colonne catégorie : catégories créées à la volée (ou retrouvées sans casse) et liens', async () => {
  const a = await freshAdmin('catcol');
  const pre = await api('POST', '/api/categories', { name: 'Clients', color: 'bleu' }, a.token);
  const csv = 'phone;first_name;catégorie\n0612000001;A;clients\n0612000002;B;Fournisseurs\n0612000003;C;FOURNISSEURS\n0612000004;D;\n0612000005;E;  Amis  \n';
  const r = ok(await imp(a.token, csv));
  assert.equal(r.created, 5);
  assert.deepEqual(membersOf(a), {
    Clients: ['+33612000001'],
    Fournisseurs: ['+33612000002', '+33612000003'],
    Amis: ['+33612000005'],
  });
  assert.equal(s.sql(`SELECT color FROM categories WHERE created_by = ${a.id} AND name = 'Clients'`)[0].color, pre.json.color, 'la catégorie existante est reprise');
  for (const c of s.sql(`SELECT color FROM categories WHERE created_by = ${a.id}`)) assert.match(c.color, /^#[0-9a-f]{6}$/);
  // Anglais « category », et nom de catégorie invalide : ligne rejetée.
  const r2 = ok(await imp(a.token, `mobile,category\n0612000006,Clients\n0612000007,${'x'.repeat(101)}\n`));
  assert.equal(r2.created, 1);
  assert.equal(r2.rejected.length, 1);
  assert.equal(r2.rejected[0].line, 3);
  assert.match(r2.rejected[0].reason, /catégorie/i);
  assert.deepEqual(membersOf(a).Clients, ['+33612000001', '+33612000006']);
});

test('catégorie cible : category_id existante, category_name créée ; 404 pour celle d\'un autre admin', async () => {
  const a = await freshAdmin('target');
  const c = (await api('POST', '/api/categories', { name: 'Cible', color: 'vert' }, a.token)).json;
  let r = ok(await imp(a.token, 'phone\n0613000001\n0613000002\n', { category_id: String(c.id) }));
  assert.deepEqual(r.category, { id: c.id, name: 'Cible' });
  assert.deepEqual(membersOf(a).Cible, ['+33613000001', '+33613000002']);
  r = ok(await imp(a.token, 'phone;catégorie\n0613000003;Autre\n0613000001;\n', { category_name: 'Nouvelle cible' }));
  assert.equal(r.created, 1);
  assert.equal(r.skipped, 1);
  assert.equal(r.category.name, 'Nouvelle cible');
  const m = membersOf(a);
  assert.deepEqual(m['Nouvelle cible'], ['+33613000001', '+33613000003'], 'les lignes déjà présentes rejoignent aussi la catégorie cible');
  assert.deepEqual(m.Autre, ['+33613000003']);
  // Nom déjà pris (autre casse) : la catégorie existante est reprise.
  r = ok(await imp(a.token, 'phone\n0613000004\n', { category_name: 'CIBLE' }));
  assert.equal(r.category.id, c.id);
  assert.equal(countOf('categories', a), 3);
  // Catégorie d'un autre admin, ou absente : 404 et rien d'écrit.
  const foreign = (await api('POST', '/api/categories', { name: 'Chez B cible' }, tb)).json;
  const snap = dataSnapshot(s);
  for (const id of [foreign.id, 999999]) {
    const bad = await imp(a.token, 'phone;catégorie\n0613000099;Créée à tort\n', { category_id: String(id) });
    assertJsonError(bad, 404, 'not_found', `category_id=${id}`);
  }
  assertJsonError(await imp(a.token, 'phone\n0613000099\n', { category_id: 'abc' }), 422, 'validation_error', 'category_id=abc');
  assert.equal(dataSnapshot(s), snap, 'rien d\'écrit');
});

test('doublons : dans le fichier et avec les contacts existants, signalés (skipped, skipped_lines), jamais en double', async () => {
  const a = await freshAdmin('dups');
  await api('POST', '/api/contacts', { country_code: '+33', phone_number: '0614000001', first_name: 'Ancien', last_name: 'Nom' }, a.token);
  const csv = 'phone;first_name;last_name\n0614000001;Nouveau;Prénom\n0614000002;Un;Fichier\n+33 6 14 00 00 02;Deux;Fichier\n0033614000002;Trois;Fichier\n0614000003;Seul;Ici\n';
  let r = ok(await imp(a.token, csv));
  assert.equal(r.created, 2);
  assert.equal(r.updated, 0);
  assert.equal(r.skipped, 3);
  assert.deepEqual(r.skipped_lines.map((x) => x.line), [2, 4, 5]);
  assert.match(r.skipped_lines[0].reason, /Déjà dans vos contacts/);
  assert.match(r.skipped_lines[1].reason, /Doublon/);
  for (const x of r.skipped_lines) assert.match(x.reason, /[a-zé]/);
  assert.equal(countOf('contacts', a), 3);
  assert.equal(s.sql(`SELECT count(*) AS n FROM contacts WHERE created_by = ${a.id} AND full_number = '+33614000002'`)[0].n, 1);
  assert.deepEqual(contactsOf(a)['+33614000001'], { first: 'Ancien', last: 'Nom' }, 'ignoré : noms gardés');
  assert.deepEqual(contactsOf(a)['+33614000002'], { first: 'Un', last: 'Fichier' }, 'la première ligne du fichier gagne');
  // Réimporter le même fichier : tout est ignoré.
  r = ok(await imp(a.token, csv));
  assert.equal(r.created, 0);
  assert.equal(r.skipped, 5);
  assert.equal(countOf('contacts', a), 3);
  // on_duplicate=update : les noms des contacts existants sont mis à jour.
  r = ok(await imp(a.token, 'phone;first_name;last_name\n0614000001;Nouveau;Prénom\n0614000003;Seule;\n0614000004;Neuf;Contact\n', { on_duplicate: 'update' }));
  assert.equal(r.created, 1);
  assert.equal(r.updated, 2);
  assert.equal(r.skipped, 0);
  const got = contactsOf(a);
  assert.deepEqual(got['+33614000001'], { first: 'Nouveau', last: 'Prénom' });
  assert.deepEqual(got['+33614000003'], { first: 'Seule', last: 'Ici' }, 'cellule vide : nom gardé');
  assert.equal(countOf('contacts', a), 4);
  // on_duplicate=skip explicite.
  r = ok(await imp(a.token, 'phone;first_name\n0614000004;Ignoré\n', { on_duplicate: 'skip' }));
  assert.equal(r.skipped, 1);
  assert.equal(contactsOf(a)['+33614000004'].first, 'Neuf');
});

test('on_duplicate=update garde la recherche cohérente (nom gardé toujours cherchable)', async () => {
  const a = await freshAdmin('dupsearch');
  await api('POST', '/api/contacts', { country_code: '+33', phone_number: '0615000001', first_name: 'Hélène', last_name: 'Garnier' }, a.token);
  ok(await imp(a.token, 'phone;first_name\n0615000001;Héloïse\n', { on_duplicate: 'update' }));
  assert.deepEqual(contactsOf(a)['+33615000001'], { first: 'Héloïse', last: 'Garnier' });
  const find = async (q) => (await api('GET', `/api/contacts?q=${encodeURIComponent(q)}`, undefined, a.token)).json.total;
  assert.equal(await find('heloise'), 1);
  assert.equal(await find('garnier'), 1, 'le nom de famille gardé doit rester cherchable');
});

test('import en bloc : recherche FTS5, owner_counts et contacts_version exacts ; réimport du même fichier : 0 créé', async () => {
  const a = await freshAdmin('bulk');
  const counts = () => s.sql(`SELECT contacts, contacts_version AS v, (SELECT count(*) FROM contacts
    WHERE created_by = ${a.id}) AS n FROM owner_counts WHERE user_id = ${a.id}`)[0];
  const find = async (q) => (await api('GET', `/api/contacts?q=${encodeURIComponent(q)}`, undefined, a.token)).json.total;
  // Contrôle d'intégrité de SQLite : l'index FTS5 correspond exactement à la
  // table contacts (rank 1 : contenu externe compris) ; lève une erreur sinon.
  const ftsExact = () => s.sql("INSERT INTO contacts_fts(contacts_fts, rank) VALUES ('integrity-check', 1)");
  const flagEmpty = () => assert.equal(s.sql('SELECT count(*) AS n FROM bulk_import')[0].n, 0, 'bulk_import vide hors import');
  const v0 = counts();
  assert.equal(v0.contacts, 0);
  // 500 lignes (72 « Anaïs »), un doublon du fichier, une ligne rejetée.
  const rows = ['Prénom;Nom;Téléphone'];
  for (let i = 0; i < 500; i++) rows.push(`${i % 7 === 0 ? 'Anaïs' : 'Jean'};Nom${i};+336${20000000 + i * 37}`);
  rows.push('Doublon;Fichier;+33620000000', 'Mauvais;Numéro;abc');
  const csv = rows.join('\n') + '\n';
  let r = ok(await imp(a.token, csv));
  assert.equal(r.created, 500);
  assert.equal(r.skipped, 1);
  assert.deepEqual(r.skipped_lines.map((x) => x.line), [502]);
  assert.equal(r.rejected_count, 1);
  const c1 = counts();
  assert.equal(c1.contacts, 500);
  assert.equal(c1.n, 500);
  assert.ok(c1.v > v0.v, 'contacts_version changée : les ordres gardés en mémoire sont relus');
  // Un nom et un numéro du fichier se trouvent par l'index trigramme.
  assert.equal(await find('anais'), 72);
  assert.equal(await find('Nom321'), 1);
  assert.equal(await find('06 20 01 18 77'), 1);            // ligne i = 321
  assert.equal(await find('+33 6 20 01 84 63'), 1);         // dernière ligne, i = 499
  ftsExact();
  flagEmpty();
  // Les identifiants suivent l'ordre de la liste (Nom0, Nom1, Nom10…), pas
  // celui du fichier (Nom0, Nom1, Nom2…).
  assert.deepEqual(s.sql(`SELECT full_number FROM contacts WHERE created_by = ${a.id} ORDER BY id LIMIT 3`)
    .map((x) => x.full_number), ['+33620000000', '+33620000037', '+33620000370']);
  // Réimport du même fichier : rien de créé, compteurs et version inchangés.
  r = ok(await imp(a.token, csv));
  assert.equal(r.created, 0);
  assert.equal(r.skipped, 501);
  assert.deepEqual(counts(), c1);
  ftsExact();
  // Fichier en partie nouveau pour un admin qui a déjà des contacts.
  r = ok(await imp(a.token, 'Prénom;Nom;Téléphone\nZoé;Nouvelle;+33629999001\nJean;Nom0;+33620000000\nZoé;Autre;+33629999002\n'));
  assert.equal(r.created, 2);
  assert.equal(r.skipped, 1);
  const c2 = counts();
  assert.equal(c2.contacts, 502);
  assert.equal(c2.n, 502);
  assert.ok(c2.v > c1.v);
  assert.equal(await find('zoe'), 2);
  assert.equal(await find('0629999002'), 1);
  ftsExact();
  flagEmpty();
  // Hors import, les déclencheurs font toujours leur travail : fiche créée
  // puis supprimée par l'API, contact écrit par le client sqlite3.
  const one = await api('POST', '/api/contacts', { country_code: '+33', phone_number: '0629999003', first_name: 'Zoé', last_name: 'Fiche' }, a.token);
  assert.equal(one.status, 201);
  const c3 = counts();
  assert.equal(c3.contacts, 503);
  assert.equal(c3.n, 503);
  assert.ok(c3.v > c2.v);
  assert.equal(await find('zoe'), 3);
  assert.equal((await api('DELETE', `/api/contacts/${one.json.id}`, undefined, a.token)).status, 204);
  assert.equal(counts().contacts, 502);
  s.sql(`INSERT INTO contacts(phone_number, country_code, full_number, first_name, search_key, created_by, created_at, updated_at)
    VALUES ('629999004', '+33', '+33629999004', 'Zoé', 'zoe  33629999004 0629999004', ${a.id}, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')`);
  const c4 = counts();
  assert.equal(c4.contacts, 503);
  assert.equal(c4.n, 503);
  assert.ok(c4.v > c3.v);
  assert.equal(await find('zoe'), 3);
  ftsExact();
});

test('lignes rejetées : numéro de ligne, motif français, rejected_csv réimportable (en-tête + lignes + motif)', async () => {
  const a = await freshAdmin('rej');
  const csv = [
    'Téléphone;Prénom;Nom',
    '0616000001;Bon;Un',
    'abc;Lettres;Deux',
    '06 16;Court;Trois',
    ';Vide;Quatre',
    '+999 123 456;Pays;Cinq',
    '0616000002;"Virgule; dedans";Six',
    `0616000003;${'n'.repeat(101)};Long`,
  ].join('\r\n') + '\r\n';
  const r = ok(await imp(a.token, csv));
  assert.equal(r.created, 2);
  assert.equal(r.rejected_count, 5);
  assert.deepEqual(r.rejected.map((x) => x.line), [3, 4, 5, 6, 8]);
  for (const x of r.rejected) {
    assert.equal(typeof x.reason, 'string');
    assert.match(x.reason, /^[A-ZÉ]/, `motif en phrase : ${x.reason}`);
  }
  assert.match(r.rejected[0].reason, /caractères non autorisés/);
  assert.match(r.rejected[1].reason, /trop court/);
  assert.match(r.rejected[2].reason, /manquant/);
  assert.match(r.rejected[3].reason, /ndicatif/);
  assert.match(r.rejected[4].reason, /trop long/);
  assert.equal(r.rejected[0].raw, 'abc;Lettres;Deux');
  // Le CSV des rejets : en-tête d'origine + « motif », une ligne par rejet.
  const lines = r.rejected_csv.split('\r\n').filter(Boolean);
  assert.equal(lines[0], 'Téléphone;Prénom;Nom;motif');
  assert.equal(lines.length, 6);
  assert.ok(lines[1].startsWith('abc;Lettres;Deux;'));
  assert.ok(lines[1].endsWith(r.rejected[0].reason));
  // Réimporté tel quel : les mêmes lignes sont rejetées, la colonne motif ignorée.
  const b = await freshAdmin('rej');
  const again = ok(await imp(b.token, r.rejected_csv));
  assert.equal(again.created, 0);
  assert.equal(again.rejected_count, 5);
  assert.deepEqual(again.rejected.map((x) => x.reason), r.rejected.map((x) => x.reason));
  // Corrigé (numéros réparés, nom raccourci) : tout passe.
  const fixed = r.rejected_csv
    .replace('abc;', '0616000011;').replace('06 16;', '0616000012;').replace(';Vide;', '0616000013;Vide;')
    .replace(/"?'?\+999 123 456"?;/, '+32 470 00 00 14;').replace('n'.repeat(101), 'Court');
  const done = ok(await imp(b.token, fixed));
  assert.equal(done.created, 5, JSON.stringify(done.rejected));
  assert.deepEqual(done.rejected, []);
  assert.equal(contactsOf(b)['+33616000013'].last, 'Quatre');
});

test('pas de colonne téléphone : 422 qui cite les en-têtes lus ; rien d\'écrit (même la catégorie cible)', async () => {
  const a = await freshAdmin('nophone');
  const snap = dataSnapshot(s);
  const r = await imp(a.token, 'Nom;Prénom;Ville\nDupont;Jean;Lyon\n', { category_name: 'Jamais créée' });
  assertJsonError(r, 422, 'validation_error', 'sans téléphone');
  assert.match(r.json.message, /Aucune colonne de téléphone/);
  for (const h of ['« Nom »', '« Prénom »', '« Ville »']) assert.ok(r.json.message.includes(h), `${h} dans ${r.json.message}`);
  assert.ok(r.json.fields.file.includes('« Ville »'));
  assert.equal(dataSnapshot(s), snap, 'rien d\'écrit, pas même la catégorie cible');
});

test('options invalides : 422 sur le champ en cause (category_name, on_duplicate), rien d\'écrit', async () => {
  const a = await freshAdmin('opts');
  const snap = dataSnapshot(s);
  let r = await imp(a.token, 'phone\n0622000001\n', { category_name: 'x'.repeat(101) });
  assertJsonError(r, 422, 'validation_error', 'category_name trop long');
  assert.match(r.json.fields.category_name || '', /trop long/, `fields.category_name attendu : ${JSON.stringify(r.json.fields)}`);
  assert.equal(r.json.fields.file, undefined, 'le fichier n\'est pas en cause');
  r = await imp(a.token, 'phone\n0622000001\n', { on_duplicate: 'remplacer' });
  assertJsonError(r, 422, 'validation_error', 'on_duplicate inconnu');
  assert.ok(r.json.fields.on_duplicate, `fields.on_duplicate attendu : ${JSON.stringify(r.json.fields)}`);
  assert.equal(dataSnapshot(s), snap);
  // Sur la page : l'erreur s'affiche sous le champ de la catégorie.
  const h = await htmlLogin(s, a.email);
  r = await upload(s, '/contacts/import', { cookies: h.cookie, file: 'phone\n0622000001\n', fields: { csrf: h.csrf, category_name: 'y'.repeat(101) } });
  assert.equal(r.status, 422);
  assert.match(r.text, /id="err-category_name">Nom trop long/);
  assert.equal(dataSnapshot(s), snap);
});

test('fichier vide ou sans données : 422 ; en-tête seul : bilan à zéro', async () => {
  const a = await freshAdmin('empty');
  for (const file of ['', '\r\n\r\n  \n', '\ufeff']) {
    const r = await imp(a.token, file);
    assertJsonError(r, 422, 'validation_error', JSON.stringify(file));
    assert.ok(r.json.fields.file);
    assert.match(r.json.fields.file, /vide/);
  }
  // Pas de partie fichier du tout.
  const r = await upload(s, '/api/contacts/import', { token: a.token, fields: { default_country_code: '+33' } });
  assertJsonError(r, 422, 'validation_error', 'sans fichier');
  assert.ok(r.json.fields.file);
  const head = ok(await imp(a.token, 'téléphone;prénom\r\n'));
  assert.deepEqual([head.created, head.updated, head.skipped, head.rejected_count], [0, 0, 0, 0]);
  assert.equal(countOf('contacts', a), 0);
  // Pas multipart : 415 ; sans jeton : 401.
  assert.equal((await http(s, 'POST', '/api/contacts/import', { token: a.token, json: { file: 'x' } })).status, 415);
  assertJsonError(await upload(s, '/api/contacts/import', { file: 'phone\n0611111111\n' }), 401, 'unauthorized');
});

test('taille : 10 Mio acceptés, au-delà de MAX_UPLOAD_BYTES → 413 (API et page)', async () => {
  const a = await freshAdmin('big');
  const MiB = 1024 * 1024;
  // Exactement 10 Mio : accepté (une cellule de notes énorme, ignorée).
  const head = 'phone;notes\n0617000001;';
  const exact = Buffer.alloc(10 * MiB, 'x');
  exact.write(head, 0);
  exact[exact.length - 1] = 0x0a;
  let r = await imp(a.token, exact);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.equal(r.json.created, 1);
  // Au-delà de 10 551 296 octets de corps : 413.
  const big = Buffer.alloc(10 * MiB + 128 * 1024, 'x');
  big.write('phone;notes\n0617000002;', 0);
  const snap = dataSnapshot(s);
  r = await imp(a.token, big);
  assertJsonError(r, 413, 'payload_too_large', 'API');
  assert.match(r.json.message, /10 Mo/);
  const h = await htmlLogin(s, a.email);
  r = await upload(s, '/contacts/import', { cookies: h.cookie, file: big, fields: { csrf: h.csrf } });
  assert.equal(r.status, 413);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(r.text, /trop volumineu/);
  assert.equal(dataSnapshot(s), snap);
});

test('une seule transaction : un échec de la base au milieu n\'écrit rien (ni contacts, ni catégories, ni liens)', async () => {
  const a = await freshAdmin('atomic');
  const pre = (await api('POST', '/api/contacts', { country_code: '+33', phone_number: '0618000000', first_name: 'Avant' }, a.token)).json;
  // Déclencheur qui fait échouer l'écriture de la 3e ligne seulement.
  s.sql(`CREATE TRIGGER test_import_boom BEFORE INSERT ON contacts WHEN new.first_name = 'BOOM'
         BEGIN SELECT RAISE(ABORT, 'échec simulé'); END;`);
  try {
    const snap = dataSnapshot(s);
    const csv = 'phone;first_name;catégorie\n0618000001;Un;Créée à la volée\n0618000002;Deux;Autre volée\n0618000003;BOOM;Créée à la volée\n0618000004;Quatre;\n';
    const r = await imp(a.token, csv, { category_name: 'Cible atomique', on_duplicate: 'update' });
    assert.ok(r.status >= 400, `l'import doit échouer : ${r.status} ${r.text.slice(0, 200)}`);
    assert.ok(r.json && r.json.error, 'erreur JSON');
    assert.equal(dataSnapshot(s), snap, 'rien d\'écrit');
    assert.equal(countOf('categories', a), 0);
    assert.deepEqual(Object.keys(contactsOf(a)), [pre.full_number]);
  } finally {
    s.sql('DROP TRIGGER test_import_boom');
  }
  // Sans le déclencheur : le même fichier passe entièrement.
  const r = ok(await imp(a.token, 'phone;first_name\n0618000001;Un\n0618000003;BOOM\n'));
  assert.equal(r.created, 2);
});

test('page /contacts/import : formulaire, bilan (compteurs, tableau des rejets), téléchargement des rejets', async () => {
  const a = await freshAdmin('page');
  const h = await htmlLogin(s, a.email);
  const cat = (await api('POST', '/api/categories', { name: 'Page import' }, a.token)).json;
  let r = await http(s, 'GET', '/contacts/import', { cookies: h.cookie });
  assert.equal(r.status, 200);
  assert.match(r.text, /enctype="multipart\/form-data"/);
  assert.match(r.text, /name="file"/);
  assert.match(r.text, /<option value="\+33" selected>/);
  assert.ok(r.text.includes(`<option value="${cat.id}">Page import</option>`));
  const csrf = csrfOf(r.text);
  const csv = 'téléphone;prénom;nom\n0619000001;Ana;Page\n0619000001;Ana;Doublon\nxyz;Bad;<script>\n0619000002;Bob;Page\n';
  r = await upload(s, '/contacts/import', { cookies: h.cookie, file: csv, fields: { csrf, default_country_code: '+33', category_id: String(cat.id), on_duplicate: 'skip' } });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.headers.get('content-type'), /^text\/html/);
  const stat = (k) => Number(r.text.match(new RegExp(`data-stat="${k}">\\s*<span class="stats-label">[^<]*</span>\\s*<span class="stats-value">(\\d+)</span>`))[1]);
  assert.equal(stat('created'), 2);
  assert.equal(stat('updated'), 0);
  assert.equal(stat('skipped'), 1);
  assert.equal(stat('rejected'), 1);
  assert.match(r.text, /Résultat de l'import/);
  assert.ok(r.text.includes(`<a href="/categories/${cat.id}">Page import</a>`));
  const rej = r.text.match(/<table class="table table-stack rejected-table"[\s\S]*?<\/table>/)[0];
  assert.match(rej, /<td class="num" data-label="Ligne">4<\/td>/);
  assert.match(rej, /caractères non autorisés/);
  assert.ok(rej.includes('xyz;Bad;&lt;script&gt;'), 'contenu échappé');
  assert.ok(!r.text.includes('<script>'));
  assert.deepEqual(membersOf(a)['Page import'], ['+33619000001', '+33619000002']);
  // Le champ caché csv porte le CSV des rejets ; le renvoyer donne un fichier.
  const hidden = r.text.match(/<input type="hidden" name="csv" value="([^"]*)">/);
  assert.ok(hidden, 'champ caché csv');
  const decoded = hidden[1].replace(/&#13;|&#x0?[dD];/g, '\r').replace(/&#10;|&#x0?[aA];/g, '\n').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;|&#34;|&#x22;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&amp;/g, '&');
  assert.match(decoded, /^téléphone;prénom;nom;motif\r?\nxyz;Bad;<script>;/);
  r = await fetch(s.base + '/contacts/import/rejected', { method: 'POST', headers: { ...FORM, Cookie: h.cookie }, body: form({ csrf, csv: decoded }), redirect: 'manual' });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="[^"]+\.csv"$/);
  const body = Buffer.from(await r.arrayBuffer());
  assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM UTF-8');
  assert.equal(body.subarray(3).toString('utf8'), decoded);
  // Rien à télécharger : 422 ; sans CSRF : 403.
  let e = await http(s, 'POST', '/contacts/import/rejected', { cookies: h.cookie, headers: FORM, body: form({ csrf, csv: '' }) });
  assert.equal(e.status, 422);
  e = await http(s, 'POST', '/contacts/import/rejected', { cookies: h.cookie, headers: FORM, body: form({ csv: 'a;b' }) });
  assert.equal(e.status, 403);
  // Import par la page sans CSRF (ou avec un faux) : 403, rien d'écrit.
  const n = countOf('contacts', a);
  e = await upload(s, '/contacts/import', { cookies: h.cookie, file: 'phone\n0619000009\n' });
  assert.equal(e.status, 403);
  e = await upload(s, '/contacts/import', { cookies: h.cookie, file: 'phone\n0619000009\n', fields: { csrf: '0'.repeat(64) } });
  assert.equal(e.status, 403);
  assert.equal(countOf('contacts', a), n);
  // Erreurs rendues sur la page : pas de colonne téléphone (422), fichier vide (422), catégorie d'un autre (404).
  e = await upload(s, '/contacts/import', { cookies: h.cookie, file: 'Nom;Ville\nA;B\n', fields: { csrf } });
  assert.equal(e.status, 422);
  assert.match(e.text, /Aucune colonne de téléphone trouvée/);
  assert.match(e.text, /« Ville »/);
  e = await upload(s, '/contacts/import', { cookies: h.cookie, file: '', fields: { csrf } });
  assert.equal(e.status, 422);
  assert.match(e.text, /Choisissez un fichier CSV non vide/);
  const foreign = (await api('POST', '/api/categories', { name: 'Chez B page import' }, tb)).json;
  e = await upload(s, '/contacts/import', { cookies: h.cookie, file: 'phone\n0619000009\n', fields: { csrf, category_id: String(foreign.id) } });
  assert.equal(e.status, 404);
  assert.equal(countOf('contacts', a), n);
});

// ---------------------------------------------------------------- export

function parseCsv(text, delim) {
  const rows = [];
  let row = [], cell = '', i = 0, quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      cell += ch; i++; continue;
    }
    if (ch === '"') { quoted = true; i++; continue; }
    if (ch === delim) { row.push(cell); cell = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i += 2; continue; }
    cell += ch; i++;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

test('export : BOM UTF-8, en-tête, « , » ou « ; » (sep=semicolon), filtre category_id, CRLF', async () => {
  const a = await freshAdmin('export');
  const c = (await api('POST', '/api/categories', { name: 'Export; "VIP"' }, a.token)).json;
  await api('POST', '/api/contacts', { country_code: '+33', phone_number: '0620000001', first_name: 'Zoé', last_name: 'Vip', category_ids: [c.id] }, a.token);
  await api('POST', '/api/contacts', { country_code: '+32', phone_number: '0470 20 00 02', first_name: 'Luc', last_name: 'Autre, Belge' }, a.token);
  let r = await httpRaw(s, 'GET', '/api/contacts/export', { token: a.token });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="[^"]+\.csv"$/);
  assert.deepEqual([...r.buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM UTF-8');
  let text = r.buf.subarray(3).toString('utf8');
  assert.ok(text.endsWith('\r\n'));
  let rows = parseCsv(text, ',');
  assert.deepEqual(rows[0], ['Prénom', 'Nom', 'Indicatif', 'Téléphone', 'Numéro complet', 'Catégories', 'Désinscrit le']);
  assert.equal(rows.length, 3);
  assert.deepEqual(rows.map((x) => x.length), [7, 7, 7]);
  const luc = rows.find((x) => x[0] === 'Luc');
  assert.equal(luc[1], 'Autre, Belge');
  assert.ok(luc[4].endsWith('+32470200002'));
  const zoe = rows.find((x) => x[0] === 'Zoé');
  assert.equal(zoe[5], 'Export; "VIP"');
  // Point-virgule.
  r = await httpRaw(s, 'GET', '/api/contacts/export?sep=semicolon', { token: a.token });
  assert.equal(r.status, 200);
  text = r.buf.subarray(3).toString('utf8');
  assert.ok(text.startsWith('Prénom;Nom;Indicatif;Téléphone;Numéro complet;Catégories;Désinscrit le\r\n'));
  rows = parseCsv(text, ';');
  assert.equal(rows.length, 3);
  assert.equal(rows.find((x) => x[0] === 'Luc')[1], 'Autre, Belge');
  assert.equal(rows.find((x) => x[0] === 'Zoé')[5], 'Export; "VIP"');
  // Filtre par catégorie.
  r = await httpRaw(s, 'GET', `/api/contacts/export?category_id=${c.id}&sep=semicolon`, { token: a.token });
  rows = parseCsv(r.buf.subarray(3).toString('utf8'), ';');
  assert.deepEqual(rows.slice(1).map((x) => x[0]), ['Zoé']);
  // Désinscrit : la date figure.
  s.sql(`UPDATE contacts SET opted_out_at = '2026-05-06T07:08:09Z' WHERE created_by = ${a.id} AND first_name = 'Luc'`);
  r = await httpRaw(s, 'GET', '/api/contacts/export', { token: a.token });
  rows = parseCsv(r.buf.subarray(3).toString('utf8'), ',');
  assert.match(rows.find((x) => x[0] === 'Luc')[6], /2026/);
  // Paramètres invalides : 422 ; catégorie d'un autre ou absente : 404 ; sans jeton : 401.
  assertJsonError(await http(s, 'GET', '/api/contacts/export?sep=pipe', { token: a.token }), 422, 'validation_error', 'sep');
  assertJsonError(await http(s, 'GET', '/api/contacts/export?category_id=abc', { token: a.token }), 422, 'validation_error', 'category_id');
  const foreign = (await api('POST', '/api/categories', { name: 'Chez B export' }, tb)).json;
  assertJsonError(await http(s, 'GET', `/api/contacts/export?category_id=${foreign.id}`, { token: a.token }), 404, 'not_found', 'étrangère');
  assertJsonError(await http(s, 'GET', '/api/contacts/export?category_id=999999', { token: a.token }), 404, 'not_found', 'absente');
  assertJsonError(await http(s, 'GET', '/api/contacts/export'), 401, 'unauthorized');
  // Page /contacts/export avec le cookie de session.
  const h = await htmlLogin(s, a.email);
  r = await httpRaw(s, 'GET', `/contacts/export?category_id=${c.id}&sep=semicolon`, { cookies: h.cookie });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition'), /^attachment/);
  assert.deepEqual([...r.buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  rows = parseCsv(r.buf.subarray(3).toString('utf8'), ';');
  assert.deepEqual(rows.slice(1).map((x) => x[0]), ['Zoé']);
  r = await httpRaw(s, 'GET', '/contacts/export', { cookies: h.cookie });
  assert.equal(r.status, 200);
  // Le lien de la page (category_id vide) marche aussi.
  r = await httpRaw(s, 'GET', '/contacts/export?category_id=&sep=semicolon', { cookies: h.cookie });
  assert.equal(r.status, 200);
  assert.equal(parseCsv(r.buf.subarray(3).toString('utf8'), ';').length, 3);
  r = await http(s, 'GET', '/contacts/export');
  assert.equal(r.status, 303);
});

test('export : formules neutralisées (= + - @) ; l\'aller-retour export → import recrée les mêmes contacts', async () => {
  const a = await freshAdmin('roundtrip');
  const cats = {};
  for (const n of ['Clients', 'Élèves; "spéciaux"', '=Formule']) cats[n] = (await api('POST', '/api/categories', { name: n }, a.token)).json.id;
  const people = [
    ['0621000001', '=HYPERLINK("http://x")', 'Piège', 'Clients'],
    ['0621000002', '+Plus', '-Moins', 'Élèves; "spéciaux"'],
    ['0621000003', '@Arobase', 'Normal', '=Formule'],
    ['0621000004', 'Hélène', 'O"Brien, Jr', null],
    ['0621000005', '', '', null],
    ['+32 470 21 00 06', 'Jan', 'Peeters-Tab', 'Clients'],
    ['+1 415 555 0107', 'Ann', "'Apostrophe", null],
    ['+7 812 123 45 67', 'Ivan', 'Saint-Pétersbourg', null],
    ['+39 06 1234 5678', 'Gianni', 'Roma', 'Clients'],
    ['+225 07 12 34 56 78', 'Awa', 'Abidjan', null],
  ];
  for (const [n, f, l, c] of people) {
    const r = await api('POST', '/api/contacts', { country_code: '+33', phone_number: n, first_name: f, last_name: l, category_ids: c ? [cats[c]] : [] }, a.token);
    assert.equal(r.status, 201, `${n} : ${r.text}`);
  }
  for (const sep of ['comma', 'semicolon']) {
    const delim = sep === 'comma' ? ',' : ';';
    const r = await httpRaw(s, 'GET', `/api/contacts/export?sep=${sep}`, { token: a.token });
    assert.equal(r.status, 200);
    const text = r.buf.subarray(3).toString('utf8');
    // Neutralisation : apostrophe devant, dans des guillemets.
    assert.ok(text.includes(`"'=HYPERLINK(""http://x"")"`), 'formule =HYPERLINK neutralisée');
    assert.ok(text.includes(`"'+Plus"`));
    assert.ok(text.includes(`"'-Moins"`));
    assert.ok(text.includes(`"'@Arobase"`));
    assert.ok(text.includes(`"'=Formule"`));
    for (const row of parseCsv(text, delim)) {
      for (const cell of row) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `cellule dangereuse : ${cell}`);
    }
    // Aller-retour vers un admin neuf.
    const b = await freshAdmin('roundtrip');
    const imp2 = ok(await imp(b.token, r.buf));
    assert.equal(imp2.created, people.length, JSON.stringify(imp2.rejected));
    assert.deepEqual(imp2.rejected, []);
    assert.deepEqual(contactsOf(b), contactsOf(a), `aller-retour ${sep}`);
    assert.deepEqual(membersOf(b), membersOf(a), `catégories après aller-retour ${sep}`);
    assert.deepEqual(s.sql(`SELECT country_code, phone_number, full_number FROM contacts WHERE created_by = ${b.id} ORDER BY full_number`),
      s.sql(`SELECT country_code, phone_number, full_number FROM contacts WHERE created_by = ${a.id} ORDER BY full_number`));
  }
});

// Les nouveaux contacts d'un import reçoivent leurs identifiants dans
// l'ordre de la liste (nom, prénom sans casse ni ordre du fichier) : une
// page de la liste est alors contiguë dans la table (lib/import.c).
test('import : identifiants dans l\'ordre alphabétique de la liste, pas dans celui du fichier', async () => {
  const a = await freshAdmin('ordre');
  const names = [['Zoé', 'Martin'], ['anne', 'durand'], ['Bruno', 'Durand'], ['', ''], ['Élodie', 'abel'],
    ['claire', 'Martin'], ['Yves', ''], ['Marc', 'Zola'], ['Alice', 'martin'], ['Paul', 'Bernard']];
  const rows = ['telephone,prenom,nom'];
  names.forEach(([f, l], i) => rows.push(`+336120000${String(i).padStart(2, '0')},${f},${l}`));
  assert.equal(ok(await imp(a.token, rows.join('\n') + '\n')).created, 10);
  const list = ok(await api('GET', '/api/contacts?page=1', undefined, a.token));
  assert.equal(list.total, 10);
  const ids = list.items.map((c) => c.id);
  assert.deepEqual(ids, [...ids].sort((x, y) => x - y), `ids dans l'ordre de la liste : ${ids}`);
  // Et la liste elle-même reste dans l'ordre des noms (sans nom d'abord).
  assert.deepEqual(list.items.map((c) => `${c.last_name ?? ''}|${c.first_name ?? ''}`).slice(0, 3), ['|', '|Yves', 'abel|Élodie']);
});
