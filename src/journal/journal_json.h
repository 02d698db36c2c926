/* Journal entries and counts as JSON (jansson), for `--json` output. */
#ifndef IOTREG_JOURNAL_JOURNAL_JSON_H
#define IOTREG_JOURNAL_JOURNAL_JSON_H

#include <jansson.h>

#include "journal/journal.h"

/* Milliseconds since the epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (25 bytes). */
void ir_journal_time_text(int64_t ms, char buf[32]);

/* An object with the entry's fields (times as text, no DER); its history and
 * facts when e has them. NULL when out of memory. */
json_t *ir_journal_entry_json(const ir_journal_entry *e);

#endif
