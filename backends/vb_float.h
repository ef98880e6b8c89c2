/* backends/vb_float.h - float32 vector cells as text, fast and exact.  Stores hand vectors between
 * each other as text cells ("[0.1,-2.5e-05,...]"); migrate writes and reads millions of them, where
 * printf("%.9g") and strtof spend more time than the stores.  Both functions here give the very
 * float back (round trip bit for bit), in a fraction of that time. */
#ifndef VB_FLOAT_H
#define VB_FLOAT_H

#include <stddef.h>

#define VB_FLOAT_TEXT 24 /* room for any vb_float_format output and its NUL */

/* f as at most 9 significant digits in printf %.9g's layout ("0.125", "-3.5e-07", "1e+20"),
 * which strtof reads back to exactly f; returns the length written to out (>= VB_FLOAT_TEXT). */
size_t vb_float_format(float f, char *out);
/* strtof(s, end): the correctly rounded float of the decimal at s; short decimals (up to 15
 * digits, exponent within 10^+-22: every number vbadmin and PostgreSQL write) are converted in
 * double arithmetic, the rest (and a result double rounding could have moved) by strtof. */
float vb_float_parse(const char *s, char **end);

#endif
