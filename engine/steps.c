/* engine/steps.c - the dependent-step runner (see steps.h). */
#include "steps.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../backends/vb_util.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void step_runner_init(struct step_runner *r, const struct step_def *defs, int ndefs, unsigned kind,
                      void *ctx, const atomic_int *cancelled)
{
	r->defs = defs;
	r->ndefs = ndefs;
	r->kind = kind;
	r->ctx = ctx;
	r->cancelled = cancelled;
	r->res = vb_xcalloc((size_t)ndefs, sizeof *r->res);
}

void step_result_clear(struct step_result *res)
{
	free(res->message);
	free(res->detail);
	free(res->fix);
	free(res->why);
	memset(res, 0, sizeof *res);
}

void step_runner_reset(struct step_runner *r)
{
	for (int i = 0; i < r->ndefs; i++)
		step_result_clear(&r->res[i]);
}

void step_runner_free(struct step_runner *r)
{
	if (!r->res)
		return;
	step_runner_reset(r);
	free(r->res);
	r->res = NULL;
}

int step_runner_index(const struct step_runner *r, int id)
{
	for (int i = 0; i < r->ndefs; i++)
		if (r->defs[i].id == id)
			return i;
	return -1;
}

int step_runner_applies(const struct step_runner *r, int id)
{
	int i = step_runner_index(r, id);
	return i >= 0 && (r->defs[i].kinds & r->kind);
}

static int run_index(struct step_runner *r, int i, int depth);

static int run_index_unpublished(struct step_runner *r, int i, int depth)
{
	const struct step_def *d = &r->defs[i];
	struct step_result *res = &r->res[i];
	if (!(d->kinds & r->kind))
		return STEP_PENDING;
	if (res->status != STEP_PENDING)
		return res->status;
	if (depth > r->ndefs) /* a dependency cycle in a table: refuse rather than recurse forever */
		return step_set(res, STEP_FAIL, "internal: dependency cycle at step %s", d->name);
	for (int k = 0; k < 2; k++) {
		if (d->dep[k] == STEP_NONE)
			continue;
		int j = step_runner_index(r, d->dep[k]);
		if (j < 0 || !(r->defs[j].kinds & r->kind))
			continue;
		int st = run_index(r, j, depth + 1);
		if (st == STEP_FAIL || st == STEP_SKIP)
			return step_set(res, STEP_SKIP, "skipped: needs \"%s\"", r->defs[j].title);
	}
	if (r->cancelled && *r->cancelled)
		return step_set(res, STEP_SKIP, "skipped: cancelled");
	double t0 = now_ms();
	int st = d->fn(r->ctx, res);
	res->ms = now_ms() - t0;
	if (st != res->status || res->status == STEP_PENDING) {
		/* a run function must settle its status; treat anything else as a bug, not success */
		if (res->status == STEP_PENDING)
			step_set(res, STEP_FAIL, "internal: step %s returned no status", d->name);
	}
	return res->status;
}

static int run_index(struct step_runner *r, int i, int depth)
{
	int st = run_index_unpublished(r, i, depth);
	if (st != STEP_PENDING)
		__atomic_store_n(&r->res[i].published, st, __ATOMIC_RELEASE);
	return st;
}

int step_runner_run(struct step_runner *r, int id)
{
	int i = step_runner_index(r, id);
	if (i < 0)
		return STEP_PENDING;
	return run_index(r, i, 0);
}

int step_runner_run_all(struct step_runner *r, int upto)
{
	int failed = 0;
	for (int i = 0; i < r->ndefs; i++) {
		if (!(r->defs[i].kinds & r->kind))
			continue;
		if (r->res[i].status == STEP_PENDING && r->cancelled && *r->cancelled)
			step_set(&r->res[i], STEP_SKIP, "skipped: cancelled");
		if (run_index(r, i, 0) == STEP_FAIL)
			failed++;
		if (upto != STEP_NONE && r->defs[i].id == upto)
			break;
	}
	return failed;
}

const struct step_result *step_runner_result(const struct step_runner *r, int id)
{
	int i = step_runner_index(r, id);
	return i < 0 ? NULL : &r->res[i];
}

int step_set(struct step_result *res, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = vb_xvasprintf(fmt, ap);
	va_end(ap);
	free(res->message);
	res->message = msg;
	res->status = status;
	return status;
}

void step_set_class(struct step_result *res, const char *errclass)
{
	snprintf(res->errclass, sizeof res->errclass, "%s", errclass ? errclass : "");
}

void step_set_fix(struct step_result *res, const char *fix)
{
	free(res->fix);
	res->fix = (fix && *fix) ? vb_xstrdup(fix) : NULL;
}

void step_add_detail(struct step_result *res, const char *fmt, ...)
{
	struct vb_buf b;
	va_list ap;
	vb_buf_init(&b);
	if (res->detail) {
		vb_buf_add(&b, res->detail);
		vb_buf_addc(&b, '\n');
		free(res->detail);
	}
	va_start(ap, fmt);
	vb_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	res->detail = vb_buf_steal(&b);
}

const char *step_status_name(int status)
{
	switch (status) {
	case STEP_OK: return "ok";
	case STEP_WARN: return "warn";
	case STEP_FAIL: return "fail";
	case STEP_SKIP: return "skip";
	default: return "pending";
	}
}
