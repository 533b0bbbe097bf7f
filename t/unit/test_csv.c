/*
 * Tests unitaires de la lecture et de l'écriture CSV (lib/csv.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "buf.h"
#include "csv.h"

#define ROW(...)	((const char *const []){ __VA_ARGS__, NULL })

/* Ouvre un lecteur sur une chaîne littérale (sans son NUL final). */
#define OPEN(lit, d)	cbw_csv_open((lit), sizeof(lit) - 1, (d))

/*
 * Lit l'enregistrement suivant et vérifie sa ligne et ses champs exacts
 * (want : tableau terminé par NULL), et que chaque champ finit par NUL.
 */
static void
expect_row(struct cbw_csv *c, size_t wline, const char *const *want)
{
	const struct cbw_csv_field	*f;
	const char			*msg = "x";
	size_t				 n, line, i;

	assert_int_equal(cbw_csv_next(c, &f, &n, &line, &msg), 1);
	assert_null(msg);
	assert_int_equal(line, wline);
	for (i = 0; want[i] != NULL; i++) {
		assert_true(i < n);
		assert_int_equal(f[i].len, strlen(want[i]));
		assert_memory_equal(f[i].s, want[i], f[i].len);
		assert_int_equal(f[i].s[f[i].len], '\0');
	}
	assert_int_equal(n, i);
}

/* L'enregistrement suivant est une erreur à la ligne wline (message contenant part). */
static void
expect_err(struct cbw_csv *c, size_t wline, const char *part)
{
	const struct cbw_csv_field	*f;
	const char			*msg = NULL;
	size_t				 n = 99, line;

	assert_int_equal(cbw_csv_next(c, &f, &n, &line, &msg), -1);
	assert_int_equal(line, wline);
	assert_int_equal(n, 0);
	assert_non_null(msg);
	assert_non_null(strstr(msg, part));
}

/* Fin de fichier, et elle le reste. */
static void
expect_eof(struct cbw_csv *c)
{
	const struct cbw_csv_field	*f;
	size_t				 n = 99, line;

	assert_int_equal(cbw_csv_next(c, &f, &n, &line, NULL), 0);
	assert_int_equal(n, 0);
	assert_int_equal(cbw_csv_next(c, &f, &n, NULL, NULL), 0);
}

/* UTF-8 sans BOM : texte gardé tel quel, séparateur ','. */
static void
test_utf8(void **state)
{
	struct cbw_csv	*c;

	(void)state;
	c = OPEN("Prénom,Nom,Téléphone\nHélène,Dupré,06 12 34 56 78\n", 0);
	assert_non_null(c);
	assert_string_equal(cbw_csv_encoding(c), "utf-8");
	assert_int_equal(cbw_csv_delim(c), ',');
	expect_row(c, 1, ROW("Prénom", "Nom", "Téléphone"));
	expect_row(c, 2, ROW("Hélène", "Dupré", "06 12 34 56 78"));
	expect_eof(c);
	cbw_csv_close(c);
}

/* UTF-8 avec BOM : le BOM n'apparaît pas dans le premier champ. */
static void
test_utf8_bom(void **state)
{
	struct cbw_csv	*c;

	(void)state;
	c = OPEN("\xEF\xBB\xBFPrénom;Tél\r\nZoé;0612345678\r\n", 0);
	assert_non_null(c);
	assert_string_equal(cbw_csv_encoding(c), "utf-8-bom");
	assert_int_equal(cbw_csv_delim(c), ';');
	expect_row(c, 1, ROW("Prénom", "Tél"));
	expect_row(c, 2, ROW("Zoé", "0612345678"));
	expect_eof(c);
	cbw_csv_close(c);
	/* BOM puis octets invalides : U+FFFD, pas de bascule en cp1252. */
	c = OPEN("\xEF\xBB\xBF" "a\xFF" "z;é\n", 0);
	assert_string_equal(cbw_csv_encoding(c), "utf-8-bom");
	expect_row(c, 1, ROW("a\xEF\xBF\xBD" "z", "é"));
	expect_eof(c);
	cbw_csv_close(c);
}

/* Fichier d'Excel français en Windows-1252, converti en UTF-8. */
static void
test_cp1252(void **state)
{
	struct cbw_csv	*c;

	(void)state;
	c = OPEN("Pr\xe9nom;Nom;T\xe9l\xe9phone\r\n"
	    "H\xe9l\xe8ne;Dupr\xe9;06 12 34 56 78\r\n"
	    "C\x9cur;L\x92" "Amour;10 \x80 \xab ok \xbb\r\n"
	    "\x81\x8d\x8f\x90\x9d;\x8c\x9f\xff;\xa0\r\n", 0);
	assert_non_null(c);
	assert_string_equal(cbw_csv_encoding(c), "windows-1252");
	assert_int_equal(cbw_csv_delim(c), ';');
	expect_row(c, 1, ROW("Prénom", "Nom", "Téléphone"));
	expect_row(c, 2, ROW("Hélène", "Dupré", "06 12 34 56 78"));
	expect_row(c, 3, ROW("Cœur", "L’Amour", "10 € « ok »"));
	expect_row(c, 4, ROW("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
	    "\xEF\xBF\xBD\xEF\xBF\xBD", "ŒŸÿ", "\xC2\xA0"));
	expect_eof(c);
	cbw_csv_close(c);
}

/* « Texte Unicode » d'Excel : UTF-16LE avec BOM, tabulations. */
static void
test_utf16(void **state)
{
	static const char le[] =
	    "\xFF\xFE"
	    "P\0r\0\xE9\0n\0o\0m\0\t\0T\0\xE9\0l\0\r\0\n\0"
	    "H\0\xE9\0l\0\xE8\0n\0e\0\t\0\xAC\x20\x3D\xD8\x00\xDE\r\0\n\0";
	static const char be[] = "\xFE\xFF" "\0a" "\0;" "\0\xE9" "\0\r"
	    "\0\n" "\xD8\0" "\0b";
	static const char nobom[] = "a\0,\0b\0\n\0c\0,\0d\0";
	struct cbw_csv	*c;

	(void)state;
	c = cbw_csv_open(le, sizeof(le) - 1, 0);
	assert_non_null(c);
	assert_string_equal(cbw_csv_encoding(c), "utf-16le");
	assert_int_equal(cbw_csv_delim(c), '\t');
	expect_row(c, 1, ROW("Prénom", "Tél"));
	expect_row(c, 2, ROW("Hélène", "€\xF0\x9F\x98\x80"));
	expect_eof(c);
	cbw_csv_close(c);
	/* Gros-boutiste ; surrogate orphelin → U+FFFD. */
	c = cbw_csv_open(be, sizeof(be) - 1, 0);
	assert_string_equal(cbw_csv_encoding(c), "utf-16be");
	assert_int_equal(cbw_csv_delim(c), ';');
	expect_row(c, 1, ROW("a", "é"));
	expect_row(c, 2, ROW("\xEF\xBF\xBD" "b"));
	expect_eof(c);
	cbw_csv_close(c);
	/* Sans BOM, reconnu aux octets nuls. */
	c = cbw_csv_open(nobom, sizeof(nobom) - 1, 0);
	assert_string_equal(cbw_csv_encoding(c), "utf-16le");
	expect_row(c, 1, ROW("a", "b"));
	expect_row(c, 2, ROW("c", "d"));
	expect_eof(c);
	cbw_csv_close(c);
}

/* Ouvre s, vérifie le séparateur deviné et la première ligne. */
static void
delim_is(const char *s, char want, const char *const *row)
{
	struct cbw_csv	*c;

	c = cbw_csv_open(s, strlen(s), 0);
	assert_non_null(c);
	assert_int_equal(cbw_csv_delim(c), want);
	expect_row(c, 1, row);
	cbw_csv_close(c);
}

/* Détection du séparateur, hors guillemets, et séparateur imposé. */
static void
test_delim(void **state)
{
	struct cbw_csv	*c;

	(void)state;
	delim_is("nom,tel\nA,1\n", ',', ROW("nom", "tel"));
	delim_is("nom;tel\nA;1\n", ';', ROW("nom", "tel"));
	delim_is("nom\ttel\nA\t1\n", '\t', ROW("nom", "tel"));
	delim_is("nom|tel\nA|1\n", '|', ROW("nom", "tel"));
	/* Virgules dans des champs entre guillemets : c'est ';'. */
	delim_is("\"Dupont, Jean\";\"1, rue X, Paris\";06\n"
	    "\"Martin, Léa\";\"2, rue Y\";07\n", ';',
	    ROW("Dupont, Jean", "1, rue X, Paris", "06"));
	/* Virgules non protégées mais en nombre variable : ';' reste stable. */
	delim_is("nom;adresse;tel\nA;1, rue X;06\nB;2, av. Y, bât. 3;07\n",
	    ';', ROW("nom", "adresse", "tel"));
	/* Une seule colonne : ',' par défaut, le champ entier est gardé. */
	delim_is("0612345678\n0698765432\n", ',', ROW("0612345678"));
	/* Ligne « sep= » d'Excel : directive, sautée. */
	c = OPEN("sep=|\r\na|b;c\r\n", 0);
	assert_int_equal(cbw_csv_delim(c), '|');
	expect_row(c, 2, ROW("a", "b;c"));
	expect_eof(c);
	cbw_csv_close(c);
	/* Séparateur imposé ; un séparateur impossible est ignoré. */
	c = OPEN("a;b,c\n", ',');
	assert_int_equal(cbw_csv_delim(c), ',');
	expect_row(c, 1, ROW("a;b", "c"));
	cbw_csv_close(c);
	c = OPEN("a;b\n", '"');
	assert_int_equal(cbw_csv_delim(c), ';');
	cbw_csv_close(c);
	c = OPEN("a;b\n", (char)0xc3);
	assert_int_equal(cbw_csv_delim(c), ';');
	cbw_csv_close(c);
}

/* Champs entre guillemets : séparateur, fins de ligne et "" dedans. */
static void
test_quoted(void **state)
{
	struct cbw_csv	*c;

	(void)state;
	c = OPEN("nom;note;tel\n"
	    "\"Dupont; Jean\";\"ligne 1\nligne 2\";06\n"
	    "\"Il dit \"\"oui\"\"\";\"\"\"\";\"a\r\nb\"\n"
	    "\"\";x;\"\"\"\"\"\"\n"
	    "fin;\"\";z\n", 0);
	expect_row(c, 1, ROW("nom", "note", "tel"));
	expect_row(c, 2, ROW("Dupont; Jean", "ligne 1\nligne 2", "06"));
	expect_row(c, 4, ROW("Il dit \"oui\"", "\"", "a\r\nb"));
	expect_row(c, 6, ROW("", "x", "\"\""));
	expect_row(c, 7, ROW("fin", "", "z"));
	expect_eof(c);
	cbw_csv_close(c);
	/* Texte après le guillemet fermant, guillemet isolé pris tel quel. */
	c = OPEN("\"ab\"cd;5\" écran;a\"b\"\n", ';');
	expect_row(c, 1, ROW("abcd", "5\" écran", "a\"b\""));
	expect_eof(c);
	cbw_csv_close(c);
}

/* CRLF, LF et CR seul, mélangés ; numéros de ligne exacts. */
static void
test_newlines(void **state)
{
	struct cbw_csv	*c;

	(void)state;
	c = OPEN("a;1\r\nb;2\nc;3\rd;4\r\r\ne;\"x\ry\"\rf;6", 0);
	expect_row(c, 1, ROW("a", "1"));
	expect_row(c, 2, ROW("b", "2"));
	expect_row(c, 3, ROW("c", "3"));
	expect_row(c, 4, ROW("d", "4"));
	expect_row(c, 6, ROW("e", "x\ry"));
	expect_row(c, 8, ROW("f", "6"));
	expect_eof(c);
	cbw_csv_close(c);
}

/* Lignes vides, blanches ou faites de séparateurs : sautées. */
static void
test_empty_lines(void **state)
{
	struct cbw_csv	*c;

	(void)state;
	c = OPEN("\r\n\r\na;b\r\n\r\n   \r\n;;\r\n ; \r\n\"\";\"\"\r\nc;d\r\n\r\n",
	    0);
	expect_row(c, 3, ROW("a", "b"));
	expect_row(c, 9, ROW("c", "d"));
	expect_eof(c);
	cbw_csv_close(c);
	c = OPEN("", 0);
	expect_eof(c);
	cbw_csv_close(c);
	c = cbw_csv_open(NULL, 0, 0);
	assert_non_null(c);
	expect_eof(c);
	cbw_csv_close(c);
}

/* Lignes courtes et séparateur final. */
static void
test_short_trailing(void **state)
{
	struct cbw_csv	*c;

	(void)state;
	c = OPEN("a;b;c\nd\ne;f\ng;h;\ni;;\n", 0);
	expect_row(c, 1, ROW("a", "b", "c"));
	expect_row(c, 2, ROW("d"));
	expect_row(c, 3, ROW("e", "f"));
	expect_row(c, 4, ROW("g", "h", ""));
	expect_row(c, 5, ROW("i", "", ""));
	expect_eof(c);
	cbw_csv_close(c);
}

/* Blancs autour des champs : ôtés hors guillemets, gardés dedans. */
static void
test_trim(void **state)
{
	struct cbw_csv	*c;

	(void)state;
	c = OPEN("  a  ; \" b \" ;\tc\t; d e \n  \"x\"\"\" y ;\" \"\n", ';');
	expect_row(c, 1, ROW("a", " b ", "c", "d e"));
	expect_row(c, 2, ROW("x\" y", " "));
	expect_eof(c);
	cbw_csv_close(c);
	/* Avec la tabulation pour séparateur, elle n'est pas un blanc. */
	c = OPEN(" a \t\t b\n", '\t');
	expect_row(c, 1, ROW("a", "", "b"));
	cbw_csv_close(c);
}

/* Guillemet jamais fermé : erreur, puis reprise à la ligne suivante. */
static void
test_unterminated(void **state)
{
	struct cbw_csv	*c;

	(void)state;
	c = OPEN("a;b\nc;\"d;e\n", 0);
	expect_row(c, 1, ROW("a", "b"));
	expect_err(c, 2, "Guillemet");
	expect_eof(c);
	cbw_csv_close(c);
	c = OPEN("a;b\n\"x;y\nz;w\n", 0);
	expect_row(c, 1, ROW("a", "b"));
	expect_err(c, 2, "Guillemet");
	expect_row(c, 3, ROW("z", "w"));
	expect_eof(c);
	cbw_csv_close(c);
	/* Le guillemet ouvert vient après un champ sur deux lignes. */
	c = OPEN("\"p\nq\";\"r\ns;t\n", ';');
	expect_err(c, 1, "Guillemet");
	expect_row(c, 3, ROW("s", "t"));
	expect_eof(c);
	cbw_csv_close(c);
	c = OPEN("\"", 0);
	expect_err(c, 1, "Guillemet");
	expect_eof(c);
	cbw_csv_close(c);
}

/* Octet NUL : l'enregistrement est refusé, la lecture continue. */
static void
test_nul(void **state)
{
	struct cbw_csv	*c;

	(void)state;
	c = OPEN("a;b\nc\0d;e\n\"f\0\ng\";h\ni;j\n\0", 0);
	assert_string_equal(cbw_csv_encoding(c), "utf-8");
	expect_row(c, 1, ROW("a", "b"));
	expect_err(c, 2, "nul");
	expect_err(c, 3, "nul");
	expect_row(c, 5, ROW("i", "j"));
	expect_err(c, 6, "nul");
	expect_eof(c);
	cbw_csv_close(c);
}

/* Plus de 256 colonnes : erreur ; 256 tout juste : accepté. */
static void
test_columns(void **state)
{
	struct cbw_buf	 b;
	struct cbw_csv	*c;
	int		 i;

	(void)state;
	cbw_buf_init(&b);
	for (i = 0; i < 300; i++)
		assert_int_equal(cbw_buf_puts(&b, i ? ";x" : "x"), CBW_OK);
	assert_int_equal(cbw_buf_puts(&b, "\na;b\n"), CBW_OK);
	for (i = 0; i < CBW_CSV_MAX_FIELDS; i++)
		assert_int_equal(cbw_buf_puts(&b, i ? ";y" : "y"), CBW_OK);
	c = cbw_csv_open(b.data, b.len, 0);
	assert_int_equal(cbw_csv_delim(c), ';');
	expect_err(c, 1, "colonnes");
	expect_row(c, 2, ROW("a", "b"));
	{
		const struct cbw_csv_field	*f;
		size_t				 n, line;

		assert_int_equal(cbw_csv_next(c, &f, &n, &line, NULL), 1);
		assert_int_equal(n, CBW_CSV_MAX_FIELDS);
		assert_int_equal(line, 3);
		assert_string_equal(f[255].s, "y");
	}
	expect_eof(c);
	cbw_csv_close(c);
	cbw_buf_free(&b);
}

/* Écrit une cellule et compare au texte attendu. */
static void
cell_is(const char *s, char delim, const char *want)
{
	struct cbw_buf	 b;

	cbw_buf_init(&b);
	assert_int_equal(cbw_csv_cell(&b, s, delim), CBW_OK);
	assert_string_equal(cbw_buf_str(&b), want);
	cbw_buf_free(&b);
}

/* Guillemets seulement quand il le faut. */
static void
test_write_cell(void **state)
{
	(void)state;
	cell_is("abc", ';', "abc");
	cell_is("Hélène", ';', "Hélène");
	cell_is("", ';', "");
	cell_is(NULL, ';', "");
	cell_is("a,b", ';', "a,b");
	cell_is("a;b", ';', "\"a;b\"");
	cell_is("a,b", ',', "\"a,b\"");
	cell_is("a\tb", '\t', "\"a\tb\"");
	cell_is("dit \"oui\"", ';', "\"dit \"\"oui\"\"\"");
	cell_is("\"", ';', "\"\"\"\"");
	cell_is("l1\nl2", ';', "\"l1\nl2\"");
	cell_is("l1\r\nl2", ';', "\"l1\r\nl2\"");
	cell_is(" a", ';', "\" a\"");
	cell_is("a ", ';', "\"a \"");
	cell_is("a\t", ';', "\"a\t\"");
	cell_is("a b", ';', "a b");
}

/* Injection de formules : apostrophe en tête, entre guillemets. */
static void
test_write_formula(void **state)
{
	(void)state;
	cell_is("=1+1", ';', "\"'=1+1\"");
	cell_is("+33612345678", ';', "\"'+33612345678\"");
	cell_is("-5", ';', "\"'-5\"");
	cell_is("@SUM(A1:A9)", ';', "\"'@SUM(A1:A9)\"");
	cell_is("\tx", ';', "\"'\tx\"");
	cell_is("\rx", ';', "\"'\rx\"");
	cell_is("=HYPERLINK(\"http://x\")", ',',
	    "\"'=HYPERLINK(\"\"http://x\"\")\"");
	cell_is("a=b", ';', "a=b");
	cell_is("33612345678", ';', "33612345678");
}

/* Une ligne : cellules jointes, CRLF final. */
static void
test_write_row(void **state)
{
	struct cbw_buf	 b;

	(void)state;
	cbw_buf_init(&b);
	assert_int_equal(cbw_buf_puts(&b, CBW_CSV_BOM), CBW_OK);
	assert_int_equal(cbw_csv_row(&b, ROW("Prénom", "Nom", "Tél"), 3, ';'),
	    CBW_OK);
	assert_int_equal(cbw_csv_row(&b, ROW("a;b", "", "+336"), 3, ';'),
	    CBW_OK);
	assert_int_equal(cbw_csv_row(&b, ROW("x"), 0, ';'), CBW_OK);
	assert_string_equal(cbw_buf_str(&b),
	    "\xEF\xBB\xBFPrénom;Nom;Tél\r\n\"a;b\";;\"'+336\"\r\n\r\n");
	cbw_buf_free(&b);
}

/* Rend 1 si la cellule sera neutralisée à l'écriture. */
static int
neutralised(const char *s)
{
	return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

/* Écrit des lignes difficiles avec delim puis les relit à l'identique. */
static void
roundtrip(char delim)
{
	static const char *const rows[][4] = {
		{ "Prénom", "Nom", "Téléphone", "Note" },
		{ "Hélène", "Dupré", "06 12 34 56 78", "dit \"bonjour\"; puis, part" },
		{ "  espaces  ", "a\r\nb", "x\ny", "z\rw" },
		{ "", "vide autour", "", "" },
		{ "\"", "\"\"", "'", "a\"b" },
		{ "tab\tdedans", "€ œ ’ « »", "a|b", "fin" },
		{ "=1+1", "+33612345678", "-5", "@SUM(A1)" },
		{ "\tx", "\ry", "x,y;z\tw", " " },
	};
	static const size_t lines[] = { 1, 2, 3, 7, 8, 9, 10, 11 };
	const struct cbw_csv_field	*f;
	struct cbw_buf			 b;
	struct cbw_csv			*c;
	size_t				 i, j, n, line;
	char				 want[64];

	cbw_buf_init(&b);
	assert_int_equal(cbw_buf_puts(&b, CBW_CSV_BOM), CBW_OK);
	for (i = 0; i < 8; i++)
		assert_int_equal(cbw_csv_row(&b, rows[i], 4, delim), CBW_OK);
	c = cbw_csv_open(b.data, b.len, 0);
	assert_int_equal(cbw_csv_delim(c), delim);
	assert_string_equal(cbw_csv_encoding(c), "utf-8-bom");
	for (i = 0; i < 8; i++) {
		assert_int_equal(cbw_csv_next(c, &f, &n, &line, NULL), 1);
		assert_int_equal(n, 4);
		assert_int_equal(line, lines[i]);
		for (j = 0; j < 4; j++) {
			want[0] = '\'';
			memcpy(want + 1, rows[i][j], strlen(rows[i][j]) + 1);
			assert_string_equal(f[j].s, neutralised(rows[i][j]) ?
			    want : rows[i][j]);
		}
	}
	expect_eof(c);
	cbw_csv_close(c);
	cbw_buf_free(&b);
}

/* Aller-retour écriture → lecture pour les trois séparateurs courants. */
static void
test_roundtrip(void **state)
{
	(void)state;
	roundtrip(';');
	roundtrip(',');
	roundtrip('\t');
}

/* Vérifie la nature de chaque en-tête d'une liste. */
static void
kinds(int want, const char *const *names)
{
	size_t	 i;

	for (i = 0; names[i] != NULL; i++) {
		if (cbw_csv_header_kind(names[i], strlen(names[i])) != want)
			fail_msg("en-tête « %s » : attendu %d", names[i], want);
	}
}

/* Synonymes d'en-têtes, accents, casse et séparateurs. */
static void
test_header(void **state)
{
	(void)state;
	kinds(CBW_COL_PHONE, ROW("téléphone", "telephone", "tel", "tél",
	    "phone", "phone number", "phone_number", "numéro", "numero", "num",
	    "mobile", "portable", "gsm", "cellulaire", "whatsapp",
	    "full_number", "msisdn", "Téléphone", "TÉLÉPHONE", "TEL.",
	    "Tél :", "Phone-Number", "PhoneNumber", " Mobile ", "WhatsApp",
	    "Full Number", "MSISDN", "Numéro de téléphone", "N.U.M",
	    "Mobile Phone", "Phone 1 - Value", "Téléphone\xC2\xA0*"));
	kinds(CBW_COL_COUNTRY, ROW("indicatif", "indicatif pays",
	    "country_code", "country code", "code pays", "prefix", "préfixe",
	    "dial code", "Indicatif Pays", "INDICATIF_PAYS", "Country-Code",
	    "CountryCode", "Code_Pays", "PRÉFIXE", "Dial.Code"));
	kinds(CBW_COL_FIRST, ROW("prénom", "prenom", "first_name", "firstname",
	    "first name", "given name", "Prénom", "PRÉNOM", "PRENOM",
	    "First Name", "First-Name", "GivenName"));
	kinds(CBW_COL_LAST, ROW("nom", "nom de famille", "last_name", "lastname",
	    "last name", "surname", "family name", "Nom", "NOM",
	    "Nom_de_famille", "Last-Name", "FamilyName", "Surname"));
	kinds(CBW_COL_FULLNAME, ROW("nom complet", "full name", "name",
	    "contact", "display name", "Nom Complet", "NOM_COMPLET",
	    "Full_Name", "Name", "Contact", "DisplayName", "Prénom Nom"));
	kinds(CBW_COL_CATEGORY, ROW("catégorie", "categorie", "category",
	    "groupe", "group", "liste", "list", "tag", "Catégorie",
	    "CATÉGORIE", "Groupe", "GROUP", "Liste", "Tags", "Étiquette"));
	kinds(-1, ROW("", " ", "adresse", "email", "e-mail", "ville",
	    "télé", "nomm", "phone 2", "prenom2", "n°", "téléphones portables",
	    "Phone 1 - Label",
	    "un en-tête beaucoup trop long pour être un nom de colonne connu"));
	assert_int_equal(cbw_csv_header_kind("tel\0x", 5), -1);
	assert_int_equal(cbw_csv_header_kind("telephone", 3), CBW_COL_PHONE);
	assert_int_equal(cbw_csv_header_kind(NULL, 0), -1);
	/* Forme décomposée (e + accent combinant U+0301), comme sur macOS. */
	assert_int_equal(cbw_csv_header_kind("pre\xCC\x81nom", 8),
	    CBW_COL_FIRST);
	assert_int_equal(cbw_csv_header_kind("te\xCC\x81le\xCC\x81phone", 13),
	    CBW_COL_PHONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_utf8_bom),
		cmocka_unit_test(test_cp1252),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_delim),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_newlines),
		cmocka_unit_test(test_empty_lines),
		cmocka_unit_test(test_short_trailing),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_write_cell),
		cmocka_unit_test(test_write_formula),
		cmocka_unit_test(test_write_row),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_header),
	};

	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
