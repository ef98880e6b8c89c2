/* tui/screen_log.c - the session log: every step, statement and error of this session. */
#include <string.h>

#include "textview.h"

static int log_scroll;

static void log_draw(struct tui_app *app, int top, int height, int width)
{
	tui_print(top, 0, width, ROLE_TITLE, " Session log (newest last)");
	pthread_mutex_lock(&app->log_lock);
	int n = app->nlog;
	if (log_scroll > n - (height - 1))
		log_scroll = n - (height - 1);
	if (log_scroll < 0)
		log_scroll = 0;
	for (int r = 0; r < height - 1 && log_scroll + r < n; r++) {
		const char *line = app->log[log_scroll + r];
		int role = (app->find[0] && strstr(line, app->find)) ? ROLE_SELECTED : ROLE_NORMAL;
		tui_print(top + 1 + r, 0, width, role, line);
	}
	pthread_mutex_unlock(&app->log_lock);
}

static void log_enter(struct tui_app *app)
{
	/* open at the newest entries */
	log_scroll = app->nlog;
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
	case ACT_END: log_scroll = app->nlog; return 1;
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
