/* backends/vb_float.c - see vb_float.h.  Why the shortcuts are exact:
 *  - format: 9 significant digits of a float32 computed in double arithmetic are off the exact
 *    decimal by at most half a unit of the 9th digit plus double rounding (~1e-16), i.e. below
 *    6e-9 of the value, while the nearest other float is at least 2^-24 (6e-8) of the value away
 *    (relative), so strtof rounds the text back to f.  Subnormal floats are even farther apart.
 *  - parse: m (<= 15 digits, exact in a double) times or divided by 10^k (k <= 22, exact) is one
 *    correctly rounded double operation; rounding that double to float is then correct unless the
 *    double sits exactly on a midpoint between two floats (it may have been rounded onto it), and
 *    that case, as well as subnormal and out-of-range results, goes to strtof. */
#include "vb_float.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double pow10_tab[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static double pow10_any(int k) /* 10^k for |k| <= 60; beyond 10^22 rounded, which format tolerates */
{
	double p = 1;
	int a = k < 0 ? -k : k;
	while (a > 22) {
		p *= 1e22;
		a -= 22;
	}
	p *= pow10_tab[a];
	return k < 0 ? 1 / p : p;
}

static char *put_digits(char *p, const char *d, int n)
{
	memcpy(p, d, (size_t)n);
	return p + n;
}

size_t vb_float_format(float f, char *out)
{
	double x = f;
	if (!isfinite(x) || x == 0)
		return (size_t)snprintf(out, VB_FLOAT_TEXT, "%.9g", x);
	char *p = out;
	if (x < 0) {
		*p++ = '-';
		x = -x;
	}
	int e = (int)floor(log10(x));
	double scaled = 8 - e >= 0 ? x * pow10_any(8 - e) : x / pow10_any(e - 8);
	uint64_t m = (uint64_t)nearbyint(scaled); /* ties to even, as printf */
	if (m >= 1000000000u) { /* log10 or rounding carried into a 10th digit */
		m = (m + 5) / 10;
		e++;
	} else if (m < 100000000u) { /* log10 came out one too high */
		e--;
		m = (uint64_t)nearbyint(8 - e >= 0 ? x * pow10_any(8 - e) : x / pow10_any(e - 8));
	}
	char d[10];
	for (int i = 8; i >= 0; i--, m /= 10)
		d[i] = (char)('0' + m % 10);
	int nd = 9;
	while (nd > 1 && d[nd - 1] == '0')
		nd--;
	if (e < -4 || e >= 9) { /* %.9g's exponent form: d.ddde-05 */
		*p++ = d[0];
		if (nd > 1) {
			*p++ = '.';
			p = put_digits(p, d + 1, nd - 1);
		}
		p += sprintf(p, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
	} else if (e >= 0) {
		int whole = e + 1;
		if (nd <= whole) {
			p = put_digits(p, d, nd);
			for (int i = nd; i < whole; i++)
				*p++ = '0';
		} else {
			p = put_digits(p, d, whole);
			*p++ = '.';
			p = put_digits(p, d + whole, nd - whole);
		}
	} else {
		*p++ = '0';
		*p++ = '.';
		for (int i = 0; i < -e - 1; i++)
			*p++ = '0';
		p = put_digits(p, d, nd);
	}
	*p = '\0';
	return (size_t)(p - out);
}

/* Is d, a double in float range, exactly halfway between two neighbouring normal floats? */
static int float_midpoint(double d)
{
	uint64_t bits;
	memcpy(&bits, &d, sizeof bits);
	return (bits & 0x1fffffffu) == 0x10000000u; /* the 29 bits a float drops: 1 then 28 zeros */
}

float vb_float_parse(const char *s, char **end)
{
	const char *p = s;
	int neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	uint64_t m = 0;
	int digits = 0, scale = 0, seen = 0;
	for (; *p >= '0' && *p <= '9'; p++, seen++)
		if (m || *p != '0')
			m = m * 10 + (uint64_t)(*p - '0'), digits++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, seen++, scale--)
			if (m || *p != '0')
				m = m * 10 + (uint64_t)(*p - '0'), digits++;
	if (!seen || digits > 15 || *p == 'x' || *p == 'X') /* hex floats too */
		return strtof(s, end);
	if (*p == 'e' || *p == 'E') {
		const char *q = p + 1;
		int eneg = *q == '-', ev = 0;
		if (*q == '-' || *q == '+')
			q++;
		if (*q < '0' || *q > '9')
			return strtof(s, end);
		for (; *q >= '0' && *q <= '9' && ev < 1000; q++)
			ev = ev * 10 + (*q - '0');
		if (*q >= '0' && *q <= '9')
			return strtof(s, end);
		scale += eneg ? -ev : ev;
		p = q;
	}
	if (m == 0) {
		if (end)
			*end = (char *)p;
		return neg ? -0.0f : 0.0f;
	}
	if (scale < -22 || scale > 22)
		return strtof(s, end);
	double d = scale >= 0 ? (double)m * pow10_tab[scale] : (double)m / pow10_tab[-scale];
	if (d < 0x1p-126 || d > 0x1.fffffep127 || float_midpoint(d))
		return strtof(s, end);
	if (end)
		*end = (char *)p;
	return neg ? -(float)d : (float)d;
}
