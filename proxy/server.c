#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <stdatomic.h>

#include <json-c/json.h>

#include "mhd-load.h"
#include "../lib/error.h"
#include "../lib/timeutil.h"
#include "../providers/curl-load.h"
#include "../providers/http.h"
#include "../lib/banned.h"

/* Failed attempts are remembered per client for retries and throttling. */
#define CLIENTS 256
#define RETRY_MEMORY_MS (10 * 60 * 1000LL)
#define MAX_RESPONSE_HEADERS 65536
#define READ_BLOCK 16384

struct client {
	uint64_t key;            /* 0: free */
	int64_t failures;
	int64_t last_failure;    /* when the last failed attempt ended */
	int64_t last_throttled;  /* when the last 429 ended, or -1 */
};

/* One lock per kind of data libcurl shares (CURL_LOCK_DATA_LAST). */
#define SHARE_LOCKS 8

struct proxy {
	struct MHD_Daemon *d;
	/*
	 * Upstream connections, DNS answers and TLS sessions, shared by every
	 * connection's thread: a request reuses a connection another made,
	 * instead of a TCP and TLS handshake to the provider each time.
	 */
	CURLSH *share;
	pthread_mutex_t share_locks[SHARE_LOCKS];
	struct proxy_options o;
	const struct routes *routes;
	struct recorder *rec;
	int port, loopback;
	char base_url[80];
	char hosts[3][48];        /* the Host values a loopback proxy accepts */
	pthread_mutex_t mu;
	pthread_cond_t idle;
	int inflight;
	/* Set when the grace period is over: transfers still going stop. */
	atomic_int abandon;
	struct client clients[CLIENTS];
};

enum stage { ST_NEW, ST_BODY, ST_ANSWERED };

struct exchange {
	struct proxy *px;
	enum stage stage;
	char *uri;                /* as the client sent it, query included */
	const struct route *route;
	struct strbuf request;
	int too_large;
	struct curl_slist *req_headers;
	CURL *h;
	CURLM *m;
	int started, done;
	CURLcode result;
	int64_t last_activity;    /* monotonic_ms() of the upstream's last */
	char errbuf[CURL_ERROR_SIZE];
	long status;
	int headers_done;
	struct strbuf resp_headers;
	struct strbuf out;        /* received, not yet given to the client */
	size_t out_off;
	uint64_t client;
	struct capture *cap;
};

/* ---- clients: retries and throttle waits ---- */

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (h ^ 0xff) * 1099511628211ULL;
}

/*
 * Who made a request: the peer address, the credentials it sent (hashed
 * here, in memory, never kept) and the route. Two programs with
 * different keys are different clients even on one machine.
 */
static uint64_t client_key(struct MHD_Connection *conn, const char *route)
{
	const union MHD_ConnectionInfo *ci = mhd_api.get_connection_info(conn,
			MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char host[INET6_ADDRSTRLEN + 8] = "";
	uint64_t h = 14695981039346656037ULL;
	const char *auth[] = { "Authorization", "x-api-key",
		"x-goog-api-key", NULL };

	if (ci && ci->client_addr)
		getnameinfo(ci->client_addr,
				ci->client_addr->sa_family == AF_INET6 ?
				sizeof(struct sockaddr_in6) :
				sizeof(struct sockaddr_in), host, sizeof(host),
				NULL, 0, NI_NUMERICHOST);
	h = fnv(h, host);
	for (int i = 0; auth[i]; i++)
		h = fnv(h, mhd_api.lookup_connection_value(conn,
				MHD_HEADER_KIND, auth[i]));
	h = fnv(h, route);
	return h ? h : 1;
}

static struct client *find_client(struct proxy *px, uint64_t key, int add)
{
	struct client *oldest = &px->clients[0];

	for (int i = 0; i < CLIENTS; i++) {
		struct client *c = &px->clients[i];

		if (c->key == key)
			return c;
		if (!c->key || (oldest->key &&
		    c->last_failure < oldest->last_failure))
			oldest = c;
	}
	if (!add)
		return NULL;
	memset(oldest, 0, sizeof(*oldest));
	oldest->key = key;
	oldest->last_throttled = -1;
	return oldest;
}

/* What the client's earlier attempts say about this one. */
static void client_before(struct proxy *px, struct exchange *x)
{
	struct client *c;

	pthread_mutex_lock(&px->mu);
	c = find_client(px, x->client, 0);
	if (c && x->cap->started - c->last_failure < RETRY_MEMORY_MS) {
		x->cap->retries = c->failures;
		if (c->last_throttled >= 0)
			x->cap->throttle_wait_ms = x->cap->started -
				c->last_throttled;
	}
	pthread_mutex_unlock(&px->mu);
}

static void client_after(struct proxy *px, const struct exchange *x)
{
	const struct capture *cap = x->cap;
	int failed = cap->status == 429 || cap->status >= 500 ||
		(cap->status == 0 && cap->failure);
	struct client *c;

	pthread_mutex_lock(&px->mu);
	c = find_client(px, x->client, failed);
	if (c && failed) {
		c->failures++;
		c->last_failure = cap->ended;
		if (cap->status == 429)
			c->last_throttled = cap->ended;
	} else if (c) {
		c->key = 0;
	}
	pthread_mutex_unlock(&px->mu);
}

/* ---- answers of the proxy's own ---- */

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status,
		const char *type, const char *text)
{
	struct MHD_Response *r = mhd_api.create_response_from_buffer(
			strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	mhd_api.add_response_header(r, "Content-Type", type);
	ret = mhd_api.queue_response(conn, status, r);
	mhd_api.destroy_response(r);
	return ret;
}

/* An error of the proxy's, in the shape OpenAI's and others' SDKs read. */
static enum MHD_Result answer_error(struct MHD_Connection *conn,
		unsigned status, const char *code, const char *message)
{
	struct json_object *o = json_object_new_object();
	struct json_object *e = json_object_new_object();
	enum MHD_Result ret;

	json_object_object_add(e, "message", json_object_new_string(message));
	json_object_object_add(e, "type", json_object_new_string(
			"tally_proxy_error"));
	json_object_object_add(e, "code", json_object_new_string(code));
	json_object_object_add(o, "error", e);
	ret = answer(conn, status, "application/json",
			json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return ret;
}

/* ---- checks before anything goes upstream ---- */

static int host_allowed(const struct proxy *px, const char *host)
{
	if (!px->loopback)
		return 1; /* the token guards a remote proxy */
	for (int i = 0; host && i < 3; i++)
		if (!strcasecmp(host, px->hosts[i]))
			return 1;
	return 0;
}

static int token_ok(const struct proxy *px, const char *value)
{
	const char *want = px->o.token;
	size_t n, m;
	unsigned diff = 0;

	if (!want)
		return 1;
	if (!value || strncasecmp(value, "Bearer ", 7))
		return 0;
	value += 7;
	n = strlen(value);
	m = strlen(want);
	/* In time that does not depend on where they differ. */
	for (size_t i = 0; i < m; i++)
		diff |= (unsigned)(want[i] ^ (i < n ? value[i] : 0));
	return !diff && n == m;
}

static enum MHD_Result no_route(struct proxy *px, struct MHD_Connection *conn,
		const char *url)
{
	struct strbuf msg = STRBUF_INIT;
	enum MHD_Result ret;

	strbuf_addf(&msg, "tally proxy: no route for '%.200s'; the routes are",
			url);
	for (size_t i = 0; i < px->routes->n; i++)
		strbuf_addf(&msg, "%s /%s", i ? "," : "",
				px->routes->v[i].name);
	ret = answer_error(conn, 404, "no_route", msg.buf);
	strbuf_release(&msg);
	return ret;
}

/*
 * Whether a request may go on; when not, the refusal is queued in *ret.
 * A request that may is for a route (x->route) or for /metrics.
 */
static int allowed(struct exchange *x, struct MHD_Connection *conn,
		const char *url, enum MHD_Result *ret)
{
	struct proxy *px = x->px;
	const char *rest;

	if (mhd_api.lookup_connection_value(conn, MHD_HEADER_KIND, "Origin"))
		*ret = answer_error(conn, 403, "origin_refused", "tally proxy: "
				"requests from web pages are refused");
	else if (!host_allowed(px, mhd_api.lookup_connection_value(conn,
			MHD_HEADER_KIND, "Host")))
		*ret = answer_error(conn, 403, "host_refused", "tally proxy: "
				"the Host header is not this proxy's address");
	else if (!token_ok(px, mhd_api.lookup_connection_value(conn,
			MHD_HEADER_KIND, "Proxy-Authorization")))
		*ret = answer_error(conn, 401, "token_required",
				"tally proxy: Proxy-Authorization: Bearer "
				"<token> is required");
	else if (!strcmp(url, "/metrics") && px->o.metrics)
		return 1;
	else if ((x->route = routes_match(px->routes, url, &rest)))
		return 1;
	else
		*ret = no_route(px, conn, url);
	return 0;
}

static enum MHD_Result serve_metrics(struct proxy *px,
		struct MHD_Connection *conn)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	enum MHD_Result ret;
	int failed;

	pthread_mutex_lock(&proxy_lib_lock);
	failed = px->o.metrics(px->o.metrics_data, &out, &err);
	pthread_mutex_unlock(&proxy_lib_lock);
	if (failed)
		ret = answer(conn, 500, "text/plain; charset=utf-8", err.buf);
	else
		ret = answer(conn, 200, "text/plain; version=0.0.4; "
				"charset=utf-8", out.buf);
	strbuf_release(&out);
	strbuf_release(&err);
	return ret;
}

/* ---- upstream ---- */

static int is_stream(const char *headers)
{
	const char *p = headers;

	while ((p = strchr(p, '\n'))) {
		p++;
		if (!strncasecmp(p, "content-type:", 13)) {
			p += 13;
			p += strspn(p, " \t");
			return !strncasecmp(p, "text/event-stream", 17);
		}
	}
	return 0;
}

static size_t on_upstream_header(char *p, size_t size, size_t n, void *ud)
{
	struct exchange *x = ud;
	size_t len = size * n;

	x->last_activity = monotonic_ms();
	if (len >= 5 && !strncmp(p, "HTTP/", 5)) {
		/* Each response starts over: 100 Continue is not the answer. */
		const char *sp = memchr(p, ' ', len);

		strbuf_reset(&x->resp_headers);
		x->status = sp ? strtol(sp + 1, NULL, 10) : 0;
	}
	if (x->resp_headers.len + len > MAX_RESPONSE_HEADERS)
		return 0;
	strbuf_add(&x->resp_headers, p, len);
	if (((len == 2 && p[0] == '\r') || (len == 1 && p[0] == '\n')) &&
	    x->status >= 200) {
		x->headers_done = 1;
		x->cap->is_stream = is_stream(x->resp_headers.buf);
		if (x->cap->is_stream)
			stream_init(&x->cap->st, x->route->provider);
	}
	return len;
}

static size_t on_upstream_data(char *p, size_t size, size_t n, void *ud)
{
	struct exchange *x = ud;
	size_t len = size * n;

	x->last_activity = monotonic_ms();
	capture_feed(x->cap, p, len, x->last_activity);
	strbuf_add(&x->out, p, len);
	return len;
}

/* Hop-by-hop headers, and those the transfer itself sets. */
static int not_forwarded(const char *name)
{
	static const char *const names[] = {
		"Host", "Connection", "Keep-Alive", "Proxy-Authorization",
		"Proxy-Connection", "TE", "Trailer", "Transfer-Encoding",
		"Upgrade", "Content-Length", "Accept-Encoding", "Expect", NULL,
	};

	for (int i = 0; names[i]; i++)
		if (!strcasecmp(name, names[i]))
			return 1;
	return !strncasecmp(name, "X-Tally-", 8);
}

static enum MHD_Result add_request_header(void *cls, enum MHD_ValueKind kind,
		const char *name, const char *value)
{
	struct exchange *x = cls;
	struct strbuf line = STRBUF_INIT;

	(void)kind;
	if (!not_forwarded(name)) {
		/* "Name;" sends a header with an empty value. */
		strbuf_addf(&line, value && *value ? "%s: %s" : "%s;", name,
				value ? value : "");
		x->req_headers = curl_api.slist_append(x->req_headers,
				line.buf);
	}
	strbuf_release(&line);
	return MHD_YES;
}

/*
 * Moves the transfer on, waiting at most wait_ms for the upstream. One
 * silent for longer than the idle timeout (before its headers or between
 * chunks) is given up, as a dead upstream.
 */
static void pump(struct exchange *x, int wait_ms)
{
	int running = 0, left;
	CURLMsg *msg;

	if (atomic_load(&x->px->abandon)) {
		x->result = CURLE_ABORTED_BY_CALLBACK;
		snprintf(x->errbuf, sizeof(x->errbuf), "the proxy stopped");
		x->done = 1;
		return;
	}
	if (monotonic_ms() - x->last_activity > x->px->o.idle_timeout_ms) {
		x->result = CURLE_OPERATION_TIMEDOUT;
		snprintf(x->errbuf, sizeof(x->errbuf), "no data for %lld s",
				(long long)(x->px->o.idle_timeout_ms / 1000));
		x->done = 1;
		return;
	}
	/*
	 * Wait first, then read: what the read brings is handed on at once,
	 * not after the next wait (a whole chunk interval late).
	 */
	if (x->started)
		curl_api.multi_poll(x->m, NULL, 0, wait_ms, NULL);
	x->started = 1;
	curl_api.multi_perform(x->m, &running);
	if (!running) {
		while ((msg = curl_api.multi_info_read(x->m, &left)))
			if (msg->msg == CURLMSG_DONE)
				x->result = msg->data.result;
		x->done = 1;
	}
}

static void start_upstream(struct exchange *x, struct MHD_Connection *conn,
		const char *method, const char *rest)
{
	struct proxy *px = x->px;
	struct strbuf url = STRBUF_INIT;

	strbuf_addf(&url, "%s%s", x->route->upstream, rest);
	x->h = curl_api.easy_init();
	x->m = curl_api.multi_init();
	http_setup_handle(x->h, url.buf, px->o.connect_timeout_ms);
	if (px->share)
		curl_api.easy_setopt(x->h, CURLOPT_SHARE, px->share);
	mhd_api.get_connection_values(conn, MHD_HEADER_KIND,
			add_request_header, x);
	/* Identity bodies, so that the usage can be read on the way. */
	x->req_headers = curl_api.slist_append(x->req_headers,
			"Accept-Encoding: identity");
	x->req_headers = curl_api.slist_append(x->req_headers, "Expect:");
	curl_api.easy_setopt(x->h, CURLOPT_HTTPHEADER, x->req_headers);
	curl_api.easy_setopt(x->h, CURLOPT_CUSTOMREQUEST, method);
	if (!strcmp(method, "HEAD"))
		curl_api.easy_setopt(x->h, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") || x->request.len) {
		curl_api.easy_setopt(x->h, CURLOPT_POSTFIELDS, x->request.buf);
		curl_api.easy_setopt(x->h, CURLOPT_POSTFIELDSIZE_LARGE,
				(curl_off_t)x->request.len);
	}
	x->last_activity = monotonic_ms();
	curl_api.easy_setopt(x->h, CURLOPT_WRITEFUNCTION, on_upstream_data);
	curl_api.easy_setopt(x->h, CURLOPT_WRITEDATA, x);
	curl_api.easy_setopt(x->h, CURLOPT_HEADERFUNCTION, on_upstream_header);
	curl_api.easy_setopt(x->h, CURLOPT_HEADERDATA, x);
	curl_api.easy_setopt(x->h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_api.multi_add_handle(x->m, x->h);
	strbuf_release(&url);
}

/* Why the upstream gave no (whole) answer, for the client and the entry. */
static void upstream_failed(struct exchange *x)
{
	struct strbuf why = STRBUF_INIT;
	const char *code = "upstream_unreachable";

	if (x->result == CURLE_ABORTED_BY_CALLBACK)
		code = "proxy_stopped";
	else if (x->result == CURLE_OPERATION_TIMEDOUT)
		code = "upstream_timeout";
	else if (x->headers_done)
		code = "upstream_cut";
	strbuf_addf(&why, "tally proxy: the upstream of /%s failed: %s",
			x->route->name, *x->errbuf ? x->errbuf :
			curl_api.easy_strerror(x->result));
	free(x->cap->failure);
	x->cap->failure = strbuf_detach(&why, NULL);
	x->cap->failure_code = code;
}

/* The request's model, where the body or (Gemini) the path names it. */
static void read_request(struct exchange *x)
{
	struct json_tokener *tok;
	struct json_object *root, *model;
	const char *m;

	m = strstr(x->uri, "/models/");
	if (m) {
		size_t n = strcspn(m + 8, ":/?");

		if (n && n < 200)
			x->cap->model_hint = xstrndup(m + 8, n);
	}
	if (!x->request.len || x->request.buf[0] != '{')
		return;
	tok = json_tokener_new();
	root = json_tokener_parse_ex(tok, x->request.buf, (int)x->request.len);
	if (root && json_object_object_get_ex(root, "model", &model) &&
	    json_object_is_type(model, json_type_string) &&
	    json_object_get_string_len(model) < 200) {
		free(x->cap->model_hint);
		x->cap->model_hint = xstrdup(json_object_get_string(model));
	}
	json_object_put(root);
	json_tokener_free(tok);
}

/* ---- answering the client ---- */

static ssize_t read_upstream(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct exchange *x = cls;
	size_t n;

	(void)pos;
	while (x->out_off == x->out.len && !x->done)
		pump(x, 1000);
	if (x->out_off < x->out.len) {
		n = x->out.len - x->out_off;
		if (n > max)
			n = max;
		memcpy(buf, x->out.buf + x->out_off, n);
		x->out_off += n;
		if (x->out_off == x->out.len) {
			strbuf_reset(&x->out);
			x->out_off = 0;
		}
		return (ssize_t)n;
	}
	if (x->result != CURLE_OK) {
		upstream_failed(x);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	return MHD_CONTENT_READER_END_OF_STREAM;
}

/*
 * The upstream's Content-Length, so that the client gets the same
 * framing; MHD_SIZE_UNKNOWN (chunked) when it sent none.
 */
static uint64_t content_length(const char *headers)
{
	const char *p = headers;
	char *end;
	unsigned long long n;

	while ((p = strchr(p, '\n'))) {
		p++;
		if (!strncasecmp(p, "content-length:", 15)) {
			n = strtoull(p + 15, &end, 10);
			if (end != p + 15 && (*end == '\r' || *end == '\n'))
				return n;
		}
	}
	return MHD_SIZE_UNKNOWN;
}

/* The upstream's headers on the response, but hop-by-hop ones. */
static void copy_headers(struct exchange *x, struct MHD_Response *r)
{
	struct strbuf name = STRBUF_INIT, value = STRBUF_INIT;
	const char *p = strchr(x->resp_headers.buf, '\n');

	while (p && *++p) {
		const char *eol = strchr(p, '\n'), *colon = strchr(p, ':');

		if (!eol)
			break;
		if (colon && colon < eol) {
			strbuf_reset(&name);
			strbuf_reset(&value);
			strbuf_add(&name, p, (size_t)(colon - p));
			colon++;
			colon += strspn(colon, " \t");
			strbuf_add(&value, colon, (size_t)(eol - colon));
			strbuf_rtrim(&value);
			if (!not_forwarded(name.buf))
				mhd_api.add_response_header(r, name.buf,
						value.buf);
		}
		p = eol;
	}
	strbuf_release(&name);
	strbuf_release(&value);
}

static enum MHD_Result forward(struct exchange *x, struct MHD_Connection *conn,
		const char *method, const char *rest)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	x->cap->started_at = now_ms();
	x->cap->started = monotonic_ms();
	x->client = client_key(conn, x->route->name);
	client_before(x->px, x);
	read_request(x);
	start_upstream(x, conn, method, rest);
	while (!x->headers_done && !x->done)
		pump(x, 1000);
	if (!x->headers_done) {
		if (x->result == CURLE_OK)
			x->result = CURLE_GOT_NOTHING;
		upstream_failed(x);
		return answer_error(conn, 502, x->cap->failure_code,
				x->cap->failure);
	}
	x->cap->status = x->status;
	strbuf_addbuf(&x->cap->headers, &x->resp_headers);
	r = mhd_api.create_response_from_callback(
			content_length(x->resp_headers.buf), READ_BLOCK,
			read_upstream, x, NULL);
	if (!r)
		return MHD_NO;
	copy_headers(x, r);
	ret = mhd_api.queue_response(conn, (unsigned)x->status, r);
	mhd_api.destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
		const char *url, const char *method, const char *version,
		const char *upload, size_t *upload_size, void **req_cls)
{
	struct exchange *x = *req_cls;
	enum MHD_Result ok;
	const char *rest;

	(void)cls;
	(void)version;
	if (x->stage == ST_NEW) {
		x->stage = ST_ANSWERED;
		if (!allowed(x, conn, url, &ok))
			return ok;
		if (!x->route)
			return serve_metrics(x->px, conn);
		x->stage = ST_BODY;
		return MHD_YES;
	}
	if (x->stage == ST_ANSWERED)
		return MHD_YES;
	if (*upload_size) {
		/* Too large: read to its end, then refuse it. */
		if (x->request.len + *upload_size > x->px->o.max_request)
			x->too_large = 1;
		if (!x->too_large)
			strbuf_add(&x->request, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	x->stage = ST_ANSWERED;
	if (x->too_large) {
		char msg[80];

		snprintf(msg, sizeof(msg), "tally proxy: the request body is "
				"larger than %zu MiB", x->px->o.max_request >> 20);
		return answer_error(conn, 413, "request_too_large", msg);
	}
	x->cap = capture_new();
	x->cap->method = xstrdup(method);
	x->cap->path = xstrndup(x->uri, strcspn(x->uri, "?"));
	x->cap->route = x->route->name;
	x->cap->provider = x->route->provider ? x->route->provider->id : NULL;
	if (x->px->o.session)
		x->cap->session = xstrdup(x->px->o.session);
	/* The uri is the raw one: the path after the route, and the query. */
	rest = x->uri + 1 + strlen(x->route->name);
	return forward(x, conn, method, rest);
}

/* ---- the life of an exchange ---- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct proxy *px = cls;
	struct exchange *x = xcalloc(1, sizeof(*x));

	(void)conn;
	x->px = px;
	x->uri = xstrdup(uri);
	strbuf_init(&x->request, 0);
	strbuf_init(&x->resp_headers, 0);
	strbuf_init(&x->out, 0);
	pthread_mutex_lock(&px->mu);
	px->inflight++;
	pthread_mutex_unlock(&px->mu);
	return x;
}

static void on_completed(void *cls, struct MHD_Connection *conn,
		void **req_cls, enum MHD_RequestTerminationCode toe)
{
	struct proxy *px = cls;
	struct exchange *x = *req_cls;

	(void)conn;
	if (!x)
		return;
	if (x->cap) {
		x->cap->ended = monotonic_ms();
		if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && !x->done) {
			x->cap->client_gone = 1;
			if (!x->cap->failure) {
				x->cap->failure = xstrdup("the client left "
						"before the end");
				x->cap->failure_code = "client_gone";
			}
		}
		client_after(px, x);
		recorder_submit(px->rec, x->cap);
	}
	if (x->h) {
		curl_api.multi_remove_handle(x->m, x->h);
		curl_api.easy_cleanup(x->h);
		curl_api.multi_cleanup(x->m);
	}
	curl_api.slist_free_all(x->req_headers);
	strbuf_release(&x->request);
	strbuf_release(&x->resp_headers);
	strbuf_release(&x->out);
	free(x->uri);
	free(x);
	*req_cls = NULL;
	pthread_mutex_lock(&px->mu);
	if (!--px->inflight)
		pthread_cond_broadcast(&px->idle);
	pthread_mutex_unlock(&px->mu);
}

/* MHD would decode %2F in paths; the proxy forwards them as they came. */
static size_t keep_escapes(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

/* ---- the shared connection cache ---- */

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access a,
		void *ud)
{
	struct proxy *px = ud;

	(void)h;
	(void)a;
	pthread_mutex_lock(&px->share_locks[(unsigned)data % SHARE_LOCKS]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ud)
{
	struct proxy *px = ud;

	(void)h;
	pthread_mutex_unlock(&px->share_locks[(unsigned)data % SHARE_LOCKS]);
}

static void share_start(struct proxy *px)
{
	for (int i = 0; i < SHARE_LOCKS; i++)
		pthread_mutex_init(&px->share_locks[i], NULL);
	px->share = curl_api.share_init();
	if (!px->share)
		return; /* each request connects anew: slower, not wrong */
	curl_api.share_setopt(px->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_api.share_setopt(px->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_api.share_setopt(px->share, CURLSHOPT_USERDATA, px);
	curl_api.share_setopt(px->share, CURLSHOPT_SHARE,
			CURL_LOCK_DATA_CONNECT);
	curl_api.share_setopt(px->share, CURLSHOPT_SHARE,
			CURL_LOCK_DATA_DNS);
	curl_api.share_setopt(px->share, CURLSHOPT_SHARE,
			CURL_LOCK_DATA_SSL_SESSION);
}

static void share_stop(struct proxy *px)
{
	if (px->share)
		curl_api.share_cleanup(px->share);
	for (int i = 0; i < SHARE_LOCKS; i++)
		pthread_mutex_destroy(&px->share_locks[i]);
}

/* ---- starting and stopping ---- */

static int is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)
				->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)
				(const void *)sa)->sin6_addr);
	return 0;
}

/* "host:port", "[v6]:port" or ":port" (loopback) into an address. */
static int resolve_listen(const char *listen, struct sockaddr_storage *ss,
		socklen_t *len, struct strbuf *err)
{
	struct strbuf host = STRBUF_INIT;
	struct addrinfo hints = { 0 }, *ai = NULL;
	const char *colon = strrchr(listen, ':');
	int rc;

	if (!colon || !colon[1])
		return fail(err, T_EUSAGE, "--listen '%s': expected "
				"<address>:<port>, e.g. 127.0.0.1:8765",
				listen);
	strbuf_add(&host, listen, (size_t)(colon - listen));
	if (host.len > 1 && host.buf[0] == '[' &&
	    host.buf[host.len - 1] == ']') {
		strbuf_splice(&host, host.len - 1, 1, "", 0);
		strbuf_splice(&host, 0, 1, "", 0);
	}
	if (!host.len)
		strbuf_addstr(&host, "127.0.0.1");
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host.buf, colon + 1, &hints, &ai);
	strbuf_release(&host);
	if (rc)
		return fail(err, T_EUSAGE, "--listen '%s': %s", listen,
				gai_strerror(rc));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("tally: proxy: ", stderr);
	vfprintf(stderr, fmt, ap);
}

int proxy_start(struct proxy **out, const struct proxy_options *o,
		const struct routes *routes, struct recorder *rec,
		struct strbuf *err)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct proxy *px;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
		MHD_USE_ERROR_LOG | MHD_USE_SUPPRESS_DATE_NO_CLOCK;
	int ret = resolve_listen(o->listen ? o->listen : "127.0.0.1:0", &ss,
			&sslen, err);

	if (ret)
		return ret;
	if (!is_loopback((struct sockaddr *)&ss) && !o->allow_remote)
		return fail(err, T_EUSAGE, "--listen '%s' is not a loopback "
				"address; serving other machines needs "
				"--allow-remote and $TALLY_PROXY_TOKEN",
				o->listen);
	if (!is_loopback((struct sockaddr *)&ss) &&
	    (!o->token || strlen(o->token) < 16))
		return fail(err, T_EUSAGE, "--allow-remote needs a bearer "
				"token of 16 characters or more in "
				"$TALLY_PROXY_TOKEN");
	if ((ret = mhd_load(err)) || (ret = curl_load(err)))
		return ret;
	now_ms(); /* reads $TALLY_NOW once, before there are threads */
	curl_api.global_init(CURL_GLOBAL_ALL);
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	px = xcalloc(1, sizeof(*px));
	px->o = *o;
	px->routes = routes;
	px->rec = rec;
	px->loopback = is_loopback((struct sockaddr *)&ss);
	pthread_mutex_init(&px->mu, NULL);
	pthread_cond_init(&px->idle, NULL);
	share_start(px);
	px->d = mhd_api.start_daemon(flags, 0, NULL, NULL, on_request, px,
			MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			MHD_OPTION_URI_LOG_CALLBACK, on_uri, px,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, px,
			MHD_OPTION_UNESCAPE_CALLBACK, keep_escapes, NULL,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)600,
			MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
			MHD_OPTION_THREAD_STACK_SIZE, (size_t)(512 * 1024),
			MHD_OPTION_END);
	if (!px->d) {
		share_stop(px);
		free(px);
		return fail(err, T_EFAIL, "cannot listen on %s (in use, or "
				"not an address of this machine)",
				o->listen ? o->listen : "127.0.0.1:0");
	}
	info = mhd_api.get_daemon_info(px->d, MHD_DAEMON_INFO_BIND_PORT);
	px->port = info ? info->port : 0;
	snprintf(px->hosts[0], sizeof(px->hosts[0]), "127.0.0.1:%d", px->port);
	snprintf(px->hosts[1], sizeof(px->hosts[1]), "localhost:%d", px->port);
	snprintf(px->hosts[2], sizeof(px->hosts[2]), "[::1]:%d", px->port);
	snprintf(px->base_url, sizeof(px->base_url), "http://%s",
			ss.ss_family == AF_INET6 && px->loopback ?
			px->hosts[2] : px->hosts[0]);
	*out = px;
	return 0;
}

int proxy_port(const struct proxy *px)
{
	return px->port;
}

const char *proxy_base_url(const struct proxy *px)
{
	return px->base_url;
}

void proxy_stop(struct proxy *px, int64_t grace_ms)
{
	struct timespec ts;
	MHD_socket s = mhd_api.quiesce_daemon(px->d);

	if (s != MHD_INVALID_SOCKET)
		close(s);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += grace_ms / 1000;
	pthread_mutex_lock(&px->mu);
	while (px->inflight)
		if (pthread_cond_timedwait(&px->idle, &px->mu, &ts))
			break;
	pthread_mutex_unlock(&px->mu);
	/* Past the grace period: the connections' threads give up their
	 * transfers (within a second), so that they can be joined. */
	atomic_store(&px->abandon, 1);
	mhd_api.stop_daemon(px->d);
	share_stop(px);
	pthread_mutex_destroy(&px->mu);
	pthread_cond_destroy(&px->idle);
	free(px);
}
