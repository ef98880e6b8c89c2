/* engine/steps_emb.c - the embedded (and any non-SQL backend's) chain of steps.def: only the
 * vtable's generic slots are used, so a third-party store plugin gets the same checks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../backends/vb_util.h"
#include "../ddl/ddl.h"
#include "engine.h"


static int with_advice(struct engine *e, struct step_result *r, const char *advice_id, const char *table)
{
	engine_attach_advice(e, r, advice_get(advice_id), 1, table, NULL, 0);
	return r->status;
}

static int mkdir_p(const char *path)
{
	char *p = vb_xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = (mkdir(p, 0700) == 0 || errno == EEXIST) ? 0 : -1;
	free(p);
	return rc;
}

int step_emb_data_dir(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	const char *dir = e->vbc.data_dir;
	if (!dir || !*dir) /* a store that needs no directory (plugins) */
		return step_set(r, STEP_OK, "backend %s keeps no local data directory", e->backend_name);
	struct stat st;
	if (stat(dir, &st) != 0 && mkdir_p(dir) != 0) {
		step_set_class(r, "VBA-DATA-DIR");
		step_set(r, STEP_FAIL, "data directory %s does not exist and cannot be created: %s", dir, strerror(errno));
		return with_advice(e, r, "VEC-056", NULL);
	}
	if (access(dir, W_OK | X_OK) != 0) {
		step_set_class(r, "VBA-DATA-DIR");
		step_set(r, STEP_FAIL, "data directory %s is not writable: %s", dir, strerror(errno));
		return with_advice(e, r, "VEC-056", NULL);
	}
	return step_set(r, STEP_OK, "data directory %s is writable", dir);
}

int step_emb_open(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	struct vb_error err;
	vb_err_clear(&err);
	if (engine_open_backend_existing(e, &err) != VB_OK) {
		engine_fail_from(e, r, &err, "opening the store");
		if (err.status == VB_ERR_INVALID && strstr(err.message, "no namespace ")) {
			step_set_class(r, "VBA-NS-UNKNOWN"); /* a read-only check never creates a store */
			step_set_fix(r, NULL);
			with_advice(e, r, "VEC-065", NULL);
		} else if (err.status == VB_ERR_IO) { /* the embedded store reports only a full disk so at open */
			step_set_class(r, "VBA-DISK-FULL");
			step_set_fix(r, NULL);
			with_advice(e, r, "VEC-066", NULL);
		} else if (!r->advice_id || strcmp(r->errclass, "VBA-CONNECT") == 0) {
			step_set_class(r, "VBA-STORE-OPEN");
			step_set_fix(r, NULL);
			with_advice(e, r, "VEC-055", NULL);
		}
		return STEP_FAIL;
	}
	return step_set(r, STEP_OK, "namespace %s opened: %s", e->vbc.namespace ? e->vbc.namespace : "default",
	                e->ops->version ? e->ops->version() : e->backend_name);
}

int step_emb_fts5(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	if (!(e->ops->caps & VB_CAP_TEXT) || !e->ops->search_text) {
		step_set_class(r, "VBA-NO-FTS5");
		step_set(r, STEP_FAIL, "backend %s offers no full-text search", e->backend_name);
		return with_advice(e, r, "VEC-057", NULL);
	}
	return step_set(r, STEP_OK, "full-text search available");
}

int step_emb_tables(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	engine_stores_reset(e); /* the first per-table step of this chain: readiness starts over */
	int created = 0, present = 0, sev = STEP_OK;
	for (int i = 0; i < ddl_table_count(); i++) {
		const char *name = ddl_table_name(i);
		const struct vb_table_spec *spec = ddl_table_spec(name, engine_table_dim(e, name));
		struct vb_error err;
		vb_err_clear(&err);
		int exists = 0;
		if (e->ops->table_exists && e->ops->table_exists(e->h, name, &exists, &err) != VB_OK)
			return engine_fail_from(e, r, &err, name);
		if (exists) {
			present++;
			continue;
		}
		if (!(e->ops->caps & VB_CAP_CREATES)) {
			step_add_detail(r, "Table %s does not exist.", name);
			engine_store_problem(e, name, "table %s does not exist", name);
			if (engine_table_severity(e, name) > sev)
				sev = engine_table_severity(e, name);
			continue;
		}
		if (e->ops->ensure_table(e->h, spec, &err) != VB_OK)
			return engine_fail_from(e, r, &err, name);
		created++;
	}
	int n = ddl_table_count();
	if (present + created < n) {
		step_set_class(r, "500010");
		step_set(r, sev, "%d of %d tables missing", n - present - created, n);
		return with_advice(e, r, "VEC-015", NULL);
	}
	if (created)
		return step_set(r, STEP_OK, "%d tables ready (%d created now)", n, created);
	return step_set(r, STEP_OK, "all %d tables present", n);
}

int step_emb_columns(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	int bad = 0, sev = STEP_OK;
	struct vb_error first;
	vb_err_clear(&first);
	for (int i = 0; i < ddl_table_count(); i++) {
		const char *name = ddl_table_name(i);
		const struct vb_table_spec *spec = ddl_table_spec(name, engine_table_dim(e, name));
		struct vb_error err;
		vb_err_clear(&err);
		int exists = 1;
		if (e->ops->table_exists && e->ops->table_exists(e->h, name, &exists, &err) == VB_OK && !exists)
			continue; /* the tables step reported it */
		vb_err_clear(&err);
		if (e->ops->ensure_table(e->h, spec, &err) != VB_OK) {
			step_add_detail(r, "%s", err.message);
			engine_store_problem(e, name, "%s", err.message);
			if (engine_table_severity(e, name) > sev)
				sev = engine_table_severity(e, name);
			if (!bad++)
				first = err;
		}
	}
	if (bad) {
		char *detail = r->detail ? vb_xstrdup(r->detail) : NULL;
		engine_fail_from(e, r, &first, NULL);
		if (detail) {
			free(r->detail);
			r->detail = detail;
		}
		r->status = sev;
		return sev;
	}
	return step_set(r, STEP_OK, "every table has the columns the store writes");
}

/* One vector search of the table's own dim: a table built for another dim refuses it. */
static int probe_dim(struct engine *e, const char *name, struct vb_error *err)
{
	int dim = engine_table_dim(e, name);
	const struct vb_table_spec *spec = ddl_table_spec(name, dim);
	float *q = vb_xcalloc((size_t)dim, sizeof *q);
	q[0] = 1.0f;
	struct vb_result *res = NULL;
	int rc = e->ops->search_vector(e->h, spec, q, dim, 1, NULL, NULL, &res, err);
	if (res)
		e->ops->result_free(e->h, &res);
	free(q);
	return rc;
}

int step_emb_dimensions(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	if (!e->ops->search_vector)
		return step_set(r, STEP_OK, "backend has no vector search; nothing to compare");
	int checked = 0, sev = STEP_OK;
	struct vb_error first;
	vb_err_clear(&first);
	const char *first_table = NULL;
	for (int i = 0; i < ddl_table_count(); i++) {
		const char *name = ddl_table_name(i);
		if (!ddl_table_is_vector(i))
			continue;
		struct vb_error err;
		vb_err_clear(&err);
		int exists = 1;
		if (e->ops->table_exists && e->ops->table_exists(e->h, name, &exists, &err) == VB_OK && !exists)
			continue;
		vb_err_clear(&err);
		if (probe_dim(e, name, &err) != VB_OK) {
			step_add_detail(r, "%s: %s (its store's embedding dim is %d)", name, err.message,
			                engine_table_dim(e, name));
			engine_store_problem(e, name, "%s", err.message);
			if (engine_table_severity(e, name) > sev)
				sev = engine_table_severity(e, name);
			if (!first_table) {
				first = err;
				first_table = name;
			}
			continue;
		}
		checked++;
	}
	if (first_table) {
		char *detail = r->detail ? vb_xstrdup(r->detail) : NULL;
		engine_fail_from(e, r, &first, first_table);
		if (first.status == VB_ERR_INVALID || first.status == VB_ERR_SCHEMA) {
			step_set_class(r, "VBA-DIM-MISMATCH");
			step_set_fix(r, NULL);
			r->advice_id = NULL;
			with_advice(e, r, "VEC-019", first_table);
		}
		if (detail) {
			free(r->detail);
			r->detail = detail;
		}
		r->status = sev;
		return sev;
	}
	char *dims_text = engine_dims_text(e);
	int ret = step_set(r, STEP_OK, "%d vector tables accept their store's vectors (%s)", checked, dims_text);
	free(dims_text);
	return ret;
}

int step_emb_bootstrap(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	int64_t total = 0;
	struct vb_buf list;
	vb_buf_init(&list);
	for (int i = 0; i < ddl_table_count(); i++) {
		const struct vb_table_spec *spec = ddl_table_spec(ddl_table_name(i), engine_table_dim(e, ddl_table_name(i)));
		int64_t n = 0;
		struct vb_error err;
		vb_err_clear(&err);
		if (e->ops->count(e->h, spec, NULL, &n, &err) != VB_OK) {
			vb_buf_free(&list);
			return engine_fail_from(e, r, &err, spec->name);
		}
		total += n;
		vb_buf_printf(&list, "%s%s %lld", list.len ? ", " : "", spec->name, (long long)n);
	}
	const char *ns = e->vbc.namespace ? e->vbc.namespace : "default";
	step_add_detail(r, "rows in namespace %s: %s", ns, list.data ? list.data : "");
	vb_buf_free(&list);
	if (!total) {
		step_set_class(r, "VBA-KB-EMPTY");
		step_set(r, STEP_WARN, "no rows for namespace %s yet: run bootstrap-kb", ns);
		return with_advice(e, r, "VEC-047", NULL);
	}
	return step_set(r, STEP_OK, "%lld rows in namespace %s", (long long)total, ns);
}

/* The smoke test is the same for every backend: one vector and one text search. */
int step_pg_smoke(void *ctx, struct step_result *r);

int step_emb_smoke(void *ctx, struct step_result *r)
{
	return step_pg_smoke(ctx, r);
}

int step_emb_stores(void *ctx, struct step_result *r)
{
	return engine_stores_report(ctx, r);
}
