/* tui/clipboard.c - copy text to the terminal's clipboard with OSC 52, the escape sequence
 * xterm, tmux (set-clipboard on), kitty, iTerm2 and Windows Terminal understand, and that
 * reaches the local clipboard over ssh too (the way lazygit and k9s copy). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tui.h"

static void base64(struct vb_buf *b, const unsigned char *s, size_t n)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
		char out[5] = {digits[v >> 18 & 63], digits[v >> 12 & 63], i + 1 < n ? digits[v >> 6 & 63] : '=',
		               i + 2 < n ? digits[v & 63] : '=', '\0'};
		vb_buf_add(b, out);
	}
}

int tui_clipboard_copy(const char *text)
{
	if (tui_test_headless())
		return 0; /* no terminal to talk to; the caller still says what it copied */
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "\033]52;c;");
	base64(&b, (const unsigned char *)text, strlen(text));
	vb_buf_add(&b, "\a");
	fflush(stdout);
	ssize_t w = write(STDOUT_FILENO, b.data, b.len);
	vb_buf_free(&b);
	return w < 0 ? -1 : 0;
}
