/* Which CSP account carries a certificate (issue 13): the SubCA names one or
 * more CSP accounts, each lists the regions it serves; a certificate goes
 * through one that serves its customer's region. Among several, the
 * certificate's id chooses (an even spread, the same answer on every host),
 * and the choice is recorded in the journal (IR_FACT_CSP_ACCOUNT,
 * IR_FACT_REGION) before the first AWS call: from then on the recorded
 * account is the answer, so a restart, a revocation or a cancel acts where
 * the certificate is. */
#ifndef IOTREG_APP_ROUTE_H
#define IOTREG_APP_ROUTE_H

#include <stdbool.h>

#include "config/config.h"
#include "journal/journal.h"

typedef struct ir_route {
    const ir_csp_account *csp;
    const char *region; /* borrowed from the configuration or the entry */
    bool recorded;      /* the entry's facts named it (else it is a new choice) */
} ir_route;

/* The route of e, issued by subca, for cust (NULL: unattributed; the region
 * is then the recorded one, else the account's first). IR_ERR_CONFIG with
 * the fix in the message when no CSP account of subca serves the region, or
 * the recorded account is no longer configured. */
ir_rc ir_route_entry(const ir_config *cfg, const ir_subca_conf *subca, const ir_customer_conf *cust,
                     const ir_journal_entry *e, ir_route *out, ir_err *err);

/* The CSP accounts of subca that serve region, in configuration order;
 * returns how many (at most max are stored). */
size_t ir_route_candidates(const ir_config *cfg, const ir_subca_conf *subca, const char *region,
                           const ir_csp_account **out, size_t max);

#endif
