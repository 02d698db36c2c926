#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iot/iot_internal.h"

/* A guard against a service that keeps returning a marker. */
#define IR_IOT_MAX_PAGES 10000

ir_rc ir_iot_follow_pages(ir_aws_client *c, const ir_iot_target *t, ir_iot_fetch_page_fn fetch,
                          const void *ctx, void *list, char **next_marker, ir_aws_error *aerr,
                          ir_err *err)
{
    char *marker = NULL;
    int pages = 0;
    ir_rc rc;

    for (;;) {
        rc = fetch(c, t, ctx, marker, list, aerr, err);
        free(marker);
        marker = NULL;
        if (rc != IR_OK || *next_marker == NULL)
            return rc;
        if (++pages >= IR_IOT_MAX_PAGES)
            return ir_err_set(err, IR_ERR_TOO_LARGE, "more than %d pages in a list",
                              IR_IOT_MAX_PAGES);
        marker = strdup(*next_marker);
        if (marker == NULL)
            return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    }
}

void ir_iot_list_free(const ir_iot_list_shape *shape, void **items, size_t *n, char **next_marker)
{
    size_t i;

    for (i = 0; i < *n; i++)
        shape->free_item((unsigned char *)*items + i * shape->elem_size);
    free(*items);
    *items = NULL;
    *n = 0;
    ir_iot_strfree(next_marker);
}

ir_rc ir_iot_build_list(const ir_iot_target *t, const char *op, const char *path,
                        const ir_iot_page_opts *page, ir_aws_request *req, ir_buf *storage,
                        ir_err *err)
{
    ir_ops_req b;
    ir_rc rc = ir_iot_begin(&b, t, op, "GET", req, storage, err);

    if (rc == IR_OK)
        rc = ir_ops_req_path(&b, path, NULL, NULL, err);
    if (rc == IR_OK)
        rc = ir_iot_page_query(&b, page, true, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

static ir_rc parse_items(const json_t *array, const ir_iot_list_shape *shape, void **items,
                         size_t *n, ir_err *err)
{
    char where[64];
    size_t i;
    ir_rc rc = IR_OK;

    for (i = 0; i < json_array_size(array) && rc == IR_OK; i++) {
        unsigned char *slot;

        rc = ir_iot_array_grow(items, n, shape->elem_size, err);
        if (rc != IR_OK)
            break;
        slot = (unsigned char *)*items + *n * shape->elem_size;
        snprintf(where, sizeof(where), "%s[%zu]", shape->array_key, i);
        rc = shape->parse_item(json_array_get(array, i), where, slot, err);
        if (rc == IR_OK)
            (*n)++;
        else
            shape->free_item(slot);
    }
    return rc;
}

/* A list response whose next page is named by its member next_key. */
static ir_rc parse_list_paged_by(const ir_aws_response *resp, const ir_iot_list_shape *shape,
                                 const char *next_key, void **items, size_t *n, char **next,
                                 ir_err *err)
{
    json_t *root, *array = NULL;
    ir_rc rc = ir_iot_json_load(resp, false, &root, err);

    if (rc == IR_OK)
        rc = ir_iot_json_array(root, NULL, shape->array_key, false, &array, err);
    if (rc == IR_OK && array != NULL)
        rc = parse_items(array, shape, items, n, err);
    ir_iot_strfree(next);
    if (rc == IR_OK)
        rc = ir_iot_json_str(root, NULL, next_key, false, next, err);
    json_decref(root);
    return ir_iot_parse_failed(rc, shape->op, err);
}

ir_rc ir_iot_parse_list(const ir_aws_response *resp, const ir_iot_list_shape *shape, void **items,
                        size_t *n, char **next_marker, ir_err *err)
{
    return parse_list_paged_by(resp, shape, "nextMarker", items, n, next_marker, err);
}

ir_rc ir_iot_parse_token_list(const ir_aws_response *resp, const ir_iot_list_shape *shape,
                              void **items, size_t *n, char **next_token, ir_err *err)
{
    return parse_list_paged_by(resp, shape, "nextToken", items, n, next_token, err);
}

ir_rc ir_iot_token_page_query(ir_ops_req *b, const ir_iot_page_opts *page, ir_err *err)
{
    ir_rc rc = IR_OK;

    if (page == NULL)
        return IR_OK;
    if (page->page_size < 0 || page->page_size > IR_IOT_MAX_PAGE_SIZE)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: maxResults must be 1..%d",
                          b->req->operation, IR_IOT_MAX_PAGE_SIZE);
    if (page->page_size > 0)
        rc = ir_ops_req_query_int(b, "maxResults", page->page_size, err);
    if (rc == IR_OK && page->marker != NULL)
        rc = ir_ops_req_query(b, "nextToken", page->marker, err);
    return rc;
}

ir_rc ir_iot_json_status(const json_t *obj, const char *where, bool required,
                         ir_iot_cert_status *out, ir_err *err)
{
    char *text = NULL;
    ir_rc rc = ir_iot_json_str(obj, where, "status", required, &text, err);

    if (rc == IR_OK && text != NULL)
        *out = ir_iot_cert_status_from_name(text);
    free(text);
    return rc;
}

static void cert_summary_free(void *item)
{
    ir_iot_cert_summary *s = item;

    ir_iot_strfree(&s->certificate_id);
    ir_iot_strfree(&s->certificate_arn);
    ir_iot_strfree(&s->certificate_mode);
}

static ir_rc parse_cert_summary(const json_t *item, const char *where, void *slot, ir_err *err)
{
    ir_iot_cert_summary *out = slot;
    ir_rc rc;

    if (!json_is_object(item))
        return ir_err_set(err, IR_ERR_PARSE, "member %s is not an object", where);
    rc = ir_iot_json_str(item, where, "certificateId", true, &out->certificate_id, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(item, where, "certificateArn", false, &out->certificate_arn, err);
    if (rc == IR_OK)
        rc = ir_iot_json_status(item, where, false, &out->status, err);
    if (rc == IR_OK)
        rc = ir_iot_json_str(item, where, "certificateMode", false, &out->certificate_mode, err);
    if (rc == IR_OK)
        rc = ir_iot_json_date_ms(item, where, "creationDate", &out->creation_date_ms, err);
    return rc;
}

const ir_iot_list_shape ir_iot_cert_list_shape = {"ListCertificates", "certificates",
                                                  sizeof(ir_iot_cert_summary), parse_cert_summary,
                                                  cert_summary_free};
const ir_iot_list_shape ir_iot_ca_list_shape = {"ListCACertificates", "certificates",
                                                sizeof(ir_iot_cert_summary), parse_cert_summary,
                                                cert_summary_free};

void ir_iot_cert_list_free(ir_iot_cert_list *l)
{
    ir_iot_list_free(&ir_iot_cert_list_shape, (void **)&l->items, &l->n, &l->next_marker);
}
