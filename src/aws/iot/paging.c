/* Lists and pages: the query of a page (pageSize/marker or maxResults/
 * nextToken), reading a page into a list by its shape, and following the
 * pages to the last. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iot/iot_internal.h"

/* A guard against a service that keeps returning a marker. */
#define IR_IOT_MAX_PAGES 10000

/* -- the request -- */

ir_rc ir_iot_page_query(ir_ops_req *b, const ir_iot_page_opts *page, bool with_order, ir_err *err)
{
    ir_rc rc = IR_OK;

    if (page == NULL)
        return IR_OK;
    if (page->page_size < 0 || page->page_size > IR_IOT_MAX_PAGE_SIZE)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "%s: pageSize must be 1..%d", b->req->operation,
                          IR_IOT_MAX_PAGE_SIZE);
    if (page->page_size > 0)
        rc = ir_ops_req_query_int(b, "pageSize", page->page_size, err);
    if (rc == IR_OK && page->marker != NULL)
        rc = ir_ops_req_query(b, "marker", page->marker, err);
    if (rc == IR_OK && with_order && page->ascending)
        rc = ir_ops_req_query_bool(b, "isAscendingOrder", true, err);
    return rc;
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

ir_rc ir_iot_build_list(const ir_iot_target *t, const ir_iot_list_shape *shape,
                        const ir_iot_page_opts *page, ir_aws_request *req, ir_buf *storage,
                        ir_err *err)
{
    ir_ops_req b;
    ir_rc rc = ir_iot_begin(&b, t, shape->op, "GET", req, storage, err);

    if (rc == IR_OK)
        rc = ir_ops_req_path(&b, shape->path, NULL, NULL, err);
    if (rc == IR_OK)
        rc = ir_iot_page_query(&b, page, true, err);
    if (rc == IR_OK)
        ir_ops_req_finish(&b);
    return rc;
}

/* -- the response -- */

static ir_rc parse_item(const ir_iot_list_shape *shape, const json_t *item, const char *where,
                        void *slot, ir_err *err)
{
    if (shape->fields == NULL)
        return shape->parse_item(item, where, slot, err);
    if (!json_is_object(item))
        return ir_err_set(err, IR_ERR_PARSE, "member %s is not an object", where);
    return ir_iot_json_fields(item, where, shape->fields, shape->n_fields, slot, err);
}

static void free_item(const ir_iot_list_shape *shape, void *slot)
{
    if (shape->fields == NULL)
        shape->free_item(slot);
    else
        ir_iot_json_fields_free(shape->fields, shape->n_fields, slot);
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
        rc = parse_item(shape, json_array_get(array, i), where, slot, err);
        if (rc == IR_OK)
            (*n)++;
        else
            free_item(shape, slot);
    }
    return rc;
}

ir_rc ir_iot_parse_list(const ir_aws_response *resp, const ir_iot_list_shape *shape, void **items,
                        size_t *n, char **next_marker, ir_err *err)
{
    json_t *root, *array = NULL;
    ir_rc rc = ir_iot_json_load(resp, false, &root, err);

    if (rc == IR_OK)
        rc = ir_iot_json_array(root, NULL, shape->array_key, false, &array, err);
    if (rc == IR_OK && array != NULL)
        rc = parse_items(array, shape, items, n, err);
    ir_iot_strfree(next_marker);
    if (rc == IR_OK)
        rc = ir_iot_json_str(root, NULL, shape->next_key, false, next_marker, err);
    json_decref(root);
    return ir_iot_parse_failed(rc, shape->op, err);
}

void ir_iot_list_free(const ir_iot_list_shape *shape, void **items, size_t *n, char **next_marker)
{
    size_t i;

    for (i = 0; i < *n; i++)
        free_item(shape, (unsigned char *)*items + i * shape->elem_size);
    free(*items);
    *items = NULL;
    *n = 0;
    ir_iot_strfree(next_marker);
}

/* -- calls -- */

ir_rc ir_iot_call_list(ir_aws_client *c, ir_ops_call *k, ir_rc build_rc,
                       const ir_iot_list_shape *shape, void **items, size_t *n, char **next_marker,
                       ir_aws_error *aerr, ir_err *err)
{
    ir_rc rc = ir_ops_call_send(c, k, build_rc, aerr, err);

    if (rc == IR_OK)
        rc = ir_iot_parse_list(&k->resp, shape, items, n, next_marker, err);
    return ir_ops_call_end(k, rc);
}

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
