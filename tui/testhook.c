/* tui/testhook.c - headless console runs for golden screen tests.
 * VBADMIN_SCRIPT=FILE feeds keys, one token per line: a single character, or <Enter> <Esc> <Tab>
 * <Up> <Down> <PgUp> <PgDn> <Home> <End> <F1>..<F10> <C-c> <C-u> <C-r> <Space> <Resize> <M-x> (Meta-x), ":cmd" (command line + Enter),
 * "=dump PATH" (writes the screen), "=keybars PATH" (every screen's key bar, every pane), "=wait"
 * (waits for the running job), "#" comments.
 * VBADMIN_DUMP=PATH writes the final screen when the script ends. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui.h"

static FILE *script;
static int pending[256];
static int npending, ipending;

int tui_test_headless(void)
{
	const char *s = getenv("VBADMIN_SCRIPT");
	return s && *s;
}

void tui_test_dump(const char *path)
{
	FILE *f = vb_fopen_private(path, "w");
	if (!f)
		return;
	char line[1024];
	for (int y = 0; y < LINES; y++) {
		int n = mvinnstr(y, 0, line, (int)sizeof line - 1);
		if (n < 0)
			n = 0;
		line[n] = '\0';
		while (n > 0 && line[n - 1] == ' ')
			line[--n] = '\0';
		fprintf(f, "%s\n", line);
	}
	fclose(f);
}

static const struct { const char *name; int key; } named[] = {
	{"<Enter>", '\n'}, {"<Esc>", 27}, {"<Tab>", '\t'}, {"<Up>", KEY_UP}, {"<Down>", KEY_DOWN},
	{"<Left>", KEY_LEFT}, {"<Right>", KEY_RIGHT}, {"<PgUp>", KEY_PPAGE}, {"<PgDn>", KEY_NPAGE},
	{"<Home>", KEY_HOME}, {"<End>", KEY_END}, {"<C-c>", 3}, {"<C-u>", 21}, {"<C-r>", 18}, {"<Space>", ' '},
	{"<Backspace>", KEY_BACKSPACE}, {"<Resize>", KEY_RESIZE},
};

/* Every screen's key bar, every pane, at this width: "<screen> <pane>\t<bar row>" a line. */
static void keybars(const char *path)
{
	FILE *f = vb_fopen_private(path, "w");
	if (!f)
		return;
	for (int s = 0; s < SCREEN__COUNT; s++)
		for (int p = 0; p < tui_keybar_panes(s); p++) {
			char row[2][512];
			int n = tui_keybar_text(s, p, COLS, row[0], row[1], sizeof row[0]);
			for (int i = 0; i < n; i++)
				fprintf(f, "%s %d\t%s\n", tui_screen_ops_of(s)->name, p, row[i]);
		}
	fclose(f);
}

static void wait_job(struct tui_app *app)
{
	while (app->job_running) {
		fd_set fds;
		FD_ZERO(&fds);
		FD_SET(app->job_pipe[0], &fds);
		struct timeval tv = {0, 20000};
		if (select(app->job_pipe[0] + 1, &fds, NULL, NULL, &tv) > 0)
			break; /* the main loop drains the pipe and calls job_done */
	}
}

/* "=dump", "=keybars", "=wait": 1 = *key is set, 0 = done (read the next line), -1 = not one. */
static int directive(struct tui_app *app, char *line, int *key)
{
	if (strncmp(line, "=dump ", 6) == 0) {
		tui_redraw(app);
		tui_test_dump(line + 6);
		return 0;
	}
	if (strncmp(line, "=keybars ", 9) == 0) {
		keybars(line + 9);
		return 0;
	}
	if (strcmp(line, "=wait") == 0) {
		if (!app->job_running)
			return 0;
		wait_job(app);
		*key = KEY_RESIZE + 1000; /* a no-op key so the loop drains the job pipe */
		return 1;
	}
	return -1;
}

/* <Enter>, <M-x>, <F5> ...: 1 with *key set, 0 when the line names no key. */
static int named_key(const char *line, int *key)
{
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strcmp(line, named[i].name) == 0) {
			*key = named[i].key;
			return 1;
		}
	if (strncmp(line, "<M-", 3) == 0 && line[3] && strcmp(line + 4, ">") == 0) {
		*key = TUI_META | (unsigned char)line[3];
		return 1;
	}
	if (line[0] == '<' && line[1] == 'F') {
		*key = KEY_F(atoi(line + 2));
		return 1;
	}
	return 0;
}

/* Each character of line becomes a key (at most max of them), then Enter when enter is set;
 * *key is the first, the others are handed out by later calls. */
static void queue_text(const char *line, int max, int enter, int *key)
{
	npending = ipending = 0;
	for (const char *p = line; *p && npending < max; p++)
		pending[npending++] = (unsigned char)*p;
	if (enter)
		pending[npending++] = '\n';
	*key = pending[ipending++];
}

int tui_test_next_key(struct tui_app *app, int *key)
{
	if (ipending < npending) {
		*key = pending[ipending++];
		return 1;
	}
	if (!script) {
		script = fopen(getenv("VBADMIN_SCRIPT"), "r");
		if (!script)
			return 0;
	}
	char line[512];
	while (fgets(line, sizeof line, script)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		int d = directive(app, line, key);
		if (d > 0)
			return 1;
		if (d == 0)
			continue;
		if (line[0] == ':' && line[1]) { /* a command line, entered */
			queue_text(line, 250, 1, key);
			return 1;
		}
		if (!named_key(line, key))
			queue_text(line, 255, 0, key); /* plain text: each character is a key */
		return 1;
	}
	fclose(script);
	script = NULL;
	return 0;
}
