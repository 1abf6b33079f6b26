#ifndef TALLY_CAPTURE_H
#define TALLY_CAPTURE_H

#include <stdint.h>

#include "../lib/entry.h"
#include "../lib/strbuf.h"
#include "../providers/stream.h"

/*
 * What the recording proxy saw of one exchange, gathered on the request
 * path (proxy/server.c) and turned into a ledger entry off it
 * (proxy/recorder.c). Only what the ledger keeps is gathered: usage,
 * ids, status, timing and rate-limit headers; request and response
 * content is read on the side to find them and never kept.
 */

/* The largest response body read for usage; larger ones pass through. */
#define CAPTURE_MAX_BODY (64u << 20)

struct capture {
	struct capture *next;       /* in the recorder's queue */
	const char *route;          /* the route's name, for the log */
	const char *provider;       /* the route's provider id, or NULL */
	char *method, *path;        /* path without the query */
	char *model_hint;           /* the request's model, or NULL */
	char *session;
	long status;                /* upstream's, 0 when none came */
	char *failure;              /* no (whole) answer: why, or NULL */
	const char *failure_code;   /* upstream_unreachable, ... */
	int client_gone;            /* the client left before the end */

	struct strbuf headers;      /* the upstream's response headers */
	int is_stream;
	struct stream st;
	int stream_broken;          /* the stream stopped making sense */
	struct strbuf body;         /* a JSON body, for its usage */
	int body_overflow;

	int64_t started_at;         /* wall clock, for the entry */
	int64_t started, first_byte, ended; /* monotonic_ms() */
	int64_t retries;            /* failed attempts just before */
	int64_t throttle_wait_ms;   /* since the last 429, or -1 */
};

struct capture *capture_new(void);
void capture_free(struct capture *c);

/* Feeds response bytes as they pass, at time now. */
void capture_feed(struct capture *c, const char *buf, size_t len,
		int64_t now);

/*
 * Builds the entry. Returns 1 when there is one to record, 0 when the
 * exchange carried no usage and did not fail (a model list, a file
 * upload), with the reason in why.
 */
int capture_entry(struct capture *c, struct entry *e, struct strbuf *why);

#endif
