/* tests/tap.h - minimal TAP producer for unit tests.  Each check prints "ok N - name" or
 * "not ok N - name" plus a diagnostic; tap_done() prints the plan and returns the exit status. */
#ifndef TESTS_TAP_H
#define TESTS_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok_(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) tap_is_int_((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str_((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define has_str(hay, needle, ...) tap_has_str_((hay), (needle), __FILE__, __LINE__, __VA_ARGS__)

#include <stdarg.h>

#define TAP_HEAD_(pass) (printf("%sok %d - ", (pass) ? "" : "not ", ++tap_n))

static inline int tap_ok_(int pass, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline int tap_ok_(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	TAP_HEAD_(pass);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

static inline int tap_is_int_(long long got, long long want, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static inline int tap_is_int_(long long got, long long want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int pass = got == want;
	TAP_HEAD_(pass);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n#   got:  %lld\n#   want: %lld\n", file, line, got, want);
	}
	fflush(stdout);
	return pass;
}

static inline int tap_is_str_(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static inline int tap_is_str_(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int pass = (got && want) ? strcmp(got, want) == 0 : got == want;
	TAP_HEAD_(pass);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n#   got:  '%s'\n#   want: '%s'\n", file, line,
		       got ? got : "(null)", want ? want : "(null)");
	}
	fflush(stdout);
	return pass;
}

static inline int tap_has_str_(const char *hay, const char *needle, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static inline int tap_has_str_(const char *hay, const char *needle, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int pass = hay && needle && strstr(hay, needle) != NULL;
	TAP_HEAD_(pass);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n#   text: '%s'\n#   lacks: '%s'\n", file, line,
		       hay ? hay : "(null)", needle ? needle : "(null)");
	}
	fflush(stdout);
	return pass;
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : (tap_n ? 0 : 1);
}

#endif
