/* cli/cli_signals.c - see cli_signals.h.  Everything here is async-signal-safe: engine_interrupt
 * sets a flag and calls the backend's cancel, which only writes a request on a socket prepared
 * at connect time (PQcancel) or sets a flag (sqlite3_interrupt); messages go out with write(2). */
#include "cli_signals.h"

#include <string.h>
#include <unistd.h>

#include "../engine/engine.h"

static struct engine *volatile sig_engine;
static volatile sig_atomic_t sig_count;
static struct sigaction old_int, old_term, old_hup;

static void say(const char *s)
{
	ssize_t w = write(STDERR_FILENO, s, strlen(s));
	(void)w;
}

/* 1 when a statement could be running (a handle exists) and the cancel was sent; the engine's
 * cancelled flag is set either way. */
static int cancel_now(void)
{
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
			say("\nvbadmin: interrupted while connecting; nothing was sent\n");
			_exit(130);
		}
		if (++sig_count >= 2) {
			say("\nvbadmin: interrupted again: exiting now; the server rolls back what was not committed\n");
			_exit(130);
		}
		return;
	}
	/* SIGTERM / SIGHUP: stop the server's work first, then die of the signal as expected */
	cancel_now();
	signal(sig, SIG_DFL);
	raise(sig);
}

void cli_signals_watch(struct engine *e)
{
	sig_engine = e;
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

void cli_signals_unwatch(void)
{
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sig_engine = NULL;
}
