/* tests/unit/test_steps.c - the dependent-step runner: order, skip propagation, run-one with
 * pending dependencies, cancellation between steps, result builders. */
#include <stdlib.h>
#include <string.h>

#include "../../engine/steps.h"
#include "tap.h"

/* Fake steps: each records its call order and returns what the test scripted. */
struct fake {
	int want[8];
	int calls[8];
	int order[16];
	int norder;
	atomic_int *cancel_after_1;
};

enum { A = 0, B, C, D, E, F };

#define FAKE(n) \
	static int fake_##n(void *ctx, struct step_result *r) \
	{ \
		struct fake *f = ctx; \
		f->calls[n]++; \
		f->order[f->norder++] = n; \
		if (n == 1 && f->cancel_after_1) \
			*f->cancel_after_1 = 1; \
		if (f->want[n] == STEP_FAIL) { \
			step_set_class(r, "42501"); \
			step_set_fix(r, "GRANT x"); \
		} \
		return step_set(r, f->want[n], "step %d ran", n); \
	}
FAKE(0)
FAKE(1)
FAKE(2)
FAKE(3)
FAKE(4)
FAKE(5)

/* A -> B -> C ; D needs A and C ; E is embedded-only ; F needs nothing */
static const struct step_def defs[] = {
	{A, "a", STEPK_ALL, "Step A", {STEP_NONE, STEP_NONE}, fake_0},
	{B, "b", STEPK_PG, "Step B", {A, STEP_NONE}, fake_1},
	{C, "c", STEPK_PG, "Step C", {B, STEP_NONE}, fake_2},
	{D, "d", STEPK_PG, "Step D", {A, C}, fake_3},
	{E, "e", STEPK_EMB, "Step E", {A, STEP_NONE}, fake_4},
	{F, "f", STEPK_PG, "Step F", {STEP_NONE, STEP_NONE}, fake_5},
};
#define NDEFS (int)(sizeof defs / sizeof defs[0])

static void setup(struct step_runner *r, struct fake *f, atomic_int *flag)
{
	memset(f, 0, sizeof *f);
	for (int i = 0; i < 8; i++)
		f->want[i] = STEP_OK;
	step_runner_init(r, defs, NDEFS, STEPK_PG, f, flag);
}

static void test_all_ok(void)
{
	struct step_runner r;
	struct fake f;
	/* all ok: every pg step runs once, in order, the embedded one never */
	setup(&r, &f, NULL);
	is_int(step_runner_run_all(&r, STEP_NONE), 0, "all ok: no failures");
	is_int(f.norder, 5, "five pg-applicable steps ran");
	is_int(f.order[0], A, "A first");
	is_int(f.order[3], D, "D after C");
	is_int(f.calls[E], 0, "embedded-only step not run on pg");
	is_int(step_runner_result(&r, E)->status, STEP_PENDING, "step of the other chain stays pending");
	ok(step_runner_result(&r, A)->ms >= 0.0, "duration recorded");
	is_str(step_runner_result(&r, B)->message, "step 1 ran", "message kept");
	step_runner_free(&r);
}

static void test_failure_skips(void)
{
	struct step_runner r;
	struct fake f;
	/* B fails: C (needs B) and D (needs C) skipped, F unaffected */
	setup(&r, &f, NULL);
	f.want[B] = STEP_FAIL;
	is_int(step_runner_run_all(&r, STEP_NONE), 1, "one failure counted");
	is_int(step_runner_result(&r, B)->status, STEP_FAIL, "B failed");
	is_str(step_runner_result(&r, B)->errclass, "42501", "error class kept");
	is_str(step_runner_result(&r, B)->fix, "GRANT x", "fix kept");
	is_int(step_runner_result(&r, C)->status, STEP_SKIP, "C skipped (needs failed B)");
	has_str(step_runner_result(&r, C)->message, "Step B", "skip message names the failed dependency");
	is_int(step_runner_result(&r, D)->status, STEP_SKIP, "D skipped transitively (needs skipped C)");
	has_str(step_runner_result(&r, D)->message, "Step C", "transitive skip names the skipped step");
	is_int(f.calls[C] + f.calls[D], 0, "skipped steps never ran");
	is_int(step_runner_result(&r, F)->status, STEP_OK, "independent step still ran");
	step_runner_free(&r);
}

static void test_warn(void)
{
	struct step_runner r;
	struct fake f;
	/* warn does not skip dependents */
	setup(&r, &f, NULL);
	f.want[A] = STEP_WARN;
	step_runner_run_all(&r, STEP_NONE);
	is_int(step_runner_result(&r, B)->status, STEP_OK, "a warning does not skip dependents");
	step_runner_free(&r);
}

static void test_run_one(void)
{
	struct step_runner r;
	struct fake f;
	/* run one: pending dependencies run first, each once */
	setup(&r, &f, NULL);
	is_int(step_runner_run(&r, D), STEP_OK, "run one step D");
	is_int(f.norder, 4, "D pulled in A, B, C");
	is_int(f.calls[A], 1, "A ran once although two paths need it");
	is_int(step_runner_run(&r, D), STEP_OK, "re-running a settled step returns its status");
	is_int(f.calls[D], 1, "settled step not re-run");
	step_runner_reset(&r);
	is_int(step_runner_result(&r, D)->status, STEP_PENDING, "reset makes steps pending again");
	ok(step_runner_result(&r, D)->message == NULL, "reset frees messages");
	step_runner_run(&r, B);
	is_int(f.calls[B], 2, "after reset a step runs again");
	step_runner_free(&r);
}

static void test_upto(void)
{
	struct step_runner r;
	struct fake f;
	/* upto: stop after a given step */
	setup(&r, &f, NULL);
	step_runner_run_all(&r, B);
	is_int(f.norder, 2, "run_all up to B runs A and B only");
	step_runner_free(&r);
}

static void test_cancel(void)
{
	struct step_runner r;
	struct fake f;
	/* cancel between steps: the flag set during B skips everything after it */
	atomic_int flag = 0;
	setup(&r, &f, &flag);
	f.cancel_after_1 = &flag;
	step_runner_run_all(&r, STEP_NONE);
	is_int(f.norder, 2, "nothing runs after the cancel flag is set");
	is_int(step_runner_result(&r, C)->status, STEP_SKIP, "C skipped after cancel");
	is_int(step_runner_result(&r, F)->status, STEP_SKIP, "F skipped after cancel");
	has_str(step_runner_result(&r, F)->message, "cancelled", "skip says cancelled");
	step_runner_free(&r);
}

static void test_embedded_chain(void)
{
	struct step_runner r;
	struct fake f;
	/* embedded chain sees E but not B/C/D/F */
	memset(&f, 0, sizeof f);
	for (int i = 0; i < 8; i++)
		f.want[i] = STEP_OK;
	step_runner_init(&r, defs, NDEFS, STEPK_EMB, &f, NULL);
	step_runner_run_all(&r, STEP_NONE);
	is_int(f.norder, 2, "embedded chain ran A and E");
	ok(step_runner_applies(&r, E) && !step_runner_applies(&r, B), "applies() follows kinds");
	step_runner_free(&r);

	is_str(step_status_name(STEP_SKIP), "skip", "status names");
	is_str(step_status_name(STEP_WARN), "warn", "status names (warn)");
}

static void test_real_table(void)
{
	/* the real table: ids are dense and every dependency precedes its step and shares a chain */
	int dense = 1, deps_ok = 1;
	for (int i = 0; i < step_ndefs; i++) {
		dense &= step_defs[i].id == i;
		for (int k = 0; k < 2; k++) {
			int d = step_defs[i].dep[k];
			if (d == STEP_NONE)
				continue;
			deps_ok &= d < i && (step_defs[d].kinds & step_defs[i].kinds) != 0;
		}
	}
	ok(dense, "steps.def ids are dense");
	ok(deps_ok, "steps.def dependencies come earlier and share a backend chain");
	ok(step_def_by_name("ext_installed", STEPK_PG) != NULL, "pgvector chain has ext_installed");
	ok(step_def_by_name("fts5", STEPK_EMB) != NULL && step_def_by_name("fts5", STEPK_PG) == NULL,
	   "fts5 is embedded-only");
	is_int(step_def_by_name("tables", STEPK_EMB)->id, STEP_emb_tables, "names shared across chains resolve per chain");
}

int main(void)
{
	test_all_ok();
	test_failure_skips();
	test_warn();
	test_run_one();
	test_upto();
	test_cancel();
	test_embedded_chain();
	test_real_table();
	return tap_done();
}
