#ifndef TALLY_SERVER_H
#define TALLY_SERVER_H

#include <stdint.h>

#include "../lib/strbuf.h"
#include "recorder.h"
#include "route.h"

/*
 * The recording proxy: an HTTP server (libmicrohttpd, a thread per
 * connection) that forwards each request to its route's upstream
 * (libcurl, driven from the connection's thread), passes the answer back
 * byte for byte and chunk by chunk as it arrives, reads its usage on the
 * side, and hands the exchange to the recorder.
 *
 * Safety: it listens on loopback unless allow_remote; then every request
 * must carry "Proxy-Authorization: Bearer <token>". A request whose Host
 * is not the proxy's own (on loopback) or that carries a browser's Origin
 * is refused (DNS rebinding, cross-site requests). It adds no key: the
 * client's own headers go upstream, except hop-by-hop ones and
 * Proxy-Authorization.
 */

struct proxy_options {
	const char *listen;          /* "host:port"; NULL: 127.0.0.1:0 */
	int allow_remote;
	const char *token;           /* required with allow_remote */
	const char *session;         /* every entry's, or NULL: automatic */
	int64_t idle_timeout_ms;     /* the longest silence of an upstream */
	int64_t connect_timeout_ms;
	size_t max_request;          /* the largest request body */
	/* GET /metrics: the Prometheus text, or NULL for 404. */
	int (*metrics)(void *data, struct strbuf *out, struct strbuf *err);
	void *metrics_data;
};

struct proxy;

/*
 * Starts serving (libmicrohttpd and libcurl are loaded here). Returns 0,
 * T_EUSAGE for a listen address that is not allowed, T_EPROVIDER when a
 * library cannot be loaded, T_EFAIL when the address cannot be bound.
 */
int proxy_start(struct proxy **out, const struct proxy_options *o,
		const struct routes *routes, struct recorder *rec,
		struct strbuf *err);

/* The port it listens on, and a base URL for it ("http://127.0.0.1:N"). */
int proxy_port(const struct proxy *px);
const char *proxy_base_url(const struct proxy *px);

/*
 * Stops accepting, lets the requests in flight finish (for at most
 * grace_ms), closes the rest and frees the proxy.
 */
void proxy_stop(struct proxy *px, int64_t grace_ms);

#endif
