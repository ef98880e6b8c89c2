/* tests/fuzz/fuzz_ddl.c - libFuzzer target: the DDL renderer's arguments.  Input: 2 bytes of
 * dim (little endian, so 0..65535 covers both sides of the 1..16000 limit; see the fold
 * below), 1 byte of part, then the schema name bytes.  Invariants: validate, render and statements agree; every
 * statement appears in the rendered text; the quoted schema reads back as the schema. */
#include "fuzz_common.h"

#include "../../backends/vb_util.h"
#include "../../ddl/ddl.h"

/* Undoes ddl_quote_ident; NULL when q is not a well-formed identifier. */
static char *fuzz_ddl_unquote(const char *q)
{
	if (q[0] != '"')
		return strdup(q);
	size_t n = strlen(q);
	if (n < 2 || q[n - 1] != '"')
		return NULL;
	char *s = malloc(n), *w = s;
	for (size_t i = 1; i < n - 1; i++) {
		if (q[i] == '"') {
			if (q[i + 1] != '"' || i + 1 == n - 1) {
				free(s);
				return NULL;
			}
			i++;
		}
		*w++ = q[i];
	}
	*w = '\0';
	return s;
}

/* ddl_table_spec keeps one spec per (table, dim) for the life of the process, in a list:
 * fold the dims in range onto a few hundred values (the limits and the usual sizes stay
 * themselves) so the cache does not grow with every input and slow the fuzzer down. */
static int fold_dim(int dim)
{
	if (dim > 128 && dim < DDL_MAX_DIM && dim != 384 && dim != 768 && dim != 1024 && dim != 1536 &&
	    dim != DDL_MAX_INDEX_DIM && dim != DDL_MAX_INDEX_DIM + 1)
		return 128 + dim % 128;
	return dim;
}

/* A valid schema and dim: every statement is in the rendered DDL and names the quoted schema,
 * and every table has a spec whose columns all have an SQL type. */
static void check_valid(const struct vb_buf *out, char **stmts, const char *q, int dim)
{
	FUZZ_CHECK(stmts != NULL && stmts[0] != NULL, "no statements for a valid schema/dim");
	FUZZ_CHECK(out->len > 0 && out->data[out->len - 1] == '\n', "render does not end in a newline");
	for (char **s = stmts; *s; s++) {
		FUZZ_CHECK(strstr(out->data, *s) != NULL, "statement not in the rendered DDL: %s", *s);
		FUZZ_CHECK(strstr(*s, q) != NULL || strstr(*s, "EXTENSION"), "statement lacks the quoted schema %s: %s",
		           q, *s);
	}
	for (int i = 0; i < ddl_table_count(); i++) {
		const struct vb_table_spec *spec = ddl_table_spec(ddl_table_name(i), dim);
		FUZZ_CHECK(spec != NULL, "no spec for %s", ddl_table_name(i));
		for (int c = 0; c < spec->ncolumns; c++) {
			char *t = ddl_column_sql_type(spec->name, spec->columns[c].name, dim);
			FUZZ_CHECK(t != NULL, "no type for %s.%s", spec->name, spec->columns[c].name);
			free(t);
		}
		char *fts = spec->fts_columns ? ddl_fts_expression(spec) : NULL;
		free(fts);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3 || size > 4096)
		return 0;
	int dim = fold_dim(data[0] | data[1] << 8);
	enum ddl_part part = (enum ddl_part)(data[2] % 3);
	char *schema = fuzz_cstring(data + 3, size - 3);

	char *q = ddl_quote_ident(schema);
	FUZZ_CHECK(q != NULL, "quote_ident returned NULL");
	char *back = fuzz_ddl_unquote(q);
	FUZZ_CHECK(back && strcmp(back, schema) == 0, "quote_ident(%s) = %s does not read back", schema, q);
	free(back);

	struct vb_error verr, rerr, serr;
	vb_err_clear(&verr);
	vb_err_clear(&rerr);
	vb_err_clear(&serr);
	int vrc = ddl_validate(schema, dim, &verr);
	struct vb_buf out;
	vb_buf_init(&out);
	vb_buf_add(&out, "");
	int rrc = ddl_render(&out, schema, dim, part, &rerr);
	char **stmts = ddl_statements(schema, dim, part, &serr);
	FUZZ_CHECK(vrc == rrc, "validate %d, render %d", vrc, rrc);
	if (vrc != VB_OK) {
		FUZZ_CHECK(verr.message[0] && strcmp(verr.message, rerr.message) == 0, "messages differ");
		FUZZ_CHECK(out.len == 0, "render wrote after a validation error");
		FUZZ_CHECK(stmts == NULL && serr.status == vrc, "statements after a validation error");
	} else {
		check_valid(&out, stmts, q, dim);
	}
	ddl_statements_free(stmts);
	vb_buf_free(&out);
	free(q);
	free(schema);
	return 0;
}
