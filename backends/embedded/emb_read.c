/* backends/embedded/emb_read.c - count, search_all and turning SQLite rows into vb_result text
 * cells: vectors as "[v1,...]" (pgvector's text form), booleans as true/false, TEXT[] as the
 * stored JSON array, numbers as decimal text. */
#include "emb.h"

#include <stdlib.h>
#include <string.h>

#include "../vb_filter.h"

int emb_select_resolve(const struct vb_table_spec *spec, const char *const *select, struct emb_select *out,
                       struct vb_error *err)
{
	int max = spec->ncolumns + 1;
	if (select)
		for (max = 0; select[max]; max++)
			;
	out->n = 0;
	out->names = vb_xcalloc((size_t)max + 1, sizeof *out->names);
	out->types = vb_xcalloc((size_t)max + 1, sizeof *out->types);
	if (!select) {
		if (spec->namespaced) {
			out->names[out->n] = "namespace";
			out->types[out->n++] = VB_T_TEXT;
		}
		for (int i = 0; i < spec->ncolumns; i++) {
			if (spec->columns[i].type == VB_T_VECTOR)
				continue;
			out->names[out->n] = spec->columns[i].name;
			out->types[out->n++] = spec->columns[i].type;
		}
		return VB_OK;
	}
	for (int i = 0; select[i]; i++) {
		const char *name = select[i];
		/* the distance and score travel in vb_result, not as columns */
		if (!vb_spec_column(spec, name) && (strcmp(name, "_distance") == 0 || strcmp(name, "score") == 0 ||
		                                    strcmp(name, "vec_sim") == 0 || strcmp(name, "bm25") == 0))
			continue;
		const struct vb_column *c = vb_spec_column(spec, name);
		if (!c && !(spec->namespaced && strcmp(name, "namespace") == 0)) {
			emb_select_free(out);
			return vb_err_set(err, VB_ERR_INVALID, "Unknown column '%s' in select", name);
		}
		out->names[out->n] = c ? c->name : "namespace";
		out->types[out->n++] = c ? c->type : VB_T_TEXT;
	}
	return VB_OK;
}

void emb_select_free(struct emb_select *s)
{
	free(s->names);
	free(s->types);
	s->names = NULL;
	s->types = NULL;
	s->n = 0;
}

void emb_select_sql(struct vb_buf *b, const struct emb_select *s, const char *qual)
{
	for (int i = 0; i < s->n; i++) {
		vb_buf_add(b, ", ");
		if (qual) {
			vb_buf_add(b, qual);
			vb_buf_addc(b, '.');
		}
		emb_buf_qi(b, s->names[i]);
	}
}

size_t emb_result_add(struct vb_result *r, sqlite3_stmt *st, int first, const struct emb_select *s)
{
	char *cells[s->n > 0 ? s->n : 1];
	char num[64];
	for (int i = 0; i < s->n; i++) {
		int col = first + i;
		cells[i] = NULL;
		if (sqlite3_column_type(st, col) == SQLITE_NULL)
			continue;
		switch (s->types[i]) {
		case VB_T_VECTOR: {
			int bytes = sqlite3_column_bytes(st, col);
			const void *blob = sqlite3_column_blob(st, col);
			int dim = bytes / (int)sizeof(float);
			float *v = vb_xmalloc((size_t)(dim > 0 ? dim : 1) * sizeof *v);
			if (dim > 0)
				memcpy(v, blob, (size_t)dim * sizeof *v);
			cells[i] = vb_vector_to_text(v, dim);
			free(v);
			break;
		}
		case VB_T_BOOL:
			cells[i] = vb_xstrdup(sqlite3_column_int64(st, col) ? "true" : "false");
			break;
		case VB_T_DOUBLE:
			if (sqlite3_column_type(st, col) == SQLITE_FLOAT || sqlite3_column_type(st, col) == SQLITE_INTEGER) {
				vb_filter_format_double(sqlite3_column_double(st, col), num, sizeof num);
				cells[i] = vb_xstrdup(num);
				break;
			}
			/* fall through */
		default:
			cells[i] = vb_xstrdup((const char *)sqlite3_column_text(st, col));
			break;
		}
	}
	size_t row = vb_result_add_row(r, (const char *const *)cells);
	for (int i = 0; i < s->n; i++)
		free(cells[i]);
	return row;
}

int emb_fetch_rows(struct vb_handle *h, const struct vb_table_spec *spec, const struct emb_select *s,
                   const int64_t *rids, size_t n, struct vb_result **out, struct vb_error *err)
{
	struct vb_buf sql;
	vb_buf_init(&sql);
	vb_buf_add(&sql, "SELECT 1");
	emb_select_sql(&sql, s, NULL);
	vb_buf_add(&sql, " FROM ");
	emb_buf_qi(&sql, spec->name);
	vb_buf_add(&sql, " WHERE ");
	emb_buf_qi(&sql, emb_rid_column(spec));
	vb_buf_add(&sql, " = ?1");
	sqlite3_stmt *st;
	int rc = emb_prepare(h, sql.data, &st, err);
	vb_buf_free(&sql);
	if (rc != VB_OK)
		return rc;
	struct vb_result *r = vb_result_new(s->n, s->names);
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, rids[i]);
		int src = sqlite3_step(st);
		if (src == SQLITE_ROW) {
			emb_result_add(r, st, 1, s);
		} else if (src != SQLITE_DONE) {
			rc = emb_fail(h, src, err, "embedded store");
			break;
		} else {
			/* the row went away between the scan and the fetch: keep the row count honest */
			rc = vb_err_set(err, VB_ERR_SERVER, "row %lld of table %s vanished during the search",
			                (long long)rids[i], spec->name);
			break;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (rc != VB_OK) {
		vb_result_destroy(&r);
		return rc;
	}
	*out = r;
	return VB_OK;
}

int emb_count(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where, int64_t *out,
              struct vb_error *err)
{
	*out = 0;
	int rc = emb_require_table(h, spec, err);
	if (rc != VB_OK)
		return rc;
	struct emb_params p = { 0 };
	sqlite3_stmt *st;
	rc = emb_prepare_filtered(h, spec, "SELECT count(*) FROM", where, &st, &p, err);
	if (rc == VB_OK) {
		int src = sqlite3_step(st);
		if (src == SQLITE_ROW)
			*out = sqlite3_column_int64(st, 0);
		else
			rc = emb_fail(h, src, err, "count");
	}
	sqlite3_finalize(st);
	emb_params_free(&p);
	return rc;
}

int emb_search_all(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                   const char *const *select, int64_t limit, struct vb_result **out, struct vb_error *err)
{
	*out = NULL;
	int rc = emb_require_table(h, spec, err);
	if (rc != VB_OK)
		return rc;
	struct emb_select s;
	if ((rc = emb_select_resolve(spec, select, &s, err)) != VB_OK)
		return rc;
	struct vb_buf sql;
	struct emb_params p = { 0 };
	vb_buf_init(&sql);
	vb_buf_add(&sql, "SELECT 1");
	emb_select_sql(&sql, &s, NULL);
	vb_buf_add(&sql, " FROM ");
	emb_buf_qi(&sql, spec->name);
	rc = emb_where(where, spec, NULL, 0, &sql, &p, err);
	vb_buf_add(&sql, " ORDER BY ");
	emb_buf_qi(&sql, emb_rid_column(spec));
	if (limit > 0)
		vb_buf_printf(&sql, " LIMIT %lld", (long long)limit);
	sqlite3_stmt *st = NULL;
	if (rc == VB_OK)
		rc = emb_prepare(h, sql.data, &st, err);
	vb_buf_free(&sql);
	struct vb_result *r = NULL;
	if (rc == VB_OK) {
		emb_bind_params(st, 1, &p);
		r = vb_result_new(s.n, s.names);
		int src;
		while ((src = sqlite3_step(st)) == SQLITE_ROW)
			emb_result_add(r, st, 1, &s);
		if (src != SQLITE_DONE) {
			rc = emb_fail(h, src, err, "search_all");
			vb_result_destroy(&r);
		}
	}
	sqlite3_finalize(st);
	emb_params_free(&p);
	emb_select_free(&s);
	*out = r;
	return rc;
}
