#include "autoconf.h"

#include "aws/transport/endpoint.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

bool ir_aws_host_is_loopback(const char *host)
{
    char buf[IR_AWS_HOST_MAX];
    struct in_addr a4;
    struct in6_addr a6;
    size_t n;

    if (host == NULL)
        return false;
    n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        host++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, host, n);
    buf[n] = '\0';
    if (strcasecmp(buf, "localhost") == 0)
        return true;
    if (inet_pton(AF_INET, buf, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, buf, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
    return false;
}

/* Lower-case letters, digits and '-': what may go into a host name label. */
static bool is_label(const char *s)
{
    size_t i;

    if (s == NULL || s[0] == '\0' || strlen(s) > 63)
        return false;
    for (i = 0; s[i] != '\0'; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static ir_rc aws_default(const char *service, const char *region, ir_aws_endpoint *out, ir_err *err)
{
    /* The China partition has its own domain. */
    const char *domain = strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";

    snprintf(out->host_header, sizeof(out->host_header), "%s.%s.%s", service, region, domain);
    snprintf(out->base_url, sizeof(out->base_url), "https://%s", out->host_header);
    out->https = true;
    return IR_OK;
}

typedef struct url_parts {
    char *scheme, *host, *port, *path, *query, *fragment, *user;
} url_parts;

static void url_parts_free(url_parts *u)
{
    curl_free(u->scheme);
    curl_free(u->host);
    curl_free(u->port);
    curl_free(u->path);
    curl_free(u->query);
    curl_free(u->fragment);
    curl_free(u->user);
}

static ir_rc url_split(const char *url, url_parts *u, ir_err *err)
{
    CURLU *h = curl_url();
    ir_rc rc = IR_OK;

    memset(u, 0, sizeof(*u));
    if (h == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(h, CURLUPART_SCHEME, &u->scheme, 0) != CURLUE_OK ||
        curl_url_get(h, CURLUPART_HOST, &u->host, 0) != CURLUE_OK)
        rc = ir_err_set(err, IR_ERR_CONFIG,
                        "endpoint \"%.200s\" is not a URL; write it as https://HOST[:PORT]", url);
    if (rc == IR_OK) {
        curl_url_get(h, CURLUPART_PORT, &u->port, 0);
        curl_url_get(h, CURLUPART_PATH, &u->path, 0);
        curl_url_get(h, CURLUPART_QUERY, &u->query, 0);
        curl_url_get(h, CURLUPART_FRAGMENT, &u->fragment, 0);
        curl_url_get(h, CURLUPART_USER, &u->user, 0);
    }
    curl_url_cleanup(h);
    return rc;
}

static ir_rc check_scheme(const char *url, const url_parts *u, bool allow_http, ir_err *err)
{
    if (strcasecmp(u->scheme, "https") == 0)
        return IR_OK;
    if (strcasecmp(u->scheme, "http") != 0)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "endpoint \"%.200s\": scheme %s is not supported; use https", url,
                          u->scheme);
    if (!allow_http)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "endpoint \"%.200s\" uses plain http, which is refused unless allowed: "
                          "use https, or for a local emulator on a loopback address set "
                          "allow_http",
                          url);
    if (!ir_aws_host_is_loopback(u->host))
        return ir_err_set(err, IR_ERR_CONFIG,
                          "endpoint \"%.200s\" uses plain http to %s, which is not a loopback "
                          "address; plain http is only accepted for 127.0.0.0/8, ::1 or "
                          "localhost: use https",
                          url, u->host);
    return IR_OK;
}

static ir_rc check_shape(const char *url, const url_parts *u, ir_err *err)
{
    if (u->user != NULL)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "endpoint \"%.200s\" contains user information; remove it", url);
    if ((u->path != NULL && strcmp(u->path, "/") != 0 && u->path[0] != '\0') || u->query != NULL ||
        u->fragment != NULL)
        return ir_err_set(err, IR_ERR_CONFIG,
                          "endpoint \"%.200s\" has a path, query or fragment; write it as "
                          "SCHEME://HOST[:PORT]",
                          url);
    if (strlen(u->host) >= IR_AWS_HOST_MAX)
        return ir_err_set(err, IR_ERR_CONFIG, "endpoint host name is too long");
    return IR_OK;
}

static ir_rc parse_override(const char *url, bool allow_http, ir_aws_endpoint *out, ir_err *err)
{
    url_parts u;
    ir_rc rc = url_split(url, &u, err);

    if (rc == IR_OK)
        rc = check_scheme(url, &u, allow_http, err);
    if (rc == IR_OK)
        rc = check_shape(url, &u, err);
    if (rc == IR_OK && out != NULL) {
        out->https = strcasecmp(u.scheme, "https") == 0;
        snprintf(out->host_header, sizeof(out->host_header), "%s%s%s", u.host,
                 u.port != NULL ? ":" : "", u.port != NULL ? u.port : "");
        snprintf(out->base_url, sizeof(out->base_url), "%s://%s", out->https ? "https" : "http",
                 out->host_header);
    }
    url_parts_free(&u);
    return rc;
}

ir_rc ir_aws_endpoint_check(const char *override_url, bool allow_http, ir_err *err)
{
    return parse_override(override_url, allow_http, NULL, err);
}

ir_rc ir_aws_endpoint_resolve(const char *override_url, bool allow_http, const char *service,
                              const char *region, ir_aws_endpoint *out, ir_err *err)
{
    memset(out, 0, sizeof(*out));
    if (override_url != NULL && override_url[0] != '\0')
        return parse_override(override_url, allow_http, out, err);
    if (!is_label(service) || !is_label(region))
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "service \"%.64s\" and region \"%.64s\" must be lower-case letters, "
                          "digits and '-'",
                          service != NULL ? service : "", region != NULL ? region : "");
    return aws_default(service, region, out, err);
}
