/* tui/lineedit.c - the one-line editor of the console's modal prompts (':' command, '/' find,
 * top N, filter, file names): the Emacs keys readline users expect, on a fixed buffer.  The
 * Search lab's query prompt is readline itself; this serves the short modal prompts, which
 * cannot share readline's single callback handler with the query line. */
#include <ctype.h>
#include <string.h>

#include "tui.h"

static int is_word(char c)
{
	return isalnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

static size_t word_left(const char *b, size_t pos)
{
	while (pos > 0 && !is_word(b[pos - 1]))
		pos--;
	while (pos > 0 && is_word(b[pos - 1]))
		pos--;
	return pos;
}

static size_t word_right(const char *b, size_t len, size_t pos)
{
	while (pos < len && !is_word(b[pos]))
		pos++;
	while (pos < len && is_word(b[pos]))
		pos++;
	return pos;
}

/* Removes [from, to) of the line and leaves the cursor at `from`. */
static void cut(struct tui_line *l, size_t from, size_t to)
{
	size_t len = strlen(l->buf);
	memmove(l->buf + from, l->buf + to, len - to + 1);
	l->pos = from;
}

static void insert(struct tui_line *l, char c)
{
	size_t len = strlen(l->buf);
	if (len + 1 >= l->cap)
		return;
	memmove(l->buf + l->pos + 1, l->buf + l->pos, len - l->pos + 1);
	l->buf[l->pos++] = c;
}

int tui_line_key(struct tui_line *l, int key)
{
	size_t len = strlen(l->buf);
	if (l->pos > len)
		l->pos = len;
	int meta = TUI_IS_META(key);
	int k = key & ~TUI_META;
	if (meta) {
		switch (k) {
		case 'b': case 'B': l->pos = word_left(l->buf, l->pos); return 1;
		case 'f': case 'F': l->pos = word_right(l->buf, len, l->pos); return 1;
		case 'd': case 'D': cut(l, l->pos, word_right(l->buf, len, l->pos)); return 1;
		case 127: case KEY_BACKSPACE: cut(l, word_left(l->buf, l->pos), l->pos); return 1;
		default: return 1; /* other Meta keys mean nothing here, and never close the prompt */
		}
	}
	switch (k) {
	case KEY_LEFT: case 2: if (l->pos > 0) l->pos--; return 1;
	case KEY_RIGHT: case 6: if (l->pos < len) l->pos++; return 1;
	case KEY_HOME: case 1: l->pos = 0; return 1;
	case KEY_END: case 5: l->pos = len; return 1;
	case 21: cut(l, 0, l->pos); return 1;                     /* C-u */
	case 11: cut(l, l->pos, len); return 1;                   /* C-k */
	case 23: cut(l, word_left(l->buf, l->pos), l->pos); return 1; /* C-w */
	case KEY_DC: case 4: if (l->pos < len) cut(l, l->pos, l->pos + 1); return 1;
	case KEY_BACKSPACE: case 127: case 8: if (l->pos > 0) cut(l, l->pos - 1, l->pos); return 1;
	default:
		if (k >= 0x20 && k < 0x100 && k != 127) {
			insert(l, (char)k);
			return 1;
		}
		return 0;
	}
}
