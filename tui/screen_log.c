/* tui/screen_log.c - the session log: every step, statement and error of this session.  Long
 * lines scroll sideways (Left/Right) or wrap (w); s saves the log to a file. */
#include <errno.h>
#include <string.h>

#include "textview.h"

static int log_scroll, log_hscroll, log_wrap;

/* The log as display lines at this width: wrapped, or one line per entry. Caller holds the lock. */
static void log_lines(struct tui_app *app, struct tui_text *t, int width)
{
	for (int i = 0; i < app->nlog; i++) {
		if (log_wrap)
			tui_text_add_wrapped(t, ROLE_NORMAL, app->log[i], width, "         ");
		else
			tui_text_add(t, ROLE_NORMAL, app->log[i]);
	}
}

static void log_draw(struct tui_app *app, int top, int height, int width)
{
	char how[80] = "";
	if (log_wrap)
		snprintf(how, sizeof how, " - wrapped (%s: one line each)", tui_key(ACT_FILTER));
	else if (log_hscroll)
		snprintf(how, sizeof how, " - scrolled sideways (%s/%s, %s wraps)", tui_key(ACT_LEFT), tui_key(ACT_RIGHT),
		         tui_key(ACT_FILTER));
	tui_printf(top, 0, width, ROLE_TITLE, " Session log (newest last)%s", how);
	struct tui_text t = {0};
	pthread_mutex_lock(&app->log_lock);
	log_lines(app, &t, width);
	pthread_mutex_unlock(&app->log_lock);
	if (log_scroll > t.n - (height - 1))
		log_scroll = t.n - (height - 1);
	if (log_scroll < 0)
		log_scroll = 0;
	t.scroll = log_scroll;
	t.hscroll = log_wrap ? 0 : log_hscroll;
	tui_text_draw_at(&t, top + 1, 0, height - 1, width, app->find);
	tui_text_clear(&t);
}

static void log_enter(struct tui_app *app)
{
	/* open at the newest entries */
	log_scroll = app->nlog;
}

static void log_save(struct tui_app *app)
{
	char path[256] = "vbadmin-session.log";
	if (!tui_input(app, "save the log to: ", path, sizeof path) || !path[0])
		return;
	FILE *f = vb_fopen_private(path, "w");
	if (!f) {
		tui_status(app, "cannot write %s: %s", path, strerror(errno));
		return;
	}
	pthread_mutex_lock(&app->log_lock);
	int n = app->nlog;
	for (int i = 0; i < n; i++)
		fprintf(f, "%s\n", app->log[i]);
	pthread_mutex_unlock(&app->log_lock);
	if (fclose(f) != 0)
		tui_status(app, "writing %s failed: %s", path, strerror(errno));
	else
		tui_status(app, "%d log lines saved to %s", n, path);
}

/* n / N: the next entry holding the find text, from the top line shown. */
static void log_find(struct tui_app *app, int dir)
{
	if (!app->find[0])
		return;
	struct tui_text t = {0};
	pthread_mutex_lock(&app->log_lock);
	log_lines(app, &t, COLS);
	pthread_mutex_unlock(&app->log_lock);
	t.scroll = log_scroll;
	tui_text_action(&t, dir > 0 ? ACT_FIND_NEXT : ACT_FIND_PREV, 1, app->find);
	log_scroll = t.scroll;
	tui_text_clear(&t);
}

static int log_action(struct tui_app *app, int action)
{
	int page = LINES - 4;
	switch (action) {
	case ACT_UP: log_scroll--; return 1;
	case ACT_DOWN: log_scroll++; return 1;
	case ACT_PGUP: log_scroll -= page; return 1;
	case ACT_PGDN: log_scroll += page; return 1;
	case ACT_HOME: log_scroll = 0; return 1;
	case ACT_END: log_scroll = 1 << 30; return 1;
	case ACT_LEFT: log_hscroll = log_hscroll > 8 ? log_hscroll - 8 : 0; return 1;
	case ACT_RIGHT: log_hscroll += 8; return 1;
	case ACT_FILTER: log_wrap = !log_wrap; return 1; /* w: wrap */
	case ACT_SAVE: log_save(app); return 1;
	case ACT_FIND_NEXT: log_find(app, 1); return 1;
	case ACT_FIND_PREV: log_find(app, -1); return 1;
	default: return 0;
	}
}

const struct tui_screen_ops tui_screen_log = {
	.name = "log",
	.title = "Log",
	.enter = log_enter,
	.draw = log_draw,
	.action = log_action,
	.job_done = tui_migrate_job_done, /* the one job that runs on the Log screen: :migrate */
};
