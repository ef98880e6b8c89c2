/* tui/screen_help.c - Help, generated from actions.def, keymap.def and keybar.def. */
#include "textview.h"

static struct tui_text help_text;

static const struct tui_screen_ops *const all_screens[SCREEN__COUNT] = {
#define SCREEN(id, ops, key) [id] = &ops,
#include "screens.def"
#undef SCREEN
};

static void add_key(void *ctx, const char *keys, const char *label)
{
	(void)ctx;
	tui_text_addf(&help_text, ROLE_NORMAL, "  %-22s %s", keys, label);
}

/* The keys of the screen help was opened from, first: its rows of keybar.def, every pane. */
static void screen_keys(struct tui_app *app)
{
	const struct tui_screen_ops *s = all_screens[app->prev_screen];
	tui_text_addf(&help_text, ROLE_TITLE, "Keys of %s (%s goes back)", s->title, tui_action_key(ACT_BACK, 0));
	tui_keybar_each(app->prev_screen, add_key, NULL);
	tui_text_add(&help_text, ROLE_NORMAL, "");
}

static void help_enter(struct tui_app *app)
{
	tui_text_clear(&help_text);
	screen_keys(app);
	tui_text_add(&help_text, ROLE_TITLE, "Every key");
	for (int a = 1; a < ACT__COUNT; a++) {
		char keys[64];
		if (!*tui_action_keys(a, keys, sizeof keys))
			continue; /* an action no key reaches (the Help screen's own go-to) */
		tui_text_addf(&help_text, ROLE_NORMAL, "  %-14s %s", tui_action_keys(a, keys, sizeof keys),
		              tui_action_help(a));
	}
	tui_text_add(&help_text, ROLE_NORMAL, "");
	tui_text_add(&help_text, ROLE_TITLE, "Commands (type : then the name)");
	char names[512];
	tui_text_add_wrapped(&help_text, ROLE_NORMAL, tui_command_names(names, sizeof names), COLS - 2, "  ");
	tui_text_add(&help_text, ROLE_NORMAL, "");
	tui_text_add(&help_text, ROLE_NORMAL, "Every console action also exists on the command line: vbadmin help");
}

static void help_draw(struct tui_app *app, int top, int height, int width)
{
	tui_text_draw(&help_text, top, height, width, app->find);
}

static int help_action(struct tui_app *app, int action)
{
	return tui_text_action(&help_text, action, LINES - 3, app->find);
}

const struct tui_screen_ops tui_screen_help = {
	.name = "help",
	.title = "Help",
	.enter = help_enter,
	.draw = help_draw,
	.action = help_action,
};
