/* tui/widgets.c - drawing helpers: clipped text, lists, modal confirm and input. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tui.h"

void tui_fill_line(int y, int width, int role)
{
	attrset(tui_attr(role));
	mvhline(y, 0, ' ', width);
	attrset(A_NORMAL);
}

/* Byte length of the prefix of s that fits in `cols` columns (UTF-8 lead bytes count one). */
static size_t fit_bytes(const char *s, int cols)
{
	size_t i = 0;
	int used = 0;
	while (s[i]) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xC0) != 0x80) {
			if (used == cols)
				break;
			used++;
		}
		i++;
	}
	return i;
}

void tui_print(int y, int x, int width, int role, const char *text)
{
	if (width <= 0 || !text)
		return;
	attrset(tui_attr(role));
	/* tabs and control characters would move the cursor: draw them as spaces */
	char line[1024];
	size_t n = fit_bytes(text, width);
	if (n >= sizeof line)
		n = sizeof line - 1;
	for (size_t i = 0; i < n; i++)
		line[i] = (text[i] == '\t' || (unsigned char)text[i] < 0x20) ? ' ' : text[i];
	line[n] = '\0';
	mvaddstr(y, x, line);
	attrset(A_NORMAL);
}

void tui_printf(int y, int x, int width, int role, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	tui_print(y, x, width, role, buf);
}

int tui_scroll_for(int sel, int scroll, int height, int n)
{
	if (height <= 0)
		return 0;
	if (sel < scroll)
		scroll = sel;
	if (sel >= scroll + height)
		scroll = sel - height + 1;
	if (scroll > n - height)
		scroll = n - height;
	return scroll < 0 ? 0 : scroll;
}

int tui_move(int action, int *sel, int n, int page)
{
	int old = *sel;
	switch (action) {
	case ACT_UP: (*sel)--; break;
	case ACT_DOWN: (*sel)++; break;
	case ACT_PGUP: *sel -= page; break;
	case ACT_PGDN: *sel += page; break;
	case ACT_HOME: *sel = 0; break;
	case ACT_END: *sel = n - 1; break;
	default: return 0;
	}
	if (*sel >= n)
		*sel = n - 1;
	if (*sel < 0)
		*sel = 0;
	return *sel != old || action == ACT_UP || action == ACT_DOWN;
}

static void draw_box_line(int y, int x, int w, const char *text, int role)
{
	attrset(tui_attr(role));
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
	tui_print(y, x + 1, w - 2, role, text);
}

int tui_confirm(struct tui_app *app, const char *question)
{
	int w = COLS - 4 < 70 ? COLS - 4 : 70;
	int x = (COLS - w) / 2, y = LINES / 2 - 2;
	for (;;) {
		draw_box_line(y, x, w, "Confirm", ROLE_TITLE);
		draw_box_line(y + 1, x, w, question, ROLE_STATUS);
		char answers[64]; /* y and n are the box's own; the back keys (Esc, q) say no as everywhere */
		snprintf(answers, sizeof answers, "y = yes, n / %s = no", tui_action_key(ACT_BACK, 1));
		draw_box_line(y + 2, x, w, answers, ROLE_STATUS);
		refresh();
		int k = tui_read_key(app);
		if (k == 'y' || k == 'Y')
			return 1;
		if (k == 'n' || k == 'N' || tui_key_action(k) == ACT_BACK || k == -1)
			return 0;
	}
}

int tui_input(struct tui_app *app, const char *prompt, char *buf, size_t len)
{
	struct tui_line line = {buf, len, strlen(buf)};
	int plen = (int)strlen(prompt);
	curs_set(1);
	for (;;) {
		/* the text scrolls sideways so the cursor stays visible on a narrow terminal */
		int avail = COLS - plen - 1;
		int off = (int)line.pos > avail ? (int)line.pos - avail : 0;
		tui_fill_line(LINES - 1, COLS, ROLE_NORMAL);
		tui_print(LINES - 1, 0, COLS, ROLE_NORMAL, prompt);
		tui_print(LINES - 1, plen, COLS - plen, ROLE_NORMAL, buf + off);
		move(LINES - 1, plen + (int)line.pos - off < COLS ? plen + (int)line.pos - off : COLS - 1);
		refresh();
		int k = tui_read_key(app);
		int action = k == -1 ? ACT_NONE : tui_key_action(k);
		if (action == ACT_ENTER) {
			curs_set(0);
			return 1;
		}
		/* a text key (q) is typed; the back key that is not text (Esc) and cancel (Ctrl-C) leave */
		if (k == -1 || action == ACT_CANCEL || (action == ACT_BACK && !tui_key_is_text(k))) {
			curs_set(0);
			return 0;
		}
		if (k == KEY_RESIZE)
			tui_redraw(app);
		else
			tui_line_key(&line, k);
	}
}
