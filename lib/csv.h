/*
 * Lecture et écriture de fichiers CSV (import et export de contacts).
 *
 * Lecture : le fichier entier est décodé une fois en UTF-8 (BOM UTF-8,
 * Windows-1252 d'Excel français, UTF-16 « texte Unicode »), le séparateur
 * est deviné, puis chaque enregistrement est découpé en une seule passe,
 * sans allocation par champ : les champs sont des (pointeur, longueur)
 * dans le texte décodé, déguillemetés sur place et terminés par NUL.
 *
 * Écriture : cellules entre guillemets quand il le faut, neutralisation
 * des formules (injection CSV), lignes terminées par CRLF pour Excel.
 */
#ifndef CBW_CSV_H
#define CBW_CSV_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define CBW_CSV_MAX_FIELDS	256

/* BOM UTF-8 en tête d'un export, pour qu'Excel reconnaisse l'UTF-8. */
#define CBW_CSV_BOM		"\xEF\xBB\xBF"

struct cbw_csv;				/* état du lecteur */

struct cbw_csv_field {
	const char	*s;	/* UTF-8 valide, sans NUL, suivi d'un NUL */
	size_t		 len;
};

/*
 * Prépare la lecture de len octets (le contenu complet du fichier, qui
 * peut contenir des NUL : ces lignes sont signalées en erreur). Le texte
 * est copié : data peut être libéré ensuite. forced_delim, s'il est non
 * nul, impose le séparateur (ASCII imprimable autre que '"' et l'espace,
 * ou tabulation ; sinon il est ignoré et le séparateur est deviné).
 * Renvoie NULL seulement si la mémoire manque.
 */
struct cbw_csv	*cbw_csv_open(const char *data, size_t len, char forced_delim);
void		 cbw_csv_close(struct cbw_csv *);
/* Séparateur retenu : ',', ';', '\t', '|' ou celui imposé. */
char		 cbw_csv_delim(const struct cbw_csv *);
/* "utf-8", "utf-8-bom", "windows-1252", "utf-16le" ou "utf-16be". */
const char	*cbw_csv_encoding(const struct cbw_csv *);
/* Texte décodé (UTF-8) et sa longueur : les champs pointent dedans. */
const char	*cbw_csv_text(const struct cbw_csv *, size_t *len);

/*
 * Lit l'enregistrement suivant. Renvoie 1 (champs dans *fields,
 * *nfields ≥ 1), 0 en fin de fichier, -1 si l'enregistrement est
 * malformé (message français dans *errmsg ; la lecture reprend à la ligne
 * suivante). *line reçoit le numéro de ligne physique (à partir de 1) où
 * commence l'enregistrement. Les lignes vides, blanches ou faites
 * seulement de séparateurs sont sautées. Les champs restent valides
 * jusqu'à cbw_csv_close. line et errmsg peuvent être NULL.
 */
int		 cbw_csv_next(struct cbw_csv *,
		    const struct cbw_csv_field **fields, size_t *nfields,
		    size_t *line, const char **errmsg);

/*
 * Ajoute une cellule à out : entre guillemets si elle contient le
 * séparateur, '"', CR ou LF, ou commence ou finit par un blanc ; une
 * cellule qui commence par = + - @ TAB ou CR reçoit une apostrophe en
 * tête (dans les guillemets) pour qu'un tableur n'y voie pas de formule.
 * s NULL vaut "". Renvoie CBW_OK ou CBW_ENOMEM.
 */
enum cbw_err	 cbw_csv_cell(struct cbw_buf *out, const char *s, char delim);
/* Ajoute une ligne : n cellules séparées par delim, puis "\r\n". */
enum cbw_err	 cbw_csv_row(struct cbw_buf *out, const char *const *cells,
		    size_t n, char delim);

/* Nature d'une colonne d'un fichier de contacts, d'après son en-tête. */
enum cbw_csv_col {
	CBW_COL_PHONE,
	CBW_COL_COUNTRY,
	CBW_COL_FIRST,
	CBW_COL_LAST,
	CBW_COL_FULLNAME,	/* à couper au premier espace */
	CBW_COL_CATEGORY,
	CBW_COL__MAX
};

/*
 * Reconnaît un en-tête de colonne (« Téléphone », « first_name »,
 * « Nom de famille »…) sans tenir compte de la casse, des accents, des
 * espaces, '_', '-', '.', ':' et '*'. Renvoie un enum cbw_csv_col, ou -1
 * si l'en-tête est inconnu.
 */
int		 cbw_csv_header_kind(const char *s, size_t len);

#endif
