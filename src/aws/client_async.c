/* Many requests at once: a timer queue (a min-heap on due time) holds
 * requests waiting for their bucket's token or for a retry's backoff; due
 * requests are signed and handed to one libcurl multi handle; finished ones
 * either go back to the queue (retry) or have their callback run. Nothing
 * in the loop sleeps for a token. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "aws/client_impl.h"
#include "aws/ratelimit.h"
#include "core/log.h"
#include "core/util.h"

#define MULTI_MAX_CONNECTIONS 64L
#define POLL_MAX_MS           1000

/* -- the timer heap (under async_lock) -- */

static bool timer_before(const aws_call *a, const aws_call *b)
{
    return a->due_us != b->due_us ? a->due_us < b->due_us : a->seq < b->seq;
}

static void heap_swap(aws_call **h, size_t i, size_t j)
{
    aws_call *t = h[i];

    h[i] = h[j];
    h[j] = t;
}

static void heap_sift_up(aws_call **h, size_t i)
{
    while (i > 0 && timer_before(h[i], h[(i - 1) / 2])) {
        heap_swap(h, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_sift_down(aws_call **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;

        if (l < n && timer_before(h[l], h[m]))
            m = l;
        if (r < n && timer_before(h[r], h[m]))
            m = r;
        if (m == i)
            return;
        heap_swap(h, i, m);
        i = m;
    }
}

static bool timer_push_locked(ir_aws_client *c, aws_call *call)
{
    if (c->n_timers == c->cap_timers) {
        size_t cap = c->cap_timers ? c->cap_timers * 2 : 64;
        aws_call **t = realloc(c->timers, cap * sizeof(*t));

        if (t == NULL)
            return false;
        c->timers = t;
        c->cap_timers = cap;
    }
    call->seq = c->next_seq++;
    c->timers[c->n_timers++] = call;
    heap_sift_up(c->timers, c->n_timers - 1);
    return true;
}

static aws_call *timer_pop_due_locked(ir_aws_client *c, int64_t now_us)
{
    aws_call *top;

    if (c->n_timers == 0 || c->timers[0]->due_us > now_us)
        return NULL;
    top = c->timers[0];
    c->timers[0] = c->timers[--c->n_timers];
    heap_sift_down(c->timers, c->n_timers, 0);
    return top;
}

/* Re-queues call for due_us; the heap only fails to grow when memory is out,
 * and then the call finishes with that error rather than being lost. */
static void timer_schedule(ir_aws_client *c, aws_call *call, int64_t due_us, aws_call **done)
{
    bool ok;

    call->due_us = due_us;
    pthread_mutex_lock(&c->async_lock);
    ok = timer_push_locked(c, call);
    pthread_mutex_unlock(&c->async_lock);
    if (!ok) {
        ir_err e;
        ir_err_set(&e, IR_ERR_NOMEM, "out of memory queueing the request");
        aws_call_fail(call, IR_ERR_NOMEM, &e);
        call->next = *done;
        *done = call;
    }
}

/* -- lifecycle -- */

ir_rc aws_async_init(ir_aws_client *c, ir_err *err)
{
    c->multi = curl_multi_init();
    if (c->multi == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "libcurl could not create a multi handle");
    curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, MULTI_MAX_CONNECTIONS);
    curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, MULTI_MAX_CONNECTIONS);
    return IR_OK;
}

static void call_free(aws_call *call)
{
    aws_call_cleanup(call);
    free(call);
}

static void finish_cancelled(ir_aws_client *c, aws_call *call)
{
    ir_err e;

    ir_err_set(&e, IR_ERR_STATE, "the AWS client was freed before the request completed");
    aws_call_fail(call, IR_ERR_STATE, &e);
    atomic_fetch_sub(&c->pending, 1);
    call->done(call->userdata, call->rc, call->resp, &call->aerr, &call->err);
    call_free(call);
}

/* Cancels what is still queued or in flight; each callback runs once with
 * IR_ERR_STATE so that its owner can release the userdata. */
void aws_async_shutdown(ir_aws_client *c)
{
    aws_call *call;

    if (c->multi == NULL)
        return;
    pthread_mutex_lock(&c->async_lock);
    c->closing = true;
    pthread_mutex_unlock(&c->async_lock);
    while ((call = c->in_flight) != NULL) {
        c->in_flight = call->next;
        curl_multi_remove_handle(c->multi, call->easy);
        aws_client_give_easy(c, call->easy);
        finish_cancelled(c, call);
    }
    while (c->n_timers > 0) {
        call = c->timers[--c->n_timers];
        finish_cancelled(c, call);
    }
    free(c->timers);
    c->timers = NULL;
    curl_multi_cleanup(c->multi);
    c->multi = NULL;
}

/* -- submitting -- */

ir_rc ir_aws_submit(ir_aws_client *c, const ir_aws_request *req, ir_aws_done_fn done,
                    void *userdata, ir_err *err)
{
    aws_call *call;
    ir_rc rc;
    bool ok;

    if (done == NULL)
        return ir_err_set(err, IR_ERR_INVALID_ARG, "ir_aws_submit needs a completion callback");
    call = calloc(1, sizeof(*call));
    if (call == NULL)
        return ir_err_set(err, IR_ERR_NOMEM, "out of memory");
    rc = aws_call_copy_request(call, req, err);
    if (rc == IR_OK)
        rc = aws_call_init(c, &call->req, call, NULL, err);
    if (rc != IR_OK) {
        call_free(call);
        return rc;
    }
    call->done = done;
    call->userdata = userdata;
    call->due_us = ir_clock_monotonic_us(NULL);
    pthread_mutex_lock(&c->async_lock);
    ok = !c->closing && timer_push_locked(c, call);
    if (ok)
        atomic_fetch_add(&c->pending, 1);
    pthread_mutex_unlock(&c->async_lock);
    if (!ok) {
        call_free(call);
        return ir_err_set(err, c->closing ? IR_ERR_STATE : IR_ERR_NOMEM, "%s",
                          c->closing ? "the AWS client is being freed"
                                     : "out of memory queueing the request");
    }
    curl_multi_wakeup(c->multi); /* a run() in progress sees it now */
    return IR_OK;
}

size_t ir_aws_client_pending(const ir_aws_client *c)
{
    return atomic_load(&((ir_aws_client *)c)->pending);
}

/* -- the loop -- */

static void in_flight_link(ir_aws_client *c, aws_call *call)
{
    call->prev = NULL;
    call->next = c->in_flight;
    if (c->in_flight != NULL)
        c->in_flight->prev = call;
    c->in_flight = call;
}

static void in_flight_unlink(ir_aws_client *c, aws_call *call)
{
    if (call->prev != NULL)
        call->prev->next = call->next;
    else
        c->in_flight = call->next;
    if (call->next != NULL)
        call->next->prev = call->prev;
    call->prev = call->next = NULL;
}

static void start_call(ir_aws_client *c, aws_call *call, aws_call **done)
{
    CURL *easy = aws_client_take_easy(c);

    if (easy == NULL || aws_call_prepare_attempt(call, easy) != IR_OK ||
        curl_multi_add_handle(c->multi, easy) != CURLM_OK) {
        if (call->rc == IR_OK) {
            ir_err e;
            ir_err_set(&e, IR_ERR_INTERNAL, "libcurl could not start the transfer");
            aws_call_fail(call, IR_ERR_INTERNAL, &e);
        }
        aws_client_give_easy(c, easy);
        call->next = *done;
        *done = call;
        return;
    }
    call->easy = easy;
    in_flight_link(c, call);
}

/* A due call first takes its bucket's token; if the token is not due yet the
 * call goes back into the queue for then. */
static void handle_due(ir_aws_client *c, aws_call *call, int64_t now_us, aws_call **done)
{
    int64_t wait_us;

    if (!call->has_token) {
        wait_us = aws_client_reserve_token_us(c, call);
        if (wait_us > 0) {
            call->has_token = true;
            if (call->first_send_ms != 0)
                call->token_wait_ms += (wait_us + 999) / 1000;
            timer_schedule(c, call, now_us + wait_us, done);
            return;
        }
    }
    call->has_token = false;
    call->rc = IR_OK;
    start_call(c, call, done);
}

static void start_due(ir_aws_client *c, aws_call **done)
{
    int64_t now_us = ir_clock_monotonic_us(NULL);
    aws_call *call;

    for (;;) {
        pthread_mutex_lock(&c->async_lock);
        call = timer_pop_due_locked(c, now_us);
        pthread_mutex_unlock(&c->async_lock);
        if (call == NULL)
            return;
        handle_due(c, call, now_us, done);
    }
}

static void transfer_done(ir_aws_client *c, CURL *easy, CURLcode cc, aws_call **done)
{
    aws_call *call = NULL;
    ir_err terr = {0};
    ir_rc rc;

    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&call);
    curl_multi_remove_handle(c->multi, easy);
    in_flight_unlink(c, call);
    rc = ir_http_finish(easy, cc, &call->x, &terr);
    call->easy = NULL;
    aws_client_give_easy(c, easy);
    if (aws_call_attempt_done(call, rc, &terr) == CALL_RETRY) {
        timer_schedule(c, call, ir_clock_monotonic_us(NULL) + (int64_t)call->backoff_ms * 1000,
                       done);
        return;
    }
    call->next = *done;
    *done = call;
}

static void collect_finished(ir_aws_client *c, aws_call **done)
{
    CURLMsg *msg;
    int left = 0;

    while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
        /* msg is invalid once its handle is removed: read it first. */
        CURL *easy = msg->easy_handle;
        CURLcode cc = msg->data.result;

        if (msg->msg == CURLMSG_DONE)
            transfer_done(c, easy, cc, done);
    }
}

/* Callbacks run in completion order, without any lock held: they may submit. */
static void run_callbacks(ir_aws_client *c, aws_call *done)
{
    aws_call *rev = NULL, *next;

    for (; done != NULL; done = next) {
        next = done->next;
        done->next = rev;
        rev = done;
    }
    for (; rev != NULL; rev = next) {
        next = rev->next;
        atomic_fetch_sub(&c->pending, 1);
        rev->done(rev->userdata, rev->rc, rev->resp, &rev->aerr, &rev->err);
        call_free(rev);
    }
}

static int poll_timeout_ms(ir_aws_client *c, int64_t deadline_ms)
{
    int64_t now_us = ir_clock_monotonic_us(NULL), wait_ms = deadline_ms - now_us / 1000;

    pthread_mutex_lock(&c->async_lock);
    if (c->n_timers > 0) {
        int64_t due_ms = (c->timers[0]->due_us - now_us + 999) / 1000;
        if (due_ms < wait_ms)
            wait_ms = due_ms;
    }
    pthread_mutex_unlock(&c->async_lock);
    if (wait_ms > POLL_MAX_MS)
        wait_ms = POLL_MAX_MS;
    return wait_ms > 0 ? (int)wait_ms : 0;
}

size_t ir_aws_client_run(ir_aws_client *c, long timeout_ms)
{
    int64_t deadline_ms = ir_monotonic_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    int running = 0;

    for (;;) {
        aws_call *done = NULL;
        bool progressed;

        start_due(c, &done);
        curl_multi_perform(c->multi, &running);
        collect_finished(c, &done);
        progressed = done != NULL;
        run_callbacks(c, done);
        if (atomic_load(&c->pending) == 0 || ir_monotonic_ms() >= deadline_ms)
            break;
        if (!progressed)
            curl_multi_poll(c->multi, NULL, 0, poll_timeout_ms(c, deadline_ms), NULL);
    }
    return atomic_load(&c->pending);
}
