/* engine/migrate_state.c - where a migration got to, so a killed run resumes instead of starting
 * over.  One line per table, "<table> <keys> <key hash> <version> <rows> <walk hash>", rewritten
 * whole (temp file + rename, fsynced) after every committed batch.  The key count and hash tie the
 * record to the source's key set, the version to the table as its store last wrote it ("-": none),
 * and rows + walk hash say which rows are committed: the first <rows> of the walk, whose keys hash,
 * in order, to <walk hash>.  A line of another layout (an older vbadmin's) matches no table. */
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
	struct migrate_mark mark;
};

uint64_t migrate_fnv(uint64_t h, const char *key)
{
	for (const unsigned char *p = (const unsigned char *)key;; p++) {
		h = (h ^ *p) * 1099511628211ull;
		if (!*p)
			return h;
	}
}

static int load(const char *path, struct line *lines)
{
	FILE *f = fopen(path, "r");
	int n = 0;
	if (!f)
		return 0;
	char buf[512];
	while (n < MAX_LINES && fgets(buf, sizeof buf, f)) {
		struct line *l = &lines[n];
		long long keys, rows;
		unsigned long long kh, wh;
		if (sscanf(buf, "%63s %lld %llu %31s %lld %llu", l->table, &keys, &kh, l->mark.version, &rows, &wh) != 6)
			continue;
		l->mark.keys = keys;
		l->mark.key_hash = kh;
		l->mark.rows = rows;
		l->mark.walk_hash = wh;
		if (!strcmp(l->mark.version, "-"))
			l->mark.version[0] = '\0';
		n++;
	}
	fclose(f);
	return n;
}

int migrate_state_get(const char *path, const char *table, struct migrate_mark *out)
{
	struct line lines[MAX_LINES];
	int n = load(path, lines);
	for (int i = 0; i < n; i++)
		if (!strcmp(lines[i].table, table)) {
			*out = lines[i].mark;
			return 1;
		}
	return 0;
}

void migrate_state_put(const char *path, const char *table, const struct migrate_mark *mark)
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
	lines[i].mark = *mark;
	char *tmp = vb_xasprintf("%s.tmp", path);
	FILE *f = vb_fopen_private(tmp, "w");
	if (f) {
		for (int k = 0; k < n; k++) {
			const struct migrate_mark *m = &lines[k].mark;
			fprintf(f, "%s %lld %llu %s %lld %llu\n", lines[k].table, (long long)m->keys,
			        (unsigned long long)m->key_hash, m->version[0] ? m->version : "-", (long long)m->rows,
			        (unsigned long long)m->walk_hash);
		}
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
