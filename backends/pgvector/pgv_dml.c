/* backends/pgvector/pgv_dml.c - update, delete and count, always scoped to the namespace. */
#include "pgv.h"

#include <stdlib.h>
#include <string.h>

static int64_t cmd_tuples(PGresult *r)
{
	const char *n = PQcmdTuples(r);
	return n && *n ? strtoll(n, NULL, 10) : 0;
}

int pgv_update(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
               const struct vb_rows *values, int64_t *affected, struct vb_error *err)
{
	if (affected)
		*affected = 0;
	if (!values || values->nrows == 0 || values->ncols == 0)
		return VB_OK;
	if (values->nrows != 1)
		return vb_err_set(err, VB_ERR_INVALID, "update takes exactly one row of values, got %zu", values->nrows);
	struct pgv_table *t;
	int rc = pgv_table_get(h, spec->name, &t, err);
	if (rc != VB_OK)
		return rc;
	int ns_col;
	/* better than Datus: an update cannot move rows into another namespace */
	if ((rc = pgv_check_namespace(h, spec->name, values, &ns_col, err)) != VB_OK)
		return rc;
	struct pgv_params p;
	pgv_params_init(&p);
	struct vb_buf sql;
	vb_buf_init(&sql);
	char *qt = pgv_qualified(h, spec->name);
	vb_buf_printf(&sql, "UPDATE %s SET ", qt);
	free(qt);
	int nset = 0;
	for (int c = 0; c < values->ncols; c++) {
		if (c == ns_col)
			continue;
		if (!pgv_table_col(t, values->cols[c])) {
			rc = vb_err_set(err, VB_ERR_INVALID, "Unknown column '%s' for table %s", values->cols[c], spec->name);
			goto out;
		}
		char *q = pgv_ident(h, values->cols[c]);
		int n = pgv_param_add(&p, pgv_value_text(&values->cells[c]));
		vb_buf_printf(&sql, "%s%s = $%d", nset++ ? ", " : "", q, n);
		free(q);
	}
	if (!nset)
		goto out;
	vb_buf_add(&sql, " WHERE ");
	if ((rc = pgv_where(h, t, where, &sql, &p, err)) != VB_OK)
		goto out;
	PGresult *r = pgv_exec(h, sql.data, &p, err);
	if (!r) {
		rc = err->status;
		goto out;
	}
	if (affected)
		*affected = cmd_tuples(r);
	PQclear(r);
out:
	vb_buf_free(&sql);
	pgv_params_free(&p);
	return rc;
}

/* Runs "<head> FROM <table> WHERE <namespace-scoped filter>"; NULL with *rc and err set on failure. */
static PGresult *run_filtered(struct vb_handle *h, const struct vb_table_spec *spec, const char *head,
                              const struct vb_filter *where, int *rc, struct vb_error *err)
{
	struct pgv_table *t;
	if ((*rc = pgv_table_get(h, spec->name, &t, err)) != VB_OK)
		return NULL;
	struct pgv_params p;
	pgv_params_init(&p);
	struct vb_buf sql;
	vb_buf_init(&sql);
	char *qt = pgv_qualified(h, spec->name);
	vb_buf_printf(&sql, "%s FROM %s WHERE ", head, qt);
	free(qt);
	PGresult *r = NULL;
	if ((*rc = pgv_where(h, t, where, &sql, &p, err)) == VB_OK && !(r = pgv_exec(h, sql.data, &p, err)))
		*rc = err->status;
	vb_buf_free(&sql);
	pgv_params_free(&p);
	return r;
}

int pgv_delete(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
               int64_t *affected, struct vb_error *err)
{
	if (affected)
		*affected = 0;
	int rc;
	PGresult *r = run_filtered(h, spec, "DELETE", where, &rc, err);
	if (r) {
		if (affected)
			*affected = cmd_tuples(r);
		PQclear(r);
	}
	return rc;
}

int pgv_count(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where, int64_t *out,
              struct vb_error *err)
{
	*out = 0;
	int rc;
	PGresult *r = run_filtered(h, spec, "SELECT count(*)", where, &rc, err);
	if (r) {
		*out = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
		PQclear(r);
	}
	return rc;
}
