/* What every program builds from one configuration: the validated config,
 * the journal, the AWS client (timeouts, quotas, signing name from the
 * config) and the credential providers. Programs open only the parts they
 * need. */
#ifndef IOTREG_APP_RUNTIME_H
#define IOTREG_APP_RUNTIME_H

#include "aws/transport/client.h"
#include "config/config.h"
#include "core/error.h"
#include "creds/accounts.h"
#include "journal/journal.h"

#define IR_RT_JOURNAL 0x1u
#define IR_RT_AWS     0x2u /* the client and the credential providers */

typedef struct ir_runtime {
    ir_config *cfg;
    ir_journal *journal;
    ir_aws_client *aws;
    ir_accounts *accounts;
} ir_runtime;

/* path NULL: $IOTREG_CONF, else the default. Refuses an invalid config. */
ir_rc ir_runtime_open(const char *path, unsigned parts, ir_runtime *rt, ir_err *err);
void ir_runtime_close(ir_runtime *rt);

/* Opens the journal cfg names (what ir_runtime_open does for
 * IR_RT_JOURNAL), for a program that loads its configuration itself. */
ir_rc ir_runtime_open_journal(const ir_config *cfg, ir_journal **out, ir_err *err);

#endif
