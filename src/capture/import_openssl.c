/* Importing an `openssl ca` database. index.txt holds one row per issued
 * certificate, six fields separated by tabs:
 *   status (V valid, R revoked, E expired), expiry, revocation[,reason],
 *   serial (hex), file name ("unknown"), subject
 * and the certificate itself is newcerts/SERIAL.pem. */
#include "autoconf.h"

#include "capture/import.h"

#include <errno.h>
#include <openssl/asn1.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/cert_input.h"
#include "capture/crl_reason.h"
#include "core/buf.h"

#define INDEX_LINE_MAX (64 * 1024)

typedef struct index_row {
    char status;
    char *revocation; /* "YYMMDDHHMMSSZ[,reason]" for R rows */
    char *serial;
} index_row;

/* Splits a line into its six fields; NULL-terminates each in place. */
static ir_rc parse_row(char *line, index_row *row, ir_err *err)
{
    char *fields[6];
    char *save = line;
    int n;

    for (n = 0; n < 6 && save != NULL; n++)
        fields[n] = strsep(&save, "\t");
    if (n < 6 || strlen(fields[0]) != 1 || strchr("VRE", fields[0][0]) == NULL)
        return ir_err_set(err, IR_ERR_PARSE,
                          "not an openssl ca index row (status V, R or E, then 5 tab-separated "
                          "fields)");
    row->status = fields[0][0];
    row->revocation = fields[2];
    row->serial = fields[3];
    if (row->serial[0] == '\0' ||
        strspn(row->serial, "0123456789abcdefABCDEF") != strlen(row->serial))
        return ir_err_set(err, IR_ERR_PARSE, "serial '%.64s' is not hexadecimal", row->serial);
    return IR_OK;
}

/* openssl ca also writes the pseudo-reasons of -crl_compromise/-crl_CA_compromise,
 * and "holdInstruction" (then the instruction's OID) for -crl_hold: a hold. */
static ir_rc parse_reason(const char *s, int *reason, ir_err *err)
{
    if (s == NULL || s[0] == '\0') {
        *reason = 0;
        return IR_OK;
    }
    if (strcmp(s, "keyTime") == 0) {
        *reason = 1;
        return IR_OK;
    }
    if (strcmp(s, "CAkeyTime") == 0) {
        *reason = 2;
        return IR_OK;
    }
    if (strcmp(s, "holdInstruction") == 0) {
        *reason = 6; /* certificateHold */
        return IR_OK;
    }
    return ir_crl_reason_parse(s, reason, err);
}

static ir_rc parse_revocation(char *field, int *reason, int64_t *when_ms, ir_err *err)
{
    char *rest = field;
    char *date = strsep(&rest, ",");
    char *name = rest != NULL ? strsep(&rest, ",") : NULL;
    ASN1_TIME *t = ASN1_TIME_new();
    struct tm tm;
    int ok = t != NULL && ASN1_TIME_set_string(t, date) && ASN1_TIME_to_tm(t, &tm);

    ASN1_TIME_free(t);
    if (!ok)
        return ir_err_set(err, IR_ERR_PARSE, "revocation date '%.32s' is not YYMMDDHHMMSSZ", date);
    *when_ms = (int64_t)timegm(&tm) * 1000;
    return parse_reason(name, reason, err);
}

static ir_rc import_row(ir_import *imp, const char *what, const index_row *row,
                        const char *newcerts_dir, ir_err *err)
{
    char path[4096], msg[IR_ERR_MSG_MAX + 64];
    int reason = -1;
    int64_t when = 0;
    ir_buf data;
    ir_err e = {0};
    ir_rc rc = IR_OK;

    if (row->status == 'R' && parse_revocation(row->revocation, &reason, &when, &e) != IR_OK) {
        ir_import_refuse(imp, what, e.msg);
        return IR_OK;
    }
    snprintf(path, sizeof(path), "%s/%s.pem", newcerts_dir, row->serial);
    if (ir_cert_input_read(path, &data, &e) == IR_OK) {
        rc = ir_import_input(imp, what, data.data, data.len, reason, when, err);
    } else {
        snprintf(msg, sizeof(msg), "%s (give the CA's newcerts directory with --newcerts)", e.msg);
        ir_import_refuse(imp, what, msg);
    }
    ir_buf_free(&data);
    return rc;
}

static ir_rc import_line(ir_import *imp, const char *index_path, long lineno, char *line,
                         const char *newcerts_dir, ir_err *err)
{
    char what[4200];
    index_row row = {0};
    ir_err e = {0};

    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '\0')
        return IR_OK;
    snprintf(what, sizeof(what), "%s:%ld", index_path, lineno);
    if (parse_row(line, &row, &e) != IR_OK) {
        ir_import_refuse(imp, what, e.msg);
        return IR_OK;
    }
    snprintf(what, sizeof(what), "%s:%ld (serial %s)", index_path, lineno,
             row.serial ? row.serial : "");
    if (row.status == 'E') {
        ir_import_refuse(imp, what, "expired (status E): not imported");
        return IR_OK;
    }
    return import_row(imp, what, &row, newcerts_dir, err);
}

static size_t count_lines(FILE *f)
{
    size_t n = 0;
    int c;

    while ((c = getc(f)) != EOF)
        n += c == '\n';
    rewind(f);
    return n;
}

ir_rc ir_import_openssl_db(ir_import *imp, const char *index_path, const char *newcerts_dir,
                           ir_err *err)
{
    FILE *f = fopen(index_path, "r");
    char *line = NULL;
    size_t cap = 0, total;
    ssize_t n;
    long lineno = 0;
    ir_rc rc = IR_OK;

    if (f == NULL)
        return ir_err_set(err, errno == ENOENT ? IR_ERR_NOT_FOUND : IR_ERR_IO,
                          "cannot open the openssl ca database %s: %s", index_path,
                          strerror(errno));
    total = count_lines(f);
    while (rc == IR_OK && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (n > INDEX_LINE_MAX)
            ir_import_refuse(imp, index_path, "a line longer than 64 KiB: not an index.txt");
        else
            rc = import_line(imp, index_path, lineno, line, newcerts_dir, err);
        if (imp->on_progress != NULL)
            imp->on_progress(imp->ctx, (size_t)lineno,
                             total > (size_t)lineno ? total : (size_t)lineno);
    }
    free(line);
    fclose(f);
    return rc;
}
