/* engine/migrate_state.c - where a migration got to, so a killed run resumes instead of starting
 * over.  One line per table, "<table> <keys> <key hash> <batches done>", rewritten whole (temp file +
 * rename) after every committed batch.  The key count and hash tie the record to the source as it
 * was: a changed source starts that table over (upserts make the repeat harmless). */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../backends/vb_util.h"
#include "migrate.h"

#define MAX_LINES 64

struct line {
	char table[64];
	long long keys;
	unsigned long long hash;
	int done;
};

static int load(const char *path, struct line *lines)
{
	FILE *f = fopen(path, "r");
	int n = 0;
	if (!f)
		return 0;
	while (n < MAX_LINES && fscanf(f, "%63s %lld %llu %d", lines[n].table, &lines[n].keys, &lines[n].hash,
	                               &lines[n].done) == 4)
		n++;
	fclose(f);
	return n;
}

int migrate_state_done(const char *path, const char *table, int64_t nkeys, uint64_t hash)
{
	struct line lines[MAX_LINES];
	int n = load(path, lines);
	for (int i = 0; i < n; i++)
		if (!strcmp(lines[i].table, table) && lines[i].keys == nkeys && lines[i].hash == hash)
			return lines[i].done;
	return 0;
}

void migrate_state_save(const char *path, const char *table, int64_t nkeys, uint64_t hash, int done)
{
	struct line lines[MAX_LINES];
	int n = load(path, lines), i;
	for (i = 0; i < n && strcmp(lines[i].table, table); i++)
		;
	if (i == n && n < MAX_LINES)
		n++;
	if (i == n)
		return;
	snprintf(lines[i].table, sizeof lines[i].table, "%s", table);
	lines[i].keys = nkeys;
	lines[i].hash = hash;
	lines[i].done = done;
	char *tmp = vb_xasprintf("%s.tmp", path);
	FILE *f = vb_fopen_private(tmp, "w");
	if (f) {
		for (int k = 0; k < n; k++)
			fprintf(f, "%s %lld %llu %d\n", lines[k].table, lines[k].keys, lines[k].hash, lines[k].done);
		/* the record may only claim what is committed: flushed before it replaces the old one */
		int ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
		ok = fclose(f) == 0 && ok;
		if (!ok || rename(tmp, path) != 0)
			unlink(tmp);
	}
	free(tmp);
}

void migrate_state_clear(const char *path)
{
	unlink(path);
}

char *migrate_state_dir(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *base = state && state[0] == '/' ? vb_xasprintf("%s", state)
	                                      : vb_xasprintf("%s/.local/state", home && *home ? home : ".");
	char *dir = vb_xasprintf("%s/vbadmin", base);
	for (char *p = base + 1; *p; p++) { /* mkdir -p, 0700: the record names the user's stores */
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(base, 0700) != 0 && errno != EEXIST)
			break;
		*p = '/';
	}
	mkdir(base, 0700);
	mkdir(dir, 0700);
	free(base);
	return dir;
}
