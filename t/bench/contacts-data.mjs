// Données du banc « contacts » : fichier CSV de N contacts (60 % avec des
// prénoms et noms français accentués, numéros +336XXXXXXXX tous
// différents), termes de recherche variés. Tirage déterministe (graine).

export const FIRST = ['Hélène', 'François', 'Zoé', 'Chloé', 'Léa', 'Jérôme', 'Agnès', 'Anaïs', 'Gaëlle',
  'Noël', 'Benoît', 'Céline', 'Mélanie', 'Stéphane', 'Frédéric', 'Valérie', 'Aurélie', 'Sébastien',
  'Régis', 'Thérèse', 'Joël', 'Maëlle', 'Loïc', 'Inès', 'Raphaël', 'Éloïse', 'Cécile', 'Andrée',
  'Josée', 'Renée', 'Marie', 'Jean', 'Pierre', 'Louis', 'Camille', 'Manon', 'Lucas', 'Hugo', 'Emma',
  'Nathalie', 'Timothée', 'Clémence', 'Mathéo', 'Noémie', 'Anaëlle', 'Jérémie', 'Élodie', 'Ophélie'];
export const LAST = ['Lefèvre', 'Dupont', 'Martin', 'Bernard', 'Thomas', 'Petit', 'Robert', 'Richard',
  'Durand', 'Dubois', 'Moreau', 'Laurent', 'Simon', 'Michel', 'Garnier', 'Faure', 'Rousseau', 'Blanc',
  'Guérin', 'Müller', 'Boyer', 'Girard', 'Bonnet', 'Mercier', 'Lambert', 'Fontaine', 'Chevalier',
  'Rivière', 'Gaillard', 'Brunet', 'Perrin', 'Morel', 'Fournier', 'Giraud', 'André', 'Léger', 'Barbé',
  'Lemaître', 'Bégué', 'Crémieux', 'Deschênes', 'Côté', 'Gagné', 'Bélanger', 'Pelletier', 'Lévesque',
  'Bérubé', 'Ménard', 'Lefebvre-Dumas', 'Saint-Étienne'];

// Générateur pseudo-aléatoire 32 bits (mulberry32).
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (r, arr) => arr[Math.floor(r() * arr.length)];

// Minuscules sans accents (ce qu'un utilisateur tape souvent).
export const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

// Le i-ème numéro : +336 puis 8 chiffres ; i → (i·7919 + 13) mod 10⁸ est
// une bijection (7919 premier avec 10⁸), donc tous différents.
export const numberOf = (i) => '+336' + String((i * 7919 + 13) % 1e8).padStart(8, '0');

// CSV « Prénom;Nom;Téléphone » de n lignes ; rend { csv (Buffer), rows }.
// rows[i] = { first, last, number } (first/last '' pour les 40 % sans nom).
export function contactsCsv(n, seed = 42) {
  const r = rng(seed);
  const rows = new Array(n);
  const parts = ['Prénom;Nom;Téléphone\n'];
  for (let i = 0; i < n; i++) {
    const named = r() < 0.6;
    const first = named ? pick(r, FIRST) : '';
    const last = named ? pick(r, LAST) : '';
    const number = numberOf(i);
    rows[i] = { first, last, number };
    parts.push(`${first};${last};${number}\n`);
  }
  return { csv: Buffer.from(parts.join(''), 'utf8'), rows };
}

// Termes de recherche par nom : prénom ou nom sans accents, avec accents,
// début de nom, « prénom nom ».
export function nameTerms(count, seed = 7) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const f = pick(r, FIRST), l = pick(r, LAST);
    switch (i % 5) {
    case 0: out.push(fold(f)); break;
    case 1: out.push(l); break;
    case 2: out.push(fold(l).slice(0, 4)); break;
    case 3: out.push(`${fold(f)} ${fold(l)}`); break;
    default: out.push(f.toUpperCase()); break;
    }
  }
  return out;
}

// Termes de recherche par chiffres, tirés de numéros existants : 4 derniers
// chiffres, 6 chiffres du milieu, numéro national « 06 12 34 56 78 »,
// international « +33 6 12 34 56 78 », début « 06 12 3 ».
export function digitTerms(count, n, seed = 11) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const num = numberOf(Math.floor(r() * n));   // +336XXXXXXXX
    const nat = '0' + num.slice(3);              // 06XXXXXXXX
    switch (i % 5) {
    case 0: out.push(num.slice(-4)); break;
    case 1: out.push(num.slice(5, 11)); break;
    case 2: out.push(nat.replace(/(\d\d)(?=\d)/g, '$1 ')); break;
    case 3: out.push(`+33 6 ${num.slice(4).replace(/(\d\d)(?=\d)/g, '$1 ')}`); break;
    default: out.push(nat.slice(0, 5).replace(/(\d\d)(?=\d)/g, '$1 ')); break;
    }
  }
  return out;
}
