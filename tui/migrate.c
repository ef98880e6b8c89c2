/* tui/migrate.c - the console's migrate action, `:migrate FROM TO [TABLE,...]`: asks, then runs the
 * engine's migrate use case on the worker thread, writing the plan, progress and verdict to the
 * Log screen (Ctrl-C stops between batches; a re-run resumes). */
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"
#include "../engine/migrate.h"
#include "tui.h"

static struct {
	char from[64], to[64], tables[256];
	int rc;
	char message[512];
} M;

static void on_progress(void *ctx, const char *table, int64_t done, int64_t total)
{
	if (done == total)
		tui_log(ctx, "migrate %s: %lld rows copied", table, (long long)done);
}

static void log_result(struct tui_app *app, const struct migrate *m)
{
	for (int i = 0; i < m->n; i++) {
		const struct migrate_table *t = &m->t[i];
		if (!t->present || !t->ran)
			continue;
		if (t->resumed)
			tui_log(app, "migrate %s: resumed past %lld rows an interrupted run had committed", t->name,
			        (long long)t->resumed);
		tui_log(app, "migrate %s: %lld of %lld keys in the target, %d of %d sampled rows equal (vectors bit for "
		        "bit)%s", t->name, (long long)t->verified, (long long)t->keys, t->sample_equal, t->sampled,
		        t->ok ? "" : " - FAILED");
		if (t->message[0])
			tui_log(app, "migrate %s: %s", t->name, t->message);
	}
	tui_log(app, "migrate: %lld rows in %.1f s; the source was only read", (long long)m->rows, m->seconds);
}

static void job_migrate(struct tui_app *app, void *arg)
{
	(void)arg;
	struct migrate_opts o = {.from = M.from, .to = M.to, .tables = M.tables[0] ? M.tables : NULL, .batch_rows = 500,
	                         .progress = on_progress, .progress_ctx = app,
	                         .cancelled = &app->cancel_requested};
	struct vb_error err;
	vb_err_clear(&err);
	struct migrate *m = NULL;
	M.rc = migrate_open(app->ctx->cfg, app->namespace_, &o, &m, &err);
	if (M.rc == VB_OK) {
		tui_log(app, "migrate namespace %s from %s (read only) to %s", app->namespace_, m->src_desc, m->dst_desc);
		for (int i = 0; i < m->n; i++)
			if (m->t[i].present)
				tui_log(app, "migrate plan: %s, %lld rows", m->t[i].name, (long long)m->t[i].source_rows);
		M.rc = migrate_run(m, &o, &err);
		log_result(app, m);
	}
	snprintf(M.message, sizeof M.message, "%s", M.rc == VB_OK ? "" : err.message);
	if (M.rc != VB_OK) {
		tui_log(app, "migrate failed: %s", err.message);
		if (err.hint[0])
			tui_log(app, "hint: %s", err.hint);
	}
	migrate_close(&m);
}

void tui_migrate_job_done(struct tui_app *app)
{
	if (M.rc == VB_OK) {
		app->data_changed = 1;
		tui_status(app, "migrate done and verified (see the log)");
	} else if (M.rc == VB_ERR_CANCELLED) {
		tui_status(app, "migrate stopped; committed batches are kept, :migrate again resumes");
	} else {
		tui_status(app, "migrate failed: %s", M.message);
	}
}

void tui_migrate(struct tui_app *app, const char *args)
{
	M.from[0] = M.to[0] = M.tables[0] = '\0';
	if (sscanf(args, "%63s %63s %255s", M.from, M.to, M.tables) < 2) {
		tui_status(app, "usage: :migrate FROM TO [TABLE,...]   e.g. :migrate lancedb pgvector");
		return;
	}
	char *q = vb_xasprintf("Copy namespace %s from %s to %s? Rows with the same key there are replaced.",
	                       app->namespace_, M.from, M.to);
	int yes = tui_confirm(app, q);
	free(q);
	if (!yes) {
		tui_status(app, "migrate not started; nothing was written");
		return;
	}
	tui_switch(app, SCR_LOG);
	if (tui_job_start(app, job_migrate, NULL) == 0)
		tui_status(app, "migrating %s -> %s (%s stops between batches)", M.from, M.to, tui_key(ACT_CANCEL));
}
