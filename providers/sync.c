#include "sync.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/device.h"
#include "../lib/error.h"
#include "../lib/banned.h"

void row_list_add(struct row_list *l, const char *row, size_t len)
{
	ALLOC_GROW(l->rows, l->n + 1, l->alloc);
	l->rows[l->n++] = xstrndup(row, len);
}

void row_list_release(struct row_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->rows[i]);
	free(l->rows);
	memset(l, 0, sizeof(*l));
}

void sync_run_init(struct sync_run *run)
{
	memset(run, 0, sizeof(*run));
	http_options_init(&run->http);
	strbuf_init(&run->rows, 0);
	strbuf_init(&run->plan, 0);
}

void sync_run_release(struct sync_run *run)
{
	row_list_release(&run->entries);
	row_list_release(&run->provider_rows);
	strbuf_release(&run->rows);
	strbuf_release(&run->plan);
}

void sync_plan(struct sync_run *run, const char *url)
{
	strbuf_addstr(&run->plan, "GET ");
	http_url_redacted(url, &run->plan);
	strbuf_addch(&run->plan, '\n');
}

void sync_emit(struct sync_run *run, struct entry *e)
{
	entry_stamp(e, run->now);
	entry_fill_total(e);
	entry_to_row(&run->rows, e);
}

void sync_mark(struct sync_run *run, struct entry *e, const char *status,
		const char *code)
{
	entry_set_str(e, EF_SYNC_STATUS, status);
	if (code)
		entry_set_str(e, EF_SYNC_ERROR_CODE, code);
	else
		entry_unset(e, EF_SYNC_ERROR_CODE);
	entry_unset(e, EF_NEXT_SYNC_AT);
	entry_set_int(e, EF_SYNCED_AT, run->now);
	if (!strcmp(status, "synced"))
		run->stats.synced++;
	else
		run->stats.failed++;
	sync_emit(run, e);
}

int sync_http(struct sync_run *run, struct http_job *jobs, size_t n,
		struct strbuf *err)
{
	int ret = http_run(jobs, n, &run->http, err);

	for (size_t i = 0; i < n; i++) {
		run->stats.requests += jobs[i].attempts;
		if (jobs[i].status == 401 || jobs[i].status == 403)
			run->auth_failed = 1;
	}
	return ret;
}

int sync_find_provider_row(const struct sync_run *run, const char *id,
		struct entry *e)
{
	const char *why;

	for (size_t i = 0; i < run->provider_rows.n; i++) {
		const char *row = run->provider_rows.rows[i];

		if (!strstr(row, id))
			continue;
		if (!entry_parse(e, row, strlen(row), &why) &&
		    !strcmp(e->entry_id, id))
			return 1;
	}
	return 0;
}
