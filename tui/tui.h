/* tui/tui.h - console internals shared by the shell and the screens. */
#ifndef TUI_TUI_H
#define TUI_TUI_H

#include <curses.h>
#include <pthread.h>
#include <stdatomic.h>

#include "../cli/cli.h"

enum tui_action {
	ACT_NONE = 0,
#define ACTION(id, name, help) id,
#include "actions.def"
#undef ACTION
	/* one "go to" action per screen, from screens.def */
	ACT_GOTO__FIRST,
	ACT_GOTO__LAST = ACT_GOTO__FIRST + 7, /* SCREEN__COUNT - 1, checked in keymap.c */
	ACT__COUNT
};

enum tui_role {
	ROLE_NORMAL = 0, ROLE_TITLE, ROLE_STATUS, ROLE_KEYBAR, ROLE_OK, ROLE_WARN, ROLE_FAIL,
	ROLE_SKIP, ROLE_SELECTED, ROLE_SQL_KEYWORD, ROLE_SQL_STRING, ROLE_SQL_COMMENT, ROLE_DIM,
	ROLE_SQL, /* a line of SQL: drawn token by token with the SQL_* roles */
	ROLE__COUNT
};

struct tui_app;
struct engine;

/* A screen owns only its drawing and key handling; data comes from the engine. */
struct tui_screen_ops {
	const char *name;
	const char *title;
	void (*enter)(struct tui_app *app);
	void (*draw)(struct tui_app *app, int top, int height, int width);
	/* Returns 1 when the action was handled. */
	int (*action)(struct tui_app *app, int action);
	/* Called on the main thread when a background job of this screen finished. */
	void (*job_done)(struct tui_app *app);
	/* Text lines for '/' find and for tests; may be NULL. */
	const char *help_context;
	/* Raw key before the key map (a text prompt); returns 1 when consumed.  May be NULL. */
	int (*key)(struct tui_app *app, int key);
	/* Frees the screen's state when the console closes.  May be NULL. */
	void (*cleanup)(struct tui_app *app);
	/* Which pane of keybar.def the key bar shows now (Search: prompt, results, one hit); NULL: 0. */
	int (*pane)(struct tui_app *app);
	/* A mouse click at screen row y, column x (the screen's own area); 1 when it did something.
	 * May be NULL. */
	int (*click)(struct tui_app *app, int y, int x);
};

/* A Meta (Alt) key: the terminal sends ESC then the key; the console reads both as one key
 * so that M-b is readline's backward-word in a prompt and never a lone Esc. */
#define TUI_META 0x100000
#define TUI_IS_META(k) (((k) & TUI_META) != 0)

enum tui_screen_id {
#define SCREEN(id, ops, key) id,
#include "screens.def"
#undef SCREEN
	SCREEN__COUNT
};

typedef void (*tui_job_fn)(struct tui_app *app, void *arg);

struct tui_app {
	struct cli_ctx *ctx;
	int screen;
	int prev_screen;
	int quit;
	int rc;
	int ascii;           /* ASCII glyphs instead of UTF-8 */
	int color;
	char status_msg[256];
	int bar_rows;        /* rows of the status and key bars as last drawn: 2, or 3 when the key bar wraps */
	char find[128];
	/* background job: one at a time */
	pthread_t job_thread;
	int job_running;
	int job_pipe[2];
	int job_screen;
	atomic_int cancel_requested; /* Ctrl-C: set by the UI thread, read by the worker */
	void (*cancel_fn)(void *);  /* set by the job owner; async-signal-safe cancel */
	void *cancel_arg;
	/* what the status bar shows */
	char backend[32];
	char namespace_[64];
	char server[96];
	char user[64];
	char embedder[96];   /* the semantic_model store's model, "hashing", or "<model> not served" */
	/* session log */
	pthread_mutex_t log_lock;
	char **log;
	int nlog;           /* at most TUI_LOG_MAX */
	long log_dropped;   /* oldest lines dropped so far (line 0 then says so) */
	/* set when DDL, a fix or a bootstrap changed the store: Setup re-runs its checks on return */
	int data_changed;
	/* the guided-setup engine; it also owns the backend connection every screen uses */
	struct engine *engine;
	/* per-screen state lives in the screen files, reachable through this pointer array */
	void *state[SCREEN__COUNT];
};

/* term.c */
int tui_term_open(struct tui_app *app);
void tui_term_close(void);
int tui_attr(int role);
const char *tui_glyph_status(struct tui_app *app, int status); /* engine step status -> glyph */
int tui_status_role(int status);

/* keymap.c */
int tui_key_action(int key);
/* The screen of screens.def with that id, or NULL. */
const struct tui_screen_ops *tui_screen_ops_of(int id);
const char *tui_action_help(int action);
/* Every key of an action, "Up k". */
const char *tui_action_keys(int action, char *buf, size_t len);
/* The shortest key of an action for a bar; raw: as a text prompt sees keys (no printable one). */
const char *tui_action_key(int action, int raw);
/* The key a text names for an action ("Ctrl-C cancels"): its shortest name in keymap.def. */
const char *tui_key(int action);
/* The first key of an action that is one printable character ("q" of back), "" when none. */
const char *tui_action_letter(int action);
/* keymap.def's name of a key code ("Esc" for 27), "" when unbound. */
const char *tui_key_name(int key);
/* A key a text prompt takes as a character. */
int tui_key_is_text(int key);
/* The key of screens.def that opens screen id, 0 when none. */
char tui_screen_key(int id);

/* keybar.c: key bars from keybar.def.  Rows for every pane use TUI_PANE_ANY. */
#define TUI_PANE_ANY (-1)
/* The bar of screen/pane within width columns: one row, or two when the screen's own keys need
 * them (row1 then holds the second); returns how many. */
int tui_keybar_text(int screen, int pane, int width, char *row0, char *row1, size_t len);
/* The bar of the screen shown now (its .pane). */
int tui_keybar(struct tui_app *app, char *row0, char *row1, size_t len);
/* Every row of a screen, every pane, with all its keys: Help's "Keys of" list. */
void tui_keybar_each(int screen, void (*fn)(void *ctx, const char *keys, const char *label), void *ctx);
/* How many panes keybar.def names for a screen (1 when all rows are TUI_PANE_ANY). */
int tui_keybar_panes(int screen);

/* widgets.c */
void tui_fill_line(int y, int width, int role);
void tui_print(int y, int x, int width, int role, const char *text);
void tui_printf(int y, int x, int width, int role, const char *fmt, ...) VB_PRINTF(5, 6);
/* Keeps sel visible; returns the new scroll. */
int tui_scroll_for(int sel, int scroll, int height, int n);
/* Moves a selection by an action; returns 1 when it moved. */
int tui_move(int action, int *sel, int n, int page);
/* Modal yes/no; returns 1 for yes. */
int tui_confirm(struct tui_app *app, const char *question);
/* Modal one-line input; returns 1 and fills buf on Enter, 0 on Esc. */
int tui_input(struct tui_app *app, const char *prompt, char *buf, size_t len);

/* lineedit.c: Emacs keys on a fixed buffer (C-a C-e C-b C-f C-u C-k C-w C-d, M-b M-f M-d,
 * arrows); returns 1 when the key was an editing key. */
struct tui_line {
	char *buf;
	size_t cap;
	size_t pos;
};
int tui_line_key(struct tui_line *l, int key);

/* clipboard.c: OSC 52 to the terminal; 0 when sent */
int tui_clipboard_copy(const char *text);

/* app.c */
/* The session log keeps the newest TUI_LOG_MAX lines; the Search lab's readline history the
 * newest TUI_HISTORY_MAX queries, in memory and in its file (docs/console.md). */
#define TUI_LOG_MAX 1000
#define TUI_HISTORY_MAX 1000
void tui_log(struct tui_app *app, const char *fmt, ...) VB_PRINTF(2, 3);
void tui_status(struct tui_app *app, const char *fmt, ...) VB_PRINTF(2, 3);
/* "busy: a statement is running (Ctrl-C cancels it)" */
void tui_status_busy(struct tui_app *app);
void tui_switch(struct tui_app *app, int screen);
/* Runs fn(app, arg) on a worker thread; the screen's job_done runs when it ends. */
int tui_job_start(struct tui_app *app, tui_job_fn fn, void *arg);
int tui_read_key(struct tui_app *app);  /* blocking, for modals */
void tui_redraw(struct tui_app *app);
void tui_run_command(struct tui_app *app, const char *cmd);
void tui_cleanup_screens(struct tui_app *app);

/* backend.c: the engine's connection, shared by the screens; call on the worker thread */
int tui_connect(struct tui_app *app, struct vb_error *err);
/* Main thread, no job running: replaces the engine by a fresh one (facts and catalog are read
 * again); tui_job_fresh renews, then starts fn like tui_job_engine. */
void tui_engine_renew(struct tui_app *app);
int tui_job_fresh(struct tui_app *app, tui_job_fn fn, void *arg);
/* Server and user of the status bar, from what the engine learned. */
void tui_status_from_engine(struct tui_app *app);
/* Like tui_job_start, with Ctrl-C wired to cancel the engine's statement in flight. */
int tui_job_engine(struct tui_app *app, tui_job_fn fn, void *arg);
/* "12 ms" (or "-- ms" in headless test runs, so golden screens stay stable). */
const char *tui_ms(double ms, char *buf, size_t len);

/* screen_ddl.c: asks, then applies the whole DDL (the wizard's fix for missing tables) */
void tui_ddl_apply(struct tui_app *app);
/* The ':' command names, space separated, for Help and messages. */
const char *tui_command_names(char *buf, size_t len);

/* migrate.c: `:migrate FROM TO [TABLE,...]` (asks, then runs on the worker; results in the Log) */
void tui_migrate(struct tui_app *app, const char *args);
void tui_migrate_job_done(struct tui_app *app);

/* sqlcolor.c: one line of SQL, keywords / strings / comments in their roles */
void tui_print_sql(int y, int x, int width, const char *line);

/* testhook.c: headless runs (VBADMIN_SCRIPT / VBADMIN_DUMP) */
int tui_test_headless(void);
int tui_test_next_key(struct tui_app *app, int *key); /* 1 = a key, 0 = script ended */
void tui_test_dump(const char *path);

#define SCREEN(id, ops, key) extern const struct tui_screen_ops ops;
#include "screens.def"
#undef SCREEN

#endif
