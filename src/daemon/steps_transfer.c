/* The CSP-side steps of transfer delivery: register in the CSP's account,
 * transfer to the customer, assume the customer's role, accept there. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iot/iot.h"
#include "core/log.h"
#include "daemon/steps.h"

#define TRANSFER_MESSAGE_MAX 128

/* ResourceAlreadyExists on registration: done when the certificate AWS
 * names (resourceId) sits in our account. */
static job_verdict register_exists(job *j, const ir_iot_cert_ref *ref)
{
    job_learn_id(j, ref->certificate_id);
    return job_registered_in(j, &j->csp_target, j->csp->account_id, IR_STEP_TRANSFER,
                             IR_FACT_CSP_CERT_ARN);
}

job_verdict step_register(job *j)
{
    ir_iot_register_cert_args args = {0};
    ir_iot_cert_ref ref = {0};
    ir_aws_error aerr = {0};
    ir_err err = {0};
    job_verdict v;
    ir_rc rc;

    args.certificate_pem = j->cert_pem;
    args.ca_certificate_pem = j->ca_pem;
    args.status = IR_IOT_STATUS_INACTIVE;
    rc = ir_iot_register_certificate(j->ctx->aws, &j->csp_target, &args, &ref, &aerr, &err);
    job_fault_point(IR_STEP_REGISTER);
    if (rc == IR_OK) {
        job_learn_id(j, ref.certificate_id);
        job_learn_arn(j, IR_FACT_CSP_CERT_ARN, ref.certificate_arn);
        v = job_next(j, "ok", IR_STEP_TRANSFER, "registered INACTIVE in %s %s", j->csp->account_id,
                     j->route.region);
    } else if (rc == IR_ERR_AWS && ir_aws_error_is(&aerr, "ResourceAlreadyExistsException")) {
        v = register_exists(j, &ref);
    } else if (rc == IR_ERR_AWS && ir_aws_error_is(&aerr, "CertificateValidationException")) {
        v = job_park(j,
                     "RegisterCertificate: %s: %s; the SubCA '%s' is not registered in CSP "
                     "account %s (%s) in %s: run `iotregctl ca register %s --region %s "
                     "--account %s`, then `iotregctl retry`",
                     aerr.type, aerr.message, j->subca->name, j->csp->name, j->csp->account_id,
                     j->route.region, j->subca->name, j->route.region, j->csp->name);
    } else {
        v = job_aws_failure(j, "RegisterCertificate", rc, &aerr, &err);
    }
    ir_iot_cert_ref_free(&ref);
    return v;
}

/* Is the certificate already on its way to the customer's account? */
static ir_rc pending_to_customer(job *j, bool *pending, ir_aws_error *aerr, ir_err *err)
{
    ir_iot_outgoing_list l = {0};
    size_t i;
    ir_rc rc;

    *pending = false;
    rc = ir_iot_list_all_outgoing_certificates(j->ctx->aws, &j->csp_target, &l, aerr, err);
    for (i = 0; rc == IR_OK && i < l.n; i++)
        if (strcmp(l.items[i].certificate_id, j->aws_id) == 0 &&
            l.items[i].transferred_to != NULL &&
            strcmp(l.items[i].transferred_to, j->cust->account_id) == 0)
            *pending = true;
    ir_iot_outgoing_list_free(&l);
    return rc;
}

/* The transfer was refused: done if it is already pending to the customer,
 * on to acceptance if it has left our account, else a reason to park. */
static job_verdict transfer_refused(job *j, const ir_aws_error *refusal)
{
    ir_aws_error aerr = {0};
    ir_err err = {0};
    bool pending = false;
    ir_rc rc;

    if (ir_aws_error_is(refusal, "ResourceNotFoundException"))
        return job_next(j, "gone", IR_STEP_ASSUME,
                        "no longer in the CSP account; acceptance will confirm where it is");
    rc = pending_to_customer(j, &pending, &aerr, &err);
    if (rc != IR_OK)
        return job_aws_failure(j, "ListOutgoingCertificates", rc, &aerr, &err);
    if (pending)
        return job_next(j, "exists", IR_STEP_ASSUME, "transfer to %s already pending",
                        j->cust->account_id);
    return job_park(j, "TransferCertificate: %s (HTTP %ld): %s", refusal->type,
                    refusal->http_status, refusal->message);
}

job_verdict step_transfer(job *j)
{
    char message[TRANSFER_MESSAGE_MAX + 1];
    char *arn = NULL;
    ir_aws_error aerr = {0};
    ir_err err = {0};
    job_verdict v;
    ir_rc rc;

    snprintf(message, sizeof(message), "Device certificate from %s, delivered by iotreg",
             j->csp->name);
    rc = ir_iot_transfer_certificate(j->ctx->aws, &j->csp_target, j->aws_id, j->cust->account_id,
                                     message, &arn, &aerr, &err);
    job_fault_point(IR_STEP_TRANSFER);
    if (rc == IR_OK)
        v = job_next(j, "ok", IR_STEP_ASSUME, "transfer to %s pending", j->cust->account_id);
    else if (rc == IR_ERR_AWS && (ir_aws_error_is(&aerr, "TransferConflictException") ||
                                  ir_aws_error_is(&aerr, "CertificateStateException") ||
                                  ir_aws_error_is(&aerr, "ResourceNotFoundException")))
        v = transfer_refused(j, &aerr);
    else
        v = job_aws_failure(j, "TransferCertificate", rc, &aerr, &err);
    free(arn);
    return v;
}

job_verdict step_assume(job *j)
{
    ir_aws_creds *creds = NULL;
    ir_err err = {0};
    ir_rc rc;

    rc = job_customer_target(j, &err);
    if (rc == IR_OK)
        rc = ir_aws_cred_provider_get(j->cust_target.creds, &creds, &err);
    job_fault_point(IR_STEP_ASSUME);
    if (rc != IR_OK)
        return job_customer_failure(j, rc, &err);
    ir_aws_creds_unref(creds);
    return job_next(j, "ok", IR_STEP_ACCEPT, "credentials for %s ready", j->cust->account_id);
}

/* What became of a transfer the customer's account cannot accept. */
static job_verdict accept_refused(job *j, const ir_aws_error *refusal)
{
    ir_iot_cert_desc d = {0};
    ir_aws_error aerr = {0};
    ir_err err = {0};
    job_verdict v;
    ir_rc rc;

    rc = job_describe(j, &j->cust_target, &d, &aerr, &err);
    if (rc == IR_OK && d.owned_by != NULL && strcmp(d.owned_by, j->cust->account_id) == 0) {
        job_learn_arn(j, IR_FACT_CERT_ARN, d.certificate_arn);
        ir_iot_cert_desc_free(&d);
        return job_next(j, "exists", IR_STEP_POLICY, "already accepted by %s", j->cust->account_id);
    }
    ir_iot_cert_desc_free(&d);
    rc = job_describe(j, &j->csp_target, &d, &aerr, &err);
    if (rc != IR_OK)
        return job_aws_failure(j, "DescribeCertificate (CSP)", rc, &aerr, &err);
    j->rewind = IR_STEP_TRANSFER;
    if (d.has_transfer_data && d.transfer_data.reject_date_ms != 0)
        v = job_park(j,
                     "customer %s rejected the transfer (reason: %s); the certificate is back "
                     "in the CSP account %s as %s and stays there; once the customer agrees, "
                     "run iotregctl retry %s",
                     j->cust->id,
                     d.transfer_data.reject_reason ? d.transfer_data.reject_reason : "none given",
                     j->csp->account_id, ir_iot_cert_status_name(d.status), j->e->cert_id);
    else
        v = job_retry(j,
                      "AcceptCertificateTransfer: %s: %s; the transfer is no longer pending "
                      "(status %s), transferring again",
                      refusal->type, refusal->message, ir_iot_cert_status_name(d.status));
    ir_iot_cert_desc_free(&d);
    return v;
}

job_verdict step_accept(job *j)
{
    ir_aws_error aerr = {0};
    ir_err err = {0};
    job_verdict v = job_use_customer(j);
    ir_rc rc;

    if (v != JOB_NEXT)
        return v;
    rc = ir_iot_accept_certificate_transfer(j->ctx->aws, &j->cust_target, j->aws_id,
                                            j->cust->activate, &aerr, &err);
    job_fault_point(IR_STEP_ACCEPT);
    /* Its ARN there is asked for when it is needed (job_need_arn). */
    if (rc == IR_OK)
        return job_next(j, "ok", IR_STEP_POLICY, "accepted by %s as %s", j->cust->account_id,
                        j->cust->activate ? "ACTIVE" : "INACTIVE");
    if (rc == IR_ERR_AWS && (ir_aws_error_is(&aerr, "TransferAlreadyCompletedException") ||
                             ir_aws_error_is(&aerr, "ResourceNotFoundException")))
        return accept_refused(j, &aerr);
    return job_aws_failure(j, "AcceptCertificateTransfer", rc, &aerr, &err);
}
