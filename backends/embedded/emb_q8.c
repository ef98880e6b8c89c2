/* backends/embedded/emb_q8.c - int8 copies of the cached vectors and the scans over them.
 *
 * Every unit vector is stored a second time as dim signed bytes with one float scale
 * (max |x| / 127): a quarter of the memory traffic of float32, and AVX2 multiplies 32 byte
 * pairs per instruction.  Scores from the codes are approximate, so every caller keeps r > k
 * candidates and re-ranks them in float32 (emb_rerank): the final order and distances are
 * always float32-exact, and only a row whose int8 score falls out of the r best while its
 * float score would be in the k best can be missed (docs/backends.md gives the measured rate). */
#include "emb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static float quantise(const float *v, int dim, int8_t *out)
{
	float m = 0;
	for (int i = 0; i < dim; i++)
		m = fmaxf(m, fabsf(v[i]));
	float scale = m > 0 ? m / 127.0f : 1.0f, inv = 1.0f / scale;
	for (int i = 0; i < dim; i++)
		out[i] = (int8_t)lrintf(v[i] * inv);
	return scale;
}

void emb_q8_build(struct emb_vcache *vc)
{
	size_t n = vc->n ? vc->n : 1;
	vc->codes = vb_xmalloc(n * (size_t)vc->dim);
	vc->scales = vb_xmalloc(n * sizeof *vc->scales);
	for (size_t i = 0; i < vc->n; i++)
		vc->scales[i] = quantise(vc->vecs + i * (size_t)vc->dim, vc->dim, vc->codes + i * (size_t)vc->dim);
}

void emb_q8_query(const float *q, int dim, int8_t *q8, float *qscale)
{
	*qscale = quantise(q, dim, q8);
}

static int32_t dot8_generic(const int8_t *a, const int8_t *b, int dim)
{
	int32_t s = 0;
	for (int i = 0; i < dim; i++)
		s += (int32_t)a[i] * b[i];
	return s;
}

typedef int32_t (*dot8_fn)(const int8_t *a, const int8_t *b, int dim);

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>

/* |a| times b-with-a's-sign gives a*b through maddubs (unsigned x signed); codes stay within
 * -127..127, so neither the sign trick nor the 16-bit pair sums can overflow. */
__attribute__((target("avx2"))) static int32_t dot8_avx2(const int8_t *a, const int8_t *b, int dim)
{
	const __m256i ones = _mm256_set1_epi16(1);
	__m256i acc = _mm256_setzero_si256();
	int i = 0;
	for (; i + 32 <= dim; i += 32) {
		__m256i x = _mm256_loadu_si256((const __m256i *)(a + i));
		__m256i y = _mm256_loadu_si256((const __m256i *)(b + i));
		__m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
		acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, ones));
	}
	__m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
	int32_t r = _mm_cvtsi128_si32(s);
	for (; i < dim; i++)
		r += (int32_t)a[i] * b[i];
	return r;
}

static dot8_fn pick_dot8(void)
{
	__builtin_cpu_init();
	if (!getenv("VBADMIN_NO_AVX2") && __builtin_cpu_supports("avx2"))
		return dot8_avx2;
	return dot8_generic;
}
#else
static dot8_fn pick_dot8(void)
{
	return dot8_generic;
}
#endif

int32_t emb_dot8(const int8_t *a, const int8_t *b, int dim)
{
	static dot8_fn fn;
	if (!fn)
		fn = pick_dot8(); /* a race only repeats the same choice */
	return fn(a, b, dim);
}

static dot8_fn dot8(void)
{
	static dot8_fn fn;
	if (!fn)
		fn = pick_dot8(); /* a race only repeats the same choice */
	return fn;
}

void emb_q8_scan(const struct emb_vcache *vc, const int8_t *q8, float qscale, const uint32_t *idx, size_t n,
                 const uint8_t *allow, struct emb_hit *heap, size_t *cnt, size_t r)
{
	const dot8_fn dot = dot8();
	const int dim = vc->dim;
	size_t total = idx ? n : vc->n;
	for (size_t j = 0; j < total; j++) {
		uint32_t i = idx ? idx[j] : (uint32_t)j;
		if (allow && !(allow[i >> 3] & (1u << (i & 7))))
			continue;
		float s = (float)dot(q8, vc->codes + (size_t)i * (size_t)dim, dim) * qscale * vc->scales[i];
		emb_heap_push(heap, cnt, r, s, i);
	}
}

size_t emb_rerank(const struct emb_vcache *vc, const float *q, struct emb_hit *hits, size_t n, size_t k)
{
	for (size_t j = 0; j < n; j++)
		hits[j].sim = emb_dot(q, vc->vecs + (size_t)hits[j].idx * (size_t)vc->dim, vc->dim);
	emb_hits_sort(hits, n);
	return n < k ? n : k;
}
