/*
 * Tests unitaires du moteur de gabarits (lib/tmpl.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "buf.h"
#include "tmpl.h"

/* Contexte commun à la plupart des tests. */
static const char *ctx_json =
    "{"
    " \"name\": \"Alice <script>\\\"'&`\","
    " \"n\": 3, \"zero\": 0, \"neg\": -7, \"pi\": 3.14159, \"two\": 2.0,"
    " \"half\": 2.5, \"dzero\": 0.0, \"big\": 1e20,"
    " \"i64\": 9223372036854775807, \"u64\": 18446744073709551615,"
    " \"t\": true, \"f\": false, \"nul\": null, \"empty\": \"\","
    " \"arr0\": [], \"obj0\": {}, \"s3\": \"3\", \"str0\": \"0\","
    " \"user\": { \"email\": \"a@b.c\", \"role\": { \"name\": \"admin\" } },"
    " \"svg\": \"<svg><rect width=\\\"1\\\"/></svg>\","
    " \"items\": [ { \"id\": 1, \"label\": \"un\" },"
    "   { \"id\": 2, \"label\": \"deux\" }, { \"id\": 3, \"label\": \"<b>\" } ],"
    " \"tags\": [ \"x\", \"y\", 4, null, true ],"
    " \"groups\": ["
    "   { \"gname\": \"G1\", \"members\": [ { \"name\": \"m1\" },"
    "     { \"name\": \"m2\" } ] },"
    "   { \"gname\": \"G2\", \"members\": [] } ],"
    " \"matrix\": [ [1, 2], [3] ]"
    "}";

static char	 tmpdir[64];

/* Analyse `json` (NULL : pas de contexte). */
static struct json_object *
parse_json(const char *json)
{
	struct json_object	*o;

	if (json == NULL)
		return NULL;
	o = json_tokener_parse(json);
	assert_non_null(o);
	return o;
}

/* Rend la chaîne `src` avec `json` (sans jeu) et compare à `want`. */
static void
check_set(struct cbw_tmpl_set *set, const char *src, const char *json,
    const char *want)
{
	struct json_object	*ctx = parse_json(json);
	struct cbw_buf		 b;
	char			 err[256];
	enum cbw_err		 er;

	cbw_buf_init(&b);
	er = cbw_tmpl_render_string(set, src, strlen(src), ctx, &b, err,
	    sizeof(err));
	if (er != CBW_OK)
		print_error("source « %s » : %s\n", src, err);
	assert_int_equal(er, CBW_OK);
	assert_string_equal(cbw_buf_str(&b), want);
	cbw_buf_free(&b);
	json_object_put(ctx);
}

/* Comme check_set, sans jeu de gabarits. */
static void
check(const char *src, const char *json, const char *want)
{
	check_set(NULL, src, json, want);
}

/* Comme check avec le contexte commun. */
static void
checkc(const char *src, const char *want)
{
	check_set(NULL, src, ctx_json, want);
}

/* Rend `src` : doit échouer en CBW_ETMPL avec exactement le message `want`. */
static void
check_err_set(struct cbw_tmpl_set *set, const char *src, const char *json,
    const char *want)
{
	struct json_object	*ctx = parse_json(json);
	struct cbw_buf		 b;
	char			 err[256];

	cbw_buf_init(&b);
	assert_int_equal(cbw_tmpl_render_string(set, src, strlen(src), ctx,
	    &b, err, sizeof(err)), CBW_ETMPL);
	assert_string_equal(err, want);
	cbw_buf_free(&b);
	json_object_put(ctx);
}

/* Erreur attendue sans jeu, contexte commun. */
static void
check_err(const char *src, const char *want)
{
	check_err_set(NULL, src, ctx_json, want);
}

/* Écrit le fichier tmpdir/name.html avec le contenu `s`. */
static void
write_tmpl(const char *name, const char *s)
{
	char	 path[256];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s.html", tmpdir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(s, 1, strlen(s), fp), strlen(s));
	assert_int_equal(fclose(fp), 0);
}

/* Rend le gabarit `name` du jeu et compare à `want`. */
static void
check_file(struct cbw_tmpl_set *set, const char *name, const char *json,
    const char *want)
{
	struct json_object	*ctx = parse_json(json);
	struct cbw_buf		 b;
	char			 err[256];
	enum cbw_err		 er;

	cbw_buf_init(&b);
	er = cbw_tmpl_render(set, name, ctx, &b, err, sizeof(err));
	if (er != CBW_OK)
		print_error("gabarit %s : %s\n", name, err);
	assert_int_equal(er, CBW_OK);
	assert_string_equal(cbw_buf_str(&b), want);
	cbw_buf_free(&b);
	json_object_put(ctx);
}

/* Rend le gabarit `name` : doit échouer en CBW_ETMPL ; message dans err. */
static void
check_file_err(struct cbw_tmpl_set *set, const char *name, const char *json,
    char *err, size_t errlen)
{
	struct json_object	*ctx = parse_json(json);
	struct cbw_buf		 b;

	cbw_buf_init(&b);
	assert_int_equal(cbw_tmpl_render(set, name, ctx, &b, err, errlen),
	    CBW_ETMPL);
	assert_true(err[0] != '\0');
	cbw_buf_free(&b);
	json_object_put(ctx);
}

/* Vrai si `s` commence par `prefix`. */
static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ------------------------------------------------------------------ */

static void
test_text_only(void **state)
{
	(void)state;
	checkc("", "");
	checkc("Bonjour", "Bonjour");
	checkc("  a\n\n  b  \n", "  a\n\n  b  \n");
	checkc("a } b { c }} d {x}", "a } b { c }} d {x}");
	checkc("<p class=\"x\">&amp;</p>", "<p class=\"x\">&amp;</p>");
	check("x", NULL, "x");
}

static void
test_var_escape(void **state)
{
	(void)state;
	checkc("[{{name}}]", "[Alice &lt;script&gt;&quot;&#39;&amp;&#96;]");
	checkc("<a title=\"{{name}}\">", "<a title=\"Alice &lt;script&gt;"
	    "&quot;&#39;&amp;&#96;\">");
	check("{{x}}", "{\"x\": \"a\\u0001b\\nc\"}", "ab\nc");
	check("{{x}}", "{\"x\": \"a\\u0000<\"}", "a&lt;");
}

static void
test_var_paths(void **state)
{
	(void)state;
	checkc("{{user.email}}", "a@b.c");
	checkc("{{ user.email }}", "a@b.c");
	checkc("{{\tuser.role.name\n}}", "admin");
	checkc("{{missing}}|{{user.missing}}|{{missing.x.y}}", "||");
	checkc("{{name.x}}|{{items.id}}|{{user.email.x}}", "||");
	checkc("{{.}}", "");
	checkc("{{@index}}{{@first}}", "");
	check("{{a}}", NULL, "");
	check("{{a-b}}/{{a_c}}/{{A9}}", "{\"a-b\":1,\"a_c\":2,\"A9\":3}",
	    "1/2/3");
	check("{{raw}}", "{\"raw\":\"<x>\"}", "&lt;x&gt;");
}

static void
test_var_types(void **state)
{
	(void)state;
	checkc("{{n}} {{zero}} {{neg}}", "3 0 -7");
	checkc("{{pi}} {{two}} {{half}} {{dzero}}", "3.1 2 2.5 0");
	checkc("{{big}}", "100000000000000000000");
	checkc("{{i64}} {{u64}}", "9223372036854775807 18446744073709551615");
	checkc("{{t}} {{f}}", "true false");
	checkc("[{{nul}}][{{empty}}][{{arr0}}][{{obj0}}][{{user}}][{{items}}]",
	    "[][][][][][]");
	check("{{d}}", "{\"d\": -0.0}", "0");
	check("{{d}}", "{\"d\": -1.25}", "-1.2");
	check("{{d}}", "{\"d\": -3.0}", "-3");
}

static void
test_append_to_buffer(void **state)
{
	struct cbw_buf	 b;
	char		 err[64];

	(void)state;
	cbw_buf_init(&b);
	assert_int_equal(cbw_buf_puts(&b, "avant:"), CBW_OK);
	assert_int_equal(cbw_tmpl_render_string(NULL, "{{x}}", 5, NULL, &b,
	    err, sizeof(err)), CBW_OK);
	assert_int_equal(cbw_tmpl_render_string(NULL, "<y>", 3, NULL, &b,
	    NULL, 0), CBW_OK);
	assert_string_equal(cbw_buf_str(&b), "avant:<y>");
	/* Longueur explicite : la fin de la chaîne est ignorée. */
	assert_int_equal(cbw_tmpl_render_string(NULL, "ab{{", 2, NULL, &b,
	    err, sizeof(err)), CBW_OK);
	assert_string_equal(cbw_buf_str(&b), "avant:<y>ab");
	cbw_buf_free(&b);
}

static void
test_raw(void **state)
{
	(void)state;
	checkc("{{raw svg}}", "<svg><rect width=\"1\"/></svg>");
	checkc("{{ raw  svg }}", "<svg><rect width=\"1\"/></svg>");
	checkc("{{raw name}}", "Alice <script>\"'&`");
	checkc("{{raw n}}{{raw t}}{{raw missing}}{{raw user}}", "3true");
	checkc("{{svg}}", "&lt;svg&gt;&lt;rect width=&quot;1&quot;/&gt;"
	    "&lt;/svg&gt;");
}

static void
test_if(void **state)
{
	(void)state;
	checkc("{{#if t}}oui{{/if}}", "oui");
	checkc("{{#if t}}oui{{else}}non{{/if}}", "oui");
	checkc("{{#if n}}1{{/if}}{{#if pi}}2{{/if}}{{#if name}}3{{/if}}"
	    "{{#if items}}4{{/if}}{{#if user}}5{{/if}}{{#if str0}}6{{/if}}"
	    "{{#if user.role.name}}7{{/if}}{{#if neg}}8{{/if}}", "12345678");
	checkc("{{#if f}}x{{else}}a{{/if}}{{#if zero}}x{{else}}b{{/if}}"
	    "{{#if dzero}}x{{else}}c{{/if}}{{#if nul}}x{{else}}d{{/if}}"
	    "{{#if empty}}x{{else}}e{{/if}}{{#if arr0}}x{{else}}f{{/if}}"
	    "{{#if obj0}}x{{else}}g{{/if}}{{#if missing}}x{{else}}h{{/if}}"
	    "{{#if user.nope}}x{{else}}i{{/if}}", "abcdefghi");
	checkc("{{#if f}}x{{/if}}", "");
	checkc("{{# if  t }}a{{ else }}b{{/ if }}", "a");
	checkc("{{#if t}}{{#if f}}x{{else}}{{#if n}}y{{/if}}{{/if}}{{/if}}",
	    "y");
}

static void
test_unless(void **state)
{
	(void)state;
	checkc("{{#unless f}}a{{/unless}}", "a");
	checkc("{{#unless t}}a{{/unless}}", "");
	checkc("{{#unless t}}a{{else}}b{{/unless}}", "b");
	checkc("{{#unless missing}}a{{else}}b{{/unless}}", "a");
	checkc("{{#unless arr0}}vide{{/unless}}", "vide");
}

static void
test_each(void **state)
{
	(void)state;
	checkc("{{#each items}}{{@index}}/{{@number}}:{{id}}={{label}}"
	    "{{#if @first}}F{{/if}}{{#if @last}}L{{/if}};{{/each}}",
	    "0/1:1=unF;1/2:2=deux;2/3:3=&lt;b&gt;L;");
	checkc("{{#each items}}{{@first}},{{@last}} {{/each}}",
	    "true,false false,false false,true ");
	checkc("{{#each tags}}[{{.}}]{{/each}}", "[x][y][4][][true]");
	checkc("{{#each arr0}}x{{else}}vide{{/each}}", "vide");
	checkc("{{#each missing}}x{{else}}absent{{/each}}", "absent");
	checkc("{{#each user}}x{{else}}pas un tableau{{/each}}",
	    "pas un tableau");
	checkc("{{#each name}}x{{else}}chaîne{{/each}}", "chaîne");
	checkc("{{#each arr0}}x{{/each}}", "");
	check("{{#each a}}{{@index}}{{#if @first}}F{{/if}}{{#if @last}}L"
	    "{{/if}}{{/each}}", "{\"a\":[7]}", "0FL");
	checkc("{{#each items}}{{#unless @last}}{{label}}, {{else}}{{label}}"
	    "{{/unless}}{{/each}}", "un, deux, &lt;b&gt;");
}

static void
test_each_nested(void **state)
{
	(void)state;
	/* Recherche vers les contextes extérieurs, masquage par l'intérieur. */
	checkc("{{#each groups}}{{gname}}:{{#each members}}{{name}}@{{gname}}"
	    "/{{user.email}}/{{n}} {{else}}vide{{/each}};{{/each}}",
	    "G1:m1@G1/a@b.c/3 m2@G1/a@b.c/3 ;G2:vide;");
	/* @index désigne le each le plus interne, puis l'extérieur. */
	checkc("{{#each groups}}{{#each members}}{{@index}}{{/each}}"
	    "-{{@index}} {{/each}}", "01-0 -1 ");
	checkc("{{#each matrix}}({{#each .}}{{.}}{{#unless @last}},{{/unless}}"
	    "{{/each}}){{/each}}", "(1,2)(3)");
	/* Un null explicite masque la valeur extérieure. */
	check("{{#each items}}[{{a}}]{{/each}}",
	    "{\"a\":\"ext\",\"items\":[{\"a\":null},{\"b\":1},{\"a\":\"in\"}]}",
	    "[][ext][in]");
	/* Un élément scalaire ne masque rien. */
	check("{{#each xs}}{{.}}{{a}} {{/each}}", "{\"a\":\"A\",\"xs\":[1,2]}",
	    "1A 2A ");
}

static void
test_with(void **state)
{
	(void)state;
	checkc("{{#with user}}{{email}} {{role.name}} {{n}}{{/with}}",
	    "a@b.c admin 3");
	checkc("{{#with user.role}}{{name}}{{/with}}", "admin");
	checkc("{{#with missing}}x{{/with}}", "");
	checkc("{{#with nul}}x{{else}}rien{{/with}}", "rien");
	checkc("{{#with user}}{{#with role}}{{name}}/{{email}}{{/with}}"
	    "{{/with}}", "admin/a@b.c");
	checkc("{{#with n}}{{.}}{{/with}}", "3");
	checkc("{{#each items}}{{#with .}}{{@index}}{{/with}}{{/each}}", "012");
}

static void
test_eq(void **state)
{
	(void)state;
	checkc("{{#eq n \"3\"}}oui{{else}}non{{/eq}}", "oui");
	checkc("{{#eq n 3}}oui{{else}}non{{/eq}}", "oui");
	checkc("{{#eq n \"4\"}}oui{{else}}non{{/eq}}", "non");
	checkc("{{#eq n s3}}oui{{/eq}}", "oui");
	checkc("{{#eq s3 n}}oui{{/eq}}", "oui");
	checkc("{{#eq neg -7}}oui{{/eq}}", "oui");
	checkc("{{#eq user.role.name \"admin\"}}A{{/eq}}", "A");
	checkc("{{#eq user.role.name \"Admin\"}}A{{else}}a{{/eq}}", "a");
	checkc("{{#eq t \"true\"}}T{{/eq}}", "T");
	checkc("{{#eq two 2}}2{{/eq}}{{#eq pi \"3.1\"}}p{{/eq}}", "2p");
	checkc("{{#eq missing \"\"}}vide{{/eq}}", "vide");
	checkc("{{#eq missing nul}}egal{{/eq}}", "egal");
	checkc("{{#eq name \"Alice <script>\\\"'&`\"}}ok{{/eq}}", "ok");
	checkc("{{#eq empty \"a b\"}}x{{else}}y{{/eq}}", "y");
	check("{{#eq a \"x y\"}}1{{/eq}}", "{\"a\":\"x y\"}", "1");
	check("{{#eq a \"b\\\\c\"}}1{{/eq}}", "{\"a\":\"b\\\\c\"}", "1");
	checkc("{{#each items}}{{#eq @index 1}}[{{label}}]{{/eq}}{{/each}}",
	    "[deux]");
	checkc("{{#each items}}{{#eq id @number}}{{id}}{{/eq}}{{/each}}",
	    "123");
	checkc("{{#each items}}{{#eq @first \"true\"}}premier{{/eq}}{{/each}}",
	    "premier");
}

static void
test_ne(void **state)
{
	(void)state;
	checkc("{{#ne n 3}}diff{{else}}egal{{/ne}}", "egal");
	checkc("{{#ne n \"4\"}}diff{{/ne}}", "diff");
	checkc("{{#ne user.email empty}}diff{{/ne}}", "diff");
	checkc("{{#each items}}{{#ne id 2}}{{id}}{{/ne}}{{/each}}", "13");
}

static void
test_comments(void **state)
{
	(void)state;
	checkc("a{{! commentaire }}b", "ab");
	checkc("a{{!}}b{{!-- {x} --}}c", "abc");
	checkc("a{{! sur\nplusieurs\nlignes }}b", "ab");
	checkc("{{!{{name}}x", "x");
	/* Les lignes sont comptées à travers les commentaires. */
	check_err("{{! a\nb\n}}\n{{/if}}",
	    "(chaîne):4: {{/if}} sans section ouverte");
}

static void
test_syntax_errors(void **state)
{
	(void)state;
	check_err("a\n{{#each items}}\nx",
	    "(chaîne):2: section {{#each}} non fermée");
	check_err("{{#if t}}\n{{#each items}}{{/each}}\n",
	    "(chaîne):1: section {{#if}} non fermée");
	check_err("{{#if t}}\n{{/each}}",
	    "(chaîne):2: {{/each}} ne ferme pas {{#if}} ouvert ligne 1");
	check_err("x\n\n{{else}}", "(chaîne):3: {{else}} hors d'une section");
	check_err("{{#if t}}a{{else}}b\n{{else}}c{{/if}}",
	    "(chaîne):2: {{else}} en double dans {{#if}} ouvert ligne 1");
	check_err("{{/if}}", "(chaîne):1: {{/if}} sans section ouverte");
	check_err("{{#if t}}{{/if}}{{/if}}",
	    "(chaîne):1: {{/if}} sans section ouverte");
	check_err("a\nb {{name", "(chaîne):2: balise « {{ » non fermée");
	check_err("{{", "(chaîne):1: balise « {{ » non fermée");
	check_err("\n\n{{name}", "(chaîne):3: balise « {{ » non fermée");
	check_err("{{#foo x}}", "(chaîne):1: mot-clé inconnu {{#foo}}");
	check_err("{{#iff x}}{{/iff}}", "(chaîne):1: mot-clé inconnu {{#iff}}");
	check_err("{{#}}", "(chaîne):1: mot-clé manquant après {{#");
	check_err("{{/}}", "(chaîne):1: mot-clé manquant après {{/");
	check_err("{{}}", "(chaîne):1: chemin vide");
	check_err("x\n{{  }}", "(chaîne):2: chemin vide");
	check_err("{{#if}}{{/if}}", "(chaîne):1: chemin vide dans {{#if}}");
	check_err("{{#each }}", "(chaîne):1: chemin vide dans {{#each}}");
	check_err("{{raw \"x\"}}", "(chaîne):1: chemin invalide « \"x\" »");
}

static void
test_syntax_errors_args(void **state)
{
	(void)state;
	check_err("{{a b}}", "(chaîne):1: expression invalide « a b »");
	check_err("{{a..b}}", "(chaîne):1: chemin invalide « a..b »");
	check_err("{{.a}}", "(chaîne):1: chemin invalide « .a »");
	check_err("{{a.}}", "(chaîne):1: chemin invalide « a. »");
	check_err("{{a/b}}", "(chaîne):1: chemin invalide « a/b »");
	check_err("{{{a}}}", "(chaîne):1: chemin invalide « {a »");
	check_err("{{\"a\"}}", "(chaîne):1: chemin invalide « \"a\" »");
	check_err("{{@foo}}", "(chaîne):1: variable spéciale inconnue « @foo »");
	check_err("{{#eq a}}{{/eq}}",
	    "(chaîne):1: second opérande manquant dans {{#eq}}");
	check_err("{{#eq a \"x}}{{/eq}}",
	    "(chaîne):1: chaîne littérale non fermée");
	check_err("{{#eq \"a\" b}}{{/eq}}",
	    "(chaîne):1: {{#eq}} attend un chemin, pas une chaîne");
	check_err("{{#if a b}}{{/if}}",
	    "(chaîne):1: argument en trop dans {{#if}}");
	check_err("{{#ne a b c}}{{/ne}}",
	    "(chaîne):1: argument en trop dans {{#ne}}");
	check_err("{{#if a}}{{/if a}}",
	    "(chaîne):1: argument en trop dans {{/if}}");
	check_err("{{>}}", "(chaîne):1: nom de gabarit partiel manquant");
	check_err("{{> ../etc/passwd}}",
	    "(chaîne):1: nom de gabarit partiel invalide « ../etc/passwd »");
	check_err("{{> Row}}", "(chaîne):1: nom de gabarit partiel invalide "
	    "« Row »");
	check_err("{{> a b}}", "(chaîne):1: argument en trop dans {{> a b}}");
	/* Balise sur plusieurs lignes : numéro de la ligne du « {{ ». */
	check_err("{{#if\nt}}\n{{/each}}",
	    "(chaîne):3: {{/each}} ne ferme pas {{#if}} ouvert ligne 1");
}

/* Construit dans `b` n sections {{#if t}} imbriquées autour de "x". */
static void
nested_ifs(struct cbw_buf *b, int n)
{
	int	 i;

	cbw_buf_reset(b);
	for (i = 0; i < n; i++)
		assert_int_equal(cbw_buf_puts(b, "{{#if t}}"), CBW_OK);
	assert_int_equal(cbw_buf_puts(b, "x"), CBW_OK);
	for (i = 0; i < n; i++)
		assert_int_equal(cbw_buf_puts(b, "{{/if}}"), CBW_OK);
}

static void
test_nesting_limit(void **state)
{
	struct cbw_buf	 src;

	(void)state;
	cbw_buf_init(&src);
	nested_ifs(&src, 32);
	checkc(cbw_buf_str(&src), "x");
	nested_ifs(&src, 33);
	check_err(cbw_buf_str(&src), "(chaîne):1: sections imbriquées trop "
	    "profondément (max 32)");
	cbw_buf_free(&src);
}

static void
test_step_limit(void **state)
{
	struct json_object	*ctx, *a;
	struct cbw_buf		 b;
	char			 err[256];
	const char		*src = "{{#each a}}{{#each a}}{{#each a}}"
	    "{{#each a}}{{/each}}{{/each}}{{/each}}{{/each}}";
	int			 i;

	(void)state;
	ctx = json_object_new_object();
	a = json_object_new_array();
	for (i = 0; i < 100; i++)
		json_object_array_add(a, json_object_new_int(i));
	json_object_object_add(ctx, "a", a);
	cbw_buf_init(&b);
	assert_int_equal(cbw_tmpl_render_string(NULL, src, strlen(src), ctx,
	    &b, err, sizeof(err)), CBW_ETMPL);
	assert_string_equal(err, "(chaîne):1: rendu trop long");
	cbw_buf_free(&b);
	json_object_put(ctx);
}

static void
test_partial_without_set(void **state)
{
	(void)state;
	check_err("a\n{{> row}}", "(chaîne):2: gabarit partiel « row » "
	    "impossible : aucun répertoire de gabarits");
}

static void
test_errbuf_optional(void **state)
{
	struct cbw_buf	 b;
	char		 err[16];

	(void)state;
	cbw_buf_init(&b);
	assert_int_equal(cbw_tmpl_render_string(NULL, "{{#if", 5, NULL, &b,
	    NULL, 0), CBW_ETMPL);
	assert_int_equal(cbw_tmpl_render_string(NULL, "{{#if a}}", 9, NULL,
	    &b, err, sizeof(err)), CBW_ETMPL);
	assert_string_equal(err, "(chaîne):1: se");	/* tronqué */
	assert_int_equal(cbw_tmpl_render_string(NULL, "{{#if a}}", 9, NULL,
	    &b, err, 1), CBW_ETMPL);
	assert_string_equal(err, "");
	assert_int_equal(cbw_tmpl_render_string(NULL, NULL, 0, NULL, &b,
	    err, sizeof(err)), CBW_OK);
	assert_int_equal(cbw_tmpl_render(NULL, "x", NULL, &b, err,
	    sizeof(err)), CBW_ETMPL);
	cbw_buf_free(&b);
}

/* ------------------------------------------------------------------ */
/* Tests sur fichiers : répertoire temporaire                          */

static const char *const files[] = {
	"page", "row", "cell", "loop", "ping", "pong", "tree", "broken",
	"badpart", "usesbad", "usesmissing", "fixme", "empty",
};

static int
setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_tmpl.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

static int
teardown_dir(void **state)
{
	char	 path[256];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.html", tmpdir, files[i]);
		unlink(path);
	}
	for (i = 0; i <= 16; i++) {
		snprintf(path, sizeof(path), "%s/deep%zu.html", tmpdir, i);
		unlink(path);
	}
	return rmdir(tmpdir);
}

static const char *items_json =
    "{\"title\":\"T<1>\",\"items\":[{\"label\":\"a&b\"},{\"label\":\"c\"}]}";

static void
test_file_partials(void **state)
{
	struct cbw_tmpl_set	*set;

	(void)state;
	write_tmpl("page", "<h1>{{title}}</h1>\n{{> row}}</table>\n");
	write_tmpl("row", "<table>{{#each items}}<tr>{{> cell}}</tr>{{/each}}");
	write_tmpl("cell", "<td>{{@index}}:{{label}}/{{title}}</td>");
	write_tmpl("empty", "");
	assert_non_null(set = cbw_tmpl_open(tmpdir));
	check_file(set, "page", items_json, "<h1>T&lt;1&gt;</h1>\n<table>"
	    "<tr><td>0:a&amp;b/T&lt;1&gt;</td></tr>"
	    "<tr><td>1:c/T&lt;1&gt;</td></tr></table>\n");
	check_file(set, "cell", "{\"label\":\"z\"}", "<td>:z/</td>");
	check_file(set, "empty", NULL, "");
	/* render_string prend ses partiels dans le répertoire du jeu. */
	check_set(set, "[{{> cell}}]", "{\"label\":\"s\"}", "[<td>:s/</td>]");
	cbw_tmpl_close(set);
}

static void
test_file_cache(void **state)
{
	struct cbw_tmpl_set	*set;
	const char		*want = "<h1>T&lt;1&gt;</h1>\n<table>"
	    "<tr><td>0:a&amp;b/T&lt;1&gt;</td></tr>"
	    "<tr><td>1:c/T&lt;1&gt;</td></tr></table>\n";

	(void)state;
	write_tmpl("page", "<h1>{{title}}</h1>\n{{> row}}</table>\n");
	write_tmpl("row", "<table>{{#each items}}<tr>{{> cell}}</tr>{{/each}}");
	write_tmpl("cell", "<td>{{@index}}:{{label}}/{{title}}</td>");
	assert_non_null(set = cbw_tmpl_open(tmpdir));
	check_file(set, "page", items_json, want);
	/* Le fichier change sur disque : le jeu garde la version en cache. */
	write_tmpl("cell", "<td>NOUVEAU</td>");
	write_tmpl("page", "changé");
	check_file(set, "page", items_json, want);
	check_file(set, "page", items_json, want);
	cbw_tmpl_close(set);
	/* Un nouveau jeu relit les fichiers. */
	assert_non_null(set = cbw_tmpl_open(tmpdir));
	check_file(set, "page", items_json, "changé");
	check_file(set, "row", items_json, "<table><tr><td>NOUVEAU</td></tr>"
	    "<tr><td>NOUVEAU</td></tr>");
	cbw_tmpl_close(set);
}

static void
test_file_recursion(void **state)
{
	struct cbw_tmpl_set	*set;
	char			 err[256];

	(void)state;
	write_tmpl("loop", "x{{> loop}}");
	write_tmpl("ping", "a\n{{> pong}}");
	write_tmpl("pong", "b\n\n{{> ping}}");
	assert_non_null(set = cbw_tmpl_open(tmpdir));
	check_file_err(set, "loop", NULL, err, sizeof(err));
	assert_string_equal(err, "loop.html:1: inclusions trop profondes "
	    "(max 16) en incluant « loop »");
	check_file_err(set, "ping", NULL, err, sizeof(err));
	assert_string_equal(err, "ping.html:2: inclusions trop profondes "
	    "(max 16) en incluant « pong »");
	/* Toujours une erreur, jamais un plantage, au second essai aussi. */
	check_file_err(set, "loop", NULL, err, sizeof(err));
	check_set(set, "{{#if f}}{{> loop}}{{/if}}ok", "{\"f\":false}", "ok");
	cbw_tmpl_close(set);
}

static void
test_file_legit_recursion(void **state)
{
	struct cbw_tmpl_set	*set;

	(void)state;
	/* Le null explicite de la feuille arrête la recherche vers le haut. */
	write_tmpl("tree", "{{name}}({{#with child}}{{> tree}}{{/with}})");
	assert_non_null(set = cbw_tmpl_open(tmpdir));
	check_file(set, "tree", "{\"name\":\"a\",\"child\":{\"name\":\"b\","
	    "\"child\":{\"name\":\"c\",\"child\":null}}}", "a(b(c()))");
	cbw_tmpl_close(set);
}

static void
test_file_errors(void **state)
{
	struct cbw_tmpl_set	*set;
	char			 err[256];

	(void)state;
	write_tmpl("broken", "<ul>\n{{#each items}}\n<li>{{label}}</li>\n");
	write_tmpl("badpart", "ok\n{{#if x}}\n{{/unless}}");
	write_tmpl("usesbad", "a{{> badpart}}");
	write_tmpl("usesmissing", "a\n{{> nothere}}");
	assert_non_null(set = cbw_tmpl_open(tmpdir));
	check_file_err(set, "broken", items_json, err, sizeof(err));
	assert_string_equal(err, "broken.html:2: section {{#each}} non fermée");
	check_file_err(set, "usesbad", NULL, err, sizeof(err));
	assert_string_equal(err, "badpart.html:3: {{/unless}} ne ferme pas "
	    "{{#if}} ouvert ligne 2");
	check_file_err(set, "usesmissing", NULL, err, sizeof(err));
	assert_true(starts_with(err, "usesmissing.html:2: gabarit partiel "
	    "« nothere » introuvable ("));
	check_file_err(set, "absent", NULL, err, sizeof(err));
	assert_true(starts_with(err, "absent.html: gabarit introuvable ("));
	check_err_set(set, "{{> nothere}}", NULL, "(chaîne):1: gabarit "
	    "partiel « nothere » introuvable (No such file or directory)");
	cbw_tmpl_close(set);
}

static void
test_file_error_not_cached(void **state)
{
	struct cbw_tmpl_set	*set;
	char			 err[256];

	(void)state;
	write_tmpl("fixme", "{{#if t}}oui");
	assert_non_null(set = cbw_tmpl_open(tmpdir));
	check_file_err(set, "fixme", "{\"t\":1}", err, sizeof(err));
	assert_string_equal(err, "fixme.html:1: section {{#if}} non fermée");
	write_tmpl("fixme", "{{#if t}}oui{{/if}}");
	check_file(set, "fixme", "{\"t\":1}", "oui");
	cbw_tmpl_close(set);
}

static void
test_invalid_names(void **state)
{
	static const char *const bad[] = {
		"../etc/passwd", "", "Page", "a/b", "page.html", "a b",
		"/etc/passwd", "..", ".", "a\nb", "é",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	struct cbw_tmpl_set	*set;
	char			 err[256];
	size_t			 i;

	(void)state;
	assert_non_null(set = cbw_tmpl_open(tmpdir));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		check_file_err(set, bad[i], NULL, err, sizeof(err));
		assert_true(starts_with(err, "nom de gabarit invalide « "));
	}
	check_file_err(set, "../etc/passwd", NULL, err, sizeof(err));
	assert_string_equal(err, "nom de gabarit invalide « ../etc/passwd »");
	check_file_err(set, NULL, NULL, err, sizeof(err));
	assert_string_equal(err, "nom de gabarit invalide «  »");
	cbw_tmpl_close(set);
}

static void
test_partial_depth_ok(void **state)
{
	struct cbw_tmpl_set	*set;
	char			 name[256], body[64];
	int			 i;

	(void)state;
	/* Chaîne d'inclusions de profondeur 16 : permise. */
	for (i = 0; i <= 16; i++) {
		snprintf(name, sizeof(name), "deep%d", i);
		if (i < 16)
			snprintf(body, sizeof(body), "%d{{> deep%d}}", i, i + 1);
		else
			snprintf(body, sizeof(body), "fin");
		write_tmpl(name, body);
	}
	assert_non_null(set = cbw_tmpl_open(tmpdir));
	check_file(set, "deep0", NULL,
	    "0123456789101112131415fin");
	cbw_tmpl_close(set);
}

static void
test_open_close(void **state)
{
	(void)state;
	cbw_tmpl_close(NULL);
	cbw_tmpl_close(cbw_tmpl_open("/nonexistent"));
}

int
main(void)
{
	const struct CMUnitTest strings[] = {
		cmocka_unit_test(test_text_only),
		cmocka_unit_test(test_var_escape),
		cmocka_unit_test(test_var_paths),
		cmocka_unit_test(test_var_types),
		cmocka_unit_test(test_append_to_buffer),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_if),
		cmocka_unit_test(test_unless),
		cmocka_unit_test(test_each),
		cmocka_unit_test(test_each_nested),
		cmocka_unit_test(test_with),
		cmocka_unit_test(test_eq),
		cmocka_unit_test(test_ne),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_syntax_errors_args),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_step_limit),
		cmocka_unit_test(test_partial_without_set),
		cmocka_unit_test(test_errbuf_optional),
		cmocka_unit_test(test_open_close),
	};
	const struct CMUnitTest filetests[] = {
		cmocka_unit_test(test_file_partials),
		cmocka_unit_test(test_file_cache),
		cmocka_unit_test(test_file_recursion),
		cmocka_unit_test(test_file_legit_recursion),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_file_error_not_cached),
		cmocka_unit_test(test_invalid_names),
		cmocka_unit_test(test_partial_depth_ok),
	};
	int	 fails;

	fails = cmocka_run_group_tests_name("chaînes", strings, NULL, NULL);
	fails += cmocka_run_group_tests_name("fichiers", filetests, setup_dir,
	    teardown_dir);
	return fails != 0;
}
