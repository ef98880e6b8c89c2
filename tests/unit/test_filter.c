/* tests/unit/test_filter.c - filter builders, canonical text (spec 1.2 acceptance strings),
 * the --where parser (operators, precedence, quoting, errors with columns) and the schema check. */
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_filter.h"
#include "../backends/vb_util.h"
#include "tap.h"

static struct vb_value text(const char *s)
{
	struct vb_value v = { .type = VB_T_TEXT, .is_null = s == NULL };
	v.u.s = s;
	return v;
}

static struct vb_value integer(int64_t i)
{
	struct vb_value v = { .type = VB_T_INT };
	v.u.i = i;
	return v;
}

static struct vb_value dbl(double d)
{
	struct vb_value v = { .type = VB_T_DOUBLE };
	v.u.d = d;
	return v;
}

static struct vb_value null_value(void)
{
	struct vb_value v = { .type = VB_T_TEXT, .is_null = 1 };
	return v;
}

/* Checks the canonical text of f and frees it. */
static void is_text(struct vb_filter *f, const char *want, const char *name)
{
	char *s = vb_filter_to_string(f);
	is_str(s, want, "%s", name);
	free(s);
	vb_filter_free(f);
}

static void parses_to(const char *where, const char *want)
{
	struct vb_error err;
	vb_err_clear(&err);
	struct vb_filter *f = vb_filter_parse(where, &err);
	if (!f) {
		ok(0, "parse \"%s\" (error: %s)", where, err.message);
		return;
	}
	char name[200];
	snprintf(name, sizeof name, "parse %s", where);
	for (char *c = name; *c; c++)
		if (*c == '\n' || *c == '\t')
			*c = ' '; /* keep the TAP line on one line */
	is_text(f, want, name);
}

static void rejects(const char *where, const char *want_message)
{
	struct vb_error err;
	vb_err_clear(&err);
	struct vb_filter *f = vb_filter_parse(where, &err);
	ok(f == NULL, "rejects \"%s\"", where);
	is_int(err.status, VB_ERR_INVALID, "  status invalid for \"%s\"", where);
	is_str(err.message, want_message, "  message for \"%s\"", where);
	vb_filter_free(f);
}

static void test_acceptance_strings(void)
{
	struct vb_value types[] = { text("A"), text("B"), text("C") };
	struct vb_filter *k1[] = {
		vb_filter_eq_text("status", "active"),
		vb_filter_cond("score", VB_OP_GTE, integer(80)),
		vb_filter_in("type", types, 3),
		vb_filter_cond("deleted_at", VB_OP_NE, null_value()),
	};
	is_text(vb_filter_and(k1, 4),
	        "(status = 'active' AND score >= 80 AND (type = 'A' OR type = 'B' OR type = 'C') AND deleted_at IS NOT NULL)",
	        "spec: And[eq, ge, in_, ne None]");

	struct vb_filter *a1[] = { vb_filter_eq_text("status", "active"), vb_filter_cond("score", VB_OP_GTE, integer(80)) };
	struct vb_filter *a2[] = { vb_filter_eq_text("country", "US"), vb_filter_cond("age", VB_OP_LT, integer(30)) };
	struct vb_filter *o[] = { vb_filter_and(a1, 2), vb_filter_and(a2, 2) };
	is_text(vb_filter_or(o, 2), "((status = 'active' AND score >= 80) OR (country = 'US' AND age < 30))",
	        "spec: Or[And, And]");

	is_text(vb_filter_eq_text("123column", "value"), "\"123column\" = 'value'", "spec: leading digit is quoted");

	struct vb_value st[] = { text("open"), null_value(), text("closed") };
	is_text(vb_filter_in("status", st, 3), "(status = 'open' OR status = 'closed' OR status IS NULL)",
	        "spec: IN with NULL puts IS NULL last");
	struct vb_value only_null[] = { null_value() };
	is_text(vb_filter_in("status", only_null, 1), "(status IS NULL)", "spec: IN [None]");
	ok(vb_filter_to_string(NULL) == NULL, "spec: no filter gives NULL");
}

static void test_builders(void)
{
	is_text(vb_filter_in("kind", NULL, 0), "1 = 0", "empty IN matches nothing");
	is_text(vb_filter_and(NULL, 0), "1 = 1", "empty AND");
	is_text(vb_filter_or(NULL, 0), "1 = 0", "empty OR");
	is_text(vb_filter_not(vb_filter_eq_text("a", "x")), "(NOT a = 'x')", "NOT");
	is_text(vb_filter_like("name", "ord*_x*"), "name LIKE 'ord%_x%'", "like() turns * into %");
	is_text(vb_filter_eq_text("name", "O'Brien"), "name = 'O''Brien'", "quote doubled in text");
	is_text(vb_filter_cond("a", VB_OP_EQ, null_value()), "a IS NULL", "= NULL is IS NULL");
	is_text(vb_filter_cond("my col", VB_OP_NE, integer(-3)), "\"my col\" != -3", "space forces quotes");
	is_text(vb_filter_eq_text("we\"ird", "x"), "\"we\"\"ird\" = 'x'", "inner double quote doubled");
	is_text(vb_filter_eq_text("  padded ", "x"), "padded = 'x'", "name trimmed");
	is_text(vb_filter_eq_text("_under", "x"), "_under = 'x'", "leading _ needs no quotes");
	is_text(vb_filter_eq_text("a.b", "x"), "\"a.b\" = 'x'", "dot forces quotes");
	is_text(vb_filter_cond("s", VB_OP_GT, dbl(80.0)), "s > 80.0", "double keeps .0");
	is_text(vb_filter_cond("s", VB_OP_LTE, dbl(0.1)), "s <= 0.1", "double shortest digits");
	is_text(vb_filter_cond("s", VB_OP_LT, dbl(1e20)), "s < 1e+20", "large double in exponent form");
	struct vb_value t = { .type = VB_T_BOOL };
	t.u.b = 1;
	is_text(vb_filter_cond("flag", VB_OP_EQ, t), "flag = TRUE", "bool TRUE");
	struct vb_value ts = { .type = VB_T_TIMESTAMP };
	ts.u.s = "2025-01-02 03:04:05";
	is_text(vb_filter_cond("created_at", VB_OP_GTE, ts), "created_at >= '2025-01-02 03:04:05'", "timestamp quoted");

	struct vb_error err;
	char *out = (char *)"x";
	struct vb_filter *bad = vb_filter_cond("score", VB_OP_GT, null_value());
	is_int(vb_filter_render(bad, &out, &err), VB_ERR_INVALID, "> NULL is an error");
	is_str(err.message, "Operator > is invalid with NULL (field: score)", "  with the spec's message");
	ok(out == NULL, "  and no text");
	ok(vb_filter_to_string(bad) == NULL, "  to_string gives NULL");
	vb_filter_free(bad);
	bad = vb_filter_cond("   ", VB_OP_EQ, integer(1));
	is_int(vb_filter_render(bad, &out, &err), VB_ERR_INVALID, "empty identifier is an error");
	is_str(err.message, "Identifier cannot be empty", "  with the spec's message");
	vb_filter_free(bad);
	bad = vb_filter_cond("a", 42, integer(1));
	is_int(vb_filter_render(bad, &out, &err), VB_ERR_INVALID, "unknown operator is an error");
	is_str(err.message, "Unsupported operator: 42", "  named");
	vb_filter_free(bad);

	/* builders copy: changing the caller's buffer must not change the filter */
	char buf[8] = "abc";
	struct vb_filter *f = vb_filter_eq_text("name", buf);
	buf[0] = 'X';
	is_text(f, "name = 'abc'", "builders copy strings");
}

static void test_parse_ok(void)
{
	parses_to("a = 1", "a = 1");
	parses_to("a == 1", "a = 1");
	parses_to("a != 'x'", "a != 'x'");
	parses_to("a <> 'x'", "a != 'x'");
	parses_to("a > 1", "a > 1");
	parses_to("a >= 1.5", "a >= 1.5");
	parses_to("a < -2", "a < -2");
	parses_to("a<=1e3", "a <= 1000.0");
	parses_to("name LIKE 'ord*'", "name LIKE 'ord%'");
	parses_to("name like 'o%d'", "name LIKE 'o%d'");
	parses_to("name NOT LIKE 'tmp*'", "(NOT name LIKE 'tmp%')");
	parses_to("kind IN ('table', 'view')", "(kind = 'table' OR kind = 'view')");
	parses_to("kind in ()", "1 = 0");
	parses_to("kind IN ('a', NULL)", "(kind = 'a' OR kind IS NULL)");
	parses_to("kind NOT IN (1, 2)", "(NOT (kind = 1 OR kind = 2))");
	parses_to("deleted_at IS NULL", "deleted_at IS NULL");
	parses_to("deleted_at is not null", "deleted_at IS NOT NULL");
	parses_to("a = NULL", "a IS NULL");
	parses_to("a != NULL", "a IS NOT NULL");
	parses_to("flag = true AND other = FALSE", "(flag = TRUE AND other = FALSE)");
	parses_to("kind = 'table' AND name LIKE 'ord*'", "(kind = 'table' AND name LIKE 'ord%')");
	parses_to("kind = 'table' AND (name LIKE 'ord*' OR score >= 10)",
	          "(kind = 'table' AND (name LIKE 'ord%' OR score >= 10))");
	/* precedence: NOT > AND > OR, left to right, same-operator chains flattened */
	parses_to("a = 1 OR b = 2 AND c = 3", "(a = 1 OR (b = 2 AND c = 3))");
	parses_to("a = 1 AND b = 2 OR c = 3", "((a = 1 AND b = 2) OR c = 3)");
	parses_to("a = 1 AND b = 2 AND c = 3", "(a = 1 AND b = 2 AND c = 3)");
	parses_to("NOT a = 1 AND b = 2", "((NOT a = 1) AND b = 2)");
	parses_to("NOT (a = 1 AND b = 2)", "(NOT (a = 1 AND b = 2))");
	parses_to("NOT NOT a = 1", "(NOT (NOT a = 1))");
	parses_to("(a = 1 OR b = 2) AND c = 3", "((a = 1 OR b = 2) AND c = 3)");
	parses_to("((a = 1))", "a = 1");
	/* quoting */
	parses_to("\"my col\" = 'x'", "\"my col\" = 'x'");
	parses_to("\"123column\" = 'value'", "\"123column\" = 'value'");
	parses_to("\"we\"\"ird\" = 1", "\"we\"\"ird\" = 1");
	parses_to("\"and\" = 1", "and = 1");
	parses_to("name = 'O''Brien'", "name = 'O''Brien'");
	parses_to("name = ''", "name = ''");
	parses_to("name = 'it''s (a) AND b'", "name = 'it''s (a) AND b'");
	parses_to("  a\t=\n1  ", "a = 1");

	struct vb_error err;
	struct vb_filter *f = vb_filter_parse("name = 'O''Brien'", &err);
	ok(f && f->kind == VB_F_COND && f->op == VB_OP_EQ && f->value.type == VB_T_TEXT, "parsed node is an EQ cond");
	is_str(f ? f->value.u.s : NULL, "O'Brien", "'' decodes to one quote");
	is_str(f ? f->field : NULL, "name", "field name kept");
	vb_filter_free(f);
	f = vb_filter_parse("n = 7 AND d = 2.5", &err);
	ok(f && f->nkids == 2 && f->kids[0]->value.type == VB_T_INT && f->kids[0]->value.u.i == 7, "integer literal typed INT");
	ok(f && f->nkids == 2 && f->kids[1]->value.type == VB_T_DOUBLE && f->kids[1]->value.u.d == 2.5,
	   "decimal literal typed DOUBLE");
	vb_filter_free(f);
}

static void test_parse_errors(void)
{
	rejects("", "--where: column 1: expected a condition (a column name, NOT or '('), found end of input");
	rejects("kind =", "--where: column 7: expected a value after '=' ('text', a number, TRUE, FALSE or NULL), "
	                  "found end of input");
	rejects("kind = 'table", "--where: column 8: unterminated text value: add the closing '");
	rejects("kind = table", "--where: column 8: expected a value after '=' (text values are quoted: 'table'), "
	                        "found 'table'");
	rejects("kind 'x'", "--where: column 6: expected an operator after 'kind' (=, !=, <>, <, <=, >, >=, LIKE, IN, "
	                    "IS), found the text 'x'");
	rejects("(a = 1", "--where: column 7: expected ')' to close the '(' at column 1, found end of input");
	rejects("a = 1 b = 2", "--where: column 7: expected AND, OR or the end of the filter, found 'b'");
	rejects("a = 1 AND", "--where: column 10: expected a condition (a column name, NOT or '('), found end of input");
	rejects("a = 1 AND OR b = 1", "--where: column 11: expected a condition (a column name, NOT or '('), found 'OR'");
	rejects("score > NULL",
	        "--where: column 9: Operator > is invalid with NULL (field: score); use IS NULL or IS NOT NULL");
	rejects("a IN (1, 2", "--where: column 11: expected ',' or ')' in the IN list, found end of input");
	rejects("a IN (1,)", "--where: column 9: expected a value after ',' ('text', a number, TRUE, FALSE or NULL), "
	                     "found ')'");
	rejects("a IN 1", "--where: column 6: expected '(' after IN, found '1'");
	rejects("a IS 5", "--where: column 6: expected NULL or NOT NULL after IS, found '5'");
	rejects("a IS NOT 5", "--where: column 10: expected NULL after IS NOT, found '5'");
	rejects("a NOT = 1", "--where: column 7: expected LIKE or IN after NOT, found '='");
	rejects("a LIKE 5", "--where: column 8: expected a quoted pattern after LIKE, e.g. 'ord*', found '5'");
	rejects("123column = 'x'", "--where: column 1: malformed number '123column' (a column name that starts with "
	                           "a digit must be double-quoted: \"123column\")");
	rejects("a # 1", "--where: column 3: unexpected character '#'");
	rejects("a ! 1", "--where: column 3: unexpected character '!' (did you mean '!='?)");
	rejects("\"\" = 1", "--where: column 1: empty quoted name \"\"");
	rejects("\"abc = 1", "--where: column 1: unterminated quoted name: add the closing \"");
	rejects("a = 99999999999999999999", "--where: column 5: number 99999999999999999999 is out of range");
	rejects(") a = 1", "--where: column 1: expected a condition (a column name, NOT or '('), found ')'");
	/* columns count characters, not bytes: "é" is two bytes but one column */
	rejects("név = 'x' AND", "--where: column 14: expected a condition (a column name, NOT or '('), "
	                         "found end of input");
	rejects("a = 'x' AND b = 'é' c", "--where: column 21: expected AND, OR or the end of the filter, found 'c'");
}

static const struct vb_column cols[] = {
	{ "kind", VB_T_TEXT, 0, "TEXT" },
	{ "name", VB_T_TEXT, 0, "TEXT" },
	{ "score", VB_T_INT, 0, "INT" },
};
static const struct vb_table_spec spec = { .name = "t", .columns = cols, .ncolumns = 3, .namespaced = 1 };

static void checks(const char *where, int want_status, const char *want_message)
{
	struct vb_error err;
	vb_err_clear(&err);
	struct vb_filter *f = vb_filter_parse(where, &err);
	ok(f != NULL, "check input parses: %s", where);
	int rc = vb_filter_check(f, &spec, &err);
	is_int(rc, want_status, "check status for %s", where);
	if (want_message)
		is_str(err.message, want_message, "  check message for %s", where);
	vb_filter_free(f);
}

static void test_check(void)
{
	checks("kind = 'a' AND (name LIKE 'x' OR NOT score > 3)", VB_OK, NULL);
	checks("namespace = 'ns1'", VB_OK, NULL);
	checks("x = 1", VB_ERR_INVALID, "Unknown column 'x' in filter");
	checks("kind = 'a' AND (name = 'b' OR NOT missing_col IN (1))", VB_ERR_INVALID,
	       "Unknown column 'missing_col' in filter");
	checks("Kind = 'a'", VB_ERR_INVALID, "Unknown column 'Kind' in filter");
	struct vb_error err;
	struct vb_filter *f = vb_filter_cond("score", VB_OP_LIKE, null_value());
	is_int(vb_filter_check(f, &spec, &err), VB_ERR_INVALID, "check rejects LIKE NULL from a builder");
	is_str(err.message, "Operator LIKE is invalid with NULL (field: score)", "  with the spec's message");
	vb_filter_free(f);
	ok(vb_filter_check(NULL, &spec, &err) == VB_OK, "no filter passes the check");
}

int main(void)
{
	test_acceptance_strings();
	test_builders();
	test_parse_ok();
	test_parse_errors();
	test_check();
	return tap_done();
}
