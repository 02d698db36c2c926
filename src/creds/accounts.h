/* Credential providers for the CSP's accounts and the customers' delegated
 * access, built once from the configuration and shared by every worker.
 * A customer's provider is an AssumeRole (with its ExternalId) made with the
 * credentials of the CSP account whose SubCA issued the certificate, cached
 * and refreshed before expiry: one AssumeRole per customer per refresh. */
#ifndef IOTREG_CREDS_ACCOUNTS_H
#define IOTREG_CREDS_ACCOUNTS_H

#include "aws/transport/client.h"
#include "config/config.h"
#include "core/error.h"
#include "creds/role_check.h"

typedef struct ir_accounts ir_accounts;

ir_rc ir_accounts_new(const ir_config *cfg, ir_aws_client *aws, ir_accounts **out, ir_err *err);
void ir_accounts_free(ir_accounts *a);

/* Where requests in acct's name go, in region (NULL: the account's own). */
ir_rc ir_accounts_csp_target(ir_accounts *a, const ir_csp_account *acct, const char *region,
                             ir_aws_target *out, ir_err *err);
/* Where requests in the customer's name go; via is the CSP account whose
 * credentials assume the customer's role. */
ir_rc ir_accounts_customer_target(ir_accounts *a, const ir_customer_conf *cust,
                                  const ir_csp_account *via, ir_aws_target *out, ir_err *err);

/* The customer's data endpoint (DescribeEndpoint iot:Data-ATS in its
 * account and region, with its delegated credentials, via as for
 * ir_accounts_customer_target): looked up on first use and remembered while
 * a lives, one lookup at a time; a failed lookup is not remembered, so the
 * next call tries again. The caller has passed the role gate. *out is heap
 * memory for free(); aerr (may be NULL) holds an AWS error. */
ir_rc ir_accounts_customer_endpoint(ir_accounts *a, const ir_customer_conf *cust,
                                    const ir_csp_account *via, char **out, ir_aws_error *aerr,
                                    ir_err *err);

/* Before a customer's role is used: IR_ROLE_SAFE when it was found to refuse
 * AssumeRole without its ExternalId (checked from via) less than interval_ms
 * ago, else the verdict of a check made now (creds/role_check.h). Customers
 * with an access key have no role: always safe. */
ir_role_safety ir_accounts_role_gate(ir_accounts *a, const ir_customer_conf *cust,
                                     const ir_csp_account *via, int64_t interval_ms, ir_err *err);

#endif
