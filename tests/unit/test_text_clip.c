/* tests/unit/test_text_clip.c - vb_text_clip (backends/vb_util.c), which quotes a user's search
 * query in "cancelling search ..." and clips result descriptions: a cut at 100 bytes must fall
 * before a UTF-8 character, never inside it, and say with "..." that text was cut. */
#include <stdlib.h>
#include <string.h>

#include "../../backends/vb_util.h"
#include "../tap.h"

static char *repeat(char c, size_t n, const char *tail)
{
	char *s = vb_xmalloc(n + strlen(tail) + 1);
	memset(s, c, n);
	strcpy(s + n, tail);
	return s;
}

/* clips pre (n copies of 'a') + tail at 100 bytes and compares with want (n2 'a' + want_tail) */
static void check(size_t n, const char *tail, size_t n2, const char *want_tail, const char *name)
{
	char *s = repeat('a', n, tail);
	char *want = repeat('a', n2, want_tail);
	char *got = vb_text_clip(s, 100);
	is_str(got, want, "%s", name);
	free(s);
	free(want);
	free(got);
}

int main(void)
{
	/* "é" is C3 A9: with 99 'a' before it, byte 100 is its first byte and byte 101 its second */
	check(99, "\xc3\xa9 more", 99, "...", "the 100th byte starts a 2-byte character: the whole character goes");
	/* "€" is E2 82 AC at bytes 99..101: the cut at 100 falls after its second byte */
	check(98, "\xe2\x82\xac tail", 98, "...", "a cut inside a 3-byte character backs off to its start");
	check(97, "\xf0\x9f\x98\x80 tail", 97, "...", "a cut inside a 4-byte emoji backs off to its start");
	check(98, "\xc3\xa9", 98, "\xc3\xa9", "exactly 100 bytes ending in a character: kept whole, no dots");
	check(100, "\xc3\xa9", 100, "...", "a cut right before a character keeps all 100 bytes");
	check(10, "", 10, "", "short text: unchanged, no dots");

	char *got = vb_text_clip("orders\x1b[2J", 100);
	is_str(got, "orders\\x1b[2J", "control characters are still shown escaped");
	free(got);
	got = vb_text_clip(NULL, 100);
	is_str(got, "", "NULL gives an empty string");
	free(got);
	got = vb_text_printable("ab\xc3\xa9", 3);
	is_str(got, "ab", "vb_text_printable's own max cuts before a character too");
	free(got);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
