/* tests/fuzz/fuzz_filter.c - libFuzzer target: the --where parser (vb_filter_parse), the
 * canonical text (vb_filter_render / vb_filter_to_string) and the schema check against every
 * knowledge-base table, and the embedded backend's SQL for it (emb_where, prepared and run on an
 * in-memory SQLite).  The input is the --where text.
 * Invariants: a parse error fills err with a message; a parsed filter renders; when every field
 * is a column of some table, the rendered text parses back to the same rendering (up to
 * grouping parentheses; it is shown to users as what will run); the SQLite SQL has one '?' per
 * value and prepares and runs. */
#include "fuzz_common.h"

#include "../../backends/embedded/emb.h"
#include "../../backends/vb_filter.h"
#include "../../backends/vb_util.h"
#include "../../ddl/ddl.h"

/* An in-memory SQLite database with every knowledge-base table, so the embedded backend's
 * compiled WHERE clause is prepared and run for real. */
static sqlite3 *fuzz_filter_db(void)
{
	static sqlite3 *db;
	if (db)
		return db;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		abort();
	for (int i = 0; i < ddl_table_count(); i++) {
		const struct vb_table_spec *spec = ddl_table_spec(ddl_table_name(i), 4);
		struct vb_buf b;
		vb_buf_init(&b);
		vb_buf_add(&b, "CREATE TABLE ");
		emb_buf_qi(&b, spec->name);
		vb_buf_add(&b, " (namespace TEXT");
		for (int c = 0; c < spec->ncolumns; c++) {
			vb_buf_add(&b, ", ");
			emb_buf_qi(&b, spec->columns[c].name);
		}
		vb_buf_add(&b, ")");
		char *msg = NULL;
		if (sqlite3_exec(db, b.data, NULL, NULL, &msg) != SQLITE_OK) {
			fprintf(stderr, "%s: %s\n", b.data, msg);
			abort();
		}
		vb_buf_free(&b);
	}
	return db;
}

/* emb_where must either refuse the filter (unknown column, vector column) or produce SQL that
 * SQLite prepares with exactly one '?' per value it collected - values never in the text. */
static void fuzz_filter_embedded(const struct vb_filter *f, const struct vb_table_spec *spec, int known)
{
	struct vb_buf sql;
	vb_buf_init(&sql);
	vb_buf_add(&sql, "SELECT count(*) FROM ");
	emb_buf_qi(&sql, spec->name);
	vb_buf_add(&sql, " AS t");
	struct emb_params params = {0};
	struct vb_error err;
	vb_err_clear(&err);
	int rc = emb_where(f, spec, known ? "t" : NULL, 0, &sql, &params, &err);
	if (rc != VB_OK) {
		FUZZ_CHECK(err.message[0] && params.n == 0, "emb_where failed (%d) without a message", rc);
		FUZZ_CHECK(!known || strstr(err.message, "vector"), "emb_where refused a checked filter: %s", err.message);
	} else {
		sqlite3_stmt *st = NULL;
		int prc = sqlite3_prepare_v2(fuzz_filter_db(), sql.data, -1, &st, NULL);
		const char *msg = sqlite3_errmsg(fuzz_filter_db());
		/* SQLite's own limits (expression depth 1000) are an error the backend reports */
		FUZZ_CHECK(prc == SQLITE_OK || strstr(msg, "too large") || strstr(msg, "too many"),
		           "SQLite rejects the compiled filter: %s\n  %s", msg, sql.data);
		if (prc == SQLITE_OK) {
			FUZZ_CHECK(sqlite3_bind_parameter_count(st) == (int)params.n, "%d placeholders, %zu values: %s",
			           sqlite3_bind_parameter_count(st), params.n, sql.data);
			FUZZ_CHECK(emb_bind_params(st, 1, &params) == SQLITE_OK, "binding failed: %s", sql.data);
			int src = sqlite3_step(st);
			FUZZ_CHECK(src == SQLITE_ROW, "step: %s\n  %s", sqlite3_errmsg(fuzz_filter_db()), sql.data);
		}
		sqlite3_finalize(st);
	}
	emb_params_free(&params);
	vb_buf_free(&sql);
}

/* Renderings that are canonical but deliberately not --where syntax: empty IN lists, and
 * doubles that overflowed to inf or nan. */
static int fuzz_filter_unparseable_form(const char *s)
{
	return strstr(s, "1 = 0") || strstr(s, "1 = 1") || strstr(s, "inf") || strstr(s, "nan");
}

/* s without the parentheses outside quotes: the rendering wraps a one-value IN in parentheses
 * that do not survive a reparse, "(kind = 'a')" -> "kind = 'a'"; everything else must. */
static char *fuzz_filter_strip_parens(const char *s)
{
	char *o = strdup(s), *w = o;
	char quote = 0;
	for (; *s; s++) {
		if (quote) {
			if (*s == quote)
				quote = 0;
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
		} else if (*s == '(' || *s == ')') {
			continue;
		}
		*w++ = *s;
	}
	*w = '\0';
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 131072) /* a --where is one command-line argument: at most 128 KiB on Linux */
		return 0;
	char *text = fuzz_cstring(data, size);
	struct vb_error err;
	vb_err_clear(&err);
	struct vb_filter *f = vb_filter_parse(text, &err);
	if (!f) {
		FUZZ_CHECK(err.status == VB_ERR_INVALID, "parse failed with status %d", err.status);
		FUZZ_CHECK(err.message[0] != '\0', "parse failed without a message");
		free(text);
		return 0;
	}
	/* Columns of some knowledge-base table: the filters users write.  Other identifiers may
	 * be keywords ("and" = 1), which the canonical text (Datus's rules) does not quote. */
	int known_columns = 0;
	for (int i = 0; i < ddl_table_count(); i++) {
		const struct vb_table_spec *spec = ddl_table_spec(ddl_table_name(i), 384);
		vb_err_clear(&err);
		int rc = vb_filter_check(f, spec, &err);
		FUZZ_CHECK(rc == VB_OK || (rc == VB_ERR_INVALID && err.message[0]), "check: status %d", rc);
		known_columns |= rc == VB_OK;
		fuzz_filter_embedded(f, spec, rc == VB_OK);
	}
	char *out = NULL;
	vb_err_clear(&err);
	int rc = vb_filter_render(f, &out, &err);
	char *again = vb_filter_to_string(f);
	if (rc == VB_OK) {
		FUZZ_CHECK(out != NULL, "render OK without text");
		FUZZ_CHECK(again && strcmp(out, again) == 0, "render and to_string differ");
		struct vb_filter *f2 = known_columns ? vb_filter_parse(out, &err) : NULL;
		if (f2) {
			char *out2 = vb_filter_to_string(f2);
			FUZZ_CHECK(out2 != NULL, "reparsed rendering does not render: %s", out);
			char *a = fuzz_filter_strip_parens(out), *b = fuzz_filter_strip_parens(out2);
			FUZZ_CHECK(strcmp(a, b) == 0, "rendering changes when parsed back:\n  %s\n  %s", out, out2);
			free(a);
			free(b);
			free(out2);
			vb_filter_free(f2);
		} else if (known_columns) {
			FUZZ_CHECK(fuzz_filter_unparseable_form(out), "rendering does not parse back: %s\n  %s", out,
			           err.message);
		}
	} else {
		FUZZ_CHECK(out == NULL && again == NULL, "failed render returned text");
		FUZZ_CHECK(err.message[0] != '\0', "render failed without a message");
	}
	free(out);
	free(again);
	vb_filter_free(f);
	free(text);
	return 0;
}
