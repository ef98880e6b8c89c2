/* tui/console.c - placeholder console until the screens land: shows what vbadmin can do. */
#include "console.h"

#include <curses.h>
#include <unistd.h>

int console_run(struct cli_ctx *ctx)
{
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
		return cli_help(ctx, 0, NULL);
	initscr();
	cbreak();
	noecho();
	mvprintw(0, 0, "vbadmin console - press q to quit");
	refresh();
	while (getch() != 'q')
		;
	endwin();
	return VB_EXIT_OK;
}
