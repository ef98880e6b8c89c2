/* bench/vecgen.c - deterministic test vectors: vecgen N DIM SEED FILE
 *
 * Points are drawn around 256 fixed centres (the same centres for every SEED), so data and
 * query files share one distribution the way embeddings of related texts do: neighbours are
 * close but distinct, which is what HNSW recall and top-k ranking need to be meaningful.
 * Uniform noise from splitmix64 keeps 1M x 384 to a few seconds. */
#include "bench.h"

#define NCENTRES 256

static uint64_t sm64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform in [-1, 1) */
static float unit(uint64_t *s)
{
	return (float)((double)(sm64(s) >> 11) * (1.0 / 4503599627370496.0) - 1.0);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: vecgen N DIM SEED FILE\n");
		return 2;
	}
	size_t n = strtoull(argv[1], NULL, 10);
	int dim = atoi(argv[2]);
	uint64_t seed = strtoull(argv[3], NULL, 10);
	if (dim <= 0 || !n)
		return 2;
	float *centres = malloc((size_t)NCENTRES * (size_t)dim * sizeof *centres);
	float *row = malloc((size_t)dim * sizeof *row);
	if (!centres || !row)
		bench_die("out of memory");
	uint64_t cs = 42;
	for (size_t i = 0; i < (size_t)NCENTRES * (size_t)dim; i++)
		centres[i] = unit(&cs);
	FILE *f = fopen(argv[4], "wb");
	if (!f)
		bench_die(argv[4]);
	uint64_t s = seed * 0x2545f4914f6cdd1dULL + 1;
	for (size_t i = 0; i < n; i++) {
		const float *c = centres + (sm64(&s) % NCENTRES) * (size_t)dim;
		for (int k = 0; k < dim; k++)
			row[k] = c[k] + 0.6f * unit(&s);
		if (fwrite(row, sizeof *row, (size_t)dim, f) != (size_t)dim)
			bench_die(argv[4]);
	}
	if (fclose(f) != 0)
		bench_die(argv[4]);
	free(centres);
	free(row);
	return 0;
}
