-- Propriétaire recopié sur chaque message (ticket 7) : la liste filtrée
-- des messages d'un admin (GET /api/messages, page Statistiques) se lit
-- dans un index (owner_id, statut, id) au lieu de joindre les campagnes et
-- de trier, pour tenir ≤ 10 ms au 99e centile sur 1 000 000 de messages.
--
-- owner_id vaut toujours campaigns.created_by de la campagne du message :
--   * le lancement et Message 2 l'écrivent dans leur INSERT ;
--   * toute autre insertion (client sqlite3, tests) qui l'omet (0) est
--     complétée par msgowner_ai ;
--   * un changement de propriétaire de campagne (suppression d'un admin,
--     lib/user.c) le recopie par msgowner_campaign_au ;
--   * un message déplacé vers une autre campagne le reprend (msgowner_move).

ALTER TABLE messages ADD COLUMN owner_id INTEGER NOT NULL DEFAULT 0;

UPDATE messages SET owner_id = (SELECT created_by FROM campaigns
                                WHERE id = messages.campaign_id);

-- Le rowid (id) termine implicitement chaque index : « ORDER BY id DESC »
-- se lit dans l'index, sans tri, pour un propriétaire seul ou avec statut
-- ou type.
CREATE INDEX idx_messages_owner ON messages(owner_id);
CREATE INDEX idx_messages_owner_status ON messages(owner_id, status);
CREATE INDEX idx_messages_owner_type ON messages(owner_id, message_type, status);
-- Filtre de dates : messages d'une plage, les plus récents d'abord ; avec
-- un statut (« échecs de la semaine »), le second. Il remplace l'index sur
-- le statut seul de 0001, qu'aucune requête ne lit (le moteur d'envoi lit
-- ses index partiels, les listes ceux du propriétaire).
CREATE INDEX idx_messages_owner_day
    ON messages(owner_id, coalesce(sent_at, created_at));
DROP INDEX idx_messages_status;
CREATE INDEX idx_messages_owner_status_day
    ON messages(owner_id, status, coalesce(sent_at, created_at));
-- Recherche par contact : les messages des contacts trouvés (nom ou
-- numéro), comptés dans l'index seul avec leur statut et leur type. Sert
-- aussi la suppression en cascade d'un contact (remplace celui de 0001).
DROP INDEX idx_messages_contact;
CREATE INDEX idx_messages_contact
    ON messages(contact_id, owner_id, status, message_type);

CREATE TRIGGER msgowner_ai AFTER INSERT ON messages WHEN new.owner_id = 0
BEGIN
    UPDATE messages SET owner_id = (SELECT created_by FROM campaigns
                                    WHERE id = new.campaign_id)
        WHERE id = new.id;
END;

CREATE TRIGGER msgowner_campaign_au AFTER UPDATE OF created_by ON campaigns
    WHEN old.created_by <> new.created_by BEGIN
    UPDATE messages SET owner_id = new.created_by WHERE campaign_id = new.id;
END;

CREATE TRIGGER msgowner_move AFTER UPDATE OF campaign_id ON messages
    WHEN old.campaign_id <> new.campaign_id BEGIN
    UPDATE messages SET owner_id = (SELECT created_by FROM campaigns
                                    WHERE id = new.campaign_id)
        WHERE id = new.id;
END;

-- Total d'une liste filtrée par statut (« échecs ») : lu dans les agrégats
-- d'un propriétaire par statut, sans parcourir ses lignes de toutes les
-- campagnes (1 000 campagnes × types × statuts).
CREATE INDEX idx_msg_status_counts_owner_status
    ON msg_status_counts(owner_id, status, message_type, n);
