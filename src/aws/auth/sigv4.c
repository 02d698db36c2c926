#include "autoconf.h"

#include "aws/auth/sigv4.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hmac.h"
#include "core/uri_encode.h"
#include "core/util.h"

#define SIGV4_ALGORITHM       "AWS4-HMAC-SHA256"
#define SIGV4_TEXT_MAX        (256u << 10) /* canonical request, string to sign, header */
#define SIGV4_HEADER_NAME_MAX 128

void ir_sigv4_output_init(ir_sigv4_output *out)
{
    ir_buf_init(&out->canonical_request, SIGV4_TEXT_MAX);
    ir_buf_init(&out->string_to_sign, SIGV4_TEXT_MAX);
    ir_buf_init(&out->authorization, SIGV4_TEXT_MAX);
    out->add_date_header = false;
    out->add_token_header = false;
}

void ir_sigv4_output_free(ir_sigv4_output *out)
{
    ir_buf_free(&out->canonical_request);
    ir_buf_free(&out->string_to_sign);
    ir_buf_free(&out->authorization);
}

void ir_sigv4_amz_date(int64_t epoch_ms, char out[IR_SIGV4_AMZ_DATE_LEN + 1])
{
    time_t t = (time_t)(epoch_ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, IR_SIGV4_AMZ_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm);
}

/* -- canonical URI -- */

typedef struct path_segment {
    const char *p;
    size_t n;
} path_segment;

/* RFC 3986 remove_dot_segments, plus AWS's removal of empty segments. Fills
 * segs (room for one per '/' plus one); returns how many remain. */
static size_t path_segments(const char *path, path_segment *segs)
{
    size_t count = 0;
    const char *p = path;

    while (*p != '\0') {
        const char *end = strchr(p, '/');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

        if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (count > 0)
                count--;
        } else if (n > 0 && !(n == 1 && p[0] == '.')) {
            segs[count].p = p;
            segs[count].n = n;
            count++;
        }
        p += n;
        if (*p == '/')
            p++;
    }
    return count;
}

static ir_rc canonical_uri_normalised(const char *path, ir_buf *out, ir_err *err)
{
    size_t slashes = 0, count, i, len = strlen(path);
    path_segment *segs;
    const char *q;
    ir_rc rc = IR_OK;

    for (q = path; *q != '\0'; q++)
        slashes += *q == '/';
    segs = calloc(slashes + 1, sizeof(*segs));
    if (segs == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    count = path_segments(path, segs);
    for (i = 0; i < count && rc == IR_OK; i++) {
        rc = ir_buf_append(out, "/", 1, err);
        if (rc == IR_OK)
            rc = ir_uri_encode(out, segs[i].p, segs[i].n, false, err);
    }
    if (rc == IR_OK && (count == 0 || path[len - 1] == '/'))
        rc = ir_buf_append(out, "/", 1, err);
    free(segs);
    return rc;
}

ir_rc ir_sigv4_canonical_uri(const char *path, bool keep_path, ir_buf *out, ir_err *err)
{
    if (path == NULL || path[0] == '\0')
        return ir_buf_append(out, "/", 1, err);
    if (keep_path)
        return ir_uri_encode(out, path, strlen(path), true, err);
    return canonical_uri_normalised(path, out, err);
}

/* -- canonical query -- */

typedef struct encoded_param {
    char *name;
    char *value;
} encoded_param;

static char *encode_dup(const char *s, ir_err *err)
{
    ir_buf b;

    ir_buf_init(&b, SIGV4_TEXT_MAX);
    if (ir_buf_append(&b, "", 0, err) != IR_OK ||
        ir_uri_encode(&b, s != NULL ? s : "", s != NULL ? strlen(s) : 0, false, err) != IR_OK) {
        ir_buf_free(&b);
        return NULL;
    }
    return ir_buf_steal(&b, NULL);
}

static int encoded_param_cmp(const void *a, const void *b)
{
    const encoded_param *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c != 0 ? c : strcmp(x->value, y->value);
}

static void encoded_params_free(encoded_param *e, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(e[i].name);
        free(e[i].value);
    }
    free(e);
}

static ir_rc encoded_params_join(const encoded_param *e, size_t n, ir_buf *out, ir_err *err)
{
    size_t i;
    ir_rc rc = IR_OK;

    for (i = 0; i < n && rc == IR_OK; i++)
        rc = ir_buf_appendf(out, err, "%s%s=%s", i > 0 ? "&" : "", e[i].name, e[i].value);
    return rc;
}

ir_rc ir_sigv4_canonical_query(const ir_aws_param *query, size_t n, ir_buf *out, ir_err *err)
{
    encoded_param *e;
    size_t i;
    ir_rc rc = IR_OK;

    if (n == 0)
        return IR_OK;
    e = calloc(n, sizeof(*e));
    if (e == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        if (query[i].name == NULL || query[i].name[0] == '\0') {
            rc = ir_err_set(err, IR_ERR_INVALID_ARG, "query parameter %zu has no name", i);
            break;
        }
        e[i].name = encode_dup(query[i].name, err);
        e[i].value = encode_dup(query[i].value, err);
        if (e[i].name == NULL || e[i].value == NULL) {
            rc = err != NULL && err->rc != IR_OK ? err->rc : IR_ERR_NOMEM;
            break;
        }
    }
    if (rc == IR_OK) {
        qsort(e, n, sizeof(*e), encoded_param_cmp);
        rc = encoded_params_join(e, n, out, err);
    }
    encoded_params_free(e, n);
    return rc;
}

/* -- canonical headers -- */

typedef struct canon_header {
    char name[SIGV4_HEADER_NAME_MAX];
    const char *value; /* raw; trimmed and collapsed when written */
    size_t order;
} canon_header;

typedef struct canon_headers {
    canon_header h[IR_SIGV4_MAX_HEADERS + 2];
    size_t n;
} canon_headers;

static bool is_header_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v';
}

static ir_rc canon_headers_add(canon_headers *ch, const char *name, const char *value, ir_err *err)
{
    canon_header *h;
    size_t i, len;

    if (ch->n >= IR_SIGV4_MAX_HEADERS + 2)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "more than %d headers to sign",
                          IR_SIGV4_MAX_HEADERS);
    while (is_header_space(*name))
        name++;
    len = strlen(name);
    while (len > 0 && is_header_space(name[len - 1]))
        len--;
    if (len == 0 || len >= SIGV4_HEADER_NAME_MAX)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "header name is empty or too long");
    h = &ch->h[ch->n];
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c <= ' ' || c >= 0x7f || c == ':' || c == ';')
            return ir_err_set(err, IR_ERR_INVALID_ARG, "header name contains '%c'",
                              c > ' ' && c < 0x7f ? c : '?');
        h->name[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    h->name[len] = '\0';
    h->value = value != NULL ? value : "";
    h->order = ch->n++;
    return IR_OK;
}

static bool canon_headers_has(const canon_headers *ch, const char *lower_name)
{
    size_t i;

    for (i = 0; i < ch->n; i++)
        if (strcmp(ch->h[i].name, lower_name) == 0)
            return true;
    return false;
}

static int canon_header_cmp(const void *a, const void *b)
{
    const canon_header *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c != 0)
        return c;
    return x->order < y->order ? -1 : (x->order > y->order);
}

/* Trims the value and collapses each run of whitespace into one space. */
static ir_rc append_header_value(ir_buf *out, const char *v, ir_err *err)
{
    bool pending_space = false, any = false;
    ir_rc rc = IR_OK;

    for (; *v != '\0' && rc == IR_OK; v++) {
        if (is_header_space(*v)) {
            pending_space = any;
            continue;
        }
        if (pending_space)
            rc = ir_buf_append(out, " ", 1, err);
        pending_space = false;
        any = true;
        if (rc == IR_OK)
            rc = ir_buf_append(out, v, 1, err);
    }
    return rc;
}

/* "name:v1,v2\n" for each distinct name, and "name;name" into signed. */
static ir_rc canon_headers_write(const canon_headers *ch, ir_buf *out, ir_buf *signed_names,
                                 ir_err *err)
{
    size_t i;
    ir_rc rc = IR_OK;

    for (i = 0; i < ch->n && rc == IR_OK; i++) {
        bool same = i > 0 && strcmp(ch->h[i].name, ch->h[i - 1].name) == 0;

        if (same)
            rc = ir_buf_append(out, ",", 1, err);
        else if (i > 0)
            rc = ir_buf_append(out, "\n", 1, err);
        if (rc == IR_OK && !same)
            rc = ir_buf_appendf(out, err, "%s:", ch->h[i].name);
        if (rc == IR_OK && !same)
            rc = ir_buf_appendf(signed_names, err, "%s%s", i > 0 ? ";" : "", ch->h[i].name);
        if (rc == IR_OK)
            rc = append_header_value(out, ch->h[i].value, err);
    }
    if (rc == IR_OK && ch->n > 0)
        rc = ir_buf_append(out, "\n", 1, err);
    return rc;
}

static ir_rc canon_headers_collect(const ir_sigv4_input *in, const ir_aws_creds *creds,
                                   canon_headers *ch, ir_sigv4_output *out, ir_err *err)
{
    const char *token = ir_aws_creds_session_token(creds);
    size_t i;
    ir_rc rc = IR_OK;

    if (in->n_headers > IR_SIGV4_MAX_HEADERS)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "more than %d headers to sign",
                          IR_SIGV4_MAX_HEADERS);
    ch->n = 0;
    for (i = 0; i < in->n_headers && rc == IR_OK; i++)
        rc = canon_headers_add(ch, in->headers[i].name, in->headers[i].value, err);
    if (rc != IR_OK)
        return rc;
    if (!canon_headers_has(ch, "host"))
        return ir_err_set(err, IR_ERR_INVALID_ARG, "SigV4 needs a Host header among the headers");
    out->add_date_header = !canon_headers_has(ch, "x-amz-date");
    if (out->add_date_header)
        rc = canon_headers_add(ch, "x-amz-date", in->amz_date, err);
    out->add_token_header = token != NULL && !canon_headers_has(ch, "x-amz-security-token");
    if (rc == IR_OK && out->add_token_header)
        rc = canon_headers_add(ch, "x-amz-security-token", token, err);
    if (rc == IR_OK)
        qsort(ch->h, ch->n, sizeof(ch->h[0]), canon_header_cmp);
    return rc;
}

/* -- the three stages -- */

static ir_rc payload_hash(const ir_sigv4_input *in, char hex[IR_SHA256_HEX_LEN + 1], ir_err *err)
{
    return ir_sha256_hex(in->body != NULL ? in->body : "", in->body != NULL ? in->body_len : 0, hex,
                         err);
}

static ir_rc canonical_request(const ir_sigv4_input *in, const ir_aws_creds *creds,
                               ir_sigv4_output *out, ir_buf *signed_names, ir_err *err)
{
    canon_headers *ch = calloc(1, sizeof(*ch));
    char hash[IR_SHA256_HEX_LEN + 1];
    ir_buf *cr = &out->canonical_request;
    ir_rc rc;

    if (ch == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    rc = canon_headers_collect(in, creds, ch, out, err);
    if (rc == IR_OK)
        rc = ir_buf_appendf(cr, err, "%s\n", in->method);
    if (rc == IR_OK)
        rc = ir_sigv4_canonical_uri(in->path, in->keep_path, cr, err);
    if (rc == IR_OK)
        rc = ir_buf_append(cr, "\n", 1, err);
    if (rc == IR_OK)
        rc = ir_sigv4_canonical_query(in->query, in->n_query, cr, err);
    if (rc == IR_OK)
        rc = ir_buf_append(cr, "\n", 1, err);
    if (rc == IR_OK)
        rc = canon_headers_write(ch, cr, signed_names, err);
    if (rc == IR_OK)
        rc = payload_hash(in, hash, err);
    if (rc == IR_OK)
        rc = ir_buf_appendf(cr, err, "\n%s\n%s", ir_buf_cstr(signed_names), hash);
    free(ch);
    return rc;
}

static ir_rc string_to_sign(const ir_sigv4_input *in, const char *scope, ir_sigv4_output *out,
                            ir_err *err)
{
    char hash[IR_SHA256_HEX_LEN + 1];
    ir_rc rc = ir_sha256_hex(out->canonical_request.data, out->canonical_request.len, hash, err);

    if (rc != IR_OK)
        return rc;
    return ir_buf_appendf(&out->string_to_sign, err, "%s\n%s\n%s\n%s", SIGV4_ALGORITHM,
                          in->amz_date, scope, hash);
}

ir_rc ir_sigv4_signing_key(const unsigned char kdate[IR_AWS_KDATE_LEN], const char *region,
                           const char *service, unsigned char out[32], ir_err *err)
{
    unsigned char k_region[32], k_service[32];
    ir_rc rc = ir_hmac_sha256(kdate, IR_AWS_KDATE_LEN, region, strlen(region), k_region, err);

    if (rc == IR_OK)
        rc = ir_hmac_sha256(k_region, 32, service, strlen(service), k_service, err);
    if (rc == IR_OK)
        rc = ir_hmac_sha256(k_service, 32, "aws4_request", 12, out, err);
    OPENSSL_cleanse(k_region, sizeof(k_region));
    OPENSSL_cleanse(k_service, sizeof(k_service));
    return rc;
}

static ir_rc signature_hex(const ir_sigv4_input *in, const ir_aws_creds *creds,
                           const ir_sigv4_output *out, char hex[IR_SHA256_HEX_LEN + 1], ir_err *err)
{
    unsigned char kdate[IR_AWS_KDATE_LEN], ksigning[32], sig[32];
    char date[9];
    ir_rc rc;

    memcpy(date, in->amz_date, 8);
    date[8] = '\0';
    rc = ir_aws_creds_kdate(creds, date, kdate, err);
    if (rc == IR_OK)
        rc = ir_sigv4_signing_key(kdate, in->region, in->service, ksigning, err);
    if (rc == IR_OK)
        rc = ir_hmac_sha256(ksigning, sizeof(ksigning), out->string_to_sign.data,
                            out->string_to_sign.len, sig, err);
    if (rc == IR_OK)
        ir_hex_encode(sig, sizeof(sig), hex);
    OPENSSL_cleanse(kdate, sizeof(kdate));
    OPENSSL_cleanse(ksigning, sizeof(ksigning));
    return rc;
}

/* -- input checks -- */

static bool is_scope_word(const char *s)
{
    size_t i;

    if (s == NULL || s[0] == '\0' || strlen(s) > 64)
        return false;
    for (i = 0; s[i] != '\0'; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static bool is_amz_date(const char *d)
{
    size_t i;

    if (d == NULL || strlen(d) != IR_SIGV4_AMZ_DATE_LEN || d[8] != 'T' || d[15] != 'Z')
        return false;
    for (i = 0; i < 15; i++)
        if (i != 8 && (d[i] < '0' || d[i] > '9'))
            return false;
    return true;
}

static ir_rc check_input(const ir_sigv4_input *in, const ir_aws_creds *creds, ir_err *err)
{
    if (creds == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "SigV4: no credentials");
    if (in->method == NULL || in->method[0] == '\0' || strpbrk(in->method, " \r\n") != NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "SigV4: bad HTTP method");
    if (in->path != NULL && in->path[0] != '\0' && in->path[0] != '/')
        return ir_err_set(err, IR_ERR_INVALID_ARG, "SigV4: the path must start with '/'");
    if (!is_amz_date(in->amz_date))
        return ir_err_set(err, IR_ERR_INVALID_ARG, "SigV4: the date must be YYYYMMDDTHHMMSSZ");
    if (!is_scope_word(in->region) || !is_scope_word(in->service))
        return ir_err_set(err, IR_ERR_INVALID_ARG,
                          "SigV4: region and service must be lower-case letters, digits and '-'");
    return IR_OK;
}

ir_rc ir_sigv4_sign(const ir_sigv4_input *in, const ir_aws_creds *creds, ir_sigv4_output *out,
                    ir_err *err)
{
    char scope[128], sig[IR_SHA256_HEX_LEN + 1];
    ir_buf signed_names;
    ir_rc rc = check_input(in, creds, err);

    if (rc != IR_OK)
        return rc;
    ir_buf_reset(&out->canonical_request);
    ir_buf_reset(&out->string_to_sign);
    ir_buf_reset(&out->authorization);
    ir_buf_init(&signed_names, SIGV4_TEXT_MAX);
    snprintf(scope, sizeof(scope), "%.8s/%s/%s/aws4_request", in->amz_date, in->region,
             in->service);
    rc = canonical_request(in, creds, out, &signed_names, err);
    if (rc == IR_OK)
        rc = string_to_sign(in, scope, out, err);
    if (rc == IR_OK)
        rc = signature_hex(in, creds, out, sig, err);
    if (rc == IR_OK)
        rc = ir_buf_appendf(&out->authorization, err,
                            "%s Credential=%s/%s, SignedHeaders=%s, Signature=%s", SIGV4_ALGORITHM,
                            ir_aws_creds_access_key_id(creds), scope, ir_buf_cstr(&signed_names),
                            sig);
    ir_buf_free(&signed_names);
    return rc;
}
