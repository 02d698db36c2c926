/* Journal entries as JSON. */
#include "autoconf.h"

#include "journal/journal_json.h"

#include <stdio.h>
#include <time.h>

void ir_journal_time_text(int64_t ms, char buf[32])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;

    size_t n;

    if (ms <= 0 || gmtime_r(&secs, &tm) == NULL ||
        (n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm)) == 0 || n > 24) {
        snprintf(buf, 32, "-");
        return;
    }
    snprintf(buf + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

static json_t *text_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *time_or_null(int64_t ms)
{
    char buf[32];

    if (ms <= 0)
        return json_null();
    ir_journal_time_text(ms, buf);
    return json_string(buf);
}

static json_t *history_json(const ir_journal_entry *e)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; a != NULL && i < e->n_history; i++)
        json_array_append_new(a, json_pack("{s:o, s:s, s:s, s:o, s:o}", "at",
                                           time_or_null(e->history[i].at_ms), "step",
                                           e->history[i].step, "result", e->history[i].result,
                                           "detail", text_or_null(e->history[i].detail), "worker",
                                           text_or_null(e->history[i].worker)));
    return a;
}

static json_t *facts_json(const ir_journal_entry *e)
{
    json_t *o = json_object();
    size_t i;

    for (i = 0; o != NULL && i < e->n_facts; i++)
        json_object_set_new(o, e->facts[i].key, json_string(e->facts[i].value));
    return o;
}

static json_t *revocation_json(const ir_journal_entry *e)
{
    if (!e->revocation_requested)
        return json_null();
    return json_pack("{s:i, s:o}", "reason", e->revocation_reason, "time",
                     time_or_null(e->revocation_time_ms));
}

json_t *ir_journal_entry_json(const ir_journal_entry *e)
{
    json_t *o = json_pack(
        "{s:s, s:I, s:s, s:o, s:o, s:s, s:o, s:o, s:s, s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:o}",
        "cert_id", e->cert_id, "seq", (json_int_t)e->seq, "subca", e->subca, "customer",
        text_or_null(e->customer), "unattributed_reason", text_or_null(e->unattributed_reason),
        "source", ir_cert_source_name(e->source), "end_entity", text_or_null(e->end_entity),
        "profile", text_or_null(e->profile), "state", ir_entry_state_name(e->state), "step",
        e->step, "attempts", e->attempts, "next_attempt", time_or_null(e->next_attempt_ms),
        "last_error", text_or_null(e->last_error), "claimed_by", text_or_null(e->claimed_by),
        "revocation", revocation_json(e), "created", time_or_null(e->created_ms), "updated",
        time_or_null(e->updated_ms));

    if (o != NULL && e->history != NULL)
        json_object_set_new(o, "history", history_json(e));
    if (o != NULL && e->facts != NULL)
        json_object_set_new(o, "facts", facts_json(e));
    return o;
}
