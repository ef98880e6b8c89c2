/* engine/migrate.c - the migrate use case (migrate.h): plan, copy by key in batches, verify. */
#include "migrate.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../backends/registry.h"
#include "../backends/vb_filter.h"
#include "../backends/vb_util.h"
#include "../ddl/ddl.h"

#define SAMPLE_ROWS 16

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Where a store lives, in words (never a password). */
static char *describe_store(const struct vb_config *c, const char *canon)
{
	if (!strcmp(canon, "lancedb"))
		return vb_xasprintf("lancedb %s/datus_db_%s", c->data_dir, c->namespace);
	if (!strcmp(canon, "embedded"))
		return vb_xasprintf("embedded %s/%s.db", c->data_dir, c->namespace);
	if (c->host || c->database)
		return vb_xasprintf("%s %s@%s:%d/%s schema %s, namespace %s", canon, c->username ? c->username : "",
		                    c->host ? c->host : "(socket)", c->port, c->database ? c->database : "postgres",
		                    c->schema ? c->schema : "public", c->namespace);
	return vb_xasprintf("%s, namespace %s", canon, c->namespace);
}

/* Puts "prefix: " before err's message (cut to fit). */
static void err_prefix(struct vb_error *err, const char *prefix)
{
	char *s = vb_xasprintf("%s: %s", prefix, err->message);
	size_t n = strlen(s) < sizeof err->message - 1 ? strlen(s) : sizeof err->message - 1;
	memcpy(err->message, s, n);
	err->message[n] = '\0';
	free(s);
}

static int open_side(const char *side, struct vb_config *vc, const struct vb_ops **ops, struct vb_handle **h,
                     struct vb_error *err)
{
	if (vb_registry_open(vc, ops, h, err) == VB_OK)
		return VB_OK;
	char *prefix = vb_xasprintf("%s store (%s)", side, vc->backend);
	err_prefix(err, prefix);
	free(prefix);
	return err->status ? err->status : VB_ERR_CONNECT;
}

/* The source's vector dimension of table, from its description; 0 when it cannot say. */
static int source_dim(struct migrate *m, const struct vb_table_spec *spec)
{
	if (!VB_SLOT(m->sops, describe) || !spec->vector_column)
		return 0;
	struct vb_result *r = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	int dim = 0;
	if (m->sops->describe(m->sh, spec->name, &r, &err) == VB_OK && r) {
		for (size_t i = 0; i < r->nrows; i++)
			if (!strcmp(vb_result_get(r, i, 0), "column") && !strcmp(vb_result_get(r, i, 1), spec->vector_column))
				sscanf(vb_result_get(r, i, 2), "vector<float32>[%d]", &dim);
	}
	m->sops->result_free(m->sh, &r);
	return dim;
}

static int plan_table(struct migrate *m, struct migrate_table *t, int dim, struct vb_error *err)
{
	int exists = 0;
	if (m->sops->table_exists(m->sh, t->name, &exists, err) != VB_OK)
		return err->status;
	t->present = exists;
	if (!exists)
		return VB_OK;
	const struct vb_table_spec *spec = ddl_table_spec(t->name, dim);
	int sdim = source_dim(m, spec);
	t->dim = sdim > 0 ? sdim : dim;
	return m->sops->count(m->sh, ddl_table_spec(t->name, t->dim), NULL, &t->source_rows, err);
}

static int plan(struct migrate *m, const char *tables, int dim, struct vb_error *err)
{
	m->t = vb_xcalloc((size_t)ddl_table_count() + 1, sizeof *m->t);
	for (int i = 0; i < ddl_table_count(); i++) {
		const char *name = ddl_table_name(i);
		if (!ddl_table_is_vector(i))
			continue;
		if (tables) {
			size_t n = strlen(name);
			const char *p = tables;
			int want = 0;
			while (!want && (p = strstr(p, name)))
				want = (p == tables || p[-1] == ',') && (p[n] == ',' || !p[n]), p += n;
			if (!want)
				continue;
		}
		m->t[m->n++].name = name;
	}
	if (tables) { /* every name given must be a knowledge-base vector table */
		char *copy = vb_xstrdup(tables);
		for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
			const struct vb_table_spec *s = ddl_table_spec(tok, dim);
			if (!s || !s->vector_column) {
				vb_err_set(err, VB_ERR_INVALID, "--tables: '%s' is not a knowledge-base vector table (schema_metadata, "
				           "schema_value, semantic_model, metrics, reference_sql, ext_knowledge, document)", tok);
				free(copy);
				return VB_ERR_INVALID;
			}
		}
		free(copy);
	}
	for (int i = 0; i < m->n; i++)
		if (plan_table(m, &m->t[i], dim, err) != VB_OK)
			return err->status;
	return VB_OK;
}

int migrate_open(const struct config *cfg, const char *ns, const struct migrate_opts *o, struct migrate **out,
                 struct vb_error *err)
{
	*out = NULL;
	struct migrate *m = vb_xcalloc(1, sizeof *m);
	char sb[64], db[64];
	const char *sc = NULL, *dc = NULL;
	int rc = config_resolve(cfg, ns, o->from, &m->src, err);
	if (rc == VB_OK)
		rc = config_resolve(cfg, ns, o->to, &m->dst, err);
	if (rc == VB_OK) {
		sc = vb_registry_canonical(m->src.backend, sb, sizeof sb);
		dc = vb_registry_canonical(m->dst.backend, db, sizeof db);
		if (!sc || !dc)
			rc = vb_err_set(err, VB_ERR_INVALID, "invalid backend name '%s'", sc ? o->to : o->from);
	}
	if (rc == VB_OK) {
		m->src_desc = describe_store(&m->src, sc);
		m->dst_desc = describe_store(&m->dst, dc);
		if (!strcmp(m->src_desc, m->dst_desc))
			rc = vb_err_set(err, VB_ERR_INVALID, "source and target are the same store (%s)", m->src_desc);
	}
	if (rc == VB_OK)
		rc = open_side("source", &m->src, &m->sops, &m->sh, err);
	if (rc == VB_OK)
		rc = open_side("target", &m->dst, &m->dops, &m->dh, err);
	if (rc == VB_OK)
		rc = plan(m, o->tables, cfg->dim, err);
	if (rc != VB_OK) {
		migrate_close(&m);
		return rc;
	}
	char *dir = o->state_dir ? vb_xstrdup(o->state_dir) : migrate_state_dir();
	m->state_path = vb_xasprintf("%s/migrate-%s-%s-%s.state", dir, m->src.namespace, sc, dc);
	free(dir);
	*out = m;
	return VB_OK;
}

void migrate_close(struct migrate **mp)
{
	if (!mp || !*mp)
		return;
	struct migrate *m = *mp;
	if (m->sops && m->sh)
		m->sops->close(&m->sh);
	if (m->dops && m->dh)
		m->dops->close(&m->dh);
	free(m->src_desc);
	free(m->dst_desc);
	free(m->state_path);
	free(m->t);
	free(m);
	*mp = NULL;
}

/* ---- copying ---- */

struct keys {
	char **v;
	size_t n;
	uint64_t hash;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void keys_free(struct keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
	*k = (struct keys){0};
}

/* The source's keys, sorted and distinct, so batches are the same in every run. */
static int read_keys(struct migrate *m, const struct vb_table_spec *spec, struct migrate_table *t, struct keys *k,
                     struct vb_error *err)
{
	const char *sel[2] = {spec->key_column, NULL};
	struct vb_result *r = NULL;
	*k = (struct keys){0};
	if (m->sops->search_all(m->sh, spec, NULL, sel, 0, &r, err) != VB_OK)
		return err->status;
	k->v = vb_xcalloc(r->nrows + 1, sizeof *k->v);
	size_t nulls = 0;
	for (size_t i = 0; i < r->nrows; i++) {
		const char *s = vb_result_get(r, i, 0);
		if (s)
			k->v[k->n++] = vb_xstrdup(s);
		else
			nulls++;
	}
	m->sops->result_free(m->sh, &r);
	if (nulls) {
		keys_free(k);
		return vb_err_set(err, VB_ERR_INVALID, "table %s: %zu rows have no %s, so they cannot be copied by key",
		                  spec->name, nulls, spec->key_column);
	}
	qsort(k->v, k->n, sizeof *k->v, cmp_str);
	size_t w = 0;
	for (size_t i = 0; i < k->n; i++) {
		if (w && !strcmp(k->v[w - 1], k->v[i])) {
			free(k->v[i]);
			continue;
		}
		k->v[w++] = k->v[i];
	}
	if (w < k->n)
		snprintf(t->message, sizeof t->message, "%zu duplicate %s values in the source: the target keeps the last "
		         "row of each, as Datus's upsert does", k->n - w, spec->key_column);
	k->n = w;
	k->hash = 1469598103934665603ull; /* FNV-1a over the sorted keys */
	for (size_t i = 0; i < k->n; i++)
		for (const char *p = k->v[i]; ; p++) {
			k->hash = (k->hash ^ (unsigned char)*p) * 1099511628211ull;
			if (!*p)
				break;
		}
	return VB_OK;
}

static struct vb_filter *key_filter(const struct vb_table_spec *spec, const struct keys *k, size_t from, size_t n)
{
	struct vb_value *vals = vb_xcalloc(n + 1, sizeof *vals);
	for (size_t i = 0; i < n; i++) {
		vals[i].type = VB_T_TEXT;
		vals[i].u.s = k->v[from + i];
	}
	struct vb_filter *f = vb_filter_in(spec->key_column, vals, n);
	free(vals);
	return f;
}

static const char **all_columns(const struct vb_table_spec *spec)
{
	const char **sel = vb_xcalloc((size_t)spec->ncolumns + 1, sizeof *sel);
	for (int i = 0; i < spec->ncolumns; i++)
		sel[i] = spec->columns[i].name;
	return sel;
}

static int key_index(const struct vb_table_spec *spec)
{
	for (int i = 0; i < spec->ncolumns; i++)
		if (!strcmp(spec->columns[i].name, spec->key_column))
			return i;
	return -1;
}

/* Rows of keys [from, from+n) in store (ops, h), parsed. */
static struct migrate_cells *fetch(const struct vb_ops *ops, struct vb_handle *h, const struct vb_table_spec *spec,
                                   const struct keys *k, size_t from, size_t n, struct vb_error *err)
{
	struct vb_filter *f = key_filter(spec, k, from, n);
	const char **sel = all_columns(spec);
	struct vb_result *r = NULL;
	struct migrate_cells *c = NULL;
	if (ops->search_all(h, spec, f, sel, 0, &r, err) == VB_OK)
		c = migrate_cells_parse(spec, r, err);
	ops->result_free(h, &r);
	free(sel);
	vb_filter_free(f);
	return c;
}

/* One row per key (the last, as Datus's upsert_batch keeps), for a store that holds duplicates. */
static struct vb_rows distinct_rows(const struct migrate_cells *c, int kc, struct vb_value **cells)
{
	const struct vb_rows *in = migrate_cells_rows(c);
	*cells = vb_xcalloc(in->nrows * (size_t)in->ncols + 1, sizeof **cells);
	size_t w = 0;
	for (size_t i = 0; i < in->nrows; i++) {
		const char *key = in->cells[i * (size_t)in->ncols + (size_t)kc].u.s;
		int later = 0;
		for (size_t j = i + 1; j < in->nrows && !later; j++)
			later = !strcmp(key, in->cells[j * (size_t)in->ncols + (size_t)kc].u.s);
		if (!later)
			memcpy(&(*cells)[w++ * (size_t)in->ncols], &in->cells[i * (size_t)in->ncols],
			       (size_t)in->ncols * sizeof **cells);
	}
	return (struct vb_rows){in->ncols, in->cols, w, *cells};
}

/* Rows [from, from + n) of the source in its own order (the scan slot), parsed. */
static struct migrate_cells *scan_rows(struct migrate *m, const struct vb_table_spec *spec, size_t from, size_t n,
                                       struct vb_error *err)
{
	const char **sel = all_columns(spec);
	struct vb_result *r = NULL;
	struct migrate_cells *c = NULL;
	if (m->sops->scan(m->sh, spec, sel, (int64_t)from, (int64_t)n, &r, err) == VB_OK)
		c = migrate_cells_parse(spec, r, err);
	m->sops->result_free(m->sh, &r);
	free(sel);
	return c;
}

/* Batch b of the copy: rows b*batch... of the source's own order when it can stream them (one pass
 * over the table), else the rows of the b-th slice of the sorted keys (a lookup per batch).  *end:
 * no rows after this batch. */
static struct migrate_cells *next_batch(struct migrate *m, const struct vb_table_spec *spec, const struct keys *k,
                                        size_t b, size_t batch, int *end, struct vb_error *err)
{
	size_t from = b * batch;
	if (VB_SLOT(m->sops, scan)) {
		struct migrate_cells *c = scan_rows(m, spec, from, batch, err);
		*end = !c || migrate_cells_rows(c)->nrows < batch;
		return c;
	}
	size_t n = k->n - from < batch ? k->n - from : batch;
	*end = from + n >= k->n;
	return fetch(m->sops, m->sh, spec, k, from, n, err);
}

static int copy_table(struct migrate *m, const struct migrate_opts *o, struct migrate_table *t,
                      const struct vb_table_spec *spec, const struct keys *k, struct vb_error *err)
{
	size_t batch = o->batch_rows > 0 ? (size_t)o->batch_rows : 500;
	size_t total = VB_SLOT(m->sops, scan) ? (size_t)t->source_rows : k->n; /* what the batches walk */
	size_t nb = (total + batch - 1) / batch;
	int done = migrate_state_done(m->state_path, t->name, (int64_t)k->n, k->hash);
	if ((size_t)done > nb)
		done = 0;
	t->resumed = (int64_t)((size_t)done * batch < total ? (size_t)done * batch : total);
	int kc = key_index(spec), end = (size_t)done >= nb;
	for (size_t b = (size_t)done; !end; b++) {
		if (o->cancelled && *o->cancelled)
			return vb_err_set(err, VB_ERR_CANCELLED, "interrupted in table %s after %zu of %zu batches", t->name, b, nb);
		struct migrate_cells *c = next_batch(m, spec, k, b, batch, &end, err);
		if (!c)
			return err->status;
		struct vb_value *cells;
		struct vb_rows rows = distinct_rows(c, kc, &cells);
		int rc = rows.nrows ? m->dops->upsert(m->dh, spec, &rows, spec->key_column, err) : VB_OK;
		size_t got = migrate_cells_rows(c)->nrows;
		free(cells);
		migrate_cells_free(c);
		if (rc != VB_OK)
			return rc;
		t->copied += (int64_t)rows.nrows;
		m->rows += (int64_t)rows.nrows;
		migrate_state_save(m->state_path, t->name, (int64_t)k->n, k->hash, (int)b + 1);
		if (o->progress)
			o->progress(o->progress_ctx, t->name, (int64_t)(b * batch + got), (int64_t)total);
	}
	return VB_OK;
}

/* The last row of key in c: the one a store holding duplicates had written last (see distinct_rows). */
static long last_row(const struct migrate_cells *c, int kc, const char *key)
{
	const struct vb_rows *r = migrate_cells_rows(c);
	long at = -1;
	for (size_t i = 0; i < r->nrows; i++)
		if (!strcmp(r->cells[i * (size_t)r->ncols + (size_t)kc].u.s, key))
			at = (long)i;
	return at;
}

/* Every key counted in the target; SAMPLE_ROWS rows spread over the keys compared cell by cell. */
static int verify_table(struct migrate *m, const struct migrate_opts *o, struct migrate_table *t,
                        const struct vb_table_spec *spec, const struct keys *k, struct vb_error *err)
{
	size_t batch = o->batch_rows > 0 ? (size_t)o->batch_rows : 500;
	t->verified = 0;
	for (size_t from = 0; from < k->n; from += batch) {
		size_t n = k->n - from < batch ? k->n - from : batch;
		struct vb_filter *f = key_filter(spec, k, from, n);
		int64_t got = 0;
		int rc = m->dops->count(m->dh, spec, f, &got, err);
		vb_filter_free(f);
		if (rc != VB_OK)
			return rc;
		t->verified += got;
	}
	struct keys sample = {vb_xcalloc(SAMPLE_ROWS + 1, sizeof(char *)), 0, 0};
	for (size_t i = 0; i < SAMPLE_ROWS && i < k->n; i++)
		sample.v[sample.n++] = k->v[i * k->n / (k->n < SAMPLE_ROWS ? k->n : SAMPLE_ROWS)];
	struct migrate_cells *a = sample.n ? fetch(m->sops, m->sh, spec, &sample, 0, sample.n, err) : NULL;
	struct migrate_cells *b = a ? fetch(m->dops, m->dh, spec, &sample, 0, sample.n, err) : NULL;
	int kc = key_index(spec), rc = sample.n && !b ? err->status : VB_OK;
	char why[128] = "";
	for (size_t i = 0; b && i < sample.n; i++) {
		long ra = last_row(a, kc, sample.v[i]), rb = migrate_cells_find(b, kc, sample.v[i]);
		t->sampled++;
		if (ra >= 0 && rb >= 0 && migrate_cells_equal(a, ra, b, rb, why, sizeof why))
			t->sample_equal++;
		else if (!t->message[0] || t->sample_equal == t->sampled - 1)
			snprintf(t->message, sizeof t->message, "row %s=%s: %s", spec->key_column, sample.v[i],
			         rb < 0 ? "missing in the target" : why);
	}
	migrate_cells_free(a);
	migrate_cells_free(b);
	free(sample.v);
	t->ok = rc == VB_OK && t->verified == (int64_t)k->n && t->sample_equal == t->sampled;
	return rc;
}

static int migrate_table_run(struct migrate *m, const struct migrate_opts *o, struct migrate_table *t,
                             struct vb_error *err)
{
	const struct vb_table_spec *spec = ddl_table_spec(t->name, t->dim);
	t->ran = 1;
	if (!spec || !spec->key_column)
		return vb_err_set(err, VB_ERR_INTERNAL, "table %s has no key column to copy by", t->name);
	int rc = m->dops->ensure_table(m->dh, spec, err);
	if (rc != VB_OK) {
		char *prefix = vb_xasprintf("target %s", m->dst_desc);
		err_prefix(err, prefix);
		free(prefix);
		if (!err->hint[0] && m->dops->caps & VB_CAP_SQL)
			snprintf(err->hint, sizeof err->hint, "create the tables first: vbadmin --backend %s ddl apply --dim %d",
			         m->dst.backend, t->dim);
		return rc;
	}
	struct keys k;
	rc = read_keys(m, spec, t, &k, err);
	if (rc == VB_OK)
		rc = copy_table(m, o, t, spec, &k, err);
	if (rc == VB_OK)
		rc = verify_table(m, o, t, spec, &k, err);
	if (rc == VB_OK && !t->ok && t->resumed) {
		/* the record said "done" but the target disagrees (cleared or changed since): copy it all again */
		snprintf(t->message, sizeof t->message, "the target lacked rows an earlier run had copied; copied again");
		migrate_state_save(m->state_path, t->name, (int64_t)k.n, k.hash, 0);
		t->resumed = t->sampled = t->sample_equal = 0;
		rc = copy_table(m, o, t, spec, &k, err);
		if (rc == VB_OK)
			rc = verify_table(m, o, t, spec, &k, err);
	}
	if (rc == VB_OK && !t->ok)
		rc = vb_err_set(err, VB_ERR_SCHEMA, "table %s: verification failed: %lld of %zu keys in the target, %d of %d "
		                "sampled rows equal%s%s", t->name, (long long)t->verified, k.n, t->sample_equal, t->sampled,
		                t->message[0] ? "; " : "", t->message);
	t->keys = (int64_t)k.n;
	keys_free(&k);
	return rc;
}

int migrate_run(struct migrate *m, const struct migrate_opts *o, struct vb_error *err)
{
	double t0 = mono();
	int rc = VB_OK;
	for (int i = 0; i < m->n && rc == VB_OK; i++)
		if (m->t[i].present)
			rc = migrate_table_run(m, o, &m->t[i], err);
	m->seconds = mono() - t0;
	if (rc == VB_OK)
		migrate_state_clear(m->state_path); /* done and verified: a re-run starts afresh (and rewrites the same) */
	return rc;
}
