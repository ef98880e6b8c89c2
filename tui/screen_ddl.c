/* tui/screen_ddl.c - DDL: the rendered DDL (scrollable, SQL coloured), applied in one
 * transaction through the backend's exec_script with a result line per statement.  A backend
 * without SQL (embedded) creates each table through ensure_table instead. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../ddl/ddl.h"
#include "../engine/engine.h"
#include "textview.h"

static struct ddl_state {
	struct tui_text sql;
	struct tui_text res;
	int pane;             /* 0 SQL, 1 results */
	char **stmts;
	int nstmts;
	int *st;              /* per statement: 0 pending, 1 ok, 2 failed (written by the worker) */
	volatile int done;
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
	if (ddl_render(&b, schema_of(app), app->engine->vbc.dim > 0 ? app->engine->vbc.dim : 384, DDL_PART_ALL, &err) !=
	    VB_OK) {
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

static void progress(void *ctx, int index, const char *sql, int status, const char *message)
{
	(void)ctx;
	(void)sql;
	(void)message;
	if (index >= 0 && index < D.nstmts)
		D.st[index] = status == VB_OK ? 1 : 2;
	if (status == VB_OK)
		D.done = index + 1;
}

static void job_apply(struct tui_app *app, void *arg)
{
	(void)arg;
	vb_err_clear(&D.err);
	D.rc = tui_connect(app, &D.err);
	if (D.rc != VB_OK)
		return;
	struct engine *e = app->engine;
	if ((e->ops->caps & VB_CAP_SQL) && e->ops->exec_script) {
		D.rc = e->ops->exec_script(e->h, (const char *const *)D.stmts, D.nstmts, progress, app, &D.err);
		return;
	}
	for (int i = 0; i < D.nstmts; i++) {
		if (e->cancelled) {
			D.rc = vb_err_set(&D.err, VB_ERR_CANCELLED, "cancelled");
			return;
		}
		const struct vb_table_spec *spec = ddl_table_spec(D.stmts[i], e->vbc.dim);
		D.rc = e->ops->ensure_table(e->h, spec, &D.err);
		D.st[i] = D.rc == VB_OK ? 1 : 2;
		if (D.rc != VB_OK)
			return;
		D.done = i + 1;
	}
}

static void free_stmts(void)
{
	ddl_statements_free(D.stmts);
	D.stmts = NULL;
	free(D.st);
	D.st = NULL;
	D.nstmts = 0;
}

static void ddl_job_done(struct tui_app *app)
{
	tui_text_clear(&D.res);
	D.applied = 1;
	int sql = app->engine->kind == STEPK_PG;
	if (D.rc == VB_OK && sql)
		tui_text_addf(&D.res, ROLE_OK, "%s %d statement%s applied in one transaction", tui_glyph_status(app, 1),
		              D.nstmts, D.nstmts == 1 ? "" : "s");
	else if (D.rc == VB_OK)
		tui_text_addf(&D.res, ROLE_OK, "%s %d tables ready (the %s backend creates them itself)",
		              tui_glyph_status(app, 1), D.nstmts, app->backend);
	else
		tui_text_addf(&D.res, ROLE_FAIL, "%s failed%s%s, %s: %s", tui_glyph_status(app, 3),
		              D.err.sqlstate[0] ? " SQLSTATE " : "", D.err.sqlstate,
		              sql ? "rolled back, nothing changed" : "tables before it were created", D.err.message);
	if (D.rc != VB_OK && D.err.hint[0])
		tui_text_addf(&D.res, ROLE_NORMAL, "  hint: %s", D.err.hint);
	for (int i = 0; i < D.nstmts; i++) {
		char title[120];
		if (sql)
			stmt_title(D.stmts[i], title, sizeof title);
		else
			snprintf(title, sizeof title, "ensure table %s", D.stmts[i]);
		int s = D.st[i] == 1 ? (D.rc == VB_OK || !sql ? 1 : 4) : D.st[i] == 2 ? 3 : 4;
		tui_text_addf(&D.res, tui_status_role(s), "%-6s %2d  %s", tui_glyph_status(app, s), i + 1, title);
	}
	tui_log(app, "ddl apply: %s (%d of %d statements)", D.rc == VB_OK ? "ok" : D.err.message, D.done, D.nstmts);
	if (D.rc == VB_OK)
		app->data_changed = 1;
	if (D.rc == VB_OK)
		tui_status(app, "DDL applied; 1 goes back to Setup, which re-checks");
	else
		tui_status(app, "DDL not applied: %s", D.err.message);
	D.pane = 1;
	free_stmts();
}

static void apply(struct tui_app *app)
{
	struct engine *e = app->engine;
	struct vb_error err;
	vb_err_clear(&err);
	int sql = e->kind == STEPK_PG;
	free_stmts();
	if (sql) {
		D.stmts = ddl_statements(schema_of(app), e->vbc.dim, DDL_PART_ALL, &err);
		if (!D.stmts) {
			tui_status(app, "cannot render the DDL: %s", err.message);
			return;
		}
	} else {
		D.stmts = vb_xcalloc((size_t)ddl_table_count() + 1, sizeof *D.stmts);
		for (int i = 0; i < ddl_table_count(); i++)
			D.stmts[i] = vb_xstrdup(ddl_table_name(i));
	}
	while (D.stmts[D.nstmts])
		D.nstmts++;
	D.st = vb_xcalloc((size_t)D.nstmts, sizeof *D.st);
	D.done = 0;
	char q[200];
	snprintf(q, sizeof q, "Apply %d statements to %s (schema %s) in one transaction?", D.nstmts, app->server,
	         schema_of(app));
	if (!tui_confirm(app, q)) {
		free_stmts();
		tui_status(app, "DDL not applied");
		return;
	}
	if (tui_job_engine(app, job_apply, NULL) != 0)
		free_stmts();
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
	FILE *f = vb_fopen_private(path, "w");
	if (!f) {
		tui_status(app, "cannot write %s: %s", path, strerror(errno));
		return;
	}
	fputs(D.rendered, f);
	fclose(f);
	tui_status(app, "DDL written to %s", path);
}

static void ddl_draw(struct tui_app *app, int top, int height, int width)
{
	if (app->job_running && app->job_screen == SCR_DDL)
		tui_printf(top, 0, width, ROLE_TITLE, " DDL: applying, %d of %d done (Ctrl-C cancels)", D.done, D.nstmts);
	else
		tui_printf(top, 0, width, ROLE_TITLE, " DDL for schema %s, dim %d (%d lines) - r applies, s saves",
		           schema_of(app), app->engine->vbc.dim, D.sql.n);
	int h = height - 1;
	if (!D.applied) {
		tui_text_draw(&D.sql, top + 1, h, width, app->find);
		return;
	}
	int hs = h / 2;
	tui_text_draw(&D.sql, top + 1, hs, width, D.pane == 0 ? app->find : NULL);
	tui_fill_line(top + 1 + hs, width, D.pane == 1 ? ROLE_SELECTED : ROLE_STATUS);
	tui_print(top + 1 + hs, 1, width - 1, D.pane == 1 ? ROLE_SELECTED : ROLE_STATUS,
	          "Apply results (Tab switches panes)");
	tui_text_draw(&D.res, top + 2 + hs, h - hs - 1, width, D.pane == 1 ? app->find : NULL);
}

static int ddl_action(struct tui_app *app, int action)
{
	switch (action) {
	case ACT_RUN:
	case ACT_ENTER:
	case ACT_FIX:
		if (app->job_running)
			tui_status(app, "busy: a statement is running (Ctrl-C cancels it)");
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
	free_stmts();
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
	.keys_hint = " r apply  s save  Tab pane  j/k PgUp/PgDn scroll  / find  ? help  q back",
	.cleanup = ddl_cleanup,
};
