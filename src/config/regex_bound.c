/* A recursive descent over a POSIX extended regular expression that
 * estimates how many copies of each atom regcomp will make, without
 * compiling it (regex_bound.h says why). */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/regex_bound.h"

/* Deeper groups than this are refused: the walk recurses once per group. */
#define MAX_DEPTH 32

typedef struct walk {
    const char *p;
    int depth;
    char *why;
    size_t why_len;
    bool bad;  /* refused, the reason in why */
    bool stop; /* malformed: regcomp will say how */
} walk;

static void refuse(walk *w, const char *reason)
{
    if (!w->bad)
        snprintf(w->why, w->why_len, "%s", reason);
    w->bad = true;
}

/* a * b, saturating above the bound so nothing overflows. */
static unsigned long times(unsigned long a, unsigned long b)
{
    return a != 0 && b > (IR_REGEX_MAX_COPIES + 1ul) / a ? IR_REGEX_MAX_COPIES + 1ul : a * b;
}

static unsigned long sum(unsigned long a, unsigned long b)
{
    return a + b > IR_REGEX_MAX_COPIES ? IR_REGEX_MAX_COPIES + 1ul : a + b;
}

static bool is_quantifier(const char *p)
{
    return *p == '*' || *p == '+' || *p == '?' ||
           (*p == '{' && ((p[1] >= '0' && p[1] <= '9') || p[1] == ','));
}

/* Skips a bracket expression from its '['; "[]a]", "[^]a]" and "[[:digit:]]"
 * hold a ']' that does not close it. */
static void skip_bracket(walk *w)
{
    const char *p = w->p + 1;

    if (*p == '^')
        p++;
    if (*p == ']')
        p++;
    for (; *p != '\0' && *p != ']'; p++) {
        if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
            const char *end = strstr(p + 2, (char[]){p[1], ']', '\0'});

            if (end == NULL)
                break;
            p = end + 1;
        }
    }
    if (*p != ']') {
        w->stop = true;
        w->p = p;
        return;
    }
    w->p = p + 1;
}

/* The copies one quantifier at w->p makes of what it repeats. */
static unsigned long copies_of_quantifier(walk *w)
{
    char *end;
    unsigned long lo, hi;

    switch (*w->p) {
    case '*':
    case '?':
        w->p++;
        return 1;
    case '+':
        w->p++;
        return 2;
    }
    lo = strtoul(w->p + 1, &end, 10);
    hi = lo;
    if (*end == ',') {
        hi = end[1] == '}' ? lo + 1 : strtoul(end + 1, &end, 10);
        if (end[0] == ',' && end[1] == '}')
            end++;
    }
    if (*end != '}') {
        w->stop = true;
        w->p = end;
        return 1;
    }
    w->p = end + 1;
    return hi == 0 ? 1 : hi;
}

static unsigned long alternation(walk *w);

static unsigned long atom(walk *w)
{
    unsigned long n;

    switch (*w->p) {
    case '(':
        if (++w->depth > MAX_DEPTH) {
            refuse(w, "groups nest too deeply");
            return 1;
        }
        w->p++;
        n = alternation(w);
        w->depth--;
        if (*w->p != ')') {
            w->stop = true;
            return n;
        }
        w->p++;
        return n;
    case '[':
        skip_bracket(w);
        return 1;
    case '\\':
        if (w->p[1] >= '1' && w->p[1] <= '9') {
            refuse(w, "it refers back to a group ('\\1'): matching that can take "
                      "exponential time");
            return 1;
        }
        w->p += w->p[1] != '\0' ? 2 : 1;
        return 1;
    default:
        w->p++;
        return 1;
    }
}

/* An atom and its quantifier: at most one, as POSIX defines. */
static unsigned long piece(walk *w)
{
    unsigned long n = atom(w);

    if (!w->stop && is_quantifier(w->p)) {
        n = times(n, copies_of_quantifier(w));
        if (!w->stop && is_quantifier(w->p))
            refuse(w, "a quantifier repeats a quantifier (as in '**', '+*' or "
                      "'{2}{3}'): POSIX leaves that undefined, and glibc can take "
                      "minutes to compile it; write one quantifier");
    }
    return n;
}

static unsigned long alternation(walk *w)
{
    unsigned long n = 0;

    while (!w->bad && !w->stop && *w->p != '\0' && *w->p != ')') {
        if (*w->p == '|') {
            w->p++;
            continue;
        }
        n = sum(n, piece(w));
    }
    return n;
}

bool ir_regex_within_bounds(const char *re, char *why, size_t why_len)
{
    walk w = {.p = re, .why = why, .why_len = why_len};
    size_t len = strlen(re);
    unsigned long copies;

    if (len > IR_REGEX_MAX_LEN) {
        snprintf(why, why_len, "it is %zu bytes long, more than the %d taken", len,
                 IR_REGEX_MAX_LEN);
        return false;
    }
    copies = alternation(&w);
    /* glibc takes a ')' that closes no group as an ordinary character. */
    while (!w.bad && !w.stop && *w.p == ')') {
        w.p++;
        copies = sum(copies, sum(1, alternation(&w)));
    }
    if (!w.bad && copies > IR_REGEX_MAX_COPIES) {
        snprintf(why, why_len,
                 "its repetition counts would make regcomp copy its parts more than %d "
                 "times (nested counts multiply: (a{1,100}){1,100} is 10000)",
                 IR_REGEX_MAX_COPIES);
        return false;
    }
    return !w.bad;
}
