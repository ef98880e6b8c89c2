/* tests/unit/test_embed_json.c - the reader of /embeddings answers (kb/embed_json_read.c)
 * against jansson: the same verdict, the same vectors and the same counts for hand-written
 * answers (OpenAI's shape, servers' variants, broken ones) and for thousands of mutations of
 * them (bytes flipped, cut, doubled).  The reference below is how vbadmin read answers with
 * jansson before the one-pass reader replaced it for speed (docs/benchmarks.md). */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../../backends/vb_util.h"
#include "../../kb/embed_json.h"

#include "../fuzz/embed_json_ref.h"

/* ---- comparison ---- */
#define N 3
#define DIM 4

static int same(const char *body, int *rc_out)
{
	float a[N * DIM], b[N * DIM];
	for (int i = 0; i < N * DIM; i++)
		a[i] = b[i] = -7.0f;
	struct embed_json_stats sa, sb;
	int ra = embed_json_vectors(body, N, DIM, a, &sa);
	int rb = ref_vectors(body, N, DIM, b, &sb);
	if (rc_out)
		*rc_out = ra;
	if (ra != rb)
		return 0;
	if (ra < 0)
		return 1; /* the caller reports "unreadable": nothing else is used */
	if (sa.items != sb.items || sa.bad_dim != sb.bad_dim || sa.complete != sb.complete)
		return 0;
	for (int i = 0; sa.complete && i < N * DIM; i++)
		if (a[i] != b[i]) /* by value: jansson reads "-0" as the integer 0, the reader as -0.0 */
			return 0;
	return 1;
}

static const char *const docs[] = {
	/* OpenAI's shape */
	"{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,-0.2,3e-2,4E+1]},"
	"{\"object\":\"embedding\",\"index\":1,\"embedding\":[1,2,3,4]},{\"object\":\"embedding\",\"index\":2,"
	"\"embedding\":[-0,0.5,0.25,1e-45]}],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":3,"
	"\"total_tokens\":3}}",
	/* reverse order, placed by index; embedding before index; whitespace everywhere */
	" { \"data\" : [ {\"embedding\":[ 9 , 9 , 9 , 9 ] , \"index\" : 2} ,\n\t{\"index\":1,\"embedding\":[8,8,8,8]},"
	"{\"index\":0,\"embedding\":[7,7,7,7]} ] } \r\n",
	/* no index: by position */
	"{\"data\":[{\"embedding\":[1,1,1,1]},{\"embedding\":[2,2,2,2]},{\"embedding\":[3,3,3,3]}]}",
	/* index not an integer, negative, far out of range, duplicated */
	"{\"data\":[{\"index\":1.0,\"embedding\":[1,1,1,1]},{\"index\":-1,\"embedding\":[2,2,2,2]},"
	"{\"index\":99,\"embedding\":[3,3,3,3]},{\"index\":0,\"index\":2,\"embedding\":[4,4,4,4]}]}",
	"{\"data\":[{\"index\":\"0\",\"embedding\":[1,1,1,1]},{\"index\":null,\"embedding\":[2,2,2,2]},"
	"{\"index\":{\"a\":[1]},\"embedding\":[3,3,3,3]}]}",
	/* wrong dimensions: the first named, even with a non-number inside */
	"{\"data\":[{\"index\":0,\"embedding\":[1,1,1,1,1]},{\"index\":1,\"embedding\":[]},"
	"{\"index\":2,\"embedding\":[1,\"x\"]}]}",
	"{\"data\":[{\"index\":0,\"embedding\":[]},{\"index\":1,\"embedding\":[1,1,1]}]}",
	/* one short, one too many */
	"{\"data\":[{\"index\":0,\"embedding\":[1,1,1,1]},{\"index\":1,\"embedding\":[2,2,2,2]}]}",
	"{\"data\":[{\"embedding\":[1,1,1,1]},{\"embedding\":[2,2,2,2]},{\"embedding\":[3,3,3,3]},"
	"{\"embedding\":[4,4,4,4]}]}",
	/* the right length but not numbers */
	"{\"data\":[{\"index\":0,\"embedding\":[1,true,1,1]}]}",
	"{\"data\":[{\"index\":0,\"embedding\":[1,null,1,[1]]}]}",
	/* not an embeddings list */
	"{\"data\":{}}", "{\"data\":\"x\"}", "{\"error\":{\"message\":\"bad key\"}}", "[]", "[{\"data\":[]}]",
	"{\"data\":[1]}", "{\"data\":[{\"index\":0}]}", "{\"data\":[{\"embedding\":{}}]}",
	"{\"data\":[{\"embedding\":\"[1,2,3,4]\"}]}", "{\"data\":[]}", "", "   ", "null", "0",
	/* other keys with every kind of value, escapes in strings and keys */
	"{\"x\":[true,false,null,{\"y\":\"\\u00e9\\n\\\"\\\\\\/\"}],\"d\\u0061ta\":1,\"data\":[{\"obj\\tect\":\"e\","
	"\"embedding\":[1,2,3,4],\"index\":0,\"extra\":{\"embedding\":\"no\",\"index\":7}},{\"embedding\":[5,6,7,8]},"
	"{\"embedding\":[1,2,3,4]}],\"z\":-12.5e-3}",
	/* numbers JSON does not allow, or jansson refuses */
	"{\"data\":[{\"embedding\":[NaN,1,1,1]}]}", "{\"data\":[{\"embedding\":[Infinity,1,1,1]}]}",
	"{\"data\":[{\"embedding\":[+1,1,1,1]}]}", "{\"data\":[{\"embedding\":[01,1,1,1]}]}",
	"{\"data\":[{\"embedding\":[1.,1,1,1]}]}", "{\"data\":[{\"embedding\":[.5,1,1,1]}]}",
	"{\"data\":[{\"embedding\":[0x10,1,1,1]}]}", "{\"data\":[{\"embedding\":[1e,1,1,1]}]}",
	"{\"data\":[{\"embedding\":[1e400,1,1,1]}]}", "{\"data\":[{\"embedding\":[-1e400,1,1,1]}]}",
	"{\"data\":[{\"embedding\":[1e-400,1e39,-1e39,1]},{\"embedding\":[1,1,1,1]},{\"embedding\":[1,1,1,1]}]}",
	/* syntax */
	"{\"data\":[{\"embedding\":[1,1,1,1]}]} x", "{\"data\":[{\"embedding\":[1,1,1,1]}]}}",
	"{\"data\":[{\"embedding\":[1,1,1,1],}]}", "{\"data\":[{\"embedding\":[1,1,1,1]},]}",
	"{\"data\":[{\"embedding\":[1,1,1,1]}]", "{\"data\":[{\"embedding\":[1,1,1,1", "{\"data\" [] }",
	"{data:[]}", "{'data':[]}", "{\"data\":[],\"s\":\"a\tb\"}", "{\"data\":[],\"s\":\"\\x\"}",
	"{\"data\":[],\"s\":\"\\u12\"}", "{\"data\":[],\"s\":\"unterminated}", "{\"data\":[],\"t\":tru}",
	"{\"data\":[],\"t\":nul}", "{\"data\":[],,}", "{,\"data\":[]}", "{\"data\":[1 2]}",
};

static void test_documents(void)
{
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
		ok(same(docs[i], NULL), "document %zu: the same verdict and vectors as jansson: %.60s", i, docs[i]);
	float v[N * DIM];
	struct embed_json_stats st;
	is_int(embed_json_vectors(docs[1], N, DIM, v, &st), 0, "reverse order read");
	ok(st.complete && v[0] == 7 && v[DIM] == 8 && v[2 * DIM] == 9, "rows placed by their index");
	is_int(embed_json_vectors(docs[5], N, DIM, v, &st), 0, "wrong lengths are not a syntax error");
	is_int(st.bad_dim, 5, "the first wrong length is named");
	is_int(embed_json_vectors("{\"data\":[{\"embedding\":[1e39,1,1,1]}]}", 1, DIM, v, &st), 0,
	       "1e39 is a JSON number");
	ok(isinf(v[0]), "and infinite as a float: embedder_embed refuses it, not the reader");
	/* jansson reads integers as long long: what does not fit is refused, by both */
	ok(same("{\"data\":[{\"embedding\":[18446744073709551616,1,1,1]}]}", NULL), "an integer beyond 64 bits");
	ok(same("{\"data\":[{\"embedding\":[-9223372036854775808,9223372036854775807,1,1]},"
	        "{\"embedding\":[1,1,1,1]},{\"embedding\":[1,1,1,1]}]}", NULL), "the long long limits");
	ok(same("{\"data\":[{\"index\":9007199254740993,\"embedding\":[5,5,5,5]},{\"embedding\":[1,1,1,1]},"
	        "{\"embedding\":[2,2,2,2]},{\"embedding\":[3,3,3,3]}]}", NULL), "an index beyond the batch, however large");
	/* a later duplicate key wins, in jansson's objects and here */
	ok(same("{\"data\":1,\"data\":[{\"embedding\":[1,1,1,1]},{\"embedding\":[2,2,2,2]},{\"embedding\":[3,3,3,3]}]}",
	        NULL), "data: a non-array, then the list");
	ok(same("{\"data\":[{\"embedding\":[9,9,9,9]},{\"embedding\":[1,1,1,1]},{\"embedding\":[1,1,1,1]}],"
	        "\"data\":[{\"embedding\":[1,1,1,1]},{\"embedding\":[2,2,2,2]},{\"embedding\":[3,3,3,3]}]}", NULL),
	   "data twice: the second list");
	ok(same("{\"data\":[{\"embedding\":1,\"embedding\":[1,1,1,1]},{\"embedding\":[2,2,2,2]},{\"embedding\":[3,3,3,3]}]}",
	        NULL), "embedding: a number, then the vector");
	ok(same("{\"d\\u0061ta\":[{\"\\u0065mbedding\":[1,1,1,1]},{\"embedding\":[2,2,2,2]},{\"embedding\":[3,3,3,3]}]}",
	        NULL), "keys with escapes");
	char deep[400];
	int len = snprintf(deep, sizeof deep, "{\"data\":[{\"embedding\":[1,1,1,1]},{\"embedding\":[2,2,2,2]},"
	                                      "{\"embedding\":[3,3,3,3]}],\"x\":");
	for (int i = 0; i < 80; i++)
		deep[len++] = '[';
	deep[len++] = '1';
	for (int i = 0; i < 80; i++)
		deep[len++] = ']';
	snprintf(deep + len, sizeof deep - (size_t)len, "}");
	int rc;
	ok(same(deep, &rc) && rc == 0, "80 levels of nesting elsewhere in the answer");
}

static void diag_doc(const char *doc)
{
	static int shown;
	if (shown++ < 10)
		printf("# reader and jansson disagree on: %s\n", doc);
}

/* Mutations of every valid document: the reader and jansson agree on each. */
static void test_mutations(void)
{
	uint32_t seed = 12345;
	int total = 0, agree = 0, accepted = 0;
	static const char bytes[] = "{}[]:,\" \\0123456789.eE+-tfnulx\x01\xc3";
	for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) {
		size_t len = strlen(docs[d]);
		if (!len)
			continue;
		char *buf = vb_xmalloc(2 * len + 2);
		for (int k = 0; k < 400; k++) {
			memcpy(buf, docs[d], len + 1);
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % len;
			switch ((seed >> 4) % 3) {
			case 0: buf[at] = bytes[(seed >> 16) % (sizeof bytes - 1)]; break; /* flip */
			case 1: buf[at] = '\0'; break;                                     /* cut */
			default: memcpy(buf + len, docs[d] + at, len - at + 1); break;   /* a tail doubled */
			}
			int rc;
			total++;
			if (same(buf, &rc))
				agree++;
			else
				diag_doc(buf);
			accepted += rc == 0;
		}
		free(buf);
	}
	is_int(agree, total, "%d mutated answers (%d of them readable): the same verdict as jansson", total, accepted);
}

/* Numbers as servers print them (float32 shortest forms, Python's repr, %e, integers, long
 * mantissas, tiny and huge exponents): the same float as jansson's strtod, bit for bit. */
static void test_numbers(void)
{
	static const char *const fmt[] = {"%.9g", "%.17g", "%g", "%.3e", "%.12f", "%.0f", "%.25f", "%.20e"};
	uint32_t seed = 777;
	int total = 0, agree = 0;
	char doc[2048];
	for (int k = 0; k < 3000; k++) {
		int len = snprintf(doc, sizeof doc, "{\"data\":[");
		for (int i = 0; i < N; i++) {
			len += snprintf(doc + len, sizeof doc - (size_t)len, "%s{\"embedding\":[", i ? "," : "");
			for (int j = 0; j < DIM; j++) {
				seed = seed * 1103515245u + 12345u;
				uint32_t bits = seed;
				seed = seed * 1103515245u + 12345u;
				double x = (double)(int32_t)bits / 2147483648.0 * pow(10.0, (double)((int)(seed >> 8) % 60 - 30));
				len += snprintf(doc + len, sizeof doc - (size_t)len, j ? ",%s" : "%s", "");
				const char *f = fmt[(seed >> 20) % 8];
				if (!strcmp(f, "%.0f") && fabs(x) >= 9e18) /* jansson refuses integers beyond 64 bits */
					f = "%.9g";
				len += snprintf(doc + len, sizeof doc - (size_t)len, f, x);
			}
			len += snprintf(doc + len, sizeof doc - (size_t)len, "]}");
		}
		snprintf(doc + len, sizeof doc - (size_t)len, "]}");
		total++;
		int rc;
		if (same(doc, &rc) && rc == 0)
			agree++;
		else
			diag_doc(doc);
	}
	is_int(agree, total, "%d answers of random numbers in 8 formats: the same floats as jansson", total);
}

int main(void)
{
	/* a console user's locale must not change how numbers are read */
	setlocale(LC_ALL, "");
	test_documents();
	test_mutations();
	test_numbers();
	return tap_done();
}
