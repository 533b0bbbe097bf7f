-- Schéma complet de chatbot-whatsapp (DESIGN §5).
-- Dates : texte ISO 8601 UTC « AAAA-MM-JJTHH:MM:SSZ ».

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('super_admin', 'admin')),
    is_active     INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE categories (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    color      TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (created_by, name)
);

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    phone_number TEXT NOT NULL,
    country_code TEXT NOT NULL,
    full_number  TEXT NOT NULL,
    first_name   TEXT,
    last_name    TEXT,
    opted_out_at TEXT,
    created_by   INTEGER NOT NULL REFERENCES users(id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (created_by, full_number)
);
CREATE INDEX idx_contacts_phone ON contacts(full_number);

CREATE TABLE category_contacts (
    id          INTEGER PRIMARY KEY,
    category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
    contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    added_at    TEXT NOT NULL,
    UNIQUE (category_id, contact_id)
);
CREATE INDEX idx_category_contacts_contact ON category_contacts(contact_id);

CREATE TABLE campaigns (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL,
    message_1         TEXT NOT NULL,
    message_2         TEXT,
    template_name     TEXT,
    template_language TEXT,
    template_params   TEXT,
    status            TEXT NOT NULL DEFAULT 'draft'
                      CHECK (status IN ('draft', 'sending', 'completed', 'failed', 'cancelled')),
    status_reason     TEXT,
    total_recipients  INTEGER NOT NULL DEFAULT 0,
    sent_count        INTEGER NOT NULL DEFAULT 0,
    success_count     INTEGER NOT NULL DEFAULT 0,
    failed_count      INTEGER NOT NULL DEFAULT 0,
    interaction_count INTEGER NOT NULL DEFAULT 0,
    created_by        INTEGER NOT NULL REFERENCES users(id),
    launched_at       TEXT,
    completed_at      TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX idx_campaigns_owner ON campaigns(created_by, id);

CREATE TABLE campaign_categories (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
    UNIQUE (campaign_id, category_id)
);
CREATE INDEX idx_campaign_categories_category ON campaign_categories(category_id);

CREATE TABLE messages (
    id                  INTEGER PRIMARY KEY,
    campaign_id         INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    contact_id          INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    message_type        TEXT NOT NULL CHECK (message_type IN ('message_1', 'message_2')),
    content             TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'read', 'failed', 'cancelled')),
    whatsapp_message_id TEXT,
    error_code          INTEGER,
    error_message       TEXT,
    retryable           INTEGER NOT NULL DEFAULT 0 CHECK (retryable IN (0, 1)),
    retry_count         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TEXT,
    claimed_at          TEXT,
    failed_at           TEXT,
    sent_at             TEXT,
    delivered_at        TEXT,
    read_at             TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (campaign_id, contact_id, message_type)
);
CREATE UNIQUE INDEX idx_messages_wamid ON messages(whatsapp_message_id)
    WHERE whatsapp_message_id IS NOT NULL;
CREATE INDEX idx_messages_campaign ON messages(campaign_id, status);
CREATE INDEX idx_messages_contact ON messages(contact_id);
CREATE INDEX idx_messages_status ON messages(status);
CREATE INDEX idx_messages_due ON messages(status, message_type, next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX idx_messages_sent_at ON messages(sent_at) WHERE sent_at IS NOT NULL;

CREATE TABLE interactions (
    id                  INTEGER PRIMARY KEY,
    campaign_id         INTEGER REFERENCES campaigns(id) ON DELETE CASCADE,
    contact_id          INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
    message_id          INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    interaction_type    TEXT NOT NULL
                        CHECK (interaction_type IN ('reply', 'reaction', 'read', 'delivered')),
    content             TEXT,
    whatsapp_message_id TEXT,
    received_at         TEXT NOT NULL,
    UNIQUE (whatsapp_message_id, interaction_type)
);
CREATE INDEX idx_interactions_campaign ON interactions(campaign_id);
CREATE INDEX idx_interactions_contact ON interactions(contact_id);

-- Jetons de rafraîchissement (API) et sessions du navigateur (web).
-- Seule l'empreinte SHA-256 du jeton est gardée. Une famille regroupe les
-- rotations successives d'une même connexion.
CREATE TABLE refresh_tokens (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    family_id   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('api', 'web')),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    replaced_at TEXT,
    revoked_at  TEXT
);
CREATE INDEX idx_refresh_tokens_family ON refresh_tokens(family_id);
CREATE INDEX idx_refresh_tokens_user ON refresh_tokens(user_id);

CREATE TABLE login_attempts (
    id           INTEGER PRIMARY KEY,
    email        TEXT NOT NULL COLLATE NOCASE,
    ip           TEXT NOT NULL,
    success      INTEGER NOT NULL CHECK (success IN (0, 1)),
    attempted_at INTEGER NOT NULL   -- secondes Unix
);
CREATE INDEX idx_login_attempts_email ON login_attempts(email, attempted_at);
CREATE INDEX idx_login_attempts_ip ON login_attempts(ip, attempted_at);

-- Compteur de requêtes par IP et par minute, partagé par tous les programmes.
CREATE TABLE rate_limits (
    ip     TEXT NOT NULL,
    minute INTEGER NOT NULL,         -- secondes Unix / 60
    hits   INTEGER NOT NULL,
    PRIMARY KEY (ip, minute)
) WITHOUT ROWID;

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    actor_email TEXT,
    action      TEXT NOT NULL,
    target_type TEXT,
    target_id   INTEGER,
    details     TEXT,              -- objet JSON
    ip          TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX idx_audit_log_created ON audit_log(created_at);
