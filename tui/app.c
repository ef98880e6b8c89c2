/* tui/app.c - the console shell: one poll() loop over the terminal and the job pipe, screen
 * switching, the tab/status/key bars, the ':' command line and the session log. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tui.h"

static const struct tui_screen_ops *const screens[SCREEN__COUNT] = {
#define SCREEN(id, ops, key) [id] = &ops,
#include "screens.def"
#undef SCREEN
};

/* A console left open for days must not grow without limit: past TUI_LOG_MAX lines the oldest
 * tenth goes at once (one move per many lines), and line 0 says how many went.  Caller holds
 * the lock. */
static void log_trim(struct tui_app *app)
{
	if (app->nlog < TUI_LOG_MAX)
		return;
	int first = app->log_dropped ? 1 : 0, drop = TUI_LOG_MAX / 10;
	for (int i = 0; i < first + drop; i++)
		free(app->log[i]);
	int keep = app->nlog - first - drop;
	memmove(app->log + 1, app->log + first + drop, (size_t)keep * sizeof *app->log);
	app->log_dropped += drop;
	app->log[0] = vb_xasprintf("--:--:-- (%ld earlier lines dropped: the Log keeps the newest %d)", app->log_dropped,
	                           TUI_LOG_MAX);
	app->nlog = keep + 1;
}

void tui_log(struct tui_app *app, const char *fmt, ...)
{
	char buf[512];
	char stamp[16];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&app->log_lock);
	log_trim(app);
	app->log = vb_xrealloc(app->log, (size_t)(app->nlog + 1) * sizeof *app->log);
	app->log[app->nlog++] = vb_xasprintf("%s %s", getenv("VBADMIN_SCRIPT") ? "--:--:--" : stamp, buf);
	pthread_mutex_unlock(&app->log_lock);
}

void tui_status(struct tui_app *app, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(app->status_msg, sizeof app->status_msg, fmt, ap);
	va_end(ap);
}

void tui_switch(struct tui_app *app, int screen)
{
	if (screen < 0 || screen >= SCREEN__COUNT || screen == app->screen)
		return;
	if (screen == SCR_HELP)
		app->prev_screen = app->screen;
	app->screen = screen;
	app->find[0] = '\0';
	if (screens[screen]->enter)
		screens[screen]->enter(app);
}

struct job_start {
	struct tui_app *app;
	tui_job_fn fn;
	void *arg;
};

static void *job_main(void *p)
{
	struct job_start js = *(struct job_start *)p;
	free(p);
	js.fn(js.app, js.arg);
	char c = 1;
	ssize_t w;
	do
		w = write(js.app->job_pipe[1], &c, 1);
	while (w < 0 && errno == EINTR);
	return NULL;
}

void tui_status_busy(struct tui_app *app)
{
	tui_status(app, "busy: a statement is running (%s cancels it)", tui_key(ACT_CANCEL));
}

int tui_job_start(struct tui_app *app, tui_job_fn fn, void *arg)
{
	if (app->job_running) {
		tui_status_busy(app);
		return -1;
	}
	struct job_start *js = vb_xmalloc(sizeof *js);
	*js = (struct job_start){app, fn, arg};
	app->cancel_requested = 0;
	app->job_screen = app->screen;
	app->job_running = 1;
	if (pthread_create(&app->job_thread, NULL, job_main, js) != 0) {
		free(js);
		app->job_running = 0;
		tui_status(app, "cannot start a worker thread");
		return -1;
	}
	return 0;
}

static void job_finished(struct tui_app *app)
{
	char c;
	while (read(app->job_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	pthread_join(app->job_thread, NULL);
	app->job_running = 0;
	app->cancel_fn = NULL;
	const struct tui_screen_ops *s = screens[app->job_screen];
	if (s->job_done)
		s->job_done(app);
	tui_status_from_engine(app);
}

static void cancel_job(struct tui_app *app)
{
	if (!app->job_running) {
		tui_status(app, "nothing is running (%s quits)", tui_key(ACT_QUIT));
		return;
	}
	app->cancel_requested = 1;
	if (app->cancel_fn)
		app->cancel_fn(app->cancel_arg);
	tui_status(app, "cancel requested");
	tui_log(app, "cancel requested by the user");
}

/* Where a message longer than the screen breaks: after the last two blanks that fit (the caller
 * then backs up to a word); 0 when it fits on one row.  The break leaves the last column empty. */
static int keybar_break(const char *text, int cols)
{
	int len = (int)strlen(text);
	if (len < cols)
		return 0;
	for (int i = cols - 1; i > 0; i--)
		if (text[i] == ' ' && text[i - 1] == ' ')
			return i - 1;
	return cols - 1;
}

/* " 3 Tables ": the key screens.def gives the screen, then its title; returns the width. */
static int tab_label(int i, char *buf, size_t len)
{
	char key = tui_screen_key(i);
	int n = snprintf(buf, len, " %s%s%s ", key ? (char[]){key, 0} : "", key ? " " : "", screens[i]->title);
	return n < 0 ? 0 : n >= (int)len ? (int)len - 1 : n;
}

/* Returns the rows the status and key bars take at the bottom (2, or 3 when the keys wrap). */
static int draw_bars(struct tui_app *app)
{
	/* tab bar */
	tui_fill_line(0, COLS, ROLE_TITLE);
	int x = 0;
	tui_print(0, x, COLS, ROLE_TITLE, " vbadmin ");
	x += 9;
	for (int i = 0; i < SCREEN__COUNT && x < COLS; i++) {
		if (i == SCR_HELP)
			continue;
		char tab[40];
		int n = tab_label(i, tab, sizeof tab);
		tui_print(0, x, COLS - x, i == app->screen ? ROLE_SELECTED : ROLE_TITLE, tab);
		x += n;
	}
	/* key bar: keybar.def's keys in one row, or two broken between keys (keybar.c); a message
	 * instead, in one row or two broken at a word */
	char rows[2][512];
	int krows = 1;
	if (app->status_msg[0]) {
		const char *msg = app->status_msg;
		int cut = keybar_break(msg, COLS);
		while (cut > 1 && msg[cut] != ' ')
			cut--;
		snprintf(rows[0], sizeof rows[0], "%.*s", cut ? cut : (int)strlen(msg), msg);
		if (cut) {
			while (msg[cut] == ' ')
				cut++;
			snprintf(rows[1], sizeof rows[1], " %s", msg + cut);
			krows = 2;
		}
	} else {
		krows = tui_keybar(app, rows[0], rows[1], sizeof rows[0]);
	}
	for (int i = 0; i < krows; i++) {
		tui_fill_line(LINES - krows + i, COLS, ROLE_KEYBAR);
		tui_print(LINES - krows + i, 0, COLS, ROLE_KEYBAR, rows[i]);
	}
	/* status bar, above the keys: when it is too wide the embedder's description gives way
	 * ("..."), so the server and the user always show */
	int sy = LINES - 1 - krows;
	char run[64] = "";
	if (app->job_running)
		snprintf(run, sizeof run, " RUNNING (%s cancels) |", tui_key(ACT_CANCEL));
	const char *server = app->server[0] ? app->server : "-", *user = app->user[0] ? app->user : "-";
	const char *bw = "backend ", *sw = "server "; /* words dropped first when it is too wide */
	int rest = snprintf(NULL, 0, "%s %s%s | ns %s | emb  | %s%s | user %s", run, bw, app->backend, app->namespace_,
	                    sw, server, user);
	int elen = (int)strlen(app->embedder);
	if (rest + elen >= COLS) {
		bw = sw = "";
		rest -= 15;
	}
	int room = COLS - 1 - rest;
	tui_fill_line(sy, COLS, ROLE_STATUS);
	tui_printf(sy, 0, COLS, ROLE_STATUS, "%s %s%s | ns %s | emb %.*s%s | %s%s | user %s", run, bw, app->backend,
	           app->namespace_, elen <= room ? elen : room > 3 ? room - 3 : 0, app->embedder,
	           elen <= room ? "" : "...", sw, server, user);
	return app->bar_rows = 1 + krows;
}

void tui_cleanup_screens(struct tui_app *app)
{
	for (int i = 0; i < SCREEN__COUNT; i++)
		if (screens[i]->cleanup)
			screens[i]->cleanup(app);
}

void tui_redraw(struct tui_app *app)
{
	erase();
	if (COLS < 80 || LINES < 24) {
		tui_printf(0, 0, COLS, ROLE_NORMAL, "terminal too small: %dx%d", COLS, LINES);
		tui_print(1, 0, COLS, ROLE_NORMAL, "vbadmin needs at least 80x24");
		refresh();
		return;
	}
	int bars = draw_bars(app);
	screens[app->screen]->draw(app, 1, LINES - 1 - bars, COLS);
	refresh();
}

const struct tui_screen_ops *tui_screen_ops_of(int id)
{
	return id >= 0 && id < SCREEN__COUNT ? screens[id] : NULL;
}

/* The ':' commands: every screen by its name (screens.def), every command of cli/commands.def
 * that has a screen (check, verify, ddl apply, bootstrap-kb ...), and quit. */
static int screen_named(const char *name)
{
	for (int i = 0; name && i < SCREEN__COUNT; i++)
		if (strcmp(screens[i]->name, name) == 0)
			return i;
	return -1;
}

const char *tui_command_names(char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; i < SCREEN__COUNT; i++)
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, ":%s ", screens[i]->name);
	for (size_t i = 0; i < cli_ncommands; i++)
		if (cli_commands[i].screen && screen_named(cli_commands[i].name) < 0)
			used += (size_t)snprintf(buf + used, used < len ? len - used : 0, ":%s ", cli_commands[i].name);
	snprintf(buf + used, used < len ? len - used : 0, ":quit");
	return buf;
}

static void unknown_command(struct tui_app *app, const char *cmd)
{
	const char *names[64];
	size_t n = 0;
	for (int i = 0; i < SCREEN__COUNT && n < 64; i++)
		names[n++] = screens[i]->name;
	for (size_t i = 0; i < cli_ncommands && n < 64; i++)
		if (cli_commands[i].screen)
			names[n++] = cli_commands[i].name;
	const char *s = cli_suggest(cmd, names, n);
	if (s)
		tui_status(app, "unknown command ':%s'; did you mean ':%s'? (%s lists the commands)", cmd, s,
		           tui_key(ACT_HELP));
	else
		tui_status(app, "unknown command ':%s' (%s lists the commands)", cmd, tui_key(ACT_HELP));
}

void tui_run_command(struct tui_app *app, const char *cmd)
{
	while (*cmd == ' ' || *cmd == ':')
		cmd++;
	if (!*cmd)
		return;
	if (strcmp(cmd, "q") == 0 || strcmp(cmd, "quit") == 0) {
		app->quit = 1;
		return;
	}
	if (strncmp(cmd, "save-display ", 13) == 0) {
		tui_redraw(app);
		tui_test_dump(cmd + 13);
		return;
	}
	if (strncmp(cmd, "migrate", 7) == 0 && (cmd[7] == ' ' || !cmd[7])) { /* takes FROM TO [TABLES] */
		tui_migrate(app, cmd + 7);
		return;
	}
	const struct cli_command *c = cli_find(cmd);
	int s = screen_named(cmd);
	if (s < 0 && c)
		s = screen_named(c->screen);
	if (s < 0) {
		unknown_command(app, cmd);
		return;
	}
	tui_switch(app, s);
	/* a command that does something on its screen does it, as its CLI twin would */
	if (c && strcmp(c->name, "check") == 0)
		screens[SCR_SETUP]->action(app, ACT_RUN_ALL);
	else if (c && strcmp(c->name, "ddl apply") == 0)
		tui_ddl_apply(app);
}

/* ESC followed at once by another key is Meta-key (the terminal sent both together);
 * curses already waited ESCDELAY for it, so a lone Esc stays Esc.  Only a byte makes a Meta
 * key: a resize (SIGWINCH cut curses' wait short) or a function key after a lone Esc is a key
 * of its own, given back for the next read (merged, both were lost: the Esc did nothing and
 * readline got ESC and a stray byte). */
static int read_tty_key(void)
{
	int k = getch();
	if (k != 27)
		return k;
	timeout(0);
	int next = getch();
	if (next > 0xff) {
		ungetch(next);
		return 27;
	}
	return next == ERR || next == 27 ? 27 : TUI_META | next;
}

int tui_read_key(struct tui_app *app)
{
	if (tui_test_headless()) {
		int k;
		return tui_test_next_key(app, &k) ? k : -1;
	}
	int k;
	do {
		timeout(-1);
		k = read_tty_key();
	} while (k == ERR);
	return k;
}

/* Whether text is drawn anywhere in the screen's own area (not the tab, status or key bar). */
static int body_shows(const struct tui_app *app, const char *text)
{
	char line[1024];
	for (int y = 1; y < LINES - app->bar_rows; y++) {
		int n = mvinnstr(y, 0, line, (int)sizeof line - 1);
		line[n < 0 ? 0 : n] = '\0';
		if (strstr(line, text))
			return 1;
	}
	return 0;
}

/* '/': the screen jumps to the first match at once (a step on Setup, a line in a pane), and
 * when no match is drawn even then, the key bar says "not found" (as less and vim do). */
static void find_first(struct tui_app *app, const char *text)
{
	snprintf(app->find, sizeof app->find, "%s", text);
	const struct tui_screen_ops *s = screens[app->screen];
	if (s->action)
		s->action(app, ACT_FIND_NEXT);
	tui_redraw(app);
	if (body_shows(app, text)) {
		tui_status(app, "find: %s (%s / %s: next / previous)", text, tui_key(ACT_FIND_NEXT), tui_key(ACT_FIND_PREV));
	} else {
		tui_status(app, "not found: %s", text);
		app->find[0] = '\0';
	}
}

/* The tab under column x of the tab bar, or -1; the same layout draw_bars draws. */
static int tab_at(int x)
{
	int at = 9;
	for (int i = 0; i < SCREEN__COUNT; i++) {
		if (i == SCR_HELP)
			continue;
		char tab[40];
		int w = tab_label(i, tab, sizeof tab);
		if (x >= at && x < at + w)
			return i;
		at += w;
	}
	return -1;
}

static void handle_click(struct tui_app *app)
{
	MEVENT ev;
	if (getmouse(&ev) != OK || !(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
		return;
	if (ev.y == 0) {
		int t = tab_at(ev.x);
		if (t >= 0)
			tui_switch(app, t);
		return;
	}
	const struct tui_screen_ops *s = screens[app->screen];
	if (ev.y < LINES - app->bar_rows && s->click)
		s->click(app, ev.y, ev.x);
}

static void quit_console(struct tui_app *app)
{
	if (app->job_running && !tui_confirm(app, "A statement is running. Cancel it and quit?"))
		return;
	if (app->job_running)
		cancel_job(app);
	app->quit = 1;
}

/* Back goes to the setup screen (help returns where it came from); on the setup screen only the
 * letter quits: Esc is a prompt's way out and must never close vbadmin. */
static void go_back(struct tui_app *app, int key)
{
	if (app->screen == SCR_HELP)
		tui_switch(app, app->prev_screen);
	else if (app->screen != SCR_SETUP)
		tui_switch(app, SCR_SETUP);
	else if (!tui_key_is_text(key))
		tui_status(app, "%s never quits: %s or %s quits vbadmin", tui_key_name(key), tui_action_letter(ACT_BACK),
		           tui_key(ACT_QUIT));
	else
		quit_console(app);
}

/* The actions every screen has, after the screen itself passed on them. */
static void global_action(struct tui_app *app, int action, int key)
{
	switch (action) {
	case ACT_QUIT: quit_console(app); break;
	case ACT_BACK: go_back(app, key); break;
	case ACT_HELP: tui_switch(app, SCR_HELP); break;
	case ACT_COMMAND: {
		char buf[200] = "";
		if (tui_input(app, ":", buf, sizeof buf))
			tui_run_command(app, buf);
		break;
	}
	case ACT_FIND: {
		char buf[128] = "";
		if (tui_input(app, "/", buf, sizeof buf) && buf[0])
			find_first(app, buf);
		break;
	}
	default:
		if (action >= ACT_GOTO__FIRST && action < ACT_GOTO__FIRST + SCREEN__COUNT)
			tui_switch(app, action - ACT_GOTO__FIRST);
		break;
	}
}

static void handle_key(struct tui_app *app, int key)
{
	if (key == KEY_MOUSE) {
		handle_click(app);
		return;
	}
	if (key == KEY_RESIZE || key == KEY_RESIZE + 1000)
		return;
	/* a status message answers the last key; the next key takes it away */
	int cancel = tui_key_action(key) == ACT_CANCEL; /* Ctrl-C goes past the screen's prompt */
	if (!cancel)
		app->status_msg[0] = '\0';
	if (!cancel && screens[app->screen]->key && screens[app->screen]->key(app, key))
		return;
	if (TUI_IS_META(key)) {
		/* Meta keys belong to prompts; elsewhere they do nothing (and never act as Esc) */
		tui_status(app, "M-%c does nothing here", (char)(key & 0xff));
		return;
	}
	int action = tui_key_action(key);
	if (action == ACT_NONE)
		return;
	app->status_msg[0] = '\0';
	if (action == ACT_CANCEL) {
		cancel_job(app);
		return;
	}
	if (screens[app->screen]->action && screens[app->screen]->action(app, action))
		return;
	global_action(app, action, key);
}

int tui_app_loop(struct tui_app *app)
{
	int headless = tui_test_headless();
	if (screens[app->screen]->enter)
		screens[app->screen]->enter(app);
	while (!app->quit) {
		tui_redraw(app);
		if (headless) {
			struct pollfd pj = {app->job_pipe[0], POLLIN, 0};
			if (app->job_running && poll(&pj, 1, 0) > 0) {
				job_finished(app);
				continue;
			}
			int k;
			if (!tui_test_next_key(app, &k)) {
				if (app->job_running) {
					poll(&pj, 1, -1);
					job_finished(app);
					continue;
				}
				break;
			}
			handle_key(app, k);
			continue;
		}
		struct pollfd fds[2] = {{0, POLLIN, 0}, {app->job_pipe[0], POLLIN, 0}};
		int n = poll(fds, 2, app->job_running ? 250 : -1);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && (fds[1].revents & POLLIN))
			job_finished(app);
		/* also after EINTR: SIGWINCH reaches us as KEY_RESIZE only through getch */
		if (n != 0) {
			/* a modal inside handle_key may leave getch blocking: reset before every read */
			int k;
			for (;;) {
				timeout(0);
				if ((k = read_tty_key()) == ERR)
					break;
				handle_key(app, k);
			}
		}
	}
	if (app->job_running) {
		app->cancel_requested = 1;
		if (app->cancel_fn)
			app->cancel_fn(app->cancel_arg);
		pthread_join(app->job_thread, NULL);
		app->job_running = 0;
	}
	return app->rc;
}
