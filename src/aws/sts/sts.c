#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/sts/sts.h"
#include "aws/sts/xml_internal.h"
#include "aws/transport/request_internal.h"
#include "core/secret.h"
#include "core/uri_encode.h"

#define STS_VERSION   "2011-06-15"
#define STS_FORM_TYPE "application/x-www-form-urlencoded; charset=utf-8"

/* ---- time ---- */

/* n decimal digits at *p into *val; advances *p. */
static bool digits(const char **p, int n, int *val)
{
    int i;

    *val = 0;
    for (i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return false;
        *val = *val * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return true;
}

static bool expect(const char **p, char ch)
{
    if (**p != ch)
        return false;
    (*p)++;
    return true;
}

/* Reads YYYY-MM-DDTHH:MM:SS into tm. */
static bool parse_date_time(const char **p, struct tm *tm)
{
    memset(tm, 0, sizeof(*tm));
    if (!digits(p, 4, &tm->tm_year) || !expect(p, '-') || !digits(p, 2, &tm->tm_mon) ||
        !expect(p, '-') || !digits(p, 2, &tm->tm_mday) || !expect(p, 'T') ||
        !digits(p, 2, &tm->tm_hour) || !expect(p, ':') || !digits(p, 2, &tm->tm_min) ||
        !expect(p, ':') || !digits(p, 2, &tm->tm_sec))
        return false;
    if (tm->tm_mon < 1 || tm->tm_mon > 12 || tm->tm_mday < 1 || tm->tm_mday > 31 ||
        tm->tm_hour > 23 || tm->tm_min > 59 || tm->tm_sec > 60 || tm->tm_year < 1970)
        return false;
    tm->tm_year -= 1900;
    tm->tm_mon -= 1;
    return true;
}

/* [.fraction] into ms (first three digits). */
static bool parse_fraction(const char **p, int *ms)
{
    int scale = 100;

    *ms = 0;
    if (**p != '.')
        return true;
    (*p)++;
    if (**p < '0' || **p > '9')
        return false;
    for (; **p >= '0' && **p <= '9'; (*p)++, scale /= 10)
        *ms += scale * (**p - '0');
    return true;
}

/* Z or +HH:MM / -HH:MM into seconds east of UTC. */
static bool parse_zone(const char **p, long *offset)
{
    int sign, hh, mm;

    *offset = 0;
    if (expect(p, 'Z'))
        return true;
    if (**p != '+' && **p != '-')
        return false;
    sign = **p == '-' ? -1 : 1;
    (*p)++;
    if (!digits(p, 2, &hh) || !expect(p, ':') || !digits(p, 2, &mm) || hh > 23 || mm > 59)
        return false;
    *offset = sign * (hh * 3600L + mm * 60L);
    return true;
}

ir_rc ir_sts_parse_time(const char *s, int64_t *out_ms, ir_err *err)
{
    const char *p = s;
    struct tm tm;
    long offset;
    int ms;

    if (s == NULL || !parse_date_time(&p, &tm) || !parse_fraction(&p, &ms) ||
        !parse_zone(&p, &offset) || *p != '\0')
        return ir_err_set(err, IR_ERR_PARSE, "'%s' is not an ISO 8601 UTC date-time",
                          s ? s : "(none)");
    *out_ms = ((int64_t)timegm(&tm) - offset) * 1000 + ms;
    return IR_OK;
}

/* ---- form bodies ---- */

static ir_rc form_param(ir_buf *form, const char *name, const char *value, ir_err *err)
{
    ir_rc rc = ir_buf_appendf(form, err, "&%s=", name);

    if (rc == IR_OK)
        rc = ir_uri_encode(form, value, strlen(value), false, err);
    return rc;
}

static ir_rc sts_begin(ir_ops_req *b, const ir_sts_target *t, const char *action,
                       ir_aws_request *req, ir_buf *storage, ir_buf *form, ir_err *err)
{
    ir_rc rc = ir_ops_req_begin(b, t, "sts", action, "POST", req, storage, err);

    ir_buf_init(form, IR_AWS_MAX_REQUEST_BYTES);
    if (rc == IR_OK)
        rc = ir_buf_appendf(form, err, "Action=%s&Version=%s", action, STS_VERSION);
    return rc;
}

static ir_rc sts_finish(ir_ops_req *b, ir_buf *form, ir_err *err)
{
    ir_rc rc = ir_ops_req_body(b, STS_FORM_TYPE, form->data, form->len, err);

    if (rc == IR_OK)
        ir_ops_req_finish(b);
    return rc;
}

/* ---- AssumeRole ---- */

static bool chars_in(const char *s, const char *extra)
{
    for (; *s != '\0'; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              strchr(extra, *s) != NULL))
            return false;
    return true;
}

static ir_rc check_assume_args(const ir_sts_assume_role_args *a, ir_err *err)
{
    size_t n;

    if (a == NULL || a->role_arn == NULL || strlen(a->role_arn) < 20 ||
        strlen(a->role_arn) > 2048 || strncmp(a->role_arn, "arn:", 4) != 0)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "AssumeRole: RoleArn must be a role ARN");
    n = a->role_session_name ? strlen(a->role_session_name) : 0;
    if (n < 2 || n > 64 || !chars_in(a->role_session_name, "_+=,.@-"))
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "AssumeRole: RoleSessionName must be 2 to 64 of A-Z a-z 0-9 _+=,.@-");
    n = a->external_id ? strlen(a->external_id) : 2;
    if (n < 2 || n > 1224 || (a->external_id && !chars_in(a->external_id, "_+=,.@:/-")))
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "AssumeRole: ExternalId must be 2 to 1224 of A-Z a-z 0-9 _+=,.@:/-");
    if (a->duration_seconds != 0 && (a->duration_seconds < IR_STS_MIN_DURATION_S ||
                                     a->duration_seconds > IR_STS_MAX_DURATION_S))
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "AssumeRole: DurationSeconds must be %d to %d, not %d",
                          IR_STS_MIN_DURATION_S, IR_STS_MAX_DURATION_S, a->duration_seconds);
    return IR_OK;
}

static ir_rc assume_role_form(ir_buf *form, const ir_sts_assume_role_args *a, ir_err *err)
{
    ir_rc rc = form_param(form, "RoleArn", a->role_arn, err);

    if (rc == IR_OK)
        rc = form_param(form, "RoleSessionName", a->role_session_name, err);
    if (rc == IR_OK && a->external_id != NULL)
        rc = form_param(form, "ExternalId", a->external_id, err);
    if (rc == IR_OK && a->duration_seconds != 0)
        rc = ir_buf_appendf(form, err, "&DurationSeconds=%d", a->duration_seconds);
    return rc;
}

ir_rc ir_sts_build_assume_role(const ir_sts_target *t, const ir_sts_assume_role_args *args,
                               ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    ir_ops_req b;
    ir_buf form;
    ir_rc rc = sts_begin(&b, t, "AssumeRole", req, storage, &form, err);

    if (rc == IR_OK)
        rc = check_assume_args(args, err);
    if (rc == IR_OK)
        rc = assume_role_form(&form, args, err);
    if (rc == IR_OK)
        rc = sts_finish(&b, &form, err);
    ir_buf_free(&form);
    return rc;
}

void ir_sts_credentials_free(ir_sts_credentials *sc)
{
    free(sc->access_key_id);
    ir_secret_strfree(sc->secret_access_key);
    ir_secret_strfree(sc->session_token);
    free(sc->assumed_role_arn);
    free(sc->assumed_role_id);
    memset(sc, 0, sizeof(*sc));
}

static ir_rc parse_credentials(xmlNode *result, ir_sts_credentials *out, ir_err *err)
{
    const char *w = "AssumeRoleResult/Credentials";
    char *expiration = NULL;
    xmlNode *creds;
    ir_rc rc = ir_sts_xml_child(result, "AssumeRoleResult", "Credentials", &creds, err);

    if (rc == IR_OK)
        rc = ir_sts_xml_text(creds, w, "AccessKeyId", true, false, &out->access_key_id, err);
    if (rc == IR_OK)
        rc = ir_sts_xml_text(creds, w, "SecretAccessKey", true, true, &out->secret_access_key, err);
    if (rc == IR_OK)
        rc = ir_sts_xml_text(creds, w, "SessionToken", true, true, &out->session_token, err);
    if (rc == IR_OK)
        rc = ir_sts_xml_text(creds, w, "Expiration", true, false, &expiration, err);
    if (rc == IR_OK)
        rc = ir_sts_parse_time(expiration, &out->expiration_ms, err);
    free(expiration);
    return rc;
}

static ir_rc parse_assumed_user(xmlNode *result, ir_sts_credentials *out, ir_err *err)
{
    const char *w = "AssumeRoleResult/AssumedRoleUser";
    xmlNode *user;
    ir_rc rc = ir_sts_xml_child(result, "AssumeRoleResult", "AssumedRoleUser", &user, NULL);

    if (rc != IR_OK)
        return IR_OK; /* optional */
    rc = ir_sts_xml_text(user, w, "Arn", false, false, &out->assumed_role_arn, err);
    if (rc == IR_OK)
        rc = ir_sts_xml_text(user, w, "AssumedRoleId", false, false, &out->assumed_role_id, err);
    return rc;
}

static ir_rc check_credentials(const ir_sts_credentials *sc, ir_err *err)
{
    if (sc->access_key_id[0] == '\0' || sc->secret_access_key[0] == '\0' ||
        sc->session_token[0] == '\0')
        return ir_err_set(err, IR_ERR_PARSE, "the credentials in the response are empty");
    return IR_OK;
}

ir_rc ir_sts_parse_assume_role(const ir_aws_response *resp, ir_sts_credentials *out, ir_err *err)
{
    xmlDoc *doc;
    xmlNode *root, *result;
    ir_rc rc = ir_sts_xml_load(resp, "AssumeRoleResponse", &doc, &root, err);

    if (rc == IR_OK)
        rc = ir_sts_xml_child(root, "AssumeRoleResponse", "AssumeRoleResult", &result, err);
    if (rc == IR_OK)
        rc = parse_credentials(result, out, err);
    if (rc == IR_OK)
        rc = parse_assumed_user(result, out, err);
    if (rc == IR_OK)
        rc = check_credentials(out, err);
    ir_sts_xml_free(doc);
    if (rc != IR_OK) {
        ir_sts_credentials_free(out);
        ir_err_prefix(err, "AssumeRole response: ");
    }
    return rc;
}

ir_rc ir_sts_assume_role(ir_aws_client *c, const ir_sts_target *t,
                         const ir_sts_assume_role_args *args, ir_sts_credentials *out,
                         ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_ops_call_send(c, &k, ir_sts_build_assume_role(t, args, &k.req, &k.storage, err),
                                aerr, err);

    if (rc == IR_OK)
        rc = ir_sts_parse_assume_role(&k.resp, out, err);
    return ir_ops_call_end(&k, rc);
}

ir_rc ir_sts_credentials_to_creds(const ir_sts_credentials *sc, ir_aws_creds **out, ir_err *err)
{
    if (sc->access_key_id == NULL || sc->secret_access_key == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "no temporary credentials to use");
    return ir_aws_creds_new_secret(sc->access_key_id, sc->secret_access_key, sc->session_token,
                                   sc->expiration_ms, out, err);
}

/* ---- GetCallerIdentity ---- */

void ir_sts_identity_free(ir_sts_identity *id)
{
    free(id->account);
    free(id->arn);
    free(id->user_id);
    memset(id, 0, sizeof(*id));
}

ir_rc ir_sts_build_get_caller_identity(const ir_sts_target *t, ir_aws_request *req, ir_buf *storage,
                                       ir_err *err)
{
    ir_ops_req b;
    ir_buf form;
    ir_rc rc = sts_begin(&b, t, "GetCallerIdentity", req, storage, &form, err);

    if (rc == IR_OK)
        rc = sts_finish(&b, &form, err);
    ir_buf_free(&form);
    return rc;
}

ir_rc ir_sts_parse_get_caller_identity(const ir_aws_response *resp, ir_sts_identity *out,
                                       ir_err *err)
{
    const char *w = "GetCallerIdentityResult";
    xmlDoc *doc;
    xmlNode *root, *result;
    ir_rc rc = ir_sts_xml_load(resp, "GetCallerIdentityResponse", &doc, &root, err);

    if (rc == IR_OK)
        rc = ir_sts_xml_child(root, "GetCallerIdentityResponse", w, &result, err);
    if (rc == IR_OK)
        rc = ir_sts_xml_text(result, w, "Account", true, false, &out->account, err);
    if (rc == IR_OK)
        rc = ir_sts_xml_text(result, w, "Arn", true, false, &out->arn, err);
    if (rc == IR_OK)
        rc = ir_sts_xml_text(result, w, "UserId", false, false, &out->user_id, err);
    ir_sts_xml_free(doc);
    if (rc != IR_OK)
        ir_err_prefix(err, "GetCallerIdentity response: ");
    return rc;
}

ir_rc ir_sts_get_caller_identity(ir_aws_client *c, const ir_sts_target *t, ir_sts_identity *out,
                                 ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_ops_call_send(c, &k, ir_sts_build_get_caller_identity(t, &k.req, &k.storage, err),
                                aerr, err);

    if (rc == IR_OK)
        rc = ir_sts_parse_get_caller_identity(&k.resp, out, err);
    return ir_ops_call_end(&k, rc);
}
