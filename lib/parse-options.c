#include "parse-options.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "banned.h"

static int takes_arg(const struct option *o)
{
	switch (o->type) {
	case OPTION_STRING:
	case OPTION_INT64:
	case OPTION_LIST:
		return 1;
	case OPTION_CALLBACK:
		return !(o->flags & PARSE_OPT_NOARG);
	default:
		return 0;
	}
}

static void describe(struct strbuf *sb, const struct option *o, int is_short)
{
	if (is_short)
		strbuf_addf(sb, "-%c", o->short_name);
	else
		strbuf_addf(sb, "--%s", o->long_name);
}

static int parse_int64(const struct option *o, const char *arg, int is_short,
		struct strbuf *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (!*arg || *end || errno) {
		strbuf_addstr(err, "option '");
		describe(err, o, is_short);
		strbuf_addf(err, "' expects a whole number, not '%s'", arg);
		return T_EUSAGE;
	}
	*(int64_t *)o->value = v;
	return 0;
}

static int apply(const struct option *o, const char *arg, int unset,
		int is_short, struct strbuf *err)
{
	switch (o->type) {
	case OPTION_BOOL:
		*(int *)o->value = !unset;
		return 0;
	case OPTION_COUNT:
		(*(int *)o->value)++;
		return 0;
	case OPTION_SET_INT:
		*(int *)o->value = (int)o->defval;
		return 0;
	case OPTION_STRING:
		*(const char **)o->value = arg;
		return 0;
	case OPTION_INT64:
		return parse_int64(o, arg, is_short, err);
	case OPTION_LIST:
		string_list_append(o->value, arg);
		return 0;
	case OPTION_CALLBACK:
		return o->callback(o, arg, unset, err) ? T_EUSAGE : 0;
	default:
		BUG("option type %d cannot be applied", o->type);
	}
}

static const struct option *find_long(const struct option *opts,
		const char *name, size_t len, int *unset)
{
	*unset = 0;
	for (const struct option *o = opts; o->type != OPTION_END; o++) {
		if (!o->long_name)
			continue;
		if (strlen(o->long_name) == len &&
		    !strncmp(o->long_name, name, len))
			return o;
	}
	if (len > 3 && !strncmp(name, "no-", 3)) {
		for (const struct option *o = opts; o->type != OPTION_END; o++) {
			if (!o->long_name || (o->flags & PARSE_OPT_NONEG))
				continue;
			if (strlen(o->long_name) == len - 3 &&
			    !strncmp(o->long_name, name + 3, len - 3)) {
				*unset = 1;
				return o;
			}
		}
	}
	return NULL;
}

/* The long option nearest name (within two edits), or NULL. */
static const char *nearest_long(const struct option *opts, const char *name)
{
	const char *best = NULL;
	size_t best_d = 3;

	for (const struct option *o = opts; o->type != OPTION_END; o++) {
		size_t d;

		if (!o->long_name || (o->flags & PARSE_OPT_HIDDEN))
			continue;
		d = edit_distance(name, o->long_name);
		if (d < best_d) {
			best = o->long_name;
			best_d = d;
		}
	}
	return best;
}

static int unknown_long(const struct option *opts, const char *name,
		size_t len, struct strbuf *err)
{
	char *word = xstrndup(name, len);
	const char *near = nearest_long(opts, word);

	fail(err, T_EUSAGE, "unknown option '--%s'", word);
	if (near)
		strbuf_addf(err, "; did you mean '--%s'?", near);
	free(word);
	return T_EUSAGE;
}

static int parse_long(const struct option *opts, int *i, int argc,
		const char **argv, struct strbuf *err)
{
	const char *name = argv[*i] + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct option *o;
	const char *arg = NULL;
	int unset;

	o = find_long(opts, name, len, &unset);
	if (!o)
		return unknown_long(opts, name, len, err);
	if (!takes_arg(o) || unset) {
		if (eq)
			return fail(err, T_EUSAGE,
					"option '--%.*s' takes no value",
					(int)len, name);
		return apply(o, NULL, unset, 0, err);
	}
	if (eq)
		arg = eq + 1;
	else if (*i + 1 < argc)
		arg = argv[++*i];
	else
		return fail(err, T_EUSAGE, "option '--%s' requires a value",
				o->long_name);
	return apply(o, arg, 0, 0, err);
}

static const struct option *find_short(const struct option *opts, int c)
{
	for (const struct option *o = opts; o->type != OPTION_END; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

static int parse_short(const struct option *opts, int *i, int argc,
		const char **argv, struct strbuf *err)
{
	const char *p = argv[*i] + 1;

	while (*p) {
		const struct option *o = find_short(opts, *p);
		int ret;

		if (!o)
			return fail(err, T_EUSAGE, "unknown switch '%c'", *p);
		if (!takes_arg(o)) {
			ret = apply(o, NULL, 0, 1, err);
			if (ret)
				return ret;
			p++;
			continue;
		}
		if (p[1])
			return apply(o, p + 1, 0, 1, err);
		if (*i + 1 >= argc)
			return fail(err, T_EUSAGE, "switch '%c' requires a value",
					*p);
		return apply(o, argv[++*i], 0, 1, err);
	}
	return 0;
}

int parse_options(int argc, const char **argv, const struct option *opts,
		int flags, struct strbuf *err)
{
	int out = 1, i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		int ret;

		if (a[0] != '-' || !a[1]) {
			if (flags & PARSE_OPT_STOP_AT_NON_OPTION)
				break;
			argv[out++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return PARSE_OPT_HELP;
		if (!strcmp(a, "--completion-helper"))
			return PARSE_OPT_COMPLETE;
		if (!strcmp(a, "--completion-helper-described"))
			return PARSE_OPT_COMPLETE_DESCRIBED;
		if (!strcmp(a, "--completion-values") && i + 1 < argc) {
			argv[1] = argv[i + 1];
			return PARSE_OPT_COMPLETE_VALUES;
		}
		if (a[1] == '-')
			ret = parse_long(opts, &i, argc, argv, err);
		else
			ret = parse_short(opts, &i, argc, argv, err);
		if (ret)
			return ret;
	}
	while (i < argc)
		argv[out++] = argv[i++];
	argv[out] = NULL;
	return out;
}

const struct option *parse_options_find(const struct option *opts,
		const char *name)
{
	int dashes = name[0] == '-' ? (name[1] == '-' ? 2 : 1) : 2;

	if (!strcmp(name, "@args")) {
		for (const struct option *o = opts; o->type != OPTION_END;
		     o++)
			if (o->type == OPTION_GROUP && o->values)
				return o;
		return NULL;
	}
	name += name[0] == '-' ? dashes : 0;
	for (const struct option *o = opts; o->type != OPTION_END; o++) {
		if (dashes == 1 && name[0] && !name[1] &&
		    o->short_name == name[0])
			return o;
		if (dashes == 2 && o->long_name && !strcmp(o->long_name, name))
			return o;
	}
	return NULL;
}

static void add_option_label(struct strbuf *sb, const struct option *o)
{
	if (o->short_name && o->long_name)
		strbuf_addf(sb, "-%c, --%s", o->short_name, o->long_name);
	else if (o->short_name)
		strbuf_addf(sb, "-%c", o->short_name);
	else
		strbuf_addf(sb, "--%s", o->long_name);
	/* An argh that spells out its own brackets is printed as it is. */
	if (takes_arg(o) && o->argh)
		strbuf_addf(sb, o->argh[0] == '<' ? " %s" : " <%s>", o->argh);
}

#define USAGE_HELP_COLUMN 32

void parse_options_usage(struct strbuf *out, const char *const *usagestr,
		const struct option *opts)
{
	for (size_t i = 0; usagestr[i]; i++)
		strbuf_addf(out, "%s%s\n", i ? "   or: " : "usage: ",
				usagestr[i]);
	for (const struct option *o = opts; o->type != OPTION_END; o++) {
		size_t start;

		if (o->flags & PARSE_OPT_HIDDEN)
			continue;
		if (o->type == OPTION_GROUP) {
			strbuf_addf(out, "\n%s\n", o->help);
			continue;
		}
		if (o == opts)
			strbuf_addch(out, '\n');
		start = out->len;
		strbuf_addstr(out, "    ");
		add_option_label(out, o);
		if (out->len - start + 2 > USAGE_HELP_COLUMN) {
			strbuf_addch(out, '\n');
			start = out->len;
		}
		strbuf_addchars(out, ' ', USAGE_HELP_COLUMN - (out->len - start));
		strbuf_addf(out, "%s\n", o->help);
	}
}

void parse_options_completion(struct strbuf *out, const struct option *opts,
		int described)
{
	for (const struct option *o = opts; o->type != OPTION_END; o++) {
		if (!o->long_name || (o->flags & PARSE_OPT_HIDDEN))
			continue;
		strbuf_addf(out, "--%s%s", o->long_name,
				takes_arg(o) ? "=" : "");
		/* zsh and fish show the help beside the option. */
		if (described && o->help)
			strbuf_addf(out, "\t%s", o->help);
		strbuf_addch(out, '\n');
	}
}

void parse_options_subcommands(struct strbuf *out, const char *const *usage)
{
	for (; usage && *usage; usage++) {
		const char *p = *usage;
		size_t n;

		/* Skip "tally" and the command's name. */
		for (int word = 0; word < 2 && *p; word++) {
			p += strcspn(p, " ");
			p += strspn(p, " ");
		}
		/* "[show]": a subcommand that may be left out. */
		if (*p == '[') {
			n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz-");
			if (n && p[1] != '-' && p[n + 1] == ']')
				strbuf_addf(out, "%.*s\n", (int)n, p + 1);
			continue;
		}
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz-");
		if (n && (p[n] == ' ' || !p[n]) && *p != '-')
			strbuf_addf(out, "%.*s\n", (int)n, p);
	}
}
