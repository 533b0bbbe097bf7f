-- Version de la liste de contacts de chaque admin (ticket 4) : augmentée
-- à chaque ajout, suppression, changement de propriétaire ou de nom. Le
-- programme cbw-contacts garde en mémoire l'ordre alphabétique des
-- identifiants et ne le relit que quand cette version change : les pages
-- lointaines (?page=1000) ne parcourent plus l'index à chaque requête.

ALTER TABLE owner_counts ADD COLUMN contacts_version INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER owner_counts_contact_ai;
DROP TRIGGER owner_counts_contact_ad;
DROP TRIGGER owner_counts_contact_au;

CREATE TRIGGER owner_counts_contact_ai AFTER INSERT ON contacts BEGIN
    UPDATE owner_counts SET contacts = contacts + 1,
        contacts_version = contacts_version + 1 WHERE user_id = new.created_by;
END;
CREATE TRIGGER owner_counts_contact_ad AFTER DELETE ON contacts BEGIN
    UPDATE owner_counts SET contacts = contacts - 1,
        contacts_version = contacts_version + 1 WHERE user_id = old.created_by;
END;
CREATE TRIGGER owner_counts_contact_au AFTER UPDATE OF created_by ON contacts BEGIN
    UPDATE owner_counts SET contacts = contacts - 1,
        contacts_version = contacts_version + 1 WHERE user_id = old.created_by;
    UPDATE owner_counts SET contacts = contacts + 1,
        contacts_version = contacts_version + 1 WHERE user_id = new.created_by;
END;
CREATE TRIGGER owner_counts_contact_names AFTER UPDATE OF first_name, last_name
    ON contacts BEGIN
    UPDATE owner_counts SET contacts_version = contacts_version + 1
        WHERE user_id = new.created_by;
END;
