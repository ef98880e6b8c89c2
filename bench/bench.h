/* bench/bench.h - helpers shared by the bench drivers (header only: each driver is one .c).
 *
 * Vector files are raw little-endian float32, row after row, no header; the dimension travels
 * on the command line.  Every driver and the Python peers read the same files, so each side of
 * a comparison works on exactly the same numbers. */
#ifndef VB_BENCH_H
#define VB_BENCH_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double bench_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline void bench_die(const char *what)
{
	fprintf(stderr, "bench: %s%s%s\n", what, errno ? ": " : "", errno ? strerror(errno) : "");
	exit(1);
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median of v[0..n) (sorts v). */
static inline double bench_median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof *v, bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Reads n vectors of dim floats (n = 0: as many as the file holds; *got receives the count). */
static inline float *bench_read_vectors(const char *path, int dim, size_t n, size_t *got)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		bench_die(path);
	if (!n) {
		fseek(f, 0, SEEK_END);
		n = (size_t)ftell(f) / ((size_t)dim * sizeof(float));
		fseek(f, 0, SEEK_SET);
	}
	float *v = malloc((n ? n : 1) * (size_t)dim * sizeof *v);
	if (!v)
		bench_die("out of memory");
	size_t r = fread(v, sizeof(float) * (size_t)dim, n, f);
	fclose(f);
	if (r != n) {
		fprintf(stderr, "bench: %s holds %zu vectors of %d, %zu wanted\n", path, r, dim, n);
		exit(1);
	}
	*got = n;
	return v;
}

/* The id the drivers give row i, everywhere (plugin rows, psql files, Python peers). */
static inline void bench_row_id(char *buf, size_t len, size_t i)
{
	snprintf(buf, len, "v%07zu", i);
}

#endif
