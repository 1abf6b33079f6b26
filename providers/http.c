#include "http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "version.h"
#include "curl-load.h"
#include "../lib/error.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

#define MAX_BODY (64u << 20)

enum { JOB_PENDING, JOB_RUNNING, JOB_DONE };

void http_options_init(struct http_options *o)
{
	o->max_concurrency = 4;
	o->max_retries = 4;
	o->connect_timeout_ms = 10000;
	o->timeout_ms = 60000;
	o->max_retry_after_ms = 60000;
	o->backoff_base_ms = 500;
	o->backoff_max_ms = 8000;
	o->retry_refused = 1;
}

void http_job_init(struct http_job *job, const char *url)
{
	memset(job, 0, sizeof(*job));
	job->url = url;
	strbuf_init(&job->body, 0);
	strbuf_init(&job->error, 0);
	strbuf_init(&job->resp_headers, 0);
}

void http_job_release(struct http_job *job)
{
	strbuf_release(&job->body);
	strbuf_release(&job->error);
	strbuf_release(&job->resp_headers);
}

/* ---- URLs ---- */

/*
 * For a URL libcurl cannot read (or when libcurl is not loaded): keeps
 * the scheme and what follows the last '@', so that no user information
 * is left however leniently the URL is read ("https:/user@host" is read as
 * a URL too). An '@' in a path is over-redacted; that is the price.
 */
static void redact_by_hand(const char *url, struct strbuf *out)
{
	const char *at = strrchr(url, '@');
	size_t scheme = strspn(url, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");

	if (!at) {
		strbuf_addstr(out, url);
		return;
	}
	if (scheme && url[scheme] == ':' && url + scheme < at) {
		strbuf_add(out, url, scheme);
		strbuf_addstr(out, "://");
	}
	strbuf_addstr(out, at + 1);
}

void http_url_redacted(const char *url, struct strbuf *out)
{
	struct strbuf ignored = STRBUF_INIT;
	CURLU *u = NULL;
	char *clean = NULL;

	if (!curl_load(&ignored) && (u = curl_api.url()) &&
	    !curl_api.url_set(u, CURLUPART_URL, url, 0) &&
	    !curl_api.url_set(u, CURLUPART_USER, NULL, 0) &&
	    !curl_api.url_set(u, CURLUPART_PASSWORD, NULL, 0) &&
	    !curl_api.url_set(u, CURLUPART_OPTIONS, NULL, 0) &&
	    !curl_api.url_get(u, CURLUPART_URL, &clean, 0))
		strbuf_addstr(out, clean);
	else
		redact_by_hand(url, out);
	if (clean)
		curl_api.free(clean);
	if (u)
		curl_api.url_cleanup(u);
	strbuf_release(&ignored);
}

/* Whether a host libcurl parsed out of a URL is this machine's loopback. */
static int is_loopback(const char *host)
{
	static const char *const names[] = { "localhost", "[::1]", NULL };
	unsigned a, b, c, d;
	char tail;

	for (const char *const *n = names; *n; n++)
		if (!strcasecmp(host, *n))
			return 1;
	/* 127.0.0.0/8, written out in full as libcurl normalises it. */
	return sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 &&
	       a == 127 && b < 256 && c < 256 && d < 256;
}

int http_check_url(const char *url, struct strbuf *err)
{
	struct strbuf shown = STRBUF_INIT;
	char *scheme = NULL, *host = NULL;
	CURLU *u = NULL;
	int ret = T_ECONFIG;

	http_url_redacted(url, &shown);
	if (curl_load(err)) {
		ret = T_EPROVIDER;
		goto out;
	}
	u = curl_api.url();
	if (!u || curl_api.url_set(u, CURLUPART_URL, url, 0) ||
	    curl_api.url_get(u, CURLUPART_SCHEME, &scheme, 0))
		strbuf_addf(err, "'%s' is not a URL", shown.buf);
	else if (strcmp(scheme, "https") && strcmp(scheme, "http"))
		strbuf_addf(err, "'%s' is not an http(s) URL", shown.buf);
	else if (curl_api.url_get(u, CURLUPART_HOST, &host, 0))
		strbuf_addf(err, "'%s' names no host", shown.buf);
	else if (!strcmp(scheme, "https") || is_loopback(host))
		ret = 0;
	else
		strbuf_addf(err, "refusing plain http to '%s': only https, "
				"or http to a loopback address, is allowed",
				host);
out:
	if (scheme)
		curl_api.free(scheme);
	if (host)
		curl_api.free(host);
	if (u)
		curl_api.url_cleanup(u);
	strbuf_release(&shown);
	return ret;
}

void url_escape(struct strbuf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
			strbuf_addch(out, (char)c);
		} else {
			strbuf_addch(out, '%');
			strbuf_addch(out, hex[c >> 4]);
			strbuf_addch(out, hex[c & 15]);
		}
	}
}

/* ---- response headers ---- */

const char *http_header(const struct http_job *job, const char *name,
		struct strbuf *value)
{
	size_t n = strlen(name);
	const char *p = job->resp_headers.buf;

	strbuf_reset(value);
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len > n && p[n] == ':' && !strncasecmp(p, name, n)) {
			const char *v = p + n + 1;

			while (v < p + len && (*v == ' ' || *v == '\t'))
				v++;
			strbuf_add(value, v, (size_t)(p + len - v));
			strbuf_rtrim(value);
			return value->buf;
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return NULL;
}

static int64_t parse_http_date(const char *s)
{
	int64_t at;

	return time_parse_http_date(s, &at) ? -1 : at;
}

int64_t retry_after_ms(const char *after_ms, const char *after,
		int64_t now)
{
	int64_t ms = -1;
	char *end;
	double d;

	if (after_ms) {
		d = strtod(after_ms, &end);
		if (end != after_ms && !*end && d >= 0 && d < 1e12)
			ms = (int64_t)d;
	}
	if (ms < 0 && after) {
		d = strtod(after, &end);
		if (end != after && !*end && d >= 0 && d < 1e9) {
			ms = (int64_t)(d * 1000);
		} else {
			int64_t at = parse_http_date(after);

			if (at >= 0)
				ms = at > now ? at - now : 0;
		}
	}
	return ms;
}

int64_t http_retry_after(const struct http_job *job, int64_t now)
{
	struct strbuf v = STRBUF_INIT, w = STRBUF_INIT;
	const char *ms = http_header(job, "retry-after-ms", &v);
	const char *after = http_header(job, "retry-after", &w);
	int64_t ret;

	/* http_header returns v.buf: copy the first before the second. */
	ret = retry_after_ms(ms ? v.buf : NULL, after ? w.buf : NULL, now);
	strbuf_release(&v);
	strbuf_release(&w);
	return ret;
}

/* ---- tracing ---- */

static int tracing(void)
{
	const char *v = getenv("TALLY_TRACE_HTTP");

	return v && *v && strcmp(v, "0");
}

static const char *const secret_headers[] = { "authorization",
	"proxy-authorization", "x-api-key", "x-goog-api-key", "cookie",
	"set-cookie", NULL };

static const char *const secret_params[] = { "key", "api_key", "api-key",
	"access_token", "token", NULL };

/* "POST /path?a=1&key=... HTTP/1.1", the values of secret_params hidden. */
static void trace_request_line(struct strbuf *out, const char *line,
		size_t len)
{
	const char *end = line + len, *p = memchr(line, '?', len);

	if (!p) {
		strbuf_add(out, line, len);
		return;
	}
	strbuf_add(out, line, (size_t)(++p - line));
	while (p < end && *p != ' ') {
		size_t n = strcspn(p, "&= "), v;
		int secret = 0;

		if (n > (size_t)(end - p))
			n = (size_t)(end - p);
		for (const char *const *s = secret_params; *s; s++)
			secret |= n == strlen(*s) && !strncasecmp(p, *s, n);
		v = n + strcspn(p + n, "& ");
		if (v > (size_t)(end - p))
			v = (size_t)(end - p);
		if (secret && p[n] == '=') {
			strbuf_add(out, p, n + 1);
			strbuf_addstr(out, "<redacted>");
		} else {
			strbuf_add(out, p, v);
		}
		p += v;
		if (p < end && *p == '&')
			strbuf_addch(out, *p++);
	}
	strbuf_add(out, p, (size_t)(end - p));
}

/* One header line, its value hidden when it carries a credential. */
static void trace_header_line(struct strbuf *out, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	const char *sp = memchr(line, ' ', len);

	/* A request line's query may hold a key (Gemini's ?key=). */
	if (sp && sp + 1 < line + len && sp[1] == '/') {
		trace_request_line(out, line, len);
		return;
	}

	for (const char *const *h = secret_headers; colon && *h; h++) {
		if ((size_t)(colon - line) == strlen(*h) &&
		    !strncasecmp(line, *h, strlen(*h))) {
			strbuf_add(out, line, (size_t)(colon - line));
			strbuf_addstr(out, ": <redacted>");
			return;
		}
	}
	strbuf_add(out, line, len);
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size,
		void *userp)
{
	struct strbuf out = STRBUF_INIT;
	const char *prefix;

	(void)h;
	(void)userp;
	switch (type) {
	case CURLINFO_HEADER_OUT: prefix = "> "; break;
	case CURLINFO_HEADER_IN: prefix = "< "; break;
	case CURLINFO_TEXT: prefix = "* "; break;
	case CURLINFO_DATA_IN: prefix = "< body: "; break;
	default: return 0;
	}
	if (type == CURLINFO_DATA_IN && size > 2048)
		size = 2048;
	for (size_t i = 0; i < size;) {
		size_t len = strcspn(data + i, "\r\n");

		if (len > size - i)
			len = size - i;
		if (len) {
			strbuf_addf(&out, "tally: http: %s", prefix);
			if (type == CURLINFO_HEADER_OUT || type == CURLINFO_HEADER_IN)
				trace_header_line(&out, data + i, len);
			else
				strbuf_add(&out, data + i, len);
			strbuf_addch(&out, '\n');
		}
		i += len;
		while (i < size && (data[i] == '\r' || data[i] == '\n'))
			i++;
	}
	fwrite(out.buf, 1, out.len, stderr);
	strbuf_release(&out);
	return 0;
}

/* ---- transfers ---- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct http_job *job = ud;

	if (job->body.len + size * n > MAX_BODY)
		return 0;
	strbuf_add(&job->body, p, size * n);
	return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct http_job *job = ud;

	/* Each new status line starts over: only the last response counts. */
	if (size * n >= 5 && !strncmp(p, "HTTP/", 5))
		strbuf_reset(&job->resp_headers);
	if (job->resp_headers.len < 65536)
		strbuf_add(&job->resp_headers, p, size * n);
	return size * n;
}

void http_setup_handle(void *curl_handle, const char *url,
		int64_t connect_timeout_ms)
{
	CURL *h = curl_handle;

	curl_api.easy_setopt(h, CURLOPT_URL, url);
	curl_api.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			(long)connect_timeout_ms);
	curl_api.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_api.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_api.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_api.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_api.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (tracing()) {
		curl_api.easy_setopt(h, CURLOPT_VERBOSE, 1L);
		curl_api.easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
	}
}

static CURL *start(struct http_job *job, const struct http_options *o,
		char *errbuf)
{
	struct curl_slist *list = NULL;
	CURL *h = curl_api.easy_init();

	if (!h)
		return NULL;
	for (int i = 0; i < HTTP_MAX_HEADERS && job->headers[i]; i++)
		list = curl_api.slist_append(list, job->headers[i]);
	list = curl_api.slist_append(list, "Accept: application/json");
	job->header_list = list;
	http_setup_handle(h, job->url, o->connect_timeout_ms);
	curl_api.easy_setopt(h, CURLOPT_HTTPHEADER, list);
	if (job->method) {
		curl_api.easy_setopt(h, CURLOPT_CUSTOMREQUEST, job->method);
		curl_api.easy_setopt(h, CURLOPT_POSTFIELDS,
				job->payload ? job->payload : "");
		curl_api.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				(curl_off_t)job->payload_len);
	}
	curl_api.easy_setopt(h, CURLOPT_USERAGENT, "tally/" TALLY_VERSION);
	curl_api.easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	curl_api.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_api.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_api.easy_setopt(h, CURLOPT_WRITEDATA, job);
	curl_api.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_api.easy_setopt(h, CURLOPT_HEADERDATA, job);
	curl_api.easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_api.easy_setopt(h, CURLOPT_PRIVATE, job);
	strbuf_reset(&job->body);
	strbuf_reset(&job->resp_headers);
	strbuf_reset(&job->error);
	job->status = 0;
	job->attempts++;
	return h;
}

static void finish(CURL *h, struct http_job *job)
{
	curl_api.slist_free_all(job->header_list);
	job->header_list = NULL;
	curl_api.easy_cleanup(h);
	job->handle = NULL;
}

static int retryable(const struct http_job *job)
{
	struct strbuf v = STRBUF_INIT;
	int should = -1;

	if (http_header(job, "x-should-retry", &v))
		should = !strcasecmp(v.buf, "true") ? 1 :
			 !strcasecmp(v.buf, "false") ? 0 : -1;
	strbuf_release(&v);
	if (!job->status)
		return 1;
	if (should >= 0 && job->status >= 400)
		return should;
	if (job->status != 408 && job->status != 409 && job->status != 429 &&
	    job->status < 500)
		return 0;
	/* An exhausted quota does not come back by waiting. */
	if (job->status == 429 && strstr(job->body.buf, "insufficient_quota"))
		return 0;
	return !job->no_retry || !job->no_retry(job);
}

static int64_t backoff(const struct http_options *o, int attempt)
{
	int64_t ms = o->backoff_base_ms;

	for (int i = 1; i < attempt && ms < o->backoff_max_ms; i++)
		ms *= 2;
	if (ms > o->backoff_max_ms)
		ms = o->backoff_max_ms;
	/* Jitter: up to a quarter less, so retries of many jobs spread out. */
	return ms - (int64_t)((double)ms * 0.25 * rand() / RAND_MAX);
}

/* Says on stderr what a long wait is for. */
static void announce_wait(const struct http_job *job, int64_t delay,
		int asked)
{
	struct strbuf where = STRBUF_INIT, how = STRBUF_INIT;

	http_url_redacted(job->url, &where);
	strbuf_setlen(&where, strcspn(where.buf, "?"));
	duration_format_short(&how, delay);
	if (job->status)
		warning("%s answered HTTP %ld; trying again in %s%s", where.buf,
				job->status, how.buf, asked ?
				", as it asked" : "");
	else
		warning("%s: %s; trying again in %s", where.buf,
				job->error.buf, how.buf);
	strbuf_release(&where);
	strbuf_release(&how);
}

/* After an attempt: done, or back in the queue with a time to retry. */
static int settle(struct http_job *job, const struct http_options *o,
		int64_t now)
{
	int64_t delay;
	int asked;

	if (job->attempts > o->max_retries || !retryable(job) ||
	    (job->refused && !o->retry_refused))
		return JOB_DONE;
	delay = job->status ? http_retry_after(job, now_ms()) : -1;
	asked = delay >= 0;
	if (!asked)
		delay = backoff(o, job->attempts);
	if (asked && delay > o->max_retry_after_ms) {
		job->refused_wait_ms = delay;
		return JOB_DONE;
	}
	if (delay >= 1000)
		announce_wait(job, delay, asked);
	job->not_before = now + delay;
	job->waited_ms += delay;
	return JOB_PENDING;
}

static void collect(CURLM *m, const struct http_options *o, int *state,
		struct http_job *jobs, char (*errbufs)[CURL_ERROR_SIZE],
		size_t *running)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_api.multi_info_read(m, &left))) {
		struct http_job *job;
		size_t i;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_api.easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &job);
		i = (size_t)(job - jobs);
		if (msg->data.result == CURLE_OK) {
			curl_api.easy_getinfo(msg->easy_handle,
					CURLINFO_RESPONSE_CODE, &job->status);
		} else {
			job->status = 0;
			job->refused = msg->data.result ==
				CURLE_COULDNT_CONNECT;
			strbuf_addstr(&job->error, errbufs[i][0] ? errbufs[i] :
					curl_api.easy_strerror(msg->data.result));
		}
		curl_api.multi_remove_handle(m, msg->easy_handle);
		finish(msg->easy_handle, job);
		(*running)--;
		state[i] = settle(job, o, monotonic_ms());
	}
}

/* Starts ready jobs; returns ms until the next waiting one (or -1). */
static int64_t launch(CURLM *m, const struct http_options *o, int *state,
		struct http_job *jobs, size_t n,
		char (*errbufs)[CURL_ERROR_SIZE], size_t *running)
{
	int64_t now = monotonic_ms(), next = -1;

	for (size_t i = 0; i < n; i++) {
		if (state[i] != JOB_PENDING)
			continue;
		if (jobs[i].not_before > now) {
			if (next < 0 || jobs[i].not_before - now < next)
				next = jobs[i].not_before - now;
			continue;
		}
		if (*running >= (size_t)o->max_concurrency)
			continue;
		errbufs[i][0] = '\0';
		jobs[i].handle = start(&jobs[i], o, errbufs[i]);
		if (!jobs[i].handle) {
			strbuf_addstr(&jobs[i].error, "cannot start a transfer");
			state[i] = JOB_DONE;
			continue;
		}
		curl_api.multi_add_handle(m, jobs[i].handle);
		state[i] = JOB_RUNNING;
		(*running)++;
	}
	return next;
}

int http_run(struct http_job *jobs, size_t n, const struct http_options *o,
		struct strbuf *err)
{
	static int initialised;
	char (*errbufs)[CURL_ERROR_SIZE];
	size_t running = 0;
	int *state;
	CURLM *m;

	if (curl_load(err))
		return T_EPROVIDER;
	if (!initialised && curl_api.global_init(CURL_GLOBAL_DEFAULT))
		return fail(err, T_EPROVIDER, "cannot initialise libcurl");
	initialised = 1;
	m = curl_api.multi_init();
	if (!m)
		return fail(err, T_EPROVIDER, "cannot initialise libcurl");
	state = xcalloc(n ? n : 1, sizeof(*state));
	errbufs = xcalloc(n ? n : 1, sizeof(*errbufs));
	srand((unsigned)monotonic_ms());
	for (;;) {
		int64_t next = launch(m, o, state, jobs, n, errbufs, &running);
		int still;

		if (!running && next < 0)
			break;
		curl_api.multi_perform(m, &still);
		collect(m, o, state, jobs, errbufs, &running);
		if (running)
			curl_api.multi_poll(m, NULL, 0, next >= 0 && next < 100 ?
					(int)next : 100, NULL);
		else if (next > 0)
			curl_api.multi_poll(m, NULL, 0, (int)next, NULL);
	}
	curl_api.multi_cleanup(m);
	free(state);
	free(errbufs);
	return 0;
}
