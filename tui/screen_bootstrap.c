/* tui/screen_bootstrap.c - Bootstrap: semantic-model YAML into the knowledge base with a
 * progress bar, rows/s, ETA and cancel.  The form picks the file, the component and the
 * strategy; the load runs on the worker thread through the engine's use case
 * (engine/bootstrap_kb.h), with the embedding-model guard the command line has. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../engine/bootstrap_kb.h"
#include "../engine/engine.h"
#include "textview.h"

static const char *const components[] = {"semantic_model + metrics", "semantic_model", "metrics"};
static const char *const strategies[] = {"check", "incremental", "overwrite"};
static const char *const source_modes[] = {"the last one only (as Datus)", "all (--all-data-sources)"};
enum { F_YAML = 0, F_COMPONENT, F_STRATEGY, F_SOURCES, F_START, F__COUNT };

static struct boot {
	char yaml[512];
	int component, strategy;
	int all_sources;             /* --all-data-sources */
	int out_width;               /* B.out is wrapped to this width; a resize rebuilds it */
	int sel;
	/* progress, written by the worker, read by the drawing (atomics) */
	long done, total;
	int part;                    /* 0, 1: which component of the run */
	double t0;
	/* outcome, the worker's until job_done */
	struct tui_text out;
	int rc;
	struct vb_error err;
	struct engine_bootstrap_res res;
	char *warn[8];
	int nwarn;
	int ran;
	double seconds;
} B;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* path made absolute against the current directory (not resolved through symlinks: the path the
 * person would type), so the form shows which file a load reads wherever vbadmin was started */
static void set_yaml(const char *path)
{
	char cwd[PATH_MAX];
	char *abs = path[0] == '/' || !getcwd(cwd, sizeof cwd)
	                ? vb_xstrdup(path)
	                : vb_xasprintf("%s/%s", strcmp(cwd, "/") ? cwd : "",
	                               path[0] == '.' && path[1] == '/' ? path + 2 : path);
	if (strlen(abs) < sizeof B.yaml) /* else longer than the form holds: the previous path stays */
		memcpy(B.yaml, abs, strlen(abs) + 1);
	free(abs);
}

/* The default file: the sample of the README tour when the current directory has it (a
 * checkout), else the one beside the vbadmin binary (build/asan/vbadmin, ./vbadmin of a
 * checkout); else none, and the form asks for a path instead of guessing one. */
static void default_yaml(void)
{
	static const char sample[] = "examples/semantic.yaml";
	if (access(sample, R_OK) == 0) {
		set_yaml(sample);
		return;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			return;
		*slash = '\0';
		char *cand = vb_xasprintf("%s/%s", exe, sample);
		int found = access(cand, R_OK) == 0 && strlen(cand) < sizeof B.yaml;
		if (found)
			memcpy(B.yaml, cand, strlen(cand) + 1);
		free(cand);
		if (found)
			return;
	}
}

/* The path as shown: $HOME as ~, and the start cut ("...") when it is wider than the field, so
 * the file's name always shows. */
static void shown_path(char *out, size_t size, int width)
{
	const char *home = getenv("HOME");
	size_t hl = home ? strlen(home) : 0;
	char buf[sizeof B.yaml + 8];
	if (hl > 1 && strncmp(B.yaml, home, hl) == 0 && B.yaml[hl] == '/')
		snprintf(buf, sizeof buf, "~%s", B.yaml + hl);
	else
		snprintf(buf, sizeof buf, "%s", B.yaml);
	if (!B.yaml[0])
		snprintf(buf, sizeof buf, "(none: %s types a path)", tui_key(ACT_ENTER));
	int len = (int)strlen(buf);
	if (width > 3 && len > width)
		snprintf(out, size, "...%s", buf + len - (width - 3));
	else
		snprintf(out, size, "%s", buf);
}

static void boot_enter(struct tui_app *app)
{
	(void)app;
	if (!B.yaml[0])
		default_yaml();
}

/* Runs on the worker; the drawing thread reads done/total/part, so they are atomic. */
static void on_progress(void *ctx, long done, long total)
{
	(void)ctx;
	__atomic_store_n(&B.total, total, __ATOMIC_RELEASE);
	__atomic_store_n(&B.done, done, __ATOMIC_RELEASE);
}

static void on_part(void *ctx, int part, const char *component)
{
	(void)ctx;
	(void)component;
	__atomic_store_n(&B.done, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&B.total, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&B.part, part, __ATOMIC_RELEASE);
}

static void free_warnings(void)
{
	for (int i = 0; i < B.nwarn; i++)
		free(B.warn[i]);
	B.nwarn = 0;
}

/* YAML findings (e.g. data sources Datus would ignore) go to the Log when the job is done. */
static void on_warn(void *ctx, const char *message)
{
	(void)ctx;
	for (int i = 0; i < B.nwarn; i++)
		if (strcmp(B.warn[i], message) == 0)
			return; /* each component reads the file: say it once */
	if (B.nwarn < (int)(sizeof B.warn / sizeof B.warn[0]))
		B.warn[B.nwarn++] = vb_xstrdup(message);
}

static void job_boot(struct tui_app *app, void *arg)
{
	(void)arg;
	vb_err_clear(&B.err);
	B.rc = tui_connect(app, &B.err);
	if (B.rc != VB_OK) {
		memset(&B.res, 0, sizeof B.res);
		return;
	}
	static const char *const comps[] = {"semantic_model,metrics", "semantic_model", "metrics"};
	struct engine_bootstrap_req q = {
		.components = comps[B.component],
		.strategy = strategies[B.strategy],
		.yaml_path = B.yaml,
		.batch_rows = 64,
		.overwrite_confirmed = B.strategy == 2, /* start() asked the person to type the table */
		.all_data_sources = B.all_sources,
		.on_part = on_part,
		.progress = on_progress,
		.warn = on_warn,
	};
	B.rc = engine_bootstrap_kb(app->engine, &q, &B.res, &B.err);
}

/* The outcome of the last run wrapped to width: the rows first, then the warnings the command
 * line prints; built when the run ends and again when the terminal's width changes. */
static void build_out(struct tui_app *app, int width)
{
	tui_text_clear(&B.out);
	B.out_width = width;
	for (int i = 0; i < B.res.nparts; i++) {
		const struct bootstrap_result *r = &B.res.part[i];
		const char *nm = B.res.name[i];
		int ok = i < B.res.nparts - 1 || B.rc == VB_OK;
		char rate[32];
		if (tui_test_headless())
			snprintf(rate, sizeof rate, "-- rows/s");
		else
			snprintf(rate, sizeof rate, "%.0f rows/s", r->seconds > 0 ? (double)r->written / r->seconds : 0.0);
		if (!ok && !r->written)
			tui_text_addf(&B.out, ROLE_FAIL, "%s %s: failed, nothing was written", tui_glyph_status(app, 3), nm);
		else
			tui_text_addf(&B.out, ok ? ROLE_OK : ROLE_FAIL, "%s %s: %ld of %ld rows written in %ld batch%s, %s",
			              tui_glyph_status(app, ok ? 1 : 3), nm, r->written, r->total, r->batches,
			              r->batches == 1 ? "" : "es", rate);
		if (ok && r->message[0])
			tui_text_add_wrapped(&B.out, ROLE_NORMAL, r->message, width, "   ");
	}
	/* which model embedded the rows (the last part's, hashing named as such) */
	if (B.res.nparts && B.res.embedder[B.res.nparts - 1][0]) {
		char line[sizeof B.res.embedder[0] + 32];
		snprintf(line, sizeof line, "embedded with %s", B.res.embedder[B.res.nparts - 1]);
		tui_text_add_wrapped(&B.out, ROLE_NORMAL, line, width, "   ");
	}
	for (int i = 0; i < B.nwarn; i++) {
		char *w = vb_xasprintf("warning: %s", B.warn[i]);
		tui_text_add_wrapped(&B.out, ROLE_WARN, w, width, "   ");
		free(w);
	}
	/* on failure: what the last part left behind (kept batches, or the swap that never happened) */
	const struct bootstrap_result *last = B.res.nparts ? &B.res.part[B.res.nparts - 1] : NULL;
	char state[512] = "nothing was written";
	if (B.rc != VB_OK && last)
		bootstrap_state_text(last, B.err.status, app->engine->vbc.namespace, state, sizeof state);
	if (B.rc == VB_OK) {
		tui_text_add(&B.out, ROLE_NORMAL, "");
		tui_text_addf(&B.out, ROLE_NORMAL, "Next: %c (Search) to query it, %c (Setup) to re-check.",
		              tui_screen_key(SCR_SEARCH), tui_screen_key(SCR_SETUP));
	} else if (B.res.failure == ENGINE_BOOT_INTERRUPTED) {
		char *c = vb_xasprintf("cancelled: %s", state);
		tui_text_add_wrapped(&B.out, ROLE_WARN, c, width, "");
		free(c);
	} else {
		tui_text_add_wrapped(&B.out, ROLE_FAIL, B.err.message, width, "");
		if (B.err.hint[0]) {
			char *h = vb_xasprintf("hint: %s", B.err.hint);
			tui_text_add_wrapped(&B.out, ROLE_NORMAL, h, width, "");
			free(h);
		}
		if (B.err.sqlstate[0])
			tui_text_addf(&B.out, ROLE_NORMAL, "SQLSTATE %s", B.err.sqlstate);
		if (last && (last->atomic || last->written))
			tui_text_add_wrapped(&B.out, ROLE_NORMAL, state, width, "");
	}
}

/* The form's file named in a message by its base name only (in place, shorter): the form above
 * shows its whole path, and a long one would push the message's point off the line. */
static void path_to_name(char *text)
{
	const char *base = strrchr(B.yaml, '/');
	size_t pl = strlen(B.yaml);
	if (!base || pl < 2)
		return;
	base++;
	for (char *p = strstr(text, B.yaml); p; p = strstr(p + 1, B.yaml))
		memmove(p, p + (base - B.yaml), strlen(p + (base - B.yaml)) + 1);
}

/* "$HOME/x" as "~/x" in a message, in place (shorter), as the form shows the path. */
static void home_to_tilde(char *text)
{
	const char *home = getenv("HOME");
	size_t hl = home ? strlen(home) : 0;
	if (hl < 2)
		return;
	for (char *p = strstr(text, home); p; p = strstr(p + 1, home)) {
		if (p[hl] != '/')
			continue;
		*p = '~';
		memmove(p + 1, p + hl, strlen(p + hl) + 1);
	}
}

static void boot_job_done(struct tui_app *app)
{
	B.ran = 1;
	for (int i = 0; i < B.nwarn; i++) {
		path_to_name(B.warn[i]);
		home_to_tilde(B.warn[i]);
	}
	path_to_name(B.err.message);
	home_to_tilde(B.err.message);
	home_to_tilde(B.err.hint);
	build_out(app, COLS - 4);
	for (int i = 0; i < B.nwarn; i++)
		tui_log(app, "bootstrap: warning: %s", B.warn[i]);
	for (int i = 0; i < B.res.nparts; i++)
		tui_log(app, "bootstrap %s: %ld/%ld rows%s", B.res.name[i], B.res.part[i].written, B.res.part[i].total,
		        i < B.res.nparts - 1 || B.rc == VB_OK ? "" : " (failed)");
	if (B.rc == VB_OK) {
		app->data_changed = 1;
		tui_status(app, B.nwarn ? "bootstrap done, with warnings (below the rows; also in the Log)" : "bootstrap done");
	} else if (B.res.failure == ENGINE_BOOT_INTERRUPTED) {
		tui_status(app, "bootstrap cancelled");
	} else {
		tui_status(app, "bootstrap failed: %s", B.err.message);
	}
	if (B.rc != VB_OK)
		tui_log(app, "bootstrap failed: %s", B.err.message);
}

static void start(struct tui_app *app)
{
	if (app->job_running) {
		tui_status_busy(app);
		return;
	}
	if (!B.yaml[0]) {
		B.sel = F_YAML;
		tui_status(app, "no semantic YAML chosen: %s on the field types its path", tui_key(ACT_ENTER));
		return;
	}
	if (B.strategy == 2) {
		char typed[64] = "";
		const char *what = B.component == 2 ? "metrics" : "semantic_model";
		char prompt[160];
		snprintf(prompt, sizeof prompt, "overwrite clears namespace %s; type %s to confirm: ", app->namespace_, what);
		if (!tui_input(app, prompt, typed, sizeof typed) || strcmp(typed, what) != 0) {
			tui_status(app, "overwrite not confirmed; nothing was changed");
			return;
		}
	}
	__atomic_store_n(&B.done, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&B.total, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&B.part, 0, __ATOMIC_RELEASE);
	B.t0 = now_s();
	tui_text_clear(&B.out);
	free_warnings();
	tui_job_engine(app, job_boot, NULL);
}

static void bar(struct tui_app *app, int y, int width)
{
	long done = __atomic_load_n(&B.done, __ATOMIC_ACQUIRE), total = __atomic_load_n(&B.total, __ATOMIC_ACQUIRE);
	int pct = total > 0 ? (int)(done * 100 / total) : 0;
	int w = width - 12;
	if (w > 50)
		w = 50;
	int fill = total > 0 ? (int)((long)w * done / total) : 0;
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_addc(&b, '[');
	for (int i = 0; i < w; i++)
		vb_buf_add(&b, i < fill ? (app->ascii ? "#" : "█") : (app->ascii ? "." : "░"));
	vb_buf_printf(&b, "] %3d%%", pct);
	tui_print(y, 2, width - 2, ROLE_OK, b.data);
	vb_buf_free(&b);
	double dt = now_s() - B.t0;
	double rate = dt > 0 ? (double)done / dt : 0;
	double eta = rate > 0 ? (double)(total - done) / rate : 0;
	if (tui_test_headless())
		tui_printf(y + 1, 2, width - 2, ROLE_NORMAL, "%ld / %ld rows", done, total);
	else
		tui_printf(y + 1, 2, width - 2, ROLE_NORMAL, "%ld / %ld rows   %.0f rows/s   ETA %.0f s", done, total, rate,
		           eta);
}

static void boot_draw(struct tui_app *app, int top, int height, int width)
{
	int running = app->job_running && app->job_screen == SCR_BOOTSTRAP;
	char loading[64] = "";
	if (running)
		snprintf(loading, sizeof loading, " - loading (%s cancels)", tui_key(ACT_CANCEL));
	tui_printf(top, 0, width, ROLE_TITLE, " Bootstrap the knowledge base, namespace %s%s", app->namespace_, loading);
	char path[sizeof B.yaml + 8];
	shown_path(path, sizeof path, width - 42 > 40 ? width - 42 : 40);
	const char *vals[F__COUNT] = {path, components[B.component], strategies[B.strategy],
	                              source_modes[B.all_sources], ""};
	static const char *const labels[F__COUNT] = {"Semantic YAML", "Component", "Strategy", "Data sources", "Start"};
	/* the keys are the key map's: Enter, then r for the load */
	static const char *const hints[F__COUNT] = {"%s edits the path", "%s cycles", "%s cycles", "%s switches",
	                                            "%s or %s starts the load"};
	char hint[80];
	snprintf(hint, sizeof hint, hints[B.sel], tui_key(ACT_ENTER), tui_key(ACT_RUN));
	for (int i = 0; i < F__COUNT; i++) {
		int y = top + 2 + i;
		int role = i == B.sel ? ROLE_SELECTED : ROLE_NORMAL;
		if (i == B.sel)
			tui_fill_line(y, width, role);
		if (i == F_START)
			tui_printf(y, 2, width - 2, role, "[ Start ]   %s", i == B.sel ? hint : "");
		else
			tui_printf(y, 2, width - 2, role, "%-14s %-40s %s", labels[i], vals[i], i == B.sel ? hint : "");
	}
	int y = top + 3 + F__COUNT;
	if (running || B.ran) {
		if (running) {
			int p = __atomic_load_n(&B.part, __ATOMIC_ACQUIRE);
			const char *part = B.component == 0 ? (p ? "metrics" : "semantic_model") : components[B.component];
			tui_printf(y, 2, width - 2, ROLE_NORMAL, "Loading %s", part);
		} else {
			tui_print(y, 2, width - 2, ROLE_NORMAL, "Last run");
		}
		if (running)
			bar(app, y + 1, width);
		if (!running && B.out_width != width - 4)
			build_out(app, width - 4);
		tui_text_draw_at(&B.out, y + (running ? 4 : 1), 2, height - (y - top) - (running ? 4 : 1), width - 2, NULL);
	} else {
		tui_print(y, 2, width - 2, ROLE_DIM, "check, incremental: add and update rows by id (same embedding model only);");
		tui_print(y + 1, 2, width - 2, ROLE_DIM, "overwrite: clear this namespace's rows first (asks you to type the table).");
	}
}

static int boot_action(struct tui_app *app, int action)
{
	switch (action) {
	case ACT_ENTER:
		if (B.sel == F_YAML) {
			char buf[512];
			snprintf(buf, sizeof buf, "%s", B.yaml);
			if (tui_input(app, "semantic YAML: ", buf, sizeof buf) && buf[0])
				set_yaml(buf);
		} else if (B.sel == F_COMPONENT) {
			B.component = (B.component + 1) % 3;
		} else if (B.sel == F_STRATEGY) {
			B.strategy = (B.strategy + 1) % 3;
		} else if (B.sel == F_SOURCES) {
			B.all_sources = !B.all_sources;
		} else {
			start(app);
		}
		return 1;
	case ACT_RUN:
	case ACT_RUN_ALL:
		start(app);
		return 1;
	case ACT_PGUP:
	case ACT_PGDN:
		/* the outcome pane scrolls; j/k stay on the form's fields */
		tui_text_page(&B.out, action == ACT_PGUP ? -1 : 1, LINES / 2);
		return 1;
	default:
		return tui_move(action, &B.sel, F__COUNT, F__COUNT);
	}
}

/* A click on a field selects it; on [ Start ] it starts the load, as Enter does. */
static int boot_click(struct tui_app *app, int y, int x)
{
	(void)x;
	int i = y - 3; /* the form starts two rows under the title (row 1) */
	if (i < 0 || i >= F__COUNT)
		return 0;
	B.sel = i;
	if (i == F_START)
		start(app);
	return 1;
}

static void boot_cleanup(struct tui_app *app)
{
	(void)app;
	tui_text_clear(&B.out);
	free_warnings();
}

const struct tui_screen_ops tui_screen_bootstrap = {
	.name = "bootstrap",
	.title = "Bootstrap",
	.enter = boot_enter,
	.draw = boot_draw,
	.action = boot_action,
	.job_done = boot_job_done,
	.cleanup = boot_cleanup,
	.click = boot_click,
};
