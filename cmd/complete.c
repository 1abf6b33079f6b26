/*
 * Values for completion: what an option's argument may be, from its
 * option table entry (struct option.values). The scripts in completions/
 * ask with 'tally <command> --completion-values <option>'. Values from
 * the ledger (models, tag keys) come from its last rows only, so that
 * a keypress never waits on a large file.
 */
#include "tally.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/budget.h"
#include "../lib/entry.h"
#include "../lib/fsutil.h"
#include "../lib/query.h"
#include "../lib/remote.h"
#include "../providers/provider.h"
#include "../lib/banned.h"

/* How much of the ledger's end is read for models and tag keys. */
#define TAIL_BYTES (1 << 20)

const struct tally_ctx *completion_ctx;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Prints the distinct strings of l, sorted, with prefix before each. */
static void add_sorted_unique(struct strbuf *out, struct string_list *l,
		const char *prefix)
{
	if (l->nr)
		qsort(l->items, l->nr, sizeof(*l->items), cmp_str);
	for (size_t i = 0; i < l->nr; i++)
		if (!i || strcmp(l->items[i], l->items[i - 1]))
			strbuf_addf(out, "%s%s\n", prefix, l->items[i]);
}

/* Models (want_tags 0) or tag keys (1) of the ledger's last rows. */
static void from_ledger(struct strbuf *out, int want_tags, const char *prefix)
{
	struct string_list found = STRING_LIST_INIT;
	struct strbuf tail = STRBUF_INIT;
	struct entry e;
	off_t size, from;
	ssize_t n;
	int fd;

	if (!completion_ctx || !completion_ctx->scope.ledger_path)
		return;
	fd = open(completion_ctx->scope.ledger_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0) {
		close(fd);
		return;
	}
	from = size > TAIL_BYTES ? size - TAIL_BYTES : 0;
	strbuf_grow(&tail, (size_t)(size - from));
	n = pread_all(fd, tail.buf, (size_t)(size - from), from);
	close(fd);
	if (n > 0)
		strbuf_setlen(&tail, (size_t)n);
	entry_init(&e);
	quiet_warnings++;
	/* From the first whole line: the read may start inside one. */
	for (char *line = from ? strchr(tail.buf, '\n') : tail.buf, *nl;
	     line && *line; line = nl ? nl + 1 : NULL) {
		const char *why;

		line += *line == '\n';
		nl = strchr(line, '\n');
		if (entry_parse(&e, line, nl ? (size_t)(nl - line) :
				strlen(line), &why))
			continue;
		if (!want_tags && e.model_id)
			string_list_append(&found, xstrdup(e.model_id));
		for (size_t i = 0; want_tags && i < e.ntags; i++)
			string_list_append(&found, xstrdup(e.tags[i].key));
	}
	quiet_warnings--;
	add_sorted_unique(out, &found, prefix);
	for (size_t i = 0; i < found.nr; i++)
		free((char *)found.items[i]);
	string_list_release(&found);
	entry_release(&e);
	strbuf_release(&tail);
}

/* The names of the budgets the configuration has. */
static void budget_names(struct strbuf *out)
{
	struct strbuf err = STRBUF_INIT;
	struct budget *b = NULL;
	size_t n = 0;

	if (completion_ctx &&
	    !budgets_load(&completion_ctx->cfg, &b, &n, &err))
		for (size_t i = 0; i < n; i++)
			strbuf_addf(out, "%s\n", b[i].name);
	free(b);
	strbuf_release(&err);
}

/* "this" and the ids of the other devices pulled (remote.h). */
static void device_ids(struct strbuf *out)
{
	struct strbuf root = STRBUF_INIT, err = STRBUF_INIT;
	struct scope_list parts = SCOPE_LIST_INIT;

	strbuf_addstr(out, "this\n");
	if (!data_root(&root, &err) &&
	    !scope_list_remotes(&parts, root.buf, &err))
		for (size_t i = 0; i < parts.nr; i++)
			strbuf_addf(out, "%s\n",
					scope_remote_device(&parts.v[i]));
	scope_list_release(&parts);
	strbuf_release(&root);
	strbuf_release(&err);
}

/* The IANA zones of tzdata's zone1970.tab, and UTC. */
static void zones(struct strbuf *out)
{
	const char *dir = getenv("TZDIR");
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;

	path_join(&path, dir && *dir ? dir : "/usr/share/zoneinfo",
			"zone1970.tab");
	strbuf_addstr(out, "UTC\n");
	if (!strbuf_read_file(&text, path.buf)) {
		for (char *line = text.buf, *nl; *line; line = nl + 1) {
			char *f2, *f3;

			nl = strchr(line, '\n');
			if (!nl)
				break;
			*nl = '\0';
			if (*line == '#' || !(f2 = strchr(line, '\t')) ||
			    !(f3 = strchr(f2 + 1, '\t')))
				continue;
			f3++;
			strbuf_add(out, f3, strcspn(f3, "\t"));
			strbuf_addch(out, '\n');
		}
	}
	strbuf_release(&path);
	strbuf_release(&text);
}

void complete_values(struct strbuf *out, const struct option *o)
{
	const char *v = o ? o->values : NULL;

	if (!v)
		return;
	if (*v != '@') {
		for (; *v; v += *v == '|') {
			size_t n = strcspn(v, "|");

			strbuf_add(out, v, n);
			strbuf_addch(out, '\n');
			v += n;
		}
	} else if (!strcmp(v, "@providers")) {
		for (const struct provider *const *p = provider_table; *p; p++)
			strbuf_addf(out, "%s\n", (*p)->id);
	} else if (!strcmp(v, "@statuses")) {
		query_status_words(out);
	} else if (!strcmp(v, "@models")) {
		from_ledger(out, 0, "");
	} else if (!strcmp(v, "@tags")) {
		from_ledger(out, 1, "");
	} else if (!strcmp(v, "@by")) {
		strbuf_addstr(out, "provider\nmodel\nday\nweek\nmonth\n"
				"session\nblock\nsource\ndevice\n");
		from_ledger(out, 1, "tag:");
	} else if (!strcmp(v, "@budgets")) {
		budget_names(out);
	} else if (!strcmp(v, "@devices")) {
		device_ids(out);
	} else if (!strcmp(v, "@zones")) {
		zones(out);
	} else if (!strcmp(v, "@command")) {
		/* Not a value: tells the scripts a command line follows. */
		strbuf_addstr(out, ":command\n");
	} else {
		BUG("no completion source '%s'", v);
	}
}
