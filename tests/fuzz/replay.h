/* tests/fuzz/replay.h - main() of the gcc replay drivers: runs LLVMFuzzerTestOneInput on every
 * file of tests/fuzz/corpus/<target>/ (or on the files/directories named on the command line)
 * and prints TAP "ok N - <target>/<file>".  A crash or a failed FUZZ_CHECK aborts the binary,
 * which the runner reports as an incomplete plan; the "# replaying" line names the input. */
#ifndef TESTS_FUZZ_REPLAY_H
#define TESTS_FUZZ_REPLAY_H

#include <dirent.h>
#include <sys/stat.h>

#include "fuzz_common.h"
#include "tap.h"

static int fuzz_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void fuzz_replay_file(const char *target, const char *path, const char *label)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		ok(0, "%s/%s: cannot open", target, label);
		return;
	}
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	if (!buf)
		abort();
	printf("# replaying %s\n", path);
	fflush(stdout);
	/* an exact-size copy so ASan sees reads past the end, as under libFuzzer */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact)
		abort();
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	ok(1, "%s/%s", target, label);
}

/* Replays every regular file of dir in name order; returns how many. */
static int fuzz_replay_dir(const char *target, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap)
			names = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, fuzz_name_cmp);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		fuzz_replay_file(target, path, names[i]);
		free(names[i]);
	}
	free(names);
	return (int)n;
}

static int fuzz_replay_main(const char *target, int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			struct stat st;
			if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
				fuzz_replay_dir(target, argv[i]);
			else
				fuzz_replay_file(target, argv[i], argv[i]);
		}
		return tap_done();
	}
	/* run from the source tree (tests/run-all.sh does); VBADMIN_FUZZ_CORPUS overrides */
	const char *root = getenv("VBADMIN_FUZZ_CORPUS");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/%s", root && *root ? root : "tests/fuzz/corpus", target);
	int n = fuzz_replay_dir(target, dir);
	ok(n > 0, "%s: corpus %s has inputs (%d)", target, dir, n);
	return tap_done();
}

#endif
