/* tui/console.c - opens the console: resolves the config, sets up the terminal, runs the loop,
 * and restores the terminal on every way out. */
#include "console.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../config/config.h"
#include "../engine/embedding.h"
#include "../engine/engine.h"
#include "tui.h"

int tui_app_loop(struct tui_app *app);

static void app_free(struct tui_app *app)
{
	tui_cleanup_screens(app);
	engine_free(&app->engine);
	for (int i = 0; i < app->nlog; i++)
		free(app->log[i]);
	free(app->log);
	for (int i = 0; i < SCREEN__COUNT; i++)
		free(app->state[i]);
	close(app->job_pipe[0]);
	close(app->job_pipe[1]);
	pthread_mutex_destroy(&app->log_lock);
}

/* The status bar names the model that embeds the knowledge base (its semantic_model store). */
static void status_embedder(struct tui_app *app, const struct vb_config *vc)
{
	struct eng_embedding ee;
	eng_embedding_for_search(app->ctx->cfg, vc, app->ctx->backend, app->ctx->embedder, "semantic_model", &ee);
	if (ee.choice.hashing)
		snprintf(app->embedder, sizeof app->embedder, "hashing");
	else
		snprintf(app->embedder, sizeof app->embedder, "%.80s%s", ee.choice.name[0] ? ee.choice.name : "?",
		         ee.emb ? "" : " not served");
	eng_embedding_close(&ee);
}

int console_run(struct cli_ctx *ctx)
{
	const char *tui_env = getenv("VBADMIN_TUI");
	int headless = getenv("VBADMIN_SCRIPT") && *getenv("VBADMIN_SCRIPT");
	if (!headless && ((tui_env && strcmp(tui_env, "0") == 0) || !isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))) {
		fprintf(ctx->err, "vbadmin: not a terminal, so no console; running 'vbadmin check' instead "
		                  "(set VBADMIN_TUI=0 to silence this)\n");
		const struct cli_command *check = cli_find("check");
		if (check) {
			char *argv[] = {(char *)"check", NULL};
			return check->fn(ctx, 1, argv);
		}
		return cli_help(ctx, 0, NULL);
	}
	struct vb_config vc;
	int rc = cli_resolve(ctx, NULL, &vc);
	if (rc != VB_EXIT_OK)
		return rc;
	struct tui_app app;
	memset(&app, 0, sizeof app);
	app.ctx = ctx;
	pthread_mutex_init(&app.log_lock, NULL);
	if (pipe(app.job_pipe) != 0) {
		perror("vbadmin: pipe");
		return VB_EXIT_INTERNAL;
	}
	snprintf(app.backend, sizeof app.backend, "%s", vc.backend ? vc.backend : "embedded");
	snprintf(app.namespace_, sizeof app.namespace_, "%s", vc.namespace ? vc.namespace : "default");
	if (vc.host && strcmp(app.backend, "embedded") != 0) {
		snprintf(app.server, sizeof app.server, "%s:%d/%s", vc.host, vc.port,
		         vc.database ? vc.database : "postgres");
		snprintf(app.user, sizeof app.user, "%s", vc.username ? vc.username : "");
	} else {
		snprintf(app.server, sizeof app.server, "%s", vc.data_dir ? vc.data_dir : "local");
	}
	app.engine = engine_new(ctx->cfg, ctx->cfg->path, ctx->namespace, ctx->backend);
	app.engine->embedder_override = ctx->embedder;
	status_embedder(&app, &vc);
	tui_log(&app, "console started: backend %s, namespace %s", app.backend, app.namespace_);
	if (tui_term_open(&app) != 0) {
		fprintf(ctx->err, "vbadmin: cannot open the terminal (TERM=%s)\n", getenv("TERM") ? getenv("TERM") : "");
		app_free(&app);
		return VB_EXIT_INTERNAL;
	}
	app.screen = SCR_SETUP;
	rc = tui_app_loop(&app);
	const char *dump = getenv("VBADMIN_DUMP");
	if (dump && *dump) {
		tui_redraw(&app);
		tui_test_dump(dump);
	}
	tui_term_close();
	vb_fatal_hook = NULL;
	app_free(&app);
	return rc;
}
