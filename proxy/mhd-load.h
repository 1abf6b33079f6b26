#ifndef TALLY_MHD_LOAD_H
#define TALLY_MHD_LOAD_H

#include <microhttpd.h>

#include "../lib/strbuf.h"

/*
 * GNU libmicrohttpd, loaded when tally first serves (tally proxy, tally
 * exec), as libcurl is loaded when it first makes a request
 * (providers/curl-load.h): linked, it and the TLS library it brings would
 * be loaded by every run of every command. The headers are the ones
 * found at build time; the library is libmicrohttpd.so.12, the soname of
 * the 0.9 series, or the file named by $TALLY_LIBMICROHTTPD.
 *
 * Calling sequence: mhd_load() (0, or T_EPROVIDER with the reason), then
 * the functions through mhd_api.
 */
struct mhd_fns {
	struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port,
			MHD_AcceptPolicyCallback apc, void *apc_cls,
			MHD_AccessHandlerCallback dh, void *dh_cls, ...);
	void (*stop_daemon)(struct MHD_Daemon *d);
	MHD_socket (*quiesce_daemon)(struct MHD_Daemon *d);
	const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *d,
			enum MHD_DaemonInfoType info, ...);
	const char *(*lookup_connection_value)(struct MHD_Connection *c,
			enum MHD_ValueKind kind, const char *key);
	int (*get_connection_values)(struct MHD_Connection *c,
			enum MHD_ValueKind kind, MHD_KeyValueIterator it,
			void *it_cls);
	const union MHD_ConnectionInfo *(*get_connection_info)(
			struct MHD_Connection *c,
			enum MHD_ConnectionInfoType info, ...);
	struct MHD_Response *(*create_response_from_buffer)(size_t size,
			void *buffer, enum MHD_ResponseMemoryMode mode);
	struct MHD_Response *(*create_response_from_callback)(uint64_t size,
			size_t block_size, MHD_ContentReaderCallback crc,
			void *crc_cls, MHD_ContentReaderFreeCallback crfc);
	enum MHD_Result (*add_response_header)(struct MHD_Response *r,
			const char *name, const char *value);
	enum MHD_Result (*queue_response)(struct MHD_Connection *c,
			unsigned int status, struct MHD_Response *r);
	void (*destroy_response)(struct MHD_Response *r);
};

extern struct mhd_fns mhd_api;

int mhd_load(struct strbuf *err);

#endif
