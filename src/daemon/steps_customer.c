/* The steps that act in the customer's account: multi-account registration,
 * the customer's policy, and the optional thing. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iot/iot.h"
#include "capture/thing_name.h"
#include "core/buf.h"
#include "core/util.h"
#include "daemon/steps.h"

#define POLICY_DOC_MAX (20 * 1024) /* AWS's limit for a policy document */

job_verdict step_register_without_ca(job *j)
{
    ir_iot_register_cert_args args = {0};
    ir_iot_cert_ref ref = {0};
    ir_aws_error aerr = {0};
    ir_err err = {0};
    job_verdict v;
    ir_rc rc;

    v = job_use_customer(j);
    if (v != JOB_NEXT)
        return v;
    args.certificate_pem = j->cert_pem;
    args.status = j->cust->activate ? IR_IOT_STATUS_ACTIVE : IR_IOT_STATUS_INACTIVE;
    rc = ir_iot_register_certificate_without_ca(j->ctx->aws, &j->cust_target, &args, &ref, &aerr,
                                                &err);
    job_fault_point(IR_STEP_REGISTER);
    if (rc == IR_OK) {
        job_learn_id(j, ref.certificate_id);
        job_learn_arn(j, IR_FACT_CERT_ARN, ref.certificate_arn);
        v = job_next(j, "ok", IR_STEP_POLICY, "registered without CA in %s", j->cust->account_id);
    } else if (rc == IR_ERR_AWS && ir_aws_error_is(&aerr, "ResourceAlreadyExistsException")) {
        job_learn_id(j, ref.certificate_id);
        v = job_registered_in(j, &j->cust_target, j->cust->account_id, IR_STEP_POLICY,
                              IR_FACT_CERT_ARN);
    } else {
        v = job_aws_failure(j, "RegisterCertificateWithoutCA", rc, &aerr, &err);
    }
    ir_iot_cert_ref_free(&ref);
    return v;
}

/* Creates the customer's policy from its document; an existing one is fine. */
static job_verdict create_policy(job *j)
{
    ir_iot_policy pol = {0};
    ir_aws_error aerr = {0};
    ir_err err = {0};
    ir_buf doc;
    ir_rc rc;

    if (j->cust->policy_document_file == NULL)
        return job_park(j,
                        "policy %s does not exist in account %s and no policy document is "
                        "configured for customer %s; create the policy or configure "
                        "<policyDocument>",
                        j->cust->policy_name, j->cust->account_id, j->cust->id);
    ir_buf_init(&doc, POLICY_DOC_MAX);
    rc = ir_read_file(j->cust->policy_document_file, &doc, &err);
    if (rc != IR_OK) {
        ir_buf_free(&doc);
        return job_park(j, "policy document of customer %s: %s", j->cust->id, err.msg);
    }
    rc = ir_iot_create_policy(j->ctx->aws, &j->cust_target, j->cust->policy_name, ir_buf_cstr(&doc),
                              &pol, &aerr, &err);
    ir_buf_free(&doc);
    ir_iot_policy_free(&pol);
    if (rc == IR_OK ||
        (rc == IR_ERR_AWS && ir_aws_error_is(&aerr, "ResourceAlreadyExistsException")))
        return JOB_NEXT;
    return job_aws_failure(j, "CreatePolicy", rc, &aerr, &err);
}

job_verdict step_policy(job *j)
{
    ir_aws_error aerr = {0};
    ir_err err = {0};
    job_verdict v;
    ir_rc rc;

    if (j->cust->policy_name == NULL)
        return job_next(j, "skipped", IR_STEP_THING, "no policy configured");
    v = job_use_customer(j);
    if (v == JOB_NEXT)
        v = job_need_arn(j);
    if (v != JOB_NEXT)
        return v;
    rc = ir_iot_attach_policy(j->ctx->aws, &j->cust_target, j->cust->policy_name, j->cert_arn,
                              &aerr, &err);
    if (rc == IR_ERR_AWS && ir_aws_error_is(&aerr, "ResourceNotFoundException")) {
        /* Attaching first saves a lookup per certificate once the policy exists. */
        v = create_policy(j);
        if (v != JOB_NEXT)
            return v;
        memset(&aerr, 0, sizeof(aerr));
        rc = ir_iot_attach_policy(j->ctx->aws, &j->cust_target, j->cust->policy_name, j->cert_arn,
                                  &aerr, &err);
    }
    job_fault_point(IR_STEP_POLICY);
    if (rc != IR_OK)
        return job_aws_failure(j, "AttachPolicy", rc, &aerr, &err);
    return job_next(j, "ok", IR_STEP_THING, "policy %s attached", j->cust->policy_name);
}

static job_verdict thing_in_group(job *j, const char *thing)
{
    ir_iot_thing_group_args g = {0};
    ir_aws_error aerr = {0};
    ir_err err = {0};
    ir_rc rc;

    g.thing_group_name = j->cust->thing_group;
    g.thing_name = thing;
    rc = ir_iot_add_thing_to_thing_group(j->ctx->aws, &j->cust_target, &g, &aerr, &err);
    if (rc == IR_ERR_AWS && ir_aws_error_is(&aerr, "ResourceNotFoundException"))
        return job_park(j,
                        "thing group %s does not exist in account %s; create it, then run "
                        "iotregctl retry",
                        j->cust->thing_group, j->cust->account_id);
    if (rc != IR_OK)
        return job_aws_failure(j, "AddThingToThingGroup", rc, &aerr, &err);
    return JOB_NEXT;
}

/* Whether principal is this certificate: its ARN, or (another partition's
 * spelling) an ARN ending in :cert/ID with AWS's id. */
static bool is_this_certificate(const job *j, const char *principal)
{
    size_t n = strlen(principal), id = strlen(j->aws_id);

    if (strcmp(principal, j->cert_arn) == 0)
        return true;
    return n > id + 6 && strcmp(principal + n - id, j->aws_id) == 0 &&
           strncmp(principal + n - id - 6, ":cert/", 6) == 0;
}

/* Who holds a thing besides this certificate. */
typedef struct thing_holders {
    char other[JOB_ARN_MAX]; /* the first other principal; "" when none */
    bool self;               /* this certificate is attached */
} thing_holders;

static job_verdict list_holders(job *j, const char *thing, thing_holders *h)
{
    ir_iot_principal_list l = {0};
    ir_aws_error aerr = {0};
    ir_err err = {0};
    job_verdict v = JOB_NEXT;
    size_t i;
    ir_rc rc;

    memset(h, 0, sizeof(*h));
    rc = ir_iot_list_all_thing_principals(j->ctx->aws, &j->cust_target, thing, &l, &aerr, &err);
    if (rc != IR_OK)
        v = job_aws_failure(j, "ListThingPrincipals", rc, &aerr, &err);
    for (i = 0; v == JOB_NEXT && i < l.n; i++) {
        if (is_this_certificate(j, l.items[i]))
            h->self = true;
        else if (h->other[0] == '\0')
            ir_strlcpy(h->other, l.items[i], sizeof(h->other));
    }
    ir_iot_principal_list_free(&l);
    return v;
}

static job_verdict detach_this_certificate(job *j, const char *thing)
{
    ir_aws_error aerr = {0};
    ir_err err = {0};
    ir_rc rc = ir_iot_detach_thing_principal(j->ctx->aws, &j->cust_target, thing, j->cert_arn,
                                             &aerr, &err);

    return rc == IR_OK ? JOB_NEXT : job_aws_failure(j, "DetachThingPrincipal", rc, &aerr, &err);
}

/* A thing that another certificate already holds is not shared unless the
 * customer opted in: with policies that use ${iot:Connection.Thing.ThingName}
 * one device could act as the other. This certificate alone (a retry after a
 * crash) is fine; this one beside another (a crash after a shared attach, or
 * the opt-in withdrawn) is detached before parking. */
static job_verdict thing_not_shared(job *j, const char *thing)
{
    thing_holders h;
    job_verdict v = list_holders(j, thing, &h);

    if (v != JOB_NEXT || h.other[0] == '\0')
        return v;
    if (h.self) {
        v = detach_this_certificate(j, thing);
        if (v != JOB_NEXT)
            return v;
    }
    return job_park(j,
                    "thing %s in account %s already has principal %s (another certificate); "
                    "iotreg does not share a thing between certificates unless <thing "
                    "share-existing=\"true\"> is set for customer %s",
                    thing, j->cust->account_id, h.other, j->cust->id);
}

/* After attaching: another certificate attached at the same time (another
 * worker, the check before raced with it). This one steps back and retries
 * later, when the check before parks it, or attaches it if the other stepped
 * back too. */
static job_verdict still_not_shared(job *j, const char *thing)
{
    thing_holders h;
    job_verdict v = list_holders(j, thing, &h);

    if (v != JOB_NEXT || h.other[0] == '\0')
        return v;
    v = detach_this_certificate(j, thing);
    if (v != JOB_NEXT)
        return v;
    return job_retry(j,
                     "thing %s in account %s got principal %s while this certificate was "
                     "attached; detached it again, to be tried later",
                     thing, j->cust->account_id, h.other);
}

/* Attaches this certificate to thing, which it shares with no other unless
 * the customer opted in. A thing made for this certificate (fresh) needs no
 * look before: no other certificate of iotreg's gets it (their CreateThing
 * fails), and one that raced in is found by the look after. */
static job_verdict attach_to_thing(job *j, const char *thing, bool fresh)
{
    bool share = j->cust->thing_share_existing;
    ir_aws_error aerr = {0};
    ir_err err = {0};
    job_verdict v = share || fresh ? JOB_NEXT : thing_not_shared(j, thing);
    ir_rc rc;

    if (v != JOB_NEXT)
        return v;
    rc = ir_iot_attach_thing_principal(j->ctx->aws, &j->cust_target, thing, j->cert_arn, &aerr,
                                       &err);
    if (rc != IR_OK)
        return job_aws_failure(j, "AttachThingPrincipal", rc, &aerr, &err);
    return share ? JOB_NEXT : still_not_shared(j, thing);
}

/* The thing carries the id of the certificate it was made for: CreateThing
 * is idempotent for the same attributes only, so it succeeds for a new
 * thing or this certificate's own (a retry), and fails with
 * ResourceAlreadyExists for any other thing of that name. */
#define THING_CERT_ATTRIBUTE "iotreg_certificate_id"

static job_verdict make_thing(job *j, const char *thing)
{
    ir_iot_attribute made_for = {THING_CERT_ATTRIBUTE, j->e->cert_id};
    ir_iot_create_thing_args args = {0};
    ir_iot_thing th = {0};
    ir_aws_error aerr = {0};
    ir_err err = {0};
    job_verdict v;
    ir_rc rc;

    args.thing_name = thing;
    args.attributes = &made_for;
    args.n_attributes = 1;
    rc = ir_iot_create_thing(j->ctx->aws, &j->cust_target, &args, &th, &aerr, &err);
    ir_iot_thing_free(&th);
    /* A thing of that name with other attributes is the customer's or
     * another certificate's: use it, unless another certificate holds it. */
    if (rc != IR_OK &&
        !(rc == IR_ERR_AWS && ir_aws_error_is(&aerr, "ResourceAlreadyExistsException")))
        return job_aws_failure(j, "CreateThing", rc, &aerr, &err);
    /* After a retry (a race the look after found), look before as well. */
    v = attach_to_thing(j, thing, rc == IR_OK && j->e->attempts == 0);
    if (v == JOB_NEXT && j->cust->thing_group != NULL)
        return thing_in_group(j, thing);
    return v;
}

job_verdict step_thing(job *j)
{
    char thing[IR_THING_NAME_MAX + 1];
    ir_err err = {0};
    job_verdict v;

    if (j->cust->thing_name_template == NULL)
        return job_next(j, "skipped", IR_STEP_DONE, "no thing configured");
    if (ir_template_expand_der(j->cust->thing_name_template, j->e->der, j->e->der_len, j->cust->id,
                               thing, &err) != IR_OK)
        return job_park(j, "thing name of customer %s: %s", j->cust->id, err.msg);
    v = job_use_customer(j);
    if (v == JOB_NEXT)
        v = job_need_arn(j);
    if (v != JOB_NEXT)
        return v;
    v = make_thing(j, thing);
    job_fault_point(IR_STEP_THING);
    if (v != JOB_NEXT)
        return v;
    job_fact(j, IR_FACT_THING, thing);
    return job_next(j, "ok", IR_STEP_DONE, "thing %s attached%s%s", thing,
                    j->cust->thing_group ? " and in group " : "",
                    j->cust->thing_group ? j->cust->thing_group : "");
}
