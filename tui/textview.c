/* tui/textview.c - a scrollable, searchable pane of text lines used by several screens. */
#include "textview.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void tui_text_clear(struct tui_text *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->lines[i]);
	free(t->lines);
	free(t->roles);
	t->lines = NULL;
	t->roles = NULL;
	t->n = 0;
	t->scroll = 0;
}

void tui_text_add(struct tui_text *t, int role, const char *line)
{
	t->lines = vb_xrealloc(t->lines, (size_t)(t->n + 1) * sizeof *t->lines);
	t->roles = vb_xrealloc(t->roles, (size_t)(t->n + 1) * sizeof *t->roles);
	t->lines[t->n] = vb_xstrdup(line);
	t->roles[t->n] = role;
	t->n++;
}

void tui_text_addf(struct tui_text *t, int role, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	tui_text_add(t, role, buf);
}

void tui_text_add_block(struct tui_text *t, int role, const char *text)
{
	const char *p = text;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = vb_xstrndup(p, n);
		tui_text_add(t, role, line);
		free(line);
		p = nl ? nl + 1 : NULL;
	}
}

void tui_text_draw_at(const struct tui_text *t, int top, int x0, int height, int width, const char *find)
{
	/* text cut by the pane's bottom says so on its last row, so nothing is hidden silently */
	int below = t->n - t->scroll - height;
	for (int r = 0; r < height && t->scroll + r < t->n; r++) {
		int i = t->scroll + r;
		if (below > 0 && r == height - 1 && height > 1) {
			char more[64];
			snprintf(more, sizeof more, "-- %d more line%s below --", below + 1, below + 1 == 1 ? "" : "s");
			tui_print(top + r, x0, width, ROLE_DIM, more);
			break;
		}
		int role = t->roles[i];
		if ((find && *find && strstr(t->lines[i], find)) || (t->has_cursor && i == t->cursor))
			role = ROLE_SELECTED;
		if (t->has_cursor && i == t->cursor) {
			attrset(tui_attr(ROLE_SELECTED));
			mvhline(top + r, x0, ' ', width);
			attrset(A_NORMAL);
		}
		const char *line = tui_text_skip_cols(t->lines[i], t->hscroll);
		if (role == ROLE_SQL)
			tui_print_sql(top + r, x0, width, line);
		else
			tui_print(top + r, x0, width, role, line);
	}
}

const char *tui_text_skip_cols(const char *line, int cols)
{
	while (cols > 0 && *line) {
		line++;
		while (((unsigned char)*line & 0xC0) == 0x80)
			line++;
		cols--;
	}
	return line;
}

static int find_from(const struct tui_text *t, const char *find, int start, int dir)
{
	for (int k = 0; k < t->n; k++) {
		int i = ((start + dir * k) % t->n + t->n) % t->n;
		if (strstr(t->lines[i], find))
			return i;
	}
	return -1;
}

/* Up/Down/PgUp/PgDn/Home/End move the cursor; the view follows it. */
static int cursor_action(struct tui_text *t, int action, int height)
{
	int c = t->cursor;
	switch (action) {
	case ACT_UP: c--; break;
	case ACT_DOWN: c++; break;
	case ACT_PGUP: c -= height; break;
	case ACT_PGDN: c += height; break;
	case ACT_HOME: c = 0; break;
	case ACT_END: c = t->n - 1; break;
	default: return 0;
	}
	t->cursor = c >= t->n ? t->n - 1 : c < 0 ? 0 : c;
	if (t->cursor < t->scroll)
		t->scroll = t->cursor;
	if (t->cursor >= t->scroll + height)
		t->scroll = t->cursor - height + 1;
	return 1;
}

int tui_text_action(struct tui_text *t, int action, int height, const char *find)
{
	if (t->has_cursor && cursor_action(t, action, height))
		return 1;
	int max = t->n - height > 0 ? t->n - height : 0;
	switch (action) {
	case ACT_UP: t->scroll--; break;
	case ACT_DOWN: t->scroll++; break;
	case ACT_PGUP: t->scroll -= height; break;
	case ACT_PGDN: t->scroll += height; break;
	case ACT_HOME: t->scroll = 0; break;
	case ACT_END: t->scroll = max; break;
	case ACT_LEFT: t->hscroll = t->hscroll > 8 ? t->hscroll - 8 : 0; return 1;
	case ACT_RIGHT: t->hscroll += 8; return 1;
	case ACT_FIND_NEXT:
	case ACT_FIND_PREV: {
		if (!find || !*find || !t->n)
			return 1;
		int dir = action == ACT_FIND_NEXT ? 1 : -1;
		int i = find_from(t, find, t->scroll + dir, dir);
		if (i >= 0)
			t->scroll = i;
		break;
	}
	default: return 0;
	}
	if (t->scroll > max)
		t->scroll = max;
	if (t->scroll < 0)
		t->scroll = 0;
	return 1;
}

void tui_text_page(struct tui_text *t, int dir, int height)
{
	tui_text_action(t, dir < 0 ? ACT_PGUP : ACT_PGDN, height, NULL);
}

void tui_text_draw(const struct tui_text *t, int top, int height, int width, const char *find)
{
	tui_text_draw_at(t, top, 0, height, width, find);
}

void tui_text_add_wrapped(struct tui_text *t, int role, const char *text, int width, const char *indent)
{
	size_t ind = strlen(indent);
	int avail = width - (int)ind;
	if (avail < 10)
		avail = 10;
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *s = p;
		do {
			/* break at the last blank that fits; count UTF-8 lead bytes as columns */
			size_t take = 0, lastsp = 0;
			int cols = 0;
			while (take < (size_t)(p + len - s) && cols < avail) {
				if (((unsigned char)s[take] & 0xC0) != 0x80)
					cols++;
				if (s[take] == ' ')
					lastsp = take;
				take++;
			}
			while (take < (size_t)(p + len - s) && ((unsigned char)s[take] & 0xC0) == 0x80)
				take++;
			if (take < (size_t)(p + len - s) && lastsp > 0)
				take = lastsp + 1;
			char *line = vb_xasprintf("%s%.*s", indent, (int)take, s);
			size_t ll = strlen(line);
			while (ll > ind && line[ll - 1] == ' ')
				line[--ll] = '\0';
			tui_text_add(t, role, line);
			free(line);
			s += take;
		} while (s < p + len);
		if (!len)
			tui_text_add(t, role, indent);
		p = nl ? nl + 1 : NULL;
	}
}
