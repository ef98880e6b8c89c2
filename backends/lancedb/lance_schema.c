/* backends/lancedb/lance_schema.c - tables: their columns as the store has them (cached per
 * handle), ensure_table with Datus's Arrow types, table_exists, drop, and index creation by
 * Datus's rules (datus-spec 1.7, 8). */
#include "lance.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Scalar indexes Datus's stores create after a sync (datus/storage/<store>/store.py). */
static const struct {
	const char *table, *column;
} scalar_indexes[] = {
#define LANCE_SCALAR(t, c) {#t, #c},
#include "lance_indexes.def"
#undef LANCE_SCALAR
};

void lance_schema_forget(struct vb_handle *h, const char *table)
{
	for (struct lance_schema **pp = &h->schemas; *pp; pp = &(*pp)->next) {
		struct lance_schema *s = *pp;
		if (strcmp(s->table, table) != 0)
			continue;
		*pp = s->next;
		for (int i = 0; i < s->n; i++) {
			free(s->names[i]);
			free(s->types[i]);
		}
		free(s->names);
		free(s->types);
		free(s->table);
		free(s);
		return;
	}
}

const struct lance_schema *lance_schema_get(struct vb_handle *h, const char *table, struct vb_error *err)
{
	for (struct lance_schema *s = h->schemas; s; s = s->next)
		if (strcmp(s->table, table) == 0)
			return s;
	lance_req(h, "schema", table, 0);
	struct lw_val *v = lance_call(h, err);
	if (!v)
		return NULL;
	const struct lw_val *f = lw_get(v, "fields");
	struct lance_schema *s = vb_xcalloc(1, sizeof *s);
	s->table = vb_xstrdup(table);
	s->n = f && f->tag == 'L' ? (int)f->n : 0;
	s->names = vb_xcalloc((size_t)s->n + 1, sizeof *s->names);
	s->types = vb_xcalloc((size_t)s->n + 1, sizeof *s->types);
	for (int i = 0; i < s->n; i++) {
		const char *name = lw_get_str(&f->u.items[i], "name"), *type = lw_get_str(&f->u.items[i], "type");
		s->names[i] = vb_xstrdup(name ? name : "");
		s->types[i] = vb_xstrdup(type ? type : "");
	}
	lw_free(v);
	s->next = h->schemas;
	h->schemas = s;
	return s;
}

int lance_schema_has(const struct lance_schema *s, const char *column)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->names[i], column) == 0)
			return 1;
	return 0;
}

static const char *arrow_type(const struct vb_column *c, int dim, char *buf, size_t len)
{
	switch (c->type) {
	case VB_T_INT: return "int64";
	case VB_T_DOUBLE: return "float64";
	case VB_T_BOOL: return "bool";
	case VB_T_TIMESTAMP: return "timestamp[ms]";
	case VB_T_TEXT_ARRAY: return "list<utf8>";
	case VB_T_VECTOR: snprintf(buf, len, "vector<float32>[%d]", dim); return buf;
	default: return "utf8";
	}
}

static int create_table(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	lance_req(h, "create", spec->name, 2);
	lw_str(&h->req, "fields");
	lw_list(&h->req, (uint32_t)spec->ncolumns);
	for (int i = 0; i < spec->ncolumns; i++) {
		char buf[48];
		lw_map(&h->req, 3);
		lw_str(&h->req, "name");
		lw_str(&h->req, spec->columns[i].name);
		lw_str(&h->req, "type");
		lw_str(&h->req, arrow_type(&spec->columns[i], spec->vector_dim, buf, sizeof buf));
		lw_str(&h->req, "not_null");
		lw_bool(&h->req, spec->columns[i].not_null);
	}
	/* A new table gets its full-text index at once (LanceDB searches rows added after it too),
	 * so text search works from the first row, as after a Datus sync. */
	int nfts = 0;
	const char *const *fts = spec->fts_columns;
	const char *one[1] = {spec->text_source};
	if (fts)
		while (fts[nfts])
			nfts++;
	else if (spec->text_source) {
		fts = one;
		nfts = 1;
	}
	lw_str(&h->req, "fts");
	lw_str_list(&h->req, fts, nfts);
	lance_schema_forget(h, spec->name);
	return lance_call_ok(h, err);
}

static int verify_table(const struct vb_table_spec *spec, const struct lance_schema *s,
                        struct vb_error *err)
{
	struct vb_buf missing;
	vb_buf_init(&missing);
	for (int i = 0; i < spec->ncolumns; i++)
		if (!lance_schema_has(s, spec->columns[i].name))
			vb_buf_printf(&missing, "%s%s", missing.len ? ", " : "", spec->columns[i].name);
	if (missing.len) {
		vb_err_set(err, VB_ERR_SCHEMA, "Table %s missing columns: %s", spec->name, missing.data);
		vb_buf_free(&missing);
		return VB_ERR_SCHEMA;
	}
	vb_buf_free(&missing);
	if (!spec->vector_column)
		return VB_OK;
	for (int i = 0; i < s->n; i++) {
		if (strcmp(s->names[i], spec->vector_column) != 0)
			continue;
		int dim = 0;
		if (sscanf(s->types[i], "vector<float32>[%d]", &dim) != 1)
			return vb_err_set(err, VB_ERR_SCHEMA, "Table %s column %s is %s, not a fixed-size list of float32",
			                  spec->name, s->names[i], s->types[i]);
		if (spec->vector_dim > 0 && dim != spec->vector_dim) {
			vb_err_set(err, VB_ERR_SCHEMA, "Table %s column %s has %d dimensions, the configured embedding has %d",
			           spec->name, s->names[i], dim, spec->vector_dim);
			snprintf(err->hint, sizeof err->hint, "configure the model the store was built with, or rebuild the "
			         "store with bootstrap-kb --kb_update_strategy overwrite");
			return VB_ERR_SCHEMA;
		}
	}
	return VB_OK;
}

int lance_ensure_table(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	int exists = 0;
	int rc = lance_table_exists(h, spec->name, &exists, err);
	if (rc != VB_OK)
		return rc;
	if (!exists)
		return create_table(h, spec, err);
	const struct lance_schema *s = lance_schema_get(h, spec->name, err);
	return s ? verify_table(spec, s, err) : err->status;
}

int lance_table_exists(struct vb_handle *h, const char *table, int *exists, struct vb_error *err)
{
	*exists = 0;
	lance_req(h, "tables", NULL, 0);
	struct lw_val *v = lance_call(h, err);
	if (!v)
		return err->status;
	const struct lw_val *names = lw_get(v, "names");
	for (uint32_t i = 0; names && names->tag == 'L' && i < names->n; i++)
		if (names->u.items[i].tag == 'S' && strcmp(names->u.items[i].u.s, table) == 0)
			*exists = 1;
	lw_free(v);
	return VB_OK;
}

/* The directory is the namespace, so clearing the namespace clears the table; the table and its
 * indexes stay, as on the other backends. */
int lance_drop(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	int exists = 0;
	int rc = lance_table_exists(h, spec->name, &exists, err);
	if (rc != VB_OK || !exists)
		return rc;
	lance_req(h, "delete", spec->name, 1);
	lw_str(&h->req, "where");
	lw_str(&h->req, "true");
	return lance_call_ok(h, err);
}

static int index_one(struct vb_handle *h, const char *table, const char *kind, const char *column, int64_t partitions,
                     int64_t sub_vectors, struct vb_error *err)
{
	lance_req(h, "index", table, 4);
	lw_str(&h->req, "kind");
	lw_str(&h->req, kind);
	lw_str(&h->req, "column");
	lw_str(&h->req, column);
	lw_str(&h->req, "partitions");
	lw_int(&h->req, partitions);
	lw_str(&h->req, "sub_vectors");
	lw_int(&h->req, sub_vectors);
	return lance_call_ok(h, err);
}

/* Datus's create_vector_index rules (datus-spec 1.7): IVF_PQ from 5000 rows, IVF_FLAT below. */
static int vector_index(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	int64_t n = 0;
	int rc = lance_count(h, spec, NULL, &n, err);
	if (rc != VB_OK)
		return rc;
	int64_t parts = n < 1000 ? n / 10 : n < 5000 ? n / 20 : (int64_t)sqrt((double)n);
	if (parts > 1024)
		parts = 1024;
	if (parts < 1)
		parts = 1;
	int dim = spec->vector_dim;
	int64_t sub = n < 1000 ? (dim / 64 > 8 ? dim / 64 : 8) : n < 5000 ? (dim / 32 > 16 ? dim / 32 : 16)
	                                                                   : (dim / 16 > 32 ? dim / 16 : 32);
	int64_t cap = n < 1000 ? 16 : n < 5000 ? 32 : 96;
	if (sub > cap)
		sub = cap;
	return index_one(h, spec->name, n >= 5000 ? "ivf_pq" : "ivf_flat", spec->vector_column, parts, sub, err);
}

/* method: "fts" (Datus's full-text columns, one native index each), "scalar" (Datus's scalar
 * indexes of the table), "ivf", "vector", "ivfflat" or "hnsw" (Datus's vector-index rules), "all"
 * (the three). */
int lance_create_index(struct vb_handle *h, const struct vb_table_spec *spec, const char *method,
                       struct vb_error *err)
{
	if (!method || !*method)
		method = "all";
	int all = strcmp(method, "all") == 0, rc = VB_OK;
	int fts = all || strcmp(method, "fts") == 0, scalar = all || strcmp(method, "scalar") == 0;
	/* hnsw / ivfflat (the pgvector names) get the vector index Datus builds on LanceDB: IVF_FLAT or IVF_PQ */
	int vec = all || strcmp(method, "ivf") == 0 || strcmp(method, "vector") == 0 || strcmp(method, "ivfflat") == 0 ||
	          strcmp(method, "hnsw") == 0;
	if (!fts && !scalar && !vec)
		return vb_err_set(err, VB_ERR_UNSUPPORTED, "LanceDB index method '%s' is not offered: use fts, scalar, "
		                  "ivf or all", method);
	if (vec && spec->vector_column && spec->vector_dim > 0)
		rc = vector_index(h, spec, err);
	for (int i = 0; rc == VB_OK && fts && spec->fts_columns && spec->fts_columns[i]; i++)
		rc = index_one(h, spec->name, "fts", spec->fts_columns[i], 0, 0, err);
	for (size_t i = 0; rc == VB_OK && scalar && i < sizeof scalar_indexes / sizeof scalar_indexes[0]; i++)
		if (strcmp(scalar_indexes[i].table, spec->name) == 0)
			rc = index_one(h, spec->name, "btree", scalar_indexes[i].column, 0, 0, err);
	return rc;
}

static void describe_row(struct vb_result *r, const char *kind, const char *name, const char *detail)
{
	const char *cells[3] = {kind, name, detail};
	vb_result_add_row(r, cells);
}

static int describe_indexes(struct vb_handle *h, const char *table, struct vb_result *r, struct vb_error *err)
{
	lance_req(h, "indices", table, 0);
	struct lw_val *v = lance_call(h, err);
	if (!v)
		return err->status;
	const struct lw_val *list = lw_get(v, "indices");
	for (uint32_t i = 0; list && list->tag == 'L' && i < list->n; i++) {
		const struct lw_val *ix = &list->u.items[i], *cols = lw_get(ix, "columns");
		struct vb_buf d;
		vb_buf_init(&d);
		vb_buf_printf(&d, "%s on ", lw_get_str(ix, "type") ? lw_get_str(ix, "type") : "?");
		for (uint32_t c = 0; cols && cols->tag == 'L' && c < cols->n; c++)
			vb_buf_printf(&d, "%s%s", c ? "," : "", cols->u.items[c].tag == 'S' ? cols->u.items[c].u.s : "?");
		int64_t done = lw_get_int(ix, "indexed", -1), todo = lw_get_int(ix, "unindexed", -1);
		if (done >= 0)
			vb_buf_printf(&d, "; %lld indexed, %lld unindexed", (long long)done, (long long)todo);
		describe_row(r, "index", lw_get_str(ix, "name"), d.data);
		vb_buf_free(&d);
	}
	lw_free(v);
	return VB_OK;
}

int lance_describe(struct vb_handle *h, const char *table, struct vb_result **out, struct vb_error *err)
{
	*out = NULL;
	lance_schema_forget(h, table); /* describe reports the store as it is now */
	const struct lance_schema *s = lance_schema_get(h, table, err);
	if (!s)
		return err->status;
	static const char *const cols[] = {"kind", "name", "detail"};
	struct vb_result *r = vb_result_new(3, cols);
	for (int i = 0; i < s->n; i++)
		describe_row(r, "column", s->names[i], s->types[i]);
	int rc = describe_indexes(h, table, r, err);
	const char *q[] = {"count", "version"};
	for (int k = 0; rc == VB_OK && k < 2; k++) {
		lance_req(h, q[k], table, k == 0 ? 1 : 0);
		if (k == 0) {
			lw_str(&h->req, "where");
			lw_null(&h->req);
		}
		struct lw_val *v = lance_call(h, err);
		if (!v) {
			rc = err->status;
			break;
		}
		char num[32];
		snprintf(num, sizeof num, "%lld", (long long)lw_get_int(v, k == 0 ? "n" : "version", -1));
		describe_row(r, k == 0 ? "rows" : "version", table, num);
		lw_free(v);
	}
	if (rc != VB_OK) {
		vb_result_destroy(&r);
		return rc;
	}
	*out = r;
	return VB_OK;
}
