-- Index trigramme sans positions (ticket 9, profil de l'import) : avec
-- detail=full, chaque trigramme de chaque clé gardait sa position, ce qui
-- coûtait près de 40 % du temps d'un import de 100 000 lignes. Sans
-- positions, l'index ne sait plus chercher une phrase : la recherche
-- demande chaque trigramme du terme (cbw_trigrams(), lib/fold.c) puis
-- vérifie la sous-chaîne exacte avec instr() sur la clé (lib/contact.c,
-- lib/message.c). Les déclencheurs de 0002 et 0005 visent la table par
-- son nom : ils restent valables.
DROP TABLE contacts_fts;
CREATE VIRTUAL TABLE contacts_fts USING fts5(
    search_key, content = 'contacts', content_rowid = 'id', tokenize = 'trigram',
    columnsize = 0, detail = none
);
INSERT INTO contacts_fts(contacts_fts) VALUES ('rebuild');
