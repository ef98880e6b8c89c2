/* tests/unit/test_smoke.c - check's smoke step (engine/steps_pg.c step_pg_smoke) fails when a
 * vector search returns fewer rows than match: the silent short page of a filtered ANN index
 * that issue 16 was about.  A stand-in backend returns `rows_returned` rows while `count`
 * says `rows_matching` exist. */
#include <stdlib.h>
#include <string.h>

#include "../../backends/vb_util.h"
#include "../../engine/engine.h"
#include "../../engine/steps.h"
#include "../tap.h"

int step_pg_smoke(void *ctx, struct step_result *r);

static size_t rows_returned;
static int64_t rows_matching;

static int fake_count(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                      int64_t *out, struct vb_error *err)
{
	(void)h, (void)spec, (void)where, (void)err;
	*out = rows_matching;
	return VB_OK;
}

static int fake_search(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim, int top_n,
                       const struct vb_filter *where, const char *const *select, struct vb_result **out,
                       struct vb_error *err)
{
	(void)h, (void)spec, (void)q, (void)dim, (void)top_n, (void)where, (void)select, (void)err;
	const char *cols[] = {"id"};
	*out = vb_result_new(1, cols);
	for (size_t i = 0; i < rows_returned; i++) {
		const char *cell[] = {"x"};
		vb_result_add_row(*out, cell);
	}
	return VB_OK;
}

static void fake_free(struct vb_handle *h, struct vb_result **r)
{
	(void)h;
	vb_result_destroy(r);
}

static const char *fake_path(struct vb_handle *h)
{
	(void)h;
	return "hnsw index, candidates filtered afterwards";
}

static const struct vb_ops fake_ops = {
	.abi_version = VB_ABI_VERSION,
	.ops_size = sizeof(struct vb_ops),
	.name = "fake",
	.caps = VB_CAP_VECTOR,
	.count = fake_count,
	.search_vector = fake_search,
	.result_free = fake_free,
	.search_path = fake_path,
};

static int smoke(size_t returned, int64_t matching, struct step_result *r)
{
	static struct engine e;
	memset(&e, 0, sizeof e);
	e.ops = &fake_ops;
	e.vbc.dim = 384;
	rows_returned = returned;
	rows_matching = matching;
	memset(r, 0, sizeof *r);
	return step_pg_smoke(&e, r);
}

int main(void)
{
	struct step_result r;
	is_int(smoke(1, 5, &r), STEP_FAIL, "1 row of a page of 3 while 5 match: the smoke step fails");
	has_str(r.message, "returned 1 of 3 rows though 5 rows match", "... saying how short the page was");
	is_str(r.advice_id, "VEC-022", "... with the filtered-ANN advice");
	has_str(r.detail, "search path: hnsw index", "... and the backend's search path");
	step_result_clear(&r);
	is_int(smoke(3, 5, &r), STEP_OK, "a full page of 3: ok");
	step_result_clear(&r);
	is_int(smoke(2, 2, &r), STEP_OK, "2 rows when only 2 match: ok");
	step_result_clear(&r);
	is_int(smoke(0, 0, &r), STEP_OK, "an empty table answers an empty page: ok");
	step_result_clear(&r);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
