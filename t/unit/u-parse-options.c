/* Unit tests for lib/parse-options. */
#include "tap.h"

#include "lib/error.h"
#include "lib/parse-options.h"

int main(void)
{
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	const char *s = NULL;
	int64_t n = 0;
	int b = 0, v = 0;
	struct string_list l = STRING_LIST_INIT;
	struct option opts[] = {
		OPT_BOOL('b', "bool", &b, "a switch"),
		OPT_COUNT('v', "verbose", &v, "more"),
		OPT_STRING('s', "str", &s, "text", "a string"),
		OPT_INT64('n', "num", &n, "count", "a number"),
		OPT_LIST('t', "tag", &l, "tag", "repeatable"),
		OPT_END(),
	};
	const char *argv1[] = { "cmd", "-bvv", "--str=x", "arg1", "-n", "5",
		"--tag", "a", "-tb", "--", "--not-an-option", NULL };
	const char *argv2[] = { "cmd", "--no-bool", NULL };
	const char *argv3[] = { "cmd", "--nope", NULL };
	const char *argv4[] = { "cmd", "--num", "x", NULL };
	const char *argv5[] = { "cmd", "--str", NULL };
	const char *argv6[] = { "cmd", "-h", NULL };
	const char *argv7[] = { "cmd", "--bool=1", NULL };
	int argc;

	argc = parse_options(11, argv1, opts, 0, &err);
	is_int(argc, 3, "two arguments are left (plus argv[0])");
	is_str(argv1[1], "arg1", "non-options keep their order");
	is_str(argv1[2], "--not-an-option", "everything after -- is an argument");
	ok(b == 1 && v == 2, "bundled short switches");
	is_str(s, "x", "--long=value");
	is_int(n, 5, "-n value");
	ok(l.nr == 2 && !strcmp(l.items[0], "a") && !strcmp(l.items[1], "b"),
			"repeatable values in order");
	is_int(parse_options(2, argv2, opts, 0, &err), 1, "--no-bool parses");
	is_int(b, 0, "and clears the switch");
	strbuf_reset(&err);
	is_int(parse_options(2, argv3, opts, 0, &err), T_EUSAGE,
			"an unknown option is a usage error");
	is_str(err.buf, "unknown option '--nope'", "with a message");
	strbuf_reset(&err);
	is_int(parse_options(3, argv4, opts, 0, &err), T_EUSAGE,
			"a non-number is refused");
	is_str(err.buf, "option '--num' expects a whole number, not 'x'",
			"with a message");
	strbuf_reset(&err);
	is_int(parse_options(2, argv5, opts, 0, &err), T_EUSAGE,
			"a missing value is refused");
	is_int(parse_options(2, argv6, opts, 0, &err), PARSE_OPT_HELP, "-h");
	strbuf_reset(&err);
	is_int(parse_options(2, argv7, opts, 0, &err), T_EUSAGE,
			"a switch takes no value");

	parse_options_usage(&out, (const char *const[]){ "cmd [<options>]",
			"cmd --other", NULL }, opts);
	ok(!strncmp(out.buf, "usage: cmd [<options>]\n   or: cmd --other\n\n", 42),
			"usage lines first");
	ok(strstr(out.buf, "    -s, --str <text>") != NULL,
			"options with their placeholders");
	strbuf_reset(&out);
	parse_options_completion(&out, opts, 0);
	is_str(out.buf, "--bool\n--verbose\n--str=\n--num=\n--tag=\n",
			"completion lists long options");
	strbuf_reset(&out);
	parse_options_completion(&out, opts, 1);
	ok(!strncmp(out.buf, "--bool\t", 7) && strchr(out.buf, '\t'),
			"described completion adds the help after a tab");
	ok(parse_options_find(opts, "--str") == &opts[2] ||
	   (parse_options_find(opts, "--str") &&
	    !strcmp(parse_options_find(opts, "--str")->long_name, "str")),
			"parse_options_find by long name");
	ok(!parse_options_find(opts, "--nothing"), "no such option");
	string_list_release(&l);
	strbuf_release(&err);
	strbuf_release(&out);
	return tap_done();
}
