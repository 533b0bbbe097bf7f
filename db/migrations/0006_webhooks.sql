-- Webhook : un message reçu est rattaché au contact par son numéro E.164
-- (chez chaque admin qui l'a) ; l'index UNIQUE(created_by, full_number)
-- commence par le propriétaire, celui-ci sert la recherche par numéro seul.
CREATE INDEX idx_contacts_number ON contacts(full_number);
