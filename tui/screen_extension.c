/* tui/screen_extension.c - Extension: what the server offers (available, installed, newest
 * pgvector versions, update path) and what the connecting role may do, from the engine's facts. */
#include <stdlib.h>
#include <string.h>

#include "../config/config.h"
#include "../engine/engine.h"
#include "textview.h"

static struct tui_text ext_text;
static int ext_loaded;

static char *newest_of(const char *list)
{
	char *best = NULL;
	char *copy = vb_xstrdup(list ? list : "");
	for (char *tok = strtok(copy, ", "); tok; tok = strtok(NULL, ", "))
		if (!best || engine_version_cmp(tok, best) > 0) {
			free(best);
			best = vb_xstrdup(tok);
		}
	free(copy);
	return best;
}

static const char *yn(int v)
{
	return v < 0 ? "unknown" : v ? "yes" : "no";
}

static void add_steps(struct tui_app *app, struct engine *e, const int *ids, int n, int width)
{
	tui_text_add(&ext_text, ROLE_NORMAL, "");
	tui_text_add(&ext_text, ROLE_TITLE, "Checks");
	for (int i = 0; i < n; i++) {
		if (!engine_step_applies(e, ids[i]))
			continue;
		const struct step_result *r = engine_result(e, ids[i]);
		if (!r || r->status == STEP_PENDING)
			continue;
		const char *name = "?";
		for (int k = 0; k < step_ndefs; k++)
			if (step_defs[k].id == ids[i])
				name = step_defs[k].name;
		char *line = vb_xasprintf("%-6s %-14s %s", tui_glyph_status(app, r->status), name, r->message ? r->message : "");
		tui_text_add_wrapped(&ext_text, tui_status_role(r->status), line, width, "");
		free(line);
		const struct advice *a = engine_advice(e, ids[i]);
		if (a && (r->status == STEP_FAIL || r->status == STEP_WARN)) {
			tui_text_addf(&ext_text, ROLE_WARN, "       %s %s (who acts: %s)", a->id, a->title, advice_who_name(a->who));
			if (r->fix)
				tui_text_add_block(&ext_text, ROLE_SQL, r->fix);
		}
	}
}

static void build_pg(struct tui_app *app, struct engine *e, int width)
{
	tui_text_add(&ext_text, ROLE_TITLE, "pgvector (extension name: vector)");
	tui_text_addf(&ext_text, ROLE_NORMAL, "  %-22s %s", "server", e->server_version ? e->server_version : "unknown");
	if (e->ext_available) {
		tui_text_addf(&ext_text, ROLE_OK, "  %-22s yes, default version %s", "available on server",
		              e->ext_default_version ? e->ext_default_version : "?");
		tui_text_addf(&ext_text, ROLE_NORMAL, "  %-22s %s", "versions offered", e->ext_versions ? e->ext_versions : "-");
	} else {
		tui_text_addf(&ext_text, ROLE_FAIL, "  %-22s no: the server has no vector.control", "available on server");
	}
	char *newest = newest_of(e->ext_versions);
	if (e->ext_installed)
		tui_text_addf(&ext_text, ROLE_OK, "  %-22s %s in schema %s (owner %s)", "installed", e->ext_version ? e->ext_version : "?",
		              e->ext_schema ? e->ext_schema : "?", e->ext_owner ? e->ext_owner : "?");
	else
		tui_text_addf(&ext_text, e->ext_available ? ROLE_WARN : ROLE_FAIL, "  %-22s no", "installed");
	tui_text_addf(&ext_text, ROLE_NORMAL, "  %-22s %s", "newest offered", newest ? newest : "-");
	if (!e->ext_available)
		tui_text_addf(&ext_text, ROLE_NORMAL, "  %-22s none: install the package on the server first", "update path");
	else if (!e->ext_installed)
		tui_text_addf(&ext_text, ROLE_NORMAL, "  %-22s %s", "update path", ENGINE_CREATE_EXTENSION_SQL);
	else if (newest && e->ext_version && engine_version_cmp(e->ext_version, newest) < 0) {
		char *up = engine_ext_update_sql(newest);
		tui_text_addf(&ext_text, ROLE_WARN, "  %-22s %s", "update path", up);
		free(up);
	}
	else
		tui_text_addf(&ext_text, ROLE_OK, "  %-22s up to date", "update path");
	free(newest);
	tui_text_add(&ext_text, ROLE_NORMAL, "");
	tui_text_addf(&ext_text, ROLE_TITLE, "Privileges of role %s", e->current_user ? e->current_user : "?");
	tui_text_addf(&ext_text, ROLE_NORMAL, "  %-22s %s", "superuser", yn(e->rolsuper));
	tui_text_addf(&ext_text, ROLE_NORMAL, "  %-22s %s", "CREATE on database", yn(e->db_create));
	const char *schema = e->vbc.schema && *e->vbc.schema ? e->vbc.schema : "public";
	tui_text_addf(&ext_text, ROLE_NORMAL, "  schema %-15s exists %s, USAGE %s, CREATE %s", schema, yn(e->schema_exists),
	              yn(e->schema_usage), yn(e->schema_create));
	tui_text_addf(&ext_text, ROLE_NORMAL, "  %-22s %s", "search_path", e->search_path ? e->search_path : "?");
	tui_text_addf(&ext_text, ROLE_NORMAL, "  %-22s %s", "maintenance_work_mem",
	              e->maintenance_work_mem ? e->maintenance_work_mem : "?");
	static const int ids[] = {STEP_connect, STEP_server_version, STEP_ext_available, STEP_ext_installed,
	                          STEP_privileges, STEP_schema};
	add_steps(app, e, ids, (int)(sizeof ids / sizeof ids[0]), width);
}

/* Each vector table is checked against its own store's dim (agent.storage.<section>.dim_size):
 * one line when all agree, else one line per table. */
static void add_dims(struct engine *e)
{
	int n = config_store_table_count(), first = engine_table_dim(e, config_store_table(0)), uniform = 1;
	for (int i = 1; i < n; i++)
		uniform &= engine_table_dim(e, config_store_table(i)) == first;
	if (uniform) {
		tui_text_addf(&ext_text, ROLE_NORMAL, "  %-22s %d", "embedding dimension", first);
		return;
	}
	tui_text_addf(&ext_text, ROLE_NORMAL, "  %-22s per store (agent.storage)", "embedding dimension");
	for (int i = 0; i < n; i++)
		tui_text_addf(&ext_text, ROLE_NORMAL, "    %-20s %d", config_store_table(i),
		              engine_table_dim(e, config_store_table(i)));
}

static void build_emb(struct tui_app *app, struct engine *e, int width)
{
	tui_text_addf(&ext_text, ROLE_TITLE, "Backend %s (no PostgreSQL extension involved)", e->backend_name);
	tui_text_addf(&ext_text, ROLE_NORMAL, "  %-22s %s", "version", e->ops && e->ops->version ? e->ops->version() : "?");
	tui_text_addf(&ext_text, ROLE_NORMAL, "  %-22s %s", "data directory", e->vbc.data_dir ? e->vbc.data_dir : "-");
	tui_text_addf(&ext_text, ROLE_NORMAL, "  %-22s exact scan (no index needed)", "vector search");
	tui_text_addf(&ext_text, ROLE_NORMAL, "  %-22s %s", "full-text search",
	              e->ops && (e->ops->caps & VB_CAP_TEXT) ? "SQLite FTS5" : "not offered");
	add_dims(e);
	tui_text_addf(&ext_text, ROLE_NORMAL, "  %-22s none: ships with vbadmin", "update path");
	static const int ids[] = {STEP_data_dir, STEP_open, STEP_fts5};
	add_steps(app, e, ids, (int)(sizeof ids / sizeof ids[0]), width);
}

static void job_ext(struct tui_app *app, void *arg)
{
	(void)arg;
	struct engine *e = app->engine;
	engine_run_all(e, e->kind == STEPK_PG ? STEP_schema : STEP_fts5);
}

static void ext_job_done(struct tui_app *app)
{
	struct engine *e = app->engine;
	tui_text_clear(&ext_text);
	ext_loaded = 1;
	const struct step_result *rc = engine_result(e, STEP_config);
	if (rc && rc->status == STEP_FAIL) {
		tui_text_add(&ext_text, ROLE_FAIL, "configuration error:");
		tui_text_add_wrapped(&ext_text, ROLE_NORMAL, rc->message ? rc->message : "?", COLS - 2, "  ");
		return;
	}
	if (e->kind == STEPK_PG)
		build_pg(app, e, COLS - 2);
	else
		build_emb(app, e, COLS - 2);
	tui_log(app, "extension facts read");
}

static void ext_enter(struct tui_app *app)
{
	if (!ext_loaded && !app->job_running)
		tui_job_fresh(app, job_ext, NULL);
}

static void ext_draw(struct tui_app *app, int top, int height, int width)
{
	if (app->job_running && app->job_screen == SCR_EXTENSION) {
		tui_printf(top, 0, width, ROLE_TITLE, " Extension: reading the server's facts... (%s cancels)", tui_key(ACT_CANCEL));
		return;
	}
	tui_printf(top, 0, width, ROLE_TITLE, " Extension and privileges (%s re-reads)", tui_key(ACT_RUN));
	if (!ext_loaded) {
		tui_printf(top + 2, 2, width - 2, ROLE_DIM, "%s reads the extension facts", tui_key(ACT_RUN));
		return;
	}
	tui_text_draw_at(&ext_text, top + 1, 1, height - 1, width - 1, app->find);
}

static int ext_action(struct tui_app *app, int action)
{
	if (action == ACT_RUN || action == ACT_RUN_ALL) {
		tui_job_fresh(app, job_ext, NULL);
		return 1;
	}
	return tui_text_action(&ext_text, action, LINES - 4, app->find);
}

static void ext_cleanup(struct tui_app *app)
{
	(void)app;
	tui_text_clear(&ext_text);
}

const struct tui_screen_ops tui_screen_extension = {
	.name = "extension",
	.title = "Extension",
	.enter = ext_enter,
	.draw = ext_draw,
	.action = ext_action,
	.job_done = ext_job_done,
	.cleanup = ext_cleanup,
};
