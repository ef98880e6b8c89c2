/* engine/steps_lance.c - the LanceDB chain of steps.def: Datus's own store, checked without writing
 * to it.  directory -> open (LanceDB's library) -> tables -> Arrow schema -> vector dims ->
 * indexes -> rows -> embedding record (datus_db.cfg) -> smoke.  A missing table is reported, never
 * created here: Datus creates a store's table on its first write. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../backends/registry.h"
#include "../backends/vb_util.h"
#include "../ddl/ddl.h"
#include "../kb/embed_guard.h"
#include "engine.h"

static int advise(struct engine *e, struct step_result *r, const char *cls, const char *advice_id, const char *table)
{
	step_set_class(r, cls);
	engine_attach_advice(e, r, advice_get(advice_id), 0, table, NULL, 0);
	return r->status;
}

static char *store_dir(const struct engine *e)
{
	return vb_xasprintf("%s/datus_db_%s", e->vbc.data_dir ? e->vbc.data_dir : ".",
	                    e->vbc.namespace ? e->vbc.namespace : "default");
}

/* Files Datus keeps beside its tables (datus-spec 8): not foreign. */
static int datus_file(const char *name)
{
	size_t n = strlen(name);
	return strcmp(name, "datus_db.cfg") == 0 || name[0] == '_' /* LanceDB's own, e.g. __manifest */ || (n > 3 && strcmp(name + n - 3, ".db") == 0) ||
	       (n > 7 && strcmp(name + n - 7, ".db-wal") == 0) || (n > 7 && strcmp(name + n - 7, ".db-shm") == 0);
}

int step_lance_dir(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	char *dir = store_dir(e);
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		step_set(r, STEP_FAIL, "no LanceDB directory for namespace %s: %s %s", e->vbc.namespace, dir,
		         errno == ENOENT ? "does not exist" : "is not a directory");
		free(dir);
		return advise(e, r, "VBA-LANCE-DIR", "VEC-059", NULL);
	}
	DIR *d = opendir(dir);
	int tables = 0, foreign = 0;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.')
			continue;
		if (n > 6 && strcmp(de->d_name + n - 6, ".lance") == 0)
			tables++;
		else if (!datus_file(de->d_name) && foreign++ < 5)
			step_add_detail(r, "not a LanceDB table: %s", de->d_name);
	}
	if (d)
		closedir(d);
	if (!tables && foreign) {
		step_set(r, STEP_FAIL, "%s holds no LanceDB tables (*.lance) but %d other entries: not a Datus LanceDB "
		         "directory", dir, foreign);
		free(dir);
		return advise(e, r, "VBA-LANCE-FOREIGN", "VEC-060", NULL);
	}
	step_set(r, STEP_OK, "LanceDB directory %s (Datus's store for namespace %s): %d tables", dir,
	         e->vbc.namespace, tables);
	free(dir);
	return STEP_OK;
}

int step_lance_open(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	struct vb_error err;
	vb_err_clear(&err);
	if (engine_open_backend(e, &err) != VB_OK) {
		engine_fail_from(e, r, &err, "opening the LanceDB store");
		if (strstr(err.message, "LanceDB is not enabled"))
			advise(e, r, "VBA-LANCE-LIB", "VEC-061", NULL);
		return STEP_FAIL;
	}
	return step_set(r, STEP_OK, "LanceDB opened: %s", e->ops->version ? e->ops->version() : e->backend_name);
}

/* The store's own description of a table (columns, indexes, rows); NULL when it does not exist. */
static struct vb_result *describe(struct engine *e, const char *table, struct vb_error *err)
{
	struct vb_result *res = NULL;
	vb_err_clear(err);
	if (!VB_SLOT(e->ops, describe)) {
		vb_err_set(err, VB_ERR_UNSUPPORTED, "backend %s cannot describe its tables", e->backend_name);
		return NULL;
	}
	e->ops->describe(e->h, table, &res, err);
	return res;
}

/* Calls fn for every knowledge-base vector table the store has. */
typedef int (*table_fn)(struct engine *e, struct step_result *r, const struct vb_table_spec *spec,
                        const struct vb_result *desc);

static int each_table(struct engine *e, struct step_result *r, table_fn fn, int *seen)
{
	int worst = STEP_OK;
	*seen = 0;
	for (int i = 0; i < ddl_table_count(); i++) {
		if (!ddl_table_is_vector(i))
			continue;
		const struct vb_table_spec *spec = ddl_table_spec(ddl_table_name(i), e->vbc.dim);
		struct vb_error err;
		struct vb_result *d = describe(e, spec->name, &err);
		if (!d) {
			if (err.status == VB_ERR_NOT_FOUND)
				continue;
			step_add_detail(r, "%s: %s", spec->name, err.message);
			worst = STEP_FAIL;
			continue;
		}
		(*seen)++;
		int st = fn(e, r, spec, d);
		if (st == STEP_FAIL || (st == STEP_WARN && worst == STEP_OK))
			worst = st;
		e->ops->result_free(e->h, &d);
	}
	return worst;
}

static const char *col_type(const struct vb_result *d, const char *name)
{
	for (size_t i = 0; i < d->nrows; i++)
		if (!strcmp(vb_result_get(d, i, 0), "column") && !strcmp(vb_result_get(d, i, 1), name))
			return vb_result_get(d, i, 2);
	return NULL;
}

int step_lance_tables(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	int present = 0, total = 0, unreadable = 0;
	for (int i = 0; i < ddl_table_count(); i++) {
		if (!ddl_table_is_vector(i))
			continue;
		total++;
		int exists = 0;
		struct vb_error err;
		vb_err_clear(&err);
		if (e->ops->table_exists(e->h, ddl_table_name(i), &exists, &err) != VB_OK)
			return engine_fail_from(e, r, &err, ddl_table_name(i));
		if (exists) {
			struct vb_result *d = describe(e, ddl_table_name(i), &err);
			if (!d) {
				step_add_detail(r, "%s", err.message);
				unreadable++;
				continue;
			}
			e->ops->result_free(e->h, &d);
			present++;
		} else
			step_add_detail(r, "%s: not created yet (Datus creates it on the store's first write)", ddl_table_name(i));
	}
	if (unreadable) {
		step_set(r, STEP_FAIL, "%d LanceDB table(s) cannot be read (see the lines below)", unreadable);
		return advise(e, r, "VBA-LANCE-CORRUPT", "VEC-064", NULL);
	}
	if (!present) {
		step_set(r, STEP_WARN, "none of the %d knowledge-base tables exists yet", total);
		return advise(e, r, "VBA-KB-EMPTY", "VEC-047", NULL);
	}
	return step_set(r, STEP_OK, "%d of %d knowledge-base tables present", present, total);
}

/* Datus's Arrow type for a column of the spec (datus/storage/<store>/store.py). */
static int type_matches(const struct vb_column *c, const char *have, int dim)
{
	(void)dim; /* the dimension is the next step's */
	switch (c->type) {
	case VB_T_INT: return !strcmp(have, "int64") || !strcmp(have, "int32"); /* document.chunk_index is int32 */
	case VB_T_DOUBLE: return !strcmp(have, "float64") || !strcmp(have, "float32");
	case VB_T_BOOL: return !strcmp(have, "bool");
	case VB_T_TIMESTAMP: return !strncmp(have, "timestamp[", 10) || !strcmp(have, "utf8");
	case VB_T_TEXT_ARRAY: return !strcmp(have, "list<utf8>");
	case VB_T_VECTOR: return !strncmp(have, "vector<float32>[", 16);
	default: return !strcmp(have, "utf8");
	}
}

static int columns_of(struct engine *e, struct step_result *r, const struct vb_table_spec *spec,
                      const struct vb_result *d)
{
	(void)e;
	struct vb_buf missing;
	vb_buf_init(&missing);
	int bad = 0;
	for (int c = 0; c < spec->ncolumns; c++) {
		const char *have = col_type(d, spec->columns[c].name);
		if (!have)
			vb_buf_printf(&missing, "%s%s", missing.len ? ", " : "", spec->columns[c].name);
		else if (!type_matches(&spec->columns[c], have, spec->vector_dim) && ++bad)
			step_add_detail(r, "%s.%s is %s, not the type Datus writes", spec->name, spec->columns[c].name, have);
	}
	if (missing.len)
		step_add_detail(r, "Table %s missing columns: %s", spec->name, missing.data);
	int st = missing.len || bad ? STEP_FAIL : STEP_OK;
	vb_buf_free(&missing);
	return st;
}

int step_lance_columns(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	int seen;
	if (each_table(e, r, columns_of, &seen) == STEP_FAIL) {
		step_set(r, STEP_FAIL, "the Arrow schema of a table differs from Datus's (see the lines below)");
		return advise(e, r, "VBA-LANCE-SCHEMA", "VEC-062", NULL);
	}
	return step_set(r, STEP_OK, "%d tables have Datus's Arrow schema", seen);
}

static int dims_of(struct engine *e, struct step_result *r, const struct vb_table_spec *spec, const struct vb_result *d)
{
	const char *have = col_type(d, spec->vector_column);
	int dim = 0;
	if (!have || sscanf(have, "vector<float32>[%d]", &dim) != 1)
		return STEP_OK; /* the columns step reports it */
	if (dim == e->vbc.dim)
		return STEP_OK;
	step_add_detail(r, "%s.%s has %d dimensions, the configured embedding %d", spec->name, spec->vector_column, dim,
	                e->vbc.dim);
	return STEP_FAIL;
}

int step_lance_dimensions(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	int seen;
	if (each_table(e, r, dims_of, &seen) == STEP_FAIL) {
		step_set(r, STEP_FAIL, "vector dimensions differ from the configured embedding (%d)", e->vbc.dim);
		return advise(e, r, "VBA-DIM-MISMATCH", "VEC-019", NULL);
	}
	return step_set(r, STEP_OK, "%d vector tables hold %d-dimension vectors", seen, e->vbc.dim);
}

static int indexes_of(struct engine *e, struct step_result *r, const struct vb_table_spec *spec,
                      const struct vb_result *d)
{
	(void)e;
	struct vb_buf have;
	vb_buf_init(&have);
	int st = STEP_OK;
	for (size_t i = 0; i < d->nrows; i++)
		if (!strcmp(vb_result_get(d, i, 0), "index"))
			vb_buf_printf(&have, "%s%s", have.len ? "; " : "", vb_result_get(d, i, 2));
	for (int k = 0; spec->fts_columns && spec->fts_columns[k]; k++) {
		char want[128];
		snprintf(want, sizeof want, "FTS on %s;", spec->fts_columns[k]);
		char want_end[128];
		snprintf(want_end, sizeof want_end, "FTS on %s", spec->fts_columns[k]);
		size_t n = strlen(want_end);
		int found = have.data && (strstr(have.data, want) ||
		                          (have.len >= n && !strcmp(have.data + have.len - n, want_end)));
		if (!found) {
			/* Datus's Python LanceDB 0.18 builds tantivy indexes (use_tantivy=True), which the native
			 * search vbadmin runs cannot read: say so rather than "no index" to a user who has one */
			step_add_detail(r, "%s: no full-text index on %s (text and hybrid search need it)%s", spec->name,
			                spec->fts_columns[k], have.data && strstr(have.data, "TANTIVY on") ?
			                "; its tantivy index (Datus's Python LanceDB) is not readable by LanceDB's native search" : "");
			st = STEP_WARN;
		}
	}
	step_add_detail(r, "%s: %s", spec->name, have.len ? have.data : "no indexes");
	vb_buf_free(&have);
	return st;
}

int step_lance_indexes(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	int seen;
	int st = each_table(e, r, indexes_of, &seen);
	if (st == STEP_FAIL)
		return step_set(r, STEP_FAIL, "the indexes of a table could not be read");
	if (st == STEP_WARN) {
		step_set(r, STEP_WARN, "full-text indexes missing (see the lines below)");
		return advise(e, r, "VBA-LANCE-FTS", "VEC-063", NULL);
	}
	return step_set(r, STEP_OK, "every table has the full-text indexes Datus builds");
}

static int rows_of(struct engine *e, struct step_result *r, const struct vb_table_spec *spec, const struct vb_result *d)
{
	(void)e;
	for (size_t i = 0; i < d->nrows; i++)
		if (!strcmp(vb_result_get(d, i, 0), "rows"))
			step_add_detail(r, "%s %s", spec->name, vb_result_get(d, i, 2));
	return STEP_OK;
}

int step_lance_bootstrap(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	int seen;
	if (each_table(e, r, rows_of, &seen) == STEP_FAIL)
		return step_set(r, STEP_FAIL, "a table could not be counted");
	int64_t total = 0;
	for (const char *p = r->detail; p && *p;) {
		const char *sp = strchr(p, ' ');
		if (!sp)
			break;
		total += strtoll(sp + 1, NULL, 10);
		p = strchr(sp, '\n');
		p = p ? p + 1 : NULL;
	}
	if (!total) {
		step_set(r, STEP_WARN, "no rows in namespace %s yet: run bootstrap-kb", e->vbc.namespace);
		return advise(e, r, "VBA-KB-EMPTY", "VEC-047", NULL);
	}
	return step_set(r, STEP_OK, "%lld rows in namespace %s", (long long)total, e->vbc.namespace);
}

/* datus_db.cfg records the model that filled each store; a vector query must use the same one. */
int step_lance_embedding(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	char *dir = store_dir(e);
	char *path = vb_xasprintf("%s/datus_db.cfg", dir);
	free(dir);
	static const char *const sections[] = {"database", "semantic_model", "metric", "reference_sql", "ext_knowledge",
	                                       "document"};
	int found = 0, bad = 0;
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		struct embed_record rec;
		struct vb_error err;
		vb_err_clear(&err);
		/* Datus's own file, read as Datus reads it; a section missing from it is not recorded here */
		if (embed_guard_read(path, sections[i], 1, &rec, &err) != VB_OK || !rec.present || rec.from_default)
			continue;
		found++;
		int dim = atoi(rec.dim_size);
		step_add_detail(r, "[%s] %s %s, %d dimensions", sections[i], rec.registry_name, rec.model_name, dim);
		if (dim && dim != e->vbc.dim && ++bad)
			step_add_detail(r, "[%s] was embedded with %d dimensions, the configuration says %d", sections[i], dim,
			                e->vbc.dim);
	}
	if (!found) {
		step_set(r, STEP_WARN, "%s records no embedding model", path);
		free(path);
		return STEP_WARN;
	}
	if (bad) {
		step_set(r, STEP_FAIL, "%s records another embedding dimension than the configuration", path);
		free(path);
		return advise(e, r, "VBA-DIM-MISMATCH", "VEC-019", NULL);
	}
	step_set(r, STEP_OK, "%s: %d stores recorded, dimensions agree with the configuration", path, found);
	free(path);
	return STEP_OK;
}

/* One vector and one text search on the first table that has rows. */
int step_lance_smoke(void *ctx, struct step_result *r)
{
	struct engine *e = ctx;
	for (int i = 0; i < ddl_table_count(); i++) {
		if (!ddl_table_is_vector(i))
			continue;
		const struct vb_table_spec *spec = ddl_table_spec(ddl_table_name(i), e->vbc.dim);
		struct vb_error err;
		vb_err_clear(&err);
		int64_t n = 0;
		if (e->ops->count(e->h, spec, NULL, &n, &err) != VB_OK || n == 0)
			continue;
		float *q = vb_xcalloc((size_t)e->vbc.dim, sizeof *q);
		q[0] = 1.0f;
		struct vb_result *res = NULL;
		int st = e->ops->search_vector(e->h, spec, q, e->vbc.dim, 3, NULL, NULL, &res, &err);
		free(q);
		if (st != VB_OK) {
			engine_fail_from(e, r, &err, spec->name);
			return advise(e, r, "VBA-SEARCH-FAILED", "VEC-048", spec->name);
		}
		size_t nvec = res ? res->nrows : 0;
		e->ops->result_free(e->h, &res);
		st = e->ops->search_text(e->h, spec, "vbadmin smoke test", 3, NULL, NULL, &res, &err);
		if (st != VB_OK) {
			step_add_detail(r, "text search: %s", err.message);
			return step_set(r, STEP_WARN, "vector search on %s answered (%zu rows); text search did not", spec->name,
			                nvec);
		}
		size_t ntext = res ? res->nrows : 0;
		e->ops->result_free(e->h, &res);
		return step_set(r, STEP_OK, "vector and text search on %s answered (%zu and %zu rows)", spec->name, nvec,
		                ntext);
	}
	return step_set(r, STEP_SKIP, "skipped: no table has rows to search");
}
