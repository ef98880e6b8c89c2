/* bench/http_bench.c - the HTTP embedder (kb/embed_openai.c) as vbadmin runs it: N texts to an
 * OpenAI-compatible server in batches with requests in flight.  Same texts as
 * bench/py_http_embed.py.
 *
 *   http_bench BASE_URL MODEL N BATCH PARALLEL     prints "texts_per_s X" and "dim D" */
#include "bench.h"

#include "../kb/embed.h"

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: http_bench BASE_URL MODEL N BATCH PARALLEL\n");
		return 2;
	}
	size_t n = (size_t)atol(argv[3]);
	struct embed_options o = {.kind = "openai", .base_url = argv[1], .model = argv[2], .dim = 384,
	                          .batch_size = atoi(argv[4]), .parallel = atoi(argv[5])};
	struct embedder *e;
	struct vb_error err;
	if (embedder_open(&o, &e, &err) != VB_OK) {
		fprintf(stderr, "bench: %s\n", err.message);
		return 1;
	}
	char **texts = calloc(n, sizeof *texts);
	for (size_t i = 0; i < n; i++) {
		texts[i] = malloc(64);
		snprintf(texts[i], 64, "text %zu about orders and revenue", i);
	}
	float *out = malloc(n * 384 * sizeof *out);
	double t0 = bench_now_ms();
	int st = embedder_embed(e, (const char *const *)texts, n, out, &err);
	double ms = bench_now_ms() - t0;
	if (st != VB_OK) {
		fprintf(stderr, "bench: %s\n", err.message);
		return 1;
	}
	printf("texts_per_s %.0f\ndim %d\n", (double)n / (ms / 1000.0), embedder_served_dim(e));
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
	free(out);
	embedder_close(&e);
	return 0;
}
