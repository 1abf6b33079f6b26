#ifndef TALLY_CMD_SERVE_H
#define TALLY_CMD_SERVE_H

#include "tally.h"
#include "../proxy/server.h"

/*
 * What tally proxy and tally exec share: the routes from the
 * configuration, the recorder on the scope's ledger, the proxy, and a
 * clean stop.
 */

/*
 * How long an upstream may say nothing: a non-streamed answer of a
 * reasoning model can take minutes before its first byte, and the
 * official SDKs wait 10 minutes for one.
 */
#define IDLE_TIMEOUT_S 600
#define STR_(x) #x
#define STR(x) STR_(x)

struct serve {
	struct routes routes;
	struct recorder *rec;
	struct proxy *px;
	struct proxy_options o;
	struct tally_ctx *ctx;
};

/*
 * A route per provider with a base URL, as providers.<id>.base_url or
 * the provider's default says. 0, or T_ECONFIG for a base URL that is
 * not one.
 */
int serve_routes(struct serve *sv, struct strbuf *err);

/* Starts the recorder and the proxy on sv->routes and sv->o. */
int serve_start(struct serve *sv, int log, struct strbuf *err);

/* Stops both, in-flight requests given grace_ms; says what went wrong. */
void serve_stop(struct serve *sv, int64_t grace_ms,
		struct recorder_counts *counts);

/* The defaults of sv->o. */
void serve_init(struct serve *sv, struct tally_ctx *ctx);

#endif
