/* tui/keymap.c - keys to actions, and the key names every console text takes from keymap.def and
 * screens.def (a text never spells a key itself: rebinding one there renames it everywhere). */
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

/* The action actions.def names so ("find-next"), or ACT_NONE. */
static int action_named(const char *name, size_t len)
{
	for (int a = 1; a < ACT_GOTO__FIRST; a++)
		if (strlen(actions[a].name) == len && strncmp(actions[a].name, name, len) == 0)
			return a;
	return ACT_NONE;
}

/* actions.def's help names keys as {action-name} ({!action-name}: as a text prompt sees keys):
 * the key map's key goes there, so a key rebound in keymap.def changes the help too. */
static const char *expand_keys(const char *help)
{
	static char buf[256];
	size_t used = 0;
	buf[0] = '\0';
	for (const char *p = help; *p && used + 1 < sizeof buf;) {
		const char *end = *p == '{' ? strchr(p, '}') : NULL;
		int raw = end && p[1] == '!';
		int a = end ? action_named(p + 1 + raw, (size_t)(end - p - 1 - raw)) : ACT_NONE;
		int n = a != ACT_NONE ? snprintf(buf + used, sizeof buf - used, "%s", tui_action_key(a, raw))
		                      : snprintf(buf + used, sizeof buf - used, "%c", *p);
		if (n < 0 || (size_t)n >= sizeof buf - used)
			break;
		used += (size_t)n;
		p = a != ACT_NONE ? end + 1 : p + 1;
	}
	return buf;
}

const char *tui_action_help(int action)
{
	if (action >= ACT_GOTO__FIRST && action <= ACT_GOTO__LAST)
		return goto_text(action);
	return action > 0 && action < ACT__COUNT ? expand_keys(actions[action].help) : "";
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

const char *tui_key(int action)
{
	return tui_action_key(action, 0);
}

const char *tui_action_letter(int action)
{
	const char *best = "";
	for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
		if (bindings[i].action == action && bindings[i].key && printable_name(bindings[i].name) && !*best)
			best = bindings[i].name;
	return best;
}

const char *tui_key_name(int key)
{
	if (key == '\r')
		key = '\n';
	for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
		if (bindings[i].key && bindings[i].key == key)
			return bindings[i].name;
	return "";
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
