/* cli/cli_advice.c - `vbadmin advice [CODE...] [--json] [--markdown]`: the advice catalogue
 * by SQLSTATE, Datus code, vbadmin code or id; --markdown prints docs/troubleshooting.md. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/advice.h"
#include "cli.h"
#include "cli_json.h"

static void print_one(FILE *o, const struct advice *a)
{
	char anchor[32];
	advice_anchor(a, anchor, sizeof anchor);
	char *fix = advice_render(a->fix, NULL, NULL);
	fprintf(o, "%s: %s\n  matches: %s%s%s\n  who acts: %s; exit code %d\n  why: %s\n  fix:\n", a->id, a->title,
	        a->match, a->step ? " in step " : "", a->step ? a->step : "", advice_who_name(a->who), a->exit_code,
	        a->cause);
	for (char *p = fix; p && *p;) {
		char *nl = strchr(p, '\n');
		fprintf(o, "    %.*s\n", nl ? (int)(nl - p) : (int)strlen(p), p);
		p = nl ? nl + 1 : NULL;
	}
	fprintf(o, "  docs: docs/troubleshooting.md#%s\n", anchor);
	free(fix);
}

static json_t *json_one(const struct advice *a)
{
	char anchor[32], doc[64];
	advice_anchor(a, anchor, sizeof anchor);
	snprintf(doc, sizeof doc, "docs/troubleshooting.md#%s", anchor);
	char *fix = advice_render(a->fix, NULL, NULL);
	json_t *o = json_object();
	json_object_set_new(o, "id", cli_json_str(a->id));
	json_object_set_new(o, "matches", cli_json_str(a->match));
	json_object_set_new(o, "title", cli_json_str(a->title));
	json_object_set_new(o, "cause", cli_json_str(a->cause));
	json_object_set_new(o, "fix", cli_json_str(fix));
	json_object_set_new(o, "who", cli_json_str(advice_who_name(a->who)));
	json_object_set_new(o, "exit_code", json_integer(a->exit_code));
	json_object_set_new(o, "doc", cli_json_str(doc));
	free(fix);
	return o;
}

int cli_advice(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cli_args args;
	cli_args_init(&args, ctx, "advice", argc, argv, 0);
	int json = 0, md = 0;
	for (int c; (c = cli_args_next(&args));) {
		json |= c == 'j';
		md |= c == 'm';
	}
	if (cli_args_end(&args, -1))
		return args.rc;
	struct vb_buf b;
	vb_buf_init(&b);
	if (md) {
		advice_markdown(&b);
		fputs(b.data, ctx->out);
		vb_buf_free(&b);
		return VB_EXIT_OK;
	}
	int rc = VB_EXIT_OK;
	json_t *list = json ? json_array() : NULL;
	if (optind >= argc) {
		for (int i = 0; i < advice_count; i++) {
			if (json) {
				json_array_append_new(list, json_one(&advice_table[i]));
			} else {
				fprintf(ctx->out, "%-8s %-8s %s\n", advice_table[i].id, advice_who_name(advice_table[i].who),
				        advice_table[i].title);
			}
		}
	}
	for (int i = optind; i < argc; i++) {
		const struct advice *a = advice_lookup(argv[i], NULL, NULL);
		if (!a) {
			fprintf(ctx->err, "vbadmin: no advice for '%s' (try a SQLSTATE like 42501, a Datus code like 500010, "
			        "or an id like VEC-013; `vbadmin advice` lists them)\n", argv[i]);
			rc = VB_EXIT_FIXABLE;
			continue;
		}
		if (json) {
			json_array_append_new(list, json_one(a));
		} else {
			print_one(ctx->out, a);
		}
	}
	if (json)
		cli_json_emit(ctx->out, json_pack("{s:i, s:s, s:o}", "schema_version", 1, "command", "advice", "advice", list));
	vb_buf_free(&b);
	return rc;
}
