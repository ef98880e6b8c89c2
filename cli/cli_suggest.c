/* cli/cli_suggest.c - "did you mean ..." for mistyped commands and options, and the words of a
 * query the shell split apart. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Damerau-free Levenshtein distance, enough for one or two typos in a short word. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = vb_xcalloc(lb + 1, sizeof *row);
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

const char *cli_suggest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, wl = strlen(word);
	size_t limit = wl <= 2 ? 1 : wl <= 6 ? 2 : 3;
	for (size_t i = 0; i < n; i++) {
		if (!cands[i])
			continue;
		size_t d = edit_distance(word, cands[i]);
		/* a prefix of a longer name is also a likely meaning ("boot" -> "bootstrap-kb") */
		if (wl >= 3 && strncmp(cands[i], word, wl) == 0)
			d = 1;
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

int cli_bad_option(struct cli_ctx *ctx, const char *cmd, const char *arg, const struct option *opts)
{
	const char *name = arg;
	while (*name == '-')
		name++;
	char word[64];
	snprintf(word, sizeof word, "%.*s", (int)strcspn(name, "="), name);
	const char *cands[64];
	size_t n = 0;
	for (; opts && opts->name && n < 64; opts++) {
		/* a known option getopt refused can only lack its value */
		if (arg[0] == '-' && arg[1] == '-' && strcmp(opts->name, word) == 0)
			return cli_usage_error(ctx, cmd, "option '%s' needs a value", arg);
		cands[n++] = opts->name;
	}
	const char *s = arg[0] == '-' && arg[1] == '-' ? cli_suggest(word, cands, n) : NULL;
	if (s)
		return cli_usage_error(ctx, cmd, "unknown option '%s'; did you mean --%s?", arg, s);
	return cli_usage_error(ctx, cmd, "bad option '%s' (see vbadmin %s --help)", arg, cmd);
}

char *cli_join_words(int n, char *const *words)
{
	struct vb_buf b;
	vb_buf_init(&b);
	for (int i = 0; i < n; i++)
		vb_buf_printf(&b, "%s%s", i ? " " : "", words[i]);
	return b.data ? b.data : vb_xstrdup("");
}
