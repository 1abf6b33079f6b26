#ifndef TALLY_HTTP_H
#define TALLY_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/strbuf.h"

/*
 * The one HTTP path (libcurl). Every request tally makes goes through
 * http_run(): the same timeouts, User-Agent, TLS verification (always on;
 * plain http only to a loopback host, which is how the tests run), proxy
 * from the environment, retries with backoff, bounded concurrency, and
 * tracing (TALLY_TRACE_HTTP=1, credentials redacted).
 *
 * Retries: 408, 409, 429 and 5xx are retried (and connection failures),
 * up to max_retries times, after the delay the server asks for
 * (retry-after-ms, then Retry-After in seconds or as an HTTP date), else
 * after exponential backoff with jitter. A server that asks for longer
 * than max_retry_after_ms is not retried at all (the response stands and
 * refused_wait_ms says how long it asked for), as the official SDKs do;
 * a wait of a second or more is announced on stderr. An x-should-retry
 * header overrides the status. A job's no_retry callback can veto a
 * retry (OpenAI's insufficient_quota is never retried).
 */

#define HTTP_MAX_HEADERS 8

struct http_job;

struct http_job {
	/* Request. */
	const char *url;
	const char *method;                    /* NULL: GET */
	const char *payload;                   /* sent when method is set */
	size_t payload_len;
	const char *headers[HTTP_MAX_HEADERS]; /* "Name: value", NULL-ended */
	void *data;                            /* the caller's */
	/* Vetoes a retry of a response that would otherwise be retried. */
	int (*no_retry)(const struct http_job *job);

	/* Result. */
	long status;               /* 0 when no response came */
	struct strbuf body;
	struct strbuf error;       /* transport error, when status is 0 */
	int attempts;
	int64_t waited_ms;         /* spent waiting between attempts */
	/* A wait the server asked for that was longer than tally waits. */
	int64_t refused_wait_ms;
	int refused;               /* the last connection was refused */

	/* Private. */
	struct strbuf resp_headers;
	int64_t not_before;
	void *handle;
	void *header_list;
};

struct http_options {
	int max_concurrency;       /* at most this many requests in flight */
	int max_retries;
	int64_t connect_timeout_ms;
	int64_t timeout_ms;        /* per attempt */
	int64_t max_retry_after_ms;/* the longest server-requested delay */
	int64_t backoff_base_ms;   /* first backoff, doubled each retry */
	int64_t backoff_max_ms;
	/*
	 * Whether a refused connection is tried again (1, the default, for
	 * providers behind load balancers); 0 fails at once, for a local
	 * service that is simply not running.
	 */
	int retry_refused;
};

/* Sensible defaults: 4 in flight, 4 retries, 10 s / 60 s, cap 60 s. */
void http_options_init(struct http_options *o);

void http_job_init(struct http_job *job, const char *url);
void http_job_release(struct http_job *job);

/*
 * Whether url may be fetched: https, or http to a loopback host, the host
 * being the one libcurl will connect to (its URL API parses it, so that
 * "http://127.0.0.1:1@192.0.2.2/" is 192.0.2.2, and "http://user:pw@
 * 127.0.0.1/" is loopback). Returns 0; T_ECONFIG with the reason in err,
 * which never repeats credentials; or T_EPROVIDER when libcurl cannot be
 * loaded.
 */
int http_check_url(const char *url, struct strbuf *err);

/*
 * Appends url without its user name, password and login options: the
 * only form of a URL tally prints or stores.
 */
void http_url_redacted(const char *url, struct strbuf *out);

/*
 * Runs the jobs to completion (each ends with a status, or status 0 and
 * an error), at most o->max_concurrency at a time. Returns 0, or -1 when
 * libcurl itself cannot be used (err says why).
 */
int http_run(struct http_job *jobs, size_t n, const struct http_options *o,
		struct strbuf *err);

/*
 * The settings every transfer tally makes shares, on a handle of the
 * caller's: the URL, the connect timeout, no signals, no redirects,
 * http and https only, TLS verification, and tracing. http_run() uses it
 * for its jobs and the recording proxy for what it forwards.
 */
void http_setup_handle(void *curl_handle, const char *url,
		int64_t connect_timeout_ms);

/* A response header of a job (case-insensitive name), or NULL. */
const char *http_header(const struct http_job *job, const char *name,
		struct strbuf *value);

/*
 * The delay a response asks for, in ms: retry-after-ms, else Retry-After
 * as seconds or an HTTP date. -1 when there is none or it is unusable.
 */
int64_t http_retry_after(const struct http_job *job, int64_t now);

/* The same from the two headers' values (either may be NULL). */
int64_t retry_after_ms(const char *after_ms, const char *after,
		int64_t now);

/* Appends "%XX" escapes of s for a query string value. */
void url_escape(struct strbuf *out, const char *s);

#endif
