/* tui/backend.c - the one backend connection of the console.  The engine opens it in its
 * connect/open step and keeps it; DDL, Bootstrap and Search borrow it, always on the worker
 * thread, so only one statement is ever in flight and Ctrl-C knows what to cancel. */
#include <stdlib.h>
#include <string.h>

#include "../ddl/ddl.h"
#include "../config/config.h"
#include "../engine/engine.h"
#include "tui.h"

int tui_connect(struct tui_app *app, struct vb_error *err)
{
	struct engine *e = app->engine;
	if (e->h)
		return VB_OK;
	int step = e->kind == STEPK_PG ? STEP_connect : e->kind == STEPK_LANCE ? STEP_lance_open : STEP_open;
	engine_run_step(e, step);
	if (e->h)
		return VB_OK;
	const struct step_result *r = engine_result(e, step);
	const struct step_result *rc = engine_result(e, STEP_config);
	if (rc && rc->status == STEP_FAIL)
		r = rc;
	vb_err_set(err, VB_ERR_CONNECT, "%s", r && r->message ? r->message : "cannot open the backend");
	return VB_ERR_CONNECT;
}

/* The engine is replaced by a fresh one before every wizard run, so the catalog and facts are
 * read again.  Main thread only, with no job running: a screen may read the engine while a job
 * runs, so the pointer never changes under a job.  The lock keeps Ctrl-C's cancel apart anyway. */
static pthread_mutex_t engine_lock = PTHREAD_MUTEX_INITIALIZER;

void tui_engine_renew(struct tui_app *app)
{
	if (app->job_running)
		return;
	struct engine *fresh = engine_new(app->ctx->cfg, app->ctx->cfg ? app->ctx->cfg->path : NULL,
	                                  app->ctx->namespace, app->ctx->backend);
	fresh->embedder_override = app->ctx->embedder;
	pthread_mutex_lock(&engine_lock);
	struct engine *old = app->engine;
	app->engine = fresh;
	pthread_mutex_unlock(&engine_lock);
	engine_free(&old);
}

/* Renews the engine and starts fn on it. */
int tui_job_fresh(struct tui_app *app, tui_job_fn fn, void *arg)
{
	if (app->job_running) {
		tui_status_busy(app);
		return -1;
	}
	tui_engine_renew(app);
	return tui_job_engine(app, fn, arg);
}

static void cancel_engine(void *arg)
{
	struct tui_app *app = arg;
	pthread_mutex_lock(&engine_lock);
	engine_cancel_statement(app->engine);
	pthread_mutex_unlock(&engine_lock);
}

int tui_job_engine(struct tui_app *app, tui_job_fn fn, void *arg)
{
	if (app->job_running) {
		tui_status_busy(app);
		return -1;
	}
	app->engine->cancelled = 0;
	app->cancel_fn = cancel_engine;
	app->cancel_arg = app;
	if (tui_job_start(app, fn, arg) != 0) {
		app->cancel_fn = NULL;
		return -1;
	}
	return 0;
}

const char *tui_ms(double ms, char *buf, size_t len)
{
	if (tui_test_headless())
		snprintf(buf, len, "-- ms");
	else if (ms < 10)
		snprintf(buf, len, "%.1f ms", ms);
	else if (ms < 100000)
		snprintf(buf, len, "%.0f ms", ms);
	else
		snprintf(buf, len, "%.0f s", ms / 1000);
	return buf;
}

void tui_status_from_engine(struct tui_app *app)
{
	struct engine *e = app->engine;
	if (!e || e->kind != STEPK_PG)
		return;
	if (e->current_user)
		snprintf(app->user, sizeof app->user, "%s", e->current_user);
	if (e->pg_major > 0 && !strstr(app->server, " pg"))
		snprintf(app->server + strlen(app->server), sizeof app->server - strlen(app->server), " pg%d", e->pg_major);
}
