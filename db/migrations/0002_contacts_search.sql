-- Recherche rapide des contacts et compteurs par propriétaire (ticket 4).
--  * search_key : noms sans accents en minuscules + chiffres du numéro
--    (international et national), calculé par lib/contact.c ;
--  * contacts_fts : index FTS5 trigramme sur search_key (sous-chaînes) ;
--  * owner_counts : totaux tenus à jour par déclencheurs, pour ne pas
--    recompter 100 000 lignes à chaque page.

ALTER TABLE contacts ADD COLUMN search_key TEXT;

CREATE VIRTUAL TABLE contacts_fts USING fts5(
    search_key, content = 'contacts', content_rowid = 'id', tokenize = 'trigram'
);

CREATE TRIGGER contacts_fts_ai AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts(rowid, search_key) VALUES (new.id, new.search_key);
END;
CREATE TRIGGER contacts_fts_ad AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts(contacts_fts, rowid, search_key)
        VALUES ('delete', old.id, old.search_key);
END;
CREATE TRIGGER contacts_fts_au AFTER UPDATE OF search_key ON contacts BEGIN
    INSERT INTO contacts_fts(contacts_fts, rowid, search_key)
        VALUES ('delete', old.id, old.search_key);
    INSERT INTO contacts_fts(rowid, search_key) VALUES (new.id, new.search_key);
END;

CREATE INDEX idx_contacts_owner_name
    ON contacts(created_by, last_name COLLATE NOCASE, first_name COLLATE NOCASE, id);
CREATE INDEX idx_categories_owner_used ON categories(created_by, updated_at);

CREATE TABLE owner_counts (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    contacts   INTEGER NOT NULL DEFAULT 0,
    categories INTEGER NOT NULL DEFAULT 0
);
INSERT INTO owner_counts(user_id, contacts, categories)
    SELECT u.id,
           (SELECT count(*) FROM contacts WHERE created_by = u.id),
           (SELECT count(*) FROM categories WHERE created_by = u.id)
    FROM users u;

CREATE TRIGGER owner_counts_user AFTER INSERT ON users BEGIN
    INSERT OR IGNORE INTO owner_counts(user_id) VALUES (new.id);
END;
CREATE TRIGGER owner_counts_contact_ai AFTER INSERT ON contacts BEGIN
    UPDATE owner_counts SET contacts = contacts + 1 WHERE user_id = new.created_by;
END;
CREATE TRIGGER owner_counts_contact_ad AFTER DELETE ON contacts BEGIN
    UPDATE owner_counts SET contacts = contacts - 1 WHERE user_id = old.created_by;
END;
CREATE TRIGGER owner_counts_contact_au AFTER UPDATE OF created_by ON contacts BEGIN
    UPDATE owner_counts SET contacts = contacts - 1 WHERE user_id = old.created_by;
    UPDATE owner_counts SET contacts = contacts + 1 WHERE user_id = new.created_by;
END;
CREATE TRIGGER owner_counts_category_ai AFTER INSERT ON categories BEGIN
    UPDATE owner_counts SET categories = categories + 1 WHERE user_id = new.created_by;
END;
CREATE TRIGGER owner_counts_category_ad AFTER DELETE ON categories BEGIN
    UPDATE owner_counts SET categories = categories - 1 WHERE user_id = old.created_by;
END;
CREATE TRIGGER owner_counts_category_au AFTER UPDATE OF created_by ON categories BEGIN
    UPDATE owner_counts SET categories = categories - 1 WHERE user_id = old.created_by;
    UPDATE owner_counts SET categories = categories + 1 WHERE user_id = new.created_by;
END;
