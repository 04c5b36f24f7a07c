/* Shared by the libsplinter tests: cmocka and small helpers. */
#ifndef SP_TESTUTIL_H
#define SP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "splinter/splinter.h"

/* 2025-07-08T16:54:12.431Z */
#define SP_TEST_TS "2025-07-08T16:54:12.431Z"
#define SP_TEST_SEC 1751993652
#define SP_TEST_NSEC 431000000u
#define SP_TEST_UUID7 "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"

static inline sp_time sp_test_time(int64_t sec, uint32_t nsec)
{
    sp_time t = {sec, nsec};
    return t;
}

#endif
