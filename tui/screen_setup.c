/* tui/screen_setup.c - the Setup wizard: the engine's steps with status and duration on the
 * left, the selected step's message, advice and fix SQL on the right.  r runs one step, R all,
 * f applies the fix SQL (after a confirm) through the backend's exec_script, s saves the DBA
 * packet.  Engine work runs on the worker thread; this screen draws only its own snapshot. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../ddl/ddl.h"
#include "../engine/engine.h"
#include "../engine/fix.h"
#include "textview.h"

struct snap_step {
	int id;
	int status;
	double ms;
	char *message, *detail, *fix, *cause;
	char errclass[24];
	const struct advice *adv;
};

enum { JOB_NONE = 0, JOB_RUN, JOB_RUN_ALL, JOB_FIX };

static struct setup {
	struct snap_step steps[STEP__COUNT];
	int n;
	int sel, scroll, pane;
	struct tui_text info;
	int info_for;           /* step index the info pane shows, -1 = rebuild */
	int info_width;         /* the width it is wrapped to */
	int job, job_step;
	char **fix_stmts;
	struct vb_error job_err;
	int job_rc;
	int have_results;
	int nok, nwarn, nfail, npending;
} S = {.info_for = -1};

static void snap_clear(void)
{
	for (int i = 0; i < S.n; i++) {
		free(S.steps[i].message);
		free(S.steps[i].detail);
		free(S.steps[i].fix);
		free(S.steps[i].cause);
	}
	memset(S.steps, 0, sizeof S.steps);
	S.n = 0;
}

static void snap_copy(struct snap_step *s, struct engine *e, int id)
{
	const struct step_result *r = engine_result(e, id);
	s->id = id;
	s->status = r ? r->status : STEP_PENDING;
	s->ms = r ? r->ms : 0;
	if (!r)
		return;
	s->message = vb_xstrdup(r->message);
	s->detail = vb_xstrdup(r->detail);
	s->fix = vb_xstrdup(r->fix);
	snprintf(s->errclass, sizeof s->errclass, "%s", r->errclass);
	s->adv = r->advice_id ? advice_get(r->advice_id) : NULL;
	if (r->why)
		s->cause = vb_xstrdup(r->why);
	else if (s->adv)
		s->cause = engine_render(e, s->adv->cause, NULL, NULL, 0);
}

/* Copies what the engine knows; main thread, no job running.  With `keep`, a step the fresh
 * engine has not run (r ran another one) keeps its earlier result: running one step must
 * never turn the others back into "not run". */
static void snap_take(struct tui_app *app, int keep)
{
	struct engine *e = app->engine;
	struct snap_step old[STEP__COUNT];
	int nold = S.n;
	memcpy(old, S.steps, sizeof old);
	memset(S.steps, 0, sizeof S.steps);
	S.n = 0;
	S.nok = S.nwarn = S.nfail = S.npending = 0;
	for (int i = 0; i < step_ndefs; i++) {
		int id = step_defs[i].id;
		if (!engine_step_applies(e, id))
			continue;
		struct snap_step *s = &S.steps[S.n++];
		const struct step_result *r = engine_result(e, id);
		struct snap_step *was = NULL;
		for (int k = 0; keep && k < nold; k++)
			if (old[k].id == id && old[k].status != STEP_PENDING && (!r || r->status == STEP_PENDING))
				was = &old[k];
		if (was) {
			*s = *was;
			memset(was, 0, sizeof *was);
		} else {
			snap_copy(s, e, id);
		}
		S.nok += s->status == STEP_OK;
		S.nwarn += s->status == STEP_WARN;
		S.nfail += s->status == STEP_FAIL;
		S.npending += s->status == STEP_PENDING;
	}
	for (int k = 0; k < nold; k++) {
		free(old[k].message);
		free(old[k].detail);
		free(old[k].fix);
		free(old[k].cause);
	}
	if (S.sel >= S.n)
		S.sel = S.n ? S.n - 1 : 0;
	S.info_for = -1;
}

static const struct step_def *def_of(int id)
{
	for (int i = 0; i < step_ndefs; i++)
		if (step_defs[i].id == id)
			return &step_defs[i];
	return NULL;
}

/* What f will do with this step's fix, said before it is pressed: vbadmin's own command, SQL run
 * here, or nothing (a DBA's job, a file to edit, a shell command). */
static const char *fix_label(struct tui_app *app, const struct snap_step *s)
{
	static char label[128];
	const char *f = tui_key(ACT_FIX);
	char **stmts = engine_fix_statements(s->fix);
	int sql = stmts != NULL;
	ddl_statements_free(stmts);
	if (strncmp(s->fix, "vbadmin ddl apply", 17) == 0 || strncmp(s->fix, "vbadmin bootstrap-kb", 20) == 0)
		snprintf(label, sizeof label, "Fix (%s does it here):", f);
	else if (s->adv && s->adv->who == ADV_DBA)
		snprintf(label, sizeof label, "Fix - a DBA's job (%s saves the DBA packet for them; %s cannot do it):",
		         tui_key(ACT_SAVE), f);
	else if (sql && engine_fix_runnable(app->engine))
		snprintf(label, sizeof label, "Fix - SQL (%s runs it here in one transaction, after a confirm):", f);
	else if (strstr(s->fix, ".yml") || strstr(s->fix, ".yaml") || strstr(s->fix, ".cfg"))
		snprintf(label, sizeof label, "Fix - edit the file by hand, then %s re-checks (%s cannot do it):",
		         tui_key(ACT_RUN_ALL), f);
	else
		snprintf(label, sizeof label, "Fix - by hand, in a terminal (%s cannot do it):", f);
	return label;
}

static void build_info(struct tui_app *app, int width)
{
	int scroll = S.info_for == S.sel ? S.info.scroll : 0;
	tui_text_clear(&S.info);
	S.info.scroll = scroll;
	S.info_for = S.sel;
	S.info_width = width;
	if (!S.n)
		return;
	const struct snap_step *s = &S.steps[S.sel];
	const struct step_def *d = def_of(s->id);
	char ms[32];
	tui_text_addf(&S.info, ROLE_TITLE, "%s (%s)", d ? d->title : "?", d ? d->name : "?");
	if (s->status == STEP_PENDING) {
		tui_text_addf(&S.info, ROLE_DIM, "not run yet: %s runs this step, %s runs all", tui_key(ACT_RUN), tui_key(ACT_RUN_ALL));
		return;
	}
	tui_text_addf(&S.info, tui_status_role(s->status), "%s %s  %s%s%s", tui_glyph_status(app, s->status),
	              step_status_name(s->status), tui_ms(s->ms, ms, sizeof ms), s->errclass[0] ? "  class " : "",
	              s->errclass);
	if (s->message)
		tui_text_add_wrapped(&S.info, ROLE_NORMAL, s->message, width, "");
	if (s->detail)
		tui_text_add_wrapped(&S.info, ROLE_DIM, s->detail, width, "  ");
	if (s->adv) {
		tui_text_add(&S.info, ROLE_NORMAL, "");
		char *t = vb_xasprintf("%s: %s", s->adv->id, s->adv->title);
		tui_text_add_wrapped(&S.info, ROLE_TITLE, t, width, "");
		free(t);
		tui_text_addf(&S.info, s->adv->who == ADV_DBA ? ROLE_WARN : ROLE_NORMAL, "Who acts: %s%s%s%s",
		              advice_who_name(s->adv->who), s->adv->who == ADV_DBA ? " (" : "",
		              s->adv->who == ADV_DBA ? tui_key(ACT_SAVE) : "", s->adv->who == ADV_DBA ? " saves the DBA packet)" : "");
		if (s->cause)
			tui_text_add_wrapped(&S.info, ROLE_NORMAL, s->cause, width, "");
	}
	if (s->fix && (s->status == STEP_FAIL || s->status == STEP_WARN)) {
		tui_text_add(&S.info, ROLE_NORMAL, "");
		tui_text_add_wrapped(&S.info, ROLE_TITLE, fix_label(app, s), width, ""); /* long at 80 columns */
		tui_text_add_wrapped(&S.info, ROLE_SQL, s->fix, width, "");
	}
}

#define LIST_W 31

static void draw_title(struct tui_app *app, int top, int width)
{
	if (app->job_running && app->job_screen == SCR_SETUP)
		tui_printf(top, 0, width, ROLE_TITLE, " Setup wizard: running%s (%s cancels)",
		           S.job == JOB_FIX ? " the fix" : "", tui_key(ACT_CANCEL));
	else if (!S.have_results)
		tui_printf(top, 0, width, ROLE_TITLE, " Setup wizard: %s, namespace %s - %s runs every check",
		           app->backend, app->namespace_, tui_key(ACT_RUN_ALL));
	else if (S.nfail + S.nwarn == 0 && S.npending == 0)
		tui_printf(top, 0, width, ROLE_TITLE, " Setup wizard: all %d checks passed - ready", S.nok);
	else if (S.nfail + S.nwarn == 0)
		tui_printf(top, 0, width, ROLE_TITLE, " Setup wizard: %d ok, %d not run - %s runs every check", S.nok,
		           S.npending, tui_key(ACT_RUN_ALL));
	else if (S.npending)
		tui_printf(top, 0, width, ROLE_TITLE, " Setup wizard: %d ok, %d warn, %d fail, %d not run - select a step",
		           S.nok, S.nwarn, S.nfail, S.npending);
	else
		tui_printf(top, 0, width, ROLE_TITLE, " Setup wizard: %d ok, %d warn, %d fail - select a step for advice",
		           S.nok, S.nwarn, S.nfail);
}

/* A step's status and time as the list shows them.  While a run is in flight only published
 * results are read: the runner stores `published` after status and ms are final (release/acquire). */
static void row_state(struct engine *e, const struct snap_step *s, int live, int *status, double *msv)
{
	*status = s->status;
	*msv = s->ms;
	if (!live)
		return;
	const struct step_result *lr = engine_result(e, s->id);
	*status = lr ? __atomic_load_n(&lr->published, __ATOMIC_ACQUIRE) : STEP_PENDING;
	*msv = *status != STEP_PENDING ? lr->ms : 0;
	if (*status == STEP_PENDING && S.job == JOB_RUN) { /* not part of this run: keep its result */
		*status = s->status;
		*msv = s->ms;
	}
}

static void draw_row(struct tui_app *app, int y, int i, int status, double msv)
{
	const struct step_def *d = def_of(S.steps[i].id);
	char ms[32] = "";
	if (status != STEP_PENDING)
		tui_ms(msv, ms, sizeof ms);
	int sel = i == S.sel;
	if (sel)
		tui_fill_line(y, LIST_W, S.pane == 0 ? ROLE_SELECTED : ROLE_STATUS);
	int base = sel ? (S.pane == 0 ? ROLE_SELECTED : ROLE_STATUS) : ROLE_NORMAL;
	if (sel) /* visible without colour or reverse video too */
		tui_print(y, 0, 1, base, ">");
	tui_print(y, 1, 6, sel ? base : tui_status_role(status), tui_glyph_status(app, status));
	tui_printf(y, app->ascii ? 8 : 3, LIST_W - 3, base, "%-16s", d ? d->name : "?");
	tui_printf(y, LIST_W - 9, 9, base, "%8s", ms);
}

static void setup_draw(struct tui_app *app, int top, int height, int width)
{
	draw_title(app, top, width);
	int h = height - 1;
	S.scroll = tui_scroll_for(S.sel, S.scroll, h, S.n);
	int live = app->job_running && app->job_screen == SCR_SETUP && S.job != JOB_FIX;
	for (int r = 0; r < h && S.scroll + r < S.n; r++) {
		int status;
		double msv;
		row_state(app->engine, &S.steps[S.scroll + r], live, &status, &msv);
		draw_row(app, top + 1 + r, S.scroll + r, status, msv);
	}
	for (int y = top + 1; y < top + height; y++)
		mvaddstr(y, LIST_W, app->ascii ? "|" : "│");
	int pw = width - LIST_W - 2;
	if (live) {
		tui_print(top + 1, LIST_W + 2, pw, ROLE_DIM, "running...");
		return;
	}
	/* rebuilt when the selection or the width changes: a resize rewraps the advice */
	if (S.info_for != S.sel || S.info_width != pw)
		build_info(app, pw);
	tui_text_draw_at(&S.info, top + 1, LIST_W + 2, h, pw, app->find);
}

static void job_run(struct tui_app *app, void *arg);

static void setup_enter(struct tui_app *app)
{
	static int started;
	S.info_for = -1;
	if (app->job_running)
		return;
	if (!S.n)
		snap_take(app, 0);
	/* the first visit runs every check: the wizard opens on the answer, not on a blank list;
	 * coming back after DDL or a bootstrap shows the new state the same way */
	if ((!started && !getenv("VBADMIN_NO_AUTORUN")) || app->data_changed) {
		started = 1;
		app->data_changed = 0;
		S.job = JOB_RUN_ALL;
		if (tui_job_fresh(app, job_run, NULL) != 0)
			S.job = JOB_NONE;
	}
}

static void job_run(struct tui_app *app, void *arg)
{
	(void)arg;
	if (S.job == JOB_RUN)
		engine_run_step(app->engine, S.job_step);
	else
		engine_run_all(app->engine, STEP_NONE);
}

static void fix_progress(void *ctx, int index, const char *sql, int status, const char *message)
{
	struct tui_app *app = ctx;
	(void)sql;
	tui_log(app, "fix statement %d: %s%s%s", index + 1, status == VB_OK ? "ok" : "failed",
	        message && *message ? ": " : "", message ? message : "");
}

static void job_fix(struct tui_app *app, void *arg)
{
	(void)arg;
	vb_err_clear(&S.job_err);
	S.job_rc = tui_connect(app, &S.job_err);
	if (S.job_rc != VB_OK)
		return;
	S.job_rc = engine_apply_fix(app->engine, (const char *const *)S.fix_stmts, fix_progress, app, &S.job_err);
}

static void setup_job_done(struct tui_app *app)
{
	if (S.job == JOB_FIX) {
		int n = 0;
		while (S.fix_stmts[n])
			n++;
		if (S.job_rc == VB_OK) {
			tui_status(app, "fix applied: %d statement%s in one transaction; checks re-run", n, n == 1 ? "" : "s");
			tui_log(app, "fix applied (%d statements)", n);
		} else {
			tui_status(app, "fix failed, nothing was changed: %s", S.job_err.message);
			tui_log(app, "fix failed%s%s: %s", S.job_err.sqlstate[0] ? " SQLSTATE " : "", S.job_err.sqlstate,
			        S.job_err.message);
		}
		ddl_statements_free(S.fix_stmts);
		S.fix_stmts = NULL;
		S.job = JOB_NONE;
		/* show the new state right away */
		if (S.job_rc == VB_OK) {
			S.job = JOB_RUN_ALL;
			if (tui_job_fresh(app, job_run, NULL) != 0)
				S.job = JOB_NONE;
		}
		return;
	}
	snap_take(app, S.job == JOB_RUN);
	S.have_results = 1;
	int code = engine_exit_code(app->engine);
	tui_log(app, "setup checks: %d ok, %d warn, %d fail (exit code %d)", S.nok, S.nwarn, S.nfail, code);
	for (int i = 0; i < S.n; i++)
		if (S.steps[i].status == STEP_FAIL || S.steps[i].status == STEP_WARN) {
			const struct step_def *d = def_of(S.steps[i].id);
			tui_log(app, "  %s %s: %s", step_status_name(S.steps[i].status), d ? d->name : "?",
			        S.steps[i].message ? S.steps[i].message : "");
		}
	if (app->engine->cancelled)
		tui_status(app, "cancelled: the remaining steps were skipped");
	/* select the first problem so its advice shows at once */
	if (S.job == JOB_RUN_ALL) {
		int warn = -1, fail = -1;
		for (int i = S.n - 1; i >= 0; i--) {
			if (S.steps[i].status == STEP_FAIL)
				fail = i;
			if (S.steps[i].status == STEP_WARN)
				warn = i;
		}
		if (fail >= 0 || warn >= 0)
			S.sel = fail >= 0 ? fail : warn;
	}
	S.job = JOB_NONE;
}

static void apply_fix(struct tui_app *app)
{
	if (!S.n)
		return;
	const struct snap_step *s = &S.steps[S.sel];
	if (!s->fix || (s->status != STEP_FAIL && s->status != STEP_WARN)) {
		tui_status(app, "this step has no fix to apply");
		return;
	}
	struct engine *e = app->engine;
	/* fixes that are vbadmin's own commands are done by the screen that does them */
	if (strncmp(s->fix, "vbadmin ddl apply", 17) == 0) {
		tui_switch(app, SCR_DDL);
		tui_ddl_apply(app);
		return;
	}
	if (strncmp(s->fix, "vbadmin bootstrap-kb", 20) == 0) {
		tui_switch(app, SCR_BOOTSTRAP);
		tui_status(app, "%s (or %s on Start) loads the sample; pick your own YAML on the first line", tui_key(ACT_RUN),
		           tui_key(ACT_ENTER));
		return;
	}
	if (!engine_fix_runnable(e)) {
		tui_status(app, "backend %s runs no SQL; follow the fix by hand", app->backend);
		return;
	}
	char **stmts = engine_fix_statements(s->fix);
	if (!stmts) {
		if (s->adv && s->adv->who == ADV_DBA)
			tui_status(app, "this fix is not SQL vbadmin can run: %s saves the DBA packet for whoever can",
			           tui_key(ACT_SAVE));
		else
			tui_status(app, "this fix is a shell command, not SQL: run it in a terminal");
		return;
	}
	int n = 0;
	while (stmts[n])
		n++;
	char q[200];
	snprintf(q, sizeof q, "Run %d statement%s of the fix in one transaction?", n, n == 1 ? "" : "s");
	if (!tui_confirm(app, q)) {
		ddl_statements_free(stmts);
		tui_status(app, "fix not applied");
		return;
	}
	S.fix_stmts = stmts;
	S.job = JOB_FIX;
	if (tui_job_engine(app, job_fix, NULL) != 0) {
		ddl_statements_free(stmts);
		S.fix_stmts = NULL;
		S.job = JOB_NONE;
	}
}

static void save_packet(struct tui_app *app)
{
	if (!S.have_results) {
		tui_status(app, "run the checks first (%s)", tui_key(ACT_RUN_ALL));
		return;
	}
	char path[256] = "vbadmin-dba-packet.txt";
	if (!tui_input(app, "save DBA packet to: ", path, sizeof path) || !path[0])
		return;
	struct vb_buf b;
	vb_buf_init(&b);
	engine_dba_packet(app->engine, &b);
	if (vb_write_file_private(path, b.data ? b.data : "", b.len) != 0) {
		tui_status(app, "cannot write %s: %s; nothing was written", path, strerror(errno));
	} else {
		tui_status(app, "DBA packet written to %s", path);
		tui_log(app, "DBA packet written to %s", path);
	}
	vb_buf_free(&b);
}

/* n / N on the step list: the next step whose name or title holds the find text. */
static int find_step(struct tui_app *app, int dir)
{
	for (int k = 1; app->find[0] && k <= S.n; k++) {
		int i = ((S.sel + dir * k) % S.n + S.n) % S.n;
		const struct step_def *d = def_of(S.steps[i].id);
		if (d && (strcasestr(d->name, app->find) || strcasestr(d->title, app->find))) {
			S.sel = i;
			return 1;
		}
	}
	return 1;
}

static int setup_action(struct tui_app *app, int action)
{
	int busy = app->job_running;
	switch (action) {
	case ACT_TAB:
		S.pane = !S.pane;
		return 1;
	case ACT_RUN:
	case ACT_ENTER:
		if (!S.n)
			action = ACT_RUN_ALL;
		else {
			if (busy)
				return tui_job_fresh(app, job_run, NULL), 1;
			S.job = JOB_RUN;
			S.job_step = S.steps[S.sel].id;
			if (tui_job_fresh(app, job_run, NULL) != 0)
				S.job = JOB_NONE;
			return 1;
		}
		/* fall through */
	case ACT_RUN_ALL:
		if (busy)
			return tui_job_fresh(app, job_run, NULL), 1;
		S.job = JOB_RUN_ALL;
		if (tui_job_fresh(app, job_run, NULL) != 0)
			S.job = JOB_NONE;
		return 1;
	case ACT_FIX:
		if (!busy)
			apply_fix(app);
		else
			tui_status_busy(app);
		return 1;
	case ACT_SAVE:
		if (!busy)
			save_packet(app);
		return 1;
	default:
		break;
	}
	if (S.pane == 1) {
		if (action == ACT_UP || action == ACT_DOWN || action == ACT_PGUP || action == ACT_PGDN ||
		    action == ACT_HOME || action == ACT_END || action == ACT_FIND_NEXT || action == ACT_FIND_PREV ||
		    action == ACT_LEFT || action == ACT_RIGHT)
			return tui_text_action(&S.info, action, LINES - 4, app->find);
		return 0;
	}
	if (action == ACT_FIND_NEXT || action == ACT_FIND_PREV)
		return find_step(app, action == ACT_FIND_NEXT ? 1 : -1);
	if (tui_move(action, &S.sel, S.n, LINES - 4))
		return 1;
	return 0;
}

/* A click on a step selects it (and focuses the list); on the advice pane it focuses that. */
static int setup_click(struct tui_app *app, int y, int x)
{
	(void)app;
	if (x >= LIST_W) {
		S.pane = 1;
		return 1;
	}
	int i = S.scroll + (y - 2);
	if (y < 2 || i >= S.n)
		return 0;
	S.sel = i;
	S.pane = 0;
	return 1;
}

static void setup_cleanup(struct tui_app *app)
{
	(void)app;
	snap_clear();
	tui_text_clear(&S.info);
	ddl_statements_free(S.fix_stmts);
	S.fix_stmts = NULL;
}

const struct tui_screen_ops tui_screen_setup = {
	.name = "setup",
	.title = "Setup",
	.enter = setup_enter,
	.draw = setup_draw,
	.action = setup_action,
	.job_done = setup_job_done,
	.cleanup = setup_cleanup,
	.click = setup_click,
};
