-- Index idx_contacts_phone(full_number) retiré (ticket 9, profil de
-- l'import) : rempli dans le désordre à chaque import, il coûtait près de
-- la moitié du temps d'un import de 100 000 lignes. Les recherches par
-- numéro seul (réponses et désabonnements entrants, lib/automation.c)
-- passent par l'index unique (created_by, full_number), un admin après
-- l'autre : « created_by IN (SELECT id FROM users) AND full_number = ? ».
DROP INDEX IF EXISTS idx_contacts_phone;
