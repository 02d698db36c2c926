/* Is a customer's role safe to use? AWS's confused-deputy guidance (IAM User
 * Guide, "The confused deputy problem"): a role that a service provider
 * assumes for its customer must require the ExternalId the provider gave
 * that customer (a Condition StringEquals sts:ExternalId in its trust
 * policy). A role assumable without it lets anyone the trust policy trusts
 * use it, and lets a customer name someone else's role to us.
 *
 * The check is one AssumeRole of the role WITHOUT the ExternalId, made with
 * the credentials of the CSP account that delivers for the customer (the
 * account of the SubCA that issues its certificates). iotregd runs it before
 * it first uses a role and again every role-check-seconds (ir_role_gates);
 * iotregctl customer verify runs it from every delivering CSP account. */
#ifndef IOTREG_CREDS_ROLE_CHECK_H
#define IOTREG_CREDS_ROLE_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "aws/transport/client.h"
#include "config/config.h"
#include "core/error.h"

typedef struct ir_accounts ir_accounts; /* creds/accounts.h */

typedef enum ir_role_safety {
    IR_ROLE_SAFE = 0,     /* STS refused it with AccessDenied */
    IR_ROLE_UNSAFE,       /* STS issued credentials: the ExternalId is not required */
    IR_ROLE_INCONCLUSIVE, /* network, timeout or throttling: check again later */
    IR_ROLE_UNCHECKED,    /* another answer (bad CSP credentials, ...): err says which */
} ir_role_safety;

/* One check of cust's role from CSP account via. The credentials an unsafe
 * role yields are cleansed and freed at once, never used. err is set for
 * every verdict but IR_ROLE_SAFE. A customer without a role is safe. */
ir_role_safety ir_role_check(ir_accounts *a, ir_aws_client *aws, const ir_customer_conf *cust,
                             const ir_csp_account *via, ir_err *err);

/* What an operator reads when cust's role is unsafe: the problem, the role,
 * and the fix (the trust policy condition, then iotregctl retry). */
void ir_role_unsafe_reason(const ir_customer_conf *cust, const ir_csp_account *via, char *buf,
                           size_t len);

/* The CSP accounts that deliver for cust: those of the SubCAs its
 * attribution rules admit (a rule without a SubCA match admits them all;
 * a customer without rules is served by every SubCA, through iotregctl
 * assign). Up to max distinct accounts into out; returns how many. */
size_t ir_role_delivering_accounts(const ir_config *cfg, const ir_customer_conf *cust,
                                   const ir_csp_account **out, size_t max);

/* The daemon's memory of checks, per (customer, CSP account), shared by its
 * workers. */
typedef struct ir_role_gates ir_role_gates;

ir_rc ir_role_gates_new(ir_role_gates **out, ir_err *err);
void ir_role_gates_free(ir_role_gates *g);

/* How a gate checks (ir_role_check in iotregd; tests pass their own). */
typedef ir_role_safety (*ir_role_check_fn)(void *arg, const ir_customer_conf *cust,
                                           const ir_csp_account *via, ir_err *err);

/* IR_ROLE_SAFE when the role passed a check less than interval_ms ago;
 * otherwise checks it now with check(arg, ...). One check at a time per
 * (customer, account): threads that arrive during a check wait and take its
 * verdict. Only a pass is remembered; an unsafe or inconclusive verdict is
 * checked again by the next caller. */
ir_role_safety ir_role_gates_pass(ir_role_gates *g, const ir_customer_conf *cust,
                                  const ir_csp_account *via, int64_t interval_ms,
                                  ir_role_check_fn check, void *arg, ir_err *err);

#endif
