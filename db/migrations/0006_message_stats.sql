-- Statistiques des messages (ticket 7) : agrégats tenus à jour par
-- déclencheurs, dans la transaction même de chaque écriture (envoi,
-- webhook, lancement, annulation, reprise, suppressions en cascade,
-- changement de propriétaire), pour que le tableau de bord réponde sans
-- jamais parcourir la table messages (1 000 000 de lignes).
--
-- msg_hourly : événements comptés à l'heure UTC (« AAAA-MM-JJTHH », les
-- 13 premiers caractères de l'horodatage) où ils ont eu lieu :
--   sent      messages dont sent_at tombe dans l'heure ;
--   delivered delivered_at ; read read_at ;
--   failed    messages dont le statut est *actuellement* 'failed', à
--             l'heure de failed_at (une ligne remise en file sort du compte
--             quand elle repasse à 'pending') ;
--   replies   interactions 'reply' ou 'reaction', à l'heure de received_at.
-- Les deux types de message (Message 1 et Message 2) sont comptés.
--
-- msg_status_counts : nombre actuel de messages par statut et par type
-- (message_type ajouté à la clé : le taux de réussite, propriété 6, se
-- calcule comme celui des campagnes, sur les seuls Message 1, tandis que
-- les totaux par statut comptent les deux types).
--
-- Le propriétaire (owner_id) est celui de la campagne (campaigns.created_by),
-- lu par clé primaire. Quand la campagne n'existe plus (suppression en
-- cascade : ses messages et interactions sont effacés après elle), les
-- déclencheurs des lignes filles ne trouvent pas de propriétaire et ne font
-- rien ; celui de la campagne efface ses lignes d'agrégats.
--
-- Chaque déclencheur de mise à jour ne se déclenche que si la valeur qui le
-- concerne change (à l'heure près pour les horodatages) : l'envoi et le
-- webhook ne paient que ce qui bouge. Les lignes tombées à zéro restent
-- (inoffensives, réutilisées) ; les requêtes les ignorent.

CREATE TABLE msg_hourly (
    owner_id    INTEGER NOT NULL,
    hour        TEXT NOT NULL,            -- « AAAA-MM-JJTHH » UTC
    campaign_id INTEGER NOT NULL,
    sent        INTEGER NOT NULL DEFAULT 0,
    delivered   INTEGER NOT NULL DEFAULT 0,
    read        INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    replies     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_id, hour, campaign_id)
) WITHOUT ROWID;
-- Plateforme entière (super admin) par plage d'heures ; une campagne
-- (filtre, suppression, changement de propriétaire).
CREATE INDEX idx_msg_hourly_hour ON msg_hourly(hour);
CREATE INDEX idx_msg_hourly_campaign ON msg_hourly(campaign_id, hour);

CREATE TABLE msg_status_counts (
    owner_id     INTEGER NOT NULL,
    campaign_id  INTEGER NOT NULL,
    message_type TEXT NOT NULL,
    status       TEXT NOT NULL,
    n            INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_id, campaign_id, message_type, status)
) WITHOUT ROWID;
CREATE INDEX idx_msg_status_counts_campaign ON msg_status_counts(campaign_id);

-- Désinscriptions d'un admin sur une plage de dates.
CREATE INDEX idx_contacts_opted_out ON contacts(created_by, opted_out_at)
    WHERE opted_out_at IS NOT NULL;

-- Suppression en cascade d'un message (campagne ou contact supprimés) :
-- interactions.message_id ON DELETE SET NULL cherchait les interactions du
-- message sans index, soit un parcours complet de interactions par message
-- supprimé (475 s pour une campagne de 100 000 messages avec 69 000
-- interactions dans la base).
CREATE INDEX idx_interactions_message ON interactions(message_id)
    WHERE message_id IS NOT NULL;

-- Remplissage depuis les données existantes.
INSERT INTO msg_status_counts(owner_id, campaign_id, message_type, status, n)
    SELECT k.created_by, m.campaign_id, m.message_type, m.status, count(*)
    FROM messages m JOIN campaigns k ON k.id = m.campaign_id
    GROUP BY k.created_by, m.campaign_id, m.message_type, m.status;

INSERT INTO msg_hourly(owner_id, hour, campaign_id, sent, delivered, read,
        failed, replies)
    SELECT k.created_by, e.hour, e.campaign_id, sum(e.kind = 1),
           sum(e.kind = 2), sum(e.kind = 3), sum(e.kind = 4), sum(e.kind = 5)
    FROM (
        SELECT campaign_id, substr(sent_at, 1, 13) AS hour, 1 AS kind
            FROM messages WHERE sent_at IS NOT NULL
        UNION ALL
        SELECT campaign_id, substr(delivered_at, 1, 13), 2
            FROM messages WHERE delivered_at IS NOT NULL
        UNION ALL
        SELECT campaign_id, substr(read_at, 1, 13), 3
            FROM messages WHERE read_at IS NOT NULL
        UNION ALL
        SELECT campaign_id, substr(failed_at, 1, 13), 4
            FROM messages WHERE status = 'failed' AND failed_at IS NOT NULL
        UNION ALL
        SELECT campaign_id, substr(received_at, 1, 13), 5
            FROM interactions WHERE interaction_type IN ('reply', 'reaction')
            AND campaign_id IS NOT NULL
    ) e JOIN campaigns k ON k.id = e.campaign_id
    GROUP BY k.created_by, e.hour, e.campaign_id;

-- ---------------------------------------------------------------------------
-- messages : ajout. Une ligne 'pending' sans horodatage (lancement) ne
-- touche que msg_status_counts.

CREATE TRIGGER msgstats_ai_status AFTER INSERT ON messages BEGIN
    INSERT INTO msg_status_counts(owner_id, campaign_id, message_type, status, n)
        SELECT created_by, new.campaign_id, new.message_type, new.status, 1
        FROM campaigns WHERE id = new.campaign_id
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER msgstats_ai_hourly AFTER INSERT ON messages
    WHEN new.sent_at IS NOT NULL OR new.delivered_at IS NOT NULL
      OR new.read_at IS NOT NULL
      OR (new.status = 'failed' AND new.failed_at IS NOT NULL) BEGIN
    INSERT INTO msg_hourly(owner_id, hour, campaign_id, sent)
        SELECT created_by, substr(new.sent_at, 1, 13), new.campaign_id, 1
        FROM campaigns WHERE id = new.campaign_id AND new.sent_at IS NOT NULL
        ON CONFLICT DO UPDATE SET sent = sent + 1;
    INSERT INTO msg_hourly(owner_id, hour, campaign_id, delivered)
        SELECT created_by, substr(new.delivered_at, 1, 13), new.campaign_id, 1
        FROM campaigns WHERE id = new.campaign_id
        AND new.delivered_at IS NOT NULL
        ON CONFLICT DO UPDATE SET delivered = delivered + 1;
    INSERT INTO msg_hourly(owner_id, hour, campaign_id, read)
        SELECT created_by, substr(new.read_at, 1, 13), new.campaign_id, 1
        FROM campaigns WHERE id = new.campaign_id AND new.read_at IS NOT NULL
        ON CONFLICT DO UPDATE SET read = read + 1;
    INSERT INTO msg_hourly(owner_id, hour, campaign_id, failed)
        SELECT created_by, substr(new.failed_at, 1, 13), new.campaign_id, 1
        FROM campaigns WHERE id = new.campaign_id AND new.status = 'failed'
        AND new.failed_at IS NOT NULL
        ON CONFLICT DO UPDATE SET failed = failed + 1;
END;

-- messages : suppression (contact ou campagne supprimés, en cascade).

CREATE TRIGGER msgstats_ad_status AFTER DELETE ON messages BEGIN
    UPDATE msg_status_counts SET n = n - 1
        WHERE owner_id = (SELECT created_by FROM campaigns
                          WHERE id = old.campaign_id)
        AND campaign_id = old.campaign_id
        AND message_type = old.message_type AND status = old.status;
END;
CREATE TRIGGER msgstats_ad_hourly AFTER DELETE ON messages
    WHEN old.sent_at IS NOT NULL OR old.delivered_at IS NOT NULL
      OR old.read_at IS NOT NULL
      OR (old.status = 'failed' AND old.failed_at IS NOT NULL) BEGIN
    UPDATE msg_hourly SET
        sent = sent - (hour IS substr(old.sent_at, 1, 13)),
        delivered = delivered - (hour IS substr(old.delivered_at, 1, 13)),
        read = read - (hour IS substr(old.read_at, 1, 13)),
        failed = failed - (old.status = 'failed'
                           AND hour IS substr(old.failed_at, 1, 13))
        WHERE owner_id = (SELECT created_by FROM campaigns
                          WHERE id = old.campaign_id)
        AND campaign_id = old.campaign_id
        AND hour IN (substr(old.sent_at, 1, 13), substr(old.delivered_at, 1, 13),
                     substr(old.read_at, 1, 13),
                     CASE WHEN old.status = 'failed'
                          THEN substr(old.failed_at, 1, 13) END);
END;

-- messages : changement de campagne ou de type (aucun chemin du programme
-- ne le fait ; le client sqlite3 le pourrait) : tout retirer, tout remettre.

CREATE TRIGGER msgstats_au_move AFTER UPDATE OF campaign_id, message_type
    ON messages
    WHEN old.campaign_id <> new.campaign_id
      OR old.message_type <> new.message_type BEGIN
    UPDATE msg_status_counts SET n = n - 1
        WHERE owner_id = (SELECT created_by FROM campaigns
                          WHERE id = old.campaign_id)
        AND campaign_id = old.campaign_id
        AND message_type = old.message_type AND status = old.status;
    INSERT INTO msg_status_counts(owner_id, campaign_id, message_type, status, n)
        SELECT created_by, new.campaign_id, new.message_type, new.status, 1
        FROM campaigns WHERE id = new.campaign_id
        ON CONFLICT DO UPDATE SET n = n + 1;
    UPDATE msg_hourly SET
        sent = sent - (hour IS substr(old.sent_at, 1, 13)),
        delivered = delivered - (hour IS substr(old.delivered_at, 1, 13)),
        read = read - (hour IS substr(old.read_at, 1, 13)),
        failed = failed - (old.status = 'failed'
                           AND hour IS substr(old.failed_at, 1, 13))
        WHERE old.campaign_id <> new.campaign_id
        AND owner_id = (SELECT created_by FROM campaigns
                        WHERE id = old.campaign_id)
        AND campaign_id = old.campaign_id
        AND hour IN (substr(old.sent_at, 1, 13), substr(old.delivered_at, 1, 13),
                     substr(old.read_at, 1, 13),
                     CASE WHEN old.status = 'failed'
                          THEN substr(old.failed_at, 1, 13) END);
    INSERT INTO msg_hourly(owner_id, hour, campaign_id, sent)
        SELECT created_by, substr(new.sent_at, 1, 13), new.campaign_id, 1
        FROM campaigns WHERE id = new.campaign_id AND new.sent_at IS NOT NULL
        AND old.campaign_id <> new.campaign_id
        ON CONFLICT DO UPDATE SET sent = sent + 1;
    INSERT INTO msg_hourly(owner_id, hour, campaign_id, delivered)
        SELECT created_by, substr(new.delivered_at, 1, 13), new.campaign_id, 1
        FROM campaigns WHERE id = new.campaign_id
        AND new.delivered_at IS NOT NULL AND old.campaign_id <> new.campaign_id
        ON CONFLICT DO UPDATE SET delivered = delivered + 1;
    INSERT INTO msg_hourly(owner_id, hour, campaign_id, read)
        SELECT created_by, substr(new.read_at, 1, 13), new.campaign_id, 1
        FROM campaigns WHERE id = new.campaign_id AND new.read_at IS NOT NULL
        AND old.campaign_id <> new.campaign_id
        ON CONFLICT DO UPDATE SET read = read + 1;
    INSERT INTO msg_hourly(owner_id, hour, campaign_id, failed)
        SELECT created_by, substr(new.failed_at, 1, 13), new.campaign_id, 1
        FROM campaigns WHERE id = new.campaign_id AND new.status = 'failed'
        AND new.failed_at IS NOT NULL AND old.campaign_id <> new.campaign_id
        ON CONFLICT DO UPDATE SET failed = failed + 1;
END;

-- messages : changements ordinaires (même campagne, même type). Le
-- déclencheur ci-dessus a déjà tout compté quand la campagne change : les
-- suivants ne font rien dans ce cas (campagne) ; quand seul le type change,
-- msg_hourly (sans type) n'a rien à faire et msg_status_counts est à jour.

CREATE TRIGGER msgstats_au_status AFTER UPDATE OF status ON messages
    WHEN old.status <> new.status AND old.campaign_id = new.campaign_id
      AND old.message_type = new.message_type BEGIN
    UPDATE msg_status_counts SET n = n - 1
        WHERE owner_id = (SELECT created_by FROM campaigns
                          WHERE id = old.campaign_id)
        AND campaign_id = old.campaign_id
        AND message_type = old.message_type AND status = old.status;
    INSERT INTO msg_status_counts(owner_id, campaign_id, message_type, status, n)
        SELECT created_by, new.campaign_id, new.message_type, new.status, 1
        FROM campaigns WHERE id = new.campaign_id
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER msgstats_au_sent AFTER UPDATE OF sent_at ON messages
    WHEN substr(old.sent_at, 1, 13) IS NOT substr(new.sent_at, 1, 13)
      AND old.campaign_id = new.campaign_id BEGIN
    UPDATE msg_hourly SET sent = sent - 1
        WHERE owner_id = (SELECT created_by FROM campaigns
                          WHERE id = old.campaign_id)
        AND hour = substr(old.sent_at, 1, 13) AND campaign_id = old.campaign_id;
    INSERT INTO msg_hourly(owner_id, hour, campaign_id, sent)
        SELECT created_by, substr(new.sent_at, 1, 13), new.campaign_id, 1
        FROM campaigns WHERE id = new.campaign_id AND new.sent_at IS NOT NULL
        ON CONFLICT DO UPDATE SET sent = sent + 1;
END;

CREATE TRIGGER msgstats_au_delivered AFTER UPDATE OF delivered_at ON messages
    WHEN substr(old.delivered_at, 1, 13) IS NOT substr(new.delivered_at, 1, 13)
      AND old.campaign_id = new.campaign_id BEGIN
    UPDATE msg_hourly SET delivered = delivered - 1
        WHERE owner_id = (SELECT created_by FROM campaigns
                          WHERE id = old.campaign_id)
        AND hour = substr(old.delivered_at, 1, 13)
        AND campaign_id = old.campaign_id;
    INSERT INTO msg_hourly(owner_id, hour, campaign_id, delivered)
        SELECT created_by, substr(new.delivered_at, 1, 13), new.campaign_id, 1
        FROM campaigns WHERE id = new.campaign_id
        AND new.delivered_at IS NOT NULL
        ON CONFLICT DO UPDATE SET delivered = delivered + 1;
END;

CREATE TRIGGER msgstats_au_read AFTER UPDATE OF read_at ON messages
    WHEN substr(old.read_at, 1, 13) IS NOT substr(new.read_at, 1, 13)
      AND old.campaign_id = new.campaign_id BEGIN
    UPDATE msg_hourly SET read = read - 1
        WHERE owner_id = (SELECT created_by FROM campaigns
                          WHERE id = old.campaign_id)
        AND hour = substr(old.read_at, 1, 13) AND campaign_id = old.campaign_id;
    INSERT INTO msg_hourly(owner_id, hour, campaign_id, read)
        SELECT created_by, substr(new.read_at, 1, 13), new.campaign_id, 1
        FROM campaigns WHERE id = new.campaign_id AND new.read_at IS NOT NULL
        ON CONFLICT DO UPDATE SET read = read + 1;
END;

-- Échec compté à l'heure de failed_at tant que le statut est 'failed' :
-- clé (heure ou NULL) avant et après.
CREATE TRIGGER msgstats_au_failed AFTER UPDATE OF status, failed_at ON messages
    WHEN CASE WHEN old.status = 'failed' THEN substr(old.failed_at, 1, 13) END
      IS NOT CASE WHEN new.status = 'failed' THEN substr(new.failed_at, 1, 13) END
      AND old.campaign_id = new.campaign_id BEGIN
    UPDATE msg_hourly SET failed = failed - 1
        WHERE owner_id = (SELECT created_by FROM campaigns
                          WHERE id = old.campaign_id)
        AND hour = CASE WHEN old.status = 'failed'
                        THEN substr(old.failed_at, 1, 13) END
        AND campaign_id = old.campaign_id;
    INSERT INTO msg_hourly(owner_id, hour, campaign_id, failed)
        SELECT created_by, substr(new.failed_at, 1, 13), new.campaign_id, 1
        FROM campaigns WHERE id = new.campaign_id AND new.status = 'failed'
        AND new.failed_at IS NOT NULL
        ON CONFLICT DO UPDATE SET failed = failed + 1;
END;

-- ---------------------------------------------------------------------------
-- interactions : réponses et réactions rattachées à une campagne.

CREATE TRIGGER msgstats_interaction_ai AFTER INSERT ON interactions
    WHEN new.interaction_type IN ('reply', 'reaction')
      AND new.campaign_id IS NOT NULL BEGIN
    INSERT INTO msg_hourly(owner_id, hour, campaign_id, replies)
        SELECT created_by, substr(new.received_at, 1, 13), new.campaign_id, 1
        FROM campaigns WHERE id = new.campaign_id
        ON CONFLICT DO UPDATE SET replies = replies + 1;
END;
CREATE TRIGGER msgstats_interaction_ad AFTER DELETE ON interactions
    WHEN old.interaction_type IN ('reply', 'reaction')
      AND old.campaign_id IS NOT NULL BEGIN
    UPDATE msg_hourly SET replies = replies - 1
        WHERE owner_id = (SELECT created_by FROM campaigns
                          WHERE id = old.campaign_id)
        AND hour = substr(old.received_at, 1, 13)
        AND campaign_id = old.campaign_id;
END;
CREATE TRIGGER msgstats_interaction_au AFTER UPDATE OF interaction_type,
    received_at, campaign_id ON interactions
    WHEN (old.interaction_type IN ('reply', 'reaction')
          AND old.campaign_id IS NOT NULL)
      OR (new.interaction_type IN ('reply', 'reaction')
          AND new.campaign_id IS NOT NULL) BEGIN
    UPDATE msg_hourly SET replies = replies - 1
        WHERE old.interaction_type IN ('reply', 'reaction')
        AND owner_id = (SELECT created_by FROM campaigns
                        WHERE id = old.campaign_id)
        AND hour = substr(old.received_at, 1, 13)
        AND campaign_id = old.campaign_id;
    INSERT INTO msg_hourly(owner_id, hour, campaign_id, replies)
        SELECT created_by, substr(new.received_at, 1, 13), new.campaign_id, 1
        FROM campaigns WHERE id = new.campaign_id
        AND new.interaction_type IN ('reply', 'reaction')
        ON CONFLICT DO UPDATE SET replies = replies + 1;
END;

-- ---------------------------------------------------------------------------
-- campaigns : changement de propriétaire (suppression d'un admin, lib/user.c)
-- et suppression. Une campagne n'a de lignes que sous son propriétaire
-- actuel : changer owner_id ne peut pas entrer en conflit.

CREATE TRIGGER msgstats_campaign_owner AFTER UPDATE OF created_by ON campaigns
    WHEN old.created_by <> new.created_by BEGIN
    UPDATE msg_hourly SET owner_id = new.created_by
        WHERE campaign_id = new.id AND owner_id = old.created_by;
    UPDATE msg_status_counts SET owner_id = new.created_by
        WHERE campaign_id = new.id AND owner_id = old.created_by;
END;
CREATE TRIGGER msgstats_campaign_ad AFTER DELETE ON campaigns BEGIN
    DELETE FROM msg_hourly WHERE campaign_id = old.id;
    DELETE FROM msg_status_counts WHERE campaign_id = old.id;
END;
