#ifndef TALLY_TRUST_H
#define TALLY_TRUST_H

#include <stddef.h>

#include "strbuf.h"

/*
 * Trust in a workspace's configuration file (<workspace>/.tally.yaml).
 *
 * Such a file arrives with whatever repository the user cloned, so it is
 * treated as git treats safe.directory and direnv an .envrc:
 *
 *  - a file owned by another user, or writable by other users, is never
 *    read at all (trust_read_workspace_file() refuses it);
 *  - the settings that run commands, send credentials or change money
 *    (config.c's trust patterns) apply from it only once the user trusted
 *    the file: `tally config trust` records its path and the SHA-256 of
 *    its bytes in the user's own configuration directory
 *    (${XDG_CONFIG_HOME:-~/.config}/tally/trusted-workspaces), so an edited
 *    file is no longer trusted.
 *
 * The store holds one line per file: 64 hex digits, a space, the path.
 * Paths holding a newline cannot be trusted.
 */

/*
 * Reads a workspace configuration file. Returns 0 with its bytes in text;
 * 1 when there is no such file; 2 when it is refused (why says why:
 * another owner, or writable by others); T_ECONFIG when it cannot be read
 * (err says why).
 */
int trust_read_workspace_file(const char *path, struct strbuf *text,
		struct strbuf *why, struct strbuf *err);

/* Appends the trust store's path; leaves out empty when HOME is unset. */
void trust_store_path(struct strbuf *out);

/* Whether the file at path, holding these bytes, is trusted. */
int trust_is_trusted(const char *path, const char *text, size_t len);

/*
 * Records trust in the file at path holding these bytes (replacing an
 * earlier record for the path). Returns 0 or T_ECONFIG.
 */
int trust_add(const char *path, const char *text, size_t len,
		struct strbuf *err);

/*
 * Forgets the file at path. Returns 0 with *was set to whether it was
 * recorded, or T_ECONFIG.
 */
int trust_remove(const char *path, int *was, struct strbuf *err);

#endif
