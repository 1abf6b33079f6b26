#include "push-group.h"

#include <string.h>

#include "error.h"
#include "banned.h"

static int is_label_name(const char *s, size_t len)
{
	if (!len || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/* Path-safe bytes as they are, the others as %XX. */
static void escape(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c))
			strbuf_addch(out, (char)c);
		else
			strbuf_addf(out, "%%%02X", c);
	}
}

/* RFC 4648 base64url, with padding (the Pushgateway accepts either). */
static void base64url(struct strbuf *out, const char *s)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t len = strlen(s), i;
	const unsigned char *p = (const unsigned char *)s;

	for (i = 0; i + 2 < len; i += 3) {
		strbuf_addch(out, abc[p[i] >> 2]);
		strbuf_addch(out, abc[(p[i] & 3) << 4 | p[i + 1] >> 4]);
		strbuf_addch(out, abc[(p[i + 1] & 15) << 2 | p[i + 2] >> 6]);
		strbuf_addch(out, abc[p[i + 2] & 63]);
	}
	if (len - i == 1) {
		strbuf_addch(out, abc[p[i] >> 2]);
		strbuf_addch(out, abc[(p[i] & 3) << 4]);
		strbuf_addstr(out, "==");
	} else if (len - i == 2) {
		strbuf_addch(out, abc[p[i] >> 2]);
		strbuf_addch(out, abc[(p[i] & 3) << 4 | p[i + 1] >> 4]);
		strbuf_addch(out, abc[(p[i + 1] & 15) << 2]);
		strbuf_addch(out, '=');
	}
}

static void add_part(struct strbuf *out, const char *name, size_t nlen,
		const char *value)
{
	strbuf_addch(out, '/');
	strbuf_add(out, name, nlen);
	if (!*value || strchr(value, '/')) {
		strbuf_addstr(out, "@base64/");
		base64url(out, *value ? value : "");
		/* An empty value is "=" in the Pushgateway's base64 form. */
		if (!*value)
			strbuf_addch(out, '=');
		return;
	}
	strbuf_addch(out, '/');
	escape(out, value);
}

int push_group_path(struct strbuf *out, const char *job,
		const struct string_list *labels, struct strbuf *err)
{
	if (!job || !*job)
		return fail(err, T_EUSAGE, "--job must not be empty");
	strbuf_addstr(out, "/metrics");
	add_part(out, "job", 3, job);
	for (size_t i = 0; i < labels->nr; i++) {
		const char *l = labels->items[i], *eq = strchr(l, '=');
		size_t nlen = eq ? (size_t)(eq - l) : strlen(l);
		int later = 0;

		if (!eq || !is_label_name(l, nlen) ||
		    (nlen == 3 && !memcmp(l, "job", 3)))
			return fail(err, T_EUSAGE, "--label expects <name>="
					"<value> with a label name ([a-zA-Z_]"
					"[a-zA-Z0-9_]*, not job), not '%s'", l);
		/* The last of one name wins. */
		for (size_t j = i + 1; j < labels->nr; j++)
			later |= !strncmp(labels->items[j], l, nlen + 1);
		if (!later)
			add_part(out, l, nlen, eq + 1);
	}
	return 0;
}
