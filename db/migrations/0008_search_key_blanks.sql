-- Clé de recherche des contacts : une seule espace entre les mots.
-- Le repli change un emoji ou « . & » en blancs ; le terme cherché est
-- réduit à un blanc, la clé doit l'être aussi (lib/contact.c le fait pour
-- les nouvelles clés). Huit passes réduisent toute suite de moins de 256
-- blancs ; le déclencheur contacts_fts_au met l'index trigramme à jour.
UPDATE contacts
   SET search_key = replace(replace(replace(replace(replace(replace(replace(
       replace(search_key, '  ', ' '), '  ', ' '), '  ', ' '), '  ', ' '),
       '  ', ' '), '  ', ' '), '  ', ' '), '  ', ' ')
 WHERE instr(search_key, '  ') > 0;
