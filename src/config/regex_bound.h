/* Bounds on the attribution rules' regular expressions. glibc's regcomp
 * copies a subexpression once per repetition it must count ("a{1,n}", and
 * "a+" as "aa*"), so nested counts multiply, and it takes super-linear time
 * over a quantifier applied to a quantifier ("a**", "a++": POSIX leaves those
 * undefined for EREs anyway). A configuration could make every program that
 * loads it spend minutes or gigabytes compiling one expression; these checks
 * refuse such an expression, with the reason, before regcomp sees it. */
#ifndef IOTREG_CONFIG_REGEX_BOUND_H
#define IOTREG_CONFIG_REGEX_BOUND_H

#include <stdbool.h>
#include <stddef.h>

/* The longest expression taken, in bytes. */
#define IR_REGEX_MAX_LEN 512
/* The most copies of its parts regcomp may make, all together: a{1,20000},
 * or (a{1,100}){1,100} twice, at about 10 ms each. */
#define IR_REGEX_MAX_COPIES 20000

/* true when re is within the bounds; else false with the reason in why. */
bool ir_regex_within_bounds(const char *re, char *why, size_t why_len);

#endif
