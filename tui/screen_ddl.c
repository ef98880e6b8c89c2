/* tui/screen_ddl.c - DDL: the rendered DDL (scrollable, SQL coloured), applied through the
 * engine's use case (engine/ddl_apply.h) with a result line per statement: the plan first (it
 * may refuse and point to the DBA packet), then the question, then the apply. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../ddl/ddl.h"
#include "../engine/ddl_apply.h"
#include "../engine/engine.h"
#include "textview.h"

enum phase { PHASE_IDLE = 0, PHASE_PLAN, PHASE_APPLY };

static struct ddl_state {
	struct tui_text sql;
	struct tui_text res;
	int pane;             /* 0 SQL, 1 results */
	int phase;            /* enum phase: which job runs or ran last */
	struct engine_ddl_plan plan;
	struct engine_ddl_outcome out;
	int *st;              /* per statement: 0 pending, 1 ok, 2 failed (atomic: written by the worker) */
	int done;             /* statements done (atomic) */
	struct vb_error err;
	int rc;
	int applied;
	char *rendered;
} D;

static const char *schema_of(struct tui_app *app)
{
	const char *s = app->engine->vbc.schema;
	return s && *s ? s : "public";
}

static void render(struct tui_app *app)
{
	tui_text_clear(&D.sql);
	free(D.rendered);
	D.rendered = NULL;
	struct vb_buf b;
	vb_buf_init(&b);
	struct vb_error err;
	vb_err_clear(&err);
	/* each vector table with its own store's dim (agent.storage.<section>), as Datus embeds it */
	struct ddl_dims dims = {.dim = app->engine->vbc.dim > 0 ? app->engine->vbc.dim : 384, .dim_of = engine_dim_of,
	                        .ctx = app->engine};
	if (ddl_render_dims(&b, schema_of(app), &dims, DDL_PART_ALL, &err) != VB_OK) {
		tui_text_addf(&D.sql, ROLE_FAIL, "cannot render the DDL: %s", err.message);
	} else {
		tui_text_add_block(&D.sql, ROLE_SQL, b.data);
		D.rendered = vb_buf_steal(&b);
	}
	vb_buf_free(&b);
}

static void ddl_enter(struct tui_app *app)
{
	if (!D.sql.n)
		render(app);
}

/* First line of a statement that says what it does, for the result list. */
static void stmt_title(const char *stmt, char *out, size_t len)
{
	const char *p = stmt;
	while (*p == '-' && p[1] == '-') {
		const char *nl = strchr(p, '\n');
		if (!nl)
			break;
		p = nl + 1;
	}
	size_t n = strcspn(p, "\n(");
	snprintf(out, len, "%.*s", (int)n, p);
}

/* Runs on the worker; the drawing thread reads D.st and D.done, so both are atomic. */
static void progress(void *ctx, int index, const char *sql, int status, const char *message)
{
	(void)ctx;
	(void)sql;
	(void)message;
	if (index >= 0 && index < D.plan.n)
		__atomic_store_n(&D.st[index], status == VB_OK ? 1 : 2, __ATOMIC_RELEASE);
	if (status == VB_OK)
		__atomic_store_n(&D.done, index + 1, __ATOMIC_RELEASE);
}

static void job_plan(struct tui_app *app, void *arg)
{
	(void)arg;
	vb_err_clear(&D.err);
	D.rc = engine_ddl_plan(app->engine, &D.plan, &D.err);
}

static void job_apply(struct tui_app *app, void *arg)
{
	(void)arg;
	D.rc = tui_connect(app, &D.err);
	if (D.rc == VB_OK)
		D.rc = engine_ddl_apply(app->engine, &D.plan, progress, app, &D.out, &D.err);
}

static void forget_plan(void)
{
	engine_ddl_plan_free(&D.plan);
	engine_ddl_outcome_free(&D.out);
	free(D.st);
	D.st = NULL;
	D.phase = PHASE_IDLE;
}

/* The plan was refused: say why and where to go, and run nothing. */
static void show_refusal(struct tui_app *app)
{
	tui_text_clear(&D.res);
	D.applied = 1;
	D.pane = 1;
	char line[600];
	snprintf(line, sizeof line, "%s nothing applied: %s", tui_glyph_status(app, 3), D.plan.why);
	tui_text_add_wrapped(&D.res, ROLE_FAIL, line, COLS - 2, "  ");
	if (D.plan.refused == VB_EXIT_DBA) {
		snprintf(line, sizeof line, "The DBA packet (vbadmin dba-packet) holds the SQL a superuser runs; %c Setup "
		         "shows it with the advice.", tui_screen_key(SCR_SETUP));
		tui_text_add_wrapped(&D.res, ROLE_NORMAL, line, COLS - 2, "  ");
	}
	tui_log(app, "ddl apply refused: %s", D.plan.why);
	tui_status(app, "DDL not applied: %s", D.plan.refused == VB_EXIT_DBA ? "needs a DBA - see vbadmin dba-packet"
	                                                                        : D.plan.why);
}

static void plan_done(struct tui_app *app)
{
	if (D.rc != VB_OK) {
		tui_status(app, "cannot render the DDL: %s", D.err.message);
		forget_plan();
		return;
	}
	if (D.plan.refused) {
		show_refusal(app);
		forget_plan();
		return;
	}
	char q[200];
	snprintf(q, sizeof q, "Apply %d statements to %s (schema %s) in one transaction?", D.plan.n, app->server,
	         D.plan.schema);
	if (!tui_confirm(app, q)) {
		forget_plan();
		tui_status(app, "DDL not applied");
		return;
	}
	D.st = vb_xcalloc((size_t)D.plan.n + 1, sizeof *D.st);
	D.done = 0;
	D.phase = PHASE_APPLY;
	if (tui_job_engine(app, job_apply, NULL) != 0)
		forget_plan();
}

static void add_result_lines(struct tui_app *app)
{
	int sql = D.plan.sql;
	for (int i = 0; i < D.plan.n; i++) {
		char title[120];
		if (sql)
			stmt_title(D.plan.stmts[i], title, sizeof title);
		else
			snprintf(title, sizeof title, "ensure table %s", D.plan.stmts[i]);
		int st = __atomic_load_n(&D.st[i], __ATOMIC_ACQUIRE);
		int s = st == 1 ? (D.rc == VB_OK || !sql ? 1 : 4) : st == 2 ? 3 : 4;
		tui_text_addf(&D.res, tui_status_role(s), "%-6s %2d  %s", tui_glyph_status(app, s), i + 1, title);
	}
}

static void apply_done(struct tui_app *app)
{
	tui_text_clear(&D.res);
	D.applied = 1;
	int sql = D.plan.sql, n = D.plan.n;
	if (D.rc == VB_OK && sql)
		tui_text_addf(&D.res, ROLE_OK, "%s %d statement%s applied in one transaction", tui_glyph_status(app, 1), n,
		              n == 1 ? "" : "s");
	else if (D.rc == VB_OK)
		tui_text_addf(&D.res, ROLE_OK, "%s %d tables ready (the %s backend creates them itself)",
		              tui_glyph_status(app, 1), n, app->backend);
	else
		tui_text_addf(&D.res, ROLE_FAIL, "%s failed%s%s, %s: %s", tui_glyph_status(app, 3),
		              D.err.sqlstate[0] ? " SQLSTATE " : "", D.err.sqlstate,
		              sql ? "rolled back, nothing changed" : "tables before it were created", D.err.message);
	if (D.rc != VB_OK && D.err.hint[0])
		tui_text_addf(&D.res, ROLE_NORMAL, "  hint: %s", D.err.hint);
	if (D.rc != VB_OK && D.out.advice)
		tui_text_addf(&D.res, ROLE_NORMAL, "  advice %s (%s acts): %s", D.out.advice->id,
		              advice_who_name(D.out.advice->who), D.out.advice->title);
	add_result_lines(app);
	tui_log(app, "ddl apply: %s (%d of %d statements)", D.rc == VB_OK ? "ok" : D.err.message, D.done, n);
	if (D.rc == VB_OK) {
		app->data_changed = 1;
		tui_status(app, "DDL applied; %c goes back to Setup, which re-checks", tui_screen_key(SCR_SETUP));
	} else {
		tui_status(app, "DDL not applied: %s", D.err.message);
	}
	D.pane = 1;
	forget_plan();
}

static void ddl_job_done(struct tui_app *app)
{
	if (D.phase == PHASE_PLAN)
		plan_done(app);
	else if (D.phase == PHASE_APPLY)
		apply_done(app);
}

/* Asks the engine for the plan (on the worker: it may talk to the server); the plan's
 * refusal, or the question, follows in ddl_job_done. */
static void apply(struct tui_app *app)
{
	forget_plan();
	D.phase = PHASE_PLAN;
	if (tui_job_engine(app, job_plan, NULL) != 0)
		D.phase = PHASE_IDLE;
}

void tui_ddl_apply(struct tui_app *app)
{
	if (!D.sql.n)
		render(app);
	apply(app);
}

static void save(struct tui_app *app)
{
	char path[256] = "vbadmin-ddl.sql";
	if (!D.rendered || !tui_input(app, "save DDL to: ", path, sizeof path) || !path[0])
		return;
	if (vb_write_file_private(path, D.rendered, strlen(D.rendered)) != 0) {
		tui_status(app, "cannot write %s: %s; nothing was written", path, strerror(errno));
		return;
	}
	tui_status(app, "DDL written to %s", path);
}

static void ddl_draw(struct tui_app *app, int top, int height, int width)
{
	/* the plan is the worker's until its job is done; the apply only reads it */
	if (app->job_running && app->job_screen == SCR_DDL && D.phase == PHASE_PLAN)
		tui_printf(top, 0, width, ROLE_TITLE, " DDL: checking the server before applying (%s cancels)", tui_key(ACT_CANCEL));
	else if (app->job_running && app->job_screen == SCR_DDL)
		tui_printf(top, 0, width, ROLE_TITLE, " DDL: applying, %d of %d done (%s cancels)",
		           __atomic_load_n(&D.done, __ATOMIC_ACQUIRE), D.plan.n, tui_key(ACT_CANCEL));
	else {
		char *dims = engine_dims_text(app->engine);
		tui_printf(top, 0, width, ROLE_TITLE, " DDL for schema %s, %s (%d lines) - %s applies, %s saves",
		           schema_of(app), dims, D.sql.n, tui_key(ACT_RUN), tui_key(ACT_SAVE));
		free(dims);
	}
	int h = height - 1;
	if (!D.applied) {
		tui_text_draw(&D.sql, top + 1, h, width, app->find);
		return;
	}
	int hs = h / 2;
	tui_text_draw(&D.sql, top + 1, hs, width, D.pane == 0 ? app->find : NULL);
	tui_fill_line(top + 1 + hs, width, D.pane == 1 ? ROLE_SELECTED : ROLE_STATUS);
	tui_printf(top + 1 + hs, 1, width - 1, D.pane == 1 ? ROLE_SELECTED : ROLE_STATUS,
	           "Apply results (%s switches panes)", tui_key(ACT_TAB));
	tui_text_draw(&D.res, top + 2 + hs, h - hs - 1, width, D.pane == 1 ? app->find : NULL);
}

static int ddl_action(struct tui_app *app, int action)
{
	switch (action) {
	case ACT_RUN:
	case ACT_ENTER:
	case ACT_FIX:
		if (app->job_running)
			tui_status_busy(app);
		else
			apply(app);
		return 1;
	case ACT_SAVE:
		save(app);
		return 1;
	case ACT_TAB:
		D.pane = D.applied ? !D.pane : 0;
		return 1;
	default:
		break;
	}
	int h = LINES - 4;
	if (D.applied)
		h /= 2;
	return tui_text_action(D.pane ? &D.res : &D.sql, action, h, app->find);
}

static void ddl_cleanup(struct tui_app *app)
{
	(void)app;
	tui_text_clear(&D.sql);
	tui_text_clear(&D.res);
	forget_plan();
	free(D.rendered);
	D.rendered = NULL;
}

const struct tui_screen_ops tui_screen_ddl = {
	.name = "ddl",
	.title = "DDL",
	.enter = ddl_enter,
	.draw = ddl_draw,
	.action = ddl_action,
	.job_done = ddl_job_done,
	.cleanup = ddl_cleanup,
};
