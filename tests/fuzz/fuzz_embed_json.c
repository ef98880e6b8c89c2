/* tests/fuzz/fuzz_embed_json.c - libFuzzer target: the reader of /embeddings answers
 * (kb/embed_json_read.c), which reads what an embedding server sends - hostile input.
 * The input is the answer's body (cut at its first NUL, as the HTTP embedder hands it over);
 * it is read for a batch of 3 texts of 4 dimensions.
 * Invariants: no crash or sanitizer report; the same verdict as jansson's reading
 * (tests/fuzz/embed_json_ref.h); when readable, the same counts and, when complete, the same
 * floats; rows are written only inside the batch. */
#include "fuzz_common.h"

#include "embed_json_ref.h"

#define FN 3
#define FDIM 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = malloc(size + 1);
	memcpy(body, data, size);
	body[size] = '\0';
	float *a = malloc((FN * FDIM + 1) * sizeof *a), *b = malloc(FN * FDIM * sizeof *b);
	a[FN * FDIM] = 42.0f; /* a guard: nothing may be written past the batch */
	struct embed_json_stats sa, sb;
	int ra = embed_json_vectors(body, FN, FDIM, a, &sa);
	int rb = ref_vectors(body, FN, FDIM, b, &sb);
	FUZZ_CHECK(ra == rb, "reader %d, jansson %d on: %.200s", ra, rb, body);
	FUZZ_CHECK(a[FN * FDIM] == 42.0f, "a row was written past the batch");
	if (ra == 0) {
		FUZZ_CHECK(sa.items == sb.items && sa.bad_dim == sb.bad_dim && sa.complete == sb.complete,
		           "stats: items %zu/%zu bad_dim %d/%d complete %d/%d", sa.items, sb.items, sa.bad_dim, sb.bad_dim,
		           sa.complete, sb.complete);
		for (int i = 0; sa.complete && i < FN * FDIM; i++)
			FUZZ_CHECK(a[i] == b[i] || (a[i] != a[i] && b[i] != b[i]), "float %d: %g vs jansson %g", i, a[i], b[i]);
	}
	free(a);
	free(b);
	free(body);
	return 0;
}
