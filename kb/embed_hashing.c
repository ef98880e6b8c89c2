/* kb/embed_hashing.c - the built-in offline embedder: signed feature hashing.
 * One pass over the bytes, no allocation per text or token: word hashes are computed while
 * scanning, character 3-grams from a rolling 3-byte window over "<word>". */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../backends/vb_util.h"
#include "embed_impl.h"

/* Feature weights: whole words matter most, pairs keep some word order, 3-grams make
 * "revenue"/"revenues" and typos land near each other. */
#define W_WORD 1.0f
#define W_BIGRAM 0.5f
#define W_TRIGRAM 0.25f

/* Tags keep the three feature families apart in hash space. */
#define TAG_WORD 0x9e3779b97f4a7c15ULL
#define TAG_BIGRAM 0xc2b2ae3d27d4eb4fULL
#define TAG_TRIGRAM 0x165667b19e3779f9ULL
#define TAG_EMPTY 0x27d4eb2f165667c5ULL

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static inline void feature(float *v, uint32_t dim, uint64_t h, float w)
{
	uint64_t m = mix64(h);
	/* low 32 bits pick the bucket (multiply-shift, no division); the top bit the sign */
	uint32_t idx = (uint32_t)(((m & 0xffffffffULL) * dim) >> 32);
	v[idx] += (m >> 63) ? -w : w;
}

/* ASCII lower-casing; bytes >= 0x80 (UTF-8) are word bytes and kept as they are. */
static inline unsigned char lower(unsigned char c)
{
	return (unsigned char)((unsigned)(c - 'A') < 26u ? c + 32 : c);
}

static inline int is_word(unsigned char c)
{
	return (unsigned)((c | 32) - 'a') < 26u || (unsigned)(c - '0') < 10u || c >= 0x80;
}

void embed_hashing(const char *text, size_t len, int dim, float *out)
{
	uint32_t d = (uint32_t)dim;
	memset(out, 0, (size_t)dim * sizeof *out);
	const unsigned char *s = (const unsigned char *)(text ? text : "");
	size_t i = 0;
	uint64_t prev_word = 0;
	int have_prev = 0, nfeat = 0;
	while (i < len) {
		while (i < len && !is_word(s[i]))
			i++;
		if (i >= len)
			break;
		uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a over the lower-cased word */
		uint32_t win = '<';                 /* rolling window of the last bytes of "<word" */
		int inwin = 1;
		while (i < len && is_word(s[i])) {
			unsigned char c = lower(s[i++]);
			h = (h ^ c) * 0x100000001b3ULL;
			win = ((win << 8) | c) & 0xffffffu;
			if (++inwin >= 3)
				feature(out, d, TAG_TRIGRAM ^ win, W_TRIGRAM);
		}
		win = ((win << 8) | '>') & 0xffffffu;
		feature(out, d, TAG_TRIGRAM ^ win, W_TRIGRAM);
		feature(out, d, TAG_WORD ^ h, W_WORD);
		if (have_prev)
			feature(out, d, TAG_BIGRAM ^ (prev_word * 0x9ddfea08eb382d69ULL + h), W_BIGRAM);
		prev_word = h;
		have_prev = 1;
		nfeat++;
	}
	double ss = 0;
	for (int k = 0; k < dim; k++)
		ss += (double)out[k] * out[k];
	if (nfeat == 0 || ss == 0) {
		/* no words (or features that cancelled out): a fixed unit vector, never zero */
		memset(out, 0, (size_t)dim * sizeof *out);
		feature(out, d, TAG_EMPTY, 1.0f);
		ss = 1;
	}
	float inv = (float)(1.0 / sqrt(ss));
	for (int k = 0; k < dim; k++)
		out[k] *= inv;
}

static int hashing_open(struct embedder *e, struct vb_error *err)
{
	(void)err;
	e->describe = vb_xasprintf("hashing (built in, %d dimensions)", e->opt.dim);
	e->served_dim = e->opt.dim;
	return VB_OK;
}

static int hashing_embed(struct embedder *e, const char *const *texts, size_t n, float *out, struct vb_error *err)
{
	(void)err;
	for (size_t i = 0; i < n; i++) {
		if (e->opt.cancel && *e->opt.cancel)
			return vb_err_set(err, VB_ERR_CANCELLED, "embedding cancelled");
		const char *t = texts[i] ? texts[i] : "";
		embed_hashing(t, strlen(t), e->opt.dim, out + i * (size_t)e->opt.dim);
	}
	return VB_OK;
}

const struct embed_kind embed_kind_hashing = {"hashing", hashing_open, hashing_embed, NULL};
