/* engine/search_recall.c - recall@k against an exact scan under the same namespace and filter. */
#include "search_recall.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../backends/registry.h"
#include "../backends/vb_util.h"

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t overlap(const struct vb_result *exact, const struct vb_result *got)
{
	int ce = exact->ncols ? 0 : -1, cg = got->ncols ? 0 : -1; /* the key column, selected alone */
	size_t hit = 0;
	for (size_t i = 0; ce >= 0 && cg >= 0 && i < exact->nrows; i++) {
		const char *id = vb_result_get(exact, i, ce);
		for (size_t j = 0; id && j < got->nrows; j++) {
			const char *g = vb_result_get(got, j, cg);
			if (g && strcmp(g, id) == 0) {
				hit++;
				break;
			}
		}
	}
	return hit;
}

int search_recall_measure(const struct vb_ops *ops, struct vb_handle *h, const struct vb_table_spec *spec,
                          const float *q, int k, const struct vb_filter *where, struct search_recall *out,
                          struct vb_error *err)
{
	const char *const sel[] = {spec->key_column ? spec->key_column : "id", NULL};
	memset(out, 0, sizeof *out);
	out->k = k;
	if (!VB_SLOT(ops, search_vector_exact))
		return vb_err_set(err, VB_ERR_UNSUPPORTED, "backend %s offers no exact reference scan for recall@k",
		                  ops->name);
	struct vb_result *got = NULL, *exact = NULL;
	double t0 = mono_ms();
	int rc = ops->search_vector(h, spec, q, spec->vector_dim, k, where, sel, &got, err);
	out->ms_search = mono_ms() - t0;
	if (rc == VB_OK && VB_SLOT(ops, search_path) && ops->search_path(h))
		snprintf(out->path, sizeof out->path, "%s", ops->search_path(h));
	if (rc == VB_OK) {
		t0 = mono_ms();
		rc = ops->search_vector_exact(h, spec, q, spec->vector_dim, k, where, sel, &exact, err);
		out->ms_exact = mono_ms() - t0;
	}
	if (rc == VB_OK) {
		out->found = overlap(exact, got);
		out->exact_rows = exact->nrows;
		out->search_rows = got->nrows;
		out->recall = exact->nrows ? (double)out->found / (double)exact->nrows : 1.0;
	}
	if (got)
		ops->result_free(h, &got);
	if (exact)
		ops->result_free(h, &exact);
	return rc;
}
