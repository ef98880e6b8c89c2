/* tests/unit/test_advice.c - advice catalogue: coverage of the 25 situations and spec §4,
 * lookup by class / text / step, placeholder rendering, the generated markdown. */
#include <stdlib.h>
#include <string.h>

#include "../../engine/advice.h"
#include "../../cli/cli.h"
#include "tap.h"

static const char *vars(void *ctx, const char *key)
{
	(void)ctx;
	if (strcmp(key, "pg_major") == 0)
		return "15";
	if (strcmp(key, "db") == 0)
		return "kb";
	if (strcmp(key, "schema") == 0)
		return "app";
	if (strcmp(key, "dim") == 0)
		return "384";
	return NULL;
}

static const char *lookup_id(const char *cls, const char *msg, const char *step)
{
	const struct advice *a = advice_lookup(cls, msg, step);
	return a ? a->id : "(none)";
}

static char *classify(const char *state, const char *msg)
{
	static char out[24];
	advice_classify(state, msg, out, sizeof out);
	return out;
}

static void test_catalogue(void)
{
	ok(advice_count >= 25 + 4, "catalogue holds at least the 25 situations plus spec §4 messages (%d)", advice_count);

	/* ids unique, every entry complete */
	int unique = 1, complete = 1;
	for (int i = 0; i < advice_count; i++) {
		const struct advice *a = &advice_table[i];
		complete &= a->id && a->match && *a->match && a->title && *a->title && a->cause && *a->cause &&
		            a->fix && *a->fix && (a->who == ADV_OPERATOR || a->who == ADV_DBA);
		for (int j = 0; j < i; j++)
			unique &= strcmp(a->id, advice_table[j].id) != 0;
	}
	ok(unique, "advice ids are unique");
	ok(complete, "every entry has match, title, cause, fix and who");
}

static void test_situations(void)
{
	/* the §3 situations by their SQLSTATE / text */
	is_str(lookup_id("0A000", "extension \"vector\" is not available", NULL), "VEC-001", "0A000 not available");
	is_str(lookup_id("58P01", "could not open extension control file", NULL), "VEC-001", "58P01 not available");
	is_str(lookup_id("58P01", "extension \"pgvector\" is not available", NULL), "VEC-002", "wrong extension name");
	is_str(lookup_id("42501", "permission denied to create extension \"vector\"", NULL), "VEC-003", "42501 extension");
	is_str(lookup_id("0A000", "extension \"vector\" is not allow-listed for \"azure_pg_admin\" users", NULL), "VEC-004",
	       "azure allow-list beats plain 0A000");
	is_str(lookup_id("22023", "extension \"vector\" has no update path from version \"0.4.1\" to version \"0.5\"", NULL),
	       "VEC-005", "no update path");
	is_str(lookup_id("58P01", "could not load library \"/usr/lib/postgresql/vector.so\": undefined symbol", NULL),
	       "VEC-006", "library load");
	is_str(lookup_id("", "server closed the connection unexpectedly", NULL), "VEC-007", "backend crash");
	is_str(lookup_id("42704", "access method \"hnsw\" does not exist", NULL), "VEC-008", "old catalog (hnsw)");
	is_str(lookup_id("VBA-EXT-OUTDATED", NULL, "ext_installed"), "VEC-009", "newer version available");
	is_str(lookup_id("42883", "could not find function \"l2_normalize\" in file", NULL), "VEC-010", "stale library");
	is_str(lookup_id("42501", "must be owner of extension vector", NULL), "VEC-011", "not the owner");
	is_str(lookup_id("42704", "type \"vector\" does not exist", NULL), "VEC-013", "type vector missing");
	is_str(lookup_id("42883", "operator does not exist: public.vector <=> unknown", NULL), "VEC-014", "operator");
	is_str(lookup_id("500010", "Table schema_metadata does not exist.", NULL), "VEC-015", "Datus 500010");
	is_str(lookup_id("42P01", "relation \"public.schema_metadata\" does not exist", NULL), "VEC-015", "42P01");
	is_str(lookup_id("500006", "Table ext_knowledge missing columns: id", NULL), "VEC-016", "missing columns");
	is_str(lookup_id("500006", "Table x missing required column: namespace", NULL), "VEC-039", "missing namespace");
	is_str(lookup_id("42P10", "there is no unique or exclusion constraint matching the ON CONFLICT specification",
	                 NULL), "VEC-017", "42P10");
	is_str(lookup_id("42P17", "functions in index expression must be marked IMMUTABLE", NULL), "VEC-018", "42P17");
	is_str(lookup_id("22000", "expected 384 dimensions, not 1536", NULL), "VEC-019", "dimension mismatch");
	is_str(lookup_id("22000", "different vector dimensions 1024 and 768", NULL), "VEC-020", "query dims");
	is_str(lookup_id("300019", NULL, NULL), "VEC-021", "embedding model");
	is_str(lookup_id("54000", "memory required is 90 MB, maintenance_work_mem is 64 MB", NULL), "VEC-023", "ivfflat mem");
	is_str(lookup_id("VBA-HNSW-MEM", NULL, NULL), "VEC-024", "hnsw memory plan");
	is_str(lookup_id("53100", "could not resize shared memory segment", NULL), "VEC-025", "shm");
	is_str(lookup_id("54000", "column cannot have more than 2000 dimensions for hnsw index", NULL), "VEC-026",
	       "2000 dims beats plain 54000");
	is_str(lookup_id("54000", "index row size 3136 exceeds btree version 4 maximum 2704", NULL), "VEC-027", "row size");
	is_str(lookup_id("22P02", "invalid input syntax for type vector", NULL), "VEC-028", "22P02");
}

static void test_connection_texts(void)
{
	/* connection failures: libpq gives no SQLSTATE, the text decides */
	is_str(classify("", "connection to server at \"127.0.0.1\", port 5 failed: FATAL:  password authentication "
	                "failed for user \"app\""), "28P01", "28P01 from text");
	is_str(classify(NULL, "FATAL:  database \"nosuchdb\" does not exist"), "3D000", "3D000 from text");
	is_str(classify(NULL, "FATAL:  role \"nosuchrole\" does not exist"), "28000", "28000 from text");
	is_str(classify("", "failed: Connection refused"), "VBA-CONN-REFUSED", "refused");
	is_str(classify("42501", "anything"), "42501", "a real SQLSTATE is kept");
	is_str(classify("", "something new"), "", "unknown text gives no class");
	is_str(lookup_id("08001", "connection to server at \"127.0.0.1\", port 1 failed: Connection refused", NULL),
	       "VEC-032", "refused (08001 refined by text)");
	is_str(lookup_id("28P01", "password authentication failed for user \"x\"", NULL), "VEC-029", "auth");
	is_str(lookup_id("3D000", "database \"x\" does not exist", NULL), "VEC-030", "unknown database");
	is_str(lookup_id("28P01", "fe_sendauth: no password supplied", NULL), "VEC-034", "no password refined");
	is_str(lookup_id("57014", "canceling statement due to user request", NULL), "VEC-050", "cancel");
	is_str(lookup_id("500011", NULL, NULL), "VEC-051", "newer Datus constraint code");
	is_str(lookup_id("500008", NULL, NULL), "VEC-051", "older Datus constraint code");
	is_str(lookup_id("42501", "permission denied for table semantic_model", NULL), "VEC-043",
	       "42501 on a table is not the extension advice");
	is_str(lookup_id("VBA-EXT-NOT-INSTALLED", "Run: CREATE EXTENSION", NULL), "VEC-038", "a VBA code is not re-guessed");
	is_str(lookup_id("XX999", "nothing known", NULL), "(none)", "unknown class -> no advice");
	is_str(lookup_id("vec-013", NULL, NULL), "VEC-013", "lookup by id, any case");
}

static void test_exit_codes(void)
{
	/* who / exit codes of the headline cases */
	is_int(advice_get("VEC-001")->who, ADV_DBA, "not installed: DBA acts");
	is_int(advice_get("VEC-001")->exit_code, VB_EXIT_DBA, "not installed: exit 4");
	is_int(advice_get("VEC-003")->exit_code, VB_EXIT_DBA, "42501: exit 4");
	is_int(advice_get("VEC-029")->exit_code, VB_EXIT_CONNECT, "auth: exit 3");
	is_int(advice_get("VEC-032")->exit_code, VB_EXIT_CONNECT, "refused: exit 3");
	is_int(advice_get("VEC-015")->exit_code, VB_EXIT_FIXABLE, "missing table: exit 1");
	is_int(advice_get("VEC-053")->exit_code, VB_EXIT_USAGE, "config: exit 2");
}

static void test_rendering(void)
{
	/* rendering */
	char *fix = advice_render(advice_get("VEC-001")->fix, vars, NULL);
	has_str(fix, "apt-get install postgresql-15-pgvector", "package name carries the server major version");
	has_str(fix, "in database kb", "database filled in");
	ok(!strchr(fix, '{'), "no placeholder left when all are known");
	free(fix);
	fix = advice_render("x {schema}.{table} ${HOME} {Not} {", vars, NULL);
	is_str(fix, "x app.<table> ${HOME} {Not} {", "unknown keys -> <key>; shell ${VAR} and junk untouched");
	free(fix);
	fix = advice_render("{dim}", NULL, NULL);
	is_str(fix, "<dim>", "no lookup -> <key>");
	free(fix);
}

static void test_markdown(void)
{
	/* markdown */
	struct vb_buf md;
	vb_buf_init(&md);
	advice_markdown(&md);
	has_str(md.data, "<a id=\"vec-001\"></a>", "markdown has anchors");
	has_str(md.data, "postgresql-<pg_major>-pgvector", "markdown shows placeholders");
	has_str(md.data, "[VEC-058](#vec-058)", "index links every entry");
	vb_buf_free(&md);
}

int main(void)
{
	test_catalogue();
	test_situations();
	test_connection_texts();
	test_exit_codes();
	test_rendering();
	test_markdown();
	return tap_done();
}
