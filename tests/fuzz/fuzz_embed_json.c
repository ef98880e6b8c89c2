/* tests/fuzz/fuzz_embed_json.c - libFuzzer target: the reader of /embeddings answers
 * (kb/embed_answer.c: json-c, base64 texts decoded by libcrypto, or number lists), which reads
 * what an embedding server sends - hostile input.  The input is the answer's body (cut at its
 * first NUL, as the HTTP embedder hands it over); it is read for a batch of 3 texts of 4
 * dimensions.  Invariants: no crash or sanitizer report; rows are written only inside the batch;
 * a complete batch counted 3 items and named no wrong length; a refused body counts as nothing
 * to the caller (it reports "unreadable"). */
#include "fuzz_common.h"

#include "../../kb/embed_json.h"

#define FN 3
#define FDIM 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = malloc(size + 1);
	memcpy(body, data, size);
	body[size] = '\0';
	float *a = malloc((FN * FDIM + 1) * sizeof *a);
	a[FN * FDIM] = 42.0f; /* a guard: nothing may be written past the batch */
	struct embed_json_stats st;
	int rc = embed_json_vectors(body, FN, FDIM, a, &st);
	FUZZ_CHECK(rc == 0 || rc == -1, "verdict %d", rc);
	FUZZ_CHECK(a[FN * FDIM] == 42.0f, "a row was written past the batch");
	if (rc == 0 && st.complete)
		FUZZ_CHECK(st.items == FN && st.bad_dim == 0, "complete with items %zu bad_dim %d", st.items, st.bad_dim);
	FUZZ_CHECK(!(rc < 0 && st.complete), "refused yet complete");
	free(a);
	free(body);
	return 0;
}
