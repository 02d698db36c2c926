/* AWS credentials. A credential set is an access key id, an optional session
 * token, and a way to compute SigV4's kDate = HMAC-SHA256("AWS4"+secret, date)
 * — in software from a secret held in cleansed memory, or by a callback that
 * asks the HSM, so that the secret need never be in process memory.
 *
 * A provider hands out the current credential set and refreshes it before it
 * expires (environment, shared credentials file, AssumeRole). */
#ifndef IOTREG_AWS_AUTH_CREDENTIALS_H
#define IOTREG_AWS_AUTH_CREDENTIALS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

#define IR_AWS_KDATE_LEN 32

/* Computes kDate for date (YYYYMMDD) into out. */
typedef ir_rc (*ir_aws_kdate_fn)(void *ctx, const char *date, unsigned char out[IR_AWS_KDATE_LEN],
                                 ir_err *err);

typedef struct ir_aws_creds ir_aws_creds; /* immutable, reference-counted */

/* From a plain secret, copied into cleansed memory. */
ir_rc ir_aws_creds_new_secret(const char *access_key_id, const char *secret_access_key,
                              const char *session_token, int64_t expires_ms, ir_aws_creds **out,
                              ir_err *err);
/* From a kDate callback (the HSM); ctx_free (may be NULL) runs at the last unref.
 * On failure the caller keeps ctx. */
ir_rc ir_aws_creds_new_kdate(const char *access_key_id, ir_aws_kdate_fn fn, void *ctx,
                             void (*ctx_free)(void *), ir_aws_creds **out, ir_err *err);
ir_aws_creds *ir_aws_creds_ref(ir_aws_creds *c);
void ir_aws_creds_unref(ir_aws_creds *c);

const char *ir_aws_creds_access_key_id(const ir_aws_creds *c);
const char *ir_aws_creds_session_token(const ir_aws_creds *c); /* NULL when none */
int64_t ir_aws_creds_expires_ms(const ir_aws_creds *c);        /* 0 = never */
ir_rc ir_aws_creds_kdate(const ir_aws_creds *c, const char *date,
                         unsigned char out[IR_AWS_KDATE_LEN], ir_err *err);
/* True when c holds a secret (software kDate), false for a kDate callback. */
bool ir_aws_creds_holds_secret(const ir_aws_creds *c);

typedef struct ir_aws_cred_provider ir_aws_cred_provider; /* thread-safe */

/* Returns a reference to current credentials (refreshing when they expire
 * within the provider's margin); the caller unrefs it. */
ir_rc ir_aws_cred_provider_get(ir_aws_cred_provider *p, ir_aws_creds **out, ir_err *err);
void ir_aws_cred_provider_free(ir_aws_cred_provider *p);
/* A short description for logs, never containing a secret. */
const char *ir_aws_cred_provider_describe(const ir_aws_cred_provider *p);

/* Fixed credentials (takes its own reference). */
ir_rc ir_aws_cred_provider_static(ir_aws_creds *creds, ir_aws_cred_provider **out, ir_err *err);
/* AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, read at each refresh. */
ir_rc ir_aws_cred_provider_env(ir_aws_cred_provider **out, ir_err *err);
/* A profile of the shared credentials file (file NULL: $AWS_SHARED_CREDENTIALS_FILE
 * or ~/.aws/credentials; profile NULL: $AWS_PROFILE or "default"). */
ir_rc ir_aws_cred_provider_profile(const char *file, const char *profile,
                                   ir_aws_cred_provider **out, ir_err *err);

/* A generic provider for refreshing sources such as AssumeRole: fetch is
 * called when there is no credential set or it expires within margin_ms;
 * concurrent callers wait for one fetch rather than each making one. A failed
 * fetch is reported to every caller waiting for it (unless the previous set has
 * not expired yet: it is then still returned, with a warning) and retried on the
 * next call. On failure to create the provider the caller keeps ctx. */
typedef ir_rc (*ir_aws_cred_fetch_fn)(void *ctx, ir_aws_creds **out, ir_err *err);
ir_rc ir_aws_cred_provider_refreshing(ir_aws_cred_fetch_fn fetch, void *ctx,
                                      void (*ctx_free)(void *), int64_t margin_ms,
                                      const char *description, ir_aws_cred_provider **out,
                                      ir_err *err);

#endif
