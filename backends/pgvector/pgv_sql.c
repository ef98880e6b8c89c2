/* backends/pgvector/pgv_sql.c - the VB_CAP_SQL slots: one parameterised statement, and a script
 * run all-or-nothing in one transaction with progress per statement. */
#include "pgv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pgv_query(struct vb_handle *h, const char *sql, int nparams, const char *const *params, struct vb_result **out,
              struct vb_error *err)
{
	*out = NULL;
	h->tables_stale = 1; /* the statement may be DDL */
	struct pgv_params p;
	pgv_params_init(&p);
	for (int i = 0; i < nparams; i++)
		pgv_param_add(&p, vb_xstrdup(params[i]));
	PGresult *r = pgv_exec(h, sql, &p, err);
	pgv_params_free(&p);
	if (!r)
		return err->status;
	if (PQresultStatus(r) == PGRES_COPY_IN || PQresultStatus(r) == PGRES_COPY_OUT) {
		pgv_end_copy(h, r);
		return vb_err_set(err, VB_ERR_UNSUPPORTED, "COPY ... FROM STDIN / TO STDOUT cannot run through the query slot");
	}
	int nf = PQnfields(r), nt = PQntuples(r);
	const char **names = vb_xcalloc((size_t)(nf ? nf : 1), sizeof *names);
	for (int c = 0; c < nf; c++)
		names[c] = PQfname(r, c);
	struct vb_result *res = vb_result_new(nf, names);
	const char **cells = vb_xcalloc((size_t)(nf ? nf : 1), sizeof *cells);
	for (int i = 0; i < nt; i++) {
		for (int c = 0; c < nf; c++)
			cells[c] = PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);
		vb_result_add_row(res, cells);
	}
	free(cells);
	free(names);
	PQclear(r);
	*out = res;
	return VB_OK;
}

int pgv_exec_script(struct vb_handle *h, const char *const *stmts, int n, vb_progress_fn progress, void *ctx,
                    struct vb_error *err)
{
	h->tables_stale = 1; /* scripts are mostly DDL */
	int rc = pgv_run(h, "BEGIN", NULL, err);
	/* one script at a time per database: two `ddl apply` racing on CREATE ... IF NOT EXISTS
	 * fail on the catalog's unique indexes (duplicate pg_type); the second waits instead and
	 * then finds the objects there */
	if (rc == VB_OK)
		rc = pgv_run(h, "SELECT pg_advisory_xact_lock(hashtext('vbadmin exec_script'))", NULL, err);
	if (rc != VB_OK) {
		pgv_rollback(h);
		return rc;
	}
	for (int i = 0; i < n; i++) {
		PGresult *r = pgv_exec(h, stmts[i], NULL, err);
		if (!r) {
			/* report which statement failed, keeping the server's own words after it */
			char *msg = vb_xasprintf("statement %d of %d failed: %s", i + 1, n, err->message);
			size_t len = strlen(msg);
			if (len >= sizeof err->message)
				len = sizeof err->message - 1;
			memcpy(err->message, msg, len);
			err->message[len] = '\0';
			free(msg);
			if (progress)
				progress(ctx, i, stmts[i], err->status, err->message);
			pgv_rollback(h);
			return err->status;
		}
		if (PQresultStatus(r) == PGRES_COPY_IN || PQresultStatus(r) == PGRES_COPY_OUT) {
			pgv_end_copy(h, r);
			vb_err_set(err, VB_ERR_UNSUPPORTED, "statement %d of %d failed: COPY with STDIN/STDOUT cannot run in a script",
			           i + 1, n);
			if (progress)
				progress(ctx, i, stmts[i], err->status, err->message);
			pgv_rollback(h);
			return err->status;
		}
		if (progress)
			progress(ctx, i, stmts[i], VB_OK, PQcmdStatus(r));
		PQclear(r);
	}
	rc = pgv_run(h, "COMMIT", NULL, err);
	if (rc != VB_OK)
		pgv_rollback(h);
	return rc;
}
