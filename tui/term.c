/* tui/term.c - curses set-up and teardown, colours (NO_COLOR aware), status glyphs.
 * Teardown is registered as the fatal hook so the terminal is restored on every exit path. */
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

static int term_is_open;
static SCREEN *term_screen;
static FILE *term_null;
static int role_attr[ROLE__COUNT];

void tui_term_close(void)
{
	if (!term_is_open)
		return;
	term_is_open = 0;
	endwin();
	if (term_screen) {
		delscreen(term_screen);
		term_screen = NULL;
	}
	if (term_null) {
		fclose(term_null);
		term_null = NULL;
	}
}

static void fatal_restore(void)
{
	tui_term_close();
}

static void on_fatal_signal(int sig)
{
	/* endwin is not async-signal-safe, but on a crash a restored terminal beats a wedged one */
	if (term_is_open)
		endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void setup_colors(struct tui_app *app)
{
	static const struct { int role, fg, bg, extra; } pairs[] = {
		{ROLE_TITLE, COLOR_WHITE, COLOR_BLUE, A_BOLD},
		{ROLE_STATUS, COLOR_BLACK, COLOR_CYAN, 0},
		{ROLE_KEYBAR, COLOR_BLACK, COLOR_WHITE, 0},
		{ROLE_OK, COLOR_GREEN, -1, A_BOLD},
		{ROLE_WARN, COLOR_YELLOW, -1, A_BOLD},
		{ROLE_FAIL, COLOR_RED, -1, A_BOLD},
		{ROLE_SKIP, COLOR_BLUE, -1, 0},
		{ROLE_SELECTED, COLOR_BLACK, COLOR_YELLOW, 0},
		{ROLE_SQL_KEYWORD, COLOR_CYAN, -1, A_BOLD},
		{ROLE_SQL_STRING, COLOR_GREEN, -1, 0},
		{ROLE_SQL_COMMENT, COLOR_BLUE, -1, 0},
		{ROLE_DIM, COLOR_WHITE, -1, A_DIM},
	};
	/* monochrome fallbacks keep every role distinguishable without colour */
	role_attr[ROLE_NORMAL] = A_NORMAL;
	role_attr[ROLE_TITLE] = A_REVERSE | A_BOLD;
	role_attr[ROLE_STATUS] = A_REVERSE;
	role_attr[ROLE_KEYBAR] = A_REVERSE;
	role_attr[ROLE_OK] = A_BOLD;
	role_attr[ROLE_WARN] = A_BOLD;
	role_attr[ROLE_FAIL] = A_BOLD | A_UNDERLINE;
	role_attr[ROLE_SKIP] = A_DIM;
	role_attr[ROLE_SELECTED] = A_REVERSE;
	role_attr[ROLE_SQL_KEYWORD] = A_BOLD;
	role_attr[ROLE_SQL_STRING] = A_NORMAL;
	role_attr[ROLE_SQL_COMMENT] = A_DIM;
	role_attr[ROLE_DIM] = A_DIM;
	app->color = 0;
	if (app->ctx->no_color || !has_colors())
		return;
	start_color();
	use_default_colors();
	app->color = 1;
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		init_pair((short)(i + 1), (short)pairs[i].fg, (short)pairs[i].bg);
		role_attr[pairs[i].role] = (int)COLOR_PAIR(i + 1) | pairs[i].extra;
	}
}

int tui_term_open(struct tui_app *app)
{
	setlocale(LC_ALL, "");
	const char *cs = nl_langinfo(CODESET);
	app->ascii = !(cs && strcmp(cs, "UTF-8") == 0) || (getenv("VBADMIN_ASCII") && *getenv("VBADMIN_ASCII"));
	if (getenv("TERM") && strcmp(getenv("TERM"), "dumb") == 0)
		app->ctx->no_color = 1;
	if (!getenv("ESCDELAY"))
		set_escdelay(50);
	if (tui_test_headless()) {
		/* screen goes nowhere; the test reads it back with the dump hook */
		term_null = fopen("/dev/null", "w");
		term_screen = newterm(getenv("TERM") ? NULL : "xterm", term_null, stdin);
		if (!term_screen)
			return -1;
		set_term(term_screen);
	} else if (!initscr()) {
		return -1;
	}
	term_is_open = 1;
	vb_fatal_hook = fatal_restore;
	signal(SIGSEGV, on_fatal_signal);
	signal(SIGABRT, on_fatal_signal);
	signal(SIGBUS, on_fatal_signal);
	raw(); /* Ctrl-C arrives as a key: it cancels the running statement, not the program */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	/* clicks on tabs, list rows and buttons (Shift+drag still selects text in most terminals) */
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
	mouseinterval(0);
	curs_set(0);
	setup_colors(app);
	return 0;
}

int tui_attr(int role)
{
	return role >= 0 && role < ROLE__COUNT ? role_attr[role] : (int)A_NORMAL;
}

const char *tui_glyph_status(struct tui_app *app, int status)
{
	static const char *const utf8[] = {"·", "✓", "!", "✗", "–"};
	static const char *const ascii[] = {"[..]", "[OK]", "[WARN]", "[FAIL]", "[SKIP]"};
	if (status < 0 || status > 4)
		status = 0;
	return app->ascii ? ascii[status] : utf8[status];
}

int tui_status_role(int status)
{
	static const int roles[] = {ROLE_DIM, ROLE_OK, ROLE_WARN, ROLE_FAIL, ROLE_SKIP};
	return status >= 0 && status <= 4 ? roles[status] : ROLE_NORMAL;
}
