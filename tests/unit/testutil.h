/* A tiny runner around CUnit's basic interface, shared by every unit test:
 * runs one suite, prints CUnit's summary and then the project's closing line
 * "N passed, M failed", and turns the result into an automake exit status. */
#ifndef IOTREG_TESTS_TESTUTIL_H
#define IOTREG_TESTS_TESTUTIL_H

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

#define IR_TEST_SKIP 77

typedef struct ir_test_case {
    const char *name;
    CU_TestFunc fn;
} ir_test_case;

#define IR_TEST(fn) {#fn, fn}

static inline int ir_test_run(const char *suite_name, const ir_test_case *cases,
                              CU_InitializeFunc init, CU_CleanupFunc clean)
{
    CU_pSuite suite;
    unsigned ran, failed;
    int i;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    suite = CU_add_suite(suite_name, init, clean);
    if (suite == NULL)
        goto fail;
    for (i = 0; cases[i].name != NULL; i++)
        if (CU_add_test(suite, cases[i].name, cases[i].fn) == NULL)
            goto fail;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    if (CU_get_number_of_suites_failed() > 0) {
        fprintf(stdout, "\nsuite %s could not be set up\n0 passed, 1 failed\n", suite_name);
        CU_cleanup_registry();
        return 1;
    }
    ran = CU_get_number_of_tests_run();
    failed = CU_get_number_of_tests_failed();
    fprintf(stdout, "\n%u passed, %u failed\n", ran - failed, failed);
    CU_cleanup_registry();
    return failed == 0 ? 0 : 1;
fail:
    fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
    CU_cleanup_registry();
    return 99;
}

#endif
