/* tests/unit/test_embed_json.c - the JSON of an /embeddings exchange (kb/embed_json.c,
 * kb/embed_answer.c): the request asks for base64 as openai-python does; an answer's vectors are
 * read from base64 texts of little-endian float32s (np.frombuffer(b64decode(s), 'float32') in
 * openai-python) or from number lists, with the same verdicts either way (wrong length, index
 * order, missing data, non-numbers, broken base64). */
#include <math.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../../backends/vb_util.h"
#include "../../kb/embed_json.h"

#define N 3
#define DIM 4

/* base64 of k little-endian float32s, as a server writes it (static buffer: one at a time). */
static const char *b64(const float *v, int k)
{
	static char text[256];
	unsigned char raw[128];
	for (int i = 0; i < k; i++) {
		uint32_t u;
		memcpy(&u, &v[i], 4);
		for (int j = 0; j < 4; j++)
			raw[4 * i + j] = (unsigned char)(u >> (8 * j));
	}
	EVP_EncodeBlock((unsigned char *)text, raw, 4 * k);
	return text;
}

static int read_doc(const char *body, float *v, struct embed_json_stats *st)
{
	for (int i = 0; i < N * DIM; i++)
		v[i] = -7.0f;
	return embed_json_vectors(body, N, DIM, v, st);
}

static void test_request(void)
{
	const char *texts[] = {"orders", ""};
	struct vb_buf b;
	vb_buf_init(&b);
	embed_json_request("m", 0, texts, 2, &b);
	is_str(b.data, "{\"model\":\"m\",\"input\":[\"orders\",\" \"],\"encoding_format\":\"base64\"}",
	       "the request asks for base64 (as openai-python does when its caller names no encoding)");
	embed_json_request("m", 256, texts, 1, &b);
	has_str(b.data, "\"dimensions\":256", "dimensions sent when set");
	has_str(b.data, "\"encoding_format\":\"base64\"", "and base64 still asked");
	vb_buf_free(&b);
}

static const float row0[DIM] = {0.1f, -0.2f, 3e-2f, 40.0f}, row1[DIM] = {1, 2, 3, 4},
                   row2[DIM] = {-0.0f, 0.5f, 1e-45f, -1e30f};

/* the three rows as an OpenAI server sends them when asked for base64 */
static void encoded_rows(char e[3][64])
{
	snprintf(e[0], 64, "%s", b64(row0, DIM));
	snprintf(e[1], 64, "%s", b64(row1, DIM));
	snprintf(e[2], 64, "%s", b64(row2, DIM));
}

static void base64_placed_by_index(void)
{
	float v[N * DIM];
	struct embed_json_stats st;
	char doc[1024];
	char e[3][64];
	encoded_rows(e);
	/* OpenAI's shape, items in reverse order: placed by index */
	snprintf(doc, sizeof doc,
	         "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":2,\"embedding\":\"%s\"},"
	         "{\"object\":\"embedding\",\"index\":1,\"embedding\":\"%s\"},{\"object\":\"embedding\",\"index\":0,"
	         "\"embedding\":\"%s\"}],\"model\":\"text-embedding-3-small\"}", e[2], e[1], e[0]);
	is_int(read_doc(doc, v, &st), 0, "a base64 answer is read");
	ok(st.complete && st.items == N && !st.bad_dim, "complete: 3 items of 4 floats");
	ok(!memcmp(v, row0, sizeof row0) && !memcmp(v + DIM, row1, sizeof row1) && !memcmp(v + 2 * DIM, row2, sizeof row2),
	   "the exact float32s, bit for bit, each row placed by its index");
}

static void base64_wrong_length(void)
{
	float v[N * DIM];
	struct embed_json_stats st;
	char doc[1024];
	/* wrong length: 3 floats, 5 floats, nothing */
	snprintf(doc, sizeof doc, "{\"data\":[{\"index\":0,\"embedding\":\"%s\"}]}", b64(row1, 3));
	is_int(read_doc(doc, v, &st), 0, "3 floats where 4 are needed is not unreadable");
	is_int(st.bad_dim, 3, "the wrong length is named: 3");
	float r5[5] = {1, 2, 3, 4, 5};
	snprintf(doc, sizeof doc, "{\"data\":[{\"index\":0,\"embedding\":\"%s\"}]}", b64(r5, 5));
	read_doc(doc, v, &st);
	is_int(st.bad_dim, 5, "5 floats named");
	read_doc("{\"data\":[{\"embedding\":\"\"}]}", v, &st);
	is_int(st.bad_dim, -1, "an empty text: no vector at all");
	/* bytes that are not whole float32s: 15 bytes */
	unsigned char raw[15] = {0};
	char t[32];
	EVP_EncodeBlock((unsigned char *)t, raw, 15);
	snprintf(doc, sizeof doc, "{\"data\":[{\"embedding\":\"%s\"}]}", t);
	is_int(read_doc(doc, v, &st), -1, "15 bytes are not float32s: unreadable");
}

static void base64_not_base64(void)
{
	float v[N * DIM];
	struct embed_json_stats st;
	char doc[1024];
	char e[3][64];
	encoded_rows(e);
	/* characters outside base64 */
	static const char *const broken[] = {
		"AAAAAAAAAAAAAAAAAAAAAA*=",     /* a bad character */
		"AAAAAAAAAAAA AAAAAAAAAAA",     /* a blank inside */
		" AAAAAAAAAAAAAAAAAAAAAAA",     /* a blank before (EVP_DecodeBlock would skip it) */
		"AAAAAAAAAAAAAAAAAAAAAAA",      /* length not a multiple of 4 */
		"AAAAAAAAAAAA=AAAAAAAAAAA",     /* padding inside */
		"AAAAAAAAAAAAAAAAAAAAA===",     /* three padding characters */
		"AAAAAAAAAAAAAAAAAAAAAAA\\u00e9", /* not ASCII */
		"AAAAAAAAAAAAAAAA\\u0000AAAAAAA", /* a NUL inside */
		"AAAAAAAAAAAAAAAAAAAAAA-_",     /* the URL-safe alphabet */
	};
	for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
		snprintf(doc, sizeof doc, "{\"data\":[{\"embedding\":\"%s\"},{\"embedding\":\"%s\"},{\"embedding\":\"%s\"}]}",
		         e[0], broken[i], e[1]);
		is_int(read_doc(doc, v, &st), -1, "not base64, unreadable: %s", broken[i]);
	}
}

static void base64_nan_inf(void)
{
	float v[N * DIM];
	struct embed_json_stats st;
	char doc[1024];
	/* NaN and Infinity come through: embedder_embed refuses them, as for lists */
	float odd[DIM] = {NAN, INFINITY, -INFINITY, 1};
	snprintf(doc, sizeof doc, "{\"data\":[{\"embedding\":\"%s\"}]}", b64(odd, DIM));
	is_int(embed_json_vectors(doc, 1, DIM, v, &st), 0, "NaN/Infinity in base64 read");
	ok(st.complete && isnan(v[0]) && isinf(v[1]) && v[1] > 0 && isinf(v[2]) && v[2] < 0 && v[3] == 1,
	   "as NaN, +Inf, -Inf: embedder_embed's check sees them");
}

static void base64_item_counts(void)
{
	float v[N * DIM];
	struct embed_json_stats st;
	char doc[1024];
	char e[3][64];
	encoded_rows(e);
	/* one short, one too many */
	snprintf(doc, sizeof doc, "{\"data\":[{\"embedding\":\"%s\"},{\"embedding\":\"%s\"}]}", e[0], e[1]);
	is_int(read_doc(doc, v, &st), 0, "two of three");
	ok(!st.complete && st.items == 2, "incomplete, 2 items counted");
	snprintf(doc, sizeof doc, "{\"data\":[{\"embedding\":\"%s\"},{\"embedding\":\"%s\"},{\"embedding\":\"%s\"},"
	         "{\"embedding\":\"%s\"}]}", e[0], e[1], e[2], e[0]);
	read_doc(doc, v, &st);
	ok(!st.complete && st.items == 4, "four for three: incomplete");
	/* a list and base64 in the same answer */
	snprintf(doc, sizeof doc, "{\"data\":[{\"embedding\":\"%s\"},{\"embedding\":[5,6,7,8]},{\"embedding\":\"%s\"}]}",
	         e[0], e[1]);
	is_int(read_doc(doc, v, &st), 0, "mixed encodings");
	ok(st.complete && v[DIM] == 5 && v[2 * DIM + 3] == 4, "each read its own way");
}

static void test_base64(void)
{
	base64_placed_by_index();
	base64_wrong_length();
	base64_not_base64();
	base64_nan_inf();
	base64_item_counts();
}

static void test_lists(void)
{
	float v[N * DIM];
	struct embed_json_stats st;
	is_int(read_doc("{\"object\":\"list\",\"data\":[{\"index\":2,\"embedding\":[9,9,9,9]},{\"index\":1,\"embedding\":"
	                "[8,8,8,8]},{\"index\":0,\"embedding\":[0.1,-0.2,3e-2,4E+1]}]}", v, &st), 0,
	       "a number list answer (a server that ignores encoding_format) is read");
	ok(st.complete && v[0] == 0.1f && v[1] == -0.2f && v[3] == 40 && v[DIM] == 8 && v[2 * DIM] == 9,
	   "rows placed by index, numbers as float32");
	is_int(read_doc("{\"data\":[{\"embedding\":[1,1,1,1]},{\"embedding\":[2,2,2,2]},{\"embedding\":[3,3,3,3]}]}", v,
	                &st), 0, "no index: by position");
	ok(st.complete && v[0] == 1 && v[2 * DIM] == 3, "in order");
	read_doc("{\"data\":[{\"index\":0,\"embedding\":[1,1,1,1,1]},{\"index\":1,\"embedding\":[]},"
	         "{\"index\":2,\"embedding\":[1,\"x\"]}]}", v, &st);
	is_int(st.bad_dim, 5, "the first wrong length named, even with a non-number later");
	read_doc("{\"data\":[{\"index\":0,\"embedding\":[]}]}", v, &st);
	is_int(st.bad_dim, -1, "an empty list: no vector");
	is_int(read_doc("{\"data\":[{\"index\":0,\"embedding\":[1,true,1,1]}]}", v, &st), -1, "true is not a number");
	is_int(read_doc("{\"data\":[{\"index\":0,\"embedding\":[1,null,1,1]}]}", v, &st), -1, "null is not a number");
	is_int(read_doc("{\"data\":[{\"embedding\":[NaN,1,1,1]}]}", v, &st), -1, "NaN is not JSON");
	is_int(embed_json_vectors("{\"data\":[{\"embedding\":[1e39,1,1,1]}]}", 1, DIM, v, &st), 0, "1e39 is a JSON number");
	ok(isinf(v[0]), "and infinite as a float32: embedder_embed refuses it, not the reader");
	read_doc("{\"data\":[{\"index\":0,\"embedding\":[1,1,1,1]},{\"index\":1,\"embedding\":[2,2,2,2]}]}", v, &st);
	ok(!st.complete && st.items == 2, "one short: incomplete");
	read_doc("{\"data\":[{\"index\":0,\"embedding\":[1,1,1,1]},{\"index\":0,\"embedding\":[2,2,2,2]},"
	         "{\"index\":2,\"embedding\":[3,3,3,3]}]}", v, &st);
	ok(!st.complete, "an index twice, one missing: incomplete");
	read_doc("{\"data\":[{\"index\":99,\"embedding\":[1,1,1,1]},{\"index\":1,\"embedding\":[2,2,2,2]},"
	         "{\"index\":2,\"embedding\":[3,3,3,3]}]}", v, &st);
	ok(!st.complete && v[0] == -7.0f, "an index beyond the batch writes nothing");
	static const char *const unreadable[] = {
		"{\"data\":{}}", "{\"data\":\"x\"}", "{\"error\":{\"message\":\"bad key\"}}", "[]", "{\"data\":[1]}",
		"{\"data\":[{\"index\":0}]}", "{\"data\":[{\"embedding\":{}}]}", "{\"data\":[{\"embedding\":7}]}",
		"", "null", "{\"data\":[{\"embedding\":[1,1,1,1]}]} x", "{\"data\":[{\"embedding\":[1,1,1,1]},]}",
		"{\"data\":[{\"embedding\":[1,1,1,1"};
	for (size_t i = 0; i < sizeof unreadable / sizeof unreadable[0]; i++)
		is_int(read_doc(unreadable[i], v, &st), -1, "unreadable: %s", unreadable[i]);
	is_int(read_doc("{\"data\":[]}", v, &st), 0, "an empty data list is readable");
	ok(!st.complete && st.items == 0, "but holds none of the 3");
}

int main(void)
{
	test_request();
	test_base64();
	test_lists();
	return tap_done();
}
