#include "config-edit.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "string-list.h"
#include "banned.h"

/* One line of the text, as far as the edit needs to know it. */
struct yline {
	size_t start, len;   /* in the text, without the newline */
	int indent;          /* -1 for blank and comment lines */
	size_t key, keylen;  /* the mapping key, relative to start */
	size_t value;        /* where the value starts (len when none) */
	int list_item;       /* "- ..." */
};

struct ylines {
	struct yline *v;
	size_t nr, alloc;
};

static void scan_line(const char *text, struct yline *l)
{
	const char *p = text + l->start;
	size_t i = 0, colon;

	while (i < l->len && p[i] == ' ')
		i++;
	l->indent = -1;
	l->value = l->len;
	if (i == l->len || p[i] == '#')
		return;
	l->indent = (int)i;
	l->list_item = p[i] == '-' && (i + 1 == l->len || p[i + 1] == ' ');
	l->key = i;
	colon = i;
	while (colon < l->len && !(p[colon] == ':' &&
			(colon + 1 == l->len || p[colon + 1] == ' ')))
		colon++;
	l->keylen = colon < l->len ? colon - i : 0;
	if (!l->keylen)
		return;
	i = colon + 1;
	while (i < l->len && p[i] == ' ')
		i++;
	l->value = i < l->len && p[i] != '#' ? i : l->len;
}

static void split_lines(const struct strbuf *text, struct ylines *ls)
{
	size_t pos = 0;

	while (pos < text->len) {
		const char *nl = memchr(text->buf + pos, '\n', text->len - pos);
		size_t len = nl ? (size_t)(nl - text->buf) - pos :
			text->len - pos;
		struct yline *l;

		ALLOC_GROW(ls->v, ls->nr + 1, ls->alloc);
		l = &ls->v[ls->nr++];
		memset(l, 0, sizeof(*l));
		l->start = pos;
		l->len = len && text->buf[pos + len - 1] == '\r' ? len - 1 :
			len;
		scan_line(text->buf, l);
		pos += len + 1;
	}
}

static int key_is(const struct strbuf *text, const struct yline *l,
		const char *seg, size_t n)
{
	const char *k = text->buf + l->start + l->key;
	size_t kl = l->keylen;

	/* A quoted key is compared without its quotes. */
	if (kl >= 2 && (k[0] == '"' || k[0] == '\'') && k[kl - 1] == k[0]) {
		k++;
		kl -= 2;
	}
	return kl == n && !memcmp(k, seg, n);
}

/* The end of the block of lines under line i (deeper than its indent). */
static size_t block_end(const struct ylines *ls, size_t i, size_t end)
{
	size_t j = i + 1, last = i + 1;

	for (; j < end; j++) {
		if (ls->v[j].indent < 0)
			continue;
		if (ls->v[j].indent <= ls->v[i].indent)
			break;
		last = j + 1;
	}
	return last;
}

/* Whether value reads back as itself when written plain. */
static int plain_ok(const char *v)
{
	if (!*v || strchr("-?:,[]{}#&*!|>'\"%@` ", *v))
		return 0;
	for (const char *p = v; *p; p++)
		if (!(strchr("_./:@+-=", *p) || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) ||
		    (*p == ':' && (p[1] == ' ' || !p[1])))
			return 0;
	return 1;
}

static void add_scalar(struct strbuf *out, const char *v)
{
	if (plain_ok(v)) {
		strbuf_addstr(out, v);
		return;
	}
	strbuf_addch(out, '"');
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			strbuf_addf(out, "\\%c", *p);
		else if (*p < 0x20)
			strbuf_addf(out, "\\x%02x", *p);
		else
			strbuf_addch(out, (char)*p);
	}
	strbuf_addch(out, '"');
}

/* The segments of a dotted key; a list index or an empty one is refused. */
static int split_key(const char *key, struct string_list *segs,
		struct strbuf *buf, struct strbuf *err)
{
	strbuf_addstr(buf, key);
	for (char *s = buf->buf, *dot; s; s = dot ? dot + 1 : NULL) {
		dot = strchr(s, '.');
		if (dot)
			*dot = '\0';
		if (!*s)
			return fail(err, T_EUSAGE, "'%s' is not a key", key);
		if (strspn(s, "0123456789") == strlen(s))
			return fail(err, T_EUSAGE, "'%s' is in a list: edit "
					"lists with 'tally config edit'", key);
		string_list_append(segs, s);
	}
	return 0;
}

/*
 * Finds the segments' lines: *depth is how many were found, *at the line
 * of the last found (or -1), *end the end of the block to search in.
 */
static int find_path(const struct strbuf *text, const struct ylines *ls,
		const struct string_list *segs, size_t *depth, long *at,
		size_t *end, const char *key, struct strbuf *err)
{
	size_t start = 0;

	*end = ls->nr;
	*at = -1;
	for (*depth = 0; *depth < segs->nr; (*depth)++) {
		const char *seg = segs->items[*depth];
		long found = -1;
		int child = -1;

		for (size_t i = start; i < *end; i++) {
			const struct yline *l = &ls->v[i];

			if (l->indent < 0)
				continue;
			if (child < 0)
				child = l->indent;
			if (l->indent != child)
				continue;
			if (l->list_item)
				return fail(err, T_EUSAGE, "'%s' is in a list: "
						"edit it with 'tally config "
						"edit'", key);
			if (l->keylen && key_is(text, l, seg, strlen(seg)))
				found = (long)i;
		}
		if (found < 0)
			return 0;
		if (*depth + 1 < segs->nr && ls->v[found].value <
				ls->v[found].len)
			return fail(err, T_EUSAGE, "'%s' holds a value, not "
					"the mapping '%s' needs; edit it with "
					"'tally config edit'", seg, key);
		*at = found;
		start = (size_t)found + 1;
		*end = block_end(ls, (size_t)found, *end);
	}
	return 0;
}

/* The indent of the first child in lines [from, end), or def. */
static int child_indent(const struct ylines *ls, size_t from, size_t end,
		int def)
{
	for (size_t i = from; i < end; i++)
		if (ls->v[i].indent >= 0)
			return ls->v[i].indent;
	return def;
}

int config_edit_set(struct strbuf *text, const char *key, const char *value,
		struct strbuf *err)
{
	struct string_list segs = STRING_LIST_INIT;
	struct strbuf buf = STRBUF_INIT, add = STRBUF_INIT;
	struct ylines ls = { 0 };
	size_t depth, end, pos;
	long at;
	int ret = split_key(key, &segs, &buf, err);

	split_lines(text, &ls);
	if (!ret)
		ret = find_path(text, &ls, &segs, &depth, &at, &end, key, err);
	if (!ret && depth == segs.nr) {
		const struct yline *l = &ls.v[at];
		size_t comment = l->len;

		if (block_end(&ls, (size_t)at, ls.nr) > (size_t)at + 1)
			ret = fail(err, T_EUSAGE, "'%s' is a mapping, not a "
					"value", key);
		/* Keep a comment after the value, if any. */
		for (size_t i = l->value; i + 1 < l->len; i++)
			if (text->buf[l->start + i] == ' ' &&
			    text->buf[l->start + i + 1] == '#' &&
			    text->buf[l->start + l->value] != '"' &&
			    text->buf[l->start + l->value] != '\'') {
				/* The comment's blanks go with it. */
				while (i > l->value &&
				       text->buf[l->start + i - 1] == ' ')
					i--;
				comment = i;
				break;
			}
		if (!ret) {
			strbuf_add(&add, text->buf + l->start, l->key +
					l->keylen);
			strbuf_addstr(&add, ": ");
			add_scalar(&add, value);
			strbuf_add(&add, text->buf + l->start + comment,
					l->len - comment);
			strbuf_splice(text, l->start, l->len, add.buf,
					add.len);
		}
	} else if (!ret) {
		int parent = at < 0 ? -1 : ls.v[at].indent;
		int indent = child_indent(&ls, at < 0 ? 0 : (size_t)at + 1,
				end, parent < 0 ? 0 : parent + 2);

		/*
		 * After the parent's last line (the end of the text for a
		 * new top-level key), on a line of its own.
		 */
		pos = text->len;
		if (at >= 0) {
			pos = ls.v[end - 1].start + ls.v[end - 1].len;
			while (pos < text->len && text->buf[pos] != '\n')
				pos++;
			if (pos < text->len)
				pos++;
		}
		if (pos && text->buf[pos - 1] != '\n')
			strbuf_addch(&add, '\n');
		for (size_t d = depth; d < segs.nr; d++) {
			strbuf_addchars(&add, ' ', (size_t)indent);
			strbuf_addf(&add, "%s:", segs.items[d]);
			if (d + 1 < segs.nr) {
				strbuf_addch(&add, '\n');
				indent += 2;
				continue;
			}
			strbuf_addch(&add, ' ');
			add_scalar(&add, value);
			strbuf_addch(&add, '\n');
		}
		strbuf_splice(text, pos, 0, add.buf, add.len);
	}
	free(ls.v);
	string_list_release(&segs);
	strbuf_release(&buf);
	strbuf_release(&add);
	return ret;
}

int config_edit_unset(struct strbuf *text, const char *key, int *found,
		struct strbuf *err)
{
	struct string_list segs = STRING_LIST_INIT;
	struct strbuf buf = STRBUF_INIT;
	int ret = split_key(key, &segs, &buf, err);

	*found = 0;
	while (!ret && segs.nr) {
		struct ylines ls = { 0 };
		size_t depth, end, from, to;
		long at;

		split_lines(text, &ls);
		ret = find_path(text, &ls, &segs, &depth, &at, &end, key, err);
		if (ret || depth < segs.nr) {
			free(ls.v);
			break;
		}
		/* A mapping left with children stays. */
		if (*found && block_end(&ls, (size_t)at, ls.nr) >
				(size_t)at + 1) {
			free(ls.v);
			break;
		}
		if (!*found && block_end(&ls, (size_t)at, ls.nr) >
				(size_t)at + 1) {
			ret = fail(err, T_EUSAGE, "'%s' is a mapping, not a "
					"value", key);
			free(ls.v);
			break;
		}
		from = ls.v[at].start;
		to = from + ls.v[at].len;
		while (to < text->len && text->buf[to] != '\n')
			to++;
		if (to < text->len)
			to++;
		strbuf_splice(text, from, to - from, "", 0);
		*found = 1;
		free(ls.v);
		/* Then the parent, if this left it empty. */
		segs.nr--;
	}
	string_list_release(&segs);
	strbuf_release(&buf);
	return ret;
}
