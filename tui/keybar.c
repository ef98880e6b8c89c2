/* tui/keybar.c - the key bar of each screen and Help's "Keys of" list, from keybar.def with the
 * key names of keymap.def: nothing here or in a screen restates a key. */
#include <stdio.h>
#include <string.h>

#include "tui.h"

#define ROW_ACTIONS 4

struct row {
	int screen, pane;
	int raw;             /* a prompt's view: no printable key */
	const char *rl_keys; /* readline's own keys, or NULL */
	const char *label;
	int act[ROW_ACTIONS]; /* ACT_NONE ends the list */
};

static const struct row rows[] = {
#define KEYBAR(screen, pane, label, ...) {screen, pane, 0, NULL, label, {__VA_ARGS__}},
#define KEYBAR_RAW(screen, pane, label, ...) {screen, pane, 1, NULL, label, {__VA_ARGS__}},
#define KEYBAR_RL(screen, pane, keys, label) {screen, pane, 1, keys, label, {ACT_NONE}},
#include "keybar.def"
#undef KEYBAR
#undef KEYBAR_RAW
#undef KEYBAR_RL
};
#define NROWS (sizeof rows / sizeof rows[0])

/* Moving, finding, leaving: the same on every screen, so a bar that is full leaves them to Help. */
static int common_action(int a)
{
	switch (a) {
	case ACT_UP: case ACT_DOWN: case ACT_LEFT: case ACT_RIGHT: case ACT_PGUP: case ACT_PGDN: case ACT_HOME:
	case ACT_END: case ACT_FIND: case ACT_FIND_NEXT: case ACT_FIND_PREV: case ACT_BACK: case ACT_QUIT:
	case ACT_COMMAND: case ACT_CANCEL: case ACT_GOTO__FIRST:
		return 1;
	default:
		return 0;
	}
}

static int row_is(const struct row *r, int (*pred)(int))
{
	for (int i = 0; i < ROW_ACTIONS && r->act[i] != ACT_NONE; i++)
		if (!pred(r->act[i]))
			return 0;
	return r->act[0] != ACT_NONE;
}

static int is_help(int a)
{
	return a == ACT_HELP;
}

static int shows_on(const struct row *r, int screen, int pane)
{
	return r->screen == screen && (r->pane == TUI_PANE_ANY || r->pane == pane);
}

/* "1-7": the first and the last key of screens.def. */
static void screen_keys(char *buf, size_t len)
{
	char first = 0, last = 0;
	for (int i = 0; i < SCREEN__COUNT; i++) {
		char k = tui_screen_key(i);
		if (k && !first)
			first = k;
		if (k)
			last = k;
	}
	snprintf(buf, len, "%c-%c", first, last);
}

/* The keys of a row, "j/k": per action its shortest name in keymap.def (all = every name). */
static void row_keys(const struct row *r, int all, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	if (r->rl_keys) {
		snprintf(buf, len, "%s", r->rl_keys);
		return;
	}
	for (int i = 0; i < ROW_ACTIONS && r->act[i] != ACT_NONE; i++) {
		char one[64];
		if (r->act[i] == ACT_GOTO__FIRST)
			screen_keys(one, sizeof one);
		else if (all)
			tui_action_keys(r->act[i], one, sizeof one);
		else
			snprintf(one, sizeof one, "%s", tui_action_key(r->act[i], r->raw));
		if (!one[0] || (used && strstr(buf, one)))
			continue; /* Enter and Esc/q name one action twice */
		int n = snprintf(buf + used, len - used, "%s%s", used ? (all ? " / " : "/") : "", one);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

static int item_width(const struct row *r)
{
	char keys[96];
	row_keys(r, 0, keys, sizeof keys);
	return (int)(strlen(keys) + 1 + strlen(r->label));
}

/* Lays the bar of screen/pane out in at most two rows of width columns: the screen's own rows
 * in order (a second row only when they and the help key do not fit one), the help key last, then
 * the common rows in their order wherever room is left (one column spare: the bar never touches
 * the corner).  line[i] is the bar row of item i (-1: Help only).  Returns the rows used. */
static int layout(int screen, int pane, int width, signed char *line)
{
	int used[2] = {0, 0}, own = 0;
	for (size_t i = 0; i < NROWS; i++) {
		line[i] = -1;
		if (shows_on(&rows[i], screen, pane) && !row_is(&rows[i], common_action))
			own += 2 + item_width(&rows[i]);
	}
	int nlines = own <= width ? 1 : 2, spilled = 0;
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < NROWS; i++) {
			const struct row *r = &rows[i];
			int kind = row_is(r, is_help) ? 1 : row_is(r, common_action) ? 2 : 0;
			if (kind != pass || !shows_on(r, screen, pane))
				continue;
			int w = 2 + item_width(r);
			/* own rows fill row 0 first; the help key ends the last row */
			int l = pass == 1 ? nlines - 1 : (!spilled && used[0] + w <= width ? 0 : nlines - 1);
			spilled |= pass == 0 && l == 1;
			if (pass < 2 || used[l] + w <= width) {
				line[i] = (signed char)l;
				used[l] += w;
			}
		}
	return nlines;
}

int tui_keybar_text(int screen, int pane, int width, char *row0, char *row1, size_t len)
{
	signed char line[NROWS];
	int nlines = layout(screen, pane, width, line);
	char *out[2] = {row0, row1};
	size_t used[2] = {0, 0};
	row0[0] = row1[0] = '\0';
	for (int help_last = 0; help_last < 2; help_last++)
		for (size_t i = 0; i < NROWS; i++) {
			int l = line[i];
			if (l < 0 || row_is(&rows[i], is_help) != help_last)
				continue;
			char keys[96];
			row_keys(&rows[i], 0, keys, sizeof keys);
			int n = snprintf(out[l] + used[l], len - used[l], "%s%s %s", used[l] ? "  " : " ", keys, rows[i].label);
			if (n > 0 && (size_t)n < len - used[l])
				used[l] += (size_t)n;
		}
	return nlines;
}

int tui_keybar(struct tui_app *app, char *row0, char *row1, size_t len)
{
	const struct tui_screen_ops *s = tui_screen_ops_of(app->screen);
	int pane = s && s->pane ? s->pane(app) : 0;
	return tui_keybar_text(app->screen, pane, COLS, row0, row1, len);
}

void tui_keybar_each(int screen, void (*fn)(void *ctx, const char *keys, const char *label), void *ctx)
{
	for (size_t i = 0; i < NROWS; i++) {
		if (rows[i].screen != screen)
			continue;
		char keys[128];
		row_keys(&rows[i], 1, keys, sizeof keys);
		fn(ctx, keys, rows[i].label);
	}
}

int tui_keybar_panes(int screen)
{
	int n = 1;
	for (size_t i = 0; i < NROWS; i++)
		if (rows[i].screen == screen && rows[i].pane >= n)
			n = rows[i].pane + 1;
	return n;
}
