/* Percent-encoding as AWS specifies it for SigV4 (RFC 3986's unreserved
 * characters A-Z a-z 0-9 - _ . ~ as they are, every other byte as %XX in
 * upper-case hex). The one encoder of request paths, query strings, form
 * bodies and SigV4's canonical request: what is signed and what is sent are
 * encoded by the same code. */
#ifndef IOTREG_CORE_URI_ENCODE_H
#define IOTREG_CORE_URI_ENCODE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

/* Appends the n bytes at s encoded; '/' is kept as it is when keep_slash. */
ir_rc ir_uri_encode(ir_buf *out, const char *s, size_t n, bool keep_slash, ir_err *err);

#endif
