/* tui/screen_tables.c - Tables: the knowledge-base tables x checks matrix (exists, columns,
 * vector dimension, indexes, rows in this namespace) and the drift list with the SQL that
 * removes each difference, from the engine's catalog snapshot. */
#include <stdlib.h>
#include <string.h>

#include "../ddl/ddl.h"
#include "../engine/engine.h"
#include "textview.h"

static struct tui_text tbl_text, tbl_next;
static int tbl_loaded;

/* -1 = not applicable, 0 = bad, 1 = good */
static const char *cellmark(struct tui_app *app, int v)
{
	if (v < 0)
		return app->ascii ? "-" : "–";
	if (app->ascii)
		return v ? "OK" : "FAIL";
	return v ? "✓" : "✗";
}

static int has_drift(struct engine *e, const char *table, int k1, int k2)
{
	for (int i = 0; i < e->ndrift; i++)
		if (strcmp(e->drift[i].table, table) == 0 && (e->drift[i].kind == k1 || e->drift[i].kind == k2))
			return 1;
	return 0;
}

static void row(struct tui_app *app, const char *name, int exists, int cols, int dim, int idx, long long rows)
{
	char r[24];
	if (rows < 0)
		snprintf(r, sizeof r, "%s", app->ascii ? "-" : "–");
	else
		snprintf(r, sizeof r, "%lld", rows);
	/* glyphs are one column wide but several bytes: pad by hand */
	const char *m[4] = {cellmark(app, exists), cellmark(app, cols), cellmark(app, dim), cellmark(app, idx)};
	static const int w[4] = {7, 8, 6, 8};
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_printf(&b, "  %-20s ", name);
	for (int i = 0; i < 4; i++) {
		int cols_used = 0;
		for (const char *p = m[i]; *p; p++)
			cols_used += ((unsigned char)*p & 0xC0) != 0x80;
		vb_buf_printf(&b, "%s%*s", m[i], w[i] - cols_used, "");
	}
	vb_buf_printf(&b, "%10s", r);
	int bad = exists == 0 || cols == 0 || dim == 0 || idx == 0;
	tui_text_add(&tbl_next, bad ? ROLE_FAIL : ROLE_NORMAL, b.data);
	vb_buf_free(&b);
}

static void header(void)
{
	tui_text_addf(&tbl_next, ROLE_TITLE, "  %-20s %-7s%-8s%-6s%-8s%10s", "table", "exists", "columns", "dim", "indexes",
	              "rows (ns)");
}

static void build_pg(struct tui_app *app, struct engine *e)
{
	header();
	for (int i = 0; i < e->ntables; i++) {
		struct eng_table *t = &e->tables[i];
		int ex = t->present;
		int cols = ex ? !has_drift(e, t->name, DRIFT_MISSING_COLUMN, DRIFT_COLUMN_TYPE) &&
		                    !has_drift(e, t->name, DRIFT_MISSING_NAMESPACE, DRIFT_MISSING_NAMESPACE)
		              : -1;
		int dim = t->is_vector && ex ? !has_drift(e, t->name, DRIFT_WRONG_DIM, DRIFT_WRONG_DIM) : -1;
		int idx = ex ? !has_drift(e, t->name, DRIFT_MISSING_FTS_INDEX, DRIFT_MISSING_UNIQUE) : -1;
		row(app, t->name, ex, cols, dim, idx, ex ? (long long)t->rows_ns : -1);
	}
	tui_text_add(&tbl_next, ROLE_NORMAL, "");
	if (!e->catalog_loaded) {
		const struct step_result *r = engine_result(e, STEP_tables);
		tui_text_addf(&tbl_next, ROLE_FAIL, "catalog not read: %s", r && r->message ? r->message : "connection failed");
		return;
	}
	if (!e->ndrift) {
		tui_text_add(&tbl_next, ROLE_OK, "No drift: the database matches the DDL.");
		return;
	}
	tui_text_addf(&tbl_next, ROLE_TITLE, "Drift (%d): what differs and the SQL that fixes it", e->ndrift);
	for (int i = 0; i < e->ndrift; i++) {
		struct eng_drift *d = &e->drift[i];
		tui_text_addf(&tbl_next, ROLE_WARN, "%d. %s %s%s%s: have %s, want %s", i + 1, drift_kind_name(d->kind), d->table,
		              d->column ? "." : "", d->column ? d->column : "", d->have ? d->have : "-", d->want ? d->want : "-");
		if (d->note)
			tui_text_add_wrapped(&tbl_next, ROLE_DIM, d->note, COLS - 4, "   ");
		if (d->fix)
			tui_text_add_block(&tbl_next, ROLE_SQL, d->fix);
	}
}

static void build_emb(struct tui_app *app, struct engine *e)
{
	header();
	const struct step_result *rc = engine_result(e, STEP_emb_columns);
	const struct step_result *rd = engine_result(e, STEP_emb_dimensions);
	for (int i = 0; i < ddl_table_count(); i++) {
		const char *name = ddl_table_name(i);
		int exists;
		long long rows;
		engine_table_state(e, name, &exists, &rows);
		int cols = exists == 1 ? (rc && rc->status == STEP_OK) : -1;
		int dim = exists == 1 && ddl_table_is_vector(i) ? (rd && rd->status == STEP_OK) : -1;
		row(app, name, exists, cols, dim, -1, rows);
	}
	tui_text_add(&tbl_next, ROLE_NORMAL, "");
	tui_text_addf(&tbl_next, ROLE_DIM, "The %s backend creates missing tables itself; indexes are built in.", e->backend_name);
}

static void job_tables(struct tui_app *app, void *arg)
{
	(void)arg;
	struct engine *e = app->engine;
	tui_text_clear(&tbl_next);
	if (e->kind == STEPK_PG) {
		engine_run_all(e, STEP_bootstrap);
		build_pg(app, e);
	} else {
		engine_run_all(e, STEP_emb_bootstrap);
		build_emb(app, e);
	}
}

static void tbl_job_done(struct tui_app *app)
{
	int cursor = tbl_loaded ? tbl_text.cursor : 1; /* line 0 is the column header */
	tui_text_clear(&tbl_text);
	tbl_text = tbl_next;
	memset(&tbl_next, 0, sizeof tbl_next);
	tbl_text.has_cursor = 1;
	tbl_text.cursor = cursor < tbl_text.n ? cursor : tbl_text.n - 1;
	tbl_loaded = 1;
	tui_log(app, "tables: catalog read, %d drift item%s", app->engine->ndrift, app->engine->ndrift == 1 ? "" : "s");
}

/* Read on every visit: a fix, DDL or bootstrap elsewhere must not leave this screen stale. */
static void tbl_enter(struct tui_app *app)
{
	if (!app->job_running)
		tui_job_fresh(app, job_tables, NULL);
}

static void tbl_draw(struct tui_app *app, int top, int height, int width)
{
	if (app->job_running && app->job_screen == SCR_TABLES) {
		tui_printf(top, 0, width, ROLE_TITLE, " Tables: reading the catalog... (%s cancels)", tui_key(ACT_CANCEL));
		return;
	}
	tui_printf(top, 0, width, ROLE_TITLE, " Tables in namespace %s (%s re-reads)", app->namespace_, tui_key(ACT_RUN));
	if (!tbl_loaded) {
		tui_printf(top + 2, 2, width - 2, ROLE_DIM, "%s reads the catalog", tui_key(ACT_RUN));
		return;
	}
	tui_text_draw(&tbl_text, top + 1, height - 1, width, app->find);
}

static int tbl_click(struct tui_app *app, int y, int x)
{
	(void)app;
	(void)x;
	int i = tbl_text.scroll + (y - 2);
	if (!tbl_loaded || y < 2 || i >= tbl_text.n)
		return 0;
	tbl_text.cursor = i;
	return 1;
}

static int tbl_action(struct tui_app *app, int action)
{
	if (action == ACT_RUN || action == ACT_RUN_ALL) {
		tui_job_fresh(app, job_tables, NULL);
		return 1;
	}
	return tui_text_action(&tbl_text, action, LINES - 4, app->find);
}

static void tbl_cleanup(struct tui_app *app)
{
	(void)app;
	tui_text_clear(&tbl_text);
	tui_text_clear(&tbl_next);
}

const struct tui_screen_ops tui_screen_tables = {
	.name = "tables",
	.title = "Tables",
	.enter = tbl_enter,
	.draw = tbl_draw,
	.action = tbl_action,
	.job_done = tbl_job_done,
	.cleanup = tbl_cleanup,
	.click = tbl_click,
};
