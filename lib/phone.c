/*
 * Numéros de téléphone : saisie libre → E.164 (voir phone.h).
 *
 * Sources de la table : plan E.164 de l'UIT-T (indicatifs en service) et
 * longueurs des numéros nationaux significatifs (fixe et mobile) tirées
 * des métadonnées de libphonenumber, élargies là où les plans varient
 * (Allemagne, Chine...). Les indicatifs non géographiques (+800, +870,
 * +881, +882, +883...) ne sont pas des pays et n'y figurent pas.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "phone.h"

#define E164_DIGITS	15	/* chiffres au plus, indicatif compris */
#define SCAN_CAP	64	/* chiffres gardés de la saisie ; au-delà : trop long */

struct entry {
	struct cbw_country	 c;	/* en premier : cbw_phone_country() le rend */
	const char		*art;	/* article des messages : « la », « l' »... */
};

/*
 * France d'abord, puis ordre alphabétique français (accents ignorés, mot à
 * mot). Les pays d'un même indicatif ont les mêmes longueurs et le même
 * préfixe interurbain (vérifié par t/unit/test_phone.c).
 */
static const struct entry countries[] = {
	{ { "+33", "France", "FR", 9, 9, "0" }, "la " },
	{ { "+93", "Afghanistan", "AF", 9, 9, "0" }, "l'" },
	{ { "+27", "Afrique du Sud", "ZA", 5, 9, "0" }, "l'" },
	{ { "+355", "Albanie", "AL", 8, 9, "0" }, "l'" },
	{ { "+213", "Algérie", "DZ", 8, 9, "0" }, "l'" },
	{ { "+49", "Allemagne", "DE", 5, 13, "0" }, "l'" },
	{ { "+376", "Andorre", "AD", 6, 9, "" }, "l'" },
	{ { "+244", "Angola", "AO", 9, 9, "" }, "l'" },
	{ { "+1", "Anguilla", "AI", 10, 10, "" }, "" },
	{ { "+672", "Antarctique", "AQ", 6, 6, "" }, "l'" },
	{ { "+1", "Antigua-et-Barbuda", "AG", 10, 10, "" }, "" },
	{ { "+966", "Arabie saoudite", "SA", 9, 9, "0" }, "l'" },
	{ { "+54", "Argentine", "AR", 10, 11, "0" }, "l'" },
	{ { "+374", "Arménie", "AM", 8, 8, "0" }, "l'" },
	{ { "+297", "Aruba", "AW", 7, 7, "" }, "" },
	{ { "+61", "Australie", "AU", 9, 9, "0" }, "l'" },
	{ { "+43", "Autriche", "AT", 4, 13, "0" }, "l'" },
	{ { "+994", "Azerbaïdjan", "AZ", 9, 9, "0" }, "l'" },
	{ { "+1", "Bahamas", "BS", 10, 10, "" }, "les " },
	{ { "+973", "Bahreïn", "BH", 8, 8, "" }, "" },
	{ { "+880", "Bangladesh", "BD", 6, 10, "0" }, "le " },
	{ { "+1", "Barbade", "BB", 10, 10, "" }, "la " },
	{ { "+32", "Belgique", "BE", 8, 9, "0" }, "la " },
	{ { "+501", "Belize", "BZ", 7, 7, "" }, "le " },
	{ { "+229", "Bénin", "BJ", 8, 10, "" }, "le " },
	{ { "+1", "Bermudes", "BM", 10, 10, "" }, "les " },
	{ { "+975", "Bhoutan", "BT", 7, 8, "" }, "le " },
	{ { "+375", "Biélorussie", "BY", 9, 9, "8" }, "la " },
	{ { "+95", "Birmanie", "MM", 6, 10, "0" }, "la " },
	{ { "+591", "Bolivie", "BO", 8, 8, "0" }, "la " },
	{ { "+599", "Bonaire, Saint-Eustache et Saba", "BQ", 7, 8, "" }, "" },
	{ { "+387", "Bosnie-Herzégovine", "BA", 8, 9, "0" }, "la " },
	{ { "+267", "Botswana", "BW", 7, 8, "" }, "le " },
	{ { "+55", "Brésil", "BR", 10, 11, "0" }, "le " },
	{ { "+673", "Brunei", "BN", 7, 7, "" }, "" },
	{ { "+359", "Bulgarie", "BG", 6, 9, "0" }, "la " },
	{ { "+226", "Burkina Faso", "BF", 8, 8, "" }, "le " },
	{ { "+257", "Burundi", "BI", 8, 8, "" }, "le " },
	{ { "+855", "Cambodge", "KH", 8, 9, "0" }, "le " },
	{ { "+237", "Cameroun", "CM", 9, 9, "" }, "le " },
	{ { "+1", "Canada", "CA", 10, 10, "" }, "le " },
	{ { "+238", "Cap-Vert", "CV", 7, 7, "" }, "le " },
	{ { "+56", "Chili", "CL", 9, 9, "" }, "le " },
	{ { "+86", "Chine", "CN", 5, 12, "0" }, "la " },
	{ { "+357", "Chypre", "CY", 8, 8, "" }, "" },
	{ { "+57", "Colombie", "CO", 10, 10, "0" }, "la " },
	{ { "+269", "Comores", "KM", 7, 7, "" }, "les " },
	{ { "+242", "Congo", "CG", 9, 9, "" }, "le " },
	{ { "+850", "Corée du Nord", "KP", 8, 10, "0" }, "la " },
	{ { "+82", "Corée du Sud", "KR", 5, 10, "0" }, "la " },
	{ { "+506", "Costa Rica", "CR", 8, 8, "" }, "le " },
	{ { "+225", "Côte d'Ivoire", "CI", 10, 10, "" }, "la " },
	{ { "+385", "Croatie", "HR", 8, 9, "0" }, "la " },
	{ { "+53", "Cuba", "CU", 6, 10, "0" }, "" },
	{ { "+599", "Curaçao", "CW", 7, 8, "" }, "" },
	{ { "+45", "Danemark", "DK", 8, 8, "" }, "le " },
	{ { "+253", "Djibouti", "DJ", 8, 8, "" }, "" },
	{ { "+1", "Dominique", "DM", 10, 10, "" }, "la " },
	{ { "+20", "Égypte", "EG", 8, 10, "0" }, "l'" },
	{ { "+971", "Émirats arabes unis", "AE", 8, 9, "0" }, "les " },
	{ { "+593", "Équateur", "EC", 8, 9, "0" }, "l'" },
	{ { "+291", "Érythrée", "ER", 7, 7, "0" }, "l'" },
	{ { "+34", "Espagne", "ES", 9, 9, "" }, "l'" },
	{ { "+372", "Estonie", "EE", 7, 8, "" }, "l'" },
	{ { "+268", "Eswatini", "SZ", 8, 8, "" }, "l'" },
	{ { "+1", "États-Unis", "US", 10, 10, "" }, "les " },
	{ { "+251", "Éthiopie", "ET", 9, 9, "0" }, "l'" },
	{ { "+679", "Fidji", "FJ", 7, 7, "" }, "les " },
	{ { "+358", "Finlande", "FI", 5, 10, "0" }, "la " },
	{ { "+241", "Gabon", "GA", 7, 8, "" }, "le " },
	{ { "+220", "Gambie", "GM", 7, 7, "" }, "la " },
	{ { "+995", "Géorgie", "GE", 9, 9, "0" }, "la " },
	{ { "+500", "Géorgie du Sud-et-les îles Sandwich du Sud", "GS", 5, 5, "" }, "la " },
	{ { "+233", "Ghana", "GH", 9, 9, "0" }, "le " },
	{ { "+350", "Gibraltar", "GI", 8, 8, "" }, "" },
	{ { "+30", "Grèce", "GR", 10, 10, "" }, "la " },
	{ { "+1", "Grenade", "GD", 10, 10, "" }, "la " },
	{ { "+299", "Groenland", "GL", 6, 6, "" }, "le " },
	{ { "+590", "Guadeloupe", "GP", 9, 9, "0" }, "la " },
	{ { "+1", "Guam", "GU", 10, 10, "" }, "" },
	{ { "+502", "Guatemala", "GT", 8, 8, "" }, "le " },
	{ { "+44", "Guernesey", "GG", 9, 10, "0" }, "" },
	{ { "+224", "Guinée", "GN", 8, 9, "" }, "la " },
	{ { "+245", "Guinée-Bissau", "GW", 9, 9, "" }, "la " },
	{ { "+240", "Guinée équatoriale", "GQ", 9, 9, "" }, "la " },
	{ { "+592", "Guyana", "GY", 7, 7, "" }, "le " },
	{ { "+594", "Guyane", "GF", 9, 9, "0" }, "la " },
	{ { "+509", "Haïti", "HT", 8, 8, "" }, "" },
	{ { "+504", "Honduras", "HN", 8, 8, "" }, "le " },
	{ { "+852", "Hong Kong", "HK", 8, 8, "" }, "" },
	{ { "+36", "Hongrie", "HU", 8, 9, "06" }, "la " },
	{ { "+61", "Île Christmas", "CX", 9, 9, "0" }, "l'" },
	{ { "+247", "Île de l'Ascension", "AC", 5, 5, "" }, "l'" },
	{ { "+44", "Île de Man", "IM", 9, 10, "0" }, "l'" },
	{ { "+672", "Île Norfolk", "NF", 6, 6, "" }, "l'" },
	{ { "+358", "Îles Åland", "AX", 5, 10, "0" }, "les " },
	{ { "+1", "Îles Caïmans", "KY", 10, 10, "" }, "les " },
	{ { "+61", "Îles Cocos", "CC", 9, 9, "0" }, "les " },
	{ { "+682", "Îles Cook", "CK", 5, 5, "" }, "les " },
	{ { "+298", "Îles Féroé", "FO", 6, 6, "" }, "les " },
	{ { "+500", "Îles Malouines", "FK", 5, 5, "" }, "les " },
	{ { "+1", "Îles Mariannes du Nord", "MP", 10, 10, "" }, "les " },
	{ { "+692", "Îles Marshall", "MH", 7, 7, "1" }, "les " },
	{ { "+64", "Îles Pitcairn", "PN", 8, 10, "0" }, "les " },
	{ { "+677", "Îles Salomon", "SB", 5, 7, "" }, "les " },
	{ { "+1", "Îles Turques-et-Caïques", "TC", 10, 10, "" }, "les " },
	{ { "+1", "Îles Vierges britanniques", "VG", 10, 10, "" }, "les " },
	{ { "+1", "Îles Vierges des États-Unis", "VI", 10, 10, "" }, "les " },
	{ { "+91", "Inde", "IN", 10, 10, "0" }, "l'" },
	{ { "+62", "Indonésie", "ID", 7, 12, "0" }, "l'" },
	{ { "+964", "Irak", "IQ", 8, 10, "0" }, "l'" },
	{ { "+98", "Iran", "IR", 6, 10, "0" }, "l'" },
	{ { "+353", "Irlande", "IE", 7, 10, "0" }, "l'" },
	{ { "+354", "Islande", "IS", 7, 9, "" }, "l'" },
	{ { "+972", "Israël", "IL", 8, 12, "0" }, "" },
	{ { "+39", "Italie", "IT", 6, 11, "" }, "l'" },
	{ { "+1", "Jamaïque", "JM", 10, 10, "" }, "la " },
	{ { "+81", "Japon", "JP", 9, 10, "0" }, "le " },
	{ { "+44", "Jersey", "JE", 9, 10, "0" }, "" },
	{ { "+962", "Jordanie", "JO", 8, 9, "0" }, "la " },
	{ { "+7", "Kazakhstan", "KZ", 10, 10, "8" }, "le " },
	{ { "+254", "Kenya", "KE", 7, 9, "0" }, "le " },
	{ { "+996", "Kirghizistan", "KG", 9, 9, "0" }, "le " },
	{ { "+686", "Kiribati", "KI", 5, 8, "0" }, "" },
	{ { "+383", "Kosovo", "XK", 8, 9, "0" }, "le " },
	{ { "+965", "Koweït", "KW", 8, 8, "" }, "le " },
	{ { "+262", "La Réunion", "RE", 9, 9, "0" }, "" },
	{ { "+856", "Laos", "LA", 8, 10, "0" }, "le " },
	{ { "+266", "Lesotho", "LS", 8, 8, "" }, "le " },
	{ { "+371", "Lettonie", "LV", 8, 8, "" }, "la " },
	{ { "+961", "Liban", "LB", 7, 8, "0" }, "le " },
	{ { "+231", "Liberia", "LR", 7, 9, "0" }, "le " },
	{ { "+218", "Libye", "LY", 9, 9, "0" }, "la " },
	{ { "+423", "Liechtenstein", "LI", 7, 9, "0" }, "le " },
	{ { "+370", "Lituanie", "LT", 8, 8, "0" }, "la " },
	{ { "+352", "Luxembourg", "LU", 4, 11, "" }, "le " },
	{ { "+853", "Macao", "MO", 8, 8, "" }, "" },
	{ { "+389", "Macédoine du Nord", "MK", 8, 8, "0" }, "la " },
	{ { "+261", "Madagascar", "MG", 9, 9, "0" }, "" },
	{ { "+60", "Malaisie", "MY", 8, 10, "0" }, "la " },
	{ { "+265", "Malawi", "MW", 7, 9, "0" }, "le " },
	{ { "+960", "Maldives", "MV", 7, 7, "" }, "les " },
	{ { "+223", "Mali", "ML", 8, 8, "" }, "le " },
	{ { "+356", "Malte", "MT", 8, 8, "" }, "" },
	{ { "+212", "Maroc", "MA", 9, 9, "0" }, "le " },
	{ { "+596", "Martinique", "MQ", 9, 9, "0" }, "la " },
	{ { "+230", "Maurice", "MU", 7, 8, "" }, "" },
	{ { "+222", "Mauritanie", "MR", 8, 8, "" }, "la " },
	{ { "+262", "Mayotte", "YT", 9, 9, "0" }, "" },
	{ { "+52", "Mexique", "MX", 10, 10, "" }, "le " },
	{ { "+691", "Micronésie", "FM", 7, 7, "" }, "la " },
	{ { "+373", "Moldavie", "MD", 8, 8, "0" }, "la " },
	{ { "+377", "Monaco", "MC", 8, 9, "0" }, "" },
	{ { "+976", "Mongolie", "MN", 8, 10, "0" }, "la " },
	{ { "+382", "Monténégro", "ME", 8, 8, "0" }, "le " },
	{ { "+1", "Montserrat", "MS", 10, 10, "" }, "" },
	{ { "+258", "Mozambique", "MZ", 8, 9, "" }, "le " },
	{ { "+264", "Namibie", "NA", 8, 9, "0" }, "la " },
	{ { "+674", "Nauru", "NR", 7, 7, "" }, "" },
	{ { "+977", "Népal", "NP", 8, 10, "0" }, "le " },
	{ { "+505", "Nicaragua", "NI", 8, 8, "" }, "le " },
	{ { "+227", "Niger", "NE", 8, 8, "" }, "le " },
	{ { "+234", "Nigeria", "NG", 7, 10, "0" }, "le " },
	{ { "+683", "Niue", "NU", 4, 7, "" }, "" },
	{ { "+47", "Norvège", "NO", 8, 8, "" }, "la " },
	{ { "+687", "Nouvelle-Calédonie", "NC", 6, 6, "" }, "la " },
	{ { "+64", "Nouvelle-Zélande", "NZ", 8, 10, "0" }, "la " },
	{ { "+968", "Oman", "OM", 8, 8, "" }, "" },
	{ { "+256", "Ouganda", "UG", 9, 9, "0" }, "l'" },
	{ { "+998", "Ouzbékistan", "UZ", 9, 9, "8" }, "l'" },
	{ { "+92", "Pakistan", "PK", 9, 10, "0" }, "le " },
	{ { "+680", "Palaos", "PW", 7, 7, "" }, "les " },
	{ { "+970", "Palestine", "PS", 8, 9, "0" }, "la " },
	{ { "+507", "Panama", "PA", 7, 8, "" }, "le " },
	{ { "+675", "Papouasie-Nouvelle-Guinée", "PG", 7, 8, "" }, "la " },
	{ { "+595", "Paraguay", "PY", 7, 9, "0" }, "le " },
	{ { "+31", "Pays-Bas", "NL", 9, 11, "0" }, "les " },
	{ { "+51", "Pérou", "PE", 8, 9, "0" }, "le " },
	{ { "+63", "Philippines", "PH", 6, 10, "0" }, "les " },
	{ { "+48", "Pologne", "PL", 7, 9, "" }, "la " },
	{ { "+689", "Polynésie française", "PF", 8, 8, "" }, "la " },
	{ { "+1", "Porto Rico", "PR", 10, 10, "" }, "" },
	{ { "+351", "Portugal", "PT", 9, 9, "" }, "le " },
	{ { "+974", "Qatar", "QA", 8, 8, "" }, "le " },
	{ { "+236", "République centrafricaine", "CF", 8, 8, "" }, "la " },
	{ { "+243", "République démocratique du Congo", "CD", 7, 9, "0" }, "la " },
	{ { "+1", "République dominicaine", "DO", 10, 10, "" }, "la " },
	{ { "+40", "Roumanie", "RO", 6, 9, "0" }, "la " },
	{ { "+44", "Royaume-Uni", "GB", 9, 10, "0" }, "le " },
	{ { "+7", "Russie", "RU", 10, 10, "8" }, "la " },
	{ { "+250", "Rwanda", "RW", 8, 9, "0" }, "le " },
	{ { "+212", "Sahara occidental", "EH", 9, 9, "0" }, "le " },
	{ { "+590", "Saint-Barthélemy", "BL", 9, 9, "0" }, "" },
	{ { "+1", "Saint-Christophe-et-Niévès", "KN", 10, 10, "" }, "" },
	{ { "+378", "Saint-Marin", "SM", 8, 10, "" }, "" },
	{ { "+590", "Saint-Martin (partie française)", "MF", 9, 9, "0" }, "" },
	{ { "+1", "Saint-Martin (partie néerlandaise)", "SX", 10, 10, "" }, "" },
	{ { "+508", "Saint-Pierre-et-Miquelon", "PM", 6, 6, "0" }, "" },
	{ { "+1", "Saint-Vincent-et-les-Grenadines", "VC", 10, 10, "" }, "" },
	{ { "+290", "Sainte-Hélène", "SH", 4, 5, "" }, "" },
	{ { "+1", "Sainte-Lucie", "LC", 10, 10, "" }, "" },
	{ { "+503", "Salvador", "SV", 8, 8, "" }, "le " },
	{ { "+685", "Samoa", "WS", 5, 10, "" }, "les " },
	{ { "+1", "Samoa américaines", "AS", 10, 10, "" }, "les " },
	{ { "+239", "Sao Tomé-et-Principe", "ST", 7, 7, "" }, "" },
	{ { "+221", "Sénégal", "SN", 9, 9, "" }, "le " },
	{ { "+381", "Serbie", "RS", 7, 12, "0" }, "la " },
	{ { "+248", "Seychelles", "SC", 7, 7, "" }, "les " },
	{ { "+232", "Sierra Leone", "SL", 8, 8, "0" }, "la " },
	{ { "+65", "Singapour", "SG", 8, 8, "" }, "" },
	{ { "+421", "Slovaquie", "SK", 6, 9, "0" }, "la " },
	{ { "+386", "Slovénie", "SI", 8, 8, "0" }, "la " },
	{ { "+252", "Somalie", "SO", 6, 9, "0" }, "la " },
	{ { "+249", "Soudan", "SD", 9, 9, "0" }, "le " },
	{ { "+211", "Soudan du Sud", "SS", 9, 9, "0" }, "le " },
	{ { "+94", "Sri Lanka", "LK", 9, 9, "0" }, "le " },
	{ { "+46", "Suède", "SE", 7, 9, "0" }, "la " },
	{ { "+41", "Suisse", "CH", 9, 9, "0" }, "la " },
	{ { "+597", "Suriname", "SR", 6, 7, "" }, "le " },
	{ { "+47", "Svalbard et Jan Mayen", "SJ", 8, 8, "" }, "" },
	{ { "+963", "Syrie", "SY", 8, 9, "0" }, "la " },
	{ { "+992", "Tadjikistan", "TJ", 9, 9, "" }, "le " },
	{ { "+886", "Taïwan", "TW", 8, 9, "0" }, "" },
	{ { "+255", "Tanzanie", "TZ", 9, 9, "0" }, "la " },
	{ { "+235", "Tchad", "TD", 8, 8, "" }, "le " },
	{ { "+420", "Tchéquie", "CZ", 9, 9, "" }, "la " },
	{ { "+246", "Territoire britannique de l'océan Indien", "IO", 7, 7, "" }, "le " },
	{ { "+66", "Thaïlande", "TH", 8, 9, "0" }, "la " },
	{ { "+670", "Timor oriental", "TL", 7, 8, "" }, "le " },
	{ { "+228", "Togo", "TG", 8, 8, "" }, "le " },
	{ { "+690", "Tokelau", "TK", 4, 7, "" }, "les " },
	{ { "+676", "Tonga", "TO", 5, 7, "" }, "les " },
	{ { "+1", "Trinité-et-Tobago", "TT", 10, 10, "" }, "" },
	{ { "+290", "Tristan da Cunha", "TA", 4, 5, "" }, "" },
	{ { "+216", "Tunisie", "TN", 8, 8, "" }, "la " },
	{ { "+993", "Turkménistan", "TM", 8, 8, "8" }, "le " },
	{ { "+90", "Turquie", "TR", 10, 10, "0" }, "la " },
	{ { "+688", "Tuvalu", "TV", 5, 7, "" }, "" },
	{ { "+380", "Ukraine", "UA", 9, 9, "0" }, "l'" },
	{ { "+598", "Uruguay", "UY", 8, 8, "0" }, "l'" },
	{ { "+678", "Vanuatu", "VU", 5, 7, "" }, "le " },
	{ { "+39", "Vatican", "VA", 6, 11, "" }, "le " },
	{ { "+58", "Venezuela", "VE", 10, 10, "0" }, "le " },
	{ { "+84", "Vietnam", "VN", 9, 10, "0" }, "le " },
	{ { "+681", "Wallis-et-Futuna", "WF", 6, 6, "" }, "" },
	{ { "+967", "Yémen", "YE", 7, 9, "0" }, "le " },
	{ { "+260", "Zambie", "ZM", 9, 9, "0" }, "la " },
	{ { "+263", "Zimbabwe", "ZW", 5, 10, "0" }, "le " },
	{ { NULL, NULL, NULL, 0, 0, NULL }, NULL }
};

/* Pays principal de chaque indicatif partagé. */
static const struct {
	const char	*code;
	const char	*iso2;
} primaries[] = {
	{ "+1", "US" }, { "+7", "RU" }, { "+39", "IT" }, { "+44", "GB" },
	{ "+47", "NO" }, { "+61", "AU" }, { "+64", "NZ" }, { "+212", "MA" },
	{ "+262", "RE" }, { "+290", "SH" }, { "+358", "FI" }, { "+500", "FK" },
	{ "+590", "GP" }, { "+599", "CW" }, { "+672", "NF" },
};

/*
 * Préfixes interurbains acceptés à la saisie quand il y en a plusieurs, le
 * plus long d'abord. Les autres pays n'ont que celui de la table.
 */
static const struct {
	const char	*code;
	const char	*alt[3];
} trunk_alts[] = {
	{ "+375", { "80", "8", "0" } },	/* Biélorussie : « 8 029... » ou « 029... » */
	{ "+370", { "0", "8", NULL } },	/* Lituanie : « 8 » avant 2025 */
};

/* Motifs de refus d'un numéro national significatif. */
enum nsn_fault {
	NSN_OK = 0,
	NSN_E164,	/* plus de 15 chiffres avec l'indicatif */
	NSN_SHORT,
	NSN_LONG,
	NSN_LEAD00,	/* commence par 00 (préfixe international) */
	NSN_LEAD0,	/* commence par 0 alors que le pays a un préfixe interurbain */
	NSN_NANP	/* +1 : indicatif régional commençant par 0 ou 1 */
};

/* Défauts de forme de la saisie, par ordre de découverte. */
enum scan_fault {
	SCAN_OK = 0,
	SCAN_LETTER,	/* lettre ou caractère non ASCII inconnu */
	SCAN_PUNCT,	/* autre ponctuation ou caractère de contrôle */
	SCAN_PLUS,	/* « + » ailleurs qu'au début */
	SCAN_PAREN	/* parenthèses ouvertes, vides ou imbriquées */
};

struct scan {
	char	 d[SCAN_CAP];	/* chiffres ASCII, dans l'ordre */
	size_t	 n;		/* nombre total de chiffres (peut dépasser SCAN_CAP) */
	int	 plus;		/* « + » initial */
	int	 marks;		/* au moins un signe autre qu'un blanc */
};

#define NCOUNTRIES	(sizeof(countries) / sizeof(countries[0]) - 1)
#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Écrit le message d'erreur (format printf) et le champ fautif dans err.
 * Rend toujours CBW_EINVAL.
 */
static enum cbw_err __attribute__((format(printf, 3, 4)))
fail(struct cbw_phone_err *err, const char *field, const char *fmt, ...)
{
	va_list	 ap;

	err->field = field;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return CBW_EINVAL;
}

/*
 * Cherche un pays par les chiffres de son indicatif (n chiffres en d), le
 * pays principal si l'indicatif est partagé. Rend l'entrée ou NULL.
 */
static const struct entry *
lookup(const char *d, size_t n)
{
	const char	*iso = NULL;
	size_t		 i;

	if (n == 0 || n > 3)
		return NULL;
	for (i = 0; i < NITEMS(primaries); i++)
		if (strlen(primaries[i].code + 1) == n &&
		    memcmp(primaries[i].code + 1, d, n) == 0)
			iso = primaries[i].iso2;
	for (i = 0; i < NCOUNTRIES; i++)
		if (strlen(countries[i].c.code + 1) == n &&
		    memcmp(countries[i].c.code + 1, d, n) == 0 &&
		    (iso == NULL || strcmp(countries[i].c.iso2, iso) == 0))
			return &countries[i];
	return NULL;
}

/* Rend 1 si plusieurs pays de la table ont l'indicatif de e, sinon 0. */
static int
shared(const struct entry *e)
{
	size_t	 i, k = 0;

	for (i = 0; i < NCOUNTRIES; i++)
		if (strcmp(countries[i].c.code, e->c.code) == 0)
			k++;
	return k > 1;
}

/*
 * Lit un indicatif « +33 », « 33 » ou « 0033 » (blancs tolérés autour) :
 * 1 à 3 chiffres copiés dans d (sans NUL), leur nombre dans *n. Rend 1 si
 * la forme est bonne, 0 sinon (vide compris).
 */
static int
code_digits(const char *s, char d[3], size_t *n)
{
	*n = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '+')
		s++;
	else if (s[0] == '0' && s[1] == '0')
		s += 2;
	while (*s >= '0' && *s <= '9') {
		if (*n == 3)
			return 0;
		d[(*n)++] = *s++;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0' && *n > 0 && d[0] != '0';
}

/*
 * Préfixes interurbains acceptés pour le pays c : jusqu'à 3 chaînes non
 * vides dans alt. Rend leur nombre (0 si le pays n'en a pas).
 */
static size_t
trunks(const struct cbw_country *c, const char *alt[3])
{
	size_t	 i, k;

	for (i = 0; i < NITEMS(trunk_alts); i++)
		if (strcmp(trunk_alts[i].code, c->code) == 0) {
			for (k = 0; k < 3 && trunk_alts[i].alt[k] != NULL; k++)
				alt[k] = trunk_alts[i].alt[k];
			return k;
		}
	if (c->trunk[0] == '\0')
		return 0;
	alt[0] = c->trunk;
	return 1;
}

/*
 * Vérifie un numéro national significatif (n chiffres en d) pour le pays
 * c. Rend NSN_OK, ou le premier motif de refus.
 */
static enum nsn_fault
nsn_check(const struct cbw_country *c, const char *d, size_t n)
{
	if (n + strlen(c->code + 1) > E164_DIGITS)
		return NSN_E164;
	if (n < c->min_len)
		return NSN_SHORT;
	if (n > c->max_len)
		return NSN_LONG;
	if (n >= 2 && d[0] == '0' && d[1] == '0')
		return NSN_LEAD00;
	if (c->trunk[0] != '\0' && d[0] == '0')
		return NSN_LEAD0;
	if (strcmp(c->code, "+1") == 0 && (d[0] == '0' || d[0] == '1'))
		return NSN_NANP;
	return NSN_OK;
}

/*
 * Chiffres écrits après l'indicatif (format international) : tels quels,
 * ou sans un préfixe interurbain écrit par erreur (« +33 (0)6... »).
 * Rend NSN_OK avec le numéro en *nsn / *len, ou le motif de refus de la
 * lecture la plus plausible.
 */
static enum nsn_fault
after_code(const struct cbw_country *c, const char *d, size_t n,
    const char **nsn, size_t *len)
{
	const char	*alt[3];
	enum nsn_fault	 f, first;
	size_t		 i, k, t, pre = 0;

	*nsn = d;
	*len = n;
	if ((first = nsn_check(c, d, n)) == NSN_OK)
		return NSN_OK;
	k = trunks(c, alt);
	for (i = 0; i < k; i++) {
		t = strlen(alt[i]);
		if (t > n || memcmp(d, alt[i], t) != 0)
			continue;
		f = nsn_check(c, d + t, n - t);
		if (f == NSN_OK) {
			*nsn = d + t;
			*len = n - t;
			return NSN_OK;
		}
		if (pre++ == 0 && first == NSN_LEAD0)
			first = f;
	}
	return first;
}

/*
 * Chiffres d'un numéro national pour le pays c : sans le préfixe
 * interurbain, tels quels, ou, en dernier recours, précédés de l'indicatif
 * (« 33612345678 » avec +33). Rend NSN_OK avec *nsn / *len, ou le motif
 * de refus de la lecture la plus plausible.
 */
static enum nsn_fault
national(const struct cbw_country *c, const char *d, size_t n,
    const char **nsn, size_t *len)
{
	const char	*alt[3];
	enum nsn_fault	 f, first = NSN_OK;
	size_t		 i, k, t, cl;

	k = trunks(c, alt);
	for (i = 0; i < k; i++) {
		t = strlen(alt[i]);
		if (t > n || memcmp(d, alt[i], t) != 0)
			continue;
		f = nsn_check(c, d + t, n - t);
		if (f == NSN_OK) {
			*nsn = d + t;
			*len = n - t;
			return NSN_OK;
		}
		if (first == NSN_OK)
			first = f;
	}
	f = nsn_check(c, d, n);
	if (f == NSN_OK) {
		*nsn = d;
		*len = n;
		return NSN_OK;
	}
	if (first == NSN_OK)
		first = f;
	cl = strlen(c->code + 1);
	if (n > cl && memcmp(d, c->code + 1, cl) == 0 &&
	    after_code(c, d + cl, n - cl, nsn, len) == NSN_OK)
		return NSN_OK;
	return first;
}

/*
 * Libellé du pays pour les messages : « la France (+33) », « les îles
 * Cook (+682) », ou « l'indicatif +1 » si l'indicatif est partagé.
 */
static void
label(const struct entry *e, char *buf, size_t len)
{
	if (shared(e))
		snprintf(buf, len, "l'indicatif %s", e->c.code);
	else if (e->art[0] != '\0' && strncmp(e->c.name_fr, "\xc3\x8e", 2) == 0)
		snprintf(buf, len, "%s\xc3\xae%s (%s)", e->art,	/* « l'île » */
		    e->c.name_fr + 2, e->c.code);
	else
		snprintf(buf, len, "%s%s (%s)", e->art, e->c.name_fr, e->c.code);
}

/* Écrit le message du motif f pour le pays e. Rend CBW_EINVAL. */
static enum cbw_err
nsn_fail(struct cbw_phone_err *err, const struct entry *e, enum nsn_fault f)
{
	char	 lb[96], want[40];

	label(e, lb, sizeof(lb));
	if (e->c.min_len == e->c.max_len)
		snprintf(want, sizeof(want), "%u chiffres",
		    (unsigned)e->c.min_len);
	else
		snprintf(want, sizeof(want), "de %u à %u chiffres",
		    (unsigned)e->c.min_len, (unsigned)e->c.max_len);
	switch (f) {
	case NSN_E164:
		return fail(err, "phone_number",
		    "Numéro trop long : 15 chiffres au maximum (norme E.164).");
	case NSN_SHORT:
		return fail(err, "phone_number", "Numéro trop court pour %s : "
		    "%s attendus après l'indicatif.", lb, want);
	case NSN_LONG:
		return fail(err, "phone_number", "Numéro trop long pour %s : "
		    "%s attendus après l'indicatif.", lb, want);
	case NSN_LEAD00:
		return fail(err, "phone_number", "Numéro invalide pour %s : "
		    "après l'indicatif, il ne peut pas commencer par 00.", lb);
	case NSN_NANP:
		return fail(err, "phone_number", "Numéro invalide pour %s : "
		    "l'indicatif régional (3 premiers chiffres) ne peut pas "
		    "commencer par 0 ou 1.", lb);
	default:
		return fail(err, "phone_number", "Numéro invalide pour %s : "
		    "après l'indicatif, il ne peut pas commencer par 0.", lb);
	}
}

/*
 * Longueur de la séquence UTF-8 en s (au moins un octet lisible) si c'est
 * un blanc ou un tiret typographique (*digit = -1), un chiffre arabe,
 * persan ou pleine chasse (*digit = sa valeur), ou un signe invisible de
 * mise en page (*digit = -1). Rend 0 pour tout autre caractère.
 */
static size_t
utf8_extra(const unsigned char *s, int *digit)
{
	*digit = -1;
	if (s[0] == 0xc2 && s[1] == 0xa0)		/* espace insécable */
		return 2;
	if (s[0] == 0xd9 && s[1] >= 0xa0 && s[1] <= 0xa9) {	/* ٠-٩ */
		*digit = s[1] - 0xa0;
		return 2;
	}
	if (s[0] == 0xdb && s[1] >= 0xb0 && s[1] <= 0xb9) {	/* ۰-۹ */
		*digit = s[1] - 0xb0;
		return 2;
	}
	if (s[0] == 0xe2 && s[1] == 0x80 && s[2] != 0 &&
	    ((s[2] >= 0x80 && s[2] <= 0x95) ||	/* espaces, tirets, ZWSP, LRM */
	    (s[2] >= 0xaa && s[2] <= 0xaf)))	/* bidi, espace fine insécable */
		return 3;
	if (s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)
		return 3;				/* isolats bidi */
	if (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)	/* BOM */
		return 3;
	if (s[0] == 0xef && s[1] == 0xbc && s[2] >= 0x90 && s[2] <= 0x99) {
		*digit = s[2] - 0x90;			/* ０-９ */
		return 3;
	}
	return 0;
}

/* Ajoute le chiffre ch à la lecture sc. */
static void
put_digit(struct scan *sc, char ch)
{
	if (sc->n < SCAN_CAP)
		sc->d[sc->n] = ch;
	sc->n++;
}

/*
 * Lit la saisie : garde les chiffres, note le « + » initial, vérifie les
 * parenthèses. Rend SCAN_OK, ou le premier défaut rencontré.
 */
static enum scan_fault
scan(const char *in, struct scan *sc)
{
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 k, inner = 0;
	int			 depth = 0, digit;

	memset(sc, 0, sizeof(*sc));
	while (*s != '\0') {
		if (*s >= '0' && *s <= '9') {
			put_digit(sc, (char)*s++);
			inner++;
			continue;
		}
		if (*s == ' ' || *s == '\t') {
			s++;
			continue;
		}
		if (*s >= 0x80) {
			if ((k = utf8_extra(s, &digit)) == 0)
				return SCAN_LETTER;
			if (digit >= 0) {
				put_digit(sc, (char)('0' + digit));
				inner++;
			}
			s += k;
			continue;
		}
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
			return SCAN_LETTER;
		sc->marks = 1;
		switch (*s++) {
		case '.':
		case '-':
			break;
		case '+':
			if (sc->plus || sc->n > 0)
				return SCAN_PLUS;
			sc->plus = 1;
			inner++;
			break;
		case '(':
			if (depth)
				return SCAN_PAREN;
			depth = 1;
			inner = 0;
			break;
		case ')':
			if (!depth || inner == 0)
				return SCAN_PAREN;
			depth = 0;
			break;
		default:
			return SCAN_PUNCT;
		}
	}
	return depth ? SCAN_PAREN : SCAN_OK;
}

/* Remplit out avec le pays c et le numéro national (n chiffres en d). */
static void
fill(struct cbw_phone *out, const struct cbw_country *c, const char *d,
    size_t n)
{
	size_t	 cl = strlen(c->code);

	memcpy(out->country_code, c->code, cl + 1);
	memcpy(out->national, d, n);
	out->national[n] = '\0';
	memcpy(out->full, c->code, cl);
	memcpy(out->full + cl, d, n);
	out->full[cl + n] = '\0';
}

/*
 * Numéro écrit au format international : n chiffres en d, après le « + »
 * ou le « 00 ». Rend CBW_OK et remplit out, ou CBW_EINVAL avec le message.
 */
static enum cbw_err
parse_intl(const char *d, size_t n, struct cbw_phone *out,
    struct cbw_phone_err *err)
{
	const struct entry	*e = NULL;
	const char		*nsn;
	size_t			 k, len;
	enum nsn_fault		 f;

	if (n == 0)
		return fail(err, "phone_number", "Le numéro s'arrête après le "
		    "préfixe international : ajoutez l'indicatif pays et le "
		    "numéro.");
	if (d[0] == '0')
		return fail(err, "phone_number", "Après « + » ou « 00 », le "
		    "numéro doit commencer par l'indicatif pays (ex. : +33), "
		    "pas par 0.");
	/* Un préfixe interurbain écrit par erreur (« +49 (0)... ») peut
	 * ajouter jusqu'à deux chiffres : after_code() en juge. */
	for (k = 1; k <= 3 && k <= n && e == NULL; k++)
		e = lookup(d, k);
	if (n > E164_DIGITS + 2 || (e == NULL && n > E164_DIGITS))
		return fail(err, "phone_number",
		    "Numéro trop long : 15 chiffres au maximum (norme E.164).");
	if (e == NULL) {
		if (n < 3)
			return fail(err, "phone_number", "Numéro trop court : "
			    "l'indicatif pays est incomplet.");
		return fail(err, "phone_number", "Indicatif pays inconnu : "
		    "+%.3s.", d);
	}
	k = strlen(e->c.code + 1);
	if ((f = after_code(&e->c, d + k, n - k, &nsn, &len)) != NSN_OK)
		return nsn_fail(err, e, f);
	fill(out, &e->c, nsn, len);
	return CBW_OK;
}

/*
 * Analyse une saisie libre (voir phone.h). Rend CBW_OK et remplit out, ou
 * CBW_EINVAL avec le champ fautif et un message français dans err (out est
 * alors vidé).
 */
enum cbw_err
cbw_phone_parse(const char *input, const char *country_code,
    struct cbw_phone *out, struct cbw_phone_err *err)
{
	struct cbw_phone_err	 local;
	struct scan		 sc;
	const struct entry	*e;
	const char		*nsn;
	char			 cd[3];
	size_t			 cn, len;
	enum nsn_fault		 f;

	if (err == NULL)
		err = &local;
	err->field = NULL;
	err->msg[0] = '\0';
	memset(out, 0, sizeof(*out));
	if (input == NULL)
		input = "";
	switch (scan(input, &sc)) {
	case SCAN_LETTER:
		return fail(err, "phone_number", "Le numéro contient des "
		    "caractères non autorisés (lettres ?) : seuls les chiffres, "
		    "espaces, points, tirets, parenthèses et le « + » initial "
		    "sont permis.");
	case SCAN_PUNCT:
		return fail(err, "phone_number", "Le numéro contient des "
		    "caractères non autorisés : seuls les chiffres, espaces, "
		    "points, tirets, parenthèses et le « + » initial sont "
		    "permis.");
	case SCAN_PLUS:
		return fail(err, "phone_number", "Le signe « + » n'est permis "
		    "qu'une fois, au début du numéro.");
	case SCAN_PAREN:
		return fail(err, "phone_number", "Parenthèses mal placées dans "
		    "le numéro.");
	default:
		break;
	}
	if (sc.n == 0 && !sc.marks)
		return fail(err, "phone_number",
		    "Le numéro de téléphone est obligatoire.");
	if (sc.n == 0 && !sc.plus)
		return fail(err, "phone_number",
		    "Le numéro ne contient aucun chiffre.");
	if (sc.n > SCAN_CAP)
		return fail(err, "phone_number",
		    "Numéro trop long : 15 chiffres au maximum (norme E.164).");
	if (sc.plus)
		return parse_intl(sc.d, sc.n, out, err);
	if (sc.n >= 2 && sc.d[0] == '0' && sc.d[1] == '0')
		return parse_intl(sc.d + 2, sc.n - 2, out, err);

	if (country_code == NULL || country_code[strspn(country_code,
	    " \t")] == '\0')
		return fail(err, "country_code", "Indicatif pays manquant : "
		    "choisissez un pays, ou écrivez le numéro au format "
		    "international (+33 6 12 34 56 78).");
	if (!code_digits(country_code, cd, &cn))
		return fail(err, "country_code", "Indicatif pays invalide : il "
		    "s'écrit +33, 33 ou 0033 (3 chiffres au plus).");
	if ((e = lookup(cd, cn)) == NULL)
		return fail(err, "country_code", "Indicatif pays inconnu : "
		    "+%.*s.", (int)cn, cd);
	if ((f = national(&e->c, sc.d, sc.n, &nsn, &len)) != NSN_OK)
		return nsn_fail(err, e, f);
	fill(out, &e->c, nsn, len);
	return CBW_OK;
}

/*
 * Vérifie un numéro déjà normalisé : « + » puis 15 chiffres au plus, un
 * indicatif connu et un numéro national valable pour ce pays, sans aucun
 * autre caractère. Rend 1 si c'est le cas, 0 sinon.
 */
int
cbw_phone_is_e164(const char *full)
{
	const struct entry	*e = NULL;
	size_t			 n, k;

	if (full == NULL || full[0] != '+')
		return 0;
	n = strlen(full + 1);
	if (n < 2 || n > E164_DIGITS || strspn(full + 1, "0123456789") != n)
		return 0;
	for (k = 1; k <= 3 && e == NULL; k++)
		e = lookup(full + 1, k);
	if (e == NULL)
		return 0;
	k = strlen(e->c.code + 1);
	return nsn_check(&e->c, full + 1 + k, n - k) == NSN_OK;
}

/* Rend l'entrée i de la table, ou NULL après la dernière. */
const struct cbw_country *
cbw_phone_country(size_t i)
{
	return i < NCOUNTRIES ? &countries[i].c : NULL;
}

/*
 * Cherche le pays (principal) d'un indicatif « +33 », « 33 » ou « 0033 ».
 * Rend le pays, ou NULL si l'indicatif est mal formé ou inconnu.
 */
const struct cbw_country *
cbw_phone_country_by_code(const char *code)
{
	const struct entry	*e;
	char			 d[3];
	size_t			 n;

	if (code == NULL || !code_digits(code, d, &n) ||
	    (e = lookup(d, n)) == NULL)
		return NULL;
	return &e->c;
}
