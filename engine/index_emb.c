/* engine/index_emb.c - the embedded store's index builds (see index_emb.h). */
#include "index_emb.h"

#include <string.h>
#include <time.h>

#include "../backends/registry.h"
#include "../backends/vb_util.h"
#include "../ddl/ddl.h"
#include "engine.h"

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int build_one(struct engine *e, const struct vb_table_spec *spec, int named, struct engine_index_built *b,
                     struct vb_error *err)
{
	memset(b, 0, sizeof *b);
	b->table = spec->name;
	int exists = 0;
	int st = e->ops->table_exists(e->h, spec->name, &exists, err);
	if (st == VB_OK && exists)
		st = e->ops->count(e->h, spec, NULL, &b->rows, err);
	else
		b->rows = -1;
	if (st != VB_OK)
		return b->status = st;
	if (b->rows <= 0 && !(named && exists)) {
		b->skipped = 1;
		return VB_OK;
	}
	double t0 = mono_ms();
	st = e->ops->create_index(e->h, spec, NULL, err);
	b->ms = mono_ms() - t0;
	return b->status = st;
}

int engine_index_create_embedded(struct engine *e, const char *only, struct engine_index_built *out, int max, int *n,
                                 struct vb_error *err)
{
	*n = 0;
	vb_err_clear(err);
	int st = engine_open_backend(e, err);
	if (st != VB_OK)
		return st;
	if (!(e->ops->caps & VB_CAP_VECTOR_INDEX) || !VB_SLOT(e->ops, create_index))
		return vb_err_set(err, VB_ERR_UNSUPPORTED, "backend %s builds no vector index", e->ops->name);
	for (int i = 0; i < ddl_table_count() && *n < max; i++) {
		if (!ddl_table_is_vector(i) || (only && strcmp(only, ddl_table_name(i)) != 0))
			continue;
		const struct vb_table_spec *spec = ddl_table_spec(ddl_table_name(i), engine_table_dim(e, ddl_table_name(i)));
		if (!spec)
			continue;
		if (e->cancelled) /* Ctrl-C: a build in its k-means has no statement to interrupt; stop between tables */
			return vb_err_set(err, VB_ERR_CANCELLED, "cancelled before the index of %s", spec->name);
		st = build_one(e, spec, only != NULL, &out[(*n)++], err);
		if (st != VB_OK)
			return st;
	}
	return VB_OK;
}
