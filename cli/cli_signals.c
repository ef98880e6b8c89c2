/* cli/cli_signals.c - see cli_signals.h.  The handler is async-signal-safe: engine_interrupt
 * sets a flag and calls the backend's cancel, which only writes a request on a socket prepared
 * at connect time (PQcancel) or sets a flag (sqlite3_interrupt); messages go out with write(2),
 * and the "doing" text is only written with the signals blocked. */
#include "cli_signals.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../engine/engine.h"

static struct engine *volatile sig_engine;
static atomic_int *volatile sig_flag; /* lock-free: a signal handler may set it */
static volatile sig_atomic_t sig_count;
static struct sigaction old_int, old_term, old_hup;
static char doing[512] = "the command";

static void say(const char *s)
{
	ssize_t w = write(STDERR_FILENO, s, strlen(s));
	(void)w;
}

static void say3(const char *a, const char *b, const char *c)
{
	say(a);
	say(b);
	say(c);
}

/* 1 when a statement could be running (a handle exists, or the command checks a flag) and the
 * cancel was sent; the engine's cancelled flag is set either way. */
static int cancel_now(void)
{
	if (sig_flag) {
		*sig_flag = 1;
		return 1;
	}
	struct engine *e = sig_engine;
	if (!e)
		return 0;
	int connected = e->h != NULL;
	engine_interrupt(e);
	return connected;
}

static void on_signal(int sig)
{
	if (sig == SIGINT) {
		int connected = cancel_now();
		if (!connected) {
			say3("\nvbadmin: cancelled: ", doing, ", while connecting; nothing was sent\n");
			_exit(130);
		}
		if (++sig_count >= 2) {
			say3("\nvbadmin: cancelled: ", doing,
			     ", at once (second Ctrl-C); the open transaction is rolled back, what was committed before it "
			     "stays\n");
			_exit(130);
		}
		/* say at once that the key was heard: the cancel may take a moment to come back */
		say3("\nvbadmin: Ctrl-C: cancelling ", doing, " (Ctrl-C again quits at once)\n");
		return;
	}
	/* SIGTERM / SIGHUP: stop the server's work first, then die of the signal as expected */
	cancel_now();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install(void)
{
	sig_count = 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	if (old_hup.sa_handler == SIG_IGN) /* started under nohup: the person wants it to survive */
		sigaction(SIGHUP, &old_hup, NULL);
}

void cli_signals_watch(struct engine *e)
{
	sig_engine = e;
	sig_flag = NULL;
	install();
}

void cli_signals_watch_flag(atomic_int *flag)
{
	sig_engine = NULL;
	sig_flag = flag;
	install();
}

void cli_signals_unwatch(void)
{
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sig_engine = NULL;
	sig_flag = NULL;
}

void cli_signals_doing(const char *fmt, ...)
{
	char buf[sizeof doing];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	memcpy(doing, buf, sizeof doing);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int cli_cancelled(struct cli_ctx *ctx, const char *kept_fmt, ...)
{
	char kept[1024];
	va_list ap;
	va_start(ap, kept_fmt);
	vsnprintf(kept, sizeof kept, kept_fmt, ap);
	va_end(ap);
	fprintf(ctx->err, "vbadmin: cancelled: %s; %s\n", doing, kept);
	return VB_EXIT_INTERRUPTED;
}
