/* cli/cli_help.c - `vbadmin help`, `vbadmin COMMAND --help` and the man page (`vbadmin help
 * --man` writes docs/vbadmin.1), all from commands.def, options.def, the global options and
 * engine/exitcodes.def.  Text for people stays within 80 columns. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define WIDTH 80

/* Prints text after `indent` columns already used, wrapping at WIDTH with continuation lines
 * indented by `hang`. */
static void wrapped(FILE *o, const char *text, int indent, int hang)
{
	int col = indent;
	for (const char *p = text; *p;) {
		while (*p == ' ')
			p++;
		int n = (int)strcspn(p, " ");
		if (col > hang && col + 1 + n > WIDTH) {
			fprintf(o, "\n%*s", hang, "");
			col = hang;
		} else if (col > indent) {
			fputc(' ', o);
			col++;
		}
		fprintf(o, "%.*s", n, p);
		col += n;
		p += n;
	}
	fputc('\n', o);
}

/* "  --name ARG" / "  -k, --name ARG" into buf. */
static void option_label(char *buf, size_t len, char shrt, const char *name, const char *arg)
{
	char s[8] = "";
	if (shrt)
		snprintf(s, sizeof s, "-%c, ", shrt);
	snprintf(buf, len, "%s--%s%s%s", s, name, arg ? " " : "", arg ? arg : "");
}

static void print_option(FILE *o, char shrt, const char *name, const char *arg, const char *help)
{
	char label[64];
	option_label(label, sizeof label, shrt, name, arg);
	int used = fprintf(o, "  %-24s", label);
	if (used > 26)
		fprintf(o, "\n%26s", "");
	wrapped(o, help, 26, 26);
}

static char short_of(const struct cli_option *op)
{
	return op->key >= 'a' && op->key <= 'z' ? (char)op->key : 0;
}

static void print_globals(FILE *o)
{
	for (size_t i = 0; i < cli_nglobals; i++)
		if (cli_globals[i].help)
			print_option(o, cli_globals[i].shrt == 'V' ? 0 : cli_globals[i].shrt, cli_globals[i].name,
			             cli_globals[i].arg, cli_globals[i].help);
}

static void print_one(FILE *o, const struct cli_command *c)
{
	fprintf(o, "usage: vbadmin %s %s\n", c->name, c->args);
	wrapped(o, c->summary, 0, 0);
	int header = 0;
	for (size_t i = 0; i < cli_noptions; i++) {
		const struct cli_option *op = &cli_options[i];
		if (strcmp(op->command, c->name) != 0 || !op->help)
			continue;
		if (!header++)
			fprintf(o, "\nOptions:\n");
		print_option(o, short_of(op), op->name, op->arg, op->help);
	}
	fprintf(o, "\nGlobal options (before or after the command): --config FILE, --namespace NS,\n"
	           "--backend NAME, --no-color, -v (vbadmin help).\n");
	fprintf(o, "\nExample:\n  vbadmin %s\n", c->example);
}

int cli_command_help(struct cli_ctx *ctx, const char *name)
{
	const struct cli_command *c = cli_find(name);
	if (c) {
		print_one(ctx->out, c);
		return VB_EXIT_OK;
	}
	/* a family ("ddl"): every member */
	int n = 0;
	size_t len = strlen(name);
	for (size_t i = 0; i < cli_ncommands; i++)
		if (strncmp(cli_commands[i].name, name, len) == 0 && cli_commands[i].name[len] == ' ') {
			if (n++)
				fputc('\n', ctx->out);
			print_one(ctx->out, &cli_commands[i]);
		}
	if (n)
		return VB_EXIT_OK;
	return cli_usage_error(ctx, NULL, "no command '%s'; run 'vbadmin help' for the list", name);
}

static void print_overview(FILE *o)
{
	fprintf(o, "vbadmin - get a vector-search knowledge base ready, prove it, fill it, search it\n\n"
	           "usage: vbadmin [GLOBAL OPTIONS] COMMAND [OPTIONS]\n"
	           "With no command vbadmin opens the console.\n\nCommands:\n");
	for (size_t i = 0; i < cli_ncommands; i++) {
		int used = fprintf(o, "  %-16s", cli_commands[i].name);
		if (used > 18)
			fprintf(o, "\n%18s", "");
		wrapped(o, cli_commands[i].summary, 18, 18);
	}
	fprintf(o, "\nGlobal options (before or after the command):\n");
	print_globals(o);
	fprintf(o, "\nExit codes:\n");
#define EXIT_CODE(sym, val, text) fprintf(o, "  %-4d %s\n", val, text);
#include "../engine/exitcodes.def"
#undef EXIT_CODE
	fprintf(o, "\nRun 'vbadmin COMMAND --help' for a command's options and an example.\n");
}

/* -- the man page -- */

/* troff-safe text: a leading '.' or '\'' and backslashes escaped, '-' as \- */
static void roff(FILE *o, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", o);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", o);
		else if (*s == '-')
			fputs("\\-", o);
		else
			fputc(*s, o);
	}
}

static void man_option(FILE *o, char shrt, const char *name, const char *arg, const char *help)
{
	char label[64];
	option_label(label, sizeof label, shrt, name, arg);
	fputs(".TP\n.B ", o);
	roff(o, label);
	fputc('\n', o);
	roff(o, help);
	fputc('\n', o);
}

static void man_command(FILE *o, const struct cli_command *c)
{
	fputs(".SS ", o);
	roff(o, c->name);
	fputs("\n.B vbadmin ", o);
	roff(o, c->name);
	fputc(' ', o);
	roff(o, c->args);
	fputs("\n.PP\n", o);
	roff(o, c->summary);
	fputc('\n', o);
	for (size_t i = 0; i < cli_noptions; i++)
		if (strcmp(cli_options[i].command, c->name) == 0 && cli_options[i].help)
			man_option(o, short_of(&cli_options[i]), cli_options[i].name, cli_options[i].arg, cli_options[i].help);
	fputs(".PP\nExample:\n.RS\n.B vbadmin ", o);
	roff(o, c->example);
	fputs("\n.RE\n", o);
}

static void print_man(FILE *o)
{
	fprintf(o, ".\\\" docs/vbadmin.1 - generated by `vbadmin help --man` (scripts/gen-docs.sh); do not edit\n"
	           ".TH VBADMIN 1 \"\" \"vbadmin %s\" \"User Commands\"\n.SH NAME\n"
	           "vbadmin \\- get a vector-search knowledge base ready, prove it, fill it, search it\n"
	           ".SH SYNOPSIS\n.B vbadmin\n[\\fIGLOBAL OPTIONS\\fR] [\\fICOMMAND\\fR [\\fIOPTIONS\\fR]]\n"
	           ".SH DESCRIPTION\nWith no command vbadmin opens the console (docs/console.md). "
	           "The commands below do the same work from a shell or a script.\n.SH GLOBAL OPTIONS\n"
	           "They may stand before or after the command.\n", VBADMIN_VERSION);
	for (size_t i = 0; i < cli_nglobals; i++)
		if (cli_globals[i].help)
			man_option(o, cli_globals[i].shrt == 'V' ? 0 : cli_globals[i].shrt, cli_globals[i].name,
			           cli_globals[i].arg, cli_globals[i].help);
	fputs(".SH COMMANDS\n", o);
	for (size_t i = 0; i < cli_ncommands; i++)
		man_command(o, &cli_commands[i]);
	fputs(".SH EXIT STATUS\n", o);
#define EXIT_CODE(sym, val, text) fprintf(o, ".TP\n.B %d\n", val); roff(o, text); fputc('\n', o);
#include "../engine/exitcodes.def"
#undef EXIT_CODE
	fputs(".SH SEE ALSO\nREADME.md and docs/ of the vbadmin sources.\n", o);
}

int cli_help(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--man") == 0) {
		print_man(ctx->out);
		return VB_EXIT_OK;
	}
	if (argc > 1) {
		char *name = cli_join_words(argc - 1, argv + 1); /* "help ddl apply" */
		int rc = cli_command_help(ctx, name);
		free(name);
		return rc;
	}
	print_overview(ctx->out);
	return VB_EXIT_OK;
}
