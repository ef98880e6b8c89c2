/* engine/migrate_copy.c - copying one table (migrate.h): the source's keys, the walk over its rows
 * in batches with the resume record, and the verification.
 *
 * The walk is the source's rows in its own order when it has the scan slot (one streamed pass, no
 * lookups), else its sorted distinct keys (a lookup per batch).  Position i of the walk is known by
 * its key before anything is copied: read_keys lists the keys with search_all, which reads a table
 * in the order the scan slot walks it (LanceDB: the same plain query, fragments and rows in
 * order).  Each scanned batch is checked against that listing, so the record "the first R rows of
 * the walk, keys hashing to H" means exactly those rows, and a re-run can prove it still does. */
#include "migrate.h"

#include <stdlib.h>
#include <string.h>

#include "../backends/registry.h"
#include "../backends/vb_filter.h"
#include "../backends/vb_util.h"

#define SAMPLE_ROWS 16

struct keys {
	char **raw;      /* every row's key in the source's own order (owned) */
	size_t nraw;
	const char **v;  /* the distinct keys, sorted (pointing into raw) */
	size_t n;
	uint64_t hash;   /* FNV-1a over v */
};

struct walk {
	const char *const *keys; /* key of each position */
	size_t n;
	int scan;                /* stream positions with the scan slot, else look rows up by key */
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void keys_free(struct keys *k)
{
	for (size_t i = 0; i < k->nraw; i++)
		free(k->raw[i]);
	free(k->raw);
	free(k->v);
	*k = (struct keys){0};
}

/* Sorts and de-duplicates raw into v, notes duplicates, hashes the key set. */
static void keys_index(const struct vb_table_spec *spec, struct migrate_table *t, struct keys *k)
{
	k->v = vb_xcalloc(k->nraw + 1, sizeof *k->v);
	memcpy(k->v, k->raw, k->nraw * sizeof *k->v);
	qsort(k->v, k->nraw, sizeof *k->v, cmp_str);
	size_t w = 0;
	for (size_t i = 0; i < k->nraw; i++)
		if (!w || strcmp(k->v[w - 1], k->v[i]))
			k->v[w++] = k->v[i];
	if (w < k->nraw)
		snprintf(t->message, sizeof t->message, "%zu duplicate %s values in the source: the target keeps the last "
		         "row of each, as Datus's upsert does", k->nraw - w, spec->key_column);
	k->n = w;
	k->hash = MIGRATE_FNV_START;
	for (size_t i = 0; i < k->n; i++)
		k->hash = migrate_fnv(k->hash, k->v[i]);
}

static int read_keys(struct migrate *m, const struct vb_table_spec *spec, struct migrate_table *t, struct keys *k,
                     struct vb_error *err)
{
	const char *sel[2] = {spec->key_column, NULL};
	struct vb_result *r = NULL;
	*k = (struct keys){0};
	if (m->sops->search_all(m->sh, spec, NULL, sel, 0, &r, err) != VB_OK)
		return err->status;
	k->raw = vb_xcalloc(r->nrows + 1, sizeof *k->raw);
	size_t nulls = 0;
	for (size_t i = 0; i < r->nrows; i++) {
		const char *s = vb_result_get(r, i, 0);
		if (s)
			k->raw[k->nraw++] = vb_xstrdup(s);
		else
			nulls++;
	}
	m->sops->result_free(m->sh, &r);
	if (nulls) {
		keys_free(k);
		return vb_err_set(err, VB_ERR_INVALID, "table %s: %zu rows have no %s, so they cannot be copied by key",
		                  spec->name, nulls, spec->key_column);
	}
	keys_index(spec, t, k);
	return VB_OK;
}

static struct vb_filter *key_filter(const struct vb_table_spec *spec, const char *const *keys, size_t n)
{
	struct vb_value *vals = vb_xcalloc(n + 1, sizeof *vals);
	for (size_t i = 0; i < n; i++) {
		vals[i].type = VB_T_TEXT;
		vals[i].u.s = keys[i];
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

/* The rows of keys[0..n) in store (ops, h), parsed. */
static struct migrate_cells *fetch(const struct vb_ops *ops, struct vb_handle *h, const struct vb_table_spec *spec,
                                   const char *const *keys, size_t n, struct vb_error *err)
{
	struct vb_filter *f = key_filter(spec, keys, n);
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

/* Are the rows of c exactly keys[0..n), in that order? */
static int same_keys(const struct migrate_cells *c, int kc, const char *const *keys, size_t n)
{
	const struct vb_rows *r = migrate_cells_rows(c);
	if (r->nrows != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct vb_value *v = &r->cells[i * (size_t)r->ncols + (size_t)kc];
		if (v->is_null || strcmp(v->u.s, keys[i]))
			return 0;
	}
	return 1;
}

/* The rows of walk positions [from, from + n).  A scan that brings other keys than the listing
 * has there (a store whose order is not stable) turns the rest of the walk into lookups by key,
 * which cannot land out of place. */
static struct migrate_cells *next_batch(struct migrate *m, const struct vb_table_spec *spec, struct walk *w,
                                        struct migrate_table *t, size_t from, size_t n, struct vb_error *err)
{
	if (w->scan) {
		struct migrate_cells *c = scan_rows(m, spec, from, n, err);
		if (!c || same_keys(c, key_index(spec), w->keys + from, n))
			return c;
		migrate_cells_free(c);
		w->scan = 0;
		snprintf(t->message, sizeof t->message, "the source's scan order differed from its key listing at row %zu; "
		         "the rest was read by key", from);
	}
	return fetch(m->sops, m->sh, spec, w->keys + from, n, err);
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

/* Where the walk goes on: after the rows an interrupted run recorded, when the record was made on
 * this same source (key set, table version) and the walk's first rows still hash to it; else 0,
 * saying why when there was a record.  *mk is the record to go on with. */
static size_t resume_at(struct migrate *m, struct migrate_table *t, const struct keys *k, const struct walk *w,
                        struct migrate_mark *mk)
{
	struct migrate_mark rec;
	int have = migrate_state_get(m->state_path, t->name, &rec) && rec.rows > 0;
	*mk = (struct migrate_mark){(int64_t)k->n, k->hash, "", 0, MIGRATE_FNV_START};
	snprintf(mk->version, sizeof mk->version, "%s", t->version);
	if (!have)
		return 0;
	const char *why = rec.keys != mk->keys || rec.key_hash != mk->key_hash ? "its keys differ"
	                  : strcmp(rec.version, mk->version) ? "its table version differs"
	                  : (size_t)rec.rows > w->n ? "it has fewer rows" : NULL;
	for (size_t i = 0; !why && i < (size_t)rec.rows; i++)
		mk->walk_hash = migrate_fnv(mk->walk_hash, w->keys[i]);
	if (!why && mk->walk_hash == rec.walk_hash) {
		mk->rows = rec.rows;
		return (size_t)rec.rows;
	}
	mk->walk_hash = MIGRATE_FNV_START;
	snprintf(t->message, sizeof t->message, "the source changed since the interrupted run (%s); copied the table "
	         "again", why ? why : "its rows are in another order");
	return 0;
}

static int copy_table(struct migrate *m, const struct migrate_opts *o, struct migrate_table *t,
                      const struct vb_table_spec *spec, const struct keys *k, struct vb_error *err)
{
	size_t batch = o->batch_rows > 0 ? (size_t)o->batch_rows : 500;
	int scannable = VB_SLOT(m->sops, scan) != 0, kc = key_index(spec);
	struct walk w = {scannable ? (const char *const *)k->raw : k->v, scannable ? k->nraw : k->n, scannable};
	struct migrate_mark mk;
	size_t from = resume_at(m, t, k, &w, &mk);
	t->resumed = (int64_t)from;
	while (from < w.n) {
		if (o->cancelled && *o->cancelled)
			return vb_err_set(err, VB_ERR_CANCELLED, "interrupted in table %s after %zu of %zu rows", t->name, from, w.n);
		size_t n = w.n - from < batch ? w.n - from : batch;
		struct migrate_cells *c = next_batch(m, spec, &w, t, from, n, err);
		if (!c)
			return err->status;
		struct vb_value *cells;
		struct vb_rows rows = distinct_rows(c, kc, &cells);
		int rc = rows.nrows ? m->dops->upsert(m->dh, spec, &rows, spec->key_column, err) : VB_OK;
		free(cells);
		migrate_cells_free(c);
		if (rc != VB_OK)
			return rc;
		t->copied += (int64_t)rows.nrows;
		m->rows += (int64_t)rows.nrows;
		for (size_t i = from; i < from + n; i++)
			mk.walk_hash = migrate_fnv(mk.walk_hash, w.keys[i]);
		from += n;
		mk.rows = (int64_t)from;
		migrate_state_put(m->state_path, t->name, &mk); /* after the commit: it claims only what is there */
		if (o->progress)
			o->progress(o->progress_ctx, t->name, (int64_t)from, (int64_t)w.n);
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

static int count_keys(struct migrate *m, const struct migrate_opts *o, struct migrate_table *t,
                      const struct vb_table_spec *spec, const struct keys *k, struct vb_error *err)
{
	size_t batch = o->batch_rows > 0 ? (size_t)o->batch_rows : 500;
	t->verified = 0;
	for (size_t from = 0; from < k->n; from += batch) {
		size_t n = k->n - from < batch ? k->n - from : batch;
		struct vb_filter *f = key_filter(spec, k->v + from, n);
		int64_t got = 0;
		int rc = m->dops->count(m->dh, spec, f, &got, err);
		vb_filter_free(f);
		if (rc != VB_OK)
			return rc;
		t->verified += got;
	}
	return VB_OK;
}

/* Every key counted in the target; SAMPLE_ROWS rows spread over the keys compared cell by cell. */
static int verify_table(struct migrate *m, const struct migrate_opts *o, struct migrate_table *t,
                        const struct vb_table_spec *spec, const struct keys *k, struct vb_error *err)
{
	int rc = count_keys(m, o, t, spec, k, err);
	if (rc != VB_OK)
		return rc;
	const char *sample[SAMPLE_ROWS];
	size_t ns = 0;
	for (size_t i = 0; i < SAMPLE_ROWS && i < k->n; i++)
		sample[ns++] = k->v[i * k->n / (k->n < SAMPLE_ROWS ? k->n : SAMPLE_ROWS)];
	struct migrate_cells *a = ns ? fetch(m->sops, m->sh, spec, sample, ns, err) : NULL;
	struct migrate_cells *b = a ? fetch(m->dops, m->dh, spec, sample, ns, err) : NULL;
	int kc = key_index(spec);
	rc = ns && !b ? err->status : VB_OK;
	char why[128] = "";
	for (size_t i = 0; b && i < ns; i++) {
		long ra = last_row(a, kc, sample[i]), rb = migrate_cells_find(b, kc, sample[i]);
		t->sampled++;
		if (ra >= 0 && rb >= 0 && migrate_cells_equal(a, ra, b, rb, why, sizeof why))
			t->sample_equal++;
		else if (!t->message[0] || t->sample_equal == t->sampled - 1)
			snprintf(t->message, sizeof t->message, "row %s=%s: %s", spec->key_column, sample[i],
			         rb < 0 ? "missing in the target" : why);
	}
	migrate_cells_free(a);
	migrate_cells_free(b);
	t->ok = rc == VB_OK && t->verified == (int64_t)k->n && t->sample_equal == t->sampled;
	return rc;
}

int migrate_copy_table(struct migrate *m, const struct migrate_opts *o, struct migrate_table *t,
                       const struct vb_table_spec *spec, struct vb_error *err)
{
	struct keys k;
	int rc = read_keys(m, spec, t, &k, err);
	if (rc == VB_OK)
		rc = copy_table(m, o, t, spec, &k, err);
	if (rc == VB_OK)
		rc = verify_table(m, o, t, spec, &k, err);
	if (rc == VB_OK && !t->ok && t->resumed) {
		/* the record said these rows were there but the target disagrees (cleared or changed since) */
		snprintf(t->message, sizeof t->message, "the target lacked rows an earlier run had copied; copied again");
		migrate_state_put(m->state_path, t->name, &(struct migrate_mark){0});
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
