/* tests/unit/test_vb_float.c - vector cells as text (backends/vb_float.h): every float comes back
 * bit for bit through vb_float_format and both parsers, the text keeps printf %.9g's layout, and
 * vb_float_parse agrees with strtof on the decimals PostgreSQL, LanceDB and vbadmin write.  migrate's
 * "vectors equal bit for bit" rests on this. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_float.h"
#include "tap.h"

static uint64_t rng = 88172645463325252ull;
static uint32_t next32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static float from_bits(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static int same_bits(float a, float b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* Random bit patterns (every exponent, subnormals) plus the vectors embedders make (|x| < 1). */
static void test_roundtrip(void)
{
	long bad_strtof = 0, bad_parse = 0, bad_end = 0;
	char buf[VB_FLOAT_TEXT];
	for (long i = 0; i < 2000000; i++) {
		float f = i % 2 ? from_bits(next32()) : (float)((int32_t)next32()) / 2147483648.0f;
		if (!isfinite(f))
			continue;
		size_t n = vb_float_format(f, buf);
		char *end;
		bad_strtof += !same_bits(strtof(buf, NULL), f);
		bad_parse += !same_bits(vb_float_parse(buf, &end), f);
		bad_end += end != buf + n;
	}
	is_int(bad_strtof, 0, "strtof reads every formatted float back to the same bits");
	is_int(bad_parse, 0, "vb_float_parse reads every formatted float back to the same bits");
	is_int(bad_end, 0, "vb_float_parse stops right after the number");
}

static void test_layout(void)
{
	static const float cases[] = {0.1f, -0.5f, 1.0f, 100.0f, 123456789.0f, 1e9f, 1e-5f, 0.0001f, 3.4028235e38f,
	                              1.4e-45f, -2.5e-7f, 0.0f, 65536.0f, 0.333333343f};
	long same = 0, n = (long)(sizeof cases / sizeof cases[0]);
	char a[VB_FLOAT_TEXT], b[64];
	for (long i = 0; i < n; i++) {
		vb_float_format(cases[i], a);
		snprintf(b, sizeof b, "%.9g", (double)cases[i]);
		if (!strcmp(a, b))
			same++;
		else
			fprintf(stderr, "# vb_float_format(%.9g) = %s\n", (double)cases[i], a);
	}
	is_int(same, n, "the text is printf %%.9g's, digit for digit, on the layout cases");
	long differ = 0;
	for (long i = 0; i < 200000; i++) {
		float f = (float)((int32_t)next32()) / (float)(1u << (next32() % 31));
		vb_float_format(f, a);
		snprintf(b, sizeof b, "%.9g", (double)f);
		differ += strcmp(a, b) != 0;
	}
	ok(differ <= 20, "random floats print as %%.9g does (%ld of 200000 differ in a last digit)", differ);
}

/* Decimals as other writers make them: shortest (PostgreSQL/pgvector), %.6g, %.17g, exponents. */
static void test_parse_agrees(void)
{
	long bad = 0;
	char buf[64];
	static const char *const fmts[] = {"%.6g", "%.9g", "%.17g", "%.3e", "%.12f", "%g"};
	for (long i = 0; i < 600000; i++) {
		double d = ldexp((double)(int32_t)next32(), (int)(next32() % 160) - 120);
		snprintf(buf, sizeof buf, fmts[i % 6], d);
		char *e1, *e2;
		float a = vb_float_parse(buf, &e1), b = strtof(buf, &e2);
		bad += !same_bits(a, b) || e1 != e2;
	}
	is_int(bad, 0, "vb_float_parse = strtof on 600000 decimals in six layouts");
	static const char *const odd[] = {"-0", "0", "1e-50", "1e40", "inf", "-nan", "0x1p-3", "1.5e", ".5", "5.",
	                                  "123456789012345678", "1e+05]", "abc"};
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		char *e1, *e2;
		float a = vb_float_parse(odd[i], &e1), b = strtof(odd[i], &e2);
		ok((same_bits(a, b) || (isnan(a) && isnan(b))) && e1 == e2, "'%s' parses as strtof does", odd[i]);
	}
}

int main(void)
{
	test_roundtrip();
	test_layout();
	test_parse_agrees();
	return tap_done();
}
