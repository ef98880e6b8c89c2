/* tests/fuzz/fuzz_common.h - shared by the libFuzzer targets (tests/fuzz/fuzz_*.c) and their
 * gcc replay drivers (tests/unit/test_fuzz_*.c): a per-process scratch file for the loaders
 * that read paths, and FUZZ_CHECK for invariants (abort so libFuzzer saves the input). */
#ifndef TESTS_FUZZ_COMMON_H
#define TESTS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                                  \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                          \
			fputc('\n', stderr);                                                   \
			abort();                                                               \
		}                                                                              \
	} while (0)

static char fuzz_tmp_path[4096];

static inline void fuzz_tmp_cleanup(void)
{
	if (fuzz_tmp_path[0])
		unlink(fuzz_tmp_path);
}

/* Writes data to this process's scratch file (created once, removed at exit) and returns its
 * path.  /dev/shm keeps millions of rewrites off the disk. */
static inline const char *fuzz_write_tmp(const uint8_t *data, size_t size)
{
	if (!fuzz_tmp_path[0]) {
		const char *dir = getenv("TMPDIR");
		if (!dir || !*dir)
			dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
		snprintf(fuzz_tmp_path, sizeof fuzz_tmp_path, "%s/vbfuzz-XXXXXX", dir);
		int fd = mkstemp(fuzz_tmp_path);
		if (fd < 0) {
			perror(fuzz_tmp_path);
			abort();
		}
		close(fd);
		atexit(fuzz_tmp_cleanup);
	}
	FILE *f = fopen(fuzz_tmp_path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
		perror(fuzz_tmp_path);
		abort();
	}
	return fuzz_tmp_path;
}

/* The input as a C string (stops at the first NUL, as a command-line argument would). */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
