/* The account's endpoints: DescribeEndpoint. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "aws/iot/iot_internal.h"

#define OP "DescribeEndpoint"

ir_rc ir_iot_build_describe_endpoint(const ir_iot_target *t, const char *endpoint_type,
                                     ir_aws_request *req, ir_buf *storage, ir_err *err)
{
    ir_ops_req b;
    ir_rc rc = ir_iot_begin(&b, t, OP, "GET", req, storage, err);

    if (rc == IR_OK)
        rc = ir_iot_check_text(OP, "endpointType", endpoint_type, 1, IR_IOT_MAX_ENDPOINT_TYPE_CHARS,
                               err);
    if (rc == IR_OK)
        rc = ir_ops_req_path(&b, "/endpoint", NULL, NULL, err);
    if (rc == IR_OK)
        rc = ir_ops_req_query(&b, "endpointType", endpoint_type, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

/* One DNS label: 1..63 letters, digits and inner hyphens. */
static bool host_label_ok(const char *s, size_t n)
{
    static const char ldh[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-";
    size_t i;

    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (i = 0; i < n; i++)
        if (strchr(ldh, s[i]) == NULL)
            return false;
    return true;
}

/* A host name a device can be given: at least two labels, no port, path,
 * space or control character, at most IR_IOT_MAX_ENDPOINT_CHARS. */
static ir_rc check_host(const char *host, ir_err *err)
{
    size_t n = strlen(host), start = 0, i, labels = 0;

    if (n == 0 || n > IR_IOT_MAX_ENDPOINT_CHARS)
        return ir_err_set(err, IR_ERR_PARSE,
                          "endpointAddress has %zu characters, expected a host name of 1 to %d", n,
                          IR_IOT_MAX_ENDPOINT_CHARS);
    for (i = 0; i <= n; i++) {
        if (host[i] != '.' && host[i] != '\0')
            continue;
        if (!host_label_ok(host + start, i - start))
            return ir_err_set(err, IR_ERR_PARSE, "endpointAddress is not a host name");
        labels++;
        start = i + 1;
    }
    if (labels < 2)
        return ir_err_set(err, IR_ERR_PARSE, "endpointAddress is not a host name");
    return IR_OK;
}

ir_rc ir_iot_parse_describe_endpoint(const ir_aws_response *resp, char **address, ir_err *err)
{
    json_t *root;
    char *a = NULL;
    ir_rc rc = ir_iot_json_load(resp, false, &root, err);

    if (rc == IR_OK)
        rc = ir_iot_json_str(root, NULL, "endpointAddress", true, &a, err);
    if (rc == IR_OK)
        rc = check_host(a, err);
    json_decref(root);
    if (rc == IR_OK)
        *address = a;
    else
        free(a);
    return ir_iot_parse_failed(rc, OP, err);
}

ir_rc ir_iot_describe_endpoint(ir_aws_client *c, const ir_iot_target *t, const char *endpoint_type,
                               char **address, ir_aws_error *aerr, ir_err *err)
{
    ir_ops_call k;
    ir_rc rc = ir_ops_call_send(
        c, &k, ir_iot_build_describe_endpoint(t, endpoint_type, &k.req, &k.storage, err), aerr,
        err);

    if (rc == IR_OK)
        rc = ir_iot_parse_describe_endpoint(&k.resp, address, err);
    return ir_ops_call_end(&k, rc);
}
