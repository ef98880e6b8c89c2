/* tui/keymap.c - keys to actions, and action names/help for the key bar and Help screen. */
#include <stdio.h>
#include <string.h>

#include "tui.h"

static const struct { int key; const char *name; int action; } bindings[] = {
#define KEY_BIND(key, name, action) {key, name, action},
#include "keymap.def"
#undef KEY_BIND
#define SCREEN(id, ops, key) {key, (const char[]){key, 0}, ACT_GOTO__FIRST + id},
#include "screens.def"
#undef SCREEN
};
_Static_assert(ACT_GOTO__LAST == ACT_GOTO__FIRST + SCREEN__COUNT - 1, "one go-to action per screen of screens.def");

static const struct { const char *name, *help; } actions[ACT__COUNT] = {
	[ACT_NONE] = {"none", ""},
#define ACTION(id, name, help) [id] = {name, help},
#include "actions.def"
#undef ACTION
};

int tui_key_action(int key)
{
	if (key == '\r')
		key = '\n';
	for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
		if (bindings[i].key && bindings[i].key == key) /* key 0: a screen without a key */
			return bindings[i].action;
	return ACT_NONE;
}

/* "Go to Search": the go-to actions are named after their screen. */
static const char *goto_text(int action)
{
	static char buf[64];
	const struct tui_screen_ops *s = tui_screen_ops_of(action - ACT_GOTO__FIRST);
	if (!s)
		return "";
	snprintf(buf, sizeof buf, "Go to %s", s->title);
	return buf;
}

const char *tui_action_help(int action)
{
	if (action >= ACT_GOTO__FIRST && action <= ACT_GOTO__LAST)
		return goto_text(action);
	return action > 0 && action < ACT__COUNT ? actions[action].help : "";
}

/* A name a text prompt does not take as a character (Esc, Tab, F1, not q). */
static int printable_name(const char *name)
{
	return name[0] && !name[1] && name[0] > ' ' && name[0] < 127;
}

const char *tui_action_key(int action, int raw)
{
	const char *best = "";
	for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++) {
		const char *n = bindings[i].name;
		if (bindings[i].action != action || !bindings[i].key || (raw && printable_name(n)))
			continue;
		if (!*best || strlen(n) < strlen(best))
			best = n;
	}
	return best;
}

int tui_key_is_text(int key)
{
	return key > ' ' && key < 127;
}

char tui_screen_key(int id)
{
	static const char keys[SCREEN__COUNT] = {
#define SCREEN(id, ops, key) [id] = key,
#include "screens.def"
#undef SCREEN
	};
	return id >= 0 && id < SCREEN__COUNT ? keys[id] : 0;
}

const char *tui_action_keys(int action, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++) {
		if (bindings[i].action != action || !bindings[i].key)
			continue;
		/* Enter is bound twice (LF and KEY_ENTER); show it once */
		if (used && strstr(buf, bindings[i].name))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? " " : "", bindings[i].name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	return buf;
}
