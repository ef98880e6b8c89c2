/* tests/unit/test_cli_getopt.c - cli_getopt (cli/cli.c) builds each command's getopt string in the
 * caller's buffer (struct cli_args.shortopts, on the stack, not zeroed).  It once looked for an
 * option letter already written with strchr, which read on past the bytes written into whatever the
 * stack held: a stray 'o' there dropped dba-packet's -o ("bad option '-o'", exit 2) in loaded full
 * runs.  Filled with every letter beforehand, the buffer must still come back with each command's
 * one-letter options, each exactly once. */
#include <string.h>

#include "../../cli/cli.h"
#include "../tap.h"

static int count_key(const char *s, int key)
{
	int n = 0;
	for (; *s; s++)
		n += *s == key;
	return n;
}

static void check_command(const char *cmd)
{
	char buf[sizeof ((struct cli_args *)0)->shortopts];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (char)('a' + i % 26); /* stack garbage that holds every letter */
	cli_getopt(cmd, buf, sizeof buf);
	ok(memchr(buf, '\0', sizeof buf) != NULL, "%s: the option string is terminated", cmd);
	for (size_t i = 0; i < cli_noptions; i++) {
		const struct cli_option *o = &cli_options[i];
		if (strcmp(o->command, cmd) != 0 || o->key < 'a' || o->key > 'z')
			continue;
		is_int(count_key(buf, o->key), 1, "%s: -%c (--%s) is offered once", cmd, o->key, o->name);
	}
}

int main(void)
{
	for (size_t i = 0; i < cli_ncommands; i++)
		check_command(cli_commands[i].name);
	return tap_done();
}
