-- Envoi : classe de l'erreur de chaque message (pour la reprise à la main),
-- journal des appels à l'API (fenêtre glissante de 60 s comptée dans la
-- base, quel que soit le nombre de passages du cron) et compteurs des
-- campagnes tenus par déclencheurs, dans la transaction même du changement
-- de statut (jamais incrémentés à l'aveugle : dérivés de la transition).

ALTER TABLE messages ADD COLUMN error_class TEXT
    CHECK (error_class IN ('retryable', 'permanent', 'stop', 'unknown'));

CREATE TABLE send_attempts (
    id         INTEGER PRIMARY KEY,
    at_ms      INTEGER NOT NULL,
    message_id INTEGER
);
CREATE INDEX idx_send_attempts_at ON send_attempts(at_ms);

CREATE INDEX idx_messages_sending ON messages(claimed_at) WHERE status = 'sending';
CREATE INDEX idx_messages_retry ON messages(failed_at)
    WHERE status = 'failed' AND retryable = 1;

CREATE TRIGGER messages_counts_ai AFTER INSERT ON messages
    WHEN new.message_type = 'message_1' BEGIN
    UPDATE campaigns SET
        sent_count = sent_count + (new.status IN ('sent', 'delivered', 'read', 'failed')),
        success_count = success_count + (new.status IN ('sent', 'delivered', 'read')),
        failed_count = failed_count + (new.status = 'failed')
        WHERE id = new.campaign_id;
END;
CREATE TRIGGER messages_counts_au AFTER UPDATE OF status ON messages
    WHEN new.message_type = 'message_1' AND old.status <> new.status BEGIN
    UPDATE campaigns SET
        sent_count = sent_count + (new.status IN ('sent', 'delivered', 'read', 'failed'))
            - (old.status IN ('sent', 'delivered', 'read', 'failed')),
        success_count = success_count + (new.status IN ('sent', 'delivered', 'read'))
            - (old.status IN ('sent', 'delivered', 'read')),
        failed_count = failed_count + (new.status = 'failed') - (old.status = 'failed')
        WHERE id = new.campaign_id;
END;
CREATE TRIGGER messages_counts_ad AFTER DELETE ON messages
    WHEN old.message_type = 'message_1' BEGIN
    UPDATE campaigns SET
        sent_count = sent_count - (old.status IN ('sent', 'delivered', 'read', 'failed')),
        success_count = success_count - (old.status IN ('sent', 'delivered', 'read')),
        failed_count = failed_count - (old.status = 'failed')
        WHERE id = old.campaign_id;
END;
