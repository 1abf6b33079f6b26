#include "serve.h"

#include <string.h>

#include "../lib/config.h"
#include "../providers/provider.h"
#include "../lib/banned.h"

void serve_init(struct serve *sv, struct tally_ctx *ctx)
{
	memset(sv, 0, sizeof(*sv));
	routes_init(&sv->routes);
	sv->ctx = ctx;
	sv->o.idle_timeout_ms = IDLE_TIMEOUT_S * 1000;
	sv->o.connect_timeout_ms = 10 * 1000;
	sv->o.max_request = 32u << 20;
}

int serve_routes(struct serve *sv, struct strbuf *err)
{
	for (const struct provider *const *p = provider_table; *p; p++) {
		const char *set = provider_setting(sv->ctx, (*p)->id,
				"base_url");
		const char *base = set && *set ? set : (*p)->base_url;
		int ret;

		if (!base)
			continue;
		if (base == set &&
		    (ret = provider_check_base_url(*p, set, err)))
			return ret;
		ret = routes_add(&sv->routes, (*p)->id, base, *p, err);
		if (ret) {
			struct strbuf why = STRBUF_INIT;

			strbuf_addf(&why, "providers.%s.base_url: %s",
					(*p)->id, err->buf);
			strbuf_reset(err);
			strbuf_addbuf(err, &why);
			strbuf_release(&why);
			return ret;
		}
	}
	return 0;
}

static int metrics(void *data, struct strbuf *out, struct strbuf *err)
{
	return prometheus_text(data, out, err);
}

static void compact_after(struct ledger *l, void *data)
{
	auto_compact_locked(l, data, 0);
}

int serve_start(struct serve *sv, int log, struct strbuf *err)
{
	struct tally_ctx *ctx = sv->ctx;
	struct recorder_settings rs = {
		.ledger_path = ctx->scope.ledger_path,
		.lock_path = ctx->scope.lock_path,
		.fsync = ctx->cfg.fsync,
		.lock_timeout_ms = ctx->cfg.lock_timeout_ms,
		.cfg = &ctx->cfg,
		.record = ctx->cfg.enabled,
		.log = log,
		.after_append = compact_after,
		.data = ctx,
	};
	int ret = scope_prepare(&ctx->scope, err);

	if (!ret)
		ret = recorder_start(&sv->rec, &rs, err);
	if (ret)
		return ret;
	sv->o.metrics = metrics;
	sv->o.metrics_data = ctx;
	ret = proxy_start(&sv->px, &sv->o, &sv->routes, sv->rec, err);
	if (ret) {
		recorder_stop(sv->rec, NULL);
		sv->rec = NULL;
	}
	return ret;
}

void serve_stop(struct serve *sv, int64_t grace_ms,
		struct recorder_counts *counts)
{
	struct recorder_counts c = { 0 };

	if (sv->px)
		proxy_stop(sv->px, grace_ms);
	if (sv->rec)
		recorder_stop(sv->rec, &c);
	sv->px = NULL;
	sv->rec = NULL;
	routes_release(&sv->routes);
	if (c.unwritten)
		warning("%llu entries could not be written to the ledger",
				(unsigned long long)c.unwritten);
	if (counts)
		*counts = c;
}
