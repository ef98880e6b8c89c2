/* tui/screen_pending.c - screens whose engine side has not landed yet say so plainly.
 * Each is replaced by its own screen_<name>.c as the engine grows. */
#include "tui.h"

#define PENDING_SCREEN(sym, nm, ttl, cli)                                                       \
	static void sym##_draw(struct tui_app *app, int top, int height, int width)              \
	{                                                                                          \
		(void)app;                                                                             \
		(void)height;                                                                          \
		tui_print(top, 0, width, ROLE_TITLE, " " ttl);                                          \
		tui_print(top + 2, 2, width - 2, ROLE_NORMAL, "This screen is not in this build yet.");  \
		tui_print(top + 3, 2, width - 2, ROLE_NORMAL, "On the command line: " cli);              \
	}                                                                                          \
	const struct tui_screen_ops sym = {.name = nm, .title = ttl, .draw = sym##_draw};

PENDING_SCREEN(tui_screen_setup, "setup", "Setup", "vbadmin check")
PENDING_SCREEN(tui_screen_extension, "extension", "Extension", "vbadmin extension")
PENDING_SCREEN(tui_screen_tables, "tables", "Tables", "vbadmin verify")
PENDING_SCREEN(tui_screen_ddl, "ddl", "DDL", "vbadmin ddl render")
PENDING_SCREEN(tui_screen_bootstrap, "bootstrap", "Bootstrap", "vbadmin bootstrap-kb")
PENDING_SCREEN(tui_screen_search, "search", "Search", "vbadmin search")
