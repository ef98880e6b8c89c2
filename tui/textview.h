/* tui/textview.h - scrollable, searchable text pane. */
#ifndef TUI_TEXTVIEW_H
#define TUI_TEXTVIEW_H

#include "tui.h"

struct tui_text {
	char **lines;
	int *roles;
	int n;
	int scroll;
	int hscroll;    /* columns scrolled sideways (Left/Right) */
	int has_cursor; /* a selected line (Up/Down move it, the view follows) instead of plain scrolling */
	int cursor;
};

void tui_text_clear(struct tui_text *t);
void tui_text_add(struct tui_text *t, int role, const char *line);
void tui_text_addf(struct tui_text *t, int role, const char *fmt, ...) VB_PRINTF(3, 4);
void tui_text_add_block(struct tui_text *t, int role, const char *text);
void tui_text_draw_at(const struct tui_text *t, int top, int x0, int height, int width, const char *find);
/* Adds text wrapped at blanks to `width` columns, every line starting with indent. */
void tui_text_add_wrapped(struct tui_text *t, int role, const char *text, int width, const char *indent);
void tui_text_draw(const struct tui_text *t, int top, int height, int width, const char *find);
/* The part of line that starts `cols` columns in (UTF-8 aware). */
const char *tui_text_skip_cols(const char *line, int cols);
/* A page up (dir < 0) or down: for a pane that takes no other key. */
void tui_text_page(struct tui_text *t, int dir, int height);
/* Scroll (also sideways: ACT_LEFT / ACT_RIGHT) and find-next actions; returns 1 when handled. */
int tui_text_action(struct tui_text *t, int action, int height, const char *find);

#endif
