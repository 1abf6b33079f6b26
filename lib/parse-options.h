#ifndef TALLY_PARSE_OPTIONS_H
#define TALLY_PARSE_OPTIONS_H

#include <stdint.h>

#include "strbuf.h"
#include "string-list.h"

/*
 * Table-driven command-line options, in the spirit of git's parse-options.
 *
 * Each command declares its usage lines (the synopsis grammar of the man
 * pages: <placeholder>, [optional], (a | b), <x>...) and one table:
 *
 *	static const char *const usage[] = { "tally log [<options>]", NULL };
 *	struct option opts[] = {
 *		OPT_BOOL(0, "json", &json, "print JSON"),
 *		OPT_STRING('p', "provider", &provider, "id", "only this provider"),
 *		OPT_END(),
 *	};
 *	argc = parse_options(argc, argv, opts, usage, 0, &err);
 *
 * parse_options() never prints or exits; cmd/ decides (see cmd/common.c).
 * It returns the number of arguments left in argv (argv[0] stays the
 * command name), PARSE_OPT_HELP for -h/--help, PARSE_OPT_COMPLETE for the
 * hidden --completion-helper, or T_EUSAGE with a message in err.
 */

struct option;
typedef int (*parse_opt_cb)(const struct option *opt, const char *arg,
		int unset, struct strbuf *err);

enum parse_opt_type {
	OPTION_END,
	OPTION_GROUP,
	OPTION_BOOL,     /* int *, set to 1 (0 with --no-) */
	OPTION_COUNT,    /* int *, incremented */
	OPTION_SET_INT,  /* int *, set to defval */
	OPTION_STRING,   /* const char **, last one wins */
	OPTION_INT64,    /* int64_t *, decimal, range checked */
	OPTION_LIST,     /* struct string_list *, repeatable */
	OPTION_CALLBACK, /* callback(opt, arg, unset, err) */
};

enum parse_opt_flags {
	PARSE_OPT_STOP_AT_NON_OPTION = 1 << 0,
	PARSE_OPT_NO_ARGS = 1 << 1,  /* options only: an argument is an error */
};

enum parse_opt_option_flags {
	PARSE_OPT_NONEG = 1 << 0,   /* no --no-<name> form */
	PARSE_OPT_HIDDEN = 1 << 1,  /* not in -h output nor completion */
	PARSE_OPT_NOARG = 1 << 2,   /* callback takes no argument */
};

struct option {
	enum parse_opt_type type;
	int short_name;
	const char *long_name;
	void *value;
	const char *argh;
	const char *help;
	int flags;
	parse_opt_cb callback;
	intptr_t defval;
	/*
	 * The values completion offers for the argument: "csv|json", or
	 * "@<source>" for values the command looks up (models in the
	 * ledger, time zones...); NULL for none.
	 */
	const char *values;
};


#define OPT_END() { .type = OPTION_END }
#define OPT_GROUP(h) { .type = OPTION_GROUP, .help = (h) }
#define OPT_BOOL(s, l, v, h) \
	{ .type = OPTION_BOOL, .short_name = (s), .long_name = (l), \
	  .value = (v), .help = (h) }
#define OPT_COUNT(s, l, v, h) \
	{ .type = OPTION_COUNT, .short_name = (s), .long_name = (l), \
	  .value = (v), .help = (h), .flags = PARSE_OPT_NONEG }
#define OPT_SET_INT(s, l, v, h, i) \
	{ .type = OPTION_SET_INT, .short_name = (s), .long_name = (l), \
	  .value = (v), .help = (h), .flags = PARSE_OPT_NONEG, .defval = (i) }
#define OPT_STRING(s, l, v, a, h) \
	{ .type = OPTION_STRING, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h), .flags = PARSE_OPT_NONEG }
#define OPT_INT64(s, l, v, a, h) \
	{ .type = OPTION_INT64, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h), .flags = PARSE_OPT_NONEG }
#define OPT_LIST(s, l, v, a, h) \
	{ .type = OPTION_LIST, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h), .flags = PARSE_OPT_NONEG }
#define OPT_CALLBACK(s, l, v, a, h, cb) \
	{ .type = OPTION_CALLBACK, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h), .callback = (cb), \
	  .flags = PARSE_OPT_NONEG }
/* OPT_STRING and OPT_LIST whose values completion knows (see values). */
#define OPT_STRING_VALUES(s, l, v, a, h, vals) \
	{ .type = OPTION_STRING, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h), .flags = PARSE_OPT_NONEG, \
	  .values = (vals) }
#define OPT_LIST_VALUES(s, l, v, a, h, vals) \
	{ .type = OPTION_LIST, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h), .flags = PARSE_OPT_NONEG, \
	  .values = (vals) }
/*
 * What the command's arguments (not options) may be, for completion:
 * found as "@args" by parse_options_find(); shown nowhere.
 */
#define OPT_ARGUMENT_VALUES(vals) \
	{ .type = OPTION_GROUP, .flags = PARSE_OPT_HIDDEN, .values = (vals) }

/* An old spelling, kept working but shown nowhere. */
#define OPT_HIDDEN_STRING(s, l, v) \
	{ .type = OPTION_STRING, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = "value", \
	  .flags = PARSE_OPT_NONEG | PARSE_OPT_HIDDEN }
#define OPT_HIDDEN_BOOL(s, l, v, h) \
	{ .type = OPTION_BOOL, .short_name = (s), .long_name = (l), \
	  .value = (v), .help = (h), .flags = PARSE_OPT_HIDDEN }

#define PARSE_OPT_HELP (-100)
#define PARSE_OPT_COMPLETE (-101)
/* --completion-values <option>: argv[1] names the option afterwards. */
#define PARSE_OPT_COMPLETE_VALUES (-102)
/* --completion-helper-described: the same, each with its help. */
#define PARSE_OPT_COMPLETE_DESCRIBED (-103)

/* The option named "--name", "-n" or "name", or NULL. */
const struct option *parse_options_find(const struct option *opts,
		const char *name);

int parse_options(int argc, const char **argv, const struct option *opts,
		int flags, struct strbuf *err);

/*
 * Appends "usage: <line>\n   or: <line>\n...\n\n<option list>" to out.
 */
void parse_options_usage(struct strbuf *out, const char *const *usagestr,
		const struct option *opts);

/*
 * Appends the long options, one per line ("--name" or "--name="), to
 * out; described adds a tab and each option's help.
 */
void parse_options_completion(struct strbuf *out, const struct option *opts,
		int described);

/*
 * The subcommand words of a command's usage lines ("tally pricing show
 * ..." gives "show"), one per line, for completion scripts.
 */
void parse_options_subcommands(struct strbuf *out,
		const char *const *usage);

#endif
